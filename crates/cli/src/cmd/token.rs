//! `wangjian token create`: an API token for a user acting for one organization, made by
//! the operator of the installation (a platform's integration set up from the server's
//! machine, before anyone signs in to the console). The secret is printed once; only its
//! digest is stored, and the making is in the accounts' audit trail.

use std::process::ExitCode;

use anyhow::anyhow;
use chrono::{Duration, Utc};
use wangjian_app::{App, RuleSource};
use wangjian_server::auth::token::{mint, TokenScope};
use wangjian_server::directory::{Directory, SecurityAction, SecurityEvent};

use crate::acting::AsArg;
use crate::cmd::db::{open, runtime, DbArg};

/// Arguments of `wangjian token`.
#[derive(Debug, clap::Args)]
pub struct Args {
    #[command(subcommand)]
    command: TokenCmd,
}

#[derive(Debug, clap::Subcommand)]
enum TokenCmd {
    /// Make a token; prints its secret (`wjt_…`) once on stdout.
    Create {
        #[command(flatten)]
        db: DbArg,
        #[command(flatten)]
        who: AsArg,
        /// What it is for ("nightly listing push").
        #[arg(long)]
        name: String,
        /// A scope: read, write or ingest (repeat).
        #[arg(long = "scope", required = true)]
        scopes: Vec<String>,
        /// Days until it expires (1–366).
        #[arg(long, default_value_t = 90)]
        days: u32,
    },
}

/// Runs `wangjian token`.
pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    match args.command {
        TokenCmd::Create {
            db,
            who,
            name,
            scopes,
            days,
        } => runtime()?.block_on(async {
            let store = open(&db).await?;
            let r = create(&store, &who, &name, &scopes, days).await;
            store.close().await;
            r
        }),
    }
}

async fn create(
    store: &wangjian_store::Store,
    who: &AsArg,
    name: &str,
    scopes: &[String],
    days: u32,
) -> anyhow::Result<ExitCode> {
    let name = name.trim();
    if name.is_empty() || name.chars().count() > 100 {
        anyhow::bail!("--name: a name of 1 to 100 characters");
    }
    if !(1..=366).contains(&days) {
        anyhow::bail!("--days: between 1 and 366");
    }
    let scopes = scopes
        .iter()
        .map(|s| {
            TokenScope::parse(s.trim())
                .ok_or_else(|| anyhow!("--scope {s:?}: one of read, write, ingest"))
        })
        .collect::<anyhow::Result<Vec<_>>>()?;
    let app = App::new(store.clone(), RuleSource::default()).map_err(|e| anyhow!("{e}"))?;
    let m = app
        .member_by_login(&who.login, who.org.as_deref())
        .await
        .map_err(|e| anyhow!("{e}"))?;
    let now = Utc::now();
    let t = mint(
        m.actor.user,
        m.actor.org,
        name,
        &scopes,
        Some(now + Duration::days(i64::from(days))),
        now,
    )
    .map_err(|e| anyhow!("{e}"))?;
    let dir = Directory::Store(store.clone());
    dir.put_token(&t.record).await?;
    dir.record(SecurityEvent {
        at: now,
        action: SecurityAction::TokenCreated,
        user: Some(m.actor.user),
        org: Some(m.actor.org),
        login: who.login.trim().chars().take(64).collect(),
        ip: None,
        request_id: format!("cli-{}", t.record.id),
    })
    .await?;
    println!("{}", t.secret);
    eprintln!(
        "wangjian: token {} ({}) for {}, scopes {}, expires {}",
        t.record.id,
        t.record.name,
        who.login,
        t.record
            .scopes
            .iter()
            .map(|s| s.as_str())
            .collect::<Vec<_>>()
            .join(","),
        t.record
            .expires_at
            .map(|e| e.to_rfc3339())
            .unwrap_or_default()
    );
    Ok(ExitCode::SUCCESS)
}
