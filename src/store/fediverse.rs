//! Fediverse followers of the publication's actor.

use serde::Serialize;
use sqlx::FromRow;

use super::{Store, StoreResult};

#[derive(Clone, Debug, FromRow, Serialize)]
pub struct Follower {
    pub actor_id: String,
    pub inbox: String,
    pub shared_inbox: Option<String>,
    pub follow_id: String,
    pub created_at: i64,
}

impl Store {
    pub async fn add_follower(&self, follower: &Follower) -> StoreResult<()> {
        sqlx::query(
            "INSERT INTO fediverse_followers (actor_id, inbox, shared_inbox, follow_id, created_at) \
             VALUES ($1, $2, $3, $4, $5) ON CONFLICT (actor_id) DO UPDATE SET inbox = excluded.inbox, \
             shared_inbox = excluded.shared_inbox, follow_id = excluded.follow_id",
        )
        .bind(&follower.actor_id)
        .bind(&follower.inbox)
        .bind(&follower.shared_inbox)
        .bind(&follower.follow_id)
        .bind(follower.created_at)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    pub async fn remove_follower(&self, actor_id: &str) -> StoreResult<bool> {
        Ok(
            sqlx::query("DELETE FROM fediverse_followers WHERE actor_id = $1")
                .bind(actor_id)
                .execute(&self.pool)
                .await?
                .rows_affected()
                == 1,
        )
    }

    pub async fn followers(&self) -> StoreResult<Vec<Follower>> {
        Ok(sqlx::query_as(
            "SELECT actor_id, inbox, shared_inbox, follow_id, created_at FROM fediverse_followers ORDER BY created_at, actor_id",
        )
        .fetch_all(&self.pool)
        .await?)
    }

    /// Where to deliver: each follower's shared inbox if it has one, once per server.
    pub async fn follower_inboxes(&self) -> StoreResult<Vec<String>> {
        let rows: Vec<(String,)> = sqlx::query_as(
            "SELECT DISTINCT COALESCE(shared_inbox, inbox) FROM fediverse_followers ORDER BY 1",
        )
        .fetch_all(&self.pool)
        .await?;
        Ok(rows.into_iter().map(|(inbox,)| inbox).collect())
    }

    pub async fn follower_count(&self) -> StoreResult<i64> {
        let (count,): (i64,) =
            sqlx::query_as("SELECT CAST(COUNT(*) AS BIGINT) FROM fediverse_followers")
                .fetch_one(&self.pool)
                .await?;
        Ok(count)
    }
}

impl Store {
    /// Notes an inbox request's signature; false if it was seen before (a replay).
    pub async fn first_sighting_of_signature(&self, hash: &str, now: i64) -> StoreResult<bool> {
        let done = sqlx::query(
            "INSERT INTO fediverse_seen_signatures (signature_hash, seen_at) VALUES ($1, $2) \
             ON CONFLICT (signature_hash) DO NOTHING",
        )
        .bind(hash)
        .bind(now)
        .execute(&self.pool)
        .await?;
        Ok(done.rows_affected() == 1)
    }

    pub async fn prune_seen_signatures(&self, before: i64) -> StoreResult<u64> {
        let done = sqlx::query("DELETE FROM fediverse_seen_signatures WHERE seen_at < $1")
            .bind(before)
            .execute(&self.pool)
            .await?;
        Ok(done.rows_affected())
    }
}
