//! `wangjian rules check` and `wangjian rules compile`: validate a rule pack and marks
//! files, or compile them into one file that `wangjian scan --compiled` loads in
//! milliseconds.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;
use wangjian_detect::{Detector, Problem};

use super::scan::{load_detector, RuleArgs};

/// Arguments of `wangjian rules`.
#[derive(Debug, clap::Args)]
pub struct Args {
    #[command(subcommand)]
    pub command: RulesCommand,
}

/// `wangjian rules` subcommands.
#[derive(Debug, clap::Subcommand)]
pub enum RulesCommand {
    /// Validate a rule pack and marks files; print every problem with file and line
    /// (exit 1 if any).
    Check {
        /// Rule pack directory (default: rules/default, else the embedded pack).
        dir: Option<PathBuf>,
        /// Marks files (the marks CSV or a trademark register).
        #[arg(long = "marks", value_name = "FILE")]
        marks: Vec<PathBuf>,
        /// The day registrations are judged in force on; default: today.
        #[arg(long, value_name = "YYYY-MM-DD", value_parser = super::scan::parse_day)]
        as_of: Option<wangjian_detect::Ymd>,
    },
    /// Compile a rule pack and marks into one file for `wangjian scan --compiled`.
    Compile {
        #[command(flatten)]
        rules: RuleArgs,
        /// Where to write the compiled rule set.
        #[arg(short = 'o', long, value_name = "FILE")]
        output: PathBuf,
    },
}

/// Runs `wangjian rules`.
pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    match args.command {
        RulesCommand::Check { dir, marks, as_of } => check(RuleArgs {
            rules: dir,
            marks,
            as_of,
        }),
        RulesCommand::Compile { rules, output } => {
            let d = load_detector(&rules, None)?;
            std::fs::write(&output, d.to_compiled())
                .with_context(|| format!("writing {}", output.display()))?;
            print_stats(&d);
            Ok(ExitCode::SUCCESS)
        }
    }
}

fn print_stats(d: &Detector) {
    let s = d.stats();
    eprintln!(
        "wangjian: rule set {}: {} marks, {} counterfeit terms, {} ad-law terms, {} prohibited items, {} regulated categories, {} GIs, {} cues; {} patterns (+{} pinyin)",
        d.ruleset_version(),
        s.marks,
        s.counterfeit_terms,
        s.ad_law_terms,
        s.prohibited_items,
        s.regulated,
        s.gis,
        s.cues,
        s.patterns,
        s.pinyin_patterns
    );
}

fn check(args: RuleArgs) -> anyhow::Result<ExitCode> {
    // Reading failures (missing files) are problems to report, like the others.
    let problems: Vec<Problem> = match super::scan::load_sources(&args) {
        Ok((pack, marks)) => match Detector::build(pack, marks) {
            Ok(d) => {
                print_stats(&d);
                println!("ok");
                return Ok(ExitCode::SUCCESS);
            }
            Err(p) => p.0,
        },
        Err(e) => {
            for line in format!("{e:#}").lines() {
                if line != "invalid rules:" {
                    println!("{line}");
                }
            }
            return Ok(ExitCode::from(1));
        }
    };
    for p in &problems {
        println!("{p}");
    }
    eprintln!("wangjian: {} problems", problems.len());
    Ok(ExitCode::from(1))
}
