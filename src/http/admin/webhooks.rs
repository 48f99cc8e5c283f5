//! The owner's webhooks: where events go, with each one's delivery log.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use serde_json::json;

use super::session::{Staff, StaffForm};
use super::{AdminLang, AdminPage};
use crate::app::AppState;
use crate::http::error::HttpError;
use crate::services::audit::Who;
use crate::services::policy::Action;
use crate::services::{FieldError, ServiceError, webhooks};

async fn page(
    state: &AppState,
    staff: &Staff,
    language: &str,
    errors: &[FieldError],
) -> Result<AdminPage, HttpError> {
    let mut hooks = Vec::new();
    for hook in state.store.webhooks().await? {
        let log = state.store.webhook_deliveries(hook.id, 20).await?;
        hooks.push(json!({
            "id": hook.id,
            "url": hook.url,
            "events": hook.events.split(',').collect::<Vec<_>>(),
            "secret": hook.secret,
            "deliveries": log,
        }));
    }
    let mut page = AdminPage::new(
        state,
        language,
        &state.locales.get(language).admin_words()["webhooks"],
        Some(staff),
    );
    page.set("webhooks", hooks)
        .set("events", webhooks::EVENTS)
        .set("errors", errors);
    Ok(page)
}

pub async fn show_webhooks(
    State(state): State<AppState>,
    AdminLang(language): AdminLang,
    staff: Staff,
) -> Result<Response, HttpError> {
    staff.require(&state, Action::ManageSettings, None).await?;
    page(&state, &staff, &language, &[])
        .await?
        .render(&state, "admin/webhooks.html")
}

pub async fn add_webhook(
    State(state): State<AppState>,
    AdminLang(language): AdminLang,
    StaffForm(staff, form): StaffForm,
) -> Result<Response, HttpError> {
    staff.require(&state, Action::ManageSettings, None).await?;
    let events: Vec<String> = form.all("events").into_iter().map(str::to_owned).collect();
    match webhooks::create(&state, &Who::staff(&staff.0), form.get("url"), &events).await {
        Ok(_) => Ok(Redirect::to("/admin/webhooks").into_response()),
        Err(ServiceError::Validation(errors)) => page(&state, &staff, &language, &errors)
            .await?
            .render_status(
                &state,
                "admin/webhooks.html",
                StatusCode::UNPROCESSABLE_ENTITY,
            ),
        Err(e) => Err(e.into()),
    }
}

pub async fn delete_webhook(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    StaffForm(staff, _form): StaffForm,
) -> Result<Response, HttpError> {
    staff.require(&state, Action::ManageSettings, None).await?;
    webhooks::delete(&state, &Who::staff(&staff.0), id).await?;
    Ok(Redirect::to("/admin/webhooks").into_response())
}
