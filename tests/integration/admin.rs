//! The newsroom admin over HTTP: sign-in, CSRF, every role against every
//! workflow step, conflicts, scheduled publishing.

use axum::body::Body;
use axum::http::{Method, StatusCode};

use crate::on_both_backends;
use crate::util::{AdminSession, Backend, TestApp};

on_both_backends!(
    sign_in_sets_a_safe_cookie_and_sign_out_ends_it,
    failed_sign_ins_are_throttled_per_account,
    forged_or_missing_csrf_changes_nothing,
    contributors_keep_to_their_own_drafts,
    authors_submit_and_editors_publish,
    owner_can_do_everything_an_editor_can,
    a_second_save_of_the_same_version_is_a_conflict_with_both_versions_shown,
    scheduled_articles_publish_once_when_due,
    sign_out_everywhere_ends_every_session,
    invalid_editor_input_keeps_the_text_and_names_the_fields,
    corrections_are_added_from_the_editor,
    revisions_are_listed_compared_and_restored,
    preview_links_show_drafts_until_they_expire,
    uploads_are_sniffed_reencoded_and_served_in_sizes,
    images_in_use_cannot_be_deleted,
    the_admin_speaks_the_chosen_language,
    expired_sessions_sign_out,
    article_lists_filter_and_search,
);

/// Creates an article through the editor form; returns its id.
async fn write_article(app: &TestApp, session: &AdminSession, headline: &str) -> i64 {
    let response = app
        .admin_post(
            session,
            "/admin/articles",
            &[
                ("headline", headline),
                ("standfirst", "Standfirst."),
                ("body", "First paragraph.\n\nSecond paragraph."),
                ("language", "uk"),
                ("section", "news"),
                ("tags", "тест, перевірка"),
                ("source_outlet", "Financial Times"),
                ("source_url", "https://www.ft.com/content/example"),
                ("source_citation", "з посиланням на джерела"),
                ("source_outlet", "Axios"),
                ("source_url", ""),
                ("source_citation", "за даними"),
            ],
        )
        .await;
    assert_eq!(response.status, StatusCode::SEE_OTHER, "{}", response.body);
    let location = response.header("location");
    location
        .trim_start_matches("/admin/articles/")
        .split('?')
        .next()
        .unwrap()
        .parse()
        .unwrap()
}

async fn workflow(app: &TestApp, session: &AdminSession, id: i64, action: &str) -> StatusCode {
    let version = app.version_of(id).await;
    app.admin_post(
        session,
        &format!("/admin/articles/{id}/workflow"),
        &[("action", action), ("version", &version)],
    )
    .await
    .status
}

async fn status_of(app: &TestApp, id: i64) -> String {
    app.state
        .store
        .article_row(newsdesk::store::ArticleId(id))
        .await
        .unwrap()
        .status
        .to_string()
}

async fn sign_in_sets_a_safe_cookie_and_sign_out_ends_it(backend: Backend) {
    let app = TestApp::with_staff(backend).await;
    let redirect = app.get("/admin/articles?status=draft").await;
    assert_eq!(redirect.status, StatusCode::SEE_OTHER);
    assert_eq!(
        redirect.header("location"),
        "/admin/sign-in?next=%2Fadmin%2Farticles%3Fstatus%3Ddraft"
    );
    assert!(
        app.page("/admin/sign-in")
            .await
            .contains("type=\"password\"")
    );

    let response = app.post_form("/admin/sign-in", "email=Editor%40Example.com&password=correct-horse-battery-staple&next=%2Fadmin%2Farticles")
        .await;
    assert_eq!(response.status, StatusCode::SEE_OTHER);
    assert_eq!(response.header("location"), "/admin/articles");
    let cookie = response.header("set-cookie");
    for attribute in ["HttpOnly", "SameSite=Lax", "Path=/admin", "Secure"] {
        assert!(cookie.contains(attribute), "{attribute} in {cookie}");
    }
    let session = app.sign_in("editor@example.com").await;
    let dashboard = app.admin_get(&session, "/admin").await;
    assert!(dashboard.body.contains("Андрій Мельник"));
    assert_eq!(dashboard.header("cache-control"), "no-store");

    let wrong = app
        .post_form(
            "/admin/sign-in",
            "email=editor%40example.com&password=nope&next=https%3A%2F%2Fevil.example",
        )
        .await;
    assert_eq!(wrong.status, StatusCode::UNAUTHORIZED);
    assert!(wrong.body.contains("Неправильна пошта або пароль"));
    assert!(
        wrong.body.contains("name=\"next\" value=\"/admin\""),
        "no off-site return address"
    );
    let unknown = app
        .post_form("/admin/sign-in", "email=ghost%40example.com&password=x")
        .await;
    assert_eq!(
        unknown.status,
        StatusCode::UNAUTHORIZED,
        "unknown emails look the same"
    );

    let out = app.admin_post(&session, "/admin/sign-out", &[]).await;
    assert_eq!(out.status, StatusCode::SEE_OTHER);
    assert!(out.header("set-cookie").contains("Max-Age=0"));
    assert_eq!(
        app.admin_get(&session, "/admin").await.status,
        StatusCode::SEE_OTHER,
        "the old cookie is dead"
    );
    let forged = app
        .request(
            Method::GET,
            "/admin",
            &[(
                "cookie",
                "nd_session=00000000000000000000000000000000000000000000000000000000000000ff",
            )],
            Body::empty(),
        )
        .await;
    assert_eq!(forged.status, StatusCode::SEE_OTHER);
}

async fn failed_sign_ins_are_throttled_per_account(backend: Backend) {
    let app = TestApp::with_staff(backend).await;
    let attempt = |password: &'static str| {
        app.post_form(
            "/admin/sign-in",
            format!("email=author%40example.com&password={password}"),
        )
    };
    for _ in 0..5 {
        assert_eq!(attempt("wrong").await.status, StatusCode::UNAUTHORIZED);
    }
    let blocked = attempt("correct-horse-battery-staple").await;
    assert_eq!(
        blocked.status,
        StatusCode::TOO_MANY_REQUESTS,
        "even the right password waits"
    );
    assert!(blocked.body.contains("Забагато невдалих спроб"));
    // Other accounts are not locked out by it.
    app.sign_in("editor@example.com").await;

    // Guessing across many accounts from one address is throttled too.
    for n in 0..20 {
        let body = format!("email=guess{n}%40example.com&password=wrong");
        app.post_form("/admin/sign-in", body).await;
    }
    let from_that_address = app
        .post_form(
            "/admin/sign-in",
            "email=owner%40example.com&password=correct-horse-battery-staple",
        )
        .await;
    assert_eq!(from_that_address.status, StatusCode::TOO_MANY_REQUESTS);
}

async fn forged_or_missing_csrf_changes_nothing(backend: Backend) {
    let app = TestApp::with_staff(backend).await;
    let session = app.sign_in("editor@example.com").await;
    let before = app
        .state
        .store
        .count_articles(&Default::default())
        .await
        .unwrap();
    for csrf in ["", "0000", &"a".repeat(64)] {
        let response = app
            .admin_post(
                &session,
                "/admin/articles",
                &[("csrf", csrf), ("headline", "Forged"), ("language", "uk")],
            )
            .await;
        assert_eq!(response.status, StatusCode::FORBIDDEN, "csrf {csrf:?}");
    }
    let other = app.sign_in("owner@example.com").await;
    let cross = app
        .admin_post(
            &session,
            "/admin/articles/1/workflow",
            &[("csrf", &other.csrf), ("action", "unpublish")],
        )
        .await;
    assert_eq!(
        cross.status,
        StatusCode::FORBIDDEN,
        "another session's token does not work"
    );
    assert_eq!(
        app.state
            .store
            .count_articles(&Default::default())
            .await
            .unwrap(),
        before
    );
    assert_eq!(status_of(&app, 1).await, "published");
    let anonymous = app.post_form("/admin/articles", "headline=x").await;
    assert_eq!(anonymous.status, StatusCode::UNAUTHORIZED);
}

async fn contributors_keep_to_their_own_drafts(backend: Backend) {
    let app = TestApp::with_staff(backend).await;
    let contributor = app.sign_in("contributor@example.com").await;
    let id = write_article(&app, &contributor, "Чернетка дописувача").await;
    let view = app
        .state
        .store
        .article(newsdesk::store::ArticleId(id))
        .await
        .unwrap();
    assert_eq!(
        view.authors[0].slug, "taras-hnatiuk",
        "the writer stays in the byline"
    );
    assert_eq!(view.sources.len(), 2);
    assert_eq!(view.sources[1].url, None);

    let edit = app
        .admin_post(
            &contributor,
            &format!("/admin/articles/{id}"),
            &[
                ("headline", "Чернетка, виправлена"),
                ("language", "uk"),
                ("version", "1"),
            ],
        )
        .await;
    assert_eq!(edit.status, StatusCode::SEE_OTHER, "{}", edit.body);
    assert_eq!(
        workflow(&app, &contributor, id, "publish").await,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        workflow(&app, &contributor, id, "submit").await,
        StatusCode::SEE_OTHER
    );
    assert_eq!(status_of(&app, id).await, "in_review");
    let locked = app
        .admin_post(
            &contributor,
            &format!("/admin/articles/{id}"),
            &[("headline", "Змінено після подання"), ("language", "uk")],
        )
        .await;
    assert_eq!(
        locked.status,
        StatusCode::FORBIDDEN,
        "in review, the draft is no longer theirs to change"
    );
    // Someone else's article does not exist for a contributor.
    assert_eq!(
        app.admin_get(&contributor, "/admin/articles/1")
            .await
            .status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        workflow(&app, &contributor, 1, "unpublish").await,
        StatusCode::NOT_FOUND
    );
    let list = app.admin_get(&contributor, "/admin/articles").await;
    assert!(list.body.contains("Чернетка, виправлена"));
    assert!(
        !list.body.contains("Енергетики Лісополя"),
        "only their own articles are listed"
    );
}

async fn authors_submit_and_editors_publish(backend: Backend) {
    let app = TestApp::with_staff(backend).await;
    let author = app.sign_in("author@example.com").await;
    let id = write_article(&app, &author, "Матеріал авторки").await;
    assert_eq!(
        workflow(&app, &author, id, "publish").await,
        StatusCode::FORBIDDEN,
        "authors may not publish by default"
    );
    assert_eq!(
        workflow(&app, &author, id, "submit").await,
        StatusCode::SEE_OTHER
    );
    let other = app.admin_get(&author, "/admin/articles/5").await;
    assert_eq!(other.status, StatusCode::NOT_FOUND, "a colleague's article");

    let editor = app.sign_in("editor@example.com").await;
    let dashboard = app.admin_get(&editor, "/admin").await;
    assert!(
        dashboard.body.contains("Матеріал авторки"),
        "waiting for review on the dashboard"
    );
    assert_eq!(
        workflow(&app, &editor, id, "publish").await,
        StatusCode::SEE_OTHER
    );
    assert_eq!(status_of(&app, id).await, "published");
    let editor_page = app
        .admin_get(&editor, &format!("/admin/articles/{id}"))
        .await;
    let public = TestApp::first_link(&editor_page.body, "/2026/");
    let page = app.page(&public).await;
    assert!(page.contains("Матеріал авторки"));
    assert!(page.contains("Financial Times") && page.contains("за даними"));
    assert_eq!(
        workflow(&app, &author, id, "unpublish").await,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        workflow(&app, &editor, id, "unpublish").await,
        StatusCode::SEE_OTHER
    );
    assert_eq!(app.get(&public).await.status, StatusCode::NOT_FOUND);
    assert_eq!(
        workflow(&app, &editor, id, "unpublish").await,
        StatusCode::CONFLICT,
        "not from unpublished"
    );

    // The owner can let authors publish their own work.
    app.state
        .store
        .claim_setting("policy.authors_can_publish", "true")
        .await
        .unwrap();
    assert_eq!(
        workflow(&app, &author, id, "publish").await,
        StatusCode::SEE_OTHER
    );
}

async fn owner_can_do_everything_an_editor_can(backend: Backend) {
    let app = TestApp::with_staff(backend).await;
    let owner = app.sign_in("owner@example.com").await;
    let id = write_article(&app, &owner, "Матеріал власниці").await;
    assert_eq!(
        workflow(&app, &owner, id, "submit").await,
        StatusCode::SEE_OTHER
    );
    assert_eq!(
        workflow(&app, &owner, id, "return_to_draft").await,
        StatusCode::SEE_OTHER
    );
    assert_eq!(
        workflow(&app, &owner, id, "publish").await,
        StatusCode::SEE_OTHER
    );
    assert_eq!(
        workflow(&app, &owner, id, "unpublish").await,
        StatusCode::SEE_OTHER
    );
    assert_eq!(
        workflow(&app, &owner, id, "dance").await,
        StatusCode::BAD_REQUEST
    );
    let editor = app.sign_in("editor@example.com").await;
    let page = app
        .admin_get(&editor, &format!("/admin/articles/{id}"))
        .await;
    assert!(page.body.contains("data-action=\"publish\""));
}

async fn a_second_save_of_the_same_version_is_a_conflict_with_both_versions_shown(
    backend: Backend,
) {
    let app = TestApp::with_staff(backend).await;
    let editor = app.sign_in("editor@example.com").await;
    let owner = app.sign_in("owner@example.com").await;
    let id = write_article(&app, &editor, "Спільний матеріал").await;
    let path = format!("/admin/articles/{id}");
    let first = app
        .admin_post(
            &editor,
            &path,
            &[
                ("version", "1"),
                ("language", "uk"),
                ("headline", "Спільний матеріал"),
                ("body", "Текст редактора."),
            ],
        )
        .await;
    assert_eq!(first.status, StatusCode::SEE_OTHER, "{}", first.body);
    let second = app
        .admin_post(
            &owner,
            &path,
            &[
                ("version", "1"),
                ("language", "uk"),
                ("headline", "Спільний матеріал"),
                ("body", "Текст власниці."),
            ],
        )
        .await;
    assert_eq!(second.status, StatusCode::CONFLICT);
    assert!(
        second
            .body
            .contains("Поки ви редагували, хтось інший зберіг"),
        "a clear message"
    );
    assert!(
        second.body.contains("Текст редактора."),
        "their version is shown"
    );
    assert!(
        second.body.contains("Текст власниці."),
        "my text is kept in the form"
    );
    assert!(
        second.body.contains("name=\"version\" value=\"2\""),
        "saving again builds on their version"
    );
    let stored = app
        .state
        .store
        .article_row(newsdesk::store::ArticleId(id))
        .await
        .unwrap();
    assert_eq!(
        stored.body, "Текст редактора.",
        "nothing silently overwritten"
    );
}

async fn scheduled_articles_publish_once_when_due(backend: Backend) {
    let app = TestApp::with_staff(backend).await;
    let editor = app.sign_in("editor@example.com").await;
    let id = write_article(&app, &editor, "Запланований матеріал").await;
    let past = app
        .admin_post(
            &editor,
            &format!("/admin/articles/{id}/workflow"),
            &[
                ("action", "schedule"),
                ("scheduled_at", "2020-01-01T10:00"),
                ("version", &app.version_of(id).await),
            ],
        )
        .await;
    assert_eq!(past.status, StatusCode::UNPROCESSABLE_ENTITY);
    let future = app
        .admin_post(
            &editor,
            &format!("/admin/articles/{id}/workflow"),
            &[
                ("action", "schedule"),
                ("scheduled_at", "2099-01-01T10:00"),
                ("version", &app.version_of(id).await),
            ],
        )
        .await;
    assert_eq!(future.status, StatusCode::SEE_OTHER, "{}", future.body);
    assert_eq!(status_of(&app, id).await, "scheduled");
    assert_eq!(
        newsdesk::services::workflow::publish_due(&app.state)
            .await
            .unwrap(),
        0,
        "not yet"
    );
    // Time passes.
    sqlx::query("UPDATE articles SET scheduled_at = $1 WHERE id = $2")
        .bind(newsdesk::store::now() - 5)
        .bind(id)
        .execute(app.state.store.pool())
        .await
        .unwrap();
    let (a, b) = tokio::join!(
        newsdesk::services::workflow::publish_due(&app.state),
        newsdesk::services::workflow::publish_due(&app.state)
    );
    assert_eq!(a.unwrap() + b.unwrap(), 1, "published exactly once");
    assert_eq!(status_of(&app, id).await, "published");
    assert_eq!(
        newsdesk::services::workflow::publish_due(&app.state)
            .await
            .unwrap(),
        0
    );
}

async fn sign_out_everywhere_ends_every_session(backend: Backend) {
    let app = TestApp::with_staff(backend).await;
    let phone = app.sign_in("author@example.com").await;
    let laptop = app.sign_in("author@example.com").await;
    let editor = app.sign_in("editor@example.com").await;
    let response = app
        .admin_post(&phone, "/admin/sign-out-everywhere", &[])
        .await;
    assert_eq!(response.status, StatusCode::SEE_OTHER);
    assert_eq!(
        app.admin_get(&laptop, "/admin").await.status,
        StatusCode::SEE_OTHER
    );
    assert_eq!(
        app.admin_get(&phone, "/admin").await.status,
        StatusCode::SEE_OTHER
    );
    assert_eq!(
        app.admin_get(&editor, "/admin").await.status,
        StatusCode::OK,
        "other people stay signed in"
    );
}

async fn invalid_editor_input_keeps_the_text_and_names_the_fields(backend: Backend) {
    let app = TestApp::with_staff(backend).await;
    let editor = app.sign_in("editor@example.com").await;
    let before = app
        .state
        .store
        .count_articles(&Default::default())
        .await
        .unwrap();
    let long_text = "Довгий текст, який не можна втратити. ".repeat(20);
    let response = app
        .admin_post(
            &editor,
            "/admin/articles",
            &[
                ("headline", ""),
                ("language", "uk"),
                ("body", &long_text),
                ("source_outlet", ""),
                ("source_url", "javascript:alert(1)"),
                ("source_citation", ""),
            ],
        )
        .await;
    assert_eq!(response.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(response.body.contains("headline"));
    assert!(response.body.contains("sources[0].url"));
    assert!(
        response
            .body
            .contains("Довгий текст, який не можна втратити."),
        "the text is still in the form"
    );
    assert_eq!(
        app.state
            .store
            .count_articles(&Default::default())
            .await
            .unwrap(),
        before
    );
    let preview = app
        .admin_post(
            &editor,
            "/admin/preview",
            &[
                ("body", "**bold** <script>alert(1)</script>"),
                ("language", "uk"),
            ],
        )
        .await;
    assert_eq!(preview.status, StatusCode::OK);
    assert!(preview.body.contains("<strong>bold</strong>") && !preview.body.contains("<script"));
}

async fn corrections_are_added_from_the_editor(backend: Backend) {
    let app = TestApp::with_staff(backend).await;
    let editor = app.sign_in("editor@example.com").await;
    let page = app.admin_get(&editor, "/admin/articles/3").await;
    assert!(
        page.body
            .contains("action=\"/admin/articles/3/corrections\"")
    );
    let added = app
        .admin_post(
            &editor,
            "/admin/articles/3/corrections",
            &[
                ("kind", "correction"),
                ("text", "Кооператив об'єднує 12 пекарень, а не 11."),
            ],
        )
        .await;
    assert_eq!(added.status, StatusCode::SEE_OTHER, "{}", added.body);
    let public = TestApp::first_link(
        &app.admin_get(&editor, "/admin/articles/3").await.body,
        "/2026/",
    );
    assert!(
        app.page(&public)
            .await
            .contains("Кооператив об&#39;єднує 12 пекарень, а не 11.")
    );
    let empty = app
        .admin_post(
            &editor,
            "/admin/articles/3/corrections",
            &[("kind", "correction"), ("text", " ")],
        )
        .await;
    assert_eq!(empty.status, StatusCode::UNPROCESSABLE_ENTITY);
    let author = app.sign_in("author@example.com").await;
    let own = app
        .admin_post(
            &author,
            "/admin/articles/3/corrections",
            &[("kind", "update"), ("text", "x")],
        )
        .await;
    assert_eq!(
        own.status,
        StatusCode::FORBIDDEN,
        "authors correct only if they may publish"
    );
}

async fn revisions_are_listed_compared_and_restored(backend: Backend) {
    let app = TestApp::with_staff(backend).await;
    let author = app.sign_in("author@example.com").await;
    let id = write_article(&app, &author, "Матеріал з історією").await;
    let path = format!("/admin/articles/{id}");
    let second = app
        .admin_post(
            &author,
            &path,
            &[
                ("version", "1"),
                ("language", "uk"),
                ("headline", "Матеріал з історією"),
                ("body", "First paragraph.\n\nA new second paragraph."),
            ],
        )
        .await;
    assert_eq!(second.status, StatusCode::SEE_OTHER);
    let history = app.admin_get(&author, &format!("{path}/revisions")).await;
    assert_eq!(history.status, StatusCode::OK);
    assert!(
        history.body.contains("<del>Second paragraph.</del>"),
        "{}",
        history.body
    );
    assert!(history.body.contains("<ins>A new second paragraph.</ins>"));
    let restored = app
        .admin_post(&author, &format!("{path}/revisions/1/restore"), &[])
        .await;
    assert_eq!(restored.status, StatusCode::SEE_OTHER, "{}", restored.body);
    let row = app
        .state
        .store
        .article_row(newsdesk::store::ArticleId(id))
        .await
        .unwrap();
    assert_eq!(row.body, "First paragraph.\n\nSecond paragraph.");
    assert_eq!(
        row.version, 3,
        "restoring is a new save; nothing is rewritten"
    );
    let contributor = app.sign_in("contributor@example.com").await;
    assert_eq!(
        app.admin_get(&contributor, &format!("{path}/revisions"))
            .await
            .status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        app.admin_post(&contributor, &format!("{path}/revisions/1/restore"), &[])
            .await
            .status,
        StatusCode::NOT_FOUND
    );
}

async fn preview_links_show_drafts_until_they_expire(backend: Backend) {
    let app = TestApp::with_staff(backend).await;
    let author = app.sign_in("author@example.com").await;
    let id = write_article(&app, &author, "Чернетка для перевірки цитати").await;
    let page = app
        .admin_get(&author, &format!("/admin/articles/{id}"))
        .await;
    let marker = "id=\"preview-link\" readonly value=\"";
    let start = page.body.find(marker).unwrap() + marker.len();
    let end = start + page.body[start..].find('"').unwrap();
    let link = TestApp::path_of(&page.body[start..end].replace("&amp;", "&"));
    let preview = app.get(&link).await;
    assert_eq!(preview.status, StatusCode::OK, "{link}");
    assert!(preview.body.contains("Чернетка для перевірки цитати"));
    assert_eq!(preview.header("x-robots-tag"), "noindex");
    assert_eq!(preview.header("cache-control"), "no-store");
    let tampered = link.replace(&format!("/preview/{id}"), &format!("/preview/{}", id - 1));
    assert_eq!(app.get(&tampered).await.status, StatusCode::NOT_FOUND);
    assert_eq!(
        app.get(&format!("/preview/{id}")).await.status,
        StatusCode::NOT_FOUND
    );
    let expired = newsdesk::services::previews::verify(
        &app.state,
        newsdesk::store::ArticleId(id),
        newsdesk::store::now() - 1,
        &"0".repeat(64),
    )
    .await
    .unwrap();
    assert!(!expired);
}

/// A JPEG carrying an EXIF block with a GPS position, as phone cameras write them.
pub(crate) fn jpeg_with_exif() -> Vec<u8> {
    let image = image::DynamicImage::new_rgb8(1200, 800);
    let mut out = std::io::Cursor::new(Vec::new());
    image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, 80)
        .encode_image(&image)
        .unwrap();
    let plain = out.into_inner();
    let payload = b"Exif\0\0GPSLatitude=50.4501;GPSLongitude=30.5234";
    let mut with_exif = plain[..2].to_vec();
    with_exif.extend_from_slice(&[0xFF, 0xE1]);
    with_exif.extend_from_slice(&((payload.len() + 2) as u16).to_be_bytes());
    with_exif.extend_from_slice(payload);
    with_exif.extend_from_slice(&plain[2..]);
    with_exif
}

pub(crate) async fn upload(
    app: &TestApp,
    session: &AdminSession,
    name: &str,
    bytes: &[u8],
    json: bool,
) -> crate::util::TestResponse {
    let boundary = "----newsdesk-test-boundary";
    let mut body = Vec::new();
    for (field, value) in [
        ("csrf", session.csrf.as_str()),
        ("alt", "Міст через річку"),
        ("credit", "Фото: редакція"),
    ] {
        body.extend_from_slice(format!("--{boundary}\r\nContent-Disposition: form-data; name=\"{field}\"\r\n\r\n{value}\r\n").as_bytes());
    }
    body.extend_from_slice(
        format!("--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{name}\"\r\nContent-Type: image/jpeg\r\n\r\n").as_bytes(),
    );
    body.extend_from_slice(bytes);
    body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
    let content_type = format!("multipart/form-data; boundary={boundary}");
    let length = body.len().to_string();
    let mut headers = vec![
        ("cookie", session.cookie.as_str()),
        ("content-type", content_type.as_str()),
        ("content-length", length.as_str()),
    ];
    if json {
        headers.push(("accept", "application/json"));
    }
    app.request(Method::POST, "/admin/media", &headers, Body::from(body))
        .await
}

/// A PNG that declares `width`×`height` in its header and holds almost
/// nothing: the shape of a decompression bomb.
fn png_declaring(width: u32, height: u32) -> Vec<u8> {
    let chunk = |kind: &[u8], data: &[u8]| {
        let mut out = (data.len() as u32).to_be_bytes().to_vec();
        out.extend_from_slice(kind);
        out.extend_from_slice(data);
        let mut crc = flate2::Crc::new();
        crc.update(kind);
        crc.update(data);
        out.extend_from_slice(&crc.sum().to_be_bytes());
        out
    };
    let mut header = Vec::new();
    header.extend_from_slice(&width.to_be_bytes());
    header.extend_from_slice(&height.to_be_bytes());
    header.extend_from_slice(&[8, 0, 0, 0, 0]);
    let mut png = b"\x89PNG\r\n\x1a\n".to_vec();
    png.extend(chunk(b"IHDR", &header));
    png.extend(chunk(
        b"IDAT",
        &[0x78, 0x9c, 0x03, 0x00, 0x00, 0x00, 0x00, 0x01],
    ));
    png.extend(chunk(b"IEND", &[]));
    png
}

async fn uploads_are_sniffed_reencoded_and_served_in_sizes(backend: Backend) {
    let app = TestApp::with_staff(backend).await;
    let contributor = app.sign_in("contributor@example.com").await;
    let original = jpeg_with_exif();
    assert!(original.windows(11).any(|w| w == b"GPSLatitude"));
    let response = upload(&app, &contributor, "IMG_0042.JPG", &original, true).await;
    assert_eq!(response.status, StatusCode::CREATED, "{}", response.body);
    let url = response.json()["url"].as_str().unwrap().to_owned();
    assert!(url.starts_with("/media/") && url.ends_with(".jpg"), "{url}");
    let served = app.get(&url).await;
    assert_eq!(served.status, StatusCode::OK);
    assert_eq!(served.header("content-type"), "image/jpeg");
    assert!(served.header("cache-control").contains("immutable"));
    let stored = std::fs::read(app.data_dir.join(url.trim_start_matches('/'))).unwrap();
    assert!(
        !stored.windows(11).any(|w| w == b"GPSLatitude"),
        "EXIF is gone"
    );
    let (stem, _) = url.rsplit_once('.').unwrap();
    for width in [480, 960, 1600] {
        let variant = format!("{stem}-{width}.jpg");
        let bytes = std::fs::read(app.data_dir.join(variant.trim_start_matches('/'))).unwrap();
        let decoded = image::load_from_memory(&bytes).unwrap();
        assert!(
            decoded.width() <= width.max(1200),
            "{variant} is {} wide",
            decoded.width()
        );
    }
    let small = image::load_from_memory(
        &std::fs::read(
            app.data_dir
                .join(format!("{stem}-480.jpg").trim_start_matches('/')),
        )
        .unwrap(),
    )
    .unwrap();
    assert_eq!(
        (small.width(), small.height()),
        (480, 320),
        "proportions kept"
    );

    for (name, bytes) in [
        ("bomb.png", png_declaring(7000, 7000)),
        ("photo.jpg", b"this is not an image at all".to_vec()),
        (
            "vector.jpg",
            b"<svg xmlns=\"http://www.w3.org/2000/svg\" onload=\"alert(1)\"/>".to_vec(),
        ),
        (
            "animation.jpg",
            b"GIF89a\x01\x00\x01\x00\x00\x00\x00;".to_vec(),
        ),
    ] {
        let refused = upload(&app, &contributor, name, &bytes, true).await;
        assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY, "{name}");
        assert_eq!(refused.json()["errors"][0]["field"], "file");
        if name == "bomb.png" {
            assert!(
                refused.body.contains("7000×7000 pixels"),
                "refused for its size, before decoding: {}",
                refused.body
            );
        }
    }
    let huge = upload(
        &app,
        &contributor,
        "huge.jpg",
        &vec![0xFF; 16 * 1024 * 1024],
        true,
    )
    .await;
    assert_eq!(huge.status, StatusCode::PAYLOAD_TOO_LARGE, "{}", huge.body);
    assert_eq!(
        app.state.store.media_list(10).await.unwrap().len(),
        1,
        "nothing else was stored"
    );
    let library = app.admin_get(&contributor, "/admin/media").await;
    assert!(library.body.contains(&format!("{stem}-480.jpg")));
    assert!(
        !library.body.contains("/delete\""),
        "contributors cannot delete"
    );
    assert_eq!(
        app.get("/media/../newsdesk.db").await.status,
        StatusCode::NOT_FOUND
    );
}

async fn images_in_use_cannot_be_deleted(backend: Backend) {
    let app = TestApp::with_staff(backend).await;
    let editor = app.sign_in("editor@example.com").await;
    let url = upload(&app, &editor, "cover.jpg", &jpeg_with_exif(), true)
        .await
        .json()["url"]
        .as_str()
        .unwrap()
        .to_owned();
    let media_id = app.state.store.media_list(1).await.unwrap()[0].id;
    let saved = app
        .admin_post(
            &editor,
            "/admin/articles/3",
            &[
                ("version", "1"),
                ("language", "uk"),
                ("headline", "З новою обкладинкою"),
                ("body", "Текст."),
                ("cover_url", &url),
                ("cover_alt", "Міст"),
            ],
        )
        .await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.body);
    let public = TestApp::first_link(
        &app.admin_get(&editor, "/admin/articles/3").await.body,
        "/2026/",
    );
    let page = app.page(&public).await;
    let (stem, _) = url.rsplit_once('.').unwrap();
    assert!(
        page.contains(&format!(
            "srcset=\"{stem}-480.jpg 480w, {stem}-960.jpg 960w, {stem}-1600.jpg 1600w\""
        )),
        "responsive sizes"
    );
    let blocked = app
        .admin_post(&editor, &format!("/admin/media/{media_id}/delete"), &[])
        .await;
    assert_eq!(blocked.status, StatusCode::CONFLICT);
    assert!(blocked.body.contains("class=\"error-page\""));
    assert_eq!(app.get(&url).await.status, StatusCode::OK);
    let author = app.sign_in("author@example.com").await;
    assert_eq!(
        app.admin_post(&author, &format!("/admin/media/{media_id}/delete"), &[])
            .await
            .status,
        StatusCode::FORBIDDEN
    );
    let cleared = app
        .admin_post(
            &editor,
            "/admin/articles/3",
            &[
                ("version", "2"),
                ("language", "uk"),
                ("headline", "Без обкладинки"),
                ("body", "Текст."),
                ("cover_url", ""),
            ],
        )
        .await;
    assert_eq!(cleared.status, StatusCode::SEE_OTHER, "{}", cleared.body);
    let deleted = app
        .admin_post(&editor, &format!("/admin/media/{media_id}/delete"), &[])
        .await;
    assert_eq!(deleted.status, StatusCode::SEE_OTHER);
    assert_eq!(
        app.get(&url).await.status,
        StatusCode::NOT_FOUND,
        "files are gone"
    );
}

async fn the_admin_speaks_the_chosen_language(backend: Backend) {
    let app = TestApp::with_staff(backend).await;
    let session = app.sign_in("editor@example.com").await;
    assert!(
        app.admin_get(&session, "/admin")
            .await
            .body
            .contains("Чекають на перевірку")
    );
    let switch = app
        .request(
            Method::GET,
            "/admin/language/en",
            &[(
                "referer",
                "https://news.example.org/admin/articles?status=draft",
            )],
            Body::empty(),
        )
        .await;
    assert_eq!(switch.status, StatusCode::SEE_OTHER);
    assert_eq!(switch.header("location"), "/admin/articles?status=draft");
    let chosen = switch
        .header("set-cookie")
        .split(';')
        .next()
        .unwrap()
        .to_owned();
    let cookies = format!("{}; {chosen}", session.cookie);
    let english = app
        .request(
            Method::GET,
            "/admin",
            &[("cookie", &cookies)],
            Body::empty(),
        )
        .await;
    assert!(
        english.body.contains("Waiting for review"),
        "the choice is remembered"
    );
    assert!(english.body.contains("<html lang=\"en\">"));
    let off_site = app
        .request(
            Method::GET,
            "/admin/language/en",
            &[("referer", "https://evil.example/")],
            Body::empty(),
        )
        .await;
    assert_eq!(off_site.header("location"), "/admin");
    assert_eq!(
        app.get("/admin/language/fr").await.status,
        StatusCode::NOT_FOUND
    );
}

async fn expired_sessions_sign_out(backend: Backend) {
    let app = TestApp::with_staff(backend).await;
    let session = app.sign_in("editor@example.com").await;
    sqlx::query("UPDATE staff_sessions SET expires_at = $1")
        .bind(newsdesk::store::now() - 1)
        .execute(app.state.store.pool())
        .await
        .unwrap();
    let page = app.admin_get(&session, "/admin/articles").await;
    assert_eq!(page.status, StatusCode::SEE_OTHER);
    assert!(page.header("location").starts_with("/admin/sign-in"));
    let write = app
        .admin_post(
            &session,
            "/admin/articles",
            &[("headline", "Too late"), ("language", "uk")],
        )
        .await;
    assert_eq!(
        write.status,
        StatusCode::UNAUTHORIZED,
        "nothing is written with an expired session"
    );
}

async fn article_lists_filter_and_search(backend: Backend) {
    let app = TestApp::with_staff(backend).await;
    let editor = app.sign_in("editor@example.com").await;
    let economy = app
        .admin_get(&editor, "/admin/articles?section=economy&language=en")
        .await;
    assert!(economy.body.contains("small bakeries form a cooperative"));
    assert!(!economy.body.contains("Малі пекарні"), "language filter");
    assert!(
        !economy.body.contains("Lisopil crews restore power"),
        "section filter"
    );
    let by_author = app
        .admin_get(&editor, "/admin/articles?author=mariia-lysenko")
        .await;
    assert!(by_author.body.contains("Річкові порти"));
    assert!(!by_author.body.contains("Малі пекарні"));
    let search = app
        .admin_get(
            &editor,
            "/admin/articles?q=%D0%BF%D0%B5%D0%BA%D0%B0%D1%80%D0%BD%D1%96",
        )
        .await;
    assert!(search.body.contains("Малі пекарні"));
    assert!(!search.body.contains("Річкові порти"));
    let drafts = app.admin_get(&editor, "/admin/articles?status=draft").await;
    assert!(
        drafts.body.contains("class=\"empty\""),
        "the demo has no drafts"
    );
}
