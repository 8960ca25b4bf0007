//! The layouts of the reports: which columns, in which order, with which Chinese headers,
//! and how each cell is computed from the store's figures. Our design of 附件2 (weekly case
//! progress) and of the monthly and half-year statistics is documented in
//! `docs/reports.md`.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use wangjian_calendar::shanghai_date;
use wangjian_domain::case::CaseState;
use wangjian_domain::org::{AgencyType, OrgKind, Organization};
use wangjian_domain::report::{Cell, Column, Format, ReportTable};
use wangjian_domain::supervision::SupervisionLevel;
use wangjian_domain::OrgId;
use wangjian_store::{DecidedPenalty, HandlingCounts, ProgressCase, SentNotice, StepCount};

/// The columns of the weekly case progress table (附件2).
pub fn case_progress_columns() -> Vec<Column> {
    use Format::*;
    vec![
        Column::new("seq", "序号", "No.", Count, 6),
        Column::new("number", "案件编号", "Case number", Text, 24),
        Column::new("title", "案件名称", "Case", Text, 32),
        Column::new("unit", "承办单位", "Agency", Text, 24),
        Column::new("opened_on", "立案日期", "Opened", Text, 12),
        Column::new("state", "办理状态", "State", Text, 12),
        Column::new("supervision", "督办级别", "Supervision", Text, 12),
        Column::new(
            "amount_involved",
            "涉案金额(元)",
            "Amount involved (yuan)",
            Fen,
            16,
        ),
        Column::new("fine", "罚款(元)", "Fine (yuan)", Fen, 14),
        Column::new("confiscated", "没收(元)", "Confiscated (yuan)", Fen, 14),
        Column::new("progress", "本期进展", "Steps this period", Text, 40),
        Column::new("transfers", "移送情况", "Transfers and referrals", Text, 36),
    ]
}

/// The columns of the monthly and half-year statistics; the first names the unit (a
/// unit's report) or the agency type (an office's aggregate).
pub fn statistics_columns(aggregate: bool) -> Vec<Column> {
    use Format::*;
    let first = if aggregate {
        Column::new("group", "单位类别", "Agency type", Text, 16)
    } else {
        Column::new("group", "填报单位", "Reporting unit", Text, 24)
    };
    vec![
        first,
        Column::new("units", "单位数", "Units", Count, 8),
        Column::new("cases_opened", "立案(件)", "Cases opened", Count, 10),
        Column::new("cases_closed", "结案(件)", "Cases closed", Count, 10),
        Column::new(
            "penalty_decisions",
            "处罚决定(件)",
            "Penalty decisions",
            Count,
            12,
        ),
        Column::new(
            "amount_involved",
            "涉案金额(元)",
            "Amount involved (yuan)",
            Fen,
            16,
        ),
        Column::new("fines", "罚款(元)", "Fines (yuan)", Fen, 16),
        Column::new("confiscated", "没收(元)", "Confiscated (yuan)", Fen, 16),
        Column::new(
            "criminal_referrals",
            "移送公安(件)",
            "Criminal referrals",
            Count,
            12,
        ),
        Column::new(
            "transfers",
            "移送其他部门(件)",
            "Transfers to other agencies",
            Count,
            14,
        ),
        Column::new(
            "disclosed_on_time",
            "按时公示(件)",
            "Decisions published on time",
            Count,
            12,
        ),
        Column::new(
            "disclosed_late",
            "逾期公示(件)",
            "Decisions published late",
            Count,
            12,
        ),
        Column::new(
            "complaints_received",
            "收到投诉举报(件)",
            "Complaints and reports received",
            Count,
            14,
        ),
        Column::new(
            "complaints_decided",
            "办结投诉举报(件)",
            "Complaints and reports decided",
            Count,
            14,
        ),
        Column::new(
            "notices_sent",
            "通知删除(件)",
            "Takedown notices sent",
            Count,
            12,
        ),
        Column::new(
            "takedown_hours_median",
            "下架用时中位数(小时)",
            "Median hours to takedown",
            Text,
            14,
        ),
        Column::new(
            "platform_reports",
            "收到平台周报(份)",
            "Platform weekly reports received",
            Count,
            14,
        ),
    ]
}

/// How the notice columns are counted.
pub const NOTICES_NOTE: &str =
    "通知删除:本期内本单位发出的通知数;下架用时中位数:其中平台已处理的通知自发出至平台处理决定的小时数中位数 (notices sent in the period; median hours from sending to the platform's decision)";

/// The Chinese label of a case step in the audit trail (`case.open` → 立案).
pub fn step_label_zh(action: &str) -> &str {
    match action.strip_prefix("case.").unwrap_or(action) {
        "register" => "线索登记",
        "start_verification" => "核查",
        "open" => "立案",
        "decline" => "不予立案",
        "begin_investigation" => "调查取证",
        "request_testing" => "送检鉴定",
        "complete_testing" => "检验鉴定完成",
        "issue_penalty_notice" => "处罚告知",
        "decide_penalty" => "作出处罚决定",
        "begin_enforcement" => "执行",
        "record_disclosure" => "公示",
        "close" => "结案",
        "refer_to_police" => "移送公安",
        "acknowledge_referral" => "公安回执",
        "refuse_referral" => "公安不予接收",
        "police_file" => "公安立案",
        "police_decline" => "公安不予立案",
        "transfer_out" => "移送其他部门",
        "accept_transfer" => "接收移送",
        "refuse_transfer" => "拒收移送",
        "suspend" => "中止",
        "resume" => "恢复",
        "terminate" => "终止",
        "reassign_officer" => "更换办案人员",
        "extend_deadline" => "延期",
        "link_lead" => "关联线索",
        other => other,
    }
}

fn transfer_status_zh(s: &str) -> &str {
    match s {
        "sent" => "待接收",
        "accepted" => "已接收",
        "refused" => "已拒收",
        "feedback_reported" => "已反馈",
        other => other,
    }
}

fn state_zh(s: &str) -> String {
    serde_json::from_value::<CaseState>(serde_json::Value::String(s.to_string()))
        .map(|st| st.label_zh().to_string())
        .unwrap_or_else(|_| s.to_string())
}

fn level_zh(s: &str) -> String {
    serde_json::from_value::<SupervisionLevel>(serde_json::Value::String(s.to_string()))
        .map(|l| l.label_zh().to_string())
        .unwrap_or_else(|_| s.to_string())
}

fn mmdd(t: DateTime<Utc>) -> String {
    shanghai_date(t).format("%m-%d").to_string()
}

fn org_name(names: &BTreeMap<OrgId, &Organization>, id: OrgId) -> String {
    names
        .get(&id)
        .map(|o| o.name.clone())
        .unwrap_or_else(|| id.to_string())
}

/// Fills the weekly case progress table (附件2).
pub fn case_progress(
    t: &mut ReportTable,
    cases: &[ProgressCase],
    names: &BTreeMap<OrgId, &Organization>,
) {
    t.columns = case_progress_columns();
    t.rows = cases
        .iter()
        .enumerate()
        .map(|(i, c)| {
            let penalty = c.penalty.as_ref();
            let fen = |f: fn(&wangjian_domain::case::PenaltyDecision) -> i64| {
                penalty.map(|p| Cell::Int(f(p))).unwrap_or(Cell::Empty)
            };
            let progress: Vec<String> = c
                .steps
                .iter()
                .map(|(a, at)| format!("{} {}", mmdd(*at), step_label_zh(a)))
                .collect();
            let transfers: Vec<String> = c
                .transfers
                .iter()
                .map(|(kind, to, status, at)| {
                    let what = if kind == "criminal_referral" {
                        "移送公安"
                    } else {
                        "移送"
                    };
                    format!(
                        "{} {what} {}({})",
                        mmdd(*at),
                        org_name(names, *to),
                        transfer_status_zh(status)
                    )
                })
                .collect();
            vec![
                Cell::Int(i as i64 + 1),
                Cell::Text(c.number.clone()),
                Cell::Text(c.title.clone()),
                Cell::Text(org_name(names, c.org)),
                c.opening
                    .as_ref()
                    .map(|o| Cell::Text(o.on.to_string()))
                    .unwrap_or(Cell::Empty),
                Cell::Text(state_zh(&c.state)),
                c.supervision
                    .as_deref()
                    .map(|l| Cell::Text(level_zh(l)))
                    .unwrap_or(Cell::Empty),
                fen(|p| p.amount_involved_fen),
                fen(|p| p.fine_fen),
                fen(|p| p.confiscated_fen),
                if progress.is_empty() {
                    Cell::Empty
                } else {
                    Cell::Text(progress.join(";"))
                },
                if transfers.is_empty() {
                    Cell::Empty
                } else {
                    Cell::Text(transfers.join(";"))
                },
            ]
        })
        .collect();
}

/// The columns of the platform weekly report of violating shops (附件1), in the order of
/// [`crate::notices::weekly::COLUMNS_ZH`].
pub fn platform_weekly_columns() -> Vec<Column> {
    use Format::*;
    let keys: [(&str, &str, Format, u16); 12] = [
        ("platform", "Platform", Text, 24),
        ("week", "Week", Text, 10),
        ("listings_patrolled", "Listings patrolled", Count, 12),
        ("listings_removed", "Listings removed or blocked", Count, 12),
        (
            "listings_removed_proactively",
            "Of which found by the platform",
            Count,
            12,
        ),
        ("shops_warned", "Shops warned", Count, 10),
        ("shops_rectified", "Shops ordered to rectify", Count, 12),
        ("shops_closed", "Shops closed", Count, 10),
        ("notices_received", "Notices received", Count, 10),
        ("notices_acted", "Notices acted on", Count, 10),
        (
            "acted_within_deadline",
            "Acted on within the deadline",
            Count,
            10,
        ),
        (
            "leads_to_regulators",
            "Leads passed to regulators",
            Count,
            12,
        ),
    ];
    keys.iter()
        .zip(crate::notices::weekly::COLUMNS_ZH)
        .map(|((k, en, f, w), zh)| Column::new(k, zh, en, *f, *w))
        .collect()
}

/// Fills the platform weekly report (附件1): one row per platform; with more than one
/// (an office's aggregate), a total row (合计).
pub fn platform_weekly(t: &mut ReportTable, figures: &[crate::notices::weekly::PlatformWeekly]) {
    t.columns = platform_weekly_columns();
    let nums = |f: &crate::notices::weekly::PlatformWeekly| {
        [
            f.listings_patrolled,
            f.listings_removed,
            f.listings_removed_proactively,
            f.shops_warned,
            f.shops_rectified,
            f.shops_closed,
            f.notices_received,
            f.notices_acted,
            f.acted_within_deadline,
            f.leads_to_regulators,
        ]
    };
    let mut total = [0i64; 10];
    t.rows = figures
        .iter()
        .map(|f| {
            let n = nums(f);
            for (a, b) in total.iter_mut().zip(n) {
                *a += b;
            }
            let mut row = vec![
                Cell::Text(f.platform_name.clone()),
                Cell::Text(f.week.clone()),
            ];
            row.extend(n.map(Cell::Int));
            row
        })
        .collect();
    if t.aggregate {
        let mut row = vec![Cell::Text("合计".into()), Cell::Text(t.period.to_string())];
        row.extend(total.map(Cell::Int));
        t.rows.push(row);
    }
}

/// What the statistics are computed from.
pub struct Figures<'a> {
    /// Case steps per agency and action.
    pub steps: &'a [StepCount],
    /// Penalty decisions.
    pub penalties: &'a [DecidedPenalty],
    /// Complaints and disclosures per agency.
    pub handling: &'a [(OrgId, HandlingCounts)],
    /// Platform weekly reports received in the period from the region.
    pub platform_reports: u64,
    /// Notices sent: (sender, sent at, decided at).
    pub notices: &'a [SentNotice],
}

/// The median of `v` (hours), one decimal; empty when there is none.
fn median_hours(v: &mut [i64]) -> Cell {
    if v.is_empty() {
        return Cell::Empty;
    }
    v.sort_unstable();
    let n = v.len();
    // Seconds to hours; the mean of the two middle values for an even count.
    let secs = if n % 2 == 1 {
        v[n / 2] as f64
    } else {
        (v[n / 2 - 1] + v[n / 2]) as f64 / 2.0
    };
    Cell::Text(format!("{:.1}", secs / 3600.0))
}

#[derive(Default, Clone)]
struct Sums {
    units: i64,
    opened: i64,
    closed: i64,
    decisions: i64,
    amount: i64,
    fines: i64,
    confiscated: i64,
    referrals: i64,
    transfers: i64,
    on_time: i64,
    late: i64,
    received: i64,
    decided: i64,
    notices: i64,
    takedown_secs: Vec<i64>,
}

impl Sums {
    fn add(&mut self, o: &Sums) {
        self.units += o.units;
        self.opened += o.opened;
        self.closed += o.closed;
        self.decisions += o.decisions;
        self.amount += o.amount;
        self.fines += o.fines;
        self.confiscated += o.confiscated;
        self.referrals += o.referrals;
        self.transfers += o.transfers;
        self.on_time += o.on_time;
        self.late += o.late;
        self.received += o.received;
        self.decided += o.decided;
        self.notices += o.notices;
        self.takedown_secs.extend_from_slice(&o.takedown_secs);
    }

    fn cells(&self, group: String, platform_reports: Cell) -> Vec<Cell> {
        let c = Cell::Int;
        vec![
            Cell::Text(group),
            c(self.units),
            c(self.opened),
            c(self.closed),
            c(self.decisions),
            c(self.amount),
            c(self.fines),
            c(self.confiscated),
            c(self.referrals),
            c(self.transfers),
            c(self.on_time),
            c(self.late),
            c(self.received),
            c(self.decided),
            c(self.notices),
            median_hours(&mut self.takedown_secs.clone()),
            platform_reports,
        ]
    }
}

/// Fills the monthly or half-year statistics: one row for a unit; for an office's
/// aggregate one row per agency type present in its region (in the order of
/// [`AgencyType::ALL`]) and a total row (合计).
pub fn statistics(t: &mut ReportTable, units: &[&Organization], f: &Figures<'_>) {
    t.columns = statistics_columns(t.aggregate);
    let mut per_org: BTreeMap<OrgId, Sums> = units
        .iter()
        .map(|u| {
            (
                u.id,
                Sums {
                    units: 1,
                    ..Sums::default()
                },
            )
        })
        .collect();
    for s in f.steps {
        if let Some(x) = per_org.get_mut(&s.org) {
            let n = s.count as i64;
            match s.action.as_str() {
                "case.open" => x.opened += n,
                "case.close" => x.closed += n,
                "case.decide_penalty" => x.decisions += n,
                "case.refer_to_police" => x.referrals += n,
                "case.transfer_out" => x.transfers += n,
                _ => {}
            }
        }
    }
    for p in f.penalties {
        if let Some(x) = per_org.get_mut(&p.org) {
            x.amount += p.penalty.amount_involved_fen;
            x.fines += p.penalty.fine_fen;
            x.confiscated += p.penalty.confiscated_fen;
        }
    }
    for (org, h) in f.handling {
        if let Some(x) = per_org.get_mut(org) {
            x.on_time += h.disclosed_on_time as i64;
            x.late += h.disclosed_late as i64;
            x.received += h.complaints_received as i64;
            x.decided += h.complaints_decided as i64;
        }
    }
    for (org, sent, decided) in f.notices {
        if let Some(x) = per_org.get_mut(org) {
            x.notices += 1;
            if let Some(d) = decided {
                x.takedown_secs.push((*d - *sent).num_seconds().max(0));
            }
        }
    }
    t.notes = vec![NOTICES_NOTE.to_string()];
    let reports = Cell::Int(f.platform_reports as i64);
    if !t.aggregate {
        let sums = units
            .first()
            .and_then(|u| per_org.get(&u.id))
            .cloned()
            .unwrap_or_default();
        t.rows = vec![sums.cells(t.unit_name.clone(), reports)];
        return;
    }
    let type_of = |o: &Organization| match o.kind {
        OrgKind::Agency { agency_type, .. } => Some(agency_type),
        _ => None,
    };
    let mut total = Sums::default();
    t.rows = vec![];
    for ty in AgencyType::ALL {
        let mut sums = Sums::default();
        let mut present = false;
        for u in units.iter().filter(|u| type_of(u) == Some(ty)) {
            present = true;
            if let Some(x) = per_org.get(&u.id) {
                sums.add(x);
            }
        }
        if present {
            total.add(&sums);
            t.rows
                .push(sums.cells(ty.label_zh().to_string(), Cell::Empty));
        }
    }
    t.rows.push(total.cells("合计".to_string(), reports));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn median_takedown_hours() {
        assert_eq!(median_hours(&mut []), Cell::Empty);
        assert_eq!(median_hours(&mut [7200]), Cell::Text("2.0".into()));
        // Even count: the mean of the two middle values (1 h and 4 h).
        assert_eq!(
            median_hours(&mut [14_400, 3600, 90_000, 0]),
            Cell::Text("2.5".into())
        );
    }
}
