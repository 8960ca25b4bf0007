//! The reports page of the console (`/reports`): the reporting calendar with its reminders
//! (late, due soon), a report generated from the record as a table with a chart, its
//! download as CSV or XLSX (through `/api/v1/reports/{kind}`), and the submit button of
//! the unit's supervisor (`POST /reports/submit`). The coordination office's board lists
//! its region's late reports ([`late_reports`]).

use axum::extract::{Form, Query, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};
use chrono::{Duration, Utc};
use maud::{html, Markup};
use serde::Deserialize;
use wangjian_app::reports::{CalendarEntry, DueStatus, Target};
use wangjian_calendar::shanghai_date;
use wangjian_domain::report::{Cell, Format, Period, ReportKind, ReportTable};
use wangjian_domain::OrgKind;

use super::{error_page, page, to_login};
use crate::chart::{bar_chart, BarChart};
use crate::i18n::{t, Lang};
use crate::state::AppState;
use crate::web::caller::Caller;
use wangjian_app::policy::Principal;

#[derive(Debug, Deserialize)]
pub(super) struct ShowQuery {
    kind: Option<String>,
    period: Option<String>,
    submitted: Option<String>,
    error: Option<String>,
}

fn status_class(s: DueStatus) -> &'static str {
    match s {
        DueStatus::Late => "overdue",
        DueStatus::DueSoon => "soon",
        DueStatus::SubmittedLate => "muted",
        _ => "",
    }
}

fn calendar_rows(lang: Lang, entries: &[CalendarEntry], office: bool) -> Markup {
    html! {
        table.list {
            thead { tr {
                th { (t(lang, "reports.due")) }
                th { (t(lang, "reports.kind")) }
                th { (t(lang, "reports.period")) }
                @if office { th { (t(lang, "reports.unit")) } }
                th { (t(lang, "reports.status")) }
            } }
            tbody {
                @for e in entries {
                    tr {
                        td {
                            (e.due.due)
                            @if e.due.provisional { " " span.provisional { (t(lang, "due.provisional")) } }
                        }
                        td { (e.due.kind.label_zh()) }
                        td {
                            a href=(format!("/reports?kind={}&period={}", e.due.kind.code(), e.due.period)) { (e.due.period.label_zh()) }
                        }
                        @if office { td { (e.unit_name) } }
                        td { span.state.(status_class(e.status)) { (e.status.label_zh()) } }
                    }
                }
            }
        }
    }
}

/// The late reports of the office's region (for the board), as a card; empty when none.
pub(super) fn late_reports(lang: Lang, entries: &[CalendarEntry]) -> Markup {
    let late: Vec<&CalendarEntry> = entries
        .iter()
        .filter(|e| e.status == DueStatus::Late)
        .collect();
    html! {
        div.card #late-reports {
            h2 { (t(lang, "reports.late_title")) }
            @if late.is_empty() {
                p.empty { (t(lang, "home.nothing")) }
            } @else {
                ul.items {
                    @for e in late {
                        li {
                            span.state.overdue { (t(lang, "due.overdue")) " " (e.due.due) } " "
                            (e.unit_name) " · " (e.due.kind.label_zh()) " · "
                            a href=(format!("/reports?kind={}&period={}", e.due.kind.code(), e.due.period)) { (e.due.period.label_zh()) }
                        }
                    }
                }
            }
        }
    }
}

fn table_markup(r: &ReportTable) -> Markup {
    html! {
        table.list.report {
            thead { tr { @for c in &r.columns { th { (c.zh) } } } }
            tbody {
                @for row in &r.rows {
                    tr {
                        @for (cell, col) in row.iter().zip(&r.columns) {
                            @if col.format == Format::Text { td { (cell.display(col.format)) } }
                            @else { td.num { (cell.display(col.format)) } }
                        }
                    }
                }
            }
        }
        @for n in &r.notes { p.muted { "说明:" (n) } }
    }
}

/// A bar per row of the report's first count column after the first (the unit or case).
fn chart_of(r: &ReportTable) -> Option<Markup> {
    let (i, col) = r
        .columns
        .iter()
        .enumerate()
        .skip(1)
        .find(|(_, c)| c.format == Format::Count && c.key != "seq" && c.key != "units")?;
    let label = if r.kind == ReportKind::CaseProgress {
        1
    } else {
        0
    };
    let bars: Vec<(String, u64)> = r
        .rows
        .iter()
        .map(|row| {
            let name = row
                .get(label)
                .map(|c| c.display(Format::Text))
                .unwrap_or_default();
            let v = match row.get(i) {
                Some(Cell::Int(v)) => (*v).max(0) as u64,
                _ => 0,
            };
            (name, v)
        })
        .collect();
    if r.kind == ReportKind::CaseProgress {
        // Cases by state instead: the progress table has no count per row.
        let mut by_state: std::collections::BTreeMap<String, u64> = Default::default();
        for row in &r.rows {
            let s = row
                .get(5)
                .map(|c| c.display(Format::Text))
                .unwrap_or_default();
            *by_state.entry(s).or_default() += 1;
        }
        return Some(bar_chart(
            &BarChart {
                title: "案件办理状态".into(),
                bars: by_state.into_iter().collect(),
                width: 560,
                height: 220,
            },
            "—",
        ));
    }
    Some(bar_chart(
        &BarChart {
            title: col.zh.clone(),
            bars,
            width: 560,
            height: 220,
        },
        "—",
    ))
}

pub(super) async fn show(
    State(state): State<AppState>,
    caller: Caller,
    Query(q): Query<ShowQuery>,
) -> Response {
    let Principal::Member(m) = &caller.principal else {
        return to_login("/reports");
    };
    let lang = caller.lang;
    let Ok(app) = state.app() else {
        return error_page(&caller, StatusCode::NOT_IMPLEMENTED, "error.internal");
    };
    let call = caller.call();
    let today = shanghai_date(Utc::now());
    let office = matches!(m.org_kind, OrgKind::CoordinationOffice);
    let entries = match app
        .reporting_calendar(
            &call,
            today - Duration::days(14),
            today + Duration::days(31),
            today,
        )
        .await
    {
        Ok(e) => e,
        Err(e) => {
            tracing::error!(error = %e, "reports calendar");
            return error_page(&caller, StatusCode::INTERNAL_SERVER_ERROR, "error.internal");
        }
    };
    let default_kind = if matches!(m.org_kind, OrgKind::Platform) {
        ReportKind::PlatformWeekly
    } else {
        ReportKind::Monthly
    };
    let kind = q
        .kind
        .as_deref()
        .and_then(|k| k.parse::<ReportKind>().ok())
        .unwrap_or(default_kind);
    let period_text = q
        .period
        .clone()
        .unwrap_or_else(|| Period::containing(kind.period_kind(), today).to_string());
    let report = match Period::parse_for(kind, &period_text) {
        Ok(p) => app
            .report(&call, kind, p, &Target::Own)
            .await
            .map_err(|e| e.to_string()),
        Err(e) => Err(e.to_string()),
    };
    let may_submit = !office
        && wangjian_app::policy::decide(
            &caller.principal,
            wangjian_app::policy::Action::Write,
            &wangjian_app::policy::Resource::Report {
                unit: m.actor.org,
                region: m.region.clone(),
            },
        )
        .is_allow();
    let body = html! {
        main {
            h1 { (t(lang, "reports.title")) }
            @if let Some(s) = &q.submitted { div.notice { (t(lang, "reports.submitted")) " SHA-256 " code { (s) } } }
            @if let Some(e) = &q.error { div.notice.error { (e) } }
            div.card #reporting-calendar {
                h2 { (t(lang, "reports.calendar")) }
                p.muted { (t(lang, "reports.rule")) }
                @if entries.is_empty() { p.empty { (t(lang, "home.nothing")) } }
                @else { (calendar_rows(lang, &entries, office)) }
            }
            div.card #report {
                form method="get" action="/reports" {
                    select name="kind" {
                        @for k in ReportKind::ALL {
                            @if k == kind { option value=(k.code()) selected { (k.label_zh()) } }
                            @else { option value=(k.code()) { (k.label_zh()) } }
                        }
                    }
                    " "
                    input type="text" name="period" value=(period_text) size="10" placeholder="2026-W49 / 2026-11 / 2026-H2";
                    " "
                    button type="submit" { (t(lang, "reports.generate")) }
                }
                @match &report {
                    Err(e) => { p.notice.error { (e) } }
                    Ok(r) => {
                        h2 { (r.title()) }
                        p.muted {
                            (r.unit_name) " · " (r.period.label_zh()) " · "
                            (t(lang, "reports.as_of")) " " (wangjian_app::reports::export::china_time(r.as_of))
                        }
                        p {
                            a href=(format!("/api/v1/reports/{}?period={}&format=xlsx", r.kind.code(), r.period)) { (t(lang, "reports.download_xlsx")) }
                            " · "
                            a href=(format!("/api/v1/reports/{}?period={}&format=csv", r.kind.code(), r.period)) { (t(lang, "reports.download_csv")) }
                        }
                        @if let Some(c) = chart_of(r) { div.chart { (c) } }
                        (table_markup(r))
                        @if may_submit && !r.aggregate {
                            form method="post" action="/reports/submit" {
                                input type="hidden" name="_csrf" value=(caller.csrf);
                                input type="hidden" name="kind" value=(r.kind.code());
                                input type="hidden" name="period" value=(r.period.to_string());
                                button type="submit" { (t(lang, "reports.submit")) }
                            }
                        }
                    }
                }
            }
        }
    };
    Html(page(&caller, t(lang, "reports.title"), body).into_string()).into_response()
}

#[derive(Debug, Deserialize)]
pub(super) struct SubmitForm {
    kind: String,
    period: String,
}

pub(super) async fn submit(
    State(state): State<AppState>,
    caller: Caller,
    Form(form): Form<SubmitForm>,
) -> Response {
    if !matches!(caller.principal, Principal::Member(_)) {
        return to_login("/reports");
    }
    let Ok(app) = state.app() else {
        return error_page(&caller, StatusCode::NOT_IMPLEMENTED, "error.internal");
    };
    let back = format!(
        "/reports?kind={}&period={}",
        super::url_encode(&form.kind),
        super::url_encode(&form.period)
    );
    let result = async {
        let kind: ReportKind = form
            .kind
            .parse()
            .map_err(|e: wangjian_domain::report::ReportError| e.to_string())?;
        let period = Period::parse_for(kind, &form.period).map_err(|e| e.to_string())?;
        app.submit_report(&caller.call(), kind, period)
            .await
            .map_err(|e| e.to_string())
    }
    .await;
    match result {
        Ok(s) => Redirect::to(&format!("{back}&submitted={}", s.digest)).into_response(),
        Err(e) => {
            let message: String = e.chars().take(300).collect();
            Redirect::to(&format!("{back}&error={}", super::url_encode(&message))).into_response()
        }
    }
}
