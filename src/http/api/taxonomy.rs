//! Sections, tags and staff, for pickers and importers.

use axum::Json;
use axum::extract::State;
use serde_json::{Value, json};

use super::ApiCaller;
use crate::app::AppState;
use crate::http::error::HttpError;

#[utoipa::path(get, path = "/api/admin/sections", tag = "admin",
    responses((status = 200, description = "Sections", body = Object)), security(("api_key" = [])))]
pub async fn list_sections(
    State(state): State<AppState>,
    _caller: ApiCaller,
) -> Result<Json<Value>, HttpError> {
    Ok(Json(json!({ "sections": state.store.sections().await? })))
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
