//! `wangjian region CODE...` and `wangjian region --find TEXT...`: GB/T 2260 lookups.
//!
//! Lookup prints `CODE<TAB>full name<TAB>level<TAB>current|retired`; an unknown code is
//! reported on stderr and makes the exit status 1. `--find` prints
//! `TEXT<TAB>CODE<TAB>full name<TAB>matched text`, or `TEXT<TAB>-` when no division is
//! named (not an error). When a name stays ambiguous (朝阳区 alone) the first candidate
//! is printed; `--json` lists them all. Values come from the arguments or, when there
//! are none, from stdin one per line.

use std::io::{self, BufWriter, Write};
use std::process::ExitCode;

use anyhow::Context;
use wangjian_region::{find_in_address, full_name, lookup, Region};

use crate::input::{for_each_line, MAX_LINE_BYTES};
use crate::report::BadLines;

/// Arguments of `wangjian region`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// 6-digit codes (or, with --find, texts); when none are given, one per line from stdin.
    pub values: Vec<String>,
    /// Find the division named in each text (an address) instead of looking up codes.
    #[arg(long)]
    pub find: bool,
    /// Print one JSON object per line.
    #[arg(long)]
    pub json: bool,
}

fn region_json(r: &Region) -> serde_json::Value {
    let code = r.code_str();
    serde_json::json!({
        "code": code,
        "name": r.name,
        "full_name": full_name(&code).unwrap_or_else(|| r.name.to_string()),
        "level": r.level.as_str(),
        "status": r.status(),
        "last_year": r.last_year,
        "note": r.note,
    })
}

struct Run<W: Write> {
    out: W,
    json: bool,
    bad: BadLines,
}

impl<W: Write> Run<W> {
    fn lookup_one(&mut self, source: &str, line: u64, value: &str) -> io::Result<()> {
        let code = value.trim();
        match lookup(code) {
            Some(r) => {
                if self.json {
                    writeln!(self.out, "{}", region_json(r))
                } else {
                    let name = full_name(code).unwrap_or_else(|| r.name.to_string());
                    writeln!(
                        self.out,
                        "{code}\t{name}\t{}\t{}",
                        r.level.as_str(),
                        r.status()
                    )
                }
            }
            None => {
                let what = if code.is_empty() {
                    "empty value".to_string()
                } else {
                    format!("unknown region code {code}")
                };
                self.bad.report(source, line, what);
                Ok(())
            }
        }
    }

    fn find_one(&mut self, text: &str) -> io::Result<()> {
        let found = find_in_address(text);
        if self.json {
            let obj = match &found {
                Some(m) => serde_json::json!({
                    "text": text,
                    "found": true,
                    "region": region_json(m.region),
                    "candidates": m.candidates.iter().map(|r| r.code_str()).collect::<Vec<_>>(),
                    "span": {"start": m.span.start, "end": m.span.end},
                    "matched": text.get(m.span.clone()).unwrap_or(""),
                    "level": m.level.as_str(),
                }),
                None => serde_json::json!({"text": text, "found": false}),
            };
            return writeln!(self.out, "{obj}");
        }
        let shown = text.replace('\t', " ");
        match found {
            Some(m) => {
                let code = m.region.code_str();
                let name = full_name(&code).unwrap_or_else(|| m.region.name.to_string());
                let matched = text.get(m.span.clone()).unwrap_or("");
                writeln!(self.out, "{shown}\t{code}\t{name}\t{matched}")
            }
            None => writeln!(self.out, "{shown}\t-"),
        }
    }

    fn one(&mut self, find: bool, source: &str, line: u64, value: &str) -> io::Result<()> {
        if find {
            self.find_one(value)
        } else {
            self.lookup_one(source, line, value)
        }
    }
}

/// Runs `wangjian region`.
pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    let stdout = io::stdout();
    let mut run = Run {
        out: BufWriter::new(stdout.lock()),
        json: args.json,
        bad: BadLines::default(),
    };
    if args.values.is_empty() {
        let stdin = io::stdin();
        let mut problems = BadLines::default();
        for_each_line(stdin.lock(), MAX_LINE_BYTES, |n, line| match line {
            Ok(v) => run.one(args.find, "<stdin>", n, v),
            Err(p) => {
                problems.report("<stdin>", n, p);
                Ok(())
            }
        })
        .context("reading stdin")?;
        run.out.flush()?;
        if run.bad.count() > 0 || problems.count() > 0 {
            return Ok(ExitCode::from(1));
        }
        return Ok(ExitCode::SUCCESS);
    }
    for (i, v) in args.values.iter().enumerate() {
        run.one(args.find, "argument", i as u64 + 1, v)?;
    }
    run.out.flush()?;
    Ok(run.bad.exit_code())
}
