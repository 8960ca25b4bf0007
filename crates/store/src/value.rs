//! Values as the store binds and reads them, independent of the backend: one SQL text
//! serves both databases, and only the encoding of a value differs (UUID text or `uuid`,
//! fixed-format UTC text or `timestamptz`, JSON text or `jsonb`).

use chrono::{DateTime, NaiveDate, SecondsFormat, Utc};
use serde_json::Value as Json;
use uuid::Uuid;

use crate::StoreError;

/// The type of a column: decides how a value is encoded on each backend.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    /// `uuid` / UUID text.
    Uuid,
    /// Text.
    Text,
    /// 64-bit integer.
    Int,
    /// Floating point.
    Real,
    /// Boolean (`boolean` / 0-1 integer).
    Bool,
    /// UTC instant (`timestamptz` / fixed-format text).
    Time,
    /// Calendar date (`date` / `YYYY-MM-DD`).
    Date,
    /// JSON (`jsonb` / text).
    Json,
    /// Raw bytes (`bytea` / BLOB); lowercase hex in JSON.
    Bytes,
}

/// One bound value. `None` inside means SQL NULL of that kind (PostgreSQL needs the type
/// of a NULL).
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Val {
    Uuid(Option<Uuid>),
    Text(Option<String>),
    Int(Option<i64>),
    Real(Option<f64>),
    Bool(Option<bool>),
    Time(Option<DateTime<Utc>>),
    Date(Option<NaiveDate>),
    Json(Option<Json>),
    Bytes(Option<Vec<u8>>),
}

impl Val {
    /// SQL NULL of `kind`.
    pub(crate) fn null(kind: Kind) -> Val {
        match kind {
            Kind::Uuid => Val::Uuid(None),
            Kind::Text => Val::Text(None),
            Kind::Int => Val::Int(None),
            Kind::Real => Val::Real(None),
            Kind::Bool => Val::Bool(None),
            Kind::Time => Val::Time(None),
            Kind::Date => Val::Date(None),
            Kind::Json => Val::Json(None),
            Kind::Bytes => Val::Bytes(None),
        }
    }

    /// Converts the JSON form of a domain field (as serde writes it) into a value of
    /// `kind`. `column` names the column in errors.
    pub(crate) fn from_json(kind: Kind, v: &Json, column: &str) -> Result<Val, StoreError> {
        if v.is_null() {
            return Ok(Val::null(kind));
        }
        let bad = || StoreError::Corrupt(format!("column {column}: cannot store {v} as {kind:?}"));
        Ok(match kind {
            Kind::Uuid => Val::Uuid(Some(
                v.as_str()
                    .and_then(|s| Uuid::parse_str(s).ok())
                    .ok_or_else(bad)?,
            )),
            Kind::Text => Val::Text(Some(v.as_str().ok_or_else(bad)?.to_string())),
            Kind::Int => Val::Int(Some(v.as_i64().ok_or_else(bad)?)),
            Kind::Real => Val::Real(Some(v.as_f64().ok_or_else(bad)?)),
            Kind::Bool => Val::Bool(Some(v.as_bool().ok_or_else(bad)?)),
            Kind::Time => Val::Time(Some(
                v.as_str()
                    .and_then(|s| DateTime::parse_from_rfc3339(s).ok())
                    .map(|t| t.with_timezone(&Utc))
                    .ok_or_else(bad)?,
            )),
            Kind::Date => Val::Date(Some(
                v.as_str()
                    .and_then(|s| NaiveDate::parse_from_str(s, "%Y-%m-%d").ok())
                    .ok_or_else(bad)?,
            )),
            Kind::Json => Val::Json(Some(v.clone())),
            Kind::Bytes => Val::Bytes(Some(v.as_str().and_then(hex_decode).ok_or_else(bad)?)),
        })
    }

    /// The JSON form of a value read from a column (`null` for SQL NULL).
    pub(crate) fn into_json(self) -> Json {
        match self {
            Val::Uuid(v) => v.map_or(Json::Null, |u| Json::String(u.to_string())),
            Val::Text(v) => v.map_or(Json::Null, Json::String),
            Val::Int(v) => v.map_or(Json::Null, Json::from),
            Val::Real(v) => v.map_or(Json::Null, Json::from),
            Val::Bool(v) => v.map_or(Json::Null, Json::Bool),
            Val::Time(v) => v.map_or(Json::Null, |t| Json::String(time_text(t))),
            Val::Date(v) => v.map_or(Json::Null, |d| Json::String(d.to_string())),
            Val::Json(v) => v.unwrap_or(Json::Null),
            Val::Bytes(v) => v.map_or(Json::Null, |b| Json::String(hex_encode(&b))),
        }
    }
}

/// Lowercase hex of `bytes` (how byte columns appear in JSON).
pub(crate) fn hex_encode(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut s = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        s.push(DIGITS[(b >> 4) as usize] as char);
        s.push(DIGITS[(b & 15) as usize] as char);
    }
    s
}

/// Parses lowercase or uppercase hex; `None` when it is not hex.
pub(crate) fn hex_decode(s: &str) -> Option<Vec<u8>> {
    if !s.len().is_multiple_of(2) {
        return None;
    }
    let digit = |c: u8| (c as char).to_digit(16);
    s.as_bytes()
        .chunks(2)
        .map(|p| Some((digit(p[0])? * 16 + digit(p[1])?) as u8))
        .collect()
}

/// The SQLite text form of an instant: fixed width, so text order is time order.
pub(crate) fn time_text(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Micros, true)
}

/// Parses [`time_text`] (and any RFC 3339 instant).
pub(crate) fn parse_time(s: &str) -> Result<DateTime<Utc>, StoreError> {
    DateTime::parse_from_rfc3339(s)
        .map(|t| t.with_timezone(&Utc))
        .map_err(|e| StoreError::Corrupt(format!("stored time {s:?}: {e}")))
}

impl From<Uuid> for Val {
    fn from(v: Uuid) -> Self {
        Val::Uuid(Some(v))
    }
}
impl From<Option<Uuid>> for Val {
    fn from(v: Option<Uuid>) -> Self {
        Val::Uuid(v)
    }
}
impl From<&str> for Val {
    fn from(v: &str) -> Self {
        Val::Text(Some(v.to_string()))
    }
}
impl From<String> for Val {
    fn from(v: String) -> Self {
        Val::Text(Some(v))
    }
}
impl From<i64> for Val {
    fn from(v: i64) -> Self {
        Val::Int(Some(v))
    }
}
impl From<bool> for Val {
    fn from(v: bool) -> Self {
        Val::Bool(Some(v))
    }
}
impl From<DateTime<Utc>> for Val {
    fn from(v: DateTime<Utc>) -> Self {
        Val::Time(Some(v))
    }
}
impl From<Option<DateTime<Utc>>> for Val {
    fn from(v: Option<DateTime<Utc>>) -> Self {
        Val::Time(v)
    }
}
impl From<NaiveDate> for Val {
    fn from(v: NaiveDate) -> Self {
        Val::Date(Some(v))
    }
}
impl From<Vec<u8>> for Val {
    fn from(v: Vec<u8>) -> Self {
        Val::Bytes(Some(v))
    }
}
impl From<&[u8]> for Val {
    fn from(v: &[u8]) -> Self {
        Val::Bytes(Some(v.to_vec()))
    }
}
