//! The demo's credit (issue 17): each penalized case gets a party (a subject), whose
//! credit file receives the decision with its class and a disclosure; most disclosures
//! are published two working days after the decision, one late (after its seven working
//! days) and one marked a typical case; two subjects go on the serious-violation list —
//! one listed over a year ago and repaired last week, one listed now — and the platform
//! screens a few candidates against the list (its call recorded). All dates relative to
//! the demo's today, through the domain's commands and the store's write path.

use chrono::{Duration, NaiveDate};
use wangjian_app::App;
use wangjian_calendar::Calendar;
use wangjian_domain::credit::{
    self, CreditRecordKind, CreditRules, Decider, ListingDecision, NewRecord, RepairApplication,
};
use wangjian_domain::subject::Subject;
use wangjian_domain::{Case, CaseId, OrgId, SubjectId};
use wangjian_screen::{Options, Record};
use wangjian_store::{CaseQuery, Scope, Store};

use crate::world::World;
use crate::{context, noon, step_err, DemoError};

/// Party names of the penalized cases, in order (an individual business among them: its
/// name is masked in public).
const PARTIES: [(&str, Option<&str>); 8] = [
    ("杭州鑫达贸易有限公司", Some("91330106MA27XK3L1B")),
    ("杭州西湖区李记鞋服店(个体工商户)", None),
    ("宁波华腾服饰有限公司", Some("91330203MA2H8Q4T5C")),
    ("杭州云翼电子商务有限公司", Some("91330110MA2CDW7N3P")),
    ("宁波海曙恒通商贸有限公司", Some("91330203MA2J0R6Y2D")),
    ("杭州名品汇贸易有限公司", Some("91330105MA2B1G9E4F")),
    ("宁波优选箱包有限公司", Some("91330212MA2GPL2U6H")),
    ("杭州尚品运动用品有限公司", Some("91330104MA2KT45W8J")),
];

fn chief_of(w: &World, org: OrgId) -> Option<&'static str> {
    if org == w.hz {
        Some("hz_chief")
    } else if org == w.xh {
        Some("xh_chief")
    } else if org == w.nb {
        Some("nb_chief")
    } else {
        None
    }
}

fn subject_id(n: usize) -> SubjectId {
    SubjectId(uuid::Uuid::from_u128(
        0x0190_0000_0000_7000_8000_00c0_0000_0000 + n as u128,
    ))
}

/// Writes the demo's credit. Returns the number of credit files written.
pub(crate) async fn credit(
    store: &Store,
    app: &App,
    w: &World,
    today: NaiveDate,
    calendar: &Calendar,
) -> Result<u64, DemoError> {
    let rules = CreditRules::defaults().map_err(|e| step_err("credit rules", e))?;
    // Apart from the other modules' sequences (world 0…, complaints 0xc0_0000…).
    let mut seq: u128 = 0x0d00_0000;
    let mut q = CaseQuery::new(Scope::Region(
        wangjian_domain::RegionCode::parse("330000").map_err(|e| step_err("region", e))?,
    ));
    q.include_final = true;
    q.limit = 500;
    let mut decided: Vec<Case> = store
        .cases(&q)
        .await?
        .items
        .into_iter()
        .filter(|c| c.penalty.is_some() && chief_of(w, c.responsible_org).is_some())
        .collect();
    decided.sort_by_key(|c| (c.penalty.as_ref().map(|p| p.on), c.id));
    let mut files = 0;
    let mut late_done = false;
    let mut parties: Vec<(SubjectId, CaseId)> = Vec::new();
    for (n, case) in decided.iter().take(PARTIES.len()).enumerate() {
        let (name, uscc) = PARTIES[n];
        let sid = subject_id(n);
        let subject = match uscc {
            Some(u) => Subject::enterprise(sid, name, u),
            None => Ok(Subject {
                id: sid,
                name: name.to_string(),
                identity: wangjian_domain::subject::SubjectIdentity::IndividualBusiness {
                    uscc: None,
                    operator_id_hash: None,
                    operator_id_masked: None,
                },
                version: 1,
            }),
        }
        .map_err(|e| step_err("subject", e))?;
        store.put_subject(&subject).await?;
        let Some(chief_login) = chief_of(w, case.responsible_org) else {
            continue;
        };
        let chief = w.actor(chief_login);
        let Some(p) = case.penalty.clone() else {
            continue;
        };
        let at = noon(p.on);
        let party = credit::name_party(case, None, sid, &chief, &context(&mut seq, at))
            .map_err(|e| step_err("name party", e))?;
        store.apply(party).await?;
        let org = store
            .organization(case.responsible_org)
            .await?
            .ok_or_else(|| step_err("credit", "the case's agency is missing"))?;
        let decider = Decider {
            name: org.name.clone(),
            region: org.region.as_str().to_string(),
        };
        let file = store
            .credit_file(sid)
            .await?
            .ok_or_else(|| step_err("credit", "the subject is missing"))?;
        let change = credit::on_penalty_decided(
            case,
            &file,
            &decider,
            &chief,
            &rules,
            calendar,
            &context(&mut seq, at),
        )
        .map_err(|e| step_err("penalty credit", e))?;
        let d = store.apply(change).await?.value.disclosures[0].clone();
        files += 1;
        parties.push((sid, case.id));
        // Published two working days after the decision; the first one that can be,
        // three working days after its deadline (late, on the office's board).
        let on_time = calendar.add_workdays(p.on, 2).unwrap_or(p.on);
        let late = calendar.add_workdays(d.due, 3).unwrap_or(d.due);
        let publish_on = if !late_done && late <= today {
            late_done = true;
            late
        } else {
            on_time
        };
        if publish_on <= today {
            let change = credit::publish(
                &d,
                &chief,
                n == 1,
                &rules,
                &context(&mut seq, noon(publish_on)),
            )
            .map_err(|e| step_err("publish", e))?;
            store.apply(change).await?;
        }
    }

    // The list: a subject listed 400 days ago and repaired last week (it had its own
    // earlier penalty), and the first penalized subject listed now.
    let hz_chief = w.actor("hz_chief");
    let hz = store
        .organization(w.hz)
        .await?
        .ok_or_else(|| step_err("credit", "Hangzhou's agency is missing"))?;
    let decider = Decider {
        name: hz.name.clone(),
        region: hz.region.as_str().to_string(),
    };
    let repaired = Subject::enterprise(
        subject_id(100),
        "杭州恒源鞋业有限公司",
        "91330109MA28RX5M7K",
    )
    .map_err(|e| step_err("subject", e))?;
    store.put_subject(&repaired).await?;
    let start = today - Duration::days(400);
    let file = store
        .credit_file(repaired.id)
        .await?
        .ok_or_else(|| step_err("credit", "the subject is missing"))?;
    let earlier = NewRecord {
        kind: CreditRecordKind::PenaltyDecision,
        source: hz.name.clone(),
        on: start - Duration::days(20),
        legal_basis: "《中华人民共和国商标法》第六十条第二款".into(),
        reference: format!(
            "杭市监罚〔{}〕12号",
            (start - Duration::days(20)).format("%Y")
        ),
        summary: "销售假冒注册商标的运动鞋,货值金额较大".into(),
        fine_fen: Some(30_000_000),
    };
    let change = credit::add_record(
        &file,
        &hz_chief,
        &earlier,
        &rules,
        &context(&mut seq, noon(start - Duration::days(20))),
    )
    .map_err(|e| step_err("earlier penalty", e))?;
    store.apply(change).await?;
    let listing = |start: NaiveDate, n: u32| ListingDecision {
        legal_basis: "《市场监督管理严重违法失信名单管理办法》第十条第(一)项、第十二条".into(),
        decision_number: format!("杭市监列〔{}〕{n}号", start.format("%Y")),
        start,
        months: 36,
        longer_basis: None,
    };
    let file = store
        .credit_file(repaired.id)
        .await?
        .ok_or_else(|| step_err("credit", "missing"))?;
    let change = credit::enter_blacklist(
        &file,
        &hz_chief,
        &decider,
        &listing(start, 1),
        &rules,
        &context(&mut seq, noon(start)),
    )
    .map_err(|e| step_err("listing", e))?;
    let entry = store.apply(change).await?.value.entries[0].clone();
    let repair_on = today - Duration::days(7);
    let file = store
        .credit_file(repaired.id)
        .await?
        .ok_or_else(|| step_err("credit", "missing"))?;
    let change = credit::repair_blacklist(
        &file,
        &entry,
        &hz_chief,
        &RepairApplication {
            applied_on: repair_on - Duration::days(14),
            obligations_fulfilled: "罚没款已于处罚决定送达后十五日内缴清(缴款书编号见卷宗)".into(),
            harm_removed: "已召回售出商品并在店铺首页公开致歉".into(),
        },
        &rules,
        &context(&mut seq, noon(repair_on)),
    )
    .map_err(|e| step_err("repair", e))?;
    store.apply(change).await?;
    files += 1;
    if let Some((sid, _)) = parties.first() {
        let file = store
            .credit_file(*sid)
            .await?
            .ok_or_else(|| step_err("credit", "missing"))?;
        let start = today - Duration::days(3);
        if !file.blacklisted_on(today) {
            let change = credit::enter_blacklist(
                &file,
                &hz_chief,
                &decider,
                &listing(start, 2),
                &rules,
                &context(&mut seq, noon(start)),
            )
            .map_err(|e| step_err("listing", e))?;
            store.apply(change).await?;
        }
    }

    // The platform screens its new shops' operators against the list.
    let index = app
        .screening_index(today)
        .await
        .map_err(|e| step_err("screening index", e))?;
    let candidates = [
        ("shop-8812", "杭州鑫達貿易有限公司"),
        ("shop-8813", "鑫达贸易(杭州)有限责任公司"),
        ("shop-8814", "杭州鑫达贸易有限公司滨江分公司"),
        ("shop-8815", "温州顺达鞋业有限公司"),
    ];
    let mut flagged = 0;
    for (id, name) in candidates {
        let r = Record {
            id: Some(id.into()),
            name: Some(name.into()),
            ..Record::default()
        };
        if !index.screen(&r, &Options::default()).matches.is_empty() {
            flagged += 1;
        }
    }
    let platform = w.actor("platform");
    let read = credit::record_screening(
        &platform,
        candidates.len() as u64,
        flagged,
        index.stats().entries as u64,
        &context(&mut seq, noon(today)),
    )
    .map_err(|e| step_err("screening", e))?;
    store.record_read(read).await?;
    Ok(files)
}
