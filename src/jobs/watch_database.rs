//! Asks the database every few seconds whether it answers, so a node knows
//! when it is gone (and answers at once instead of waiting on it) and
//! learns by itself when it is back.

use std::time::Duration;

use super::{Job, JobError, Stop};
use crate::app::AppState;

pub struct WatchDatabase(pub AppState);

impl Job for WatchDatabase {
    const NAME: &'static str = "database watch";

    fn interval(&self) -> Duration {
        Duration::from_secs(2)
    }

    async fn run_once(&mut self, _stop: &Stop) -> Result<(), JobError> {
        // The outcome is recorded in the store's health; a failure is not the job's.
        let _ = self.0.store.check(self.0.clock.now()).await;
        Ok(())
    }
}
