//! Moving in from WordPress and Ghost, with the real export files those
//! systems write, and with broken files of our own.

use axum::http::StatusCode;

use newsdesk::import::{ImportError, ImportOptions, ghost, wordpress};

use crate::on_both_backends;
use crate::util::{Backend, TestApp, shared_fixture};

on_both_backends!(
    a_wordpress_archive_moves_in_and_its_old_links_keep_working,
    a_dry_run_reports_and_writes_nothing,
    a_ghost_export_moves_in_without_its_passwords,
    a_broken_file_is_named_and_nothing_is_written,
    images_move_in_from_a_copy_of_the_uploads,
    ghost_members_who_agreed_to_email_become_subscribers,
    images_are_fetched_only_from_public_addresses,
);

fn wxr() -> std::path::PathBuf {
    shared_fixture("wordpress/themeunittestdata.wordpress.xml")
}

fn ghost_export() -> std::path::PathBuf {
    shared_fixture("ghost/ghost-6.65-export.json")
}

async fn count(app: &TestApp, sql: &str) -> i64 {
    let (n,): (i64,) = sqlx::query_as(sql)
        .fetch_one(app.state.store.pool())
        .await
        .unwrap();
    n
}

/// Follows one redirect and returns where it led.
async fn redirect_of(app: &TestApp, path: &str) -> String {
    let response = app.get(path).await;
    assert!(
        response.status.is_redirection(),
        "{path} answered {} instead of a redirect",
        response.status
    );
    assert!(
        response.status == StatusCode::PERMANENT_REDIRECT
            || response.status == StatusCode::MOVED_PERMANENTLY,
        "{path}: a permanent redirect, not {}",
        response.status
    );
    response.header("location").to_owned()
}

async fn a_wordpress_archive_moves_in_and_its_old_links_keep_working(backend: Backend) {
    let app = TestApp::with_staff(backend).await;
    let report = wordpress::import(&app.state, &wxr(), &ImportOptions::default())
        .await
        .unwrap();
    // 39 posts and 19 pages in the file, apart from attachments and menus.
    assert_eq!(report.created["stories"], 58, "{report}");
    assert_eq!(report.created["pages"], 21, "{report}");
    assert_eq!(report.created["staff"], 2, "{report}");
    assert!(report.skipped["comments (newsdesk has no comments)"] > 0);
    assert!(report.skipped["menu items"] > 0);
    assert!(
        report
            .unconverted
            .iter()
            .any(|(story, items)| story.contains("Post Format: Standard")
                && items.contains(&"shortcode [simple]".to_owned())),
        "{report}"
    );
    assert_eq!(
        count(&app, "SELECT COUNT(*) FROM outbox_events").await,
        0,
        "imported stories are history, never sent to channels"
    );
    assert_eq!(
        count(
            &app,
            "SELECT COUNT(*) FROM staff WHERE role = 'contributor' AND password_hash IS NULL"
        )
        .await,
        2
    );

    // Old numeric and pretty links lead to the story, which reads well.
    let story = redirect_of(&app, "/?p=1177").await;
    assert!(
        story.starts_with("/en/2013/01/") && story.ends_with("/markup-image-alignment"),
        "{story}"
    );
    assert_eq!(
        redirect_of(&app, "/2013/01/10/markup-image-alignment/").await,
        story
    );
    let page = app.page(&story).await;
    assert!(page.contains("<h1 class=\"article__headline\">Markup: Image Alignment"));
    assert!(page.contains("<figcaption>Bigger caption than the image usually is.</figcaption>"));
    assert!(!page.contains("[caption"), "shortcodes are converted");
    assert!(!page.contains("&lt;!-- wp:"), "block comments are gone");
    // A YouTube link alone on a line is a click-to-load embed.
    let youtube = redirect_of(&app, "/?p=1161").await;
    assert!(
        app.page(&youtube)
            .await
            .contains("data-embed-src=\"https://www.youtube-nocookie.com/embed/SQEQr7c0-dw")
    );
    // Markup in a title is text on the page; special characters survive.
    let special = redirect_of(&app, "/?p=1174").await;
    assert!(app.page(&special).await.contains(
        "Markup: Title With Special Characters ~`!@#$%^&amp;*()-_=+{}[]/\\;:&#39;&quot;"
    ));

    // Lists, feeds and pages.
    assert_eq!(
        redirect_of(&app, "/category/classic/").await,
        "/section/classic"
    );
    assert_eq!(redirect_of(&app, "/feed/").await, "/feed.xml");
    assert_eq!(app.get("/section/classic").await.status, StatusCode::OK);
    assert_eq!(redirect_of(&app, "/?page_id=2").await, "/en/about");
    let about = app.page("/en/about").await;
    assert!(about.contains("About The Tests"));
    assert_eq!(
        redirect_of(&app, "/about/page-image-alignment/").await,
        "/en/page-image-alignment"
    );

    // Not public in WordPress, not public here.
    assert_eq!(
        app.get("/?p=1164").await.status,
        StatusCode::OK,
        "a draft's link is the home page, not the draft"
    );
    let protected: (String,) = sqlx::query_as(
        "SELECT status FROM articles WHERE headline LIKE 'Template: Password Protected%'",
    )
    .fetch_one(app.state.store.pool())
    .await
    .unwrap();
    assert_eq!(protected.0, "draft");
    let scheduled: (String, Option<i64>) =
        sqlx::query_as("SELECT status, scheduled_at FROM articles WHERE headline = 'Scheduled'")
            .fetch_one(app.state.store.pool())
            .await
            .unwrap();
    assert_eq!(scheduled.0, "scheduled");
    assert!(scheduled.1.is_some());

    // The same file again changes nothing.
    let articles = count(&app, "SELECT COUNT(*) FROM articles").await;
    let redirects = count(&app, "SELECT COUNT(*) FROM legacy_paths").await;
    let again = wordpress::import(&app.state, &wxr(), &ImportOptions::default())
        .await
        .unwrap();
    assert_eq!(again.created.get("stories"), None, "{again}");
    assert_eq!(again.unchanged["stories"], 58);
    assert_eq!(count(&app, "SELECT COUNT(*) FROM articles").await, articles);
    assert_eq!(
        count(&app, "SELECT COUNT(*) FROM legacy_paths").await,
        redirects
    );
}

async fn a_dry_run_reports_and_writes_nothing(backend: Backend) {
    let app = TestApp::with_staff(backend).await;
    let staff = count(&app, "SELECT COUNT(*) FROM staff").await;
    let articles = count(&app, "SELECT COUNT(*) FROM articles").await;
    let sections = count(&app, "SELECT COUNT(*) FROM sections").await;
    let tags = count(&app, "SELECT COUNT(*) FROM tags").await;
    let dry = ImportOptions {
        dry_run: true,
        ..Default::default()
    };
    let report = wordpress::import(&app.state, &wxr(), &dry).await.unwrap();
    assert_eq!(report.created["stories"], 58);
    let nested = wordpress::import(
        &app.state,
        &wxr(),
        &ImportOptions {
            nested_categories_as_sections: true,
            ..dry.clone()
        },
    )
    .await
    .unwrap();
    assert_eq!(
        nested.created["sections"],
        report.created["sections"] + 10,
        "the ten nested categories become sections when asked"
    );
    let tags_only = ghost::import(
        &app.state,
        &ghost_export(),
        &ImportOptions {
            no_tag_sections: true,
            ..dry.clone()
        },
    )
    .await
    .unwrap();
    assert_eq!(tags_only.created.get("sections"), None, "{tags_only}");
    assert!(report.redirects > 100);
    assert!(report.to_string().contains("dry run: nothing written"));
    let report = ghost::import(&app.state, &ghost_export(), &dry)
        .await
        .unwrap();
    assert!(report.created["stories"] > 50);
    assert_eq!(count(&app, "SELECT COUNT(*) FROM articles").await, articles);
    assert_eq!(count(&app, "SELECT COUNT(*) FROM sections").await, sections);
    assert_eq!(count(&app, "SELECT COUNT(*) FROM tags").await, tags);
    for table in ["pages", "legacy_paths", "import_sources"] {
        assert_eq!(
            count(&app, &format!("SELECT COUNT(*) FROM {table}")).await,
            0,
            "{table}"
        );
    }
    assert_eq!(count(&app, "SELECT COUNT(*) FROM staff").await, staff);
}

async fn a_ghost_export_moves_in_without_its_passwords(backend: Backend) {
    let app = TestApp::with_staff(backend).await;
    let owner_before: (String, Option<String>) =
        sqlx::query_as("SELECT role, password_hash FROM staff WHERE email = 'owner@example.com'")
            .fetch_one(app.state.store.pool())
            .await
            .unwrap();
    let report = ghost::import(&app.state, &ghost_export(), &ImportOptions::default())
        .await
        .unwrap();
    assert_eq!(report.created["pages"], 2, "{report}");
    assert_eq!(
        report.skipped["internal tags (#…)"], 1,
        "internal #tags stay behind"
    );
    // Ghost's user has the owner's address: the same person, untouched.
    let owner_after: (String, Option<String>) =
        sqlx::query_as("SELECT role, password_hash FROM staff WHERE email = 'owner@example.com'")
            .fetch_one(app.state.store.pool())
            .await
            .unwrap();
    assert_eq!(owner_after, owner_before);
    assert_eq!(
        count(
            &app,
            "SELECT COUNT(*) FROM staff WHERE password_hash LIKE '$2b$%'"
        )
        .await,
        0,
        "Ghost's bcrypt hash is never imported"
    );

    // The Ukrainian story is filed in Ukrainian, at the root; its old
    // address leads to it; Ghost's meta and cover text come along.
    let story = redirect_of(&app, "/enerhetyky-povernuly-svitlo/").await;
    assert!(
        story.starts_with("/20") && story.ends_with("/enerhetyky-povernuly-svitlo"),
        "{story}"
    );
    let page = app.page(&story).await;
    assert!(page.contains("<html lang=\"uk\">"));
    assert!(
        page.contains("<title>Світло повернули 42 тисячам"),
        "meta title"
    );
    assert!(page.contains("Фото: редакція"), "cover caption");
    let english = redirect_of(&app, "/council-approves-transit-budget/").await;
    assert!(english.starts_with("/en/"), "{english}");
    assert_eq!(redirect_of(&app, "/rss/").await, "/feed.xml");
    let statuses: Vec<(String,)> = sqlx::query_as(
        "SELECT status FROM articles WHERE slug IN ('draft-investigation-notes', 'scheduled-morning-digest') ORDER BY slug",
    )
    .fetch_all(app.state.store.pool())
    .await
    .unwrap();
    assert_eq!(
        statuses,
        vec![("draft".to_owned(),), ("scheduled".to_owned(),)]
    );
    let embed: (String,) =
        sqlx::query_as("SELECT body FROM articles WHERE body LIKE '%youtube.com/watch%'")
            .fetch_one(app.state.store.pool())
            .await
            .unwrap();
    assert!(
        embed
            .0
            .lines()
            .any(|l| l.starts_with("https://www.youtube.com/watch?v=")),
        "the embed card is a URL alone on a line: {}",
        embed.0
    );
    assert!(!embed.0.contains("__GHOST_URL__"));

    let again = ghost::import(&app.state, &ghost_export(), &ImportOptions::default())
        .await
        .unwrap();
    assert_eq!(again.created.get("stories"), None, "{again}");
}

async fn a_broken_file_is_named_and_nothing_is_written(backend: Backend) {
    let app = TestApp::with_staff(backend).await;
    let articles = count(&app, "SELECT COUNT(*) FROM articles").await;
    let dir = std::env::temp_dir().join(format!("newsdesk-import-{}", rand::random::<u32>()));
    std::fs::create_dir_all(&dir).unwrap();
    let item = |id: &str| {
        format!(
            "<item><title>Story {id}</title><link>https://old.example/{id}/</link>\
             <wp:post_id>{id}</wp:post_id><wp:post_date_gmt>2024-05-01 10:00:00</wp:post_date_gmt>\
             <wp:post_name>story-{id}</wp:post_name><wp:status>publish</wp:status>\
             <wp:post_type>post</wp:post_type><content:encoded><![CDATA[Text.]]></content:encoded></item>"
        )
    };
    let wxr = |items: &str| {
        format!(
            "<?xml version=\"1.0\"?><rss xmlns:wp=\"http://wordpress.org/export/1.2/\" \
             xmlns:content=\"http://purl.org/rss/1.0/modules/content/\"><channel>\
             <link>https://old.example</link><language>en</language>\
             <wp:wxr_version>1.2</wp:wxr_version>{items}</channel></rss>"
        )
    };
    let cases = [
        (
            "truncated.xml",
            wxr(&item("1"))[..300].to_owned(),
            "rss/channel",
        ),
        (
            "bad-id.xml",
            wxr(&format!("{}{}", item("1"), item("x2"))),
            "item[2]",
        ),
        (
            "bad-date.xml",
            wxr(&item("1").replace("2024-05-01 10:00:00", "yesterday")),
            "item[1]",
        ),
        (
            "not-wordpress.xml",
            "<?xml version=\"1.0\"?><rss><channel><item><title>x</title></item></channel></rss>"
                .to_owned(),
            "not a WordPress export",
        ),
        (
            "html.xml",
            "<html><body>Not XML export</body></html>".to_owned(),
            "not a WordPress export",
        ),
        (
            "entity.xml",
            wxr(&item("1").replace("Text.", "]]>&nbsp;<![CDATA[")),
            "unknown entity",
        ),
    ];
    for (name, text, expected) in cases {
        let file = dir.join(name);
        std::fs::write(&file, text).unwrap();
        let err = wordpress::import(&app.state, &file, &ImportOptions::default())
            .await
            .err()
            .unwrap_or_else(|| panic!("{name} was accepted"));
        assert!(
            matches!(
                err,
                ImportError::Malformed { .. } | ImportError::Unusable(_)
            ),
            "{name}: {err}"
        );
        assert_eq!(err.exit_code(), 2);
        assert!(err.to_string().contains(expected), "{name}: {err}");
        assert_eq!(count(&app, "SELECT COUNT(*) FROM articles").await, articles);
    }
    // A good file of the same shape imports.
    let good = dir.join("good.xml");
    std::fs::write(&good, wxr(&format!("{}{}", item("1"), item("2")))).unwrap();
    let before = count(&app, "SELECT COUNT(*) FROM articles").await;
    let report = wordpress::import(&app.state, &good, &ImportOptions::default())
        .await
        .unwrap();
    assert_eq!(report.created["stories"], 2);
    assert_eq!(
        count(&app, "SELECT COUNT(*) FROM articles").await,
        before + 2
    );

    let ghost_cases = [
        ("not-json.json", "{\"db\": [", "EOF"),
        (
            "wrong-type.json",
            "{\"db\":[{\"data\":{\"posts\":[{\"id\":\"a\",\"slug\":\"a\",\"status\":7}]}}]}",
            "db[0].data.posts[0].status",
        ),
        (
            "no-date.json",
            "{\"db\":[{\"data\":{\"posts\":[{\"id\":\"a\",\"slug\":\"a\",\"title\":\"A\",\"status\":\"published\",\"published_at\":null}]}}]}",
            "published_at",
        ),
    ];
    for (name, text, expected) in ghost_cases {
        let file = dir.join(name);
        std::fs::write(&file, text).unwrap();
        let err = ghost::import(&app.state, &file, &ImportOptions::default())
            .await
            .err()
            .unwrap_or_else(|| panic!("{name} was accepted"));
        assert_eq!(err.exit_code(), 2, "{name}: {err}");
        assert!(err.to_string().contains(expected), "{name}: {err}");
    }
    assert_eq!(
        count(&app, "SELECT COUNT(*) FROM articles").await,
        before + 2,
        "nothing of a broken file is written"
    );
    let _ = std::fs::remove_dir_all(&dir);
}

async fn images_move_in_from_a_copy_of_the_uploads(backend: Backend) {
    let app = TestApp::with_staff(backend).await;
    let uploads = std::env::temp_dir().join(format!("newsdesk-uploads-{}", rand::random::<u32>()));
    std::fs::create_dir_all(uploads.join("2008/06")).unwrap();
    let picture = image::RgbImage::from_fn(640, 480, |x, y| {
        image::Rgb([(x % 256) as u8, (y % 256) as u8, 90])
    });
    picture.save(uploads.join("2008/06/100_5478.jpg")).unwrap();
    // A file outside the folder, named by a hostile path, is never read.
    let options = ImportOptions {
        media_from: Some(uploads.clone()),
        ..Default::default()
    };
    let dry = wordpress::import(
        &app.state,
        &wxr(),
        &ImportOptions {
            dry_run: true,
            ..options.clone()
        },
    )
    .await
    .unwrap();
    assert!(dry.to_string().contains("would move 1 images"), "{dry}");
    assert_eq!(count(&app, "SELECT COUNT(*) FROM media").await, 0);

    let report = wordpress::import(&app.state, &wxr(), &options)
        .await
        .unwrap();
    assert_eq!(report.images_moved, 1, "{report}");
    let story = redirect_of(&app, "/?p=1163").await;
    let page = app.page(&story).await;
    let at = page
        .find("<img src=\"/media/")
        .expect("the picture is served from here");
    let src = &page[at + 10..];
    let src = &src[..src.find('"').unwrap()];
    let file = app.get(src).await;
    assert_eq!(file.status, StatusCode::OK);
    assert_eq!(file.header("content-type"), "image/jpeg");
    assert!(page.contains("<figcaption>Bell on wharf in San Francisco</figcaption>"));
    assert_eq!(count(&app, "SELECT COUNT(*) FROM media").await, 1);
    let _ = std::fs::remove_dir_all(&uploads);
}

async fn ghost_members_who_agreed_to_email_become_subscribers(backend: Backend) {
    let app = TestApp::with_staff(backend).await;
    let dir = std::env::temp_dir().join(format!("newsdesk-members-{}", rand::random::<u32>()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("members.json");
    // Ghost 5+ records consent as newsletter membership; Ghost 4 as `subscribed`.
    std::fs::write(
        &file,
        serde_json::json!({"db": [{"data": {
            "posts": [],
            "members": [
                {"id": "m1", "email": "Reader@Example.org", "email_disabled": false},
                {"id": "m2", "email": "no-consent@example.org", "email_disabled": false},
                {"id": "m3", "email": "bounced@example.org", "email_disabled": true},
                {"id": "m4", "email": "old-ghost@example.org", "subscribed": 1}
            ],
            "members_newsletters": [
                {"id": "x1", "member_id": "m1", "newsletter_id": "n1"},
                {"id": "x3", "member_id": "m3", "newsletter_id": "n1"}
            ]
        }}]})
        .to_string(),
    )
    .unwrap();
    let without = ghost::import(&app.state, &file, &ImportOptions::default())
        .await
        .unwrap();
    assert!(without.to_string().contains("--members"), "{without}");
    assert_eq!(
        count(&app, "SELECT COUNT(*) FROM newsletter_subscribers").await,
        0
    );

    let options = ImportOptions {
        members: true,
        ..Default::default()
    };
    let report = ghost::import(&app.state, &file, &options).await.unwrap();
    assert_eq!(report.created["subscribers"], 2, "{report}");
    let emails: Vec<(String, String)> =
        sqlx::query_as("SELECT email, state FROM newsletter_subscribers ORDER BY email")
            .fetch_all(app.state.store.pool())
            .await
            .unwrap();
    assert_eq!(
        emails,
        vec![
            ("old-ghost@example.org".to_owned(), "active".to_owned()),
            ("reader@example.org".to_owned(), "active".to_owned()),
        ]
    );
    let again = ghost::import(&app.state, &file, &options).await.unwrap();
    assert_eq!(again.created.get("subscribers"), None);
    assert_eq!(
        count(&app, "SELECT COUNT(*) FROM newsletter_subscribers").await,
        2
    );
    let _ = std::fs::remove_dir_all(&dir);
}

/// An old site serving one picture and one file too large to take.
async fn old_site() -> (std::sync::Arc<std::sync::atomic::AtomicUsize>, String) {
    use axum::routing::get;
    let hits = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let mut png = std::io::Cursor::new(Vec::new());
    image::RgbImage::from_fn(300, 200, |x, y| image::Rgb([x as u8, y as u8, 7]))
        .write_to(&mut png, image::ImageFormat::Png)
        .unwrap();
    let png = png.into_inner();
    let counted = hits.clone();
    let counted_big = hits.clone();
    let router = axum::Router::new()
        .route(
            "/wp-content/uploads/2024/05/pic.png",
            get(move || {
                counted.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
                let png = png.clone();
                async move { ([("content-type", "image/png")], png) }
            }),
        )
        .route(
            "/wp-content/uploads/2024/05/huge.png",
            get(move || {
                counted_big.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
                async move { vec![0u8; 16 * 1024 * 1024] }
            }),
        );
    (hits, crate::fakes::start_fake(router).await)
}

fn wxr_with_images(dir: &std::path::Path, base: &str) -> std::path::PathBuf {
    let file = dir.join("images.xml");
    std::fs::write(
        &file,
        format!(
            "<?xml version=\"1.0\"?><rss xmlns:wp=\"http://wordpress.org/export/1.2/\" \
             xmlns:content=\"http://purl.org/rss/1.0/modules/content/\"><channel>\
             <link>{base}</link><language>en</language><wp:wxr_version>1.2</wp:wxr_version>\
             <item><title>Pictures</title><link>{base}/2024/05/01/pictures/</link>\
             <wp:post_id>9</wp:post_id><wp:post_date_gmt>2024-05-01 10:00:00</wp:post_date_gmt>\
             <wp:post_name>pictures</wp:post_name><wp:status>publish</wp:status><wp:post_type>post</wp:post_type>\
             <content:encoded><![CDATA[<p>See:</p><img src=\"{base}/wp-content/uploads/2024/05/pic.png\" alt=\"A map\">\
             <img src=\"{base}/wp-content/uploads/2024/05/huge.png\" alt=\"Too big\">]]></content:encoded></item>\
             </channel></rss>"
        ),
    )
    .unwrap();
    file
}

async fn images_are_fetched_only_from_public_addresses(backend: Backend) {
    let dir = std::env::temp_dir().join(format!("newsdesk-fetch-{}", rand::random::<u32>()));
    std::fs::create_dir_all(&dir).unwrap();
    let options = ImportOptions {
        fetch_media: true,
        ..Default::default()
    };

    // As deployed: the old site's address is loopback, so nothing is fetched,
    // and nothing is even connected to.
    let (hits, base) = old_site().await;
    let app = TestApp::with_staff(backend).await;
    let report = wordpress::import(&app.state, &wxr_with_images(&dir, &base), &options)
        .await
        .unwrap();
    assert_eq!(report.images_moved, 0, "{report}");
    assert_eq!(hits.load(std::sync::atomic::Ordering::SeqCst), 0);

    // Where private addresses are allowed (the tests' own fake site): the
    // picture comes in, the oversized file does not.
    let (hits, base) = old_site().await;
    let app = TestApp::with_staff_and_env(
        backend,
        &[("NEWSDESK_FEDIVERSE_ALLOW_PRIVATE_NETWORKS", "true")],
    )
    .await;
    let report = wordpress::import(&app.state, &wxr_with_images(&dir, &base), &options)
        .await
        .unwrap();
    assert_eq!(report.images_moved, 1, "{report}");
    assert_eq!(hits.load(std::sync::atomic::Ordering::SeqCst), 2);
    let story = redirect_of(&app, "/?p=9").await;
    let page = app.page(&story).await;
    assert!(page.contains("<img src=\"/media/"), "{page}");
    assert!(!page.contains("huge.png"));
    let _ = std::fs::remove_dir_all(&dir);
}
