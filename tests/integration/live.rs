//! Live coverage end to end: an editor makes a story live and posts
//! updates from the admin; readers connected to either node get each one
//! pushed (Server-Sent Events); the page, its structured data, its feed,
//! its signed version and Telegram follow; closing ends it with a summary.

use std::time::Duration;

use axum::body::Body;
use axum::http::{Request, StatusCode};
use http_body_util::BodyExt;
use tower::ServiceExt;

use crate::fakes::{BOT_TOKEN, FakeTelegram};
use crate::on_both_backends;
use crate::util::{ArticleBuilder, Backend, TestApp};

on_both_backends!(
    a_live_page_reaches_readers_as_it_happens,
    the_admin_api_runs_a_live_page
);

/// A reader's open event stream.
struct Listener {
    body: Body,
    seen: String,
}

impl Listener {
    async fn open(router: &axum::Router, path: &str) -> Listener {
        let response = router
            .clone()
            .oneshot(
                Request::builder()
                    .uri(format!("{path}/events"))
                    .header("accept", "text/event-stream")
                    .body(Body::empty())
                    .unwrap(),
            )
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::OK);
        assert_eq!(response.headers()["content-type"], "text/event-stream");
        Listener {
            body: response.into_body(),
            seen: String::new(),
        }
    }

    /// Reads until `wanted` has arrived (or fails after five seconds).
    async fn until(&mut self, wanted: &str) -> String {
        let deadline = tokio::time::Instant::now() + Duration::from_secs(5);
        while !self.seen.contains(wanted) {
            let frame = tokio::time::timeout_at(deadline, self.body.frame())
                .await
                .unwrap_or_else(|_| panic!("no {wanted:?} in {:?}", self.seen))
                .unwrap()
                .unwrap();
            if let Ok(data) = frame.into_data() {
                self.seen.push_str(&String::from_utf8_lossy(&data));
            }
        }
        self.seen.clone()
    }
}

async fn a_live_page_reaches_readers_as_it_happens(backend: Backend) {
    let (telegram, telegram_base) = FakeTelegram::start().await;
    let app = TestApp::with_staff_and_env(
        backend,
        &[
            ("NEWSDESK_TELEGRAM_BOT_TOKEN", BOT_TOKEN),
            ("NEWSDESK_TELEGRAM_CHANNEL_UK", "@newsroom_uk"),
            ("NEWSDESK_TELEGRAM_API_BASE", &telegram_base),
        ],
    )
    .await;
    let editor = app.sign_in("editor@example.com").await;
    let started = app
        .admin_post(&editor, "/admin/articles/3/live/start", &[])
        .await;
    assert_eq!(started.status, StatusCode::SEE_OTHER, "{}", started.body);
    let path = TestApp::first_link(
        &app.admin_get(&editor, "/admin/articles/3").await.body,
        "/2026/",
    );
    let page = app.get(&path).await.body;
    assert!(page.contains("\"@type\":\"LiveBlogPosting\""));
    assert!(page.contains(&format!("data-live-events=\"{path}/events\"")));

    // Readers on this node and on another node have the page open.
    let mut here = Listener::open(&app.router, &path).await;
    let (other, other_router) = app.second_node().await;
    let seen_by_other = other.store.latest_content_change().await.unwrap();
    let mut there = Listener::open(&other_router, &path).await;

    let posted = app
        .admin_post(
            &editor,
            "/admin/articles/3/live/update",
            &[
                ("body", "Рятувальники відкрили **другий** пункт обігріву."),
                ("source", "ДСНС"),
                ("source_url", "https://dsns.gov.ua/"),
                ("to_telegram", "on"),
            ],
        )
        .await;
    assert_eq!(posted.status, StatusCode::SEE_OTHER, "{}", posted.body);
    let update = app
        .state
        .store
        .live_updates(newsdesk::store::ArticleId(3))
        .await
        .unwrap()[0]
        .id;
    let anchor = format!("id=\"update-{update}\"");
    let pushed = here.until("<strong>другий</strong>").await;
    assert!(pushed.contains("event: update"), "{pushed}");
    assert!(pushed.contains(&format!("id: {update}")), "{pushed}");
    assert!(
        pushed.contains(&anchor) && pushed.contains("ДСНС"),
        "{pushed}"
    );
    // The other node hears of it through the content change, as it would by LISTEN or poll.
    other.apply_remote_changes(seen_by_other).await.unwrap();
    assert!(
        there
            .until("<strong>другий</strong>")
            .await
            .contains(&anchor)
    );

    // The page (dropped from the cache), its structured data and its feed have it.
    let page = app.get(&path).await.body;
    assert!(page.contains(&anchor));
    assert!(page.contains(&format!(
        "\"url\":\"https://news.example.org{path}#update-{update}\""
    )));
    let feed = app.get(&format!("{path}/feed.xml")).await;
    assert_eq!(feed.status, StatusCode::OK);
    let parsed = feed_rs::parser::parse(feed.body.as_bytes()).unwrap();
    assert_eq!(parsed.entries.len(), 1);
    assert!(
        parsed.entries[0].links[0]
            .href
            .ends_with(&format!("#update-{update}"))
    );
    // The signed version names it, and it is signed on its own.
    let signed: serde_json::Value = app.get(&format!("{path}.signed.json")).await.json();
    assert_eq!(signed["story"]["updates"][0], update);
    let keys: serde_json::Value = app.get("/.well-known/newsdesk-keys.json").await.json();
    let trusted: Vec<newsdesk::services::signing::TrustedKey> =
        serde_json::from_value(keys["keys"].clone()).unwrap();
    let updates: serde_json::Value = app.get(&format!("{path}.updates.json")).await.json();
    let document = updates["updates"][0].to_string();
    let verified = newsdesk::services::signing::verify_document(&document, &trusted).unwrap();
    assert_eq!(verified.story["source"], "ДСНС");
    assert_eq!(verified.story["id"], update);
    // The independent verifier (PyNaCl, from docs/SIGNING.md) agrees.
    let dir = app.data_dir.join("verify-update");
    std::fs::create_dir_all(&dir).unwrap();
    let (code, said) = crate::signing::python_verify(
        &dir,
        &[("keys.json", &keys.to_string()), ("update.json", &document)],
    );
    assert_eq!(code, 0, "{said}");
    let forged = document.replace("пункт обігріву", "пункт обігріву закрили");
    assert!(newsdesk::services::signing::verify_document(&forged, &trusted).is_err());

    // Telegram gets a message of its own, linking to the update.
    newsdesk::services::distribution::Worker::new(app.state.clone())
        .run_once(&|| false)
        .await
        .unwrap();
    let calls = telegram.calls();
    let (method, params) = calls.last().unwrap();
    assert_eq!(method, "sendMessage");
    assert!(
        params["text"]
            .as_str()
            .unwrap()
            .contains(&format!("{path}#update-{update}")),
        "{params}"
    );

    // A reader who was away gets what they missed when their browser reconnects.
    let second = app
        .admin_post(
            &editor,
            "/admin/articles/3/live/update",
            &[("body", "Мер звернувся до мешканців.")],
        )
        .await;
    assert_eq!(second.status, StatusCode::SEE_OTHER);
    let response = app
        .router
        .clone()
        .oneshot(
            Request::builder()
                .uri(format!("{path}/events"))
                .header("last-event-id", update.to_string())
                .body(Body::empty())
                .unwrap(),
        )
        .await
        .unwrap();
    let mut returning = Listener {
        body: response.into_body(),
        seen: String::new(),
    };
    assert!(
        returning
            .until("Мер звернувся")
            .await
            .contains("event: update")
    );

    // Removing an update tells open pages to reload; closing ends the stream.
    let removed = app
        .admin_post(
            &editor,
            "/admin/articles/3/live/delete",
            &[("update", &update.to_string())],
        )
        .await;
    assert_eq!(removed.status, StatusCode::SEE_OTHER);
    assert!(here.until("event: changed").await.contains("Мер звернувся"));
    let closed = app
        .admin_post(
            &editor,
            "/admin/articles/3/live/close",
            &[("summary", "Світло повернули всім до ранку.")],
        )
        .await;
    assert_eq!(closed.status, StatusCode::SEE_OTHER);
    let page = app.get(&path).await.body;
    assert!(
        page.contains("Трансляцію завершено") && page.contains("Світло повернули всім до ранку.")
    );
    assert!(page.contains("coverageEndTime"));
    assert!(!page.contains("data-live-events"));
    let after = app.get(&format!("{path}/events")).await;
    assert_eq!(after.status, StatusCode::NO_CONTENT, "browsers stop asking");
    let late = app
        .admin_post(
            &editor,
            "/admin/articles/3/live/update",
            &[("body", "Запізніле оновлення.")],
        )
        .await;
    assert_eq!(late.status, StatusCode::CONFLICT);
}

async fn the_admin_api_runs_a_live_page(backend: Backend) {
    let mut app = TestApp::with_newsroom(backend, &[]).await;
    let story = app
        .publish(ArticleBuilder::new("Повінь на заході: що відомо").json())
        .await;
    let id = story["id"].as_i64().unwrap();
    let path = TestApp::path_of(story["url"].as_str().unwrap());
    let not_yet = app
        .api(
            axum::http::Method::POST,
            &format!("/api/admin/articles/{id}/live/updates"),
            Some(serde_json::json!({ "body": "Рано." })),
        )
        .await;
    assert_eq!(not_yet.status, StatusCode::CONFLICT, "not a live page yet");
    let started = app
        .api(
            axum::http::Method::POST,
            &format!("/api/admin/articles/{id}/live"),
            None,
        )
        .await;
    assert_eq!(started.status, StatusCode::OK, "{}", started.body);
    let mut reader = Listener::open(&app.router, &path).await;
    for (body, status) in [
        (
            serde_json::json!({ "body": "" }),
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
        (
            serde_json::json!({ "body": "x", "source_url": "javascript:alert(1)" }),
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
        (
            serde_json::json!({ "body": "Вода спадає в Ужгороді.", "source": "ДСНС" }),
            StatusCode::CREATED,
        ),
    ] {
        let sent = app
            .api(
                axum::http::Method::POST,
                &format!("/api/admin/articles/{id}/live/updates"),
                Some(body),
            )
            .await;
        assert_eq!(sent.status, status, "{}", sent.body);
    }
    assert!(reader.until("Вода спадає").await.contains("event: update"));
    let closed = app
        .api(
            axum::http::Method::POST,
            &format!("/api/admin/articles/{id}/live/close"),
            Some(serde_json::json!({ "summary": "Вода спала." })),
        )
        .await;
    assert_eq!(closed.status, StatusCode::OK, "{}", closed.body);
    assert!(app.get(&path).await.body.contains("Вода спала."));
}
