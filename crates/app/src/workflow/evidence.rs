//! Evidence (证据): a saved snapshot (a page's HTML, a screenshot, the JSON the scan saw)
//! captured for a case — its bytes into the content-addressed blob store, an
//! `evidence_captured` entry into the evidence log, in one transaction. Adding evidence is
//! a change to the case: the case's write rule.

use wangjian_domain::{CaseId, ListingId};
use wangjian_store::Captured;

use crate::error::AppError;
use crate::policy::{decide, Action, Resource};
use crate::{App, Call};

/// Longest media type, in bytes.
pub const MAX_MEDIA_TYPE: usize = 100;

/// Is `s` a media type (`type/subtype`, optional parameters) of printable ASCII?
pub fn valid_media_type(s: &str) -> bool {
    let essence = s.split(';').next().unwrap_or("").trim();
    let token = |t: &str| {
        !t.is_empty()
            && t.bytes()
                .all(|b| b.is_ascii_alphanumeric() || b"!#$&-^_.+".contains(&b))
    };
    s.len() <= MAX_MEDIA_TYPE
        && s.bytes().all(|b| (0x20..0x7f).contains(&b))
        && essence
            .split_once('/')
            .is_some_and(|(t, sub)| token(t) && token(sub))
}

/// One file to capture.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewEvidence {
    /// The bytes.
    pub bytes: Vec<u8>,
    /// Media type (`text/html`, `image/png`).
    pub media_type: String,
    /// What it shows: the URL it was saved from, or the file name.
    pub source: String,
    /// The listing it is a snapshot of.
    pub listing: Option<ListingId>,
}

impl App {
    /// Captures `e` as evidence of case `id` for the caller.
    pub async fn capture_evidence(
        &self,
        call: &Call,
        id: CaseId,
        e: NewEvidence,
    ) -> Result<Captured, AppError> {
        let m = call.member()?;
        let (file, _) = self.writable_case(call, id).await?;
        if e.bytes.is_empty() {
            return Err(AppError::invalid("file", "the file is empty"));
        }
        if !valid_media_type(&e.media_type) {
            return Err(AppError::invalid(
                "media_type",
                "not a media type like image/png",
            ));
        }
        if e.source.trim().is_empty() {
            return Err(AppError::invalid(
                "source",
                "name what the snapshot shows (its URL or file name)",
            ));
        }
        // The log entry names the listing for good: it must be one the store holds and
        // the caller may see (an unknown id and one not theirs to see answer alike).
        if let Some(l) = e.listing {
            let seen = match self.store().latest_snapshot(l).await? {
                Some(snap) => decide(
                    &call.principal,
                    Action::Read,
                    &Resource::Listing {
                        platform: snap.platform,
                    },
                )
                .is_allow(),
                None => false,
            };
            if !seen {
                return Err(AppError::invalid("listing", "no such listing"));
            }
        }
        Ok(self
            .store()
            .capture(wangjian_store::Capture {
                bytes: e.bytes,
                media_type: e.media_type,
                source: e.source,
                case: Some(file.case.id.0),
                listing: e.listing.map(|l| l.0),
                captured_by: m.actor.user.0,
                org: m.actor.org.0,
                at: call.now,
            })
            .await?)
    }
}
