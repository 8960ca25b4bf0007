//! Brushing (刷单炒信, issue 18): a platform sends a month of orders (or an officer imports
//! them), the detector of `wangjian-brushing` finds the suspicious groups, and they are
//! stored with their evidence orders; agencies review them (confirm, dismiss) and turn one
//! into a lead and a case through the ordinary lead and case commands. A confirmed group
//! is a finding relevant to the shops' credit records ([`findings`]).

use std::collections::{HashMap, HashSet};

use chrono::NaiveDate;
use serde::Serialize;
use uuid::Uuid;
use wangjian_brushing::{detect, parse_order_line, Config, Decision, Group, OrdersBuilder};
use wangjian_domain::brushing::{
    self as domain, group_id_for, BrushingError, BrushingGroup, BrushingUpload, GroupReason,
    GroupState,
};
use wangjian_domain::{CaseFile, Context, LeadId, OrgId, RegionCode, ShopId};
use wangjian_store::{EvidenceOrder, GroupFilter};

use crate::error::AppError;
use crate::policy::{
    decide, list_scope, may_upload_shop_data, Action, Party, Resource, ResourceKind, Scope,
};
use crate::workflow::check_version;
use crate::workflow::networks::LineProblem;
use crate::{App, Call};

/// Evidence orders kept per group (the earliest; the group's count says how many).
pub const MAX_EVIDENCE: usize = 2_000;
/// Largest upload of orders (bytes).
pub const MAX_ORDERS_BYTES: usize = 512 * 1024 * 1024;

/// What an upload of orders did.
#[derive(Debug, Clone, Serialize)]
pub struct OrdersReport {
    /// The upload.
    pub upload: Uuid,
    /// The platform whose orders these are.
    pub platform: OrgId,
    /// Lines read (blank lines left out).
    pub lines: u64,
    /// Orders kept.
    pub orders: usize,
    /// Refused lines, with their numbers (the rest was used).
    pub bad_lines: Vec<LineProblem>,
    /// The suspicious groups found, best first, as stored (a group found before keeps
    /// its review).
    pub groups: Vec<BrushingGroup>,
}

/// A brushing finding confirmed by an agency, for the shop's credit record (信用记录):
/// the event another module (credit files) subscribes to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct BrushingFinding {
    /// The group.
    pub group: Uuid,
    /// The shop's platform.
    pub platform: OrgId,
    /// The platform's shop id.
    pub shop: String,
    /// The shop's id in the registry.
    pub shop_id: ShopId,
    /// The day it was confirmed (China's date).
    pub date: NaiveDate,
    /// The agency that confirmed it.
    pub confirmed_by: OrgId,
    /// Why: the rule and the group's reasons.
    pub basis: String,
}

/// The findings of a confirmed group, one per shop; none unless confirmed.
pub fn findings(g: &BrushingGroup) -> Vec<BrushingFinding> {
    let Some(review) = g
        .review
        .as_ref()
        .filter(|_| g.state == GroupState::Confirmed)
    else {
        return Vec::new();
    };
    let reasons: Vec<&str> = g.reasons.iter().map(|r| r.detail.as_str()).collect();
    let basis = format!(
        "刷单炒信（《电子商务法》第十七条、《反不正当竞争法》第八条）：{}",
        reasons.join("；")
    );
    g.shops
        .iter()
        .map(|s| BrushingFinding {
            group: g.id,
            platform: g.platform,
            shop: s.clone(),
            shop_id: wangjian_domain::lead::shop_id_for(g.platform, s),
            date: wangjian_calendar::shanghai_date(review.at),
            confirmed_by: review.org,
            basis: basis.clone(),
        })
        .collect()
}

fn brushing_error(e: BrushingError) -> AppError {
    match e {
        BrushingError::Empty(f) => AppError::invalid(f, "required"),
        BrushingError::TooLong(f, n) => AppError::invalid(f, format!("at most {n} characters")),
        other => AppError::rule(other),
    }
}

/// The store's filter for a list scope of brushing groups.
pub fn group_filter(scope: &Scope) -> GroupFilter {
    let mut f = GroupFilter::default();
    fn add(f: &mut GroupFilter, s: &Scope) {
        match s {
            Scope::Nothing | Scope::Published => {}
            Scope::All => f.all = true,
            Scope::Region(r) => f.regions.push(r.prefix().to_string()),
            Scope::Parties { org, parties } => {
                for p in parties {
                    match p {
                        Party::GroupPlatform => f.platforms.push(*org),
                        Party::LeadOfShop => f.lead_orgs.push(*org),
                        _ => {}
                    }
                }
            }
            Scope::AnyOf(v) => v.iter().for_each(|s| add(f, s)),
        }
    }
    add(&mut f, scope);
    f
}

/// What detection made of an upload's text (no I/O: runs on a blocking thread).
struct Detection {
    lines: u64,
    orders: usize,
    bad: Vec<LineProblem>,
    groups: Vec<Group>,
    evidence: HashMap<String, EvidenceOrder>,
}

fn run_detection(text: &str) -> Detection {
    let mut builder = OrdersBuilder::new();
    let mut bad = Vec::new();
    let mut lines = 0u64;
    for (i, line) in text.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        lines += 1;
        if let Err(e) = builder.push_line(line) {
            bad.push(LineProblem {
                line: i as u64 + 1,
                field: None,
                message: e.to_string(),
            });
        }
    }
    let (orders, _) = builder.finish();
    let n = orders.len();
    let report = detect(&orders, &Config::default());
    let groups: Vec<Group> = report
        .groups
        .into_iter()
        .filter(|g| g.decision == Decision::Suspicious)
        .collect();
    let wanted: HashSet<&str> = groups
        .iter()
        .flat_map(|g| g.evidence.iter().take(MAX_EVIDENCE).map(String::as_str))
        .collect();
    let mut evidence = HashMap::new();
    for line in text.lines() {
        if wanted.is_empty() {
            break;
        }
        let Ok(o) = parse_order_line(line) else {
            continue;
        };
        if !wanted.contains(o.order_id.as_ref()) {
            continue;
        }
        evidence.insert(
            o.order_id.to_string(),
            EvidenceOrder {
                order_id: o.order_id.to_string(),
                buyer: o.buyer.to_string(),
                shop: o.shop.to_string(),
                listing: o.listing.to_string(),
                time: wangjian_brushing::order::format_cst(o.time),
                amount: o.amount,
                address: o.address.map(|s| s.to_string()),
                device: o.device.map(|s| s.to_string()),
                ip: o.ip.map(|s| s.to_string()),
                review: o.review.map(|s| s.to_string()),
            },
        );
    }
    Detection {
        lines,
        orders: n,
        bad,
        groups,
        evidence,
    }
}

impl App {
    /// Uploads a month of a platform's orders (JSON Lines, one order a line: `order_id`,
    /// `buyer`, `shop`, `listing`, `time`, `amount`, optional `address`, `device`, `ip`,
    /// `review`, `weight`, `logistics`), detects the brushing groups and stores them with
    /// their evidence orders, in one transaction. A platform's operator uploads its own
    /// orders; an agency's officer importing names the `platform`.
    pub async fn upload_orders(
        &self,
        call: &Call,
        platform: Option<&str>,
        text: String,
    ) -> Result<OrdersReport, AppError> {
        may_upload_shop_data(&call.principal).into_result()?;
        let m = call.member()?.clone();
        if text.len() > MAX_ORDERS_BYTES {
            return Err(AppError::invalid(
                "body",
                format!("at most {MAX_ORDERS_BYTES} bytes per upload"),
            ));
        }
        let platform = self.upload_platform(call, platform).await?;
        let d = tokio::task::spawn_blocking(move || run_detection(&text))
            .await
            .map_err(|e| AppError::Unavailable(format!("detection failed: {e}")))?;
        let upload = BrushingUpload {
            id: Uuid::now_v7(),
            platform,
            by: m.actor.user,
            by_org: m.actor.org,
            at: call.now,
            lines: d.lines as i64,
            orders: d.orders as i64,
            bad_lines: d.bad.len() as i64,
            groups: d.groups.len() as i64,
            version: 1,
        };
        let mut found = Vec::with_capacity(d.groups.len());
        let mut evidence = Vec::with_capacity(d.groups.len());
        for g in &d.groups {
            let id = group_id_for(platform, &g.group_id);
            found.push(BrushingGroup {
                id,
                platform,
                upload: upload.id,
                group_key: g.group_id.clone(),
                score: g.score,
                decision: "suspicious".into(),
                accounts: g.accounts.clone(),
                shops: g.shops.clone(),
                listings: g.listings.clone(),
                orders: g.orders as i64,
                window_first: g.window.first.clone(),
                window_last: g.window.last.clone(),
                reasons: g
                    .reasons
                    .iter()
                    .map(|r| GroupReason {
                        code: r.code.to_string(),
                        detail: r.detail.clone(),
                    })
                    .collect(),
                detected_at: call.now,
                state: GroupState::Open,
                review: None,
                lead: None,
                version: 0,
            });
            let mut orders: Vec<EvidenceOrder> = g
                .evidence
                .iter()
                .take(MAX_EVIDENCE)
                .filter_map(|o| d.evidence.get(o).cloned())
                .collect();
            orders.sort_by(|a, b| a.time.cmp(&b.time).then(a.order_id.cmp(&b.order_id)));
            evidence.push((id, orders));
        }
        let ids: Vec<Uuid> = found.iter().map(|g| g.id).collect();
        let stored = self.store().brushing_groups_by_id(&ids).await?;
        let ctx = Context::new_v7(call.request, call.now, found.len() + 8);
        let change =
            domain::detected(upload, found, &stored, &m.actor, &ctx).map_err(brushing_error)?;
        let applied = self.store().record_detection(change, &evidence).await?;
        // The groups as stored now, best first.
        let mut groups = self.store().brushing_groups_by_id(&ids).await?;
        groups.sort_by(|a, b| b.score.total_cmp(&a.score).then(a.id.cmp(&b.id)));
        Ok(OrdersReport {
            upload: applied.value.upload.id,
            platform,
            lines: d.lines,
            orders: d.orders,
            bad_lines: d.bad,
            groups,
        })
    }

    /// The policy's view of a group.
    pub async fn group_facts(&self, g: &BrushingGroup) -> Result<Resource, AppError> {
        let shop_regions = self
            .store()
            .brushing_group_regions(g.id)
            .await?
            .iter()
            .filter_map(|r| RegionCode::parse(r).ok())
            .collect();
        let lead_org = match g.lead {
            Some(l) => self.store().lead_detail(l).await?.map(|d| d.row.lead.org),
            None => None,
        };
        Ok(Resource::BrushingGroup {
            platform: g.platform,
            shop_regions,
            lead_org,
        })
    }

    pub(crate) async fn group_readable(
        &self,
        call: &Call,
        g: &BrushingGroup,
    ) -> Result<bool, AppError> {
        let res = self.group_facts(g).await?;
        Ok(decide(&call.principal, Action::Read, &res).is_allow())
    }

    /// A group the caller may read; any other id is [`AppError::NotFound`].
    pub async fn visible_group(&self, call: &Call, id: Uuid) -> Result<BrushingGroup, AppError> {
        let g = self
            .store()
            .brushing_group(id)
            .await?
            .ok_or(AppError::NotFound)?;
        decide(&call.principal, Action::Read, &self.group_facts(&g).await?).into_result()?;
        Ok(g)
    }

    /// A group with its evidence orders.
    pub async fn group_detail(
        &self,
        call: &Call,
        id: Uuid,
    ) -> Result<(BrushingGroup, Vec<EvidenceOrder>), AppError> {
        let g = self.visible_group(call, id).await?;
        let e = self.store().brushing_evidence(id).await?;
        Ok((g, e))
    }

    /// The groups the caller may read, best first, optionally of one state.
    pub async fn groups(
        &self,
        call: &Call,
        state: Option<GroupState>,
        limit: i64,
    ) -> Result<Vec<BrushingGroup>, AppError> {
        let filter = group_filter(&list_scope(&call.principal, ResourceKind::BrushingGroup));
        Ok(self
            .store()
            .brushing_groups(&filter, state.map(GroupState::as_str), limit)
            .await?)
    }

    async fn writable_group(
        &self,
        call: &Call,
        id: Uuid,
        expected_version: Option<i64>,
    ) -> Result<BrushingGroup, AppError> {
        let g = self.visible_group(call, id).await?;
        decide(&call.principal, Action::Write, &self.group_facts(&g).await?).into_result()?;
        check_version(expected_version, g.version)?;
        Ok(g)
    }

    /// Confirms or dismisses an open group (a note is required to dismiss); a
    /// confirmation answers with the findings for the shops' credit records.
    pub async fn review_group(
        &self,
        call: &Call,
        id: Uuid,
        confirm: bool,
        note: &str,
        expected_version: Option<i64>,
    ) -> Result<(BrushingGroup, Vec<BrushingFinding>), AppError> {
        let m = call.member()?;
        let g = self.writable_group(call, id, expected_version).await?;
        let was = g.state;
        let change = domain::review(&g, confirm, note, &m.actor, &self.context(call))
            .map_err(brushing_error)?;
        let g = self.store().apply(change).await?.value;
        let f = findings(&g);
        if was != GroupState::Confirmed {
            self.record_findings(call, &f).await?;
        }
        Ok((g, f))
    }

    /// Each confirmed finding enters the credit file of the shop's subject, where the
    /// registry knows it ([`App::add_shop_credit_record`]; once per group and shop).
    async fn record_findings(&self, call: &Call, f: &[BrushingFinding]) -> Result<(), AppError> {
        let source = match self.store().organization(call.member()?.actor.org).await? {
            Some(o) => o.name,
            None => String::new(),
        };
        for x in f {
            let new = wangjian_domain::credit::NewRecord {
                kind: wangjian_domain::credit::CreditRecordKind::BrushingFinding,
                source: source.clone(),
                on: x.date,
                legal_basis: "《电子商务法》第十七条；《反不正当竞争法》第八条".into(),
                reference: format!("brushing-group:{}:{}", x.group, x.shop),
                summary: x.basis.clone(),
                fine_fen: None,
            };
            self.add_shop_credit_record(call, x.platform, &x.shop, &new)
                .await?;
        }
        Ok(())
    }

    /// Turns a group into a lead of the caller's agency (confirming it when open); with
    /// a `case_title`, registers a case (立案登记) from that lead through
    /// [`App::register_case`] as well.
    pub async fn group_to_lead(
        &self,
        call: &Call,
        id: Uuid,
        case_title: Option<&str>,
        expected_version: Option<i64>,
    ) -> Result<
        (
            BrushingGroup,
            LeadId,
            Option<CaseFile>,
            Vec<BrushingFinding>,
        ),
        AppError,
    > {
        let m = call.member()?;
        let g = self.writable_group(call, id, expected_version).await?;
        let was = g.state;
        if let Some(t) = case_title {
            if t.trim().is_empty() {
                return Err(AppError::invalid("title", "a title (案由) for the case"));
            }
        }
        let change = domain::to_lead(&g, &m.actor, &self.context(call)).map_err(brushing_error)?;
        let (g, lead) = self.store().apply(change).await?.value;
        let case = match case_title {
            Some(t) => Some(self.register_case(call, t, &[lead.id]).await?),
            None => None,
        };
        let f = findings(&g);
        if was != GroupState::Confirmed {
            self.record_findings(call, &f).await?;
        }
        Ok((g, lead.id, case, f))
    }
}
