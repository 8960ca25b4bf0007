//! Login rate limiting with exponential backoff, per account and per client address.
//!
//! Each key (an account name, or an IP address: an IPv6 client by its /64) may fail a few
//! times freely; after that every further failure doubles the wait before the next attempt
//! is even checked, up to a cap. Addresses get a larger free allowance than accounts,
//! because many officers sit behind one office NAT.
//!
//! An attempt is **reserved** before the password is hashed ([`LoginThrottle::begin`]):
//! counted as a failure on both keys at once, under the lock that checked them, so thirty
//! parallel guesses are thirty failures in the count before the first hash finishes, and
//! only the allowance is ever hashed. A success then clears the account's count and gives
//! the address its reservation back (not more: one good password must not unlock
//! guessing at other accounts from the same address).
//!
//! In memory, bounded: each table is an LRU map, so when it is full the key tried least
//! recently is dropped, in O(1). The clock is passed in so tests need no sleeping.

use std::net::IpAddr;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use hashlink::LruCache;

use crate::web::client::limit_key;

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
    /// Least recently failed first: a full table forgets the front, in O(1).
    entries: LruCache<String, Entry>,
}

impl Table {
    /// The wait for `key`; a key looked up moves to the back, so a key under attack (and
    /// so blocked) is never the one a flood of new keys pushes out.
    fn wait(&mut self, key: &str, now: Instant) -> Duration {
        match self.entries.get(key) {
            Some(e) if now.duration_since(e.last_failure) < self.rule.forget_after => {
                e.blocked_until.saturating_duration_since(now)
            }
            _ => Duration::ZERO,
        }
    }

    fn fail(&mut self, key: &str, now: Instant) {
        let rule = self.rule;
        let fresh = Entry {
            failures: 0,
            last_failure: now,
            blocked_until: now,
        };
        // `get_mut` moves the key to the back; a new key pushes out the front when full.
        if self.entries.get_mut(key).is_none() {
            self.entries.insert(key.to_string(), fresh);
        }
        let Some(e) = self.entries.get_mut(key) else {
            return;
        };
        if now.duration_since(e.last_failure) >= rule.forget_after {
            e.failures = 0;
        }
        e.failures = e.failures.saturating_add(1);
        e.last_failure = now;
        e.blocked_until = now + rule.wait_after(e.failures);
    }

    /// Gives one reserved failure back (the attempt succeeded).
    fn refund(&mut self, key: &str) {
        let rule = self.rule;
        if let Some(e) = self.entries.peek_mut(key) {
            e.failures = e.failures.saturating_sub(1);
            e.blocked_until = e.last_failure + rule.wait_after(e.failures);
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
                entries: LruCache::new(capacity.max(1)),
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

    fn address_key(ip: IpAddr) -> String {
        limit_key(ip).to_string()
    }

    /// May `login` from `ip` try a password now? If so the attempt is reserved: counted
    /// as a failure on the account and the address before the password is hashed, in one
    /// step with the check (both locks held, accounts first), so parallel attempts cannot
    /// all pass a check that none of them has recorded yet. Report a success with
    /// [`LoginThrottle::succeeded`]; a failure needs nothing more.
    pub fn begin(&self, login: &str, ip: IpAddr, now: Instant) -> Result<(), Throttled> {
        let (account, address) = (Self::account_key(login), Self::address_key(ip));
        let mut accounts = lock(&self.accounts);
        let mut addresses = lock(&self.addresses);
        let w = accounts
            .wait(&account, now)
            .max(addresses.wait(&address, now));
        if !w.is_zero() {
            return Err(Throttled { retry_after: w });
        }
        accounts.fail(&account, now);
        addresses.fail(&address, now);
        Ok(())
    }

    /// Gives a reserved attempt back on both keys: it was never tried (the server could
    /// not hash it now).
    pub fn cancel(&self, login: &str, ip: IpAddr) {
        lock(&self.accounts).refund(&Self::account_key(login));
        lock(&self.addresses).refund(&Self::address_key(ip));
    }

    /// Records a success: the account starts again from zero, the address gets its
    /// reservation back.
    pub fn succeeded(&self, login: &str, ip: IpAddr) {
        lock(&self.accounts)
            .entries
            .remove(&Self::account_key(login));
        lock(&self.addresses).refund(&Self::address_key(ip));
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
            assert!(t.begin("Officer1", a, t0).is_ok());
        }
        assert!(t.begin("officer1 ", a, t0).is_ok(), "5 failures are free");
        let w = t.begin("OFFICER1", a, t0).unwrap_err();
        assert_eq!(w.seconds(), 1);
        // From another address the account is still blocked.
        assert!(t.begin("officer1", ip("10.0.0.2"), t0).is_err());
        // The wait runs out.
        let t1 = t0 + Duration::from_secs(1);
        assert!(t.begin("officer1", a, t1).is_ok());
        assert_eq!(t.begin("officer1", a, t1).unwrap_err().seconds(), 2);
        t.succeeded("officer1", a);
        assert!(t.begin("officer1", a, t1).is_ok());
    }

    /// Regression (issue 15, finding 2): the count was checked before and recorded after
    /// the hash, so parallel attempts all passed the check. Reserved attempts are counted
    /// at once: however many arrive together, only the free allowance goes on.
    #[test]
    fn attempts_are_reserved_before_the_password_is_checked() {
        let t = std::sync::Arc::new(LoginThrottle::default());
        let t0 = Instant::now();
        let passed = std::thread::scope(|s| {
            let handles: Vec<_> = (0..30)
                .map(|i| {
                    let t = t.clone();
                    s.spawn(move || t.begin("officer", IpAddr::from([10, 0, 0, i]), t0).is_ok())
                })
                .collect();
            handles
                .into_iter()
                .map(|h| h.join())
                .filter(|r| matches!(r, Ok(true)))
                .count()
        });
        assert_eq!(
            passed, 6,
            "5 free failures and the one that starts the wait"
        );
    }

    #[test]
    fn a_success_gives_the_address_its_reservation_back_and_no_more() {
        let t = LoginThrottle::default();
        let t0 = Instant::now();
        let a = ip("192.0.2.1");
        // 100 officers of one office sign in through one NAT address: never blocked.
        for i in 0..100 {
            let login = format!("officer{i}");
            assert!(t.begin(&login, a, t0).is_ok(), "{i}");
            t.succeeded(&login, a);
        }
        // 21 failures across accounts block the address, for every account (a right
        // password is not even tried).
        for i in 0..21 {
            assert!(t.begin(&format!("user{i}"), a, t0).is_ok(), "{i}");
        }
        assert!(t.begin("someone-else", a, t0).is_err());
        assert!(t.begin("officer1", a, t0).is_err());
        // A cancelled attempt (never hashed) costs nothing.
        let b = ip("192.0.2.2");
        for _ in 0..50 {
            assert!(t.begin("x", b, t0).is_ok());
            t.cancel("x", b);
        }
    }

    #[test]
    fn ipv6_clients_count_per_64() {
        let t = LoginThrottle::default();
        let t0 = Instant::now();
        for i in 0..21u16 {
            let a = IpAddr::from([0x2001, 0xdb8, 0, 7, i, 0, 0, 1]);
            assert!(t.begin(&format!("user{i}"), a, t0).is_ok());
        }
        assert!(t.begin("other", ip("2001:db8:0:7:ffff::1"), t0).is_err());
        assert!(t.begin("other", ip("2001:db8:0:8::1"), t0).is_ok());
    }

    #[test]
    fn old_failures_are_forgotten() {
        let t = LoginThrottle::default();
        let t0 = Instant::now();
        let a = ip("10.0.0.1");
        for i in 0..6 {
            assert!(t.begin("x", a, t0).is_ok(), "{i}");
        }
        let later = t0 + ACCOUNT.forget_after;
        assert!(t.begin("x", a, later).is_ok());
        assert!(t.begin("x", a, later).is_ok(), "count restarted from zero");
    }

    #[test]
    fn memory_is_bounded_and_the_least_recent_key_goes_first() {
        let t = LoginThrottle::new(ACCOUNT, ADDRESS, 100);
        let t0 = Instant::now();
        for _ in 0..6 {
            let _ = t.begin("kept", ip("10.9.9.9"), t0);
        }
        for i in 0..1000u32 {
            let _ = t.begin(
                &format!("u{i}"),
                IpAddr::from([10, 0, (i / 256) as u8, i as u8]),
                t0,
            );
            // "kept" fails again now and then, so it is never the least recent.
            if i % 50 == 0 {
                let _ = t.begin("kept", ip("10.9.9.9"), t0);
            }
        }
        let (a, b) = t.len();
        assert!(a <= 100 && b <= 100, "{a} {b}");
        assert!(
            t.begin("kept", ip("10.8.8.8"), t0).is_err(),
            "still blocked"
        );
    }
}
