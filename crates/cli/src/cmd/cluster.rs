//! `wangjian cluster status --nats URL [--json]`: the stream's depth, the workers'
//! consumer lag, the workers alive (their heartbeats) and the throughput.
//! `wangjian cluster reload-rules --nats URL`: every worker re-reads its rules (the pack,
//! its marks files and the registry's marks) before its next batch — after `import
//! marks` into the shared database or a change of the `--rules` directory.

use std::process::ExitCode;

use anyhow::Context;
use wangjian_cluster::status;

/// Arguments of `wangjian cluster`.
#[derive(Debug, clap::Args)]
pub struct Args {
    #[command(subcommand)]
    pub command: ClusterCommand,
}

/// `wangjian cluster` subcommands.
#[derive(Debug, clap::Subcommand)]
pub enum ClusterCommand {
    /// Stream depth, consumer lag, workers alive, throughput.
    Status {
        /// NATS server URL.
        #[arg(long, value_name = "URL")]
        nats: String,
        /// As one JSON object.
        #[arg(long)]
        json: bool,
    },
    /// Tell every worker to rebuild its rule set.
    ReloadRules {
        /// NATS server URL.
        #[arg(long, value_name = "URL")]
        nats: String,
    },
}

/// Runs `wangjian cluster`.
pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    let rt = crate::cmd::db::runtime()?;
    match args.command {
        ClusterCommand::Status { nats, json } => {
            let s = rt
                .block_on(async {
                    tokio::time::timeout(std::time::Duration::from_secs(20), status::status(&nats))
                        .await
                })
                .with_context(|| format!("NATS at {nats} did not answer"))?
                .map_err(|e| anyhow::anyhow!("{e}"))?;
            match (s, json) {
                (Some(s), true) => println!("{}", serde_json::to_string(&s)?),
                (Some(s), false) => println!("{s}"),
                (None, _) => println!("no listing stream yet: nothing was ingested"),
            }
        }
        ClusterCommand::ReloadRules { nats } => {
            let generation = rt
                .block_on(status::reload_rules(&nats))
                .map_err(|e| anyhow::anyhow!("{e}"))?;
            println!(
                "rules announced (generation {generation}): every worker rebuilds its rule set"
            );
        }
    }
    Ok(ExitCode::SUCCESS)
}
