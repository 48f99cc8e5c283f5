//! Sections and tags.

use super::models::*;
use super::{Store, StoreError, StoreResult};

/// What a section is looked up by.
enum Value<'a> {
    Id(i64),
    Slug(&'a str),
}

impl Store {
    /// Adds a section with its names, `(language, name)`.
    pub async fn insert_section(
        &self,
        slug: &str,
        names: &[(&str, &str)],
        position: i64,
    ) -> StoreResult<Section> {
        let mut tx = self.pool.begin().await?;
        let (id,): (i64,) =
            sqlx::query_as("INSERT INTO sections (slug, position) VALUES ($1, $2) RETURNING id")
                .bind(slug)
                .bind(position)
                .fetch_one(&mut *tx)
                .await?;
        for (language, name) in names {
            Self::put_section_name(&mut tx, SectionId(id), language, name).await?;
        }
        tx.commit().await?;
        self.section(SectionId(id)).await
    }

    /// Names a section in some languages (an empty name removes one) and,
    /// when given, moves it.
    pub async fn rename_section(
        &self,
        id: SectionId,
        names: &[(&str, &str)],
        position: Option<i64>,
    ) -> StoreResult<Section> {
        let mut tx = self.pool.begin().await?;
        if let Some(position) = position {
            sqlx::query("UPDATE sections SET position = $1 WHERE id = $2")
                .bind(position)
                .bind(id.0)
                .execute(&mut *tx)
                .await?;
        }
        for (language, name) in names {
            Self::put_section_name(&mut tx, id, language, name).await?;
        }
        tx.commit().await?;
        self.section(id).await
    }

    async fn put_section_name(
        tx: &mut sqlx::Transaction<'_, sqlx::Any>,
        id: SectionId,
        language: &str,
        name: &str,
    ) -> StoreResult<()> {
        sqlx::query("DELETE FROM section_names WHERE section_id = $1 AND language = $2")
            .bind(id.0)
            .bind(language)
            .execute(&mut **tx)
            .await?;
        if !name.trim().is_empty() {
            sqlx::query(
                "INSERT INTO section_names (section_id, language, name) VALUES ($1, $2, $3)",
            )
            .bind(id.0)
            .bind(language)
            .bind(name.trim())
            .execute(&mut **tx)
            .await?;
        }
        Ok(())
    }

    /// Every section in order, each with its names (a handful of rows).
    pub async fn sections(&self) -> StoreResult<Vec<Section>> {
        self.sections_where("", None).await
    }

    pub async fn section(&self, id: SectionId) -> StoreResult<Section> {
        self.sections_where("WHERE s.id = $1", Some(Value::Id(id.0)))
            .await?
            .pop()
            .ok_or(StoreError::NotFound)
    }

    pub async fn section_by_slug(&self, slug: &str) -> StoreResult<Section> {
        self.sections_where("WHERE s.slug = $1", Some(Value::Slug(slug)))
            .await?
            .pop()
            .ok_or(StoreError::NotFound)
    }

    /// Sections with their names, in one query.
    async fn sections_where(
        &self,
        condition: &str,
        value: Option<Value<'_>>,
    ) -> StoreResult<Vec<Section>> {
        let sql = format!(
            "SELECT s.id, s.slug, s.position, n.language, n.name FROM sections s \
             LEFT JOIN section_names n ON n.section_id = s.id {condition} \
             ORDER BY s.position, s.id"
        );
        let mut query =
            sqlx::query_as::<_, (i64, String, i64, Option<String>, Option<String>)>(&sql);
        query = match value {
            Some(Value::Id(id)) => query.bind(id),
            Some(Value::Slug(slug)) => query.bind(slug),
            None => query,
        };
        let mut sections: Vec<Section> = Vec::new();
        for (id, slug, position, language, name) in query.fetch_all(&self.pool).await? {
            if sections.last().is_none_or(|s| s.id != SectionId(id)) {
                sections.push(Section {
                    id: SectionId(id),
                    slug,
                    position,
                    names: Default::default(),
                });
            }
            if let (Some(section), Some(language), Some(name)) =
                (sections.last_mut(), language, name)
            {
                section.names.insert(language, name);
            }
        }
        Ok(sections)
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

    /// The tag with this slug, named as `language` names it (its own name
    /// where that language has none).
    pub async fn tag_in(&self, slug: &str, language: &str) -> StoreResult<Tag> {
        Ok(sqlx::query_as(
            "SELECT t.id, t.slug, COALESCE(n.name, t.name) AS name FROM tags t \
             LEFT JOIN tag_names n ON n.tag_id = t.id AND n.language = $2 WHERE t.slug = $1",
        )
        .bind(slug)
        .bind(language)
        .fetch_one(&self.pool)
        .await?)
    }

    /// Names a tag in some languages; an empty name removes one.
    pub async fn rename_tag(&self, id: TagId, names: &[(&str, &str)]) -> StoreResult<()> {
        let mut tx = self.pool.begin().await?;
        for (language, name) in names {
            sqlx::query("DELETE FROM tag_names WHERE tag_id = $1 AND language = $2")
                .bind(id.0)
                .bind(language)
                .execute(&mut *tx)
                .await?;
            if !name.trim().is_empty() {
                sqlx::query("INSERT INTO tag_names (tag_id, language, name) VALUES ($1, $2, $3)")
                    .bind(id.0)
                    .bind(language)
                    .bind(name.trim())
                    .execute(&mut *tx)
                    .await?;
            }
        }
        tx.commit().await?;
        Ok(())
    }

    /// A tag's names in other languages.
    pub async fn tag_names(
        &self,
        id: TagId,
    ) -> StoreResult<std::collections::BTreeMap<String, String>> {
        let rows: Vec<(String, String)> =
            sqlx::query_as("SELECT language, name FROM tag_names WHERE tag_id = $1")
                .bind(id.0)
                .fetch_all(&self.pool)
                .await?;
        Ok(rows.into_iter().collect())
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
