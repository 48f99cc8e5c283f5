//! Static pages (About, Team, Editorial standards, Contacts) and the old
//! site's addresses that lead to new ones.

use axum::Extension;
use axum::extract::{Path, Request, State};
use axum::http::{Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Redirect, Response};
use serde_json::json;

use super::Lang;
use super::cache::CacheTags;
use super::views::{Page, nav_sections};
use crate::app::AppState;

use crate::content::markdown::{plain_text, render_body};
use crate::http::error::HttpError;
use crate::import::legacy_key;
use crate::store::{ArticleStatus, LegacyTarget, StoreError};

pub async fn show_page(
    State(state): State<AppState>,
    Extension(Lang(language)): Extension<Lang>,
    Path(slug): Path<String>,
) -> Result<Response, HttpError> {
    // Scanners' `/wp-login.php` and `/favicon.ico` are no page: answered
    // without asking the database.
    if !crate::content::slug::is_valid_slug(&slug) {
        return Err(HttpError::NotFound);
    }
    let page = match state.store.page_by_slug(&language, &slug).await {
        Ok(page) if page.is_published() => page,
        Ok(_) | Err(StoreError::NotFound) => return Err(HttpError::NotFound),
        Err(e) => return Err(e.into()),
    };
    let path = state.urls.page(&language, &page.slug);
    let sections = nav_sections(&state).await?;
    let translations: Vec<_> = state
        .store
        .page_translations(&page)
        .await?
        .into_iter()
        .filter(|t| t.is_published())
        .map(|t| {
            let url = state.urls.page(&t.language, &t.slug);
            json!({
                "lang": t.language,
                "language_name": state.locales.language_name(&t.language),
                "title": t.title,
                "url": url,
                "absolute_url": state.urls.absolute(&url),
            })
        })
        .collect();
    let mut alternates = vec![json!({ "lang": language, "url": state.urls.absolute(&path) })];
    alternates.extend(
        translations
            .iter()
            .map(|t| json!({ "lang": &t["lang"], "url": &t["absolute_url"] })),
    );
    let description = if page.meta_description.is_empty() {
        plain_text(&page.body.replace("[[team]]", ""), 200)
    } else {
        page.meta_description.clone()
    };
    let mut view = Page::new(&state, &language, &page.title, &path, &sections);
    view.set("page", json!({ "title": page.title }))
        .set("description", &description)
        .set("translations", &translations);
    if translations.is_empty() {
        view.set("alternates", Vec::<serde_json::Value>::new());
    } else {
        view.set("alternates", &alternates);
    }
    let mut body_html = state
        .urls
        .media_in_html(render_body(&page.body, state.locales.get(&language)));
    if body_html.contains(crate::services::pages::TEAM_MARKER) {
        let team = crate::services::pages::team_html(&state, &language).await?;
        body_html = body_html.replacen(crate::services::pages::TEAM_MARKER, &team, 1);
    }
    view.safe("body_html", body_html);
    view.render(&state, "page.html", Some(CacheTags::until_cleared()))
}

/// Sends readers and search engines from the old site's addresses to the
/// new ones with a permanent redirect. Looked up only for addresses the
/// site does not answer itself (a 404), WordPress's numeric links
/// (`/?p=123`) and addresses with a trailing slash, so ordinary pages cost
/// nothing extra.
pub async fn legacy_redirects(
    State(state): State<AppState>,
    request: Request,
    next: Next,
) -> Response {
    if request.method() != Method::GET && request.method() != Method::HEAD {
        return next.run(request).await;
    }
    let path = request.uri().path().to_owned();
    let query = request.uri().query().map(str::to_owned);
    let numeric_link = query.as_deref().is_some_and(|q| {
        q.split('&').any(|pair| {
            matches!(
                pair.split('=').next(),
                Some("p" | "page_id" | "cat" | "tag" | "author")
            )
        })
    });
    if numeric_link || (path.len() > 1 && path.ends_with('/')) {
        if let Some(response) = redirect_for(&state, &path, query.as_deref()).await {
            return response;
        }
        if numeric_link {
            return next.run(request).await;
        }
    }
    let response = next.run(request).await;
    if response.status() != StatusCode::NOT_FOUND {
        return response;
    }
    redirect_for(&state, &path, None).await.unwrap_or(response)
}

async fn redirect_for(state: &AppState, path: &str, query: Option<&str>) -> Option<Response> {
    let key = legacy_key(path, query)?;
    let target = match state.store.legacy_target(&key).await {
        Ok(Some(target)) => target,
        Ok(None) => return None,
        Err(err) => {
            tracing::warn!(error = %err, "cannot look up an old address");
            return None;
        }
    };
    let location = match target {
        LegacyTarget::Path(path) => Some(path),
        LegacyTarget::Article(id) => match state.store.article_row(id).await {
            Ok(row) if row.status == ArticleStatus::Published => state.urls.article_row(&row),
            _ => None,
        },
        LegacyTarget::Page(id) => match state.store.page(id).await {
            Ok(page) if page.is_published() => Some(state.urls.page(&page.language, &page.slug)),
            _ => None,
        },
    }?;
    Some(Redirect::permanent(&location).into_response())
}
