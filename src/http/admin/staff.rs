//! The owner's pages: newsroom staff (with invitations) and site settings.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};

use super::session::Staff;
use super::{AdminLang, AdminPage};
use crate::app::AppState;
use crate::http::admin::session::StaffForm;
use crate::http::error::HttpError;
use crate::services::api_keys::{self, Scope};
use crate::services::policy::Action;
use crate::services::staff as staff_service;
use crate::services::staff::NewStaffInput;
use crate::services::{ServiceError, audit, auth, two_factor, workflow};
use crate::store::{ApiKeyId, StaffId};

async fn staff_page(
    state: &AppState,
    staff: &Staff,
    language: &str,
) -> Result<AdminPage, HttpError> {
    let mut page = AdminPage::new(
        state,
        language,
        &state.locales.get(language).admin_words()["staff"],
        Some(staff),
    );
    page.set("members", state.store.all_staff().await?)
        .set("me_id", staff.0.staff_id)
        .set("keys", state.store.api_keys().await?)
        .set("scopes", Scope::ALL.map(Scope::as_str))
        .set("sends_email", state.mailer.sends_email());
    Ok(page)
}

/// The staff page again, with what was wrong with the form.
async fn staff_errors(
    state: &AppState,
    staff: &Staff,
    language: &str,
    errors: &[crate::services::FieldError],
) -> Result<Response, HttpError> {
    let mut page = staff_page(state, staff, language).await?;
    page.set("errors", errors);
    page.render_status(state, "admin/staff.html", StatusCode::UNPROCESSABLE_ENTITY)
}

/// Disables or enables a member: `/admin/staff/{id}/disable` or `/enable`.
pub async fn change_member(
    State(state): State<AppState>,
    AdminLang(language): AdminLang,
    Path((id, action)): Path<(i64, String)>,
    StaffForm(staff, _form): StaffForm,
) -> Result<Response, HttpError> {
    staff.require(&state, Action::ManageStaff, None).await?;
    let disable = match action.as_str() {
        "disable" => true,
        "enable" => false,
        _ => return Err(HttpError::NotFound),
    };
    match staff_service::set_disabled(&state, &staff.0, StaffId(id), disable).await {
        Ok(()) => Ok(Redirect::to("/admin/staff?saved=1").into_response()),
        Err(ServiceError::Validation(errors)) => {
            staff_errors(&state, &staff, &language, &errors).await
        }
        Err(e) => Err(e.into()),
    }
}

/// Makes an Admin API key with the ticked scopes; the page shows it once.
pub async fn create_key(
    State(state): State<AppState>,
    AdminLang(language): AdminLang,
    StaffForm(staff, form): StaffForm,
) -> Result<Response, HttpError> {
    staff.require(&state, Action::ManageStaff, None).await?;
    let scopes: Vec<Scope> = form
        .all("scope")
        .iter()
        .filter_map(|s| Scope::parse(s))
        .collect();
    let result = if scopes.is_empty() {
        Err(ServiceError::Validation(vec![
            crate::services::FieldError {
                field: "scopes".into(),
                message: "tick at least one scope".into(),
            },
        ]))
    } else {
        api_keys::create_scoped_key(&state.store, form.get("name"), &scopes, None).await
    };
    match result {
        Ok((key, secret)) => {
            audit::record(
                &state,
                &audit::Who::staff(&staff.0),
                "api key created",
                &format!("#{} {}", key.id, key.name),
                &key.scopes,
            )
            .await;
            let mut page = staff_page(&state, &staff, &language).await?;
            page.set("new_key", secret);
            page.render(&state, "admin/staff.html")
        }
        Err(ServiceError::Validation(errors)) => {
            staff_errors(&state, &staff, &language, &errors).await
        }
        Err(e) => Err(e.into()),
    }
}

pub async fn revoke_key(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    StaffForm(staff, _form): StaffForm,
) -> Result<Response, HttpError> {
    staff.require(&state, Action::ManageStaff, None).await?;
    api_keys::revoke(&state.store, ApiKeyId(id)).await?;
    audit::record(
        &state,
        &audit::Who::staff(&staff.0),
        "api key revoked",
        &format!("#{id}"),
        "",
    )
    .await;
    Ok(Redirect::to("/admin/staff?saved=1").into_response())
}

/// The audit log, newest first, a page at a time.
pub async fn show_audit(
    State(state): State<AppState>,
    AdminLang(language): AdminLang,
    staff: Staff,
    axum::extract::Query(query): axum::extract::Query<AuditQuery>,
) -> Result<Response, HttpError> {
    staff.require(&state, Action::ManageStaff, None).await?;
    let entries = audit::entries(&state, query.before, 100).await?;
    let older = (entries.len() == 100)
        .then(|| entries.last().map(|e| e.id))
        .flatten();
    let mut page = AdminPage::new(
        &state,
        &language,
        &state.locales.get(&language).admin_words()["audit_log"],
        Some(&staff),
    );
    page.set("entries", &entries).set("older", older);
    page.render(&state, "admin/audit.html")
}

#[derive(serde::Deserialize)]
pub struct AuditQuery {
    before: Option<i64>,
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
    StaffForm(staff, form): StaffForm,
) -> Result<Response, HttpError> {
    staff.require(&state, Action::ManageStaff, None).await?;
    let input = NewStaffInput {
        email: form.get("email").to_owned(),
        name: form.get("name").to_owned(),
        role: form.get("role").to_owned(),
        bio: String::new(),
    };
    match auth::invite_staff(&state, input).await {
        Ok(member) => {
            audit::record(
                &state,
                &audit::Who::staff(&staff.0),
                "staff invited",
                &member.email,
                member.role.as_str(),
            )
            .await;
            Ok(Redirect::to("/admin/staff?invited=1").into_response())
        }
        Err(ServiceError::Validation(errors)) => {
            staff_errors(&state, &staff, &language, &errors).await
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
        &state.locales.get(&language).admin_words()["settings"],
        Some(&staff),
    );
    page.set("authors_can_publish", policy.authors_can_publish)
        .set("require_2fa", two_factor::required(&state).await?);
    page.render(&state, "admin/settings.html")
}

pub async fn save_settings(
    State(state): State<AppState>,
    StaffForm(staff, form): StaffForm,
) -> Result<Response, HttpError> {
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
    audit::record(
        &state,
        &audit::Who::staff(&staff.0),
        "settings changed",
        "",
        &format!(
            "authors_can_publish={value}, require_2fa={}",
            form.get("require_2fa") == "on"
        ),
    )
    .await;
    Ok(Redirect::to("/admin/settings?saved=1").into_response())
}
