//! `wangjian verify PACKAGE`: checks an evidence package offline and prints a verdict.
//!
//! Valid: one line `OK (验证通过): N entries, M blobs, case …, tree size S, root …, signed by
//! KEY at TIME`, exit status 0. Invalid: `FAILED (验证未通过): N problems in PACKAGE` and one
//! line per problem, exit status 1. An unreadable file or a bad `--key` is a usage error
//! (status 2). Without `--key`, the checkpoint is checked against the key the package
//! carries, and a `note:` line says to compare the key id printed with the one the agency
//! publishes.

use std::io::{self, Write};
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;
use wangjian_ledger::{verify_package, Keyring, Report, VerifierKey};

/// Arguments of `wangjian verify`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The evidence package (a tar archive).
    pub package: PathBuf,
    /// A trusted public key file (`name+keyid+base64`); repeat for retired keys. The
    /// checkpoint must be signed by one of them.
    #[arg(long = "key", value_name = "FILE")]
    pub keys: Vec<PathBuf>,
}

/// The verdict text for `report` of the package named `name`.
pub fn verdict(report: &Report, name: &str) -> String {
    let s = &report.summary;
    if report.is_valid() {
        let unknown = || "?".to_string();
        format!(
            "OK (验证通过): {} entries, {} blobs, case {}, tree size {}, root {}, signed by {} at {}\n",
            s.entries,
            s.blobs,
            s.case_number.clone().unwrap_or_else(unknown),
            s.tree_size.map(|n| n.to_string()).unwrap_or_else(unknown),
            s.root.clone().unwrap_or_else(unknown),
            s.signed_by.clone().unwrap_or_else(unknown),
            s.time
                .map(|t| t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true))
                .unwrap_or_else(unknown),
        )
    } else {
        let n = report.problems.len();
        let mut out = format!(
            "FAILED (验证未通过): {n} problem{} in {name}\n",
            if n == 1 { "" } else { "s" }
        );
        for p in &report.problems {
            out.push_str(&format!("  - {p}\n"));
        }
        out
    }
}

/// Runs `wangjian verify`.
pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    let mut ring = Keyring::default();
    for path in &args.keys {
        let text = std::fs::read_to_string(path)
            .with_context(|| format!("reading key file {}", path.display()))?;
        let key =
            VerifierKey::parse(&text).with_context(|| format!("key file {}", path.display()))?;
        ring.add(key);
    }
    let bytes = std::fs::read(&args.package)
        .with_context(|| format!("reading package {}", args.package.display()))?;
    let trusted = (!args.keys.is_empty()).then_some(&ring);
    let report = verify_package(&bytes, trusted);
    let mut text = verdict(&report, &args.package.display().to_string());
    if report.is_valid() && trusted.is_none() {
        text.push_str(
            "  note: checked against the key carried in the package; compare its key id with \
             the key the agency publishes, or pass it with --key\n",
        );
    }
    io::stdout().lock().write_all(text.as_bytes())?;
    Ok(if report.is_valid() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}
