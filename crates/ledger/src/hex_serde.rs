//! Serde adapters writing hashes as lowercase hex strings in JSON.

use serde::{de::Error as _, Deserialize, Deserializer, Serializer};

use crate::tree::Hash;

/// Parses 64 hex digits into a hash.
/// Only lowercase digits are accepted, so each hash has one spelling.
pub(crate) fn parse_hash(s: &str) -> Option<Hash> {
    if !s
        .bytes()
        .all(|c| c.is_ascii_digit() || (b'a'..=b'f').contains(&c))
    {
        return None;
    }
    let mut out = [0u8; 32];
    hex::decode_to_slice(s, &mut out).ok()?;
    Some(out)
}

/// One hash as a hex string.
pub(crate) mod one {
    use super::*;

    pub(crate) fn serialize<S: Serializer>(h: &Hash, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&hex::encode(h))
    }

    pub(crate) fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Hash, D::Error> {
        let s = String::deserialize(d)?;
        parse_hash(&s).ok_or_else(|| D::Error::custom("expected 64 lowercase hex digits"))
    }
}

/// A list of hashes as hex strings.
pub(crate) mod list {
    use super::*;
    use serde::ser::SerializeSeq;

    pub(crate) fn serialize<S: Serializer>(v: &[Hash], s: S) -> Result<S::Ok, S::Error> {
        let mut seq = s.serialize_seq(Some(v.len()))?;
        for h in v {
            seq.serialize_element(&hex::encode(h))?;
        }
        seq.end()
    }

    pub(crate) fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<Hash>, D::Error> {
        let v = Vec::<String>::deserialize(d)?;
        v.iter()
            .map(|s| {
                parse_hash(s).ok_or_else(|| D::Error::custom("expected 64 lowercase hex digits"))
            })
            .collect()
    }
}
