//! RSS 2.0 and Atom feeds for the site, each section and each tag.

use axum::Extension;
use axum::extract::{Path, State};
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use minijinja::context;
use serde_json::json;

use super::Lang;
use super::cache::CacheTags;
use crate::app::AppState;
use crate::content::markdown::render_body;
use crate::content::slug::display_name;
use crate::http::error::HttpError;
use crate::store::{ArticleFilter, ArticleStatus, StoreError};

const FEED_ITEMS: i64 = 30;

#[derive(Clone, Copy)]
enum Format {
    Rss,
    Atom,
}

async fn render_feed(
    state: &AppState,
    language: &str,
    title: String,
    list_path: &str,
    filter: ArticleFilter,
    format: Format,
) -> Result<Response, HttpError> {
    let filter = ArticleFilter {
        status: Some(ArticleStatus::Published),
        language: Some(language.to_owned()),
        ..filter
    };
    let cards = state.store.article_cards(&filter, FEED_ITEMS, 0).await?;
    // A tag that only drafts use has no public feed: only published stories make pages.
    if cards.is_empty() && filter.tag_id.is_some() {
        return Err(HttpError::NotFound);
    }
    let host = state.urls.host();
    let bodies = if state.config.feeds_full_text {
        let ids: Vec<_> = cards.iter().map(|c| c.id).collect();
        state.store.article_bodies(&ids).await?
    } else {
        Default::default()
    };
    // Atom readers tell entries apart by `updated`: equal seconds get
    // distinct milliseconds, in the feed's order.
    let mut last_updated: Option<i64> = None;
    let mut ties = 0;
    let items: Vec<_> = cards
        .iter()
        .filter_map(|card| {
            let published = card.published_at?;
            let url = state.urls.absolute(&state.urls.article(
                &card.language,
                &card.slug,
                Some(published),
            )?);
            Some(json!({
                "title": card.headline,
                "url": url,
                "summary": card.standfirst,
                // Stable across slug and date changes: tied to the article row.
                "guid": format!("tag:{host},2026:article-{}", card.id),
                "published": published,
                "updated": card.content_updated_at.unwrap_or(published).max(published),
                "content": bodies.get(&card.id).map(|body| absolute_links(state, &state.urls.media_in_html(render_body(body, state.locales.get(&card.language))))),
                "authors": card.authors.iter().map(|a| display_name(&a.name, state.locales.get(language))).collect::<Vec<_>>(),
            }))
        })
        .collect::<Vec<_>>()
        .into_iter()
        .map(|mut item| {
            let updated = item["updated"].as_i64().unwrap_or(0);
            ties = if last_updated == Some(updated) { ties + 1 } else { 0 };
            last_updated = Some(updated);
            item["updated_iso"] = json!(distinct_instant(updated, ties));
            item
        })
        .collect();
    let updated = items
        .iter()
        .filter_map(|i| i["updated"].as_i64())
        .max()
        .unwrap_or_else(|| state.clock.now());
    let list_url = if list_path.is_empty() {
        state.urls.absolute(&state.urls.home(language))
    } else {
        state.urls.absolute(list_path)
    };
    let (template, content_type) = match format {
        Format::Rss => ("rss.xml", "application/rss+xml; charset=utf-8"),
        Format::Atom => ("atom.xml", "application/atom+xml; charset=utf-8"),
    };
    let self_url = state.urls.absolute(&state.urls.feed(
        language,
        list_path,
        matches!(format, Format::Atom),
    ));
    let xml = state.templates.render(
        template,
        context! {
            title => title,
            lang => language,
            link => list_url,
            self_url => self_url,
            feed_id => format!("tag:{host},2026:feed:{}", self_url.trim_start_matches(state.urls.base_url())),
            updated => updated,
            items => items,
        },
    )?;
    let mut response = (
        [(header::CONTENT_TYPE, HeaderValue::from_static(content_type))],
        crate::content::xml_safe(xml),
    )
        .into_response();
    response
        .extensions_mut()
        .insert(CacheTags::listing(language));
    Ok(response)
}

pub async fn site_rss(
    State(state): State<AppState>,
    Extension(Lang(language)): Extension<Lang>,
) -> Result<Response, HttpError> {
    let title = state.config.site.name.clone();
    render_feed(
        &state,
        &language,
        title,
        "",
        ArticleFilter::default(),
        Format::Rss,
    )
    .await
}

pub async fn site_atom(
    State(state): State<AppState>,
    Extension(Lang(language)): Extension<Lang>,
) -> Result<Response, HttpError> {
    let title = state.config.site.name.clone();
    render_feed(
        &state,
        &language,
        title,
        "",
        ArticleFilter::default(),
        Format::Atom,
    )
    .await
}

async fn section_feed(
    state: AppState,
    language: String,
    slug: String,
    format: Format,
) -> Result<Response, HttpError> {
    let section = state.store.section_by_slug(&slug).await.map_err(missing)?;
    let title = format!("{} — {}", state.config.site.name, section.name(&language));
    let path = state.urls.section(&language, &section.slug);
    let filter = ArticleFilter {
        section_id: Some(section.id),
        ..Default::default()
    };
    render_feed(&state, &language, title, &path, filter, format).await
}

async fn tag_feed(
    state: AppState,
    language: String,
    slug: String,
    format: Format,
) -> Result<Response, HttpError> {
    let tag = state
        .store
        .tag_in(&slug, &language)
        .await
        .map_err(missing)?;
    let title = format!("{} — #{}", state.config.site.name, tag.name);
    let path = state.urls.tag(&language, &tag.slug);
    let filter = ArticleFilter {
        tag_id: Some(tag.id),
        ..Default::default()
    };
    render_feed(&state, &language, title, &path, filter, format).await
}

fn missing(err: StoreError) -> HttpError {
    match err {
        StoreError::NotFound => HttpError::NotFound,
        other => other.into(),
    }
}

pub async fn section_rss(
    State(state): State<AppState>,
    Extension(Lang(language)): Extension<Lang>,
    Path(slug): Path<String>,
) -> Result<Response, HttpError> {
    section_feed(state, language, slug, Format::Rss).await
}

pub async fn section_atom(
    State(state): State<AppState>,
    Extension(Lang(language)): Extension<Lang>,
    Path(slug): Path<String>,
) -> Result<Response, HttpError> {
    section_feed(state, language, slug, Format::Atom).await
}

pub async fn tag_rss(
    State(state): State<AppState>,
    Extension(Lang(language)): Extension<Lang>,
    Path(slug): Path<String>,
) -> Result<Response, HttpError> {
    tag_feed(state, language, slug, Format::Rss).await
}

pub async fn tag_atom(
    State(state): State<AppState>,
    Extension(Lang(language)): Extension<Lang>,
    Path(slug): Path<String>,
) -> Result<Response, HttpError> {
    tag_feed(state, language, slug, Format::Atom).await
}

/// A Unix second as RFC 3339, with `tie` milliseconds added when several
/// entries share the second (they stay within it).
fn distinct_instant(second: i64, tie: i64) -> String {
    jiff::Timestamp::from_second(second)
        .ok()
        .and_then(|t| {
            if tie == 0 {
                Some(t)
            } else {
                t.checked_add(jiff::SignedDuration::from_millis(tie.min(999)))
                    .ok()
            }
        })
        .map(|t| t.to_string())
        .unwrap_or_default()
}

/// Feed readers show the text away from the site: its own links and images
/// must carry the site's address.
pub(super) fn absolute_links(state: &AppState, html: &str) -> String {
    let base = state.urls.base_url();
    let mut out = String::with_capacity(html.len() + 64);
    let mut rest = html;
    while let Some(at) = ["src=\"/", "href=\"/"]
        .iter()
        .filter_map(|needle| rest.find(needle).map(|i| (i, needle.len())))
        .min()
    {
        let (index, length) = at;
        out.push_str(&rest[..index + length - 1]);
        rest = &rest[index + length - 1..];
        if !rest.starts_with("//") {
            out.push_str(base);
        }
    }
    out.push_str(rest);
    out
}
