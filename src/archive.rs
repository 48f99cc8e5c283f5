//! Moving out, and back in: `newsdesk export` writes the whole newsroom to
//! one `.tar.gz`, and `newsdesk import newsdesk FILE` restores it into an
//! empty database, SQLite or PostgreSQL.
//!
//! The archive holds `tables/<table>.jsonl` (one JSON object per row, keyed
//! by column), `media/…` (the uploaded images) and `manifest.json` (the
//! format, and a SHA-256 and size for every file). Staff come without
//! password hashes or second-factor secrets: after a restore, everyone
//! sets a new password through "forgot password". The archive does hold
//! donors' addresses and the site's signing keys: keep it as safe as the
//! database.

use std::collections::BTreeMap;
use std::fs::File;
use std::io::{BufRead, BufReader, Read, Write};
use std::path::{Component, Path, PathBuf};

use flate2::Compression;
use flate2::read::GzDecoder;
use flate2::write::GzEncoder;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use sha2::{Digest, Sha256};

use crate::app::AppState;
use crate::media_store::MediaStoreError;
use crate::store::StoreError;

const FORMAT: &str = "newsdesk-export";
const VERSION: u32 = 1;

/// Tables in the order they can be written (what a row points at first).
/// Sessions, sign-in attempts, API keys and delivery queues belong to one
/// installation and are not carried.
pub const TABLES: &[&str] = &[
    "staff",
    "sections",
    "section_names",
    "tags",
    "tag_names",
    "media",
    "articles",
    "article_authors",
    "article_tags",
    "article_sources",
    "article_corrections",
    "article_revisions",
    "signing_keys",
    "story_versions",
    "live_pages",
    "live_updates",
    "slug_redirects",
    "pages",
    "legacy_paths",
    "import_sources",
    "site_settings",
    "donations",
    "subscriptions",
    "payments",
    "provider_events",
    "refunds",
    "grants",
    "donor_links",
    "payment_links",
    "newsletter_subscribers",
    "newsletter_issues",
    "newsletter_recipients",
    "fediverse_followers",
    "videos",
    "webhooks",
    "audit_log",
];

/// Columns whose values stay behind: secrets of the people, not the newsroom.
const WITHHELD: &[(&str, &str)] = &[
    ("staff", "password_hash"),
    ("staff", "totp_secret"),
    ("staff", "totp_enabled_at"),
    ("staff", "totp_last_step"),
];

/// The manifest is read whole; no real one comes near this.
const MAX_MANIFEST_BYTES: u64 = 64 * 1024 * 1024;

/// Rows per transaction batch when reading a table back.
const RESTORE_BATCH: usize = 500;

#[derive(Debug, thiserror::Error)]
pub enum ArchiveError {
    #[error("{0}")]
    Invalid(String),
    #[error("{path}: {source}")]
    Io {
        path: String,
        source: std::io::Error,
    },
    #[error("database: {0}")]
    Store(#[from] StoreError),
    #[error("{0}")]
    Media(#[from] MediaStoreError),
}

impl ArchiveError {
    pub fn exit_code(&self) -> u8 {
        match self {
            Self::Invalid(_) | Self::Io { .. } => 2,
            Self::Store(_) | Self::Media(_) => 1,
        }
    }
}

fn io(path: &Path) -> impl FnOnce(std::io::Error) -> ArchiveError + '_ {
    move |source| ArchiveError::Io {
        path: path.display().to_string(),
        source,
    }
}

#[derive(Debug, Default, Serialize, Deserialize, PartialEq, Eq)]
pub struct FileEntry {
    pub sha256: String,
    pub bytes: u64,
}

#[derive(Debug, Default, Serialize, Deserialize)]
pub struct Manifest {
    pub format: String,
    pub version: u32,
    pub created_at: i64,
    /// Rows per table.
    pub tables: BTreeMap<String, u64>,
    /// Every other file of the archive.
    pub files: BTreeMap<String, FileEntry>,
}

/// Writes the newsroom to `out`; returns the manifest written.
pub async fn export(state: &AppState, out: &Path) -> Result<Manifest, ArchiveError> {
    let file = File::create(out).map_err(io(out))?;
    let mut tar = tar::Builder::new(GzEncoder::new(file, Compression::default()));
    let mut manifest = Manifest {
        format: FORMAT.into(),
        version: VERSION,
        created_at: state.clock.now(),
        ..Default::default()
    };
    let work = scratch_dir("export").map_err(io(out))?;
    let written = export_tables(state, &mut tar, &mut manifest, &work, out).await;
    let _ = std::fs::remove_dir_all(&work);
    written?;
    for key in state.media.keys().await? {
        let Some(bytes) = state.media.get(&key).await? else {
            continue; // deleted since it was listed
        };
        let name = format!("media/{key}");
        let mut header = tar::Header::new_gnu();
        header.set_size(bytes.len() as u64);
        header.set_mode(0o644);
        header.set_mtime(0);
        header.set_cksum();
        let mut reader = Hashing::new(&bytes[..]);
        tar.append_data(&mut header, &name, &mut reader)
            .map_err(io(out))?;
        manifest.files.insert(name, reader.entry());
    }
    let manifest_json =
        serde_json::to_vec_pretty(&manifest).map_err(|e| ArchiveError::Invalid(e.to_string()))?;
    append(&mut tar, "manifest.json", &manifest_json, out)?;
    tar.into_inner()
        .and_then(|gz| gz.finish())
        .and_then(|mut f| f.flush())
        .map_err(io(out))?;
    Ok(manifest)
}

/// Writes each table to a file of JSON lines under `work`, then into the
/// archive; rows stream from the database, so memory stays flat.
async fn export_tables<W: Write>(
    state: &AppState,
    tar: &mut tar::Builder<W>,
    manifest: &mut Manifest,
    work: &Path,
    out: &Path,
) -> Result<(), ArchiveError> {
    for table in TABLES {
        let columns = state.store.table_columns(table).await?;
        let path = work.join(format!("{table}.jsonl"));
        let mut file = std::io::BufWriter::new(File::create(&path).map_err(io(&path))?);
        let mut rows = 0u64;
        // Tables without an integer key are small; they are sorted here so
        // both databases give the same lines.
        let mut unsorted = Vec::new();
        let keyed = crate::store::sorted_by_key(&columns);
        state
            .store
            .for_each_row(table, &columns, |mut row| {
                if belongs_to_this_database(table, &row) {
                    return Ok(());
                }
                withhold(table, &mut row);
                rows += 1;
                if keyed {
                    writeln!(file, "{row}").map_err(io(&path))
                } else {
                    unsorted.push(row.to_string());
                    Ok(())
                }
            })
            .await?;
        unsorted.sort();
        for line in unsorted {
            writeln!(file, "{line}").map_err(io(&path))?;
        }
        file.flush().map_err(io(&path))?;
        drop(file);
        let name = format!("tables/{table}.jsonl");
        let entry = append_file(tar, &name, &path, out)?;
        manifest.tables.insert((*table).to_owned(), rows);
        manifest.files.insert(name, entry);
    }
    Ok(())
}

/// Settings that name this database itself (which search index was built
/// from it): another database is not this one, so they never travel.
fn belongs_to_this_database(table: &str, row: &Value) -> bool {
    table == "site_settings" && row["key"] == crate::search::DATABASE_SETTING
}

fn withhold(table: &str, row: &mut Value) {
    if let Some(object) = row.as_object_mut() {
        for (t, column) in WITHHELD {
            if *t == table && object.contains_key(*column) {
                object.insert((*column).to_owned(), Value::Null);
            }
        }
    }
}

fn scratch_dir(purpose: &str) -> std::io::Result<PathBuf> {
    let dir = std::env::temp_dir().join(format!(
        "newsdesk-{purpose}-{}",
        hex::encode(rand::random::<[u8; 8]>())
    ));
    std::fs::create_dir_all(&dir)?;
    Ok(dir)
}

/// Passes bytes through while counting and hashing them.
struct Hashing<W> {
    inner: W,
    hasher: Sha256,
    bytes: u64,
}

impl<W> Hashing<W> {
    fn new(inner: W) -> Self {
        Hashing {
            inner,
            hasher: Sha256::new(),
            bytes: 0,
        }
    }

    fn entry(self) -> FileEntry {
        FileEntry {
            sha256: hex::encode(self.hasher.finalize()),
            bytes: self.bytes,
        }
    }
}

impl<W: Write> Write for Hashing<W> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let n = self.inner.write(buf)?;
        self.hasher.update(&buf[..n]);
        self.bytes += n as u64;
        Ok(n)
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.inner.flush()
    }
}

impl<R: Read> Read for Hashing<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.hasher.update(&buf[..n]);
        self.bytes += n as u64;
        Ok(n)
    }
}

/// Adds a file to the archive, streamed, and returns its checksum.
fn append_file<W: Write>(
    tar: &mut tar::Builder<W>,
    name: &str,
    path: &Path,
    out: &Path,
) -> Result<FileEntry, ArchiveError> {
    let size = std::fs::metadata(path).map_err(io(path))?.len();
    let mut header = tar::Header::new_gnu();
    header.set_size(size);
    header.set_mode(0o644);
    header.set_mtime(0);
    header.set_cksum();
    let mut reader = Hashing::new(File::open(path).map_err(io(path))?);
    tar.append_data(&mut header, name, &mut reader)
        .map_err(io(out))?;
    Ok(reader.entry())
}

fn append<W: Write>(
    tar: &mut tar::Builder<W>,
    name: &str,
    bytes: &[u8],
    out: &Path,
) -> Result<(), ArchiveError> {
    let mut header = tar::Header::new_gnu();
    header.set_size(bytes.len() as u64);
    header.set_mode(0o644);
    header.set_mtime(0);
    header.set_cksum();
    tar.append_data(&mut header, name, bytes).map_err(io(out))
}

/// What a restore wrote.
#[derive(Debug, Default)]
pub struct RestoreSummary {
    pub rows: BTreeMap<String, u64>,
    pub media_files: usize,
}

/// Restores an export into an empty database. The whole archive is
/// unpacked and checked against its manifest first; the tables are then
/// written in one transaction, so a failure leaves the database empty.
pub async fn restore(state: &AppState, archive: &Path) -> Result<RestoreSummary, ArchiveError> {
    if !state.store.is_empty_newsroom().await? {
        return Err(ArchiveError::Invalid(
            "the database already holds a newsroom: restore into an empty one".into(),
        ));
    }
    let work = scratch_dir("restore").map_err(io(archive))?;
    let result = restore_from(state, archive, &work).await;
    let _ = std::fs::remove_dir_all(&work);
    result
}

async fn restore_from(
    state: &AppState,
    archive: &Path,
    work: &Path,
) -> Result<RestoreSummary, ArchiveError> {
    let manifest = unpack(archive, work)?;
    let mut tx = state.store.pool().begin().await.map_err(StoreError::from)?;
    let mut summary = RestoreSummary::default();
    // Archives from before languages were data name sections in two columns.
    let mut legacy_section_names = Vec::new();
    for table in TABLES {
        let columns = state.store.table_columns(table).await?;
        let path = work.join(format!("tables/{table}.jsonl"));
        let file = match File::open(&path) {
            Ok(file) => file,
            Err(err) if err.kind() == std::io::ErrorKind::NotFound => {
                if *table == "section_names" && !legacy_section_names.is_empty() {
                    state
                        .store
                        .insert_rows(&mut tx, table, &columns, &legacy_section_names)
                        .await?;
                    summary
                        .rows
                        .insert((*table).to_owned(), legacy_section_names.len() as u64);
                }
                // An archive from before a table existed simply has none of it.
                continue;
            }
            Err(err) => return Err(io(&path)(err)),
        };
        let mut batch = Vec::with_capacity(RESTORE_BATCH);
        let mut count = 0u64;
        for (number, line) in BufReader::new(file).lines().enumerate() {
            let line = line.map_err(io(&path))?;
            if line.trim().is_empty() {
                continue;
            }
            let row: Value = serde_json::from_str(&line).map_err(|e| {
                ArchiveError::Invalid(format!("tables/{table}.jsonl line {}: {e}", number + 1))
            })?;
            if belongs_to_this_database(table, &row) {
                continue;
            }
            if *table == "sections" {
                for language in ["uk", "en"] {
                    if let Some(name) = row[format!("name_{language}")].as_str()
                        && !name.is_empty()
                    {
                        legacy_section_names.push(serde_json::json!({
                            "section_id": row["id"], "language": language, "name": name,
                        }));
                    }
                }
            }
            batch.push(row);
            if batch.len() >= RESTORE_BATCH {
                state
                    .store
                    .insert_rows(&mut tx, table, &columns, &batch)
                    .await?;
                count += batch.len() as u64;
                batch.clear();
            }
        }
        state
            .store
            .insert_rows(&mut tx, table, &columns, &batch)
            .await?;
        count += batch.len() as u64;
        summary.rows.insert((*table).to_owned(), count);
    }
    state.store.refresh_membership_lists(&mut tx).await?;
    tx.commit().await.map_err(StoreError::from)?;
    state.store.after_restore(TABLES).await?;

    for name in manifest.files.keys() {
        let Some(key) = name.strip_prefix("media/") else {
            continue;
        };
        let path = work.join(name);
        let bytes = std::fs::read(&path).map_err(io(&path))?;
        state.media.put(key, bytes).await?;
        summary.media_files += 1;
    }
    crate::services::stories_replaced(state).await?;
    Ok(summary)
}

/// Unpacks into `work`, refusing anything that is not a plain file of the
/// expected names, and checks every file against the manifest.
fn unpack(archive: &Path, work: &Path) -> Result<Manifest, ArchiveError> {
    let file = File::open(archive).map_err(io(archive))?;
    let mut tar = tar::Archive::new(GzDecoder::new(file));
    let mut seen: BTreeMap<String, FileEntry> = BTreeMap::new();
    let mut manifest_bytes = None;
    let entries = tar.entries().map_err(io(archive))?;
    for entry in entries {
        let mut entry = entry.map_err(io(archive))?;
        if !entry.header().entry_type().is_file() {
            return Err(ArchiveError::Invalid(
                "the archive holds something other than plain files".into(),
            ));
        }
        let path: PathBuf = entry.path().map_err(io(archive))?.into_owned();
        if !path.components().all(|c| matches!(c, Component::Normal(_))) {
            return Err(ArchiveError::Invalid(format!(
                "the archive names a path outside itself: {}",
                path.display()
            )));
        }
        let name = path
            .components()
            .map(|c| c.as_os_str().to_string_lossy().into_owned())
            .collect::<Vec<_>>()
            .join("/");
        let allowed = name == "manifest.json"
            || name.starts_with("media/")
            || name
                .strip_prefix("tables/")
                .and_then(|t| t.strip_suffix(".jsonl"))
                .is_some_and(|t| TABLES.contains(&t));
        if !allowed {
            return Err(ArchiveError::Invalid(format!(
                "not part of a newsdesk export: {name}"
            )));
        }
        if name == "manifest.json" {
            let mut bytes = Vec::new();
            // A manifest lists files; a megabyte is tens of thousands of them.
            (&mut entry)
                .take(MAX_MANIFEST_BYTES)
                .read_to_end(&mut bytes)
                .map_err(io(archive))?;
            manifest_bytes = Some(bytes);
            continue;
        }
        let target = work.join(&path);
        if let Some(parent) = target.parent() {
            std::fs::create_dir_all(parent).map_err(io(parent))?;
        }
        let mut file = Hashing::new(File::create(&target).map_err(io(&target))?);
        std::io::copy(&mut entry, &mut file).map_err(io(&target))?;
        seen.insert(name, file.entry());
    }
    let bytes = manifest_bytes
        .ok_or_else(|| ArchiveError::Invalid("the archive has no manifest.json".into()))?;
    let manifest: Manifest = serde_json::from_slice(&bytes)
        .map_err(|e| ArchiveError::Invalid(format!("manifest.json: {e}")))?;
    if manifest.format != FORMAT || manifest.version > VERSION {
        return Err(ArchiveError::Invalid(format!(
            "not a newsdesk export this version can read ({} {})",
            manifest.format, manifest.version
        )));
    }
    for (name, expected) in &manifest.files {
        match seen.get(name) {
            Some(found) if found == expected => {}
            Some(_) => {
                return Err(ArchiveError::Invalid(format!(
                    "{name} does not match its checksum: the archive is damaged"
                )));
            }
            None => {
                return Err(ArchiveError::Invalid(format!(
                    "{name} is in the manifest but not in the archive"
                )));
            }
        }
    }
    if let Some(extra) = seen.keys().find(|name| !manifest.files.contains_key(*name)) {
        return Err(ArchiveError::Invalid(format!(
            "{extra} is in the archive but not in its manifest"
        )));
    }
    Ok(manifest)
}
