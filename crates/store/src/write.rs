//! The one write path: a domain change (values + audit events) in one transaction.

use std::collections::HashMap;

use serde::Serialize;
use serde_json::Value as Json;
use uuid::Uuid;
use wangjian_domain::brushing::{BrushingGroup, BrushingUpload, Detected, IdentifierUpload};
use wangjian_domain::complaint::Complaint;
use wangjian_domain::credit::{
    BlacklistEntry, CaseParty, CreditRecord, CreditStanding, CreditUpdate, Disclosure,
};
use wangjian_domain::lead::{CaseLeadLink, Lead};
use wangjian_domain::notice::Notice;
use wangjian_domain::report::ReportSubmission;
use wangjian_domain::seized::SeizedItem;
use wangjian_domain::self_inspection::SelfInspection;
use wangjian_domain::supervision::Supervision;
use wangjian_domain::transfer::{AssistRequest, TransferOrder};
use wangjian_domain::{AuditEvent, Case, CaseFile, Change, Deadline, ObjectType};

use wangjian_ledger::{AuditEventEntry, CustodyEntry, Entry};

use crate::backend::Tx;
use crate::log::NewEntry;
use crate::schema::{self, Table};
use crate::value::Val;
use crate::{Store, StoreError};

/// One stored object of a change.
#[doc(hidden)]
pub enum Object<'a> {
    /// A case.
    Case(&'a Case),
    /// A deadline.
    Deadline(&'a Deadline),
    /// A transfer order.
    Transfer(&'a TransferOrder),
    /// A case–lead link.
    Link(&'a CaseLeadLink),
    /// An assist request.
    Assist(&'a AssistRequest),
    /// A supervision mark.
    Supervision(&'a Supervision),
    /// A seized item.
    Seized(&'a SeizedItem),
    /// A lead.
    Lead(&'a Lead),
    /// A complaint or report.
    Complaint(&'a Complaint),
    /// A notice to a platform.
    Notice(&'a Notice),
    /// A platform's self-inspection record.
    Inspection(&'a SelfInspection),
    /// A submitted statistics report.
    Report(&'a ReportSubmission),
    /// A credit record.
    CreditRecord(&'a CreditRecord),
    /// A subject's recorded class.
    CreditStanding(&'a CreditStanding),
    /// A blacklist entry.
    Blacklist(&'a BlacklistEntry),
    /// A penalty decision's publication.
    Disclosure(&'a Disclosure),
    /// A case's party.
    CaseParty(&'a CaseParty),
    /// A brushing group.
    BrushingGroup(&'a BrushingGroup),
    /// An upload of orders.
    BrushingUpload(&'a BrushingUpload),
    /// An upload of shop identifiers.
    IdentifierUpload(&'a IdentifierUpload),
}

/// A domain value a [`Change`] can carry, which the store knows how to write: the case
/// file, a transfer order or assist request with its deadline, a supervision mark, a
/// seized item, a lead.
pub trait Record: sealed::Sealed {
    /// The objects inside, each with its table.
    #[doc(hidden)]
    fn objects(&self) -> Vec<Object<'_>>;

    /// Evidence-log entries the change makes besides its audit events: the custody and
    /// destruction of seized goods.
    #[doc(hidden)]
    fn log_entries(&self, _events: &[AuditEvent]) -> Vec<Entry> {
        Vec::new()
    }
}

mod sealed {
    pub trait Sealed {}
}

impl sealed::Sealed for CaseFile {}
impl Record for CaseFile {
    fn objects(&self) -> Vec<Object<'_>> {
        let mut v = vec![Object::Case(&self.case)];
        v.extend(self.deadlines.iter().map(Object::Deadline));
        v.extend(self.transfers.iter().map(Object::Transfer));
        v.extend(self.links.iter().map(Object::Link));
        v
    }
}
impl sealed::Sealed for Vec<Deadline> {}
impl Record for Vec<Deadline> {
    fn objects(&self) -> Vec<Object<'_>> {
        self.iter().map(Object::Deadline).collect()
    }
}
impl sealed::Sealed for (TransferOrder, Deadline) {}
impl Record for (TransferOrder, Deadline) {
    fn objects(&self) -> Vec<Object<'_>> {
        vec![Object::Transfer(&self.0), Object::Deadline(&self.1)]
    }
}
impl sealed::Sealed for (AssistRequest, Deadline) {}
impl Record for (AssistRequest, Deadline) {
    fn objects(&self) -> Vec<Object<'_>> {
        vec![Object::Assist(&self.0), Object::Deadline(&self.1)]
    }
}
impl sealed::Sealed for Supervision {}
impl Record for Supervision {
    fn objects(&self) -> Vec<Object<'_>> {
        vec![Object::Supervision(self)]
    }
}
impl sealed::Sealed for ReportSubmission {}
impl Record for ReportSubmission {
    fn objects(&self) -> Vec<Object<'_>> {
        vec![Object::Report(self)]
    }
}
impl sealed::Sealed for SeizedItem {}
impl Record for SeizedItem {
    fn objects(&self) -> Vec<Object<'_>> {
        vec![Object::Seized(self)]
    }

    fn log_entries(&self, events: &[AuditEvent]) -> Vec<Entry> {
        events
            .iter()
            .filter(|e| e.object_type == ObjectType::SeizedItem && e.object_id == self.id.0)
            .filter_map(|e| {
                let c = match e.action.as_str() {
                    "seized.record" => CustodyEntry::seized(self, e.actor.0, e.at),
                    "seized.hand_over" => CustodyEntry::handed_over(self, self.handovers.last()?),
                    "seized.destroy" => {
                        CustodyEntry::destroyed(self, self.destruction.as_ref()?, e.at)
                    }
                    _ => return None,
                };
                Some(Entry::Custody(c))
            })
            .collect()
    }
}
impl sealed::Sealed for Complaint {}
impl Record for Complaint {
    fn objects(&self) -> Vec<Object<'_>> {
        vec![Object::Complaint(self)]
    }
}
impl sealed::Sealed for (Complaint, Lead) {}
impl Record for (Complaint, Lead) {
    fn objects(&self) -> Vec<Object<'_>> {
        vec![Object::Lead(&self.1), Object::Complaint(&self.0)]
    }
}
impl sealed::Sealed for Notice {}
impl Record for Notice {
    fn objects(&self) -> Vec<Object<'_>> {
        vec![Object::Notice(self)]
    }
}
impl sealed::Sealed for SelfInspection {}
impl Record for SelfInspection {
    fn objects(&self) -> Vec<Object<'_>> {
        vec![Object::Inspection(self)]
    }
}
impl sealed::Sealed for CreditUpdate {}
impl Record for CreditUpdate {
    fn objects(&self) -> Vec<Object<'_>> {
        let mut v: Vec<Object<'_>> = self.records.iter().map(Object::CreditRecord).collect();
        v.extend(self.entries.iter().map(Object::Blacklist));
        v.extend(self.disclosures.iter().map(Object::Disclosure));
        v.extend(self.standing.iter().map(Object::CreditStanding));
        v
    }
}
impl sealed::Sealed for (CaseFile, CreditUpdate) {}
impl Record for (CaseFile, CreditUpdate) {
    fn objects(&self) -> Vec<Object<'_>> {
        let mut v = self.0.objects();
        v.extend(self.1.objects());
        v
    }
}
impl sealed::Sealed for CaseParty {}
impl Record for CaseParty {
    fn objects(&self) -> Vec<Object<'_>> {
        vec![Object::CaseParty(self)]
    }
}
impl sealed::Sealed for BrushingGroup {}
impl Record for BrushingGroup {
    fn objects(&self) -> Vec<Object<'_>> {
        vec![Object::BrushingGroup(self)]
    }
}
impl sealed::Sealed for (BrushingGroup, Lead) {}
impl Record for (BrushingGroup, Lead) {
    fn objects(&self) -> Vec<Object<'_>> {
        vec![Object::Lead(&self.1), Object::BrushingGroup(&self.0)]
    }
}
impl sealed::Sealed for Detected {}
impl Record for Detected {
    fn objects(&self) -> Vec<Object<'_>> {
        let mut v = vec![Object::BrushingUpload(&self.upload)];
        v.extend(self.groups.iter().map(Object::BrushingGroup));
        v
    }
}
impl sealed::Sealed for IdentifierUpload {}
impl Record for IdentifierUpload {
    fn objects(&self) -> Vec<Object<'_>> {
        vec![Object::IdentifierUpload(self)]
    }
}
impl sealed::Sealed for Lead {}
impl Record for Lead {
    fn objects(&self) -> Vec<Object<'_>> {
        vec![Object::Lead(self)]
    }
}

/// The id a case–lead link has in the audit trail (the domain's convention).
pub(crate) fn link_id(l: &CaseLeadLink) -> Uuid {
    Uuid::new_v5(&l.case.0, l.lead.0.as_bytes())
}

impl Object<'_> {
    fn key(&self) -> (ObjectType, Uuid) {
        match self {
            Object::Case(c) => (ObjectType::Case, c.id.0),
            Object::Deadline(d) => (ObjectType::Deadline, d.id.0),
            Object::Transfer(t) => (ObjectType::TransferOrder, t.id.0),
            Object::Link(l) => (ObjectType::CaseLead, link_id(l)),
            Object::Assist(a) => (ObjectType::AssistRequest, a.id.0),
            Object::Supervision(s) => (ObjectType::Supervision, s.id.0),
            Object::Seized(s) => (ObjectType::SeizedItem, s.id.0),
            Object::Lead(l) => (ObjectType::Lead, l.id.0),
            Object::Complaint(c) => (ObjectType::Complaint, c.id.0),
            Object::Notice(n) => (ObjectType::Notice, n.id.0),
            Object::Inspection(i) => (ObjectType::SelfInspection, i.id.0),
            Object::Report(r) => (ObjectType::ReportSubmission, r.id.0),
            Object::CreditRecord(r) => (ObjectType::CreditRecord, r.id),
            Object::CreditStanding(c) => (ObjectType::CreditStanding, c.subject.0),
            Object::Blacklist(b) => (ObjectType::BlacklistEntry, b.id),
            Object::Disclosure(d) => (ObjectType::Disclosure, d.id),
            Object::CaseParty(p) => (ObjectType::CaseParty, p.case.0),
            Object::BrushingGroup(g) => (ObjectType::BrushingGroup, g.id),
            Object::BrushingUpload(u) => (ObjectType::BrushingUpload, u.id),
            Object::IdentifierUpload(u) => (ObjectType::IdentifierUpload, u.id),
        }
    }

    fn table(&self) -> &'static Table {
        match self {
            Object::Case(_) => &schema::CASES,
            Object::Deadline(_) => &schema::DEADLINES,
            Object::Transfer(_) => &schema::TRANSFER_ORDERS,
            Object::Link(_) => &schema::CASE_LEADS,
            Object::Assist(_) => &schema::ASSIST_REQUESTS,
            Object::Supervision(_) => &schema::SUPERVISIONS,
            Object::Seized(_) => &schema::SEIZED_ITEMS,
            Object::Lead(_) => &schema::LEADS,
            Object::Complaint(_) => &schema::COMPLAINTS,
            Object::Notice(_) => &schema::NOTICES,
            Object::Inspection(_) => &schema::SELF_INSPECTIONS,
            Object::Report(_) => &schema::REPORT_SUBMISSIONS,
            Object::CreditRecord(_) => &schema::CREDIT_RECORDS,
            Object::CreditStanding(_) => &schema::CREDIT_STANDINGS,
            Object::Blacklist(_) => &schema::BLACKLIST_ENTRIES,
            Object::Disclosure(_) => &schema::DISCLOSURES,
            Object::CaseParty(_) => &schema::CASE_PARTIES,
            Object::BrushingGroup(_) => &schema::BRUSHING_GROUPS,
            Object::BrushingUpload(_) => &schema::BRUSHING_UPLOADS,
            Object::IdentifierUpload(_) => &schema::IDENTIFIER_UPLOADS,
        }
    }

    fn version(&self) -> Option<i64> {
        Some(match self {
            Object::Case(c) => c.version,
            Object::Deadline(d) => d.version,
            Object::Transfer(t) => t.version,
            Object::Link(_) => return None,
            Object::Assist(a) => a.version,
            Object::Supervision(s) => s.version,
            Object::Seized(s) => s.version,
            Object::Lead(l) => l.version,
            Object::Complaint(c) => c.version,
            Object::Notice(n) => n.version,
            Object::Inspection(i) => i.version,
            Object::Report(r) => r.version,
            Object::CreditRecord(r) => r.version,
            Object::CreditStanding(c) => c.version,
            Object::Blacklist(b) => b.version,
            Object::Disclosure(d) => d.version,
            Object::CaseParty(p) => p.version,
            Object::BrushingGroup(g) => g.version,
            Object::BrushingUpload(u) => u.version,
            Object::IdentifierUpload(u) => u.version,
        })
    }

    /// The JSON written: the domain value plus the columns the store derives for its
    /// indexes.
    async fn json(&self, tx: &mut Tx, regions: &mut Regions) -> Result<Json, StoreError> {
        let mut v = to_json(match self {
            Object::Case(c) => serde_json::to_value(c),
            Object::Deadline(d) => serde_json::to_value(d),
            Object::Transfer(t) => serde_json::to_value(t),
            Object::Link(l) => serde_json::to_value(l),
            Object::Assist(a) => serde_json::to_value(a),
            Object::Supervision(s) => serde_json::to_value(s),
            Object::Seized(s) => serde_json::to_value(s),
            Object::Lead(l) => serde_json::to_value(l),
            Object::Complaint(c) => serde_json::to_value(c),
            Object::Notice(n) => return notice_json(n),
            Object::Inspection(i) => return inspection_json(i),
            Object::Report(r) => serde_json::to_value(r),
            Object::CreditRecord(r) => serde_json::to_value(r),
            Object::CreditStanding(c) => serde_json::to_value(c),
            Object::Blacklist(b) => serde_json::to_value(b),
            Object::Disclosure(d) => serde_json::to_value(d),
            Object::CaseParty(p) => serde_json::to_value(p),
            Object::BrushingGroup(g) => serde_json::to_value(g),
            Object::BrushingUpload(u) => serde_json::to_value(u),
            Object::IdentifierUpload(u) => serde_json::to_value(u),
        })?;
        match self {
            Object::Case(c) => {
                let region = regions.of(tx, c.responsible_org.0).await?;
                v["region"] = Json::String(region);
                v["is_open"] = Json::Bool(!c.state.is_final());
                // The officer whose queue the case is in: the case officer once opened,
                // the verifier before.
                let assignee = c.case_officer.or(c.verifier);
                v["assignee"] = serde_json::to_value(assignee).unwrap_or(Json::Null);
            }
            Object::Deadline(d) => {
                let region = regions.of(tx, d.org.0).await?;
                v["region"] = Json::String(region);
                v["kind"] = Json::String(d.kind().as_str().to_string());
                v["paused"] = Json::Bool(d.is_paused());
            }
            Object::Lead(l) => {
                v["dedup_key_canonical"] = Json::String(l.dedup_key.canonical());
            }
            _ => {}
        }
        Ok(v)
    }
}

// The row JSON of notices and self-inspection records lives here, below both the write
// path and `notices.rs` (which writes batches of notices with it).
/// The row JSON of a notice: the domain value plus `open_listing`.
pub(crate) fn notice_json(n: &Notice) -> Result<Json, StoreError> {
    let mut v = json_of(n)?;
    v["open_listing"] = if n.state.is_open() {
        Json::String(n.listing.to_string())
    } else {
        Json::Null
    };
    Ok(v)
}

/// The row JSON of a self-inspection record: the domain value plus `listing_count`.
pub(crate) fn inspection_json(i: &SelfInspection) -> Result<Json, StoreError> {
    let mut v = json_of(i)?;
    v["listing_count"] = Json::from(i.listings.len() as i64);
    Ok(v)
}

fn to_json(r: Result<Json, serde_json::Error>) -> Result<Json, StoreError> {
    r.map_err(|e| StoreError::Corrupt(format!("serializing a domain value: {e}")))
}

/// Region codes of organizations, looked up once per transaction.
#[derive(Default)]
pub(crate) struct Regions(HashMap<Uuid, String>);

impl Regions {
    pub(crate) async fn of(&mut self, tx: &mut Tx, org: Uuid) -> Result<String, StoreError> {
        if let Some(r) = self.0.get(&org) {
            return Ok(r.clone());
        }
        let rows = tx
            .fetch(
                "SELECT region FROM organizations WHERE id = $1",
                vec![Val::from(org)],
            )
            .await?;
        let r = match rows.first() {
            Some(row) => row.text(0)?.unwrap_or_default(),
            None => {
                return Err(StoreError::NotFound {
                    what: "organization",
                    id: org.to_string(),
                })
            }
        };
        self.0.insert(org, r.clone());
        Ok(r)
    }
}

/// What [`Store::apply`] wrote: the value, and the `seq` of each audit event in order.
#[derive(Debug, Clone, PartialEq)]
pub struct Applied<T> {
    /// The new value, as stored.
    pub value: T,
    /// The audit events' sequence numbers.
    pub seqs: Vec<i64>,
}

impl Store {
    /// Writes a domain change in one transaction: every object an event names (a new
    /// object, `version` 1, is inserted; a changed one, `version` v, replaces version
    /// v − 1 or the whole change fails with [`StoreError::Conflict`]), then the audit
    /// events. Nothing is written unless all of it is.
    pub async fn apply<T: Record>(&self, change: Change<T>) -> Result<Applied<T>, StoreError> {
        let mut tx = self.pool.begin_write().await?;
        let (value, events) = change.into_parts();
        let seqs = write_change(&mut tx, &value, &events).await?;
        tx.commit().await?;
        Ok(Applied { value, seqs })
    }
}

/// THE write path: every domain change goes through here, inside the caller's
/// transaction. Values first, then their audit events.
pub(crate) async fn write_change<T: Record>(
    tx: &mut Tx,
    value: &T,
    events: &[AuditEvent],
) -> Result<Vec<i64>, StoreError> {
    let mut regions = Regions::default();
    for obj in value.objects() {
        let key = obj.key();
        if events.iter().any(|e| (e.object_type, e.object_id) == key) {
            write_object(tx, &obj, &mut regions).await?;
        }
    }
    append_audit(tx, events, value.log_entries(events)).await
}

async fn write_object(
    tx: &mut Tx,
    obj: &Object<'_>,
    regions: &mut Regions,
) -> Result<(), StoreError> {
    let table = obj.table();
    let json = obj.json(tx, regions).await?;
    let vals = table.values(&json)?;
    let id = obj.key().1.to_string();
    match obj.version() {
        Some(v) if v > 1 => {
            let mut args = vals;
            args.push(Val::Int(Some(v - 1)));
            let n = tx.exec(&table.update_sql(), args).await?;
            if n == 0 {
                return Err(StoreError::Conflict {
                    table: table.name,
                    id,
                    expected: v - 1,
                });
            }
        }
        _ => {
            // A new row. Its id taken already means another writer created it first.
            match tx.exec(&table.insert_sql(1), vals).await {
                Ok(_) => {}
                Err(e) if e.is_unique_violation() => {
                    return Err(StoreError::Conflict {
                        table: table.name,
                        id,
                        expected: 0,
                    })
                }
                Err(e) => return Err(e),
            }
        }
    }
    Ok(())
}

/// Appends audit events; returns their `seq`s. Each event is also appended to the
/// evidence log (with `extra` entries, the custody of seized goods, after them) inside this
/// transaction, so the trail and the log commit together or not at all.
pub(crate) async fn append_audit(
    tx: &mut Tx,
    events: &[AuditEvent],
    extra: Vec<Entry>,
) -> Result<Vec<i64>, StoreError> {
    if events.is_empty() {
        return Ok(Vec::new());
    }
    // Serialize appenders so that seq order is commit order (see crate docs), and so the
    // log has one appender at a time. SQLite has one writer at a time already.
    crate::log::lock(tx).await?;
    let seqs = insert_audit_events(tx, events).await?;
    let mut entries = Vec::with_capacity(events.len() + extra.len());
    for (e, seq) in events.iter().zip(&seqs) {
        let entry = AuditEventEntry::from_event(e)
            .map_err(|err| StoreError::Corrupt(format!("audit event {}: {err}", e.id)))?;
        entries.push(NewEntry {
            entry: Entry::AuditEvent(entry),
            audit_seq: Some(*seq),
        });
    }
    entries.extend(extra.into_iter().map(|entry| NewEntry {
        entry,
        audit_seq: None,
    }));
    crate::log::append(tx, &entries).await?;
    Ok(seqs)
}

/// Inserts the audit events' rows (nothing else); returns their `seq`s.
pub(crate) async fn insert_audit_events(
    tx: &mut Tx,
    events: &[AuditEvent],
) -> Result<Vec<i64>, StoreError> {
    let table = &schema::AUDIT_EVENTS;
    let mut seqs = Vec::with_capacity(events.len());
    let sql = format!("{} RETURNING seq", table.insert_sql(1));
    for e in events {
        let json = to_json(serde_json::to_value(e))?;
        let rows = match tx.fetch(&sql, table.values(&json)?).await {
            Ok(r) => r,
            Err(err) if err.is_unique_violation() => {
                return Err(StoreError::Duplicate(format!("audit event {}", e.id)))
            }
            Err(err) => return Err(err),
        };
        let seq = rows
            .first()
            .ok_or_else(|| StoreError::Corrupt("insert returned no seq".into()))?
            .int(0)?;
        seqs.push(seq);
    }
    Ok(seqs)
}

/// Serializes a value for a JSON column.
pub(crate) fn json_of<T: Serialize>(v: &T) -> Result<Json, StoreError> {
    to_json(serde_json::to_value(v))
}

/// What a put did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Written {
    /// A new row (version 1).
    Inserted,
    /// The row existed with other content; it now has this version.
    Updated(i64),
    /// The row existed with the same content; nothing was written.
    Unchanged,
}

/// Insert, or update when the content differs (version + 1, checked).
pub(crate) async fn put_versioned(
    tx: &mut Tx,
    table: &Table,
    id: Uuid,
    mut json: Json,
) -> Result<Written, StoreError> {
    let sql = format!(
        "SELECT {} FROM {} WHERE id = $1",
        table.select_list(""),
        table.name
    );
    let rows = tx.fetch(&sql, vec![Val::from(id)]).await?;
    let Some(row) = rows.first() else {
        json["version"] = Json::from(1);
        tx.exec(&table.insert_sql(1), table.values(&json)?).await?;
        return Ok(Written::Inserted);
    };
    let stored_values = table.decode(row)?;
    let old_version = table
        .cols
        .iter()
        .position(|c| c.name == "version")
        .and_then(|i| match stored_values.get(i) {
            Some(Val::Int(Some(v))) => Some(*v),
            _ => None,
        })
        .ok_or_else(|| StoreError::Corrupt(format!("{} {id} has no version", table.name)))?;
    json["version"] = Json::from(old_version);
    if table.values(&json)?
        == table
            .insert_cols()
            .iter()
            .zip(stored_values)
            .map(|(_, v)| v)
            .collect::<Vec<_>>()
    {
        return Ok(Written::Unchanged);
    }
    json["version"] = Json::from(old_version + 1);
    let mut args = table.values(&json)?;
    args.push(Val::Int(Some(old_version)));
    if tx.exec(&table.update_sql(), args).await? == 0 {
        return Err(StoreError::Conflict {
            table: table.name,
            id: id.to_string(),
            expected: old_version,
        });
    }
    Ok(Written::Updated(old_version + 1))
}
