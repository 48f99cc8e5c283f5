//! Feeds, sitemaps and robots.txt parse as what they claim to be.

use axum::http::{Method, StatusCode};
use serde_json::json;

use crate::on_both_backends;
use crate::util::{Backend, TestApp};

on_both_backends!(
    rss_feeds_are_valid_rss_2,
    atom_feeds_are_valid_and_show_updates,
    sitemaps_and_robots_point_at_every_story,
    feed_readers_get_the_whole_story,
    a_big_archive_has_a_sitemap_index_within_the_protocol_limits,
);

fn child<'a>(node: roxmltree::Node<'a, 'a>, name: &str) -> roxmltree::Node<'a, 'a> {
    node.children()
        .find(|n| n.tag_name().name() == name)
        .unwrap_or_else(|| panic!("<{}> has no <{name}>", node.tag_name().name()))
}

fn text<'a>(node: roxmltree::Node<'a, 'a>, name: &str) -> &'a str {
    child(node, name).text().unwrap_or("")
}

async fn rss_feeds_are_valid_rss_2(backend: Backend) {
    let app = TestApp::with_demo(backend).await;
    for (path, language) in [
        ("/feed.xml", "uk"),
        ("/en/feed.xml", "en"),
        ("/section/economy/feed.xml", "uk"),
        ("/en/tag/energy/feed.xml", "en"),
    ] {
        let response = app.get(path).await;
        assert_eq!(response.status, StatusCode::OK, "{path}");
        assert!(
            response
                .header("content-type")
                .starts_with("application/rss+xml")
        );
        let doc =
            roxmltree::Document::parse(&response.body).unwrap_or_else(|e| panic!("{path}: {e}"));
        let rss = doc.root_element();
        assert_eq!(rss.tag_name().name(), "rss");
        assert_eq!(rss.attribute("version"), Some("2.0"));
        let channel = child(rss, "channel");
        assert!(!text(channel, "title").is_empty());
        assert!(text(channel, "link").starts_with("https://news.example.org"));
        assert_eq!(text(channel, "language"), language);
        jiff::fmt::rfc2822::parse(text(channel, "lastBuildDate")).unwrap();
        let items: Vec<_> = channel
            .children()
            .filter(|n| n.has_tag_name("item"))
            .collect();
        assert!(!items.is_empty(), "{path} has items");
        let mut guids = std::collections::HashSet::new();
        for item in items {
            assert!(!text(item, "title").is_empty());
            assert!(
                text(item, "link").starts_with("https://news.example.org/"),
                "absolute links"
            );
            assert!(guids.insert(text(item, "guid").to_owned()), "unique guids");
            jiff::fmt::rfc2822::parse(text(item, "pubDate"))
                .unwrap_or_else(|e| panic!("{path} pubDate: {e}"));
        }
    }
    let economy = app.get("/section/economy/feed.xml").await.body;
    assert!(economy.contains("Малі пекарні"));
    assert!(
        !economy.contains("Енергетики Лісополя"),
        "a section feed holds its own stories"
    );
    assert_eq!(
        app.get("/section/nope/feed.xml").await.status,
        StatusCode::NOT_FOUND
    );
}

async fn atom_feeds_are_valid_and_show_updates(backend: Backend) {
    let mut app = TestApp::with_demo(backend).await;
    let article = app
        .publish(json!({ "headline": "Story that will change", "body": "Text.", "language": "en", "authors": ["editor@example.com"] }))
        .await;
    let id = article["id"].as_i64().unwrap();
    let first = app.get("/en/atom.xml").await.body;
    app.state.clock.advance(60);
    let added = app
        .api(
            Method::POST,
            &format!("/api/admin/articles/{id}/corrections"),
            Some(json!({ "kind": "update", "text": "New figures added." })),
        )
        .await;
    assert_eq!(added.status, StatusCode::CREATED, "{}", added.body);
    let response = app.get("/en/atom.xml").await;
    assert!(
        response
            .header("content-type")
            .starts_with("application/atom+xml")
    );
    let doc = roxmltree::Document::parse(&response.body).unwrap();
    let feed = doc.root_element();
    assert_eq!(feed.tag_name().name(), "feed");
    assert_eq!(
        feed.tag_name().namespace(),
        Some("http://www.w3.org/2005/Atom")
    );
    assert!(!text(feed, "id").is_empty());
    text(feed, "updated").parse::<jiff::Timestamp>().unwrap();
    let entries: Vec<_> = feed
        .children()
        .filter(|n| n.has_tag_name("entry"))
        .collect();
    assert!(entries.len() > 5);
    let mut ids = std::collections::HashSet::new();
    for entry in &entries {
        assert!(ids.insert(text(*entry, "id").to_owned()), "unique ids");
        text(*entry, "published")
            .parse::<jiff::Timestamp>()
            .unwrap();
        text(*entry, "updated").parse::<jiff::Timestamp>().unwrap();
        assert!(
            child(*entry, "link")
                .attribute("href")
                .unwrap()
                .starts_with("https://news.example.org/en/")
        );
        assert!(!text(child(*entry, "author"), "name").is_empty());
    }
    let changed = entries
        .iter()
        .find(|e| text(**e, "title") == "Story that will change")
        .unwrap();
    let published: jiff::Timestamp = text(*changed, "published").parse().unwrap();
    let updated: jiff::Timestamp = text(*changed, "updated").parse().unwrap();
    assert!(updated > published, "feed readers see the update");
    // The entry keeps its id across the update.
    let old = roxmltree::Document::parse(&first).unwrap();
    let old_id = old
        .root_element()
        .children()
        .filter(|n| n.has_tag_name("entry"))
        .find(|e| text(*e, "title") == "Story that will change")
        .map(|e| text(e, "id").to_owned())
        .unwrap();
    assert_eq!(old_id, text(*changed, "id"));
}

async fn sitemaps_and_robots_point_at_every_story(backend: Backend) {
    let app = TestApp::with_demo(backend).await;
    let sitemap = app.get("/sitemap.xml").await;
    assert!(
        sitemap
            .header("content-type")
            .starts_with("application/xml")
    );
    // An index of child sitemaps (pages, then one a month), each a urlset.
    let index = roxmltree::Document::parse(&sitemap.body).unwrap();
    assert_eq!(index.root_element().tag_name().name(), "sitemapindex");
    let children: Vec<String> = index
        .descendants()
        .filter(|n| n.has_tag_name("loc"))
        .map(|n| n.text().unwrap().to_owned())
        .collect();
    assert!(children.len() >= 2, "{children:?}");
    let mut urls: Vec<String> = Vec::new();
    for child in &children {
        let body = app.page(&TestApp::path_of(child)).await;
        let doc = roxmltree::Document::parse(&body).unwrap();
        assert_eq!(doc.root_element().tag_name().name(), "urlset");
        urls.extend(
            doc.descendants()
                .filter(|n| n.has_tag_name("loc"))
                .map(|n| n.text().unwrap().to_owned()),
        );
    }
    assert_eq!(
        app.get("/sitemaps/1999-01.xml").await.status,
        axum::http::StatusCode::NOT_FOUND
    );
    assert_eq!(
        app.get("/sitemaps/nonsense.xml").await.status,
        axum::http::StatusCode::NOT_FOUND
    );
    assert!(urls.len() >= 38 + 2, "{} urls", urls.len());
    assert!(
        urls.iter()
            .all(|u| u.starts_with("https://news.example.org/"))
    );
    for url in urls
        .iter()
        .filter(|u| u.contains("/2026/") || u.contains("/2025/"))
        .take(5)
    {
        app.page(&TestApp::path_of(url)).await;
    }
    let news = app.get("/news-sitemap.xml").await;
    let doc = roxmltree::Document::parse(&news.body).unwrap();
    let ns = "http://www.google.com/schemas/sitemap-news/0.9";
    let entries: Vec<_> = doc
        .descendants()
        .filter(|n| n.tag_name().name() == "news" && n.tag_name().namespace() == Some(ns))
        .collect();
    assert!(
        !entries.is_empty(),
        "recent stories are in the news sitemap"
    );
    for entry in entries {
        let publication = child(entry, "publication");
        assert!(!text(publication, "name").is_empty());
        assert!(["uk", "en"].contains(&text(publication, "language")));
        text(entry, "publication_date")
            .parse::<jiff::Timestamp>()
            .unwrap();
        assert!(!text(entry, "title").is_empty());
    }
    let robots = app.page("/robots.txt").await;
    assert!(robots.contains("Sitemap: https://news.example.org/sitemap.xml"));
    assert!(robots.contains("Disallow: /api/"));
}

async fn feed_readers_get_the_whole_story(backend: Backend) {
    let mut app = TestApp::with_staff(backend).await;
    let mut ids = Vec::new();
    for n in 0..3 {
        let published = app
            .publish(serde_json::json!({
                "headline": format!("Повний текст {n}"),
                "standfirst": "Коротко.",
                "body": "Перший абзац із [посиланням](/section/news).\n\n![Фото](/media/2026/12/p.jpg)",
                "language": "uk", "section": "news", "authors": ["editor@example.com"],
            }))
            .await;
        ids.push(published["id"].as_i64().unwrap());
    }
    // Three stories in one second: Atom entries must still be told apart.
    for id in &ids {
        sqlx::query("UPDATE articles SET published_at = 1800000000, content_updated_at = NULL WHERE id = $1")
            .bind(id)
            .execute(app.state.store.pool())
            .await
            .unwrap();
    }
    app.state.page_cache.clear();
    for path in ["/feed.xml", "/atom.xml"] {
        let xml = app.page(path).await;
        // A third-party parser, as feed readers use.
        let feed = feed_rs::parser::parse(xml.as_bytes()).unwrap_or_else(|e| panic!("{path}: {e}"));
        let ours: Vec<_> = feed
            .entries
            .iter()
            .filter(|e| {
                e.title
                    .as_ref()
                    .is_some_and(|t| t.content.starts_with("Повний текст"))
            })
            .collect();
        assert_eq!(ours.len(), 3, "{path}");
        for entry in &ours {
            let content = entry
                .content
                .as_ref()
                .and_then(|c| c.body.clone())
                .unwrap_or_else(|| panic!("{path}: no full text"));
            assert!(content.contains("Перший абзац"), "{content}");
            assert!(
                content.contains("href=\"https://news.example.org/section/news\""),
                "{content}"
            );
            assert!(
                content.contains("src=\"https://news.example.org/media/2026/12/p.jpg\""),
                "{content}"
            );
            assert_eq!(
                entry.summary.as_ref().map(|s| s.content.as_str()),
                Some("Коротко."),
                "{path}: the standfirst is the summary"
            );
        }
        if path == "/atom.xml" {
            let mut updated: Vec<_> = ours.iter().map(|e| e.updated.unwrap()).collect();
            updated.sort();
            updated.dedup();
            assert_eq!(updated.len(), 3, "distinct atom:updated");
        }
    }
    // The setting turns full text off.
    let short =
        TestApp::with_staff_and_env(backend, &[("NEWSDESK_FEEDS_FULL_TEXT", "false")]).await;
    let xml = short.page("/feed.xml").await;
    assert!(!xml.contains("content:encoded>"), "only the standfirst");
}

async fn a_big_archive_has_a_sitemap_index_within_the_protocol_limits(backend: Backend) {
    let app = TestApp::new(backend).await;
    // 40,000 published stories over 40 months (SQL's own loop: fast on both databases).
    sqlx::query(
        "INSERT INTO articles (translation_group, language, slug, headline, status, created_at, updated_at, published_at) \
         WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 40000) \
         SELECT 'g' || CAST(i AS TEXT), 'uk', 'story-' || CAST(i AS TEXT), 'Story', 'published', 0, 0, \
         1700000000 + i * 2600 FROM n",
    )
    .execute(app.state.store.pool())
    .await
    .unwrap();
    let index = app.page("/sitemap.xml").await;
    let doc = roxmltree::Document::parse(&index).unwrap();
    let children: Vec<String> = doc
        .descendants()
        .filter(|n| n.has_tag_name("loc"))
        .map(|n| n.text().unwrap().to_owned())
        .collect();
    assert!(children.len() > 30, "{} child sitemaps", children.len());
    let mut total = 0;
    for child in &children {
        let body = app.page(&TestApp::path_of(child)).await;
        let count = body.matches("<loc>").count();
        assert!(count <= 50_000);
        total += count;
    }
    assert!(total >= 40_000, "every story is listed: {total}");
}
