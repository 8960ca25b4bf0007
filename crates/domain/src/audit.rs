//! The audit trail (执法全过程记录): the event every change appends.
//!
//! Every command returns a [`Change`]: the new value(s) **and** the events that describe
//! them. `Change` can only be built with at least one event, so no code path in this crate
//! can produce a new state without its record; the store writes both in one transaction.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use sha2::{Digest, Sha256};
use uuid::Uuid;

use crate::id::{AuditEventId, CaseId, OrgId, RequestId, UserId};
use crate::subject::hex;

/// The kind of object an event is about (column `object_type`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ObjectType {
    /// A case.
    Case,
    /// A deadline.
    Deadline,
    /// A transfer order.
    TransferOrder,
    /// An assist request.
    AssistRequest,
    /// A supervision mark.
    Supervision,
    /// A seized item.
    SeizedItem,
    /// A lead.
    Lead,
    /// A case–lead link.
    CaseLead,
    /// A complaint or report from the public portal.
    Complaint,
    /// A notice to a platform (通知—删除).
    Notice,
    /// A platform's self-inspection record (自查自纠).
    SelfInspection,
    /// A submitted statistics report (统计报表).
    ReportSubmission,
    /// A credit record (信用记录).
    CreditRecord,
    /// A subject's recorded credit class.
    CreditStanding,
    /// A blacklist entry (严重违法失信名单).
    BlacklistEntry,
    /// The publication of a penalty decision (公示).
    Disclosure,
    /// The party of a case (当事人).
    CaseParty,
    /// A screening call against the blacklist (联合惩戒).
    Screening,
    /// An upload of a platform's orders (brushing detection).
    BrushingUpload,
    /// A suspicious brushing group.
    BrushingGroup,
    /// An upload of shop identifiers (seller networks).
    IdentifierUpload,
}

/// One changed field: its name, and its value before and after (JSON).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FieldChange {
    /// Top-level field name.
    pub field: String,
    /// Value before (`null` when the object is new).
    pub before: Value,
    /// Value after.
    pub after: Value,
}

/// One audit event. Table `audit_events` (append-only), indexed on (root_case, at) and
/// (request_id); `changed` is stored as JSON.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AuditEvent {
    /// Stable id.
    pub id: AuditEventId,
    /// The user action this event belongs to.
    pub request_id: RequestId,
    /// Who acted.
    pub actor: UserId,
    /// For which organization.
    pub actor_org: OrgId,
    /// When.
    pub at: DateTime<Utc>,
    /// What was done (`case.open`, `deadline.extend`, …).
    pub action: String,
    /// Kind of the object changed.
    pub object_type: ObjectType,
    /// Id of the object changed.
    pub object_id: Uuid,
    /// The case it belongs to, when it belongs to one.
    pub root_case: Option<CaseId>,
    /// The changed fields only.
    pub changed: Vec<FieldChange>,
    /// SHA-256 of the canonical JSON of the object before (`None` when created).
    pub before_digest: Option<String>,
    /// SHA-256 of the canonical JSON of the object after.
    pub after_digest: String,
}

/// Who, when and under which request a command runs; and where new ids come from. The
/// server fills it; tests build it by hand, so every command is deterministic.
#[derive(Debug, Clone)]
pub struct Context {
    /// The request this command belongs to.
    pub request_id: RequestId,
    /// The time of the command.
    pub now: DateTime<Utc>,
    /// Ids for new objects and events, used in order. UUIDv7 in the server.
    pub fresh_ids: Vec<Uuid>,
}

impl Context {
    /// A context with ids generated from `seed` upwards (tests, replays).
    pub fn with_counter(request_id: RequestId, now: DateTime<Utc>, seed: u128, n: usize) -> Self {
        Self {
            request_id,
            now,
            fresh_ids: (0..n as u128).map(|i| Uuid::from_u128(seed + i)).collect(),
        }
    }

    /// A context with `n` fresh UUIDv7 ids (the server).
    pub fn new_v7(request_id: RequestId, now: DateTime<Utc>, n: usize) -> Self {
        Self {
            request_id,
            now,
            fresh_ids: (0..n).map(|_| Uuid::now_v7()).collect(),
        }
    }
}

/// Hands out fresh ids from a [`Context`]; errors when they run out.
#[derive(Debug)]
pub(crate) struct IdSupply<'a> {
    ids: &'a [Uuid],
    next: usize,
}

/// The context had too few fresh ids for the command.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("the command needed more than the {0} fresh ids its context supplied")]
pub struct OutOfIds(pub usize);

impl<'a> IdSupply<'a> {
    pub(crate) fn new(ctx: &'a Context) -> Self {
        Self {
            ids: &ctx.fresh_ids,
            next: 0,
        }
    }

    pub(crate) fn next(&mut self) -> Result<Uuid, OutOfIds> {
        let id = self
            .ids
            .get(self.next)
            .copied()
            .ok_or(OutOfIds(self.ids.len()))?;
        self.next += 1;
        Ok(id)
    }
}

/// Canonical JSON: object keys sorted (byte order), no insignificant whitespace, numbers
/// and strings as serde_json writes them. Independent of whether serde_json keeps
/// insertion order in some other crate's build.
pub fn canonical_json(v: &Value) -> String {
    let mut out = String::new();
    write_canonical(v, &mut out);
    out
}

fn write_canonical(v: &Value, out: &mut String) {
    match v {
        Value::Object(m) => {
            let mut keys: Vec<&String> = m.keys().collect();
            keys.sort();
            out.push('{');
            for (i, k) in keys.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                out.push_str(&Value::String((*k).clone()).to_string());
                out.push(':');
                if let Some(x) = m.get(*k) {
                    write_canonical(x, out);
                }
            }
            out.push('}');
        }
        Value::Array(a) => {
            out.push('[');
            for (i, x) in a.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write_canonical(x, out);
            }
            out.push(']');
        }
        other => out.push_str(&other.to_string()),
    }
}

/// SHA-256 of the canonical JSON of `v`, lowercase hex.
pub fn digest(v: &Value) -> String {
    hex(&Sha256::digest(canonical_json(v).as_bytes()))
}

/// The top-level fields whose values differ between `before` and `after` (objects);
/// for a new object (`before` is `None`) every field.
pub fn changed_fields(before: Option<&Value>, after: &Value) -> Vec<FieldChange> {
    let empty = serde_json::Map::new();
    let b = before.and_then(Value::as_object).unwrap_or(&empty);
    let a = after.as_object().unwrap_or(&empty);
    let mut keys: Vec<&String> = b.keys().chain(a.keys()).collect();
    keys.sort();
    keys.dedup();
    keys.into_iter()
        .filter_map(|k| {
            let bv = b.get(k).cloned().unwrap_or(Value::Null);
            let av = a.get(k).cloned().unwrap_or(Value::Null);
            (bv != av).then(|| FieldChange {
                field: k.clone(),
                before: bv,
                after: av,
            })
        })
        .collect()
}

/// Who is recording, for building events.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Recorder<'a> {
    pub(crate) ctx: &'a Context,
    pub(crate) actor: UserId,
    pub(crate) actor_org: OrgId,
    pub(crate) root_case: Option<CaseId>,
}

impl Recorder<'_> {
    /// Builds the event for one object going from `before` to `after`.
    pub(crate) fn event<T: Serialize>(
        &self,
        ids: &mut IdSupply<'_>,
        action: &str,
        object_type: ObjectType,
        object_id: Uuid,
        before: Option<&T>,
        after: &T,
    ) -> Result<AuditEvent, OutOfIds> {
        let b = before.map(to_value);
        let a = to_value(after);
        Ok(AuditEvent {
            id: AuditEventId(ids.next()?),
            request_id: self.ctx.request_id,
            actor: self.actor,
            actor_org: self.actor_org,
            at: self.ctx.now,
            action: action.to_string(),
            object_type,
            object_id,
            root_case: self.root_case,
            changed: changed_fields(b.as_ref(), &a),
            before_digest: b.as_ref().map(digest),
            after_digest: digest(&a),
        })
    }
}

impl Recorder<'_> {
    /// Builds the event for a read of `object` (of personal data): no field changes, the
    /// object's digest before and after alike.
    pub(crate) fn read<T: Serialize>(
        &self,
        ids: &mut IdSupply<'_>,
        action: &str,
        object_type: ObjectType,
        object_id: Uuid,
        object: &T,
    ) -> Result<Read, OutOfIds> {
        let event = self.event(ids, action, object_type, object_id, Some(object), object)?;
        Ok(Read { event })
    }
}

/// The record of a read of personal data (an officer opening a complainant's contact):
/// one audit event that changes nothing. Built only by this crate's commands, like
/// [`Change`], so the store can append it to the trail knowing it writes no value.
#[derive(Debug, Clone, PartialEq)]
pub struct Read {
    event: AuditEvent,
}

impl Read {
    /// The record of an act that stores no value but whose facts belong in the trail (a
    /// screening call: who screened how many): the event lists them as new fields.
    pub(crate) fn of_event(event: AuditEvent) -> Self {
        Self { event }
    }

    /// The event.
    pub fn event(&self) -> &AuditEvent {
        &self.event
    }

    /// The event, for the store to append.
    pub fn into_event(self) -> AuditEvent {
        self.event
    }
}

/// Serializes a domain value to JSON. Domain types serialize infallibly (no maps with
/// non-string keys, no failing impls); a failure would show as `null`, never a panic.
pub(crate) fn to_value<T: Serialize>(v: &T) -> Value {
    serde_json::to_value(v).unwrap_or(Value::Null)
}

/// A non-empty list of audit events.
#[derive(Debug, Clone, PartialEq)]
pub struct Events(Vec<AuditEvent>);

impl Events {
    /// Wraps `events`, or `None` when empty.
    pub fn new(events: Vec<AuditEvent>) -> Option<Self> {
        (!events.is_empty()).then_some(Self(events))
    }

    /// The events.
    pub fn as_slice(&self) -> &[AuditEvent] {
        &self.0
    }

    /// The events, owned.
    pub fn into_vec(self) -> Vec<AuditEvent> {
        self.0
    }
}

/// The result of an accepted command: the new value and the events recording it. There
/// is no way to build one without at least one event.
#[derive(Debug, Clone, PartialEq)]
pub struct Change<T> {
    new: T,
    events: Events,
}

impl<T> Change<T> {
    /// Pairs a new value with its (non-empty) events.
    pub fn new(new: T, events: Events) -> Self {
        Self { new, events }
    }

    /// The new value.
    pub fn new_value(&self) -> &T {
        &self.new
    }

    /// The events.
    pub fn events(&self) -> &[AuditEvent] {
        self.events.as_slice()
    }

    /// Both, for the store to write in one transaction.
    pub fn into_parts(self) -> (T, Vec<AuditEvent>) {
        (self.new, self.events.into_vec())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn canonical_json_sorts_keys_at_every_depth() {
        let v = json!({"b": 1, "a": {"z": [3, {"y": 1, "x": 2}], "c": "中"}});
        assert_eq!(
            canonical_json(&v),
            r#"{"a":{"c":"中","z":[3,{"x":2,"y":1}]},"b":1}"#
        );
        assert_eq!(digest(&v).len(), 64);
    }

    #[test]
    fn changed_fields_lists_only_differences() {
        let b = json!({"state": "verifying", "version": 2, "name": "x"});
        let a = json!({"state": "opened", "version": 3, "name": "x"});
        let c = changed_fields(Some(&b), &a);
        let names: Vec<_> = c.iter().map(|f| f.field.as_str()).collect();
        assert_eq!(names, ["state", "version"]);
        assert_eq!(changed_fields(None, &a).len(), 3);
    }

    #[test]
    fn events_cannot_be_empty() {
        assert!(Events::new(Vec::new()).is_none());
    }
}
