//! Loading a State Council holiday notice: the deadlines it moves.
//!
//! Until a year's notice (国务院办公厅关于YYYY年部分节假日安排的通知) is loaded, the calendar
//! answers for that year provisionally from the statutory rules, and a deadline counted over
//! such days is flagged provisional. Loading the notice makes those days exact; every open
//! deadline whose count the notice can change — one flagged provisional, or one whose
//! counted days (start to due) touch a date the notice gives, as a notice reaches into the
//! December before its year — is recomputed under its own rule (`Deadline::recompute`:
//! from start, length, extensions and suspensions, never from the old due date). Each one
//! whose due date, warn point or flag changed gets an audit event `deadline.recalculate`
//! naming the old and the new values; the officers of the case see it on their home page.
//!
//! Who may load a notice: an administrator (系统管理员); the calendar is one for the whole
//! installation.

use chrono::NaiveDate;
use wangjian_calendar::Calendar;

use crate::audit::{Change, Context, Events, IdSupply, ObjectType, OutOfIds, Recorder};
use crate::deadline::{Deadline, DeadlineError};
use crate::org::{Actor, Role};

/// The audit action of a deadline moved by a notice.
pub const RECALCULATE: &str = "deadline.recalculate";

/// Why a notice could not be applied.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum NoticeError {
    /// Only an administrator loads calendar notices.
    #[error("only an administrator may load a holiday notice")]
    NotAdmin,
    /// A deadline could not be recomputed on the new calendar.
    #[error(transparent)]
    Deadline(#[from] DeadlineError),
    /// Too few fresh ids in the context.
    #[error(transparent)]
    OutOfIds(#[from] OutOfIds),
}

/// Whether `actor` may load a notice into the installation's calendar.
pub fn may_load(actor: &Actor) -> bool {
    actor.has(Role::Admin)
}

/// Whether a notice giving dates in `span` (first, last) can change `d`: it is open and
/// provisional, or its counted days reach into the span.
pub fn affected(d: &Deadline, span: Option<(NaiveDate, NaiveDate)>) -> bool {
    if !d.is_open() {
        return false;
    }
    let counted_to = d
        .suspensions
        .iter()
        .filter_map(|s| s.to)
        .fold(d.due, NaiveDate::max);
    d.provisional || span.is_some_and(|(first, last)| d.start < last && counted_to >= first)
}

/// Recomputes `open` (the candidates: see [`affected`]; others are skipped) on `after`,
/// the calendar with the new notice, whose dates lie in `span`. Returns the deadlines that
/// changed, each with its version bumped and its event; `None` when nothing moved.
///
/// `ctx` needs one fresh id per moved deadline.
pub fn recompute(
    actor: &Actor,
    open: &[Deadline],
    after: &Calendar,
    span: Option<(NaiveDate, NaiveDate)>,
    ctx: &Context,
) -> Result<Option<Change<Vec<Deadline>>>, NoticeError> {
    if !may_load(actor) {
        return Err(NoticeError::NotAdmin);
    }
    let mut ids = IdSupply::new(ctx);
    let mut moved = Vec::new();
    let mut events = Vec::new();
    for d in open.iter().filter(|d| affected(d, span)) {
        let mut new = d.clone();
        new.recompute(after)?;
        if (new.due, new.warn_at, new.provisional) == (d.due, d.warn_at, d.provisional) {
            continue;
        }
        new.version = d.version + 1;
        let rec = Recorder {
            ctx,
            actor: actor.user,
            actor_org: actor.org,
            root_case: d.root_case,
        };
        events.push(rec.event(
            &mut ids,
            RECALCULATE,
            ObjectType::Deadline,
            d.id.0,
            Some(d),
            &new,
        )?);
        moved.push(new);
    }
    Ok(Events::new(events).map(|e| Change::new(moved, e)))
}

#[cfg(test)]
mod tests {
    use chrono::{TimeZone, Utc};
    use uuid::Uuid;

    use super::*;
    use crate::audit::ObjectType;
    use crate::deadline::{DeadlineKind, RuleSet};
    use crate::id::{CaseId, DeadlineId, OrgId, RequestId, UserId};

    fn date(s: &str) -> NaiveDate {
        wangjian_calendar::parse_date(s).unwrap()
    }

    fn admin() -> Actor {
        Actor {
            user: UserId(Uuid::from_u128(1)),
            org: OrgId(Uuid::from_u128(2)),
            roles: vec![Role::Admin],
        }
    }

    fn case_deadline(start: &str, cal: &Calendar) -> Deadline {
        let rules = RuleSet::defaults().unwrap();
        let rule = rules
            .effective(DeadlineKind::CaseDecision, OrgId(Uuid::from_u128(2)), &[])
            .unwrap();
        Deadline::start(
            DeadlineId(Uuid::from_u128(10)),
            Some(CaseId(Uuid::from_u128(11))),
            ObjectType::Case,
            Uuid::from_u128(11),
            OrgId(Uuid::from_u128(2)),
            rule,
            date(start),
            cal,
        )
        .unwrap()
    }

    /// A made-up 2027 notice that swaps two days in January: Saturday 9 January worked,
    /// Monday 4 January off.
    const FAKE_2027: &str = "year 2027\nnotice 测试 2026-12-01 测试通知\n\
        holiday 2027-01-01..2027-01-04 元旦\nworkday 2027-01-09 元旦\n";

    fn ctx() -> Context {
        let now = Utc.with_ymd_and_hms(2026, 12, 10, 2, 0, 0).unwrap();
        Context::with_counter(RequestId(Uuid::from_u128(99)), now, 1000, 8)
    }

    #[test]
    fn a_provisional_case_deadline_is_recomputed_and_audited() {
        let before = Calendar::china();
        let d = case_deadline("2026-12-03", before);
        assert!(d.provisional);
        let mut after = before.clone();
        after.merge(Calendar::parse(FAKE_2027).unwrap()).unwrap();
        let span = Calendar::parse(FAKE_2027).unwrap().notice_span();
        let change = recompute(&admin(), std::slice::from_ref(&d), &after, span, &ctx())
            .unwrap()
            .unwrap();
        let (moved, events) = change.into_parts();
        assert_eq!(moved.len(), 1);
        assert!(!moved[0].provisional);
        assert_eq!(moved[0].version, d.version + 1);
        // 90 natural days land on Wednesday 2027-03-03 either way: the date stays, the
        // flag goes; the due date is the one a deadline started on the new calendar gets.
        assert_eq!(moved[0].due, case_deadline("2026-12-03", &after).due);
        assert_eq!(events.len(), 1);
        let e = &events[0];
        assert_eq!(e.action, RECALCULATE);
        assert_eq!(e.object_id, d.id.0);
        assert!(e.changed.iter().any(|c| c.field == "provisional"));
    }

    #[test]
    fn due_dates_moved_by_the_notice_are_named_in_the_event() {
        // Start on Thursday 2026-12-31, one working day: provisionally Monday 2027-01-04;
        // with the notice (4 January off) Tuesday 2027-01-05.
        let rules = RuleSet::defaults().unwrap();
        let mut rule = rules
            .effective(DeadlineKind::AssistReply, OrgId(Uuid::from_u128(2)), &[])
            .unwrap();
        rule.length = 1;
        rule.counting = crate::deadline::Counting::WorkingDays;
        rule.warn_before = 0;
        let d = Deadline::start(
            DeadlineId(Uuid::from_u128(20)),
            None,
            ObjectType::AssistRequest,
            Uuid::from_u128(21),
            OrgId(Uuid::from_u128(2)),
            rule,
            date("2026-12-31"),
            Calendar::china(),
        )
        .unwrap();
        assert_eq!(d.due, date("2027-01-04"));
        let mut after = Calendar::china().clone();
        after.merge(Calendar::parse(FAKE_2027).unwrap()).unwrap();
        let span = Calendar::parse(FAKE_2027).unwrap().notice_span();
        let (moved, events) = recompute(&admin(), &[d], &after, span, &ctx())
            .unwrap()
            .unwrap()
            .into_parts();
        assert_eq!(moved[0].due, date("2027-01-05"));
        let due = events[0].changed.iter().find(|c| c.field == "due").unwrap();
        assert_eq!(due.before, "2027-01-04");
        assert_eq!(due.after, "2027-01-05");
    }

    #[test]
    fn exact_closed_and_unmoved_deadlines_are_left_alone() {
        let cal = Calendar::china();
        // Exact: counted within 2026.
        let exact = case_deadline("2026-03-02", cal);
        assert!(!exact.provisional);
        // Closed.
        let mut closed = case_deadline("2026-12-03", cal);
        closed.cancel(date("2026-12-04")).unwrap();
        let mut after = cal.clone();
        after.merge(Calendar::parse(FAKE_2027).unwrap()).unwrap();
        let span = Calendar::parse(FAKE_2027).unwrap().notice_span();
        assert_eq!(
            recompute(&admin(), &[exact, closed], &after, span, &ctx()).unwrap(),
            None
        );
    }

    #[test]
    fn only_an_administrator_loads_a_notice() {
        let mut officer = admin();
        officer.roles = vec![Role::Officer, Role::Supervisor];
        assert_eq!(
            recompute(&officer, &[], Calendar::china(), None, &ctx()),
            Err(NoticeError::NotAdmin)
        );
    }
}
