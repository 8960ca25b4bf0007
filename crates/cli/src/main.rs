//! `wangjian`: the command line of the wangjian platform. This crate only wires the
//! libraries to the terminal: parsing arguments, reading input, printing results and
//! choosing the exit status. Each subcommand lives in its own module under `cmd/`.
//!
//! Exit status, for every subcommand: 0 when everything went well, 1 when some input was
//! bad (each bad line is reported on stderr with its number, the rest is processed),
//! 2 for a usage error (bad arguments, unreadable files).

mod acting;
mod cmd;
mod input;
mod report;

use std::process::ExitCode;

use clap::{Parser, Subcommand};

/// wangjian (网剑): governing online IP infringement and counterfeit goods.
#[derive(Debug, Parser)]
#[command(name = "wangjian", version, about, long_about = None)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Text normalization: the match form that detectors match on.
    Text(cmd::text::Args),
    /// Validate identifiers (USCC, citizen id, GTIN, ICP and police filings, phone, licenses).
    Check(cmd::check::Args),
    /// Look up administrative division codes (GB/T 2260) or find them in an address.
    Region(cmd::region::Args),
    /// The statutory working-day calendar (holidays and make-up working days).
    Calendar(cmd::calendar::Args),
    /// Scan listings for marks, counterfeit slang, GIs, prohibited and regulated goods.
    ///
    /// Rules: the pack embedded in the binary (built from rules/default), or --rules DIR;
    /// with --marks files; or --compiled FILE.
    Scan(cmd::scan::Args),
    /// Check or compile rule packs and marks files.
    Rules(cmd::rules::Args),
    /// The database: `db migrate` creates or updates the schema, `db check` checks it.
    Db(cmd::db::Args),
    /// Import organizations, users, marks or listings (JSON Lines or CSV), idempotently.
    Import(cmd::import::Args),
    /// Write a table as JSON Lines to stdout.
    Export(cmd::db::ExportArgs),
    /// Copy a SQLite database while it is in use (restore: copy the file back).
    Backup(cmd::db::BackupArgs),
    /// Scan listings and store them with their leads, in batches, idempotently.
    Patrol(cmd::patrol::Args),
    /// Run the HTTP server: the JSON API and the web console.
    Serve(cmd::serve::Args),
    /// Fill an empty database with the demo province: agencies, a platform, rights holders,
    /// patrolled listings, cases in every state, and a login for each role.
    Demo(cmd::demo::Args),
    /// The case workflow: register, transition, assign, extend, transfer, supervise, show, list.
    Case(cmd::case::Args),
    /// Verify an evidence package offline (exit 0 valid, 1 problems found, 2 usage error).
    Verify(cmd::verify::Args),
    /// Evidence log keys (`keygen`).
    Ledger(cmd::ledger::Args),
    /// The evidence log in the database: checkpoint, verify, prove, consistency, heads,
    /// keys, rotate-key.
    Log(cmd::log::Args),
    /// Keep saved snapshot files as evidence of a case (blob + log entry).
    Capture(cmd::evidence::CaptureArgs),
    /// Evidence packages: `evidence export --case ID -o FILE`.
    Evidence(cmd::evidence::Args),
    /// API tokens: `token create --as LOGIN --scope ingest --name NAME` (a platform's
    /// integration, set up by the operator).
    Token(cmd::token::Args),
    /// Screen subjects (JSON Lines) against a list such as a blacklist export: identifiers
    /// exactly, enterprise names fuzzily, each match explained.
    Screen(cmd::screen::Args),
    /// Brushing (刷单炒信): `brushing detect ORDERS…` finds groups of accounts and shops.
    Brushing(cmd::brushing::Args),
    /// Seller networks: `network group SHOP_IDENTIFIERS…` links shops sharing identifiers.
    Network(cmd::network::Args),
    /// Notice and takedown (通知—删除): send, acknowledge, act, refuse, forward, object,
    /// forward-objection, escalate, restore, withdraw, show, list; self-inspection
    /// (`inspect`) and a platform's weekly figures (`weekly`).
    Notice(cmd::notice::Args),
    /// Statistics reports (统计报表): `report KIND --period P --as LOGIN -o FILE` (csv,
    /// xlsx, json), `report submit`, `report submissions`, `report calendar`.
    Report(cmd::report::Args),
    /// Publish listings to NATS JetStream for patrol workers (`--org`, `--platform` as for
    /// `patrol`).
    Ingest(cmd::ingest::Args),
    /// A patrol worker: pull listings from NATS JetStream, scan and store them with their
    /// leads, acknowledging after each batch commits.
    Worker(cmd::worker::Args),
    /// The patrol cluster: `cluster status`, `cluster reload-rules`.
    Cluster(cmd::cluster::Args),
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Text(args) => cmd::text::run(args),
        Command::Check(args) => cmd::check::run(args),
        Command::Region(args) => cmd::region::run(args),
        Command::Calendar(args) => cmd::calendar::run(args),
        Command::Scan(args) => cmd::scan::run(args),
        Command::Rules(args) => cmd::rules::run(args),
        Command::Db(args) => cmd::db::run(args),
        Command::Import(args) => cmd::import::run(args),
        Command::Export(args) => cmd::db::export(args),
        Command::Backup(args) => cmd::db::backup(args),
        Command::Patrol(args) => cmd::patrol::run(args),
        Command::Serve(args) => cmd::serve::run(args),
        Command::Demo(args) => cmd::demo::run(args),
        Command::Case(args) => cmd::case::run(args),
        Command::Notice(args) => cmd::notice::run(args),
        Command::Verify(args) => cmd::verify::run(args),
        Command::Ledger(args) => cmd::ledger::run(args),
        Command::Log(args) => cmd::log::run(args),
        Command::Capture(args) => cmd::evidence::capture(args),
        Command::Evidence(args) => cmd::evidence::run(args),
        Command::Token(args) => cmd::token::run(args),
        Command::Screen(args) => cmd::screen::run(args),
        Command::Brushing(args) => cmd::brushing::run(args),
        Command::Network(args) => cmd::network::run(args),
        Command::Report(args) => cmd::report::run(args),
        Command::Ingest(args) => cmd::ingest::run(args),
        Command::Worker(args) => cmd::worker::run(args),
        Command::Cluster(args) => cmd::cluster::run(args),
    };
    match result {
        Ok(code) => code,
        Err(err) if report::is_broken_pipe(&err) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("wangjian: {err:#}");
            ExitCode::from(2)
        }
    }
}
