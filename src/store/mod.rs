//! All SQL lives here. One [`Store`] serves both backends: statements are
//! written once in SQL that SQLite and PostgreSQL both accept, and the few
//! parts that truly differ (full-text search, pragmas) branch on [`Backend`].
//!
//! Times are stored as UTC Unix seconds so both backends sort and compare
//! them identically.

mod articles;
mod attempts;
mod audit;
mod backup;
mod donations;
mod fediverse;
mod health;
mod imports;
mod keys;
mod live;
mod media;
mod models;
mod newsletter;
mod outbox;
mod revision_snapshot;
mod sessions;
mod settings;
mod signing;
mod staff;
mod states;
mod taxonomy;
mod videos;
mod webhooks;

pub use articles::{
    ArticleFilter, ArticleWrite, EVERY_STORY, GeneratedArticle, SITE_CHANGE, cards_by_id_sql,
    list_cursor, parse_list_cursor, related_candidates_sql, unpack_snapshot,
};
pub use attempts::AttemptId;
pub use audit::{AuditEntry, NewAuditEntry};
pub use backup::{Column, ColumnKind, sorted_by_key};
pub use donations::{
    Donation, Grant, LedgerEffect, LedgerEvent, NewDonation, PaymentRow, Receipt, SubscriptionRow,
};
pub use fediverse::Follower;
pub use health::{DatabaseHealth, DatabaseStatus};
pub use imports::{ImportedArticle, ImportedPage, LegacyTarget, Page, PageWrite};
pub use live::{LivePage, LiveUpdate, NewLiveUpdate};
pub use media::{Media, NewMedia};
pub use models::*;
pub use newsletter::{IssueRow, IssueSummary, NewIssue, Recipient, Subscriber};
pub use outbox::{Attempt, Delivery, NewDelivery, OutboxAction, OutboxEvent, PostedState};
pub use revision_snapshot::RevisionSnapshot;
pub use sessions::{Credentials, SessionView};
pub use signing::{NewStoryVersion, SigningKeyRow, StoryVersionRow};
pub use states::*;
pub use videos::Video;
pub use webhooks::Webhook;

use std::str::FromStr;
use std::time::Duration;

use sqlx::any::{AnyPoolOptions, install_default_drivers};
use sqlx::migrate::Migrator;
use sqlx::{AnyPool, Executor};

static SQLITE_MIGRATIONS: Migrator = sqlx::migrate!("migrations/sqlite");
static POSTGRES_MIGRATIONS: Migrator = sqlx::migrate!("migrations/postgres");

/// Errors of the storage layer. Callers match on the first two; the rest is
/// an infrastructure failure that the HTTP layer reports as a 5xx.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("not found")]
    NotFound,
    /// A unique constraint was violated; `constraint` names the columns.
    #[error("conflict on {constraint}")]
    Conflict { constraint: String },
    /// The row changed since the caller read it (optimistic locking).
    #[error("stale version")]
    StaleVersion,
    /// The database did not answer in time or at all (pool exhausted, closed, unreachable).
    #[error("database unavailable: {0}")]
    Unavailable(#[source] sqlx::Error),
    #[error("database error: {0}")]
    Database(#[source] sqlx::Error),
    #[error("migration error: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    #[error("corrupt row: {0}")]
    Corrupt(String),
}

impl From<sqlx::Error> for StoreError {
    fn from(err: sqlx::Error) -> Self {
        match &err {
            sqlx::Error::RowNotFound => StoreError::NotFound,
            sqlx::Error::Database(db) if db.is_unique_violation() => StoreError::Conflict {
                constraint: db
                    .constraint()
                    .map(str::to_owned)
                    .unwrap_or_else(|| unique_columns(db.message())),
            },
            sqlx::Error::PoolTimedOut
            | sqlx::Error::PoolClosed
            | sqlx::Error::Io(_)
            | sqlx::Error::WorkerCrashed => StoreError::Unavailable(err),
            sqlx::Error::Database(db) if database_gone(db.as_ref()) => StoreError::Unavailable(err),
            _ => StoreError::Database(err),
        }
    }
}

/// Errors that say the database itself is not there (a server shutting
/// down or refusing connections, an SQLite file unreadable or not a
/// database), not that a statement was wrong: readers get a 503 for them.
fn database_gone(error: &dyn sqlx::error::DatabaseError) -> bool {
    let Some(code) = error.code() else {
        return false;
    };
    if error
        .try_downcast_ref::<sqlx::sqlite::SqliteError>()
        .is_some()
    {
        // Primary codes IOERR 10, CORRUPT 11, CANTOPEN 14, NOTADB 26.
        return code
            .parse::<i32>()
            .is_ok_and(|extended| matches!(extended & 0xff, 10 | 11 | 14 | 26));
    }
    // PostgreSQL: class 08 (connection exception), 57P0x (shutting down,
    // cannot connect now).
    code.starts_with("08") || code.starts_with("57P0")
}

/// SQLite names the columns in the message ("UNIQUE constraint failed: articles.language, articles.slug").
fn unique_columns(message: &str) -> String {
    message
        .split_once(':')
        .map(|(_, cols)| cols.trim().to_owned())
        .unwrap_or_else(|| message.to_owned())
}

pub type StoreResult<T> = Result<T, StoreError>;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// Handle to the database; cheap to clone.
#[derive(Clone)]
pub struct Store {
    pool: AnyPool,
    backend: Backend,
    /// As configured (never creating a missing SQLite file): health checks connect with it.
    url: String,
    health: std::sync::Arc<DatabaseHealth>,
}

impl Store {
    /// Connects, creating the SQLite file if needed, and applies migrations.
    pub async fn connect(url: &str, max_connections: u32) -> StoreResult<Self> {
        install_default_drivers();
        let backend = if url.starts_with("sqlite:") {
            Backend::Sqlite
        } else {
            Backend::Postgres
        };
        let configured = url.to_owned();
        let url = match backend {
            Backend::Sqlite => sqlite_url_with_create(url)?,
            Backend::Postgres => url.to_owned(),
        };
        let mut options = AnyPoolOptions::new()
            .max_connections(max_connections)
            // A reader waits a few seconds for a connection, then gets a 503, not a hang.
            .acquire_timeout(Duration::from_secs(5));
        if backend == Backend::Sqlite {
            options = options.after_connect(|conn, _meta| {
                Box::pin(async move {
                    // WAL lets readers and one writer work at once, so CLI commands
                    // can run beside a live server; busy_timeout makes writers wait
                    // instead of failing when another process holds the lock.
                    conn.execute("PRAGMA journal_mode = WAL").await?;
                    conn.execute("PRAGMA synchronous = NORMAL").await?;
                    conn.execute("PRAGMA busy_timeout = 10000").await?;
                    conn.execute("PRAGMA foreign_keys = ON").await?;
                    Ok(())
                })
            });
        }
        let pool = options.connect(&url).await?;
        let store = Store {
            pool,
            backend,
            url: configured,
            health: Default::default(),
        };
        store.migrate().await?;
        Ok(store)
    }

    pub async fn migrate(&self) -> StoreResult<()> {
        match self.backend {
            Backend::Sqlite => SQLITE_MIGRATIONS.run(&self.pool).await?,
            Backend::Postgres => POSTGRES_MIGRATIONS.run(&self.pool).await?,
        }
        Ok(())
    }

    pub fn backend(&self) -> Backend {
        self.backend
    }

    pub fn pool(&self) -> &AnyPool {
        &self.pool
    }

    /// Checks that the database answers; used by the health endpoint.
    pub async fn ping(&self) -> StoreResult<()> {
        sqlx::query("SELECT 1").execute(&self.pool).await?;
        Ok(())
    }

    pub async fn close(&self) {
        self.pool.close().await;
    }

    /// Rows of queued and finished work by kind and state, for metrics:
    /// outbox events not yet turned into deliveries, deliveries,
    /// newsletter recipients and donations.
    pub async fn work_counts(&self) -> StoreResult<Vec<(String, String, i64)>> {
        Ok(sqlx::query_as(
            "SELECT 'outbox_events', 'waiting', COUNT(*) FROM outbox_events WHERE expanded_at IS NULL \
             UNION ALL SELECT 'deliveries', state, COUNT(*) FROM deliveries GROUP BY state \
             UNION ALL SELECT 'newsletter_recipients', state, COUNT(*) FROM newsletter_recipients GROUP BY state \
             UNION ALL SELECT 'donations', status, COUNT(*) FROM donations GROUP BY status",
        )
        .fetch_all(&self.pool)
        .await?)
    }
}

/// sqlx opens SQLite files read-write but does not create them unless asked.
fn sqlite_url_with_create(url: &str) -> StoreResult<String> {
    let path = url
        .trim_start_matches("sqlite://")
        .trim_start_matches("sqlite:");
    let path = path.split('?').next().unwrap_or(path);
    if let Some(parent) = std::path::Path::new(path)
        .parent()
        .filter(|_| !path.is_empty() && path != ":memory:")
    {
        std::fs::create_dir_all(parent)
            .map_err(|e| StoreError::Corrupt(format!("cannot create {}: {e}", parent.display())))?;
    }
    // Validate early so a bad URL is reported plainly.
    sqlx::sqlite::SqliteConnectOptions::from_str(url)?;
    if url.contains('?') {
        Ok(format!("{url}&mode=rwc"))
    } else {
        Ok(format!("{url}?mode=rwc"))
    }
}

/// Current time as Unix seconds.
pub fn now() -> i64 {
    jiff::Timestamp::now().as_second()
}
