//! Properties of the normalizers and of screening, over generated input (proptest stands in
//! for fuzzing; `PROPTEST_CASES=N` makes it a long run): nothing panics, identifiers
//! normalize to themselves, width and case never change a name's analysis, similarity is a
//! similarity, and a listed name screened against its list finds its entry.

use proptest::prelude::*;
use wangjian_screen::{
    analyze_name, normalize_ident, similarity, Decision, IdentKind, Index, Options, Record,
};

fn kind() -> impl Strategy<Value = IdentKind> {
    prop::sample::select(IdentKind::ALL.to_vec())
}

/// Text that looks like what people type into identifier and name fields.
fn typed() -> impl Strategy<Value = String> {
    prop::string::string_regex(
        "[0-9０-９a-zA-Zａ-ｚＡ-Ｚ +\\-./:@()（）【】　。xX有限公司分店浙江杭州市西湖区阿里巴巴网络技术個體工商戶原]{0,40}",
    )
    .expect("valid regex")
}

/// ASCII letters, digits, brackets and spaces written full width.
fn full_width(s: &str) -> String {
    s.chars()
        .map(|c| match c {
            '!'..='~' => char::from_u32(c as u32 + 0xFEE0).unwrap_or(c),
            ' ' => '\u{3000}',
            _ => c,
        })
        .collect()
}

const TRADE: &[&str] = &[
    "阿里巴巴",
    "华鑫",
    "恒泰",
    "京东世纪",
    "张三",
    "稻香村",
    "寻梦",
    "娃哈哈",
];
const INDUSTRY: &[&str] = &["", "网络技术", "贸易", "科技", "服装", "食品"];
const FORM: &[&str] = &[
    "有限公司",
    "股份有限公司",
    "有限责任公司",
    "店",
    "商行（个体工商户）",
    "",
];
const DIVISION: &[&str] = &["", "浙江省杭州市", "杭州", "北京市", "深圳", "苏州市"];

fn enterprise_name() -> impl Strategy<Value = String> {
    (
        prop::sample::select(DIVISION),
        prop::sample::select(TRADE),
        prop::sample::select(INDUSTRY),
        prop::sample::select(FORM),
    )
        .prop_map(|(d, t, i, f)| format!("{d}{t}{i}{f}"))
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(
        std::env::var("PROPTEST_CASES").ok().and_then(|s| s.parse().ok()).unwrap_or(512)
    ))]

    #[test]
    fn identifiers_never_panic_and_normalize_to_themselves(k in kind(), raw in any::<String>()) {
        if let Some(once) = normalize_ident(k, &raw) {
            let twice = normalize_ident(k, &once.value).expect("a normalized value is not empty");
            prop_assert_eq!(&twice.value, &once.value);
            prop_assert_eq!(twice.valid, once.valid);
        }
    }

    #[test]
    fn typed_identifiers_normalize_to_themselves(k in kind(), raw in typed()) {
        if let Some(once) = normalize_ident(k, &raw) {
            let twice = normalize_ident(k, &once.value).expect("not empty");
            prop_assert_eq!(&twice.value, &once.value);
            prop_assert_eq!(twice.valid, once.valid);
        }
    }

    #[test]
    fn width_and_case_never_change_an_identifier(k in kind(), raw in "[0-9A-Za-z]{1,20}") {
        let a = normalize_ident(k, &raw);
        let b = normalize_ident(k, &full_width(&raw));
        prop_assert_eq!(a, b);
    }

    #[test]
    fn names_never_panic(raw in any::<String>()) {
        let p = analyze_name(&raw);
        prop_assert_eq!(format!("{}{}", p.trade_name, p.industry), p.core.clone());
        prop_assert!(!p.core.contains(' '));
    }

    #[test]
    fn width_and_case_never_change_a_name(raw in typed()) {
        let a = analyze_name(&raw);
        let b = analyze_name(&full_width(&raw));
        let c = analyze_name(&raw.to_uppercase());
        prop_assert_eq!(&a, &b);
        prop_assert_eq!(&a, &c);
    }

    #[test]
    fn similarity_is_a_similarity(a in "[a-c阿里巴]{0,12}", b in "[a-c阿里巴]{0,12}") {
        let (a, b): (Vec<char>, Vec<char>) = (a.chars().collect(), b.chars().collect());
        let s = similarity(&a, &b);
        prop_assert!((0.0..=1.0).contains(&s));
        prop_assert_eq!(s, similarity(&b, &a));
        prop_assert_eq!(similarity(&a, &a), 1.0);
        prop_assert_eq!(s == 1.0, a == b);
    }

    #[test]
    fn a_listed_name_finds_its_entry(names in prop::collection::vec(enterprise_name(), 1..30), pick in any::<prop::sample::Index>()) {
        let index = Index::build(names.iter().enumerate().map(|(i, n)| Record {
            id: Some(format!("E{i}")),
            name: Some(n.clone()),
            ..Record::default()
        })).expect("valid entries");
        let i = pick.index(names.len());
        let got = index.screen(&Record { name: Some(names[i].clone()), ..Record::default() }, &Options::default());
        let core_empty = analyze_name(&names[i]).core.is_empty();
        if !core_empty {
            let m = got.matches.iter().find(|m| m.id == format!("E{i}"));
            prop_assert!(m.is_some(), "{} not found in {:?}", names[i], got);
            prop_assert_eq!(m.map(|m| m.decision), Some(Decision::Match));
        }
        prop_assert!(got.matches.windows(2).all(|w| w[0].score >= w[1].score));
        prop_assert!(got.matches.iter().all(|m| (0.0..=1.0).contains(&m.score)));
        prop_assert!(got.matches.len() <= Options::default().limit);
    }

    #[test]
    fn screening_never_panics(name in any::<String>(), id in typed(), phone in typed(), domain in typed()) {
        let index = Index::build([Record {
            id: Some("E".into()),
            name: Some("浙江淘宝网络有限公司".into()),
            phone: vec![phone.clone()],
            domain: vec![domain.clone()],
            ..Record::default()
        }]).expect("valid entry");
        let c = Record { name: Some(name), uscc: vec![id.clone()], citizen_id: vec![id], phone: vec![phone], domain: vec![domain], ..Record::default() };
        let got = index.screen(&c, &Options::default());
        prop_assert!(got.matches.iter().all(|m| (0.0..=1.0).contains(&m.score)));
    }
}
