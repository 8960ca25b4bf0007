//! `wangjian scan`: run the detection rules over listings (网上巡查).
//!
//! Input: JSON Lines (one listing per line) or CSV (by the `.csv` extension or
//! `--input-format csv`), from files or stdin. Output: one verdict per flagged listing
//! (every listing with `--all`), in input order, as JSON Lines or CSV.
//!
//! The scan streams: a reader thread only reads, in blocks of whole lines (~512 KiB), and
//! hands them over a bounded channel; each block is one rayon task that splits, checks,
//! parses, scans and formats its lines into an output buffer; the main thread writes the
//! finished buffers in input order. Several blocks are in flight at once, so no core waits
//! for the writer or for the slowest task, and memory does not grow with the input. A bad
//! line is reported on stderr with its file and line number and skipped; the exit status
//! is then 1.

use std::collections::VecDeque;
use std::fs::File;
use std::io::{self, BufRead, BufReader, IsTerminal, Read, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::mpsc::{sync_channel, Receiver};
use std::sync::Arc;
use std::time::Instant;

use anyhow::{bail, Context};
use wangjian_app::{PackSource, RuleSource};
use wangjian_detect::{
    Code, CsvListings, Detector, Level, Listing, ListingRef, RulePack, Verdict, Ymd,
};

use crate::input::{LineProblem, MAX_LINE_BYTES};
use crate::report::BadLines;

/// Where the rules come from (shared with `wangjian rules`).
#[derive(Debug, Clone, clap::Args)]
pub struct RuleArgs {
    /// Rule pack directory (the files of `rules/default`). Default: the pack embedded in
    /// the binary, built from `rules/default` (the same wherever the command runs).
    #[arg(long, value_name = "DIR")]
    pub rules: Option<PathBuf>,
    /// Marks file: the marks CSV (mark,aliases,owner,categories,reference_price_cny,
    /// authorized_shops[,well_known,classes,registrations]) or a trademark register in the
    /// CNIPA open-data shape (注册号,商标名称,国际分类,申请人名称,商标状态,…); may be given
    /// several times. One word may have many owners; rows of one owner are merged.
    #[arg(long = "marks", value_name = "FILE")]
    pub marks: Vec<PathBuf>,
    /// The day registrations are judged in force on (a term that ended more than six
    /// months before it is skipped, 商标法 第四十条); default: today.
    #[arg(long, value_name = "YYYY-MM-DD", value_parser = parse_day)]
    pub as_of: Option<Ymd>,
}

pub(crate) fn parse_day(s: &str) -> Result<Ymd, String> {
    Ymd::parse(s).ok_or_else(|| format!("'{s}' is not a date (YYYY-MM-DD)"))
}

/// Today in China (the registry's dates are Beijing time), as the registry reader wants it.
pub(crate) fn today() -> Ymd {
    let d = wangjian_calendar::shanghai_date(chrono::Utc::now());
    use chrono::Datelike;
    Ymd(d.year() as u32 * 10_000 + d.month() * 100 + d.day())
}

/// At most this many warnings of one kind are printed; the rest are counted.
const MAX_WARNINGS: usize = 20;

/// Prints `items` under `what` on stderr, each once, at most [`MAX_WARNINGS`] of them.
pub(crate) fn warn_each(what: &str, items: &[wangjian_detect::Problem]) {
    for p in items.iter().take(MAX_WARNINGS) {
        eprintln!("wangjian: warning: {p}");
    }
    if items.len() > MAX_WARNINGS {
        eprintln!(
            "wangjian: warning: … and {} more {what}",
            items.len() - MAX_WARNINGS
        );
    }
}

/// Output format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// One JSON object per listing.
    Jsonl,
    /// One row per reason.
    Csv,
}

/// Input format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum InputFormat {
    /// JSON Lines.
    Jsonl,
    /// CSV with a header (shop columns flattened: shop_id, shop_name …).
    Csv,
}

/// Arguments of `wangjian scan`.
#[derive(Debug, clap::Args)]
pub struct Args {
    #[command(flatten)]
    pub rules: RuleArgs,
    /// A compiled rule set written by `wangjian rules compile` (instead of --rules/--marks).
    #[arg(long, value_name = "FILE", conflicts_with_all = ["rules", "marks"])]
    pub compiled: Option<PathBuf>,
    /// Output format.
    #[arg(long, value_enum, default_value = "jsonl")]
    pub format: Format,
    /// Input format; default: CSV for files ending in `.csv`, JSON Lines otherwise.
    #[arg(long, value_enum)]
    pub input_format: Option<InputFormat>,
    /// Output every listing, also those without any reason.
    #[arg(long)]
    pub all: bool,
    /// Write output here instead of stdout.
    #[arg(short = 'o', long, value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// Listing files; stdin when none or `-`.
    pub inputs: Vec<String>,
}

/// Where the arguments say the rules come from (the one assembly of `wangjian-app`: the
/// embedded pack unless `--rules DIR`, plus `--marks` files).
pub fn rule_source(args: &RuleArgs) -> RuleSource {
    RuleSource {
        pack: args
            .rules
            .clone()
            .map_or(PackSource::Embedded, PackSource::Dir),
        marks_files: args.marks.clone(),
        registry: true,
        as_of: Some(args.as_of.unwrap_or_else(today)),
    }
}

/// Loads the rule pack and marks the arguments name, with every problem in the error.
pub fn load_sources(args: &RuleArgs) -> anyhow::Result<(RulePack, Vec<wangjian_detect::Mark>)> {
    let loaded = rule_source(args)
        .load_noting()
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    warn_loaded(&loaded);
    Ok((loaded.pack, loaded.marks))
}

/// Says on stderr, once each, what reading the marks files noted: registrations not in
/// force, and repeated rows merged into one entry per (word, owner).
pub fn warn_loaded(loaded: &wangjian_app::rules::Loaded) {
    for (path, skipped) in &loaded.not_in_force {
        eprintln!(
            "wangjian: {}: {} registrations not in force skipped",
            path.display(),
            skipped.len()
        );
        warn_each("registrations not in force", skipped);
    }
    warn_each("repeated mark rows merged", &loaded.merged);
}

/// Builds the detector the arguments name.
pub fn load_detector(args: &RuleArgs, compiled: Option<&Path>) -> anyhow::Result<Detector> {
    if let Some(path) = compiled {
        let mut source = rule_source(args);
        source.pack = PackSource::Compiled(path.to_path_buf());
        return source.build(vec![]).map_err(|e| anyhow::anyhow!("{e}"));
    }
    // Loaded here (not by `build`) so that what loading merged and skipped is said once.
    let (pack, marks) = load_sources(args)?;
    wangjian_app::rules::assemble(pack, marks, vec![]).map_err(|e| anyhow::anyhow!("{e}"))
}

/// A record read ahead of scanning: parsed (CSV) or unusable.
enum Item {
    Parsed(Box<Result<Listing, String>>),
    Bad(String),
}

/// Consecutive input of one source, scanned as one task.
struct Batch {
    source: usize,
    body: Body,
}

enum Body {
    /// Whole JSON Lines lines (each ends in `\n`, except the last line of the input), cut
    /// and checked by the worker: the reader thread only reads.
    Lines(Vec<u8>),
    /// One line longer than [`MAX_LINE_BYTES`] (its length), never held in memory.
    TooLong(u64),
    /// CSV records with their line numbers.
    Records(Vec<(u64, Item)>),
}

/// A batch closes after this many bytes of JSON Lines or this many CSV records: big enough
/// that the per-batch overhead (a task, a channel message, an output buffer) vanishes,
/// small enough that memory stays bounded and both cores stay busy.
const BATCH_BYTES: usize = 1 << 19;
const BATCH: usize = 1024;

fn open_input(name: &str) -> anyhow::Result<Box<dyn Read + Send>> {
    if name == "-" {
        Ok(Box::new(io::stdin()))
    } else {
        let f = File::open(name).with_context(|| format!("opening input {name}"))?;
        Ok(Box::new(f))
    }
}

/// Runs `wangjian scan`.
pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    // The match form's folding table is built on first use (~0.1 s of CPU): build it on
    // another core while the rule set loads, instead of in the first scan task.
    std::thread::spawn(|| wangjian_text::normalize("a"));
    let detector = Arc::new(load_detector(&args.rules, args.compiled.as_deref())?);
    let inputs: Vec<String> = if args.inputs.is_empty() {
        vec!["-".to_string()]
    } else {
        args.inputs.clone()
    };
    // Open every input first: an unreadable file is a usage error before any output.
    let mut readers = Vec::with_capacity(inputs.len());
    for name in &inputs {
        let csv = match args.input_format {
            Some(f) => f == InputFormat::Csv,
            None => name.to_ascii_lowercase().ends_with(".csv"),
        };
        readers.push((open_input(name)?, csv));
    }
    let sources: Vec<String> = inputs
        .iter()
        .map(|n| {
            if n == "-" {
                "<stdin>".into()
            } else {
                n.clone()
            }
        })
        .collect();

    let mut out = crate::report::output(args.output.as_deref())?;

    let (tx, rx) = sync_channel::<Batch>(4);
    let reader = std::thread::spawn(move || -> Result<(), (usize, io::Error)> {
        for (source, (input, csv)) in readers.into_iter().enumerate() {
            let r = if csv {
                read_csv(source, BufReader::with_capacity(1 << 16, input), &tx)
            } else {
                read_lines(source, input, &tx)
            };
            r.map_err(|e| (source, e))?;
        }
        Ok(())
    });

    let mut summary = Summary::default();
    let mut bad = BadLines::default();
    let progress = progress_bar();
    let started = Instant::now();
    let csv_out = args.format == Format::Csv;
    if csv_out {
        let mut w = csv::WriterBuilder::new().from_writer(&mut out);
        w.write_record([
            "listing_id",
            "score",
            "level",
            "code",
            "field",
            "start",
            "end",
            "matched",
            "rule",
            "weight",
            "detail",
            "owner",
            "alternatives",
        ])?;
        w.flush()?;
    }
    let result = consume(
        &rx,
        &detector,
        &sources,
        args.all,
        &mut out,
        csv_out,
        &mut summary,
        &mut bad,
        progress.as_ref(),
    );
    drop(rx);
    let joined = reader.join();
    result?;
    out.flush()?;
    if let Some(p) = progress {
        p.finish_and_clear();
    }
    match joined {
        Ok(Ok(())) => {}
        Ok(Err((source, e))) => {
            return Err(e).with_context(|| format!("reading {}", sources[source]));
        }
        Err(_) => bail!("the input reader stopped unexpectedly"),
    }
    summary.print(
        started.elapsed().as_secs_f64(),
        bad.count(),
        detector.ruleset_version(),
    );
    Ok(bad.exit_code())
}

fn progress_bar() -> Option<indicatif::ProgressBar> {
    if !io::stderr().is_terminal() {
        return None;
    }
    let p = indicatif::ProgressBar::new_spinner();
    p.set_style(
        indicatif::ProgressStyle::with_template("{spinner} {pos} listings, {per_sec} {elapsed}")
            .unwrap_or_else(|_| indicatif::ProgressStyle::default_spinner()),
    );
    Some(p)
}

/// Reads JSON Lines input in blocks of whole lines. Line numbers are not counted here:
/// the writer adds up the line counts of the batches, in order.
fn read_lines(
    source: usize,
    mut input: impl Read,
    tx: &std::sync::mpsc::SyncSender<Batch>,
) -> io::Result<()> {
    let mut carry: Vec<u8> = Vec::new();
    loop {
        let mut buf = Vec::with_capacity(BATCH_BYTES.max(carry.len()) + (1 << 16));
        buf.append(&mut carry);
        let want = BATCH_BYTES.max(buf.len() + (1 << 16));
        let eof = fill(&mut input, &mut buf, want)?;
        if eof {
            // The last line may have no `\n` and still be too long.
            let start = buf.iter().rposition(|&b| b == b'\n').map_or(0, |p| p + 1);
            let last = (buf.len() - start) as u64;
            if last > MAX_LINE_BYTES as u64 {
                buf.truncate(start);
            }
            if !buf.is_empty() {
                send(tx, source, Body::Lines(buf))?;
            }
            if last > MAX_LINE_BYTES as u64 {
                send(tx, source, Body::TooLong(last))?;
            }
            return Ok(());
        }
        match buf.iter().rposition(|&b| b == b'\n') {
            Some(last) => {
                carry.extend_from_slice(&buf[last + 1..]);
                buf.truncate(last + 1);
                send(tx, source, Body::Lines(buf))?;
            }
            // One line fills the block: read on until it ends or is too long to keep.
            None if buf.len() > MAX_LINE_BYTES => {
                let (len, rest, eof) = skip_line(&mut input, buf.len() as u64)?;
                send(tx, source, Body::TooLong(len))?;
                if eof {
                    return Ok(());
                }
                carry = rest;
            }
            None => carry = buf,
        }
    }
}

/// Reads until `buf` holds `want` bytes; true at the end of the input. Reads straight into
/// `buf` (no bounce buffer): `read_to_end` of at most the missing bytes stops at that limit
/// or at the end of the input, and retries interrupted reads.
fn fill(input: &mut impl Read, buf: &mut Vec<u8>, want: usize) -> io::Result<bool> {
    if buf.len() < want {
        input
            .by_ref()
            .take((want - buf.len()) as u64)
            .read_to_end(buf)?;
    }
    Ok(buf.len() < want)
}

/// Skips the rest of a line of which `seen` bytes were read: its full length (without the
/// `\n`), the bytes read after it, and whether the input ended.
fn skip_line(input: &mut impl Read, mut seen: u64) -> io::Result<(u64, Vec<u8>, bool)> {
    let mut chunk = vec![0u8; 1 << 16];
    loop {
        let n = match input.read(&mut chunk) {
            Ok(0) => return Ok((seen, Vec::new(), true)),
            Ok(n) => n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        };
        match chunk[..n].iter().position(|&b| b == b'\n') {
            Some(p) => return Ok((seen + p as u64, chunk[p + 1..n].to_vec(), false)),
            None => seen += n as u64,
        }
    }
}

fn read_csv(
    source: usize,
    input: impl BufRead,
    tx: &std::sync::mpsc::SyncSender<Batch>,
) -> io::Result<()> {
    let mut r = match CsvListings::new(input) {
        Ok(r) => r,
        Err(e) => {
            let bad = vec![(1, Item::Bad(format!("header: {e}")))];
            return send(tx, source, Body::Records(bad));
        }
    };
    let mut items = Vec::with_capacity(BATCH);
    while let Some((n, l)) = r.next_listing() {
        items.push((n, Item::Parsed(Box::new(l.map_err(|e| e.to_string())))));
        if items.len() >= BATCH {
            let full = std::mem::replace(&mut items, Vec::with_capacity(BATCH));
            send(tx, source, Body::Records(full))?;
        }
    }
    if !items.is_empty() {
        send(tx, source, Body::Records(items))?;
    }
    Ok(())
}

fn send(tx: &std::sync::mpsc::SyncSender<Batch>, source: usize, body: Body) -> io::Result<()> {
    // The receiver hangs up only when output failed; stop reading quietly then.
    tx.send(Batch { source, body })
        .map_err(|_| io::Error::new(io::ErrorKind::BrokenPipe, "output closed"))
}

/// What scanning one batch produced: the output bytes, the bad lines and the counts.
struct Scanned {
    source: usize,
    /// Input lines the batch covered (JSON Lines), so the writer can number them.
    lines: u64,
    /// Bad lines: line numbers relative to the batch for JSON Lines, absolute for CSV.
    bad: Vec<(u64, String)>,
    records: u64,
    out: Vec<u8>,
    summary: Summary,
}

/// The lines of a JSON Lines block, numbered from 1, as for [`crate::input::for_each_line`]:
/// without `\n` or `\r\n`, the text or why it is unusable.
fn block_lines(block: &[u8]) -> impl Iterator<Item = (u64, Result<&str, LineProblem>)> {
    let body = block.strip_suffix(b"\n").unwrap_or(block);
    // `body.split(|&b| b == b'\n')`, found with memchr instead of byte by byte.
    let mut rest = (!block.is_empty()).then_some(body);
    let pieces = std::iter::from_fn(move || {
        let r = rest?;
        match memchr::memchr(b'\n', r) {
            Some(i) => {
                rest = Some(&r[i + 1..]);
                Some(&r[..i])
            }
            None => {
                rest = None;
                Some(r)
            }
        }
    });
    pieces.zip(1..).map(|(line, n)| {
        let line = line.strip_suffix(b"\r").unwrap_or(line);
        // SIMD validation first (std's is byte by byte on Chinese text, a twentieth of a
        // scan); std only to say where a bad line goes wrong.
        let text = match simdutf8::basic::from_utf8(line) {
            Ok(text) => Ok(text),
            Err(_) => std::str::from_utf8(line).map_err(|e| LineProblem::InvalidUtf8 {
                valid_up_to: e.valid_up_to(),
            }),
        };
        (n, text)
    })
}

/// Parses, scans and formats one batch (on a rayon worker).
fn scan_batch(
    detector: &Detector,
    batch: Batch,
    all: bool,
    csv_out: bool,
) -> anyhow::Result<Scanned> {
    let mut done = Scanned {
        source: batch.source,
        lines: 0,
        bad: Vec::new(),
        records: 0,
        out: Vec::new(),
        summary: Summary::default(),
    };
    let mut csv_w = csv_out.then(|| csv::WriterBuilder::new().from_writer(Vec::new()));
    let mut emit = |done: &mut Scanned, verdict: Verdict| -> anyhow::Result<()> {
        done.summary.add(&verdict);
        if verdict.reasons.is_empty() && !all {
            return Ok(());
        }
        match csv_w.as_mut() {
            Some(w) => write_csv(w, &verdict)?,
            None => {
                write_json(&mut done.out, &verdict);
                done.out.push(b'\n');
            }
        }
        Ok(())
    };
    match &batch.body {
        Body::Lines(block) => {
            done.out.reserve(block.len() * 2);
            for (n, line) in block_lines(block) {
                done.lines = n;
                let verdict = match line {
                    Ok(l) if l.trim().is_empty() => continue,
                    Ok(l) => match ListingRef::from_json(l) {
                        Ok(listing) => detector.scan_ref(&listing),
                        Err(e) => {
                            done.bad.push((n, e.to_string()));
                            continue;
                        }
                    },
                    Err(p) => {
                        done.bad.push((n, p.to_string()));
                        continue;
                    }
                };
                done.records += 1;
                emit(&mut done, verdict)?;
            }
        }
        Body::TooLong(bytes) => {
            done.lines = 1;
            done.bad
                .push((1, LineProblem::TooLong { bytes: *bytes }.to_string()));
        }
        Body::Records(items) => {
            for (n, item) in items {
                done.records += 1;
                match item {
                    Item::Parsed(p) => match p.as_ref() {
                        Ok(l) => emit(&mut done, detector.scan(l))?,
                        Err(e) => done.bad.push((*n, e.clone())),
                    },
                    Item::Bad(e) => done.bad.push((*n, e.clone())),
                }
            }
        }
    }
    if let Some(w) = csv_w {
        done.out = w
            .into_inner()
            .map_err(|e| anyhow::anyhow!("writing CSV: {e}"))?;
    }
    Ok(done)
}

/// Scans batches as they arrive and writes the results in input order.
///
/// Each batch is one rayon task; up to `2 × threads + 2` batches are in flight, so the
/// workers never wait for the writer or for the slowest task of a batch, and memory stays
/// bounded. The writer only copies finished bytes.
#[allow(clippy::too_many_arguments)]
fn consume(
    rx: &Receiver<Batch>,
    detector: &Arc<Detector>,
    sources: &[String],
    all: bool,
    out: &mut impl Write,
    csv_out: bool,
    summary: &mut Summary,
    bad: &mut BadLines,
    progress: Option<&indicatif::ProgressBar>,
) -> anyhow::Result<()> {
    let in_flight = 2 * rayon::current_num_threads() + 2;
    let mut line_base = vec![0u64; sources.len()];
    let mut pending: VecDeque<Receiver<anyhow::Result<Scanned>>> = VecDeque::new();
    let mut finish = |r: Receiver<anyhow::Result<Scanned>>| -> anyhow::Result<()> {
        let done = r
            .recv()
            .map_err(|_| anyhow::anyhow!("a scan worker stopped unexpectedly"))??;
        let source = &sources[done.source];
        // JSON Lines batches number their lines from 1; CSV records carry their own.
        let base = line_base[done.source];
        line_base[done.source] += done.lines;
        for (line, e) in done.bad {
            bad.report(source, base + line, e);
        }
        summary.merge(&done.summary);
        out.write_all(&done.out)?;
        if let Some(p) = progress {
            p.inc(done.records);
        }
        Ok(())
    };
    for batch in rx.iter() {
        let (tx, result) = sync_channel(1);
        let detector = Arc::clone(detector);
        rayon::spawn(move || {
            // The receiver is gone only when output already failed.
            let _ = tx.send(scan_batch(&detector, batch, all, csv_out));
        });
        pending.push_back(result);
        while pending.len() >= in_flight {
            if let Some(r) = pending.pop_front() {
                finish(r)?;
            }
        }
    }
    while let Some(r) = pending.pop_front() {
        finish(r)?;
    }
    Ok(())
}

/// Writes `v` as one JSON object, byte for byte what `serde_json::to_writer` writes for a
/// [`Verdict`] (same field order, same escapes), without going through serde: formatting
/// is a large share of a scan, since most listings of a patrol have reasons.
fn write_json(out: &mut Vec<u8>, v: &Verdict) {
    out.extend_from_slice(b"{\"listing_id\":");
    json_str(out, &v.listing_id);
    out.extend_from_slice(b",\"score\":");
    json_uint(out, v.score as u64);
    out.extend_from_slice(b",\"level\":\"");
    out.extend_from_slice(v.level.as_str().as_bytes());
    out.extend_from_slice(b"\",\"reasons\":[");
    for (i, r) in v.reasons.iter().enumerate() {
        if i > 0 {
            out.push(b',');
        }
        out.extend_from_slice(b"{\"code\":\"");
        out.extend_from_slice(r.code.as_str().as_bytes());
        out.extend_from_slice(b"\",\"detail\":");
        json_str(out, &r.detail);
        out.extend_from_slice(b",\"field\":\"");
        out.extend_from_slice(r.field.as_str().as_bytes());
        out.extend_from_slice(b"\",\"matched\":");
        json_str(out, &r.matched);
        out.extend_from_slice(b",\"start\":");
        json_uint(out, r.start as u64);
        out.extend_from_slice(b",\"end\":");
        json_uint(out, r.end as u64);
        out.extend_from_slice(b",\"rule\":");
        json_str(out, &r.rule);
        out.extend_from_slice(b",\"weight\":");
        json_uint(out, r.weight as u64);
        if let Some(owner) = &r.owner {
            out.extend_from_slice(b",\"owner\":");
            json_str(out, owner);
        }
        if !r.alternatives.is_empty() {
            out.extend_from_slice(b",\"alternatives\":");
            write_alternatives(out, &r.alternatives);
        }
        out.push(b'}');
    }
    out.extend_from_slice(b"]}");
}

/// The `alternatives` of a mark reason as serde_json writes them.
fn write_alternatives(out: &mut Vec<u8>, alternatives: &[wangjian_detect::Alternative]) {
    out.push(b'[');
    for (i, a) in alternatives.iter().enumerate() {
        if i > 0 {
            out.push(b',');
        }
        out.extend_from_slice(b"{\"mark\":");
        json_str(out, &a.mark);
        out.extend_from_slice(b",\"owner\":");
        json_str(out, &a.owner);
        if !a.classes.is_empty() {
            out.extend_from_slice(b",\"classes\":[");
            for (j, c) in a.classes.iter().enumerate() {
                if j > 0 {
                    out.push(b',');
                }
                json_uint(out, u64::from(*c));
            }
            out.push(b']');
        }
        out.extend_from_slice(b",\"form\":");
        json_str(out, &a.form);
        out.extend_from_slice(b",\"matched\":");
        json_str(out, &a.matched);
        out.extend_from_slice(if a.fits {
            b",\"fits\":true}"
        } else {
            b",\"fits\":false}"
        });
    }
    out.push(b']');
}

/// A JSON string with serde_json's escapes: `\"`, `\\`, `\b \f \n \r \t`, other control
/// characters as `\u00XX` (lowercase hex); everything else, including non-ASCII, as is.
fn json_str(out: &mut Vec<u8>, s: &str) {
    out.push(b'"');
    let bytes = s.as_bytes();
    let mut start = 0;
    let mut i = 0;
    while i < bytes.len() {
        // Skip eight bytes at a time while none needs an escape (most text never does).
        if let Some(chunk) = bytes.get(i..i + 8) {
            let mut word = [0u8; 8];
            word.copy_from_slice(chunk);
            if !needs_escape(u64::from_le_bytes(word)) {
                i += 8;
                continue;
            }
        }
        let b = bytes[i];
        let esc: &[u8] = match b {
            b'"' => b"\\\"",
            b'\\' => b"\\\\",
            b'\n' => b"\\n",
            b'\r' => b"\\r",
            b'\t' => b"\\t",
            0x08 => b"\\b",
            0x0c => b"\\f",
            0x00..=0x1f => {
                out.extend_from_slice(&bytes[start..i]);
                const HEX: &[u8; 16] = b"0123456789abcdef";
                out.extend_from_slice(b"\\u00");
                out.push(HEX[(b >> 4) as usize]);
                out.push(HEX[(b & 0xf) as usize]);
                i += 1;
                start = i;
                continue;
            }
            _ => {
                i += 1;
                continue;
            }
        };
        out.extend_from_slice(&bytes[start..i]);
        out.extend_from_slice(esc);
        i += 1;
        start = i;
    }
    out.extend_from_slice(&bytes[start..]);
    out.push(b'"');
}

/// True when one of the eight bytes of `w` is a control character, `"` or `\\` (may also
/// say true for a byte >= 0x80 next to such a byte; never false when one is there).
fn needs_escape(w: u64) -> bool {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGH: u64 = 0x8080_8080_8080_8080;
    let zero_byte = |x: u64| x.wrapping_sub(ONES) & !x & HIGH;
    let below_space = w.wrapping_sub(ONES * 0x20) & !w & HIGH;
    (below_space | zero_byte(w ^ (ONES * b'"' as u64)) | zero_byte(w ^ (ONES * b'\\' as u64))) != 0
}

fn json_uint(out: &mut Vec<u8>, mut n: u64) {
    let mut buf = [0u8; 20];
    let mut i = buf.len();
    loop {
        i -= 1;
        buf[i] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    out.extend_from_slice(&buf[i..]);
}

fn write_csv(w: &mut csv::Writer<Vec<u8>>, v: &Verdict) -> anyhow::Result<()> {
    let score = v.score.to_string();
    if v.reasons.is_empty() {
        w.write_record([
            &v.listing_id,
            &score,
            v.level.as_str(),
            "",
            "",
            "",
            "",
            "",
            "",
            "",
            "",
            "",
            "",
        ])?;
    }
    for r in &v.reasons {
        w.write_record([
            v.listing_id.as_str(),
            &score,
            v.level.as_str(),
            r.code.as_str(),
            r.field.as_str(),
            &r.start.to_string(),
            &r.end.to_string(),
            &r.matched,
            &r.rule,
            &r.weight.to_string(),
            &r.detail,
            r.owner.as_deref().unwrap_or(""),
            &if r.alternatives.is_empty() {
                String::new()
            } else {
                let mut b = Vec::new();
                write_alternatives(&mut b, &r.alternatives);
                String::from_utf8(b).unwrap_or_default()
            },
        ])?;
    }
    Ok(())
}

#[derive(Default)]
struct Summary {
    listings: u64,
    levels: [u64; 4],
    codes: [u64; 9],
}

impl Summary {
    fn add(&mut self, v: &Verdict) {
        self.listings += 1;
        if let Some(i) = Level::ALL.iter().position(|l| *l == v.level) {
            self.levels[i] += 1;
        }
        for (i, c) in Code::ALL.iter().enumerate() {
            if v.reasons.iter().any(|r| r.code == *c) {
                self.codes[i] += 1;
            }
        }
    }

    fn merge(&mut self, other: &Summary) {
        self.listings += other.listings;
        for (a, b) in self.levels.iter_mut().zip(other.levels) {
            *a += b;
        }
        for (a, b) in self.codes.iter_mut().zip(other.codes) {
            *a += b;
        }
    }

    fn print(&self, secs: f64, bad: u64, version: &str) {
        let rate = if secs > 0.0 {
            self.listings as f64 / secs
        } else {
            0.0
        };
        let levels: Vec<String> = Level::ALL
            .iter()
            .zip(self.levels)
            .rev()
            .map(|(l, n)| format!("{} {n}", l.as_str()))
            .collect();
        let codes: Vec<String> = Code::ALL
            .iter()
            .zip(self.codes)
            .filter(|(_, n)| *n > 0)
            .map(|(c, n)| format!("{} {n}", c.as_str()))
            .collect();
        eprintln!(
            "wangjian: scanned {} listings in {secs:.2}s ({rate:.0}/s), {bad} bad lines; rule set {}",
            self.listings,
            version.get(..12).unwrap_or(version)
        );
        eprintln!("wangjian: levels: {}", levels.join(", "));
        eprintln!(
            "wangjian: listings per reason: {}",
            if codes.is_empty() {
                "-".to_string()
            } else {
                codes.join(", ")
            }
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use wangjian_detect::{Field, Reason};

    #[test]
    fn json_is_what_serde_json_writes() {
        let tricky =
            "引号\"反斜杠\\ 控制\u{0}\u{1}\u{8}\u{b}\u{c}\u{1f}\u{7f} 换行\n\r\t é 😀 </script>";
        let reason = |code, field| Reason {
            code,
            detail: format!("说明 {tricky}"),
            field,
            matched: tricky.to_string(),
            start: 0,
            end: 18_446_744,
            rule: "mark:\"x\"".into(),
            weight: u32::MAX,
            owner: (code == Code::Mark).then(|| format!("权利人 {tricky}")),
            alternatives: if code == Code::Mark {
                vec![
                    wangjian_detect::Alternative {
                        mark: tricky.into(),
                        owner: String::new(),
                        classes: vec![9, 45],
                        form: "homophone".into(),
                        matched: "x\"".into(),
                        fits: true,
                    },
                    wangjian_detect::Alternative {
                        mark: "长城".into(),
                        owner: "长城汽车".into(),
                        classes: vec![],
                        form: "written".into(),
                        matched: "長城".into(),
                        fits: false,
                    },
                ]
            } else {
                Vec::new()
            },
        };
        for v in [
            Verdict {
                listing_id: tricky.into(),
                score: 100,
                level: Level::High,
                reasons: vec![
                    reason(Code::Mark, Field::Title),
                    reason(Code::RegulatedNoLicense, Field::ShipFrom),
                ],
            },
            Verdict {
                listing_id: String::new(),
                score: 0,
                level: Level::None,
                reasons: vec![],
            },
        ] {
            let mut ours = Vec::new();
            write_json(&mut ours, &v);
            let theirs = serde_json::to_vec(&v).expect("serde_json");
            assert_eq!(
                String::from_utf8_lossy(&ours),
                String::from_utf8_lossy(&theirs)
            );
        }
        // Every escape at every offset of the eight-byte fast path, next to ASCII and
        // multi-byte characters.
        for special in [
            '"', '\\', '\n', '\u{0}', '\u{1f}', ' ', '~', '\u{7f}', 'é', '仿',
        ] {
            for pad in ["a", "耐"] {
                for k in 0..20 {
                    let s: String = pad.repeat(k) + &special.to_string() + &pad.repeat(20 - k);
                    let mut ours = Vec::new();
                    json_str(&mut ours, &s);
                    let theirs = serde_json::to_vec(&s).expect("serde_json");
                    assert_eq!(ours, theirs, "{s:?}");
                }
            }
        }
    }

    #[test]
    fn blocks_are_cut_into_numbered_lines_like_for_each_line() {
        let lines: Vec<(u64, Result<String, LineProblem>)> = block_lines(b"a\r\n\nb\xff\n\r\nlast")
            .map(|(n, l)| (n, l.map(str::to_string)))
            .collect();
        assert_eq!(
            lines,
            vec![
                (1, Ok("a".into())),
                (2, Ok(String::new())),
                (3, Err(LineProblem::InvalidUtf8 { valid_up_to: 1 })),
                (4, Ok(String::new())),
                (5, Ok("last".into())),
            ]
        );
        assert_eq!(block_lines(b"").count(), 0);
        assert_eq!(block_lines(b"x\n").count(), 1);
        assert_eq!(block_lines(b"\n").count(), 1);
        assert_eq!(block_lines(b"\n\n").count(), 2);
    }

    proptest::proptest! {
        #[test]
        fn blocks_are_cut_like_slice_split(bytes in proptest::collection::vec(proptest::sample::select(vec![b'a', b'\n', b'\r', 0xE4, 0xBD, 0xA0]), 0..40)) {
            let body = bytes.strip_suffix(b"\n").unwrap_or(&bytes);
            let want: Vec<&[u8]> = if bytes.is_empty() { Vec::new() } else { body.split(|&b| b == b'\n').collect() };
            let got: Vec<u64> = block_lines(&bytes).map(|(n, _)| n).collect();
            proptest::prop_assert_eq!(got.len(), want.len());
            for ((_, line), piece) in block_lines(&bytes).zip(&want) {
                let piece = piece.strip_suffix(b"\r").unwrap_or(piece);
                match line {
                    Ok(text) => proptest::prop_assert_eq!(text.as_bytes(), piece),
                    Err(_) => proptest::prop_assert!(std::str::from_utf8(piece).is_err()),
                }
            }
        }

        #[test]
        fn fill_reads_exactly_what_is_wanted(data in proptest::collection::vec(proptest::num::u8::ANY, 0..300), have in 0usize..50, want in 0usize..400, chunk in 1usize..64) {
            /// A reader that hands out at most `chunk` bytes per read.
            struct Trickle<'a>(&'a [u8], usize);
            impl Read for Trickle<'_> {
                fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
                    let n = self.0.len().min(out.len()).min(self.1);
                    out[..n].copy_from_slice(&self.0[..n]);
                    self.0 = &self.0[n..];
                    Ok(n)
                }
            }
            let mut buf = vec![7u8; have];
            let mut input = Trickle(&data, chunk);
            let eof = fill(&mut input, &mut buf, want).expect("fill");
            let expect_len = if want > have { want.min(have + data.len()) } else { have };
            proptest::prop_assert_eq!(buf.len(), expect_len);
            proptest::prop_assert_eq!(&buf[have..], &data[..expect_len - have]);
            proptest::prop_assert_eq!(eof, have + data.len() < want);
        }
    }
}
