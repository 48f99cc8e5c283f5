//! Turning what staff write into what readers see: Markdown, embeds, slugs,
//! interface words and dates.

pub mod embed;
pub mod i18n;
pub mod markdown;
pub mod slug;

/// Escapes text for HTML element content and quoted attributes.
pub fn escape_html(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
        .replace('\'', "&#39;")
}
