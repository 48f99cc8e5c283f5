//! Video posts: the newsroom's YouTube uploads and chosen TikTok videos,
//! polled at the configured interval.

use crate::app::AppState;
use crate::integrations::videos::{fetch_tiktok, fetch_youtube_channel};

/// One round of polling; returns how many new videos arrived. A provider
/// that fails is logged and tried again next round; the others still run.
pub async fn poll(state: &AppState) -> usize {
    let config = &state.config.distribution.videos;
    let mut found = Vec::new();
    if let Some(channel) = &config.youtube_channel_id {
        match fetch_youtube_channel(&state.http, &config.youtube_base, channel).await {
            Ok(videos) => found.extend(videos),
            Err(err) => tracing::warn!(error = %err, "cannot read the YouTube channel"),
        }
    }
    for url in &config.tiktok_urls {
        let video_id = url.trim_end_matches('/').rsplit('/').next().unwrap_or("");
        if state
            .store
            .has_video("tiktok", video_id)
            .await
            .unwrap_or(false)
        {
            continue;
        }
        match fetch_tiktok(&state.http, &config.tiktok_base, url, state.clock.now()).await {
            Ok(video) => found.push(video),
            Err(err) => tracing::warn!(error = %err, %url, "cannot read the TikTok video"),
        }
    }
    let mut new = 0;
    for video in found {
        match state.store.upsert_video(&video, state.clock.now()).await {
            Ok(true) => new += 1,
            Ok(false) => {}
            Err(err) => tracing::warn!(error = %err, "cannot store a video"),
        }
    }
    if new > 0
        && let Err(e) = super::site_changed(state).await
    {
        tracing::warn!(error = %e, "new videos: other nodes will see them when their pages expire");
    }
    new
}
