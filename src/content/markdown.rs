//! Article bodies: Markdown to HTML, sanitized with an allow-list, with
//! privacy-friendly embeds.
//!
//! Authors' text is hostile until sanitized. Embed placeholders are built by
//! us after sanitizing, from URLs we parsed and validated ourselves.

use std::collections::{HashMap, HashSet};
use std::sync::LazyLock;

use pulldown_cmark::{Event, HeadingLevel, Options, Parser, Tag, TagEnd, html};

use super::embed::{Embed, render_embed};

static SANITIZER: LazyLock<ammonia::Builder<'static>> = LazyLock::new(build_sanitizer);

fn build_sanitizer() -> ammonia::Builder<'static> {
    let tags: HashSet<&str> = [
        "a",
        "abbr",
        "b",
        "blockquote",
        "br",
        "caption",
        "code",
        "del",
        "div",
        "em",
        "figcaption",
        "figure",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "hr",
        "i",
        "img",
        "li",
        "ol",
        "p",
        "pre",
        "q",
        "s",
        "small",
        "strong",
        "sub",
        "sup",
        "table",
        "tbody",
        "td",
        "th",
        "thead",
        "tr",
        "u",
        "ul",
    ]
    .into_iter()
    .collect();
    let mut tag_attributes: HashMap<&str, HashSet<&str>> = HashMap::new();
    tag_attributes.insert("a", ["href", "title", "id"].into_iter().collect());
    tag_attributes.insert(
        "img",
        ["src", "alt", "title", "width", "height"]
            .into_iter()
            .collect(),
    );
    tag_attributes.insert(
        "th",
        ["align", "colspan", "rowspan", "scope"]
            .into_iter()
            .collect(),
    );
    tag_attributes.insert("td", ["align", "colspan", "rowspan"].into_iter().collect());
    tag_attributes.insert("div", ["id", "class"].into_iter().collect());
    tag_attributes.insert("sup", ["class"].into_iter().collect());
    tag_attributes.insert("ol", ["start"].into_iter().collect());
    let mut builder = ammonia::Builder::default();
    builder
        .tags(tags)
        .tag_attributes(tag_attributes)
        .generic_attributes(["lang"].into_iter().collect())
        .url_schemes(["http", "https", "mailto", "tel"].into_iter().collect())
        .link_rel(Some("noopener noreferrer"))
        .attribute_filter(|element, attribute, value| match (element, attribute) {
            // Footnote anchors are the only ids we let through.
            (_, "id") if value.starts_with("fn-") || value.starts_with("fnref-") => {
                Some(value.into())
            }
            (_, "id") => None,
            ("div", "class") if value == "footnote" => Some(value.into()),
            ("sup", "class") if value == "footnote-ref" => Some(value.into()),
            (_, "class") => None,
            // Images only from our own media: a remote image is a third-party request.
            ("img", "src") => super::local_path(value).map(Into::into),
            _ => Some(value.into()),
        });
    builder
}

/// Renders an article body to safe HTML. `locale` gives the words on embed placeholders.
pub fn render_body(markdown: &str, locale: &crate::i18n::Locale) -> String {
    let nonce = format!("ndembed{:016x}", rand::random::<u64>());
    let (text, embeds) = extract_embeds(markdown, &nonce);
    let mut options = Options::empty();
    options.insert(Options::ENABLE_TABLES);
    options.insert(Options::ENABLE_FOOTNOTES);
    options.insert(Options::ENABLE_STRIKETHROUGH);
    let mut footnotes: Vec<String> = Vec::new();
    let parsed: Vec<Event> = Parser::new_ext(&text, options).collect();
    // Headings in a body sit below the page's h1: the body's top level becomes h2.
    let top = parsed
        .iter()
        .filter_map(|e| match e {
            Event::Start(Tag::Heading { level, .. }) => Some(*level as usize),
            _ => None,
        })
        .min()
        .unwrap_or(2);
    let shift = |level: HeadingLevel| heading_level(level as usize + 2 - top);
    let events = parsed.into_iter().map(|event| match event {
        Event::FootnoteReference(name) => {
            let number = footnote_number(&mut footnotes, &name);
            Event::Html(
                format!(
                    "<sup class=\"footnote-ref\"><a href=\"#fn-{number}\" id=\"fnref-{number}\">{number}</a></sup>"
                )
                .into(),
            )
        }
        Event::Start(Tag::FootnoteDefinition(name)) => {
            let number = footnote_number(&mut footnotes, &name);
            Event::Html(format!("<div class=\"footnote\" id=\"fn-{number}\"><sup>{number}</sup> ").into())
        }
        Event::End(TagEnd::FootnoteDefinition) => Event::Html("</div>".into()),
        Event::Start(Tag::Heading { level, id, classes, attrs }) => Event::Start(Tag::Heading {
            level: shift(level),
            id,
            classes,
            attrs,
        }),
        Event::End(TagEnd::Heading(level)) => Event::End(TagEnd::Heading(shift(level))),
        other => other,
    });
    let mut unsafe_html = String::with_capacity(text.len() * 3 / 2);
    html::push_html(&mut unsafe_html, events);
    let mut safe = without_sourceless_images(&SANITIZER.clean(&unsafe_html).to_string());
    for (index, embed) in embeds.iter().enumerate() {
        let marker = format!("<p>{nonce}-{index}</p>");
        safe = safe.replacen(&marker, &render_embed(embed, locale), 1);
    }
    safe
}

fn heading_level(level: usize) -> HeadingLevel {
    match level {
        0..=2 => HeadingLevel::H2,
        3 => HeadingLevel::H3,
        4 => HeadingLevel::H4,
        5 => HeadingLevel::H5,
        _ => HeadingLevel::H6,
    }
}

fn footnote_number(footnotes: &mut Vec<String>, name: &str) -> usize {
    match footnotes.iter().position(|n| n == name) {
        Some(i) => i + 1,
        None => {
            footnotes.push(name.to_owned());
            footnotes.len()
        }
    }
}

/// Replaces each paragraph that is only a supported post URL with a marker.
fn extract_embeds(markdown: &str, nonce: &str) -> (String, Vec<Embed>) {
    let lines: Vec<&str> = markdown.lines().collect();
    let mut out = String::with_capacity(markdown.len());
    let mut embeds = Vec::new();
    for (i, line) in lines.iter().enumerate() {
        let alone = (i == 0 || lines[i - 1].trim().is_empty())
            && lines.get(i + 1).is_none_or(|next| next.trim().is_empty());
        let candidate = line.trim().trim_start_matches('<').trim_end_matches('>');
        match Embed::from_url(candidate) {
            Some(embed) if alone && !line.starts_with("    ") => {
                out.push_str(&format!("{nonce}-{}", embeds.len()));
                embeds.push(embed);
            }
            _ => out.push_str(line),
        }
        out.push('\n');
    }
    (out, embeds)
}

/// Drops `<img>` elements whose address the sanitizer refused (another
/// host's picture): readers would see a broken box. The sanitizer's output
/// is regular, so a plain scan is enough.
fn without_sourceless_images(html: &str) -> String {
    let mut out = String::with_capacity(html.len());
    let mut rest = html;
    while let Some(at) = rest.find("<img") {
        out.push_str(&rest[..at]);
        let tail = &rest[at..];
        let end = tail.find('>').map(|e| e + 1).unwrap_or(tail.len());
        let tag = &tail[..end];
        if tag.contains(" src=\"") {
            out.push_str(tag);
        }
        rest = &tail[end..];
    }
    out.push_str(rest);
    out
}

/// Plain text of a Markdown body, for descriptions and feeds.
pub fn plain_text(markdown: &str, max_chars: usize) -> String {
    let mut text = String::new();
    for event in Parser::new(markdown) {
        match event {
            Event::Text(t) | Event::Code(t) => text.push_str(&t),
            Event::SoftBreak | Event::HardBreak | Event::End(TagEnd::Paragraph) => text.push(' '),
            _ => {}
        }
    }
    truncate_words(
        text.split_whitespace()
            .collect::<Vec<_>>()
            .join(" ")
            .as_str(),
        max_chars,
    )
}

/// Cuts at a word boundary and adds an ellipsis when text is longer than `max_chars`.
pub fn truncate_words(text: &str, max_chars: usize) -> String {
    if text.chars().count() <= max_chars {
        return text.to_owned();
    }
    let cut: String = text.chars().take(max_chars.saturating_sub(1)).collect();
    let cut = match cut.rfind(' ') {
        Some(pos) if pos > cut.len() / 2 => &cut[..pos],
        _ => cut.as_str(),
    };
    format!("{}…", cut.trim_end_matches([',', '.', ';', ':', ' ']))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn locale(code: &str) -> crate::i18n::Locale {
        crate::i18n::Locale::built_in(code).unwrap()
    }

    fn assert_inert(html: &str) {
        let lower = html.to_lowercase();
        for needle in [
            "<script",
            "onerror",
            "onload",
            "onclick",
            "javascript:",
            "data:",
            "<svg",
            "<iframe",
            "<style",
            "style=",
            "<form",
            "<object",
            "<embed",
        ] {
            assert!(!lower.contains(needle), "{needle} survived in {html}");
        }
    }

    #[test]
    fn hostile_bodies_are_neutralised() {
        let hostile = [
            "<script>alert(1)</script>",
            "<img src=x onerror=alert(1)>",
            "[click](javascript:alert(1))",
            "[click](JaVaScRiPt:alert(1))",
            "<a href=\"javascript&colon;alert(1)\">x</a>",
            "<svg><script>alert(1)</script></svg>",
            "<svg onload=alert(1)><circle r=5/></svg>",
            "<iframe src=\"https://evil.example\"></iframe>",
            "<p style=\"background:url(javascript:alert(1))\">x</p>",
            "<style>body{display:none}</style>",
            "![x](data:image/svg+xml;base64,PHN2ZyBvbmxvYWQ9YWxlcnQoMSk+)",
            "<a href=\"data:text/html,<script>alert(1)</script>\">x</a>",
            "<form action=\"https://evil.example\"><input name=a></form>",
            "<object data=\"x.swf\"></object><embed src=\"x.swf\">",
            "<div onclick=\"alert(1)\" class=\"embed\">x</div>",
        ];
        for body in hostile {
            let html = render_body(body, &locale("en"));
            assert_inert(&html);
        }
    }

    #[test]
    fn images_that_browsers_read_as_another_host_are_dropped() {
        for hostile in [
            "/\\evil.example/p.gif",
            "/\tevil.example/p.gif",
            "/\t/evil.example/p.gif",
            "//evil.example/p.gif",
            "/%09/evil.example/p.gif",
            "\\\\evil.example/p.gif",
        ] {
            let html = render_body(&format!("<img src=\"{hostile}\" alt=\"x\">"), &locale("en"));
            assert!(
                !html.contains("evil.example\"")
                    && !html.contains("src=\"//")
                    && !html.contains("src=\"/\\"),
                "{hostile}: {html}"
            );
            if let Some(start) = html.find("src=\"") {
                let src: String = html[start + 5..]
                    .chars()
                    .take_while(|c| *c != '"')
                    .collect();
                let resolved = url::Url::parse("https://news.example.org/a/")
                    .and_then(|base| base.join(&src.replace("&amp;", "&")))
                    .unwrap_or_else(|e| panic!("{e}"));
                assert_eq!(
                    resolved.host_str(),
                    Some("news.example.org"),
                    "{hostile}: {html}"
                );
            }
        }
    }

    #[test]
    fn remote_images_are_dropped_local_kept() {
        let html = render_body(
            "![a](https://tracker.example/p.gif) ![b](/media/b.jpg)",
            &locale("en"),
        );
        assert!(!html.contains("tracker.example"), "{html}");
        assert!(html.contains("src=\"/media/b.jpg\""), "{html}");
        assert_eq!(html.matches("<img").count(), 1, "no broken box: {html}");
    }

    #[test]
    fn commonmark_tables_and_footnotes() {
        let html = render_body(
            "# Title\n\nText with a note.[^a]\n\n| City | Power |\n|---|---|\n| Kyiv | 12h |\n\n[^a]: The note.\n",
            &locale("en"),
        );
        assert!(html.contains("<h2>Title</h2>"), "{html}");
        let only_h3 = render_body("### Sub\n\ntext\n\n#### Deeper", &locale("en"));
        assert!(
            only_h3.contains("<h2>Sub</h2>") && only_h3.contains("<h3>Deeper</h3>"),
            "{only_h3}"
        );
        assert!(html.contains("<table>"), "{html}");
        assert!(html.contains("<td>Kyiv</td>"), "{html}");
        assert!(html.contains("href=\"#fn-1\""), "{html}");
        assert!(html.contains("id=\"fn-1\""), "{html}");
    }

    #[test]
    fn links_get_rel_noopener() {
        let html = render_body("[FT](https://www.ft.com/content/x)", &locale("en"));
        assert!(html.contains("rel=\"noopener noreferrer\""), "{html}");
    }

    #[test]
    fn url_alone_on_a_line_becomes_click_to_load_embed() {
        let html = render_body(
            "Before.\n\nhttps://www.youtube.com/watch?v=dQw4w9WgXcQ\n\nAfter https://youtu.be/dQw4w9WgXcQ inline.",
            &locale("uk"),
        );
        assert!(
            html.contains("data-embed-src=\"https://www.youtube-nocookie.com/embed/dQw4w9WgXcQ\""),
            "{html}"
        );
        assert!(!html.contains("<iframe"), "{html}");
        assert_eq!(html.matches("class=\"embed ").count(), 1, "{html}");
    }

    #[test]
    fn a_forged_marker_stays_text() {
        let html = render_body("ndembed0000000000000000-0", &locale("en"));
        assert!(!html.contains("embed "), "{html}");
    }

    #[test]
    fn plain_text_and_truncation() {
        assert_eq!(
            plain_text("**Bold** and [link](https://x.org).\n\nNext.", 100),
            "Bold and link. Next."
        );
        let cut = truncate_words("one two three four five", 12);
        assert!(cut.chars().count() <= 12, "{cut}");
        assert!(cut.ends_with('…'));
    }
}
