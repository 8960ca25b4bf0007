//! The server over HTTP, in process (tower's `oneshot`): what a browser or an API client
//! sees. Accounts come from the in-memory directory.

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
    // A state-changing method without a CSRF token is refused before anything else.
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

#[tokio::test]
async fn account_without_organization_cannot_sign_in() {
    let app = app();
    let resp = sign_in(&app, "nobody", PASSWORD).await;
    assert_eq!(resp.status(), StatusCode::FORBIDDEN);
    assert!(cookie_value(&resp, "wj_session").is_none());
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
