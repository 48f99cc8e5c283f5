//! Reader donations through the built-in test checkout, and the ledger's
//! promise: every provider event counts exactly once, in any order.

use axum::body::Body;
use axum::http::{Method, StatusCode};
use newsdesk::services::donations;
use newsdesk::services::money::Currency;
use newsdesk::store::{LedgerEffect, LedgerEvent};

use crate::on_both_backends;
use crate::util::{Backend, TestApp};

on_both_backends!(
    a_reader_gives_monthly_from_an_article,
    bad_donation_input_changes_nothing,
    events_count_once_whatever_the_order,
    grants_and_the_funding_dashboard,
    the_admin_api_lists_donations,
    receipts_and_the_donors_own_page,
    the_ledger_believes_what_was_paid_not_what_was_pledged,
    readers_see_where_the_money_comes_from,
);

async fn donate(app: &TestApp, body: &str) -> crate::util::TestResponse {
    app.post_form("/support/donate", body.to_owned()).await
}

async fn count(app: &TestApp, table: &str) -> i64 {
    let (n,): (i64,) = sqlx::query_as(&format!("SELECT COUNT(*) FROM {table}"))
        .fetch_one(app.state.store.pool())
        .await
        .unwrap();
    n
}

async fn with_sandbox(backend: Backend) -> TestApp {
    TestApp::with_staff_and_env(backend, &[("NEWSDESK_DONATIONS_SANDBOX", "true")]).await
}

async fn a_reader_gives_monthly_from_an_article(backend: Backend) {
    let app = with_sandbox(backend).await;
    let home = app.page("/").await;
    let lead = &home[home.find("lead-story__headline").unwrap()..];
    let article_url = TestApp::first_link(lead, "/");
    let page = app.page(&article_url).await;
    assert!(
        page.contains("action=\"/support/donate\""),
        "a donation box on every article"
    );
    for preset in ["250 грн", "500 грн", "1000 грн"] {
        assert!(page.contains(preset), "{preset}");
    }
    assert!(page.contains("Підтримувати щомісяця"));
    let article_id = page
        .split("name=\"article_id\" value=\"")
        .nth(1)
        .unwrap()
        .split('"')
        .next()
        .unwrap()
        .to_owned();

    let started = donate(&app, &format!("lang=uk&article_id={article_id}&currency=UAH&amount=500&frequency=monthly&email=reader%40example.com")).await;
    assert_eq!(started.status, StatusCode::SEE_OTHER, "{}", started.body);
    let checkout = started.header("location").to_owned();
    assert!(checkout.starts_with("/support/sandbox/"));
    let sandbox = app.page(&checkout).await;
    assert!(
        sandbox.contains("TEST") && sandbox.contains("500 грн") && sandbox.contains("щомісяця"),
        "clearly a test, clearly monthly"
    );
    let public_id = checkout.trim_start_matches("/support/sandbox/").to_owned();
    let pay = |action: &'static str| {
        let path = checkout.clone();
        let app = &app;
        async move { app.post_form(&path, format!("action={action}")).await }
    };
    let paid = pay("pay").await;
    assert_eq!(paid.status, StatusCode::SEE_OTHER);
    assert_eq!(
        paid.header("location"),
        format!("/support/thanks/{public_id}")
    );
    assert!(
        app.page(&format!("/support/thanks/{public_id}"))
            .await
            .contains("Дякуємо")
    );
    // A double click, a reload, a retry: still one gift.
    pay("pay").await;
    pay("pay").await;
    assert_eq!(count(&app, "payments").await, 1);
    assert_eq!(count(&app, "subscriptions").await, 1);
    let donation = app
        .state
        .store
        .donation_by_public_id(&public_id)
        .await
        .unwrap();
    assert_eq!(
        (
            donation.status.as_str(),
            donation.amount_minor,
            donation.currency.as_str()
        ),
        ("completed", 50_000, "UAH")
    );
    assert_eq!(
        donation.article_id.map(|a| a.0.to_string()),
        Some(article_id.clone())
    );

    let summary = donations::funding_summary(&app.state, Currency::Uah)
        .await
        .unwrap();
    assert_eq!(summary.active_monthly_donors, 1);
    assert_eq!(summary.monthly_recurring_minor, 50_000);
    assert_eq!(summary.top_articles[0].article_id.to_string(), article_id);
    let headline = &summary.top_articles[0].headline;
    assert!(
        !headline.is_empty() && dashboard_has(&app, headline).await,
        "the story readers gave from is named"
    );
    let editor = app.sign_in("editor@example.com").await;
    let dashboard = app.admin_get(&editor, "/admin/funding").await;
    assert!(dashboard.body.contains("data-figure=\"active-monthly\">1<"));
    assert!(
        dashboard.body.contains("<svg"),
        "charts drawn on the server"
    );
    assert!(
        dashboard.body.contains("Енергетики Лісополя"),
        "the article that brought the gift"
    );
}

async fn bad_donation_input_changes_nothing(backend: Backend) {
    let app = with_sandbox(backend).await;
    for body in [
        "currency=UAH&amount=other&other_amount=5&frequency=one_time",
        "currency=UAH&amount=other&other_amount=999999999&frequency=one_time",
        "currency=UAH&amount=other&other_amount=abc&frequency=one_time",
        "currency=UAH&amount=other&other_amount=10.555&frequency=one_time",
        "currency=GBP&amount=500&frequency=one_time",
        "currency=UAH&amount=500&frequency=weekly",
        "currency=UAH&amount=500&frequency=monthly&email=not-an-email",
        "currency=UAH&amount=-500&frequency=one_time",
    ] {
        let response = donate(&app, body).await;
        assert_eq!(response.status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
        assert!(response.body.contains("donate__errors"), "{body}");
    }
    let small = donate(
        &app,
        "lang=uk&currency=UAH&amount=other&other_amount=5&frequency=one_time",
    )
    .await;
    assert!(
        small.body.contains("must be at least 20 UAH"),
        "{}",
        small.body
    );
    assert_eq!(count(&app, "donations").await, 0);
    assert_eq!(
        app.get("/support/sandbox/unknown").await.status,
        StatusCode::NOT_FOUND
    );
    // Without the sandbox or a provider, the box is not shown and nothing is taken.
    let closed = TestApp::with_staff(backend).await;
    assert!(
        !closed
            .page("/support")
            .await
            .contains("action=\"/support/donate\"")
    );
    let refused = donate(&closed, "currency=UAH&amount=500&frequency=one_time").await;
    assert_eq!(refused.status, StatusCode::CONFLICT);
    assert_eq!(count(&closed, "donations").await, 0);
}

fn event(id: &str, effect: LedgerEffect) -> LedgerEvent {
    LedgerEvent {
        provider: "sandbox".into(),
        event_id: id.into(),
        at: newsdesk::store::now(),
        effect,
    }
}

async fn monthly_donation(app: &TestApp) -> String {
    let started = donate(app, "currency=UAH&amount=500&frequency=monthly").await;
    started
        .header("location")
        .trim_start_matches("/support/sandbox/")
        .to_owned()
}

/// The ledger after a reader's first month and second month, in a given order.
async fn ledger_after(backend: Backend, order: &[usize]) -> (i64, i64, String) {
    let app = with_sandbox(backend).await;
    let public_id = monthly_donation(&app).await;
    let events = [
        event(
            "evt_checkout",
            LedgerEffect::CheckoutCompleted {
                paid: None,
                donation_public_id: public_id.clone(),
                provider_ref: "cs_1".into(),
                payment_id: Some("pay_1".into()),
                subscription_id: Some("sub_1".into()),
            },
        ),
        event(
            "evt_renewal",
            LedgerEffect::RecurringPayment {
                subscription_id: "sub_1".into(),
                payment_id: "pay_2".into(),
                amount_minor: 50_000,
                currency: "UAH".into(),
                payment_intent: None,
                started_here: None,
            },
        ),
        event(
            "evt_refund",
            LedgerEffect::Refunded {
                payment_id: "pay_2".into(),
                refunded_minor: 20_000,
            },
        ),
    ];
    for i in order {
        donations::apply(&app.state, &events[*i]).await.unwrap();
    }
    let (sum,): (i64,) = sqlx::query_as(
        "SELECT CAST(COALESCE(SUM(amount_minor - refunded_minor), 0) AS BIGINT) FROM payments",
    )
    .fetch_one(app.state.store.pool())
    .await
    .unwrap();
    let (linked,): (i64,) =
        sqlx::query_as("SELECT COUNT(*) FROM payments WHERE donation_id IS NOT NULL")
            .fetch_one(app.state.store.pool())
            .await
            .unwrap();
    let (status,): (String,) = sqlx::query_as("SELECT status FROM subscriptions")
        .fetch_one(app.state.store.pool())
        .await
        .unwrap();
    (sum, linked, status)
}

async fn events_count_once_whatever_the_order(backend: Backend) {
    let expected = (50_000 + 50_000 - 20_000, 2, "active".to_owned());
    assert_eq!(ledger_after(backend, &[0, 1, 2]).await, expected);
    assert_eq!(
        ledger_after(backend, &[1, 0, 2]).await,
        expected,
        "renewal before checkout"
    );
    assert_eq!(
        ledger_after(backend, &[0, 1, 2, 2, 1, 0]).await,
        expected,
        "every event delivered twice"
    );
    assert_eq!(
        ledger_after(backend, &[1, 2, 0]).await,
        expected,
        "refund before we heard of the checkout"
    );
    assert_eq!(
        ledger_after(backend, &[2, 0, 1]).await,
        expected,
        "refund before the payment it refunds"
    );

    // Two deliveries of the same event racing each other.
    let app = with_sandbox(backend).await;
    let public_id = monthly_donation(&app).await;
    let same = event(
        "evt_race",
        LedgerEffect::CheckoutCompleted {
            paid: None,
            donation_public_id: public_id,
            provider_ref: "cs_r".into(),
            payment_id: Some("pay_r".into()),
            subscription_id: None,
        },
    );
    let (a, b) = tokio::join!(
        donations::apply(&app.state, &same),
        donations::apply(&app.state, &same)
    );
    let applied = [a, b].into_iter().filter(|r| matches!(r, Ok(true))).count();
    assert_eq!(applied, 1);
    assert_eq!(count(&app, "payments").await, 1);
    assert_eq!(count(&app, "provider_events").await, 1);

    // An event for a donation we never started is refused and leaves no trace.
    let unknown = event(
        "evt_unknown",
        LedgerEffect::CheckoutCompleted {
            paid: None,
            donation_public_id: "nope".into(),
            provider_ref: "cs_x".into(),
            payment_id: Some("pay_x".into()),
            subscription_id: None,
        },
    );
    assert!(donations::apply(&app.state, &unknown).await.is_err());
    assert_eq!(
        count(&app, "provider_events").await,
        1,
        "rolled back with its effect"
    );

    // Cancellation, even arriving first, ends the subscription.
    let ended = event(
        "evt_end",
        LedgerEffect::SubscriptionEnded {
            subscription_id: "sub_z".into(),
            started_here: None,
        },
    );
    donations::apply(&app.state, &ended).await.unwrap();
    let (status,): (String,) =
        sqlx::query_as("SELECT status FROM subscriptions WHERE provider_subscription_id = 'sub_z'")
            .fetch_one(app.state.store.pool())
            .await
            .unwrap();
    assert_eq!(status, "cancelled");
}

async fn grants_and_the_funding_dashboard(backend: Backend) {
    let app = with_sandbox(backend).await;
    let owner = app.sign_in("owner@example.com").await;
    let author = app.sign_in("author@example.com").await;
    assert_eq!(
        app.admin_get(&author, "/admin/funding").await.status,
        StatusCode::FORBIDDEN
    );
    let today = app.today();
    let start = today.first_of_month().to_string();
    let end = today
        .first_of_month()
        .checked_add(jiff::ToSpan::months(12))
        .unwrap()
        .to_string();
    let added = app
        .admin_post(
            &owner,
            "/admin/funding/grants",
            &[
                ("funder", "Media Fund"),
                ("amount", "120000"),
                ("currency", "UAH"),
                ("period_start", &start),
                ("period_end", &end),
                ("note", "core support"),
            ],
        )
        .await;
    assert_eq!(added.status, StatusCode::SEE_OTHER, "{}", added.body);
    let bad = app
        .admin_post(
            &owner,
            "/admin/funding/grants",
            &[
                ("funder", ""),
                ("amount", "-1"),
                ("currency", "XYZ"),
                ("period_start", &end),
                ("period_end", &start),
            ],
        )
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    let public_id = {
        let started = donate(&app, "currency=UAH&amount=1000&frequency=one_time").await;
        started
            .header("location")
            .trim_start_matches("/support/sandbox/")
            .to_owned()
    };
    donations::sandbox_complete(&app.state, &public_id, true)
        .await
        .unwrap();
    let summary = donations::funding_summary(&app.state, Currency::Uah)
        .await
        .unwrap();
    let this_month = summary.months.last().unwrap();
    assert_eq!(this_month.readers_minor, 100_000);
    assert_eq!(
        this_month.grants_minor, 1_000_000,
        "120,000 over twelve months"
    );
    assert_eq!(
        summary.readers_share_percent,
        100_000 * 100
            / (100_000
                + 1_000_000 * summary.months.iter().filter(|m| m.grants_minor > 0).count() as i64)
    );
    let csv = app
        .admin_get(&owner, "/admin/funding.csv?currency=UAH")
        .await;
    assert!(csv.header("content-type").starts_with("text/csv"));
    assert!(
        csv.body
            .lines()
            .last()
            .unwrap()
            .ends_with(",UAH,1000,10000,9"),
        "{}",
        csv.body
    );
}

async fn the_admin_api_lists_donations(backend: Backend) {
    let mut app = with_sandbox(backend).await;
    let public_id = monthly_donation(&app).await;
    donations::sandbox_complete(&app.state, &public_id, true)
        .await
        .unwrap();
    let _pending = monthly_donation(&app).await;
    let all = app.api(Method::GET, "/api/admin/donations", None).await;
    assert_eq!(all.status, StatusCode::OK, "{}", all.body);
    assert_eq!(all.json()["donations"].as_array().unwrap().len(), 2);
    let today = app.today().to_string();
    let completed = app
        .api(
            Method::GET,
            &format!("/api/admin/donations?status=completed&from={today}&to={today}"),
            None,
        )
        .await
        .json();
    let list = completed["donations"].as_array().unwrap();
    assert_eq!(list.len(), 1);
    assert_eq!(list[0]["amount_minor"], 50_000);
    assert_eq!(list[0]["currency"], "UAH");
    assert_eq!(list[0]["frequency"], "monthly");
    let bad = app
        .api(
            Method::GET,
            "/api/admin/donations?from=yesterday&status=lost",
            None,
        )
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(bad.json()["errors"].as_array().unwrap().len(), 2);
    assert_eq!(
        app.get("/api/admin/donations").await.status,
        StatusCode::UNAUTHORIZED
    );
}

async fn receipts_and_the_donors_own_page(backend: Backend) {
    let smtp = crate::smtp::SmtpServer::start().await;
    let app = TestApp::with_staff_and_env(
        backend,
        &[
            ("NEWSDESK_DONATIONS_SANDBOX", "true"),
            ("NEWSDESK_SMTP_URL", &smtp.url),
        ],
    )
    .await;
    let started = donate(
        &app,
        "lang=uk&currency=UAH&amount=500&frequency=monthly&email=Reader%40Example.com",
    )
    .await;
    let public_id = started
        .header("location")
        .trim_start_matches("/support/sandbox/")
        .to_owned();
    donations::sandbox_complete(&app.state, &public_id, true)
        .await
        .unwrap();
    donations::sandbox_complete(&app.state, &public_id, true)
        .await
        .unwrap();
    let receipts = smtp.messages();
    assert_eq!(receipts.len(), 1, "one payment, one receipt");
    assert_eq!(receipts[0].to, vec!["reader@example.com"]);
    assert!(
        receipts[0].text().contains("500 грн"),
        "{}",
        receipts[0].text()
    );

    let asked = app
        .post_form("/support/manage", "email=reader%40example.com")
        .await;
    assert_eq!(asked.status, StatusCode::OK);
    let stranger = app
        .post_form("/support/manage", "email=nobody%40example.com")
        .await;
    assert_eq!(
        stranger.body, asked.body,
        "the page does not reveal who gave"
    );
    // Someone who only started a gift (anyone can type any address into the box) gets no mail.
    donate(
        &app,
        "currency=UAH&amount=250&frequency=one_time&email=victim%40example.com",
    )
    .await;
    app.post_form("/support/manage", "email=victim%40example.com")
        .await;
    let messages = smtp.messages();
    assert_eq!(messages.len(), 2);
    let link = TestApp::path_of(&messages[1].link("https://news.example.org/support/manage/"));
    let page = app.page(&link).await;
    assert!(page.contains("reader@example.com") && page.contains("500 грн"));
    assert_eq!(app.get(&link).await.header("cache-control"), "no-store");
    let subscription = page
        .split("name=\"subscription\" value=\"")
        .nth(1)
        .unwrap()
        .split('"')
        .next()
        .unwrap()
        .to_owned();
    let stopped = app
        .post_form(
            &format!("{link}/cancel"),
            format!("subscription={subscription}"),
        )
        .await;
    assert_eq!(stopped.status, StatusCode::SEE_OTHER);
    assert_eq!(
        donations::funding_summary(&app.state, Currency::Uah)
            .await
            .unwrap()
            .active_monthly_donors,
        0
    );
    assert!(app.page(&link).await.contains("зупинено"));
    let export = app.get(&format!("{link}/export")).await;
    let data: serde_json::Value = serde_json::from_str(&export.body).unwrap();
    assert_eq!(data["email"], "reader@example.com");
    assert_eq!(data["donations"].as_array().unwrap().len(), 1);
    let forgotten = app
        .request(Method::POST, &format!("{link}/forget"), &[], Body::empty())
        .await;
    assert_eq!(forgotten.status, StatusCode::SEE_OTHER);
    assert!(
        app.state
            .store
            .donations_of("reader@example.com")
            .await
            .unwrap()
            .is_empty()
    );
    assert_eq!(
        count(&app, "payments").await,
        1,
        "the ledger keeps the amounts"
    );
    assert_eq!(
        app.get(&link).await.status,
        StatusCode::NOT_FOUND,
        "the link ends with the data"
    );
    assert_eq!(
        app.get("/support/manage/0123").await.status,
        StatusCode::NOT_FOUND
    );
}

async fn one_time_donation(app: &TestApp, body: &str) -> String {
    let started = donate(app, body).await;
    assert_eq!(started.status, StatusCode::SEE_OTHER, "{}", started.body);
    started
        .header("location")
        .trim_start_matches("/support/sandbox/")
        .to_owned()
}

async fn status_and_note(app: &TestApp, public_id: &str) -> (String, Option<String>) {
    sqlx::query_as("SELECT status, payment_mismatch FROM donations WHERE public_id = $1")
        .bind(public_id)
        .fetch_one(app.state.store.pool())
        .await
        .unwrap()
}

fn paid(public_id: &str, reference: &str, minor: i64, currency: &str) -> LedgerEffect {
    LedgerEffect::CheckoutCompleted {
        donation_public_id: public_id.into(),
        provider_ref: reference.into(),
        payment_id: Some(format!("pay_{reference}")),
        subscription_id: None,
        paid: Some((minor, currency.into())),
    }
}

async fn the_ledger_believes_what_was_paid_not_what_was_pledged(backend: Backend) {
    let app = with_sandbox(backend).await;
    // 9,999 EUR pledged, 0.01 USD paid: recorded as a mismatch, not a gift.
    let big = one_time_donation(&app, "currency=EUR&amount=9999&frequency=one_time").await;
    donations::apply(
        &app.state,
        &event("evt_cheap", paid(&big, "cheap", 1, "USD")),
    )
    .await
    .unwrap();
    let (status, note) = status_and_note(&app, &big).await;
    assert_eq!(status, "pending");
    assert!(note.unwrap().contains("USD"));
    assert_eq!(count(&app, "payments").await, 0);
    // The owner sees it on the funding page.
    let owner = app.sign_in("owner@example.com").await;
    let funding = app.admin_get(&owner, "/admin/funding").await;
    assert!(
        funding.body.contains(&big),
        "the mismatch is listed for the owner"
    );

    // The right amount completes it; a second payment for the same order does not count twice.
    let order = one_time_donation(&app, "currency=UAH&amount=500&frequency=one_time").await;
    donations::apply(
        &app.state,
        &event("evt_a", paid(&order, "a", 50_000, "UAH")),
    )
    .await
    .unwrap();
    donations::apply(
        &app.state,
        &event("evt_b", paid(&order, "b", 50_000, "UAH")),
    )
    .await
    .unwrap();
    assert_eq!(status_and_note(&app, &order).await.0, "completed");
    assert_eq!(count(&app, "payments").await, 1, "one order is paid once");

    // Impossible amounts are refused outright.
    for minor in [-500, 0, i64::MAX] {
        let fresh = one_time_donation(&app, "currency=UAH&amount=250&frequency=one_time").await;
        let refused = donations::apply(
            &app.state,
            &event(&format!("evt_x{minor}"), paid(&fresh, "x", minor, "UAH")),
        )
        .await;
        assert!(refused.is_err(), "{minor}");
        assert_eq!(status_and_note(&app, &fresh).await.0, "pending");
    }
    let refund = event(
        "evt_neg_refund",
        LedgerEffect::Refunded {
            payment_id: "pay_a".into(),
            refunded_minor: -50_000,
        },
    );
    assert!(donations::apply(&app.state, &refund).await.is_err());
}

async fn dashboard_has(app: &TestApp, text: &str) -> bool {
    let editor = app.sign_in("editor@example.com").await;
    app.admin_get(&editor, "/admin/funding")
        .await
        .body
        .contains(&newsdesk::content::escape_html(text))
}

async fn readers_see_where_the_money_comes_from(backend: Backend) {
    let app = with_sandbox(backend).await;
    let owner = app.sign_in("owner@example.com").await;
    let today = app.today();
    let start = today.first_of_month().to_string();
    let end = today
        .first_of_month()
        .checked_add(jiff::ToSpan::months(12))
        .unwrap()
        .to_string();
    for (funder, purpose, public) in [
        ("Media Fund", "Local reporting in the regions", "on"),
        ("Quiet Foundation", "Security training", ""),
    ] {
        let added = app
            .admin_post(
                &owner,
                "/admin/funding/grants",
                &[
                    ("funder", funder),
                    ("amount", "120000"),
                    ("currency", "UAH"),
                    ("period_start", &start),
                    ("period_end", &end),
                    ("purpose", purpose),
                    ("note", "internal: contract 17"),
                    ("public", public),
                ],
            )
            .await;
        assert_eq!(added.status, StatusCode::SEE_OTHER, "{}", added.body);
    }
    let started = donate(
        &app,
        "currency=UAH&amount=1000&frequency=one_time&email=generous.reader%40example.com",
    )
    .await;
    let public_id = started
        .header("location")
        .trim_start_matches("/support/sandbox/")
        .to_owned();
    donations::sandbox_complete(&app.state, &public_id, true)
        .await
        .unwrap();

    let page = app.get("/support/transparency").await;
    assert_eq!(page.status, StatusCode::OK);
    let body = &page.body;
    assert!(body.contains("Звідки наші гроші"));
    assert!(body.contains("Media Fund") && body.contains("Local reporting in the regions"));
    assert!(
        !body.contains("Quiet Foundation"),
        "an unpublished grant stays private"
    );
    assert!(!body.contains("contract 17"), "internal notes stay inside");
    assert!(!body.contains("generous.reader"), "no reader is named");
    assert!(body.contains("<svg") && body.contains("role=\"img\""));
    let summary = donations::funding_summary(&app.state, Currency::Uah)
        .await
        .unwrap();
    assert!(
        body.contains(&format!(
            "<strong>{}%</strong>",
            summary.readers_share_percent
        )),
        "readers' share of the year"
    );
    let csv = app.get("/support/transparency.csv").await;
    assert!(csv.header("content-type").starts_with("text/csv"));
    assert_eq!(
        csv.body.lines().next(),
        Some("month,currency,readers,grants,readers_share_percent")
    );
    assert!(
        csv.body.lines().any(|l| l.contains(",UAH,1000,")),
        "{}",
        csv.body
    );
    assert!(
        app.get("/en/support/transparency")
            .await
            .body
            .contains("Where our money comes from")
    );
    assert!(
        app.get("/support")
            .await
            .body
            .contains("href=\"/support/transparency\"")
    );

    // The donation box quotes the share once it is counted.
    app.state.readers_share.refresh(&app.state).await.unwrap();
    app.state.page_cache.clear();
    let article = TestApp::first_link(&app.get("/").await.body, "/20");
    let story = app.get(&article).await;
    assert!(
        story.body.contains(&format!(
            "<strong>{}%</strong> нашого бюджету дають такі читачі, як ви.",
            summary.readers_share_percent
        )),
        "the donation box quotes the share"
    );

    // The owner publishes the second grant: readers see it at once.
    let quiet = app
        .state
        .store
        .grants()
        .await
        .unwrap()
        .into_iter()
        .find(|g| g.funder == "Quiet Foundation")
        .unwrap();
    let shown = app
        .admin_post(
            &owner,
            &format!("/admin/funding/grants/{}/public", quiet.id),
            &[("public", "on")],
        )
        .await;
    assert_eq!(shown.status, StatusCode::SEE_OTHER, "{}", shown.body);
    assert!(
        app.get("/support/transparency")
            .await
            .body
            .contains("Quiet Foundation")
    );
}
