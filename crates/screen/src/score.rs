//! The second stage: scoring one candidate against one list entry with explainable
//! features, and the answer's types.
//!
//! Evidence, each with its weight in [0, 1]:
//!
//! - an identifier equal after normalization: USCC and citizen id weigh
//!   [`Weights::uscc`] / [`Weights::citizen_id`] (1.0 by default: the same code is the same
//!   subject), shop id and domain 0.95, a phone number 0.7 (a number is shared by family
//!   and staff), the candidate's domain a subdomain of a listed one 0.6; an identifier that
//!   fails its check weighs [`Weights::invalid_ident`] times less;
//! - the name: the Indel similarity of the trade names (字号), weighted
//!   [`Weights::trade_name`] against the square of the similarity of the industry words
//!   (the same trade name with other industry words is most often another company of the
//!   same group: 华为技术, 华为终端, 华为软件技术; a name without industry words compared
//!   with one with them: the trade names' similarity times [`Weights::missing_industry`]),
//!   or the similarity of the whole cores when that is higher; times
//!   [`Weights::region_conflict`] when both names carry divisions and neither lies within
//!   the other (北京稻香村 / 苏州稻香村), times [`Weights::legal_form_conflict`] when their
//!   organization forms name different kinds of subject (a company and an individual
//!   business), times [`Weights::related`] when one is a branch of the other or both are
//!   branches of one parent.
//!
//! The score combines the evidence as independent signals, `1 − Π(1 − wᵢ)`, then, when
//! both sides carry valid USCCs (or citizen ids) and none is shared, is multiplied by
//! [`Weights::ident_conflict`] (unless the names say parent and branch, whose codes
//! differ by law). The decision is `match` at [`Options::match_threshold`] and above when
//! the relation is `same`, `possible` from [`Options::threshold`], nothing below.

use std::collections::HashSet;

use serde::{Deserialize, Serialize, Serializer};

use crate::ident::IdentKind;
use crate::name::{strictly_within, NameParts};
use crate::record::NameVia;
use crate::similarity::similarity;
use crate::words::FormKind;

/// The weights of the evidence and the factors of the conflicts; every one can be
/// overridden by a caller (JSON with any subset of the fields; unknown fields are errors).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Weights {
    /// Equal USCC.
    pub uscc: f64,
    /// Equal citizen id.
    pub citizen_id: f64,
    /// Equal phone number.
    pub phone: f64,
    /// Equal shop id.
    pub shop_id: f64,
    /// Equal domain.
    pub domain: f64,
    /// The candidate's domain is a subdomain of a listed one.
    pub subdomain: f64,
    /// Factor on an identifier match whose value fails its format check.
    pub invalid_ident: f64,
    /// Share of the trade name in the name similarity (the rest is the industry words).
    pub trade_name: f64,
    /// Factor when only one of the two names has industry words.
    pub missing_industry: f64,
    /// Factor when both names carry divisions and neither lies within the other.
    pub region_conflict: f64,
    /// Factor when the organization forms name different kinds of subject.
    pub legal_form_conflict: f64,
    /// Factor for a parent and its branch, or two branches of one parent.
    pub related: f64,
    /// Factor when both sides carry valid USCCs (or citizen ids) and none is shared.
    pub ident_conflict: f64,
}

impl Default for Weights {
    fn default() -> Self {
        Weights {
            uscc: 1.0,
            citizen_id: 1.0,
            phone: 0.7,
            shop_id: 0.95,
            domain: 0.95,
            subdomain: 0.6,
            invalid_ident: 0.85,
            trade_name: 0.7,
            missing_industry: 0.85,
            region_conflict: 0.75,
            legal_form_conflict: 0.85,
            related: 0.85,
            ident_conflict: 0.6,
        }
    }
}

impl Weights {
    pub(crate) fn ident(&self, kind: IdentKind) -> f64 {
        match kind {
            IdentKind::Uscc => self.uscc,
            IdentKind::CitizenId => self.citizen_id,
            IdentKind::Phone => self.phone,
            IdentKind::ShopId => self.shop_id,
            IdentKind::Domain => self.domain,
        }
    }

    /// The first weight outside [0, 1], as (field, value).
    pub fn out_of_range(&self) -> Option<(&'static str, f64)> {
        [
            ("uscc", self.uscc),
            ("citizen_id", self.citizen_id),
            ("phone", self.phone),
            ("shop_id", self.shop_id),
            ("domain", self.domain),
            ("subdomain", self.subdomain),
            ("invalid_ident", self.invalid_ident),
            ("trade_name", self.trade_name),
            ("missing_industry", self.missing_industry),
            ("region_conflict", self.region_conflict),
            ("legal_form_conflict", self.legal_form_conflict),
            ("related", self.related),
            ("ident_conflict", self.ident_conflict),
        ]
        .into_iter()
        .find(|(_, v)| !(0.0..=1.0).contains(v))
    }
}

/// List entries ruled false positives: for every candidate, or for one candidate id.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Exclusions {
    ids: HashSet<String>,
    pairs: HashSet<(String, String)>,
}

impl Exclusions {
    /// Never report list entry `listed_id`.
    pub fn exclude(&mut self, listed_id: impl Into<String>) {
        self.ids.insert(listed_id.into());
    }

    /// Never report list entry `listed_id` for the candidate with id `candidate_id`.
    pub fn exclude_pair(&mut self, candidate_id: impl Into<String>, listed_id: impl Into<String>) {
        self.pairs.insert((candidate_id.into(), listed_id.into()));
    }

    /// True when `listed_id` is excluded for this candidate.
    pub fn is_excluded(&self, candidate_id: Option<&str>, listed_id: &str) -> bool {
        if self.ids.contains(listed_id) {
            return true;
        }
        match candidate_id {
            Some(c) if !self.pairs.is_empty() => {
                self.pairs.contains(&(c.to_string(), listed_id.to_string()))
            }
            _ => false,
        }
    }

    /// Number of exclusions.
    pub fn len(&self) -> usize {
        self.ids.len() + self.pairs.len()
    }

    /// True when nothing is excluded.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// How one screening call is answered.
#[derive(Debug, Clone, PartialEq)]
pub struct Options {
    /// Matches scoring below this are not reported (default 0.6).
    pub threshold: f64,
    /// A `same` match scoring at least this is a `match`, else `possible` (default 0.9).
    pub match_threshold: f64,
    /// At most this many matches per candidate, best first (default 10).
    pub limit: usize,
    /// The name index returns at most this many names for scoring (default 64).
    pub retrieve: usize,
    /// Evidence weights.
    pub weights: Weights,
    /// Entries ruled false positives.
    pub exclusions: Exclusions,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            threshold: 0.6,
            match_threshold: 0.9,
            limit: 10,
            retrieve: 64,
            weights: Weights::default(),
            exclusions: Exclusions::default(),
        }
    }
}

/// `match` or `possible`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Decision {
    /// The candidate is the listed subject.
    Match,
    /// An officer should look: similar, related, or weak evidence only.
    Possible,
}

/// Whether the candidate is the listed subject itself or a subject linked to it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Relation {
    /// The same subject (as far as the evidence goes).
    Same,
    /// Another subject linked to the listed one: see [`RelatedAs`].
    Related,
}

/// How a related candidate is linked to the listed subject.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum RelatedAs {
    /// The candidate is a branch (分公司, 分店, 支行 …) of the listed subject.
    Branch,
    /// The candidate is the enterprise the listed branch belongs to.
    Parent,
    /// Both are branches of one enterprise, not the same branch.
    SiblingBranch,
    /// The candidate's website is a subdomain of the listed one.
    Subdomain,
}

fn round4<S: Serializer>(v: &f64, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_f64((v * 10_000.0).round() / 10_000.0)
}

/// What was set aside from a name, as evidence.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct SetAside {
    /// Divisions (浙江省杭州市; a bracketed one after 、).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub region: Option<String>,
    /// Organization forms.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub legal_form: Option<String>,
    /// A branch's own part (上海分公司).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub branch: Option<String>,
}

impl SetAside {
    pub(crate) fn of(p: &NameParts) -> SetAside {
        SetAside {
            region: (!p.regions.is_empty()).then(|| {
                p.regions
                    .iter()
                    .map(|r| r.text.as_str())
                    .collect::<Vec<_>>()
                    .join("、")
            }),
            legal_form: p.legal_form.clone(),
            branch: p
                .branch
                .as_ref()
                .map(|b| format!("{}{}", b.label, b.marker)),
        }
    }
}

/// An identifier equal on both sides (or the candidate's domain under a listed one).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct IdentEvidence {
    /// `uscc`, `citizen_id`, `phone`, `shop_id`, `domain`.
    pub field: IdentKind,
    /// `exact` or `subdomain`.
    pub how: &'static str,
    /// Whether the value passed its format check.
    pub valid: bool,
    /// Its weight in the score.
    #[serde(serialize_with = "round4")]
    pub weight: f64,
}

/// How the names compare.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct NameEvidence {
    /// Always `name`.
    pub field: &'static str,
    /// `exact` (equal cores, and equal branch parts) or `fuzzy`.
    pub how: &'static str,
    /// Similarity of the names, before the conflict factors.
    #[serde(serialize_with = "round4")]
    pub similarity: f64,
    /// Similarity of the trade names alone.
    #[serde(serialize_with = "round4")]
    pub trade_name_similarity: f64,
    /// Its weight in the score, after the conflict and relation factors.
    #[serde(serialize_with = "round4")]
    pub weight: f64,
    /// Which of the listed subject's names matched.
    pub via: NameVia,
    /// Which of the candidate's names matched, when not its `name`.
    #[serde(skip_serializing_if = "is_name")]
    pub candidate_via: NameVia,
    /// The listed name that matched, as listed.
    pub listed_name: String,
    /// The candidate's core (trade name + industry words).
    pub core: String,
    /// What the candidate's name had set aside.
    pub set_aside: SetAside,
    /// The listed name's core.
    pub listed_core: String,
    /// What the listed name had set aside.
    pub listed_set_aside: SetAside,
}

fn is_name(v: &NameVia) -> bool {
    *v == NameVia::Name
}

/// Evidence against: a conflict that lowered the score.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Conflict {
    /// `region`, `legal_form`, `uscc` or `citizen_id`.
    pub field: &'static str,
    /// Always `differs`.
    pub how: &'static str,
    /// The candidate's value, for regions and legal forms (identifiers are not repeated).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub candidate: Option<String>,
    /// The listed value, for regions and legal forms.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub listed: Option<String>,
    /// The factor applied.
    #[serde(serialize_with = "round4")]
    pub factor: f64,
}

/// One piece of evidence for (or against) a match.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(untagged)]
pub enum Evidence {
    /// An identifier.
    Ident(IdentEvidence),
    /// The names.
    Name(Box<NameEvidence>),
    /// A conflict.
    Conflict(Conflict),
}

/// A listed subject that matches a candidate.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Match {
    /// The listed subject's id.
    pub id: String,
    /// In [0, 1].
    #[serde(serialize_with = "round4")]
    pub score: f64,
    /// `match` or `possible`.
    pub decision: Decision,
    /// `same` or `related`.
    pub relation: Relation,
    /// For `related`: how.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub related_as: Option<RelatedAs>,
    /// The evidence, strongest first; conflicts last.
    pub matched_on: Vec<Evidence>,
}

/// The answer for one candidate.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Screening {
    /// The candidate's id, `null` when it had none.
    pub candidate_id: Option<String>,
    /// Matches, best first.
    pub matches: Vec<Match>,
}

/// Region code standing for 中国 in [`Prepared::regions`]: within nothing, compatible
/// with every division.
pub(crate) const CHINA: u32 = 0;

/// A name as the scorer needs it: characters, codes and kinds, no strings.
#[derive(Debug, Clone)]
pub(crate) struct Prepared {
    /// Trade name followed by industry words.
    pub(crate) core: Box<[char]>,
    /// Characters of `core` that are trade name.
    pub(crate) trade_len: u16,
    pub(crate) regions: Box<[u32]>,
    pub(crate) form: Option<FormKind>,
    /// For a branch, its label without 省市区县 characters.
    pub(crate) branch: Option<Box<[char]>>,
}

impl Prepared {
    pub(crate) fn of(p: &NameParts) -> Prepared {
        let core: Box<[char]> = p.core.chars().collect();
        let trade_len = p.trade_name.chars().count().min(u16::MAX as usize) as u16;
        Prepared {
            core,
            trade_len,
            regions: p
                .regions
                .iter()
                .map(|r| {
                    r.code
                        .as_deref()
                        .and_then(|c| c.parse().ok())
                        .unwrap_or(CHINA)
                })
                .collect(),
            form: p.form_kind,
            branch: p.branch.as_ref().map(|b| {
                b.label
                    .chars()
                    .filter(|c| !matches!(c, '省' | '市' | '区' | '县'))
                    .collect()
            }),
        }
    }

    pub(crate) fn view(&self) -> NameView<'_> {
        NameView {
            core: &self.core,
            trade_len: self.trade_len as usize,
            regions: &self.regions,
            form: self.form,
            branch: self.branch.as_deref(),
        }
    }
}

/// A prepared name, borrowed: from a [`Prepared`] or from an index's flat arrays.
#[derive(Debug, Clone, Copy)]
pub(crate) struct NameView<'a> {
    pub(crate) core: &'a [char],
    pub(crate) trade_len: usize,
    pub(crate) regions: &'a [u32],
    pub(crate) form: Option<FormKind>,
    pub(crate) branch: Option<&'a [char]>,
}

impl NameView<'_> {
    fn trade(&self) -> &[char] {
        &self.core[..self.trade_len.min(self.core.len())]
    }

    fn industry(&self) -> &[char] {
        &self.core[self.trade_len.min(self.core.len())..]
    }
}

fn regions_compatible(a: &[u32], b: &[u32]) -> bool {
    if a.is_empty() || b.is_empty() {
        return true;
    }
    a.iter().any(|&x| {
        b.iter().any(|&y| {
            x == y || x == CHINA || y == CHINA || strictly_within(x, y) || strictly_within(y, x)
        })
    })
}

/// How two names compare, before identifiers are considered.
#[derive(Debug, Clone, Copy)]
pub(crate) struct NameScore {
    /// Similarity before factors.
    pub(crate) similarity: f64,
    pub(crate) trade_similarity: f64,
    /// After the region, form and relation factors.
    pub(crate) weight: f64,
    pub(crate) exact: bool,
    pub(crate) relation: Option<RelatedAs>,
    pub(crate) region_conflict: bool,
    pub(crate) form_conflict: bool,
}

/// Compares a candidate's name `c` with a listed name `e`.
pub(crate) fn name_score(c: NameView, e: NameView, w: &Weights) -> Option<NameScore> {
    if c.core.is_empty() || e.core.is_empty() {
        return None;
    }
    let trade = similarity(c.trade(), e.trade());
    let (ci, ei) = (c.industry(), e.industry());
    let parts = match (ci.is_empty(), ei.is_empty()) {
        (false, false) => {
            // Industry words that differ at all usually mean another subject of the same
            // group (华为技术 / 华为软件技术): their similarity counts squared.
            let ind = similarity(ci, ei);
            w.trade_name * trade + (1.0 - w.trade_name) * ind * ind
        }
        (true, true) => trade,
        _ => trade * w.missing_industry,
    };
    let mut sim = parts.max(similarity(c.core, e.core));
    let mut exact = c.core == e.core;
    let relation = match (c.branch, e.branch) {
        (None, None) => None,
        (Some(_), None) => Some(RelatedAs::Branch),
        (None, Some(_)) => Some(RelatedAs::Parent),
        (Some(a), Some(b)) => {
            let label = similarity(a, b);
            if label >= 0.8 {
                sim *= 0.5 + 0.5 * label;
                exact &= a == b;
                None
            } else {
                Some(RelatedAs::SiblingBranch)
            }
        }
    };
    let mut weight = sim;
    let region_conflict = !regions_compatible(c.regions, e.regions);
    if region_conflict {
        weight *= w.region_conflict;
    }
    let form_conflict = match (c.form, e.form) {
        (Some(a), Some(b)) => !a.compatible(b),
        _ => false,
    };
    if form_conflict {
        weight *= w.legal_form_conflict;
    }
    if relation.is_some() {
        weight *= w.related;
    }
    Some(NameScore {
        similarity: sim,
        trade_similarity: trade,
        weight,
        exact,
        relation,
        region_conflict,
        form_conflict,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::name::analyze_name;

    fn score(a: &str, b: &str) -> NameScore {
        let w = Weights::default();
        name_score(
            Prepared::of(&analyze_name(a)).view(),
            Prepared::of(&analyze_name(b)).view(),
            &w,
        )
        .expect("both names have a core")
    }

    #[test]
    fn the_same_name_written_differently_is_exact() {
        let s = score(
            "阿里巴巴（中国）网络技术有限公司",
            "阿里巴巴(中国)網絡技術有限公司",
        );
        assert!(s.exact && s.weight == 1.0 && s.relation.is_none());
        let s = score("北京京东世纪贸易有限公司", "京东世纪贸易有限公司");
        assert!(s.exact && s.weight == 1.0);
    }

    #[test]
    fn divisions_that_exclude_each_other_lower_the_score() {
        let s = score("北京稻香村食品有限责任公司", "苏州稻香村食品有限公司");
        assert!(s.exact && s.region_conflict);
        assert!(s.weight < 0.8);
        // 西湖区 lies within 杭州市: no conflict.
        assert!(!score("杭州市西湖区张三服装店", "杭州张三服装店").region_conflict);
    }

    #[test]
    fn industry_words_weigh_less_than_the_trade_name() {
        let s = score("华为技术有限公司", "华为终端有限公司");
        assert!((s.weight - 0.7).abs() < 1e-9, "{s:?}");
        let s = score("华为技术有限公司", "华为软件技术有限公司");
        assert!(s.weight < 0.9, "{s:?}");
        let s = score("杭州娃哈哈集团有限公司", "杭州哇哈哈集团有限公司");
        assert!(s.weight < 0.8, "{s:?}");
    }

    #[test]
    fn branches_are_related() {
        let parent = "北京京东世纪贸易有限公司";
        let branch = "北京京东世纪贸易有限公司上海分公司";
        assert_eq!(score(branch, parent).relation, Some(RelatedAs::Branch));
        assert_eq!(score(parent, branch).relation, Some(RelatedAs::Parent));
        assert_eq!(
            score(branch, "北京京东世纪贸易有限公司广州分公司").relation,
            Some(RelatedAs::SiblingBranch)
        );
        let same = score(branch, "北京京东世纪贸易有限公司上海市分公司");
        assert_eq!(same.relation, None);
        assert!(same.weight > 0.99);
    }

    #[test]
    fn weights_are_checked_and_read_from_json() {
        let w: Weights = serde_json::from_str(r#"{"phone": 0.5}"#).unwrap();
        assert_eq!(w.phone, 0.5);
        assert_eq!(w.uscc, 1.0);
        assert!(serde_json::from_str::<Weights>(r#"{"phon": 0.5}"#).is_err());
        let w = Weights {
            related: 1.5,
            ..Weights::default()
        };
        assert_eq!(w.out_of_range(), Some(("related", 1.5)));
    }
}
