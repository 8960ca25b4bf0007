//! The public portal (no sign-in): submit a complaint (投诉) or a report (举报) with up to
//! five attachments, receive a tracking number, check the status with it.
//!
//! - `GET /portal`: the form. `POST /portal/submit`: `multipart/form-data`, at most
//!   [`MAX_FILE`] per attachment and [`MAX_TOTAL`] per request, file names sanitized
//!   (the last path component only). Limited per client address **before a byte of the
//!   body is read**: 5 attempts per 10 minutes and 64 MiB per day (the declared
//!   `Content-Length`, else the route's maximum, is taken from the day's budget).
//! - `GET /portal/track`, `POST /portal/track`: the status of one tracking number (posted,
//!   so the number stays out of URLs and logs), rate limited per address.
//!
//! CSRF: the forms carry the anonymous caller's double-submit token (the pre-session
//! cookie's value) in `_csrf`; the CSRF middleware checks url-encoded forms, and for the
//! multipart submission this handler checks the `_csrf` part before reading any other.

pub mod disclosure;
pub mod limit;

use std::time::Instant;

use axum::extract::{DefaultBodyLimit, Form, Multipart, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use chrono::Utc;
use maud::{html, Markup};
use serde::Deserialize;
use wangjian_domain::complaint::{
    self, normalize_tracking_number, sanitize_file_name, Attachment, Complaint, Submission,
    MAX_ATTACHMENTS,
};
use wangjian_domain::org::{AgencyType, OrgKind};
use wangjian_domain::{Context, RequestId, RuleSet};
use wangjian_store::BlobInput;

use crate::auth::secret::same;
use crate::console::page;
use crate::error::{ApiError, ErrorCode};
use crate::i18n::{kind_label, local_time, state_label, t, tf, Lang};
use crate::state::AppState;
use crate::web::caller::Caller;

/// Largest attachment, in bytes.
pub const MAX_FILE: usize = 2 * 1024 * 1024;
/// Largest submission (all parts), in bytes.
pub const MAX_TOTAL: usize = 8 * 1024 * 1024;

/// Largest body of a submission: the parts and their headers.
const MAX_BODY: usize = MAX_TOTAL + 64 * 1024;

/// The portal's routes.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/portal", get(form_page))
        .route(
            "/portal/submit",
            axum::routing::post(submit).layer(DefaultBodyLimit::max(MAX_BODY)),
        )
        .route("/portal/track", get(track_page).post(track))
        .merge(disclosure::routes())
}

fn portal_page(caller: &Caller, title: &str, body: Markup) -> Response {
    let lang = caller.lang;
    let other = lang.other();
    let framed = html! {
        header.top {
            a.brand href="/portal" { (t(lang, "app.name")) small { (t(lang, "portal.tagline")) } }
            nav {
                a href="/portal" { (t(lang, "portal.nav.submit")) }
                a href="/portal/track" { (t(lang, "portal.nav.track")) }
                a href="/portal/decisions" { (t(lang, "disclosure.nav.decisions")) }
                a href="/portal/blacklist" { (t(lang, "disclosure.nav.blacklist")) }
            }
            div.who {
                form method="post" action="/lang" {
                    input type="hidden" name="_csrf" value=(caller.csrf);
                    input type="hidden" name="lang" value=(other.tag());
                    button type="submit" lang=(other.tag()) { (t(lang, "nav.language")) }
                }
            }
        }
        main.portal { (body) }
    };
    let mut resp = Html(page(caller, title, framed).into_string()).into_response();
    resp.headers_mut().insert(
        axum::http::header::CACHE_CONTROL,
        axum::http::HeaderValue::from_static("no-store"),
    );
    resp
}

/// (region code, agency name) of every market-regulation agency, most general first.
async fn regions(state: &AppState) -> Vec<(String, String)> {
    let Some(store) = state.directory().store() else {
        return vec![];
    };
    let mut v: Vec<(String, String)> = match store.organizations().await {
        Ok(orgs) => orgs
            .into_iter()
            .filter(|o| {
                matches!(
                    o.kind,
                    OrgKind::Agency {
                        agency_type: AgencyType::MarketRegulation,
                        ..
                    }
                )
            })
            .map(|o| (o.region.to_string(), o.name))
            .collect(),
        Err(e) => {
            tracing::error!(error = %e, "portal regions");
            vec![]
        }
    };
    v.sort();
    v.dedup_by(|a, b| a.0 == b.0);
    v
}

#[derive(Debug, Default)]
struct Filled {
    kind: String,
    text: String,
    links: String,
    contact: String,
    respondent: String,
    region: String,
}

async fn form_page(State(state): State<AppState>, caller: Caller) -> Response {
    render_form(&state, &caller, StatusCode::OK, &Filled::default(), None).await
}

async fn render_form(
    state: &AppState,
    caller: &Caller,
    status: StatusCode,
    f: &Filled,
    error: Option<String>,
) -> Response {
    let lang = caller.lang;
    let regions = regions(state).await;
    let kind = if f.kind.is_empty() { "report" } else { &f.kind };
    let body = html! {
        h1 { (t(lang, "portal.title")) }
        p.muted { (t(lang, "portal.intro")) }
        form.card.portal-form method="post" action="/portal/submit" enctype="multipart/form-data" {
            input type="hidden" name="_csrf" value=(caller.csrf);
            fieldset.kinds {
                legend { (t(lang, "portal.kind")) }
                @for k in ["report", "complaint"] {
                    label.inline {
                        input type="radio" name="kind" value=(k) checked[kind == k];
                        " " (t(lang, &format!("complaint.kind.{k}")))
                        small.muted { " " (t(lang, &format!("portal.kind_help.{k}"))) }
                    }
                }
            }
            label for="region" { (t(lang, "portal.region")) }
            select #region name="region" required {
                option value="" { (t(lang, "portal.region_choose")) }
                @for (code, name) in &regions {
                    option value=(code) selected[*code == f.region] { (name) " (" (code) ")" }
                }
            }
            label for="respondent" { (t(lang, "portal.respondent")) }
            input #respondent type="text" name="respondent" maxlength="200" value=(f.respondent);
            label for="text" { (t(lang, "portal.text")) }
            textarea #text name="text" rows="6" required minlength="10" maxlength="5000" { (f.text) }
            label for="links" { (t(lang, "portal.links")) }
            textarea #links name="links" rows="3" placeholder="https://" { (f.links) }
            label for="contact" { (t(lang, "portal.contact")) }
            input #contact type="text" name="contact" maxlength="200" value=(f.contact);
            label for="attachments" { (tf(lang, "portal.attachments", &[("n", &MAX_ATTACHMENTS.to_string()), ("mb", &(MAX_FILE / 1024 / 1024).to_string())])) }
            input #attachments type="file" name="attachments" multiple;
            @if let Some(e) = error {
                div.error role="alert" { (e) }
            }
            button.primary type="submit" { (t(lang, "portal.submit")) }
        }
    };
    let mut resp = portal_page(caller, t(lang, "portal.title"), body);
    *resp.status_mut() = status;
    resp
}

/// An error for the submitter: the catalog's code for API clients, the form again (with
/// what they typed) for browsers.
fn field_message(lang: Lang, e: &ApiError) -> String {
    match (&e.field, e.code) {
        (Some(f), _) => format!("{}: {}", t(lang, &format!("portal.field.{f}")), e.message),
        (None, ErrorCode::RateLimited) => tf(
            lang,
            "portal.rate_limited",
            &[("seconds", &e.retry_after.unwrap_or(60).to_string())],
        ),
        _ => e.message.clone(),
    }
}

/// The per-address limits, before anything of the body is read: one attempt, and the
/// bytes it declares (else the most it may send) from the day's budget.
fn admit(
    state: &AppState,
    caller: &Caller,
    headers: &axum::http::HeaderMap,
) -> Result<(), ApiError> {
    let now = Instant::now();
    let limits = state.portal();
    limits
        .submit
        .check(caller.ip, now)
        .map_err(ApiError::rate_limited)?;
    let declared = headers
        .get(axum::http::header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok())
        .map_or(MAX_BODY as u64, |n| n.min(MAX_BODY as u64));
    limits
        .submit_bytes
        .take(caller.ip, declared, now)
        .map_err(ApiError::rate_limited)
}

async fn submit(
    State(state): State<AppState>,
    caller: Caller,
    headers: axum::http::HeaderMap,
    multipart: Multipart,
) -> Response {
    let mut filled = Filled::default();
    let received = match admit(&state, &caller, &headers) {
        Ok(()) => receive(&state, &caller, multipart, &mut filled).await,
        Err(e) => Err(e),
    };
    match received {
        Ok((c, number)) => submitted_page(&caller, &c, &number),
        Err(e) => {
            let status = e.code.status();
            if e.code == ErrorCode::CsrfMismatch {
                return e.into_response();
            }
            let msg = field_message(caller.lang, &e);
            let mut resp = if e.code == ErrorCode::RateLimited {
                // Nothing was read: a short page, no database round trip for a flood.
                let lang = caller.lang;
                let body = html! {
                    h1 { (t(lang, "portal.title")) }
                    div.error role="alert" { (msg) }
                    p { a href="/portal" { (t(lang, "portal.nav.submit")) } }
                };
                let mut r = portal_page(&caller, t(lang, "portal.title"), body);
                *r.status_mut() = status;
                r
            } else {
                render_form(&state, &caller, status, &filled, Some(msg)).await
            };
            if let Some(s) = e.retry_after {
                if let Ok(v) = axum::http::HeaderValue::from_str(&s.to_string()) {
                    resp.headers_mut()
                        .insert(axum::http::header::RETRY_AFTER, v);
                }
            }
            resp
        }
    }
}

fn too_large(field: &str) -> ApiError {
    ApiError {
        field: Some(field.to_string()),
        ..ApiError::with_message(
            ErrorCode::PayloadTooLarge,
            format!(
                "each file at most {} MB, all together at most {} MB",
                MAX_FILE / 1024 / 1024,
                MAX_TOTAL / 1024 / 1024
            ),
        )
    }
}

fn multipart_error(e: axum::extract::multipart::MultipartError) -> ApiError {
    if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
        too_large("attachments")
    } else {
        ApiError::with_message(ErrorCode::InvalidInput, e.body_text())
    }
}

/// Reads the multipart body, checks it and stores the complaint; answers it with the
/// tracking number (shown to the submitter now and never again: only its digest is kept).
async fn receive(
    state: &AppState,
    caller: &Caller,
    mut mp: Multipart,
    filled: &mut Filled,
) -> Result<(Complaint, String), ApiError> {
    // The CSRF token must come first, before anything else is read.
    let first = mp.next_field().await.map_err(multipart_error)?;
    let token = match first {
        Some(f) if f.name() == Some(crate::web::csrf::FIELD) => {
            f.text().await.map_err(multipart_error)?
        }
        _ => String::new(),
    };
    if caller.csrf.is_empty() || !same(&token, &caller.csrf) {
        return Err(ApiError::new(ErrorCode::CsrfMismatch));
    }
    let store = state.store()?;
    let mut files: Vec<(Attachment, BlobInput)> = vec![];
    let mut total = 0usize;
    while let Some(mut field) = mp.next_field().await.map_err(multipart_error)? {
        let name = field.name().unwrap_or_default().to_string();
        if name == "attachments" {
            let file_name = field.file_name().unwrap_or_default().to_string();
            let media_type = field
                .content_type()
                .unwrap_or("application/octet-stream")
                .chars()
                .take(100)
                .collect::<String>();
            let mut bytes = Vec::new();
            while let Some(chunk) = field.chunk().await.map_err(multipart_error)? {
                bytes.extend_from_slice(&chunk);
                total += chunk.len();
                if bytes.len() > MAX_FILE || total > MAX_TOTAL {
                    return Err(too_large("attachments"));
                }
            }
            // A file input left empty sends one part with no name and no bytes.
            if bytes.is_empty() && file_name.is_empty() {
                continue;
            }
            if files.len() == MAX_ATTACHMENTS {
                return Err(ApiError::invalid(
                    "attachments",
                    format!("at most {MAX_ATTACHMENTS} files"),
                ));
            }
            let blob = BlobInput {
                bytes,
                media_type: media_type.clone(),
            };
            files.push((
                Attachment {
                    name: sanitize_file_name(&file_name),
                    sha256: blob.sha256(),
                    size: blob.bytes.len() as u64,
                    media_type,
                },
                blob,
            ));
            continue;
        }
        let value = field.text().await.map_err(multipart_error)?;
        total += value.len();
        if total > MAX_TOTAL {
            return Err(too_large("text"));
        }
        match name.as_str() {
            "kind" => filled.kind = value,
            "text" => filled.text = value,
            "links" => filled.links = value,
            "contact" => filled.contact = value,
            "respondent" => filled.respondent = value,
            "region" => filled.region = value,
            _ => {}
        }
    }
    let sub = Submission {
        kind: filled.kind.clone(),
        text: filled.text.clone(),
        links: filled.links.lines().map(str::to_string).collect(),
        contact: filled.contact.clone(),
        respondent: filled.respondent.clone(),
        region: filled.region.clone(),
    };
    let orgs = store.organizations().await?;
    let rules = RuleSet::defaults().map_err(|e| ApiError::internal(&e))?;
    let mut random = [0u8; 10];
    getrandom::fill(&mut random).map_err(|e| ApiError::internal(&e))?;
    let request =
        uuid::Uuid::parse_str(&caller.request_id).unwrap_or_else(|_| uuid::Uuid::now_v7());
    let ctx = Context::new_v7(RequestId(request), Utc::now(), 4);
    let (attachments, blobs): (Vec<Attachment>, Vec<BlobInput>) = files.into_iter().unzip();
    let number = complaint::tracking_number(random);
    let change = complaint::submit(
        &sub,
        attachments,
        number.clone(),
        &orgs,
        rules,
        &*state.calendar().await?,
        &ctx,
    )
    .map_err(crate::api::complaints::domain_error)?;
    Ok((store.submit_complaint(change, &blobs).await?.value, number))
}

fn submitted_page(caller: &Caller, c: &Complaint, number: &str) -> Response {
    let lang = caller.lang;
    let body = html! {
        div.card.receipt {
            h1 { (t(lang, "portal.received")) }
            p { (t(lang, "portal.keep_number")) }
            p.tracking #tracking-number { (number) }
            dl.facts {
                dt { (t(lang, "portal.kind")) } dd { (kind_label(lang, c.kind)) }
                dt { (t(lang, "portal.submitted_at")) } dd { (local_time(c.submitted_at)) }
                dt { (t(lang, "portal.accept_due")) } dd { (c.accept_due) }
                dt { (t(lang, "portal.attachment_count")) } dd { (c.attachments.len()) }
            }
            p { a href="/portal/track" { (t(lang, "portal.nav.track")) } }
        }
    };
    let mut resp = portal_page(caller, t(lang, "portal.received"), body);
    *resp.status_mut() = StatusCode::CREATED;
    resp
}

async fn track_page(caller: Caller) -> Response {
    track_form(&caller, StatusCode::OK, "", None)
}

fn track_form(
    caller: &Caller,
    status: StatusCode,
    number: &str,
    result: Option<Markup>,
) -> Response {
    let lang = caller.lang;
    let body = html! {
        h1 { (t(lang, "portal.track_title")) }
        form.card.track-form method="post" action="/portal/track" {
            input type="hidden" name="_csrf" value=(caller.csrf);
            label for="number" { (t(lang, "portal.tracking_number")) }
            input #number type="text" name="number" value=(number) placeholder="XXXX-XXXX-XXXX-XXXX" autocomplete="off" required;
            button.primary type="submit" { (t(lang, "portal.track")) }
        }
        @if let Some(r) = result { (r) }
    };
    let mut resp = portal_page(caller, t(lang, "portal.track_title"), body);
    *resp.status_mut() = status;
    resp
}

#[derive(Debug, Deserialize)]
struct TrackForm {
    number: String,
}

async fn track(
    State(state): State<AppState>,
    caller: Caller,
    Form(f): Form<TrackForm>,
) -> Response {
    let lang = caller.lang;
    let typed: String = f.number.chars().take(40).collect();
    if let Err(wait) = state.portal().track.check(caller.ip, Instant::now()) {
        let msg = tf(
            lang,
            "portal.rate_limited",
            &[("seconds", &wait.to_string())],
        );
        let mut resp = track_form(
            &caller,
            StatusCode::TOO_MANY_REQUESTS,
            &typed,
            Some(html! { div.error role="alert" { (msg) } }),
        );
        if let Ok(v) = axum::http::HeaderValue::from_str(&wait.to_string()) {
            resp.headers_mut()
                .insert(axum::http::header::RETRY_AFTER, v);
        }
        return resp;
    }
    let not_found = || {
        track_form(
            &caller,
            StatusCode::NOT_FOUND,
            &typed,
            Some(html! { div.error role="alert" { (t(lang, "portal.unknown_number")) } }),
        )
    };
    let Some(number) = normalize_tracking_number(&typed) else {
        return not_found();
    };
    let Some(store) = state.directory().store() else {
        return not_found();
    };
    let c = match store.complaint_by_tracking(&number).await {
        Ok(Some(c)) => c,
        Ok(None) => return not_found(),
        Err(e) => return ApiError::from(e).into_response(),
    };
    let handler = match store.organization(c.handler).await {
        Ok(o) => o.map(|o| o.name).unwrap_or_default(),
        Err(e) => return ApiError::from(e).into_response(),
    };
    // What the public sees: the status and the published outcome, never who decided.
    let result = html! {
        div.card.status #status {
            h2 { (t(lang, "portal.status")) ": " span.badge #state { (state_label(lang, c.state)) } }
            dl.facts {
                dt { (t(lang, "portal.tracking_number")) } dd { (number) }
                dt { (t(lang, "portal.kind")) } dd { (kind_label(lang, c.kind)) }
                dt { (t(lang, "portal.submitted_at")) } dd { (local_time(c.submitted_at)) }
                dt { (t(lang, "portal.handler")) } dd { (handler) }
                dt { (t(lang, "portal.accept_due")) } dd { (c.accept_due) }
                @if let Some(r) = &c.refusal_reason {
                    dt { (t(lang, "portal.refusal_reason")) } dd { (r) }
                }
                @if let Some(o) = &c.outcome {
                    dt { (t(lang, "portal.outcome")) } dd #outcome { (o) }
                }
            }
        }
    };
    track_form(&caller, StatusCode::OK, &number, Some(result))
}
