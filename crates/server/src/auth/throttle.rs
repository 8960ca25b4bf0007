//! Login rate limiting with exponential backoff, per account and per client address.
//!
//! Each key (an account name, or an IP address) may fail a few times freely; after that
//! every further failure doubles the wait before the next attempt is even checked, up to a
//! cap. A success clears the account's count (not the address's: one good password must
//! not unlock guessing at other accounts from the same address). Addresses get a larger
//! free allowance than accounts, because many officers sit behind one office NAT.
//!
//! In memory, bounded: when the table is full, entries whose wait has run out are dropped
//! first, then the oldest. The clock is passed in so tests need no sleeping.

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// The backoff rule for one kind of key.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Backoff {
    /// Failures allowed before any wait.
    pub free_failures: u32,
    /// Wait after the first failure past the free ones; doubles with each further one.
    pub base: Duration,
    /// Longest wait.
    pub max: Duration,
    /// A key with no failure for this long starts again from zero.
    pub forget_after: Duration,
}

impl Backoff {
    /// The wait after `failures` failures.
    pub fn wait_after(&self, failures: u32) -> Duration {
        if failures <= self.free_failures {
            return Duration::ZERO;
        }
        let doublings = (failures - self.free_failures - 1).min(30);
        self.base
            .checked_mul(1u32 << doublings)
            .unwrap_or(self.max)
            .min(self.max)
    }
}

/// Per-account rule: 5 free failures, then 1 s, 2 s, 4 s … up to 15 minutes.
pub const ACCOUNT: Backoff = Backoff {
    free_failures: 5,
    base: Duration::from_secs(1),
    max: Duration::from_secs(15 * 60),
    forget_after: Duration::from_secs(24 * 3600),
};

/// Per-address rule: 20 free failures, then 1 s doubling up to 15 minutes.
pub const ADDRESS: Backoff = Backoff {
    free_failures: 20,
    base: Duration::from_secs(1),
    max: Duration::from_secs(15 * 60),
    forget_after: Duration::from_secs(24 * 3600),
};

#[derive(Debug, Clone, Copy)]
struct Entry {
    failures: u32,
    last_failure: Instant,
    blocked_until: Instant,
}

#[derive(Debug)]
struct Table {
    rule: Backoff,
    capacity: usize,
    entries: HashMap<String, Entry>,
}

impl Table {
    fn wait(&self, key: &str, now: Instant) -> Duration {
        match self.entries.get(key) {
            Some(e) if now.duration_since(e.last_failure) < self.rule.forget_after => {
                e.blocked_until.saturating_duration_since(now)
            }
            _ => Duration::ZERO,
        }
    }

    fn fail(&mut self, key: &str, now: Instant) {
        if !self.entries.contains_key(key) && self.entries.len() >= self.capacity {
            self.evict(now);
        }
        let rule = self.rule;
        let e = self.entries.entry(key.to_string()).or_insert(Entry {
            failures: 0,
            last_failure: now,
            blocked_until: now,
        });
        if now.duration_since(e.last_failure) >= rule.forget_after {
            e.failures = 0;
        }
        e.failures = e.failures.saturating_add(1);
        e.last_failure = now;
        e.blocked_until = now + rule.wait_after(e.failures);
    }

    fn evict(&mut self, now: Instant) {
        let forget = self.rule.forget_after;
        self.entries
            .retain(|_, e| e.blocked_until > now && now.duration_since(e.last_failure) < forget);
        if self.entries.len() >= self.capacity {
            if let Some(oldest) = self
                .entries
                .iter()
                .min_by_key(|(_, e)| e.last_failure)
                .map(|(k, _)| k.clone())
            {
                self.entries.remove(&oldest);
            }
        }
    }
}

/// The answer when a login may not be tried now.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Throttled {
    /// How long to wait.
    pub retry_after: Duration,
}

impl Throttled {
    /// Whole seconds to wait, at least 1 (for `Retry-After`).
    pub fn seconds(&self) -> u64 {
        self.retry_after.as_secs() + u64::from(self.retry_after.subsec_nanos() > 0)
    }
}

/// The login throttle: one table for accounts, one for addresses.
#[derive(Debug)]
pub struct LoginThrottle {
    accounts: Mutex<Table>,
    addresses: Mutex<Table>,
}

impl Default for LoginThrottle {
    fn default() -> Self {
        Self::new(ACCOUNT, ADDRESS, 100_000)
    }
}

impl LoginThrottle {
    /// A throttle with the given rules, each table holding at most `capacity` keys.
    pub fn new(account: Backoff, address: Backoff, capacity: usize) -> Self {
        let table = |rule| {
            Mutex::new(Table {
                rule,
                capacity: capacity.max(1),
                entries: HashMap::new(),
            })
        };
        Self {
            accounts: table(account),
            addresses: table(address),
        }
    }

    fn account_key(login: &str) -> String {
        login.trim().to_lowercase()
    }

    /// May `login` from `ip` try a password now? Checked before the password is.
    pub fn check(&self, login: &str, ip: IpAddr, now: Instant) -> Result<(), Throttled> {
        let a = lock(&self.accounts).wait(&Self::account_key(login), now);
        let b = lock(&self.addresses).wait(&ip.to_string(), now);
        let w = a.max(b);
        if w.is_zero() {
            Ok(())
        } else {
            Err(Throttled { retry_after: w })
        }
    }

    /// Records a failed attempt.
    pub fn failed(&self, login: &str, ip: IpAddr, now: Instant) {
        lock(&self.accounts).fail(&Self::account_key(login), now);
        lock(&self.addresses).fail(&ip.to_string(), now);
    }

    /// Records a success: the account starts again from zero.
    pub fn succeeded(&self, login: &str) {
        lock(&self.accounts)
            .entries
            .remove(&Self::account_key(login));
    }

    /// Keys held (accounts, addresses), for tests and metrics.
    pub fn len(&self) -> (usize, usize) {
        (
            lock(&self.accounts).entries.len(),
            lock(&self.addresses).entries.len(),
        )
    }

    /// True when nothing is held.
    pub fn is_empty(&self) -> bool {
        self.len() == (0, 0)
    }
}

/// A poisoned lock only means another request panicked mid-update of counters; the
/// counters are still usable.
fn lock(m: &Mutex<Table>) -> std::sync::MutexGuard<'_, Table> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    #[test]
    fn backoff_doubles_up_to_the_cap() {
        let w: Vec<u64> = (0..=8).map(|n| ACCOUNT.wait_after(n).as_secs()).collect();
        assert_eq!(w, [0, 0, 0, 0, 0, 0, 1, 2, 4]);
        assert_eq!(ACCOUNT.wait_after(40), ACCOUNT.max);
        assert_eq!(ACCOUNT.wait_after(u32::MAX), ACCOUNT.max);
    }

    #[test]
    fn account_is_blocked_after_free_failures_and_cleared_by_success() {
        let t = LoginThrottle::default();
        let t0 = Instant::now();
        let a = ip("10.0.0.1");
        for _ in 0..5 {
            assert!(t.check("Officer1", a, t0).is_ok());
            t.failed("Officer1", a, t0);
        }
        assert!(t.check("officer1", a, t0).is_ok(), "5 failures are free");
        t.failed("officer1 ", a, t0);
        let w = t.check("OFFICER1", a, t0).unwrap_err();
        assert_eq!(w.seconds(), 1);
        // From another address the account is still blocked.
        assert!(t.check("officer1", ip("10.0.0.2"), t0).is_err());
        // Another account from the same address is not (address allowance is larger).
        assert!(t.check("officer2", a, t0).is_ok());
        // The wait runs out.
        assert!(t.check("officer1", a, t0 + Duration::from_secs(1)).is_ok());
        t.failed("officer1", a, t0 + Duration::from_secs(1));
        assert_eq!(
            t.check("officer1", a, t0 + Duration::from_secs(1))
                .unwrap_err()
                .seconds(),
            2
        );
        t.succeeded("officer1");
        assert!(t.check("officer1", a, t0 + Duration::from_secs(1)).is_ok());
    }

    #[test]
    fn address_is_blocked_across_accounts() {
        let t = LoginThrottle::default();
        let t0 = Instant::now();
        let a = ip("2001:db8::1");
        for i in 0..21 {
            t.failed(&format!("user{i}"), a, t0);
        }
        assert!(t.check("someone-else", a, t0).is_err());
        assert!(t.check("someone-else", ip("2001:db8::2"), t0).is_ok());
        // Success on one account does not unblock the address.
        t.succeeded("user0");
        assert!(t.check("user0", a, t0).is_err());
    }

    #[test]
    fn old_failures_are_forgotten() {
        let t = LoginThrottle::default();
        let t0 = Instant::now();
        let a = ip("10.0.0.1");
        for _ in 0..10 {
            t.failed("x", a, t0);
        }
        let later = t0 + ACCOUNT.forget_after;
        assert!(t.check("x", a, later).is_ok());
        t.failed("x", a, later);
        assert!(t.check("x", a, later).is_ok(), "count restarted from zero");
    }

    #[test]
    fn memory_is_bounded() {
        let t = LoginThrottle::new(ACCOUNT, ADDRESS, 100);
        let t0 = Instant::now();
        for i in 0..1000u32 {
            t.failed(
                &format!("u{i}"),
                IpAddr::from([10, 0, (i / 256) as u8, i as u8]),
                t0,
            );
        }
        let (a, b) = t.len();
        assert!(a <= 100 && b <= 100, "{a} {b}");
    }
}
