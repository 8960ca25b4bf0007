//! Market subjects (市场主体) and shops.
//!
//! A citizen identity number is personal information: it is **never stored in clear**.
//! The store keeps a keyed hash (HMAC-SHA256 under a key the deployment holds outside
//! the database) to find the same person again, and a masked form for display. The
//! enterprise credit code (uscc) is public and kept as is.
//!
//! Seam: the full check-character validation of uscc (GB 32100-2015) and citizen ids
//! (GB 11643-1999) belongs to `wangjian-ids`; until it is merged this module checks only
//! the shape (length, alphabet). Replace [`check_uscc_shape`] / [`check_citizen_id_shape`]
//! with calls into `wangjian_ids` then; nothing else changes.

use hmac::{Hmac, Mac};
use serde::{Deserialize, Serialize};
use sha2::Sha256;

use crate::id::{OrgId, ShopId, SubjectId};

/// Why a subject or shop value was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SubjectError {
    /// Not 18 characters of the uscc alphabet.
    #[error("unified social credit code {0:?} is not 18 characters of 0-9 and A-Z (without I, O, S, V, Z)")]
    UsccShape(String),
    /// Not 17 digits and a digit or X.
    #[error("citizen identity number is not 17 digits followed by a digit or X")]
    CitizenIdShape,
    /// The lookup key was too short to be a real secret.
    #[error("the subject lookup key must be at least 32 bytes, got {0}")]
    KeyTooShort(usize),
    /// A website without domain and ICP number, or a malformed domain.
    #[error("website {0:?}: needs a domain name like example.com")]
    Domain(String),
    /// A required text was empty.
    #[error("{0} must not be empty")]
    Empty(&'static str),
}

/// Checks the shape of a unified social credit code (GB 32100-2015 alphabet: digits and
/// capitals without I, O, S, V, Z). Returns it upper-cased. See the module seam note.
pub fn check_uscc_shape(code: &str) -> Result<String, SubjectError> {
    let c = code.trim().to_ascii_uppercase();
    let ok = c.chars().count() == 18
        && c.chars()
            .all(|ch| ch.is_ascii_digit() || (ch.is_ascii_uppercase() && !"IOSVZ".contains(ch)));
    if ok {
        Ok(c)
    } else {
        Err(SubjectError::UsccShape(code.to_string()))
    }
}

/// Checks the shape of a citizen identity number. Returns it with `x` upper-cased.
pub fn check_citizen_id_shape(id: &str) -> Result<String, SubjectError> {
    let c = id.trim().to_ascii_uppercase();
    let b = c.as_bytes();
    let ok = b.len() == 18
        && b[..17].iter().all(u8::is_ascii_digit)
        && (b[17].is_ascii_digit() || b[17] == b'X');
    if ok {
        Ok(c)
    } else {
        Err(SubjectError::CitizenIdShape)
    }
}

/// The deployment's secret for hashing citizen ids (at least 32 bytes). It lives in the
/// server's configuration, never in the database, so a stolen database does not reveal
/// who is in it by brute force over the small space of identity numbers.
pub struct SubjectKey(Vec<u8>);

impl SubjectKey {
    /// Wraps a key, refusing one shorter than 32 bytes.
    pub fn new(key: &[u8]) -> Result<Self, SubjectError> {
        if key.len() < 32 {
            return Err(SubjectError::KeyTooShort(key.len()));
        }
        Ok(Self(key.to_vec()))
    }

    /// HMAC-SHA256 of the normalized citizen id, as 64 lowercase hex digits.
    pub fn citizen_id_hash(&self, normalized_id: &str) -> String {
        // HMAC accepts keys of any length, so this cannot fail; fall back to an empty
        // string rather than panic if the library ever changed that.
        match <Hmac<Sha256> as Mac>::new_from_slice(&self.0) {
            Ok(mut mac) => {
                mac.update(b"wangjian/citizen_id/v1\0");
                mac.update(normalized_id.as_bytes());
                hex(&mac.finalize().into_bytes())
            }
            Err(_) => String::new(),
        }
    }
}

impl std::fmt::Debug for SubjectKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SubjectKey(<redacted>)")
    }
}

/// Lowercase hex of bytes.
pub(crate) fn hex(bytes: &[u8]) -> String {
    const H: &[u8; 16] = b"0123456789abcdef";
    let mut s = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        s.push(H[(b >> 4) as usize] as char);
        s.push(H[(b & 15) as usize] as char);
    }
    s
}

/// The masked form shown in the UI and public output: region (6) and last 4 kept, birth
/// date hidden (`330106********123X`).
pub fn mask_citizen_id(normalized_id: &str) -> String {
    let chars: Vec<char> = normalized_id.chars().collect();
    if chars.len() != 18 {
        return "*".repeat(chars.len());
    }
    let mut s: String = chars[..6].iter().collect();
    s.push_str("********");
    s.extend(&chars[14..]);
    s
}

/// What identifies a subject. Table `subjects`: one column per identifier, a unique index
/// on each (uscc; citizen_id_hash; domain), kind as a column.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum SubjectIdentity {
    /// An enterprise, by its credit code.
    Enterprise {
        /// 统一社会信用代码.
        uscc: String,
    },
    /// An individual business (个体工商户); older ones may lack a credit code.
    IndividualBusiness {
        /// 统一社会信用代码, when it has one.
        uscc: Option<String>,
        /// Operator's citizen id hash, when known.
        operator_id_hash: Option<String>,
        /// Operator's citizen id, masked.
        operator_id_masked: Option<String>,
    },
    /// A natural person.
    Person {
        /// HMAC-SHA256 of the citizen id ([`SubjectKey::citizen_id_hash`]).
        citizen_id_hash: String,
        /// Masked citizen id for display.
        citizen_id_masked: String,
    },
    /// A website.
    Website {
        /// Registered domain, lower case.
        domain: String,
        /// ICP filing number (ICP备案号), when known.
        icp_number: Option<String>,
    },
}

/// A market subject.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Subject {
    /// Stable id.
    pub id: SubjectId,
    /// Name (enterprise name, person's name, site name).
    pub name: String,
    /// How it is identified.
    pub identity: SubjectIdentity,
    /// Optimistic concurrency version.
    pub version: i64,
}

impl Subject {
    /// An enterprise subject.
    pub fn enterprise(id: SubjectId, name: &str, uscc: &str) -> Result<Self, SubjectError> {
        Ok(Self {
            id,
            name: non_empty(name, "subject name")?,
            identity: SubjectIdentity::Enterprise {
                uscc: check_uscc_shape(uscc)?,
            },
            version: 1,
        })
    }

    /// A person: the citizen id is hashed and masked here and then dropped.
    pub fn person(
        id: SubjectId,
        name: &str,
        citizen_id: &str,
        key: &SubjectKey,
    ) -> Result<Self, SubjectError> {
        let n = check_citizen_id_shape(citizen_id)?;
        Ok(Self {
            id,
            name: non_empty(name, "subject name")?,
            identity: SubjectIdentity::Person {
                citizen_id_hash: key.citizen_id_hash(&n),
                citizen_id_masked: mask_citizen_id(&n),
            },
            version: 1,
        })
    }

    /// An individual business, with the operator's citizen id hashed when given.
    pub fn individual_business(
        id: SubjectId,
        name: &str,
        uscc: Option<&str>,
        operator_citizen_id: Option<&str>,
        key: &SubjectKey,
    ) -> Result<Self, SubjectError> {
        let uscc = uscc.map(check_uscc_shape).transpose()?;
        let op = operator_citizen_id
            .map(check_citizen_id_shape)
            .transpose()?;
        Ok(Self {
            id,
            name: non_empty(name, "subject name")?,
            identity: SubjectIdentity::IndividualBusiness {
                uscc,
                operator_id_hash: op.as_deref().map(|n| key.citizen_id_hash(n)),
                operator_id_masked: op.as_deref().map(mask_citizen_id),
            },
            version: 1,
        })
    }

    /// A website by domain (lower-cased, trailing dot removed) and optional ICP number.
    pub fn website(
        id: SubjectId,
        name: &str,
        domain: &str,
        icp_number: Option<&str>,
    ) -> Result<Self, SubjectError> {
        let d = domain.trim().trim_end_matches('.').to_ascii_lowercase();
        let ok = d.contains('.')
            && !d.starts_with('.')
            && d.len() <= 253
            && d.split('.').all(|l| {
                !l.is_empty()
                    && l.len() <= 63
                    && l.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
            });
        if !ok {
            return Err(SubjectError::Domain(domain.to_string()));
        }
        Ok(Self {
            id,
            name: non_empty(name, "subject name")?,
            identity: SubjectIdentity::Website {
                domain: d,
                icp_number: icp_number
                    .map(str::trim)
                    .filter(|s| !s.is_empty())
                    .map(str::to_string),
            },
            version: 1,
        })
    }
}

pub(crate) fn non_empty(s: &str, what: &'static str) -> Result<String, SubjectError> {
    let t = s.trim();
    if t.is_empty() {
        Err(SubjectError::Empty(what))
    } else {
        Ok(t.to_string())
    }
}

/// A shop (网店): one account on a platform. Table `shops`, unique on
/// (platform, platform_shop_id).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Shop {
    /// Stable id.
    pub id: ShopId,
    /// The platform organization.
    pub platform: OrgId,
    /// The platform's own id for the shop.
    pub platform_shop_id: String,
    /// The shop's display name.
    pub name: String,
    /// The subject behind the shop, once known (real-name data from the platform).
    pub subject: Option<SubjectId>,
    /// Optimistic concurrency version.
    pub version: i64,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key() -> SubjectKey {
        SubjectKey::new(&[7u8; 32]).unwrap()
    }

    #[test]
    fn person_is_never_kept_in_clear() {
        let s = Subject::person(
            SubjectId::from_u128(1),
            "张三",
            "33010619900101123x",
            &key(),
        )
        .unwrap();
        let json = serde_json::to_string(&s).unwrap();
        assert!(!json.contains("19900101"), "{json}");
        match &s.identity {
            SubjectIdentity::Person {
                citizen_id_hash,
                citizen_id_masked,
            } => {
                assert_eq!(citizen_id_masked, "330106********123X");
                assert_eq!(citizen_id_hash.len(), 64);
                // Same id, same key: same hash (lookup works); the x is normalized.
                assert_eq!(
                    citizen_id_hash,
                    &key().citizen_id_hash("33010619900101123X")
                );
                let other = SubjectKey::new(&[8u8; 32]).unwrap();
                assert_ne!(
                    citizen_id_hash,
                    &other.citizen_id_hash("33010619900101123X")
                );
            }
            other => panic!("not a person: {other:?}"),
        }
    }

    #[test]
    fn refuses_bad_identifiers() {
        assert!(SubjectKey::new(b"short").is_err());
        assert!(Subject::enterprise(SubjectId::from_u128(1), "A", "91330106MA2").is_err());
        assert!(Subject::enterprise(SubjectId::from_u128(1), "A", "91330106MA27XXXXXO").is_err());
        assert!(Subject::enterprise(SubjectId::from_u128(1), "A", "91330106ma27xxxxx1").is_ok());
        assert!(Subject::person(SubjectId::from_u128(1), "A", "1234", &key()).is_err());
        assert!(Subject::website(SubjectId::from_u128(1), "A", "no_dot", None).is_err());
        let w =
            Subject::website(SubjectId::from_u128(1), "A", "Shop.Example.COM.", Some(" ")).unwrap();
        assert_eq!(
            w.identity,
            SubjectIdentity::Website {
                domain: "shop.example.com".into(),
                icp_number: None
            }
        );
    }
}
