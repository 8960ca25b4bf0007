//! `wangjian brushing detect`: brushing (刷单炒信) groups in a platform's orders. With a
//! database (`--db URL --as LOGIN`, through the app's use cases and policy): `import` stores
//! an upload's groups with their evidence, `groups` lists them, `review` confirms,
//! dismisses or turns one into a lead and a case.
//!
//! Input: JSON Lines, one order per line (fields in `wangjian_brushing::order`), from files
//! or stdin. The input is read in windows of whole lines (8 MiB); each window's lines
//! are checked and hashed on all cores while the previous window's orders are appended
//! in input order, so reading overlaps the single-threaded part. A bad line is reported
//! on stderr with its file and line number and skipped (exit status 1). Output: one group
//! per line (JSON) or row (CSV), best first; `suspicious` groups only unless `--all`.

use std::fs::File;
use std::io::{self, Read, Write};
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Instant;

use anyhow::Context;
use rayon::prelude::*;
use wangjian_brushing::{
    detect, Config, Decision, Group, LineError, OrdersBuilder, Prepared, Preparer,
};

use crate::input::MAX_LINE_BYTES;
use crate::report::BadLines;

/// Output format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// One JSON object per group.
    Jsonl,
    /// One CSV row per group (lists `|`-separated).
    Csv,
}

/// Arguments of `wangjian brushing`.
#[derive(Debug, clap::Args)]
pub struct Args {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, clap::Subcommand)]
enum Command {
    /// Find brushing groups in orders (JSON Lines: order_id, buyer, shop, listing, time,
    /// amount; optional address, device, ip, review, weight, logistics).
    Detect(DetectArgs),
    /// Import a month of a platform's orders into the record (as an officer naming the
    /// platform, or a platform's operator): detect, store the groups with their evidence,
    /// print them (one JSON object per line).
    Import(ImportArgs),
    /// List the stored groups the acting user may read (one JSON object per line).
    Groups(GroupsArgs),
    /// Confirm or dismiss a stored group, or turn it into a lead (and a case).
    Review(ReviewArgs),
}

/// Arguments of `wangjian brushing import`.
#[derive(Debug, clap::Args)]
pub struct ImportArgs {
    /// Database URL.
    #[arg(long, value_name = "URL", default_value = "sqlite:wangjian.db")]
    db: String,
    #[command(flatten)]
    who: crate::acting::AsArg,
    /// The platform whose orders these are (id, case prefix or name).
    #[arg(long)]
    platform: Option<String>,
    /// Order files (JSON Lines), taken together as one upload; stdin when none or `-`.
    inputs: Vec<String>,
}

/// Arguments of `wangjian brushing groups`.
#[derive(Debug, clap::Args)]
pub struct GroupsArgs {
    /// Database URL.
    #[arg(long, value_name = "URL", default_value = "sqlite:wangjian.db")]
    db: String,
    #[command(flatten)]
    who: crate::acting::AsArg,
    /// Only groups in this state (open, confirmed, dismissed).
    #[arg(long)]
    state: Option<String>,
}

/// What to do with a group.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Verdict {
    /// Confirm it (a finding for the shops' credit records).
    Confirm,
    /// Dismiss it (needs --note).
    Dismiss,
    /// Turn it into a lead of the acting user's agency (and a case with --case-title).
    Lead,
}

/// Arguments of `wangjian brushing review`.
#[derive(Debug, clap::Args)]
pub struct ReviewArgs {
    /// Database URL.
    #[arg(long, value_name = "URL", default_value = "sqlite:wangjian.db")]
    db: String,
    #[command(flatten)]
    who: crate::acting::AsArg,
    /// The group id.
    group: uuid::Uuid,
    /// What to do.
    #[arg(long, value_enum)]
    verdict: Verdict,
    /// Why.
    #[arg(long, default_value = "")]
    note: String,
    /// With `--verdict lead`: register a case from the lead with this title (案由).
    #[arg(long)]
    case_title: Option<String>,
}

async fn open_app(
    db: &str,
    who: &crate::acting::AsArg,
) -> anyhow::Result<(wangjian_store::Store, wangjian_app::App, wangjian_app::Call)> {
    let store = crate::cmd::db::open(&crate::cmd::db::DbArg { db: db.to_string() }).await?;
    let app = wangjian_app::App::new(store.clone(), wangjian_app::RuleSource::default())
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    let call = crate::acting::call_as(&app, who, chrono::Utc::now()).await?;
    Ok((store, app, call))
}

fn refused(e: wangjian_app::AppError) -> anyhow::Error {
    match e {
        wangjian_app::AppError::NotFound => anyhow::anyhow!("not found, or not yours to see"),
        other => anyhow::anyhow!("{other}"),
    }
}

fn import(a: ImportArgs) -> anyhow::Result<ExitCode> {
    let rt = crate::cmd::db::runtime()?;
    rt.block_on(async {
        let (store, app, call) = open_app(&a.db, &a.who).await?;
        let mut text = String::new();
        for (_, t) in crate::cmd::network::read_inputs(&a.inputs)? {
            text.push_str(&t);
            if !text.ends_with('\n') {
                text.push('\n');
            }
        }
        let r = app
            .upload_orders(&call, a.platform.as_deref(), text)
            .await
            .map_err(refused)?;
        for p in &r.bad_lines {
            eprintln!("wangjian: line {}: {}", p.line, p.message);
        }
        let mut out = io::stdout().lock();
        for g in &r.groups {
            serde_json::to_writer(&mut out, g)?;
            out.write_all(b"\n")?;
        }
        eprintln!(
            "wangjian: upload {}: {} lines, {} orders, {} bad lines, {} suspicious groups",
            r.upload,
            r.lines,
            r.orders,
            r.bad_lines.len(),
            r.groups.len()
        );
        store.close().await;
        Ok(if r.bad_lines.is_empty() {
            ExitCode::SUCCESS
        } else {
            ExitCode::from(1)
        })
    })
}

fn groups(a: GroupsArgs) -> anyhow::Result<ExitCode> {
    let rt = crate::cmd::db::runtime()?;
    rt.block_on(async {
        let (store, app, call) = open_app(&a.db, &a.who).await?;
        let state =
            match a.state.as_deref() {
                None => None,
                Some(s) => Some(wangjian_domain::brushing::GroupState::parse(s).ok_or_else(
                    || anyhow::anyhow!("--state {s}: expected open, confirmed or dismissed"),
                )?),
            };
        let list = app.groups(&call, state, 1000).await.map_err(refused)?;
        let mut out = io::stdout().lock();
        for g in &list {
            serde_json::to_writer(&mut out, g)?;
            out.write_all(b"\n")?;
        }
        store.close().await;
        Ok(ExitCode::SUCCESS)
    })
}

fn review(a: ReviewArgs) -> anyhow::Result<ExitCode> {
    let rt = crate::cmd::db::runtime()?;
    rt.block_on(async {
        let (store, app, call) = open_app(&a.db, &a.who).await?;
        let answer = match a.verdict {
            Verdict::Confirm | Verdict::Dismiss => {
                let (g, f) = app
                    .review_group(&call, a.group, a.verdict == Verdict::Confirm, &a.note, None)
                    .await
                    .map_err(refused)?;
                serde_json::json!({ "group": g, "findings": f })
            }
            Verdict::Lead => {
                let (g, lead, case, f) = app
                    .group_to_lead(&call, a.group, a.case_title.as_deref(), None)
                    .await
                    .map_err(refused)?;
                serde_json::json!({
                    "group": g, "lead": lead, "case": case.map(|c| c.case.id), "findings": f
                })
            }
        };
        println!("{}", serde_json::to_string(&answer)?);
        store.close().await;
        Ok(ExitCode::SUCCESS)
    })
}

/// Arguments of `wangjian brushing detect`.
#[derive(Debug, clap::Args)]
pub struct DetectArgs {
    /// Output format.
    #[arg(long, value_enum, default_value = "jsonl")]
    format: Format,
    /// Write output here instead of stdout.
    #[arg(short = 'o', long, value_name = "FILE")]
    output: Option<PathBuf>,
    /// Also print groups whose decision is `clear`.
    #[arg(long)]
    all: bool,
    /// Known brusher accounts (one buyer id per line): searched around first.
    #[arg(long, value_name = "FILE")]
    known: Option<PathBuf>,
    /// Score from which a group is suspicious (0–1).
    #[arg(long, default_value_t = 0.5)]
    threshold: f64,
    /// Order files (JSON Lines); stdin when none or `-`.
    inputs: Vec<String>,
}

/// Runs `wangjian brushing`.
pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    match args.command {
        Command::Detect(a) => run_detect(a),
        Command::Import(a) => import(a),
        Command::Groups(a) => groups(a),
        Command::Review(a) => review(a),
    }
}

const WINDOW: usize = 8 << 20;

/// One window of whole lines and the number of its first line. Two are filled in turn,
/// their buffers reused (no fresh pages to fault in and clear for every window).
#[derive(Default)]
struct Chunk {
    bytes: Vec<u8>,
    first_line: u64,
}

/// Reads `input` in windows of whole lines; `carry` holds a partial last line.
struct Windows {
    input: Box<dyn Read + Send>,
    carry: Vec<u8>,
    next_line: u64,
    done: bool,
}

impl Windows {
    /// Fills `chunk` with the next window; false at the end of the input.
    fn fill(&mut self, chunk: &mut Chunk) -> io::Result<bool> {
        let bytes = &mut chunk.bytes;
        bytes.clear();
        bytes.append(&mut self.carry);
        loop {
            // A full window ends at a line end; one long line is read whole (up to the
            // line limit), so that no line is ever split between two windows.
            if self.done
                || bytes.len() >= WINDOW
                    && (memchr::memrchr(b'\n', bytes).is_some()
                        || bytes.len() > MAX_LINE_BYTES + WINDOW)
            {
                break;
            }
            // Straight into the buffer's spare room (read_to_end never clears it first).
            let want = WINDOW.max(1 << 16) as u64;
            let n = (&mut self.input).take(want).read_to_end(bytes)?;
            if (n as u64) < want {
                self.done = true;
            }
        }
        if !self.done {
            // Keep the partial last line for the next window.
            if let Some(nl) = memchr::memrchr(b'\n', bytes) {
                self.carry.extend_from_slice(&bytes[nl + 1..]);
                bytes.truncate(nl + 1);
            }
        }
        if bytes.is_empty() && self.done {
            return Ok(false);
        }
        chunk.first_line = self.next_line;
        self.next_line += memchr::memchr_iter(b'\n', bytes).count() as u64;
        Ok(true)
    }
}

/// Why a line of a window could not be used.
enum Bad {
    Utf8,
    TooLong(usize),
    Line(LineError),
}

/// Checks and hashes the lines of one window on all cores: (line number, result), blank
/// lines left out.
fn prepare<'a>(preparer: &Preparer, chunk: &'a Chunk) -> Vec<(u64, Result<Prepared<'a>, Bad>)> {
    let lines: Vec<(u64, &[u8])> = chunk
        .bytes
        .split(|&b| b == b'\n')
        .enumerate()
        .map(|(i, l)| {
            (
                chunk.first_line + i as u64 + 1,
                l.strip_suffix(b"\r").unwrap_or(l),
            )
        })
        .filter(|(_, l)| !l.iter().all(u8::is_ascii_whitespace))
        .collect();
    lines
        .par_iter()
        .with_min_len(1024)
        .map(|&(n, l)| {
            let r = if l.len() > MAX_LINE_BYTES {
                Err(Bad::TooLong(l.len()))
            } else {
                match simdutf8::basic::from_utf8(l) {
                    Ok(s) => preparer.prepare(s).map_err(Bad::Line),
                    Err(_) => Err(Bad::Utf8),
                }
            };
            (n, r)
        })
        .collect()
}

fn push_all(
    builder: &mut OrdersBuilder,
    bad: &mut BadLines,
    source: &str,
    prepared: &[(u64, Result<Prepared<'_>, Bad>)],
) {
    for (n, r) in prepared {
        match r {
            Ok(p) => builder.push(p),
            Err(Bad::Utf8) => bad.report(source, *n, "not valid UTF-8"),
            Err(Bad::TooLong(len)) => bad.report(
                source,
                *n,
                format!("line is {len} bytes long, more than the limit of {MAX_LINE_BYTES} bytes"),
            ),
            Err(Bad::Line(e)) => bad.report(source, *n, e),
        }
    }
}

fn run_detect(args: DetectArgs) -> anyhow::Result<ExitCode> {
    let started = Instant::now();
    std::thread::spawn(|| wangjian_text::normalize("a"));
    let inputs: Vec<String> = if args.inputs.is_empty() {
        vec!["-".to_string()]
    } else {
        args.inputs.clone()
    };
    let mut readers = Vec::with_capacity(inputs.len());
    for name in &inputs {
        let r: Box<dyn Read + Send> = if name == "-" {
            Box::new(io::stdin())
        } else {
            Box::new(File::open(name).with_context(|| format!("opening input {name}"))?)
        };
        readers.push(r);
    }
    let mut config = Config {
        threshold: args.threshold.clamp(0.0, 1.0),
        ..Config::default()
    };
    if let Some(path) = &args.known {
        let text = std::fs::read_to_string(path)
            .with_context(|| format!("reading known brushers {}", path.display()))?;
        config.known_brushers = text
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty() && !l.starts_with('#'))
            .map(str::to_string)
            .collect();
    }
    let mut out = crate::report::output(args.output.as_deref())?;

    let mut builder = OrdersBuilder::new();
    let preparer = builder.preparer();
    let mut bad = BadLines::default();
    for (name, input) in inputs.iter().zip(readers) {
        let source = if name == "-" {
            "<stdin>"
        } else {
            name.as_str()
        };
        let mut windows = Windows {
            input,
            carry: Vec::new(),
            next_line: 0,
            done: false,
        };
        // Two windows in turn: while one's orders are appended (one thread, in input
        // order), the other is prepared on the remaining cores.
        let (mut a, mut b) = (Chunk::default(), Chunk::default());
        let read =
            |w: &mut Windows, c: &mut Chunk| w.fill(c).with_context(|| format!("reading {source}"));
        if !read(&mut windows, &mut a)? {
            continue;
        }
        let mut pa = prepare(&preparer, &a);
        loop {
            if !read(&mut windows, &mut b)? {
                push_all(&mut builder, &mut bad, source, &pa);
                break;
            }
            let (pb, ()) = rayon::join(
                || prepare(&preparer, &b),
                || push_all(&mut builder, &mut bad, source, &pa),
            );
            drop(pa);
            if !read(&mut windows, &mut a)? {
                push_all(&mut builder, &mut bad, source, &pb);
                break;
            }
            let (next, ()) = rayon::join(
                || prepare(&preparer, &a),
                || push_all(&mut builder, &mut bad, source, &pb),
            );
            drop(pb);
            pa = next;
        }
    }
    let (orders, redelivered) = builder.finish();
    let read_secs = started.elapsed().as_secs_f64();
    let report = detect(&orders, &config);
    let shown: Vec<&Group> = report
        .groups
        .iter()
        .filter(|g| args.all || g.decision == Decision::Suspicious)
        .collect();
    match args.format {
        Format::Jsonl => {
            for g in &shown {
                serde_json::to_writer(&mut out, g)?;
                out.write_all(b"\n")?;
            }
        }
        Format::Csv => write_csv(&mut out, &shown)?,
    }
    out.flush()?;
    let suspicious = report
        .groups
        .iter()
        .filter(|g| g.decision == Decision::Suspicious)
        .count();
    eprintln!(
        "wangjian: {} orders ({} bad lines, {redelivered} re-delivered order ids counted once), {} buyers, {} shops, {} buyer–shop pairs; {} candidate groups, {suspicious} suspicious; read in {read_secs:.2} s, total {:.2} s",
        orders.len(),
        bad.count(),
        orders.buyer_count(),
        orders.shop_count(),
        report.edges,
        report.candidates,
        started.elapsed().as_secs_f64()
    );
    Ok(bad.exit_code())
}

fn write_csv(out: &mut impl Write, groups: &[&Group]) -> anyhow::Result<()> {
    let mut w = csv::Writer::from_writer(out);
    w.write_record([
        "group_id", "score", "decision", "accounts", "shops", "listings", "orders", "first",
        "last", "reasons", "evidence",
    ])?;
    for g in groups {
        let reasons: Vec<String> = g
            .reasons
            .iter()
            .map(|r| format!("{}:{}", r.code, r.detail))
            .collect();
        w.write_record([
            g.group_id.as_str(),
            &format!("{:.4}", g.score),
            match g.decision {
                Decision::Suspicious => "suspicious",
                Decision::Clear => "clear",
            },
            &g.accounts.join("|"),
            &g.shops.join("|"),
            &g.listings.join("|"),
            &g.orders.to_string(),
            &g.window.first,
            &g.window.last,
            &reasons.join("|"),
            &g.evidence.join("|"),
        ])?;
    }
    w.flush()?;
    Ok(())
}
