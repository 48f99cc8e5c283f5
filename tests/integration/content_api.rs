//! The public Content API as an app or a partner site reads it.

use axum::body::Body;
use axum::http::{Method, StatusCode};
use serde_json::{Value, json};

use newsdesk::services::api_keys::{Scope, create_scoped_key};

use crate::on_both_backends;
use crate::util::{Backend, TestApp};

on_both_backends!(
    apps_read_published_stories_page_by_page,
    the_operator_can_ask_for_a_key,
);

async fn get_json(app: &TestApp, path: &str) -> Value {
    let response = app.get(path).await;
    assert_eq!(response.status, StatusCode::OK, "{path}: {}", response.body);
    assert!(
        response
            .header("content-type")
            .starts_with("application/json")
    );
    response.json()
}

async fn apps_read_published_stories_page_by_page(backend: Backend) {
    let mut app = TestApp::with_demo(backend).await;
    let draft = app
        .api(
            Method::POST,
            "/api/admin/articles",
            Some(json!({ "headline": "Чернетка, яку не можна бачити", "body": "Секрет.", "language": "uk", "authors": ["editor@example.com"] })),
        )
        .await;
    assert_eq!(draft.status, StatusCode::CREATED);
    let draft_id = draft.json()["id"].as_i64().unwrap();

    // Every published Ukrainian story, five at a time, each once.
    let mut seen = Vec::new();
    let mut path = "/api/content/articles?language=uk&limit=5".to_owned();
    loop {
        let page = get_json(&app, &path).await;
        let items = page["articles"].as_array().unwrap();
        assert!(items.len() <= 5);
        for item in items {
            assert_eq!(item["language"], "uk");
            assert!(
                item["url"]
                    .as_str()
                    .unwrap()
                    .starts_with("https://news.example.org/20")
            );
            seen.push(item["id"].as_i64().unwrap());
        }
        match page["next"].as_str() {
            Some(next) => path = format!("/api/content/articles?language=uk&limit=5&after={next}"),
            None => break,
        }
    }
    let mut unique = seen.clone();
    unique.sort();
    unique.dedup();
    assert_eq!(unique.len(), seen.len(), "no story twice");
    assert!(seen.len() > 10);
    assert!(!seen.contains(&draft_id), "drafts are not public");
    assert_eq!(
        app.get(&format!("/api/content/articles/{draft_id}"))
            .await
            .status,
        StatusCode::NOT_FOUND
    );

    // One story whole, with its sanitized body.
    let story = get_json(&app, &format!("/api/content/articles/{}", seen[0])).await;
    assert!(story["body_html"].as_str().unwrap().contains("<p>"));
    assert!(story["headline"].as_str().is_some());
    assert!(story["published_at"].as_str().unwrap().contains('T'));

    // Filters: section, author, dates.
    let section = get_json(&app, "/api/content/sections").await["sections"][0]["slug"]
        .as_str()
        .unwrap()
        .to_owned();
    let in_section = get_json(&app, &format!("/api/content/articles?section={section}")).await;
    for item in in_section["articles"].as_array().unwrap() {
        assert_eq!(item["section"]["slug"], section.as_str());
    }
    let future = get_json(&app, "/api/content/articles?from=2999-01-01").await;
    assert_eq!(future["articles"].as_array().unwrap().len(), 0);
    let bad = app
        .get("/api/content/articles?limit=1000&from=yesterday&section=nope&language=xx")
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    let fields: Vec<String> = bad.json()["errors"]
        .as_array()
        .map(|f| {
            f.iter()
                .map(|e| e["field"].as_str().unwrap_or("").to_owned())
                .collect()
        })
        .unwrap_or_default();
    for field in ["limit", "from", "section", "language"] {
        assert!(
            fields.contains(&field.to_owned()),
            "{field} in {}",
            bad.body
        );
    }

    // Revalidation: the same answer is a 304 without a body.
    let first = app.get("/api/content/articles?limit=3").await;
    let etag = first.header("etag").to_owned();
    assert!(etag.starts_with('"'));
    assert!(first.header("cache-control").contains("max-age"));
    let again = app
        .request(
            Method::GET,
            "/api/content/articles?limit=3",
            &[("if-none-match", &etag)],
            Body::empty(),
        )
        .await;
    assert_eq!(again.status, StatusCode::NOT_MODIFIED);
    assert!(again.body.is_empty());
    // A new story changes the answer.
    app.publish(json!({ "headline": "Нова історія для застосунку", "body": "Текст.", "language": "uk", "authors": ["editor@example.com"] }))
        .await;
    let changed = app
        .request(
            Method::GET,
            "/api/content/articles?limit=3",
            &[("if-none-match", &etag)],
            Body::empty(),
        )
        .await;
    assert_eq!(changed.status, StatusCode::OK);
    assert!(changed.body.contains("Нова історія для застосунку"));
}

async fn the_operator_can_ask_for_a_key(backend: Backend) {
    let app =
        TestApp::with_staff_and_env(backend, &[("NEWSDESK_CONTENT_API_KEY_REQUIRED", "true")])
            .await;
    assert_eq!(
        app.get("/api/content/articles").await.status,
        StatusCode::UNAUTHORIZED
    );
    let (_, reader) = create_scoped_key(&app.state.store, "app", &[Scope::ContentRead], None)
        .await
        .unwrap();
    let (_, donations_only) =
        create_scoped_key(&app.state.store, "finance", &[Scope::DonationsRead], None)
            .await
            .unwrap();
    let with = |key: &str| format!("Bearer {key}");
    let allowed = app
        .request(
            Method::GET,
            "/api/content/articles",
            &[("authorization", &with(&reader))],
            Body::empty(),
        )
        .await;
    assert_eq!(allowed.status, StatusCode::OK, "{}", allowed.body);
    let refused = app
        .request(
            Method::GET,
            "/api/content/sections",
            &[("authorization", &with(&donations_only))],
            Body::empty(),
        )
        .await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn the_openapi_document_names_every_api_route_once() {
    let app = TestApp::new(Backend::Sqlite).await;
    let doc = get_json(&app, "/api/openapi.json").await;
    assert_eq!(doc["openapi"], "3.1.0");
    let paths = doc["paths"].as_object().unwrap();
    for path in [
        "/api/admin/articles",
        "/api/admin/articles/{id}",
        "/api/admin/articles/{id}/publish",
        "/api/admin/articles/{id}/unpublish",
        "/api/admin/articles/{id}/corrections",
        "/api/admin/articles/{id}/revisions",
        "/api/admin/donations",
        "/api/admin/sections",
        "/api/admin/tags",
        "/api/admin/staff",
        "/api/content/articles",
        "/api/content/articles/{id}",
        "/api/content/sections",
        "/api/content/pages",
    ] {
        assert!(paths.contains_key(path), "{path} is documented");
    }
    let mut ids: Vec<&str> = paths
        .values()
        .flat_map(|item| item.as_object().unwrap().values())
        .filter_map(|op| op["operationId"].as_str())
        .collect();
    let count = ids.len();
    ids.sort();
    ids.dedup();
    assert_eq!(ids.len(), count, "operation ids are unique");
    assert!(doc["components"]["securitySchemes"]["api_key"].is_object());
    // A bad query string is a JSON 422 like every other API error.
    let bad = app.get("/api/content/articles?limit=many").await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(bad.header("content-type").starts_with("application/json"));
}
