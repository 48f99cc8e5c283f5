//! Where uploaded images live: a folder of the data directory (the
//! default) or any S3-compatible bucket, behind one interface, so several
//! nodes can share one set of media and a CDN can serve it.
//!
//! Keys are the part of a media URL after `/media/` (`2026/12/ab12….jpg`).
//! Every key is checked to be plain path segments before any store sees it:
//! a public request for `/media/../../etc/passwd` never becomes a key.

use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use axum::body::Bytes;
use futures_util::TryStreamExt;
use object_store::aws::AmazonS3Builder;
use object_store::local::LocalFileSystem;
use object_store::path::Path as Key;
use object_store::prefix::PrefixStore;
use object_store::{
    Attribute, Attributes, BackoffConfig, ClientOptions, ObjectStore, PutOptions, PutPayload,
    RetryConfig,
};

use crate::config::{MediaConfig, MediaLocation, S3Location};

/// Longest key we accept (ours are about 40 characters).
const MAX_KEY_LEN: usize = 200;

#[derive(Debug, thiserror::Error)]
pub enum MediaStoreError {
    #[error("not a media name: {0}")]
    BadKey(String),
    #[error("media storage ({place}): {source}")]
    Store {
        place: String,
        source: object_store::Error,
    },
    #[error("media folder {0}: {1}")]
    Folder(String, std::io::Error),
}

/// The media store a node writes to and reads from.
#[derive(Clone)]
pub struct MediaStore {
    objects: Arc<dyn ObjectStore>,
    /// Buckets take each object's type and caching rules; a folder cannot.
    remote: bool,
    /// Where, for messages and logs (`s3://bucket/prefix`, or the folder).
    place: String,
}

impl std::fmt::Debug for MediaStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MediaStore")
            .field("place", &self.place)
            .finish()
    }
}

impl MediaStore {
    /// The store the configuration names; the default is `DATA_DIR/media`.
    pub fn from_config(config: &MediaConfig, data_dir: &Path) -> Result<Self, MediaStoreError> {
        match &config.location {
            MediaLocation::Folder => Self::folder(&data_dir.join("media")),
            MediaLocation::S3(s3) => Self::bucket(s3),
        }
    }

    /// An S3-compatible bucket (and prefix).
    pub fn bucket(s3: &S3Location) -> Result<Self, MediaStoreError> {
        // A reader waiting on an image (or an editor on an upload)
        // hears of a bucket that is down within seconds, not minutes.
        let retry = RetryConfig {
            backoff: BackoffConfig {
                init_backoff: Duration::from_millis(100),
                max_backoff: Duration::from_secs(1),
                base: 2.0,
            },
            max_retries: 2,
            retry_timeout: Duration::from_secs(5),
        };
        let client = ClientOptions::new()
            .with_connect_timeout(Duration::from_secs(3))
            .with_timeout(Duration::from_secs(30));
        let mut builder = AmazonS3Builder::new()
            .with_client_options(client)
            .with_retry(retry)
            .with_bucket_name(&s3.bucket)
            .with_region(&s3.region);
        if let Some(endpoint) = &s3.endpoint {
            builder = builder
                .with_endpoint(endpoint)
                .with_allow_http(endpoint.starts_with("http://"));
        }
        if !s3.access_key_id.is_empty() {
            builder = builder
                .with_access_key_id(&s3.access_key_id)
                .with_secret_access_key(&s3.secret_access_key);
        }
        let place = match s3.prefix.as_str() {
            "" => format!("s3://{}", s3.bucket),
            prefix => format!("s3://{}/{prefix}", s3.bucket),
        };
        let bucket = builder.build().map_err(|source| MediaStoreError::Store {
            place: place.clone(),
            source,
        })?;
        let objects: Arc<dyn ObjectStore> = if s3.prefix.is_empty() {
            Arc::new(bucket)
        } else {
            Arc::new(PrefixStore::new(bucket, s3.prefix.as_str()))
        };
        Ok(MediaStore {
            objects,
            remote: true,
            place,
        })
    }

    /// A folder on this machine (created if missing).
    pub fn folder(root: &Path) -> Result<Self, MediaStoreError> {
        let folder_error = |e| MediaStoreError::Folder(root.display().to_string(), e);
        std::fs::create_dir_all(root).map_err(folder_error)?;
        let files =
            LocalFileSystem::new_with_prefix(root).map_err(|source| MediaStoreError::Store {
                place: root.display().to_string(),
                source,
            })?;
        Ok(MediaStore {
            objects: Arc::new(files.with_automatic_cleanup(true)),
            remote: false,
            place: root.display().to_string(),
        })
    }

    pub fn place(&self) -> &str {
        &self.place
    }

    pub fn is_remote(&self) -> bool {
        self.remote
    }

    /// Stores an image under `key`, replacing what was there; its type
    /// follows its name. Names are never reused, so a bucket served to
    /// readers may say it never changes.
    pub async fn put(&self, key: &str, bytes: Vec<u8>) -> Result<(), MediaStoreError> {
        let content_type = content_type(key).unwrap_or("application/octet-stream");
        self.put_with(
            key,
            bytes,
            content_type,
            "public, max-age=31536000, immutable",
        )
        .await
    }

    /// Stores `bytes` under `key` with the type and caching rules a bucket
    /// served to readers answers with (a folder keeps only the bytes).
    pub async fn put_with(
        &self,
        key: &str,
        bytes: Vec<u8>,
        content_type: &str,
        cache_control: &str,
    ) -> Result<(), MediaStoreError> {
        let location = checked_key(key)?;
        let mut options = PutOptions::default();
        if self.remote {
            let mut attributes = Attributes::new();
            attributes.insert(Attribute::ContentType, content_type.to_owned().into());
            attributes.insert(Attribute::CacheControl, cache_control.to_owned().into());
            options.attributes = attributes;
        }
        self.objects
            .put_opts(&location, PutPayload::from(bytes), options)
            .await
            .map(|_| ())
            .map_err(|e| self.failed(e))
    }

    /// The bytes under `key`; `None` when there is nothing (or the key is not one of ours).
    pub async fn get(&self, key: &str) -> Result<Option<Bytes>, MediaStoreError> {
        let Ok(location) = checked_key(key) else {
            return Ok(None);
        };
        match self.objects.get(&location).await {
            Ok(found) => found.bytes().await.map(Some).map_err(|e| self.failed(e)),
            Err(object_store::Error::NotFound { .. }) => Ok(None),
            Err(e) => Err(self.failed(e)),
        }
    }

    /// Removes `key`; nothing there is not an error.
    pub async fn delete(&self, key: &str) -> Result<(), MediaStoreError> {
        let location = checked_key(key)?;
        match self.objects.delete(&location).await {
            Ok(()) | Err(object_store::Error::NotFound { .. }) => Ok(()),
            Err(e) => Err(self.failed(e)),
        }
    }

    /// Every key, sorted.
    pub async fn keys(&self) -> Result<Vec<String>, MediaStoreError> {
        let mut keys: Vec<String> = self
            .objects
            .list(None)
            .map_ok(|meta| meta.location.to_string())
            .try_collect()
            .await
            .map_err(|e| self.failed(e))?;
        keys.retain(|key| checked_key(key).is_ok());
        keys.sort();
        Ok(keys)
    }

    fn failed(&self, source: object_store::Error) -> MediaStoreError {
        MediaStoreError::Store {
            place: self.place.clone(),
            source,
        }
    }
}

/// The type of an image we serve, by its name: JPEG and PNG (every upload
/// is re-encoded as one of them); `None` for anything else.
pub fn content_type(key: &str) -> Option<&'static str> {
    match key.rsplit_once('.').map(|(_, ext)| ext) {
        Some("jpg") => Some("image/jpeg"),
        Some("png") => Some("image/png"),
        _ => None,
    }
}

/// `key` as a store path, if it is plain segments of letters, digits, `-`,
/// `_` and `.` (no empty, `.` or `..` segment, nothing absolute).
fn checked_key(key: &str) -> Result<Key, MediaStoreError> {
    let plain = !key.is_empty()
        && key.len() <= MAX_KEY_LEN
        && key.split('/').all(|segment| {
            !segment.is_empty()
                && segment != "."
                && segment != ".."
                && segment
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_' || b == b'.')
        });
    if !plain {
        return Err(MediaStoreError::BadKey(key.chars().take(80).collect()));
    }
    Key::parse(key).map_err(|_| MediaStoreError::BadKey(key.to_owned()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_plain_keys_reach_a_store() {
        for bad in [
            "",
            "../x.jpg",
            "2026/../../x.jpg",
            "/etc/passwd",
            "a//b.jpg",
            "./a.jpg",
            "a/%2e%2e/b.jpg",
            "a\\b.jpg",
            "a b.jpg",
        ] {
            assert!(checked_key(bad).is_err(), "{bad}");
        }
        assert!(checked_key(&"a".repeat(201)).is_err());
        assert!(checked_key("2026/12/0a1b2c-480.jpg").is_ok());
    }

    #[tokio::test]
    async fn a_folder_store_puts_gets_lists_and_deletes() {
        let root = std::env::temp_dir().join(format!("newsdesk-media-{}", rand::random::<u64>()));
        let store = MediaStore::folder(&root).unwrap();
        store.put("2026/12/a.jpg", b"jpeg".to_vec()).await.unwrap();
        store
            .put("2026/12/a-480.jpg", b"small".to_vec())
            .await
            .unwrap();
        assert_eq!(
            store.get("2026/12/a.jpg").await.unwrap().as_deref(),
            Some(&b"jpeg"[..])
        );
        assert!(root.join("2026/12/a.jpg").is_file(), "kept as a plain file");
        assert_eq!(
            store.keys().await.unwrap(),
            ["2026/12/a-480.jpg", "2026/12/a.jpg"]
        );
        assert_eq!(store.get("2026/12/none.jpg").await.unwrap(), None);
        assert_eq!(store.get("../outside.jpg").await.unwrap(), None);
        store.delete("2026/12/a.jpg").await.unwrap();
        store.delete("2026/12/a.jpg").await.unwrap();
        assert_eq!(store.get("2026/12/a.jpg").await.unwrap(), None);
        let _ = std::fs::remove_dir_all(&root);
    }
}
