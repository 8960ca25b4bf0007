//! Seized goods (涉案物品): what was seized, where it is kept, every handover, and its
//! destruction (无害化销毁, seed 002 二(三)12-13) with at least two witnesses.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

use crate::audit::{Change, Context, Events, IdSupply, ObjectType, OutOfIds, Recorder};
use crate::id::{CaseId, OrgId, SeizedItemId, UserId};
use crate::org::{Actor, Role};

/// Why a seized-goods command was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SeizedError {
    /// A required text was empty.
    #[error("{0} must not be empty")]
    Empty(&'static str),
    /// Quantity must be positive.
    #[error("the quantity must be positive")]
    Quantity,
    /// Fewer than two witnesses.
    #[error("destruction needs at least two witnesses, {0} given")]
    Witnesses(usize),
    /// Already destroyed.
    #[error("the item was already destroyed on {0}; nothing more can be recorded")]
    Destroyed(NaiveDate),
    /// A destruction dated after today (Asia/Shanghai): it is recorded once done.
    #[error("the day of destruction {on} is in the future (today is {today})")]
    FutureDestruction {
        /// The day given.
        on: NaiveDate,
        /// Today in Asia/Shanghai.
        today: NaiveDate,
    },
    /// Handover from a place the item is not.
    #[error("the item is held at {held}, not {claimed}")]
    WrongCustody {
        /// Where it is.
        held: String,
        /// Where the handover said.
        claimed: String,
    },
    /// Not an officer or supervisor of the case's agency.
    #[error(
        "only an officer or supervisor of the agency holding the case may record seized goods"
    )]
    NotPermitted,
    /// Fresh ids ran out.
    #[error(transparent)]
    Ids(#[from] OutOfIds),
}

/// One handover of custody. Child table `seized_item_handovers`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Handover {
    /// Custody before.
    pub from: String,
    /// Custody after (公物仓, a testing lab, the police).
    pub to: String,
    /// When.
    pub at: DateTime<Utc>,
    /// Who recorded it.
    pub recorded_by: UserId,
    /// Note (handover document number).
    pub note: String,
}

/// The destruction record.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Destruction {
    /// Day destroyed.
    pub on: NaiveDate,
    /// Method (焚烧, 粉碎, by a licensed hazardous-waste unit …).
    pub method: String,
    /// Where.
    pub place: String,
    /// Witnesses (names), at least two.
    pub witnesses: Vec<String>,
    /// Who recorded it.
    pub recorded_by: UserId,
}

/// A seized item. Table `seized_items`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SeizedItem {
    /// Stable id.
    pub id: SeizedItemId,
    /// The case.
    pub case: CaseId,
    /// The agency that seized it.
    pub org: OrgId,
    /// Description (goods, mark, model).
    pub description: String,
    /// Quantity in `unit`s.
    pub quantity: u64,
    /// Unit (件, 双, 箱, 千克).
    pub unit: String,
    /// Where it is kept now.
    pub custody: String,
    /// Handovers, in order.
    pub handovers: Vec<Handover>,
    /// Destruction, once destroyed.
    pub destruction: Option<Destruction>,
    /// Optimistic concurrency version.
    pub version: i64,
}

fn check_actor(actor: &Actor, org: OrgId) -> Result<(), SeizedError> {
    if actor.org == org && (actor.has(Role::Officer) || actor.has(Role::Supervisor)) {
        Ok(())
    } else {
        Err(SeizedError::NotPermitted)
    }
}

fn non_empty(s: &str, what: &'static str) -> Result<String, SeizedError> {
    let t = s.trim();
    if t.is_empty() {
        Err(SeizedError::Empty(what))
    } else {
        Ok(t.to_string())
    }
}

/// Records a seizure.
#[allow(clippy::too_many_arguments)]
pub fn record_seizure(
    actor: &Actor,
    case: CaseId,
    description: &str,
    quantity: u64,
    unit: &str,
    custody: &str,
    ctx: &Context,
) -> Result<Change<SeizedItem>, SeizedError> {
    check_actor(actor, actor.org)?;
    if quantity == 0 {
        return Err(SeizedError::Quantity);
    }
    let mut ids = IdSupply::new(ctx);
    let item = SeizedItem {
        id: SeizedItemId(ids.next()?),
        case,
        org: actor.org,
        description: non_empty(description, "the description")?,
        quantity,
        unit: non_empty(unit, "the unit")?,
        custody: non_empty(custody, "the custody location")?,
        handovers: Vec::new(),
        destruction: None,
        version: 1,
    };
    record(actor, ctx, &mut ids, "seized.record", None, item)
}

/// Records a handover of custody from `from` to `to`.
pub fn hand_over(
    actor: &Actor,
    item: &SeizedItem,
    from: &str,
    to: &str,
    note: &str,
    ctx: &Context,
) -> Result<Change<SeizedItem>, SeizedError> {
    check_actor(actor, item.org)?;
    if let Some(d) = &item.destruction {
        return Err(SeizedError::Destroyed(d.on));
    }
    let from = non_empty(from, "the handover's from")?;
    if from != item.custody {
        return Err(SeizedError::WrongCustody {
            held: item.custody.clone(),
            claimed: from,
        });
    }
    let to = non_empty(to, "the handover's to")?;
    let mut n = item.clone();
    n.handovers.push(Handover {
        from,
        to: to.clone(),
        at: ctx.now,
        recorded_by: actor.user,
        note: note.trim().to_string(),
    });
    n.custody = to;
    n.version += 1;
    let mut ids = IdSupply::new(ctx);
    record(actor, ctx, &mut ids, "seized.hand_over", Some(item), n)
}

/// Records destruction (无害化销毁) once done: on a day not after today (Asia/Shanghai, from
/// the context's time), with at least two distinct witnesses.
pub fn destroy(
    actor: &Actor,
    item: &SeizedItem,
    on: NaiveDate,
    method: &str,
    place: &str,
    witnesses: &[String],
    ctx: &Context,
) -> Result<Change<SeizedItem>, SeizedError> {
    check_actor(actor, item.org)?;
    if let Some(d) = &item.destruction {
        return Err(SeizedError::Destroyed(d.on));
    }
    let today = wangjian_calendar::shanghai_date(ctx.now);
    if on > today {
        return Err(SeizedError::FutureDestruction { on, today });
    }
    let mut w: Vec<String> = Vec::new();
    for x in witnesses.iter().map(|s| s.trim()).filter(|s| !s.is_empty()) {
        if !w.iter().any(|y| y == x) {
            w.push(x.to_string());
        }
    }
    if w.len() < 2 {
        return Err(SeizedError::Witnesses(w.len()));
    }
    let mut n = item.clone();
    n.destruction = Some(Destruction {
        on,
        method: non_empty(method, "the method")?,
        place: non_empty(place, "the place")?,
        witnesses: w,
        recorded_by: actor.user,
    });
    n.version += 1;
    let mut ids = IdSupply::new(ctx);
    record(actor, ctx, &mut ids, "seized.destroy", Some(item), n)
}

fn record(
    actor: &Actor,
    ctx: &Context,
    ids: &mut IdSupply<'_>,
    action: &str,
    before: Option<&SeizedItem>,
    after: SeizedItem,
) -> Result<Change<SeizedItem>, SeizedError> {
    let rec = Recorder {
        ctx,
        actor: actor.user,
        actor_org: actor.org,
        root_case: Some(after.case),
    };
    let ev = rec.event(
        ids,
        action,
        ObjectType::SeizedItem,
        after.id.0,
        before,
        &after,
    )?;
    Ok(Change::new(
        after,
        Events::new(vec![ev]).ok_or(OutOfIds(0))?,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::id::RequestId;
    use chrono::TimeZone;

    fn actor() -> Actor {
        Actor {
            user: UserId::from_u128(1),
            org: OrgId::from_u128(2),
            roles: vec![Role::Officer],
        }
    }

    fn ctx(seed: u128) -> Context {
        Context::with_counter(
            RequestId::from_u128(seed),
            Utc.with_ymd_and_hms(2024, 10, 9, 2, 0, 0).unwrap(),
            seed * 100,
            4,
        )
    }

    #[test]
    fn seizure_handover_destruction() {
        let c = record_seizure(
            &actor(),
            CaseId::from_u128(3),
            "假冒运动鞋",
            120,
            "双",
            "公物仓A",
            &ctx(1),
        )
        .unwrap();
        let (item, ev) = c.into_parts();
        assert_eq!((ev.len(), item.version), (1, 1));
        let err = hand_over(&actor(), &item, "公物仓B", "检验所", "", &ctx(2)).unwrap_err();
        assert!(matches!(err, SeizedError::WrongCustody { .. }));
        let (item, ev) = hand_over(&actor(), &item, "公物仓A", "检验所", "交接单001", &ctx(3))
            .unwrap()
            .into_parts();
        assert_eq!((item.custody.as_str(), item.version), ("检验所", 2));
        assert_eq!(
            ev[0]
                .changed
                .iter()
                .map(|f| f.field.as_str())
                .collect::<Vec<_>>(),
            ["custody", "handovers", "version"]
        );
        // The context's time is 2024-10-09 10:00 in Shanghai: a destruction is recorded
        // once done, never ahead.
        let two = vec!["王五".to_string(), "赵六".to_string()];
        let tomorrow = NaiveDate::from_ymd_opt(2024, 10, 10).unwrap();
        assert_eq!(
            destroy(&actor(), &item, tomorrow, "焚烧", "某处", &two, &ctx(4)).unwrap_err(),
            SeizedError::FutureDestruction {
                on: tomorrow,
                today: NaiveDate::from_ymd_opt(2024, 10, 9).unwrap()
            }
        );
        let d = NaiveDate::from_ymd_opt(2024, 10, 9).unwrap();
        let one = vec!["王五".to_string(), " 王五 ".to_string()];
        assert_eq!(
            destroy(&actor(), &item, d, "焚烧", "某危废处置中心", &one, &ctx(4)).unwrap_err(),
            SeizedError::Witnesses(1)
        );
        let (item, _) = destroy(&actor(), &item, d, "焚烧", "某危废处置中心", &two, &ctx(5))
            .unwrap()
            .into_parts();
        assert_eq!(
            destroy(&actor(), &item, d, "焚烧", "x", &two, &ctx(6)).unwrap_err(),
            SeizedError::Destroyed(d)
        );
        let outsider = Actor {
            org: OrgId::from_u128(9),
            ..actor()
        };
        assert_eq!(
            hand_over(&outsider, &item, "检验所", "x", "", &ctx(7)).unwrap_err(),
            SeizedError::NotPermitted
        );
    }
}
