//! ActivityPub wire pieces: HTTP Signatures in the draft-cavage profile
//! Mastodon requires (RSA-SHA256 over `(request-target) host date digest
//! content-type`), actor fetching and inbox delivery.

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use rsa::pkcs1::DecodeRsaPublicKey;
use rsa::pkcs1v15::{Signature, SigningKey, VerifyingKey};
use rsa::pkcs8::{
    DecodePrivateKey, DecodePublicKey, EncodePrivateKey, EncodePublicKey, LineEnding,
};
use rsa::signature::{SignatureEncoding, Signer, Verifier};
use rsa::{RsaPrivateKey, RsaPublicKey};
use sha2::{Digest, Sha256};

use super::http;

pub use super::SendError;

pub const ACTIVITY_JSON: &str = "application/activity+json";
pub const PUBLIC: &str = "https://www.w3.org/ns/activitystreams#Public";
/// How far a signed request's `Date` may be from our clock.
pub const MAX_CLOCK_SKEW: i64 = 12 * 60 * 60;

#[derive(Debug, thiserror::Error)]
pub enum SignatureError {
    #[error("the request is not signed")]
    Missing,
    #[error("malformed Signature header: {0}")]
    Malformed(&'static str),
    #[error("the signature does not cover {0}")]
    Uncovered(&'static str),
    #[error("the Digest does not match the body")]
    Digest,
    #[error("the Date is missing or too far from now")]
    Date,
    #[error("the signature does not verify")]
    Invalid,
    #[error("bad key: {0}")]
    Key(String),
}

/// A freshly generated RSA-2048 key pair as PKCS#8 / SPKI PEM.
pub fn generate_key() -> Result<(String, String), SignatureError> {
    let key = RsaPrivateKey::new(&mut rsa::rand_core::OsRng, 2048)
        .map_err(|e| SignatureError::Key(e.to_string()))?;
    let private = key
        .to_pkcs8_pem(LineEnding::LF)
        .map_err(|e| SignatureError::Key(e.to_string()))?
        .to_string();
    let public = public_pem(&private)?;
    Ok((private, public))
}

pub fn public_pem(private_pem: &str) -> Result<String, SignatureError> {
    let key = RsaPrivateKey::from_pkcs8_pem(private_pem)
        .map_err(|e| SignatureError::Key(e.to_string()))?;
    key.to_public_key()
        .to_public_key_pem(LineEnding::LF)
        .map_err(|e| SignatureError::Key(e.to_string()))
}

/// `SHA-256=<base64>` for a body.
pub fn digest(body: &[u8]) -> String {
    format!("SHA-256={}", STANDARD.encode(Sha256::digest(body)))
}

/// An HTTP-date (`Tue, 15 Nov 1994 08:12:31 GMT`).
pub fn http_date(unix: i64) -> String {
    jiff::Timestamp::from_second(unix)
        .unwrap_or(jiff::Timestamp::UNIX_EPOCH)
        .strftime("%a, %d %b %Y %H:%M:%S GMT")
        .to_string()
}

fn parse_http_date(text: &str) -> Option<i64> {
    jiff::fmt::rfc2822::parse(text)
        .ok()
        .map(|zoned| zoned.timestamp().as_second())
}

/// The text that is signed: one `name: value` line per listed header.
pub fn signing_string(headers: &[(&str, &str)]) -> String {
    headers
        .iter()
        .map(|(name, value)| format!("{name}: {value}"))
        .collect::<Vec<_>>()
        .join("\n")
}

/// The headers to send with a signed `POST` of `body` to `url`.
pub fn signed_post_headers(
    url: &url::Url,
    body: &[u8],
    key_id: &str,
    private_pem: &str,
    now: i64,
) -> Result<Vec<(&'static str, String)>, SignatureError> {
    signed_headers("post", url, Some(body), key_id, private_pem, now)
}

/// Headers for a signed `GET` (servers in authorized-fetch mode require it).
pub fn signed_get_headers(
    url: &url::Url,
    key_id: &str,
    private_pem: &str,
    now: i64,
) -> Result<Vec<(&'static str, String)>, SignatureError> {
    signed_headers("get", url, None, key_id, private_pem, now)
}

/// Signs `(request-target) host date`, plus `digest content-type` for a body.
fn signed_headers(
    method: &str,
    url: &url::Url,
    body: Option<&[u8]>,
    key_id: &str,
    private_pem: &str,
    now: i64,
) -> Result<Vec<(&'static str, String)>, SignatureError> {
    let mut headers = vec![("Host", host_header(url)), ("Date", http_date(now))];
    if let Some(body) = body {
        headers.push(("Digest", digest(body)));
        headers.push(("Content-Type", ACTIVITY_JSON.to_owned()));
    }
    let target = request_target(method, url);
    let mut lines: Vec<(String, &str)> = vec![("(request-target)".to_owned(), target.as_str())];
    lines.extend(
        headers
            .iter()
            .map(|(name, value)| (name.to_ascii_lowercase(), value.as_str())),
    );
    let names = lines
        .iter()
        .map(|(name, _)| name.as_str())
        .collect::<Vec<_>>()
        .join(" ");
    let text = signing_string(
        &lines
            .iter()
            .map(|(name, value)| (name.as_str(), *value))
            .collect::<Vec<_>>(),
    );
    let signature = sign(private_pem, &text)?;
    headers.push((
        "Signature",
        format!(
            "keyId=\"{key_id}\",algorithm=\"rsa-sha256\",headers=\"{names}\",signature=\"{signature}\""
        ),
    ));
    Ok(headers)
}

fn host_header(url: &url::Url) -> String {
    match (url.host_str(), url.port()) {
        (Some(host), Some(port)) => format!("{host}:{port}"),
        (Some(host), None) => host.to_owned(),
        _ => String::new(),
    }
}

fn request_target(method: &str, url: &url::Url) -> String {
    match url.query() {
        Some(query) => format!("{method} {}?{query}", url.path()),
        None => format!("{method} {}", url.path()),
    }
}

pub fn sign(private_pem: &str, text: &str) -> Result<String, SignatureError> {
    let key = RsaPrivateKey::from_pkcs8_pem(private_pem)
        .map_err(|e| SignatureError::Key(e.to_string()))?;
    let signature = SigningKey::<Sha256>::new(key).sign(text.as_bytes());
    Ok(STANDARD.encode(signature.to_bytes()))
}

/// A parsed `Signature` header.
#[derive(Debug, Clone)]
pub struct SignatureHeader {
    pub key_id: String,
    pub headers: Vec<String>,
    pub signature: Vec<u8>,
}

pub fn parse_signature_header(value: &str) -> Result<SignatureHeader, SignatureError> {
    let mut key_id = None;
    let mut headers = None;
    let mut signature = None;
    for part in value.split(',') {
        let (name, raw) = part
            .trim()
            .split_once('=')
            .ok_or(SignatureError::Malformed("a parameter without a value"))?;
        let raw = raw.trim().trim_matches('"');
        match name.trim() {
            "keyId" => key_id = Some(raw.to_owned()),
            "headers" => {
                headers = Some(
                    raw.split_whitespace()
                        .map(str::to_ascii_lowercase)
                        .collect(),
                )
            }
            "signature" => {
                signature = Some(
                    STANDARD
                        .decode(raw)
                        .map_err(|_| SignatureError::Malformed("signature is not base64"))?,
                )
            }
            "algorithm" if !matches!(raw, "rsa-sha256" | "hs2019") => {
                return Err(SignatureError::Malformed("unsupported algorithm"));
            }
            _ => {}
        }
    }
    Ok(SignatureHeader {
        key_id: key_id.ok_or(SignatureError::Malformed("no keyId"))?,
        // The draft's default is `date` alone, which Mastodon never sends.
        headers: headers.unwrap_or_else(|| vec!["date".to_owned()]),
        signature: signature.ok_or(SignatureError::Malformed("no signature"))?,
    })
}

/// The checks that need no key: the signature covers the request target,
/// host, date and (for a body) digest; the digest matches; the date is
/// fresh. Run before anything is fetched, so a malformed or stale request
/// costs us nothing.
pub fn check_request(
    headers: &axum::http::HeaderMap,
    body: &[u8],
    signature: &SignatureHeader,
    now: i64,
) -> Result<(), SignatureError> {
    for required in ["(request-target)", "host", "date"] {
        if !signature.headers.iter().any(|h| h == required) {
            return Err(SignatureError::Uncovered(required));
        }
    }
    let header = |name: &str| headers.get(name).and_then(|v| v.to_str().ok());
    let date = header("date")
        .and_then(parse_http_date)
        .ok_or(SignatureError::Date)?;
    if (now - date).abs() > MAX_CLOCK_SKEW {
        return Err(SignatureError::Date);
    }
    if !body.is_empty() {
        if !signature.headers.iter().any(|h| h == "digest") {
            return Err(SignatureError::Uncovered("digest"));
        }
        let sent = header("digest").ok_or(SignatureError::Digest)?;
        let ours = digest(body);
        let matches = sent
            .split(',')
            .any(|d| d.trim().eq_ignore_ascii_case(&ours) || d.trim() == ours);
        if !matches {
            return Err(SignatureError::Digest);
        }
    }
    Ok(())
}

/// Checks an inbound signed request in full: [`check_request`], then the
/// signature with the sender's public key.
pub fn verify_request(
    method: &str,
    path_and_query: &str,
    headers: &axum::http::HeaderMap,
    body: &[u8],
    signature: &SignatureHeader,
    public_pem: &str,
    now: i64,
) -> Result<(), SignatureError> {
    check_request(headers, body, signature, now)?;
    let header = |name: &str| headers.get(name).and_then(|v| v.to_str().ok());
    let mut lines = Vec::with_capacity(signature.headers.len());
    for name in &signature.headers {
        let value = if name == "(request-target)" {
            format!("{} {path_and_query}", method.to_ascii_lowercase())
        } else {
            header(name)
                .ok_or(SignatureError::Uncovered("a listed header"))?
                .to_owned()
        };
        lines.push(format!("{name}: {value}"));
    }
    let text = lines.join("\n");
    let key = RsaPublicKey::from_public_key_pem(public_pem)
        .or_else(|_| RsaPublicKey::from_pkcs1_pem(public_pem))
        .map_err(|e| SignatureError::Key(e.to_string()))?;
    let signature =
        Signature::try_from(signature.signature.as_slice()).map_err(|_| SignatureError::Invalid)?;
    VerifyingKey::<Sha256>::new(key)
        .verify(text.as_bytes(), &signature)
        .map_err(|_| SignatureError::Invalid)
}

/// Adds the signed headers (reqwest sets `Host` itself, to the same value) and sends.
async fn send_signed(
    mut request: reqwest::RequestBuilder,
    headers: Vec<(&'static str, String)>,
    what: &str,
) -> Result<reqwest::Response, SendError> {
    for (name, value) in headers {
        if name != "Host" {
            request = request.header(name, value);
        }
    }
    request
        .send()
        .await
        .map_err(|e| SendError::Transient(format!("{what} unreachable: {e}")))
}

/// Refuses URLs a stranger gave us that lead inside (see `integrations::http`).
fn check_public(url: &url::Url, allow_private: bool) -> Result<(), SendError> {
    http::check_peer_url(url, allow_private)
        .map_err(|e| SendError::Permanent(format!("{url}: {e}")))
}

/// Actor documents are a few kilobytes; anything past this is an attack.
pub const MAX_ACTOR_BYTES: usize = 64 * 1024;

/// What we need to know of a remote actor.
#[derive(Debug, Clone)]
pub struct RemoteActor {
    pub id: String,
    pub inbox: String,
    pub shared_inbox: Option<String>,
    pub key_id: String,
    pub public_key_pem: String,
    pub key_owner: Option<String>,
}

/// Fetches an actor document (by its id or its key id), signing the GET.
pub async fn fetch_actor(
    http: &reqwest::Client,
    url: &str,
    signer: (&str, &str),
    allow_private: bool,
) -> Result<RemoteActor, SendError> {
    let mut parsed =
        url::Url::parse(url).map_err(|_| SendError::Permanent(format!("bad actor URL {url}")))?;
    parsed.set_fragment(None);
    if !matches!(parsed.scheme(), "http" | "https") {
        return Err(SendError::Permanent(format!("bad actor URL {url}")));
    }
    check_public(&parsed, allow_private)?;
    let (key_id, private_pem) = signer;
    let request = http.get(parsed.as_str()).header(
        "Accept",
        "application/activity+json, application/ld+json; profile=\"https://www.w3.org/ns/activitystreams\"",
    );
    let headers = signed_get_headers(
        &parsed,
        key_id,
        private_pem,
        jiff::Timestamp::now().as_second(),
    )
    .map_err(|e| SendError::Permanent(e.to_string()))?;
    let response = send_signed(request, headers, "actor").await?;
    let status = response.status();
    if !status.is_success() {
        return Err(SendError::from_status(
            status,
            format!("actor fetch: {status}"),
        ));
    }
    let bytes = http::read_capped(response, MAX_ACTOR_BYTES)
        .await
        .map_err(|e| match e {
            http::ReadError::TooLarge(_) => SendError::Permanent("actor document too large".into()),
            other => SendError::Transient(other.to_string()),
        })?;
    let doc: serde_json::Value = serde_json::from_slice(&bytes)
        .map_err(|_| SendError::Permanent("actor document is not JSON".into()))?;
    let text = |v: &serde_json::Value| v.as_str().map(str::to_owned);
    let actor = RemoteActor {
        id: text(&doc["id"]).ok_or_else(|| SendError::Permanent("actor without id".into()))?,
        inbox: text(&doc["inbox"])
            .ok_or_else(|| SendError::Permanent("actor without inbox".into()))?,
        shared_inbox: text(&doc["endpoints"]["sharedInbox"]),
        key_id: text(&doc["publicKey"]["id"]).unwrap_or_default(),
        public_key_pem: text(&doc["publicKey"]["publicKeyPem"])
            .ok_or_else(|| SendError::Permanent("actor without publicKey".into()))?,
        key_owner: text(&doc["publicKey"]["owner"]),
    };
    for url in std::iter::once(&actor.inbox).chain(actor.shared_inbox.iter()) {
        match url::Url::parse(url) {
            Ok(u) if matches!(u.scheme(), "http" | "https") => {}
            _ => {
                return Err(SendError::Permanent(
                    "actor inbox is not an http(s) URL".into(),
                ));
            }
        }
    }
    Ok(actor)
}

/// Posts a signed activity to an inbox.
/// How a server wants POSTs signed: the cavage draft (what Mastodon has
/// always taken) or RFC 9421 (what newer servers take, some only it).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SignatureScheme {
    Cavage,
    Rfc9421,
}

/// The scheme each server last accepted, so it is tried first next time
/// (a "double knock" only on the first delivery, or after a server changes).
#[derive(Default)]
pub struct SchemeMemory(std::sync::Mutex<std::collections::HashMap<String, SignatureScheme>>);

impl SchemeMemory {
    pub fn preferred(&self, host: &str) -> SignatureScheme {
        self.0
            .lock()
            .map(|map| map.get(host).copied().unwrap_or(SignatureScheme::Cavage))
            .unwrap_or(SignatureScheme::Cavage)
    }

    fn remember(&self, host: &str, scheme: SignatureScheme) {
        if let Ok(mut map) = self.0.lock() {
            map.insert(host.to_owned(), scheme);
        }
    }
}

/// Signs a POST the given way; reqwest sets `Host` itself.
fn post_headers(
    scheme: SignatureScheme,
    url: &url::Url,
    body: &[u8],
    key_id: &str,
    private_pem: &str,
) -> Result<Vec<(&'static str, String)>, SendError> {
    let now = jiff::Timestamp::now().as_second();
    let signed = match scheme {
        SignatureScheme::Cavage => signed_post_headers(url, body, key_id, private_pem, now),
        SignatureScheme::Rfc9421 => {
            super::message_signatures::sign_post(url.as_str(), body, key_id, private_pem, now).map(
                |mut headers| {
                    headers.push(("Content-Type", ACTIVITY_JSON.to_owned()));
                    headers.push(("Date", http_date(now)));
                    headers
                },
            )
        }
    };
    signed.map_err(|e| SendError::Permanent(e.to_string()))
}

pub async fn deliver(
    http: &reqwest::Client,
    inbox: &str,
    activity: &serde_json::Value,
    key_id: &str,
    private_pem: &str,
    allow_private: bool,
    schemes: &SchemeMemory,
) -> Result<(), SendError> {
    let url =
        url::Url::parse(inbox).map_err(|_| SendError::Permanent(format!("bad inbox {inbox}")))?;
    check_public(&url, allow_private)?;
    let host = url.host_str().unwrap_or_default().to_owned();
    let body = serde_json::to_vec(activity).map_err(|e| SendError::Permanent(e.to_string()))?;
    let first = schemes.preferred(&host);
    let headers = post_headers(first, &url, &body, key_id, private_pem)?;
    let mut response =
        send_signed(http.post(url.as_str()).body(body.clone()), headers, "inbox").await?;
    // Refused as unsigned: knock again the other way, and remember what worked.
    if matches!(response.status().as_u16(), 401 | 403) {
        let other = match first {
            SignatureScheme::Cavage => SignatureScheme::Rfc9421,
            SignatureScheme::Rfc9421 => SignatureScheme::Cavage,
        };
        let headers = post_headers(other, &url, &body, key_id, private_pem)?;
        response = send_signed(http.post(url.as_str()).body(body), headers, "inbox").await?;
        if response.status().is_success() {
            schemes.remember(&host, other);
        }
    }
    let status = response.status();
    match status.as_u16() {
        200..=299 => Ok(()),
        // The follower's account is gone; nothing to retry.
        410 => Err(SendError::Permanent(format!("{inbox}: 410 Gone"))),
        429 => Err(SendError::Wait {
            seconds: response
                .headers()
                .get("retry-after")
                .and_then(|v| v.to_str().ok())
                .and_then(|v| v.trim().parse().ok())
                .unwrap_or(60),
            reason: format!("{inbox}: 429"),
        }),
        _ => Err(SendError::from_status(status, format!("{inbox}: {status}"))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_signing_string_follows_the_listed_order() {
        let text = signing_string(&[
            ("(request-target)", "post /inbox"),
            ("host", "mastodon.example"),
            ("date", "Tue, 25 Nov 2026 10:00:00 GMT"),
            ("digest", &digest(b"{}")),
            ("content-type", ACTIVITY_JSON),
        ]);
        assert_eq!(
            text,
            "(request-target): post /inbox\nhost: mastodon.example\ndate: Tue, 25 Nov 2026 10:00:00 GMT\n\
             digest: SHA-256=RBNvo1WzZ4oRRq0W9+hknpT7T8If536DEMBg9hyq/4o=\ncontent-type: application/activity+json"
        );
        assert_eq!(http_date(1_795_600_800), "Wed, 25 Nov 2026 10:00:00 GMT");
        assert_eq!(
            parse_http_date("Wed, 25 Nov 2026 10:00:00 GMT"),
            Some(1_795_600_800)
        );
    }

    #[test]
    fn parses_mastodon_signature_headers() {
        let header = parse_signature_header(
            "keyId=\"https://m.example/users/a#main-key\",algorithm=\"rsa-sha256\",headers=\"(request-target) host date digest content-type\",signature=\"AAEC\"",
        )
        .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(header.key_id, "https://m.example/users/a#main-key");
        assert_eq!(header.headers.len(), 5);
        assert_eq!(header.signature, vec![0, 1, 2]);
        assert!(parse_signature_header("keyId=\"x\"").is_err());
        assert!(
            parse_signature_header("keyId=\"x\",algorithm=\"hmac-sha1\",signature=\"AA==\"")
                .is_err()
        );
    }
}
