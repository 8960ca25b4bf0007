//! Scale-out patrol (issue 19): listings travel through NATS JetStream to any number of
//! patrol workers, which take them through the app's one intake ([`wangjian_app::App::intake`])
//! into the shared record (PostgreSQL).
//!
//! - [`publish`]: `wangjian ingest` publishes each listing, in an [`Envelope`] saying who
//!   patrols (`--org`), for which platform (`--platform`) and from what level a hit is a
//!   lead, to the stream [`STREAM`] on a subject partitioned by platform and by a hash of
//!   the listing id ([`subject`]). Acknowledgements are pipelined (many in flight); a
//!   refused or lost publish (the stream full, NATS away) is retried with the same message
//!   id after a pause, never dropped.
//! - [`worker`]: `wangjian worker` pulls batches from the durable consumer [`CONSUMER`],
//!   groups them by deliverer and calls `App::intake` once per group; a message is
//!   acknowledged only after its batch committed, and on a store error the batch is
//!   negatively acknowledged with a growing delay. Every stored id derives from natural
//!   keys and every insert is `ON CONFLICT DO NOTHING`, so a redelivered message writes
//!   nothing new. Workers write a heartbeat to the KV bucket [`WORKERS_BUCKET`] and
//!   rebuild their rule set when the KV bucket [`RULES_BUCKET`] announces new rules.
//! - [`status`]: `wangjian cluster status` (stream depth, consumer lag, workers alive,
//!   throughput) and `wangjian cluster reload-rules`.
//! - [`metrics`]: the worker's counters in the Prometheus text format (`--metrics-addr`);
//!   counts and timings only, nothing of a listing or an organization.

use std::time::Duration;

use async_nats::jetstream::{self, consumer, kv, stream};
use serde::{Deserialize, Serialize};
use wangjian_detect::{Level, Listing};

pub mod metrics;
pub mod publish;
pub mod status;
pub mod worker;

/// The stream listings travel on.
pub const STREAM: &str = "WANGJIAN_LISTINGS";
/// Subjects of the stream: `wangjian.listings.PLATFORM.SHARD`.
pub const SUBJECT_PREFIX: &str = "wangjian.listings";
/// The durable pull consumer every worker shares.
pub const CONSUMER: &str = "wangjian-workers";
/// KV bucket of worker heartbeats (an entry expires after [`WORKER_TTL`]).
pub const WORKERS_BUCKET: &str = "wangjian_workers";
/// KV bucket whose key [`RULES_KEY`] announces new rules.
pub const RULES_BUCKET: &str = "wangjian_rules";
/// The key of [`RULES_BUCKET`] that changes when the rules change.
pub const RULES_KEY: &str = "generation";
/// Shards per platform: the listing id's hash modulo this.
pub const SHARDS: u64 = 16;
/// How often a worker writes its heartbeat.
pub const HEARTBEAT: Duration = Duration::from_secs(2);
/// A worker whose heartbeat is older than this is gone.
pub const WORKER_TTL: Duration = Duration::from_secs(10);
/// How long the stream remembers a message id to drop a repeated publish.
pub const DUPLICATE_WINDOW: Duration = Duration::from_secs(300);
/// How long a delivered message may stay unacknowledged before it is delivered again
/// (the consumer's setting when a worker creates it: `wangjian worker --ack-wait`).
pub const ACK_WAIT: Duration = Duration::from_secs(30);

/// What went wrong talking to NATS (or, for a worker, to the store), in a sentence.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClusterError(pub String);

impl std::fmt::Display for ClusterError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for ClusterError {}

/// `Err` with `what` and the cause.
pub(crate) fn fail<E: std::fmt::Display>(what: &str) -> impl FnOnce(E) -> ClusterError + '_ {
    move |e| ClusterError(format!("{what}: {e}"))
}

/// The stream's limits: when it holds this much, publishing waits (back-pressure:
/// discard policy `new`, so nothing stored is ever dropped).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Bytes.
    pub max_bytes: i64,
    /// Messages.
    pub max_messages: i64,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            max_bytes: 1 << 30,
            max_messages: 10_000_000,
        }
    }
}

/// One listing on the wire, with what `patrol` takes from its options: the patrolling
/// agency (`--org`, as written: id, case prefix or name), the platform (`--platform`;
/// `None`: the listing's own `platform` field) and the lowest level that becomes a lead.
/// The worker resolves the names against the record, as `patrol` does.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Envelope<L> {
    /// The patrolling agency.
    pub org: String,
    /// The platform, when given for the whole input.
    pub platform: Option<String>,
    /// `low`, `medium` or `high`.
    pub min_level: String,
    /// Line of the input (reported with a refusal).
    pub line: u64,
    /// When it was published (milliseconds since 1970): the worker measures the latency
    /// from publish to stored lead.
    pub sent_ms: i64,
    /// The listing.
    pub listing: L,
}

/// The level a lead starts at, by name.
pub fn level_name(l: Level) -> &'static str {
    l.as_str()
}

/// The level named `s` (`low`, `medium`, `high`).
pub fn parse_level(s: &str) -> Option<Level> {
    match s {
        "low" => Some(Level::Low),
        "medium" => Some(Level::Medium),
        "high" => Some(Level::High),
        _ => None,
    }
}

/// FNV-1a (64 bits): a hash that is the same on every machine and every build.
pub fn fnv1a(s: &str) -> u64 {
    let mut h = 0xcbf2_9ce4_8422_2325_u64;
    for b in s.bytes() {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    h
}

/// The subject a listing is published on: `wangjian.listings.P.NN`, P the platform's
/// name hashed (`none` when neither `--platform` nor the listing names one), NN the
/// listing id's hash modulo [`SHARDS`].
pub fn subject(platform: Option<&str>, listing_id: &str) -> String {
    let p = match platform.map(str::trim).filter(|p| !p.is_empty()) {
        Some(p) => format!("p{:016x}", fnv1a(p)),
        None => "none".to_string(),
    };
    format!("{SUBJECT_PREFIX}.{p}.{:02}", fnv1a(listing_id) % SHARDS)
}

/// The message id of an envelope (its content without the publish time): a publish
/// retried after a lost acknowledgement is dropped by the stream within
/// [`DUPLICATE_WINDOW`]; after it, the store's idempotence keeps the record the same.
pub fn message_id(e: &Envelope<&Listing>) -> Result<String, ClusterError> {
    let key = serde_json::to_vec(&(&e.org, &e.platform, &e.min_level, e.listing))
        .map_err(fail("encoding a listing"))?;
    Ok(uuid::Uuid::new_v5(&uuid::Uuid::NAMESPACE_OID, &key).to_string())
}

/// Connects to NATS at `url`, retrying the first connection and every lost one, and
/// returns once connected: requests made on a client still waiting for its first
/// connection never got their answers (async-nats 0.46 with NATS 2.9).
pub async fn connect(url: &str) -> Result<async_nats::Client, ClusterError> {
    let client = async_nats::ConnectOptions::new()
        .retry_on_initial_connect()
        .max_reconnects(None)
        .name("wangjian")
        .connect(url)
        .await
        .map_err(fail(&format!("connecting to NATS at {url}")))?;
    while client.connection_state() != async_nats::connection::State::Connected {
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    Ok(client)
}

/// The listing stream, created with `limits` when missing (an existing stream keeps its
/// own).
pub async fn ensure_stream(
    js: &jetstream::Context,
    limits: Limits,
) -> Result<stream::Stream, ClusterError> {
    js.get_or_create_stream(stream::Config {
        name: STREAM.to_string(),
        description: Some("wangjian: listings to patrol".to_string()),
        subjects: vec![format!("{SUBJECT_PREFIX}.>")],
        retention: stream::RetentionPolicy::WorkQueue,
        discard: stream::DiscardPolicy::New,
        max_bytes: limits.max_bytes,
        max_messages: limits.max_messages,
        storage: stream::StorageType::File,
        duplicate_window: DUPLICATE_WINDOW,
        ..Default::default()
    })
    .await
    .map_err(fail("creating the listing stream"))
}

/// The workers' durable consumer, created when missing with `ack_wait` (an existing one
/// keeps its own).
pub async fn ensure_consumer(
    stream: &stream::Stream,
    ack_wait: Duration,
) -> Result<consumer::Consumer<consumer::pull::Config>, ClusterError> {
    stream
        .get_or_create_consumer(
            CONSUMER,
            consumer::pull::Config {
                durable_name: Some(CONSUMER.to_string()),
                description: Some("wangjian patrol workers".to_string()),
                ack_policy: consumer::AckPolicy::Explicit,
                ack_wait,
                max_deliver: -1,
                max_ack_pending: 200_000,
                ..Default::default()
            },
        )
        .await
        .map_err(fail("creating the workers' consumer"))
}

/// A KV bucket, created when missing. The bucket's stream is made here (the settings
/// `create_key_value` would give it) because that call first reads the account's
/// JetStream info, whose answer from a NATS 2.9 server this client cannot parse.
pub async fn ensure_bucket(
    js: &jetstream::Context,
    bucket: &str,
    max_age: Duration,
) -> Result<kv::Store, ClusterError> {
    if let Ok(kv) = js.get_key_value(bucket).await {
        return Ok(kv);
    }
    js.get_or_create_stream(stream::Config {
        name: format!("KV_{bucket}"),
        description: Some(format!("wangjian: {bucket}")),
        subjects: vec![format!("$KV.{bucket}.>")],
        max_messages_per_subject: 1,
        max_age,
        storage: stream::StorageType::File,
        allow_rollup: true,
        deny_delete: true,
        allow_direct: true,
        discard: stream::DiscardPolicy::New,
        num_replicas: 1,
        ..Default::default()
    })
    .await
    .map_err(fail(&format!("creating the KV bucket {bucket}")))?;
    js.get_key_value(bucket)
        .await
        .map_err(fail(&format!("opening the KV bucket {bucket}")))
}

/// Milliseconds since 1970 now.
pub fn now_ms() -> i64 {
    chrono::Utc::now().timestamp_millis()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn subjects_are_partitioned_by_platform_and_listing() {
        let a = subject(Some("云集"), "YJ-1");
        assert!(a.starts_with("wangjian.listings.p"), "{a}");
        assert_eq!(a, subject(Some(" 云集 "), "YJ-1"), "stable, trimmed");
        assert_ne!(
            a.rsplit_once('.').unwrap().0,
            subject(Some("淘宝"), "YJ-1").rsplit_once('.').unwrap().0
        );
        assert!(subject(None, "x").starts_with("wangjian.listings.none."));
        let shards: std::collections::BTreeSet<String> = (0..500)
            .map(|i| subject(Some("云集"), &format!("YJ-{i}")))
            .collect();
        assert_eq!(shards.len() as u64, SHARDS, "every shard used");
        // The hash is FNV-1a: fixed values, the same on every machine.
        assert_eq!(fnv1a(""), 0xcbf2_9ce4_8422_2325);
        assert_eq!(fnv1a("a"), 0xaf63_dc4c_8601_ec8c);
    }

    #[test]
    fn the_message_id_ignores_the_publish_time() {
        let l = Listing {
            id: "1".into(),
            title: "耐克".into(),
            ..Listing::default()
        };
        let e = |sent_ms, org: &str| Envelope {
            org: org.into(),
            platform: None,
            min_level: "medium".into(),
            line: 1,
            sent_ms,
            listing: &l,
        };
        assert_eq!(
            message_id(&e(1, "a")).unwrap(),
            message_id(&e(2, "a")).unwrap()
        );
        assert_ne!(
            message_id(&e(1, "a")).unwrap(),
            message_id(&e(1, "b")).unwrap()
        );
        for l in [Level::Low, Level::Medium, Level::High] {
            assert_eq!(parse_level(level_name(l)), Some(l));
        }
        assert_eq!(parse_level("none"), None);
    }
}
