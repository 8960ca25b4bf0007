//! Notice and takedown (通知—删除) and platforms' duties (自查自纠): sending notices one by
//! one or thousands at once (one request, one transaction per batch), every later step
//! by the party the domain's table names, the lists behind the policy, self-inspection
//! records, and the figures computed from them ([`weekly`], [`metrics`]).
//!
//! The rules are the domain's (`wangjian_domain::notice`); this layer loads, asks the
//! [`policy`](crate::policy), checks what only the record knows (the listing exists and is
//! on that platform, it has no open notice, the linked case is not closed) and stores the
//! change with its audit events.

pub mod metrics;
pub mod weekly;

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use serde::Deserialize;
use wangjian_domain::complaint::{ComplaintId, ComplaintState};
use wangjian_domain::notice::{
    self, Draft, Facts, Notice, NoticeAction, NoticeError, NoticeId, NoticeRules, NoticeSource,
    NoticeState, StepInput,
};
use wangjian_domain::self_inspection::{self, InspectionError, InspectionInput, SelfInspection};
use wangjian_domain::{CaseId, Context, ListingId, OrgId, OrgKind};
use wangjian_store::{NoticeQuery, Page, StoreError};

use crate::error::AppError;
use crate::policy::{
    decide, list_scope, may_send_notices, Action, Party, Resource, ResourceKind, Scope,
};
use crate::workflow::check_version;
use crate::{App, Call};

/// Most listings in one request (a scan's or a lead list's worth). A larger set is sent
/// as several batches, each one transaction.
pub const MAX_BATCH: usize = 10_000;

/// A domain refusal of a notice command as an [`AppError`].
pub fn notice_error(e: NoticeError) -> AppError {
    match e {
        NoticeError::Invalid { field, message } => AppError::invalid(field, message),
        NoticeError::Party(why) => AppError::Forbidden(why),
        NoticeError::State { .. } | NoticeError::Guard(_) | NoticeError::Deadline(_) => {
            AppError::rule(e)
        }
        NoticeError::OutOfIds(_) => AppError::Unavailable(e.to_string()),
    }
}

fn inspection_error(e: InspectionError) -> AppError {
    match e {
        InspectionError::Invalid { field, message } => AppError::invalid(field, message),
        InspectionError::OutOfIds(_) => AppError::Unavailable(e.to_string()),
    }
}

/// The policy's view of a notice.
pub fn notice_resource(n: &Notice) -> Resource {
    Resource::Notice {
        sender: n.sender,
        recipient: n.recipient,
    }
}

/// What a sender sends: one platform, one or many listings, one ground.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct SendNotices {
    /// The platform.
    pub platform: OrgId,
    /// The listings (one notice each).
    pub listings: Vec<ListingId>,
    /// The right infringed and the preliminary evidence (第四十二条: 初步证据).
    pub ground: String,
    /// The case the notices belong to (the sender's open case).
    #[serde(default)]
    pub case: Option<CaseId>,
    /// The accepted complaint they are forwarded from (the handling agency sends them).
    #[serde(default)]
    pub complaint: Option<ComplaintId>,
}

fn rules() -> Result<&'static NoticeRules, AppError> {
    NoticeRules::defaults().map_err(|e| AppError::Unavailable(e.to_string()))
}

impl App {
    /// Sends notices to a platform, one per listing, in one transaction: all or none.
    /// Refused, naming the item (`listings[3]`), when a listing does not exist, is on
    /// another platform, appears twice, or already has an open notice.
    pub async fn send_notices(
        &self,
        call: &Call,
        req: &SendNotices,
    ) -> Result<Vec<Notice>, AppError> {
        let m = call.member()?;
        let sender = m.actor.org;
        let probe = Resource::Notice {
            sender,
            recipient: req.platform,
        };
        may_send_notices(&call.principal).into_result()?;
        if !decide(&call.principal, Action::Write, &probe).is_allow() {
            return Err(AppError::Forbidden(
                "you do not send notices for this organization".into(),
            ));
        }
        if req.listings.is_empty() {
            return Err(AppError::invalid("listings", "name at least one listing"));
        }
        if req.listings.len() > MAX_BATCH {
            return Err(AppError::invalid(
                "listings",
                format!("at most {MAX_BATCH} listings per request; send more as several batches"),
            ));
        }
        let platform = self.store().organization(req.platform).await?;
        if !platform.is_some_and(|o| matches!(o.kind, OrgKind::Platform)) {
            return Err(AppError::invalid("platform", "not a platform"));
        }
        let source = match req.complaint {
            Some(id) => {
                let c = self
                    .visible_complaint(call, id)
                    .await
                    .map_err(|e| e.at("complaint"))?;
                if c.handler != sender {
                    return Err(AppError::Forbidden(
                        "only the agency handling the complaint forwards it".into(),
                    ));
                }
                if !matches!(c.state, ComplaintState::Accepted | ComplaintState::Handled) {
                    return Err(AppError::RuleViolation(format!(
                        "complaint: a {} complaint is not forwarded; accept it first",
                        c.state.as_str()
                    )));
                }
                NoticeSource::Complaint
            }
            None if matches!(m.org_kind, OrgKind::RightsHolder) => NoticeSource::RightsHolder,
            None => NoticeSource::AgencyOrder,
        };
        if let Some(case) = req.case {
            let (file, _) = self
                .visible_case(call, case)
                .await
                .map_err(|e| e.at("case"))?;
            if file.case.state.is_final() {
                return Err(AppError::RuleViolation(
                    "case: the case is closed; no notice is sent on it".into(),
                ));
            }
        }
        let targets = self.store().notice_targets(&req.listings).await?;
        let open = self.store().open_notices_on(&req.listings).await?;
        let mut seen: HashMap<ListingId, usize> = HashMap::with_capacity(req.listings.len());
        let mut drafts = Vec::with_capacity(req.listings.len());
        for (i, l) in req.listings.iter().enumerate() {
            let field = format!("listings[{i}]");
            let Some(t) = targets.get(l) else {
                return Err(AppError::invalid(field, format!("no listing {l}")));
            };
            if t.platform != req.platform {
                return Err(AppError::invalid(
                    field,
                    "the listing is on another platform",
                ));
            }
            if let Some(j) = seen.insert(*l, i) {
                return Err(AppError::invalid(
                    field,
                    format!("the same listing as listings[{j}]"),
                ));
            }
            if let Some(n) = open.get(l) {
                return Err(AppError::RuleViolation(format!(
                    "{field}: the listing already has an open notice ({n}); one open notice per listing"
                )));
            }
            drafts.push(Draft {
                recipient: req.platform,
                listing: *l,
                shop: t.shop,
                ground: req.ground.clone(),
                source,
                complaint: req.complaint,
                case: req.case,
            });
        }
        let cal = self.calendar().await?;
        let ctx = Context::new_v7(call.request, call.now, 2 * drafts.len());
        let change = notice::send(&drafts, sender, m.actor.user, rules()?, &cal, &ctx)
            .map_err(notice_error)?;
        match self.store().send_notices(change).await {
            Ok(a) => Ok(a.value),
            Err(StoreError::Duplicate(why)) => Err(AppError::RuleViolation(format!(
                "{why}: one open notice per listing; nothing was sent"
            ))),
            Err(e) => Err(e.into()),
        }
    }

    /// A notice the caller may read; any other id is [`AppError::NotFound`].
    pub async fn visible_notice(&self, call: &Call, id: NoticeId) -> Result<Notice, AppError> {
        let n = self.store().notice(id).await?.ok_or(AppError::NotFound)?;
        decide(&call.principal, Action::Read, &notice_resource(&n)).into_result()?;
        Ok(n)
    }

    /// Takes one step on a notice as its sender or its platform (the domain's table says
    /// which): refused when out of order, by the wrong party, or once the linked case is
    /// closed; nothing changes then.
    pub async fn notice_step(
        &self,
        call: &Call,
        id: NoticeId,
        action: NoticeAction,
        input: &StepInput,
        expected_version: Option<i64>,
    ) -> Result<Notice, AppError> {
        let m = call.member()?;
        let n = self.visible_notice(call, id).await?;
        decide(&call.principal, Action::Write, &notice_resource(&n)).into_result()?;
        check_version(expected_version, n.version)?;
        let case_closed = match n.case {
            Some(c) => self.store().case_file(c).await?.case.state.is_final(),
            None => false,
        };
        let cal = self.calendar().await?;
        let ctx = self.context(call);
        let change = notice::apply(
            &n,
            action,
            input,
            m.actor.user,
            m.actor.org,
            Facts { case_closed },
            rules()?,
            &cal,
            &ctx,
        )
        .map_err(notice_error)?;
        Ok(self.store().apply(change).await?.value)
    }

    /// The store query that shows the caller exactly the notices it may read, or `None`
    /// when it may read none.
    pub fn notice_query(&self, call: &Call) -> Option<NoticeQuery> {
        match list_scope(&call.principal, ResourceKind::Notice) {
            Scope::Parties { org, parties } => {
                let mut q = NoticeQuery {
                    limit: 50,
                    ..Default::default()
                };
                match parties.as_slice() {
                    [Party::Sender] => q.sender = Some(org),
                    [Party::Recipient] => q.recipient = Some(org),
                    _ => return None,
                }
                Some(q)
            }
            _ => None,
        }
    }

    /// A page of the notices the caller may read, newest first.
    pub async fn notices(
        &self,
        call: &Call,
        state: Option<NoticeState>,
        after: Option<wangjian_store::Cursor>,
        limit: u32,
    ) -> Result<Page<Notice>, AppError> {
        let Some(mut q) = self.notice_query(call) else {
            return Ok(Page {
                items: vec![],
                next: None,
            });
        };
        q.state = state;
        q.after = after;
        q.limit = limit;
        Ok(self.store().notices(&q).await?)
    }

    /// Records a platform's own action on one of its shops (自查自纠), as its operator; the
    /// listings named must be the platform's.
    pub async fn record_self_inspection(
        &self,
        call: &Call,
        input: &InspectionInput,
    ) -> Result<SelfInspection, AppError> {
        let m = call.member()?;
        let platform = m.actor.org;
        if !decide(
            &call.principal,
            Action::Write,
            &Resource::PlatformDuties { platform },
        )
        .is_allow()
        {
            return Err(AppError::Forbidden(
                "only a platform's operators record its self-inspection".into(),
            ));
        }
        let targets = self.store().notice_targets(&input.listings).await?;
        for (i, l) in input.listings.iter().enumerate() {
            match targets.get(l) {
                Some(t) if t.platform == platform => {}
                Some(_) => {
                    return Err(AppError::invalid(
                        format!("listings[{i}]"),
                        "not your platform's listing",
                    ))
                }
                None => {
                    return Err(AppError::invalid(
                        format!("listings[{i}]"),
                        format!("no listing {l}"),
                    ))
                }
            }
        }
        let ctx = self.context(call);
        let change = self_inspection::record(input, platform, m.actor.user, &ctx)
            .map_err(inspection_error)?;
        let rec = self.store().apply(change).await?.value;
        // The action enters the credit file of the shop's subject, where the registry
        // knows it (once per inspection record).
        let source = match self.store().organization(platform).await? {
            Some(o) => o.name,
            None => String::new(),
        };
        let new = wangjian_domain::credit::NewRecord {
            kind: wangjian_domain::credit::CreditRecordKind::SelfInspection,
            source,
            on: wangjian_calendar::shanghai_date(rec.at),
            legal_basis: "《电子商务法》第二十九条（平台对违法经营者采取必要处置措施）".into(),
            reference: format!("self-inspection:{}", rec.id.0),
            summary: format!("平台自查自纠：{}（{}）", rec.action.label_zh(), rec.reason),
            fine_fen: None,
        };
        self.add_shop_credit_record(call, platform, &rec.shop, &new)
            .await?;
        Ok(rec)
    }

    /// A platform's self-inspection records between two instants, newest first.
    pub async fn self_inspections(
        &self,
        call: &Call,
        platform: OrgId,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> Result<Vec<SelfInspection>, AppError> {
        decide(
            &call.principal,
            Action::Read,
            &Resource::PlatformDuties { platform },
        )
        .into_result()?;
        Ok(self.store().self_inspections(platform, from, to).await?)
    }
}
