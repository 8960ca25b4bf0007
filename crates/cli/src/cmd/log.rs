//! `wangjian log …`: the evidence log kept in the database (the Merkle log every audit
//! event, custody event and evidence capture is appended to, in the transaction that
//! records it).
//!
//! - `log checkpoint` signs a tree head at the current size and prints the note;
//! - `log verify` recomputes the whole log and checks it against its signed tree heads,
//!   printing every problem (exit 1 when there is one);
//! - `log prove ENTRY [--size N]` and `log consistency OLD NEW` print proofs as JSON
//!   (FORMAT.md §1 of `crates/ledger`);
//! - `log heads`, `log keys` list the signed heads and the keyring;
//! - `log rotate-key` replaces the signing key (the old one is retired, a head is signed by
//!   both).
//!
//! The signing key: `--log-key FILE`, else `$WANGJIAN_LOG_KEY`, else next to a SQLite
//! database (`<db file>.log-key`). It is generated on first use (mode 0600) under the name
//! `--log-origin`; it never enters the database, which keeps only the public keys.

use std::io::Write as _;
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{anyhow, bail, Context};
use chrono::Utc;
use serde_json::json;
use wangjian_ledger::checkpoint::OsRng;
use wangjian_ledger::LogKey;
use wangjian_store::{load_or_create_key, write_private_key, Store};

use crate::cmd::db::{open, runtime, DbArg};

/// The signing key options of the commands that sign.
#[derive(Debug, Clone, clap::Args)]
pub struct KeyArg {
    /// The log's private signing key file, created on first use (mode 0600). Default:
    /// $WANGJIAN_LOG_KEY, else `<database file>.log-key` for SQLite (required for
    /// PostgreSQL).
    #[arg(long = "log-key", value_name = "FILE")]
    pub log_key: Option<PathBuf>,
    /// The log's name (checkpoint origin and key name) when the key is created.
    #[arg(
        long = "log-origin",
        value_name = "NAME",
        default_value = "wangjian.local/evidence"
    )]
    pub origin: String,
}

impl KeyArg {
    /// Where the key file is for database `db`.
    pub fn path(&self, db: &str) -> anyhow::Result<PathBuf> {
        if let Some(p) = &self.log_key {
            return Ok(p.clone());
        }
        if let Some(p) = std::env::var_os("WANGJIAN_LOG_KEY").filter(|p| !p.is_empty()) {
            return Ok(PathBuf::from(p));
        }
        let file = db
            .strip_prefix("sqlite://")
            .or_else(|| db.strip_prefix("sqlite:"))
            .map(|f| f.split('?').next().unwrap_or(f))
            .filter(|f| !f.is_empty() && !f.contains(":memory:"));
        match file {
            Some(f) => Ok(PathBuf::from(format!("{f}.log-key"))),
            None => bail!(
                "where is the log's signing key? pass --log-key FILE or set WANGJIAN_LOG_KEY \
                 (it is created on first use)"
            ),
        }
    }

    /// The key for database `db`, created on first use.
    pub fn load(&self, db: &str) -> anyhow::Result<LogKey> {
        let path = self.path(db)?;
        Ok(load_or_create_key(&path, &self.origin)?)
    }
}

/// Arguments of `wangjian log`.
#[derive(Debug, clap::Args)]
pub struct Args {
    #[command(flatten)]
    db: DbArg,
    #[command(subcommand)]
    command: LogCmd,
}

#[derive(Debug, clap::Subcommand)]
enum LogCmd {
    /// Sign a tree head at the log's current size (or return the newest, when nothing was
    /// appended since) and print the signed note.
    Checkpoint {
        #[command(flatten)]
        key: KeyArg,
    },
    /// Check the whole log against its signed tree heads; prints every problem (exit 1).
    Verify,
    /// Print the inclusion proof of entry ENTRY (leaf index) as JSON.
    Prove {
        /// Leaf index.
        entry: u64,
        /// The tree size to prove at (default: the newest signed tree head's, else the
        /// log's size).
        #[arg(long)]
        size: Option<u64>,
    },
    /// Print the consistency proof between tree sizes OLD and NEW as JSON.
    Consistency {
        /// The older tree size.
        old: u64,
        /// The newer tree size.
        new: u64,
    },
    /// List the signed tree heads (JSON Lines).
    Heads,
    /// List the keyring: every key that signed for the log (JSON Lines).
    Keys,
    /// Replace the signing key: a new key under the same name joins the keyring, the old
    /// one is retired (kept as FILE.retired-KEYID), and a tree head is signed by both.
    RotateKey {
        #[command(flatten)]
        key: KeyArg,
    },
}

/// Runs `wangjian log`.
pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    runtime()?.block_on(async {
        let store = open(&args.db).await?;
        let r = dispatch(&store, &args.db.db, args.command).await;
        store.close().await;
        r
    })
}

fn print(text: &str) -> anyhow::Result<()> {
    let mut out = std::io::stdout().lock();
    out.write_all(text.as_bytes())?;
    out.flush()?;
    Ok(())
}

async fn dispatch(store: &Store, db: &str, cmd: LogCmd) -> anyhow::Result<ExitCode> {
    match cmd {
        LogCmd::Checkpoint { key } => {
            let key = key.load(db)?;
            let head = store.sign_checkpoint(&key, Utc::now()).await?;
            print(&head.note)?;
        }
        LogCmd::Verify => {
            let rep = store.verify_log().await?;
            if rep.problems.is_empty() {
                print(&format!(
                    "OK: {} entries, {} nodes, {} signed tree heads, {} blobs checked\n",
                    rep.entries, rep.nodes, rep.heads, rep.blobs
                ))?;
            } else {
                let mut s = format!(
                    "FAILED: {} problem{} ({} entries, {} nodes, {} tree heads, {} blobs checked)\n",
                    rep.problems.len(),
                    if rep.problems.len() == 1 { "" } else { "s" },
                    rep.entries,
                    rep.nodes,
                    rep.heads,
                    rep.blobs
                );
                for p in &rep.problems {
                    s.push_str(&format!("  - {p}\n"));
                }
                print(&s)?;
                return Ok(ExitCode::from(1));
            }
        }
        LogCmd::Prove { entry, size } => {
            let size = match size {
                Some(s) => s,
                None => match store.tree_heads().await?.last() {
                    Some(h) if h.tree_size > entry => h.tree_size,
                    _ => store.log_size().await?,
                },
            };
            let bytes = store
                .log_entry(entry)
                .await?
                .ok_or_else(|| anyhow!("entry {entry} is not in the log"))?;
            let proof = store.prove_inclusion(entry, size).await?;
            let root = store.log_root(size).await?;
            let v = json!({
                "leaf_index": proof.leaf_index,
                "tree_size": proof.tree_size,
                "hashes": proof.hashes.iter().map(hex).collect::<Vec<_>>(),
                "leaf_hash": hex(&wangjian_ledger::leaf_hash(&bytes)),
                "root": hex(&root),
            });
            print(&format!("{}\n", serde_json::to_string_pretty(&v)?))?;
        }
        LogCmd::Consistency { old, new } => {
            let proof = store.prove_consistency(old, new).await?;
            let v = json!({
                "old_size": proof.old_size,
                "new_size": proof.new_size,
                "hashes": proof.hashes.iter().map(hex).collect::<Vec<_>>(),
                "old_root": hex(&store.log_root(old).await?),
                "new_root": hex(&store.log_root(new).await?),
            });
            print(&format!("{}\n", serde_json::to_string_pretty(&v)?))?;
        }
        LogCmd::Heads => {
            let mut s = String::new();
            for h in store.tree_heads().await? {
                s.push_str(&serde_json::to_string(&h)?);
                s.push('\n');
            }
            print(&s)?;
        }
        LogCmd::Keys => {
            let mut s = String::new();
            for k in store.log_keys().await? {
                s.push_str(&serde_json::to_string(&k)?);
                s.push('\n');
            }
            print(&s)?;
        }
        LogCmd::RotateKey { key } => {
            let path = key.path(db)?;
            let text = std::fs::read_to_string(&path)
                .with_context(|| format!("reading the current key {}", path.display()))?;
            let old = LogKey::from_private_text(&text)
                .with_context(|| format!("key file {}", path.display()))?;
            let new = LogKey::generate(old.name(), &mut OsRng)?;
            // The new key is on disk before the database names it, so a crash in between
            // leaves a spare file, never a keyring entry without its private key.
            let staged = path.with_extension("log-key.new");
            let _ = std::fs::remove_file(&staged);
            write_private_key(&staged, &new)?;
            let head = store.rotate_key(&old, &new, Utc::now()).await?;
            let retired = PathBuf::from(format!(
                "{}.retired-{}",
                path.display(),
                old.verifier().key_id()
            ));
            std::fs::rename(&path, &retired)
                .with_context(|| format!("moving the old key to {}", retired.display()))?;
            std::fs::rename(&staged, &path)
                .with_context(|| format!("moving the new key to {}", path.display()))?;
            eprintln!(
                "wangjian: the log now signs with {}+{}; the old key {} is retired (kept as {}); \
                 keep publishing both public keys",
                new.name(),
                new.verifier().key_id(),
                old.verifier().key_id(),
                retired.display()
            );
            print(&head.note)?;
        }
    }
    Ok(ExitCode::SUCCESS)
}

fn hex(h: &[u8; 32]) -> String {
    h.iter().map(|b| format!("{b:02x}")).collect()
}
