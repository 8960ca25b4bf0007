//! The complaints pages of the console: the handling agency's list (by state, with the
//! acceptance deadline) and one complaint with its text, links and attachments, the
//! decision forms (accept, refuse with a reason, mark handled with the outcome) and its
//! record. Behind the same checks as the API: a complaint the caller may not see is the
//! 404 page. Everything the public wrote is escaped by maud; links are shown as text.
//!
//! The submitter's contact never appears in the list and is masked on the complaint's
//! page; a handling officer shows it with a button (`POST /complaints/{id}/contact`),
//! which records the read in the complaint's trail. Tracking numbers are not shown at all
//! (only their digests are stored).

use axum::extract::{Form, Path, Query, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{Html, IntoResponse, Redirect, Response};
use maud::html;
use serde::Deserialize;
use wangjian_domain::complaint::{masked_contact, ComplaintState, PUBLIC_ACTOR};
use wangjian_domain::ObjectType;

use super::{error_page, page, to_login, url_encode};
use crate::api::complaints::{
    decide_complaint, handler_scope, load_visible, parse_state, read_contact, ComplaintDecision,
};
use crate::error::{ApiError, ErrorCode};
use crate::i18n::t;
use crate::i18n::{kind_label, local_time, state_label};
use crate::state::AppState;
use crate::web::caller::Caller;
use wangjian_app::policy::Principal;

#[derive(Debug, Deserialize)]
pub(super) struct ListQuery {
    state: Option<String>,
    after: Option<String>,
}

fn fail(caller: &Caller, e: &ApiError) -> Response {
    if e.code == ErrorCode::NotFound {
        error_page(caller, StatusCode::NOT_FOUND, "error.not_found")
    } else {
        tracing::error!(error = %e, "complaints page");
        error_page(caller, e.code.status(), "error.internal")
    }
}

pub(super) async fn list(
    State(state): State<AppState>,
    caller: Caller,
    Query(q): Query<ListQuery>,
) -> Response {
    if !matches!(caller.principal, Principal::Member(_)) {
        return to_login("/complaints");
    }
    let lang = caller.lang;
    let filter = parse_state(q.state.as_deref()).unwrap_or_default();
    let after = q
        .after
        .filter(|a| uuid::Uuid::parse_str(a).is_ok())
        .map(wangjian_store::Cursor);
    let page_items = match (handler_scope(&caller), state.store()) {
        (Some(org), Ok(s)) => match s.complaints(org, filter, after, 50).await {
            Ok(p) => Some(p),
            Err(e) => return fail(&caller, &ApiError::from(e)),
        },
        _ => None,
    };
    let today = wangjian_calendar::shanghai_date(chrono::Utc::now());
    let body = html! {
        main.complaints {
            h1 { (t(lang, "complaints.title")) }
            nav.filters {
                a href="/complaints" class=[filter.is_none().then_some("active")] { (t(lang, "complaints.all")) }
                @for s in ComplaintState::ALL {
                    a href={"/complaints?state=" (s.as_str())} class=[(filter == Some(s)).then_some("active")] { (state_label(lang, s)) }
                }
            }
            div.card {
                @match &page_items {
                    Some(p) if !p.items.is_empty() => {
                        table.list #complaint-list {
                            thead { tr {
                                th { (t(lang, "complaints.text")) }
                                th { (t(lang, "portal.kind")) }
                                th { (t(lang, "complaints.respondent")) }
                                th { (t(lang, "complaints.submitted")) }
                                th { (t(lang, "complaints.due")) }
                                th { (t(lang, "portal.status")) }
                            } }
                            tbody {
                                @for c in &p.items {
                                    tr {
                                        td.excerpt { a href={"/complaints/" (c.id)} { (c.text.chars().take(40).collect::<String>()) } }
                                        td { (kind_label(lang, c.kind)) }
                                        td { (c.respondent) }
                                        td { (local_time(c.submitted_at)) }
                                        td {
                                            (c.accept_due)
                                            @if c.state == ComplaintState::Received && c.accept_due < today {
                                                " " span.overdue { (t(lang, "complaints.overdue")) }
                                            }
                                        }
                                        td { span.badge { (state_label(lang, c.state)) } }
                                    }
                                }
                            }
                        }
                        @if let Some(n) = &p.next {
                            p { a href={"/complaints?after=" (n.0) (filter.map(|s| format!("&state={}", s.as_str())).unwrap_or_default())} { "»" } }
                        }
                    }
                    _ => { p.empty { (t(lang, "complaints.none")) } }
                }
            }
        }
    };
    Html(page(&caller, t(lang, "complaints.title"), body).into_string()).into_response()
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
    render(&state, &caller, &id, q.error.as_deref(), None).await
}

/// Shows the page with the contact in full, after recording the read.
pub(super) async fn contact(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> Response {
    if !matches!(caller.principal, Principal::Member(_)) {
        return to_login(&format!("/complaints/{}", url_encode(&id)));
    }
    match read_contact(&state, &caller, &id).await {
        Ok(v) => render(&state, &caller, &id, None, Some(v.contact)).await,
        Err(e) if e.code == ErrorCode::Forbidden => {
            render(&state, &caller, &id, Some(e.code.as_str()), None).await
        }
        Err(e) => fail(&caller, &e),
    }
}

async fn render(
    state: &AppState,
    caller: &Caller,
    id: &str,
    error: Option<&str>,
    contact: Option<String>,
) -> Response {
    if !matches!(caller.principal, Principal::Member(_)) {
        return to_login(&format!("/complaints/{}", url_encode(id)));
    }
    let lang = caller.lang;
    let c = match load_visible(state, caller, id).await {
        Ok(c) => c,
        Err(e) => return fail(caller, &e),
    };
    let (trail, handler_name) = match state.store() {
        Ok(s) => {
            let trail = s
                .object_trail(ObjectType::Complaint, c.id.0)
                .await
                .unwrap_or_default();
            let name = s
                .organization(c.handler)
                .await
                .ok()
                .flatten()
                .map(|o| o.name)
                .unwrap_or_default();
            (trail, name)
        }
        Err(e) => return fail(caller, &e),
    };
    let resource = wangjian_app::workflow::complaints::complaint_resource(&c);
    let may_write = wangjian_app::policy::decide(
        &caller.principal,
        wangjian_app::policy::Action::Write,
        &resource,
    )
    .is_allow();
    let may_read_contact =
        wangjian_app::policy::may_read_contact(&caller.principal, &resource).is_allow();
    let error = error.filter(|e| e.chars().all(|c| c.is_ascii_lowercase() || c == '_'));
    let action = format!("/complaints/{}/decisions", c.id);
    let body = html! {
        main.complaint {
            h1 { (kind_label(lang, c.kind)) " " span.badge #state { (state_label(lang, c.state)) } }
            @if let Some(e) = error {
                div.error role="alert" { (e) }
            }
            div.grid.two {
                div.card {
                    dl.facts {
                        dt { (t(lang, "complaints.respondent")) } dd { (c.respondent) }
                        dt { (t(lang, "complaints.region")) } dd { (c.region.to_string()) }
                        dt { (t(lang, "portal.handler")) } dd { (handler_name) }
                        dt { (t(lang, "complaints.submitted")) } dd { (local_time(c.submitted_at)) }
                        dt { (t(lang, "complaints.due")) } dd { (c.accept_due) }
                        dt { (t(lang, "complaints.contact")) }
                        dd #contact {
                            @match &contact {
                                Some(full) => { (full) " " small.muted { (t(lang, "complaints.contact_recorded")) } }
                                None => {
                                    (masked_contact(&c.contact))
                                    @if may_read_contact && !c.contact.trim().is_empty() {
                                        form.inline method="post" action={"/complaints/" (c.id) "/contact"} {
                                            input type="hidden" name="_csrf" value=(caller.csrf);
                                            " " button #show-contact type="submit" { (t(lang, "complaints.show_contact")) }
                                        }
                                    }
                                }
                            }
                        }
                        @if let Some(l) = c.lead {
                            dt { (t(lang, "complaints.lead")) } dd { a href={"/leads/" (l)} { (l) } }
                        }
                        @if let Some(r) = &c.refusal_reason {
                            dt { (t(lang, "portal.refusal_reason")) } dd { (r) }
                        }
                        @if let Some(o) = &c.outcome {
                            dt { (t(lang, "portal.outcome")) } dd { (o) }
                        }
                    }
                    h2 { (t(lang, "complaints.text")) }
                    p.complaint-text #complaint-text { (c.text) }
                    @if !c.links.is_empty() {
                        h2 { (t(lang, "complaints.links")) }
                        ul.items { @for l in &c.links { li { code { (l) } } } }
                    }
                    @if !c.attachments.is_empty() {
                        h2 { (t(lang, "complaints.attachments")) }
                        ul.items {
                            @for (i, a) in c.attachments.iter().enumerate() {
                                li { a href={"/complaints/" (c.id) "/attachments/" (i)} { (a.name) } " " span.number { (a.size) " B · sha256 " (&a.sha256[..12.min(a.sha256.len())]) "…" } }
                            }
                        }
                    }
                }
                div.card {
                    @if may_write && c.state == ComplaintState::Received {
                        form method="post" action=(action) {
                            input type="hidden" name="_csrf" value=(caller.csrf);
                            input type="hidden" name="expected_version" value=(c.version);
                            input type="hidden" name="action" value="accept";
                            button.primary #accept type="submit" { (t(lang, "complaints.accept")) }
                        }
                        form method="post" action=(action) {
                            input type="hidden" name="_csrf" value=(caller.csrf);
                            input type="hidden" name="expected_version" value=(c.version);
                            input type="hidden" name="action" value="refuse";
                            label for="reason" { (t(lang, "complaints.reason")) }
                            input #reason type="text" name="reason" required maxlength="1000";
                            button.primary type="submit" { (t(lang, "complaints.refuse")) }
                        }
                    }
                    @if may_write && c.state == ComplaintState::Accepted {
                        form method="post" action=(action) {
                            input type="hidden" name="_csrf" value=(caller.csrf);
                            input type="hidden" name="expected_version" value=(c.version);
                            input type="hidden" name="action" value="handle";
                            label for="outcome" { (t(lang, "complaints.outcome")) }
                            input #outcome type="text" name="outcome" required maxlength="2000";
                            button.primary type="submit" { (t(lang, "complaints.handle")) }
                        }
                    }
                    h2 style="margin-top:16px" { (t(lang, "complaints.trail")) }
                    ul.items #trail {
                        @for e in &trail {
                            li {
                                span.number { (local_time(e.event.at)) } " " (e.event.action)
                                " " span.state {
                                    @if e.event.actor == PUBLIC_ACTOR { (t(lang, "complaints.public")) }
                                    @else if e.event.changed.is_empty() { (t(lang, "complaints.viewed")) }
                                    @else { (t(lang, "complaints.decided")) }
                                }
                            }
                        }
                    }
                }
            }
        }
    };
    let mut resp =
        Html(page(caller, kind_label(lang, c.kind).as_str(), body).into_string()).into_response();
    // The page may hold a contact in full: never kept by the browser or a proxy.
    resp.headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    resp
}

pub(super) async fn act(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    Form(form): Form<Vec<(String, String)>>,
) -> Response {
    if !matches!(caller.principal, Principal::Member(_)) {
        return to_login(&format!("/complaints/{}", url_encode(&id)));
    }
    let get = |k: &str| form.iter().find(|(n, _)| n == k).map(|(_, v)| v.clone());
    let back = |code: Option<&str>| {
        let q = code.map(|c| format!("?error={c}")).unwrap_or_default();
        Redirect::to(&format!("/complaints/{}{q}", url_encode(&id))).into_response()
    };
    let d = match get("action").as_deref() {
        Some("accept") => ComplaintDecision::Accept,
        Some("refuse") => ComplaintDecision::Refuse {
            reason: get("reason").unwrap_or_default(),
        },
        Some("handle") => ComplaintDecision::Handle {
            outcome: get("outcome").unwrap_or_default(),
        },
        _ => return back(Some("invalid_input")),
    };
    let expected = get("expected_version").and_then(|v| v.parse().ok());
    match decide_complaint(&state, &caller, &id, expected, &d).await {
        Ok(_) => back(None),
        Err(e) if e.code == ErrorCode::NotFound => fail(&caller, &e),
        Err(e) => back(Some(e.code.as_str())),
    }
}

/// One attachment, as a download (never rendered inline: what the public uploads is
/// untrusted).
pub(super) async fn attachment(
    State(state): State<AppState>,
    caller: Caller,
    Path((id, n)): Path<(String, usize)>,
) -> Response {
    if !matches!(caller.principal, Principal::Member(_)) {
        return to_login(&format!("/complaints/{}", url_encode(&id)));
    }
    let c = match load_visible(&state, &caller, &id).await {
        Ok(c) => c,
        Err(e) => return fail(&caller, &e),
    };
    let Some(a) = c.attachments.get(n) else {
        return fail(&caller, &ApiError::not_found());
    };
    let bytes = match state.store() {
        Ok(s) => match s.complaint_blob(&a.sha256).await {
            Ok(Some(b)) => b,
            Ok(None) => return fail(&caller, &ApiError::not_found()),
            Err(e) => return fail(&caller, &ApiError::from(e)),
        },
        Err(e) => return fail(&caller, &e),
    };
    let disposition = format!(
        "attachment; filename=\"attachment-{n}\"; filename*=UTF-8''{}",
        url_encode(&a.name).replace('+', "%20")
    );
    let mut resp = bytes.into_response();
    let h = resp.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/octet-stream"),
    );
    if let Ok(v) = HeaderValue::from_str(&disposition) {
        h.insert(header::CONTENT_DISPOSITION, v);
    }
    h.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static("default-src 'none'; sandbox"),
    );
    resp
}
