//! Statistics reports (统计报表, issue 16) over JSON: a generated report (JSON, or CSV /
//! XLSX for download), a unit's submission (frozen with its SHA-256), the submissions the
//! caller may read, and the reporting calendar. Everything through `wangjian-app`'s
//! reports use cases, behind the policy's `Report` resource: a unit its own, the
//! coordination office its region, a platform only its own weekly report.

use axum::extract::rejection::JsonRejection;
use axum::extract::{Path, Query, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use chrono::{Duration, NaiveDate};
use serde::Deserialize;
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;
use wangjian_app::reports::export::{to_csv, to_xlsx, Submitted};
use wangjian_app::reports::{CalendarEntry, Target};
use wangjian_app::AppError;
use wangjian_calendar::shanghai_date;
use wangjian_domain::report::{Period, ReportKind, ReportSubmission, ReportTable};
use wangjian_domain::{OrgId, RegionCode};

use crate::auth::token::TokenScope;
use crate::error::{ApiError, ErrorBody};
use crate::state::AppState;
use crate::web::caller::Caller;

/// The routes (mounted under `/api/v1`).
pub fn routes() -> axum::Router<AppState> {
    use axum::routing::get;
    axum::Router::new()
        .route("/reports/calendar", get(calendar))
        .route("/reports/submissions", get(list_submissions))
        .route("/reports/{kind}", get(get_report).post(submit_report))
}

/// The OpenAPI part of these routes.
#[derive(utoipa::OpenApi)]
#[openapi(
    paths(get_report, submit_report, list_submissions, calendar),
    components(schemas(SubmitRequest)),
    tags((name = "reports", description = "Statistics reports (统计报表): generate, export, submit, the reporting calendar"))
)]
pub struct ReportsDoc;

/// Which report.
#[derive(Debug, Deserialize, IntoParams)]
pub struct ReportQuery {
    /// 2026-W49, 2026-11 or 2026-H2.
    pub period: String,
    /// The unit (organization id); default your own (an office: its region's aggregate).
    pub org: Option<Uuid>,
    /// An office's aggregate of part of its region (GB/T 2260 code).
    pub region: Option<String>,
    /// json (default), csv (UTF-8 with BOM) or xlsx.
    pub format: Option<String>,
    /// `true`: the unit's submitted report as frozen, not generated now.
    pub submitted: Option<bool>,
}

pub(crate) fn kind_of(s: &str) -> Result<ReportKind, ApiError> {
    s.parse::<ReportKind>()
        .map_err(|e| ApiError::from(AppError::invalid("kind", e.to_string())))
}

pub(crate) fn period_of(kind: ReportKind, s: &str) -> Result<Period, ApiError> {
    Period::parse_for(kind, s)
        .map_err(|e| ApiError::from(AppError::invalid("period", e.to_string())))
}

/// A report as a file download.
pub(crate) fn file_response(
    t: &ReportTable,
    submitted: Option<&ReportSubmission>,
    format: &str,
) -> Result<Response, ApiError> {
    let name = format!("{}-{}", t.kind.code(), t.period);
    let (bytes, mime, ext) = match format {
        "csv" => (to_csv(t), "text/csv; charset=utf-8", "csv"),
        "xlsx" => (
            to_xlsx(
                t,
                submitted.map(|s| Submitted {
                    at: s.submitted_at,
                    digest: &s.digest,
                }),
            )?,
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            "xlsx",
        ),
        other => {
            return Err(
                AppError::invalid("format", format!("'{other}' is not json, csv or xlsx")).into(),
            )
        }
    };
    Ok((
        [
            (header::CONTENT_TYPE, mime.to_string()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{name}.{ext}\""),
            ),
        ],
        bytes,
    )
        .into_response())
}

/// A report of KIND (platform-weekly, case-progress, monthly, half-year) for a period,
/// generated from the record now (or, with `submitted=true`, as the unit submitted it):
/// JSON (domain `ReportTable`: columns with Chinese headers, rows of cells, amounts in
/// fen), CSV or XLSX.
#[utoipa::path(get, path = "/reports/{kind}", tag = "reports",
    params(("kind" = String, Path, description = "platform-weekly, case-progress, monthly or half-year"), ReportQuery),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The report (JSON `ReportTable`, or a CSV/XLSX file)", body = Object),
        (status = 400, description = "`invalid_input` naming kind, period, region or format", body = ErrorBody),
        (status = 404, description = "`not_found`: not yours to see", body = ErrorBody)))]
pub async fn get_report(
    State(state): State<AppState>,
    caller: Caller,
    Path(kind): Path<String>,
    Query(q): Query<ReportQuery>,
) -> Result<Response, ApiError> {
    caller.require_scope(TokenScope::Read)?;
    let m = caller.member()?.clone();
    let kind = kind_of(&kind)?;
    let period = period_of(kind, &q.period)?;
    let target = match (&q.org, &q.region) {
        (Some(o), _) => Target::Org(OrgId(*o)),
        (None, Some(r)) => Target::Region(
            RegionCode::parse(r)
                .map_err(|e| ApiError::from(AppError::invalid("region", e.to_string())))?,
        ),
        (None, None) => Target::Own,
    };
    let app = state.app()?;
    let call = caller.call();
    let frozen = if q.submitted == Some(true) {
        let unit = match target {
            Target::Org(o) => o,
            _ => m.actor.org,
        };
        Some(app.report_submission(&call, kind, period, unit).await?)
    } else {
        None
    };
    let table = match &frozen {
        Some(s) => s.table.clone(),
        None => app.report(&call, kind, period, &target).await?,
    };
    match q.format.as_deref().unwrap_or("json") {
        "json" => Ok(Json(table).into_response()),
        f => file_response(&table, frozen.as_ref(), f),
    }
}

/// A submission.
#[derive(Debug, Deserialize, ToSchema)]
pub struct SubmitRequest {
    /// The period (2026-W49, 2026-11, 2026-H2).
    pub period: String,
}

/// Reviews and submits the caller's unit's report of KIND for a period (a supervisor; a
/// platform's operator for its weekly report): generated now, frozen with its SHA-256,
/// once per unit, kind and period.
#[utoipa::path(post, path = "/reports/{kind}", tag = "reports",
    params(("kind" = String, Path, description = "platform-weekly, case-progress, monthly or half-year")),
    request_body = SubmitRequest,
    security(("bearer" = [])),
    responses(
        (status = 201, description = "The submission (domain `ReportSubmission`)", body = Object),
        (status = 400, description = "`invalid_input` naming kind or period", body = ErrorBody),
        (status = 403, description = "`forbidden`: not a supervisor of the unit", body = ErrorBody),
        (status = 422, description = "already submitted", body = ErrorBody)))]
pub async fn submit_report(
    State(state): State<AppState>,
    caller: Caller,
    Path(kind): Path<String>,
    body: Result<Json<SubmitRequest>, JsonRejection>,
) -> Result<(StatusCode, Json<ReportSubmission>), ApiError> {
    caller.require_scope(TokenScope::Write)?;
    caller.member()?;
    let kind = kind_of(&kind)?;
    let Json(req) = body?;
    let period = period_of(kind, &req.period)?;
    let s = state
        .app()?
        .submit_report(&caller.call(), kind, period)
        .await?;
    Ok((StatusCode::CREATED, Json(s)))
}

/// Which submissions.
#[derive(Debug, Deserialize, IntoParams)]
pub struct SubmissionsQuery {
    /// Only this kind.
    pub kind: Option<String>,
    /// At most this many (default 100, at most 1000).
    pub limit: Option<u32>,
}

/// The submissions the caller may read (its unit's; an office: its region's), newest first.
#[utoipa::path(get, path = "/reports/submissions", tag = "reports",
    params(SubmissionsQuery),
    security(("bearer" = [])),
    responses((status = 200, description = "Submissions (domain `ReportSubmission`)", body = Vec<Object>)))]
pub async fn list_submissions(
    State(state): State<AppState>,
    caller: Caller,
    Query(q): Query<SubmissionsQuery>,
) -> Result<Json<Vec<ReportSubmission>>, ApiError> {
    caller.require_scope(TokenScope::Read)?;
    caller.member()?;
    let kind = q.kind.as_deref().map(kind_of).transpose()?;
    Ok(Json(
        state
            .app()?
            .report_submissions(&caller.call(), kind, q.limit.unwrap_or(100))
            .await?,
    ))
}

/// Which days.
#[derive(Debug, Deserialize, IntoParams)]
pub struct CalendarQuery {
    /// First day (default 14 days ago, China's date).
    pub from: Option<NaiveDate>,
    /// Last day (default 31 days ahead).
    pub to: Option<NaiveDate>,
}

/// The reporting calendar: each report due from the caller's unit (an office: every member
/// unit of its region) with its due day (暂定 when provisional), submission and status.
#[utoipa::path(get, path = "/reports/calendar", tag = "reports",
    params(CalendarQuery),
    security(("bearer" = [])),
    responses((status = 200, description = "Entries by due day", body = Vec<Object>)))]
pub async fn calendar(
    State(state): State<AppState>,
    caller: Caller,
    Query(q): Query<CalendarQuery>,
) -> Result<Json<Vec<CalendarEntry>>, ApiError> {
    caller.require_scope(TokenScope::Read)?;
    caller.member()?;
    let call = caller.call();
    let today = shanghai_date(call.now);
    let from = q.from.unwrap_or(today - Duration::days(14));
    let to = q.to.unwrap_or(today + Duration::days(31));
    Ok(Json(
        state
            .app()?
            .reporting_calendar(&call, from, to, today)
            .await?,
    ))
}
