//! X (Twitter) API v2: posting with OAuth 1.0a user-context signing
//! (HMAC-SHA1), and the weighted 280-character count.

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use hmac::{Hmac, Mac};
use sha1::Sha1;

/// RFC 3986 percent-encoding: only `A-Z a-z 0-9 - . _ ~` stay as they are.
pub fn percent_encode(text: &str) -> String {
    let mut out = String::with_capacity(text.len() * 3);
    for byte in text.bytes() {
        if byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'.' | b'_' | b'~') {
            out.push(byte as char);
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

/// The credentials of the newsroom's X account.
pub struct Credentials<'a> {
    pub consumer_key: &'a str,
    pub consumer_secret: &'a str,
    pub token: &'a str,
    pub token_secret: &'a str,
}

/// `oauth_signature` for a request. `params` are the query and form
/// parameters; a JSON body (as for `POST /2/tweets`) is not signed.
pub fn signature(
    method: &str,
    url: &str,
    params: &[(&str, &str)],
    consumer_secret: &str,
    token_secret: &str,
) -> String {
    let mut encoded: Vec<(String, String)> = params
        .iter()
        .map(|(k, v)| (percent_encode(k), percent_encode(v)))
        .collect();
    encoded.sort();
    let param_string = encoded
        .iter()
        .map(|(k, v)| format!("{k}={v}"))
        .collect::<Vec<_>>()
        .join("&");
    let base = format!(
        "{}&{}&{}",
        method.to_uppercase(),
        percent_encode(url),
        percent_encode(&param_string)
    );
    let key = format!(
        "{}&{}",
        percent_encode(consumer_secret),
        percent_encode(token_secret)
    );
    // HMAC accepts keys of any length, so this cannot fail.
    let mut mac =
        <Hmac<Sha1> as Mac>::new_from_slice(key.as_bytes()).unwrap_or_else(|_| unreachable!());
    mac.update(base.as_bytes());
    STANDARD.encode(mac.finalize().into_bytes())
}

/// The `Authorization: OAuth …` header for a request with the given nonce and time.
pub fn authorization_header(
    method: &str,
    url: &str,
    extra: &[(&str, &str)],
    credentials: &Credentials<'_>,
    nonce: &str,
    timestamp: i64,
) -> String {
    let timestamp = timestamp.to_string();
    let oauth = [
        ("oauth_consumer_key", credentials.consumer_key),
        ("oauth_nonce", nonce),
        ("oauth_signature_method", "HMAC-SHA1"),
        ("oauth_timestamp", timestamp.as_str()),
        ("oauth_token", credentials.token),
        ("oauth_version", "1.0"),
    ];
    let mut all: Vec<(&str, &str)> = oauth.to_vec();
    all.extend_from_slice(extra);
    let signature = signature(
        method,
        url,
        &all,
        credentials.consumer_secret,
        credentials.token_secret,
    );
    let mut parts: Vec<String> = oauth
        .iter()
        .map(|(k, v)| format!("{k}=\"{}\"", percent_encode(v)))
        .collect();
    parts.push(format!(
        "oauth_signature=\"{}\"",
        percent_encode(&signature)
    ));
    parts.sort();
    format!("OAuth {}", parts.join(", "))
}

/// Every link counts as this many characters, whatever its length (t.co).
pub const URL_WEIGHT: usize = 23;
pub const MAX_WEIGHT: usize = 280;

/// Weight of one code point under twitter-text's defaults: Latin, Cyrillic and
/// common punctuation count 1, everything else (CJK, emoji) 2.
fn weight(c: char) -> usize {
    let code = c as u32;
    if code <= 4351
        || (8192..=8205).contains(&code)
        || (8208..=8223).contains(&code)
        || (8242..=8247).contains(&code)
    {
        1
    } else {
        2
    }
}

/// The length X will count for a post: links are 23, emoji sequences joined
/// by zero-width joiners count once.
pub fn weighted_length(text: &str) -> usize {
    let mut total = 0;
    for word in text.split_inclusive(char::is_whitespace) {
        if word.starts_with("https://") || word.starts_with("http://") {
            total += URL_WEIGHT + usize::from(word.ends_with(char::is_whitespace));
            continue;
        }
        let (mut joined, mut open_flag) = (false, false);
        for c in word.chars() {
            match c {
                '\u{200D}' => joined = true,
                '\u{FE0E}' | '\u{FE0F}' => {}
                '\u{1F3FB}'..='\u{1F3FF}' => {} // skin tones belong to the emoji before them
                _ if joined => joined = false,
                // Two regional indicators make one flag.
                '\u{1F1E6}'..='\u{1F1FF}' if open_flag => open_flag = false,
                '\u{1F1E6}'..='\u{1F1FF}' => {
                    open_flag = true;
                    total += 2;
                }
                _ => total += weight(c),
            }
        }
    }
    total
}

pub use super::SendError;

/// `POST /2/tweets` and `DELETE /2/tweets/:id`, signed with OAuth 1.0a.
pub struct Client<'a> {
    pub http: &'a reqwest::Client,
    pub config: &'a crate::config::XConfig,
}

/// A post that went out, and when X wants us to pause (the window's
/// allowance is used up).
#[derive(Debug)]
pub struct Posted {
    pub id: String,
    pub pause_until: Option<i64>,
}

impl Client<'_> {
    fn authorization(&self, method: &str, url: &str) -> String {
        let nonce: String = {
            use rand::Rng;
            let mut rng = rand::rng();
            (0..32)
                .map(|_| rng.sample(rand::distr::Alphanumeric) as char)
                .collect()
        };
        let credentials = Credentials {
            consumer_key: &self.config.consumer_key,
            consumer_secret: &self.config.consumer_secret,
            token: &self.config.access_token,
            token_secret: &self.config.access_token_secret,
        };
        authorization_header(
            method,
            url,
            &[],
            &credentials,
            &nonce,
            jiff::Timestamp::now().as_second(),
        )
    }

    /// Sends a signed request; returns the answer's status, JSON body and
    /// when X wants us to pause.
    async fn call(
        &self,
        method: reqwest::Method,
        url: &str,
        body: Option<serde_json::Value>,
    ) -> Result<(reqwest::StatusCode, serde_json::Value, Option<i64>), SendError> {
        let mut request = self
            .http
            .request(method.clone(), url)
            .header("Authorization", self.authorization(method.as_str(), url));
        if let Some(body) = body {
            request = request.json(&body);
        }
        let response = request
            .send()
            .await
            .map_err(|e| SendError::Transient(format!("X unreachable: {e}")))?;
        let pause_until = exhausted_until(response.headers());
        let status = response.status();
        let body = super::http::json_capped(response, super::http::MAX_PROVIDER_BYTES)
            .await
            .unwrap_or_default();
        Ok((status, body, pause_until))
    }

    pub async fn post(&self, text: &str) -> Result<Posted, SendError> {
        let url = format!("{}/2/tweets", self.config.api_base);
        let (status, body, pause_until) = self
            .call(
                reqwest::Method::POST,
                &url,
                Some(serde_json::json!({ "text": text })),
            )
            .await?;
        if !status.is_success() {
            return Err(error(status, &body, pause_until));
        }
        let id = body["data"]["id"]
            .as_str()
            .ok_or_else(|| SendError::Transient("X answered without data.id".into()))?;
        Ok(Posted {
            id: id.to_owned(),
            pause_until,
        })
    }

    pub async fn delete(&self, id: &str) -> Result<(), SendError> {
        let url = format!("{}/2/tweets/{}", self.config.api_base, percent_encode(id));
        let (status, body, pause_until) = self.call(reqwest::Method::DELETE, &url, None).await?;
        match status.as_u16() {
            200..=299 | 404 => Ok(()),
            _ => Err(error(status, &body, pause_until)),
        }
    }
}

/// `x-rate-limit-reset` when `x-rate-limit-remaining` is 0.
fn exhausted_until(headers: &reqwest::header::HeaderMap) -> Option<i64> {
    let number = |name: &str| {
        headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.trim().parse::<i64>().ok())
    };
    match number("x-rate-limit-remaining") {
        Some(0) => number("x-rate-limit-reset"),
        _ => None,
    }
}

fn error(status: reqwest::StatusCode, body: &serde_json::Value, reset: Option<i64>) -> SendError {
    let detail = body["detail"]
        .as_str()
        .or_else(|| body["title"].as_str())
        .or_else(|| body["errors"][0]["message"].as_str())
        .unwrap_or("no detail");
    let what = format!("X: {} {detail}", status.as_u16());
    match status.as_u16() {
        429 => {
            let now = jiff::Timestamp::now().as_second();
            SendError::Wait {
                seconds: reset.map(|r| (r - now).clamp(1, 3600) as u64).unwrap_or(60),
                reason: what,
            }
        }
        401 | 403 => SendError::Permanent(format!(
            "{what}: check the X keys and that the app may post"
        )),
        _ => SendError::from_status(status, what),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signs_the_documented_example() {
        let params = [
            ("include_entities", "true"),
            ("oauth_consumer_key", "xvz1evFS4wEEPTGEFPHBog"),
            ("oauth_nonce", "kYjzVBB8Y0ZFabxSWbWovY3uYSQ2pTgmZeNu2VS4cg"),
            ("oauth_signature_method", "HMAC-SHA1"),
            ("oauth_timestamp", "1318622958"),
            (
                "oauth_token",
                "370773112-GmHxMAgYyLbNEtIKZeRNFsMKPR9EyMZeS9weJAEb",
            ),
            ("oauth_version", "1.0"),
            (
                "status",
                "Hello Ladies + Gentlemen, a signed OAuth request!",
            ),
        ];
        let consumer = "kAcSOqF21Fu85e7zjz7ZN2U4ZRhfV3WpwPAoE3Z7kBw";
        let token = "LswwdoUaIvS8ltyTt5jkRh4J50vUPVVHtR2YPi5kE";
        assert_eq!(
            signature(
                "POST",
                "https://api.twitter.com/1.1/statuses/update.json",
                &params,
                consumer,
                token
            ),
            "hCtSmYh+iHYCEqBWrE7C7hYmtUk="
        );
        assert_eq!(
            signature(
                "post",
                "https://api.x.com/1.1/statuses/update.json",
                &params,
                consumer,
                token
            ),
            "Ls93hJiZbQ3akF3HF3x1Bz8/zU4="
        );
    }

    #[test]
    fn the_header_carries_every_oauth_field() {
        let credentials = Credentials {
            consumer_key: "ck",
            consumer_secret: "cs",
            token: "t",
            token_secret: "ts",
        };
        let header = authorization_header(
            "POST",
            "https://api.x.com/2/tweets",
            &[],
            &credentials,
            "abc",
            1_700_000_000,
        );
        assert!(header.starts_with(
            "OAuth oauth_consumer_key=\"ck\", oauth_nonce=\"abc\", oauth_signature=\""
        ));
        for field in [
            "oauth_signature_method=\"HMAC-SHA1\"",
            "oauth_timestamp=\"1700000000\"",
            "oauth_token=\"t\"",
            "oauth_version=\"1.0\"",
        ] {
            assert!(header.contains(field), "{field} in {header}");
        }
    }

    #[test]
    fn counts_as_x_counts() {
        assert_eq!(weighted_length("Hello"), 5);
        assert_eq!(weighted_length("Київ"), 4, "Cyrillic counts 1");
        assert_eq!(
            weighted_length("Read https://news.example.org/2026/11/25/a-very-long-slug-indeed"),
            5 + URL_WEIGHT
        );
        assert_eq!(weighted_length("新闻"), 4, "CJK counts 2");
        assert_eq!(weighted_length("🇺🇦"), 2, "a flag is one emoji");
        assert_eq!(
            weighted_length("Read https://x.example/a now"),
            5 + URL_WEIGHT + 1 + 3
        );
        assert_eq!(
            weighted_length("👩\u{200D}💻"),
            2,
            "a ZWJ sequence counts once"
        );
        assert_eq!(weighted_length("👍🏽"), 2);
    }

    #[test]
    fn percent_encodes_by_rfc_3986() {
        assert_eq!(
            percent_encode("Ladies + Gentlemen"),
            "Ladies%20%2B%20Gentlemen"
        );
        assert_eq!(percent_encode("a-b.c_d~e"), "a-b.c_d~e");
        assert_eq!(percent_encode("Київ"), "%D0%9A%D0%B8%D1%97%D0%B2");
    }
}
