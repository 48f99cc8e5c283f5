//! Sections: their names in each of the site's languages and their place in
//! the navigation. A language added to the site is named here.

use std::collections::BTreeMap;

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use serde_json::json;

use super::session::{Staff, StaffForm};
use super::{AdminLang, AdminPage};
use crate::app::AppState;
use crate::http::error::HttpError;
use crate::http::form::FormData;
use crate::services::policy::Action;
use crate::services::taxonomy::{self, NamesInput};
use crate::services::{FieldError, ServiceError};

async fn page(
    state: &AppState,
    staff: &Staff,
    language: &str,
    errors: &[FieldError],
) -> Result<AdminPage, HttpError> {
    let languages: Vec<_> = state
        .config
        .site
        .languages
        .iter()
        .map(|l| json!({ "code": l, "name": state.locales.language_name(l) }))
        .collect();
    let mut page = AdminPage::new(
        state,
        language,
        &state.locales.get(language).admin_words()["sections"],
        Some(staff),
    );
    page.set("sections", state.store.sections().await?)
        .set("site_languages", languages)
        .set("errors", errors);
    Ok(page)
}

pub async fn show_sections(
    State(state): State<AppState>,
    AdminLang(language): AdminLang,
    staff: Staff,
) -> Result<Response, HttpError> {
    staff.require(&state, Action::ManagePages, None).await?;
    page(&state, &staff, &language, &[])
        .await?
        .render(&state, "admin/sections.html")
}

/// The names (`name_<language>`) and position a section form sends.
fn names_of(state: &AppState, form: &FormData) -> Result<NamesInput, ServiceError> {
    let names: BTreeMap<String, String> = state
        .config
        .site
        .languages
        .iter()
        .map(|l| (l.clone(), form.get(&format!("name_{l}")).to_owned()))
        .collect();
    let position = match form.get("position").trim() {
        "" => None,
        text => Some(text.parse::<i64>().map_err(|_| {
            ServiceError::Validation(vec![FieldError {
                field: "position".into(),
                message: "a whole number".into(),
            }])
        })?),
    };
    Ok(NamesInput { names, position })
}

/// Creates (from the "new section" form, which names its slug) or renames one.
pub async fn save_section(
    State(state): State<AppState>,
    AdminLang(language): AdminLang,
    slug: Option<Path<String>>,
    StaffForm(staff, form): StaffForm,
) -> Result<Response, HttpError> {
    staff.require(&state, Action::ManagePages, None).await?;
    let slug = match &slug {
        Some(Path(slug)) => slug.clone(),
        None => form.get("slug").trim().to_owned(),
    };
    let saved = match names_of(&state, &form) {
        Ok(input) => taxonomy::name_section(&state, &slug, &input).await,
        Err(e) => Err(e),
    };
    match saved {
        Ok(_) => Ok(Redirect::to("/admin/sections").into_response()),
        Err(ServiceError::Validation(errors)) => page(&state, &staff, &language, &errors)
            .await?
            .render_status(
                &state,
                "admin/sections.html",
                StatusCode::UNPROCESSABLE_ENTITY,
            ),
        Err(e) => Err(e.into()),
    }
}
