//! The coordination office's board (`/board`): everything in its region that is overdue
//! or due within five working days, grouped by agency (with links to the cases), the
//! complaints still awaiting an accept-or-refuse decision per agency (counts: the office
//! does not read complaints), and its supervision orders (督办). Read-only; only a
//! coordination office's members have a region to watch.

use std::collections::BTreeMap;

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};
use chrono::{Duration, Utc};
use maud::html;
use wangjian_domain::supervision::DueWhat;
use wangjian_domain::OrgId;
use wangjian_store::Scope;

use super::{error_page, page, to_login};
use crate::i18n::{t, tf};
use crate::state::AppState;
use crate::web::caller::Caller;
use wangjian_app::policy::Principal;

/// Working days ahead that count as due soon.
const WITHIN: u32 = 5;

struct Row {
    case: String,
    number: String,
    what: String,
    due: String,
    overdue: bool,
    left: u32,
}

fn level_label(
    lang: crate::i18n::Lang,
    l: wangjian_domain::supervision::SupervisionLevel,
) -> String {
    match lang {
        crate::i18n::Lang::ZhCn => l.label_zh().to_string(),
        crate::i18n::Lang::En => serde_json::to_value(l)
            .ok()
            .and_then(|v| v.as_str().map(str::to_string))
            .unwrap_or_default(),
    }
}

pub(super) async fn show(State(state): State<AppState>, caller: Caller) -> Response {
    let Principal::Member(m) = &caller.principal else {
        return to_login("/board");
    };
    let lang = caller.lang;
    let (Some(store), Some(Scope::Region(region))) = (
        state.directory().store(),
        super::dashboard::count_scope(&caller),
    ) else {
        let body = html! { main { h1 { (t(lang, "board.title")) } div.card { p.empty { (t(lang, "board.only_office")) } } } };
        return Html(page(&caller, t(lang, "board.title"), body).into_string()).into_response();
    };
    let today = wangjian_calendar::shanghai_date(Utc::now());
    let data = async {
        let cal = &*state.calendar().await?;
        let items = store
            .supervision_board(m.actor.org, &region, today, WITHIN, cal, 500)
            .await?;
        let horizon = cal
            .add_workdays(today, WITHIN)
            .unwrap_or(today + Duration::days(7));
        let complaints = store.complaints_due(&region, horizon, 1000).await?;
        let orders = store.supervision_orders(m.actor.org).await?;
        let mut names: BTreeMap<OrgId, String> = BTreeMap::new();
        for org in items
            .iter()
            .map(|i| i.org)
            .chain(complaints.iter().map(|c| c.handler))
            .chain(orders.iter().map(|o| o.responsible_org))
        {
            if let std::collections::btree_map::Entry::Vacant(e) = names.entry(org) {
                let o = store.organization(org).await?;
                e.insert(
                    o.map(|o| format!("{}（{}）", o.name, o.region))
                        .unwrap_or_else(|| org.to_string()),
                );
            }
        }
        Ok::<_, crate::ApiError>((items, complaints, orders, names))
    }
    .await;
    let (items, complaints, orders, names) = match data {
        Ok(d) => d,
        Err(e) => {
            tracing::error!(error = %e, "board");
            return error_page(&caller, StatusCode::SERVICE_UNAVAILABLE, "error.internal");
        }
    };
    let late_reports = match state.app() {
        Ok(app) => app
            .reporting_calendar(&caller.call(), today - Duration::days(60), today, today)
            .await
            .unwrap_or_else(|e| {
                tracing::error!(error = %e, "board: reporting calendar");
                vec![]
            }),
        Err(_) => vec![],
    };
    let name = |o: &OrgId| names.get(o).cloned().unwrap_or_default();
    let mut by_agency: BTreeMap<String, Vec<Row>> = BTreeMap::new();
    for d in items {
        let what = match &d.what {
            DueWhat::Deadline { kind, .. } => {
                t(lang, &format!("deadline.{}", kind.as_str())).to_string()
            }
            DueWhat::Supervision { .. } => t(lang, "due.supervision").to_string(),
        };
        by_agency.entry(name(&d.org)).or_default().push(Row {
            case: d.case.to_string(),
            number: d.number,
            what,
            due: d.due.to_string(),
            overdue: d.overdue,
            left: d.working_days_left,
        });
    }
    let mut complaint_counts: BTreeMap<String, (u64, u64)> = BTreeMap::new();
    for c in &complaints {
        let e = complaint_counts.entry(name(&c.handler)).or_default();
        if c.accept_due < today {
            e.0 += 1;
        } else {
            e.1 += 1;
        }
    }
    let overdue_total: usize = by_agency
        .values()
        .map(|v| v.iter().filter(|r| r.overdue).count())
        .sum();
    let body = html! {
        main.board {
            h1 { (t(lang, "board.title")) " " span.muted { (region.to_string()) } }
            p.muted { (tf(lang, "board.summary", &[("overdue", &overdue_total.to_string()), ("days", &WITHIN.to_string())])) }
            div.grid.two {
                div.card #due-by-agency {
                    h2 { (t(lang, "board.due")) }
                    @if by_agency.is_empty() {
                        p.empty { (t(lang, "home.nothing")) }
                    }
                    @for (agency, rows) in &by_agency {
                        h3.agency { (agency) " " span.badge { (rows.len()) } }
                        ul.items {
                            @for r in rows {
                                li {
                                    a href={"/cases/" (r.case)} { span.number { (r.number) } } " " (r.what)
                                    @if r.overdue {
                                        span.state.overdue { (t(lang, "due.overdue")) " " (r.due) }
                                    } @else {
                                        span.state { (tf(lang, "due.days_left", &[("days", &r.left.to_string())])) }
                                    }
                                }
                            }
                        }
                    }
                }
                div {
                    div.card #supervision-orders {
                        h2 { (t(lang, "board.orders")) }
                        @if orders.is_empty() {
                            p.empty { (t(lang, "home.nothing")) }
                        } @else {
                            table.list {
                                thead { tr {
                                    th { (t(lang, "board.case")) }
                                    th { (t(lang, "board.level")) }
                                    th { (t(lang, "board.agency")) }
                                    th { (t(lang, "board.due_on")) }
                                } }
                                tbody {
                                    @for o in &orders {
                                        tr {
                                            td { a href={"/cases/" (o.supervision.case)} { (o.number) } br; small.muted { (o.title) } }
                                            td { (level_label(lang, o.supervision.level)) }
                                            td { (name(&o.responsible_org)) }
                                            td {
                                                (o.supervision.due)
                                                @if o.supervision.due < today { " " span.overdue { (t(lang, "due.overdue")) } }
                                            }
                                        }
                                    }
                                }
                            }
                        }
                    }
                    div.card #complaints-due style="margin-top:16px" {
                        h2 { (t(lang, "board.complaints")) }
                        @if complaint_counts.is_empty() {
                            p.empty { (t(lang, "home.nothing")) }
                        } @else {
                            ul.items {
                                @for (agency, (late, soon)) in &complaint_counts {
                                    li {
                                        (agency)
                                        span.state {
                                            @if *late > 0 { span.overdue { (tf(lang, "board.complaints_late", &[("n", &late.to_string())])) } " " }
                                            @if *soon > 0 { (tf(lang, "board.complaints_soon", &[("n", &soon.to_string())])) }
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
            }
            // Reports late from the region's member units (issue 16).
            (super::reports::late_reports(lang, &late_reports))
        }
    };
    Html(page(&caller, t(lang, "board.title"), body).into_string()).into_response()
}
