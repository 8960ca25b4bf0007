//! Supervision (督办): a coordination office marks a case with a level and a due date, and
//! watches what is overdue or due soon in its region.
//!
//! [`due_report`] is a pure query over values the store has loaded; the store runs the
//! same region filter in SQL (`region LIKE prefix || '%'`, see [`RegionCode::prefix`]) so
//! it loads only the office's region.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;
use wangjian_calendar::{shanghai_date, Calendar, CalendarError};

use crate::audit::{Change, Context, Events, IdSupply, ObjectType, OutOfIds, Recorder};
use crate::case::CaseState;
use crate::deadline::{Deadline, DeadlineKind};
use crate::id::{CaseId, OrgId, SupervisionId, UserId};
use crate::org::{Actor, RegionCode, Role};

/// Why a supervision command was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SupervisionError {
    /// Only a coordination office's supervisor marks cases.
    #[error("only a supervisor of a coordination office (双打办) may mark or lift supervision")]
    NotOffice,
    /// The case lies outside the office's region.
    #[error(
        "the case's agency (region {case_region}) is outside the office's region {office_region}"
    )]
    OutsideRegion {
        /// Region of the case's responsible agency.
        case_region: RegionCode,
        /// Region of the office.
        office_region: RegionCode,
    },
    /// Final cases are not supervised.
    #[error("the case is {0}; a final case cannot be put under supervision")]
    FinalCase(CaseState),
    /// Due date in the past.
    #[error("the supervision due date {due} is before today ({today})")]
    DueInPast {
        /// Due.
        due: NaiveDate,
        /// Today.
        today: NaiveDate,
    },
    /// Already lifted.
    #[error("the supervision was already lifted")]
    AlreadyLifted,
    /// Fresh ids ran out.
    #[error(transparent)]
    Ids(#[from] OutOfIds),
    /// Calendar failure.
    #[error(transparent)]
    Calendar(#[from] CalendarError),
}

/// The level of supervision.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SupervisionLevel {
    /// 国家挂牌督办.
    National,
    /// 省挂牌督办.
    Provincial,
    /// 市挂牌督办.
    City,
    /// 重点督办.
    Key,
    /// 一般督办.
    General,
}

impl SupervisionLevel {
    /// The Chinese label.
    pub fn label_zh(self) -> &'static str {
        match self {
            Self::National => "国家挂牌督办",
            Self::Provincial => "省挂牌督办",
            Self::City => "市挂牌督办",
            Self::Key => "重点督办",
            Self::General => "一般督办",
        }
    }
}

/// A supervision mark. Table `supervisions`, indexed on (office, lifted_at, due).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Supervision {
    /// Stable id.
    pub id: SupervisionId,
    /// The case.
    pub case: CaseId,
    /// The coordination office.
    pub office: OrgId,
    /// Level.
    pub level: SupervisionLevel,
    /// The date the office wants the case finished by.
    pub due: NaiveDate,
    /// Note (督办要求).
    pub note: String,
    /// Who marked it.
    pub marked_by: UserId,
    /// When.
    pub marked_at: DateTime<Utc>,
    /// When lifted (撤销督办 / 督办结束).
    pub lifted_at: Option<DateTime<Utc>>,
    /// Optimistic concurrency version.
    pub version: i64,
}

/// A case as the report needs it: the store fills it from `cases` joined with the
/// responsible agency's region.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CaseSummary {
    /// Case id.
    pub case: CaseId,
    /// Human number (document form).
    pub number: String,
    /// State.
    pub state: CaseState,
    /// The responsible agency.
    pub responsible_org: OrgId,
    /// Its region.
    pub region: RegionCode,
}

/// Marks a case for supervision.
#[allow(clippy::too_many_arguments)]
pub fn mark(
    actor: &Actor,
    office_region: &RegionCode,
    is_coordination_office: bool,
    case: &CaseSummary,
    level: SupervisionLevel,
    due: NaiveDate,
    note: &str,
    ctx: &Context,
) -> Result<Change<Supervision>, SupervisionError> {
    if !is_coordination_office || !actor.has(Role::Supervisor) {
        return Err(SupervisionError::NotOffice);
    }
    if !office_region.contains(&case.region) {
        return Err(SupervisionError::OutsideRegion {
            case_region: case.region.clone(),
            office_region: office_region.clone(),
        });
    }
    if case.state.is_final() {
        return Err(SupervisionError::FinalCase(case.state));
    }
    let today = shanghai_date(ctx.now);
    if due < today {
        return Err(SupervisionError::DueInPast { due, today });
    }
    let mut ids = IdSupply::new(ctx);
    let s = Supervision {
        id: SupervisionId(ids.next()?),
        case: case.case,
        office: actor.org,
        level,
        due,
        note: note.trim().to_string(),
        marked_by: actor.user,
        marked_at: ctx.now,
        lifted_at: None,
        version: 1,
    };
    let rec = Recorder {
        ctx,
        actor: actor.user,
        actor_org: actor.org,
        root_case: Some(case.case),
    };
    let ev = rec.event(
        &mut ids,
        "supervision.mark",
        ObjectType::Supervision,
        s.id.0,
        None,
        &s,
    )?;
    Ok(Change::new(s, Events::new(vec![ev]).ok_or(OutOfIds(0))?))
}

/// Lifts a supervision mark.
pub fn lift(
    actor: &Actor,
    s: &Supervision,
    ctx: &Context,
) -> Result<Change<Supervision>, SupervisionError> {
    if actor.org != s.office || !actor.has(Role::Supervisor) {
        return Err(SupervisionError::NotOffice);
    }
    if s.lifted_at.is_some() {
        return Err(SupervisionError::AlreadyLifted);
    }
    let mut n = s.clone();
    n.lifted_at = Some(ctx.now);
    n.version += 1;
    let mut ids = IdSupply::new(ctx);
    let rec = Recorder {
        ctx,
        actor: actor.user,
        actor_org: actor.org,
        root_case: Some(s.case),
    };
    let ev = rec.event(
        &mut ids,
        "supervision.lift",
        ObjectType::Supervision,
        n.id.0,
        Some(s),
        &n,
    )?;
    Ok(Change::new(n, Events::new(vec![ev]).ok_or(OutOfIds(0))?))
}

/// What is due in one report line.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "what", rename_all = "snake_case")]
pub enum DueWhat {
    /// A statutory deadline.
    Deadline {
        /// Kind.
        kind: DeadlineKind,
        /// Which object it is on (case, transfer order, assist request).
        object_type: ObjectType,
        /// Its id.
        object_id: Uuid,
    },
    /// The office's own supervision due date.
    Supervision {
        /// Level.
        level: SupervisionLevel,
    },
}

/// One line of the due report.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DueItem {
    /// The case.
    pub case: CaseId,
    /// Its number.
    pub number: String,
    /// The agency that must act.
    pub org: OrgId,
    /// What is due.
    pub what: DueWhat,
    /// When.
    pub due: NaiveDate,
    /// Past due on `today`.
    pub overdue: bool,
    /// Working days from today to due (0 when due today or overdue).
    pub working_days_left: u32,
    /// The due date counts over a year without its holiday notice (暂定): it may move
    /// when the notice is loaded. Always false for a supervision mark's fixed date.
    #[serde(default)]
    pub provisional: bool,
}

/// Everything overdue or due within `within` working days, in the office's region: open
/// deadlines of cases there (paused ones are not running and are left out), and active
/// supervision marks of the office on non-final cases. Sorted by due date, then case
/// number. Pure: the caller passes what the store loaded.
#[allow(clippy::too_many_arguments)]
pub fn due_report(
    office: OrgId,
    office_region: &RegionCode,
    cases: &[CaseSummary],
    deadlines: &[Deadline],
    supervisions: &[Supervision],
    today: NaiveDate,
    within: u32,
    cal: &Calendar,
) -> Result<Vec<DueItem>, CalendarError> {
    let horizon = cal.add_workdays(today, within)?;
    let mut out = Vec::new();
    let in_region = |c: &&CaseSummary| office_region.contains(&c.region);
    for c in cases.iter().filter(in_region) {
        let mut push = |org: OrgId,
                        what: DueWhat,
                        due: NaiveDate,
                        provisional: bool|
         -> Result<(), CalendarError> {
            if due <= horizon {
                let overdue = today > due;
                let left = if overdue {
                    0
                } else {
                    cal.workdays_between(today, due)?
                };
                out.push(DueItem {
                    case: c.case,
                    number: c.number.clone(),
                    org,
                    what,
                    due,
                    overdue,
                    working_days_left: left,
                    provisional,
                });
            }
            Ok(())
        };
        for d in deadlines
            .iter()
            .filter(|d| d.root_case == Some(c.case) && d.is_open() && !d.is_paused())
        {
            push(
                d.org,
                DueWhat::Deadline {
                    kind: d.kind(),
                    object_type: d.object_type,
                    object_id: d.object_id,
                },
                d.due,
                d.provisional,
            )?;
        }
        if !c.state.is_final() {
            for s in supervisions
                .iter()
                .filter(|s| s.case == c.case && s.office == office && s.lifted_at.is_none())
            {
                push(
                    c.responsible_org,
                    DueWhat::Supervision { level: s.level },
                    s.due,
                    false,
                )?;
            }
        }
    }
    out.sort_by(|a, b| a.due.cmp(&b.due).then_with(|| a.number.cmp(&b.number)));
    Ok(out)
}
