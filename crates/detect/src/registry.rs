//! Marks as a registry: the rows of a marks file or a trademark register, merged into one
//! entry per (mark, owner).
//!
//! A real register holds one word for many owners (长城 for wine, cars and computers), the
//! same word in several classes for one owner (one registration per class), and traditional
//! and simplified spellings of a word by different owners. None of this is an error: every
//! owner of a word is kept, and the scan chooses among them by the listing's category
//! (see the crate documentation). Rows of one owner for one word are merged; a row that
//! repeats another (same registration, or the same word and owner in a file without
//! registration numbers) is merged with a warning, never refused.
//!
//! Two shapes are read, recognized by their header:
//! - **wangjian CSV**: `mark,aliases,owner,categories,reference_price_cny,authorized_shops`
//!   and optionally `well_known`, `classes` (Nice classes, `25|28`), `registrations`.
//! - **CNIPA open-data shape** (国家知识产权局商标数据): one row per registration, with
//!   the registration number (`注册号`), the mark text (`商标名称`), the Nice class
//!   (`国际分类`), the owner (`申请人名称`), the status (`商标状态`) and dates (`申请日期`,
//!   `注册日期`, `专用权期限` or its start and end); optionally the goods (`商品/服务`).
//!   English column names (`reg_no`, `mark`, `class`, `owner`, `status`,
//!   `expiry_date` …) are read too. Only marks in force are kept: rows whose status says
//!   the registration is void, cancelled, revoked or refused, or still an application,
//!   are skipped (商标法 第五十七条 protects 注册商标专用权), and so are rows whose
//!   exclusive term, plus the six-month grace for renewal (商标法 第四十条), ended before
//!   the caller's `as_of` date.

use std::collections::HashMap;

use serde::{Deserialize, Serialize};

use crate::pack::{problem, split_list, Problem, Problems, Table};

/// A protected mark with its written forms and rights data: one owner's entry for one word
/// (several registration rows of that owner are merged into one).
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
    /// Nice classes (1–45) the mark is registered in; each brings the category words of
    /// that class (`rules/default/nice_classes.csv`).
    #[serde(default)]
    pub classes: Vec<u8>,
    /// Registration numbers (注册号), when known.
    #[serde(default)]
    pub registrations: Vec<String>,
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

/// A calendar date as `yyyymmdd` (20261203), for comparing registration terms.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Ymd(pub u32);

impl Ymd {
    /// Reads `2026-12-03`, `2026/12/3`, `2026.12.03`, `2026年12月3日` or `20261203`.
    pub fn parse(s: &str) -> Option<Ymd> {
        let s = s.trim();
        let digits: Vec<&str> = s
            .split(|c: char| !c.is_ascii_digit())
            .filter(|p| !p.is_empty())
            .collect();
        let (y, m, d): (u32, u32, u32) = match digits.as_slice() {
            [all] if all.len() == 8 => (
                all[..4].parse().ok()?,
                all[4..6].parse().ok()?,
                all[6..].parse().ok()?,
            ),
            [y, m, d] if y.len() == 4 && m.len() <= 2 && d.len() <= 2 => {
                (y.parse().ok()?, m.parse().ok()?, d.parse().ok()?)
            }
            _ => return None,
        };
        let days = match m {
            1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
            4 | 6 | 9 | 11 => 30,
            2 if y % 4 == 0 && (y % 100 != 0 || y % 400 == 0) => 29,
            2 => 28,
            _ => return None,
        };
        ((1000..=9999).contains(&y) && (1..=days).contains(&d))
            .then_some(Ymd(y * 10000 + m * 100 + d))
    }

    /// The same day `months` later (the last day of the month when it has fewer days).
    pub fn add_months(self, months: u32) -> Ymd {
        let (y, m, d) = (self.0 / 10000, self.0 / 100 % 100, self.0 % 100);
        let total = y * 12 + (m - 1) + months;
        let (y, m) = (total / 12, total % 12 + 1);
        let last = match m {
            4 | 6 | 9 | 11 => 30,
            2 if y % 4 == 0 && (y % 100 != 0 || y % 400 == 0) => 29,
            2 => 28,
            _ => 31,
        };
        Ymd(y * 10000 + m * 100 + d.min(last))
    }
}

/// How a marks file is read.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ReadOptions {
    /// Registrations whose exclusive term (plus the six-month renewal grace) ended before
    /// this day are skipped; `None` keeps them (the caller does not know the date).
    pub as_of: Option<Ymd>,
}

/// What reading a marks file gave: the marks of its good rows, the problems of its bad
/// rows (each with its line), and the rows skipped because the mark is not in force.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct MarkRows {
    /// One mark per good row, in file order (not merged: see [`merge_marks`]).
    pub marks: Vec<Mark>,
    /// Bad rows.
    pub problems: Vec<Problem>,
    /// Rows not in force (status or expired term), with why.
    pub skipped: Vec<Problem>,
}

/// Parses a marks file in either shape (see the module documentation) and fails with every
/// problem of every row. Duplicates are not a problem: [`merge_marks`] merges them.
pub fn parse_marks(file: &str, text: &str) -> Result<Vec<Mark>, Problems> {
    let rows = read_marks(file, text, ReadOptions::default())?;
    if rows.problems.is_empty() {
        Ok(rows.marks)
    } else {
        Err(Problems(rows.problems))
    }
}

/// Reads a marks file row by row: a bad row is reported and the others are kept. Fails
/// only when the file cannot be read at all (no usable header).
pub fn read_marks(file: &str, text: &str, options: ReadOptions) -> Result<MarkRows, Problems> {
    let mut problems = Vec::new();
    let Some(t) = Table::read(file, text, &[], &mut problems) else {
        return Err(Problems(problems));
    };
    let mut rows = MarkRows {
        problems,
        ..MarkRows::default()
    };
    if t.header.iter().any(|h| h == "mark") && t.header.iter().any(|h| h == "aliases") {
        read_wangjian(file, &t, &mut rows)?;
    } else {
        read_cnipa(file, &t, options, &mut rows)?;
    }
    Ok(rows)
}

fn parse_classes(s: &str) -> Result<Vec<u8>, String> {
    let mut out = Vec::new();
    for part in s
        .split(|c: char| matches!(c, '|' | ';' | ',' | '、' | '；' | '，') || c.is_whitespace())
        .map(|p| p.trim())
        .filter(|p| !p.is_empty())
    {
        // 25, 第25类, 25类, 025
        let digits: String = part
            .trim_start_matches('第')
            .trim_end_matches('类')
            .trim()
            .to_string();
        match digits.parse::<u8>() {
            Ok(c) if (1..=45).contains(&c) => {
                if !out.contains(&c) {
                    out.push(c);
                }
            }
            _ => return Err(format!("class '{part}' is not a Nice class from 1 to 45")),
        }
    }
    out.sort_unstable();
    Ok(out)
}

fn parse_price(s: &str) -> Result<Option<f64>, String> {
    if s.is_empty() {
        return Ok(None);
    }
    match s.parse::<f64>() {
        Ok(p) if p.is_finite() && p > 0.0 => Ok(Some(p)),
        _ => Err(format!(
            "reference_price_cny '{s}' is not a positive number"
        )),
    }
}

fn read_wangjian(file: &str, t: &Table, rows: &mut MarkRows) -> Result<(), Problems> {
    let req = [
        "mark",
        "aliases",
        "owner",
        "categories",
        "reference_price_cny",
        "authorized_shops",
    ];
    let missing: Vec<Problem> = req
        .iter()
        .filter(|r| !t.header.iter().any(|h| h == *r))
        .map(|r| problem(file, 1, format!("header lacks column `{r}`")))
        .collect();
    if !missing.is_empty() {
        return Err(Problems(missing));
    }
    let has = |c: &str| t.header.iter().any(|h| h == c);
    let (has_wk, has_classes, has_regs) = (has("well_known"), has("classes"), has("registrations"));
    for (line, row) in &t.rows {
        let mut errors = Vec::new();
        let mark = t.col(row, "mark");
        if mark.is_empty() {
            errors.push("empty mark".to_string());
        }
        let price = parse_price(&t.col(row, "reference_price_cny")).unwrap_or_else(|e| {
            errors.push(e);
            None
        });
        let well_known = if has_wk {
            match t.col(row, "well_known").to_ascii_lowercase().as_str() {
                "" | "false" | "no" | "0" => false,
                "true" | "yes" | "1" => true,
                other => {
                    errors.push(format!("well_known '{other}' is not true or false"));
                    false
                }
            }
        } else {
            false
        };
        let classes = if has_classes {
            parse_classes(&t.col(row, "classes")).unwrap_or_else(|e| {
                errors.push(e);
                Vec::new()
            })
        } else {
            Vec::new()
        };
        let categories = split_list(&t.col(row, "categories"));
        if categories.is_empty() && classes.is_empty() && !well_known && !mark.is_empty() {
            errors.push(format!(
                "mark '{mark}' has no categories or classes and is not well_known: it would never match"
            ));
        }
        if !errors.is_empty() {
            rows.problems
                .extend(errors.into_iter().map(|e| problem(file, *line, e)));
            continue;
        }
        rows.marks.push(Mark {
            mark,
            aliases: split_list(&t.col(row, "aliases")),
            owner: t.col(row, "owner"),
            categories,
            classes,
            registrations: if has_regs {
                split_list(&t.col(row, "registrations"))
            } else {
                Vec::new()
            },
            reference_price_cny: price,
            authorized_shops: split_list(&t.col(row, "authorized_shops")),
            well_known,
            origin: (file.to_string(), *line),
        });
    }
    Ok(())
}

/// Column names of the CNIPA shape, Chinese first, then English.
const REG_NO: &[&str] = &[
    "注册号",
    "申请号",
    "注册号/申请号",
    "申请/注册号",
    "reg_no",
    "registration_no",
    "regno",
];
const TEXT: &[&str] = &[
    "商标名称",
    "商标",
    "商标文字",
    "mark_name",
    "tm_name",
    "mark",
];
const CLASS: &[&str] = &[
    "国际分类",
    "国际分类号",
    "类别",
    "类号",
    "class",
    "nice_class",
    "int_cls",
];
const OWNER: &[&str] = &[
    "申请人名称",
    "申请人名称(中文)",
    "申请人名称（中文）",
    "注册人",
    "商标注册人",
    "申请人",
    "权利人",
    "owner",
    "applicant",
];
const STATUS: &[&str] = &["商标状态", "状态", "法律状态", "status"];
const TERM: &[&str] = &["专用权期限", "专用期限", "专用权期", "term"];
const TERM_END: &[&str] = &[
    "专用权期限截止日期",
    "专用权截止日期",
    "专用权期限终止日期",
    "有效期至",
    "截止日期",
    "expiry_date",
    "term_end",
];
const GOODS: &[&str] = &[
    "商品/服务",
    "商品服务",
    "核定使用商品",
    "使用商品",
    "商品服务项目",
    "goods",
];
const DATES: &[&str] = &[
    "申请日期",
    "申请日",
    "注册日期",
    "注册公告日期",
    "初审公告日期",
    "application_date",
    "registration_date",
];

fn column(t: &Table, names: &[&str]) -> Option<usize> {
    names
        .iter()
        .find_map(|n| t.header.iter().position(|h| h.eq_ignore_ascii_case(n)))
}

/// Whether a CNIPA status means the registration protects the mark today; `Err` says why
/// not. An empty status counts as registered.
pub(crate) fn status_in_force(status: &str) -> Result<(), &'static str> {
    // 商标法 第四十四条 (宣告无效), 第四十九条 (撤销), 第四十条 (未续展注销), 第三十条
    // (驳回 / 不予注册): no exclusive right remains.
    const DEAD: [&str; 9] = [
        "无效",
        "注销",
        "撤销",
        "销亡",
        "驳回",
        "不予注册",
        "失效",
        "过期",
        "已届满",
    ];
    // Applications not yet registered (商标法 第三十九条: the term runs from registration).
    const PENDING: [&str; 7] = ["申请中", "等待", "审查", "初审", "异议", "受理", "待审"];
    let s = status.trim();
    if DEAD.iter().any(|w| s.contains(w)) {
        return Err("registration no longer in force");
    }
    if PENDING.iter().any(|w| s.contains(w)) && !s.contains("已注册") {
        return Err("an application, not yet registered");
    }
    Ok(())
}

fn read_cnipa(
    file: &str,
    t: &Table,
    options: ReadOptions,
    rows: &mut MarkRows,
) -> Result<(), Problems> {
    let (Some(text_c), Some(class_c), Some(owner_c)) =
        (column(t, TEXT), column(t, CLASS), column(t, OWNER))
    else {
        return Err(Problems(vec![problem(
            file,
            1,
            "header is neither the marks CSV (mark,aliases,owner,categories,reference_price_cny,authorized_shops) nor a trademark register (商标名称, 国际分类, 申请人名称 and optionally 注册号, 商标状态, 专用权期限)",
        )]));
    };
    let get = |row: &[String], c: Option<usize>| -> String {
        c.and_then(|i| row.get(i)).cloned().unwrap_or_default()
    };
    let (reg_c, status_c, term_c, end_c, goods_c) = (
        column(t, REG_NO),
        column(t, STATUS),
        column(t, TERM),
        column(t, TERM_END),
        column(t, GOODS),
    );
    let date_cs: Vec<(usize, &str)> = DATES
        .iter()
        .filter_map(|n| column(t, &[n]).map(|c| (c, *n)))
        .collect();
    for (line, row) in &t.rows {
        let mut errors = Vec::new();
        let mark = get(row, Some(text_c));
        let owner = get(row, Some(owner_c));
        if mark.is_empty() {
            errors.push("empty mark name (商标名称)".to_string());
        }
        if owner.is_empty() {
            errors.push("empty owner (申请人名称)".to_string());
        }
        let classes = match parse_classes(&get(row, Some(class_c))) {
            Ok(c) if c.is_empty() => {
                errors.push("no Nice class (国际分类)".into());
                c
            }
            Ok(c) => c,
            Err(e) => {
                errors.push(e);
                Vec::new()
            }
        };
        // The term's end: its own column, or the second date of `2010-01-07 至 2020-01-06`.
        let term_end_text = match end_c {
            Some(c) => get(row, Some(c)),
            None => get(row, term_c)
                .split(['至', '~', '～'])
                .nth(1)
                .unwrap_or("")
                .to_string(),
        };
        let term_end = if term_end_text.trim().is_empty() {
            None
        } else {
            match Ymd::parse(&term_end_text) {
                Some(d) => Some(d),
                None => {
                    errors.push(format!("term end '{}' is not a date", term_end_text.trim()));
                    None
                }
            }
        };
        for (c, name) in &date_cs {
            let v = get(row, Some(*c));
            if !v.trim().is_empty() && Ymd::parse(&v).is_none() {
                errors.push(format!("{name} '{}' is not a date", v.trim()));
            }
        }
        if !errors.is_empty() {
            rows.problems
                .extend(errors.into_iter().map(|e| problem(file, *line, e)));
            continue;
        }
        let status = get(row, status_c);
        if let Err(why) = status_in_force(&status) {
            rows.skipped.push(problem(
                file,
                *line,
                format!("'{mark}' ({owner}): status '{status}': {why}"),
            ));
            continue;
        }
        if let (Some(end), Some(today)) = (term_end, options.as_of) {
            // 商标法 第四十条: renewal may still be filed within six months after the term.
            if end.add_months(6) < today {
                rows.skipped.push(problem(
                    file,
                    *line,
                    format!(
                        "'{mark}' ({owner}): exclusive term ended {} and the six-month renewal grace has passed",
                        end.0
                    ),
                ));
                continue;
            }
        }
        let goods: Vec<String> = get(row, goods_c)
            .split([';', '；', '、', ',', '，', '|'])
            .map(|g| g.trim().to_string())
            .filter(|g| !g.is_empty())
            .collect();
        rows.marks.push(Mark {
            mark,
            aliases: Vec::new(),
            owner,
            categories: goods,
            classes,
            registrations: reg_c
                .map(|c| get(row, Some(c)))
                .filter(|r| !r.is_empty())
                .into_iter()
                .collect(),
            reference_price_cny: None,
            authorized_shops: Vec::new(),
            well_known: false,
            origin: (file.to_string(), *line),
        });
    }
    Ok(())
}

fn push_new<T: PartialEq + Clone>(into: &mut Vec<T>, from: &[T]) {
    for x in from {
        if !into.contains(x) {
            into.push(x.clone());
        }
    }
}

/// The key two rows must share to be one owner's entry for one word: the mark's match
/// form (so 長城 and 长城 of one owner are one entry) and the owner, trimmed and
/// case-folded.
fn entry_key(m: &Mark) -> (String, String) {
    let key: String = wangjian_text::normalize(&m.mark)
        .as_str()
        .chars()
        .filter(|c| *c != ' ')
        .collect();
    (key, m.owner.trim().to_lowercase())
}

/// Merges rows of one owner for one word into one entry (classes, categories, aliases,
/// registrations and authorized shops joined; well known when any row says so; the first
/// reference price kept). Returns the entries in order of first appearance and a warning
/// for each row that repeats another (the same registration number, or the same word and
/// owner without registration numbers) or contradicts it (another reference price).
/// Rows of one owner in several classes, each with its own registration, are the normal
/// shape of a register and merge without a warning.
pub fn merge_marks(marks: Vec<Mark>) -> (Vec<Mark>, Vec<Problem>) {
    let mut out: Vec<Mark> = Vec::with_capacity(marks.len());
    let mut index: HashMap<(String, String), usize> = HashMap::with_capacity(marks.len());
    let mut warnings = Vec::new();
    for m in marks {
        let key = entry_key(&m);
        let Some(&i) = index.get(&key) else {
            index.insert(key, out.len());
            out.push(m);
            continue;
        };
        let first = &mut out[i];
        let repeated = (m.registrations.is_empty() && first.registrations.is_empty())
            || m.registrations
                .iter()
                .any(|r| first.registrations.contains(r));
        let mut why = Vec::new();
        if repeated {
            why.push("repeats".to_string());
        }
        if let (Some(a), Some(b)) = (first.reference_price_cny, m.reference_price_cny) {
            if a != b {
                why.push(format!("gives reference price {b} (kept {a})"));
            }
        }
        if !why.is_empty() {
            warnings.push(Problem {
                file: m.origin.0.clone(),
                line: m.origin.1,
                message: format!(
                    "mark '{}' of '{}' {} line {}: merged into one entry",
                    m.mark,
                    m.owner,
                    why.join(" and "),
                    first.origin.1
                ),
            });
        }
        if first.mark != m.mark && !first.aliases.contains(&m.mark) {
            first.aliases.push(m.mark.clone());
        }
        push_new(&mut first.aliases, &m.aliases);
        push_new(&mut first.categories, &m.categories);
        push_new(&mut first.classes, &m.classes);
        first.classes.sort_unstable();
        push_new(&mut first.registrations, &m.registrations);
        push_new(&mut first.authorized_shops, &m.authorized_shops);
        first.well_known |= m.well_known;
        if first.reference_price_cny.is_none() {
            first.reference_price_cny = m.reference_price_cny;
        }
    }
    (out, warnings)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_and_grace() {
        assert_eq!(Ymd::parse("2020-01-06"), Some(Ymd(20200106)));
        assert_eq!(Ymd::parse("2020年1月6日"), Some(Ymd(20200106)));
        assert_eq!(Ymd::parse("20200106"), Some(Ymd(20200106)));
        assert_eq!(Ymd::parse("2021-02-29"), None);
        assert_eq!(Ymd::parse("2024-02-29"), Some(Ymd(20240229)));
        assert_eq!(Ymd::parse("1/6/2020"), None);
        assert_eq!(Ymd(20250831).add_months(6), Ymd(20260228));
        assert_eq!(Ymd(20230831).add_months(6), Ymd(20240229));
        assert_eq!(Ymd(20261203).add_months(1), Ymd(20270103));
    }

    #[test]
    fn statuses() {
        for s in ["", "已注册", "商标已注册", "注册", "续展", "转让完成"] {
            assert!(status_in_force(s).is_ok(), "{s}");
        }
        for s in [
            "商标无效",
            "已注销",
            "撤销",
            "驳回",
            "注册申请中",
            "等待实质审查",
            "初审公告",
        ] {
            assert!(status_in_force(s).is_err(), "{s}");
        }
    }

    #[test]
    fn one_word_many_owners_and_repeated_rows() {
        let csv = "注册号,商标名称,国际分类,申请人名称,商标状态,申请日期,注册日期,专用权期限\n\
            1001,长城,33,中粮长城葡萄酒有限公司,已注册,1990-01-01,1991-01-01,2021-01-01 至 2031-01-01\n\
            1002,长城,12,长城汽车股份有限公司,已注册,1995-01-01,1996-09-01,2016-09-01 至 2026-09-01\n\
            1003,长城,9,中国长城科技集团股份有限公司,已注册,1995-01-01,1996-09-01,2016-09-01 至 2026-09-01\n\
            1004,長城,25,某服饰公司,商标无效,1995-01-01,1996-01-01,2016-01-01 至 2026-01-01\n\
            1005,长城,32,中粮长城葡萄酒有限公司,已注册,1995-01-01,1996-01-01,2006-01-01 至 2016-01-01\n\
            1001,长城,33,中粮长城葡萄酒有限公司,已注册,1990-01-01,1991-01-01,2021-01-01 至 2031-01-01\n\
            1006,长城,第12类,,已注册,,,\n";
        let rows = read_marks(
            "reg.csv",
            csv,
            ReadOptions {
                as_of: Some(Ymd(20261203)),
            },
        )
        .expect("readable");
        // 1004 is void, 1005 expired in 2016; 1006 has no owner.
        assert_eq!(rows.skipped.len(), 2, "{:?}", rows.skipped);
        assert_eq!(rows.problems.len(), 1, "{:?}", rows.problems);
        assert_eq!(rows.problems[0].line, 8);
        assert_eq!(rows.marks.len(), 4);
        let (merged, warnings) = merge_marks(rows.marks);
        assert_eq!(merged.len(), 3);
        // The repeated registration 1001 is one warning; the three owners stay apart.
        assert_eq!(warnings.len(), 1, "{warnings:?}");
        assert!(warnings[0]
            .to_string()
            .starts_with("reg.csv:7: mark '长城'"));
        assert_eq!(merged[0].classes, vec![33]);
        assert_eq!(merged[1].classes, vec![12]);
        // Within the grace period (term ended 2026-09-01, grace to 2027-03-01) the
        // registration still counts; after it, not.
        let late = read_marks(
            "reg.csv",
            csv,
            ReadOptions {
                as_of: Some(Ymd(20270302)),
            },
        )
        .expect("readable");
        assert_eq!(late.marks.len(), 2);
    }

    #[test]
    fn wangjian_rows_merge_with_a_warning() {
        let csv = "mark,aliases,owner,categories,reference_price_cny,authorized_shops,well_known,classes\n\
            熊猫,,熊猫乳品,奶粉,100,,false,29\n\
            熊猫,PANDA,熊猫乳品,酸奶,120,,false,\n\
            熊猫,,熊猫电子,电视,,,false,9\n\
            ,,,,,,,\n\
            坏,,x,,abc,,maybe,99\n";
        let rows = read_marks("m.csv", csv, ReadOptions::default()).expect("readable");
        assert_eq!(rows.problems.len(), 4, "{:?}", rows.problems);
        assert!(rows.problems.iter().all(|p| p.line == 6));
        let (merged, warnings) = merge_marks(rows.marks);
        assert_eq!(merged.len(), 2);
        assert_eq!(warnings.len(), 1);
        assert!(warnings[0]
            .message
            .contains("repeats and gives reference price 120 (kept 100)"));
        assert_eq!(merged[0].categories, vec!["奶粉", "酸奶"]);
        assert_eq!(merged[0].aliases, vec!["PANDA"]);
        assert!(parse_marks("m.csv", csv).is_err());
    }
}
