//! Cross-site request refusal for every state-changing request.
//!
//! A browser tells us where a request comes from (`Sec-Fetch-Site`, or at
//! least `Origin`); a POST that another site's page made is refused before
//! any handler runs, signed in or not. That covers forms which have no
//! session to hold a token (sign-in, password reset, sign-in code, the
//! newsletter and donation forms), and no new route can forget it. Admin
//! forms keep their session token as a second check.
//!
//! Requests with neither header come from programs, not browsers, and so
//! cannot be forged by a page a victim visits. Routes that programs call
//! across sites by design — provider webhooks, the Fediverse inbox, the
//! Admin API with its bearer key — are the exceptions.

use axum::extract::{Request, State};
use axum::http::{HeaderMap, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use crate::app::AppState;
use crate::http::error::HttpError;

/// Paths that other servers post to.
pub const CROSS_SITE_ROUTES: &[&str] = &["/webhooks/", "/fediverse/inbox", "/api/admin/"];

pub async fn refuse_cross_site(
    State(state): State<AppState>,
    request: Request,
    next: Next,
) -> Response {
    let method = request.method();
    let safe = method == "GET" || method == "HEAD" || method == "OPTIONS" || method == "TRACE";
    let path = request.uri().path();
    if safe
        || CROSS_SITE_ROUTES.iter().any(|p| path.starts_with(p))
        || same_origin(request.headers(), state.urls.base_url())
    {
        return next.run(request).await;
    }
    tracing::warn!(path, "cross-site request refused");
    HttpError::Forbidden("a form from another site cannot change anything here".into())
        .into_response()
}

/// Whether the browser says the request comes from this site.
pub fn same_origin(headers: &HeaderMap, base_url: &str) -> bool {
    let value = |name| headers.get(name).and_then(|v| v.to_str().ok());
    if let Some(site) = value("sec-fetch-site") {
        // "none": the person typed the address or used a bookmark.
        return matches!(site, "same-origin" | "none");
    }
    let Some(origin) = value(header::ORIGIN.as_str()) else {
        return true;
    };
    let Ok(origin_url) = url::Url::parse(origin) else {
        return false;
    };
    let ours = url::Url::parse(base_url).map(|u| u.origin());
    if ours.is_ok_and(|ours| ours == origin_url.origin()) {
        return true;
    }
    // Served under another name than base_url (a test, a staging address):
    // the Host the browser sent is the origin it is on.
    let origin_host = match (origin_url.host_str(), origin_url.port()) {
        (Some(host), Some(port)) => format!("{host}:{port}"),
        (Some(host), None) => host.to_owned(),
        _ => return false,
    };
    value(header::HOST.as_str()).is_some_and(|host| host.eq_ignore_ascii_case(&origin_host))
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    fn headers(pairs: &[(&'static str, &'static str)]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for (k, v) in pairs {
            map.insert(*k, HeaderValue::from_static(v));
        }
        map
    }

    #[test]
    fn browsers_say_where_a_request_comes_from() {
        let base = "https://news.example.org";
        assert!(same_origin(
            &headers(&[("sec-fetch-site", "same-origin")]),
            base
        ));
        assert!(same_origin(&headers(&[("sec-fetch-site", "none")]), base));
        assert!(!same_origin(
            &headers(&[("sec-fetch-site", "cross-site")]),
            base
        ));
        assert!(!same_origin(
            &headers(&[("sec-fetch-site", "same-site")]),
            base
        ));
        assert!(same_origin(
            &headers(&[("origin", "https://news.example.org")]),
            base
        ));
        assert!(!same_origin(
            &headers(&[("origin", "https://evil.example")]),
            base
        ));
        assert!(!same_origin(&headers(&[("origin", "null")]), base));
        assert!(!same_origin(
            &headers(&[("origin", "http://news.example.org")]),
            base
        ));
        assert!(same_origin(
            &headers(&[
                ("origin", "http://127.0.0.1:8080"),
                ("host", "127.0.0.1:8080")
            ]),
            base
        ));
        assert!(
            same_origin(&HeaderMap::new(), base),
            "programs send neither"
        );
    }
}
