//! Image uploads: the type is sniffed from the bytes (the name and the
//! browser's word are ignored), size and pixel count are limited before
//! decoding, and every image is re-encoded — which drops EXIF (GPS positions
//! of sources!) and anything else hidden in the file — into a full size and
//! fixed smaller widths for phones.

use image::{DynamicImage, ImageDecoder, ImageFormat, ImageReader, Limits};
use std::io::Cursor;

use super::{FieldError, ServiceError, ServiceResult};
use crate::app::AppState;
use crate::store::{Media, NewMedia, StaffId, StoreError};

pub const MAX_UPLOAD_BYTES: usize = 15 * 1024 * 1024;
/// A 48-megapixel phone photo fits; a "decompression bomb" that claims more
/// (a tiny PNG declaring 7000×7000) is refused before it is decoded.
pub const MAX_PIXELS: u64 = 48_000_000;
/// Decoded images are held this many at once; the rest wait their turn, so
/// parallel uploads cannot multiply the memory one needs.
pub const CONCURRENT_IMAGE_JOBS: usize = 1;
/// Uploads waiting for their turn beyond which a new one is turned away.
pub const MAX_WAITING_IMAGE_JOBS: usize = 8;

static IMAGE_JOBS: std::sync::LazyLock<tokio::sync::Semaphore> =
    std::sync::LazyLock::new(|| tokio::sync::Semaphore::new(CONCURRENT_IMAGE_JOBS));
static WAITING_IMAGE_JOBS: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);

/// A turn at decoding; `Throttled` when too many are already waiting.
async fn image_turn() -> ServiceResult<tokio::sync::SemaphorePermit<'static>> {
    use std::sync::atomic::Ordering;
    if WAITING_IMAGE_JOBS.fetch_add(1, Ordering::SeqCst) >= MAX_WAITING_IMAGE_JOBS {
        WAITING_IMAGE_JOBS.fetch_sub(1, Ordering::SeqCst);
        return Err(ServiceError::Throttled(
            "too many images are being processed; try again in a minute".into(),
        ));
    }
    let permit = IMAGE_JOBS.acquire().await;
    WAITING_IMAGE_JOBS.fetch_sub(1, Ordering::SeqCst);
    permit.map_err(|_| ServiceError::Throttled("image processing has stopped".into()))
}
pub const MAX_SIDE: u32 = 12_000;
/// The full size is capped here; readers never need more.
pub const FULL_WIDTH: u32 = 2400;
/// Smaller copies written beside every upload: `<name>-480.jpg` and so on.
pub const WIDTHS: [u32; 3] = [480, 960, 1600];

fn invalid(message: impl Into<String>) -> ServiceError {
    ServiceError::Validation(vec![FieldError {
        field: "file".into(),
        message: message.into(),
    }])
}

/// A decoded, oriented image ready to be written.
struct Prepared {
    image: DynamicImage,
    lossless: bool,
}

fn prepare(bytes: &[u8]) -> ServiceResult<Prepared> {
    if bytes.len() > MAX_UPLOAD_BYTES {
        return Err(invalid(format!(
            "is larger than {} MB",
            MAX_UPLOAD_BYTES / 1024 / 1024
        )));
    }
    let format =
        image::guess_format(bytes).map_err(|_| invalid("is not an image (JPEG, PNG or WebP)"))?;
    if !matches!(
        format,
        ImageFormat::Jpeg | ImageFormat::Png | ImageFormat::WebP
    ) {
        return Err(invalid("must be a JPEG, PNG or WebP image"));
    }
    let mut limits = Limits::default();
    limits.max_image_width = Some(MAX_SIDE);
    limits.max_image_height = Some(MAX_SIDE);
    limits.max_alloc = Some(MAX_PIXELS * 4);
    let mut reader = ImageReader::with_format(Cursor::new(bytes), format);
    reader.limits(limits);
    let mut decoder = reader
        .into_decoder()
        .map_err(|_| invalid("cannot be read as an image"))?;
    let (width, height) = decoder.dimensions();
    if u64::from(width) * u64::from(height) > MAX_PIXELS || width == 0 || height == 0 {
        return Err(invalid(format!(
            "is {width}×{height} pixels; at most {MAX_PIXELS} pixels are accepted"
        )));
    }
    let orientation = decoder
        .orientation()
        .map_err(|_| invalid("cannot be read as an image"))?;
    let mut image = DynamicImage::from_decoder(decoder)
        .map_err(|_| invalid("is damaged or too large to read"))?;
    image.apply_orientation(orientation);
    let lossless = format == ImageFormat::Png || image.color().has_alpha();
    Ok(Prepared { image, lossless })
}

fn encode(image: &DynamicImage, lossless: bool) -> ServiceResult<Vec<u8>> {
    let mut out = Cursor::new(Vec::new());
    let result = if lossless {
        image.write_to(&mut out, ImageFormat::Png)
    } else {
        image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, 82)
            .encode_image(&image.to_rgb8())
    };
    result.map_err(|e| {
        ServiceError::Store(StoreError::Corrupt(format!("cannot encode image: {e}")))
    })?;
    Ok(out.into_inner())
}

fn resized(image: &DynamicImage, width: u32) -> DynamicImage {
    if image.width() <= width {
        image.clone()
    } else {
        let height =
            (u64::from(image.height()) * u64::from(width) / u64::from(image.width())).max(1) as u32;
        image.resize_exact(width, height, image::imageops::FilterType::Triangle)
    }
}

/// The full size and each smaller width, encoded: (name suffix, bytes).
struct Variants {
    files: Vec<(String, Vec<u8>)>,
    width: u32,
    height: u32,
}

fn encode_variants(prepared: &Prepared) -> ServiceResult<Variants> {
    let full = resized(&prepared.image, FULL_WIDTH);
    let mut files = vec![(String::new(), encode(&full, prepared.lossless)?)];
    for width in WIDTHS {
        let bytes = encode(&resized(&full, width), prepared.lossless)?;
        files.push((format!("-{width}"), bytes));
    }
    Ok(Variants {
        files,
        width: full.width(),
        height: full.height(),
    })
}

fn stored(e: crate::media_store::MediaStoreError) -> ServiceError {
    tracing::error!(error = %e, "media storage failed");
    ServiceError::Store(StoreError::Corrupt(format!("cannot store media: {e}")))
}

pub async fn upload(
    state: &AppState,
    staff: StaffId,
    original_name: &str,
    bytes: Vec<u8>,
    alt: &str,
    credit: &str,
) -> ServiceResult<Media> {
    let month = jiff::Timestamp::now().to_zoned(state.config.site.timezone.clone());
    let folder = format!("{:04}/{:02}", month.year(), month.month());
    let stem = hex::encode(rand::random::<[u8; 10]>());
    let (variants, lossless) = {
        let _turn = image_turn().await?;
        tokio::task::spawn_blocking(move || -> ServiceResult<_> {
            let prepared = prepare(&bytes)?;
            Ok((encode_variants(&prepared)?, prepared.lossless))
        })
        .await
        .map_err(|e| {
            ServiceError::Store(StoreError::Corrupt(format!("image worker failed: {e}")))
        })??
    };
    let (ext, content_type) = if lossless {
        ("png", "image/png")
    } else {
        ("jpg", "image/jpeg")
    };
    // Smaller copies first: once the full size is there, every copy is.
    let mut size = 0;
    for (suffix, bytes) in variants.files.into_iter().rev() {
        if suffix.is_empty() {
            size = bytes.len();
        }
        let key = format!("{folder}/{stem}{suffix}.{ext}");
        state.media.put(&key, bytes).await.map_err(stored)?;
    }
    let url = format!("/media/{folder}/{stem}.{ext}");
    let name: String = original_name
        .chars()
        .filter(|c| !c.is_control())
        .take(200)
        .collect();
    let media = state
        .store
        .insert_media(
            &NewMedia {
                url: &url,
                content_type,
                width: i64::from(variants.width),
                height: i64::from(variants.height),
                bytes: size as i64,
                original_name: &name,
                alt: alt.trim(),
                credit: credit.trim(),
                uploaded_by: staff,
            },
            state.clock.now(),
        )
        .await?;
    tracing::info!(media.id = media.id, media.url = %media.url, staff.id = %staff, store = state.media.place(), "image uploaded");
    Ok(media)
}

/// Deletes an image and its files, unless an article still shows it.
pub async fn delete(state: &AppState, id: i64) -> ServiceResult<()> {
    let media = state.store.media(id).await?;
    let stem = media
        .url
        .rsplit_once('.')
        .map(|(s, _)| s)
        .unwrap_or(&media.url);
    let uses = state.store.media_uses(&media.url, stem).await?;
    if uses > 0 {
        return Err(ServiceError::Conflict(format!(
            "this image is used by {uses} article(s); remove it from them first"
        )));
    }
    state.store.delete_media(id).await?;
    if let Some((stem, ext)) = media
        .url
        .strip_prefix("/media/")
        .and_then(|key| key.rsplit_once('.'))
    {
        let keys = std::iter::once(format!("{stem}.{ext}"))
            .chain(WIDTHS.iter().map(|width| format!("{stem}-{width}.{ext}")));
        for key in keys {
            // The row is gone; a file left behind is only space, so it is logged, not fatal.
            if let Err(e) = state.media.delete(&key).await {
                tracing::warn!(error = %e, %key, "media file not deleted");
            }
        }
    }
    Ok(())
}

/// The copy of a media image nearest to `width`, if `url` is one of ours.
pub fn variant(url: &str, width: u32) -> Option<String> {
    let rest = url.strip_prefix("/media/")?;
    let (stem, ext) = rest.rsplit_once('.')?;
    (WIDTHS.contains(&width) && !stem.contains('-')).then(|| format!("/media/{stem}-{width}.{ext}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn image_work_is_one_at_a_time_with_a_bounded_queue() {
        let first = image_turn().await.unwrap_or_else(|e| panic!("{e}"));
        let mut waiting = Vec::new();
        for _ in 0..MAX_WAITING_IMAGE_JOBS {
            waiting.push(tokio::spawn(async {
                image_turn().await.map(|_| ()).is_ok()
            }));
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        assert!(matches!(
            image_turn().await,
            Err(ServiceError::Throttled(_))
        ));
        drop(first);
        for job in waiting {
            assert!(
                job.await.unwrap_or(false),
                "each waiting upload gets its turn"
            );
        }
    }

    fn png(width: u32, height: u32) -> Vec<u8> {
        let image = DynamicImage::new_rgb8(width, height);
        let mut out = Cursor::new(Vec::new());
        image.write_to(&mut out, ImageFormat::Png).unwrap();
        out.into_inner()
    }

    #[test]
    fn accepts_real_images_and_refuses_the_rest() {
        assert!(prepare(&png(40, 20)).is_ok());
        for bad in [
            b"GIF89a....".to_vec(),
            b"<svg onload=alert(1)>".to_vec(),
            b"%PDF-1.7".to_vec(),
            Vec::new(),
        ] {
            assert!(matches!(prepare(&bad), Err(ServiceError::Validation(_))));
        }
        let mut truncated = png(40, 20);
        truncated.truncate(60);
        assert!(prepare(&truncated).is_err());
    }

    #[test]
    fn refuses_decompression_bombs_before_decoding() {
        // A valid PNG header claiming 11000×11000 pixels, with almost no data.
        let mut bomb = png(1, 1);
        bomb[16..20].copy_from_slice(&11_000u32.to_be_bytes());
        bomb[20..24].copy_from_slice(&11_000u32.to_be_bytes());
        let mut crc = flate2::Crc::new();
        crc.update(&bomb[12..29]);
        bomb[29..33].copy_from_slice(&crc.sum().to_be_bytes());
        let err = prepare(&bomb).err().unwrap();
        assert!(format!("{err:?}").contains("pixels"), "{err:?}");
        assert!(matches!(prepare(&bomb), Err(ServiceError::Validation(_))));
    }

    #[test]
    fn variants_follow_the_url() {
        assert_eq!(
            variant("/media/2026/11/ab12.jpg", 480).as_deref(),
            Some("/media/2026/11/ab12-480.jpg")
        );
        assert_eq!(variant("/static/demo/cover.svg", 480), None);
        assert_eq!(variant("/media/2026/11/ab12.jpg", 500), None);
    }
}
