//! Telegram Bot API text: HTML parse mode with only the tags Telegram
//! allows, escaping, and the caption/message limits counted on the visible
//! text (tags removed), as Telegram counts them.

/// `sendPhoto` captions.
pub const CAPTION_LIMIT: usize = 1024;
/// `sendMessage` texts.
pub const MESSAGE_LIMIT: usize = 4096;

/// Escapes text for HTML parse mode: `&`, `<` and `>` are the characters Telegram requires.
pub fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

/// Length as Telegram counts it: UTF-16 code units of the visible text.
fn visible_len(text: &str) -> usize {
    text.encode_utf16().count()
}

/// Cuts `text` to at most `max` visible units at a word boundary, adding "…".
fn cut(text: &str, max: usize) -> String {
    if visible_len(text) <= max {
        return text.to_owned();
    }
    let mut out = String::new();
    for word in text.split_inclusive(char::is_whitespace) {
        if visible_len(&out) + visible_len(word) + 1 > max {
            break;
        }
        out.push_str(word);
    }
    if out.trim().is_empty() {
        // One very long word: cut inside it.
        let mut units = 0;
        out = text
            .chars()
            .take_while(|c| {
                units += c.len_utf16();
                units < max
            })
            .collect();
    }
    format!(
        "{}…",
        out.trim_end()
            .trim_end_matches([',', '.', ';', ':', '—', '-'])
    )
}

/// A story as a channel post: bold headline, standfirst, and a link back that
/// is never cut. The standfirst (then the headline) gives way when the post is too long.
pub fn story_post(
    headline: &str,
    standfirst: &str,
    url: &str,
    link_text: &str,
    limit: usize,
) -> String {
    let link = format!(
        "<a href=\"{}\">{}</a>",
        escape(url).replace('"', "&quot;"),
        escape(link_text)
    );
    let fixed = visible_len(link_text) + 4; // two blank lines
    let headline_room = limit.saturating_sub(fixed + 2).max(1);
    let headline = cut(headline.trim(), headline_room);
    let mut room = limit.saturating_sub(fixed + visible_len(&headline));
    let standfirst = standfirst.trim();
    let body = if standfirst.is_empty() || room < 12 {
        String::new()
    } else {
        room -= 2;
        format!("\n\n{}", escape(&cut(standfirst, room)))
    };
    format!("<b>{}</b>{body}\n\n{link}", escape(&headline))
}

/// Visible length of a post built here (tags removed, entities unescaped).
pub fn post_visible_len(html: &str) -> usize {
    let mut text = String::new();
    let mut in_tag = false;
    for c in html.chars() {
        match c {
            '<' => in_tag = true,
            '>' => in_tag = false,
            _ if !in_tag => text.push(c),
            _ => {}
        }
    }
    let text = text
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&amp;", "&");
    visible_len(&text)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_what_telegram_requires() {
        assert_eq!(
            escape("AT&T <b>не тег</b>"),
            "AT&amp;T &lt;b&gt;не тег&lt;/b&gt;"
        );
    }

    #[test]
    fn a_short_story_is_posted_whole() {
        let post = story_post(
            "Енергетики повернули світло",
            "Ремонт тривав до ранку.",
            "https://news.example.org/2026/11/25/a?x=1&y=2",
            "Читати",
            CAPTION_LIMIT,
        );
        assert_eq!(
            post,
            "<b>Енергетики повернули світло</b>\n\nРемонт тривав до ранку.\n\n<a href=\"https://news.example.org/2026/11/25/a?x=1&amp;y=2\">Читати</a>"
        );
    }

    #[test]
    fn a_long_story_is_cut_at_a_word_and_keeps_its_link() {
        let standfirst = "Дуже довгий лід, який не вміщується в підпис до фото. ".repeat(40);
        let post = story_post(
            "Заголовок",
            &standfirst,
            "https://news.example.org/s",
            "Читати",
            CAPTION_LIMIT,
        );
        assert!(
            post_visible_len(&post) <= CAPTION_LIMIT,
            "{}",
            post_visible_len(&post)
        );
        assert!(post.ends_with("<a href=\"https://news.example.org/s\">Читати</a>"));
        assert!(
            post.contains("…\n\n<a"),
            "cut with an ellipsis before the link"
        );
        let long_headline = "Слово ".repeat(400);
        let post = story_post(
            &long_headline,
            "",
            "https://news.example.org/s",
            "Read",
            200,
        );
        assert!(post_visible_len(&post) <= 200);
        assert!(post.contains("</b>\n\n<a href="));
    }

    #[test]
    fn emoji_count_as_two_units() {
        assert_eq!(visible_len("🇺🇦"), 4);
        assert_eq!(visible_len("Київ"), 4);
    }
}
