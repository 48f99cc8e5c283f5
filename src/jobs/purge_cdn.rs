//! Tells a CDN in front which pages changed: the surrogate keys the page
//! cache dropped, POSTed as `{"tags": [...]}` (Cloudflare's purge_cache
//! shape) to `cdn.purge_url`. A purge that fails is tried again next round.

use std::time::Duration;

use super::{Job, JobError, Stop};
use crate::app::AppState;

/// Tags per request: Cloudflare takes at most 30.
const TAGS_PER_PURGE: usize = 30;

pub struct PurgeCdn(pub AppState);

impl Job for PurgeCdn {
    const NAME: &'static str = "CDN purge";

    fn interval(&self) -> Duration {
        Duration::from_millis(500)
    }

    fn enabled(&self) -> bool {
        self.0.config.cdn.purge_url.is_some()
    }

    async fn run_once(&mut self, _stop: &Stop) -> Result<(), JobError> {
        let Some(url) = &self.0.config.cdn.purge_url else {
            return Ok(());
        };
        let keys = self.0.page_cache.take_purges();
        for (n, tags) in keys.chunks(TAGS_PER_PURGE).enumerate() {
            let mut request = self
                .0
                .http
                .post(url)
                .json(&serde_json::json!({ "tags": tags }));
            if !self.0.config.cdn.purge_token.is_empty() {
                request = request.bearer_auth(&self.0.config.cdn.purge_token);
            }
            let failed = match request.send().await {
                Ok(response) if response.status().is_success() => None,
                Ok(response) => Some(format!("the CDN answered {}", response.status())),
                Err(e) => Some(e.to_string()),
            };
            if let Some(reason) = failed {
                self.0
                    .page_cache
                    .purge_again(keys[n * TAGS_PER_PURGE..].to_vec());
                return Err(format!("CDN purge failed: {reason}").into());
            }
            tracing::debug!(tags = tags.len(), "CDN purged");
        }
        Ok(())
    }
}
