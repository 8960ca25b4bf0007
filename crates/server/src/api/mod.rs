//! The JSON API under `/api/v1`, and its OpenAPI 3 document generated from the code
//! (utoipa): every handler carries its `#[utoipa::path]`, so the document cannot drift
//! from the routes.

use axum::response::IntoResponse;
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::Serialize;
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi, ToSchema};
use wangjian_domain::org::Role;

pub mod assist;
pub mod cases;
pub mod complaints;
pub mod credit;
pub mod evidence;
pub mod leads;
pub mod listings;
pub mod networks;
pub mod notices;
pub mod reports;
pub mod seized;
pub mod tokens;
pub mod workflow;

use crate::auth::token::TokenScope;
use crate::error::{ApiError, ErrorBody};
use crate::state::AppState;
use crate::web::caller::{Caller, Via};
use wangjian_app::policy::Principal;

/// The API's routes (mounted under `/api/v1`).
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/health", get(health))
        .route("/me", get(me))
        .route("/openapi.json", get(openapi_json))
        .route("/cases", get(cases::list_cases))
        .route("/cases/{id}", get(cases::get_case))
        .route("/cases/{id}/transitions", post(cases::transition_case))
        .route("/leads", get(leads::list_leads))
        .route("/leads/actions", post(leads::lead_actions))
        .route("/leads/{id}", get(leads::get_lead))
        .route(
            "/listings",
            post(listings::ingest)
                .layer(axum::extract::DefaultBodyLimit::max(listings::BODY_LIMIT))
                .layer(axum::middleware::from_fn(authorize_push)),
        )
        .route("/tokens/{id}", axum::routing::delete(tokens::revoke_token))
        .route(
            "/tokens",
            post(tokens::create_token).get(tokens::list_tokens),
        )
        .route(
            "/tokens/current",
            axum::routing::delete(tokens::revoke_current_token),
        )
        .route("/errors", get(errors))
        .merge(complaints::routes())
        .merge(workflow::routes())
        .merge(assist::routes())
        .merge(seized::routes())
        .merge(evidence::routes())
        .merge(reports::routes())
        .merge(notices::routes())
        .merge(credit::routes())
        .merge(networks::routes())
}

/// The listing push takes up to 64 MiB: its token scope and the policy are checked here,
/// before the JSON extractor reads a byte, so only a platform's operators with an
/// `ingest` token make the server read (and parse) such a body.
async fn authorize_push(
    caller: Caller,
    req: axum::extract::Request,
    next: axum::middleware::Next,
) -> axum::response::Response {
    // The handler's own checks, in its order (it keeps them: this layer only moves them
    // before the body).
    let allowed = caller
        .require_scope(TokenScope::Ingest)
        .and_then(|()| {
            wangjian_app::policy::may_push_listings(&caller.principal)
                .into_result()
                .map_err(ApiError::from)
        })
        .and_then(|()| caller.member().map(|_| ()));
    match allowed {
        Ok(()) => next.run(req).await,
        Err(e) => e.into_response(),
    }
}

/// One entry of the error catalog.
#[derive(Debug, Serialize, ToSchema)]
pub struct CatalogEntry {
    /// The stable code.
    pub code: &'static str,
    /// The HTTP status it comes with.
    pub status: u16,
    /// What it means and what to do.
    pub meaning: &'static str,
}

/// The error catalog: every code the API answers with.
#[utoipa::path(get, path = "/errors", tag = "system",
    responses((status = 200, description = "The catalog", body = Vec<CatalogEntry>)))]
async fn errors() -> Json<Vec<CatalogEntry>> {
    Json(
        crate::error::ErrorCode::ALL
            .iter()
            .map(|c| CatalogEntry {
                code: c.as_str(),
                status: c.status().as_u16(),
                meaning: c.meaning(),
            })
            .collect(),
    )
}

/// The OpenAPI document.
#[derive(OpenApi)]
#[openapi(
    info(
        title = "wangjian API",
        description = "网剑: governing online IP infringement and counterfeit goods. Errors are \
            `{\"error\":{\"code\",\"message\",\"field\"}}` with a stable code; unknown ids and \
            ids you may not see both answer 404 `not_found`.",
        license(name = "MIT OR Apache-2.0")
    ),
    servers((url = "/api/v1")),
    paths(health, errors, me, tokens::create_token, tokens::revoke_current_token,
        tokens::list_tokens, tokens::revoke_token,
        cases::list_cases, cases::get_case, cases::transition_case,
        leads::list_leads, leads::get_lead, leads::lead_actions, listings::ingest),
    components(schemas(ErrorBody, crate::error::ErrorDetail, Health, Me, TokenScope,
        CatalogEntry, tokens::NewTokenRequest, tokens::NewTokenResponse,
        cases::CasePage, cases::CaseDetail, cases::TransitionRequest,
        tokens::TokenInfo, leads::LeadItem, leads::LeadPage, leads::LeadView, leads::LeadAction,
        leads::ActionReport, leads::LeadOutcome, listings::IngestRequest, listings::IngestReport,
        listings::IngestLead, listings::Rejection)),
    modifiers(&BearerAuth),
    tags((name = "system", description = "Health and the document itself"),
         (name = "accounts", description = "Who am I; API tokens"),
         (name = "cases", description = "Cases and their transitions"),
         (name = "leads", description = "Leads: the queue, one lead with its verdict, bulk actions"),
         (name = "listings", description = "Listings pushed by platforms, scanned on arrival"))
)]
pub struct ApiDoc;

struct BearerAuth;

impl Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .description(Some("An API token `wjt_…` made in the console"))
                    .build(),
            ),
        );
    }
}

/// The document as JSON text.
pub fn openapi_document() -> String {
    let mut doc = ApiDoc::openapi();
    // Route modules that describe their own paths.
    doc.merge(complaints::ComplaintsDoc::openapi());
    doc.merge(workflow::WorkflowDoc::openapi());
    doc.merge(assist::AssistDoc::openapi());
    doc.merge(seized::SeizedDoc::openapi());
    doc.merge(evidence::EvidenceDoc::openapi());
    doc.merge(notices::NoticesDoc::openapi());
    doc.merge(reports::ReportsDoc::openapi());
    doc.merge(credit::CreditDoc::openapi());
    doc.merge(networks::NetworksDoc::openapi());
    doc.to_pretty_json().unwrap_or_else(|_| "{}".to_string())
}

async fn openapi_json() -> impl IntoResponse {
    (
        [(axum::http::header::CONTENT_TYPE, "application/json")],
        openapi_document(),
    )
}

/// Liveness.
#[derive(Debug, Serialize, ToSchema)]
pub struct Health {
    /// `ok`.
    pub status: &'static str,
    /// The server's version.
    pub version: &'static str,
}

/// Is the server up?
#[utoipa::path(get, path = "/health", tag = "system",
    responses((status = 200, description = "Up", body = Health)))]
async fn health() -> Json<Health> {
    Json(Health {
        status: "ok",
        version: env!("CARGO_PKG_VERSION"),
    })
}

/// The caller: user, organization and roles.
#[derive(Debug, Serialize, ToSchema)]
pub struct Me {
    /// User id.
    pub user: uuid::Uuid,
    /// Display name.
    pub name: String,
    /// Organization acted for.
    pub org: uuid::Uuid,
    /// Its name.
    pub org_name: String,
    /// Its kind (`agency`, `coordination_office`, `platform`, `rights_holder`).
    pub org_kind: String,
    /// Its region code (GB/T 2260).
    pub region: String,
    /// Roles held there (`officer`, `supervisor`, `admin`, `platform_operator`,
    /// `rights_holder_agent`).
    pub roles: Vec<String>,
    /// `session` or `token`.
    pub via: &'static str,
    /// The token's scopes, when called with a token.
    pub scopes: Option<Vec<TokenScope>>,
}

fn role_name(r: Role) -> String {
    serde_json::to_value(r)
        .ok()
        .and_then(|v| v.as_str().map(str::to_string))
        .unwrap_or_default()
}

/// Who am I?
#[utoipa::path(get, path = "/me", tag = "accounts",
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The caller", body = Me),
        (status = 401, description = "`unauthenticated` or `invalid_token`", body = ErrorBody)))]
async fn me(caller: Caller) -> Result<Json<Me>, ApiError> {
    caller.require_scope(TokenScope::Read)?;
    let m = caller.member()?;
    let kind = serde_json::to_value(&m.org_kind)
        .ok()
        .and_then(|v| v.get("kind").and_then(|k| k.as_str()).map(str::to_string))
        .unwrap_or_default();
    let (via, scopes) = match &caller.via {
        Via::Token { scopes, .. } => ("token", Some(scopes.clone())),
        _ => ("session", None),
    };
    debug_assert!(matches!(caller.principal, Principal::Member(_)));
    Ok(Json(Me {
        user: m.actor.user.uuid(),
        name: caller.user_name.clone().unwrap_or_default(),
        org: m.actor.org.uuid(),
        org_name: caller.org_name.clone().unwrap_or_default(),
        org_kind: kind,
        region: m.region.to_string(),
        roles: m.actor.roles.iter().map(|r| role_name(*r)).collect(),
        via,
        scopes,
    }))
}
