//! The owner's pages: newsroom staff (with invitations) and site settings.

use axum::body::Bytes;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};

use super::session::Staff;
use super::{AdminLang, AdminPage};
use crate::app::AppState;
use crate::content::i18n::admin_strings;
use crate::http::error::HttpError;
use crate::http::form::FormData;
use crate::services::policy::Action;
use crate::services::staff::NewStaffInput;
use crate::services::{ServiceError, auth, two_factor, workflow};

async fn staff_page(
    state: &AppState,
    staff: &Staff,
    language: &str,
) -> Result<AdminPage, HttpError> {
    let mut page = AdminPage::new(
        state,
        language,
        admin_strings(language)["staff"],
        Some(staff),
    );
    page.set("members", state.store.all_staff().await?)
        .set("sends_email", state.mailer.sends_email());
    Ok(page)
}

pub async fn show_staff(
    State(state): State<AppState>,
    AdminLang(language): AdminLang,
    staff: Staff,
) -> Result<Response, HttpError> {
    staff.require(&state, Action::ManageStaff, None).await?;
    staff_page(&state, &staff, &language)
        .await?
        .render(&state, "admin/staff.html")
}

pub async fn invite(
    State(state): State<AppState>,
    AdminLang(language): AdminLang,
    staff: Staff,
    body: Bytes,
) -> Result<Response, HttpError> {
    let form = FormData::parse(&body);
    staff.check_csrf(form.get("csrf"))?;
    staff.require(&state, Action::ManageStaff, None).await?;
    let input = NewStaffInput {
        email: form.get("email").to_owned(),
        name: form.get("name").to_owned(),
        role: form.get("role").to_owned(),
        bio: String::new(),
    };
    match auth::invite_staff(&state, input).await {
        Ok(_) => Ok(Redirect::to("/admin/staff?invited=1").into_response()),
        Err(ServiceError::Validation(errors)) => {
            let mut page = staff_page(&state, &staff, &language).await?;
            page.set("errors", &errors);
            page.render_status(&state, "admin/staff.html", StatusCode::UNPROCESSABLE_ENTITY)
        }
        Err(e) => Err(e.into()),
    }
}

pub async fn show_settings(
    State(state): State<AppState>,
    AdminLang(language): AdminLang,
    staff: Staff,
) -> Result<Response, HttpError> {
    staff.require(&state, Action::ManageSettings, None).await?;
    let policy = workflow::site_policy(&state).await?;
    let mut page = AdminPage::new(
        &state,
        &language,
        admin_strings(&language)["settings"],
        Some(&staff),
    );
    page.set("authors_can_publish", policy.authors_can_publish)
        .set("require_2fa", two_factor::required(&state).await?);
    page.render(&state, "admin/settings.html")
}

pub async fn save_settings(
    State(state): State<AppState>,
    staff: Staff,
    body: Bytes,
) -> Result<Response, HttpError> {
    let form = FormData::parse(&body);
    staff.check_csrf(form.get("csrf"))?;
    staff.require(&state, Action::ManageSettings, None).await?;
    let value = if form.get("authors_can_publish") == "on" {
        "true"
    } else {
        "false"
    };
    state
        .store
        .set_setting("policy.authors_can_publish", value)
        .await?;
    two_factor::set_required(&state, form.get("require_2fa") == "on").await?;
    tracing::info!(staff.id = %staff.0.staff_id, authors_can_publish = value, "settings changed");
    Ok(Redirect::to("/admin/settings?saved=1").into_response())
}
