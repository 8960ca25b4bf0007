//! Evidence (证据) over HTTP: upload a snapshot to a case, list and download a case's
//! evidence, download its evidence package, and the evidence log's public face (the
//! latest signed tree head and the public keys).
//!
//! - `POST /cases/{id}/evidence` (`multipart/form-data`): `file` (at most [`MAX_FILE`]),
//!   `source` (the URL of the page; default the file name, cut to its last path
//!   component), `listing` (the id of a listing the uploader can see; else 400 naming
//!   `listing`), `media_type` (default the part's content type).
//!   The bytes become a blob and an `evidence_captured` entry of the evidence log in one
//!   transaction ([`wangjian_store::Store::capture`]: the hash is computed by the server).
//!   A change to the case: the case's write rule, checked before the body is read.
//! - `GET /cases/{id}/evidence`, `GET /cases/{id}/evidence/{sha256}`: read with the case;
//!   a blob is served only through a case whose log entries name it, always as a download
//!   (`Content-Disposition: attachment`, `nosniff`, a sandboxing CSP), and active types
//!   (HTML, SVG, XML, scripts) as `application/octet-stream`.
//! - `GET /cases/{id}/evidence-package`: the case's package, the same file `wangjian
//!   evidence export` writes (FORMAT.md §5 of `wangjian-ledger`), signed with the server's
//!   log key at the log's current size; `wangjian verify` checks it offline.
//! - `GET /log/checkpoint`, `GET /log/keys`: public, so anyone can pin the log. The GET
//!   serves the newest **stored** head and never signs or writes: heads are signed by the
//!   server's signer every minute when the log has grown (`web::serve`), by `POST
//!   /log/checkpoint` (agencies' and coordination offices' workers, write scope), by the
//!   evidence-package route and by `wangjian log checkpoint`.
//!
//! Signing needs the log's private key ([`crate::ServerConfig::log_key`]); without one,
//! the routes that sign answer 503 `unavailable` saying so.

use axum::extract::multipart::MultipartRejection;
use axum::extract::{DefaultBodyLimit, Multipart, Path, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use chrono::{DateTime, Utc};
use serde::Serialize;
use utoipa::ToSchema;
use uuid::Uuid;
use wangjian_domain::complaint::sanitize_file_name;
use wangjian_domain::CaseFile;
use wangjian_ledger::package::CaseRef;
use wangjian_ledger::{EvidenceCaptured, LogKey};
use wangjian_store::{load_or_create_key, StoredKey};

use super::cases::path_id;
use crate::auth::token::TokenScope;
use crate::error::{ApiError, ErrorBody, ErrorCode};
use crate::state::AppState;
use crate::web::caller::Caller;
use wangjian_app::policy::{may_read_log_head, may_sign_log_head};
use wangjian_app::workflow::evidence::NewEvidence;
use wangjian_domain::{CaseId, ListingId};

/// Largest evidence file, in bytes.
pub const MAX_FILE: usize = 20 * 1024 * 1024;

/// The routes (mounted under `/api/v1`).
pub fn routes() -> axum::Router<AppState> {
    use axum::routing::get;
    axum::Router::new()
        .route(
            "/cases/{id}/evidence",
            get(list_evidence)
                .post(upload_evidence)
                .layer(DefaultBodyLimit::max(MAX_FILE + 64 * 1024)),
        )
        .route("/cases/{id}/evidence/{sha256}", get(download_evidence))
        .route("/cases/{id}/evidence-package", get(evidence_package))
        .route("/log/checkpoint", get(checkpoint).post(sign_checkpoint))
        .route("/log/keys", get(log_keys))
}

/// The OpenAPI part of these routes.
#[derive(utoipa::OpenApi)]
#[openapi(
    paths(upload_evidence, list_evidence, download_evidence, evidence_package, checkpoint,
        sign_checkpoint, log_keys),
    components(schemas(EvidenceItem, LogKeyItem)),
    tags((name = "evidence", description = "Evidence (证据) of a case, its package, and the evidence log's signed tree heads and keys"))
)]
pub struct EvidenceDoc;

/// One piece of captured evidence: its entry in the evidence log.
#[derive(Debug, Serialize, ToSchema)]
pub struct EvidenceItem {
    /// The entry's leaf index in the evidence log (prove it with `wangjian log prove`).
    pub leaf_index: u64,
    /// SHA-256 of the bytes, hex (the download's name).
    pub sha256: String,
    /// Size in bytes.
    pub size: u64,
    /// Media type as recorded.
    pub media_type: String,
    /// The URL of the page, or the file name.
    pub source: String,
    /// The listing it is a snapshot of.
    pub listing: Option<Uuid>,
    /// When it was captured.
    pub captured_at: DateTime<Utc>,
    /// Who captured it (user id).
    pub captured_by: Uuid,
    /// For which organization.
    pub org: Uuid,
    /// True when the same bytes were already captured for this case: nothing new was
    /// appended, this is the earlier entry (uploads only).
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub already_captured: bool,
}

fn hex(h: &[u8; 32]) -> String {
    h.iter().map(|b| format!("{b:02x}")).collect()
}

impl EvidenceItem {
    fn of(leaf_index: u64, e: &EvidenceCaptured) -> Self {
        Self {
            leaf_index,
            sha256: hex(&e.blob),
            size: e.size,
            media_type: e.media_type.clone(),
            source: e.source.clone(),
            listing: e.listing,
            captured_at: e.at,
            captured_by: e.captured_by,
            org: e.org,
            already_captured: false,
        }
    }
}

/// A 413 naming `file`.
fn too_large() -> ApiError {
    ApiError {
        field: Some("file".to_string()),
        ..ApiError::with_message(
            ErrorCode::PayloadTooLarge,
            format!("the file is larger than {} MiB", MAX_FILE / 1024 / 1024),
        )
    }
}

fn multipart_error(e: axum::extract::multipart::MultipartError) -> ApiError {
    if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
        too_large()
    } else {
        ApiError::with_message(ErrorCode::InvalidInput, e.body_text())
    }
}

/// What an upload carried.
#[derive(Default)]
struct Upload {
    bytes: Option<Vec<u8>>,
    file_name: String,
    part_type: Option<String>,
    source: Option<String>,
    listing: Option<Uuid>,
    media_type: Option<String>,
}

/// Reads the multipart body: the file (at most [`MAX_FILE`]) and the small fields.
async fn read_upload(mut mp: Multipart) -> Result<Upload, ApiError> {
    let mut up = Upload::default();
    while let Some(mut field) = mp.next_field().await.map_err(multipart_error)? {
        let name = field.name().unwrap_or_default().to_string();
        if name == "file" {
            if up.bytes.is_some() {
                return Err(ApiError::invalid("file", "one file per upload"));
            }
            up.file_name = field.file_name().unwrap_or_default().to_string();
            up.part_type = field.content_type().map(str::to_string);
            let mut bytes = Vec::new();
            while let Some(chunk) = field.chunk().await.map_err(multipart_error)? {
                if bytes.len() + chunk.len() > MAX_FILE {
                    return Err(too_large());
                }
                bytes.extend_from_slice(&chunk);
            }
            up.bytes = Some(bytes);
            continue;
        }
        let value = field.text().await.map_err(multipart_error)?;
        if value.len() > 2048 {
            return Err(ApiError::invalid(&name, "at most 2048 bytes"));
        }
        let value = value.trim().to_string();
        match name.as_str() {
            "source" if !value.is_empty() => {
                if value.chars().any(char::is_control) {
                    return Err(ApiError::invalid("source", "control characters"));
                }
                up.source = Some(value);
            }
            "listing" if !value.is_empty() => {
                up.listing = Some(
                    Uuid::parse_str(&value)
                        .map_err(|_| ApiError::invalid("listing", "not a listing id"))?,
                );
            }
            "media_type" if !value.is_empty() => up.media_type = Some(value),
            _ => {}
        }
    }
    Ok(up)
}

/// Adds a file to a case's evidence, as a worker who may change the case.
#[utoipa::path(post, path = "/cases/{id}/evidence", tag = "evidence",
    params(("id" = String, Path, description = "Case id")),
    request_body(content_type = "multipart/form-data", description = "`file` (required, at most 20 MiB), `source` (URL of the page), `listing` (listing id), `media_type` (default: the part's content type)"),
    security(("bearer" = [])),
    responses(
        (status = 201, description = "Captured: the new log entry", body = EvidenceItem),
        (status = 200, description = "The same bytes were already captured for this case: the earlier entry", body = EvidenceItem),
        (status = 400, description = "`invalid_input` naming `file`, `listing` (not a listing id, or none you can see), `media_type` or `source`", body = ErrorBody),
        (status = 403, description = "`forbidden`: you read the case but do not work it", body = ErrorBody),
        (status = 404, description = "`not_found`", body = ErrorBody),
        (status = 413, description = "`payload_too_large` naming `file`", body = ErrorBody),
        (status = 415, description = "`unsupported_media_type`: not multipart/form-data", body = ErrorBody)))]
pub async fn upload_evidence(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    body: Result<Multipart, MultipartRejection>,
) -> Result<(StatusCode, Json<EvidenceItem>), ApiError> {
    caller.require_scope(TokenScope::Write)?;
    caller.member()?;
    let case = CaseId(path_id(&id)?);
    let app = state.app()?;
    // The case's write rule before the body is read.
    app.writable_case(&caller.call(), case).await?;
    let mp =
        body.map_err(|e| ApiError::with_message(ErrorCode::UnsupportedMediaType, e.body_text()))?;
    let up = read_upload(mp).await?;
    let Some(bytes) = up.bytes else {
        return Err(ApiError::invalid(
            "file",
            "a file is required (part `file`)",
        ));
    };
    let media_type = match up.media_type {
        Some(t) => t,
        None => up
            .part_type
            .unwrap_or_else(|| "application/octet-stream".to_string()),
    };
    let source = up
        .source
        .unwrap_or_else(|| sanitize_file_name(&up.file_name));
    let c = app
        .capture_evidence(
            &caller.call(),
            case,
            NewEvidence {
                bytes,
                media_type,
                source,
                listing: up.listing.map(ListingId),
            },
        )
        .await?;
    let (i, e) = app
        .store()
        .case_evidence(case.0)
        .await?
        .into_iter()
        .find(|(i, _)| *i == c.leaf_index)
        .ok_or_else(|| ApiError::internal(&"the captured entry is not in the case's evidence"))?;
    let mut item = EvidenceItem::of(i, &e);
    item.already_captured = c.already_captured;
    let status = if c.already_captured {
        StatusCode::OK
    } else {
        StatusCode::CREATED
    };
    Ok((status, Json(item)))
}

/// A case's evidence the caller may read, after the case's read rule.
async fn readable_evidence(
    state: &AppState,
    caller: &Caller,
    id: &str,
) -> Result<(CaseFile, Vec<(u64, EvidenceCaptured)>), ApiError> {
    caller.require_scope(TokenScope::Read)?;
    caller.member()?;
    let (file, _) = state
        .app()?
        .visible_case(&caller.call(), CaseId(path_id(id)?))
        .await?;
    let ev = state.store()?.case_evidence(file.case.id.0).await?;
    Ok((file, ev))
}

/// The evidence captured for a case, in log order.
#[utoipa::path(get, path = "/cases/{id}/evidence", tag = "evidence",
    params(("id" = String, Path, description = "Case id")),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "Its evidence entries", body = Vec<EvidenceItem>),
        (status = 404, description = "`not_found`: unknown, or not yours to see", body = ErrorBody)))]
pub async fn list_evidence(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<Json<Vec<EvidenceItem>>, ApiError> {
    let (_, ev) = readable_evidence(&state, &caller, &id).await?;
    Ok(Json(
        ev.iter().map(|(i, e)| EvidenceItem::of(*i, e)).collect(),
    ))
}

/// Media types a browser would run or render as a page: never served as themselves.
fn active(media_type: &str) -> bool {
    let essence = media_type
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase();
    essence.contains("html")
        || essence.contains("xml")
        || essence.contains("svg")
        || essence.contains("javascript")
        || essence.contains("ecmascript")
        || essence == "multipart/related"
}

/// Percent-encodes for `filename*=UTF-8''…` (RFC 5987 attr-char kept).
fn rfc5987(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || b"!#$&+-.^_`|~".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// A download: `Content-Disposition: attachment`, `nosniff`, a CSP that sandboxes
/// anything a browser might still render.
fn download(bytes: Vec<u8>, media_type: &str, fallback: &str, name: &str) -> Response {
    let mut resp = bytes.into_response();
    let h = resp.headers_mut();
    let ct = HeaderValue::from_str(media_type)
        .ok()
        .filter(|_| !active(media_type))
        .unwrap_or_else(|| HeaderValue::from_static("application/octet-stream"));
    h.insert(header::CONTENT_TYPE, ct);
    let disposition = format!(
        "attachment; filename=\"{fallback}\"; filename*=UTF-8''{}",
        rfc5987(name)
    );
    h.insert(
        header::CONTENT_DISPOSITION,
        HeaderValue::from_str(&disposition)
            .unwrap_or_else(|_| HeaderValue::from_static("attachment")),
    );
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    h.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static("default-src 'none'; sandbox"),
    );
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    resp
}

/// One piece of a case's evidence, as a download. Only through a case whose log entries
/// name the blob: any other hash answers 404.
#[utoipa::path(get, path = "/cases/{id}/evidence/{sha256}", tag = "evidence",
    params(("id" = String, Path, description = "Case id"),
           ("sha256" = String, Path, description = "SHA-256 of the bytes, hex")),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The bytes (an attachment; active types as application/octet-stream)", content_type = "application/octet-stream"),
        (status = 404, description = "`not_found`: unknown case or hash, or not yours to see", body = ErrorBody)))]
pub async fn download_evidence(
    State(state): State<AppState>,
    caller: Caller,
    Path((id, sha)): Path<(String, String)>,
) -> Result<Response, ApiError> {
    let (_, ev) = readable_evidence(&state, &caller, &id).await?;
    let sha = sha.to_ascii_lowercase();
    let Some((_, e)) = ev.iter().find(|(_, e)| hex(&e.blob) == sha) else {
        return Err(ApiError::not_found());
    };
    let (bytes, _) =
        state.store()?.blob(&e.blob).await?.ok_or_else(|| {
            ApiError::internal(&format!("blob {sha} of a log entry is not stored"))
        })?;
    let name = e
        .source
        .rsplit(['/', '\\'])
        .find(|s| !s.is_empty())
        .map(sanitize_file_name)
        .unwrap_or_else(|| "evidence".to_string());
    let fallback = format!("evidence-{}", &sha[..12]);
    Ok(download(bytes, &e.media_type, &fallback, &name))
}

/// The server's log key, read from its file (so a key rotated with `wangjian log
/// rotate-key` is used at once), created on first use; 503 when none is configured.
async fn log_key(state: &AppState) -> Result<LogKey, ApiError> {
    let Some(path) = state.config().log_key.clone() else {
        return Err(ApiError::with_message(
            ErrorCode::Unavailable,
            "this server has no signing key for the evidence log: start it with --log-key \
             FILE or set WANGJIAN_LOG_KEY",
        ));
    };
    let origin = state.config().log_origin.clone();
    tokio::task::spawn_blocking(move || load_or_create_key(&path, &origin))
        .await
        .map_err(|e| ApiError::internal(&e))?
        .map_err(|e| {
            tracing::error!(error = %e, "loading the log key");
            ApiError::with_message(
                ErrorCode::Unavailable,
                "the evidence log's signing key cannot be read; the server log says why",
            )
        })
}

/// The case's evidence package: its log entries with inclusion proofs, a tree head signed
/// now, the public keys, the captured blobs and a manifest, as a tar file (the same as
/// `wangjian evidence export`; check it with `wangjian verify FILE`).
#[utoipa::path(get, path = "/cases/{id}/evidence-package", tag = "evidence",
    params(("id" = String, Path, description = "Case id")),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The package (tar)", content_type = "application/x-tar"),
        (status = 404, description = "`not_found`: unknown, or not yours to see", body = ErrorBody),
        (status = 503, description = "`unavailable`: no log signing key configured", body = ErrorBody)))]
pub async fn evidence_package(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    caller.require_scope(TokenScope::Read)?;
    caller.member()?;
    let (file, _) = state
        .app()?
        .visible_case(&caller.call(), CaseId(crate::api::cases::path_id(&id)?))
        .await?;
    let key = log_key(&state).await?;
    let pkg = state
        .store()?
        .evidence_package(
            CaseRef {
                id: file.case.id.0,
                number: file.case.number.document_form(),
            },
            &key,
            Utc::now(),
        )
        .await?;
    let bytes = pkg.build().map_err(|e| ApiError::internal(&e))?;
    let name = format!("evidence-{}.tar", file.case.id.0);
    Ok(download(bytes, "application/x-tar", &name, &name))
}

fn note_response(note: String) -> Response {
    let mut resp = note.into_response();
    resp.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/plain; charset=utf-8"),
    );
    resp.headers_mut().insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    resp
}

/// The evidence log's newest signed tree head, as a c2sp signed note (text). Public: pin
/// it, and check later packages and checkpoints against it. A read: it serves the stored
/// head and signs nothing (the server's signer keeps it within a minute of the log).
#[utoipa::path(get, path = "/log/checkpoint", tag = "evidence",
    responses(
        (status = 200, description = "The signed note (FORMAT.md §3 of wangjian-ledger)", content_type = "text/plain"),
        (status = 404, description = "`not_found`: no tree head has been signed yet", body = ErrorBody)))]
pub async fn checkpoint(
    State(state): State<AppState>,
    caller: Caller,
) -> Result<Response, ApiError> {
    may_read_log_head(&caller.principal).into_result()?;
    let head = state.store()?.latest_tree_head().await?.ok_or_else(|| {
        ApiError::with_message(ErrorCode::NotFound, "no tree head has been signed yet")
    })?;
    Ok(note_response(head.note))
}

/// Signs a tree head at the log's current size now (when the log grew since the newest
/// head; else that head) with the server's key, and answers it.
#[utoipa::path(post, path = "/log/checkpoint", tag = "evidence",
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The signed note", content_type = "text/plain"),
        (status = 401, description = "`unauthenticated`", body = ErrorBody),
        (status = 403, description = "`forbidden`: not an agency's or coordination office's worker; `insufficient_scope` without `write`", body = ErrorBody),
        (status = 503, description = "`unavailable`: no log signing key configured", body = ErrorBody)))]
pub async fn sign_checkpoint(
    State(state): State<AppState>,
    caller: Caller,
) -> Result<Response, ApiError> {
    caller.require_scope(TokenScope::Write)?;
    caller.member()?;
    may_sign_log_head(&caller.principal).into_result()?;
    let key = log_key(&state).await?;
    let head = state.store()?.sign_checkpoint(&key, Utc::now()).await?;
    Ok(note_response(head.note))
}

/// Signs a tree head when the log has grown past the newest one (the server's periodic
/// signer; `None` when nothing needed signing or the server has no key).
pub async fn sign_if_grown(state: &AppState) -> Result<Option<u64>, ApiError> {
    if state.config().log_key.is_none() {
        return Ok(None);
    }
    let s = state.store()?;
    let size = s.log_size().await?;
    if s.latest_tree_head()
        .await?
        .is_some_and(|h| h.tree_size >= size)
    {
        return Ok(None);
    }
    let key = log_key(state).await?;
    Ok(Some(s.sign_checkpoint(&key, Utc::now()).await?.tree_size))
}

/// A key of the log's keyring.
#[derive(Debug, Serialize, ToSchema)]
pub struct LogKeyItem {
    /// Key id (8 hex digits).
    pub key_id: String,
    /// The log name it signs under.
    pub name: String,
    /// The verifier key (`name+keyid+base64`): what `wangjian verify --key` reads.
    pub public_text: String,
    /// When it was added.
    pub created_at: DateTime<Utc>,
    /// When it was retired (its old checkpoints stay valid).
    pub retired_at: Option<DateTime<Utc>>,
}

impl From<StoredKey> for LogKeyItem {
    fn from(k: StoredKey) -> Self {
        Self {
            key_id: k.key_id,
            name: k.name,
            public_text: k.public_text,
            created_at: k.created_at,
            retired_at: k.retired_at,
        }
    }
}

/// The evidence log's public keys, current and retired. Public.
#[utoipa::path(get, path = "/log/keys", tag = "evidence",
    responses((status = 200, description = "The keyring", body = Vec<LogKeyItem>)))]
pub async fn log_keys(
    State(state): State<AppState>,
    caller: Caller,
) -> Result<Json<Vec<LogKeyItem>>, ApiError> {
    may_read_log_head(&caller.principal).into_result()?;
    let keys = state.store()?.log_keys().await?;
    Ok(Json(keys.into_iter().map(LogKeyItem::from).collect()))
}
