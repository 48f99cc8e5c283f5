//! What search engines and social networks read: structured data within
//! their limits, a logo and a picture for every page, and x-default.

use axum::http::StatusCode;
use serde_json::{Value, json};

use crate::on_both_backends;
use crate::util::{Backend, TestApp};

on_both_backends!(
    structured_data_stays_within_search_engines_limits,
    every_page_has_a_social_card_picture_and_x_default,
);

/// Every JSON-LD block of a page, parsed.
fn json_ld(page: &str) -> Vec<Value> {
    page.split("<script type=\"application/ld+json\">")
        .skip(1)
        .filter_map(|rest| rest.split("</script>").next())
        .map(|text| serde_json::from_str(text).unwrap_or_else(|e| panic!("{e}: {text}")))
        .collect()
}

fn meta(page: &str, property: &str) -> Option<String> {
    let needle = format!("property=\"{property}\" content=\"");
    let alt = format!("name=\"{property}\" content=\"");
    let start = page
        .find(&needle)
        .map(|i| i + needle.len())
        .or_else(|| page.find(&alt).map(|i| i + alt.len()))?;
    page[start..].split('"').next().map(str::to_owned)
}

async fn structured_data_stays_within_search_engines_limits(backend: Backend) {
    let mut app = TestApp::with_staff(backend).await;
    let headline = "Уряд ухвалив рішення про відновлення енергосистеми після масованих атак, \
                    а міжнародні партнери пообіцяли додаткове обладнання та фінансування до зими, \
                    повідомляють джерела";
    assert!(headline.chars().count() > 150);
    sqlx::query(
        "INSERT INTO media (url, content_type, width, height, bytes, original_name, alt, credit, uploaded_by, created_at) \
         VALUES ('/media/2026/12/cover.jpg', 'image/jpeg', 2400, 1600, 1000, 'cover.jpg', '', '', NULL, 0)",
    )
    .execute(app.state.store.pool())
    .await
    .unwrap();
    let published = app
        .publish(json!({
            "headline": headline, "body": "Текст.", "language": "uk", "section": "news",
            "authors": ["editor@example.com"],
            "cover": { "url": "/media/2026/12/cover.jpg", "alt": "Підстанція" },
        }))
        .await;
    let page = app
        .page(&TestApp::path_of(published["url"].as_str().unwrap()))
        .await;
    assert!(page.contains(headline), "the page keeps the whole headline");
    let article = json_ld(&page)
        .into_iter()
        .find(|d| d["@type"] == "NewsArticle")
        .unwrap();
    let short = article["headline"].as_str().unwrap();
    assert!(short.chars().count() <= 110, "{short}");
    assert!(headline.starts_with(short.trim_end_matches('…')));
    let logo = article["publisher"]["logo"]["url"].as_str().unwrap();
    let logo = app.get(&TestApp::path_of(logo)).await;
    assert_eq!(logo.status, StatusCode::OK);
    assert_eq!(logo.header("content-type"), "image/png");
    assert_eq!(meta(&page, "og:image:width").as_deref(), Some("2400"));
    assert_eq!(meta(&page, "og:image:height").as_deref(), Some("1600"));
    assert!(
        meta(&page, "og:image")
            .unwrap()
            .ends_with("/media/2026/12/cover.jpg")
    );
}

async fn every_page_has_a_social_card_picture_and_x_default(backend: Backend) {
    let app = TestApp::with_demo(backend).await;
    for path in ["/", "/en", "/section/economy"] {
        let page = app.page(path).await;
        let image = meta(&page, "og:image").unwrap_or_else(|| panic!("{path}: no og:image"));
        assert_eq!(
            meta(&page, "twitter:card").as_deref(),
            Some("summary_large_image"),
            "{path}"
        );
        let picture = app.get(&TestApp::path_of(&image)).await;
        assert_eq!(picture.status, StatusCode::OK, "{path}: {image}");
    }
    let home = app.page("/").await;
    assert!(home.contains("hreflang=\"x-default\" href=\"https://news.example.org/\""));
    let graph = json_ld(&home);
    let items = graph[0]["@graph"].as_array().unwrap();
    let site = items.iter().find(|i| i["@type"] == "WebSite").unwrap();
    assert!(
        site["potentialAction"]["target"]["urlTemplate"]
            .as_str()
            .unwrap()
            .contains("/search?q={search_term_string}")
    );
    assert!(
        items
            .iter()
            .any(|i| i["@type"] == "NewsMediaOrganization" && i["logo"]["url"].is_string())
    );
    // A story with a translation names the default-language one as x-default.
    let english = app.page("/en").await;
    let story = TestApp::first_link(
        &english[english.find("lead-story__headline").unwrap()..],
        "/en/20",
    );
    let page = app.page(&story).await;
    if page.contains("hreflang=\"uk\"") {
        assert!(page.contains("hreflang=\"x-default\""));
    }
}
