//! The audit log: staff actions, append-only. Rows are only ever inserted,
//! and removed only when older than the retention the owner configured.

use serde::Serialize;
use sqlx::FromRow;

use super::{Store, StoreResult};
use crate::store::StaffId;

#[derive(Clone, Debug, FromRow, Serialize)]
pub struct AuditEntry {
    pub id: i64,
    pub at: i64,
    pub staff_id: Option<StaffId>,
    pub actor: String,
    pub ip: String,
    pub action: String,
    pub subject: String,
    pub detail: String,
}

/// One line to append.
pub struct NewAuditEntry<'a> {
    pub staff_id: Option<StaffId>,
    pub actor: &'a str,
    pub ip: &'a str,
    pub action: &'a str,
    pub subject: &'a str,
    pub detail: &'a str,
}

impl Store {
    pub async fn append_audit(&self, entry: NewAuditEntry<'_>, now: i64) -> StoreResult<()> {
        sqlx::query(
            "INSERT INTO audit_log (at, staff_id, actor, ip, action, subject, detail) \
             VALUES ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(now)
        .bind(entry.staff_id.map(|s| s.0))
        .bind(entry.actor)
        .bind(entry.ip)
        .bind(entry.action)
        .bind(entry.subject)
        .bind(entry.detail)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// The newest entries first, older than `before_id` when paging.
    pub async fn audit_entries(
        &self,
        before_id: Option<i64>,
        limit: i64,
    ) -> StoreResult<Vec<AuditEntry>> {
        Ok(sqlx::query_as(
            "SELECT id, at, staff_id, actor, ip, action, subject, detail FROM audit_log \
             WHERE id < $1 ORDER BY id DESC LIMIT $2",
        )
        .bind(before_id.unwrap_or(i64::MAX))
        .bind(limit)
        .fetch_all(&self.pool)
        .await?)
    }

    pub async fn prune_audit(&self, before: i64) -> StoreResult<u64> {
        let done = sqlx::query("DELETE FROM audit_log WHERE at < $1")
            .bind(before)
            .execute(&self.pool)
            .await?;
        Ok(done.rows_affected())
    }
}
