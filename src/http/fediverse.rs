//! The publication in the Fediverse: WebFinger, the actor, its inbox,
//! outbox and followers, and each story as an ActivityStreams object.

use axum::Router;
use axum::body::Bytes;
use axum::extract::{OriginalUri, Path, Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use serde_json::{Value, json};

use crate::app::AppState;
use crate::http::error::HttpError;
use crate::services::fediverse::{self, FediverseError};
use crate::store::{ArticleId, ArticleStatus, StoreError};

/// Activities are a few kilobytes; Mastodon refuses bodies past 1 MB.
const MAX_INBOX_BYTES: usize = 256 * 1024;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/.well-known/webfinger", get(webfinger))
        .route("/fediverse/actor", get(actor))
        .route(
            "/fediverse/inbox",
            post(inbox).layer(axum::extract::DefaultBodyLimit::max(MAX_INBOX_BYTES)),
        )
        .route("/fediverse/outbox", get(outbox))
        .route("/fediverse/followers", get(followers))
        .route("/fediverse/following", get(following))
        .route("/fediverse/articles/{id}", get(article))
}

impl From<FediverseError> for HttpError {
    fn from(err: FediverseError) -> Self {
        match err {
            FediverseError::Off => HttpError::NotFound,
            FediverseError::Store(store) => store.into(),
            // Senders learn that they were refused, never what our fetches met.
            FediverseError::Signature(_)
            | FediverseError::WrongSigner
            | FediverseError::KeyFetch(_)
            | FediverseError::Replay => {
                tracing::warn!(error = %err, "inbox request refused");
                HttpError::Unauthorized
            }
            FediverseError::Busy => {
                tracing::warn!("inbox busy: too many key fetches at once");
                HttpError::Unavailable("busy; try again later".into())
            }
            FediverseError::Malformed(what) => {
                tracing::warn!(error = %err, "inbox request refused");
                HttpError::BadRequest(format!("malformed activity: {what}"))
            }
        }
    }
}

fn activity_json(value: Value) -> Response {
    (
        [(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/activity+json; charset=utf-8"),
        )],
        value.to_string(),
    )
        .into_response()
}

#[derive(serde::Deserialize)]
struct WebfingerQuery {
    resource: Option<String>,
}

async fn webfinger(
    State(state): State<AppState>,
    Query(query): Query<WebfingerQuery>,
) -> Result<Response, HttpError> {
    let resource = query
        .resource
        .ok_or_else(|| HttpError::BadRequest("resource is required".into()))?;
    let jrd = fediverse::webfinger(&state, &resource)?.ok_or(HttpError::NotFound)?;
    Ok((
        [
            (
                header::CONTENT_TYPE,
                HeaderValue::from_static("application/jrd+json; charset=utf-8"),
            ),
            (
                header::ACCESS_CONTROL_ALLOW_ORIGIN,
                HeaderValue::from_static("*"),
            ),
        ],
        jrd.to_string(),
    )
        .into_response())
}

fn wants_html(headers: &HeaderMap) -> bool {
    headers
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| {
            v.contains("text/html") && !v.contains("activity+json") && !v.contains("ld+json")
        })
}

/// People who open the actor in a browser land on the site.
async fn actor(State(state): State<AppState>, headers: HeaderMap) -> Result<Response, HttpError> {
    if wants_html(&headers) {
        return Ok(Redirect::to("/").into_response());
    }
    Ok(activity_json(fediverse::actor_document(&state).await?))
}

async fn inbox(
    State(state): State<AppState>,
    OriginalUri(uri): OriginalUri,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, HttpError> {
    let path = uri
        .path_and_query()
        .map(|p| p.as_str().to_owned())
        .unwrap_or_else(|| uri.path().to_owned());
    fediverse::receive(&state, &path, &headers, &body).await?;
    Ok(StatusCode::ACCEPTED.into_response())
}

#[derive(serde::Deserialize)]
struct OutboxQuery {
    page: Option<String>,
}

async fn outbox(
    State(state): State<AppState>,
    axum::extract::Query(query): axum::extract::Query<OutboxQuery>,
) -> Result<Response, HttpError> {
    let Some(page) = query.page else {
        return Ok(activity_json(fediverse::outbox(&state).await?));
    };
    let page = match page.parse::<i64>() {
        Ok(n) if (1..=100_000).contains(&n) && n.to_string() == page => n,
        _ => return Err(HttpError::NotFound),
    };
    match fediverse::outbox_page(&state, page).await? {
        Some(json) => Ok(activity_json(json)),
        None => Err(HttpError::NotFound),
    }
}

async fn followers(State(state): State<AppState>) -> Result<Response, HttpError> {
    Ok(activity_json(
        fediverse::followers_collection(&state).await?,
    ))
}

async fn following(State(state): State<AppState>) -> Result<Response, HttpError> {
    fediverse::ensure_on(&state)?;
    Ok(activity_json(json!({
        "@context": "https://www.w3.org/ns/activitystreams",
        "id": state.urls.absolute("/fediverse/following"),
        "type": "OrderedCollection",
        "totalItems": 0,
    })))
}

/// A story as an `Article`; a browser is sent to the story's page.
async fn article(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    headers: HeaderMap,
) -> Result<Response, HttpError> {
    fediverse::ensure_on(&state)?;
    let article = match state.store.article_row(ArticleId(id)).await {
        Ok(article) if article.status == ArticleStatus::Published => article,
        Ok(_) | Err(StoreError::NotFound) => return Err(HttpError::NotFound),
        Err(e) => return Err(e.into()),
    };
    if wants_html(&headers) {
        let path = state
            .urls
            .article_row(&article)
            .ok_or(HttpError::NotFound)?;
        return Ok(Redirect::to(&path).into_response());
    }
    let mut object = fediverse::article_object(&state, &article);
    object["@context"] = json!("https://www.w3.org/ns/activitystreams");
    Ok(activity_json(object))
}
