//! The public disclosure pages (信息公示, no sign-in), each also as JSON and CSV for
//! exchange with credit platforms:
//!
//! - `/portal/decisions` (`.json`, `.csv`): penalty decisions in their publicity period,
//!   searched by name, 统一社会信用代码, region, date and product (案由);
//! - `/portal/blacklist` (`.json`, `.csv`, `.jsonl`): the serious-violation list today;
//!   the `.jsonl` export is the JSON Lines shape `wangjian screen --list` reads (`id`,
//!   `name`, `uscc`, `domain`, and the decision's fields, which screening ignores);
//! - `/portal/warnings` (`.json`, `.csv`): consumer warnings — decisions of the last 90
//!   days and the listed websites;
//! - `/portal/typical` (`.json`, `.csv`): typical cases (典型案例).
//!
//! Personal data is masked in all of them (a natural person's name to the family name,
//! citizen ids and mobile numbers inside any text: `wangjian_domain::credit::mask_text`);
//! the app's public reads do the masking, these handlers only render.

use axum::extract::{Query, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use chrono::NaiveDate;
use maud::{html, Markup};
use serde::{Deserialize, Serialize};
use wangjian_app::workflow::credit::PublicEntry;
use wangjian_domain::credit::PublicDecision;
use wangjian_store::DisclosureQuery;

use super::portal_page;
use crate::error::ApiError;
use crate::i18n::t;
use crate::state::AppState;
use crate::web::caller::Caller;

/// The routes.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/portal/decisions", get(decisions_page))
        .route("/portal/decisions.json", get(decisions_json))
        .route("/portal/decisions.csv", get(decisions_csv))
        .route("/portal/blacklist", get(blacklist_page))
        .route("/portal/blacklist.json", get(blacklist_json))
        .route("/portal/blacklist.jsonl", get(blacklist_jsonl))
        .route("/portal/blacklist.csv", get(blacklist_csv))
        .route("/portal/warnings", get(warnings_page))
        .route("/portal/warnings.json", get(warnings_json))
        .route("/portal/warnings.csv", get(warnings_csv))
        .route("/portal/typical", get(typical_page))
        .route("/portal/typical.json", get(typical_json))
        .route("/portal/typical.csv", get(typical_csv))
}

/// Every public page and export (for the masking test and the nav).
pub const PUBLIC_PATHS: &[&str] = &[
    "/portal/decisions",
    "/portal/decisions.json",
    "/portal/decisions.csv",
    "/portal/blacklist",
    "/portal/blacklist.json",
    "/portal/blacklist.jsonl",
    "/portal/blacklist.csv",
    "/portal/warnings",
    "/portal/warnings.json",
    "/portal/warnings.csv",
    "/portal/typical",
    "/portal/typical.json",
    "/portal/typical.csv",
];

/// The search of decisions, as typed.
#[derive(Debug, Default, Deserialize)]
pub struct DecisionSearch {
    name: Option<String>,
    uscc: Option<String>,
    region: Option<String>,
    from: Option<String>,
    to: Option<String>,
    product: Option<String>,
    page: Option<u32>,
}

const PAGE: u32 = 50;
/// Largest export.
const EXPORT_MAX: u32 = 10_000;

fn date(field: &str, s: &Option<String>) -> Result<Option<NaiveDate>, ApiError> {
    match s.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        None => Ok(None),
        Some(v) => NaiveDate::parse_from_str(v, "%Y-%m-%d")
            .map(Some)
            .map_err(|_| ApiError::invalid(field, format!("{v:?} is not a date like 2026-06-01"))),
    }
}

impl DecisionSearch {
    fn query(&self) -> Result<DisclosureQuery, ApiError> {
        if let Some(r) = self
            .region
            .as_deref()
            .map(str::trim)
            .filter(|r| !r.is_empty())
        {
            if !r.chars().all(|c| c.is_ascii_digit()) || r.len() > 6 {
                return Err(ApiError::invalid(
                    "region",
                    "a region code of up to six digits",
                ));
            }
        }
        Ok(DisclosureQuery {
            name: self.name.clone(),
            uscc: self.uscc.clone(),
            region: self.region.clone(),
            from: date("from", &self.from)?,
            to: date("to", &self.to)?,
            product: self.product.clone(),
            typical_only: false,
        })
    }
}

async fn find(
    state: &AppState,
    caller: &Caller,
    q: &DisclosureQuery,
    limit: u32,
    offset: u32,
) -> Result<Vec<PublicDecision>, ApiError> {
    Ok(state
        .app()?
        .public_decisions(&caller.call(), q, limit, offset)
        .await?)
}

/// A CSV field: quoted when needed; a leading `= + - @` neutralized (a spreadsheet would
/// run it as a formula).
fn csv_field(s: &str) -> String {
    let s = if s.starts_with(['=', '+', '-', '@']) {
        format!("'{s}")
    } else {
        s.to_string()
    };
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s
    }
}

fn csv(header_row: &[&str], rows: impl Iterator<Item = Vec<String>>, name: &str) -> Response {
    let mut out = String::from('\u{feff}');
    out.push_str(&header_row.join(","));
    out.push_str("\r\n");
    for r in rows {
        out.push_str(&r.iter().map(|f| csv_field(f)).collect::<Vec<_>>().join(","));
        out.push_str("\r\n");
    }
    (
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_string()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{name}\""),
            ),
        ],
        out,
    )
        .into_response()
}

const DECISION_COLUMNS: &[&str] = &[
    "id",
    "party_name",
    "uscc",
    "org_name",
    "region",
    "decision_number",
    "title",
    "legal_basis",
    "fine_yuan",
    "decided_on",
    "published_on",
    "public_until",
];

fn decision_row(d: &PublicDecision) -> Vec<String> {
    vec![
        d.id.to_string(),
        d.party_name.clone(),
        d.uscc.clone().unwrap_or_default(),
        d.org_name.clone(),
        d.region.clone(),
        d.decision_number.clone(),
        d.title.clone(),
        d.legal_basis.clone(),
        format!("{:.2}", d.fine_yuan),
        d.decided_on.to_string(),
        d.published_on.map(|x| x.to_string()).unwrap_or_default(),
        d.public_until.map(|x| x.to_string()).unwrap_or_default(),
    ]
}

fn decisions_table(caller: &Caller, items: &[PublicDecision]) -> Markup {
    let lang = caller.lang;
    html! {
        @if items.is_empty() {
            p.empty { (t(lang, "disclosure.none")) }
        } @else {
            table.list #decisions {
                thead { tr {
                    th { (t(lang, "disclosure.party")) }
                    th { (t(lang, "disclosure.uscc")) }
                    th { (t(lang, "disclosure.number")) }
                    th { (t(lang, "disclosure.title_col")) }
                    th { (t(lang, "disclosure.basis")) }
                    th { (t(lang, "disclosure.fine")) }
                    th { (t(lang, "disclosure.org")) }
                    th { (t(lang, "disclosure.decided_on")) }
                    th { (t(lang, "disclosure.published_on")) }
                } }
                tbody {
                    @for d in items {
                        tr {
                            td { (d.party_name) }
                            td { (d.uscc.as_deref().unwrap_or("—")) }
                            td { (d.decision_number) }
                            td { (d.title) }
                            td { (d.legal_basis) }
                            td.num { (format!("{:.2}", d.fine_yuan)) }
                            td { (d.org_name) " (" (d.region) ")" }
                            td { (d.decided_on) }
                            td { (d.published_on.map(|x| x.to_string()).unwrap_or_default()) }
                        }
                    }
                }
            }
        }
    }
}

fn nav(caller: &Caller, base: &str) -> Markup {
    let lang = caller.lang;
    html! {
        nav.filters {
            a href="/portal/decisions" { (t(lang, "disclosure.nav.decisions")) }
            a href="/portal/blacklist" { (t(lang, "disclosure.nav.blacklist")) }
            a href="/portal/warnings" { (t(lang, "disclosure.nav.warnings")) }
            a href="/portal/typical" { (t(lang, "disclosure.nav.typical")) }
        }
        p.muted {
            (t(lang, "disclosure.exports")) " "
            a href={(base) ".json"} { "JSON" } " · "
            a href={(base) ".csv"} { "CSV" }
            @if base == "/portal/blacklist" { " · " a href="/portal/blacklist.jsonl" { "JSON Lines" } }
        }
    }
}

fn search_qs(s: &DecisionSearch) -> String {
    let mut parts = Vec::new();
    for (k, v) in [
        ("name", &s.name),
        ("uscc", &s.uscc),
        ("region", &s.region),
        ("from", &s.from),
        ("to", &s.to),
        ("product", &s.product),
    ] {
        if let Some(v) = v.as_deref().filter(|v| !v.is_empty()) {
            parts.push(format!("{k}={}", crate::console::url_encode(v)));
        }
    }
    parts.join("&")
}

async fn decisions_page(
    State(state): State<AppState>,
    caller: Caller,
    Query(s): Query<DecisionSearch>,
) -> Response {
    let lang = caller.lang;
    let page_no = s.page.unwrap_or(0).min(1000);
    let (items, error) = match s.query() {
        Ok(q) => match find(&state, &caller, &q, PAGE + 1, page_no * PAGE).await {
            Ok(v) => (v, None),
            Err(e) => (vec![], Some(e.message)),
        },
        Err(e) => (
            vec![],
            Some(format!(
                "{}: {}",
                e.field.clone().unwrap_or_default(),
                e.message
            )),
        ),
    };
    let more = items.len() > PAGE as usize;
    let shown = &items[..items.len().min(PAGE as usize)];
    let v = |o: &Option<String>| o.clone().unwrap_or_default();
    let qs = search_qs(&s);
    let body = html! {
        h1 { (t(lang, "disclosure.decisions_title")) }
        (nav(&caller, "/portal/decisions"))
        form.card method="get" action="/portal/decisions" {
            label { (t(lang, "disclosure.party")) input type="text" name="name" value=(v(&s.name)); }
            label { (t(lang, "disclosure.uscc")) input type="text" name="uscc" value=(v(&s.uscc)); }
            label { (t(lang, "disclosure.region")) input type="text" name="region" value=(v(&s.region)) placeholder="3301"; }
            label { (t(lang, "disclosure.from")) input type="date" name="from" value=(v(&s.from)); }
            label { (t(lang, "disclosure.to")) input type="date" name="to" value=(v(&s.to)); }
            label { (t(lang, "disclosure.product")) input type="text" name="product" value=(v(&s.product)); }
            button.primary type="submit" { (t(lang, "disclosure.search")) }
        }
        @if let Some(e) = error { div.error role="alert" { (e) } }
        div.card { (decisions_table(&caller, shown)) }
        @if more {
            p { a href={"/portal/decisions?page=" (page_no + 1) "&" (qs)} { "»" } }
        }
        p.muted { (t(lang, "disclosure.masking_note")) }
    };
    portal_page(&caller, t(lang, "disclosure.decisions_title"), body)
}

async fn decisions_json(
    State(state): State<AppState>,
    caller: Caller,
    Query(s): Query<DecisionSearch>,
) -> Result<Json<Vec<PublicDecision>>, ApiError> {
    Ok(Json(
        find(&state, &caller, &s.query()?, EXPORT_MAX, 0).await?,
    ))
}

async fn decisions_csv(
    State(state): State<AppState>,
    caller: Caller,
    Query(s): Query<DecisionSearch>,
) -> Result<Response, ApiError> {
    let items = find(&state, &caller, &s.query()?, EXPORT_MAX, 0).await?;
    Ok(csv(
        DECISION_COLUMNS,
        items.iter().map(decision_row),
        "decisions.csv",
    ))
}

/// The list lookup, as typed.
#[derive(Debug, Default, Deserialize)]
pub struct ListSearch {
    name: Option<String>,
    uscc: Option<String>,
}

async fn entries(
    state: &AppState,
    caller: &Caller,
    s: &ListSearch,
) -> Result<Vec<PublicEntry>, ApiError> {
    Ok(state
        .app()?
        .public_blacklist(&caller.call(), s.name.as_deref(), s.uscc.as_deref())
        .await?)
}

async fn blacklist_page(
    State(state): State<AppState>,
    caller: Caller,
    Query(s): Query<ListSearch>,
) -> Response {
    let lang = caller.lang;
    let (items, error) = match entries(&state, &caller, &s).await {
        Ok(v) => (v, None),
        Err(e) => (vec![], Some(e.message)),
    };
    let body = html! {
        h1 { (t(lang, "disclosure.blacklist_title")) }
        (nav(&caller, "/portal/blacklist"))
        form.card method="get" action="/portal/blacklist" {
            label { (t(lang, "disclosure.party")) input type="text" name="name" value=(s.name.clone().unwrap_or_default()); }
            label { (t(lang, "disclosure.uscc")) input type="text" name="uscc" value=(s.uscc.clone().unwrap_or_default()); }
            button.primary type="submit" { (t(lang, "disclosure.search")) }
        }
        @if let Some(e) = error { div.error role="alert" { (e) } }
        div.card {
            @if items.is_empty() {
                p.empty { (t(lang, "disclosure.none")) }
            } @else {
                table.list #blacklist {
                    thead { tr {
                        th { (t(lang, "disclosure.party")) }
                        th { (t(lang, "disclosure.uscc")) }
                        th { (t(lang, "disclosure.basis")) }
                        th { (t(lang, "disclosure.number")) }
                        th { (t(lang, "disclosure.org")) }
                        th { (t(lang, "disclosure.start")) }
                        th { (t(lang, "disclosure.end")) }
                    } }
                    tbody {
                        @for e in &items {
                            tr {
                                td { (e.name) }
                                td { (e.uscc.as_deref().or(e.domain.as_deref()).unwrap_or("—")) }
                                td { (e.legal_basis) }
                                td { (e.decision_number) }
                                td { (e.deciding_org) }
                                td { (e.start) }
                                td { (e.end) }
                            }
                        }
                    }
                }
            }
        }
        p.muted { (t(lang, "disclosure.blacklist_note")) }
    };
    portal_page(&caller, t(lang, "disclosure.blacklist_title"), body)
}

async fn blacklist_json(
    State(state): State<AppState>,
    caller: Caller,
    Query(s): Query<ListSearch>,
) -> Result<Json<Vec<PublicEntry>>, ApiError> {
    Ok(Json(entries(&state, &caller, &s).await?))
}

async fn blacklist_jsonl(
    State(state): State<AppState>,
    caller: Caller,
    Query(s): Query<ListSearch>,
) -> Result<Response, ApiError> {
    let mut out = String::new();
    for e in entries(&state, &caller, &s).await? {
        out.push_str(&serde_json::to_string(&e).map_err(|e| ApiError::internal(&e))?);
        out.push('\n');
    }
    Ok(([(header::CONTENT_TYPE, "application/x-ndjson")], out).into_response())
}

const ENTRY_COLUMNS: &[&str] = &[
    "id",
    "name",
    "uscc",
    "domain",
    "legal_basis",
    "decision_number",
    "deciding_org",
    "start",
    "end",
];

fn entry_row(e: &PublicEntry) -> Vec<String> {
    vec![
        e.id.clone(),
        e.name.clone(),
        e.uscc.clone().unwrap_or_default(),
        e.domain.clone().unwrap_or_default(),
        e.legal_basis.clone(),
        e.decision_number.clone(),
        e.deciding_org.clone(),
        e.start.to_string(),
        e.end.to_string(),
    ]
}

async fn blacklist_csv(
    State(state): State<AppState>,
    caller: Caller,
    Query(s): Query<ListSearch>,
) -> Result<Response, ApiError> {
    let items = entries(&state, &caller, &s).await?;
    Ok(csv(
        ENTRY_COLUMNS,
        items.iter().map(entry_row),
        "blacklist.csv",
    ))
}

/// Consumer warnings (消费警示): what was penalized lately, and which listed websites to
/// avoid.
#[derive(Debug, Serialize)]
pub struct Warnings {
    /// Decisions of the last 90 days (their 案由 name the product and the violation).
    pub recent_decisions: Vec<PublicDecision>,
    /// Listed websites (do not buy there).
    pub listed_websites: Vec<PublicEntry>,
}

async fn warnings(state: &AppState, caller: &Caller) -> Result<Warnings, ApiError> {
    let today = wangjian_calendar::shanghai_date(caller.call().now);
    let q = DisclosureQuery {
        from: Some(today - chrono::Duration::days(90)),
        ..DisclosureQuery::default()
    };
    let recent_decisions = find(state, caller, &q, 200, 0).await?;
    let listed_websites = entries(state, caller, &ListSearch::default())
        .await?
        .into_iter()
        .filter(|e| e.domain.is_some())
        .collect();
    Ok(Warnings {
        recent_decisions,
        listed_websites,
    })
}

async fn warnings_page(State(state): State<AppState>, caller: Caller) -> Response {
    let lang = caller.lang;
    let w = warnings(&state, &caller).await.unwrap_or(Warnings {
        recent_decisions: vec![],
        listed_websites: vec![],
    });
    let body = html! {
        h1 { (t(lang, "disclosure.warnings_title")) }
        (nav(&caller, "/portal/warnings"))
        p { (t(lang, "disclosure.warnings_intro")) }
        div.card {
            h2 { (t(lang, "disclosure.warnings_recent")) }
            ul #warnings {
                @for d in &w.recent_decisions {
                    li { (d.decided_on) " · " (d.title) " · " (d.party_name) " · " (d.org_name) }
                }
            }
            @if w.recent_decisions.is_empty() { p.empty { (t(lang, "disclosure.none")) } }
        }
        div.card {
            h2 { (t(lang, "disclosure.warnings_sites")) }
            ul {
                @for e in &w.listed_websites {
                    li { (e.domain.as_deref().unwrap_or("")) " · " (e.name) }
                }
            }
            @if w.listed_websites.is_empty() { p.empty { (t(lang, "disclosure.none")) } }
        }
    };
    portal_page(&caller, t(lang, "disclosure.warnings_title"), body)
}

async fn warnings_json(
    State(state): State<AppState>,
    caller: Caller,
) -> Result<Json<Warnings>, ApiError> {
    Ok(Json(warnings(&state, &caller).await?))
}

async fn warnings_csv(State(state): State<AppState>, caller: Caller) -> Result<Response, ApiError> {
    let w = warnings(&state, &caller).await?;
    let rows = w
        .recent_decisions
        .iter()
        .map(|d| {
            vec![
                "decision".to_string(),
                d.decided_on.to_string(),
                d.title.clone(),
                d.party_name.clone(),
                d.org_name.clone(),
            ]
        })
        .chain(w.listed_websites.iter().map(|e| {
            vec![
                "listed_website".to_string(),
                e.start.to_string(),
                e.domain.clone().unwrap_or_default(),
                e.name.clone(),
                e.deciding_org.clone(),
            ]
        }));
    Ok(csv(
        &["kind", "date", "what", "party", "org"],
        rows,
        "warnings.csv",
    ))
}

fn typical_query() -> DisclosureQuery {
    DisclosureQuery {
        typical_only: true,
        ..DisclosureQuery::default()
    }
}

async fn typical_page(State(state): State<AppState>, caller: Caller) -> Response {
    let lang = caller.lang;
    let items = find(&state, &caller, &typical_query(), 200, 0)
        .await
        .unwrap_or_default();
    let body = html! {
        h1 { (t(lang, "disclosure.typical_title")) }
        (nav(&caller, "/portal/typical"))
        div.card { (decisions_table(&caller, &items)) }
    };
    portal_page(&caller, t(lang, "disclosure.typical_title"), body)
}

async fn typical_json(
    State(state): State<AppState>,
    caller: Caller,
) -> Result<Json<Vec<PublicDecision>>, ApiError> {
    Ok(Json(
        find(&state, &caller, &typical_query(), EXPORT_MAX, 0).await?,
    ))
}

async fn typical_csv(State(state): State<AppState>, caller: Caller) -> Result<Response, ApiError> {
    let items = find(&state, &caller, &typical_query(), EXPORT_MAX, 0).await?;
    Ok(csv(
        DECISION_COLUMNS,
        items.iter().map(decision_row),
        "typical.csv",
    ))
}
