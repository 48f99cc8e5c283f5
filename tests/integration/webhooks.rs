//! Outgoing webhooks as a receiver sees them: signed, retried, logged, and
//! never sent to a private address.

use std::collections::VecDeque;
use std::sync::{Arc, Mutex};

use axum::Router;
use axum::extract::State;
use axum::http::{HeaderMap, Method, StatusCode};
use axum::routing::post;
use hmac::{Hmac, Mac};
use serde_json::{Value, json};
use sha2::Sha256;

use newsdesk::services::distribution::Worker;

use crate::fakes::start_fake;
use crate::on_both_backends;
use crate::util::{Backend, TestApp};

on_both_backends!(
    the_owners_systems_hear_of_stories_signed_and_retried,
    a_webhook_to_a_private_address_is_refused_before_connecting,
    a_gift_reaches_the_owners_systems_once,
);

#[derive(Clone, Default)]
struct Receiver {
    got: Arc<Mutex<Vec<(HeaderMap, String)>>>,
    answers: Arc<Mutex<VecDeque<u16>>>,
}

async fn receive(State(receiver): State<Receiver>, headers: HeaderMap, body: String) -> StatusCode {
    receiver.got.lock().unwrap().push((headers, body));
    let status = receiver.answers.lock().unwrap().pop_front().unwrap_or(200);
    StatusCode::from_u16(status).unwrap()
}

async fn start_receiver() -> (Receiver, String) {
    let receiver = Receiver::default();
    let base = start_fake(
        Router::new()
            .route("/hooks/newsdesk", post(receive))
            .with_state(receiver.clone()),
    )
    .await;
    (receiver, format!("{base}/hooks/newsdesk"))
}

/// What a receiver does, written from the documentation, not our code.
fn verify(secret: &str, header: &str, body: &str) -> bool {
    let mut t = "";
    let mut v1 = "";
    for part in header.split(',') {
        match part.split_once('=') {
            Some(("t", value)) => t = value,
            Some(("v1", value)) => v1 = value,
            _ => {}
        }
    }
    let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes()).unwrap();
    mac.update(format!("{t}.{body}").as_bytes());
    let fresh = (jiff::Timestamp::now().as_second() - t.parse::<i64>().unwrap()).abs() < 300;
    fresh && hex::encode(mac.finalize().into_bytes()) == v1
}

async fn run(app: &TestApp) {
    Worker::new(app.state.clone())
        .run_once(&|| false)
        .await
        .unwrap();
}

async fn the_owners_systems_hear_of_stories_signed_and_retried(backend: Backend) {
    let (receiver, url) = start_receiver().await;
    let mut app = TestApp::with_staff_and_env(
        backend,
        &[
            ("NEWSDESK_FEDIVERSE_ALLOW_PRIVATE_NETWORKS", "true"),
            ("NEWSDESK_DISTRIBUTION_RETRY_BASE_SECONDS", "0"),
        ],
    )
    .await;
    let owner = app.sign_in("owner@example.com").await;
    let editor = app.sign_in("editor@example.com").await;
    assert_eq!(
        app.admin_get(&editor, "/admin/webhooks").await.status,
        StatusCode::FORBIDDEN
    );
    let bad = app
        .admin_post(
            &owner,
            "/admin/webhooks",
            &[("url", "ftp://example.org/"), ("events", "article.eaten")],
        )
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    let long = format!("https://hooks.example.org/{}", "a".repeat(5000));
    let too_long = app
        .admin_post(
            &owner,
            "/admin/webhooks",
            &[("url", &long), ("events", "article.published")],
        )
        .await;
    assert_eq!(too_long.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(app.state.store.webhooks().await.unwrap().is_empty());
    let added = app
        .admin_post(
            &owner,
            "/admin/webhooks",
            &[
                ("url", &url),
                ("events", "article.published"),
                ("events", "article.unpublished"),
            ],
        )
        .await;
    assert_eq!(added.status, StatusCode::SEE_OTHER, "{}", added.body);
    let hook = app.state.store.webhooks().await.unwrap().remove(0);
    assert!(hook.secret.starts_with("whsec_"));

    // The receiver is down once; the story reaches it on the next round.
    receiver.answers.lock().unwrap().push_back(503);
    let story = app
        .publish(json!({ "headline": "Вебхук почув новину", "body": "Текст.", "language": "uk", "authors": ["editor@example.com"] }))
        .await;
    let id = story["id"].as_i64().unwrap();
    run(&app).await;
    run(&app).await;
    let got = receiver.got.lock().unwrap().clone();
    assert_eq!(got.len(), 2, "one failure, one retry");
    let (headers, body) = &got[1];
    assert_eq!(headers["content-type"], "application/json");
    assert_eq!(headers["newsdesk-event"], "article.published");
    assert!(verify(
        &hook.secret,
        headers["newsdesk-signature"].to_str().unwrap(),
        body
    ));
    assert!(!verify(
        "whsec_wrong",
        headers["newsdesk-signature"].to_str().unwrap(),
        body
    ));
    let event: Value = serde_json::from_str(body).unwrap();
    assert_eq!(event["type"], "article.published");
    assert_eq!(event["data"]["id"], id);
    assert_eq!(event["data"]["headline"], "Вебхук почув новину");
    assert!(
        event["data"]["url"]
            .as_str()
            .unwrap()
            .starts_with("https://news.example.org/20")
    );
    assert_eq!(got[0].1, got[1].1, "a retry sends the same event");

    // An event it did not ask for is not sent; one it did is.
    app.api(
        Method::POST,
        &format!("/api/admin/articles/{id}/corrections"),
        Some(json!({ "kind": "update", "text": "Додано подробиці." })),
    )
    .await;
    let unpublished = app
        .api(
            Method::POST,
            &format!("/api/admin/articles/{id}/unpublish"),
            None,
        )
        .await;
    assert_eq!(unpublished.status, StatusCode::OK, "{}", unpublished.body);
    run(&app).await;
    let got = receiver.got.lock().unwrap().clone();
    let types: Vec<String> = got
        .iter()
        .map(|(_, b)| {
            serde_json::from_str::<Value>(b).unwrap()["type"]
                .as_str()
                .unwrap()
                .to_owned()
        })
        .collect();
    assert_eq!(
        types,
        [
            "article.published",
            "article.published",
            "article.unpublished"
        ]
    );

    // The delivery log shows each attempt's outcome.
    let page = app.admin_get(&owner, "/admin/webhooks").await;
    assert!(page.body.contains(&url));
    assert!(
        page.body.contains("<td>sent</td><td>2</td>"),
        "sent on the second attempt: {}",
        page.body
    );
    let deleted = app
        .admin_post(&owner, &format!("/admin/webhooks/{}/delete", hook.id), &[])
        .await;
    assert_eq!(deleted.status, StatusCode::SEE_OTHER);
    assert!(app.state.store.webhooks().await.unwrap().is_empty());
}

async fn a_webhook_to_a_private_address_is_refused_before_connecting(backend: Backend) {
    let (receiver, url) = start_receiver().await;
    let mut app = TestApp::with_staff(backend).await;
    let owner = app.sign_in("owner@example.com").await;
    // Refused when added…
    let refused = app
        .admin_post(
            &owner,
            "/admin/webhooks",
            &[("url", &url), ("events", "article.published")],
        )
        .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        refused.body.contains("not a public address"),
        "{}",
        refused.body
    );
    // …and when sent, should one be in the table already (a restore, an
    // earlier setting): the check runs before any connection.
    app.state
        .store
        .insert_webhook(&url, "article.published", "whsec_x", 0)
        .await
        .unwrap();
    app.publish(json!({ "headline": "Нікуди", "body": "Текст.", "language": "uk", "authors": ["editor@example.com"] }))
        .await;
    run(&app).await;
    assert!(
        receiver.got.lock().unwrap().is_empty(),
        "nothing reached the address"
    );
    let hook = app.state.store.webhooks().await.unwrap().remove(0);
    let log = app
        .state
        .store
        .webhook_deliveries(hook.id, 5)
        .await
        .unwrap();
    assert_eq!(log[0].state.as_str(), "dead");
    assert!(
        log[0].last_error.contains("not a public address"),
        "{}",
        log[0].last_error
    );
}

async fn a_gift_reaches_the_owners_systems_once(backend: Backend) {
    let (receiver, url) = start_receiver().await;
    let app = TestApp::with_staff_and_env(
        backend,
        &[
            ("NEWSDESK_FEDIVERSE_ALLOW_PRIVATE_NETWORKS", "true"),
            ("NEWSDESK_DONATIONS_SANDBOX", "true"),
        ],
    )
    .await;
    let who = newsdesk::services::audit::Who {
        staff: None,
        label: "test".into(),
        ip: String::new(),
    };
    newsdesk::services::webhooks::create(
        &app.state,
        &who,
        &url,
        &["donation.completed".to_owned()],
    )
    .await
    .unwrap();
    let started = app
        .post_form(
            "/support/donate",
            "currency=UAH&amount=500&frequency=monthly&email=reader%40example.org",
        )
        .await;
    let public_id = started
        .header("location")
        .trim_start_matches("/support/sandbox/")
        .to_owned();
    for _ in 0..2 {
        // The provider tells us twice; the gift counts, and is told, once.
        let _ = newsdesk::services::donations::sandbox_complete(&app.state, &public_id, true).await;
    }
    run(&app).await;
    let got = receiver.got.lock().unwrap().clone();
    assert_eq!(got.len(), 1, "{got:?}");
    let event: Value = serde_json::from_str(&got[0].1).unwrap();
    assert_eq!(event["type"], "donation.completed");
    assert_eq!(event["data"]["amount_minor"], 50_000);
    assert_eq!(event["data"]["currency"], "UAH");
    assert_eq!(event["data"]["monthly"], true);
}
