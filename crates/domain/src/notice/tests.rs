use chrono::{NaiveDate, TimeZone, Utc};
use uuid::Uuid;

use super::*;
use crate::id::RequestId;

const AGENCY: OrgId = OrgId::from_u128(1);
const PLATFORM: OrgId = OrgId::from_u128(2);
const OTHER_PLATFORM: OrgId = OrgId::from_u128(3);
const OFFICER: UserId = UserId::from_u128(10);
const OPERATOR: UserId = UserId::from_u128(20);

fn cal() -> &'static Calendar {
    Calendar::china()
}

fn rules() -> &'static NoticeRules {
    NoticeRules::defaults().expect("the embedded rules parse")
}

/// A context at 10:00 China time on `d`.
fn at(d: NaiveDate, seed: u128) -> Context {
    let now = Utc.from_utc_datetime(&d.and_hms_opt(2, 0, 0).expect("valid time"));
    Context::with_counter(RequestId(Uuid::from_u128(seed)), now, seed << 16, 8)
}

fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).expect("valid date")
}

fn draft(listing: u128) -> Draft {
    Draft {
        recipient: PLATFORM,
        listing: ListingId::from_u128(listing),
        shop: None,
        ground: "注册商标第1234567号,商品为假冒".into(),
        source: NoticeSource::AgencyOrder,
        complaint: None,
        case: None,
    }
}

fn sent_on(d: NaiveDate) -> Notice {
    let ch = send(&[draft(100)], AGENCY, OFFICER, rules(), cal(), &at(d, 1)).expect("sends");
    assert_eq!(ch.events().len(), 1);
    assert_eq!(ch.events()[0].action, "notice.send");
    ch.into_parts().0.remove(0)
}

fn statement_input() -> StatementInput {
    StatementInput {
        ground: "illegal".into(),
        legal_ground: "《商标法》第五十七条".into(),
        facts: "商品标题及图片使用他人注册商标".into(),
        automated_detection: true,
        automated_decision: false,
        redress: "可提交不侵权声明".into(),
    }
}

fn step(
    n: &Notice,
    a: NoticeAction,
    input: StepInput,
    org: OrgId,
    d: NaiveDate,
) -> Result<Notice, NoticeError> {
    let user = if org == AGENCY { OFFICER } else { OPERATOR };
    apply(
        n,
        a,
        &input,
        user,
        org,
        Facts::default(),
        rules(),
        cal(),
        &at(d, 7),
    )
    .map(|c| {
        assert_eq!(c.events().len(), 1);
        assert_eq!(c.events()[0].action, format!("notice.{a}"));
        c.into_parts().0
    })
}

fn acted(d: NaiveDate) -> Notice {
    let n = sent_on(d);
    let n = step(
        &n,
        NoticeAction::Acknowledge,
        StepInput::default(),
        PLATFORM,
        d,
    )
    .unwrap();
    step(
        &n,
        NoticeAction::Act,
        StepInput {
            measure: Some("removed".into()),
            statement: Some(statement_input()),
            ..Default::default()
        },
        PLATFORM,
        d,
    )
    .unwrap()
}

fn objection_forwarded(d: NaiveDate) -> Notice {
    let n = acted(d);
    let n = step(&n, NoticeAction::Forward, StepInput::default(), PLATFORM, d).unwrap();
    let n = step(
        &n,
        NoticeAction::Object,
        StepInput {
            declaration: Some(Declaration {
                text: "本店商品为品牌授权经销".into(),
                evidence: vec!["授权书编号 A-2026-001".into()],
            }),
            ..Default::default()
        },
        PLATFORM,
        d,
    )
    .unwrap();
    step(
        &n,
        NoticeAction::ForwardObjection,
        StepInput::default(),
        PLATFORM,
        d,
    )
    .unwrap()
}

#[test]
fn the_whole_path_to_restoration_keeps_each_time_and_clock() {
    // Mon 2026-11-02.
    let d = date(2026, 11, 2);
    let n = sent_on(d);
    assert_eq!(n.state, NoticeState::Sent);
    assert_eq!(
        (n.due_step, n.due),
        (Some(NoticeStep::Acknowledge), Some(date(2026, 11, 3)))
    );
    let n = acted(d);
    assert_eq!(n.state, NoticeState::Acted);
    assert_eq!(n.measure, Some(Measure::Removed));
    let s = n.statement.as_ref().unwrap();
    assert_eq!(
        (s.decision.as_str(), s.source),
        ("removed", NoticeSource::AgencyOrder)
    );
    assert!(s.automated_detection && !s.automated_decision);
    // Acknowledged Monday: two working days to act, Wednesday; decided the same day.
    assert_eq!(n.act_due, Some(date(2026, 11, 4)));
    assert_eq!(n.decided_on_time, Some(true));
    assert_eq!(n.due_step, Some(NoticeStep::ForwardToSeller));
    let n = objection_forwarded(d);
    assert_eq!(n.state, NoticeState::ObjectionForwarded);
    // 15 natural days from Monday 11-02: Tuesday 11-17.
    assert_eq!(n.response_due, Some(date(2026, 11, 17)));
    assert!(!n.due_provisional);
    // Restoring on the last day of the period is refused; the day after it is allowed.
    let restore = StepInput {
        statement: Some(StatementInput {
            facts: "十五日内未收到投诉或起诉通知".into(),
            ..statement_input()
        }),
        ..Default::default()
    };
    let early = step(
        &n,
        NoticeAction::Restore,
        restore.clone(),
        PLATFORM,
        date(2026, 11, 17),
    );
    assert!(matches!(early, Err(NoticeError::Guard(_))), "{early:?}");
    let r = step(
        &n,
        NoticeAction::Restore,
        restore,
        PLATFORM,
        date(2026, 11, 18),
    )
    .unwrap();
    assert_eq!(r.state, NoticeState::Restored);
    assert_eq!(r.statement.as_ref().unwrap().decision, "restored");
    assert!(r.closed_at.is_some() && r.due.is_none());
    assert_eq!(r.version, 7, "one version per step");
}

#[test]
fn escalation_only_within_the_period_and_it_keeps_the_measure() {
    let d = date(2026, 11, 2);
    let n = objection_forwarded(d);
    let esc = StepInput {
        reference: Some("(2026)沪0115民初123号".into()),
        ..Default::default()
    };
    // The complainant (the sender) shows the lawsuit on the last day.
    let e = step(
        &n,
        NoticeAction::Escalate,
        esc.clone(),
        AGENCY,
        date(2026, 11, 17),
    )
    .unwrap();
    assert_eq!(e.state, NoticeState::Escalated);
    assert_eq!(e.measure, Some(Measure::Removed));
    let late = step(&n, NoticeAction::Escalate, esc, AGENCY, date(2026, 11, 18));
    assert!(matches!(late, Err(NoticeError::Guard(_))), "{late:?}");
}

#[test]
fn steps_out_of_order_the_wrong_party_and_a_closed_case_are_refused() {
    let d = date(2026, 11, 2);
    let n = sent_on(d);
    for a in [
        NoticeAction::Act,
        NoticeAction::Forward,
        NoticeAction::Object,
        NoticeAction::Restore,
    ] {
        let r = step(&n, a, StepInput::default(), PLATFORM, d);
        assert!(matches!(r, Err(NoticeError::State { .. })), "{a}: {r:?}");
    }
    let r = step(
        &n,
        NoticeAction::Acknowledge,
        StepInput::default(),
        OTHER_PLATFORM,
        d,
    );
    assert!(matches!(r, Err(NoticeError::Party(_))), "{r:?}");
    let r = step(
        &n,
        NoticeAction::Acknowledge,
        StepInput::default(),
        AGENCY,
        d,
    );
    assert!(
        matches!(r, Err(NoticeError::Party(_))),
        "the sender cannot answer for the platform"
    );
    let r = step(
        &n,
        NoticeAction::Withdraw,
        StepInput::default(),
        PLATFORM,
        d,
    );
    assert!(
        matches!(r, Err(NoticeError::Party(_))),
        "only the sender withdraws"
    );
    let closed = apply(
        &n,
        NoticeAction::Acknowledge,
        &StepInput::default(),
        OPERATOR,
        PLATFORM,
        Facts { case_closed: true },
        rules(),
        cal(),
        &at(d, 3),
    );
    assert!(matches!(closed, Err(NoticeError::Guard(_))), "{closed:?}");
}

#[test]
fn decisions_need_their_inputs() {
    let d = date(2026, 11, 2);
    let n = step(
        &sent_on(d),
        NoticeAction::Acknowledge,
        StepInput::default(),
        PLATFORM,
        d,
    )
    .unwrap();
    let no_measure = step(
        &n,
        NoticeAction::Act,
        StepInput {
            statement: Some(statement_input()),
            ..Default::default()
        },
        PLATFORM,
        d,
    );
    assert!(
        matches!(no_measure, Err(NoticeError::Invalid { ref field, .. }) if field == "measure")
    );
    let no_statement = step(&n, NoticeAction::Refuse, StepInput::default(), PLATFORM, d);
    assert!(
        matches!(no_statement, Err(NoticeError::Invalid { ref field, .. }) if field == "statement")
    );
    let bad_ground = step(
        &n,
        NoticeAction::Refuse,
        StepInput {
            statement: Some(StatementInput {
                ground: "x".into(),
                ..statement_input()
            }),
            ..Default::default()
        },
        PLATFORM,
        d,
    );
    assert!(
        matches!(bad_ground, Err(NoticeError::Invalid { ref field, .. }) if field == "statement.ground")
    );
    let refused = step(
        &n,
        NoticeAction::Refuse,
        StepInput {
            statement: Some(statement_input()),
            ..Default::default()
        },
        PLATFORM,
        d,
    )
    .unwrap();
    assert_eq!(refused.state, NoticeState::Refused);
    assert_eq!(refused.statement.unwrap().decision, "refused");
    // A declaration without evidence is refused (第四十三条: 初步证据).
    let fwd = step(
        &acted(d),
        NoticeAction::Forward,
        StepInput::default(),
        PLATFORM,
        d,
    )
    .unwrap();
    let r = step(
        &fwd,
        NoticeAction::Object,
        StepInput {
            declaration: Some(Declaration {
                text: "我们没有侵权".into(),
                evidence: vec![],
            }),
            ..Default::default()
        },
        PLATFORM,
        d,
    );
    assert!(
        matches!(r, Err(NoticeError::Invalid { ref field, .. }) if field == "declaration.evidence")
    );
}

#[test]
fn a_batch_refuses_the_same_listing_twice_naming_the_item() {
    let r = send(
        &[draft(1), draft(2), draft(1)],
        AGENCY,
        OFFICER,
        rules(),
        cal(),
        &at(date(2026, 11, 2), 1),
    );
    match r {
        Err(NoticeError::Invalid { field, message }) => {
            assert_eq!(field, "notices[2].listing");
            assert!(message.contains("notices[0]"), "{message}");
        }
        other => panic!("{other:?}"),
    }
    let mut d = draft(1);
    d.source = NoticeSource::Complaint;
    let r = send(
        &[d],
        AGENCY,
        OFFICER,
        rules(),
        cal(),
        &at(date(2026, 11, 2), 1),
    );
    assert!(
        matches!(r, Err(NoticeError::Invalid { ref field, .. }) if field == "notices[0].complaint")
    );
    let ctx = Context::with_counter(RequestId(Uuid::from_u128(1)), Utc::now(), 1, 200);
    let many: Vec<Draft> = (0..100).map(draft).collect();
    let ch = send(&many, AGENCY, OFFICER, rules(), cal(), &ctx).unwrap();
    assert_eq!(ch.events().len(), 100);
}

#[test]
fn deadlines_across_the_2026_to_2027_year_turn_are_provisional() {
    // 2027's holiday notice is not published: a count into 2027 is flagged.
    assert!(cal().is_provisional(date(2027, 1, 4)).unwrap());
    // Sent Thursday 2026-12-31: one working day; 2027-01-01 is New Year's Day (a Friday),
    // so the platform has until Monday 2027-01-04, provisionally.
    let n = sent_on(date(2026, 12, 31));
    assert_eq!(n.due, Some(date(2027, 1, 4)));
    assert!(n.due_provisional);
    // The complainant's 15 natural days from Sunday 2026-12-20 end Monday 2027-01-04.
    let n = objection_forwarded(date(2026, 12, 20));
    assert_eq!(n.response_due, Some(date(2027, 1, 4)));
    assert!(n.due_provisional);
    // A period inside 2026 is exact.
    let n = objection_forwarded(date(2026, 12, 1));
    assert_eq!(n.response_due, Some(date(2026, 12, 16)));
    assert!(!n.due_provisional);
}

#[test]
fn the_rule_file_is_checked() {
    assert!(NoticeRules::defaults().is_ok());
    let lengthened = DEFAULTS.replace("length = 15", "length = 30");
    let e = NoticeRules::parse(&lengthened).unwrap_err();
    assert!(e.to_string().contains("complainant_response"), "{e}");
    let missing = DEFAULTS.replace("step = \"act\"", "step = \"acknowledge\"");
    let e = NoticeRules::parse(&missing).unwrap_err();
    assert!(e.to_string().contains("twice"), "{e}");
    for r in rules().rules() {
        assert!(!r.legal_basis.is_empty() && !r.source.is_empty());
    }
}

#[test]
fn the_table_reaches_every_state_and_every_open_state_has_a_way_out() {
    let mut reached = vec![NoticeState::Sent];
    for t in TRANSITIONS {
        reached.push(t.to);
    }
    for s in NoticeState::ALL {
        assert!(reached.contains(s), "{s} unreachable");
        let exits = TRANSITIONS.iter().filter(|t| t.from.contains(s)).count();
        assert_eq!(
            s.is_open(),
            exits > 0,
            "{s}: open states and only they have exits"
        );
    }
    for a in NoticeAction::ALL {
        assert_eq!(
            TRANSITIONS.iter().filter(|t| t.action == *a).count(),
            1,
            "{a}"
        );
    }
    assert!(render_table().contains("restore"));
}
