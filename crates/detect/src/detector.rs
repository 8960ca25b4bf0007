//! The compiled detector: one Aho–Corasick automaton over the match form of every literal
//! pattern (marks and aliases, slang, ad-law terms, prohibited goods, GIs, cues, category
//! words), a second one over the pinyin projection for homophones of Chinese mark names,
//! and the tables that turn hits into reasons.

use std::cell::RefCell;
use std::collections::{BTreeMap, HashSet};

use daachorse::CharwiseDoubleArrayAhoCorasick;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use wangjian_text::{MatchForm, Syllable};

use crate::listing::{Listing, ListingRef};
use crate::pack::{CuePosition, Problem, Problems, RulePack};
use crate::registry::{merge_marks, Mark};
use crate::verdict::{Alternative, Code, Field, Level, Reason, Verdict};

/// Licence kinds a regulated category may require.
pub const LICENSE_KINDS: [&str; 6] = [
    "food",
    "special_food",
    "drug",
    "medical_device",
    "pesticide",
    "veterinary_drug",
];

/// Which list a term rule comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub(crate) enum TermList {
    Counterfeit,
    AdLaw,
    Prohibited,
}

/// How a mark was written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub(crate) enum Form {
    /// The mark or an alias, possibly disguised (traditional, full-width, look-alikes).
    Written,
    /// The pinyin of a Chinese name written out (naike).
    Pinyin,
    /// A Chinese homophone (奈克), found on the pinyin projection.
    Homophone,
}

/// What one pattern of the automaton stands for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub(crate) enum Target {
    Mark { mark: u32, form: Form },
    Term { list: TermList, rule: u32 },
    Exception { list: TermList, rule: u32 },
    Gi { gi: u32 },
    Cue { cue: u32 },
    Category { word: u32 },
    Regulated { rule: u32 },
}

/// The tables compiled next to the automata.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct Tables {
    /// Targets of each automaton value.
    pub targets: Vec<Vec<Target>>,
    /// Marks of each homophone-automaton value.
    pub pinyin_targets: Vec<Vec<u32>>,
    /// Category word ids of each mark (its own `categories`).
    pub mark_categories: Vec<Vec<u32>>,
    /// Nice classes of each mark, bit `c` for class `c`.
    pub mark_classes: Vec<u64>,
    /// Nice classes each category word belongs to, bit `c` for class `c`.
    pub category_classes: Vec<u64>,
    /// Whether each mark's name is itself a common word (熊猫, 长城).
    pub mark_ordinary: Vec<bool>,
    /// The Han characters of each mark's names in the match form: a short sound-alike
    /// must keep one of them (奈克 keeps 克 of 耐克; 卫衣 for a mark 唯一 keeps none and is
    /// what ordinary text produces by chance).
    pub mark_chars: Vec<String>,
    /// Normalized authorized shop names/ids of each mark.
    pub authorized: Vec<Vec<String>>,
}

/// The first character of the homophone alphabet: syllable `n` is written as the
/// private-use character `SYLLABLE_BASE + n`; `SYLLABLE_BASE` itself stands for anything
/// that is not a Han character with a reading and never occurs in a pattern.
const SYLLABLE_BASE: u32 = 0xE000;

/// The homophone alphabet character of `c`, if it is a Han character with a reading.
fn syllable_char(c: char) -> Option<char> {
    Syllable::of(c).and_then(|s| char::from_u32(SYLLABLE_BASE + u32::from(s.id())))
}

/// The canonical content of a rule set: what [`Detector::ruleset_version`] digests.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct Canon {
    pub pack: RulePack,
    pub marks: Vec<Mark>,
}

/// A compiled, immutable rule set. `Send + Sync`: share one behind an `Arc` across threads.
/// [`Detector::scan`] is pure and deterministic.
pub struct Detector {
    pub(crate) canon: Canon,
    pub(crate) tables: Tables,
    pub(crate) ac: CharwiseDoubleArrayAhoCorasick<u32>,
    pub(crate) pinyin_ac: Option<CharwiseDoubleArrayAhoCorasick<u32>>,
    pub(crate) version: String,
    /// The pack's ordinary words, for looking up matched text.
    ordinary: HashSet<Box<str>>,
    /// The marks of homophone-automaton value `v` are `quick[quick_at[v]..quick_at[v+1]]`:
    /// one contiguous run per value, each entry holding what the homophone scan tests for
    /// every sound-alike (a 64-bit signature of the mark's characters and whether it is
    /// well known) next to the mark, so that a sound-alike reads its group in one go
    /// instead of one scattered mark at a time. Derived from the tables when assembled.
    quick_at: Vec<u32>,
    quick: Vec<QuickMark>,
}

/// See [`Detector::quick`].
#[derive(Debug, Clone, Copy)]
struct QuickMark {
    /// The mark's index.
    mark: u32,
    /// Bit [`char_bit`] of each character of the mark's names (a Bloom filter: a clear
    /// bit proves the character is not among them).
    chars: u64,
    well_known: bool,
}

/// The signature bit of a character (see [`QuickMark`]).
fn char_bit(c: char) -> u64 {
    1u64 << ((c as u32).wrapping_mul(0x9E37_79B1) >> 26)
}

impl std::fmt::Debug for Detector {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Detector")
            .field("version", &self.version)
            .field("marks", &self.canon.marks.len())
            .field("patterns", &self.tables.targets.len())
            .finish()
    }
}

/// Counts of what a detector was compiled from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Stats {
    /// Marks.
    pub marks: usize,
    /// Counterfeit terms.
    pub counterfeit_terms: usize,
    /// Advertising-law terms.
    pub ad_law_terms: usize,
    /// Prohibited items.
    pub prohibited_items: usize,
    /// Regulated categories.
    pub regulated: usize,
    /// Geographical indications.
    pub gis: usize,
    /// Descriptive cues.
    pub cues: usize,
    /// Distinct patterns in the main automaton.
    pub patterns: usize,
    /// Distinct patterns in the pinyin automaton.
    pub pinyin_patterns: usize,
}

/// The match form of a pattern as the automaton sees it: normalized, ASCII spaces removed.
fn pattern_key(pattern: &str, out: &mut MatchForm) -> String {
    wangjian_text::normalize_into(pattern, out);
    out.as_str().chars().filter(|c| *c != ' ').collect()
}

fn is_han(c: char) -> bool {
    matches!(c, '\u{3400}'..='\u{4dbf}' | '\u{4e00}'..='\u{9fff}' | '\u{f900}'..='\u{faff}' | '\u{20000}'..='\u{3134f}')
}

fn where_(origin: Option<&(String, u64)>, fallback: &str) -> (String, u64) {
    origin.cloned().unwrap_or_else(|| (fallback.to_string(), 0))
}

/// Normalized form of a shop name or id for comparison with authorized lists.
fn shop_key(s: &str, scratch: &mut MatchForm) -> String {
    wangjian_text::normalize_into(s.trim(), scratch);
    scratch.as_str().to_string()
}

impl Detector {
    /// Compiles a rule pack and marks. Fails with every problem found: patterns that
    /// normalize to nothing, patterns of two different rules that collide, and automaton
    /// limits.
    pub fn build(pack: RulePack, marks: Vec<Mark>) -> Result<Detector, Problems> {
        let mut problems = Vec::new();
        let mut scratch = MatchForm::new();
        // key → targets; BTreeMap so the automaton and tables are the same on every build.
        let mut map: BTreeMap<String, Vec<Target>> = BTreeMap::new();
        // key → who first claimed it, per kind of claim, to report collisions.
        let mut owners: BTreeMap<(String, u8), (String, u64, String)> = BTreeMap::new();
        let mut claim = |key: &str,
                         group: u8,
                         who: (String, u64),
                         what: String,
                         problems: &mut Vec<Problem>|
         -> bool {
            match owners.get(&(key.to_string(), group)) {
                Some((f, l, first)) if *first != what => {
                    problems.push(Problem {
                        file: who.0,
                        line: who.1,
                        message: format!(
                            "{what}: pattern normalizes to '{key}', the same as {first} ({f}:{l})"
                        ),
                    });
                    false
                }
                Some(_) => false,
                None => {
                    owners.insert((key.to_string(), group), (who.0, who.1, what));
                    true
                }
            }
        };
        let add = |map: &mut BTreeMap<String, Vec<Target>>, key: String, t: Target| {
            let v = map.entry(key).or_default();
            if !v.contains(&t) {
                v.push(t);
            }
        };
        let lists = [
            (TermList::Counterfeit, &pack.counterfeit_terms, 1u8),
            (TermList::AdLaw, &pack.ad_law_terms, 2),
            (TermList::Prohibited, &pack.prohibited_items, 3),
        ];
        for (list, rules, group) in lists {
            for (i, r) in rules.iter().enumerate() {
                let who = where_(pack.origins.get(&r.id), "rules");
                let key = pattern_key(&r.pattern, &mut scratch);
                if key.is_empty() {
                    problems.push(Problem {
                        file: who.0,
                        line: who.1,
                        message: format!(
                            "`{}`: pattern '{}' normalizes to nothing",
                            r.id, r.pattern
                        ),
                    });
                    continue;
                }
                if claim(
                    &key,
                    group,
                    who.clone(),
                    format!("`{}`", r.id),
                    &mut problems,
                ) {
                    add(
                        &mut map,
                        key,
                        Target::Term {
                            list,
                            rule: i as u32,
                        },
                    );
                }
                for e in &r.exceptions {
                    let ek = pattern_key(e, &mut scratch);
                    if ek.is_empty() || !ek.contains(&pattern_key(&r.pattern, &mut scratch)) {
                        problems.push(Problem {
                            file: who.0.clone(),
                            line: who.1,
                            message: format!(
                                "`{}`: exception '{e}' does not contain the pattern once normalized",
                                r.id
                            ),
                        });
                        continue;
                    }
                    add(
                        &mut map,
                        ek,
                        Target::Exception {
                            list,
                            rule: i as u32,
                        },
                    );
                }
            }
        }
        for (i, r) in pack.regulated.iter().enumerate() {
            let who = where_(pack.origins.get(&r.id), "regulated_categories.csv");
            let key = pattern_key(&r.pattern, &mut scratch);
            if key.is_empty() {
                problems.push(Problem {
                    file: who.0,
                    line: who.1,
                    message: format!("`{}`: pattern normalizes to nothing", r.id),
                });
                continue;
            }
            if claim(&key, 4, who, format!("`{}`", r.id), &mut problems) {
                add(&mut map, key, Target::Regulated { rule: i as u32 });
            }
        }
        for (i, g) in pack.gis.iter().enumerate() {
            let who = where_(pack.origins.get(&g.id), "gi.csv");
            for name in std::iter::once(&g.name).chain(&g.aliases) {
                let key = pattern_key(name, &mut scratch);
                if key.is_empty() {
                    problems.push(Problem {
                        file: who.0.clone(),
                        line: who.1,
                        message: format!("`{}`: name '{name}' normalizes to nothing", g.id),
                    });
                    continue;
                }
                if claim(&key, 5, who.clone(), format!("`{}`", g.id), &mut problems) {
                    add(&mut map, key, Target::Gi { gi: i as u32 });
                }
            }
        }
        for (i, c) in pack.cues.iter().enumerate() {
            let who = where_(pack.origins.get(&c.id), "descriptive_cues.csv");
            let key = pattern_key(&c.pattern, &mut scratch);
            if key.is_empty() {
                problems.push(Problem {
                    file: who.0,
                    line: who.1,
                    message: format!("`{}`: pattern normalizes to nothing", c.id),
                });
                continue;
            }
            // The same word may be a cue before and after (适用): both kept.
            add(&mut map, key, Target::Cue { cue: i as u32 });
        }
        // Marks, their category words and pinyin forms. One word may belong to several
        // owners: every key keeps every mark it stands for.
        let (marks, _) = merge_marks(marks);
        let mut category_ids: BTreeMap<String, u32> = BTreeMap::new();
        let mut category_classes: Vec<u64> = Vec::new();
        let mut category_id =
            |key: String, map: &mut BTreeMap<String, Vec<Target>>, classes: &mut Vec<u64>| -> u32 {
                let next = category_ids.len() as u32;
                let id = *category_ids.entry(key.clone()).or_insert(next);
                if id == next {
                    let v = map.entry(key).or_default();
                    v.push(Target::Category { word: id });
                    classes.push(0);
                }
                id
            };
        for n in &pack.nice_classes {
            for c in &n.categories {
                let key = pattern_key(c, &mut scratch);
                if key.is_empty() {
                    continue;
                }
                let id = category_id(key, &mut map, &mut category_classes);
                category_classes[id as usize] |= 1u64 << n.class;
            }
        }
        let common: HashSet<&str> = pack
            .ordinary_words
            .iter()
            .take(pack.policy.fuzzy_common_word_rank)
            .map(String::as_str)
            .collect();
        let mut mark_categories = Vec::with_capacity(marks.len());
        let mut mark_classes = Vec::with_capacity(marks.len());
        let mut mark_ordinary = Vec::with_capacity(marks.len());
        let mut mark_chars = Vec::with_capacity(marks.len());
        let mut authorized = Vec::with_capacity(marks.len());
        let mut pinyin_map: BTreeMap<String, Vec<u32>> = BTreeMap::new();
        let policy = &pack.policy;
        let mut py = MatchForm::new();
        for (i, m) in marks.iter().enumerate() {
            let who = m.origin.clone();
            let mut keys_of_mark: HashSet<String> = HashSet::new();
            let mut chars = String::new();
            for name in std::iter::once(&m.mark).chain(&m.aliases) {
                let key = pattern_key(name, &mut scratch);
                for c in key.chars().filter(|c| is_han(*c)) {
                    if !chars.contains(c) {
                        chars.push(c);
                    }
                }
                if key.is_empty() {
                    problems.push(Problem {
                        file: who.0.clone(),
                        line: who.1,
                        message: format!("mark '{}': form '{name}' normalizes to nothing", m.mark),
                    });
                    continue;
                }
                keys_of_mark.insert(key.clone());
                add(
                    &mut map,
                    key,
                    Target::Mark {
                        mark: i as u32,
                        form: Form::Written,
                    },
                );
            }
            mark_chars.push(chars);
            mark_ordinary.push(common.contains(pattern_key(&m.mark, &mut scratch).as_str()));
            if policy.pinyin_enabled {
                for name in std::iter::once(&m.mark).chain(&m.aliases) {
                    let chars: Vec<char> = name.chars().filter(|c| !c.is_whitespace()).collect();
                    if chars.len() < policy.pinyin_min_syllables
                        || !chars.iter().all(|c| is_han(*c))
                    {
                        continue;
                    }
                    // Homophones: the syllables of the name's match form, one per character.
                    if policy.pinyin_homophones {
                        let form = pattern_key(name, &mut scratch);
                        let key: Option<String> = form.chars().map(syllable_char).collect();
                        if let Some(key) =
                            key.filter(|k| k.chars().count() >= policy.pinyin_min_syllables)
                        {
                            let v = pinyin_map.entry(key).or_default();
                            if !v.contains(&(i as u32)) {
                                v.push(i as u32);
                            }
                        }
                    }
                    wangjian_text::pinyin_into(name, &mut py);
                    let syllables = py.as_str().split(' ').filter(|s| !s.is_empty()).count();
                    if syllables < policy.pinyin_min_syllables {
                        continue;
                    }
                    let key: String = py.as_str().chars().filter(|c| *c != ' ').collect();
                    if key.is_empty() || !key.is_ascii() {
                        continue;
                    }
                    if !keys_of_mark.contains(&key) {
                        add(
                            &mut map,
                            key,
                            Target::Mark {
                                mark: i as u32,
                                form: Form::Pinyin,
                            },
                        );
                    }
                }
            }
            let mut cats = Vec::new();
            for c in &m.categories {
                let key = pattern_key(c, &mut scratch);
                if key.is_empty() {
                    continue;
                }
                let id = category_id(key, &mut map, &mut category_classes);
                if !cats.contains(&id) {
                    cats.push(id);
                }
            }
            cats.sort_unstable();
            mark_categories.push(cats);
            mark_classes.push(m.classes.iter().fold(0u64, |acc, c| {
                if (1..=45).contains(c) {
                    acc | 1u64 << c
                } else {
                    acc
                }
            }));
            authorized.push(
                m.authorized_shops
                    .iter()
                    .map(|s| shop_key(s, &mut scratch))
                    .filter(|s| !s.is_empty())
                    .collect(),
            );
        }
        drop(common);
        if !problems.is_empty() {
            return Err(Problems(problems));
        }
        let canon = Canon { pack, marks };
        let version = digest(&canon);
        let mut targets = Vec::with_capacity(map.len());
        let mut patvals = Vec::with_capacity(map.len());
        for (i, (k, v)) in map.into_iter().enumerate() {
            patvals.push((k, i as u32));
            targets.push(v);
        }
        let ac = CharwiseDoubleArrayAhoCorasick::with_values(patvals).map_err(|e| {
            Problems(vec![Problem {
                file: "rules".into(),
                line: 0,
                message: format!("cannot compile the pattern automaton: {e}"),
            }])
        })?;
        let mut pinyin_targets = Vec::with_capacity(pinyin_map.len());
        let mut pv = Vec::with_capacity(pinyin_map.len());
        for (i, (k, v)) in pinyin_map.into_iter().enumerate() {
            pv.push((k, i as u32));
            pinyin_targets.push(v);
        }
        let pinyin_ac = if pv.is_empty() {
            None
        } else {
            Some(
                CharwiseDoubleArrayAhoCorasick::with_values(pv).map_err(|e| {
                    Problems(vec![Problem {
                        file: "marks".into(),
                        line: 0,
                        message: format!("cannot compile the pinyin automaton: {e}"),
                    }])
                })?,
            )
        };
        Ok(Detector::assemble(
            canon,
            Tables {
                targets,
                pinyin_targets,
                mark_categories,
                mark_classes,
                category_classes,
                mark_ordinary,
                mark_chars,
                authorized,
            },
            ac,
            pinyin_ac,
            version,
        ))
    }

    /// A detector from its parts (the ordinary-word set is derived from the pack).
    pub(crate) fn assemble(
        canon: Canon,
        tables: Tables,
        ac: CharwiseDoubleArrayAhoCorasick<u32>,
        pinyin_ac: Option<CharwiseDoubleArrayAhoCorasick<u32>>,
        version: String,
    ) -> Detector {
        let ordinary = canon
            .pack
            .ordinary_words
            .iter()
            .map(|w| Box::from(w.as_str()))
            .collect();
        let mut quick_at = Vec::with_capacity(tables.pinyin_targets.len() + 1);
        let mut quick = Vec::new();
        for group in &tables.pinyin_targets {
            quick_at.push(quick.len() as u32);
            quick.extend(group.iter().map(|&mark| {
                QuickMark {
                    mark,
                    chars: tables
                        .mark_chars
                        .get(mark as usize)
                        .map_or(0, |chars| chars.chars().fold(0, |sig, c| sig | char_bit(c))),
                    well_known: canon.marks.get(mark as usize).is_some_and(|m| m.well_known),
                }
            }));
        }
        quick_at.push(quick.len() as u32);
        Detector {
            canon,
            tables,
            ac,
            pinyin_ac,
            version,
            ordinary,
            quick_at,
            quick,
        }
    }

    /// The marks compiled in: one entry per (word, owner), rows of one owner merged.
    pub fn marks(&self) -> &[Mark] {
        &self.canon.marks
    }

    /// SHA-256 (hex) of the canonical compiled content: the rule pack and marks, without
    /// where they were read from. Two detectors with the same version give the same verdicts.
    pub fn ruleset_version(&self) -> &str {
        &self.version
    }

    /// The scoring policy in force.
    pub fn policy(&self) -> &crate::pack::Policy {
        &self.canon.pack.policy
    }

    /// What the detector was compiled from.
    pub fn stats(&self) -> Stats {
        let p = &self.canon.pack;
        Stats {
            marks: self.canon.marks.len(),
            counterfeit_terms: p.counterfeit_terms.len(),
            ad_law_terms: p.ad_law_terms.len(),
            prohibited_items: p.prohibited_items.len(),
            regulated: p.regulated.len(),
            gis: p.gis.len(),
            cues: p.cues.len(),
            patterns: self.tables.targets.len(),
            pinyin_patterns: self.tables.pinyin_targets.len(),
        }
    }

    /// Scans one listing. Pure: the verdict depends only on the listing and the rules.
    pub fn scan(&self, listing: &Listing) -> Verdict {
        self.scan_ref(&listing.borrowed())
    }

    /// Scans one listing read with [`ListingRef::from_json`] (no copy of its text): the
    /// same verdict as [`Detector::scan`] of the owned listing.
    pub fn scan_ref(&self, listing: &ListingRef<'_>) -> Verdict {
        SCRATCH.with(|s| match s.try_borrow_mut() {
            Ok(mut scratch) => self.scan_with(listing, &mut scratch),
            Err(_) => self.scan_with(listing, &mut Scratch::default()),
        })
    }
}

pub(crate) fn digest(canon: &Canon) -> String {
    let bytes = serde_json::to_vec(canon).unwrap_or_default();
    hex(&Sha256::digest(&bytes))
}

pub(crate) fn hex(bytes: &[u8]) -> String {
    const H: &[u8; 16] = b"0123456789abcdef";
    let mut s = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        s.push(H[(b >> 4) as usize] as char);
        s.push(H[(b & 15) as usize] as char);
    }
    s
}

/// Reusable buffers of one thread.
#[derive(Default)]
struct Scratch {
    /// The match forms of title, description and category (kept for decide).
    forms: [MatchForm; 3],
    /// The form's Han characters as homophone-alphabet characters (gaps between runs).
    syllables: String,
    /// Signature bits of the characters of one sound-alike (see [`QuickMark`]).
    span_bits: Vec<u64>,
    /// Match-form byte offset of each character of `syllables`, and the form's length.
    syllable_at: Vec<u32>,
    stripped: String,
    spaces: Vec<usize>,
    /// Automaton hits of one field: (value, match-form start, end).
    found: Vec<(u32, usize, usize)>,
    hits: Vec<Hit>,
    decide: DecideScratch,
}

/// Reusable buffers of [`Detector::decide`] (one listing's hits, rearranged).
#[derive(Default)]
struct DecideScratch {
    exceptions: Vec<(Field, (usize, usize), TermList, u32)>,
    snapshot: Vec<(Field, (usize, usize), u8)>,
    categories: Vec<u32>,
    candidates: Vec<Candidate>,
    order: Vec<usize>,
    /// Chosen candidates with the candidates overlapping each.
    winners: Vec<(usize, Vec<usize>)>,
    seen_terms: Vec<(TermList, u32, Field)>,
}

/// How a mark hit writes the mark.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum How {
    /// The mark or an alias as registered (case aside).
    Written,
    /// Folded to it: traditional, full-width, look-alikes, separators inside.
    Variant,
    /// Its pinyin spelled out (naike).
    Pinyin,
    /// A Chinese sound-alike (奈克).
    Homophone,
}

impl How {
    fn rank(self) -> u32 {
        match self {
            How::Written => 3,
            How::Variant => 2,
            How::Pinyin => 1,
            How::Homophone => 0,
        }
    }

    fn name(self) -> &'static str {
        match self {
            How::Written => "written",
            How::Variant => "variant",
            How::Pinyin => "pinyin",
            How::Homophone => "homophone",
        }
    }
}

/// One mark hit, weighed.
#[derive(Debug, Clone, Copy)]
struct Candidate {
    /// Index into the listing's hits.
    hit: usize,
    mark: u32,
    how: How,
    /// The listing fits the mark's categories or classes.
    fits: bool,
    /// The shop is on the mark's authorized list.
    authorized: bool,
    /// A descriptive cue near it: (hit index, cue rule).
    cue: Option<(usize, u32)>,
    /// Its weight when used as a mark (fuzzy forms of marks that are not well known weigh
    /// less).
    weight: u32,
}

/// Whether another pattern of the rule pack found in the same field (a term, category word,
/// cue, GI or regulated word) covers the hit's range or crosses one of its ends: the text
/// there is that word (懂的来 is slang, not a sound-alike of a mark 得来).
fn explained_by_other_pattern(hits: &[Hit], h: &Hit) -> bool {
    hits.iter().any(|o| {
        !matches!(o.target, Target::Mark { .. })
            && o.field == h.field
            && o.form.0 < h.form.1
            && h.form.0 < o.form.1
            && !(h.form.0 <= o.form.0 && o.form.1 <= h.form.1 && o.form != h.form)
    })
}

/// Index of a scanned field in [`Scratch::forms`].
fn form_index(field: Field) -> usize {
    match field {
        Field::Title => 0,
        Field::Description => 1,
        _ => 2,
    }
}

/// The weight of a fuzzy form of a mark that is not well known (see the crate
/// documentation): the mark weight times the form's factor, scaled down for short marks
/// and again for marks that are ordinary words. A written variant keeps the whole weight
/// (traditional script, full-width letters, separators inside are writing the mark on
/// purpose), except for Latin marks of three letters or fewer, which joined single letters
/// and look-alike digits produce by chance.
fn fuzzy_weight(policy: &crate::pack::Policy, how: How, span: &str, ordinary: bool) -> u32 {
    let han = span.chars().filter(|c| is_han(*c)).count() as f64;
    let latin = span.chars().filter(char::is_ascii_alphanumeric).count() as f64;
    let length = han + latin / 2.0;
    let form = match how {
        How::Written => return policy.mark_weight,
        How::Variant if han > 0.0 || latin > 3.0 => return policy.mark_weight,
        How::Variant => 1.0,
        How::Pinyin => policy.fuzzy_pinyin_factor,
        How::Homophone => policy.fuzzy_homophone_factor,
    };
    let mut factor = form * (length / policy.fuzzy_full_length.max(1) as f64).min(1.0);
    if ordinary {
        factor *= policy.fuzzy_ordinary_mark_factor;
    }
    round(policy.mark_weight as f64 * factor).clamp(1, policy.mark_weight)
}

/// Owner, classes and registration numbers of a mark, as written in reasons.
fn rights_of(m: &Mark) -> String {
    let mut s = String::new();
    if !m.owner.is_empty() {
        s.push_str("权利人 ");
        s.push_str(&m.owner);
    }
    if !m.classes.is_empty() {
        if !s.is_empty() {
            s.push(',');
        }
        s.push('第');
        for (i, c) in m.classes.iter().enumerate() {
            if i > 0 {
                s.push('、');
            }
            s.push_str(&c.to_string());
        }
        s.push('类');
    }
    if !m.registrations.is_empty() {
        if !s.is_empty() {
            s.push(',');
        }
        s.push_str("注册号 ");
        for (i, r) in m.registrations.iter().take(3).enumerate() {
            if i > 0 {
                s.push('、');
            }
            s.push_str(r);
        }
        if m.registrations.len() > 3 {
            s.push_str(" 等");
        }
    }
    s
}

thread_local! {
    static SCRATCH: RefCell<Scratch> = RefCell::new(Scratch::default());
}

/// One raw hit: where (match form and original bytes) and what.
#[derive(Debug, Clone, Copy)]
struct Hit {
    field: Field,
    /// Byte range in the field's match form (for windows and containment).
    form: (usize, usize),
    /// Byte range in the original field.
    orig: (usize, usize),
    target: Target,
}

fn ascii_alnum(b: u8) -> bool {
    b.is_ascii_lowercase() || b.is_ascii_digit()
}

/// Runs an automaton over the space-stripped view of `form` and calls `each` with the
/// match-form byte range of every hit that respects Latin word boundaries.
///
/// Stripping ASCII spaces lets `adi das` match `adidas`; the boundary rule (the form
/// characters before the start and after the end are not `[a-z0-9]` when the pattern
/// starts/ends with one) keeps `lv` out of `lvmh` and forces a stripped match to start and
/// end on word boundaries. One exception: digits may follow a pattern that ends in a letter,
/// so model numbers stay matched (`iphone15`).
fn run_automaton(
    ac: &CharwiseDoubleArrayAhoCorasick<u32>,
    strip: bool,
    form: &str,
    stripped: &mut String,
    spaces: &mut Vec<usize>,
    mut each: impl FnMut(u32, usize, usize),
) {
    stripped.clear();
    spaces.clear();
    // A space is one ASCII byte, never inside a multi-byte character: copy the runs
    // between spaces whole. Without spaces the form is its own stripped view.
    let view: &str = if strip && form.as_bytes().contains(&b' ') {
        let mut from = 0;
        for (i, _) in form.match_indices(' ') {
            stripped.push_str(&form[from..i]);
            // The stripped position where the space would be.
            spaces.push(i - spaces.len());
            from = i + 1;
        }
        stripped.push_str(&form[from..]);
        stripped.as_str()
    } else {
        form
    };
    let fb = form.as_bytes();
    let sb = view.as_bytes();
    for m in ac.find_overlapping_iter(view) {
        let (s, e) = (m.start(), m.end());
        // A removed space at stripped position p stands before the character at p.
        let fs = s + spaces.partition_point(|&p| p <= s);
        let fe = e + spaces.partition_point(|&p| p < e);
        if sb.get(s).is_some_and(|b| ascii_alnum(*b))
            && fs > 0
            && fb.get(fs - 1).is_some_and(|b| ascii_alnum(*b))
        {
            continue;
        }
        let last = sb.get(e.wrapping_sub(1)).copied();
        if let Some(last) = last.filter(|b| ascii_alnum(*b)) {
            if let Some(&next) = fb.get(fe) {
                let digit_after_letter = next.is_ascii_digit() && last.is_ascii_lowercase();
                if ascii_alnum(next) && !digit_after_letter {
                    continue;
                }
            }
        }
        each(m.value(), fs, fe)
    }
}

struct FieldText<'a> {
    field: Field,
    text: &'a str,
}

fn contains(outer: (usize, usize), inner: (usize, usize)) -> bool {
    outer.0 <= inner.0 && inner.1 <= outer.1 && (outer.1 - outer.0) > (inner.1 - inner.0)
}

fn round(x: f64) -> u32 {
    if x.is_finite() && x > 0.0 {
        x.round() as u32
    } else {
        0
    }
}

/// A price as written in reasons: two decimals, trailing zeros and point dropped
/// (`99.9`, `100`, `0.05`); exactly what `format!("{p:.2}")` trimmed writes.
fn fmt_price(p: f64) -> String {
    // Fast path: a price below 10^9 whose cents are not within 0.001 of a half cent. Then
    // the exact decimal value of `p` and the rounded product `p * 100` (off by far less
    // than 0.001 at this size) round to the same whole number of cents.
    let x = p * 100.0;
    if p.is_finite() && p.abs() < 1e9 && ((x - x.floor()) - 0.5).abs() > 1e-3 {
        let cents = x.round();
        if cents != 0.0 || p.is_sign_positive() {
            let cents = cents as i64;
            let (units, frac) = (cents.unsigned_abs() / 100, cents.unsigned_abs() % 100);
            let mut s = String::with_capacity(16);
            if cents < 0 {
                s.push('-');
            }
            s.push_str(&units.to_string());
            if frac != 0 {
                s.push('.');
                s.push(char::from(b'0' + (frac / 10) as u8));
                if frac % 10 != 0 {
                    s.push(char::from(b'0' + (frac % 10) as u8));
                }
            }
            return s;
        }
    }
    let s = format!("{p:.2}");
    let s = s.trim_end_matches('0').trim_end_matches('.');
    s.to_string()
}

/// `parts` joined into one string with one allocation. Reasons are built from a few pieces
/// each, several per listing; `format!` cost several times more and was an eighth of a scan.
fn cat(parts: &[&str]) -> String {
    let mut s = String::with_capacity(parts.iter().map(|p| p.len()).sum());
    for p in parts {
        s.push_str(p);
    }
    s
}

impl Detector {
    fn scan_with(&self, listing: &ListingRef<'_>, sc: &mut Scratch) -> Verdict {
        let pack = &self.canon.pack;
        let policy = &pack.policy;
        let mut fields: Vec<FieldText<'_>> = Vec::with_capacity(3);
        fields.push(FieldText {
            field: Field::Title,
            text: &listing.title,
        });
        if let Some(d) = listing.description.as_deref().filter(|d| !d.is_empty()) {
            fields.push(FieldText {
                field: Field::Description,
                text: d,
            });
        }
        if let Some(c) = listing.category.as_deref().filter(|c| !c.is_empty()) {
            fields.push(FieldText {
                field: Field::Category,
                text: c,
            });
        }
        let mut hits = std::mem::take(&mut sc.hits);
        hits.clear();
        for f in &fields {
            let fi = form_index(f.field);
            wangjian_text::normalize_into(f.text, &mut sc.forms[fi]);
            let form = &sc.forms[fi];
            let targets = &self.tables.targets;
            let found = &mut sc.found;
            found.clear();
            run_automaton(
                &self.ac,
                true,
                form.as_str(),
                &mut sc.stripped,
                &mut sc.spaces,
                |v, s, e| found.push((v, s, e)),
            );
            for &(v, s, e) in found.iter() {
                let r = form.original_range(s..e);
                for t in targets.get(v as usize).into_iter().flatten() {
                    hits.push(Hit {
                        field: f.field,
                        form: (s, e),
                        orig: (r.start, r.end),
                        target: *t,
                    });
                }
            }
            // Homophones of Chinese mark names: the match form's Han characters as
            // syllable ids, one alphabet character each, matched against the names' ids.
            if f.field != Field::Category && policy.pinyin_homophones {
                if let Some(pac) = &self.pinyin_ac {
                    let form = sc.forms[fi].as_str();
                    let (syl, pos) = (&mut sc.syllables, &mut sc.syllable_at);
                    syl.clear();
                    pos.clear();
                    let mut any = false;
                    let mut after_gap = false;
                    let gap = char::from_u32(SYLLABLE_BASE).unwrap_or(' ');
                    for (i, c) in form.char_indices() {
                        match syllable_char(c) {
                            Some(sc) => {
                                syl.push(sc);
                                pos.push(i as u32);
                                any = true;
                                after_gap = false;
                            }
                            None if after_gap => {}
                            None => {
                                syl.push(gap);
                                pos.push(i as u32);
                                after_gap = true;
                            }
                        }
                    }
                    if any {
                        pos.push(form.len() as u32);
                        // Every alphabet character is three bytes long.
                        for m in pac.find_overlapping_iter(syl.as_str()) {
                            let (cs, ce) = (m.start() / 3, m.end() / 3);
                            let (Some(&fs), Some(&fe)) = (pos.get(cs), pos.get(ce)) else {
                                continue;
                            };
                            // Matched characters are contiguous Han characters of the form
                            // (anything else became a gap), so the match ends where the next
                            // alphabet character, Han or gap, begins.
                            let (fs, fe) = (fs as usize, fe as usize);
                            let r = sc.forms[fi].original_range(fs..fe);
                            let span = &form[fs..fe];
                            let short = ce - cs < policy.fuzzy_full_length;
                            let bits = &mut sc.span_bits;
                            bits.clear();
                            bits.extend(span.chars().map(char_bit));
                            let v = m.value() as usize;
                            let group = match (self.quick_at.get(v), self.quick_at.get(v + 1)) {
                                (Some(&a), Some(&b)) => {
                                    self.quick.get(a as usize..b as usize).unwrap_or(&[])
                                }
                                _ => &[],
                            };
                            for q in group {
                                let mk = q.mark;
                                // A short sound-alike of a mark that is not well known must
                                // keep one of its characters (see `decide`), and one that
                                // keeps them all is the mark written, already a hit: both
                                // are settled here, before they cost a hit each.
                                // The signature settles most marks: a clear bit proves a
                                // character is not kept. Only a possible "all kept" or
                                // "none kept" of a short one is checked on the characters.
                                let (mut any, mut all) = (false, true);
                                for b in bits.iter() {
                                    if b & q.chars != 0 {
                                        any = true;
                                    } else {
                                        all = false;
                                    }
                                }
                                let weak = short && !q.well_known;
                                if weak && !any {
                                    continue;
                                }
                                if all || weak {
                                    let chars = self.tables.mark_chars.get(mk as usize);
                                    let kept = |c: char| chars.is_some_and(|k| k.contains(c));
                                    if span.chars().all(kept) || (weak && !span.chars().any(kept)) {
                                        continue;
                                    }
                                }
                                hits.push(Hit {
                                    field: f.field,
                                    form: (fs, fe),
                                    orig: (r.start, r.end),
                                    target: Target::Mark {
                                        mark: mk,
                                        form: Form::Homophone,
                                    },
                                });
                            }
                        }
                    }
                }
            }
        }
        let text_of = |field: Field| -> &str {
            fields
                .iter()
                .find(|f| f.field == field)
                .map_or("", |f| f.text)
        };
        let verdict = self.decide(listing, &mut hits, &text_of, &sc.forms, &mut sc.decide);
        sc.hits = hits;
        verdict
    }

    fn decide<'t>(
        &self,
        listing: &ListingRef<'_>,
        hits: &mut Vec<Hit>,
        text_of: &dyn Fn(Field) -> &'t str,
        forms: &[MatchForm; 3],
        bufs: &mut DecideScratch,
    ) -> Verdict {
        let pack = &self.canon.pack;
        let policy = &pack.policy;
        let marks = &self.canon.marks;
        // 1. Exceptions silence the terms they contain.
        let exceptions = &mut bufs.exceptions;
        exceptions.clear();
        exceptions.extend(hits.iter().filter_map(|h| match h.target {
            Target::Exception { list, rule } => Some((h.field, h.form, list, rule)),
            _ => None,
        }));
        hits.retain(|h| match h.target {
            Target::Exception { .. } => false,
            Target::Term { list, rule } => !exceptions.iter().any(|(f, r, l, ru)| {
                *f == h.field && *l == list && *ru == rule && r.0 <= h.form.0 && h.form.1 <= r.1
            }),
            _ => true,
        });
        // 2. A hit inside a longer hit of the same kind gives way (超高仿 over 高仿, 高仿人民币
        //    over 高仿). Marks are not pruned here: every mark hit is a candidate, and the
        //    best-supported one of overlapping candidates is chosen below.
        let kind = |t: &Target| -> u8 {
            match t {
                Target::Mark { .. } => 0,
                // Terms of all lists compete: 高仿人民币 (prohibited) over 高仿, 顶级复刻版
                // (slang) over 顶级 (ad law).
                Target::Term { .. } => 1,
                Target::Gi { .. } => 5,
                Target::Cue { .. } => 6,
                Target::Regulated { .. } => 7,
                Target::Category { .. } => 8,
                Target::Exception { .. } => 9,
            }
        };
        let snapshot = &mut bufs.snapshot;
        snapshot.clear();
        snapshot.extend(hits.iter().map(|h| (h.field, h.form, kind(&h.target))));
        hits.retain(|h| {
            let k = kind(&h.target);
            k == 0
                || k == 8
                || !snapshot
                    .iter()
                    .any(|(f, r, k2)| *f == h.field && *k2 == k && contains(*r, h.form))
        });
        hits.sort_by_key(|h| (h.field, h.orig.0, h.orig.1, h.target));

        let categories = &mut bufs.categories;
        categories.clear();
        categories.extend(hits.iter().filter_map(|h| match h.target {
            Target::Category { word } => Some(word),
            _ => None,
        }));
        categories.sort_unstable();
        categories.dedup();
        // The Nice classes the listing fits: those of every category word it names.
        let listing_classes = categories.iter().fold(0u64, |acc, c| {
            acc | self
                .tables
                .category_classes
                .get(*c as usize)
                .copied()
                .unwrap_or(0)
        });
        // The shop's keys, normalized only when a mark has an authorized list to check.
        let mut shop_keys: Option<Vec<String>> = None;

        let mut reasons: Vec<Reason> = Vec::new();
        let reason = |code: Code,
                      field: Field,
                      orig: (usize, usize),
                      rule: String,
                      weight: u32,
                      detail: String| {
            let text = text_of(field);
            let matched = text.get(orig.0..orig.1).unwrap_or("").to_string();
            let start = wangjian_text::char_offset(text, orig.0);
            // Count on from the start instead of from the beginning of the field.
            let end = match text.get(orig.0..) {
                Some(rest) if orig.0 <= orig.1 => {
                    start + wangjian_text::char_offset(rest, orig.1 - orig.0)
                }
                _ => wangjian_text::char_offset(text, orig.1),
            };
            Reason {
                code,
                detail,
                field,
                matched,
                start,
                end,
                rule,
                weight,
                owner: None,
                alternatives: Vec::new(),
            }
        };

        // Marks. Every mark hit is a candidate: its fit with the listing, whether the shop
        // is authorized, descriptive use, and the evidence of the form it was written in.
        // Fields with a descriptive cue (rare): only their marks look for one.
        let mut cue_in = [false; 3];
        for h in hits.iter() {
            if matches!(h.target, Target::Cue { .. }) {
                cue_in[form_index(h.field)] = true;
            }
        }
        let cands = &mut bufs.candidates;
        cands.clear();
        for (hi, h) in hits.iter().enumerate() {
            let Target::Mark { mark, form } = h.target else {
                continue;
            };
            if h.field == Field::Category {
                continue;
            }
            let Some(m) = marks.get(mark as usize) else {
                continue;
            };
            let fits = self.fits(mark, categories, listing_classes);
            let text = text_of(h.field);
            let matched = text.get(h.orig.0..h.orig.1).unwrap_or("");
            let how = match form {
                Form::Written
                    if std::iter::once(&m.mark)
                        .chain(&m.aliases)
                        .any(|n| n.eq_ignore_ascii_case(matched)) =>
                {
                    How::Written
                }
                Form::Written => How::Variant,
                Form::Pinyin => How::Pinyin,
                Form::Homophone => How::Homophone,
            };
            let mut weight = policy.mark_weight;
            let form_text = forms[form_index(h.field)].as_str();
            if !m.well_known && how != How::Written {
                // A fuzzy form of a mark that does not fit the listing is no candidate, and
                // a sound-alike that is an ordinary word of the text is what the seller
                // meant: neither carries evidence. Cheapest tests first.
                if !fits {
                    continue;
                }
                let Some(span) = form_text.get(h.form.0..h.form.1) else {
                    continue;
                };
                if how == How::Homophone
                    && span.chars().count() < policy.fuzzy_full_length
                    && !span
                        .chars()
                        .any(|c| self.tables.mark_chars[mark as usize].contains(c))
                {
                    continue;
                }
                if how != How::Pinyin
                    && (explained_by_other_pattern(hits, h)
                        || self.on_ordinary_word(
                            &forms[form_index(h.field)],
                            text,
                            h.form,
                            how == How::Homophone,
                        ))
                {
                    continue;
                }
                weight = fuzzy_weight(policy, how, span, self.tables.mark_ordinary[mark as usize]);
            } else if fits
                && !m.well_known
                && form_text
                    .get(h.form.0..h.form.1)
                    .is_some_and(|span| span.chars().count() < policy.fuzzy_full_length)
                && self.on_ordinary_word(&forms[form_index(h.field)], text, h.form, false)
            {
                // A short mark written exactly, but across two ordinary words of the text
                // (海滩 in 上海滩): the seller wrote those words.
                continue;
            }
            let auth = &self.tables.authorized[mark as usize];
            let authorized = !auth.is_empty()
                && shop_keys
                    .get_or_insert_with(|| {
                        let mut scratch = MatchForm::new();
                        [listing.shop.id.as_deref(), listing.shop.name.as_deref()]
                            .into_iter()
                            .flatten()
                            .map(|s| shop_key(s, &mut scratch))
                            .filter(|s| !s.is_empty())
                            .collect()
                    })
                    .iter()
                    .any(|k| auth.contains(k));
            // A descriptive cue near the mark?
            let cue = if cue_in[form_index(h.field)] {
                hits.iter().enumerate().find_map(|(ci, c)| {
                    let Target::Cue { cue } = c.target else {
                        return None;
                    };
                    if c.field != h.field {
                        return None;
                    }
                    let rule = pack.cues.get(cue as usize)?;
                    let gap = match rule.position {
                        CuePosition::Before if c.form.1 <= h.form.0 => {
                            form_text.get(c.form.1..h.form.0)
                        }
                        CuePosition::After if h.form.1 <= c.form.0 => {
                            form_text.get(h.form.1..c.form.0)
                        }
                        _ => None,
                    }?;
                    (gap.chars().filter(|ch| *ch != ' ').count() <= policy.descriptive_window_chars)
                        .then_some((ci, cue))
                })
            } else {
                None
            };
            cands.push(Candidate {
                hit: hi,
                mark,
                how,
                fits,
                authorized,
                cue,
                weight,
            });
        }
        // Overlapping candidates: the best supported wins, the others stay with it as
        // alternatives. Support: an authorized shop first (the text is the owner's own),
        // then being reportable at all, then fit (4) + well known (2) + how exactly the
        // text writes it (written 3, variant 2, pinyin 1, homophone 0), then weight, then
        // the longer match.
        let order = &mut bufs.order;
        order.clear();
        order.extend(0..cands.len());
        let key = |c: &Candidate| {
            let m = &marks[c.mark as usize];
            let h = &hits[c.hit];
            let reportable = c.fits || m.well_known || c.cue.is_some();
            (
                c.authorized,
                reportable,
                4 * u32::from(c.fits) + 2 * u32::from(m.well_known) + c.how.rank(),
                c.weight,
                h.orig.1 - h.orig.0,
                std::cmp::Reverse((c.mark, h.field, h.orig.0)),
            )
        };
        order.sort_by_key(|&i| std::cmp::Reverse(key(&cands[i])));
        let winners = &mut bufs.winners;
        winners.clear();
        for &ci in order.iter() {
            let c = &cands[ci];
            let h = &hits[c.hit];
            let overlapping = winners.iter_mut().find(|(w, _)| {
                let wh = &hits[cands[*w].hit];
                wh.field == h.field && wh.orig.0 < h.orig.1 && h.orig.0 < wh.orig.1
            });
            if let Some((w, alts)) = overlapping {
                if cands[*w].mark != c.mark && !alts.iter().any(|a| cands[*a].mark == c.mark) {
                    alts.push(ci);
                }
                continue;
            }
            let m = &marks[c.mark as usize];
            if !(c.authorized || c.fits || m.well_known || c.cue.is_some()) {
                continue;
            }
            // Once per mark and field.
            if winners
                .iter()
                .any(|(w, _)| cands[*w].mark == c.mark && hits[cands[*w].hit].field == h.field)
            {
                continue;
            }
            winners.push((ci, Vec::new()));
        }
        // The marks the listing is about, best supported first: used (not descriptively)
        // and not in an authorized shop.
        let mut about: Vec<usize> = Vec::new();
        for (ci, alts) in winners.iter() {
            let c = &cands[*ci];
            if c.authorized {
                continue;
            }
            let h = &hits[c.hit];
            let m = &marks[c.mark as usize];
            if c.cue.is_none() {
                about.push(*ci);
            }
            let text = text_of(h.field);
            let matched = text.get(h.orig.0..h.orig.1).unwrap_or("");
            let how = match c.how {
                How::Written => "",
                How::Variant => "的变体写法「",
                How::Pinyin => "的拼音写法「",
                How::Homophone => "的谐音写法「",
            };
            let (how_matched, how_end) = if how.is_empty() {
                ("", "")
            } else {
                (matched, "」")
            };
            let weight = if c.cue.is_some() {
                round(policy.mark_weight as f64 * policy.descriptive_mark_factor).max(1)
            } else {
                c.weight
            };
            let mut detail = String::with_capacity(96);
            detail.push_str(if m.well_known {
                "驰名商标「"
            } else {
                "商标「"
            });
            detail.push_str(&m.mark);
            detail.push('」');
            let rights = rights_of(m);
            if !rights.is_empty() {
                detail.push('(');
                detail.push_str(&rights);
                detail.push(')');
            }
            detail.push_str(how);
            detail.push_str(how_matched);
            detail.push_str(how_end);
            if c.how != How::Written && !m.well_known && weight < policy.mark_weight {
                detail.push_str(";近似写法证据较弱,需其他信号");
            }
            let mut alternatives = Vec::with_capacity(alts.len());
            for &a in alts.iter() {
                let ac = &cands[a];
                let am = &marks[ac.mark as usize];
                let ah = &hits[ac.hit];
                alternatives.push(Alternative {
                    mark: am.mark.clone(),
                    owner: am.owner.clone(),
                    classes: am.classes.clone(),
                    form: ac.how.name().to_string(),
                    matched: text_of(ah.field)
                        .get(ah.orig.0..ah.orig.1)
                        .unwrap_or("")
                        .to_string(),
                    fits: ac.fits,
                });
            }
            if !alternatives.is_empty() {
                detail.push_str(";另有 ");
                detail.push_str(&alternatives.len().to_string());
                detail.push_str(" 个商标与此处文字匹配(");
                for (i, a) in alternatives.iter().take(3).enumerate() {
                    if i > 0 {
                        detail.push('、');
                    }
                    detail.push('「');
                    detail.push_str(&a.mark);
                    detail.push('」');
                    if !a.owner.is_empty() {
                        detail.push(' ');
                        detail.push_str(&a.owner);
                    }
                }
                if alternatives.len() > 3 {
                    detail.push_str(" 等");
                }
                detail.push_str("),按商品类别与写法选定此权利人");
            }
            let mut r = reason(
                Code::Mark,
                h.field,
                h.orig,
                cat(&["mark:", &m.mark]),
                weight,
                detail,
            );
            r.owner = (!m.owner.is_empty()).then(|| m.owner.clone());
            r.alternatives = alternatives;
            reasons.push(r);
            if let Some((cue_hit, cue)) = c.cue {
                let ch = &hits[cue_hit];
                let Some(rule) = pack.cues.get(cue as usize) else {
                    continue;
                };
                reasons.push(reason(
                    Code::DescriptiveUse,
                    ch.field,
                    ch.orig,
                    rule.id.clone(),
                    rule.weight,
                    cat(&[
                        "说明性使用:「",
                        text_of(ch.field).get(ch.orig.0..ch.orig.1).unwrap_or(""),
                        "」说明商品适配「",
                        &m.mark,
                        "」,商标权重降低",
                    ]),
                ));
            }
        }
        // Price: against the best-supported mark the listing is about that fits its category
        // (a well-known mark named on unrelated goods says nothing of their price).
        if let Some(&ci) = about.iter().find(|&&ci| {
            cands[ci].fits && marks[cands[ci].mark as usize].reference_price_cny.is_some()
        }) {
            let m = &marks[cands[ci].mark as usize];
            if let (Some(p), Some(r)) = (listing.price, m.reference_price_cny) {
                if p > 0.0 && p < r * policy.price_anomaly_ratio {
                    let s = fmt_price(p);
                    let n = s.chars().count();
                    reasons.push(Reason {
                        code: Code::PriceAnomaly,
                        detail: cat(&[
                            "标价 ¥",
                            &s,
                            " 低于商标「",
                            &m.mark,
                            "」参考价 ¥",
                            &fmt_price(r),
                            " 的 ",
                            &format!("{:.0}", policy.price_anomaly_ratio * 100.0),
                            "%",
                        ]),
                        field: Field::Price,
                        matched: s,
                        start: 0,
                        end: n,
                        rule: "policy:price.anomaly_ratio".into(),
                        weight: policy.price_anomaly_weight,
                        owner: None,
                        alternatives: Vec::new(),
                    });
                }
            }
        }
        // Seller: the best-supported mark the listing is about that has an authorized list.
        // Only a shop we know can be found missing from a list.
        let shown = listing
            .shop
            .name
            .as_deref()
            .filter(|s| !s.trim().is_empty())
            .or(listing.shop.id.as_deref().filter(|s| !s.trim().is_empty()))
            .unwrap_or("");
        if let Some(&ci) = about
            .iter()
            .find(|&&ci| !self.tables.authorized[cands[ci].mark as usize].is_empty())
            .filter(|_| !shown.is_empty())
        {
            let m = &marks[cands[ci].mark as usize];
            reasons.push(Reason {
                code: Code::UnauthorizedSeller,
                detail: cat(&[
                    "店铺「",
                    shown,
                    "」不在商标「",
                    &m.mark,
                    "」权利人的授权店铺名单中",
                ]),
                field: Field::Shop,
                matched: shown.to_string(),
                start: 0,
                end: shown.chars().count(),
                rule: cat(&["mark:", &m.mark, ":authorized_shops"]),
                weight: policy.unauthorized_seller_weight,
                owner: None,
                alternatives: Vec::new(),
            });
        }
        // Terms, once per rule and field.
        let mut euphemism = false;
        let seen_terms = &mut bufs.seen_terms;
        seen_terms.clear();
        for h in hits.iter() {
            let Target::Term { list, rule } = h.target else {
                continue;
            };
            if seen_terms.contains(&(list, rule, h.field)) {
                continue;
            }
            seen_terms.push((list, rule, h.field));
            let (rules, code) = match list {
                TermList::Counterfeit => (&pack.counterfeit_terms, Code::CounterfeitTerm),
                TermList::AdLaw => (&pack.ad_law_terms, Code::AdLaw),
                TermList::Prohibited => (&pack.prohibited_items, Code::ProhibitedItem),
            };
            let Some(r) = rules.get(rule as usize) else {
                continue;
            };
            // Slang, ad-law terms and prohibited goods in a category field are the
            // platform's words, not the seller's, except prohibited goods.
            if h.field == Field::Category && list != TermList::Prohibited {
                continue;
            }
            let matched = text_of(h.field).get(h.orig.0..h.orig.1).unwrap_or("");
            let detail = match list {
                TermList::Counterfeit => {
                    if r.class == "euphemism" {
                        euphemism = true;
                    }
                    let strength = match r.class.as_str() {
                        "strong" => "强",
                        "medium" => "中",
                        "euphemism" => "单独为弱、与商标同现为强",
                        _ => "弱",
                    };
                    cat(&[
                        "假冒暗语「",
                        matched,
                        "」(规则词「",
                        &r.pattern,
                        "」,",
                        strength,
                        "信号;",
                        &r.source,
                        ")",
                    ])
                }
                TermList::AdLaw if r.class == "health_claim" => {
                    cat(&["非药品宣称疗效「", matched, "」(", &r.source, ")"])
                }
                TermList::AdLaw if r.class == "state_organ" => cat(&[
                    "使用或变相使用国家机关、国家机关工作人员的名义或形象「",
                    matched,
                    "」(",
                    &r.source,
                    ")",
                ]),
                TermList::AdLaw => cat(&["广告绝对化用语「", matched, "」(", &r.source, ")"]),
                TermList::Prohibited => {
                    cat(&["禁止网络销售的物品「", matched, "」(", &r.source, ")"])
                }
            };
            reasons.push(reason(
                code,
                h.field,
                h.orig,
                r.id.clone(),
                r.weight,
                detail,
            ));
        }
        // Geographical indications named for goods from elsewhere.
        // Where the listing is, looked up only when a GI is named.
        let mut location: Option<Option<(Vec<String>, String)>> = None;
        let mut seen_gi: Vec<u32> = Vec::new();
        for h in hits.iter() {
            let Target::Gi { gi } = h.target else {
                continue;
            };
            if h.field == Field::Category || seen_gi.contains(&gi) {
                continue;
            }
            seen_gi.push(gi);
            let Some(g) = pack.gis.get(gi as usize) else {
                continue;
            };
            let Some((places, shown)) = location.get_or_insert_with(|| self.location(listing))
            else {
                continue;
            };
            let inside = places.iter().any(|p| {
                g.region_codes
                    .iter()
                    .any(|c| wangjian_region::is_within(p, c))
            });
            if inside {
                continue;
            }
            // A coarser place that contains the origin (哈尔滨市 for 五常市) does not say the
            // goods come from elsewhere: origin not confirmed, at a lower weight.
            let contains_origin = places.iter().any(|p| {
                g.region_codes
                    .iter()
                    .any(|c| wangjian_region::is_within(c, p))
            });
            let mut detail = cat(&["地理标志「", &g.name, "」的产地为 "]);
            for (i, c) in g.region_codes.iter().enumerate() {
                if i > 0 {
                    detail.push('、');
                }
                detail.push_str(c);
                if let Some(n) = wangjian_region::full_name(c) {
                    detail.push(' ');
                    detail.push_str(&n);
                }
            }
            detail.push(',');
            detail.push_str(shown);
            let weight = if contains_origin {
                detail.push_str("范围大于产地,产地未能确认");
                round(g.weight as f64 * policy.gi_unconfirmed_factor).max(1)
            } else {
                detail.insert(detail.len() - shown.len(), '但');
                detail.push_str("不在产地范围内");
                g.weight
            };
            reasons.push(reason(
                Code::GiOrigin,
                h.field,
                h.orig,
                g.id.clone(),
                weight,
                detail,
            ));
        }
        // Regulated categories without a valid licence, once per licence kind.
        let mut seen_kind: Vec<&str> = Vec::new();
        for h in hits.iter() {
            let Target::Regulated { rule } = h.target else {
                continue;
            };
            let Some(r) = pack.regulated.get(rule as usize) else {
                continue;
            };
            let field_ok = r.fields.iter().any(|f| f == h.field.as_str());
            if !field_ok || seen_kind.contains(&r.license_kind.as_str()) {
                continue;
            }
            let problem = license_problem(&r.license_kind, listing.shop.license_no.as_deref());
            seen_kind.push(r.license_kind.as_str());
            if let Some(problem) = problem {
                let matched = text_of(h.field).get(h.orig.0..h.orig.1).unwrap_or("");
                reasons.push(reason(
                    Code::RegulatedNoLicense,
                    h.field,
                    h.orig,
                    r.id.clone(),
                    r.weight,
                    cat(&[
                        "「",
                        matched,
                        "」须取得",
                        &r.license,
                        ":",
                        &problem,
                        "(",
                        &r.source,
                        ")",
                    ]),
                ));
            }
        }
        reasons.sort_by(|a, b| {
            (a.field, a.start, a.end, a.code, &a.rule)
                .cmp(&(b.field, b.start, b.end, b.code, &b.rule))
        });
        let (score, level) = score(policy, &reasons, euphemism);
        Verdict {
            listing_id: listing.id.to_string(),
            score,
            level,
            reasons,
        }
    }

    /// Whether the listing fits mark `mark`: one of its category words, or a word of one of
    /// its Nice classes, is named.
    fn fits(&self, mark: u32, categories: &[u32], listing_classes: u64) -> bool {
        let i = mark as usize;
        self.tables
            .mark_classes
            .get(i)
            .is_some_and(|c| c & listing_classes != 0)
            || self
                .tables
                .mark_categories
                .get(i)
                .is_some_and(|own| own.iter().any(|c| categories.binary_search(c).is_ok()))
    }

    /// Whether an ordinary word of the text contains the match-form range `r` or crosses
    /// one of its ends, or (with `exact`) is the range itself: then the seller wrote that
    /// word (益智 for the mark 懿旨; 透气 质量 joined for the mark 气质), not the mark. Words
    /// strictly inside a longer range do not count (a four-syllable sound-alike may
    /// contain an ordinary two-character word). A word the original text splits (踏板 in
    /// 安踏 板鞋: the match form joins Han characters across the space) counts only when
    /// the range is split as well (透气 质量 for 气质).
    fn on_ordinary_word(
        &self,
        match_form: &MatchForm,
        text: &str,
        r: (usize, usize),
        exact: bool,
    ) -> bool {
        const LONGEST: usize = 4;
        let form = match_form.as_str();
        // Whether form[a..b] stands in the original as written, nothing dropped between.
        let joined = |a: usize, b: usize| {
            let o = match_form.original_range(a..b);
            text.get(o)
                .is_some_and(|t| t.chars().count() == form[a..b].chars().count())
        };
        let split_range = !joined(r.0, r.1);
        if self.ordinary.is_empty() || r.0 >= r.1 || form.get(r.0..r.1).is_none() {
            return false;
        }
        // Character boundaries from LONGEST - 1 characters before the range to as many after.
        let mut bounds: Vec<usize> = form[..r.0]
            .char_indices()
            .rev()
            .take(LONGEST - 1)
            .map(|(i, _)| i)
            .collect();
        bounds.reverse();
        bounds.extend(form[r.0..r.1].char_indices().map(|(i, _)| r.0 + i));
        bounds.push(r.1);
        bounds.extend(
            form[r.1..]
                .char_indices()
                .skip(1)
                .map(|(i, _)| r.1 + i)
                .take(LONGEST - 1),
        );
        if form[r.1..].chars().count() < LONGEST {
            bounds.push(form.len());
        }
        bounds.dedup();
        for (i, &a) in bounds.iter().enumerate() {
            for &b in bounds.iter().skip(i + 2).take(LONGEST - 1) {
                let overlaps = a < r.1 && b > r.0;
                let inside = r.0 <= a && b <= r.1 && ((a, b) != r || !exact);
                if overlaps
                    && !inside
                    && self.ordinary.contains(&form[a..b])
                    && (split_range || joined(a, b))
                {
                    return true;
                }
            }
        }
        false
    }

    /// Codes of the places the listing says it is (ship-from first, then the shop's
    /// province and city), with a readable description; `None` when neither is known.
    fn location(&self, listing: &ListingRef<'_>) -> Option<(Vec<String>, String)> {
        let mut places = Vec::new();
        let mut shown = Vec::new();
        if let Some(sf) = listing
            .ship_from
            .as_deref()
            .filter(|s| !s.trim().is_empty())
        {
            if let Some(m) = wangjian_region::find_in_address(sf) {
                places.extend(m.candidates.iter().map(|r| r.code_str()));
                shown.push(cat(&["发货地「", sf, "」"]));
            }
        }
        let shop_place = cat(&[
            listing.shop.province.as_deref().unwrap_or(""),
            listing.shop.city.as_deref().unwrap_or(""),
        ]);
        if !shop_place.trim().is_empty() {
            if let Some(m) = wangjian_region::find_in_address(&shop_place) {
                places.extend(m.candidates.iter().map(|r| r.code_str()));
                shown.push(cat(&["店铺所在地「", &shop_place, "」"]));
            }
        }
        if places.is_empty() {
            None
        } else {
            Some((places, shown.join("、")))
        }
    }
}

/// Why a shop's licence does not cover a regulated category, or `None` when it does.
fn license_problem(kind: &str, license: Option<&str>) -> Option<String> {
    let Some(no) = license.map(str::trim).filter(|s| !s.is_empty()) else {
        return Some("店铺未公示许可证".into());
    };
    use wangjian_ids::Kind;
    let kinds: &[Kind] = match kind {
        // A seller of prepackaged food only needs a filing, not a licence (食品安全法 2021
        // 第三十五条): asking every snack shop for a licence is stricter than the law.
        "food" => &[
            Kind::FoodLicense,
            Kind::FoodProductionLicense,
            Kind::FoodFiling,
        ],
        // Special foods (保健食品, 婴幼儿配方食品) are sold under a licence.
        "special_food" => &[Kind::FoodLicense, Kind::FoodProductionLicense],
        "drug" => &[Kind::DrugLicense],
        "medical_device" => &[Kind::DeviceLicense],
        // No published number format to check: showing one is what we can verify.
        _ => return None,
    };
    let mut last = None;
    for k in kinds {
        match wangjian_ids::check(*k, no) {
            Ok(_) => return None,
            Err(e) => last = Some(e.to_string()),
        }
    }
    Some(format!(
        "店铺公示的许可证号「{no}」无效({})",
        last.unwrap_or_default()
    ))
}

/// Score and level of a set of reasons. See the crate documentation.
pub(crate) fn score(
    policy: &crate::pack::Policy,
    reasons: &[Reason],
    euphemism: bool,
) -> (u32, Level) {
    if reasons.is_empty() {
        return (0, Level::None);
    }
    let has = |c: Code| reasons.iter().any(|r| r.code == c);
    let full_mark = reasons
        .iter()
        .any(|r| r.code == Code::Mark && r.weight >= policy.mark_weight);
    let other = reasons.iter().any(|r| {
        !matches!(
            r.code,
            Code::Mark | Code::UnauthorizedSeller | Code::DescriptiveUse
        )
    });
    let mut total = 0.0;
    for code in Code::ALL {
        if code == Code::UnauthorizedSeller && !other {
            continue;
        }
        let mut ws: Vec<u32> = reasons
            .iter()
            .filter(|r| r.code == code)
            .map(|r| r.weight)
            .collect();
        if ws.is_empty() {
            continue;
        }
        ws.sort_unstable_by(|a, b| b.cmp(a));
        let max = ws[0] as f64;
        let rest: f64 = ws[1..].iter().map(|w| *w as f64).sum();
        total += (max + policy.repeat_factor * rest).min(1.5 * max);
    }
    let mut s = round(total).min(100);
    // A euphemism (尾单, 原厂品质) next to a mark says what a strong term says.
    let strong = euphemism
        || reasons
            .iter()
            .any(|r| r.code == Code::CounterfeitTerm && r.weight >= policy.strong_term_weight);
    // Floors.
    if has(Code::ProhibitedItem) || (full_mark && strong) {
        s = s.max(policy.level_high);
    }
    if full_mark && has(Code::PriceAnomaly) {
        s = s.max(policy.level_medium);
    }
    // Caps.
    if !other {
        // Marks, descriptive use and seller alone: recorded, never more than low.
        s = s.min(policy.level_medium.saturating_sub(1));
    }
    if has(Code::DescriptiveUse) && !full_mark && !has(Code::ProhibitedItem) {
        s = s.min(policy.level_high.saturating_sub(1));
    }
    let s = s.max(policy.level_low.min(1));
    let level = if s >= policy.level_high {
        Level::High
    } else if s >= policy.level_medium {
        Level::Medium
    } else if s >= policy.level_low {
        Level::Low
    } else {
        Level::None
    };
    (s.min(100), level)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// What `fmt_price` must write: `format!("{p:.2}")` with trailing zeros and point cut.
    fn reference(p: f64) -> String {
        let s = format!("{p:.2}");
        s.trim_end_matches('0').trim_end_matches('.').to_string()
    }

    #[test]
    fn prices_are_written_like_format_trimmed() {
        for p in [
            0.0,
            -0.0,
            0.001,
            0.005,
            0.015,
            0.125,
            0.375,
            1.005,
            2.675,
            9.995,
            99.9,
            100.0,
            845.94,
            1e9,
            1e9 - 0.005,
            123456789.125,
            -3.5,
            -0.004,
            1e300,
            f64::MIN_POSITIVE,
        ] {
            assert_eq!(fmt_price(p), reference(p), "{p:?}");
        }
    }

    proptest! {
        #[test]
        fn any_price_is_written_like_format_trimmed(p in -1e10f64..1e10) {
            prop_assert_eq!(fmt_price(p), reference(p));
        }

        #[test]
        fn prices_in_cents_and_half_cents_too(cents in 0i64..2_000_000_000, half in any::<bool>()) {
            let p = (cents as f64 + if half { 0.5 } else { 0.0 }) / 100.0;
            prop_assert_eq!(fmt_price(p), reference(p));
        }
    }
}
