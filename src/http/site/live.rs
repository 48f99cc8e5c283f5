//! Live pages for readers: each update pushed to the open page as it is
//! posted (Server-Sent Events; the page reads fine without them), and a
//! feed of the updates.

use std::convert::Infallible;
use std::sync::Arc;
use std::time::Duration;

use axum::Extension;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use futures_util::stream::{self, Stream, StreamExt};
use minijinja::context;

use super::Lang;
use super::article::live_update_views;
use super::cache::CacheTags;
use crate::app::AppState;
use crate::content::markdown::plain_text;
use crate::http::error::HttpError;
use crate::services::live::{LiveEvent, LiveMark, LiveMessage};
use crate::store::{ArticleView, LiveUpdate};

/// Readers one node keeps connected to live pages; past it they are told
/// to come back later (the page itself still loads, from the cache).
pub const MAX_LIVE_READERS: usize = 20_000;

/// The published story at this address, if it is (or was) a live page.
async fn live_story(
    state: &AppState,
    language: &str,
    (year, month, day, slug): (String, String, String, String),
) -> Result<(ArticleView, String), HttpError> {
    let view = state
        .store
        .published_article(language, &slug)
        .await?
        .ok_or(HttpError::NotFound)?;
    let path = state
        .urls
        .article_row(&view.article)
        .ok_or(HttpError::NotFound)?;
    if path
        != format!(
            "{}/{year}/{month}/{day}/{slug}",
            state.urls.prefix(language)
        )
    {
        return Err(HttpError::NotFound);
    }
    Ok((view, path))
}

/// One update as the page draws it.
fn update_html(state: &AppState, language: &str, update: &LiveUpdate) -> String {
    let views = live_update_views(state, language, std::slice::from_ref(update));
    state
        .templates
        .render(
            "live_update.html",
            context! {
                update => views.first(),
                t => state.locales.get(language).site_words(),
                lang => language,
            },
        )
        .unwrap_or_else(|e| {
            tracing::error!(error = %e, "live update not drawn");
            String::new()
        })
}

fn update_event(id: i64, html: &str) -> Event {
    Event::default()
        .event("update")
        .id(id.to_string())
        .data(html)
}

/// `…/slug/events`: the page's updates as they are posted.
pub async fn live_events(
    State(state): State<AppState>,
    Extension(Lang(language)): Extension<Lang>,
    Path(address): Path<(String, String, String, String)>,
    headers: HeaderMap,
) -> Result<Response, HttpError> {
    let (view, _) = live_story(&state, &language, address).await?;
    let id = view.article.id;
    match state.store.live_page(id).await? {
        Some(page) if page.closed_at.is_none() => {}
        // 204 tells a browser's EventSource to stop asking.
        _ => return Ok(StatusCode::NO_CONTENT.into_response()),
    }
    if state.live.readers() >= MAX_LIVE_READERS {
        return Err(HttpError::Unavailable(
            "too many live readers on this server; reload the page to see new updates".into(),
        ));
    }
    let (count, newest) = state.store.live_update_count(id).await?;
    // A browser reconnecting says what it saw last; it gets what it missed.
    let seen = headers
        .get("last-event-id")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<i64>().ok())
        .filter(|seen| (0..newest).contains(seen));
    let missed = match seen {
        Some(seen) => state.store.live_updates_after(id, seen).await?,
        None => Vec::new(),
    };
    let receiver = state.live.subscribe(
        id,
        LiveMark {
            newest,
            count,
            closed: false,
        },
    );
    let first: Vec<Result<Event, Infallible>> = missed
        .iter()
        .map(|u| Ok(update_event(u.id, &update_html(&state, &language, u))))
        .collect();
    let later = stream::unfold(
        (receiver, state, language),
        move |(mut receiver, state, language)| async move {
            loop {
                let message: Arc<LiveMessage> = match receiver.recv().await {
                    Ok(message) => message,
                    // Fell behind: the page is best reloaded.
                    Err(tokio::sync::broadcast::error::RecvError::Lagged(_)) => {
                        let event = Event::default().event("changed").data("reload");
                        return Some((Ok(event), (receiver, state, language)));
                    }
                    Err(tokio::sync::broadcast::error::RecvError::Closed) => return None,
                };
                if message.article != id {
                    continue;
                }
                let event = match &message.event {
                    LiveEvent::Update { update, html } => {
                        let html = html.get_or_init(|| update_html(&state, &language, update));
                        update_event(update.id, html)
                    }
                    LiveEvent::Changed => Event::default().event("changed").data("reload"),
                };
                return Some((Ok(event), (receiver, state, language)));
            }
        },
    );
    let events: std::pin::Pin<Box<dyn Stream<Item = Result<Event, Infallible>> + Send>> =
        Box::pin(stream::iter(first).chain(later));
    let mut response = Sse::new(events)
        .keep_alive(KeepAlive::new().interval(Duration::from_secs(15)))
        .into_response();
    // Proxies must pass each event on at once, not gather them.
    response
        .headers_mut()
        .insert("x-accel-buffering", HeaderValue::from_static("no"));
    response
        .headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    Ok(response)
}

/// `…/slug/feed.xml`: the page's updates as RSS, newest first.
pub async fn live_feed(
    State(state): State<AppState>,
    Extension(Lang(language)): Extension<Lang>,
    Path(address): Path<(String, String, String, String)>,
) -> Result<Response, HttpError> {
    let (view, path) = live_story(&state, &language, address).await?;
    let id = view.article.id;
    if state.store.live_page(id).await?.is_none() {
        return Err(HttpError::NotFound);
    }
    let updates = state.store.live_updates(id).await?;
    let canonical = state.urls.absolute(&path);
    let host = state.urls.host();
    let items: Vec<_> = updates
        .iter()
        .take(100)
        .map(|u| {
            let text = plain_text(&u.body, 5000);
            let html = super::feeds::absolute_links(
                &state,
                &state
                    .urls
                    .media_in_html(crate::content::markdown::render_body(
                        &u.body,
                        state.locales.get(&language),
                    )),
            );
            serde_json::json!({
                "title": super::article::shorten(&text, 110),
                "url": format!("{canonical}#update-{}", u.id),
                "summary": text,
                "guid": format!("tag:{host},2026:live-update-{}", u.id),
                "published": u.created_at,
                "updated": u.created_at,
                "content": html,
                "authors": u.author_name.iter().collect::<Vec<_>>(),
            })
        })
        .collect();
    let xml = state.templates.render(
        "rss.xml",
        context! {
            title => view.article.headline.clone(),
            lang => language,
            link => canonical,
            self_url => state.urls.absolute(&format!("{path}/feed.xml")),
            updated => updates.first().map_or(view.article.published_at.unwrap_or(0), |u| u.created_at),
            items => items,
        },
    )?;
    let mut response = (
        [(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/rss+xml; charset=utf-8"),
        )],
        crate::content::xml_safe(xml),
    )
        .into_response();
    response
        .extensions_mut()
        .insert(CacheTags::article_page([id]));
    Ok(response)
}
