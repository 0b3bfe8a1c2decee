//! Settings for a running server. Each has a sensible default and can be
//! set by a flag or an environment variable (see `cli.rs`).

use std::time::Duration;

use crate::auth::sealed::DataKey;

#[derive(Debug, Clone)]
pub struct Config {
    pub listen: String,
    pub db: String,
    /// A session unused this long ends (level-2 systems ask for 15 min).
    pub session_idle: Duration,
    /// A session ends this long after login, however active.
    pub session_absolute: Duration,
    /// Failed logins on one account from one address that hold that
    /// address back for `lockout_for`; twice as many from all addresses
    /// start the account's back-off (see `domain::lockout`).
    pub lockout_after: i64,
    pub lockout_for: Duration,
    /// Failed logins from one address, inside `lockout_for`, before the
    /// address is refused for a while.
    pub max_failures_per_ip: i64,
    /// Mark cookies `Secure` and send HSTS: set when served over HTTPS
    /// (directly or behind a proxy that terminates TLS).
    pub secure_cookies: bool,
    pub max_body_bytes: usize,
    /// Where warnings are e-mailed; none means in-app only.
    pub mail: Option<crate::notify::MailConfig>,
    /// The address people open the server at (`https://theodoi.tinh.gov.vn`),
    /// for links sent by e-mail (enrolment codes); none means codes are
    /// shown to the administrator instead of e-mailed.
    pub public_url: Option<String>,
    /// Working days between reminders once a deadline has passed.
    pub escalate_after_days: i64,
    /// Seals citizens' personal data. Without it, feedback is still taken
    /// but no name, phone or e-mail is accepted.
    pub data_key: Option<DataKey>,
    /// Days a citizen's personal data is kept before it is erased.
    pub retention_days: u32,
    /// Anonymous submissions (feedback, ratings, erasure requests) one
    /// address may make in an hour.
    pub public_per_hour: i64,
    /// Signs the form challenge: derived from the data key when there is
    /// one (so it survives restarts), else random for this process.
    pub form_secret: [u8; 32],
    /// Reverse proxies whose `Forwarded` / `X-Forwarded-For` headers say
    /// who the client is (see `proxy`); none by default.
    pub trusted_proxies: Vec<crate::proxy::Cidr>,
}

impl Config {
    pub fn with_data_key(mut self, key: Option<DataKey>) -> Config {
        if let Some(k) = &key {
            self.form_secret = k.derive("form challenge");
        }
        self.data_key = key;
        self
    }
}

fn random_secret() -> [u8; 32] {
    let mut s = [0u8; 32];
    // A broken generator leaves zeros: challenges still expire, and the
    // rate limit still holds.
    let _ = getrandom::fill(&mut s);
    s
}

impl Default for Config {
    fn default() -> Self {
        Config {
            listen: "127.0.0.1:8057".into(),
            db: "theodoi.db".into(),
            session_idle: Duration::from_secs(15 * 60),
            session_absolute: Duration::from_secs(12 * 60 * 60),
            lockout_after: 5,
            lockout_for: Duration::from_secs(15 * 60),
            max_failures_per_ip: 20,
            secure_cookies: false,
            max_body_bytes: 2 * 1024 * 1024,
            mail: None,
            public_url: None,
            escalate_after_days: 5,
            data_key: None,
            retention_days: 365,
            public_per_hour: 5,
            form_secret: random_secret(),
            trusted_proxies: Vec::new(),
        }
    }
}

pub fn millis(d: Duration) -> i64 {
    i64::try_from(d.as_millis()).unwrap_or(i64::MAX)
}
