//! Counts readers' share of the budget every hour, so the donation box can
//! quote it without asking the database for every page it is drawn on.

use std::time::Duration;

use super::{Job, JobError, Stop};
use crate::app::AppState;

pub struct CountReadersShare(pub AppState);

impl Job for CountReadersShare {
    const NAME: &'static str = "readers' share";

    fn interval(&self) -> Duration {
        Duration::from_secs(3600)
    }

    async fn run_once(&mut self, _stop: &Stop) -> Result<(), JobError> {
        self.0.readers_share.refresh(&self.0).await?;
        Ok(())
    }
}
