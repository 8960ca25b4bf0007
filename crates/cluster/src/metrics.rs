//! A worker's counters, served in the Prometheus text format (version 0.0.4) on
//! `--metrics-addr`: listings, leads, batches, errors, refusals, the consumer's lag, batch
//! latency (histogram) and publish→stored latency (p50/p99 of the last 100 000). Counts and
//! timings only: no listing text, no organization, nothing confidential.

use std::collections::VecDeque;
use std::fmt::Write as _;
use std::sync::atomic::{AtomicU64, Ordering::Relaxed};
use std::sync::{Arc, Mutex};
use std::time::Instant;

use tokio::io::{AsyncReadExt, AsyncWriteExt};

use crate::{fail, ClusterError};

/// Upper bounds of the batch-latency histogram, in seconds.
pub const BATCH_BUCKETS: [f64; 10] = [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0];
/// Latencies kept for the publish→stored quantiles.
const LATENCIES: usize = 100_000;

/// A worker's counters (shared: the loop counts, the endpoint and heartbeat read).
#[derive(Debug)]
pub struct Metrics {
    started: Instant,
    /// Listings stored (every valid listing of a committed batch, new or not).
    pub listings: AtomicU64,
    /// Leads the worker's batches created.
    pub leads: AtomicU64,
    /// Batches committed.
    pub batches: AtomicU64,
    /// Batches that failed (store or NATS error) and were handed back for redelivery.
    pub errors: AtomicU64,
    /// Listings refused (a field at fault, an unknown organization or platform).
    pub rejected: AtomicU64,
    /// Messages delivered more than once.
    pub redelivered: AtomicU64,
    /// Rule reloads announced and done.
    pub rule_reloads: AtomicU64,
    /// Messages waiting in the consumer (not yet delivered), as last read.
    pub lag: AtomicU64,
    /// Messages delivered and not yet acknowledged, as last read.
    pub ack_pending: AtomicU64,
    buckets: [AtomicU64; BATCH_BUCKETS.len()],
    batch_micros: AtomicU64,
    latencies: Mutex<VecDeque<u32>>,
    rate: Mutex<(Instant, u64, f64)>,
    /// The rule-set version of the last batch.
    pub rule_set_version: Mutex<String>,
}

impl Default for Metrics {
    fn default() -> Self {
        Self {
            started: Instant::now(),
            listings: AtomicU64::new(0),
            leads: AtomicU64::new(0),
            batches: AtomicU64::new(0),
            errors: AtomicU64::new(0),
            rejected: AtomicU64::new(0),
            redelivered: AtomicU64::new(0),
            rule_reloads: AtomicU64::new(0),
            lag: AtomicU64::new(0),
            ack_pending: AtomicU64::new(0),
            buckets: Default::default(),
            batch_micros: AtomicU64::new(0),
            latencies: Mutex::new(VecDeque::with_capacity(LATENCIES)),
            rate: Mutex::new((Instant::now(), 0, 0.0)),
            rule_set_version: Mutex::new(String::new()),
        }
    }
}

impl Metrics {
    /// Counts one committed batch that took `secs`.
    pub fn batch(&self, secs: f64) {
        self.batches.fetch_add(1, Relaxed);
        self.batch_micros.fetch_add((secs * 1e6) as u64, Relaxed);
        for (i, b) in BATCH_BUCKETS.iter().enumerate() {
            if secs <= *b {
                self.buckets[i].fetch_add(1, Relaxed);
            }
        }
    }

    /// Records publish→stored latencies, in milliseconds.
    pub fn latencies(&self, ms: impl IntoIterator<Item = i64>) {
        let mut l = self.latencies.lock().unwrap_or_else(|e| e.into_inner());
        for m in ms {
            if l.len() == LATENCIES {
                l.pop_front();
            }
            l.push_back(m.clamp(0, i64::from(u32::MAX)) as u32);
        }
    }

    /// The `q` quantile (0..=1) of the kept latencies, in milliseconds.
    pub fn latency_quantile(&self, q: f64) -> Option<u32> {
        let l = self.latencies.lock().unwrap_or_else(|e| e.into_inner());
        if l.is_empty() {
            return None;
        }
        let mut v: Vec<u32> = l.iter().copied().collect();
        v.sort_unstable();
        let i = ((v.len() - 1) as f64 * q).round() as usize;
        Some(v[i])
    }

    /// Listings per second since the last call (the heartbeat calls it every
    /// [`crate::HEARTBEAT`]); the last figure when called again within a second.
    pub fn rate(&self) -> f64 {
        let mut r = self.rate.lock().unwrap_or_else(|e| e.into_inner());
        let now = Instant::now();
        let n = self.listings.load(Relaxed);
        let secs = now.duration_since(r.0).as_secs_f64();
        if secs >= 1.0 {
            r.2 = (n - r.1) as f64 / secs;
            *r = (now, n, r.2);
        }
        r.2
    }

    /// Mean batch time in milliseconds.
    pub fn mean_batch_ms(&self) -> f64 {
        let n = self.batches.load(Relaxed);
        if n == 0 {
            return 0.0;
        }
        self.batch_micros.load(Relaxed) as f64 / n as f64 / 1e3
    }

    /// The Prometheus text.
    pub fn render(&self) -> String {
        let mut s = String::new();
        let mut counter = |name: &str, help: &str, v: u64| {
            let _ = writeln!(s, "# HELP {name} {help}\n# TYPE {name} counter\n{name} {v}");
        };
        counter(
            "wangjian_worker_listings_total",
            "Listings stored by committed batches.",
            self.listings.load(Relaxed),
        );
        counter(
            "wangjian_worker_leads_total",
            "Leads created.",
            self.leads.load(Relaxed),
        );
        counter(
            "wangjian_worker_errors_total",
            "Batches handed back for redelivery after an error.",
            self.errors.load(Relaxed),
        );
        counter(
            "wangjian_worker_rejected_total",
            "Listings refused (field at fault, unknown organization).",
            self.rejected.load(Relaxed),
        );
        counter(
            "wangjian_worker_redelivered_total",
            "Messages delivered more than once.",
            self.redelivered.load(Relaxed),
        );
        counter(
            "wangjian_worker_rule_reloads_total",
            "Rule reloads announced by the cluster.",
            self.rule_reloads.load(Relaxed),
        );
        let mut gauge = |name: &str, help: &str, v: f64| {
            let _ = writeln!(s, "# HELP {name} {help}\n# TYPE {name} gauge\n{name} {v}");
        };
        gauge(
            "wangjian_worker_listings_per_second",
            "Listings stored per second over the last heartbeat interval.",
            self.rate(),
        );
        gauge(
            "wangjian_worker_consumer_lag",
            "Messages in the stream not yet delivered to a worker.",
            self.lag.load(Relaxed) as f64,
        );
        gauge(
            "wangjian_worker_consumer_ack_pending",
            "Messages delivered and not yet acknowledged (all workers).",
            self.ack_pending.load(Relaxed) as f64,
        );
        gauge(
            "wangjian_worker_uptime_seconds",
            "Seconds since the worker started.",
            self.started.elapsed().as_secs_f64(),
        );
        let name = "wangjian_worker_batch_seconds";
        let _ = writeln!(
            s,
            "# HELP {name} Time to scan and commit one batch.\n# TYPE {name} histogram"
        );
        for (i, b) in BATCH_BUCKETS.iter().enumerate() {
            let _ = writeln!(
                s,
                "{name}_bucket{{le=\"{b}\"}} {}",
                self.buckets[i].load(Relaxed)
            );
        }
        let n = self.batches.load(Relaxed);
        let _ = writeln!(s, "{name}_bucket{{le=\"+Inf\"}} {n}");
        let _ = writeln!(
            s,
            "{name}_sum {}\n{name}_count {n}",
            self.batch_micros.load(Relaxed) as f64 / 1e6
        );
        let name = "wangjian_worker_publish_to_stored_seconds";
        let _ = writeln!(
            s,
            "# HELP {name} From publish to committed, last 100000 listings.\n# TYPE {name} summary"
        );
        for q in [0.5, 0.99] {
            if let Some(v) = self.latency_quantile(q) {
                let _ = writeln!(s, "{name}{{quantile=\"{q}\"}} {}", f64::from(v) / 1e3);
            }
        }
        let version = self
            .rule_set_version
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clone();
        if !version.is_empty() {
            let _ = writeln!(
                s,
                "# HELP wangjian_worker_rule_set Rule set of the last batch.\n# TYPE wangjian_worker_rule_set gauge\nwangjian_worker_rule_set{{version=\"{}\"}} 1",
                version.replace(['"', '\\', '\n'], "_")
            );
        }
        s
    }
}

/// Serves `metrics` at `GET /metrics` on `addr` until the task is dropped; returns the
/// bound address once listening.
pub async fn serve(
    addr: &str,
    metrics: Arc<Metrics>,
) -> Result<(std::net::SocketAddr, tokio::task::JoinHandle<()>), ClusterError> {
    let listener = tokio::net::TcpListener::bind(addr)
        .await
        .map_err(fail(&format!("listening on {addr} for metrics")))?;
    let bound = listener
        .local_addr()
        .map_err(fail("reading the metrics address"))?;
    let task = tokio::spawn(async move {
        loop {
            let Ok((mut sock, _)) = listener.accept().await else {
                continue;
            };
            let metrics = metrics.clone();
            tokio::spawn(async move {
                // The request head may come in several segments (a client writing its
                // request line piece by piece): read until the blank line that ends it,
                // the buffer is full, the peer stops, or 5 s pass.
                let mut buf = [0u8; 2048];
                let mut n = 0;
                let deadline = tokio::time::Instant::now() + std::time::Duration::from_secs(5);
                while n < buf.len() && !buf[..n].windows(4).any(|w| w == b"\r\n\r\n") {
                    match tokio::time::timeout_at(deadline, sock.read(&mut buf[n..])).await {
                        Ok(Ok(m)) if m > 0 => n += m,
                        _ => break,
                    }
                }
                let req = String::from_utf8_lossy(&buf[..n]);
                let resp = if req.starts_with("GET /metrics ") {
                    let body = metrics.render();
                    format!(
                        "HTTP/1.1 200 OK\r\nContent-Type: text/plain; version=0.0.4\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
                        body.len()
                    )
                } else {
                    "HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
                        .to_string()
                };
                let _ = sock.write_all(resp.as_bytes()).await;
                let _ = sock.shutdown().await;
            });
        }
    });
    Ok((bound, task))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A request head written in pieces (the request line in two writes) is still read
    /// whole: the endpoint used to answer 404 to the first piece and close, and the
    /// client's next write failed with a broken pipe.
    #[tokio::test]
    async fn a_request_in_pieces_is_answered() {
        use tokio::io::{AsyncReadExt, AsyncWriteExt};
        let m = Arc::new(Metrics::default());
        m.listings.fetch_add(7, Relaxed);
        let (addr, task) = serve("127.0.0.1:0", m).await.unwrap();
        let mut c = tokio::net::TcpStream::connect(addr).await.unwrap();
        c.write_all(b"GET ").await.unwrap();
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        c.write_all(b"/metrics HTTP/1.1\r\nHost: x\r\n\r\n")
            .await
            .unwrap();
        let mut r = String::new();
        c.read_to_string(&mut r).await.unwrap();
        assert!(r.starts_with("HTTP/1.1 200"), "{r}");
        assert!(r.contains("wangjian_worker_listings_total 7"), "{r}");
        task.abort();
    }

    #[test]
    fn the_text_format_has_counters_histogram_and_quantiles() {
        let m = Metrics::default();
        m.listings.fetch_add(1500, Relaxed);
        m.batch(0.03);
        m.batch(3.0);
        m.latencies((1..=100).map(|i| i * 10));
        let t = m.render();
        assert!(t.contains("wangjian_worker_listings_total 1500\n"), "{t}");
        assert!(
            t.contains("wangjian_worker_batch_seconds_bucket{le=\"0.05\"} 1\n"),
            "{t}"
        );
        assert!(
            t.contains("wangjian_worker_batch_seconds_bucket{le=\"+Inf\"} 2\n"),
            "{t}"
        );
        assert!(t.contains("wangjian_worker_batch_seconds_count 2\n"), "{t}");
        assert_eq!(m.latency_quantile(0.5), Some(510));
        assert_eq!(m.latency_quantile(0.99), Some(990));
        assert!(
            t.contains("wangjian_worker_publish_to_stored_seconds{quantile=\"0.99\"} 0.99\n"),
            "{t}"
        );
        assert!((m.mean_batch_ms() - 1515.0).abs() < 1.0);
    }
}
