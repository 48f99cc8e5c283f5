//! The public Content API at `/api/content/`: published stories, sections
//! and pages as JSON, for apps and partners. Read-only; open unless
//! `content_api.key_required` is set. Responses carry an `ETag` and
//! `Cache-Control`, so apps and CDNs revalidate instead of re-downloading;
//! lists page by cursor, so the thousandth page costs what the first does.

use axum::Router;
use axum::extract::{FromRequestParts, Path, State};
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use serde::Deserialize;
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

use super::ApiCaller;
use crate::app::AppState;
use crate::content::markdown::render_body;
use crate::http::error::HttpError;
use crate::services::FieldError;
use crate::store::{ArticleCard, ArticleFilter, ArticleId, ArticleStatus, StoreError};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/articles", get(list_articles))
        .route("/articles/{id}", get(show_article))
        .route("/sections", get(list_sections))
        .route("/pages", get(list_pages))
        .fallback(|| async { HttpError::NotFound })
}

/// A caller allowed to read: anyone, or with a `content:read` key when the
/// operator asks for keys.
pub struct ContentReader;

impl FromRequestParts<AppState> for ContentReader {
    type Rejection = HttpError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, HttpError> {
        if state.config.content_api_key_required {
            ApiCaller::from_request_parts(parts, state).await?;
        }
        Ok(ContentReader)
    }
}

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ListQuery {
    language: Option<String>,
    /// Section slug.
    section: Option<String>,
    /// Tag slug.
    tag: Option<String>,
    /// Author slug.
    author: Option<String>,
    /// First day (YYYY-MM-DD, the newsroom's time zone), inclusive.
    from: Option<String>,
    /// Last day, inclusive.
    to: Option<String>,
    /// The `next` of the previous page.
    after: Option<String>,
    #[param(minimum = 1, maximum = 100)]
    limit: Option<i64>,
}

fn invalid(field: &str, message: impl Into<String>) -> FieldError {
    FieldError {
        field: field.into(),
        message: message.into(),
    }
}

/// The start of a calendar day in the newsroom's time zone.
fn day_start(state: &AppState, text: &str, next: bool) -> Option<i64> {
    let date: jiff::civil::Date = text.parse().ok()?;
    let date = if next { date.tomorrow().ok()? } else { date };
    Some(
        date.to_zoned(state.config.site.timezone.clone())
            .ok()?
            .timestamp()
            .as_second(),
    )
}

#[utoipa::path(get, operation_id = "content_list_articles", path = "/api/content/articles", tag = "content", params(ListQuery),
    responses((status = 200, description = "Published stories, newest first, with a `next` cursor", body = Object),
              (status = 304, description = "Not modified since the `ETag` sent in `If-None-Match`")))]
pub async fn list_articles(
    State(state): State<AppState>,
    _reader: ContentReader,
    headers: HeaderMap,
    super::ApiQuery(query): super::ApiQuery<ListQuery>,
) -> Result<Response, HttpError> {
    let mut errors = Vec::new();
    let limit = query.limit.unwrap_or(20);
    if !(1..=100).contains(&limit) {
        errors.push(invalid("limit", "must be from 1 to 100"));
    }
    let language = query.language.filter(|l| !l.is_empty());
    if let Some(language) = &language
        && !state.config.site.languages.contains(language)
    {
        errors.push(invalid(
            "language",
            format!("must be one of {}", state.config.site.languages.join(", ")),
        ));
    }
    let mut filter = ArticleFilter {
        status: Some(ArticleStatus::Published),
        language,
        ..Default::default()
    };
    if let Some(slug) = query.section.as_deref().filter(|s| !s.is_empty()) {
        match state.store.section_by_slug(slug).await {
            Ok(section) => filter.section_id = Some(section.id),
            Err(StoreError::NotFound) => {
                errors.push(invalid("section", format!("no section \"{slug}\"")))
            }
            Err(e) => return Err(e.into()),
        }
    }
    if let Some(slug) = query.tag.as_deref().filter(|s| !s.is_empty()) {
        match state.store.tag_by_slug(slug).await {
            Ok(tag) => filter.tag_id = Some(tag.id),
            Err(StoreError::NotFound) => errors.push(invalid("tag", format!("no tag \"{slug}\""))),
            Err(e) => return Err(e.into()),
        }
    }
    if let Some(slug) = query.author.as_deref().filter(|s| !s.is_empty()) {
        match state.store.staff_by_slug(slug).await {
            Ok(staff) => filter.author_id = Some(staff.id),
            Err(StoreError::NotFound) => {
                errors.push(invalid("author", format!("no author \"{slug}\"")))
            }
            Err(e) => return Err(e.into()),
        }
    }
    for (field, text, next) in [("from", &query.from, false), ("to", &query.to, true)] {
        if let Some(text) = text.as_deref().filter(|t| !t.is_empty()) {
            match day_start(&state, text, next) {
                Some(at) if field == "from" => filter.published_from = Some(at),
                Some(at) => filter.published_until = Some(at),
                None => errors.push(invalid(field, "must be a date, YYYY-MM-DD")),
            }
        }
    }
    if let Some(cursor) = query.after.as_deref().filter(|a| !a.is_empty()) {
        match crate::store::parse_list_cursor(cursor) {
            Some(after) => filter.after = Some(after),
            None => errors.push(invalid(
                "after",
                "must be the next cursor of a previous page",
            )),
        }
    }
    if !errors.is_empty() {
        return Err(HttpError::Validation(errors));
    }
    let mut cards = state.store.article_cards(&filter, limit + 1, 0).await?;
    let more = cards.len() as i64 > limit;
    cards.truncate(limit as usize);
    let next = more
        .then(|| cards.last().map(crate::store::list_cursor))
        .flatten();
    let sections = state.store.sections().await?;
    let items: Vec<Value> = cards
        .iter()
        .map(|card| card_json(&state, card, &sections))
        .collect();
    Ok(cacheable(
        &headers,
        json!({ "articles": items, "next": next }),
    ))
}

fn card_json(state: &AppState, card: &ArticleCard, sections: &[crate::store::Section]) -> Value {
    let url = state
        .urls
        .article(&card.language, &card.slug, card.published_at)
        .map(|p| state.urls.absolute(&p));
    let section = card
        .section_id
        .and_then(|id| sections.iter().find(|s| s.id == id))
        .map(|s| json!({ "slug": s.slug, "name": s.name(&card.language) }));
    json!({
        "id": card.id,
        "url": url,
        "language": card.language,
        "headline": card.headline,
        "standfirst": card.standfirst,
        "section": section,
        "authors": card.authors.iter().map(|a| json!({ "name": a.name, "slug": a.slug })).collect::<Vec<_>>(),
        "cover": card.cover_url.as_ref().map(|u| json!({ "url": state.urls.absolute(u), "alt": card.cover_alt })),
        "published_at": card.published_at.map(crate::i18n::rfc3339),
        "updated_at": card.content_updated_at.or(card.published_at).map(crate::i18n::rfc3339),
    })
}

#[utoipa::path(get, operation_id = "content_show_article", path = "/api/content/articles/{id}", tag = "content", params(("id" = i64, Path)),
    responses((status = 200, description = "One published story with its sanitized body", body = Object),
              (status = 304, description = "Not modified")))]
pub async fn show_article(
    State(state): State<AppState>,
    _reader: ContentReader,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Result<Response, HttpError> {
    let id = id
        .parse::<i64>()
        .map(ArticleId)
        .map_err(|_| HttpError::NotFound)?;
    let view = match state.store.article(id).await {
        Ok(view) if view.article.status == ArticleStatus::Published => view,
        Ok(_) | Err(StoreError::NotFound) => return Err(HttpError::NotFound),
        Err(e) => return Err(e.into()),
    };
    let article = &view.article;
    let url = state
        .urls
        .article_row(article)
        .map(|p| state.urls.absolute(&p));
    let translations: Vec<Value> = view
        .translations
        .iter()
        .filter(|t| t.status == ArticleStatus::Published)
        .map(|t| {
            json!({
                "id": t.id,
                "language": t.language,
                "url": state.urls.article(&t.language, &t.slug, t.published_at).map(|p| state.urls.absolute(&p)),
            })
        })
        .collect();
    let body = json!({
        "id": article.id,
        "url": url,
        "language": article.language,
        "headline": article.headline,
        "standfirst": article.standfirst,
        "body_html": state.urls.media_in_html(render_body(&article.body, state.locales.get(&article.language))),
        "section": view.section.as_ref().map(|s| json!({ "slug": s.slug, "name": s.name(&article.language) })),
        "tags": view.tags.iter().map(|t| json!({ "slug": t.slug, "name": t.name })).collect::<Vec<_>>(),
        "authors": view.authors.iter().map(|a| json!({ "name": a.name, "slug": a.slug })).collect::<Vec<_>>(),
        "cover": article.cover_url.as_ref().map(|u| json!({ "url": state.urls.absolute(u), "alt": article.cover_alt, "credit": article.cover_credit })),
        "sources": view.sources,
        "corrections": view.corrections.iter().map(|c| json!({ "kind": c.kind, "text": c.body, "at": crate::i18n::rfc3339(c.created_at) })).collect::<Vec<_>>(),
        "translations": translations,
        "published_at": article.published_at.map(crate::i18n::rfc3339),
        "updated_at": article.content_updated_at.or(article.published_at).map(crate::i18n::rfc3339),
    });
    Ok(cacheable(&headers, body))
}

#[utoipa::path(get, operation_id = "content_list_sections", path = "/api/content/sections", tag = "content",
    responses((status = 200, description = "Sections with their names in each language", body = Object),
              (status = 304, description = "Not modified")))]
pub async fn list_sections(
    State(state): State<AppState>,
    _reader: ContentReader,
    headers: HeaderMap,
) -> Result<Response, HttpError> {
    let sections: Vec<Value> = state
        .store
        .sections()
        .await?
        .iter()
        .map(|s| {
            let names: serde_json::Map<String, Value> = state
                .config
                .site
                .languages
                .iter()
                .map(|l| (l.clone(), json!(s.name(l))))
                .collect();
            json!({ "slug": s.slug, "names": names })
        })
        .collect();
    Ok(cacheable(&headers, json!({ "sections": sections })))
}

#[utoipa::path(get, operation_id = "content_list_pages", path = "/api/content/pages", tag = "content",
    responses((status = 200, description = "Published static pages", body = Object),
              (status = 304, description = "Not modified")))]
pub async fn list_pages(
    State(state): State<AppState>,
    _reader: ContentReader,
    headers: HeaderMap,
) -> Result<Response, HttpError> {
    let pages: Vec<Value> = state
        .store
        .published_pages()
        .await?
        .iter()
        .map(|p| {
            json!({
                "language": p.language,
                "slug": p.slug,
                "title": p.title,
                "url": state.urls.absolute(&state.urls.page(&p.language, &p.slug)),
                "body_html": state.urls.media_in_html(render_body(&p.body, state.locales.get(&p.language))),
            })
        })
        .collect();
    Ok(cacheable(&headers, json!({ "pages": pages })))
}

/// JSON with a strong `ETag` over its bytes; a matching `If-None-Match`
/// gets `304 Not Modified` and no body.
fn cacheable(headers: &HeaderMap, body: Value) -> Response {
    let bytes = body.to_string();
    let etag = format!(
        "\"{}\"",
        hex::encode(&Sha256::digest(bytes.as_bytes())[..16])
    );
    let matches = headers
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| {
            v.split(',')
                .any(|tag| tag.trim() == etag || tag.trim() == "*")
        });
    let mut response = if matches {
        StatusCode::NOT_MODIFIED.into_response()
    } else {
        (
            [(
                header::CONTENT_TYPE,
                HeaderValue::from_static("application/json"),
            )],
            bytes,
        )
            .into_response()
    };
    let response_headers = response.headers_mut();
    if let Ok(value) = HeaderValue::from_str(&etag) {
        response_headers.insert(header::ETAG, value);
    }
    response_headers.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("public, max-age=60, stale-while-revalidate=300"),
    );
    response_headers.insert(header::VARY, HeaderValue::from_static("Authorization"));
    // Public, read-only and without cookies: any site's scripts may read it.
    response_headers.insert(
        header::ACCESS_CONTROL_ALLOW_ORIGIN,
        HeaderValue::from_static("*"),
    );
    response
}
