//! Polls the configured video sources for the videos page.

use std::time::Duration;

use super::{Job, JobError, Stop};
use crate::app::AppState;

pub struct PollVideos(pub AppState);

impl Job for PollVideos {
    const NAME: &'static str = "video polling";

    fn interval(&self) -> Duration {
        Duration::from_secs(self.0.config.distribution.videos.poll_minutes * 60)
    }

    fn enabled(&self) -> bool {
        let videos = &self.0.config.distribution.videos;
        videos.youtube_channel_id.is_some() || !videos.tiktok_urls.is_empty()
    }

    async fn run_once(&mut self, _stop: &Stop) -> Result<(), JobError> {
        // A failing provider is logged inside; the others still run.
        crate::services::videos::poll(&self.0).await;
        Ok(())
    }
}
