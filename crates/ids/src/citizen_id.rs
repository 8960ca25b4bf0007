//! 公民身份号码: GB 11643-1999 《公民身份号码》.

use chrono::{Datelike, NaiveDate};

use crate::{first_bad, region_part, trimmed, Invalid, Kind, Parsed, Part, Parts};

/// GB 11643-1999 §7.2 (ISO 7064 MOD 11-2): weight of position i is 2^(18-i) mod 11.
const WEIGHTS: [u32; 17] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];

/// The earliest birth year accepted; older dates are typing errors.
const MIN_YEAR: i32 = 1850;

/// Sex, from the parity of the sequence code (GB 11643-1999 §6.4: odd for men).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Sex {
    /// Odd sequence code.
    Male,
    /// Even sequence code.
    Female,
}

impl Sex {
    /// 男 or 女.
    pub fn chinese(self) -> &'static str {
        match self {
            Sex::Male => "男",
            Sex::Female => "女",
        }
    }
}

/// A valid citizen identity number. Personal data: print it with [`CitizenId::mask`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CitizenId {
    /// The 18 characters (a 15-digit number is upgraded, §8 of the standard's notes).
    pub number: String,
    /// True when the input was the 15-digit form (issued before 1999).
    pub upgraded_from_15: bool,
    /// 地址码 (positions 1–6): the county where it was first issued.
    pub region: &'static wangjian_region::Region,
    /// 出生日期码 (positions 7–14).
    pub birth_date: NaiveDate,
    /// 顺序码 (positions 15–17).
    pub sequence: u16,
    /// From the parity of the sequence code.
    pub sex: Sex,
    /// 校验码 (position 18).
    pub check_char: char,
}

impl CitizenId {
    /// The number for public output: the 6-digit region code and the last 4 characters
    /// kept, the 8 characters of the birth date replaced by `*`
    /// (`11010519491231002X` → `110105********002X`).
    pub fn mask(&self) -> String {
        mask(&self.number)
    }
}

/// Masks any 18-character citizen identity number as [`CitizenId::mask`] does; other
/// lengths keep their first and last character only.
pub fn mask(number: &str) -> String {
    let chars: Vec<char> = number.chars().collect();
    if chars.len() == 18 {
        let mut s: String = chars[..6].iter().collect();
        s.push_str("********");
        s.extend(&chars[14..]);
        s
    } else {
        chars
            .iter()
            .enumerate()
            .map(|(i, c)| {
                if i == 0 || i + 1 == chars.len() {
                    *c
                } else {
                    '*'
                }
            })
            .collect()
    }
}

fn check_char(first17: &[u8]) -> char {
    let sum: u32 = first17
        .iter()
        .zip(WEIGHTS)
        .map(|(b, w)| u32::from(b - b'0') * w)
        .sum();
    match (12 - sum % 11) % 11 {
        10 => 'X',
        d => char::from_digit(d, 10).unwrap_or('?'),
    }
}

/// Parses a citizen identity number without comparing its birth date to today (the date
/// must still exist and be after 1850). See [`parse_citizen_id_on`].
pub fn parse_citizen_id(value: &str) -> Result<CitizenId, Invalid> {
    parse(value, None)
}

/// Parses a citizen identity number (GB 11643-1999): 18 characters — 6-digit region
/// code (§6.2, GB/T 2260, current or retired), 8-digit birth date (§6.3, a real date, not
/// after `today`), 3-digit sequence (§6.4, odd for men) and a check character (§6.5,
/// ISO 7064 MOD 11-2, `X` for 10; a lower-case `x` is accepted). The 15-digit form
/// (6 region, 6 date YYMMDD in the 1900s, 3 sequence, no check) is upgraded to 18.
pub fn parse_citizen_id_on(value: &str, today: NaiveDate) -> Result<CitizenId, Invalid> {
    parse(value, Some(today))
}

pub(crate) fn parse(value: &str, today: Option<NaiveDate>) -> Result<CitizenId, Invalid> {
    let v = trimmed(value)?;
    let n = v.chars().count();
    let (number, upgraded) = match n {
        18 => {
            first_bad(v, 0, "a digit", |c| c.is_ascii_digit()).or_else(|e| match e {
                Invalid::Char {
                    position: 18,
                    found: 'X' | 'x',
                    ..
                } => Ok(()),
                Invalid::Char {
                    position: 18,
                    found,
                    ..
                } => Err(Invalid::Char {
                    position: 18,
                    found,
                    expected: "a digit or X",
                }),
                e => Err(e),
            })?;
            (v.to_ascii_uppercase(), false)
        }
        15 => {
            first_bad(v, 0, "a digit", |c| c.is_ascii_digit())?;
            let mut s = String::with_capacity(18);
            s.push_str(&v[..6]);
            s.push_str("19");
            s.push_str(&v[6..15]);
            let c = check_char(s.as_bytes());
            s.push(c);
            (s, true)
        }
        _ => {
            return Err(Invalid::Length {
                found: n,
                expected: "18 characters (or the old 15 digits)",
            })
        }
    };
    let b = number.as_bytes();
    let (_, region) = region_part("region", &number[..6], "1-6")?;
    let date_text = &number[6..14];
    let date = parse_date(date_text).ok_or_else(|| Invalid::Date {
        text: date_text.to_string(),
    })?;
    if date.year() < MIN_YEAR {
        return Err(Invalid::Date {
            text: date_text.to_string(),
        });
    }
    if let Some(today) = today {
        if date > today {
            return Err(Invalid::FutureDate { date, today });
        }
    }
    let sequence: u16 = number[14..17].parse().map_err(|_| Invalid::Format {
        expected: "6-digit region, 8-digit date, 3-digit sequence, check character",
    })?;
    let expected = check_char(&b[..17]);
    let found = char::from(b[17]);
    if found != expected {
        return Err(Invalid::Check {
            what: "check character",
            position: 18,
            found,
            expected,
        });
    }
    Ok(CitizenId {
        number,
        upgraded_from_15: upgraded,
        region,
        birth_date: date,
        sequence,
        sex: if sequence % 2 == 1 {
            Sex::Male
        } else {
            Sex::Female
        },
        check_char: found,
    })
}

fn parse_date(s: &str) -> Option<NaiveDate> {
    let y: i32 = s.get(0..4)?.parse().ok()?;
    let m: u32 = s.get(4..6)?.parse().ok()?;
    let d: u32 = s.get(6..8)?.parse().ok()?;
    NaiveDate::from_ymd_opt(y, m, d)
}

impl From<CitizenId> for Parsed {
    fn from(c: CitizenId) -> Self {
        let code = c.region.code_str();
        let region = region_part("region", &code, "1-6")
            .map(|(p, _)| p)
            .unwrap_or_else(|_| Part::new("region", code.clone(), c.region.name));
        let mut parts = vec![
            region,
            Part::new(
                "birth_date",
                c.birth_date.format("%Y-%m-%d").to_string(),
                "出生日期",
            ),
            Part::new(
                "sequence",
                format!("{:03}", c.sequence),
                format!("顺序码（{}）", c.sex.chinese()),
            ),
            Part::new("check_char", c.check_char.to_string(), "校验码"),
        ];
        if c.upgraded_from_15 {
            parts.push(Part::new("upgraded_from_15", "true", "由15位号码升位"));
        }
        Parsed {
            warnings: Vec::new(),
            kind: Kind::CitizenId,
            // Never the full number: the normalized form of personal data is masked.
            normalized: c.mask(),
            parts: Parts(parts),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn standard_example() {
        // GB 11643-1999 附录 example.
        let c = parse_citizen_id("11010519491231002X").unwrap();
        assert_eq!(c.sex, Sex::Female);
        assert_eq!(c.mask(), "110105********002X");
        assert_eq!(check_char(b"11010519491231002"), 'X');
    }
}
