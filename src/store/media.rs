//! Uploaded images.

use serde::Serialize;
use sqlx::FromRow;

use super::models::StaffId;
use super::{Store, StoreResult};

#[derive(Clone, Debug, Serialize, FromRow)]
pub struct Media {
    pub id: i64,
    pub url: String,
    pub content_type: String,
    pub width: i64,
    pub height: i64,
    pub bytes: i64,
    pub original_name: String,
    pub alt: String,
    pub credit: String,
    pub created_at: i64,
}

pub struct NewMedia<'a> {
    pub url: &'a str,
    pub content_type: &'a str,
    pub width: i64,
    pub height: i64,
    pub bytes: i64,
    pub original_name: &'a str,
    pub alt: &'a str,
    pub credit: &'a str,
    pub uploaded_by: StaffId,
}

const COLUMNS: &str =
    "id, url, content_type, width, height, bytes, original_name, alt, credit, created_at";

impl Store {
    pub async fn insert_media(&self, new: &NewMedia<'_>, now: i64) -> StoreResult<Media> {
        Ok(sqlx::query_as(&format!(
            "INSERT INTO media (url, content_type, width, height, bytes, original_name, alt, credit, uploaded_by, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING {COLUMNS}"
        ))
        .bind(new.url)
        .bind(new.content_type)
        .bind(new.width)
        .bind(new.height)
        .bind(new.bytes)
        .bind(new.original_name)
        .bind(new.alt)
        .bind(new.credit)
        .bind(new.uploaded_by.0)
        .bind(now)
        .fetch_one(&self.pool)
        .await?)
    }

    pub async fn media_list(&self, limit: i64) -> StoreResult<Vec<Media>> {
        Ok(sqlx::query_as(&format!(
            "SELECT {COLUMNS} FROM media ORDER BY created_at DESC, id DESC LIMIT $1"
        ))
        .bind(limit)
        .fetch_all(&self.pool)
        .await?)
    }

    /// Width and height of an upload, by its public address.
    pub async fn media_size(&self, url: &str) -> StoreResult<Option<(i64, i64)>> {
        Ok(
            sqlx::query_as("SELECT width, height FROM media WHERE url = $1")
                .bind(url)
                .fetch_optional(&self.pool)
                .await?,
        )
    }

    pub async fn media(&self, id: i64) -> StoreResult<Media> {
        Ok(
            sqlx::query_as(&format!("SELECT {COLUMNS} FROM media WHERE id = $1"))
                .bind(id)
                .fetch_one(&self.pool)
                .await?,
        )
    }

    /// How many articles show this image as a cover or in their text.
    pub async fn media_uses(&self, url: &str, stem: &str) -> StoreResult<i64> {
        let (count,): (i64,) =
            sqlx::query_as("SELECT COUNT(*) FROM articles WHERE cover_url = $1 OR body LIKE $2")
                .bind(url)
                .bind(format!("%{stem}%"))
                .fetch_one(&self.pool)
                .await?;
        Ok(count)
    }

    pub async fn delete_media(&self, id: i64) -> StoreResult<()> {
        sqlx::query("DELETE FROM media WHERE id = $1")
            .bind(id)
            .execute(&self.pool)
            .await?;
        Ok(())
    }
}
