//! Property tests standing in for fuzz targets (the stable toolchain has no `cargo fuzz`):
//! everything that takes outside input — listing lines, CSV listings, marks files, rule
//! files — must answer with a value or an error, never a panic; and every reason a scan
//! reports must point at the exact characters the seller wrote.

use std::sync::OnceLock;

use proptest::prelude::*;
use wangjian_detect::{
    embedded_pack_files, parse_marks, CsvListings, Detector, Field, Level, Listing, RulePack, Shop,
};

fn detector() -> &'static Detector {
    static D: OnceLock<Detector> = OnceLock::new();
    D.get_or_init(|| {
        let marks = parse_marks("marks.csv", include_str!("../../../examples/marks.csv"))
            .expect("example marks parse");
        Detector::build(RulePack::embedded().expect("embedded pack"), marks)
            .expect("detector builds")
    })
}

/// Text that looks like what sellers write: Chinese, Latin, digits, separators, full-width
/// and traditional forms, emoji, look-alikes, plus the words the rules know.
fn seller_text() -> impl Strategy<Value = String> {
    let piece = prop_oneof![
        Just("耐克".to_string()),
        Just("NIKE".to_string()),
        Just("Ｎ１ＫＥ".to_string()),
        Just("Nіkе".to_string()),
        Just("高仿".to_string()),
        Just("髙-仿".to_string()),
        Just("适用于".to_string()),
        Just("苹果".to_string()),
        Just("手机壳".to_string()),
        Just("中宁枸杞".to_string()),
        Just("香烟".to_string()),
        Just("国家级".to_string()),
        Just("1:1".to_string()),
        Just(" ".to_string()),
        Just("·".to_string()),
        Just("\u{200b}".to_string()),
        Just("❤".to_string()),
        Just("nai ke".to_string()),
        "[a-zA-Z0-9]{1,6}",
        "[\\u{4e00}-\\u{9fa5}]{1,4}",
        any::<char>().prop_map(|c| c.to_string()),
    ];
    proptest::collection::vec(piece, 0..12).prop_map(|v| v.concat())
}

fn char_slice(s: &str, start: usize, end: usize) -> Option<String> {
    if start > end {
        return None;
    }
    let n = s.chars().count();
    if end > n {
        return None;
    }
    Some(s.chars().skip(start).take(end - start).collect())
}

/// Cases per property: `PROPTEST_CASES` when set (a long fuzzing run), else `default`.
fn fuzz_cases(default: u32) -> u32 {
    std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(fuzz_cases(512)))]

    #[test]
    fn listing_lines_never_panic(line in ".{0,200}") {
        let _ = Listing::from_json(&line);
    }

    #[test]
    fn json_shaped_lines_never_panic(
        id in prop_oneof![Just("\"a\"".to_string()), Just("1".to_string()), Just("null".to_string()), Just("[]".to_string())],
        title in prop_oneof![Just("\"t\"".to_string()), Just("2".to_string()), Just("{}".to_string()), Just("\"高仿\"".to_string())],
        price in prop_oneof![Just("1.5".to_string()), Just("\"9\"".to_string()), Just("-1".to_string()), Just("1e999".to_string()), Just("null".to_string())],
        shop in prop_oneof![Just("{}".to_string()), Just("\"x\"".to_string()), Just("{\"id\":3}".to_string()), Just("null".to_string())],
    ) {
        let line = format!("{{\"id\":{id},\"title\":{title},\"price\":{price},\"shop\":{shop}}}");
        let _ = Listing::from_json(&line);
    }

    #[test]
    fn csv_listings_never_panic(text in "(id,title,price\n)?[a-z0-9,\"\\n高仿.]{0,120}") {
        if let Ok(mut rows) = CsvListings::new(text.as_bytes()) {
            while rows.next_listing().is_some() {}
        }
    }

    #[test]
    fn marks_files_never_panic(body in "[a-zA-Z耐克|,\"\\n0-9.]{0,160}") {
        let text = format!("mark,aliases,owner,categories,reference_price_cny,authorized_shops\n{body}");
        let _ = parse_marks("m.csv", &text);
        let _ = parse_marks("m.csv", &body);
    }

    #[test]
    fn rule_files_never_panic(which in 0usize..7, body in "[a-z0-9_,\"\\n高仿.|-]{0,160}") {
        let files = embedded_pack_files();
        let mut owned: Vec<(String, String)> =
            files.iter().map(|(n, t)| (n.to_string(), t.to_string())).collect();
        // Keep the header line so the body exercises the row parser, not only the header check.
        let header = owned[which].1.lines().next().unwrap_or("").to_string();
        owned[which].1 = format!("{header}\n{body}");
        let _ = RulePack::parse(owned.iter().map(|(n, t)| (n.as_str(), t.as_str())));
    }

    #[test]
    fn every_reason_points_at_what_the_seller_wrote(
        title in seller_text(),
        description in seller_text(),
        category in prop_oneof![Just(None), Just(Some("运动鞋".to_string())), Just(Some("水果".to_string()))],
        ship_from in prop_oneof![Just(None), Just(Some("宁夏中卫市中宁县".to_string())), Just(Some("广东省广州市".to_string()))],
        price in prop_oneof![Just(None), (0.0f64..2000.0).prop_map(Some)],
    ) {
        let listing = Listing {
            id: "p".into(),
            title: title.clone(),
            description: Some(description.clone()),
            category: category.clone(),
            ship_from: ship_from.clone(),
            price,
            shop: Shop { name: Some("某某店".into()), ..Shop::default() },
            ..Listing::default()
        };
        let verdict = detector().scan(&listing);
        prop_assert!(verdict.score <= 100);
        prop_assert_eq!(verdict.reasons.is_empty(), verdict.level == Level::None);
        for r in &verdict.reasons {
            let original = match r.field {
                Field::Title => Some(&title),
                Field::Description => Some(&description),
                Field::Category => category.as_ref(),
                Field::ShipFrom => ship_from.as_ref(),
                Field::Price | Field::Shop => None,
            };
            if let Some(text) = original {
                let slice = char_slice(text, r.start, r.end);
                prop_assert_eq!(slice.as_deref(), Some(r.matched.as_str()),
                    "reason {:?} in {:?}", r, text);
                prop_assert!(r.start < r.end, "empty span {:?}", r);
            }
        }
    }
}
