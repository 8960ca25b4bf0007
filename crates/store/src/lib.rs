//! The wangjian system of record: one [`Store`] over SQLite (the embedded default: one
//! file, WAL, foreign keys on) and PostgreSQL (the server), through sqlx.
//!
//! # What it is for
//!
//! Keeping what officers did, and never losing or corrupting it. Every domain
//! [`Change`](wangjian_domain::Change) (the new values and their audit events) is written
//! in **one transaction** by one function, [`Store::apply`]; every mutable row has a
//! `version`, updates are `UPDATE … WHERE id = ? AND version = ?`, and a lost race is a
//! [`StoreError::Conflict`], never a silent overwrite. Machine intake (listings, their
//! snapshots, scan leads) is idempotent: deterministic ids and unique keys make a
//! re-import or re-patrol leave the same rows.
//!
//! # How the two backends share the code
//!
//! Like atuin's server database (one trait, a module per backend) and Quickwit's
//! metastore (one contract suite run on every implementation), but one step further: the
//! SQL is written once (`$1` placeholders, `ON CONFLICT`, `RETURNING`, row values, all of
//! which both databases speak) and the tables are data (`schema.rs`: each column with its
//! type and the domain field it holds). `backend.rs` keeps what differs: connecting,
//! encoding each value (UUID text or `uuid`, fixed-width UTC text or `timestamptz`, JSON
//! text or `jsonb`), migrations, `VACUUM INTO`. The contract suite in `tests.rs` runs every
//! test on both.
//!
//! # What it must never do
//!
//! Decide the rules (the domain crate does), write a value without its audit event,
//! update or delete an audit event (a trigger refuses it), or widen a query's scope:
//! every list takes the organization or region it is for explicitly.
//!
//! # The evidence-log seam
//!
//! Audit events carry a monotonically increasing `seq` (the trail's order). The one
//! place they are written is `write::append_audit`; it appends the same events (and the
//! custody entries of seized goods) to the evidence log (`log.rs`, the Merkle log of crate
//! `ledger`) in the same transaction, so the trail and the log never diverge. On
//! PostgreSQL it takes a transaction-scoped advisory lock first, so `seq` order is commit
//! order (identity values are otherwise handed out before commit) and the log has one
//! appender at a time. Evidence blobs live in the `blobs` table on both backends.

#![deny(missing_docs)]

mod accounts;
mod backend;
#[doc(hidden)]
pub mod bench;
mod board;
mod calendar;
mod cases;
mod complaints;
mod credit;
mod error;
mod export;
mod intake;
mod leads;
mod log;
mod networks;
mod notices;
mod query;
mod registry;
mod reports;
mod schema;
mod value;
mod workflow_reads;
mod write;

#[cfg(test)]
mod tests;

pub use accounts::{AccountEvent, StoredAccountEvent};
pub use backend::Backend;
pub use board::{LeadCount, SupervisionOrder, MAX_PERIODS};
pub use calendar::{NoticeLoaded, Recalculated, StoredNotice};
pub use cases::CaseNumberRequest;
pub use complaints::BlobInput;
pub use credit::DisclosureQuery;
pub use error::StoreError;
pub use intake::{
    reason_bit, BatchOutcome, IngestOutcome, LeadScan, ListingInput, ScanLead, ShopInput,
};
pub use leads::{is_lead_cursor, LeadDetail, LeadQuery, LeadRow, LeadScope};
pub use log::{
    load_or_create_key, write_private_key, Appended, Capture, Captured, LogReport, StoredKey,
    TreeHead,
};
pub use networks::{EvidenceOrder, GroupFilter, IdentifierRow, ShopLead, StoredIdentifier};
pub use notices::{NoticeQuery, NoticeTarget, WeekCounts};
pub use query::{CaseQuery, Cursor, Page, Scope, StoredEvent};
pub use registry::ApiToken;
pub use reports::{
    DecidedPenalty, HandlingCounts, ProgressCase, SentNotice, StepCount, COUNTED_STEPS,
};
pub use workflow_reads::{AssistDirection, AssistQuery};
pub use write::Written;
pub use write::{Applied, Record};

use backend::Pool;

/// The store: a pool of connections to one database. Cheap to clone (share it between
/// tasks); every method is one or a few transactions.
#[derive(Debug, Clone)]
pub struct Store {
    pool: Pool,
}

impl Store {
    /// Opens the database at `url` and brings its schema up to date (creating it on first
    /// use). `url` is `sqlite:PATH` (the file is created when missing), `sqlite::memory:`
    /// (one connection, gone when the store is dropped) or `postgres://…`.
    pub async fn open(url: &str) -> Result<Store, StoreError> {
        let store = Store::connect(url).await?;
        store.migrate().await?;
        Ok(store)
    }

    /// Opens the database without migrating (for `db migrate`, which reports what it did).
    pub async fn connect(url: &str) -> Result<Store, StoreError> {
        Ok(Store {
            pool: Pool::connect(url).await?,
        })
    }

    /// Applies the migrations the database lacks, in order, each in its own transaction;
    /// returns the versions applied (empty when up to date). Safe to run concurrently.
    pub async fn migrate(&self) -> Result<Vec<i64>, StoreError> {
        self.pool.migrate().await
    }

    /// Which database this is.
    pub fn backend(&self) -> Backend {
        self.pool.backend()
    }

    /// Closes every connection (waits for running statements).
    pub async fn close(&self) {
        self.pool.close().await
    }
}
