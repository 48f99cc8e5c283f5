//! LiqPay's envelope: every call and callback carries `data` =
//! base64(JSON) and `signature` = base64(raw SHA-1(private_key + data +
//! private_key)). The signature covers the exact `data` string, so `data` is
//! produced without line breaks and verified before it is decoded.

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use sha1::{Digest, Sha1};

#[derive(Debug, PartialEq, Eq, thiserror::Error)]
pub enum EnvelopeError {
    #[error("the signature does not match the data")]
    BadSignature,
    #[error("the data is not base64-encoded JSON")]
    BadData,
}

/// `data` for a set of parameters.
pub fn encode_data(params: &serde_json::Value) -> String {
    STANDARD.encode(params.to_string())
}

pub fn signature(private_key: &str, data: &str) -> String {
    let mut sha = Sha1::new();
    sha.update(private_key.as_bytes());
    sha.update(data.as_bytes());
    sha.update(private_key.as_bytes());
    STANDARD.encode(sha.finalize())
}

/// Verifies a callback's signature first, then decodes its parameters.
pub fn open(
    private_key: &str,
    data: &str,
    signature_received: &str,
) -> Result<serde_json::Value, EnvelopeError> {
    let expected = Sha1::new()
        .chain_update(private_key.as_bytes())
        .chain_update(data.as_bytes())
        .chain_update(private_key.as_bytes())
        .finalize();
    let received = STANDARD
        .decode(signature_received.trim())
        .map_err(|_| EnvelopeError::BadSignature)?;
    if !crate::services::auth::constant_time_eq(&received, &expected) {
        return Err(EnvelopeError::BadSignature);
    }
    let json = STANDARD
        .decode(data.trim())
        .map_err(|_| EnvelopeError::BadData)?;
    serde_json::from_slice(&json).map_err(|_| EnvelopeError::BadData)
}

#[derive(Debug, thiserror::Error)]
pub enum LiqPayError {
    #[error("cannot reach LiqPay: {0}")]
    Unreachable(String),
    #[error("LiqPay refused: {0}")]
    Refused(String),
}

pub struct Client<'a> {
    pub http: &'a reqwest::Client,
    pub base: &'a str,
    pub public_key: &'a str,
    pub private_key: &'a str,
}

/// A signed form the reader's browser posts to LiqPay's checkout.
pub struct CheckoutForm {
    pub action: String,
    pub data: String,
    pub signature: String,
}

impl<'a> Client<'a> {
    pub fn new(http: &'a reqwest::Client, config: &'a crate::config::LiqPayConfig) -> Self {
        Client {
            http,
            base: &config.api_base,
            public_key: &config.public_key,
            private_key: &config.private_key,
        }
    }
}

impl Client<'_> {
    fn with_key(&self, mut params: serde_json::Value) -> serde_json::Value {
        params["version"] = 3.into();
        params["public_key"] = self.public_key.into();
        params
    }

    pub fn checkout_form(&self, params: serde_json::Value) -> CheckoutForm {
        let data = encode_data(&self.with_key(params));
        CheckoutForm {
            action: format!("{}/api/3/checkout", self.base),
            signature: signature(self.private_key, &data),
            data,
        }
    }

    /// A server-to-server call (`POST /api/request`), such as `unsubscribe`.
    pub async fn request(
        &self,
        params: serde_json::Value,
    ) -> Result<serde_json::Value, LiqPayError> {
        let data = encode_data(&self.with_key(params));
        let sig = signature(self.private_key, &data);
        let response = self
            .http
            .post(format!("{}/api/request", self.base))
            .form(&[("data", data.as_str()), ("signature", sig.as_str())])
            .send()
            .await
            .map_err(|e| LiqPayError::Unreachable(e.to_string()))?;
        let body: serde_json::Value =
            super::http::json_capped(response, super::http::MAX_PROVIDER_BYTES)
                .await
                .map_err(|e| LiqPayError::Unreachable(e.to_string()))?;
        if body["result"] == "error" || body["status"] == "error" {
            return Err(LiqPayError::Refused(
                body["err_description"]
                    .as_str()
                    .unwrap_or("no description")
                    .to_owned(),
            ));
        }
        Ok(body)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const KEY: &str = "your_private_key";

    #[test]
    fn matches_the_documented_vectors() {
        // LiqPay's callback example, and its checkout example without line breaks (INTEGRATIONS.md §2).
        assert_eq!(
            signature(KEY, "base64_post_string"),
            "tp+ZLmKm1/E83dIzUpx5ljcttP4="
        );
    }

    #[test]
    fn round_trips_and_refuses_tampering() {
        let params = serde_json::json!({ "version": 3, "action": "pay", "amount": 500, "currency": "UAH", "order_id": "don_1" });
        let data = encode_data(&params);
        assert!(!data.contains('\n'));
        let sig = signature(KEY, &data);
        assert_eq!(open(KEY, &data, &sig).unwrap(), params);
        let tampered = encode_data(
            &serde_json::json!({ "version": 3, "action": "pay", "amount": 5, "currency": "UAH", "order_id": "don_1" }),
        );
        assert_eq!(open(KEY, &tampered, &sig), Err(EnvelopeError::BadSignature));
        assert_eq!(
            open("another_key", &data, &sig),
            Err(EnvelopeError::BadSignature)
        );
        assert_eq!(
            open(KEY, &data, "not base64!"),
            Err(EnvelopeError::BadSignature)
        );
    }
}
