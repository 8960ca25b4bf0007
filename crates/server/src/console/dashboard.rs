//! The dashboard (`/dashboard`): charts drawn on the server as SVG (`chart.rs`) over what
//! the caller may see: leads received per day over the last 30 days by reason (scan
//! reason codes; other leads by their source), cases by state, overdue deadlines by
//! agency. An agency's case workers see their agency; a coordination office its region.
//!
//! Everything is counted in SQL (`Store::lead_counts`, `case_state_counts`,
//! `overdue_by_org`): a view reads a few hundred grouped rows, never the leads or the
//! deadlines themselves, however many there are.

use std::collections::{BTreeMap, HashMap};

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};
use chrono::{Duration, Utc};
use maud::html;
use wangjian_domain::{CaseState, OrgId};
use wangjian_store::{Scope, Store};

use super::{error_page, page, to_login};
use crate::chart::{bar_chart, line_chart, BarChart, LineChart, Series, PALETTE};
use crate::i18n::{t, Lang};
use crate::state::AppState;
use crate::web::caller::Caller;
use wangjian_app::policy::Principal;

/// Days the lead chart covers.
const DAYS: i64 = 30;

/// The store scope of what the caller may count, or `None` (platforms, rights holders,
/// admins: no cases, no dashboard).
pub(super) fn count_scope(caller: &Caller) -> Option<Scope> {
    wangjian_app::workflow::cases::case_store_scope(&caller.principal)
}

fn state_label(lang: Lang, s: &str) -> String {
    match CaseState::ALL.into_iter().find(|c| c.as_str() == s) {
        Some(c) if lang == Lang::ZhCn => c.label_zh().to_string(),
        _ => s.replace('_', " "),
    }
}

/// Leads per day by reason: one series per reason or source, the five largest kept and
/// the rest summed as "other".
async fn leads_chart(
    store: &Store,
    scope: &Scope,
    lang: Lang,
) -> Result<LineChart, crate::ApiError> {
    let today = wangjian_calendar::shanghai_date(Utc::now());
    let first = today - Duration::days(DAYS - 1);
    // The Beijing days as UTC instants: midnight at UTC+8 (no daylight saving in China).
    let bounds: Vec<chrono::DateTime<Utc>> = (0..=DAYS)
        .filter_map(|d| (first + Duration::days(d)).and_hms_opt(0, 0, 0))
        .map(|t| t.and_utc() - Duration::hours(8))
        .collect();
    let counts = store.lead_counts(scope, &bounds, 20_000).await?;
    let mut per: BTreeMap<String, Vec<u64>> = BTreeMap::new();
    for l in counts {
        let i = l.period;
        if i >= DAYS as usize {
            continue;
        }
        let mut keys = vec![];
        match l.reasons.filter(|b| *b != 0) {
            Some(bits) => {
                for (bit, code) in wangjian_detect::Code::ALL.iter().enumerate() {
                    if bits & (1 << bit) != 0 {
                        keys.push(format!("reason.{}", code.as_str()));
                    }
                }
            }
            None => keys.push(format!("lead_source.{}", l.source)),
        }
        for k in keys {
            per.entry(k).or_insert_with(|| vec![0; DAYS as usize])[i] += l.count;
        }
    }
    let mut series: Vec<(String, Vec<u64>)> = per.into_iter().collect();
    series.sort_by_key(|(k, v)| (std::cmp::Reverse(v.iter().sum::<u64>()), k.clone()));
    let keep = PALETTE.len() - 1;
    if series.len() > keep + 1 {
        let rest = series.split_off(keep);
        let mut other = vec![0; DAYS as usize];
        for (_, v) in rest {
            for (o, x) in other.iter_mut().zip(v) {
                *o += x;
            }
        }
        series.push(("dashboard.other".into(), other));
    }
    Ok(LineChart {
        title: t(lang, "chart.leads_per_day").to_string(),
        x_labels: (0..DAYS)
            .map(|d| (first + Duration::days(d)).format("%m-%d").to_string())
            .collect(),
        series: series
            .into_iter()
            .map(|(k, values)| Series {
                name: t(lang, &k).to_string(),
                values,
            })
            .collect(),
        width: 1280,
        height: 300,
    })
}

/// (agency name, overdue running deadlines) in the scope, largest first.
pub(super) async fn overdue_by_agency(
    store: &Store,
    scope: &Scope,
) -> Result<Vec<(String, u64)>, crate::ApiError> {
    let today = wangjian_calendar::shanghai_date(Utc::now());
    let counts = store.overdue_by_org(scope, today).await?;
    let names: HashMap<OrgId, String> = if counts.is_empty() {
        HashMap::new()
    } else {
        store
            .organizations()
            .await?
            .into_iter()
            .map(|o| (o.id, o.name))
            .collect()
    };
    let mut out: Vec<(String, u64)> = counts
        .into_iter()
        .map(|(org, n)| {
            let name = names.get(&org).cloned().unwrap_or_else(|| org.to_string());
            (name, n)
        })
        .collect();
    out.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    Ok(out)
}

pub(super) async fn show(State(state): State<AppState>, caller: Caller) -> Response {
    let Principal::Member(_) = &caller.principal else {
        return to_login("/dashboard");
    };
    let lang = caller.lang;
    let no_data = t(lang, "chart.no_data");
    let (Some(store), Some(scope)) = (state.directory().store(), count_scope(&caller)) else {
        let body = html! { main { h1 { (t(lang, "dashboard.title")) } p.empty { (t(lang, "dashboard.nothing")) } } };
        return Html(page(&caller, t(lang, "dashboard.title"), body).into_string()).into_response();
    };
    let data = async {
        let leads = leads_chart(store, &scope, lang).await?;
        let states = store.case_state_counts(&scope).await?;
        let overdue = overdue_by_agency(store, &scope).await?;
        Ok::<_, crate::ApiError>((leads, states, overdue))
    }
    .await;
    let (leads, states, overdue) = match data {
        Ok(d) => d,
        Err(e) => {
            tracing::error!(error = %e, "dashboard");
            return error_page(&caller, StatusCode::SERVICE_UNAVAILABLE, "error.internal");
        }
    };
    let mut bars: Vec<(String, u64)> = CaseState::ALL
        .iter()
        .filter_map(|s| {
            states
                .iter()
                .find(|(k, _)| k == s.as_str())
                .map(|(k, n)| (state_label(lang, k), *n))
        })
        .collect();
    bars.retain(|(_, n)| *n > 0);
    let rows = |n: usize| (56 + 22 * n as u32).max(200);
    let states_chart = bar_chart(
        &BarChart {
            title: t(lang, "chart.cases_by_state").to_string(),
            height: rows(bars.len()),
            bars,
            width: 630,
        },
        no_data,
    );
    let overdue_chart = bar_chart(
        &BarChart {
            title: t(lang, "chart.overdue_by_agency").to_string(),
            height: rows(overdue.len()),
            bars: overdue,
            width: 630,
        },
        no_data,
    );
    let body = html! {
        main.dashboard {
            h1 { (t(lang, "dashboard.title")) }
            div.card #leads-per-day { (line_chart(&leads, no_data)) }
            div.grid.two style="margin-top:16px" {
                div.card #cases-by-state { (states_chart) }
                div.card #overdue-by-agency { (overdue_chart) }
            }
        }
    };
    Html(page(&caller, t(lang, "dashboard.title"), body).into_string()).into_response()
}
