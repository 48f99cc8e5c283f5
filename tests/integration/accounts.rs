//! Password resets and invitations by email, through a real SMTP conversation.

use axum::body::Body;
use axum::http::{Method, StatusCode};

use crate::on_both_backends;
use crate::smtp::SmtpServer;
use crate::util::{Backend, STAFF_PASSWORD, TestApp};

on_both_backends!(
    a_password_is_reset_through_an_emailed_link_once,
    the_owner_invites_staff_by_email,
    owner_settings_let_authors_publish,
    two_factor_sign_in_asks_for_the_code,
    the_owner_can_require_two_factor_sign_in,
);

async fn form(app: &TestApp, path: &str, body: &str) -> crate::util::TestResponse {
    app.post_form(path, body.to_owned()).await
}

async fn sign_in_status(app: &TestApp, email: &str, password: &str) -> StatusCode {
    let body = format!("email={}&password={password}", email.replace('@', "%40"));
    form(app, "/admin/sign-in", &body).await.status
}

async fn a_password_is_reset_through_an_emailed_link_once(backend: Backend) {
    let smtp = SmtpServer::start().await;
    let app = TestApp::with_staff_and_env(
        backend,
        &[
            ("NEWSDESK_SMTP_URL", &smtp.url),
            ("NEWSDESK_MAIL_FROM", "Newsroom <newsroom@example.org>"),
        ],
    )
    .await;
    let page = app.page("/admin/password-reset").await;
    assert!(page.contains("type=\"email\""));
    let sent = form(&app, "/admin/password-reset", "email=Author%40example.com").await;
    assert_eq!(sent.status, StatusCode::OK);
    assert!(sent.body.contains("ми надіслали на неї посилання"));
    let unknown = form(
        &app,
        "/admin/password-reset",
        "email=stranger%40example.com",
    )
    .await;
    assert_eq!(
        unknown.body,
        sent.body
            .replace("Author@example.com", "stranger@example.com"),
        "the same answer for strangers"
    );
    let messages = smtp.messages();
    assert_eq!(messages.len(), 1, "nothing is sent to unknown addresses");
    assert_eq!(messages[0].to, vec!["author@example.com"]);
    assert!(messages[0].from.contains("newsroom@example.org"));
    // Staff emails speak the site's default language.
    assert_eq!(messages[0].subject(), "Newsdesk: зміна пароля");
    let link = TestApp::path_of(&messages[0].link("https://news.example.org/admin/password/"));

    assert_eq!(app.get(&link).await.status, StatusCode::OK);
    let short = form(&app, &link, "new_password=short").await;
    assert_eq!(short.status, StatusCode::UNPROCESSABLE_ENTITY);
    let session = app.sign_in("author@example.com").await;
    let done = form(&app, &link, "new_password=a+much+longer+passphrase").await;
    assert_eq!(done.status, StatusCode::SEE_OTHER);
    assert_eq!(
        sign_in_status(&app, "author@example.com", "a+much+longer+passphrase").await,
        StatusCode::SEE_OTHER
    );
    assert_eq!(
        sign_in_status(&app, "author@example.com", STAFF_PASSWORD).await,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        app.admin_get(&session, "/admin").await.status,
        StatusCode::SEE_OTHER,
        "old sessions end"
    );
    assert_eq!(
        form(&app, &link, "new_password=yet+another+passphrase")
            .await
            .status,
        StatusCode::NOT_FOUND,
        "a link works once"
    );
    assert_eq!(
        app.get("/admin/password/0000").await.status,
        StatusCode::NOT_FOUND
    );

    for _ in 0..5 {
        form(&app, "/admin/password-reset", "email=editor%40example.com").await;
    }
    let to_editor = smtp
        .messages()
        .iter()
        .filter(|m| m.to == vec!["editor@example.com"])
        .count();
    assert_eq!(to_editor, 3, "at most three reset emails an hour");
}

async fn the_owner_invites_staff_by_email(backend: Backend) {
    let smtp = SmtpServer::start().await;
    let app = TestApp::with_staff_and_env(backend, &[("NEWSDESK_SMTP_URL", &smtp.url)]).await;
    let editor = app.sign_in("editor@example.com").await;
    assert_eq!(
        app.admin_get(&editor, "/admin/staff").await.status,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        app.admin_post(
            &editor,
            "/admin/staff",
            &[("name", "X"), ("email", "x@example.com"), ("role", "owner")]
        )
        .await
        .status,
        StatusCode::FORBIDDEN,
        "editors cannot add staff"
    );
    let owner = app.sign_in("owner@example.com").await;
    let invited = app
        .admin_post(
            &owner,
            "/admin/staff",
            &[
                ("name", "Наталія Шевчук"),
                ("email", "natalia@example.com"),
                ("role", "author"),
            ],
        )
        .await;
    assert_eq!(invited.status, StatusCode::SEE_OTHER, "{}", invited.body);
    let duplicate = app
        .admin_post(
            &owner,
            "/admin/staff",
            &[
                ("name", "Двійник"),
                ("email", "natalia@example.com"),
                ("role", "author"),
            ],
        )
        .await;
    assert_eq!(duplicate.status, StatusCode::UNPROCESSABLE_ENTITY);
    let messages = smtp.messages();
    assert_eq!(messages.len(), 1);
    assert_eq!(messages[0].to, vec!["natalia@example.com"]);
    let link = TestApp::path_of(&messages[0].link("https://news.example.org/admin/password/"));
    assert_eq!(
        form(&app, &link, "new_password=my+own+long+password")
            .await
            .status,
        StatusCode::SEE_OTHER
    );
    assert_eq!(
        sign_in_status(&app, "natalia@example.com", "my+own+long+password").await,
        StatusCode::SEE_OTHER
    );
    let staff = app
        .state
        .store
        .staff_by_email("natalia@example.com")
        .await
        .unwrap();
    assert_eq!(
        (staff.slug.as_str(), staff.role.as_str()),
        ("nataliia-shevchuk", "author")
    );
}

async fn owner_settings_let_authors_publish(backend: Backend) {
    let app = TestApp::with_staff(backend).await;
    let owner = app.sign_in("owner@example.com").await;
    assert!(
        app.admin_get(&owner, "/admin/settings")
            .await
            .body
            .contains("authors_can_publish")
    );
    let author = app.sign_in("author@example.com").await;
    assert_eq!(
        app.admin_get(&author, "/admin/settings").await.status,
        StatusCode::FORBIDDEN
    );
    let draft = app
        .admin_post(
            &author,
            "/admin/articles",
            &[
                ("headline", "Авторка публікує сама"),
                ("language", "uk"),
                ("body", "Текст."),
            ],
        )
        .await;
    let id = draft
        .header("location")
        .trim_start_matches("/admin/articles/")
        .split('?')
        .next()
        .unwrap()
        .to_owned();
    let workflow = format!("/admin/articles/{id}/workflow");
    let version = app.version_of(&id).await;
    let fields = [("action", "publish"), ("version", version.as_str())];
    let publish = |s| app.admin_post(s, &workflow, &fields);
    assert_eq!(publish(&author).await.status, StatusCode::FORBIDDEN);
    let saved = app
        .admin_post(&owner, "/admin/settings", &[("authors_can_publish", "on")])
        .await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER);
    assert_eq!(publish(&author).await.status, StatusCode::SEE_OTHER);
    app.admin_post(&owner, "/admin/settings", &[]).await;
    assert!(
        !app.admin_get(&owner, "/admin/settings")
            .await
            .body
            .contains("checked"),
        "switched off again"
    );
}

fn secret_on(page: &str) -> String {
    let marker = "id=\"totp-secret\">";
    let start = page.find(marker).unwrap() + marker.len();
    page[start..start + page[start..].find('<').unwrap()].to_owned()
}

async fn password_step(app: &TestApp, email: &str) -> (StatusCode, String, String) {
    let body = format!(
        "email={}&password={STAFF_PASSWORD}&next=%2Fadmin%2Farticles",
        email.replace('@', "%40")
    );
    let response = form(app, "/admin/sign-in", &body).await;
    let cookie = response
        .header("set-cookie")
        .split(';')
        .next()
        .unwrap_or("")
        .to_owned();
    (
        response.status,
        response.header("location").to_owned(),
        cookie,
    )
}

async fn two_factor_sign_in_asks_for_the_code(backend: Backend) {
    let app = TestApp::with_staff(backend).await;
    let author = app.sign_in("author@example.com").await;
    let setup = app.admin_get(&author, "/admin/account/2fa").await;
    assert_eq!(setup.status, StatusCode::OK);
    assert!(setup.body.contains("<svg"), "a QR code to scan");
    let secret = secret_on(&setup.body);
    assert_eq!(
        secret,
        secret_on(&app.admin_get(&author, "/admin/account/2fa").await.body),
        "the same key until confirmed"
    );
    let wrong = app
        .admin_post(
            &author,
            "/admin/account/2fa",
            &[("action", "confirm"), ("code", "000000")],
        )
        .await;
    assert_eq!(wrong.status, StatusCode::UNPROCESSABLE_ENTITY);
    let code = newsdesk::services::two_factor::current_code(&secret).unwrap();
    let on = app
        .admin_post(
            &author,
            "/admin/account/2fa",
            &[("action", "confirm"), ("code", &code)],
        )
        .await;
    assert_eq!(on.status, StatusCode::SEE_OTHER, "{}", on.body);

    let (status, location, cookie) = password_step(&app, "author@example.com").await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert_eq!(location, "/admin/sign-in/code?next=%2Fadmin%2Farticles");
    let half = app
        .request(
            Method::GET,
            "/admin/articles",
            &[("cookie", &cookie)],
            Body::empty(),
        )
        .await;
    assert_eq!(
        half.status,
        StatusCode::SEE_OTHER,
        "a password alone opens nothing"
    );
    assert!(half.header("location").starts_with("/admin/sign-in/code"));
    let code_page = app
        .request(
            Method::GET,
            "/admin/sign-in/code",
            &[("cookie", &cookie)],
            Body::empty(),
        )
        .await;
    assert!(code_page.body.contains("autocomplete=\"one-time-code\""));
    let post_code = |code: String| {
        let cookie = cookie.clone();
        let app = &app;
        async move {
            app.request(
                Method::POST,
                "/admin/sign-in/code",
                &[
                    ("cookie", &cookie),
                    ("content-type", "application/x-www-form-urlencoded"),
                ],
                Body::from(format!("code={code}&next=%2Fadmin%2Farticles")),
            )
            .await
        }
    };
    assert_eq!(
        post_code("123456".into()).await.status,
        StatusCode::UNAUTHORIZED
    );
    // The code used to confirm the set-up is spent; the app's next one works.
    let next_code =
        newsdesk::services::two_factor::code_at(&secret, newsdesk::store::now() + 30).unwrap();
    let ok = post_code(next_code).await;
    assert_eq!(ok.status, StatusCode::SEE_OTHER);
    assert_eq!(ok.header("location"), "/admin/articles");
    let full = app
        .request(
            Method::GET,
            "/admin/articles",
            &[("cookie", &cookie)],
            Body::empty(),
        )
        .await;
    assert_eq!(full.status, StatusCode::OK);
}

async fn the_owner_can_require_two_factor_sign_in(backend: Backend) {
    let app = TestApp::with_staff(backend).await;
    let owner = app.sign_in("owner@example.com").await;
    let saved = app
        .admin_post(&owner, "/admin/settings", &[("require_2fa", "on")])
        .await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER);
    let (_, _, cookie) = password_step(&app, "editor@example.com").await;
    let dashboard = app
        .request(Method::GET, "/admin", &[("cookie", &cookie)], Body::empty())
        .await;
    assert_eq!(dashboard.status, StatusCode::SEE_OTHER);
    assert_eq!(dashboard.header("location"), "/admin/account/2fa");
    let write = app
        .request(
            Method::POST,
            "/admin/articles",
            &[
                ("cookie", &cookie),
                ("content-type", "application/x-www-form-urlencoded"),
            ],
            Body::from("headline=x"),
        )
        .await;
    assert_eq!(
        write.status,
        StatusCode::FORBIDDEN,
        "nothing but the set-up until it is done"
    );
    let setup = app
        .request(
            Method::GET,
            "/admin/account/2fa",
            &[("cookie", &cookie)],
            Body::empty(),
        )
        .await;
    assert_eq!(setup.status, StatusCode::OK);
    assert!(setup.body.contains("вимагає двофакторного входу"));
}
