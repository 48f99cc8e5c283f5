//! Staff credentials, sign-in sessions and failed attempts.

use sqlx::FromRow;

use super::models::*;
use super::{Store, StoreResult};

/// A live session with the person it belongs to.
#[derive(Clone, Debug, FromRow)]
pub struct SessionView {
    pub session_id: i64,
    pub csrf_token: String,
    pub expires_at: i64,
    pub last_seen_at: i64,
    pub staff_id: StaffId,
    pub email: String,
    pub name: String,
    pub slug: String,
    pub role: Role,
    pub password_must_change: i64,
    pub awaiting_code: i64,
    pub totp_enabled: i64,
}

#[derive(Clone, Debug, FromRow)]
pub struct Credentials {
    pub id: StaffId,
    pub password_hash: Option<String>,
    pub disabled_at: Option<i64>,
}

impl Store {
    pub async fn credentials(&self, email: &str) -> StoreResult<Option<Credentials>> {
        Ok(sqlx::query_as(
            "SELECT id, password_hash, disabled_at FROM staff WHERE LOWER(email) = LOWER($1)",
        )
        .bind(email)
        .fetch_optional(&self.pool)
        .await?)
    }

    pub async fn set_password(
        &self,
        staff: StaffId,
        hash: &str,
        must_change: bool,
    ) -> StoreResult<()> {
        sqlx::query("UPDATE staff SET password_hash = $2, password_must_change = $3 WHERE id = $1")
            .bind(staff.0)
            .bind(hash)
            .bind(i64::from(must_change))
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    #[expect(clippy::too_many_arguments, reason = "one row, one statement")]
    pub async fn insert_session(
        &self,
        token_hash: &str,
        staff: StaffId,
        csrf_token: &str,
        now: i64,
        expires_at: i64,
        user_agent: &str,
        ip: &str,
        awaiting_code: bool,
    ) -> StoreResult<()> {
        sqlx::query(
            "INSERT INTO staff_sessions (token_hash, staff_id, csrf_token, created_at, last_seen_at, expires_at, user_agent, ip, awaiting_code) \
             VALUES ($1, $2, $3, $4, $4, $5, $6, $7, $8)",
        )
        .bind(token_hash)
        .bind(staff.0)
        .bind(csrf_token)
        .bind(now)
        .bind(expires_at)
        .bind(user_agent)
        .bind(ip)
        .bind(i64::from(awaiting_code))
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    pub async fn session(&self, token_hash: &str, now: i64) -> StoreResult<Option<SessionView>> {
        Ok(sqlx::query_as(
            "SELECT ss.id AS session_id, ss.csrf_token, ss.expires_at, ss.last_seen_at, s.id AS staff_id, s.email, \
             s.name, s.slug, s.role, s.password_must_change, ss.awaiting_code, \
             CASE WHEN s.totp_enabled_at IS NULL THEN 0 ELSE 1 END AS totp_enabled \
             FROM staff_sessions ss JOIN staff s ON s.id = ss.staff_id \
             WHERE ss.token_hash = $1 AND ss.expires_at > $2 AND s.disabled_at IS NULL",
        )
        .bind(token_hash)
        .bind(now)
        .fetch_optional(&self.pool)
        .await?)
    }

    /// Slides the session's expiry forward.
    pub async fn touch_session(
        &self,
        session_id: i64,
        now: i64,
        expires_at: i64,
    ) -> StoreResult<()> {
        sqlx::query("UPDATE staff_sessions SET last_seen_at = $2, expires_at = $3 WHERE id = $1")
            .bind(session_id)
            .bind(now)
            .bind(expires_at)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    pub async fn delete_session(&self, token_hash: &str) -> StoreResult<()> {
        sqlx::query("DELETE FROM staff_sessions WHERE token_hash = $1")
            .bind(token_hash)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    /// Ends every session of a person ("sign out everywhere", password change).
    pub async fn delete_sessions_of(&self, staff: StaffId) -> StoreResult<u64> {
        let done = sqlx::query("DELETE FROM staff_sessions WHERE staff_id = $1")
            .bind(staff.0)
            .execute(&self.pool)
            .await?;
        Ok(done.rows_affected())
    }
}

impl Store {
    pub async fn insert_password_token(
        &self,
        token_hash: &str,
        staff: StaffId,
        purpose: &str,
        now: i64,
        expires_at: i64,
    ) -> StoreResult<()> {
        sqlx::query(
            "INSERT INTO password_tokens (token_hash, staff_id, purpose, created_at, expires_at) VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(token_hash)
        .bind(staff.0)
        .bind(purpose)
        .bind(now)
        .bind(expires_at)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// Ends every unused link of a person (a newer one was issued, or one was used).
    pub async fn retire_password_tokens(&self, staff: StaffId, now: i64) -> StoreResult<()> {
        sqlx::query(
            "UPDATE password_tokens SET used_at = $2 WHERE staff_id = $1 AND used_at IS NULL",
        )
        .bind(staff.0)
        .bind(now)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// Tokens made for this person since `since`, to limit reset emails.
    pub async fn recent_password_tokens(&self, staff: StaffId, since: i64) -> StoreResult<i64> {
        let (count,): (i64,) = sqlx::query_as(
            "SELECT COUNT(*) FROM password_tokens WHERE staff_id = $1 AND created_at >= $2",
        )
        .bind(staff.0)
        .bind(since)
        .fetch_one(&self.pool)
        .await?;
        Ok(count)
    }

    /// Marks a live token used and returns whose it was; a token works once.
    pub async fn use_password_token(
        &self,
        token_hash: &str,
        now: i64,
    ) -> StoreResult<Option<StaffId>> {
        let row: Option<(StaffId,)> = sqlx::query_as(
            "UPDATE password_tokens SET used_at = $2 WHERE token_hash = $1 AND used_at IS NULL AND expires_at > $2 \
             RETURNING staff_id",
        )
        .bind(token_hash)
        .bind(now)
        .fetch_optional(&self.pool)
        .await?;
        Ok(row.map(|(id,)| id))
    }

    /// Whether a token is live, without using it (to show the form).
    pub async fn password_token_valid(&self, token_hash: &str, now: i64) -> StoreResult<bool> {
        let row: Option<(i64,)> = sqlx::query_as(
            "SELECT 1 FROM password_tokens WHERE token_hash = $1 AND used_at IS NULL AND expires_at > $2",
        )
        .bind(token_hash)
        .bind(now)
        .fetch_optional(&self.pool)
        .await?;
        Ok(row.is_some())
    }
}

impl Store {
    /// The second factor was given: the session becomes a full one.
    pub async fn confirm_session_code(&self, session_id: i64) -> StoreResult<()> {
        sqlx::query("UPDATE staff_sessions SET awaiting_code = 0 WHERE id = $1")
            .bind(session_id)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    /// The TOTP secret and when it was confirmed, if ever.
    pub async fn totp(&self, staff: StaffId) -> StoreResult<(Option<String>, Option<i64>)> {
        Ok(
            sqlx::query_as("SELECT totp_secret, totp_enabled_at FROM staff WHERE id = $1")
                .bind(staff.0)
                .fetch_one(&self.pool)
                .await?,
        )
    }

    pub async fn set_totp(
        &self,
        staff: StaffId,
        secret: Option<&str>,
        enabled_at: Option<i64>,
    ) -> StoreResult<()> {
        sqlx::query("UPDATE staff SET totp_secret = $2, totp_enabled_at = $3 WHERE id = $1")
            .bind(staff.0)
            .bind(secret)
            .bind(enabled_at)
            .execute(&self.pool)
            .await?;
        Ok(())
    }
}

impl Store {
    /// Records that the code of TOTP time step `step` was used; false when
    /// that step or a later one was already used (a replayed code).
    pub async fn accept_totp_step(&self, staff: StaffId, step: i64) -> StoreResult<bool> {
        let done = sqlx::query(
            "UPDATE staff SET totp_last_step = $2 WHERE id = $1 \
             AND (totp_last_step IS NULL OR totp_last_step < $2)",
        )
        .bind(staff.0)
        .bind(step)
        .execute(&self.pool)
        .await?;
        Ok(done.rows_affected() == 1)
    }
}
