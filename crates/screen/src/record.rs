//! A subject as a list entry or a candidate: an id, names and identifiers, read from JSON
//! (one object per line in files) or built by a caller (a store, an HTTP handler).

use std::fmt;

use serde::de::{self, SeqAccess, Visitor};
use serde::{Deserialize, Deserializer};

use crate::ident::{normalize_ident, Ident, IdentKind};

/// A subject to screen, or a subject on the list.
///
/// In JSON every field may be missing or `null`; identifier fields, `aliases` and
/// `former_names` take a string or an array of strings; ids and identifiers may also be
/// JSON numbers (`"phone": 13800138000`). Other fields (a blacklist export's basis and
/// dates) are ignored.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
pub struct Record {
    /// The subject's id: required for list entries, reported back as `candidate_id`
    /// for candidates.
    #[serde(default, deserialize_with = "opt_text")]
    pub id: Option<String>,
    /// The name as registered or as written.
    #[serde(default, deserialize_with = "opt_text")]
    pub name: Option<String>,
    /// Other names the subject is known by (a shop name, an English name).
    #[serde(default, deserialize_with = "texts")]
    pub aliases: Vec<String>,
    /// Names the subject had before a renaming (名称变更).
    #[serde(default, deserialize_with = "texts")]
    pub former_names: Vec<String>,
    /// 统一社会信用代码.
    #[serde(default, deserialize_with = "texts")]
    pub uscc: Vec<String>,
    /// 公民身份号码 (of an individual business's operator, or a person).
    #[serde(default, deserialize_with = "texts")]
    pub citizen_id: Vec<String>,
    /// Telephone numbers.
    #[serde(default, deserialize_with = "texts")]
    pub phone: Vec<String>,
    /// Shop ids on platforms. Compared as written (folded): prefix them with the platform
    /// (`taobao:12345`) when a list mixes platforms.
    #[serde(default, deserialize_with = "texts")]
    pub shop_id: Vec<String>,
    /// Website domains or URLs.
    #[serde(default, deserialize_with = "texts")]
    pub domain: Vec<String>,
}

impl Record {
    /// The raw values of one identifier field.
    pub fn raw_idents(&self, kind: IdentKind) -> &[String] {
        match kind {
            IdentKind::Uscc => &self.uscc,
            IdentKind::CitizenId => &self.citizen_id,
            IdentKind::Phone => &self.phone,
            IdentKind::ShopId => &self.shop_id,
            IdentKind::Domain => &self.domain,
        }
    }

    /// Every identifier, normalized, without duplicates, in field order.
    pub fn idents(&self) -> Vec<Ident> {
        let mut out: Vec<Ident> = Vec::new();
        for kind in IdentKind::ALL {
            for raw in self.raw_idents(kind) {
                if let Some(i) = normalize_ident(kind, raw) {
                    if !out.contains(&i) {
                        out.push(i);
                    }
                }
            }
        }
        out
    }

    /// Every name: the name, then aliases, then former names, each with what it is.
    pub fn names(&self) -> impl Iterator<Item = (NameVia, &str)> {
        self.name
            .iter()
            .map(|n| (NameVia::Name, n.as_str()))
            .chain(self.aliases.iter().map(|n| (NameVia::Alias, n.as_str())))
            .chain(
                self.former_names
                    .iter()
                    .map(|n| (NameVia::FormerName, n.as_str())),
            )
            .filter(|(_, n)| !n.trim().is_empty())
    }

    /// True when the record has nothing to match on: no name and no identifier with a
    /// letter or digit in it.
    pub fn is_blank(&self) -> bool {
        self.names().next().is_none()
            && IdentKind::ALL.iter().all(|&k| {
                self.raw_idents(k)
                    .iter()
                    .all(|v| !v.chars().any(char::is_alphanumeric))
            })
    }
}

/// Which of a subject's names matched.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum NameVia {
    /// The `name` field.
    Name,
    /// One of `aliases`.
    Alias,
    /// One of `former_names`, or a former name given in brackets (（原…）).
    FormerName,
}

/// One text value: a string or a number (kept as written), or nothing (`null`).
struct Text(Option<String>);

impl<'de> Deserialize<'de> for Text {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(TextVisitor)
    }
}

struct TextVisitor;

impl<'de> Visitor<'de> for TextVisitor {
    type Value = Text;
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a string or a number")
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<Text, E> {
        Ok(Text(Some(v.to_string())))
    }
    fn visit_string<E: de::Error>(self, v: String) -> Result<Text, E> {
        Ok(Text(Some(v)))
    }
    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Text, E> {
        Ok(Text(Some(v.to_string())))
    }
    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Text, E> {
        Ok(Text(Some(v.to_string())))
    }
    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Text, E> {
        Ok(Text(Some(v.to_string())))
    }
    fn visit_unit<E: de::Error>(self) -> Result<Text, E> {
        Ok(Text(None))
    }
    fn visit_none<E: de::Error>(self) -> Result<Text, E> {
        Ok(Text(None))
    }
}

/// A string, a number, `null`, or an array of those.
struct Texts(Vec<String>);

impl<'de> Deserialize<'de> for Texts {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Texts;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a string, a number or an array of them")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Texts, E> {
                Ok(Texts(
                    TextVisitor.visit_str::<E>(v)?.0.into_iter().collect(),
                ))
            }
            fn visit_string<E: de::Error>(self, v: String) -> Result<Texts, E> {
                Ok(Texts(vec![v]))
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<Texts, E> {
                Ok(Texts(vec![v.to_string()]))
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<Texts, E> {
                Ok(Texts(vec![v.to_string()]))
            }
            fn visit_f64<E: de::Error>(self, v: f64) -> Result<Texts, E> {
                Ok(Texts(vec![v.to_string()]))
            }
            fn visit_unit<E: de::Error>(self) -> Result<Texts, E> {
                Ok(Texts(Vec::new()))
            }
            fn visit_none<E: de::Error>(self) -> Result<Texts, E> {
                Ok(Texts(Vec::new()))
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Texts, A::Error> {
                let mut out = Vec::new();
                while let Some(Text(t)) = seq.next_element::<Text>()? {
                    out.extend(t);
                }
                Ok(Texts(out))
            }
        }
        d.deserialize_any(V)
    }
}

fn opt_text<'de, D: Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    Ok(Text::deserialize(d)?.0.filter(|s| !s.trim().is_empty()))
}

fn texts<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<String>, D::Error> {
    let mut v = Texts::deserialize(d)?.0;
    v.retain(|s| !s.trim().is_empty());
    Ok(v)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fields_take_strings_numbers_and_arrays() {
        let r: Record = serde_json::from_str(
            r#"{"id": 42, "name": "浙江淘宝网络有限公司", "phone": [13800138000, "0571-1", null],
                "uscc": " ", "aliases": "淘宝", "basis": "ignored"}"#,
        )
        .unwrap();
        assert_eq!(r.id.as_deref(), Some("42"));
        assert_eq!(r.phone, vec!["13800138000", "0571-1"]);
        assert!(r.uscc.is_empty());
        assert_eq!(r.aliases, vec!["淘宝"]);
        assert!(!r.is_blank());
        let blank: Record = serde_json::from_str(r#"{"id": "x", "name": null}"#).unwrap();
        assert!(blank.is_blank());
    }

    #[test]
    fn wrong_types_are_errors() {
        assert!(serde_json::from_str::<Record>(r#"{"name": {"a": 1}}"#).is_err());
        assert!(serde_json::from_str::<Record>(r#"{"phone": true}"#).is_err());
    }
}
