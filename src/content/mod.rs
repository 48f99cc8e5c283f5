//! Turning what staff write into what readers see: Markdown, embeds, slugs,
//! interface words and dates.

pub mod embed;
pub mod i18n;
pub mod markdown;
pub mod slug;

/// Whether XML 1.0 allows this character at all (its `Char` production).
/// U+FFFE, U+FFFF and most control characters are not allowed even escaped.
pub fn is_xml_char(c: char) -> bool {
    matches!(c, '\t' | '\n' | '\r' | '\u{20}'..='\u{D7FF}' | '\u{E000}'..='\u{FFFD}' | '\u{10000}'..)
}

/// Drops characters XML forbids, so a feed or sitemap always parses.
pub fn xml_safe(text: String) -> String {
    if text.chars().all(is_xml_char) {
        text
    } else {
        text.chars().filter(|c| is_xml_char(*c)).collect()
    }
}

/// Escapes text for HTML element content and quoted attributes.
pub fn escape_html(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
        .replace('\'', "&#39;")
}
