//! Static pages as the newsroom writes them in the admin and readers find
//! them: in every page's footer, at their own address, in each language.

use axum::http::StatusCode;

use crate::on_both_backends;
use crate::util::{ArticleBuilder, Backend, TestApp};

on_both_backends!(
    an_editor_writes_an_about_page_readers_find_it_everywhere,
    a_new_newsroom_starts_with_its_standards_pages
);

async fn an_editor_writes_an_about_page_readers_find_it_everywhere(backend: Backend) {
    let app = TestApp::with_staff(backend).await;
    let editor = app.sign_in("editor@example.com").await;
    let author = app.sign_in("author@example.com").await;
    assert_eq!(
        app.admin_get(&author, "/admin/pages").await.status,
        StatusCode::FORBIDDEN
    );
    let refused = app
        .admin_post(
            &author,
            "/admin/pages/new",
            &[("title", "Про нас"), ("language", "uk"), ("published", "1")],
        )
        .await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);

    // The site's own addresses cannot be taken.
    let reserved = app
        .admin_post(
            &editor,
            "/admin/pages/new",
            &[("title", "Пошук"), ("slug", "search"), ("language", "uk")],
        )
        .await;
    assert_eq!(reserved.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(reserved.body.contains("belongs to the site itself"));
    assert!(
        reserved.body.contains("value=\"Пошук\""),
        "what was typed stays"
    );

    let home_before = app.page("/").await;
    let created = app
        .admin_post(
            &editor,
            "/admin/pages/new",
            &[
                ("title", "Про редакцію"),
                ("slug", "about"),
                ("language", "uk"),
                ("body", "Ми — **незалежна** редакція.\n\nПишіть нам."),
                ("published", "1"),
            ],
        )
        .await;
    assert_eq!(created.status, StatusCode::SEE_OTHER, "{}", created.body);
    let admin_url = created.header("location").to_owned();
    let id: i64 = admin_url.rsplit('/').next().unwrap().parse().unwrap();

    let page = app.page("/about").await;
    assert!(page.contains("<h1 class=\"article__headline\">Про редакцію</h1>"));
    assert!(page.contains("<strong>незалежна</strong>"));
    assert!(!home_before.contains("href=\"/about\""));
    let home = app.page("/").await;
    assert!(
        home.contains("<a href=\"/about\">Про редакцію</a>"),
        "the footer links the page as soon as it is saved"
    );

    // Its English version, linked both ways.
    let translation = app
        .admin_post(
            &editor,
            "/admin/pages/new",
            &[
                ("title", "About us"),
                ("slug", "about"),
                ("language", "en"),
                ("body", "We are an independent newsroom."),
                ("published", "1"),
                ("translation_of", &id.to_string()),
            ],
        )
        .await;
    assert_eq!(translation.status, StatusCode::SEE_OTHER);
    let english = app.page("/en/about").await;
    assert!(english.contains("hreflang=\"uk\" href=\"https://news.example.org/about\""));
    assert!(app.page("/about").await.contains("href=\"/en/about\""));
    assert!(!app.page("/en").await.contains("Про редакцію"));

    // Renamed: the old address leads to the new one.
    let renamed = app
        .admin_post(
            &editor,
            &admin_url,
            &[
                ("title", "Про редакцію"),
                ("slug", "pro-nas"),
                ("language", "uk"),
                ("body", "Ми — незалежна редакція."),
                ("published", "1"),
            ],
        )
        .await;
    assert_eq!(renamed.status, StatusCode::SEE_OTHER, "{}", renamed.body);
    let old = app.get("/about").await;
    assert_eq!(old.status, StatusCode::PERMANENT_REDIRECT);
    assert_eq!(old.header("location"), "/pro-nas");

    // A draft is not public; a deleted page is gone.
    let hidden = app
        .admin_post(
            &editor,
            &admin_url,
            &[
                ("title", "Про редакцію"),
                ("slug", "pro-nas"),
                ("language", "uk"),
            ],
        )
        .await;
    assert_eq!(hidden.status, StatusCode::SEE_OTHER);
    assert_eq!(app.get("/pro-nas").await.status, StatusCode::NOT_FOUND);
    let deleted = app
        .admin_post(&editor, &format!("{admin_url}/delete"), &[])
        .await;
    assert_eq!(deleted.status, StatusCode::SEE_OTHER);
    assert_eq!(
        app.admin_get(&editor, &admin_url).await.status,
        StatusCode::NOT_FOUND
    );
    let listed = app.admin_get(&editor, "/admin/pages").await;
    assert!(listed.body.contains("About us"));
    assert!(!listed.body.contains("Про редакцію</a>"));
}

async fn a_new_newsroom_starts_with_its_standards_pages(backend: Backend) {
    let app = TestApp::with_newsroom(backend, &[]).await;
    let created = newsdesk::services::pages::ensure_default_pages(&app.state)
        .await
        .unwrap();
    assert_eq!(created, 8, "four pages in Ukrainian and English");
    assert_eq!(
        newsdesk::services::pages::ensure_default_pages(&app.state)
            .await
            .unwrap(),
        0,
        "only once in a newsroom's life"
    );
    let home = app.get("/").await.body;
    for (path, title) in [
        ("/pro-nas", "Про нас"),
        ("/komanda", "Команда"),
        ("/redakciini-standarty", "Редакційні стандарти"),
        ("/polityka-vypravlen", "Політика виправлень"),
    ] {
        assert!(
            home.contains(&format!("href=\"{path}\"")),
            "{path} in the footer"
        );
        let page = app.get(path).await;
        assert_eq!(page.status, StatusCode::OK, "{path}");
        assert!(page.body.contains(title), "{path}");
    }
    let english = app.get("/en/editorial-standards").await;
    assert_eq!(english.status, StatusCode::OK);
    assert!(
        english.body.contains("hreflang=\"uk\""),
        "linked to its Ukrainian version"
    );
    // Every link the pages make leads somewhere.
    for path in [
        "/pro-nas",
        "/redakciini-standarty",
        "/polityka-vypravlen",
        "/en/about",
        "/en/editorial-standards",
        "/en/corrections-policy",
    ] {
        let body = app.get(path).await.body;
        let article = body
            .split("<div class=\"article__body\">")
            .nth(1)
            .unwrap_or(&body);
        for link in article
            .split("href=\"")
            .skip(1)
            .map(|p| p.split('"').next().unwrap())
        {
            if link.starts_with('/') && !link.starts_with("//") {
                assert_eq!(
                    app.get(link).await.status,
                    StatusCode::OK,
                    "{link} on {path}"
                );
            }
        }
    }
    // The team page lists those with a byline, each linked to their stories;
    // staff readers have never seen named are not named here either.
    let mut app = app;
    app.publish(ArticleBuilder::new("A story with a byline").json())
        .await;
    app.state.page_cache.clear();
    let team = app.get("/en/team").await.body;
    let bylined = app.state.store.bylined_staff().await.unwrap();
    assert!(!bylined.is_empty());
    for person in &bylined {
        assert!(
            team.contains(&format!("<a href=\"/en/author/{}\">", person.slug)),
            "{} on the team page",
            person.name
        );
    }
    for person in app.state.store.all_staff().await.unwrap() {
        if !bylined.iter().any(|b| b.id == person.id) {
            assert!(
                !team.contains(&person.name),
                "{} has no byline",
                person.name
            );
        }
    }
    assert!(!team.contains("[[team]]"));
}
