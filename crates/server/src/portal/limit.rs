//! A sliding-window limit per client address for the public portal (no account to
//! throttle): at most `max` events per `window`, and a bounded table so a flood of
//! addresses cannot grow memory without end (the oldest address is forgotten first).

use std::collections::{HashMap, VecDeque};
use std::net::IpAddr;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// Addresses remembered at most.
const MAX_ADDRESSES: usize = 50_000;

/// One limit.
#[derive(Debug)]
pub struct RateLimit {
    max: usize,
    window: Duration,
    seen: Mutex<HashMap<IpAddr, VecDeque<Instant>>>,
}

impl RateLimit {
    /// At most `max` events per `window` per address.
    pub fn new(max: usize, window: Duration) -> Self {
        Self {
            max,
            window,
            seen: Mutex::new(HashMap::new()),
        }
    }

    /// Counts an event from `ip` at `now`; `Err(seconds to wait)` when over the limit
    /// (the refused event is not counted).
    pub fn check(&self, ip: IpAddr, now: Instant) -> Result<(), u64> {
        let mut seen = self.seen.lock().unwrap_or_else(|p| p.into_inner());
        if seen.len() >= MAX_ADDRESSES && !seen.contains_key(&ip) {
            let oldest = seen
                .iter()
                .min_by_key(|(_, q)| q.back().copied())
                .map(|(k, _)| *k);
            if let Some(k) = oldest {
                seen.remove(&k);
            }
        }
        let q = seen.entry(ip).or_default();
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
            return Err(wait.as_secs().max(1));
        }
        q.push_back(now);
        Ok(())
    }
}

/// The portal's limits.
#[derive(Debug)]
pub struct PortalLimits {
    /// Submissions: 5 per 10 minutes per address.
    pub submit: RateLimit,
    /// Status look-ups: 30 per 10 minutes per address (a tracking number has 80 bits,
    /// this only keeps scrapers slow).
    pub track: RateLimit,
}

impl Default for PortalLimits {
    fn default() -> Self {
        Self {
            submit: RateLimit::new(5, Duration::from_secs(600)),
            track: RateLimit::new(30, Duration::from_secs(600)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_per_address_and_forgets_after_the_window() {
        let l = RateLimit::new(2, Duration::from_secs(60));
        let a: IpAddr = "10.0.0.1".parse().unwrap();
        let b: IpAddr = "10.0.0.2".parse().unwrap();
        let t0 = Instant::now();
        assert!(l.check(a, t0).is_ok());
        assert!(l.check(a, t0).is_ok());
        let wait = l.check(a, t0 + Duration::from_secs(10)).unwrap_err();
        assert_eq!(wait, 50);
        assert!(l.check(b, t0).is_ok(), "another address has its own count");
        assert!(l.check(a, t0 + Duration::from_secs(61)).is_ok());
    }
}
