//! `sitemap.xml`, the Google News sitemap and `robots.txt`.

use axum::extract::State;
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use minijinja::context;
use serde_json::json;

use super::cache::CacheTags;
use crate::app::AppState;
use crate::http::error::HttpError;
use crate::store::{ArticleFilter, ArticleStatus};

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

/// The sitemap index: the site's pages, then one child sitemap per month
/// with stories, so any archive stays within the protocol's 50,000 URLs a file.
pub async fn sitemap(State(state): State<AppState>) -> Result<Response, HttpError> {
    // Month by month from the newest story back to the oldest: one index
    // seek each, so the index costs the same at 100 or 100,000 stories.
    let mut months = Vec::new();
    if let (Some(oldest), Some(newest)) = (
        state.store.oldest_published().await?,
        state
            .store
            .newest_published_between(i64::MIN / 2, i64::MAX / 2)
            .await?,
    ) {
        let mut month = month_of(newest);
        while let Some((from, until)) = month_range(&month) {
            if until <= oldest {
                break;
            }
            if let Some(lastmod) = state.store.newest_published_between(from, until).await? {
                months.push((month.clone(), lastmod));
            }
            let Some(previous) = month_of_checked(from - 1) else {
                break;
            };
            month = previous;
        }
    }
    let mut children = vec![
        json!({ "loc": state.urls.absolute("/sitemaps/pages.xml"), "lastmod": months.first().map(|(_, at)| *at) }),
    ];
    children.extend(months.iter().map(|(month, lastmod)| {
        json!({ "loc": state.urls.absolute(&format!("/sitemaps/{month}.xml")), "lastmod": lastmod })
    }));
    Ok(xml(state.templates.render(
        "sitemap_index.xml",
        context! { sitemaps => children },
    )?))
}

/// `/sitemaps/pages.xml`: the home and section pages of every language;
/// `/sitemaps/YYYY-MM.xml`: the stories published that month (UTC).
pub async fn child_sitemap(
    State(state): State<AppState>,
    axum::extract::Path(file): axum::extract::Path<String>,
) -> Result<Response, HttpError> {
    let name = file.strip_suffix(".xml").ok_or(HttpError::NotFound)?;
    let mut urls = Vec::new();
    if name == "pages" {
        let sections = state.store.sections().await?;
        for language in &state.config.site.languages {
            urls.push(json!({ "loc": state.urls.absolute(&state.urls.home(language)), "changefreq": "hourly" }));
            for section in &sections {
                urls.push(json!({ "loc": state.urls.absolute(&state.urls.section(language, &section.slug)), "changefreq": "hourly" }));
            }
        }
    } else {
        let (from, until) = month_range(name).ok_or(HttpError::NotFound)?;
        let entries = state
            .store
            .sitemap_entries(from, until, SITEMAP_MAX_URLS)
            .await?;
        if entries.is_empty() {
            return Err(HttpError::NotFound);
        }
        for (language, slug, published_at, modified) in entries {
            if let Some(path) = state.urls.article(&language, &slug, Some(published_at)) {
                urls.push(json!({ "loc": state.urls.absolute(&path), "lastmod": modified }));
            }
        }
    }
    Ok(xml(state
        .templates
        .render("sitemap.xml", context! { urls => urls })?))
}

/// `YYYY-MM` (UTC) of a Unix second.
fn month_of(at: i64) -> String {
    month_of_checked(at).unwrap_or_default()
}

fn month_of_checked(at: i64) -> Option<String> {
    jiff::Timestamp::from_second(at)
        .ok()
        .map(|t| t.strftime("%Y-%m").to_string())
}

/// `2026-11` → the Unix seconds of its first instant and of the next month's (UTC).
fn month_range(name: &str) -> Option<(i64, i64)> {
    let (year, month) = name.split_once('-')?;
    if year.len() != 4 || month.len() != 2 {
        return None;
    }
    let start = jiff::civil::Date::new(year.parse().ok()?, month.parse().ok()?, 1).ok()?;
    let next = start.checked_add(jiff::Span::new().months(1)).ok()?;
    let second = |d: jiff::civil::Date| {
        d.to_zoned(jiff::tz::TimeZone::UTC)
            .ok()
            .map(|z| z.timestamp().as_second())
    };
    Some((second(start)?, second(next)?))
}

pub async fn news_sitemap(State(state): State<AppState>) -> Result<Response, HttpError> {
    let filter = ArticleFilter {
        status: Some(ArticleStatus::Published),
        published_from: Some(state.clock.now() - NEWS_WINDOW_SECONDS),
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
