//! Public behaviour of the region table: lookups, names and addresses people write.

use wangjian_region::{
    by_name, find_in_address, full_name, is_within, lookup, province_by_abbreviation, province_of,
    Level,
};

fn found(text: &str) -> (String, String) {
    let m = find_in_address(text).unwrap_or_else(|| panic!("nothing found in {text}"));
    (m.region.code_str(), text[m.span.clone()].to_string())
}

#[test]
fn realistic_addresses_resolve_to_the_most_specific_division() {
    let cases = [
        ("浙江杭州西湖区文三路", "330106"),
        ("宁夏中卫", "640500"),
        ("北京市朝阳区建国路88号", "110105"),
        ("上海浦东新区世纪大道100号", "310115"),
        ("广东省深圳市南山区科技园", "440305"),
        ("福建莆田", "350300"),
        ("宁夏中卫市沙坡头区", "640502"),
        ("新疆维吾尔自治区乌鲁木齐", "650100"),
        ("内蒙古", "150000"),
        ("广西南宁", "450100"),
        ("江苏省南京市鼓楼区中山路", "320106"),
        ("福建省福州市鼓楼区", "350102"),
        ("吉林省长春市朝阳区", "220104"),
        ("辽宁省朝阳市", "211300"),
        ("吉林省吉林市", "220200"),
        ("湖北省仙桃市", "429004"),
        ("黔南州都匀市", "522701"),
        ("云南兰坪", "533325"),
        ("发货地：浙江省 义乌市 稠城街道", "330782"),
        ("收货地址: 四川省成都市武侯区", "510107"),
        ("山东省青岛市市南区香港中路", "370202"),
        ("重庆市渝中区", "500103"),
        ("天津滨海新区", "120116"),
        ("西藏拉萨", "540100"),
        ("香港特别行政区", "810000"),
        ("杭州市余杭区", "330110"),
        ("浙江杭州临平区", "330113"),
    ];
    for (text, code) in cases {
        assert_eq!(found(text).0, code, "{text}");
    }
}

#[test]
fn span_covers_the_names_matched() {
    assert_eq!(found("浙江杭州西湖区文三路").1, "浙江杭州西湖区");
    assert_eq!(found("地址：北京市朝阳区").1, "北京市朝阳区");
    let m = find_in_address("宁夏中卫市沙坡头区").unwrap();
    assert_eq!(m.level, Level::County);
    assert_eq!(m.span, 0.."宁夏中卫市沙坡头区".len());
}

#[test]
fn a_name_used_in_several_places_without_context_is_ambiguous() {
    let m = find_in_address("朝阳区").unwrap();
    assert!(m.is_ambiguous());
    assert!(m.candidates.iter().any(|r| r.code == 110105));
    assert!(m.candidates.iter().any(|r| r.code == 220104));
    let m = find_in_address("北京朝阳区").unwrap();
    assert!(!m.is_ambiguous());
}

#[test]
fn retired_divisions_are_found_and_marked() {
    let m = find_in_address("北京市崇文区").unwrap();
    assert_eq!(m.region.code, 110103);
    assert!(m.region.retired);
    let r = lookup("330103").unwrap();
    assert!(r.retired);
    assert_eq!(r.last_year, Some(2021));
    assert_eq!(lookup("500112").map(|r| r.retired), Some(true));
}

#[test]
fn text_without_a_division_finds_nothing() {
    assert!(find_in_address("").is_none());
    assert!(find_in_address("hello world 123").is_none());
}

#[test]
fn lookup_and_full_names() {
    assert_eq!(lookup("330106").map(|r| r.name), Some("西湖区"));
    assert_eq!(full_name("330106").as_deref(), Some("浙江省杭州市西湖区"));
    assert_eq!(full_name("110105").as_deref(), Some("北京市朝阳区"));
    assert_eq!(full_name("429004").as_deref(), Some("湖北省仙桃市"));
    assert_eq!(province_of("330106").map(|r| r.code), Some(330000));
    assert!(lookup("33010").is_none());
    assert!(lookup("3301066").is_none());
    assert!(lookup("99999９").is_none());
    assert!(lookup("000000").is_none());
}

#[test]
fn names_and_short_names() {
    assert_eq!(by_name("浙江").first().map(|r| r.code), Some(330000));
    assert_eq!(by_name("杭州").first().map(|r| r.code), Some(330100));
    assert!(by_name("鼓楼区").len() >= 4);
    assert!(by_name("不存在的地方").is_empty());
}

#[test]
fn within() {
    assert!(is_within("330106", "330100"));
    assert!(is_within("330106", "330000"));
    assert!(is_within("330106", "330106"));
    assert!(!is_within("330106", "320000"));
    assert!(is_within("110105", "110000"));
    assert!(!is_within("bogus", "110000"));
}

#[test]
fn province_abbreviations() {
    assert_eq!(province_by_abbreviation('浙').map(|r| r.code), Some(330000));
    assert_eq!(province_by_abbreviation('京').map(|r| r.code), Some(110000));
    assert_eq!(province_by_abbreviation('黔').map(|r| r.code), Some(520000));
    assert!(province_by_abbreviation('x').is_none());
}

proptest::proptest! {
    #[test]
    fn never_panics_on_any_text(s in ".{0,80}") {
        if let Some(m) = find_in_address(&s) {
            proptest::prop_assert!(s.get(m.span.clone()).is_some());
        }
        let _ = lookup(&s);
        let _ = by_name(&s);
    }
}
