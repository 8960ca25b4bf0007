//! Password hashing: argon2id in the PHC string format (`$argon2id$v=19$m=…`), so the
//! parameters travel with each hash and can be raised later without breaking old ones.
//!
//! Parameters: 19 MiB memory, 2 passes, 1 lane — the OWASP password storage
//! recommendation for argon2id. Verification compares in constant time (the `argon2`
//! crate's `verify_password`), and [`verify_or_burn`] spends the same work when the user
//! does not exist, so response time tells nothing about which user names exist.
//!
//! Each hash holds 19 MiB and a core for tens of milliseconds, so the server runs at most
//! a few at once ([`HashGate`], one per server, as many as there are cores by default): a
//! burst of sign-ins queues for a moment and then gets a clear "busy, retry" answer
//! instead of taking the memory of the machine.

use std::sync::{Arc, OnceLock};
use std::time::Duration;

use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::{Algorithm, Argon2, Params, Version};

/// Why a password could not be hashed or a stored hash could not be read.
#[derive(Debug, thiserror::Error)]
pub enum PasswordError {
    /// The operating system's random source failed.
    #[error("no randomness available: {0}")]
    Random(String),
    /// Hashing failed (parameters).
    #[error("password hashing failed: {0}")]
    Hash(String),
    /// A password shorter than the minimum.
    #[error("a password needs at least {min} characters")]
    TooShort {
        /// Minimum length in characters.
        min: usize,
    },
}

/// Minimum password length in characters (NIST SP 800-63B: at least 8).
pub const MIN_LENGTH: usize = 8;

/// Maximum accepted password length in bytes: longer input is refused before hashing so
/// that no one can make the server hash megabytes.
pub const MAX_BYTES: usize = 1024;

fn argon2() -> Argon2<'static> {
    // 19 MiB, t=2, p=1 (OWASP). `Params::new` only fails for out-of-range values, which
    // these are not; fall back to the crate's defaults (also argon2id, 19 MiB) anyway.
    let params = Params::new(19 * 1024, 2, 1, None).unwrap_or_default();
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
}

/// Hashes a new password (checks its length first).
pub fn hash_password(password: &str) -> Result<String, PasswordError> {
    if password.chars().count() < MIN_LENGTH {
        return Err(PasswordError::TooShort { min: MIN_LENGTH });
    }
    if password.len() > MAX_BYTES {
        return Err(PasswordError::Hash("password too long".into()));
    }
    let mut salt = [0u8; 16];
    getrandom::fill(&mut salt).map_err(|e| PasswordError::Random(e.to_string()))?;
    let salt = SaltString::encode_b64(&salt).map_err(|e| PasswordError::Hash(e.to_string()))?;
    argon2()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| PasswordError::Hash(e.to_string()))
}

/// True when `password` matches the stored PHC string. A malformed stored hash never
/// matches.
pub fn verify_password(password: &str, stored: &str) -> bool {
    if password.len() > MAX_BYTES {
        return false;
    }
    match PasswordHash::new(stored) {
        // Verify with the parameters stored in the hash, argon2id only.
        Ok(parsed) if parsed.algorithm == argon2::ARGON2ID_IDENT => argon2()
            .verify_password(password.as_bytes(), &parsed)
            .is_ok(),
        _ => false,
    }
}

/// Verifies against `stored` when there is one; otherwise verifies against a fixed dummy
/// hash and returns false, so that a missing user costs the same time as a wrong password.
pub fn verify_or_burn(password: &str, stored: Option<&str>) -> bool {
    match stored {
        Some(h) => verify_password(password, h),
        None => {
            let _ = verify_password(password, dummy_hash());
            false
        }
    }
}

fn dummy_hash() -> &'static str {
    static DUMMY: OnceLock<String> = OnceLock::new();
    DUMMY.get_or_init(|| {
        hash_password("wangjian dummy password never used").unwrap_or_else(|_| {
            // A valid argon2id string with the same parameters (computed offline).
            "$argon2id$v=19$m=19456,t=2,p=1$c29tZXNhbHRzb21lc2FsdA$Zr4T8Ng1ZyjgZWeGkJ1pDw7sRDdH3m2c7VFWk8vM1bE".to_string()
        })
    })
}

/// The hashing capacity was taken for longer than a caller waits.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("every password hasher is busy; retry in a moment")]
pub struct Busy;

/// Bounds the argon2 work running at once, server-wide.
#[derive(Debug)]
pub struct HashGate {
    permits: Arc<tokio::sync::Semaphore>,
    wait: Duration,
}

impl HashGate {
    /// At most `workers` hashes at once (at least one); a caller waits at most `wait` for
    /// its turn.
    pub fn new(workers: usize, wait: Duration) -> Self {
        Self {
            permits: Arc::new(tokio::sync::Semaphore::new(workers.max(1))),
            wait,
        }
    }

    /// As many workers as the machine has cores.
    pub fn per_core(wait: Duration) -> Self {
        Self::new(
            std::thread::available_parallelism().map_or(1, |n| n.get()),
            wait,
        )
    }

    /// Runs `work` on a blocking thread once a worker is free, or answers [`Busy`] after
    /// waiting the gate's time. The worker stays taken until `work` ends, even if the
    /// caller has gone away meanwhile.
    pub async fn run<T: Send + 'static>(
        &self,
        work: impl FnOnce() -> T + Send + 'static,
    ) -> Result<T, Busy> {
        let permit = tokio::time::timeout(self.wait, self.permits.clone().acquire_owned())
            .await
            .map_err(|_| Busy)?
            .map_err(|_| Busy)?;
        tokio::task::spawn_blocking(move || {
            let out = work();
            drop(permit);
            out
        })
        .await
        .map_err(|_| Busy)
    }

    /// Hashes free now (tests, metrics).
    pub fn available(&self) -> usize {
        self.permits.available_permits()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hash_then_verify() {
        let h = hash_password("correct horse battery").unwrap();
        assert!(h.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"), "{h}");
        assert!(verify_password("correct horse battery", &h));
        assert!(!verify_password("correct horse batterY", &h));
        // Salted: the same password hashes differently.
        assert_ne!(h, hash_password("correct horse battery").unwrap());
    }

    #[test]
    fn refuses_short_and_garbage() {
        assert!(matches!(
            hash_password("短密码"),
            Err(PasswordError::TooShort { .. })
        ));
        assert!(!verify_password("x", "not a phc string"));
        assert!(!verify_password("x", ""));
        // bcrypt or other algorithms are not accepted.
        assert!(!verify_password("x", "$2b$12$abcdefghijklmnopqrstuv"));
        assert!(!verify_or_burn("whatever1", None));
    }
}

#[cfg(test)]
mod gate_tests {
    use super::*;

    #[tokio::test]
    async fn a_full_gate_answers_busy_and_frees_when_work_ends() {
        let gate = HashGate::new(1, Duration::from_millis(20));
        let (tx, rx) = std::sync::mpsc::channel::<()>();
        // Take the only worker until told to stop.
        let held = {
            let permits = gate.permits.clone();
            let p = permits.acquire_owned().await.unwrap();
            tokio::task::spawn_blocking(move || {
                let _ = rx.recv();
                drop(p);
            })
        };
        assert_eq!(gate.run(|| 1).await, Err(Busy));
        tx.send(()).unwrap();
        held.await.unwrap();
        assert_eq!(gate.run(|| 2).await, Ok(2));
        assert_eq!(gate.available(), 1);
    }
}
