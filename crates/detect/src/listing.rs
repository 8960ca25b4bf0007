//! Listings as platforms hand them over: one JSON object per line, or CSV rows with the
//! shop columns flattened. Parsing never panics; a bad record becomes a [`ListingError`].

use std::io::Read;

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

#[derive(Deserialize)]
#[serde(untagged)]
enum IdValue {
    Text(String),
    Int(i64),
    UInt(u64),
}

#[derive(Deserialize)]
struct RawListing {
    #[serde(default)]
    id: Option<IdValue>,
    #[serde(default)]
    platform: Option<String>,
    #[serde(default)]
    title: Option<String>,
    #[serde(default)]
    description: Option<String>,
    #[serde(default)]
    price: Option<f64>,
    #[serde(default)]
    category: Option<String>,
    #[serde(default)]
    shop: Option<Shop>,
    #[serde(default)]
    ship_from: Option<String>,
    #[serde(default)]
    url: Option<String>,
    #[serde(default)]
    captured_at: Option<String>,
}

impl Listing {
    /// Parses one JSON Lines record. `id` may be a string or an integer; `title` is
    /// required; unknown fields are ignored; `null` counts as absent.
    pub fn from_json(line: &str) -> Result<Listing, ListingError> {
        let raw: RawListing =
            serde_json::from_str(line).map_err(|e| ListingError::Json(e.to_string()))?;
        let id = match raw.id {
            Some(IdValue::Text(s)) => s,
            Some(IdValue::Int(n)) => n.to_string(),
            Some(IdValue::UInt(n)) => n.to_string(),
            None => return Err(ListingError::Missing("id")),
        };
        finish(Listing {
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
        })
    }
}

fn finish(listing: Listing) -> Result<Listing, ListingError> {
    if listing.id.trim().is_empty() {
        return Err(ListingError::Missing("id"));
    }
    if listing.title.trim().is_empty() {
        return Err(ListingError::Missing("title"));
    }
    if let Some(p) = listing.price {
        if !p.is_finite() {
            return Err(ListingError::Field {
                field: "price",
                message: "not a finite number".into(),
            });
        }
    }
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

    #[test]
    fn integer_ids_become_strings() {
        let l = Listing::from_json(r#"{"id":42,"title":"t","x":1}"#).unwrap();
        assert_eq!(l.id, "42");
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
