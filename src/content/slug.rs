//! URL slugs. Ukrainian titles are transliterated by the official Ukrainian
//! national system (Cabinet of Ministers resolution No. 55, 2010), so slugs
//! read naturally to Ukrainians and stay plain ASCII.

/// Longest slug we generate; long enough for a headline's key words.
pub const MAX_SLUG_LEN: usize = 80;

/// Turns any title into a lowercase ASCII slug of words joined by hyphens.
pub fn slugify(title: &str) -> String {
    let latin = transliterate(title);
    let mut slug = String::with_capacity(latin.len());
    for c in latin.chars() {
        if c.is_ascii_alphanumeric() {
            slug.push(c.to_ascii_lowercase());
        } else if !slug.is_empty() && !slug.ends_with('-') && c != '\'' && c != '’' {
            slug.push('-');
        }
    }
    let slug = slug.trim_end_matches('-');
    if slug.len() <= MAX_SLUG_LEN {
        return slug.to_owned();
    }
    let cut = &slug[..MAX_SLUG_LEN];
    match cut.rfind('-') {
        Some(pos) if pos > MAX_SLUG_LEN / 2 => cut[..pos].to_owned(),
        _ => cut.trim_end_matches('-').to_owned(),
    }
}

/// Whether `s` is a slug we would accept from a person or an import.
pub fn is_valid_slug(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 120
        && s.bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        && !s.starts_with('-')
        && !s.ends_with('-')
        && !s.contains("--")
}

/// A person's name as a page in another script shows it: on pages of a
/// language written in Latin letters, Cyrillic names are transliterated by the
/// official Ukrainian system used for passports ("Ірина Бондар" → "Iryna
/// Bondar"); other names, and names on Cyrillic pages, are left as they are.
pub fn display_name(name: &str, locale: &crate::i18n::Locale) -> String {
    if locale.writes_in("Cyrl") || !name.chars().any(is_cyrillic) {
        return name.to_owned();
    }
    transliterate(name)
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

fn is_cyrillic(c: char) -> bool {
    ('\u{0400}'..='\u{04FF}').contains(&c)
}

/// Latin letters for Cyrillic ones, keeping capitals; other letters pass through.
fn transliterate(text: &str) -> String {
    let mut out = String::with_capacity(text.len() * 2);
    let mut word_start = true;
    let mut prev_lower: Option<char> = None;
    for c in text.chars() {
        let lower = c.to_lowercase().next().unwrap_or(c);
        let mapped: &str = match lower {
            'а' => "a",
            'б' => "b",
            'в' => "v",
            // "зг" is written "zgh" so it is not read as "zh".
            'г' if prev_lower == Some('з') => "gh",
            'г' => "h",
            'ґ' => "g",
            'д' => "d",
            'е' | 'э' => "e",
            'є' if word_start => "ye",
            'є' => "ie",
            'ж' => "zh",
            'з' => "z",
            'и' | 'ы' => "y",
            'і' => "i",
            'ї' if word_start => "yi",
            'ї' => "i",
            'й' if word_start => "y",
            'й' => "i",
            'к' => "k",
            'л' => "l",
            'м' => "m",
            'н' => "n",
            'о' => "o",
            'п' => "p",
            'р' => "r",
            'с' => "s",
            'т' => "t",
            'у' => "u",
            'ф' => "f",
            'х' => "kh",
            'ц' => "ts",
            'ч' => "ch",
            'ш' => "sh",
            'щ' => "shch",
            'ь' | 'ъ' | '\'' | '’' | 'ʼ' => "",
            'ю' if word_start => "yu",
            'ю' => "iu",
            'я' if word_start => "ya",
            'я' => "ia",
            'ё' => "io",
            'à' | 'á' | 'â' | 'ä' | 'ã' | 'å' | 'ą' => "a",
            'ç' | 'ć' | 'č' => "c",
            'è' | 'é' | 'ê' | 'ë' | 'ę' | 'ě' => "e",
            'ì' | 'í' | 'î' | 'ï' => "i",
            'ł' => "l",
            'ñ' | 'ń' | 'ň' => "n",
            'ò' | 'ó' | 'ô' | 'ö' | 'õ' | 'ø' => "o",
            'ś' | 'š' | 'ș' => "s",
            'ù' | 'ú' | 'û' | 'ü' | 'ů' => "u",
            'ý' | 'ÿ' => "y",
            'ź' | 'ż' | 'ž' => "z",
            'ß' => "ss",
            _ if c.is_ascii() => {
                out.push(c);
                let other = lower;
                word_start = !other.is_ascii_alphanumeric();
                prev_lower = Some(other);
                continue;
            }
            _ => " ",
        };
        if c.is_uppercase() {
            let mut chars = mapped.chars();
            if let Some(first) = chars.next() {
                out.extend(first.to_uppercase());
                out.push_str(chars.as_str());
            }
        } else {
            out.push_str(mapped);
        }
        // Apostrophes and soft signs sit inside words.
        word_start = mapped == " ";
        prev_lower = Some(lower);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn transliterates_ukrainian_by_the_national_system() {
        assert_eq!(slugify("Київ"), "kyiv");
        assert_eq!(slugify("Згорани"), "zghorany");
        assert_eq!(
            slugify("Щастя та Юлія в Ялті"),
            "shchastia-ta-yuliia-v-yalti"
        );
        assert_eq!(
            slugify("Знам'янка, Їжакевич, Єнакієве"),
            "znamianka-yizhakevych-yenakiieve"
        );
        assert_eq!(slugify("Ґудзь і Харків"), "gudz-i-kharkiv");
    }

    #[test]
    fn keeps_english_readable() {
        assert_eq!(
            slugify("  EU agrees €50bn — for Ukraine's grid! "),
            "eu-agrees-50bn-for-ukraines-grid"
        );
        assert_eq!(slugify("Café déjà vu"), "cafe-deja-vu");
    }

    #[test]
    fn long_titles_are_cut_at_a_word() {
        let slug = slugify(&"дуже довгий заголовок ".repeat(20));
        assert!(slug.len() <= MAX_SLUG_LEN);
        assert!(!slug.ends_with('-'));
        assert!(is_valid_slug(&slug));
    }

    #[test]
    fn names_read_in_latin_on_english_pages() {
        let en = crate::i18n::Locale::built_in("en").unwrap();
        let uk = crate::i18n::Locale::built_in("uk").unwrap();
        let pl = crate::i18n::Locale::built_in("pl").unwrap();
        assert_eq!(display_name("Ірина Бондар", &en), "Iryna Bondar");
        assert_eq!(display_name("Ірина Бондар", &pl), "Iryna Bondar");
        assert_eq!(display_name("Андрій Мельник", &en), "Andrii Melnyk");
        assert_eq!(display_name("Марія Лисенко", &en), "Mariia Lysenko");
        assert_eq!(display_name("Юрій Ящук", &en), "Yurii Yashchuk");
        assert_eq!(display_name("Ірина Бондар", &uk), "Ірина Бондар");
        assert_eq!(display_name("Jane O'Neil", &en), "Jane O'Neil");
    }

    #[test]
    fn validates_slugs() {
        assert!(is_valid_slug("kyiv-2026"));
        assert!(!is_valid_slug("Kyiv"));
        assert!(!is_valid_slug("-kyiv"));
        assert!(!is_valid_slug("a--b"));
        assert!(!is_valid_slug("../etc"));
        assert!(!is_valid_slug(""));
    }
}
