//! CSRF protection for every state-changing request, in one middleware.
//!
//! A request with a method other than GET, HEAD or OPTIONS must carry the caller's CSRF
//! token — in the `x-csrf-token` header (htmx sends it from the page's `hx-headers`) or in
//! the `_csrf` field of a url-encoded form — unless it is authenticated by a bearer token
//! (no ambient credential a third-party page could borrow). Signed-in callers carry their
//! session's synchronizer token; callers not signed in (the login form, the portal) carry
//! the value of their pre-session cookie (double submit). On top of that, every cookie is
//! SameSite=Strict.
//!
//! A double-submit cookie alone proves little: whoever can plant a cookie (a sibling
//! subdomain, a man in the middle of plain HTTP) or simply sends one of their choosing
//! with a matching field passes. So the pre-session token is **signed** by the server
//! ([`PresessionKey`]: a random nonce and its HMAC-SHA-256 under a key the server draws
//! at start), and a cookie the server did not make is treated as no cookie at all.

use axum::body::{to_bytes, Body};
use axum::extract::{Request, State};
use axum::http::{header, Method};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use std::sync::OnceLock;

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use hmac::{Hmac, Mac};
use sha2::Sha256;

use crate::auth::secret::{same, NoRandomness};
use crate::error::{ApiError, ErrorCode};
use crate::state::AppState;
use crate::web::caller::{Caller, Via};

/// The form field that carries the token.
pub const FIELD: &str = "_csrf";
/// The header that carries the token.
pub const HEADER: &str = "x-csrf-token";

/// Random bytes of a pre-session token (its nonce).
const NONCE: usize = 24;
/// Bytes of its MAC kept (128 bits).
const TAG: usize = 16;

/// The key that signs pre-session CSRF tokens, drawn from the operating system's random
/// source on first use and kept in memory only: a restart makes the open login forms
/// stale (as it ends the sessions, which live in memory too).
#[derive(Debug, Default)]
pub struct PresessionKey {
    key: OnceLock<[u8; 32]>,
}

impl PresessionKey {
    fn key(&self) -> Result<&[u8; 32], NoRandomness> {
        if let Some(k) = self.key.get() {
            return Ok(k);
        }
        let mut k = [0u8; 32];
        getrandom::fill(&mut k).map_err(|e| NoRandomness(e.to_string()))?;
        // Two first uses at once: both draw, one key wins, both use it.
        Ok(self.key.get_or_init(|| k))
    }

    fn mac(key: &[u8; 32], nonce: &[u8]) -> Hmac<Sha256> {
        // HMAC takes keys of any length: 32 bytes never fails.
        let mut m = <Hmac<Sha256> as Mac>::new_from_slice(key)
            .unwrap_or_else(|_| unreachable!("HMAC accepts any key length"));
        m.update(b"wangjian pre-session csrf v1\0");
        m.update(nonce);
        m
    }

    /// A new token: `base64url(nonce).base64url(tag)` (55 characters).
    pub fn issue(&self) -> Result<String, NoRandomness> {
        let key = self.key()?;
        let mut nonce = [0u8; NONCE];
        getrandom::fill(&mut nonce).map_err(|e| NoRandomness(e.to_string()))?;
        let tag = Self::mac(key, &nonce).finalize().into_bytes();
        Ok(format!(
            "{}.{}",
            URL_SAFE_NO_PAD.encode(nonce),
            URL_SAFE_NO_PAD.encode(&tag[..TAG])
        ))
    }

    /// True for a token this server issued (since it started); in constant time.
    pub fn verify(&self, token: &str) -> bool {
        let Ok(key) = self.key() else {
            return false;
        };
        let Some((n, t)) = token.split_once('.') else {
            return false;
        };
        let (Ok(nonce), Ok(tag)) = (URL_SAFE_NO_PAD.decode(n), URL_SAFE_NO_PAD.decode(t)) else {
            return false;
        };
        nonce.len() == NONCE
            && tag.len() == TAG
            && Self::mac(key, &nonce).verify_truncated_left(&tag).is_ok()
    }
}

fn safe(m: &Method) -> bool {
    matches!(*m, Method::GET | Method::HEAD | Method::OPTIONS)
}

/// The middleware (runs after `authenticate`).
pub async fn check_csrf(State(state): State<AppState>, req: Request, next: Next) -> Response {
    if safe(req.method()) {
        return next.run(req).await;
    }
    let Some(caller) = req.extensions().get::<Caller>().cloned() else {
        return ApiError::internal(&"csrf before authenticate").into_response();
    };
    if matches!(caller.via, Via::Token { .. }) {
        return next.run(req).await;
    }
    let mismatch = || ApiError::new(ErrorCode::CsrfMismatch).into_response();
    if caller.csrf.is_empty() {
        return mismatch();
    }
    if let Some(h) = req.headers().get(HEADER) {
        return match h.to_str() {
            Ok(v) if same(v, &caller.csrf) => next.run(req).await,
            _ => mismatch(),
        };
    }
    // The portal's multipart form: its handler checks the `_csrf` part first.
    if crate::portal::checks_own_csrf(&req) {
        return next.run(req).await;
    }
    let is_form = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/x-www-form-urlencoded"));
    if !is_form {
        return mismatch();
    }
    let (parts, body) = req.into_parts();
    let bytes = match to_bytes(body, state.config().body_limit).await {
        Ok(b) => b,
        Err(_) => return ApiError::new(ErrorCode::PayloadTooLarge).into_response(),
    };
    let token = form_urlencoded_field(&bytes, FIELD);
    match token {
        Some(t) if same(&t, &caller.csrf) => {
            next.run(Request::from_parts(parts, Body::from(bytes)))
                .await
        }
        _ => mismatch(),
    }
}

fn form_urlencoded_field(body: &[u8], name: &str) -> Option<String> {
    serde_urlencoded::from_bytes::<Vec<(String, String)>>(body)
        .ok()?
        .into_iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Regression (issue 15, finding 8): any 43-byte cookie value was accepted as a
    /// pre-session token, so a caller could choose one and post it back.
    #[test]
    fn only_tokens_this_server_signed_pass() {
        let k = PresessionKey::default();
        let t = k.issue().unwrap();
        assert_eq!(t.len(), 55);
        assert!(k.verify(&t));
        assert_ne!(t, k.issue().unwrap());
        let other = PresessionKey::default().issue().unwrap();
        assert!(
            !k.verify(&other),
            "another server's (or a restarted one's) token"
        );
        let (n, tag) = t.split_once('.').unwrap();
        let mut flipped = tag.to_string().into_bytes();
        flipped[0] = if flipped[0] == b'A' { b'B' } else { b'A' };
        let flipped = format!("{n}.{}", String::from_utf8(flipped).unwrap());
        for bad in [
            "A".repeat(43),
            "x".repeat(55),
            flipped,
            format!("{n}."),
            format!(".{tag}"),
            format!("{n}.{tag}.{tag}"),
            format!("{n}.{}", &tag[..10]),
            String::new(),
            "短.短".into(),
        ] {
            assert!(!k.verify(&bad), "{bad}");
        }
    }
}
