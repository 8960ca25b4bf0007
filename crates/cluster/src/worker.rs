//! A patrol worker: pulls batches from the shared durable consumer, takes each through
//! [`App::intake`] (the one intake path: the same validator, rule set, routing and lead
//! as `patrol` and the push API) and acknowledges the batch's messages only after the
//! store committed it. On a store error every message of the batch is handed back
//! (negative acknowledgement with a delay growing from 1 s to 30 s) and the worker pauses
//! as long; nothing is acknowledged that is not in the record. A message delivered again
//! (a worker killed mid-batch, an acknowledgement lost) writes nothing new: every id the
//! store writes derives from natural keys and every insert is `ON CONFLICT DO NOTHING`.
//!
//! Alongside: a heartbeat in [`crate::WORKERS_BUCKET`] every [`crate::HEARTBEAT`] (with the
//! consumer's lag read at the same time), and a watch on [`crate::RULES_KEY`] that makes
//! the app re-read its rules ([`wangjian_app::ActiveRules::reload`]) when the cluster
//! announces new ones.

use std::collections::{BTreeMap, HashMap};
use std::sync::atomic::Ordering::Relaxed;
use std::sync::Arc;
use std::time::{Duration, Instant};

use async_nats::jetstream::{self, message::AckKind, Message};
use futures_util::StreamExt;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use wangjian_app::intake::{listing_from_json, Delivery, Item};
use wangjian_app::App;
use wangjian_detect::Level;
use wangjian_domain::OrgId;

use crate::metrics::Metrics;
use crate::{
    connect, ensure_bucket, ensure_consumer, ensure_stream, fail, now_ms, parse_level,
    ClusterError, Envelope, Limits, HEARTBEAT, RULES_BUCKET, RULES_KEY, WORKERS_BUCKET, WORKER_TTL,
};

/// The first pause after a failed batch.
const FIRST_BACKOFF: Duration = Duration::from_secs(1);
/// The longest.
const MAX_BACKOFF: Duration = Duration::from_secs(30);

/// How a worker runs.
#[derive(Debug, Clone)]
pub struct Config {
    /// NATS URL.
    pub nats: String,
    /// The worker's name in heartbeats (letters, digits, `-`, `_`).
    pub name: String,
    /// Messages per batch (one transaction per deliverer in it).
    pub batch: usize,
    /// Stop when nothing arrived for this long and nothing is waiting (benchmarks, tests).
    pub exit_when_idle: Option<Duration>,
    /// The consumer's acknowledgement wait, when this worker creates it.
    pub ack_wait: Duration,
}

/// A worker's heartbeat, as `cluster status` shows it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Heartbeat {
    /// The worker's name.
    pub name: String,
    /// Its process id.
    pub pid: u32,
    /// When it wrote this (milliseconds since 1970).
    pub at_ms: i64,
    /// Listings stored so far.
    pub listings: u64,
    /// Leads created so far.
    pub leads: u64,
    /// Failed batches so far.
    pub errors: u64,
    /// Listings refused so far.
    pub rejected: u64,
    /// Listings per second over the last interval.
    pub rate: f64,
    /// Mean batch time, milliseconds.
    pub batch_ms: f64,
    /// The rule-set version of its last batch.
    pub rule_set_version: String,
}

/// What one batch came to.
#[derive(Debug, Default)]
struct Done {
    listings: u64,
    leads: u64,
    rejected: u64,
    version: Option<String>,
    /// Messages to terminate (never redeliver): not an envelope, unknown organization.
    refused: Vec<usize>,
}

/// Organizations by the name an envelope gives them.
#[derive(Default)]
struct Orgs(HashMap<String, OrgId>);

impl Orgs {
    async fn find(&mut self, app: &App, name: &str) -> Result<Option<OrgId>, ClusterError> {
        if let Some(id) = self.0.get(name) {
            return Ok(Some(*id));
        }
        let found = app
            .store()
            .find_organization(name)
            .await
            .map_err(fail("reading organizations"))?;
        if let Some(o) = &found {
            self.0.insert(name.to_string(), o.id);
        }
        Ok(found.map(|o| o.id))
    }
}

/// A worker's hold on NATS: the consumer, the heartbeat bucket and the tasks that beat
/// and watch for rules.
struct Attached {
    consumer: jetstream::consumer::Consumer<jetstream::consumer::pull::Config>,
    workers: async_nats::jetstream::kv::Store,
    watcher: tokio::task::JoinHandle<()>,
    beat: tokio::task::JoinHandle<()>,
}

impl Attached {
    fn detach(&self) {
        self.watcher.abort();
        self.beat.abort();
    }
}

/// Connects (waiting for NATS), makes sure of the stream, the consumer and the buckets,
/// and starts the heartbeat and the rules watch.
async fn attach(app: &App, cfg: &Config, metrics: &Arc<Metrics>) -> Result<Attached, ClusterError> {
    let client = connect(&cfg.nats).await?;
    let js = jetstream::new(client);
    let stream = ensure_stream(&js, Limits::default()).await?;
    let consumer = ensure_consumer(&stream, cfg.ack_wait).await?;
    let workers = ensure_bucket(&js, WORKERS_BUCKET, WORKER_TTL).await?;
    let rules = ensure_bucket(&js, RULES_BUCKET, Duration::ZERO).await?;

    // Rules: reload when the cluster announces new ones.
    let watch_app = app.clone();
    let watch_metrics = metrics.clone();
    let watcher = tokio::spawn(async move {
        loop {
            match rules.watch(RULES_KEY).await {
                Ok(mut w) => {
                    while let Some(e) = w.next().await {
                        if e.is_ok() {
                            watch_app.rules().reload().await;
                            watch_metrics.rule_reloads.fetch_add(1, Relaxed);
                            eprintln!(
                                "wangjian worker: new rules announced; rebuilding the rule set"
                            );
                        }
                    }
                }
                Err(e) => eprintln!("wangjian worker: watching for rule updates: {e}"),
            }
            tokio::time::sleep(Duration::from_secs(1)).await;
        }
    });

    // Heartbeat and lag.
    let beat_metrics = metrics.clone();
    let beat_name = cfg.name.clone();
    let mut beat_consumer = consumer.clone();
    let beat_workers = workers.clone();
    let beat = tokio::spawn(async move {
        loop {
            if let Ok(info) = beat_consumer.info().await {
                beat_metrics.lag.store(info.num_pending, Relaxed);
                beat_metrics
                    .ack_pending
                    .store(info.num_ack_pending as u64, Relaxed);
            }
            let m = &beat_metrics;
            let hb = Heartbeat {
                name: beat_name.clone(),
                pid: std::process::id(),
                at_ms: now_ms(),
                listings: m.listings.load(Relaxed),
                leads: m.leads.load(Relaxed),
                errors: m.errors.load(Relaxed),
                rejected: m.rejected.load(Relaxed),
                rate: m.rate(),
                batch_ms: m.mean_batch_ms(),
                rule_set_version: m
                    .rule_set_version
                    .lock()
                    .unwrap_or_else(|e| e.into_inner())
                    .clone(),
            };
            if let Ok(v) = serde_json::to_vec(&hb) {
                let _ = beat_workers.put(&beat_name, v.into()).await;
            }
            tokio::time::sleep(HEARTBEAT).await;
        }
    });

    Ok(Attached {
        consumer,
        workers,
        watcher,
        beat,
    })
}

/// Runs a worker until `exit_when_idle` (or forever). When NATS stops answering (the
/// consumer's info fails while nothing arrives), it connects anew: after a NATS restart
/// the old connection's requests were seen never to be answered.
pub async fn run(app: App, cfg: Config, metrics: Arc<Metrics>) -> Result<(), ClusterError> {
    let mut nats = attach(&app, &cfg, &metrics).await?;
    let mut checked = Instant::now();
    let mut orgs = Orgs::default();
    let mut backoff = FIRST_BACKOFF;
    let mut idle_since = Instant::now();
    let result = loop {
        let batch = match nats
            .consumer
            .fetch()
            .max_messages(cfg.batch.max(1))
            .expires(Duration::from_millis(500))
            .messages()
            .await
        {
            Ok(mut msgs) => {
                let mut v = Vec::with_capacity(cfg.batch);
                while let Some(m) = msgs.next().await {
                    match m {
                        Ok(m) => v.push(m),
                        Err(e) => {
                            eprintln!("wangjian worker: fetching: {e}");
                            break;
                        }
                    }
                }
                v
            }
            Err(e) => {
                eprintln!("wangjian worker: fetching: {e}; trying again");
                tokio::time::sleep(FIRST_BACKOFF).await;
                Vec::new()
            }
        };
        if batch.is_empty() && checked.elapsed() >= Duration::from_secs(5) {
            checked = Instant::now();
            let answered = tokio::time::timeout(Duration::from_secs(5), nats.consumer.info()).await;
            if !matches!(answered, Ok(Ok(_))) {
                eprintln!("wangjian worker: NATS does not answer; connecting again");
                nats.detach();
                nats = attach(&app, &cfg, &metrics).await?;
                continue;
            }
        }
        if batch.is_empty() {
            if let Some(idle) = cfg.exit_when_idle {
                if idle_since.elapsed() >= idle {
                    match nats.consumer.info().await {
                        Ok(info) if info.num_pending == 0 && info.num_ack_pending == 0 => {
                            break Ok(());
                        }
                        _ => idle_since = Instant::now(),
                    }
                }
            }
            continue;
        }
        idle_since = Instant::now();
        let redelivered = batch
            .iter()
            .filter(|m| m.info().is_ok_and(|i| i.delivered > 1))
            .count();
        metrics.redelivered.fetch_add(redelivered as u64, Relaxed);
        let started = Instant::now();
        match process(&app, &mut orgs, &batch).await {
            Ok(done) => {
                let secs = started.elapsed().as_secs_f64();
                for (i, m) in batch.iter().enumerate() {
                    let kind = if done.refused.contains(&i) {
                        AckKind::Term
                    } else {
                        AckKind::Ack
                    };
                    // A lost acknowledgement means a redelivery, which writes nothing.
                    let _ = m.ack_with(kind).await;
                }
                let now = now_ms();
                metrics.latencies(batch.iter().filter_map(|m| {
                    serde_json::from_slice::<Envelope<serde::de::IgnoredAny>>(&m.payload)
                        .ok()
                        .map(|e| now - e.sent_ms)
                }));
                metrics.listings.fetch_add(done.listings, Relaxed);
                metrics.leads.fetch_add(done.leads, Relaxed);
                metrics.rejected.fetch_add(done.rejected, Relaxed);
                if let Some(v) = done.version {
                    *metrics
                        .rule_set_version
                        .lock()
                        .unwrap_or_else(|e| e.into_inner()) = v;
                }
                metrics.batch(secs);
                backoff = FIRST_BACKOFF;
            }
            Err(e) => {
                metrics.errors.fetch_add(1, Relaxed);
                eprintln!(
                    "wangjian worker: batch of {} not stored ({e}); handed back, pausing {} s",
                    batch.len(),
                    backoff.as_secs()
                );
                for m in &batch {
                    let _ = m.ack_with(AckKind::Nak(Some(backoff))).await;
                }
                tokio::time::sleep(backoff).await;
                backoff = (backoff * 2).min(MAX_BACKOFF);
            }
        }
    };
    nats.detach();
    // Gone: `cluster status` no longer counts it.
    let _ = nats.workers.delete(&cfg.name).await;
    result
}

/// Takes a batch through the intake: groups it by deliverer (patrolling agency and lead
/// level) and calls [`App::intake`] for each group.
async fn process(app: &App, orgs: &mut Orgs, batch: &[Message]) -> Result<Done, ClusterError> {
    let mut done = Done::default();
    let mut groups: BTreeMap<(OrgId, u8), (Level, Vec<Item>)> = BTreeMap::new();
    for (i, m) in batch.iter().enumerate() {
        let env: Envelope<Value> = match serde_json::from_slice(&m.payload) {
            Ok(e) => e,
            Err(e) => {
                eprintln!(
                    "wangjian worker: {}: not a listing envelope ({e}); dropped",
                    m.subject
                );
                done.refused.push(i);
                continue;
            }
        };
        let refuse = |why: String| {
            eprintln!("wangjian worker: line {}: {why}", env.line);
        };
        let listing = match listing_from_json(&env.listing) {
            Ok(l) => l,
            Err(r) => {
                refuse(r.to_string());
                done.refused.push(i);
                done.rejected += 1;
                continue;
            }
        };
        let Some(level) = parse_level(&env.min_level) else {
            refuse(format!(
                "min_level {:?}: low, medium or high",
                env.min_level
            ));
            done.refused.push(i);
            done.rejected += 1;
            continue;
        };
        let Some(org) = orgs.find(app, &env.org).await? else {
            refuse(format!("no single organization {:?}", env.org));
            done.refused.push(i);
            done.rejected += 1;
            continue;
        };
        let platform_name = env
            .platform
            .clone()
            .or_else(|| listing.platform.clone())
            .unwrap_or_default();
        let platform = if platform_name.is_empty() {
            None
        } else {
            orgs.find(app, &platform_name).await?
        };
        let Some(platform) = platform else {
            refuse(format!(
                "unknown platform {platform_name:?}: import it with `wangjian import orgs` or pass --platform"
            ));
            done.refused.push(i);
            done.rejected += 1;
            continue;
        };
        groups
            .entry((org, level as u8))
            .or_insert_with(|| (level, Vec::new()))
            .1
            .push(Item {
                index: i as u64,
                listing,
                platform,
            });
    }
    for ((org, _), (level, items)) in groups {
        let report = app
            .intake(
                Delivery {
                    by: Some(org),
                    min_level: Some(level),
                },
                items,
                chrono::Utc::now(),
            )
            .await
            .map_err(fail("storing"))?;
        for (i, r) in &report.rejected {
            eprintln!(
                "wangjian worker: {}: {r}",
                batch
                    .get(*i as usize)
                    .map_or("?".to_string(), |m| m.subject.to_string())
            );
        }
        done.rejected += report.rejected.len() as u64;
        done.listings += report.outcomes.len() as u64;
        done.leads += report.added.leads;
        if report.rule_set_version.is_some() {
            done.version = report.rule_set_version;
        }
    }
    Ok(done)
}
