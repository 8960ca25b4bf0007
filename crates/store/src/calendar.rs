//! The working-day calendar in use: the embedded notices plus the ones an administrator
//! loaded (`calendar_notices`), and loading a notice with the deadlines it moves.
//!
//! A load is one transaction: the notice's row, and every deadline the domain's
//! `calendar_notice::recompute` moved with its `deadline.recalculate` event. A notice for
//! a year already published (embedded or loaded) is refused, so the calendar never changes
//! under a deadline without that deadline being recomputed.

use chrono::{DateTime, NaiveDate, Utc};
use sha2::{Digest, Sha256};
use wangjian_calendar::Calendar;
use wangjian_domain::calendar_notice::{self, RECALCULATE};
use wangjian_domain::{Actor, CaseId, Context, Deadline, DeadlineId, RequestId, UserId};

use crate::backend::Tx;
use crate::query::number_at;
use crate::schema;
use crate::schema::from_row;
use crate::value::Val;
use crate::write::write_change;
use crate::{Store, StoreError};

/// A notice file as loaded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredNotice {
    /// Load order.
    pub seq: i64,
    /// The years it publishes.
    pub years: Vec<i32>,
    /// The file's text (the format of the embedded `cn-holidays.txt`).
    pub text: String,
    /// SHA-256 of the text, lowercase hex.
    pub sha256: String,
    /// When it was loaded.
    pub loaded_at: DateTime<Utc>,
    /// Who loaded it.
    pub loaded_by: UserId,
}

/// What a load did.
#[derive(Debug, Clone)]
pub struct NoticeLoaded {
    /// The years it published.
    pub years: Vec<i32>,
    /// Each deadline the notice moved: the deadline before and after.
    pub moved: Vec<(Deadline, Deadline)>,
    /// The calendar in use from now on.
    pub calendar: Calendar,
}

/// A deadline of an officer's case that a notice moved (their home page).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Recalculated {
    /// The case.
    pub case: CaseId,
    /// Its number (案号).
    pub number: String,
    /// The deadline.
    pub deadline: DeadlineId,
    /// Due date before.
    pub old_due: Option<NaiveDate>,
    /// Due date after.
    pub new_due: Option<NaiveDate>,
    /// When the notice was loaded.
    pub at: DateTime<Utc>,
}

fn sha256_hex(text: &str) -> String {
    Sha256::digest(text.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

fn invalid(e: impl std::fmt::Display) -> StoreError {
    StoreError::Calendar(e.to_string())
}

async fn stored_texts(tx: &mut Tx) -> Result<Vec<String>, StoreError> {
    let rows = tx
        .fetch("SELECT text FROM calendar_notices ORDER BY seq", vec![])
        .await?;
    rows.iter()
        .map(|r| Ok(r.text(0)?.unwrap_or_default()))
        .collect()
}

/// The embedded calendar with `texts` merged in order.
fn calendar_of(texts: &[String]) -> Result<Calendar, StoreError> {
    let mut cal = Calendar::china().clone();
    for (i, text) in texts.iter().enumerate() {
        let notice = Calendar::parse(text)
            .map_err(|e| StoreError::Corrupt(format!("stored calendar notice {}: {e}", i + 1)))?;
        cal.merge(notice)
            .map_err(|e| StoreError::Corrupt(format!("stored calendar notice {}: {e}", i + 1)))?;
    }
    Ok(cal)
}

impl Store {
    /// The calendar in use: the embedded notices and every notice loaded into this
    /// database. Deadline arithmetic of the server, the CLI and the demo goes through it.
    pub async fn calendar(&self) -> Result<Calendar, StoreError> {
        let mut tx = self.pool.begin_read().await?;
        let texts = stored_texts(&mut tx).await?;
        tx.rollback().await?;
        calendar_of(&texts)
    }

    /// Which notices are loaded: the highest load sequence number (0 for none). A cache
    /// of [`Store::calendar`] is current while this stays the same; notices are only
    /// ever added.
    pub async fn calendar_version(&self) -> Result<i64, StoreError> {
        let rows = self
            .pool
            .fetch("SELECT COALESCE(MAX(seq), 0) FROM calendar_notices", vec![])
            .await?;
        rows.first().map_or(Ok(0), |r| r.int(0))
    }

    /// The notices loaded into this database, in load order.
    pub async fn calendar_notices(&self) -> Result<Vec<StoredNotice>, StoreError> {
        let rows = self
            .pool
            .fetch(
                "SELECT seq, years, text, sha256, loaded_at, loaded_by FROM calendar_notices \
                 ORDER BY seq",
                vec![],
            )
            .await?;
        rows.iter()
            .map(|r| {
                let years = r
                    .text(1)?
                    .unwrap_or_default()
                    .split(',')
                    .filter_map(|y| y.trim().parse().ok())
                    .collect();
                let loaded_at = match r.get(4, crate::value::Kind::Time)? {
                    Val::Time(Some(t)) => t,
                    _ => return Err(StoreError::Corrupt("calendar notice: NULL time".into())),
                };
                Ok(StoredNotice {
                    seq: r.int(0)?,
                    years,
                    text: r.text(2)?.unwrap_or_default(),
                    sha256: r.text(3)?.unwrap_or_default(),
                    loaded_at,
                    loaded_by: UserId(r.uuid(5)?.unwrap_or_default()),
                })
            })
            .collect()
    }

    /// Loads a holiday notice file (the format of the embedded `cn-holidays.txt`) into the
    /// calendar, as `actor` (an administrator) under request `request` at `now`, and
    /// recomputes every open deadline it can
    /// move, in one transaction. Errors: not an administrator, a malformed file (naming
    /// the line), or a year already published ([`StoreError::Calendar`]).
    pub async fn load_calendar_notice(
        &self,
        actor: &Actor,
        text: &str,
        request: RequestId,
        now: DateTime<Utc>,
    ) -> Result<NoticeLoaded, StoreError> {
        if !calendar_notice::may_load(actor) {
            return Err(invalid(calendar_notice::NoticeError::NotAdmin));
        }
        let notice = Calendar::parse(text).map_err(invalid)?;
        let years: Vec<i32> = notice.published_years().collect();
        let span = notice.notice_span();
        let mut tx = self.pool.begin_write().await?;
        let mut cal = calendar_of(&stored_texts(&mut tx).await?)?;
        cal.merge(notice).map_err(invalid)?;
        let t = &schema::DEADLINES;
        let (first, last) = span.unwrap_or((NaiveDate::MAX, NaiveDate::MIN));
        let sql = format!(
            "SELECT {} FROM deadlines WHERE status = $1 AND (provisional = $2 \
             OR (start < $3 AND due >= $4)) ORDER BY id",
            t.select_list("")
        );
        let rows = tx
            .fetch(
                &sql,
                vec![
                    Val::from("open"),
                    Val::from(true),
                    Val::from(last),
                    Val::from(first),
                ],
            )
            .await?;
        let open: Vec<Deadline> = rows
            .iter()
            .map(|r| from_row(t, r))
            .collect::<Result<_, _>>()?;
        // Fresh ids for every event the recompute may write: one per deadline, and room.
        let context = Context::new_v7(request, now, 2 * open.len() + 8);
        let ctx = &context;
        let change = calendar_notice::recompute(actor, &open, &cal, span, ctx).map_err(invalid)?;
        let year_list = years
            .iter()
            .map(i32::to_string)
            .collect::<Vec<_>>()
            .join(",");
        let inserted = tx
            .exec(
                "INSERT INTO calendar_notices (years, text, sha256, loaded_at, loaded_by, \
                 request_id) VALUES ($1, $2, $3, $4, $5, $6)",
                vec![
                    Val::from(year_list),
                    Val::from(text),
                    Val::from(sha256_hex(text)),
                    Val::from(ctx.now),
                    Val::from(actor.user.0),
                    Val::from(ctx.request_id.0),
                ],
            )
            .await;
        match inserted {
            Err(e) if e.is_unique_violation() => {
                return Err(StoreError::Duplicate("calendar notice (same file)".into()))
            }
            other => other?,
        };
        let mut moved = Vec::new();
        if let Some(change) = change {
            let (new, events) = change.into_parts();
            write_change(&mut tx, &new, &events).await?;
            for n in new {
                if let Some(old) = open.iter().find(|o| o.id == n.id) {
                    moved.push((old.clone(), n));
                }
            }
        }
        tx.commit().await?;
        Ok(NoticeLoaded {
            years,
            moved,
            calendar: cal,
        })
    }

    /// Deadlines of cases assigned to `user` that a loaded notice moved since `since`,
    /// newest first (at most `limit`, 1–200): what an officer's home page shows.
    pub async fn recalculated_deadlines(
        &self,
        user: UserId,
        since: DateTime<Utc>,
        limit: u32,
    ) -> Result<Vec<Recalculated>, StoreError> {
        let sql = format!(
            "SELECT e.object_id, e.changed, e.at, c.id, c.number_prefix, c.number_year, \
             c.number_seq FROM cases c JOIN audit_events e ON e.root_case = c.id \
             WHERE c.assignee = $1 AND e.action = $2 AND e.at >= $3 \
             ORDER BY e.seq DESC LIMIT {}",
            limit.clamp(1, 200)
        );
        let rows = self
            .pool
            .fetch(
                &sql,
                vec![Val::from(user.0), Val::from(RECALCULATE), Val::from(since)],
            )
            .await?;
        let mut out = Vec::with_capacity(rows.len());
        for r in &rows {
            let changed: Vec<wangjian_domain::audit::FieldChange> =
                match r.get(1, crate::value::Kind::Json)? {
                    Val::Json(Some(j)) => serde_json::from_value(j).unwrap_or_default(),
                    _ => Vec::new(),
                };
            let due = changed.iter().find(|c| c.field == "due");
            let as_date = |v: &serde_json::Value| {
                v.as_str()
                    .and_then(|s| wangjian_calendar::parse_date(s).ok())
            };
            let at = match r.get(2, crate::value::Kind::Time)? {
                Val::Time(Some(t)) => t,
                _ => continue,
            };
            out.push(Recalculated {
                case: CaseId(r.uuid(3)?.unwrap_or_default()),
                number: number_at(r, 4)?,
                deadline: DeadlineId(r.uuid(0)?.unwrap_or_default()),
                old_due: due.and_then(|c| as_date(&c.before)),
                new_due: due.and_then(|c| as_date(&c.after)),
                at,
            });
        }
        Ok(out)
    }
}
