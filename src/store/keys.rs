//! Admin API keys. Only a SHA-256 hash of each key is stored.

use super::models::*;
use super::{Store, StoreResult};

impl Store {
    pub async fn insert_api_key(
        &self,
        name: &str,
        key_hash: &str,
        now: i64,
    ) -> StoreResult<ApiKey> {
        Ok(sqlx::query_as(
            "INSERT INTO api_keys (name, key_hash, created_at) VALUES ($1, $2, $3) \
             RETURNING id, name, created_at, last_used_at",
        )
        .bind(name)
        .bind(key_hash)
        .bind(now)
        .fetch_one(&self.pool)
        .await?)
    }

    /// The live key with this hash, if any.
    pub async fn api_key_by_hash(&self, key_hash: &str) -> StoreResult<Option<ApiKey>> {
        Ok(sqlx::query_as(
            "SELECT id, name, created_at, last_used_at FROM api_keys \
             WHERE key_hash = $1 AND revoked_at IS NULL",
        )
        .bind(key_hash)
        .fetch_optional(&self.pool)
        .await?)
    }

    /// Records use at most once a minute, so reads do not turn into a stream of writes.
    pub async fn touch_api_key(&self, key: &ApiKey, now: i64) -> StoreResult<()> {
        if key.last_used_at.is_some_and(|t| now - t < 60) {
            return Ok(());
        }
        sqlx::query("UPDATE api_keys SET last_used_at = $2 WHERE id = $1")
            .bind(key.id.0)
            .bind(now)
            .execute(&self.pool)
            .await?;
        Ok(())
    }
}
