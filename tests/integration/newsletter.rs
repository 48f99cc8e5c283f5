//! The newsletter through a real SMTP conversation: double opt-in, the
//! daily digest once per day, one-click unsubscribe (RFC 8058), hard
//! bounces, and a send that resumes after a crash without repeats. Also the
//! video posts from YouTube and TikTok fakes.

use axum::Router;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use newsdesk::services::newsletter;
use serde_json::json;

use crate::fakes::start_fake;
use crate::on_both_backends;
use crate::smtp::SmtpServer;
use crate::util::{Backend, TestApp};

on_both_backends!(
    readers_sign_up_confirm_and_get_the_digest_once,
    sign_ups_cannot_flood_a_mailbox,
    every_message_is_well_formed_mime_and_signed,
    a_crashed_send_resumes_without_sending_anyone_twice,
    videos_come_from_the_channel_feed_and_tiktok,
);

async fn app_with_smtp(backend: Backend) -> (TestApp, SmtpServer) {
    let smtp = SmtpServer::start().await;
    let app = TestApp::with_staff_and_env(
        backend,
        &[
            ("NEWSDESK_SMTP_URL", smtp.url.as_str()),
            ("NEWSDESK_NEWSLETTER_DIGEST_HOUR", "7"),
        ],
    )
    .await;
    (app, smtp)
}

/// 08:00 in Kyiv today: past the digest hour.
fn morning() -> i64 {
    let tz = jiff::tz::TimeZone::get("Europe/Kyiv").unwrap();
    jiff::Zoned::now()
        .with_time_zone(tz)
        .date()
        .at(8, 0, 0, 0)
        .to_zoned(jiff::tz::TimeZone::get("Europe/Kyiv").unwrap())
        .unwrap()
        .timestamp()
        .as_second()
}

async fn state_of(app: &TestApp, email: &str) -> String {
    app.state
        .store
        .subscriber(email, "uk")
        .await
        .unwrap()
        .unwrap()
        .state
        .to_string()
}

async fn active_subscriber(app: &TestApp, email: &str) -> newsdesk::store::SubscriberId {
    let subscriber = app
        .state
        .store
        .subscribe(email, "uk", &format!("{:048x}", rand::random::<u128>()), 1)
        .await
        .unwrap();
    app.state
        .store
        .set_subscriber_state(subscriber.id, newsdesk::store::SubscriberState::Active, 1)
        .await
        .unwrap();
    subscriber.id
}

async fn readers_sign_up_confirm_and_get_the_digest_once(backend: Backend) {
    let (mut app, smtp) = app_with_smtp(backend).await;
    // Every page carries the sign-up form.
    let home = app.page("/").await;
    assert!(home.contains("action=\"/newsletter\""));

    let bad = app
        .post_form("/newsletter", "email=not-an-address&lang=uk")
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(bad.body.contains("Перевірте адресу"));

    let signed_up = app
        .post_form("/newsletter", "email=Reader%40Example.org&lang=uk")
        .await;
    assert_eq!(signed_up.status, StatusCode::OK);
    assert!(signed_up.body.contains("Ми надіслали лист"));
    // Asking again at once sends no second confirmation.
    let again = app
        .post_form("/newsletter", "email=reader%40example.org&lang=uk")
        .await;
    assert_eq!(again.status, StatusCode::OK);
    let mails = smtp.messages();
    assert_eq!(mails.len(), 1);
    assert_eq!(mails[0].to, vec!["reader@example.org"]);
    let confirm = mails[0].link("https://news.example.org/newsletter/confirm/");
    let confirm_path = TestApp::path_of(&confirm);
    // Opening the link (or a scanner prefetching it) changes nothing.
    let shown = app.page(&confirm_path).await;
    assert!(shown.contains("Підтвердити підписку"));
    let token = confirm_path.rsplit('/').next().unwrap().to_owned();
    assert_eq!(state_of(&app, "reader@example.org").await, "pending");
    let stored: (String,) = sqlx::query_as(
        "SELECT token FROM newsletter_subscribers WHERE email = 'reader@example.org'",
    )
    .fetch_one(app.state.store.pool())
    .await
    .unwrap();
    assert_ne!(stored.0, token, "only a hash of the link is kept");
    let confirmed = app.post_form(&confirm_path, "").await;
    assert_eq!(confirmed.status, StatusCode::OK);
    assert!(confirmed.body.contains("ви підписані"));
    assert_eq!(state_of(&app, "reader@example.org").await, "active");
    // A pending reader gets nothing; a dead address bounces.
    app.state
        .store
        .subscribe("pending@example.org", "uk", &format!("{:048x}", 7u128), 1)
        .await
        .unwrap();
    let bouncing = active_subscriber(&app, "bounce@example.org").await;
    let greylisted = active_subscriber(&app, "busy@example.org").await;

    let published = app
        .publish(json!({
            "headline": "Ранкова новина для розсилки",
            "standfirst": "Коротко про головне.",
            "body": "Текст.",
            "language": "uk",
            "section": "news",
            "authors": ["editor@example.com"],
        }))
        .await;
    let story_page = format!("/admin/articles/{}", published["id"]);
    let editor = app.sign_in("editor@example.com").await;
    let panel = app.admin_get(&editor, &story_page).await.body;
    assert!(panel.contains("У наступному дайджесті"), "{panel}");
    // Before the hour: nothing. After: one digest per language with news.
    assert!(
        newsletter::make_due_digests(&app.state, morning() - 3 * 3600)
            .await
            .unwrap()
            .is_empty()
    );
    let made = newsletter::make_due_digests(&app.state, morning())
        .await
        .unwrap();
    assert_eq!(made.len(), 1, "only Ukrainian had news in the last day");
    assert!(
        newsletter::make_due_digests(&app.state, morning() + 3600)
            .await
            .unwrap()
            .is_empty(),
        "once a day"
    );
    let sent = newsletter::send_pending(&app.state, &|| false)
        .await
        .unwrap();
    assert_eq!(sent, 1);
    let digests: Vec<_> = smtp
        .messages()
        .into_iter()
        .filter(|m| m.text().contains("Картина дня"))
        .collect();
    assert_eq!(digests.len(), 1);
    let digest = &digests[0];
    assert_eq!(digest.to, vec!["reader@example.org"]);
    let text = digest.text();
    assert!(text.contains("Ранкова новина для розсилки"));
    assert!(text.contains("multipart/alternative"));
    assert!(text.contains("List-Unsubscribe-Post: List-Unsubscribe=One-Click"));
    let unsubscribe = text
        .split("List-Unsubscribe: <")
        .nth(1)
        .and_then(|rest| rest.split('>').next())
        .unwrap()
        .to_owned();
    assert!(unsubscribe.starts_with("https://news.example.org/newsletter/unsubscribe/"));
    assert!(
        !unsubscribe.contains(&token),
        "unsubscribing and confirming are separate links"
    );
    let bounced = app.state.store.subscriber_counts().await.unwrap();
    assert!(
        bounced.contains(&("uk".into(), "bounced".into(), 1)),
        "{bounced:?}"
    );
    let _ = bouncing;
    // The greylisting server deferred one reader: tried again later, once.
    let log: Vec<(i64, String, i64)> = sqlx::query_as(
        "SELECT subscriber_id, state, attempts FROM newsletter_recipients WHERE subscriber_id = $1",
    )
    .bind(greylisted)
    .fetch_all(app.state.store.pool())
    .await
    .unwrap();
    assert_eq!(log, vec![(greylisted.0, "pending".to_owned(), 1)]);
    sqlx::query("UPDATE newsletter_recipients SET next_attempt_at = 0")
        .execute(app.state.store.pool())
        .await
        .unwrap();
    assert_eq!(
        newsletter::send_pending(&app.state, &|| false)
            .await
            .unwrap(),
        1
    );
    let to_busy = smtp
        .messages()
        .into_iter()
        .filter(|m| m.to == vec!["busy@example.org"])
        .count();
    assert_eq!(to_busy, 1);
    let panel = app.admin_get(&editor, &story_page).await.body;
    assert!(!panel.contains("У наступному дайджесті"));
    assert!(
        panel.contains("Картина дня"),
        "the digest is listed with the story"
    );
    let overview = app.admin_get(&editor, "/admin/distribution").await.body;
    assert!(overview.contains("Адреса не існує"), "bounces are counted");
    // Nothing more to send.
    assert_eq!(
        newsletter::send_pending(&app.state, &|| false)
            .await
            .unwrap(),
        0
    );

    // One-click: GET shows a button, POST unsubscribes, forged tokens fail.
    let path = TestApp::path_of(&unsubscribe);
    assert!(app.page(&path).await.contains("reader@example.org"));
    assert_eq!(state_of(&app, "reader@example.org").await, "active");
    let one_click = app.post_form(&path, "List-Unsubscribe=One-Click").await;
    assert_eq!(one_click.status, StatusCode::OK);
    assert_eq!(state_of(&app, "reader@example.org").await, "unsubscribed");
    // Neither link brings the reader back: the unsubscribe link again, nor the old confirmation.
    app.post_form(&path, "List-Unsubscribe=One-Click").await;
    assert_eq!(state_of(&app, "reader@example.org").await, "unsubscribed");
    let reconfirm = app.post_form(&confirm_path, "").await;
    assert_eq!(reconfirm.status, StatusCode::NOT_FOUND);
    assert_eq!(state_of(&app, "reader@example.org").await, "unsubscribed");
    // Nor does it wake a bounced address.
    let bounced_row = app
        .state
        .store
        .subscriber("bounce@example.org", "uk")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(bounced_row.state.as_str(), "bounced");
    let bounced_link = newsletter::unsubscribe_token(&app.state, bounced_row.id)
        .await
        .unwrap();
    app.post_form(&format!("/newsletter/unsubscribe/{bounced_link}"), "")
        .await;
    assert_eq!(state_of(&app, "bounce@example.org").await, "bounced");
    let forged = app
        .post_form(
            &format!("/newsletter/unsubscribe/{}", "0".repeat(48)),
            "List-Unsubscribe=One-Click",
        )
        .await;
    assert_eq!(forged.status, StatusCode::NOT_FOUND);

    // An editor sends one story; again and it is not sent twice.
    active_subscriber(&app, "second@example.org").await;
    let story = app
        .state
        .store
        .article_cards(
            &newsdesk::store::ArticleFilter {
                status: Some(newsdesk::store::ArticleStatus::Published),
                language: Some("uk".into()),
                ..Default::default()
            },
            1,
            0,
        )
        .await
        .unwrap()[0]
        .id;
    for expected in ["піде підписникам", "вдруге його не надішлемо"]
    {
        let queued = app
            .admin_post(
                &editor,
                &format!("/admin/articles/{}/newsletter", story.0),
                &[],
            )
            .await;
        assert_eq!(queued.status, StatusCode::SEE_OTHER, "{}", queued.body);
        let page = app.admin_get(&editor, queued.header("location")).await;
        assert!(page.body.contains(expected), "{expected}");
    }
    // To the two active readers left (second@ and busy@), once each.
    assert_eq!(
        newsletter::send_pending(&app.state, &|| false)
            .await
            .unwrap(),
        2
    );
    let to_second: Vec<_> = smtp
        .messages()
        .into_iter()
        .filter(|m| m.to == vec!["second@example.org"])
        .collect();
    assert_eq!(to_second.len(), 1);
}

async fn a_crashed_send_resumes_without_sending_anyone_twice(backend: Backend) {
    let (mut app, smtp) = app_with_smtp(backend).await;
    for n in 0..8 {
        active_subscriber(&app, &format!("reader{n}@example.org")).await;
    }
    app.publish(json!({
        "headline": "Новина для великої розсилки",
        "standfirst": "",
        "body": "Текст.",
        "language": "uk",
        "section": "news",
        "authors": ["editor@example.com"],
    }))
    .await;
    let issue = newsletter::make_due_digests(&app.state, morning())
        .await
        .unwrap()[0];
    // A node claims three messages and dies before sending them.
    let claimed = app
        .state
        .store
        .claim_recipients(3, newsdesk::store::now(), 600)
        .await
        .unwrap();
    assert_eq!(claimed.len(), 3);
    // Another node sends the rest while the lease holds.
    assert_eq!(
        newsletter::send_pending(&app.state, &|| false)
            .await
            .unwrap(),
        5
    );
    // The lease runs out; the claimed three are not sent again blindly.
    sqlx::query("UPDATE newsletter_recipients SET locked_until = 1 WHERE state = 'sending'")
        .execute(app.state.store.pool())
        .await
        .unwrap();
    assert_eq!(
        newsletter::send_pending(&app.state, &|| false)
            .await
            .unwrap(),
        0
    );
    let states = app
        .state
        .store
        .recipient_states(newsdesk::store::IssueId(issue))
        .await
        .unwrap();
    assert_eq!(
        states.iter().filter(|(_, s)| s.as_str() == "sent").count(),
        5
    );
    assert_eq!(
        states
            .iter()
            .filter(|(_, s)| s.as_str() == "unknown")
            .count(),
        3
    );
    let mut recipients: Vec<String> = smtp.messages().into_iter().flat_map(|m| m.to).collect();
    let total = recipients.len();
    recipients.sort();
    recipients.dedup();
    assert_eq!(total, recipients.len(), "nobody got the digest twice");
    assert_eq!(total, 5);
}

async fn fake_youtube(Query(query): Query<Vec<(String, String)>>) -> Response {
    if query
        != vec![(
            "channel_id".to_owned(),
            "UCnewsroomTEST00000000000".to_owned(),
        )]
    {
        return StatusCode::NOT_FOUND.into_response();
    }
    (
        [("content-type", "application/atom+xml; charset=UTF-8")],
        include_str!("../fixtures/youtube_channel.xml"),
    )
        .into_response()
}

async fn fake_tiktok(State(()): State<()>, Query(query): Query<Vec<(String, String)>>) -> Response {
    let url = query
        .iter()
        .find(|(k, _)| k == "url")
        .map(|(_, v)| v.clone())
        .unwrap_or_default();
    if !url.ends_with("/video/7300000000000000001") {
        return (
            StatusCode::NOT_FOUND,
            axum::Json(json!({"code": 404, "message": "Something went wrong"})),
        )
            .into_response();
    }
    axum::Json(json!({
        "version": "1.0", "type": "video", "title": "Що сталося за день #новини",
        "author_name": "Newsroom", "author_url": "https://www.tiktok.com/@newsroom",
        "author_unique_id": "newsroom", "width": "100%", "height": "100%",
        "thumbnail_url": "https://p16-sign.tiktokcdn.com/thumb.jpeg", "thumbnail_width": 720, "thumbnail_height": 1280,
        "provider_name": "TikTok", "provider_url": "https://www.tiktok.com",
        "embed_product_id": "7300000000000000001", "embed_type": "video",
        "html": "<blockquote class=\"tiktok-embed\" cite=\"https://www.tiktok.com/@newsroom/video/7300000000000000001\" data-video-id=\"7300000000000000001\"><section></section></blockquote> <script async src=\"https://www.tiktok.com/embed.js\"></script>",
    }))
    .into_response()
}

async fn videos_come_from_the_channel_feed_and_tiktok(backend: Backend) {
    let youtube = start_fake(Router::new().route("/feeds/videos.xml", get(fake_youtube))).await;
    let tiktok = start_fake(
        Router::new()
            .route("/oembed", get(fake_tiktok))
            .with_state(()),
    )
    .await;
    let app = TestApp::with_staff_and_env(
        backend,
        &[
            ("NEWSDESK_VIDEOS_YOUTUBE_CHANNEL_ID", "UCnewsroomTEST00000000000"),
            ("NEWSDESK_VIDEOS_YOUTUBE_BASE", youtube.as_str()),
            (
                "NEWSDESK_VIDEOS_TIKTOK_URLS",
                "https://www.tiktok.com/@newsroom/video/7300000000000000001, https://www.tiktok.com/@newsroom/video/7300000000000000404",
            ),
            ("NEWSDESK_VIDEOS_TIKTOK_BASE", tiktok.as_str()),
        ],
    )
    .await;
    assert!(
        app.page("/en").await.contains("href=\"/en/videos\""),
        "the footer links to the videos"
    );
    let empty = app.page("/videos").await;
    assert!(empty.contains("Відео ще немає"));
    assert_eq!(
        newsdesk::services::videos::poll(&app.state).await,
        3,
        "the missing TikTok is skipped"
    );
    assert_eq!(
        newsdesk::services::videos::poll(&app.state).await,
        0,
        "nothing twice"
    );
    let page = app.page("/videos").await;
    assert!(page.contains("Як працює пункт незламності"));
    assert!(page.contains("Evening briefing &amp; questions"));
    assert!(page.contains("Що сталося за день #новини"));
    assert!(page.contains("data-embed-src=\"https://www.youtube-nocookie.com/embed/aBcDeFgHiJk\""));
    assert!(
        page.contains("data-embed-src=\"https://www.tiktok.com/embed/v2/7300000000000000001\"")
    );
    assert!(
        !page.contains("<iframe"),
        "nothing loads until the reader asks"
    );
    assert!(
        !page.contains("<script async src=\"https://www.tiktok.com"),
        "oEmbed HTML is never used"
    );
    let english = app.page("/en/videos").await;
    assert!(english.contains("YouTube video"));
}

async fn sign_ups_cannot_flood_a_mailbox(backend: Backend) {
    let (app, smtp) = app_with_smtp(backend).await;
    // One client asking for victim+N@: a few confirmations reach the mailbox, then none.
    let mut refused = 0;
    for n in 0..30 {
        let response = app
            .post_form_from(
                &format!("198.51.100.{}", n % 3 + 1),
                "/newsletter",
                format!("email=victim%2B{n}%40example.org&lang=uk"),
            )
            .await;
        if response.status == StatusCode::TOO_MANY_REQUESTS {
            refused += 1;
        }
    }
    let to_victim = smtp
        .messages()
        .iter()
        .filter(|m| m.to[0].starts_with("victim"))
        .count();
    assert_eq!(
        to_victim,
        newsletter::MAX_CONFIRMATIONS_PER_MAILBOX_DAY as usize,
        "one mailbox gets a few confirmations a day, whatever the +tag"
    );
    assert_eq!(refused, 0, "three clients stayed under their own limit");
    // One client alone is held to its hourly share.
    let mut statuses = Vec::new();
    for n in 0..12 {
        let response = app
            .post_form_from(
                "203.0.113.50",
                "/newsletter",
                format!("email=reader{n}%40example.net&lang=uk"),
            )
            .await;
        statuses.push(response.status);
    }
    let limit = newsletter::MAX_SIGN_UPS_PER_CLIENT_HOUR as usize;
    assert!(statuses[..limit].iter().all(|s| *s == StatusCode::OK));
    assert!(
        statuses[limit..]
            .iter()
            .all(|s| *s == StatusCode::TOO_MANY_REQUESTS)
    );
}

async fn every_message_is_well_formed_mime_and_signed(backend: Backend) {
    use base64::Engine;
    let smtp = SmtpServer::start().await;
    let key_file = std::env::temp_dir().join(format!("dkim-{}.key", rand::random::<u64>()));
    std::fs::write(
        &key_file,
        base64::engine::general_purpose::STANDARD.encode(rand::random::<[u8; 32]>()),
    )
    .unwrap();
    let app = TestApp::with_staff_and_env(
        backend,
        &[
            ("NEWSDESK_SMTP_URL", smtp.url.as_str()),
            ("NEWSDESK_MAIL_FROM", "Kyiv Daily <news@example.org>"),
            ("NEWSDESK_MAIL_DKIM_SELECTOR", "nd2026"),
            (
                "NEWSDESK_MAIL_DKIM_PRIVATE_KEY_FILE",
                key_file.to_str().unwrap(),
            ),
            ("NEWSDESK_NEWSLETTER_DIGEST_HOUR", "7"),
        ],
    )
    .await;
    let _ = std::fs::remove_file(&key_file);
    // A single-part message (the confirmation) and a list message (the digest).
    app.post_form("/newsletter", "email=reader%40example.net&lang=uk")
        .await;
    let confirm = smtp.messages()[0].link("https://news.example.org/newsletter/confirm/");
    app.post_form(&TestApp::path_of(&confirm), "").await;
    let mut api = app;
    api.publish(json!({
        "headline": "Новина для листа", "body": "Текст.", "language": "uk",
        "section": "news", "authors": ["editor@example.com"],
    }))
    .await;
    newsletter::make_due_digests(&api.state, morning())
        .await
        .unwrap();
    newsletter::send_pending(&api.state, &|| false)
        .await
        .unwrap();
    let messages = smtp.messages();
    assert_eq!(messages.len(), 2);
    let mut ids = Vec::new();
    for (n, received) in messages.iter().enumerate() {
        let parsed = mail_parser::MessageParser::default()
            .parse(received.data.as_bytes())
            .unwrap_or_else(|| panic!("message {n} does not parse"));
        let id = parsed
            .message_id()
            .unwrap_or_else(|| panic!("message {n} has no Message-ID"));
        assert!(id.ends_with("@example.org"), "{id}");
        ids.push(id.to_owned());
        assert_eq!(
            parsed.header_raw("MIME-Version").map(str::trim),
            Some("1.0"),
            "message {n}"
        );
        let dkim = parsed
            .header_raw("DKIM-Signature")
            .unwrap_or_else(|| panic!("message {n} unsigned"));
        assert!(
            dkim.contains("d=example.org") && dkim.contains("s=nd2026"),
            "{dkim}"
        );
        assert!(parsed.body_text(0).is_some_and(|t| !t.is_empty()));
    }
    ids.dedup();
    assert_eq!(ids.len(), 2, "each message has its own id");
    let digest = mail_parser::MessageParser::default()
        .parse(messages[1].data.as_bytes())
        .unwrap();
    let list_id = digest.header_raw("List-Id").unwrap().trim().to_owned();
    let inner = list_id.trim_start_matches('<').trim_end_matches('>');
    assert!(
        inner.split('.').all(|label| !label.is_empty()
            && label
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-')),
        "RFC 2919 list id: {list_id}"
    );
}
