//! Screening subjects against a list — a blacklist for joint punishment (失信联合惩戒), a
//! published export of serious violators — as a platform or another agency must before it
//! deals with them: which listed subjects is this candidate, or is it linked to?
//!
//! Candidates and list entries are [`Record`]s: an id, a name (and aliases, former
//! names), and identifiers (USCC, citizen id, phone, shop id, domain), any subset. The
//! answer for one candidate is a [`Screening`]: the listed subjects that match, best first,
//! each with a score in [0, 1], a [`Decision`] (`match` or `possible`), a [`Relation`]
//! (`same`, or `related` as a branch, parent, sibling branch or subdomain) and the
//! evidence it rests on ([`Evidence`]: which fields, how, with what weight, and the
//! conflicts that lowered it).
//!
//! Two stages, as OpenSanctions' yente does it, built for Chinese enterprise names:
//!
//! 1. **Retrieve** broadly ([`Index`]): identifiers normalized ([`normalize_ident`]) and
//!    looked up exactly; names taken apart ([`analyze_name`]: match-form folding,
//!    brackets, branch, organization form and divisions set aside as evidence, trade name
//!    and industry words split) and their cores looked up in an inverted index of
//!    character bigrams weighted by inverse frequency.
//! 2. **Score** each retrieved entry with explainable features (module `score`: the
//!    weights, the conflicts, how they combine). Every weight can be overridden
//!    ([`Weights`]), and entries an officer ruled false positives excluded
//!    ([`Exclusions`]), per call ([`Options`]).
//!
//! An index is built from any iterator of entries ([`Index::build`], [`IndexBuilder`]): a
//! JSON Lines file in the CLI, the blacklist's rows in a store. Build it once, then screen
//! from any number of threads (`Index` is `Sync`); save it as bytes and open it again
//! without re-analyzing ([`Index::to_bytes`], [`Index::from_bytes`]; layout in module
//! `format`).
//!
//! This crate must never do I/O (no files, sockets, clock or randomness: hashes use fixed
//! seeds, so every answer is the same on every run), never panic on any input, and never
//! report a match without the evidence for it. It must not decide that a related subject
//! (a branch) is the listed one: a branch is not its parent (《企业名称登记管理规定》; a
//! branch has its own USCC), and the answer says which it is.
//!
//! Personal data: the evidence never repeats identifier values (citizen ids and phone
//! numbers are personal data); names are repeated as listed.

#![deny(missing_docs)]

mod format;
mod ident;
mod index;
mod name;
mod record;
mod score;
mod similarity;
mod words;

pub use format::{FormatError, FORMAT_VERSION};
pub use ident::{normalize_ident, Ident, IdentKind};
pub use index::{
    EntryError, Index, IndexBuilder, IndexStats, MAX_POSTINGS_SHARE, MAX_TEXT_BYTES, MIN_SHARE,
};
pub use name::{analyze_name, BranchPart, NameParts, RegionPart};
pub use record::{NameVia, Record};
pub use score::{
    Conflict, Decision, Evidence, Exclusions, IdentEvidence, Match, NameEvidence, Options,
    RelatedAs, Relation, Screening, SetAside, Weights,
};
pub use similarity::similarity;
pub use words::{embedded_data_problems, FormKind};
