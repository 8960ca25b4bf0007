//! The demo fills an empty SQLite database with a case in every state, is found again
//! instead of written twice, and refuses a database that holds other data.

use std::collections::BTreeSet;

use chrono::NaiveDate;
use wangjian_demo::{fill, DemoError, DemoOptions, DEMO_PASSWORD};
use wangjian_domain::{CaseState, RegionCode};
use wangjian_store::{CaseQuery, Scope, Store};

fn fake_hash(p: &str) -> Result<String, String> {
    Ok(format!("plain:{p}"))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fills_an_empty_database_with_every_state() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite:{}", dir.path().join("demo.db").display());
    let store = Store::open(&url).await.unwrap();
    let opts = DemoOptions {
        listings: 600,
        today: Some(NaiveDate::from_ymd_opt(2026, 6, 15).unwrap()),
    };
    let report = fill(&store, &opts, &fake_hash).await.unwrap();
    assert!(!report.already_there);
    assert_eq!(report.listings, 600);
    assert!(report.leads > 50, "{} leads", report.leads);
    assert!(report.cases >= 30, "{} cases", report.cases);
    assert!(report.logins.iter().any(|l| l.login == "office"));
    // Brushing: the ring's group was found and turned into a lead and a case; the shops'
    // identifiers of both platforms are stored.
    assert!(
        report.brushing_groups >= 1,
        "{} groups",
        report.brushing_groups
    );
    let all = wangjian_store::GroupFilter {
        all: true,
        ..Default::default()
    };
    let groups = store
        .brushing_groups(&all, Some("confirmed"), 10)
        .await
        .unwrap();
    assert_eq!(groups.len(), 1, "{groups:?}");
    assert!(groups[0].lead.is_some());
    assert!(!store
        .brushing_evidence(groups[0].id)
        .await
        .unwrap()
        .is_empty());
    let ids = store.identifiers_since(0, 1000).await.unwrap();
    let platforms: BTreeSet<_> = ids.iter().map(|r| r.row.platform).collect();
    assert_eq!(platforms.len(), 2, "identifiers of two platforms");

    // Every state of the state machine is there, seen by the coordination office.
    let mut q = CaseQuery::new(Scope::Region(RegionCode::parse("330000").unwrap()));
    q.include_final = true;
    q.limit = 500;
    let page = store.cases(&q).await.unwrap();
    let states: BTreeSet<CaseState> = page.items.iter().map(|c| c.state).collect();
    for s in CaseState::ALL {
        assert!(
            states.contains(&s),
            "no case in state {s:?}; have {states:?}"
        );
    }
    // Complaints from the public in every state, one of them past its deadline.
    assert_eq!(report.complaints, 6);
    let mut complaint_states = BTreeSet::new();
    let mut overdue = 0;
    for org in store.organizations().await.unwrap() {
        for c in store
            .complaints(org.id, None, None, 50)
            .await
            .unwrap()
            .items
        {
            complaint_states.insert(c.state.as_str());
            if c.state == wangjian_domain::complaint::ComplaintState::Received
                && c.accept_due < opts.today.unwrap()
            {
                overdue += 1;
            }
        }
    }
    assert_eq!(
        complaint_states,
        BTreeSet::from(["accepted", "handled", "received", "refused"])
    );
    assert_eq!(overdue, 1);
    // Notices in every state of the machine, and the platform's self-inspection weeks.
    assert!(report.notices >= 10, "{} notices", report.notices);
    let mut notice_states = BTreeSet::new();
    store
        .export_table("notices", |row| {
            notice_states.insert(row["state"].as_str().unwrap_or_default().to_string());
            Ok(())
        })
        .await
        .unwrap();
    for s in wangjian_domain::notice::NoticeState::ALL {
        assert!(
            notice_states.contains(s.as_str()),
            "no notice {s}: {notice_states:?}"
        );
    }
    let mut inspections = 0;
    store
        .export_table("self_inspections", |_| {
            inspections += 1;
            Ok(())
        })
        .await
        .unwrap();
    assert_eq!(inspections, 8);
    let (_, hash) = store.user_by_login("hz_officer").await.unwrap().unwrap();
    assert_eq!(
        hash.as_deref(),
        Some(format!("plain:{DEMO_PASSWORD}").as_str())
    );

    credit_is_there(&store, opts.today.unwrap()).await;

    // A second run finds the demo and writes nothing.
    let again = fill(&store, &opts, &fake_hash).await.unwrap();
    assert!(again.already_there);
    assert_eq!(store.cases(&q).await.unwrap().items.len(), page.items.len());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn refuses_a_database_with_other_data() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite:{}", dir.path().join("other.db").display());
    let store = Store::open(&url).await.unwrap();
    let org = wangjian_domain::Organization::new(
        wangjian_domain::OrgId(uuid::Uuid::from_u128(7)),
        "某市市场监督管理局",
        "某市监",
        wangjian_domain::OrgKind::CoordinationOffice,
        RegionCode::parse("110000").unwrap(),
    )
    .unwrap();
    store.put_organization(&org).await.unwrap();
    let err = fill(&store, &DemoOptions::default(), &fake_hash)
        .await
        .unwrap_err();
    assert!(matches!(err, DemoError::NotEmpty(1)), "{err}");
}

/// The deadlines of a demo written on `today` are alive: some overdue, most running, due
/// dates spread over at least three coming weeks.
async fn demo_on(today: NaiveDate) {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite:{}", dir.path().join("demo.db").display());
    let store = Store::open(&url).await.unwrap();
    let opts = DemoOptions {
        listings: 300,
        today: Some(today),
    };
    let report = fill(&store, &opts, &fake_hash)
        .await
        .unwrap_or_else(|e| panic!("demo on {today}: {e}"));
    assert_eq!(report.today, today);
    assert!(report.notices >= 10, "{today}: {} notices", report.notices);
    credit_is_there(&store, today).await;
    let cal = store.calendar().await.unwrap();
    let region = RegionCode::parse("330000").unwrap();
    let due = store
        .due_deadlines(&region, today, 80, &cal, None, 500)
        .await
        .unwrap()
        .items;
    let overdue = due.iter().filter(|d| d.overdue).count();
    let running: BTreeSet<i64> = due
        .iter()
        .filter(|d| !d.overdue)
        .map(|d| (d.due - today).num_days() / 7)
        .collect();
    assert!(overdue >= 1, "{today}: no deadline overdue");
    assert!(
        overdue * 2 < due.len(),
        "{today}: {overdue} of {} deadlines overdue",
        due.len()
    );
    assert!(
        running.len() >= 3,
        "{today}: running deadlines fall due in weeks {running:?} only"
    );
    store.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn works_around_the_turn_of_the_year_and_today() {
    // The last weeks of a published year running into an unpublished one, New Year's Day,
    // the first working days and the Spring Festival of a provisional year, and the real
    // date (whatever day the tests run on).
    for day in [
        "2026-12-03",
        "2026-12-24",
        "2026-12-31",
        "2027-01-01",
        "2027-01-04",
        "2027-02-08",
        "2025-12-31",
        "2027-12-30",
    ] {
        demo_on(wangjian_calendar::parse_date(day).unwrap()).await;
    }
    demo_on(wangjian_calendar::shanghai_date(chrono::Utc::now())).await;
}

/// The demo's credit: published decisions (one late) in public view, two blacklist
/// entries of which one repaired, the platform's screening call recorded.
async fn credit_is_there(store: &Store, today: NaiveDate) {
    let public = store
        .public_disclosures(today, &wangjian_store::DisclosureQuery::default(), 100, 0)
        .await
        .unwrap();
    assert!(public.len() >= 2, "{today}: {} published", public.len());
    assert!(
        public.iter().any(|d| d.is_late(today)),
        "{today}: none late"
    );
    assert!(public.iter().any(|d| d.party_is_person));
    let listed = store.blacklist_on(today, None, None).await.unwrap();
    assert_eq!(listed.len(), 1, "{today}: one active entry");
    let region = RegionCode::parse("330000").unwrap();
    let board = store
        .disclosures_due(&region, today, today, 100)
        .await
        .unwrap();
    assert!(
        board.iter().any(|d| d.is_late(today)),
        "{today}: the late one is on the board"
    );
    let repaired = store.find_subjects("恒源鞋业", 5).await.unwrap();
    let file = store.credit_file(repaired[0].id).await.unwrap().unwrap();
    assert_eq!(
        file.entries[0].state_on(today),
        wangjian_domain::credit::BlacklistState::Repaired
    );
    let events = store.events_after(0, 1_000_000).await.unwrap();
    assert_eq!(
        events
            .iter()
            .filter(|e| e.event.action == "screen.call")
            .count(),
        1
    );
}
