//! Images of an imported archive, taken from a local copy of the old
//! site's uploads (`--media-from DIR`, a copy of `wp-content/uploads`) or
//! downloaded from the addresses in the file (`--fetch-media`).
//!
//! Each image is re-encoded like an upload (size checks, variants, no
//! metadata) and the body's links are rewritten to the new address. Paths
//! and addresses come from the export file, so they are hostile: only
//! files under DIR are read, and downloads go only to public addresses
//! (checked before connecting, as for the Fediverse), without redirects,
//! with a size cap.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use crate::app::AppState;
use crate::services::media;
use crate::store::StaffId;

const IMAGE_EXTENSIONS: [&str; 5] = [".jpg", ".jpeg", ".png", ".webp", ".gif"];

pub struct MediaMover {
    root: Option<PathBuf>,
    /// Download what the folder does not have.
    fetch: bool,
    /// Old URL → new `/media/…` URL (or `None`: not found, not an image).
    moved: HashMap<String, Option<String>>,
    /// File → new URL: one file under several addresses moves once.
    by_file: HashMap<PathBuf, String>,
    pub copied: usize,
    pub missing: usize,
}

impl MediaMover {
    pub fn new(root: Option<&Path>, fetch: bool) -> std::io::Result<Self> {
        Ok(MediaMover {
            root: root.map(std::fs::canonicalize).transpose()?,
            fetch,
            moved: HashMap::new(),
            by_file: HashMap::new(),
            copied: 0,
            missing: 0,
        })
    }

    /// `text` with every old image address that has a file under the root
    /// replaced by its new one. A dry run only counts.
    pub async fn rewrite(
        &mut self,
        state: &AppState,
        uploader: Option<StaffId>,
        text: &str,
    ) -> String {
        let mut out = text.to_owned();
        for url in image_urls(text) {
            if let Some(new) = self.move_one(state, uploader, &url).await {
                out = out.replace(&url, &new);
            }
        }
        out
    }

    /// The new address of one old image address, moving it on first sight
    /// (without an uploader, as in a dry run, only finding it).
    pub async fn move_one(
        &mut self,
        state: &AppState,
        uploader: Option<StaffId>,
        url: &str,
    ) -> Option<String> {
        if let Some(known) = self.moved.get(url) {
            return known.clone();
        }
        let file = self.local_file(url);
        let moved = match (&file, uploader) {
            (Some(file), _) if self.by_file.contains_key(file) => self.by_file.get(file).cloned(),
            (Some(file), Some(uploader)) => {
                let new = self.upload(state, uploader, file).await;
                if let Some(new) = &new {
                    self.copied += 1;
                    self.by_file.insert(file.clone(), new.clone());
                }
                new
            }
            (Some(file), None) => {
                self.copied += 1;
                self.by_file.insert(file.clone(), url.to_owned());
                Some(url.to_owned())
            }
            (None, Some(uploader)) if self.fetch => {
                let new = self.download(state, uploader, url).await;
                if new.is_some() {
                    self.copied += 1;
                }
                new
            }
            (None, None) if self.fetch => {
                self.copied += 1;
                Some(url.to_owned())
            }
            (None, _) => None,
        };
        if moved.is_none() {
            self.missing += 1;
        }
        self.moved.insert(url.to_owned(), moved.clone());
        moved
    }

    async fn upload(&self, state: &AppState, uploader: StaffId, file: &Path) -> Option<String> {
        let size = tokio::fs::metadata(file).await.ok()?.len();
        if size > media::MAX_UPLOAD_BYTES as u64 {
            tracing::warn!(file = %file.display(), "image too large to import");
            return None;
        }
        let bytes = tokio::fs::read(file).await.ok()?;
        let name = file.file_name()?.to_string_lossy().into_owned();
        match media::upload(state, uploader, &name, bytes, "", "").await {
            Ok(uploaded) => Some(uploaded.url),
            Err(err) => {
                tracing::warn!(file = %file.display(), error = %err, "image not imported");
                None
            }
        }
    }

    /// Downloads an image from the old site and uploads it here.
    async fn download(&self, state: &AppState, uploader: StaffId, url: &str) -> Option<String> {
        let parsed = url::Url::parse(url).ok()?;
        let allow_private = state.config.distribution.fediverse_allow_private;
        if let Err(err) = crate::integrations::http::check_peer_url(&parsed, allow_private) {
            tracing::warn!(%url, error = %err, "image not fetched");
            return None;
        }
        let response = match state.peer_http.get(parsed.as_str()).send().await {
            Ok(response) if response.status().is_success() => response,
            Ok(response) => {
                tracing::warn!(%url, status = %response.status(), "image not fetched");
                return None;
            }
            Err(err) => {
                tracing::warn!(%url, error = %err, "image not fetched");
                return None;
            }
        };
        let bytes = crate::integrations::http::read_capped(response, media::MAX_UPLOAD_BYTES)
            .await
            .ok()?;
        let name = parsed
            .path_segments()
            .and_then(|mut s| s.next_back())
            .unwrap_or("image")
            .to_owned();
        match media::upload(state, uploader, &name, bytes, "", "").await {
            Ok(uploaded) => Some(uploaded.url),
            Err(err) => {
                tracing::warn!(%url, error = %err, "fetched file is not an image we take");
                None
            }
        }
    }

    /// The file under the root an old address names: the part after
    /// `wp-content/uploads/` (or the whole path, as WordPress.com's file
    /// hosts write it), without the size WordPress adds (`-300x200`) when
    /// the original is there.
    fn local_file(&self, url: &str) -> Option<PathBuf> {
        let root = self.root.as_ref()?;
        let parsed = url::Url::parse(url).ok()?;
        let path = super::percent_decode(parsed.path());
        let relative = ["/wp-content/uploads/", "/content/images/"]
            .iter()
            .find_map(|prefix| path.find(prefix).map(|at| &path[at + prefix.len()..]))
            .unwrap_or_else(|| path.trim_start_matches('/'));
        let mut candidate = root.clone();
        for segment in relative.split('/') {
            if segment.is_empty() || segment == "." || segment == ".." || segment.contains('\\') {
                return None;
            }
            candidate.push(segment);
        }
        let original = without_size_suffix(&candidate);
        for file in original.iter().chain(std::iter::once(&candidate)) {
            if let Ok(real) = std::fs::canonicalize(file)
                && real.starts_with(root)
                && real.is_file()
            {
                return Some(real);
            }
        }
        None
    }
}

/// `photo-300x200.jpg` → `photo.jpg`.
fn without_size_suffix(path: &Path) -> Option<PathBuf> {
    let stem = path.file_stem()?.to_str()?;
    let ext = path.extension()?.to_str()?;
    let (base, size) = stem.rsplit_once('-')?;
    let (w, h) = size.split_once('x')?;
    if w.is_empty() || h.is_empty() || !w.bytes().chain(h.bytes()).all(|b| b.is_ascii_digit()) {
        return None;
    }
    Some(path.with_file_name(format!("{base}.{ext}")))
}

/// Addresses of images in a body: `http(s)://…` up to a quote, bracket or
/// space, ending in an image extension (before any query).
pub fn image_urls(text: &str) -> Vec<String> {
    let mut found = Vec::new();
    let mut rest = text;
    while let Some(at) = rest.find("http") {
        let tail = &rest[at..];
        let end = tail
            .find(['"', '\'', ')', '(', ' ', '\n', '<', '>', ']'])
            .unwrap_or(tail.len());
        let candidate = &tail[..end];
        let path = candidate
            .split(['?', '#'])
            .next()
            .unwrap_or("")
            .to_ascii_lowercase();
        if (candidate.starts_with("https://") || candidate.starts_with("http://"))
            && IMAGE_EXTENSIONS.iter().any(|e| path.ends_with(e))
            && !found.iter().any(|f| f == candidate)
        {
            found.push(candidate.to_owned());
        }
        rest = &tail[end.max(4)..];
    }
    // Longest first, so replacing one never cuts into another.
    found.sort_by_key(|u| std::cmp::Reverse(u.len()));
    found
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn image_addresses_are_found_in_html_and_markdown() {
        let body = "<figure><img src=\"https://old.example/wp-content/uploads/2024/05/a-300x200.jpg?w=300\" alt=\"\"></figure>\n\n[![x](https://old.example/b.PNG)](https://old.example/b.PNG) https://old.example/page/";
        assert_eq!(
            image_urls(body),
            vec![
                "https://old.example/wp-content/uploads/2024/05/a-300x200.jpg?w=300".to_owned(),
                "https://old.example/b.PNG".to_owned()
            ]
        );
    }

    #[test]
    fn files_outside_the_folder_are_never_read() {
        let root = std::env::temp_dir().join(format!("nd-media-{}", rand::random::<u32>()));
        std::fs::create_dir_all(root.join("2024/05")).unwrap();
        std::fs::write(root.join("2024/05/a.jpg"), b"x").unwrap();
        let mover = MediaMover::new(Some(&root), false).unwrap();
        assert!(
            mover
                .local_file("https://old.example/wp-content/uploads/2024/05/a-300x200.jpg")
                .is_some_and(|f| f.ends_with("2024/05/a.jpg"))
        );
        for hostile in [
            "https://old.example/wp-content/uploads/../../etc/passwd.jpg",
            "https://old.example/wp-content/uploads/%2e%2e/%2e%2e/etc/passwd.jpg",
            "https://old.example/wp-content/uploads/2024/05/..%2f..%2f..%2fa.jpg",
        ] {
            assert_eq!(mover.local_file(hostile), None, "{hostile}");
        }
        let _ = std::fs::remove_dir_all(&root);
    }
}
