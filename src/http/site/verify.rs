//! Signed story versions on the site: each story's versions as JSON beside
//! it, the newsroom's public keys, and `/verify`, where anyone can check a
//! link or a quote against what the newsroom signed.

use axum::Extension;
use axum::extract::{Query, State};
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use serde_json::json;

use super::Lang;
use super::cache::CacheTags;
use super::views::{Page, nav_sections};
use crate::app::AppState;
use crate::http::client_addr::ClientAddr;
use crate::http::error::HttpError;
use crate::http::site::search_gate::Refused;
use crate::services::signing;
use crate::store::ArticleView;

/// What a `…/slug.*.json` address asks for.
pub enum SignedFile {
    /// `slug.signed.json` (the newest) or `slug.vN.signed.json`.
    Version(Option<i64>),
    /// `slug.versions.json`: the public list of every version.
    List,
    /// `slug.updates.json`: a live page's updates, each signed on its own.
    Updates,
}

/// Splits `slug.signed.json`, `slug.v3.signed.json`, `slug.versions.json`
/// and `slug.updates.json`.
pub fn signed_file(name: &str) -> Option<(&str, SignedFile)> {
    if let Some(slug) = name.strip_suffix(".versions.json") {
        return Some((slug, SignedFile::List));
    }
    if let Some(slug) = name.strip_suffix(".updates.json") {
        return Some((slug, SignedFile::Updates));
    }
    let rest = name.strip_suffix(".signed.json")?;
    match rest.rsplit_once(".v") {
        Some((slug, number))
            if !number.is_empty() && number.bytes().all(|b| b.is_ascii_digit()) =>
        {
            Some((slug, SignedFile::Version(Some(number.parse().ok()?))))
        }
        _ => Some((rest, SignedFile::Version(None))),
    }
}

/// JSON anyone may fetch (verifiers run in other sites' pages too), kept
/// in the page cache until the story changes.
fn public_json(body: String, tags: CacheTags) -> Response {
    let mut response = (
        [
            (
                header::CONTENT_TYPE,
                HeaderValue::from_static("application/json"),
            ),
            (
                header::ACCESS_CONTROL_ALLOW_ORIGIN,
                HeaderValue::from_static("*"),
            ),
        ],
        body,
    )
        .into_response();
    response.extensions_mut().insert(tags);
    response
}

/// A story's signed version, or its list of versions.
pub async fn signed_version(
    state: &AppState,
    view: &ArticleView,
    path: &str,
    wanted: SignedFile,
) -> Result<Response, HttpError> {
    let id = view.article.id;
    let tags = CacheTags::article_page([id]);
    signing::ensure_signed(state, view).await?;
    match wanted {
        SignedFile::Version(version) => {
            let Some((_, document)) = state.store.story_version_document(id, version).await? else {
                return Err(HttpError::NotFound);
            };
            Ok(public_json(document, tags))
        }
        SignedFile::Updates => {
            let documents = state.store.live_update_documents(id).await?;
            // Each document is already JSON: the list is written around them.
            Ok(public_json(
                format!("{{\"updates\":[{}]}}", documents.join(",")),
                tags,
            ))
        }
        SignedFile::List => {
            let versions = state.store.story_versions(id).await?;
            let list = json!({
                "url": state.urls.absolute(path),
                "keys": state.urls.absolute("/.well-known/newsdesk-keys.json"),
                "versions": versions.iter().map(|v| json!({
                    "version": v.version,
                    "signed_at": crate::i18n::rfc3339(v.signed_at),
                    "key_id": v.key_id,
                    "story_sha256": v.story_sha256,
                    "url": state.urls.absolute(&format!("{path}.v{}.signed.json", v.version)),
                })).collect::<Vec<_>>(),
            });
            Ok(public_json(
                serde_json::to_string_pretty(&list).unwrap_or_default(),
                tags,
            ))
        }
    }
}

/// `/.well-known/newsdesk-keys.json`.
pub async fn show_keys(State(state): State<AppState>) -> Result<Response, HttpError> {
    let keys = signing::published_keys(&state).await?;
    Ok(public_json(
        serde_json::to_string_pretty(&keys).unwrap_or_default(),
        // Dropped with every-language lists: a publish that registers a key drops it.
        CacheTags::listing("*"),
    ))
}

#[derive(Deserialize)]
pub struct VerifyQuery {
    q: Option<String>,
}

/// `/verify`: paste a link or a quote, see whether (and in which version) we published it.
pub async fn show_verify(
    State(state): State<AppState>,
    Extension(Lang(language)): Extension<Lang>,
    client: ClientAddr,
    Query(query): Query<VerifyQuery>,
) -> Result<Response, HttpError> {
    let text: String = query
        .q
        .unwrap_or_default()
        .chars()
        .take(signing::MAX_CHECK_CHARS)
        .collect();
    let text = text.trim().to_owned();
    let finding = if text.is_empty() {
        None
    } else {
        // A lookup is a search or two: it waits its turn like one.
        let _turn = match state.search_gate.enter(client.0).await {
            Ok(turn) => turn,
            Err(Refused::TooOften) => {
                return Err(HttpError::TooManyRequests(
                    "too many checks from your address; try again in a few seconds".into(),
                ));
            }
            Err(Refused::Busy) => {
                return Err(HttpError::Unavailable(
                    "checking is busy; try again in a moment".into(),
                ));
            }
        };
        signing::check(&state, &language, &text).await?
    };
    let sections = nav_sections(&state).await?;
    let path = format!("{}/verify", state.urls.prefix(&language));
    let words = state.locales.get(&language).site_words();
    let mut page = Page::new(&state, &language, &words["verify_title"], &path, &sections);
    page.set("verify_query", &text)
        .set("verify_path", &path)
        .set("checked", !text.is_empty())
        .set("finding", &finding)
        .set("keys_url", "/.well-known/newsdesk-keys.json")
        .set("noindex", true);
    // Answers depend on the question: never cached.
    page.render(&state, "verify.html", None)
}
