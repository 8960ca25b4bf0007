//! Fixtures shared by the integration tests.

#![allow(dead_code)]

pub mod session;
pub mod world;

use std::pin::Pin;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::task::{Context, Poll};

use axum::body::{Body, Bytes};

/// A request body of `total` bytes (`head`, then `fill` repeated) that counts the bytes
/// the server takes from it, 64 KiB at a time: the proof that a refused request was
/// refused before its body was read.
struct CountingBody {
    left: usize,
    head: Vec<u8>,
    fill: Vec<u8>,
    taken: Arc<AtomicUsize>,
}

impl http_body::Body for CountingBody {
    type Data = Bytes;
    type Error = std::convert::Infallible;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        _: &mut Context<'_>,
    ) -> Poll<Option<Result<http_body::Frame<Bytes>, Self::Error>>> {
        const CHUNK: usize = 64 * 1024;
        if self.left == 0 {
            return Poll::Ready(None);
        }
        let n = self.left.min(CHUNK);
        self.left -= n;
        let mut chunk = std::mem::take(&mut self.head);
        while chunk.len() < n {
            chunk.extend_from_slice(&self.fill);
        }
        chunk.truncate(n);
        self.taken.fetch_add(n, Ordering::SeqCst);
        Poll::Ready(Some(Ok(http_body::Frame::data(chunk.into()))))
    }
}

/// A counting body (see [`CountingBody`]) and its counter.
pub fn counting(total: usize, head: &[u8], fill: &[u8]) -> (Body, Arc<AtomicUsize>) {
    let taken = Arc::new(AtomicUsize::new(0));
    let body = CountingBody {
        left: total,
        head: head.to_vec(),
        fill: fill.to_vec(),
        taken: taken.clone(),
    };
    (Body::new(body), taken)
}

/// Bytes taken so far.
pub fn taken(counter: &AtomicUsize) -> usize {
    counter.load(Ordering::SeqCst)
}
