//! Renders again, right after a change, the pages the change dropped from
//! the cache (the home page, feeds, the story's own page…), most read
//! first, so the readers who come next are served from memory instead of
//! each waiting for a render.

use std::time::Duration;

use axum::Router;
use axum::body::Body;
use axum::extract::ConnectInfo;
use axum::http::Request;
use tower::ServiceExt;

use super::{Job, JobError, Stop};
use crate::app::AppState;
use crate::page_cache::WARM_AT_MOST;

pub struct WarmPages {
    state: AppState,
    router: Router,
}

impl WarmPages {
    pub fn new(state: AppState) -> Self {
        let router = crate::http::router(state.clone());
        WarmPages { state, router }
    }
}

impl Job for WarmPages {
    const NAME: &'static str = "page warming";

    fn interval(&self) -> Duration {
        Duration::from_millis(250)
    }

    fn enabled(&self) -> bool {
        self.state.config.cache_max_pages > 0
    }

    async fn run_once(&mut self, stop: &Stop) -> Result<(), JobError> {
        for key in self.state.page_cache.take_pages_to_warm(WARM_AT_MOST) {
            if stop.requested() {
                break;
            }
            // Through the whole app, as a reader on this machine would ask:
            // the cache keeps what it renders.
            let mut request = Request::get(&key).body(Body::empty())?;
            request
                .extensions_mut()
                .insert(ConnectInfo(std::net::SocketAddr::from(([127, 0, 0, 1], 0))));
            let response = self.router.clone().oneshot(request).await?;
            axum::body::to_bytes(response.into_body(), usize::MAX).await?;
        }
        Ok(())
    }
}
