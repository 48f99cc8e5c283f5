//! Other systems' article bodies into newsdesk's Markdown + embed model.
//!
//! WordPress bodies are classic HTML with blank-line paragraphs, block
//! markup (`<!-- wp:… -->` around HTML), shortcodes, or all three. Ghost
//! bodies are HTML with "cards". Both become Markdown; an embed of a
//! supported provider becomes its URL alone on a line (a click-to-load embed
//! when rendered); figures stay as HTML, which the renderer sanitizes.
//! Whatever has no equivalent is named in [`Converted::unconverted`] so the
//! import report lists it: nothing is dropped silently.

use std::collections::{BTreeMap, HashMap};
use std::sync::LazyLock;

use crate::content::embed::Embed;
use crate::content::escape_html;

/// A body after conversion, with what could not be carried over.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Converted {
    pub markdown: String,
    /// Short descriptions ("shortcode [contact-form]", "iframe from maps.example.com").
    pub unconverted: Vec<String>,
}

/// An image of the source site's media library, for galleries.
#[derive(Clone, Debug, Default)]
pub struct Attachment {
    pub url: String,
    pub alt: String,
    pub caption: String,
    /// The post it was uploaded to, if any.
    pub parent: Option<String>,
}

/// The media library: attachment id → image.
pub type Attachments = HashMap<String, Attachment>;

/// A WordPress `post_content` (classic, block or mixed) as Markdown.
pub fn wordpress(content: &str, post_id: &str, attachments: &Attachments) -> Converted {
    let mut unconverted = Vec::new();
    let mut embeds = Vec::new();
    let blocks_done = wordpress_blocks(content, &mut embeds);
    let shortcodes_done = shortcodes(
        &blocks_done,
        post_id,
        attachments,
        &mut embeds,
        &mut unconverted,
    );
    let html = autop(&shortcodes_done, &mut embeds);
    finish(&html, embeds, unconverted)
}

/// A Ghost post's `html` as Markdown.
pub fn ghost(html: &str) -> Converted {
    let mut embeds = Vec::new();
    let marked = iframes_to_embeds(html, &mut embeds);
    finish(&marked, embeds, Vec::new())
}

/// Converts HTML whose embeds are already placeholders, then puts the
/// embed URLs back on their own lines.
fn finish(html: &str, embeds: Vec<String>, mut unconverted: Vec<String>) -> Converted {
    unconverted.extend(unconvertible_elements(html));
    let mut markdown = CONVERTER
        .convert(html)
        .unwrap_or_else(|_| escape_html(html));
    for (index, url) in embeds.iter().enumerate() {
        markdown = markdown.replace(&placeholder(index), url);
    }
    Converted {
        markdown: tidy(&markdown),
        unconverted,
    }
}

static CONVERTER: LazyLock<htmd::HtmlToMarkdown> = LazyLock::new(|| {
    htmd::HtmlToMarkdown::builder()
        .options(htmd::options::Options {
            bullet_list_marker: htmd::options::BulletListMarker::Dash,
            ul_bullet_spacing: 1,
            ol_number_spacing: 1,
            ..Default::default()
        })
        .skip_tags(vec![
            "script", "style", "noscript", "form", "button", "input",
        ])
        .add_handler(vec!["figure"], keep_figure)
        .build()
});

/// Figures stay HTML (an image with its caption); the renderer's sanitizer
/// keeps `figure`, `img` and `figcaption` and drops everything else.
fn keep_figure(
    handlers: &dyn htmd::element_handler::Handlers,
    element: htmd::Element,
) -> Option<htmd::element_handler::HandlerResult> {
    let mut images = Vec::new();
    let mut caption = String::new();
    collect_figure(element.node, &mut images, &mut caption);
    if images.is_empty() {
        // Not a picture (an embed card, a quote): its content as usual.
        let inner = handlers.walk_children(element.node).content;
        return Some(format!("\n\n{}\n\n", inner.trim()).into());
    }
    let mut html = String::from("\n\n<figure>");
    for (src, alt) in &images {
        html.push_str(&format!(
            "<img src=\"{}\" alt=\"{}\">",
            escape_html(src),
            escape_html(alt)
        ));
    }
    let caption = caption.split_whitespace().collect::<Vec<_>>().join(" ");
    if !caption.is_empty() {
        html.push_str(&format!(
            "<figcaption>{}</figcaption>",
            escape_html(&caption)
        ));
    }
    html.push_str("</figure>\n\n");
    Some(html.into())
}

fn collect_figure(
    node: &std::rc::Rc<markup5ever_rcdom::Node>,
    images: &mut Vec<(String, String)>,
    caption: &mut String,
) {
    use markup5ever_rcdom::NodeData;
    for child in node.children.borrow().iter() {
        match &child.data {
            NodeData::Element { name, attrs, .. } if &*name.local == "img" => {
                let attr = |key: &str| {
                    attrs
                        .borrow()
                        .iter()
                        .find(|a| &*a.name.local == key)
                        .map(|a| a.value.to_string())
                        .unwrap_or_default()
                };
                images.push((attr("src"), attr("alt")));
            }
            NodeData::Element { name, .. } if &*name.local == "figcaption" => {
                text_of(child, caption);
            }
            NodeData::Element { .. } => collect_figure(child, images, caption),
            _ => {}
        }
    }
}

fn text_of(node: &std::rc::Rc<markup5ever_rcdom::Node>, out: &mut String) {
    use markup5ever_rcdom::NodeData;
    for child in node.children.borrow().iter() {
        match &child.data {
            NodeData::Text { contents } => out.push_str(&contents.borrow()),
            NodeData::Element { .. } => text_of(child, out),
            _ => {}
        }
    }
}

fn placeholder(index: usize) -> String {
    format!("NDIMPORTEMBED{index}X")
}

/// An embed's URL, kept aside as a placeholder paragraph.
fn embed_paragraph(url: &str, embeds: &mut Vec<String>) -> String {
    embeds.push(url.trim().to_owned());
    format!("\n\n<p>{}</p>\n\n", placeholder(embeds.len() - 1))
}

/// Block markup: embeds become placeholders, block comments go (their HTML
/// stays), `<!--more-->` and `<!--nextpage-->` go.
fn wordpress_blocks(content: &str, embeds: &mut Vec<String>) -> String {
    let mut out = String::with_capacity(content.len());
    let mut rest = content;
    while let Some(start) = rest.find("<!--") {
        out.push_str(&rest[..start]);
        let after = &rest[start + 4..];
        let Some(end) = after.find("-->") else {
            rest = "";
            break;
        };
        let comment = after[..end].trim();
        rest = &after[end + 3..];
        let Some(block) = comment.strip_prefix("wp:") else {
            continue;
        };
        let name = block.split_whitespace().next().unwrap_or("");
        if name == "embed" || name.starts_with("core-embed/") {
            let url = block_attribute(block, "url");
            let closing = format!("<!-- /wp:{name} -->");
            let inner_end = rest.find(&closing);
            let inner = inner_end.map(|e| &rest[..e]).unwrap_or("");
            let url = url.or_else(|| {
                inner
                    .split(|c: char| c.is_whitespace() || c == '<' || c == '>')
                    .find(|w| w.starts_with("https://") || w.starts_with("http://"))
                    .map(str::to_owned)
            });
            if let (Some(url), Some(e)) = (url, inner_end) {
                out.push_str(&embed_paragraph(&url, embeds));
                rest = &rest[e + closing.len()..];
            }
        }
    }
    out.push_str(rest);
    out
}

/// A string attribute of a block comment's JSON (`{"url":"…"}`).
fn block_attribute(block: &str, key: &str) -> Option<String> {
    let json = &block[block.find('{')?..=block.rfind('}')?];
    let value: serde_json::Value = serde_json::from_str(json).ok()?;
    value.get(key)?.as_str().map(str::to_owned)
}

/// Shortcodes WordPress core and WordPress.com expand.
fn shortcodes(
    content: &str,
    post_id: &str,
    attachments: &Attachments,
    embeds: &mut Vec<String>,
    unconverted: &mut Vec<String>,
) -> String {
    let mut out = String::with_capacity(content.len());
    let mut rest = content;
    while let Some(open) = rest.find('[') {
        out.push_str(&rest[..open]);
        let tail = &rest[open..];
        let Some(code) = Shortcode::parse(tail) else {
            out.push('[');
            rest = &tail[1..];
            continue;
        };
        rest = &tail[code.length..];
        match code.name.as_str() {
            "caption" | "wp_caption" => out.push_str(&caption_figure(&code)),
            "gallery" => out.push_str(&gallery_figure(&code, post_id, attachments, unconverted)),
            "embed" => out.push_str(&embed_paragraph(&code.inner, embeds)),
            "youtube" | "tweet" | "vimeo" => {
                let url = code
                    .attributes
                    .get("url")
                    .cloned()
                    .or_else(|| code.attributes.get("").cloned())
                    .unwrap_or_else(|| code.inner.clone());
                out.push_str(&embed_paragraph(&url, embeds));
            }
            "audio" | "video" => {
                let url = ["src", "mp3", "mp4", "m4a", "ogg", "wav", "webm"]
                    .iter()
                    .find_map(|k| code.attributes.get(*k))
                    .cloned()
                    .unwrap_or_default();
                if url.is_empty() {
                    unconverted.push(format!("shortcode [{}] without a file", code.name));
                } else {
                    let label = if code.name == "audio" {
                        "Audio"
                    } else {
                        "Video"
                    };
                    out.push_str(&format!(
                        "\n\n<p><a href=\"{}\">{label}</a></p>\n\n",
                        escape_html(&url)
                    ));
                }
            }
            other => {
                // Kept as text so nothing is lost; named in the report.
                unconverted.push(format!("shortcode [{other}]"));
                out.push_str(&tail[..code.length]);
            }
        }
    }
    out.push_str(rest);
    out
}

#[derive(Debug)]
struct Shortcode {
    name: String,
    attributes: BTreeMap<String, String>,
    inner: String,
    /// Bytes from `[` to the end of the closing tag (or of the opening one).
    length: usize,
}

impl Shortcode {
    /// A shortcode at the start of `text`: `[name attrs]`, optionally with
    /// `inner[/name]`. Text in brackets that is not shaped so ("[sic]",
    /// "[1]") is not a shortcode unless it is a known one.
    fn parse(text: &str) -> Option<Shortcode> {
        let close = text.find(']')?;
        let head = &text[1..close];
        if head.len() > 2000 || head.contains('[') || head.contains('\n') {
            return None;
        }
        let name: String = head
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric() || *c == '_' || *c == '-')
            .collect();
        if name.is_empty() || !name.starts_with(|c: char| c.is_ascii_lowercase()) {
            return None;
        }
        let rest_of_head = &head[name.len()..];
        if !(rest_of_head.is_empty()
            || rest_of_head.starts_with(' ')
            || rest_of_head.starts_with('='))
        {
            return None;
        }
        let attributes = parse_attributes(rest_of_head.trim_start_matches('='));
        let known = KNOWN_SHORTCODES.contains(&name.as_str());
        let closing = format!("[/{name}]");
        let after = &text[close + 1..];
        let (inner, length) = match after.find(&closing) {
            Some(end) => (after[..end].to_owned(), close + 1 + end + closing.len()),
            None => (String::new(), close + 1),
        };
        // Unknown bracketed words count only when they look like code.
        if !known && attributes.is_empty() && inner.is_empty() {
            return None;
        }
        Some(Shortcode {
            name,
            attributes,
            inner,
            length,
        })
    }
}

const KNOWN_SHORTCODES: &[&str] = &[
    "caption",
    "wp_caption",
    "gallery",
    "embed",
    "audio",
    "video",
    "playlist",
    "youtube",
    "vimeo",
    "tweet",
];

/// `key="value" key='value' key=value bare` → map; a bare first value
/// (`[youtube https://…]`, `[youtube=https://…]`) is stored under "".
fn parse_attributes(text: &str) -> BTreeMap<String, String> {
    let mut map = BTreeMap::new();
    let mut rest = text.trim();
    while !rest.is_empty() {
        let key_end = rest
            .find(|c: char| c == '=' || c.is_whitespace())
            .unwrap_or(rest.len());
        let key = &rest[..key_end];
        let after_key = &rest[key_end..];
        if let Some(value_part) = after_key.strip_prefix('=') {
            let (value, remaining) = quoted(value_part);
            map.insert(key.to_ascii_lowercase(), value);
            rest = remaining.trim_start();
        } else {
            let (value, remaining) = quoted(rest);
            map.entry(String::new()).or_insert(value);
            rest = remaining.trim_start();
        }
    }
    map
}

fn quoted(text: &str) -> (String, &str) {
    for quote in ['"', '\'', '\u{201d}', '\u{2033}'] {
        if let Some(inner) = text.strip_prefix(quote) {
            let end = inner.find(quote).unwrap_or(inner.len());
            let rest = inner.get(end + quote.len_utf8()..).unwrap_or("");
            return (inner[..end].to_owned(), rest);
        }
    }
    let end = text.find(char::is_whitespace).unwrap_or(text.len());
    (text[..end].to_owned(), &text[end..])
}

/// `[caption]<a><img></a> Text[/caption]` → a figure with its caption.
fn caption_figure(code: &Shortcode) -> String {
    let inner = &code.inner;
    // The image (and the link around it) ends at the first `>` after
    // `<img`, plus a closing `</a>` right after; the rest is the caption.
    let image_end = inner
        .find("<img")
        .and_then(|at| inner[at..].find('>').map(|end| at + end + 1))
        .map(|end| {
            let after = &inner[end..];
            match after.trim_start().strip_prefix("</a>") {
                Some(rest) => inner.len() - rest.len(),
                None => end,
            }
        })
        .unwrap_or(0);
    let (image, text) = inner.split_at(image_end);
    let caption = code
        .attributes
        .get("caption")
        .cloned()
        .unwrap_or_else(|| text.trim().to_owned());
    format!("\n\n<figure>{image}<figcaption>{caption}</figcaption></figure>\n\n")
}

/// `[gallery ids="1,2"]` (or the post's own attachments) → one figure.
fn gallery_figure(
    code: &Shortcode,
    post_id: &str,
    attachments: &Attachments,
    unconverted: &mut Vec<String>,
) -> String {
    let images: Vec<&Attachment> = match code.attributes.get("ids") {
        Some(ids) => ids
            .split(',')
            .filter_map(|id| attachments.get(id.trim()))
            .collect(),
        None => {
            let mut own: Vec<(&String, &Attachment)> = attachments
                .iter()
                .filter(|(_, a)| a.parent.as_deref() == Some(post_id))
                .collect();
            own.sort_by_key(|(id, _)| id.parse::<u64>().unwrap_or(u64::MAX));
            own.into_iter().map(|(_, a)| a).collect()
        }
    };
    if images.is_empty() {
        unconverted.push("shortcode [gallery] whose images are not in the file".into());
        return String::new();
    }
    let mut html = String::from("\n\n<figure>");
    for image in images {
        html.push_str(&format!(
            "<img src=\"{}\" alt=\"{}\">",
            escape_html(&image.url),
            escape_html(&image.alt)
        ));
    }
    html.push_str("</figure>\n\n");
    html
}

const BLOCK_TAGS: &[&str] = &[
    "address",
    "article",
    "aside",
    "blockquote",
    "dd",
    "div",
    "dl",
    "dt",
    "fieldset",
    "figcaption",
    "figure",
    "footer",
    "form",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "header",
    "hr",
    "iframe",
    "li",
    "ol",
    "p",
    "pre",
    "section",
    "table",
    "tbody",
    "td",
    "tfoot",
    "th",
    "thead",
    "tr",
    "ul",
    "audio",
    "video",
    "script",
    "style",
    "!--",
];

/// WordPress's `wpautop`: blank lines make paragraphs, single newlines
/// inside a paragraph are line breaks; chunks that start with a block tag
/// are left alone. A URL alone in a paragraph is WordPress's oEmbed.
fn autop(text: &str, embeds: &mut Vec<String>) -> String {
    let normalized = text.replace("\r\n", "\n");
    let mut out = String::with_capacity(normalized.len() + 64);
    for chunk in normalized.split("\n\n") {
        let chunk = chunk.trim();
        if chunk.is_empty() {
            continue;
        }
        if Embed::from_url(chunk).is_some()
            || (chunk.starts_with("https://") && !chunk.contains(char::is_whitespace))
        {
            out.push_str(&embed_paragraph(chunk, embeds));
            continue;
        }
        let starts_block = chunk.strip_prefix('<').is_some_and(|tag| {
            let name: String = tag
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric() || *c == '!' || *c == '-')
                .collect::<String>()
                .to_ascii_lowercase();
            BLOCK_TAGS.contains(&name.as_str())
        });
        if starts_block {
            out.push_str(chunk);
        } else {
            out.push_str("<p>");
            out.push_str(&chunk.replace('\n', "<br>"));
            out.push_str("</p>");
        }
        out.push_str("\n\n");
    }
    iframes_to_embeds(&out, embeds)
}

/// `<iframe src="https://www.youtube.com/embed/…">` → a placeholder for the
/// provider's post URL; other iframes are left for the report.
fn iframes_to_embeds(html: &str, embeds: &mut Vec<String>) -> String {
    let mut out = String::with_capacity(html.len());
    let mut rest = html;
    while let Some(start) = rest.find("<iframe") {
        out.push_str(&rest[..start]);
        let tail = &rest[start..];
        let end = tail
            .find("</iframe>")
            .map(|e| e + "</iframe>".len())
            .or_else(|| tail.find('>').map(|e| e + 1))
            .unwrap_or(tail.len());
        let tag = &tail[..end];
        let src = attribute(tag, "src").unwrap_or_default();
        let src = if src.starts_with("//") {
            format!("https:{src}")
        } else {
            src
        };
        match Embed::from_url(src.split('?').next().unwrap_or("")) {
            Some(embed) => out.push_str(&embed_paragraph(&embed.url, embeds)),
            None => out.push_str(tag),
        }
        rest = &tail[end..];
    }
    out.push_str(rest);
    out
}

/// The value of `name="…"` in an HTML tag's text.
fn attribute(tag: &str, name: &str) -> Option<String> {
    let key = format!("{name}=");
    let at = tag.find(&key)? + key.len();
    let (value, _) = quoted(&tag[at..]);
    Some(value.replace("&amp;", "&"))
}

/// Elements a newsdesk page cannot show, named for the report.
fn unconvertible_elements(html: &str) -> Vec<String> {
    let lower = html.to_ascii_lowercase();
    let mut found = Vec::new();
    for tag in [
        "iframe", "script", "form", "object", "embed", "video", "audio", "canvas", "svg",
    ] {
        let open = format!("<{tag}");
        let mut rest = lower.as_str();
        while let Some(at) = rest.find(&open) {
            let after = &rest[at + open.len()..];
            if after.starts_with(|c: char| c.is_whitespace() || c == '>' || c == '/') {
                let end = after.find('>').unwrap_or(after.len());
                let detail = attribute(&after[..end], "src")
                    .and_then(|src| url::Url::parse(&src).ok())
                    .and_then(|u| u.host_str().map(|h| format!(" from {h}")))
                    .unwrap_or_default();
                found.push(format!("<{tag}>{detail}"));
            }
            rest = after;
        }
    }
    found
}

/// A table's delimiter row with an empty cell (`| --- |  |`, from an empty
/// header cell) is not a table to a Markdown reader: give it dashes.
fn mend_table_delimiter(line: &str) -> Option<String> {
    let inner = line.trim().strip_prefix('|')?.strip_suffix('|')?;
    let cells: Vec<&str> = inner.split('|').map(str::trim).collect();
    let is_delimiter = |c: &str| {
        !c.is_empty() && c.trim_matches(':').chars().all(|ch| ch == '-') && c.contains('-')
    };
    if !cells.iter().any(|c| is_delimiter(c))
        || !cells.iter().all(|c| c.is_empty() || is_delimiter(c))
    {
        return None;
    }
    let mended: Vec<&str> = cells
        .iter()
        .map(|c| if c.is_empty() { "---" } else { c })
        .collect();
    Some(format!("| {} |", mended.join(" | ")))
}

/// At most one blank line between blocks, no trailing spaces at the end.
fn tidy(markdown: &str) -> String {
    let mut out = String::with_capacity(markdown.len());
    let mut blank = 0;
    for line in markdown.lines() {
        let mended = mend_table_delimiter(line);
        let line = mended.as_deref().unwrap_or(line);
        if line.trim().is_empty() {
            blank += 1;
            continue;
        }
        if !out.is_empty() {
            out.push_str(if blank > 0 { "\n\n" } else { "\n" });
        }
        blank = 0;
        out.push_str(line.trim_end_matches(|c: char| c == ' ' && !line.ends_with("  ")));
    }
    out
}

/// Text of a fragment of HTML (a title, an excerpt): tags dropped,
/// entities decoded, whitespace collapsed. Markdown characters stay as they
/// are, since titles are plain text.
pub fn text_of_html(html: &str) -> String {
    let mut text = String::with_capacity(html.len());
    let mut rest = html;
    while let Some(open) = rest.find('<') {
        text.push_str(&rest[..open]);
        match rest[open..].find('>') {
            Some(close) => {
                let tag = rest[open + 1..open + close]
                    .trim_start_matches('/')
                    .split(|c: char| c.is_whitespace() || c == '/')
                    .next()
                    .unwrap_or("")
                    .to_ascii_lowercase();
                if matches!(
                    tag.as_str(),
                    "br" | "p" | "div" | "li" | "h1" | "h2" | "h3" | "h4"
                ) {
                    text.push(' ');
                }
                rest = &rest[open + close + 1..];
            }
            None => {
                text.push_str(&rest[open..]);
                rest = "";
            }
        }
    }
    text.push_str(rest);
    let decoded = decode_entities(&text);
    decoded
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .replace(" ,", ",")
}

fn decode_entities(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(amp) = rest.find('&') {
        out.push_str(&rest[..amp]);
        let tail = &rest[amp..];
        let end = tail.find(';').filter(|e| *e <= 10);
        let decoded = end.and_then(|e| {
            let name = &tail[1..e];
            let c = match name {
                "amp" => '&',
                "lt" => '<',
                "gt" => '>',
                "quot" => '"',
                "apos" => '\'',
                "nbsp" => ' ',
                "hellip" => '…',
                "ndash" => '–',
                "mdash" => '—',
                "lsquo" => '‘',
                "rsquo" => '’',
                "ldquo" => '“',
                "rdquo" => '”',
                "laquo" => '«',
                "raquo" => '»',
                _ => {
                    let number = name.strip_prefix('#')?;
                    let code = match number.strip_prefix(['x', 'X']) {
                        Some(hex) => u32::from_str_radix(hex, 16).ok()?,
                        None => number.parse().ok()?,
                    };
                    char::from_u32(code)?
                }
            };
            Some((c, e))
        });
        match decoded {
            Some((c, e)) => {
                out.push(c);
                rest = &tail[e + 1..];
            }
            None => {
                out.push('&');
                rest = &tail[1..];
            }
        }
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn wp(content: &str) -> Converted {
        wordpress(content, "1", &Attachments::new())
    }

    #[test]
    fn classic_paragraphs_and_line_breaks() {
        let c = wp("First <strong>bold</strong> line\nsecond line\n\nNext paragraph.");
        assert_eq!(
            c.markdown,
            "First **bold** line  \nsecond line\n\nNext paragraph."
        );
        assert!(c.unconverted.is_empty());
    }

    #[test]
    fn block_markup_keeps_its_html_and_loses_its_comments() {
        let c = wp(
            "<!-- wp:heading -->\n<h2>Title</h2>\n<!-- /wp:heading -->\n\n<!-- wp:paragraph -->\n<p>Text with <a href=\"https://example.org/x\">a link</a>.</p>\n<!-- /wp:paragraph -->",
        );
        assert_eq!(
            c.markdown,
            "## Title\n\nText with [a link](https://example.org/x)."
        );
    }

    #[test]
    fn embeds_become_urls_alone_on_a_line() {
        let c = wp(
            "<!-- wp:core-embed/youtube {\"url\":\"https://youtube.com/watch?v=SQEQr7c0-dw\",\"type\":\"video\"} -->\n<figure class=\"wp-block-embed\"><div>\nhttps://youtube.com/watch?v=SQEQr7c0-dw\n</div></figure>\n<!-- /wp:core-embed/youtube -->\n\nhttps://www.youtube.com/watch?v=a_b\n\n[embed]https://x.com/newsroom/status/123[/embed]",
        );
        assert_eq!(
            c.markdown,
            "https://youtube.com/watch?v=SQEQr7c0-dw\n\nhttps://www.youtube.com/watch?v=a_b\n\nhttps://x.com/newsroom/status/123",
            "{:?}",
            c.markdown
        );
        let iframe = ghost(
            "<figure class=\"kg-card kg-embed-card\"><iframe width=\"200\" src=\"https://www.youtube.com/embed/dQw4w9WgXcQ?feature=oembed\"></iframe></figure>",
        );
        assert!(
            iframe
                .markdown
                .contains("https://www.youtube.com/watch?v=dQw4w9WgXcQ"),
            "{}",
            iframe.markdown
        );
    }

    #[test]
    fn captions_and_galleries_become_figures() {
        let linked = wp(
            "[caption id=\"a\" width=\"580\"]<img src=\"/media/a.jpg\" alt=\"A\" /> Look at <a href=\"https://example.org/\">caption</a> love.[/caption]",
        );
        assert_eq!(
            linked.markdown,
            "<figure><img src=\"/media/a.jpg\" alt=\"A\"><figcaption>Look at caption love.</figcaption></figure>"
        );
        let c = wp(
            "[caption id=\"attachment_754\" align=\"alignnone\" width=\"604\"]<a href=\"https://old.example/a.jpg\"><img src=\"https://old.example/a.jpg?w=604\" alt=\"Bell on Wharf\" /></a> Bell on wharf[/caption]",
        );
        assert_eq!(
            c.markdown,
            "<figure><img src=\"https://old.example/a.jpg?w=604\" alt=\"Bell on Wharf\"><figcaption>Bell on wharf</figcaption></figure>"
        );
        let mut library = Attachments::new();
        library.insert(
            "7".into(),
            Attachment {
                url: "https://old.example/b.jpg".into(),
                alt: "B".into(),
                caption: String::new(),
                parent: Some("1".into()),
            },
        );
        let g = wordpress("[gallery columns=\"2\"]", "1", &library);
        assert_eq!(
            g.markdown,
            "<figure><img src=\"https://old.example/b.jpg\" alt=\"B\"></figure>"
        );
    }

    #[test]
    fn what_cannot_be_converted_is_kept_or_named() {
        let c = wp(
            "Before [contact-form to=\"a@b.c\"] after [sic].\n\n<iframe src=\"https://maps.example.com/x\"></iframe>",
        );
        assert!(
            c.markdown.contains("[contact-form to=\"a@b.c\"]")
                || c.markdown.contains("contact-form")
        );
        assert!(c.markdown.contains("sic"));
        assert_eq!(
            c.unconverted,
            vec![
                "shortcode [contact-form]".to_owned(),
                "<iframe> from maps.example.com".to_owned()
            ]
        );
    }

    #[test]
    fn titles_keep_their_characters_and_lose_their_markup() {
        assert_eq!(
            text_of_html("Markup: Title <em>With</em> <b>Mark<sup>up</sup></b>"),
            "Markup: Title With Markup"
        );
        assert_eq!(
            text_of_html(
                "Special ~`!@#$%^&amp;*()-_=+{}[]/\\;:&#039;&quot;,.? &#8220;quoted&#8221;"
            ),
            "Special ~`!@#$%^&*()-_=+{}[]/\\;:'\",.? “quoted”"
        );
    }

    #[test]
    fn tables_with_an_empty_header_cell_stay_tables() {
        let c =
            wp("<table><tr><th>City</th><th></th></tr><tr><td>Kyiv</td><td>12h</td></tr></table>");
        let html = crate::content::markdown::render_body(
            &c.markdown,
            &crate::i18n::Locale::built_in("en").unwrap(),
        );
        assert!(html.contains("<table>"), "{}\n{html}", c.markdown);
        assert!(html.contains("<td>Kyiv</td>"), "{html}");
    }

    #[test]
    fn hostile_markup_does_not_survive() {
        let c = wp("<p onclick=\"x()\">Hi</p><script>alert(1)</script>");
        assert_eq!(c.markdown, "Hi");
        assert_eq!(c.unconverted, vec!["<script>".to_owned()]);
    }
}
