//! Local fake providers for distribution: Telegram's Bot API, X's API v2
//! and a Fediverse server. Each checks requests the way the provider
//! documents them, answers in its format, and can be told to fail.

use std::collections::VecDeque;
use std::sync::{Arc, Mutex};

use axum::Router;
use axum::body::Bytes;
use axum::extract::{OriginalUri, Path, State};
use axum::http::{HeaderMap, Method, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{any, get, post};
use newsdesk::integrations::{activitypub, x};
use serde_json::{Value, json};

pub async fn start_fake(router: Router) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, router).await.unwrap() });
    url
}

/// A scripted answer that replaces the next normal one.
#[derive(Clone, Debug)]
pub struct Scripted {
    pub status: u16,
    pub headers: Vec<(&'static str, String)>,
    pub body: Value,
}

// ---------------------------------------------------------------- Telegram

pub const BOT_TOKEN: &str = "123456:TEST-token_ABC";

#[derive(Clone, Default)]
pub struct FakeTelegram {
    pub calls: Arc<Mutex<Vec<(String, Value)>>>,
    pub script: Arc<Mutex<VecDeque<Scripted>>>,
    next_id: Arc<Mutex<i64>>,
}

impl FakeTelegram {
    pub async fn start() -> (FakeTelegram, String) {
        let fake = FakeTelegram::default();
        let router = Router::new()
            .route("/{bot}/{method}", post(telegram_method))
            .with_state(fake.clone());
        (fake, start_fake(router).await)
    }

    pub fn calls(&self) -> Vec<(String, Value)> {
        self.calls.lock().unwrap().clone()
    }

    pub fn then(&self, answer: Scripted) {
        self.script.lock().unwrap().push_back(answer);
    }
}

const TELEGRAM_TAGS: &[&str] = &[
    "b",
    "strong",
    "i",
    "em",
    "u",
    "ins",
    "s",
    "strike",
    "del",
    "a",
    "code",
    "pre",
    "blockquote",
    "tg-spoiler",
    "span",
    "tg-emoji",
];

/// Checks HTML parse-mode text as Telegram does: allowed tags only, every
/// `&` starting an entity, and the visible length within `limit`.
fn check_html(text: &str, limit: usize) -> Result<(), String> {
    let mut visible = String::new();
    let mut rest = text;
    while let Some(c) = rest.chars().next() {
        if c == '<' {
            let end = rest.find('>').ok_or("unclosed tag")?;
            let tag = rest[1..end].trim_start_matches('/');
            let name = tag.split([' ', '=']).next().unwrap_or("");
            if !TELEGRAM_TAGS.contains(&name) {
                return Err(format!("tag <{name}> is not allowed"));
            }
            rest = &rest[end + 1..];
        } else if c == '&' {
            let end = rest.find(';').ok_or("bare &")?;
            let entity = &rest[..=end];
            visible.push(match entity {
                "&amp;" => '&',
                "&lt;" => '<',
                "&gt;" => '>',
                "&quot;" => '"',
                other => return Err(format!("unknown entity {other}")),
            });
            rest = &rest[end + 1..];
        } else if c == '>' {
            return Err("unescaped >".into());
        } else {
            visible.push(c);
            rest = &rest[c.len_utf8()..];
        }
    }
    let units = visible.encode_utf16().count();
    if units == 0 || units > limit {
        return Err(format!("visible length {units} outside 1..={limit}"));
    }
    Ok(())
}

async fn telegram_method(
    State(fake): State<FakeTelegram>,
    Path((bot, method)): Path<(String, String)>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let reply = |status: u16, body: Value| {
        (StatusCode::from_u16(status).unwrap(), axum::Json(body)).into_response()
    };
    let refuse = |code: u16, description: String| {
        reply(
            code,
            json!({"ok": false, "error_code": code, "description": description}),
        )
    };
    let Ok(params) = serde_json::from_slice::<Value>(&body) else {
        return refuse(400, "Bad Request: body is not JSON".into());
    };
    fake.calls
        .lock()
        .unwrap()
        .push((method.clone(), params.clone()));
    if bot != format!("bot{BOT_TOKEN}") {
        return refuse(401, "Unauthorized".into());
    }
    if !headers
        .get("content-type")
        .is_some_and(|v| v.to_str().unwrap_or("").starts_with("application/json"))
    {
        return refuse(400, "Bad Request: expected JSON".into());
    }
    if let Some(scripted) = fake.script.lock().unwrap().pop_front() {
        return reply(scripted.status, scripted.body);
    }
    let chat_ok = params["chat_id"]
        .as_str()
        .is_some_and(|c| c.starts_with('@'));
    if !chat_ok {
        return refuse(400, "Bad Request: chat not found".into());
    }
    let checked = match method.as_str() {
        "sendPhoto" | "editMessageCaption" => {
            if params["parse_mode"] != "HTML" {
                Err("parse_mode must be HTML".to_owned())
            } else {
                check_html(params["caption"].as_str().unwrap_or(""), 1024)
            }
        }
        "sendMessage" | "editMessageText" => {
            if params["parse_mode"] != "HTML" {
                Err("parse_mode must be HTML".to_owned())
            } else if !params["link_preview_options"].is_object() {
                Err("link_preview_options must be an object".to_owned())
            } else {
                check_html(params["text"].as_str().unwrap_or(""), 4096)
            }
        }
        "deleteMessage" => Ok(()),
        other => Err(format!("method {other} not found")),
    };
    if let Err(problem) = checked {
        return refuse(400, format!("Bad Request: {problem}"));
    }
    if method.starts_with("send") && method != "sendPhoto" && params["photo"].is_string() {
        return refuse(400, "Bad Request: photo on sendMessage".into());
    }
    if method.starts_with("edit") || method == "deleteMessage" {
        if !params["message_id"].is_i64() {
            return refuse(400, "Bad Request: message_id required".into());
        }
        return reply(200, json!({"ok": true, "result": true}));
    }
    let id = {
        let mut next = fake.next_id.lock().unwrap();
        *next += 1;
        *next + 100
    };
    reply(
        200,
        json!({"ok": true, "result": {"message_id": id, "date": 1795600000, "chat": {"id": -1001, "type": "channel"}}}),
    )
}

// ---------------------------------------------------------------- X

pub const X_CONSUMER_KEY: &str = "xvz1evFS4wEEPTGEFPHBog";
pub const X_CONSUMER_SECRET: &str = "kAcSOqF21Fu85e7zjz7ZN2U4ZRhfV3WpwPAoE3Z7kBw";
pub const X_TOKEN: &str = "370773112-GmHxMAgYyLbNEtIKZeRNFsMKPR9EyMZeS9weJAEb";
pub const X_TOKEN_SECRET: &str = "LswwdoUaIvS8ltyTt5jkRh4J50vUPVVHtR2YPi5kE";

#[derive(Clone, Default)]
pub struct FakeX {
    pub posts: Arc<Mutex<Vec<(Method, String, Value)>>>,
    pub script: Arc<Mutex<VecDeque<Scripted>>>,
    /// When set, the n-th post (counting from 1) is received but never answered.
    pub hang_on: Arc<Mutex<Option<usize>>>,
    pub base: Arc<Mutex<String>>,
}

impl FakeX {
    pub async fn start() -> (FakeX, String) {
        let fake = FakeX::default();
        let router = Router::new()
            .route("/2/tweets", post(x_post))
            .route("/2/tweets/{id}", any(x_delete))
            .with_state(fake.clone());
        let base = start_fake(router).await;
        *fake.base.lock().unwrap() = base.clone();
        (fake, base)
    }

    pub fn then(&self, answer: Scripted) {
        self.script.lock().unwrap().push_back(answer);
    }

    pub fn created(&self) -> Vec<Value> {
        self.posts
            .lock()
            .unwrap()
            .iter()
            .filter(|(m, _, _)| m == Method::POST)
            .map(|(_, _, body)| body.clone())
            .collect()
    }
}

/// Verifies `Authorization: OAuth …` by signing again with the test secrets.
fn oauth_ok(method: &str, url: &str, headers: &HeaderMap) -> bool {
    let Some(header) = headers.get("authorization").and_then(|v| v.to_str().ok()) else {
        return false;
    };
    let Some(list) = header.strip_prefix("OAuth ") else {
        return false;
    };
    let mut params: Vec<(String, String)> = Vec::new();
    let mut signature = String::new();
    for part in list.split(", ") {
        let (k, v) = part.split_once('=').unwrap();
        let v = percent_decode(v.trim_matches('"'));
        if k == "oauth_signature" {
            signature = v;
        } else {
            params.push((k.to_owned(), v));
        }
    }
    let get = |k: &str| params.iter().find(|(n, _)| n == k).map(|(_, v)| v.as_str());
    if get("oauth_consumer_key") != Some(X_CONSUMER_KEY)
        || get("oauth_token") != Some(X_TOKEN)
        || get("oauth_signature_method") != Some("HMAC-SHA1")
        || get("oauth_version") != Some("1.0")
        || get("oauth_nonce").is_none_or(|n| n.len() < 16)
    {
        return false;
    }
    let timestamp: i64 = get("oauth_timestamp")
        .and_then(|t| t.parse().ok())
        .unwrap_or(0);
    if (jiff::Timestamp::now().as_second() - timestamp).abs() > 300 {
        return false;
    }
    let borrowed: Vec<(&str, &str)> = params
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    x::signature(method, url, &borrowed, X_CONSUMER_SECRET, X_TOKEN_SECRET) == signature
}

fn percent_decode(text: &str) -> String {
    url::form_urlencoded::parse(format!("v={}", text.replace('+', "%2B")).as_bytes())
        .next()
        .map(|(_, v)| v.into_owned())
        .unwrap_or_default()
}

fn x_problem(status: u16, title: &str) -> Response {
    (
        StatusCode::from_u16(status).unwrap(),
        axum::Json(
            json!({"title": title, "detail": title, "type": "about:blank", "status": status}),
        ),
    )
        .into_response()
}

async fn x_post(State(fake): State<FakeX>, headers: HeaderMap, body: Bytes) -> Response {
    let base = fake.base.lock().unwrap().clone();
    let body: Value = serde_json::from_slice(&body).unwrap_or(Value::Null);
    let count = {
        let mut posts = fake.posts.lock().unwrap();
        posts.push((Method::POST, "/2/tweets".into(), body.clone()));
        posts.iter().filter(|(m, _, _)| m == Method::POST).count()
    };
    if *fake.hang_on.lock().unwrap() == Some(count) {
        std::future::pending::<()>().await;
    }
    if !oauth_ok("POST", &format!("{base}/2/tweets"), &headers) {
        return x_problem(401, "Unauthorized");
    }
    if let Some(scripted) = fake.script.lock().unwrap().pop_front() {
        let mut response = (
            StatusCode::from_u16(scripted.status).unwrap(),
            axum::Json(scripted.body),
        )
            .into_response();
        for (name, value) in scripted.headers {
            response.headers_mut().insert(name, value.parse().unwrap());
        }
        return response;
    }
    let Some(text) = body["text"].as_str() else {
        return x_problem(400, "text is required");
    };
    if x::weighted_length(text) > 280 {
        return x_problem(403, "Your Tweet text is too long.");
    }
    let id = format!("18{count:05}");
    let mut response = (
        StatusCode::CREATED,
        axum::Json(json!({"data": {"id": id, "text": text, "edit_history_tweet_ids": [id]}})),
    )
        .into_response();
    for (name, value) in [
        ("x-rate-limit-limit", "200"),
        ("x-rate-limit-remaining", "150"),
        ("x-rate-limit-reset", "4102444800"),
    ] {
        response.headers_mut().insert(name, value.parse().unwrap());
    }
    response
}

async fn x_delete(
    State(fake): State<FakeX>,
    method: Method,
    Path(id): Path<String>,
    headers: HeaderMap,
) -> Response {
    let base = fake.base.lock().unwrap().clone();
    fake.posts
        .lock()
        .unwrap()
        .push((method.clone(), format!("/2/tweets/{id}"), Value::Null));
    if method != Method::DELETE {
        return x_problem(405, "Method Not Allowed");
    }
    if !oauth_ok("DELETE", &format!("{base}/2/tweets/{id}"), &headers) {
        return x_problem(401, "Unauthorized");
    }
    axum::Json(json!({"data": {"deleted": true}})).into_response()
}

// ---------------------------------------------------------------- Fediverse

pub const REMOTE_KEY: &str = include_str!("../fixtures/actor_key.pem");

/// A remote server with one account, `alice`, whose inbox checks our
/// signatures against our actor's published key.
#[derive(Clone)]
pub struct FakeFediverse {
    pub base: String,
    pub received: Arc<Mutex<Vec<Value>>>,
    pub refused: Arc<Mutex<Vec<String>>>,
    our_key: Arc<Mutex<String>>,
    /// GETs of actor documents, by path.
    pub fetched: Arc<Mutex<Vec<String>>>,
    /// Bytes the endless key document handed to the socket.
    pub endless_bytes_sent: Arc<std::sync::atomic::AtomicUsize>,
    /// A server that takes only RFC 9421 signatures (and refuses the cavage draft with 401).
    pub only_rfc9421: Arc<std::sync::atomic::AtomicBool>,
    /// The scheme of each POST the inbox received: "cavage" or "rfc9421".
    pub knocks: Arc<Mutex<Vec<&'static str>>>,
}

impl FakeFediverse {
    pub async fn start() -> FakeFediverse {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        let fake = FakeFediverse {
            base: base.clone(),
            received: Arc::default(),
            refused: Arc::default(),
            our_key: Arc::default(),
            fetched: Arc::default(),
            endless_bytes_sent: Arc::default(),
            only_rfc9421: Arc::default(),
            knocks: Arc::default(),
        };
        let router = Router::new()
            .route("/users/alice", get(alice))
            .route("/users/gone", get(gone))
            .route("/users/oksana", get(mastodon_actor))
            .route("/users/moved", get(moved))
            .route("/users/endless", get(endless))
            .route("/users/slow", get(slow))
            .route("/users/alice/inbox", post(alice_inbox))
            .route("/inbox", post(alice_inbox))
            .with_state(fake.clone());
        tokio::spawn(async move { axum::serve(listener, router).await.unwrap() });
        fake
    }

    pub fn actor(&self) -> String {
        format!("{}/users/alice", self.base)
    }

    /// Our actor's public key, as the remote would fetch it.
    pub fn trust(&self, public_pem: &str) {
        *self.our_key.lock().unwrap() = public_pem.to_owned();
    }

    pub fn received(&self) -> Vec<Value> {
        self.received.lock().unwrap().clone()
    }

    /// A request signed by alice, ready for our inbox.
    pub fn signed(&self, inbox_url: &str, activity: &Value) -> (Vec<(String, String)>, String) {
        self.signed_as(
            inbox_url,
            activity,
            &format!("{}#main-key", self.actor()),
            jiff::Timestamp::now().as_second(),
        )
    }

    /// A request signed with alice's private key under any key id and date.
    pub fn signed_as(
        &self,
        inbox_url: &str,
        activity: &Value,
        key_id: &str,
        date: i64,
    ) -> (Vec<(String, String)>, String) {
        let body = activity.to_string();
        let url = url::Url::parse(inbox_url).unwrap();
        let headers =
            activitypub::signed_post_headers(&url, body.as_bytes(), key_id, REMOTE_KEY, date)
                .unwrap();
        (
            headers
                .into_iter()
                .map(|(k, v)| (k.to_ascii_lowercase(), v))
                .collect(),
            body,
        )
    }
}

async fn alice(State(fake): State<FakeFediverse>) -> Response {
    fake.fetched.lock().unwrap().push("/users/alice".into());
    let public = activitypub::public_pem(REMOTE_KEY).unwrap();
    (
        [("content-type", "application/activity+json")],
        json!({
            "@context": ["https://www.w3.org/ns/activitystreams", "https://w3id.org/security/v1"],
            "id": fake.actor(),
            "type": "Person",
            "preferredUsername": "alice",
            "inbox": format!("{}/users/alice/inbox", fake.base),
            "endpoints": {"sharedInbox": format!("{}/inbox", fake.base)},
            "publicKey": {"id": format!("{}#main-key", fake.actor()), "owner": fake.actor(), "publicKeyPem": public},
        })
        .to_string(),
    )
        .into_response()
}

/// A Mastodon fixture with this server's address and key filled in.
pub fn mastodon_fixture(fake: &FakeFediverse, name: &str) -> String {
    let path = format!(
        "{}/tests/fixtures/mastodon/{name}.json",
        env!("CARGO_MANIFEST_DIR")
    );
    let public = activitypub::public_pem(REMOTE_KEY).unwrap();
    std::fs::read_to_string(path)
        .unwrap()
        .trim()
        .replace("{{ORIGIN}}", &fake.base)
        .replace("{{PUBLIC_KEY}}", &public.replace('\n', "\\n"))
}

/// A Mastodon account, as Mastodon serves its actor.
async fn mastodon_actor(State(fake): State<FakeFediverse>) -> Response {
    fake.fetched.lock().unwrap().push("/users/oksana".into());
    (
        [("content-type", "application/activity+json; charset=utf-8")],
        mastodon_fixture(&fake, "actor"),
    )
        .into_response()
}

/// A deleted account: its key is gone.
async fn gone(State(fake): State<FakeFediverse>) -> StatusCode {
    fake.fetched.lock().unwrap().push("/users/gone".into());
    StatusCode::GONE
}

/// Sends the fetcher elsewhere: here, to alice, whose key would verify.
async fn moved(State(fake): State<FakeFediverse>) -> Response {
    fake.fetched.lock().unwrap().push("/users/moved".into());
    (
        StatusCode::FOUND,
        [("location", format!("{}/users/alice", fake.base))],
    )
        .into_response()
}

/// A key document that never ends (100 MB of JSON-ish bytes).
async fn endless(State(fake): State<FakeFediverse>) -> Response {
    fake.fetched.lock().unwrap().push("/users/endless".into());
    let sent = fake.endless_bytes_sent.clone();
    let chunk = Bytes::from(vec![b' '; 64 * 1024]);
    let stream = futures_util::stream::iter((0..1600).map(move |_| {
        sent.fetch_add(chunk.len(), std::sync::atomic::Ordering::Relaxed);
        Ok::<_, std::io::Error>(chunk.clone())
    }));
    (
        [("content-type", "application/activity+json")],
        axum::body::Body::from_stream(stream),
    )
        .into_response()
}

/// An actor whose server takes its time.
async fn slow(State(fake): State<FakeFediverse>) -> Response {
    fake.fetched.lock().unwrap().push("/users/slow".into());
    tokio::time::sleep(std::time::Duration::from_secs(2)).await;
    StatusCode::NOT_FOUND.into_response()
}

/// RFC 9421 verification written from the RFC, apart from newsdesk's own:
/// the covered components in order, then `@signature-params`, RSA PKCS#1 v1.5
/// with SHA-256, and the Content-Digest of the body.
pub fn rfc9421_verify(
    method: &str,
    target_uri: &str,
    headers: &HeaderMap,
    body: &[u8],
    public_pem: &str,
) -> Result<(), String> {
    use base64::Engine;
    use rsa::pkcs8::DecodePublicKey;
    use rsa::signature::Verifier;
    use sha2::Digest;
    let header = |name: &str| {
        headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned)
            .ok_or(format!("no {name}"))
    };
    let input = header("signature-input")?;
    let (label, params) = input.split_once('=').ok_or("input")?;
    let list = &params[1..params.find(')').ok_or("list")?];
    let url = url::Url::parse(target_uri).map_err(|e| e.to_string())?;
    let mut base = String::new();
    for item in list.split(' ') {
        let name = item.trim_matches('"');
        let value = match name {
            "@method" => method.to_owned(),
            "@target-uri" => target_uri.to_owned(),
            "@authority" => url.authority().to_owned(),
            "@path" => url.path().to_owned(),
            other => header(other)?,
        };
        base.push_str(&format!("\"{name}\": {value}\n"));
    }
    base.push_str(&format!("\"@signature-params\": {params}"));
    let digest = format!(
        "sha-256=:{}:",
        base64::engine::general_purpose::STANDARD.encode(sha2::Sha256::digest(body))
    );
    if header("content-digest")? != digest || !list.contains("\"content-digest\"") {
        return Err("content-digest".into());
    }
    let signature = header("signature")?;
    let value = signature
        .strip_prefix(&format!("{label}=:"))
        .and_then(|v| v.strip_suffix(':'))
        .ok_or("signature label")?;
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(value)
        .map_err(|e| e.to_string())?;
    let key = rsa::RsaPublicKey::from_public_key_pem(public_pem).map_err(|e| e.to_string())?;
    let signature =
        rsa::pkcs1v15::Signature::try_from(bytes.as_slice()).map_err(|e| e.to_string())?;
    rsa::pkcs1v15::VerifyingKey::<sha2::Sha256>::new(key)
        .verify(base.as_bytes(), &signature)
        .map_err(|e| e.to_string())
}

/// A request signed the RFC 9421 way, written from the RFC: what Fedify sends.
pub fn rfc9421_signed(
    target_uri: &str,
    body: &[u8],
    key_id: &str,
    private_pem: &str,
    created: i64,
) -> Vec<(String, String)> {
    use base64::Engine;
    use rsa::pkcs8::DecodePrivateKey;
    use rsa::signature::{SignatureEncoding, Signer};
    use sha2::Digest;
    let digest = format!(
        "sha-256=:{}:",
        base64::engine::general_purpose::STANDARD.encode(sha2::Sha256::digest(body))
    );
    let params = format!(
        "(\"@method\" \"@target-uri\" \"content-digest\" \"content-type\");created={created};keyid=\"{key_id}\";alg=\"rsa-v1_5-sha256\""
    );
    let base = format!(
        "\"@method\": POST\n\"@target-uri\": {target_uri}\n\"content-digest\": {digest}\n\"content-type\": application/activity+json\n\"@signature-params\": {params}"
    );
    let key = rsa::RsaPrivateKey::from_pkcs8_pem(private_pem).unwrap();
    let signature = rsa::pkcs1v15::SigningKey::<sha2::Sha256>::new(key).sign(base.as_bytes());
    vec![
        ("content-type".into(), "application/activity+json".into()),
        ("content-digest".into(), digest),
        ("signature-input".into(), format!("sig1={params}")),
        (
            "signature".into(),
            format!(
                "sig1=:{}:",
                base64::engine::general_purpose::STANDARD.encode(signature.to_bytes())
            ),
        ),
    ]
}

async fn alice_inbox(
    State(fake): State<FakeFediverse>,
    OriginalUri(uri): OriginalUri,
    headers: HeaderMap,
    body: Bytes,
) -> StatusCode {
    let rfc9421 = headers.contains_key("signature-input");
    fake.knocks
        .lock()
        .unwrap()
        .push(if rfc9421 { "rfc9421" } else { "cavage" });
    let only_rfc9421 = fake.only_rfc9421.load(std::sync::atomic::Ordering::SeqCst);
    let verdict = (|| {
        if headers.get("content-type").and_then(|v| v.to_str().ok())
            != Some("application/activity+json")
        {
            return Err("content-type".to_owned());
        }
        if only_rfc9421 {
            if !rfc9421 {
                return Err("this server takes RFC 9421 signatures only".to_owned());
            }
            let key = fake.our_key.lock().unwrap().clone();
            let target = format!("{}{}", fake.base, uri.path());
            return rfc9421_verify("POST", &target, &headers, &body, &key);
        }
        let signature = activitypub::parse_signature_header(
            headers
                .get("signature")
                .and_then(|v| v.to_str().ok())
                .ok_or("unsigned")?,
        )
        .map_err(|e| e.to_string())?;
        if signature.headers.join(" ") != "(request-target) host date digest content-type" {
            return Err(format!("signed headers {:?}", signature.headers));
        }
        if !signature.key_id.ends_with("/fediverse/actor#main-key") {
            return Err(format!("keyId {}", signature.key_id));
        }
        let key = fake.our_key.lock().unwrap().clone();
        activitypub::verify_request(
            "post",
            uri.path(),
            &headers,
            &body,
            &signature,
            &key,
            jiff::Timestamp::now().as_second(),
        )
        .map_err(|e| e.to_string())
    })();
    match verdict {
        Ok(()) => {
            fake.received
                .lock()
                .unwrap()
                .push(serde_json::from_slice(&body).unwrap());
            StatusCode::ACCEPTED
        }
        Err(reason) => {
            fake.refused.lock().unwrap().push(reason);
            StatusCode::UNAUTHORIZED
        }
    }
}
