//! Sign-in and sign-out.

use axum::body::Bytes;
use axum::extract::{Query, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;

use super::session::{
    SESSION_COOKIE, cleared_cookie, client_ip, cookie, safe_next, session_cookie,
};
use super::{AdminLang, AdminPage};
use crate::app::AppState;
use crate::http::admin::session::StaffForm;
use crate::http::error::HttpError;
use crate::http::form::FormData;
use crate::services::auth::{self, SignInError};

#[derive(Deserialize)]
pub struct SignInQuery {
    next: Option<String>,
}

pub async fn show_sign_in(
    State(state): State<AppState>,
    AdminLang(language): AdminLang,
    Query(query): Query<SignInQuery>,
) -> Result<Response, HttpError> {
    let title = &state.locales.get(&language).admin_words()["sign_in_title"];
    let mut page = AdminPage::new(&state, &language, title, None);
    page.set("next", safe_next(query.next.as_deref()));
    page.render(&state, "admin/sign_in.html")
}

pub async fn submit_sign_in(
    State(state): State<AppState>,
    AdminLang(language): AdminLang,
    request_parts: axum::http::request::Parts,
    body: Bytes,
) -> Result<Response, HttpError> {
    let form = FormData::parse(&body);
    let ip = client_ip(&request_parts.extensions);
    let user_agent = request_parts
        .headers
        .get(header::USER_AGENT)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    let next = safe_next(Some(form.get("next")));
    match auth::sign_in(
        &state,
        form.get("email"),
        form.get("password"),
        &ip,
        user_agent,
    )
    .await
    {
        Ok((token, session)) => {
            let target = if session.awaiting_code {
                let encoded: String =
                    url::form_urlencoded::byte_serialize(next.as_bytes()).collect();
                format!("/admin/sign-in/code?next={encoded}")
            } else {
                next
            };
            let mut response = Redirect::to(&target).into_response();
            response
                .headers_mut()
                .insert(header::SET_COOKIE, session_cookie(&state, &token));
            Ok(response)
        }
        Err(err) => {
            let locale = state.locales.get(&language);
            let t = locale.admin_words();
            let (status, message) = match err {
                SignInError::Invalid => {
                    (StatusCode::UNAUTHORIZED, t["wrong_credentials"].to_owned())
                }
                SignInError::Throttled {
                    retry_after_minutes,
                } => (
                    StatusCode::TOO_MANY_REQUESTS,
                    locale.format("throttled", &[("minutes", retry_after_minutes.into())]),
                ),
                SignInError::Service(e) => return Err(e.into()),
            };
            let mut page = AdminPage::new(&state, &language, &t["sign_in_title"], None);
            page.set("next", &next)
                .set("error", &message)
                .set("email", form.get("email"));
            page.render_status(&state, "admin/sign_in.html", status)
        }
    }
}

pub async fn sign_out(
    State(state): State<AppState>,
    headers: axum::http::HeaderMap,
    StaffForm(_staff, _form): StaffForm,
) -> Result<Response, HttpError> {
    if let Some(token) = cookie(&headers, SESSION_COOKIE) {
        auth::sign_out(&state, &token).await?;
    }
    let mut response = Redirect::to("/admin/sign-in").into_response();
    response
        .headers_mut()
        .insert(header::SET_COOKIE, cleared_cookie());
    Ok(response)
}

pub async fn sign_out_everywhere(
    State(state): State<AppState>,
    StaffForm(staff, _form): StaffForm,
) -> Result<Response, HttpError> {
    let ended = auth::sign_out_everywhere(&state, staff.0.staff_id).await?;
    tracing::info!(staff.id = %staff.0.staff_id, sessions = ended, "signed out everywhere");
    let mut response = Redirect::to("/admin/sign-in").into_response();
    response
        .headers_mut()
        .insert(header::SET_COOKIE, cleared_cookie());
    Ok(response)
}
