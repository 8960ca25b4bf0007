//! The case page: number, title, state, officers, deadlines with working days left, the
//! actions the caller may take, the assist requests sent for it (协查) and its seized goods
//! with their custody history, and the timeline (the case's audit trail). Behind the
//! same policy check as the API: a case the caller may not see is the 404 page.

use std::collections::HashMap;

use axum::extract::{Form, Path, Query, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};
use chrono::{DateTime, Duration, Utc};
use maud::html;
use wangjian_domain::deadline::DeadlineStatus;
use wangjian_domain::transfer::AssistTarget;
use wangjian_domain::{UserId, TRANSITIONS};

use super::{error_page, page, to_login};
use crate::api::cases::run_transition;
use crate::error::ErrorCode;
use crate::i18n::{t, Lang};
use crate::state::AppState;
use crate::web::caller::Caller;
use wangjian_app::policy::{decide, Action, Principal, Resource};

fn state_label(lang: Lang, s: wangjian_domain::CaseState) -> String {
    match lang {
        Lang::ZhCn => s.label_zh().to_string(),
        Lang::En => s.as_str().replace('_', " "),
    }
}

/// The object type's code name (`case`, `deadline`, `case_lead`, …).
fn object_name(t: wangjian_domain::ObjectType) -> String {
    serde_json::to_value(t)
        .ok()
        .and_then(|v| v.as_str().map(str::to_string))
        .unwrap_or_default()
}

/// What an assist request asks to check, in one line.
fn assist_target(lang: Lang, target: &AssistTarget) -> String {
    let (kind, what) = match target {
        AssistTarget::Subject { subject } => ("subject", subject.to_string()),
        AssistTarget::Shipment { carrier, waybill } => ("shipment", format!("{carrier} {waybill}")),
        AssistTarget::Identification { items } => ("identification", items.clone()),
    };
    format!("{}: {what}", t(lang, &format!("assist_target.{kind}")))
}

/// Beijing time (UTC+8, no daylight saving since 1991), to the minute.
pub(super) fn shanghai_time(t: DateTime<Utc>) -> String {
    (t + Duration::hours(8))
        .format("%Y-%m-%d %H:%M")
        .to_string()
}

/// The actions the console offers a form for, with their free-text fields. The others
/// (opening with officers, penalty decisions, referrals, transfers, extensions) need
/// pickers and come later; the API takes them all.
const FORMS: &[(&str, &[&str])] = &[
    ("start_verification", &[]),
    ("decline", &["reason"]),
    ("begin_investigation", &[]),
    ("request_testing", &["testing_body", "items"]),
    ("complete_testing", &["result_summary"]),
    ("issue_penalty_notice", &["proposed_penalty", "legal_basis"]),
    ("record_disclosure", &["reference"]),
    ("close", &["summary"]),
    ("acknowledge_referral", &[]),
    ("refuse_referral", &["reason"]),
    ("police_file", &["reference_number", "notes"]),
    ("police_decline", &["reference_number", "reason"]),
    ("accept_transfer", &[]),
    ("refuse_transfer", &["reason"]),
    ("suspend", &["reason"]),
    ("resume", &[]),
    ("terminate", &["reason"]),
];

fn form_fields(action: &str) -> Option<&'static [&'static str]> {
    FORMS.iter().find(|(a, _)| *a == action).map(|(_, f)| *f)
}

/// `?error=CODE` after a refused action.
#[derive(Debug, serde::Deserialize)]
pub(super) struct PageQuery {
    error: Option<String>,
}

/// Runs an action from its form, then shows the case again (with the error, if any).
pub(super) async fn act(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    Form(form): Form<Vec<(String, String)>>,
) -> Response {
    if !matches!(caller.principal, Principal::Member(_)) {
        return to_login(&format!("/cases/{id}"));
    }
    let get = |k: &str| form.iter().find(|(n, _)| n == k).map(|(_, v)| v.as_str());
    let action = get("action").unwrap_or_default();
    let back = |code: Option<&str>| {
        let q = code.map(|c| format!("?error={c}")).unwrap_or_default();
        Redirect::to(&format!("/cases/{}{q}", super::url_encode(&id))).into_response()
    };
    let Some(fields) = form_fields(action) else {
        return back(Some("invalid_input"));
    };
    let mut cmd = serde_json::Map::new();
    cmd.insert("action".into(), action.into());
    for f in fields {
        cmd.insert((*f).into(), get(f).unwrap_or_default().into());
    }
    if action == "start_verification" {
        if let Principal::Member(m) = &caller.principal {
            cmd.insert("verifier".into(), m.actor.user.to_string().into());
        }
    }
    let command = match serde_json::from_value(serde_json::Value::Object(cmd)) {
        Ok(c) => c,
        Err(_) => return back(Some("invalid_input")),
    };
    let expected = get("expected_version").and_then(|v| v.parse().ok());
    match run_transition(&state, &caller, &id, expected, &command).await {
        Ok(()) => back(None),
        Err(e) if e.code == ErrorCode::NotFound => {
            error_page(&caller, StatusCode::NOT_FOUND, "error.not_found")
        }
        Err(e) => back(Some(e.code.as_str())),
    }
}

pub(super) async fn show(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    Query(q): Query<PageQuery>,
) -> Response {
    if !matches!(caller.principal, Principal::Member(_)) {
        return to_login(&format!("/cases/{id}"));
    }
    let lang = caller.lang;
    let found = match (state.app(), crate::api::cases::path_id(&id)) {
        (Ok(app), Ok(u)) => app
            .visible_case(&caller.call(), wangjian_domain::CaseId(u))
            .await
            .map_err(crate::ApiError::from),
        (Err(e), _) | (_, Err(e)) => Err(e),
    };
    let (file, facts) = match found {
        Ok(v) => v,
        Err(e) if e.code == ErrorCode::NotFound => {
            return error_page(&caller, StatusCode::NOT_FOUND, "error.not_found")
        }
        Err(e) => {
            tracing::error!(error = %e, "case page");
            return error_page(&caller, e.code.status(), "error.internal");
        }
    };
    let Ok(store) = state.store() else {
        return error_page(&caller, StatusCode::NOT_IMPLEMENTED, "error.internal");
    };
    let trail = match store.case_trail(file.case.id).await {
        Ok(t) => t,
        Err(e) => {
            tracing::error!(error = %e, "case trail");
            return error_page(&caller, StatusCode::SERVICE_UNAVAILABLE, "error.internal");
        }
    };
    let (assists, seized) = match (
        store.assist_requests_of_case(file.case.id).await,
        store.seized_items_of_case(file.case.id).await,
    ) {
        (Ok(a), Ok(s)) => (a, s),
        (Err(e), _) | (_, Err(e)) => {
            tracing::error!(error = %e, "case assist requests and seized goods");
            return error_page(&caller, StatusCode::SERVICE_UNAVAILABLE, "error.internal");
        }
    };
    let mut org_names: HashMap<wangjian_domain::OrgId, String> = HashMap::new();
    for o in assists.iter().map(|a| a.to_org) {
        if let std::collections::hash_map::Entry::Vacant(v) = org_names.entry(o) {
            let name = match store.organization(o).await {
                Ok(Some(org)) => org.name,
                _ => o.to_string(),
            };
            v.insert(name);
        }
    }
    // Names of the people on the case and in its timeline.
    let mut names: HashMap<UserId, String> = HashMap::new();
    let c = &file.case;
    let people = c
        .case_officer
        .iter()
        .chain(c.co_officers.iter())
        .chain(c.verifier.iter())
        .copied()
        .chain(trail.iter().map(|e| e.event.actor));
    for u in people {
        if let std::collections::hash_map::Entry::Vacant(v) = names.entry(u) {
            let name = match store.user(u).await {
                Ok(Some(user)) => user.name,
                _ => u.to_string(),
            };
            v.insert(name);
        }
    }
    let name = |u: &UserId| names.get(u).cloned().unwrap_or_default();
    let res = Resource::Case(facts);
    let actions: Vec<&str> = TRANSITIONS
        .iter()
        .filter(|tr| tr.from.contains(&c.state))
        .filter(|tr| decide(&caller.principal, Action::Transition(tr.action), &res).is_allow())
        .map(|tr| tr.action.as_str())
        .collect();
    let cal = match state.calendar().await {
        Ok(c) => c,
        Err(e) => {
            tracing::error!(error = %e, "calendar");
            return error_page(&caller, e.code.status(), "error.internal");
        }
    };
    let cal = &*cal;
    let today = wangjian_calendar::shanghai_date(Utc::now());
    let number = c.number.document_form();
    // The networks of the shops its leads name.
    let mut shops = Vec::new();
    for l in &file.links {
        if let Ok(Some(d)) = store.lead_detail(l.lead).await {
            shops.extend(d.row.lead.shop);
        }
    }
    shops.sort();
    shops.dedup();
    let networks = super::network::shop_networks(&state, &caller, &shops).await;
    // Only codes of the catalog come back here; anything else shows nothing.
    let error_key = q
        .error
        .as_deref()
        .filter(|c| ErrorCode::ALL.iter().any(|k| k.as_str() == *c))
        .map(|c| format!("error.code.{c}"));
    let body = html! {
        main.case {
            h1 { span.number { (number) } " " (c.title) }
            div.grid.two {
                div.card {
                    dl.facts {
                        dt { (t(lang, "case.state")) } dd { span.badge { (state_label(lang, c.state)) } }
                        dt { (t(lang, "case.officer")) }
                        dd {
                            @if let Some(o) = &c.case_officer { strong { (name(o)) } }
                            @for o in &c.co_officers { " " (name(o)) }
                        }
                        @if let Some(v) = &c.verifier {
                            dt { (t(lang, "case.verifier")) } dd { (name(v)) }
                        }
                        dt { (t(lang, "case.registered_at")) }
                        dd { (shanghai_time(c.registered_at)) }
                    }
                }
                div.card #actions {
                    h2 { (t(lang, "case.actions")) }
                    @if let Some(code) = error_key {
                        div.error role="alert" { (t(lang, &code)) }
                    }
                    @if actions.is_empty() {
                        p.empty { (t(lang, "case.no_actions")) }
                    } @else {
                        ul.actions {
                            @for a in &actions {
                                @if let Some(fields) = form_fields(a) {
                                    li.form data-action=(a) {
                                        form method="post" action={"/cases/" (c.id) "/actions"} {
                                            input type="hidden" name="_csrf" value=(caller.csrf);
                                            input type="hidden" name="action" value=(a);
                                            input type="hidden" name="expected_version" value=(c.version);
                                            @for f in fields {
                                                input type="text" name=(f) required
                                                    placeholder=(t(lang, &format!("field.{f}")))
                                                    aria-label=(t(lang, &format!("field.{f}")));
                                            }
                                            button type="submit" { (t(lang, &format!("action.{a}"))) }
                                        }
                                    }
                                } @else {
                                    li data-action=(a) { (t(lang, &format!("action.{a}"))) }
                                }
                            }
                        }
                    }
                }
            }
            @if !file.links.is_empty() {
                div.card #case-leads style="margin-top:16px" {
                    h2 { (t(lang, "case.leads")) }
                    ul.items {
                        @for l in &file.links {
                            li { a.lead-link href={"/leads/" (l.lead)} { (t(lang, "case.lead")) " " (l.lead.to_string().get(..8).unwrap_or_default()) } " " span.muted { (shanghai_time(l.linked_at)) } }
                        }
                    }
                }
            }
            (networks)
            div.card #deadlines style="margin-top:16px" {
                h2 { (t(lang, "case.deadlines")) }
                table {
                    thead { tr {
                        th { (t(lang, "case.deadline_kind")) } th { (t(lang, "case.due")) }
                        th { (t(lang, "case.days_left")) } th { (t(lang, "case.status")) }
                        th { (t(lang, "case.basis")) }
                    } }
                    tbody {
                        @for d in &file.deadlines {
                            @let (status, open) = match d.status {
                                DeadlineStatus::Open => ("open", true),
                                DeadlineStatus::Met { .. } => ("met", false),
                                DeadlineStatus::Breached { .. } => ("breached", false),
                                DeadlineStatus::Cancelled { .. } => ("cancelled", false),
                            };
                            @let overdue = open && d.due < today;
                            tr.overdue[overdue] {
                                td { (t(lang, &format!("deadline.{}", d.rule.kind.as_str()))) }
                                td {
                                    (d.due)
                                    @if open && d.provisional {
                                        " " span.provisional title=(t(lang, "due.provisional_hint")) { (t(lang, "due.provisional")) }
                                    }
                                }
                                td {
                                    @if overdue { (t(lang, "due.overdue")) }
                                    @else if open { (cal.workdays_between(today, d.due).map(|n| n.to_string()).unwrap_or_default()) }
                                }
                                td { (t(lang, &format!("deadline_status.{status}"))) }
                                td.basis { (d.rule.legal_basis) }
                            }
                        }
                    }
                }
            }
            @if !assists.is_empty() {
                div.card #assist-requests style="margin-top:16px" {
                    h2 { (t(lang, "case.assist_requests")) }
                    table {
                        thead { tr {
                            th { (t(lang, "case.assist_to")) } th { (t(lang, "case.assist_target")) }
                            th { (t(lang, "case.assist_question")) } th { (t(lang, "case.assist_due")) }
                            th { (t(lang, "case.status")) } th { (t(lang, "case.assist_answer")) }
                        } }
                        tbody {
                            @for a in &assists {
                                tr data-assist=(a.id) {
                                    td { (org_names.get(&a.to_org).cloned().unwrap_or_default()) }
                                    td { (assist_target(lang, &a.target)) }
                                    td { (a.question) }
                                    td { (file.deadlines.iter().find(|d| d.id == a.reply_deadline).map(|d| d.due.to_string()).unwrap_or_default()) }
                                    td { (t(lang, &format!("assist_status.{}", a.status.as_str()))) }
                                    td { (a.answer.as_deref().unwrap_or_default()) }
                                }
                            }
                        }
                    }
                }
            }
            @if !seized.is_empty() {
                div.card #seized style="margin-top:16px" {
                    h2 { (t(lang, "case.seized")) }
                    ul.items {
                        @for i in &seized {
                            li data-seized=(i.id) {
                                strong { (i.description) } " "
                                span { (t(lang, "case.seized_quantity")) " " (i.quantity) (i.unit) } " · "
                                @if let Some(d) = &i.destruction {
                                    span.badge { (t(lang, "case.destroyed")) " " (d.on) }
                                    " " (d.method) " · " (d.place) " · "
                                    (t(lang, "case.witnesses")) " " (d.witnesses.join("、"))
                                } @else {
                                    (t(lang, "case.custody")) " " strong { (i.custody) }
                                }
                                @if !i.handovers.is_empty() {
                                    div.muted { (t(lang, "case.custody_history")) }
                                    ol.custody {
                                        @for h in &i.handovers {
                                            li {
                                                time { (shanghai_time(h.at)) } " " (h.from) " → " (h.to)
                                                @if !h.note.is_empty() { " " span.muted { (h.note) } }
                                            }
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
            }
            div.card #timeline style="margin-top:16px" {
                h2 { (t(lang, "case.timeline")) }
                ol.timeline {
                    @for e in &trail {
                        li {
                            time { (shanghai_time(e.event.at)) }
                            " " strong { (name(&e.event.actor)) } " "
                            code { (e.event.action) }
                            " " span.muted { (object_name(e.event.object_type)) }
                        }
                    }
                }
            }
        }
    };
    Html(page(&caller, &number, body).into_string()).into_response()
}
