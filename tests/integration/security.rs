//! Holding under attack: each test plays an anonymous attacker against the
//! real app and checks the defence that stops them.

use std::net::SocketAddr;
use std::time::Duration;

use axum::body::Body;
use axum::http::{Method, StatusCode};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpSocket, TcpStream};

use crate::on_both_backends;
use crate::smtp::SmtpServer;
use crate::util::{Backend, STAFF_PASSWORD, TestApp};

on_both_backends!(
    strangers_failing_elsewhere_never_lock_the_owner_out,
    forwarded_addresses_are_believed_only_from_trusted_proxies,
    concurrent_guesses_get_no_more_than_the_limit_checked,
    second_factor_guesses_are_limited_and_reported,
    a_second_factor_code_works_once,
    media_paths_stay_under_the_media_root,
    the_server_sees_each_connection_s_own_address,
    slow_clients_cannot_starve_readers,
    a_trusted_proxy_may_hold_many_connections,
    contributors_cannot_read_drafts_by_linking_translations,
    publishing_puts_live_only_the_reviewed_version,
    every_state_changing_route_refuses_other_sites,
    only_published_stories_make_public_pages,
    page_variants_and_empty_archives_take_no_cache_places,
    characters_xml_forbids_are_refused_and_never_emitted,
    a_return_address_cannot_split_headers,
    article_images_from_other_hosts_never_reach_readers,
);

fn sign_in_body(email: &str, password: &str) -> String {
    format!("email={}&password={password}", email.replace('@', "%40"))
}

async fn strangers_failing_elsewhere_never_lock_the_owner_out(backend: Backend) {
    let app = TestApp::with_staff(backend).await;
    // An attacker burns through invented emails, then the owner's own account.
    for n in 0..25 {
        let body = sign_in_body(&format!("invented{n}@example.com"), "guess");
        app.post_form_from("203.0.113.7", "/admin/sign-in", body)
            .await;
    }
    let attacker = app
        .post_form_from(
            "203.0.113.7",
            "/admin/sign-in",
            sign_in_body("owner@example.com", STAFF_PASSWORD),
        )
        .await;
    assert_eq!(
        attacker.status,
        StatusCode::TOO_MANY_REQUESTS,
        "the guessing address is held back"
    );
    for _ in 0..8 {
        app.post_form_from(
            "203.0.113.8",
            "/admin/sign-in",
            sign_in_body("owner@example.com", "wrong-password"),
        )
        .await;
    }
    let guessed_account = app
        .post_form_from(
            "203.0.113.8",
            "/admin/sign-in",
            sign_in_body("owner@example.com", STAFF_PASSWORD),
        )
        .await;
    assert_eq!(guessed_account.status, StatusCode::TOO_MANY_REQUESTS);
    // The owner, from their own address, is not affected by either.
    let owner = app
        .post_form_from(
            "198.51.100.20",
            "/admin/sign-in",
            sign_in_body("owner@example.com", STAFF_PASSWORD),
        )
        .await;
    assert_eq!(owner.status, StatusCode::SEE_OTHER, "{}", owner.body);
    // Unknown emails never count against real accounts: a fresh address
    // that failed 4 times with strangers' emails still has all of the
    // account's tries.
    for n in 0..4 {
        app.post_form_from(
            "198.51.100.30",
            "/admin/sign-in",
            sign_in_body(&format!("nobody{n}@example.com"), "x"),
        )
        .await;
    }
    for _ in 0..4 {
        let wrong = app
            .post_form_from(
                "198.51.100.30",
                "/admin/sign-in",
                sign_in_body("editor@example.com", "wrong-password"),
            )
            .await;
        assert_eq!(wrong.status, StatusCode::UNAUTHORIZED);
    }
    let editor = app
        .post_form_from(
            "198.51.100.30",
            "/admin/sign-in",
            sign_in_body("editor@example.com", STAFF_PASSWORD),
        )
        .await;
    assert_eq!(editor.status, StatusCode::SEE_OTHER);
}

async fn forwarded_addresses_are_believed_only_from_trusted_proxies(backend: Backend) {
    let app =
        TestApp::with_staff_and_env(backend, &[("NEWSDESK_TRUSTED_PROXIES", "10.0.0.0/8")]).await;
    let via_proxy = |forwarded_for: &'static str, password: &'static str| {
        let app = &app;
        async move {
            app.request_from(
                "10.0.0.2",
                Method::POST,
                "/admin/sign-in",
                &[
                    ("content-type", "application/x-www-form-urlencoded"),
                    ("x-forwarded-for", forwarded_for),
                ],
                Body::from(sign_in_body("owner@example.com", password)),
            )
            .await
        }
    };
    // The attacker behind the proxy writes a fake first hop; the proxy appends the real one.
    for _ in 0..6 {
        via_proxy("198.51.100.99, 203.0.113.66", "wrong-password").await;
    }
    assert_eq!(
        via_proxy("198.51.100.99, 203.0.113.66", STAFF_PASSWORD)
            .await
            .status,
        StatusCode::TOO_MANY_REQUESTS,
        "counted against the real client, not the proxy or the fake hop"
    );
    let owner = via_proxy("203.0.113.5", STAFF_PASSWORD).await;
    assert_eq!(
        owner.status,
        StatusCode::SEE_OTHER,
        "other clients of the same proxy are unaffected"
    );
    // The session and the audit log carry the same address.
    let entries = app.state.store.audit_entries(None, 50).await.unwrap();
    let sign_in = entries.iter().find(|e| e.action == "sign-in").unwrap();
    assert_eq!(sign_in.ip, "203.0.113.5");
    assert!(
        entries
            .iter()
            .filter(|e| e.action == "sign-in failed")
            .all(|e| e.ip == "203.0.113.66")
    );
    // From an untrusted peer the header is ignored.
    let direct = app
        .request_from(
            "192.0.2.44",
            Method::POST,
            "/admin/sign-in",
            &[
                ("content-type", "application/x-www-form-urlencoded"),
                ("x-forwarded-for", "203.0.113.5"),
            ],
            Body::from(sign_in_body("editor@example.com", "wrong-password")),
        )
        .await;
    assert_eq!(direct.status, StatusCode::UNAUTHORIZED);
    let entries = app.state.store.audit_entries(None, 1).await.unwrap();
    assert_eq!(entries[0].ip, "192.0.2.44");
}

async fn concurrent_guesses_get_no_more_than_the_limit_checked(backend: Backend) {
    let app = TestApp::with_staff(backend).await;
    let mut tasks = tokio::task::JoinSet::new();
    for _ in 0..40 {
        let router = app.router.clone();
        tasks.spawn(async move {
            use tower::ServiceExt;
            let mut request = axum::http::Request::post("/admin/sign-in")
                .header("content-type", "application/x-www-form-urlencoded")
                .body(Body::from(sign_in_body(
                    "author@example.com",
                    "wrong-guess",
                )))
                .unwrap();
            request
                .extensions_mut()
                .insert(axum::extract::ConnectInfo(SocketAddr::from((
                    [203, 0, 113, 77],
                    5000,
                ))));
            router.oneshot(request).await.unwrap().status()
        });
    }
    let mut checked = 0;
    let mut throttled = 0;
    while let Some(status) = tasks.join_next().await {
        match status.unwrap() {
            StatusCode::UNAUTHORIZED => checked += 1,
            StatusCode::TOO_MANY_REQUESTS => throttled += 1,
            other => panic!("unexpected {other}"),
        }
    }
    assert!(checked <= 5, "{checked} of 40 guesses were checked");
    assert_eq!(checked + throttled, 40);
}

/// Turns on two-factor sign-in for `email`; returns its secret.
async fn enable_two_factor(app: &TestApp, email: &str) -> String {
    let session = app.sign_in(email).await;
    let setup = app.admin_get(&session, "/admin/account/2fa").await;
    let marker = "id=\"totp-secret\">";
    let start = setup.body.find(marker).unwrap() + marker.len();
    let secret = setup.body[start..].split('<').next().unwrap().to_owned();
    let code = newsdesk::services::two_factor::current_code(&secret).unwrap();
    let on = app
        .admin_post(
            &session,
            "/admin/account/2fa",
            &[("action", "confirm"), ("code", &code)],
        )
        .await;
    assert_eq!(on.status, StatusCode::SEE_OTHER, "{}", on.body);
    secret
}

/// The password step; returns the half-signed-in cookie.
async fn password_step(app: &TestApp, email: &str) -> String {
    let response = app
        .post_form_from(
            "198.51.100.40",
            "/admin/sign-in",
            sign_in_body(email, STAFF_PASSWORD),
        )
        .await;
    assert_eq!(response.status, StatusCode::SEE_OTHER, "{}", response.body);
    response
        .header("set-cookie")
        .split(';')
        .next()
        .unwrap()
        .to_owned()
}

async fn post_code(app: &TestApp, cookie: &str, code: &str) -> StatusCode {
    app.request_from(
        "198.51.100.40",
        Method::POST,
        "/admin/sign-in/code",
        &[
            ("cookie", cookie),
            ("content-type", "application/x-www-form-urlencoded"),
        ],
        Body::from(format!("code={code}&next=%2Fadmin")),
    )
    .await
    .status
}

fn wrong_code_for(secret: &str) -> String {
    let now = newsdesk::store::now();
    let valid: Vec<String> = [now - 30, now, now + 30]
        .iter()
        .map(|t| newsdesk::services::two_factor::code_at(secret, *t).unwrap())
        .collect();
    (0..1_000_000)
        .map(|n| format!("{n:06}"))
        .find(|c| !valid.contains(c))
        .unwrap()
}

async fn second_factor_guesses_are_limited_and_reported(backend: Backend) {
    let smtp = SmtpServer::start().await;
    let app = TestApp::with_staff_and_env(backend, &[("NEWSDESK_SMTP_URL", &smtp.url)]).await;
    let secret = enable_two_factor(&app, "author@example.com").await;
    let wrong = wrong_code_for(&secret);
    // Someone who has the password signs in again before each guess: that
    // never clears the count of wrong codes.
    for _ in 0..5 {
        let cookie = password_step(&app, "author@example.com").await;
        assert_eq!(
            post_code(&app, &cookie, &wrong).await,
            StatusCode::UNAUTHORIZED
        );
    }
    let cookie = password_step(&app, "author@example.com").await;
    let next =
        newsdesk::services::two_factor::code_at(&secret, newsdesk::store::now() + 30).unwrap();
    assert_eq!(
        post_code(&app, &cookie, &next).await,
        StatusCode::TOO_MANY_REQUESTS,
        "locked, even for the right code"
    );
    let warned = smtp
        .messages()
        .iter()
        .any(|m| m.to == vec!["author@example.com"] && m.subject().contains("неправильні коди"));
    assert!(warned, "the person is told someone has their password");
    let entries = app.state.store.audit_entries(None, 100).await.unwrap();
    assert!(entries.iter().any(|e| e.action == "two-factor locked"));

    // The form that turns two-factor off is limited the same way.
    let editor_secret = enable_two_factor(&app, "editor@example.com").await;
    let wrong = wrong_code_for(&editor_secret);
    let cookie = password_step(&app, "editor@example.com").await;
    let code = newsdesk::services::two_factor::code_at(&editor_secret, newsdesk::store::now() + 30)
        .unwrap();
    assert_eq!(post_code(&app, &cookie, &code).await, StatusCode::SEE_OTHER);
    let dashboard = app
        .request(Method::GET, "/admin", &[("cookie", &cookie)], Body::empty())
        .await;
    let start = dashboard.body.find("name=\"csrf\" value=\"").unwrap() + 19;
    let session = crate::util::AdminSession {
        cookie: cookie.clone(),
        csrf: dashboard.body[start..start + 64].to_owned(),
    };
    let mut statuses = Vec::new();
    for _ in 0..7 {
        let response = app
            .admin_post(
                &session,
                "/admin/account/2fa",
                &[("action", "disable"), ("code", &wrong)],
            )
            .await;
        statuses.push(response.status);
    }
    assert_eq!(
        statuses
            .iter()
            .filter(|s| **s == StatusCode::UNPROCESSABLE_ENTITY)
            .count(),
        5
    );
    assert_eq!(statuses[6], StatusCode::TOO_MANY_REQUESTS);
}

async fn a_second_factor_code_works_once(backend: Backend) {
    let app = TestApp::with_staff(backend).await;
    let secret = enable_two_factor(&app, "author@example.com").await;
    let code =
        newsdesk::services::two_factor::code_at(&secret, newsdesk::store::now() + 30).unwrap();
    let first = password_step(&app, "author@example.com").await;
    assert_eq!(post_code(&app, &first, &code).await, StatusCode::SEE_OTHER);
    let second = password_step(&app, "author@example.com").await;
    assert_eq!(
        post_code(&app, &second, &code).await,
        StatusCode::UNAUTHORIZED,
        "a code someone watched being typed cannot be used again"
    );
}

async fn media_paths_stay_under_the_media_root(backend: Backend) {
    let app = TestApp::with_staff(backend).await;
    // A PNG outside the media folder, as a secret file on the server would be.
    let outside = app.data_dir.join("secret.png");
    std::fs::write(&outside, b"\x89PNG\r\n\x1a\nsecret").unwrap();
    let absolute = outside.display().to_string();
    let encoded = absolute.replace('/', "%2F");
    for path in [
        format!("/media/{absolute}"),
        format!("/media/{encoded}"),
        "/media/..%2Fsecret.png".to_owned(),
        "/media/x/..%2F..%2Fsecret.png".to_owned(),
        "/media/.%2F..%2Fsecret.png".to_owned(),
    ] {
        let response = app.get(&path).await;
        assert_eq!(response.status, StatusCode::NOT_FOUND, "{path}");
        assert!(!response.body.contains("secret"), "{path}");
    }
    // A real upload is still served.
    let media = app.data_dir.join("media").join("2026");
    std::fs::create_dir_all(&media).unwrap();
    std::fs::write(media.join("ok.png"), b"\x89PNG\r\n\x1a\nfine").unwrap();
    assert_eq!(app.get("/media/2026/ok.png").await.status, StatusCode::OK);
}

/// The app served on a real socket on 127.0.0.1, as `newsdesk serve` does.
struct RunningServer {
    address: SocketAddr,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
}

impl RunningServer {
    async fn start(app: &TestApp) -> RunningServer {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let address = listener.local_addr().unwrap();
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let state = app.state.clone();
        tokio::spawn(async move {
            newsdesk::http::serve(listener, state, async {
                let _ = stopped.await;
            })
            .await
            .unwrap();
        });
        RunningServer {
            address,
            stop: Some(stop),
        }
    }

    /// A connection from a chosen loopback address (127.0.0.0/8 is all ours).
    async fn connect_from(&self, local: [u8; 4]) -> TcpStream {
        let socket = TcpSocket::new_v4().unwrap();
        socket.bind(SocketAddr::from((local, 0))).unwrap();
        socket.connect(self.address).await.unwrap()
    }
}

impl Drop for RunningServer {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
    }
}

async fn exchange(stream: &mut TcpStream, request: &str) -> String {
    stream.write_all(request.as_bytes()).await.unwrap();
    let mut response = Vec::new();
    let _ = tokio::time::timeout(Duration::from_secs(10), stream.read_to_end(&mut response)).await;
    String::from_utf8_lossy(&response).into_owned()
}

async fn the_server_sees_each_connection_s_own_address(backend: Backend) {
    let app = TestApp::with_staff(backend).await;
    let server = RunningServer::start(&app).await;
    let body = sign_in_body("owner@example.com", "wrong-password");
    let request = format!(
        "POST /admin/sign-in HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\
         Content-Type: application/x-www-form-urlencoded\r\nContent-Length: {}\r\n\r\n{body}",
        body.len()
    );
    for local in [[127, 0, 0, 2], [127, 0, 0, 3]] {
        let mut stream = server.connect_from(local).await;
        let response = exchange(&mut stream, &request).await;
        assert!(response.starts_with("HTTP/1.1 401"), "{response}");
    }
    let entries = app.state.store.audit_entries(None, 10).await.unwrap();
    let mut addresses: Vec<&str> = entries.iter().map(|e| e.ip.as_str()).collect();
    addresses.sort_unstable();
    assert_eq!(addresses, ["127.0.0.2", "127.0.0.3"]);
}

async fn slow_clients_cannot_starve_readers(backend: Backend) {
    let app = TestApp::with_staff_and_env(
        backend,
        &[
            ("NEWSDESK_HEADER_TIMEOUT_SECONDS", "2"),
            ("NEWSDESK_MAX_CONNECTIONS_PER_ADDRESS", "16"),
        ],
    )
    .await;
    let server = RunningServer::start(&app).await;
    // One address opens 300 connections and sends half a request on each.
    let mut flood = Vec::new();
    for _ in 0..300 {
        let mut stream = server.connect_from([127, 0, 0, 9]).await;
        let _ = stream.write_all(b"GET / HTTP/1.1\r\nHost: x\r\n").await;
        flood.push(stream);
    }
    // A reader from elsewhere is served at once.
    let started = std::time::Instant::now();
    let mut reader = server.connect_from([127, 0, 0, 10]).await;
    let response = exchange(
        &mut reader,
        "GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
    )
    .await;
    assert!(response.starts_with("HTTP/1.1 200"), "{response}");
    assert!(started.elapsed() < Duration::from_secs(2));
    // Past its share, the flooding address was cut off; the rest time out
    // on their headers.
    let mut closed_at_once = 0;
    for stream in &mut flood {
        let mut buf = [0u8; 256];
        if let Ok(Ok(0) | Err(_)) =
            tokio::time::timeout(Duration::from_millis(5), stream.read(&mut buf)).await
        {
            closed_at_once += 1;
        }
    }
    assert!(closed_at_once >= 284, "{closed_at_once} closed at once");
    tokio::time::sleep(Duration::from_secs(3)).await;
    let mut still_open = 0;
    for stream in &mut flood {
        let mut buf = [0u8; 256];
        match tokio::time::timeout(Duration::from_millis(5), stream.read(&mut buf)).await {
            Ok(Ok(0) | Err(_)) => {}
            // hyper answers a header timeout with a 408 before closing.
            Ok(Ok(_)) => {}
            Err(_) => still_open += 1,
        }
    }
    assert_eq!(
        still_open, 0,
        "slow connections are closed after the header timeout"
    );
}

/// Creates an article through the editor form; returns its id.
async fn write_article(
    app: &TestApp,
    session: &crate::util::AdminSession,
    headline: &str,
    language: &str,
    translation_of: &str,
) -> (StatusCode, String) {
    let response = app
        .admin_post(
            session,
            "/admin/articles",
            &[
                ("headline", headline),
                ("standfirst", "Standfirst."),
                ("body", "Reviewed text."),
                ("language", language),
                ("section", "news"),
                ("translation_of", translation_of),
            ],
        )
        .await;
    let id = response
        .header("location")
        .trim_start_matches("/admin/articles/")
        .split('?')
        .next()
        .unwrap_or("")
        .to_owned();
    (
        response.status,
        if id.is_empty() { response.body } else { id },
    )
}

async fn contributors_cannot_read_drafts_by_linking_translations(backend: Backend) {
    let app = TestApp::with_staff(backend).await;
    let editor = app.sign_in("editor@example.com").await;
    let (status, secret_id) =
        write_article(&app, &editor, "Секретний заголовок розслідування", "uk", "").await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let contributor = app.sign_in("contributor@example.com").await;
    let (status, page) =
        write_article(&app, &contributor, "My translation", "en", &secret_id).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(!page.contains("Секретний"), "the draft's headline leaks");
    let (_, missing_page) =
        write_article(&app, &contributor, "My translation", "en", "999999").await;
    let message = |page: &str| {
        page.find("no article you can see has this id")
            .map(|_| "same")
            .unwrap_or("different")
    };
    assert_eq!(message(&page), "same");
    assert_eq!(
        message(&missing_page),
        "same",
        "one answer for missing and not allowed"
    );
    // The editor, who may see it, can link it.
    let (status, _) = write_article(&app, &editor, "The investigation", "en", &secret_id).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
}

async fn publishing_puts_live_only_the_reviewed_version(backend: Backend) {
    let app = TestApp::with_staff(backend).await;
    let author = app.sign_in("author@example.com").await;
    let (_, id) = write_article(&app, &author, "Матеріал на перевірку", "uk", "").await;
    let workflow = format!("/admin/articles/{id}/workflow");
    let version = app.version_of(&id).await;
    let submitted = app
        .admin_post(
            &author,
            &workflow,
            &[("action", "submit"), ("version", &version)],
        )
        .await;
    assert_eq!(submitted.status, StatusCode::SEE_OTHER);
    // The editor opens the story and reads it at this version.
    let editor = app.sign_in("editor@example.com").await;
    let page = app
        .admin_get(&editor, &format!("/admin/articles/{id}"))
        .await;
    let reviewed = app.version_of(&id).await;
    assert!(
        page.body
            .contains(&format!("name=\"version\" value=\"{reviewed}\""))
    );
    // Meanwhile the author changes the text.
    let changed = app
        .admin_post(
            &author,
            &format!("/admin/articles/{id}"),
            &[
                ("headline", "Матеріал на перевірку"),
                ("standfirst", "Standfirst."),
                ("body", "Unreviewed claim."),
                ("language", "uk"),
                ("section", "news"),
                ("version", &reviewed),
            ],
        )
        .await;
    assert_eq!(changed.status, StatusCode::SEE_OTHER, "{}", changed.body);
    // Publishing what the editor saw is refused, with the difference shown.
    let stale = app
        .admin_post(
            &editor,
            &workflow,
            &[("action", "publish"), ("version", &reviewed)],
        )
        .await;
    assert_eq!(stale.status, StatusCode::CONFLICT);
    assert!(
        stale.body.contains("Unreviewed claim."),
        "the change is shown"
    );
    let without_version = app
        .admin_post(&editor, &workflow, &[("action", "publish")])
        .await;
    assert_eq!(without_version.status, StatusCode::CONFLICT);
    let row = app
        .state
        .store
        .article_row(newsdesk::store::ArticleId(id.parse().unwrap()))
        .await
        .unwrap();
    assert_eq!(row.status.as_str(), "in_review", "nothing went live");
    // Having read the new version, the editor publishes it.
    let current = app.version_of(&id).await;
    let published = app
        .admin_post(
            &editor,
            &workflow,
            &[("action", "publish"), ("version", &current)],
        )
        .await;
    assert_eq!(published.status, StatusCode::SEE_OTHER);
}

/// Every route in the router's source that takes POST, PUT, PATCH or
/// DELETE, as (method, path) with placeholders filled in. Read from the
/// source so a route added tomorrow is walked too.
fn state_changing_routes() -> Vec<(&'static str, String)> {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src/http");
    let mut files = Vec::new();
    let mut dirs = vec![root.clone()];
    while let Some(dir) = dirs.pop() {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                dirs.push(path);
            } else if path.extension().is_some_and(|e| e == "rs") {
                files.push(path);
            }
        }
    }
    let mut routes = Vec::new();
    for file in files {
        let relative = file
            .strip_prefix(&root)
            .unwrap()
            .to_string_lossy()
            .into_owned();
        let prefix = if relative.starts_with("admin/") {
            "/admin"
        } else if relative.starts_with("api/") {
            "/api/admin"
        } else if relative == "webhooks.rs" {
            "/webhooks"
        } else {
            ""
        };
        let source = std::fs::read_to_string(&file).unwrap();
        for chunk in source.split(".route(").skip(1) {
            let Some(path) = chunk
                .trim_start()
                .strip_prefix('"')
                .and_then(|r| r.split('"').next())
            else {
                continue;
            };
            let call = chunk.split(".route(").next().unwrap_or(chunk);
            let call = &call[..call
                .find("\n        .")
                .unwrap_or(call.len())
                .min(call.len())];
            let filled = path
                .split('/')
                .map(|segment| {
                    if segment.starts_with('{') {
                        "1"
                    } else {
                        segment
                    }
                })
                .collect::<Vec<_>>()
                .join("/");
            for (needle, method) in [
                ("post(", "POST"),
                ("put(", "PUT"),
                ("patch(", "PATCH"),
                ("delete(", "DELETE"),
            ] {
                if call.contains(needle) {
                    routes.push((method, format!("{prefix}{filled}")));
                }
            }
        }
    }
    routes.sort();
    routes.dedup();
    routes
}

async fn every_state_changing_route_refuses_other_sites(backend: Backend) {
    let app = TestApp::with_staff(backend).await;
    let owner = app.sign_in("owner@example.com").await;
    let routes = state_changing_routes();
    assert!(routes.len() > 30, "the route list was read: {routes:?}");
    assert!(routes.contains(&("POST", "/admin/sign-in".to_owned())));
    assert!(routes.contains(&("POST", "/newsletter".to_owned())));
    let mut walked = 0;
    for (method, path) in &routes {
        let exempt = newsdesk::http::same_origin::CROSS_SITE_ROUTES
            .iter()
            .any(|p| path.starts_with(p));
        if exempt {
            continue;
        }
        let body = format!(
            "csrf={}&email=owner%40example.com&password={STAFF_PASSWORD}&action=publish",
            owner.csrf
        );
        for cross_site in [
            vec![("sec-fetch-site", "cross-site")],
            vec![("origin", "https://evil.example")],
            vec![("origin", "null")],
        ] {
            let mut headers = vec![
                ("cookie", owner.cookie.as_str()),
                ("content-type", "application/x-www-form-urlencoded"),
            ];
            headers.extend(cross_site.iter().copied());
            let response = app
                .request(
                    method.parse().unwrap(),
                    path,
                    &headers,
                    Body::from(body.clone()),
                )
                .await;
            assert_eq!(
                response.status,
                StatusCode::FORBIDDEN,
                "{method} {path} with {cross_site:?}"
            );
        }
        walked += 1;
    }
    assert!(walked > 25);
    // The same sign-in from this site works; a cross-site one got no session.
    let same_site = app
        .request(
            Method::POST,
            "/admin/sign-in",
            &[
                ("content-type", "application/x-www-form-urlencoded"),
                ("sec-fetch-site", "same-origin"),
                ("origin", "https://news.example.org"),
            ],
            Body::from(sign_in_body("owner@example.com", STAFF_PASSWORD)),
        )
        .await;
    assert_eq!(same_site.status, StatusCode::SEE_OTHER);
}

async fn only_published_stories_make_public_pages(backend: Backend) {
    let app = TestApp::with_staff(backend).await;
    let contributor = app.sign_in("contributor@example.com").await;
    let draft = app
        .admin_post(
            &contributor,
            "/admin/articles",
            &[
                ("headline", "Чернетка"),
                ("body", "Текст."),
                ("language", "uk"),
                ("section", "news"),
                ("tags", "Купуйте казино зараз"),
            ],
        )
        .await;
    assert_eq!(draft.status, StatusCode::SEE_OTHER, "{}", draft.body);
    let tag = newsdesk::content::slug::slugify("Купуйте казино зараз");
    for path in [
        format!("/tag/{tag}"),
        format!("/tag/{tag}/feed.xml"),
        format!("/tag/{tag}/atom.xml"),
    ] {
        assert_eq!(app.get(&path).await.status, StatusCode::NOT_FOUND, "{path}");
    }
    // A new colleague has published nothing yet: no author page.
    sqlx::query(
        "INSERT INTO staff (email, name, slug, role, created_at) \
         VALUES ('new@example.com', 'New Colleague', 'new-colleague', 'author', 0)",
    )
    .execute(app.state.store.pool())
    .await
    .unwrap();
    assert_eq!(
        app.get("/author/new-colleague").await.status,
        StatusCode::NOT_FOUND
    );
    // Authors with published stories keep theirs.
    let home = app.page("/").await;
    let author_link = TestApp::first_link(&home, "/author/");
    assert_eq!(app.get(&author_link).await.status, StatusCode::OK);
}

async fn page_variants_and_empty_archives_take_no_cache_places(backend: Backend) {
    let app = TestApp::with_staff(backend).await;
    app.page("/").await;
    let cached = app.state.page_cache.len();
    for variant in ["/?page=1", "/?page=01", "/?page=001"] {
        let response = app.get(variant).await;
        assert_eq!(response.status, StatusCode::PERMANENT_REDIRECT, "{variant}");
        assert_eq!(response.header("location"), "/");
    }
    assert_eq!(app.get("/?page=02").await.header("location"), "/?page=2");
    for day in ["/1990/01/01", "/2001/02/03", "/2199/12/31"] {
        assert_eq!(app.get(day).await.status, StatusCode::NOT_FOUND, "{day}");
    }
    assert_eq!(
        app.state.page_cache.len(),
        cached,
        "no entries for variants or empty days"
    );
}

async fn characters_xml_forbids_are_refused_and_never_emitted(backend: Backend) {
    let mut app = TestApp::with_staff(backend).await;
    for field in ["headline", "standfirst", "body"] {
        let mut article = serde_json::json!({
            "headline": "Заголовок", "standfirst": "Коротко", "body": "Текст.",
            "language": "uk", "section": "news", "authors": ["editor@example.com"],
        });
        article[field] = serde_json::json!("Новина\u{FFFE} дня\u{FFFF}\u{1}");
        let refused = app
            .api(Method::POST, "/api/admin/articles", Some(article))
            .await;
        assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY, "{field}");
        assert!(refused.body.contains(field), "{}", refused.body);
    }
    let tagged = app
        .api(
            Method::POST,
            "/api/admin/articles",
            Some(serde_json::json!({
                "headline": "Заголовок", "body": "Текст.", "language": "uk",
                "authors": ["editor@example.com"], "tags": ["тег\u{FFFF}"],
            })),
        )
        .await;
    assert_eq!(tagged.status, StatusCode::UNPROCESSABLE_ENTITY);
    // A row written before the check existed is still emitted as well-formed XML.
    let published = app
        .publish(serde_json::json!({
            "headline": "Стара новина", "body": "Текст.", "language": "uk",
            "section": "news", "authors": ["editor@example.com"],
        }))
        .await;
    sqlx::query("UPDATE articles SET headline = $1 WHERE id = $2")
        .bind("Стара\u{FFFE} новина\u{1}")
        .bind(published["id"].as_i64().unwrap())
        .execute(app.state.store.pool())
        .await
        .unwrap();
    app.state.page_cache.clear();
    for path in [
        "/feed.xml",
        "/atom.xml",
        "/news-sitemap.xml",
        "/sitemap.xml",
    ] {
        let xml = app.page(path).await;
        assert!(
            roxmltree::Document::parse(&xml).is_ok(),
            "{path} must parse"
        );
        assert!(
            !xml.contains('\u{FFFE}') && !xml.contains('\u{1}'),
            "{path}"
        );
    }
}

async fn a_return_address_cannot_split_headers(backend: Backend) {
    let app = TestApp::with_staff(backend).await;
    let response = app
        .post_form(
            "/admin/sign-in",
            format!(
                "{}&next=%2Fadmin%0D%0ASet-Cookie%3A%20x%3D1",
                sign_in_body("owner@example.com", STAFF_PASSWORD)
            ),
        )
        .await;
    assert_eq!(response.status, StatusCode::SEE_OTHER);
    assert_eq!(response.header("location"), "/admin");
}

async fn article_images_from_other_hosts_never_reach_readers(backend: Backend) {
    let mut app = TestApp::with_staff(backend).await;
    let published = app
        .publish(serde_json::json!({
            "headline": "Фото дня",
            "body": "<img src=\"/\\evil.example/a.gif\" alt=\"a\">\n\n![b](</\t/evil.example/b.gif>)\n\n![c](/media/ok.jpg)",
            "language": "uk",
            "section": "news",
            "authors": ["editor@example.com"],
        }))
        .await;
    let page = app
        .page(&TestApp::path_of(published["url"].as_str().unwrap()))
        .await;
    assert!(page.contains("src=\"/media/ok.jpg\""), "local images stay");
    // Every image a reader's browser would fetch is on this site, as the browser resolves it.
    let base = url::Url::parse("https://news.example.org/2026/12/02/x").unwrap();
    for chunk in page.split("<img").skip(1) {
        let tag = chunk.split('>').next().unwrap_or("");
        let src = tag
            .split("src=\"")
            .nth(1)
            .and_then(|rest| rest.split('"').next())
            .unwrap_or("");
        if src.is_empty() {
            continue;
        }
        let resolved = base.join(&src.replace("&amp;", "&")).unwrap();
        assert_eq!(resolved.host_str(), Some("news.example.org"), "{src}");
    }
}

async fn a_trusted_proxy_may_hold_many_connections(backend: Backend) {
    let app = TestApp::with_staff_and_env(
        backend,
        &[
            ("NEWSDESK_TRUSTED_PROXIES", "127.0.0.5/32"),
            ("NEWSDESK_MAX_CONNECTIONS_PER_ADDRESS", "16"),
        ],
    )
    .await;
    let server = RunningServer::start(&app).await;
    // The proxy carries many readers at once over its own connections.
    let mut connections = Vec::new();
    for _ in 0..40 {
        connections.push(server.connect_from([127, 0, 0, 5]).await);
    }
    for stream in &mut connections {
        let response = exchange(
            stream,
            "GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
        )
        .await;
        assert!(response.starts_with("HTTP/1.1 200"), "{response}");
    }
}
