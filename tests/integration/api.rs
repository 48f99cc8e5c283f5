//! The Admin API: authentication, the article lifecycle, validation.

use axum::body::Body;
use axum::http::{Method, StatusCode};
use serde_json::{Value, json};

use crate::on_both_backends;
use crate::util::{Backend, TestApp};

on_both_backends!(
    requires_a_valid_key,
    article_lifecycle_from_draft_to_unpublished,
    translations_link_both_ways,
    invalid_input_names_fields_and_writes_nothing,
    stale_saves_are_refused,
    lists_filter_and_taxonomies,
    long_lists_page_by_cursor_in_the_api_and_the_admin,
);

fn story() -> Value {
    json!({
        "headline": "Київрада ухвалила новий графік прибирання снігу",
        "standfirst": "Комунальники працюватимуть позмінно.",
        "body": "Перший абзац.\n\nДругий абзац.",
        "language": "uk",
        "section": "news",
        "tags": ["зима", "комунальні служби"],
        "authors": ["author@example.com", "editor@example.com"],
        "cover": { "url": "/static/demo/cover-city.svg", "alt": "Місто взимку", "credit": "Редакція" },
        "sources": [
            { "outlet": "Financial Times", "url": "https://www.ft.com/content/example", "citation": "з посиланням на джерела" },
            { "outlet": "Axios", "citation": "за даними" }
        ]
    })
}

async fn requires_a_valid_key(backend: Backend) {
    let app = TestApp::new(backend).await;
    let none = app.get("/api/admin/articles").await;
    assert_eq!(none.status, StatusCode::UNAUTHORIZED);
    assert_eq!(none.header("www-authenticate"), "Bearer");
    assert!(none.json()["errors"][0]["detail"].is_string());
    for token in [
        "Bearer nd_0000",
        "Bearer ",
        "Basic abc",
        "Bearer nd_' OR 1=1 --",
    ] {
        let response = app
            .request(
                Method::GET,
                "/api/admin/articles",
                &[("authorization", token)],
                Body::empty(),
            )
            .await;
        assert_eq!(response.status, StatusCode::UNAUTHORIZED, "{token}");
    }
    let missing = app.get("/api/admin/nothing").await;
    assert_eq!(missing.status, StatusCode::NOT_FOUND);
    assert!(
        missing
            .header("content-type")
            .starts_with("application/json"),
        "the API keeps JSON errors"
    );
}

async fn article_lifecycle_from_draft_to_unpublished(backend: Backend) {
    let mut app = TestApp::with_demo(backend).await;
    let created = app
        .api(Method::POST, "/api/admin/articles", Some(story()))
        .await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.body);
    let draft = created.json();
    let id = draft["id"].as_i64().unwrap();
    assert_eq!(draft["status"], "draft");
    assert_eq!(
        draft["slug"],
        "kyivrada-ukhvalyla-novyi-hrafik-prybyrannia-snihu"
    );
    assert_eq!(draft["url"], Value::Null, "a draft has no public address");
    assert_eq!(draft["section"], "news");
    assert_eq!(draft["authors"][0]["slug"], "iryna-bondar");
    assert_eq!(draft["authors"][1]["slug"], "andrii-melnyk");
    assert_eq!(draft["tags"].as_array().unwrap().len(), 2);
    assert_eq!(draft["sources"][0]["outlet"], "Financial Times");
    assert_eq!(draft["sources"][1]["url"], Value::Null);

    let published = app
        .api(
            Method::POST,
            &format!("/api/admin/articles/{id}/publish"),
            None,
        )
        .await
        .json();
    assert_eq!(published["status"], "published");
    let url = published["url"].as_str().unwrap().to_owned();
    assert!(url.starts_with("https://news.example.org/20"), "{url}");
    assert!(url.ends_with("/kyivrada-ukhvalyla-novyi-hrafik-prybyrannia-snihu"));
    let path = TestApp::path_of(&url);
    let page = app.page(&path).await;
    assert!(page.contains("Київрада ухвалила новий графік"));
    assert!(page.contains("Financial Times") && page.contains("з посиланням на джерела"));
    assert!(
        app.page("/")
            .await
            .contains("Київрада ухвалила новий графік"),
        "on the home page at once"
    );

    // A new slug moves the story; the old address redirects permanently.
    let moved = app
        .api(
            Method::PATCH,
            &format!("/api/admin/articles/{id}"),
            Some(json!({ "slug": "snih-prybyraiut-za-novym-hrafikom" })),
        )
        .await;
    assert_eq!(moved.status, StatusCode::OK, "{}", moved.body);
    let new_url = moved.json()["url"].as_str().unwrap().to_owned();
    assert!(new_url.ends_with("/snih-prybyraiut-za-novym-hrafikom"));
    let old = app.get(&path).await;
    assert_eq!(old.status, StatusCode::PERMANENT_REDIRECT);
    assert_eq!(old.header("location"), TestApp::path_of(&new_url));
    let back = app
        .api(
            Method::PATCH,
            &format!("/api/admin/articles/{id}"),
            Some(json!({ "slug": "kyivrada-ukhvalyla-novyi-hrafik-prybyrannia-snihu" })),
        )
        .await;
    assert_eq!(
        back.status,
        StatusCode::OK,
        "a story can take its old address back"
    );
    assert_eq!(app.get(&path).await.status, StatusCode::OK);
    assert_eq!(
        app.get(&TestApp::path_of(&new_url)).await.status,
        StatusCode::PERMANENT_REDIRECT
    );

    let corrected = app
        .api(
            Method::POST,
            &format!("/api/admin/articles/{id}/corrections"),
            Some(json!({ "text": "Виправили дату засідання." })),
        )
        .await;
    assert_eq!(corrected.status, StatusCode::CREATED, "{}", corrected.body);
    assert!(app.page(&path).await.contains("Виправили дату засідання."));
    let fetched = app
        .api(Method::GET, &format!("/api/admin/articles/{id}"), None)
        .await
        .json();
    assert_eq!(fetched["corrections"][0]["kind"], "correction");

    let revisions = app
        .api(
            Method::GET,
            &format!("/api/admin/articles/{id}/revisions"),
            None,
        )
        .await
        .json();
    let revisions = revisions["revisions"].as_array().unwrap();
    assert_eq!(
        revisions.len(),
        3,
        "create and both moves are kept; publishing alone changes no text and keeps no copy"
    );
    assert_eq!(revisions[0]["snapshot"]["status"], "published");
    assert_eq!(revisions[2]["snapshot"]["status"], "draft");
    assert!(
        revisions[0]["saved_by"]
            .as_str()
            .unwrap()
            .starts_with("api-key:")
    );

    let unpublished = app
        .api(
            Method::POST,
            &format!("/api/admin/articles/{id}/unpublish"),
            None,
        )
        .await;
    assert_eq!(unpublished.status, StatusCode::OK);
    assert_eq!(unpublished.json()["url"], Value::Null);
    assert_eq!(app.get(&path).await.status, StatusCode::NOT_FOUND);
    let again = app
        .api(
            Method::POST,
            &format!("/api/admin/articles/{id}/unpublish"),
            None,
        )
        .await;
    assert_eq!(again.status, StatusCode::CONFLICT);

    // Republishing keeps the original address.
    let republished = app
        .api(
            Method::POST,
            &format!("/api/admin/articles/{id}/publish"),
            None,
        )
        .await
        .json();
    assert_eq!(republished["url"], url);
    assert!(republished["content_updated_at"].is_i64());
}

async fn translations_link_both_ways(backend: Backend) {
    let mut app = TestApp::with_demo(backend).await;
    let uk = app.publish(story()).await;
    let uk_id = uk["id"].as_i64().unwrap();
    let en = app
        .publish(json!({
            "headline": "Kyiv council adopts a new snow-clearing schedule",
            "body": "First paragraph.",
            "language": "en",
            "authors": ["author@example.com"],
            "translation_of": uk_id,
        }))
        .await;
    assert_eq!(en["translation_group"], uk["translation_group"]);
    assert_eq!(en["translations"][0]["id"], uk_id);
    let uk_page = app
        .page(&TestApp::path_of(uk["url"].as_str().unwrap()))
        .await;
    assert!(uk_page.contains("Kyiv council adopts a new snow-clearing schedule"));
    assert!(uk_page.contains(&format!(
        "hreflang=\"en\" href=\"{}\"",
        en["url"].as_str().unwrap()
    )));
    let duplicate = app
        .api(Method::POST, "/api/admin/articles", Some(json!({ "headline": "Another", "language": "en", "authors": ["editor@example.com"], "translation_of": uk_id })))
        .await;
    assert_eq!(
        duplicate.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        duplicate.body
    );
    assert_eq!(duplicate.json()["errors"][0]["field"], "translation_of");
    let same_language = app
        .api(Method::POST, "/api/admin/articles", Some(json!({ "headline": "Ще одна", "language": "uk", "authors": ["editor@example.com"], "translation_of": uk_id })))
        .await;
    assert_eq!(same_language.status, StatusCode::UNPROCESSABLE_ENTITY);
    // A story written separately can be linked afterwards.
    let later = app
        .publish(json!({ "headline": "Snow plan, the English version", "body": "Text.", "language": "en", "authors": ["editor@example.com"] }))
        .await;
    let later_id = later["id"].as_i64().unwrap();
    let en_id = en["id"].as_i64().unwrap();
    let taken = app
        .api(
            Method::PATCH,
            &format!("/api/admin/articles/{later_id}"),
            Some(json!({ "translation_of": uk_id })),
        )
        .await;
    assert_eq!(
        taken.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "the story already has an English version"
    );
    let solo = app
        .publish(json!({ "headline": "Окремий матеріал про сніг", "body": "Текст.", "language": "uk", "authors": ["editor@example.com"] }))
        .await;
    let linked = app
        .api(
            Method::PATCH,
            &format!("/api/admin/articles/{later_id}"),
            Some(json!({ "translation_of": solo["id"] })),
        )
        .await;
    assert_eq!(linked.status, StatusCode::OK, "{}", linked.body);
    let solo_page = app
        .page(&TestApp::path_of(solo["url"].as_str().unwrap()))
        .await;
    assert!(solo_page.contains(&format!(
        "hreflang=\"en\" href=\"{}\"",
        later["url"].as_str().unwrap()
    )));
    assert_ne!(en_id, later_id);
    let own = app
        .api(
            Method::PATCH,
            &format!("/api/admin/articles/{later_id}"),
            Some(json!({ "translation_of": later_id })),
        )
        .await;
    assert_eq!(own.status, StatusCode::UNPROCESSABLE_ENTITY);
}

async fn article_count(app: &mut TestApp) -> i64 {
    app.api(Method::GET, "/api/admin/articles", None)
        .await
        .json()["total"]
        .as_i64()
        .unwrap()
}

async fn invalid_input_names_fields_and_writes_nothing(backend: Backend) {
    let mut app = TestApp::with_demo(backend).await;
    let before = article_count(&mut app).await;
    let response = app
        .api(
            Method::POST,
            "/api/admin/articles",
            Some(json!({
                "headline": "",
                "language": "fr",
                "section": "sport",
                "authors": ["nobody@example.com"],
                "slug": "Not A Slug",
                "cover": { "url": "https://tracker.example/pixel.gif", "alt": "" },
                "sources": [{ "outlet": "", "url": "javascript:alert(1)" }],
                "tags": ["!!!"],
                "social_image": "https://tracker.example/p.png",
            })),
        )
        .await;
    assert_eq!(
        response.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        response.body
    );
    let fields: Vec<String> = response.json()["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["field"].as_str().unwrap().to_owned())
        .collect();
    for field in [
        "headline",
        "language",
        "section",
        "authors",
        "slug",
        "cover.url",
        "social_image",
        "sources[0].outlet",
        "sources[0].url",
        "tags",
    ] {
        assert!(
            fields.iter().any(|f| f == field),
            "{field} missing from {fields:?}"
        );
    }
    let missing = app
        .api(
            Method::POST,
            "/api/admin/articles",
            Some(json!({ "body": "x" })),
        )
        .await;
    assert_eq!(missing.status, StatusCode::UNPROCESSABLE_ENTITY);
    let unknown = app.api(Method::POST, "/api/admin/articles", Some(json!({ "headline": "x", "language": "uk", "authors": ["editor@example.com"], "colour": "red" }))).await;
    assert_eq!(unknown.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(unknown.body.contains("colour"), "{}", unknown.body);
    let key = format!("Bearer {}", app.api_key().await);
    let malformed = app
        .request(
            Method::POST,
            "/api/admin/articles",
            &[
                ("authorization", &key),
                ("content-type", "application/json"),
            ],
            Body::from("{\"headline\": "),
        )
        .await;
    assert_eq!(malformed.status, StatusCode::BAD_REQUEST);
    assert!(malformed.json()["errors"][0]["detail"].is_string());
    let too_long = app
        .api(Method::POST, "/api/admin/articles", Some(json!({ "headline": "x".repeat(301), "language": "uk", "authors": ["editor@example.com"] })))
        .await;
    assert_eq!(too_long.status, StatusCode::UNPROCESSABLE_ENTITY);
    let huge = app
        .api(Method::POST, "/api/admin/articles", Some(json!({ "headline": "x", "language": "uk", "authors": ["editor@example.com"], "body": "x".repeat(2_000_000) })))
        .await;
    assert!(huge.status.is_client_error(), "{}", huge.status);
    assert_eq!(
        article_count(&mut app).await,
        before,
        "nothing half-written"
    );
    let bad_id = app.api(Method::GET, "/api/admin/articles/abc", None).await;
    assert_eq!(bad_id.status, StatusCode::NOT_FOUND);
    let absent = app
        .api(Method::POST, "/api/admin/articles/999999/publish", None)
        .await;
    assert_eq!(absent.status, StatusCode::NOT_FOUND);
    let correction = app
        .api(
            Method::POST,
            "/api/admin/articles/1/corrections",
            Some(json!({ "kind": "oops", "text": "" })),
        )
        .await;
    assert_eq!(correction.status, StatusCode::UNPROCESSABLE_ENTITY);
}

async fn stale_saves_are_refused(backend: Backend) {
    let mut app = TestApp::with_demo(backend).await;
    let created = app
        .api(Method::POST, "/api/admin/articles", Some(story()))
        .await
        .json();
    let id = created["id"].as_i64().unwrap();
    let version = created["version"].as_i64().unwrap();
    let first = app
        .api(
            Method::PATCH,
            &format!("/api/admin/articles/{id}"),
            Some(json!({ "body": "Editor A's text", "version": version })),
        )
        .await;
    assert_eq!(first.status, StatusCode::OK, "{}", first.body);
    let second = app
        .api(
            Method::PATCH,
            &format!("/api/admin/articles/{id}"),
            Some(json!({ "body": "Editor B's text", "version": version })),
        )
        .await;
    assert_eq!(second.status, StatusCode::CONFLICT);
    assert!(second.body.contains("someone else saved"));
    let current = app
        .api(Method::GET, &format!("/api/admin/articles/{id}"), None)
        .await
        .json();
    assert_eq!(
        current["body"], "Editor A's text",
        "nothing silently overwritten"
    );
}

async fn lists_filter_and_taxonomies(backend: Backend) {
    let mut app = TestApp::with_demo(backend).await;
    app.api(Method::POST, "/api/admin/articles", Some(story()))
        .await;
    let drafts = app
        .api(Method::GET, "/api/admin/articles?status=draft", None)
        .await
        .json();
    assert_eq!(drafts["total"], 1);
    assert_eq!(drafts["articles"][0]["status"], "draft");
    let english = app
        .api(
            Method::GET,
            "/api/admin/articles?language=en&status=published&limit=5",
            None,
        )
        .await
        .json();
    assert_eq!(english["articles"].as_array().unwrap().len(), 5);
    assert!(
        english["articles"]
            .as_array()
            .unwrap()
            .iter()
            .all(|a| a["language"] == "en" && a["url"].is_string())
    );
    let by_headline = app
        .api(
            Method::GET,
            "/api/admin/articles?q=%D0%BF%D0%B5%D0%BA%D0%B0%D1%80%D0%BD%D1%96",
            None,
        )
        .await
        .json();
    assert_eq!(by_headline["total"], 1, "{by_headline}");
    let by_author = app
        .api(
            Method::GET,
            "/api/admin/articles?author=mariia-lysenko",
            None,
        )
        .await
        .json();
    assert!(by_author["total"].as_i64().unwrap() >= 4);
    let bad = app
        .api(Method::GET, "/api/admin/articles?status=lost&limit=0", None)
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(bad.json()["errors"].as_array().unwrap().len(), 2);
    let sections = app
        .api(Method::GET, "/api/admin/sections", None)
        .await
        .json();
    assert_eq!(sections["sections"].as_array().unwrap().len(), 5);
    let tags = app.api(Method::GET, "/api/admin/tags", None).await.json();
    assert!(
        tags["tags"]
            .as_array()
            .unwrap()
            .iter()
            .any(|t| t["name"] == "енергетика")
    );
    let staff = app.api(Method::GET, "/api/admin/staff", None).await.json();
    let staff = staff["staff"].as_array().unwrap();
    assert!(staff.iter().any(|s| s["role"] == "contributor"));
    assert!(
        staff.iter().all(|s| s.get("password_hash").is_none()),
        "no secrets in the API"
    );
}

async fn long_lists_page_by_cursor_in_the_api_and_the_admin(backend: Backend) {
    let mut app = TestApp::with_staff(backend).await;
    // 130 drafts, some sharing a timestamp, so the cursor must break ties by id.
    sqlx::query(
        "INSERT INTO articles (translation_group, language, slug, headline, status, created_at, updated_at) \
         WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 130) \
         SELECT 'p' || CAST(i AS TEXT), 'uk', 'page-' || CAST(i AS TEXT), 'Сторінка ' || CAST(i AS TEXT), \
         'draft', 0, 1700000000 + i / 3 FROM n",
    )
    .execute(app.state.store.pool())
    .await
    .unwrap();
    let total: i64 = app
        .api(
            Method::GET,
            "/api/admin/articles?status=draft&limit=1",
            None,
        )
        .await
        .json()["total"]
        .as_i64()
        .unwrap();
    let mut seen = Vec::new();
    let mut path = "/api/admin/articles?status=draft&limit=40".to_owned();
    loop {
        let page = app.api(Method::GET, &path, None).await.json();
        for item in page["articles"].as_array().unwrap() {
            seen.push(item["id"].as_i64().unwrap());
        }
        match page["next"].as_str() {
            Some(next) => path = format!("/api/admin/articles?status=draft&limit=40&after={next}"),
            None => break,
        }
    }
    assert_eq!(seen.len() as i64, total);
    let mut unique = seen.clone();
    unique.sort_unstable();
    unique.dedup();
    assert_eq!(unique.len(), seen.len(), "no article twice");
    // The admin's list pages the same way, past the first 50, keeping its filters.
    let editor = app.sign_in("editor@example.com").await;
    let mut next = Some("/admin/articles?status=draft".to_owned());
    let mut rows = 0;
    while let Some(url) = next.take() {
        let page = app.admin_get(&editor, &url.replace("&amp;", "&")).await;
        assert_eq!(page.status, StatusCode::OK);
        rows += page.body.matches("/admin/articles/").count();
        next = page
            .body
            .split("rel=\"next\"")
            .next()
            .filter(|_| page.body.contains("rel=\"next\""))
            .and_then(|before| before.rsplit("href=\"").next())
            .and_then(|rest| rest.split('"').next())
            .map(str::to_owned);
        if let Some(n) = &next {
            assert!(n.contains("status=draft"), "filters are kept: {n}");
        }
    }
    assert!(rows as i64 >= total, "{rows} links for {total} drafts");
}
