//! `wangjian db migrate|check|analyze`, `wangjian export TABLE`, `wangjian backup PATH`: the store's
//! housekeeping from the command line. Every command takes `--db URL` (`sqlite:PATH`,
//! `postgres://…`; default `sqlite:wangjian.db`).

use std::io::{self, BufWriter, Write};
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;
use wangjian_store::{Store, StoreError};

/// The database option every store command takes.
#[derive(Debug, Clone, clap::Args)]
pub struct DbArg {
    /// Database URL: sqlite:PATH (created when missing), sqlite::memory: or postgres://…
    #[arg(
        long,
        global = true,
        value_name = "URL",
        default_value = "sqlite:wangjian.db"
    )]
    pub db: String,
}

/// A runtime for one command: the store is async, the CLI is not.
pub fn runtime() -> anyhow::Result<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .context("starting the async runtime")
}

/// Opens (and migrates) the store.
pub async fn open(db: &DbArg) -> anyhow::Result<Store> {
    Store::open(&db.db)
        .await
        .with_context(|| format!("opening database {}", db.db))
}

/// Arguments of `wangjian db`.
#[derive(Debug, clap::Args)]
pub struct Args {
    #[command(subcommand)]
    pub command: DbCommand,
}

/// `wangjian db` subcommands.
#[derive(Debug, clap::Subcommand)]
pub enum DbCommand {
    /// Create the schema or bring it up to date (also done on first use by every command).
    Migrate(DbArg),
    /// Check the database (`PRAGMA integrity_check` on SQLite).
    Check(DbArg),
    /// Refresh the query planner's statistics (`ANALYZE`); `patrol` and `import listings`
    /// do it after storing 10 000 listings or more.
    Analyze(DbArg),
}

/// Runs `wangjian db`.
pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    let rt = runtime()?;
    rt.block_on(async {
        match args.command {
            DbCommand::Migrate(db) => {
                let store = Store::connect(&db.db)
                    .await
                    .with_context(|| format!("opening database {}", db.db))?;
                let applied = store.migrate().await.context("migrating")?;
                if applied.is_empty() {
                    eprintln!("wangjian: {} is up to date", db.db);
                } else {
                    eprintln!("wangjian: applied migrations {applied:?} to {}", db.db);
                }
                store.close().await;
                Ok(ExitCode::SUCCESS)
            }
            DbCommand::Analyze(db) => {
                let store = open(&db).await?;
                store.analyze().await.context("analyzing")?;
                eprintln!("wangjian: statistics of {} refreshed", db.db);
                store.close().await;
                Ok(ExitCode::SUCCESS)
            }
            DbCommand::Check(db) => {
                let store = open(&db).await?;
                let lines = store.integrity_check().await?;
                for l in &lines {
                    println!("{l}");
                }
                store.close().await;
                Ok(if lines == ["ok"] {
                    ExitCode::SUCCESS
                } else {
                    ExitCode::from(1)
                })
            }
        }
    })
}

/// Arguments of `wangjian export`.
#[derive(Debug, clap::Args)]
pub struct ExportArgs {
    #[command(flatten)]
    pub db: DbArg,
    /// The table (organizations, users, listings, listing_snapshots, leads, cases,
    /// deadlines, transfer_orders, audit_events, …).
    pub table: String,
}

/// Runs `wangjian export`: the table as JSON Lines on stdout, one row per line.
pub fn export(args: ExportArgs) -> anyhow::Result<ExitCode> {
    runtime()?.block_on(async {
        let store = open(&args.db).await?;
        let mut out = BufWriter::new(io::stdout().lock());
        let n = store
            .export_table(&args.table, |row| {
                serde_json::to_writer(&mut out, &row)
                    .map_err(io::Error::from)
                    .and_then(|_| out.write_all(b"\n"))
                    .map_err(|e| StoreError::Corrupt(format!("writing output: {e}")))
            })
            .await
            .with_context(|| format!("exporting table {}", args.table))?;
        out.flush()?;
        eprintln!("wangjian: exported {n} rows of {}", args.table);
        store.close().await;
        Ok(ExitCode::SUCCESS)
    })
}

/// Arguments of `wangjian backup`.
#[derive(Debug, clap::Args)]
pub struct BackupArgs {
    #[command(flatten)]
    pub db: DbArg,
    /// Where to write the copy (must not exist).
    pub path: PathBuf,
}

/// Runs `wangjian backup`: a consistent copy of a SQLite database while it is in use.
/// Restore by copying the file back (writers stopped) or pointing `--db` at it.
pub fn backup(args: BackupArgs) -> anyhow::Result<ExitCode> {
    runtime()?.block_on(async {
        let store = open(&args.db).await?;
        store
            .backup(&args.path)
            .await
            .with_context(|| format!("backing up to {}", args.path.display()))?;
        eprintln!(
            "wangjian: backed up {} to {}",
            args.db.db,
            args.path.display()
        );
        store.close().await;
        Ok(ExitCode::SUCCESS)
    })
}
