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

/// A table as both backends must agree on it: each column's kind and
/// whether it may be empty, its primary key, its unique column sets and
/// its other indexes (by columns, in order).
#[derive(Debug, Default, PartialEq, Eq)]
struct Table {
    columns: BTreeMap<String, (&'static str, bool)>,
    primary_key: Vec<String>,
    unique: BTreeSet<Vec<String>>,
    indexes: BTreeSet<Vec<String>>,
}

/// The kind of a declared type, the same on both backends.
fn kind(declared: &str) -> &'static str {
    let t = declared.to_ascii_lowercase();
    if t.contains("int") {
        "integer"
    } else if t.contains("text") || t.contains("char") {
        "text"
    } else if t.contains("bool") {
        "boolean"
    } else if t.contains("real") || t.contains("double") || t.contains("float") {
        "real"
    } else if t.contains("blob") || t.contains("bytea") {
        "bytes"
    } else {
        "other"
    }
}

/// Each table's shape, leaving out each backend's own machinery (SQLite's
/// FTS tables, PostgreSQL's search vector) and sqlx's migration table.
async fn schema(app: &TestApp, backend: Backend) -> BTreeMap<String, Table> {
    let pool = app.state.store.pool();
    let mut tables: BTreeMap<String, Table> = BTreeMap::new();
    match backend {
        Backend::Sqlite => {
            let columns: Vec<(String, String, String, i64, i64)> = sqlx::query_as(
                "SELECT m.name, p.name, p.type, p.\"notnull\", p.pk FROM sqlite_master m \
                 JOIN pragma_table_info(m.name) p WHERE m.type = 'table' \
                 AND m.name NOT LIKE 'sqlite_%' AND m.name NOT LIKE 'article_search%' \
                 AND m.name <> '_sqlx_migrations' ORDER BY m.name, p.pk, p.cid",
            )
            .fetch_all(pool)
            .await
            .unwrap();
            for (table, column, declared, not_null, pk) in columns {
                let entry = tables.entry(table).or_default();
                entry
                    .columns
                    .insert(column.clone(), (kind(&declared), not_null == 0 && pk == 0));
                if pk > 0 {
                    entry.primary_key.push(column);
                }
            }
            let indexes: Vec<(String, String, i64, String, String)> = sqlx::query_as(
                "SELECT m.name, il.name, il.\"unique\", il.origin, ii.name FROM sqlite_master m \
                 JOIN pragma_index_list(m.name) il JOIN pragma_index_info(il.name) ii \
                 WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite_%' \
                 AND m.name NOT LIKE 'article_search%' AND m.name <> '_sqlx_migrations' \
                 ORDER BY m.name, il.name, ii.seqno",
            )
            .fetch_all(pool)
            .await
            .unwrap();
            let mut by_index: BTreeMap<(String, String), (bool, String, Vec<String>)> =
                BTreeMap::new();
            for (table, index, unique, origin, column) in indexes {
                by_index
                    .entry((table, index))
                    .or_insert((unique == 1, origin, Vec::new()))
                    .2
                    .push(column);
            }
            for ((table, _), (unique, origin, columns)) in by_index {
                let entry = tables.entry(table).or_default();
                if origin == "pk" {
                    continue;
                } else if unique {
                    entry.unique.insert(columns);
                } else {
                    entry.indexes.insert(columns);
                }
            }
        }
        Backend::Postgres => {
            let columns: Vec<(String, String, String, String)> = sqlx::query_as(
                "SELECT table_name::text, column_name::text, data_type::text, is_nullable::text \
                 FROM information_schema.columns WHERE table_schema = current_schema() \
                 AND column_name <> 'search_vector' AND table_name <> '_sqlx_migrations'",
            )
            .fetch_all(pool)
            .await
            .unwrap();
            for (table, column, declared, nullable) in columns {
                tables
                    .entry(table)
                    .or_default()
                    .columns
                    .insert(column, (kind(&declared), nullable == "YES"));
            }
            let indexes: Vec<(String, bool, bool, String)> = sqlx::query_as(
                "SELECT t.relname::text, ix.indisunique, ix.indisprimary, \
                 array_to_string(array(SELECT a.attname::text FROM unnest(ix.indkey) WITH ORDINALITY k(attnum, ord) \
                 JOIN pg_attribute a ON a.attrelid = t.oid AND a.attnum = k.attnum ORDER BY k.ord), ',') \
                 FROM pg_index ix JOIN pg_class t ON t.oid = ix.indrelid \
                 JOIN pg_namespace n ON n.oid = t.relnamespace \
                 WHERE n.nspname = current_schema() AND t.relname <> '_sqlx_migrations' \
                 AND NOT EXISTS (SELECT 1 FROM unnest(ix.indkey) k WHERE k = 0)",
            )
            .fetch_all(pool)
            .await
            .unwrap();
            for (table, unique, primary, columns) in indexes {
                let columns: Vec<String> = columns.split(',').map(str::to_owned).collect();
                if columns.iter().any(|c| c == "search_vector") {
                    continue;
                }
                let entry = tables.entry(table).or_default();
                if primary {
                    entry.primary_key = columns;
                } else if unique {
                    entry.unique.insert(columns);
                } else {
                    entry.indexes.insert(columns);
                }
            }
        }
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
    assert!(
        !a["articles"].indexes.is_empty(),
        "indexes are compared too"
    );
    let names: BTreeSet<_> = a.keys().chain(b.keys()).collect();
    let mut differences = Vec::new();
    for name in names {
        if a.get(name) != b.get(name) {
            differences.push(format!(
                "{name}:\n  sqlite   {:?}\n  postgres {:?}",
                a.get(name),
                b.get(name)
            ));
        }
    }
    assert!(differences.is_empty(), "{}", differences.join("\n"));
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
