//! Listings as platforms hand them over: one JSON object per line, or CSV rows with the
//! shop columns flattened. Parsing never panics; a bad record becomes a [`ListingError`].

use std::io::Read;

use std::borrow::Cow;

use serde::de::{self, Deserializer, Visitor};
use serde::{Deserialize, Serialize};

/// The shop (seller account) that offers a listing.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Shop {
    /// Platform shop id.
    pub id: Option<String>,
    /// Shop name as shown to buyers.
    pub name: Option<String>,
    /// Province the shop is registered in (free text: 浙江, 浙江省).
    pub province: Option<String>,
    /// City the shop is registered in.
    pub city: Option<String>,
    /// Licence number the shop shows (食品经营许可证 JY…, 药品经营许可证 …).
    pub license_no: Option<String>,
    /// The shop operator's 统一社会信用代码.
    pub uscc: Option<String>,
}

/// One offer on a platform.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Listing {
    /// Listing id (integers in the input are kept as their decimal string).
    pub id: String,
    /// Platform name.
    pub platform: Option<String>,
    /// Title (required).
    pub title: String,
    /// Description text.
    pub description: Option<String>,
    /// Price in CNY.
    pub price: Option<f64>,
    /// Platform category (食品/休闲零食, 运动鞋).
    pub category: Option<String>,
    /// The shop.
    pub shop: Shop,
    /// Ship-from address, free text.
    pub ship_from: Option<String>,
    /// Listing URL.
    pub url: Option<String>,
    /// When the listing was captured (RFC 3339, kept as text).
    pub captured_at: Option<String>,
}

/// Why one listing record could not be used.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ListingError {
    /// The line is not a JSON object or a field has the wrong type.
    #[error("not a valid listing: {0}")]
    Json(String),
    /// A required field is missing or empty.
    #[error("missing required field `{0}`")]
    Missing(&'static str),
    /// A CSV row could not be read.
    #[error("bad CSV row: {0}")]
    Csv(String),
    /// A field has a value of the wrong form.
    #[error("field `{field}`: {message}")]
    Field {
        /// The field.
        field: &'static str,
        /// What is wrong.
        message: String,
    },
}

/// A listing as read from one JSON line, borrowing its text from the line wherever it
/// needs no unescaping (almost always): the scan reads a million of them a second, and
/// copying every field into its own `String` first was a fifth of its time.
/// [`Listing::from_json`] is this plus [`ListingRef::into_owned`].
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ListingRef<'a> {
    /// Listing id (integers in the input are kept as their decimal string).
    pub id: Cow<'a, str>,
    /// Platform name.
    pub platform: Option<Cow<'a, str>>,
    /// Title (required).
    pub title: Cow<'a, str>,
    /// Description text.
    pub description: Option<Cow<'a, str>>,
    /// Price in CNY.
    pub price: Option<f64>,
    /// Platform category.
    pub category: Option<Cow<'a, str>>,
    /// The shop.
    pub shop: ShopRef<'a>,
    /// Ship-from address, free text.
    pub ship_from: Option<Cow<'a, str>>,
    /// Listing URL.
    pub url: Option<Cow<'a, str>>,
    /// When the listing was captured (RFC 3339, kept as text).
    pub captured_at: Option<Cow<'a, str>>,
}

/// The shop of a [`ListingRef`].
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(default)]
pub struct ShopRef<'a> {
    /// Platform shop id.
    #[serde(borrow, deserialize_with = "opt_text")]
    pub id: Option<Cow<'a, str>>,
    /// Shop name as shown to buyers.
    #[serde(borrow, deserialize_with = "opt_text")]
    pub name: Option<Cow<'a, str>>,
    /// Province the shop is registered in.
    #[serde(borrow, deserialize_with = "opt_text")]
    pub province: Option<Cow<'a, str>>,
    /// City the shop is registered in.
    #[serde(borrow, deserialize_with = "opt_text")]
    pub city: Option<Cow<'a, str>>,
    /// Licence number the shop shows.
    #[serde(borrow, deserialize_with = "opt_text")]
    pub license_no: Option<Cow<'a, str>>,
    /// The shop operator's 统一社会信用代码.
    #[serde(borrow, deserialize_with = "opt_text")]
    pub uscc: Option<Cow<'a, str>>,
}

/// Reads a JSON string, borrowed from the input when it has no escapes (serde's own
/// `Option<Cow<str>>` always copies), and with `integers` also an integer, kept as its
/// decimal text. Type errors name what was expected: "a string" (as `String`'s do) or
/// "a string or an integer".
struct TextVisitor {
    integers: bool,
}

impl<'de> Visitor<'de> for TextVisitor {
    type Value = Cow<'de, str>;
    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(if self.integers {
            "a string or an integer"
        } else {
            "a string"
        })
    }
    fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> Result<Self::Value, E> {
        Ok(Cow::Borrowed(v))
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
        Ok(Cow::Owned(v.to_owned()))
    }
    fn visit_string<E: de::Error>(self, v: String) -> Result<Self::Value, E> {
        Ok(Cow::Owned(v))
    }
    fn visit_bytes<E: de::Error>(self, v: &[u8]) -> Result<Self::Value, E> {
        std::str::from_utf8(v)
            .map(|s| Cow::Owned(s.to_owned()))
            .map_err(|_| E::invalid_value(de::Unexpected::Bytes(v), &self))
    }
    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Self::Value, E> {
        if !self.integers {
            return Err(E::invalid_type(de::Unexpected::Signed(v), &self));
        }
        Ok(Cow::Owned(v.to_string()))
    }
    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Self::Value, E> {
        if !self.integers {
            return Err(E::invalid_type(de::Unexpected::Unsigned(v), &self));
        }
        Ok(Cow::Owned(v.to_string()))
    }
}

/// A JSON string (see [`TextVisitor`]).
struct Text<'a>(Cow<'a, str>);

impl<'de: 'a, 'a> Deserialize<'de> for Text<'a> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_str(TextVisitor { integers: false }).map(Text)
    }
}

fn opt_text<'de: 'a, 'a, D: Deserializer<'de>>(d: D) -> Result<Option<Cow<'a, str>>, D::Error> {
    Ok(Option::<Text<'a>>::deserialize(d)?.map(|t| t.0))
}

/// A listing id: a JSON string or an integer, kept as its decimal text. One visitor
/// instead of an untagged enum: the enum buffered every id and built (then dropped) a type
/// error for each integer id before trying the next variant.
pub(crate) struct Id<'a>(pub(crate) Cow<'a, str>);

impl<'de: 'a, 'a> Deserialize<'de> for Id<'a> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(TextVisitor { integers: true }).map(Id)
    }
}

/// The fields of a listing line as read, before the required ones are checked.
#[derive(Default, Deserialize)]
pub(crate) struct RawListing<'a> {
    #[serde(default, borrow)]
    pub(crate) id: Option<Id<'a>>,
    #[serde(default, borrow, deserialize_with = "opt_text")]
    pub(crate) platform: Option<Cow<'a, str>>,
    #[serde(default, borrow, deserialize_with = "opt_text")]
    pub(crate) title: Option<Cow<'a, str>>,
    #[serde(default, borrow, deserialize_with = "opt_text")]
    pub(crate) description: Option<Cow<'a, str>>,
    #[serde(default)]
    pub(crate) price: Option<f64>,
    #[serde(default, borrow, deserialize_with = "opt_text")]
    pub(crate) category: Option<Cow<'a, str>>,
    #[serde(default, borrow)]
    pub(crate) shop: Option<ShopRef<'a>>,
    #[serde(default, borrow, deserialize_with = "opt_text")]
    pub(crate) ship_from: Option<Cow<'a, str>>,
    #[serde(default, borrow, deserialize_with = "opt_text")]
    pub(crate) url: Option<Cow<'a, str>>,
    #[serde(default, borrow, deserialize_with = "opt_text")]
    pub(crate) captured_at: Option<Cow<'a, str>>,
}

impl<'a> ListingRef<'a> {
    /// Parses one JSON Lines record, borrowing from `line`. `id` may be a string or an
    /// integer; `title` is required; unknown fields are ignored; `null` counts as absent.
    pub fn from_json(line: &'a str) -> Result<ListingRef<'a>, ListingError> {
        match crate::fastjson::listing(line) {
            Some(raw) => Self::from_raw(raw),
            None => Self::from_json_serde(line),
        }
    }

    /// [`ListingRef::from_json`] by serde_json alone: what the fast path must agree with,
    /// and the path for every line it leaves (escapes, errors, duplicates).
    fn from_json_serde(line: &'a str) -> Result<ListingRef<'a>, ListingError> {
        let raw: RawListing<'a> =
            serde_json::from_str(line).map_err(|e| ListingError::Json(e.to_string()))?;
        Self::from_raw(raw)
    }

    fn from_raw(raw: RawListing<'a>) -> Result<ListingRef<'a>, ListingError> {
        let Some(Id(id)) = raw.id else {
            return Err(ListingError::Missing("id"));
        };
        let listing = ListingRef {
            id,
            platform: raw.platform,
            title: raw.title.unwrap_or_default(),
            description: raw.description,
            price: raw.price,
            category: raw.category,
            shop: raw.shop.unwrap_or_default(),
            ship_from: raw.ship_from,
            url: raw.url,
            captured_at: raw.captured_at,
        };
        check(&listing.id, &listing.title, listing.price)?;
        Ok(listing)
    }

    /// The same listing owning its text.
    pub fn into_owned(self) -> Listing {
        let own = |c: Option<Cow<'_, str>>| c.map(Cow::into_owned);
        Listing {
            id: self.id.into_owned(),
            platform: own(self.platform),
            title: self.title.into_owned(),
            description: own(self.description),
            price: self.price,
            category: own(self.category),
            shop: Shop {
                id: own(self.shop.id),
                name: own(self.shop.name),
                province: own(self.shop.province),
                city: own(self.shop.city),
                license_no: own(self.shop.license_no),
                uscc: own(self.shop.uscc),
            },
            ship_from: own(self.ship_from),
            url: own(self.url),
            captured_at: own(self.captured_at),
        }
    }
}

impl Listing {
    /// Parses one JSON Lines record. `id` may be a string or an integer; `title` is
    /// required; unknown fields are ignored; `null` counts as absent.
    pub fn from_json(line: &str) -> Result<Listing, ListingError> {
        ListingRef::from_json(line).map(ListingRef::into_owned)
    }

    /// A view of this listing borrowing its text (what [`crate::Detector`] scans).
    pub fn borrowed(&self) -> ListingRef<'_> {
        fn b(s: &Option<String>) -> Option<Cow<'_, str>> {
            s.as_deref().map(Cow::Borrowed)
        }
        ListingRef {
            id: Cow::Borrowed(&self.id),
            platform: b(&self.platform),
            title: Cow::Borrowed(&self.title),
            description: b(&self.description),
            price: self.price,
            category: b(&self.category),
            shop: ShopRef {
                id: b(&self.shop.id),
                name: b(&self.shop.name),
                province: b(&self.shop.province),
                city: b(&self.shop.city),
                license_no: b(&self.shop.license_no),
                uscc: b(&self.shop.uscc),
            },
            ship_from: b(&self.ship_from),
            url: b(&self.url),
            captured_at: b(&self.captured_at),
        }
    }
}

/// What every listing must have, whatever it was read from.
fn check(id: &str, title: &str, price: Option<f64>) -> Result<(), ListingError> {
    if id.trim().is_empty() {
        return Err(ListingError::Missing("id"));
    }
    if title.trim().is_empty() {
        return Err(ListingError::Missing("title"));
    }
    if let Some(p) = price {
        if !p.is_finite() {
            return Err(ListingError::Field {
                field: "price",
                message: "not a finite number".into(),
            });
        }
    }
    Ok(())
}

fn finish(listing: Listing) -> Result<Listing, ListingError> {
    check(&listing.id, &listing.title, listing.price)?;
    Ok(listing)
}

/// The CSV columns a listing file may have (any order, unknown columns ignored).
pub const CSV_COLUMNS: [&str; 15] = [
    "id",
    "platform",
    "title",
    "description",
    "price",
    "category",
    "shop_id",
    "shop_name",
    "shop_province",
    "shop_city",
    "shop_license_no",
    "shop_uscc",
    "ship_from",
    "url",
    "captured_at",
];

/// Reads listings from CSV with a header row, one record at a time (memory stays bounded
/// by the longest record).
pub struct CsvListings<R: Read> {
    reader: csv::Reader<R>,
    columns: [Option<usize>; 15],
    record: csv::StringRecord,
}

impl<R: Read> CsvListings<R> {
    /// Reads the header. Fails when the header cannot be read or has no `id` or `title`.
    pub fn new(input: R) -> Result<Self, ListingError> {
        let mut reader = csv::ReaderBuilder::new()
            .flexible(true)
            .has_headers(true)
            .from_reader(input);
        let headers = reader
            .headers()
            .map_err(|e| ListingError::Csv(e.to_string()))?
            .clone();
        let mut columns = [None; 15];
        for (slot, name) in columns.iter_mut().zip(CSV_COLUMNS) {
            *slot = headers.iter().position(|h| h.trim() == name);
        }
        if columns[0].is_none() {
            return Err(ListingError::Missing("id"));
        }
        if columns[2].is_none() {
            return Err(ListingError::Missing("title"));
        }
        Ok(CsvListings {
            reader,
            columns,
            record: csv::StringRecord::new(),
        })
    }

    /// The next record: `None` at the end, else the 1-based line number where the record
    /// starts and the listing or why it is bad.
    pub fn next_listing(&mut self) -> Option<(u64, Result<Listing, ListingError>)> {
        match self.reader.read_record(&mut self.record) {
            Ok(false) => None,
            Ok(true) => {
                let line = self.record.position().map_or(0, |p| p.line());
                Some((line, self.convert()))
            }
            Err(e) => {
                let line = e.position().map_or(0, |p| p.line());
                if matches!(e.kind(), csv::ErrorKind::Io(_)) {
                    return None;
                }
                Some((line, Err(ListingError::Csv(e.to_string()))))
            }
        }
    }

    fn get(&self, i: usize) -> Option<String> {
        let col = self.columns[i]?;
        let v = self.record.get(col)?;
        if v.is_empty() {
            None
        } else {
            Some(v.to_string())
        }
    }

    fn convert(&self) -> Result<Listing, ListingError> {
        let price = match self.get(4) {
            None => None,
            Some(p) => Some(p.trim().parse::<f64>().map_err(|_| ListingError::Field {
                field: "price",
                message: format!("'{p}' is not a number"),
            })?),
        };
        finish(Listing {
            id: self.get(0).unwrap_or_default(),
            platform: self.get(1),
            title: self.get(2).unwrap_or_default(),
            description: self.get(3),
            price,
            category: self.get(5),
            shop: Shop {
                id: self.get(6),
                name: self.get(7),
                province: self.get(8),
                city: self.get(9),
                license_no: self.get(10),
                uscc: self.get(11),
            },
            ship_from: self.get(12),
            url: self.get(13),
            captured_at: self.get(14),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// Pieces of listing lines: every field, right and wrong types, escapes, nesting,
    /// duplicates, odd numbers and whitespace.
    fn line() -> impl Strategy<Value = String> {
        let key = prop::sample::select(vec![
            "id",
            "platform",
            "title",
            "description",
            "price",
            "category",
            "shop",
            "ship_from",
            "url",
            "captured_at",
            "x",
            "Title",
            "",
            "名",
        ]);
        let shop_key = prop::sample::select(vec![
            "id",
            "name",
            "province",
            "city",
            "license_no",
            "uscc",
            "y",
        ]);
        let good = prop::sample::select(vec![
            r#""耐克 高仿 AJ1""#,
            r#""a""#,
            r#""""#,
            r#""s1""#,
            "0",
            "42",
            "12.5",
            "1e3",
            "null",
        ]);
        let odd = prop::sample::select(vec![
            r#""含\"引号""#,
            r#""\u00e9\n""#,
            r#""\ud800""#,
            "\"\u{1}\"",
            "-7",
            "-0",
            "1E-2",
            "01",
            "1.",
            ".5",
            "-",
            "18446744073709551615",
            "18446744073709551616",
            "1e400",
            "true",
            "false",
            "[]",
            "[1,[2,{}]]",
            "{}",
            r#"{"a":[null]}"#,
            "nul",
            "tru",
        ]);
        let scalar = prop_oneof![3 => good, 1 => odd].prop_map(str::to_string);
        let ws = prop::sample::select(vec!["", "", "", " ", "  ", "\t", "\r\n"]);
        let shop = prop::collection::vec((shop_key, scalar.clone()), 0..4).prop_map(|kv| {
            let body: Vec<String> = kv.iter().map(|(k, v)| format!("\"{k}\":{v}")).collect();
            format!("{{{}}}", body.join(","))
        });
        let value = prop_oneof![4 => scalar, 1 => shop];
        // Often a usable id and title first, so that many lines are listings.
        let head = prop::sample::select(vec![
            "",
            r#""id":1,"title":"耐克 高仿""#,
            r#""id":"a","title":"t""#,
            r#""title":"苹果手机壳","id":7"#,
        ]);
        (
            head,
            prop::collection::vec((key, value, ws.clone()), 0..9),
            ws,
            prop::sample::select(vec!["", "", "", "", "", "", "", "x"]),
        )
            .prop_map(|(head, kv, w, trailing)| {
                let body: Vec<String> = (!head.is_empty())
                    .then(|| head.to_string())
                    .into_iter()
                    .chain(
                        kv.iter()
                            .map(|(k, v, w)| format!("{w}\"{k}\"{w}:{w}{v}{w}")),
                    )
                    .collect();
                format!("{w}{{{}}}{w}{trailing}", body.join(","))
            })
    }

    fn agree(line: &str) -> Result<(), TestCaseError> {
        let fast = ListingRef::from_json(line);
        let serde = ListingRef::from_json_serde(line);
        prop_assert_eq!(fast, serde, "{}", line);
        Ok(())
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(4000))]
        #[test]
        fn fast_path_agrees_with_serde_json(l in line()) {
            agree(&l)?;
        }

        #[test]
        fn fast_path_agrees_on_cut_and_spliced_lines(l in line(), cut in any::<prop::sample::Index>(), b in any::<u8>()) {
            let bytes = l.as_bytes();
            let at = cut.index(bytes.len() + 1);
            agree(&String::from_utf8_lossy(&bytes[..at]))?;
            let mut spliced = bytes.to_vec();
            spliced.insert(at, b);
            agree(&String::from_utf8_lossy(&spliced))?;
        }
    }

    /// The property above only means something if many generated lines take the fast path.
    #[test]
    fn generated_lines_often_take_the_fast_path() {
        use proptest::strategy::ValueTree;
        let mut runner = proptest::test_runner::TestRunner::deterministic();
        let strategy = line();
        let (mut fast, mut ok) = (0, 0);
        for _ in 0..2000 {
            let l = strategy.new_tree(&mut runner).expect("tree").current();
            fast += usize::from(crate::fastjson::listing(&l).is_some());
            ok += usize::from(ListingRef::from_json(&l).is_ok());
        }
        assert!(fast > 200, "only {fast} of 2000 lines took the fast path");
        assert!(ok > 100, "only {ok} of 2000 lines were listings");
    }

    #[test]
    fn plain_lines_take_the_fast_path() {
        for line in [
            r#"{"id":1,"title":"耐克 高仿","price":99.5,"shop":{"id":"s1","name":"店"},"x":[1,{"y":null}]}"#,
            r#" { "id" : "a-1" , "title" : "t" , "description" : null } "#,
        ] {
            assert!(crate::fastjson::listing(line).is_some(), "{line}");
            agree(line).expect("agree");
        }
        for line in [
            r#"{"id":1,"title":"a\"b"}"#,
            r#"{"id":1,"id":2,"title":"t"}"#,
            r#"{"id":-1,"title":"t"}"#,
            r#"{"id":1,"title":"t"} x"#,
            r#"["1","p","t"]"#,
        ] {
            assert!(crate::fastjson::listing(line).is_none(), "{line}");
            agree(line).expect("agree");
        }
    }

    #[test]
    fn integer_ids_become_strings() {
        let l = Listing::from_json(r#"{"id":42,"title":"t","x":1}"#).unwrap();
        assert_eq!(l.id, "42");
        let l = Listing::from_json(r#"{"id":-7,"title":"t"}"#).unwrap();
        assert_eq!(l.id, "-7");
        let l = Listing::from_json(r#"{"id":18446744073709551615,"title":"t"}"#).unwrap();
        assert_eq!(l.id, "18446744073709551615");
        let l = ListingRef::from_json(r#"{"id":"a\"b","title":"t"}"#).unwrap();
        assert_eq!(l.id, "a\"b");
        assert!(matches!(l.id, Cow::Owned(_)));
        let l = ListingRef::from_json(r#"{"id":"ab","title":"t"}"#).unwrap();
        assert!(matches!(l.id, Cow::Borrowed("ab")));
    }

    #[test]
    fn ids_that_are_neither_text_nor_integers_are_refused() {
        assert_eq!(
            Listing::from_json(r#"{"id":null,"title":"t"}"#),
            Err(ListingError::Missing("id"))
        );
        for bad in ["1.5", "true", "[1]", "{}"] {
            let line = format!(r#"{{"id":{bad},"title":"t"}}"#);
            match Listing::from_json(&line) {
                Err(ListingError::Json(m)) => {
                    assert!(m.contains("expected a string or an integer"), "{bad}: {m}")
                }
                other => panic!("{bad}: {other:?}"),
            }
        }
    }

    #[test]
    fn missing_title_and_wrong_types_are_errors() {
        assert_eq!(
            Listing::from_json(r#"{"id":"a"}"#),
            Err(ListingError::Missing("title"))
        );
        assert!(Listing::from_json(r#"{"id":"a","title":"t","price":"cheap"}"#).is_err());
        assert!(Listing::from_json("not json").is_err());
        assert!(Listing::from_json(r#"{"title":"t"}"#).is_err());
    }

    #[test]
    fn csv_rows_with_flattened_shop() {
        let data = "id,title,price,shop_name,shop_city\n1,耐克鞋,99.5,小店,杭州\n2,,1,,\n";
        let mut r = CsvListings::new(data.as_bytes()).unwrap();
        let (line, first) = r.next_listing().unwrap();
        assert_eq!(line, 2);
        let first = first.unwrap();
        assert_eq!(first.shop.name.as_deref(), Some("小店"));
        assert_eq!(first.price, Some(99.5));
        let (line, second) = r.next_listing().unwrap();
        assert_eq!(line, 3);
        assert!(second.is_err());
        assert!(r.next_listing().is_none());
    }
}
