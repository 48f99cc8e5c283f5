//! Revisions of an article: the list, a comparison of two, restoring one.

use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use serde_json::json;

use super::articles::{parse_id, viewable};
use super::session::Staff;
use super::{AdminLang, AdminPage};
use crate::app::AppState;
use crate::http::admin::session::StaffForm;
use crate::http::error::HttpError;
use crate::services::policy::Action;
use crate::services::{revisions, workflow};

#[derive(Deserialize)]
pub struct CompareQuery {
    from: Option<i64>,
    to: Option<i64>,
}

pub async fn show_revisions(
    State(state): State<AppState>,
    AdminLang(language): AdminLang,
    staff: Staff,
    Path(id): Path<String>,
    Query(query): Query<CompareQuery>,
) -> Result<Response, HttpError> {
    let id = parse_id(&id)?;
    let list = state.store.revisions(id).await?;
    let newest = list.first().map(|r| r.version).unwrap_or(1);
    let from = query.from.unwrap_or(newest.saturating_sub(1).max(1));
    let to = query.to.unwrap_or(newest);
    revisions_page(&state, &staff, &language, id, from, to)
        .await?
        .render(&state, "admin/revisions.html")
}

/// The revisions of an article with versions `from` and `to` compared.
pub async fn revisions_page(
    state: &AppState,
    staff: &Staff,
    language: &str,
    id: crate::store::ArticleId,
    from: i64,
    to: i64,
) -> Result<AdminPage, HttpError> {
    let view = viewable(state, staff, id).await?;
    let list = state.store.revisions(id).await?;
    let diff = if from != to {
        Some(revisions::compare(state, id, from.min(to), from.max(to)).await?)
    } else {
        None
    };
    let policy = workflow::site_policy(state).await?;
    let can_restore = [Action::RestoreRevision, Action::EditArticle]
        .into_iter()
        .all(|action| workflow::allowed_by(&policy, staff.actor(), action, Some(&view)));
    let t = state.locales.get(language).admin_words();
    let mut page = AdminPage::new(state, language, &t["revisions"], Some(staff));
    page.set("article", json!({ "id": id, "headline": view.article.headline, "version": view.article.version }))
        .set(
            "revisions",
            list.iter()
                .map(|r| json!({ "version": r.version, "saved_by": r.saved_by, "created_at": r.created_at }))
                .collect::<Vec<_>>(),
        )
        .set("from", from.min(to))
        .set("to", from.max(to))
        .set("diff", diff)
        .set("can_restore", can_restore);
    Ok(page)
}

pub async fn restore_revision(
    State(state): State<AppState>,
    Path((id, version)): Path<(String, String)>,
    StaffForm(staff, _form): StaffForm,
) -> Result<Response, HttpError> {
    let id = parse_id(&id)?;
    let version: i64 = version.parse().map_err(|_| HttpError::NotFound)?;
    viewable(&state, &staff, id).await?;
    revisions::restore(&state, staff.actor(), id, version).await?;
    Ok(Redirect::to(&format!("/admin/articles/{id}?done=restore")).into_response())
}
