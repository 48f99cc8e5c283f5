//! The app's idea of "now".
//!
//! Everything that stamps, expires or schedules asks the [`Clock`] in the
//! app state rather than the system, so tests can move time instead of
//! sleeping or rewriting rows.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicI64, Ordering};

/// System time plus a shift that only tests change; it keeps ticking
/// unless a test freezes it.
#[derive(Clone, Debug, Default)]
pub struct Clock {
    shift: Arc<AtomicI64>,
    /// When set, `shift` holds the time itself.
    frozen: Arc<AtomicBool>,
}

impl Clock {
    /// The system clock, unshifted.
    pub fn system() -> Self {
        Self::default()
    }

    /// Current time as Unix seconds.
    pub fn now(&self) -> i64 {
        if self.frozen.load(Ordering::Relaxed) {
            return self.shift.load(Ordering::Relaxed);
        }
        jiff::Timestamp::now().as_second() + self.shift.load(Ordering::Relaxed)
    }

    /// Moves time forward (or back, with a negative count) by `seconds`.
    pub fn advance(&self, seconds: i64) {
        self.shift.fetch_add(seconds, Ordering::Relaxed);
    }

    /// Makes `now()` answer `at` from here on, still ticking.
    pub fn set(&self, at: i64) {
        let shift = if self.frozen.load(Ordering::Relaxed) {
            at
        } else {
            at - jiff::Timestamp::now().as_second()
        };
        self.shift.store(shift, Ordering::Relaxed);
    }

    /// Stops time at `at` (for output that must be the same on every run);
    /// `set` and `advance` still move it.
    pub fn freeze(&self, at: i64) {
        self.shift.store(at, Ordering::Relaxed);
        self.frozen.store(true, Ordering::Relaxed);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_moved_clock_keeps_its_place_and_is_shared_by_clones() {
        let clock = Clock::system();
        let copy = clock.clone();
        clock.set(1_000_000);
        assert!((1_000_000..1_000_002).contains(&copy.now()));
        copy.advance(3600);
        assert!((1_003_600..1_003_602).contains(&clock.now()));
    }
}
