//! `wangjian calendar`: the statutory working-day calendar (holidays and make-up working
//! days, 2016–2026 built in) and deadline arithmetic on it.

use std::fs;
use std::io::{self, BufWriter, Write};
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;
use chrono::NaiveDate;
use wangjian_calendar::{parse_date, Calendar, CalendarError};

use crate::input::{for_each_line, MAX_LINE_BYTES};
use crate::report::BadLines;

/// Arguments of `wangjian calendar`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Extra calendar data to merge with the built-in years (same format as the built-in
    /// `cn-holidays.txt`), e.g. a newly published year. May be given more than once.
    #[arg(long = "calendar", value_name = "FILE", global = true)]
    calendars: Vec<PathBuf>,

    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, clap::Subcommand)]
enum Command {
    /// Tell whether each DATE is a working day.
    ///
    /// Prints one line per input, in order: `DATE<TAB>workday` or `DATE<TAB>rest`. When a
    /// date is malformed or outside the calendar, the line is `DATE<TAB>error` and the
    /// reason goes to stderr with its line number (or argument position); the exit status
    /// is then 1 (a stdin line that is not UTF-8 or too long shows an empty DATE). Dates
    /// come from the arguments or, when there are none, from stdin, one per line.
    IsWorkday {
        /// Add a third column with the kind of day: 工作日, 周末, the holiday's name
        /// (e.g. 春节), or e.g. 春节调休上班 for a make-up working day.
        #[arg(long)]
        explain: bool,
        /// Dates as YYYY-MM-DD; none: read stdin.
        #[arg(value_name = "DATE")]
        dates: Vec<String>,
    },
    /// Print the last day of "within N working days of DATE": the first working day after
    /// DATE is day 1 (N = 0 prints DATE). Exit 1 when the answer is outside the calendar.
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
}

pub(crate) fn date_arg(s: &str) -> Result<NaiveDate, CalendarError> {
    parse_date(s)
}

/// Runs the subcommand.
pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    let mut owned;
    let cal: &Calendar = if args.calendars.is_empty() {
        Calendar::china()
    } else {
        owned = Calendar::china().clone();
        for path in &args.calendars {
            let text = fs::read_to_string(path)
                .with_context(|| format!("reading calendar file {}", path.display()))?;
            let extra = Calendar::parse(&text)
                .with_context(|| format!("reading calendar file {}", path.display()))?;
            owned
                .merge(extra)
                .with_context(|| format!("adding calendar file {}", path.display()))?;
        }
        &owned
    };
    match args.command {
        Command::IsWorkday { explain, dates } => is_workday(cal, explain, &dates),
        Command::AddWorkdays { date, n } => {
            answer(cal.add_workdays(date, n).map(|d| d.to_string()))
        }
        Command::WorkdaysBetween { a, b } => {
            answer(cal.workdays_between(a, b).map(|n| n.to_string()))
        }
        Command::AddDays { date, n } => answer(cal.add_days_rolled(date, n).map(|d| d.to_string())),
    }
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
            " (add a newly published year with --calendar FILE)"
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
                    .and_then(|d| cal.day_kind(d))
                    .map_err(|e| format!("{e}{}", hint(&e)));
                (echo(trimmed), result)
            }
            Err(problem) => (String::new(), Err(problem)),
        };
        match result {
            Ok(kind) => {
                let word = if kind.is_workday() { "workday" } else { "rest" };
                if explain {
                    writeln!(out, "{shown}\t{word}\t{kind}")
                } else {
                    writeln!(out, "{shown}\t{word}")
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
