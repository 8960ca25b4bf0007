//! Parsing and validating the identifiers that Chinese market-regulation work meets:
//! unified social credit codes (GB 32100-2015), citizen identity numbers (GB 11643-1999),
//! GTINs (GS1), ICP and public-security filing numbers, mainland mobile numbers, and the
//! food, drug and medical-device licence numbers.
//!
//! Every parser returns the parts of the identifier with their meaning, or an [`Invalid`]
//! that says in plain words what is wrong and where (1-based character positions).
//! [`check`] / [`check_on`] offer all of them behind one [`Kind`] for tools that treat
//! identifiers uniformly.
//!
//! This crate must never do I/O, read the clock (dates that depend on "today" take it as
//! an argument), or panic on any input. Region codes are checked with `wangjian-region`.
//! Citizen identity numbers are personal data: show them with [`CitizenId::mask`].

#![deny(missing_docs)]

use std::fmt;
use std::str::FromStr;

use chrono::NaiveDate;
use serde::ser::{SerializeMap, SerializeStruct};
use serde::{Serialize, Serializer};

mod citizen_id;
mod filing;
mod gtin;
mod license;
mod phone;
mod uscc;

pub use citizen_id::{parse_citizen_id, parse_citizen_id_on, CitizenId, Sex};
pub use filing::{parse_icp, parse_police_filing, IcpKind};
pub use gtin::{gtin_check_digit, parse_gtin};
pub use license::{
    parse_device_license, parse_drug_license, parse_food_filing, parse_food_license,
    parse_food_production_license,
};
pub use phone::parse_phone;
pub use uscc::{organization_code_check_char, parse_uscc, uscc_check_char, Uscc};

/// Why a value is not a valid identifier. Positions count characters from 1.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum Invalid {
    /// Nothing but whitespace.
    #[error("empty value")]
    Empty,
    /// Wrong number of characters.
    #[error("has {found} characters, expected {expected}")]
    Length {
        /// Characters found (after removing the separators the format allows).
        found: usize,
        /// What the format needs, in words.
        expected: &'static str,
    },
    /// A character that the format does not allow at that position.
    #[error("character {position} '{found}' is not allowed there (expected {expected})")]
    Char {
        /// 1-based position.
        position: usize,
        /// The character found.
        found: char,
        /// What is allowed there, in words.
        expected: &'static str,
    },
    /// A check character that does not match the rest.
    #[error("{what} (character {position}) is '{found}', expected '{expected}'")]
    Check {
        /// Which check: "check character", "organization code check character", …
        what: &'static str,
        /// 1-based position.
        position: usize,
        /// The character found.
        found: char,
        /// The character the algorithm gives.
        expected: char,
    },
    /// A region code that GB/T 2260 does not define, current or retired.
    #[error("region code {code} (characters {positions}) is not a GB/T 2260 division code")]
    Region {
        /// The six digits.
        code: String,
        /// Where they are, e.g. "3-8".
        positions: &'static str,
    },
    /// A code (registration authority, entity type, category, …) the standard does not
    /// define.
    #[error("{what} '{found}' is not defined{context}")]
    Code {
        /// Which code, in words.
        what: &'static str,
        /// The code found.
        found: String,
        /// Extra context, starting with a space or empty.
        context: String,
    },
    /// A date that does not exist.
    #[error("birth date {text} is not a real date")]
    Date {
        /// The 8 digits found.
        text: String,
    },
    /// A birth date after the given today.
    #[error("birth date {date} is in the future (today is {today})")]
    FutureDate {
        /// The birth date.
        date: NaiveDate,
        /// The date passed as today.
        today: NaiveDate,
    },
    /// The value does not have the shape of the format at all.
    #[error("does not match the format {expected}")]
    Format {
        /// The format, with an example.
        expected: &'static str,
    },
    /// A province abbreviation that is not one.
    #[error("'{found}' is not a province abbreviation")]
    Province {
        /// The character found.
        found: char,
    },
    /// A region code outside the province that the abbreviation names.
    #[error("region code {code} is in {region_province}, but '{abbreviation}' is {named}")]
    ProvinceMismatch {
        /// The region code found.
        code: String,
        /// The province of the region code.
        region_province: &'static str,
        /// The abbreviation found.
        abbreviation: char,
        /// The province the abbreviation names.
        named: &'static str,
    },
}

/// One part of a parsed identifier: its value and what it means.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Part {
    /// Stable key in snake case (`region`, `check_char`).
    pub key: &'static str,
    /// The characters of the identifier (or a derived value, e.g. the birth date).
    pub value: String,
    /// What the value means, in Chinese or plain words; may be empty.
    pub meaning: String,
}

impl Part {
    pub(crate) fn new(
        key: &'static str,
        value: impl Into<String>,
        meaning: impl Into<String>,
    ) -> Self {
        Part {
            key,
            value: value.into(),
            meaning: meaning.into(),
        }
    }
}

/// The parts of an identifier, in order. Serializes as a JSON object
/// `{"key": {"value": "…", "meaning": "…"}, …}`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Parts(pub Vec<Part>);

impl Parts {
    /// The part with this key.
    pub fn get(&self, key: &str) -> Option<&Part> {
        self.0.iter().find(|p| p.key == key)
    }
}

struct PartValue<'a>(&'a Part);

impl Serialize for PartValue<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut st = s.serialize_struct("Part", 2)?;
        st.serialize_field("value", &self.0.value)?;
        st.serialize_field("meaning", &self.0.meaning)?;
        st.end()
    }
}

impl Serialize for Parts {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut map = s.serialize_map(Some(self.0.len()))?;
        for p in &self.0 {
            map.serialize_entry(p.key, &PartValue(p))?;
        }
        map.end()
    }
}

/// A valid identifier: its kind, its normalized form and its parts.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Parsed {
    /// What it is.
    pub kind: Kind,
    /// The canonical form (upper case, separators removed, 15-digit ids upgraded, …).
    pub normalized: String,
    /// The parts with their meanings.
    pub parts: Parts,
    /// What a stricter reading would have refused but authorities do issue (e.g. a
    /// registration-authority code the standard's table does not list yet): the value is
    /// valid, the caller may want a second look. Empty for most values.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub warnings: Vec<String>,
}

/// The kinds of identifier this crate knows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Kind {
    /// 统一社会信用代码 (GB 32100-2015).
    Uscc,
    /// 公民身份号码 (GB 11643-1999).
    CitizenId,
    /// GTIN-8/12/13/14 (GS1 General Specifications §7.9).
    Gtin,
    /// ICP 备案号, ICP 经营许可证, 增值电信业务经营许可证.
    Icp,
    /// 公安机关互联网站安全备案号 (京公网安备 11010502030143号).
    PoliceFiling,
    /// Mainland mobile number.
    Phone,
    /// 食品经营许可证 (JY + 14 digits).
    FoodLicense,
    /// 食品生产许可证 (SC + 14 digits).
    FoodProductionLicense,
    /// 仅销售预包装食品备案 (YB + 14 digits): the filing that replaces the licence for a
    /// seller of prepackaged food only (食品安全法 2021 第三十五条).
    FoodFiling,
    /// 药品经营许可证.
    DrugLicense,
    /// 医疗器械经营许可证 / 第二类医疗器械经营备案凭证.
    DeviceLicense,
}

impl Kind {
    /// Every kind, in the order the command line lists them.
    pub const ALL: [Kind; 11] = [
        Kind::Uscc,
        Kind::CitizenId,
        Kind::Gtin,
        Kind::Icp,
        Kind::PoliceFiling,
        Kind::Phone,
        Kind::FoodLicense,
        Kind::FoodProductionLicense,
        Kind::FoodFiling,
        Kind::DrugLicense,
        Kind::DeviceLicense,
    ];

    /// The command-line name (`uscc`, `citizen-id`, …).
    pub fn name(self) -> &'static str {
        match self {
            Kind::Uscc => "uscc",
            Kind::CitizenId => "citizen-id",
            Kind::Gtin => "gtin",
            Kind::Icp => "icp",
            Kind::PoliceFiling => "police-filing",
            Kind::Phone => "phone",
            Kind::FoodLicense => "food-license",
            Kind::FoodProductionLicense => "food-production-license",
            Kind::FoodFiling => "food-filing",
            Kind::DrugLicense => "drug-license",
            Kind::DeviceLicense => "device-license",
        }
    }
}

impl fmt::Display for Kind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl Serialize for Kind {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.name())
    }
}

/// A kind name that is not known.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown identifier kind '{0}'")]
pub struct UnknownKind(pub String);

impl FromStr for Kind {
    type Err = UnknownKind;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Kind::ALL
            .into_iter()
            .find(|k| k.name() == s)
            .ok_or_else(|| UnknownKind(s.to_string()))
    }
}

/// Validates `value` as `kind`. Citizen identity numbers are checked for a real birth
/// date but not against today; use [`check_on`] for that.
pub fn check(kind: Kind, value: &str) -> Result<Parsed, Invalid> {
    check_with(kind, value, None)
}

/// Like [`check`], and a citizen identity number's birth date must not be after `today`.
pub fn check_on(kind: Kind, value: &str, today: NaiveDate) -> Result<Parsed, Invalid> {
    check_with(kind, value, Some(today))
}

fn check_with(kind: Kind, value: &str, today: Option<NaiveDate>) -> Result<Parsed, Invalid> {
    match kind {
        Kind::Uscc => parse_uscc(value).map(Parsed::from),
        Kind::CitizenId => citizen_id::parse(value, today).map(Parsed::from),
        Kind::Gtin => parse_gtin(value),
        Kind::Icp => parse_icp(value),
        Kind::PoliceFiling => parse_police_filing(value),
        Kind::Phone => parse_phone(value),
        Kind::FoodLicense => parse_food_license(value),
        Kind::FoodProductionLicense => parse_food_production_license(value),
        Kind::FoodFiling => parse_food_filing(value),
        Kind::DrugLicense => parse_drug_license(value),
        Kind::DeviceLicense => parse_device_license(value),
    }
}

/// Trims whitespace; `Invalid::Empty` when nothing is left.
pub(crate) fn trimmed(value: &str) -> Result<&str, Invalid> {
    let v = value.trim();
    if v.is_empty() {
        Err(Invalid::Empty)
    } else {
        Ok(v)
    }
}

/// Checks that `digits` (six ASCII digits) is a GB/T 2260 code and returns its part.
pub(crate) fn region_part(
    key: &'static str,
    digits: &str,
    positions: &'static str,
) -> Result<(Part, &'static wangjian_region::Region), Invalid> {
    let r = wangjian_region::lookup(digits).ok_or_else(|| Invalid::Region {
        code: digits.to_string(),
        positions,
    })?;
    let mut meaning = wangjian_region::full_name(digits).unwrap_or_else(|| r.name.to_string());
    if r.retired {
        match r.last_year {
            Some(y) => meaning.push_str(&format!("（已撤销，{y}年后不再使用）")),
            None => meaning.push_str("（已撤销）"),
        }
    }
    Ok((Part::new(key, digits, meaning), r))
}

/// The province named by a one-character abbreviation at the start of `value`.
pub(crate) fn province_prefix(
    value: &str,
) -> Result<(char, &'static wangjian_region::Region, &str), Invalid> {
    let mut chars = value.chars();
    let Some(c) = chars.next() else {
        return Err(Invalid::Empty);
    };
    let p = wangjian_region::province_by_abbreviation(c).ok_or(Invalid::Province { found: c })?;
    Ok((c, p, chars.as_str()))
}

/// Finds the first character of `s` that fails `ok`, as an `Invalid::Char` with the
/// position offset by `offset` characters.
pub(crate) fn first_bad(
    s: &str,
    offset: usize,
    expected: &'static str,
    ok: impl Fn(char) -> bool,
) -> Result<(), Invalid> {
    match s.chars().enumerate().find(|(_, c)| !ok(*c)) {
        Some((i, c)) => Err(Invalid::Char {
            position: offset + i + 1,
            found: c,
            expected,
        }),
        None => Ok(()),
    }
}
