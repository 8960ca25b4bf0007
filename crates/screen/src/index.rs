//! The list, indexed for the first stage: exact identifiers in one sorted table of
//! hashes, and the names' cores in an inverted index of character bigrams.
//!
//! Retrieval for one candidate name: its core's bigrams (a one-character core is its own
//! key), each weighted by an inverse document frequency `ln(1 + N / df)`, rarest first;
//! the postings of each are added up per listed name, skipping bigrams so common that
//! they say little (more than [`MAX_POSTINGS_SHARE`] of all names, e.g. 科技 in a list of
//! tech firms) once a rarer one has been read. Names reaching at least [`MIN_SHARE`] of
//! the candidate's total weight are ranked and the best [`crate::Options::retrieve`] go to
//! the scorer, with every entry that shares an identifier.

use std::cell::RefCell;
use std::collections::HashMap;
use std::hash::{BuildHasher, Hash, Hasher};

use foldhash::fast::FixedState;
use rayon::prelude::*;

use crate::ident::{Ident, IdentKind};
use crate::name::{analyze_name, NameParts};
use crate::record::{NameVia, Record};
use crate::score::{
    name_score, Conflict, Decision, Evidence, IdentEvidence, Match, NameEvidence, NameScore,
    NameView, Options, Prepared, RelatedAs, Relation, Screening, SetAside, Weights,
};
use crate::words::FormKind;

/// A bigram read last when more than this share of the names carry it.
pub const MAX_POSTINGS_SHARE: f64 = 0.02;
/// Share of a candidate name's bigram weight a listed name must reach to be scored.
pub const MIN_SHARE: f32 = 0.2;

/// Why a record cannot be a list entry.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EntryError {
    /// No `id`.
    #[error("a list entry needs an \"id\"")]
    MissingId,
    /// Neither a name nor an identifier.
    #[error("entry {0:?} has no name and no identifier to match on")]
    Blank(String),
    /// The list's text passed [`MAX_TEXT_BYTES`]: split the list.
    #[error("entry {0:?} does not fit: a list holds at most {MAX_TEXT_BYTES} bytes of text")]
    TooLarge(String),
}

/// The most text (ids, names, identifiers) one index holds: its offsets are `u32`, with
/// room to spare for former names found in brackets.
pub const MAX_TEXT_BYTES: usize = (u32::MAX / 2) as usize;

/// A range of one of the index's flat arrays.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct Span {
    pub(crate) start: u32,
    pub(crate) len: u32,
}

impl Span {
    fn range(self) -> std::ops::Range<usize> {
        self.start as usize..self.start as usize + self.len as usize
    }

    /// True when the span lies within an array of `len` elements.
    pub(crate) fn fits(self, len: usize) -> bool {
        (self.start as u64 + self.len as u64) <= len as u64
    }
}

/// Appends `items` to `arena` and returns where they went. Offsets are `u32`: an index
/// holds up to 4 Gi characters of text and of cores (1 000 000 entries use about 100 MB
/// and 10 M); [`IndexBuilder::add`] refuses entries past [`MAX_TEXT_BYTES`].
fn push_span<T: Clone>(arena: &mut Vec<T>, items: &[T]) -> Span {
    let start = arena.len() as u32;
    arena.extend_from_slice(items);
    Span {
        start,
        len: items.len() as u32,
    }
}

fn push_str(arena: &mut String, s: &str) -> Span {
    let start = arena.len() as u32;
    arena.push_str(s);
    Span {
        start,
        len: s.len() as u32,
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct EntryRec {
    pub(crate) id: Span,
    /// Index of its first name in `names` (its names run to the next entry's first).
    pub(crate) first_name: u32,
    /// Index of its first identifier in `idents`.
    pub(crate) first_ident: u32,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct IdentRec {
    pub(crate) kind: IdentKind,
    pub(crate) valid: bool,
    pub(crate) value: Span,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct NameRec {
    pub(crate) entry: u32,
    pub(crate) via: NameVia,
    /// The name as listed, in `text`.
    pub(crate) raw: Span,
    /// Trade name + industry words, in `chars`.
    pub(crate) core: Span,
    pub(crate) trade_len: u32,
    /// Division codes, in `regions`.
    pub(crate) regions: Span,
    pub(crate) form: Option<FormKind>,
    /// A branch's label, in `chars`.
    pub(crate) branch: Option<Span>,
}

/// Collects list entries, merging those with the same id, then builds the [`Index`].
#[derive(Default)]
pub struct IndexBuilder {
    records: Vec<Record>,
    by_id: HashMap<String, usize>,
    merged: usize,
    bytes: usize,
}

impl IndexBuilder {
    /// An empty builder.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds one entry. An entry whose id was seen before is merged into the first (its
    /// name becomes an alias, its identifiers are added): a list may name one subject on
    /// several lines, one per decision.
    pub fn add(&mut self, entry: Record) -> Result<(), EntryError> {
        let Some(id) = entry.id.clone() else {
            return Err(EntryError::MissingId);
        };
        if entry.is_blank() {
            return Err(EntryError::Blank(id));
        }
        let bytes = id.len()
            + entry.names().map(|(_, n)| n.len()).sum::<usize>()
            + IdentKind::ALL
                .iter()
                .flat_map(|&k| entry.raw_idents(k))
                .map(String::len)
                .sum::<usize>();
        if self.bytes + bytes > MAX_TEXT_BYTES {
            return Err(EntryError::TooLarge(id));
        }
        self.bytes += bytes;
        match self.by_id.get(&id) {
            Some(&i) => {
                self.merged += 1;
                let into = &mut self.records[i];
                match (&into.name, entry.name) {
                    (None, n) => into.name = n,
                    (Some(a), Some(b)) if *a != b => into.aliases.push(b),
                    _ => {}
                }
                into.aliases.extend(entry.aliases);
                into.former_names.extend(entry.former_names);
                into.uscc.extend(entry.uscc);
                into.citizen_id.extend(entry.citizen_id);
                into.phone.extend(entry.phone);
                into.shop_id.extend(entry.shop_id);
                into.domain.extend(entry.domain);
            }
            None => {
                self.by_id.insert(id, self.records.len());
                self.records.push(entry);
            }
        }
        Ok(())
    }

    /// Entries so far (after merging).
    pub fn len(&self) -> usize {
        self.records.len()
    }

    /// True when no entry was added.
    pub fn is_empty(&self) -> bool {
        self.records.is_empty()
    }

    /// Builds the index, analyzing names on all cores (rayon).
    pub fn build(self) -> Index {
        let merged = self.merged as u64;
        type Analyzed = (String, Vec<(NameVia, Box<str>, Prepared)>, Vec<Ident>);
        let analyzed: Vec<Analyzed> = self
            .records
            .into_par_iter()
            .map(|r| {
                let names = prepare_names(&r)
                    .into_iter()
                    .map(|(via, raw, prep, _)| (via, raw, prep))
                    .collect();
                let idents = r.idents();
                (r.id.unwrap_or_default(), names, idents)
            })
            .collect();
        let mut ix = Index {
            merged,
            ..Index::default()
        };
        ix.entries.reserve(analyzed.len());
        ix.names.reserve(analyzed.len());
        for (i, (id, names, idents)) in analyzed.into_iter().enumerate() {
            let id = push_str(&mut ix.text, &id);
            ix.entries.push(EntryRec {
                id,
                first_name: ix.names.len() as u32,
                first_ident: ix.idents.len() as u32,
            });
            for ident in idents {
                let value = push_str(&mut ix.text, &ident.value);
                ix.idents.push(IdentRec {
                    kind: ident.kind,
                    valid: ident.valid,
                    value,
                });
            }
            for (via, raw, prep) in names {
                let raw = push_str(&mut ix.text, &raw);
                let core = push_span(&mut ix.chars, &prep.core);
                let regions = push_span(&mut ix.regions, &prep.regions);
                let branch = prep.branch.as_ref().map(|b| push_span(&mut ix.chars, b));
                ix.names.push(NameRec {
                    entry: i as u32,
                    via,
                    raw,
                    core,
                    trade_len: u32::from(prep.trade_len),
                    regions,
                    form: prep.form,
                    branch,
                });
            }
        }

        let mut pairs: Vec<(u64, u32)> = (0..ix.names.len())
            .into_par_iter()
            .flat_map_iter(|i| {
                let core = ix.chars_of(ix.names[i].core);
                bigrams(core).into_iter().map(move |k| (k, i as u32))
            })
            .collect();
        pairs.par_sort_unstable();
        ix.postings.reserve(pairs.len());
        ix.offsets.push(0);
        for (i, &(key, name)) in pairs.iter().enumerate() {
            if i > 0 && pairs[i - 1].0 != key {
                ix.keys.push(pairs[i - 1].0);
                ix.offsets.push(ix.postings.len() as u32);
            }
            ix.postings.push(name);
        }
        if let Some(&(key, _)) = pairs.last() {
            ix.keys.push(key);
            ix.offsets.push(ix.postings.len() as u32);
        }
        drop(pairs);

        let mut hashes: Vec<(u64, u32)> = ix
            .entries
            .iter()
            .enumerate()
            .flat_map(|(e, _)| {
                let ix = &ix;
                ix.idents_of(e as u32)
                    .iter()
                    .map(move |id| (ident_hash(id.kind, ix.str_of(id.value)), e as u32))
            })
            .collect();
        hashes.par_sort_unstable();
        hashes.dedup();
        ix.ident_hashes = hashes;
        ix.rebuild_slots();
        ix
    }
}

/// A candidate's or an entry's names, analyzed, with former names found in brackets.
fn prepare_names(r: &Record) -> Vec<(NameVia, Box<str>, Prepared, NameParts)> {
    let mut out = Vec::new();
    for (via, raw) in r.names() {
        let parts = analyze_name(raw);
        for former in &parts.former_names {
            let p = analyze_name(former);
            out.push((
                NameVia::FormerName,
                former.clone().into_boxed_str(),
                Prepared::of(&p),
                p,
            ));
        }
        out.push((via, raw.into(), Prepared::of(&parts), parts));
    }
    out
}

fn ident_hash(kind: IdentKind, value: &str) -> u64 {
    let mut h = FixedState::default().build_hasher();
    kind.tag().hash(&mut h);
    value.hash(&mut h);
    h.finish()
}

/// The distinct bigram keys of a core: two characters packed in 42 bits; a one-character
/// core is its own key.
fn bigrams(core: &[char]) -> Vec<u64> {
    let mut keys: Vec<u64> = match core {
        [] => Vec::new(),
        [c] => vec![u64::from(*c as u32) << 21],
        _ => core
            .windows(2)
            .map(|w| (u64::from(w[0] as u32) << 21) | u64::from(w[1] as u32))
            .collect(),
    };
    keys.sort_unstable();
    keys.dedup();
    keys
}

/// A screening list (a blacklist, a published export), indexed. Built once by
/// [`Index::build`] or an [`IndexBuilder`] from any iterator of entries — a file, a
/// store's rows — and shared by any number of threads; or saved with
/// [`Index::to_bytes`] and opened again with [`Index::from_bytes`] (module `format`).
///
/// Everything lives in a few flat arrays (no allocation per entry), so an index of
/// 1 000 000 entries is a few hundred MB and opens from bytes in well under a second.
#[derive(Default)]
pub struct Index {
    /// Ids, listed names and identifier values, back to back.
    pub(crate) text: String,
    /// Cores and branch labels, back to back.
    pub(crate) chars: Vec<char>,
    /// Division codes of the names.
    pub(crate) regions: Vec<u32>,
    pub(crate) entries: Vec<EntryRec>,
    pub(crate) idents: Vec<IdentRec>,
    pub(crate) names: Vec<NameRec>,
    /// Bigram keys, sorted; the postings of `keys[i]` are
    /// `postings[offsets[i]..offsets[i + 1]]`.
    pub(crate) keys: Vec<u64>,
    pub(crate) offsets: Vec<u32>,
    pub(crate) postings: Vec<u32>,
    /// (hash of kind and value, entry), sorted.
    pub(crate) ident_hashes: Vec<(u64, u32)>,
    pub(crate) merged: u64,
    /// Bigram key → index into `keys` (rebuilt when opened).
    pub(crate) slots: HashMap<u64, u32, FixedState>,
}

/// Per-thread scratch of the retrieval: a score per listed name, and the names touched.
#[derive(Default)]
struct Scratch {
    acc: Vec<f32>,
    touched: Vec<u32>,
}

thread_local! {
    static SCRATCH: RefCell<Scratch> = RefCell::new(Scratch::default());
}

/// Counts describing an index.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct IndexStats {
    /// Entries (distinct ids).
    pub entries: usize,
    /// Lines merged into an entry with the same id.
    pub merged: usize,
    /// Names, aliases and former names indexed.
    pub names: usize,
    /// Distinct bigrams.
    pub bigrams: usize,
    /// Identifiers.
    pub idents: usize,
}

impl Index {
    /// Builds an index from entries; the first entry without an id or without anything
    /// to match on is an error (use an [`IndexBuilder`] to skip such entries instead).
    pub fn build(entries: impl IntoIterator<Item = Record>) -> Result<Index, EntryError> {
        let mut b = IndexBuilder::new();
        for e in entries {
            b.add(e)?;
        }
        Ok(b.build())
    }

    /// Counts of what the index holds.
    pub fn stats(&self) -> IndexStats {
        IndexStats {
            entries: self.entries.len(),
            merged: self.merged as usize,
            names: self.names.len(),
            bigrams: self.keys.len(),
            idents: self.idents.len(),
        }
    }

    pub(crate) fn rebuild_slots(&mut self) {
        let mut slots = HashMap::with_capacity_and_hasher(self.keys.len(), FixedState::default());
        slots.extend(self.keys.iter().enumerate().map(|(i, &k)| (k, i as u32)));
        self.slots = slots;
    }

    fn str_of(&self, s: Span) -> &str {
        self.text.get(s.range()).unwrap_or("")
    }

    fn chars_of(&self, s: Span) -> &[char] {
        self.chars.get(s.range()).unwrap_or(&[])
    }

    fn entry_id(&self, e: u32) -> &str {
        self.entries
            .get(e as usize)
            .map_or("", |r| self.str_of(r.id))
    }

    fn idents_of(&self, e: u32) -> &[IdentRec] {
        let Some(r) = self.entries.get(e as usize) else {
            return &[];
        };
        let end = self
            .entries
            .get(e as usize + 1)
            .map_or(self.idents.len(), |n| n.first_ident as usize);
        self.idents.get(r.first_ident as usize..end).unwrap_or(&[])
    }

    fn entry_names(&self, e: u32) -> std::ops::Range<usize> {
        let Some(r) = self.entries.get(e as usize) else {
            return 0..0;
        };
        let end = self
            .entries
            .get(e as usize + 1)
            .map_or(self.names.len(), |n| n.first_name as usize);
        (r.first_name as usize).min(end)..end
    }

    fn view(&self, n: &NameRec) -> NameView<'_> {
        NameView {
            core: self.chars_of(n.core),
            trade_len: n.trade_len as usize,
            regions: self.regions.get(n.regions.range()).unwrap_or(&[]),
            form: n.form,
            branch: n.branch.map(|b| self.chars_of(b)),
        }
    }

    fn postings_of(&self, key: u64) -> &[u32] {
        let Some(&i) = self.slots.get(&key) else {
            return &[];
        };
        let (Some(&s), Some(&e)) = (
            self.offsets.get(i as usize),
            self.offsets.get(i as usize + 1),
        ) else {
            return &[];
        };
        self.postings.get(s as usize..e as usize).unwrap_or(&[])
    }

    fn entries_with(&self, kind: IdentKind, value: &str, out: &mut Vec<u32>) {
        let h = ident_hash(kind, value);
        let from = self.ident_hashes.partition_point(|p| p.0 < h);
        for &(k, e) in &self.ident_hashes[from..] {
            if k != h {
                break;
            }
            // A hash collision would pair different values: check the value itself.
            if self
                .idents_of(e)
                .iter()
                .any(|i| i.kind == kind && self.str_of(i.value) == value)
            {
                out.push(e);
            }
        }
    }

    /// Listed names whose cores share enough bigrams with `core`, best first.
    fn retrieve(&self, core: &[char], limit: usize, out: &mut Vec<u32>) {
        let keys = bigrams(core);
        if keys.is_empty() || self.names.is_empty() {
            return;
        }
        let n = self.names.len() as f64;
        let mut lists: Vec<(&[u32], f32)> = keys
            .iter()
            .map(|&k| self.postings_of(k))
            .filter(|list| !list.is_empty())
            .map(|list| (list, (1.0 + n / list.len() as f64).ln() as f32))
            .collect();
        // The candidate's bigrams absent from the list count in its total weight too.
        let absent = (keys.len() - lists.len()) as f32 * (1.0 + n).ln() as f32;
        let total: f32 = lists.iter().map(|l| l.1).sum::<f32>() + absent;
        if lists.is_empty() {
            return;
        }
        lists.sort_by_key(|l| l.0.len());
        let cap = ((n * MAX_POSTINGS_SHARE) as usize).max(1000);
        SCRATCH.with(|s| {
            let mut s = s.borrow_mut();
            let Scratch { acc, touched } = &mut *s;
            if acc.len() < self.names.len() {
                acc.resize(self.names.len(), 0.0);
            }
            for (i, (list, idf)) in lists.iter().enumerate() {
                if i > 0 && list.len() > cap {
                    break;
                }
                for &name in *list {
                    let Some(a) = acc.get_mut(name as usize) else {
                        continue;
                    };
                    if *a == 0.0 {
                        touched.push(name);
                    }
                    *a += idf;
                }
            }
            let floor = total * MIN_SHARE;
            let mut ranked: Vec<(f32, u32)> = touched
                .iter()
                .map(|&t| (acc[t as usize], t))
                .filter(|(a, _)| *a >= floor)
                .collect();
            for &t in touched.iter() {
                acc[t as usize] = 0.0;
            }
            touched.clear();
            if ranked.len() > limit {
                ranked.select_nth_unstable_by(limit, |a, b| b.0.total_cmp(&a.0));
                ranked.truncate(limit);
            }
            out.extend(ranked.into_iter().map(|(_, t)| t));
        });
    }

    /// Screens one candidate: every listed subject that matches, best first (see the
    /// crate documentation for the scoring).
    pub fn screen(&self, candidate: &Record, options: &Options) -> Screening {
        let cand_names = prepare_names(candidate);
        let cand_idents = candidate.idents();
        let mut pool: Vec<u32> = Vec::new();
        for id in &cand_idents {
            self.entries_with(id.kind, &id.value, &mut pool);
            if id.kind == IdentKind::Domain {
                let mut rest = id.value.as_str();
                while let Some(i) = rest.find('.') {
                    rest = &rest[i + 1..];
                    if !rest.contains('.') {
                        break;
                    }
                    self.entries_with(IdentKind::Domain, rest, &mut pool);
                }
            }
        }
        let mut names = Vec::new();
        for (_, _, prep, _) in &cand_names {
            self.retrieve(&prep.core, options.retrieve, &mut names);
        }
        pool.extend(
            names
                .iter()
                .filter_map(|&n| self.names.get(n as usize).map(|r| r.entry)),
        );
        pool.sort_unstable();
        pool.dedup();

        let candidate_id = candidate.id.as_deref();
        let mut scored: Vec<Scored> = pool
            .into_iter()
            .filter(|&e| {
                !options
                    .exclusions
                    .is_excluded(candidate_id, self.entry_id(e))
            })
            .filter_map(|e| self.score_entry(e, &cand_names, &cand_idents, &options.weights))
            .filter(|s| s.score >= options.threshold)
            .collect();
        scored.sort_by(|a, b| {
            b.score
                .total_cmp(&a.score)
                .then_with(|| self.entry_id(a.entry).cmp(self.entry_id(b.entry)))
        });
        scored.truncate(options.limit);
        // Evidence is written out only for what is reported.
        let matches = scored
            .into_iter()
            .map(|s| self.explain(s, &cand_names, options))
            .collect();
        Screening {
            candidate_id: candidate.id.clone(),
            matches,
        }
    }

    /// Scores one entry: numbers only, the evidence's text comes later ([`Index::explain`]).
    fn score_entry(
        &self,
        e: u32,
        cand_names: &[(NameVia, Box<str>, Prepared, NameParts)],
        cand_idents: &[Ident],
        w: &Weights,
    ) -> Option<Scored> {
        let listed_idents = self.idents_of(e);
        let mut idents: Vec<IdentEvidence> = Vec::new();
        let mut keep = 1.0f64; // Π(1 − wᵢ)
        let mut same_by_ident = false;
        for c in cand_idents {
            for l in listed_idents.iter().filter(|l| l.kind == c.kind) {
                let value = self.str_of(l.value);
                let how = if value == c.value {
                    "exact"
                } else if c.kind == IdentKind::Domain
                    && c.value.len() > value.len()
                    && c.value.ends_with(value)
                    && c.value.as_bytes().get(c.value.len() - value.len() - 1) == Some(&b'.')
                {
                    "subdomain"
                } else {
                    continue;
                };
                let valid = c.valid && l.valid;
                let mut weight = if how == "exact" {
                    w.ident(c.kind)
                } else {
                    w.subdomain
                };
                if !valid {
                    weight *= w.invalid_ident;
                }
                if how == "exact" && c.kind != IdentKind::Phone {
                    same_by_ident = true;
                }
                keep *= 1.0 - weight;
                idents.push(IdentEvidence {
                    field: c.kind,
                    how,
                    valid,
                    weight,
                });
            }
        }

        // The best pair of names.
        let mut best: Option<(NameScore, usize, usize)> = None;
        for (ci, (_, _, cp, _)) in cand_names.iter().enumerate() {
            for ni in self.entry_names(e) {
                let Some(s) = name_score(cp.view(), self.view(&self.names[ni]), w) else {
                    continue;
                };
                let better = best.as_ref().is_none_or(|(b, ..)| {
                    (s.weight, s.relation.is_none()) > (b.weight, b.relation.is_none())
                });
                if better {
                    best = Some((s, ci, ni));
                }
            }
        }
        if idents.is_empty() && best.is_none() {
            return None;
        }
        let related_as = if same_by_ident {
            None
        } else if let Some(r) = best.as_ref().and_then(|b| b.0.relation) {
            Some(r)
        } else if best.is_none() && idents.iter().any(|i| i.how == "subdomain") {
            Some(RelatedAs::Subdomain)
        } else {
            None
        };
        if let Some((s, ..)) = &best {
            keep *= 1.0 - s.weight;
        }
        let mut score = 1.0 - keep;
        let mut ident_conflicts = Vec::new();
        if related_as.is_none() {
            for kind in [IdentKind::Uscc, IdentKind::CitizenId] {
                let listed = listed_idents.iter().any(|i| i.kind == kind && i.valid);
                let mut cand = cand_idents
                    .iter()
                    .filter(|i| i.kind == kind && i.valid)
                    .peekable();
                if listed
                    && cand.peek().is_some()
                    && !cand.any(|c| {
                        listed_idents
                            .iter()
                            .any(|l| l.kind == kind && self.str_of(l.value) == c.value)
                    })
                {
                    score *= w.ident_conflict;
                    ident_conflicts.push(kind);
                }
            }
        }
        Some(Scored {
            entry: e,
            score: score.clamp(0.0, 1.0),
            related_as,
            idents,
            name: best,
            ident_conflicts,
        })
    }

    /// The reported match for a scored entry, with its evidence written out.
    fn explain(
        &self,
        s: Scored,
        cand_names: &[(NameVia, Box<str>, Prepared, NameParts)],
        options: &Options,
    ) -> Match {
        let w = &options.weights;
        let mut evidence: Vec<Evidence> = s.idents.into_iter().map(Evidence::Ident).collect();
        let mut conflicts = Vec::new();
        if let Some((ns, ci, ni)) = &s.name {
            let listed = &self.names[*ni];
            let listed_raw = self.str_of(listed.raw);
            let cp = &cand_names[*ci].3;
            let lp = analyze_name(listed_raw);
            if ns.region_conflict {
                conflicts.push(Conflict {
                    field: "region",
                    how: "differs",
                    candidate: SetAside::of(cp).region,
                    listed: SetAside::of(&lp).region,
                    factor: w.region_conflict,
                });
            }
            if ns.form_conflict {
                conflicts.push(Conflict {
                    field: "legal_form",
                    how: "differs",
                    candidate: cp.legal_form.clone(),
                    listed: lp.legal_form.clone(),
                    factor: w.legal_form_conflict,
                });
            }
            evidence.push(Evidence::Name(Box::new(NameEvidence {
                field: "name",
                how: if ns.exact { "exact" } else { "fuzzy" },
                similarity: ns.similarity,
                trade_name_similarity: ns.trade_similarity,
                weight: ns.weight,
                via: listed.via,
                candidate_via: cand_names[*ci].0,
                listed_name: listed_raw.to_string(),
                core: cp.core.clone(),
                set_aside: SetAside::of(cp),
                listed_core: lp.core.clone(),
                listed_set_aside: SetAside::of(&lp),
            })));
        }
        for kind in s.ident_conflicts {
            conflicts.push(Conflict {
                field: kind.field(),
                how: "differs",
                candidate: None,
                listed: None,
                factor: w.ident_conflict,
            });
        }
        // Strongest evidence first, conflicts last.
        evidence.sort_by(|a, b| weight_of(b).total_cmp(&weight_of(a)));
        evidence.extend(conflicts.into_iter().map(Evidence::Conflict));
        let relation = if s.related_as.is_some() {
            Relation::Related
        } else {
            Relation::Same
        };
        let decision = if relation == Relation::Same && s.score >= options.match_threshold {
            Decision::Match
        } else {
            Decision::Possible
        };
        Match {
            id: self.entry_id(s.entry).to_string(),
            score: s.score,
            decision,
            relation,
            related_as: s.related_as,
            matched_on: evidence,
        }
    }
}

/// One entry scored against a candidate, before its evidence is written out.
struct Scored {
    entry: u32,
    score: f64,
    related_as: Option<RelatedAs>,
    idents: Vec<IdentEvidence>,
    /// The best pair of names: (how they compare, candidate name, listed name).
    name: Option<(NameScore, usize, usize)>,
    ident_conflicts: Vec<IdentKind>,
}

fn weight_of(e: &Evidence) -> f64 {
    match e {
        Evidence::Ident(i) => i.weight,
        Evidence::Name(n) => n.weight,
        Evidence::Conflict(_) => -1.0,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rec(id: &str, name: &str) -> Record {
        Record {
            id: Some(id.into()),
            name: Some(name.into()),
            ..Record::default()
        }
    }

    #[test]
    fn merges_entries_with_one_id_and_refuses_blank_ones() {
        let mut b = IndexBuilder::new();
        b.add(rec("E1", "浙江淘宝网络有限公司")).unwrap();
        b.add(Record {
            uscc: vec!["91330100716105852F".into()],
            ..rec("E1", "淘宝")
        })
        .unwrap();
        assert_eq!(b.add(Record::default()), Err(EntryError::MissingId));
        assert_eq!(
            b.add(Record {
                id: Some("E2".into()),
                ..Record::default()
            }),
            Err(EntryError::Blank("E2".into()))
        );
        let idx = b.build();
        let st = idx.stats();
        assert_eq!((st.entries, st.merged, st.names, st.idents), (1, 1, 2, 1));
    }

    #[test]
    fn retrieval_finds_the_name_among_many() {
        let mut entries: Vec<Record> = (0..5000)
            .map(|i| {
                rec(
                    &format!("N{i}"),
                    &format!(
                        "杭州{}{}科技有限公司",
                        char::from_u32(0x4e00 + i).unwrap_or('一'),
                        char::from_u32(0x5e00 + i % 97).unwrap_or('二')
                    ),
                )
            })
            .collect();
        entries.push(rec("T", "浙江天猫网络有限公司"));
        let idx = Index::build(entries).unwrap();
        let got = idx.screen(&rec("c", "天貓網絡有限公司"), &Options::default());
        assert_eq!(got.matches[0].id, "T");
        assert_eq!(got.matches[0].decision, Decision::Match);
    }
}
