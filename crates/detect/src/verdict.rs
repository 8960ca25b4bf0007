//! What a scan says about one listing: a score, a level and the reasons, each pointing at
//! the characters of the original field it was found in.

use serde::{Deserialize, Serialize};

/// Why a listing was flagged. Exactly these nine codes exist.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Code {
    /// A protected mark or one of its disguised forms.
    Mark,
    /// Counterfeit slang (高仿, A货, replica).
    CounterfeitTerm,
    /// The mark only says what the product fits (适用于苹果); lowers the mark's weight.
    DescriptiveUse,
    /// Priced far below the mark's reference price.
    PriceAnomaly,
    /// The shop is not on the mark's authorized list.
    UnauthorizedSeller,
    /// A geographical indication named for goods from outside its origin.
    GiOrigin,
    /// A term banned by the advertising law.
    AdLaw,
    /// Goods that may not be sold online.
    ProhibitedItem,
    /// A regulated category without a (valid) licence.
    RegulatedNoLicense,
}

impl Code {
    /// Every code, in report order.
    pub const ALL: [Code; 9] = [
        Code::Mark,
        Code::CounterfeitTerm,
        Code::DescriptiveUse,
        Code::PriceAnomaly,
        Code::UnauthorizedSeller,
        Code::GiOrigin,
        Code::AdLaw,
        Code::ProhibitedItem,
        Code::RegulatedNoLicense,
    ];

    /// The code as written in output (`counterfeit_term`).
    pub fn as_str(self) -> &'static str {
        match self {
            Code::Mark => "mark",
            Code::CounterfeitTerm => "counterfeit_term",
            Code::DescriptiveUse => "descriptive_use",
            Code::PriceAnomaly => "price_anomaly",
            Code::UnauthorizedSeller => "unauthorized_seller",
            Code::GiOrigin => "gi_origin",
            Code::AdLaw => "ad_law",
            Code::ProhibitedItem => "prohibited_item",
            Code::RegulatedNoLicense => "regulated_no_license",
        }
    }

    /// Parses an output code.
    pub fn parse(s: &str) -> Option<Code> {
        Code::ALL.into_iter().find(|c| c.as_str() == s)
    }
}

/// The listing field a reason points into.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Field {
    /// `title`.
    Title,
    /// `description`.
    Description,
    /// `category`.
    Category,
    /// `price` (formatted as in the output `matched`).
    Price,
    /// The shop name (or id when it has no name).
    Shop,
    /// `ship_from`.
    ShipFrom,
}

impl Field {
    /// The field name as written in output.
    pub fn as_str(self) -> &'static str {
        match self {
            Field::Title => "title",
            Field::Description => "description",
            Field::Category => "category",
            Field::Price => "price",
            Field::Shop => "shop",
            Field::ShipFrom => "ship_from",
        }
    }
}

/// How serious a listing looks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Level {
    /// No reason.
    None,
    /// Worth recording.
    Low,
    /// Worth an officer's look.
    Medium,
    /// A lead to act on.
    High,
}

impl Level {
    /// Every level, lowest first.
    pub const ALL: [Level; 4] = [Level::None, Level::Low, Level::Medium, Level::High];

    /// The level as written in output.
    pub fn as_str(self) -> &'static str {
        match self {
            Level::None => "none",
            Level::Low => "low",
            Level::Medium => "medium",
            Level::High => "high",
        }
    }
}

/// One reason, explained down to the characters.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Reason {
    /// Reason code.
    pub code: Code,
    /// Readable Chinese explanation.
    pub detail: String,
    /// The field of the listing.
    pub field: Field,
    /// The original substring.
    pub matched: String,
    /// Start, in characters of the original field.
    pub start: usize,
    /// End (exclusive), in characters of the original field.
    pub end: usize,
    /// Rule id (`cf-001`, `mark:耐克`, `policy:price.anomaly_ratio`).
    pub rule: String,
    /// Weight this reason carries in the score.
    pub weight: u32,
    /// For a `mark` reason: the owner of the registry entry chosen (absent when the marks
    /// file names none).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub owner: Option<String>,
    /// For a `mark` reason: the other registry entries that match the same text (other
    /// owners of the word, other marks overlapping it), best supported first, each with
    /// whether it fits the listing. Empty for other codes.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub alternatives: Vec<Alternative>,
}

/// A registry entry a mark hit could also have meant, and why it was not chosen.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Alternative {
    /// The mark as registered.
    pub mark: String,
    /// Its owner.
    pub owner: String,
    /// Its Nice classes.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub classes: Vec<u8>,
    /// How the text matched it: `written`, `variant`, `pinyin` or `homophone`.
    pub form: String,
    /// The original text it matched (may differ from the chosen reason's when they only
    /// overlap).
    pub matched: String,
    /// Whether the listing fits its classes or categories.
    pub fits: bool,
}

/// The result of scanning one listing.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Verdict {
    /// The listing id.
    pub listing_id: String,
    /// 0–100.
    pub score: u32,
    /// Level from the score and the policy floors and caps.
    pub level: Level,
    /// Reasons, in field order then position.
    pub reasons: Vec<Reason>,
}
