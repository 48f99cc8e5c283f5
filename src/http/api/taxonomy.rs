//! Sections, tags and staff, for pickers and importers.

use axum::Json;
use axum::extract::{Path, State};
use serde_json::{Value, json};

use super::{ApiCaller, ApiJson};
use crate::app::AppState;
use crate::http::error::HttpError;
use crate::services::taxonomy::{self, NamesInput};

#[utoipa::path(get, path = "/api/admin/sections", tag = "admin",
    responses((status = 200, description = "Sections", body = Object)), security(("api_key" = [])))]
pub async fn list_sections(
    State(state): State<AppState>,
    _caller: ApiCaller,
) -> Result<Json<Value>, HttpError> {
    Ok(Json(json!({ "sections": state.store.sections().await? })))
}

#[utoipa::path(put, path = "/api/admin/sections/{slug}", tag = "admin", params(("slug" = String, Path)),
    request_body = NamesInput,
    responses((status = 200, description = "The section, created or renamed, with its names", body = Object)), security(("api_key" = [])))]
pub async fn name_section(
    State(state): State<AppState>,
    _caller: ApiCaller,
    Path(slug): Path<String>,
    ApiJson(input): ApiJson<NamesInput>,
) -> Result<Json<Value>, HttpError> {
    let section = taxonomy::name_section(&state, &slug, &input).await?;
    Ok(Json(json!({ "section": section })))
}

#[utoipa::path(put, path = "/api/admin/tags/{slug}", tag = "admin", params(("slug" = String, Path)),
    request_body = NamesInput,
    responses((status = 200, description = "The tag's names in other languages", body = Object)), security(("api_key" = [])))]
pub async fn name_tag(
    State(state): State<AppState>,
    _caller: ApiCaller,
    Path(slug): Path<String>,
    ApiJson(input): ApiJson<NamesInput>,
) -> Result<Json<Value>, HttpError> {
    let names = taxonomy::name_tag(&state, &slug, &input).await?;
    Ok(Json(json!({ "slug": slug, "names": names })))
}

#[utoipa::path(get, path = "/api/admin/tags", tag = "admin",
    responses((status = 200, description = "Tags", body = Object)), security(("api_key" = [])))]
pub async fn list_tags(
    State(state): State<AppState>,
    _caller: ApiCaller,
) -> Result<Json<Value>, HttpError> {
    Ok(Json(json!({ "tags": state.store.tags().await? })))
}

#[utoipa::path(get, path = "/api/admin/staff", tag = "admin",
    responses((status = 200, description = "Staff, without secrets", body = Object)), security(("api_key" = [])))]
pub async fn list_staff(
    State(state): State<AppState>,
    _caller: ApiCaller,
) -> Result<Json<Value>, HttpError> {
    Ok(Json(json!({ "staff": state.store.all_staff().await? })))
}
