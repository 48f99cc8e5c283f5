//! Hourly clean-up of what is only kept for a while: attempt counts,
//! inbox signatures seen, audit entries past their retention.

use std::time::Duration;

use super::{Job, JobError, Stop};
use crate::app::AppState;

pub struct PruneOldRecords(pub AppState);

impl Job for PruneOldRecords {
    const NAME: &'static str = "pruning";

    fn interval(&self) -> Duration {
        Duration::from_secs(3600)
    }

    async fn run_once(&mut self, _stop: &Stop) -> Result<(), JobError> {
        crate::services::audit::prune(&self.0).await?;
        Ok(())
    }
}
