//! The server's shared state and configuration.

use std::path::PathBuf;
use std::sync::{Arc, RwLock};

use wangjian_calendar::Calendar;

use crate::auth::session::{SessionLimits, Sessions};
use crate::auth::throttle::LoginThrottle;
use crate::directory::Directory;

/// How the server is set up.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServerConfig {
    /// Mark cookies `Secure` (and name the session cookie `__Host-…`). On whenever the
    /// server is reached over HTTPS, directly or behind a TLS-terminating proxy.
    pub secure_cookies: bool,
    /// Take the client address from `X-Forwarded-For` (only behind a trusted proxy).
    pub trust_forwarded_for: bool,
    /// Largest request body for ordinary routes, in bytes.
    pub body_limit: usize,
    /// Session lifetimes.
    pub sessions: SessionLimits,
    /// The evidence log's private signing key file (created on first use, mode 0600), as
    /// `wangjian log` resolves it: `--log-key`, else `$WANGJIAN_LOG_KEY`, else
    /// `<database file>.log-key`. `None`: routes that sign a tree head answer 503.
    pub log_key: Option<PathBuf>,
    /// The log's name (checkpoint origin and key name) when the key is created.
    pub log_origin: String,
}

impl Default for ServerConfig {
    fn default() -> Self {
        Self {
            secure_cookies: false,
            trust_forwarded_for: false,
            body_limit: 1024 * 1024,
            sessions: SessionLimits::default(),
            log_key: None,
            log_origin: "wangjian.local/evidence".to_string(),
        }
    }
}

/// What every handler can reach. Cheap to clone.
#[derive(Debug, Clone)]
pub struct AppState {
    inner: Arc<Inner>,
}

#[derive(Debug)]
struct Inner {
    config: ServerConfig,
    directory: Directory,
    sessions: Sessions,
    throttle: LoginThrottle,
    portal: crate::portal::limit::PortalLimits,
    scanner: crate::api::listings::Scanner,
    /// The store's calendar (embedded notices + loaded ones) and the notice sequence it
    /// was read at.
    calendar: RwLock<(i64, Arc<Calendar>)>,
}

impl AppState {
    /// State over `directory` with `config`.
    pub fn new(directory: Directory, config: ServerConfig) -> Self {
        Self {
            inner: Arc::new(Inner {
                sessions: Sessions::new(config.sessions),
                throttle: LoginThrottle::default(),
                portal: Default::default(),
                scanner: Default::default(),
                calendar: RwLock::new((0, Arc::new(Calendar::china().clone()))),
                config,
                directory,
            }),
        }
    }

    /// The configuration.
    pub fn config(&self) -> &ServerConfig {
        &self.inner.config
    }

    /// Where accounts live.
    pub fn directory(&self) -> &Directory {
        &self.inner.directory
    }

    /// Browser sessions.
    pub fn sessions(&self) -> &Sessions {
        &self.inner.sessions
    }

    /// The login throttle.
    pub fn throttle(&self) -> &LoginThrottle {
        &self.inner.throttle
    }

    /// The public portal's per-address limits.
    pub fn portal(&self) -> &crate::portal::limit::PortalLimits {
        &self.inner.portal
    }

    /// The scan engine for pushed listings.
    pub fn scanner(&self) -> &crate::api::listings::Scanner {
        &self.inner.scanner
    }

    /// The working-day calendar in use: the store's (embedded notices plus the ones
    /// loaded into the database, by this or another server), re-read when a notice was
    /// added since; the embedded one without a store.
    pub async fn calendar(&self) -> Result<Arc<Calendar>, crate::ApiError> {
        let cached = match self.inner.calendar.read() {
            Ok(c) => c.clone(),
            Err(poisoned) => poisoned.into_inner().clone(),
        };
        let Some(store) = self.directory().store() else {
            return Ok(cached.1);
        };
        let version = store.calendar_version().await?;
        if version == cached.0 {
            return Ok(cached.1);
        }
        let fresh = Arc::new(store.calendar().await?);
        let mut slot = match self.inner.calendar.write() {
            Ok(c) => c,
            Err(poisoned) => poisoned.into_inner(),
        };
        *slot = (version, fresh.clone());
        Ok(fresh)
    }
}
