//! `wangjian demo`: fill an empty database with the demo province (see `wangjian-demo`).

use std::process::ExitCode;

use anyhow::Context;
use chrono::NaiveDate;
use wangjian_demo::{DemoOptions, DemoReport, DEMO_PASSWORD};

use crate::cmd::db::{open, runtime, DbArg};

/// Arguments of `wangjian demo`.
#[derive(Debug, clap::Args)]
pub struct Args {
    #[command(flatten)]
    db: DbArg,
    /// How many listings to patrol.
    #[arg(long, default_value_t = 3000)]
    listings: usize,
    /// The demo's "today" (YYYY-MM-DD); default the real date, kept inside the calendar.
    #[arg(long, value_parser = crate::input::date_arg)]
    today: Option<NaiveDate>,
}

/// Runs `wangjian demo`.
pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    let rt = runtime()?;
    rt.block_on(async {
        let store = open(&args.db).await?;
        let opts = DemoOptions {
            listings: args.listings,
            today: args.today,
        };
        let report = fill(&store, &opts).await?;
        store.close().await;
        print_report(&args.db.db, &report);
        Ok(ExitCode::SUCCESS)
    })
}

/// Fills the store with the demo, hashing the demo password with the server's argon2id.
pub async fn fill(store: &wangjian_store::Store, opts: &DemoOptions) -> anyhow::Result<DemoReport> {
    let hash =
        |p: &str| wangjian_server::auth::password::hash_password(p).map_err(|e| e.to_string());
    wangjian_demo::fill(store, opts, &hash)
        .await
        .context("writing the demo")
}

/// Prints what the demo holds and how to sign in.
pub fn print_report(db: &str, r: &DemoReport) {
    if r.already_there {
        eprintln!("wangjian: {db} already holds the demo; nothing written");
    } else {
        eprintln!(
            "wangjian: demo written to {db} (today {}): {} listings patrolled, {} leads, {} cases, \
             {} complaints, {} notices, {} reports submitted (one left late), {} suspicious \
             brushing groups",
            r.today,
            r.listings,
            r.leads,
            r.cases,
            r.complaints,
            r.notices,
            r.reports,
            r.brushing_groups
        );
    }
    eprintln!("demo logins (password {DEMO_PASSWORD}):");
    for l in &r.logins {
        eprintln!("  {:<12} {} — {}，{}", l.login, l.name, l.role_zh, l.org);
    }
}
