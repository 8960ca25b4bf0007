//! `wangjian ledger keygen --name ORIGIN --out DIR`: a new Ed25519 signing key for the
//! evidence log, written as `DIR/<name>+<keyid>.key` (private, mode 0600) and
//! `DIR/<name>+<keyid>.pub` (the verifier key to publish). Existing files are never
//! overwritten. Rotation: generate a new key, start signing with it, and keep publishing
//! the old `.pub` so old checkpoints stay checkable (FORMAT.md §4).
//!
//! `wangjian ledger sample --out FILE`: writes the deterministic sample evidence package
//! (signed with a published test key), to try `wangjian verify` on.

use std::fs::OpenOptions;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::Context;
use wangjian_ledger::checkpoint::OsRng;
use wangjian_ledger::{sample, LogKey};

/// Arguments of `wangjian ledger`.
#[derive(Debug, clap::Args)]
pub struct Args {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, clap::Subcommand)]
enum Command {
    /// Generate a signing key for the evidence log.
    Keygen {
        /// The log's name (origin), e.g. `wangjian.example-amr.gov.cn/evidence`.
        #[arg(long)]
        name: String,
        /// Directory to write the key files to (created when missing).
        #[arg(long)]
        out: PathBuf,
    },
    /// Write the sample evidence package (test key; for trying `wangjian verify`).
    Sample {
        /// The package file to write (must not exist yet).
        #[arg(long)]
        out: PathBuf,
        /// How many entries of the sample case to include.
        #[arg(long, default_value_t = 12)]
        entries: usize,
    },
}

fn write_new(path: &Path, text: &str, private: bool) -> anyhow::Result<()> {
    let mut opts = OpenOptions::new();
    opts.write(true).create_new(true);
    #[cfg(unix)]
    if private {
        use std::os::unix::fs::OpenOptionsExt;
        opts.mode(0o600);
    }
    #[cfg(not(unix))]
    let _ = private;
    let mut f = opts
        .open(path)
        .with_context(|| format!("creating {} (it must not exist yet)", path.display()))?;
    f.write_all(text.as_bytes())
        .and_then(|()| f.sync_all())
        .with_context(|| format!("writing {}", path.display()))
}

/// Runs `wangjian ledger`.
pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    match args.command {
        Command::Keygen { name, out } => {
            let key = LogKey::generate(&name, &mut OsRng).context("the key name")?;
            let v = key.verifier();
            std::fs::create_dir_all(&out).with_context(|| format!("creating {}", out.display()))?;
            let stem = format!("{}+{}", name.replace('/', "_"), v.key_id());
            let private = out.join(format!("{stem}.key"));
            let public = out.join(format!("{stem}.pub"));
            write_new(&private, &key.private_text(), true)?;
            write_new(&public, &format!("{}\n", v.text()), false)?;
            println!("key id {}", v.key_id());
            println!("private key: {} (keep it secret)", private.display());
            println!("public key:  {} (publish it)", public.display());
            Ok(ExitCode::SUCCESS)
        }
        Command::Sample { out, entries } => {
            let bytes = sample::package(entries, entries.div_ceil(3)).build()?;
            std::fs::write(&out, &bytes).with_context(|| format!("writing {}", out.display()))?;
            println!("wrote {} ({} bytes)", out.display(), bytes.len());
            Ok(ExitCode::SUCCESS)
        }
    }
}
