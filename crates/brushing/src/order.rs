//! One order line: its fields as the platform sent them, checked.
//!
//! JSON Lines, one object per order:
//!
//! | field | type | |
//! |---|---|---|
//! | `order_id` | string or integer | required, unique; a repeated id is a re-delivery and counts once |
//! | `buyer` | string or integer | required: the buying account |
//! | `shop` | string or integer | required |
//! | `listing` | string or integer | required |
//! | `time` | RFC 3339 string | required, with a UTC offset (`2026-11-11T00:00:05+08:00`) |
//! | `amount` | number or numeric string | required, ≥ 0, in yuan |
//! | `address` | string | optional: the delivery address |
//! | `device` | string | optional: the buyer's device id |
//! | `ip` | string | optional: the buyer's IP address |
//! | `review` | string | optional: the review text |
//! | `weight` | number | optional: parcel weight in kg as the carrier weighed it |
//! | `logistics` | string | optional: the carrier's status or remark (`空包`, `虚拟发货`, `无物流信息`, `empty`, …) |
//!
//! Unknown fields are ignored; `null` counts as absent; an empty string counts as absent
//! for the optional text fields.

use std::borrow::Cow;
use std::fmt;

use serde::de::{self, Deserializer, Visitor};
use serde::Deserialize;

/// An identifier field: a string, or an integer written as its decimal digits.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Id<'a>(pub Cow<'a, str>);

impl<'de: 'a, 'a> Deserialize<'de> for Id<'a> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V<'a>(std::marker::PhantomData<&'a ()>);
        impl<'de: 'a, 'a> Visitor<'de> for V<'a> {
            type Value = Id<'a>;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a string or an integer")
            }
            fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> Result<Self::Value, E> {
                Ok(Id(Cow::Borrowed(v)))
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
                Ok(Id(Cow::Owned(v.to_string())))
            }
            fn visit_string<E: de::Error>(self, v: String) -> Result<Self::Value, E> {
                Ok(Id(Cow::Owned(v)))
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<Self::Value, E> {
                Ok(Id(Cow::Owned(v.to_string())))
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<Self::Value, E> {
                Ok(Id(Cow::Owned(v.to_string())))
            }
        }
        d.deserialize_any(V(std::marker::PhantomData))
    }
}

/// A number, or a string holding one (`"59.90"`).
#[derive(Debug, Clone, Copy, PartialEq)]
struct Number(f64);

impl<'de> Deserialize<'de> for Number {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl Visitor<'_> for V {
            type Value = Number;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a number")
            }
            fn visit_f64<E: de::Error>(self, v: f64) -> Result<Number, E> {
                Ok(Number(v))
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<Number, E> {
                Ok(Number(v as f64))
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<Number, E> {
                Ok(Number(v as f64))
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Number, E> {
                v.trim()
                    .parse::<f64>()
                    .ok()
                    .filter(|x| x.is_finite())
                    .map(Number)
                    .ok_or_else(|| E::custom(format!("'{v}' is not a number")))
            }
        }
        d.deserialize_any(V)
    }
}

#[derive(Deserialize)]
struct Raw<'a> {
    #[serde(borrow)]
    order_id: Option<Id<'a>>,
    #[serde(borrow)]
    buyer: Option<Id<'a>>,
    #[serde(borrow)]
    shop: Option<Id<'a>>,
    #[serde(borrow)]
    listing: Option<Id<'a>>,
    #[serde(borrow)]
    time: Option<Cow<'a, str>>,
    amount: Option<Number>,
    #[serde(borrow)]
    address: Option<Cow<'a, str>>,
    #[serde(borrow)]
    device: Option<Cow<'a, str>>,
    #[serde(borrow)]
    ip: Option<Cow<'a, str>>,
    #[serde(borrow)]
    review: Option<Cow<'a, str>>,
    weight: Option<Number>,
    #[serde(borrow)]
    logistics: Option<Cow<'a, str>>,
}

/// The fields of a line as read, before checks (from the fast path or serde_json).
#[derive(Debug, Default, PartialEq)]
pub(crate) struct Fields<'a> {
    pub(crate) order_id: Option<Cow<'a, str>>,
    pub(crate) buyer: Option<Cow<'a, str>>,
    pub(crate) shop: Option<Cow<'a, str>>,
    pub(crate) listing: Option<Cow<'a, str>>,
    pub(crate) time: Option<Cow<'a, str>>,
    pub(crate) amount: Option<f64>,
    pub(crate) address: Option<Cow<'a, str>>,
    pub(crate) device: Option<Cow<'a, str>>,
    pub(crate) ip: Option<Cow<'a, str>>,
    pub(crate) review: Option<Cow<'a, str>>,
    pub(crate) weight: Option<f64>,
    pub(crate) logistics: Option<Cow<'a, str>>,
}

impl<'a> From<Raw<'a>> for Fields<'a> {
    fn from(r: Raw<'a>) -> Self {
        Fields {
            order_id: r.order_id.map(|i| i.0),
            buyer: r.buyer.map(|i| i.0),
            shop: r.shop.map(|i| i.0),
            listing: r.listing.map(|i| i.0),
            time: r.time,
            amount: r.amount.map(|n| n.0),
            address: r.address,
            device: r.device,
            ip: r.ip,
            review: r.review,
            weight: r.weight.map(|n| n.0),
            logistics: r.logistics,
        }
    }
}

/// The fields of `line` by serde_json (the slow path, and the one with error messages).
pub(crate) fn fields_by_serde(line: &str) -> Result<Fields<'_>, LineError> {
    serde_json::from_str::<Raw<'_>>(line)
        .map(Fields::from)
        .map_err(|e| LineError::Json(e.to_string()))
}

/// One checked order line, borrowing from the line where it can.
#[derive(Debug, Clone, PartialEq)]
pub struct OrderLine<'a> {
    /// The platform's order id.
    pub order_id: Cow<'a, str>,
    /// The buying account.
    pub buyer: Cow<'a, str>,
    /// The shop.
    pub shop: Cow<'a, str>,
    /// The listing.
    pub listing: Cow<'a, str>,
    /// Unix seconds (UTC).
    pub time: i64,
    /// Yuan.
    pub amount: f64,
    /// Delivery address, as written.
    pub address: Option<Cow<'a, str>>,
    /// Device id, as written.
    pub device: Option<Cow<'a, str>>,
    /// IP address, as written.
    pub ip: Option<Cow<'a, str>>,
    /// Review text.
    pub review: Option<Cow<'a, str>>,
    /// Parcel weight, kg.
    pub weight: Option<f64>,
    /// Carrier status or remark.
    pub logistics: Option<Cow<'a, str>>,
}

/// Why a line is not an order.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum LineError {
    /// Not a JSON object of the right types.
    #[error("not an order object: {0}")]
    Json(String),
    /// A required field is missing (or null, or an empty string).
    #[error("missing field `{0}`")]
    Missing(&'static str),
    /// `time` is not RFC 3339 with an offset.
    #[error("field `time`: '{0}' is not an RFC 3339 date-time with an offset (2026-11-11T00:00:05+08:00)")]
    Time(String),
    /// A number out of range.
    #[error("field `{field}`: {why}")]
    Range {
        /// The field.
        field: &'static str,
        /// What is wrong.
        why: &'static str,
    },
}

fn present(v: Option<Cow<'_, str>>) -> Option<Cow<'_, str>> {
    v.filter(|s| !s.trim().is_empty())
}

fn required<'a>(v: Option<Cow<'a, str>>, name: &'static str) -> Result<Cow<'a, str>, LineError> {
    v.filter(|s| !s.trim().is_empty())
        .ok_or(LineError::Missing(name))
}

/// Parses one order line (see the module documentation for the fields).
pub fn parse_order_line(line: &str) -> Result<OrderLine<'_>, LineError> {
    let raw = match crate::fastline::fields(line) {
        Some(f) => f,
        None => fields_by_serde(line)?,
    };
    let time_text = present(raw.time).ok_or(LineError::Missing("time"))?;
    let time = parse_rfc3339(&time_text).ok_or_else(|| LineError::Time(time_text.to_string()))?;
    let amount = raw.amount.ok_or(LineError::Missing("amount"))?;
    if !(amount >= 0.0 && amount.is_finite()) {
        return Err(LineError::Range {
            field: "amount",
            why: "must be a number ≥ 0",
        });
    }
    let weight = match raw.weight {
        Some(w) if !(w >= 0.0 && w.is_finite()) => {
            return Err(LineError::Range {
                field: "weight",
                why: "must be a number ≥ 0 (kg)",
            })
        }
        w => w,
    };
    Ok(OrderLine {
        order_id: required(raw.order_id, "order_id")?,
        buyer: required(raw.buyer, "buyer")?,
        shop: required(raw.shop, "shop")?,
        listing: required(raw.listing, "listing")?,
        time,
        amount,
        address: present(raw.address),
        device: present(raw.device),
        ip: present(raw.ip),
        review: present(raw.review),
        weight,
        logistics: present(raw.logistics),
    })
}

/// Days from 1970-01-01 to the given civil date (proleptic Gregorian; H. Hinnant's
/// `days_from_civil`).
pub(crate) fn days_from_civil(y: i64, m: u32, d: u32) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let m = i64::from(m);
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + i64::from(d) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

fn days_in_month(y: i64, m: u32) -> u32 {
    match m {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        _ if (y % 4 == 0 && y % 100 != 0) || y % 400 == 0 => 29,
        _ => 28,
    }
}

/// RFC 3339 `date-time` (§5.6) to Unix seconds: `YYYY-MM-DDTHH:MM:SS[.frac](Z|±HH:MM)`,
/// `T` or `t` or a space between date and time, fractions truncated, a leap second
/// (`:60`) counted as the second before. `None` for anything else, including a time
/// without an offset (a local time is not an instant).
pub fn parse_rfc3339(s: &str) -> Option<i64> {
    let b = s.trim().as_bytes();
    let num = |r: std::ops::Range<usize>| -> Option<u32> {
        let mut v = 0u32;
        for &c in b.get(r)? {
            if !c.is_ascii_digit() {
                return None;
            }
            v = v * 10 + u32::from(c - b'0');
        }
        Some(v)
    };
    if b.len() < 20 || b[4] != b'-' || b[7] != b'-' || b[13] != b':' || b[16] != b':' {
        return None;
    }
    if !matches!(b[10], b'T' | b't' | b' ') {
        return None;
    }
    let (y, mo, d) = (i64::from(num(0..4)?), num(5..7)?, num(8..10)?);
    let (h, mi, sec) = (num(11..13)?, num(14..16)?, num(17..19)?);
    if !(1..=12).contains(&mo)
        || d == 0
        || d > days_in_month(y, mo)
        || h > 23
        || mi > 59
        || sec > 60
    {
        return None;
    }
    let mut i = 19;
    if b[i] == b'.' {
        i += 1;
        let start = i;
        while i < b.len() && b[i].is_ascii_digit() {
            i += 1;
        }
        if i == start {
            return None;
        }
    }
    let offset: i64 = match b.get(i)? {
        b'Z' | b'z' if i + 1 == b.len() => 0,
        sign @ (b'+' | b'-') if i + 6 == b.len() && b[i + 3] == b':' => {
            let (oh, om) = (num(i + 1..i + 3)?, num(i + 4..i + 6)?);
            if oh > 23 || om > 59 {
                return None;
            }
            let o = i64::from(oh * 3600 + om * 60);
            if *sign == b'-' {
                -o
            } else {
                o
            }
        }
        _ => return None,
    };
    let sec = sec.min(59);
    let days = days_from_civil(y, mo, d);
    Some(days * 86_400 + i64::from(h * 3600 + mi * 60 + sec) - offset)
}

/// Unix seconds as RFC 3339 in UTC+8 (China Standard Time), the zone of the output.
pub fn format_cst(t: i64) -> String {
    let local = t + 8 * 3600;
    let days = local.div_euclid(86_400);
    let secs = local.rem_euclid(86_400);
    // H. Hinnant's civil_from_days.
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}+08:00",
        secs / 3600,
        secs / 60 % 60,
        secs % 60
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_a_full_line_and_ids_as_numbers() {
        let l = parse_order_line(
            r#"{"order_id":123,"buyer":"b1","shop":"s1","listing":"l1","time":"2026-11-11T00:00:05+08:00","amount":"59.90","address":"浙江省杭州市","review":"好","weight":0.02,"logistics":"空包","extra":[1,2]}"#,
        )
        .unwrap();
        assert_eq!(l.order_id, "123");
        assert_eq!(l.time, 1_794_326_405);
        assert_eq!(l.amount, 59.9);
        assert_eq!(l.weight, Some(0.02));
        assert_eq!(l.device, None);
    }

    #[test]
    fn bad_lines_say_why() {
        let base = r#""order_id":"o","buyer":"b","shop":"s","listing":"l""#;
        let p = |rest: &str| {
            parse_order_line(&format!("{{{base}{rest}}}")).map(|l| l.order_id.into_owned())
        };
        assert_eq!(p(r#","amount":1"#), Err(LineError::Missing("time")));
        assert!(matches!(
            p(r#","amount":1,"time":"2026-11-11 00:00:05""#),
            Err(LineError::Time(_))
        ));
        assert!(matches!(
            p(r#","amount":-1,"time":"2026-11-11T00:00:05Z""#),
            Err(LineError::Range {
                field: "amount",
                ..
            })
        ));
        assert!(matches!(
            p(r#","amount":"abc","time":"2026-11-11T00:00:05Z""#),
            Err(LineError::Json(_))
        ));
        assert_eq!(
            parse_order_line(
                r#"{"order_id":"o","buyer":" ","shop":"s","listing":"l","time":"2026-11-11T00:00:05Z","amount":1}"#
            ),
            Err(LineError::Missing("buyer"))
        );
        assert!(matches!(parse_order_line("[1]"), Err(LineError::Json(_))));
        assert!(matches!(parse_order_line(""), Err(LineError::Json(_))));
    }

    #[test]
    fn rfc3339_across_the_turn_of_the_year_and_leap_days() {
        // 2026-12-31T23:59:59+08:00 is 15:59:59 UTC.
        assert_eq!(
            parse_rfc3339("2026-12-31T23:59:59+08:00"),
            Some(1_798_732_799)
        );
        assert_eq!(
            parse_rfc3339("2027-01-01T00:00:00+08:00"),
            Some(1_798_732_800)
        );
        assert_eq!(parse_rfc3339("2028-02-29T12:00:00Z"), Some(1_835_438_400));
        assert_eq!(parse_rfc3339("2027-02-29T12:00:00Z"), None);
        assert_eq!(
            parse_rfc3339("2026-11-11T00:00:05.123456+08:00"),
            Some(1_794_326_405)
        );
        assert_eq!(
            parse_rfc3339("2026-06-30T23:59:60Z"),
            parse_rfc3339("2026-06-30T23:59:59Z")
        );
        assert_eq!(parse_rfc3339("2026-11-11T00:00:05"), None);
        assert_eq!(parse_rfc3339("2026-13-11T00:00:05Z"), None);
        assert_eq!(parse_rfc3339("2026-11-11T24:00:05Z"), None);
        assert_eq!(format_cst(1_798_732_799), "2026-12-31T23:59:59+08:00");
        assert_eq!(format_cst(1_798_732_800), "2027-01-01T00:00:00+08:00");
    }

    proptest::proptest! {
        #[test]
        fn rfc3339_agrees_with_chrono(s in "[0-9]{4}-[0-1][0-9]-[0-3][0-9][Tt ][0-2][0-9]:[0-6][0-9]:[0-6][0-9](\\.[0-9]{1,9})?(Z|z|[+-][0-2][0-9]:[0-6][0-9])") {
            let ours = parse_rfc3339(&s);
            let theirs = chrono::DateTime::parse_from_rfc3339(&s).ok().map(|d| d.timestamp());
            // chrono refuses a leap second in some places we accept as :59.
            if !s.contains(":60") {
                proptest::prop_assert_eq!(ours, theirs, "{}", s);
            }
        }

        /// The fast path reads exactly what serde_json reads, on every line it accepts.
        #[test]
        fn fast_path_agrees_with_serde(
            fields in proptest::collection::vec((0usize..14, 0usize..6), 0..12),
            text in "[a-z0-9 中文空包]{0,6}",
            int in 0u64..100_000_000_000,
            num in "-?[0-9]{1,9}(\\.[0-9]{1,6})?",
        ) {
            const KEYS: [&str; 14] = ["order_id", "buyer", "shop", "listing", "time", "amount",
                "address", "device", "ip", "review", "weight", "logistics", "extra", "tags"];
            let values = [
                format!("\"{text}\""), int.to_string(), num.clone(), "null".to_string(),
                format!("{{\"a\":[1,\"{text}\",{{}}],\"b\":true}}"), format!("\"{num}\""),
            ];
            let body: Vec<String> = fields.iter().map(|&(k, v)| format!("\"{}\": {}", KEYS[k], values[v])).collect();
            let line = format!("{{{}}}", body.join(","));
            if let Some(fast) = crate::fastline::fields(&line) {
                let slow = fields_by_serde(&line);
                proptest::prop_assert_eq!(Ok(fast), slow, "{}", line);
            }
        }

        #[test]
        fn never_panics(s in ".{0,200}") {
            let _ = parse_order_line(&s);
            let _ = parse_rfc3339(&s);
        }

        #[test]
        fn format_and_parse_round_trip(t in 0i64..4_102_444_800) {
            proptest::prop_assert_eq!(parse_rfc3339(&format_cst(t)), Some(t));
        }
    }
}
