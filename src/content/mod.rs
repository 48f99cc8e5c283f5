//! Turning what staff write into what readers see: Markdown, embeds, slugs.

pub mod embed;
pub mod markdown;
pub mod slug;
pub mod stem;

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

/// The path on this site that `value` names, as a browser would read it, or
/// `None` if a browser would go to another host. Decided by the WHATWG URL
/// parser (the one browsers follow), so `/\\evil.example/p.gif`, a tab in
/// `//`, or `/%2F` tricks cannot pass for a local path; the result is the
/// parser's normalized path, which means the same to every reader.
pub fn local_path(value: &str) -> Option<String> {
    const BASE: &str = "https://site.invalid/";
    if !value.starts_with('/') {
        return None;
    }
    let base = url::Url::parse(BASE).ok()?;
    let parsed = base.join(value).ok()?;
    if parsed.scheme() != "https"
        || parsed.host_str() != Some("site.invalid")
        || parsed.port().is_some()
    {
        return None;
    }
    let mut path = parsed.path().to_owned();
    if !path.starts_with('/') || path.starts_with("//") {
        return None;
    }
    if let Some(query) = parsed.query() {
        path.push('?');
        path.push_str(query);
    }
    Some(path)
}

/// Escapes text for HTML element content and quoted attributes.
pub fn escape_html(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
        .replace('\'', "&#39;")
}
