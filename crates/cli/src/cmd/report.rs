//! `wangjian report …`: the statistics reports from the command line (issue 16).
//!
//! ```text
//! wangjian report KIND --period P --as LOGIN [--org ORG | --region CODE] [--format csv|xlsx|json] [-o FILE]
//! wangjian report submit KIND --period P --as LOGIN
//! wangjian report submissions --as LOGIN [--kind KIND]
//! wangjian report calendar --as LOGIN [--from DAY] [--to DAY]
//! ```
//!
//! KIND is `platform-weekly` (附件1), `case-progress` (附件2, weekly), `monthly` or
//! `half-year`; P is `2026-W49`, `2026-11` or `2026-H2`. Everything runs as a user through
//! `wangjian-app` (the one policy: a unit its own, the office its region); this module only
//! parses arguments and writes files.

use std::io::Write as _;
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{anyhow, bail, Context as _};
use chrono::{Duration, NaiveDate, Utc};
use wangjian_app::reports::export::{to_csv, to_xlsx, Submitted};
use wangjian_app::reports::Target;
use wangjian_app::{App, AppError, RuleSource};
use wangjian_calendar::shanghai_date;
use wangjian_domain::report::{Period, ReportKind};
use wangjian_domain::RegionCode;

use crate::acting::{call_as, AsArg};
use crate::cmd::db::{open, runtime, DbArg};

/// Arguments of `wangjian report`.
#[derive(Debug, clap::Args)]
#[command(args_conflicts_with_subcommands = true)]
pub struct Args {
    /// Database URL: sqlite:PATH, sqlite::memory: or postgres://…
    #[arg(
        long,
        global = true,
        value_name = "URL",
        default_value = "sqlite:wangjian.db"
    )]
    db: String,
    /// The time the report is generated or submitted (RFC 3339); default now.
    #[arg(long, global = true, value_name = "TIME")]
    now: Option<chrono::DateTime<Utc>>,
    #[command(subcommand)]
    command: Option<ReportCmd>,
    /// platform-weekly (附件1), case-progress (附件2), monthly or half-year.
    kind: Option<String>,
    /// The period: 2026-W49 (ISO week), 2026-11 (month) or 2026-H2 (half year).
    #[arg(long)]
    period: Option<String>,
    /// Sign-in name of the acting user.
    #[arg(long = "as", value_name = "LOGIN")]
    login: Option<String>,
    /// The organization you act for (case prefix or name), when you belong to several.
    #[arg(long = "as-org", value_name = "ORG")]
    as_org: Option<String>,
    /// The unit whose report (case prefix or name); default your own (an office: its
    /// region's aggregate).
    #[arg(long, value_name = "ORG", conflicts_with = "region")]
    org: Option<String>,
    /// A coordination office's aggregate of part of its region (GB/T 2260 code).
    #[arg(long, value_name = "CODE")]
    region: Option<String>,
    /// csv (UTF-8 with BOM), xlsx or json; default from the file's extension, else csv.
    #[arg(long)]
    format: Option<String>,
    /// Export the unit's submitted report as it was frozen (with its time and SHA-256)
    /// instead of generating it now.
    #[arg(long)]
    submitted: bool,
    /// Write here (default: standard output; xlsx needs a file).
    #[arg(short = 'o', long = "output", value_name = "FILE")]
    output: Option<PathBuf>,
}

/// Who acts: `--as LOGIN`, and `--as-org ORG` when they belong to several organizations.
#[derive(Debug, Clone, clap::Args)]
struct Who {
    /// Sign-in name of the acting user.
    #[arg(long = "as", value_name = "LOGIN")]
    login: String,
    /// The organization they act for (case prefix or name), when they belong to several.
    #[arg(long = "as-org", value_name = "ORG")]
    as_org: Option<String>,
}

impl Who {
    fn as_arg(&self) -> AsArg {
        AsArg {
            login: self.login.clone(),
            org: self.as_org.clone(),
        }
    }
}

/// `wangjian report KIND …`: generate one report.
#[derive(Debug)]
struct Generate {
    kind: String,
    period: String,
    who: Who,
    org: Option<String>,
    region: Option<String>,
    format: Option<String>,
    submitted: bool,
    output: Option<PathBuf>,
}

impl Args {
    /// The generate form's arguments, each required one named when missing.
    fn generate(&self) -> anyhow::Result<Generate> {
        let need = |v: &Option<String>, what: &str| {
            v.clone()
                .ok_or_else(|| anyhow!("{what} is required (see wangjian report --help)"))
        };
        Ok(Generate {
            kind: need(
                &self.kind,
                "KIND (platform-weekly, case-progress, monthly or half-year)",
            )?,
            period: need(&self.period, "--period (2026-W49, 2026-11 or 2026-H2)")?,
            who: Who {
                login: need(&self.login, "--as LOGIN")?,
                as_org: self.as_org.clone(),
            },
            org: self.org.clone(),
            region: self.region.clone(),
            format: self.format.clone(),
            submitted: self.submitted,
            output: self.output.clone(),
        })
    }
}

#[derive(Debug, clap::Subcommand)]
enum ReportCmd {
    /// Review and submit your unit's report (a supervisor; a platform's operator for its
    /// weekly report): the figures are frozen with their SHA-256.
    Submit {
        /// The kind.
        kind: String,
        /// The period.
        #[arg(long)]
        period: String,
        #[command(flatten)]
        who: Who,
    },
    /// The submissions you may read (your unit's; an office: its region's), newest first.
    Submissions {
        #[command(flatten)]
        who: Who,
        /// Only this kind.
        #[arg(long)]
        kind: Option<String>,
        /// At most this many.
        #[arg(long, default_value_t = 100)]
        limit: u32,
    },
    /// The reporting calendar: what is due when, submitted, late or due soon.
    Calendar {
        #[command(flatten)]
        who: Who,
        /// First day (default: 14 days ago, China's date).
        #[arg(long, value_parser = crate::input::date_arg)]
        from: Option<NaiveDate>,
        /// Last day (default: 31 days ahead).
        #[arg(long, value_parser = crate::input::date_arg)]
        to: Option<NaiveDate>,
    },
}

fn refused(e: AppError) -> anyhow::Error {
    match e {
        AppError::NotFound => anyhow!("not found, or not yours to see"),
        other => anyhow!("{other}"),
    }
}

fn kind_arg(s: &str) -> anyhow::Result<ReportKind> {
    s.parse().map_err(|e| anyhow!("{e}"))
}

fn period_arg(kind: ReportKind, s: &str) -> anyhow::Result<Period> {
    Period::parse_for(kind, s).map_err(|e| anyhow!("--period: {e}"))
}

/// Runs `wangjian report`.
pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    // Check what needs no database first, so a bad period is named before anything opens.
    let generate_args = match args.command {
        Some(_) => None,
        None => {
            let g = args.generate()?;
            let kind = kind_arg(&g.kind)?;
            period_arg(kind, &g.period)?;
            Some(g)
        }
    };
    let rt = runtime()?;
    rt.block_on(async {
        let store = open(&DbArg { db: args.db }).await?;
        let now = args.now.unwrap_or_else(Utc::now);
        let app = App::new(store.clone(), RuleSource::default()).map_err(|e| anyhow!("{e}"))?;
        let result = match (args.command, generate_args) {
            (Some(c), _) => dispatch(&app, c, now).await,
            (None, Some(g)) => generate(&app, g, now).await,
            (None, None) => Err(anyhow!("name a report kind or a subcommand (see --help)")),
        };
        store.close().await;
        result
    })
}

async fn generate(app: &App, g: Generate, now: chrono::DateTime<Utc>) -> anyhow::Result<ExitCode> {
    let kind = kind_arg(&g.kind)?;
    let period = period_arg(kind, &g.period)?;
    let call = call_as(app, &g.who.as_arg(), now).await?;
    let target = match (&g.org, &g.region) {
        (Some(o), _) => {
            let org = app.store().find_organization(o).await?.ok_or_else(|| {
                anyhow!("--org: no organization {o:?} (give its case prefix or full name)")
            })?;
            Target::Org(org.id)
        }
        (None, Some(r)) => {
            Target::Region(RegionCode::parse(r).map_err(|e| anyhow!("--region: {e}"))?)
        }
        (None, None) => Target::Own,
    };
    let frozen = if g.submitted {
        let unit = match &target {
            Target::Org(o) => *o,
            Target::Own => call.member().map_err(refused)?.actor.org,
            Target::Region(_) => bail!("--submitted: a region's aggregate is never submitted"),
        };
        Some(
            app.report_submission(&call, kind, period, unit)
                .await
                .map_err(|e| match e {
                    AppError::NotFound => {
                        anyhow!("no submitted {kind} report for {period} that you may read")
                    }
                    e => refused(e),
                })?,
        )
    } else {
        None
    };
    let table = match &frozen {
        Some(s) => s.table.clone(),
        None => app
            .report(&call, kind, period, &target)
            .await
            .map_err(refused)?,
    };
    let submitted = frozen.as_ref().map(|s| Submitted {
        at: s.submitted_at,
        digest: &s.digest,
    });
    let ext = g
        .output
        .as_ref()
        .and_then(|p| p.extension())
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase);
    let format = g.format.clone().or(ext).unwrap_or_else(|| "csv".into());
    let bytes = match format.as_str() {
        "csv" => to_csv(&table),
        "xlsx" => to_xlsx(&table, submitted).map_err(refused)?,
        "json" => {
            let mut v = serde_json::to_vec_pretty(&table)?;
            v.push(b'\n');
            v
        }
        other => bail!("--format: '{other}' is not csv, xlsx or json"),
    };
    match &g.output {
        Some(path) => {
            std::fs::write(path, &bytes).with_context(|| format!("writing {}", path.display()))?;
            eprintln!(
                "wrote {} ({} rows, {} {}, SHA-256 of the figures {})",
                path.display(),
                table.rows.len(),
                table.unit_name,
                table.period,
                table.digest()
            );
        }
        None if format == "xlsx" => bail!("-o FILE: an xlsx report needs a file"),
        None => std::io::stdout().lock().write_all(&bytes)?,
    }
    Ok(ExitCode::SUCCESS)
}

async fn dispatch(app: &App, c: ReportCmd, now: chrono::DateTime<Utc>) -> anyhow::Result<ExitCode> {
    let mut out = std::io::stdout().lock();
    match c {
        ReportCmd::Submit { kind, period, who } => {
            let kind = kind_arg(&kind)?;
            let period = period_arg(kind, &period)?;
            let call = call_as(app, &who.as_arg(), now).await?;
            let s = app
                .submit_report(&call, kind, period)
                .await
                .map_err(refused)?;
            writeln!(
                out,
                "submitted {} {} of {}: due {}{}, SHA-256 {}",
                s.kind,
                s.period,
                s.table.unit_name,
                s.due,
                if s.late { " (late)" } else { "" },
                s.digest
            )?;
        }
        ReportCmd::Submissions { who, kind, limit } => {
            let kind = kind.as_deref().map(kind_arg).transpose()?;
            let call = call_as(app, &who.as_arg(), now).await?;
            for s in app
                .report_submissions(&call, kind, limit)
                .await
                .map_err(refused)?
            {
                writeln!(
                    out,
                    "{}\t{}\t{}\t{}\tdue {}\t{}\t{}",
                    s.submitted_at.format("%Y-%m-%dT%H:%M:%SZ"),
                    s.kind,
                    s.period,
                    s.table.unit_name,
                    s.due,
                    if s.late { "late" } else { "on time" },
                    s.digest
                )?;
            }
        }
        ReportCmd::Calendar { who, from, to } => {
            let call = call_as(app, &who.as_arg(), now).await?;
            let today = shanghai_date(now);
            let from = from.unwrap_or(today - Duration::days(14));
            let to = to.unwrap_or(today + Duration::days(31));
            for e in app
                .reporting_calendar(&call, from, to, today)
                .await
                .map_err(refused)?
            {
                writeln!(
                    out,
                    "{}\t{}\t{}\t{}\t{}{}",
                    e.due.due,
                    e.due.kind,
                    e.due.period,
                    e.unit_name,
                    e.status.label_zh(),
                    if e.due.provisional { "\t暂定" } else { "" }
                )?;
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}
