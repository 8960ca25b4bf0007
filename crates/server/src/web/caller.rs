//! Who is calling: the `authenticate` middleware resolves a bearer token or a session
//! cookie into a [`Caller`] (with a policy [`Principal`]) before any handler runs.
//!
//! Roles are read from the directory on every request, so a removed membership takes
//! effect at once. A request with an `Authorization` header is judged by that header alone
//! (a bad token is a 401, never a fallback to the cookie).
//!
//! API tokens are for the API: outside `/api/` (the console's pages, attachments, the
//! portal) a bearer token is refused with 401, whatever its scopes. The console's pages
//! check who may read what, not which token scope a route needs; a token scoped to push
//! listings must not read case files and complainants' contacts through them.

use std::net::{IpAddr, Ipv4Addr, SocketAddr};

use axum::extract::{ConnectInfo, FromRequestParts, Request, State};
use axum::http::request::Parts;
use axum::http::{header, HeaderMap};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use chrono::Utc;

use crate::auth::token::{lookup_digest, TokenScope};
use crate::directory::{DirectoryError, OrgMembership};
use crate::error::{ApiError, ErrorCode};
use crate::i18n::Lang;
use crate::state::AppState;
use crate::web::cookies;
use wangjian_app::policy::{Member, Principal};

/// How the caller proved who they are.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Via {
    /// Not signed in.
    Anonymous,
    /// A browser session (the id, to end it at sign-out).
    Session {
        /// The session id from the cookie.
        id: String,
    },
    /// A bearer token with these scopes.
    Token {
        /// The token's id (to revoke it).
        id: uuid::Uuid,
        /// Its scopes.
        scopes: Vec<TokenScope>,
    },
}

/// The caller of one request.
#[derive(Debug, Clone)]
pub struct Caller {
    /// For the policy.
    pub principal: Principal,
    /// How authenticated.
    pub via: Via,
    /// Display name of the user.
    pub user_name: Option<String>,
    /// Name of the organization acted for.
    pub org_name: Option<String>,
    /// Console language.
    pub lang: Lang,
    /// The CSRF token this caller's forms carry.
    pub csrf: String,
    /// Client address.
    pub ip: IpAddr,
    /// Request id (also in the `x-request-id` response header and every log line).
    pub request_id: String,
    /// The request's path (the console marks the section it belongs to).
    pub path: String,
}

impl Caller {
    /// The caller as a use case sees it: who, under this request's id, now.
    pub fn call(&self) -> wangjian_app::Call {
        let request =
            uuid::Uuid::parse_str(&self.request_id).unwrap_or_else(|_| uuid::Uuid::now_v7());
        wangjian_app::Call {
            principal: self.principal.clone(),
            request: wangjian_domain::RequestId(request),
            now: Utc::now(),
        }
    }

    /// The member, or 401.
    pub fn member(&self) -> Result<&Member, ApiError> {
        match &self.principal {
            Principal::Member(m) => Ok(m),
            Principal::Public => Err(ApiError::new(ErrorCode::Unauthenticated)),
        }
    }

    /// Checks a token's scope (sessions hold every scope their roles allow).
    pub fn require_scope(&self, scope: TokenScope) -> Result<(), ApiError> {
        match &self.via {
            Via::Token { scopes, .. } if !scopes.contains(&scope) => {
                Err(ApiError::new(ErrorCode::InsufficientScope))
            }
            _ => Ok(()),
        }
    }
}

impl<S: Send + Sync> FromRequestParts<S> for Caller {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        parts
            .extensions
            .get::<Caller>()
            .cloned()
            .ok_or_else(|| ApiError::internal(&"authenticate middleware missing"))
    }
}

fn client_ip(state: &AppState, req: &Request) -> IpAddr {
    let peer = req
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map(|c| c.0.ip())
        .unwrap_or(IpAddr::V4(Ipv4Addr::UNSPECIFIED));
    let forwarded = req
        .headers()
        .get_all("x-forwarded-for")
        .iter()
        .filter_map(|v| v.to_str().ok());
    crate::web::client::client_ip(peer, forwarded, &state.config().trusted_proxies)
}

fn request_id(headers: &HeaderMap) -> String {
    headers
        .get("x-request-id")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("-")
        .to_string()
}

fn unavailable(e: DirectoryError) -> ApiError {
    tracing::error!(error = %e, "directory");
    ApiError::new(ErrorCode::Unavailable)
}

fn member_for(
    ms: Vec<OrgMembership>,
    user: wangjian_domain::UserId,
    org: wangjian_domain::OrgId,
) -> Option<(Member, String)> {
    ms.into_iter()
        .find(|m| m.org == org && !m.roles.is_empty())
        .map(|m| {
            (
                Member {
                    actor: wangjian_domain::Actor {
                        user,
                        org,
                        roles: m.roles,
                    },
                    org_kind: m.kind,
                    region: m.region,
                },
                m.org_name,
            )
        })
}

/// The middleware: resolves the caller and puts it into the request's extensions.
pub async fn authenticate(State(state): State<AppState>, mut req: Request, next: Next) -> Response {
    let ip = client_ip(&state, &req);
    // Owned: the request body is not Sync, so no borrow of the request may cross an await.
    let headers = req.headers().clone();
    // API clients get no pre-session cookie: they post with a bearer token, not a form.
    let path = req.uri().path().to_string();
    let api = path.starts_with("/api/");
    let rid = request_id(&headers);
    let lang = cookies::get(&headers, cookies::LANG)
        .map(Lang::from_tag)
        .unwrap_or_default();
    let secure = state.config().secure_cookies;
    let mut set_cookies = vec![];

    let resolved: Result<Caller, ApiError> = async {
        let base = |principal, via, csrf: String| Caller {
            principal,
            via,
            user_name: None,
            org_name: None,
            lang,
            csrf,
            ip,
            request_id: rid.clone(),
            path: path.clone(),
        };
        if let Some(auth) = headers.get(header::AUTHORIZATION) {
            if !api {
                return Err(ApiError::with_message(
                    ErrorCode::Unauthenticated,
                    "API tokens are accepted under /api/ only; sign in to use the console",
                ));
            }
            let presented = auth
                .to_str()
                .ok()
                .and_then(|v| v.strip_prefix("Bearer "))
                .map(str::trim)
                .ok_or_else(|| ApiError::new(ErrorCode::InvalidToken))?;
            let digest =
                lookup_digest(presented).ok_or_else(|| ApiError::new(ErrorCode::InvalidToken))?;
            let rec = state
                .directory()
                .token(&digest)
                .await
                .map_err(unavailable)?
                .filter(|t| t.usable(Utc::now()))
                .ok_or_else(|| ApiError::new(ErrorCode::InvalidToken))?;
            let (name, ms) = state
                .directory()
                .member_of(rec.user)
                .await
                .map_err(unavailable)?
                .ok_or_else(|| ApiError::new(ErrorCode::InvalidToken))?;
            let (member, org_name) = member_for(ms, rec.user, rec.org)
                .ok_or_else(|| ApiError::new(ErrorCode::InvalidToken))?;
            let mut c = base(
                Principal::Member(member),
                Via::Token {
                    id: rec.id,
                    scopes: rec.scopes,
                },
                String::new(),
            );
            c.user_name = Some(name);
            c.org_name = Some(org_name);
            return Ok(c);
        }
        if let Some(id) = cookies::get(&headers, cookies::session_name(secure)) {
            if let Some(s) = state.sessions().get(id, Utc::now()) {
                if let Some((name, ms)) = state
                    .directory()
                    .member_of(s.user)
                    .await
                    .map_err(unavailable)?
                {
                    if let Some((member, org_name)) = member_for(ms, s.user, s.org) {
                        let mut c = base(
                            Principal::Member(member),
                            Via::Session { id: id.to_string() },
                            s.csrf,
                        );
                        c.user_name = Some(name);
                        c.org_name = Some(org_name);
                        return Ok(c);
                    }
                }
                // The user or the membership is gone: end the session.
                state.sessions().remove(id);
            }
            set_cookies.push(cookies::set(
                cookies::session_name(secure),
                "",
                Some(0),
                secure,
            ));
        }
        // Only a token this server signed counts; any other value is as no cookie.
        let key = state.presession_key();
        let csrf = match cookies::get(&headers, cookies::csrf_name(secure)) {
            Some(v) if key.verify(v) => v.to_string(),
            _ if api => String::new(),
            _ => {
                let v = key.issue().map_err(|e| ApiError::internal(&e))?;
                set_cookies.push(cookies::set(cookies::csrf_name(secure), &v, None, secure));
                v
            }
        };
        Ok(base(Principal::Public, Via::Anonymous, csrf))
    }
    .await;

    let caller = match resolved {
        Ok(c) => c,
        Err(e) => return e.into_response(),
    };
    tracing::debug!(request_id = %caller.request_id, user = ?caller.user_name, "caller");
    req.extensions_mut().insert(caller);
    let mut resp = next.run(req).await;
    for c in set_cookies {
        resp.headers_mut().append(header::SET_COOKIE, c);
    }
    resp
}
