//! A CDN in front: public pages say how long a shared cache may keep them
//! and which stories they show, and a change purges exactly those tags at
//! the CDN (a local fake that answers as Cloudflare's purge_cache does).

use std::sync::{Arc, Mutex};

use axum::Json;
use axum::extract::State;
use axum::http::{HeaderMap, Method, StatusCode};
use axum::routing::post;
use newsdesk::jobs::{Job, PurgeCdn, Stop};
use serde_json::{Value, json};

use crate::fakes::start_fake;
use crate::on_both_backends;
use crate::util::{ArticleBuilder, Backend, TestApp};

on_both_backends!(pages_carry_cdn_headers_and_changes_purge_their_tags);

#[derive(Clone, Default)]
struct FakeCdn {
    purges: Arc<Mutex<Vec<(String, Value)>>>,
    fail_next: Arc<Mutex<bool>>,
}

async fn purge_cache(
    State(cdn): State<FakeCdn>,
    headers: HeaderMap,
    Json(body): Json<Value>,
) -> (StatusCode, Json<Value>) {
    if std::mem::take(&mut *cdn.fail_next.lock().unwrap()) {
        return (
            StatusCode::SERVICE_UNAVAILABLE,
            Json(json!({ "success": false })),
        );
    }
    let auth = headers
        .get("authorization")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_owned();
    cdn.purges.lock().unwrap().push((auth, body));
    (
        StatusCode::OK,
        Json(json!({ "success": true, "errors": [] })),
    )
}

async fn pages_carry_cdn_headers_and_changes_purge_their_tags(backend: Backend) {
    let cdn = FakeCdn::default();
    let base = start_fake(
        axum::Router::new()
            .route("/zones/z1/purge_cache", post(purge_cache))
            .with_state(cdn.clone()),
    )
    .await;
    let purge_url = format!("{base}/zones/z1/purge_cache");
    let mut app = TestApp::with_newsroom(
        backend,
        &[
            ("NEWSDESK_CDN_PURGE_URL", purge_url.as_str()),
            ("NEWSDESK_CDN_PURGE_TOKEN", "cdn-token"),
            ("NEWSDESK_CDN_SHARED_MAX_AGE_SECONDS", "3600"),
        ],
    )
    .await;
    let story = app
        .publish(ArticleBuilder::new("Світло повернулося").json())
        .await;
    let id = story["id"].as_i64().unwrap();
    let other = app
        .publish(ArticleBuilder::new("Інша новина").section("world").json())
        .await;
    let path = TestApp::path_of(story["url"].as_str().unwrap());

    let page = app.get(&path).await;
    assert_eq!(page.status, StatusCode::OK);
    let control = page.header("cache-control");
    for part in [
        "public",
        "s-maxage=3600",
        "stale-while-revalidate=300",
        "stale-if-error=86400",
    ] {
        assert!(control.contains(part), "{control}");
    }
    let keys: Vec<&str> = page.header("surrogate-key").split(' ').collect();
    assert!(
        keys.contains(&"site") && keys.contains(&format!("article-{id}").as_str()),
        "{keys:?}"
    );
    assert!(
        page.header("cache-tag")
            .split(',')
            .any(|k| k == format!("article-{id}"))
    );
    let home = app.get("/").await;
    let home_keys = home.header("surrogate-key");
    assert!(home_keys.contains("list-uk"), "{home_keys}");
    // The admin is never kept by anyone.
    assert!(
        app.get("/admin/sign-in")
            .await
            .header("surrogate-key")
            .is_empty()
    );

    // Whatever purges publishing made so far, then one edit.
    PurgeCdn(app.state.clone())
        .run_once(&Stop::never())
        .await
        .unwrap();
    cdn.purges.lock().unwrap().clear();
    let edited = app
        .api(
            Method::PATCH,
            &format!("/api/admin/articles/{id}"),
            Some(json!({ "headline": "Світло повернулося всюди" })),
        )
        .await;
    assert_eq!(edited.status, StatusCode::OK, "{}", edited.body);

    // The CDN is down for the first try: the tags wait for the next round.
    *cdn.fail_next.lock().unwrap() = true;
    assert!(
        PurgeCdn(app.state.clone())
            .run_once(&Stop::never())
            .await
            .is_err()
    );
    assert!(cdn.purges.lock().unwrap().is_empty());
    PurgeCdn(app.state.clone())
        .run_once(&Stop::never())
        .await
        .unwrap();
    let purges = cdn.purges.lock().unwrap().clone();
    assert_eq!(purges.len(), 1, "{purges:?}");
    let (auth, body) = &purges[0];
    assert_eq!(auth, "Bearer cdn-token");
    let tags: Vec<&str> = body["tags"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t.as_str().unwrap())
        .collect();
    assert!(tags.contains(&format!("article-{id}").as_str()), "{tags:?}");
    assert!(tags.contains(&"list-uk"), "{tags:?}");
    let other_tag = format!("article-{}", other["id"]);
    assert!(
        !tags.contains(&other_tag.as_str()),
        "only what changed: {tags:?}"
    );
    assert!(!tags.contains(&"site"), "not the whole site: {tags:?}");
}
