//! Section, tag, author and date-archive pages: one list template, four filters.

use axum::Extension;
use axum::extract::{Path, Query, State};
use axum::response::Response;

use super::Lang;
use super::cache::CacheTags;
use super::home::PageQuery;
use super::views::{Page, card_views, nav_sections, page_number};
use crate::app::AppState;

use crate::content::slug::display_name;
use crate::http::error::HttpError;
use crate::store::{ArticleFilter, ArticleStatus, StoreError};

struct ListPage {
    kind: &'static str,
    title: String,
    description: String,
    path: String,
    /// Lists with feeds of their own pass their path here.
    feed_path: Option<String>,
    filter: ArticleFilter,
}

async fn render_list(
    state: &AppState,
    language: &str,
    list: ListPage,
    raw_page: Option<&str>,
) -> Result<Response, HttpError> {
    let page = page_number(raw_page)?;
    let size = state.config.site.page_size;
    let mut cards = state
        .store
        .article_cards(&list.filter, size + 1, (page - 1) * size)
        .await?;
    let has_next = cards.len() as i64 > size;
    cards.truncate(size as usize);
    // Only published stories make public pages: a tag only drafts use, an
    // author with nothing out yet, a day without news have none (and an
    // empty archive never takes a place in the page cache).
    if cards.is_empty() && (page > 1 || list.kind != "section") {
        return Err(HttpError::NotFound);
    }
    let sections = nav_sections(state).await?;
    let path = if page > 1 {
        format!("{}?page={page}", list.path)
    } else {
        list.path.clone()
    };
    let mut view = Page::new(state, language, &list.title, &path, &sections);
    if let Some(feed_path) = &list.feed_path {
        view.list_feeds(state, &list.title, feed_path);
    }
    view.set("kind", list.kind)
        .set("heading", &list.title)
        .set("description", &list.description)
        .set("stories", card_views(state, &cards, &sections))
        .set("page", page)
        .set(
            "next_url",
            has_next.then(|| format!("{}?page={}", list.path, page + 1)),
        )
        .set(
            "prev_url",
            (page > 1).then(|| {
                if page == 2 {
                    list.path.clone()
                } else {
                    format!("{}?page={}", list.path, page - 1)
                }
            }),
        );
    view.render(state, "list.html", Some(CacheTags::listing(language)))
}

fn published(language: &str) -> ArticleFilter {
    ArticleFilter {
        status: Some(ArticleStatus::Published),
        language: Some(language.to_owned()),
        ..Default::default()
    }
}

fn not_found_on_missing<T>(result: Result<T, StoreError>) -> Result<T, HttpError> {
    result.map_err(|e| match e {
        StoreError::NotFound => HttpError::NotFound,
        other => other.into(),
    })
}

pub async fn show_section(
    State(state): State<AppState>,
    Extension(Lang(language)): Extension<Lang>,
    Path(slug): Path<String>,
    Query(query): Query<PageQuery>,
) -> Result<Response, HttpError> {
    let section = not_found_on_missing(state.store.section_by_slug(&slug).await)?;
    let path = state.urls.section(&language, &section.slug);
    let list = ListPage {
        kind: "section",
        title: section.name(&language).to_owned(),
        description: String::new(),
        feed_path: Some(path.clone()),
        path,
        filter: ArticleFilter {
            section_id: Some(section.id),
            ..published(&language)
        },
    };
    render_list(&state, &language, list, query.page.as_deref()).await
}

pub async fn show_tag(
    State(state): State<AppState>,
    Extension(Lang(language)): Extension<Lang>,
    Path(slug): Path<String>,
    Query(query): Query<PageQuery>,
) -> Result<Response, HttpError> {
    let tag = not_found_on_missing(state.store.tag_in(&slug, &language).await)?;
    let path = state.urls.tag(&language, &tag.slug);
    let list = ListPage {
        kind: "tag",
        title: format!("#{}", tag.name),
        description: String::new(),
        feed_path: Some(path.clone()),
        path,
        filter: ArticleFilter {
            tag_id: Some(tag.id),
            ..published(&language)
        },
    };
    render_list(&state, &language, list, query.page.as_deref()).await
}

pub async fn show_author(
    State(state): State<AppState>,
    Extension(Lang(language)): Extension<Lang>,
    Path(slug): Path<String>,
    Query(query): Query<PageQuery>,
) -> Result<Response, HttpError> {
    let staff = not_found_on_missing(state.store.staff_by_slug(&slug).await)?;
    let list = ListPage {
        kind: "author",
        title: display_name(&staff.name, state.locales.get(&language)),
        description: staff.bio.clone(),
        feed_path: None,
        path: state.urls.author(&language, &staff.slug),
        filter: ArticleFilter {
            author_id: Some(staff.id),
            ..published(&language)
        },
    };
    render_list(&state, &language, list, query.page.as_deref()).await
}

pub async fn show_day(
    State(state): State<AppState>,
    Extension(Lang(language)): Extension<Lang>,
    Path((year, month, day)): Path<(String, String, String)>,
    Query(query): Query<PageQuery>,
) -> Result<Response, HttpError> {
    let date = parse_date(&year, &month, &day).ok_or(HttpError::NotFound)?;
    let tz = &state.config.site.timezone;
    let start = date.to_zoned(tz.clone()).map_err(|_| HttpError::NotFound)?;
    let end = start.tomorrow().map_err(|_| HttpError::NotFound)?;
    let start_ts = start.timestamp().as_second();
    let title = format!(
        "{} {}",
        &state.locales.get(&language).site_words()["archive"],
        state.locales.get(&language).date(start_ts + 12 * 3600, tz)
    );
    let list = ListPage {
        kind: "day",
        title,
        description: String::new(),
        feed_path: None,
        path: state
            .urls
            .day(&language, (date.year(), date.month(), date.day())),
        filter: ArticleFilter {
            published_from: Some(start_ts),
            published_until: Some(end.timestamp().as_second()),
            ..published(&language)
        },
    };
    render_list(&state, &language, list, query.page.as_deref()).await
}

/// A real calendar date in the address: "2025/13/45" is not one.
fn parse_date(year: &str, month: &str, day: &str) -> Option<jiff::civil::Date> {
    let digits = |s: &str, len: usize| s.len() == len && s.bytes().all(|b| b.is_ascii_digit());
    if !digits(year, 4) || !digits(month, 2) || !digits(day, 2) {
        return None;
    }
    let year: i16 = year.parse().ok()?;
    if !(1990..=2200).contains(&year) {
        return None;
    }
    jiff::civil::Date::new(year, month.parse().ok()?, day.parse().ok()?).ok()
}

#[cfg(test)]
mod tests {
    use super::parse_date;

    #[test]
    fn only_real_dates_parse() {
        assert!(parse_date("2026", "11", "25").is_some());
        assert!(parse_date("2024", "02", "29").is_some());
        assert!(parse_date("2025", "02", "29").is_none());
        assert!(parse_date("2025", "13", "45").is_none());
        assert!(parse_date("0000", "01", "01").is_none());
        assert!(parse_date("2025", "1", "01").is_none());
        assert!(parse_date("99999", "01", "01").is_none());
    }
}
