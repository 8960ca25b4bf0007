//! The verifiable core of the wangjian evidence log (证据固定, 执法全过程记录).
//!
//! What it is for: anyone holding an evidence package must be able to check, offline, that
//! nothing in it was changed and that every entry is part of the agency's append-only log.
//! This crate holds everything that check needs, and nothing else:
//!
//! - [`tree`]: RFC 6962 / RFC 9162 Merkle tree hashing and proof verification;
//! - [`plan`]: roots and proofs at any size from stored *perfect subtrees*, in two pure
//!   steps (plan which nodes, assemble from their hashes), and the [`Frontier`] appender;
//! - [`entry`]: the log entries (evidence captured, audit event, custody) and their
//!   canonical bytes;
//! - [`checkpoint`]: Ed25519 keys and signed tree heads in the signed-note format;
//! - [`blob`]: the content-addressed blob store ([`FsBlobStore`] on disk);
//! - [`package`]: evidence packages and [`verify_package`], the offline check;
//! - [`sample`]: a deterministic sample log and package for tests, benchmarks and demos.
//!
//! What it must never do: talk to a database or the network, read the clock or draw
//! randomness inside a pure function (keys and times are passed in), panic on any input
//! bytes, or change a byte of a documented format without bumping its version
//! (`FORMAT.md` describes every format byte by byte).

#![deny(missing_docs)]

pub mod blob;
pub mod checkpoint;
pub mod entry;
mod hex_serde;
pub mod package;
pub mod plan;
pub mod sample;
pub mod tree;

pub use blob::{BlobError, BlobStore, FsBlobStore, MemoryBlobStore};
pub use checkpoint::{Checkpoint, CheckpointError, Keyring, LogKey, SignedCheckpoint, VerifierKey};
pub use entry::{
    AuditEventEntry, CustodyEntry, CustodyEvent, DecodeError, Entry, EntryKind, EvidenceCaptured,
};
pub use package::{verify_package, Package, PackageBlob, PackageEntry, Problem, Report};

pub use plan::{
    check_heads, prove_consistency, prove_inclusion, root_at, AppendBatch, ConsistencyProof,
    Frontier, InclusionProof, MemoryNodeStore, NodeSource, Plan, TreeError,
};
pub use tree::{
    empty_root, leaf_hash, node_hash, verify_consistency, verify_inclusion, Hash, NodeId,
    ProofError, SizeError,
};
