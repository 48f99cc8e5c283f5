//! Signed story versions and the public keys that signed them. Rows are only
//! added (a key is retired, never removed), so every version stays verifiable.

use serde::Serialize;
use sqlx::FromRow;

use super::models::ArticleId;
use super::{Store, StoreResult};

/// A public key as `/.well-known/newsdesk-keys.json` lists it.
#[derive(Clone, Debug, Serialize, FromRow)]
pub struct SigningKeyRow {
    pub key_id: String,
    pub public_key: String,
    pub created_at: i64,
    pub retired_at: Option<i64>,
}

/// One signed version of a story, without its document.
#[derive(Clone, Debug, Serialize, FromRow)]
pub struct StoryVersionRow {
    pub version: i64,
    pub content_sha256: String,
    pub story_sha256: String,
    pub key_id: String,
    pub signed_at: i64,
}

/// A version about to be recorded.
pub struct NewStoryVersion<'a> {
    pub article: ArticleId,
    pub version: i64,
    pub content_sha256: &'a str,
    pub story_sha256: &'a str,
    pub key_id: &'a str,
    pub signed_at: i64,
    pub document: &'a str,
}

const VERSION_COLUMNS: &str = "version, content_sha256, story_sha256, key_id, signed_at";

impl Store {
    /// Records a public key; false when it was already there.
    pub async fn register_signing_key(
        &self,
        key_id: &str,
        public_key: &str,
        now: i64,
    ) -> StoreResult<bool> {
        let done = sqlx::query(
            "INSERT INTO signing_keys (key_id, public_key, created_at) VALUES ($1, $2, $3) \
             ON CONFLICT (key_id) DO NOTHING",
        )
        .bind(key_id)
        .bind(public_key)
        .bind(now)
        .execute(&self.pool)
        .await?;
        Ok(done.rows_affected() == 1)
    }

    /// Marks a key as no longer signing (it still verifies what it signed).
    pub async fn retire_signing_key(&self, key_id: &str, now: i64) -> StoreResult<bool> {
        let done = sqlx::query(
            "UPDATE signing_keys SET retired_at = $2 WHERE key_id = $1 AND retired_at IS NULL",
        )
        .bind(key_id)
        .bind(now)
        .execute(&self.pool)
        .await?;
        Ok(done.rows_affected() == 1)
    }

    /// Every key that ever signed, oldest first.
    pub async fn signing_keys(&self) -> StoreResult<Vec<SigningKeyRow>> {
        Ok(sqlx::query_as(
            "SELECT key_id, public_key, created_at, retired_at FROM signing_keys \
             ORDER BY created_at, key_id",
        )
        .fetch_all(&self.pool)
        .await?)
    }

    pub async fn latest_story_version(
        &self,
        article: ArticleId,
    ) -> StoreResult<Option<StoryVersionRow>> {
        Ok(sqlx::query_as(&format!(
            "SELECT {VERSION_COLUMNS} FROM story_versions WHERE article_id = $1 \
             ORDER BY version DESC LIMIT 1"
        ))
        .bind(article.0)
        .fetch_optional(&self.pool)
        .await?)
    }

    /// Every signed version of a story, oldest first.
    pub async fn story_versions(&self, article: ArticleId) -> StoreResult<Vec<StoryVersionRow>> {
        Ok(sqlx::query_as(&format!(
            "SELECT {VERSION_COLUMNS} FROM story_versions WHERE article_id = $1 ORDER BY version"
        ))
        .bind(article.0)
        .fetch_all(&self.pool)
        .await?)
    }

    /// The signed document of one version (`None`: the newest).
    pub async fn story_version_document(
        &self,
        article: ArticleId,
        version: Option<i64>,
    ) -> StoreResult<Option<(i64, String)>> {
        let row: Option<(i64, String)> = match version {
            Some(version) => {
                sqlx::query_as(
                    "SELECT version, document FROM story_versions \
                     WHERE article_id = $1 AND version = $2",
                )
                .bind(article.0)
                .bind(version)
                .fetch_optional(&self.pool)
                .await?
            }
            None => {
                sqlx::query_as(
                    "SELECT version, document FROM story_versions WHERE article_id = $1 \
                     ORDER BY version DESC LIMIT 1",
                )
                .bind(article.0)
                .fetch_optional(&self.pool)
                .await?
            }
        };
        Ok(row)
    }

    /// Every signed document of a story, oldest first (for the verify page).
    pub async fn story_version_documents(
        &self,
        article: ArticleId,
    ) -> StoreResult<Vec<(i64, String)>> {
        Ok(sqlx::query_as(
            "SELECT version, document FROM story_versions WHERE article_id = $1 ORDER BY version",
        )
        .bind(article.0)
        .fetch_all(&self.pool)
        .await?)
    }

    /// Records a version; a `Conflict` when another node recorded this number first.
    pub async fn insert_story_version(&self, new: &NewStoryVersion<'_>) -> StoreResult<()> {
        sqlx::query(
            "INSERT INTO story_versions \
             (article_id, version, content_sha256, story_sha256, key_id, signed_at, document) \
             VALUES ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(new.article.0)
        .bind(new.version)
        .bind(new.content_sha256)
        .bind(new.story_sha256)
        .bind(new.key_id)
        .bind(new.signed_at)
        .bind(new.document)
        .execute(&self.pool)
        .await?;
        Ok(())
    }
}
