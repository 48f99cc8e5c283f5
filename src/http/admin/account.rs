//! The signed-in person's own account: password change.

use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};

use super::session::{Staff, cleared_cookie};
use super::{AdminLang, AdminPage};
use crate::app::AppState;
use crate::http::admin::session::StaffForm;
use crate::http::error::HttpError;
use crate::services::{ServiceError, auth};

pub async fn show_account(
    State(state): State<AppState>,
    AdminLang(language): AdminLang,
    staff: Staff,
) -> Result<Response, HttpError> {
    let page = AdminPage::new(
        &state,
        &language,
        &state.locales.get(&language).admin_words()["account"],
        Some(&staff),
    );
    page.render(&state, "admin/account.html")
}

pub async fn change_password(
    State(state): State<AppState>,
    AdminLang(language): AdminLang,
    StaffForm(staff, form): StaffForm,
) -> Result<Response, HttpError> {
    match auth::change_password(
        &state,
        &staff.0,
        form.get("current_password"),
        form.get("new_password"),
    )
    .await
    {
        Ok(()) => {
            let mut response = Redirect::to("/admin/sign-in?changed=1").into_response();
            response
                .headers_mut()
                .insert(header::SET_COOKIE, cleared_cookie());
            Ok(response)
        }
        Err(ServiceError::Validation(errors)) => {
            let mut page = AdminPage::new(
                &state,
                &language,
                &state.locales.get(&language).admin_words()["account"],
                Some(&staff),
            );
            page.set("errors", &errors);
            page.render_status(
                &state,
                "admin/account.html",
                StatusCode::UNPROCESSABLE_ENTITY,
            )
        }
        Err(e) => Err(e.into()),
    }
}
