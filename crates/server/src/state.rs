//! The server's shared state and configuration.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use wangjian_calendar::Calendar;

use crate::auth::password::HashGate;
use crate::auth::presession::PresessionKey;
use crate::auth::session::{SessionLimits, Sessions};
use crate::auth::throttle::LoginThrottle;
use crate::directory::Directory;
use crate::web::client::Cidr;

/// How the server is set up.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServerConfig {
    /// Mark cookies `Secure` (and name the session cookie `__Host-…`). On whenever the
    /// server is reached over HTTPS, directly or behind a TLS-terminating proxy.
    pub secure_cookies: bool,
    /// The reverse proxies in front of the server (`--trusted-proxy`): when the TCP peer is
    /// one of them, the client is the right-most `X-Forwarded-For` address that is not
    /// (see [`crate::web::client`]). Empty: the header is ignored.
    pub trusted_proxies: Vec<Cidr>,
    /// Password hashes (argon2id, 19 MiB each) run at once; 0: one per core.
    pub password_hashers: usize,
    /// How long a sign-in waits for a free hasher before it is told to retry (503).
    pub password_wait: Duration,
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
    /// How often `serve` signs a tree head when the log has grown (the public checkpoint
    /// is at most this old).
    pub checkpoint_every: Duration,
}

impl Default for ServerConfig {
    fn default() -> Self {
        Self {
            secure_cookies: false,
            trusted_proxies: Vec::new(),
            password_hashers: 0,
            password_wait: Duration::from_secs(5),
            body_limit: 1024 * 1024,
            sessions: SessionLimits::default(),
            log_key: None,
            log_origin: "wangjian.local/evidence".to_string(),
            checkpoint_every: Duration::from_secs(60),
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
    hashes: HashGate,
    presession: PresessionKey,
    portal: crate::portal::limit::PortalLimits,
    /// The use cases, over the store (none without a database).
    app: Option<wangjian_app::App>,
}

impl AppState {
    /// State over `directory` with `config`, scanning pushed listings with the default
    /// rule set (the embedded pack and the registry's marks).
    pub fn new(directory: Directory, config: ServerConfig) -> Self {
        Self::with_rules(directory, config, wangjian_app::RuleSource::default())
    }

    /// State over `directory` with `config`, scanning with rules from `rules`.
    pub fn with_rules(
        directory: Directory,
        config: ServerConfig,
        rules: wangjian_app::RuleSource,
    ) -> Self {
        let app = directory.store().and_then(|s| {
            wangjian_app::App::new(s.clone(), rules)
                .map_err(|e| tracing::error!(error = %e, "the use cases cannot start"))
                .ok()
        });
        let hashes = match config.password_hashers {
            0 => HashGate::per_core(config.password_wait),
            n => HashGate::new(n, config.password_wait),
        };
        Self {
            inner: Arc::new(Inner {
                sessions: Sessions::new(config.sessions),
                throttle: LoginThrottle::default(),
                hashes,
                presession: PresessionKey::default(),
                portal: Default::default(),
                app,
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

    /// The server-wide bound on password hashing.
    pub fn password_hashes(&self) -> &HashGate {
        &self.inner.hashes
    }

    /// The key of the pre-session CSRF tokens.
    pub fn presession_key(&self) -> &PresessionKey {
        &self.inner.presession
    }

    /// The public portal's per-address limits.
    pub fn portal(&self) -> &crate::portal::limit::PortalLimits {
        &self.inner.portal
    }

    /// The use cases, or `not_available` when no database is attached.
    pub fn app(&self) -> Result<&wangjian_app::App, crate::error::ApiError> {
        self.inner.app.as_ref().ok_or_else(|| {
            crate::error::ApiError::with_message(
                crate::error::ErrorCode::NotAvailable,
                "no database is attached to this server",
            )
        })
    }

    /// The store, or `not_available` when no database is attached.
    pub fn store(&self) -> Result<&wangjian_store::Store, crate::error::ApiError> {
        Ok(self.app()?.store())
    }

    /// The working-day calendar in use: the store's (embedded notices plus the ones
    /// loaded into the database, by this or another process; `App::calendar`), the
    /// embedded one without a store.
    pub async fn calendar(&self) -> Result<Arc<Calendar>, crate::ApiError> {
        match &self.inner.app {
            Some(app) => Ok(app.calendar().await?),
            None => Ok(Arc::new(Calendar::china().clone())),
        }
    }
}
