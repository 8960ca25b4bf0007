//! `wangjian scan`: run the detection rules over listings (网上巡查).
//!
//! Input: JSON Lines (one listing per line) or CSV (by the `.csv` extension or
//! `--input-format csv`), from files or stdin. Output: one verdict per flagged listing
//! (every listing with `--all`), in input order, as JSON Lines or CSV.
//!
//! The scan streams: a reader thread cuts the input into batches of lines and hands them
//! over a bounded channel; each batch is scanned in parallel (rayon) and written in order,
//! so memory does not grow with the input. A bad line is reported on stderr with its file
//! and line number and skipped; the exit status is then 1.

use std::fs::File;
use std::io::{self, BufRead, BufReader, BufWriter, IsTerminal, Read, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::mpsc::{sync_channel, Receiver};
use std::time::Instant;

use anyhow::{bail, Context};
use rayon::prelude::*;
use wangjian_detect::{
    parse_marks, Code, CsvListings, Detector, Level, Listing, RulePack, Verdict, PACK_FILES,
};

use crate::input::{for_each_line, LineProblem, MAX_LINE_BYTES};
use crate::report::BadLines;

/// Where the rules come from (shared with `wangjian rules`).
#[derive(Debug, Clone, clap::Args)]
pub struct RuleArgs {
    /// Rule pack directory. Default: `rules/default` under the current directory when it
    /// exists, otherwise the default pack embedded in the binary.
    #[arg(long, value_name = "DIR")]
    pub rules: Option<PathBuf>,
    /// Marks file (CSV: mark,aliases,owner,categories,reference_price_cny,authorized_shops
    /// [,well_known]); may be given several times.
    #[arg(long = "marks", value_name = "FILE")]
    pub marks: Vec<PathBuf>,
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

/// Reads a rule pack directory into (path, text) pairs; errors name the file.
fn read_pack_dir(dir: &Path) -> anyhow::Result<Vec<(String, String)>> {
    let mut files = Vec::new();
    for name in PACK_FILES {
        let path = dir.join(name);
        let text = std::fs::read_to_string(&path)
            .with_context(|| format!("reading rule file {}", path.display()))?;
        files.push((path.display().to_string(), text));
    }
    Ok(files)
}

/// Loads the rule pack and marks the arguments name, with every problem in the error.
pub fn load_sources(args: &RuleArgs) -> anyhow::Result<(RulePack, Vec<wangjian_detect::Mark>)> {
    let dir = match &args.rules {
        Some(d) => Some(d.clone()),
        None => {
            let d = PathBuf::from("rules/default");
            d.is_dir().then_some(d)
        }
    };
    let pack = match dir {
        Some(d) => {
            let files = read_pack_dir(&d)?;
            RulePack::parse(files.iter().map(|(n, t)| (n.as_str(), t.as_str())))
        }
        None => RulePack::embedded(),
    };
    let mut problems = Vec::new();
    let pack = match pack {
        Ok(p) => Some(p),
        Err(e) => {
            problems.extend(e.0);
            None
        }
    };
    let mut marks = Vec::new();
    for path in &args.marks {
        let text = std::fs::read_to_string(path)
            .with_context(|| format!("reading marks file {}", path.display()))?;
        match parse_marks(&path.display().to_string(), &text) {
            Ok(m) => marks.extend(m),
            Err(e) => problems.extend(e.0),
        }
    }
    match pack {
        Some(p) if problems.is_empty() => Ok((p, marks)),
        _ => bail!("invalid rules:\n{}", wangjian_detect::Problems(problems)),
    }
}

/// Builds the detector the arguments name.
pub fn load_detector(args: &RuleArgs, compiled: Option<&Path>) -> anyhow::Result<Detector> {
    if let Some(path) = compiled {
        let bytes = std::fs::read(path)
            .with_context(|| format!("reading compiled rule set {}", path.display()))?;
        return Detector::from_compiled(&bytes)
            .with_context(|| format!("loading compiled rule set {}", path.display()));
    }
    let (pack, marks) = load_sources(args)?;
    Detector::build(pack, marks).map_err(|e| anyhow::anyhow!("invalid rules:\n{e}"))
}

/// One unit of work: a line to parse, or a record already parsed (CSV).
enum Item {
    Line(String),
    Parsed(Box<Result<Listing, String>>),
    Bad(String),
}

struct Batch {
    source: usize,
    items: Vec<(u64, Item)>,
}

const BATCH: usize = 2048;

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
    let detector = load_detector(&args.rules, args.compiled.as_deref())?;
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

    let out: Box<dyn Write> = match &args.output {
        Some(p) => {
            Box::new(File::create(p).with_context(|| format!("creating output {}", p.display()))?)
        }
        None => Box::new(io::stdout().lock()),
    };
    let mut out = BufWriter::with_capacity(1 << 16, out);

    let (tx, rx) = sync_channel::<Batch>(4);
    let reader = std::thread::spawn(move || -> Result<(), (usize, io::Error)> {
        for (source, (input, csv)) in readers.into_iter().enumerate() {
            let buffered = BufReader::with_capacity(1 << 16, input);
            let r = if csv {
                read_csv(source, buffered, &tx)
            } else {
                read_lines(source, buffered, &tx)
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

fn read_lines(
    source: usize,
    input: impl BufRead,
    tx: &std::sync::mpsc::SyncSender<Batch>,
) -> io::Result<()> {
    let mut items = Vec::with_capacity(BATCH);
    for_each_line(input, MAX_LINE_BYTES, |n, line| {
        let item = match line {
            Ok(l) if l.trim().is_empty() => return Ok(()),
            Ok(l) => Item::Line(l.to_string()),
            Err(LineProblem::InvalidUtf8 { valid_up_to }) => {
                Item::Bad(LineProblem::InvalidUtf8 { valid_up_to }.to_string())
            }
            Err(p) => Item::Bad(p.to_string()),
        };
        items.push((n, item));
        if items.len() >= BATCH {
            let full = std::mem::replace(&mut items, Vec::with_capacity(BATCH));
            send(tx, source, full)?;
        }
        Ok(())
    })?;
    if !items.is_empty() {
        send(tx, source, items)?;
    }
    Ok(())
}

fn read_csv(
    source: usize,
    input: impl BufRead,
    tx: &std::sync::mpsc::SyncSender<Batch>,
) -> io::Result<()> {
    let mut r = match CsvListings::new(input) {
        Ok(r) => r,
        Err(e) => return send(tx, source, vec![(1, Item::Bad(format!("header: {e}")))]),
    };
    let mut items = Vec::with_capacity(BATCH);
    while let Some((n, l)) = r.next_listing() {
        items.push((n, Item::Parsed(Box::new(l.map_err(|e| e.to_string())))));
        if items.len() >= BATCH {
            let full = std::mem::replace(&mut items, Vec::with_capacity(BATCH));
            send(tx, source, full)?;
        }
    }
    if !items.is_empty() {
        send(tx, source, items)?;
    }
    Ok(())
}

fn send(
    tx: &std::sync::mpsc::SyncSender<Batch>,
    source: usize,
    items: Vec<(u64, Item)>,
) -> io::Result<()> {
    // The receiver hangs up only when output failed; stop reading quietly then.
    tx.send(Batch { source, items })
        .map_err(|_| io::Error::new(io::ErrorKind::BrokenPipe, "output closed"))
}

#[allow(clippy::too_many_arguments)]
fn consume(
    rx: &Receiver<Batch>,
    detector: &Detector,
    sources: &[String],
    all: bool,
    out: &mut impl Write,
    csv_out: bool,
    summary: &mut Summary,
    bad: &mut BadLines,
    progress: Option<&indicatif::ProgressBar>,
) -> anyhow::Result<()> {
    for batch in rx.iter() {
        let results: Vec<Result<Verdict, String>> = batch
            .items
            .par_iter()
            .map(|(_, item)| match item {
                Item::Line(l) => Listing::from_json(l)
                    .map(|l| detector.scan(&l))
                    .map_err(|e| e.to_string()),
                Item::Parsed(p) => match p.as_ref() {
                    Ok(l) => Ok(detector.scan(l)),
                    Err(e) => Err(e.clone()),
                },
                Item::Bad(e) => Err(e.clone()),
            })
            .collect();
        let source = &sources[batch.source];
        let mut csv_w = csv_out.then(|| csv::WriterBuilder::new().from_writer(Vec::new()));
        for ((line, _), r) in batch.items.iter().zip(results) {
            match r {
                Err(e) => bad.report(source, *line, e),
                Ok(v) => {
                    summary.add(&v);
                    if v.reasons.is_empty() && !all {
                        continue;
                    }
                    match csv_w.as_mut() {
                        Some(w) => write_csv(w, &v)?,
                        None => {
                            serde_json::to_writer(&mut *out, &v)?;
                            out.write_all(b"\n")?;
                        }
                    }
                }
            }
        }
        if let Some(w) = csv_w {
            let bytes = w
                .into_inner()
                .map_err(|e| anyhow::anyhow!("writing CSV: {e}"))?;
            out.write_all(&bytes)?;
        }
        if let Some(p) = progress {
            p.inc(batch.items.len() as u64);
        }
    }
    Ok(())
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
