//! GTIN-8, GTIN-12 (UPC-A), GTIN-13 (EAN-13) and GTIN-14: GS1 General Specifications
//! §7.9 (check digit calculation, mod 10 with weights 3 and 1 from the right).

use crate::{first_bad, trimmed, Invalid, Kind, Parsed, Part, Parts};

/// The GS1 check digit for the digits before it: from the right, weights 3, 1, 3, …;
/// check = (10 − sum mod 10) mod 10. `None` unless all are ASCII digits.
pub fn gtin_check_digit(body: &str) -> Option<u8> {
    let mut sum = 0u32;
    for (i, b) in body.bytes().rev().enumerate() {
        if !b.is_ascii_digit() {
            return None;
        }
        let w = if i % 2 == 0 { 3 } else { 1 };
        sum += u32::from(b - b'0') * w;
    }
    Some(((10 - sum % 10) % 10) as u8)
}

fn prefix_meaning(gtin13: &str) -> &'static str {
    let p: u32 = gtin13.get(..3).and_then(|s| s.parse().ok()).unwrap_or(1000);
    match p {
        690..=699 => "GS1 China (中国物品编码中心)",
        489 => "GS1 Hong Kong, China",
        958 => "GS1 Macau, China",
        471 => "GS1 Taiwan, China",
        20..=29 | 200..=299 => "restricted circulation (in-store numbers)",
        977 => "serial publications (ISSN)",
        978 | 979 => "books (ISBN)",
        0..=19 | 30..=39 | 60..=139 => "GS1 US",
        _ => "",
    }
}

/// Parses a GTIN of 8, 12, 13 or 14 digits (spaces and dashes between digits are
/// ignored) and checks its check digit (GS1 General Specifications §7.9.1).
pub fn parse_gtin(value: &str) -> Result<Parsed, Invalid> {
    let v: String = trimmed(value)?
        .chars()
        .filter(|c| *c != ' ' && *c != '-')
        .collect();
    first_bad(&v, 0, "a digit", |c| c.is_ascii_digit())?;
    let n = v.len();
    let name = match n {
        8 => "GTIN-8",
        12 => "GTIN-12",
        13 => "GTIN-13",
        14 => "GTIN-14",
        _ => {
            return Err(Invalid::Length {
                found: n,
                expected: "8, 12, 13 or 14 digits",
            })
        }
    };
    let expected = gtin_check_digit(&v[..n - 1]).ok_or(Invalid::Format {
        expected: "digits only",
    })?;
    let found = v.as_bytes()[n - 1] - b'0';
    if found != expected {
        return Err(Invalid::Check {
            what: "check digit",
            position: n,
            found: char::from(b'0' + found),
            expected: char::from(b'0' + expected),
        });
    }
    let mut parts = vec![Part::new("format", name, "")];
    // The GS1 prefix is read on the 13-digit form (GTIN-12 gets a leading 0).
    let gtin13 = match n {
        12 => Some(format!("0{v}")),
        13 => Some(v.clone()),
        14 => Some(v[1..].to_string()),
        _ => None,
    };
    if n == 14 {
        parts.push(Part::new("indicator", &v[..1], "packaging level indicator"));
    }
    if let Some(g) = gtin13 {
        parts.push(Part::new("gs1_prefix", &g[..3], prefix_meaning(&g)));
    }
    parts.push(Part::new("check_digit", &v[n - 1..], "校验码"));
    Ok(Parsed {
        warnings: Vec::new(),
        kind: Kind::Gtin,
        normalized: v,
        parts: Parts(parts),
    })
}
