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

/// Width and height of the generated default logo and social card.
pub const LOGO_SIZE: (u32, u32) = (512, 512);
pub const SOCIAL_SIZE: (u32, u32) = (1200, 630);

static LOGO_PNG: std::sync::LazyLock<Vec<u8>> =
    std::sync::LazyLock::new(|| mark_png(LOGO_SIZE.0, LOGO_SIZE.1));
static SOCIAL_PNG: std::sync::LazyLock<Vec<u8>> =
    std::sync::LazyLock::new(|| mark_png(SOCIAL_SIZE.0, SOCIAL_SIZE.1));

/// The favicon's mark (a white "N" on the red square) drawn as a PNG of any
/// size: the default publisher logo and social card, for services that do
/// not take SVG. Sites set their own with `site.logo_url` and `site.image_url`.
fn mark_png(width: u32, height: u32) -> Vec<u8> {
    // The favicon's path, in its 32×32 box.
    const N: [(f32, f32); 10] = [
        (9.0, 23.0),
        (9.0, 9.0),
        (12.0, 9.0),
        (20.0, 18.0),
        (20.0, 9.0),
        (23.0, 9.0),
        (23.0, 23.0),
        (20.0, 23.0),
        (12.0, 14.0),
        (12.0, 23.0),
    ];
    let side = width.min(height) as f32;
    let (left, top) = ((width as f32 - side) / 2.0, (height as f32 - side) / 2.0);
    let inside = |x: f32, y: f32| {
        let mut crossing = false;
        for i in 0..N.len() {
            let (x1, y1) = N[i];
            let (x2, y2) = N[(i + 1) % N.len()];
            if (y1 > y) != (y2 > y) && x < (x2 - x1) * (y - y1) / (y2 - y1) + x1 {
                crossing = !crossing;
            }
        }
        crossing
    };
    let image = image::RgbImage::from_fn(width, height, |px, py| {
        let x = (px as f32 + 0.5 - left) / side * 32.0;
        let y = (py as f32 + 0.5 - top) / side * 32.0;
        if inside(x, y) {
            image::Rgb([255, 255, 255])
        } else {
            image::Rgb([0xa4, 0x16, 0x1a])
        }
    });
    let mut out = std::io::Cursor::new(Vec::new());
    if image.write_to(&mut out, image::ImageFormat::Png).is_err() {
        return Vec::new();
    }
    out.into_inner()
}

pub async fn serve_asset(Path(file): Path<String>) -> Response {
    let generated = match file.as_str() {
        "logo.png" => Some(LOGO_PNG.as_slice()),
        "social.png" => Some(SOCIAL_PNG.as_slice()),
        _ => None,
    };
    if let Some(bytes) = generated {
        return (
            [
                (header::CONTENT_TYPE, HeaderValue::from_static("image/png")),
                (
                    header::CACHE_CONTROL,
                    HeaderValue::from_static("public, max-age=3600"),
                ),
            ],
            bytes,
        )
            .into_response();
    }
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

/// Uploaded images from the media store (folder or bucket). Names are random and never reused,
/// so browsers and CDNs may keep them for a year.
pub async fn serve_media(
    axum::extract::State(state): axum::extract::State<crate::app::AppState>,
    Path(file): Path<String>,
) -> Response {
    let Some(content_type) = crate::media_store::content_type(&file) else {
        return StatusCode::NOT_FOUND.into_response();
    };
    match state.media.get(&file).await {
        Ok(Some(bytes)) => (
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
        Ok(None) => StatusCode::NOT_FOUND.into_response(),
        Err(e) => {
            tracing::error!(error = %e, "media storage failed");
            (
                StatusCode::SERVICE_UNAVAILABLE,
                [(header::RETRY_AFTER, HeaderValue::from_static("30"))],
                "media storage is not answering",
            )
                .into_response()
        }
    }
}
