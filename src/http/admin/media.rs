//! The media library: upload, list, and delete images that no article uses.

use axum::extract::{Multipart, Path, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Json, Redirect, Response};
use serde_json::json;

use super::session::Staff;
use super::{AdminLang, AdminPage};
use crate::app::AppState;
use crate::http::error::HttpError;
use crate::http::form::FormData;
use crate::services::policy::Action;
use crate::services::{ServiceError, media, workflow};

pub async fn show_media(
    State(state): State<AppState>,
    AdminLang(language): AdminLang,
    staff: Staff,
) -> Result<Response, HttpError> {
    let items: Vec<_> = state
        .store
        .media_list(300)
        .await?
        .into_iter()
        .map(|m| {
            let thumb = media::variant(&m.url, 480).unwrap_or_else(|| m.url.clone());
            json!({ "id": m.id, "url": m.url, "thumb": thumb, "alt": m.alt, "credit": m.credit,
                    "width": m.width, "height": m.height, "kb": m.bytes / 1024, "name": m.original_name })
        })
        .collect();
    let can_delete = workflow::allowed(&state, staff.actor(), Action::DeleteMedia, None).await?;
    let mut page = AdminPage::new(
        &state,
        &language,
        &state.locales.get(&language).admin_words()["media"],
        Some(&staff),
    );
    page.set("items", items).set("can_delete", can_delete);
    page.render(&state, "admin/media.html")
}

/// Multipart upload. Browsers posting the form get a redirect; the editor's
/// script asks for JSON and fills in the cover address.
pub async fn upload_media(
    State(state): State<AppState>,
    staff: Staff,
    headers: HeaderMap,
    mut multipart: Multipart,
) -> Result<Response, HttpError> {
    staff.require(&state, Action::UploadMedia, None).await?;
    let too_large = || {
        HttpError::PayloadTooLarge(format!(
            "images may be at most {} MB",
            media::MAX_UPLOAD_BYTES / 1024 / 1024
        ))
    };
    // Browsers send the length first: refuse an oversized upload before reading it.
    let declared: Option<usize> = headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse().ok());
    if declared.is_some_and(|n| n > media::MAX_UPLOAD_BYTES + 64 * 1024) {
        return Err(too_large());
    }
    let (mut csrf, mut alt, mut credit) = (String::new(), String::new(), String::new());
    let mut file: Option<(String, Vec<u8>)> = None;
    while let Some(field) = multipart
        .next_field()
        .await
        .map_err(|e| HttpError::BadRequest(e.body_text()))?
    {
        let name = field.name().unwrap_or("").to_owned();
        match name.as_str() {
            "file" => {
                let original = field.file_name().unwrap_or("image").to_owned();
                let bytes = field
                    .bytes()
                    .await
                    .map_err(|e| HttpError::BadRequest(e.body_text()))?;
                file = Some((original, bytes.to_vec()));
            }
            "csrf" | "alt" | "credit" => {
                let value = field
                    .text()
                    .await
                    .map_err(|e| HttpError::BadRequest(e.body_text()))?;
                let value: String = value.chars().take(300).collect();
                match name.as_str() {
                    "csrf" => csrf = value,
                    "alt" => alt = value,
                    _ => credit = value,
                }
            }
            _ => {}
        }
    }
    staff.check_csrf(&csrf)?;
    let wants_json = headers
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.contains("application/json"));
    let Some((original, bytes)) = file.filter(|(_, b)| !b.is_empty()) else {
        return Err(HttpError::Validation(vec![crate::services::FieldError {
            field: "file".into(),
            message: "choose an image".into(),
        }]));
    };
    let uploaded = media::upload(&state, staff.0.staff_id, &original, bytes, &alt, &credit).await?;
    if wants_json {
        Ok((StatusCode::CREATED, Json(json!({ "id": uploaded.id, "url": uploaded.url, "width": uploaded.width, "height": uploaded.height }))).into_response())
    } else {
        Ok(Redirect::to("/admin/media").into_response())
    }
}

pub async fn delete_media(
    State(state): State<AppState>,
    staff: Staff,
    Path(id): Path<String>,
    body: axum::body::Bytes,
) -> Result<Response, HttpError> {
    staff.check_csrf(FormData::parse(&body).get("csrf"))?;
    staff.require(&state, Action::DeleteMedia, None).await?;
    let id: i64 = id.parse().map_err(|_| HttpError::NotFound)?;
    match media::delete(&state, id).await {
        Ok(()) => Ok(Redirect::to("/admin/media").into_response()),
        Err(ServiceError::Conflict(message)) => Err(HttpError::Conflict(message)),
        Err(e) => Err(e.into()),
    }
}
