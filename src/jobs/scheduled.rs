//! Publishes scheduled stories when their time comes.

use std::time::Duration;

use super::{Job, JobError, Stop};
use crate::app::AppState;

pub struct PublishScheduled(pub AppState);

impl Job for PublishScheduled {
    const NAME: &'static str = "scheduled publishing";

    fn interval(&self) -> Duration {
        Duration::from_secs(15)
    }

    async fn run_once(&mut self, _stop: &Stop) -> Result<(), JobError> {
        crate::services::workflow::publish_due(&self.0).await?;
        Ok(())
    }
}
