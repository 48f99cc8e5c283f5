//! Background work. Each job is one round of work ([`Job::run_once`]) that
//! the runner repeats at the job's interval until the process stops; every
//! job of a `serve` node starts in [`Jobs::start`] and nowhere else. Jobs
//! take time from the app's clock and retry by one [`RetryPolicy`], so tests
//! run a round directly instead of waiting for one.
//!
//! Every job is safe on several nodes at once: the store's claims and
//! version checks decide who does each piece of work.

mod content_changes;
mod distribution;
mod newsletter;
mod prune;
mod purge_cdn;
mod readers_share;
mod scheduled;
mod search_index;
mod videos;
mod warm_pages;
mod watch_database;

use std::future::Future;
use std::time::Duration;

use tokio::sync::watch;
use tokio::task::JoinHandle;

use crate::app::AppState;

pub use content_changes::FollowContentChanges;
pub use distribution::SendDeliveries;
pub use newsletter::SendNewsletter;
pub use prune::PruneOldRecords;
pub use purge_cdn::PurgeCdn;
pub use readers_share::CountReadersShare;
pub use scheduled::PublishScheduled;
pub use search_index::KeepSearchIndex;
pub use videos::PollVideos;
pub use warm_pages::WarmPages;
pub use watch_database::WatchDatabase;

/// What a round of work could not do; logged, and the next round tries again.
pub type JobError = Box<dyn std::error::Error + Send + Sync>;

/// One kind of background work.
pub trait Job: Send + 'static {
    /// For logs.
    const NAME: &'static str;

    /// The pause between the end of one round and the start of the next.
    fn interval(&self) -> Duration;

    /// Whether this node has anything to do at all (no SMTP, no video
    /// sources…); a disabled job never starts.
    fn enabled(&self) -> bool {
        true
    }

    /// One round. Long rounds look at `stop` between pieces of work and
    /// return early, finishing the piece in hand.
    fn run_once(&mut self, stop: &Stop) -> impl Future<Output = Result<(), JobError>> + Send;
}

/// Tells a round that the process is stopping.
#[derive(Clone)]
pub struct Stop(watch::Receiver<bool>);

impl Stop {
    pub fn requested(&self) -> bool {
        *self.0.borrow()
    }

    /// Waits until the process is stopping.
    pub async fn changed(&mut self) {
        while !*self.0.borrow_and_update() {
            if self.0.changed().await.is_err() {
                // Nobody can ask any more: never.
                std::future::pending::<()>().await;
            }
        }
    }

    /// A stop signal that never fires, for running one round by hand.
    pub fn never() -> Stop {
        let (sender, receiver) = watch::channel(false);
        // The receiver keeps reading `false` after the sender is gone.
        drop(sender);
        Stop(receiver)
    }
}

/// The running jobs of this node.
pub struct Jobs {
    stop: watch::Sender<bool>,
    running: Vec<JoinHandle<()>>,
}

impl Jobs {
    /// Starts every background job of a `serve` node.
    pub fn start(state: &AppState) -> Jobs {
        let mut jobs = Jobs::new();
        jobs.spawn(FollowContentChanges::new(state.clone()));
        jobs.spawn(PublishScheduled(state.clone()));
        jobs.spawn(PruneOldRecords(state.clone()));
        jobs.spawn(PollVideos(state.clone()));
        jobs.spawn(SendDeliveries::new(state.clone()));
        jobs.spawn(SendNewsletter(state.clone()));
        jobs.spawn(WarmPages::new(state.clone()));
        jobs.spawn(PurgeCdn(state.clone()));
        jobs.spawn(KeepSearchIndex::new(state.clone()));
        jobs.spawn(WatchDatabase(state.clone()));
        jobs.spawn(CountReadersShare(state.clone()));
        jobs
    }

    fn new() -> Jobs {
        let (stop, _) = watch::channel(false);
        Jobs {
            stop,
            running: Vec::new(),
        }
    }

    fn spawn<J: Job>(&mut self, job: J) {
        let stop = Stop(self.stop.subscribe());
        self.running.push(tokio::spawn(run(job, stop)));
    }

    /// Asks every job to stop and waits up to `grace` for the work in hand
    /// (a message half sent) to finish.
    pub async fn stop(self, grace: Duration) {
        let _ = self.stop.send(true);
        let all = futures_util::future::join_all(self.running);
        if tokio::time::timeout(grace, all).await.is_err() {
            tracing::warn!("background jobs did not finish in time");
        }
    }
}

async fn run<J: Job>(mut job: J, mut stop: Stop) {
    if !job.enabled() {
        return;
    }
    while !stop.requested() {
        if let Err(err) = job.run_once(&stop).await {
            tracing::warn!(job = J::NAME, error = %err, "background job round failed");
        }
        tokio::select! {
            _ = tokio::time::sleep(job.interval()) => {}
            _ = stop.0.changed() => {}
        }
    }
}

/// How work that failed for now is tried again, everywhere: after `base`,
/// then twice as long each time, at most an hour apart, and given up after
/// `max_attempts`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RetryPolicy {
    pub base_seconds: i64,
    pub max_attempts: i64,
}

impl RetryPolicy {
    const LONGEST_WAIT: i64 = 3600;

    pub fn of(state: &AppState) -> RetryPolicy {
        RetryPolicy {
            base_seconds: state.config.distribution.retry_base_seconds,
            max_attempts: state.config.distribution.max_attempts,
        }
    }

    /// The wait after the `attempts`-th failure: base, 2×base, 4×base…
    pub fn delay_after(&self, attempts: i64) -> i64 {
        let exponent = attempts.clamp(1, 20) - 1;
        self.base_seconds
            .saturating_mul(1_i64 << exponent)
            .min(Self::LONGEST_WAIT)
    }

    /// Whether `attempts` failures are enough to stop trying.
    pub fn gives_up_after(&self, attempts: i64) -> bool {
        attempts >= self.max_attempts
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;
    use std::sync::atomic::{AtomicUsize, Ordering};

    use super::*;

    #[test]
    fn waits_double_up_to_an_hour_and_give_up_at_the_limit() {
        let policy = RetryPolicy {
            base_seconds: 30,
            max_attempts: 5,
        };
        assert_eq!(policy.delay_after(1), 30);
        assert_eq!(policy.delay_after(2), 60);
        assert_eq!(policy.delay_after(4), 240);
        assert_eq!(policy.delay_after(12), 3600);
        assert_eq!(policy.delay_after(i64::MAX), 3600);
        assert!(!policy.gives_up_after(4));
        assert!(policy.gives_up_after(5));
        let immediate = RetryPolicy {
            base_seconds: 0,
            max_attempts: 1,
        };
        assert_eq!(immediate.delay_after(5), 0);
    }

    /// Counts rounds; the round in hand when the stop comes is finished.
    struct Counting {
        rounds: Arc<AtomicUsize>,
        finished: Arc<AtomicUsize>,
        enabled: bool,
    }

    impl Job for Counting {
        const NAME: &'static str = "counting";

        fn interval(&self) -> Duration {
            // Long: only the stop signal can end the wait.
            Duration::from_secs(3600)
        }

        fn enabled(&self) -> bool {
            self.enabled
        }

        async fn run_once(&mut self, _stop: &Stop) -> Result<(), JobError> {
            self.rounds.fetch_add(1, Ordering::SeqCst);
            tokio::task::yield_now().await;
            self.finished.fetch_add(1, Ordering::SeqCst);
            Err("every round fails, and the job goes on".into())
        }
    }

    #[tokio::test]
    async fn a_job_runs_at_once_and_stops_when_asked_between_rounds() {
        let rounds = Arc::new(AtomicUsize::new(0));
        let finished = Arc::new(AtomicUsize::new(0));
        let mut jobs = Jobs::new();
        jobs.spawn(Counting {
            rounds: rounds.clone(),
            finished: finished.clone(),
            enabled: true,
        });
        jobs.spawn(Counting {
            rounds: rounds.clone(),
            finished: finished.clone(),
            enabled: false,
        });
        while rounds.load(Ordering::SeqCst) == 0 {
            tokio::task::yield_now().await;
        }
        // The hour-long wait is cut short by the stop.
        tokio::time::timeout(Duration::from_secs(5), jobs.stop(Duration::from_secs(5)))
            .await
            .expect("jobs stop promptly");
        assert_eq!(
            rounds.load(Ordering::SeqCst),
            1,
            "one round, the disabled job none"
        );
        assert_eq!(
            finished.load(Ordering::SeqCst),
            1,
            "the round in hand finished"
        );
    }

    #[test]
    fn a_stop_that_never_fires_reads_false() {
        assert!(!Stop::never().requested());
    }
}
