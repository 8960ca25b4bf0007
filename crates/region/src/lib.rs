//! Administrative division codes of China (GB/T 2260): look a code up, name its
//! ancestors, and find the division named in a free-text address.
//!
//! The table covers provinces, prefectures and counties: every code in use at the end of
//! 2025, plus every code retired since 1980 (marked [`Region::retired`], with the last
//! year it was in use). Retired codes matter because identifiers issued under them
//! (citizen identity numbers, credit codes) keep them for life.
//!
//! The data is embedded (`data/regions.tsv`, sources in `data/SOURCE.md`) and parsed once,
//! lazily. This crate must never do I/O, never panic on outside input, and never guess a
//! code that is not in the table.

#![deny(missing_docs)]

use std::collections::HashMap;
use std::fmt;
use std::ops::Range;
use std::sync::LazyLock;

use aho_corasick::{AhoCorasick, MatchKind};

mod short;

/// The three levels of GB/T 2260 (GB/T 2260-2007 §4: 省级, 地级, 县级).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Level {
    /// 省级: province, autonomous region, municipality, special administrative region.
    Province,
    /// 地级: prefecture-level city, prefecture, league, autonomous prefecture.
    Prefecture,
    /// 县级: district, county, county-level city, banner, …
    County,
}

impl Level {
    /// The English word used in tables and command output: `province`, `prefecture`,
    /// `county`.
    pub fn as_str(self) -> &'static str {
        match self {
            Level::Province => "province",
            Level::Prefecture => "prefecture",
            Level::County => "county",
        }
    }

    /// The Chinese name of the level: 省级, 地级, 县级.
    pub fn chinese(self) -> &'static str {
        match self {
            Level::Province => "省级",
            Level::Prefecture => "地级",
            Level::County => "县级",
        }
    }

    fn depth(self) -> u8 {
        match self {
            Level::Province => 0,
            Level::Prefecture => 1,
            Level::County => 2,
        }
    }
}

impl fmt::Display for Level {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One administrative division.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Region {
    /// The 6-digit code as a number (`330106`); see [`Region::code_str`].
    pub code: u32,
    /// Full official name (西湖区, 浙江省).
    pub name: &'static str,
    /// Short name used in everyday addresses, when it differs (浙江, 杭州, 西湖).
    pub short_name: Option<&'static str>,
    /// Province, prefecture or county.
    pub level: Level,
    /// The nearest existing ancestor. A district of a municipality or a county directly
    /// under a province (省直辖县级行政区划) has the province as parent.
    pub parent: Option<u32>,
    /// True when the code is no longer in use.
    pub retired: bool,
    /// For a retired code, the last year it was in use, when known.
    pub last_year: Option<u16>,
    /// What replaced a retired code, or earlier names of a reused code; may be empty.
    pub note: &'static str,
}

impl Region {
    /// The code as 6 digits (`"330106"`).
    pub fn code_str(&self) -> String {
        format!("{:06}", self.code)
    }

    /// `current` or `retired`.
    pub fn status(&self) -> &'static str {
        if self.retired {
            "retired"
        } else {
            "current"
        }
    }
}

/// A division found in free text by [`find_in_address`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AddressMatch {
    /// The most specific division reached (the best candidate when ambiguous).
    pub region: &'static Region,
    /// Every division that fits the text equally well, best first; more than one only
    /// when the text does not say which (朝阳区 alone: Beijing's or Changchun's).
    pub candidates: Vec<&'static Region>,
    /// Byte range of the text from the first to the last name matched.
    pub span: Range<usize>,
    /// The level of [`AddressMatch::region`].
    pub level: Level,
}

impl AddressMatch {
    /// True when more than one division fits.
    pub fn is_ambiguous(&self) -> bool {
        self.candidates.len() > 1
    }
}

struct Table {
    regions: Vec<Region>,
    by_code: HashMap<u32, usize>,
    /// Every full and short name → indexes of the regions that carry it.
    by_name: HashMap<&'static str, Vec<usize>>,
    /// One-character abbreviation → province index.
    by_abbreviation: HashMap<char, usize>,
    /// Automaton over the keys of `names`, pattern id = index into `names`.
    automaton: Option<AhoCorasick>,
    /// (pattern text, whether it is a full name, region indexes).
    names: Vec<(&'static str, bool, Vec<usize>)>,
    /// Rows of the embedded data that could not be read (a test keeps this at zero).
    bad_rows: usize,
}

static TABLE: LazyLock<Table> = LazyLock::new(build_table);

const REGIONS_TSV: &str = include_str!("../data/regions.tsv");
const ABBREVIATIONS_TSV: &str = include_str!("../data/province_abbreviations.tsv");
const ETHNIC_GROUPS: &str = include_str!("../data/ethnic_groups.txt");

fn parse_code(s: &str) -> Option<u32> {
    if s.len() == 6 && s.bytes().all(|b| b.is_ascii_digit()) {
        s.parse().ok()
    } else {
        None
    }
}

fn build_table() -> Table {
    let ethnic: Vec<&str> = ETHNIC_GROUPS.split_whitespace().collect();
    let mut regions = Vec::new();
    let mut bad_rows = 0;
    for line in REGIONS_TSV.lines().skip(1) {
        let f: Vec<&'static str> = line.split('\t').collect();
        if f.len() != 7 {
            bad_rows += 1;
            continue;
        }
        let (Some(code), level) = (parse_code(f[0]), f[2]) else {
            bad_rows += 1;
            continue;
        };
        let level = match level {
            "province" => Level::Province,
            "prefecture" => Level::Prefecture,
            "county" => Level::County,
            _ => {
                bad_rows += 1;
                continue;
            }
        };
        let parent = if f[3].is_empty() {
            None
        } else {
            match parse_code(f[3]) {
                Some(p) => Some(p),
                None => {
                    bad_rows += 1;
                    continue;
                }
            }
        };
        let retired = match f[4] {
            "current" => false,
            "retired" => true,
            _ => {
                bad_rows += 1;
                continue;
            }
        };
        let name = f[1];
        let short_name = short::short_name(name, level, &ethnic);
        regions.push(Region {
            code,
            name,
            short_name,
            level,
            parent,
            retired,
            last_year: f[5].parse().ok(),
            note: f[6],
        });
    }
    let by_code: HashMap<u32, usize> = regions
        .iter()
        .enumerate()
        .map(|(i, r)| (r.code, i))
        .collect();

    let mut by_name: HashMap<&'static str, Vec<usize>> = HashMap::new();
    let mut full: HashMap<&'static str, bool> = HashMap::new();
    for (i, r) in regions.iter().enumerate() {
        by_name.entry(r.name).or_default().push(i);
        full.insert(r.name, true);
        if let Some(s) = r.short_name {
            by_name.entry(s).or_default().push(i);
            full.entry(s).or_insert(false);
        }
    }
    // Current before retired, higher levels first: the order candidates are offered in.
    for list in by_name.values_mut() {
        list.sort_by_key(|&i| (regions[i].retired, regions[i].level, regions[i].code));
        list.dedup();
    }
    let mut names: Vec<(&'static str, bool, Vec<usize>)> = by_name
        .iter()
        .map(|(n, l)| (*n, full.get(n).copied().unwrap_or(false), l.clone()))
        .collect();
    names.sort_by(|a, b| a.0.cmp(b.0));
    let automaton = AhoCorasick::builder()
        .match_kind(MatchKind::Standard)
        .build(names.iter().map(|n| n.0))
        .ok();

    let mut by_abbreviation = HashMap::new();
    for line in ABBREVIATIONS_TSV.lines().skip(1) {
        let f: Vec<&str> = line.split('\t').collect();
        let Some(idx) = f
            .first()
            .and_then(|c| parse_code(c))
            .and_then(|c| by_code.get(&c))
        else {
            bad_rows += 1;
            continue;
        };
        for a in f.iter().skip(1) {
            if let Some(ch) = a.chars().next() {
                by_abbreviation.insert(ch, *idx);
            }
        }
    }

    Table {
        regions,
        by_code,
        by_name,
        by_abbreviation,
        automaton,
        names,
        bad_rows,
    }
}

fn table() -> &'static Table {
    &TABLE
}

/// Every division in the table, current and retired, ordered by code.
pub fn all() -> &'static [Region] {
    &table().regions
}

/// The division with this 6-digit code (`"330106"` → 西湖区), current or retired.
/// Anything that is not exactly six ASCII digits gives `None`.
pub fn lookup(code: &str) -> Option<&'static Region> {
    parse_code(code).and_then(lookup_code)
}

/// The division with this code as a number.
pub fn lookup_code(code: u32) -> Option<&'static Region> {
    let t = table();
    t.by_code.get(&code).map(|&i| &t.regions[i])
}

/// The nearest existing ancestor of `region` (a prefecture or a province).
pub fn parent(region: &Region) -> Option<&'static Region> {
    region.parent.and_then(lookup_code)
}

/// The chain from the province down to the division itself.
pub fn ancestry(region: &'static Region) -> Vec<&'static Region> {
    let mut chain = vec![region];
    let mut cur = region;
    // The table has at most three levels; the bound guards against a bad parent cycle.
    while let Some(p) = parent(cur) {
        if chain.len() >= 3 {
            break;
        }
        chain.push(p);
        cur = p;
    }
    chain.reverse();
    chain
}

/// The province a code belongs to (`"330106"` → 浙江省).
pub fn province_of(code: &str) -> Option<&'static Region> {
    let r = lookup(code)?;
    ancestry(r).first().copied()
}

/// The full name from the province down (`"330106"` → `浙江省杭州市西湖区`,
/// `"110105"` → `北京市朝阳区`).
pub fn full_name(code: &str) -> Option<String> {
    let r = lookup(code)?;
    Some(ancestry(r).iter().map(|r| r.name).collect())
}

/// Divisions whose full or short name is exactly `name` (浙江, 杭州, 西湖区, 朝阳区),
/// current before retired, higher levels first.
pub fn by_name(name: &str) -> Vec<&'static Region> {
    let t = table();
    t.by_name
        .get(name.trim())
        .map(|l| l.iter().map(|&i| &t.regions[i]).collect())
        .unwrap_or_default()
}

/// The province for a one-character abbreviation (浙 → 浙江省, also 蜀 黔 滇 秦 陇).
pub fn province_by_abbreviation(abbreviation: char) -> Option<&'static Region> {
    let t = table();
    t.by_abbreviation.get(&abbreviation).map(|&i| &t.regions[i])
}

/// True when `code` is `ancestor` or lies within it (a county within its prefecture or
/// province). Unknown codes are within nothing.
pub fn is_within(code: &str, ancestor: &str) -> bool {
    let (Some(r), Some(a)) = (lookup(code), lookup(ancestor)) else {
        return false;
    };
    ancestry(r).iter().any(|x| x.code == a.code)
}

/// Score of a chain of names, compared lexicographically: more names linked, then more
/// characters matched, then current before retired.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
struct Score {
    links: u32,
    chars: u32,
    current: u32,
}

#[derive(Debug, Clone, Copy)]
struct Node {
    start: usize,
    end: usize,
    region: usize,
    score: Score,
    /// Start of the first name of the chain.
    chain_start: usize,
}

/// Finds the most specific division named in `text`, an address or any text with one.
///
/// Full names (浙江省杭州市西湖区) and short names (浙江杭州西湖, 宁夏中卫, 内蒙古) are
/// matched with one automaton over all names. Names are chained when each lies within
/// the one before it, which settles ambiguous names (鼓楼区, 朝阳区) by the province or
/// city named first; the chain with most names, then most characters, wins. A name that
/// stays ambiguous gives several [`AddressMatch::candidates`]. Retired names (崇文区)
/// are found too, after current ones. `None` when no name occurs.
pub fn find_in_address(text: &str) -> Option<AddressMatch> {
    let t = table();
    let ac = t.automaton.as_ref()?;
    // One node per (match, region); sorted by start.
    let mut nodes: Vec<Node> = Vec::new();
    for m in ac.find_overlapping_iter(text) {
        let Some((_, _, list)) = t.names.get(m.pattern().as_usize()) else {
            continue;
        };
        for &region in list {
            nodes.push(Node {
                start: m.start(),
                end: m.end(),
                region,
                score: Score {
                    links: 0,
                    chars: 0,
                    current: 0,
                },
                chain_start: m.start(),
            });
        }
    }
    if nodes.is_empty() {
        return None;
    }
    nodes.sort_by_key(|n| (n.start, n.end));
    // best[region] = best chain ending at a node of that region whose end ≤ the current
    // start. Nodes are released into `best` in order of their end.
    let mut by_end: Vec<usize> = (0..nodes.len()).collect();
    by_end.sort_by_key(|&i| nodes[i].end);
    let mut released = 0;
    let mut best: HashMap<usize, (Score, usize)> = HashMap::new();
    for i in 0..nodes.len() {
        while released < by_end.len() && nodes[by_end[released]].end <= nodes[i].start {
            let n = nodes[by_end[released]];
            let e = best.entry(n.region).or_insert((n.score, n.chain_start));
            if n.score > e.0 {
                *e = (n.score, n.chain_start);
            }
            released += 1;
        }
        let r = &t.regions[nodes[i].region];
        let mut prev: Option<(Score, usize)> = None;
        let mut anc = r.parent;
        while let Some(a) = anc {
            let Some(&ai) = t.by_code.get(&a) else { break };
            if let Some(&(s, cs)) = best.get(&ai) {
                if prev.is_none_or(|(ps, _)| s > ps) {
                    prev = Some((s, cs));
                }
            }
            anc = t.regions[ai].parent;
            if t.regions[ai].level == Level::Province {
                break;
            }
        }
        let chars = text
            .get(nodes[i].start..nodes[i].end)
            .map_or(0, |s| s.chars().count()) as u32;
        let current = u32::from(!r.retired);
        let (base, chain_start) = prev.unwrap_or((
            Score {
                links: 0,
                chars: 0,
                current: 0,
            },
            nodes[i].start,
        ));
        nodes[i].score = Score {
            links: base.links + 1,
            chars: base.chars + chars,
            current: base.current + current,
        };
        nodes[i].chain_start = chain_start;
    }
    let top = nodes.iter().map(|n| n.score).max()?;
    let mut winners: Vec<&Node> = nodes.iter().filter(|n| n.score == top).collect();
    // Equal chains: the earliest, then a higher level for the same words (乌鲁木齐 is the
    // city before 乌鲁木齐县), then by code.
    winners.sort_by_key(|n| {
        let r = &t.regions[n.region];
        (n.chain_start, r.level.depth(), r.code)
    });
    let first = winners[0];
    let mut candidates: Vec<&'static Region> = Vec::new();
    for w in &winners {
        let r = &t.regions[w.region];
        if w.chain_start == first.chain_start
            && w.end == first.end
            && r.level == t.regions[first.region].level
            && !candidates.iter().any(|c| c.code == r.code)
        {
            candidates.push(r);
        }
    }
    let region = &t.regions[first.region];
    Some(AddressMatch {
        region,
        candidates,
        span: first.chain_start..first.end,
        level: region.level,
    })
}

#[doc(hidden)]
/// Rows of the embedded data that could not be read; zero for a good build.
pub fn embedded_data_problems() -> usize {
    table().bad_rows
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn embedded_data_is_clean() {
        assert_eq!(embedded_data_problems(), 0);
        assert!(all().len() > 6000);
        let current: Vec<_> = all().iter().filter(|r| !r.retired).collect();
        assert_eq!(
            current
                .iter()
                .filter(|r| r.level == Level::Province)
                .count(),
            34
        );
        for r in all() {
            if let Some(p) = r.parent {
                assert!(lookup_code(p).is_some(), "parent of {} missing", r.code);
            }
        }
    }
}
