//! RFC 9421 HTTP Message Signatures, as newer Fediverse servers (Fedify and
//! those built on it, Mastodon from 4.5) send them: `Signature-Input` names
//! the covered components and parameters, `Signature` carries the bytes,
//! and the body is covered through an RFC 9530 `Content-Digest`.
//!
//! Only what the Fediverse uses is supported: `rsa-v1_5-sha256` over the
//! derived components `@method`, `@target-uri`, `@authority`, `@scheme`,
//! `@path`, `@query`, `@request-target` and plain header fields.

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use rsa::RsaPublicKey;
use rsa::pkcs1::DecodeRsaPublicKey;
use rsa::pkcs1v15::{Signature, SigningKey, VerifyingKey};
use rsa::pkcs8::{DecodePrivateKey, DecodePublicKey};
use rsa::signature::{SignatureEncoding, Signer, Verifier};
use sha2::{Digest, Sha256, Sha512};

use super::activitypub::{MAX_CLOCK_SKEW, SignatureError};

/// One signature of a request: its label's components and parameters.
#[derive(Debug, Clone)]
pub struct MessageSignature {
    pub components: Vec<String>,
    pub key_id: String,
    pub created: Option<i64>,
    pub expires: Option<i64>,
    pub algorithm: Option<String>,
    /// The `Signature-Input` member value after `label=`, exactly as sent:
    /// it is the last line of the signature base.
    pub params_text: String,
    pub signature: Vec<u8>,
}

/// The request as the signature base sees it.
pub struct SignedRequest<'a> {
    pub method: &'a str,
    /// The absolute URI the sender posted to.
    pub target_uri: &'a str,
    pub headers: &'a axum::http::HeaderMap,
}

fn malformed(what: &'static str) -> SignatureError {
    SignatureError::Malformed(what)
}

/// Reads the first signature of `Signature-Input` and its bytes from `Signature`.
pub fn parse(headers: &axum::http::HeaderMap) -> Result<MessageSignature, SignatureError> {
    let input = headers
        .get("signature-input")
        .and_then(|v| v.to_str().ok())
        .ok_or(SignatureError::Missing)?;
    let signature_header = headers
        .get("signature")
        .and_then(|v| v.to_str().ok())
        .ok_or(SignatureError::Missing)?;
    let (label, params_text) = input
        .split_once('=')
        .ok_or(malformed("Signature-Input has no label"))?;
    let label = label.trim();
    // One label is all the Fediverse sends; a second would follow a comma outside the list.
    let params_text = params_text.trim();
    let close = params_text
        .find(')')
        .ok_or(malformed("Signature-Input has no component list"))?;
    let list = params_text
        .strip_prefix('(')
        .ok_or(malformed("Signature-Input has no component list"))?;
    let list = &list[..close - 1];
    let mut params_end = params_text.len();
    let mut components = Vec::new();
    for item in list.split_whitespace() {
        let name = item
            .strip_prefix('"')
            .and_then(|i| i.strip_suffix('"'))
            .ok_or(malformed("a component is not a quoted string"))?;
        if name.contains(';') {
            return Err(malformed("component parameters are not supported"));
        }
        components.push(name.to_ascii_lowercase());
    }
    let mut key_id = None;
    let (mut created, mut expires, mut algorithm) = (None, None, None);
    let mut rest = &params_text[close + 1..];
    while let Some(param) = rest.strip_prefix(';') {
        let end = param.find([';', ',']).unwrap_or(param.len());
        // keyid is quoted and may hold ';' (rare): read a quoted value whole.
        let (pair, next) = match param.split_once('=') {
            Some((name, value)) if value.starts_with('"') => {
                let closing = value[1..]
                    .find('"')
                    .ok_or(malformed("an unterminated parameter"))?;
                let taken = name.len() + 1 + closing + 2;
                (&param[..taken], &param[taken..])
            }
            _ => (&param[..end], &param[end..]),
        };
        let (name, value) = pair.split_once('=').unwrap_or((pair, ""));
        let unquoted = value.trim_matches('"');
        match name.trim() {
            "keyid" => key_id = Some(unquoted.to_owned()),
            "created" => created = unquoted.parse().ok(),
            "expires" => expires = unquoted.parse().ok(),
            "alg" => algorithm = Some(unquoted.to_owned()),
            _ => {}
        }
        rest = next;
        if rest.starts_with(',') {
            params_end = params_text.len() - rest.len();
            break;
        }
    }
    let params_text = params_text[..params_end].to_owned();
    let signature = signature_header
        .split(',')
        .map(str::trim)
        .find_map(|member| {
            let (name, value) = member.split_once('=')?;
            (name.trim() == label).then(|| value.trim().trim_matches(':').to_owned())
        })
        .ok_or(malformed("Signature has no value for the label"))?;
    Ok(MessageSignature {
        components,
        key_id: key_id.ok_or(malformed("no keyid"))?,
        created,
        expires,
        algorithm,
        params_text,
        signature: STANDARD
            .decode(signature)
            .map_err(|_| malformed("signature is not base64"))?,
    })
}

/// The value of one covered component, as RFC 9421 section 2 defines it.
fn component(request: &SignedRequest<'_>, name: &str) -> Result<String, SignatureError> {
    let uri = url::Url::parse(request.target_uri).map_err(|_| malformed("target URI"))?;
    let authority = || match (uri.host_str(), uri.port()) {
        (Some(host), Some(port)) => format!("{}:{port}", host.to_ascii_lowercase()),
        (Some(host), None) => host.to_ascii_lowercase(),
        _ => String::new(),
    };
    Ok(match name {
        "@method" => request.method.to_ascii_uppercase(),
        "@target-uri" => request.target_uri.to_owned(),
        "@authority" => authority(),
        "@scheme" => uri.scheme().to_owned(),
        "@path" => uri.path().to_owned(),
        "@query" => format!("?{}", uri.query().unwrap_or("")),
        "@request-target" => match uri.query() {
            Some(query) => format!("{}?{query}", uri.path()),
            None => uri.path().to_owned(),
        },
        derived if derived.starts_with('@') => {
            return Err(SignatureError::Uncovered(
                "an unsupported derived component",
            ));
        }
        field => {
            let values: Vec<&str> = request
                .headers
                .get_all(field)
                .iter()
                .filter_map(|v| v.to_str().ok())
                .map(str::trim)
                .collect();
            if values.is_empty() {
                return Err(SignatureError::Uncovered("a listed header"));
            }
            values.join(", ")
        }
    })
}

/// The signature base: one line per component, then `@signature-params`.
pub fn signature_base(
    request: &SignedRequest<'_>,
    components: &[String],
    params_text: &str,
) -> Result<String, SignatureError> {
    let mut base = String::new();
    for name in components {
        base.push_str(&format!("\"{name}\": {}\n", component(request, name)?));
    }
    base.push_str(&format!("\"@signature-params\": {params_text}"));
    Ok(base)
}

/// RFC 9530 `Content-Digest` of a body, SHA-256.
pub fn content_digest(body: &[u8]) -> String {
    format!("sha-256=:{}:", STANDARD.encode(Sha256::digest(body)))
}

fn content_digest_matches(header: &str, body: &[u8]) -> bool {
    header.split(',').any(|member| {
        let Some((algorithm, value)) = member.trim().split_once('=') else {
            return false;
        };
        let value = value.trim().trim_matches(':');
        match algorithm.trim() {
            "sha-256" => STANDARD.encode(Sha256::digest(body)) == value,
            "sha-512" => STANDARD.encode(Sha512::digest(body)) == value,
            _ => false,
        }
    })
}

/// What can be checked without the key: the request's method and target
/// and (for a body) its digest are covered, the digest matches, and the
/// signature is fresh. Run before anything is fetched.
pub fn check(
    request: &SignedRequest<'_>,
    body: &[u8],
    signature: &MessageSignature,
    now: i64,
) -> Result<(), SignatureError> {
    let covers = |name: &str| signature.components.iter().any(|c| c == name);
    if !covers("@method") {
        return Err(SignatureError::Uncovered("@method"));
    }
    if !(covers("@target-uri")
        || (covers("@authority") && (covers("@path") || covers("@request-target"))))
    {
        return Err(SignatureError::Uncovered("@target-uri"));
    }
    if let Some(algorithm) = &signature.algorithm
        && algorithm != "rsa-v1_5-sha256"
    {
        return Err(malformed("unsupported alg"));
    }
    let created = signature.created.ok_or(SignatureError::Date)?;
    if (now - created).abs() > MAX_CLOCK_SKEW || signature.expires.is_some_and(|e| e < now) {
        return Err(SignatureError::Date);
    }
    if !body.is_empty() {
        if !covers("content-digest") {
            return Err(SignatureError::Uncovered("content-digest"));
        }
        let header = request
            .headers
            .get("content-digest")
            .and_then(|v| v.to_str().ok())
            .ok_or(SignatureError::Digest)?;
        if !content_digest_matches(header, body) {
            return Err(SignatureError::Digest);
        }
    }
    // Every component must be present (a missing header fails here, not later).
    signature_base(request, &signature.components, &signature.params_text).map(|_| ())
}

/// Checks the signature in full with the sender's public key.
pub fn verify(
    request: &SignedRequest<'_>,
    body: &[u8],
    signature: &MessageSignature,
    public_pem: &str,
    now: i64,
) -> Result<(), SignatureError> {
    check(request, body, signature, now)?;
    let base = signature_base(request, &signature.components, &signature.params_text)?;
    let key = RsaPublicKey::from_public_key_pem(public_pem)
        .or_else(|_| RsaPublicKey::from_pkcs1_pem(public_pem))
        .map_err(|e| SignatureError::Key(e.to_string()))?;
    let bytes =
        Signature::try_from(signature.signature.as_slice()).map_err(|_| SignatureError::Invalid)?;
    VerifyingKey::<Sha256>::new(key)
        .verify(base.as_bytes(), &bytes)
        .map_err(|_| SignatureError::Invalid)
}

/// Headers that sign a POST the RFC 9421 way: `Content-Digest`,
/// `Signature-Input` and `Signature` (label `sig1`).
pub fn sign_post(
    target_uri: &str,
    body: &[u8],
    key_id: &str,
    private_pem: &str,
    now: i64,
) -> Result<Vec<(&'static str, String)>, SignatureError> {
    let digest = content_digest(body);
    let mut headers = axum::http::HeaderMap::new();
    headers.insert(
        "content-digest",
        digest.parse().map_err(|_| malformed("digest"))?,
    );
    let components = vec![
        "@method".to_owned(),
        "@target-uri".to_owned(),
        "content-digest".to_owned(),
    ];
    let params_text = format!(
        "(\"@method\" \"@target-uri\" \"content-digest\");created={now};keyid=\"{key_id}\";alg=\"rsa-v1_5-sha256\""
    );
    let request = SignedRequest {
        method: "POST",
        target_uri,
        headers: &headers,
    };
    let base = signature_base(&request, &components, &params_text)?;
    let key = rsa::RsaPrivateKey::from_pkcs8_pem(private_pem)
        .map_err(|e| SignatureError::Key(e.to_string()))?;
    let signature = SigningKey::<Sha256>::new(key).sign(base.as_bytes());
    Ok(vec![
        ("Content-Digest", digest),
        ("Signature-Input", format!("sig1={params_text}")),
        (
            "Signature",
            format!("sig1=:{}:", STANDARD.encode(signature.to_bytes())),
        ),
    ])
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderMap;

    /// RFC 9421 appendix B.2.1's request and the base it gives (minimal coverage).
    #[test]
    fn builds_the_signature_base_of_the_rfc_example() {
        let mut headers = HeaderMap::new();
        headers.insert("signature-input", "sig-b21=();created=1618884473;keyid=\"test-key-rsa-pss\";nonce=\"b3k2pp5k7z-50gnwp.yemd\"".parse().unwrap_or_else(|_| panic!()));
        headers.insert(
            "signature",
            "sig-b21=:AAEC:".parse().unwrap_or_else(|_| panic!()),
        );
        let parsed = parse(&headers).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(parsed.key_id, "test-key-rsa-pss");
        assert_eq!(parsed.created, Some(1_618_884_473));
        let request = SignedRequest {
            method: "POST",
            target_uri: "https://example.com/foo?param=Value&Pet=dog",
            headers: &headers,
        };
        let base = signature_base(&request, &parsed.components, &parsed.params_text)
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(
            base,
            "\"@signature-params\": ();created=1618884473;keyid=\"test-key-rsa-pss\";nonce=\"b3k2pp5k7z-50gnwp.yemd\""
        );
        let components: Vec<String> = ["@method", "@authority", "@path", "@query"]
            .map(String::from)
            .to_vec();
        let base = signature_base(&request, &components, "()").unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(
            base,
            "\"@method\": POST\n\"@authority\": example.com\n\"@path\": /foo\n\"@query\": ?param=Value&Pet=dog\n\"@signature-params\": ()"
        );
    }

    #[test]
    fn content_digest_follows_rfc_9530() {
        // RFC 9530 section 2's example body.
        assert_eq!(
            content_digest(b"{\"hello\": \"world\"}"),
            "sha-256=:X48E9qOokqqrvdts8nOJRJN3OWDUoyWxBf7kbu9DBPE=:"
        );
    }
}
