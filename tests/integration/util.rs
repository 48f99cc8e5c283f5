//! `TestApp`: the real router on a fresh SQLite file or a fresh PostgreSQL
//! database, driven in-process with `tower::ServiceExt::oneshot`.

use std::collections::BTreeMap;
use std::path::PathBuf;

use axum::Router;
use axum::body::Body;
use axum::http::{HeaderMap, Method, Request, StatusCode};
use http_body_util::BodyExt;
use newsdesk::app::AppState;
use newsdesk::config::{Config, Overrides};
use newsdesk::services::api_keys::create_api_key;
use newsdesk::store::Store;
use serde_json::Value;
use sqlx::Connection;
use tower::ServiceExt;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// Runs each named `async fn(Backend)` as two tests, one per backend.
#[macro_export]
macro_rules! on_both_backends {
    ($($name:ident),* $(,)?) => {
        mod sqlite {
            $(#[tokio::test] async fn $name() { super::$name($crate::util::Backend::Sqlite).await })*
        }
        mod postgres {
            $(#[tokio::test] async fn $name() { super::$name($crate::util::Backend::Postgres).await })*
        }
    };
}

/// Where the PostgreSQL test databases are created; any database the user may connect to.
pub fn postgres_admin_url() -> String {
    std::env::var("NEWSDESK_TEST_POSTGRES_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/test".into())
}

/// A real export file from the shared fixtures (found beside the project, or
/// in `NEWSDESK_FIXTURES_DIR`).
pub fn shared_fixture(relative: &str) -> std::path::PathBuf {
    let manifest = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    std::env::var_os("NEWSDESK_FIXTURES_DIR")
        .map(std::path::PathBuf::from)
        .into_iter()
        .chain(manifest.ancestors().map(|dir| dir.join("shared/fixtures")))
        .map(|dir| dir.join(relative))
        .find(|file| file.is_file())
        .unwrap_or_else(|| panic!("{relative}: set NEWSDESK_FIXTURES_DIR to the shared fixtures"))
}

pub struct TestApp {
    pub state: AppState,
    pub router: Router,
    pub database_url: String,
    pub data_dir: PathBuf,
    api_key: Option<String>,
    postgres_database: Option<String>,
}

pub const STAFF_PASSWORD: &str = "correct-horse-battery-staple";

pub struct AdminSession {
    pub cookie: String,
    pub csrf: String,
}

pub struct TestResponse {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: String,
}

impl TestResponse {
    pub fn json(&self) -> Value {
        serde_json::from_str(&self.body).unwrap_or_else(|e| panic!("not JSON ({e}): {}", self.body))
    }

    pub fn header(&self, name: &str) -> &str {
        self.headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
    }
}

impl TestApp {
    pub async fn new(backend: Backend) -> TestApp {
        Self::with_env(backend, &[]).await
    }

    /// A new app with the demo newsroom seeded (its staff use [`STAFF_PASSWORD`]).
    pub async fn with_demo(backend: Backend) -> TestApp {
        Self::with_staff(backend).await
    }

    /// A new app with the demo newsroom whose staff all use [`STAFF_PASSWORD`].
    pub async fn with_staff(backend: Backend) -> TestApp {
        Self::with_staff_and_env(backend, &[]).await
    }

    /// A newsroom of staff (signing in with [`STAFF_PASSWORD`]) and sections,
    /// and no stories: for tests that publish their own with [`ArticleBuilder`].
    pub async fn with_newsroom(backend: Backend, env: &[(&str, &str)]) -> TestApp {
        Self::build(backend, env, Seed::Newsroom).await
    }

    pub async fn with_staff_and_env(backend: Backend, env: &[(&str, &str)]) -> TestApp {
        let mut env = env.to_vec();
        env.push(("NEWSDESK_DEMO_PASSWORD", STAFF_PASSWORD));
        Self::build(backend, &env, Seed::Demo).await
    }

    /// Signs in through the form, as a browser would.
    /// The newsroom's calendar day by the app's clock.
    pub fn today(&self) -> jiff::civil::Date {
        jiff::Timestamp::from_second(self.state.clock.now())
            .unwrap()
            .to_zoned(self.state.config.site.timezone.clone())
            .date()
    }

    /// Moves the app's clock to `hour`:00 of today in the newsroom's time
    /// zone, so "today" and "yesterday" do not depend on when tests run.
    pub fn set_time_of_day(&self, hour: i8) {
        let at = self
            .today()
            .at(hour, 0, 0, 0)
            .to_zoned(self.state.config.site.timezone.clone())
            .unwrap()
            .timestamp()
            .as_second();
        self.state.clock.set(at);
    }

    pub async fn sign_in(&self, email: &str) -> AdminSession {
        let body = format!(
            "email={}&password={STAFF_PASSWORD}&next=%2Fadmin",
            email.replace('@', "%40")
        );
        let response = self
            .request(
                Method::POST,
                "/admin/sign-in",
                &[("content-type", "application/x-www-form-urlencoded")],
                Body::from(body),
            )
            .await;
        assert_eq!(
            response.status,
            StatusCode::SEE_OTHER,
            "sign-in as {email}: {}",
            response.body
        );
        let cookie = response
            .header("set-cookie")
            .split(';')
            .next()
            .unwrap()
            .to_owned();
        let dashboard = self
            .request(Method::GET, "/admin", &[("cookie", &cookie)], Body::empty())
            .await;
        assert_eq!(dashboard.status, StatusCode::OK);
        let start = dashboard.body.find("name=\"csrf\" value=\"").unwrap() + 19;
        let csrf = dashboard.body[start..start + 64].to_owned();
        AdminSession { cookie, csrf }
    }

    /// A signed-in GET.
    pub async fn admin_get(&self, session: &AdminSession, path: &str) -> TestResponse {
        self.request(
            Method::GET,
            path,
            &[("cookie", &session.cookie)],
            Body::empty(),
        )
        .await
    }

    /// A signed-in form POST; the CSRF token is added unless the form has one.
    pub async fn admin_post(
        &self,
        session: &AdminSession,
        path: &str,
        fields: &[(&str, &str)],
    ) -> TestResponse {
        let mut form = url::form_urlencoded::Serializer::new(String::new());
        if !fields.iter().any(|(k, _)| *k == "csrf") {
            form.append_pair("csrf", &session.csrf);
        }
        for (k, v) in fields {
            form.append_pair(k, v);
        }
        self.request(
            Method::POST,
            path,
            &[
                ("cookie", &session.cookie),
                ("content-type", "application/x-www-form-urlencoded"),
            ],
            Body::from(form.finish()),
        )
        .await
    }

    /// The demo newsroom on a PostgreSQL server of the test's own at `url`
    /// (migrated and seeded here, not cloned from the run's templates).
    pub async fn with_demo_on(url: &str) -> TestApp {
        let data_dir =
            std::env::temp_dir().join(format!("newsdesk-test-own-{:08x}", rand::random::<u32>()));
        std::fs::create_dir_all(&data_dir).unwrap();
        let config = seeding_config(url, &data_dir);
        let store = Store::connect(url, 5).await.unwrap();
        let state = AppState::with_store(config, store).unwrap();
        newsdesk::demo::seed(&state).await.unwrap();
        let router = newsdesk::http::router(state.clone());
        TestApp {
            state,
            router,
            database_url: url.to_owned(),
            data_dir,
            api_key: None,
            postgres_database: None,
        }
    }

    pub async fn with_env(backend: Backend, env: &[(&str, &str)]) -> TestApp {
        Self::build(backend, env, Seed::Empty).await
    }

    /// A fresh database cloned from this run's template of `seed` (migrated,
    /// and with the demo newsroom when asked), made once per test run:
    /// migrating and seeding for every test was most of the suite's time.
    async fn build(backend: Backend, env: &[(&str, &str)], seed: Seed) -> TestApp {
        // Errors the app logs show up in a failing test's output.
        let _ = tracing_subscriber::fmt()
            .with_test_writer()
            .with_env_filter("error")
            .try_init();
        let unique = format!(
            "{}_{}_{:08x}",
            jiff::Timestamp::now().as_second(),
            std::process::id(),
            rand::random::<u32>()
        );
        let data_dir = std::env::temp_dir().join(format!("newsdesk-test-{unique}"));
        std::fs::create_dir_all(&data_dir).unwrap();
        let (database_url, postgres_database) = match backend {
            Backend::Sqlite => {
                let file = data_dir.join("newsdesk.db");
                std::fs::copy(templates::sqlite(seed).await, &file).unwrap();
                (format!("sqlite://{}", file.display()), None)
            }
            Backend::Postgres => {
                let name = format!("newsdesk_test_{unique}");
                let admin = postgres_admin_url();
                let mut conn = sqlx::PgConnection::connect(&admin).await.unwrap_or_else(|e| {
                    panic!("PostgreSQL is needed for this test at {admin} (set NEWSDESK_TEST_POSTGRES_URL): {e}")
                });
                sweep_stale_databases(&mut conn).await;
                let template = templates::postgres(&mut conn, seed).await;
                sqlx::query(&format!(
                    "CREATE DATABASE \"{name}\" TEMPLATE \"{template}\""
                ))
                .execute(&mut conn)
                .await
                .unwrap();
                (database_url_of(&name), Some(name))
            }
        };
        let mut vars: BTreeMap<String, String> = env
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect();
        vars.insert(
            "NEWSDESK_BASE_URL".into(),
            "https://news.example.org".into(),
        );
        let overrides = Overrides {
            data_dir: Some(data_dir.display().to_string()),
            database_url: Some(database_url.clone()),
            ..Default::default()
        };
        let config = Config::load_from(&overrides, &vars).unwrap();
        let store = Store::connect(&config.database_url, 5).await.unwrap();
        let state = AppState::with_store(config, store).unwrap();
        // What the search index job does first on a node: build the index.
        state
            .search
            .keep_up(&state.store, &state.config.data_dir, &|| true)
            .await
            .unwrap();
        let router = newsdesk::http::router(state.clone());
        TestApp {
            state,
            router,
            database_url,
            data_dir,
            api_key: None,
            postgres_database,
        }
    }

    pub async fn request(
        &self,
        method: Method,
        path: &str,
        headers: &[(&str, &str)],
        body: Body,
    ) -> TestResponse {
        self.request_from("127.0.0.1", method, path, headers, body)
            .await
    }

    /// A request as if it arrived on a connection from `peer`.
    pub async fn request_from(
        &self,
        peer: &str,
        method: Method,
        path: &str,
        headers: &[(&str, &str)],
        body: Body,
    ) -> TestResponse {
        let mut builder = Request::builder().method(method).uri(path);
        for (name, value) in headers {
            builder = builder.header(*name, *value);
        }
        let mut request = builder.body(body).unwrap();
        let peer: std::net::IpAddr = peer.parse().unwrap();
        request
            .extensions_mut()
            .insert(axum::extract::ConnectInfo(std::net::SocketAddr::new(
                peer, 40000,
            )));
        let response = self.router.clone().oneshot(request).await.unwrap();
        let status = response.status();
        let headers = response.headers().clone();
        let bytes = response.into_body().collect().await.unwrap().to_bytes();
        let body = if headers.get("content-encoding").is_some_and(|v| v == "gzip") {
            use std::io::Read;
            let mut text = String::new();
            flate2::read::GzDecoder::new(&bytes[..])
                .read_to_string(&mut text)
                .unwrap();
            text
        } else {
            String::from_utf8_lossy(&bytes).into_owned()
        };
        TestResponse {
            status,
            headers,
            body,
        }
    }

    /// The current version of an article, as the editor page carries it.
    pub async fn version_of(&self, id: impl std::fmt::Display) -> String {
        let id: i64 = id.to_string().parse().unwrap();
        self.state
            .store
            .article_row(newsdesk::store::ArticleId(id))
            .await
            .unwrap()
            .version
            .to_string()
    }

    /// A form POST without a session from the address `peer`.
    pub async fn post_form_from(
        &self,
        peer: &str,
        path: &str,
        body: impl Into<String>,
    ) -> TestResponse {
        let body: String = body.into();
        self.request_from(
            peer,
            Method::POST,
            path,
            &[("content-type", "application/x-www-form-urlencoded")],
            Body::from(body),
        )
        .await
    }

    /// A form POST without a session, as a browser sends it.
    pub async fn post_form(&self, path: &str, body: impl Into<String>) -> TestResponse {
        let body: String = body.into();
        self.request(
            Method::POST,
            path,
            &[("content-type", "application/x-www-form-urlencoded")],
            Body::from(body),
        )
        .await
    }

    pub async fn get(&self, path: &str) -> TestResponse {
        self.request(Method::GET, path, &[], Body::empty()).await
    }

    /// A page that must render: 200 and HTML.
    pub async fn page(&self, path: &str) -> String {
        let response = self.get(path).await;
        assert_eq!(
            response.status,
            StatusCode::OK,
            "GET {path}: {}",
            response.body
        );
        response.body
    }

    pub async fn api_key(&mut self) -> String {
        if self.api_key.is_none() {
            let (_, secret) = create_api_key(&self.state.store, "tests").await.unwrap();
            self.api_key = Some(secret);
        }
        self.api_key.clone().unwrap()
    }

    /// An Admin API call with a valid key.
    pub async fn api(&mut self, method: Method, path: &str, body: Option<Value>) -> TestResponse {
        let key = format!("Bearer {}", self.api_key().await);
        let body = body
            .map(|b| Body::from(b.to_string()))
            .unwrap_or_else(Body::empty);
        self.request(
            method,
            path,
            &[
                ("authorization", &key),
                ("content-type", "application/json"),
            ],
            body,
        )
        .await
    }

    /// A second node: its own store, state, cache and router on the same database.
    pub async fn second_node(&self) -> (AppState, Router) {
        let store = Store::connect(&self.database_url, 2).await.unwrap();
        let other = AppState::with_store(self.state.config.as_ref().clone(), store).unwrap();
        let router = newsdesk::http::router(other.clone());
        (other, router)
    }

    /// Creates and publishes an article through the API; returns its JSON.
    pub async fn publish(&mut self, article: Value) -> Value {
        let created = self
            .api(Method::POST, "/api/admin/articles", Some(article))
            .await;
        assert_eq!(created.status, StatusCode::CREATED, "{}", created.body);
        let id = created.json()["id"].as_i64().unwrap();
        let published = self
            .api(
                Method::POST,
                &format!("/api/admin/articles/{id}/publish"),
                None,
            )
            .await;
        assert_eq!(published.status, StatusCode::OK, "{}", published.body);
        published.json()
    }

    /// Root-relative path of an absolute site URL.
    pub fn path_of(url: &str) -> String {
        url.trim_start_matches("https://news.example.org")
            .to_owned()
    }

    /// The first link on a page whose address starts with `prefix`.
    pub fn first_link(html: &str, prefix: &str) -> String {
        let needle = format!("href=\"{prefix}");
        let start = html
            .find(&needle)
            .unwrap_or_else(|| panic!("no link to {prefix}"))
            + 6;
        let end = start + html[start..].find('"').unwrap();
        html[start..end].to_owned()
    }
}

/// The configuration a test database is seeded with (the demo staff's
/// password is the tests' own).
fn seeding_config(url: &str, data_dir: &std::path::Path) -> Config {
    let vars: BTreeMap<String, String> = [
        ("NEWSDESK_BASE_URL", "https://news.example.org"),
        ("NEWSDESK_DEMO_PASSWORD", STAFF_PASSWORD),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_owned(), v.to_owned()))
    .collect();
    let overrides = Overrides {
        data_dir: Some(data_dir.display().to_string()),
        database_url: Some(url.to_owned()),
        ..Default::default()
    };
    Config::load_from(&overrides, &vars).unwrap()
}

/// A story for a test, as the Admin API takes it: Ukrainian news by the
/// demo editor unless told otherwise.
#[derive(Clone, Debug)]
pub struct ArticleBuilder(Value);

impl ArticleBuilder {
    pub fn new(headline: &str) -> Self {
        ArticleBuilder(serde_json::json!({
            "headline": headline,
            "standfirst": format!("{headline}: the short version."),
            "body": format!("{headline}.\n\nThe second paragraph."),
            "language": "uk",
            "section": "news",
            "authors": ["editor@example.com"],
        }))
    }

    fn with(mut self, field: &str, value: Value) -> Self {
        self.0[field] = value;
        self
    }

    pub fn language(self, language: &str) -> Self {
        self.with("language", language.into())
    }

    pub fn body(self, body: &str) -> Self {
        self.with("body", body.into())
    }

    pub fn section(self, slug: &str) -> Self {
        self.with("section", slug.into())
    }

    pub fn tags(self, tags: &[&str]) -> Self {
        self.with("tags", serde_json::json!(tags))
    }

    pub fn translation_of(self, id: i64) -> Self {
        self.with("translation_of", id.into())
    }

    pub fn json(self) -> Value {
        self.0
    }
}

/// What a test's database starts with.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Seed {
    /// Migrated, nothing else.
    Empty,
    /// The demo's sections and staff, without its stories.
    Newsroom,
    /// The demo newsroom, its staff signing in with [`STAFF_PASSWORD`].
    Demo,
}

fn database_url_of(name: &str) -> String {
    let mut url = url::Url::parse(&postgres_admin_url()).unwrap();
    url.set_path(name);
    url.to_string()
}

/// One template database per test run and seed, shared by the run's test
/// processes: nextest runs each test in a process of its own.
mod templates {
    use super::*;

    /// This run's name: nextest's run id, or the process for `cargo test`.
    fn run() -> String {
        let id = std::env::var("NEXTEST_RUN_ID").unwrap_or_else(|_| std::process::id().to_string());
        let hash = id.bytes().fold(0xcbf2_9ce4_8422_2325_u64, |h, b| {
            (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
        });
        format!("{:012x}", hash & 0xffff_ffff_ffff)
    }

    fn key(seed: Seed) -> String {
        let kind = match seed {
            Seed::Empty => "empty",
            Seed::Newsroom => "newsroom",
            Seed::Demo => "demo",
        };
        format!("tpl_{}_{kind}", run())
    }

    /// Migrates (and seeds) the database at `url` as a template.
    async fn make(url: &str, seed: Seed, data_dir: &std::path::Path) {
        let config = super::seeding_config(url, data_dir);
        let store = Store::connect(url, 2).await.unwrap();
        let state = AppState::with_store(config, store.clone()).unwrap();
        match seed {
            Seed::Empty => {}
            Seed::Newsroom => newsdesk::demo::seed_staff(&state, STAFF_PASSWORD)
                .await
                .unwrap(),
            Seed::Demo => {
                newsdesk::demo::seed(&state).await.unwrap();
            }
        }
        if url.starts_with("sqlite:") {
            sqlx::query("PRAGMA wal_checkpoint(TRUNCATE)")
                .execute(store.pool())
                .await
                .unwrap();
        }
        store.pool().close().await;
    }

    /// The template file; copies of it are each test's database.
    pub async fn sqlite(seed: Seed) -> PathBuf {
        let dir = std::env::temp_dir();
        let file = dir.join(format!("newsdesk-{}.db", key(seed)));
        if file.is_file() {
            return file;
        }
        // Several processes may build it at once; each renames a whole file into place.
        let building = dir.join(format!(
            "newsdesk-building-{}-{:08x}",
            std::process::id(),
            rand::random::<u32>()
        ));
        std::fs::create_dir_all(&building).unwrap();
        let path = building.join("template.db");
        make(&format!("sqlite://{}", path.display()), seed, &building).await;
        let _ = std::fs::rename(&path, &file);
        let _ = std::fs::remove_dir_all(&building);
        sweep_stale_files(&dir);
        file
    }

    fn sweep_stale_files(dir: &std::path::Path) {
        let Ok(entries) = std::fs::read_dir(dir) else {
            return;
        };
        for entry in entries.flatten() {
            let name = entry.file_name().to_string_lossy().into_owned();
            let old = entry
                .metadata()
                .and_then(|m| m.modified())
                .ok()
                .and_then(|t| t.elapsed().ok())
                .is_some_and(|age| age.as_secs() > 7200);
            if old && name.starts_with("newsdesk-tpl_") {
                let _ = std::fs::remove_file(entry.path());
            }
        }
    }

    /// The template database's name, made under an advisory lock by the
    /// first process of the run that asks.
    pub async fn postgres(conn: &mut sqlx::PgConnection, seed: Seed) -> String {
        let key = key(seed);
        let lock = key
            .bytes()
            .fold(7_i64, |h, b| h.wrapping_mul(31).wrapping_add(i64::from(b)));
        sqlx::query("SELECT pg_advisory_lock($1)")
            .bind(lock)
            .execute(&mut *conn)
            .await
            .unwrap();
        let existing: Option<(String,)> =
            sqlx::query_as("SELECT datname FROM pg_database WHERE datname LIKE $1")
                .bind(format!("newsdesk_test_%_{key}"))
                .fetch_optional(&mut *conn)
                .await
                .unwrap();
        let name = match existing {
            Some((name,)) => name,
            None => {
                // The sweep drops it with the run's other databases after two hours.
                let name = format!("newsdesk_test_{}_{key}", jiff::Timestamp::now().as_second());
                sqlx::query(&format!("CREATE DATABASE \"{name}\""))
                    .execute(&mut *conn)
                    .await
                    .unwrap();
                let scratch = std::env::temp_dir().join(format!("newsdesk-{name}"));
                std::fs::create_dir_all(&scratch).unwrap();
                make(&database_url_of(&name), seed, &scratch).await;
                let _ = std::fs::remove_dir_all(&scratch);
                name
            }
        };
        sqlx::query("SELECT pg_advisory_unlock($1)")
            .bind(lock)
            .execute(&mut *conn)
            .await
            .unwrap();
        name
    }
}

/// Databases left behind by crashed runs more than two hours ago.
async fn sweep_stale_databases(conn: &mut sqlx::PgConnection) {
    let cutoff = jiff::Timestamp::now().as_second() - 7200;
    let names: Vec<(String,)> =
        sqlx::query_as("SELECT datname FROM pg_database WHERE datname LIKE 'newsdesk_test_%'")
            .fetch_all(&mut *conn)
            .await
            .unwrap_or_default();
    for (name,) in names {
        let stamp = name
            .trim_start_matches("newsdesk_test_")
            .split('_')
            .next()
            .and_then(|s| s.parse::<i64>().ok());
        if stamp.is_some_and(|s| s < cutoff) {
            let _ = sqlx::query(&format!("DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)"))
                .execute(&mut *conn)
                .await;
        }
    }
}

impl Drop for TestApp {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.data_dir);
        let Some(name) = self.postgres_database.take() else {
            return;
        };
        // Drop runs inside the test's runtime; do the async cleanup on a thread of its own.
        // FORCE ends the pool's connections on the server side.
        let _ = std::thread::spawn(move || {
            let Ok(runtime) = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
            else {
                return;
            };
            runtime.block_on(async move {
                if let Ok(mut conn) = sqlx::PgConnection::connect(&postgres_admin_url()).await {
                    let _ =
                        sqlx::query(&format!("DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)"))
                            .execute(&mut conn)
                            .await;
                }
            });
        })
        .join();
    }
}

/// A GET through another node's router.
pub async fn get_via(router: &Router, path: &str) -> (StatusCode, String) {
    let response = router
        .clone()
        .oneshot(Request::builder().uri(path).body(Body::empty()).unwrap())
        .await
        .unwrap();
    let status = response.status();
    let bytes = response.into_body().collect().await.unwrap().to_bytes();
    (status, String::from_utf8_lossy(&bytes).into_owned())
}

/// Every address a page makes the browser fetch on its own, read with a
/// real HTML parser: scripts, stylesheets, icons and preloads, images (and
/// each `srcset` candidate), frames, media, posters, objects and CSS
/// `url(…)`s in `style` attributes and elements. Links people follow are
/// not among them.
pub fn loaded_resources(html: &str) -> Vec<String> {
    use html5ever::tendril::TendrilSink;
    use markup5ever_rcdom::{Handle, NodeData, RcDom};

    fn css_urls(css: &str, out: &mut Vec<String>) {
        for part in css.split("url(").skip(1) {
            let end = part.find(')').unwrap_or(part.len());
            out.push(part[..end].trim().trim_matches(['"', '\'']).to_owned());
        }
    }
    fn walk(node: &Handle, out: &mut Vec<String>) {
        if let NodeData::Element { name, attrs, .. } = &node.data {
            let attrs = attrs.borrow();
            let get = |key: &str| {
                attrs
                    .iter()
                    .find(|a| &*a.name.local == key)
                    .map(|a| a.value.to_string())
            };
            let tag = &*name.local;
            let mut wanted = match tag {
                "script" | "img" | "iframe" | "source" | "video" | "audio" | "embed" | "track"
                | "input" => vec!["src"],
                "link" => {
                    let rel = get("rel").unwrap_or_default().to_ascii_lowercase();
                    let fetches = rel.split_whitespace().any(|r| {
                        matches!(
                            r,
                            "stylesheet"
                                | "icon"
                                | "apple-touch-icon"
                                | "preload"
                                | "modulepreload"
                                | "prefetch"
                                | "manifest"
                        )
                    });
                    if fetches { vec!["href"] } else { vec![] }
                }
                "object" => vec!["data"],
                _ => vec![],
            };
            if tag == "video" {
                wanted.push("poster");
            }
            for key in wanted {
                out.extend(get(key));
            }
            if let Some(srcset) = get("srcset") {
                out.extend(
                    srcset
                        .split(',')
                        .filter_map(|c| c.split_whitespace().next().map(str::to_owned)),
                );
            }
            if let Some(style) = get("style") {
                css_urls(&style, out);
            }
            if tag == "style" {
                let mut css = String::new();
                for child in node.children.borrow().iter() {
                    if let NodeData::Text { contents } = &child.data {
                        css.push_str(&contents.borrow());
                    }
                }
                css_urls(&css, out);
            }
        }
        for child in node.children.borrow().iter() {
            walk(child, out);
        }
    }
    let dom = html5ever::parse_document(RcDom::default(), Default::default())
        .from_utf8()
        .read_from(&mut html.as_bytes())
        .unwrap();
    let mut out = Vec::new();
    walk(&dom.document, &mut out);
    out
}

/// Fails unless everything `html` loads comes from this site.
pub fn assert_loads_nothing_from_elsewhere(html: &str) {
    let resources = loaded_resources(html);
    assert!(
        !resources.is_empty(),
        "a page loads at least its stylesheet"
    );
    for url in resources {
        let own = (url.starts_with('/') && !url.starts_with("//"))
            || url.starts_with("https://news.example.org/")
            || url.starts_with("data:");
        assert!(own, "third-party resource {url:?}");
    }
}
