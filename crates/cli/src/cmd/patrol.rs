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
use chrono::Utc;
use rayon::prelude::*;
use wangjian_app::intake::{Delivery, Item};
use wangjian_app::App;
use wangjian_detect::{CsvListings, Level, Listing};
use wangjian_domain::OrgId;
use wangjian_store::Store;

use crate::cmd::db::{open, runtime, DbArg};
use crate::cmd::scan::{rule_source, RuleArgs};
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
    pub(crate) fn level(self) -> Level {
        match self {
            MinLevel::Low => Level::Low,
            MinLevel::Medium => Level::Medium,
            MinLevel::High => Level::High,
        }
    }
}

/// Runs `wangjian import listings`: store only, no scan.
pub fn run_import(args: ListingArgs) -> anyhow::Result<ExitCode> {
    stream(
        args,
        RuleArgs {
            rules: None,
            marks: vec![],
            as_of: None,
        },
        None,
        Delivery {
            by: None,
            min_level: None,
        },
    )
}

/// Runs `wangjian patrol`.
pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    let rt = runtime()?;
    let org = rt.block_on(async {
        let store = open(&args.listings.db).await?;
        let org = store
            .find_organization(&args.org)
            .await?
            .with_context(|| format!("no single organization {:?}: import orgs first", args.org));
        store.close().await;
        org
    })?;
    drop(rt);
    stream(
        args.listings,
        args.rules,
        Some(org.id),
        Delivery {
            by: Some(org.id),
            min_level: Some(args.min_level.level()),
        },
    )
}

/// Listings stored in one run after which the planner's statistics are refreshed.
const ANALYZE_AFTER: u64 = 10_000;

enum Parsed {
    Line(String),
    Csv(Box<Result<Listing, String>>),
    Bad(String),
}

/// What one run added.
#[derive(Default)]
struct Totals {
    batches: u64,
    stored: u64,
    leads: u64,
    unrouted: u64,
}

fn stream(
    args: ListingArgs,
    rules: RuleArgs,
    patrol: Option<OrgId>,
    delivery: Delivery,
) -> anyhow::Result<ExitCode> {
    let inputs = if args.inputs.is_empty() {
        vec!["-".to_string()]
    } else {
        args.inputs.clone()
    };
    let batch_size = args.batch.max(1);
    let rt = runtime()?;
    let store = rt.block_on(open(&args.db))?;
    let app = App::new(store.clone(), rule_source(&rules)).map_err(|e| anyhow::anyhow!("{e}"))?;
    if delivery.min_level.is_some() {
        // Build the rule set now: a broken one stops the run before anything is read.
        rt.block_on(app.rules().detector(&store))
            .map_err(|e| anyhow::anyhow!("{e}"))?;
        if let Some(loaded) = rt.block_on(app.rules().loaded()) {
            super::scan::warn_loaded(&loaded);
        }
    }
    let mut platforms = Platforms::default();
    if let Some(p) = &args.platform {
        let o = rt
            .block_on(store.find_organization(p))?
            .with_context(|| format!("no single organization {p:?}: import orgs first"))?;
        platforms.fixed = Some(o.id);
    }
    let mut bad = BadLines::default();
    let mut totals = Totals::default();
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
                let items = prepare(
                    &rt,
                    &store,
                    &mut platforms,
                    std::mem::take(pending),
                    &source,
                    bad,
                )?;
                let report = rt
                    .block_on(app.intake(delivery, items, Utc::now()))
                    .map_err(|e| anyhow::anyhow!("{e}"))
                    .with_context(|| format!("storing {source} lines {first}..{last}"))?;
                for (line, r) in &report.rejected {
                    bad.report(&source, *line, r.to_string());
                }
                totals.batches += 1;
                totals.stored += report.outcomes.len() as u64;
                totals.leads += report.added.leads;
                totals.unrouted += report.outcomes.iter().filter(|o| o.unrouted).count() as u64;
                writeln!(
                    out,
                    "committed batch {} {source} lines {first}..{last}",
                    totals.batches
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
    if totals.stored >= ANALYZE_AFTER {
        // The lead queue's filters plan well only with fresh statistics.
        rt.block_on(store.analyze())
            .context("refreshing statistics (wangjian db analyze)")?;
    }
    rt.block_on(store.close());
    let unrouted = if patrol.is_some() && totals.unrouted > 0 {
        format!(
            ", {} flagged listings no agency has jurisdiction over (no lead)",
            totals.unrouted
        )
    } else {
        String::new()
    };
    eprintln!(
        "wangjian: stored {} listings in {} batches, {} new leads{unrouted}, {} bad lines",
        totals.stored,
        totals.batches,
        totals.leads,
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

/// Parses a batch in parallel, then resolves each listing's platform; bad lines are
/// reported and left out.
fn prepare(
    rt: &tokio::runtime::Runtime,
    store: &Store,
    platforms: &mut Platforms,
    items: Vec<(u64, Parsed)>,
    source: &str,
    bad: &mut BadLines,
) -> anyhow::Result<Vec<Item>> {
    let parsed: Vec<(u64, Result<Listing, String>)> = items
        .into_par_iter()
        .map(|(n, p)| {
            let listing = match p {
                Parsed::Line(l) => Listing::from_json(&l).map_err(|e| e.to_string()),
                Parsed::Csv(r) => *r,
                Parsed::Bad(e) => Err(e),
            };
            (n, listing)
        })
        .collect();
    let mut out = Vec::with_capacity(parsed.len());
    for (n, r) in parsed {
        let l = match r {
            Ok(l) => l,
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
        out.push(Item {
            index: n,
            listing: l,
            platform,
        });
    }
    Ok(out)
}
