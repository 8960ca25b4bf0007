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
    /// Strength (counterfeit terms) or kind (`absolute`, `health_claim` for ad-law terms).
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
    /// Licence kind: `food`, `drug`, `medical_device`, `pesticide`, `veterinary_drug`.
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
    /// Scoring policy.
    pub policy: Policy,
    /// Where each rule id was read from (file, line); not part of the rule-set version.
    #[serde(skip)]
    pub origins: BTreeMap<String, (String, u64)>,
}

/// The files a rule pack consists of; each must be present.
pub const PACK_FILES: [&str; 7] = [
    "counterfeit_terms.csv",
    "ad_law_terms.csv",
    "prohibited_items.csv",
    "regulated_categories.csv",
    "gi.csv",
    "descriptive_cues.csv",
    "policy.csv",
];

/// The default pack, embedded in the binary (`rules/default/`).
pub fn embedded_pack_files() -> [(&'static str, &'static str); 7] {
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
            "policy.csv",
            include_str!("../../../rules/default/policy.csv"),
        ),
    ]
}

/// Reads CSV text with a header into (line, column → value) rows, reporting problems.
struct Table {
    header: Vec<String>,
    rows: Vec<(u64, Vec<String>)>,
}

impl Table {
    fn read(
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

    fn col(&self, row: &[String], name: &str) -> String {
        self.header
            .iter()
            .position(|h| h == name)
            .and_then(|i| row.get(i))
            .cloned()
            .unwrap_or_default()
    }
}

fn problem(file: &str, line: u64, message: impl Into<String>) -> Problem {
    Problem {
        file: file.to_string(),
        line,
        message: message.into(),
    }
}

fn split_list(s: &str) -> Vec<String> {
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
                            && !matches!(class.as_str(), "strong" | "medium" | "weak")
                        {
                            problems.push(problem(
                                name,
                                *line,
                                format!("`{id}`: strength '{class}' is not strong, medium or weak"),
                            ));
                            continue;
                        }
                        if *kind == "ad_law_terms.csv"
                            && !matches!(class.as_str(), "absolute" | "health_claim")
                        {
                            problems.push(problem(
                                name,
                                *line,
                                format!("`{id}`: kind '{class}' is not absolute or health_claim"),
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
            "descriptive.mark_factor" | "price.anomaly_ratio" | "score.repeat_factor" => {
                match ratio(&value) {
                    Some(r) => match key.as_str() {
                        "descriptive.mark_factor" => p.descriptive_mark_factor = r,
                        "price.anomaly_ratio" => p.price_anomaly_ratio = r,
                        _ => p.repeat_factor = r,
                    },
                    None => problems.push(bad("a number from 0 to 1")),
                }
            }
            "descriptive.window_chars" | "pinyin.min_syllables" => {
                match value.parse::<usize>().ok().filter(|n| *n <= 64) {
                    Some(n) if key == "descriptive.window_chars" => p.descriptive_window_chars = n,
                    Some(n) => p.pinyin_min_syllables = n.max(1),
                    None => problems.push(bad("a whole number from 0 to 64")),
                }
            }
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

/// A protected mark with its written forms and rights data (one row of a marks file).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Mark {
    /// The mark as registered (耐克 or NIKE).
    pub mark: String,
    /// Other written forms (Nike, 耐克, 乔丹 …).
    pub aliases: Vec<String>,
    /// Rights holder.
    pub owner: String,
    /// Product words the mark is used on (鞋, 运动鞋, 服装).
    pub categories: Vec<String>,
    /// Reference retail price in CNY.
    pub reference_price_cny: Option<f64>,
    /// Shop ids or names authorized to sell.
    pub authorized_shops: Vec<String>,
    /// 驰名商标: protected across categories.
    pub well_known: bool,
    /// Where the mark was read from (file, line), for messages; not part of the rule-set
    /// version.
    #[serde(skip)]
    pub origin: (String, u64),
}

/// Parses a marks CSV (header `mark,aliases,owner,categories,reference_price_cny,
/// authorized_shops` and optional `well_known`). `file` names the source in problems.
pub fn parse_marks(file: &str, text: &str) -> Result<Vec<Mark>, Problems> {
    let mut problems = Vec::new();
    let req = [
        "mark",
        "aliases",
        "owner",
        "categories",
        "reference_price_cny",
        "authorized_shops",
    ];
    let Some(t) = Table::read(file, text, &req, &mut problems) else {
        return Err(Problems(problems));
    };
    let has_wk = t.header.iter().any(|h| h == "well_known");
    let mut marks = Vec::with_capacity(t.rows.len());
    let mut names: HashMap<String, u64> = HashMap::new();
    for (line, row) in &t.rows {
        let mark = t.col(row, "mark");
        let mut ok = true;
        if mark.is_empty() {
            problems.push(problem(file, *line, "empty mark"));
            ok = false;
        } else if let Some(first) = names.insert(mark.clone(), *line) {
            problems.push(problem(
                file,
                *line,
                format!("duplicate mark '{mark}' (first at line {first})"),
            ));
            ok = false;
        }
        let price_s = t.col(row, "reference_price_cny");
        let price = if price_s.is_empty() {
            None
        } else {
            match price_s.parse::<f64>() {
                Ok(p) if p.is_finite() && p > 0.0 => Some(p),
                _ => {
                    problems.push(problem(
                        file,
                        *line,
                        format!("reference_price_cny '{price_s}' is not a positive number"),
                    ));
                    ok = false;
                    None
                }
            }
        };
        let well_known = if has_wk {
            match t.col(row, "well_known").to_ascii_lowercase().as_str() {
                "" | "false" | "no" | "0" => false,
                "true" | "yes" | "1" => true,
                other => {
                    problems.push(problem(
                        file,
                        *line,
                        format!("well_known '{other}' is not true or false"),
                    ));
                    ok = false;
                    false
                }
            }
        } else {
            false
        };
        let categories = split_list(&t.col(row, "categories"));
        if categories.is_empty() && !well_known {
            problems.push(problem(
                file,
                *line,
                format!(
                    "mark '{mark}' has no categories and is not well_known: it would never match"
                ),
            ));
            ok = false;
        }
        if ok {
            marks.push(Mark {
                mark,
                aliases: split_list(&t.col(row, "aliases")),
                owner: t.col(row, "owner"),
                categories,
                reference_price_cny: price,
                authorized_shops: split_list(&t.col(row, "authorized_shops")),
                well_known,
                origin: (file.to_string(), *line),
            });
        }
    }
    if problems.is_empty() {
        Ok(marks)
    } else {
        Err(Problems(problems))
    }
}
