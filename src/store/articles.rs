//! Articles with their authors, tags, sources, corrections and revisions.

use sqlx::any::AnyArguments;
use sqlx::query::QueryAs;
use sqlx::{Any, AnyConnection, FromRow};

use super::models::*;
use super::outbox::{OutboxAction, record_outbox_event};
use super::revision_snapshot::RevisionSnapshot;
use super::{Backend, Store, StoreError, StoreResult};

/// Revisions are compressed: a story's text is most of a revision, and text
/// shrinks to a third. `z1:` marks a deflated, base64 snapshot; older plain
/// JSON rows read as they are.
fn pack_snapshot(json: &str) -> String {
    use base64::Engine;
    use std::io::Write;
    let mut encoder = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::best());
    let packed = encoder
        .write_all(json.as_bytes())
        .and_then(|()| encoder.finish())
        .map(|bytes| {
            format!(
                "z1:{}",
                base64::engine::general_purpose::STANDARD_NO_PAD.encode(bytes)
            )
        });
    match packed {
        Ok(packed) if packed.len() < json.len() => packed,
        _ => json.to_owned(),
    }
}

/// The JSON of a stored snapshot, packed or not.
pub fn unpack_snapshot(stored: &str) -> String {
    use base64::Engine;
    use std::io::Read;
    let Some(packed) = stored.strip_prefix("z1:") else {
        return stored.to_owned();
    };
    let mut json = String::new();
    let unpacked = base64::engine::general_purpose::STANDARD_NO_PAD
        .decode(packed)
        .ok()
        .and_then(|bytes| {
            flate2::read::ZlibDecoder::new(bytes.as_slice())
                .read_to_string(&mut json)
                .ok()
        });
    if unpacked.is_some() {
        json
    } else {
        String::new()
    }
}

/// A story the archive generator writes (`newsdesk demo generate`).
pub struct GeneratedArticle {
    pub translation_group: String,
    pub language: String,
    pub slug: String,
    pub headline: String,
    pub standfirst: String,
    pub body: String,
    pub section_id: SectionId,
    pub author_id: StaffId,
    pub tag_ids: Vec<TagId>,
    pub published_at: i64,
}

/// The columns an [`ArticleWrite`] fills, in the order [`bind_write`] binds
/// them: one list for both the INSERT and the UPDATE.
const WRITE_COLUMNS: [&str; 17] = [
    "translation_group",
    "language",
    "slug",
    "headline",
    "standfirst",
    "body",
    "cover_url",
    "cover_alt",
    "cover_credit",
    "section_id",
    "status",
    "meta_title",
    "meta_description",
    "published_at",
    "content_updated_at",
    "scheduled_at",
    "social_image_url",
];

/// Binds an article's [`WRITE_COLUMNS`], in order, after what `query` has.
fn bind_write<'q, O>(
    query: QueryAs<'q, Any, O, AnyArguments<'q>>,
    write: &'q ArticleWrite,
    content_updated_at: Option<i64>,
) -> QueryAs<'q, Any, O, AnyArguments<'q>> {
    query
        .bind(&write.translation_group)
        .bind(&write.language)
        .bind(&write.slug)
        .bind(&write.headline)
        .bind(&write.standfirst)
        .bind(&write.body)
        .bind(&write.cover_url)
        .bind(&write.cover_alt)
        .bind(&write.cover_credit)
        .bind(write.section_id.map(|s| s.0))
        .bind(write.status)
        .bind(&write.meta_title)
        .bind(&write.meta_description)
        .bind(write.published_at)
        .bind(content_updated_at)
        .bind(write.scheduled_at)
        .bind(&write.social_image_url)
}

/// The stored state an update starts from.
#[derive(FromRow)]
struct Before {
    language: String,
    slug: String,
    status: ArticleStatus,
    headline: String,
    standfirst: String,
    body: String,
    cover_url: Option<String>,
    published_at: Option<i64>,
}

/// What one save changes, decided in one place for every write path (the
/// editor, the API, publishing, scheduling, restoring a revision): whether
/// readers see new text ("Updated" on the page) and whether the channels
/// must hear of it (publish, edit or take down their posts).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ContentChange {
    /// Headline, standfirst, body, sources or cover differ.
    pub text: bool,
    /// The story's address (slug) differs.
    pub address: bool,
    /// The story was on the site before this save.
    pub was_published: bool,
    /// The story was on the site at some time before (it keeps its date).
    pub published_before: bool,
}

impl ContentChange {
    fn between(before: &Before, before_sources: &[Source], after: &ArticleWrite) -> Self {
        ContentChange {
            text: before.headline != after.headline
                || before.standfirst != after.standfirst
                || before.body != after.body
                || before.cover_url != after.cover_url
                || before_sources != after.sources.as_slice(),
            address: before.slug != after.slug,
            was_published: before.status == ArticleStatus::Published,
            published_before: before.published_at.is_some(),
        }
    }

    /// "Updated" moves when readers of a published story get new text, and
    /// when a story comes back after being taken down.
    fn content_updated_at(self, after: &ArticleWrite, now: i64) -> Option<i64> {
        let is_published = after.status == ArticleStatus::Published;
        let returns = is_published && !self.was_published && self.published_before;
        if is_published && self.was_published && self.text || returns && !after.as_history {
            Some(now)
        } else {
            after.content_updated_at
        }
    }

    /// What the channels must do. A backfill is history and goes nowhere;
    /// an edit goes out when the text or the link in their posts changed.
    fn outbox_action(self, after: &ArticleWrite) -> Option<OutboxAction> {
        match (self.was_published, after.status == ArticleStatus::Published) {
            (false, true) if after.as_history => None,
            (false, true) => Some(OutboxAction::Publish),
            (true, false) => Some(OutboxAction::Unpublish),
            (true, true) if self.text || self.address => Some(OutboxAction::Update),
            _ => None,
        }
    }
}

/// The full editable state of an article. Services build it; the store
/// writes it whole, with its lists, in one transaction.
/// Revisions keep it as a [`RevisionSnapshot`], not as this struct.
#[derive(Clone, Debug)]
pub struct ArticleWrite {
    pub translation_group: String,
    pub language: String,
    pub slug: String,
    pub headline: String,
    pub standfirst: String,
    pub body: String,
    pub cover_url: Option<String>,
    pub cover_alt: String,
    pub cover_credit: String,
    pub section_id: Option<SectionId>,
    pub status: ArticleStatus,
    pub meta_title: String,
    pub meta_description: String,
    pub social_image_url: Option<String>,
    pub published_at: Option<i64>,
    pub content_updated_at: Option<i64>,
    pub scheduled_at: Option<i64>,
    pub author_ids: Vec<StaffId>,
    pub tag_ids: Vec<TagId>,
    pub sources: Vec<Source>,
    /// A first publication with a date in the past (a backfill): the story
    /// joins the site and its archive but is not news, so no channel,
    /// newsletter or webhook hears of it. Never saved in revisions.
    pub as_history: bool,
}

/// Which articles a list shows. `status: None` means any status.
#[derive(Clone, Debug, Default)]
pub struct ArticleFilter {
    pub status: Option<ArticleStatus>,
    pub language: Option<String>,
    pub section_id: Option<SectionId>,
    pub tag_id: Option<TagId>,
    pub author_id: Option<StaffId>,
    /// Published at or after this time.
    pub published_from: Option<i64>,
    /// Published before this time.
    pub published_until: Option<i64>,
    /// Case-insensitive substring of the headline.
    pub headline_contains: Option<String>,
    /// Keyset paging: only articles after this one in list order (newest
    /// first): `(COALESCE(published_at, updated_at), id)` of the last row seen.
    pub after: Option<(i64, i64)>,
}

/// Where a list left off, as it travels in a `?after=` parameter: `TIME-ID`.
pub fn list_cursor(card: &ArticleCard) -> String {
    format!(
        "{}-{}",
        card.published_at.unwrap_or(card.updated_at),
        card.id.0
    )
}

pub fn parse_list_cursor(text: &str) -> Option<(i64, i64)> {
    let (time, id) = text.split_once('-')?;
    Some((time.parse().ok()?, id.parse().ok()?))
}

enum Bind {
    Int(i64),
    Text(String),
}

/// Dynamic SQL with `$n` placeholders, which both backends accept.
#[derive(Default)]
struct Conditions {
    clauses: Vec<String>,
    binds: Vec<Bind>,
}

impl Conditions {
    fn push(&mut self, clause_with_placeholder: &str, bind: Bind) {
        self.binds.push(bind);
        let n = self.binds.len();
        self.clauses
            .push(clause_with_placeholder.replace("$?", &format!("${n}")));
    }

    fn next_placeholder(&mut self, bind: Bind) -> String {
        self.binds.push(bind);
        format!("${}", self.binds.len())
    }

    fn where_sql(&self) -> String {
        if self.clauses.is_empty() {
            String::new()
        } else {
            format!("WHERE {}", self.clauses.join(" AND "))
        }
    }

    fn bind_all<'q, T>(
        self,
        mut query: QueryAs<'q, Any, T, AnyArguments<'q>>,
    ) -> QueryAs<'q, Any, T, AnyArguments<'q>> {
        for bind in self.binds {
            query = match bind {
                Bind::Int(v) => query.bind(v),
                Bind::Text(v) => query.bind(v),
            };
        }
        query
    }
}

const CARD_COLUMNS: &str = "a.id, a.language, a.slug, a.headline, a.standfirst, a.cover_url, \
     a.cover_alt, a.section_id, a.status, a.version, a.published_at, a.content_updated_at, a.updated_at";

/// Where a list reads its rows: the articles themselves, or, for one tag's
/// or one author's published stories in a language, their membership rows,
/// whose index holds them newest first (see the membership_lists migration).
struct ListSource {
    from: &'static str,
    /// The publication time and the id the list is ordered by.
    time: &'static str,
    id: &'static str,
    /// The membership row's own status and language columns, when reading one.
    member: Option<&'static str>,
}

impl ArticleFilter {
    fn source(&self) -> ListSource {
        let published = self.status == Some(ArticleStatus::Published);
        let member = match (self.tag_id, self.author_id) {
            _ if !published || self.language.is_none() => None,
            (Some(_), _) => Some("article_tags"),
            (None, Some(_)) => Some("article_authors"),
            (None, None) => None,
        };
        match member {
            Some("article_tags") => ListSource {
                from: "article_tags m JOIN articles a ON a.id = m.article_id",
                time: "m.published_at",
                id: "m.article_id",
                member: Some("article_tags"),
            },
            Some(_) => ListSource {
                from: "article_authors m JOIN articles a ON a.id = m.article_id",
                time: "m.published_at",
                id: "m.article_id",
                member: Some("article_authors"),
            },
            // Published stories always have a publication time, so their
            // lists sort by the indexed column itself and read the newest
            // rows straight from the index; lists that include drafts fall
            // back to the last save.
            None if published => ListSource {
                from: "articles a",
                time: "a.published_at",
                id: "a.id",
                member: None,
            },
            None => ListSource {
                from: "articles a",
                time: "COALESCE(a.published_at, a.updated_at)",
                id: "a.id",
                member: None,
            },
        }
    }

    /// The list query of [`Store::article_cards`], with its binds.
    fn cards_sql(&self, limit: i64, offset: i64) -> (String, Conditions) {
        let source = self.source();
        let mut conditions = self.conditions();
        let limit_ph = conditions.next_placeholder(Bind::Int(limit));
        let offset_ph = conditions.next_placeholder(Bind::Int(offset));
        let sql = format!(
            "SELECT {CARD_COLUMNS} FROM {from} {} \
             ORDER BY {time} DESC, {id} DESC LIMIT {limit_ph} OFFSET {offset_ph}",
            conditions.where_sql(),
            from = source.from,
            time = source.time,
            id = source.id,
        );
        (sql, conditions)
    }

    fn conditions(&self) -> Conditions {
        let source = self.source();
        let mut c = Conditions::default();
        // Reading a membership index, its own columns filter.
        let row = if source.member.is_some() { "m" } else { "a" };
        if let Some(status) = self.status {
            c.push(
                &format!("{row}.status = $?"),
                Bind::Text(status.as_str().into()),
            );
        }
        if let Some(language) = &self.language {
            c.push(
                &format!("{row}.language = $?"),
                Bind::Text(language.clone()),
            );
        }
        if let Some(section) = self.section_id {
            c.push("a.section_id = $?", Bind::Int(section.0));
        }
        if let Some(tag) = self.tag_id {
            if source.member == Some("article_tags") {
                c.push("m.tag_id = $?", Bind::Int(tag.0));
            } else {
                c.push(
                    "a.id IN (SELECT article_id FROM article_tags WHERE tag_id = $?)",
                    Bind::Int(tag.0),
                );
            }
        }
        if let Some(author) = self.author_id {
            if source.member == Some("article_authors") {
                c.push("m.staff_id = $?", Bind::Int(author.0));
            } else {
                c.push(
                    "a.id IN (SELECT article_id FROM article_authors WHERE staff_id = $?)",
                    Bind::Int(author.0),
                );
            }
        }
        if let Some(from) = self.published_from {
            c.push(&format!("{row}.published_at >= $?"), Bind::Int(from));
        }
        if let Some(until) = self.published_until {
            c.push(&format!("{row}.published_at < $?"), Bind::Int(until));
        }
        if let Some((time, id)) = self.after {
            let t1 = c.next_placeholder(Bind::Int(time));
            let t2 = c.next_placeholder(Bind::Int(time));
            let i = c.next_placeholder(Bind::Int(id));
            let (key, id_column) = (source.time, source.id);
            c.clauses.push(format!(
                "({key} < {t1} OR ({key} = {t2} AND {id_column} < {i}))"
            ));
        }
        if let Some(text) = &self.headline_contains {
            let pattern = format!(
                "%{}%",
                text.to_lowercase()
                    .replace('\\', "\\\\")
                    .replace('%', "\\%")
                    .replace('_', "\\_")
            );
            c.push("LOWER(a.headline) LIKE $? ESCAPE '\\'", Bind::Text(pattern));
        }
        c
    }
}

/// How many of the newest matches a search ranks: enough for a hundred
/// pages of results, and a bound on what any query costs.
pub const SEARCH_WINDOW: i64 = 2_000;

const SECONDS_PER_YEAR: i64 = 31_557_600;

impl Store {
    /// Inserts an article; a published one is queued for distribution in
    /// the same transaction.
    pub async fn insert_article(
        &self,
        write: &ArticleWrite,
        saved_by: &str,
        now: i64,
    ) -> StoreResult<ArticleId> {
        self.insert_article_with(write, saved_by, now, true).await
    }

    /// Inserts an article that is history, not news (demo seeding, imports):
    /// it is never sent to channels or subscribers.
    pub async fn insert_history_article(
        &self,
        write: &ArticleWrite,
        saved_by: &str,
        now: i64,
    ) -> StoreResult<ArticleId> {
        self.insert_article_with(write, saved_by, now, false).await
    }

    async fn insert_article_with(
        &self,
        write: &ArticleWrite,
        saved_by: &str,
        now: i64,
        distribute: bool,
    ) -> StoreResult<ArticleId> {
        let mut tx = self.pool.begin().await?;
        let id = self
            .insert_article_in(&mut tx, write, saved_by, now)
            .await?;
        if distribute && write.status == ArticleStatus::Published {
            record_outbox_event(&mut tx, id, OutboxAction::Publish, now).await?;
        }
        tx.commit().await?;
        Ok(id)
    }

    /// Inserts an article with its lists inside the caller's transaction.
    pub(super) async fn insert_article_in(
        &self,
        conn: &mut AnyConnection,
        write: &ArticleWrite,
        saved_by: &str,
        now: i64,
    ) -> StoreResult<ArticleId> {
        let columns = WRITE_COLUMNS.join(", ");
        let values = (1..=WRITE_COLUMNS.len())
            .map(|n| format!("${n}"))
            .collect::<Vec<_>>()
            .join(", ");
        let now_at = WRITE_COLUMNS.len() + 1;
        let sql = format!(
            "INSERT INTO articles ({columns}, version, created_at, updated_at) \
             VALUES ({values}, 1, ${now_at}, ${now_at}) RETURNING id"
        );
        let (id,): (ArticleId,) = bind_write(sqlx::query_as(&sql), write, write.content_updated_at)
            .bind(now)
            .fetch_one(&mut *conn)
            .await?;
        self.write_article_lists(conn, id, write, 1, saved_by, now)
            .await?;
        Ok(id)
    }

    /// Replaces an article's state. With `expected_version`, the write is
    /// refused with [`StoreError::StaleVersion`] if someone saved in between.
    pub async fn update_article(
        &self,
        id: ArticleId,
        expected_version: Option<i64>,
        write: &ArticleWrite,
        saved_by: &str,
        now: i64,
    ) -> StoreResult<i64> {
        let mut tx = self.pool.begin().await?;
        // Write first: it takes the row lock on PostgreSQL and the write lock on
        // SQLite, where a transaction that reads first cannot upgrade once
        // another writer has committed.
        sqlx::query("UPDATE articles SET version = version WHERE id = $1")
            .bind(id.0)
            .execute(&mut *tx)
            .await?;
        let before: Option<Before> = sqlx::query_as(
            "SELECT language, slug, status, headline, standfirst, body, cover_url, published_at \
             FROM articles WHERE id = $1",
        )
        .bind(id.0)
        .fetch_optional(&mut *tx)
        .await?;
        let before_sources: Vec<Source> = sqlx::query_as(
            "SELECT outlet, url, citation FROM article_sources WHERE article_id = $1 ORDER BY position",
        )
        .bind(id.0)
        .fetch_all(&mut *tx)
        .await?;
        let change = before
            .as_ref()
            .map(|b| ContentChange::between(b, &before_sources, write))
            .unwrap_or_default();
        let content_updated_at = change.content_updated_at(write, now);
        // $1 is the id, the written columns follow, then the time and the
        // expected version.
        let assignments = WRITE_COLUMNS
            .iter()
            .enumerate()
            .map(|(n, column)| format!("{column} = ${}", n + 2))
            .collect::<Vec<_>>()
            .join(", ");
        let now_at = WRITE_COLUMNS.len() + 2;
        let version_check = if expected_version.is_some() {
            format!(" AND version = ${}", now_at + 1)
        } else {
            String::new()
        };
        let sql = format!(
            "UPDATE articles SET {assignments}, updated_at = ${now_at}, version = version + 1 \
             WHERE id = $1{version_check} RETURNING version"
        );
        let mut query = bind_write(
            sqlx::query_as::<_, (i64,)>(&sql).bind(id.0),
            write,
            content_updated_at,
        )
        .bind(now);
        if let Some(expected) = expected_version {
            query = query.bind(expected);
        }
        let Some((version,)) = query.fetch_optional(&mut *tx).await? else {
            let exists: Option<(i64,)> = sqlx::query_as("SELECT id FROM articles WHERE id = $1")
                .bind(id.0)
                .fetch_optional(&mut *tx)
                .await?;
            return Err(if exists.is_some() {
                StoreError::StaleVersion
            } else {
                StoreError::NotFound
            });
        };
        if let Some(action) = change.outbox_action(write) {
            record_outbox_event(&mut tx, id, action, now).await?;
        }
        // A published story's old address keeps working.
        if let Some(Before {
            language,
            slug: old_slug,
            status: ArticleStatus::Published,
            ..
        }) = before
            && old_slug != write.slug
        {
            sqlx::query(
                "INSERT INTO slug_redirects (language, old_slug, article_id, created_at) VALUES ($1, $2, $3, $4) \
                 ON CONFLICT (language, old_slug) DO UPDATE SET article_id = excluded.article_id",
            )
            .bind(language)
            .bind(old_slug)
            .bind(id.0)
            .bind(now)
            .execute(&mut *tx)
            .await?;
        }
        for table in ["article_authors", "article_tags", "article_sources"] {
            sqlx::query(&format!("DELETE FROM {table} WHERE article_id = $1"))
                .bind(id.0)
                .execute(&mut *tx)
                .await?;
        }
        self.write_article_lists(&mut tx, id, write, version, saved_by, now)
            .await?;
        tx.commit().await?;
        Ok(version)
    }

    async fn write_article_lists(
        &self,
        conn: &mut AnyConnection,
        id: ArticleId,
        write: &ArticleWrite,
        version: i64,
        saved_by: &str,
        now: i64,
    ) -> StoreResult<()> {
        // Membership rows carry what byline and tag pages sort and filter
        // by (see the membership_lists migration).
        for (table, member, ids) in [
            (
                "article_authors",
                "staff_id",
                write.author_ids.iter().map(|a| a.0).collect::<Vec<_>>(),
            ),
            (
                "article_tags",
                "tag_id",
                write.tag_ids.iter().map(|t| t.0).collect(),
            ),
        ] {
            for (position, member_id) in ids.into_iter().enumerate() {
                sqlx::query(&format!(
                    "INSERT INTO {table} (article_id, {member}, position, status, language, published_at) \
                     VALUES ($1, $2, $3, $4, $5, $6)"
                ))
                .bind(id.0)
                .bind(member_id)
                .bind(position as i64)
                .bind(write.status)
                .bind(&write.language)
                .bind(write.published_at)
                .execute(&mut *conn)
                .await?;
            }
        }
        for (position, source) in write.sources.iter().enumerate() {
            sqlx::query(
                "INSERT INTO article_sources (article_id, position, outlet, url, citation) \
                 VALUES ($1, $2, $3, $4, $5)",
            )
            .bind(id.0)
            .bind(position as i64)
            .bind(&source.outlet)
            .bind(&source.url)
            .bind(&source.citation)
            .execute(&mut *conn)
            .await?;
        }
        // A revision only when the text changed: publishing, scheduling or
        // unpublishing an unchanged story adds a version, not another copy.
        let previous: Option<(String,)> = sqlx::query_as(
            "SELECT snapshot FROM article_revisions WHERE article_id = $1 ORDER BY version DESC LIMIT 1",
        )
        .bind(id.0)
        .fetch_optional(&mut *conn)
        .await?;
        let current = RevisionSnapshot::of(write);
        let unchanged = previous
            .and_then(|(text,)| RevisionSnapshot::parse(&unpack_snapshot(&text)).ok())
            .is_some_and(|before| before.same_text(&current));
        if !unchanged {
            let snapshot = pack_snapshot(&current.to_json()?);
            sqlx::query(
                "INSERT INTO article_revisions (article_id, version, saved_by, snapshot, created_at) \
                 VALUES ($1, $2, $3, $4, $5)",
            )
            .bind(id.0)
            .bind(version)
            .bind(saved_by)
            .bind(snapshot)
            .bind(now)
            .execute(&mut *conn)
            .await?;
        }
        if self.backend == Backend::Sqlite {
            sqlx::query("DELETE FROM article_search WHERE rowid = $1")
                .bind(id.0)
                .execute(&mut *conn)
                .await?;
            sqlx::query(
                "INSERT INTO article_search (rowid, headline, standfirst, body) VALUES ($1, $2, $3, $4)",
            )
            .bind(id.0)
            .bind(&write.headline)
            .bind(&write.standfirst)
            .bind(&write.body)
            .execute(&mut *conn)
            .await?;
        }
        record_change(conn, id, now).await
    }

    /// Appends to the public corrections and updates log; the story counts as updated.
    pub async fn add_correction(
        &self,
        id: ArticleId,
        kind: &str,
        body: &str,
        now: i64,
    ) -> StoreResult<Correction> {
        let mut tx = self.pool.begin().await?;
        let updated = sqlx::query(
            "UPDATE articles SET content_updated_at = $2, updated_at = $2 WHERE id = $1",
        )
        .bind(id.0)
        .bind(now)
        .execute(&mut *tx)
        .await?;
        if updated.rows_affected() == 0 {
            return Err(StoreError::NotFound);
        }
        let correction: Correction = sqlx::query_as(
            "INSERT INTO article_corrections (article_id, kind, body, created_at) \
             VALUES ($1, $2, $3, $4) RETURNING id, kind, body, created_at",
        )
        .bind(id.0)
        .bind(kind)
        .bind(body)
        .bind(now)
        .fetch_one(&mut *tx)
        .await?;
        record_change(&mut tx, id, now).await?;
        tx.commit().await?;
        Ok(correction)
    }

    /// The newest publication time in `[from, until)`, if any story was
    /// published then: one seek in `(status, published_at)`, whatever the archive.
    pub async fn newest_published_between(
        &self,
        from: i64,
        until: i64,
    ) -> StoreResult<Option<i64>> {
        let row: Option<(i64,)> = sqlx::query_as(
            "SELECT published_at FROM articles WHERE status = 'published' \
             AND published_at >= $1 AND published_at < $2 ORDER BY published_at DESC LIMIT 1",
        )
        .bind(from)
        .bind(until)
        .fetch_optional(&self.pool)
        .await?;
        Ok(row.map(|(at,)| at))
    }

    /// The first publication time of the archive (one seek).
    pub async fn oldest_published(&self) -> StoreResult<Option<i64>> {
        let row: Option<(i64,)> = sqlx::query_as(
            "SELECT published_at FROM articles WHERE status = 'published' \
             AND published_at IS NOT NULL ORDER BY published_at LIMIT 1",
        )
        .fetch_optional(&self.pool)
        .await?;
        Ok(row.map(|(at,)| at))
    }

    /// Published stories of `[from, until)` for a sitemap: language, slug,
    /// publication and last change; nothing else is read.
    pub async fn sitemap_entries(
        &self,
        from: i64,
        until: i64,
        limit: i64,
    ) -> StoreResult<Vec<(String, String, i64, i64)>> {
        Ok(sqlx::query_as(
            "SELECT language, slug, published_at, COALESCE(content_updated_at, published_at) FROM articles \
             WHERE status = 'published' AND published_at >= $1 AND published_at < $2 \
             ORDER BY published_at DESC, id DESC LIMIT $3",
        )
        .bind(from)
        .bind(until)
        .bind(limit)
        .fetch_all(&self.pool)
        .await?)
    }

    /// Writes generated published stories in one transaction: history, not
    /// news (no outbox events), with bylines, tags and the search index.
    pub async fn insert_generated(&self, articles: &[GeneratedArticle]) -> StoreResult<usize> {
        let mut tx = self.pool.begin().await?;
        for a in articles {
            let (id,): (i64,) = sqlx::query_as(
                "INSERT INTO articles (translation_group, language, slug, headline, standfirst, body, section_id, \
                 status, created_at, updated_at, published_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, 'published', $8, $8, $8) RETURNING id",
            )
            .bind(&a.translation_group)
            .bind(&a.language)
            .bind(&a.slug)
            .bind(&a.headline)
            .bind(&a.standfirst)
            .bind(&a.body)
            .bind(a.section_id.0)
            .bind(a.published_at)
            .fetch_one(&mut *tx)
            .await?;
            sqlx::query(
                "INSERT INTO article_authors (article_id, staff_id, position, status, language, published_at) \
                 VALUES ($1, $2, 0, 'published', $3, $4)",
            )
            .bind(id)
            .bind(a.author_id.0)
            .bind(&a.language)
            .bind(a.published_at)
            .execute(&mut *tx)
            .await?;
            let mut tags = a.tag_ids.clone();
            tags.sort_unstable();
            tags.dedup();
            for (position, tag) in tags.iter().enumerate() {
                sqlx::query(
                    "INSERT INTO article_tags (article_id, tag_id, position, status, language, published_at) \
                     VALUES ($1, $2, $3, 'published', $4, $5)",
                )
                .bind(id)
                .bind(tag.0)
                .bind(position as i64)
                .bind(&a.language)
                .bind(a.published_at)
                .execute(&mut *tx)
                .await?;
            }
            if self.backend == Backend::Sqlite {
                sqlx::query(
                    "INSERT INTO article_search (rowid, headline, standfirst, body) VALUES ($1, $2, $3, $4)",
                )
                .bind(id)
                .bind(&a.headline)
                .bind(&a.standfirst)
                .bind(&a.body)
                .execute(&mut *tx)
                .await?;
            }
        }
        tx.commit().await?;
        Ok(articles.len())
    }

    /// The Markdown bodies of these articles (a feed's full text), by id.
    pub async fn article_bodies(
        &self,
        ids: &[ArticleId],
    ) -> StoreResult<std::collections::HashMap<ArticleId, String>> {
        self.article_texts(ids, "body").await
    }

    /// The headlines of these articles, by id, in one query.
    pub async fn article_headlines(
        &self,
        ids: &[ArticleId],
    ) -> StoreResult<std::collections::HashMap<ArticleId, String>> {
        self.article_texts(ids, "headline").await
    }

    /// One text column of these articles; `column` is one of ours, never input.
    async fn article_texts(
        &self,
        ids: &[ArticleId],
        column: &'static str,
    ) -> StoreResult<std::collections::HashMap<ArticleId, String>> {
        if ids.is_empty() {
            return Ok(Default::default());
        }
        let list = id_list(ids);
        let rows: Vec<(ArticleId, String)> = sqlx::query_as(&format!(
            "SELECT id, {column} FROM articles WHERE id IN ({list})"
        ))
        .fetch_all(&self.pool)
        .await?;
        Ok(rows.into_iter().collect())
    }

    pub async fn article_row(&self, id: ArticleId) -> StoreResult<ArticleRow> {
        Ok(sqlx::query_as(&format!("{ARTICLE_SELECT} WHERE id = $1"))
            .bind(id.0)
            .fetch_one(&self.pool)
            .await?)
    }

    pub async fn article(&self, id: ArticleId) -> StoreResult<ArticleView> {
        let row = self.article_row(id).await?;
        self.view(row).await
    }

    /// A published article by its language and slug.
    pub async fn published_article(
        &self,
        language: &str,
        slug: &str,
    ) -> StoreResult<Option<ArticleView>> {
        let row: Option<ArticleRow> = sqlx::query_as(&format!(
            "{ARTICLE_SELECT} WHERE language = $1 AND slug = $2 AND status = 'published'"
        ))
        .bind(language)
        .bind(slug)
        .fetch_optional(&self.pool)
        .await?;
        match row {
            Some(row) => Ok(Some(self.view(row).await?)),
            None => Ok(None),
        }
    }

    pub async fn article_by_slug(&self, language: &str, slug: &str) -> StoreResult<ArticleRow> {
        Ok(sqlx::query_as(&format!(
            "{ARTICLE_SELECT} WHERE language = $1 AND slug = $2"
        ))
        .bind(language)
        .bind(slug)
        .fetch_one(&self.pool)
        .await?)
    }

    async fn view(&self, article: ArticleRow) -> StoreResult<ArticleView> {
        let id = article.id.0;
        let section = match article.section_id {
            Some(section) => Some(self.section(section).await?),
            None => None,
        };
        let authors = sqlx::query_as(
            "SELECT s.id, s.name, s.slug FROM article_authors aa JOIN staff s ON s.id = aa.staff_id \
             WHERE aa.article_id = $1 ORDER BY aa.position",
        )
        .bind(id)
        .fetch_all(&self.pool)
        .await?;
        let tags = sqlx::query_as(
            "SELECT t.id, t.slug, COALESCE(n.name, t.name) AS name FROM article_tags at \
             JOIN tags t ON t.id = at.tag_id \
             LEFT JOIN tag_names n ON n.tag_id = t.id AND n.language = at.language \
             WHERE at.article_id = $1 ORDER BY at.position",
        )
        .bind(id)
        .fetch_all(&self.pool)
        .await?;
        let sources = sqlx::query_as(
            "SELECT outlet, url, citation FROM article_sources WHERE article_id = $1 ORDER BY position",
        )
        .bind(id)
        .fetch_all(&self.pool)
        .await?;
        let corrections = sqlx::query_as(
            "SELECT id, kind, body, created_at FROM article_corrections WHERE article_id = $1 \
             ORDER BY created_at, id",
        )
        .bind(id)
        .fetch_all(&self.pool)
        .await?;
        let translations = sqlx::query_as(
            "SELECT id, language, slug, headline, status, published_at FROM articles \
             WHERE translation_group = $1 AND id <> $2 ORDER BY language",
        )
        .bind(&article.translation_group)
        .bind(id)
        .fetch_all(&self.pool)
        .await?;
        Ok(ArticleView {
            article,
            section,
            authors,
            tags,
            sources,
            corrections,
            translations,
        })
    }

    /// Stories for a list page, newest first, with their bylines.
    pub async fn article_cards(
        &self,
        filter: &ArticleFilter,
        limit: i64,
        offset: i64,
    ) -> StoreResult<Vec<ArticleCard>> {
        let (sql, conditions) = filter.cards_sql(limit, offset);
        let cards = conditions
            .bind_all(sqlx::query_as::<_, ArticleCard>(&sql))
            .fetch_all(&self.pool)
            .await?;
        self.with_authors(cards).await
    }

    /// The database's plan for a statement without parameters, one line
    /// per step, with scans and sorts discouraged as in
    /// [`Self::explain_article_cards`].
    pub async fn explain(&self, select: &str, binds: &[&str]) -> StoreResult<Vec<String>> {
        let mut tx = self.pool.begin().await?;
        if self.backend == Backend::Postgres {
            for setting in ["enable_seqscan", "enable_sort", "enable_incremental_sort"] {
                sqlx::query(&format!("SET LOCAL {setting} = off"))
                    .execute(&mut *tx)
                    .await?;
            }
        }
        let sql = match self.backend {
            Backend::Sqlite => format!("EXPLAIN QUERY PLAN {select}"),
            Backend::Postgres => format!("EXPLAIN {select}"),
        };
        let mut query = sqlx::query(&sql);
        for bind in binds {
            query = query.bind(*bind);
        }
        let rows = query.fetch_all(&mut *tx).await?;
        // SQLite's plan is (id, parent, unused, detail); PostgreSQL's one text column.
        let column = match self.backend {
            Backend::Sqlite => 3,
            Backend::Postgres => 0,
        };
        Ok(rows
            .iter()
            .filter_map(|row| sqlx::Row::try_get::<String, _>(row, column).ok())
            .collect())
    }

    /// The database's plan for [`Self::article_cards`], one line per step,
    /// so tests can prove a list never scans or sorts the archive.
    /// PostgreSQL is told to avoid scans and sorts where it can, so that a
    /// plan with one means no index serves the list (the tests' tables are
    /// too small for the planner to want an index otherwise).
    pub async fn explain_article_cards(
        &self,
        filter: &ArticleFilter,
        limit: i64,
    ) -> StoreResult<Vec<String>> {
        let (select, conditions) = filter.cards_sql(limit, 0);
        let mut tx = self.pool.begin().await?;
        let sql = match self.backend {
            Backend::Sqlite => format!("EXPLAIN QUERY PLAN {select}"),
            Backend::Postgres => {
                for setting in ["enable_seqscan", "enable_sort", "enable_incremental_sort"] {
                    sqlx::query(&format!("SET LOCAL {setting} = off"))
                        .execute(&mut *tx)
                        .await?;
                }
                format!("EXPLAIN {select}")
            }
        };
        let lines = match self.backend {
            Backend::Sqlite => conditions
                .bind_all(sqlx::query_as::<_, (i64, i64, i64, String)>(&sql))
                .fetch_all(&mut *tx)
                .await?
                .into_iter()
                .map(|(_, _, _, detail)| detail)
                .collect(),
            Backend::Postgres => conditions
                .bind_all(sqlx::query_as::<_, (String,)>(&sql))
                .fetch_all(&mut *tx)
                .await?
                .into_iter()
                .map(|(line,)| line)
                .collect(),
        };
        tx.rollback().await?;
        Ok(lines)
    }

    pub async fn count_articles(&self, filter: &ArticleFilter) -> StoreResult<i64> {
        let conditions = filter.conditions();
        let sql = format!(
            "SELECT COUNT(*) FROM {} {}",
            filter.source().from,
            conditions.where_sql()
        );
        let (count,) = conditions
            .bind_all(sqlx::query_as::<_, (i64,)>(&sql))
            .fetch_one(&self.pool)
            .await?;
        Ok(count)
    }

    /// Full-text search over headline, standfirst and body of published
    /// stories: each term matches as a word beginning; relevance (headline
    /// over standfirst over body) is weighed against age, a year halving a
    /// story's score. Only the newest `SEARCH_WINDOW` matches are ranked.
    pub async fn search_articles(
        &self,
        language: &str,
        terms: &[String],
        limit: i64,
        offset: i64,
        now: i64,
    ) -> StoreResult<Vec<ArticleCard>> {
        if terms.is_empty() {
            return Ok(Vec::new());
        }
        let cards = match self.backend {
            Backend::Sqlite => {
                // Each term is quoted, so FTS5 query syntax in user input is inert.
                let query = terms
                    .iter()
                    .map(|t| format!("\"{}\"*", t.replace('"', "\"\"")))
                    .collect::<Vec<_>>()
                    .join(" ");
                // Only the newest matches are ranked (FTS5 walks them by
                // rowid and stops), so a common word costs the same at ten
                // thousand stories as at a million.
                sqlx::query_as::<_, ArticleCard>(&format!(
                    "WITH hits AS ( \
                         SELECT rowid AS id, bm25(article_search, 10.0, 5.0, 1.0) AS score \
                         FROM article_search WHERE article_search MATCH $1 \
                         ORDER BY rowid DESC LIMIT {SEARCH_WINDOW}) \
                     SELECT {CARD_COLUMNS} FROM hits JOIN articles a ON a.id = hits.id \
                     WHERE a.status = 'published' AND a.language = $2 \
                     ORDER BY hits.score / (1.0 + ($5 - a.published_at) / {SECONDS_PER_YEAR}.0), \
                     a.published_at DESC LIMIT $3 OFFSET $4"
                ))
                .bind(query)
                .bind(language)
                .bind(limit)
                .bind(offset)
                .bind(now)
                .fetch_all(&self.pool)
                .await?
            }
            Backend::Postgres => {
                // Terms are bound as text and cast, so tsquery syntax in user input is inert.
                let query = terms
                    .iter()
                    .map(|t| {
                        let cleaned: String = t
                            .chars()
                            .filter(|c| c.is_alphanumeric() || *c == '-')
                            .collect();
                        format!("{cleaned}:*")
                    })
                    .filter(|t| t.len() > 2)
                    .collect::<Vec<_>>()
                    .join(" & ");
                if query.is_empty() {
                    return Ok(Vec::new());
                }
                // The newest matches first (by the date index when the
                // words are common), then only those are ranked.
                sqlx::query_as::<_, ArticleCard>(&format!(
                    "WITH hits AS MATERIALIZED ( \
                         SELECT a.id FROM articles a \
                         WHERE a.search_vector @@ to_tsquery(newsdesk_search_config($2), $1) \
                         AND a.status = 'published' AND a.language = $2 \
                         ORDER BY a.published_at DESC LIMIT {SEARCH_WINDOW}) \
                     SELECT {CARD_COLUMNS} FROM hits JOIN articles a ON a.id = hits.id \
                     ORDER BY ts_rank(a.search_vector, to_tsquery(newsdesk_search_config($2), $1)) \
                     / (1.0 + ($5 - a.published_at) / {SECONDS_PER_YEAR}.0) DESC, \
                     a.published_at DESC LIMIT $3 OFFSET $4"
                ))
                .bind(query)
                .bind(language)
                .bind(limit)
                .bind(offset)
                .bind(now)
                .fetch_all(&self.pool)
                .await?
            }
        };
        self.with_authors(cards).await
    }

    /// Published stories by id, in the order given (a search engine's
    /// ranking); stories taken down since they were ranked are left out.
    pub async fn cards_in_order(
        &self,
        ids: &[ArticleId],
        language: &str,
    ) -> StoreResult<Vec<ArticleCard>> {
        let mut cards = self.published_cards(ids, language).await?;
        cards.sort_by_key(|card| ids.iter().position(|id| *id == card.id));
        self.with_authors(cards).await
    }

    /// Published stories in `language` among `ids`, in no order: read by
    /// primary key, whatever the archive's size.
    async fn published_cards(
        &self,
        ids: &[ArticleId],
        language: &str,
    ) -> StoreResult<Vec<ArticleCard>> {
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        let mut cards = sqlx::query_as::<_, ArticleCard>(&cards_by_id_sql(ids))
            .fetch_all(&self.pool)
            .await?;
        cards.retain(|card| card.status == ArticleStatus::Published && card.language == language);
        Ok(cards)
    }

    /// What the search index keeps of the published stories among the
    /// `limit` stories after `after` by id, and the last id looked at
    /// (`None` at the end): rebuilding the index walks them all.
    pub async fn search_documents_after(
        &self,
        after: ArticleId,
        limit: i64,
    ) -> StoreResult<(Vec<SearchDocument>, Option<ArticleId>)> {
        // Walked by key, the status checked here: with it in the SQL, SQLite
        // reads the status index and sorts every published story per batch.
        let mut documents: Vec<SearchDocument> = sqlx::query_as(
            "SELECT id, language, headline, standfirst, body, published_at, status FROM articles \
             WHERE id > $1 ORDER BY id LIMIT $2",
        )
        .bind(after.0)
        .bind(limit)
        .fetch_all(&self.pool)
        .await?;
        let last = documents.last().map(|document| document.id);
        documents.retain(|document| document.status == ArticleStatus::Published);
        Ok((documents, last))
    }

    /// What the search index keeps of these stories, where they are published.
    pub async fn search_documents(&self, ids: &[ArticleId]) -> StoreResult<Vec<SearchDocument>> {
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        // By key only, the status checked here (see `cards_by_id_sql`).
        let mut documents: Vec<SearchDocument> = sqlx::query_as(&format!(
            "SELECT id, language, headline, standfirst, body, published_at, status FROM articles \
             WHERE id IN ({})",
            id_list(ids)
        ))
        .fetch_all(&self.pool)
        .await?;
        documents.retain(|document| document.status == ArticleStatus::Published);
        Ok(documents)
    }

    async fn with_authors(&self, mut cards: Vec<ArticleCard>) -> StoreResult<Vec<ArticleCard>> {
        if cards.is_empty() {
            return Ok(cards);
        }
        let placeholders = (1..=cards.len())
            .map(|i| format!("${i}"))
            .collect::<Vec<_>>()
            .join(", ");
        let sql = format!(
            "SELECT aa.article_id, s.id, s.name, s.slug FROM article_authors aa \
             JOIN staff s ON s.id = aa.staff_id WHERE aa.article_id IN ({placeholders}) \
             ORDER BY aa.article_id, aa.position"
        );
        let mut query = sqlx::query_as::<_, (i64, StaffId, String, String)>(&sql);
        for card in &cards {
            query = query.bind(card.id.0);
        }
        let rows = query.fetch_all(&self.pool).await?;
        for card in &mut cards {
            card.authors = rows
                .iter()
                .filter(|(article, ..)| *article == card.id.0)
                .map(|(_, id, name, slug)| AuthorRef {
                    id: *id,
                    name: name.clone(),
                    slug: slug.clone(),
                })
                .collect();
        }
        Ok(cards)
    }

    /// Stories that share the section or a tag, newest first. Each source
    /// gives at most a few dozen candidates through an index, so a tag on
    /// 27,000 stories costs what a tag on 27 does; all sources are one
    /// statement (each one more would be a round trip per uncached page).
    pub async fn related_articles(
        &self,
        article: &ArticleRow,
        tags: &[TagId],
        limit: i64,
    ) -> StoreResult<Vec<ArticleCard>> {
        let Some(sql) = related_candidates_sql(article, tags) else {
            return Ok(Vec::new());
        };
        let mut query = sqlx::query_as::<_, (i64,)>(&sql);
        if article.section_id.is_some() {
            query = query.bind(&article.language);
        }
        let rows = query.fetch_all(&self.pool).await?;
        let mut candidates: Vec<i64> = rows.into_iter().map(|(id,)| id).collect();
        candidates.sort_unstable();
        candidates.dedup();
        let ids: Vec<ArticleId> = candidates.into_iter().map(ArticleId).collect();
        // Sorted here, not by the database: with ORDER BY and LIMIT,
        // PostgreSQL may walk the whole date index looking for these few ids.
        let mut cards = self.published_cards(&ids, &article.language).await?;
        cards.sort_by_key(|card| std::cmp::Reverse(card.published_at));
        cards.truncate(usize::try_from(limit).unwrap_or(0));
        self.with_authors(cards).await
    }

    /// The article an old slug now points to.
    pub async fn slug_redirect(
        &self,
        language: &str,
        slug: &str,
    ) -> StoreResult<Option<ArticleId>> {
        let row: Option<(ArticleId,)> = sqlx::query_as(
            "SELECT article_id FROM slug_redirects WHERE language = $1 AND old_slug = $2",
        )
        .bind(language)
        .bind(slug)
        .fetch_optional(&self.pool)
        .await?;
        Ok(row.map(|(id,)| id))
    }

    /// Scheduled articles whose time has come.
    pub async fn due_scheduled(&self, now: i64) -> StoreResult<Vec<ArticleId>> {
        let rows: Vec<(ArticleId,)> = sqlx::query_as(
            "SELECT id FROM articles WHERE status = 'scheduled' AND scheduled_at <= $1 ORDER BY scheduled_at LIMIT 100",
        )
        .bind(now)
        .fetch_all(&self.pool)
        .await?;
        Ok(rows.into_iter().map(|(id,)| id).collect())
    }

    /// The text as it stood at `version`: the newest revision at or before it
    /// (versions that changed only the status have no copy of their own).
    pub async fn revision(&self, id: ArticleId, version: i64) -> StoreResult<Revision> {
        let mut revision: Revision = sqlx::query_as(
            "SELECT id, article_id, version, saved_by, snapshot, created_at FROM article_revisions \
             WHERE article_id = $1 AND version <= $2 ORDER BY version DESC LIMIT 1",
        )
        .bind(id.0)
        .bind(version)
        .fetch_one(&self.pool)
        .await?;
        revision.snapshot = unpack_snapshot(&revision.snapshot);
        Ok(revision)
    }

    pub async fn revisions(&self, id: ArticleId) -> StoreResult<Vec<Revision>> {
        let mut revisions: Vec<Revision> = sqlx::query_as(
            "SELECT id, article_id, version, saved_by, snapshot, created_at FROM article_revisions \
             WHERE article_id = $1 ORDER BY version DESC",
        )
        .bind(id.0)
        .fetch_all(&self.pool)
        .await?;
        for revision in &mut revisions {
            revision.snapshot = unpack_snapshot(&revision.snapshot);
        }
        Ok(revisions)
    }

    /// Content changes after `after_id`, oldest first: what other nodes must drop from their caches.
    pub async fn content_changes_since(&self, after_id: i64) -> StoreResult<Vec<(i64, ArticleId)>> {
        Ok(sqlx::query_as(
            "SELECT id, article_id FROM content_changes WHERE id > $1 ORDER BY id LIMIT 1000",
        )
        .bind(after_id)
        .fetch_all(&self.pool)
        .await?)
    }

    /// Records a change every page may show (a section renamed, a static
    /// page edited): other nodes clear their whole cache for it.
    pub async fn record_site_change(&self, now: i64) -> StoreResult<()> {
        let mut conn = self.pool.acquire().await?;
        record_change(&mut conn, SITE_CHANGE, now).await
    }

    /// Records that any story may have changed at once (an import, a
    /// restore, generated stories): caches clear and search indexes rebuild.
    pub async fn record_every_story_change(&self, now: i64) -> StoreResult<()> {
        let mut conn = self.pool.acquire().await?;
        record_change(&mut conn, EVERY_STORY, now).await
    }

    pub async fn latest_content_change(&self) -> StoreResult<i64> {
        let (id,): (i64,) = sqlx::query_as("SELECT COALESCE(MAX(id), 0) FROM content_changes")
            .fetch_one(&self.pool)
            .await?;
        Ok(id)
    }
}

/// Cards by id and nothing else. Only the ids are in the SQL: with the
/// status and language there too, SQLite may prefer the `(status,
/// language, …)` index and walk a whole language's archive instead of
/// looking up a few keys (the callers filter those instead).
pub fn cards_by_id_sql(ids: &[ArticleId]) -> String {
    format!(
        "SELECT {CARD_COLUMNS} FROM articles a WHERE a.id IN ({})",
        id_list(ids)
    )
}

/// Candidates for related stories: the section's newest and each tag's
/// newest (`PER_SOURCE` of each, read in index order), one statement with
/// the language as `$1` when there is a section. Ids are integers from our
/// own rows, inlined.
pub fn related_candidates_sql(article: &ArticleRow, tags: &[TagId]) -> Option<String> {
    const PER_SOURCE: i64 = 40;
    const MAX_TAGS: usize = 20;
    let id = article.id.0;
    let mut sources = Vec::new();
    if let Some(section) = article.section_id {
        sources.push(format!(
            "SELECT id FROM (SELECT id FROM articles WHERE section_id = {} AND status = 'published' \
             AND language = $1 AND id <> {id} ORDER BY published_at DESC LIMIT {PER_SOURCE}) AS s",
            section.0
        ));
    }
    for (n, tag) in tags.iter().take(MAX_TAGS).enumerate() {
        sources.push(format!(
            "SELECT article_id FROM (SELECT article_id FROM article_tags WHERE tag_id = {} \
             AND article_id <> {id} ORDER BY article_id DESC LIMIT {PER_SOURCE}) AS t{n}",
            tag.0
        ));
    }
    (!sources.is_empty()).then(|| sources.join(" UNION ALL "))
}

/// Ids for an `IN (…)` list. They are integers from our own rows (or our
/// own index), so they can stand in the SQL.
fn id_list(ids: &[ArticleId]) -> String {
    ids.iter()
        .map(|id| id.0.to_string())
        .collect::<Vec<_>>()
        .join(",")
}

/// The article id a content change carries when it concerns every page.
pub const SITE_CHANGE: ArticleId = ArticleId(0);

/// The article id a content change carries when any story may have changed
/// (written in bulk, past the one write path): every page and every search
/// document is to be made again.
pub const EVERY_STORY: ArticleId = ArticleId(-1);

pub(super) async fn record_change(
    conn: &mut AnyConnection,
    id: ArticleId,
    now: i64,
) -> StoreResult<()> {
    sqlx::query("INSERT INTO content_changes (article_id, changed_at) VALUES ($1, $2)")
        .bind(id.0)
        .bind(now)
        .execute(conn)
        .await?;
    Ok(())
}

const ARTICLE_SELECT: &str = "SELECT id, translation_group, language, slug, headline, standfirst, \
     body, cover_url, cover_alt, cover_credit, section_id, status, meta_title, meta_description, \
     social_image_url, version, created_at, updated_at, published_at, content_updated_at, scheduled_at FROM articles";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn snapshots_are_packed_and_read_back_whole() {
        let json = serde_json::json!({"body": "Уряд ухвалив рішення. ".repeat(200)}).to_string();
        let packed = pack_snapshot(&json);
        assert!(
            packed.starts_with("z1:") && packed.len() * 3 < json.len(),
            "{}",
            packed.len()
        );
        assert_eq!(unpack_snapshot(&packed), json);
        assert_eq!(
            unpack_snapshot("{\"plain\":1}"),
            "{\"plain\":1}",
            "older rows read as they are"
        );
    }
}
