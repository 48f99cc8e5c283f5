//! Click-to-load embeds of YouTube, TikTok, X and Telegram posts.
//!
//! The page holds only a placeholder with a link; nothing is requested from
//! the third party until the reader presses the button (see `static/site.js`).

use url::Url;

use super::escape_html as escape;
use crate::i18n::{Arg, Locale};

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Provider {
    YouTube,
    TikTok,
    X,
    Telegram,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Embed {
    pub provider: Provider,
    /// Canonical link to the post on the provider's site.
    pub url: String,
    /// Address of the provider's embeddable player or widget.
    pub frame_src: String,
}

fn is_id(s: &str, extra: &[char]) -> bool {
    !s.is_empty()
        && s.len() <= 64
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || extra.contains(&c))
}

fn is_digits(s: &str) -> bool {
    !s.is_empty() && s.len() <= 25 && s.bytes().all(|b| b.is_ascii_digit())
}

impl Embed {
    /// Recognises a post URL of a supported provider; anything else is `None`.
    pub fn from_url(text: &str) -> Option<Embed> {
        if text.contains(char::is_whitespace) || text.len() > 300 {
            return None;
        }
        let url = Url::parse(text).ok()?;
        if url.scheme() != "https" && url.scheme() != "http" {
            return None;
        }
        let host = url
            .host_str()?
            .trim_start_matches("www.")
            .trim_start_matches("m.");
        let segments: Vec<&str> = url.path_segments()?.filter(|s| !s.is_empty()).collect();
        match (host, segments.as_slice()) {
            ("youtube.com", ["watch"]) => {
                let id = url.query_pairs().find(|(k, _)| k == "v")?.1.into_owned();
                Self::youtube(&id)
            }
            ("youtube.com", ["shorts" | "embed" | "live", id]) | ("youtu.be", [id]) => {
                Self::youtube(id)
            }
            ("tiktok.com", [user, "video", id]) if user.starts_with('@') && is_digits(id) => {
                let user = &user[1..];
                is_id(user, &['.', '_']).then(|| Embed {
                    provider: Provider::TikTok,
                    url: format!("https://www.tiktok.com/@{user}/video/{id}"),
                    frame_src: format!("https://www.tiktok.com/embed/v2/{id}"),
                })
            }
            ("x.com" | "twitter.com", [user, "status", id])
                if is_id(user, &['_']) && is_digits(id) =>
            {
                Some(Embed {
                    provider: Provider::X,
                    url: format!("https://x.com/{user}/status/{id}"),
                    frame_src: format!("https://platform.twitter.com/embed/Tweet.html?id={id}"),
                })
            }
            ("t.me", [channel, id])
                if is_id(channel, &['_']) && is_digits(id) && *channel != "s" =>
            {
                Some(Embed {
                    provider: Provider::Telegram,
                    url: format!("https://t.me/{channel}/{id}"),
                    frame_src: format!("https://t.me/{channel}/{id}?embed=1"),
                })
            }
            _ => None,
        }
    }

    fn youtube(id: &str) -> Option<Embed> {
        (id.len() == 11 && is_id(id, &['-', '_'])).then(|| Embed {
            provider: Provider::YouTube,
            url: format!("https://www.youtube.com/watch?v={id}"),
            frame_src: format!("https://www.youtube-nocookie.com/embed/{id}"),
        })
    }
}

impl Provider {
    pub fn key(&self) -> &'static str {
        match self {
            Provider::YouTube => "youtube",
            Provider::TikTok => "tiktok",
            Provider::X => "x",
            Provider::Telegram => "telegram",
        }
    }

    fn name(&self) -> &'static str {
        match self {
            Provider::YouTube => "YouTube",
            Provider::TikTok => "TikTok",
            Provider::X => "X",
            Provider::Telegram => "Telegram",
        }
    }

    fn title(&self, locale: &Locale) -> String {
        locale.text(&format!("embed_title_{}", self.key()))
    }
}

/// The placeholder. Every interpolated value was built by [`Embed::from_url`]
/// from validated parts, and is escaped once more anyway.
pub fn render_embed(embed: &Embed, locale: &Locale) -> String {
    let name = embed.provider.name();
    let load = locale.text("embed_load");
    let note = locale.format("embed_note", &[("provider", Arg::Text(name))]);
    let open = locale.format("embed_open", &[("provider", Arg::Text(name))]);
    format!(
        "<figure class=\"embed embed--{key}\" data-embed-src=\"{src}\" data-embed-title=\"{title}\">\
         <div class=\"embed__placeholder\"><p class=\"embed__title\">{title}</p>\
         <button type=\"button\" class=\"embed__load\">{load}</button>\
         <p class=\"embed__note\">{note}</p></div>\
         <figcaption><a href=\"{url}\" rel=\"noopener noreferrer\">{open}</a></figcaption></figure>",
        key = embed.provider.key(),
        src = escape(&embed.frame_src),
        title = escape(&embed.provider.title(locale)),
        load = escape(&load),
        url = escape(&embed.url),
        note = escape(&note),
        open = escape(&open),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn recognises_each_provider() {
        let yt = Embed::from_url("https://youtu.be/dQw4w9WgXcQ").unwrap();
        assert_eq!(
            yt.frame_src,
            "https://www.youtube-nocookie.com/embed/dQw4w9WgXcQ"
        );
        let tt =
            Embed::from_url("https://www.tiktok.com/@newsroom/video/7300000000000000000").unwrap();
        assert_eq!(tt.provider, Provider::TikTok);
        let x = Embed::from_url("https://twitter.com/newsroom/status/1790000000000000000").unwrap();
        assert_eq!(x.url, "https://x.com/newsroom/status/1790000000000000000");
        let tg = Embed::from_url("https://t.me/newsroom_ua/1234").unwrap();
        assert_eq!(tg.frame_src, "https://t.me/newsroom_ua/1234?embed=1");
    }

    #[test]
    fn rejects_lookalikes() {
        for url in [
            "https://youtube.com.evil.example/watch?v=dQw4w9WgXcQ",
            "https://www.youtube.com/watch?v=short",
            "https://www.youtube.com/watch?v=dQw4w9WgX\"Q",
            "javascript://youtu.be/dQw4w9WgXcQ",
            "https://x.com/newsroom/status/12ab",
            "https://t.me/s/1234",
            "https://t.me/news\"room/1",
        ] {
            assert!(Embed::from_url(url).is_none(), "{url}");
        }
    }
}
