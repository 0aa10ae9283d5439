//! Where a command's time comes from. The core takes `now` as an argument and has no clock;
//! the store reads its [`Clock`] once per attempt, so a command retried after a conflict or
//! a lost connection is decided, and stamped, at the time it commits, not at its first try.

use membership::Timestamp;

/// A source of the time a command runs at, read at the start of every attempt.
///
/// A [`Timestamp`] is a clock stopped at that instant (tests, replays, examples);
/// [`SystemClock`] reads the system's time.
pub trait Clock: Copy + Send + Sync + 'static {
    /// The time now.
    fn now(&self) -> Timestamp;
}

impl Clock for Timestamp {
    fn now(&self) -> Timestamp {
        *self
    }
}

/// The system's clock (UTC), as a service runs commands.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> Timestamp {
        // A clock past the year 9999 is a broken clock; the latest time keeps it ordered.
        Timestamp::try_from(chrono::Utc::now()).unwrap_or(Timestamp::MAX)
    }
}
