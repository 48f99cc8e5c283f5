//! What readers, subscribers and partner apps receive, byte for byte: the
//! emails, the Content API's JSON and the feeds, held to reviewed snapshots
//! (`cargo insta review` after an intended change). The clock is fixed, so
//! dates and addresses are the same on every run and on both databases.

use axum::http::{Method, StatusCode};
use newsdesk::services::newsletter;

use crate::on_both_backends;
use crate::smtp::SmtpServer;
use crate::util::{ArticleBuilder, Backend, TestApp};

on_both_backends!(emails_api_and_feeds_read_as_reviewed);

/// 2026-12-02 09:30 in Kyiv.
const MORNING: i64 = 1_796_196_600;

/// Replaces what changes from run to run (link tokens) with a marker.
fn steady(text: &str) -> String {
    let mut out = String::new();
    for (i, part) in text.split("/newsletter/confirm/").enumerate() {
        if i == 0 {
            out.push_str(part);
        } else {
            let token_end = part
                .find(|c: char| !c.is_ascii_alphanumeric())
                .unwrap_or(part.len());
            out.push_str("/newsletter/confirm/[token]");
            out.push_str(&part[token_end..]);
        }
    }
    out.replace("\r\n", "\n")
}

async fn emails_api_and_feeds_read_as_reviewed(backend: Backend) {
    let smtp = SmtpServer::start().await;
    let mut app = TestApp::with_newsroom(
        backend,
        &[
            ("NEWSDESK_SMTP_URL", smtp.url.as_str()),
            ("NEWSDESK_NEWSLETTER_DIGEST_HOUR", "9"),
        ],
    )
    .await;
    app.state.clock.freeze(MORNING - 3 * 3600);
    let first = app
        .publish(
            ArticleBuilder::new("Енергетики повернули світло у Харків")
                .tags(&["енергетика"])
                .json(),
        )
        .await;
    app.state.clock.set(MORNING - 3600);
    app.publish(ArticleBuilder::new("Уряд ухвалив бюджет").json())
        .await;
    app.state.clock.set(MORNING);

    // The confirmation email.
    let signed_up = app
        .post_form("/newsletter", "email=reader%40example.org&lang=uk")
        .await;
    assert_eq!(signed_up.status, StatusCode::OK);
    let confirmation = smtp.messages().pop().unwrap();
    insta::assert_snapshot!(
        "confirmation",
        format!(
            "Subject: {}\n\n{}",
            confirmation.subject(),
            steady(&confirmation.body_text())
        )
    );
    let confirm =
        TestApp::path_of(&confirmation.link("https://news.example.org/newsletter/confirm/"));
    assert_eq!(app.post_form(&confirm, "").await.status, StatusCode::OK);

    // The day's digest, as text and as HTML.
    let made = newsletter::make_due_digests(&app.state, MORNING)
        .await
        .unwrap();
    assert_eq!(made.len(), 1);
    let issue = app
        .state
        .store
        .issue(newsdesk::store::IssueId(made[0]))
        .await
        .unwrap();
    insta::assert_snapshot!(
        "digest_text",
        format!("Subject: {}\n\n{}", issue.subject, issue.text_body)
    );
    insta::assert_snapshot!("digest_html", issue.html_body);

    // A story as partner apps read it.
    let id = first["id"].as_i64().unwrap();
    let story = app.get(&format!("/api/content/articles/{id}")).await;
    assert_eq!(story.status, StatusCode::OK);
    insta::assert_snapshot!(
        "content_api_story",
        serde_json::to_string_pretty(&story.json()).unwrap()
    );

    // The feeds.
    let rss = app
        .request(Method::GET, "/feed.xml", &[], axum::body::Body::empty())
        .await;
    assert_eq!(rss.status, StatusCode::OK);
    insta::assert_snapshot!("rss", rss.body);
    insta::assert_snapshot!("atom", app.page("/atom.xml").await);
}
