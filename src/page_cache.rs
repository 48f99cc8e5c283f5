//! Whole public pages kept in memory, ready-compressed, so a breaking-news
//! spike is served without touching templates or the database.
//!
//! A handler opts in by attaching [`CacheTags`] to its response: the
//! articles the page shows, and whether it lists stories of a language. A
//! change to article X drops exactly the pages that show X plus the lists
//! where X could appear. Other nodes learn of changes through the
//! `content_changes` table (see `AppState::apply_remote_changes`).
//!
//! This is the cache itself, which services invalidate; the HTTP side
//! (keys, conditional requests, single-flight renders) is the middleware in
//! `http/site/cache.rs`.

use std::collections::{HashMap, HashSet};
use std::io::Write;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, RwLock};
use std::time::{Duration, Instant};

use axum::body::Bytes;
use axum::http::HeaderValue;
use sha2::{Digest, Sha256};

use crate::store::ArticleId;

/// Longest page we will hold; anything bigger is served but not kept.
pub const MAX_CACHED_BYTES: usize = 2 * 1024 * 1024;
/// Pages also hold things no story change announces: "Today" turning into
/// "Yesterday" at midnight, the related stories under an article. Five
/// minutes bounds how stale those can be.
pub const MAX_AGE: Duration = Duration::from_secs(300);

/// What a page depends on. Attach it to a response to make the page cacheable.
#[derive(Clone, Debug, Default)]
pub struct CacheTags {
    pub articles: HashSet<ArticleId>,
    /// The page lists stories of this language ("*" for every language).
    pub lists_language: Option<String>,
}

impl CacheTags {
    pub fn article_page(ids: impl IntoIterator<Item = ArticleId>) -> Self {
        CacheTags {
            articles: ids.into_iter().collect(),
            lists_language: None,
        }
    }

    pub fn listing(language: &str) -> Self {
        CacheTags {
            articles: HashSet::new(),
            lists_language: Some(language.to_owned()),
        }
    }

    /// A page that changes only when the whole cache is cleared (static
    /// pages: their edits clear it, as every footer lists them).
    pub fn until_cleared() -> Self {
        CacheTags::default()
    }

    /// The page's tags as a CDN keeps them (`Surrogate-Key`, `Cache-Tag`):
    /// `site` on every page, `article-N` for each story it shows, `list`
    /// and `list-LANG` (`list-all`) on lists. Invalidations purge the same.
    pub fn surrogate_keys(&self) -> Vec<String> {
        let mut keys = vec!["site".to_owned()];
        let mut articles: Vec<i64> = self.articles.iter().map(|id| id.0).collect();
        articles.sort_unstable();
        keys.extend(articles.into_iter().map(|id| format!("article-{id}")));
        if let Some(language) = &self.lists_language {
            keys.push("list".to_owned());
            keys.push(list_key(language));
        }
        keys
    }
}

fn list_key(language: &str) -> String {
    if language == "*" {
        "list-all".to_owned()
    } else {
        format!("list-{language}")
    }
}

pub struct CachedPage {
    pub(crate) content_type: HeaderValue,
    pub(crate) etag: HeaderValue,
    pub(crate) body: Bytes,
    pub(crate) gzip: Option<Bytes>,
    tags: CacheTags,
    /// The tags as a CDN reads them, made once: served with every hit.
    pub(crate) surrogate_key: Option<HeaderValue>,
    pub(crate) cache_tag: Option<HeaderValue>,
    pub(crate) stored_at: Instant,
    /// Milliseconds since the cache began, when the page was last served.
    last_used: AtomicU64,
    /// Due for a new render whatever its age (see [`PageCache::age_all`]).
    aged: std::sync::atomic::AtomicBool,
}

#[derive(Clone)]
pub struct PageCache {
    pages: Arc<RwLock<HashMap<String, Arc<CachedPage>>>>,
    max_pages: usize,
    /// Bumped by every invalidation: a render that began before one must
    /// not store what it read (it may show a story just unpublished).
    generation: Arc<AtomicU64>,
    origin: Instant,
    /// Stale pages being rendered anew, one request each.
    refreshing: Arc<std::sync::Mutex<HashSet<String>>>,
    /// Pages that have been kept before: after an invalidation, concurrent
    /// misses for them wait for one render instead of each rendering.
    known: Arc<std::sync::Mutex<HashSet<String>>>,
    /// One lock per page being rendered after a miss.
    rendering: Arc<std::sync::Mutex<HashMap<String, Arc<tokio::sync::Mutex<()>>>>>,
    /// Pages stored since start, for metrics and tests.
    stores: Arc<AtomicU64>,
    /// Pages dropped by invalidations, with when they were last served: the
    /// warming job renders the most read of them again before readers ask.
    to_warm: Arc<std::sync::Mutex<Vec<(u64, String)>>>,
    /// Surrogate keys a CDN in front must drop, when one is configured.
    purges: Option<Arc<std::sync::Mutex<std::collections::BTreeSet<String>>>>,
}

/// The right to re-render one stale page, given back when dropped.
pub(crate) struct RefreshTurn {
    refreshing: Arc<std::sync::Mutex<HashSet<String>>>,
    key: String,
}

impl Drop for RefreshTurn {
    fn drop(&mut self) {
        self.refreshing
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .remove(&self.key);
    }
}

impl CachedPage {
    /// A rendered page, compressed once and tagged with what it shows.
    pub fn new(content_type: HeaderValue, body: Bytes, tags: CacheTags) -> Self {
        let keys = tags.surrogate_keys();
        CachedPage {
            content_type,
            etag: etag_of(&body),
            gzip: gzip(&body),
            body,
            surrogate_key: HeaderValue::from_str(&keys.join(" ")).ok(),
            cache_tag: HeaderValue::from_str(&keys.join(",")).ok(),
            tags,
            stored_at: Instant::now(),
            last_used: AtomicU64::new(0),
            aged: Default::default(),
        }
    }
}

/// Surrogate keys waiting for the CDN, at most; beyond, the whole site is purged.
const MAX_PENDING_PURGES: usize = 10_000;

/// Pages rendered again after one round of invalidations, at most.
pub const WARM_AT_MOST: usize = 50;

/// Share of the cache freed at once when it is full: the least recently served.
const EVICT_FRACTION: usize = 10;

impl PageCache {
    pub fn new(max_pages: usize) -> Self {
        PageCache {
            pages: Arc::new(RwLock::new(HashMap::new())),
            max_pages,
            generation: Arc::new(AtomicU64::new(0)),
            origin: Instant::now(),
            refreshing: Arc::default(),
            known: Arc::default(),
            rendering: Arc::default(),
            stores: Arc::default(),
            to_warm: Arc::default(),
            purges: None,
        }
    }

    /// Also gathers, for a CDN in front, the surrogate keys each
    /// invalidation drops (see [`Self::take_purges`]).
    pub fn purging_a_cdn(mut self) -> Self {
        self.purges = Some(Arc::default());
        self
    }

    fn purge(&self, keys: impl IntoIterator<Item = String>) {
        if let Some(purges) = &self.purges
            && let Ok(mut purges) = purges.lock()
        {
            purges.extend(keys);
            // A CDN that stays down must not grow this without end: past a
            // bound, one purge of everything says the same.
            if purges.len() > MAX_PENDING_PURGES {
                purges.clear();
                purges.insert("site".to_owned());
            }
        }
    }

    /// The surrogate keys to purge at the CDN since the last call; a failed
    /// purge gives them back with [`Self::purge_again`].
    pub fn take_purges(&self) -> Vec<String> {
        self.purges
            .as_ref()
            .and_then(|p| p.lock().ok().map(|mut p| std::mem::take(&mut *p)))
            .map(|keys| keys.into_iter().collect())
            .unwrap_or_default()
    }

    pub fn purge_again(&self, keys: Vec<String>) {
        self.purge(keys);
    }

    fn now_millis(&self) -> u64 {
        u64::try_from(self.origin.elapsed().as_millis()).unwrap_or(u64::MAX)
    }

    pub fn generation(&self) -> u64 {
        self.generation.load(Ordering::SeqCst)
    }

    pub fn get(&self, key: &str) -> Option<Arc<CachedPage>> {
        let page = self.pages.read().ok()?.get(key).cloned()?;
        if page.stored_at.elapsed() >= MAX_AGE || page.aged.load(Ordering::Relaxed) {
            return None;
        }
        page.last_used.store(self.now_millis(), Ordering::Relaxed);
        Some(page)
    }

    /// Pages stored since start.
    pub fn stores(&self) -> u64 {
        self.stores.load(Ordering::Relaxed)
    }

    /// For a page that has been cached before, the lock its renders take in
    /// turn (single flight); `None` for pages never cached, which render freely.
    pub(crate) fn render_lock(&self, key: &str) -> Option<Arc<tokio::sync::Mutex<()>>> {
        let known = self.known.lock().ok()?.contains(key);
        if !known {
            return None;
        }
        let mut rendering = self.rendering.lock().ok()?;
        // Locks nobody waits on are dropped as the map grows.
        if rendering.len() > 1024 {
            rendering.retain(|_, lock| Arc::strong_count(lock) > 1);
        }
        Some(rendering.entry(key.to_owned()).or_default().clone())
    }

    /// Claims the one re-render of a stale page; `None` when another request
    /// is already doing it. The claim ends when the returned guard is dropped.
    pub(crate) fn start_refresh(&self, key: &str) -> Option<RefreshTurn> {
        let mut refreshing = self
            .refreshing
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        refreshing.insert(key.to_owned()).then(|| RefreshTurn {
            refreshing: self.refreshing.clone(),
            key: key.to_owned(),
        })
    }

    /// A page past its age but not invalidated: served when a new render fails.
    pub(crate) fn get_stale(&self, key: &str) -> Option<Arc<CachedPage>> {
        self.pages.read().ok()?.get(key).cloned()
    }

    /// Makes every kept page due for a new render (as if five minutes had
    /// passed), for operators and tests; pages stay as stale fallbacks.
    pub fn age_all(&self) {
        if let Ok(pages) = self.pages.read() {
            for page in pages.values() {
                page.aged.store(true, Ordering::Relaxed);
            }
        }
    }

    pub fn len(&self) -> usize {
        self.pages.read().map(|p| p.len()).unwrap_or(0)
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Keeps a page rendered since `generation`; a page whose render an
    /// invalidation overtook is served once and not kept.
    pub(crate) fn insert_if_current(&self, key: String, page: CachedPage, generation: u64) {
        if self.max_pages == 0 {
            return;
        }
        if let Ok(mut pages) = self.pages.write() {
            // Checked under the lock every invalidation also takes.
            if self.generation.load(Ordering::SeqCst) != generation {
                return;
            }
            if pages.len() >= self.max_pages && !pages.contains_key(&key) {
                evict_least_recently_used(&mut pages, self.max_pages / EVICT_FRACTION + 1);
            }
            page.last_used.store(self.now_millis(), Ordering::Relaxed);
            if let Ok(mut known) = self.known.lock() {
                if known.len() > self.max_pages.saturating_mul(4) {
                    known.clear();
                }
                known.insert(key.clone());
            }
            self.stores.fetch_add(1, Ordering::Relaxed);
            pages.insert(key, Arc::new(page));
        }
    }

    #[cfg(test)]
    fn insert(&self, key: String, page: CachedPage) {
        self.insert_if_current(key, page, self.generation());
    }

    /// Drops pages that show the article or list stories in its language.
    pub fn invalidate_article(&self, id: ArticleId, language: &str) {
        self.purge([
            format!("article-{}", id.0),
            list_key(language),
            list_key("*"),
        ]);
        self.retain(|tags| {
            !tags.articles.contains(&id)
                && !matches!(tags.lists_language.as_deref(), Some(l) if l == language || l == "*")
        });
    }

    /// Like [`Self::invalidate_article`] when the language is not known.
    pub fn invalidate_article_everywhere(&self, id: ArticleId) {
        self.purge([format!("article-{}", id.0), "list".to_owned()]);
        self.retain(|tags| !tags.articles.contains(&id) && tags.lists_language.is_none());
    }

    pub fn clear(&self) {
        self.purge(["site".to_owned()]);
        self.retain(|_| false);
    }

    fn retain(&self, keep: impl Fn(&CacheTags) -> bool) {
        let mut dropped = Vec::new();
        if let Ok(mut pages) = self.pages.write() {
            self.generation.fetch_add(1, Ordering::SeqCst);
            pages.retain(|key, page| {
                let kept = keep(&page.tags);
                if !kept {
                    dropped.push((page.last_used.load(Ordering::Relaxed), key.clone()));
                }
                kept
            });
        }
        if let Ok(mut to_warm) = self.to_warm.lock() {
            to_warm.extend(dropped);
            // Nobody may be taking them (a command, a test): keep the most read.
            if to_warm.len() > 4 * WARM_AT_MOST {
                to_warm.sort_by_key(|page| std::cmp::Reverse(page.0));
                to_warm.truncate(WARM_AT_MOST);
            }
        }
    }

    /// The pages to render again after invalidations, most recently read
    /// first, at most `max` (the rest render when a reader asks); the list
    /// is emptied.
    pub fn take_pages_to_warm(&self, max: usize) -> Vec<String> {
        let mut dropped = match self.to_warm.lock() {
            Ok(mut to_warm) => std::mem::take(&mut *to_warm),
            Err(_) => return Vec::new(),
        };
        dropped.sort_by_key(|page| std::cmp::Reverse(page.0));
        let mut seen = HashSet::new();
        dropped
            .into_iter()
            .filter(|(_, key)| seen.insert(key.clone()))
            .map(|(_, key)| key)
            .take(max)
            .collect()
    }
}

/// Frees `count` places, taking the pages served longest ago: a flood of
/// one-off URLs pushes out other one-off URLs, not the home page.
fn evict_least_recently_used(pages: &mut HashMap<String, Arc<CachedPage>>, count: usize) {
    let mut by_use: Vec<(u64, String)> = pages
        .iter()
        .map(|(key, page)| (page.last_used.load(Ordering::Relaxed), key.clone()))
        .collect();
    let count = count.min(by_use.len());
    if count == 0 {
        return;
    }
    by_use.select_nth_unstable_by_key(count - 1, |(used, _)| *used);
    for (_, key) in by_use.into_iter().take(count) {
        pages.remove(&key);
    }
}

fn etag_of(body: &[u8]) -> HeaderValue {
    let digest = Sha256::digest(body);
    HeaderValue::from_str(&format!("\"{}\"", hex::encode(&digest[..12])))
        .unwrap_or(HeaderValue::from_static("\"0\""))
}

fn gzip(body: &[u8]) -> Option<Bytes> {
    let mut encoder = flate2::write::GzEncoder::new(
        Vec::with_capacity(body.len() / 3),
        flate2::Compression::new(6),
    );
    encoder.write_all(body).ok()?;
    encoder.finish().ok().map(Bytes::from)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// With the CDN down, pending purges stay bounded: past the bound they
    /// become one purge of the whole site.
    #[test]
    fn pending_purges_stay_bounded() {
        let cache = PageCache::new(10).purging_a_cdn();
        cache.invalidate_article(ArticleId(1), "uk");
        let first = cache.take_purges();
        assert_eq!(first, ["article-1", "list-all", "list-uk"]);
        for id in 0..(MAX_PENDING_PURGES as i64 + 10) {
            cache.invalidate_article(ArticleId(id), "uk");
        }
        assert!(cache.take_purges().len() < 20);
        assert!(
            PageCache::new(10).take_purges().is_empty(),
            "off without a CDN"
        );
    }

    fn page(tags: CacheTags) -> CachedPage {
        CachedPage::new(
            HeaderValue::from_static("text/html"),
            Bytes::from_static(b"x"),
            tags,
        )
    }

    #[test]
    fn invalidation_is_precise() {
        let cache = PageCache::new(100);
        cache.insert(
            "/2026/11/25/a".into(),
            page(CacheTags::article_page([ArticleId(1), ArticleId(2)])),
        );
        cache.insert(
            "/2026/11/25/b".into(),
            page(CacheTags::article_page([ArticleId(3)])),
        );
        cache.insert("/".into(), page(CacheTags::listing("uk")));
        cache.insert("/en".into(), page(CacheTags::listing("en")));
        cache.insert("/sitemap.xml".into(), page(CacheTags::listing("*")));
        cache.invalidate_article(ArticleId(2), "uk");
        assert!(cache.get("/2026/11/25/a").is_none());
        assert!(cache.get("/").is_none());
        assert!(cache.get("/sitemap.xml").is_none());
        assert!(cache.get("/2026/11/25/b").is_some());
        assert!(cache.get("/en").is_some());
    }

    #[test]
    fn one_request_re_renders_a_stale_page_while_the_rest_are_served_it() {
        let cache = PageCache::new(100);
        cache.insert("/".into(), page(CacheTags::listing("uk")));
        cache.age_all();
        assert!(cache.get("/").is_none(), "due for a new render");
        assert!(cache.get_stale("/").is_some(), "still there to serve");
        let first = cache.start_refresh("/");
        assert!(first.is_some());
        assert!(
            cache.start_refresh("/").is_none(),
            "only one render at a time"
        );
        drop(first);
        assert!(cache.start_refresh("/").is_some(), "the turn is given back");
    }

    #[test]
    fn churn_evicts_the_least_recently_served_not_everything() {
        let cache = PageCache::new(100);
        cache.insert("/".into(), page(CacheTags::listing("uk")));
        for n in 0..1_000 {
            // The home page is read between every two one-off pages.
            assert!(
                cache.get("/").is_some(),
                "home lost after {n} one-off pages"
            );
            std::thread::sleep(Duration::from_micros(50));
            cache.insert(format!("/tag/t{n}"), page(CacheTags::listing("uk")));
        }
        assert!(cache.len() <= 100);
    }

    #[test]
    fn a_render_overtaken_by_an_invalidation_is_not_kept() {
        let cache = PageCache::new(100);
        let before = cache.generation();
        cache.invalidate_article(ArticleId(7), "uk");
        cache.insert_if_current(
            "/2026/11/25/a".into(),
            page(CacheTags::article_page([ArticleId(7)])),
            before,
        );
        assert!(cache.get("/2026/11/25/a").is_none());
    }
}
