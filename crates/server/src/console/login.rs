//! Sign-in and sign-out.
//!
//! Sign-in reserves the attempt with the throttle first (counted as a failure before the
//! password is checked, so parallel guesses cannot slip past the count), then checks the
//! password (argon2id on a blocking thread, at most a few at once server-wide: a busy
//! server answers 503 with `Retry-After`; an unknown login name costs the same work as a
//! wrong password), then issues a fresh session id — never one the browser brought — and
//! records the event. A wrong password, an unknown name and a right password for an
//! account that holds no role anywhere all get the same answer (401, the same page), so
//! the form tells nothing about which accounts exist or are usable. Sign-out deletes the
//! session on the server, not just the cookie.

use std::time::Instant;

use axum::extract::{Form, Query, State};
use axum::http::{header, StatusCode};
use axum::response::{Html, IntoResponse, Redirect, Response};
use chrono::Utc;
use maud::html;
use serde::Deserialize;

use super::{page, safe_next};
use crate::auth::password::verify_or_burn;
use crate::directory::{SecurityAction, SecurityEvent};
use crate::i18n::{t, tf};
use crate::state::AppState;
use crate::web::caller::{Caller, Via};
use crate::web::cookies;
use wangjian_app::policy::Principal;

#[derive(Debug, Deserialize)]
pub(super) struct NextQuery {
    next: Option<String>,
}

#[derive(Debug, Deserialize)]
pub(super) struct LoginForm {
    login: String,
    password: String,
    next: Option<String>,
}

fn login_page(
    caller: &Caller,
    status: StatusCode,
    login: &str,
    next: &str,
    error: Option<String>,
) -> Response {
    let lang = caller.lang;
    let other = lang.other();
    let body = html! {
        div.lang-switch {
            form method="post" action="/lang" {
                input type="hidden" name="_csrf" value=(caller.csrf);
                input type="hidden" name="lang" value=(other.tag());
                input type="hidden" name="next" value={"/login?next=" (super::url_encode(next))};
                button type="submit" lang=(other.tag()) { (t(lang, "nav.language")) }
            }
        }
        div.login-wrap {
            form.login method="post" action="/login" {
                h1 { (t(lang, "app.name")) " · " (t(lang, "login.title")) }
                p.tagline { (t(lang, "app.tagline")) }
                input type="hidden" name="_csrf" value=(caller.csrf);
                input type="hidden" name="next" value=(next);
                label for="login" { (t(lang, "login.login")) }
                input #login type="text" name="login" value=(login) autocomplete="username" required autofocus;
                label for="password" { (t(lang, "login.password")) }
                input #password type="password" name="password" autocomplete="current-password" required;
                @if let Some(e) = error {
                    div.error role="alert" { (e) }
                }
                button.primary type="submit" { (t(lang, "login.submit")) }
            }
        }
    };
    let mut resp = (
        status,
        Html(page(caller, t(lang, "login.title"), body).into_string()),
    )
        .into_response();
    resp.headers_mut().insert(
        header::CACHE_CONTROL,
        header::HeaderValue::from_static("no-store"),
    );
    resp
}

pub(super) async fn show(caller: Caller, Query(q): Query<NextQuery>) -> Response {
    let next = safe_next(q.next.as_deref());
    if matches!(caller.principal, Principal::Member(_)) {
        return Redirect::to(next).into_response();
    }
    login_page(&caller, StatusCode::OK, "", next, None)
}

fn event(caller: &Caller, action: SecurityAction, login: &str) -> SecurityEvent {
    SecurityEvent {
        at: Utc::now(),
        action,
        user: None,
        org: None,
        login: login.trim().chars().take(64).collect(),
        ip: Some(caller.ip),
        request_id: caller.request_id.clone(),
    }
}

pub(super) async fn submit(
    State(state): State<AppState>,
    caller: Caller,
    Form(f): Form<LoginForm>,
) -> Response {
    let lang = caller.lang;
    let next = safe_next(f.next.as_deref()).to_string();
    let login = f.login.trim();
    let dir = state.directory();
    if let Err(wait) = state.throttle().begin(login, caller.ip, Instant::now()) {
        let _ = dir
            .record(event(&caller, SecurityAction::SignInFailed, login))
            .await;
        let msg = tf(
            lang,
            "login.throttled",
            &[("seconds", &wait.seconds().to_string())],
        );
        let mut resp = login_page(
            &caller,
            StatusCode::TOO_MANY_REQUESTS,
            login,
            &next,
            Some(msg),
        );
        if let Ok(v) = header::HeaderValue::from_str(&wait.seconds().to_string()) {
            resp.headers_mut().insert(header::RETRY_AFTER, v);
        }
        return resp;
    }
    let record = match dir.find_login(login).await {
        Ok(r) => r,
        Err(e) => {
            state.throttle().cancel(login, caller.ip);
            tracing::error!(error = %e, "sign-in lookup");
            return super::error_page(&caller, StatusCode::SERVICE_UNAVAILABLE, "error.internal");
        }
    };
    let stored = record.as_ref().and_then(|r| r.password_hash.clone());
    let password = f.password;
    let ok = match state
        .password_hashes()
        .run(move || verify_or_burn(&password, stored.as_deref()))
        .await
    {
        Ok(ok) => ok,
        Err(_busy) => {
            // Not tried: the attempt is given back.
            state.throttle().cancel(login, caller.ip);
            let mut resp = login_page(
                &caller,
                StatusCode::SERVICE_UNAVAILABLE,
                login,
                &next,
                Some(t(lang, "login.busy").to_string()),
            );
            resp.headers_mut()
                .insert(header::RETRY_AFTER, header::HeaderValue::from_static("2"));
            return resp;
        }
    };
    // The organization to act for: the first where the user holds a role (choosing among
    // several comes with the organization switcher). None is a failure like a wrong
    // password, answered alike.
    let mut found = None;
    if let (true, Some(r)) = (ok, &record) {
        match dir.member_of(r.user).await {
            Ok(Some((_, ms))) => {
                found = ms
                    .iter()
                    .find(|m| !m.roles.is_empty())
                    .map(|m| (r.clone(), m.org));
            }
            Ok(None) => {}
            Err(e) => {
                state.throttle().cancel(login, caller.ip);
                tracing::error!(error = %e, "sign-in memberships");
                return super::error_page(
                    &caller,
                    StatusCode::SERVICE_UNAVAILABLE,
                    "error.internal",
                );
            }
        }
    }
    let Some((record, org)) = found else {
        let mut ev = event(&caller, SecurityAction::SignInFailed, login);
        ev.user = record.map(|r| r.user);
        let _ = dir.record(ev).await;
        return login_page(
            &caller,
            StatusCode::UNAUTHORIZED,
            login,
            &next,
            Some(t(lang, "login.failed").to_string()),
        );
    };
    state.throttle().succeeded(login, caller.ip);
    // Session fixation: whatever id the browser brought is dropped; a new one is issued.
    if let Via::Session { id } = &caller.via {
        state.sessions().remove(id);
    }
    let (id, _) = match state.sessions().create(record.user, org, Utc::now()) {
        Ok(s) => s,
        Err(e) => {
            tracing::error!(error = %e, "session");
            return super::error_page(&caller, StatusCode::INTERNAL_SERVER_ERROR, "error.internal");
        }
    };
    let mut ev = event(&caller, SecurityAction::SignIn, login);
    ev.user = Some(record.user);
    ev.org = Some(org);
    let _ = dir.record(ev).await;
    let secure = state.config().secure_cookies;
    let mut resp = Redirect::to(&next).into_response();
    resp.headers_mut().append(
        header::SET_COOKIE,
        cookies::set(cookies::session_name(secure), &id, None, secure),
    );
    resp
}

pub(super) async fn logout(State(state): State<AppState>, caller: Caller) -> Response {
    if let Via::Session { id } = &caller.via {
        state.sessions().remove(id);
        let mut ev = event(
            &caller,
            SecurityAction::SignOut,
            caller.user_name.as_deref().unwrap_or(""),
        );
        if let Principal::Member(m) = &caller.principal {
            ev.user = Some(m.actor.user);
            ev.org = Some(m.actor.org);
        }
        let _ = state.directory().record(ev).await;
    }
    let secure = state.config().secure_cookies;
    let mut resp = Redirect::to("/login").into_response();
    resp.headers_mut().append(
        header::SET_COOKIE,
        cookies::set(cookies::session_name(secure), "", Some(0), secure),
    );
    resp
}
