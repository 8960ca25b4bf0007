//! `wangjian text`: the match form of listing text (see the `wangjian-text` crate).

use std::io::{self, BufWriter, Write};
use std::process::ExitCode;

use anyhow::Context as _;
use wangjian_text::{normalize_into, pinyin_into, MatchForm};

use crate::input::{for_each_line, MAX_LINE_BYTES};
use crate::report::BadLines;

/// Text normalization: the match form that detectors match on.
#[derive(Debug, clap::Args)]
pub struct Args {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, clap::Subcommand)]
enum Command {
    /// Read lines on stdin and write, for each, exactly one line: its match form.
    ///
    /// Output stays aligned with input: an input line whose match form is empty, or that
    /// is not valid UTF-8 or too long (reported on stderr with its number; exit status 1),
    /// gives an empty output line.
    Normalize(NormalizeArgs),
}

#[derive(Debug, clap::Args)]
struct NormalizeArgs {
    /// Write the pinyin projection (Han characters as toneless pinyin) instead.
    #[arg(long)]
    pinyin: bool,

    /// After each output line, write how it maps back to the input: one line per segment,
    /// `  original «TEXT» [A..B) → «TEXT» [C..D)`, where A..B are byte offsets in the input
    /// line and C..D byte offsets in the output line; then an empty line ends the block.
    /// Control characters inside «» are written as \u{XX}.
    #[arg(long)]
    explain: bool,
}

/// Runs the subcommand.
pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    match args.command {
        Command::Normalize(args) => normalize_lines(&args),
    }
}

fn normalize_lines(args: &NormalizeArgs) -> anyhow::Result<ExitCode> {
    let stdin = io::stdin();
    let stdout = io::stdout();
    let mut out = BufWriter::new(stdout.lock());
    let mut bad = BadLines::default();
    let mut form = MatchForm::new();
    for_each_line(stdin.lock(), MAX_LINE_BYTES, |number, line| {
        let text = match line {
            Ok(text) => text,
            Err(problem) => {
                bad.report("stdin", number, problem);
                out.write_all(b"\n")?;
                if args.explain {
                    out.write_all(b"\n")?;
                }
                return Ok(());
            }
        };
        if args.pinyin {
            pinyin_into(text, &mut form);
        } else {
            normalize_into(text, &mut form);
        }
        out.write_all(form.as_str().as_bytes())?;
        out.write_all(b"\n")?;
        if args.explain {
            write_explain(&mut out, text, &form)?;
        }
        Ok(())
    })
    .context("reading stdin or writing stdout")?;
    out.flush().context("writing stdout")?;
    Ok(bad.exit_code())
}

fn write_explain(out: &mut impl Write, text: &str, form: &MatchForm) -> io::Result<()> {
    for (orig, matched) in form.segments() {
        let o = text.get(orig.clone()).unwrap_or_default();
        let m = form.as_str().get(matched.clone()).unwrap_or_default();
        writeln!(
            out,
            "  original «{}» [{}..{}) → «{}» [{}..{})",
            visible(o),
            orig.start,
            orig.end,
            visible(m),
            matched.start,
            matched.end
        )?;
    }
    out.write_all(b"\n")
}

/// The text with control characters escaped, so that one segment stays on one line.
fn visible(s: &str) -> String {
    let mut v = String::with_capacity(s.len());
    for c in s.chars() {
        if c.is_control() {
            v.push_str(&format!("\\u{{{:X}}}", c as u32));
        } else {
            v.push(c);
        }
    }
    v
}
