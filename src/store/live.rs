//! Live pages: a story's timestamped updates, and whether it is still live.

use serde::Serialize;
use sqlx::FromRow;

use super::articles::record_change;
use super::models::{ArticleId, StaffId};
use super::{Store, StoreResult};

#[derive(Clone, Debug, Serialize, FromRow)]
pub struct LivePage {
    pub started_at: i64,
    pub closed_at: Option<i64>,
    pub summary: String,
}

#[derive(Clone, Debug, Serialize, FromRow)]
pub struct LiveUpdate {
    pub id: i64,
    pub body: String,
    pub source: String,
    pub source_url: Option<String>,
    pub created_at: i64,
    pub author_name: Option<String>,
    pub author_slug: Option<String>,
}

pub struct NewLiveUpdate<'a> {
    pub article: ArticleId,
    /// `None` for an API key that belongs to no one.
    pub author: Option<StaffId>,
    pub body: &'a str,
    pub source: &'a str,
    pub source_url: Option<&'a str>,
}

const UPDATE_SELECT: &str = "SELECT u.id, u.body, u.source, u.source_url, u.created_at, \
     s.name AS author_name, s.slug AS author_slug \
     FROM live_updates u LEFT JOIN staff s ON s.id = u.author_id";

impl Store {
    pub async fn live_page(&self, article: ArticleId) -> StoreResult<Option<LivePage>> {
        Ok(sqlx::query_as(
            "SELECT started_at, closed_at, summary FROM live_pages WHERE article_id = $1",
        )
        .bind(article.0)
        .fetch_optional(&self.pool)
        .await?)
    }

    /// Makes a story a live page (again, if it was closed).
    pub async fn start_live(&self, article: ArticleId, now: i64) -> StoreResult<()> {
        let mut tx = self.pool.begin().await?;
        sqlx::query(
            "INSERT INTO live_pages (article_id, started_at) VALUES ($1, $2) \
             ON CONFLICT (article_id) DO UPDATE SET closed_at = NULL",
        )
        .bind(article.0)
        .bind(now)
        .execute(&mut *tx)
        .await?;
        record_change(&mut tx, article, now).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Ends the coverage with a summary; false when the story is not a live page.
    pub async fn close_live(
        &self,
        article: ArticleId,
        summary: &str,
        now: i64,
    ) -> StoreResult<bool> {
        let mut tx = self.pool.begin().await?;
        let done =
            sqlx::query("UPDATE live_pages SET closed_at = $2, summary = $3 WHERE article_id = $1")
                .bind(article.0)
                .bind(now)
                .bind(summary)
                .execute(&mut *tx)
                .await?;
        record_change(&mut tx, article, now).await?;
        tx.commit().await?;
        Ok(done.rows_affected() == 1)
    }

    /// Adds an update (and the change every node hears of); returns its id.
    pub async fn insert_live_update(&self, new: &NewLiveUpdate<'_>, now: i64) -> StoreResult<i64> {
        let mut tx = self.pool.begin().await?;
        let (id,): (i64,) = sqlx::query_as(
            "INSERT INTO live_updates (article_id, author_id, body, source, source_url, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
        )
        .bind(new.article.0)
        .bind(new.author.map(|a| a.0))
        .bind(new.body)
        .bind(new.source)
        .bind(new.source_url)
        .bind(now)
        .fetch_one(&mut *tx)
        .await?;
        record_change(&mut tx, new.article, now).await?;
        tx.commit().await?;
        Ok(id)
    }

    /// Removes an update posted by mistake; false if it was not this story's.
    pub async fn delete_live_update(
        &self,
        article: ArticleId,
        id: i64,
        now: i64,
    ) -> StoreResult<bool> {
        let mut tx = self.pool.begin().await?;
        let done = sqlx::query("DELETE FROM live_updates WHERE id = $1 AND article_id = $2")
            .bind(id)
            .bind(article.0)
            .execute(&mut *tx)
            .await?;
        record_change(&mut tx, article, now).await?;
        tx.commit().await?;
        Ok(done.rows_affected() == 1)
    }

    /// Keeps an update's signed document.
    pub async fn set_live_update_document(&self, id: i64, document: &str) -> StoreResult<()> {
        sqlx::query("UPDATE live_updates SET document = $2 WHERE id = $1")
            .bind(id)
            .bind(document)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    /// A story's updates' ids, newest first (what its signed versions name).
    pub async fn live_update_ids(&self, article: ArticleId) -> StoreResult<Vec<i64>> {
        let rows: Vec<(i64,)> =
            sqlx::query_as("SELECT id FROM live_updates WHERE article_id = $1 ORDER BY id DESC")
                .bind(article.0)
                .fetch_all(&self.pool)
                .await?;
        Ok(rows.into_iter().map(|(id,)| id).collect())
    }

    /// The signed documents of a story's updates, newest first.
    pub async fn live_update_documents(&self, article: ArticleId) -> StoreResult<Vec<String>> {
        let rows: Vec<(String,)> = sqlx::query_as(
            "SELECT document FROM live_updates WHERE article_id = $1 AND document <> '' \
             ORDER BY id DESC",
        )
        .bind(article.0)
        .fetch_all(&self.pool)
        .await?;
        Ok(rows.into_iter().map(|(document,)| document).collect())
    }

    /// How many updates a story has and its newest one's id: enough to
    /// tell whether one was removed since.
    pub async fn live_update_count(&self, article: ArticleId) -> StoreResult<(i64, i64)> {
        Ok(sqlx::query_as(
            "SELECT COUNT(*), COALESCE(MAX(id), 0) FROM live_updates WHERE article_id = $1",
        )
        .bind(article.0)
        .fetch_one(&self.pool)
        .await?)
    }

    /// A story's updates, newest first.
    pub async fn live_updates(&self, article: ArticleId) -> StoreResult<Vec<LiveUpdate>> {
        Ok(sqlx::query_as(&format!(
            "{UPDATE_SELECT} WHERE u.article_id = $1 ORDER BY u.id DESC"
        ))
        .bind(article.0)
        .fetch_all(&self.pool)
        .await?)
    }

    /// Updates newer than `after`, oldest first (what a live reader missed).
    pub async fn live_updates_after(
        &self,
        article: ArticleId,
        after: i64,
    ) -> StoreResult<Vec<LiveUpdate>> {
        Ok(sqlx::query_as(&format!(
            "{UPDATE_SELECT} WHERE u.article_id = $1 AND u.id > $2 ORDER BY u.id LIMIT 100"
        ))
        .bind(article.0)
        .bind(after)
        .fetch_all(&self.pool)
        .await?)
    }
}
