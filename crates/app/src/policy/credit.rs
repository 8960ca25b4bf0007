//! The policy of credit (issue 17): credit files, the serious-violation list, screening
//! and the disclosure board. Penalty decisions themselves (publishing one) are
//! [`Resource::Decision`](super::Resource::Decision) in the main table.
//!
//! - A **credit file** (records, class, list history) is read by the case workers of
//!   agencies and coordination offices, any region: sharing credit information across
//!   regions and departments is the point (信用信息共享, seed 001 三(三)). Platforms,
//!   rights holders and the public do not read it; the public sees what is published
//!   (penalty decisions in their publicity period, the list).
//! - **Adding a record**: agencies' case workers add any record but the two that come
//!   from their own flows (a penalty decision comes with the case's decision, a listing
//!   with the listing decision); a platform's operators add their own self-inspection
//!   actions (电子商务法 第二十九条) and nothing else.
//! - **The list**: entering a subject is for agencies' case workers (the domain requires
//!   a supervisor, 负责人); credit repair only for the agency that listed it. Everyone
//!   reads the list (it is published).
//! - **Screening** (`POST /api/v1/screen`): platforms' operators and agencies' and
//!   coordination offices' case workers. Each call is recorded (who, how many).
//! - **The disclosure board**: a coordination office reads the late and due disclosures
//!   of its region; an agency its own pending ones.

use wangjian_domain::credit::CreditRecordKind;

use super::{forbid, Access, Capacity, Principal};

/// May `who` read subjects' credit files?
pub fn may_read_credit_file(who: &Principal) -> Access {
    match who {
        Principal::Member(m)
            if matches!(m.capacity(), Capacity::CaseWorker | Capacity::Coordinator) =>
        {
            Access::Allow
        }
        _ => Access::Hidden,
    }
}

/// May `who` add a credit record of `kind` (by [`App::add_credit_record`](crate::App))?
pub fn may_add_credit_record(who: &Principal, kind: CreditRecordKind) -> Access {
    let Principal::Member(m) = who else {
        return forbid("sign in first");
    };
    use CreditRecordKind as K;
    match (m.capacity(), kind) {
        (_, K::PenaltyDecision) => {
            forbid("a penalty decision enters the credit file when the case's penalty is decided")
        }
        (_, K::BlacklistEntry) => {
            forbid("a listing enters the credit file with the listing decision")
        }
        (Capacity::CaseWorker, _) => Access::Allow,
        (Capacity::PlatformOperator, K::SelfInspection) => Access::Allow,
        (Capacity::PlatformOperator, _) => {
            forbid("a platform records its own self-inspection actions only")
        }
        _ => forbid("only agencies and platforms add credit records"),
    }
}

/// May `who` enter a subject on the serious-violation list (the domain also requires the
/// supervisor role)?
pub fn may_enter_blacklist(who: &Principal) -> Access {
    match who {
        Principal::Member(m) if m.capacity() == Capacity::CaseWorker => Access::Allow,
        Principal::Member(_) => forbid("only an agency decides a listing"),
        Principal::Public => forbid("sign in first"),
    }
}

/// May `who` grant credit repair of an entry listed by `deciding_org`?
pub fn may_repair_blacklist(who: &Principal, deciding_org: wangjian_domain::OrgId) -> Access {
    match who {
        Principal::Member(m)
            if m.capacity() == Capacity::CaseWorker && m.actor.org == deciding_org =>
        {
            Access::Allow
        }
        Principal::Member(_) => forbid("only the agency that listed the subject grants its repair"),
        Principal::Public => forbid("sign in first"),
    }
}

/// May `who` screen candidates against the list through the API?
pub fn may_screen(who: &Principal) -> Access {
    match who {
        Principal::Member(m)
            if matches!(
                m.capacity(),
                Capacity::PlatformOperator | Capacity::CaseWorker | Capacity::Coordinator
            ) =>
        {
            Access::Allow
        }
        Principal::Member(_) => forbid("screening is for platforms and agencies"),
        Principal::Public => forbid("sign in first"),
    }
}

/// What of the disclosure board `who` reads: a coordination office its region's, an
/// agency its own.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BoardScope {
    /// The disclosures of agencies in this region.
    Region(wangjian_domain::RegionCode),
    /// This agency's.
    Org(wangjian_domain::OrgId),
}

/// The disclosure board `who` may read, if any.
pub fn disclosure_board_scope(who: &Principal) -> Option<BoardScope> {
    match who {
        Principal::Member(m) => match m.capacity() {
            Capacity::Coordinator => Some(BoardScope::Region(m.region.clone())),
            Capacity::CaseWorker => Some(BoardScope::Org(m.actor.org)),
            _ => None,
        },
        Principal::Public => None,
    }
}

#[cfg(test)]
mod tests {
    use super::super::tests::principals;
    use super::*;

    /// Who is allowed, per check; everyone else refused.
    #[test]
    fn the_credit_table() {
        let all = principals();
        let allowed = |f: &dyn Fn(&Principal) -> Access| -> Vec<String> {
            all.iter()
                .filter(|(_, p)| f(p).is_allow())
                .map(|(l, _)| l.clone())
                .collect()
        };
        let workers = |labels: &[&str]| -> Vec<String> {
            let mut v: Vec<String> = labels
                .iter()
                .flat_map(|o| [format!("{o}.officer"), format!("{o}.supervisor")])
                .collect();
            if labels.contains(&"hz") {
                v.push("hz.officer2".into());
            }
            v.sort();
            v
        };
        let agencies = ["hz", "hzpolice", "nb", "nj"];
        let mut readers = workers(&["hz", "hzpolice", "jsoffice", "nb", "nj", "zjoffice"]);
        readers.sort();
        assert_eq!(allowed(&may_read_credit_file), readers);
        // The public and platforms get the unknown id's answer, not a refusal.
        assert_eq!(may_read_credit_file(&all["public"]), Access::Hidden);
        assert_eq!(may_read_credit_file(&all["plata.operator"]), Access::Hidden);
        assert_eq!(allowed(&may_enter_blacklist), workers(&agencies));
        let hz = all["hz.supervisor"].clone();
        let Principal::Member(m) = &hz else {
            unreachable!()
        };
        assert_eq!(
            allowed(&|p| may_repair_blacklist(p, m.actor.org)),
            workers(&["hz"])
        );
        let mut screeners = readers.clone();
        screeners.extend(["plata.operator".to_string(), "platb.operator".to_string()]);
        screeners.sort();
        assert_eq!(allowed(&may_screen), screeners);
        let mut self_inspection = workers(&agencies);
        self_inspection.extend(["plata.operator".to_string(), "platb.operator".to_string()]);
        self_inspection.sort();
        assert_eq!(
            allowed(&|p| may_add_credit_record(p, CreditRecordKind::SelfInspection)),
            self_inspection
        );
        assert_eq!(
            allowed(&|p| may_add_credit_record(p, CreditRecordKind::BrushingFinding)),
            workers(&agencies)
        );
        assert!(
            allowed(&|p| may_add_credit_record(p, CreditRecordKind::PenaltyDecision)).is_empty()
        );
        assert!(matches!(
            disclosure_board_scope(&all["zjoffice.officer"]),
            Some(BoardScope::Region(_))
        ));
        assert_eq!(disclosure_board_scope(&all["plata.operator"]), None);
        assert_eq!(disclosure_board_scope(&all["public"]), None);
    }
}
