//! Video posts imported from the newsroom's YouTube channel and TikTok.

use serde::Serialize;
use sqlx::FromRow;

use super::states::VideoProvider;
use super::{Store, StoreResult};

#[derive(Clone, Debug, FromRow, Serialize, PartialEq)]
pub struct Video {
    pub provider: VideoProvider,
    pub video_id: String,
    pub url: String,
    pub title: String,
    pub author: String,
    pub thumbnail_url: Option<String>,
    pub published_at: i64,
}

impl Store {
    /// Adds or refreshes a video; returns true if it is new.
    pub async fn upsert_video(&self, video: &Video, now: i64) -> StoreResult<bool> {
        let existing: Option<(i64,)> =
            sqlx::query_as("SELECT id FROM videos WHERE provider = $1 AND video_id = $2")
                .bind(video.provider)
                .bind(&video.video_id)
                .fetch_optional(&self.pool)
                .await?;
        sqlx::query(
            "INSERT INTO videos (provider, video_id, url, title, author, thumbnail_url, published_at, fetched_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT (provider, video_id) DO UPDATE SET \
             url = excluded.url, title = excluded.title, author = excluded.author, \
             thumbnail_url = excluded.thumbnail_url, fetched_at = excluded.fetched_at",
        )
        .bind(video.provider)
        .bind(&video.video_id)
        .bind(&video.url)
        .bind(&video.title)
        .bind(&video.author)
        .bind(&video.thumbnail_url)
        .bind(video.published_at)
        .bind(now)
        .execute(&self.pool)
        .await?;
        Ok(existing.is_none())
    }

    pub async fn has_video(&self, provider: &str, video_id: &str) -> StoreResult<bool> {
        let row: Option<(i64,)> =
            sqlx::query_as("SELECT id FROM videos WHERE provider = $1 AND video_id = $2")
                .bind(provider)
                .bind(video_id)
                .fetch_optional(&self.pool)
                .await?;
        Ok(row.is_some())
    }

    pub async fn latest_videos(&self, limit: i64) -> StoreResult<Vec<Video>> {
        Ok(sqlx::query_as(
            "SELECT provider, video_id, url, title, author, thumbnail_url, published_at FROM videos \
             ORDER BY published_at DESC, id DESC LIMIT $1",
        )
        .bind(limit)
        .fetch_all(&self.pool)
        .await?)
    }
}
