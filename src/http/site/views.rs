//! What templates receive: plain data with URLs already resolved, so a theme
//! never has to know how addresses are built.

use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use minijinja::Value;
use serde::Serialize;
use serde_json::{Map, Value as Json, json};

use super::cache::CacheTags;
use crate::app::AppState;

use crate::content::slug::display_name;
use crate::http::error::HttpError;
use crate::services::media;
use crate::store::{ArticleCard, AuthorRef, Section, StoreResult};

#[derive(Serialize)]
pub struct LinkView {
    pub name: String,
    pub url: String,
}

#[derive(Serialize)]
pub struct CardView {
    pub id: i64,
    pub url: String,
    pub headline: String,
    pub standfirst: String,
    pub cover_url: Option<String>,
    pub cover_alt: String,
    pub published_at: i64,
    pub updated_at: Option<i64>,
    pub section: Option<LinkView>,
    pub authors: Vec<LinkView>,
}

pub fn author_links(state: &AppState, language: &str, authors: &[AuthorRef]) -> Vec<LinkView> {
    authors
        .iter()
        .map(|a| LinkView {
            name: display_name(&a.name, state.locales.get(language)),
            url: state.urls.author(language, &a.slug),
        })
        .collect()
}

pub fn card_views(state: &AppState, cards: &[ArticleCard], sections: &[Section]) -> Vec<CardView> {
    cards
        .iter()
        .filter_map(|card| {
            let published_at = card.published_at?;
            Some(CardView {
                id: card.id.0,
                url: state
                    .urls
                    .article(&card.language, &card.slug, Some(published_at))?,
                headline: card.headline.clone(),
                standfirst: card.standfirst.clone(),
                // Lists show small pictures: the phone-sized copy of uploads.
                cover_url: card.cover_url.as_deref().map(|url| {
                    state
                        .urls
                        .media(&media::variant(url, 480).unwrap_or_else(|| url.to_owned()))
                }),
                cover_alt: card.cover_alt.clone(),
                published_at,
                updated_at: card.content_updated_at,
                section: card
                    .section_id
                    .and_then(|id| sections.iter().find(|s| s.id == id))
                    .map(|s| LinkView {
                        name: s.name(&card.language).to_owned(),
                        url: state.urls.section(&card.language, &s.slug),
                    }),
                authors: author_links(state, &card.language, &card.authors),
            })
        })
        .collect()
}

/// A page being assembled: the frame every page shares, plus its own data.
pub struct Page {
    language: String,
    context: Map<String, Json>,
    safe: Vec<(&'static str, String)>,
}

impl Page {
    /// `path` is the page's root-relative address, used for the canonical link.
    pub fn new(state: &AppState, language: &str, title: &str, path: &str, links: &Nav) -> Self {
        let sections = &links.sections;
        let nav_pages = &links.pages;
        let site = &state.config.site;
        let nav: Vec<Json> = sections
            .iter()
            .map(|s| json!({ "name": s.name(language), "url": state.urls.section(language, &s.slug), "slug": s.slug }))
            .collect();
        let languages: Vec<Json> = site
            .languages
            .iter()
            .map(|l| json!({ "code": l, "name": state.locales.language_name(l), "url": state.urls.home(l), "current": l == language }))
            .collect();
        let full_title = if title.is_empty() {
            site.name.clone()
        } else {
            format!("{title} — {}", site.name)
        };
        let mut context = Map::new();
        context.insert("lang".into(), json!(language));
        context.insert("t".into(), json!(state.locales.get(language).site_words()));
        context.insert("page_title".into(), json!(full_title));
        context.insert("canonical".into(), json!(state.urls.absolute(path)));
        context.insert("path".into(), json!(path));
        context.insert("nav".into(), Json::Array(nav));
        // Pages in one language only have no other versions to name.
        context.insert("alternates".into(), json!([]));
        let footer_pages: Vec<Json> = nav_pages
            .iter()
            .filter(|p| p.language == language)
            .map(|p| json!({ "title": p.title, "url": state.urls.page(language, &p.slug) }))
            .collect();
        context.insert("footer_pages".into(), Json::Array(footer_pages));
        context.insert("languages".into(), Json::Array(languages));
        context.insert("home_url".into(), json!(state.urls.home(language)));
        context.insert("search_url".into(), json!(state.urls.search(language)));
        let videos = &state.config.distribution.videos;
        if videos.youtube_channel_id.is_some() || !videos.tiktok_urls.is_empty() {
            context.insert(
                "videos_url".into(),
                json!(format!("{}/videos", state.urls.prefix(language))),
            );
        }
        context.insert(
            "feeds".into(),
            json!([
                { "title": format!("{} — RSS", site.name), "type": "application/rss+xml", "url": state.urls.feed(language, "", false) },
                { "title": format!("{} — Atom", site.name), "type": "application/atom+xml", "url": state.urls.feed(language, "", true) },
            ]),
        );
        // Every page has a social card picture: the site's own until a page sets one.
        let image = &site.image_url;
        context.insert("og_image".into(), json!(state.urls.absolute(image)));
        if image == "/static/social.png" {
            let (width, height) = super::assets::SOCIAL_SIZE;
            context.insert("og_image_width".into(), json!(width));
            context.insert("og_image_height".into(), json!(height));
        }
        context.insert(
            "og_locale".into(),
            json!(state.locales.get(language).text("og_locale")),
        );
        Page {
            language: language.to_owned(),
            context,
            safe: Vec::new(),
        }
    }

    pub fn set(&mut self, key: &str, value: impl Serialize) -> &mut Self {
        self.context.insert(
            key.to_owned(),
            serde_json::to_value(value).unwrap_or(Json::Null),
        );
        self
    }

    /// Adds list-specific feeds in front of the site-wide ones.
    pub fn list_feeds(&mut self, state: &AppState, title: &str, list_path: &str) -> &mut Self {
        let feeds = json!([
            { "title": format!("{title} — RSS"), "type": "application/rss+xml", "url": state.urls.feed(&self.language, list_path, false) },
            { "title": format!("{title} — Atom"), "type": "application/atom+xml", "url": state.urls.feed(&self.language, list_path, true) },
        ]);
        if let (Json::Array(mut mine), Some(Json::Array(site))) =
            (feeds, self.context.remove("feeds"))
        {
            mine.extend(site);
            self.context.insert("feeds".into(), Json::Array(mine));
        }
        self
    }

    /// HTML we produced ourselves (sanitized bodies, escaped JSON-LD).
    pub fn safe(&mut self, key: &'static str, html: String) -> &mut Self {
        self.safe.push((key, html));
        self
    }

    pub fn render(
        self,
        state: &AppState,
        template: &str,
        tags: Option<CacheTags>,
    ) -> Result<Response, HttpError> {
        let mut value = Value::from_serialize(&self.context);
        if !self.safe.is_empty() {
            let extra: std::collections::BTreeMap<&str, Value> = self
                .safe
                .into_iter()
                .map(|(k, v)| (k, Value::from_safe_string(v)))
                .collect();
            value = minijinja::context! { ..Value::from(extra), ..value };
        }
        let html = state.templates.render(template, value)?;
        let mut response = (
            [(
                header::CONTENT_TYPE,
                HeaderValue::from_static("text/html; charset=utf-8"),
            )],
            html,
        )
            .into_response();
        if let Some(tags) = tags {
            response.extensions_mut().insert(tags);
        }
        Ok(response)
    }
}

/// Sections for the navigation; every page needs them.
/// What every public page links to: the sections in the header and the
/// published static pages (About, Contacts…) in the footer.
pub struct Nav {
    pub sections: Vec<Section>,
    pub pages: Vec<crate::store::Page>,
}

impl std::ops::Deref for Nav {
    type Target = [Section];

    fn deref(&self) -> &[Section] {
        &self.sections
    }
}

pub async fn nav_sections(state: &AppState) -> StoreResult<Nav> {
    Ok(Nav {
        sections: state.store.sections().await?,
        pages: state.store.published_pages().await?,
    })
}

/// Parses `?page=N`; anything odd is page 1, and absurd pages are refused.
pub fn page_number(raw: Option<&str>) -> Result<i64, HttpError> {
    match raw {
        None | Some("") => Ok(1),
        Some(text) => match text.parse::<i64>() {
            Ok(n) if (1..=10_000).contains(&n) => Ok(n),
            _ => Err(HttpError::NotFound),
        },
    }
}
