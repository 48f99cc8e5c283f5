//! The publication as an ActivityPub actor: discovery (WebFinger), the
//! actor document, the inbox (Follow, Undo, Delete) and the activities
//! stories become (`Create`, `Update`, `Delete` of an `Article`).

use serde_json::{Value, json};
use sha2::{Digest, Sha256};

use crate::app::AppState;
use crate::content::escape_html;
use crate::content::markdown::render_body;
use crate::i18n::rfc3339;
use crate::integrations::SendError;
use crate::integrations::activitypub::{self, ACTIVITY_JSON, PUBLIC, SignatureError};
use crate::integrations::message_signatures;
use crate::services::distribution::{Step, sent_with};
use crate::store::{ArticleRow, Delivery, Follower, NewDelivery, StoreError};

const KEY_SETTING: &str = "fediverse.private_key";
const AS_CONTEXT: &str = "https://www.w3.org/ns/activitystreams";
const SECURITY_CONTEXT: &str = "https://w3id.org/security/v1";

#[derive(Debug, thiserror::Error)]
pub enum FediverseError {
    #[error("the Fediverse is turned off")]
    Off,
    #[error("malformed activity: {0}")]
    Malformed(&'static str),
    #[error("signature refused: {0}")]
    Signature(#[from] SignatureError),
    #[error("the signer is not the activity's actor")]
    WrongSigner,
    #[error("cannot fetch the sender's key: {0}")]
    KeyFetch(String),
    #[error("this request was already received")]
    Replay,
    #[error("too many senders are being checked at once")]
    Busy,
    #[error(transparent)]
    Store(#[from] StoreError),
}

pub fn actor_id(state: &AppState) -> String {
    state.urls.absolute("/fediverse/actor")
}

fn key_id(state: &AppState) -> String {
    format!("{}#main-key", actor_id(state))
}

pub fn object_id(state: &AppState, article: &ArticleRow) -> String {
    state
        .urls
        .absolute(&format!("/fediverse/articles/{}", article.id.0))
}

/// `host` or `host:port` of the site, as the handle's domain.
pub fn domain(state: &AppState) -> String {
    match url::Url::parse(state.urls.base_url()) {
        Ok(url) => match (url.host_str(), url.port()) {
            (Some(host), Some(port)) => format!("{host}:{port}"),
            (Some(host), None) => host.to_owned(),
            _ => String::new(),
        },
        Err(_) => String::new(),
    }
}

/// `Err(Off)` when the Fediverse is turned off, so its routes answer 404.
pub fn ensure_on(state: &AppState) -> Result<(), FediverseError> {
    username(state).map(|_| ())
}

fn username(state: &AppState) -> Result<&str, FediverseError> {
    state
        .config
        .distribution
        .fediverse_username
        .as_deref()
        .ok_or(FediverseError::Off)
}

/// The actor's private key, made once for the whole site: the node that
/// claims the setting first wins, the others read its key.
pub async fn private_key(state: &AppState) -> Result<String, FediverseError> {
    if let Some(pem) = state.store.setting(KEY_SETTING).await? {
        return Ok(pem);
    }
    let (pem, _) = tokio::task::spawn_blocking(activitypub::generate_key)
        .await
        .map_err(|_| FediverseError::Malformed("key generation stopped"))??;
    state.store.claim_setting(KEY_SETTING, &pem).await?;
    state
        .store
        .setting(KEY_SETTING)
        .await?
        .ok_or(FediverseError::Malformed("the key was not stored"))
}

/// The JRD for `acct:news@host`, or `None` if the resource is not ours.
pub fn webfinger(state: &AppState, resource: &str) -> Result<Option<Value>, FediverseError> {
    let name = username(state)?;
    let subject = format!("acct:{name}@{}", domain(state));
    let actor = actor_id(state);
    let ours = resource.eq_ignore_ascii_case(&subject)
        || resource.eq_ignore_ascii_case(&subject[5..])
        || resource == actor;
    Ok(ours.then(|| {
        json!({
            "subject": subject,
            "aliases": [actor, state.urls.absolute("/")],
            "links": [
                {"rel": "self", "type": ACTIVITY_JSON, "href": actor},
                {"rel": "http://webfinger.net/rel/profile-page", "type": "text/html", "href": state.urls.absolute("/")},
            ],
        })
    }))
}

pub async fn actor_document(state: &AppState) -> Result<Value, FediverseError> {
    let name = username(state)?;
    let private = private_key(state).await?;
    let public = activitypub::public_pem(&private)?;
    let actor = actor_id(state);
    let site = &state.config.site;
    Ok(json!({
        "@context": [AS_CONTEXT, SECURITY_CONTEXT],
        "id": actor,
        "type": "Organization",
        "preferredUsername": name,
        "name": site.name,
        "summary": format!("<p>{}</p>", escape_html(&site.name)),
        "url": state.urls.absolute("/"),
        "icon": {"type": "Image", "mediaType": "image/svg+xml", "url": state.urls.absolute("/static/favicon.svg")},
        "inbox": state.urls.absolute("/fediverse/inbox"),
        "outbox": state.urls.absolute("/fediverse/outbox"),
        "followers": state.urls.absolute("/fediverse/followers"),
        "following": state.urls.absolute("/fediverse/following"),
        "endpoints": {"sharedInbox": state.urls.absolute("/fediverse/inbox")},
        "manuallyApprovesFollowers": false,
        "discoverable": true,
        "publicKey": {"id": key_id(state), "owner": actor, "publicKeyPem": public},
    }))
}

/// A story as an ActivityStreams `Article`.
pub fn article_object(state: &AppState, article: &ArticleRow) -> Value {
    let link = crate::services::distribution::story_link(state, article);
    let content = state.urls.media_in_html(render_body(
        &article.body,
        state.locales.get(&article.language),
    ));
    let mut object = json!({
        "id": object_id(state, article),
        "type": "Article",
        "url": link,
        "name": article.headline,
        "summary": escape_html(&article.standfirst),
        "content": &content,
        "contentMap": {article.language.clone(): &content},
        "attributedTo": actor_id(state),
        "published": rfc3339(article.published_at.unwrap_or(article.created_at)),
        "updated": rfc3339(article.content_updated_at.or(article.published_at).unwrap_or(article.updated_at)),
        "to": [PUBLIC],
        "cc": [state.urls.absolute("/fediverse/followers")],
    });
    if let Some(cover) = article.cover_url.as_deref() {
        object["image"] =
            json!({"type": "Image", "url": state.urls.absolute(cover), "name": article.cover_alt});
    }
    object
}

/// The activity a story delivery sends. Ids are stable per story version,
/// so a repeated send is recognised as the same activity.
pub fn story_activity(state: &AppState, delivery: &Delivery, article: &ArticleRow) -> Value {
    let object_id = object_id(state, article);
    let (kind, id, object) = match delivery.action.as_str() {
        "publish" => (
            "Create",
            format!("{object_id}#create-{}", article.published_at.unwrap_or(0)),
            article_object(state, article),
        ),
        "update" => (
            "Update",
            format!("{object_id}#update-{}", article.version),
            article_object(state, article),
        ),
        _ => (
            "Delete",
            format!("{object_id}#delete-{}", delivery.created_at),
            json!({"id": object_id, "type": "Tombstone"}),
        ),
    };
    json!({
        "@context": AS_CONTEXT,
        "id": id,
        "type": kind,
        "actor": actor_id(state),
        "published": rfc3339(state.clock.now()),
        "to": [PUBLIC],
        "cc": [state.urls.absolute("/fediverse/followers")],
        "object": object,
    })
}

pub async fn deliver_story(
    state: &AppState,
    delivery: &Delivery,
    article: &ArticleRow,
) -> Result<Step, SendError> {
    let activity = story_activity(state, delivery, article);
    send_signed(state, &delivery.target, &activity).await?;
    Ok(sent_with(activity["id"].as_str().map(str::to_owned)))
}

/// Sends a prepared activity (an `Accept`) kept in the delivery's payload.
pub async fn deliver_payload(state: &AppState, delivery: &Delivery) -> Result<Step, SendError> {
    let activity: Value = serde_json::from_str(&delivery.payload)
        .map_err(|_| SendError::Permanent("unreadable activity payload".into()))?;
    send_signed(state, &delivery.target, &activity).await?;
    Ok(sent_with(None))
}

async fn send_signed(state: &AppState, inbox: &str, activity: &Value) -> Result<(), SendError> {
    let private = private_key(state)
        .await
        .map_err(|e| SendError::Transient(e.to_string()))?;
    activitypub::deliver(
        &state.peer_http,
        inbox,
        activity,
        &key_id(state),
        &private,
        state.config.distribution.fediverse_allow_private,
        &state.signature_schemes,
    )
    .await
}

/// How a sender signed: the cavage draft (Mastodon's `Signature`) or RFC 9421.
enum Proof {
    Cavage(activitypub::SignatureHeader),
    Rfc9421(message_signatures::MessageSignature),
}

impl Proof {
    fn key_id(&self) -> &str {
        match self {
            Proof::Cavage(s) => &s.key_id,
            Proof::Rfc9421(s) => &s.key_id,
        }
    }

    fn bytes(&self) -> &[u8] {
        match self {
            Proof::Cavage(s) => &s.signature,
            Proof::Rfc9421(s) => &s.signature,
        }
    }
}

/// What an accepted inbox request did.
#[derive(Debug, PartialEq, Eq)]
pub enum Received {
    Followed,
    Unfollowed,
    Ignored,
}

/// Handles a signed `POST` to the inbox. Nothing is stored unless the
/// signature verifies with the key of the activity's own actor.
pub async fn receive(
    state: &AppState,
    path_and_query: &str,
    headers: &axum::http::HeaderMap,
    body: &[u8],
) -> Result<Received, FediverseError> {
    username(state)?;
    let activity: Value =
        serde_json::from_slice(body).map_err(|_| FediverseError::Malformed("not JSON"))?;
    let kind = activity["type"]
        .as_str()
        .ok_or(FediverseError::Malformed("no type"))?;
    let actor = activity["actor"]
        .as_str()
        .ok_or(FediverseError::Malformed("no actor"))?;
    let actor_url = url::Url::parse(actor).map_err(|_| FediverseError::Malformed("actor"))?;
    // RFC 9421 when the sender uses it (Fedify, newer servers), else the cavage draft.
    let target_uri = state.urls.absolute(path_and_query);
    let proof = if headers.contains_key("signature-input") {
        Proof::Rfc9421(message_signatures::parse(headers)?)
    } else {
        let signature_header = headers
            .get("signature")
            .and_then(|v| v.to_str().ok())
            .ok_or(SignatureError::Missing)?;
        Proof::Cavage(activitypub::parse_signature_header(signature_header)?)
    };
    let request = message_signatures::SignedRequest {
        method: "POST",
        target_uri: &target_uri,
        headers,
    };
    let sender_key = proof.key_id().to_owned();
    // The key must live on the actor's own server: nobody signs for another.
    let key_url = url::Url::parse(&sender_key).map_err(|_| FediverseError::Malformed("keyId"))?;
    if key_url.origin() != actor_url.origin() {
        return Err(FediverseError::WrongSigner);
    }
    // Everything that needs no fetch is checked before one is made.
    let current = state.clock.now();
    match &proof {
        Proof::Cavage(signature) => activitypub::check_request(headers, body, signature, current)?,
        Proof::Rfc9421(signature) => message_signatures::check(&request, body, signature, current)?,
    }
    let signature_hash = hex::encode(Sha256::digest(proof.bytes()));
    let _permit = state
        .key_fetches
        .try_acquire()
        .map_err(|_| FediverseError::Busy)?;
    let private = private_key(state).await?;
    // The actor is fetched by its own id; its document names the key.
    let signer = match activitypub::fetch_actor(
        &state.peer_http,
        actor,
        (&key_id(state), &private),
        state.config.distribution.fediverse_allow_private,
    )
    .await
    {
        Ok(signer) => signer,
        // A deleted account cannot sign, but its own server (the key is on
        // the actor's origin, and the actor was fetched by its own id) says
        // 410 Gone: that, not the request, is what ends the follow.
        Err(SendError::Permanent(e)) if kind == "Delete" && e.contains("410") => {
            let deletes_itself = activity["object"].as_str() == Some(actor)
                || activity["object"]["id"].as_str() == Some(actor);
            if deletes_itself && state.store.remove_follower(actor).await? {
                return Ok(Received::Unfollowed);
            }
            return Ok(Received::Ignored);
        }
        Err(e) => return Err(FediverseError::KeyFetch(e.to_string())),
    };
    if signer.id != actor
        || signer.key_id != sender_key
        || signer
            .key_owner
            .as_deref()
            .is_some_and(|owner| owner != actor)
    {
        return Err(FediverseError::WrongSigner);
    }
    match &proof {
        Proof::Cavage(signature) => activitypub::verify_request(
            "post",
            path_and_query,
            headers,
            body,
            signature,
            &signer.public_key_pem,
            current,
        )?,
        Proof::Rfc9421(signature) => {
            message_signatures::verify(&request, body, signature, &signer.public_key_pem, current)?
        }
    }
    if !state
        .store
        .first_sighting_of_signature(&signature_hash, current)
        .await?
    {
        return Err(FediverseError::Replay);
    }
    match kind {
        "Follow" => {
            let object = activity["object"]
                .as_str()
                .or_else(|| activity["object"]["id"].as_str())
                .ok_or(FediverseError::Malformed("Follow without object"))?;
            if object != actor_id(state) {
                return Ok(Received::Ignored);
            }
            let follow_id = activity["id"]
                .as_str()
                .ok_or(FediverseError::Malformed("Follow without id"))?;
            state
                .store
                .add_follower(&Follower {
                    actor_id: signer.id.clone(),
                    inbox: signer.inbox.clone(),
                    shared_inbox: signer.shared_inbox.clone(),
                    follow_id: follow_id.to_owned(),
                    created_at: state.clock.now(),
                })
                .await?;
            // Only what the Accept needs is kept, whatever the sender padded the Follow with.
            let accept = json!({
                "@context": AS_CONTEXT,
                "id": format!("{}#accepts/{}", actor_id(state), state.clock.now()),
                "type": "Accept",
                "actor": actor_id(state),
                "object": {"id": follow_id, "type": "Follow", "actor": actor, "object": actor_id(state)},
            });
            state
                .store
                .enqueue_delivery(
                    &NewDelivery {
                        article_id: None,
                        channel: crate::store::Channel::Fediverse,
                        target: signer.inbox.clone(),
                        action: "accept".into(),
                        payload: accept.to_string(),
                    },
                    state.clock.now(),
                )
                .await?;
            Ok(Received::Followed)
        }
        "Undo"
            if activity["object"]["type"].as_str() == Some("Follow")
                || activity["object"].is_string() =>
        {
            state.store.remove_follower(actor).await?;
            Ok(Received::Unfollowed)
        }
        "Delete"
            if activity["object"].as_str() == Some(actor)
                || activity["object"]["id"].as_str() == Some(actor) =>
        {
            state.store.remove_follower(actor).await?;
            Ok(Received::Unfollowed)
        }
        _ => Ok(Received::Ignored),
    }
}

/// Stories per outbox page.
pub const OUTBOX_PAGE: i64 = 20;

/// The outbox: a collection that says how many stories there are and where
/// its first page is, as ActivityPub servers expect to page through it.
pub async fn outbox(state: &AppState) -> Result<Value, FediverseError> {
    username(state)?;
    let filter = crate::store::ArticleFilter {
        status: Some(crate::store::ArticleStatus::Published),
        ..Default::default()
    };
    let total = state.store.count_articles(&filter).await?;
    let id = state.urls.absolute("/fediverse/outbox");
    let pages = ((total + OUTBOX_PAGE - 1) / OUTBOX_PAGE).max(1);
    Ok(json!({
        "@context": AS_CONTEXT,
        "id": id,
        "type": "OrderedCollection",
        "totalItems": total,
        "first": format!("{id}?page=1"),
        "last": format!("{id}?page={pages}"),
    }))
}

/// One page of the outbox: the stories as `Create` activities, newest first.
pub async fn outbox_page(state: &AppState, page: i64) -> Result<Option<Value>, FediverseError> {
    username(state)?;
    let filter = crate::store::ArticleFilter {
        status: Some(crate::store::ArticleStatus::Published),
        ..Default::default()
    };
    let cards = state
        .store
        .article_cards(&filter, OUTBOX_PAGE + 1, (page - 1) * OUTBOX_PAGE)
        .await?;
    if cards.is_empty() && page > 1 {
        return Ok(None);
    }
    let has_next = cards.len() as i64 > OUTBOX_PAGE;
    let collection = state.urls.absolute("/fediverse/outbox");
    let mut items = Vec::with_capacity(cards.len());
    for card in cards.into_iter().take(OUTBOX_PAGE as usize) {
        let article = state.store.article_row(card.id).await?;
        items.push(json!({
            "id": format!("{}#create-{}", object_id(state, &article), article.published_at.unwrap_or(0)),
            "type": "Create",
            "actor": actor_id(state),
            "published": rfc3339(article.published_at.unwrap_or(0)),
            "to": [PUBLIC],
            "object": article_object(state, &article),
        }));
    }
    let mut page_json = json!({
        "@context": AS_CONTEXT,
        "id": format!("{collection}?page={page}"),
        "type": "OrderedCollectionPage",
        "partOf": collection,
        "orderedItems": items,
    });
    if has_next {
        page_json["next"] = json!(format!("{collection}?page={}", page + 1));
    }
    if page > 1 {
        page_json["prev"] = json!(format!("{collection}?page={}", page - 1));
    }
    Ok(Some(page_json))
}

pub async fn followers_collection(state: &AppState) -> Result<Value, FediverseError> {
    username(state)?;
    Ok(json!({
        "@context": AS_CONTEXT,
        "id": state.urls.absolute("/fediverse/followers"),
        "type": "OrderedCollection",
        "totalItems": state.store.follower_count().await?,
    }))
}
