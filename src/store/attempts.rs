//! Attempt buckets for limits that must hold across nodes and under
//! concurrency: a request adds its attempt first and counts second, so the
//! k-th attempt always sees at least k rows and no more than `limit`
//! attempts are ever let through.

use super::{Store, StoreResult};

/// An attempt that was let through; release it if it turned out fine.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct AttemptId(pub i64);

impl Store {
    /// Charges one attempt to `bucket`; `None` (and nothing charged) when the
    /// bucket already holds `limit` attempts since `since`.
    pub async fn take_attempt(
        &self,
        bucket: &str,
        now: i64,
        since: i64,
        limit: i64,
    ) -> StoreResult<Option<AttemptId>> {
        let (id,): (i64,) =
            sqlx::query_as("INSERT INTO rate_attempts (bucket, at) VALUES ($1, $2) RETURNING id")
                .bind(bucket)
                .bind(now)
                .fetch_one(&self.pool)
                .await?;
        let (count,): (i64,) = sqlx::query_as(
            "SELECT COUNT(*) FROM rate_attempts WHERE bucket = $1 AND at >= $2 AND id <= $3",
        )
        .bind(bucket)
        .bind(since)
        .bind(id)
        .fetch_one(&self.pool)
        .await?;
        if count > limit {
            self.release_attempt(AttemptId(id)).await?;
            return Ok(None);
        }
        Ok(Some(AttemptId(id)))
    }

    /// Attempts in `bucket` since `since`.
    pub async fn attempts(&self, bucket: &str, since: i64) -> StoreResult<i64> {
        let (count,): (i64,) =
            sqlx::query_as("SELECT COUNT(*) FROM rate_attempts WHERE bucket = $1 AND at >= $2")
                .bind(bucket)
                .bind(since)
                .fetch_one(&self.pool)
                .await?;
        Ok(count)
    }

    /// Takes back an attempt that succeeded or was refused.
    pub async fn release_attempt(&self, id: AttemptId) -> StoreResult<()> {
        sqlx::query("DELETE FROM rate_attempts WHERE id = $1")
            .bind(id.0)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    /// Forgets a bucket (a correct password from this address).
    pub async fn clear_attempts(&self, bucket: &str) -> StoreResult<()> {
        sqlx::query("DELETE FROM rate_attempts WHERE bucket = $1")
            .bind(bucket)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    /// Drops attempts older than any window looks back.
    pub async fn prune_attempts(&self, before: i64) -> StoreResult<u64> {
        let done = sqlx::query("DELETE FROM rate_attempts WHERE at < $1")
            .bind(before)
            .execute(&self.pool)
            .await?;
        Ok(done.rows_affected())
    }
}
