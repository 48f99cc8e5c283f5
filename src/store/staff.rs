//! Newsroom staff accounts.

use super::models::*;
use super::{Store, StoreResult};

const STAFF_COLUMNS: &str = "id, email, name, slug, bio, avatar_url, role, created_at, disabled_at";

impl Store {
    pub async fn insert_staff(&self, new: &NewStaff, now: i64) -> StoreResult<Staff> {
        Ok(sqlx::query_as(&format!(
            "INSERT INTO staff (email, name, slug, bio, role, password_hash, password_must_change, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING {STAFF_COLUMNS}"
        ))
        .bind(&new.email)
        .bind(&new.name)
        .bind(&new.slug)
        .bind(&new.bio)
        .bind(new.role.as_str())
        .bind(&new.password_hash)
        .bind(i64::from(new.password_must_change))
        .bind(now)
        .fetch_one(&self.pool)
        .await?)
    }

    /// Disables (`Some(now)`) or enables (`None`) a person.
    pub async fn set_staff_disabled(&self, id: StaffId, at: Option<i64>) -> StoreResult<()> {
        sqlx::query("UPDATE staff SET disabled_at = $2 WHERE id = $1")
            .bind(id.0)
            .bind(at)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    /// Owners who can still sign in.
    pub async fn active_owner_count(&self) -> StoreResult<i64> {
        let (count,): (i64,) = sqlx::query_as(
            "SELECT COUNT(*) FROM staff WHERE role = 'owner' AND disabled_at IS NULL",
        )
        .fetch_one(&self.pool)
        .await?;
        Ok(count)
    }

    pub async fn staff_by_id(&self, id: StaffId) -> StoreResult<Staff> {
        Ok(
            sqlx::query_as(&format!("SELECT {STAFF_COLUMNS} FROM staff WHERE id = $1"))
                .bind(id.0)
                .fetch_one(&self.pool)
                .await?,
        )
    }

    pub async fn all_staff(&self) -> StoreResult<Vec<Staff>> {
        Ok(
            sqlx::query_as(&format!("SELECT {STAFF_COLUMNS} FROM staff ORDER BY name"))
                .fetch_all(&self.pool)
                .await?,
        )
    }

    /// Active staff with a byline on a published story: the people readers
    /// already know by name (others, who may need not to be, stay off the Team page).
    pub async fn bylined_staff(&self) -> StoreResult<Vec<Staff>> {
        Ok(sqlx::query_as(&format!(
            "SELECT {STAFF_COLUMNS} FROM staff WHERE disabled_at IS NULL AND id IN \
             (SELECT aa.staff_id FROM article_authors aa JOIN articles a ON a.id = aa.article_id \
              WHERE a.status = 'published') ORDER BY name"
        ))
        .fetch_all(&self.pool)
        .await?)
    }

    pub async fn staff_by_slug(&self, slug: &str) -> StoreResult<Staff> {
        Ok(sqlx::query_as(&format!(
            "SELECT {STAFF_COLUMNS} FROM staff WHERE slug = $1"
        ))
        .bind(slug)
        .fetch_one(&self.pool)
        .await?)
    }

    pub async fn staff_by_email(&self, email: &str) -> StoreResult<Staff> {
        Ok(sqlx::query_as(&format!(
            "SELECT {STAFF_COLUMNS} FROM staff WHERE LOWER(email) = LOWER($1)"
        ))
        .bind(email)
        .fetch_one(&self.pool)
        .await?)
    }

    /// Staff chosen by email or slug, in the order given; unknown ones are left out.
    pub async fn staff_by_handles(&self, handles: &[String]) -> StoreResult<Vec<Staff>> {
        let all = self.all_staff().await?;
        Ok(handles
            .iter()
            .filter_map(|h| {
                all.iter()
                    .find(|s| s.slug == *h || s.email.eq_ignore_ascii_case(h))
                    .cloned()
            })
            .collect())
    }
}
