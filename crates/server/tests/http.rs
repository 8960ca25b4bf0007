//! The server over HTTP, in process (tower's `oneshot`): what a browser or an API client
//! sees. Accounts come from the in-memory directory.

mod common;

use std::sync::OnceLock;

use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use axum::response::Response;
use axum::Router;
use chrono::Utc;
use http_body_util::BodyExt;
use tower::ServiceExt;
use wangjian_domain::org::{AdminLevel, AgencyType, OrgKind, RegionCode, Role};
use wangjian_domain::{OrgId, UserId};
use wangjian_server::auth::password::hash_password;
use wangjian_server::auth::token::{mint, TokenScope};
use wangjian_server::directory::{
    Directory, LoginRecord, MemoryAccount, MemoryDirectory, OrgMembership, SecurityAction,
};
use wangjian_server::{router, AppState, ServerConfig};

const PASSWORD: &str = "correct horse 电池";

fn hash() -> String {
    static H: OnceLock<String> = OnceLock::new();
    H.get_or_init(|| hash_password(PASSWORD).unwrap()).clone()
}

fn account(login: &str, name: &str, user: u128, roles: Vec<Role>) -> MemoryAccount {
    MemoryAccount {
        login: login.into(),
        record: LoginRecord {
            user: UserId::from_u128(user),
            name: name.into(),
            password_hash: Some(hash()),
        },
        memberships: vec![OrgMembership {
            org: OrgId::from_u128(100),
            org_name: "杭州市市场监督管理局".into(),
            kind: OrgKind::Agency {
                agency_type: AgencyType::MarketRegulation,
                level: AdminLevel::City,
            },
            region: RegionCode::parse("330100").unwrap(),
            roles,
        }],
    }
}

struct App {
    router: Router,
    state: AppState,
}

fn app() -> App {
    let dir = MemoryDirectory::new(vec![
        account("officer", "王警官", 1, vec![Role::Officer]),
        account("evil", "<script>alert(1)</script>", 2, vec![Role::Officer]),
        account("nobody", "无单位", 3, vec![]),
    ]);
    let state = AppState::new(Directory::Memory(dir), ServerConfig::default());
    App {
        router: router(state.clone()),
        state,
    }
}

impl App {
    async fn send(&self, req: Request<Body>) -> Response {
        self.router.clone().oneshot(req).await.unwrap()
    }

    fn events(&self) -> Vec<SecurityAction> {
        match self.state.directory() {
            Directory::Memory(m) => m.events().into_iter().map(|e| e.action).collect(),
            Directory::Store(_) => unreachable!("these tests use the memory directory"),
        }
    }
}

async fn text(resp: Response) -> String {
    String::from_utf8(
        resp.into_body()
            .collect()
            .await
            .unwrap()
            .to_bytes()
            .to_vec(),
    )
    .unwrap()
}

async fn json(resp: Response) -> serde_json::Value {
    serde_json::from_str(&text(resp).await).unwrap()
}

fn get(uri: &str) -> Request<Body> {
    Request::get(uri)
        .header(header::ACCEPT, "text/html")
        .body(Body::empty())
        .unwrap()
}

fn with_session(uri: &str, sid: &str) -> Request<Body> {
    Request::get(uri)
        .header(header::COOKIE, format!("wj_session={sid}"))
        .body(Body::empty())
        .unwrap()
}

fn cookie_value(resp: &Response, name: &str) -> Option<String> {
    resp.headers()
        .get_all(header::SET_COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find_map(|v| {
            v.split(';')
                .next()
                .and_then(|kv| kv.split_once('='))
                .filter(|(k, _)| *k == name)
                .map(|(_, v)| v.to_string())
        })
}

fn form(uri: &str, cookies: &str, body: &str) -> Request<Body> {
    Request::post(uri)
        .header(header::ACCEPT, "text/html")
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .header(header::COOKIE, cookies)
        .body(Body::from(body.to_string()))
        .unwrap()
}

fn enc(s: &str) -> String {
    serde_urlencoded::to_string([("v", s)]).unwrap()[2..].to_string()
}

/// Opens the login page: (pre-session CSRF cookie value).
async fn login_page(app: &App) -> String {
    let resp = app.send(get("/login")).await;
    assert_eq!(resp.status(), StatusCode::OK);
    let csrf = cookie_value(&resp, "wj_csrf").expect("pre-session csrf cookie");
    let html = text(resp).await;
    assert!(
        html.contains(&format!("value=\"{csrf}\"")),
        "form carries the token"
    );
    csrf
}

async fn sign_in(app: &App, login: &str, password: &str) -> Response {
    let csrf = login_page(app).await;
    let body = format!(
        "_csrf={csrf}&login={}&password={}&next=%2F",
        enc(login),
        enc(password)
    );
    app.send(form("/login", &format!("wj_csrf={csrf}"), &body))
        .await
}

/// Signs in; returns the session cookie value.
async fn session(app: &App, login: &str) -> String {
    let resp = sign_in(app, login, PASSWORD).await;
    assert_eq!(resp.status(), StatusCode::SEE_OTHER);
    cookie_value(&resp, "wj_session").expect("session cookie")
}

#[tokio::test]
async fn health_openapi_and_headers() {
    let app = app();
    let resp = app.send(get("/api/v1/health")).await;
    assert_eq!(resp.status(), StatusCode::OK);
    let h = resp.headers();
    assert_eq!(h["x-content-type-options"], "nosniff");
    assert_eq!(h["x-frame-options"], "DENY");
    assert!(h["content-security-policy"]
        .to_str()
        .unwrap()
        .contains("frame-ancestors 'none'"));
    assert_eq!(h["x-request-id"].len(), 36, "a UUID request id");
    assert_eq!(json(resp).await["status"], "ok");

    let doc = json(app.send(get("/api/v1/openapi.json")).await).await;
    assert!(doc["openapi"].as_str().unwrap().starts_with("3."));
    assert!(doc["paths"]["/health"]["get"].is_object());
    assert!(doc["paths"]["/me"]["get"].is_object());
    assert!(doc["components"]["securitySchemes"]["bearer"].is_object());
    assert!(doc["components"]["schemas"]["ErrorBody"].is_object());
}

#[tokio::test]
async fn api_errors_have_the_catalog_shape() {
    let app = app();
    let resp = app.send(get("/api/v1/me")).await;
    assert_eq!(resp.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(json(resp).await["error"]["code"], "unauthenticated");
    let resp = app.send(get("/api/v1/no-such-thing")).await;
    assert_eq!(resp.status(), StatusCode::NOT_FOUND);
    assert_eq!(
        json(resp).await,
        serde_json::json!({"error":{"code":"not_found","message":"not found","field":null}})
    );
    let resp = app
        .send(
            Request::delete("/api/v1/health")
                .body(Body::empty())
                .unwrap(),
        )
        .await;
    // A state-changing API call from someone not signed in is refused before anything
    // else (no API route takes the public's input).
    assert_eq!(resp.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(json(resp).await["error"]["code"], "unauthenticated");
    // Signed in, without the CSRF token: refused before anything else.
    let sid = session(&app, "officer").await;
    let resp = app
        .send(
            Request::delete("/api/v1/health")
                .header(header::COOKIE, format!("wj_session={sid}"))
                .body(Body::empty())
                .unwrap(),
        )
        .await;
    assert_eq!(resp.status(), StatusCode::FORBIDDEN);
    assert_eq!(json(resp).await["error"]["code"], "csrf_mismatch");
}

#[tokio::test]
async fn login_page_is_chinese_by_default_and_english_on_request() {
    let app = app();
    let resp = app.send(get("/login")).await;
    let csrf = cookie_value(&resp, "wj_csrf").unwrap();
    let set = resp.headers()[header::SET_COOKIE]
        .to_str()
        .unwrap()
        .to_string();
    assert!(
        set.contains("HttpOnly") && set.contains("SameSite=Strict"),
        "{set}"
    );
    let html = text(resp).await;
    assert!(html.contains("<html lang=\"zh-CN\">"));
    assert!(html.contains("登录") && html.contains("/static/htmx.min.js"));
    let resp = app
        .send(form(
            "/lang",
            &format!("wj_csrf={csrf}"),
            &format!("_csrf={csrf}&lang=en&next=%2Flogin"),
        ))
        .await;
    assert_eq!(resp.status(), StatusCode::SEE_OTHER);
    assert_eq!(cookie_value(&resp, "wj_lang").as_deref(), Some("en"));
    let resp = app
        .send(
            Request::get("/login")
                .header(header::COOKIE, "wj_lang=en")
                .body(Body::empty())
                .unwrap(),
        )
        .await;
    let html = text(resp).await;
    assert!(html.contains("<html lang=\"en\">") && html.contains("Sign in"));
}

#[tokio::test]
async fn wrong_password_and_unknown_user_answer_alike() {
    let app = app();
    let a = sign_in(&app, "officer", "wrong password").await;
    assert_eq!(a.status(), StatusCode::UNAUTHORIZED);
    assert!(cookie_value(&a, "wj_session").is_none());
    let a = text(a).await;
    let b = sign_in(&app, "no-such-user", "wrong password").await;
    assert_eq!(b.status(), StatusCode::UNAUTHORIZED);
    let b = text(b).await;
    assert!(a.contains("用户名或密码错误") && b.contains("用户名或密码错误"));
    assert_eq!(
        app.events(),
        [SecurityAction::SignInFailed, SecurityAction::SignInFailed]
    );
}

#[tokio::test]
async fn login_without_csrf_is_refused() {
    let app = app();
    let csrf = login_page(&app).await;
    let body = format!("login=officer&password={}", enc(PASSWORD));
    let resp = app
        .send(form("/login", &format!("wj_csrf={csrf}"), &body))
        .await;
    assert_eq!(resp.status(), StatusCode::FORBIDDEN);
    assert!(text(resp).await.contains("表单已过期"));
    // A token that is not the cookie's is refused too.
    let body = format!(
        "_csrf={}&login=officer&password={}",
        "x".repeat(43),
        enc(PASSWORD)
    );
    let resp = app
        .send(form("/login", &format!("wj_csrf={csrf}"), &body))
        .await;
    assert_eq!(resp.status(), StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn sign_in_home_sign_out() {
    let app = app();
    let resp = app.send(get("/")).await;
    assert_eq!(resp.status(), StatusCode::SEE_OTHER);
    assert_eq!(resp.headers()[header::LOCATION], "/login?next=%2F");

    let sid = session(&app, "officer").await;
    let resp = app.send(with_session("/", &sid)).await;
    assert_eq!(resp.status(), StatusCode::OK);
    let html = text(resp).await;
    assert!(html.contains("王警官，您好") && html.contains("杭州市市场监督管理局"));
    // The session's own CSRF token is in the sign-out form, not the pre-session one.
    let token = html
        .split("name=\"_csrf\" value=\"")
        .nth(1)
        .and_then(|s| s.split('"').next())
        .unwrap()
        .to_string();

    let me = app.send(with_session("/api/v1/me", &sid)).await;
    let me = json(me).await;
    assert_eq!(me["roles"], serde_json::json!(["officer"]));
    assert_eq!(me["org_kind"], "agency");
    assert_eq!(me["via"], "session");

    let resp = app
        .send(form(
            "/logout",
            &format!("wj_session={sid}"),
            &format!("_csrf={token}"),
        ))
        .await;
    assert_eq!(resp.status(), StatusCode::SEE_OTHER);
    assert_eq!(cookie_value(&resp, "wj_session").as_deref(), Some(""));
    // The old cookie no longer works: the session is gone on the server.
    let resp = app.send(with_session("/api/v1/me", &sid)).await;
    assert_eq!(resp.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(
        app.events(),
        [SecurityAction::SignIn, SecurityAction::SignOut]
    );
}

#[tokio::test]
async fn session_fixation_a_planted_id_is_never_used() {
    let app = app();
    let csrf = login_page(&app).await;
    let planted = "A".repeat(43);
    let body = format!("_csrf={csrf}&login=officer&password={}", enc(PASSWORD));
    let resp = app
        .send(form(
            "/login",
            &format!("wj_csrf={csrf}; wj_session={planted}"),
            &body,
        ))
        .await;
    assert_eq!(resp.status(), StatusCode::SEE_OTHER);
    let sid = cookie_value(&resp, "wj_session").unwrap();
    assert_ne!(sid, planted);
    assert_eq!(sid.len(), 43);
    let me = app.send(with_session("/api/v1/me", &planted)).await;
    assert_eq!(me.status(), StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn json_post_with_a_session_needs_the_csrf_header() {
    let app = app();
    let sid = session(&app, "officer").await;
    let resp = app
        .send(
            Request::post("/api/v1/me")
                .header(header::COOKIE, format!("wj_session={sid}"))
                .header(header::CONTENT_TYPE, "application/json")
                .body(Body::from("{}"))
                .unwrap(),
        )
        .await;
    assert_eq!(resp.status(), StatusCode::FORBIDDEN);
    assert_eq!(json(resp).await["error"]["code"], "csrf_mismatch");
}

/// The page of a failed sign-in without what differs per request (the CSRF tokens).
async fn failure_page(resp: Response) -> (StatusCode, String) {
    let status = resp.status();
    let html = text(resp).await;
    let mut out = String::new();
    let mut rest = html.as_str();
    // Drop every value="…" of the CSRF fields and the hx-headers attribute.
    while let Some(i) = rest.find("_csrf\" value=\"") {
        let j = i + "_csrf\" value=\"".len();
        out.push_str(&rest[..j]);
        rest = rest[j..].split_once('"').map_or("", |(_, r)| r);
    }
    out.push_str(rest);
    let out = match out.split_once("hx-headers=") {
        Some((a, b)) => format!("{a}{}", b.split_once('>').map_or("", |(_, r)| r)),
        None => out,
    };
    (status, out)
}

/// Regression (issue 15, finding 8): a correct password for an account that holds no role
/// answered 403 "no organization", a wrong one 401: the form told which passwords were
/// right. Both now answer alike, and no session is made.
#[tokio::test]
async fn account_without_organization_answers_like_a_wrong_password() {
    let app = app();
    let right = sign_in(&app, "nobody", PASSWORD).await;
    assert!(cookie_value(&right, "wj_session").is_none());
    let right = failure_page(right).await;
    let wrong = failure_page(sign_in(&app, "nobody", "wrong password").await).await;
    assert_eq!(right.0, StatusCode::UNAUTHORIZED);
    assert_eq!(right, wrong);
}

/// Regression (issue 15, finding 8): any 43-byte `wj_csrf` value was accepted as the
/// pre-session token, so a caller (or a page that can plant a cookie) could choose one
/// and post it back. Only tokens the server signed pass now.
#[tokio::test]
async fn a_self_chosen_presession_token_is_refused() {
    let app = app();
    let chosen = "A".repeat(43);
    let body = format!("_csrf={chosen}&login=officer&password={}", enc(PASSWORD));
    let resp = app
        .send(form("/login", &format!("wj_csrf={chosen}"), &body))
        .await;
    assert_eq!(resp.status(), StatusCode::FORBIDDEN);
    assert!(cookie_value(&resp, "wj_session").is_none());
    // The server's own token still works.
    let resp = sign_in(&app, "officer", PASSWORD).await;
    assert_eq!(resp.status(), StatusCode::SEE_OTHER);
}

/// Regression (issue 15, finding 2): the throttle was checked before and recorded after
/// the password hash, so 30 parallel wrong passwords for one account were all hashed
/// (sequentially it stops after 6). Attempts are reserved before hashing now.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn parallel_wrong_passwords_are_counted_before_any_is_hashed() {
    let app = app();
    let csrf = login_page(&app).await;
    let body = format!(
        "_csrf={csrf}&login=officer&password={}",
        enc("wrong password")
    );
    let mut tasks = tokio::task::JoinSet::new();
    for _ in 0..30 {
        let router = app.router.clone();
        let req = form("/login", &format!("wj_csrf={csrf}"), &body);
        tasks.spawn(async move { router.oneshot(req).await.unwrap().status() });
    }
    let mut hashed = 0;
    while let Some(s) = tasks.join_next().await {
        match s.unwrap() {
            StatusCode::UNAUTHORIZED => hashed += 1,
            StatusCode::TOO_MANY_REQUESTS => {}
            other => panic!("unexpected {other}"),
        }
    }
    assert_eq!(
        hashed, 6,
        "5 free failures and the one that starts the wait"
    );
    let failed = app
        .events()
        .into_iter()
        .filter(|e| *e == SecurityAction::SignInFailed)
        .count();
    assert_eq!(failed, 30, "every attempt is recorded");
}

/// The argon2 work is bounded server-wide: with every hasher taken, a sign-in waits its
/// time and then answers 503 with Retry-After; the attempt is given back.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sign_in_on_a_busy_server_answers_503_and_costs_no_attempt() {
    let dir = MemoryDirectory::new(vec![account("officer", "王警官", 1, vec![Role::Officer])]);
    let state = AppState::new(
        Directory::Memory(dir),
        ServerConfig {
            password_hashers: 1,
            password_wait: std::time::Duration::from_millis(50),
            ..ServerConfig::default()
        },
    );
    let app = App {
        router: router(state.clone()),
        state,
    };
    let (release, held) = std::sync::mpsc::channel::<()>();
    let hog = {
        let st = app.state.clone();
        tokio::spawn(async move {
            st.password_hashes()
                .run(move || {
                    let _ = held.recv();
                })
                .await
        })
    };
    tokio::time::timeout(std::time::Duration::from_secs(10), async {
        while app.state.password_hashes().available() > 0 {
            tokio::task::yield_now().await;
        }
    })
    .await
    .expect("the hog holds the only hasher");
    for _ in 0..8 {
        let r = sign_in(&app, "officer", PASSWORD).await;
        assert_eq!(r.status(), StatusCode::SERVICE_UNAVAILABLE);
        assert!(r.headers().contains_key(header::RETRY_AFTER));
        assert!(text(r).await.contains("服务器繁忙"));
    }
    release.send(()).unwrap();
    hog.await.unwrap().unwrap();
    // Eight refusals cost nothing: the account is not throttled.
    let r = sign_in(&app, "officer", PASSWORD).await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
}

/// A failed sign-in through our proxy at 10.0.0.1 carrying `X-Forwarded-For: forwarded`.
fn via_proxy(csrf: &str, login: &str, forwarded: &str) -> Request<Body> {
    let body = format!("_csrf={csrf}&login={login}&password=wrong-password");
    let mut req = form("/login", &format!("wj_csrf={csrf}"), &body);
    req.headers_mut()
        .insert("x-forwarded-for", forwarded.parse().unwrap());
    req.extensions_mut()
        .insert(axum::extract::ConnectInfo(std::net::SocketAddr::from((
            [10, 0, 0, 1],
            443,
        ))));
    req
}

/// 21 failed sign-ins on 21 accounts, the i-th forwarded for `forwarded(i)` (each one
/// refused as a wrong password), then one more forwarded for `then`: its status.
async fn after_21_failures(
    app: &App,
    csrf: &str,
    forwarded: impl Fn(u16) -> String,
    then: &str,
) -> StatusCode {
    for i in 0..21u16 {
        let r = app
            .send(via_proxy(csrf, &format!("user{i}"), &forwarded(i)))
            .await;
        assert_eq!(r.status(), StatusCode::UNAUTHORIZED, "{i}");
    }
    app.send(via_proxy(csrf, "user99", then)).await.status()
}

/// Regression (issue 15, finding 3): behind a proxy, the left-most X-Forwarded-For entry
/// (written by the client) was taken as the client, so a new made-up address per request
/// escaped the per-address throttle. The right-most address not of a trusted proxy is
/// taken now; IPv6 clients count per /64.
#[tokio::test]
async fn forwarded_for_is_read_from_the_right_behind_trusted_proxies() {
    let dir = MemoryDirectory::new(vec![account("officer", "王警官", 1, vec![Role::Officer])]);
    let state = AppState::new(
        Directory::Memory(dir),
        ServerConfig {
            trusted_proxies: vec!["10.0.0.0/8".parse().unwrap()],
            ..ServerConfig::default()
        },
    );
    let app = App {
        router: router(state.clone()),
        state,
    };
    let csrf = login_page(&app).await;
    // Each request claims another address left of the one our proxy saw: they all count
    // for 203.0.113.7, which is then blocked.
    let blocked = after_21_failures(
        &app,
        &csrf,
        |i| format!("198.51.100.{i}, 203.0.113.7"),
        "192.0.2.200, 203.0.113.7",
    )
    .await;
    assert_eq!(
        blocked,
        StatusCode::TOO_MANY_REQUESTS,
        "the address is blocked"
    );
    // Another client behind the same proxy is not.
    let r = app.send(via_proxy(&csrf, "user99", "203.0.113.8")).await;
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    // An IPv6 client is one client per /64.
    let blocked = after_21_failures(
        &app,
        &csrf,
        |i| format!("2001:db8:7:7:{i:x}::1"),
        "2001:db8:7:7:ffff::2",
    )
    .await;
    assert_eq!(blocked, StatusCode::TOO_MANY_REQUESTS, "the /64 is blocked");
}

/// Regression (issue 15, finding 4): the console accepted bearer tokens without checking
/// their scopes (an `ingest` token read case pages). Tokens are for the API only.
#[tokio::test]
async fn bearer_tokens_do_not_open_console_pages() {
    let app = app();
    let Directory::Memory(dir) = app.state.directory() else {
        unreachable!("these tests use the memory directory")
    };
    let now = Utc::now();
    for scopes in [
        &[TokenScope::Ingest][..],
        &[TokenScope::Read, TokenScope::Write],
    ] {
        let t = mint(
            UserId::from_u128(1),
            OrgId::from_u128(100),
            "t",
            scopes,
            None,
            now,
        )
        .unwrap();
        dir.add_token(t.record.clone());
        for uri in [
            "/",
            "/leads",
            "/complaints",
            "/board",
            "/dashboard",
            "/cases/0192f1c4-7f7e-7a1b-9c3d-2e4f5a6b7c8d",
            "/complaints/0192f1c4-7f7e-7a1b-9c3d-2e4f5a6b7c8d/attachments/0",
            "/portal",
        ] {
            let resp = app
                .send(
                    Request::get(uri)
                        .header(header::AUTHORIZATION, format!("Bearer {}", t.secret))
                        .body(Body::empty())
                        .unwrap(),
                )
                .await;
            assert_eq!(resp.status(), StatusCode::UNAUTHORIZED, "{uri} {scopes:?}");
        }
        // The same token works on the API.
        let resp = app
            .send(
                Request::get("/api/v1/me")
                    .header(header::AUTHORIZATION, format!("Bearer {}", t.secret))
                    .body(Body::empty())
                    .unwrap(),
            )
            .await;
        let want = if scopes.contains(&TokenScope::Read) {
            StatusCode::OK
        } else {
            StatusCode::FORBIDDEN
        };
        assert_eq!(resp.status(), want);
    }
}

/// Regression (issue 15, finding 1): an anonymous `POST /api/v1/listings` with a
/// self-chosen `wj_csrf` cookie and the matching header made the server read and parse
/// the whole body (60 MB: 15 → 706 MB resident) before answering 403. Callers who may not
/// push are refused before a byte of the body is read; anonymous bodies are small.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_body_is_read_only_for_a_caller_who_may_send_it() {
    let app = app();
    const BIG: usize = 16 * 1024 * 1024;
    let sid = session(&app, "officer").await;
    let html = text(app.send(with_session("/", &sid)).await).await;
    let session_csrf = html
        .split("name=\"_csrf\" value=\"")
        .nth(1)
        .and_then(|s| s.split('"').next())
        .unwrap()
        .to_string();
    let presession = login_page(&app).await;
    let Directory::Memory(dir) = app.state.directory() else {
        unreachable!("these tests use the memory directory")
    };
    let read_token = mint(
        UserId::from_u128(1),
        OrgId::from_u128(100),
        "r",
        &[TokenScope::Read],
        None,
        Utc::now(),
    )
    .unwrap();
    dir.add_token(read_token.record.clone());
    let chosen = "A".repeat(43);
    let callers: Vec<(&str, Vec<(header::HeaderName, String)>)> = vec![
        (
            "anonymous with a self-chosen cookie",
            vec![
                (header::COOKIE, format!("wj_csrf={chosen}")),
                (
                    header::HeaderName::from_static("x-csrf-token"),
                    chosen.clone(),
                ),
            ],
        ),
        (
            "anonymous with the server's pre-session token",
            vec![
                (header::COOKIE, format!("wj_csrf={presession}")),
                (
                    header::HeaderName::from_static("x-csrf-token"),
                    presession.clone(),
                ),
            ],
        ),
        (
            "an officer's session (not a platform)",
            vec![
                (header::COOKIE, format!("wj_session={sid}")),
                (
                    header::HeaderName::from_static("x-csrf-token"),
                    session_csrf.clone(),
                ),
            ],
        ),
        (
            "a token without the ingest scope",
            vec![(
                header::AUTHORIZATION,
                format!("Bearer {}", read_token.secret),
            )],
        ),
    ];
    for (who, headers) in callers {
        let (body, taken) = common::counting(BIG, b"{\"listings\":[", b"{},");
        let mut req = Request::post("/api/v1/listings")
            .header(header::CONTENT_TYPE, "application/json")
            .body(body)
            .unwrap();
        for (k, v) in headers {
            req.headers_mut().insert(k, v.parse().unwrap());
        }
        let resp = app.send(req).await;
        assert!(resp.status().is_client_error(), "{who}: {}", resp.status());
        let n = common::taken(&taken);
        assert!(
            n <= 64 * 1024,
            "{who}: the server read {n} bytes of the body"
        );
    }
    // Anonymous bodies elsewhere stop at 64 KiB, with or without a declared length.
    let (body, taken) = common::counting(BIG, b"_csrf=", b"xxx");
    let resp = app
        .send(
            Request::post("/login")
                .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
                .header(header::COOKIE, format!("wj_csrf={presession}"))
                .body(body)
                .unwrap(),
        )
        .await;
    assert_eq!(resp.status(), StatusCode::PAYLOAD_TOO_LARGE);
    assert!(common::taken(&taken) <= 128 * 1024);
    let resp = app
        .send(
            Request::post("/login")
                .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
                .header(header::CONTENT_LENGTH, BIG.to_string())
                .header(header::COOKIE, format!("wj_csrf={presession}"))
                .body(Body::from("x"))
                .unwrap(),
        )
        .await;
    assert_eq!(resp.status(), StatusCode::PAYLOAD_TOO_LARGE);
}

#[tokio::test]
async fn login_is_throttled_after_repeated_failures() {
    let app = app();
    for _ in 0..6 {
        let r = sign_in(&app, "officer", "wrong password").await;
        assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    }
    let r = sign_in(&app, "officer", PASSWORD).await;
    assert_eq!(r.status(), StatusCode::TOO_MANY_REQUESTS);
    assert!(r.headers().contains_key(header::RETRY_AFTER));
    assert!(text(r).await.contains("尝试次数过多"));
}

#[tokio::test]
async fn bearer_tokens_scopes_and_revocation() {
    let app = app();
    let Directory::Memory(dir) = app.state.directory() else {
        unreachable!("these tests use the memory directory")
    };
    let now = Utc::now();
    let read = mint(
        UserId::from_u128(1),
        OrgId::from_u128(100),
        "r",
        &[TokenScope::Read],
        None,
        now,
    )
    .unwrap();
    let ingest = mint(
        UserId::from_u128(1),
        OrgId::from_u128(100),
        "i",
        &[TokenScope::Ingest],
        None,
        now,
    )
    .unwrap();
    let mut revoked = mint(
        UserId::from_u128(1),
        OrgId::from_u128(100),
        "x",
        &[TokenScope::Read],
        None,
        now,
    )
    .unwrap();
    revoked.record.revoked_at = Some(now);
    for t in [&read, &ingest, &revoked] {
        dir.add_token(t.record.clone());
    }
    let call = |tok: String| {
        Request::get("/api/v1/me")
            .header(header::AUTHORIZATION, format!("Bearer {tok}"))
            .body(Body::empty())
            .unwrap()
    };
    let resp = app.send(call(read.secret.clone())).await;
    assert_eq!(resp.status(), StatusCode::OK);
    let me = json(resp).await;
    assert_eq!(me["via"], "token");
    assert_eq!(me["scopes"], serde_json::json!(["read"]));

    let resp = app.send(call(ingest.secret.clone())).await;
    assert_eq!(resp.status(), StatusCode::FORBIDDEN);
    assert_eq!(json(resp).await["error"]["code"], "insufficient_scope");

    for bad in [
        revoked.secret.clone(),
        "wjt_nonsense".into(),
        format!("{}x", &read.secret[..46]),
    ] {
        let resp = app.send(call(bad)).await;
        assert_eq!(resp.status(), StatusCode::UNAUTHORIZED);
        assert!(resp.headers().contains_key(header::WWW_AUTHENTICATE));
        assert_eq!(json(resp).await["error"]["code"], "invalid_token");
    }
}

#[tokio::test]
async fn hostile_names_are_escaped() {
    let app = app();
    let sid = session(&app, "evil").await;
    let resp = app.send(with_session("/", &sid)).await;
    let html = text(resp).await;
    assert!(!html.contains("<script>alert"), "unescaped name");
    assert!(html.contains("&lt;script&gt;alert(1)&lt;/script&gt;"));
}

#[tokio::test]
async fn oversized_bodies_are_refused() {
    let app = app();
    let csrf = login_page(&app).await;
    let big = format!(
        "_csrf={csrf}&login=officer&password={}",
        "a".repeat(2 * 1024 * 1024)
    );
    let resp = app
        .send(form("/login", &format!("wj_csrf={csrf}"), &big))
        .await;
    assert_eq!(resp.status(), StatusCode::PAYLOAD_TOO_LARGE);
}

#[tokio::test]
async fn static_files_are_embedded() {
    let app = app();
    let resp = app.send(get("/static/htmx.min.js")).await;
    assert_eq!(resp.status(), StatusCode::OK);
    assert!(resp.headers()[header::CONTENT_TYPE]
        .to_str()
        .unwrap()
        .starts_with("text/javascript"));
    assert!(text(resp).await.len() > 40_000);
    let resp = app.send(get("/static/../Cargo.toml")).await;
    assert_eq!(resp.status(), StatusCode::NOT_FOUND);
    let resp = app.send(get("/static/%2e%2e%2fCargo.toml")).await;
    assert_eq!(resp.status(), StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn api_calls_get_no_cookies() {
    let app = app();
    let resp = app.send(get("/api/v1/health")).await;
    assert!(resp.headers().get(header::SET_COOKIE).is_none());
}

#[tokio::test]
async fn tokens_are_made_from_a_session_shown_once_and_revoke_themselves() {
    let app = app();
    let sid = session(&app, "officer").await;
    let html = text(app.send(with_session("/", &sid)).await).await;
    let csrf = html
        .split("name=\"_csrf\" value=\"")
        .nth(1)
        .and_then(|s| s.split('"').next())
        .unwrap()
        .to_string();
    let make = |body: &str| {
        Request::post("/api/v1/tokens")
            .header(header::COOKIE, format!("wj_session={sid}"))
            .header("x-csrf-token", csrf.as_str())
            .header(header::CONTENT_TYPE, "application/json")
            .body(Body::from(body.to_string()))
            .unwrap()
    };
    // A scope this server does not know is malformed input; no scope at all names the field.
    let resp = app
        .send(make(r#"{"name":"root","scopes":["admin"]}"#))
        .await;
    assert_eq!(resp.status(), StatusCode::BAD_REQUEST);
    let resp = app.send(make(r#"{"name":"none","scopes":[]}"#)).await;
    assert_eq!(resp.status(), StatusCode::BAD_REQUEST);
    assert_eq!(json(resp).await["error"]["field"], "scopes");
    let resp = app
        .send(make(r#"{"name":"nightly","scopes":["read"]}"#))
        .await;
    assert_eq!(resp.status(), StatusCode::CREATED);
    let t = json(resp).await;
    let secret = t["secret"].as_str().unwrap().to_string();
    assert!(secret.starts_with("wjt_"));
    let bearer = |method: &str, uri: &str| {
        Request::builder()
            .method(method)
            .uri(uri)
            .header(header::AUTHORIZATION, format!("Bearer {secret}"))
            .body(Body::empty())
            .unwrap()
    };
    assert_eq!(
        app.send(bearer("GET", "/api/v1/me")).await.status(),
        StatusCode::OK
    );
    // A token cannot make tokens.
    let resp = app
        .send(
            Request::post("/api/v1/tokens")
                .header(header::AUTHORIZATION, format!("Bearer {secret}"))
                .header(header::CONTENT_TYPE, "application/json")
                .body(Body::from(r#"{"name":"x","scopes":["read"]}"#))
                .unwrap(),
        )
        .await;
    assert_eq!(resp.status(), StatusCode::FORBIDDEN);
    let resp = app.send(bearer("DELETE", "/api/v1/tokens/current")).await;
    assert_eq!(resp.status(), StatusCode::NO_CONTENT);
    assert_eq!(
        app.send(bearer("GET", "/api/v1/me")).await.status(),
        StatusCode::UNAUTHORIZED
    );
    assert!(app.events().contains(&SecurityAction::TokenCreated));
    assert!(app.events().contains(&SecurityAction::TokenRevoked));
    let cat = json(app.send(get("/api/v1/errors")).await).await;
    assert!(cat
        .as_array()
        .unwrap()
        .iter()
        .any(|e| e["code"] == "not_found" && e["status"] == 404));
}
