//! Search words cut back to their stems, so a prefix search finds every
//! form: «урядом» and «уряду» both search «уряд*», "elections" searches
//! "election*". Only the query is cut; the index keeps whole words. A light
//! suffix stripper, not a dictionary: it never cuts a word below four
//! letters, so short words stay as typed.

/// Endings of Ukrainian nouns, adjectives and verbs, longest first.
const UKRAINIAN: &[&str] = &[
    "ськими",
    "ського",
    "ському",
    "ською",
    "ських",
    "ування",
    "ювання",
    "ається",
    "ються",
    "ючись",
    "ачись",
    "ями",
    "ами",
    "ові",
    "еві",
    "єві",
    "ого",
    "ому",
    "ими",
    "іми",
    "ої",
    "ою",
    "ею",
    "єю",
    "ах",
    "ях",
    "ом",
    "ем",
    "єм",
    "ів",
    "їв",
    "ий",
    "ій",
    "ам",
    "ям",
    "ти",
    "ть",
    "ла",
    "ли",
    "ло",
    "ся",
    "а",
    "я",
    "и",
    "і",
    "ї",
    "у",
    "ю",
    "о",
    "е",
    "є",
    "ь",
];

/// English inflections, longest first.
const ENGLISH: &[&str] = &[
    "ational", "ations", "ation", "ments", "ment", "ings", "ing", "ies", "ied", "ers", "ed", "es",
    "er", "ly", "s",
];

const MIN_STEM_CHARS: usize = 4;

/// The stem of a lowercased search word in `language`; languages without
/// rules here keep the word whole (it is still matched as a prefix).
pub fn stem(word: &str, language: &str) -> String {
    let endings = match language {
        "uk" => UKRAINIAN,
        "en" => ENGLISH,
        _ => return word.to_owned(),
    };
    let length = word.chars().count();
    for ending in endings {
        let cut = ending.chars().count();
        if word.ends_with(ending) && length - cut >= MIN_STEM_CHARS {
            return word[..word.len() - ending.len()].to_owned();
        }
    }
    word.to_owned()
}

#[cfg(test)]
mod tests {
    use super::stem;

    #[test]
    fn forms_of_a_word_share_a_stem() {
        for form in ["уряд", "уряду", "урядом", "урядові", "уряди", "урядів"]
        {
            assert_eq!(stem(form, "uk"), "уряд", "{form}");
        }
        for form in ["енергетика", "енергетики", "енергетикою"] {
            assert_eq!(stem(form, "uk"), "енергетик", "{form}");
        }
        assert_eq!(stem("election", "en"), "election");
        assert_eq!(stem("elections", "en"), "election");
        assert_eq!(stem("governments", "en"), "govern");
        assert_eq!(stem("government", "en"), "govern");
        // Short words stay as typed; other languages are not cut.
        assert_eq!(stem("київ", "uk"), "київ");
        assert_eq!(stem("bus", "en"), "bus");
        assert_eq!(stem("wyborach", "pl"), "wyborach");
    }
}
