//! `wangjian ingest --nats URL --org ORG [--platform P] INPUT...`: publish captured
//! listings to the NATS JetStream stream the patrol workers (`wangjian worker`) pull from.
//! `--org`, `--platform` and `--min-level` mean what they mean for `patrol`: the workers
//! take each listing through the same intake, so the same listings give the same leads,
//! routed the same way. Publish acknowledgements are pipelined (`--in-flight`); when the
//! stream is full or NATS is away, publishing waits and retries — nothing is dropped.
//! The command ends when every listing is acknowledged by the stream (durably stored).
//!
//! Listing format: that of `patrol` (JSON Lines, or CSV by extension); a line that is not
//! a listing is reported with its number and left out, the rest is published.

use std::fs::File;
use std::io::{self, BufReader, Read};
use std::process::ExitCode;

use anyhow::Context;
use wangjian_cluster::publish::Publisher;
use wangjian_cluster::{now_ms, Envelope, Limits};
use wangjian_detect::{CsvListings, Listing};

use crate::cmd::patrol::MinLevel;
use crate::input::{for_each_line, MAX_LINE_BYTES};
use crate::report::BadLines;

/// Arguments of `wangjian ingest`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// NATS server URL (nats://HOST:PORT).
    #[arg(long, value_name = "URL")]
    pub nats: String,
    /// The patrolling agency that receives the leads (id, case prefix or name), as for
    /// `patrol`; the workers resolve it in their database.
    #[arg(long, value_name = "ORG")]
    pub org: String,
    /// The platform the listings come from (id, case prefix or name); default: each
    /// listing's `platform` field.
    #[arg(long, value_name = "ORG")]
    pub platform: Option<String>,
    /// Keep a lead for listings at this level or above.
    #[arg(long, value_enum, default_value = "medium")]
    pub min_level: MinLevel,
    /// Check `--org` and `--platform` in this database before publishing anything.
    #[arg(long = "check-db", value_name = "URL")]
    pub check_db: Option<String>,
    /// Publishes awaiting their acknowledgement at once.
    #[arg(long, default_value_t = 4096)]
    pub in_flight: usize,
    /// The stream's byte limit, when this run creates it (publishing waits beyond it).
    #[arg(long, default_value_t = 1 << 30)]
    pub max_bytes: i64,
    /// The stream's message limit, when this run creates it.
    #[arg(long, default_value_t = 10_000_000)]
    pub max_messages: i64,
    /// Listing files (JSON Lines, or CSV by extension); stdin when none or `-`.
    pub inputs: Vec<String>,
}

/// Listings parsed before they are published (one pass of the runtime).
const CHUNK: usize = 5_000;

/// Runs `wangjian ingest`.
pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .context("starting the async runtime")?;
    if let Some(db) = &args.check_db {
        rt.block_on(async {
            let store = wangjian_store::Store::open(db)
                .await
                .with_context(|| format!("opening database {db}"))?;
            for name in std::iter::once(&args.org).chain(args.platform.as_ref()) {
                store.find_organization(name).await?.with_context(|| {
                    format!("no single organization {name:?}: import orgs first")
                })?;
            }
            store.close().await;
            anyhow::Ok(())
        })?;
    }
    let limits = Limits {
        max_bytes: args.max_bytes,
        max_messages: args.max_messages,
    };
    let mut publisher = rt
        .block_on(Publisher::connect(&args.nats, limits, args.in_flight))
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    let inputs = if args.inputs.is_empty() {
        vec!["-".to_string()]
    } else {
        args.inputs.clone()
    };
    let min_level = wangjian_cluster::level_name(args.min_level.level()).to_string();
    let mut bad = BadLines::default();
    let mut chunk: Vec<(u64, Listing)> = Vec::with_capacity(CHUNK);
    let mut send = |chunk: &mut Vec<(u64, Listing)>| -> anyhow::Result<()> {
        rt.block_on(async {
            for (line, l) in chunk.drain(..) {
                let e = Envelope {
                    org: args.org.clone(),
                    platform: args.platform.clone(),
                    min_level: min_level.clone(),
                    line,
                    sent_ms: now_ms(),
                    listing: &l,
                };
                publisher.publish(&e).await?;
            }
            Ok::<(), wangjian_cluster::ClusterError>(())
        })
        .map_err(|e| anyhow::anyhow!("{e}"))
    };
    for name in &inputs {
        let source = if name == "-" {
            "<stdin>".to_string()
        } else {
            name.clone()
        };
        let reader: Box<dyn Read> = if name == "-" {
            Box::new(io::stdin())
        } else {
            Box::new(File::open(name).with_context(|| format!("opening input {name}"))?)
        };
        let reader = BufReader::with_capacity(1 << 16, reader);
        if name.to_ascii_lowercase().ends_with(".csv") {
            let mut r = match CsvListings::new(reader) {
                Ok(r) => r,
                Err(e) => {
                    bad.report(&source, 1, format!("header: {e}"));
                    continue;
                }
            };
            while let Some((n, l)) = r.next_listing() {
                match l {
                    Ok(l) => chunk.push((n, l)),
                    Err(e) => bad.report(&source, n, e),
                }
                if chunk.len() >= CHUNK {
                    send(&mut chunk)?;
                }
            }
        } else {
            for_each_line(reader, MAX_LINE_BYTES, |n, l| {
                match l {
                    Ok(l) if l.trim().is_empty() => {}
                    Ok(l) => match Listing::from_json(l) {
                        Ok(l) => chunk.push((n, l)),
                        Err(e) => bad.report(&source, n, e),
                    },
                    Err(p) => bad.report(&source, n, p),
                }
                if chunk.len() >= CHUNK {
                    send(&mut chunk).map_err(io::Error::other)?;
                }
                Ok(())
            })
            .with_context(|| format!("reading {source}"))?;
        }
        send(&mut chunk)?;
    }
    let done = rt.block_on(publisher.finish());
    eprintln!(
        "wangjian: published {} listings ({} already in the stream, {} publishes retried), {} bad lines",
        done.acked,
        done.duplicates,
        done.retries,
        bad.count()
    );
    Ok(bad.exit_code())
}
