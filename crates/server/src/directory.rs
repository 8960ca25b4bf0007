//! Who the users are: the seam between the server and where accounts live.
//!
//! [`Directory`] is an enum over backends, so handlers call plain async methods and no
//! trait object is needed. `Store` reads users, memberships, organizations and API tokens
//! from `wangjian-store`; `Memory` holds accounts given at start (unit tests of the HTTP
//! layer, and a server started without a database).

use std::net::IpAddr;
use std::sync::Mutex;

use chrono::{DateTime, Utc};
use serde::Serialize;
use wangjian_domain::org::{OrgKind, RegionCode, Role};
use wangjian_domain::{OrgId, UserId};

use crate::auth::token::TokenRecord;

/// What sign-in needs to know about a login name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LoginRecord {
    /// The user.
    pub user: UserId,
    /// Display name.
    pub name: String,
    /// argon2id PHC string; `None` for an account that cannot sign in with a password.
    pub password_hash: Option<String>,
}

/// A user's roles in one organization, with what the policy needs of the organization.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OrgMembership {
    /// The organization.
    pub org: OrgId,
    /// Its name.
    pub org_name: String,
    /// Its kind.
    pub kind: OrgKind,
    /// Its region.
    pub region: RegionCode,
    /// The user's roles there.
    pub roles: Vec<Role>,
}

/// What happened, for the audit trail of accounts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum SecurityAction {
    /// Signed in.
    SignIn,
    /// A failed sign-in (wrong name or password, or throttled).
    SignInFailed,
    /// Signed out.
    SignOut,
    /// An API token was made.
    TokenCreated,
    /// An API token was revoked.
    TokenRevoked,
    /// A membership (role) was granted or removed.
    PermissionChanged,
}

impl SecurityAction {
    /// The `action` column value (`account.sign_in`, …).
    pub fn as_str(self) -> &'static str {
        match self {
            Self::SignIn => "account.sign_in",
            Self::SignInFailed => "account.sign_in_failed",
            Self::SignOut => "account.sign_out",
            Self::TokenCreated => "account.token_created",
            Self::TokenRevoked => "account.token_revoked",
            Self::PermissionChanged => "account.permission_changed",
        }
    }
}

/// One event of the accounts' audit trail.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SecurityEvent {
    /// When.
    pub at: DateTime<Utc>,
    /// What.
    pub action: SecurityAction,
    /// The user, when known (not for an unknown login name).
    pub user: Option<UserId>,
    /// The organization acted for, when known.
    pub org: Option<OrgId>,
    /// The login name as typed (trimmed, at most 64 characters).
    pub login: String,
    /// The client address.
    pub ip: Option<IpAddr>,
    /// The request id.
    pub request_id: String,
}

/// A backend failed.
#[derive(Debug, thiserror::Error)]
pub enum DirectoryError {
    /// The backend could not answer.
    #[error("account backend unavailable: {0}")]
    Unavailable(String),
    /// The store failed.
    #[error(transparent)]
    Store(#[from] wangjian_store::StoreError),
}

/// One account held in memory.
#[derive(Debug, Clone)]
pub struct MemoryAccount {
    /// Login name (matched case-insensitively).
    pub login: String,
    /// The user and their hash.
    pub record: LoginRecord,
    /// Memberships.
    pub memberships: Vec<OrgMembership>,
}

/// Accounts held in memory.
#[derive(Debug, Default)]
pub struct MemoryDirectory {
    accounts: Vec<MemoryAccount>,
    tokens: Mutex<Vec<TokenRecord>>,
    events: Mutex<Vec<SecurityEvent>>,
}

impl MemoryDirectory {
    /// A directory holding these accounts.
    pub fn new(accounts: Vec<MemoryAccount>) -> Self {
        Self {
            accounts,
            ..Self::default()
        }
    }

    /// Adds a token record.
    pub fn add_token(&self, t: TokenRecord) {
        self.tokens
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .push(t);
    }

    /// The events recorded so far.
    pub fn events(&self) -> Vec<SecurityEvent> {
        self.events
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .clone()
    }
}

/// A stored token as the server reads it. A scope this build does not know grants
/// nothing (deny by default).
fn token_record(t: wangjian_store::ApiToken) -> TokenRecord {
    TokenRecord {
        id: t.id,
        user: t.user,
        org: t.org,
        name: t.label,
        digest: t.token_hash,
        scopes: t
            .scopes
            .iter()
            .filter_map(|s| crate::auth::token::TokenScope::parse(s))
            .collect(),
        created_at: t.created_at,
        expires_at: t.expires_at,
        revoked_at: t.revoked_at,
    }
}

/// Where accounts live.
#[derive(Debug)]
pub enum Directory {
    /// In memory.
    Memory(MemoryDirectory),
    /// In the store (the database).
    Store(wangjian_store::Store),
}

impl Directory {
    /// The store, when accounts live in one (the case and lead routes need it).
    pub fn store(&self) -> Option<&wangjian_store::Store> {
        match self {
            Self::Store(s) => Some(s),
            Self::Memory(_) => None,
        }
    }

    /// The account with this login name (exact, after trimming).
    pub async fn find_login(&self, login: &str) -> Result<Option<LoginRecord>, DirectoryError> {
        match self {
            Self::Memory(m) => {
                let login = login.trim();
                Ok(m.accounts
                    .iter()
                    .find(|a| a.login == login)
                    .map(|a| a.record.clone()))
            }
            Self::Store(s) => {
                Ok(s.user_by_login(login.trim())
                    .await?
                    .map(|(u, hash)| LoginRecord {
                        user: u.id,
                        name: u.name,
                        password_hash: hash,
                    }))
            }
        }
    }

    /// The user's display name and memberships, or `None` for an unknown user.
    pub async fn member_of(
        &self,
        user: UserId,
    ) -> Result<Option<(String, Vec<OrgMembership>)>, DirectoryError> {
        match self {
            Self::Memory(m) => Ok(m
                .accounts
                .iter()
                .find(|a| a.record.user == user)
                .map(|a| (a.record.name.clone(), a.memberships.clone()))),
            Self::Store(s) => {
                let Some(user) = s.user(user).await? else {
                    return Ok(None);
                };
                let mut out: Vec<OrgMembership> = vec![];
                // Ordered by organization, then role.
                for m in s.memberships(user.id).await? {
                    if let Some(last) = out.last_mut().filter(|l| l.org == m.org) {
                        last.roles.push(m.role);
                        continue;
                    }
                    let Some(org) = s.organization(m.org).await? else {
                        continue;
                    };
                    out.push(OrgMembership {
                        org: org.id,
                        org_name: org.name,
                        kind: org.kind,
                        region: org.region,
                        roles: vec![m.role],
                    });
                }
                Ok(Some((user.name, out)))
            }
        }
    }

    /// The token with this digest, if any (usable or not: the caller checks).
    pub async fn token(&self, digest: &str) -> Result<Option<TokenRecord>, DirectoryError> {
        match self {
            Self::Memory(m) => Ok(m
                .tokens
                .lock()
                .unwrap_or_else(|p| p.into_inner())
                .iter()
                .find(|t| crate::auth::secret::same(&t.digest, digest))
                .cloned()),
            Self::Store(s) => Ok(s.api_token_by_hash(digest).await?.map(token_record)),
        }
    }

    /// Stores a new API token record.
    pub async fn put_token(&self, t: &TokenRecord) -> Result<(), DirectoryError> {
        match self {
            Self::Memory(m) => {
                m.add_token(t.clone());
                Ok(())
            }
            Self::Store(s) => Ok(s
                .put_api_token(&wangjian_store::ApiToken {
                    id: t.id,
                    user: t.user,
                    org: t.org,
                    token_hash: t.digest.clone(),
                    label: t.name.clone(),
                    created_at: t.created_at,
                    expires_at: t.expires_at,
                    revoked_at: t.revoked_at,
                    scopes: t.scopes.iter().map(|s| s.as_str().to_string()).collect(),
                })
                .await?),
        }
    }

    /// The tokens `user` made for `org`, newest first (revoked and expired ones too).
    pub async fn tokens_of(
        &self,
        user: UserId,
        org: OrgId,
    ) -> Result<Vec<TokenRecord>, DirectoryError> {
        match self {
            Self::Memory(m) => {
                let mut v: Vec<TokenRecord> = m
                    .tokens
                    .lock()
                    .unwrap_or_else(|p| p.into_inner())
                    .iter()
                    .filter(|t| t.user == user && t.org == org)
                    .cloned()
                    .collect();
                v.sort_by_key(|t| std::cmp::Reverse(t.created_at));
                Ok(v)
            }
            Self::Store(s) => Ok(s
                .api_tokens_of(user, org)
                .await?
                .into_iter()
                .map(token_record)
                .collect()),
        }
    }

    /// Revokes a token; true when it was live.
    pub async fn revoke_token(
        &self,
        id: uuid::Uuid,
        at: DateTime<Utc>,
    ) -> Result<bool, DirectoryError> {
        match self {
            Self::Memory(m) => {
                let mut tokens = m.tokens.lock().unwrap_or_else(|p| p.into_inner());
                Ok(tokens
                    .iter_mut()
                    .find(|t| t.id == id && t.revoked_at.is_none())
                    .map(|t| t.revoked_at = Some(at))
                    .is_some())
            }
            Self::Store(s) => Ok(s.revoke_api_token(id, at).await?),
        }
    }

    /// Appends an event to the accounts' audit trail.
    pub async fn record(&self, event: SecurityEvent) -> Result<(), DirectoryError> {
        tracing::info!(
            action = event.action.as_str(),
            user = ?event.user,
            login = %event.login,
            ip = ?event.ip,
            request_id = %event.request_id,
            "account event"
        );
        match self {
            Self::Memory(m) => {
                m.events
                    .lock()
                    .unwrap_or_else(|p| p.into_inner())
                    .push(event);
                Ok(())
            }
            Self::Store(s) => {
                s.record_account_event(&wangjian_store::AccountEvent {
                    id: uuid::Uuid::now_v7(),
                    at: event.at,
                    action: event.action.as_str().to_string(),
                    user: event.user,
                    org: event.org,
                    login: event.login,
                    ip: event.ip.map(|i| i.to_string()),
                    request_id: event.request_id,
                    detail: serde_json::Value::Object(Default::default()),
                })
                .await?;
                Ok(())
            }
        }
    }
}
