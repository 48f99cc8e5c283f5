//! `newsdesk backup` while the newsroom writes, and `newsdesk restore`:
//! every story committed before the backup began is in it, the database is
//! whole, the media came along; wrong folders and PostgreSQL are refused.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use newsdesk::backup::{self, BackupError};
use newsdesk::services::articles::{self, ArticleInput, PublishInput};
use newsdesk::store::{ArticleStatus, Store};

use crate::util::{ArticleBuilder, Backend, TestApp};

async fn write_story(state: &newsdesk::app::AppState, headline: &str) -> i64 {
    let input: ArticleInput = serde_json::from_value(ArticleBuilder::new(headline).json()).unwrap();
    let view = articles::create_article(state, input, "test")
        .await
        .unwrap();
    articles::publish_article(state, view.article.id, "test", PublishInput::default())
        .await
        .unwrap();
    view.article.id.0
}

#[tokio::test]
async fn a_backup_taken_while_writing_loses_nothing() {
    let app = TestApp::with_newsroom(Backend::Sqlite, &[]).await;
    let media = app.data_dir.join("media/2026/12");
    std::fs::create_dir_all(&media).unwrap();
    std::fs::write(media.join("photo.webp"), b"not really a picture").unwrap();
    for n in 0..5 {
        write_story(&app.state, &format!("Before the backup {n}")).await;
    }

    // A writer keeps publishing while the backup is taken.
    let started = Arc::new(AtomicBool::new(false));
    let writer = tokio::spawn({
        let state = app.state.clone();
        let started = started.clone();
        async move {
            let mut before_backup = Vec::new();
            for n in 0..40 {
                let id = write_story(&state, &format!("Under load {n}")).await;
                if !started.load(Ordering::SeqCst) {
                    before_backup.push(id);
                }
                tokio::task::yield_now().await;
            }
            before_backup
        }
    });
    tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    started.store(true, Ordering::SeqCst);
    let dir = app.data_dir.join("backup");
    let summary = backup::take(&app.state, &dir).await.unwrap();
    assert_eq!(summary.media_files, 1);
    let committed_before = writer.await.unwrap();
    assert!(
        !committed_before.is_empty(),
        "the writer was writing during the backup"
    );

    // Refused: a folder in use, a data folder that already has a newsroom.
    assert!(matches!(
        backup::take(&app.state, &dir).await,
        Err(BackupError::NotEmpty(_))
    ));
    let restored_dir = app.data_dir.join("restored");
    let restored_db = restored_dir.join("newsdesk.db");
    let restored_media =
        newsdesk::media_store::MediaStore::folder(&restored_dir.join("media")).unwrap();
    backup::restore(&dir, &restored_db, &restored_media)
        .await
        .unwrap();
    assert!(matches!(
        backup::restore(&dir, &restored_db, &restored_media).await,
        Err(BackupError::Occupied(_))
    ));
    assert!(restored_dir.join("media/2026/12/photo.webp").is_file());

    let store = Store::connect(&format!("sqlite://{}", restored_db.display()), 2)
        .await
        .unwrap();
    let (check,): (String,) = sqlx::query_as("PRAGMA integrity_check")
        .fetch_one(store.pool())
        .await
        .unwrap();
    assert_eq!(check, "ok");
    for id in &committed_before {
        let row = store
            .article_row(newsdesk::store::ArticleId(*id))
            .await
            .unwrap_or_else(|e| panic!("story {id} committed before the backup is missing: {e}"));
        assert_eq!(row.status, ArticleStatus::Published);
    }
    let (stories,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM articles")
        .fetch_one(store.pool())
        .await
        .unwrap();
    assert!(stories >= 5 + committed_before.len() as i64);
    store.close().await;
}

#[tokio::test]
async fn postgres_newsrooms_are_pointed_to_pg_dump() {
    let app = TestApp::with_newsroom(Backend::Postgres, &[]).await;
    let err = backup::take(&app.state, &app.data_dir.join("backup"))
        .await
        .err()
        .unwrap();
    assert!(matches!(err, BackupError::Postgres));
    assert!(err.to_string().contains("pg_dump"));
}
