//! `wangjian screen --list LIST.jsonl [CANDIDATES...]`: screen subjects against a list
//! (a blacklist export for joint punishment, 失信联合惩戒), as a platform or an agency
//! does before dealing with them.
//!
//! The list and the candidates are JSON Lines (`id`, `name`, `aliases`, `former_names`,
//! `uscc`, `citizen_id`, `phone`, `shop_id`, `domain`; any subset, list entries need an
//! `id`). Output: one JSON line per candidate, in input order: `candidate_id` and
//! `matches` (see `wangjian_screen::Screening`). A bad line of the list, of an exclusion
//! file or of the candidates is reported on stderr with its file and line number and
//! skipped; the exit status is then 1.
//!
//! The list is read whole and parsed on all cores (or a prebuilt index is opened:
//! `--save-index FILE` writes one, `--index FILE` opens it); candidates stream in batches,
//! each batch screened on all cores and written in order, so memory does not grow with
//! the candidates.

use std::fs::File;
use std::io::{self, BufReader, Read, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Instant;

use anyhow::{bail, Context};
use rayon::prelude::*;
use wangjian_screen::{Decision, Exclusions, Index, IndexBuilder, Options, Record, Weights};

use crate::input::{for_each_line, LineProblem, MAX_LINE_BYTES};
use crate::report::BadLines;

/// Arguments of `wangjian screen`.
#[derive(Debug, clap::Args)]
#[command(group(clap::ArgGroup::new("source").required(true).args(["list", "index", "db"])))]
pub struct Args {
    /// The list to screen against: JSON Lines, one subject per line, each with an `id`.
    #[arg(long, value_name = "LIST.jsonl")]
    pub list: Option<PathBuf>,
    /// A prebuilt index of the list (written by --save-index): opens in a fraction of the
    /// time it takes to index the list.
    #[arg(long, value_name = "FILE", conflicts_with = "list")]
    pub index: Option<PathBuf>,
    /// Screen against the serious-violation list in this database as it stands today
    /// (sqlite:PATH or postgres://…), as the user --as: the call is recorded in the
    /// audit trail (who, how many), the candidates are not.
    #[arg(long, value_name = "URL", conflicts_with_all = ["list", "index"], requires = "login")]
    pub db: Option<String>,
    /// With --db: the sign-in name of the screening user (a platform's operator, an
    /// agency's officer).
    #[arg(long = "as", value_name = "LOGIN", requires = "db")]
    pub login: Option<String>,
    /// With --db: the organization they act for, when they belong to several.
    #[arg(long, value_name = "ORG", requires = "db")]
    pub org: Option<String>,
    /// Write the index built from --list to FILE, to open it later with --index.
    #[arg(long, value_name = "FILE", requires = "list")]
    pub save_index: Option<PathBuf>,
    /// Entries ruled false positives: JSON Lines `{"id": LISTED_ID}` (never report it) or
    /// `{"id": LISTED_ID, "candidate_id": ID}` (not for that candidate); may be repeated.
    #[arg(long, value_name = "FILE")]
    pub exclude: Vec<PathBuf>,
    /// Report matches scoring at least this (0–1).
    #[arg(long, default_value_t = Options::default().threshold)]
    pub threshold: f64,
    /// A `same` match scoring at least this is a `match`, below it `possible` (0–1).
    #[arg(long, default_value_t = Options::default().match_threshold)]
    pub match_threshold: f64,
    /// At most this many matches per candidate.
    #[arg(long, default_value_t = Options::default().limit)]
    pub limit: usize,
    /// Evidence weights: a JSON object with any of the fields of `wangjian_screen::Weights`
    /// (e.g. `{"phone": 0.5, "region_conflict": 0.6}`); the rest keep their defaults.
    #[arg(long, value_name = "FILE")]
    pub weights: Option<PathBuf>,
    /// Write output here instead of stdout.
    #[arg(short = 'o', long, value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// Candidate files (JSON Lines); stdin when none or `-`.
    pub candidates: Vec<String>,
}

/// Candidates screened as one batch on all cores.
const BATCH: usize = 4096;

/// Runs `wangjian screen`.
pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    for (name, v) in [
        ("--threshold", args.threshold),
        ("--match-threshold", args.match_threshold),
    ] {
        if !(0.0..=1.0).contains(&v) {
            bail!("{name} must be between 0 and 1, not {v}");
        }
    }
    let weights = match &args.weights {
        Some(p) => read_weights(p)?,
        None => Weights::default(),
    };
    let mut bad = BadLines::default();
    let mut exclusions = Exclusions::default();
    for p in &args.exclude {
        read_exclusions(p, &mut exclusions, &mut bad)?;
    }
    // Open every candidate input first: an unreadable file is a usage error before any
    // output.
    let inputs: Vec<String> = if args.candidates.is_empty() {
        vec!["-".to_string()]
    } else {
        args.candidates.clone()
    };
    let mut readers: Vec<(String, Box<dyn Read>)> = Vec::new();
    for name in &inputs {
        if name == "-" {
            readers.push(("<stdin>".into(), Box::new(io::stdin())));
        } else {
            let f = File::open(name).with_context(|| format!("opening candidates {name}"))?;
            readers.push((name.clone(), Box::new(f)));
        }
    }

    if let (Some(db), Some(login)) = (&args.db, &args.login) {
        let options = Options {
            threshold: args.threshold,
            match_threshold: args.match_threshold,
            limit: args.limit,
            weights,
            exclusions,
            ..Options::default()
        };
        let who = crate::acting::AsArg {
            login: login.clone(),
            org: args.org.clone(),
        };
        return run_db(db, &who, readers, options, args.output.as_deref(), bad);
    }
    let started = Instant::now();
    let (index, source) = match (&args.list, &args.index) {
        (Some(list), _) => (load_list(list, &mut bad)?, list.display().to_string()),
        (None, Some(path)) => {
            let bytes =
                std::fs::read(path).with_context(|| format!("reading index {}", path.display()))?;
            let index = Index::from_bytes(&bytes)
                .with_context(|| format!("opening index {}", path.display()))?;
            (index, path.display().to_string())
        }
        (None, None) => bail!("give --list LIST.jsonl or --index FILE"),
    };
    let loaded = started.elapsed().as_secs_f64();
    if let Some(path) = &args.save_index {
        std::fs::write(path, index.to_bytes())
            .with_context(|| format!("writing index {}", path.display()))?;
    }
    let stats = index.stats();
    let options = Options {
        threshold: args.threshold,
        match_threshold: args.match_threshold,
        limit: args.limit,
        weights,
        exclusions,
        ..Options::default()
    };

    let mut out = crate::report::output(args.output.as_deref())?;
    let screening = Instant::now();
    let mut counts = Counts::default();
    for (source, reader) in readers {
        let mut batch: Vec<(u64, Record)> = Vec::with_capacity(BATCH);
        for_each_line(
            BufReader::with_capacity(1 << 16, reader),
            MAX_LINE_BYTES,
            |n, line| {
                if let Some(r) = parse_candidate(&source, n, line, &mut bad) {
                    batch.push((n, r));
                }
                if batch.len() >= BATCH {
                    screen_batch(&index, &options, &mut batch, &mut out, &mut counts)?;
                }
                Ok(())
            },
        )
        .with_context(|| format!("reading {source}"))?;
        screen_batch(&index, &options, &mut batch, &mut out, &mut counts)?;
    }
    out.flush()?;
    let secs = screening.elapsed().as_secs_f64();
    eprintln!(
        "wangjian: list {source}: {} entries ({} lines merged by id), {} names, {} identifiers, loaded in {loaded:.2}s",
        stats.entries,
        stats.merged,
        stats.names,
        stats.idents,
    );
    eprintln!(
        "wangjian: screened {} candidates in {secs:.2}s ({:.0}/s): {} with a match, {} with only possible matches; {} bad lines",
        counts.candidates,
        counts.candidates as f64 / secs.max(1e-9),
        counts.with_match,
        counts.possible_only,
        bad.count(),
    );
    Ok(bad.exit_code())
}

/// `--db`: the candidates, read like the file path's, screened through the app (the
/// store's list today, the policy, the audit record), one recorded call per batch.
fn run_db(
    db: &str,
    who: &crate::acting::AsArg,
    readers: Vec<(String, Box<dyn Read>)>,
    options: Options,
    output: Option<&Path>,
    mut bad: BadLines,
) -> anyhow::Result<ExitCode> {
    let rt = crate::cmd::db::runtime()?;
    let store = rt.block_on(crate::cmd::db::open(&crate::cmd::db::DbArg {
        db: db.to_string(),
    }))?;
    let app = wangjian_app::App::new(store, wangjian_app::RuleSource::default())
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    let call = rt.block_on(crate::acting::call_as(&app, who, chrono::Utc::now()))?;
    let mut out = crate::report::output(output)?;
    let mut counts = Counts::default();
    let started = Instant::now();
    let flush =
        |batch: &mut Vec<Record>, out: &mut dyn Write, counts: &mut Counts| -> anyhow::Result<()> {
            if batch.is_empty() {
                return Ok(());
            }
            let answers = rt
                .block_on(app.screen(&call, std::mem::take(batch), options.clone()))
                .map_err(|e| anyhow::anyhow!("{e}"))?;
            for s in answers {
                counts.candidates += 1;
                match s
                    .matches
                    .iter()
                    .map(|m| m.decision)
                    .min_by_key(|d| *d != Decision::Match)
                {
                    Some(Decision::Match) => counts.with_match += 1,
                    Some(Decision::Possible) => counts.possible_only += 1,
                    None => {}
                }
                let mut line = serde_json::to_vec(&s)?;
                line.push(b'\n');
                out.write_all(&line)?;
            }
            Ok(())
        };
    for (source, reader) in readers {
        let mut batch: Vec<Record> = Vec::new();
        let mut failed: Option<anyhow::Error> = None;
        for_each_line(
            BufReader::with_capacity(1 << 16, reader),
            MAX_LINE_BYTES,
            |n, line| {
                if let Some(r) = parse_candidate(&source, n, line, &mut bad) {
                    batch.push(r);
                }
                if batch.len() >= 10_000 && failed.is_none() {
                    if let Err(e) = flush(&mut batch, &mut out, &mut counts) {
                        failed = Some(e);
                    }
                }
                Ok(())
            },
        )
        .with_context(|| format!("reading {source}"))?;
        if let Some(e) = failed {
            return Err(e);
        }
        flush(&mut batch, &mut out, &mut counts)?;
    }
    out.flush()?;
    let secs = started.elapsed().as_secs_f64();
    eprintln!(
        "wangjian: screened {} candidates against the list in {db} in {secs:.2}s: {} with a match, {} with only possible matches; {} bad lines",
        counts.candidates, counts.with_match, counts.possible_only, bad.count(),
    );
    Ok(bad.exit_code())
}

#[derive(Default)]
struct Counts {
    candidates: u64,
    with_match: u64,
    possible_only: u64,
}

/// Parses one candidate line; blank lines are skipped, bad ones reported.
fn parse_candidate(
    source: &str,
    n: u64,
    line: Result<&str, LineProblem>,
    bad: &mut BadLines,
) -> Option<Record> {
    let line = match line {
        Ok(l) => l,
        Err(p) => {
            bad.report(source, n, p);
            return None;
        }
    };
    if line.trim().is_empty() {
        return None;
    }
    match serde_json::from_str::<Record>(line) {
        Ok(r) if r.is_blank() => {
            bad.report(
                source,
                n,
                "nothing to screen on: no name, aliases, former_names, uscc, citizen_id, phone, shop_id or domain",
            );
            None
        }
        Ok(r) => Some(r),
        Err(e) => {
            bad.report(source, n, format_args!("not a valid candidate: {e}"));
            None
        }
    }
}

fn screen_batch(
    index: &Index,
    options: &Options,
    batch: &mut Vec<(u64, Record)>,
    out: &mut impl Write,
    counts: &mut Counts,
) -> io::Result<()> {
    let done: Vec<(Vec<u8>, Option<Decision>)> = batch
        .par_iter()
        .map(|(_, r)| {
            let s = index.screen(r, options);
            let best = s
                .matches
                .iter()
                .map(|m| m.decision)
                .min_by_key(|d| *d != Decision::Match);
            let mut line = serde_json::to_vec(&s).unwrap_or_default();
            line.push(b'\n');
            (line, best)
        })
        .collect();
    for (line, best) in &done {
        counts.candidates += 1;
        match best {
            Some(Decision::Match) => counts.with_match += 1,
            Some(Decision::Possible) => counts.possible_only += 1,
            None => {}
        }
        out.write_all(line)?;
    }
    batch.clear();
    Ok(())
}

/// Reads the list whole, parses its lines on all cores, and builds the index; bad lines
/// are reported with their numbers.
fn load_list(path: &Path, bad: &mut BadLines) -> anyhow::Result<Index> {
    let mut bytes = Vec::new();
    File::open(path)
        .and_then(|mut f| f.read_to_end(&mut bytes))
        .with_context(|| format!("reading list {}", path.display()))?;
    let source = path.display().to_string();
    let mut lines: Vec<&[u8]> = bytes.split(|&b| b == b'\n').collect();
    if lines.last().is_some_and(|l| l.is_empty()) {
        lines.pop();
    }
    let parsed: Vec<Result<Option<Record>, String>> = lines
        .par_iter()
        .map(|line| {
            let line = line.strip_suffix(b"\r").unwrap_or(line);
            if line.len() > MAX_LINE_BYTES {
                return Err(LineProblem::TooLong {
                    bytes: line.len() as u64,
                }
                .to_string());
            }
            let text = std::str::from_utf8(line).map_err(|e| {
                LineProblem::InvalidUtf8 {
                    valid_up_to: e.valid_up_to(),
                }
                .to_string()
            })?;
            if text.trim().is_empty() {
                return Ok(None);
            }
            serde_json::from_str::<Record>(text)
                .map(Some)
                .map_err(|e| format!("not a valid list entry: {e}"))
        })
        .collect();
    drop(lines);
    let mut builder = IndexBuilder::new();
    for (i, p) in parsed.into_iter().enumerate() {
        let n = i as u64 + 1;
        match p {
            Ok(Some(r)) => {
                if let Err(e) = builder.add(r) {
                    bad.report(&source, n, e);
                }
            }
            Ok(None) => {}
            Err(e) => bad.report(&source, n, e),
        }
    }
    Ok(builder.build())
}

fn read_weights(path: &Path) -> anyhow::Result<Weights> {
    let text = std::fs::read_to_string(path)
        .with_context(|| format!("reading weights {}", path.display()))?;
    let w: Weights = serde_json::from_str(&text)
        .with_context(|| format!("reading weights {}", path.display()))?;
    if let Some((field, v)) = w.out_of_range() {
        bail!(
            "weights {}: {field} must be between 0 and 1, not {v}",
            path.display()
        );
    }
    Ok(w)
}

#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct Exclusion {
    id: serde_json::Value,
    #[serde(default)]
    candidate_id: Option<serde_json::Value>,
}

/// A JSON string or number as text.
fn id_text(v: &serde_json::Value) -> Option<String> {
    match v {
        serde_json::Value::String(s) if !s.trim().is_empty() => Some(s.clone()),
        serde_json::Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

fn read_exclusions(path: &Path, into: &mut Exclusions, bad: &mut BadLines) -> anyhow::Result<()> {
    let source = path.display().to_string();
    let f = File::open(path).with_context(|| format!("opening exclusions {source}"))?;
    for_each_line(BufReader::new(f), MAX_LINE_BYTES, |n, line| {
        let line = match line {
            Ok(l) => l,
            Err(p) => {
                bad.report(&source, n, p);
                return Ok(());
            }
        };
        if line.trim().is_empty() {
            return Ok(());
        }
        match serde_json::from_str::<Exclusion>(line) {
            Ok(e) => match (id_text(&e.id), e.candidate_id.as_ref().map(id_text)) {
                (Some(id), None) => into.exclude(id),
                (Some(id), Some(Some(c))) => into.exclude_pair(c, id),
                (None, _) => {
                    bad.report(&source, n, "\"id\" must be a non-empty string or a number")
                }
                (_, Some(None)) => bad.report(
                    &source,
                    n,
                    "\"candidate_id\" must be a non-empty string or a number",
                ),
            },
            Err(e) => bad.report(&source, n, format_args!("not a valid exclusion: {e}")),
        }
        Ok(())
    })
    .with_context(|| format!("reading exclusions {source}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn candidates_blank_or_bad_are_reported() {
        let mut bad = BadLines::default();
        let text = "{\"id\":\"c\",\"name\":\"淘宝\"}\n\n{\"id\":\"x\"}\n{oops\n";
        let got: Vec<Option<Record>> = text
            .lines()
            .enumerate()
            .map(|(i, l)| parse_candidate("t", i as u64 + 1, Ok(l), &mut bad))
            .collect();
        assert!(got[0].is_some());
        assert!(got[1].is_none() && got[2].is_none() && got[3].is_none());
        assert_eq!(bad.count(), 2);
    }
}
