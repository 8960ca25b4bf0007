//! Chinese enterprise names taken apart into what identifies a subject and what does not.
//!
//! 《企业名称登记管理规定》(国务院令第734号, 2020) 第六条: an enterprise name is made of the
//! administrative division (行政区划名称), the trade name (字号), the industry or line of
//! business (行业或者经营特点) and the organization form (组织形式); enterprises trading across
//! provinces may leave out the division, and the division may also stand after the trade
//! name, in brackets (腾讯科技（深圳）有限公司). A branch's name is its enterprise's name
//! followed by where it is and 分公司、分店 or a like word.
//!
//! [`analyze_name`] folds the name (the `wangjian-text` match form: traditional →
//! simplified, full width → ASCII, lower case, separators and spaces dropped), normalizes
//! brackets (（）【】[]()〔〕｛｝ all count as brackets) and sets aside, keeping them as
//! evidence:
//!
//! 1. bracketed parts: a division (（上海）, （中国）), an organization form (（个体工商户）,
//!    （有限合伙）, （集团）) or a former name (（原…）); any other bracketed text stays in
//!    the name, without its brackets;
//! 2. a branch: the text after the enterprise's organization form when it ends with a
//!    branch word (北京京东世纪贸易有限公司**上海分公司**) — the rest is analyzed as the
//!    parent's name;
//! 3. the organization form at the end (`data/legal_forms.tsv`, longest first:
//!    股份有限公司 before 有限公司; Latin `co ltd`, `inc` …);
//! 4. divisions at the start, each within the one before (浙江省杭州市西湖区, 浙江杭州,
//!    杭州): provinces and prefecture-level cities by full or short name, other
//!    prefectures (阿里地区, not 阿里 — it starts 阿里巴巴) and counties alone only by their
//!    full name (义乌市, not 义乌), a division after its prefecture or province by either;
//!    and 中国. A division is set aside only while two characters of trade name remain
//!    (新华书店 keeps 新华).
//!
//! What remains is the **core**: the trade name followed by the industry words
//! (`data/industry_words.txt`) found at its end, split off while two characters of trade
//! name remain (阿里巴巴网络技术 → 阿里巴巴 + 网络技术). A division between the trade name
//! and the industry words (a bracketed one written without brackets: 阿里巴巴中国网络技术)
//! is set aside too, when it is 中国, a province or a prefecture-level city. An individual business written with
//! its owner's name (桐乡市张三服装店（个体工商户）) gives the owner's name as trade name (张三)
//! and 服装 as industry.

use std::cell::RefCell;
use std::collections::HashMap;
use std::sync::LazyLock;

use foldhash::fast::FixedState;

use serde::Serialize;
use wangjian_region::{Level, Region};

use crate::words::{FormKind, WORDS};

/// A division set aside from a name.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RegionPart {
    /// As written in the name (folded): 浙江省杭州市, 杭州, 中国.
    pub text: String,
    /// GB/T 2260 code of the most specific division, `None` for 中国.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub code: Option<String>,
}

/// The branch part of a branch's name.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct BranchPart {
    /// Where or which branch (上海, 杭州西湖, 西湖文化广场); may be empty (…有限公司门市部).
    pub label: String,
    /// The branch word (分公司, 支行, 分店, 店 …).
    pub marker: String,
}

/// A name taken apart. See the module documentation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct NameParts {
    /// Trade name followed by industry words: what two names are compared on.
    pub core: String,
    /// The trade name (字号), or the whole core when nothing could be split off.
    pub trade_name: String,
    /// Industry words split off the end of the core (may be empty).
    pub industry: String,
    /// Divisions set aside: the prefix first, then a bracketed one.
    pub regions: Vec<RegionPart>,
    /// Organization forms set aside, as written (folded), e.g. `股份有限公司`,
    /// `（集团）股份有限公司`, `店（个体工商户）`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub legal_form: Option<String>,
    /// The kind of subject the organization form names.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub form_kind: Option<FormKind>,
    /// For a branch: its label and branch word; the other fields describe the parent.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub branch: Option<BranchPart>,
    /// Former names given in brackets (（原杭州某某有限公司）).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub former_names: Vec<String>,
}

const OPEN: &[char] = &[
    '(', '（', '[', '［', '【', '〔', '{', '｛', '〖', '﹙', '「', '『', '《', '〈', '⁽', '₍',
];
const CLOSE: &[char] = &[
    ')', '）', ']', '］', '】', '〕', '}', '｝', '〗', '﹚', '」', '』', '》', '〉', '⁾', '₎',
];

/// The forms after which a branch's own part may follow.
const PARENT_FORMS: &[&[char]] = &[
    &['公', '司'],
    &['集', '团'],
    &['厂'],
    &['合', '作', '社'],
    &['有', '限', '合', '伙'],
    &['普', '通', '合', '伙'],
];

thread_local! {
    static FORM: RefCell<wangjian_text::MatchForm> = RefCell::new(wangjian_text::MatchForm::new());
}

/// Folds `text` into the match form (reusing one buffer per thread) and hands it to `f`.
fn with_folded<T>(text: &str, f: impl FnOnce(&str) -> T) -> T {
    FORM.with(|m| {
        let mut m = m.borrow_mut();
        wangjian_text::normalize_into(text, &mut m);
        f(m.as_str())
    })
}

/// Folds `text` into the match form and drops its spaces.
fn fold(text: &str) -> String {
    with_folded(text, |s| s.chars().filter(|c| *c != ' ').collect())
}

struct Segment {
    text: String,
    bracketed: bool,
}

/// Splits a name into unbracketed and bracketed segments. Brackets of any kind pair with
/// any closing bracket; nested brackets belong to the outermost; an unclosed bracket runs
/// to the end; a stray closing bracket is dropped.
fn segments(raw: &str) -> Vec<Segment> {
    let mut out = Vec::new();
    let mut depth = 0usize;
    let mut cur = String::new();
    for c in raw.chars() {
        if OPEN.contains(&c) {
            if depth == 0 && !cur.is_empty() {
                out.push(Segment {
                    text: std::mem::take(&mut cur),
                    bracketed: false,
                });
            }
            if depth > 0 {
                cur.push(' ');
            }
            depth += 1;
        } else if CLOSE.contains(&c) {
            match depth {
                0 => cur.push(' '),
                1 => {
                    out.push(Segment {
                        text: std::mem::take(&mut cur),
                        bracketed: true,
                    });
                    depth = 0;
                }
                _ => {
                    cur.push(' ');
                    depth -= 1;
                }
            }
        } else {
            cur.push(c);
        }
    }
    if !cur.is_empty() {
        out.push(Segment {
            text: cur,
            bracketed: depth > 0,
        });
    }
    out
}

/// Division names (full and short) → divisions, current before retired, higher levels
/// first; and for each two-character start of a name, the longest name with it.
struct RegionNames {
    by_name: HashMap<Box<[char]>, Vec<&'static Region>, FixedState>,
    longest: HashMap<[char; 2], usize, FixedState>,
    /// The longest name, in characters.
    max_chars: usize,
}

static REGION_NAMES: LazyLock<RegionNames> = LazyLock::new(|| {
    let mut by_name: HashMap<Box<[char]>, Vec<&'static Region>, FixedState> = HashMap::default();
    for r in wangjian_region::all() {
        by_name.entry(r.name.chars().collect()).or_default().push(r);
        if let Some(s) = r.short_name {
            by_name.entry(s.chars().collect()).or_default().push(r);
        }
    }
    let mut longest: HashMap<[char; 2], usize, FixedState> = HashMap::default();
    for (name, list) in by_name.iter_mut() {
        list.sort_by_key(|r| (r.retired, r.level, r.code));
        list.dedup_by_key(|r| r.code);
        if let [a, b, ..] = **name {
            let l = longest.entry([a, b]).or_default();
            *l = (*l).max(name.len());
        }
    }
    let max_chars = longest.values().copied().max().unwrap_or(0);
    RegionNames {
        by_name,
        longest,
        max_chars,
    }
});

const CHINA: [char; 2] = ['中', '国'];

fn eq_str(chars: &[char], s: &str) -> bool {
    chars.iter().copied().eq(s.chars())
}

/// Whether a division named `name` may be set aside where no division came before it:
/// provinces and prefecture-level cities by full or short name, the rest by full name.
/// 阿里 (阿里地区) starts 阿里巴巴, 西湖 starts 西湖龙井.
fn stands_alone(r: &Region, name: &[char]) -> bool {
    match r.level {
        Level::Province => true,
        Level::Prefecture => eq_str(name, r.name) || r.name.ends_with('市'),
        Level::County => eq_str(name, r.name),
    }
}

/// True when division `code` lies within `ancestor` (not equal to it).
pub(crate) fn strictly_within(code: u32, ancestor: u32) -> bool {
    let mut cur = wangjian_region::lookup_code(code);
    for _ in 0..3 {
        let Some(r) = cur else { return false };
        match r.parent {
            Some(p) if p == ancestor => return true,
            Some(p) => cur = wangjian_region::lookup_code(p),
            None => return false,
        }
    }
    false
}

/// The division a bracketed text names (上海, 香港, 中国, 浙江杭州, 湖南省长沙市), if the
/// whole text is one.
fn bracket_region(text: &str) -> Option<RegionPart> {
    let chars: Vec<char> = text.chars().collect();
    if chars == CHINA {
        return Some(RegionPart {
            text: text.to_string(),
            code: None,
        });
    }
    let (consumed, codes) = region_chain(&chars, false);
    if consumed == 0 || consumed != chars.len() {
        return None;
    }
    let code = codes.iter().rev().find_map(|(_, c)| *c)?;
    Some(RegionPart {
        text: text.to_string(),
        code: Some(format!("{code:06}")),
    })
}

/// The number of characters at the end of `chars` that are industry words, taken off
/// while at least two characters remain.
fn industry_len(chars: &[char]) -> usize {
    industry_len_keeping(chars, 2)
}

/// Like [`industry_len`], keeping at least `keep` characters.
fn industry_len_keeping(chars: &[char], keep: usize) -> usize {
    let words = &*WORDS;
    let mut end = chars.len();
    while end > keep {
        match words.industry_suffix(&chars[..end]) {
            Some(n) if end - n >= keep => end -= n,
            _ => break,
        }
    }
    chars.len() - end
}

/// Divisions at the start of `chars`, each within the one before, while two characters
/// of trade name remain after them. Returns the characters consumed and the codes found.
fn region_prefix(chars: &[char]) -> (usize, Vec<(usize, Option<u32>)>) {
    region_chain(chars, true)
}

/// Divisions at the start of `chars`, each within the one before; with `keep_trade`, only
/// while two characters of trade name remain after them.
fn region_chain(chars: &[char], keep_trade: bool) -> (usize, Vec<(usize, Option<u32>)>) {
    let names = &*REGION_NAMES;
    let mut pos = 0;
    let mut found: Vec<(usize, Option<u32>)> = Vec::new();
    let mut last: Option<&Region> = None;
    loop {
        let rest = &chars[pos..];
        let mut hit: Option<(usize, Option<&'static Region>)> = None;
        if pos == 0 && rest.starts_with(&CHINA) {
            hit = Some((2, None));
        }
        let longest = rest
            .get(..2)
            .and_then(|p| names.longest.get(&[p[0], p[1]]))
            .copied()
            .unwrap_or(0);
        for len in (2..=longest.min(rest.len())).rev() {
            if hit.is_some() {
                break;
            }
            let name = &rest[..len];
            let Some(list) = names.by_name.get(name) else {
                continue;
            };
            let pick = list.iter().copied().find(|r| match last {
                Some(l) => strictly_within(r.code, l.code),
                None => stands_alone(r, name),
            });
            if let Some(r) = pick {
                hit = Some((len, Some(r)));
            }
        }
        let Some((len, region)) = hit else { break };
        let after = &rest[len..];
        // Two characters of trade name must remain, not industry words alone (青岛啤酒
        // keeps 青岛).
        if keep_trade && (after.len() < 2 || after.len() - industry_len_keeping(after, 0) < 2) {
            break;
        }
        pos += len;
        found.push((pos, region.map(|r| r.code)));
        if region.is_some() {
            last = region;
        }
    }
    (pos, found)
}

/// A division (中国, a province or a prefecture-level city) ending a trade name, leaving
/// at least two characters of it, as (characters, the division).
fn region_suffix(trade: &[char]) -> Option<(usize, RegionPart)> {
    let names = &*REGION_NAMES;
    for n in (2..=names.max_chars.min(trade.len().saturating_sub(2))).rev() {
        let name = &trade[trade.len() - n..];
        let text = || name.iter().collect::<String>();
        if name == CHINA {
            return Some((
                n,
                RegionPart {
                    text: text(),
                    code: None,
                },
            ));
        }
        let fits = |r: &&&'static Region| r.level != Level::County && stands_alone(r, name);
        if let Some(r) = names.by_name.get(name).and_then(|l| l.iter().find(fits)) {
            let code = Some(r.code_str());
            return Some((n, RegionPart { text: text(), code }));
        }
    }
    None
}

/// The longest Chinese organization form ending `chars` (leaving at least one character,
/// two for one-character forms such as 店), as (chars, kind).
fn form_suffix(chars: &[char]) -> Option<(usize, FormKind)> {
    WORDS.forms.iter().find_map(|(form, kind)| {
        let n = form.len();
        let fits = chars.len() > n && !(n == 1 && chars.len() < 3) && chars.ends_with(form);
        fits.then_some((n, *kind))
    })
}

/// Latin organization forms at the end of a spaced, folded name (`apple inc`,
/// `huawei technologies co ltd`): (the text without them, the forms, their kind).
fn latin_form_suffix(spaced: &str) -> Option<(String, String, FormKind)> {
    let words = &*WORDS;
    let mut tokens: Vec<&str> = spaced.split(' ').filter(|t| !t.is_empty()).collect();
    let mut taken: Vec<&str> = Vec::new();
    let mut kind = None;
    'outer: loop {
        for (form, k) in &words.latin_forms {
            let ft: Vec<&str> = form.split(' ').collect();
            if tokens.len() > ft.len() && tokens.ends_with(&ft) {
                let cut = tokens.len() - ft.len();
                taken.splice(0..0, tokens.drain(cut..));
                kind.get_or_insert(*k);
                continue 'outer;
            }
        }
        break;
    }
    let kind = kind?;
    Some((tokens.concat(), taken.join(" "), kind))
}

/// Takes `name` apart (see the module documentation). Never panics; an empty or
/// meaningless name gives an empty core.
pub fn analyze_name(name: &str) -> NameParts {
    let mut main = String::new();
    let mut main_spaced = String::new();
    let mut regions_bracket: Vec<RegionPart> = Vec::new();
    let mut bracket_forms: Vec<(String, FormKind)> = Vec::new();
    let mut former_names = Vec::new();
    for seg in segments(name) {
        if !seg.bracketed {
            with_folded(&seg.text, |f| {
                main.extend(f.chars().filter(|c| *c != ' '));
                if !main_spaced.is_empty() {
                    main_spaced.push(' ');
                }
                main_spaced.push_str(f);
            });
            continue;
        }
        let folded = fold(&seg.text);
        if folded.is_empty() {
            continue;
        }
        if let Some(rest) = folded.strip_prefix('原').filter(|r| r.chars().count() >= 2) {
            former_names.push(rest.to_string());
        } else if let Some(kind) = WORDS.form_kind.get(folded.as_str()) {
            bracket_forms.push((folded, *kind));
        } else if let Some(r) = bracket_region(&folded) {
            regions_bracket.push(r);
        } else {
            main.push_str(&folded);
            main_spaced.push(' ');
            with_folded(&seg.text, |f| main_spaced.push_str(f));
        }
    }
    let chars: Vec<char> = main.chars().collect();

    // A branch: an enterprise's form, then the branch's own part ending in a branch word.
    let mut branch = None;
    let mut end = chars.len();
    if let Some((p, label, marker)) = branch_split(&chars) {
        branch = Some(BranchPart {
            label: label.iter().collect(),
            marker: marker.to_string(),
        });
        end = p;
    }
    let parent = &chars[..end];

    let mut legal_form: Option<String> = None;
    let mut form_kind: Option<FormKind> = None;
    let mut body: Vec<char> = parent.to_vec();
    if let Some((n, kind)) = form_suffix(parent) {
        legal_form = Some(parent[parent.len() - n..].iter().collect());
        form_kind = Some(kind);
        body.truncate(parent.len() - n);
    } else if branch.is_none() {
        if let Some((rest, forms, kind)) = latin_form_suffix(&main_spaced) {
            legal_form = Some(forms);
            form_kind = Some(kind);
            body = rest.chars().collect();
        }
    }
    for (f, kind) in &bracket_forms {
        let s = legal_form.get_or_insert_with(String::new);
        s.push('（');
        s.push_str(f);
        s.push('）');
        form_kind.get_or_insert(*kind);
    }

    let (consumed, codes) = region_prefix(&body);
    let mut regions = Vec::new();
    if consumed > 0 {
        let code = codes.iter().rev().find_map(|(_, c)| *c);
        regions.push(RegionPart {
            text: body[..consumed].iter().collect(),
            code: code.map(|c| format!("{c:06}")),
        });
    }
    regions.extend(regions_bracket);
    let core = &body[consumed..];
    let ind = industry_len(core);
    let mut split = core.len() - ind;
    // A bracketed division written without its brackets, between the trade name and
    // the industry words (阿里巴巴中国网络技术, 京东世纪北京贸易).
    let mut core: Vec<char> = core.to_vec();
    if ind > 0 {
        if let Some((n, region)) = region_suffix(&core[..split]) {
            regions.push(region);
            core.drain(split - n..split);
            split -= n;
        }
    }
    NameParts {
        core: core.iter().collect(),
        trade_name: core[..split].iter().collect(),
        industry: core[split..].iter().collect(),
        regions,
        legal_form,
        form_kind,
        branch,
        former_names,
    }
}

/// Where a branch's own part starts: (end of the parent's name, label, branch word).
fn branch_split(chars: &[char]) -> Option<(usize, &[char], &'static str)> {
    let words = &*WORDS;
    let (marker, text) = words
        .branch_markers
        .iter()
        .find(|(m, _)| chars.len() > m.len() && chars.ends_with(m))?;
    let label_end = chars.len() - marker.len();
    // The last parent form that ends before the branch word.
    let p = (2..=label_end).rev().find(|&p| {
        let head = &chars[..p];
        PARENT_FORMS
            .iter()
            .any(|f| head.len() > f.len() && head.ends_with(f))
    })?;
    Some((p, &chars[p..label_end], text))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parts(name: &str) -> (String, String, String, Option<String>) {
        let p = analyze_name(name);
        let region = p
            .regions
            .iter()
            .map(|r| r.text.clone())
            .collect::<Vec<_>>()
            .join("+");
        (p.trade_name, p.industry, region, p.legal_form)
    }

    fn s(x: &str) -> String {
        x.to_string()
    }

    #[test]
    fn famous_names() {
        assert_eq!(
            parts("阿里巴巴（中国）网络技术有限公司"),
            (s("阿里巴巴"), s("网络技术"), s("中国"), Some(s("有限公司")))
        );
        assert_eq!(
            parts("浙江淘宝网络有限公司"),
            (s("淘宝"), s("网络"), s("浙江"), Some(s("有限公司")))
        );
        assert_eq!(
            parts("騰訊科技(深圳)有限公司"),
            (s("腾讯"), s("科技"), s("深圳"), Some(s("有限公司")))
        );
        assert_eq!(
            parts("内蒙古蒙牛乳业（集团）股份有限公司"),
            (
                s("蒙牛"),
                s("乳业"),
                s("内蒙古"),
                Some(s("股份有限公司（集团）"))
            )
        );
        assert_eq!(
            parts("内蒙古伊利实业集团股份有限公司"),
            (
                s("伊利"),
                s("实业"),
                s("内蒙古"),
                Some(s("集团股份有限公司"))
            )
        );
        assert_eq!(
            parts("北京市京东世纪贸易有限公司"),
            (s("京东世纪"), s("贸易"), s("北京市"), Some(s("有限公司")))
        );
        assert_eq!(
            parts("Apple Inc."),
            (s("apple"), s(""), s(""), Some(s("inc")))
        );
    }

    #[test]
    fn divisions_chain_and_stop_before_the_trade_name() {
        let p = analyze_name("浙江省杭州市西湖区张小泉刀具店");
        assert_eq!(p.regions[0].text, "浙江省杭州市西湖区");
        assert_eq!(p.regions[0].code.as_deref(), Some("330106"));
        // 新华 is a district's short name, but nothing would be left of the trade name.
        assert_eq!(analyze_name("新华书店").core, "新华书");
        // A county's short name alone is not set aside; its full name is.
        assert_eq!(
            analyze_name("义乌市稠城小商品商行").regions[0].text,
            "义乌市"
        );
        assert!(analyze_name("西湖龙井茶叶有限公司").regions.is_empty());
    }

    #[test]
    fn branches_keep_their_parent() {
        let p = analyze_name("北京京东世纪贸易有限公司上海分公司");
        assert_eq!(
            p.branch,
            Some(BranchPart {
                label: s("上海"),
                marker: s("分公司")
            })
        );
        assert_eq!(p.core, "京东世纪贸易");
        let p = analyze_name("中国工商银行股份有限公司杭州西湖支行");
        assert_eq!(
            p.branch.as_ref().map(|b| b.label.as_str()),
            Some("杭州西湖")
        );
        assert_eq!(p.core, "工商银行");
        // Not a branch: 分公司 alone, or no enterprise form before the branch word.
        assert!(analyze_name("杭州市西湖区张三服装店").branch.is_none());
        assert!(analyze_name("集团有限公司").branch.is_none());
    }

    #[test]
    fn individual_business_with_owner_name() {
        let p = analyze_name("桐乡市张三服装店（个体工商户）");
        assert_eq!(p.trade_name, "张三");
        assert_eq!(p.industry, "服装");
        assert_eq!(p.legal_form.as_deref(), Some("店（个体工商户）"));
        assert_eq!(p.form_kind, Some(FormKind::IndividualBusiness));
    }

    #[test]
    fn former_names_in_brackets() {
        let p = analyze_name("海尔智家股份有限公司（原青岛海尔股份有限公司）");
        assert_eq!(p.former_names, vec![s("青岛海尔股份有限公司")]);
        assert_eq!(p.trade_name, "海尔智家");
    }

    #[test]
    fn brackets_of_every_kind() {
        for n in [
            "腾讯科技（深圳）有限公司",
            "腾讯科技(深圳)有限公司",
            "腾讯科技【深圳】有限公司",
            "腾讯科技[深圳]有限公司",
            "腾讯科技〔深圳〕有限公司",
            "腾讯科技 ( 深圳 ) 有限公司",
            "腾讯科技（广东深圳）有限公司",
            "腾讯科技（广东省深圳市）有限公司",
        ] {
            let p = analyze_name(n);
            assert_eq!(p.core, "腾讯科技", "{n}");
            assert_eq!(p.regions.len(), 1, "{n}");
        }
    }
}
