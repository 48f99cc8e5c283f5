//! The public site: server-rendered pages, feeds and sitemaps.
//!
//! The default language is served at the root and every other language under
//! `/<lang>`; the same routes serve both, with the language passed as an
//! [`Lang`] extension.

mod article;
mod assets;
pub mod cache;
mod feeds;
mod home;
mod lists;
mod live;
mod newsletter;
pub mod pages;
mod search;
pub mod search_gate;
mod sitemaps;
mod support;
mod transparency;
mod verify;
mod views;

use axum::Router;
use axum::extract::{Request, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::get;
use minijinja::context;

use crate::app::AppState;

/// The language a public page is rendered in.
#[derive(Clone, Debug)]
pub struct Lang(pub String);

/// Routes shared by every language.
fn language_routes(language: &str) -> Router<AppState> {
    Router::new()
        .route("/", get(home::show_home))
        .route("/feed.xml", get(feeds::site_rss))
        .route("/atom.xml", get(feeds::site_atom))
        .route("/search", get(search::show_search))
        .route("/verify", get(verify::show_verify))
        .route("/support", get(support::show_support))
        .route(
            "/support/transparency",
            get(transparency::show_transparency),
        )
        .route(
            "/support/transparency.csv",
            get(transparency::transparency_csv),
        )
        .route("/newsletter", get(newsletter::show_form))
        .route("/videos", get(newsletter::show_videos))
        .route("/section/{slug}", get(lists::show_section))
        .route("/section/{slug}/feed.xml", get(feeds::section_rss))
        .route("/section/{slug}/atom.xml", get(feeds::section_atom))
        .route("/tag/{slug}", get(lists::show_tag))
        .route("/tag/{slug}/feed.xml", get(feeds::tag_rss))
        .route("/tag/{slug}/atom.xml", get(feeds::tag_atom))
        .route("/author/{slug}", get(lists::show_author))
        .route("/{year}/{month}/{day}", get(lists::show_day))
        .route("/{year}/{month}/{day}/{slug}", get(article::show_article))
        .route(
            "/{year}/{month}/{day}/{slug}/events",
            get(live::live_events),
        )
        .route(
            "/{year}/{month}/{day}/{slug}/feed.xml",
            get(live::live_feed),
        )
        .route("/{slug}", get(pages::show_page))
        .layer(axum::Extension(Lang(language.to_owned())))
}

pub fn router(state: &AppState) -> Router<AppState> {
    let site = &state.config.site;
    let mut router = language_routes(&site.default_language)
        .route("/sitemap.xml", get(sitemaps::sitemap))
        .route("/sitemaps/{file}", get(sitemaps::child_sitemap))
        .route("/news-sitemap.xml", get(sitemaps::news_sitemap))
        .route("/robots.txt", get(sitemaps::robots))
        .route("/.well-known/newsdesk-keys.json", get(verify::show_keys))
        .route("/static/{*file}", get(assets::serve_asset))
        .route("/preview/{id}", get(article::show_preview))
        .route("/newsletter", axum::routing::post(newsletter::sign_up))
        .route(
            "/newsletter/confirm/{token}",
            get(newsletter::show_confirm).post(newsletter::confirm),
        )
        .route(
            "/newsletter/unsubscribe/{token}",
            get(newsletter::show_unsubscribe).post(newsletter::unsubscribe),
        )
        .route("/media/{*file}", get(assets::serve_media))
        .route("/support/donate", axum::routing::post(support::donate))
        .route(
            "/support/sandbox/{id}",
            get(support::show_sandbox).post(support::submit_sandbox),
        )
        .route("/support/thanks/{id}", get(support::show_thanks))
        .route(
            "/support/manage",
            get(support::show_donor_request).post(support::submit_donor_request),
        )
        .route("/support/manage/{token}", get(support::show_donor))
        .route(
            "/support/manage/{token}/cancel",
            axum::routing::post(support::cancel_monthly),
        )
        .route("/support/manage/{token}/export", get(support::export_donor))
        .route(
            "/support/manage/{token}/portal",
            axum::routing::post(support::open_portal),
        )
        .route(
            "/support/manage/{token}/forget",
            axum::routing::post(support::forget_donor),
        );
    for language in site
        .languages
        .iter()
        .filter(|l| **l != site.default_language)
    {
        router = router.nest(&format!("/{language}"), language_routes(language));
    }
    router
        .fallback(not_found_or_redirect)
        .layer(middleware::from_fn_with_state(
            state.clone(),
            pages::legacy_redirects,
        ))
        .layer(middleware::from_fn_with_state(
            state.clone(),
            cache::serve_cached,
        ))
}

/// Drops a trailing slash with a permanent redirect; anything else is a 404.
async fn not_found_or_redirect(request: Request) -> Response {
    let path = request.uri().path();
    if path.len() > 1 && path.ends_with('/') {
        // Collapse leading slashes so "//evil.example/" cannot become an off-site redirect.
        let target = format!("/{}", path.trim_matches('/'));
        let target = match request.uri().query() {
            Some(q) => format!("{target}?{q}"),
            None => target,
        };
        return Redirect::permanent(&target).into_response();
    }
    StatusCode::NOT_FOUND.into_response()
}

/// The language of a request path, for pages rendered outside a handler.
fn language_of_path(state: &AppState, path: &str) -> String {
    let first = path.trim_start_matches('/').split('/').next().unwrap_or("");
    state
        .config
        .site
        .languages
        .iter()
        .find(|l| l.as_str() == first)
        .cloned()
        .unwrap_or_else(|| state.config.site.default_language.clone())
}

/// Turns any error response without an HTML body (extractor rejections,
/// handler errors, panics) into an error page in the site's style. The
/// Admin API, and scripts that ask for JSON, keep the JSON errors.
pub async fn error_pages(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let path = request.uri().path();
    let wants_json = request
        .headers()
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.contains("application/json"));
    if path.starts_with("/api/")
        || path.starts_with("/webhooks/")
        || path == "/healthz"
        || wants_json
    {
        return next.run(request).await;
    }
    let language = language_of_path(&state, path);
    let is_admin = path.starts_with("/admin");
    let response = next.run(request).await;
    let status = response.status();
    if !(status.is_client_error() || status.is_server_error()) {
        return response;
    }
    let is_html = response
        .headers()
        .get(header::CONTENT_TYPE)
        .is_some_and(|v| v.as_bytes().starts_with(b"text/html"));
    if is_html {
        return response;
    }
    let retry_after = response.headers().get(header::RETRY_AFTER).cloned();
    let mut page = if status == StatusCode::SERVICE_UNAVAILABLE
        && is_admin
        && state.store.health().is_down()
    {
        // Staff are told what is going on, and that readers still get pages.
        let words = state.locales.get(&language).admin_words();
        render_error_with(
            &state,
            status,
            &language,
            &words["database_down_title"],
            &words["database_down_text"],
        )
    } else {
        render_error_page(&state, status, &language)
    };
    if let Some(retry_after) = retry_after {
        page.headers_mut().insert(header::RETRY_AFTER, retry_after);
    }
    page
}

pub fn render_error_page(state: &AppState, status: StatusCode, language: &str) -> Response {
    let t = state.locales.get(language).site_words();
    let (title, text) = match status {
        StatusCode::NOT_FOUND | StatusCode::METHOD_NOT_ALLOWED => {
            (&t["error_not_found"], &t["error_not_found_text"])
        }
        s if s.is_server_error() => (&t["error_server"], &t["error_server_text"]),
        _ => (&t["error_bad_request"], &t["error_bad_request_text"]),
    };
    render_error_with(state, status, language, title, text)
}

fn render_error_with(
    state: &AppState,
    status: StatusCode,
    language: &str,
    title: &str,
    text: &str,
) -> Response {
    let t = state.locales.get(language).site_words();
    let rendered = state.templates.render(
        "error.html",
        context! {
            lang => language,
            t => t,
            page_title => title,
            message => text,
            status => status.as_u16(),
            home_url => state.urls.home(language),
            search_url => state.urls.search(language),
            noindex => true,
        },
    );
    match rendered {
        Ok(html) => (status, Html(html)).into_response(),
        Err(err) => {
            tracing::error!(error = ?err, "error page template failed");
            (status, format!("{} {}", status.as_u16(), title)).into_response()
        }
    }
}

/// Readers' browsers load nothing from third parties until they press an
/// embed's button. Forms may lead only here and to the configured payment
/// providers' checkout pages.
pub fn content_security_policy(
    config: &crate::config::Config,
    media_origin: Option<String>,
) -> HeaderValue {
    let mut form_action = String::from("'self'");
    if config.donations.stripe.is_some() {
        form_action.push_str(" https://checkout.stripe.com https://billing.stripe.com");
    }
    if let Some(liqpay) = &config.donations.liqpay {
        form_action.push(' ');
        form_action.push_str(&liqpay.api_base);
    }
    // Images may come from the newsroom's own media host (a CDN or bucket).
    let img_src = match media_origin {
        Some(origin) => format!("'self' data: {origin}"),
        None => "'self' data:".to_owned(),
    };
    let policy = format!(
        "default-src 'self'; img-src {img_src}; style-src 'self'; script-src 'self'; object-src 'none'; \
         base-uri 'self'; form-action {form_action}; frame-ancestors 'none'; \
         frame-src https://www.youtube-nocookie.com https://www.tiktok.com https://platform.twitter.com https://t.me"
    );
    HeaderValue::from_str(&policy).unwrap_or(HeaderValue::from_static("default-src 'self'"))
}

pub async fn security_headers(
    State(state): State<AppState>,
    request: Request,
    next: Next,
) -> Response {
    let mut response = next.run(request).await;
    let headers = response.headers_mut();
    headers.insert("content-security-policy", state.csp.clone());
    headers.insert(
        "x-content-type-options",
        HeaderValue::from_static("nosniff"),
    );
    headers.insert(
        "referrer-policy",
        HeaderValue::from_static("strict-origin-when-cross-origin"),
    );
    headers.insert("x-frame-options", HeaderValue::from_static("DENY"));
    response
}
