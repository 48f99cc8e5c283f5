//! The distribution outbox: events recorded with the article write, the
//! deliveries each event expands into, and their claims.
//!
//! A delivery is claimed by one node at a time: a single `UPDATE … WHERE id =
//! (SELECT … FOR UPDATE SKIP LOCKED)` on PostgreSQL, and the same statement
//! under SQLite's single writer. A claim carries a lease; a node that dies
//! mid-send leaves the lease to expire.

use serde::Serialize;
use sqlx::{AnyConnection, FromRow};

use super::{ArticleId, Backend, DeliveryId, Store, StoreResult};

pub use super::states::{Channel, DeliveryState, OutboxAction};

pub(super) async fn record_outbox_event(
    conn: &mut AnyConnection,
    article: ArticleId,
    action: OutboxAction,
    now: i64,
) -> StoreResult<()> {
    sqlx::query("INSERT INTO outbox_events (article_id, action, created_at) VALUES ($1, $2, $3)")
        .bind(article.0)
        .bind(action.as_str())
        .bind(now)
        .execute(conn)
        .await?;
    Ok(())
}

#[derive(Clone, Debug, FromRow)]
pub struct OutboxEvent {
    pub id: i64,
    pub article_id: i64,
    pub action: OutboxAction,
}

/// A delivery to create: one channel, one target (chat, account, inbox).
#[derive(Clone, Debug)]
pub struct NewDelivery {
    pub article_id: Option<ArticleId>,
    pub channel: Channel,
    pub target: String,
    /// An [`OutboxAction`]'s spelling, or a channel's own (a Fediverse
    /// `accept`, a webhook's event name).
    pub action: String,
    pub payload: String,
}

#[derive(Clone, Debug, FromRow, Serialize)]
pub struct Delivery {
    pub id: DeliveryId,
    pub article_id: Option<i64>,
    pub channel: Channel,
    pub target: String,
    pub action: String,
    pub payload: String,
    pub state: DeliveryState,
    pub attempts: i64,
    pub next_attempt_at: i64,
    pub last_error: String,
    pub remote_id: Option<String>,
    pub created_at: i64,
    pub updated_at: i64,
}

pub(super) const DELIVERY_COLUMNS: &str = "id, article_id, channel, target, action, payload, state, attempts, \
     next_attempt_at, last_error, remote_id, created_at, updated_at";

/// What became of one attempt.
#[derive(Clone, Debug)]
pub enum Attempt {
    Sent {
        remote_id: Option<String>,
    },
    /// Failed; try again at `retry_at` unless attempts are used up.
    Failed {
        error: String,
        retry_at: i64,
    },
    /// Failed in a way retrying cannot fix (revoked token, bad request).
    Dead {
        error: String,
    },
    /// The provider asked us to wait; not counted as an attempt.
    Wait {
        until: i64,
        reason: String,
    },
    /// Nothing to do any more (the story was unpublished, or a newer delivery covers it).
    Skipped {
        reason: String,
    },
}

impl Store {
    pub async fn pending_outbox_events(&self, limit: i64) -> StoreResult<Vec<OutboxEvent>> {
        Ok(sqlx::query_as(
            "SELECT id, article_id, action FROM outbox_events WHERE expanded_at IS NULL ORDER BY id LIMIT $1",
        )
        .bind(limit)
        .fetch_all(&self.pool)
        .await?)
    }

    /// Turns an event into its deliveries, exactly once across nodes: the
    /// node whose update marks the event expanded writes the deliveries in
    /// the same transaction. A pending update that an earlier pending
    /// delivery already covers is not added; an unpublish cancels the
    /// publish and update deliveries that have not gone out yet.
    pub async fn expand_outbox_event(
        &self,
        event_id: i64,
        deliveries: &[NewDelivery],
        now: i64,
    ) -> StoreResult<bool> {
        let mut tx = self.pool.begin().await?;
        let claimed = sqlx::query(
            "UPDATE outbox_events SET expanded_at = $2 WHERE id = $1 AND expanded_at IS NULL",
        )
        .bind(event_id)
        .bind(now)
        .execute(&mut *tx)
        .await?
        .rows_affected()
            == 1;
        if !claimed {
            return Ok(false);
        }
        for delivery in deliveries {
            let article = delivery.article_id.map(|a| a.0);
            if delivery.action == "unpublish" {
                sqlx::query(
                    "UPDATE deliveries SET state = 'cancelled', last_error = 'superseded: the story was unpublished', \
                     updated_at = $4 WHERE article_id = $1 AND channel = $2 AND target = $3 \
                     AND state = 'pending' AND action IN ('publish', 'update')",
                )
                .bind(article)
                .bind(delivery.channel)
                .bind(&delivery.target)
                .bind(now)
                .execute(&mut *tx)
                .await?;
            }
            if delivery.action == "update" {
                let covered: Option<(i64,)> = sqlx::query_as(
                    "SELECT id FROM deliveries WHERE article_id = $1 AND channel = $2 AND target = $3 \
                     AND state = 'pending' AND action IN ('publish', 'update') LIMIT 1",
                )
                .bind(article)
                .bind(delivery.channel)
                .bind(&delivery.target)
                .fetch_optional(&mut *tx)
                .await?;
                if covered.is_some() {
                    continue;
                }
            }
            insert_delivery(&mut tx, delivery, now).await?;
        }
        tx.commit().await?;
        Ok(true)
    }

    pub async fn enqueue_delivery(&self, delivery: &NewDelivery, now: i64) -> StoreResult<i64> {
        let mut conn = self.pool.acquire().await?;
        insert_delivery(&mut conn, delivery, now).await
    }

    /// Deliveries whose node died mid-send (their lease ran out) come back:
    /// to `pending` on channels where a repeat is harmless
    /// ([`Channel::RESENDABLE`]), to `unknown` elsewhere, so a story is never
    /// posted twice.
    pub async fn recover_interrupted_deliveries(&self, now: i64) -> StoreResult<u64> {
        let resendable_list = Channel::sql_list(Channel::RESENDABLE);
        Ok(sqlx::query(&format!(
            "UPDATE deliveries SET state = CASE WHEN channel IN ({resendable_list}) THEN 'pending' ELSE 'unknown' END, \
             locked_until = NULL, updated_at = $1, \
             last_error = CASE WHEN channel IN ({resendable_list}) THEN last_error \
             ELSE 'interrupted while sending: check the channel, then retry or cancel' END \
             WHERE state = 'sending' AND locked_until < $1"
        ))
        .bind(now)
        .execute(&self.pool)
        .await?
        .rows_affected())
    }

    /// Claims the next due delivery for `lease` seconds.
    pub async fn claim_delivery(&self, now: i64, lease: i64) -> StoreResult<Option<Delivery>> {
        let lock = match self.backend {
            Backend::Postgres => " FOR UPDATE SKIP LOCKED",
            Backend::Sqlite => "",
        };
        let sql = format!(
            "UPDATE deliveries SET state = 'sending', attempts = attempts + 1, locked_until = $2, updated_at = $1 \
             WHERE id = (SELECT d.id FROM deliveries d WHERE d.state = 'pending' AND d.next_attempt_at <= $1 \
             AND NOT EXISTS (SELECT 1 FROM delivery_pauses p WHERE p.channel = d.channel AND p.target = d.target AND p.until_at > $1) \
             ORDER BY d.next_attempt_at, d.id LIMIT 1{lock}) AND state = 'pending' \
             RETURNING {DELIVERY_COLUMNS}"
        );
        Ok(sqlx::query_as(&sql)
            .bind(now)
            .bind(now + lease)
            .fetch_optional(&self.pool)
            .await?)
    }

    /// Records an attempt's outcome. `max_attempts` turns a failure into a dead letter.
    pub async fn finish_delivery(
        &self,
        delivery: &Delivery,
        attempt: &Attempt,
        max_attempts: i64,
        now: i64,
    ) -> StoreResult<()> {
        let mut tx = self.pool.begin().await?;
        let (state, error, next, attempts_back, remote) = match attempt {
            Attempt::Sent { remote_id } => ("sent", String::new(), now, 0, remote_id.clone()),
            Attempt::Failed { error, retry_at } if delivery.attempts < max_attempts => {
                ("pending", error.clone(), *retry_at, 0, None)
            }
            Attempt::Failed { error, .. } => (
                "dead",
                format!("{error} (gave up after {} attempts)", delivery.attempts),
                now,
                0,
                None,
            ),
            Attempt::Dead { error } => ("dead", error.clone(), now, 0, None),
            Attempt::Wait { until, reason } => {
                pause(&mut tx, delivery.channel, &delivery.target, *until).await?;
                ("pending", reason.clone(), *until, 1, None)
            }
            Attempt::Skipped { reason } => ("cancelled", reason.clone(), now, 0, None),
        };
        sqlx::query(
            "UPDATE deliveries SET state = $2, last_error = $3, next_attempt_at = $4, \
             attempts = attempts - $5, remote_id = COALESCE($6, remote_id), locked_until = NULL, updated_at = $7 \
             WHERE id = $1 AND state = 'sending'",
        )
        .bind(delivery.id)
        .bind(state)
        .bind(error)
        .bind(next)
        .bind(attempts_back)
        .bind(remote)
        .bind(now)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Puts a claimed delivery back without counting the attempt (it must
    /// wait for an earlier delivery of the same story to go out first).
    pub async fn postpone_delivery(&self, id: DeliveryId, until: i64, now: i64) -> StoreResult<()> {
        sqlx::query(
            "UPDATE deliveries SET state = 'pending', attempts = attempts - 1, next_attempt_at = $2, \
             locked_until = NULL, updated_at = $3 WHERE id = $1 AND state = 'sending'",
        )
        .bind(id)
        .bind(until)
        .bind(now)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// The id the provider gave the story's post on `channel`/`target`
    /// (message id, post id), if it went out.
    pub async fn posted_remote_id(
        &self,
        article: ArticleId,
        channel: Channel,
        target: &str,
    ) -> StoreResult<PostedState> {
        let rows: Vec<(String, Option<String>)> = sqlx::query_as(
            "SELECT state, remote_id FROM deliveries WHERE article_id = $1 AND channel = $2 AND target = $3 \
             AND action = 'publish' ORDER BY id DESC LIMIT 1",
        )
        .bind(article.0)
        .bind(channel)
        .bind(target)
        .fetch_all(&self.pool)
        .await?;
        Ok(match rows.into_iter().next() {
            Some((state, _)) if state == "pending" || state == "sending" => PostedState::OnItsWay,
            Some((state, Some(remote))) if state == "sent" => PostedState::Posted(remote),
            _ => PostedState::NotPosted,
        })
    }

    pub async fn article_deliveries(&self, article: ArticleId) -> StoreResult<Vec<Delivery>> {
        Ok(sqlx::query_as(&format!(
            "SELECT {DELIVERY_COLUMNS} FROM deliveries WHERE article_id = $1 ORDER BY id"
        ))
        .bind(article.0)
        .fetch_all(&self.pool)
        .await?)
    }

    pub async fn delivery(&self, id: DeliveryId) -> StoreResult<Delivery> {
        Ok(sqlx::query_as(&format!(
            "SELECT {DELIVERY_COLUMNS} FROM deliveries WHERE id = $1"
        ))
        .bind(id)
        .fetch_one(&self.pool)
        .await?)
    }

    /// Staff retry: a delivery in a [`DeliveryState::RETRYABLE`] state goes
    /// out again with fresh attempts. Returns false if it was not.
    pub async fn retry_delivery(&self, id: DeliveryId, now: i64) -> StoreResult<bool> {
        Ok(sqlx::query(&format!(
            "UPDATE deliveries SET state = 'pending', attempts = 0, next_attempt_at = $2, last_error = '', \
             updated_at = $2 WHERE id = $1 AND state IN ({})",
            DeliveryState::sql_list(DeliveryState::RETRYABLE)
        ))
        .bind(id)
        .bind(now)
        .execute(&self.pool)
        .await?
        .rows_affected()
            == 1)
    }

    /// Staff cancel: a delivery not yet sent never goes out.
    pub async fn cancel_delivery(&self, id: DeliveryId, now: i64) -> StoreResult<bool> {
        Ok(sqlx::query(&format!(
            "UPDATE deliveries SET state = 'cancelled', last_error = 'cancelled by staff', updated_at = $2 \
             WHERE id = $1 AND state IN ({})",
            DeliveryState::sql_list(DeliveryState::CANCELLABLE)
        ))
        .bind(id)
        .bind(now)
        .execute(&self.pool)
        .await?
        .rows_affected()
            == 1)
    }

    /// Holds every delivery to `channel`/`target` until `until`.
    pub async fn pause_channel(
        &self,
        channel: Channel,
        target: &str,
        until: i64,
    ) -> StoreResult<()> {
        let mut conn = self.pool.acquire().await?;
        pause(&mut conn, channel, target, until).await
    }

    /// Deliveries that need a person: dead letters and interrupted sends, newest first.
    pub async fn problem_deliveries(&self, limit: i64) -> StoreResult<Vec<Delivery>> {
        Ok(sqlx::query_as(&format!(
            "SELECT {DELIVERY_COLUMNS} FROM deliveries WHERE state IN ({}) \
             ORDER BY updated_at DESC, id DESC LIMIT $1",
            DeliveryState::sql_list(DeliveryState::NEEDS_ATTENTION)
        ))
        .bind(limit)
        .fetch_all(&self.pool)
        .await?)
    }

    /// Deliveries per state, for the dashboard and health checks.
    pub async fn delivery_counts(&self) -> StoreResult<Vec<(String, i64)>> {
        Ok(sqlx::query_as(
            "SELECT state, CAST(COUNT(*) AS BIGINT) FROM deliveries GROUP BY state ORDER BY state",
        )
        .fetch_all(&self.pool)
        .await?)
    }
}

/// Where a story's original post stands on one channel target.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PostedState {
    Posted(String),
    OnItsWay,
    NotPosted,
}

async fn insert_delivery(
    conn: &mut AnyConnection,
    delivery: &NewDelivery,
    now: i64,
) -> StoreResult<i64> {
    let (id,): (i64,) = sqlx::query_as(
        "INSERT INTO deliveries (article_id, channel, target, action, payload, state, attempts, \
         next_attempt_at, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, 'pending', 0, $6, $6, $6) RETURNING id",
    )
    .bind(delivery.article_id.map(|a| a.0))
    .bind(delivery.channel)
    .bind(&delivery.target)
    .bind(&delivery.action)
    .bind(&delivery.payload)
    .bind(now)
    .fetch_one(conn)
    .await?;
    Ok(id)
}

async fn pause(
    conn: &mut AnyConnection,
    channel: Channel,
    target: &str,
    until: i64,
) -> StoreResult<()> {
    sqlx::query(
        "INSERT INTO delivery_pauses (channel, target, until_at) VALUES ($1, $2, $3) \
         ON CONFLICT (channel, target) DO UPDATE SET until_at = excluded.until_at",
    )
    .bind(channel)
    .bind(target)
    .bind(until)
    .execute(conn)
    .await?;
    Ok(())
}
