//! `wangjian calendar`: the statutory working-day calendar (holidays and make-up working
//! days: the State Council notices of 2016–2026 built in, provisional answers from the
//! statutory rules for other years 2000–2099) and deadline arithmetic on it; `calendar
//! load` adds a newly published notice to a database (recomputing the deadlines it moves).

use std::fs;
use std::io::{self, BufWriter, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::Context;
use chrono::{Datelike, NaiveDate, Utc};
use wangjian_calendar::{parse_date, Calendar, CalendarError};

use crate::acting::{call_as, AsArg};
use crate::cmd::db::{open, runtime, DbArg};

use crate::input::{date_arg, for_each_line, MAX_LINE_BYTES};
use crate::report::BadLines;

/// Arguments of `wangjian calendar`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Extra calendar data to merge with the built-in years (same format as the built-in
    /// `cn-holidays.txt`), e.g. a newly published year. May be given more than once.
    #[arg(long = "calendar", value_name = "FILE", global = true)]
    calendars: Vec<PathBuf>,

    /// Use the calendar of this database (the built-in notices plus those loaded with
    /// `calendar load`): sqlite:PATH or postgres://…
    #[arg(long, global = true, value_name = "URL")]
    db: Option<String>,

    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, clap::Subcommand)]
enum Command {
    /// Tell whether each DATE is a working day.
    ///
    /// Prints one line per input, in order: `DATE<TAB>workday` or `DATE<TAB>rest`, with a
    /// third column `provisional` when the year has no loaded notice (the answer comes
    /// from the statutory rules and may change when the notice is out). When a
    /// date is malformed or outside the calendar, the line is `DATE<TAB>error` and the
    /// reason goes to stderr with its line number (or argument position); the exit status
    /// is then 1 (a stdin line that is not UTF-8 or too long shows an empty DATE). Dates
    /// come from the arguments or, when there are none, from stdin, one per line.
    IsWorkday {
        /// Add a third column with the kind of day: 工作日, 周末, the holiday's name (e.g.
        /// 春节, or 春节补休 for a provisional make-up day), or e.g. 春节调休上班 for a
        /// make-up working day (`provisional` then comes fourth).
        #[arg(long)]
        explain: bool,
        /// Dates as YYYY-MM-DD; none: read stdin.
        #[arg(value_name = "DATE")]
        dates: Vec<String>,
    },
    /// Print the last day of "within N working days of DATE": the first working day after
    /// DATE is day 1 (N = 0 prints DATE). Exit 1 when the answer is outside the calendar.
    /// When the count runs over a year without a loaded notice, stderr says the answer
    /// is provisional.
    AddWorkdays {
        /// Start date, YYYY-MM-DD (not counted).
        #[arg(value_parser = date_arg)]
        date: NaiveDate,
        /// Number of working days.
        n: u32,
    },
    /// Print the number of working days after A up to and including B (0 when B <= A).
    WorkdaysBetween {
        /// Start date, YYYY-MM-DD (not counted).
        #[arg(value_parser = date_arg)]
        a: NaiveDate,
        /// End date, YYYY-MM-DD (counted).
        #[arg(value_parser = date_arg)]
        b: NaiveDate,
    },
    /// Print the last day of "within N days of DATE" in natural days: DATE + N, moved to
    /// the next working day when it is a rest day (期间届满日为节假日的顺延).
    AddDays {
        /// Start date, YYYY-MM-DD (not counted).
        #[arg(value_parser = date_arg)]
        date: NaiveDate,
        /// Number of natural days.
        n: u32,
    },
    /// Load a newly published State Council holiday notice into the database (--db),
    /// as an administrator: from then on it is part of the calendar every command and
    /// the server use there, and every open deadline it moves is recomputed, with an
    /// audit event naming the old and new due dates. FILE has the format of the built-in
    /// data (`year`, `notice`, `holiday`, `workday` lines: see crates/calendar/data/).
    Load {
        /// The notice file.
        file: PathBuf,
        #[command(flatten)]
        who: AsArg,
    },
    /// List the notices loaded into the database (--db).
    Notices,
}

/// Runs the subcommand.
pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    let mut cal = match &args.db {
        Some(db) => {
            let rt = runtime()?;
            let db = DbArg { db: db.clone() };
            match args.command {
                Command::Load { file, who } => return rt.block_on(load(&db, &file, &who)),
                Command::Notices => return rt.block_on(list_notices(&db)),
                _ => rt.block_on(async {
                    let store = open(&db).await?;
                    let cal = store.calendar().await;
                    store.close().await;
                    cal.with_context(|| format!("reading the calendar of {}", db.db))
                })?,
            }
        }
        None => Calendar::china().clone(),
    };
    for path in &args.calendars {
        let text = fs::read_to_string(path)
            .with_context(|| format!("reading calendar file {}", path.display()))?;
        let extra = Calendar::parse(&text)
            .with_context(|| format!("reading calendar file {}", path.display()))?;
        cal.merge(extra)
            .with_context(|| format!("adding calendar file {}", path.display()))?;
    }
    let cal = &cal;
    match args.command {
        Command::IsWorkday { explain, dates } => is_workday(cal, explain, &dates),
        Command::AddWorkdays { date, n } => {
            let result = cal.add_workdays(date, n);
            if let Ok(end) = result {
                note_provisional(cal, date, end);
            }
            answer(result.map(|d| d.to_string()))
        }
        Command::WorkdaysBetween { a, b } => {
            note_provisional(cal, a.min(b), a.max(b));
            answer(cal.workdays_between(a, b).map(|n| n.to_string()))
        }
        Command::AddDays { date, n } => {
            let result = cal.add_days_rolled(date, n);
            if let Ok(end) = result {
                note_provisional(cal, date, end);
            }
            answer(result.map(|d| d.to_string()))
        }
        Command::Load { .. } | Command::Notices => {
            anyhow::bail!("`calendar load` and `calendar notices` need --db URL")
        }
    }
}

/// Says on stderr when an answer counts over provisional days.
fn note_provisional(cal: &Calendar, from: NaiveDate, to: NaiveDate) {
    if cal.provisional_between(from, to).unwrap_or(false) {
        let years: Vec<String> = (from.year()..=to.year())
            .filter(|y| !cal.published_years().any(|p| p == *y))
            .map(|y| y.to_string())
            .collect();
        eprintln!(
            "wangjian: provisional: no State Council holiday notice is loaded for {} (counted \
             from the statutory rules, without swapped working days; load the notice with \
             `wangjian calendar load`)",
            years.join(", ")
        );
    }
}

async fn load(db: &DbArg, file: &Path, who: &AsArg) -> anyhow::Result<ExitCode> {
    let text = fs::read_to_string(file)
        .with_context(|| format!("reading notice file {}", file.display()))?;
    let store = open(db).await?;
    let result = async {
        let app = wangjian_app::App::new(store.clone(), wangjian_app::RuleSource::default())
            .map_err(|e| anyhow::anyhow!("{e}"))?;
        let call = call_as(&app, who, Utc::now()).await?;
        app.load_calendar_notice(&call, &text)
            .await
            .map_err(|e| anyhow::anyhow!("{e}"))
            .with_context(|| format!("loading notice file {}", file.display()))
    }
    .await;
    store.close().await;
    let loaded = result?;
    let mut out = io::stdout().lock();
    let years: Vec<String> = loaded.years.iter().map(i32::to_string).collect();
    writeln!(
        out,
        "loaded\t{}\t{} deadline(s) recomputed",
        years.join(","),
        loaded.moved.len()
    )?;
    for (old, new) in &loaded.moved {
        writeln!(
            out,
            "{}\t{}\t{} -> {}{}",
            new.id,
            new.kind(),
            old.due,
            new.due,
            if new.provisional {
                " (provisional)"
            } else {
                ""
            }
        )?;
    }
    Ok(ExitCode::SUCCESS)
}

async fn list_notices(db: &DbArg) -> anyhow::Result<ExitCode> {
    let store = open(db).await?;
    let notices = store.calendar_notices().await;
    store.close().await;
    let mut out = io::stdout().lock();
    for n in notices? {
        let years: Vec<String> = n.years.iter().map(i32::to_string).collect();
        writeln!(
            out,
            "{}\t{}\t{}\t{}",
            years.join(","),
            n.loaded_at.to_rfc3339(),
            n.loaded_by,
            n.sha256
        )?;
    }
    Ok(ExitCode::SUCCESS)
}

/// Prints a one-value answer, or the reason it is outside the calendar (exit 1).
fn answer(result: Result<String, CalendarError>) -> anyhow::Result<ExitCode> {
    match result {
        Ok(value) => {
            let mut out = io::stdout().lock();
            writeln!(out, "{value}")?;
            out.flush()?;
            Ok(ExitCode::SUCCESS)
        }
        Err(err) => {
            eprintln!("wangjian: {err}{}", hint(&err));
            Ok(ExitCode::from(1))
        }
    }
}

fn hint(err: &CalendarError) -> &'static str {
    match err {
        CalendarError::OutOfRange { .. } | CalendarError::PastEnd { .. } => {
            " (the calendar answers for 2000–2099)"
        }
        _ => "",
    }
}

/// Makes echoed input safe for a tab-separated line: control characters (tabs included)
/// become U+FFFD, and very long input is shortened.
fn echo(input: &str) -> String {
    const MAX_CHARS: usize = 64;
    let mut out: String = input
        .chars()
        .take(MAX_CHARS)
        .map(|c| if c.is_control() { '\u{fffd}' } else { c })
        .collect();
    if input.chars().nth(MAX_CHARS).is_some() {
        out.push('…');
    }
    out
}

fn is_workday(cal: &Calendar, explain: bool, dates: &[String]) -> anyhow::Result<ExitCode> {
    let mut out = BufWriter::new(io::stdout().lock());
    let mut bad = BadLines::default();
    let mut one = |out: &mut BufWriter<io::StdoutLock>,
                   source: &str,
                   number: u64,
                   text: Result<&str, String>|
     -> io::Result<()> {
        let (shown, result) = match text {
            Ok(raw) => {
                let trimmed = raw.trim();
                let result = parse_date(trimmed)
                    .and_then(|d| Ok((cal.day_kind(d)?, cal.is_provisional(d)?)))
                    .map_err(|e| format!("{e}{}", hint(&e)));
                (echo(trimmed), result)
            }
            Err(problem) => (String::new(), Err(problem)),
        };
        match result {
            Ok((kind, provisional)) => {
                let word = if kind.is_workday() { "workday" } else { "rest" };
                let flag = if provisional { "\tprovisional" } else { "" };
                if explain {
                    writeln!(out, "{shown}\t{word}\t{kind}{flag}")
                } else {
                    writeln!(out, "{shown}\t{word}{flag}")
                }
            }
            Err(reason) => {
                // Keep stdout and stderr in step for a reader of both.
                out.flush()?;
                bad.report(source, number, reason);
                writeln!(out, "{shown}\terror")
            }
        }
    };
    if dates.is_empty() {
        for_each_line(io::stdin().lock(), MAX_LINE_BYTES, |number, line| {
            one(&mut out, "stdin", number, line.map_err(|p| p.to_string()))
        })
        .context("reading stdin")?;
    } else {
        for (i, date) in dates.iter().enumerate() {
            one(&mut out, "argument", i as u64 + 1, Ok(date))?;
        }
    }
    out.flush()?;
    Ok(bad.exit_code())
}
