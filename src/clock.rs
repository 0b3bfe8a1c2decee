//! The one source of "now". Handlers and the store ask the clock, never the
//! system directly, so deadlines and timeouts can be tested at any date.

use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};

use chrono::{DateTime, NaiveDate, Utc};

pub trait Clock: Send + Sync + std::fmt::Debug {
    fn now_ms(&self) -> i64;

    fn now(&self) -> DateTime<Utc> {
        DateTime::from_timestamp_millis(self.now_ms()).unwrap_or_default()
    }

    /// Today's date in Vietnam (UTC+7), where every deadline is counted.
    fn today(&self) -> NaiveDate {
        vietnam_date(self.now_ms())
    }
}

/// The date in Vietnam (UTC+7) of a moment in milliseconds.
pub fn vietnam_date(ms: i64) -> NaiveDate {
    let at = DateTime::from_timestamp_millis(ms).unwrap_or_default();
    (at + chrono::Duration::hours(7)).date_naive()
}

#[derive(Debug, Default)]
pub struct SystemClock;

impl Clock for SystemClock {
    #[allow(clippy::disallowed_methods)]
    fn now_ms(&self) -> i64 {
        Utc::now().timestamp_millis()
    }
}

/// A clock that stands still until moved; for tests.
#[derive(Debug)]
pub struct FixedClock(AtomicI64);

impl FixedClock {
    pub fn at(ms: i64) -> Arc<FixedClock> {
        Arc::new(FixedClock(AtomicI64::new(ms)))
    }

    pub fn advance_ms(&self, ms: i64) {
        self.0.fetch_add(ms, Ordering::SeqCst);
    }
}

impl Clock for FixedClock {
    fn now_ms(&self) -> i64 {
        self.0.load(Ordering::SeqCst)
    }
}

pub fn system() -> Arc<dyn Clock> {
    Arc::new(SystemClock)
}
