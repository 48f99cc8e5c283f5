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
use crate::content::i18n::strings;
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
    let t = strings(language);
    let path = format!("{}/newsletter", state.urls.prefix(language));
    let mut page = Page::new(state, language, t["newsletter"], &path, &sections);
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

pub async fn sign_up(State(state): State<AppState>, body: Bytes) -> Result<Response, HttpError> {
    let form = FormData::parse(&body);
    let language = form_language(&state, &form);
    match newsletter::sign_up(&state, form.get("email"), &language).await {
        Ok(_) => page(&state, &language, "check", &[]).await,
        Err(ServiceError::Validation(errors)) => {
            let message = errors
                .first()
                .map(|e| e.message.clone())
                .unwrap_or_default();
            let mut response =
                page(&state, &language, "form", &[("newsletter_error", message)]).await?;
            *response.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
            Ok(response)
        }
        Err(err) => Err(err.into()),
    }
}

/// The subscriber's language, or the site's if the token is unknown.
async fn subscriber_language(state: &AppState, token: &str) -> Option<(String, String)> {
    state
        .store
        .subscriber_by_token(token)
        .await
        .ok()
        .map(|s| (s.language, s.email))
}

async fn bad_link(state: &AppState) -> Result<Response, HttpError> {
    let mut response = page(state, &state.config.site.default_language, "bad", &[]).await?;
    *response.status_mut() = StatusCode::NOT_FOUND;
    Ok(response)
}

fn valid_token(token: &str) -> bool {
    token.len() == 48 && token.bytes().all(|b| b.is_ascii_hexdigit())
}

pub async fn show_confirm(
    State(state): State<AppState>,
    Path(token): Path<String>,
) -> Result<Response, HttpError> {
    let Some((language, _)) = subscriber_language(&state, &token)
        .await
        .filter(|_| valid_token(&token))
    else {
        return bad_link(&state).await;
    };
    let action = format!("/newsletter/confirm/{token}");
    page(&state, &language, "confirm", &[("action", action)]).await
}

pub async fn confirm(
    State(state): State<AppState>,
    Path(token): Path<String>,
) -> Result<Response, HttpError> {
    if !valid_token(&token) {
        return bad_link(&state).await;
    }
    match newsletter::confirm(&state, &token).await {
        Ok(subscriber) => page(&state, &subscriber.language, "confirmed", &[]).await,
        Err(ServiceError::NotFound) => bad_link(&state).await,
        Err(err) => Err(err.into()),
    }
}

pub async fn show_unsubscribe(
    State(state): State<AppState>,
    Path(token): Path<String>,
) -> Result<Response, HttpError> {
    let Some((language, email)) = subscriber_language(&state, &token)
        .await
        .filter(|_| valid_token(&token))
    else {
        return bad_link(&state).await;
    };
    let action = format!("/newsletter/unsubscribe/{token}");
    page(
        &state,
        &language,
        "unsubscribe",
        &[("action", action), ("email", email)],
    )
    .await
}

pub async fn unsubscribe(
    State(state): State<AppState>,
    Path(token): Path<String>,
) -> Result<Response, HttpError> {
    if !valid_token(&token) {
        return bad_link(&state).await;
    }
    match newsletter::unsubscribe(&state, &token).await {
        Ok(subscriber) => page(&state, &subscriber.language, "unsubscribed", &[]).await,
        Err(ServiceError::NotFound) => bad_link(&state).await,
        Err(err) => Err(err.into()),
    }
}

pub async fn show_videos(
    State(state): State<AppState>,
    Extension(Lang(language)): Extension<Lang>,
) -> Result<Response, HttpError> {
    use crate::content::embed::{Embed, render_embed};
    use crate::content::i18n::format_date;
    let sections = nav_sections(&state).await?;
    let t = strings(&language);
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
                "date": format_date(video.published_at, &language, tz),
                "datetime": jiff::Timestamp::from_second(video.published_at).ok()?.to_string(),
                "embed": render_embed(&embed, &language),
            }))
        })
        .collect();
    let mut page = Page::new(&state, &language, t["videos"], &path, &sections);
    page.set("videos", videos);
    page.render(
        &state,
        "videos.html",
        Some(super::cache::CacheTags::listing("*")),
    )
}
