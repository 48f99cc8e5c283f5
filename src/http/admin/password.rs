//! "Forgot password" and invitation links: request a link, choose a password.

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};

use super::{AdminLang, AdminPage};
use crate::app::AppState;
use crate::http::error::HttpError;
use crate::http::form::FormData;
use crate::services::{ServiceError, auth};

pub async fn show_reset_request(
    State(state): State<AppState>,
    AdminLang(language): AdminLang,
) -> Result<Response, HttpError> {
    AdminPage::new(
        &state,
        &language,
        &state.locales.get(&language).admin_words()["forgot_password"],
        None,
    )
    .render(&state, "admin/password_reset.html")
}

pub async fn submit_reset_request(
    State(state): State<AppState>,
    AdminLang(language): AdminLang,
    body: Bytes,
) -> Result<Response, HttpError> {
    let form = FormData::parse(&body);
    auth::request_password_reset(&state, form.get("email")).await?;
    let mut page = AdminPage::new(
        &state,
        &language,
        &state.locales.get(&language).admin_words()["forgot_password"],
        None,
    );
    page.set("sent", true);
    page.render(&state, "admin/password_reset.html")
}

pub async fn show_set_password(
    State(state): State<AppState>,
    AdminLang(language): AdminLang,
    Path(token): Path<String>,
) -> Result<Response, HttpError> {
    if !auth::password_token_valid(&state, &token).await? {
        return Err(HttpError::NotFound);
    }
    let mut page = AdminPage::new(
        &state,
        &language,
        &state.locales.get(&language).admin_words()["choose_password"],
        None,
    );
    page.set("token", &token);
    page.render(&state, "admin/password_set.html")
}

pub async fn submit_set_password(
    State(state): State<AppState>,
    AdminLang(language): AdminLang,
    Path(token): Path<String>,
    body: Bytes,
) -> Result<Response, HttpError> {
    let form = FormData::parse(&body);
    match auth::set_password_with_token(&state, &token, form.get("new_password")).await {
        Ok(()) => Ok(Redirect::to("/admin/sign-in?changed=1").into_response()),
        Err(ServiceError::Validation(errors)) => {
            let mut page = AdminPage::new(
                &state,
                &language,
                &state.locales.get(&language).admin_words()["choose_password"],
                None,
            );
            page.set("token", &token).set("errors", &errors);
            page.render_status(
                &state,
                "admin/password_set.html",
                StatusCode::UNPROCESSABLE_ENTITY,
            )
        }
        Err(e) => Err(e.into()),
    }
}
