//! Keeps this node's page cache in step with changes made by other nodes
//! or by commands run beside the server.

use std::time::Duration;

use super::{Job, JobError, Stop};
use crate::app::AppState;

pub struct FollowContentChanges {
    state: AppState,
    /// The newest change already applied; `None` until the first round.
    last_seen: Option<i64>,
}

impl FollowContentChanges {
    pub fn new(state: AppState) -> Self {
        FollowContentChanges {
            state,
            last_seen: None,
        }
    }
}

impl Job for FollowContentChanges {
    const NAME: &'static str = "content changes";

    fn interval(&self) -> Duration {
        Duration::from_secs(2)
    }

    async fn run_once(&mut self, _stop: &Stop) -> Result<(), JobError> {
        let after = match self.last_seen {
            Some(last) => last,
            // Changes before this node started are already in what it renders.
            None => self.state.store.latest_content_change().await?,
        };
        self.last_seen = Some(self.state.apply_remote_changes(after).await?);
        Ok(())
    }
}
