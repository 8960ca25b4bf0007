//! Fuzzing without nightly: proptest feeds arbitrary bytes (lossy-decoded) and arbitrary
//! Unicode strings and checks that nothing panics and that the documented invariants hold.

use proptest::prelude::*;
use wangjian_text::{char_offset, normalize, pinyin, MatchForm};

/// The offset-map invariants every match form must satisfy.
fn check_map(orig: &str, f: &MatchForm, spaces_have_source: bool) -> Result<(), TestCaseError> {
    let form = f.as_str();
    prop_assert_eq!(f.len(), form.len());
    prop_assert!(!form.starts_with(' ') && !form.ends_with(' ') && !form.contains("  "));
    // Segments tile the form and are monotone in the original.
    let mut m = 0;
    let mut o = 0;
    for (orig_r, form_r) in f.segments() {
        prop_assert_eq!(form_r.start, m);
        prop_assert!(form_r.end > form_r.start);
        prop_assert!(orig_r.start >= o && orig_r.end >= orig_r.start && orig_r.end <= orig.len());
        prop_assert!(orig.is_char_boundary(orig_r.start) && orig.is_char_boundary(orig_r.end));
        m = form_r.end;
        o = orig_r.end;
    }
    prop_assert_eq!(m, form.len());
    // Every span between char boundaries maps to a valid, monotone span of the original.
    let bounds: Vec<usize> = form
        .char_indices()
        .map(|(i, _)| i)
        .chain(std::iter::once(form.len()))
        .collect();
    let step = (bounds.len() / 12).max(1);
    let mut prev_start = 0;
    for (k, &a) in bounds.iter().enumerate().step_by(step) {
        let r = f.original_range(a..a);
        prop_assert!(r.start >= prev_start, "empty ranges are monotone");
        prev_start = r.start;
        for &b in bounds[k..].iter().step_by(step) {
            let r = f.original_range(a..b);
            prop_assert!(r.start <= r.end && r.end <= orig.len());
            prop_assert!(orig.is_char_boundary(r.start) && orig.is_char_boundary(r.end));
            // Pinyin inserts spaces between syllables that no original character produced.
            if b > a && spaces_have_source {
                prop_assert!(r.end > r.start, "a non-empty span comes from something");
            }
        }
    }
    // Out-of-range input is clamped, never a panic.
    let _ = f.original_range(usize::MAX - 1..usize::MAX);
    let r = f.original_range(std::ops::Range { start: 7, end: 3 });
    prop_assert!(r.start <= r.end && r.end <= orig.len());
    prop_assert!(char_offset(orig, usize::MAX) == orig.chars().count());
    Ok(())
}

fn check_all(s: &str) -> Result<(), TestCaseError> {
    let f = normalize(s);
    check_map(s, &f, true)?;
    let again = normalize(f.as_str());
    prop_assert_eq!(again.as_str(), f.as_str(), "normalize is idempotent");
    let p = pinyin(s);
    check_map(s, &p, false)?;
    Ok(())
}

/// Strings that look like listings: brand names, evasions, CJK, separators, emoji, marks.
fn listing_like() -> impl Strategy<Value = String> {
    let pieces = prop::sample::select(vec![
        "nike",
        "N1KE",
        "ＮＩＫＥ",
        "A.D.I.D.A.S",
        "lv",
        "LVMH",
        "高仿",
        "髙仿",
        "阿 迪",
        "耐❤克",
        "1:1",
        "99.9%",
        " ",
        "-",
        "·",
        "\u{200B}",
        "\u{FE0F}",
        "\u{0301}",
        "😍",
        "Nіkе",
        "½",
        "㍿",
        "乾",
        "绿",
        "@",
        "$",
        "a",
        "4",
        ".",
        ",",
        "ⓝ",
        "𝐍",
        "\u{E0041}",
        "𠀀",
        "ｶﾞ",
        "한국",
        "\t",
    ]);
    prop::collection::vec(pieces, 0..24).prop_map(|v| v.concat())
}

/// Cases per property: `PROPTEST_CASES` when set (a long fuzzing run), else `default`.
fn fuzz_cases(default: u32) -> u32 {
    std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(fuzz_cases(3000)))]

    #[test]
    fn arbitrary_bytes(bytes in prop::collection::vec(any::<u8>(), 0..200)) {
        let s = String::from_utf8_lossy(&bytes);
        check_all(&s)?;
    }

    #[test]
    fn arbitrary_unicode(s in "\\PC*") {
        check_all(&s)?;
    }

    #[test]
    fn any_chars(v in prop::collection::vec(any::<char>(), 0..60)) {
        let s: String = v.into_iter().collect();
        check_all(&s)?;
    }

    #[test]
    fn listing_pieces(s in listing_like()) {
        check_all(&s)?;
    }
}

#[test]
fn every_char_alone_and_between_letters() {
    // Each code point in turn, alone and inside a word, through the whole pipeline.
    for c in (0..0x3_0000u32)
        .chain(0xE_0000..0xE_0100)
        .filter_map(char::from_u32)
    {
        for s in [c.to_string(), format!("a{c}b"), format!("高{c}1")] {
            let f = normalize(&s);
            let again = normalize(f.as_str());
            assert_eq!(
                again.as_str(),
                f.as_str(),
                "idempotent on U+{:04X}",
                c as u32
            );
        }
    }
}

proptest! {
    #[test]
    fn char_offset_counts_the_characters_before_the_offset(s in "\\PC{0,40}", at in 0usize..200) {
        let want = s.char_indices().take_while(|(i, c)| i + c.len_utf8() <= at).count();
        prop_assert_eq!(char_offset(&s, at), want);
    }
}
