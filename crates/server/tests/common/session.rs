//! Requests to the router and signing in as a user of the test world, as the console
//! does (the pre-session CSRF cookie, the login form, the session's CSRF token).

use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use axum::response::Response;
use axum::Router;
use http_body_util::BodyExt;
use tower::ServiceExt;

use super::world::PASSWORD;

pub async fn body(resp: Response) -> (StatusCode, String) {
    let status = resp.status();
    let bytes = resp.into_body().collect().await.unwrap().to_bytes();
    // Lossy: downloads (evidence packages) are bytes; every JSON and HTML body is UTF-8.
    (status, String::from_utf8_lossy(&bytes).into_owned())
}

pub async fn send(router: &Router, req: Request<Body>) -> Response {
    router.clone().oneshot(req).await.unwrap()
}

pub fn cookie(resp: &Response, name: &str) -> Option<String> {
    resp.headers()
        .get_all(header::SET_COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find_map(|v| {
            let (k, val) = v.split(';').next()?.split_once('=')?;
            (k == name).then(|| val.to_string())
        })
}

pub async fn sign_in(router: &Router, login: &str) -> (String, String) {
    let resp = send(router, Request::get("/login").body(Body::empty()).unwrap()).await;
    let pre = cookie(&resp, "wj_csrf").unwrap();
    let form = format!(
        "_csrf={pre}&login={}&password={}",
        &serde_urlencoded::to_string([("v", login)]).unwrap()[2..],
        &serde_urlencoded::to_string([("v", PASSWORD)]).unwrap()[2..]
    );
    let resp = send(
        router,
        Request::post("/login")
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .header(header::COOKIE, format!("wj_csrf={pre}"))
            .body(Body::from(form))
            .unwrap(),
    )
    .await;
    assert_eq!(resp.status(), StatusCode::SEE_OTHER, "{login} signs in");
    let sid = cookie(&resp, "wj_session").unwrap();
    let (_, html) = body(
        send(
            router,
            Request::get("/")
                .header(header::COOKIE, format!("wj_session={sid}"))
                .body(Body::empty())
                .unwrap(),
        )
        .await,
    )
    .await;
    let csrf = html
        .split("name=\"_csrf\" value=\"")
        .nth(1)
        .and_then(|s| s.split('"').next())
        .unwrap()
        .to_string();
    (sid, csrf)
}
