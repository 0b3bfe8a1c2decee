//! When failed sign-ins hold an account back. Failures are counted by the
//! username typed (so an unknown account answers exactly as a known one)
//! and by (username, address) pair:
//!
//! - from one address, `pair_after` failures on one account inside the
//!   window refuse that address for that account until the window has
//!   passed since its last failure: the stranger is stopped, the owner at
//!   another address is not;
//! - from all addresses together, past `account_after` failures each further
//!   try waits a back-off that doubles (1 s, 2 s, 4 s…) up to `max_backoff`:
//!   a crowd of addresses slows an account down, it never locks it.

/// Failures on one username inside the window.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Failures {
    /// From this address.
    pub pair: i64,
    pub pair_last: Option<i64>,
    /// From every address.
    pub account: i64,
    pub account_last: Option<i64>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Policy {
    pub pair_after: i64,
    pub window_ms: i64,
    pub account_after: i64,
    pub max_backoff_ms: i64,
}

impl Policy {
    /// The policy for a server locking a pair after `after` failures for
    /// `window_ms`: the account back-off starts at twice that many
    /// failures and waits at most a fifteenth of the window (one minute
    /// for the default 15).
    pub fn new(after: i64, window_ms: i64) -> Policy {
        Policy {
            pair_after: after.max(1),
            window_ms,
            account_after: after.max(1) * 2,
            max_backoff_ms: (window_ms / 15).max(1_000),
        }
    }

    /// The wait before the next try after `account` failures.
    pub fn backoff_ms(&self, account: i64) -> i64 {
        if account < self.account_after {
            return 0;
        }
        let doublings = (account - self.account_after).min(30) as u32;
        (1_000i64 << doublings).min(self.max_backoff_ms)
    }

    /// Until when a try is refused, if it is.
    pub fn refused_until(&self, f: &Failures, now: i64) -> Option<i64> {
        let pair = f
            .pair_last
            .filter(|_| f.pair >= self.pair_after)
            .map(|last| last + self.window_ms);
        let account = f
            .account_last
            .map(|last| last + self.backoff_ms(f.account))
            .filter(|_| f.account >= self.account_after);
        [pair, account]
            .into_iter()
            .flatten()
            .filter(|t| *t > now)
            .max()
    }

    /// Whether the failure just counted (`f` includes it) is the one that
    /// starts a pair lock or the account back-off: the owner is told then.
    pub fn tell_owner(&self, f: &Failures) -> bool {
        f.pair == self.pair_after || f.account == self.account_after
    }
}

/// The key failures are counted under: the username as typed, trimmed and
/// in lower case, so `Admin` and `admin ` are one account.
pub fn username_key(username: &str) -> String {
    username.trim().to_lowercase()
}

/// The refusal, the same whether the account exists or not.
pub fn refusal(until: i64, now: i64) -> String {
    let seconds = ((until - now).max(0) + 999) / 1000;
    if seconds < 60 {
        format!(
            "Có quá nhiều lần đăng nhập sai vào tài khoản này; vui lòng thử lại sau {seconds} giây"
        )
    } else {
        format!(
            "Có quá nhiều lần đăng nhập sai vào tài khoản này; vui lòng thử lại sau {} phút",
            (seconds + 59) / 60
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const MIN: i64 = 60_000;

    fn policy() -> Policy {
        Policy::new(5, 15 * MIN)
    }

    #[test]
    fn one_address_is_stopped_for_the_window_after_five() {
        let p = policy();
        let f = |n| Failures {
            pair: n,
            pair_last: Some(100),
            account: n,
            account_last: Some(100),
        };
        assert_eq!(p.refused_until(&f(4), 100), None);
        assert_eq!(p.refused_until(&f(5), 100), Some(100 + 15 * MIN));
        assert!(p.tell_owner(&f(5)));
        assert!(!p.tell_owner(&f(6)));
    }

    #[test]
    fn many_addresses_slow_an_account_but_never_lock_it() {
        let p = policy();
        let f = |n| Failures {
            pair: 1,
            pair_last: Some(0),
            account: n,
            account_last: Some(0),
        };
        assert_eq!(p.refused_until(&f(9), 0), None);
        assert_eq!(p.refused_until(&f(10), 0), Some(1_000));
        assert_eq!(p.refused_until(&f(11), 0), Some(2_000));
        assert_eq!(p.refused_until(&f(100), 0), Some(MIN));
        assert_eq!(p.refused_until(&f(100), MIN), None);
        assert!(p.tell_owner(&f(10)));
    }

    #[test]
    fn the_key_and_the_message() {
        assert_eq!(username_key("  Focal_A1 "), "focal_a1");
        assert!(refusal(30_000, 0).contains("30 giây"));
        assert!(refusal(15 * MIN, 0).contains("15 phút"));
    }
}
