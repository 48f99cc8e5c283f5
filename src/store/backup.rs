//! Whole tables out and in, for `newsdesk export` and restoring an export.
//!
//! Rows travel as JSON objects keyed by column name, so an export from
//! SQLite restores into PostgreSQL and back. The columns come from the
//! database's own catalogue; PostgreSQL's generated search column stays
//! behind (it is computed again), and SQLite's search index is rebuilt.

use serde_json::{Map, Value};
use sqlx::Row;

use super::{Backend, Store, StoreError, StoreResult};

/// What a column holds, as far as an export cares.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ColumnKind {
    Integer,
    Text,
}

#[derive(Clone, Debug)]
pub struct Column {
    pub name: String,
    pub kind: ColumnKind,
}

impl Store {
    /// A table's columns in declaration order (generated ones left out).
    pub async fn table_columns(&self, table: &str) -> StoreResult<Vec<Column>> {
        let rows: Vec<(String, String)> = match self.backend() {
            Backend::Sqlite => {
                sqlx::query_as("SELECT name, type FROM pragma_table_info($1) ORDER BY cid")
                    .bind(table)
                    .fetch_all(&self.pool)
                    .await?
            }
            Backend::Postgres => {
                sqlx::query_as(
                    "SELECT column_name::text, data_type::text FROM information_schema.columns \
                     WHERE table_schema = current_schema() AND table_name = $1 \
                     AND is_generated = 'NEVER' ORDER BY ordinal_position",
                )
                .bind(table)
                .fetch_all(&self.pool)
                .await?
            }
        };
        if rows.is_empty() {
            return Err(StoreError::Corrupt(format!("no table {table}")));
        }
        Ok(rows
            .into_iter()
            .map(|(name, kind)| {
                let kind = kind.to_ascii_uppercase();
                Column {
                    name,
                    kind: if kind.contains("INT") {
                        ColumnKind::Integer
                    } else {
                        ColumnKind::Text
                    },
                }
            })
            .collect())
    }

    /// Hands every row of a table to `each`, as a JSON object, one at a
    /// time: an archive's tables need not fit in memory. Tables whose first
    /// column is an integer key come in that key's order; the others in the
    /// database's own text order, which differs between the two (see
    /// [`sorted_by_key`]).
    pub async fn for_each_row<E: From<StoreError>>(
        &self,
        table: &str,
        columns: &[Column],
        mut each: impl FnMut(Value) -> Result<(), E>,
    ) -> Result<(), E> {
        use futures_util::TryStreamExt;
        let list = columns
            .iter()
            .map(|c| quoted(&c.name))
            .collect::<Vec<_>>()
            .join(", ");
        let order = if sorted_by_key(columns) {
            (1..=columns.len().min(3))
                .map(|n| n.to_string())
                .collect::<Vec<_>>()
                .join(", ")
        } else {
            "1".into()
        };
        let sql = format!("SELECT {list} FROM {} ORDER BY {order}", quoted(table));
        let mut rows = sqlx::query(&sql).fetch(&self.pool);
        while let Some(row) = rows.try_next().await.map_err(StoreError::from)? {
            let mut object = Map::new();
            for (index, column) in columns.iter().enumerate() {
                let value = match column.kind {
                    ColumnKind::Integer => row
                        .try_get::<Option<i64>, _>(index)
                        .map_err(StoreError::from)?
                        .map(Value::from),
                    ColumnKind::Text => row
                        .try_get::<Option<String>, _>(index)
                        .map_err(StoreError::from)?
                        .map(Value::from),
                };
                object.insert(column.name.clone(), value.unwrap_or(Value::Null));
            }
            each(Value::Object(object))?;
        }
        Ok(())
    }

    /// Writes rows into an (empty) table inside the caller's transaction.
    /// Columns the rows do not name take their defaults.
    pub async fn insert_rows(
        &self,
        conn: &mut sqlx::AnyConnection,
        table: &str,
        columns: &[Column],
        rows: &[Value],
    ) -> StoreResult<()> {
        for row in rows {
            let Some(object) = row.as_object() else {
                return Err(StoreError::Corrupt(format!(
                    "{table}: a row is not an object"
                )));
            };
            let present: Vec<&Column> = columns
                .iter()
                .filter(|c| object.contains_key(&c.name))
                .collect();
            if present.is_empty() {
                continue;
            }
            let names = present
                .iter()
                .map(|c| quoted(&c.name))
                .collect::<Vec<_>>()
                .join(", ");
            let marks = (1..=present.len())
                .map(|n| format!("${n}"))
                .collect::<Vec<_>>()
                .join(", ");
            let sql = format!("INSERT INTO {} ({names}) VALUES ({marks})", quoted(table));
            let mut query = sqlx::query(&sql);
            for column in &present {
                let value = &object[&column.name];
                query = match (column.kind, value) {
                    (ColumnKind::Integer, Value::Null) => query.bind(None::<i64>),
                    (ColumnKind::Integer, Value::Number(n)) => {
                        query.bind(n.as_i64().ok_or_else(|| {
                            StoreError::Corrupt(format!(
                                "{table}.{}: not a whole number",
                                column.name
                            ))
                        })?)
                    }
                    (ColumnKind::Text, Value::Null) => query.bind(None::<String>),
                    (ColumnKind::Text, Value::String(s)) => query.bind(s.clone()),
                    _ => {
                        return Err(StoreError::Corrupt(format!(
                            "{table}.{}: a value of the wrong type",
                            column.name
                        )));
                    }
                };
            }
            query.execute(&mut *conn).await?;
        }
        Ok(())
    }

    /// After rows were written with their ids: new rows must get ids after
    /// them (PostgreSQL's identity counters), and SQLite's search index
    /// must know the stories.
    /// Archives made before membership rows carried their story's status,
    /// language and time restore them with defaults: set them from the
    /// stories, in the restore's own transaction (a no-op for newer ones).
    pub async fn refresh_membership_lists(
        &self,
        conn: &mut sqlx::AnyConnection,
    ) -> StoreResult<()> {
        for table in ["article_tags", "article_authors"] {
            sqlx::query(&format!(
                "UPDATE {table} SET \
                 status = (SELECT a.status FROM articles a WHERE a.id = {table}.article_id), \
                 language = (SELECT a.language FROM articles a WHERE a.id = {table}.article_id), \
                 published_at = (SELECT a.published_at FROM articles a WHERE a.id = {table}.article_id)"
            ))
            .execute(&mut *conn)
            .await?;
        }
        Ok(())
    }

    pub async fn after_restore(&self, tables: &[&str]) -> StoreResult<()> {
        match self.backend() {
            Backend::Postgres => {
                for table in tables {
                    let identity: Option<(String,)> = sqlx::query_as(
                        "SELECT column_name::text FROM information_schema.columns \
                         WHERE table_schema = current_schema() AND table_name = $1 \
                         AND is_identity = 'YES'",
                    )
                    .bind(*table)
                    .fetch_optional(&self.pool)
                    .await?;
                    if let Some((column,)) = identity {
                        sqlx::query(&format!(
                            "SELECT setval(pg_get_serial_sequence('{table}', '{column}'), \
                             COALESCE((SELECT MAX({column}) FROM {table}), 0) + 1, false)"
                        ))
                        .execute(&self.pool)
                        .await?;
                    }
                }
            }
            Backend::Sqlite => {
                // The database was empty before the restore, and so was the index.
                sqlx::query(
                    "INSERT INTO article_search (rowid, headline, standfirst, body) \
                     SELECT id, headline, standfirst, body FROM articles",
                )
                .execute(&self.pool)
                .await?;
            }
        }
        Ok(())
    }

    /// Whether the database holds no newsroom yet (no staff, no stories).
    pub async fn is_empty_newsroom(&self) -> StoreResult<bool> {
        let (staff,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM staff")
            .fetch_one(&self.pool)
            .await?;
        let (articles,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM articles")
            .fetch_one(&self.pool)
            .await?;
        Ok(staff == 0 && articles == 0)
    }
}

/// Whether [`Store::for_each_row`] gives a table's rows in the same order on
/// both databases (by an integer key); if not, sort them before comparing.
pub fn sorted_by_key(columns: &[Column]) -> bool {
    columns
        .first()
        .is_some_and(|c| c.kind == ColumnKind::Integer)
}

/// Table and column names come from our own list and the catalogue, never
/// from a file; quoting keeps reserved words (`key`, `position`) safe.
fn quoted(name: &str) -> String {
    format!("\"{}\"", name.replace('"', ""))
}
