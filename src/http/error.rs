//! The one error type of the HTTP layer and its mapping to responses.
//!
//! Handlers return `Result<_, HttpError>`; lower layers convert with `?`.
//! Responses carry a JSON envelope `{"errors":[{"field"?, "detail"}]}`; the
//! public site swaps it for an HTML error page (see `site::error_pages`).
//! A 5xx shows a generic message and logs the cause once, here.

use axum::Json;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde_json::json;

use crate::services::{FieldError, ServiceError};
use crate::store::StoreError;

#[derive(Debug, thiserror::Error)]
pub enum HttpError {
    /// 404: no such page or record. Also used where saying "forbidden" would leak existence.
    #[error("not found")]
    NotFound,
    /// 400: the request itself cannot be read (bad encoding, malformed JSON).
    #[error("{0}")]
    BadRequest(String),
    /// 401: no or unknown credentials.
    #[error("authentication required")]
    Unauthorized,
    /// 403: signed in, but this role may not do this, or the CSRF token is wrong.
    #[error("{0}")]
    Forbidden(String),
    /// 429: too many attempts; try again later.
    #[error("{0}")]
    TooManyRequests(String),
    /// 409: the change collides with another one.
    #[error("{0}")]
    Conflict(String),
    /// 413: an upload over the size limit.
    #[error("{0}")]
    PayloadTooLarge(String),
    /// 414: path or query longer than any page of ours needs.
    #[error("address too long")]
    UriTooLong,
    /// 422: readable input with invalid fields, each named.
    #[error("invalid input")]
    Validation(Vec<FieldError>),
    /// 503: busy or a provider is down; try again shortly (sent with `Retry-After`).
    #[error("{0}")]
    Unavailable(String),
    /// 500: our fault; the cause goes to the log, not to the client.
    #[error("internal error: {0}")]
    Internal(#[source] anyhow::Error),
}

impl HttpError {
    pub fn status_code(&self) -> StatusCode {
        match self {
            HttpError::NotFound => StatusCode::NOT_FOUND,
            HttpError::BadRequest(_) => StatusCode::BAD_REQUEST,
            HttpError::Unauthorized => StatusCode::UNAUTHORIZED,
            HttpError::Forbidden(_) => StatusCode::FORBIDDEN,
            HttpError::TooManyRequests(_) => StatusCode::TOO_MANY_REQUESTS,
            HttpError::Conflict(_) => StatusCode::CONFLICT,
            HttpError::PayloadTooLarge(_) => StatusCode::PAYLOAD_TOO_LARGE,
            HttpError::UriTooLong => StatusCode::URI_TOO_LONG,
            HttpError::Validation(_) => StatusCode::UNPROCESSABLE_ENTITY,
            HttpError::Unavailable(_) => StatusCode::SERVICE_UNAVAILABLE,
            HttpError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    pub fn internal(err: impl Into<anyhow::Error>) -> Self {
        HttpError::Internal(err.into())
    }
}

impl IntoResponse for HttpError {
    fn into_response(self) -> Response {
        let status = self.status_code();
        let errors = match &self {
            HttpError::Validation(fields) => fields
                .iter()
                .map(|f| json!({ "field": f.field, "detail": f.message }))
                .collect(),
            HttpError::Internal(cause) => {
                tracing::error!(error = ?cause, "request failed");
                vec![json!({ "detail": "internal server error" })]
            }
            other => vec![json!({ "detail": other.to_string() })],
        };
        let mut response = (status, Json(json!({ "errors": errors }))).into_response();
        if status == StatusCode::SERVICE_UNAVAILABLE {
            response.headers_mut().insert(
                axum::http::header::RETRY_AFTER,
                axum::http::HeaderValue::from_static("30"),
            );
        }
        if status == StatusCode::TOO_MANY_REQUESTS {
            response.headers_mut().insert(
                axum::http::header::RETRY_AFTER,
                axum::http::HeaderValue::from_static("10"),
            );
        }
        if status == StatusCode::UNAUTHORIZED {
            response.headers_mut().insert(
                axum::http::header::WWW_AUTHENTICATE,
                axum::http::HeaderValue::from_static("Bearer"),
            );
        }
        response
    }
}

impl From<StoreError> for HttpError {
    fn from(err: StoreError) -> Self {
        match err {
            StoreError::NotFound => HttpError::NotFound,
            StoreError::Conflict { constraint } => {
                HttpError::Conflict(format!("already exists ({constraint})"))
            }
            StoreError::StaleVersion => {
                HttpError::Conflict("changed by someone else; reload and try again".into())
            }
            StoreError::Unavailable(cause) => {
                tracing::error!(error = %cause, "database unavailable");
                HttpError::Unavailable("the site is very busy; please try again in a moment".into())
            }
            other => HttpError::internal(other),
        }
    }
}

impl From<ServiceError> for HttpError {
    fn from(err: ServiceError) -> Self {
        match err {
            ServiceError::Validation(fields) => HttpError::Validation(fields),
            ServiceError::NotFound => HttpError::NotFound,
            ServiceError::Forbidden => HttpError::Forbidden("your role does not allow this".into()),
            ServiceError::Conflict(message) => HttpError::Conflict(message),
            ServiceError::Throttled(message) => HttpError::TooManyRequests(message),
            ServiceError::ProviderUnavailable(message) => HttpError::Unavailable(message),
            ServiceError::StaleVersion { .. } => HttpError::Conflict(
                "the article changed since you opened it; reload and check the changes".into(),
            ),
            ServiceError::InvalidTransition { from, to } => {
                HttpError::Conflict(format!("an article that is {from} cannot become {to}"))
            }
            ServiceError::Store(store) => store.into(),
            ServiceError::Email(email) => HttpError::internal(email),
        }
    }
}

impl From<minijinja::Error> for HttpError {
    fn from(err: minijinja::Error) -> Self {
        HttpError::internal(err)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::body::to_bytes;

    async fn body_of(err: HttpError) -> (StatusCode, serde_json::Value) {
        let response = err.into_response();
        let status = response.status();
        let bytes = to_bytes(response.into_body(), 10_000).await.unwrap();
        (status, serde_json::from_slice(&bytes).unwrap())
    }

    #[tokio::test]
    async fn maps_each_layer_to_its_status() {
        let (status, _) = body_of(StoreError::NotFound.into()).await;
        assert_eq!(status, StatusCode::NOT_FOUND);
        let (status, _) = body_of(StoreError::StaleVersion.into()).await;
        assert_eq!(status, StatusCode::CONFLICT);
        let (status, body) = body_of(
            ServiceError::Validation(vec![FieldError {
                field: "headline".into(),
                message: "is required".into(),
            }])
            .into(),
        )
        .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(body["errors"][0]["field"], "headline");
    }

    #[tokio::test]
    async fn internal_errors_do_not_leak_their_cause() {
        let (status, body) =
            body_of(HttpError::internal(anyhow::anyhow!("password=hunter2"))).await;
        assert_eq!(status, StatusCode::INTERNAL_SERVER_ERROR);
        assert!(!body.to_string().contains("hunter2"));
    }
}
