//! The calendar page of the console (`/calendar`): which years the working-day calendar
//! knows from State Council notices and which it answers provisionally (暂定), the notices
//! loaded into this installation, and, for administrators, the form that loads a newly
//! published notice (`POST /calendar/notices`). A load recomputes every open deadline it
//! moves, audited, in one transaction (`Store::load_calendar_notice`); who may load is the
//! domain's rule (`calendar_notice::may_load`).

use axum::extract::{Form, Query, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};
use maud::html;
use serde::Deserialize;
use wangjian_domain::calendar_notice;

use super::{error_page, page, to_login};
use crate::i18n::{t, tf};
use crate::state::AppState;
use crate::web::caller::Caller;
use wangjian_app::policy::Principal;

/// Fresh ids a load may use: one per deadline it moves.

#[derive(Debug, Deserialize)]
pub(super) struct ShowQuery {
    loaded: Option<String>,
    error: Option<String>,
}

pub(super) async fn show(
    State(state): State<AppState>,
    caller: Caller,
    Query(q): Query<ShowQuery>,
) -> Response {
    let Principal::Member(m) = &caller.principal else {
        return to_login("/calendar");
    };
    let lang = caller.lang;
    let Some(store) = state.directory().store() else {
        return error_page(&caller, StatusCode::NOT_IMPLEMENTED, "error.internal");
    };
    let data = async {
        let cal = state.calendar().await?;
        let notices = store.calendar_notices().await?;
        Ok::<_, crate::ApiError>((cal, notices))
    }
    .await;
    let (cal, notices) = match data {
        Ok(d) => d,
        Err(e) => {
            tracing::error!(error = %e, "calendar page");
            return error_page(&caller, e.code.status(), "error.internal");
        }
    };
    let published: Vec<String> = cal.published_years().map(|y| y.to_string()).collect();
    let today = wangjian_calendar::shanghai_date(chrono::Utc::now());
    let this_year = chrono::Datelike::year(&today);
    let provisional: Vec<String> = (this_year..=this_year + 1)
        .filter(|y| !cal.published_years().any(|p| p == *y))
        .map(|y| y.to_string())
        .collect();
    let admin = calendar_notice::may_load(&m.actor);
    let body = html! {
        main {
            h1 { (t(lang, "calendar.title")) }
            @if let Some(years) = &q.loaded {
                div.notice { (tf(lang, "calendar.loaded", &[("years", years)])) }
            }
            @if let Some(error) = &q.error {
                div.notice.error { (t(lang, "calendar.load_failed")) ": " (error) }
            }
            div.card {
                p { (t(lang, "calendar.published")) ": " (published.join("、")) }
                @if !provisional.is_empty() {
                    p {
                        span.provisional { (t(lang, "due.provisional")) } " "
                        (tf(lang, "calendar.provisional_years", &[("years", &provisional.join("、"))]))
                    }
                }
            }
            div.card #notices {
                h2 { (t(lang, "calendar.notices")) }
                @if notices.is_empty() {
                    p.empty { (t(lang, "home.nothing")) }
                } @else {
                    ul.items {
                        @for n in &notices {
                            li {
                                (n.years.iter().map(i32::to_string).collect::<Vec<_>>().join("、"))
                                " " span.state { (crate::i18n::local_time(n.loaded_at)) }
                                " " code { (&n.sha256[..n.sha256.len().min(16)]) }
                            }
                        }
                    }
                }
            }
            @if admin {
                div.card #load-notice {
                    h2 { (t(lang, "calendar.load")) }
                    p.muted { (t(lang, "calendar.load_hint")) }
                    form method="post" action="/calendar/notices" {
                        input type="hidden" name="_csrf" value=(caller.csrf);
                        textarea name="text" rows="14" cols="80" required {}
                        br;
                        button type="submit" { (t(lang, "calendar.load")) }
                    }
                }
            }
        }
    };
    Html(page(&caller, t(lang, "calendar.title"), body).into_string()).into_response()
}

#[derive(Debug, Deserialize)]
pub(super) struct LoadForm {
    text: String,
}

pub(super) async fn load(
    State(state): State<AppState>,
    caller: Caller,
    Form(form): Form<LoadForm>,
) -> Response {
    let Principal::Member(m) = &caller.principal else {
        return to_login("/calendar");
    };
    if !calendar_notice::may_load(&m.actor) {
        return error_page(&caller, StatusCode::FORBIDDEN, "error.code.forbidden");
    }
    let Ok(app) = state.app() else {
        return error_page(&caller, StatusCode::NOT_IMPLEMENTED, "error.internal");
    };
    // A pasted file may come with Windows line ends; the format takes them.
    match app.load_calendar_notice(&caller.call(), &form.text).await {
        Ok(loaded) => {
            let years: Vec<String> = loaded.years.iter().map(i32::to_string).collect();
            tracing::info!(years = %years.join(","), moved = loaded.moved.len(), "calendar notice loaded");
            Redirect::to(&format!(
                "/calendar?loaded={}",
                super::url_encode(&years.join(","))
            ))
            .into_response()
        }
        Err(e) => {
            let message: String = e.to_string().chars().take(300).collect();
            Redirect::to(&format!("/calendar?error={}", super::url_encode(&message)))
                .into_response()
        }
    }
}
