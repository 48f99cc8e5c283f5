//! The static mirror: the demo written as files, served by a plain static
//! file server (Python's http.server) on 127.0.0.1, read like a reader and
//! a feed reader would, kept in step as stories are published and taken down.

use axum::http::{Method, StatusCode};

use crate::on_both_backends;
use crate::util::{ArticleBuilder, Backend, TestApp};

on_both_backends!(the_mirror_serves_every_page_type_and_follows_changes);

/// `python3 -m http.server` on a free loopback port, stopped when dropped.
struct StaticServer {
    url: String,
    process: std::process::Child,
}

impl StaticServer {
    async fn start(dir: &std::path::Path) -> StaticServer {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let process = std::process::Command::new("python3")
            .args([
                "-m",
                "http.server",
                "--bind",
                "127.0.0.1",
                &port.to_string(),
            ])
            .arg("--directory")
            .arg(dir)
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap();
        let server = StaticServer {
            url: format!("http://127.0.0.1:{port}"),
            process,
        };
        for _ in 0..200 {
            if reqwest::get(&server.url).await.is_ok() {
                return server;
            }
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        }
        panic!("the static server did not start");
    }

    async fn get(&self, path: &str) -> (StatusCode, String, String) {
        let response = reqwest::get(format!("{}{path}", self.url)).await.unwrap();
        let status = StatusCode::from_u16(response.status().as_u16()).unwrap();
        let content_type = response
            .headers()
            .get("content-type")
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_owned();
        (
            status,
            content_type,
            response.text().await.unwrap_or_default(),
        )
    }
}

impl Drop for StaticServer {
    fn drop(&mut self) {
        let _ = self.process.kill();
        let _ = self.process.wait();
    }
}

/// Root-relative addresses a page makes the reader follow or fetch.
fn local_links(html: &str) -> Vec<String> {
    let mut links = Vec::new();
    for attribute in ["href=\"", "src=\""] {
        for part in html.split(attribute).skip(1) {
            let value = part.split('"').next().unwrap_or("");
            if value.starts_with('/') && !value.starts_with("//") {
                links.push(value.split('#').next().unwrap().replace("&amp;", "&"));
            }
        }
    }
    links.sort();
    links.dedup();
    links
}

async fn the_mirror_serves_every_page_type_and_follows_changes(backend: Backend) {
    let mut app = TestApp::with_demo(backend).await;
    let dir = app.data_dir.join("mirror");
    let target = newsdesk::media_store::MediaStore::folder(&dir).unwrap();
    let mut mirror = newsdesk::mirror::Mirror::new(app.state.clone(), target);
    let first = mirror.full().await.unwrap();
    assert!(first.written > 50, "{first:?}");
    let server = StaticServer::start(&dir).await;

    // Every page type, from plain files.
    let (status, _, home) = server.get("/").await;
    assert_eq!(status, StatusCode::OK);
    let article = TestApp::first_link(&home, "/20");
    let (status, _, story) = server.get(&article).await;
    assert_eq!(status, StatusCode::OK, "{article}");
    assert!(
        story.contains(&format!(
            "<link rel=\"canonical\" href=\"https://news.example.org{article}\">"
        )),
        "the mirror names the main site as the story's home"
    );
    assert!(
        story.contains("action=\"https://news.example.org/search\""),
        "forms go to the main site"
    );
    let day = article.rsplit_once('/').unwrap().0.to_owned();
    let section = TestApp::first_link(&story, "/section/");
    let tag = TestApp::first_link(&story, "/tag/");
    let author = TestApp::first_link(&story, "/author/");
    for path in [
        "/en".to_owned(),
        section,
        tag,
        author,
        day,
        "/sitemap.xml".into(),
        "/robots.txt".into(),
        "/static/site.css".into(),
    ] {
        let (status, _, _) = server.get(&path).await;
        assert_eq!(status, StatusCode::OK, "{path}");
    }
    for feed in ["/feed.xml", "/en/atom.xml"] {
        let (status, _, xml) = server.get(feed).await;
        assert_eq!(status, StatusCode::OK, "{feed}");
        let parsed = feed_rs::parser::parse(xml.as_bytes()).unwrap();
        assert!(parsed.entries.len() >= 5, "{feed}");
    }
    // The same signatures: a reader on the mirror can check what they read.
    let (status, _, keys) = server.get("/.well-known/newsdesk-keys.json").await;
    assert_eq!(status, StatusCode::OK);
    let (status, _, signed) = server.get(&format!("{article}.signed.json")).await;
    assert_eq!(status, StatusCode::OK);
    let key_list: serde_json::Value = serde_json::from_str(&keys).unwrap();
    let trusted: Vec<newsdesk::services::signing::TrustedKey> =
        serde_json::from_value(key_list["keys"].clone()).unwrap();
    newsdesk::services::signing::verify_document(&signed, &trusted).unwrap();

    // Every link on the home page and a story resolves on the mirror.
    for page in [&home, &story] {
        for link in local_links(page) {
            let (status, _, _) = server.get(&link).await;
            assert_eq!(status, StatusCode::OK, "{link} on the mirror");
        }
    }

    // A new story reaches the mirror in one round, touching only what it changes.
    let published = app
        .publish(
            ArticleBuilder::new("Дзеркало отримало новий матеріал")
                .body("Текст нового матеріалу.")
                .json(),
        )
        .await;
    let path = TestApp::path_of(published["url"].as_str().unwrap());
    let round = mirror.catch_up().await.unwrap();
    assert!(
        round.written > 0 && round.written < first.written / 2,
        "{round:?} of {first:?}"
    );
    assert!(
        server
            .get("/")
            .await
            .2
            .contains("Дзеркало отримало новий матеріал")
    );
    assert_eq!(server.get(&path).await.0, StatusCode::OK);
    assert_eq!(
        server.get(&format!("{path}.signed.json")).await.0,
        StatusCode::OK
    );

    // A live page: its updates are mirrored; the mirror opens no stream it cannot serve.
    let id = published["id"].as_i64().unwrap();
    let story_id = newsdesk::store::ArticleId(id);
    newsdesk::services::live::start(&app.state, story_id)
        .await
        .unwrap();
    newsdesk::services::live::add_update(
        &app.state,
        story_id,
        None,
        &newsdesk::services::live::UpdateInput {
            body: "Перше оновлення для дзеркала.".into(),
            ..Default::default()
        },
    )
    .await
    .unwrap();
    mirror.catch_up().await.unwrap();
    let live = server.get(&path).await.2;
    assert!(live.contains("Перше оновлення для дзеркала."));
    assert!(!live.contains("data-live-events"));

    // Taken down: gone from the mirror too.
    let down = app
        .api(
            Method::POST,
            &format!("/api/admin/articles/{id}/unpublish"),
            None,
        )
        .await;
    assert!(down.status.is_success(), "{}", down.body);
    let round = mirror.catch_up().await.unwrap();
    assert!(round.removed >= 2, "{round:?}");
    assert_eq!(server.get(&path).await.0, StatusCode::NOT_FOUND);
    assert_eq!(
        server.get(&format!("{path}.signed.json")).await.0,
        StatusCode::NOT_FOUND
    );
    assert!(
        !server
            .get("/")
            .await
            .2
            .contains("Дзеркало отримало новий матеріал")
    );
}
