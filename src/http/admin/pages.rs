//! Static pages in the admin: list, write, translate, delete.

use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use serde_json::json;

use super::session::{Staff, StaffForm};
use super::{AdminLang, AdminPage};
use crate::app::AppState;

use crate::http::error::HttpError;
use crate::http::form::FormData;
use crate::services::ServiceError;
use crate::services::audit::Who;
use crate::services::pages::{self, PageInput};
use crate::services::policy::Action;
use crate::store::{Page, PageId, PageStatus};

pub async fn show_pages(
    State(state): State<AppState>,
    AdminLang(language): AdminLang,
    staff: Staff,
) -> Result<Response, HttpError> {
    staff.require(&state, Action::ManagePages, None).await?;
    let mut page = AdminPage::new(
        &state,
        &language,
        &state.locales.get(&language).admin_words()["pages"],
        Some(&staff),
    );
    page.set("pages", state.store.pages().await?);
    page.render(&state, "admin/pages.html")
}

#[derive(Deserialize)]
pub struct NewPageQuery {
    translation_of: Option<i64>,
    language: Option<String>,
}

pub async fn new_page(
    State(state): State<AppState>,
    AdminLang(language): AdminLang,
    staff: Staff,
    Query(query): Query<NewPageQuery>,
) -> Result<Response, HttpError> {
    staff.require(&state, Action::ManagePages, None).await?;
    let draft = json!({
        "title": "",
        "slug": "",
        "body": "",
        "meta_description": "",
        "position": 0,
        "status": PageStatus::Draft,
        "language": query.language.filter(|l| state.config.site.languages.contains(l))
            .unwrap_or_else(|| state.config.site.default_language.clone()),
    });
    editor(&state, &staff, &language, draft, None, query.translation_of)
        .await?
        .render(&state, "admin/page_editor.html")
}

pub async fn show_page(
    State(state): State<AppState>,
    AdminLang(language): AdminLang,
    staff: Staff,
    Path(id): Path<i64>,
) -> Result<Response, HttpError> {
    staff.require(&state, Action::ManagePages, None).await?;
    let page = state.store.page(PageId(id)).await?;
    editor(&state, &staff, &language, json!(page), Some(&page), None)
        .await?
        .render(&state, "admin/page_editor.html")
}

async fn editor(
    state: &AppState,
    staff: &Staff,
    language: &str,
    form: serde_json::Value,
    existing: Option<&Page>,
    translation_of: Option<i64>,
) -> Result<AdminPage, HttpError> {
    let mut view = AdminPage::new(
        state,
        language,
        &state.locales.get(language).admin_words()["pages"],
        Some(staff),
    );
    view.set("page", &form)
        .set("translation_of", translation_of);
    if let Some(page) = existing {
        let have: Vec<String> = std::iter::once(page.language.clone())
            .chain(
                state
                    .store
                    .page_translations(page)
                    .await?
                    .into_iter()
                    .map(|t| t.language),
            )
            .collect();
        let missing: Vec<_> = state
            .config
            .site
            .languages
            .iter()
            .filter(|l| !have.contains(l))
            .map(|l| json!({"code": l, "name": state.locales.language_name(l)}))
            .collect();
        view.set("missing_languages", missing)
            .set("public_url", state.urls.page(&page.language, &page.slug));
    }
    Ok(view)
}

fn input_of(form: &FormData) -> PageInput {
    PageInput {
        language: form.get("language").to_owned(),
        title: form.get("title").to_owned(),
        slug: form.get("slug").to_owned(),
        body: form.get("body").to_owned(),
        meta_description: form.get("meta_description").to_owned(),
        published: form.get("published") == "1",
        position: form.get("position").to_owned(),
        translation_of: form.get("translation_of").parse().ok().map(PageId),
    }
}

/// The form again with what was wrong, keeping what was typed.
async fn with_errors(
    state: &AppState,
    staff: &Staff,
    language: &str,
    input: &PageInput,
    existing: Option<&Page>,
    errors: Vec<crate::services::FieldError>,
) -> Result<Response, HttpError> {
    let form = json!({
        "id": existing.map(|p| p.id),
        "title": input.title,
        "slug": input.slug,
        "body": input.body,
        "meta_description": input.meta_description,
        "position": input.position,
        "language": input.language,
        "status": if input.published { PageStatus::Published } else { PageStatus::Draft },
    });
    let mut view = editor(
        state,
        staff,
        language,
        form,
        existing,
        input.translation_of.map(|p| p.0),
    )
    .await?;
    view.set("errors", errors);
    view.render_status(
        state,
        "admin/page_editor.html",
        StatusCode::UNPROCESSABLE_ENTITY,
    )
}

pub async fn create_page(
    State(state): State<AppState>,
    AdminLang(language): AdminLang,
    StaffForm(staff, form): StaffForm,
) -> Result<Response, HttpError> {
    staff.require(&state, Action::ManagePages, None).await?;
    let input = input_of(&form);
    match pages::create(&state, &Who::staff(&staff.0), &input).await {
        Ok(id) => Ok(Redirect::to(&format!("/admin/pages/{id}")).into_response()),
        Err(ServiceError::Validation(errors)) => {
            with_errors(&state, &staff, &language, &input, None, errors).await
        }
        Err(e) => Err(e.into()),
    }
}

pub async fn save_page(
    State(state): State<AppState>,
    AdminLang(language): AdminLang,
    Path(id): Path<i64>,
    StaffForm(staff, form): StaffForm,
) -> Result<Response, HttpError> {
    staff.require(&state, Action::ManagePages, None).await?;
    let id = PageId(id);
    let input = input_of(&form);
    match pages::update(&state, &Who::staff(&staff.0), id, &input).await {
        Ok(()) => Ok(Redirect::to(&format!("/admin/pages/{id}")).into_response()),
        Err(ServiceError::Validation(errors)) => {
            let existing = state.store.page(id).await?;
            with_errors(&state, &staff, &language, &input, Some(&existing), errors).await
        }
        Err(e) => Err(e.into()),
    }
}

pub async fn delete_page(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    StaffForm(staff, _form): StaffForm,
) -> Result<Response, HttpError> {
    staff.require(&state, Action::ManagePages, None).await?;
    pages::delete(&state, &Who::staff(&staff.0), PageId(id)).await?;
    Ok(Redirect::to("/admin/pages").into_response())
}
