//! Rule packs and marks files: the data the detector is compiled from. Every entry has an
//! id, a weight and the law, standard or notice it comes from; every problem is reported
//! with its file and line, all of them at once.

use std::collections::{BTreeMap, HashMap};
use std::fmt;

use serde::{Deserialize, Serialize};

/// One problem in a rule pack or marks file, with where it is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    /// The file (as the caller named it).
    pub file: String,
    /// 1-based line; 0 when the problem concerns the whole file.
    pub line: u64,
    /// What is wrong.
    pub message: String,
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.line == 0 {
            write!(f, "{}: {}", self.file, self.message)
        } else {
            write!(f, "{}:{}: {}", self.file, self.line, self.message)
        }
    }
}

/// Problems found while loading or compiling rules.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub struct Problems(pub Vec<Problem>);

impl fmt::Display for Problems {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, p) in self.0.iter().enumerate() {
            if i > 0 {
                f.write_str("\n")?;
            }
            write!(f, "{p}")?;
        }
        Ok(())
    }
}

/// How strong a counterfeit term is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Strength {
    /// Says "fake" outright (高仿, A货, replica).
    Strong,
    /// Usual in fakes, sometimes honest (工厂货, 复刻).
    Medium,
    /// Weak on its own (同款, 代购).
    Weak,
    /// A euphemism: weak on its own (尾单, 原厂品质, 公司货), but next to a mark it says the
    /// goods are not the rights holder's, so it counts as strong there.
    Euphemism,
}

/// A literal term rule: counterfeit slang, advertising-law term or prohibited item.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TermRule {
    /// Rule id (`cf-001`).
    pub id: String,
    /// The term as sellers write it.
    pub pattern: String,
    /// Weight 0–100.
    pub weight: u32,
    /// Law, standard or notice.
    pub source: String,
    /// Longer phrases containing the term in which it is innocent (仿古 for 仿).
    pub exceptions: Vec<String>,
    /// Strength (counterfeit terms: `strong`, `medium`, `weak`, `euphemism`) or kind
    /// (ad-law terms: `absolute`, `health_claim`, `state_organ`).
    pub class: String,
}

/// A regulated category and the licence a seller of it must show.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RegulatedRule {
    /// Rule id.
    pub id: String,
    /// The category word (食品, 药品, 农药).
    pub pattern: String,
    /// The licence, as shown to people (食品经营许可证).
    pub license: String,
    /// Licence kind: `food` (a licence, or the filing of a prepackaged-food seller),
    /// `special_food` (a licence only), `drug`, `medical_device`, `pesticide`, `veterinary_drug`.
    pub license_kind: String,
    /// Where the word counts: `category` and/or `title`.
    pub fields: Vec<String>,
    /// Weight.
    pub weight: u32,
    /// Law.
    pub source: String,
}

/// A geographical indication and its origin.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GiRule {
    /// Rule id.
    pub id: String,
    /// The GI name (中宁枸杞).
    pub name: String,
    /// Other written forms.
    pub aliases: Vec<String>,
    /// Origin region codes (GB/T 2260, 6 digits); being within any of them is being inside.
    pub region_codes: Vec<String>,
    /// Weight.
    pub weight: u32,
    /// Source.
    pub source: String,
}

/// A Nice class (尼斯分类) and the product words that fit it: a mark registered in the
/// class fits a listing that names one of them.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NiceClass {
    /// 1–45.
    pub class: u8,
    /// The class heading (服装、鞋、帽).
    pub title: String,
    /// Product words (服装, 运动鞋, 帽子).
    pub categories: Vec<String>,
    /// Source.
    pub source: String,
}

/// Where a descriptive cue stands relative to the mark.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum CuePosition {
    /// 适用于苹果.
    Before,
    /// 华为专用.
    After,
}

/// A cue that a mark only says what a product fits (商标法 第五十九条).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CueRule {
    /// Rule id.
    pub id: String,
    /// The cue (适用于, compatible with).
    pub pattern: String,
    /// Before or after the mark.
    pub position: CuePosition,
    /// Weight of the descriptive_use reason itself.
    pub weight: u32,
    /// Source.
    pub source: String,
}

/// Scoring policy (`policy.csv`). See the crate documentation for how it is applied.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Policy {
    /// Weight of a mark hit.
    pub mark_weight: u32,
    /// Weight of a price anomaly.
    pub price_anomaly_weight: u32,
    /// Weight of an unauthorized seller.
    pub unauthorized_seller_weight: u32,
    /// Share of the mark weight kept when the mark is used descriptively.
    pub descriptive_mark_factor: f64,
    /// Characters allowed between a cue and its mark.
    pub descriptive_window_chars: usize,
    /// Score at which a listing is `low`.
    pub level_low: u32,
    /// Score at which a listing is `medium`.
    pub level_medium: u32,
    /// Score at which a listing is `high`.
    pub level_high: u32,
    /// Counterfeit terms at least this heavy make mark listings high.
    pub strong_term_weight: u32,
    /// Price anomaly ratio.
    pub price_anomaly_ratio: f64,
    /// Share of weight added by further hits of one code.
    pub repeat_factor: f64,
    /// Match pinyin spellings of Chinese mark names.
    pub pinyin_enabled: bool,
    /// Match homophones of Chinese mark names on the pinyin projection.
    pub pinyin_homophones: bool,
    /// Minimum syllables of a Chinese name for pinyin matching.
    pub pinyin_min_syllables: usize,
    /// Share of the mark weight a homophone of a (not well-known) mark keeps at full length.
    pub fuzzy_homophone_factor: f64,
    /// Share of the mark weight a pinyin spelling of a (not well-known) mark keeps at full
    /// length.
    pub fuzzy_pinyin_factor: f64,
    /// Further share kept when the mark itself is a common word (熊猫, 长城).
    pub fuzzy_ordinary_mark_factor: f64,
    /// A mark is a common word when it is among this many most frequent ordinary words
    /// (brand names that the word list also holds, 耐克 or 安踏, rank lower).
    pub fuzzy_common_word_rank: usize,
    /// Syllables (Han characters; Latin: letters / 2) from which a fuzzy form keeps its
    /// whole factor; shorter marks keep `length / fuzzy.full_length` of it.
    pub fuzzy_full_length: usize,
    /// Share of a GI's weight when the listing's place contains the origin but is coarser
    /// (shipped from 哈尔滨市 for 五常大米 of 五常市): origin not confirmed.
    pub gi_unconfirmed_factor: f64,
}

impl Default for Policy {
    fn default() -> Self {
        Policy {
            mark_weight: 30,
            price_anomaly_weight: 30,
            unauthorized_seller_weight: 15,
            descriptive_mark_factor: 0.25,
            descriptive_window_chars: 6,
            level_low: 1,
            level_medium: 40,
            level_high: 70,
            strong_term_weight: 40,
            price_anomaly_ratio: 0.30,
            repeat_factor: 0.25,
            pinyin_enabled: true,
            pinyin_homophones: true,
            pinyin_min_syllables: 2,
            fuzzy_homophone_factor: 0.7,
            fuzzy_pinyin_factor: 0.8,
            fuzzy_ordinary_mark_factor: 0.5,
            fuzzy_common_word_rank: 30_000,
            fuzzy_full_length: 4,
            gi_unconfirmed_factor: 0.4,
        }
    }
}

/// A parsed rule pack.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct RulePack {
    /// Counterfeit slang.
    pub counterfeit_terms: Vec<TermRule>,
    /// Advertising-law terms.
    pub ad_law_terms: Vec<TermRule>,
    /// Prohibited online goods.
    pub prohibited_items: Vec<TermRule>,
    /// Regulated categories.
    pub regulated: Vec<RegulatedRule>,
    /// Geographical indications.
    pub gis: Vec<GiRule>,
    /// Descriptive-use cues.
    pub cues: Vec<CueRule>,
    /// Nice classes and their product words.
    pub nice_classes: Vec<NiceClass>,
    /// Ordinary words (`ordinary_words.txt`), most frequent first: a fuzzy mark hit on one
    /// of them is no evidence.
    pub ordinary_words: Vec<String>,
    /// Scoring policy.
    pub policy: Policy,
    /// Where each rule id was read from (file, line); not part of the rule-set version.
    #[serde(skip)]
    pub origins: BTreeMap<String, (String, u64)>,
}

/// The files a rule pack consists of; each must be present.
pub const PACK_FILES: [&str; 9] = [
    "counterfeit_terms.csv",
    "ad_law_terms.csv",
    "prohibited_items.csv",
    "regulated_categories.csv",
    "gi.csv",
    "descriptive_cues.csv",
    "nice_classes.csv",
    "ordinary_words.txt",
    "policy.csv",
];

/// The default pack, embedded in the binary (`rules/default/`).
pub fn embedded_pack_files() -> [(&'static str, &'static str); 9] {
    [
        (
            "counterfeit_terms.csv",
            include_str!("../../../rules/default/counterfeit_terms.csv"),
        ),
        (
            "ad_law_terms.csv",
            include_str!("../../../rules/default/ad_law_terms.csv"),
        ),
        (
            "prohibited_items.csv",
            include_str!("../../../rules/default/prohibited_items.csv"),
        ),
        (
            "regulated_categories.csv",
            include_str!("../../../rules/default/regulated_categories.csv"),
        ),
        ("gi.csv", include_str!("../../../rules/default/gi.csv")),
        (
            "descriptive_cues.csv",
            include_str!("../../../rules/default/descriptive_cues.csv"),
        ),
        (
            "nice_classes.csv",
            include_str!("../../../rules/default/nice_classes.csv"),
        ),
        (
            "ordinary_words.txt",
            include_str!("../../../rules/default/ordinary_words.txt"),
        ),
        (
            "policy.csv",
            include_str!("../../../rules/default/policy.csv"),
        ),
    ]
}

/// Reads CSV text with a header into (line, column → value) rows, reporting problems.
pub(crate) struct Table {
    pub(crate) header: Vec<String>,
    pub(crate) rows: Vec<(u64, Vec<String>)>,
}

impl Table {
    pub(crate) fn read(
        file: &str,
        text: &str,
        required: &[&str],
        problems: &mut Vec<Problem>,
    ) -> Option<Table> {
        let mut reader = csv::ReaderBuilder::new()
            .flexible(true)
            .from_reader(text.trim_start_matches('\u{feff}').as_bytes());
        let header: Vec<String> = match reader.headers() {
            Ok(h) => h.iter().map(|s| s.trim().to_string()).collect(),
            Err(e) => {
                problems.push(problem(file, 1, format!("cannot read header: {e}")));
                return None;
            }
        };
        let mut ok = true;
        for r in required {
            if !header.iter().any(|h| h == r) {
                problems.push(problem(file, 1, format!("header lacks column `{r}`")));
                ok = false;
            }
        }
        if !ok {
            return None;
        }
        let mut rows = Vec::new();
        for rec in reader.records() {
            match rec {
                Ok(r) => {
                    let line = r.position().map_or(0, |p| p.line());
                    if r.iter().all(|f| f.trim().is_empty()) {
                        continue;
                    }
                    if r.len() != header.len() {
                        problems.push(problem(
                            file,
                            line,
                            format!("{} fields, the header has {}", r.len(), header.len()),
                        ));
                        continue;
                    }
                    rows.push((line, r.iter().map(|s| s.trim().to_string()).collect()));
                }
                Err(e) => {
                    let line = e.position().map_or(0, |p| p.line());
                    problems.push(problem(file, line, format!("bad CSV: {e}")));
                }
            }
        }
        Some(Table { header, rows })
    }

    pub(crate) fn col(&self, row: &[String], name: &str) -> String {
        self.header
            .iter()
            .position(|h| h == name)
            .and_then(|i| row.get(i))
            .cloned()
            .unwrap_or_default()
    }
}

pub(crate) fn problem(file: &str, line: u64, message: impl Into<String>) -> Problem {
    Problem {
        file: file.to_string(),
        line,
        message: message.into(),
    }
}

pub(crate) fn split_list(s: &str) -> Vec<String> {
    s.split('|')
        .map(str::trim)
        .filter(|x| !x.is_empty())
        .map(str::to_string)
        .collect()
}

/// Checks the common columns (id unique, weight 0–100, source, pattern present).
struct Common<'a> {
    ids: HashMap<String, (&'a str, u64)>,
}

impl<'a> Common<'a> {
    fn check(
        &mut self,
        file: &'a str,
        line: u64,
        id: &str,
        weight: &str,
        source: &str,
        problems: &mut Vec<Problem>,
    ) -> Option<u32> {
        let mut ok = true;
        if id.is_empty() {
            problems.push(problem(file, line, "empty id"));
            ok = false;
        } else if let Some((f, l)) = self.ids.get(id) {
            problems.push(problem(
                file,
                line,
                format!("duplicate id `{id}` (first at {f}:{l})"),
            ));
            ok = false;
        } else {
            self.ids.insert(id.to_string(), (file, line));
        }
        if source.is_empty() {
            problems.push(problem(file, line, format!("`{id}` has no source")));
            ok = false;
        }
        let w = match weight.parse::<u32>() {
            Ok(w) if w <= 100 => Some(w),
            _ => {
                problems.push(problem(
                    file,
                    line,
                    format!("`{id}`: weight '{weight}' is not a whole number from 0 to 100"),
                ));
                None
            }
        };
        if ok {
            w
        } else {
            None
        }
    }
}

impl RulePack {
    /// The default pack embedded in the binary.
    pub fn embedded() -> Result<RulePack, Problems> {
        let files = embedded_pack_files();
        RulePack::parse(files.iter().map(|(n, t)| (*n, *t)))
    }

    /// Parses a pack from its files, given as (file name as it should appear in messages,
    /// contents). Files are recognized by their base name ([`PACK_FILES`]); a missing or
    /// unknown file is a problem. Every problem of every file is reported.
    pub fn parse<'a>(
        files: impl IntoIterator<Item = (&'a str, &'a str)>,
    ) -> Result<RulePack, Problems> {
        let mut problems = Vec::new();
        let mut pack = RulePack::default();
        let mut seen: BTreeMap<&str, &str> = BTreeMap::new();
        let mut common = Common {
            ids: HashMap::new(),
        };
        let files: Vec<(&str, &str)> = files.into_iter().collect();
        for (name, text) in &files {
            let base = name.rsplit(['/', '\\']).next().unwrap_or(name);
            let Some(kind) = PACK_FILES.iter().find(|k| **k == base) else {
                problems.push(problem(
                    name,
                    0,
                    format!(
                        "unknown rule file (expected one of {})",
                        PACK_FILES.join(", ")
                    ),
                ));
                continue;
            };
            seen.insert(kind, name);
            match *kind {
                "counterfeit_terms.csv" | "ad_law_terms.csv" | "prohibited_items.csv" => {
                    let class_col = match *kind {
                        "counterfeit_terms.csv" => Some("strength"),
                        "ad_law_terms.csv" => Some("kind"),
                        _ => None,
                    };
                    let mut req = vec!["id", "pattern", "weight", "source", "exceptions"];
                    if let Some(c) = class_col {
                        req.push(c);
                    }
                    let Some(t) = Table::read(name, text, &req, &mut problems) else {
                        continue;
                    };
                    let mut out = Vec::new();
                    for (line, row) in &t.rows {
                        let id = t.col(row, "id");
                        let pattern = t.col(row, "pattern");
                        let w = common.check(
                            name,
                            *line,
                            &id,
                            &t.col(row, "weight"),
                            &t.col(row, "source"),
                            &mut problems,
                        );
                        if pattern.is_empty() {
                            problems.push(problem(name, *line, format!("`{id}`: empty pattern")));
                            continue;
                        }
                        let class = class_col.map(|c| t.col(row, c)).unwrap_or_default();
                        if *kind == "counterfeit_terms.csv"
                            && !matches!(class.as_str(), "strong" | "medium" | "weak" | "euphemism")
                        {
                            problems.push(problem(
                                name,
                                *line,
                                format!("`{id}`: strength '{class}' is not strong, medium, weak or euphemism"),
                            ));
                            continue;
                        }
                        if *kind == "ad_law_terms.csv"
                            && !matches!(
                                class.as_str(),
                                "absolute" | "health_claim" | "state_organ"
                            )
                        {
                            problems.push(problem(
                                name,
                                *line,
                                format!("`{id}`: kind '{class}' is not absolute, health_claim or state_organ"),
                            ));
                            continue;
                        }
                        let exceptions = split_list(&t.col(row, "exceptions"));
                        for e in &exceptions {
                            if !e.contains(pattern.as_str()) {
                                problems.push(problem(
                                    name,
                                    *line,
                                    format!("`{id}`: exception '{e}' does not contain '{pattern}'"),
                                ));
                            }
                        }
                        if let Some(weight) = w {
                            out.push(TermRule {
                                id,
                                pattern,
                                weight,
                                source: t.col(row, "source"),
                                exceptions,
                                class,
                            });
                        }
                    }
                    match *kind {
                        "counterfeit_terms.csv" => pack.counterfeit_terms = out,
                        "ad_law_terms.csv" => pack.ad_law_terms = out,
                        _ => pack.prohibited_items = out,
                    }
                }
                "regulated_categories.csv" => {
                    let req = [
                        "id",
                        "pattern",
                        "license",
                        "license_kind",
                        "fields",
                        "weight",
                        "source",
                    ];
                    let Some(t) = Table::read(name, text, &req, &mut problems) else {
                        continue;
                    };
                    for (line, row) in &t.rows {
                        let id = t.col(row, "id");
                        let w = common.check(
                            name,
                            *line,
                            &id,
                            &t.col(row, "weight"),
                            &t.col(row, "source"),
                            &mut problems,
                        );
                        let pattern = t.col(row, "pattern");
                        let kind_s = t.col(row, "license_kind");
                        let fields = split_list(&t.col(row, "fields"));
                        let mut ok = true;
                        if pattern.is_empty() {
                            problems.push(problem(name, *line, format!("`{id}`: empty pattern")));
                            ok = false;
                        }
                        if !crate::detector::LICENSE_KINDS.contains(&kind_s.as_str()) {
                            problems.push(problem(
                                name,
                                *line,
                                format!(
                                    "`{id}`: unknown license_kind '{kind_s}' (known: {})",
                                    crate::detector::LICENSE_KINDS.join(", ")
                                ),
                            ));
                            ok = false;
                        }
                        if fields.is_empty()
                            || fields.iter().any(|f| f != "category" && f != "title")
                        {
                            problems.push(problem(
                                name,
                                *line,
                                format!("`{id}`: fields must be category and/or title"),
                            ));
                            ok = false;
                        }
                        if let (Some(weight), true) = (w, ok) {
                            pack.regulated.push(RegulatedRule {
                                id,
                                pattern,
                                license: t.col(row, "license"),
                                license_kind: kind_s,
                                fields,
                                weight,
                                source: t.col(row, "source"),
                            });
                        }
                    }
                }
                "gi.csv" => {
                    let req = ["id", "name", "aliases", "region_codes", "weight", "source"];
                    let Some(t) = Table::read(name, text, &req, &mut problems) else {
                        continue;
                    };
                    for (line, row) in &t.rows {
                        let id = t.col(row, "id");
                        let w = common.check(
                            name,
                            *line,
                            &id,
                            &t.col(row, "weight"),
                            &t.col(row, "source"),
                            &mut problems,
                        );
                        let gi_name = t.col(row, "name");
                        let codes = split_list(&t.col(row, "region_codes"));
                        let mut ok = true;
                        if gi_name.is_empty() {
                            problems.push(problem(name, *line, format!("`{id}`: empty name")));
                            ok = false;
                        }
                        if codes.is_empty() {
                            problems.push(problem(name, *line, format!("`{id}`: no region code")));
                            ok = false;
                        }
                        for c in &codes {
                            if wangjian_region::lookup(c).is_none() {
                                problems.push(problem(
                                    name,
                                    *line,
                                    format!("`{id}`: unknown region code '{c}' (GB/T 2260)"),
                                ));
                                ok = false;
                            }
                        }
                        if let (Some(weight), true) = (w, ok) {
                            pack.gis.push(GiRule {
                                id,
                                name: gi_name,
                                aliases: split_list(&t.col(row, "aliases")),
                                region_codes: codes,
                                weight,
                                source: t.col(row, "source"),
                            });
                        }
                    }
                }
                "descriptive_cues.csv" => {
                    let req = ["id", "pattern", "position", "weight", "source"];
                    let Some(t) = Table::read(name, text, &req, &mut problems) else {
                        continue;
                    };
                    for (line, row) in &t.rows {
                        let id = t.col(row, "id");
                        let w = common.check(
                            name,
                            *line,
                            &id,
                            &t.col(row, "weight"),
                            &t.col(row, "source"),
                            &mut problems,
                        );
                        let pattern = t.col(row, "pattern");
                        let position = match t.col(row, "position").as_str() {
                            "before" => Some(CuePosition::Before),
                            "after" => Some(CuePosition::After),
                            other => {
                                problems.push(problem(
                                    name,
                                    *line,
                                    format!("`{id}`: position '{other}' is not before or after"),
                                ));
                                None
                            }
                        };
                        if pattern.is_empty() {
                            problems.push(problem(name, *line, format!("`{id}`: empty pattern")));
                            continue;
                        }
                        if let (Some(weight), Some(position)) = (w, position) {
                            pack.cues.push(CueRule {
                                id,
                                pattern,
                                position,
                                weight,
                                source: t.col(row, "source"),
                            });
                        }
                    }
                }
                "nice_classes.csv" => {
                    pack.nice_classes = parse_nice_classes(name, text, &mut problems);
                }
                "ordinary_words.txt" => {
                    pack.ordinary_words = parse_word_list(name, text, &mut problems);
                }
                _ => {
                    if let Some(policy) = parse_policy(name, text, &mut problems) {
                        pack.policy = policy;
                    }
                }
            }
        }
        for kind in PACK_FILES {
            if !seen.contains_key(kind) {
                problems.push(problem(kind, 0, "missing from the rule pack"));
            }
        }
        pack.origins = common
            .ids
            .into_iter()
            .map(|(id, (f, l))| (id, (f.to_string(), l)))
            .collect();
        if problems.is_empty() {
            Ok(pack)
        } else {
            Err(Problems(problems))
        }
    }
}

fn parse_policy(file: &str, text: &str, problems: &mut Vec<Problem>) -> Option<Policy> {
    let t = Table::read(file, text, &["key", "value", "source"], problems)?;
    let mut p = Policy::default();
    let before = problems.len();
    let mut keys: HashMap<String, u64> = HashMap::new();
    for (line, row) in &t.rows {
        let key = t.col(row, "key");
        let value = t.col(row, "value");
        if let Some(first) = keys.insert(key.clone(), *line) {
            problems.push(problem(
                file,
                *line,
                format!("duplicate key `{key}` (first at line {first})"),
            ));
            continue;
        }
        let bad = |what: &str| problem(file, *line, format!("`{key}`: '{value}' is not {what}"));
        let weight = |v: &str| v.parse::<u32>().ok().filter(|w| *w <= 100);
        let ratio = |v: &str| v.parse::<f64>().ok().filter(|r| (0.0..=1.0).contains(r));
        match key.as_str() {
            "weight.mark"
            | "weight.price_anomaly"
            | "weight.unauthorized_seller"
            | "level.low"
            | "level.medium"
            | "level.high"
            | "strong_term_weight" => match weight(&value) {
                Some(w) => match key.as_str() {
                    "weight.mark" => p.mark_weight = w,
                    "weight.price_anomaly" => p.price_anomaly_weight = w,
                    "weight.unauthorized_seller" => p.unauthorized_seller_weight = w,
                    "level.low" => p.level_low = w,
                    "level.medium" => p.level_medium = w,
                    "level.high" => p.level_high = w,
                    _ => p.strong_term_weight = w,
                },
                None => problems.push(bad("a whole number from 0 to 100")),
            },
            "descriptive.mark_factor"
            | "price.anomaly_ratio"
            | "score.repeat_factor"
            | "fuzzy.homophone_factor"
            | "fuzzy.pinyin_factor"
            | "fuzzy.ordinary_mark_factor"
            | "gi.unconfirmed_factor" => match ratio(&value) {
                Some(r) => match key.as_str() {
                    "descriptive.mark_factor" => p.descriptive_mark_factor = r,
                    "price.anomaly_ratio" => p.price_anomaly_ratio = r,
                    "fuzzy.homophone_factor" => p.fuzzy_homophone_factor = r,
                    "fuzzy.pinyin_factor" => p.fuzzy_pinyin_factor = r,
                    "fuzzy.ordinary_mark_factor" => p.fuzzy_ordinary_mark_factor = r,
                    "gi.unconfirmed_factor" => p.gi_unconfirmed_factor = r,
                    _ => p.repeat_factor = r,
                },
                None => problems.push(bad("a number from 0 to 1")),
            },
            "descriptive.window_chars" | "pinyin.min_syllables" | "fuzzy.full_length" => {
                match value.parse::<usize>().ok().filter(|n| *n <= 64) {
                    Some(n) if key == "descriptive.window_chars" => p.descriptive_window_chars = n,
                    Some(n) if key == "fuzzy.full_length" => p.fuzzy_full_length = n.max(1),
                    Some(n) => p.pinyin_min_syllables = n.max(1),
                    None => problems.push(bad("a whole number from 0 to 64")),
                }
            }
            "fuzzy.common_word_rank" => match value.parse::<usize>() {
                Ok(n) => p.fuzzy_common_word_rank = n,
                Err(_) => problems.push(bad("a whole number")),
            },
            "pinyin.enabled" | "pinyin.homophones" => match value.as_str() {
                "true" | "false" => {
                    if key == "pinyin.enabled" {
                        p.pinyin_enabled = value == "true";
                    } else {
                        p.pinyin_homophones = value == "true";
                    }
                }
                _ => problems.push(bad("true or false")),
            },
            _ => problems.push(problem(file, *line, format!("unknown policy key `{key}`"))),
        }
    }
    if !(p.level_low <= p.level_medium && p.level_medium <= p.level_high) {
        problems.push(problem(
            file,
            0,
            "levels must satisfy level.low <= level.medium <= level.high",
        ));
    }
    (problems.len() == before).then_some(p)
}

/// `nice_classes.csv`: class, title, categories (`|`-separated), source; each class once.
fn parse_nice_classes(file: &str, text: &str, problems: &mut Vec<Problem>) -> Vec<NiceClass> {
    let Some(t) = Table::read(
        file,
        text,
        &["class", "title", "categories", "source"],
        problems,
    ) else {
        return Vec::new();
    };
    let mut out: Vec<NiceClass> = Vec::new();
    for (line, row) in &t.rows {
        let c = t.col(row, "class");
        let Some(class) = c.parse::<u8>().ok().filter(|c| (1..=45).contains(c)) else {
            problems.push(problem(file, *line, format!("class '{c}' is not 1 to 45")));
            continue;
        };
        if out.iter().any(|n| n.class == class) {
            problems.push(problem(file, *line, format!("class {class} given twice")));
            continue;
        }
        let source = t.col(row, "source");
        if source.is_empty() {
            problems.push(problem(file, *line, format!("class {class} has no source")));
            continue;
        }
        out.push(NiceClass {
            class,
            title: t.col(row, "title"),
            categories: split_list(&t.col(row, "categories")),
            source,
        });
    }
    out
}

/// A word list: one word a line, `#` starts a comment line (the source and licence are
/// written there); a word with spaces inside is a problem.
fn parse_word_list(file: &str, text: &str, problems: &mut Vec<Problem>) -> Vec<String> {
    let mut words = Vec::new();
    let mut sourced = false;
    for (i, line) in text.lines().enumerate() {
        let w = line.trim();
        if let Some(comment) = w.strip_prefix('#') {
            sourced |= comment.to_ascii_lowercase().contains("source");
            continue;
        }
        if w.is_empty() {
            continue;
        }
        if w.chars().any(char::is_whitespace) {
            problems.push(problem(
                file,
                i as u64 + 1,
                format!("'{w}' is not one word"),
            ));
            continue;
        }
        words.push(w.to_string());
    }
    if !sourced {
        problems.push(problem(
            file,
            0,
            "no `# source:` comment naming where the words come from",
        ));
    }
    words
}
