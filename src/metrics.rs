//! What an operator's Prometheus scrapes: requests and their latency by
//! route, the page cache, render time, the database pool, the search index,
//! and the queues of work (outbox, deliveries, newsletter, donations) read
//! from the database at each scrape. Served on a listen address of its own
//! (`metrics.listen`), never on the public site.

use std::time::Duration;

use prometheus_client::encoding::text::encode;
use prometheus_client::encoding::{EncodeLabelSet, EncodeLabelValue, LabelValueEncoder};
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::{Histogram, exponential_buckets};
use prometheus_client::registry::Registry;

use crate::app::AppState;
use crate::store::StoreResult;

type Labels = Vec<(&'static str, String)>;

/// A request's labels, made without copying: this runs for every page
/// served from memory, next to nginx's rate.
#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct RequestLabels {
    route: Route,
    method: &'static str,
    status: &'static str,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct RouteLabels {
    route: Route,
}

/// The router's pattern for a request (shared with the router, so cloning
/// it copies nothing); `None` for paths no route matched.
#[derive(Clone, Debug)]
pub struct Route(pub Option<axum::extract::MatchedPath>);

impl Route {
    fn as_str(&self) -> &str {
        self.0.as_ref().map_or("unmatched", |path| path.as_str())
    }
}

impl std::hash::Hash for Route {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        self.as_str().hash(state);
    }
}

impl PartialEq for Route {
    fn eq(&self, other: &Self) -> bool {
        self.as_str() == other.as_str()
    }
}

impl Eq for Route {}

impl EncodeLabelValue for Route {
    fn encode(&self, encoder: &mut LabelValueEncoder) -> std::fmt::Result {
        std::fmt::Write::write_str(encoder, self.as_str())
    }
}

/// Latency buckets from half a millisecond to about eight seconds.
fn latency_buckets() -> impl Iterator<Item = f64> {
    exponential_buckets(0.0005, 2.0, 15)
}

pub struct Metrics {
    registry: Registry,
    requests: Family<RequestLabels, Counter>,
    request_seconds: Family<RouteLabels, Histogram>,
    pub cache_hits: Counter,
    pub cache_misses: Counter,
    /// Pages rendered for the cache (misses that reached a handler).
    pub render_seconds: Histogram,
    cache_pages: Gauge,
    pool_connections: Family<Labels, Gauge>,
    search_ready: Gauge,
    queue: Family<Labels, Gauge>,
    /// When the queues were last counted: counting reads whole tables, so
    /// scrapes closer together than `RECOUNT_AFTER` share one count.
    last_counted: tokio::sync::Mutex<Option<std::time::Instant>>,
}

const RECOUNT_AFTER: Duration = Duration::from_secs(10);

impl Default for Metrics {
    fn default() -> Self {
        let mut registry = Registry::with_prefix("newsdesk");
        let requests = Family::<RequestLabels, Counter>::default();
        registry.register(
            "http_requests",
            "HTTP requests answered, by route, method and status class",
            requests.clone(),
        );
        let request_seconds = Family::<RouteLabels, Histogram>::new_with_constructor(|| {
            Histogram::new(latency_buckets())
        });
        registry.register(
            "http_request_duration_seconds",
            "Time to answer an HTTP request, by route",
            request_seconds.clone(),
        );
        let cache_hits = Counter::default();
        registry.register(
            "page_cache_hits",
            "Public pages served from memory",
            cache_hits.clone(),
        );
        let cache_misses = Counter::default();
        registry.register(
            "page_cache_misses",
            "Public pages that had to be rendered",
            cache_misses.clone(),
        );
        let render_seconds = Histogram::new(latency_buckets());
        registry.register(
            "page_render_duration_seconds",
            "Time to render a cacheable public page",
            render_seconds.clone(),
        );
        let cache_pages = Gauge::default();
        registry.register(
            "page_cache_pages",
            "Pages held in memory",
            cache_pages.clone(),
        );
        let pool_connections = Family::<Labels, Gauge>::default();
        registry.register(
            "database_connections",
            "Database pool connections, by state (busy, idle)",
            pool_connections.clone(),
        );
        let search_ready = Gauge::default();
        registry.register(
            "search_index_ready",
            "1 when this node's search index answers searches, 0 while it is built",
            search_ready.clone(),
        );
        let queue = Family::<Labels, Gauge>::default();
        registry.register(
            "work_items",
            "Rows of work by kind and state: outbox events waiting, deliveries, newsletter recipients, donations",
            queue.clone(),
        );
        Metrics {
            registry,
            requests,
            request_seconds,
            cache_hits,
            cache_misses,
            render_seconds,
            cache_pages,
            pool_connections,
            search_ready,
            queue,
            last_counted: Default::default(),
        }
    }
}

impl Metrics {
    /// Counts one answered request. `route` is the router's pattern
    /// (`/{year}/{month}/{day}/{slug}`), never the path itself, so the
    /// number of series stays bounded whatever strangers request.
    pub fn record_request(
        &self,
        route: Route,
        method: &'static str,
        status: u16,
        elapsed: Duration,
    ) {
        let status = match status / 100 {
            1 => "1xx",
            2 => "2xx",
            3 => "3xx",
            4 => "4xx",
            _ => "5xx",
        };
        self.request_seconds
            .get_or_create(&RouteLabels {
                route: route.clone(),
            })
            .observe(elapsed.as_secs_f64());
        self.requests
            .get_or_create(&RequestLabels {
                route,
                method,
                status,
            })
            .inc();
    }

    /// The text exposition, with the gauges read now.
    pub async fn render(&self, state: &AppState) -> StoreResult<String> {
        self.cache_pages
            .set(i64::try_from(state.page_cache.len()).unwrap_or(i64::MAX));
        let pool = state.store.pool();
        let idle = i64::try_from(pool.num_idle()).unwrap_or(0);
        let size = i64::from(pool.size());
        self.pool_connections
            .get_or_create(&vec![("state", "idle".to_owned())])
            .set(idle);
        self.pool_connections
            .get_or_create(&vec![("state", "busy".to_owned())])
            .set((size - idle).max(0));
        self.search_ready.set(i64::from(state.search.is_ready()));
        let mut last_counted = self.last_counted.lock().await;
        if !last_counted.is_some_and(|at| at.elapsed() < RECOUNT_AFTER) {
            for (kind, state_name, count) in state.store.work_counts().await? {
                self.queue
                    .get_or_create(&vec![("kind", kind), ("state", state_name)])
                    .set(count);
            }
            *last_counted = Some(std::time::Instant::now());
        }
        drop(last_counted);
        let mut text = String::new();
        // Writing into a String cannot fail.
        let _ = encode(&mut text, &self.registry);
        Ok(text)
    }
}

/// Serves `GET /metrics` on its own listener until `shutdown` resolves.
pub async fn serve(
    listener: tokio::net::TcpListener,
    state: AppState,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    use axum::http::{StatusCode, header};
    use axum::response::IntoResponse;
    async fn scrape(
        axum::extract::State(state): axum::extract::State<AppState>,
    ) -> axum::response::Response {
        match state.metrics.render(&state).await {
            Ok(text) => (
                [(
                    header::CONTENT_TYPE,
                    "application/openmetrics-text; version=1.0.0; charset=utf-8",
                )],
                text,
            )
                .into_response(),
            Err(e) => {
                tracing::warn!(error = %e, "metrics: the database did not answer");
                (StatusCode::SERVICE_UNAVAILABLE, "database unavailable\n").into_response()
            }
        }
    }
    let router = axum::Router::new()
        .route("/metrics", axum::routing::get(scrape))
        .with_state(state);
    axum::serve(listener, router)
        .with_graceful_shutdown(shutdown)
        .await
}
