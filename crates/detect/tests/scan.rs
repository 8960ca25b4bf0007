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
