//! Full-text search over published stories: this node's own Tantivy index,
//! kept on disk beside the data and brought up to date from the database's
//! `content_changes`, so a common word over a big archive is a top-k walk of
//! posting lists, not a sort of every match. Each node keeps its own index;
//! the database stays the one source of truth, and answers searches itself
//! (see `Store::search_articles`) while an index is being built.
//!
//! Words are cut to their stems before they reach the index and before they
//! reach a query (`content::stem`), in the story's own language: «урядом»,
//! «уряду» and «уряд» are one term.

mod words;

use std::path::Path;
use std::sync::atomic::{AtomicBool, AtomicI64, Ordering};
use std::sync::{Arc, Mutex, OnceLock};

use serde::{Deserialize, Serialize};
use tantivy::collector::TopDocs;
use tantivy::directory::MmapDirectory;
use tantivy::query::{BooleanQuery, BoostQuery, Occur, Query, TermQuery};
use tantivy::schema::{
    FAST, Field, INDEXED, IndexRecordOption, STRING, Schema, TextFieldIndexing, TextOptions,
};
use tantivy::{
    Index, IndexReader, IndexWriter, ReloadPolicy, SegmentReader, TantivyDocument, Term,
};

use crate::store::{ArticleId, EVERY_STORY, SearchDocument, Store, StoreError};
pub use words::{index_text, words};

/// Bumped when what the index holds changes shape: an older index is rebuilt.
const FORMAT: u32 = 1;
/// The writer's memory; Tantivy's least is 15 MB.
const WRITER_BYTES: usize = 16_000_000;
/// Stories read from the database at a time while rebuilding.
const REBUILD_BATCH: i64 = 1_000;
/// Content changes applied at a time while catching up.
const CHANGES_BATCH: usize = 1_000;
/// Index folders tried in turn: nodes sharing one data folder each take one.
const MAX_FOLDERS: usize = 8;
/// The setting naming the database an index was built from: an index made
/// from another database (a restore, a new server) is never trusted.
pub const DATABASE_SETTING: &str = "search_index_database";
/// Words a stem may stand for in a query, and words looked at to choose them.
const MAX_WORDS_PER_STEM: usize = 16;
const MAX_WORDS_SCANNED: usize = 2_000;
const SECONDS_PER_YEAR: f32 = 365.0 * 86_400.0;
/// How much more a word in the headline or standfirst weighs than in the text.
const FIELD_WEIGHTS: [(FieldName, f32); 3] = [
    (FieldName::Headline, 10.0),
    (FieldName::Standfirst, 5.0),
    (FieldName::Body, 1.0),
];

#[derive(Debug, thiserror::Error)]
pub enum SearchError {
    #[error("search index: {0}")]
    Index(#[from] tantivy::TantivyError),
    #[error("search index folder: {0}")]
    Folder(#[from] tantivy::directory::error::OpenDirectoryError),
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("search index task: {0}")]
    Task(#[from] tokio::task::JoinError),
    #[error("search index folder {0}: {1}")]
    Io(String, std::io::Error),
}

pub type SearchResult<T> = Result<T, SearchError>;

/// One page of a search: stems in the page's language, newest-weighted.
pub struct SearchRequest<'a> {
    pub language: &'a str,
    pub stems: &'a [String],
    pub limit: usize,
    pub offset: usize,
    pub now: i64,
}

/// This node's search index; empty until [`SearchIndex::keep_up`] first runs.
#[derive(Default)]
pub struct SearchIndex {
    opened: OnceLock<Arc<OpenIndex>>,
}

struct OpenIndex {
    index: Index,
    reader: IndexReader,
    fields: Fields,
    writer: Mutex<IndexWriter>,
    /// The newest content change the index holds.
    applied: AtomicI64,
    /// Whether the index holds every published story (else the database answers).
    ready: AtomicBool,
    /// One writer at a time: catching up or rebuilding.
    writing: tokio::sync::Mutex<()>,
    database: String,
}

#[derive(Clone, Copy)]
struct Fields {
    id: Field,
    language: Field,
    published_at: Field,
    headline: Field,
    standfirst: Field,
    body: Field,
}

#[derive(Clone, Copy)]
enum FieldName {
    Headline,
    Standfirst,
    Body,
}

impl Fields {
    fn text(&self, name: FieldName) -> Field {
        match name {
            FieldName::Headline => self.headline,
            FieldName::Standfirst => self.standfirst,
            FieldName::Body => self.body,
        }
    }
}

/// What the index remembers across restarts, in Tantivy's commit payload.
#[derive(Serialize, Deserialize, PartialEq, Debug)]
struct Payload {
    format: u32,
    database: String,
    last_change: i64,
}

fn schema() -> (Schema, Fields) {
    let mut builder = Schema::builder();
    // Stems arrive separated by spaces (see `words`); frequencies and
    // lengths are all the ranking needs, so positions are not kept.
    let text = TextOptions::default().set_indexing_options(
        TextFieldIndexing::default()
            .set_tokenizer("whitespace")
            .set_index_option(IndexRecordOption::WithFreqs),
    );
    let fields = Fields {
        id: builder.add_i64_field("id", INDEXED | FAST),
        language: builder.add_text_field("language", STRING),
        published_at: builder.add_i64_field("published_at", FAST),
        headline: builder.add_text_field("headline", text.clone()),
        standfirst: builder.add_text_field("standfirst", text.clone()),
        body: builder.add_text_field("body", text),
    };
    (builder.build(), fields)
}

/// What a round of upkeep found to do.
enum Upkeep {
    Current,
    Rebuild,
}

impl SearchIndex {
    /// Whether searches can be answered from the index now.
    pub fn is_ready(&self) -> bool {
        self.opened
            .get()
            .is_some_and(|open| open.ready.load(Ordering::Acquire))
    }

    /// Opens this node's index (first call), rebuilds it when it does not
    /// hold what the database holds, and applies the content changes since
    /// it last looked. A rebuild takes a while on a big archive: searches
    /// are answered by the database until it is done.
    /// `keep_going` is asked between batches of a rebuild: a node that is
    /// stopping leaves it for its next start.
    pub async fn keep_up(
        &self,
        store: &Store,
        data_dir: &Path,
        keep_going: &(dyn Fn() -> bool + Sync),
    ) -> SearchResult<()> {
        let open = match self.opened.get() {
            Some(open) => open.clone(),
            None => {
                let open = Arc::new(OpenIndex::open(store, data_dir).await?);
                let open = self.opened.get_or_init(|| open).clone();
                if open.fits(store).await? {
                    open.ready.store(true, Ordering::Release);
                }
                open
            }
        };
        if !open.ready.load(Ordering::Acquire) {
            return open.rebuild(store, keep_going).await;
        }
        match open.catch_up(store).await? {
            Upkeep::Current => Ok(()),
            Upkeep::Rebuild => open.rebuild(store, keep_going).await,
        }
    }

    /// The ids of one page of results, best first; `None` when the index
    /// cannot answer (not built yet, or rebuilding) and the database must.
    /// Changes made before the search (on any node) are caught up first, so
    /// a story is findable the moment its publishing returns.
    pub async fn search(
        &self,
        store: &Store,
        request: &SearchRequest<'_>,
    ) -> SearchResult<Option<Vec<ArticleId>>> {
        let Some(open) = self.opened.get().cloned() else {
            return Ok(None);
        };
        if !open.ready.load(Ordering::Acquire) {
            return Ok(None);
        }
        if let Upkeep::Rebuild = open.catch_up(store).await? {
            // Left for the upkeep job; the database answers meanwhile.
            open.ready.store(false, Ordering::Release);
            return Ok(None);
        }
        let language = request.language.to_owned();
        let stems = request.stems.to_vec();
        let (limit, offset, now) = (request.limit, request.offset, request.now);
        let ids =
            tokio::task::spawn_blocking(move || open.query(&language, &stems, limit, offset, now))
                .await??;
        Ok(Some(ids))
    }
}

impl OpenIndex {
    async fn open(store: &Store, data_dir: &Path) -> SearchResult<OpenIndex> {
        if store.setting(DATABASE_SETTING).await?.is_none() {
            let name = format!("{:032x}", rand::random::<u128>());
            store.claim_setting(DATABASE_SETTING, &name).await?;
        }
        let database = store.setting(DATABASE_SETTING).await?.unwrap_or_default();
        let (schema, fields) = schema();
        let mut last_error = None;
        for slot in 1..=MAX_FOLDERS {
            let folder = match slot {
                1 => data_dir.join("search-index"),
                n => data_dir.join(format!("search-index-{n}")),
            };
            match open_folder(&folder, &schema) {
                Ok((index, writer)) => {
                    let reader = index
                        .reader_builder()
                        .reload_policy(ReloadPolicy::Manual)
                        .try_into()?;
                    return Ok(OpenIndex {
                        index,
                        reader,
                        fields,
                        writer: Mutex::new(writer),
                        applied: AtomicI64::new(-1),
                        ready: AtomicBool::new(false),
                        writing: tokio::sync::Mutex::new(()),
                        database,
                    });
                }
                // Another node on this data folder holds it: try the next.
                Err(SearchError::Index(tantivy::TantivyError::LockFailure(..))) => {}
                Err(e) => last_error = Some(e),
            }
        }
        Err(last_error.unwrap_or_else(|| {
            SearchError::Io(
                data_dir.display().to_string(),
                std::io::Error::other("every search index folder is in use"),
            )
        }))
    }

    /// Whether the index on disk was built from this database and has not
    /// missed a change that asks for a rebuild; if so, how far it got.
    async fn fits(&self, store: &Store) -> SearchResult<bool> {
        let payload = self
            .index
            .load_metas()?
            .payload
            .and_then(|text| serde_json::from_str::<Payload>(&text).ok());
        let Some(payload) = payload else {
            return Ok(false);
        };
        let latest = store.latest_content_change().await?;
        let fits = payload.format == FORMAT
            && payload.database == self.database
            && payload.last_change <= latest;
        if fits {
            self.applied.store(payload.last_change, Ordering::Release);
        }
        Ok(fits)
    }

    /// Applies the content changes since the index last looked.
    async fn catch_up(self: &Arc<Self>, store: &Store) -> SearchResult<Upkeep> {
        let latest = store.latest_content_change().await?;
        if latest <= self.applied.load(Ordering::Acquire) {
            return Ok(Upkeep::Current);
        }
        let _writing = self.writing.lock().await;
        loop {
            let applied = self.applied.load(Ordering::Acquire);
            let changes = store.content_changes_since(applied).await?;
            let Some(&(last, _)) = changes.last() else {
                return Ok(Upkeep::Current);
            };
            if changes.iter().any(|(_, id)| *id == EVERY_STORY) {
                return Ok(Upkeep::Rebuild);
            }
            let mut ids: Vec<ArticleId> = changes
                .iter()
                .map(|(_, id)| *id)
                .filter(|id| id.0 > 0)
                .collect();
            ids.sort_unstable_by_key(|id| id.0);
            ids.dedup();
            let documents = store.search_documents(&ids).await?;
            let open = self.clone();
            tokio::task::spawn_blocking(move || open.replace(&ids, &documents, last)).await??;
            if changes.len() < CHANGES_BATCH {
                return Ok(Upkeep::Current);
            }
        }
    }

    /// Indexes every published story again, from nothing.
    async fn rebuild(
        self: &Arc<Self>,
        store: &Store,
        keep_going: &(dyn Fn() -> bool + Sync),
    ) -> SearchResult<()> {
        let _writing = self.writing.lock().await;
        self.ready.store(false, Ordering::Release);
        // Changes from here on are applied after the rebuild, over it.
        let from_change = store.latest_content_change().await?;
        let started = std::time::Instant::now();
        {
            let writer = self.writer.lock().unwrap_or_else(|e| e.into_inner());
            writer.delete_all_documents()?;
        }
        let mut after = ArticleId(0);
        let mut count = 0usize;
        loop {
            if !keep_going() {
                let mut writer = self.writer.lock().unwrap_or_else(|e| e.into_inner());
                writer.rollback()?;
                return Ok(());
            }
            let (batch, last) = store.search_documents_after(after, REBUILD_BATCH).await?;
            let Some(last) = last else { break };
            after = last;
            count += batch.len();
            let open = self.clone();
            tokio::task::spawn_blocking(move || open.add(&batch)).await??;
        }
        let open = self.clone();
        tokio::task::spawn_blocking(move || open.commit(from_change)).await??;
        self.applied.store(from_change, Ordering::Release);
        self.ready.store(true, Ordering::Release);
        tracing::info!(
            stories = count,
            seconds = started.elapsed().as_secs_f32(),
            "search index built"
        );
        Ok(())
    }

    fn add(&self, documents: &[SearchDocument]) -> SearchResult<()> {
        let writer = self.writer.lock().unwrap_or_else(|e| e.into_inner());
        for document in documents {
            writer.add_document(self.document(document))?;
        }
        Ok(())
    }

    /// Drops these stories and adds back those still published.
    fn replace(
        &self,
        ids: &[ArticleId],
        documents: &[SearchDocument],
        last_change: i64,
    ) -> SearchResult<()> {
        {
            let writer = self.writer.lock().unwrap_or_else(|e| e.into_inner());
            for id in ids {
                writer.delete_term(Term::from_field_i64(self.fields.id, id.0));
            }
        }
        self.add(documents)?;
        self.commit(last_change)?;
        self.applied.store(last_change, Ordering::Release);
        Ok(())
    }

    fn commit(&self, last_change: i64) -> SearchResult<()> {
        let payload = Payload {
            format: FORMAT,
            database: self.database.clone(),
            last_change,
        };
        {
            let mut writer = self.writer.lock().unwrap_or_else(|e| e.into_inner());
            let mut commit = writer.prepare_commit()?;
            commit.set_payload(&serde_json::to_string(&payload).unwrap_or_default());
            commit.commit()?;
        }
        self.reader.reload()?;
        Ok(())
    }

    fn document(&self, story: &SearchDocument) -> TantivyDocument {
        let mut document = TantivyDocument::default();
        document.add_i64(self.fields.id, story.id.0);
        document.add_text(self.fields.language, &story.language);
        document.add_i64(self.fields.published_at, story.published_at.unwrap_or(0));
        document.add_text(
            self.fields.headline,
            index_text(&story.headline, &story.language),
        );
        document.add_text(
            self.fields.standfirst,
            index_text(&story.standfirst, &story.language),
        );
        document.add_text(self.fields.body, index_text(&story.body, &story.language));
        document
    }

    /// Stories with every stem, in the language, by relevance weighed
    /// against age (a year halves a score), then newest first.
    fn query(
        &self,
        language: &str,
        stems: &[String],
        limit: usize,
        offset: usize,
        now: i64,
    ) -> SearchResult<Vec<ArticleId>> {
        if stems.is_empty() || limit == 0 {
            return Ok(Vec::new());
        }
        let mut clauses: Vec<(Occur, Box<dyn Query>)> = vec![(
            Occur::Must,
            Box::new(TermQuery::new(
                Term::from_field_text(self.fields.language, language),
                IndexRecordOption::Basic,
            )),
        )];
        let searcher = self.reader.searcher();
        for stem in stems {
            let mut any_field: Vec<(Occur, Box<dyn Query>)> = Vec::new();
            for (name, weight) in FIELD_WEIGHTS {
                let field = self.fields.text(name);
                for word in words_beginning(&searcher, field, stem)? {
                    let term = TermQuery::new(
                        Term::from_field_text(field, &word),
                        IndexRecordOption::WithFreqs,
                    );
                    any_field.push((
                        Occur::Should,
                        Box::new(BoostQuery::new(Box::new(term), weight)),
                    ));
                }
            }
            clauses.push((Occur::Must, Box::new(BooleanQuery::new(any_field))));
        }
        let query = BooleanQuery::new(clauses);
        let ranked = TopDocs::with_limit(limit).and_offset(offset).tweak_score(
            move |segment: &SegmentReader| {
                let dates = segment
                    .fast_fields()
                    .i64("published_at")
                    .ok()
                    .map(|column| column.first_or_default_col(0));
                move |doc, score: f32| {
                    let published = dates.as_ref().map_or(now, |dates| dates.get_val(doc));
                    let age = (now - published).max(0) as f32;
                    (score / (1.0 + age / SECONDS_PER_YEAR), published)
                }
            },
        );
        let hits = searcher.search(&query, &ranked)?;
        let mut ids = Vec::with_capacity(hits.len());
        for (_, address) in hits {
            let ids_column = searcher
                .segment_reader(address.segment_ord)
                .fast_fields()
                .i64("id")?;
            if let Some(id) = ids_column.first(address.doc_id) {
                ids.push(ArticleId(id));
            }
        }
        Ok(ids)
    }
}

/// The indexed words in `field` that begin with `stem` (itself included),
/// the most frequent first: a stem also finds the longer words it starts
/// («енерг» finds «енергетик»), and a word being typed finds whole ones.
fn words_beginning(
    searcher: &tantivy::Searcher,
    field: Field,
    stem: &str,
) -> SearchResult<Vec<String>> {
    let mut found: std::collections::HashMap<Vec<u8>, u32> = Default::default();
    for segment in searcher.segment_readers() {
        let index = segment.inverted_index(field)?;
        let mut stream = index
            .terms()
            .range()
            .ge(stem.as_bytes())
            .into_stream()
            .map_err(|e| SearchError::Io("term dictionary".into(), e))?;
        let mut scanned = 0;
        while scanned < MAX_WORDS_SCANNED && stream.advance() {
            if !stream.key().starts_with(stem.as_bytes()) {
                break;
            }
            *found.entry(stream.key().to_vec()).or_default() += stream.value().doc_freq;
            scanned += 1;
        }
    }
    let mut found: Vec<(Vec<u8>, u32)> = found.into_iter().collect();
    // The stem itself first, then the words most stories use.
    found.sort_by_key(|(word, count)| {
        (
            word.as_slice() != stem.as_bytes(),
            std::cmp::Reverse(*count),
        )
    });
    Ok(found
        .into_iter()
        .take(MAX_WORDS_PER_STEM)
        .filter_map(|(word, _)| String::from_utf8(word).ok())
        .collect())
}

/// Opens the index in `folder` (making it, or making it again when its
/// schema is from another version) and takes its writer lock.
fn open_folder(folder: &Path, schema: &Schema) -> SearchResult<(Index, IndexWriter)> {
    std::fs::create_dir_all(folder)
        .map_err(|e| SearchError::Io(folder.display().to_string(), e))?;
    let index = match Index::open_or_create(MmapDirectory::open(folder)?, schema.clone()) {
        Ok(index) => index,
        Err(tantivy::TantivyError::SchemaError(_)) => {
            std::fs::remove_dir_all(folder)
                .and_then(|()| std::fs::create_dir_all(folder))
                .map_err(|e| SearchError::Io(folder.display().to_string(), e))?;
            Index::create_in_dir(folder, schema.clone())?
        }
        Err(e) => return Err(e.into()),
    };
    let writer = index.writer_with_num_threads(1, WRITER_BYTES)?;
    Ok((index, writer))
}
