//! `wangjian worker --nats URL --db postgres://… [--rules DIR] [--marks FILE]`: a patrol
//! worker. Any number of them, on any number of machines, pull listings that `wangjian
//! ingest` published from one durable consumer, scan them and store listings and leads
//! through the one intake (`App::intake`) in batches; a message is acknowledged only after
//! its batch committed. See `wangjian_cluster::worker`.
//!
//! The worker prints `worker NAME pulling from URL` on start, and with `--metrics-addr`
//! the address of its Prometheus metrics (`metrics at http://ADDR/metrics`).

use std::io::Write;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context;
use wangjian_app::App;
use wangjian_cluster::metrics::{self, Metrics};
use wangjian_cluster::worker::{self, Config};

use crate::cmd::db::{open, DbArg};
use crate::cmd::scan::{rule_source, RuleArgs};

/// Arguments of `wangjian worker`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// NATS server URL (nats://HOST:PORT).
    #[arg(long, value_name = "URL")]
    pub nats: String,
    #[command(flatten)]
    pub db: DbArg,
    #[command(flatten)]
    pub rules: RuleArgs,
    /// Messages per batch (one transaction per patrolling agency in it).
    #[arg(long, default_value_t = 1000)]
    pub batch: usize,
    /// The worker's name in `cluster status` (default: host and process id).
    #[arg(long)]
    pub name: Option<String>,
    /// Serve Prometheus metrics at http://ADDR/metrics (e.g. 127.0.0.1:9464; port 0 picks one).
    #[arg(long, value_name = "ADDR")]
    pub metrics_addr: Option<String>,
    /// Stop once nothing arrived for this many seconds and nothing is waiting (for batch
    /// runs and benchmarks; default: run until stopped).
    #[arg(long, value_name = "SECS")]
    pub exit_when_idle: Option<u64>,
    /// Seconds a delivered message may stay unacknowledged before another worker gets it
    /// (set when the first worker creates the shared consumer; longer than a batch takes).
    #[arg(long, value_name = "SECS", default_value_t = wangjian_cluster::ACK_WAIT.as_secs())]
    pub ack_wait: u64,
}

/// A name NATS KV accepts: letters, digits, `-` and `_`.
fn key_safe(s: &str) -> String {
    s.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' || c == '_' {
                c
            } else {
                '_'
            }
        })
        .collect()
}

/// Runs `wangjian worker`.
pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .context("starting the async runtime")?;
    let name = key_safe(&args.name.clone().unwrap_or_else(|| {
        let host = std::fs::read_to_string("/etc/hostname")
            .map(|h| h.trim().to_string())
            .unwrap_or_else(|_| "host".to_string());
        format!("{host}-{}", std::process::id())
    }));
    rt.block_on(async {
        let store = open(&args.db).await?;
        let app = App::new(store.clone(), rule_source(&args.rules))
            .map_err(|e| anyhow::anyhow!("{e}"))?;
        // Build the rule set now: a broken one stops the worker before it takes anything.
        app.rules()
            .detector(&store)
            .await
            .map_err(|e| anyhow::anyhow!("{e}"))?;
        if let Some(loaded) = app.rules().loaded().await {
            super::scan::warn_loaded(&loaded);
        }
        let m = Arc::new(Metrics::default());
        let mut out = std::io::stdout().lock();
        writeln!(out, "worker {name} pulling from {}", args.nats)?;
        let _server = match &args.metrics_addr {
            Some(addr) => {
                let (bound, task) = metrics::serve(addr, m.clone())
                    .await
                    .map_err(|e| anyhow::anyhow!("{e}"))?;
                writeln!(out, "metrics at http://{bound}/metrics")?;
                Some(task)
            }
            None => None,
        };
        out.flush()?;
        drop(out);
        let cfg = Config {
            nats: args.nats.clone(),
            name: name.clone(),
            batch: args.batch,
            exit_when_idle: args.exit_when_idle.map(Duration::from_secs),
            ack_wait: Duration::from_secs(args.ack_wait.max(1)),
        };
        worker::run(app, cfg, m.clone())
            .await
            .map_err(|e| anyhow::anyhow!("{e}"))?;
        store.close().await;
        eprintln!(
            "wangjian worker {name}: stored {} listings, {} new leads, {} failed batches, {} refused",
            m.listings.load(std::sync::atomic::Ordering::Relaxed),
            m.leads.load(std::sync::atomic::Ordering::Relaxed),
            m.errors.load(std::sync::atomic::Ordering::Relaxed),
            m.rejected.load(std::sync::atomic::Ordering::Relaxed),
        );
        anyhow::Ok(ExitCode::SUCCESS)
    })
}
