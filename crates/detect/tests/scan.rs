//! Public behaviour of the detector on hand-written listings.

use wangjian_detect::{parse_marks, Code, Detector, Level, Listing, RulePack};

fn detector() -> Detector {
    let pack = RulePack::embedded().expect("embedded pack is valid");
    let marks = parse_marks("marks.csv", include_str!("data/marks.csv")).expect("marks");
    Detector::build(pack, marks).expect("builds")
}

fn scan(d: &Detector, json: &str) -> wangjian_detect::Verdict {
    d.scan(&Listing::from_json(json).expect("listing"))
}

fn codes(v: &wangjian_detect::Verdict) -> Vec<Code> {
    let mut c: Vec<Code> = v.reasons.iter().map(|r| r.code).collect();
    c.sort();
    c.dedup();
    c
}

#[test]
fn smoke() {
    let d = detector();
    for j in [
        r#"{"id":1,"title":"莆田纯原 N1KE AJ1 高仿 顶级版","category":"运动鞋","price":199}"#,
        r#"{"id":2,"title":"新鲜苹果 红富士 5斤装","category":"水果","price":39}"#,
        r#"{"id":3,"title":"适用于苹果iPhone15手机壳 硅胶","category":"手机配件","price":19}"#,
        r#"{"id":4,"title":"复刻 搪瓷杯 怀旧 老式","category":"杯子","price":29}"#,
        r#"{"id":5,"title":"中宁枸杞 特级 500g","category":"滋补","shop":{"province":"浙江","city":"义乌"},"ship_from":"浙江省金华市义乌市"}"#,
        r#"{"id":6,"title":"奈克 运动鞋 男","category":"运动鞋","price":99}"#,
        r#"{"id":7,"title":"a.d.i-d.a.s 三叶草 板鞋","category":"鞋","price":89}"#,
        r#"{"id":8,"title":"电子烟 烟弹 批发","price":50}"#,
        r#"{"id":9,"title":"東北小米 黄小米 新米","category":"粮油","price":20}"#,
        r#"{"id":10,"title":"naike 跑鞋","category":"运动鞋","price":120}"#,
    ] {
        let v = scan(&d, j);
        eprintln!("{}", serde_json::to_string(&v).unwrap());
    }
}

#[test]
fn mark_with_strong_term_is_high() {
    let d = detector();
    let v = scan(
        &d,
        r#"{"id":1,"title":"高仿 NIKE 运动鞋","category":"运动鞋"}"#,
    );
    assert_eq!(v.level, Level::High);
    assert_eq!(codes(&v), vec![Code::Mark, Code::CounterfeitTerm]);
    let m = v.reasons.iter().find(|r| r.code == Code::Mark).unwrap();
    assert_eq!((m.start, m.end, m.matched.as_str()), (3, 7, "NIKE"));
}

fn mark_reason(v: &wangjian_detect::Verdict) -> &wangjian_detect::Reason {
    v.reasons
        .iter()
        .find(|r| r.code == Code::Mark)
        .expect("a mark reason")
}

/// Issue 14: one word, three owners; the owner whose classes or categories fit the
/// listing is chosen and the others stay in the reason as alternatives.
#[test]
fn one_word_many_owners_chooses_by_category() {
    let d = detector();
    let wine = scan(
        &d,
        r#"{"id":1,"title":"长城干红葡萄酒 750ml","category":"葡萄酒","price":99}"#,
    );
    let r = mark_reason(&wine);
    assert_eq!(r.owner.as_deref(), Some("中粮酒业有限公司"));
    let others: Vec<(&str, bool)> = r
        .alternatives
        .iter()
        .map(|a| (a.owner.as_str(), a.fits))
        .collect();
    assert_eq!(
        others,
        vec![
            ("长城汽车股份有限公司", false),
            ("中国长城科技集团股份有限公司", false)
        ]
    );
    assert!(r.detail.contains("另有 2 个商标"), "{}", r.detail);
    let pc = scan(
        &d,
        r#"{"id":2,"title":"长城 笔记本电脑 14寸","category":"电脑","price":99}"#,
    );
    let r = mark_reason(&pc);
    assert_eq!(r.owner.as_deref(), Some("中国长城科技集团股份有限公司"));
    assert!(r.detail.contains("第9类"), "{}", r.detail);
    // The computer maker gives no reference price: no price anomaly against the wine's.
    assert!(!pc.reasons.iter().any(|r| r.code == Code::PriceAnomaly));
    // A word of nobody's classes is no mark.
    let tour = scan(
        &d,
        r#"{"id":3,"title":"长城一日游 八达岭","category":"旅游"}"#,
    );
    assert!(tour.reasons.is_empty(), "{tour:?}");
}

/// Issue 14: a famous mark written spaced out keeps its reason when another registered
/// mark (茅台镇) overlaps it.
#[test]
fn famous_mark_is_not_shadowed_by_an_overlapping_mark() {
    let d = detector();
    let v = scan(
        &d,
        r#"{"id":1,"title":"贵州 茅 台 镇 酱香 白酒 高仿","category":"白酒","price":299}"#,
    );
    let r = mark_reason(&v);
    assert_eq!(r.rule, "mark:茅台");
    assert!(r.alternatives.iter().any(|a| a.mark == "茅台镇"), "{r:?}");
    assert_eq!(v.level, Level::High);
    assert!(v.reasons.iter().any(|r| r.code == Code::PriceAnomaly));
}

/// Issue 14: a sound-alike that is an ordinary word is no mark, and brings no price anomaly
/// against that mark's price (益智 for a toy mark 懿旨).
#[test]
fn ordinary_word_sound_alikes_are_no_marks() {
    let d = detector();
    let v = scan(
        &d,
        r#"{"id":1,"title":"益智玩具 积木 儿童","category":"玩具","price":19}"#,
    );
    assert_eq!(v.level, Level::None, "{v:?}");
    // Not an ordinary word, shares a character: a weak mark reason, low without more.
    let v = scan(
        &d,
        r#"{"id":2,"title":"安塔 跑鞋 透气 新款","category":"运动鞋","price":299}"#,
    );
    let r = mark_reason(&v);
    assert!(r.weight < d.policy().mark_weight, "{r:?}");
    assert!(r.detail.contains("谐音写法「安塔」"), "{}", r.detail);
    assert_eq!(v.level, Level::Low);
}

/// Issue 14: rows of one owner for one word merge (a repeated row with a warning), traditional
/// and simplified spellings of different owners stay apart, and nothing is refused.
#[test]
fn repeated_rows_merge_and_nothing_is_refused() {
    let csv = "mark,aliases,owner,categories,reference_price_cny,authorized_shops\n\
        熊猫,,熊猫乳品,奶粉,100,\n\
        熊猫,,熊猫乳品,奶粉,100,\n\
        熊貓,,台湾熊貓公司,饼干,,\n\
        熊猫,,南京熊猫电子,电视,,\n";
    let marks = parse_marks("m.csv", csv).expect("duplicates are no error");
    let (merged, warnings) = wangjian_detect::merge_marks(marks.clone());
    assert_eq!(merged.len(), 3);
    assert_eq!(warnings.len(), 1);
    let d = Detector::build(RulePack::embedded().unwrap(), marks).expect("builds");
    assert_eq!(d.marks().len(), 3);
    let v = scan(&d, r#"{"id":1,"title":"熊猫 电视 55寸","category":"电视"}"#);
    assert_eq!(mark_reason(&v).owner.as_deref(), Some("南京熊猫电子"));
}

/// Issue 14: a euphemism next to a mark is as strong as 高仿; 广告法 第九条(二) claims are
/// high alone; a GI shipped from a place containing its origin is "not confirmed", low.
#[test]
fn euphemisms_state_organs_and_gi_containment() {
    let d = detector();
    let v = scan(
        &d,
        r#"{"id":1,"title":"耐克 尾单 运动鞋","category":"运动鞋","price":399}"#,
    );
    assert_eq!(v.level, Level::High, "{v:?}");
    let v = scan(
        &d,
        r#"{"id":2,"title":"外贸尾单 衬衫","category":"服装","price":39}"#,
    );
    assert_eq!(v.level, Level::Low, "{v:?}");
    let v = scan(
        &d,
        r#"{"id":3,"title":"国家领导人推荐 红茶 礼盒","category":"茶具"}"#,
    );
    assert_eq!(v.level, Level::High, "{v:?}");
    assert!(v.reasons[0].detail.contains("国家机关"), "{v:?}");
    let v = scan(
        &d,
        r#"{"id":4,"title":"五常大米 稻花香","category":"食品","shop":{"license_no":"JY13301060012345"},"ship_from":"黑龙江省哈尔滨市"}"#,
    );
    assert_eq!(codes(&v), vec![Code::GiOrigin]);
    assert!(v.reasons[0].detail.contains("产地未能确认"), "{v:?}");
    assert!(!v.reasons[0].detail.contains("不在产地范围内"), "{v:?}");
    assert_eq!(v.level, Level::Low);
    let v = scan(
        &d,
        r#"{"id":5,"title":"五常大米 稻花香","category":"食品","shop":{"license_no":"JY13301060012345"},"ship_from":"江苏省宿迁市"}"#,
    );
    assert!(v.reasons[0].detail.contains("不在产地范围内"), "{v:?}");
    assert_eq!(v.level, Level::Medium);
}

/// A short mark written as such is not dropped for an ordinary word that only the match
/// form joins across a space (踏板 in 安踏 板鞋); it is when the text writes that word
/// (安踏板鞋 reads as 安 + 踏板 + 鞋 as well).
#[test]
fn an_ordinary_word_across_a_space_does_not_hide_a_short_mark() {
    let d = detector();
    let spaced = scan(
        &d,
        r#"{"id":1,"title":"高-仿 安踏 板鞋 女","category":"板鞋","price":59}"#,
    );
    assert!(codes(&spaced).contains(&Code::Mark), "{spaced:?}");
    assert_eq!(mark_reason(&spaced).matched, "安踏");
    let joined = scan(
        &d,
        r#"{"id":2,"title":"高-仿 安踏板鞋 女","category":"板鞋","price":59}"#,
    );
    assert!(!codes(&joined).contains(&Code::Mark), "{joined:?}");
}

/// A seller of prepackaged food only files (备案, YB…) instead of holding a licence
/// (食品安全法 2021 第三十五条): its filing is enough for snacks, never for special foods.
#[test]
fn a_prepackaged_food_filing_is_enough_for_snacks_not_for_special_foods() {
    let d = detector();
    let filed = r#""shop":{"license_no":"YB13301060012345"}"#;
    let snack = scan(
        &d,
        &format!(r#"{{"id":1,"title":"坚果礼盒 每日坚果","category":"零食",{filed}}}"#),
    );
    assert!(
        !codes(&snack).contains(&Code::RegulatedNoLicense),
        "{snack:?}"
    );
    let health = scan(
        &d,
        &format!(r#"{{"id":2,"title":"保健食品 蛋白粉","category":"保健食品",{filed}}}"#),
    );
    let r = health
        .reasons
        .iter()
        .find(|r| r.code == Code::RegulatedNoLicense)
        .expect("a special food needs the licence");
    assert!(r.detail.contains("无效"), "{}", r.detail);
    let none = scan(
        &d,
        r#"{"id":3,"title":"坚果礼盒","category":"零食","shop":{}}"#,
    );
    let r = none
        .reasons
        .iter()
        .find(|r| r.code == Code::RegulatedNoLicense)
        .expect("no licence and no filing shown");
    assert!(r.detail.contains("或仅销售预包装食品备案"), "{}", r.detail);
}
