//! Reading the calendar data format (described at the top of `data/cn-holidays.txt`).
//!
//! The parser is strict on purpose: a typo in a holiday file silently moves a legal
//! deadline, so anything unexpected is an error naming the line.

use std::collections::BTreeMap;

use chrono::{Datelike, Days, NaiveDate, Weekday};

use crate::{parse_date, CalendarError, Notice};

/// Longest holiday break accepted, in days (the longest so far is 10, 2020's extended
/// Spring Festival); anything longer is taken for a typo in a date.
const MAX_BREAK_DAYS: u64 = 31;

/// Years the format accepts; well beyond any notice, but it keeps date arithmetic far
/// from chrono's limits whatever the file says.
const YEARS: std::ops::RangeInclusive<i32> = 1949..=9999;

/// What the notices say about one date.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Special {
    /// True for a day off (放假), false for a make-up working day (上班).
    pub(crate) rest: bool,
    /// The holiday's name, as the notice writes it.
    pub(crate) name: String,
    /// Index into the calendar's notices.
    pub(crate) notice: usize,
}

/// The parsed content of one data file.
#[derive(Debug, Default)]
pub(crate) struct Parsed {
    pub(crate) years: Vec<i32>,
    pub(crate) notices: Vec<Notice>,
    pub(crate) special: BTreeMap<NaiveDate, Special>,
}

fn bad(line: usize, reason: impl Into<String>) -> CalendarError {
    CalendarError::Data {
        line,
        reason: reason.into(),
    }
}

fn date_field(line: usize, field: &str) -> Result<NaiveDate, CalendarError> {
    parse_date(field).map_err(|_| bad(line, format!("{field:?} is not a date (YYYY-MM-DD)")))
}

/// Splits `s` into its first whitespace-separated word and the trimmed rest.
fn first_word(s: &str) -> (&str, &str) {
    let s = s.trim();
    match s.find(char::is_whitespace) {
        Some(i) => (&s[..i], s[i..].trim()),
        None => (s, ""),
    }
}

pub(crate) fn parse(text: &str) -> Result<Parsed, CalendarError> {
    let mut out = Parsed::default();
    let mut year: Option<i32> = None;
    let mut notice: Option<usize> = None;
    // Where each date was given, to name both lines when one is given twice.
    let mut given_on: BTreeMap<NaiveDate, usize> = BTreeMap::new();
    // (line, year, name) of each make-up day, checked against the year's holidays at the end.
    let mut workday_names: Vec<(usize, i32, String)> = Vec::new();
    let mut holiday_names: Vec<(i32, String)> = Vec::new();

    for (index, raw) in text.lines().enumerate() {
        let line = index + 1;
        let trimmed = raw.trim();
        if trimmed.is_empty() || trimmed.starts_with('#') {
            continue;
        }
        let (keyword, rest) = first_word(trimmed);
        match keyword {
            "year" => {
                let y: i32 = rest
                    .parse()
                    .ok()
                    .filter(|y| YEARS.contains(y))
                    .ok_or_else(|| bad(line, format!("{rest:?} is not a year")))?;
                if out.years.contains(&y) {
                    return Err(bad(line, format!("year {y} is given twice")));
                }
                if let Some(prev) = year {
                    if !out.notices.iter().any(|n| n.year == prev) {
                        return Err(bad(line, format!("year {prev} has no notice")));
                    }
                }
                out.years.push(y);
                year = Some(y);
                notice = None;
            }
            "notice" => {
                let y = year.ok_or_else(|| bad(line, "`notice` before any `year`"))?;
                let (number, rest) = first_word(rest);
                let (published, title) = first_word(rest);
                if number.is_empty() || title.is_empty() {
                    return Err(bad(line, "expected `notice NUMBER PUBLISHED TITLE`"));
                }
                let published = date_field(line, published)?;
                out.notices.push(Notice {
                    year: y,
                    number: number.to_owned(),
                    published,
                    title: title.to_owned(),
                });
                notice = Some(out.notices.len() - 1);
            }
            "holiday" | "workday" => {
                let y = year.ok_or_else(|| bad(line, format!("`{keyword}` before any `year`")))?;
                let n =
                    notice.ok_or_else(|| bad(line, format!("`{keyword}` before any `notice`")))?;
                let (dates, name) = first_word(rest);
                if name.is_empty() {
                    return Err(bad(line, format!("expected `{keyword} DATE NAME`")));
                }
                // A year's arrangement may start in the December before it (元旦 breaks).
                let window_first = NaiveDate::from_ymd_opt(y - 1, 12, 1);
                let window_last = NaiveDate::from_ymd_opt(y, 12, 31);
                let in_window = |d: NaiveDate| {
                    window_first.is_some_and(|f| d >= f) && window_last.is_some_and(|l| d <= l)
                };
                let (first, last) = if keyword == "holiday" {
                    match dates.split_once("..") {
                        Some((a, b)) => (date_field(line, a)?, date_field(line, b)?),
                        None => {
                            let d = date_field(line, dates)?;
                            (d, d)
                        }
                    }
                } else {
                    let d = date_field(line, dates)?;
                    if !matches!(d.weekday(), Weekday::Sat | Weekday::Sun) {
                        return Err(bad(
                            line,
                            format!(
                                "make-up working day {d} is a {}, not a weekend day",
                                d.weekday()
                            ),
                        ));
                    }
                    (d, d)
                };
                if last < first {
                    return Err(bad(line, format!("{last} is before {first}")));
                }
                if !in_window(first) || !in_window(last) {
                    return Err(bad(
                        line,
                        format!("{dates} is not in year {y} (or the December before it)"),
                    ));
                }
                let span = (last - first).num_days().unsigned_abs() + 1;
                if span > MAX_BREAK_DAYS {
                    return Err(bad(line, format!("a break of {span} days is too long")));
                }
                let mut d = first;
                loop {
                    if let Some(other) = given_on.insert(d, line) {
                        return Err(bad(line, format!("{d} is already given on line {other}")));
                    }
                    out.special.insert(
                        d,
                        Special {
                            rest: keyword == "holiday",
                            name: name.to_owned(),
                            notice: n,
                        },
                    );
                    if d >= last {
                        break;
                    }
                    d = d
                        .checked_add_days(Days::new(1))
                        .ok_or_else(|| bad(line, "date out of range"))?;
                }
                if keyword == "holiday" {
                    holiday_names.push((y, name.to_owned()));
                } else {
                    workday_names.push((line, y, name.to_owned()));
                }
            }
            other => return Err(bad(line, format!("unknown record {other:?}"))),
        }
    }
    if let Some(last) = year {
        if !out.notices.iter().any(|n| n.year == last) {
            return Err(bad(
                text.lines().count(),
                format!("year {last} has no notice"),
            ));
        }
    }
    for (line, y, name) in &workday_names {
        if !holiday_names.iter().any(|(hy, hn)| hy == y && hn == name) {
            return Err(bad(
                *line,
                format!("make-up working day for {name:?}, which is no holiday of {y}"),
            ));
        }
    }
    if out.years.is_empty() {
        return Err(bad(0, "no `year` in the data"));
    }
    out.years.sort_unstable();
    Ok(out)
}
