//! Two-factor sign-in: the code step after the password, and setting it up.

use axum::body::Bytes;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;

use super::session::{SESSION_COOKIE, Staff, client_ip, cookie, safe_next};
use super::{AdminLang, AdminPage};
use crate::app::AppState;
use crate::http::admin::session::StaffForm;
use crate::http::error::HttpError;
use crate::http::form::FormData;
use crate::services::auth::{self, StaffSession};
use crate::services::{ServiceError, two_factor};

#[derive(Deserialize)]
pub struct CodeQuery {
    next: Option<String>,
}

/// The half-signed-in session from the cookie: password given, code owed.
async fn awaiting(state: &AppState, headers: &HeaderMap) -> Result<StaffSession, HttpError> {
    let token = cookie(headers, SESSION_COOKIE).ok_or(HttpError::Unauthorized)?;
    match auth::authenticate(state, &token).await? {
        Some(session) if session.awaiting_code => Ok(session),
        _ => Err(HttpError::Unauthorized),
    }
}

pub async fn show_code(
    State(state): State<AppState>,
    AdminLang(language): AdminLang,
    headers: HeaderMap,
    Query(query): Query<CodeQuery>,
) -> Result<Response, HttpError> {
    if awaiting(&state, &headers).await.is_err() {
        return Ok(Redirect::to("/admin/sign-in").into_response());
    }
    let mut page = AdminPage::new(
        &state,
        &language,
        &state.locales.get(&language).admin_words()["code_title"],
        None,
    );
    page.set("next", safe_next(query.next.as_deref()));
    page.render(&state, "admin/code.html")
}

pub async fn submit_code(
    State(state): State<AppState>,
    AdminLang(language): AdminLang,
    parts: axum::http::request::Parts,
    body: Bytes,
) -> Result<Response, HttpError> {
    let form = FormData::parse(&body);
    let mut session = awaiting(&state, &parts.headers).await?;
    session.client_ip = client_ip(&parts.extensions);
    let next = safe_next(Some(form.get("next")));
    match two_factor::sign_in_with_code(&state, &session, form.get("code")).await {
        Ok(()) => Ok(Redirect::to(&next).into_response()),
        Err(err @ (ServiceError::Validation(_) | ServiceError::Throttled(_))) => {
            let (status, message) = match err {
                ServiceError::Throttled(_) => (
                    StatusCode::TOO_MANY_REQUESTS,
                    &state.locales.get(&language).admin_words()["code_locked"],
                ),
                _ => (
                    StatusCode::UNAUTHORIZED,
                    &state.locales.get(&language).admin_words()["code_wrong"],
                ),
            };
            let mut page = AdminPage::new(
                &state,
                &language,
                &state.locales.get(&language).admin_words()["code_title"],
                None,
            );
            page.set("next", &next).set("error", message);
            page.render_status(&state, "admin/code.html", status)
        }
        Err(e) => Err(e.into()),
    }
}

async fn setup_page(
    state: &AppState,
    staff: &Staff,
    language: &str,
) -> Result<AdminPage, HttpError> {
    let mut page = AdminPage::new(
        state,
        language,
        &state.locales.get(language).admin_words()["two_factor"],
        Some(staff),
    );
    page.set("enabled", staff.0.totp_enabled)
        .set("required", two_factor::required(state).await?);
    if !staff.0.totp_enabled {
        let setup = two_factor::begin_setup(state, &staff.0).await?;
        page.set("secret", &setup.secret)
            .set("otpauth_url", &setup.otpauth_url)
            .safe("qr_svg", setup.qr_svg);
    }
    Ok(page)
}

pub async fn show_setup(
    State(state): State<AppState>,
    AdminLang(language): AdminLang,
    staff: Staff,
) -> Result<Response, HttpError> {
    setup_page(&state, &staff, &language)
        .await?
        .render(&state, "admin/two_factor.html")
}

pub async fn change_setup(
    State(state): State<AppState>,
    AdminLang(language): AdminLang,
    StaffForm(staff, form): StaffForm,
) -> Result<Response, HttpError> {
    let result = match form.get("action") {
        "confirm" => two_factor::confirm_setup(&state, &staff.0, form.get("code")).await,
        "disable" => two_factor::disable(&state, &staff.0, form.get("code")).await,
        _ => return Err(HttpError::BadRequest("unknown action".into())),
    };
    match result {
        Ok(()) => Ok(Redirect::to("/admin/account/2fa?saved=1").into_response()),
        Err(ServiceError::Validation(errors)) => {
            let mut page = setup_page(&state, &staff, &language).await?;
            page.set("errors", &errors);
            page.render_status(
                &state,
                "admin/two_factor.html",
                StatusCode::UNPROCESSABLE_ENTITY,
            )
        }
        Err(ServiceError::Throttled(message)) => {
            let mut page = setup_page(&state, &staff, &language).await?;
            page.set(
                "errors",
                [crate::services::FieldError {
                    field: "code".into(),
                    message,
                }],
            );
            page.render_status(
                &state,
                "admin/two_factor.html",
                StatusCode::TOO_MANY_REQUESTS,
            )
        }
        Err(e) => Err(e.into()),
    }
}
