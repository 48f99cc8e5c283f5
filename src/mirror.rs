//! A static mirror of the public site: every page, feed, sitemap, image and
//! signed version written as plain files any static host or bucket can
//! serve, for the day the site itself is attacked or blocked.
//!
//! Pages are rendered by the site's own router (the same HTML readers get),
//! found by following links from the home pages and sitemaps. Each page's
//! cache tags (`Surrogate-Key`) are remembered, so a content change
//! re-renders exactly the pages the page cache would drop. Forms and
//! anything that needs the server (search, verify, donations, the admin)
//! point at the main site; canonical links already do.

use std::collections::{BTreeMap, BTreeSet};

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use tower::ServiceExt;

use crate::app::AppState;
use crate::media_store::{MediaStore, MediaStoreError};
use crate::store::{ArticleId, EVERY_STORY, SITE_CHANGE, StoreError};

/// Pages rendered at once while mirroring.
const CONCURRENT_RENDERS: usize = 4;

#[derive(Debug, thiserror::Error)]
pub enum MirrorError {
    #[error("{0}")]
    Target(#[from] MediaStoreError),
    #[error("database: {0}")]
    Store(#[from] StoreError),
}

/// What one mirroring round did.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct MirrorSummary {
    pub written: usize,
    pub removed: usize,
}

/// The mirror of one site into one target (a folder or a bucket).
pub struct Mirror {
    state: AppState,
    router: axum::Router,
    target: MediaStore,
    /// Path → the cache tags of what was written there.
    pages: BTreeMap<String, BTreeSet<String>>,
    /// The newest content change the mirror has applied.
    seen_change: i64,
}

impl Mirror {
    pub fn new(state: AppState, target: MediaStore) -> Self {
        Mirror {
            router: crate::http::router(state.clone()),
            state,
            target,
            pages: BTreeMap::new(),
            seen_change: 0,
        }
    }

    /// Where the mirror is written.
    pub fn place(&self) -> &str {
        self.target.place()
    }

    /// Writes the whole public site, and removes files of pages gone since.
    pub async fn full(&mut self) -> Result<MirrorSummary, MirrorError> {
        self.seen_change = self.state.store.latest_content_change().await?;
        let before: BTreeSet<String> = self.pages.keys().cloned().collect();
        self.pages.clear();
        let mut seeds = vec![
            "/".to_owned(),
            "/sitemap.xml".to_owned(),
            "/news-sitemap.xml".to_owned(),
            "/robots.txt".to_owned(),
            "/.well-known/newsdesk-keys.json".to_owned(),
            "/static/favicon.svg".to_owned(),
        ];
        for language in &self.state.config.site.languages {
            let home = self.state.urls.home(language);
            seeds.push(self.state.urls.feed(language, "", false));
            seeds.push(self.state.urls.feed(language, "", true));
            seeds.push(home);
        }
        let mut summary = self.crawl(seeds, true).await?;
        for gone in before.difference(&self.pages.keys().cloned().collect()) {
            self.target.delete(&file_key(gone)).await?;
            summary.removed += 1;
        }
        Ok(summary)
    }

    /// Applies the content changes since the last round: re-renders the
    /// pages they touch (and any page they now link to), removes pages gone.
    pub async fn catch_up(&mut self) -> Result<MirrorSummary, MirrorError> {
        let changes = self
            .state
            .store
            .content_changes_since(self.seen_change)
            .await?;
        let Some((last, _)) = changes.last().copied() else {
            return Ok(MirrorSummary::default());
        };
        if changes
            .iter()
            .any(|(_, id)| *id == SITE_CHANGE || *id == EVERY_STORY)
        {
            return self.full().await;
        }
        let mut keys: BTreeSet<String> = BTreeSet::new();
        for (_, id) in &changes {
            keys.insert(format!("article-{}", id.0));
            keys.extend(self.list_keys_of(*id).await?);
        }
        let affected: Vec<String> = self
            .pages
            .iter()
            .filter(|(_, tags)| !tags.is_disjoint(&keys))
            .map(|(path, _)| path.clone())
            .collect();
        let summary = self.crawl(affected, false).await?;
        self.seen_change = last;
        Ok(summary)
    }

    /// The list tags a change to `id` touches (its language's and every-language lists).
    async fn list_keys_of(&self, id: ArticleId) -> Result<Vec<String>, MirrorError> {
        let mut keys = vec!["list-all".to_owned()];
        match self.state.store.article_row(id).await {
            Ok(row) => keys.push(format!("list-{}", row.language)),
            // Gone from the database: any language's lists may have shown it.
            Err(StoreError::NotFound) => keys.push("list".to_owned()),
            Err(e) => return Err(e.into()),
        }
        Ok(keys)
    }

    /// Renders `paths` and, following their links, every page not yet mirrored.
    /// `everything`: follow links to pages already mirrored too (a full round).
    async fn crawl(
        &mut self,
        paths: Vec<String>,
        everything: bool,
    ) -> Result<MirrorSummary, MirrorError> {
        let mut summary = MirrorSummary::default();
        let mut queued: BTreeSet<String> = paths.iter().cloned().collect();
        let mut queue = paths;
        while !queue.is_empty() {
            let batch: Vec<String> = queue.drain(..queue.len().min(CONCURRENT_RENDERS)).collect();
            let rendered =
                futures_util::future::join_all(batch.iter().map(|path| render(&self.router, path)))
                    .await;
            for (path, page) in batch.into_iter().zip(rendered) {
                let Some(page) = page else {
                    // Not (or no longer) a page: a story unpublished, say.
                    if self.pages.remove(&path).is_some() {
                        self.target.delete(&file_key(&path)).await?;
                        summary.removed += 1;
                    }
                    continue;
                };
                for link in links_in(&self.state, &page.body) {
                    let new = everything || !self.pages.contains_key(&link);
                    if new && mirrored(&self.state, &link) && queued.insert(link.clone()) {
                        queue.push(link);
                    }
                }
                let body = if page.content_type.starts_with("text/html") {
                    point_dynamic_at_origin(&self.state, &page.body).into_bytes()
                } else {
                    page.body
                };
                let cache_control = if path.starts_with("/static/") || path.starts_with("/media/") {
                    "public, max-age=31536000, immutable"
                } else {
                    "public, max-age=60"
                };
                self.target
                    .put_with(&file_key(&path), body, &page.content_type, cache_control)
                    .await?;
                self.pages.insert(path, page.tags);
                summary.written += 1;
            }
        }
        Ok(summary)
    }

    /// Keeps the mirror in step, checking for changes every `every` until `stop` says so.
    pub async fn watch(
        &mut self,
        every: std::time::Duration,
        stop: impl Fn() -> bool,
    ) -> Result<(), MirrorError> {
        while !stop() {
            tokio::time::sleep(every).await;
            match self.catch_up().await {
                Ok(summary) if summary != MirrorSummary::default() => {
                    tracing::info!(
                        written = summary.written,
                        removed = summary.removed,
                        "mirror updated"
                    );
                }
                Ok(_) => {}
                // The database or the target may come back; the next round tries again.
                Err(e) => tracing::warn!(error = %e, "mirror round failed"),
            }
        }
        Ok(())
    }
}

struct Rendered {
    content_type: String,
    body: Vec<u8>,
    tags: BTreeSet<String>,
}

/// One public page as the site serves it (uncompressed); `None` unless 200.
async fn render(router: &axum::Router, path: &str) -> Option<Rendered> {
    let request = Request::builder()
        .uri(path)
        .header(header::ACCEPT_ENCODING, "identity")
        .body(Body::empty())
        .ok()?;
    let response = router.clone().oneshot(request).await.ok()?;
    if response.status() != StatusCode::OK {
        return None;
    }
    let header_text = |name: &str| {
        response
            .headers()
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_owned()
    };
    let content_type = header_text("content-type");
    let tags = header_text("surrogate-key")
        .split_whitespace()
        .map(str::to_owned)
        .collect();
    let body = axum::body::to_bytes(response.into_body(), usize::MAX)
        .await
        .ok()?
        .to_vec();
    Some(Rendered {
        content_type,
        body,
        tags,
    })
}

/// The file a path is kept in: pages as `path/index.html` (static hosts
/// serve `/a/b` from `a/b/index.html`), files with an extension as they are.
pub fn file_key(path: &str) -> String {
    let trimmed = path.trim_matches('/');
    let last = trimmed.rsplit('/').next().unwrap_or("");
    if trimmed.is_empty() {
        "index.html".to_owned()
    } else if last.contains('.') {
        trimmed.to_owned()
    } else {
        format!("{trimmed}/index.html")
    }
}

/// Site paths a page refers to: `href`, `src`, `srcset` candidates,
/// sitemap `<loc>`s and JSON `"url"`s, root-relative or absolute on this site.
fn links_in(state: &AppState, body: &[u8]) -> Vec<String> {
    let Ok(text) = std::str::from_utf8(body) else {
        return Vec::new();
    };
    let base = state.urls.base_url();
    let mut links = Vec::new();
    for (open, close) in [
        ("href=\"", '"'),
        ("src=\"", '"'),
        ("srcset=\"", '"'),
        ("<loc>", '<'),
        // The version list and the key list name their files.
        ("\"url\": \"", '"'),
    ] {
        let mut rest = text;
        while let Some(at) = rest.find(open) {
            rest = &rest[at + open.len()..];
            let value = rest.split(close).next().unwrap_or("");
            for candidate in value.split(", ") {
                let url = candidate.split_whitespace().next().unwrap_or("");
                let url = url.replace("&amp;", "&");
                let path = match url.strip_prefix(base) {
                    Some("") => "/".to_owned(),
                    Some(path) if path.starts_with('/') => path.to_owned(),
                    Some(_) => continue,
                    None if url.starts_with('/') && !url.starts_with("//") => url,
                    None => continue,
                };
                let path = path.split('#').next().unwrap_or("").to_owned();
                if !path.is_empty() {
                    links.push(path);
                }
            }
        }
    }
    links
}

/// Whether a path is a page the mirror can hold: no query, nothing that
/// needs the server.
fn mirrored(state: &AppState, path: &str) -> bool {
    !path.contains('?') && !needs_server(state, path)
}

/// Paths only the server can answer (forms, searches, the admin).
fn needs_server(state: &AppState, path: &str) -> bool {
    let first = path.trim_start_matches('/').split('/').next().unwrap_or("");
    let path = if state.config.site.languages.iter().any(|l| l == first) {
        &path[first.len() + 1..]
    } else {
        path
    };
    let path = if path.is_empty() { "/" } else { path };
    [
        "/admin",
        "/api",
        "/search",
        "/verify",
        "/support",
        "/newsletter",
        "/preview",
        "/fediverse",
        "/healthz",
    ]
    .iter()
    .any(|prefix| path == *prefix || path.starts_with(&format!("{prefix}/")))
}

/// HTML whose links and forms that need the server point at the main site.
fn point_dynamic_at_origin(state: &AppState, body: &[u8]) -> String {
    // A mirrored live page shows its updates as they were; it has no stream to open.
    let text = without_attribute(&String::from_utf8_lossy(body), " data-live-events=\"");
    let base = state.urls.base_url();
    let mut out = String::with_capacity(text.len() + 256);
    let mut rest: &str = &text;
    loop {
        let next = ["href=\"/", "action=\"/"]
            .iter()
            .filter_map(|needle| rest.find(needle).map(|at| (at, needle.len())))
            .min();
        let Some((at, length)) = next else {
            out.push_str(rest);
            break;
        };
        let value_start = at + length - 1;
        out.push_str(&rest[..value_start]);
        rest = &rest[value_start..];
        let value = rest.split('"').next().unwrap_or("");
        let path = value.replace("&amp;", "&");
        if !value.starts_with("//") && (path.contains('?') || needs_server(state, &path)) {
            out.push_str(base);
        }
    }
    out
}

/// `html` without any `name="…"` attribute (`needle` is ` name="`).
fn without_attribute(html: &str, needle: &str) -> String {
    let mut out = String::with_capacity(html.len());
    let mut rest = html;
    while let Some(at) = rest.find(needle) {
        out.push_str(&rest[..at]);
        let value = &rest[at + needle.len()..];
        rest = value.find('"').map_or("", |end| &value[end + 1..]);
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::{file_key, without_attribute};

    #[test]
    fn mirrored_live_pages_open_no_stream() {
        assert_eq!(
            without_attribute(
                "<section class=\"live\" data-live-events=\"/a/events\" id=\"x\">",
                " data-live-events=\""
            ),
            "<section class=\"live\" id=\"x\">"
        );
    }

    #[test]
    fn pages_become_index_files_and_files_stay_files() {
        assert_eq!(file_key("/"), "index.html");
        assert_eq!(file_key("/en"), "en/index.html");
        assert_eq!(
            file_key("/2026/12/03/bridge"),
            "2026/12/03/bridge/index.html"
        );
        assert_eq!(
            file_key("/2026/12/03/bridge.v2.signed.json"),
            "2026/12/03/bridge.v2.signed.json"
        );
        assert_eq!(file_key("/static/site.css"), "static/site.css");
        assert_eq!(file_key("/sitemaps/2026-12.xml"), "sitemaps/2026-12.xml");
    }
}
