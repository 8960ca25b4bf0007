//! The lead queue (`/leads`): filters (status, level, reason, platform, region, mark,
//! dates), newest first with keyset pages, a checkbox per lead and bulk actions (register
//! a case, dismiss with a reason) posted with the session's CSRF token to
//! `/leads/actions`, which runs the API's one path.

use std::collections::HashMap;

use axum::extract::{Form, Query, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};
use maud::html;
use wangjian_detect::Code;
use wangjian_domain::org::OrgKind;

use super::case::shanghai_time as beijing;
use super::listing::reason_label;
use super::{error_page, page, safe_next, to_login, url_encode};
use crate::api::leads::{lead_page, run_lead_action, LeadAction, LeadFilter};
use crate::error::ErrorCode;
use crate::i18n::{t, tf};
use crate::state::AppState;
use crate::web::caller::Caller;
use wangjian_app::policy::{list_scope, Principal, ResourceKind};

/// `done=N&failed=M&case=ID&error=CODE` beside the filter: what the last action did.
#[derive(Debug, Default, serde::Deserialize)]
pub(super) struct ActionNote {
    done: Option<String>,
    failed: Option<String>,
    case: Option<uuid::Uuid>,
    error: Option<String>,
}

fn filter_query(f: &LeadFilter) -> String {
    serde_urlencoded::to_string(f).unwrap_or_default()
}

/// The queue page.
pub(super) async fn queue(
    State(state): State<AppState>,
    caller: Caller,
    Query(mut filter): Query<LeadFilter>,
    Query(note): Query<ActionNote>,
) -> Response {
    if !matches!(caller.principal, Principal::Member(_)) {
        return to_login("/leads");
    }
    let lang = caller.lang;
    // The console's queue shows new leads unless asked otherwise.
    if filter.status.as_deref().is_none_or(|s| s.trim().is_empty()) {
        filter.status = Some("new".into());
    }
    let (page_rows, bad_field) = match lead_page(&state, &caller, &filter).await {
        Ok(p) => (p, None),
        Err(e) if e.code == ErrorCode::InvalidInput => (
            wangjian_store::Page {
                items: vec![],
                next: None,
            },
            e.field.clone(),
        ),
        Err(e) => {
            tracing::error!(error = %e, "lead queue");
            return error_page(&caller, e.code.status(), "error.internal");
        }
    };
    let orgs = match state.directory().store() {
        Some(s) => s.organizations().await.unwrap_or_default(),
        None => vec![],
    };
    let names: HashMap<_, _> = orgs.iter().map(|o| (o.id, o.name.clone())).collect();
    let platforms: Vec<_> = orgs
        .iter()
        .filter(|o| matches!(o.kind, OrgKind::Platform))
        .collect();
    // Only an agency's case workers work leads; a platform sees its submissions read-only.
    let works = matches!(
        list_scope(&caller.principal, ResourceKind::Lead),
        wangjian_app::policy::Scope::Parties { ref parties, .. } if parties.contains(&wangjian_app::policy::Party::LeadOrg)
    );
    let f = &filter;
    let val = |v: &Option<String>| v.clone().unwrap_or_default();
    let mut next_filter = f.clone();
    next_filter.after = page_rows.next.as_ref().map(|c| c.0.clone());
    let mut back_filter = f.clone();
    back_filter.after = None;
    let back = format!("/leads?{}", filter_query(&back_filter));
    let error_key = note
        .error
        .as_deref()
        .filter(|c| ErrorCode::ALL.iter().any(|k| k.as_str() == *c))
        .map(|c| format!("error.code.{c}"));
    let body = html! {
        main.leads {
            h1 { (t(lang, "leads.title")) }
            form.filters method="get" action="/leads" {
                label { (t(lang, "leads.status"))
                    select name="status" {
                        @for s in ["new", "linked", "dismissed", "all"] {
                            option value=(s) selected[val(&f.status) == s] { (t(lang, &format!("lead_status.{s}"))) }
                        }
                    }
                }
                label { (t(lang, "leads.level"))
                    select name="level" {
                        option value="" { (t(lang, "leads.any")) }
                        @for l in ["high", "medium", "low"] {
                            option value=(l) selected[val(&f.level) == l] { (t(lang, &format!("level.{l}"))) }
                        }
                    }
                }
                label { (t(lang, "leads.reason"))
                    select name="reason" {
                        option value="" { (t(lang, "leads.any")) }
                        @for c in Code::ALL {
                            option value=(c.as_str()) selected[val(&f.reason) == c.as_str()] { (reason_label(lang, c.as_str())) }
                        }
                    }
                }
                label { (t(lang, "leads.platform"))
                    select name="platform" {
                        option value="" { (t(lang, "leads.any")) }
                        @for p in &platforms {
                            option value=(p.id) selected[val(&f.platform) == p.id.to_string()] { (p.name) }
                        }
                    }
                }
                label { (t(lang, "leads.region"))
                    input type="text" name="region" value=(val(&f.region)) placeholder="330100" size="8";
                }
                label { (t(lang, "leads.mark"))
                    input type="text" name="mark" value=(val(&f.mark)) size="10";
                }
                label { (t(lang, "leads.from"))
                    input type="date" name="from" value=(val(&f.from));
                }
                label { (t(lang, "leads.until"))
                    input type="date" name="until" value=(val(&f.until));
                }
                button type="submit" { (t(lang, "leads.filter")) }
            }
            @if let Some(field) = &bad_field {
                div.error role="alert" { (tf(lang, "leads.bad_filter", &[("field", field)])) }
            }
            @if let Some(code) = error_key {
                div.error role="alert" { (t(lang, &code)) }
            }
            @if let Some(n) = &note.done {
                div.notice role="status" {
                    (tf(lang, "leads.done_n", &[("n", n), ("failed", note.failed.as_deref().unwrap_or("0"))]))
                    @if let Some(c) = note.case {
                        " " a.case-link href={"/cases/" (c)} { (t(lang, "leads.open_case_page")) }
                    }
                }
            }
            form #bulk method="post" action="/leads/actions" {
                input type="hidden" name="_csrf" value=(caller.csrf);
                input type="hidden" name="back" value=(back);
                @if works {
                    div.bulk {
                        input type="text" name="title" maxlength="200"
                            value=(t(lang, "leads.default_title"))
                            aria-label=(t(lang, "leads.case_title"));
                        button type="submit" name="action" value="register_case" { (t(lang, "leads.register_case")) }
                        input type="text" name="reason" maxlength="500"
                            placeholder=(t(lang, "leads.dismiss_reason"))
                            aria-label=(t(lang, "leads.dismiss_reason"));
                        button type="submit" name="action" value="dismiss" { (t(lang, "leads.dismiss")) }
                    }
                }
                div.card {
                    @if page_rows.items.is_empty() {
                        p.empty { (t(lang, "leads.none")) }
                    } @else {
                        table #queue {
                            thead { tr {
                                @if works { th { span.sr { (t(lang, "leads.select")) } } }
                                th { (t(lang, "leads.received_at")) }
                                th { (t(lang, "leads.listing")) }
                                th { (t(lang, "leads.level")) }
                                th { (t(lang, "leads.reason")) }
                                th { (t(lang, "leads.mark")) }
                                th { (t(lang, "leads.platform")) }
                                th { (t(lang, "leads.region")) }
                                th { (t(lang, "leads.status")) }
                            } }
                            tbody {
                                @for r in &page_rows.items {
                                    tr data-lead=(r.lead.id) {
                                        @if works {
                                            td { input type="checkbox" name="lead" value=(r.lead.id) aria-label=(t(lang, "leads.select")); }
                                        }
                                        td.when { (beijing(r.lead.received_at)) }
                                        td { a.lead-link href={"/leads/" (r.lead.id)} { (r.title.clone().unwrap_or_else(|| r.lead.summary.clone())) } }
                                        td { @if let Some(l) = &r.level { span.level.(l) { (t(lang, &format!("level.{l}"))) } } }
                                        td { @for c in &r.reasons { span.tag { (reason_label(lang, c)) } " " } }
                                        td { (r.marks.join("、")) }
                                        td { (r.platform.and_then(|p| names.get(&p).cloned()).unwrap_or_default()) }
                                        td { (r.region.clone().unwrap_or_default()) }
                                        td { (t(lang, &format!("lead_status.{}", r.lead.status.as_str()))) }
                                    }
                                }
                            }
                        }
                    }
                }
            }
            @if next_filter.after.is_some() {
                p { a #next-page href={"/leads?" (filter_query(&next_filter))} { (t(lang, "leads.next")) } }
            }
        }
    };
    Html(page(&caller, t(lang, "leads.title"), body).into_string()).into_response()
}

/// Runs a bulk action from the queue or the listing page, then goes back there.
pub(super) async fn act(
    State(state): State<AppState>,
    caller: Caller,
    Form(form): Form<Vec<(String, String)>>,
) -> Response {
    if !matches!(caller.principal, Principal::Member(_)) {
        return to_login("/leads");
    }
    let get = |k: &str| {
        form.iter()
            .find(|(n, _)| n == k)
            .map(|(_, v)| v.clone())
            .unwrap_or_default()
    };
    let back = safe_next(Some(&get("back"))).to_string();
    let go = |extra: String| {
        let sep = if back.contains('?') { '&' } else { '?' };
        Redirect::to(&format!("{back}{sep}{extra}")).into_response()
    };
    let mut leads = Vec::new();
    for (k, v) in &form {
        if k == "lead" {
            match uuid::Uuid::parse_str(v) {
                Ok(id) => leads.push(id),
                Err(_) => return error_page(&caller, StatusCode::NOT_FOUND, "error.not_found"),
            }
        }
    }
    let action = match get("action").as_str() {
        "dismiss" => LeadAction::Dismiss {
            leads,
            reason: get("reason"),
        },
        "register_case" => LeadAction::RegisterCase {
            leads,
            title: get("title"),
        },
        _ => return go("error=invalid_input".into()),
    };
    match run_lead_action(&state, &caller, &action).await {
        Ok(report) => {
            let ok = report.leads.iter().filter(|l| l.ok).count();
            let failed = report.leads.len() - ok;
            let case = report
                .case
                .map(|c| format!("&case={}", url_encode(&c.to_string())))
                .unwrap_or_default();
            go(format!("done={ok}&failed={failed}{case}"))
        }
        Err(e) if e.code == ErrorCode::NotFound => {
            error_page(&caller, StatusCode::NOT_FOUND, "error.not_found")
        }
        Err(e) => go(format!("error={}", e.code.as_str())),
    }
}
