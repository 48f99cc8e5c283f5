//! The home page: the news picture of the day, lead story first, earlier days below.

use axum::Extension;
use axum::extract::{Query, State};
use axum::response::Response;
use serde::{Deserialize, Serialize};

use super::Lang;
use super::cache::CacheTags;
use super::views::{CardView, Page, card_views, nav_sections, page_number};
use crate::app::AppState;
use crate::http::error::HttpError;
use crate::i18n::local_date;
use crate::store::{ArticleFilter, ArticleStatus};

#[derive(Deserialize)]
pub struct PageQuery {
    pub page: Option<String>,
}

#[derive(Serialize)]
struct DayView {
    heading: String,
    url: String,
    stories: Vec<CardView>,
}

pub async fn show_home(
    State(state): State<AppState>,
    Extension(Lang(language)): Extension<Lang>,
    Query(query): Query<PageQuery>,
) -> Result<Response, HttpError> {
    let page = page_number(query.page.as_deref())?;
    let size = state.config.site.page_size;
    let filter = ArticleFilter {
        status: Some(ArticleStatus::Published),
        language: Some(language.clone()),
        ..Default::default()
    };
    let mut cards = state
        .store
        .article_cards(&filter, size + 1, (page - 1) * size)
        .await?;
    let has_next = cards.len() as i64 > size;
    cards.truncate(size as usize);
    if cards.is_empty() && page > 1 {
        return Err(HttpError::NotFound);
    }
    let sections = nav_sections(&state).await?;
    let mut views = card_views(&state, &cards, &sections);
    let lead = if page == 1 && !views.is_empty() {
        Some(views.remove(0))
    } else {
        None
    };
    let tz = &state.config.site.timezone;
    let current = state.clock.now();
    let mut days: Vec<DayView> = Vec::new();
    for card in views {
        let date = local_date(card.published_at, tz);
        let url = state.urls.day(&language, date);
        match days.last_mut() {
            Some(day) if day.url == url => day.stories.push(card),
            _ => days.push(DayView {
                heading: state
                    .locales
                    .get(&language)
                    .day_heading(card.published_at, current, tz),
                url,
                stories: vec![card],
            }),
        }
    }
    let home = state.urls.home(&language);
    let path = if page > 1 {
        format!("{home}?page={page}")
    } else {
        home.clone()
    };
    let mut view = Page::new(&state, &language, "", &path, &sections);
    view.set("lead", &lead)
        .set(
            "lead_day",
            lead.as_ref().map(|l| {
                state
                    .locales
                    .get(&language)
                    .day_heading(l.published_at, current, tz)
            }),
        )
        .set("days", &days)
        .set("page", page)
        .set(
            "next_url",
            has_next.then(|| format!("{home}?page={}", page + 1)),
        )
        .set(
            "prev_url",
            (page > 1).then(|| {
                if page == 2 {
                    home.clone()
                } else {
                    format!("{home}?page={}", page - 1)
                }
            }),
        )
        .set("alternates", home_alternates(&state));
    // Who publishes, and how to search it: the newsroom and the site for search engines.
    let home_url = state.urls.absolute(&home);
    let search_target = format!(
        "{}?q={{search_term_string}}",
        state.urls.absolute(&state.urls.search(&language))
    );
    let mut organization = super::article::publisher(&state, &language);
    organization["@id"] = serde_json::json!(format!("{home_url}#publisher"));
    let site_json_ld = serde_json::json!({
        "@context": "https://schema.org",
        "@graph": [
            organization,
            {
                "@type": "WebSite",
                "@id": format!("{home_url}#website"),
                "url": home_url,
                "name": state.config.site.name,
                "inLanguage": language,
                "publisher": { "@id": format!("{home_url}#publisher") },
                "potentialAction": {
                    "@type": "SearchAction",
                    "target": { "@type": "EntryPoint", "urlTemplate": search_target },
                    "query-input": "required name=search_term_string",
                },
            },
        ],
    });
    view.safe(
        "site_json_ld",
        super::article::script_safe_json(&site_json_ld),
    );
    view.render(&state, "home.html", Some(CacheTags::listing(&language)))
}

/// The home page in each language, and x-default: the default language's.
fn home_alternates(state: &AppState) -> Vec<serde_json::Value> {
    let site = &state.config.site;
    site.languages
        .iter()
        .map(|l| serde_json::json!({"lang": l, "url": state.urls.absolute(&state.urls.home(l))}))
        .chain(std::iter::once(serde_json::json!({
            "lang": "x-default",
            "url": state.urls.absolute(&state.urls.home(&site.default_language)),
        })))
        .collect()
}
