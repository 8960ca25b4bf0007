//! API bearer tokens for platforms and scripts: `wjt_` + 256 random bits (base64url).
//! The token is shown once, when made; the store keeps its SHA-256, its scopes, an
//! optional expiry and a revocation time.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;
use wangjian_domain::{OrgId, UserId};

use super::secret::{digest, new_secret, NoRandomness};

/// The prefix that makes a leaked token easy to recognize (secret scanners, logs).
pub const PREFIX: &str = "wjt_";

/// What a token may be used for. A route names the scope it needs; the policy still
/// decides on the object.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Hash,
    PartialOrd,
    Ord,
    Serialize,
    Deserialize,
    utoipa::ToSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum TokenScope {
    /// Read what the user may read.
    Read,
    /// Change what the user may change (transitions, answers to notices).
    Write,
    /// Push listings (platforms).
    Ingest,
}

impl TokenScope {
    /// The scope's name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Read => "read",
            Self::Write => "write",
            Self::Ingest => "ingest",
        }
    }

    /// Parses `read`, `write` or `ingest`.
    pub fn parse(s: &str) -> Option<Self> {
        match s.trim() {
            "read" => Some(Self::Read),
            "write" => Some(Self::Write),
            "ingest" => Some(Self::Ingest),
            _ => None,
        }
    }
}

/// A token as the store keeps it (table `api_tokens`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TokenRecord {
    /// Stable id (to list and revoke).
    pub id: Uuid,
    /// The user it acts as.
    pub user: UserId,
    /// The organization it acts for.
    pub org: OrgId,
    /// A name chosen by its owner ("nightly listing push").
    pub name: String,
    /// SHA-256 of the token, hex.
    pub digest: String,
    /// Scopes.
    pub scopes: Vec<TokenScope>,
    /// Made at.
    pub created_at: DateTime<Utc>,
    /// Expires at, if ever.
    pub expires_at: Option<DateTime<Utc>>,
    /// Revoked at.
    pub revoked_at: Option<DateTime<Utc>>,
}

impl TokenRecord {
    /// Usable now: not revoked, not expired.
    pub fn usable(&self, now: DateTime<Utc>) -> bool {
        self.revoked_at.is_none() && self.expires_at.is_none_or(|e| now < e)
    }

    /// Holds `scope`.
    pub fn allows(&self, scope: TokenScope) -> bool {
        self.scopes.contains(&scope)
    }
}

/// A freshly made token: the secret (show it once) and the record to store.
#[derive(Debug, Clone)]
pub struct NewToken {
    /// `wjt_…`: give it to the user now; it cannot be shown again.
    pub secret: String,
    /// What to store.
    pub record: TokenRecord,
}

/// Makes a token.
pub fn mint(
    user: UserId,
    org: OrgId,
    name: &str,
    scopes: &[TokenScope],
    expires_at: Option<DateTime<Utc>>,
    now: DateTime<Utc>,
) -> Result<NewToken, NoRandomness> {
    let secret = format!("{PREFIX}{}", new_secret()?);
    let mut scopes = scopes.to_vec();
    scopes.sort();
    scopes.dedup();
    Ok(NewToken {
        record: TokenRecord {
            id: Uuid::now_v7(),
            user,
            org,
            name: name.trim().to_string(),
            digest: digest(&secret),
            scopes,
            created_at: now,
            expires_at,
            revoked_at: None,
        },
        secret,
    })
}

/// The digest to look a presented token up by, or `None` when it cannot be one of ours
/// (wrong prefix or length: no database round trip for garbage).
pub fn lookup_digest(presented: &str) -> Option<String> {
    let rest = presented.strip_prefix(PREFIX)?;
    (rest.len() == 43
        && rest
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_'))
    .then(|| digest(presented))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mint_lookup_revoke_expire() {
        let now = Utc::now();
        let t = mint(
            UserId::from_u128(1),
            OrgId::from_u128(2),
            " push ",
            &[TokenScope::Ingest, TokenScope::Read, TokenScope::Read],
            Some(now + chrono::Duration::days(30)),
            now,
        )
        .unwrap();
        assert!(t.secret.starts_with("wjt_") && t.secret.len() == 47);
        assert_eq!(lookup_digest(&t.secret), Some(t.record.digest.clone()));
        assert!(!t.record.digest.contains(&t.secret[4..]));
        assert_eq!(t.record.scopes, [TokenScope::Read, TokenScope::Ingest]);
        assert_eq!(t.record.name, "push");
        assert!(t.record.allows(TokenScope::Ingest) && !t.record.allows(TokenScope::Write));
        assert!(t.record.usable(now));
        assert!(!t.record.usable(now + chrono::Duration::days(30)));
        let mut r = t.record.clone();
        r.revoked_at = Some(now);
        assert!(!r.usable(now));
    }

    #[test]
    fn garbage_is_refused_without_lookup() {
        for bad in [
            "",
            "wjt_",
            "Bearer x",
            "wjt_短",
            &format!("wjt_{}", "a".repeat(44)),
        ] {
            assert_eq!(lookup_digest(bad), None, "{bad}");
        }
        assert_eq!(TokenScope::parse("ingest"), Some(TokenScope::Ingest));
        assert_eq!(TokenScope::parse("admin"), None);
    }
}
