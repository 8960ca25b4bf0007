//! The detection core of wangjian (网剑): compiles rule packs and marks into an immutable
//! [`Detector`] and scans [`Listing`]s into explained [`Verdict`]s.
//!
//! This crate is pure: it does no I/O (the command line reads files and passes their text),
//! never panics on outside input, and [`Detector::scan`] is deterministic, so a fleet of
//! workers sharing one rule set (keyed by [`Detector::ruleset_version`]) agrees on every
//! listing. It must never learn about files, networks or clocks.
//!
//! # How matching works
//!
//! Every literal pattern — marks and their aliases, the pinyin of Chinese mark names,
//! counterfeit slang, advertising-law terms, prohibited goods, geographical indications,
//! descriptive cues, regulated-category words and the mark category words — goes through
//! [`wangjian_text::normalize`] (full-width, traditional, look-alikes, separators folded),
//! loses its ASCII spaces, and enters **one** `daachorse` automaton with a payload naming
//! what it stands for. A listing's title, description and category are normalized the same
//! way and scanned once, overlapping, on the space-stripped view (so `adi das` still reads
//! `adidas`); Latin hits must start and end on word boundaries of the match form (`lv`
//! matches in `lv包`, not in `lvmh`; digits may follow a word, `iphone15`). Each hit is
//! mapped back through the match form's offset map to the characters the seller wrote.
//! A second automaton over the pinyin projection finds homophones of Chinese mark names
//! (奈克 for 耐克).
//!
//! A mark counts only when the listing fits one of its `categories` (the category field, or
//! a category word in the text), unless it is `well_known` (驰名商标): 新鲜苹果 in 水果 is
//! not Apple. A mark in an authorized shop's listing is not reported at all. A descriptive
//! cue (适用于, compatible with, 专用 …) within `descriptive.window_chars` characters before
//! (or, for after-cues, after) a mark turns it into descriptive use.
//!
//! # Scoring policy
//!
//! Weights come from the data: each term, GI and regulated rule has its own; marks, price
//! anomalies and unauthorized sellers take theirs from `policy.csv`. A descriptive mark keeps
//! `descriptive.mark_factor` of the mark weight.
//!
//! 1. Per reason code: the heaviest reason, plus `score.repeat_factor` × the others, at most
//!    1.5 × the heaviest. `unauthorized_seller` counts only when a reason other than
//!    mark / descriptive use / seller is present.
//! 2. The score is the sum over codes, capped at 100.
//! 3. Floors: a prohibited item, or a (non-descriptive) mark with a counterfeit term of weight
//!    ≥ `strong_term_weight`, makes the score at least `level.high`; a mark with a price
//!    anomaly at least `level.medium`.
//! 4. Caps: with nothing but marks, descriptive use and seller reasons the score stays below
//!    `level.medium` (a mark in an unauthorized shop is no lead by itself); with descriptive
//!    use and no non-descriptive mark it stays below `level.high`.
//! 5. Level: `high` ≥ `level.high`, `medium` ≥ `level.medium`, `low` for any reason, `none`
//!    without reasons.
//!
//! With the default pack: a lone weak term (同款, 代购: 12) is low, a lone strong term
//! (高仿: 45) medium, mark + 高仿 high, mark + price anomaly medium, a prohibited item high.

#![deny(missing_docs)]

mod compiled;
mod detector;
mod fastjson;
mod listing;
mod pack;
mod registry;
mod verdict;

pub use compiled::{CompiledError, FORMAT_VERSION, MAGIC};
pub use detector::{Detector, Stats, LICENSE_KINDS};
pub use listing::{CsvListings, Listing, ListingError, ListingRef, Shop, ShopRef, CSV_COLUMNS};
pub use pack::{
    embedded_pack_files, CuePosition, CueRule, GiRule, NiceClass, Policy, Problem, Problems,
    RegulatedRule, RulePack, Strength, TermRule, PACK_FILES,
};
pub use registry::{merge_marks, parse_marks, read_marks, Mark, MarkRows, ReadOptions, Ymd};
pub use verdict::{Alternative, Code, Field, Level, Reason, Verdict};
