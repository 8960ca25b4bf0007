//! The officers' console: server-rendered HTML (maud escapes every interpolated value),
//! with htmx served from the binary for small interactions. Simplified Chinese by default,
//! English switchable; laid out for a 1366×768 office screen.

mod board;
mod calendar;
mod case;
mod complaints;
mod credit;
mod dashboard;
mod leads;
mod listing;
mod login;
mod network;
mod notices;
mod reports;

use axum::extract::Form;
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::Router;
use maud::{html, Markup, DOCTYPE};
use serde::Deserialize;

use crate::chart::{bar_chart, line_chart, BarChart, LineChart};
use crate::i18n::{t, tf, Lang};
use crate::state::AppState;
use crate::web::caller::Caller;
use crate::web::cookies;
use wangjian_app::policy::Principal;

/// The console's routes.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/", get(home))
        .route("/cases/{id}", get(case::show))
        .route("/cases/{id}/actions", post(case::act))
        .route("/leads", get(leads::queue))
        .route("/leads/actions", post(leads::act))
        .route("/leads/{id}", get(listing::show))
        .route("/board", get(board::show))
        .route("/dashboard", get(dashboard::show))
        .route("/calendar", get(calendar::show))
        .route("/calendar/notices", post(calendar::load))
        .route("/reports", get(reports::show))
        .route("/reports/submit", post(reports::submit))
        .route("/complaints", get(complaints::list))
        .route("/complaints/{id}", get(complaints::show))
        .route("/complaints/{id}/decisions", post(complaints::act))
        .route("/complaints/{id}/contact", post(complaints::contact))
        .route(
            "/complaints/{id}/attachments/{n}",
            get(complaints::attachment),
        )
        .route("/notices", get(notices::list).post(notices::send))
        .route("/notices/{id}", get(notices::show))
        .route("/notices/{id}/steps", post(notices::step))
        .route("/platforms/self-inspections", post(notices::record))
        .route("/platforms/{id}", get(notices::duties))
        .route("/credit", get(credit::search))
        .route("/credit/{id}", get(credit::show))
        .route("/credit/{id}/blacklist", post(credit::enter))
        .route("/credit/{id}/records", post(credit::add_record))
        .route("/blacklist/{id}/repair", post(credit::repair))
        .route("/disclosures", get(credit::board))
        .route("/disclosures/{id}/publish", post(credit::publish))
        .route("/networks", get(network::list))
        .route("/networks/{platform}/{shop}", get(network::show))
        .route("/brushing", get(network::groups))
        .route("/brushing/{id}", get(network::group))
        .route("/brushing/{id}/actions", post(network::act))
        .route("/login", get(login::show).post(login::submit))
        .route("/logout", post(login::logout))
        .route("/lang", post(switch_language))
        .route("/static/{file}", get(static_file))
}

/// The console's sections: the top navigation, in order.
const NAV: &[(&str, &str)] = &[
    ("/", "nav.home"),
    ("/leads", "nav.leads"),
    ("/complaints", "nav.complaints"),
    ("/notices", "nav.notices"),
    ("/brushing", "nav.brushing"),
    ("/networks", "nav.networks"),
    ("/board", "nav.board"),
    ("/dashboard", "nav.dashboard"),
    ("/calendar", "nav.calendar"),
    ("/reports", "nav.reports"),
    ("/credit", "nav.credit"),
    ("/disclosures", "nav.disclosures"),
];

/// The section a console path belongs to (`/leads/…` is under `/leads`); the home page for
/// everything else, such as a case page reached from it.
fn section(path: &str) -> &'static str {
    NAV.iter()
        .skip(1)
        .map(|(href, _)| *href)
        .find(|href| path == *href || path.strip_prefix(href).is_some_and(|r| r.starts_with('/')))
        .unwrap_or("/")
}

/// A page in the console's frame.
pub fn page(caller: &Caller, title: &str, body: Markup) -> Markup {
    let lang = caller.lang;
    let signed_in = matches!(caller.principal, Principal::Member(_));
    // htmx sends the CSRF token with every request it makes.
    let hx_headers = format!("{{\"x-csrf-token\": \"{}\"}}", caller.csrf);
    html! {
        (DOCTYPE)
        html lang=(lang.tag()) {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                meta name="htmx-config" content=r#"{"includeIndicatorStyles":false,"allowEval":false}"#;
                title { (title) " · " (t(lang, "app.name")) }
                link rel="icon" type="image/svg+xml" href="/static/favicon.svg";
                link rel="stylesheet" href="/static/console.css";
                script src="/static/htmx.min.js" defer {}
            }
            body hx-headers=(hx_headers) {
                @if signed_in {
                    header.top {
                        a.brand href="/" { (t(lang, "app.name")) small { (t(lang, "app.tagline")) } }
                        nav {
                            @for (href, key) in NAV {
                                a.active[section(&caller.path) == *href] href=(href) { (t(lang, key)) }
                            }
                        }
                        div.who {
                            span { (caller.user_name.as_deref().unwrap_or("")) " · " (caller.org_name.as_deref().unwrap_or("")) }
                            (language_form(caller))
                            form method="post" action="/logout" {
                                input type="hidden" name="_csrf" value=(caller.csrf);
                                button type="submit" { (t(lang, "nav.sign_out")) }
                            }
                        }
                    }
                }
                (body)
                footer { (t(lang, "footer.note")) }
            }
        }
    }
}

fn language_form(caller: &Caller) -> Markup {
    let other = caller.lang.other();
    html! {
        form method="post" action="/lang" {
            input type="hidden" name="_csrf" value=(caller.csrf);
            input type="hidden" name="lang" value=(other.tag());
            button type="submit" lang=(other.tag()) { (t(caller.lang, "nav.language")) }
        }
    }
}

/// An HTML error page with the given status.
pub fn error_page(caller: &Caller, status: StatusCode, message_key: &str) -> Response {
    let lang = caller.lang;
    let body = html! {
        main {
            div.card {
                h1 { (t(lang, "error.title")) }
                p { (t(lang, message_key)) }
                p { a href="/" { (t(lang, "error.back")) } }
            }
        }
    };
    (
        status,
        Html(page(caller, t(lang, "error.title"), body).into_string()),
    )
        .into_response()
}

/// Only a local path may be a redirect target (no open redirect).
pub fn safe_next(next: Option<&str>) -> &str {
    match next {
        Some(n)
            if n.starts_with('/')
                && !n.starts_with("//")
                && !n.starts_with("/\\")
                && n.len() < 512
                && !n.chars().any(|c| c.is_control() || c == '\\') =>
        {
            n
        }
        _ => "/",
    }
}

/// Sends a caller who is not signed in to the login page, remembering where they were.
fn to_login(path: &str) -> Response {
    let next: String = url_encode(path);
    Redirect::to(&format!("/login?next={next}")).into_response()
}

pub(crate) fn url_encode(s: &str) -> String {
    serde_urlencoded::to_string([("", s)])
        .map(|v| v.trim_start_matches('=').to_string())
        .unwrap_or_default()
}

/// What the home page shows, read from the store within the caller's scope.
#[derive(Debug, Default)]
struct HomeData {
    /// The caller works cases of an agency (a queue of their own makes sense).
    works_cases: bool,
    /// (id, number, title, state label) of the open cases assigned to the caller.
    my_cases: Vec<(String, String, String, String)>,
    /// (state label, count) of the cases the caller may see.
    by_state: Vec<(String, u64)>,
    /// (case number, what is due, due date, overdue, working days left, provisional):
    /// the caller's agency's running deadlines, or the office's supervision board.
    due: Vec<(String, String, String, bool, u32, bool)>,
    /// (case id, case number, old due, new due) of the caller's cases whose deadlines a
    /// newly loaded holiday notice moved in the last 30 days.
    recalculated: Vec<(String, String, String, String)>,
    /// (case id, reason, sent on) of the transfers sent to the caller's agency and not
    /// yet accepted or refused.
    transfers: Vec<(String, String, String)>,
}

async fn home_data(state: &AppState, caller: &Caller) -> Result<Option<HomeData>, crate::ApiError> {
    let (Some(store), Principal::Member(m)) = (state.directory().store(), &caller.principal) else {
        return Ok(None);
    };
    let label = |s: wangjian_domain::CaseState| match caller.lang {
        Lang::ZhCn => s.label_zh().to_string(),
        Lang::En => s.as_str().replace('_', " "),
    };
    let mut data = HomeData::default();
    let Some(scope) = wangjian_app::workflow::cases::case_store_scope(&caller.principal) else {
        return Ok(Some(data));
    };
    if matches!(scope, wangjian_store::Scope::Org(_)) {
        data.works_cases = true;
        let queue = store
            .officer_queue(m.actor.org, m.actor.user, None, 10)
            .await?;
        data.my_cases = queue
            .items
            .iter()
            .map(|c| {
                (
                    c.id.to_string(),
                    c.number.document_form(),
                    c.title.clone(),
                    label(c.state),
                )
            })
            .collect();
    }
    let cal = &*state.calendar().await?;
    let today = wangjian_calendar::shanghai_date(chrono::Utc::now());
    let items = match &scope {
        wangjian_store::Scope::Org(org) => store
            .due_deadlines(&m.region, today, 5, cal, None, 200)
            .await?
            .items
            .into_iter()
            .filter(|d| d.org == *org)
            .collect(),
        wangjian_store::Scope::Region(r) => {
            store
                .supervision_board(m.actor.org, r, today, 5, cal, 200)
                .await?
        }
    };
    data.due = items
        .into_iter()
        .take(10)
        .map(|d| {
            let what = match &d.what {
                wangjian_domain::supervision::DueWhat::Deadline { kind, .. } => {
                    t(caller.lang, &format!("deadline.{}", kind.as_str())).to_string()
                }
                wangjian_domain::supervision::DueWhat::Supervision { .. } => {
                    t(caller.lang, "due.supervision").to_string()
                }
            };
            (
                d.number,
                what,
                d.due.to_string(),
                d.overdue,
                d.working_days_left,
                d.provisional,
            )
        })
        .collect();
    let since = chrono::Utc::now() - chrono::Duration::days(30);
    let show = |d: Option<chrono::NaiveDate>| d.map(|d| d.to_string()).unwrap_or_default();
    data.recalculated = store
        .recalculated_deadlines(m.actor.user, since, 10)
        .await?
        .into_iter()
        .map(|r| {
            (
                r.case.to_string(),
                r.number,
                show(r.old_due),
                show(r.new_due),
            )
        })
        .collect();
    let mut q = wangjian_store::CaseQuery::new(scope);
    q.include_final = true;
    q.limit = 500;
    let page = store.cases(&q).await?;
    for s in wangjian_domain::CaseState::ALL {
        let n = page.items.iter().filter(|c| c.state == s).count() as u64;
        if n > 0 {
            data.by_state.push((label(s), n));
        }
    }
    if data.works_cases {
        let incoming = store
            .incoming_transfers(m.actor.org, Some("sent"), None, 10)
            .await?;
        data.transfers = incoming
            .items
            .into_iter()
            .map(|t| {
                (
                    t.case.to_string(),
                    t.reason,
                    crate::i18n::local_time(t.sent_at),
                )
            })
            .collect();
    }
    Ok(Some(data))
}

async fn home(
    axum::extract::State(state): axum::extract::State<AppState>,
    caller: Caller,
) -> Response {
    let Principal::Member(_) = &caller.principal else {
        return to_login("/");
    };
    let lang = caller.lang;
    let data = match home_data(&state, &caller).await {
        Ok(d) => d,
        Err(e) => {
            tracing::error!(error = %e, "home page");
            return error_page(&caller, StatusCode::SERVICE_UNAVAILABLE, "error.internal");
        }
    };
    let name = caller.user_name.clone().unwrap_or_default();
    let empty_card = |key: &str| {
        html! {
            div.card {
                h2 { (t(lang, key)) }
                p.empty { (t(lang, "home.nothing")) }
            }
        }
    };
    let no_data = t(lang, "chart.no_data");
    let leads = line_chart(
        &LineChart {
            title: t(lang, "chart.leads_per_day").to_string(),
            x_labels: vec![],
            series: vec![],
            width: 620,
            height: 240,
        },
        no_data,
    );
    let bars = data
        .as_ref()
        .map(|d| d.by_state.clone())
        .unwrap_or_default();
    // One 22 px row per state shown.
    let height = (56 + 22 * bars.len() as u32).max(240);
    let cases = bar_chart(
        &BarChart {
            title: t(lang, "chart.cases_by_state").to_string(),
            bars,
            width: 620,
            height,
        },
        no_data,
    );
    let my_cases = data
        .as_ref()
        .map(|d| d.my_cases.as_slice())
        .unwrap_or_default();
    let due = data.as_ref().map(|d| d.due.as_slice()).unwrap_or_default();
    let body = html! {
        main {
            h1 { (tf(lang, "home.greeting", &[("name", &name)])) }
            p.muted { (t(lang, "home.acting_for")) ": " (caller.org_name.as_deref().unwrap_or("")) }
            @if data.is_none() {
                div.notice { (t(lang, "home.not_connected")) }
            }
            div.grid {
                @if data.as_ref().is_none_or(|d| d.works_cases) {
                    div.card #my-cases {
                        h2 { (t(lang, "home.my_cases")) }
                        @if my_cases.is_empty() {
                            p.empty { (t(lang, "home.nothing")) }
                        } @else {
                            ul.items {
                                @for (id, number, title, state) in my_cases {
                                    li {
                                        a href={"/cases/" (id)} { span.number { (number) } " " (title) }
                                        " " span.state { (state) }
                                    }
                                }
                            }
                        }
                    }
                }
                div.card #due {
                    h2 { (t(lang, "home.due")) }
                    @if due.is_empty() {
                        p.empty { (t(lang, "home.nothing")) }
                    } @else {
                        ul.items {
                            @for (number, what, day, overdue, left, provisional) in due {
                                li {
                                    span.number { (number) } " " (what)
                                    @if *overdue {
                                        span.state.overdue { (t(lang, "due.overdue")) " " (day) }
                                    } @else {
                                        span.state { (tf(lang, "due.days_left", &[("days", &left.to_string())])) }
                                    }
                                    @if *provisional {
                                        " " span.provisional title=(t(lang, "due.provisional_hint")) { (t(lang, "due.provisional")) }
                                    }
                                }
                            }
                        }
                    }
                }
                @if let Some(d) = data.as_ref().filter(|d| !d.recalculated.is_empty()) {
                    div.card #recalculated {
                        h2 { (t(lang, "home.recalculated")) }
                        ul.items {
                            @for (case, number, old, new) in &d.recalculated {
                                li {
                                    a href={"/cases/" (case)} { span.number { (number) } }
                                    " " span.state { (tf(lang, "home.recalculated_line", &[("old", old), ("new", new)])) }
                                }
                            }
                        }
                    }
                }
                @match data.as_ref().filter(|d| !d.transfers.is_empty()) {
                    Some(d) => {
                        div.card #new-transfers {
                            h2 { (t(lang, "home.new_transfers")) }
                            ul.items {
                                @for (case, reason, at) in &d.transfers {
                                    li { a href={"/cases/" (case)} { (reason) } " " span.state { (at) } }
                                }
                            }
                        }
                    }
                    None => { (empty_card("home.new_transfers")) }
                }
            }
            div.grid.two style="margin-top:16px" {
                div.card { (leads) }
                div.card #cases-by-state { (cases) }
            }
        }
    };
    Html(page(&caller, t(lang, "home.title"), body).into_string()).into_response()
}

#[derive(Debug, Deserialize)]
struct LangForm {
    lang: String,
    next: Option<String>,
}

async fn switch_language(
    state: axum::extract::State<AppState>,
    headers: axum::http::HeaderMap,
    Form(f): Form<LangForm>,
) -> Response {
    let lang = Lang::from_tag(&f.lang);
    // Back to the page the switch was pressed on, when it is ours.
    let back = headers
        .get(header::REFERER)
        .and_then(|v| v.to_str().ok())
        .and_then(|r| r.split_once("://").map(|(_, rest)| rest))
        .and_then(|rest| rest.find('/').map(|i| rest[i..].to_string()));
    let to = safe_next(f.next.as_deref().or(back.as_deref())).to_string();
    let mut resp = Redirect::to(&to).into_response();
    resp.headers_mut().append(
        header::SET_COOKIE,
        cookies::set(
            cookies::LANG,
            lang.tag(),
            Some(365 * 24 * 3600),
            state.config().secure_cookies,
        ),
    );
    resp
}

const HTMX: &[u8] = include_bytes!("../../static/htmx.min.js");
const CSS: &[u8] = include_bytes!("../../static/console.css");
const HTMX_LICENSE: &[u8] = include_bytes!("../../static/htmx.LICENSE.txt");
const FAVICON: &[u8] = include_bytes!("../../static/favicon.svg");

async fn static_file(axum::extract::Path(file): axum::extract::Path<String>) -> Response {
    let (body, ctype) = match file.as_str() {
        "htmx.min.js" => (HTMX, "text/javascript; charset=utf-8"),
        "console.css" => (CSS, "text/css; charset=utf-8"),
        "htmx.LICENSE.txt" => (HTMX_LICENSE, "text/plain; charset=utf-8"),
        "favicon.svg" => (FAVICON, "image/svg+xml"),
        _ => return crate::error::ApiError::not_found().into_response(),
    };
    (
        [
            (header::CONTENT_TYPE, HeaderValue::from_static(ctype)),
            (
                header::CACHE_CONTROL,
                HeaderValue::from_static("public, max-age=3600"),
            ),
        ],
        body,
    )
        .into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn redirect_targets_stay_local() {
        assert_eq!(safe_next(Some("/cases/1?x=2")), "/cases/1?x=2");
        for bad in [
            "//evil.example",
            "https://evil.example",
            "/\\evil",
            "",
            "/a\nb",
        ] {
            assert_eq!(safe_next(Some(bad)), "/", "{bad:?}");
        }
        assert_eq!(safe_next(None), "/");
        assert_eq!(url_encode("/a b?c=d&e"), "%2Fa+b%3Fc%3Dd%26e");
    }
}

#[cfg(test)]
mod nav_tests {
    use super::section;

    #[test]
    fn each_page_marks_its_own_section() {
        assert_eq!(section("/"), "/");
        assert_eq!(section("/leads"), "/leads");
        assert_eq!(section("/leads/0191-abc"), "/leads");
        assert_eq!(section("/complaints/x/decisions"), "/complaints");
        assert_eq!(section("/board"), "/board");
        assert_eq!(section("/dashboard"), "/dashboard");
        // A prefix that is not a path segment is not the section.
        assert_eq!(section("/boardroom"), "/");
        assert_eq!(section("/cases/42"), "/");
    }
}
