//! The word lists of `data/` (legal forms, branch markers, industry words), parsed once.

use std::collections::{HashMap, HashSet};
use std::sync::LazyLock;

use foldhash::fast::FixedState;

use serde::Serialize;

/// What kind of subject a legal form names. Two names whose forms are of different kinds
/// (a company and an individual business) are unlikely to be the same subject.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum FormKind {
    /// 有限责任公司, 有限公司 (公司法 第七条) and the other company forms.
    Company,
    /// 股份有限公司, 股份公司 (公司法 第七条).
    JointStock,
    /// 集团 alone.
    Group,
    /// 普通合伙, 特殊普通合伙, 有限合伙 (合伙企业法).
    Partnership,
    /// 个人独资企业.
    SoleProprietorship,
    /// 农民专业合作社 and other cooperatives.
    Cooperative,
    /// 个体工商户 and the forms individual businesses use (店, 商行, 工作室, 经营部 …).
    IndividualBusiness,
    /// 厂, 中心, 事务所, 企业: used by enterprises and individual businesses alike.
    Other,
}

impl FormKind {
    fn parse(s: &str) -> Option<FormKind> {
        Some(match s {
            "company" => FormKind::Company,
            "joint_stock" => FormKind::JointStock,
            "group" => FormKind::Group,
            "partnership" => FormKind::Partnership,
            "sole_proprietorship" => FormKind::SoleProprietorship,
            "cooperative" => FormKind::Cooperative,
            "individual_business" => FormKind::IndividualBusiness,
            "other" => FormKind::Other,
            _ => return None,
        })
    }

    /// True when names with these two forms may still be one subject: the same kind, or
    /// companies of any kind (sellers write 有限公司 for 股份有限公司 and 集团 for both), or
    /// one of them `Other` (厂, 中心 fit every kind).
    pub fn compatible(self, other: FormKind) -> bool {
        use FormKind::*;
        let companyish = |k| matches!(k, Company | JointStock | Group);
        self == other || (companyish(self) && companyish(other)) || self == Other || other == Other
    }
}

pub(crate) struct Words {
    /// Chinese legal forms as characters, longest first; Latin forms apart (matched as
    /// whole words).
    pub(crate) forms: Vec<(Vec<char>, FormKind)>,
    pub(crate) latin_forms: Vec<(&'static str, FormKind)>,
    pub(crate) form_kind: HashMap<&'static str, FormKind>,
    /// Branch markers (characters, text), longest first.
    pub(crate) branch_markers: Vec<(Vec<char>, &'static str)>,
    /// Industry words by their length in characters (index = length).
    pub(crate) industry: Vec<HashSet<Box<[char]>, FixedState>>,
    pub(crate) max_industry_chars: usize,
    /// Lines of the embedded data that could not be read (a test keeps this at zero).
    pub(crate) bad_lines: usize,
}

const LEGAL_FORMS: &str = include_str!("../data/legal_forms.tsv");
const BRANCH_MARKERS: &str = include_str!("../data/branch_markers.txt");
const INDUSTRY_WORDS: &str = include_str!("../data/industry_words.txt");

fn data_lines(text: &'static str) -> impl Iterator<Item = &'static str> {
    text.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
}

pub(crate) static WORDS: LazyLock<Words> = LazyLock::new(|| {
    let mut bad_lines = 0;
    let mut forms = Vec::new();
    let mut latin_forms = Vec::new();
    for line in data_lines(LEGAL_FORMS) {
        let f: Vec<&'static str> = line.split('\t').collect();
        match (f.as_slice(), f.get(1).and_then(|k| FormKind::parse(k))) {
            ([form, _, _], Some(kind)) if !form.is_empty() => {
                if form.is_ascii() {
                    latin_forms.push((*form, kind));
                } else {
                    forms.push((*form, kind));
                }
            }
            _ => bad_lines += 1,
        }
    }
    let form_kind = forms.iter().chain(&latin_forms).copied().collect();
    // Longest first, so that 股份有限公司 wins over 有限公司 and 公司.
    let mut forms: Vec<(Vec<char>, FormKind)> = forms
        .into_iter()
        .map(|(f, k)| (f.chars().collect(), k))
        .collect();
    forms.sort_by_key(|(f, _)| std::cmp::Reverse(f.len()));
    latin_forms.sort_by_key(|(f, _)| std::cmp::Reverse(f.split(' ').count()));
    let mut branch_markers: Vec<(Vec<char>, &'static str)> = data_lines(BRANCH_MARKERS)
        .map(|m| (m.chars().collect(), m))
        .collect();
    branch_markers.sort_by_key(|(m, _)| std::cmp::Reverse(m.len()));
    let mut industry: Vec<HashSet<Box<[char]>, FixedState>> = Vec::new();
    for w in data_lines(INDUSTRY_WORDS) {
        let chars: Box<[char]> = w.chars().collect();
        if industry.len() <= chars.len() {
            industry.resize(chars.len() + 1, HashSet::default());
        }
        industry[chars.len()].insert(chars);
    }
    let max_industry_chars = industry.len().saturating_sub(1);
    Words {
        forms,
        latin_forms,
        form_kind,
        branch_markers,
        industry,
        max_industry_chars,
        bad_lines,
    }
});

impl Words {
    /// The longest industry word that ends `chars`, in characters.
    pub(crate) fn industry_suffix(&self, chars: &[char]) -> Option<usize> {
        (1..=self.max_industry_chars.min(chars.len()))
            .rev()
            .find(|&n| self.industry[n].contains(&chars[chars.len() - n..]))
    }
}

#[doc(hidden)]
/// Lines of the embedded word lists that could not be read; zero for a good build.
pub fn embedded_data_problems() -> usize {
    WORDS.bad_lines
}
