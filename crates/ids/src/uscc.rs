//! 统一社会信用代码: GB 32100-2015 《法人和其他组织统一社会信用代码编码规则》.

use std::sync::LazyLock;

use crate::{first_bad, region_part, trimmed, Invalid, Kind, Parsed, Part, Parts};

/// GB 32100-2015 §4.2: the 31 characters used, in the order of their values 0–30
/// (0-9 and A-Z without I, O, Z, S, V).
const CHARSET: &str = "0123456789ABCDEFGHJKLMNPQRTUWXY";

/// GB 32100-2015 §4.3 (附录 B): weight of position i (1-based) is 3^(i-1) mod 31.
const WEIGHTS: [u32; 17] = [
    1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28,
];

/// GB 11714-1997 §5: weights of the eight body characters of an organization code.
const ORG_WEIGHTS: [u32; 8] = [3, 7, 9, 10, 5, 8, 4, 2];

const AUTHORITIES_TSV: &str = include_str!("../data/uscc_authorities.tsv");

/// (authority, authority name, entity type, entity type name).
static AUTHORITIES: LazyLock<Vec<(char, &'static str, char, &'static str)>> = LazyLock::new(|| {
    AUTHORITIES_TSV
        .lines()
        .skip(1)
        .filter_map(|l| {
            let f: Vec<&'static str> = l.split('\t').collect();
            match f.as_slice() {
                [a, an, t, tn] => Some((a.chars().next()?, *an, t.chars().next()?, *tn)),
                _ => None,
            }
        })
        .collect()
});

fn value_of(c: char) -> Option<u32> {
    CHARSET.chars().position(|x| x == c).map(|p| p as u32)
}

/// The 18th character for the first 17 (GB 32100-2015 §4.3): C18 = 31 − (Σ Ci·Wi mod 31),
/// where 31 becomes 0. `None` when `first17` is not 17 characters of the code's set.
pub fn uscc_check_char(first17: &str) -> Option<char> {
    let mut sum = 0u32;
    let mut n = 0;
    for (c, w) in first17.chars().zip(WEIGHTS) {
        sum += value_of(c)? * w;
        n += 1;
    }
    if n != 17 || first17.chars().count() != 17 {
        return None;
    }
    let v = (31 - sum % 31) % 31;
    CHARSET.chars().nth(v as usize)
}

/// The 9th character of an organization code for its first 8 (GB 11714-1997 §5):
/// C9 = 11 − (Σ Ci·Wi mod 11), 10 written `X`, 11 written `0`. Digits count 0–9 and
/// letters A–Z count 10–35.
pub fn organization_code_check_char(first8: &str) -> Option<char> {
    if first8.chars().count() != 8 {
        return None;
    }
    let mut sum = 0u32;
    for (c, w) in first8.chars().zip(ORG_WEIGHTS) {
        let v = c.to_digit(36)?;
        if c.is_ascii_lowercase() {
            return None;
        }
        sum += v * w;
    }
    Some(match 11 - sum % 11 {
        10 => 'X',
        11 => '0',
        d => char::from_digit(d, 10)?,
    })
}

/// A valid unified social credit code and its parts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Uscc {
    /// The 18 characters, upper case.
    pub code: String,
    /// 登记管理部门代码 (position 1).
    pub authority: char,
    /// Its name (工商（市场监管）, 民政, …).
    pub authority_name: &'static str,
    /// 机构类别代码 (position 2).
    pub entity_type: char,
    /// Its name (企业, 个体工商户, …).
    pub entity_type_name: &'static str,
    /// 登记管理机关行政区划码 (positions 3–8): the division of the registration
    /// authority; `None` for `100000`, which central-level authorities (ministries, the
    /// national registries of 民政 and 市场监管, …) write, and for a code that GB/T 2260
    /// does not list (development zones and other areas with codes of their own).
    pub region: Option<&'static wangjian_region::Region>,
    /// The six digits of positions 3–8, as written.
    pub region_code: String,
    /// 主体标识码 = 组织机构代码 (positions 9–17, GB 11714).
    pub organization_code: String,
    /// 校验码 (position 18).
    pub check_char: char,
    /// Checks that would refuse codes authorities issue, so they only warn: an authority
    /// or entity type the table of 附录 A does not list, a region code GB/T 2260 does not
    /// list.
    pub warnings: Vec<String>,
}

/// GB 32100-2015 §4.1: positions 3–8 of a code issued by a central-level registration
/// authority (e.g. 11100000000013338W, 12100000425006117P).
pub const CENTRAL_REGION: &str = "100000";

/// Parses a unified social credit code (GB 32100-2015). Surrounding whitespace is ignored
/// and lower-case letters are accepted as upper case.
///
/// Refused (every issued code passes these): a length other than 18, a character outside
/// the code's set (§4.2; the region part digits only), a wrong organization-code check
/// character (GB 11714-1997, positions 9–17) and a wrong 18th check character (§4.3).
///
/// Accepted with a warning, since authorities issue codes a stricter reading would refuse:
/// a registration authority or entity type the table of 附录 A does not list (new ones are
/// assigned by the standard's administrator: A and N were), and a region code GB/T 2260
/// does not list (development zones and similar areas). `100000`, the region part of every
/// code a central-level authority issues, is accepted as it is, without a warning.
pub fn parse_uscc(value: &str) -> Result<Uscc, Invalid> {
    let v = trimmed(value)?.to_ascii_uppercase();
    let n = v.chars().count();
    if n != 18 {
        return Err(Invalid::Length {
            found: n,
            expected: "18 characters",
        });
    }
    first_bad(&v, 0, "0-9 or A-Z except I, O, Z, S, V", |c| {
        value_of(c).is_some()
    })?;
    // All characters are ASCII from here on, so byte ranges are character ranges.
    first_bad(&v[2..8], 2, "a digit (region code)", |c| c.is_ascii_digit())?;
    let bytes: Vec<char> = v.chars().collect();
    let (authority, entity_type) = (bytes[0], bytes[1]);
    let mut warnings = Vec::new();
    let table = &*AUTHORITIES;
    let authority_name = match table.iter().find(|r| r.0 == authority) {
        Some(r) => r.1,
        None => {
            warnings.push(format!(
                "registration authority '{authority}' (character 1) is not in GB 32100-2015 附录 A"
            ));
            ""
        }
    };
    let entity_type_name = match table
        .iter()
        .find(|r| r.0 == authority && r.2 == entity_type)
    {
        Some(r) => r.3,
        None => {
            if !authority_name.is_empty() {
                let allowed: Vec<String> = table
                    .iter()
                    .filter(|r| r.0 == authority)
                    .map(|r| format!("{} {}", r.2, r.3))
                    .collect();
                warnings.push(format!(
                    "entity type '{entity_type}' (character 2) is not listed for registration \
                     authority {authority} {authority_name} (listed: {})",
                    allowed.join(", ")
                ));
            }
            ""
        }
    };
    let region_code = &v[2..8];
    let region = if region_code == CENTRAL_REGION {
        None
    } else {
        match region_part("region", region_code, "3-8") {
            Ok((_, r)) => Some(r),
            Err(e) => {
                warnings.push(format!(
                    "{e} (a development zone or another area with a code of its own?)"
                ));
                None
            }
        }
    };
    let org = &v[8..17];
    if let Some(expected) = organization_code_check_char(&org[..8]) {
        let found = bytes[16];
        if found != expected {
            return Err(Invalid::Check {
                what: "organization code check character",
                position: 17,
                found,
                expected,
            });
        }
    }
    let found = bytes[17];
    let expected = uscc_check_char(&v[..17]).ok_or(Invalid::Format {
        expected: "18 characters of GB 32100-2015",
    })?;
    if found != expected {
        return Err(Invalid::Check {
            what: "check character",
            position: 18,
            found,
            expected,
        });
    }
    Ok(Uscc {
        code: v.clone(),
        authority,
        authority_name,
        entity_type,
        entity_type_name,
        region,
        region_code: region_code.to_string(),
        organization_code: org.to_string(),
        check_char: found,
        warnings,
    })
}

impl From<Uscc> for Parsed {
    fn from(u: Uscc) -> Self {
        let region = match region_part("region", &u.region_code, "3-8") {
            Ok((part, _)) => part,
            Err(_) if u.region_code == CENTRAL_REGION => {
                Part::new("region", CENTRAL_REGION, "中央（国家级登记管理机关）")
            }
            Err(_) => Part::new("region", u.region_code.clone(), ""),
        };
        Parsed {
            warnings: u.warnings,
            kind: Kind::Uscc,
            normalized: u.code.clone(),
            parts: Parts(vec![
                Part::new("authority", u.authority.to_string(), u.authority_name),
                Part::new("entity_type", u.entity_type.to_string(), u.entity_type_name),
                region,
                Part::new(
                    "organization_code",
                    u.organization_code.clone(),
                    "主体标识码（组织机构代码，GB 11714）",
                ),
                Part::new("check_char", u.check_char.to_string(), "校验码"),
            ]),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn authority_table_is_complete() {
        assert_eq!(AUTHORITIES.len(), AUTHORITIES_TSV.lines().count() - 1);
    }

    #[test]
    fn organization_code_check() {
        // GB 11714-1997 worked example: D2143569-X.
        assert_eq!(organization_code_check_char("D2143569"), Some('X'));
    }
}
