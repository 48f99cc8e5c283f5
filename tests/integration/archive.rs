//! Moving out and back in: an export restores exactly, on either database.

use axum::http::StatusCode;

use newsdesk::archive::{self, ArchiveError};
use newsdesk::import::{ImportOptions, ghost};

use crate::on_both_backends;
use crate::util::{Backend, TestApp, shared_fixture};

on_both_backends!(an_export_restores_exactly_on_the_other_database);

async fn an_export_restores_exactly_on_the_other_database(backend: Backend) {
    let source = TestApp::with_staff(backend).await;
    // Beyond the demo: imported stories with old addresses, a static page,
    // an uploaded picture.
    ghost::import(
        &source.state,
        &shared_fixture("ghost/ghost-6.65-export.json"),
        &ImportOptions::default(),
    )
    .await
    .unwrap();
    let owner = source
        .state
        .store
        .staff_by_email("owner@example.com")
        .await
        .unwrap();
    let mut png = std::io::Cursor::new(Vec::new());
    image::RgbImage::from_fn(320, 200, |x, _| image::Rgb([x as u8, 80, 120]))
        .write_to(&mut png, image::ImageFormat::Png)
        .unwrap();
    let picture = newsdesk::services::media::upload(
        &source.state,
        owner.id,
        "map.png",
        png.into_inner(),
        "Карта",
        "",
    )
    .await
    .unwrap();

    let dir = std::env::temp_dir().join(format!("newsdesk-archive-{}", rand::random::<u32>()));
    std::fs::create_dir_all(&dir).unwrap();
    let first = dir.join("first.tar.gz");
    let manifest = archive::export(&source.state, &first).await.unwrap();
    assert!(manifest.tables["articles"] > 90, "{:?}", manifest.tables);
    assert!(manifest.files.keys().any(|f| f.starts_with("media/")));

    // Restored on the other database, the newsroom is the same newsroom.
    let other = match backend {
        Backend::Sqlite => Backend::Postgres,
        Backend::Postgres => Backend::Sqlite,
    };
    let target = TestApp::new(other).await;
    let summary = archive::restore(&target.state, &first).await.unwrap();
    assert_eq!(summary.rows["articles"], manifest.tables["articles"]);
    let second = dir.join("second.tar.gz");
    let again = archive::export(&target.state, &second).await.unwrap();
    assert_eq!(again.tables, manifest.tables);
    assert_eq!(
        again.files, manifest.files,
        "export → restore → export is exact"
    );

    let home = source.page("/").await;
    let lead_start = home.find("lead-story__headline").unwrap();
    let lead = TestApp::first_link(&home[lead_start..], "/");
    assert_eq!(target.page(&lead).await, source.page(&lead).await);
    let image = target.get(&picture.url).await;
    assert_eq!(image.status, StatusCode::OK);
    let redirect = target.get("/enerhetyky-povernuly-svitlo/").await;
    assert_eq!(redirect.status, StatusCode::PERMANENT_REDIRECT);
    // Search works on the restored copy (SQLite rebuilds its index).
    assert!(
        target
            .page("/search?q=Енергетики")
            .await
            .contains("Енергетики")
    );
    // New stories get new ids after the restored ones.
    let (max_before,): (i64,) = sqlx::query_as("SELECT MAX(id) FROM articles")
        .fetch_one(target.state.store.pool())
        .await
        .unwrap();
    let mut target = target;
    let created = target
        .api(
            axum::http::Method::POST,
            "/api/admin/articles",
            Some(serde_json::json!({ "headline": "Після відновлення", "body": "Текст.", "language": "uk", "authors": ["editor@example.com"] })),
        )
        .await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.body);
    assert!(created.json()["id"].as_i64().unwrap() > max_before);
    // No one's password travels.
    let (hashes,): (i64,) =
        sqlx::query_as("SELECT COUNT(*) FROM staff WHERE password_hash IS NOT NULL")
            .fetch_one(target.state.store.pool())
            .await
            .unwrap();
    assert_eq!(hashes, 0);

    // Not over a newsroom; not from a damaged archive.
    let refused = archive::restore(&target.state, &first).await.unwrap_err();
    assert!(matches!(refused, ArchiveError::Invalid(_)), "{refused}");
    let damaged = dir.join("damaged.tar.gz");
    {
        use std::io::{Read, Write};
        let mut raw = Vec::new();
        flate2::read::GzDecoder::new(std::fs::File::open(&first).unwrap())
            .read_to_end(&mut raw)
            .unwrap();
        let at = raw
            .windows(12)
            .position(|w| w == "Енерге".as_bytes())
            .unwrap();
        raw[at] = b'X';
        let mut out = flate2::write::GzEncoder::new(
            std::fs::File::create(&damaged).unwrap(),
            flate2::Compression::fast(),
        );
        out.write_all(&raw).unwrap();
        out.finish().unwrap();
    }
    let empty = TestApp::new(backend).await;
    let err = archive::restore(&empty.state, &damaged).await.unwrap_err();
    assert!(err.to_string().contains("checksum"), "{err}");
    assert!(empty.state.store.is_empty_newsroom().await.unwrap());
    let _ = std::fs::remove_dir_all(&dir);
}
