//! The theme's stylesheet, script and demo images, built into the binary.

use axum::extract::Path;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};

const ASSETS: &[(&str, &str, &[u8])] = &[
    (
        "site.css",
        "text/css; charset=utf-8",
        include_bytes!("../../../static/site.css"),
    ),
    (
        "site.js",
        "text/javascript; charset=utf-8",
        include_bytes!("../../../static/site.js"),
    ),
    (
        "admin.css",
        "text/css; charset=utf-8",
        include_bytes!("../../../static/admin.css"),
    ),
    (
        "admin.js",
        "text/javascript; charset=utf-8",
        include_bytes!("../../../static/admin.js"),
    ),
    (
        "demo/cover-grid.svg",
        "image/svg+xml",
        include_bytes!("../../../static/demo/cover-grid.svg"),
    ),
    (
        "demo/cover-city.svg",
        "image/svg+xml",
        include_bytes!("../../../static/demo/cover-city.svg"),
    ),
    (
        "demo/cover-field.svg",
        "image/svg+xml",
        include_bytes!("../../../static/demo/cover-field.svg"),
    ),
    (
        "demo/cover-chamber.svg",
        "image/svg+xml",
        include_bytes!("../../../static/demo/cover-chamber.svg"),
    ),
    (
        "demo/cover-river.svg",
        "image/svg+xml",
        include_bytes!("../../../static/demo/cover-river.svg"),
    ),
    (
        "favicon.svg",
        "image/svg+xml",
        include_bytes!("../../../static/favicon.svg"),
    ),
];

pub async fn serve_asset(Path(file): Path<String>) -> Response {
    let Some((_, content_type, bytes)) = ASSETS.iter().find(|(name, _, _)| *name == file) else {
        return StatusCode::NOT_FOUND.into_response();
    };
    (
        [
            (header::CONTENT_TYPE, HeaderValue::from_static(content_type)),
            // Assets change only with a new binary; an hour keeps them fresh enough after upgrades.
            (
                header::CACHE_CONTROL,
                HeaderValue::from_static("public, max-age=3600"),
            ),
        ],
        *bytes,
    )
        .into_response()
}

/// Uploaded images from the data folder. Names are random and never reused,
/// so browsers and CDNs may keep them for a year.
pub async fn serve_media(
    axum::extract::State(state): axum::extract::State<crate::app::AppState>,
    Path(file): Path<String>,
) -> Response {
    let content_type = match file.rsplit_once('.').map(|(_, ext)| ext) {
        Some("jpg") => "image/jpeg",
        Some("png") => "image/png",
        _ => return StatusCode::NOT_FOUND.into_response(),
    };
    let root = crate::services::media::media_root(&state);
    let Some(path) = crate::services::media::resolve_public_file(&root, &file).await else {
        return StatusCode::NOT_FOUND.into_response();
    };
    match tokio::fs::read(path).await {
        Ok(bytes) => (
            [
                (header::CONTENT_TYPE, HeaderValue::from_static(content_type)),
                (
                    header::CACHE_CONTROL,
                    HeaderValue::from_static("public, max-age=31536000, immutable"),
                ),
            ],
            bytes,
        )
            .into_response(),
        Err(_) => StatusCode::NOT_FOUND.into_response(),
    }
}
