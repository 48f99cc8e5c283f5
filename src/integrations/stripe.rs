//! Stripe webhook signatures (the `Stripe-Signature` scheme): HMAC-SHA256
//! over `t + "." + raw body` with the endpoint secret, any of several `v1`
//! values accepted (secret rotation), and a timestamp tolerance.

use hmac::{Hmac, Mac};
use sha2::Sha256;

/// The official SDKs' default: events older or newer than five minutes are refused.
pub const DEFAULT_TOLERANCE_SECONDS: i64 = 300;

#[derive(Debug, PartialEq, Eq, thiserror::Error)]
pub enum SignatureError {
    #[error("no Stripe-Signature header")]
    Missing,
    #[error("the Stripe-Signature header has no timestamp or no v1 signature")]
    Malformed,
    #[error("the signature's timestamp is outside the tolerance")]
    Stale,
    #[error("no v1 signature matches")]
    Mismatch,
}

fn mac(secret: &str, timestamp: i64, body: &[u8]) -> Hmac<Sha256> {
    // HMAC accepts keys of any length, so this cannot fail.
    let mut mac =
        <Hmac<Sha256> as Mac>::new_from_slice(secret.as_bytes()).unwrap_or_else(|_| unreachable!());
    mac.update(timestamp.to_string().as_bytes());
    mac.update(b".");
    mac.update(body);
    mac
}

/// The `v1` signature for a body, as Stripe computes it (used by fake servers in tests).
pub fn sign(secret: &str, timestamp: i64, body: &[u8]) -> String {
    hex::encode(mac(secret, timestamp, body).finalize().into_bytes())
}

/// Checks a `Stripe-Signature` header against the exact bytes received.
pub fn verify(
    header: Option<&str>,
    body: &[u8],
    secret: &str,
    now: i64,
    tolerance: i64,
) -> Result<(), SignatureError> {
    let header = header.ok_or(SignatureError::Missing)?;
    let mut timestamp = None;
    let mut candidates = Vec::new();
    for item in header.split(',') {
        match item.trim().split_once('=') {
            Some(("t", value)) => timestamp = value.parse::<i64>().ok(),
            Some(("v1", value)) => candidates.push(value),
            _ => {}
        }
    }
    let (Some(timestamp), false) = (timestamp, candidates.is_empty()) else {
        return Err(SignatureError::Malformed);
    };
    if now
        .checked_sub(timestamp)
        .is_none_or(|age| age.checked_abs().is_none_or(|age| age > tolerance))
    {
        return Err(SignatureError::Stale);
    }
    for candidate in candidates {
        let Ok(bytes) = hex::decode(candidate) else {
            continue;
        };
        if mac(secret, timestamp, body).verify_slice(&bytes).is_ok() {
            return Ok(());
        }
    }
    Err(SignatureError::Mismatch)
}

#[cfg(test)]
mod tests {
    use super::*;

    const SECRET: &str = "whsec_test_secret";
    const BODY: &[u8] = br#"{"id":"evt_test","object":"event"}"#;
    /// The vector in INTEGRATIONS.md, computed from Stripe's documented scheme.
    const V1: &str = "8042376f6ca064adbe037642a718227dfd59047137eb49497a54c49eb0cfb724";

    #[test]
    fn matches_the_documented_vector() {
        assert_eq!(sign(SECRET, 1_700_000_000, BODY), V1);
        let header = format!("t=1700000000,v1={V1}");
        assert_eq!(
            verify(
                Some(&header),
                BODY,
                SECRET,
                1_700_000_100,
                DEFAULT_TOLERANCE_SECONDS
            ),
            Ok(())
        );
    }

    #[test]
    fn accepts_any_v1_during_rotation_and_ignores_v0() {
        let header = format!("t=1700000000,v0=abc,v1={},v1={V1}", "00".repeat(32));
        assert_eq!(
            verify(Some(&header), BODY, SECRET, 1_700_000_000, 300),
            Ok(())
        );
    }

    #[test]
    fn extreme_timestamps_are_stale_not_a_crash() {
        for t in [i64::MIN, i64::MIN + 1, i64::MAX, -1] {
            let header = format!("t={t},v1={V1}");
            assert_eq!(
                verify(Some(&header), BODY, SECRET, 1_700_000_000, 300),
                Err(SignatureError::Stale),
                "{t}"
            );
        }
    }

    #[test]
    fn refuses_forgeries_and_replays() {
        let good = format!("t=1700000000,v1={V1}");
        assert_eq!(
            verify(None, BODY, SECRET, 1_700_000_000, 300),
            Err(SignatureError::Missing)
        );
        assert_eq!(
            verify(Some("v1=abc"), BODY, SECRET, 1_700_000_000, 300),
            Err(SignatureError::Malformed)
        );
        assert_eq!(
            verify(
                Some(&good),
                br#"{"id":"evt_test","object":"event" }"#,
                SECRET,
                1_700_000_000,
                300
            ),
            Err(SignatureError::Mismatch)
        );
        assert_eq!(
            verify(Some(&good), BODY, "whsec_other", 1_700_000_000, 300),
            Err(SignatureError::Mismatch)
        );
        assert_eq!(
            verify(Some(&good), BODY, SECRET, 1_700_000_301, 300),
            Err(SignatureError::Stale)
        );
    }
}

/// The Stripe API version newsdesk speaks; webhook endpoints should be pinned to it too.
pub const API_VERSION: &str = "2024-06-20";

#[derive(Debug, thiserror::Error)]
pub enum StripeError {
    #[error("cannot reach Stripe: {0}")]
    Unreachable(String),
    #[error("Stripe answered {status}: {message}")]
    Refused { status: u16, message: String },
}

#[derive(Debug, serde::Deserialize)]
pub struct CheckoutSession {
    pub id: String,
    pub url: String,
}

/// A webhook event as Stripe sends it; `data.object` is read per type.
#[derive(Debug, serde::Deserialize)]
pub struct Event {
    pub id: String,
    #[serde(rename = "type")]
    pub kind: String,
    pub created: Option<i64>,
    pub data: EventData,
}

#[derive(Debug, serde::Deserialize)]
pub struct EventData {
    pub object: serde_json::Value,
}

/// Stripe's API over HTTPS: form-encoded requests, JSON answers.
pub struct Client<'a> {
    pub http: &'a reqwest::Client,
    pub base: &'a str,
    pub secret_key: &'a str,
}

impl<'a> Client<'a> {
    pub fn new(http: &'a reqwest::Client, config: &'a crate::config::StripeConfig) -> Self {
        Client {
            http,
            base: &config.api_base,
            secret_key: &config.secret_key,
        }
    }
}

impl Client<'_> {
    async fn post(
        &self,
        path: &str,
        form: &[(String, String)],
        idempotency_key: &str,
    ) -> Result<serde_json::Value, StripeError> {
        let response = self
            .http
            .post(format!("{}{path}", self.base))
            .bearer_auth(self.secret_key)
            .header("Idempotency-Key", idempotency_key)
            .header("Stripe-Version", API_VERSION)
            .form(form)
            .send()
            .await
            .map_err(|e| StripeError::Unreachable(e.to_string()))?;
        read(response).await
    }

    /// `POST /v1/checkout/sessions`.
    pub async fn create_checkout_session(
        &self,
        form: &[(String, String)],
        idempotency_key: &str,
    ) -> Result<CheckoutSession, StripeError> {
        let value = self
            .post("/v1/checkout/sessions", form, idempotency_key)
            .await?;
        serde_json::from_value(value)
            .map_err(|e| StripeError::Unreachable(format!("unexpected answer: {e}")))
    }

    /// `POST /v1/billing_portal/sessions`: the address is short-lived; redirect at once.
    pub async fn create_portal_session(
        &self,
        customer: &str,
        return_url: &str,
        idempotency_key: &str,
    ) -> Result<String, StripeError> {
        let form = [
            ("customer".to_owned(), customer.to_owned()),
            ("return_url".to_owned(), return_url.to_owned()),
        ];
        let value = self
            .post("/v1/billing_portal/sessions", &form, idempotency_key)
            .await?;
        value["url"]
            .as_str()
            .map(str::to_owned)
            .ok_or_else(|| StripeError::Unreachable("no url in the answer".into()))
    }

    /// Ends a monthly donation at once (`DELETE /v1/subscriptions/{id}`).
    pub async fn cancel_subscription(
        &self,
        subscription: &str,
        idempotency_key: &str,
    ) -> Result<(), StripeError> {
        let response = self
            .http
            .delete(format!("{}/v1/subscriptions/{subscription}", self.base))
            .bearer_auth(self.secret_key)
            .header("Idempotency-Key", idempotency_key)
            .header("Stripe-Version", API_VERSION)
            .send()
            .await
            .map_err(|e| StripeError::Unreachable(e.to_string()))?;
        read(response).await.map(|_| ())
    }
}

async fn read(response: reqwest::Response) -> Result<serde_json::Value, StripeError> {
    let status = response.status();
    let body: serde_json::Value =
        super::http::json_capped(response, super::http::MAX_PROVIDER_BYTES)
            .await
            .map_err(|e| StripeError::Unreachable(e.to_string()))?;
    if status.is_success() {
        Ok(body)
    } else {
        Err(StripeError::Refused {
            status: status.as_u16(),
            message: body["error"]["message"]
                .as_str()
                .unwrap_or("no message")
                .to_owned(),
        })
    }
}

/// One page of `GET /v1/events`.
#[derive(Debug, serde::Deserialize)]
pub struct EventPage {
    pub data: Vec<Event>,
    pub has_more: bool,
}

impl Client<'_> {
    /// Events created at or after `since`, oldest pages first as Stripe lists them (newest first within).
    pub async fn events_since(
        &self,
        since: i64,
        types: &[&str],
        starting_after: Option<&str>,
    ) -> Result<EventPage, StripeError> {
        let mut query: Vec<(String, String)> = vec![
            ("created[gte]".into(), since.to_string()),
            ("limit".into(), "100".into()),
        ];
        query.extend(
            types
                .iter()
                .map(|t| ("types[]".to_owned(), (*t).to_owned())),
        );
        if let Some(after) = starting_after {
            query.push(("starting_after".into(), after.to_owned()));
        }
        let response = self
            .http
            .get(format!("{}/v1/events", self.base))
            .bearer_auth(self.secret_key)
            .header("Stripe-Version", API_VERSION)
            .query(&query)
            .send()
            .await
            .map_err(|e| StripeError::Unreachable(e.to_string()))?;
        serde_json::from_value(read(response).await?)
            .map_err(|e| StripeError::Unreachable(format!("unexpected answer: {e}")))
    }
}
