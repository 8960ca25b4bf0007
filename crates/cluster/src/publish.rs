//! Publishing listings to the stream, acknowledgements pipelined: listings go out in
//! windows of `in_flight` publishes sent back to back, whose acknowledgements are then
//! awaited together. The publishes of a window the stream refused (full: its discard
//! policy is `new`) or left unacknowledged (NATS away) are sent again, with the same
//! message ids, after a pause growing from 100 ms to 5 s, on a new connection (after NATS
//! restarts, the old connection's replies were seen never to arrive): the publisher
//! waits for room or for NATS instead of dropping anything.

use std::time::Duration;

use async_nats::jetstream::{self, context::PublishErrorKind, message::PublishMessage};
use bytes::Bytes;
use tokio::task::JoinSet;
use tokio::time::Instant;
use wangjian_detect::Listing;

use crate::{connect, ensure_stream, fail, message_id, subject, ClusterError, Envelope, Limits};

/// The first pause after a failed publish.
const FIRST_PAUSE: Duration = Duration::from_millis(100);
/// The longest pause.
const MAX_PAUSE: Duration = Duration::from_secs(5);

#[derive(Debug, Clone)]
struct Pending {
    subject: String,
    id: String,
    payload: Bytes,
}

/// What a publisher did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Published {
    /// Listings the stream acknowledged (a repeat it dropped as a duplicate included).
    pub acked: u64,
    /// Of those, repeats the stream recognised by their message id.
    pub duplicates: u64,
    /// Publishes tried again after a refusal or a lost acknowledgement.
    pub retries: u64,
}

/// A JetStream context on a new connection to `url`, awaiting at most `in_flight`
/// acknowledgements (more publishes wait for room).
async fn context(url: &str, in_flight: usize) -> Result<jetstream::Context, ClusterError> {
    let client = connect(url).await?;
    Ok(jetstream::ContextBuilder::new()
        .timeout(Duration::from_secs(5))
        .max_ack_inflight(in_flight + 16)
        .backpressure_on_inflight(true)
        .build(client))
}

/// Publishes envelopes with pipelined acknowledgements.
pub struct Publisher {
    url: String,
    js: jetstream::Context,
    window: Vec<Pending>,
    max_in_flight: usize,
    pause: Duration,
    last_said: Option<Instant>,
    done: Published,
}

impl Publisher {
    /// Connects to `url` and makes sure the stream exists (created with `limits` when
    /// missing); at most `in_flight` acknowledgements are awaited at once.
    pub async fn connect(
        url: &str,
        limits: Limits,
        in_flight: usize,
    ) -> Result<Self, ClusterError> {
        let in_flight = in_flight.max(1);
        let js = context(url, in_flight).await?;
        ensure_stream(&js, limits).await?;
        Ok(Self {
            url: url.to_string(),
            js,
            window: Vec::with_capacity(in_flight),
            max_in_flight: in_flight,
            pause: FIRST_PAUSE,
            last_said: None,
            done: Published::default(),
        })
    }

    /// Publishes one listing; the window it joins is sent when full ([`Self::finish`]
    /// sends the last one and waits for every acknowledgement).
    pub async fn publish(&mut self, e: &Envelope<&Listing>) -> Result<(), ClusterError> {
        let payload = serde_json::to_vec(e).map_err(fail("encoding a listing"))?;
        let platform = e.platform.as_deref().or(e.listing.platform.as_deref());
        self.window.push(Pending {
            subject: subject(platform, &e.listing.id),
            id: message_id(e)?,
            payload: payload.into(),
        });
        if self.window.len() >= self.max_in_flight {
            self.flush().await;
        }
        Ok(())
    }

    /// Sends what is left and waits until every listing published is acknowledged;
    /// returns the counts.
    pub async fn finish(&mut self) -> Published {
        self.flush().await;
        self.done
    }

    /// What was done so far.
    pub fn counts(&self) -> Published {
        self.done
    }

    /// Sends the window and awaits its acknowledgements, sending the failed ones again
    /// until none is left.
    async fn flush(&mut self) {
        let mut todo = std::mem::take(&mut self.window);
        while !todo.is_empty() {
            let mut acks = JoinSet::new();
            let mut failed = Vec::new();
            let mut why = None;
            let mut rest = todo.into_iter();
            for p in rest.by_ref() {
                let msg = PublishMessage::build()
                    .payload(p.payload.clone())
                    .message_id(&p.id);
                match self.js.send_publish(p.subject.clone(), msg).await {
                    Ok(ack) => {
                        acks.spawn(async move {
                            let r = ack.await.map(|a| a.duplicate).map_err(|e| match e.kind() {
                                PublishErrorKind::TimedOut => "no acknowledgement".to_string(),
                                _ => e.to_string(),
                            });
                            (p, r)
                        });
                    }
                    Err(e) => {
                        why = Some(e.to_string());
                        failed.push(p);
                        break;
                    }
                }
            }
            failed.extend(rest);
            while let Some(joined) = acks.join_next().await {
                match joined {
                    Ok((_, Ok(duplicate))) => {
                        self.done.acked += 1;
                        self.done.duplicates += u64::from(duplicate);
                    }
                    Ok((p, Err(e))) => {
                        why.get_or_insert(e);
                        failed.push(p);
                    }
                    Err(e) => eprintln!("wangjian: a publish task failed: {e}"),
                }
            }
            if failed.is_empty() {
                self.pause = FIRST_PAUSE;
                return;
            }
            self.done.retries += failed.len() as u64;
            self.wait(why.as_deref().unwrap_or("?")).await;
            todo = failed;
        }
    }

    /// Pauses after a failed window, then connects anew.
    async fn wait(&mut self, why: &str) {
        let now = Instant::now();
        if self
            .last_said
            .is_none_or(|t| now.duration_since(t) > Duration::from_secs(5))
        {
            eprintln!(
                "wangjian: NATS did not take every listing ({why}); waiting {:.1} s and trying again",
                self.pause.as_secs_f64()
            );
            self.last_said = Some(now);
        }
        tokio::time::sleep(self.pause).await;
        self.pause = (self.pause * 2).min(MAX_PAUSE);
        if let Ok(js) = context(&self.url, self.max_in_flight).await {
            self.js = js;
        }
    }
}
