//! Makes the day's digests when their hour comes and sends what is due.

use std::time::Duration;

use super::{Job, JobError, Stop};
use crate::app::AppState;
use crate::services::newsletter;

pub struct SendNewsletter(pub AppState);

impl Job for SendNewsletter {
    const NAME: &'static str = "newsletter";

    fn interval(&self) -> Duration {
        Duration::from_secs(20)
    }

    /// Without SMTP nothing could be delivered; issues wait until it is set up.
    fn enabled(&self) -> bool {
        let sends = self.0.mailer.sends_email();
        if !sends {
            tracing::info!("no SMTP server configured: the newsletter is not sent");
        }
        sends
    }

    async fn run_once(&mut self, stop: &Stop) -> Result<(), JobError> {
        // A digest that cannot be made does not hold back what is due.
        let digests = newsletter::make_due_digests(&self.0, self.0.clock.now()).await;
        newsletter::send_pending(&self.0, &|| stop.requested()).await?;
        digests?;
        Ok(())
    }
}
