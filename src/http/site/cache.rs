//! The page cache as readers meet it: one key per page, conditional and
//! compressed answers, and one render for many waiting readers. The cache
//! itself is `crate::page_cache`.

use axum::body::{Body, to_bytes};
use axum::extract::{Request, State};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use crate::app::AppState;
use crate::http::error::HttpError;
pub use crate::page_cache::CacheTags;
use crate::page_cache::{CachedPage, MAX_CACHED_BYTES};

/// The one spelling of `?page=N` we serve: no `page=1` (that is the bare
/// path), no leading zeros. Other spellings are sent to it.
fn canonical_page_redirect(request: &Request) -> Option<Response> {
    let page = request.uri().query()?.strip_prefix("page=")?;
    if page.is_empty() || page.contains('&') || !page.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let trimmed = page.trim_start_matches('0');
    let path = request.uri().path();
    let target = match trimmed {
        "" => return Some(StatusCode::NOT_FOUND.into_response()),
        "1" => path.to_owned(),
        t if t != page => format!("{path}?page={t}"),
        _ => return None,
    };
    Some(axum::response::Redirect::permanent(&target).into_response())
}

/// The cache key of a request, or `None` when the request must not use the cache.
/// Only the `page` parameter is part of a key; other query strings bypass the
/// cache so random parameters cannot flood it.
fn cache_key(request: &Request) -> Option<String> {
    if request.method() != Method::GET && request.method() != Method::HEAD {
        return None;
    }
    let path = request.uri().path();
    match request.uri().query() {
        None | Some("") => Some(path.to_owned()),
        Some(query) => {
            let page = query.strip_prefix("page=")?;
            (!page.is_empty() && page.len() < 6 && page.bytes().all(|b| b.is_ascii_digit()))
                .then(|| format!("{path}?page={page}"))
        }
    }
}

fn accepts_gzip(headers: &HeaderMap) -> bool {
    headers
        .get(header::ACCEPT_ENCODING)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.split(',').any(|enc| enc.trim().starts_with("gzip")))
}

/// Browsers ask again each time (an ETag makes that cheap); a CDN may keep
/// the page for `cdn.shared_max_age_seconds`, serve it stale for five
/// minutes while it fetches the next, and for a day when newsdesk is down.
/// Made once, with the app state.
pub fn cache_control(config: &crate::config::Config) -> HeaderValue {
    let shared = config.cdn.shared_max_age_seconds;
    HeaderValue::from_str(&format!(
        "public, max-age=0, s-maxage={shared}, stale-while-revalidate=300, stale-if-error=86400"
    ))
    .unwrap_or(HeaderValue::from_static("public, max-age=0"))
}

fn respond(
    state: &AppState,
    page: &CachedPage,
    request_headers: &HeaderMap,
    head: bool,
) -> Response {
    let not_modified = request_headers
        .get(header::IF_NONE_MATCH)
        .is_some_and(|tag| tag.as_bytes() == page.etag.as_bytes());
    let gzip = page.gzip.as_ref().filter(|_| accepts_gzip(request_headers));
    let mut response = if not_modified {
        StatusCode::NOT_MODIFIED.into_response()
    } else {
        let body = gzip.cloned().unwrap_or_else(|| page.body.clone());
        let length = body.len();
        let mut response = if head {
            Response::new(Body::empty())
        } else {
            Response::new(Body::from(body))
        };
        response
            .headers_mut()
            .insert(header::CONTENT_LENGTH, HeaderValue::from(length));
        response
    };
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, page.content_type.clone());
    headers.insert(header::ETAG, page.etag.clone());
    headers.insert(header::VARY, HeaderValue::from_static("Accept-Encoding"));
    headers.insert(header::CACHE_CONTROL, state.page_cache_control.clone());
    // Fastly and others read spaces, Cloudflare commas.
    if let Some(keys) = &page.surrogate_key {
        headers.insert("surrogate-key", keys.clone());
    }
    if let Some(tags) = &page.cache_tag {
        headers.insert("cache-tag", tags.clone());
    }
    // Cached JSON is public data (signed versions, keys): others' verifiers may read it.
    if page
        .content_type
        .as_bytes()
        .starts_with(b"application/json")
    {
        headers.insert(
            header::ACCESS_CONTROL_ALLOW_ORIGIN,
            HeaderValue::from_static("*"),
        );
    }
    if gzip.is_some() && !not_modified {
        headers.insert(header::CONTENT_ENCODING, HeaderValue::from_static("gzip"));
    }
    response
}

/// Middleware: serve from memory when possible; keep cacheable pages on the way out.
pub async fn serve_cached(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let Some(key) = cache_key(&request) else {
        return next.run(request).await;
    };
    if let Some(redirect) = canonical_page_redirect(&request) {
        return redirect;
    }
    let head = request.method() == Method::HEAD;
    let request_headers = request.headers().clone();
    if let Some(page) = state.page_cache.get(&key) {
        state.metrics.cache_hits.inc();
        return respond(&state, &page, &request_headers, head);
    }
    // stale-while-revalidate: a page past its age is served as it is to
    // everyone while one request renders its successor.
    let _refresh = match state.page_cache.get_stale(&key) {
        Some(stale) => match state.page_cache.start_refresh(&key) {
            Some(turn) => Some(turn),
            None => {
                state.metrics.cache_hits.inc();
                return respond(&state, &stale, &request_headers, head);
            }
        },
        None => None,
    };
    // Single flight: after an invalidation, concurrent misses for a page wait
    // for one render and are served what it stored.
    let render_lock = if _refresh.is_none() {
        state.page_cache.render_lock(&key)
    } else {
        None
    };
    let _render_turn = match &render_lock {
        Some(lock) => {
            let turn = lock.clone().lock_owned().await;
            if let Some(page) = state.page_cache.get(&key) {
                state.metrics.cache_hits.inc();
                return respond(&state, &page, &request_headers, head);
            }
            Some(turn)
        }
        None => None,
    };
    let generation = state.page_cache.generation();
    state.metrics.cache_misses.inc();
    let started = std::time::Instant::now();
    // A node that knows its database is gone does not make readers wait for it.
    let response = if state.store.health().is_down() {
        HttpError::Unavailable("the database is not answering".into()).into_response()
    } else {
        next.run(request).await
    };
    state
        .metrics
        .render_seconds
        .observe(started.elapsed().as_secs_f64());
    // stale-if-error: when the database is gone or overloaded, readers get
    // the page as it was a few minutes ago rather than an error.
    if response.status().is_server_error()
        && let Some(stale) = state.page_cache.get_stale(&key)
    {
        tracing::warn!(cache.key = %key, status = %response.status(), "serving a stale page");
        return respond(&state, &stale, &request_headers, head);
    }
    let Some(tags) = response.extensions().get::<CacheTags>().cloned() else {
        return response;
    };
    if response.status() != StatusCode::OK {
        return response;
    }
    let (parts, body) = response.into_parts();
    // The handler rendered the page in memory already; reading it whole costs nothing more.
    let Ok(body) = to_bytes(body, usize::MAX).await else {
        return StatusCode::INTERNAL_SERVER_ERROR.into_response();
    };
    if body.len() > MAX_CACHED_BYTES {
        tracing::debug!(cache.key = %key, "page too large to cache; served as it is");
        return Response::from_parts(parts, Body::from(body));
    }
    let content_type = parts
        .headers
        .get(header::CONTENT_TYPE)
        .cloned()
        .unwrap_or(HeaderValue::from_static("text/html; charset=utf-8"));
    let page = CachedPage::new(content_type, body, tags);
    let response = respond(&state, &page, &request_headers, head);
    state.page_cache.insert_if_current(key, page, generation);
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn page_numbers_have_one_spelling() {
        let req = |uri: &str| Request::builder().uri(uri).body(Body::empty()).unwrap();
        let location = |uri: &str| {
            canonical_page_redirect(&req(uri)).map(|r| {
                (
                    r.status(),
                    r.headers()
                        .get("location")
                        .map(|l| l.to_str().unwrap().to_owned()),
                )
            })
        };
        assert!(location("/?page=2").is_none());
        assert_eq!(
            location("/tag/x?page=1"),
            Some((StatusCode::PERMANENT_REDIRECT, Some("/tag/x".into())))
        );
        assert_eq!(
            location("/?page=002"),
            Some((StatusCode::PERMANENT_REDIRECT, Some("/?page=2".into())))
        );
        assert_eq!(location("/?page=000"), Some((StatusCode::NOT_FOUND, None)));
    }

    #[test]
    fn only_page_parameter_is_part_of_the_key() {
        let req = |uri: &str| Request::builder().uri(uri).body(Body::empty()).unwrap();
        assert_eq!(cache_key(&req("/")).as_deref(), Some("/"));
        assert_eq!(cache_key(&req("/?page=2")).as_deref(), Some("/?page=2"));
        assert_eq!(cache_key(&req("/?page=2&x=1")), None);
        assert_eq!(cache_key(&req("/?utm_source=x")), None);
    }
}
