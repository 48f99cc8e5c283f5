//! Static pages, the old site's addresses, and which source record each
//! imported row came from.

use serde::Serialize;
use sqlx::FromRow;

use super::models::*;
use super::states::{ImportedKind, PageStatus};
use super::{ArticleWrite, Store, StoreError, StoreResult};

#[derive(Clone, Debug, FromRow, Serialize)]
pub struct Page {
    pub id: PageId,
    pub translation_group: String,
    pub language: String,
    pub slug: String,
    pub title: String,
    pub body: String,
    pub meta_description: String,
    pub status: PageStatus,
    pub position: i64,
    pub created_at: i64,
    pub updated_at: i64,
}

impl Page {
    pub fn is_published(&self) -> bool {
        self.status == PageStatus::Published
    }
}

#[derive(Clone, Debug)]
pub struct PageWrite {
    pub translation_group: String,
    pub language: String,
    pub slug: String,
    pub title: String,
    pub body: String,
    pub meta_description: String,
    pub status: PageStatus,
    pub position: i64,
}

/// Where an old address leads: kept as the thing, not its path, so the
/// redirect follows later slug or date changes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum LegacyTarget {
    Article(ArticleId),
    Page(PageId),
    /// A path on this site (section, tag or author lists, feeds).
    Path(String),
}

impl LegacyTarget {
    fn encode(&self) -> String {
        match self {
            Self::Article(id) => format!("article:{id}"),
            Self::Page(id) => format!("page:{id}"),
            Self::Path(path) => path.clone(),
        }
    }

    fn decode(text: &str) -> Option<Self> {
        if let Some(id) = text.strip_prefix("article:") {
            return id.parse().ok().map(|id| Self::Article(ArticleId(id)));
        }
        if let Some(id) = text.strip_prefix("page:") {
            return id.parse().ok().map(|id| Self::Page(PageId(id)));
        }
        text.starts_with('/').then(|| Self::Path(text.to_owned()))
    }
}

/// One story of an import: what to write, where it came from, and the old
/// addresses that must keep leading to it.
#[derive(Clone, Debug)]
pub struct ImportedArticle {
    pub source_id: String,
    pub write: ArticleWrite,
    pub legacy_paths: Vec<String>,
}

#[derive(Clone, Debug)]
pub struct ImportedPage {
    pub source_id: String,
    pub write: PageWrite,
    pub legacy_paths: Vec<String>,
}

const PAGE_COLUMNS: &str = "id, translation_group, language, slug, title, body, meta_description, \
     status, position, created_at, updated_at";

impl Store {
    /// The local row an imported record became, if it was imported before.
    pub async fn imported_id(
        &self,
        source: &str,
        kind: ImportedKind,
        source_id: &str,
    ) -> StoreResult<Option<i64>> {
        let mut conn = self.pool.acquire().await?;
        imported_in(&mut conn, source, kind, source_id).await
    }

    pub async fn record_import_source(
        &self,
        source: &str,
        kind: ImportedKind,
        source_id: &str,
        local_id: i64,
    ) -> StoreResult<()> {
        sqlx::query(
            "INSERT INTO import_sources (source, kind, source_id, local_id) VALUES ($1, $2, $3, $4) \
             ON CONFLICT (source, kind, source_id) DO NOTHING",
        )
        .bind(source)
        .bind(kind.as_str())
        .bind(source_id)
        .bind(local_id)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// How many records of a kind came from a source.
    pub async fn imported_count(&self, source: &str, kind: ImportedKind) -> StoreResult<i64> {
        let (count,): (i64,) =
            sqlx::query_as("SELECT COUNT(*) FROM import_sources WHERE source = $1 AND kind = $2")
                .bind(source)
                .bind(kind.as_str())
                .fetch_one(&self.pool)
                .await?;
        Ok(count)
    }

    /// Writes a batch of imported stories in one transaction: history, not
    /// news (never distributed). Stories imported before are left as they
    /// are. Returns how many were new.
    pub async fn import_articles(
        &self,
        source: &str,
        batch: &[ImportedArticle],
        now: i64,
    ) -> StoreResult<usize> {
        let mut tx = self.pool.begin().await?;
        let mut created = 0;
        for item in batch {
            if imported_in(&mut tx, source, ImportedKind::Article, &item.source_id)
                .await?
                .is_some()
            {
                continue;
            }
            let id = self
                .insert_article_in(&mut tx, &item.write, "import", now)
                .await?;
            insert_source(
                &mut tx,
                source,
                ImportedKind::Article,
                &item.source_id,
                id.0,
            )
            .await?;
            for path in &item.legacy_paths {
                insert_legacy(&mut tx, path, &LegacyTarget::Article(id), now).await?;
            }
            created += 1;
        }
        tx.commit().await?;
        Ok(created)
    }

    /// Writes one imported page unless it was imported before; `true` when new.
    pub async fn import_page(
        &self,
        source: &str,
        page: &ImportedPage,
        now: i64,
    ) -> StoreResult<bool> {
        let mut tx = self.pool.begin().await?;
        if imported_in(&mut tx, source, ImportedKind::Page, &page.source_id)
            .await?
            .is_some()
        {
            return Ok(false);
        }
        let id = insert_page_in(&mut tx, &page.write, now).await?;
        insert_source(&mut tx, source, ImportedKind::Page, &page.source_id, id.0).await?;
        for path in &page.legacy_paths {
            insert_legacy(&mut tx, path, &LegacyTarget::Page(id), now).await?;
        }
        tx.commit().await?;
        Ok(true)
    }

    /// Makes an old address lead somewhere; an address already taken keeps
    /// its first target. `true` when the address was new.
    pub async fn add_legacy_path(
        &self,
        path: &str,
        target: &LegacyTarget,
        now: i64,
    ) -> StoreResult<bool> {
        let mut conn = self.pool.acquire().await?;
        insert_legacy(&mut conn, path, target, now).await
    }

    /// Where an old address leads, if anywhere.
    pub async fn legacy_target(&self, path: &str) -> StoreResult<Option<LegacyTarget>> {
        let row: Option<(String,)> =
            sqlx::query_as("SELECT target FROM legacy_paths WHERE path = $1")
                .bind(path)
                .fetch_optional(&self.pool)
                .await?;
        Ok(row.and_then(|(target,)| LegacyTarget::decode(&target)))
    }

    pub async fn legacy_path_count(&self) -> StoreResult<i64> {
        let (count,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM legacy_paths")
            .fetch_one(&self.pool)
            .await?;
        Ok(count)
    }

    pub async fn insert_page(&self, write: &PageWrite, now: i64) -> StoreResult<PageId> {
        let mut conn = self.pool.acquire().await?;
        insert_page_in(&mut conn, write, now).await
    }

    pub async fn update_page(&self, id: PageId, write: &PageWrite, now: i64) -> StoreResult<()> {
        let done = sqlx::query(
            "UPDATE pages SET language = $1, slug = $2, title = $3, body = $4, \
             meta_description = $5, status = $6, position = $7, updated_at = $8 WHERE id = $9",
        )
        .bind(&write.language)
        .bind(&write.slug)
        .bind(&write.title)
        .bind(&write.body)
        .bind(&write.meta_description)
        .bind(write.status)
        .bind(write.position)
        .bind(now)
        .bind(id.0)
        .execute(&self.pool)
        .await?;
        if done.rows_affected() == 0 {
            return Err(StoreError::NotFound);
        }
        Ok(())
    }

    pub async fn delete_page(&self, id: PageId) -> StoreResult<()> {
        sqlx::query("DELETE FROM pages WHERE id = $1")
            .bind(id.0)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    pub async fn page(&self, id: PageId) -> StoreResult<Page> {
        Ok(
            sqlx::query_as(&format!("SELECT {PAGE_COLUMNS} FROM pages WHERE id = $1"))
                .bind(id.0)
                .fetch_one(&self.pool)
                .await?,
        )
    }

    pub async fn page_by_slug(&self, language: &str, slug: &str) -> StoreResult<Page> {
        Ok(sqlx::query_as(&format!(
            "SELECT {PAGE_COLUMNS} FROM pages WHERE language = $1 AND slug = $2"
        ))
        .bind(language)
        .bind(slug)
        .fetch_one(&self.pool)
        .await?)
    }

    /// All pages, in menu order; a newsroom has tens of them, not thousands.
    pub async fn pages(&self) -> StoreResult<Vec<Page>> {
        Ok(sqlx::query_as(&format!(
            "SELECT {PAGE_COLUMNS} FROM pages ORDER BY language, position, title LIMIT 1000"
        ))
        .fetch_all(&self.pool)
        .await?)
    }

    /// Published pages for the footer, in menu order.
    pub async fn published_pages(&self) -> StoreResult<Vec<Page>> {
        Ok(sqlx::query_as(&format!(
            "SELECT {PAGE_COLUMNS} FROM pages WHERE status = 'published' \
             ORDER BY position, title LIMIT 50"
        ))
        .fetch_all(&self.pool)
        .await?)
    }

    /// The other language versions of a page.
    pub async fn page_translations(&self, page: &Page) -> StoreResult<Vec<Page>> {
        Ok(sqlx::query_as(&format!(
            "SELECT {PAGE_COLUMNS} FROM pages WHERE translation_group = $1 AND id <> $2"
        ))
        .bind(&page.translation_group)
        .bind(page.id.0)
        .fetch_all(&self.pool)
        .await?)
    }
}

/// The local row a source record became, inside the caller's transaction.
async fn imported_in(
    conn: &mut sqlx::AnyConnection,
    source: &str,
    kind: ImportedKind,
    source_id: &str,
) -> StoreResult<Option<i64>> {
    let row: Option<(i64,)> = sqlx::query_as(
        "SELECT local_id FROM import_sources WHERE source = $1 AND kind = $2 AND source_id = $3",
    )
    .bind(source)
    .bind(kind.as_str())
    .bind(source_id)
    .fetch_optional(&mut *conn)
    .await?;
    Ok(row.map(|(id,)| id))
}

async fn insert_page_in(
    conn: &mut sqlx::AnyConnection,
    write: &PageWrite,
    now: i64,
) -> StoreResult<PageId> {
    let (id,): (PageId,) = sqlx::query_as(
        "INSERT INTO pages (translation_group, language, slug, title, body, meta_description, \
         status, position, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $9) RETURNING id",
    )
    .bind(&write.translation_group)
    .bind(&write.language)
    .bind(&write.slug)
    .bind(&write.title)
    .bind(&write.body)
    .bind(&write.meta_description)
    .bind(write.status)
    .bind(write.position)
    .bind(now)
    .fetch_one(&mut *conn)
    .await?;
    Ok(id)
}

async fn insert_source(
    conn: &mut sqlx::AnyConnection,
    source: &str,
    kind: ImportedKind,
    source_id: &str,
    local_id: i64,
) -> StoreResult<()> {
    sqlx::query(
        "INSERT INTO import_sources (source, kind, source_id, local_id) VALUES ($1, $2, $3, $4)",
    )
    .bind(source)
    .bind(kind.as_str())
    .bind(source_id)
    .bind(local_id)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

async fn insert_legacy(
    conn: &mut sqlx::AnyConnection,
    path: &str,
    target: &LegacyTarget,
    now: i64,
) -> StoreResult<bool> {
    let done = sqlx::query(
        "INSERT INTO legacy_paths (path, target, created_at) VALUES ($1, $2, $3) \
         ON CONFLICT (path) DO NOTHING",
    )
    .bind(path)
    .bind(target.encode())
    .bind(now)
    .execute(&mut *conn)
    .await?;
    Ok(done.rows_affected() > 0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn targets_read_back_as_written() {
        for target in [
            LegacyTarget::Article(ArticleId(7)),
            LegacyTarget::Page(PageId(3)),
            LegacyTarget::Path("/section/news".into()),
        ] {
            assert_eq!(LegacyTarget::decode(&target.encode()), Some(target));
        }
        assert_eq!(LegacyTarget::decode("https://evil.example/"), None);
    }
}
