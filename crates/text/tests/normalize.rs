//! Each fold the crate documents, on the real evasions sellers write.

use wangjian_text::{char_offset, is_latin_boundary, is_latin_word, normalize, pinyin, MatchForm};

fn n(s: &str) -> String {
    normalize(s).as_str().to_owned()
}

fn p(s: &str) -> String {
    pinyin(s).as_str().to_owned()
}

#[test]
fn full_width_and_styled_letters() {
    assert_eq!(n("ＮＩＫＥ"), "nike");
    assert_eq!(n("１：１"), "1:1");
    assert_eq!(n("ⓝⓘⓚⓔ"), "nike");
    assert_eq!(n("𝐍𝐈𝐊𝐄"), "nike");
    assert_eq!(n("𝓝𝓲𝓴𝓮 鞋"), "nike鞋");
    assert_eq!(n("高仿\u{3000}ＬＶ\u{3000}包"), "高仿lv包");
}

#[test]
fn case_folds_but_is_not_a_boundary() {
    assert_eq!(n("LVMH"), "lvmh");
    assert_eq!(n("iPhone15"), "iphone15");
    assert_eq!(n("NiKe Air MAX"), "nike air max");
}

#[test]
fn traditional_to_simplified_and_variants() {
    assert_eq!(n("髙仿"), "高仿");
    assert_eq!(
        n("高仿名牌包包 專櫃正品 質量保證"),
        "高仿名牌包包专柜正品质量保证"
    );
    assert_eq!(n("峯"), "峰");
    assert_eq!(n("塲"), "场");
    assert_eq!(n("乾"), "干");
    assert_eq!(n("原厰貨"), "原厂货");
    assert_eq!(n("囯際大牌"), "国际大牌");
}

#[test]
fn separators_between_cjk_vanish() {
    assert_eq!(n("高-仿"), "高仿");
    assert_eq!(n("高 仿"), "高仿");
    assert_eq!(n("高\u{200B}仿"), "高仿");
    assert_eq!(n("阿 迪 达 斯"), "阿迪达斯");
    assert_eq!(n("耐❤克"), "耐克");
    assert_eq!(n("耐\u{1F60D}克"), "耐克");
    assert_eq!(n("香、奈、儿"), "香奈儿");
    assert_eq!(n("古·驰"), "古驰");
    assert_eq!(n("原单…正品＊"), "原单正品");
    assert_eq!(n("LV 包"), "lv包");
    assert_eq!(n("包 LV"), "包lv");
}

#[test]
fn single_letters_join_words_keep_one_space() {
    assert_eq!(n("A.D.I.D.A.S"), "adidas");
    assert_eq!(n("n i k e"), "nike");
    assert_eq!(n("L V"), "lv");
    assert_eq!(n("L_V"), "lv");
    assert_eq!(n("G*U*C*C*I"), "gucci");
    assert_eq!(n("  nike -- air   max  "), "nike air max");
    assert_eq!(n("nike\t\r\n\u{00A0}\u{2003}air"), "nike air");
    assert_eq!(n("a b cd"), "ab cd");
    assert_eq!(n("size 3 4 5"), "size 3 4 5");
    assert_eq!(n("nike / adidas | puma"), "nike adidas puma");
}

#[test]
fn zero_width_and_marks_do_not_break_words() {
    assert_eq!(n("N\u{200B}I\u{200C}K\u{200D}E"), "nike");
    assert_eq!(n("ni\u{2060}ke\u{FEFF}"), "nike");
    assert_eq!(n("nike\u{FE0F}"), "nike");
    assert_eq!(n("Nïké"), "nike");
    assert_eq!(n("n\u{0336}i\u{0336}k\u{0336}e\u{0336}"), "nike");
}

#[test]
fn lookalike_digits_and_symbols() {
    assert_eq!(n("N1KE"), "nike");
    assert_eq!(n("R0LEX"), "rolex");
    assert_eq!(n("adid@s"), "adidas");
    assert_eq!(n("Chan3l"), "chanel");
    assert_eq!(n("PR4DA"), "prada");
    assert_eq!(n("b00ts"), "boots");
    assert_eq!(n("N 1 K E"), "nike");
    assert_eq!(n("a$ap"), "asap");
    // Not between letters: stays.
    assert_eq!(n("iPhone15"), "iphone15");
    assert_eq!(n("2024"), "2024");
    assert_eq!(n("1:1"), "1:1");
    assert_eq!(n("3M"), "3m");
    assert_eq!(n("A4"), "a4");
    assert_eq!(n("GUCC1"), "gucc1");
    assert_eq!(n("@nike"), "@nike");
    assert_eq!(n("$99"), "$99");
}

#[test]
fn confusable_letters() {
    // Cyrillic і (U+0456) and е (U+0435).
    assert_eq!(n("N\u{0456}k\u{0435}"), "nike");
    // Cyrillic а о р с х.
    assert_eq!(n("\u{0430}\u{043E}\u{0440}\u{0441}\u{0445}"), "aopcx");
    // Greek capitals.
    assert_eq!(n("ΝΙΚΕ"), "nike");
    assert_eq!(n("ΑΒΕΗΙΚΜΝΟΡΤΧΥΖ"), "abehikmnoptxyz");
    assert_eq!(n("\u{03BF}\u{03BD}\u{03BA}"), "ovk");
    assert_eq!(n("RОLЕХ"), "rolex");
}

#[test]
fn meaningful_punctuation_stays() {
    assert_eq!(n("高仿1:1"), "高仿1:1");
    assert_eq!(n("1：1 复刻"), "1:1复刻");
    assert_eq!(n("AT&T"), "at&t");
    assert_eq!(n("50% off"), "50% off");
    assert_eq!(n("Levi’s"), "levi's");
    assert_eq!(n("#1 c++"), "#1 c++");
    assert_eq!(n("99.9%"), "99.9%");
    assert_eq!(n("1,000元"), "1,000元");
    assert_eq!(n("v1.0.2"), "v1.0.2");
}

#[test]
fn latin_word_boundaries_for_detectors() {
    let lv = |s: &str| {
        let f = normalize(s);
        let form = f.as_str();
        form.match_indices("lv")
            .any(|(i, m)| is_latin_word(form, i..i + m.len()))
    };
    assert!(lv("LV包"));
    assert!(lv("lv bag"));
    assert!(lv("L.V"));
    assert!(lv("正品 L V 女包"));
    assert!(!lv("LVMH"));
    assert!(!lv("LVMH集团"));
    assert!(is_latin_boundary("lv包", 2));
    assert!(!is_latin_boundary("lvmh", 2));
    assert!(is_latin_boundary("lvmh", 0));
    assert!(is_latin_boundary("lvmh", 99));
}

#[test]
fn pinyin_projection() {
    assert_eq!(p("耐克"), "nai ke");
    assert_eq!(p("奈克"), "nai ke");
    assert_eq!(p("耐克鞋 Nike"), "nai ke xie nike");
    assert_eq!(p("绿女"), "lv nv");
    assert_eq!(p("LV包"), "lv bao");
    assert_eq!(p("N1KE 正品"), "nike zheng pin");
    assert_eq!(p("耐-克"), "nai ke");
    assert_eq!(p(""), "");
    assert_eq!(p("❤❤"), "");
}

#[test]
fn offsets_map_back_to_the_original() {
    let orig = "ＮＩＫＥ 高-仿 L.V";
    let f = normalize(orig);
    assert_eq!(f.as_str(), "nike高仿lv");
    let at = |s: &str| f.as_str().find(s).expect("in form");
    let i = at("nike");
    assert_eq!(&orig[f.original_range(i..i + 4)], "ＮＩＫＥ");
    let i = at("高仿");
    assert_eq!(&orig[f.original_range(i..i + 6)], "高-仿");
    let i = at("lv");
    assert_eq!(&orig[f.original_range(i..i + 2)], "L.V");
    assert_eq!(&orig[f.original_range(i..i + 1)], "L");
    // Clamped, widened, empty.
    assert_eq!(f.original_range(0..999), 0..orig.len());
    let at_gao = f.original_range(4..4);
    assert_eq!(at_gao, 13..13, "empty range before 高 maps before 高");
    assert_eq!(
        f.original_range(5..5),
        13..16,
        "inside a character widens to it"
    );
    assert_eq!(
        f.original_range(std::ops::Range { start: 9, end: 2 }).len(),
        0
    );
    let tail = f.original_range(f.len()..f.len());
    assert_eq!(tail, orig.len()..orig.len());

    let orig = "The Nike Air";
    let f = normalize(orig);
    assert_eq!(&orig[f.original_range(4..8)], "Nike");
    assert_eq!(f.segments().count(), 1, "plain text is one linear segment");

    let orig = "阿 迪 达 斯 正品";
    let f = pinyin(orig);
    assert_eq!(f.as_str(), "a di da si zheng pin");
    let i = f.as_str().find("di").expect("di");
    assert_eq!(&orig[f.original_range(i..i + 2)], "迪");
    let i = f.as_str().find("zheng pin").expect("zheng");
    assert_eq!(&orig[f.original_range(i..i + 9)], "正品");
}

#[test]
fn segments_tile_the_form() {
    let f = normalize("㍿ Ｎ1ＫＥ ½ 髙仿");
    let mut m = 0;
    let mut o = 0;
    for (orig, form) in f.segments() {
        assert_eq!(form.start, m);
        assert!(orig.start >= o);
        m = form.end;
        o = orig.end;
    }
    assert_eq!(m, f.len());
}

#[test]
fn reuse_keeps_working() {
    let mut f = MatchForm::new();
    assert!(f.is_empty());
    wangjian_text::normalize_into("ＮＩＫＥ", &mut f);
    assert_eq!(f.as_str(), "nike");
    wangjian_text::normalize_into("高-仿", &mut f);
    assert_eq!(f.as_str(), "高仿");
    wangjian_text::pinyin_into("高-仿", &mut f);
    assert_eq!(f.as_str(), "gao fang");
    assert_eq!(f.len(), 8);
}

#[test]
fn char_offsets() {
    assert_eq!(char_offset("高仿nike", 6), 2);
    assert_eq!(char_offset("高仿nike", 7), 3);
    assert_eq!(char_offset("高仿nike", 4), 1);
    assert_eq!(char_offset("高仿nike", 100), 6);
    assert_eq!(char_offset("", 3), 0);
}
