//! Credit (issue 17): the flow decision → credit file → class → blacklist → screening →
//! public disclosure, as use cases.
//!
//! - A case's party (当事人) is named ([`App::name_case_party`]); when the case's penalty
//!   is decided ([`App::transition`] with `decide_penalty`), the decision's credit record,
//!   the re-assessed class and the pending disclosure are written **in the same change**
//!   as the case ([`wangjian_domain::credit::on_penalty_decided`]). A case without a named
//!   party takes the one subject its leads name, if exactly one; with none the decision
//!   is stored without a credit record (the credit file cannot know whom it concerns).
//! - Other records (a platform's self-inspection, a confirmed brushing finding) come in
//!   through [`App::add_credit_record`].
//! - The list: [`App::enter_blacklist`], [`App::repair_blacklist`]; expiry is read from
//!   the dates against China's date today.
//! - Screening: [`App::screen`] against an index built from the store's current list,
//!   cached and rebuilt when the list's rows change or the day turns (an entry expiring).
//!   Each call is recorded (who, how many), never the candidates.
//! - Disclosure: [`App::publish_decision`] (a supervisor's approval), the public reads
//!   ([`App::public_decisions`], [`App::public_blacklist`]) and the board of late ones
//!   ([`App::disclosure_board`]).
//!
//! The rules (`crates/domain/data/credit.toml`) are the embedded defaults, or the file
//! named by `WANGJIAN_CREDIT_RULES`, read once per process.

use std::sync::{Arc, OnceLock};

use chrono::NaiveDate;
use serde::Serialize;
use uuid::Uuid;
use wangjian_calendar::shanghai_date;
use wangjian_domain::case::{self, CaseFile, Env};
use wangjian_domain::credit::{
    self, Assessment, BlacklistEntry, BlacklistState, CaseParty, CreditError, CreditFile,
    CreditRecord, CreditRules, CreditUpdate, Decider, Disclosure, ListingDecision, NewRecord,
    PublicDecision, RepairApplication,
};
use wangjian_domain::{CaseCommand, CaseId, Change, Events, SubjectId};
use wangjian_screen::{Index, Options, Record, Screening};
use wangjian_store::{DisclosureQuery, StoreError};

use crate::error::AppError;
use crate::policy::{
    decide, disclosure_board_scope, may_add_credit_record, may_enter_blacklist,
    may_read_credit_file, may_repair_blacklist, may_screen, Action, BoardScope, Resource,
};
use crate::workflow::check_version;
use crate::{App, Call};

static RULES: OnceLock<Result<CreditRules, String>> = OnceLock::new();

/// The credit rules in force: `WANGJIAN_CREDIT_RULES` (a file in the shape of
/// `crates/domain/data/credit.toml`) when set, else the embedded defaults.
pub fn credit_rules() -> Result<&'static CreditRules, AppError> {
    RULES
        .get_or_init(|| match std::env::var_os("WANGJIAN_CREDIT_RULES") {
            Some(path) => std::fs::read_to_string(&path)
                .map_err(|e| format!("reading {}: {e}", path.to_string_lossy()))
                .and_then(|t| {
                    CreditRules::parse(&t).map_err(|e| format!("{}: {e}", path.to_string_lossy()))
                }),
            None => CreditRules::defaults().map_err(|e| e.to_string()),
        })
        .as_ref()
        .map_err(|e| AppError::Unavailable(e.clone()))
}

/// A domain refusal as an [`AppError`].
pub fn credit_error(e: CreditError) -> AppError {
    match e {
        CreditError::Empty(field) => AppError::invalid(field, e.to_string()),
        CreditError::Invalid { field, ref reason } => AppError::invalid(field, reason.clone()),
        CreditError::Role(r) => AppError::Forbidden(r),
        CreditError::Rule(r) => AppError::rule(r),
        CreditError::Rules(_) | CreditError::Ids(_) => AppError::Unavailable(e.to_string()),
    }
}

/// A blacklist entry with its state today.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct EntryView {
    /// The entry.
    #[serde(flatten)]
    pub entry: BlacklistEntry,
    /// Active, expired or repaired, today.
    pub state: BlacklistState,
}

/// A credit file as an officer reads it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CreditFileView {
    /// The subject.
    pub subject: wangjian_domain::subject::Subject,
    /// Its records, oldest first.
    pub records: Vec<CreditRecord>,
    /// The class today, with the reasons.
    pub assessment: Assessment,
    /// The class last recorded (audited when it changes).
    pub recorded_class: Option<credit::CreditClass>,
    /// The list history, oldest first, with each entry's state today.
    pub blacklist: Vec<EntryView>,
    /// The rules' source for the classes.
    pub classes_source: String,
}

/// One listed subject as published (the JSON Lines a platform's `wangjian screen --list`
/// reads: `id`, `name`, `uscc`, `domain`, and the decision).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PublicEntry {
    /// The listed subject's id (what screening reports).
    pub id: String,
    /// Name (a natural person's masked).
    pub name: String,
    /// 统一社会信用代码.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub uscc: Option<String>,
    /// Website domain.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub domain: Option<String>,
    /// Legal basis.
    pub legal_basis: String,
    /// The listing decision's number.
    pub decision_number: String,
    /// The deciding organization.
    pub deciding_org: String,
    /// First day listed.
    pub start: NaiveDate,
    /// The day it leaves the list.
    pub end: NaiveDate,
}

/// A disclosure on the board, with whether it is late today.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct BoardRow {
    /// The disclosure.
    #[serde(flatten)]
    pub disclosure: Disclosure,
    /// Pending past its deadline, or published after it.
    pub late: bool,
}

/// The screening index and what it was built from.
pub struct CachedIndex {
    key: (i64, i64, NaiveDate),
    /// The index.
    pub index: Arc<Index>,
}

/// The entry a listed subject is in the screening index: the subject's id, its name and
/// identifiers.
impl std::fmt::Debug for CachedIndex {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CachedIndex")
            .field("key", &self.key)
            .finish_non_exhaustive()
    }
}

fn screen_record(e: &BlacklistEntry) -> Record {
    Record {
        id: Some(e.subject.to_string()),
        name: Some(e.subject_name.clone()),
        uscc: e.uscc.iter().cloned().collect(),
        domain: e.domain.iter().cloned().collect(),
        ..Record::default()
    }
}

fn is_person_entry(e: &BlacklistEntry) -> bool {
    e.uscc.is_none() && e.domain.is_none()
}

impl App {
    fn today(call: &Call) -> NaiveDate {
        shanghai_date(call.now)
    }

    /// Runs a `decide_penalty` command with its credit consequences in the same change
    /// (called by [`App::transition`]).
    pub(crate) async fn decide_penalty_with_credit(
        &self,
        call: &Call,
        file: &CaseFile,
        command: &CaseCommand,
        env: Env<'_>,
    ) -> Result<CaseFile, AppError> {
        let m = call.member()?;
        let ctx = self.context(call);
        let change = case::apply(file, &m.actor, command, env, &ctx)
            .map_err(|e| AppError::from(StoreError::Case(e)))?;
        let Some(subject) = self.party_of(file).await? else {
            return Ok(self.store().apply(change).await?.value);
        };
        let store = self.store();
        let credit_file = store
            .credit_file(subject)
            .await?
            .ok_or_else(|| AppError::rule("the case's party is not a stored subject"))?;
        let org = store
            .organization(file.case.responsible_org)
            .await?
            .ok_or_else(|| AppError::Unavailable("the case's agency is not stored".into()))?;
        let decider = Decider {
            name: org.name.clone(),
            region: org.region.as_str().to_string(),
        };
        let (new_file, mut events) = change.into_parts();
        let credit = credit::on_penalty_decided(
            &new_file.case,
            &credit_file,
            &decider,
            &m.actor,
            credit_rules()?,
            env.calendar,
            &self.context(call),
        )
        .map_err(credit_error)?;
        let (update, more) = credit.into_parts();
        events.extend(more);
        let events = Events::new(events)
            .ok_or_else(|| AppError::Unavailable("a change without events".into()))?;
        let applied = store.apply(Change::new((new_file, update), events)).await?;
        Ok(applied.value.0)
    }

    /// The subject a case's penalty concerns: its named party, else the one subject its
    /// leads name.
    async fn party_of(&self, file: &CaseFile) -> Result<Option<SubjectId>, AppError> {
        if let Some(p) = self.store().case_party(file.case.id).await? {
            return Ok(Some(p.subject));
        }
        let mut found: Vec<SubjectId> = Vec::new();
        for link in &file.links {
            if let Some(lead) = self.store().lead(link.lead).await? {
                if let Some(s) = lead.subject {
                    if !found.contains(&s) {
                        found.push(s);
                    }
                }
            }
        }
        Ok((found.len() == 1).then(|| found[0]))
    }

    /// Names the party (当事人) of a case the caller may change; refused once the
    /// penalty is decided.
    pub async fn name_case_party(
        &self,
        call: &Call,
        case: CaseId,
        subject: SubjectId,
    ) -> Result<CaseParty, AppError> {
        let m = call.member()?;
        let (file, _) = self.writable_case(call, case).await?;
        if self.store().subject(subject).await?.is_none() {
            return Err(AppError::invalid("subject", "no subject has this id"));
        }
        let before = self.store().case_party(case).await?;
        let change = credit::name_party(
            &file.case,
            before.as_ref(),
            subject,
            &m.actor,
            &self.context(call),
        )
        .map_err(credit_error)?;
        Ok(self.store().apply(change).await?.value)
    }

    async fn readable_credit_file(
        &self,
        call: &Call,
        subject: SubjectId,
    ) -> Result<CreditFile, AppError> {
        may_read_credit_file(&call.principal).into_result()?;
        self.store()
            .credit_file(subject)
            .await?
            .ok_or(AppError::NotFound)
    }

    /// A subject's credit file: records, the class today with its reasons, the list
    /// history.
    pub async fn credit_file(
        &self,
        call: &Call,
        subject: SubjectId,
    ) -> Result<CreditFileView, AppError> {
        let f = self.readable_credit_file(call, subject).await?;
        let rules = credit_rules()?;
        let today = Self::today(call);
        Ok(CreditFileView {
            assessment: f.assess(rules, today),
            recorded_class: f.standing.as_ref().map(|s| s.class),
            blacklist: f
                .entries
                .iter()
                .map(|e| EntryView {
                    entry: e.clone(),
                    state: e.state_on(today),
                })
                .collect(),
            subject: f.subject,
            records: f.records,
            classes_source: rules.classes_source.clone(),
        })
    }

    /// Subjects by name or credit code, for finding a credit file.
    pub async fn find_subjects(
        &self,
        call: &Call,
        q: &str,
    ) -> Result<Vec<wangjian_domain::subject::Subject>, AppError> {
        may_read_credit_file(&call.principal).into_result()?;
        if q.trim().is_empty() {
            return Ok(Vec::new());
        }
        Ok(self.store().find_subjects(q, 50).await?)
    }

    /// Adds a record to a subject's credit file (a platform's self-inspection action, a
    /// confirmed brushing finding, …): source, date, legal basis; the class re-assessed.
    pub async fn add_credit_record(
        &self,
        call: &Call,
        subject: SubjectId,
        new: &NewRecord,
    ) -> Result<CreditRecord, AppError> {
        may_add_credit_record(&call.principal, new.kind).into_result()?;
        let f = self
            .store()
            .credit_file(subject)
            .await?
            .ok_or_else(|| AppError::invalid("subject", "no subject has this id"))?;
        self.add_record_to(call, &f, new).await
    }

    /// Adds `new` to the file `f` as read (the permission already decided).
    async fn add_record_to(
        &self,
        call: &Call,
        f: &CreditFile,
        new: &NewRecord,
    ) -> Result<CreditRecord, AppError> {
        let m = call.member()?;
        let change = credit::add_record(f, &m.actor, new, credit_rules()?, &self.context(call))
            .map_err(credit_error)?;
        let applied = self.store().apply(change).await?;
        applied
            .value
            .records
            .into_iter()
            .next()
            .ok_or_else(|| AppError::Unavailable("no record written".into()))
    }

    /// Adds a record to the credit file of the subject behind a platform's shop, when the
    /// registry knows that subject (a platform supplies it with its real-name data). `None`
    /// when it does not — the finding stays with its source (the group, the inspection
    /// record) — or when the file already holds a record with the same `reference`, so a
    /// repeated call adds nothing. The record is written after its source was stored, in
    /// a transaction of its own: the source stands whether or not the shop's subject is
    /// known.
    pub async fn add_shop_credit_record(
        &self,
        call: &Call,
        platform: wangjian_domain::OrgId,
        shop: &str,
        new: &NewRecord,
    ) -> Result<Option<CreditRecord>, AppError> {
        may_add_credit_record(&call.principal, new.kind).into_result()?;
        let id = wangjian_domain::lead::shop_id_for(platform, shop);
        let Some(subject) = self.store().shop(id).await?.and_then(|s| s.subject) else {
            return Ok(None);
        };
        let Some(f) = self.store().credit_file(subject).await? else {
            return Ok(None);
        };
        if f.records.iter().any(|r| r.reference == new.reference) {
            return Ok(None);
        }
        self.add_record_to(call, &f, new).await.map(Some)
    }

    /// Enters a subject on the serious-violation list.
    pub async fn enter_blacklist(
        &self,
        call: &Call,
        subject: SubjectId,
        decision: &ListingDecision,
    ) -> Result<BlacklistEntry, AppError> {
        let m = call.member()?;
        may_enter_blacklist(&call.principal).into_result()?;
        let f = self
            .store()
            .credit_file(subject)
            .await?
            .ok_or_else(|| AppError::invalid("subject", "no subject has this id"))?;
        let org = self
            .store()
            .organization(m.actor.org)
            .await?
            .ok_or_else(|| {
                AppError::Unavailable("the caller's organization is not stored".into())
            })?;
        let decider = Decider {
            name: org.name,
            region: org.region.as_str().to_string(),
        };
        let change = credit::enter_blacklist(
            &f,
            &m.actor,
            &decider,
            decision,
            credit_rules()?,
            &self.context(call),
        )
        .map_err(credit_error)?;
        let applied = self.store().apply(change).await?;
        applied
            .value
            .entries
            .into_iter()
            .next()
            .ok_or_else(|| AppError::Unavailable("no entry written".into()))
    }

    /// Grants credit repair of an entry (early removal).
    pub async fn repair_blacklist(
        &self,
        call: &Call,
        entry: Uuid,
        expected_version: Option<i64>,
        application: &RepairApplication,
    ) -> Result<BlacklistEntry, AppError> {
        let m = call.member()?;
        let e = self
            .store()
            .blacklist_entry(entry)
            .await?
            .ok_or(AppError::NotFound)?;
        may_repair_blacklist(&call.principal, e.deciding_org).into_result()?;
        check_version(expected_version, e.version)?;
        let f = self
            .store()
            .credit_file(e.subject)
            .await?
            .ok_or_else(|| AppError::Unavailable("an entry without its subject".into()))?;
        let change = credit::repair_blacklist(
            &f,
            &e,
            &m.actor,
            application,
            credit_rules()?,
            &self.context(call),
        )
        .map_err(credit_error)?;
        let applied = self.store().apply(change).await?;
        applied
            .value
            .entries
            .into_iter()
            .next()
            .ok_or_else(|| AppError::Unavailable("no entry written".into()))
    }

    /// The list on the caller's day, as published (a person's name masked), optionally
    /// filtered by name or credit code. Public.
    pub async fn public_blacklist(
        &self,
        call: &Call,
        name: Option<&str>,
        uscc: Option<&str>,
    ) -> Result<Vec<PublicEntry>, AppError> {
        let today = Self::today(call);
        let entries = self.store().blacklist_on(today, name, uscc).await?;
        let mut orgs: std::collections::HashMap<wangjian_domain::OrgId, String> =
            Default::default();
        let mut out = Vec::with_capacity(entries.len());
        for e in entries {
            let org = match orgs.get(&e.deciding_org) {
                Some(n) => n.clone(),
                None => {
                    let n = self
                        .store()
                        .organization(e.deciding_org)
                        .await?
                        .map(|o| o.name)
                        .unwrap_or_default();
                    orgs.insert(e.deciding_org, n.clone());
                    n
                }
            };
            out.push(PublicEntry {
                id: e.subject.to_string(),
                name: if is_person_entry(&e) {
                    credit::mask_person_name(&e.subject_name)
                } else {
                    credit::mask_text(&e.subject_name)
                },
                uscc: e.uscc.clone(),
                domain: e.domain.clone(),
                legal_basis: credit::mask_text(&e.legal_basis),
                decision_number: credit::mask_text(&e.decision_number),
                deciding_org: org,
                start: e.start,
                end: e.end,
            });
        }
        Ok(out)
    }

    /// The screening index of the list today: cached, rebuilt when the list's rows
    /// changed or the day turned.
    pub async fn screening_index(&self, today: NaiveDate) -> Result<Arc<Index>, AppError> {
        let (n, v) = self.store().blacklist_mark().await?;
        let key = (n, v, today);
        if let Some(c) = self.screen_cache().as_ref().filter(|c| c.key == key) {
            return Ok(c.index.clone());
        }
        let entries = self.store().blacklist_on(today, None, None).await?;
        let index =
            tokio::task::spawn_blocking(move || Index::build(entries.iter().map(screen_record)))
                .await
                .map_err(|e| AppError::Unavailable(format!("building the screening index: {e}")))?
                .map_err(|e| AppError::Unavailable(format!("building the screening index: {e}")))?;
        let index = Arc::new(index);
        self.set_screen_cache(CachedIndex {
            key,
            index: index.clone(),
        });
        Ok(index)
    }

    /// Screens candidates against the list as it stands today (joint punishment,
    /// 联合惩戒): one answer per candidate, in order. The call is recorded — who, how
    /// many, how many flagged — and the candidates are not kept.
    pub async fn screen(
        &self,
        call: &Call,
        candidates: Vec<Record>,
        options: Options,
    ) -> Result<Vec<Screening>, AppError> {
        let m = call.member()?;
        may_screen(&call.principal).into_result()?;
        let index = self.screening_index(Self::today(call)).await?;
        let list_size = index.stats().entries as u64;
        let n = candidates.len() as u64;
        let out = tokio::task::spawn_blocking(move || {
            use rayon::prelude::*;
            candidates
                .par_iter()
                .map(|c| index.screen(c, &options))
                .collect::<Vec<_>>()
        })
        .await
        .map_err(|e| AppError::Unavailable(format!("screening: {e}")))?;
        let flagged = out.iter().filter(|s| !s.matches.is_empty()).count() as u64;
        let read = credit::record_screening(&m.actor, n, flagged, list_size, &self.context(call))
            .map_err(|e| AppError::Unavailable(e.to_string()))?;
        self.store().record_read(read).await?;
        Ok(out)
    }

    /// Publishes a pending disclosure (a supervisor of the deciding agency approves).
    pub async fn publish_decision(
        &self,
        call: &Call,
        id: Uuid,
        expected_version: Option<i64>,
        typical: bool,
    ) -> Result<Disclosure, AppError> {
        let m = call.member()?;
        let d = self
            .store()
            .disclosure(id)
            .await?
            .ok_or(AppError::NotFound)?;
        let res = Resource::Decision {
            org: d.org,
            published: d.status == credit::DisclosureStatus::Published,
        };
        decide(&call.principal, Action::Write, &res).into_result()?;
        check_version(expected_version, d.version)?;
        let change = credit::publish(&d, &m.actor, typical, credit_rules()?, &self.context(call))
            .map_err(credit_error)?;
        let applied = self.store().apply::<CreditUpdate>(change).await?;
        applied
            .value
            .disclosures
            .into_iter()
            .next()
            .ok_or_else(|| AppError::Unavailable("no disclosure written".into()))
    }

    /// The disclosure board: a coordination office's region's late and due-soon
    /// disclosures (due within three working days), or an agency's pending ones.
    pub async fn disclosure_board(&self, call: &Call) -> Result<Vec<BoardRow>, AppError> {
        let today = Self::today(call);
        let rows = match disclosure_board_scope(&call.principal) {
            Some(BoardScope::Region(r)) => {
                let cal = self.calendar().await?;
                let horizon = cal.add_workdays(today, 3).unwrap_or(today);
                self.store()
                    .disclosures_due(&r, today, horizon, 500)
                    .await?
            }
            Some(BoardScope::Org(o)) => self.store().pending_disclosures(o).await?,
            None => return Err(AppError::NotFound),
        };
        Ok(rows
            .into_iter()
            .map(|d| BoardRow {
                late: d.is_late(today),
                disclosure: d,
            })
            .collect())
    }

    /// The penalty decisions in public view today matching `q`, masked. Public.
    pub async fn public_decisions(
        &self,
        call: &Call,
        q: &DisclosureQuery,
        limit: u32,
        offset: u32,
    ) -> Result<Vec<PublicDecision>, AppError> {
        let today = Self::today(call);
        let rows = self
            .store()
            .public_disclosures(today, q, limit, offset)
            .await?;
        Ok(rows
            .iter()
            .filter(|d| d.is_public(today))
            .map(Disclosure::public)
            .collect())
    }
}
