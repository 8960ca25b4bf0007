//! The demo's reporting calendar (issue 16): the member units' weekly case progress
//! tables (附件2) and the latest monthly and half-year statistics, submitted on their due days through the
//! use case (`App::submit_report`: generated from the demo's record, frozen with their
//! SHA-256, audited), and one report left late — 宁波市市场监督管理局's latest weekly
//! table — so the coordination office's board shows a late report whatever the date.

use chrono::{Duration, NaiveDate};
use uuid::Uuid;
use wangjian_app::{App, Call, Principal};
use wangjian_calendar::Calendar;
use wangjian_domain::report::{self, Period, PeriodKind, ReportKind};
use wangjian_domain::RequestId;

use crate::{noon, step_err, DemoError};

/// Weekly tables submitted per unit, counting back from the last one due before today.
const WEEKS: usize = 3;

/// Submits the demo's reports; returns how many.
pub(crate) async fn submissions(
    app: &App,
    today: NaiveDate,
    calendar: &Calendar,
) -> Result<u64, DemoError> {
    let mut n = 0;
    for login in [
        "hz_chief",
        "xh_chief",
        "nb_chief",
        "police",
        "zj_chief",
        "hs_chief",
        "ip_chief",
        "platform",
        crate::brushing::OTHER_OPERATOR,
    ] {
        let m = app
            .member_by_login(login, None)
            .await
            .map_err(|e| step_err("reports", e))?;
        // The weekly periods whose due day is before today, newest first.
        let mut due = vec![];
        let mut p = Period::containing(PeriodKind::Week, today);
        while due.len() < WEEKS {
            // A platform files its weekly report of violating shops (附件1), an agency
            // the weekly case progress table (附件2).
            let weekly = if ReportKind::PlatformWeekly.filed_by(&m.org_kind) {
                ReportKind::PlatformWeekly
            } else {
                ReportKind::CaseProgress
            };
            let d = report::due(weekly, p, &m.org_kind, calendar)
                .map_err(|e| step_err("reports", e))?;
            if d.due < today {
                due.push(d);
            }
            p = p.prev();
        }
        // The latest monthly and half-year statistics whose due day has passed.
        for (kind, pk) in [
            (ReportKind::Monthly, PeriodKind::Month),
            (ReportKind::HalfYear, PeriodKind::Half),
        ] {
            if !kind.filed_by(&m.org_kind) {
                continue;
            }
            let mut p = Period::containing(pk, today);
            loop {
                let d = report::due(kind, p, &m.org_kind, calendar)
                    .map_err(|e| step_err("reports", e))?;
                if d.due < today {
                    due.push(d);
                    break;
                }
                p = p.prev();
            }
        }
        for (i, d) in due.iter().enumerate() {
            // nb has not sent its latest weekly table: late on the board.
            if login == "nb_chief" && i == 0 {
                continue;
            }
            let call = Call {
                principal: Principal::Member(m.clone()),
                request: RequestId(Uuid::now_v7()),
                // 16:00 on the due day (noon + 4 h).
                now: noon(d.due) + Duration::hours(4),
            };
            app.submit_report(&call, d.kind, d.period)
                .await
                .map_err(|e| step_err(&format!("report {} {} by {login}", d.kind, d.period), e))?;
            n += 1;
        }
    }
    Ok(n)
}
