//! What we know of every request, in one layer (each layer costs every
//! request, pages from memory included): who sent it (`ClientAddr`), under
//! which id our logs and the answer's `X-Request-Id` know it, and, for
//! `/metrics`, its route, status and time.

use axum::extract::{MatchedPath, Request, State};
use axum::http::HeaderValue;
use axum::middleware::Next;
use axum::response::Response;

use super::client_addr::{ClientAddr, of_request};
use crate::app::AppState;

const REQUEST_ID: &str = "x-request-id";

pub async fn attach(State(state): State<AppState>, mut request: Request, next: Next) -> Response {
    let started = std::time::Instant::now();
    let client = of_request(&state, &request);
    request.extensions_mut().insert(ClientAddr(client));
    // An id of ours; one a client sent is replaced: nobody chooses what our logs say.
    let mut hex = [0u8; 16];
    let _ = hex::encode_to_slice(rand::random::<u64>().to_be_bytes(), &mut hex);
    let id = std::str::from_utf8(&hex).unwrap_or("0");
    let span = tracing::Span::current();
    span.record("client.ip", tracing::field::display(client));
    span.record("request_id", id);
    let id = HeaderValue::from_bytes(&hex).unwrap_or(HeaderValue::from_static("0"));
    request.headers_mut().insert(REQUEST_ID, id.clone());
    // The router's pattern (set before route layers run), never the path.
    let route = crate::metrics::Route(request.extensions().get::<MatchedPath>().cloned());
    let method = known_method(request.method().as_str());
    let mut response = next.run(request).await;
    response.headers_mut().insert(REQUEST_ID, id);
    state
        .metrics
        .record_request(route, method, response.status().as_u16(), started.elapsed());
    response
}

/// Strangers may send any method: only the known ones become labels.
fn known_method(method: &str) -> &'static str {
    match method {
        "GET" => "GET",
        "HEAD" => "HEAD",
        "POST" => "POST",
        "PUT" => "PUT",
        "PATCH" => "PATCH",
        "DELETE" => "DELETE",
        "OPTIONS" => "OPTIONS",
        _ => "other",
    }
}
