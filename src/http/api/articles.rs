//! Articles through the Admin API.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use serde::Deserialize;
use serde_json::{Value, json};

use super::{ApiCaller, ApiJson, ApiQuery, OptionalApiJson};
use crate::app::AppState;
use crate::http::client_addr::ClientAddr;
use crate::http::error::HttpError;
use crate::services::FieldError;
use crate::services::articles::{self as service, ArticleInput, CorrectionInput, PublishInput};
use crate::services::audit;
use crate::store::{ArticleFilter, ArticleId, ArticleStatus, ArticleView};

/// The API's article shape: the stored fields plus the public `url`.
fn article_json(state: &AppState, view: &ArticleView) -> Value {
    let mut value = serde_json::to_value(view).unwrap_or(Value::Null);
    let url = (view.article.status == ArticleStatus::Published)
        .then(|| state.urls.article_row(&view.article))
        .flatten()
        .map(|p| state.urls.absolute(&p));
    if let Value::Object(map) = &mut value {
        map.insert("url".into(), json!(url));
        map.insert(
            "section".into(),
            json!(view.section.as_ref().map(|s| &s.slug)),
        );
    }
    value
}

fn parse_id(raw: &str) -> Result<ArticleId, HttpError> {
    raw.parse::<i64>()
        .ok()
        .filter(|id| *id > 0)
        .map(ArticleId)
        .ok_or(HttpError::NotFound)
}

#[utoipa::path(post, path = "/api/admin/articles", tag = "admin", request_body = ArticleInput,
    responses((status = 201, description = "The new article", body = Object)), security(("api_key" = [])))]
pub async fn create_article(
    State(state): State<AppState>,
    caller: ApiCaller,
    ApiJson(input): ApiJson<ArticleInput>,
) -> Result<(StatusCode, Json<Value>), HttpError> {
    let view = service::create_article(&state, input, &caller.label()).await?;
    Ok((StatusCode::CREATED, Json(article_json(&state, &view))))
}

#[utoipa::path(get, path = "/api/admin/articles/{id}", tag = "admin", params(("id" = i64, Path)),
    responses((status = 200, description = "The article in any status", body = Object)), security(("api_key" = [])))]
pub async fn find_article(
    State(state): State<AppState>,
    _caller: ApiCaller,
    Path(id): Path<String>,
) -> Result<Json<Value>, HttpError> {
    let view = state.store.article(parse_id(&id)?).await?;
    Ok(Json(article_json(&state, &view)))
}

#[utoipa::path(patch, path = "/api/admin/articles/{id}", tag = "admin", params(("id" = i64, Path)), request_body = ArticleInput,
    responses((status = 200, description = "The article as saved; fields not sent keep their value", body = Object)), security(("api_key" = [])))]
pub async fn update_article(
    State(state): State<AppState>,
    caller: ApiCaller,
    Path(id): Path<String>,
    ApiJson(input): ApiJson<ArticleInput>,
) -> Result<Json<Value>, HttpError> {
    let view = service::update_article(&state, parse_id(&id)?, input, &caller.label()).await?;
    Ok(Json(article_json(&state, &view)))
}

#[utoipa::path(post, path = "/api/admin/articles/{id}/publish", tag = "admin", params(("id" = i64, Path)),
    request_body(content = Option<PublishInput>, description = "Optional: `published_at` in the past publishes a backfill as history, sent nowhere"),
    responses((status = 200, description = "The published article", body = Object)), security(("api_key" = [])))]
pub async fn publish_article(
    State(state): State<AppState>,
    caller: ApiCaller,
    client: ClientAddr,
    Path(id): Path<String>,
    OptionalApiJson(input): OptionalApiJson<PublishInput>,
) -> Result<Json<Value>, HttpError> {
    let view = service::publish_article(&state, parse_id(&id)?, &caller.label(), input).await?;
    audit::record(
        &state,
        &caller.who(client),
        "published",
        &format!("article {}", view.article.id),
        &view.article.headline,
    )
    .await;
    Ok(Json(article_json(&state, &view)))
}

#[utoipa::path(post, path = "/api/admin/articles/{id}/unpublish", tag = "admin", params(("id" = i64, Path)),
    responses((status = 200, description = "The article, taken down", body = Object)), security(("api_key" = [])))]
pub async fn unpublish_article(
    State(state): State<AppState>,
    caller: ApiCaller,
    client: ClientAddr,
    Path(id): Path<String>,
) -> Result<Json<Value>, HttpError> {
    let view = service::unpublish_article(&state, parse_id(&id)?, &caller.label()).await?;
    audit::record(
        &state,
        &caller.who(client),
        "unpublished",
        &format!("article {}", view.article.id),
        &view.article.headline,
    )
    .await;
    Ok(Json(article_json(&state, &view)))
}

#[utoipa::path(post, path = "/api/admin/articles/{id}/corrections", tag = "admin", params(("id" = i64, Path)), request_body = CorrectionInput,
    responses((status = 201, description = "The correction, shown under the story", body = Object)), security(("api_key" = [])))]
pub async fn add_correction(
    State(state): State<AppState>,
    _caller: ApiCaller,
    Path(id): Path<String>,
    ApiJson(input): ApiJson<CorrectionInput>,
) -> Result<(StatusCode, Json<Value>), HttpError> {
    let correction = service::add_correction(&state, parse_id(&id)?, input).await?;
    Ok((StatusCode::CREATED, Json(json!(correction))))
}

#[utoipa::path(post, path = "/api/admin/articles/{id}/live", tag = "admin", params(("id" = i64, Path)),
    responses((status = 200, description = "The story is a live page (again)", body = Object)), security(("api_key" = [])))]
pub async fn start_live(
    State(state): State<AppState>,
    _caller: ApiCaller,
    Path(id): Path<String>,
) -> Result<Json<Value>, HttpError> {
    let id = parse_id(&id)?;
    crate::services::live::start(&state, id).await?;
    Ok(Json(json!({ "live": true })))
}

#[utoipa::path(post, path = "/api/admin/articles/{id}/live/updates", tag = "admin", params(("id" = i64, Path)), request_body = crate::services::live::UpdateInput,
    responses((status = 201, description = "The update, pushed to readers with the page open", body = Object)), security(("api_key" = [])))]
pub async fn add_live_update(
    State(state): State<AppState>,
    caller: ApiCaller,
    Path(id): Path<String>,
    ApiJson(input): ApiJson<crate::services::live::UpdateInput>,
) -> Result<(StatusCode, Json<Value>), HttpError> {
    let id = parse_id(&id)?;
    let update = crate::services::live::add_update(&state, id, caller.0.staff_id, &input).await?;
    Ok((StatusCode::CREATED, Json(json!({ "id": update }))))
}

#[utoipa::path(post, path = "/api/admin/articles/{id}/live/close", tag = "admin", params(("id" = i64, Path)), request_body = crate::services::live::CloseInput,
    responses((status = 200, description = "The coverage ended", body = Object)), security(("api_key" = [])))]
pub async fn close_live(
    State(state): State<AppState>,
    _caller: ApiCaller,
    Path(id): Path<String>,
    ApiJson(input): ApiJson<crate::services::live::CloseInput>,
) -> Result<Json<Value>, HttpError> {
    crate::services::live::close(&state, parse_id(&id)?, &input.summary).await?;
    Ok(Json(json!({ "live": false })))
}

#[utoipa::path(get, path = "/api/admin/articles/{id}/revisions", tag = "admin", params(("id" = i64, Path)),
    responses((status = 200, description = "Saved versions, newest first", body = Object)), security(("api_key" = [])))]
pub async fn list_revisions(
    State(state): State<AppState>,
    _caller: ApiCaller,
    Path(id): Path<String>,
) -> Result<Json<Value>, HttpError> {
    let id = parse_id(&id)?;
    state.store.article_row(id).await?;
    let revisions: Vec<Value> = state
        .store
        .revisions(id)
        .await?
        .into_iter()
        .map(|r| {
            json!({
                "version": r.version,
                "saved_by": r.saved_by,
                "created_at": r.created_at,
                "snapshot": serde_json::from_str::<Value>(&r.snapshot).unwrap_or(Value::Null),
            })
        })
        .collect();
    Ok(Json(json!({ "revisions": revisions })))
}

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ListQuery {
    /// draft, in_review, scheduled, published or unpublished
    status: Option<String>,
    language: Option<String>,
    /// Section slug.
    section: Option<String>,
    /// Staff slug.
    author: Option<String>,
    /// Part of the headline.
    q: Option<String>,
    #[param(minimum = 1, maximum = 200)]
    limit: Option<i64>,
    #[param(minimum = 0)]
    offset: Option<i64>,
    /// The `next` cursor of the previous page: keyset paging, constant cost at any depth.
    after: Option<String>,
}

#[utoipa::path(get, path = "/api/admin/articles", tag = "admin", params(ListQuery),
    responses((status = 200, description = "Articles in any status, newest first, with a `next` cursor", body = Object)), security(("api_key" = [])))]
pub async fn list_articles(
    State(state): State<AppState>,
    _caller: ApiCaller,
    ApiQuery(query): ApiQuery<ListQuery>,
) -> Result<Json<Value>, HttpError> {
    let mut errors = Vec::new();
    let status = match query.status.as_deref() {
        None | Some("") => None,
        Some(s) => {
            let parsed = ArticleStatus::parse(s);
            if parsed.is_none() {
                errors.push(FieldError {
                    field: "status".into(),
                    message: "must be draft, in_review, scheduled, published or unpublished".into(),
                });
            }
            parsed
        }
    };
    let limit = query.limit.unwrap_or(50);
    if !(1..=200).contains(&limit) {
        errors.push(FieldError {
            field: "limit".into(),
            message: "must be from 1 to 200".into(),
        });
    }
    let offset = query.offset.unwrap_or(0);
    if offset < 0 {
        errors.push(FieldError {
            field: "offset".into(),
            message: "must not be negative".into(),
        });
    }
    let section_id = match query.section.as_deref() {
        None | Some("") => None,
        Some(slug) => match state.store.section_by_slug(slug).await {
            Ok(s) => Some(s.id),
            Err(_) => {
                errors.push(FieldError {
                    field: "section".into(),
                    message: format!("no section \"{slug}\""),
                });
                None
            }
        },
    };
    let author_id = match query.author.as_deref() {
        None | Some("") => None,
        Some(slug) => match state.store.staff_by_slug(slug).await {
            Ok(s) => Some(s.id),
            Err(_) => {
                errors.push(FieldError {
                    field: "author".into(),
                    message: format!("no staff member \"{slug}\""),
                });
                None
            }
        },
    };
    let after = match query.after.as_deref().filter(|a| !a.is_empty()) {
        Some(cursor) => {
            let parsed = crate::store::parse_list_cursor(cursor);
            if parsed.is_none() {
                errors.push(FieldError {
                    field: "after".into(),
                    message: "must be the next cursor of a previous page".into(),
                });
            }
            parsed
        }
        None => None,
    };
    if !errors.is_empty() {
        return Err(HttpError::Validation(errors));
    }
    let filter = ArticleFilter {
        after,
        status,
        language: query.language.filter(|l| !l.is_empty()),
        section_id,
        author_id,
        headline_contains: query
            .q
            .filter(|q| !q.trim().is_empty())
            .map(|q| q.chars().take(200).collect()),
        ..Default::default()
    };
    // Counting every match is what made deep lists slow: a cursor page skips it.
    let total = if after.is_none() {
        Some(state.store.count_articles(&filter).await?)
    } else {
        None
    };
    let mut cards = state
        .store
        .article_cards(&filter, limit + 1, offset)
        .await?;
    let more = cards.len() as i64 > limit;
    cards.truncate(limit as usize);
    let next = more
        .then(|| cards.last().map(crate::store::list_cursor))
        .flatten();
    let items: Vec<Value> = cards
        .into_iter()
        .map(|card| {
            let url = (card.status == ArticleStatus::Published)
                .then(|| {
                    state
                        .urls
                        .article(&card.language, &card.slug, card.published_at)
                })
                .flatten()
                .map(|p| state.urls.absolute(&p));
            json!({
                "id": card.id,
                "headline": card.headline,
                "language": card.language,
                "slug": card.slug,
                "status": card.status,
                "version": card.version,
                "updated_at": card.updated_at,
                "published_at": card.published_at,
                "authors": card.authors,
                "url": url,
            })
        })
        .collect();
    Ok(Json(
        json!({ "articles": items, "total": total, "limit": limit, "offset": offset, "next": next }),
    ))
}
