//! Credit, the serious-violation list, screening and disclosure (issue 17), over
//! `wangjian_app::workflow::credit`:
//!
//! - `POST /screen`: candidates as JSON Lines or a JSON array (`id`, `name`, `aliases`,
//!   `former_names`, `uscc`, `citizen_id`, `phone`, `shop_id`, `domain`; any subset), at
//!   most [`MAX_CANDIDATES`]; the answer is JSON Lines, one line per candidate in input
//!   order: `candidate_id` and `matches` [{`id`, `score`, `decision`, `relation`,
//!   `related_as`, `matched_on`}], best first. A line that is not a candidate answers
//!   `{"line": N, "error": "…"}` in its place; the rest are screened. Platforms'
//!   operators and agencies' workers, token scope `read`; each call is recorded (who,
//!   how many), the candidates are not kept.
//! - `GET /subjects?q=`, `GET /subjects/{id}/credit`: find a subject, read its credit
//!   file (records, class with reasons, list history).
//! - `POST /subjects/{id}/credit-records`: add a record (self-inspection, brushing
//!   finding); `POST /subjects/{id}/blacklist`: a listing decision;
//!   `POST /blacklist/{id}/repair`: credit repair.
//! - `POST /cases/{id}/party`: name a case's party (当事人).
//! - `POST /disclosures/{id}/publish`: approve a decision's publication;
//!   `GET /disclosures/board`: late and due disclosures.

use axum::extract::{Path, Query, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use wangjian_app::workflow::credit::{BoardRow, CreditFileView};
use wangjian_domain::credit::{
    BlacklistEntry, CaseParty, CreditRecord, Disclosure, ListingDecision, NewRecord,
    RepairApplication,
};
use wangjian_domain::{CaseId, SubjectId};
use wangjian_screen::{Options, Record};

use crate::api::cases::path_id;
use crate::auth::token::TokenScope;
use crate::error::{ApiError, ErrorBody};
use crate::state::AppState;
use crate::web::caller::Caller;

/// Most candidates in one screening call.
pub const MAX_CANDIDATES: usize = 10_000;
/// Largest screening body.
pub const SCREEN_BODY_LIMIT: usize = 8 * 1024 * 1024;

/// The routes (mounted under `/api/v1`).
pub fn routes() -> axum::Router<AppState> {
    use axum::routing::{get, post};
    axum::Router::new()
        .route(
            "/screen",
            post(screen).layer(axum::extract::DefaultBodyLimit::max(SCREEN_BODY_LIMIT)),
        )
        .route("/subjects", get(find_subjects))
        .route("/subjects/{id}/credit", get(credit_file))
        .route("/subjects/{id}/credit-records", post(add_record))
        .route("/subjects/{id}/blacklist", post(enter_blacklist))
        .route("/blacklist/{id}/repair", post(repair))
        .route("/cases/{id}/party", post(name_party))
        .route("/disclosures/{id}/publish", post(publish))
        .route("/disclosures/board", get(board))
}

/// The OpenAPI part of these routes.
#[derive(utoipa::OpenApi)]
#[openapi(
    paths(screen, find_subjects, credit_file, add_record, enter_blacklist, repair, name_party,
        publish, board),
    components(schemas(PartyRequest, PublishRequest, RepairRequest, SubjectQuery)),
    tags((name = "credit", description = "Credit files, the serious-violation list, screening (联合惩戒) and disclosure (公示)"))
)]
pub struct CreditDoc;

/// One line of the screening body: a candidate, or the error that line had.
pub enum Candidate {
    /// A candidate.
    Ok(Record),
    /// The 1-based line (or array element) and what was wrong.
    Bad(usize, String),
}

/// Reads a screening body: a JSON array of candidates, or JSON Lines (blank lines
/// skipped). Each bad element or line is reported with its number; the rest are read.
pub fn read_candidates(body: &str) -> Result<Vec<Candidate>, ApiError> {
    let trimmed = body.trim_start();
    let mut out = Vec::new();
    if trimmed.starts_with('[') {
        let items: Vec<serde_json::Value> = serde_json::from_str(trimmed)
            .map_err(|e| ApiError::invalid("body", format!("not a JSON array: {e}")))?;
        for (i, v) in items.into_iter().enumerate() {
            out.push(match serde_json::from_value::<Record>(v) {
                Ok(r) => Candidate::Ok(r),
                Err(e) => Candidate::Bad(i + 1, format!("element {}: {e}", i + 1)),
            });
        }
    } else {
        for (i, line) in body.lines().enumerate() {
            if line.trim().is_empty() {
                continue;
            }
            out.push(match serde_json::from_str::<Record>(line) {
                Ok(r) => Candidate::Ok(r),
                Err(e) => Candidate::Bad(i + 1, format!("line {}: {e}", i + 1)),
            });
        }
    }
    if out.len() > MAX_CANDIDATES {
        return Err(ApiError::invalid(
            "body",
            format!(
                "{} candidates; at most {MAX_CANDIDATES} per call",
                out.len()
            ),
        ));
    }
    Ok(out)
}

/// Screens candidates against the serious-violation list as it stands today.
#[utoipa::path(post, path = "/screen", tag = "credit",
    request_body(content = String, description = "JSON Lines or a JSON array of candidates", content_type = "application/x-ndjson"),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "JSON Lines: one `{candidate_id, matches}` per candidate, in order", body = String, content_type = "application/x-ndjson"),
        (status = 400, description = "`invalid_input`: not JSON Lines or an array, or too many", body = ErrorBody),
        (status = 403, description = "`forbidden`: not a platform or an agency", body = ErrorBody)))]
pub async fn screen(
    State(state): State<AppState>,
    caller: Caller,
    body: String,
) -> Result<Response, ApiError> {
    caller.require_scope(TokenScope::Read)?;
    caller.member()?;
    wangjian_app::policy::may_screen(&caller.principal)
        .into_result()
        .map_err(ApiError::from)?;
    let lines = read_candidates(&body)?;
    let mut records = Vec::new();
    let mut slots: Vec<Result<usize, (usize, String)>> = Vec::with_capacity(lines.len());
    for c in lines {
        match c {
            Candidate::Ok(r) => {
                slots.push(Ok(records.len()));
                records.push(r);
            }
            Candidate::Bad(n, e) => slots.push(Err((n, e))),
        }
    }
    let answers = state
        .app()?
        .screen(&caller.call(), records, Options::default())
        .await?;
    let mut out = String::new();
    for s in slots {
        let line = match s {
            Ok(i) => answers
                .get(i)
                .map(serde_json::to_string)
                .transpose()
                .map_err(|e| ApiError::internal(&e))?
                .unwrap_or_default(),
            Err((n, e)) => serde_json::json!({"line": n, "error": e}).to_string(),
        };
        out.push_str(&line);
        out.push('\n');
    }
    Ok(([(header::CONTENT_TYPE, "application/x-ndjson")], out).into_response())
}

/// Query of the subject search.
#[derive(Debug, Deserialize, ToSchema, utoipa::IntoParams)]
pub struct SubjectQuery {
    /// Part of the name, or a credit code.
    pub q: String,
}

/// Subjects by name or credit code (agencies and coordination offices).
#[utoipa::path(get, path = "/subjects", tag = "credit", params(SubjectQuery),
    security(("bearer" = [])),
    responses((status = 200, description = "Subjects (domain `Subject`)", body = Vec<Object>)))]
pub async fn find_subjects(
    State(state): State<AppState>,
    caller: Caller,
    Query(q): Query<SubjectQuery>,
) -> Result<Json<Vec<wangjian_domain::subject::Subject>>, ApiError> {
    caller.require_scope(TokenScope::Read)?;
    caller.member()?;
    Ok(Json(
        state.app()?.find_subjects(&caller.call(), &q.q).await?,
    ))
}

/// A subject's credit file.
#[utoipa::path(get, path = "/subjects/{id}/credit", tag = "credit",
    params(("id" = String, Path, description = "Subject id")),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "Records, the class today with its reasons, the list history", body = Object),
        (status = 404, description = "`not_found`: unknown, or not yours to see", body = ErrorBody)))]
pub async fn credit_file(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<Json<CreditFileView>, ApiError> {
    caller.require_scope(TokenScope::Read)?;
    caller.member()?;
    let id = SubjectId(path_id(&id)?);
    Ok(Json(state.app()?.credit_file(&caller.call(), id).await?))
}

fn json_body<T: serde::de::DeserializeOwned>(body: &str) -> Result<T, ApiError> {
    serde_json::from_str(body).map_err(|e| {
        let msg = e.to_string();
        // serde names the missing or wrong field in its message: "missing field `x`".
        let field = msg
            .split('`')
            .nth(1)
            .filter(|_| msg.contains("field"))
            .unwrap_or("body")
            .to_string();
        ApiError::invalid(&field, msg)
    })
}

/// Adds a record to a subject's credit file: `kind` (`self_inspection`,
/// `brushing_finding`), `source`, `on`, `legal_basis`, `reference`, `summary`, `fine_fen`.
#[utoipa::path(post, path = "/subjects/{id}/credit-records", tag = "credit",
    params(("id" = String, Path, description = "Subject id")),
    request_body(content = Object, description = "domain `NewRecord`"),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The record (domain `CreditRecord`)", body = Object),
        (status = 400, description = "`invalid_input` naming the field", body = ErrorBody),
        (status = 403, description = "`forbidden`", body = ErrorBody)))]
pub async fn add_record(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    body: String,
) -> Result<Json<CreditRecord>, ApiError> {
    caller.require_scope(TokenScope::Write)?;
    caller.member()?;
    let id = SubjectId(path_id(&id)?);
    let new: NewRecord = json_body(&body)?;
    Ok(Json(
        state
            .app()?
            .add_credit_record(&caller.call(), id, &new)
            .await?,
    ))
}

/// Enters a subject on the serious-violation list: `legal_basis`, `decision_number`,
/// `start`, `months`, and `longer_basis` for a term over the regulation's three years.
#[utoipa::path(post, path = "/subjects/{id}/blacklist", tag = "credit",
    params(("id" = String, Path, description = "Subject id")),
    request_body(content = Object, description = "domain `ListingDecision`"),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The entry (domain `BlacklistEntry`)", body = Object),
        (status = 400, description = "`invalid_input` naming the field", body = ErrorBody),
        (status = 403, description = "`forbidden`: not a supervisor of an agency", body = ErrorBody),
        (status = 422, description = "`rule_violation`: listed already", body = ErrorBody)))]
pub async fn enter_blacklist(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    body: String,
) -> Result<Json<BlacklistEntry>, ApiError> {
    caller.require_scope(TokenScope::Write)?;
    caller.member()?;
    let id = SubjectId(path_id(&id)?);
    let d: ListingDecision = json_body(&body)?;
    Ok(Json(
        state.app()?.enter_blacklist(&caller.call(), id, &d).await?,
    ))
}

/// A credit-repair approval.
#[derive(Debug, Deserialize, ToSchema)]
pub struct RepairRequest {
    /// The entry's version the caller saw.
    pub version: Option<i64>,
    /// Day the party applied.
    #[schema(value_type = String, format = Date)]
    pub applied_on: chrono::NaiveDate,
    /// How condition (一) was established.
    pub obligations_fulfilled: String,
    /// How condition (二) was established.
    pub harm_removed: String,
}

/// Grants credit repair: the entry leaves the list today.
#[utoipa::path(post, path = "/blacklist/{id}/repair", tag = "credit",
    params(("id" = String, Path, description = "Entry id")),
    request_body = RepairRequest,
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The entry (domain `BlacklistEntry`)", body = Object),
        (status = 400, description = "`invalid_input` naming the field", body = ErrorBody),
        (status = 403, description = "`forbidden`: not the listing agency's supervisor", body = ErrorBody),
        (status = 422, description = "`rule_violation`: before one year, or a heavier penalty since", body = ErrorBody)))]
pub async fn repair(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    body: String,
) -> Result<Json<BlacklistEntry>, ApiError> {
    caller.require_scope(TokenScope::Write)?;
    caller.member()?;
    let id = path_id(&id)?;
    let r: RepairRequest = json_body(&body)?;
    let app = RepairApplication {
        applied_on: r.applied_on,
        obligations_fulfilled: r.obligations_fulfilled,
        harm_removed: r.harm_removed,
    };
    Ok(Json(
        state
            .app()?
            .repair_blacklist(&caller.call(), id, r.version, &app)
            .await?,
    ))
}

/// Names a case's party.
#[derive(Debug, Deserialize, ToSchema)]
pub struct PartyRequest {
    /// The subject id.
    pub subject: uuid::Uuid,
}

/// Names the party (当事人) of a case: its penalty decision enters this subject's credit
/// file.
#[utoipa::path(post, path = "/cases/{id}/party", tag = "credit",
    params(("id" = String, Path, description = "Case id")),
    request_body = PartyRequest,
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The party (domain `CaseParty`)", body = Object),
        (status = 404, description = "`not_found`", body = ErrorBody)))]
pub async fn name_party(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    body: String,
) -> Result<Json<CaseParty>, ApiError> {
    caller.require_scope(TokenScope::Write)?;
    caller.member()?;
    let case = CaseId(path_id(&id)?);
    let r: PartyRequest = json_body(&body)?;
    Ok(Json(
        state
            .app()?
            .name_case_party(&caller.call(), case, SubjectId(r.subject))
            .await?,
    ))
}

/// A publication approval.
#[derive(Debug, Default, Deserialize, ToSchema)]
pub struct PublishRequest {
    /// The disclosure's version the caller saw.
    pub version: Option<i64>,
    /// Also show it among the typical cases (典型案例).
    #[serde(default)]
    pub typical: bool,
}

/// Approves the publication of a penalty decision on the public portal.
#[utoipa::path(post, path = "/disclosures/{id}/publish", tag = "credit",
    params(("id" = String, Path, description = "Disclosure id")),
    request_body = PublishRequest,
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The disclosure (domain `Disclosure`)", body = Object),
        (status = 403, description = "`forbidden`: not the deciding agency's supervisor", body = ErrorBody),
        (status = 404, description = "`not_found`", body = ErrorBody)))]
pub async fn publish(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    body: String,
) -> Result<Json<Disclosure>, ApiError> {
    caller.require_scope(TokenScope::Write)?;
    caller.member()?;
    let id = path_id(&id)?;
    let r: PublishRequest = if body.trim().is_empty() {
        PublishRequest::default()
    } else {
        json_body(&body)?
    };
    Ok(Json(
        state
            .app()?
            .publish_decision(&caller.call(), id, r.version, r.typical)
            .await?,
    ))
}

/// The board of disclosures: late and due within three working days (a coordination
/// office's region), or an agency's pending ones.
#[derive(Debug, Serialize)]
struct Board {
    items: Vec<BoardRow>,
}

/// The disclosure board.
#[utoipa::path(get, path = "/disclosures/board", tag = "credit",
    security(("bearer" = [])),
    responses(
        (status = 200, description = "`{items: [Disclosure + late]}`", body = Object),
        (status = 404, description = "`not_found`: no board for the caller", body = ErrorBody)))]
pub async fn board(State(state): State<AppState>, caller: Caller) -> Result<Response, ApiError> {
    caller.require_scope(TokenScope::Read)?;
    caller.member()?;
    let items = state.app()?.disclosure_board(&caller.call()).await?;
    Ok(Json(Board { items }).into_response())
}
