//! HTTP: the router, its layers and the server loop.
//!
//! `site/` is the public site, `api/` the Admin API. Errors are mapped in
//! `error.rs`; handlers hold no SQL and call one service or store function.

pub mod admin;
pub mod api;
pub mod charts;
pub mod client_addr;
pub mod error;
pub mod fediverse;
pub mod form;
pub mod request_context;
pub mod same_origin;
pub mod server;
pub mod site;
pub mod webhooks;

use std::time::Duration;

use axum::Router;
use axum::extract::{Request, State};
use axum::http::StatusCode;
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use tokio::net::TcpListener;
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::limit::RequestBodyLimitLayer;
use tower_http::timeout::TimeoutLayer;
use tower_http::trace::TraceLayer;

use crate::app::AppState;
use crate::services;
use error::HttpError;

/// No page of ours needs a longer path or query; longer ones are probes.
const MAX_PATH_BYTES: usize = 1024;
const MAX_QUERY_BYTES: usize = 2048;
/// The hard cap on any request body: an image upload. Everything else is
/// held to axum's default 2 MB by its extractors.
const MAX_BODY_BYTES: usize = services::media::MAX_UPLOAD_BYTES + 64 * 1024;

pub fn router(state: AppState) -> Router {
    Router::new()
        .merge(site::router(&state))
        .nest("/api/admin", api::router())
        .nest("/api/content", api::content::router())
        .route(
            "/api/openapi.json",
            axum::routing::get(api::openapi::document),
        )
        .nest("/admin", admin::router())
        .nest("/webhooks", webhooks::router())
        .merge(fediverse::router())
        .route("/healthz", get(health))
        .layer(CatchPanicLayer::new())
        .layer(middleware::from_fn_with_state(
            state.clone(),
            same_origin::refuse_cross_site,
        ))
        .layer(middleware::from_fn_with_state(state.clone(), refuse_early))
        .layer(middleware::from_fn_with_state(
            state.clone(),
            site::error_pages,
        ))
        .layer(middleware::from_fn_with_state(
            state.clone(),
            site::security_headers,
        ))
        .layer(RequestBodyLimitLayer::new(MAX_BODY_BYTES))
        .layer(TimeoutLayer::with_status_code(
            StatusCode::SERVICE_UNAVAILABLE,
            Duration::from_secs(30),
        ))
        .layer(middleware::from_fn_with_state(
            state.clone(),
            request_context::attach,
        ))
        .layer(TraceLayer::new_for_http().make_span_with(request_span))
        .with_state(state)
}

/// The request's log span; `request_id` and `client.ip` are filled in by
/// [`request_context::attach`].
fn request_span(request: &Request) -> tracing::Span {
    tracing::info_span!(
        "request",
        request_id = tracing::field::Empty,
        method = %request.method(),
        uri = %request.uri().path(),
        client.ip = tracing::field::Empty,
    )
}

/// Requests refused before any handler runs (each middleware layer costs
/// every request, so these share one): probes with huge URIs, and, while
/// this node knows its database is gone, staff, the APIs and every form —
/// a 503 at once instead of each waiting for a connection. Public pages go
/// on to the page cache, which serves what it holds.
async fn refuse_early(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let uri = request.uri();
    if uri.path().len() > MAX_PATH_BYTES || uri.query().is_some_and(|q| q.len() > MAX_QUERY_BYTES) {
        return HttpError::UriTooLong.into_response();
    }
    if state.store.health().is_down() {
        let path = uri.path();
        let reading_the_site = matches!(
            *request.method(),
            axum::http::Method::GET | axum::http::Method::HEAD
        ) && !path.starts_with("/admin")
            && !path.starts_with("/api/");
        if path != "/healthz" && !reading_the_site {
            return HttpError::Unavailable(
                "the database is not answering; try again in a minute".into(),
            )
            .into_response();
        }
    }
    next.run(request).await
}

/// Liveness and database reachability, for load balancers. A node whose
/// database is gone still serves the pages it holds, so it says "degraded"
/// with a 200 rather than asking to be taken out of rotation.
async fn health(State(state): State<AppState>) -> Response {
    match state.store.check(state.clock.now()).await {
        Ok(()) => {
            // Searches still work while the index builds (the database
            // answers them), only slower: worth telling, not failing.
            let search = if state.search.is_ready() {
                "ready"
            } else {
                "building (the database answers searches meanwhile)"
            };
            (StatusCode::OK, format!("ok\nsearch index: {search}\n")).into_response()
        }
        // The outage itself is logged once, when the check first fails.
        Err(_) => {
            let since = match state.store.health().status() {
                crate::store::DatabaseStatus::Down { since } => crate::i18n::rfc3339(since),
                crate::store::DatabaseStatus::Answering { .. } => String::new(),
            };
            (
                StatusCode::OK,
                format!(
                    "degraded\ndatabase: not answering since {since}; cached pages are served, the rest get 503\n"
                ),
            )
                .into_response()
        }
    }
}

/// Serves until `shutdown` resolves; the listener is bound by the caller so tests can use port 0.
pub async fn serve(
    listener: TcpListener,
    state: AppState,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let limits = server::ConnectionLimits::from_config(&state.config);
    server::run(listener, router(state), limits, shutdown).await
}
