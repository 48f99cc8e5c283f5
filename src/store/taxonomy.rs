//! Sections and tags.

use super::models::*;
use super::{Store, StoreError, StoreResult};

impl Store {
    pub async fn insert_section(
        &self,
        slug: &str,
        name_uk: &str,
        name_en: &str,
        position: i64,
    ) -> StoreResult<Section> {
        Ok(sqlx::query_as(
            "INSERT INTO sections (slug, name_uk, name_en, position) VALUES ($1, $2, $3, $4) \
             RETURNING id, slug, name_uk, name_en, position",
        )
        .bind(slug)
        .bind(name_uk)
        .bind(name_en)
        .bind(position)
        .fetch_one(&self.pool)
        .await?)
    }

    pub async fn sections(&self) -> StoreResult<Vec<Section>> {
        Ok(sqlx::query_as(
            "SELECT id, slug, name_uk, name_en, position FROM sections ORDER BY position, id",
        )
        .fetch_all(&self.pool)
        .await?)
    }

    pub async fn section(&self, id: SectionId) -> StoreResult<Section> {
        Ok(sqlx::query_as(
            "SELECT id, slug, name_uk, name_en, position FROM sections WHERE id = $1",
        )
        .bind(id.0)
        .fetch_one(&self.pool)
        .await?)
    }

    pub async fn section_by_slug(&self, slug: &str) -> StoreResult<Section> {
        Ok(sqlx::query_as(
            "SELECT id, slug, name_uk, name_en, position FROM sections WHERE slug = $1",
        )
        .bind(slug)
        .fetch_one(&self.pool)
        .await?)
    }

    pub async fn tags(&self) -> StoreResult<Vec<Tag>> {
        Ok(
            sqlx::query_as("SELECT id, slug, name FROM tags ORDER BY name")
                .fetch_all(&self.pool)
                .await?,
        )
    }

    pub async fn tag_by_slug(&self, slug: &str) -> StoreResult<Tag> {
        Ok(
            sqlx::query_as("SELECT id, slug, name FROM tags WHERE slug = $1")
                .bind(slug)
                .fetch_one(&self.pool)
                .await?,
        )
    }

    /// The tag with this slug, created with `name` if it does not exist yet.
    pub async fn ensure_tag(&self, slug: &str, name: &str) -> StoreResult<Tag> {
        match self.tag_by_slug(slug).await {
            Ok(tag) => return Ok(tag),
            Err(StoreError::NotFound) => {}
            Err(e) => return Err(e),
        }
        let inserted = sqlx::query_as(
            "INSERT INTO tags (slug, name) VALUES ($1, $2) RETURNING id, slug, name",
        )
        .bind(slug)
        .bind(name)
        .fetch_one(&self.pool)
        .await;
        match inserted {
            Ok(tag) => Ok(tag),
            // Someone else created it a moment ago.
            Err(e) => match StoreError::from(e) {
                StoreError::Conflict { .. } => self.tag_by_slug(slug).await,
                other => Err(other),
            },
        }
    }
}
