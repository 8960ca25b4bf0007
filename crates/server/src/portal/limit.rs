//! The public portal's per-address limits (no account to throttle): a sliding window of
//! events (at most `max` per `window`) and a daily byte budget, both checked **before**
//! the request's body is read, so a flood costs the server the headers only.
//!
//! Addresses are counted by [`crate::web::client::limit_key`] (an IPv6 client by its /64).
//! Each table is an LRU map bounded at [`MAX_ADDRESSES`]: a full table forgets the address
//! seen least recently, in O(1), so a flood of fresh addresses can neither grow memory nor
//! make each new address cost a scan of the table.

use std::collections::VecDeque;
use std::net::IpAddr;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use hashlink::LruCache;

use crate::web::client::limit_key;

/// Addresses remembered at most, per limit.
pub const MAX_ADDRESSES: usize = 50_000;

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    // A poisoned lock only means another request panicked mid-update of counters; the
    // counters are still usable.
    m.lock().unwrap_or_else(|p| p.into_inner())
}

/// Whole seconds to wait, at least 1.
fn seconds(d: Duration) -> u64 {
    (d.as_secs() + u64::from(d.subsec_nanos() > 0)).max(1)
}

/// At most `max` events per `window` per address.
#[derive(Debug)]
pub struct RateLimit {
    max: usize,
    window: Duration,
    seen: Mutex<LruCache<IpAddr, VecDeque<Instant>>>,
}

impl RateLimit {
    /// At most `max` events per `window` per address, remembering [`MAX_ADDRESSES`].
    pub fn new(max: usize, window: Duration) -> Self {
        Self::with_capacity(max, window, MAX_ADDRESSES)
    }

    /// The same, remembering at most `capacity` addresses.
    pub fn with_capacity(max: usize, window: Duration, capacity: usize) -> Self {
        Self {
            max,
            window,
            seen: Mutex::new(LruCache::new(capacity.max(1))),
        }
    }

    /// Counts an event from `ip` at `now`; `Err(seconds to wait)` when over the limit
    /// (the refused event is not counted).
    pub fn check(&self, ip: IpAddr, now: Instant) -> Result<(), u64> {
        let key = limit_key(ip);
        let mut seen = lock(&self.seen);
        // `get_mut` moves the address to the back; a new one pushes out the front.
        if seen.get_mut(&key).is_none() {
            seen.insert(key, VecDeque::with_capacity(self.max.min(64)));
        }
        let Some(q) = seen.get_mut(&key) else {
            return Ok(());
        };
        while q
            .front()
            .is_some_and(|t| now.saturating_duration_since(*t) >= self.window)
        {
            q.pop_front();
        }
        if q.len() >= self.max {
            let wait = q
                .front()
                .map(|t| {
                    self.window
                        .saturating_sub(now.saturating_duration_since(*t))
                })
                .unwrap_or(self.window);
            return Err(seconds(wait));
        }
        q.push_back(now);
        Ok(())
    }

    /// Addresses held.
    pub fn len(&self) -> usize {
        lock(&self.seen).len()
    }

    /// True when none.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// At most `budget` bytes per `period` per address, counted in fixed periods starting at
/// an address's first request.
#[derive(Debug)]
pub struct ByteBudget {
    budget: u64,
    period: Duration,
    used: Mutex<LruCache<IpAddr, (Instant, u64)>>,
}

impl ByteBudget {
    /// `budget` bytes per `period` per address, remembering [`MAX_ADDRESSES`].
    pub fn new(budget: u64, period: Duration) -> Self {
        Self {
            budget,
            period,
            used: Mutex::new(LruCache::new(MAX_ADDRESSES)),
        }
    }

    /// Takes `bytes` from `ip`'s budget at `now`, or answers `Err(seconds to wait)`
    /// (taking nothing) when they do not fit in what is left.
    pub fn take(&self, ip: IpAddr, bytes: u64, now: Instant) -> Result<(), u64> {
        let key = limit_key(ip);
        let mut used = lock(&self.used);
        if used.get_mut(&key).is_none() {
            used.insert(key, (now, 0));
        }
        let Some((start, n)) = used.get_mut(&key) else {
            return Ok(());
        };
        if now.saturating_duration_since(*start) >= self.period {
            *start = now;
            *n = 0;
        }
        match n.checked_add(bytes) {
            Some(total) if total <= self.budget => {
                *n = total;
                Ok(())
            }
            _ => Err(seconds(
                self.period
                    .saturating_sub(now.saturating_duration_since(*start)),
            )),
        }
    }
}

/// The portal's limits.
#[derive(Debug)]
pub struct PortalLimits {
    /// Submissions: 5 per 10 minutes per address, attempts that fail validation included.
    pub submit: RateLimit,
    /// Bytes of submissions: 64 MiB per address per day (eight full submissions).
    pub submit_bytes: ByteBudget,
    /// Status look-ups: 30 per 10 minutes per address (a tracking number has 80 bits,
    /// this only keeps scrapers slow).
    pub track: RateLimit,
}

/// Bytes a client may send to the portal per day.
pub const BYTES_PER_DAY: u64 = 64 * 1024 * 1024;

impl Default for PortalLimits {
    fn default() -> Self {
        Self {
            submit: RateLimit::new(5, Duration::from_secs(600)),
            submit_bytes: ByteBudget::new(BYTES_PER_DAY, Duration::from_secs(24 * 3600)),
            track: RateLimit::new(30, Duration::from_secs(600)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    #[test]
    fn counts_per_address_and_forgets_after_the_window() {
        let l = RateLimit::new(2, Duration::from_secs(60));
        let a = ip("10.0.0.1");
        let b = ip("10.0.0.2");
        let t0 = Instant::now();
        assert!(l.check(a, t0).is_ok());
        assert!(l.check(a, t0).is_ok());
        let wait = l.check(a, t0 + Duration::from_secs(10)).unwrap_err();
        assert_eq!(wait, 50);
        assert!(l.check(b, t0).is_ok(), "another address has its own count");
        assert!(l.check(a, t0 + Duration::from_secs(61)).is_ok());
    }

    #[test]
    fn ipv6_counts_per_64() {
        let l = RateLimit::new(2, Duration::from_secs(60));
        let t0 = Instant::now();
        assert!(l.check(ip("2001:db8:5:6::1"), t0).is_ok());
        assert!(l.check(ip("2001:db8:5:6:ffff::9"), t0).is_ok());
        assert!(l.check(ip("2001:db8:5:6:1234::77"), t0).is_err());
        assert!(l.check(ip("2001:db8:5:7::1"), t0).is_ok());
    }

    #[test]
    fn a_full_table_forgets_the_least_recent_address() {
        let l = RateLimit::with_capacity(1, Duration::from_secs(60), 3);
        let t0 = Instant::now();
        let busy = ip("10.0.0.1");
        assert!(l.check(busy, t0).is_ok());
        for i in 2..100u8 {
            assert!(l.check(IpAddr::from([10, 0, 1, i]), t0).is_ok());
            // The busy address keeps trying: it stays remembered, and refused.
            assert!(l.check(busy, t0).is_err(), "{i}");
        }
        assert_eq!(l.len(), 3);
    }

    #[test]
    fn the_byte_budget_is_per_address_and_per_day() {
        let b = ByteBudget::new(100, Duration::from_secs(86_400));
        let t0 = Instant::now();
        let a = ip("10.0.0.1");
        assert!(b.take(a, 60, t0).is_ok());
        assert!(b.take(a, 40, t0).is_ok());
        assert_eq!(b.take(a, 1, t0 + Duration::from_secs(3600)), Err(82_800));
        assert!(b.take(ip("10.0.0.2"), 100, t0).is_ok());
        assert!(b.take(a, u64::MAX, t0).is_err(), "no overflow");
        assert!(b.take(a, 100, t0 + Duration::from_secs(86_400)).is_ok());
    }
}
