//! Full-text search over published stories in the page's language.

use axum::Extension;
use axum::extract::{Query, State};
use axum::response::Response;
use serde::Deserialize;

use super::Lang;
use super::views::{Page, card_views, nav_sections, page_number};
use crate::app::AppState;

use crate::http::client_addr::ClientAddr;
use crate::http::error::HttpError;
use crate::http::site::search_gate::Refused;

const MAX_QUERY_CHARS: usize = 200;
const MAX_TERMS: usize = 8;

#[derive(Deserialize)]
pub struct SearchQuery {
    q: Option<String>,
    page: Option<String>,
}

pub async fn show_search(
    State(state): State<AppState>,
    Extension(Lang(language)): Extension<Lang>,
    client: ClientAddr,
    Query(query): Query<SearchQuery>,
) -> Result<Response, HttpError> {
    let page = page_number(query.page.as_deref())?;
    let text: String = query
        .q
        .unwrap_or_default()
        .chars()
        .take(MAX_QUERY_CHARS)
        .collect();
    // Each word searches its stem: «урядом» finds «уряду».
    let terms: Vec<String> = crate::search::words(&text)
        .take(MAX_TERMS)
        .map(|term| crate::content::stem::stem(&term, &language))
        .collect();
    // Results are cards from the database: while it is gone, say so at once.
    if !terms.is_empty() && state.store.health().is_down() {
        return Err(HttpError::Unavailable(
            "the database is not answering; try again in a minute".into(),
        ));
    }
    // The search form itself costs nothing; a search waits its turn.
    let _turn = if terms.is_empty() {
        None
    } else {
        match state.search_gate.enter(client.0).await {
            Ok(turn) => Some(turn),
            Err(Refused::TooOften) => {
                return Err(HttpError::TooManyRequests(
                    "too many searches from your address; try again in a few seconds".into(),
                ));
            }
            Err(Refused::Busy) => {
                return Err(HttpError::Unavailable(
                    "search is busy; try again in a moment".into(),
                ));
            }
        }
    };
    let size = state.config.site.page_size;
    let mut cards = ranked_stories(&state, &language, &terms, size + 1, (page - 1) * size).await?;
    let has_next = cards.len() as i64 > size;
    cards.truncate(size as usize);
    let sections = nav_sections(&state).await?;
    let base = state.urls.search(&language);
    let encoded: String = url::form_urlencoded::byte_serialize(text.trim().as_bytes()).collect();
    let mut view = Page::new(
        &state,
        &language,
        &state.locales.get(&language).site_words()["search"],
        &base,
        &sections,
    );
    view.set("query", text.trim())
        .set("searched", !terms.is_empty())
        .set("stories", card_views(&state, &cards, &sections))
        .set("page", page)
        .set("noindex", true)
        .set(
            "next_url",
            has_next.then(|| format!("{base}?q={encoded}&page={}", page + 1)),
        )
        .set(
            "prev_url",
            (page > 1).then(|| format!("{base}?q={encoded}&page={}", page - 1)),
        );
    // Search results change with every story and every query: never cached.
    view.render(&state, "search.html", None)
}

/// One page of results from this node's index, or from the database while
/// the index is being built (or cannot answer: its error is logged).
async fn ranked_stories(
    state: &AppState,
    language: &str,
    stems: &[String],
    limit: i64,
    offset: i64,
) -> Result<Vec<crate::store::ArticleCard>, HttpError> {
    if stems.is_empty() {
        return Ok(Vec::new());
    }
    let now = state.clock.now();
    let request = crate::search::SearchRequest {
        language,
        stems,
        limit: usize::try_from(limit).unwrap_or(0),
        offset: usize::try_from(offset).unwrap_or(0),
        now,
    };
    match state.search.search(&state.store, &request).await {
        Ok(Some(ids)) => return Ok(state.store.cards_in_order(&ids, language).await?),
        Ok(None) => {}
        Err(e) => tracing::warn!(error = %e, "search index failed; the database answers"),
    }
    Ok(state
        .store
        .search_articles(language, stems, limit, offset, now)
        .await?)
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_query_keeps_at_most_eight_words() {
        let text = "слово ".repeat(50);
        assert_eq!(
            crate::search::words(&text).take(super::MAX_TERMS).count(),
            8
        );
    }
}
