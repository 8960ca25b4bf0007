//! Intake takes outside input: the item reader and the checks never panic, whatever a
//! platform sends (`PROPTEST_CASES=N` for a longer fuzzing run).

use proptest::prelude::*;
use wangjian_app::intake::{captured_at, check, listing_from_json};
use wangjian_domain::org::{OrgKind, Organization};
use wangjian_domain::{OrgId, RegionCode};

fn json_value() -> impl Strategy<Value = serde_json::Value> {
    let leaf = prop_oneof![
        Just(serde_json::Value::Null),
        any::<bool>().prop_map(serde_json::Value::from),
        any::<i64>().prop_map(serde_json::Value::from),
        any::<f64>().prop_map(|f| serde_json::json!(f)),
        ".{0,40}".prop_map(serde_json::Value::from),
    ];
    leaf.prop_recursive(3, 32, 6, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(serde_json::Value::from),
            prop::collection::btree_map(
                prop_oneof![
                    Just("id".to_string()),
                    Just("title".to_string()),
                    Just("price".to_string()),
                    Just("shop".to_string()),
                    Just("url".to_string()),
                    Just("captured_at".to_string()),
                    Just("platform".to_string()),
                    ".{0,8}"
                ],
                inner,
                0..6
            )
            .prop_map(|m| serde_json::Value::Object(m.into_iter().collect())),
        ]
    })
}

proptest! {
    #[test]
    fn reading_and_checking_never_panic(v in json_value(), t in ".{0,40}") {
        let p = Organization::new(
            OrgId::from_u128(1),
            "甲电商平台",
            "PLATA",
            OrgKind::Platform,
            RegionCode::parse("330100").unwrap(),
        )
        .unwrap();
        let now = chrono::Utc::now();
        if let Ok(l) = listing_from_json(&v) {
            if let Ok(at) = check(&l, &p, std::slice::from_ref(&p), now) {
                // What passes has a title and a capture time no later than now + 1 h.
                prop_assert!(!l.title.trim().is_empty());
                prop_assert!(at <= now + chrono::TimeDelta::hours(1));
            }
        }
        let _ = captured_at(Some(&t), now);
    }
}
