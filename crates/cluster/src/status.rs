//! `wangjian cluster status` and `wangjian cluster reload-rules`: what the stream holds,
//! how far the workers lag, which workers are alive and how fast they go; announcing new
//! rules to every worker.

use std::time::Duration;

use async_nats::jetstream;
use futures_util::StreamExt;
use serde::Serialize;

use crate::worker::Heartbeat;
use crate::{
    connect, ensure_bucket, fail, now_ms, ClusterError, CONSUMER, RULES_BUCKET, RULES_KEY, STREAM,
    WORKERS_BUCKET, WORKER_TTL,
};

/// The cluster as NATS sees it.
#[derive(Debug, Clone, Serialize)]
pub struct Status {
    /// Messages in the stream (published, not yet acknowledged by a worker).
    pub stream_messages: u64,
    /// Their bytes.
    pub stream_bytes: u64,
    /// The stream's byte limit (publishing waits beyond it).
    pub max_bytes: i64,
    /// The stream's message limit.
    pub max_messages: i64,
    /// Messages not yet delivered to any worker (the lag).
    pub pending: u64,
    /// Delivered, not yet acknowledged.
    pub ack_pending: u64,
    /// Delivered more than once and still unacknowledged.
    pub redelivered: u64,
    /// Workers whose heartbeat is younger than [`WORKER_TTL`].
    pub workers: Vec<Heartbeat>,
    /// Sum of the workers' listings per second.
    pub throughput: f64,
}

/// Reads the status; `None` when no listing was ever published (no stream).
pub async fn status(url: &str) -> Result<Option<Status>, ClusterError> {
    let client = connect(url).await?;
    let js = jetstream::new(client);
    let Ok(mut stream) = js.get_stream(STREAM).await else {
        return Ok(None);
    };
    let info = stream
        .info()
        .await
        .map_err(fail("reading the stream"))?
        .clone();
    let (pending, ack_pending, redelivered) = match stream.consumer_info(CONSUMER).await {
        Ok(c) => (
            c.num_pending,
            c.num_ack_pending as u64,
            c.num_redelivered as u64,
        ),
        Err(_) => (info.state.messages, 0, 0),
    };
    let mut workers = Vec::new();
    if let Ok(kv) = js.get_key_value(WORKERS_BUCKET).await {
        if let Ok(mut keys) = kv.keys().await {
            let mut names = Vec::new();
            while let Some(Ok(k)) = keys.next().await {
                names.push(k);
            }
            for k in names {
                if let Ok(Some(v)) = kv.get(&k).await {
                    if let Ok(hb) = serde_json::from_slice::<Heartbeat>(&v) {
                        if now_ms() - hb.at_ms <= WORKER_TTL.as_millis() as i64 {
                            workers.push(hb);
                        }
                    }
                }
            }
        }
    }
    workers.sort_by(|a, b| a.name.cmp(&b.name));
    let throughput = workers.iter().map(|w| w.rate).fold(0.0, |a, b| a + b);
    Ok(Some(Status {
        stream_messages: info.state.messages,
        stream_bytes: info.state.bytes,
        max_bytes: info.config.max_bytes,
        max_messages: info.config.max_messages,
        pending,
        ack_pending,
        redelivered,
        workers,
        throughput,
    }))
}

impl std::fmt::Display for Status {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        writeln!(
            f,
            "stream {STREAM}: {} listings, {:.1} MB (limits {} listings, {:.1} MB)",
            self.stream_messages,
            self.stream_bytes as f64 / 1e6,
            self.max_messages,
            self.max_bytes as f64 / 1e6
        )?;
        writeln!(
            f,
            "consumer {CONSUMER}: lag {} (not yet delivered), {} in flight, {} redelivered",
            self.pending, self.ack_pending, self.redelivered
        )?;
        writeln!(f, "workers alive: {}", self.workers.len())?;
        for w in &self.workers {
            writeln!(
                f,
                "  {} (pid {}): {:.0} listings/s, {} stored, {} leads, {} failed batches, {} refused, batch {:.0} ms, rules {}, seen {:.1} s ago",
                w.name,
                w.pid,
                w.rate,
                w.listings,
                w.leads,
                w.errors,
                w.rejected,
                w.batch_ms,
                if w.rule_set_version.is_empty() { "-" } else { &w.rule_set_version },
                (now_ms() - w.at_ms) as f64 / 1e3
            )?;
        }
        write!(f, "throughput: {:.0} listings/s", self.throughput)
    }
}

/// Tells every worker to re-read its rules (the pack, the marks files and the registry's
/// marks); returns the new generation.
pub async fn reload_rules(url: &str) -> Result<u64, ClusterError> {
    let client = connect(url).await?;
    let js = jetstream::new(client);
    let kv = ensure_bucket(&js, RULES_BUCKET, Duration::ZERO).await?;
    let generation = now_ms().to_string();
    kv.put(RULES_KEY, generation.clone().into())
        .await
        .map_err(fail("announcing new rules"))
}
