//! Newsletter sign-up, confirmation and unsubscribe pages.
//!
//! Links from emails only show a button on `GET` (mail scanners follow
//! links); the change happens on `POST`. The unsubscribe `POST` is also
//! the RFC 8058 one-click target: no cookies, no CSRF token, answered 200.

use axum::Extension;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;

use super::Lang;
use super::views::{Page, nav_sections};
use crate::app::AppState;

use crate::http::client_addr::ClientAddr;
use crate::http::error::HttpError;
use crate::http::form::{FormData, form_language};
use crate::services::{ServiceError, newsletter};

async fn page(
    state: &AppState,
    language: &str,
    mode: &str,
    extra: &[(&str, String)],
) -> Result<Response, HttpError> {
    let sections = nav_sections(state).await?;
    let t = state.locales.get(language).site_words();
    let path = format!("{}/newsletter", state.urls.prefix(language));
    let mut page = Page::new(state, language, &t["newsletter"], &path, &sections);
    page.set("mode", mode);
    for (key, value) in extra {
        page.set(key, value);
    }
    page.render(state, "newsletter.html", None)
}

pub async fn show_form(
    State(state): State<AppState>,
    Extension(Lang(language)): Extension<Lang>,
) -> Result<Response, HttpError> {
    page(&state, &language, "form", &[]).await
}

pub async fn sign_up(
    State(state): State<AppState>,
    client: ClientAddr,
    body: Bytes,
) -> Result<Response, HttpError> {
    let form = FormData::parse(&body);
    let language = form_language(&state, &form);
    match newsletter::sign_up(&state, form.get("email"), &language, &client.to_string()).await {
        Ok(_) => page(&state, &language, "check", &[]).await,
        Err(ServiceError::Validation(errors)) => {
            let message = errors
                .first()
                .map(|e| e.message.clone())
                .unwrap_or_default();
            form_again(&state, &language, message, StatusCode::UNPROCESSABLE_ENTITY).await
        }
        Err(ServiceError::Throttled(message)) => {
            form_again(&state, &language, message, StatusCode::TOO_MANY_REQUESTS).await
        }
        Err(err) => Err(err.into()),
    }
}

async fn form_again(
    state: &AppState,
    language: &str,
    message: String,
    status: StatusCode,
) -> Result<Response, HttpError> {
    let mut response = page(state, language, "form", &[("newsletter_error", message)]).await?;
    *response.status_mut() = status;
    Ok(response)
}

async fn bad_link(state: &AppState) -> Result<Response, HttpError> {
    let mut response = page(state, &state.config.site.default_language, "bad", &[]).await?;
    *response.status_mut() = StatusCode::NOT_FOUND;
    Ok(response)
}

/// What an emailed link opens: a page with one button, in the reader's
/// language, that posts back to the same address.
async fn link_page(state: &AppState, token: &str, mode: &str) -> Result<Response, HttpError> {
    let found = if mode == "confirm" {
        newsletter::subscriber_for_confirm(state, token).await
    } else {
        newsletter::subscriber_for_unsubscribe(state, token).await
    };
    let subscriber = match found {
        Ok(subscriber) => subscriber,
        Err(ServiceError::NotFound) => return bad_link(state).await,
        Err(e) => return Err(e.into()),
    };
    let action = format!("/newsletter/{mode}/{token}");
    page(
        state,
        &subscriber.language,
        mode,
        &[("action", action), ("email", subscriber.email)],
    )
    .await
}

/// The change a link's button asks for, then its result page.
async fn link_action(
    state: &AppState,
    done: &str,
    result: Result<crate::store::Subscriber, ServiceError>,
) -> Result<Response, HttpError> {
    match result {
        Ok(subscriber) => page(state, &subscriber.language, done, &[]).await,
        Err(ServiceError::NotFound) => bad_link(state).await,
        Err(err) => Err(err.into()),
    }
}

pub async fn show_confirm(
    State(state): State<AppState>,
    Path(token): Path<String>,
) -> Result<Response, HttpError> {
    link_page(&state, &token, "confirm").await
}

pub async fn confirm(
    State(state): State<AppState>,
    Path(token): Path<String>,
) -> Result<Response, HttpError> {
    let result = newsletter::confirm(&state, &token).await;
    link_action(&state, "confirmed", result).await
}

pub async fn show_unsubscribe(
    State(state): State<AppState>,
    Path(token): Path<String>,
) -> Result<Response, HttpError> {
    link_page(&state, &token, "unsubscribe").await
}

/// Also the RFC 8058 one-click target.
pub async fn unsubscribe(
    State(state): State<AppState>,
    Path(token): Path<String>,
) -> Result<Response, HttpError> {
    let result = newsletter::unsubscribe(&state, &token).await;
    link_action(&state, "unsubscribed", result).await
}

pub async fn show_videos(
    State(state): State<AppState>,
    Extension(Lang(language)): Extension<Lang>,
) -> Result<Response, HttpError> {
    use crate::content::embed::{Embed, render_embed};

    let sections = nav_sections(&state).await?;
    let t = state.locales.get(&language).site_words();
    let path = format!("{}/videos", state.urls.prefix(&language));
    let tz = &state.config.site.timezone;
    let videos: Vec<serde_json::Value> = state
        .store
        .latest_videos(30)
        .await?
        .into_iter()
        .filter_map(|video| {
            let embed = Embed::from_url(&video.url)?;
            Some(serde_json::json!({
                "title": video.title,
                "author": video.author,
                "date": state.locales.get(&language).date(video.published_at, tz),
                "datetime": crate::i18n::rfc3339(video.published_at),
                "embed": render_embed(&embed, state.locales.get(&language)),
            }))
        })
        .collect();
    let mut page = Page::new(&state, &language, &t["videos"], &path, &sections);
    page.set("videos", videos);
    page.render(
        &state,
        "videos.html",
        Some(super::cache::CacheTags::listing("*")),
    )
}
