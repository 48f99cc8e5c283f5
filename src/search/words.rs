//! How text becomes search terms, the same way for stories and for queries.

use crate::content::stem::stem;

/// Words longer than this are not words a reader types (links, base64).
const MAX_WORD_CHARS: usize = 40;

/// Words of `text`, lowercased, without punctuation; apostrophes and
/// hyphens inside a word keep it whole («м'ясо», «пів-року»), so query
/// syntax of any engine is inert.
pub fn words(text: &str) -> impl Iterator<Item = String> + '_ {
    text.split(|c: char| !c.is_alphanumeric() && c != '\'' && c != '’' && c != '-')
        .map(|w| {
            w.trim_matches(|c: char| !c.is_alphanumeric())
                .to_lowercase()
        })
        .filter(|w| !w.is_empty() && w.chars().count() <= MAX_WORD_CHARS)
}

/// A story's text as the index keeps it: the stem of each word, in the
/// story's language, separated by spaces.
pub fn index_text(text: &str, language: &str) -> String {
    let mut stems = String::with_capacity(text.len());
    for word in words(text) {
        if !stems.is_empty() {
            stems.push(' ');
        }
        stems.push_str(&stem(&word, language));
    }
    stems
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_ignore_query_syntax() {
        assert_eq!(
            words("Енергетика OR \"Київ\" NEAR(*)").collect::<Vec<_>>(),
            vec!["енергетика", "or", "київ", "near"]
        );
        assert_eq!(words("   ").count(), 0);
        assert_eq!(
            words("м'ясо, пів-року!").collect::<Vec<_>>(),
            vec!["м'ясо", "пів-року"]
        );
    }

    #[test]
    fn every_form_of_a_word_is_one_term() {
        assert_eq!(index_text("Уряд", "uk"), "уряд");
        assert_eq!(index_text("уряду урядом", "uk"), "уряд уряд");
        assert_eq!(index_text("Elections, election", "en"), "election election");
    }
}
