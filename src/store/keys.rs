//! Admin API keys. Only a SHA-256 hash of each key is stored.

use super::models::*;
use super::{Store, StoreResult};

const KEY_COLUMNS: &str = "id, name, created_at, last_used_at, scopes, revoked_at, staff_id";

impl Store {
    pub async fn insert_api_key(
        &self,
        name: &str,
        key_hash: &str,
        scopes: &str,
        staff: Option<StaffId>,
        now: i64,
    ) -> StoreResult<ApiKey> {
        Ok(sqlx::query_as(&format!(
            "INSERT INTO api_keys (name, key_hash, scopes, staff_id, created_at) VALUES ($1, $2, $3, $4, $5) \
             RETURNING {KEY_COLUMNS}"
        ))
        .bind(name)
        .bind(key_hash)
        .bind(scopes)
        .bind(staff.map(|s| s.0))
        .bind(now)
        .fetch_one(&self.pool)
        .await?)
    }

    /// The live key with this hash, if any (a key of a disabled person is not live).
    pub async fn api_key_by_hash(&self, key_hash: &str) -> StoreResult<Option<ApiKey>> {
        Ok(sqlx::query_as(&format!(
            "SELECT {KEY_COLUMNS} FROM api_keys \
             WHERE key_hash = $1 AND revoked_at IS NULL \
             AND (staff_id IS NULL OR staff_id NOT IN (SELECT id FROM staff WHERE disabled_at IS NOT NULL))"
        ))
        .bind(key_hash)
        .fetch_optional(&self.pool)
        .await?)
    }

    /// Every key, live and revoked, newest first.
    pub async fn api_keys(&self) -> StoreResult<Vec<ApiKey>> {
        Ok(sqlx::query_as(&format!(
            "SELECT {KEY_COLUMNS} FROM api_keys ORDER BY id DESC"
        ))
        .fetch_all(&self.pool)
        .await?)
    }

    /// Revokes a key; false if there is no live key with this id.
    pub async fn revoke_api_key(&self, id: ApiKeyId, now: i64) -> StoreResult<bool> {
        let done =
            sqlx::query("UPDATE api_keys SET revoked_at = $2 WHERE id = $1 AND revoked_at IS NULL")
                .bind(id.0)
                .bind(now)
                .execute(&self.pool)
                .await?;
        Ok(done.rows_affected() == 1)
    }

    /// Revokes every key made for a person.
    pub async fn revoke_api_keys_of(&self, staff: StaffId, now: i64) -> StoreResult<u64> {
        let done = sqlx::query(
            "UPDATE api_keys SET revoked_at = $2 WHERE staff_id = $1 AND revoked_at IS NULL",
        )
        .bind(staff.0)
        .bind(now)
        .execute(&self.pool)
        .await?;
        Ok(done.rows_affected())
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
