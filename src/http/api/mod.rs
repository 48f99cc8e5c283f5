//! The Admin API: JSON over HTTP with `Authorization: Bearer <key>`.
//! Automation, importers and tests use it; see docs/API.md.

mod articles;
pub mod content;
mod donations;
pub mod openapi;
mod taxonomy;

use axum::Router;
use axum::extract::rejection::JsonRejection;
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::request::Parts;
use axum::http::{Method, header};
use axum::routing::{get, post, put};
use serde::de::DeserializeOwned;

use crate::app::AppState;
use crate::http::client_addr::ClientAddr;
use crate::http::error::HttpError;
use crate::services::api_keys::{self, Scope};
use crate::store::ApiKey;

pub fn router() -> Router<AppState> {
    Router::new()
        .route(
            "/articles",
            get(articles::list_articles).post(articles::create_article),
        )
        .route(
            "/articles/{id}",
            get(articles::find_article).patch(articles::update_article),
        )
        .route("/articles/{id}/publish", post(articles::publish_article))
        .route(
            "/articles/{id}/unpublish",
            post(articles::unpublish_article),
        )
        .route("/articles/{id}/corrections", post(articles::add_correction))
        .route("/articles/{id}/live", post(articles::start_live))
        .route(
            "/articles/{id}/live/updates",
            post(articles::add_live_update),
        )
        .route("/articles/{id}/live/close", post(articles::close_live))
        .route("/articles/{id}/revisions", get(articles::list_revisions))
        .route("/donations", get(donations::list_donations))
        .route("/sections", get(taxonomy::list_sections))
        .route("/sections/{slug}", put(taxonomy::name_section))
        .route("/tags", get(taxonomy::list_tags))
        .route("/tags/{slug}", put(taxonomy::name_tag))
        .route("/staff", get(taxonomy::list_staff))
        .fallback(|| async { HttpError::NotFound })
}

/// A caller holding a live Admin API key.
pub struct ApiCaller(pub ApiKey);

impl ApiCaller {
    /// How revisions record who saved them.
    pub fn label(&self) -> String {
        format!("api-key:{}", self.0.name)
    }

    /// The caller as the audit log names it.
    pub fn who(&self, client: ClientAddr) -> crate::services::audit::Who {
        crate::services::audit::Who {
            staff: self.0.staff_id,
            label: format!("api key #{} {}", self.0.id, self.0.name),
            ip: client.to_string(),
        }
    }
}

impl FromRequestParts<AppState> for ApiCaller {
    type Rejection = HttpError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, HttpError> {
        let token = parts
            .headers
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "))
            .ok_or(HttpError::Unauthorized)?;
        let Some(key) = api_keys::authenticate(&state.store, token.trim()).await? else {
            return Err(HttpError::Unauthorized);
        };
        // The scope follows from the request itself, so no route can forget to ask.
        let scope = if parts.uri.path().starts_with("/donations") {
            Scope::DonationsRead
        } else if parts.method == Method::GET || parts.method == Method::HEAD {
            Scope::ContentRead
        } else {
            Scope::ContentWrite
        };
        if !api_keys::allows(&key, scope) {
            return Err(HttpError::Forbidden(format!(
                "this key does not have the {} scope",
                scope.as_str()
            )));
        }
        Ok(ApiCaller(key))
    }
}

/// A query string whose rejections use our error envelope (422, JSON),
/// like the body's.
pub struct ApiQuery<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequestParts<S> for ApiQuery<T> {
    type Rejection = HttpError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, HttpError> {
        match axum::extract::Query::<T>::from_request_parts(parts, state).await {
            Ok(axum::extract::Query(value)) => Ok(ApiQuery(value)),
            Err(rejection) => Err(HttpError::Validation(vec![crate::services::FieldError {
                field: "query".into(),
                message: rejection
                    .body_text()
                    .replace("Failed to deserialize query string: ", ""),
            }])),
        }
    }
}

/// JSON body whose rejections use our error envelope, naming what is wrong.
pub struct ApiJson<T>(pub T);

/// An optional JSON body: no body at all means the defaults.
pub struct OptionalApiJson<T>(pub T);

impl<T: DeserializeOwned + Default> FromRequest<AppState> for OptionalApiJson<T> {
    type Rejection = HttpError;

    async fn from_request(req: Request, state: &AppState) -> Result<Self, HttpError> {
        let (parts, body) = req.into_parts();
        let bytes =
            axum::body::Bytes::from_request(Request::from_parts(parts.clone(), body), state)
                .await
                .map_err(|e| HttpError::BadRequest(e.body_text()))?;
        if bytes.iter().all(u8::is_ascii_whitespace) {
            return Ok(OptionalApiJson(T::default()));
        }
        let req = Request::from_parts(parts, axum::body::Body::from(bytes));
        ApiJson::<T>::from_request(req, state)
            .await
            .map(|ApiJson(value)| OptionalApiJson(value))
    }
}

impl<T: DeserializeOwned> FromRequest<AppState> for ApiJson<T> {
    type Rejection = HttpError;

    async fn from_request(req: Request, state: &AppState) -> Result<Self, HttpError> {
        match axum::Json::<T>::from_request(req, state).await {
            Ok(axum::Json(value)) => Ok(ApiJson(value)),
            Err(JsonRejection::JsonDataError(e)) => {
                Err(HttpError::Validation(vec![crate::services::FieldError {
                    field: "body".into(),
                    message: e.body_text().replace(
                        "Failed to deserialize the JSON body into the target type: ",
                        "",
                    ),
                }]))
            }
            Err(e) => Err(HttpError::BadRequest(e.body_text())),
        }
    }
}
