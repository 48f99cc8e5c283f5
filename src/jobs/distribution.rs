//! Sends the outbox: Telegram, X, the Fediverse and webhooks.

use std::time::Duration;

use super::{Job, JobError, Stop};
use crate::app::AppState;
use crate::services::distribution::Worker;

pub struct SendDeliveries(Worker);

impl SendDeliveries {
    pub fn new(state: AppState) -> Self {
        SendDeliveries(Worker::new(state))
    }
}

impl Job for SendDeliveries {
    const NAME: &'static str = "distribution";

    fn interval(&self) -> Duration {
        Duration::from_secs(1)
    }

    async fn run_once(&mut self, stop: &Stop) -> Result<(), JobError> {
        self.0.run_once(&|| stop.requested()).await?;
        Ok(())
    }
}
