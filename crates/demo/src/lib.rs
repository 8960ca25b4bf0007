//! The wangjian demo: fills an empty database with a small, living province so that a
//! newcomer sees the system at work in one command (`wangjian demo`, `wangjian serve
//! --demo`).
//!
//! # What it writes
//!
//! 浙江省 with two cities (杭州, 宁波) and two of their districts: market-regulation
//! agencies at province, city and county level, the provincial IP office, the Hangzhou
//! police, the provincial coordination office (双打办), a platform and two rights holders
//! with their marks; a login for each role; a few thousand listings patrolled into leads
//! with the default rule pack; cases in every state of the state machine, with their
//! deadlines (some overdue, some due soon), a criminal referral, transfers (one whose
//! acknowledgement is overdue), supervision orders, seized goods and penalty decisions;
//! complaints and reports from the public portal in every state.
//!
//! # How
//!
//! Only through the [`Store`] and the domain's commands, exactly as an officer's actions
//! are written: every case step is a `CaseCommand` with its audit events. Dates are laid
//! out backwards from "today" (the real date, any day of the year: deadlines that run into
//! a year without its holiday notice are counted provisionally and flagged), so deadlines
//! are alive when you look: spread over the coming weeks, a few overdue. Ids come from a
//! fixed seed: the same demo every time.
//!
//! # What it must never do
//!
//! Write into a database that holds anything but a previous demo: [`fill`] refuses a
//! non-empty database, and finds a complete earlier demo instead of writing it twice.

#![deny(missing_docs)]

mod complaints;
mod evidence;
mod listings;
mod world;

use chrono::{DateTime, Duration, NaiveDate, TimeZone, Utc};
use wangjian_calendar::Calendar;
use wangjian_detect::{parse_marks, Detector, Level, RulePack};
use wangjian_domain::case::Env;
use wangjian_domain::deadline::RuleSet;
use wangjian_domain::lead::LeadDedupKey;
use wangjian_domain::{Context, LeadId, RequestId};
use wangjian_store::{lead_id_for, ListingInput, ScanLead, Store, StoreError};

pub use world::{DemoLogin, DEMO_PASSWORD};

/// Why the demo could not be written.
#[derive(Debug, thiserror::Error)]
pub enum DemoError {
    /// The database holds other data.
    #[error(
        "the database is not empty ({0} organizations); the demo only fills an empty database"
    )]
    NotEmpty(usize),
    /// The store refused a write.
    #[error("store: {0}")]
    Store(#[from] StoreError),
    /// A domain command refused (a bug in the demo script: please report it).
    #[error("demo step {step}: {message}")]
    Step {
        /// The step.
        step: String,
        /// The domain's reason.
        message: String,
    },
    /// Hashing a demo password failed.
    #[error("hashing the demo password: {0}")]
    Password(String),
}

/// What to generate.
#[derive(Debug, Clone)]
pub struct DemoOptions {
    /// Listings to patrol.
    pub listings: usize,
    /// The demo's "today"; `None` for the real date.
    pub today: Option<NaiveDate>,
}

impl Default for DemoOptions {
    fn default() -> Self {
        DemoOptions {
            listings: 3000,
            today: None,
        }
    }
}

/// What [`fill`] did.
#[derive(Debug, Clone)]
pub struct DemoReport {
    /// True when an earlier demo was found and nothing was written.
    pub already_there: bool,
    /// The demo's today.
    pub today: NaiveDate,
    /// Listings patrolled.
    pub listings: u64,
    /// Leads kept (level medium or above).
    pub leads: u64,
    /// Cases registered.
    pub cases: u64,
    /// Complaints and reports from the public, in every state.
    pub complaints: u64,
    /// The sign-in names, one per role (all with [`DEMO_PASSWORD`]).
    pub logins: Vec<DemoLogin>,
}

/// Fills an empty database with the demo. `hash_password` turns the demo password into
/// the stored hash (the server's argon2id); the store never sees a password.
pub async fn fill(
    store: &Store,
    opts: &DemoOptions,
    hash_password: &(dyn Fn(&str) -> Result<String, String> + Sync),
) -> Result<DemoReport, DemoError> {
    // The calendar in use in this database (the embedded notices and any loaded ones):
    // beyond the published years it answers provisionally, so any real date works.
    let calendar = &store.calendar().await?;
    let today = demo_today(opts.today, calendar);
    let existing = store.organizations().await?;
    let w = world::World::new();
    if !existing.is_empty() {
        if world::is_complete_demo(store, &w).await? {
            return Ok(DemoReport {
                already_there: true,
                today,
                listings: 0,
                leads: 0,
                cases: 0,
                complaints: 0,
                logins: world::logins(),
            });
        }
        return Err(DemoError::NotEmpty(existing.len()));
    }
    let hash = hash_password(DEMO_PASSWORD).map_err(DemoError::Password)?;
    world::write(store, &w, &hash).await?;

    let marks = parse_marks(
        "examples/marks.csv",
        include_str!("../../../examples/marks.csv"),
    )
    .map_err(|p| step_err("marks", p))?;
    store.put_marks(&marks).await?;
    let pack = RulePack::embedded().map_err(|p| step_err("rule pack", p))?;
    let detector = Detector::build(pack, marks.clone()).map_err(|p| step_err("detector", p))?;

    // Patrol: scan each generated listing, keep medium and above as leads of the agency
    // where the shop ships from (杭州 districts to 西湖区 or the city, 宁波 to 宁波, the rest
    // to the provincial bureau, which patrols the whole platform).
    let now = noon(today);
    let generated = listings::generate(opts.listings, &marks, "云集优品", 60);
    let mut inputs = Vec::with_capacity(generated.len());
    let mut leads = Vec::new();
    let patrolled = generated.len() as u64;
    for g in generated {
        let verdict = detector.scan(&g.listing);
        let captured_at = now - Duration::days(i64::from(g.days_ago)) - Duration::hours(3);
        let lead = (verdict.level >= Level::Medium).then(|| {
            let org = w.patrol_org_for(g.place);
            let lead = ScanLead::from_verdict(org, detector.ruleset_version(), &verdict);
            leads.push((org, captured_at, lead.summary.clone(), inputs.len()));
            lead
        });
        inputs.push(ListingInput::from_listing(
            g.listing,
            w.platform,
            captured_at,
            lead,
        ));
    }
    let lead_inputs: Vec<usize> = leads.iter().map(|l| l.3).collect();
    // The ids the store gives these leads (derived from the snapshot and the rule set).
    let leads: Vec<(LeadId, DateTime<Utc>, wangjian_domain::OrgId, String)> = leads
        .into_iter()
        .map(|(org, at, summary, i)| {
            let key = LeadDedupKey::Scan {
                snapshot_hash: inputs[i].content.content_hash(),
                rule_set_version: detector.ruleset_version().to_string(),
            };
            (lead_id_for(org, &key), at, org, summary)
        })
        .collect();
    let mut stored_leads = 0;
    for batch in inputs.chunks(500) {
        stored_leads += store.import_listings(batch).await?.leads;
    }

    let rules = RuleSet::defaults().map_err(|e| step_err("deadline rules", e))?;
    let env = Env {
        rules,
        overrides: &[],
        calendar,
    };
    let cases = world::cases(store, &w, env, today, &leads).await?;
    // Listing snapshots as evidence of every other case (blobs + evidence-log entries).
    let by_lead: std::collections::HashMap<LeadId, &ListingInput> = leads
        .iter()
        .zip(&lead_inputs)
        .map(|(l, i)| (l.0, &inputs[*i]))
        .collect();
    evidence::captures(store, &[w.hz, w.xh, w.nb, w.zj], &by_lead, now).await?;
    let complaints = complaints::complaints(store, &w, today, calendar, rules).await?;
    Ok(DemoReport {
        already_there: false,
        today,
        listings: patrolled,
        leads: stored_leads,
        cases,
        complaints,
        logins: world::logins(),
    })
}

/// The demo's today: the given date or the real one, kept inside the years the calendar
/// answers for (2000–2099), with room for the deadlines around it.
fn demo_today(given: Option<NaiveDate>, calendar: &Calendar) -> NaiveDate {
    let today = given.unwrap_or_else(|| wangjian_calendar::shanghai_date(Utc::now()));
    let latest = calendar.last_day() - Duration::days(62);
    let earliest = calendar.first_day() + Duration::days(200);
    today.clamp(earliest, latest)
}

fn noon(day: NaiveDate) -> DateTime<Utc> {
    // 12:00 in Shanghai is 04:00 UTC.
    Utc.from_utc_datetime(&day.and_hms_opt(4, 0, 0).unwrap_or_default())
}

fn step_err(step: &str, e: impl std::fmt::Display) -> DemoError {
    DemoError::Step {
        step: step.to_string(),
        message: e.to_string(),
    }
}

/// A context for one demo action at `at`, with ids from the demo's fixed seed.
pub(crate) fn context(seq: &mut u128, at: DateTime<Utc>) -> Context {
    const BASE: u128 = 0x0190_0000_0000_7000_8000_0000_0000_0000;
    *seq += 64;
    Context::with_counter(
        RequestId(uuid::Uuid::from_u128(BASE + *seq)),
        at,
        BASE + *seq + 1,
        48,
    )
}
