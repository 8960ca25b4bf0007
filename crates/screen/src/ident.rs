//! Identifiers, normalized so that one subject's identifier written in different ways
//! compares equal: full-width digits and letters, spaces and dashes, `+86`, a lower-case
//! `x`, a 15-digit citizen id (upgraded to 18), a domain with its scheme, `www.`, port,
//! path or trailing dot, or in Unicode (written in punycode, UTS #46).
//!
//! A value that fails its check (a USCC with a wrong check character, a landline number)
//! still matches exactly on its compact form: a published list may carry a mistyped code,
//! and the same mistyped code on both sides is still evidence. Such matches say
//! `"valid": false` and weigh less ([`crate::Weights::invalid_ident`]).

use serde::Serialize;

/// The identifiers a subject may carry.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum IdentKind {
    /// 统一社会信用代码 (GB 32100-2015).
    Uscc,
    /// 公民身份号码 (GB 11643-1999).
    CitizenId,
    /// A telephone number (mobile numbers normalized to 11 digits).
    Phone,
    /// A shop's id on a platform.
    ShopId,
    /// A website's domain name.
    Domain,
}

impl IdentKind {
    /// Every kind, in the order they are reported.
    pub const ALL: [IdentKind; 5] = [
        IdentKind::Uscc,
        IdentKind::CitizenId,
        IdentKind::Phone,
        IdentKind::ShopId,
        IdentKind::Domain,
    ];

    /// The field name in input and output (`uscc`, `citizen_id`, `phone`, `shop_id`,
    /// `domain`).
    pub fn field(self) -> &'static str {
        match self {
            IdentKind::Uscc => "uscc",
            IdentKind::CitizenId => "citizen_id",
            IdentKind::Phone => "phone",
            IdentKind::ShopId => "shop_id",
            IdentKind::Domain => "domain",
        }
    }

    pub(crate) fn tag(self) -> u64 {
        match self {
            IdentKind::Uscc => 1,
            IdentKind::CitizenId => 2,
            IdentKind::Phone => 3,
            IdentKind::ShopId => 4,
            IdentKind::Domain => 5,
        }
    }
}

/// A normalized identifier.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Ident {
    /// What it is.
    pub kind: IdentKind,
    /// The normalized form compared for equality.
    pub value: String,
    /// True when the value passed its format check (GB 32100-2015 / GB 11643-1999 check
    /// characters, an assigned mobile segment, a valid IDNA domain). Shop ids are always
    /// valid: platforms define their own formats.
    pub valid: bool,
}

/// Full-width ASCII (U+FF01–U+FF5E) to ASCII and the ideographic space to a space: how
/// identifiers typed on a Chinese keyboard differ from the same identifiers in ASCII.
pub(crate) fn fold_width(c: char) -> char {
    match c {
        '\u{FF01}'..='\u{FF5E}' => char::from_u32(c as u32 - 0xFEE0).unwrap_or(c),
        '\u{3000}' => ' ',
        // Ideographic and half-width full stops, as written in domain names.
        '\u{3002}' | '\u{FF61}' => '.',
        _ => c,
    }
}

/// The ASCII letters and digits of `raw` (after width folding), upper case.
fn compact_upper(raw: &str) -> String {
    raw.chars()
        .map(fold_width)
        .filter(char::is_ascii_alphanumeric)
        .map(|c| c.to_ascii_uppercase())
        .collect()
}

/// Normalizes `raw` as an identifier of `kind`; `None` when nothing of it is left.
pub fn normalize_ident(kind: IdentKind, raw: &str) -> Option<Ident> {
    let (value, valid) = match kind {
        IdentKind::Uscc => {
            let c = compact_upper(raw);
            match wangjian_ids::parse_uscc(&c) {
                Ok(u) => (u.code, true),
                Err(_) => (c, false),
            }
        }
        IdentKind::CitizenId => {
            let c = compact_upper(raw);
            match wangjian_ids::parse_citizen_id(&c) {
                Ok(id) => (id.number, true),
                Err(_) => (c, false),
            }
        }
        IdentKind::Phone => phone(raw),
        IdentKind::ShopId => (
            raw.chars()
                .map(fold_width)
                .filter(|c| !c.is_whitespace())
                .flat_map(char::to_lowercase)
                .collect(),
            true,
        ),
        IdentKind::Domain => domain(raw),
    };
    (!value.is_empty()).then_some(Ident { kind, value, valid })
}

fn phone(raw: &str) -> (String, bool) {
    let folded: String = raw.chars().map(fold_width).collect();
    if let Ok(p) = wangjian_ids::parse_phone(&folded) {
        return (p.normalized, true);
    }
    // Not a mobile number: compare its digits, without the country code.
    let digits: String = folded.chars().filter(char::is_ascii_digit).collect();
    let mut trimmed = if folded.trim_start().starts_with('+') {
        digits.strip_prefix("86").unwrap_or(&digits)
    } else {
        &digits
    };
    // Never left starting with 0086, so that the value normalizes to itself.
    while let Some(rest) = trimmed.strip_prefix("0086") {
        trimmed = rest;
    }
    match wangjian_ids::parse_phone(trimmed) {
        Ok(p) => (p.normalized, true),
        Err(_) => (trimmed.to_string(), false),
    }
}

/// The host of a URL or domain as written: no scheme, user, port, path, query, fragment,
/// trailing dot or leading `www.`; lower case; Unicode labels in punycode (UTS #46 via
/// `idna`). Invalid names keep their lower-case host and are marked invalid.
fn domain(raw: &str) -> (String, bool) {
    use unicode_normalization::UnicodeNormalization;
    // Compatibility forms first (NFKC: ﹨ is \, ／ is /, ＠ is @), so the URL's structure
    // is read on the characters IDNA would map them to.
    let folded: String = raw.nfkc().map(fold_width).collect();
    let mut s = folded.trim();
    if let Some(i) = s.find("://") {
        if s[..i]
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'))
        {
            s = &s[i + 3..];
        }
    } else if let Some(rest) = s.strip_prefix("//") {
        s = rest;
    }
    if let Some(i) = s.find(['/', '?', '#', '\\']) {
        s = &s[..i];
    }
    if let Some(i) = s.rfind('@') {
        s = &s[i + 1..];
    }
    if let Some(i) = s.rfind(':') {
        let port = &s[i + 1..];
        if !port.is_empty() && port.bytes().all(|b| b.is_ascii_digit()) && !s.contains(']') {
            s = &s[..i];
        }
    }
    // Trailing dots and spaces in any order (`taobao.com. `, `taobao 。`).
    let s = s
        .trim_start()
        .trim_end_matches(|c: char| c.is_whitespace() || c == '.');
    let (mut host, valid) = match idna::domain_to_ascii(s) {
        Ok(a) if !a.is_empty() => (a, true),
        _ => (s.to_lowercase(), false),
    };
    let host_trimmed = host.trim_end_matches('.').len();
    host.truncate(host_trimmed);
    while host.starts_with("www.") && host[4..].contains('.') {
        host.drain(..4);
    }
    (host, valid)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn n(kind: IdentKind, raw: &str) -> (String, bool) {
        let i = normalize_ident(kind, raw).expect("not empty");
        (i.value, i.valid)
    }

    #[test]
    fn uscc_folds_width_case_and_spaces() {
        // A valid code (GB 32100-2015 check characters), written in different ways.
        let want = ("91330100716105852F".to_string(), true);
        assert_eq!(n(IdentKind::Uscc, "91330100716105852F"), want);
        assert_eq!(
            n(IdentKind::Uscc, "９１３３０１００７１６１０５８５２ｆ"),
            want
        );
        assert_eq!(n(IdentKind::Uscc, " 9133 0100 7161 0585 2F "), want);
        assert_eq!(n(IdentKind::Uscc, "91330100-716105852-f"), want);
        // A wrong check character: kept, compact, marked invalid.
        assert_eq!(
            n(IdentKind::Uscc, "91330100716105852x"),
            ("91330100716105852X".to_string(), false)
        );
        assert!(normalize_ident(IdentKind::Uscc, " －　").is_none());
    }

    #[test]
    fn citizen_id_upgrades_and_folds_x() {
        // GB 11643-1999's example number.
        let want = ("11010519491231002X".to_string(), true);
        assert_eq!(n(IdentKind::CitizenId, "11010519491231002x"), want);
        assert_eq!(
            n(IdentKind::CitizenId, "１１０１０５１９４９１２３１００２Ｘ"),
            want
        );
        // The 15-digit form of the same number, upgraded.
        assert_eq!(n(IdentKind::CitizenId, "110105491231002"), want);
    }

    #[test]
    fn phone_drops_country_code_and_separators() {
        let want = ("13800138000".to_string(), true);
        assert_eq!(n(IdentKind::Phone, "+86 138-0013-8000"), want);
        assert_eq!(n(IdentKind::Phone, "＋８６１３８００１３８０００"), want);
        assert_eq!(n(IdentKind::Phone, "0086 13800138000"), want);
        assert_eq!(n(IdentKind::Phone, "(+86)138 0013 8000"), want);
        assert_eq!(
            n(IdentKind::Phone, "0571-8502 2088"),
            ("057185022088".to_string(), false)
        );
    }

    #[test]
    fn domains_lose_scheme_www_path_and_trailing_dot() {
        let want = ("taobao.com".to_string(), true);
        for raw in [
            "taobao.com",
            "https://www.taobao.com/",
            "HTTP://WWW.TAOBAO.COM.",
            "www.taobao.com:443/item.htm?id=1#x",
            "ｗｗｗ．ｔａｏｂａｏ．ｃｏｍ",
            "user@taobao.com",
            "//taobao.com/path",
            "taobao。com",
        ] {
            assert_eq!(n(IdentKind::Domain, raw), want, "{raw}");
        }
        assert_eq!(
            n(IdentKind::Domain, "http://例子.中国/路径"),
            ("xn--fsqu00a.xn--fiqs8s".to_string(), true)
        );
        assert_eq!(
            n(IdentKind::Domain, "www.com"),
            ("www.com".to_string(), true)
        );
        assert_eq!(n(IdentKind::Domain, "shop.taobao.com").0, "shop.taobao.com");
        // Compatibility forms of URL punctuation are read as that punctuation (found by
        // the never-panic proptest: "﹨" gave "\\", which normalized again to nothing).
        assert_eq!(
            n(IdentKind::Domain, "taobao.com﹨item"),
            ("taobao.com".to_string(), true)
        );
        assert_eq!(normalize_ident(IdentKind::Domain, "﹨"), None);
        assert_eq!(n(IdentKind::Domain, "A 。"), ("a".to_string(), true));
    }

    #[test]
    fn shop_ids_fold_width_and_case() {
        assert_eq!(
            n(IdentKind::ShopId, " ＡＢ 123 "),
            ("ab123".to_string(), true)
        );
    }
}
