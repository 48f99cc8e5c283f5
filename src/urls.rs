//! Public addresses of pages, in one place so links, feeds, sitemaps and the
//! API agree. Articles live at `/<lang>/YYYY/MM/DD/<slug>`; the site's
//! default language has no prefix.

use jiff::tz::TimeZone;

use crate::i18n::local_date;
use crate::store::ArticleRow;

#[derive(Clone, Debug)]
pub struct Urls {
    base_url: String,
    default_language: String,
    timezone: TimeZone,
    /// Where readers fetch `/media/…` (a CDN, the bucket); `None`: this site.
    media_base: Option<String>,
}

impl Urls {
    pub fn new(base_url: &str, default_language: &str, timezone: TimeZone) -> Self {
        Urls {
            base_url: base_url.trim_end_matches('/').to_owned(),
            default_language: default_language.to_owned(),
            timezone,
            media_base: None,
        }
    }

    /// Points uploaded images at `public_url` instead of `/media/` here.
    pub fn with_media_base(mut self, public_url: Option<&str>) -> Self {
        self.media_base = public_url.map(|url| url.trim_end_matches('/').to_owned());
        self
    }

    /// The origin images come from when it is not this site (for the CSP).
    pub fn media_origin(&self) -> Option<String> {
        let url = url::Url::parse(self.media_base.as_deref()?).ok()?;
        Some(url.origin().ascii_serialization())
    }

    /// Where readers fetch an image: `/media/…` moves to the public media
    /// URL when one is set; anything else is left alone.
    pub fn media(&self, url: &str) -> String {
        match (&self.media_base, url.strip_prefix("/media/")) {
            (Some(base), Some(key)) => format!("{base}/{key}"),
            _ => url.to_owned(),
        }
    }

    /// Sanitized HTML with its `/media/` images moved to the public media
    /// URL. The sanitizer writes every attribute as `src="…"`, so a plain
    /// replace finds exactly the images (text has its quotes escaped).
    pub fn media_in_html(&self, html: String) -> String {
        match &self.media_base {
            Some(base) => html.replace("src=\"/media/", &format!("src=\"{base}/")),
            None => html,
        }
    }

    pub fn base_url(&self) -> &str {
        &self.base_url
    }

    /// Root-relative prefix of a language: "" for the default one, "/en" otherwise.
    /// The site's host name, without scheme or port (ids, List-Id).
    pub fn host(&self) -> String {
        url::Url::parse(&self.base_url)
            .ok()
            .and_then(|u| u.host_str().map(str::to_owned))
            .unwrap_or_else(|| "localhost".into())
    }

    pub fn prefix(&self, language: &str) -> String {
        if language == self.default_language {
            String::new()
        } else {
            format!("/{language}")
        }
    }

    pub fn absolute(&self, path: &str) -> String {
        let path = self.media(path);
        if path.starts_with("http://") || path.starts_with("https://") {
            path
        } else {
            format!("{}{}", self.base_url, path)
        }
    }

    pub fn home(&self, language: &str) -> String {
        let prefix = self.prefix(language);
        if prefix.is_empty() {
            "/".into()
        } else {
            prefix
        }
    }

    /// Path of a published story; `None` until it has a publication time.
    pub fn article(&self, language: &str, slug: &str, published_at: Option<i64>) -> Option<String> {
        let (y, m, d) = local_date(published_at?, &self.timezone);
        Some(format!(
            "{}/{y:04}/{m:02}/{d:02}/{slug}",
            self.prefix(language)
        ))
    }

    pub fn article_row(&self, article: &ArticleRow) -> Option<String> {
        self.article(&article.language, &article.slug, article.published_at)
    }

    /// A static page (about, ethics…) sits at the root of its language.
    pub fn page(&self, language: &str, slug: &str) -> String {
        format!("{}/{slug}", self.prefix(language))
    }

    pub fn section(&self, language: &str, slug: &str) -> String {
        format!("{}/section/{slug}", self.prefix(language))
    }

    pub fn tag(&self, language: &str, slug: &str) -> String {
        format!("{}/tag/{slug}", self.prefix(language))
    }

    pub fn author(&self, language: &str, slug: &str) -> String {
        format!("{}/author/{slug}", self.prefix(language))
    }

    pub fn day(&self, language: &str, (y, m, d): (i16, i8, i8)) -> String {
        format!("{}/{y:04}/{m:02}/{d:02}", self.prefix(language))
    }

    pub fn search(&self, language: &str) -> String {
        format!("{}/search", self.prefix(language))
    }

    /// Feed of a list page: `list_path` is "" for the whole site.
    pub fn feed(&self, language: &str, list_path: &str, atom: bool) -> String {
        let base = if list_path.is_empty() {
            self.prefix(language)
        } else {
            list_path.to_owned()
        };
        format!("{base}/{}", if atom { "atom.xml" } else { "feed.xml" })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn images_move_to_the_public_media_url_when_one_is_set() {
        let here = Urls::new("https://news.example.org", "uk", TimeZone::UTC);
        assert_eq!(here.media("/media/2026/12/a.jpg"), "/media/2026/12/a.jpg");
        assert_eq!(
            here.absolute("/media/2026/12/a.jpg"),
            "https://news.example.org/media/2026/12/a.jpg"
        );
        let cdn = here.with_media_base(Some("https://media.example.net/news/"));
        assert_eq!(
            cdn.media("/media/2026/12/a.jpg"),
            "https://media.example.net/news/2026/12/a.jpg"
        );
        assert_eq!(
            cdn.absolute("/media/2026/12/a.jpg"),
            "https://media.example.net/news/2026/12/a.jpg"
        );
        assert_eq!(cdn.media("/static/logo.png"), "/static/logo.png");
        assert_eq!(cdn.absolute("/about"), "https://news.example.org/about");
        assert_eq!(
            cdn.media_in_html(
                "<p>src=&quot;/media/x&quot;</p><img src=\"/media/2026/12/a.jpg\" alt=\"\">".into()
            ),
            "<p>src=&quot;/media/x&quot;</p><img src=\"https://media.example.net/news/2026/12/a.jpg\" alt=\"\">"
        );
        assert_eq!(
            cdn.media_origin().as_deref(),
            Some("https://media.example.net")
        );
    }

    #[test]
    fn article_dates_follow_the_newsroom_zone() {
        let urls = Urls::new(
            "https://news.example.org/",
            "uk",
            TimeZone::get("Europe/Kyiv").unwrap(),
        );
        // 23:30 UTC on 24 November is already 25 November in Kyiv.
        let ts = 1_795_563_000;
        assert_eq!(
            urls.article("uk", "kyiv", Some(ts)).unwrap(),
            "/2026/11/25/kyiv"
        );
        assert_eq!(
            urls.article("en", "kyiv", Some(ts)).unwrap(),
            "/en/2026/11/25/kyiv"
        );
        assert_eq!(urls.article("en", "kyiv", None), None);
        assert_eq!(urls.home("uk"), "/");
        assert_eq!(urls.feed("en", "", true), "/en/atom.xml");
        assert_eq!(
            urls.feed("uk", "/section/war", false),
            "/section/war/feed.xml"
        );
        assert_eq!(urls.absolute("/x"), "https://news.example.org/x");
    }
}
