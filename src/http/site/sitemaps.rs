//! `sitemap.xml`, the Google News sitemap and `robots.txt`.

use axum::extract::State;
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use minijinja::context;
use serde_json::json;

use super::cache::CacheTags;
use crate::app::AppState;
use crate::http::error::HttpError;
use crate::store::{ArticleFilter, ArticleStatus, now};

/// The sitemap protocol's limit for one file.
const SITEMAP_MAX_URLS: i64 = 50_000;
/// Google News reads only stories from the last two days, at most 1,000.
const NEWS_WINDOW_SECONDS: i64 = 2 * 86_400;

fn xml(body: String) -> Response {
    let mut response = (
        [(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/xml; charset=utf-8"),
        )],
        crate::content::xml_safe(body),
    )
        .into_response();
    response.extensions_mut().insert(CacheTags::listing("*"));
    response
}

pub async fn sitemap(State(state): State<AppState>) -> Result<Response, HttpError> {
    let filter = ArticleFilter {
        status: Some(ArticleStatus::Published),
        ..Default::default()
    };
    let cards = state
        .store
        .article_cards(&filter, SITEMAP_MAX_URLS, 0)
        .await?;
    let sections = state.store.sections().await?;
    let mut urls = Vec::new();
    for language in &state.config.site.languages {
        urls.push(json!({ "loc": state.urls.absolute(&state.urls.home(language)), "changefreq": "hourly" }));
        for section in &sections {
            urls.push(json!({ "loc": state.urls.absolute(&state.urls.section(language, &section.slug)), "changefreq": "hourly" }));
        }
    }
    for card in &cards {
        if let Some(path) = state
            .urls
            .article(&card.language, &card.slug, card.published_at)
        {
            let modified = card
                .content_updated_at
                .or(card.published_at)
                .unwrap_or(card.updated_at);
            urls.push(json!({ "loc": state.urls.absolute(&path), "lastmod": modified }));
        }
    }
    Ok(xml(state
        .templates
        .render("sitemap.xml", context! { urls => urls })?))
}

pub async fn news_sitemap(State(state): State<AppState>) -> Result<Response, HttpError> {
    let filter = ArticleFilter {
        status: Some(ArticleStatus::Published),
        published_from: Some(now() - NEWS_WINDOW_SECONDS),
        ..Default::default()
    };
    let cards = state.store.article_cards(&filter, 1000, 0).await?;
    let items: Vec<_> = cards
        .iter()
        .filter_map(|card| {
            let path = state
                .urls
                .article(&card.language, &card.slug, card.published_at)?;
            Some(json!({
                "loc": state.urls.absolute(&path),
                "language": card.language,
                "title": card.headline,
                "published": card.published_at,
            }))
        })
        .collect();
    Ok(xml(state.templates.render(
        "news_sitemap.xml",
        context! { items => items, publication => state.config.site.name.clone() },
    )?))
}

pub async fn robots(State(state): State<AppState>) -> Response {
    let body = format!(
        "User-agent: *\nDisallow: /api/\nDisallow: /admin\nDisallow: /search\n\nSitemap: {0}/sitemap.xml\nSitemap: {0}/news-sitemap.xml\n",
        state.urls.base_url()
    );
    ([(header::CONTENT_TYPE, "text/plain; charset=utf-8")], body).into_response()
}
