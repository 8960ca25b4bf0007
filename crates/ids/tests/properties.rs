//! Property tests: generated valid codes validate, any one changed character is caught,
//! and no input makes a parser panic (our stand-in for a fuzz target).

use proptest::prelude::*;
use wangjian_ids::{check, gtin_check_digit, organization_code_check_char, uscc_check_char, Kind};

const USCC_SET: &[u8] = b"0123456789ABCDEFGHJKLMNPQRTUWXY";
const REGIONS: &[&str] = &["110105", "330106", "440305", "640502", "110103", "330103"];
const AUTH: &[(&str, &str)] = &[
    ("9", "1"),
    ("9", "2"),
    ("9", "3"),
    ("5", "1"),
    ("1", "2"),
    ("Y", "1"),
    ("N", "2"),
];

fn uscc_strategy() -> impl Strategy<Value = String> {
    (
        0..AUTH.len(),
        0..REGIONS.len(),
        proptest::collection::vec(0..USCC_SET.len(), 8),
    )
        .prop_filter_map("org check must be in the set", |(a, r, body)| {
            let body: String = body.iter().map(|&i| char::from(USCC_SET[i])).collect();
            let oc = organization_code_check_char(&body)?;
            if !USCC_SET.contains(&(oc as u8)) {
                return None;
            }
            let first17 = format!("{}{}{}{}{}", AUTH[a].0, AUTH[a].1, REGIONS[r], body, oc);
            let c = uscc_check_char(&first17)?;
            Some(format!("{first17}{c}"))
        })
}

fn citizen_strategy() -> impl Strategy<Value = String> {
    (
        0..REGIONS.len(),
        1900i32..2020,
        1u32..13,
        1u32..29,
        0u32..1000,
    )
        .prop_map(|(r, y, m, d, s)| {
            let body = format!("{}{y:04}{m:02}{d:02}{s:03}", REGIONS[r]);
            let w = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
            let sum: u32 = body
                .bytes()
                .zip(w)
                .map(|(b, w)| u32::from(b - b'0') * w)
                .sum();
            let c = match (12 - sum % 11) % 11 {
                10 => 'X',
                d => char::from_digit(d, 10).unwrap(),
            };
            format!("{body}{c}")
        })
}

fn gtin_strategy() -> impl Strategy<Value = String> {
    (
        prop_oneof![Just(8usize), Just(12), Just(13), Just(14)],
        proptest::collection::vec(0u8..10, 14),
    )
        .prop_map(|(n, d)| {
            let body: String = d[..n - 1].iter().map(|x| char::from(b'0' + x)).collect();
            let c = gtin_check_digit(&body).unwrap();
            format!("{body}{c}")
        })
}

/// Every way to change one character of `s` to another character of `alphabet`.
fn mutate(s: &str, pos: usize, pick: usize, alphabet: &[u8]) -> Option<String> {
    let mut b = s.as_bytes().to_vec();
    let pos = pos % b.len();
    let mut c = alphabet[pick % alphabet.len()];
    if c == b[pos] {
        c = alphabet[(pick + 1) % alphabet.len()];
    }
    b[pos] = c;
    String::from_utf8(b).ok()
}

proptest! {
    #[test]
    fn generated_uscc_validate(c in uscc_strategy()) {
        prop_assert!(check(Kind::Uscc, &c).is_ok(), "{}", c);
    }

    #[test]
    fn one_changed_uscc_char_is_caught(c in uscc_strategy(), pos in 0usize..18, pick in 0usize..31) {
        let m = mutate(&c, pos, pick, USCC_SET).unwrap();
        prop_assert!(check(Kind::Uscc, &m).is_err(), "{} → {}", c, m);
    }

    /// Whatever the first eight characters (authority, entity type, region digits), a code
    /// whose two check characters are right is valid: the tables only warn (issue 13).
    #[test]
    fn any_code_with_right_check_characters_is_valid(
        head in proptest::collection::vec(0usize..31, 2),
        region in 0u32..1_000_000,
        c in uscc_strategy(),
    ) {
        let set = USCC_SET;
        let mut first17: String = head.iter().map(|i| char::from(set[*i])).collect();
        first17.push_str(&format!("{region:06}"));
        first17.push_str(&c[8..17]);
        let code = format!("{first17}{}", wangjian_ids::uscc_check_char(&first17).unwrap());
        let parsed = check(Kind::Uscc, &code);
        prop_assert!(parsed.is_ok(), "{} {:?}", code, parsed);
    }

    #[test]
    fn generated_citizen_ids_validate(c in citizen_strategy()) {
        prop_assert!(check(Kind::CitizenId, &c).is_ok(), "{}", c);
    }

    #[test]
    fn one_changed_citizen_id_char_is_caught(c in citizen_strategy(), pos in 0usize..18, pick in 0usize..11) {
        let m = mutate(&c, pos, pick, b"0123456789X").unwrap();
        prop_assert!(check(Kind::CitizenId, &m).is_err(), "{} → {}", c, m);
    }

    #[test]
    fn generated_gtins_validate(g in gtin_strategy()) {
        prop_assert!(check(Kind::Gtin, &g).is_ok(), "{}", g);
    }

    #[test]
    fn one_changed_gtin_digit_is_caught(g in gtin_strategy(), pos in 0usize..14, pick in 0usize..10) {
        let m = mutate(&g, pos, pick, b"0123456789").unwrap();
        prop_assert!(check(Kind::Gtin, &m).is_err(), "{} → {}", g, m);
    }

    #[test]
    fn no_kind_panics_on_any_string(s in ".{0,40}") {
        for k in Kind::ALL {
            let _ = check(k, &s);
        }
    }

    #[test]
    fn no_kind_panics_on_any_bytes(b in proptest::collection::vec(any::<u8>(), 0..40)) {
        let s = String::from_utf8_lossy(&b);
        for k in Kind::ALL {
            let _ = check(k, &s);
        }
    }

    #[test]
    fn no_kind_panics_on_near_valid_shapes(s in "(京|浙|沪|JY|SC|91|\\+86)?[0-9A-Z号公网安备ICP证-]{0,20}") {
        for k in Kind::ALL {
            let _ = check(k, &s);
        }
    }
}
