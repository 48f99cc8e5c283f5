//! The home page: the news picture of the day, lead story first, earlier days below.

use axum::Extension;
use axum::extract::{Query, State};
use axum::response::Response;
use serde::{Deserialize, Serialize};

use super::Lang;
use super::cache::CacheTags;
use super::views::{CardView, Page, card_views, nav_sections, page_number};
use crate::app::AppState;
use crate::content::i18n::{day_heading, local_date};
use crate::http::error::HttpError;
use crate::store::{ArticleFilter, ArticleStatus, now};

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
    let current = now();
    let mut days: Vec<DayView> = Vec::new();
    for card in views {
        let date = local_date(card.published_at, tz);
        let url = state.urls.day(&language, date);
        match days.last_mut() {
            Some(day) if day.url == url => day.stories.push(card),
            _ => days.push(DayView {
                heading: day_heading(card.published_at, current, &language, tz),
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
        .set("lead_day", lead.as_ref().map(|l| day_heading(l.published_at, current, &language, tz)))
        .set("days", &days)
        .set("page", page)
        .set("next_url", has_next.then(|| format!("{home}?page={}", page + 1)))
        .set(
            "prev_url",
            (page > 1).then(|| if page == 2 { home.clone() } else { format!("{home}?page={}", page - 1) }),
        )
        .set("alternates", state.config.site.languages.iter().map(|l| serde_json::json!({"lang": l, "url": state.urls.absolute(&state.urls.home(l))})).collect::<Vec<_>>());
    view.render(&state, "home.html", Some(CacheTags::listing(&language)))
}
