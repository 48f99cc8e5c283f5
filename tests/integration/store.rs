//! The store on both backends: the same schema, concurrent writers.

use std::collections::{BTreeMap, BTreeSet};

use newsdesk::store::{ArticleFilter, ArticleStatus, Store};
use serde_json::json;

use crate::on_both_backends;
use crate::util::{Backend, TestApp};

on_both_backends!(
    two_processes_can_write_to_one_database,
    demo_seeding_is_idempotent,
    the_generator_writes_a_browsable_archive,
);

/// Tables and their columns, leaving out each backend's own machinery.
async fn schema(app: &TestApp, backend: Backend) -> BTreeMap<String, BTreeSet<String>> {
    let pool = app.state.store.pool();
    let rows: Vec<(String, String)> = match backend {
        Backend::Sqlite => sqlx::query_as(
            "SELECT m.name, p.name FROM sqlite_master m JOIN pragma_table_info(m.name) p \
             WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite_%' AND m.name NOT LIKE 'article_search%'",
        )
        .fetch_all(pool)
        .await
        .unwrap(),
        Backend::Postgres => sqlx::query_as(
            "SELECT table_name::text, column_name::text FROM information_schema.columns \
             WHERE table_schema = current_schema() AND column_name <> 'search_vector'",
        )
        .fetch_all(pool)
        .await
        .unwrap(),
    };
    let mut tables: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for (table, column) in rows {
        tables.entry(table).or_default().insert(column);
    }
    tables
}

#[tokio::test]
async fn both_backends_migrate_to_the_same_schema() {
    let sqlite = TestApp::new(Backend::Sqlite).await;
    let postgres = TestApp::new(Backend::Postgres).await;
    let a = schema(&sqlite, Backend::Sqlite).await;
    let b = schema(&postgres, Backend::Postgres).await;
    assert!(a.contains_key("articles") && a.contains_key("article_sources"));
    assert_eq!(a, b);
}

async fn two_processes_can_write_to_one_database(backend: Backend) {
    let mut app = TestApp::with_demo(backend).await;
    // A second, independent store on the same database, as `newsdesk key create` would open.
    let other = Store::connect(&app.database_url, 2).await.unwrap();
    // Ten writers at once on their own tasks, racing the app's publish.
    let mut writes = tokio::task::JoinSet::new();
    for i in 0..10 {
        let other = other.clone();
        writes.spawn(async move {
            other
                .insert_api_key(
                    &format!("k{i}"),
                    &format!("hash{i}"),
                    "content:read",
                    None,
                    0,
                )
                .await
        });
    }
    let body = json!({ "headline": "Written while another process writes", "body": "x", "language": "en", "authors": ["editor@example.com"] });
    let (results, article) = tokio::join!(writes.join_all(), app.publish(body));
    assert!(results.iter().all(Result::is_ok), "{results:?}");
    assert_eq!(article["status"], "published");
    assert_eq!(app.state.store.api_keys().await.unwrap().len(), 11);
    let count = app
        .state
        .store
        .count_articles(&ArticleFilter {
            status: Some(ArticleStatus::Published),
            ..Default::default()
        })
        .await
        .unwrap();
    assert_eq!(count, 39);
    other.close().await;
}

async fn demo_seeding_is_idempotent(backend: Backend) {
    let app = TestApp::with_demo(backend).await;
    newsdesk::demo::seed(&app.state).await.unwrap();
    let count = app
        .state
        .store
        .count_articles(&ArticleFilter::default())
        .await
        .unwrap();
    assert_eq!(count, 38);
    assert_eq!(app.state.store.sections().await.unwrap().len(), 5);
}

async fn the_generator_writes_a_browsable_archive(backend: Backend) {
    let app = crate::util::TestApp::with_demo(backend).await;
    let before = app
        .state
        .store
        .count_articles(&Default::default())
        .await
        .unwrap();
    let written = newsdesk::demo::generate::generate(&app.state, 400, 7)
        .await
        .unwrap();
    assert_eq!(written, 400);
    let after = app
        .state
        .store
        .count_articles(&Default::default())
        .await
        .unwrap();
    assert_eq!(after - before, 400);
    // Bilingual pairs, sections, bylines, tags: the archive can be browsed and searched.
    let pairs: (i64,) = sqlx::query_as(
        "SELECT COUNT(*) FROM articles WHERE translation_group LIKE 'gen-7-%' AND language = 'en'",
    )
    .fetch_one(app.state.store.pool())
    .await
    .unwrap();
    assert!(pairs.0 > 100, "{} English translations", pairs.0);
    app.page("/?page=3").await;
    let search = app.page("/search?q=%D1%83%D1%80%D1%8F%D0%B4").await;
    assert!(search.contains("class=\"card"), "a common word is found");
    let section = app.page("/section/news").await;
    let story = crate::util::TestApp::first_link(&section[section.find("<main").unwrap()..], "/20");
    let page = app.page(&story).await;
    assert!(page.contains("class=\"byline"), "a byline");
}
