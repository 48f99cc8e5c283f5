//! Outgoing webhooks: the owner's own systems hear about stories,
//! donations and subscribers as they happen.
//!
//! Each event is a delivery in the distribution outbox (retries, backoff,
//! a delivery log, one sender at a time). The body is JSON; the
//! `Newsdesk-Signature` header is `t=<unix time>,v1=<hex HMAC-SHA256 of
//! "<t>.<body>" with the webhook's secret>`, the scheme Stripe uses, so a
//! receiver can check the sender and refuse replays. Webhook URLs are
//! strangers' servers as far as the network goes: the same public-only
//! rules as the Fediverse apply, checked before connecting.

use hmac::{Hmac, Mac};
use serde_json::{Value, json};
use sha2::Sha256;

use super::distribution::{Step, sent_with, skipped};
use super::{FieldError, ServiceError, ServiceResult, audit};
use crate::app::AppState;
use crate::integrations::SendError;
use crate::integrations::http::check_peer_url;
use crate::store::{
    ArticleId, ArticleRow, Channel, Delivery, NewDelivery, OutboxAction, StoreError, Webhook,
};

pub const ARTICLE_PUBLISHED: &str = "article.published";
pub const ARTICLE_UPDATED: &str = "article.updated";
pub const ARTICLE_UNPUBLISHED: &str = "article.unpublished";
pub const DONATION_COMPLETED: &str = "donation.completed";
pub const DONATION_REFUNDED: &str = "donation.refunded";
pub const SUBSCRIBER_CONFIRMED: &str = "subscriber.confirmed";

/// Every event a webhook can ask for.
pub const EVENTS: [&str; 6] = [
    ARTICLE_PUBLISHED,
    ARTICLE_UPDATED,
    ARTICLE_UNPUBLISHED,
    DONATION_COMPLETED,
    DONATION_REFUNDED,
    SUBSCRIBER_CONFIRMED,
];

const MAX_URL_BYTES: usize = 2000;

/// Answers past this are not read: receivers say "ok", not essays.
const MAX_ANSWER_BYTES: usize = 16 * 1024;

pub async fn create(
    state: &AppState,
    who: &audit::Who,
    url: &str,
    events: &[String],
) -> ServiceResult<Webhook> {
    let mut errors = Vec::new();
    let allow_private = state.config.distribution.fediverse_allow_private;
    match url::Url::parse(url.trim()) {
        _ if url.len() > MAX_URL_BYTES => errors.push(FieldError {
            field: "url".into(),
            message: format!("must be at most {MAX_URL_BYTES} characters"),
        }),
        Ok(parsed) => {
            if let Err(err) = check_peer_url(&parsed, allow_private) {
                errors.push(FieldError {
                    field: "url".into(),
                    message: format!("{err}"),
                });
            } else if parsed.scheme() != "https" && !allow_private {
                errors.push(FieldError {
                    field: "url".into(),
                    message: "must be https".into(),
                });
            }
        }
        Err(_) => errors.push(FieldError {
            field: "url".into(),
            message: "must be a URL".into(),
        }),
    }
    let chosen: Vec<&str> = EVENTS
        .iter()
        .copied()
        .filter(|e| events.iter().any(|c| c == e))
        .collect();
    if chosen.is_empty() || events.iter().any(|e| !EVENTS.contains(&e.as_str())) {
        errors.push(FieldError {
            field: "events".into(),
            message: format!("choose from {}", EVENTS.join(", ")),
        });
    }
    if !errors.is_empty() {
        return Err(ServiceError::Validation(errors));
    }
    let secret = format!("whsec_{}", hex::encode(rand::random::<[u8; 24]>()));
    let webhook = state
        .store
        .insert_webhook(url.trim(), &chosen.join(","), &secret, state.clock.now())
        .await?;
    audit::record(state, who, "webhook added", &webhook.url, &webhook.events).await;
    Ok(webhook)
}

pub async fn delete(state: &AppState, who: &audit::Who, id: i64) -> ServiceResult<()> {
    let webhook = state.store.webhook(id).await?;
    state.store.delete_webhook(id, state.clock.now()).await?;
    audit::record(state, who, "webhook deleted", &webhook.url, "").await;
    Ok(())
}

/// The envelope every receiver gets.
fn envelope(state: &AppState, event: &str, data: Value) -> String {
    json!({
        "id": format!("evt_{}", hex::encode(rand::random::<[u8; 12]>())),
        "type": event,
        "created": state.clock.now(),
        "data": data,
    })
    .to_string()
}

/// Deliveries for the webhooks that want `event`.
pub async fn deliveries_for(
    state: &AppState,
    event: &str,
    article_id: Option<ArticleId>,
    data: Value,
) -> Result<Vec<NewDelivery>, StoreError> {
    Ok(state
        .store
        .webhooks()
        .await?
        .into_iter()
        .filter(|w| w.wants(event))
        .map(|w| NewDelivery {
            article_id,
            channel: Channel::Webhook,
            target: w.id.to_string(),
            action: event.into(),
            payload: envelope(state, event, data.clone()),
        })
        .collect())
}

/// Queues `event` for every webhook that wants it. Failing to queue is
/// logged, never the caller's failure: the donation or subscription stands.
pub async fn notify(state: &AppState, event: &str, data: Value) {
    let deliveries = match deliveries_for(state, event, None, data).await {
        Ok(deliveries) => deliveries,
        Err(err) => {
            tracing::warn!(%event, error = %err, "cannot read webhooks");
            return;
        }
    };
    for delivery in deliveries {
        if let Err(err) = state
            .store
            .enqueue_delivery(&delivery, state.clock.now())
            .await
        {
            tracing::warn!(%event, error = %err, "cannot queue a webhook delivery");
        }
    }
}

/// What receivers learn about a story.
pub fn article_data(state: &AppState, article: &ArticleRow) -> Value {
    json!({
        "id": article.id,
        "language": article.language,
        "headline": article.headline,
        "status": article.status,
        "url": state.urls.article_row(article).map(|p| state.urls.absolute(&p)),
        "published_at": article.published_at,
        "version": article.version,
    })
}

/// The event name of an outbox action on a story.
pub fn article_event(action: OutboxAction) -> &'static str {
    match action {
        OutboxAction::Publish => ARTICLE_PUBLISHED,
        OutboxAction::Unpublish => ARTICLE_UNPUBLISHED,
        OutboxAction::Update => ARTICLE_UPDATED,
    }
}

/// `t=…,v1=…` for a body sent at `timestamp`.
pub fn signature(secret: &str, timestamp: i64, body: &str) -> String {
    // HMAC takes keys of any length, so this never fails.
    let Ok(mut mac) = <Hmac<Sha256> as Mac>::new_from_slice(secret.as_bytes()) else {
        return String::new();
    };
    mac.update(format!("{timestamp}.{body}").as_bytes());
    format!(
        "t={timestamp},v1={}",
        hex::encode(mac.finalize().into_bytes())
    )
}

/// Sends one webhook delivery.
pub async fn deliver(state: &AppState, delivery: &Delivery) -> Result<Step, SendError> {
    let id: i64 = delivery
        .target
        .parse()
        .map_err(|_| SendError::Permanent("unreadable webhook id".into()))?;
    let webhook = match state.store.webhook(id).await {
        Ok(webhook) => webhook,
        Err(StoreError::NotFound) => return Ok(skipped("the webhook was deleted")),
        Err(e) => return Err(SendError::Transient(e.to_string())),
    };
    let url = url::Url::parse(&webhook.url)
        .map_err(|_| SendError::Permanent(format!("{}: not a URL", webhook.url)))?;
    check_peer_url(&url, state.config.distribution.fediverse_allow_private)
        .map_err(|e| SendError::Permanent(format!("{url}: {e}")))?;
    let timestamp = jiff::Timestamp::now().as_second();
    let response = state
        .peer_http
        .post(url.as_str())
        .header("content-type", "application/json")
        .header("user-agent", "newsdesk-webhooks")
        .header("newsdesk-event", &delivery.action)
        .header("newsdesk-delivery", delivery.id.to_string())
        .header(
            "newsdesk-signature",
            signature(&webhook.secret, timestamp, &delivery.payload),
        )
        .body(delivery.payload.clone())
        .send()
        .await
        .map_err(|e| SendError::Transient(format!("{url}: {e}")))?;
    let status = response.status();
    let _ = crate::integrations::http::read_capped(response, MAX_ANSWER_BYTES).await;
    match status.as_u16() {
        200..=299 => Ok(sent_with(None)),
        429 => Err(SendError::Wait {
            seconds: 60,
            reason: format!("{url}: 429"),
        }),
        // A receiver that is down, misconfigured or moved is tried again;
        // after the attempts run out the delivery is kept as dead.
        _ => Err(SendError::Transient(format!("{url}: {status}"))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signatures_are_hmac_sha256_of_time_and_body() {
        // Computed independently: printf '1700000000.{"a":1}' | openssl dgst -sha256 -hmac whsec_test
        assert_eq!(
            signature("whsec_test", 1_700_000_000, "{\"a\":1}"),
            "t=1700000000,v1=38877139021993b830af32feea6e18a8da83eb2f6e49ee50bd9e4cf4ca4d3789"
        );
    }
}
