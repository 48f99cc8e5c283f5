//! Signed story versions: every published version of a story is written as
//! canonical JSON and signed with the newsroom's Ed25519 key, so anyone can
//! check that a text is (or is not) what the newsroom published, and that
//! no published version was changed quietly (docs/SIGNING.md).
//!
//! Each version names the SHA-256 of the one before, so the versions of a
//! story form a chain: dropping or rewriting one breaks every later one.

use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};

use base64::Engine;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use ed25519_dalek::{Signature, Signer, SigningKey, VerifyingKey};
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

use super::ServiceResult;
use crate::app::AppState;
use crate::i18n::rfc3339;
use crate::store::{ArticleStatus, ArticleView, NewStoryVersion, StoreError};

/// The `format` every signed story version carries.
pub const FORMAT: &str = "newsdesk-signed-story/1";
/// The `format` of a live page's update, signed on its own.
pub const UPDATE_FORMAT: &str = "newsdesk-signed-update/1";

#[derive(Debug, thiserror::Error)]
pub enum KeyFileError {
    #[error("signing key file {0}: {1}")]
    Io(String, std::io::Error),
    #[error("signing key file {0} does not hold a key (64 hexadecimal digits)")]
    Malformed(String),
}

/// The newsroom's signing key (its secret half stays in a file of its own).
pub struct NewsroomKey {
    signing: SigningKey,
    key_id: String,
    /// Whether this node has put the public half in the database.
    registered: AtomicBool,
}

impl std::fmt::Debug for NewsroomKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("NewsroomKey")
            .field("key_id", &self.key_id)
            .finish_non_exhaustive()
    }
}

impl NewsroomKey {
    /// Reads the key in `path`, creating one (readable only by its owner) on first start.
    pub fn load_or_create(path: &Path) -> Result<Self, KeyFileError> {
        let shown = path.display().to_string();
        let seed = match std::fs::read_to_string(path) {
            Ok(text) => {
                let bytes =
                    hex::decode(text.trim()).map_err(|_| KeyFileError::Malformed(shown.clone()))?;
                <[u8; 32]>::try_from(bytes.as_slice())
                    .map_err(|_| KeyFileError::Malformed(shown.clone()))?
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                let seed: [u8; 32] = rand::random();
                write_secret(path, &hex::encode(seed)).map_err(|e| KeyFileError::Io(shown, e))?;
                seed
            }
            Err(e) => return Err(KeyFileError::Io(shown, e)),
        };
        Ok(Self::from_seed(&seed))
    }

    pub fn from_seed(seed: &[u8; 32]) -> Self {
        let signing = SigningKey::from_bytes(seed);
        let key_id = key_id_of(&signing.verifying_key());
        NewsroomKey {
            signing,
            key_id,
            registered: AtomicBool::new(false),
        }
    }

    pub fn key_id(&self) -> &str {
        &self.key_id
    }

    /// The public half, base64 (standard alphabet, padded) of its 32 bytes.
    pub fn public_key(&self) -> String {
        STANDARD.encode(self.signing.verifying_key().as_bytes())
    }

    fn sign(&self, bytes: &[u8]) -> String {
        URL_SAFE_NO_PAD.encode(self.signing.sign(bytes).to_bytes())
    }
}

fn write_secret(path: &Path, text: &str) -> std::io::Result<()> {
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent)?;
    }
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    std::io::Write::write_all(&mut options.open(path)?, text.as_bytes())
}

/// A key's id: the first 16 hex digits of the SHA-256 of its 32 public bytes.
pub fn key_id_of(key: &VerifyingKey) -> String {
    hex::encode(&Sha256::digest(key.as_bytes())[..8])
}

/// JSON with object keys sorted and no spaces: the bytes that are signed.
/// For what we sign (strings, integers, null, arrays, objects with ASCII
/// keys) this is RFC 8785's canonical form.
pub fn canonical_json(value: &Value) -> String {
    let mut out = String::new();
    write_canonical(value, &mut out);
    out
}

fn write_canonical(value: &Value, out: &mut String) {
    match value {
        Value::Object(map) => {
            let mut entries: Vec<_> = map.iter().collect();
            entries.sort_by(|a, b| a.0.cmp(b.0));
            out.push('{');
            for (i, (key, value)) in entries.into_iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                out.push_str(&Value::String(key.clone()).to_string());
                out.push(':');
                write_canonical(value, out);
            }
            out.push('}');
        }
        Value::Array(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write_canonical(item, out);
            }
            out.push(']');
        }
        other => out.push_str(&other.to_string()),
    }
}

fn sha256_hex(text: &str) -> String {
    hex::encode(Sha256::digest(text.as_bytes()))
}

/// What a version says: everything but its number, its link to the one
/// before and when it was signed.
fn story_content(state: &AppState, view: &ArticleView, updates: &[i64]) -> Option<Value> {
    let article = &view.article;
    let url = state.urls.absolute(&state.urls.article_row(article)?);
    let published_at = article.published_at?;
    let mut content = json!({
        "site": state.urls.base_url(),
        "id": article.id.0,
        "url": url,
        "language": article.language,
        "headline": article.headline,
        "standfirst": article.standfirst,
        "body": article.body,
        "authors": view.authors.iter().map(|a| a.name.clone()).collect::<Vec<_>>(),
        "sources": view.sources.iter().map(|s| json!({
            "outlet": s.outlet, "url": s.url, "citation": s.citation,
        })).collect::<Vec<_>>(),
        "corrections": view.corrections.iter().map(|c| json!({
            "kind": c.kind.as_str(), "text": c.body, "at": rfc3339(c.created_at),
        })).collect::<Vec<_>>(),
        "published_at": rfc3339(published_at),
        "updated_at": rfc3339(article.content_updated_at.unwrap_or(published_at).max(published_at)),
    });
    // A live page's versions name its updates, each signed on its own
    // (`sign_update`): a version per update stays small however many there are.
    if !updates.is_empty() {
        content["updates"] = json!(updates);
    }
    Some(content)
}

/// Signs the story's current text as a new version when it is published and
/// says something no signed version says yet. Returns the new version's number.
pub async fn sign_if_changed(state: &AppState, view: &ArticleView) -> ServiceResult<Option<i64>> {
    if view.article.status != ArticleStatus::Published {
        return Ok(None);
    }
    let updates = state.store.live_update_ids(view.article.id).await?;
    let Some(content) = story_content(state, view, &updates) else {
        return Ok(None);
    };
    let content_sha256 = sha256_hex(&canonical_json(&content));
    let key = &state.signing;
    register_key(state).await?;
    // Two nodes saving at once both try the next number; the loser looks again.
    for _ in 0..3 {
        let latest = state.store.latest_story_version(view.article.id).await?;
        if latest
            .as_ref()
            .is_some_and(|l| l.content_sha256 == content_sha256)
        {
            return Ok(None);
        }
        let version = latest.as_ref().map_or(1, |l| l.version + 1);
        let signed_at = state.clock.now();
        let mut story = content.clone();
        story["version"] = json!(version);
        story["previous_sha256"] = json!(latest.as_ref().map(|l| l.story_sha256.clone()));
        story["signed_at"] = json!(rfc3339(signed_at));
        let signed_bytes = canonical_json(&story);
        let document = canonical_json(&json!({
            "format": FORMAT,
            "key_id": key.key_id(),
            "signature": key.sign(signed_bytes.as_bytes()),
            "story": story,
        }));
        let recorded = state
            .store
            .insert_story_version(&NewStoryVersion {
                article: view.article.id,
                version,
                content_sha256: &content_sha256,
                story_sha256: &sha256_hex(&signed_bytes),
                key_id: key.key_id(),
                signed_at,
                document: &document,
            })
            .await;
        match recorded {
            Ok(()) => {
                tracing::info!(article.id = %view.article.id, version, key_id = key.key_id(), "story version signed");
                return Ok(Some(version));
            }
            Err(StoreError::Conflict { .. }) => continue,
            Err(e) => return Err(e.into()),
        }
    }
    Ok(None)
}

/// Puts this node's public key in the database's list, once per process.
async fn register_key(state: &AppState) -> ServiceResult<()> {
    let key = &state.signing;
    if !key.registered.load(Ordering::Relaxed) {
        // The key list is cached as a list of every language: the publish
        // that registers a key drops it on every node, as it drops lists.
        state
            .store
            .register_signing_key(key.key_id(), &key.public_key(), state.clock.now())
            .await?;
        key.registered.store(true, Ordering::Relaxed);
    }
    Ok(())
}

/// Retires this node's key and makes a new one in its file; the old file is
/// kept beside it as `….retired-KEYID`. Returns (old id, new id).
pub async fn rotate(state: &AppState) -> anyhow::Result<(String, String)> {
    register_key(state).await?;
    let old = state.signing.key_id().to_owned();
    let file = &state.config.signing_key_file;
    let kept = file.with_file_name(format!(
        "{}.retired-{old}",
        file.file_name()
            .and_then(|n| n.to_str())
            .unwrap_or("signing.key")
    ));
    std::fs::rename(file, &kept)?;
    let new = NewsroomKey::load_or_create(file)?;
    let now = state.clock.now();
    state.store.retire_signing_key(&old, now).await?;
    state
        .store
        .register_signing_key(new.key_id(), &new.public_key(), now)
        .await?;
    super::site_changed(state).await?;
    Ok((old, new.key_id().to_owned()))
}

/// Signs a live update once, on its own, and keeps the document with it.
pub async fn sign_update(
    state: &AppState,
    article: &crate::store::ArticleRow,
    update: &crate::store::LiveUpdate,
) -> ServiceResult<()> {
    register_key(state).await?;
    let key = &state.signing;
    let story_url = state
        .urls
        .article_row(article)
        .map(|path| state.urls.absolute(&path));
    let signed = json!({
        "site": state.urls.base_url(),
        "story_id": article.id.0,
        "story_url": story_url,
        "id": update.id,
        "at": rfc3339(update.created_at),
        "author": update.author_name,
        "text": update.body,
        "source": update.source,
        "source_url": update.source_url,
    });
    let document = canonical_json(&json!({
        "format": UPDATE_FORMAT,
        "key_id": key.key_id(),
        "signature": key.sign(canonical_json(&signed).as_bytes()),
        "update": signed,
    }));
    state
        .store
        .set_live_update_document(update.id, &document)
        .await?;
    Ok(())
}

/// Signs a published story that has no signed version yet: stories written
/// in bulk (imports, restores, the demo) are signed when first asked for.
pub async fn ensure_signed(state: &AppState, view: &ArticleView) -> ServiceResult<()> {
    if view.article.status == ArticleStatus::Published
        && state
            .store
            .latest_story_version(view.article.id)
            .await?
            .is_none()
    {
        sign_if_changed(state, view).await?;
    }
    Ok(())
}

/// A public key a verifier trusts.
#[derive(Clone, Debug, serde::Deserialize)]
pub struct TrustedKey {
    pub key_id: String,
    pub public_key: String,
}

/// What a valid signed document says (a story version, or a live update).
#[derive(Clone, Debug)]
pub struct VerifiedStory {
    pub key_id: String,
    pub story: Value,
    /// SHA-256 of the signed bytes: what the next version names as `previous_sha256`.
    pub story_sha256: String,
}

#[derive(Debug, thiserror::Error, PartialEq)]
pub enum VerifyError {
    #[error("not a signed newsdesk story (expected format {FORMAT} or {UPDATE_FORMAT})")]
    NotASignedStory,
    #[error("signed with key {0}, which is not among the newsroom's keys")]
    UnknownKey(String),
    #[error("the signature does not match: this is not what the newsroom signed")]
    BadSignature,
}

/// Checks a signed document against the newsroom's keys.
pub fn verify_document(document: &str, keys: &[TrustedKey]) -> Result<VerifiedStory, VerifyError> {
    let parsed: Value = serde_json::from_str(document).map_err(|_| VerifyError::NotASignedStory)?;
    let field = match parsed["format"].as_str() {
        Some(FORMAT) => "story",
        Some(UPDATE_FORMAT) => "update",
        _ => return Err(VerifyError::NotASignedStory),
    };
    if !parsed[field].is_object() {
        return Err(VerifyError::NotASignedStory);
    }
    let key_id = parsed["key_id"]
        .as_str()
        .ok_or(VerifyError::NotASignedStory)?;
    let trusted = keys
        .iter()
        .find(|k| k.key_id == key_id)
        .ok_or_else(|| VerifyError::UnknownKey(key_id.chars().take(40).collect()))?;
    let public: [u8; 32] = STANDARD
        .decode(&trusted.public_key)
        .ok()
        .and_then(|bytes| bytes.try_into().ok())
        .ok_or(VerifyError::BadSignature)?;
    let public = VerifyingKey::from_bytes(&public).map_err(|_| VerifyError::BadSignature)?;
    // A key list whose id does not belong to its key is not believed.
    if key_id_of(&public) != key_id {
        return Err(VerifyError::UnknownKey(key_id.to_owned()));
    }
    let signature: [u8; 64] = parsed["signature"]
        .as_str()
        .and_then(|s| URL_SAFE_NO_PAD.decode(s).ok())
        .and_then(|bytes| bytes.try_into().ok())
        .ok_or(VerifyError::BadSignature)?;
    let signed_bytes = canonical_json(&parsed[field]);
    public
        .verify_strict(signed_bytes.as_bytes(), &Signature::from_bytes(&signature))
        .map_err(|_| VerifyError::BadSignature)?;
    Ok(VerifiedStory {
        key_id: key_id.to_owned(),
        story_sha256: sha256_hex(&signed_bytes),
        story: parsed[field].clone(),
    })
}

/// `/.well-known/newsdesk-keys.json`: every key that ever signed.
pub async fn published_keys(state: &AppState) -> ServiceResult<Value> {
    register_key(state).await?;
    let keys = state.store.signing_keys().await?;
    Ok(json!({
        "site": state.urls.base_url(),
        "format": "newsdesk-keys/1",
        "keys": keys.iter().map(|k| json!({
            "key_id": k.key_id,
            "algorithm": "Ed25519",
            "public_key": k.public_key,
            "created_at": rfc3339(k.created_at),
            "retired_at": k.retired_at.map(rfc3339),
        })).collect::<Vec<_>>(),
    }))
}

/// Longest text the verify page looks up.
pub const MAX_CHECK_CHARS: usize = 2000;
/// Stories one quote lookup reads at most.
const MAX_STORIES_CHECKED: usize = 20;

/// One signed version as the verify page shows it.
#[derive(Clone, Debug, serde::Serialize)]
pub struct VersionSummary {
    pub version: i64,
    pub signed_at: i64,
    pub key_id: String,
    /// Where its signed document is (site-relative).
    pub document_url: String,
    /// The quote looked up is in this version.
    pub has_quote: bool,
}

/// What the verify page found for a URL or a quote.
#[derive(Clone, Debug, serde::Serialize)]
pub struct Finding {
    pub headline: String,
    pub url: String,
    pub versions: Vec<VersionSummary>,
    /// Looked up by a quote (not by an address).
    pub by_quote: bool,
    /// The newest version holds the quote (always true for a URL lookup).
    pub quote_in_current: bool,
    /// (kind, text, when) from the newest version.
    pub corrections: Vec<(String, String, String)>,
    /// Lines of the text removed (`-`) and added (`+`) since the first
    /// version holding the quote (empty when nothing changed).
    pub changes: Vec<(char, String)>,
}

/// Text as it survives a screenshot and retyping: case, quote marks,
/// dashes and spacing do not count.
pub fn comparable(text: &str) -> String {
    let mapped: String = text
        .chars()
        .map(|c| match c {
            '«' | '»' | '„' | '“' | '”' | '″' => '"',
            '‘' | '’' | 'ʼ' | '′' => '\'',
            '–' | '—' | '‒' | '―' => '-',
            '\u{a0}' | '\u{202f}' => ' ',
            c => c,
        })
        .flat_map(char::to_lowercase)
        .collect();
    mapped.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// The published story at `path` on this site, or the story whose signed
/// versions hold `quote`; `None` when the newsroom published no such thing.
pub async fn check(state: &AppState, language: &str, text: &str) -> ServiceResult<Option<Finding>> {
    let text: String = text.trim().chars().take(MAX_CHECK_CHARS).collect();
    if let Some(path) = our_path(state, &text) {
        let Some(view) = story_at(state, &path).await? else {
            return Ok(None);
        };
        return finding(state, &view, None).await;
    }
    let quote = comparable(
        text.trim_matches(|c: char| c == '"' || c == '«' || c == '»' || c == '“' || c == '”'),
    );
    if quote.chars().count() < 12 {
        return Ok(None);
    }
    let words: Vec<String> = crate::search::words(&quote).collect();
    // All the quote's words first; then each half, in case later versions reworded part of it.
    let half = words.len() / 2;
    let tries: Vec<&[String]> = if words.len() >= 4 {
        vec![&words[..], &words[..half], &words[half..]]
    } else {
        vec![&words[..]]
    };
    let mut languages = vec![language.to_owned()];
    languages.extend(
        state
            .config
            .site
            .languages
            .iter()
            .filter(|l| *l != language)
            .cloned(),
    );
    // A stranger's question costs at most this many stories read, however it is worded.
    let mut checked = std::collections::HashSet::new();
    for words in tries {
        for language in &languages {
            let stems: Vec<String> = words
                .iter()
                .take(8)
                .map(|w| crate::content::stem::stem(w, language))
                .collect();
            for id in candidates(state, language, &stems).await? {
                if checked.len() >= MAX_STORIES_CHECKED {
                    return Ok(None);
                }
                if !checked.insert(id) {
                    continue;
                }
                let view = state.store.article(id).await?;
                if let Some(found) = finding(state, &view, Some(&quote)).await? {
                    return Ok(Some(found));
                }
            }
        }
    }
    Ok(None)
}

/// A path on this site named by `text`: an absolute URL of our host, or a path.
fn our_path(state: &AppState, text: &str) -> Option<String> {
    if text.contains(char::is_whitespace) {
        return None;
    }
    if text.starts_with('/') && !text.starts_with("//") {
        return Some(text.split(['?', '#']).next().unwrap_or(text).to_owned());
    }
    let url = url::Url::parse(text).ok()?;
    let ours = url::Url::parse(state.urls.base_url()).ok()?;
    (matches!(url.scheme(), "http" | "https") && url.host_str() == ours.host_str())
        .then(|| url.path().to_owned())
}

/// The published story whose address is `path`.
async fn story_at(state: &AppState, path: &str) -> ServiceResult<Option<ArticleView>> {
    let segments: Vec<&str> = path.trim_matches('/').split('/').collect();
    let (language, slug) = match segments.as_slice() {
        [_, _, _, slug] => (state.config.site.default_language.as_str(), *slug),
        [language, _, _, _, slug] if state.config.site.languages.iter().any(|l| l == language) => {
            (*language, *slug)
        }
        _ => return Ok(None),
    };
    let Some(view) = state.store.published_article(language, slug).await? else {
        return Ok(None);
    };
    Ok(
        (state.urls.article_row(&view.article).as_deref() == Some(path.trim_end_matches('/')))
            .then_some(view),
    )
}

/// Stories whose current text matches `stems`: this node's index, or the database.
async fn candidates(
    state: &AppState,
    language: &str,
    stems: &[String],
) -> ServiceResult<Vec<crate::store::ArticleId>> {
    if stems.is_empty() {
        return Ok(Vec::new());
    }
    let request = crate::search::SearchRequest {
        language,
        stems,
        limit: 10,
        offset: 0,
        now: state.clock.now(),
    };
    if let Ok(Some(ids)) = state.search.search(&state.store, &request).await {
        return Ok(ids);
    }
    Ok(state
        .store
        .search_articles(language, stems, 10, 0, state.clock.now())
        .await?
        .into_iter()
        .map(|card| card.id)
        .collect())
}

/// The story's signed versions, and where `quote` (if any) is among them.
async fn finding(
    state: &AppState,
    view: &ArticleView,
    quote: Option<&str>,
) -> ServiceResult<Option<Finding>> {
    if view.article.status != ArticleStatus::Published {
        return Ok(None);
    }
    let Some(path) = state.urls.article_row(&view.article) else {
        return Ok(None);
    };
    ensure_signed(state, view).await?;
    let documents = state.store.story_version_documents(view.article.id).await?;
    let mut versions = Vec::new();
    let mut stories = Vec::new();
    for (version, document) in &documents {
        let Ok(parsed) = serde_json::from_str::<Value>(document) else {
            continue;
        };
        let story = parsed["story"].clone();
        let has_quote = quote.is_none_or(|q| comparable(&readable_lines(&story)).contains(q));
        versions.push(VersionSummary {
            version: *version,
            signed_at: story["signed_at"]
                .as_str()
                .and_then(|t| t.parse::<jiff::Timestamp>().ok())
                .map_or(0, |t| t.as_second()),
            key_id: parsed["key_id"].as_str().unwrap_or_default().to_owned(),
            document_url: format!("{path}.v{version}.signed.json"),
            has_quote,
        });
        stories.push(story);
    }
    let Some(first_with_quote) = versions.iter().position(|v| v.has_quote) else {
        return Ok(None);
    };
    let (Some(current), Some(last)) = (stories.last(), versions.last()) else {
        return Ok(None);
    };
    let changes = if quote.is_some() {
        text_changes(
            &readable_lines(&stories[first_with_quote]),
            &readable_lines(current),
        )
    } else {
        Vec::new()
    };
    let corrections = current["corrections"]
        .as_array()
        .map(|all| {
            all.iter()
                .map(|c| {
                    let field = |name: &str| c[name].as_str().unwrap_or_default().to_owned();
                    (field("kind"), field("text"), field("at"))
                })
                .collect()
        })
        .unwrap_or_default();
    Ok(Some(Finding {
        headline: view.article.headline.clone(),
        url: path,
        by_quote: quote.is_some(),
        quote_in_current: last.has_quote,
        versions,
        corrections,
        changes,
    }))
}

/// The words a reader sees of a version, a paragraph a line: headline,
/// standfirst, body.
fn readable_lines(story: &Value) -> String {
    let mut lines = vec![
        story["headline"].as_str().unwrap_or("").to_owned(),
        story["standfirst"].as_str().unwrap_or("").to_owned(),
    ];
    lines.extend(
        story["body"]
            .as_str()
            .unwrap_or("")
            .split("\n\n")
            .map(|paragraph| crate::content::markdown::plain_text(paragraph, usize::MAX)),
    );
    lines.retain(|l| !l.is_empty());
    lines.join("\n") + "\n"
}

/// Paragraphs removed and added between two texts.
fn text_changes(before: &str, after: &str) -> Vec<(char, String)> {
    similar::TextDiff::from_lines(before, after)
        .iter_all_changes()
        .filter_map(|change| {
            let sign = match change.tag() {
                similar::ChangeTag::Delete => '-',
                similar::ChangeTag::Insert => '+',
                similar::ChangeTag::Equal => return None,
            };
            Some((sign, change.value().trim_end().to_owned()))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quotes_compare_as_retyped_from_a_screenshot() {
        assert_eq!(
            comparable("«Міст  відкрили» — сказав\u{a0}мер"),
            comparable("\"міст відкрили\" - сказав мер")
        );
    }

    #[test]
    fn canonical_json_sorts_keys_and_drops_spaces() {
        let value = json!({"b": [1, {"z": null, "a": "ї\n\"x\""}], "a": true});
        assert_eq!(
            canonical_json(&value),
            r#"{"a":true,"b":[1,{"a":"ї\n\"x\"","z":null}]}"#
        );
    }

    #[test]
    fn a_signed_document_verifies_and_any_change_breaks_it() {
        let key = NewsroomKey::from_seed(&[7; 32]);
        let story = json!({"headline": "Міст відкрили", "version": 1});
        let document = canonical_json(&json!({
            "format": FORMAT,
            "key_id": key.key_id(),
            "signature": key.sign(canonical_json(&story).as_bytes()),
            "story": story,
        }));
        let trusted = [TrustedKey {
            key_id: key.key_id().to_owned(),
            public_key: key.public_key(),
        }];
        let verified = verify_document(&document, &trusted).unwrap();
        assert_eq!(verified.story["headline"], "Міст відкрили");
        let forged = document.replace("Міст відкрили", "Міст закрили");
        assert_eq!(
            verify_document(&forged, &trusted).unwrap_err(),
            VerifyError::BadSignature
        );
        let other = NewsroomKey::from_seed(&[8; 32]);
        let wrong = [TrustedKey {
            key_id: key.key_id().to_owned(),
            public_key: other.public_key(),
        }];
        assert!(matches!(
            verify_document(&document, &wrong),
            Err(VerifyError::UnknownKey(_))
        ));
        assert_eq!(
            verify_document("{}", &trusted).unwrap_err(),
            VerifyError::NotASignedStory
        );
    }

    #[test]
    fn a_key_file_is_made_once_and_read_back() {
        let dir = std::env::temp_dir().join(format!("newsdesk-key-{}", rand::random::<u64>()));
        let path = dir.join("signing.key");
        let made = NewsroomKey::load_or_create(&path).unwrap();
        let read = NewsroomKey::load_or_create(&path).unwrap();
        assert_eq!(made.key_id(), read.key_id());
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&path).unwrap().permissions().mode();
            assert_eq!(mode & 0o077, 0, "only its owner reads it");
        }
        std::fs::write(&path, "not a key").unwrap();
        assert!(matches!(
            NewsroomKey::load_or_create(&path),
            Err(KeyFileError::Malformed(_))
        ));
        let _ = std::fs::remove_dir_all(&dir);
    }
}
