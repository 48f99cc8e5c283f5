//! Media in an S3-compatible bucket: a real S3 server (moto, from PyPI) on
//! 127.0.0.1, started by the test; uploads, variants, pages, a second node,
//! exports and deletes all go through it, and nothing lands on local disk.

use axum::http::StatusCode;

use crate::admin::{jpeg_with_exif, upload};
use crate::on_both_backends;
use crate::util::{Backend, TestApp, get_via};

on_both_backends!(media_live_in_a_bucket_every_node_shares);

/// `moto_server` (moto's S3 in server mode) on a free loopback port,
/// stopped when dropped.
pub struct LocalS3 {
    pub url: String,
    server: std::process::Child,
    http: reqwest::Client,
}

impl LocalS3 {
    pub async fn start() -> LocalS3 {
        let program = std::env::var("NEWSDESK_TEST_MOTO_SERVER").unwrap_or("moto_server".into());
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let server = std::process::Command::new(&program)
            .args(["-H", "127.0.0.1", "-p", &port.to_string()])
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap_or_else(|e| {
                panic!("{program} (pip install 'moto[server]'; scripts/test does): {e}")
            });
        // Held from here on, so the server is stopped (and waited for) whatever happens.
        let s3 = LocalS3 {
            url: format!("http://127.0.0.1:{port}"),
            server,
            http: reqwest::Client::new(),
        };
        for _ in 0..300 {
            if s3.http.get(&s3.url).send().await.is_ok() {
                return s3;
            }
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        }
        panic!("moto did not start on {}", s3.url);
    }

    pub async fn create_bucket(&self, bucket: &str) {
        let created = self
            .http
            .put(format!("{}/{bucket}", self.url))
            .send()
            .await
            .unwrap();
        assert!(created.status().is_success(), "{}", created.status());
    }

    /// The bucket's keys under `prefix`, as S3's own listing gives them.
    pub async fn keys(&self, bucket: &str, prefix: &str) -> Vec<String> {
        let listing = self
            .http
            .get(format!("{}/{bucket}?list-type=2&prefix={prefix}", self.url))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        let mut keys: Vec<String> = listing
            .split("<Key>")
            .skip(1)
            .filter_map(|part| part.split_once("</Key>").map(|(key, _)| key.to_owned()))
            .collect();
        keys.sort();
        keys
    }

    /// The object's headers. moto checks that a request is signed, not the
    /// signature, so a credential-shaped header reads what readers could not.
    pub async fn head(&self, bucket: &str, key: &str) -> reqwest::Response {
        self.http
            .head(format!("{}/{bucket}/{key}", self.url))
            .header(
                "authorization",
                "AWS4-HMAC-SHA256 Credential=testing/20261203/us-east-1/s3/aws4_request, SignedHeaders=host, Signature=0",
            )
            .send()
            .await
            .unwrap()
    }

    pub fn stop(mut self) {
        let _ = self.server.kill();
        let _ = self.server.wait();
    }
}

impl Drop for LocalS3 {
    fn drop(&mut self) {
        let _ = self.server.kill();
        let _ = self.server.wait();
    }
}

fn files_under(dir: &std::path::Path) -> usize {
    std::fs::read_dir(dir).map_or(0, |entries| {
        entries
            .flatten()
            .map(|entry| {
                let path = entry.path();
                if path.is_dir() { files_under(&path) } else { 1 }
            })
            .sum()
    })
}

async fn media_live_in_a_bucket_every_node_shares(backend: Backend) {
    let s3 = LocalS3::start().await;
    s3.create_bucket("newsroom").await;
    let app = TestApp::with_staff_and_env(
        backend,
        &[
            ("NEWSDESK_MEDIA_STORE", "s3://newsroom/site-a"),
            ("NEWSDESK_MEDIA_S3_ENDPOINT", &s3.url),
            ("NEWSDESK_MEDIA_S3_ACCESS_KEY_ID", "testing"),
            ("NEWSDESK_MEDIA_S3_SECRET_ACCESS_KEY", "testing"),
            (
                "NEWSDESK_MEDIA_PUBLIC_URL",
                "https://media.example.net/site-a",
            ),
        ],
    )
    .await;

    // Moving in from one server's disk: `newsdesk push-media` copies the old folder over.
    let old = app.data_dir.join("old-media");
    std::fs::create_dir_all(old.join("2025/01")).unwrap();
    std::fs::write(old.join("2025/01/0123abcd.jpg"), b"\xFF\xD8\xFFold photo").unwrap();
    let data_dir = app.data_dir.join("operator").display().to_string();
    let pushed = std::process::Command::new(env!("CARGO_BIN_EXE_newsdesk"))
        .args(["push-media", "--from", &old.display().to_string()])
        .args(["--data-dir", &data_dir])
        .env("NEWSDESK_MEDIA_STORE", "s3://newsroom/site-a")
        .env("NEWSDESK_MEDIA_S3_ENDPOINT", &s3.url)
        .env("NEWSDESK_MEDIA_S3_ACCESS_KEY_ID", "testing")
        .env("NEWSDESK_MEDIA_S3_SECRET_ACCESS_KEY", "testing")
        .output()
        .unwrap();
    let said = String::from_utf8_lossy(&pushed.stdout);
    assert!(
        pushed.status.success(),
        "{said} {}",
        String::from_utf8_lossy(&pushed.stderr)
    );
    assert!(
        said.contains("copied 1 media files into s3://newsroom/site-a"),
        "{said}"
    );
    let moved = app.get("/media/2025/01/0123abcd.jpg").await;
    assert_eq!(moved.status, StatusCode::OK);
    assert!(moved.body.ends_with("old photo"));
    assert_eq!(
        s3.keys("newsroom", "site-a/").await,
        ["site-a/2025/01/0123abcd.jpg"]
    );

    let editor = app.sign_in("editor@example.com").await;
    let uploaded = upload(&app, &editor, "cover.jpg", &jpeg_with_exif(), true).await;
    assert_eq!(uploaded.status, StatusCode::CREATED, "{}", uploaded.body);
    let url = uploaded.json()["url"].as_str().unwrap().to_owned();
    let key = url.strip_prefix("/media/").unwrap().to_owned();
    let (stem, _) = key.rsplit_once('.').unwrap();

    // Every size is in the bucket, under the prefix, typed and immutable; none on disk.
    let mut expected: Vec<String> = ["", "-480", "-960", "-1600"]
        .iter()
        .map(|suffix| format!("site-a/{stem}{suffix}.jpg"))
        .collect();
    expected.sort();
    let this_month = format!("site-a/{}/", &key[..7]);
    assert_eq!(s3.keys("newsroom", &this_month).await, expected);
    let head = s3.head("newsroom", &format!("site-a/{key}")).await;
    assert_eq!(head.status(), 200, "{:?}", head.headers());
    assert_eq!(head.headers()["content-type"], "image/jpeg");
    assert!(
        head.headers()["cache-control"]
            .to_str()
            .unwrap()
            .contains("immutable")
    );
    let stored_length = head.headers()["content-length"]
        .to_str()
        .unwrap()
        .to_owned();
    assert_eq!(
        files_under(&app.data_dir.join("media")),
        0,
        "nothing on this node's disk"
    );

    // Every node serves the bucket's bytes at /media/… (for links already out there).
    let served = app.get(&url).await;
    assert_eq!(served.status, StatusCode::OK);
    assert_eq!(served.header("content-type"), "image/jpeg");
    assert_eq!(served.header("content-length"), stored_length);
    // A second node on another machine: its own (empty) data folder, the same database and bucket.
    let mut elsewhere = app.state.config.as_ref().clone();
    elsewhere.data_dir = app.data_dir.join("second-node");
    let store = newsdesk::store::Store::connect(&app.database_url, 2)
        .await
        .unwrap();
    let second = newsdesk::app::AppState::with_store(elsewhere, store).unwrap();
    let (status, _) = get_via(&newsdesk::http::router(second), &url).await;
    assert_eq!(
        status,
        StatusCode::OK,
        "the second node serves it from the bucket"
    );
    assert_eq!(
        app.get(&format!("/media/{stem}-9999.jpg")).await.status,
        StatusCode::NOT_FOUND
    );

    // Pages point readers at the public media URL, and the CSP lets them load it.
    let saved = app
        .admin_post(
            &editor,
            "/admin/articles/3",
            &[
                ("version", "1"),
                ("language", "uk"),
                ("headline", "Міст з обкладинкою"),
                ("body", &format!("Текст.\n\n![Міст]({url})")),
                ("cover_url", &url),
                ("cover_alt", "Міст"),
            ],
        )
        .await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.body);
    let public = TestApp::first_link(
        &app.admin_get(&editor, "/admin/articles/3").await.body,
        "/2026/",
    );
    let page = app.get(&public).await;
    let cdn = "https://media.example.net/site-a";
    for wanted in [
        format!("<img src=\"{cdn}/{key}\""),
        format!("{cdn}/{stem}-480.jpg 480w, {cdn}/{stem}-960.jpg 960w"),
        format!("<meta property=\"og:image\" content=\"{cdn}/{key}\""),
        format!("src=\"{cdn}/{key}\" alt=\"Міст\""),
    ] {
        assert!(page.body.contains(&wanted), "{wanted}");
    }
    assert!(!page.body.contains("\"/media/"), "no image left on /media/");
    assert!(
        page.header("content-security-policy")
            .contains("img-src 'self' data: https://media.example.net;"),
        "{}",
        page.header("content-security-policy")
    );
    let home = app.get("/").await;
    assert!(home.body.contains(&format!("{cdn}/{stem}-480.jpg")));

    // An export carries the bucket's media.
    let archive = app.data_dir.join("export.tar.gz");
    let manifest = newsdesk::archive::export(&app.state, &archive)
        .await
        .unwrap();
    assert!(manifest.files.contains_key(&format!("media/{key}")));

    // Deleting the image deletes every size from the bucket.
    let media_id = app.state.store.media_list(1).await.unwrap()[0].id;
    let cleared = app
        .admin_post(
            &editor,
            "/admin/articles/3",
            &[
                ("version", "2"),
                ("language", "uk"),
                ("headline", "Без обкладинки"),
                ("body", "Текст."),
                ("cover_url", ""),
            ],
        )
        .await;
    assert_eq!(cleared.status, StatusCode::SEE_OTHER, "{}", cleared.body);
    let deleted = app
        .admin_post(&editor, &format!("/admin/media/{media_id}/delete"), &[])
        .await;
    assert_eq!(deleted.status, StatusCode::SEE_OTHER);
    assert_eq!(s3.keys("newsroom", &this_month).await, Vec::<String>::new());
    assert_eq!(app.get(&url).await.status, StatusCode::NOT_FOUND);

    // The bucket gone: a clear 503, never a hang or a panic.
    s3.stop();
    let asked = std::time::Instant::now();
    let gone = app.get(&url).await;
    assert_eq!(gone.status, StatusCode::SERVICE_UNAVAILABLE);
    assert!(
        asked.elapsed() < std::time::Duration::from_secs(10),
        "{:?}",
        asked.elapsed()
    );
    assert!(!gone.header("retry-after").is_empty());
}
