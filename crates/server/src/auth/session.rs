//! Browser sessions: a random 256-bit id in an HttpOnly, SameSite=Strict cookie; the
//! server keeps only its SHA-256, with the user, the organization they act for, the CSRF
//! token of the session, an absolute expiry and an idle expiry.
//!
//! A new id is issued at every sign-in (never reusing an id the browser brought: no
//! session fixation), and sign-out deletes it server-side. Sessions live in memory for
//! now: a restart signs everyone out (the store's `sessions` table will keep them).

use std::collections::HashMap;
use std::sync::Mutex;

use chrono::{DateTime, Duration, Utc};
use wangjian_domain::{OrgId, UserId};

use super::secret::{digest, new_secret, NoRandomness};

/// How long sessions last.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SessionLimits {
    /// From sign-in, whatever happens.
    pub absolute: Duration,
    /// Without any request.
    pub idle: Duration,
    /// Most sessions held at once (oldest dropped beyond).
    pub capacity: usize,
}

impl Default for SessionLimits {
    fn default() -> Self {
        Self {
            absolute: Duration::hours(12),
            idle: Duration::hours(2),
            capacity: 100_000,
        }
    }
}

/// What a session knows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SessionData {
    /// Who signed in.
    pub user: UserId,
    /// For which organization.
    pub org: OrgId,
    /// The synchronizer token every form of this session carries.
    pub csrf: String,
    /// When signed in.
    pub created: DateTime<Utc>,
    /// Last request.
    pub last_seen: DateTime<Utc>,
}

/// The session table (in memory), keyed by the SHA-256 of the id.
#[derive(Debug, Default)]
pub struct Sessions {
    limits: SessionLimits,
    map: Mutex<HashMap<String, SessionData>>,
}

impl Sessions {
    /// An empty table with these limits.
    pub fn new(limits: SessionLimits) -> Self {
        Self {
            limits,
            map: Mutex::new(HashMap::new()),
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<String, SessionData>> {
        self.map.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Starts a session; returns the id for the cookie (shown to the browser only).
    pub fn create(
        &self,
        user: UserId,
        org: OrgId,
        now: DateTime<Utc>,
    ) -> Result<(String, SessionData), NoRandomness> {
        let id = new_secret()?;
        let data = SessionData {
            user,
            org,
            csrf: new_secret()?,
            created: now,
            last_seen: now,
        };
        let mut map = self.lock();
        if map.len() >= self.limits.capacity {
            let limits = self.limits;
            map.retain(|_, s| live(&limits, s, now));
            if map.len() >= self.limits.capacity {
                if let Some(k) = map
                    .iter()
                    .min_by_key(|(_, s)| s.last_seen)
                    .map(|(k, _)| k.clone())
                {
                    map.remove(&k);
                }
            }
        }
        map.insert(digest(&id), data.clone());
        Ok((id, data))
    }

    /// The live session with this id, touched; expired ones are removed.
    pub fn get(&self, id: &str, now: DateTime<Utc>) -> Option<SessionData> {
        let key = digest(id);
        let mut map = self.lock();
        let s = map.get_mut(&key)?;
        if !live(&self.limits, s, now) {
            map.remove(&key);
            return None;
        }
        s.last_seen = now;
        Some(s.clone())
    }

    /// Ends a session (sign-out).
    pub fn remove(&self, id: &str) {
        self.lock().remove(&digest(id));
    }

    /// Ends every session of a user (password or permission change).
    pub fn remove_user(&self, user: UserId) {
        self.lock().retain(|_, s| s.user != user);
    }

    /// Sessions held.
    pub fn len(&self) -> usize {
        self.lock().len()
    }

    /// True when none.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

fn live(l: &SessionLimits, s: &SessionData, now: DateTime<Utc>) -> bool {
    now < s.created + l.absolute && now < s.last_seen + l.idle
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t0() -> DateTime<Utc> {
        DateTime::parse_from_rfc3339("2026-03-02T09:00:00+08:00")
            .unwrap()
            .with_timezone(&Utc)
    }

    #[test]
    fn create_get_remove() {
        let s = Sessions::default();
        let (id, d) = s
            .create(UserId::from_u128(1), OrgId::from_u128(2), t0())
            .unwrap();
        assert_eq!(id.len(), 43);
        assert_ne!(d.csrf, id);
        assert_eq!(s.get(&id, t0()).unwrap().user, UserId::from_u128(1));
        assert!(s.get("forged", t0()).is_none());
        s.remove(&id);
        assert!(s.get(&id, t0()).is_none());
    }

    #[test]
    fn idle_and_absolute_expiry() {
        let s = Sessions::default();
        let (id, _) = s
            .create(UserId::from_u128(1), OrgId::from_u128(2), t0())
            .unwrap();
        // Touched every hour, it lives until the absolute limit.
        for h in 1..12 {
            assert!(s.get(&id, t0() + Duration::hours(h)).is_some(), "hour {h}");
        }
        assert!(s.get(&id, t0() + Duration::hours(12)).is_none());
        assert!(s.is_empty());
        let (id, _) = s
            .create(UserId::from_u128(1), OrgId::from_u128(2), t0())
            .unwrap();
        assert!(s.get(&id, t0() + Duration::minutes(121)).is_none());
    }

    #[test]
    fn remove_user_and_capacity() {
        let s = Sessions::new(SessionLimits {
            capacity: 3,
            ..SessionLimits::default()
        });
        let mut ids = vec![];
        for i in 0..5 {
            ids.push(
                // A second apart: the least recently seen is evicted, and with equal
                // times which one goes would depend on the hash map's order.
                s.create(
                    UserId::from_u128(i % 2),
                    OrgId::from_u128(9),
                    t0() + Duration::seconds(i as i64),
                )
                .unwrap()
                .0,
            );
        }
        assert_eq!(s.len(), 3);
        let later = t0() + Duration::seconds(10);
        assert!(s.get(&ids[0], later).is_none() && s.get(&ids[1], later).is_none());
        assert!(s.get(&ids[4], later).is_some());
        s.remove_user(UserId::from_u128(0));
        assert!(s.len() <= 1);
    }
}
