//! Backups of a SQLite newsroom while it serves: the database copied with
//! `VACUUM INTO` (one consistent snapshot, readers and writers carry on),
//! then the media (from the folder or the bucket), which only grow, so every
//! file the snapshot names is there. `restore` puts a backup back into an
//! empty data directory and the configured media store.
//! PostgreSQL newsrooms use `pg_dump` and the media folder
//! (docs/OPERATIONS.md).

use std::path::{Path, PathBuf};

use crate::app::AppState;
use crate::media_store::{MediaStore, MediaStoreError};
use crate::store::Backend;

const DATABASE_FILE: &str = "newsdesk.db";
const MEDIA_DIR: &str = "media";

#[derive(Debug, thiserror::Error)]
pub enum BackupError {
    #[error(
        "this newsroom runs on PostgreSQL: back it up with pg_dump and a copy of the media folder (docs/OPERATIONS.md)"
    )]
    Postgres,
    #[error("{0} already holds something: back up into a new or empty folder")]
    NotEmpty(PathBuf),
    #[error("{0} is not a newsdesk backup (no {DATABASE_FILE})")]
    NotABackup(PathBuf),
    #[error("{0} already holds a newsroom: restore into a new data folder")]
    Occupied(PathBuf),
    #[error("{path}: {source}")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("the database: {0}")]
    Database(#[from] sqlx::Error),
    #[error("{0}")]
    Media(#[from] MediaStoreError),
}

impl BackupError {
    /// 2 for what the operator can correct, 1 for failures.
    pub fn exit_code(&self) -> u8 {
        match self {
            BackupError::Io { .. } | BackupError::Database(_) | BackupError::Media(_) => 1,
            _ => 2,
        }
    }
}

fn io(path: &Path) -> impl FnOnce(std::io::Error) -> BackupError + '_ {
    move |source| BackupError::Io {
        path: path.to_owned(),
        source,
    }
}

/// What a backup holds.
#[derive(Debug, Default)]
pub struct BackupSummary {
    pub database_bytes: u64,
    pub media_files: u64,
}

/// Takes a backup of the serving newsroom into `dir` (created; must be empty).
pub async fn take(state: &AppState, dir: &Path) -> Result<BackupSummary, BackupError> {
    if state.store.backend() != Backend::Sqlite {
        return Err(BackupError::Postgres);
    }
    if dir.exists() && std::fs::read_dir(dir).map_err(io(dir))?.next().is_some() {
        return Err(BackupError::NotEmpty(dir.to_owned()));
    }
    std::fs::create_dir_all(dir).map_err(io(dir))?;
    let target = dir.join(DATABASE_FILE);
    sqlx::query("VACUUM INTO $1")
        .bind(target.display().to_string())
        .execute(state.store.pool())
        .await?;
    let mut media_files = 0;
    for key in state.media.keys().await? {
        let Some(bytes) = state.media.get(&key).await? else {
            continue; // deleted since it was listed: the snapshot no longer names it
        };
        let target = dir.join(MEDIA_DIR).join(&key);
        if let Some(parent) = target.parent() {
            std::fs::create_dir_all(parent).map_err(io(parent))?;
        }
        std::fs::write(&target, &bytes).map_err(io(&target))?;
        media_files += 1;
    }
    Ok(BackupSummary {
        database_bytes: std::fs::metadata(&target).map_err(io(&target))?.len(),
        media_files,
    })
}

/// Puts the backup in `dir` back: the database to `database_file`, which
/// must not exist yet (stop any server first), the media into `media`.
pub async fn restore(
    dir: &Path,
    database_file: &Path,
    media: &MediaStore,
) -> Result<BackupSummary, BackupError> {
    let source = dir.join(DATABASE_FILE);
    if !source.is_file() {
        return Err(BackupError::NotABackup(dir.to_owned()));
    }
    let target = database_file.to_owned();
    if target.exists() {
        return Err(BackupError::Occupied(target));
    }
    if let Some(parent) = target.parent() {
        std::fs::create_dir_all(parent).map_err(io(parent))?;
    }
    std::fs::copy(&source, &target).map_err(io(&target))?;
    let media_files = put_tree(&dir.join(MEDIA_DIR), media).await?;
    Ok(BackupSummary {
        database_bytes: std::fs::metadata(&target).map_err(io(&target))?.len(),
        media_files,
    })
}

/// Puts every file below `from` into `media` under its relative path; a
/// missing `from` is no files.
pub async fn put_tree(from: &Path, media: &MediaStore) -> Result<u64, BackupError> {
    if !from.is_dir() {
        return Ok(0);
    }
    let mut copied = 0;
    let mut folders = vec![PathBuf::new()];
    while let Some(relative) = folders.pop() {
        let here = from.join(&relative);
        for entry in std::fs::read_dir(&here).map_err(io(&here))? {
            let entry = entry.map_err(io(&here))?;
            let kind = entry.file_type().map_err(io(&here))?;
            let name = relative.join(entry.file_name());
            if kind.is_dir() {
                folders.push(name);
            } else if kind.is_file() {
                let key = name
                    .iter()
                    .map(|part| part.to_string_lossy())
                    .collect::<Vec<_>>()
                    .join("/");
                let path = entry.path();
                let bytes = std::fs::read(&path).map_err(io(&path))?;
                media.put(&key, bytes).await?;
                copied += 1;
            }
        }
    }
    Ok(copied)
}
