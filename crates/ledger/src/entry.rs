//! Log entries and their canonical byte encoding (FORMAT.md §2).
//!
//! The bytes of an entry are what the leaf hash covers, so the encoding is fixed: one
//! version byte, one kind byte, a 4-byte body length, then the fields of the kind in a set
//! order — integers big-endian, strings and lists length-prefixed, options tagged. There is
//! exactly one encoding of each entry: [`Entry::decode`] refuses anything else (trailing
//! bytes, bad tags, bad UTF-8), so `encode(decode(b)) == b` whenever `decode(b)` succeeds.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use uuid::Uuid;
use wangjian_domain::audit::{AuditEvent, FieldChange};
use wangjian_domain::seized::{Destruction, Handover, SeizedItem};

use crate::tree::{leaf_hash, Hash};

/// The entry encoding version this crate writes and reads.
pub const ENTRY_VERSION: u8 = 1;

/// Bytes before the body: version, kind, body length.
const HEADER_LEN: usize = 6;

/// Why bytes are not an entry.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DecodeError {
    /// Fewer than the header's 6 bytes.
    #[error("{0} bytes is too short for an entry header (6 bytes)")]
    TooShort(usize),
    /// A version this crate does not know.
    #[error(
        "entry encoding version {0} is not supported (this build reads version {ENTRY_VERSION})"
    )]
    UnknownVersion(u8),
    /// A kind this crate does not know.
    #[error("entry kind {0} is unknown")]
    UnknownKind(u8),
    /// The body length in the header does not match the bytes that follow.
    #[error("the header says the body is {declared} bytes, but {actual} follow")]
    LengthMismatch {
        /// From the header.
        declared: u32,
        /// Actually there.
        actual: usize,
    },
    /// The body ended inside a field.
    #[error("the entry ends inside field `{0}`")]
    Truncated(&'static str),
    /// Bytes left after the last field.
    #[error("{0} bytes are left after the last field")]
    TrailingBytes(usize),
    /// A string field is not UTF-8.
    #[error("field `{0}` is not valid UTF-8")]
    BadUtf8(&'static str),
    /// An option tag other than 0 or 1.
    #[error("field `{field}` has option tag {tag}, expected 0 or 1")]
    BadOptionTag {
        /// The field.
        field: &'static str,
        /// The tag found.
        tag: u8,
    },
    /// A timestamp or date out of range.
    #[error("field `{0}` is not a valid time or date")]
    BadTime(&'static str),
    /// An unknown custody event tag.
    #[error("custody event tag {0} is unknown")]
    UnknownCustodyEvent(u8),
}

/// Why a domain value could not become an entry.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EntryError {
    /// A digest that is not 64 hex digits.
    #[error("{field} is not a SHA-256 hex digest: {value:?}")]
    BadDigest {
        /// Which field.
        field: &'static str,
        /// The value.
        value: String,
    },
}

/// The kind of an entry; its byte is part of the encoding.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EntryKind {
    /// Evidence was captured (kind byte 1).
    EvidenceCaptured = 1,
    /// An audit event (kind byte 2).
    AuditEvent = 2,
    /// Seized goods changed hands or were destroyed (kind byte 3).
    Custody = 3,
}

impl EntryKind {
    /// The name used in manifests and messages.
    pub fn name(self) -> &'static str {
        match self {
            Self::EvidenceCaptured => "evidence_captured",
            Self::AuditEvent => "audit_event",
            Self::Custody => "custody",
        }
    }
}

/// Evidence captured: a blob in the blob store, what it is and where it came from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EvidenceCaptured {
    /// SHA-256 of the blob's bytes (computed by the server, never taken from a client).
    #[serde(with = "crate::hex_serde::one")]
    pub blob: Hash,
    /// Size of the blob in bytes.
    pub size: u64,
    /// Media type (`text/html`, `image/png`, `application/json`).
    pub media_type: String,
    /// The original file name or URL.
    pub source: String,
    /// The case it is evidence for, when there is one yet.
    pub case: Option<Uuid>,
    /// The listing it is a snapshot of, when it is one.
    pub listing: Option<Uuid>,
    /// Who captured it.
    pub captured_by: Uuid,
    /// For which organization.
    pub org: Uuid,
    /// When.
    pub at: DateTime<Utc>,
}

/// An audit event of the case system, as entered in the log: who did what to which object,
/// the digests of the object before and after, and a digest of the changed fields (the
/// values themselves stay in the database; the digest pins them).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditEventEntry {
    /// Event id.
    pub id: Uuid,
    /// The user action it belongs to.
    pub request_id: Uuid,
    /// Who acted.
    pub actor: Uuid,
    /// For which organization.
    pub actor_org: Uuid,
    /// When.
    pub at: DateTime<Utc>,
    /// What was done (`case.open`, …).
    pub action: String,
    /// Kind of object (`case`, `seized_item`, …).
    pub object_type: String,
    /// Id of the object.
    pub object_id: Uuid,
    /// The case it belongs to.
    pub root_case: Option<Uuid>,
    /// SHA-256 of the canonical JSON of the object before (none when created).
    #[serde(with = "opt_hash")]
    pub before_digest: Option<Hash>,
    /// SHA-256 of the canonical JSON of the object after.
    #[serde(with = "crate::hex_serde::one")]
    pub after_digest: Hash,
    /// Names of the changed fields.
    pub changed_fields: Vec<String>,
    /// SHA-256 of the canonical JSON of the changed fields with their values.
    #[serde(with = "crate::hex_serde::one")]
    pub changed_digest: Hash,
}

mod opt_hash {
    use serde::{de::Error as _, Deserialize, Deserializer, Serializer};

    use crate::tree::Hash;

    pub(crate) fn serialize<S: Serializer>(h: &Option<Hash>, s: S) -> Result<S::Ok, S::Error> {
        match h {
            Some(h) => s.serialize_some(&hex::encode(h)),
            None => s.serialize_none(),
        }
    }

    pub(crate) fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Hash>, D::Error> {
        Option::<String>::deserialize(d)?
            .map(|s| {
                crate::hex_serde::parse_hash(&s)
                    .ok_or_else(|| D::Error::custom("expected 64 hex digits"))
            })
            .transpose()
    }
}

fn digest_field(field: &'static str, value: &str) -> Result<Hash, EntryError> {
    crate::hex_serde::parse_hash(value).ok_or_else(|| EntryError::BadDigest {
        field,
        value: value.to_string(),
    })
}

/// SHA-256 of the canonical JSON of a list of field changes.
pub fn changed_digest(changed: &[FieldChange]) -> Hash {
    let v = serde_json::to_value(changed).unwrap_or(serde_json::Value::Null);
    Sha256::digest(wangjian_domain::audit::canonical_json(&v).as_bytes()).into()
}

impl AuditEventEntry {
    /// The log entry for a domain audit event.
    pub fn from_event(e: &AuditEvent) -> Result<Self, EntryError> {
        let object_type = serde_json::to_value(e.object_type)
            .ok()
            .and_then(|v| v.as_str().map(str::to_string))
            .unwrap_or_default();
        Ok(Self {
            id: e.id.0,
            request_id: e.request_id.0,
            actor: e.actor.0,
            actor_org: e.actor_org.0,
            at: e.at,
            action: e.action.clone(),
            object_type,
            object_id: e.object_id,
            root_case: e.root_case.map(|c| c.0),
            before_digest: e
                .before_digest
                .as_deref()
                .map(|d| digest_field("before_digest", d))
                .transpose()?,
            after_digest: digest_field("after_digest", &e.after_digest)?,
            changed_fields: e.changed.iter().map(|c| c.field.clone()).collect(),
            changed_digest: changed_digest(&e.changed),
        })
    }
}

/// What happened to a seized item.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "event", rename_all = "snake_case")]
pub enum CustodyEvent {
    /// Seized and put in custody (tag 1).
    Seized {
        /// Description of the goods.
        description: String,
        /// Quantity in `unit`s.
        quantity: u64,
        /// Unit.
        unit: String,
        /// Where it is kept.
        custody: String,
    },
    /// Handed over (tag 2).
    HandedOver {
        /// Custody before.
        from: String,
        /// Custody after.
        to: String,
        /// Handover document number or note.
        note: String,
    },
    /// Destroyed (无害化销毁, tag 3).
    Destroyed {
        /// Day of destruction.
        on: NaiveDate,
        /// Method.
        method: String,
        /// Place.
        place: String,
        /// Witnesses.
        witnesses: Vec<String>,
    },
}

/// A custody event of a seized item (涉案物品).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CustodyEntry {
    /// The seized item.
    pub item: Uuid,
    /// Its case.
    pub case: Uuid,
    /// The agency holding it.
    pub org: Uuid,
    /// Who recorded the event.
    pub recorded_by: Uuid,
    /// When it was recorded.
    pub at: DateTime<Utc>,
    /// What happened.
    pub event: CustodyEvent,
}

impl CustodyEntry {
    fn of(item: &SeizedItem, recorded_by: Uuid, at: DateTime<Utc>, event: CustodyEvent) -> Self {
        Self {
            item: item.id.0,
            case: item.case.0,
            org: item.org.0,
            recorded_by,
            at,
            event,
        }
    }

    /// The entry for a new seizure.
    pub fn seized(item: &SeizedItem, recorded_by: Uuid, at: DateTime<Utc>) -> Self {
        let event = CustodyEvent::Seized {
            description: item.description.clone(),
            quantity: item.quantity,
            unit: item.unit.clone(),
            custody: item.custody.clone(),
        };
        Self::of(item, recorded_by, at, event)
    }

    /// The entry for a handover.
    pub fn handed_over(item: &SeizedItem, h: &Handover) -> Self {
        let event = CustodyEvent::HandedOver {
            from: h.from.clone(),
            to: h.to.clone(),
            note: h.note.clone(),
        };
        Self::of(item, h.recorded_by.0, h.at, event)
    }

    /// The entry for the destruction, recorded at `at`.
    pub fn destroyed(item: &SeizedItem, d: &Destruction, at: DateTime<Utc>) -> Self {
        let event = CustodyEvent::Destroyed {
            on: d.on,
            method: d.method.clone(),
            place: d.place.clone(),
            witnesses: d.witnesses.clone(),
        };
        Self::of(item, d.recorded_by.0, at, event)
    }
}

/// One entry of the evidence log.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Entry {
    /// Evidence captured.
    EvidenceCaptured(EvidenceCaptured),
    /// An audit event.
    AuditEvent(AuditEventEntry),
    /// A custody event.
    Custody(CustodyEntry),
}

impl Entry {
    /// The kind.
    pub fn kind(&self) -> EntryKind {
        match self {
            Self::EvidenceCaptured(_) => EntryKind::EvidenceCaptured,
            Self::AuditEvent(_) => EntryKind::AuditEvent,
            Self::Custody(_) => EntryKind::Custody,
        }
    }

    /// The case the entry belongs to, when it names one.
    pub fn case(&self) -> Option<Uuid> {
        match self {
            Self::EvidenceCaptured(e) => e.case,
            Self::AuditEvent(e) => e.root_case,
            Self::Custody(e) => Some(e.case),
        }
    }

    /// The blob an evidence entry points to.
    pub fn blob(&self) -> Option<Hash> {
        match self {
            Self::EvidenceCaptured(e) => Some(e.blob),
            _ => None,
        }
    }

    /// The canonical bytes (FORMAT.md §2).
    pub fn encode(&self) -> Vec<u8> {
        let mut w = Writer(Vec::with_capacity(256));
        match self {
            Self::EvidenceCaptured(e) => {
                w.bytes(&e.blob);
                w.u64(e.size);
                w.str(&e.media_type);
                w.str(&e.source);
                w.opt_uuid(e.case);
                w.opt_uuid(e.listing);
                w.uuid(e.captured_by);
                w.uuid(e.org);
                w.time(e.at);
            }
            Self::AuditEvent(e) => {
                w.uuid(e.id);
                w.uuid(e.request_id);
                w.uuid(e.actor);
                w.uuid(e.actor_org);
                w.time(e.at);
                w.str(&e.action);
                w.str(&e.object_type);
                w.uuid(e.object_id);
                w.opt_uuid(e.root_case);
                match &e.before_digest {
                    Some(d) => {
                        w.u8(1);
                        w.bytes(d);
                    }
                    None => w.u8(0),
                }
                w.bytes(&e.after_digest);
                w.strs(&e.changed_fields);
                w.bytes(&e.changed_digest);
            }
            Self::Custody(e) => {
                w.uuid(e.item);
                w.uuid(e.case);
                w.uuid(e.org);
                w.uuid(e.recorded_by);
                w.time(e.at);
                match &e.event {
                    CustodyEvent::Seized {
                        description,
                        quantity,
                        unit,
                        custody,
                    } => {
                        w.u8(1);
                        w.str(description);
                        w.u64(*quantity);
                        w.str(unit);
                        w.str(custody);
                    }
                    CustodyEvent::HandedOver { from, to, note } => {
                        w.u8(2);
                        w.str(from);
                        w.str(to);
                        w.str(note);
                    }
                    CustodyEvent::Destroyed {
                        on,
                        method,
                        place,
                        witnesses,
                    } => {
                        w.u8(3);
                        w.date(*on);
                        w.str(method);
                        w.str(place);
                        w.strs(witnesses);
                    }
                }
            }
        }
        let body = w.0;
        let mut out = Vec::with_capacity(HEADER_LEN + body.len());
        out.push(ENTRY_VERSION);
        out.push(self.kind() as u8);
        // An entry body over 4 GiB cannot be built from strings that fit in memory here;
        // saturate rather than wrap so such bytes would never decode.
        out.extend_from_slice(&u32::try_from(body.len()).unwrap_or(u32::MAX).to_be_bytes());
        out.extend_from_slice(&body);
        out
    }

    /// The leaf hash of the canonical bytes.
    pub fn leaf_hash(&self) -> Hash {
        leaf_hash(&self.encode())
    }

    /// Parses canonical bytes; refuses anything that is not exactly one entry.
    pub fn decode(bytes: &[u8]) -> Result<Self, DecodeError> {
        if bytes.len() < HEADER_LEN {
            return Err(DecodeError::TooShort(bytes.len()));
        }
        if bytes[0] != ENTRY_VERSION {
            return Err(DecodeError::UnknownVersion(bytes[0]));
        }
        let kind = bytes[1];
        let declared = u32::from_be_bytes([bytes[2], bytes[3], bytes[4], bytes[5]]);
        let body = &bytes[HEADER_LEN..];
        if usize::try_from(declared).ok() != Some(body.len()) {
            return Err(DecodeError::LengthMismatch {
                declared,
                actual: body.len(),
            });
        }
        let mut r = Reader { buf: body };
        let entry = match kind {
            1 => Self::EvidenceCaptured(EvidenceCaptured {
                blob: r.hash("blob")?,
                size: r.u64("size")?,
                media_type: r.str("media_type")?,
                source: r.str("source")?,
                case: r.opt_uuid("case")?,
                listing: r.opt_uuid("listing")?,
                captured_by: r.uuid("captured_by")?,
                org: r.uuid("org")?,
                at: r.time("at")?,
            }),
            2 => Self::AuditEvent(AuditEventEntry {
                id: r.uuid("id")?,
                request_id: r.uuid("request_id")?,
                actor: r.uuid("actor")?,
                actor_org: r.uuid("actor_org")?,
                at: r.time("at")?,
                action: r.str("action")?,
                object_type: r.str("object_type")?,
                object_id: r.uuid("object_id")?,
                root_case: r.opt_uuid("root_case")?,
                before_digest: if r.opt_tag("before_digest")? {
                    Some(r.hash("before_digest")?)
                } else {
                    None
                },
                after_digest: r.hash("after_digest")?,
                changed_fields: r.strs("changed_fields")?,
                changed_digest: r.hash("changed_digest")?,
            }),
            3 => Self::Custody(CustodyEntry {
                item: r.uuid("item")?,
                case: r.uuid("case")?,
                org: r.uuid("org")?,
                recorded_by: r.uuid("recorded_by")?,
                at: r.time("at")?,
                event: match r.u8("event")? {
                    1 => CustodyEvent::Seized {
                        description: r.str("description")?,
                        quantity: r.u64("quantity")?,
                        unit: r.str("unit")?,
                        custody: r.str("custody")?,
                    },
                    2 => CustodyEvent::HandedOver {
                        from: r.str("from")?,
                        to: r.str("to")?,
                        note: r.str("note")?,
                    },
                    3 => CustodyEvent::Destroyed {
                        on: r.date("on")?,
                        method: r.str("method")?,
                        place: r.str("place")?,
                        witnesses: r.strs("witnesses")?,
                    },
                    t => return Err(DecodeError::UnknownCustodyEvent(t)),
                },
            }),
            k => return Err(DecodeError::UnknownKind(k)),
        };
        if !r.buf.is_empty() {
            return Err(DecodeError::TrailingBytes(r.buf.len()));
        }
        Ok(entry)
    }
}

struct Writer(Vec<u8>);

impl Writer {
    fn u8(&mut self, v: u8) {
        self.0.push(v);
    }
    fn u32(&mut self, v: u32) {
        self.0.extend_from_slice(&v.to_be_bytes());
    }
    fn u64(&mut self, v: u64) {
        self.0.extend_from_slice(&v.to_be_bytes());
    }
    fn bytes(&mut self, v: &[u8]) {
        self.0.extend_from_slice(v);
    }
    fn len(&mut self, n: usize) {
        self.u32(u32::try_from(n).unwrap_or(u32::MAX));
    }
    fn str(&mut self, s: &str) {
        self.len(s.len());
        self.bytes(s.as_bytes());
    }
    fn strs(&mut self, v: &[String]) {
        self.len(v.len());
        for s in v {
            self.str(s);
        }
    }
    fn uuid(&mut self, u: Uuid) {
        self.bytes(u.as_bytes());
    }
    fn opt_uuid(&mut self, u: Option<Uuid>) {
        match u {
            Some(u) => {
                self.u8(1);
                self.uuid(u);
            }
            None => self.u8(0),
        }
    }
    fn time(&mut self, t: DateTime<Utc>) {
        self.bytes(&t.timestamp().to_be_bytes());
        self.u32(t.timestamp_subsec_nanos());
    }
    fn date(&mut self, d: NaiveDate) {
        let days = (d - DateTime::UNIX_EPOCH.date_naive()).num_days();
        self.bytes(&i32::try_from(days).unwrap_or(i32::MAX).to_be_bytes());
    }
}

struct Reader<'a> {
    buf: &'a [u8],
}

impl<'a> Reader<'a> {
    fn take(&mut self, n: usize, field: &'static str) -> Result<&'a [u8], DecodeError> {
        if self.buf.len() < n {
            return Err(DecodeError::Truncated(field));
        }
        let (head, rest) = self.buf.split_at(n);
        self.buf = rest;
        Ok(head)
    }
    fn array<const N: usize>(&mut self, field: &'static str) -> Result<[u8; N], DecodeError> {
        let mut a = [0u8; N];
        a.copy_from_slice(self.take(N, field)?);
        Ok(a)
    }
    fn u8(&mut self, field: &'static str) -> Result<u8, DecodeError> {
        Ok(self.array::<1>(field)?[0])
    }
    fn u32(&mut self, field: &'static str) -> Result<u32, DecodeError> {
        Ok(u32::from_be_bytes(self.array(field)?))
    }
    fn u64(&mut self, field: &'static str) -> Result<u64, DecodeError> {
        Ok(u64::from_be_bytes(self.array(field)?))
    }
    fn hash(&mut self, field: &'static str) -> Result<Hash, DecodeError> {
        self.array(field)
    }
    fn str(&mut self, field: &'static str) -> Result<String, DecodeError> {
        let n = self.u32(field)? as usize;
        let b = self.take(n, field)?;
        std::str::from_utf8(b)
            .map(str::to_string)
            .map_err(|_| DecodeError::BadUtf8(field))
    }
    fn strs(&mut self, field: &'static str) -> Result<Vec<String>, DecodeError> {
        let n = self.u32(field)?;
        // No preallocation from the count: a forged count must not allocate.
        let mut v = Vec::new();
        for _ in 0..n {
            v.push(self.str(field)?);
        }
        Ok(v)
    }
    fn uuid(&mut self, field: &'static str) -> Result<Uuid, DecodeError> {
        Ok(Uuid::from_bytes(self.array(field)?))
    }
    fn opt_tag(&mut self, field: &'static str) -> Result<bool, DecodeError> {
        match self.u8(field)? {
            0 => Ok(false),
            1 => Ok(true),
            tag => Err(DecodeError::BadOptionTag { field, tag }),
        }
    }
    fn opt_uuid(&mut self, field: &'static str) -> Result<Option<Uuid>, DecodeError> {
        if self.opt_tag(field)? {
            Ok(Some(self.uuid(field)?))
        } else {
            Ok(None)
        }
    }
    fn time(&mut self, field: &'static str) -> Result<DateTime<Utc>, DecodeError> {
        let secs = i64::from_be_bytes(self.array(field)?);
        let nanos = self.u32(field)?;
        // Only nanoseconds below one second: one encoding per instant.
        if nanos >= 1_000_000_000 {
            return Err(DecodeError::BadTime(field));
        }
        DateTime::from_timestamp(secs, nanos).ok_or(DecodeError::BadTime(field))
    }
    fn date(&mut self, field: &'static str) -> Result<NaiveDate, DecodeError> {
        let days = i32::from_be_bytes(self.array(field)?);
        DateTime::UNIX_EPOCH
            .date_naive()
            .checked_add_signed(chrono::TimeDelta::days(i64::from(days)))
            .ok_or(DecodeError::BadTime(field))
    }
}
