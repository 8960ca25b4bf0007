//! Mainland China mobile numbers: 11 digits starting with an assigned segment
//! (工业和信息化部《电信网编号计划（2017年版）》 and later assignments; `data/SOURCE.md`).

use std::sync::LazyLock;

use crate::{first_bad, trimmed, Invalid, Kind, Parsed, Part, Parts};

const SEGMENTS_TSV: &str = include_str!("../data/phone_segments.tsv");

/// (segment, operator).
static SEGMENTS: LazyLock<Vec<(&'static str, &'static str)>> = LazyLock::new(|| {
    SEGMENTS_TSV
        .lines()
        .skip(1)
        .filter_map(|l| {
            let mut f = l.split('\t');
            Some((f.next()?, f.next()?))
        })
        .collect()
});

/// Parses a mainland mobile number, with or without `+86`, `0086` or `86 ` in front and
/// with spaces, dashes or dots between digits; normalized to 11 digits. The first three
/// digits must be a segment assigned to mobile service.
pub fn parse_phone(value: &str) -> Result<Parsed, Invalid> {
    let v = trimmed(value)?;
    let compact: String = v
        .chars()
        .filter(|c| !matches!(c, ' ' | '-' | '.' | '(' | ')'))
        .collect();
    let rest = if let Some(r) = compact.strip_prefix("+86") {
        r
    } else if let Some(r) = compact.strip_prefix("0086") {
        r
    } else if compact.len() == 13 && compact.starts_with("86") {
        &compact[2..]
    } else {
        &compact
    };
    first_bad(rest, 0, "a digit", |c| c.is_ascii_digit())?;
    if rest.len() != 11 {
        return Err(Invalid::Length {
            found: rest.chars().count(),
            expected: "11 digits (after +86 / 0086)",
        });
    }
    if !rest.starts_with('1') {
        return Err(Invalid::Char {
            position: 1,
            found: rest.chars().next().unwrap_or('?'),
            expected: "1 (mobile numbers start with 1)",
        });
    }
    let segment = &rest[..3];
    let Some(&(_, operator)) = SEGMENTS.iter().find(|s| s.0 == segment) else {
        return Err(Invalid::Code {
            what: "mobile number segment",
            found: segment.to_string(),
            context: " (not assigned to 11-digit mobile numbers)".to_string(),
        });
    };
    Ok(Parsed {
        warnings: Vec::new(),
        kind: Kind::Phone,
        normalized: rest.to_string(),
        parts: Parts(vec![
            Part::new("segment", segment, operator),
            Part::new("subscriber", &rest[3..], ""),
        ]),
    })
}
