//! Publishing listings to the stream, acknowledgements pipelined: up to `in_flight`
//! publishes wait for their acknowledgement at once. A publish the stream refuses (full:
//! its discard policy is `new`) or whose acknowledgement does not come (NATS away) goes
//! back in the queue with the same message id, and publishing pauses — a pause that
//! grows from 100 ms to 5 s while failures continue — so the publisher waits for room
//! instead of dropping anything.

use std::collections::VecDeque;
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

/// Publishes envelopes with pipelined acknowledgements.
pub struct Publisher {
    js: jetstream::Context,
    in_flight: JoinSet<(Pending, Result<bool, String>)>,
    max_in_flight: usize,
    queue: VecDeque<Pending>,
    pause: Duration,
    paused_until: Option<Instant>,
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
        let client = connect(url).await?;
        let in_flight = in_flight.max(1);
        let js = jetstream::ContextBuilder::new()
            .timeout(Duration::from_secs(5))
            .max_ack_inflight(in_flight + 16)
            .backpressure_on_inflight(true)
            .build(client);
        ensure_stream(&js, limits).await?;
        Ok(Self {
            js,
            in_flight: JoinSet::new(),
            max_in_flight: in_flight,
            queue: VecDeque::new(),
            pause: FIRST_PAUSE,
            paused_until: None,
            last_said: None,
            done: Published::default(),
        })
    }

    /// Publishes one listing; returns once it is sent (its acknowledgement may still be
    /// awaited: [`Self::finish`] waits for all).
    pub async fn publish(&mut self, e: &Envelope<&Listing>) -> Result<(), ClusterError> {
        let payload = serde_json::to_vec(e).map_err(fail("encoding a listing"))?;
        let platform = e.platform.as_deref().or(e.listing.platform.as_deref());
        self.queue.push_back(Pending {
            subject: subject(platform, &e.listing.id),
            id: message_id(e)?,
            payload: payload.into(),
        });
        self.pump().await;
        Ok(())
    }

    /// Waits until every listing published is acknowledged; returns the counts.
    pub async fn finish(&mut self) -> Published {
        loop {
            self.pump().await;
            if self.in_flight.is_empty() && self.queue.is_empty() {
                return self.done;
            }
            self.reap().await;
        }
    }

    /// What was done so far.
    pub fn counts(&self) -> Published {
        self.done
    }

    /// Sends what is queued, keeping at most `max_in_flight` unacknowledged.
    async fn pump(&mut self) {
        while let Some(p) = self.queue.pop_front() {
            while self.in_flight.len() >= self.max_in_flight {
                self.reap().await;
            }
            self.send(p).await;
        }
    }

    async fn send(&mut self, p: Pending) {
        loop {
            if let Some(until) = self.paused_until {
                tokio::time::sleep_until(until).await;
                self.paused_until = None;
            }
            let msg = PublishMessage::build()
                .payload(p.payload.clone())
                .message_id(&p.id);
            match self.js.send_publish(p.subject.clone(), msg).await {
                Ok(ack) => {
                    self.in_flight.spawn(async move {
                        let r = ack.await.map(|a| a.duplicate).map_err(|e| {
                            match e.kind() {
                                PublishErrorKind::TimedOut => "no acknowledgement".to_string(),
                                _ => e.to_string(),
                            }
                        });
                        (p, r)
                    });
                    return;
                }
                Err(e) => self.failed(&e.to_string()),
            }
        }
    }

    /// Takes one acknowledgement; a failed publish goes back in the queue.
    async fn reap(&mut self) {
        let Some(joined) = self.in_flight.join_next().await else {
            return;
        };
        match joined {
            Ok((_, Ok(duplicate))) => {
                self.done.acked += 1;
                self.done.duplicates += u64::from(duplicate);
                self.pause = FIRST_PAUSE;
            }
            Ok((p, Err(e))) => {
                self.done.retries += 1;
                self.failed(&e);
                self.queue.push_back(p);
            }
            Err(e) => {
                // A publish task panicked: nothing to retry with; say so (its listing is
                // not acknowledged, so the run cannot claim it).
                eprintln!("wangjian: a publish task failed: {e}");
            }
        }
    }

    /// Pauses publishing after a failure; failures within one pause do not lengthen it.
    fn failed(&mut self, why: &str) {
        let now = Instant::now();
        if self.paused_until.is_some_and(|u| u > now) {
            return;
        }
        self.paused_until = Some(now + self.pause);
        if self
            .last_said
            .is_none_or(|t| now.duration_since(t) > Duration::from_secs(5))
        {
            eprintln!(
                "wangjian: NATS did not take a listing ({why}); waiting {:.1} s and trying again",
                self.pause.as_secs_f64()
            );
            self.last_said = Some(now);
        }
        self.pause = (self.pause * 2).min(MAX_PAUSE);
    }
}
