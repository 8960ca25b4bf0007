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
//! through the one intake path (`wangjian-app`: the default rule set, leads routed to the
//! regulator of the seller's place); cases in every state of the state machine, with their
//! deadlines (some overdue, some due soon), a criminal referral, transfers (one whose
//! acknowledgement is overdue), supervision orders, seized goods and penalty decisions;
//! complaints and reports from the public portal in every state; credit files for the
//! penalized parties, disclosures on the portal (one late), two blacklist entries (one
//! repaired) and a platform's screening call; a second platform, shop
//! identifiers forming two seller networks (one crossing platforms), the platform's last
//! 30 days of orders with a brushing ring, and its group turned into a case (`brushing.rs`).
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

mod brushing;
mod complaints;
mod credit;
mod evidence;
mod listings;
mod notices;
mod reports;
mod world;

use chrono::{DateTime, Duration, NaiveDate, TimeZone, Utc};
use wangjian_app::intake::{Delivery, Item};
use wangjian_app::{App, RuleSource};
use wangjian_calendar::Calendar;
use wangjian_detect::{parse_marks, Level};
use wangjian_domain::case::Env;
use wangjian_domain::deadline::RuleSet;
use wangjian_domain::{Context, LeadId, RequestId};
use wangjian_store::{ListingInput, Store, StoreError};

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
    /// Statistics reports submitted (the reporting calendar; one left late).
    pub reports: u64,
    /// Notices to the platform, one in each state at least.
    pub notices: u64,
    /// Suspicious brushing groups found in the platform's last 30 days of orders.
    pub brushing_groups: u64,
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
                reports: 0,
                notices: 0,
                brushing_groups: 0,
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
    // Patrol: the provincial bureau patrols the platform through the one intake path
    // (`wangjian-app`): the default rule set (embedded pack + the registry's marks), each
    // lead of medium or above routed to the regulator of the seller's place.
    let app = App::new(store.clone(), RuleSource::default()).map_err(|e| step_err("rules", e))?;
    let now = noon(today);
    let generated = listings::generate(opts.listings, &marks, "云集优品", 60);
    let patrolled = generated.len() as u64;
    let mut listings_by_index = Vec::with_capacity(generated.len());
    let mut items = Vec::with_capacity(generated.len());
    for (i, mut g) in generated.into_iter().enumerate() {
        let captured_at = now - Duration::days(i64::from(g.days_ago)) - Duration::hours(3);
        g.listing.captured_at = Some(captured_at.to_rfc3339());
        listings_by_index.push((g.listing.clone(), captured_at));
        items.push(Item {
            index: i as u64,
            listing: g.listing,
            platform: w.platform,
        });
    }
    let mut leads: Vec<(LeadId, DateTime<Utc>, wangjian_domain::OrgId, String)> = Vec::new();
    let mut lead_listing = std::collections::HashMap::new();
    let mut stored_leads = 0;
    while !items.is_empty() {
        let rest = items.split_off(items.len().min(500));
        let batch = std::mem::replace(&mut items, rest);
        let report = app
            .intake(
                Delivery {
                    by: Some(w.zj),
                    min_level: Some(Level::Medium),
                },
                batch,
                now,
            )
            .await
            .map_err(|e| step_err("patrol", e))?;
        if let Some((line, r)) = report.rejected.first() {
            return Err(step_err(&format!("patrol listing {line}"), r));
        }
        stored_leads += report.added.leads;
        for o in report.outcomes {
            if let Some(l) = o.lead {
                let (listing, at) = &listings_by_index[o.index as usize];
                leads.push((l.id, *at, l.org, l.summary));
                lead_listing.insert(
                    l.id,
                    ListingInput::from_listing(listing.clone(), w.platform, *at, None),
                );
            }
        }
    }

    let rules = RuleSet::defaults().map_err(|e| step_err("deadline rules", e))?;
    let env = Env {
        rules,
        overrides: &[],
        calendar,
    };
    let cases = world::cases(store, &w, env, today, &leads).await?;
    // Listing snapshots as evidence of every other case (blobs + evidence-log entries).
    evidence::captures(store, &[w.hz, w.xh, w.nb, w.zj], &lead_listing, now).await?;
    let complaints = complaints::complaints(store, &w, today, calendar, rules).await?;
    // Credit files, the list, disclosures and a screening call (issue 17).
    credit::credit(store, &app, &w, today, calendar).await?;
    let mut notice_listings: Vec<wangjian_domain::ListingId> = lead_listing
        .values()
        .map(|l| wangjian_domain::lead::listing_id_for(l.platform, &l.content.platform_listing_id))
        .collect();
    notice_listings.sort();
    notice_listings.dedup();
    let notices = notices::notices(&app, &w, today, notice_listings).await?;
    let brushing_groups = brushing::brushing(store, &app, today, &hash).await?;
    // Reports last: a submission freezes the figures of the record as it stands.
    let reports = reports::submissions(&app, today, calendar).await?;
    Ok(DemoReport {
        already_there: false,
        today,
        listings: patrolled,
        leads: stored_leads,
        cases,
        complaints,
        reports,
        notices,
        brushing_groups,
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
