//! Outgoing webhooks the owner configured.

use serde::Serialize;
use sqlx::FromRow;

use super::outbox::Delivery;
use super::{Store, StoreError, StoreResult};

#[derive(Clone, Debug, FromRow, Serialize)]
pub struct Webhook {
    pub id: i64,
    pub url: String,
    /// Comma-separated event names.
    pub events: String,
    #[serde(skip)]
    pub secret: String,
    pub created_at: i64,
}

impl Webhook {
    pub fn wants(&self, event: &str) -> bool {
        self.events.split(',').any(|e| e.trim() == event)
    }
}

impl Store {
    pub async fn insert_webhook(
        &self,
        url: &str,
        events: &str,
        secret: &str,
        now: i64,
    ) -> StoreResult<Webhook> {
        Ok(sqlx::query_as(
            "INSERT INTO webhooks (url, events, secret, created_at) VALUES ($1, $2, $3, $4) \
             RETURNING id, url, events, secret, created_at",
        )
        .bind(url)
        .bind(events)
        .bind(secret)
        .bind(now)
        .fetch_one(&self.pool)
        .await?)
    }

    /// All webhooks; a newsroom has a handful.
    pub async fn webhooks(&self) -> StoreResult<Vec<Webhook>> {
        Ok(sqlx::query_as(
            "SELECT id, url, events, secret, created_at FROM webhooks ORDER BY id LIMIT 100",
        )
        .fetch_all(&self.pool)
        .await?)
    }

    pub async fn webhook(&self, id: i64) -> StoreResult<Webhook> {
        Ok(
            sqlx::query_as(
                "SELECT id, url, events, secret, created_at FROM webhooks WHERE id = $1",
            )
            .bind(id)
            .fetch_one(&self.pool)
            .await?,
        )
    }

    /// Removes a webhook; its waiting deliveries are cancelled.
    pub async fn delete_webhook(&self, id: i64, now: i64) -> StoreResult<()> {
        let mut tx = self.pool.begin().await?;
        let done = sqlx::query("DELETE FROM webhooks WHERE id = $1")
            .bind(id)
            .execute(&mut *tx)
            .await?;
        if done.rows_affected() == 0 {
            return Err(StoreError::NotFound);
        }
        sqlx::query(
            "UPDATE deliveries SET state = 'cancelled', updated_at = $1, last_error = 'webhook deleted' \
             WHERE channel = 'webhook' AND target = $2 AND state = 'pending'",
        )
        .bind(now)
        .bind(id.to_string())
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// The newest deliveries of a webhook, for its delivery log.
    pub async fn webhook_deliveries(&self, id: i64, limit: i64) -> StoreResult<Vec<Delivery>> {
        Ok(sqlx::query_as(&format!(
            "SELECT {} FROM deliveries WHERE channel = 'webhook' AND target = $1 \
             ORDER BY id DESC LIMIT $2",
            super::outbox::DELIVERY_COLUMNS
        ))
        .bind(id.to_string())
        .bind(limit)
        .fetch_all(&self.pool)
        .await?)
    }
}
