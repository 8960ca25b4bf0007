//! The credit pages of the console (issue 17): find a subject, read its credit file
//! (records, the class today with its reasons, the list history), the listing decision
//! and credit-repair forms, a record form, and the disclosure board with the publish
//! approval. Behind the same use cases as the API; an error comes back to the page with
//! its field and reason.

use axum::extract::{Form, Path, Query, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};
use chrono::NaiveDate;
use maud::html;
use serde::Deserialize;
use wangjian_domain::credit::{
    BlacklistState, CreditRecordKind, ListingDecision, NewRecord, RepairApplication,
};
use wangjian_domain::subject::SubjectIdentity;
use wangjian_domain::SubjectId;

use super::{error_page, page, to_login, url_encode};
use crate::error::{ApiError, ErrorCode};
use crate::i18n::t;
use crate::state::AppState;
use crate::web::caller::Caller;
use wangjian_app::policy::Principal;

#[derive(Debug, Deserialize)]
pub(super) struct SearchQuery {
    q: Option<String>,
}

fn fail(caller: &Caller, e: &ApiError) -> Response {
    if e.code == ErrorCode::NotFound {
        error_page(caller, StatusCode::NOT_FOUND, "error.not_found")
    } else {
        tracing::error!(error = %e, "credit page");
        error_page(caller, e.code.status(), "error.internal")
    }
}

fn message(e: &ApiError) -> String {
    match &e.field {
        Some(f) => format!("{f}: {}", e.message),
        None => e.message.clone(),
    }
}

/// The subject id of a credit page or form: a visitor who is not signed in is sent to
/// sign in (and back to the page), an id that is no UUID gets the unknown id's answer.
fn subject_page(caller: &Caller, id: &str) -> Result<uuid::Uuid, Box<Response>> {
    if !matches!(caller.principal, Principal::Member(_)) {
        return Err(Box::new(to_login(&format!("/credit/{}", url_encode(id)))));
    }
    uuid::Uuid::parse_str(id).map_err(|_| Box::new(fail(caller, &ApiError::not_found())))
}

pub(super) async fn search(
    State(state): State<AppState>,
    caller: Caller,
    Query(q): Query<SearchQuery>,
) -> Response {
    if !matches!(caller.principal, Principal::Member(_)) {
        return to_login("/credit");
    }
    let lang = caller.lang;
    let text = q.q.unwrap_or_default();
    let found = match state.app() {
        Ok(app) => app
            .find_subjects(&caller.call(), &text)
            .await
            .map_err(ApiError::from),
        Err(e) => Err(e),
    };
    let found = match found {
        Ok(v) => v,
        Err(e) => return fail(&caller, &e),
    };
    let body = html! {
        main.credit {
            h1 { (t(lang, "credit.title")) }
            form.card method="get" action="/credit" {
                label for="q" { (t(lang, "credit.search")) }
                input #q type="text" name="q" value=(text);
                button.primary type="submit" { (t(lang, "disclosure.search")) }
            }
            div.card {
                @if found.is_empty() {
                    p.empty { (t(lang, "disclosure.none")) }
                } @else {
                    table.list #subjects {
                        tbody {
                            @for s in &found {
                                tr { td { a href={"/credit/" (s.id)} { (s.name) } } td { (identity(&s.identity)) } }
                            }
                        }
                    }
                }
            }
        }
    };
    Html(page(&caller, t(lang, "credit.title"), body).into_string()).into_response()
}

fn identity(i: &SubjectIdentity) -> String {
    match i {
        SubjectIdentity::Enterprise { uscc } => uscc.clone(),
        SubjectIdentity::IndividualBusiness {
            uscc,
            operator_id_masked,
            ..
        } => uscc
            .clone()
            .or_else(|| operator_id_masked.clone())
            .unwrap_or_default(),
        SubjectIdentity::Person {
            citizen_id_masked, ..
        } => citizen_id_masked.clone(),
        SubjectIdentity::Website { domain, .. } => domain.clone(),
    }
}

#[derive(Debug, Deserialize)]
pub(super) struct ShowQuery {
    error: Option<String>,
}

pub(super) async fn show(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    Query(q): Query<ShowQuery>,
) -> Response {
    let uuid = match subject_page(&caller, &id) {
        Ok(u) => u,
        Err(r) => return *r,
    };
    let lang = caller.lang;
    let view = match state.app() {
        Ok(app) => app
            .credit_file(&caller.call(), SubjectId(uuid))
            .await
            .map_err(ApiError::from),
        Err(e) => Err(e),
    };
    let f = match view {
        Ok(v) => v,
        Err(e) => return fail(&caller, &e),
    };
    let today = wangjian_calendar::shanghai_date(caller.call().now);
    let csrf = caller.csrf.clone();
    let body = html! {
        main.credit {
            h1 { (f.subject.name) " " small { (identity(&f.subject.identity)) } }
            @if let Some(e) = &q.error { div.error role="alert" { (e) } }
            div.card #credit-class {
                h2 { (t(lang, "credit.class")) ": " span.badge { (f.assessment.class.as_str()) } " " (f.assessment.class.label_zh()) }
                @if f.assessment.reasons.is_empty() {
                    p { (t(lang, "credit.no_reasons")) }
                } @else {
                    ul { @for r in &f.assessment.reasons { li { (r) } } }
                }
                p.muted { (f.classes_source) }
            }
            div.card {
                h2 { (t(lang, "credit.records")) }
                @if f.records.is_empty() { p.empty { (t(lang, "disclosure.none")) } }
                @else {
                    table.list #credit-records {
                        thead { tr {
                            th { (t(lang, "credit.on")) } th { (t(lang, "credit.kind")) } th { (t(lang, "credit.source")) }
                            th { (t(lang, "disclosure.number")) } th { (t(lang, "disclosure.basis")) } th { (t(lang, "credit.summary")) }
                        } }
                        tbody {
                            @for r in &f.records {
                                tr {
                                    td { (r.on) } td { (r.kind.label_zh()) } td { (r.source) }
                                    td { (r.reference) } td { (r.legal_basis) }
                                    td { (r.summary) @if let Some(fine) = r.fine_fen { " (" (format!("{:.2}", fine as f64 / 100.0)) " 元)" } }
                                }
                            }
                        }
                    }
                }
            }
            div.card {
                h2 { (t(lang, "credit.blacklist")) }
                @if f.blacklist.is_empty() { p.empty { (t(lang, "disclosure.none")) } }
                @for e in &f.blacklist {
                    div.entry {
                        p {
                            strong { (e.state.label_zh()) } " · " (e.entry.decision_number) " · "
                            (e.entry.start) " — " (e.entry.end) " · " (e.entry.legal_basis)
                        }
                        @if let Some(r) = &e.entry.repair {
                            ul { @for c in &r.conditions { li { (c) } } }
                            p.muted { (t(lang, "credit.repaired_on")) " " (r.approved_on) }
                        }
                        @if e.state == BlacklistState::Active {
                            form.inline method="post" action={"/blacklist/" (e.entry.id) "/repair"} {
                                input type="hidden" name="_csrf" value=(csrf);
                                input type="hidden" name="subject" value=(f.subject.id);
                                input type="hidden" name="expected_version" value=(e.entry.version);
                                label { (t(lang, "credit.applied_on")) input type="date" name="applied_on" value=(today) required; }
                                label { (t(lang, "credit.obligations")) input type="text" name="obligations_fulfilled" required; }
                                label { (t(lang, "credit.harm")) input type="text" name="harm_removed" required; }
                                button type="submit" { (t(lang, "credit.repair")) }
                            }
                        }
                    }
                }
                h3 { (t(lang, "credit.enter")) }
                form method="post" action={"/credit/" (f.subject.id) "/blacklist"} #blacklist-form {
                    input type="hidden" name="_csrf" value=(csrf);
                    label { (t(lang, "disclosure.basis")) input type="text" name="legal_basis" required; }
                    label { (t(lang, "disclosure.number")) input type="text" name="decision_number" required; }
                    label { (t(lang, "disclosure.start")) input type="date" name="start" value=(today) required; }
                    label { (t(lang, "credit.months")) input type="number" name="months" value="36" min="1" required; }
                    label { (t(lang, "credit.longer_basis")) input type="text" name="longer_basis"; }
                    button.primary type="submit" { (t(lang, "credit.enter")) }
                }
            }
            div.card {
                h3 { (t(lang, "credit.add_record")) }
                form method="post" action={"/credit/" (f.subject.id) "/records"} #record-form {
                    input type="hidden" name="_csrf" value=(csrf);
                    select name="kind" {
                        @for k in [CreditRecordKind::SelfInspection, CreditRecordKind::BrushingFinding] {
                            option value=(k.as_str()) { (k.label_zh()) }
                        }
                    }
                    label { (t(lang, "credit.source")) input type="text" name="source" required; }
                    label { (t(lang, "credit.on")) input type="date" name="on" value=(today) required; }
                    label { (t(lang, "disclosure.basis")) input type="text" name="legal_basis" required; }
                    label { (t(lang, "disclosure.number")) input type="text" name="reference" required; }
                    label { (t(lang, "credit.summary")) input type="text" name="summary" required; }
                    button type="submit" { (t(lang, "credit.add_record")) }
                }
            }
        }
    };
    Html(page(&caller, &f.subject.name, body).into_string()).into_response()
}

fn field<'a>(form: &'a [(String, String)], k: &str) -> &'a str {
    form.iter()
        .find(|(n, _)| n == k)
        .map(|(_, v)| v.as_str())
        .unwrap_or("")
}

fn parse_date(form: &[(String, String)], k: &'static str) -> Result<NaiveDate, ApiError> {
    NaiveDate::parse_from_str(field(form, k).trim(), "%Y-%m-%d")
        .map_err(|_| ApiError::invalid(k, "a date like 2026-06-01"))
}

fn back(subject: &str, e: Option<&ApiError>) -> Response {
    let q = e
        .map(|e| format!("?error={}", url_encode(&message(e))))
        .unwrap_or_default();
    Redirect::to(&format!("/credit/{}{q}", url_encode(subject))).into_response()
}

pub(super) async fn enter(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    Form(form): Form<Vec<(String, String)>>,
) -> Response {
    let uuid = match subject_page(&caller, &id) {
        Ok(u) => u,
        Err(r) => return *r,
    };
    let result = async {
        let d = ListingDecision {
            legal_basis: field(&form, "legal_basis").to_string(),
            decision_number: field(&form, "decision_number").to_string(),
            start: parse_date(&form, "start")?,
            months: field(&form, "months")
                .trim()
                .parse()
                .map_err(|_| ApiError::invalid("months", "a whole number of months"))?,
            longer_basis: Some(field(&form, "longer_basis").to_string()),
        };
        state
            .app()?
            .enter_blacklist(&caller.call(), SubjectId(uuid), &d)
            .await
            .map_err(ApiError::from)
    }
    .await;
    back(&id, result.err().as_ref())
}

pub(super) async fn add_record(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    Form(form): Form<Vec<(String, String)>>,
) -> Response {
    let uuid = match subject_page(&caller, &id) {
        Ok(u) => u,
        Err(r) => return *r,
    };
    let result = async {
        let kind = CreditRecordKind::parse(field(&form, "kind"))
            .ok_or_else(|| ApiError::invalid("kind", "an unknown kind of record"))?;
        let new = NewRecord {
            kind,
            source: field(&form, "source").to_string(),
            on: parse_date(&form, "on")?,
            legal_basis: field(&form, "legal_basis").to_string(),
            reference: field(&form, "reference").to_string(),
            summary: field(&form, "summary").to_string(),
            fine_fen: None,
        };
        state
            .app()?
            .add_credit_record(&caller.call(), SubjectId(uuid), &new)
            .await
            .map_err(ApiError::from)
    }
    .await;
    back(&id, result.err().as_ref())
}

pub(super) async fn repair(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    Form(form): Form<Vec<(String, String)>>,
) -> Response {
    let subject = field(&form, "subject").to_string();
    if !matches!(caller.principal, Principal::Member(_)) {
        return to_login(&format!("/credit/{}", url_encode(&subject)));
    }
    let Ok(uuid) = uuid::Uuid::parse_str(&id) else {
        return fail(&caller, &ApiError::not_found());
    };
    let result = async {
        let app = RepairApplication {
            applied_on: parse_date(&form, "applied_on")?,
            obligations_fulfilled: field(&form, "obligations_fulfilled").to_string(),
            harm_removed: field(&form, "harm_removed").to_string(),
        };
        let expected = field(&form, "expected_version").parse().ok();
        state
            .app()?
            .repair_blacklist(&caller.call(), uuid, expected, &app)
            .await
            .map_err(ApiError::from)
    }
    .await;
    match result {
        Err(e) if e.code == ErrorCode::NotFound => fail(&caller, &e),
        r => back(&subject, r.err().as_ref()),
    }
}

pub(super) async fn board(
    State(state): State<AppState>,
    caller: Caller,
    Query(q): Query<ShowQuery>,
) -> Response {
    if !matches!(caller.principal, Principal::Member(_)) {
        return to_login("/disclosures");
    }
    let lang = caller.lang;
    let rows = match state.app() {
        Ok(app) => app
            .disclosure_board(&caller.call())
            .await
            .map_err(ApiError::from),
        Err(e) => Err(e),
    };
    let rows = match rows {
        Ok(r) => r,
        Err(e) if e.code == ErrorCode::NotFound => vec![],
        Err(e) => return fail(&caller, &e),
    };
    let body = html! {
        main.disclosures {
            h1 { (t(lang, "disclosure.board_title")) }
            p.muted { (t(lang, "disclosure.board_intro")) }
            @if let Some(e) = &q.error { div.error role="alert" { (e) } }
            div.card {
                @if rows.is_empty() { p.empty { (t(lang, "disclosure.none")) } }
                @else {
                    table.list #disclosure-board {
                        thead { tr {
                            th { (t(lang, "disclosure.number")) } th { (t(lang, "disclosure.party")) }
                            th { (t(lang, "disclosure.org")) } th { (t(lang, "disclosure.decided_on")) }
                            th { (t(lang, "disclosure.due")) } th { (t(lang, "disclosure.published_on")) } th {}
                        } }
                        tbody {
                            @for r in &rows {
                                @let d = &r.disclosure;
                                tr {
                                    td { (d.decision_number) } td { (d.party_name) } td { (d.org_name) }
                                    td { (d.decided_on) }
                                    td { (d.due) @if r.late { " " span.overdue { (t(lang, "disclosure.late")) } } }
                                    td { (d.published_on.map(|p| p.to_string()).unwrap_or_default()) }
                                    td {
                                        @if d.published_on.is_none() {
                                            form.inline method="post" action={"/disclosures/" (d.id) "/publish"} {
                                                input type="hidden" name="_csrf" value=(caller.csrf);
                                                input type="hidden" name="expected_version" value=(d.version);
                                                label.inline { input type="checkbox" name="typical" value="1"; " " (t(lang, "disclosure.typical")) }
                                                button type="submit" { (t(lang, "disclosure.publish")) }
                                            }
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
    };
    Html(page(&caller, t(lang, "disclosure.board_title"), body).into_string()).into_response()
}

pub(super) async fn publish(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    Form(form): Form<Vec<(String, String)>>,
) -> Response {
    if !matches!(caller.principal, Principal::Member(_)) {
        return to_login("/disclosures");
    }
    let Ok(uuid) = uuid::Uuid::parse_str(&id) else {
        return fail(&caller, &ApiError::not_found());
    };
    let expected = field(&form, "expected_version").parse().ok();
    let typical = field(&form, "typical") == "1";
    let result = match state.app() {
        Ok(app) => app
            .publish_decision(&caller.call(), uuid, expected, typical)
            .await
            .map_err(ApiError::from),
        Err(e) => Err(e),
    };
    match result {
        Ok(_) => Redirect::to("/disclosures").into_response(),
        Err(e) if e.code == ErrorCode::NotFound => fail(&caller, &e),
        Err(e) => Redirect::to(&format!("/disclosures?error={}", url_encode(&message(&e))))
            .into_response(),
    }
}
