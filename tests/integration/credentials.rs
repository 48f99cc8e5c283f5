//! Taking credentials back: scoped and revocable API keys, disabled staff,
//! one-time passwords, reset links and preview links that end, and the
//! audit log that records it all.

use axum::body::Body;
use axum::http::{Method, StatusCode};
use newsdesk::services::api_keys::{self, Scope};

use crate::on_both_backends;
use crate::smtp::SmtpServer;
use crate::util::{Backend, STAFF_PASSWORD, TestApp};

on_both_backends!(
    api_keys_do_only_what_their_scopes_say_and_can_be_revoked,
    a_disabled_colleague_is_locked_out_and_their_stories_stay,
    a_one_time_password_opens_only_the_password_page,
    only_the_newest_reset_link_works,
    preview_links_end_when_revoked_or_unpublished,
    the_owner_reads_the_audit_log,
);

async fn call(app: &TestApp, key: &str, method: Method, path: &str) -> StatusCode {
    let auth = format!("Bearer {key}");
    app.request(
        method,
        path,
        &[
            ("authorization", &auth),
            ("content-type", "application/json"),
        ],
        Body::from("{}"),
    )
    .await
    .status
}

async fn api_keys_do_only_what_their_scopes_say_and_can_be_revoked(backend: Backend) {
    let app = TestApp::with_staff(backend).await;
    let (reader, secret) =
        api_keys::create_scoped_key(&app.state.store, "site search", &[Scope::ContentRead], None)
            .await
            .unwrap();
    assert_eq!(
        call(&app, &secret, Method::GET, "/api/admin/articles").await,
        StatusCode::OK
    );
    assert_eq!(
        call(&app, &secret, Method::POST, "/api/admin/articles").await,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        call(&app, &secret, Method::POST, "/api/admin/articles/1/publish").await,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        call(&app, &secret, Method::GET, "/api/admin/donations").await,
        StatusCode::FORBIDDEN,
        "donors are their own scope"
    );
    // The owner sees the key and revokes it; it stops at once.
    let owner = app.sign_in("owner@example.com").await;
    let page = app.admin_get(&owner, "/admin/staff").await;
    assert!(page.body.contains("site search") && page.body.contains("content:read"));
    assert!(!page.body.contains(&secret), "a key is never shown again");
    let revoked = app
        .admin_post(&owner, &format!("/admin/keys/{}/revoke", reader.id), &[])
        .await;
    assert_eq!(revoked.status, StatusCode::SEE_OTHER);
    assert_eq!(
        call(&app, &secret, Method::GET, "/api/admin/articles").await,
        StatusCode::UNAUTHORIZED
    );
    // A key made in the admin is shown once, with the ticked scopes.
    let made = app
        .admin_post(
            &owner,
            "/admin/keys",
            &[("name", "donor export"), ("scope", "donations:read")],
        )
        .await;
    assert_eq!(made.status, StatusCode::OK);
    let start = made.body.find("data-new-key>").unwrap() + 13;
    let new_key = made.body[start..].split('<').next().unwrap().to_owned();
    assert_eq!(
        call(&app, &new_key, Method::GET, "/api/admin/donations").await,
        StatusCode::OK
    );
    assert_eq!(
        call(&app, &new_key, Method::GET, "/api/admin/articles").await,
        StatusCode::FORBIDDEN
    );
    // A key needs a name and a scope; nothing is made otherwise.
    for fields in [
        vec![("name", ""), ("scope", "content:read")],
        vec![("name", "no scope")],
        vec![("name", "odd scope"), ("scope", "everything")],
    ] {
        let refused = app.admin_post(&owner, "/admin/keys", &fields).await;
        assert_eq!(
            refused.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{fields:?}"
        );
        assert!(!refused.body.contains("data-new-key"));
    }
    // Editors cannot manage keys.
    let editor = app.sign_in("editor@example.com").await;
    let refused = app
        .admin_post(
            &editor,
            "/admin/keys",
            &[("name", "mine"), ("scope", "content:read")],
        )
        .await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
}

async fn a_disabled_colleague_is_locked_out_and_their_stories_stay(backend: Backend) {
    let app = TestApp::with_staff(backend).await;
    let owner = app.sign_in("owner@example.com").await;
    let author = app.sign_in("author@example.com").await;
    let author_row = app
        .state
        .store
        .staff_by_email("author@example.com")
        .await
        .unwrap();
    let (_, author_key) = api_keys::create_scoped_key(
        &app.state.store,
        "author's script",
        &[Scope::ContentRead],
        Some(author_row.id),
    )
    .await
    .unwrap();
    let story = app.page(&format!("/author/{}", author_row.slug)).await;
    let story_link = TestApp::first_link(&story[story.find("<main").unwrap()..], "/20");

    let disabled = app
        .admin_post(
            &owner,
            &format!("/admin/staff/{}/disable", author_row.id),
            &[],
        )
        .await;
    assert_eq!(disabled.status, StatusCode::SEE_OTHER, "{}", disabled.body);
    // Their open session ends, their password no longer works, their key is revoked.
    let dashboard = app.admin_get(&author, "/admin").await;
    assert_eq!(dashboard.status, StatusCode::SEE_OTHER);
    let again = app
        .post_form(
            "/admin/sign-in",
            format!("email=author%40example.com&password={STAFF_PASSWORD}"),
        )
        .await;
    assert_eq!(again.status, StatusCode::UNAUTHORIZED);
    assert_eq!(
        call(&app, &author_key, Method::GET, "/api/admin/articles").await,
        StatusCode::UNAUTHORIZED
    );
    // Their stories stay published under their name.
    assert_eq!(app.get(&story_link).await.status, StatusCode::OK);
    // Nobody disables themselves, nor the last owner.
    let owner_row = app
        .state
        .store
        .staff_by_email("owner@example.com")
        .await
        .unwrap();
    let myself = app
        .admin_post(
            &owner,
            &format!("/admin/staff/{}/disable", owner_row.id),
            &[],
        )
        .await;
    assert_eq!(myself.status, StatusCode::UNPROCESSABLE_ENTITY);
    // Enabled again, they can sign in.
    app.admin_post(
        &owner,
        &format!("/admin/staff/{}/enable", author_row.id),
        &[],
    )
    .await;
    app.sign_in("author@example.com").await;
}

async fn a_one_time_password_opens_only_the_password_page(backend: Backend) {
    let app = TestApp::with_staff(backend).await;
    let (member, password) = newsdesk::services::staff::add_staff(
        &app.state,
        newsdesk::services::staff::NewStaffInput {
            email: "new@example.com".into(),
            name: "New Reporter".into(),
            role: "author".into(),
            bio: String::new(),
        },
    )
    .await
    .unwrap();
    let signed_in = app
        .post_form(
            "/admin/sign-in",
            format!("email=new%40example.com&password={password}&next=%2Fadmin%2Farticles"),
        )
        .await;
    assert_eq!(signed_in.status, StatusCode::SEE_OTHER);
    let cookie = signed_in
        .header("set-cookie")
        .split(';')
        .next()
        .unwrap()
        .to_owned();
    let articles = app
        .request(
            Method::GET,
            "/admin/articles",
            &[("cookie", &cookie)],
            Body::empty(),
        )
        .await;
    assert_eq!(articles.status, StatusCode::SEE_OTHER);
    assert!(articles.header("location").starts_with("/admin/account"));
    let account = app
        .request(
            Method::GET,
            "/admin/account",
            &[("cookie", &cookie)],
            Body::empty(),
        )
        .await;
    assert_eq!(account.status, StatusCode::OK);
    let _ = member;
}

async fn only_the_newest_reset_link_works(backend: Backend) {
    let smtp = SmtpServer::start().await;
    let app = TestApp::with_staff_and_env(backend, &[("NEWSDESK_SMTP_URL", &smtp.url)]).await;
    for _ in 0..2 {
        app.post_form("/admin/password-reset", "email=author%40example.com")
            .await;
    }
    let links: Vec<String> = smtp
        .messages()
        .iter()
        .map(|m| TestApp::path_of(&m.link("https://news.example.org/admin/password/")))
        .collect();
    assert_eq!(links.len(), 2);
    let body = "new_password=another-long-password&confirm_password=another-long-password";
    assert_eq!(
        app.post_form(&links[0], body).await.status,
        StatusCode::NOT_FOUND,
        "a newer link ends the older one"
    );
    assert_eq!(
        app.post_form(&links[1], body).await.status,
        StatusCode::SEE_OTHER
    );
    assert_eq!(
        app.post_form(&links[1], body).await.status,
        StatusCode::NOT_FOUND
    );
}

fn preview_link(page: &str) -> String {
    let marker = "id=\"preview-link\" readonly value=\"";
    let start = page.find(marker).unwrap() + marker.len();
    let end = start + page[start..].find('"').unwrap();
    TestApp::path_of(&page[start..end].replace("&amp;", "&"))
}

async fn preview_links_end_when_revoked_or_unpublished(backend: Backend) {
    let app = TestApp::with_staff(backend).await;
    let editor = app.sign_in("editor@example.com").await;
    let created = app
        .admin_post(
            &editor,
            "/admin/articles",
            &[
                ("headline", "Чернетка"),
                ("body", "Текст."),
                ("language", "uk"),
                ("section", "news"),
            ],
        )
        .await;
    let id: i64 = created
        .header("location")
        .trim_start_matches("/admin/articles/")
        .split('?')
        .next()
        .unwrap()
        .parse()
        .unwrap();
    let editor_page = format!("/admin/articles/{id}");
    let first = preview_link(&app.admin_get(&editor, &editor_page).await.body);
    assert_eq!(app.get(&first).await.status, StatusCode::OK);
    let revoked = app
        .admin_post(
            &editor,
            &format!("/admin/articles/{id}/preview-links/revoke"),
            &[],
        )
        .await;
    assert_eq!(revoked.status, StatusCode::SEE_OTHER);
    assert_eq!(app.get(&first).await.status, StatusCode::NOT_FOUND);
    let second = preview_link(&app.admin_get(&editor, &editor_page).await.body);
    assert_eq!(app.get(&second).await.status, StatusCode::OK);
    // Published, then taken down: the link dies with it.
    let workflow = format!("/admin/articles/{id}/workflow");
    for action in ["publish", "unpublish"] {
        let version = app.version_of(id).await;
        let done = app
            .admin_post(
                &editor,
                &workflow,
                &[("action", action), ("version", &version)],
            )
            .await;
        assert_eq!(done.status, StatusCode::SEE_OTHER, "{action}");
    }
    assert_eq!(app.get(&second).await.status, StatusCode::NOT_FOUND);
}

async fn the_owner_reads_the_audit_log(backend: Backend) {
    let app = TestApp::with_staff(backend).await;
    app.post_form_from(
        "203.0.113.9",
        "/admin/sign-in",
        "email=editor%40example.com&password=wrong-password",
    )
    .await;
    let owner = app.sign_in("owner@example.com").await;
    app.admin_post(&owner, "/admin/settings", &[("authors_can_publish", "on")])
        .await;
    let log = app.admin_get(&owner, "/admin/audit").await;
    assert_eq!(log.status, StatusCode::OK);
    for expected in [
        "sign-in failed",
        "203.0.113.9",
        "editor@example.com",
        "settings changed",
        "owner@example.com",
    ] {
        assert!(log.body.contains(expected), "{expected}");
    }
    let editor = app.sign_in("editor@example.com").await;
    assert_eq!(
        app.admin_get(&editor, "/admin/audit").await.status,
        StatusCode::FORBIDDEN,
        "for owners only"
    );
}
