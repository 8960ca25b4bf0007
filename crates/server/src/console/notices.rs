//! The notice-and-takedown pages of the console (通知—删除): the notices the caller's
//! organization sent or received (a platform sees its queue first: good-faith notifiers'
//! notices, then by due date), a form to send notices on many listings at once, one notice
//! with its clocks (暂定 when provisional), the measure, the statement of reasons, the
//! seller's declaration, its trail and the step forms the machine gives the caller's
//! party; and a platform's duties page: weekly figures (附件1) for the last weeks, notice
//! metrics, notifier reputations and self-inspection records (with the recording form for
//! its own operators). Every decision is the app's, behind the same policy as the API.

use axum::extract::{Form, Path, Query, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};
use chrono::Duration;
use maud::html;
use serde::Deserialize;
use wangjian_app::notices::weekly::{china_midnight, IsoWeek, COLUMNS_ZH};
use wangjian_app::notices::SendNotices;
use wangjian_app::policy::{decide, Action, Principal, Resource};
use wangjian_app::AppError;
use wangjian_domain::notice::{
    By, Declaration, Notice, NoticeAction, NoticeId, NoticeState, StatementInput, StepInput,
    TRANSITIONS,
};
use wangjian_domain::self_inspection::{InspectionInput, ShopAction};
use wangjian_domain::{ListingId, ObjectType, OrgId, OrgKind};

use super::{error_page, page, to_login, url_encode};
use crate::error::{ApiError, ErrorCode};
use crate::i18n::{local_time, t, Lang};
use crate::state::AppState;
use crate::web::caller::Caller;

fn fail(caller: &Caller, e: &ApiError) -> Response {
    if e.code == ErrorCode::NotFound {
        error_page(caller, StatusCode::NOT_FOUND, "error.not_found")
    } else {
        tracing::error!(error = %e, "notices page");
        error_page(caller, e.code.status(), "error.internal")
    }
}

fn state_zh(lang: Lang, s: NoticeState) -> String {
    match lang {
        Lang::ZhCn => s.label_zh().to_string(),
        Lang::En => s.as_str().replace('_', " "),
    }
}

fn action_label(lang: Lang, a: NoticeAction) -> String {
    match lang {
        Lang::ZhCn => a.label_zh().to_string(),
        Lang::En => a.as_str().replace('_', " "),
    }
}

#[derive(Debug, Deserialize)]
pub(super) struct ListQuery {
    state: Option<String>,
    error: Option<String>,
    sent: Option<usize>,
}

fn due_cell(lang: Lang, n: &Notice) -> maud::Markup {
    html! {
        @if let Some(d) = n.due {
            (d)
            @if n.due_provisional { " " span.badge title=(t(lang, "notices.provisional_hint")) { (t(lang, "notices.provisional")) } }
            @if d < wangjian_calendar::shanghai_date(chrono::Utc::now()) { " " span.overdue { (t(lang, "complaints.overdue")) } }
        }
    }
}

pub(super) async fn list(
    State(state): State<AppState>,
    caller: Caller,
    Query(q): Query<ListQuery>,
) -> Response {
    let Principal::Member(m) = &caller.principal else {
        return to_login("/notices");
    };
    let lang = caller.lang;
    let app = match state.app() {
        Ok(a) => a,
        Err(e) => return fail(&caller, &e),
    };
    let call = caller.call();
    let filter = q.state.as_deref().and_then(NoticeState::parse);
    let is_platform = matches!(m.org_kind, OrgKind::Platform);
    let items = if is_platform && filter.is_none() {
        app.notice_queue(&call).await
    } else {
        app.notices(&call, filter, None, 200).await.map(|p| p.items)
    };
    let items = match items {
        Ok(v) => v,
        Err(e) => return fail(&caller, &ApiError::from(e)),
    };
    let may_send = wangjian_app::policy::may_send_notices(&caller.principal).is_allow();
    let platforms: Vec<(OrgId, String)> = match state.store() {
        Ok(s) => s
            .organizations()
            .await
            .unwrap_or_default()
            .into_iter()
            .filter(|o| matches!(o.kind, OrgKind::Platform))
            .map(|o| (o.id, o.name))
            .collect(),
        Err(e) => return fail(&caller, &e),
    };
    let error = q.error.filter(|e| e.len() < 300);
    let body = html! {
        main.notices {
            h1 { (t(lang, "notices.title")) }
            @if let Some(e) = &error { div.error role="alert" #error { (e) } }
            @if let Some(n) = q.sent { div.notice role="status" #sent { (t(lang, "notices.sent")) " " (n) } }
            nav.filters {
                a href="/notices" class=[filter.is_none().then_some("active")] {
                    @if is_platform { (t(lang, "notices.queue")) } @else { (t(lang, "complaints.all")) }
                }
                @for s in NoticeState::ALL {
                    a href={"/notices?state=" (s.as_str())} class=[(filter == Some(*s)).then_some("active")] { (state_zh(lang, *s)) }
                }
                @if is_platform { a href={"/platforms/" (m.actor.org)} { (t(lang, "notices.duties")) } }
            }
            div.card {
                @if items.is_empty() { p.empty { (t(lang, "notices.none")) } }
                @else {
                    table.list #notice-list {
                        thead { tr {
                            th { (t(lang, "notices.listing")) }
                            th { (t(lang, "notices.source")) }
                            th { (t(lang, "notices.sent_at")) }
                            th { (t(lang, "notices.due")) }
                            th { (t(lang, "portal.status")) }
                        } }
                        tbody {
                            @for n in &items {
                                tr {
                                    td { a href={"/notices/" (n.id)} { code { (n.listing.to_string()[..8]) } } }
                                    td { (n.source.label_zh()) }
                                    td { (local_time(n.sent_at)) }
                                    td { (due_cell(lang, n)) }
                                    td { span.badge { (state_zh(lang, n.state)) } }
                                }
                            }
                        }
                    }
                }
            }
            @if may_send {
                div.card #send-notices {
                    h2 { (t(lang, "notices.send")) }
                    form method="post" action="/notices" {
                        input type="hidden" name="_csrf" value=(caller.csrf);
                        label for="platform" { (t(lang, "notices.platform")) }
                        select #platform name="platform" required {
                            @for (id, name) in &platforms { option value=(id) { (name) } }
                        }
                        label for="listings" { (t(lang, "notices.listings_hint")) }
                        textarea #listings name="listings" rows="4" required {}
                        label for="ground" { (t(lang, "notices.ground")) }
                        input #ground type="text" name="ground" required maxlength="4000";
                        label for="complaint" { (t(lang, "notices.complaint")) }
                        input #complaint type="text" name="complaint";
                        label for="case" { (t(lang, "notices.case")) }
                        input #case type="text" name="case";
                        button.primary type="submit" { (t(lang, "notices.send")) }
                    }
                }
            }
        }
    };
    Html(page(&caller, t(lang, "notices.title"), body).into_string()).into_response()
}

fn parse_uuid_opt(field: &str, v: Option<&String>) -> Result<Option<uuid::Uuid>, String> {
    match v.map(|s| s.trim()).filter(|s| !s.is_empty()) {
        None => Ok(None),
        Some(s) => uuid::Uuid::parse_str(s)
            .map(Some)
            .map_err(|_| format!("{field}: not an id")),
    }
}

fn app_message(e: AppError) -> String {
    match e {
        AppError::NotFound => "not found".into(),
        other => other.to_string(),
    }
}

/// Sends the form's notices (one per listing id, one per line), as the API does.
pub(super) async fn send(
    State(state): State<AppState>,
    caller: Caller,
    Form(form): Form<Vec<(String, String)>>,
) -> Response {
    if !matches!(caller.principal, Principal::Member(_)) {
        return to_login("/notices");
    }
    let get = |k: &str| form.iter().find(|(n, _)| n == k).map(|(_, v)| v.clone());
    let back =
        |e: String| Redirect::to(&format!("/notices?error={}", url_encode(&e))).into_response();
    let req = (|| {
        let platform = parse_uuid_opt("platform", get("platform").as_ref())?
            .ok_or_else(|| "platform: choose a platform".to_string())?;
        let mut listings = Vec::new();
        for (i, line) in get("listings").unwrap_or_default().lines().enumerate() {
            let line = line.trim();
            if line.is_empty() {
                continue;
            }
            let id = uuid::Uuid::parse_str(line)
                .map_err(|_| format!("listings, line {}: not a listing id", i + 1))?;
            listings.push(ListingId(id));
        }
        Ok::<_, String>(SendNotices {
            platform: OrgId(platform),
            listings,
            ground: get("ground").unwrap_or_default(),
            case: parse_uuid_opt("case", get("case").as_ref())?.map(wangjian_domain::CaseId),
            complaint: parse_uuid_opt("complaint", get("complaint").as_ref())?
                .map(wangjian_domain::complaint::ComplaintId),
        })
    })();
    let req = match req {
        Ok(r) => r,
        Err(e) => return back(e),
    };
    let app = match state.app() {
        Ok(a) => a,
        Err(e) => return fail(&caller, &e),
    };
    match app.send_notices(&caller.call(), &req).await {
        Ok(sent) => Redirect::to(&format!("/notices?sent={}", sent.len())).into_response(),
        Err(e) => back(app_message(e)),
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
    let Principal::Member(m) = &caller.principal else {
        return to_login(&format!("/notices/{}", url_encode(&id)));
    };
    let lang = caller.lang;
    let Ok(uid) = uuid::Uuid::parse_str(&id) else {
        return fail(&caller, &ApiError::not_found());
    };
    let app = match state.app() {
        Ok(a) => a,
        Err(e) => return fail(&caller, &e),
    };
    let n = match app.visible_notice(&caller.call(), NoticeId(uid)).await {
        Ok(n) => n,
        Err(e) => return fail(&caller, &ApiError::from(e)),
    };
    let trail = app
        .store()
        .object_trail(ObjectType::Notice, n.id.0)
        .await
        .unwrap_or_default();
    let may_write = decide(
        &caller.principal,
        Action::Write,
        &wangjian_app::notices::notice_resource(&n),
    )
    .is_allow();
    let org = m.actor.org;
    let steps: Vec<NoticeAction> = TRANSITIONS
        .iter()
        .filter(|t| t.from.contains(&n.state))
        .filter(|t| match t.by {
            By::Sender => org == n.sender,
            By::Recipient => org == n.recipient,
            By::Either => org == n.sender || org == n.recipient,
        })
        .map(|t| t.action)
        .collect();
    let error = q.error.filter(|e| e.len() < 300);
    let action = format!("/notices/{}/steps", n.id);
    let body = html! {
        main.notice {
            h1 { (t(lang, "notices.one")) " " span.badge #state { (state_zh(lang, n.state)) } }
            @if let Some(e) = &error { div.error role="alert" #error { (e) } }
            div.grid.two {
                div.card {
                    dl.facts {
                        dt { (t(lang, "notices.listing")) } dd { code { (n.listing) } }
                        dt { (t(lang, "notices.source")) } dd { (n.source.label_zh()) }
                        dt { (t(lang, "notices.ground")) } dd #ground { (n.ground) }
                        dt { (t(lang, "notices.sent_at")) } dd { (local_time(n.sent_at)) }
                        @if let Some(step) = n.due_step {
                            dt { (t(lang, "notices.due")) " · " (step.label_zh()) } dd #due { (due_cell(lang, &n)) }
                        }
                        @if let Some(d) = n.response_due {
                            dt { (t(lang, "notices.response_due")) } dd #response-due { (d) @if n.due_provisional && n.state == NoticeState::ObjectionForwarded { " " span.badge { (t(lang, "notices.provisional")) } } }
                        }
                        @if let Some(ms) = n.measure { dt { (t(lang, "notices.measure")) } dd #measure { (ms.label_zh()) } }
                        @if let Some(r) = &n.reference { dt { (t(lang, "notices.reference")) } dd { (r) } }
                    }
                    @if let Some(s) = &n.statement {
                        h2 { (t(lang, "notices.statement")) }
                        dl.facts #statement {
                            dt { (t(lang, "notices.decision")) } dd { (s.decision) }
                            dt { (t(lang, "notices.ground_kind")) } dd { (s.ground.label_zh()) }
                            dt { (t(lang, "notices.legal_ground")) } dd { (s.legal_ground) }
                            dt { (t(lang, "notices.facts")) } dd { (s.facts) }
                            dt { (t(lang, "notices.source")) } dd { (s.source.label_zh()) }
                            dt { (t(lang, "notices.automated")) } dd { (s.automated_detection) " / " (s.automated_decision) }
                            dt { (t(lang, "notices.redress")) } dd { (s.redress) }
                        }
                    }
                    @if let Some(d) = &n.declaration {
                        h2 { (t(lang, "notices.declaration")) }
                        p #declaration { (d.text) }
                        ul.items { @for e in &d.evidence { li { (e) } } }
                    }
                }
                div.card {
                    @if may_write {
                        @for a in &steps {
                            form.step method="post" action=(action) {
                                input type="hidden" name="_csrf" value=(caller.csrf);
                                input type="hidden" name="expected_version" value=(n.version);
                                input type="hidden" name="action" value=(a.as_str());
                                @match a {
                                    NoticeAction::Act => {
                                        label { (t(lang, "notices.measure")) }
                                        select name="measure" { @for ms in wangjian_domain::notice::Measure::ALL { option value=(ms.as_str()) { (ms.label_zh()) } } }
                                        (statement_fields(lang))
                                    }
                                    NoticeAction::Refuse | NoticeAction::Restore => { (statement_fields(lang)) }
                                    NoticeAction::Object => {
                                        label { (t(lang, "notices.declaration")) }
                                        input type="text" name="declaration_text" required;
                                        label { (t(lang, "notices.evidence")) }
                                        input type="text" name="evidence" required;
                                    }
                                    NoticeAction::Escalate => {
                                        label { (t(lang, "notices.reference")) }
                                        input type="text" name="reference" required;
                                    }
                                    _ => {}
                                }
                                button.primary type="submit" id={"step-" (a.as_str())} { (action_label(lang, *a)) }
                            }
                        }
                    }
                    h2 style="margin-top:16px" { (t(lang, "complaints.trail")) }
                    ul.items #trail {
                        @for e in &trail {
                            li { span.number { (local_time(e.event.at)) } " " (e.event.action) }
                        }
                    }
                }
            }
        }
    };
    Html(page(&caller, t(lang, "notices.one"), body).into_string()).into_response()
}

fn statement_fields(lang: Lang) -> maud::Markup {
    html! {
        label { (t(lang, "notices.ground_kind")) }
        select name="ground" { option value="illegal" { "违反法律法规 (illegal)" } option value="terms" { "违反平台规则 (terms)" } }
        label { (t(lang, "notices.legal_ground")) }
        input type="text" name="legal_ground" required;
        label { (t(lang, "notices.facts")) }
        input type="text" name="facts" required;
        label { (t(lang, "notices.redress")) }
        input type="text" name="redress" required;
        label { input type="checkbox" name="automated_detection" value="true"; " " (t(lang, "notices.automated_detection")) }
        label { input type="checkbox" name="automated_decision" value="true"; " " (t(lang, "notices.automated_decision")) }
    }
}

pub(super) async fn step(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    Form(form): Form<Vec<(String, String)>>,
) -> Response {
    if !matches!(caller.principal, Principal::Member(_)) {
        return to_login(&format!("/notices/{}", url_encode(&id)));
    }
    let get = |k: &str| form.iter().find(|(n, _)| n == k).map(|(_, v)| v.clone());
    let back = |e: Option<String>| {
        let q = e
            .map(|c| format!("?error={}", url_encode(&c)))
            .unwrap_or_default();
        Redirect::to(&format!("/notices/{}{q}", url_encode(&id))).into_response()
    };
    let Ok(uid) = uuid::Uuid::parse_str(&id) else {
        return fail(&caller, &ApiError::not_found());
    };
    let Some(action) = get("action").as_deref().and_then(NoticeAction::parse) else {
        return back(Some("action: unknown step".into()));
    };
    let statement = get("legal_ground").map(|lg| StatementInput {
        ground: get("ground").unwrap_or_default(),
        legal_ground: lg,
        facts: get("facts").unwrap_or_default(),
        automated_detection: get("automated_detection").is_some(),
        automated_decision: get("automated_decision").is_some(),
        redress: get("redress").unwrap_or_default(),
    });
    let input = StepInput {
        measure: get("measure"),
        statement,
        declaration: get("declaration_text").map(|text| Declaration {
            text,
            evidence: get("evidence").into_iter().collect(),
        }),
        reference: get("reference"),
    };
    let expected = get("expected_version").and_then(|v| v.parse().ok());
    let app = match state.app() {
        Ok(a) => a,
        Err(e) => return fail(&caller, &e),
    };
    match app
        .notice_step(&caller.call(), NoticeId(uid), action, &input, expected)
        .await
    {
        Ok(_) => back(None),
        Err(AppError::NotFound) => fail(&caller, &ApiError::not_found()),
        Err(e) => back(Some(app_message(e))),
    }
}

#[derive(Debug, Deserialize)]
pub(super) struct DutiesQuery {
    error: Option<String>,
}

/// A platform's duties: weekly figures of the last four weeks, metrics over 28 days,
/// notifiers, self-inspection records; the recording form for its own operators.
pub(super) async fn duties(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    Query(q): Query<DutiesQuery>,
) -> Response {
    if !matches!(caller.principal, Principal::Member(_)) {
        return to_login(&format!("/platforms/{}", url_encode(&id)));
    }
    let lang = caller.lang;
    let Ok(uid) = uuid::Uuid::parse_str(&id) else {
        return fail(&caller, &ApiError::not_found());
    };
    let platform = OrgId(uid);
    let app = match state.app() {
        Ok(a) => a,
        Err(e) => return fail(&caller, &e),
    };
    let call = caller.call();
    let today = wangjian_calendar::shanghai_date(chrono::Utc::now());
    let mut week = IsoWeek::of(today);
    let mut rows = Vec::new();
    for _ in 0..4 {
        match app.platform_weekly(&call, platform, week).await {
            Ok(r) => rows.push(r),
            Err(e) => return fail(&caller, &ApiError::from(e)),
        }
        week = week.previous();
    }
    let (from, to) = (
        china_midnight(today - Duration::days(27)),
        china_midnight(today) + Duration::days(1),
    );
    let metrics = match app.platform_metrics(&call, platform, from, to).await {
        Ok(m) => m,
        Err(e) => return fail(&caller, &ApiError::from(e)),
    };
    let reps = app
        .notifier_reputations(&call, platform)
        .await
        .unwrap_or_default();
    let records = app
        .self_inspections(&call, platform, from, to)
        .await
        .unwrap_or_default();
    let names: std::collections::HashMap<OrgId, String> = app
        .store()
        .organizations()
        .await
        .unwrap_or_default()
        .into_iter()
        .map(|o| (o.id, o.name))
        .collect();
    let own = decide(
        &caller.principal,
        Action::Write,
        &Resource::PlatformDuties { platform },
    )
    .is_allow();
    let pct = |v: Option<f64>| {
        v.map(|x| format!("{:.1}%", x * 100.0))
            .unwrap_or_else(|| "—".into())
    };
    let hours = |v: Option<f64>| v.map(|x| format!("{x:.1} h")).unwrap_or_else(|| "—".into());
    let error = q.error.filter(|e| e.len() < 300);
    let body = html! {
        main.duties {
            h1 { (names.get(&platform).cloned().unwrap_or_default()) " · " (t(lang, "notices.duties")) }
            @if let Some(e) = &error { div.error role="alert" #error { (e) } }
            div.card {
                h2 { (t(lang, "notices.weekly")) }
                table.list #weekly {
                    thead { tr { @for c in COLUMNS_ZH { th { (c) } } } }
                    tbody { @for r in &rows { tr { @for c in r.cells() { td { (c) } } } } }
                }
            }
            div.grid.two {
                div.card #metrics {
                    h2 { (t(lang, "notices.metrics")) }
                    dl.facts {
                        dt { (t(lang, "notices.m_notices")) } dd { (metrics.notices) " / " (metrics.decided) }
                        dt { (t(lang, "notices.m_time")) } dd { (hours(metrics.median_hours_to_act)) " · p90 " (hours(metrics.p90_hours_to_act)) }
                        dt { (t(lang, "notices.m_24h")) } dd { (pct(metrics.share_within_24h)) }
                        dt { (t(lang, "notices.m_deadline")) } dd { (pct(metrics.share_within_deadline)) }
                        dt { (t(lang, "notices.m_refusals")) } dd { (metrics.refusals) " · " (t(lang, "notices.m_restorations")) " " (metrics.restorations) }
                        dt { (t(lang, "notices.m_proactive")) } dd { (pct(metrics.proactive_share)) }
                    }
                    h2 { (t(lang, "notices.notifiers")) }
                    table.list #notifiers {
                        thead { tr { th { (t(lang, "notices.notifier")) } th { (t(lang, "notices.success")) } th { (t(lang, "notices.objections")) } th {} } }
                        tbody {
                            @for r in &reps {
                                tr {
                                    td { (names.get(&r.sender).cloned().unwrap_or_else(|| r.sender.to_string())) }
                                    td { (pct(r.success_rate)) " (" (r.acted) "/" (r.decided) ")" }
                                    td { (pct(r.objection_success_rate)) }
                                    td {
                                        @if r.good_faith { span.badge { (t(lang, "notices.good_faith")) } }
                                        @if r.flagged { span.overdue { (t(lang, "notices.flagged")) } }
                                    }
                                }
                            }
                        }
                    }
                }
                div.card #self-inspections {
                    h2 { (t(lang, "notices.self_inspection")) }
                    @if own {
                        form method="post" action="/platforms/self-inspections" {
                            input type="hidden" name="_csrf" value=(caller.csrf);
                            label for="shop" { (t(lang, "notices.shop")) }
                            input #shop type="text" name="shop" required;
                            label for="action" { (t(lang, "notices.shop_action")) }
                            select #action name="action" { @for a in ShopAction::ALL { option value=(a.as_str()) { (a.label_zh()) } } }
                            label for="reason" { (t(lang, "complaints.reason")) }
                            input #reason type="text" name="reason" required;
                            label for="rectify_by" { (t(lang, "notices.rectify_by")) }
                            input #rectify_by type="date" name="rectify_by";
                            label for="listings" { (t(lang, "notices.listings_hint")) }
                            textarea #listings name="listings" rows="2" {}
                            label { input type="checkbox" name="referred" value="true"; " " (t(lang, "notices.referred")) }
                            button.primary type="submit" { (t(lang, "notices.record")) }
                        }
                    }
                    ul.items {
                        @for r in &records {
                            li { span.number { (local_time(r.at)) } " " (r.action.label_zh()) " · " (r.shop) " · " (r.reason) " (" (r.listings.len()) ")" }
                        }
                    }
                }
            }
        }
    };
    Html(page(&caller, t(lang, "notices.duties"), body).into_string()).into_response()
}

/// Records a self-inspection from the duties page's form.
pub(super) async fn record(
    State(state): State<AppState>,
    caller: Caller,
    Form(form): Form<Vec<(String, String)>>,
) -> Response {
    let Principal::Member(m) = &caller.principal else {
        return to_login("/notices");
    };
    let get = |k: &str| form.iter().find(|(n, _)| n == k).map(|(_, v)| v.clone());
    let org = m.actor.org;
    let back = |e: Option<String>| {
        let q = e
            .map(|c| format!("?error={}", url_encode(&c)))
            .unwrap_or_default();
        Redirect::to(&format!("/platforms/{org}{q}")).into_response()
    };
    let mut listings = Vec::new();
    for (i, line) in get("listings").unwrap_or_default().lines().enumerate() {
        let line = line.trim();
        if line.is_empty() {
            continue;
        }
        match uuid::Uuid::parse_str(line) {
            Ok(u) => listings.push(ListingId(u)),
            Err(_) => return back(Some(format!("listings, line {}: not a listing id", i + 1))),
        }
    }
    let rectify_by = match get("rectify_by").filter(|s| !s.trim().is_empty()) {
        None => None,
        Some(s) => match chrono::NaiveDate::parse_from_str(s.trim(), "%Y-%m-%d") {
            Ok(d) => Some(d),
            Err(_) => return back(Some("rectify_by: a date".into())),
        },
    };
    let input = InspectionInput {
        shop: get("shop").unwrap_or_default(),
        action: get("action").unwrap_or_default(),
        reason: get("reason").unwrap_or_default(),
        listings,
        rectify_by,
        referred: get("referred").is_some(),
    };
    let app = match state.app() {
        Ok(a) => a,
        Err(e) => return fail(&caller, &e),
    };
    match app.record_self_inspection(&caller.call(), &input).await {
        Ok(_) => back(None),
        Err(e) => back(Some(app_message(e))),
    }
}
