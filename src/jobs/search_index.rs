//! Keeps this node's search index in step with the database: builds it on
//! first start (or when it was built from another database), then applies
//! the content changes of every node. Searches catch up too before they
//! run, so this round only keeps them from having to.

use std::time::Duration;

use super::{Job, JobError, Stop};
use crate::app::AppState;

pub struct KeepSearchIndex(pub AppState);

impl Job for KeepSearchIndex {
    const NAME: &'static str = "search index";

    fn interval(&self) -> Duration {
        Duration::from_secs(2)
    }

    async fn run_once(&mut self, stop: &Stop) -> Result<(), JobError> {
        let state = &self.0;
        state
            .search
            .keep_up(&state.store, &state.config.data_dir, &|| !stop.requested())
            .await?;
        Ok(())
    }
}
