//! Languages as data: a third language is its locale folder and a line of
//! config. Polish (built in, with its own plural rules) publishes, lists,
//! searches, feeds, emails and posts to its own Telegram channel, with
//! `hreflang` across all three versions of a story.

use axum::http::{Method, StatusCode};
use newsdesk::services::distribution::Worker;
use newsdesk::services::newsletter;
use serde_json::json;

use crate::fakes::{BOT_TOKEN, FakeTelegram};
use crate::on_both_backends;
use crate::smtp::SmtpServer;
use crate::util::{ArticleBuilder, Backend, TestApp};

on_both_backends!(
    a_third_language_is_a_locale_and_a_line_of_config,
    editors_name_sections_in_every_language,
    a_new_translation_reaches_the_cached_original,
);

fn story(headline: &str, language: &str, translation_of: Option<i64>) -> serde_json::Value {
    let story = ArticleBuilder::new(headline)
        .language(language)
        .tags(&["energetyka"]);
    match translation_of {
        Some(id) => story.translation_of(id),
        None => story,
    }
    .json()
}

async fn a_third_language_is_a_locale_and_a_line_of_config(backend: Backend) {
    let smtp = SmtpServer::start().await;
    let (telegram, telegram_base) = FakeTelegram::start().await;
    let mut app = TestApp::with_newsroom(
        backend,
        &[
            ("NEWSDESK_SITE_LANGUAGES", "uk,en,pl"),
            ("NEWSDESK_SMTP_URL", smtp.url.as_str()),
            ("NEWSDESK_NEWSLETTER_DIGEST_HOUR", "7, pl=9"),
            ("NEWSDESK_TELEGRAM_BOT_TOKEN", BOT_TOKEN),
            (
                "NEWSDESK_TELEGRAM_CHANNELS",
                "uk=@newsroom_uk, pl=@newsroom_pl",
            ),
            ("NEWSDESK_TELEGRAM_API_BASE", telegram_base.as_str()),
            ("NEWSDESK_DONATIONS_SANDBOX", "true"),
            ("NEWSDESK_DONATIONS_DEFAULT_CURRENCY", "eur, uk=uah, pl=usd"),
        ],
    )
    .await;
    app.set_time_of_day(6);

    // Staff name the section and the tag in Polish.
    let named = app
        .api(
            Method::PUT,
            "/api/admin/sections/news",
            Some(json!({ "names": { "pl": "Wiadomości" } })),
        )
        .await;
    assert_eq!(named.status, StatusCode::OK, "{}", named.body);
    assert_eq!(named.json()["section"]["names"]["pl"], "Wiadomości");
    let refused = app
        .api(
            Method::PUT,
            "/api/admin/sections/news",
            Some(json!({ "names": { "de": "Nachrichten" } })),
        )
        .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(refused.body.contains("names.de"), "{}", refused.body);

    let uk = app
        .publish(story("Енергетики повернули світло", "uk", None))
        .await;
    let uk_id = uk["id"].as_i64().unwrap();
    let en = app.publish(story("Power is back", "en", Some(uk_id))).await;
    let pl = app
        .publish(story("Energetycy przywrócili prąd", "pl", Some(uk_id)))
        .await;
    let tagged = app
        .api(
            Method::PUT,
            "/api/admin/tags/energetyka",
            Some(json!({ "names": { "pl": "Energetyka", "uk": "Енергетика" } })),
        )
        .await;
    assert_eq!(tagged.status, StatusCode::OK, "{}", tagged.body);

    // Published: the Polish home, section, tag, story, search and feed.
    let home = app.page("/pl").await;
    assert!(home.contains("<html lang=\"pl\""), "{home}");
    assert!(home.contains("Energetycy przywrócili prąd"));
    assert!(home.contains("Wiadomości"), "the section's Polish name");
    assert!(home.contains("Przejdź do treści"), "Polish interface words");
    assert!(home.contains(">Polski<"), "the language switcher names it");
    assert!(!home.contains("Power is back"));
    let section = app.page("/pl/section/news").await;
    assert!(section.contains("<h1") && section.contains("Wiadomości"));
    let tag = app.page("/pl/tag/energetyka").await;
    assert!(tag.contains("Energetyka"), "{tag}");
    let uk_tag = app.page("/tag/energetyka").await;
    assert!(uk_tag.contains("Енергетика"));

    let pl_path = TestApp::path_of(pl["url"].as_str().unwrap());
    assert!(pl_path.starts_with("/pl/"), "{pl_path}");
    let article = app.page(&pl_path).await;
    for (language, url) in [("uk", &uk["url"]), ("en", &en["url"]), ("pl", &pl["url"])] {
        let alternate = format!(
            "<link rel=\"alternate\" hreflang=\"{language}\" href=\"{}\">",
            url.as_str().unwrap()
        );
        assert!(article.contains(&alternate), "{alternate} in {article}");
    }
    assert!(article.contains("Opublikowano"));
    assert!(article.contains("property=\"og:locale\" content=\"pl_PL\""));
    let month = app
        .state
        .locales
        .get("pl")
        .date(app.state.clock.now(), &app.state.config.site.timezone);
    assert!(
        article.contains(&month),
        "the date as Polish writes it: {month}"
    );

    let found = app.page("/pl/search?q=przywrócili").await;
    assert!(found.contains("Energetycy przywrócili prąd"), "{found}");
    let not_here = app.page("/pl/search?q=Енергетики").await;
    assert!(!not_here.contains("Енергетики повернули"));

    let feed = app.get("/pl/feed.xml").await;
    assert_eq!(feed.status, StatusCode::OK);
    let parsed = feed_rs::parser::parse(feed.body.as_bytes()).unwrap();
    assert_eq!(parsed.language.as_deref(), Some("pl"));
    assert_eq!(parsed.entries.len(), 1);
    assert_eq!(
        parsed.entries[0].title.as_ref().unwrap().content,
        "Energetycy przywrócili prąd"
    );

    let support = app.page("/pl/support").await;
    assert!(support.contains("Wesprzyj redakcję"));
    assert!(
        support.contains("name=\"currency\" value=\"USD\""),
        "Polish pages offer dollars first"
    );

    // Telegram: each language to its own channel; English has none.
    Worker::new(app.state.clone())
        .run_once(&|| false)
        .await
        .unwrap();
    let calls = telegram.calls();
    let chats: Vec<_> = calls
        .iter()
        .map(|(_, params)| params["chat_id"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(chats, ["@newsroom_uk", "@newsroom_pl"], "{calls:?}");
    let polish = calls[1].1.to_string();
    assert!(polish.contains("Czytaj"), "{polish}");

    // The newsletter: a Polish sign-up, its confirmation, its own digest hour.
    let signed_up = app
        .post_form("/newsletter", "email=czytelnik%40example.org&lang=pl")
        .await;
    assert_eq!(signed_up.status, StatusCode::OK, "{}", signed_up.body);
    let confirmation = smtp.messages().pop().unwrap();
    assert_eq!(confirmation.subject(), "Potwierdź subskrypcję — Newsdesk");
    let confirm =
        TestApp::path_of(&confirmation.link("https://news.example.org/newsletter/confirm/"));
    assert_eq!(app.post_form(&confirm, "").await.status, StatusCode::OK);
    app.publish(story("Drugi artykuł dnia", "pl", None)).await;

    app.set_time_of_day(8);
    let at_eight = newsletter::make_due_digests(&app.state, app.state.clock.now())
        .await
        .unwrap();
    assert!(at_eight.is_empty(), "Polish readers get theirs at nine");
    app.set_time_of_day(9);
    let at_nine = newsletter::make_due_digests(&app.state, app.state.clock.now())
        .await
        .unwrap();
    assert_eq!(at_nine.len(), 1);
    newsletter::send_pending(&app.state, &|| false)
        .await
        .unwrap();
    let digest = smtp.messages().pop().unwrap();
    assert!(
        digest.subject().starts_with("Najważniejsze dnia — "),
        "{}",
        digest.subject()
    );
    let text = digest.text();
    assert!(text.contains("2 artykuły"), "Polish plural for two: {text}");
    assert!(
        text.contains("Czytaj: https://news.example.org/pl/"),
        "{text}"
    );
    assert!(text.contains("Wypisz się"), "{text}");
}

/// Admin → Sections: an editor names a section in each language and adds
/// one; authors cannot; a name with markup is refused and nothing changes.
async fn editors_name_sections_in_every_language(backend: Backend) {
    let app = TestApp::with_newsroom(backend, &[("NEWSDESK_SITE_LANGUAGES", "uk,en,pl")]).await;
    let editor = app.sign_in("editor@example.com").await;
    let shown = app.admin_get(&editor, "/admin/sections").await;
    assert_eq!(shown.status, StatusCode::OK);
    assert!(
        shown.body.contains("name=\"name_pl\""),
        "a field per language"
    );
    assert!(shown.body.contains("value=\"Новини\""));

    let saved = app
        .admin_post(
            &editor,
            "/admin/sections/news",
            &[
                ("name_uk", "Новини"),
                ("name_en", "News"),
                ("name_pl", "Wiadomości"),
                ("position", "0"),
            ],
        )
        .await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.body);
    assert!(app.page("/pl").await.contains("Wiadomości"));

    let added = app
        .admin_post(
            &editor,
            "/admin/sections",
            &[
                ("slug", "kultura"),
                ("name_pl", "Kultura"),
                ("name_uk", "Культура"),
            ],
        )
        .await;
    assert_eq!(added.status, StatusCode::SEE_OTHER, "{}", added.body);
    assert!(app.page("/pl").await.contains("/pl/section/kultura"));
    assert!(
        app.page("/en").await.contains("/en/section/kultura"),
        "shown under its Ukrainian or Polish name"
    );

    let hostile = app
        .admin_post(
            &editor,
            "/admin/sections/news",
            &[("name_pl", "<b>Wiadomości</b>")],
        )
        .await;
    assert_eq!(hostile.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(app.page("/pl").await.contains(">Wiadomości<"));

    let author = app.sign_in("author@example.com").await;
    let refused = app
        .admin_post(&author, "/admin/sections/news", &[("name_pl", "Cokolwiek")])
        .await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    let forged = app
        .admin_post(
            &editor,
            "/admin/sections/news",
            &[("csrf", "forged"), ("name_pl", "X")],
        )
        .await;
    assert_eq!(forged.status, StatusCode::FORBIDDEN);
}

/// Publishing a translation changes the original's page (its list of other
/// versions and `hreflang`), even when that page was cached before the
/// translation existed; so does taking the translation down.
async fn a_new_translation_reaches_the_cached_original(backend: Backend) {
    let mut app = TestApp::with_newsroom(backend, &[]).await;
    let original = app
        .publish(ArticleBuilder::new("Світло повернулося").json())
        .await;
    let path = TestApp::path_of(original["url"].as_str().unwrap());
    assert!(!app.page(&path).await.contains("hreflang=\"en\" href"));
    let translation = app
        .publish(
            ArticleBuilder::new("The lights are back")
                .language("en")
                .translation_of(original["id"].as_i64().unwrap())
                .json(),
        )
        .await;
    let page = app.page(&path).await;
    assert!(
        page.contains("The lights are back"),
        "the cached original lists its new translation"
    );
    assert!(page.contains(&format!(
        "hreflang=\"en\" href=\"{}\"",
        translation["url"].as_str().unwrap()
    )));
    let id = translation["id"].as_i64().unwrap();
    app.api(
        Method::POST,
        &format!("/api/admin/articles/{id}/unpublish"),
        None,
    )
    .await;
    assert!(!app.page(&path).await.contains("The lights are back"));
}
