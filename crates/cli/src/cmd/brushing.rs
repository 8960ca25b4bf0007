//! `wangjian brushing detect`: brushing (刷单炒信) groups in a platform's orders.
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
