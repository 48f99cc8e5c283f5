//! Every public page type, bad addresses and the page cache.

use axum::body::Body;
use axum::http::{Method, StatusCode};
use serde_json::{Value, json};

use crate::on_both_backends;
use crate::util::{ArticleBuilder, Backend, TestApp, get_via};

on_both_backends!(
    the_search_index_follows_every_change,
    stories_by_id_are_read_by_key,
    home_is_the_news_picture_of_the_day,
    article_page_shows_sources_corrections_and_translation,
    article_json_ld_is_a_valid_news_article,
    section_tag_author_and_day_pages_list_stories,
    search_finds_ukrainian_and_english_stories,
    bad_addresses_get_error_pages_not_500s,
    hostile_article_body_renders_harmlessly,
    embeds_load_nothing_until_clicked,
    page_cache_serves_and_invalidates_precisely,
    pages_a_publish_drops_are_rendered_again_before_readers_ask,
    another_nodes_change_drops_cached_pages,
    database_outage_shows_the_error_page,
    related_stories_of_a_popular_tag_read_only_the_newest,
    an_exhausted_pool_gives_readers_a_503_not_a_500,
    readers_arriving_after_a_publish_wait_for_one_render,
    public_lists_read_the_newest_from_an_index_without_sorting_the_archive,
    a_search_flood_from_one_address_leaves_search_to_everyone_else,
    search_finds_every_form_and_ranks_fresh_headlines_first,
);

async fn home_is_the_news_picture_of_the_day(backend: Backend) {
    let app = TestApp::with_env(backend, &[("NEWSDESK_SITE_PAGE_SIZE", "8")]).await;
    app.set_time_of_day(12);
    newsdesk::demo::seed(&app.state).await.unwrap();
    let response = app.get("/").await;
    assert_eq!(response.status, StatusCode::OK);
    assert!(response.header("content-type").starts_with("text/html"));
    assert!(
        response
            .header("content-security-policy")
            .contains("default-src 'self'")
    );
    let html = response.body;
    assert!(html.contains("<html lang=\"uk\">"));
    assert!(
        html.contains("class=\"lead-story\""),
        "lead story is prominent"
    );
    assert!(
        html.contains("Енергетики Лісополя повернули світло"),
        "the newest story leads"
    );
    assert!(
        html.contains("Сьогодні") && html.contains("Вчора"),
        "grouped by day"
    );
    assert!(html.contains("hreflang=\"en\" href=\"https://news.example.org/en\""));
    assert!(
        html.contains("type=\"application/rss+xml\""),
        "feed autodiscovery"
    );
    crate::util::assert_loads_nothing_from_elsewhere(&html);
    // The check sees what a browser would fetch, and only that.
    let sample = r#"<link rel="stylesheet" href="https://cdn.example/a.css"><a href="https://outlet.example/story">source</a>
        <img src="/media/a.jpg" srcset="/media/a-480.jpg 480w, //cdn.example/b.jpg 960w"><div style="background:url('https://t.example/p.gif')"></div>"#;
    assert_eq!(
        crate::util::loaded_resources(sample),
        [
            "https://cdn.example/a.css",
            "/media/a.jpg",
            "/media/a-480.jpg",
            "//cdn.example/b.jpg",
            "https://t.example/p.gif"
        ]
    );
    let next = TestApp::first_link(&html, "/?page=");
    let page2 = app.page(&next).await;
    assert!(page2.contains("rel=\"prev\""));
    assert!(!page2.contains("class=\"lead-story\""));

    let en = app.page("/en").await;
    crate::util::assert_loads_nothing_from_elsewhere(&en);
    assert!(en.contains("<html lang=\"en\">"));
    assert!(en.contains("Lisopil crews restore power"));
    assert!(en.contains("Today"));
    assert!(
        !en.contains("Енергетики"),
        "only English stories on the English home"
    );
    assert_eq!(app.get("/?page=999").await.status, StatusCode::NOT_FOUND);
}

async fn article_page_shows_sources_corrections_and_translation(backend: Backend) {
    let app = TestApp::with_demo(backend).await;
    let home = app.page("/").await;
    let lead_start = home.find("lead-story__headline").unwrap();
    let url = TestApp::first_link(&home[lead_start..], "/");
    let html = app.page(&url).await;
    crate::util::assert_loads_nothing_from_elsewhere(&html);
    assert!(html.contains(
        "<h1 class=\"article__headline\">Енергетики Лісополя повернули світло 42 тисячам домівок"
    ));
    assert!(
        html.contains("Ремонтні бригади працювали до ранку"),
        "standfirst"
    );
    assert!(
        html.contains("href=\"/author/iryna-bondar\">Ірина Бондар</a>"),
        "byline links"
    );
    assert!(
        html.contains("Опубліковано") && html.contains("Оновлено"),
        "published and updated times"
    );
    assert!(html.contains("Фото: Ілюстрація редакції"), "cover credit");
    assert!(
        html.contains("<strong>42 тисячам</strong>"),
        "Markdown body"
    );
    assert!(html.contains("class=\"sources\""));
    assert!(html.contains("href=\"https://northwind-wire.example/energy/lisopil-storm-repairs\""));
    assert!(
        html.contains("з посиланням на джерела в енергокомпанії"),
        "how the source is cited"
    );
    assert!(html.contains("class=\"corrections\""));
    assert!(html.contains("Оператор уточнив"));
    assert!(html.contains("hreflang=\"en\""), "link to the translation");
    assert!(html.contains("Lisopil crews restore power to 42,000 homes"));
    assert!(
        html.contains("data-slot=\"donation\""),
        "slot for the donation box"
    );
    assert!(html.contains("class=\"related\""));
    assert!(html.contains(&format!(
        "<link rel=\"canonical\" href=\"https://news.example.org{url}\">"
    )));
    assert!(html.contains(
        "property=\"og:image\" content=\"https://news.example.org/static/demo/cover-grid.svg\""
    ));
    assert!(html.contains("name=\"twitter:card\" content=\"summary_large_image\""));

    // The English version links back.
    let en_url = TestApp::first_link(&html, "/en/2026/");
    assert!(
        html.contains(&format!(
            "<a href=\"{en_url}\" lang=\"en\" hreflang=\"en\">English</a>"
        )),
        "the language switch leads to the translation"
    );
    let en = app.page(&en_url).await;
    assert!(en.contains("<html lang=\"en\">"));
    assert!(en.contains("citing sources at the grid company"));
    assert!(
        en.contains(">Iryna Bondar</a>"),
        "bylines in Latin letters on English pages"
    );
    assert!(en.contains(&format!("href=\"{url}\"")));

    // A wrong date in the address redirects to the real one.
    let slug = url.rsplit('/').next().unwrap();
    let wrong = app.get(&format!("/2020/01/01/{slug}")).await;
    assert_eq!(wrong.status, StatusCode::PERMANENT_REDIRECT);
    assert_eq!(wrong.header("location"), url);
    // A Ukrainian slug under the English prefix is not a page.
    assert_eq!(
        app.get(&format!("/en{url}")).await.status,
        StatusCode::NOT_FOUND
    );
}

/// The JSON-LD block of a page, parsed.
fn json_ld(html: &str) -> Value {
    let start = html.find("<script type=\"application/ld+json\">").unwrap() + 35;
    let end = start + html[start..].find("</script>").unwrap();
    serde_json::from_str(&html[start..end]).unwrap()
}

async fn article_json_ld_is_a_valid_news_article(backend: Backend) {
    let mut app = TestApp::with_demo(backend).await;
    let article = app
        .publish(json!({
            "headline": "Headline with </script><script>alert(1)</script> & \"quotes\"",
            "standfirst": "Standfirst",
            "body": "Body text.",
            "language": "en",
            "section": "news",
            "authors": ["editor@example.com"],
            "cover": { "url": "/static/demo/cover-city.svg", "alt": "A city" },
            "social_image": "/static/demo/cover-river.svg",
        }))
        .await;
    let html = app
        .page(&TestApp::path_of(article["url"].as_str().unwrap()))
        .await;
    assert!(
        !html.contains("<script>alert(1)"),
        "headline cannot break out of JSON-LD"
    );
    let ld = json_ld(&html);
    assert_eq!(ld["@context"], "https://schema.org");
    assert_eq!(ld["@type"], "NewsArticle");
    assert_eq!(
        ld["headline"],
        "Headline with </script><script>alert(1)</script> & \"quotes\""
    );
    assert_eq!(ld["inLanguage"], "en");
    for field in ["datePublished", "dateModified"] {
        let value = ld[field].as_str().unwrap();
        value
            .parse::<jiff::Timestamp>()
            .unwrap_or_else(|e| panic!("{field} = {value}: {e}"));
    }
    assert_eq!(ld["author"][0]["@type"], "Person");
    assert_eq!(
        ld["author"][0]["name"], "Andrii Melnyk",
        "Latin names on English pages"
    );
    assert_eq!(ld["publisher"]["@type"], "NewsMediaOrganization");
    assert_eq!(
        ld["image"][0],
        "https://news.example.org/static/demo/cover-city.svg"
    );
    assert_eq!(ld["mainEntityOfPage"]["@id"], article["url"]);
}

async fn section_tag_author_and_day_pages_list_stories(backend: Backend) {
    let app = TestApp::with_demo(backend).await;
    let section = app.page("/section/economy").await;
    assert!(section.contains("<h1>Економіка</h1>"));
    assert!(section.contains("Малі пекарні Лісополя"));
    assert!(
        !section.contains("Енергетики Лісополя повернули"),
        "only this section's stories"
    );
    assert!(
        section.contains("href=\"/section/economy/feed.xml\""),
        "section feed autodiscovery"
    );
    let en_section = app.page("/en/section/economy").await;
    assert!(en_section.contains("<h1>Economy</h1>"));
    assert!(en_section.contains("small bakeries"));

    let tag = app.page("/tag/enerhetyka").await;
    assert!(tag.contains("#енергетика"));
    assert!(tag.contains("Сонячні панелі на даху лікарні"));
    let en_tag = app.page("/en/tag/energy").await;
    assert!(en_tag.contains("Solar panels on hospital roof"));

    let author = app.page("/author/mariia-lysenko").await;
    assert!(author.contains("<h1>Марія Лисенко</h1>"));
    assert!(author.contains("Річкові порти звітують"));
    assert!(author.contains("world desk correspondent"), "author bio");

    let home = app.page("/").await;
    let day = TestApp::first_link(&home, "/2026/");
    let day = day.rsplit_once('/').unwrap().0.to_owned();
    let day_page = app.page(&day).await;
    assert!(day_page.contains("Архів"));
    assert!(day_page.contains("class=\"card"));

    // A day without news is not a page (nor a place in the cache).
    let empty_day = app.get("/2001/09/10").await;
    assert_eq!(empty_day.status, axum::http::StatusCode::NOT_FOUND);
}

async fn search_finds_ukrainian_and_english_stories(backend: Backend) {
    let app = TestApp::with_demo(backend).await;
    let uk = app
        .page("/search?q=%D0%BF%D0%B5%D0%BA%D0%B0%D1%80%D0%BD%D1%96")
        .await; // пекарні
    assert!(uk.contains("Малі пекарні Лісополя"), "{uk}");
    assert!(uk.contains("noindex"));
    let uk_body = app
        .page("/search?q=%D0%BA%D0%BE%D0%BE%D0%BF%D0%B5%D1%80%D0%B0%D1%82%D0%B8%D0%B2")
        .await; // кооператив
    assert!(uk_body.contains("Малі пекарні Лісополя"));
    let en = app.page("/en/search?q=bakeries+cooperative").await;
    assert!(en.contains("small bakeries form a cooperative"));
    assert!(
        !en.contains("Малі пекарні"),
        "results in the page's language"
    );
    let none = app.page("/en/search?q=zzzyyyxxx").await;
    assert!(none.contains("Nothing found"));
    // Query syntax of either backend is inert.
    for q in [
        "%22",
        "NEAR(a%20b)",
        "a%20OR%20",
        "%27%3B--",
        "*",
        "%26%7C!",
        "-",
        "%5C",
    ] {
        let response = app.get(&format!("/search?q={q}")).await;
        assert_eq!(response.status, StatusCode::OK, "q={q}: {}", response.body);
    }
    let empty = app.page("/search").await;
    assert!(empty.contains("Введіть слово"));
}

async fn bad_addresses_get_error_pages_not_500s(backend: Backend) {
    let app = TestApp::with_demo(backend).await;
    for (path, status) in [
        ("/no-such-page", StatusCode::NOT_FOUND),
        ("/section/no-such-section", StatusCode::NOT_FOUND),
        ("/tag/no-such-tag", StatusCode::NOT_FOUND),
        ("/author/nobody", StatusCode::NOT_FOUND),
        ("/2025/13/45", StatusCode::NOT_FOUND),
        ("/2025/02/30", StatusCode::NOT_FOUND),
        ("/2025/13/45/some-story", StatusCode::NOT_FOUND),
        ("/2026/11/25/no-such-story", StatusCode::NOT_FOUND),
        ("/section/%ZZ", StatusCode::NOT_FOUND),
        ("/?page=abc", StatusCode::NOT_FOUND),
        ("/en/no-such-page", StatusCode::NOT_FOUND),
        ("/static/../Cargo.toml", StatusCode::NOT_FOUND),
    ] {
        let response = app.get(path).await;
        assert_eq!(response.status, status, "{path}");
        assert!(
            response.header("content-type").starts_with("text/html"),
            "{path} has an HTML error page"
        );
        assert!(response.body.contains("class=\"error-page\""), "{path}");
    }
    // Broken percent-encoding in a query is read literally and shown as text.
    let broken = app.get("/search?q=%ZZ%3Cb%3E").await;
    assert_eq!(broken.status, StatusCode::OK);
    assert!(broken.body.contains("%ZZ&lt;b&gt;"), "{}", broken.body);
    let long_path = format!("/{}", "a".repeat(5000));
    let response = app.get(&long_path).await;
    assert_eq!(response.status, StatusCode::URI_TOO_LONG);
    assert!(response.body.contains("class=\"error-page\""));
    let huge_query = format!("/search?q={}", "x".repeat(10_000));
    assert_eq!(app.get(&huge_query).await.status, StatusCode::URI_TOO_LONG);
    let en = app.get("/en/nothing-here").await;
    assert!(en.body.contains("Page not found"));
    let uk = app.get("/nothing-here").await;
    assert!(uk.body.contains("Сторінку не знайдено"));

    // Trailing slashes redirect, but never off-site.
    let slash = app.get("/section/news/").await;
    assert_eq!(slash.status, StatusCode::PERMANENT_REDIRECT);
    assert_eq!(slash.header("location"), "/section/news");
    let sneaky = app.get("//evil.example/").await;
    assert_eq!(sneaky.header("location"), "/evil.example");
    let post = app.request(Method::POST, "/", &[], Body::empty()).await;
    assert_eq!(post.status, StatusCode::METHOD_NOT_ALLOWED);
}

const HOSTILE_BODY: &str = "Intro.\n\n<script>alert('x')</script>\n\n<img src=x onerror=alert(1)>\n\n[click](javascript:alert(1))\n\n<svg onload=alert(1)><script>alert(2)</script></svg>\n\n<a href=\"data:text/html;base64,PHNjcmlwdD4=\">data</a>\n\n<p style=\"position:fixed\" onclick=\"alert(3)\">styled</p>\n\n<iframe src=\"https://evil.example\"></iframe>\n\nOutro.";

async fn hostile_article_body_renders_harmlessly(backend: Backend) {
    let mut app = TestApp::with_demo(backend).await;
    let article = app
        .publish(json!({
            "headline": "<b>Bold</b> headline",
            "body": HOSTILE_BODY,
            "language": "uk",
            "authors": ["author@example.com"],
        }))
        .await;
    let html = app
        .page(&TestApp::path_of(article["url"].as_str().unwrap()))
        .await;
    let start = html.find("class=\"article__body\"").unwrap();
    let end = html.find("data-slot=\"donation\"").unwrap();
    let body = &html[start..end].to_lowercase();
    for needle in [
        "<script",
        "onerror",
        "onload",
        "onclick",
        "javascript:",
        "data:text",
        "<svg",
        "<iframe",
        "style=",
    ] {
        assert!(!body.contains(needle), "{needle} survived: {body}");
    }
    assert!(
        body.contains("intro.") && body.contains("outro."),
        "the harmless text stays"
    );
    assert!(
        html.contains("&lt;b&gt;Bold&lt;/b&gt; headline"),
        "headlines are text"
    );
}

async fn embeds_load_nothing_until_clicked(backend: Backend) {
    let app = TestApp::with_demo(backend).await;
    let mut seen = Vec::new();
    for search in [
        "/search?q=%D0%B1%D1%83%D1%80%D1%96",
        "/search?q=%D0%B0%D0%B2%D1%82%D0%BE%D0%B1%D1%83%D1%81",
        "/search?q=%D0%B1%D1%96%D0%B1%D0%BB%D1%96%D0%BE%D1%82%D0%B5%D0%BA%D0%B0",
        "/search?q=%D0%91%D0%B0%D0%B7%D0%B0%D1%80",
    ] {
        let results = app.page(search).await;
        let url = TestApp::first_link(
            &results[results.find("class=\"stories\"").unwrap()..],
            "/2026/",
        );
        let html = app.page(&url).await;
        assert!(!html.contains("<iframe"), "{url}");
        for provider in ["youtube", "tiktok", "x", "telegram"] {
            if html.contains(&format!("class=\"embed embed--{provider}\"")) {
                seen.push(provider);
            }
        }
    }
    seen.sort();
    assert_eq!(
        seen,
        vec!["telegram", "tiktok", "x", "youtube"],
        "one story with each embed kind"
    );
}

async fn page_cache_serves_and_invalidates_precisely(backend: Backend) {
    let mut app = TestApp::with_newsroom(backend, &[]).await;
    let story = |headline: &str, body: &str, section: &str| {
        ArticleBuilder::new(headline)
            .language("en")
            .body(body)
            .section(section)
            .json()
    };
    let a = app
        .publish(story("First cached story", "One.", "world"))
        .await;
    let b = app
        .publish(story("Second cached story", "Two.", "culture"))
        .await;
    let a_path = TestApp::path_of(a["url"].as_str().unwrap());
    let b_path = TestApp::path_of(b["url"].as_str().unwrap());
    app.page(&a_path).await;
    app.page(&b_path).await;
    app.page("/en").await;
    app.page("/").await;
    let cache = &app.state.page_cache;
    assert!(cache.len() >= 4);

    // Served from memory, compressed, with validators.
    let gz = app
        .request(
            Method::GET,
            &a_path,
            &[("accept-encoding", "gzip, br")],
            Body::empty(),
        )
        .await;
    assert_eq!(gz.header("content-encoding"), "gzip");
    assert!(gz.body.contains("First cached story"));
    let etag = gz.header("etag").to_owned();
    let revalidated = app
        .request(
            Method::GET,
            &a_path,
            &[("if-none-match", &etag)],
            Body::empty(),
        )
        .await;
    assert_eq!(revalidated.status, StatusCode::NOT_MODIFIED);

    // Editing A drops A and English lists, but not B or Ukrainian pages.
    let id = a["id"].as_i64().unwrap();
    let edited = app
        .api(
            Method::PATCH,
            &format!("/api/admin/articles/{id}"),
            Some(json!({ "headline": "First story, edited" })),
        )
        .await;
    assert_eq!(edited.status, StatusCode::OK, "{}", edited.body);
    assert!(app.state.page_cache.get(&a_path).is_none());
    assert!(app.state.page_cache.get("/en").is_none());
    assert!(app.state.page_cache.get(&b_path).is_some());
    assert!(app.state.page_cache.get("/").is_some());
    assert!(app.page(&a_path).await.contains("First story, edited"));
    assert!(app.page("/en").await.contains("First story, edited"));

    // Unpublishing removes the page at once.
    app.api(
        Method::POST,
        &format!("/api/admin/articles/{id}/unpublish"),
        None,
    )
    .await;
    assert_eq!(app.get(&a_path).await.status, StatusCode::NOT_FOUND);
    assert!(!app.page("/en").await.contains("First story, edited"));
}

async fn another_nodes_change_drops_cached_pages(backend: Backend) {
    let mut app = TestApp::with_demo(backend).await;
    let article = app
        .publish(json!({ "headline": "Seen by two nodes", "body": "One.", "language": "en", "authors": ["editor@example.com"] }))
        .await;
    let path = TestApp::path_of(article["url"].as_str().unwrap());
    let (other, other_router) = app.second_node().await;
    let seen = other.store.latest_content_change().await.unwrap();
    let (status, _) = get_via(&other_router, &path).await;
    assert_eq!(status, StatusCode::OK);
    assert!(other.page_cache.get(&path).is_some());

    let id = article["id"].as_i64().unwrap();
    app.api(
        Method::PATCH,
        &format!("/api/admin/articles/{id}"),
        Some(json!({ "headline": "Changed on node one" })),
    )
    .await;
    other.apply_remote_changes(seen).await.unwrap();
    assert!(
        other.page_cache.get(&path).is_none(),
        "the other node dropped its copy"
    );
    let (_, html) = get_via(&other_router, &path).await;
    assert!(html.contains("Changed on node one"));
    other.store.close().await;
}

async fn database_outage_shows_the_error_page(backend: Backend) {
    let app = TestApp::with_demo(backend).await;
    // A page read before the outage and since due for a new render.
    let before = app.page("/").await;
    app.state.page_cache.age_all();
    app.state.store.close().await;
    let stale = app.get("/").await;
    assert_eq!(
        stale.status,
        StatusCode::OK,
        "stale-if-error: readers keep the page"
    );
    assert_eq!(stale.body, before);
    let response = app.get("/section/news").await;
    assert_eq!(
        response.status,
        StatusCode::SERVICE_UNAVAILABLE,
        "not a 500"
    );
    assert!(response.header("retry-after").parse::<u32>().is_ok());
    assert!(response.header("content-type").starts_with("text/html"));
    assert!(response.body.contains("Щось пішло не так"));
    assert!(!response.body.contains("pool"), "no internals shown");
    let health = app.get("/healthz").await;
    assert_eq!(health.status, StatusCode::OK, "still serving what it holds");
    assert!(health.body.starts_with("degraded"), "{}", health.body);
}

#[tokio::test]
async fn a_theme_folder_overrides_templates_file_by_file() {
    let theme = std::env::temp_dir().join(format!("newsdesk-theme-{}", rand::random::<u32>()));
    std::fs::create_dir_all(&theme).unwrap();
    std::fs::write(
        theme.join("error.html"),
        "<!doctype html><html lang=\"{{ lang }}\"><title>{{ page_title }}</title><p class=\"error-page\">Our own page: {{ page_title }}</p></html>",
    )
    .unwrap();
    let app = TestApp::with_env(
        Backend::Sqlite,
        &[("NEWSDESK_THEME_DIR", theme.to_str().unwrap())],
    )
    .await;
    let missing = app.get("/missing").await;
    assert_eq!(missing.status, StatusCode::NOT_FOUND);
    assert!(
        missing.body.contains("Our own page: Сторінку не знайдено"),
        "{}",
        missing.body
    );
    assert!(
        app.page("/").await.contains("class=\"masthead\""),
        "other templates stay built in"
    );
    std::fs::remove_dir_all(theme).unwrap();
}

async fn related_stories_of_a_popular_tag_read_only_the_newest(backend: Backend) {
    let mut app = TestApp::with_staff(backend).await;
    let published = app
        .publish(serde_json::json!({
            "headline": "Енергетика сьогодні", "body": "Текст.", "language": "uk",
            "authors": ["editor@example.com"], "tags": ["енергетика"],
        }))
        .await;
    let pool = app.state.store.pool().clone();
    // 3,000 older stories share the tag.
    sqlx::query(
        "INSERT INTO articles (translation_group, language, slug, headline, status, created_at, updated_at, published_at) \
         WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 3000) \
         SELECT 'r' || CAST(i AS TEXT), 'uk', 'related-' || CAST(i AS TEXT), 'Related ' || CAST(i AS TEXT), \
         'published', 0, 0, 1600000000 + i FROM n",
    )
    .execute(&pool)
    .await
    .unwrap();
    sqlx::query(
        "INSERT INTO article_tags (article_id, tag_id, position) \
         SELECT a.id, t.id, 0 FROM articles a, tags t WHERE a.slug LIKE 'related-%' AND t.name = 'енергетика'",
    )
    .execute(&pool)
    .await
    .unwrap();
    app.state.page_cache.clear();
    let page = app
        .page(&TestApp::path_of(published["url"].as_str().unwrap()))
        .await;
    let related = &page[page.find("class=\"related\"").unwrap()..];
    assert!(
        related.contains("Related 3000"),
        "the newest of the tag come first"
    );
    // Each source is read through its index, newest first, not the whole
    // tag: the statement the page runs, as the database plans it.
    if backend == Backend::Postgres {
        sqlx::query("ANALYZE article_tags")
            .execute(&pool)
            .await
            .unwrap();
    }
    let id = published["id"].as_i64().unwrap();
    let article = app
        .state
        .store
        .article_row(newsdesk::store::ArticleId(id))
        .await
        .unwrap();
    let tags: Vec<_> = app
        .state
        .store
        .article(newsdesk::store::ArticleId(id))
        .await
        .unwrap()
        .tags
        .iter()
        .map(|t| t.id)
        .collect();
    assert_eq!(tags.len(), 1);
    let sql = newsdesk::store::related_candidates_sql(&article, &tags).unwrap();
    let binds: &[&str] = if article.section_id.is_some() {
        &["uk"]
    } else {
        &[]
    };
    let plan = app
        .state
        .store
        .explain(&sql, binds)
        .await
        .unwrap()
        .join("\n");
    // An index read in article order that stops after 40 rows: no sort of the whole tag.
    assert!(plan.contains("INDEX") || plan.contains("Index"), "{plan}");
    assert!(
        !plan.contains("TEMP B-TREE") && !plan.contains("Sort"),
        "{plan}"
    );
}

async fn an_exhausted_pool_gives_readers_a_503_not_a_500(backend: Backend) {
    let app = TestApp::with_demo(backend).await;
    // Every connection of the pool (five in tests) is busy elsewhere.
    let mut held = Vec::new();
    while let Ok(Ok(conn)) = tokio::time::timeout(
        std::time::Duration::from_millis(200),
        app.state.store.pool().acquire(),
    )
    .await
    {
        held.push(conn);
    }
    assert!(!held.is_empty());
    let response = app.get("/section/news").await;
    assert_eq!(response.status, StatusCode::SERVICE_UNAVAILABLE);
    assert!(response.header("retry-after").parse::<u32>().is_ok());
    assert!(
        response.body.contains("Щось пішло не так"),
        "the styled page"
    );
    drop(held);
    assert_eq!(
        app.get("/section/news").await.status,
        StatusCode::OK,
        "and it recovers"
    );
}

async fn readers_arriving_after_a_publish_wait_for_one_render(backend: Backend) {
    let app = TestApp::with_demo(backend).await;
    app.page("/").await;
    // A publish drops the home page; then a crowd of readers arrives at once.
    app.state.page_cache.clear();
    let before = app.state.page_cache.stores();
    let mut tasks = tokio::task::JoinSet::new();
    for _ in 0..24 {
        let router = app.router.clone();
        tasks.spawn(async move {
            use tower::ServiceExt;
            let request = axum::http::Request::get("/").body(Body::empty()).unwrap();
            router.oneshot(request).await.unwrap().status()
        });
    }
    while let Some(status) = tasks.join_next().await {
        assert_eq!(status.unwrap(), StatusCode::OK);
    }
    assert_eq!(
        app.state.page_cache.stores() - before,
        1,
        "one render served everyone"
    );
}

/// The home page, feeds, section pages, day pages and every deeper page by
/// cursor: each reads the newest stories in order from an index, so its
/// cost does not grow with the archive. A sort step or a full scan of the
/// articles in the plan fails the test.
async fn public_lists_read_the_newest_from_an_index_without_sorting_the_archive(backend: Backend) {
    use newsdesk::store::{ArticleFilter, ArticleStatus};
    let app = TestApp::with_demo(backend).await;
    let section = app.state.store.sections().await.unwrap()[0].id;
    let (tag, author): (i64, i64) = sqlx::query_as(
        "SELECT (SELECT tag_id FROM article_tags LIMIT 1), (SELECT staff_id FROM article_authors LIMIT 1)",
    )
    .fetch_one(app.state.store.pool())
    .await
    .unwrap();
    let published = |language: &str| ArticleFilter {
        status: Some(ArticleStatus::Published),
        language: Some(language.into()),
        ..Default::default()
    };
    let lists = [
        ("home and feeds", "articles_list_idx", published("uk")),
        (
            "a section",
            "articles_section_list_idx",
            ArticleFilter {
                section_id: Some(section),
                ..published("uk")
            },
        ),
        (
            "a day",
            "articles_list_idx",
            ArticleFilter {
                published_from: Some(1_795_000_000),
                published_until: Some(1_795_086_400),
                ..published("en")
            },
        ),
        (
            "page 500 by cursor",
            "articles_list_idx",
            ArticleFilter {
                after: Some((1_795_000_000, 12)),
                ..published("uk")
            },
        ),
        (
            "a tag",
            // Walking the language's whole list for a rare tag would be O(n).
            "article_tags_list_idx",
            ArticleFilter {
                tag_id: Some(newsdesk::store::TagId(tag)),
                ..published("uk")
            },
        ),
        (
            "an author's byline page, deep by cursor",
            "article_authors_list_idx",
            ArticleFilter {
                author_id: Some(newsdesk::store::StaffId(author)),
                after: Some((1_795_000_000, 12)),
                ..published("en")
            },
        ),
    ];
    for (what, index, filter) in lists {
        let plan = app
            .state
            .store
            .explain_article_cards(&filter, 21)
            .await
            .unwrap()
            .join("\n");
        let sorts = plan.contains("TEMP B-TREE") || plan.contains("Sort");
        let scans = plan.contains("SCAN a")
            || plan.contains("SCAN m")
            || plan.contains("Seq Scan on article");
        assert!(!sorts && !scans, "{what} on {backend:?}:\n{plan}");
        assert!(plan.contains(index), "{what} reads {index}:\n{plan}");
    }
}

async fn a_search_flood_from_one_address_leaves_search_to_everyone_else(backend: Backend) {
    use newsdesk::http::site::search_gate::PER_CLIENT;
    let app = TestApp::with_demo(backend).await;
    let search = |peer: &'static str, n: u32| {
        let app = &app;
        async move {
            app.request_from(
                peer,
                axum::http::Method::GET,
                &format!("/search?q=світло+{n}"),
                &[],
                axum::body::Body::empty(),
            )
            .await
        }
    };
    for n in 0..PER_CLIENT {
        assert_eq!(search("203.0.113.9", n).await.status, StatusCode::OK);
    }
    let refused = search("203.0.113.9", 99).await;
    assert_eq!(refused.status, StatusCode::TOO_MANY_REQUESTS);
    assert!(!refused.header("retry-after").is_empty());
    assert!(
        refused.header("content-type").starts_with("text/html"),
        "a page, not a bare error"
    );
    assert_eq!(
        search("198.51.100.4", 0).await.status,
        StatusCode::OK,
        "another reader still searches"
    );
    // The search form alone is not a search.
    let form = app
        .request_from(
            "203.0.113.9",
            axum::http::Method::GET,
            "/search",
            &[],
            axum::body::Body::empty(),
        )
        .await;
    assert_eq!(form.status, StatusCode::OK);
}

/// After a publish, the pages it dropped from the cache (here the home page
/// and the English home, which readers had just read) are rendered again by
/// the warming job, without a reader asking, and show the new story.
async fn pages_a_publish_drops_are_rendered_again_before_readers_ask(backend: Backend) {
    use newsdesk::jobs::{Job, Stop, WarmPages};
    let mut app = TestApp::with_demo(backend).await;
    app.page("/").await;
    app.page("/en").await;
    assert!(app.state.page_cache.get("/").is_some());
    app.publish(serde_json::json!({
        "headline": "Мости відкрили раніше строку",
        "body": "Текст.",
        "language": "uk",
        "authors": ["editor@example.com"],
    }))
    .await;
    assert!(
        app.state.page_cache.get("/").is_none(),
        "the publish dropped the home page"
    );
    let stored = app.state.page_cache.stores();
    WarmPages::new(app.state.clone())
        .run_once(&Stop::never())
        .await
        .unwrap();
    assert!(
        app.state.page_cache.get("/").is_some(),
        "home rendered again"
    );
    assert_eq!(
        app.state.page_cache.stores(),
        stored + 1,
        "only what the publish dropped: the English home is untouched"
    );
    // The next reader is served the new front page from memory.
    let home = app.page("/").await;
    assert!(home.contains("Мости відкрили раніше строку"));
    assert_eq!(app.state.page_cache.stores(), stored + 1);
}

/// A search finds a word in any of its forms, Ukrainian and English; a
/// headline match ranks above a passing mention of the same age, and a
/// fresh story above an old one that says as much.
async fn search_finds_every_form_and_ranks_fresh_headlines_first(backend: Backend) {
    let mut app = TestApp::with_newsroom(backend, &[]).await;
    let day = 86_400;
    let now = app.state.clock.now();
    app.state.clock.set(now - 700 * day);
    app.publish(
        ArticleBuilder::new("Уряд ухвалив бюджет торік")
            .body("Рішення уряду.")
            .json(),
    )
    .await;
    app.state.clock.set(now - day);
    app.publish(
        ArticleBuilder::new("Погода на вихідні")
            .body("Синоптики, а не урядом призначені чиновники, обіцяють сонце.")
            .json(),
    )
    .await;
    app.publish(ArticleBuilder::new("Урядом схвалено новий закон").json())
        .await;
    app.publish(
        ArticleBuilder::new("Elections are coming")
            .language("en")
            .json(),
    )
    .await;
    app.state.clock.set(now);

    let found = app.page("/search?q=%D1%83%D1%80%D1%8F%D0%B4%D1%83").await; // «уряду»
    let at = |headline: &str| {
        found
            .find(headline)
            .unwrap_or_else(|| panic!("{headline} not found in {found}"))
    };
    assert!(
        at("Урядом схвалено") < at("Погода на вихідні"),
        "headline over mention"
    );
    assert!(
        at("Урядом схвалено") < at("Уряд ухвалив бюджет"),
        "fresh over old"
    );
    let english = app.page("/en/search?q=election").await;
    assert!(english.contains("Elections are coming"), "{english}");
    let none = app.page("/en/search?q=%D1%83%D1%80%D1%8F%D0%B4").await;
    assert!(
        !none.contains("Урядом"),
        "each language searches its own stories"
    );
}

/// The search index answers, and follows every change: a story is findable
/// the moment its publishing returns, gone when taken down, found by another
/// node's own index, and bulk-written stories rebuild the index.
async fn the_search_index_follows_every_change(backend: Backend) {
    let mut app = TestApp::with_newsroom(backend, &[]).await;
    assert!(app.state.search.is_ready(), "built when the node starts");
    assert_eq!(index_finds(&app.state, "журавл").await, Some(vec![]));

    let story = app
        .publish(ArticleBuilder::new("Журавлі повернулися на Полісся").json())
        .await;
    let id = newsdesk::store::ArticleId(story["id"].as_i64().unwrap());
    assert_eq!(
        index_finds(&app.state, "журавл").await,
        Some(vec![id]),
        "found at once"
    );
    let page = app
        .page("/search?q=%D0%B6%D1%83%D1%80%D0%B0%D0%B2%D0%BB%D1%96%D0%B2")
        .await; // «журавлів»
    assert!(page.contains("Журавлі повернулися"), "{page}");

    // Another node keeps an index of its own (the first holds this data
    // folder's) and learns of the story from the database.
    let (other, _) = app.second_node().await;
    other
        .search
        .keep_up(&other.store, &other.config.data_dir, &|| true)
        .await
        .unwrap();
    assert!(app.data_dir.join("search-index-2").is_dir());
    assert_eq!(index_finds(&other, "журавл").await, Some(vec![id]));

    let taken_down = app
        .api(
            Method::POST,
            &format!("/api/admin/articles/{}/unpublish", id.0),
            None,
        )
        .await;
    assert_eq!(taken_down.status, StatusCode::OK, "{}", taken_down.body);
    assert_eq!(
        index_finds(&app.state, "журавл").await,
        Some(vec![]),
        "gone at once"
    );
    assert_eq!(
        index_finds(&other, "журавл").await,
        Some(vec![]),
        "gone there too"
    );

    // Stories written in bulk, past the one write path: the database
    // answers until the index is built again, which then finds them.
    newsdesk::demo::generate::generate(&app.state, 40, 7)
        .await
        .unwrap();
    assert_eq!(index_finds(&app.state, "уряд").await, None);
    assert!(!app.state.search.is_ready());
    let health = app.get("/healthz").await;
    assert_eq!(health.status, StatusCode::OK);
    assert!(
        health.body.contains("search index: building"),
        "{}",
        health.body
    );
    app.state
        .search
        .keep_up(&app.state.store, &app.state.config.data_dir, &|| true)
        .await
        .unwrap();
    assert!(app.page("/healthz").await.contains("search index: ready"));
    let found = index_finds(&app.state, "уряд").await.unwrap();
    assert!(found.len() >= 5, "generated stories are found: {found:?}");
}

/// Search results and related stories are read by key, never through a
/// list index walked in search of a few ids.
async fn stories_by_id_are_read_by_key(backend: Backend) {
    use newsdesk::store::{ArticleId, cards_by_id_sql};
    let app = TestApp::with_demo(backend).await;
    let sql = cards_by_id_sql(&[ArticleId(3), ArticleId(1), ArticleId(2)]);
    let plan = app.state.store.explain(&sql, &[]).await.unwrap().join("\n");
    match backend {
        Backend::Sqlite => assert!(plan.contains("USING INTEGER PRIMARY KEY"), "{plan}"),
        Backend::Postgres => assert!(plan.contains("articles_pkey"), "{plan}"),
    }
    assert!(
        !plan.contains("list_idx") && !plan.contains("public_idx"),
        "{plan}"
    );
}

/// What this node's search index finds for one Ukrainian stem, if it answers.
async fn index_finds(
    state: &newsdesk::app::AppState,
    stem: &str,
) -> Option<Vec<newsdesk::store::ArticleId>> {
    let stems = [stem.to_owned()];
    let request = newsdesk::search::SearchRequest {
        language: "uk",
        stems: &stems,
        limit: 10,
        offset: 0,
        now: state.clock.now(),
    };
    state.search.search(&state.store, &request).await.unwrap()
}

/// Two nodes on one PostgreSQL database: a change on one reaches the other's
/// cache at once (LISTEN/NOTIFY), a story's and a section's alike.
#[tokio::test]
async fn postgres_nodes_hear_of_changes_at_once() {
    use newsdesk::jobs::{FollowContentChanges, Job, Stop};
    let mut app = TestApp::with_newsroom(Backend::Postgres, &[]).await;
    let article = app
        .publish(ArticleBuilder::new("Почують усі вузли").json())
        .await;
    let path = TestApp::path_of(article["url"].as_str().unwrap());
    let (other, other_router) = app.second_node().await;
    let mut job = FollowContentChanges::new(other.clone());
    let follower = tokio::spawn(async move {
        let stop = Stop::never();
        loop {
            let _ = job.run_once(&stop).await;
            tokio::time::sleep(job.interval()).await;
        }
    });
    // The follower's first round: it listens, then waits.
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;

    let dropped_within = |key: &'static str| {
        let other = other.clone();
        async move {
            let started = std::time::Instant::now();
            while other.page_cache.get(key).is_some() {
                assert!(started.elapsed().as_secs() < 5, "{key} never dropped");
                tokio::time::sleep(std::time::Duration::from_millis(5)).await;
            }
            started.elapsed()
        }
    };
    let path: &'static str = Box::leak(path.into_boxed_str());
    assert_eq!(get_via(&other_router, path).await.0, StatusCode::OK);
    assert!(other.page_cache.get(path).is_some());
    let id = article["id"].as_i64().unwrap();
    app.api(
        Method::PATCH,
        &format!("/api/admin/articles/{id}"),
        Some(json!({ "headline": "Змінено на першому вузлі" })),
    )
    .await;
    let took = dropped_within(path).await;
    assert!(took.as_millis() < 500, "a story's change took {took:?}");

    assert_eq!(get_via(&other_router, "/").await.0, StatusCode::OK);
    app.api(
        Method::PUT,
        "/api/admin/sections/news",
        Some(json!({ "names": { "en": "The News" } })),
    )
    .await;
    let took = dropped_within("/").await;
    assert!(took.as_millis() < 500, "a section's change took {took:?}");
    follower.abort();
    other.store.close().await;
}
