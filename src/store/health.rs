//! Whether the database answers, as this node last found it. A node that
//! knows its database is gone answers uncached pages and staff at once with
//! a 503 instead of making each of them wait for a connection that will not
//! come, keeps serving the pages it holds, and finds out by itself when the
//! database is back (see the `WatchDatabase` job and `/healthz`).

use std::sync::Mutex;
use std::time::Duration;

use sqlx::Connection;

use super::{Backend, Store, StoreError, StoreResult};

/// How long a check waits for the database before calling it gone.
const CHECK_TIMEOUT: Duration = Duration::from_secs(2);
/// Checks within this long of the last one share its answer: `/healthz` is
/// public, and a flood of it must not become a flood of connections.
const SHARED_FOR: Duration = Duration::from_secs(1);

#[derive(Default)]
pub struct DatabaseHealth {
    state: Mutex<HealthState>,
    /// When the database was last asked; one asks at a time.
    last_asked: tokio::sync::Mutex<Option<std::time::Instant>>,
    asked: std::sync::atomic::AtomicU64,
}

#[derive(Default, Clone, Copy)]
struct HealthState {
    down_since: Option<i64>,
    last_outage: Option<(i64, i64)>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DatabaseStatus {
    /// Answering; the last outage this node saw, from and until, if any.
    Answering { last_outage: Option<(i64, i64)> },
    /// Not answering since then.
    Down { since: i64 },
}

impl DatabaseHealth {
    fn lock(&self) -> std::sync::MutexGuard<'_, HealthState> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// How many times the database itself was asked (checks share answers).
    pub fn times_asked(&self) -> u64 {
        self.asked.load(std::sync::atomic::Ordering::Relaxed)
    }

    pub fn is_down(&self) -> bool {
        self.lock().down_since.is_some()
    }

    pub fn status(&self) -> DatabaseStatus {
        let state = *self.lock();
        match state.down_since {
            Some(since) => DatabaseStatus::Down { since },
            None => DatabaseStatus::Answering {
                last_outage: state.last_outage,
            },
        }
    }

    fn record(&self, answered: bool, now: i64) {
        let mut state = self.lock();
        match (answered, state.down_since) {
            (true, Some(since)) => {
                tracing::warn!(down_seconds = now - since, "the database answers again");
                state.last_outage = Some((since, now));
                state.down_since = None;
            }
            (false, None) => {
                tracing::error!("the database does not answer; serving what is cached");
                state.down_since = Some(now);
            }
            _ => {}
        }
    }
}

impl Store {
    pub fn health(&self) -> &DatabaseHealth {
        &self.health
    }

    /// Asks the database whether it answers, and records the answer. SQLite
    /// is also read through a new connection: a pooled one answers from its
    /// own page cache long after the file became unreadable.
    /// Checks a second apart or closer share one answer.
    pub async fn check(&self, now: i64) -> StoreResult<()> {
        let mut last_asked = self.health.last_asked.lock().await;
        if last_asked.is_some_and(|at| at.elapsed() < SHARED_FOR) {
            return match self.health.is_down() {
                true => Err(StoreError::Unavailable(sqlx::Error::PoolTimedOut)),
                false => Ok(()),
            };
        }
        self.health
            .asked
            .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let answer = match tokio::time::timeout(CHECK_TIMEOUT, self.probe()).await {
            Ok(answer) => answer,
            Err(_) => Err(StoreError::Unavailable(sqlx::Error::PoolTimedOut)),
        };
        *last_asked = Some(std::time::Instant::now());
        self.health.record(answer.is_ok(), now);
        answer
    }

    async fn probe(&self) -> StoreResult<()> {
        sqlx::query("SELECT 1").execute(&self.pool).await?;
        match self.backend {
            Backend::Sqlite => {
                let mut conn = sqlx::AnyConnection::connect(&self.url).await?;
                sqlx::query("SELECT COUNT(*) FROM site_settings")
                    .execute(&mut conn)
                    .await?;
                conn.close().await?;
            }
            Backend::Postgres => {}
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_outage_is_remembered_from_first_failure_to_first_answer() {
        let health = DatabaseHealth::default();
        assert_eq!(
            health.status(),
            DatabaseStatus::Answering { last_outage: None }
        );
        health.record(false, 100);
        health.record(false, 105);
        assert!(health.is_down());
        assert_eq!(health.status(), DatabaseStatus::Down { since: 100 });
        health.record(true, 130);
        health.record(true, 140);
        assert_eq!(
            health.status(),
            DatabaseStatus::Answering {
                last_outage: Some((100, 130))
            }
        );
    }
}
