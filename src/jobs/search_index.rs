//! Keeps this node's search index in step with the database: builds it on
//! first start (or when it was built from another database), then applies
//! the content changes of every node. Searches catch up too before they
//! run, so this round only keeps them from having to.

use std::time::Duration;

use super::{Job, JobError, Stop};
use crate::app::AppState;

/// A new node serves its first readers before it starts building.
const FIRST_ROUND_AFTER: Duration = Duration::from_secs(3);

pub struct KeepSearchIndex {
    state: AppState,
    started: bool,
}

impl KeepSearchIndex {
    pub fn new(state: AppState) -> Self {
        KeepSearchIndex {
            state,
            started: false,
        }
    }
}

impl Job for KeepSearchIndex {
    const NAME: &'static str = "search index";

    fn interval(&self) -> Duration {
        Duration::from_secs(2)
    }

    async fn run_once(&mut self, stop: &Stop) -> Result<(), JobError> {
        if !self.started {
            self.started = true;
            let mut stopping = stop.clone();
            tokio::select! {
                _ = tokio::time::sleep(FIRST_ROUND_AFTER) => {}
                _ = stopping.changed() => return Ok(()),
            }
        }
        let state = &self.state;
        state
            .search
            .keep_up(&state.store, &state.config.data_dir, &|| !stop.requested())
            .await?;
        Ok(())
    }
}
