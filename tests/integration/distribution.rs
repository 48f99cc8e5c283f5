//! Distribution end to end: publishing fans a story out to Telegram, X and
//! Fediverse followers through the outbox, against local fakes that check
//! every request; failures are retried, waited out or dead-lettered; a
//! crash mid-batch and two nodes never send anything twice.

use axum::body::Body;
use axum::http::{Method, StatusCode};
use newsdesk::services::distribution::Worker;
use newsdesk::services::fediverse;
use newsdesk::store::DeliveryState;
use serde_json::{Value, json};

use crate::fakes::{
    BOT_TOKEN, FakeFediverse, FakeTelegram, FakeX, Scripted, X_CONSUMER_KEY, X_CONSUMER_SECRET,
    X_TOKEN, X_TOKEN_SECRET,
};
use crate::on_both_backends;
use crate::util::{Backend, TestApp};

on_both_backends!(
    a_story_goes_out_once_and_follows_its_edits,
    provider_failures_are_retried_waited_out_or_dead_lettered,
    a_crash_mid_batch_resumes_without_doubles,
    two_nodes_share_the_outbox_without_double_sends,
    the_fediverse_can_follow_and_unfollow,
    the_inbox_refuses_forgeries_replays_and_floods,
    rfc_9421_signatures_are_taken_and_given,
    mastodon_payloads_follow_undo_and_delete,
    demo_stories_are_history_not_news,
    backdated_stories_are_history_not_news,
    one_rule_decides_updated_and_channel_edits,
);

struct Fakes {
    telegram: FakeTelegram,
    x: FakeX,
    fediverse: FakeFediverse,
    env: Vec<(&'static str, String)>,
}

async fn fakes() -> Fakes {
    let (telegram, telegram_base) = FakeTelegram::start().await;
    let (x, x_base) = FakeX::start().await;
    let fediverse = FakeFediverse::start().await;
    let env = vec![
        ("NEWSDESK_TELEGRAM_BOT_TOKEN", BOT_TOKEN.to_owned()),
        ("NEWSDESK_TELEGRAM_CHANNEL_UK", "@newsroom_uk".to_owned()),
        ("NEWSDESK_TELEGRAM_CHANNEL_EN", "@newsroom_en".to_owned()),
        ("NEWSDESK_TELEGRAM_API_BASE", telegram_base),
        ("NEWSDESK_X_CONSUMER_KEY", X_CONSUMER_KEY.to_owned()),
        ("NEWSDESK_X_CONSUMER_SECRET", X_CONSUMER_SECRET.to_owned()),
        ("NEWSDESK_X_ACCESS_TOKEN", X_TOKEN.to_owned()),
        ("NEWSDESK_X_ACCESS_TOKEN_SECRET", X_TOKEN_SECRET.to_owned()),
        ("NEWSDESK_X_API_BASE", x_base),
        ("NEWSDESK_DISTRIBUTION_RETRY_BASE_SECONDS", "0".to_owned()),
        ("NEWSDESK_DISTRIBUTION_MAX_ATTEMPTS", "3".to_owned()),
        // The fake Fediverse server lives on loopback.
        (
            "NEWSDESK_FEDIVERSE_ALLOW_PRIVATE_NETWORKS",
            "true".to_owned(),
        ),
    ];
    Fakes {
        telegram,
        x,
        fediverse,
        env,
    }
}

async fn app_with(backend: Backend, env: &[(&'static str, String)]) -> TestApp {
    let env: Vec<(&str, &str)> = env.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let app = TestApp::with_staff_and_env(backend, &env).await;
    // A fixed key: generating RSA keys in a debug build is slow.
    app.state
        .store
        .set_setting("fediverse.private_key", crate::fakes::REMOTE_KEY)
        .await
        .unwrap();
    app
}

/// Makes alice (on the fake server) a follower, as her server would.
async fn follow(app: &TestApp, fake: &FakeFediverse) -> crate::util::TestResponse {
    let follow = json!({
        "@context": "https://www.w3.org/ns/activitystreams",
        "id": format!("{}/follows/1", fake.actor()),
        "type": "Follow",
        "actor": fake.actor(),
        "object": "https://news.example.org/fediverse/actor",
    });
    inbox_post(app, fake, &follow).await
}

async fn inbox_post(
    app: &TestApp,
    fake: &FakeFediverse,
    activity: &Value,
) -> crate::util::TestResponse {
    let (headers, body) = fake.signed("https://news.example.org/fediverse/inbox", activity);
    post_signed(app, &headers, body).await
}

fn trust_us(app: &TestApp, fake: &FakeFediverse) {
    fake.trust(&newsdesk::integrations::activitypub::public_pem(crate::fakes::REMOTE_KEY).unwrap());
    let _ = app;
}

fn story(headline: &str, language: &str) -> Value {
    json!({
        "headline": headline,
        "standfirst": "Ремонтники працювали всю ніч <і> вранці & вдень.",
        "body": "Перший абзац.\n\nДругий абзац.",
        "language": language,
        "section": "news",
        "authors": ["editor@example.com"],
        "cover": { "url": "/static/demo/cover-city.svg", "alt": "Місто", "credit": "Редакція" },
    })
}

async fn run(app: &TestApp) -> usize {
    Worker::new(app.state.clone())
        .run_once(&|| false)
        .await
        .unwrap()
}

async fn deliveries(app: &TestApp, id: i64) -> Vec<(String, String, String)> {
    app.state
        .store
        .article_deliveries(newsdesk::store::ArticleId(id))
        .await
        .unwrap()
        .into_iter()
        .map(|d| (d.channel.to_string(), d.action, d.state.to_string()))
        .collect()
}

async fn a_story_goes_out_once_and_follows_its_edits(backend: Backend) {
    let fakes = fakes().await;
    let mut app = app_with(backend, &fakes.env).await;
    trust_us(&app, &fakes.fediverse);
    assert_eq!(
        follow(&app, &fakes.fediverse).await.status,
        StatusCode::ACCEPTED
    );
    run(&app).await;
    let accept = fakes.fediverse.received();
    assert_eq!(
        accept.len(),
        1,
        "{:?}",
        fakes.fediverse.refused.lock().unwrap()
    );
    assert_eq!(accept[0]["type"], "Accept");
    assert_eq!(accept[0]["object"]["type"], "Follow");

    let published = app
        .publish(story(
            "Енергетики повернули світло у Харків & область",
            "uk",
        ))
        .await;
    let id = published["id"].as_i64().unwrap();
    let url = published["url"].as_str().unwrap().to_owned();
    run(&app).await;

    // Telegram: one photo post in the Ukrainian channel, escaped, linked.
    let calls = fakes.telegram.calls();
    assert_eq!(calls.len(), 1, "{calls:?}");
    let (method, params) = &calls[0];
    assert_eq!(method, "sendPhoto");
    assert_eq!(params["chat_id"], "@newsroom_uk");
    assert_eq!(
        params["photo"],
        "https://news.example.org/static/demo/cover-city.svg"
    );
    let caption = params["caption"].as_str().unwrap();
    assert!(caption.starts_with("<b>Енергетики повернули світло у Харків &amp; область</b>"));
    assert!(caption.contains("&lt;і&gt; вранці &amp; вдень"));
    assert!(caption.ends_with(&format!("<a href=\"{url}\">Читати</a>")));

    // X: one signed post with the headline and the link.
    let posts = fakes.x.created();
    assert_eq!(posts.len(), 1);
    assert_eq!(
        posts[0]["text"],
        format!("Енергетики повернули світло у Харків & область\n\n{url}")
    );

    // Fediverse: a Create of an Article, public, to followers.
    let received = fakes.fediverse.received();
    assert_eq!(received.len(), 2);
    let create = &received[1];
    assert_eq!(create["type"], "Create");
    assert_eq!(create["actor"], "https://news.example.org/fediverse/actor");
    assert_eq!(
        create["to"][0],
        "https://www.w3.org/ns/activitystreams#Public"
    );
    assert_eq!(
        create["cc"][0],
        "https://news.example.org/fediverse/followers"
    );
    assert_eq!(create["object"]["type"], "Article");
    assert_eq!(create["object"]["url"], url.as_str());
    assert_eq!(
        create["object"]["name"],
        "Енергетики повернули світло у Харків & область"
    );

    // Nothing more goes out on another round.
    assert_eq!(run(&app).await, 0);
    assert_eq!(fakes.telegram.calls().len(), 1);
    assert_eq!(fakes.x.created().len(), 1);

    // The admin shows each channel's status.
    let editor = app.sign_in("editor@example.com").await;
    let page = app
        .admin_get(&editor, &format!("/admin/articles/{id}"))
        .await;
    assert_eq!(page.status, StatusCode::OK);
    assert_eq!(
        page.body.matches("delivery delivery--sent").count(),
        3,
        "{}",
        page.body
    );
    assert!(page.body.contains("data-channel=\"telegram\""));
    assert!(page.body.contains("data-channel=\"x\""));
    assert!(page.body.contains("data-channel=\"fediverse\""));

    // An edit edits the Telegram post and sends an Update; X cannot edit.
    let edited = app
        .api(
            Method::PATCH,
            &format!("/api/admin/articles/{id}"),
            Some(json!({ "headline": "Світло повернули у весь Харків" })),
        )
        .await;
    assert_eq!(edited.status, StatusCode::OK, "{}", edited.body);
    run(&app).await;
    let calls = fakes.telegram.calls();
    assert_eq!(calls.len(), 2);
    assert_eq!(calls[1].0, "editMessageCaption");
    assert_eq!(calls[1].1["message_id"], calls_message_id(&app, id).await);
    assert!(
        calls[1].1["caption"]
            .as_str()
            .unwrap()
            .starts_with("<b>Світло повернули у весь Харків</b>")
    );
    assert_eq!(fakes.x.created().len(), 1);
    let received = fakes.fediverse.received();
    assert_eq!(received.last().unwrap()["type"], "Update");

    // Unpublishing deletes everywhere.
    let gone = app
        .api(
            Method::POST,
            &format!("/api/admin/articles/{id}/unpublish"),
            None,
        )
        .await;
    assert_eq!(gone.status, StatusCode::OK);
    run(&app).await;
    let calls = fakes.telegram.calls();
    assert_eq!(calls.last().unwrap().0, "deleteMessage");
    let x_calls = fakes.x.posts.lock().unwrap().clone();
    assert_eq!(x_calls.last().unwrap().0, Method::DELETE);
    assert_eq!(x_calls.last().unwrap().1, "/2/tweets/1800001");
    let last = fakes.fediverse.received().last().unwrap().clone();
    assert_eq!(last["type"], "Delete");
    assert_eq!(last["object"]["type"], "Tombstone");
    let states = deliveries(&app, id).await;
    assert!(
        states.iter().all(|(_, _, state)| state == "sent"),
        "{states:?}"
    );
    assert_eq!(states.len(), 3 + 2 + 3, "{states:?}");
}

/// The story's (latest) delivery on one channel.
async fn delivery_on(app: &TestApp, id: i64, channel: &str) -> newsdesk::store::Delivery {
    app.state
        .store
        .article_deliveries(newsdesk::store::ArticleId(id))
        .await
        .unwrap()
        .into_iter()
        .rev()
        .find(|d| d.channel.as_str() == channel)
        .unwrap_or_else(|| panic!("no {channel} delivery"))
}

async fn calls_message_id(app: &TestApp, id: i64) -> i64 {
    let rows = app
        .state
        .store
        .article_deliveries(newsdesk::store::ArticleId(id))
        .await
        .unwrap();
    let remote = rows
        .iter()
        .find(|d| d.channel == newsdesk::store::Channel::Telegram && d.action == "publish")
        .and_then(|d| d.remote_id.clone())
        .unwrap();
    remote.trim_start_matches("photo:").parse().unwrap()
}

async fn provider_failures_are_retried_waited_out_or_dead_lettered(backend: Backend) {
    let fakes = fakes().await;
    let mut app = app_with(backend, &fakes.env).await;
    // Telegram asks us to wait a second; X fails once with a 503.
    fakes.telegram.then(Scripted {
        status: 429,
        headers: vec![],
        body: json!({"ok": false, "error_code": 429, "description": "Too Many Requests: retry after 1", "parameters": {"retry_after": 1}}),
    });
    fakes.x.then(Scripted {
        status: 503,
        headers: vec![],
        body: json!({"title": "Service Unavailable", "status": 503}),
    });
    let id = app.publish(story("Перша новина дня", "uk")).await["id"]
        .as_i64()
        .unwrap();
    run(&app).await;
    let states = deliveries(&app, id).await;
    assert!(states.contains(&("telegram".into(), "publish".into(), "pending".into())));
    assert_eq!(
        fakes.x.created().len(),
        2,
        "the 503 was retried at once (retry base 0)"
    );
    assert!(states.contains(&("x".into(), "publish".into(), "sent".into())));
    // Telegram is held until retry_after has passed, then sent once.
    assert_eq!(fakes.telegram.calls().len(), 1);
    app.state.clock.advance(2);
    run(&app).await;
    assert_eq!(fakes.telegram.calls().len(), 2);
    assert!(deliveries(&app, id).await.contains(&(
        "telegram".into(),
        "publish".into(),
        "sent".into()
    )));

    // X rate-limited: waits until the reset time instead of burning attempts.
    let reset = (app.state.clock.now() + 900).to_string();
    fakes.x.then(Scripted {
        status: 429,
        headers: vec![
            ("x-rate-limit-remaining", "0".into()),
            ("x-rate-limit-reset", reset),
        ],
        body: json!({"title": "Too Many Requests", "status": 429}),
    });
    let second = app.publish(story("Друга новина дня", "uk")).await["id"]
        .as_i64()
        .unwrap();
    run(&app).await;
    let x_row = delivery_on(&app, second, "x").await;
    assert_eq!(x_row.state.as_str(), "pending");
    assert_eq!(x_row.attempts, 0, "waiting is not a failed attempt");
    assert!(x_row.next_attempt_at > app.state.clock.now() + 800);
    assert!(x_row.last_error.contains("429"));

    // A wrong bot token: a dead letter with a clear reason; the site is fine.
    let mut env = fakes.env.clone();
    env.retain(|(k, _)| *k != "NEWSDESK_TELEGRAM_BOT_TOKEN");
    env.push(("NEWSDESK_TELEGRAM_BOT_TOKEN", "999:WRONG".into()));
    // …and X keys that were revoked.
    env.retain(|(k, _)| *k != "NEWSDESK_X_CONSUMER_SECRET");
    env.push(("NEWSDESK_X_CONSUMER_SECRET", "revoked".into()));
    let mut wrong = app_with(backend, &env).await;
    let story_id = wrong.publish(story("Новина з поганим токеном", "uk")).await["id"]
        .as_i64()
        .unwrap();
    run(&wrong).await;
    let row = delivery_on(&wrong, story_id, "telegram").await;
    assert_eq!(row.state.as_str(), "dead");
    assert_eq!(row.attempts, 1, "a refused token is not retried");
    assert!(
        row.last_error.contains("check the bot token"),
        "{}",
        row.last_error
    );
    let x_row = delivery_on(&wrong, story_id, "x").await;
    assert_eq!(x_row.state.as_str(), "dead");
    assert!(
        x_row.last_error.contains("check the X keys"),
        "{}",
        x_row.last_error
    );
    assert_eq!(wrong.get("/").await.status, StatusCode::OK);
    let editor = wrong.sign_in("editor@example.com").await;
    let page = wrong
        .admin_get(&editor, &format!("/admin/articles/{story_id}"))
        .await;
    assert!(page.body.contains("delivery delivery--dead"));
    assert!(page.body.contains("check the bot token"));
    let overview = wrong.admin_get(&editor, "/admin/distribution").await;
    assert_eq!(overview.status, StatusCode::OK);
    assert!(overview.body.contains("check the bot token"));
    assert!(
        overview
            .body
            .contains(&format!("/admin/deliveries/{}/retry", row.id))
    );
    assert!(overview.body.contains("@newsroom_uk (uk)"));

    // Retry from the admin puts it back in the queue; cancel stops it.
    let retried = wrong
        .admin_post(&editor, &format!("/admin/deliveries/{}/retry", row.id), &[])
        .await;
    assert_eq!(retried.status, StatusCode::SEE_OTHER, "{}", retried.body);
    assert_eq!(delivery_state(&wrong, row.id).await, DeliveryState::Pending);
    let cancelled = wrong
        .admin_post(
            &editor,
            &format!("/admin/deliveries/{}/cancel", row.id),
            &[],
        )
        .await;
    assert_eq!(cancelled.status, StatusCode::SEE_OTHER);
    assert_eq!(
        delivery_state(&wrong, row.id).await,
        DeliveryState::Cancelled
    );
    run(&wrong).await;
    assert_eq!(
        delivery_state(&wrong, row.id).await,
        DeliveryState::Cancelled
    );
    // A provider that cannot be reached is retried, then given up on.
    let mut env = fakes.env.clone();
    env.retain(|(k, _)| *k != "NEWSDESK_X_API_BASE" && *k != "NEWSDESK_TELEGRAM_API_BASE");
    env.push(("NEWSDESK_X_API_BASE", "http://127.0.0.1:9".into()));
    env.push(("NEWSDESK_TELEGRAM_API_BASE", "http://127.0.0.1:9".into()));
    let mut down = app_with(backend, &env).await;
    let down_id = down
        .publish(story("Новина, коли X недоступний", "uk"))
        .await["id"]
        .as_i64()
        .unwrap();
    run(&down).await;
    let x_row = delivery_on(&down, down_id, "x").await;
    assert_eq!(x_row.state.as_str(), "dead");
    assert_eq!(x_row.attempts, 3, "tried distribution.max_attempts times");
    assert!(
        x_row.last_error.contains("X unreachable"),
        "{}",
        x_row.last_error
    );
    assert!(x_row.last_error.contains("gave up after 3 attempts"));
    let telegram_row = delivery_on(&down, down_id, "telegram").await;
    assert!(telegram_row.last_error.contains("Telegram unreachable"));
    assert!(
        !telegram_row.last_error.contains(BOT_TOKEN),
        "the bot token never reaches the admin or the logs: {}",
        telegram_row.last_error
    );
    // Authors may not steer deliveries.
    let author = wrong.sign_in("contributor@example.com").await;
    let refused = wrong
        .admin_post(&author, &format!("/admin/deliveries/{}/retry", row.id), &[])
        .await;
    assert!(refused.status.is_client_error(), "{}", refused.status);
}

async fn a_crash_mid_batch_resumes_without_doubles(backend: Backend) {
    let mut fakes = fakes().await;
    // X only, so no per-chat pacing slows the batch.
    fakes
        .env
        .retain(|(k, _)| !k.starts_with("NEWSDESK_TELEGRAM"));
    let mut app = app_with(backend, &fakes.env).await;
    let mut ids = Vec::new();
    for n in 1..=6 {
        ids.push(
            app.publish(story(&format!("Новина номер {n}"), "uk")).await["id"]
                .as_i64()
                .unwrap(),
        );
    }
    // The third post reaches X, but the node dies before hearing back.
    *fakes.x.hang_on.lock().unwrap() = Some(3);
    let worker = tokio::spawn({
        let state = app.state.clone();
        async move { Worker::new(state).run_once(&|| false).await }
    });
    for _ in 0..100 {
        if fakes.x.created().len() == 3 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    assert_eq!(fakes.x.created().len(), 3);
    worker.abort();
    let _ = worker.await;
    *fakes.x.hang_on.lock().unwrap() = None;
    // Its lease runs out (as it would after five minutes).
    sqlx::query("UPDATE deliveries SET locked_until = 1 WHERE state = 'sending'")
        .execute(app.state.store.pool())
        .await
        .unwrap();
    run(&app).await;
    let texts: Vec<String> = fakes
        .x
        .created()
        .iter()
        .map(|p| {
            p["text"]
                .as_str()
                .unwrap()
                .lines()
                .next()
                .unwrap()
                .to_owned()
        })
        .collect();
    let mut unique = texts.clone();
    unique.sort();
    unique.dedup();
    assert_eq!(texts.len(), 6, "nothing doubled: {texts:?}");
    assert_eq!(unique.len(), 6, "nothing missed: {texts:?}");
    let mut states = Vec::new();
    for id in &ids {
        states.extend(deliveries(&app, *id).await.into_iter().map(|(_, _, s)| s));
    }
    assert_eq!(states.iter().filter(|s| *s == "sent").count(), 5);
    // The interrupted one is not resent blindly: staff see it and decide.
    assert_eq!(states.iter().filter(|s| *s == "unknown").count(), 1);
}

async fn two_nodes_share_the_outbox_without_double_sends(backend: Backend) {
    let mut fakes = fakes().await;
    fakes
        .env
        .retain(|(k, _)| !k.starts_with("NEWSDESK_TELEGRAM"));
    let mut app = app_with(backend, &fakes.env).await;
    let second = newsdesk::store::Store::connect(&app.database_url, 5)
        .await
        .unwrap();
    let other = newsdesk::app::AppState::with_store((*app.state.config).clone(), second).unwrap();
    for n in 1..=10 {
        app.publish(story(&format!("Спільна новина {n}"), "uk"))
            .await;
    }
    let (mut first, mut second) = (Worker::new(app.state.clone()), Worker::new(other.clone()));
    let (a, b) = tokio::join!(first.run_once(&|| false), second.run_once(&|| false));
    let (a, b) = (a.unwrap(), b.unwrap());
    assert_eq!(a + b, 10, "each delivery claimed by one node ({a} + {b})");
    let mut texts: Vec<String> = fakes
        .x
        .created()
        .iter()
        .map(|p| p["text"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(texts.len(), 10);
    texts.sort();
    texts.dedup();
    assert_eq!(texts.len(), 10, "no story posted twice");
    other.store.close().await;
}

async fn the_fediverse_can_follow_and_unfollow(backend: Backend) {
    let fakes = fakes().await;
    let app = app_with(backend, &fakes.env).await;
    trust_us(&app, &fakes.fediverse);

    // Discovery: WebFinger and the actor document.
    let finger = app
        .get("/.well-known/webfinger?resource=acct:news@news.example.org")
        .await;
    assert_eq!(finger.status, StatusCode::OK);
    assert_eq!(
        finger.header("content-type"),
        "application/jrd+json; charset=utf-8"
    );
    assert_eq!(finger.header("access-control-allow-origin"), "*");
    let jrd = finger.json();
    assert_eq!(jrd["subject"], "acct:news@news.example.org");
    assert_eq!(jrd["links"][0]["rel"], "self");
    assert_eq!(jrd["links"][0]["type"], "application/activity+json");
    assert_eq!(
        jrd["links"][0]["href"],
        "https://news.example.org/fediverse/actor"
    );
    assert_eq!(
        app.get("/.well-known/webfinger?resource=acct:someone@news.example.org")
            .await
            .status,
        StatusCode::NOT_FOUND
    );
    let actor = app
        .request(
            Method::GET,
            "/fediverse/actor",
            &[("accept", "application/activity+json")],
            Body::empty(),
        )
        .await;
    assert_eq!(actor.status, StatusCode::OK);
    assert!(
        actor
            .header("content-type")
            .starts_with("application/activity+json")
    );
    let actor = actor.json();
    assert_eq!(actor["preferredUsername"], "news");
    assert_eq!(actor["inbox"], "https://news.example.org/fediverse/inbox");
    assert_eq!(
        actor["publicKey"]["id"],
        "https://news.example.org/fediverse/actor#main-key"
    );
    assert!(
        actor["publicKey"]["publicKeyPem"]
            .as_str()
            .unwrap()
            .starts_with("-----BEGIN PUBLIC KEY-----")
    );

    // Hostile requests: unsigned, tampered, malformed. Nothing is stored.
    let activity = json!({
        "id": format!("{}/follows/9", fakes.fediverse.actor()),
        "type": "Follow",
        "actor": fakes.fediverse.actor(),
        "object": "https://news.example.org/fediverse/actor",
    });
    let unsigned = app
        .request(
            Method::POST,
            "/fediverse/inbox",
            &[("content-type", "application/activity+json")],
            Body::from(activity.to_string()),
        )
        .await;
    assert_eq!(unsigned.status, StatusCode::UNAUTHORIZED);
    let (headers, _) = fakes
        .fediverse
        .signed("https://news.example.org/fediverse/inbox", &activity);
    let headers: Vec<(&str, &str)> = headers
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    let mut tampered = activity.clone();
    tampered["object"] = json!("https://news.example.org/fediverse/actor?x");
    let forged = app
        .request(
            Method::POST,
            "/fediverse/inbox",
            &headers,
            Body::from(tampered.to_string()),
        )
        .await;
    assert_eq!(
        forged.status,
        StatusCode::UNAUTHORIZED,
        "the digest no longer matches"
    );
    let malformed = app
        .request(
            Method::POST,
            "/fediverse/inbox",
            &headers,
            Body::from("{not json"),
        )
        .await;
    assert_eq!(malformed.status, StatusCode::BAD_REQUEST);
    // Someone else's key for alice's activity.
    let mut impostor = activity.clone();
    impostor["actor"] = json!("https://elsewhere.example/users/mallory");
    assert_eq!(
        inbox_post(&app, &fakes.fediverse, &impostor).await.status,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(app.state.store.follower_count().await.unwrap(), 0);

    // Follow → stored, Accept delivered (signed; the fake verifies it).
    assert_eq!(
        follow(&app, &fakes.fediverse).await.status,
        StatusCode::ACCEPTED
    );
    let followers = app.state.store.followers().await.unwrap();
    assert_eq!(followers.len(), 1);
    assert_eq!(
        followers[0].shared_inbox.as_deref(),
        Some(format!("{}/inbox", fakes.fediverse.base).as_str())
    );
    run(&app).await;
    let received = fakes.fediverse.received();
    assert_eq!(
        received.len(),
        1,
        "{:?}",
        fakes.fediverse.refused.lock().unwrap()
    );
    assert_eq!(received[0]["type"], "Accept");
    assert_eq!(
        received[0]["object"]["id"],
        format!("{}/follows/1", fakes.fediverse.actor())
    );
    let collection = app.get("/fediverse/followers").await.json();
    assert_eq!(collection["totalItems"], 1);

    // Undo → gone.
    let undo = json!({
        "id": format!("{}/undo/1", fakes.fediverse.actor()),
        "type": "Undo",
        "actor": fakes.fediverse.actor(),
        "object": {"id": format!("{}/follows/1", fakes.fediverse.actor()), "type": "Follow", "actor": fakes.fediverse.actor(), "object": "https://news.example.org/fediverse/actor"},
    });
    assert_eq!(
        inbox_post(&app, &fakes.fediverse, &undo).await.status,
        StatusCode::ACCEPTED
    );
    assert_eq!(app.state.store.follower_count().await.unwrap(), 0);
    // Follow again (a new Follow: the same request twice is a replay), then the account deletes itself.
    let again = json!({
        "id": format!("{}/follows/2", fakes.fediverse.actor()),
        "type": "Follow",
        "actor": fakes.fediverse.actor(),
        "object": "https://news.example.org/fediverse/actor",
    });
    assert_eq!(
        inbox_post(&app, &fakes.fediverse, &again).await.status,
        StatusCode::ACCEPTED
    );
    assert_eq!(app.state.store.follower_count().await.unwrap(), 1);
    let delete = json!({
        "id": format!("{}#delete", fakes.fediverse.actor()),
        "type": "Delete",
        "actor": fakes.fediverse.actor(),
        "object": fakes.fediverse.actor(),
    });
    assert_eq!(
        inbox_post(&app, &fakes.fediverse, &delete).await.status,
        StatusCode::ACCEPTED
    );
    assert_eq!(app.state.store.follower_count().await.unwrap(), 0);

    // The outbox lists published stories as Create activities.
    let collection = app.get("/fediverse/outbox").await.json();
    assert_eq!(collection["type"], "OrderedCollection");
    let total = collection["totalItems"].as_i64().unwrap();
    assert!(total > 20, "more than one page");
    // Every story is reachable through the pages, each once.
    let mut next = collection["first"].as_str().map(str::to_owned);
    let mut seen = Vec::new();
    let mut first_page = None;
    while let Some(url) = next {
        let page = app.get(&crate::util::TestApp::path_of(&url)).await.json();
        assert_eq!(page["type"], "OrderedCollectionPage");
        assert_eq!(page["partOf"], collection["id"]);
        for item in page["orderedItems"].as_array().unwrap() {
            seen.push(item["object"]["id"].as_str().unwrap().to_owned());
        }
        first_page.get_or_insert(page.clone());
        next = page["next"].as_str().map(str::to_owned);
    }
    assert_eq!(seen.len() as i64, total);
    seen.sort();
    seen.dedup();
    assert_eq!(seen.len() as i64, total, "no story twice");
    let outbox = first_page.unwrap();
    assert_eq!(outbox["orderedItems"][0]["type"], "Create");
    assert_eq!(outbox["orderedItems"][0]["object"]["type"], "Article");
    assert_eq!(
        app.get("/fediverse/outbox?page=999").await.status,
        StatusCode::NOT_FOUND
    );
    for bad in ["0", "-1", "01", "abc", "99999999999999999999"] {
        assert_eq!(
            app.get(&format!("/fediverse/outbox?page={bad}"))
                .await
                .status,
            StatusCode::NOT_FOUND,
            "{bad}"
        );
    }
    let object_id = outbox["orderedItems"][0]["object"]["id"].as_str().unwrap();
    let object = app
        .request(
            Method::GET,
            &crate::util::TestApp::path_of(object_id),
            &[("accept", "application/activity+json")],
            Body::empty(),
        )
        .await;
    assert_eq!(object.status, StatusCode::OK);
    assert_eq!(object.json()["type"], "Article");
    let _ = fediverse::actor_id(&app.state);

    // A production node does not call private addresses a stranger names.
    let mut env = fakes.env.clone();
    env.retain(|(k, _)| *k != "NEWSDESK_FEDIVERSE_ALLOW_PRIVATE_NETWORKS");
    let guarded = app_with(backend, &env).await;
    let refused = follow(&guarded, &fakes.fediverse).await;
    assert_eq!(refused.status, StatusCode::UNAUTHORIZED);
    assert!(
        !refused.body.contains("127.0.0.1") && !refused.body.contains("public"),
        "the sender learns nothing of our fetch: {}",
        refused.body
    );
    assert_eq!(guarded.state.store.follower_count().await.unwrap(), 0);
}

async fn post_signed(
    app: &TestApp,
    headers: &[(String, String)],
    body: String,
) -> crate::util::TestResponse {
    let headers: Vec<(&str, &str)> = headers
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    app.request(Method::POST, "/fediverse/inbox", &headers, Body::from(body))
        .await
}

/// An activity of `name`'s on the fake server, signed with the key id of `key_user`.
fn as_user(
    fake: &FakeFediverse,
    name: &str,
    key_user: &str,
    kind: &str,
) -> (Vec<(String, String)>, String) {
    let actor = format!("{}/users/{name}", fake.base);
    let activity = json!({
        "id": format!("{actor}/activities/{}", rand::random::<u32>()),
        "type": kind,
        "actor": actor,
        "object": if kind == "Delete" { json!(actor) } else { json!("https://news.example.org/fediverse/actor") },
    });
    fake.signed_as(
        "https://news.example.org/fediverse/inbox",
        &activity,
        &format!("{}/users/{key_user}#main-key", fake.base),
        jiff::Timestamp::now().as_second(),
    )
}

async fn the_inbox_refuses_forgeries_replays_and_floods(backend: Backend) {
    let fakes = fakes().await;
    let app = app_with(backend, &fakes.env).await;
    trust_us(&app, &fakes.fediverse);
    let fake = &fakes.fediverse;
    let fetched = || fake.fetched.lock().unwrap().clone();

    // Malformed or stale requests are answered before anything is fetched.
    let activity = json!({"id": format!("{}/follows/7", fake.actor()), "type": "Follow",
        "actor": fake.actor(), "object": "https://news.example.org/fediverse/actor"});
    let (headers, body) = fake.signed_as(
        "https://news.example.org/fediverse/inbox",
        &activity,
        &format!("{}#main-key", fake.actor()),
        jiff::Timestamp::now().as_second() - 13 * 3600,
    );
    assert_eq!(
        post_signed(&app, &headers, body).await.status,
        StatusCode::UNAUTHORIZED
    );
    assert!(
        fetched().is_empty(),
        "a stale request costs no fetch: {:?}",
        fetched()
    );

    // A key on another server cannot speak for alice (checked before any fetch).
    let other_server = FakeFediverse::start().await;
    let (headers, body) = fake.signed_as(
        "https://news.example.org/fediverse/inbox",
        &activity,
        &format!("{}#main-key", other_server.actor()),
        jiff::Timestamp::now().as_second(),
    );
    assert_eq!(
        post_signed(&app, &headers, body).await.status,
        StatusCode::UNAUTHORIZED
    );
    assert!(other_server.fetched.lock().unwrap().is_empty());

    // A key id that alice's own document does not name.
    let (headers, body) = fake.signed_as(
        "https://news.example.org/fediverse/inbox",
        &activity,
        &format!("{}/users/bob#main-key", fake.base),
        jiff::Timestamp::now().as_second(),
    );
    assert_eq!(
        post_signed(&app, &headers, body).await.status,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(app.state.store.follower_count().await.unwrap(), 0);

    // A signed request is taken once; its replay is refused.
    let (headers, body) = fake.signed("https://news.example.org/fediverse/inbox", &activity);
    assert_eq!(
        post_signed(&app, &headers, body.clone()).await.status,
        StatusCode::ACCEPTED
    );
    assert_eq!(
        post_signed(&app, &headers, body).await.status,
        StatusCode::UNAUTHORIZED
    );
    let deliveries: i64 = app
        .state
        .store
        .delivery_counts()
        .await
        .unwrap()
        .iter()
        .map(|(_, n)| n)
        .sum();
    assert_eq!(deliveries, 1, "one Accept, not two");

    // An account deleted on its own server (410 for the actor, fetched by its
    // own id on the key's origin) stops following; nothing else can say so.
    let gone_actor = format!("{}/users/gone", fake.base);
    app.state
        .store
        .add_follower(&newsdesk::store::Follower {
            actor_id: gone_actor.clone(),
            inbox: format!("{gone_actor}/inbox"),
            shared_inbox: None,
            follow_id: format!("{gone_actor}/follows/1"),
            created_at: 0,
        })
        .await
        .unwrap();
    let (headers, body) = as_user(fake, "gone", "gone", "Delete");
    assert_eq!(
        post_signed(&app, &headers, body).await.status,
        StatusCode::ACCEPTED
    );
    let followers: Vec<String> = app
        .state
        .store
        .followers()
        .await
        .unwrap()
        .into_iter()
        .map(|f| f.actor_id)
        .collect();
    assert!(
        !followers.contains(&gone_actor),
        "its own server says it is gone"
    );
    // Someone else cannot end alice's follow: their key is not on her origin.
    app.state
        .store
        .add_follower(&newsdesk::store::Follower {
            actor_id: fake.actor(),
            inbox: format!("{}/inbox", fake.actor()),
            shared_inbox: None,
            follow_id: format!("{}/follows/x", fake.actor()),
            created_at: 0,
        })
        .await
        .unwrap();
    let other = FakeFediverse::start().await;
    let forged = json!({"id": format!("{}#delete", fake.actor()), "type": "Delete",
        "actor": fake.actor(), "object": fake.actor()});
    let (headers, body) = fake.signed_as(
        "https://news.example.org/fediverse/inbox",
        &forged,
        &format!("{}/users/gone#main-key", other.base),
        jiff::Timestamp::now().as_second(),
    );
    assert_eq!(
        post_signed(&app, &headers, body).await.status,
        StatusCode::UNAUTHORIZED
    );
    assert!(
        app.state
            .store
            .followers()
            .await
            .unwrap()
            .iter()
            .any(|f| f.actor_id == fake.actor()),
        "a forged Delete changes nothing"
    );

    // Redirects are not followed: the moved actor's fetch ends at the 302.
    fake.fetched.lock().unwrap().clear();
    let (headers, body) = as_user(fake, "moved", "moved", "Follow");
    assert_eq!(
        post_signed(&app, &headers, body).await.status,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        fetched(),
        ["/users/moved"],
        "alice was never fetched through the redirect"
    );

    // An endless key document is cut off at the cap, not read into memory.
    let (headers, body) = as_user(fake, "endless", "endless", "Follow");
    let started = std::time::Instant::now();
    assert_eq!(
        post_signed(&app, &headers, body).await.status,
        StatusCode::UNAUTHORIZED
    );
    assert!(started.elapsed() < std::time::Duration::from_secs(10));
    tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    let sent = fake
        .endless_bytes_sent
        .load(std::sync::atomic::Ordering::Relaxed);
    assert!(
        sent < 16 * 1024 * 1024,
        "{sent} bytes were pulled of 100 MB"
    );

    // Huge bodies are refused at the door.
    let padded =
        json!({"type": "Follow", "actor": fake.actor(), "padding": "x".repeat(300 * 1024)});
    let (headers, body) = fake.signed("https://news.example.org/fediverse/inbox", &padded);
    assert_eq!(
        post_signed(&app, &headers, body).await.status,
        StatusCode::PAYLOAD_TOO_LARGE
    );

    // Key fetches at once are bounded: the rest are asked to come back.
    let mut tasks = tokio::task::JoinSet::new();
    for _ in 0..12 {
        let (headers, body) = as_user(fake, "slow", "slow", "Follow");
        let router = app.router.clone();
        tasks.spawn(async move {
            use tower::ServiceExt;
            let mut request = axum::http::Request::post("/fediverse/inbox");
            for (k, v) in &headers {
                request = request.header(k.as_str(), v.as_str());
            }
            router
                .oneshot(request.body(Body::from(body)).unwrap())
                .await
                .unwrap()
                .status()
        });
    }
    let mut busy = 0;
    while let Some(status) = tasks.join_next().await {
        if status.unwrap() == StatusCode::SERVICE_UNAVAILABLE {
            busy += 1;
        }
    }
    assert!(busy >= 4, "{busy} of 12 were asked to retry");
}

/// A Follow from alice signed the RFC 9421 way, as Fedify sends it.
fn rfc9421_follow(fake: &FakeFediverse, id: &str) -> (Vec<(String, String)>, String) {
    let body = json!({
        "@context": "https://www.w3.org/ns/activitystreams",
        "id": format!("{}/follows/{id}", fake.actor()),
        "type": "Follow",
        "actor": fake.actor(),
        "object": "https://news.example.org/fediverse/actor",
    })
    .to_string();
    let headers = crate::fakes::rfc9421_signed(
        "https://news.example.org/fediverse/inbox",
        body.as_bytes(),
        &format!("{}#main-key", fake.actor()),
        crate::fakes::REMOTE_KEY,
        jiff::Timestamp::now().as_second(),
    );
    (headers, body)
}

async fn rfc_9421_signatures_are_taken_and_given(backend: Backend) {
    let fakes = fakes().await;
    let app = app_with(backend, &fakes.env).await;
    trust_us(&app, &fakes.fediverse);
    let fake = &fakes.fediverse;
    fake.only_rfc9421
        .store(true, std::sync::atomic::Ordering::SeqCst);
    // Fedify's first knock: RFC 9421 only, no Signature of the cavage kind.
    let (headers, body) = rfc9421_follow(fake, "9421");
    let tampered = body.replace("9421", "9422");
    assert_eq!(
        post_signed(&app, &headers, tampered).await.status,
        StatusCode::UNAUTHORIZED,
        "the Content-Digest no longer matches"
    );
    assert_eq!(
        post_signed(&app, &headers, body.clone()).await.status,
        StatusCode::ACCEPTED
    );
    assert_eq!(app.state.store.follower_count().await.unwrap(), 1);
    assert_eq!(
        post_signed(&app, &headers, body).await.status,
        StatusCode::UNAUTHORIZED,
        "a replay is refused"
    );
    // Our Accept goes to a server that takes RFC 9421 only: the first
    // delivery knocks twice, and the server's way is remembered.
    run(&app).await;
    assert_eq!(
        fake.received().len(),
        1,
        "{:?}",
        fake.refused.lock().unwrap()
    );
    assert_eq!(*fake.knocks.lock().unwrap(), ["cavage", "rfc9421"]);
    let (headers, body) = rfc9421_follow(fake, "9421b");
    assert_eq!(
        post_signed(&app, &headers, body).await.status,
        StatusCode::ACCEPTED
    );
    fake.knocks.lock().unwrap().clear();
    run(&app).await;
    assert_eq!(fake.received().len(), 2);
    assert_eq!(
        *fake.knocks.lock().unwrap(),
        ["rfc9421"],
        "one knock, the way that worked"
    );
}

async fn mastodon_payloads_follow_undo_and_delete(backend: Backend) {
    let fakes = fakes().await;
    let app = app_with(backend, &fakes.env).await;
    trust_us(&app, &fakes.fediverse);
    let fake = &fakes.fediverse;
    let key = format!("{}/users/oksana#main-key", fake.base);
    let send = |name: &'static str, date_offset: i64| {
        let body = crate::fakes::mastodon_fixture(fake, name);
        let activity: Value = serde_json::from_str(&body).unwrap();
        let (headers, body) = fake.signed_as(
            "https://news.example.org/fediverse/inbox",
            &activity,
            &key,
            jiff::Timestamp::now().as_second() + date_offset,
        );
        let app = &app;
        async move { post_signed(app, &headers, body).await.status }
    };
    assert_eq!(send("follow", 0).await, StatusCode::ACCEPTED);
    let followers = app.state.store.followers().await.unwrap();
    assert_eq!(followers.len(), 1);
    assert_eq!(followers[0].actor_id, format!("{}/users/oksana", fake.base));
    assert_eq!(
        followers[0].shared_inbox.as_deref(),
        Some(format!("{}/inbox", fake.base).as_str())
    );
    assert_eq!(send("undo", 0).await, StatusCode::ACCEPTED);
    assert_eq!(app.state.store.follower_count().await.unwrap(), 0);
    assert_eq!(send("follow", 1).await, StatusCode::ACCEPTED);
    assert_eq!(app.state.store.follower_count().await.unwrap(), 1);
    assert_eq!(send("delete", 0).await, StatusCode::ACCEPTED);
    assert_eq!(app.state.store.follower_count().await.unwrap(), 0);
}

async fn demo_stories_are_history_not_news(backend: Backend) {
    let fakes = fakes().await;
    let app = app_with(backend, &fakes.env).await;
    assert!(
        app.state
            .store
            .pending_outbox_events(10)
            .await
            .unwrap()
            .is_empty()
    );
    assert_eq!(run(&app).await, 0);
    assert!(fakes.telegram.calls().is_empty());
    assert!(fakes.x.created().is_empty());
}

/// A backfill through the Admin API (a story first published elsewhere in
/// 2019) joins the archive on its own date and goes to no channel.
async fn backdated_stories_are_history_not_news(backend: Backend) {
    let fakes = fakes().await;
    let mut app = app_with(backend, &fakes.env).await;
    let old = draft(&mut app, "Архівна історія 2019 року").await;
    let published = publish_dated(&mut app, old, Some("2019-04-01T09:30:00Z")).await;
    assert_eq!(published.status, StatusCode::OK, "{}", published.body);
    let published = published.json();
    assert_eq!(published["published_at"], json!(1_554_111_000));
    let page = app
        .get(&TestApp::path_of(published["url"].as_str().unwrap()))
        .await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("Архівна історія 2019 року"));
    assert!(
        app.state
            .store
            .pending_outbox_events(10)
            .await
            .unwrap()
            .is_empty(),
        "a backfill is not news"
    );
    assert_eq!(run(&app).await, 0);
    assert!(fakes.telegram.calls().is_empty());
    assert!(fakes.x.created().is_empty());

    // A story keeps its first date; the future is for scheduling; nonsense is named.
    let again = publish_dated(&mut app, old, Some("2018-01-01T00:00:00Z")).await;
    assert_eq!(
        again.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        again.body
    );
    let fresh = draft(&mut app, "Свіжа новина").await;
    let tomorrow = jiff::Timestamp::from_second(app.state.clock.now() + 86_400)
        .unwrap()
        .to_string();
    // Not a time at all, or a field the endpoint does not know: refused by name.
    for body in [
        json!({ "published_at": 1_554_111_000 }),
        json!({ "published_at": "2019-04-01T09:30:00Z", "quietly": true }),
    ] {
        let refused = app
            .api(
                Method::POST,
                &format!("/api/admin/articles/{fresh}/publish"),
                Some(body),
            )
            .await;
        assert_eq!(
            refused.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{}",
            refused.body
        );
    }
    for bad in [tomorrow.as_str(), "1 квітня 2019", "1979-12-31T23:59:59Z"] {
        let refused = publish_dated(&mut app, fresh, Some(bad)).await;
        assert_eq!(
            refused.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{bad}: {}",
            refused.body
        );
        assert!(refused.body.contains("published_at"), "{}", refused.body);
    }
    let draft = app
        .api(Method::GET, &format!("/api/admin/articles/{fresh}"), None)
        .await
        .json();
    assert_eq!(draft["status"], "draft");

    // Published now, the same kind of story is news and goes out.
    let now = publish_dated(&mut app, fresh, None).await;
    assert_eq!(now.status, StatusCode::OK, "{}", now.body);
    assert!(run(&app).await > 0);
    assert_eq!(fakes.telegram.calls().len(), 1);
}

async fn draft(app: &mut TestApp, headline: &str) -> i64 {
    app.api(
        Method::POST,
        "/api/admin/articles",
        Some(story(headline, "uk")),
    )
    .await
    .json()["id"]
        .as_i64()
        .unwrap()
}

/// Publishes through the Admin API, with a past date when one is given.
async fn publish_dated(
    app: &mut TestApp,
    id: i64,
    published_at: Option<&str>,
) -> crate::util::TestResponse {
    app.api(
        Method::POST,
        &format!("/api/admin/articles/{id}/publish"),
        published_at.map(|at| json!({ "published_at": at })),
    )
    .await
}

/// Whatever path saves a story, one rule says whether readers see "Updated"
/// (its text changed) and whether the channels edit their posts (its text
/// or its link changed).
async fn one_rule_decides_updated_and_channel_edits(backend: Backend) {
    let fakes = fakes().await;
    let mut app = app_with(backend, &fakes.env).await;
    let id = app
        .publish(story("Мости відкрили після ремонту", "uk"))
        .await["id"]
        .as_i64()
        .unwrap();
    run(&app).await;
    assert_eq!(fakes.telegram.calls().len(), 1);
    let save = async |app: &mut TestApp, change: Value| {
        let saved = app
            .api(
                Method::PATCH,
                &format!("/api/admin/articles/{id}"),
                Some(change),
            )
            .await;
        assert_eq!(saved.status, StatusCode::OK, "{}", saved.body);
        let edits = app
            .state
            .store
            .pending_outbox_events(10)
            .await
            .unwrap()
            .len();
        run(app).await;
        (edits, saved.json()["content_updated_at"].clone())
    };

    // Only the sources: new text for readers, and the channels hear of it.
    app.state.clock.advance(60);
    let (edits, updated) = save(
        &mut app,
        json!({ "sources": [{ "outlet": "Укравтодор", "citation": "Повідомлення про відкриття" }] }),
    )
    .await;
    assert_eq!(edits, 1, "a sources-only edit goes to the channels");
    assert_eq!(
        updated,
        json!(app.state.clock.now()),
        "and shows as Updated"
    );
    assert_eq!(fakes.telegram.calls().len(), 2);

    // Only the address: the posts' link changes, the text does not.
    app.state.clock.advance(60);
    let (edits, unchanged) = save(&mut app, json!({ "slug": "mosty-vidkryly" })).await;
    assert_eq!(edits, 1, "a new address goes to the channels");
    assert_eq!(
        unchanged, updated,
        "but the story was not updated for readers"
    );

    // Only what readers never see: nothing moves.
    app.state.clock.advance(60);
    let (edits, unchanged) = save(&mut app, json!({ "meta_description": "Для пошуковиків" })).await;
    assert_eq!(edits, 0);
    assert_eq!(unchanged, updated);
}

async fn delivery_state(app: &TestApp, id: newsdesk::store::DeliveryId) -> DeliveryState {
    app.state.store.delivery(id).await.unwrap().state
}
