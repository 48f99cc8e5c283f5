//! Keeps this node's page cache in step with changes made by other nodes
//! or by commands run beside the server. On PostgreSQL each change is
//! announced (LISTEN/NOTIFY) and arrives at once; the table is polled too,
//! every two seconds, so a lost connection only slows things down.

use std::time::Duration;

use sqlx::postgres::PgListener;

use super::{Job, JobError, Stop};
use crate::app::AppState;
use crate::store::Backend;

/// The channel `content_changes` inserts are announced on (see the migration).
const CHANNEL: &str = "newsdesk_changes";
const POLL: Duration = Duration::from_secs(2);
const LISTEN_RETRY: Duration = Duration::from_secs(60);

pub struct FollowContentChanges {
    state: AppState,
    /// The newest change already applied; `None` until the first round.
    last_seen: Option<i64>,
    listener: Option<PgListener>,
    /// After a failed attempt to listen, when to try again (a pooler that
    /// cannot LISTEN would otherwise be asked, and logged, every round).
    listen_again_at: Option<std::time::Instant>,
}

impl FollowContentChanges {
    pub fn new(state: AppState) -> Self {
        FollowContentChanges {
            state,
            last_seen: None,
            listener: None,
            listen_again_at: None,
        }
    }

    async fn listen(&mut self) {
        if self.listener.is_some()
            || self.state.store.backend() != Backend::Postgres
            || self
                .listen_again_at
                .is_some_and(|at| std::time::Instant::now() < at)
        {
            return;
        }
        let listener = async {
            let mut listener = PgListener::connect(&self.state.config.database_url).await?;
            listener.listen(CHANNEL).await?;
            Ok::<_, sqlx::Error>(listener)
        };
        match listener.await {
            Ok(listener) => self.listener = Some(listener),
            Err(e) => {
                tracing::warn!(error = %e, "cannot listen for changes; polling, trying again in a minute");
                self.listen_again_at = Some(std::time::Instant::now() + LISTEN_RETRY);
            }
        }
    }
}

impl Job for FollowContentChanges {
    const NAME: &'static str = "content changes";

    fn interval(&self) -> Duration {
        // With a listener the round itself waits for the next announcement.
        if self.listener.is_some() {
            Duration::ZERO
        } else {
            POLL
        }
    }

    async fn run_once(&mut self, stop: &Stop) -> Result<(), JobError> {
        self.listen().await;
        let after = match self.last_seen {
            Some(last) => last,
            // Changes before this node started are already in what it renders.
            None => self.state.store.latest_content_change().await?,
        };
        self.last_seen = Some(self.state.apply_remote_changes(after).await?);
        if let Some(listener) = &mut self.listener {
            let mut stop = stop.clone();
            tokio::select! {
                heard = listener.recv() => {
                    if let Err(e) = heard {
                        tracing::warn!(error = %e, "lost the change announcements; polling");
                        self.listener = None;
                    }
                }
                _ = tokio::time::sleep(POLL) => {}
                _ = stop.changed() => {}
            }
        }
        Ok(())
    }
}
