//! Sections, tags and staff, for pickers and importers.

use axum::Json;
use axum::extract::State;
use serde_json::{Value, json};

use super::ApiCaller;
use crate::app::AppState;
use crate::http::error::HttpError;

pub async fn list_sections(
    State(state): State<AppState>,
    _caller: ApiCaller,
) -> Result<Json<Value>, HttpError> {
    Ok(Json(json!({ "sections": state.store.sections().await? })))
}

pub async fn list_tags(
    State(state): State<AppState>,
    _caller: ApiCaller,
) -> Result<Json<Value>, HttpError> {
    Ok(Json(json!({ "tags": state.store.tags().await? })))
}

pub async fn list_staff(
    State(state): State<AppState>,
    _caller: ApiCaller,
) -> Result<Json<Value>, HttpError> {
    Ok(Json(json!({ "staff": state.store.all_staff().await? })))
}
