//! The application state shared by every request, command and background task.

use std::sync::Arc;

use crate::config::Config;
use crate::integrations::mail::Mailer;
use crate::page_cache::PageCache;
use crate::store::{Store, StoreResult};
use crate::templates::Templates;
use crate::urls::Urls;

/// Inbox requests fetching senders' keys at once; more are asked to retry.
pub const MAX_CONCURRENT_KEY_FETCHES: usize = 8;

/// Cheap to clone (one reference count): every middleware and handler gets
/// its own copy on every request, so cloning must cost nothing.
#[derive(Clone)]
pub struct AppState(Arc<AppParts>);

impl std::ops::Deref for AppState {
    type Target = AppParts;

    fn deref(&self) -> &AppParts {
        &self.0
    }
}

/// What the state holds; reached through [`AppState`].
pub struct AppParts {
    pub config: Arc<Config>,
    pub store: Store,
    pub templates: Templates,
    /// Every word, date and sum in each of the site's languages.
    pub locales: Arc<crate::i18n::Locales>,
    pub page_cache: PageCache,
    pub urls: Urls,
    /// Uploaded images: the data folder or an S3-compatible bucket.
    pub media: crate::media_store::MediaStore,
    /// Signs each published story version (docs/SIGNING.md).
    pub signing: Arc<crate::services::signing::NewsroomKey>,
    pub mailer: Mailer,
    /// Outbound HTTP to the providers the operator configured (no redirects, capped reads).
    pub http: reqwest::Client,
    /// Outbound HTTP to servers strangers name (Fediverse): public addresses only.
    pub peer_http: reqwest::Client,
    /// How each Fediverse server last accepted our signatures.
    pub signature_schemes: crate::integrations::activitypub::SchemeMemory,
    /// Bounds the key fetches that inbox requests can start at once.
    pub key_fetches: tokio::sync::Semaphore,
    /// The Content-Security-Policy header, built once from the configuration.
    pub csp: axum::http::HeaderValue,
    /// Cache-Control of cached public pages (with what a CDN may do), built once.
    pub page_cache_control: axum::http::HeaderValue,
    /// This node's full-text index (kept up by a job; the database answers until it is built).
    pub search: crate::search::SearchIndex,
    /// Holds back search floods: a share per client, a few at once.
    pub search_gate: crate::http::site::search_gate::SearchGate,
    /// Counters and timings for `/metrics`.
    pub metrics: crate::metrics::Metrics,
    /// Fans live-page updates out to the readers connected to this node.
    pub live: crate::services::live::LiveHub,
    /// Readers' share of the budget, for the donation box (counted by a job).
    pub readers_share: crate::services::donations::ReadersShare,
    /// "Now" for everything that stamps, expires or schedules; tests move it.
    pub clock: crate::clock::Clock,
}

impl AppState {
    /// Connects to the database (migrating it) and prepares templates.
    pub async fn new(config: Config) -> anyhow::Result<Self> {
        let store = Store::connect(&config.database_url, config.max_connections).await?;
        Self::with_store(config, store)
    }

    pub fn with_store(config: Config, store: Store) -> anyhow::Result<Self> {
        let urls = Urls::new(
            &config.base_url,
            &config.site.default_language,
            config.site.timezone.clone(),
        )
        .with_media_base(config.media.public_url.as_deref());
        let media = crate::media_store::MediaStore::from_config(&config.media, &config.data_dir)?;
        let signing = Arc::new(crate::services::signing::NewsroomKey::load_or_create(
            &config.signing_key_file,
        )?);
        let locales = Arc::new(crate::i18n::Locales::load(
            &config.site.languages,
            &config.site.default_language,
            config.site.theme_dir.as_deref(),
        )?);
        let templates = Templates::new(&config.site, urls.clone(), locales.clone())?;
        let mailer = Mailer::new(&config.smtp_url, &config.mail_from, config.dkim.as_ref())?;
        let http = crate::integrations::http::provider_client()?;
        let peer_http =
            crate::integrations::http::peer_client(config.distribution.fediverse_allow_private)?;
        Ok(AppState(Arc::new(AppParts {
            csp: crate::http::site::content_security_policy(&config, urls.media_origin()),
            media,
            signing,
            page_cache_control: crate::http::site::cache::cache_control(&config),
            clock: crate::clock::Clock::system(),
            search_gate: Default::default(),
            readers_share: Default::default(),
            live: Default::default(),
            search: Default::default(),
            metrics: Default::default(),
            http,
            peer_http,
            key_fetches: tokio::sync::Semaphore::new(MAX_CONCURRENT_KEY_FETCHES),
            signature_schemes: Default::default(),
            mailer,
            page_cache: match config.cdn.purge_url {
                Some(_) => PageCache::new(config.cache_max_pages).purging_a_cdn(),
                None => PageCache::new(config.cache_max_pages),
            },
            config: Arc::new(config),
            store,
            templates,
            locales,
            urls,
        })))
    }

    /// Drops cached pages that other nodes changed since `after`; returns the newest change seen.
    pub async fn apply_remote_changes(&self, after: i64) -> StoreResult<i64> {
        let changes = self.store.content_changes_since(after).await?;
        let mut last = after;
        for (id, article) in changes {
            if article == crate::store::SITE_CHANGE || article == crate::store::EVERY_STORY {
                self.page_cache.clear();
            } else {
                self.page_cache.invalidate_article_everywhere(article);
                // Readers of a live page on this node hear of another node's update.
                if let Err(e) = self.live.announce(self, article).await {
                    tracing::warn!(error = %e, "live readers not told of a change");
                }
            }
            last = id;
        }
        Ok(last)
    }
}
