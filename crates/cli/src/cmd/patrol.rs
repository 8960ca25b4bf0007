//! `wangjian patrol` and `wangjian import listings`: stream captured listings into the
//! store, in batches, one transaction per batch. The patrol first scans each listing with
//! the detection rules (as `wangjian scan` does) and keeps a lead for every listing at or
//! above `--min-level`. Both are idempotent: running them again on the same input stores
//! nothing new.
//!
//! After each batch commits, one line goes to stdout:
//! `committed batch N SOURCE lines A..B` — everything up to line B of SOURCE is then
//! durably stored, whatever happens to the process afterwards.
//!
//! Listing format: that of `wangjian scan` (JSON Lines, or CSV by extension). The
//! platform is `--platform ORG`, or the listing's `platform` field naming an imported
//! platform organization (by case prefix or name).

use std::collections::HashMap;
use std::fs::File;
use std::io::{self, BufRead, BufReader, Read, Write};
use std::process::ExitCode;

use anyhow::Context;
use chrono::{DateTime, NaiveDate, Utc};
use rayon::prelude::*;
use wangjian_detect::{CsvListings, Detector, Level, Listing};
use wangjian_domain::OrgId;
use wangjian_store::{ListingInput, ScanLead, Store};

use crate::cmd::db::{open, runtime, DbArg};
use crate::cmd::scan::{load_detector, RuleArgs};
use crate::input::{for_each_line, MAX_LINE_BYTES};
use crate::report::BadLines;

/// Arguments shared by `import listings` and `patrol`.
#[derive(Debug, Clone, clap::Args)]
pub struct ListingArgs {
    #[command(flatten)]
    pub db: DbArg,
    /// The platform the listings come from (id, case prefix or name); default: each
    /// listing's `platform` field.
    #[arg(long, value_name = "ORG")]
    pub platform: Option<String>,
    /// Listings per transaction. Larger batches write faster (each random-keyed index
    /// page a batch touches is written once per transaction); a batch is also what a
    /// crash can lose.
    #[arg(long, default_value_t = 5000)]
    pub batch: usize,
    /// Listing files (JSON Lines, or CSV by extension); stdin when none or `-`.
    pub inputs: Vec<String>,
}

/// Arguments of `wangjian patrol`.
#[derive(Debug, clap::Args)]
pub struct Args {
    #[command(flatten)]
    pub listings: ListingArgs,
    #[command(flatten)]
    pub rules: RuleArgs,
    /// The patrolling agency that receives the leads (id, case prefix or name).
    #[arg(long, value_name = "ORG")]
    pub org: String,
    /// Keep a lead for listings at this level or above.
    #[arg(long, value_enum, default_value = "medium")]
    pub min_level: MinLevel,
}

/// Lowest level that becomes a lead.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum MinLevel {
    /// Any reason.
    Low,
    /// Medium or high.
    Medium,
    /// High only.
    High,
}

impl MinLevel {
    fn admits(self, l: Level) -> bool {
        let rank = |l: Level| Level::ALL.iter().position(|x| *x == l).unwrap_or(0);
        let min = match self {
            MinLevel::Low => Level::Low,
            MinLevel::Medium => Level::Medium,
            MinLevel::High => Level::High,
        };
        rank(l) >= rank(min)
    }
}

/// What the patrol adds to plain import.
struct Patrol {
    detector: Detector,
    org: OrgId,
    min: MinLevel,
}

/// Runs `wangjian import listings`.
pub fn run_import(args: ListingArgs) -> anyhow::Result<ExitCode> {
    stream(args, None)
}

/// Runs `wangjian patrol`.
pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    let mut rules = args.rules.clone();
    let rt = runtime()?;
    let (org, db_marks) = rt.block_on(async {
        let store = open(&args.listings.db).await?;
        let org = store
            .find_organization(&args.org)
            .await?
            .with_context(|| format!("no single organization {:?}: import orgs first", args.org))?;
        let marks = store.marks().await?;
        store.close().await;
        anyhow::Ok((org.id, marks))
    })?;
    drop(rt);
    // Marks imported into the database join those of --marks files.
    let detector = if db_marks.is_empty() {
        load_detector(&rules, None)?
    } else {
        let (pack, mut marks) = crate::cmd::scan::load_sources(&rules)?;
        marks.extend(db_marks);
        rules.marks.clear();
        Detector::build(pack, marks).map_err(|e| anyhow::anyhow!("invalid rules:\n{e}"))?
    };
    stream(
        args.listings,
        Some(Patrol {
            detector,
            org,
            min: args.min_level,
        }),
    )
}

/// Listings stored in one run after which the planner's statistics are refreshed.
const ANALYZE_AFTER: u64 = 10_000;

enum Parsed {
    Line(String),
    Csv(Box<Result<Listing, String>>),
    Bad(String),
}

fn stream(args: ListingArgs, patrol: Option<Patrol>) -> anyhow::Result<ExitCode> {
    let inputs = if args.inputs.is_empty() {
        vec!["-".to_string()]
    } else {
        args.inputs.clone()
    };
    let batch_size = args.batch.max(1);
    let rt = runtime()?;
    let store = rt.block_on(open(&args.db))?;
    let mut platforms = Platforms::default();
    if let Some(p) = &args.platform {
        let o = rt
            .block_on(store.find_organization(p))?
            .with_context(|| format!("no single organization {p:?}: import orgs first"))?;
        platforms.fixed = Some(o.id);
    }
    let mut bad = BadLines::default();
    let mut batch_no = 0u64;
    let (mut stored, mut leads) = (0u64, 0u64);
    let mut out = io::stdout().lock();
    for name in &inputs {
        let source = if name == "-" {
            "<stdin>".to_string()
        } else {
            name.clone()
        };
        let reader: Box<dyn Read> = if name == "-" {
            Box::new(io::stdin())
        } else {
            Box::new(File::open(name).with_context(|| format!("opening input {name}"))?)
        };
        let reader = BufReader::with_capacity(1 << 16, reader);
        let mut pending: Vec<(u64, Parsed)> = Vec::with_capacity(batch_size);
        let mut flush =
            |pending: &mut Vec<(u64, Parsed)>, bad: &mut BadLines| -> anyhow::Result<()> {
                if pending.is_empty() {
                    return Ok(());
                }
                let (first, last) = (pending[0].0, pending[pending.len() - 1].0);
                let items = std::mem::take(pending);
                let inputs = prepare(
                    &rt,
                    &store,
                    &mut platforms,
                    patrol.as_ref(),
                    items,
                    &source,
                    bad,
                )?;
                let outcome = rt
                    .block_on(store.import_listings(&inputs))
                    .with_context(|| format!("storing {source} lines {first}..{last}"))?;
                batch_no += 1;
                stored += inputs.len() as u64;
                leads += outcome.leads;
                writeln!(
                    out,
                    "committed batch {batch_no} {source} lines {first}..{last}"
                )?;
                out.flush()?;
                Ok(())
            };
        if name.to_ascii_lowercase().ends_with(".csv") {
            let mut r = match CsvListings::new(reader) {
                Ok(r) => r,
                Err(e) => {
                    bad.report(&source, 1, format!("header: {e}"));
                    continue;
                }
            };
            while let Some((n, l)) = r.next_listing() {
                pending.push((n, Parsed::Csv(Box::new(l.map_err(|e| e.to_string())))));
                if pending.len() >= batch_size {
                    flush(&mut pending, &mut bad)?;
                }
            }
        } else {
            read_jsonl(reader, &mut |n, p| {
                pending.push((n, p));
                if pending.len() >= batch_size {
                    flush(&mut pending, &mut bad).map_err(io::Error::other)?;
                }
                Ok(())
            })
            .with_context(|| format!("reading {source}"))?;
        }
        flush(&mut pending, &mut bad)?;
    }
    if stored >= ANALYZE_AFTER {
        // The lead queue's filters plan well only with fresh statistics.
        rt.block_on(store.analyze())
            .context("refreshing statistics (wangjian db analyze)")?;
    }
    rt.block_on(store.close());
    eprintln!(
        "wangjian: stored {stored} listings in {batch_no} batches, {leads} new leads, {} bad lines",
        bad.count()
    );
    Ok(bad.exit_code())
}

fn read_jsonl(
    reader: impl BufRead,
    each: &mut dyn FnMut(u64, Parsed) -> io::Result<()>,
) -> io::Result<()> {
    for_each_line(reader, MAX_LINE_BYTES, |n, l| match l {
        Ok(l) if l.trim().is_empty() => Ok(()),
        Ok(l) => each(n, Parsed::Line(l.to_string())),
        Err(p) => each(n, Parsed::Bad(p.to_string())),
    })
}

/// Platform organizations by the name listings give them, looked up once each.
#[derive(Default)]
struct Platforms {
    fixed: Option<OrgId>,
    by_name: HashMap<String, Option<OrgId>>,
}

/// A parsed listing with the lead its scan produced, or why the line is bad.
type Scanned = Result<(Listing, Option<ScanLead>), String>;

/// Parses and (for a patrol) scans a batch in parallel, then resolves platforms.
fn prepare(
    rt: &tokio::runtime::Runtime,
    store: &Store,
    platforms: &mut Platforms,
    patrol: Option<&Patrol>,
    items: Vec<(u64, Parsed)>,
    source: &str,
    bad: &mut BadLines,
) -> anyhow::Result<Vec<ListingInput>> {
    let scanned: Vec<(u64, Scanned)> = items
        .into_par_iter()
        .map(|(n, p)| {
            let listing = match p {
                Parsed::Line(l) => Listing::from_json(&l).map_err(|e| e.to_string()),
                Parsed::Csv(r) => *r,
                Parsed::Bad(e) => Err(e),
            };
            let r = listing.map(|l| {
                let lead = patrol.and_then(|p| {
                    let v = p.detector.scan(&l);
                    p.min
                        .admits(v.level)
                        .then(|| ScanLead::from_verdict(p.org, p.detector.ruleset_version(), &v))
                });
                (l, lead)
            });
            (n, r)
        })
        .collect();
    let mut out = Vec::with_capacity(scanned.len());
    for (n, r) in scanned {
        let (l, lead) = match r {
            Ok(x) => x,
            Err(e) => {
                bad.report(source, n, e);
                continue;
            }
        };
        let platform = match platforms.fixed {
            Some(p) => Some(p),
            None => {
                let key = l.platform.clone().unwrap_or_default();
                if !platforms.by_name.contains_key(&key) {
                    let found = if key.is_empty() {
                        None
                    } else {
                        rt.block_on(store.find_organization(&key))?.map(|o| o.id)
                    };
                    platforms.by_name.insert(key.clone(), found);
                }
                platforms.by_name.get(&key).copied().flatten()
            }
        };
        let Some(platform) = platform else {
            bad.report(
                source,
                n,
                format!(
                "unknown platform {:?}: import it with `wangjian import orgs` or pass --platform",
                l.platform.as_deref().unwrap_or("")
            ),
            );
            continue;
        };
        match captured(l.captured_at.as_deref()) {
            Ok(at) => out.push(ListingInput::from_listing(l, platform, at, lead)),
            Err(e) => bad.report(source, n, e),
        }
    }
    Ok(out)
}

/// When a listing was captured: its `captured_at` (RFC 3339, or a bare date taken as
/// 00:00 UTC), or now when it has none.
fn captured(s: Option<&str>) -> Result<DateTime<Utc>, String> {
    let s = s.unwrap_or("").trim();
    if s.is_empty() {
        return Ok(Utc::now());
    }
    DateTime::parse_from_rfc3339(s)
        .map(|t| t.with_timezone(&Utc))
        .ok()
        .or_else(|| {
            NaiveDate::parse_from_str(s, "%Y-%m-%d")
                .ok()
                .and_then(|d| d.and_hms_opt(0, 0, 0))
                .map(|t| t.and_utc())
        })
        .ok_or_else(|| format!("captured_at {s:?} is not an RFC 3339 time or a YYYY-MM-DD date"))
}
