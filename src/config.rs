//! Typed configuration: built-in defaults, then an optional TOML file, then
//! `NEWSDESK_*` environment variables, then command-line flags.
//!
//! Every key is listed once in [`KEYS`] with its environment variable, its
//! default and what it expects, so `newsdesk config` can print a documented
//! example and a wrong value is reported as one clear line.

use std::collections::BTreeMap;
use std::fmt;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};

/// One known configuration key.
pub struct KeySpec {
    /// Dotted name as written in the TOML file (`server.listen`).
    pub key: &'static str,
    /// Environment variable that overrides it.
    pub env: &'static str,
    /// Default value, as text; empty means "not set".
    pub default: &'static str,
    /// What a valid value looks like, shown in error messages.
    pub expected: &'static str,
    pub doc: &'static str,
}

pub const KEYS: &[KeySpec] = &[
    KeySpec {
        key: "server.listen",
        env: "NEWSDESK_LISTEN",
        default: "127.0.0.1:8080",
        expected: "an address and port such as 127.0.0.1:8080",
        doc: "Address the HTTP server listens on.",
    },
    KeySpec {
        key: "server.base_url",
        env: "NEWSDESK_BASE_URL",
        default: "",
        expected: "an absolute http(s) URL such as https://news.example.org",
        doc: "Public address of the site, used in feeds, sitemaps and canonical links. Defaults to http://<listen>.",
    },
    KeySpec {
        key: "server.trusted_proxies",
        env: "NEWSDESK_TRUSTED_PROXIES",
        default: "",
        expected: "a comma-separated list of addresses or CIDR ranges such as 10.0.0.0/8, ::1",
        doc: "Reverse proxies whose X-Forwarded-For / Forwarded headers are believed (the rightmost hop that is not one of them is the client). Empty: the connecting address is the client.",
    },
    KeySpec {
        key: "server.max_connections",
        env: "NEWSDESK_MAX_CONNECTIONS",
        default: "4096",
        expected: "a whole number from 16 to 1000000",
        doc: "Open connections served at once; more wait in the kernel's queue.",
    },
    KeySpec {
        key: "server.max_connections_per_address",
        env: "NEWSDESK_MAX_CONNECTIONS_PER_ADDRESS",
        default: "64",
        expected: "a whole number from 1 to 1000000",
        doc: "Open connections one address may hold; more are closed at once. Trusted proxies are exempt.",
    },
    KeySpec {
        key: "server.header_timeout_seconds",
        env: "NEWSDESK_HEADER_TIMEOUT_SECONDS",
        default: "10",
        expected: "a whole number of seconds from 1 to 300",
        doc: "Time a client has to send its request headers; slower connections are closed.",
    },
    KeySpec {
        key: "server.idle_timeout_seconds",
        env: "NEWSDESK_IDLE_TIMEOUT_SECONDS",
        default: "60",
        expected: "a whole number of seconds from 5 to 3600, above the 30-second request limit",
        doc: "A connection that moves no byte for this long is closed (keep-alive, stalled readers).",
    },
    KeySpec {
        key: "server.data_dir",
        env: "NEWSDESK_DATA_DIR",
        default: "./data",
        expected: "a directory path",
        doc: "Where the SQLite database and media files live.",
    },
    KeySpec {
        key: "database.url",
        env: "NEWSDESK_DATABASE_URL",
        default: "",
        expected: "a sqlite:// or postgres:// URL",
        doc: "Database to use. Empty means SQLite in <data_dir>/newsdesk.db.",
    },
    KeySpec {
        key: "database.max_connections",
        env: "NEWSDESK_DATABASE_MAX_CONNECTIONS",
        default: "10",
        expected: "a whole number from 1 to 1000",
        doc: "Size of the connection pool.",
    },
    KeySpec {
        key: "metrics.listen",
        env: "NEWSDESK_METRICS_LISTEN",
        default: "127.0.0.1:9464",
        expected: "an address and port such as 127.0.0.1:9464, or off",
        doc: "Address Prometheus scrapes /metrics on, apart from the site; off serves none.",
    },
    KeySpec {
        key: "site.name",
        env: "NEWSDESK_SITE_NAME",
        default: "Newsdesk",
        expected: "a non-empty name",
        doc: "Name of the publication, shown in the header, feeds and metadata.",
    },
    KeySpec {
        key: "site.default_language",
        env: "NEWSDESK_SITE_DEFAULT_LANGUAGE",
        default: "uk",
        expected: "one of site.languages",
        doc: "Language served at the site root; other languages live under /<language>/.",
    },
    KeySpec {
        key: "site.languages",
        env: "NEWSDESK_SITE_LANGUAGES",
        default: "uk,en",
        expected: "a comma-separated list of language codes, each with a locale (built in: en, pl, uk; or the theme's locales/<code>/)",
        doc: "Languages the newsroom publishes in. A language is its locale folder plus its code here.",
    },
    KeySpec {
        key: "site.timezone",
        env: "NEWSDESK_SITE_TIMEZONE",
        default: "Europe/Kyiv",
        expected: "an IANA time zone such as Europe/Kyiv",
        doc: "Time zone of the newsroom: it decides what \"today\" and the date archive mean.",
    },
    KeySpec {
        key: "site.page_size",
        env: "NEWSDESK_SITE_PAGE_SIZE",
        default: "20",
        expected: "a whole number from 1 to 100",
        doc: "Stories per page on list pages.",
    },
    KeySpec {
        key: "site.logo_url",
        env: "NEWSDESK_SITE_LOGO_URL",
        default: "/static/logo.png",
        expected: "a path on this site or an https URL of a PNG or JPEG",
        doc: "The publication's logo for search engines (JSON-LD publisher.logo). The default is drawn from the favicon.",
    },
    KeySpec {
        key: "site.image_url",
        env: "NEWSDESK_SITE_IMAGE_URL",
        default: "/static/social.png",
        expected: "a path on this site or an https URL of a PNG or JPEG, ideally 1200×630",
        doc: "The picture social cards show for the home, section and other list pages.",
    },
    KeySpec {
        key: "site.theme_dir",
        env: "NEWSDESK_THEME_DIR",
        default: "",
        expected: "a directory path",
        doc: "Folder of templates that override the built-in theme file by file.",
    },
    KeySpec {
        key: "mail.smtp_url",
        env: "NEWSDESK_SMTP_URL",
        default: "",
        expected: "an smtp:// or smtps:// URL such as smtps://user:password@mail.example.org",
        doc: "SMTP server for password resets, invitations and receipts. Empty writes messages to the log.",
    },
    KeySpec {
        key: "mail.from",
        env: "NEWSDESK_MAIL_FROM",
        default: "Newsdesk <newsroom@localhost>",
        expected: "an address such as Kyiv Daily <newsroom@example.org>",
        doc: "Sender of the emails newsdesk sends.",
    },
    KeySpec {
        key: "mail.dkim_selector",
        env: "NEWSDESK_MAIL_DKIM_SELECTOR",
        default: "",
        expected: "a DNS label such as newsdesk",
        doc: "DKIM selector: messages are signed for the domain of mail.from, with the public key published at <selector>._domainkey.<domain>.",
    },
    KeySpec {
        key: "mail.dkim_private_key_file",
        env: "NEWSDESK_MAIL_DKIM_PRIVATE_KEY_FILE",
        default: "",
        expected: "a file holding an RSA private key (PKCS#1 PEM) or an Ed25519 key (base64)",
        doc: "The DKIM signing key; set together with mail.dkim_selector.",
    },
    KeySpec {
        key: "donations.uah",
        env: "NEWSDESK_DONATIONS_UAH",
        default: "250,500,1000;min=20;max=200000",
        expected: "preset amounts in UAH, then ;min= and ;max=, such as 250,500,1000;min=20;max=200000",
        doc: "Preset, smallest and largest donation in hryvnias. Small amounts are how stolen cards get tested.",
    },
    KeySpec {
        key: "donations.eur",
        env: "NEWSDESK_DONATIONS_EUR",
        default: "5,10,25;min=2;max=10000",
        expected: "preset amounts in EUR, then ;min= and ;max=",
        doc: "Preset, smallest and largest donation in euros.",
    },
    KeySpec {
        key: "donations.usd",
        env: "NEWSDESK_DONATIONS_USD",
        default: "5,10,25;min=2;max=10000",
        expected: "preset amounts in USD, then ;min= and ;max=",
        doc: "Preset, smallest and largest donation in US dollars.",
    },
    KeySpec {
        key: "donations.default_currency",
        env: "NEWSDESK_DONATIONS_DEFAULT_CURRENCY",
        default: "eur, uk=uah",
        expected: "a currency (uah, eur, usd), then language=currency pairs, such as eur, uk=uah",
        doc: "The currency the donation box offers first, per language.",
    },
    KeySpec {
        key: "donations.sandbox",
        env: "NEWSDESK_DONATIONS_SANDBOX",
        default: "false",
        expected: "true or false",
        doc: "Take donations through the built-in test checkout (no money moves). `serve --demo` turns it on when no provider is configured.",
    },
    KeySpec {
        key: "stripe.secret_key",
        env: "NEWSDESK_STRIPE_SECRET_KEY",
        default: "",
        expected: "a Stripe secret key (sk_live_… or sk_test_…)",
        doc: "Turns on card donations through Stripe Checkout.",
    },
    KeySpec {
        key: "stripe.webhook_secret",
        env: "NEWSDESK_STRIPE_WEBHOOK_SECRET",
        default: "",
        expected: "the endpoint's signing secret (whsec_…)",
        doc: "Verifies events posted to /webhooks/stripe.",
    },
    KeySpec {
        key: "stripe.api_base",
        env: "NEWSDESK_STRIPE_API_BASE",
        default: "https://api.stripe.com",
        expected: "an http(s) URL",
        doc: "Stripe's API address; tests point it at a local fake.",
    },
    KeySpec {
        key: "liqpay.public_key",
        env: "NEWSDESK_LIQPAY_PUBLIC_KEY",
        default: "",
        expected: "the LiqPay public key",
        doc: "Turns on hryvnia donations through LiqPay (with the private key).",
    },
    KeySpec {
        key: "liqpay.private_key",
        env: "NEWSDESK_LIQPAY_PRIVATE_KEY",
        default: "",
        expected: "the LiqPay private key",
        doc: "Signs LiqPay requests and verifies its callbacks.",
    },
    KeySpec {
        key: "liqpay.api_base",
        env: "NEWSDESK_LIQPAY_API_BASE",
        default: "https://www.liqpay.ua",
        expected: "an http(s) URL",
        doc: "LiqPay's address; tests point it at a local fake.",
    },
    KeySpec {
        key: "distribution.max_attempts",
        env: "NEWSDESK_DISTRIBUTION_MAX_ATTEMPTS",
        default: "8",
        expected: "a whole number from 1 to 100",
        doc: "Attempts per delivery before it is a dead letter the admin shows.",
    },
    KeySpec {
        key: "distribution.retry_base_seconds",
        env: "NEWSDESK_DISTRIBUTION_RETRY_BASE_SECONDS",
        default: "30",
        expected: "a whole number of seconds (0 to 3600)",
        doc: "First retry delay; each further retry waits twice as long, at most an hour.",
    },
    KeySpec {
        key: "telegram.bot_token",
        env: "NEWSDESK_TELEGRAM_BOT_TOKEN",
        default: "",
        expected: "the bot token from @BotFather",
        doc: "Turns on posting stories to Telegram channels.",
    },
    KeySpec {
        key: "telegram.channels",
        env: "NEWSDESK_TELEGRAM_CHANNELS",
        default: "",
        expected: "language=chat pairs, such as uk=@newsroom_ua, en=@newsroom_en",
        doc: "Channel per language; a language without one sends none.",
    },
    KeySpec {
        key: "telegram.channel_uk",
        env: "NEWSDESK_TELEGRAM_CHANNEL_UK",
        default: "",
        expected: "@channelusername or a numeric chat id",
        doc: "Older spelling of `telegram.channels` for Ukrainian.",
    },
    KeySpec {
        key: "telegram.channel_en",
        env: "NEWSDESK_TELEGRAM_CHANNEL_EN",
        default: "",
        expected: "@channelusername or a numeric chat id",
        doc: "Older spelling of `telegram.channels` for English.",
    },
    KeySpec {
        key: "telegram.api_base",
        env: "NEWSDESK_TELEGRAM_API_BASE",
        default: "https://api.telegram.org",
        expected: "an http(s) URL",
        doc: "Bot API address; tests point it at a local fake.",
    },
    KeySpec {
        key: "x.consumer_key",
        env: "NEWSDESK_X_CONSUMER_KEY",
        default: "",
        expected: "the app's API key",
        doc: "Turns on posting stories to X (with the three keys below).",
    },
    KeySpec {
        key: "x.consumer_secret",
        env: "NEWSDESK_X_CONSUMER_SECRET",
        default: "",
        expected: "the app's API key secret",
        doc: "Signs X requests (OAuth 1.0a).",
    },
    KeySpec {
        key: "x.access_token",
        env: "NEWSDESK_X_ACCESS_TOKEN",
        default: "",
        expected: "the account's access token",
        doc: "The account stories are posted as.",
    },
    KeySpec {
        key: "x.access_token_secret",
        env: "NEWSDESK_X_ACCESS_TOKEN_SECRET",
        default: "",
        expected: "the access token secret",
        doc: "Signs X requests (OAuth 1.0a).",
    },
    KeySpec {
        key: "x.api_base",
        env: "NEWSDESK_X_API_BASE",
        default: "https://api.x.com",
        expected: "an http(s) URL",
        doc: "X API address; tests point it at a local fake.",
    },
    KeySpec {
        key: "fediverse.username",
        env: "NEWSDESK_FEDIVERSE_USERNAME",
        default: "news",
        expected: "letters, digits and _ (empty turns the Fediverse off)",
        doc: "The publication's Fediverse name: @news@your-host.",
    },
    KeySpec {
        key: "fediverse.allow_private_networks",
        env: "NEWSDESK_FEDIVERSE_ALLOW_PRIVATE_NETWORKS",
        default: "false",
        expected: "true or false",
        doc: "Lets Fediverse peers live on loopback or private addresses (tests, closed networks only).",
    },
    KeySpec {
        key: "newsletter.digest_hour",
        env: "NEWSDESK_NEWSLETTER_DIGEST_HOUR",
        default: "8",
        expected: "an hour from 0 to 23, or a default hour and language=hour pairs, such as 8, pl=9",
        doc: "When the daily digest goes out, in the site's time zone; each language may have its own hour.",
    },
    KeySpec {
        key: "newsletter.max_per_second",
        env: "NEWSDESK_NEWSLETTER_MAX_PER_SECOND",
        default: "100",
        expected: "a whole number from 1 to 10000",
        doc: "Newsletter sending pace, so a big send leaves the machine to readers.",
    },
    KeySpec {
        key: "videos.youtube_channel_id",
        env: "NEWSDESK_VIDEOS_YOUTUBE_CHANNEL_ID",
        default: "",
        expected: "a channel id (UC…)",
        doc: "The newsroom's YouTube channel; its new videos become video posts.",
    },
    KeySpec {
        key: "videos.youtube_base",
        env: "NEWSDESK_VIDEOS_YOUTUBE_BASE",
        default: "https://www.youtube.com",
        expected: "an http(s) URL",
        doc: "YouTube's address for the channel feed; tests point it at a local fake.",
    },
    KeySpec {
        key: "videos.tiktok_urls",
        env: "NEWSDESK_VIDEOS_TIKTOK_URLS",
        default: "",
        expected: "TikTok video URLs, comma-separated",
        doc: "TikTok videos to show as video posts.",
    },
    KeySpec {
        key: "videos.tiktok_base",
        env: "NEWSDESK_VIDEOS_TIKTOK_BASE",
        default: "https://www.tiktok.com",
        expected: "an http(s) URL",
        doc: "TikTok's oEmbed address; tests point it at a local fake.",
    },
    KeySpec {
        key: "videos.poll_minutes",
        env: "NEWSDESK_VIDEOS_POLL_MINUTES",
        default: "30",
        expected: "a whole number of minutes (1 to 1440)",
        doc: "How often to look for new videos.",
    },
    KeySpec {
        key: "demo.password",
        env: "NEWSDESK_DEMO_PASSWORD",
        default: "",
        expected: "at least 12 characters",
        doc: "Password of the demo staff accounts with --demo; empty generates one and prints it once.",
    },
    KeySpec {
        key: "audit.retention_days",
        env: "NEWSDESK_AUDIT_RETENTION_DAYS",
        default: "365",
        expected: "a whole number of days from 1 to 36500",
        doc: "How long the audit log of staff actions is kept.",
    },
    KeySpec {
        key: "content_api.key_required",
        env: "NEWSDESK_CONTENT_API_KEY_REQUIRED",
        default: "false",
        expected: "true or false",
        doc: "Whether the public Content API (/api/content/) asks for an API key with the content:read scope; by default it is open, like the site.",
    },
    KeySpec {
        key: "feeds.full_text",
        env: "NEWSDESK_FEEDS_FULL_TEXT",
        default: "true",
        expected: "true or false",
        doc: "Whether RSS and Atom carry each story's whole text (content:encoded, atom:content) or only its standfirst.",
    },
    KeySpec {
        key: "cache.max_pages",
        env: "NEWSDESK_CACHE_MAX_PAGES",
        default: "5000",
        expected: "a whole number (0 turns the page cache off)",
        doc: "How many rendered public pages to keep in memory.",
    },
    KeySpec {
        key: "cdn.shared_max_age_seconds",
        env: "NEWSDESK_CDN_SHARED_MAX_AGE_SECONDS",
        default: "60",
        expected: "seconds, 0 to 86400",
        doc: "How long a CDN in front may keep a public page (`s-maxage`); with a purge endpoint it can be long, as changes purge at once.",
    },
    KeySpec {
        key: "cdn.purge_url",
        env: "NEWSDESK_CDN_PURGE_URL",
        default: "",
        expected: "an http(s) URL that takes POST {\"tags\": [...]}, such as Cloudflare's purge_cache",
        doc: "Where to send the cache tags of pages a change dropped, so the CDN drops them too; empty sends nothing.",
    },
    KeySpec {
        key: "cdn.purge_token",
        env: "NEWSDESK_CDN_PURGE_TOKEN",
        default: "",
        expected: "a bearer token",
        doc: "Sent as `Authorization: Bearer …` with each purge.",
    },
    KeySpec {
        key: "signing.key_file",
        env: "NEWSDESK_SIGNING_KEY_FILE",
        default: "",
        expected: "a file path",
        doc: "The newsroom's Ed25519 key that signs every published story version (docs/SIGNING.md); made on first start. Empty: DATA_DIR/signing.key. Several nodes must share one file.",
    },
    KeySpec {
        key: "media.store",
        env: "NEWSDESK_MEDIA_STORE",
        default: "",
        expected: "empty (the data folder) or s3://bucket or s3://bucket/prefix",
        doc: "Where uploaded images are kept: empty keeps them in DATA_DIR/media; an S3-compatible bucket lets several nodes share them.",
    },
    KeySpec {
        key: "media.s3_endpoint",
        env: "NEWSDESK_MEDIA_S3_ENDPOINT",
        default: "",
        expected: "an http(s) URL such as https://<account>.r2.cloudflarestorage.com",
        doc: "The S3-compatible service (MinIO, R2, B2, Wasabi, …); empty is Amazon S3 itself.",
    },
    KeySpec {
        key: "media.s3_region",
        env: "NEWSDESK_MEDIA_S3_REGION",
        default: "us-east-1",
        expected: "a region name such as eu-central-1 (auto for R2)",
        doc: "The bucket's region, part of every request's signature.",
    },
    KeySpec {
        key: "media.s3_access_key_id",
        env: "NEWSDESK_MEDIA_S3_ACCESS_KEY_ID",
        default: "",
        expected: "an access key id",
        doc: "Key allowed to read, write, list and delete in the bucket; empty uses the machine's role (AWS_* variables, instance metadata).",
    },
    KeySpec {
        key: "media.s3_secret_access_key",
        env: "NEWSDESK_MEDIA_S3_SECRET_ACCESS_KEY",
        default: "",
        expected: "the access key's secret",
        doc: "Secret of `media.s3_access_key_id`.",
    },
    KeySpec {
        key: "media.public_url",
        env: "NEWSDESK_MEDIA_PUBLIC_URL",
        default: "",
        expected: "an http(s) URL such as https://media.example.org",
        doc: "Where readers fetch images (a CDN or the bucket's web address): pages point at it instead of /media/ on this site. Empty: /media/, served by every node from the store.",
    },
];

/// A setting that may differ by language: "8, pl=9" is 8 for every
/// language but Polish.
#[derive(Clone, Debug, PartialEq)]
pub struct PerLanguage<T> {
    default: T,
    by_language: BTreeMap<String, T>,
}

impl<T> PerLanguage<T> {
    pub fn same(value: T) -> Self {
        PerLanguage {
            default: value,
            by_language: BTreeMap::new(),
        }
    }

    pub fn get(&self, language: &str) -> &T {
        self.by_language.get(language).unwrap_or(&self.default)
    }
}

/// Reads "value, language=value, …": at most one bare value (the default),
/// and only the site's languages.
fn language_pairs<'t>(
    key: &str,
    text: &'t str,
    languages: &[String],
) -> Result<(Option<&'t str>, BTreeMap<String, &'t str>), ConfigError> {
    let mut default = None;
    let mut by_language = BTreeMap::new();
    for item in text.split(',').map(str::trim).filter(|i| !i.is_empty()) {
        match item.split_once('=') {
            Some((language, value)) => {
                let language = language.trim().to_ascii_lowercase();
                if !languages.contains(&language)
                    || by_language.insert(language, value.trim()).is_some()
                {
                    return Err(invalid(key, text));
                }
            }
            None if default.is_none() => default = Some(item),
            None => return Err(invalid(key, text)),
        }
    }
    Ok((default, by_language))
}

fn per_language<T>(
    key: &str,
    text: &str,
    languages: &[String],
    read: impl Fn(&str) -> Option<T>,
) -> Result<PerLanguage<T>, ConfigError> {
    let (default, pairs) = language_pairs(key, text, languages)?;
    let default = default.and_then(&read).ok_or_else(|| invalid(key, text))?;
    let mut by_language = BTreeMap::new();
    for (language, value) in pairs {
        by_language.insert(language, read(value).ok_or_else(|| invalid(key, text))?);
    }
    Ok(PerLanguage {
        default,
        by_language,
    })
}

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("config: {key} = {value:?} is invalid: expected {expected}")]
    Invalid {
        key: String,
        value: String,
        expected: String,
    },
    #[error("config: unknown key {key} in {file}")]
    UnknownKey { key: String, file: String },
    #[error("config: cannot read {file}: {reason}")]
    Unreadable { file: String, reason: String },
}

#[derive(Clone)]
pub struct Config {
    pub listen: SocketAddr,
    /// Where `/metrics` is served; `None` when switched off.
    pub metrics_listen: Option<SocketAddr>,
    pub trusted_proxies: Vec<ipnet::IpNet>,
    pub max_open_connections: usize,
    pub max_connections_per_address: usize,
    pub header_timeout_seconds: u64,
    pub idle_timeout_seconds: u64,
    pub audit_retention_days: i64,
    pub feeds_full_text: bool,
    /// The Content API asks for a key (`content:read`).
    pub content_api_key_required: bool,
    pub base_url: String,
    pub data_dir: PathBuf,
    pub database_url: String,
    pub max_connections: u32,
    pub site: SiteConfig,
    pub cache_max_pages: usize,
    pub cdn: CdnConfig,
    pub media: MediaConfig,
    /// The secret key that signs story versions.
    pub signing_key_file: PathBuf,
    /// Password for the demo staff; `None` generates one on first seeding.
    pub demo_password: Option<String>,
    pub smtp_url: String,
    pub mail_from: String,
    /// DKIM signing: selector and the key file's text, when configured.
    pub dkim: Option<(String, String)>,
    pub donations: DonationConfig,
    pub distribution: DistributionConfig,
}

/// A CDN in front of the site: how long it may keep pages, and where to
/// tell it which pages changed.
#[derive(Clone, Debug)]
pub struct CdnConfig {
    pub shared_max_age_seconds: u32,
    pub purge_url: Option<String>,
    pub purge_token: String,
}

/// Where uploaded images are kept and where readers fetch them.
#[derive(Clone, Debug)]
pub struct MediaConfig {
    pub location: MediaLocation,
    /// Base URL readers fetch `/media/…` from instead of this site.
    pub public_url: Option<String>,
    /// The S3 service and credentials (bucket empty), for any bucket newsdesk writes.
    pub s3_access: S3Location,
}

#[derive(Clone, Debug)]
pub enum MediaLocation {
    /// `DATA_DIR/media`.
    Folder,
    S3(S3Location),
}

/// An S3-compatible bucket.
#[derive(Clone)]
pub struct S3Location {
    pub bucket: String,
    /// Keys begin with this (no slashes at either end); empty for none.
    pub prefix: String,
    pub endpoint: Option<String>,
    pub region: String,
    pub access_key_id: String,
    pub secret_access_key: String,
}

impl fmt::Debug for S3Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("S3Location")
            .field("bucket", &self.bucket)
            .field("prefix", &self.prefix)
            .field("endpoint", &self.endpoint)
            .field("region", &self.region)
            .finish_non_exhaustive()
    }
}

/// `s3://bucket[/prefix]` as bucket and prefix.
pub fn s3_bucket_and_prefix(value: &str) -> Option<(String, String)> {
    let rest = value.strip_prefix("s3://")?;
    let (bucket, prefix) = rest.split_once('/').unwrap_or((rest, ""));
    let bucket_ok = (3..=63).contains(&bucket.len())
        && bucket
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'.');
    let prefix = prefix.trim_matches('/');
    let prefix_ok = prefix.split('/').all(|segment| {
        segment.is_empty()
            || (segment != "."
                && segment != ".."
                && segment
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b"-_.".contains(&b)))
    }) && !prefix.contains("//");
    (bucket_ok && prefix_ok).then(|| (bucket.to_owned(), prefix.to_owned()))
}

/// Where stories go besides the site, and how hard to try.
#[derive(Clone, Debug)]
pub struct DistributionConfig {
    pub max_attempts: i64,
    pub retry_base_seconds: i64,
    pub telegram: Option<TelegramConfig>,
    pub x: Option<XConfig>,
    /// The actor's name; `None` when the Fediverse is off.
    pub fediverse_username: Option<String>,
    /// Whether peers on private addresses are reachable (tests only).
    pub fediverse_allow_private: bool,
    /// Hour of the daily digest in the site's zone, per language.
    pub digest_hour: PerLanguage<i8>,
    pub newsletter_per_second: i64,
    pub videos: VideoConfig,
}

#[derive(Clone)]
pub struct TelegramConfig {
    pub bot_token: String,
    /// Channel per content language.
    pub channels: BTreeMap<String, String>,
    pub api_base: String,
}

#[derive(Clone)]
pub struct XConfig {
    pub consumer_key: String,
    pub consumer_secret: String,
    pub access_token: String,
    pub access_token_secret: String,
    pub api_base: String,
}

#[derive(Clone, Debug)]
pub struct VideoConfig {
    pub youtube_channel_id: Option<String>,
    pub youtube_base: String,
    pub tiktok_urls: Vec<String>,
    pub tiktok_base: String,
    pub poll_minutes: u64,
}

impl fmt::Debug for TelegramConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TelegramConfig")
            .field("channels", &self.channels)
            .field("api_base", &self.api_base)
            .finish_non_exhaustive()
    }
}

impl fmt::Debug for XConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("XConfig")
            .field("api_base", &self.api_base)
            .finish_non_exhaustive()
    }
}

/// What the donation box offers, per currency, in major units.
#[derive(Clone, Debug)]
pub struct CurrencyRules {
    pub presets: Vec<i64>,
    pub min: i64,
    pub max: i64,
}

#[derive(Clone, Debug)]
pub struct DonationConfig {
    pub uah: CurrencyRules,
    pub eur: CurrencyRules,
    pub usd: CurrencyRules,
    /// The currency the donation box offers first, per language.
    pub default_currency: PerLanguage<crate::services::money::Currency>,
    /// The built-in test checkout; never on outside the demo unless configured.
    pub sandbox: bool,
    pub stripe: Option<StripeConfig>,
    pub liqpay: Option<LiqPayConfig>,
}

#[derive(Clone)]
pub struct StripeConfig {
    pub secret_key: String,
    pub webhook_secret: String,
    pub api_base: String,
}

#[derive(Clone)]
pub struct LiqPayConfig {
    pub public_key: String,
    pub private_key: String,
    pub api_base: String,
}

/// Keys never appear in logs.
impl fmt::Debug for StripeConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("StripeConfig")
            .field("api_base", &self.api_base)
            .finish_non_exhaustive()
    }
}

impl fmt::Debug for LiqPayConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("LiqPayConfig")
            .field("public_key", &self.public_key)
            .field("api_base", &self.api_base)
            .finish_non_exhaustive()
    }
}

fn api_base(key: &str, value: &str) -> Result<String, ConfigError> {
    match url::Url::parse(value) {
        Ok(u) if matches!(u.scheme(), "http" | "https") && u.host().is_some() => {
            Ok(value.trim_end_matches('/').to_owned())
        }
        _ => Err(invalid(key, value)),
    }
}

/// A picture's address: a path on this site, or an absolute https URL.
fn image_url_setting(key: &str, value: &str) -> Result<String, ConfigError> {
    let local = value.starts_with('/') && !value.starts_with("//");
    let remote = url::Url::parse(value).is_ok_and(|u| u.scheme() == "https" && u.host().is_some());
    if (local || remote) && !value.contains(['"', '<', '>', ' ']) {
        Ok(value.to_owned())
    } else {
        Err(invalid(key, value))
    }
}

fn currency_rules(key: &str, text: &str) -> Result<CurrencyRules, ConfigError> {
    let mut parts = text.split(';');
    let presets: Option<Vec<i64>> = parts
        .next()
        .map(|p| {
            p.split(',')
                .map(|n| n.trim().parse::<i64>().ok().filter(|n| *n > 0))
                .collect()
        })
        .and_then(|v: Option<Vec<i64>>| v.filter(|v| !v.is_empty() && v.len() <= 6));
    let (mut min, mut max) = (None, None);
    for part in parts {
        match part.trim().split_once('=') {
            Some(("min", n)) => min = n.trim().parse::<i64>().ok().filter(|n| *n > 0),
            Some(("max", n)) => max = n.trim().parse::<i64>().ok().filter(|n| *n > 0),
            _ => return Err(invalid(key, text)),
        }
    }
    match (presets, min, max) {
        (Some(presets), Some(min), Some(max))
            if min < max && presets.iter().all(|p| (min..=max).contains(p)) =>
        {
            Ok(CurrencyRules { presets, min, max })
        }
        _ => Err(invalid(key, text)),
    }
}

#[derive(Clone, Debug)]
pub struct SiteConfig {
    pub name: String,
    pub default_language: String,
    pub languages: Vec<String>,
    pub timezone: jiff::tz::TimeZone,
    pub timezone_name: String,
    pub page_size: i64,
    pub theme_dir: Option<PathBuf>,
    pub logo_url: String,
    pub image_url: String,
}

impl fmt::Debug for Config {
    /// Database URLs can hold passwords, so they are redacted.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Config")
            .field("listen", &self.listen)
            .field("base_url", &self.base_url)
            .field("data_dir", &self.data_dir)
            .field("database_url", &redact_url(&self.database_url))
            .field("site", &self.site)
            .finish_non_exhaustive()
    }
}

fn redact_url(url: &str) -> String {
    match url::Url::parse(url) {
        Ok(mut parsed) if parsed.password().is_some() => {
            let _ = parsed.set_password(Some("***"));
            parsed.to_string()
        }
        // Not a URL we can take apart: whatever precedes an '@' may be a password.
        _ => match url.rsplit_once('@') {
            Some((_, host)) => format!("(credentials hidden)@{host}"),
            None => url.to_owned(),
        },
    }
}

/// Values given on the command line; they win over everything else.
#[derive(Default, Debug, Clone)]
pub struct Overrides {
    pub config_file: Option<PathBuf>,
    pub listen: Option<String>,
    pub data_dir: Option<String>,
    pub database_url: Option<String>,
}

impl Config {
    /// Loads configuration from the process environment.
    pub fn load(overrides: &Overrides) -> Result<Self, ConfigError> {
        let env: BTreeMap<String, String> = std::env::vars()
            .filter(|(k, _)| k.starts_with("NEWSDESK_"))
            .collect();
        Self::load_from(overrides, &env)
    }

    /// Loads configuration from an explicit environment, for tests.
    pub fn load_from(
        overrides: &Overrides,
        env: &BTreeMap<String, String>,
    ) -> Result<Self, ConfigError> {
        let mut values: BTreeMap<&'static str, String> = KEYS
            .iter()
            .map(|spec| (spec.key, spec.default.to_owned()))
            .collect();
        if let Some(file) = &overrides.config_file {
            for (key, value) in read_toml(file)? {
                let spec =
                    KEYS.iter()
                        .find(|s| s.key == key)
                        .ok_or_else(|| ConfigError::UnknownKey {
                            key: key.clone(),
                            file: file.display().to_string(),
                        })?;
                values.insert(spec.key, value);
            }
        }
        for spec in KEYS {
            if let Some(value) = env.get(spec.env) {
                values.insert(spec.key, value.clone());
            }
        }
        let cli = [
            ("server.listen", &overrides.listen),
            ("server.data_dir", &overrides.data_dir),
            ("database.url", &overrides.database_url),
        ];
        for (key, value) in cli {
            if let Some(value) = value {
                values.insert(key, value.clone());
            }
        }
        Self::from_values(&values)
    }

    fn from_values(values: &BTreeMap<&'static str, String>) -> Result<Self, ConfigError> {
        let get = |key: &str| {
            // A key read here but missing from KEYS would silently be empty.
            debug_assert!(spec(key).is_some(), "config key {key} is not in KEYS");
            values.get(key).map(String::as_str).unwrap_or("").trim()
        };
        let listen: SocketAddr = parse(get("server.listen"), "server.listen")?;
        let metrics_listen = match get("metrics.listen") {
            "off" | "" => None,
            address => Some(parse(address, "metrics.listen")?),
        };
        let data_dir = PathBuf::from(non_empty(get("server.data_dir"), "server.data_dir")?);
        let access_key_id = get("media.s3_access_key_id").to_owned();
        let secret_access_key = get("media.s3_secret_access_key").to_owned();
        if access_key_id.is_empty() != secret_access_key.is_empty() {
            return Err(ConfigError::Invalid {
                key: "media.s3_secret_access_key".into(),
                value: String::new(),
                expected: "set together with media.s3_access_key_id (or both empty)".into(),
            });
        }
        let s3_access = S3Location {
            bucket: String::new(),
            prefix: String::new(),
            endpoint: match get("media.s3_endpoint") {
                "" => None,
                url => Some(api_base("media.s3_endpoint", url)?),
            },
            region: non_empty(get("media.s3_region"), "media.s3_region")?.to_owned(),
            access_key_id,
            secret_access_key,
        };
        let signing_key_file = match get("signing.key_file") {
            "" => data_dir.join("signing.key"),
            file => PathBuf::from(file),
        };
        let base_url = match get("server.base_url") {
            "" => format!("http://{listen}"),
            url => {
                let parsed = url::Url::parse(url).map_err(|_| invalid("server.base_url", url))?;
                if !matches!(parsed.scheme(), "http" | "https") || parsed.host().is_none() {
                    return Err(invalid("server.base_url", url));
                }
                url.trim_end_matches('/').to_owned()
            }
        };
        let database_url = match get("database.url") {
            "" => sqlite_url(&data_dir),
            url if url.starts_with("sqlite:")
                || url.starts_with("postgres://")
                || url.starts_with("postgresql://") =>
            {
                url.to_owned()
            }
            url => return Err(invalid("database.url", &redact_url(url))),
        };
        let max_connections: u32 =
            parse(get("database.max_connections"), "database.max_connections")?;
        if !(1..=1000).contains(&max_connections) {
            return Err(invalid(
                "database.max_connections",
                &max_connections.to_string(),
            ));
        }
        let theme_dir = match get("site.theme_dir") {
            "" => None,
            dir => {
                let path = PathBuf::from(dir);
                if !path.is_dir() {
                    return Err(ConfigError::Invalid {
                        key: "site.theme_dir".into(),
                        value: dir.into(),
                        expected: "an existing directory".into(),
                    });
                }
                Some(path)
            }
        };
        let languages: Vec<String> = get("site.languages")
            .split(',')
            .map(|l| l.trim().to_ascii_lowercase())
            .filter(|l| !l.is_empty())
            .collect();
        let with_locale = crate::i18n::available(theme_dir.as_deref());
        if languages.is_empty() || languages.iter().any(|l| !with_locale.contains(l)) {
            return Err(ConfigError::Invalid {
                key: "site.languages".into(),
                value: get("site.languages").into(),
                expected: format!(
                    "languages with a locale: {}",
                    with_locale.into_iter().collect::<Vec<_>>().join(", ")
                ),
            });
        }
        let default_language = get("site.default_language").to_ascii_lowercase();
        if !languages.contains(&default_language) {
            return Err(ConfigError::Invalid {
                key: "site.default_language".into(),
                value: default_language,
                expected: format!("one of the site languages: {}", languages.join(", ")),
            });
        }
        let timezone_name = get("site.timezone").to_owned();
        let timezone = jiff::tz::TimeZone::get(&timezone_name)
            .map_err(|_| invalid("site.timezone", &timezone_name))?;
        let page_size: i64 = parse(get("site.page_size"), "site.page_size")?;
        if !(1..=100).contains(&page_size) {
            return Err(invalid("site.page_size", &page_size.to_string()));
        }
        let trusted_proxies = get("server.trusted_proxies")
            .split(',')
            .map(str::trim)
            .filter(|p| !p.is_empty())
            .map(|p| {
                p.parse::<ipnet::IpNet>()
                    .or_else(|_| p.parse::<std::net::IpAddr>().map(ipnet::IpNet::from))
                    .map_err(|_| invalid("server.trusted_proxies", p))
            })
            .collect::<Result<Vec<_>, _>>()?;
        let in_range = |key: &str, range: std::ops::RangeInclusive<u64>| {
            let value: u64 = parse(get(key), key)?;
            if range.contains(&value) {
                Ok(value)
            } else {
                Err(invalid(key, &value.to_string()))
            }
        };
        let max_open_connections = in_range("server.max_connections", 16..=1_000_000)? as usize;
        let max_connections_per_address =
            in_range("server.max_connections_per_address", 1..=1_000_000)? as usize;
        let header_timeout_seconds = in_range("server.header_timeout_seconds", 1..=300)?;
        let idle_timeout_seconds = in_range("server.idle_timeout_seconds", 5..=3600)?;
        let audit_retention_days = in_range("audit.retention_days", 1..=36_500)? as i64;
        Ok(Config {
            listen,
            metrics_listen,
            trusted_proxies,
            header_timeout_seconds,
            idle_timeout_seconds,
            feeds_full_text: parse::<bool>(get("feeds.full_text"), "feeds.full_text")?,
            content_api_key_required: parse::<bool>(
                get("content_api.key_required"),
                "content_api.key_required",
            )?,
            audit_retention_days,
            max_open_connections,
            max_connections_per_address,
            base_url,
            data_dir,
            database_url,
            max_connections,
            site: SiteConfig {
                name: non_empty(get("site.name"), "site.name")?.to_owned(),
                default_language,
                languages: languages.clone(),
                timezone,
                timezone_name,
                page_size,
                theme_dir,
                logo_url: image_url_setting("site.logo_url", get("site.logo_url"))?,
                image_url: image_url_setting("site.image_url", get("site.image_url"))?,
            },
            cache_max_pages: parse(get("cache.max_pages"), "cache.max_pages")?,
            cdn: CdnConfig {
                shared_max_age_seconds: in_range("cdn.shared_max_age_seconds", 0..=86_400)? as u32,
                purge_url: match get("cdn.purge_url") {
                    "" => None,
                    url => Some(api_base("cdn.purge_url", url)?),
                },
                purge_token: get("cdn.purge_token").to_owned(),
            },
            signing_key_file,
            media: MediaConfig {
                location: match get("media.store") {
                    "" => MediaLocation::Folder,
                    store => {
                        let (bucket, prefix) = s3_bucket_and_prefix(store)
                            .ok_or_else(|| invalid("media.store", store))?;
                        MediaLocation::S3(S3Location {
                            bucket,
                            prefix,
                            ..s3_access.clone()
                        })
                    }
                },
                s3_access,
                public_url: match get("media.public_url") {
                    "" => None,
                    url => Some(api_base("media.public_url", url)?),
                },
            },
            donations: DonationConfig {
                uah: currency_rules("donations.uah", get("donations.uah"))?,
                eur: currency_rules("donations.eur", get("donations.eur"))?,
                usd: currency_rules("donations.usd", get("donations.usd"))?,
                default_currency: per_language(
                    "donations.default_currency",
                    get("donations.default_currency"),
                    &languages,
                    crate::services::money::Currency::parse,
                )?,
                sandbox: parse::<bool>(get("donations.sandbox"), "donations.sandbox")?,
                stripe: match (get("stripe.secret_key"), get("stripe.webhook_secret")) {
                    ("", _) => None,
                    (_, "") => {
                        return Err(ConfigError::Invalid {
                            key: "stripe.webhook_secret".into(),
                            value: String::new(),
                            expected:
                                "the webhook signing secret whenever stripe.secret_key is set"
                                    .into(),
                        });
                    }
                    (secret_key, webhook_secret) => Some(StripeConfig {
                        secret_key: secret_key.to_owned(),
                        webhook_secret: webhook_secret.to_owned(),
                        api_base: api_base("stripe.api_base", get("stripe.api_base"))?,
                    }),
                },
                liqpay: match (get("liqpay.public_key"), get("liqpay.private_key")) {
                    ("", "") => None,
                    ("", _) | (_, "") => {
                        return Err(ConfigError::Invalid {
                            key: "liqpay.private_key".into(),
                            value: "(hidden)".into(),
                            expected: "both liqpay.public_key and liqpay.private_key, or neither"
                                .into(),
                        });
                    }
                    (public_key, private_key) => Some(LiqPayConfig {
                        public_key: public_key.to_owned(),
                        private_key: private_key.to_owned(),
                        api_base: api_base("liqpay.api_base", get("liqpay.api_base"))?,
                    }),
                },
            },
            distribution: distribution_config(&get, &languages)?,
            smtp_url: match get("mail.smtp_url") {
                "" => String::new(),
                url if url.starts_with("smtp://") || url.starts_with("smtps://") => url.to_owned(),
                url => return Err(invalid("mail.smtp_url", &redact_url(url))),
            },
            dkim: match (get("mail.dkim_selector"), get("mail.dkim_private_key_file")) {
                ("", "") => None,
                (selector, file)
                    if !selector.is_empty()
                        && selector
                            .bytes()
                            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'.') =>
                {
                    let key =
                        std::fs::read_to_string(file).map_err(|e| ConfigError::Unreadable {
                            file: file.to_owned(),
                            reason: e.to_string(),
                        })?;
                    if crate::integrations::mail::dkim_key(&key).is_none() {
                        return Err(ConfigError::Invalid {
                            key: "mail.dkim_private_key_file".into(),
                            value: file.to_owned(),
                            expected: "an RSA private key (PKCS#1 PEM) or an Ed25519 key (base64)"
                                .into(),
                        });
                    }
                    Some((selector.to_owned(), key))
                }
                (selector, _) => return Err(invalid("mail.dkim_selector", selector)),
            },
            mail_from: match get("mail.from") {
                from if from.contains('@') && !from.contains(['\r', '\n']) => from.to_owned(),
                from => return Err(invalid("mail.from", from)),
            },
            demo_password: match get("demo.password") {
                "" => None,
                p if p.chars().count() < 12 => return Err(invalid("demo.password", "(hidden)")),
                p => Some(p.to_owned()),
            },
        })
    }

    /// The SQLite database file, when the database is one.
    pub fn sqlite_file(&self) -> Option<PathBuf> {
        let rest = self.database_url.strip_prefix("sqlite:")?;
        let path = rest.trim_start_matches("//");
        let path = path.split('?').next().unwrap_or(path);
        (!path.is_empty() && path != ":memory:").then(|| PathBuf::from(path))
    }

    /// Whether the database is the embedded SQLite file.
    pub fn is_sqlite(&self) -> bool {
        self.database_url.starts_with("sqlite:")
    }

    /// A commented TOML file with every key and its default.
    pub fn example_toml() -> String {
        let mut out = String::from(
            "# newsdesk configuration. Every key can also be set by the environment variable named above it.\n",
        );
        let mut section = "";
        for spec in KEYS {
            let (sect, name) = spec.key.split_once('.').unwrap_or(("", spec.key));
            if sect != section {
                out.push_str(&format!("\n[{sect}]\n"));
                section = sect;
            }
            out.push_str(&format!("# {} ({})\n", spec.doc, spec.env));
            out.push_str(&format!("# {name} = {:?}\n", spec.default));
        }
        out
    }

    /// The README's configuration reference, made from [`KEYS`] so the two
    /// cannot drift apart (a test compares them).
    pub fn reference_table() -> String {
        let mut out =
            String::from("| Key | Variable | Default | Meaning |\n| --- | --- | --- | --- |\n");
        for spec in KEYS {
            let default = if spec.default.is_empty() {
                "none".to_owned()
            } else {
                format!("`{}`", spec.default)
            };
            out.push_str(&format!(
                "| `{}` | `{}` | {default} | {} |\n",
                spec.key,
                spec.env,
                spec.doc
                    .replace('|', "\\|")
                    .replace('<', "&lt;")
                    .replace('>', "&gt;")
            ));
        }
        out
    }
}

fn distribution_config<'a>(
    get: &dyn Fn(&str) -> &'a str,
    languages: &[String],
) -> Result<DistributionConfig, ConfigError> {
    let number = |key: &str, range: std::ops::RangeInclusive<i64>| -> Result<i64, ConfigError> {
        parse::<i64>(get(key), key).and_then(|n| {
            if range.contains(&n) {
                Ok(n)
            } else {
                Err(invalid(key, get(key)))
            }
        })
    };
    let telegram = match get("telegram.bot_token") {
        "" => None,
        token if token.contains(['/', '?', '#', ' ']) => {
            return Err(invalid("telegram.bot_token", "(hidden)"));
        }
        token => {
            let text = get("telegram.channels");
            let (default, pairs) = language_pairs("telegram.channels", text, languages)?;
            if default.is_some() {
                return Err(invalid("telegram.channels", text));
            }
            let mut channels = BTreeMap::new();
            for (language, chat) in pairs {
                if !chat_id_ok(chat) {
                    return Err(invalid("telegram.channels", text));
                }
                channels.insert(language, chat.to_owned());
            }
            // The older one-key-per-language spelling still works; a channel
            // for a language the site does not publish in stays unused, as
            // it always did.
            for (key, language) in [("telegram.channel_uk", "uk"), ("telegram.channel_en", "en")] {
                match get(key) {
                    "" => {}
                    chat if !chat_id_ok(chat) => return Err(invalid(key, chat)),
                    chat if languages.iter().any(|l| l == language) => {
                        channels
                            .entry(language.to_owned())
                            .or_insert_with(|| chat.to_owned());
                    }
                    _ => {}
                }
            }
            Some(TelegramConfig {
                bot_token: token.to_owned(),
                channels,
                api_base: api_base("telegram.api_base", get("telegram.api_base"))?,
            })
        }
    };
    let x_keys = [
        get("x.consumer_key"),
        get("x.consumer_secret"),
        get("x.access_token"),
        get("x.access_token_secret"),
    ];
    let x = match x_keys {
        ["", "", "", ""] => None,
        [
            consumer_key,
            consumer_secret,
            access_token,
            access_token_secret,
        ] if x_keys.iter().all(|k| !k.is_empty()) => Some(XConfig {
            consumer_key: consumer_key.to_owned(),
            consumer_secret: consumer_secret.to_owned(),
            access_token: access_token.to_owned(),
            access_token_secret: access_token_secret.to_owned(),
            api_base: api_base("x.api_base", get("x.api_base"))?,
        }),
        _ => {
            return Err(ConfigError::Invalid {
                key: "x.consumer_key".into(),
                value: "(hidden)".into(),
                expected: "all four of x.consumer_key, x.consumer_secret, x.access_token and x.access_token_secret, or none".into(),
            });
        }
    };
    let fediverse_username = match get("fediverse.username") {
        "" => None,
        name if name.len() <= 30 && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') => {
            Some(name.to_owned())
        }
        name => return Err(invalid("fediverse.username", name)),
    };
    let youtube_channel_id = match get("videos.youtube_channel_id") {
        "" => None,
        id if id.len() <= 64
            && id
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-') =>
        {
            Some(id.to_owned())
        }
        id => return Err(invalid("videos.youtube_channel_id", id)),
    };
    let mut tiktok_urls = Vec::new();
    for url in get("videos.tiktok_urls")
        .split(',')
        .map(str::trim)
        .filter(|u| !u.is_empty())
    {
        match url::Url::parse(url) {
            Ok(u) if u.scheme() == "https" && u.path().contains("/video/") => {
                tiktok_urls.push(url.to_owned())
            }
            _ => return Err(invalid("videos.tiktok_urls", url)),
        }
    }
    Ok(DistributionConfig {
        max_attempts: number("distribution.max_attempts", 1..=100)?,
        retry_base_seconds: number("distribution.retry_base_seconds", 0..=3600)?,
        telegram,
        x,
        fediverse_username,
        fediverse_allow_private: parse::<bool>(
            get("fediverse.allow_private_networks"),
            "fediverse.allow_private_networks",
        )?,
        digest_hour: per_language(
            "newsletter.digest_hour",
            get("newsletter.digest_hour"),
            languages,
            |h| h.parse::<i8>().ok().filter(|h| (0..=23).contains(h)),
        )?,
        newsletter_per_second: number("newsletter.max_per_second", 1..=10_000)?,
        videos: VideoConfig {
            youtube_channel_id,
            youtube_base: api_base("videos.youtube_base", get("videos.youtube_base"))?,
            tiktok_urls,
            tiktok_base: api_base("videos.tiktok_base", get("videos.tiktok_base"))?,
            poll_minutes: number("videos.poll_minutes", 1..=1440)? as u64,
        },
    })
}

/// `@channelusername` or a numeric id such as `-1001234567890`.
fn chat_id_ok(chat: &str) -> bool {
    match chat.strip_prefix('@') {
        Some(name) => {
            (4..=32).contains(&name.len())
                && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
        }
        None => {
            let digits = chat.strip_prefix('-').unwrap_or(chat);
            !digits.is_empty() && digits.len() <= 20 && digits.chars().all(|c| c.is_ascii_digit())
        }
    }
}

fn sqlite_url(data_dir: &Path) -> String {
    format!("sqlite://{}", data_dir.join("newsdesk.db").display())
}

fn spec(key: &str) -> Option<&'static KeySpec> {
    KEYS.iter().find(|s| s.key == key)
}

fn invalid(key: &str, value: &str) -> ConfigError {
    ConfigError::Invalid {
        key: key.to_owned(),
        value: value.to_owned(),
        expected: spec(key)
            .map(|s| s.expected)
            .unwrap_or("a valid value")
            .to_owned(),
    }
}

fn parse<T: std::str::FromStr>(value: &str, key: &str) -> Result<T, ConfigError> {
    value.parse().map_err(|_| invalid(key, value))
}

fn non_empty<'a>(value: &'a str, key: &str) -> Result<&'a str, ConfigError> {
    if value.is_empty() {
        Err(invalid(key, value))
    } else {
        Ok(value)
    }
}

/// Flattens a TOML file into `section.key = value` text pairs.
fn read_toml(file: &Path) -> Result<Vec<(String, String)>, ConfigError> {
    let text = std::fs::read_to_string(file).map_err(|e| ConfigError::Unreadable {
        file: file.display().to_string(),
        reason: e.to_string(),
    })?;
    let table: toml::Table =
        text.parse()
            .map_err(|e: toml::de::Error| ConfigError::Unreadable {
                file: file.display().to_string(),
                reason: e.message().to_owned(),
            })?;
    let mut out = Vec::new();
    for (section, value) in table {
        let toml::Value::Table(inner) = value else {
            return Err(ConfigError::UnknownKey {
                key: section,
                file: file.display().to_string(),
            });
        };
        for (name, value) in inner {
            let key = format!("{section}.{name}");
            let text = match value {
                toml::Value::String(s) => s,
                toml::Value::Integer(i) => i.to_string(),
                toml::Value::Boolean(b) => b.to_string(),
                toml::Value::Array(items) => items
                    .iter()
                    .map(|i| {
                        i.as_str()
                            .map(str::to_owned)
                            .unwrap_or_else(|| i.to_string())
                    })
                    .collect::<Vec<_>>()
                    .join(","),
                other => {
                    let expected = spec(&key).map(|s| s.expected).unwrap_or("a valid value");
                    return Err(ConfigError::Invalid {
                        key,
                        value: other.to_string(),
                        expected: expected.to_owned(),
                    });
                }
            };
            out.push((key, text));
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    /// README.md holds `Config::reference_table()` between its markers. Run
    /// with NEWSDESK_BLESS=1 to write the current table there.
    #[test]
    fn the_readme_documents_every_key_as_the_code_knows_it() {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("README.md");
        let readme = std::fs::read_to_string(&path).unwrap();
        let (start, end) = (
            "<!-- config keys: generated from src/config.rs -->\n",
            "<!-- end of config keys -->",
        );
        let from = readme.find(start).expect("README has the start marker") + start.len();
        let to = readme[from..].find(end).expect("README has the end marker") + from;
        let table = super::Config::reference_table();
        if readme[from..to] != table {
            if std::env::var_os("NEWSDESK_BLESS").is_some() {
                let updated = format!("{}{table}{}", &readme[..from], &readme[to..]);
                std::fs::write(&path, updated).unwrap();
            } else {
                panic!(
                    "README's configuration table is out of date: run this test with NEWSDESK_BLESS=1"
                );
            }
        }
    }

    #[test]
    fn a_database_url_of_the_wrong_kind_is_reported_without_its_password() {
        let vars = BTreeMap::from([(
            "NEWSDESK_DATABASE_URL".to_owned(),
            "mysql://newsroom:s3cret-pass@db.example/news".to_owned(),
        )]);
        let err = Config::load_from(&Overrides::default(), &vars)
            .err()
            .unwrap_or_else(|| panic!("must be refused"));
        assert!(!err.to_string().contains("s3cret-pass"), "{err}");
        let vars = BTreeMap::from([(
            "NEWSDESK_DATABASE_URL".to_owned(),
            "postgress//newsroom:s3cret-pass@db.example/news".to_owned(),
        )]);
        let err = Config::load_from(&Overrides::default(), &vars)
            .err()
            .unwrap_or_else(|| panic!("must be refused"));
        assert!(!err.to_string().contains("s3cret-pass"), "{err}");
    }

    #[test]
    fn trusted_proxies_are_addresses_or_ranges() {
        let vars = BTreeMap::from([(
            "NEWSDESK_TRUSTED_PROXIES".to_owned(),
            "10.0.0.0/8, ::1".to_owned(),
        )]);
        let config =
            Config::load_from(&Overrides::default(), &vars).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(config.trusted_proxies.len(), 2);
        let vars = BTreeMap::from([(
            "NEWSDESK_TRUSTED_PROXIES".to_owned(),
            "10.0.0.0/33".to_owned(),
        )]);
        assert!(Config::load_from(&Overrides::default(), &vars).is_err());
    }

    use super::*;

    #[test]
    fn media_buckets_are_named_plainly() {
        assert_eq!(
            s3_bucket_and_prefix("s3://newsroom"),
            Some(("newsroom".into(), String::new()))
        );
        assert_eq!(
            s3_bucket_and_prefix("s3://news-room.media/site/a/"),
            Some(("news-room.media".into(), "site/a".into()))
        );
        for bad in [
            "newsroom",
            "s3://",
            "s3://ab",
            "s3://News",
            "s3://newsroom/../x",
            "s3://newsroom/a//b",
            "https://newsroom",
        ] {
            assert_eq!(s3_bucket_and_prefix(bad), None, "{bad}");
        }
    }

    fn env(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect()
    }

    #[test]
    fn defaults_run_on_sqlite_in_data_dir() {
        let config = Config::load_from(&Overrides::default(), &env(&[])).unwrap();
        assert_eq!(config.listen.to_string(), "127.0.0.1:8080");
        assert!(config.is_sqlite());
        assert!(config.database_url.ends_with("data/newsdesk.db"));
        assert_eq!(config.base_url, "http://127.0.0.1:8080");
        assert_eq!(config.site.languages, vec!["uk", "en"]);
    }

    #[test]
    fn wrong_value_names_key_value_and_expectation() {
        let err = Config::load_from(
            &Overrides::default(),
            &env(&[("NEWSDESK_LISTEN", "localhost:eighty")]),
        )
        .err()
        .unwrap();
        let line = err.to_string();
        assert!(line.contains("server.listen"), "{line}");
        assert!(line.contains("localhost:eighty"), "{line}");
        assert!(line.contains("127.0.0.1:8080"), "{line}");
        assert!(!line.contains('\n'));
    }

    #[test]
    fn cli_wins_over_env_and_file() {
        let dir = std::env::temp_dir().join(format!("nd-config-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let file = dir.join("newsdesk.toml");
        std::fs::write(
            &file,
            "[server]\nlisten = \"127.0.0.1:9000\"\n[site]\nname = \"Kyiv Daily\"\nlanguages = [\"uk\", \"en\"]\n",
        )
        .unwrap();
        let overrides = Overrides {
            config_file: Some(file.clone()),
            listen: Some("127.0.0.1:9100".into()),
            ..Default::default()
        };
        let config =
            Config::load_from(&overrides, &env(&[("NEWSDESK_LISTEN", "127.0.0.1:9050")])).unwrap();
        assert_eq!(config.listen.to_string(), "127.0.0.1:9100");
        assert_eq!(config.site.name, "Kyiv Daily");
        std::fs::write(&file, "[server]\nlisen = \"x\"\n").unwrap();
        let err = Config::load_from(&overrides, &env(&[])).err().unwrap();
        assert!(err.to_string().contains("server.lisen"));
        std::fs::remove_dir_all(dir).unwrap();
    }

    #[test]
    fn distribution_settings_are_checked() {
        let config = Config::load_from(
            &Overrides::default(),
            &env(&[
                ("NEWSDESK_TELEGRAM_BOT_TOKEN", "123:abc"),
                ("NEWSDESK_TELEGRAM_CHANNEL_UK", "@newsroom_uk"),
                ("NEWSDESK_TELEGRAM_CHANNEL_EN", "-1001234567890"),
            ]),
        )
        .unwrap();
        let telegram = config.distribution.telegram.unwrap();
        assert_eq!(telegram.channels["uk"], "@newsroom_uk");
        assert_eq!(telegram.channels["en"], "-1001234567890");
        assert!(config.distribution.x.is_none());
        // The map spelling, per-language hours; an older key for a language
        // the site does not publish in is left unused, not an error.
        let config = Config::load_from(
            &Overrides::default(),
            &env(&[
                ("NEWSDESK_SITE_LANGUAGES", "uk,pl"),
                ("NEWSDESK_TELEGRAM_BOT_TOKEN", "123:abc"),
                ("NEWSDESK_TELEGRAM_CHANNELS", "pl=@newsroom_pl"),
                ("NEWSDESK_TELEGRAM_CHANNEL_UK", "@newsroom_uk"),
                ("NEWSDESK_TELEGRAM_CHANNEL_EN", "@newsroom_en"),
                ("NEWSDESK_NEWSLETTER_DIGEST_HOUR", "8, pl=9"),
            ]),
        )
        .unwrap();
        let channels = &config.distribution.telegram.as_ref().unwrap().channels;
        assert_eq!(channels.len(), 2);
        assert_eq!(channels["pl"], "@newsroom_pl");
        assert_eq!(*config.distribution.digest_hour.get("pl"), 9);
        assert_eq!(*config.distribution.digest_hour.get("uk"), 8);
        for (value, why) in [
            ("de=@x", "a language the site lacks"),
            ("@x", "no language"),
            ("pl=@x, pl=@y", "a language twice"),
        ] {
            let refused = Config::load_from(
                &Overrides::default(),
                &env(&[
                    ("NEWSDESK_SITE_LANGUAGES", "uk,pl"),
                    ("NEWSDESK_TELEGRAM_BOT_TOKEN", "123:abc"),
                    ("NEWSDESK_TELEGRAM_CHANNELS", value),
                ]),
            );
            assert!(refused.is_err(), "{why}");
        }
        assert_eq!(
            config.distribution.fediverse_username.as_deref(),
            Some("news")
        );
        for (key, value, named) in [
            (
                "NEWSDESK_TELEGRAM_CHANNEL_UK",
                "newsroom uk",
                "telegram.channel_uk",
            ),
            ("NEWSDESK_X_CONSUMER_KEY", "only-one", "x.consumer_key"),
            (
                "NEWSDESK_FEDIVERSE_USERNAME",
                "news@host",
                "fediverse.username",
            ),
            (
                "NEWSDESK_NEWSLETTER_DIGEST_HOUR",
                "24",
                "newsletter.digest_hour",
            ),
            (
                "NEWSDESK_DISTRIBUTION_MAX_ATTEMPTS",
                "0",
                "distribution.max_attempts",
            ),
            (
                "NEWSDESK_VIDEOS_TIKTOK_URLS",
                "https://example.org/x",
                "videos.tiktok_urls",
            ),
        ] {
            let err = Config::load_from(
                &Overrides::default(),
                &env(&[("NEWSDESK_TELEGRAM_BOT_TOKEN", "123:abc"), (key, value)]),
            )
            .err()
            .unwrap_or_else(|| panic!("{key}={value} accepted"));
            assert!(err.to_string().contains(named), "{key}: {err}");
        }
    }

    #[test]
    fn donation_presets_are_checked() {
        let config = Config::load_from(&Overrides::default(), &env(&[])).unwrap();
        assert_eq!(config.donations.uah.presets, vec![250, 500, 1000]);
        assert!(!config.donations.sandbox);
        for bad in [
            "250,500",
            "0,500;min=1;max=9",
            "250;min=300;max=1000",
            "a,b;min=1;max=2",
            "5;min=1;max=9;x=1",
        ] {
            let err = Config::load_from(
                &Overrides::default(),
                &env(&[("NEWSDESK_DONATIONS_UAH", bad)]),
            )
            .err()
            .unwrap();
            assert!(err.to_string().contains("donations.uah"), "{bad}: {err}");
        }
    }

    #[test]
    fn rejects_unknown_language_and_timezone() {
        let err = Config::load_from(
            &Overrides::default(),
            &env(&[("NEWSDESK_SITE_TIMEZONE", "Mars/Olympus")]),
        )
        .err()
        .unwrap();
        assert!(err.to_string().contains("site.timezone"));
        let err = Config::load_from(
            &Overrides::default(),
            &env(&[("NEWSDESK_SITE_LANGUAGES", "uk,fr")]),
        )
        .err()
        .unwrap();
        assert!(err.to_string().contains("site.languages"));
        let err = Config::load_from(
            &Overrides {
                database_url: Some("mysql://x".into()),
                ..Default::default()
            },
            &env(&[]),
        )
        .err()
        .unwrap();
        assert!(err.to_string().contains("database.url"));
    }
}
