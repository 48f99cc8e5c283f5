//! Backups of a SQLite newsroom while it serves: the database copied with
//! `VACUUM INTO` (one consistent snapshot, readers and writers carry on),
//! then the media, which only grow, so every file the snapshot names is
//! there. `restore` puts a backup back into an empty data directory.
//! PostgreSQL newsrooms use `pg_dump` and the media folder
//! (docs/OPERATIONS.md).

use std::path::{Path, PathBuf};

use crate::app::AppState;
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
}

impl BackupError {
    /// 2 for what the operator can correct, 1 for failures.
    pub fn exit_code(&self) -> u8 {
        match self {
            BackupError::Io { .. } | BackupError::Database(_) => 1,
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
    let media_files = copy_tree(
        &crate::services::media::media_root(state),
        &dir.join(MEDIA_DIR),
    )?;
    Ok(BackupSummary {
        database_bytes: std::fs::metadata(&target).map_err(io(&target))?.len(),
        media_files,
    })
}

/// Puts the backup in `dir` back: the database to `database_file`, which
/// must not exist yet (stop any server first), the media under `data_dir`.
pub fn restore(
    dir: &Path,
    database_file: &Path,
    data_dir: &Path,
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
    let media_files = copy_tree(&dir.join(MEDIA_DIR), &data_dir.join(MEDIA_DIR))?;
    Ok(BackupSummary {
        database_bytes: std::fs::metadata(&target).map_err(io(&target))?.len(),
        media_files,
    })
}

/// Copies every file below `from` to `to`; a missing `from` is no files.
fn copy_tree(from: &Path, to: &Path) -> Result<u64, BackupError> {
    if !from.is_dir() {
        return Ok(0);
    }
    let mut copied = 0;
    let mut folders = vec![PathBuf::new()];
    while let Some(relative) = folders.pop() {
        let here = from.join(&relative);
        std::fs::create_dir_all(to.join(&relative)).map_err(io(to))?;
        for entry in std::fs::read_dir(&here).map_err(io(&here))? {
            let entry = entry.map_err(io(&here))?;
            let kind = entry.file_type().map_err(io(&here))?;
            let name = relative.join(entry.file_name());
            if kind.is_dir() {
                folders.push(name);
            } else if kind.is_file() {
                let target = to.join(&name);
                std::fs::copy(entry.path(), &target).map_err(io(&target))?;
                copied += 1;
            }
        }
    }
    Ok(copied)
}
