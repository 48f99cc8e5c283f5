//! Telegram Bot API text: HTML parse mode with only the tags Telegram
//! allows, escaping, and the caption/message limits counted on the visible
//! text (tags removed), as Telegram counts them.

pub use super::SendError;

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

/// A channel post as the Bot API returned it. `photo` says whether the
/// post is a photo with a caption, which is edited with another method.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PostRef {
    pub message_id: i64,
    pub photo: bool,
}

impl PostRef {
    /// Stored as `photo:123` or `text:123`.
    pub fn encode(&self) -> String {
        format!(
            "{}:{}",
            if self.photo { "photo" } else { "text" },
            self.message_id
        )
    }

    pub fn decode(text: &str) -> Option<Self> {
        let (kind, id) = text.split_once(':')?;
        Some(PostRef {
            message_id: id.parse().ok()?,
            photo: kind == "photo",
        })
    }
}

/// The Bot API, JSON bodies, `{"ok": …}` answers.
pub struct Client<'a> {
    pub http: &'a reqwest::Client,
    pub base: &'a str,
    pub token: &'a str,
}

impl<'a> Client<'a> {
    pub fn new(http: &'a reqwest::Client, config: &'a crate::config::TelegramConfig) -> Self {
        Client {
            http,
            base: &config.api_base,
            token: &config.bot_token,
        }
    }
}

impl Client<'_> {
    async fn call(
        &self,
        method: &str,
        body: serde_json::Value,
    ) -> Result<serde_json::Value, SendError> {
        let response = self
            .http
            .post(format!("{}/bot{}/{method}", self.base, self.token))
            .json(&body)
            .send()
            .await
            .map_err(|e| {
                SendError::Transient(format!("Telegram unreachable: {}", e.without_url()))
            })?;
        let status = response.status();
        let answer = super::http::json_capped(response, super::http::MAX_PROVIDER_BYTES)
            .await
            .unwrap_or_default();
        if answer["ok"].as_bool() == Some(true) {
            return Ok(answer["result"].clone());
        }
        let description = answer["description"]
            .as_str()
            .unwrap_or("no description")
            .to_owned();
        let code = answer["error_code"]
            .as_u64()
            .unwrap_or(u64::from(status.as_u16()));
        Err(match code {
            429 => SendError::Wait {
                seconds: answer["parameters"]["retry_after"].as_u64().unwrap_or(5),
                reason: format!("Telegram: {description}"),
            },
            401 | 403 | 404 => SendError::Permanent(format!(
                "Telegram refused the bot ({code} {description}): check the bot token and that the bot is an admin of the channel"
            )),
            400 => SendError::Permanent(format!("Telegram: {code} {description}")),
            _ => SendError::Transient(format!("Telegram: {code} {description}")),
        })
    }

    /// Posts a story: a photo with a caption when it has a cover, a message
    /// with a link preview otherwise. A cover Telegram cannot fetch falls
    /// back to a message.
    pub async fn send_story(
        &self,
        chat: &str,
        photo_url: Option<&str>,
        caption: &str,
        message: &str,
        link: &str,
    ) -> Result<PostRef, SendError> {
        if let Some(photo) = photo_url {
            let sent = self
                .call(
                    "sendPhoto",
                    serde_json::json!({
                        "chat_id": chat, "photo": photo, "caption": caption, "parse_mode": "HTML",
                    }),
                )
                .await;
            match sent {
                Ok(result) => return message_ref(&result, true),
                Err(SendError::Permanent(e))
                    if e.contains("wrong file") || e.contains("failed to get HTTP URL") =>
                {
                    tracing::warn!(error = %e, "Telegram could not fetch the cover; posting text");
                }
                Err(e) => return Err(e),
            }
        }
        let result = self
            .call(
                "sendMessage",
                serde_json::json!({
                    "chat_id": chat, "text": message, "parse_mode": "HTML",
                    "link_preview_options": {"url": link, "prefer_large_media": true},
                }),
            )
            .await?;
        message_ref(&result, false)
    }

    /// Edits a post; an unchanged text is not an error.
    pub async fn edit_story(
        &self,
        chat: &str,
        post: &PostRef,
        caption: &str,
        message: &str,
        link: &str,
    ) -> Result<(), SendError> {
        let result = if post.photo {
            self.call(
                "editMessageCaption",
                serde_json::json!({
                    "chat_id": chat, "message_id": post.message_id, "caption": caption, "parse_mode": "HTML",
                }),
            )
            .await
        } else {
            self.call(
                "editMessageText",
                serde_json::json!({
                    "chat_id": chat, "message_id": post.message_id, "text": message, "parse_mode": "HTML",
                    "link_preview_options": {"url": link, "prefer_large_media": true},
                }),
            )
            .await
        };
        match result {
            Ok(_) => Ok(()),
            Err(SendError::Permanent(e)) if e.contains("message is not modified") => Ok(()),
            Err(e) => Err(e),
        }
    }

    /// Deletes a post; one already gone is not an error.
    pub async fn delete_story(&self, chat: &str, post: &PostRef) -> Result<(), SendError> {
        match self
            .call(
                "deleteMessage",
                serde_json::json!({"chat_id": chat, "message_id": post.message_id}),
            )
            .await
        {
            Ok(_) => Ok(()),
            Err(SendError::Permanent(e)) if e.contains("message to delete not found") => Ok(()),
            Err(e) => Err(e),
        }
    }
}

fn message_ref(result: &serde_json::Value, photo: bool) -> Result<PostRef, SendError> {
    result["message_id"]
        .as_i64()
        .map(|message_id| PostRef { message_id, photo })
        .ok_or_else(|| SendError::Transient("Telegram answered without a message_id".into()))
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
