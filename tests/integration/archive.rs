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

/// An archive exported before languages became data names each section in
/// two columns, `name_uk` and `name_en`; restoring it turns them into rows.
#[tokio::test]
async fn an_archive_from_before_section_name_rows_keeps_its_names() {
    use sha2::{Digest, Sha256};
    use std::io::{Read, Write};

    let source = TestApp::with_newsroom(Backend::Sqlite, &[]).await;
    let dir = std::env::temp_dir().join(format!("newsdesk-old-archive-{}", rand::random::<u32>()));
    std::fs::create_dir_all(&dir).unwrap();
    let current = dir.join("current.tar.gz");
    archive::export(&source.state, &current).await.unwrap();

    // Unpack, and write the sections as the old format did.
    let mut files: Vec<(String, Vec<u8>)> = Vec::new();
    let mut reader = tar::Archive::new(flate2::read::GzDecoder::new(
        std::fs::File::open(&current).unwrap(),
    ));
    for entry in reader.entries().unwrap() {
        let mut entry = entry.unwrap();
        let name = entry.path().unwrap().display().to_string();
        let mut bytes = Vec::new();
        entry.read_to_end(&mut bytes).unwrap();
        files.push((name, bytes));
    }
    let names: Vec<serde_json::Value> = files
        .iter()
        .find(|(n, _)| n == "tables/section_names.jsonl")
        .map(|(_, b)| {
            String::from_utf8_lossy(b)
                .lines()
                .map(|l| serde_json::from_str(l).unwrap())
                .collect()
        })
        .unwrap();
    let mut manifest: serde_json::Value = files
        .iter()
        .find(|(n, _)| n == "manifest.json")
        .map(|(_, b)| serde_json::from_slice(b).unwrap())
        .unwrap();
    files.retain(|(n, _)| n != "tables/section_names.jsonl" && n != "manifest.json");
    manifest["tables"]
        .as_object_mut()
        .unwrap()
        .remove("section_names");
    manifest["files"]
        .as_object_mut()
        .unwrap()
        .remove("tables/section_names.jsonl");
    for (name, bytes) in &mut files {
        if name != "tables/sections.jsonl" {
            continue;
        }
        let old: Vec<String> = String::from_utf8_lossy(bytes)
            .lines()
            .map(|line| {
                let mut row: serde_json::Value = serde_json::from_str(line).unwrap();
                for language in ["uk", "en"] {
                    let name = names
                        .iter()
                        .find(|n| n["section_id"] == row["id"] && n["language"] == language)
                        .map(|n| n["name"].clone())
                        .unwrap_or_else(|| "".into());
                    row[format!("name_{language}")] = name;
                }
                row.to_string()
            })
            .collect();
        *bytes = (old.join("\n") + "\n").into_bytes();
        manifest["files"][name.as_str()] = serde_json::json!({
            "sha256": hex::encode(Sha256::digest(&bytes[..])),
            "bytes": bytes.len(),
        });
    }
    let old = dir.join("old.tar.gz");
    let mut writer = tar::Builder::new(flate2::write::GzEncoder::new(
        std::fs::File::create(&old).unwrap(),
        flate2::Compression::fast(),
    ));
    let manifest_bytes = serde_json::to_vec_pretty(&manifest).unwrap();
    for (name, bytes) in files
        .iter()
        .chain([("manifest.json".to_owned(), manifest_bytes)].iter())
    {
        let mut header = tar::Header::new_gnu();
        header.set_size(bytes.len() as u64);
        header.set_mode(0o644);
        header.set_cksum();
        writer.append_data(&mut header, name, &bytes[..]).unwrap();
    }
    writer
        .into_inner()
        .unwrap()
        .finish()
        .unwrap()
        .flush()
        .unwrap();

    let target = TestApp::new(Backend::Postgres).await;
    archive::restore(&target.state, &old).await.unwrap();
    let news = target.state.store.section_by_slug("news").await.unwrap();
    assert_eq!(news.name("uk"), "Новини");
    assert_eq!(news.name("en"), "News");
    std::fs::remove_dir_all(&dir).unwrap();
}
