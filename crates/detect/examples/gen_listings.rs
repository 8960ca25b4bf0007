//! Deterministic synthetic data for `bench/scan.sh`:
//! `gen_listings LISTINGS MARKS DIR [realistic]` writes DIR/listings.jsonl, DIR/marks.csv
//! and DIR/patterns.txt (every mark and alias, one literal per line, for rg/grep baselines).
//!
//! Two corpora:
//! - the **synthetic** one (default): marks are Latin names and Han names with a number
//!   inside, so marks almost never occur in the text unless planted;
//! - the **realistic** one (`realistic`): marks and text are made of the same common
//!   characters and ordinary words (the rule pack's `ordinary_words.txt`), as in real
//!   registers and listings. Many marks are short (two characters), some are ordinary words
//!   themselves (drawn from below the 20 000 words the text is made of), one word in ten
//!   is registered again by another owner, one mark in five has a reference price and one
//!   in twenty authorized shops; listings are ordinary words with a product word, and
//!   about 12% name a mark, 6% a sound-alike of one (same syllables, at least one
//!   character kept) and 3% a counterfeit term.

use std::fs::File;
use std::io::{BufWriter, Write};

struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        // xorshift64*
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }
    fn pick<'a, T>(&mut self, xs: &'a [T]) -> &'a T {
        &xs[(self.next() % xs.len() as u64) as usize]
    }
}

const HAN: &str = "耐克阿迪达斯运动鞋男女款新品透气休闲跑步篮球板鞋卫衣外套裤子包手袋钱包手表手机耳机充电器数据线保温杯茶叶大米苹果香梨枸杞礼盒家用厨房收纳简约北欧实木书架儿童玩具积木宠物猫粮狗粮零食坚果蜂蜜牛奶面膜精华口红香水护肤洗面奶沐浴露洗发水牙膏纸巾毛巾床上用品四件套枕头被子窗帘地毯台灯风扇空调冰箱洗衣机电视路由器鼠标键盘显示器";
const WORDS: &[&str] = &[
    "新款",
    "正品",
    "包邮",
    "特价",
    "2024",
    "春季",
    "夏季",
    "秋冬",
    "加厚",
    "大码",
    "学生",
    "情侣",
    "高仿",
    "原单",
    "同款",
    "代购",
    "1:1",
    "复刻",
    "全网最低价",
    "顶级",
    "清仓",
    "现货",
    "官方",
    "旗舰",
    "XL",
    "Pro",
    "Max",
    "Plus",
    "500g",
    "1kg",
    "礼品",
    "送人",
];

fn han_word(r: &mut Rng, chars: &[char], len: usize) -> String {
    (0..len).map(|_| *r.pick(chars)).collect()
}

fn main() -> std::io::Result<()> {
    let args: Vec<String> = std::env::args().collect();
    if args.get(4).map(String::as_str) == Some("realistic") {
        return realistic(&args);
    }
    let n: usize = args
        .get(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(1_000_000);
    let m: usize = args.get(2).and_then(|s| s.parse().ok()).unwrap_or(50_000);
    let dir = args.get(3).cloned().unwrap_or_else(|| ".".into());
    let chars: Vec<char> = HAN.chars().collect();
    let mut r = Rng(0x9e37_79b9_7f4a_7c15);
    let syll = [
        "ka", "lo", "mi", "ven", "tor", "zi", "an", "rex", "bel", "sur", "quo", "dax",
    ];
    let mut marks = Vec::with_capacity(m);
    let mut mw = BufWriter::new(File::create(format!("{dir}/marks.csv"))?);
    let mut pw = BufWriter::new(File::create(format!("{dir}/patterns.txt"))?);
    writeln!(
        mw,
        "mark,aliases,owner,categories,reference_price_cny,authorized_shops,well_known"
    )?;
    for i in 0..m {
        // Distinct Latin names (3 syllables + index) and Chinese names (3–4 chars + index).
        let latin = format!("{}{}{}{}", r.pick(&syll), r.pick(&syll), r.pick(&syll), i);
        let han = format!("{}{}", han_word(&mut r, &chars, 3), i);
        let alias2 = format!("{latin}x");
        writeln!(
            mw,
            "{latin},{han}|{alias2},Owner {i},鞋|服装|包|手机|食品,{},shop{i},false",
            100 + r.next() % 5000
        )?;
        for p in [&latin, &han, &alias2] {
            writeln!(pw, "{p}")?;
        }
        marks.push((latin, han));
    }
    mw.flush()?;
    pw.flush()?;
    let mut w = BufWriter::with_capacity(1 << 20, File::create(format!("{dir}/listings.jsonl"))?);
    let provinces = [
        "浙江省杭州市",
        "广东省深圳市",
        "福建省莆田市",
        "江苏省苏州市",
        "宁夏中卫市中宁县",
    ];
    for i in 0..n {
        let mut title = String::new();
        for _ in 0..(2 + r.next() % 3) {
            let l = 2 + (r.next() % 3) as usize;
            title.push_str(&han_word(&mut r, &chars, l));
            title.push(' ');
            title.push_str(r.pick::<&str>(WORDS));
            title.push(' ');
        }
        // About one listing in five names a mark.
        if r.next() % 5 == 0 && !marks.is_empty() {
            let (latin, han) = &marks[(r.next() % marks.len() as u64) as usize];
            title.push_str(if r.next() % 2 == 0 { latin } else { han });
        }
        let mut desc = String::new();
        for _ in 0..(3 + r.next() % 6) {
            desc.push_str(&han_word(&mut r, &chars, 4));
            desc.push_str(r.pick::<&str>(WORDS));
            desc.push(',');
        }
        let line = serde_json::json!({
            "id": i,
            "platform": "淘宝",
            "title": title.trim(),
            "description": desc,
            "price": (r.next() % 100_000) as f64 / 100.0,
            "category": r.pick(&["鞋", "服装", "食品", "手机", "家居"]),
            "shop": {"id": format!("s{}", r.next() % 10_000), "name": "店铺", "province": "浙江", "city": "杭州"},
            "ship_from": r.pick(&provinces),
        });
        serde_json::to_writer(&mut w, &line)?;
        w.write_all(b"\n")?;
    }
    w.flush()
}

const PRODUCTS: &[&str] = &[
    "运动鞋",
    "跑鞋",
    "板鞋",
    "卫衣",
    "外套",
    "羽绒服",
    "连衣裙",
    "牛仔裤",
    "T恤",
    "衬衫",
    "双肩包",
    "钱包",
    "手提包",
    "手表",
    "项链",
    "手机",
    "耳机",
    "充电器",
    "数据线",
    "平板电脑",
    "键盘",
    "鼠标",
    "保温杯",
    "茶叶",
    "大米",
    "白酒",
    "葡萄酒",
    "奶粉",
    "面膜",
    "口红",
    "香水",
    "洗发水",
    "牙膏",
    "纸巾",
    "毛巾",
    "四件套",
    "枕头",
    "台灯",
    "电风扇",
    "积木",
    "玩具",
    "猫粮",
    "狗粮",
    "零食",
    "坚果",
    "蜂蜜",
    "床垫",
    "沙发",
    "收纳箱",
    "雨伞",
];

const CATEGORIES: &[&str] = &[
    "鞋",
    "服装",
    "箱包",
    "手表",
    "首饰",
    "手机",
    "数码配件",
    "电脑",
    "家居",
    "食品",
    "酒水",
    "美妆",
    "个护",
    "家纺",
    "家电",
    "玩具",
    "宠物",
    "零食",
    "家具",
    "日用",
];

const TERMS: &[&str] = &[
    "高仿",
    "原单",
    "1:1",
    "同款",
    "尾单",
    "复刻",
    "代购",
    "公司货",
];

/// The realistic corpus (see the top of the file).
fn realistic(args: &[String]) -> std::io::Result<()> {
    use std::collections::{BTreeMap, BTreeSet};
    use wangjian_text::Syllable;
    let n: usize = args
        .get(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(1_000_000);
    let m: usize = args.get(2).and_then(|s| s.parse().ok()).unwrap_or(50_000);
    let dir = args.get(3).cloned().unwrap_or_else(|| ".".into());
    let pack = wangjian_detect::RulePack::embedded().map_err(std::io::Error::other)?;
    // Text words: the 20 000 most frequent ordinary words, the first ones far more often.
    let words: Vec<&str> = pack
        .ordinary_words
        .iter()
        .take(20_000)
        .map(String::as_str)
        .collect();
    let mut r = Rng(0x5eed_1414_2026_1203);
    let word = |r: &mut Rng| -> &str {
        // Zipf-like: the square of a uniform number favours the head of the list.
        let u = (r.next() % 1_000_000) as f64 / 1_000_000.0;
        words[((u * u) * words.len() as f64) as usize % words.len()]
    };
    // Common characters (those of the 3 000 most frequent words), grouped by syllable.
    let common: Vec<char> = words[..3000]
        .iter()
        .flat_map(|w| w.chars())
        .collect::<BTreeSet<char>>()
        .into_iter()
        .collect();
    let mut by_syllable: BTreeMap<u16, Vec<char>> = BTreeMap::new();
    for &c in &common {
        if let Some(s) = Syllable::of(c) {
            by_syllable.entry(s.id()).or_default().push(c);
        }
    }
    let syll = [
        "ka", "lo", "mi", "ven", "tor", "zi", "an", "rex", "bel", "sur", "quo", "dax",
    ];
    let mut mw = BufWriter::new(File::create(format!("{dir}/marks.csv"))?);
    let mut pw = BufWriter::new(File::create(format!("{dir}/patterns.txt"))?);
    writeln!(
        mw,
        "mark,aliases,owner,categories,reference_price_cny,authorized_shops,well_known,classes"
    )?;
    let mut names: Vec<String> = Vec::with_capacity(m);
    let mut patterns: BTreeSet<String> = BTreeSet::new();
    for i in 0..m {
        let roll = r.next() % 100;
        let name = if roll < 10 && !names.is_empty() {
            // Another owner of a word already registered.
            names[(r.next() % names.len() as u64) as usize].clone()
        } else if roll < 22 {
            format!("{}{}{}", r.pick(&syll), r.pick(&syll), r.pick(&syll))
        } else if roll < 45 {
            // An ordinary word as a mark (熊猫, 长城), from further down the list than the
            // text's words: it occurs in a listing when one is planted there.
            let rare = &pack.ordinary_words[20_000..60_000];
            rare[(r.next() % rare.len() as u64) as usize].clone()
        } else {
            // Two (most), three or four common characters.
            let len = match r.next() % 10 {
                0..=5 => 2,
                6..=8 => 3,
                _ => 4,
            };
            (0..len).map(|_| *r.pick(&common)).collect()
        };
        let classes: Vec<String> = (0..1 + r.next() % 3)
            .map(|_| (1 + r.next() % 45).to_string())
            .collect();
        // Registers give no prices or shop lists; a rights holder's own list does (1 in 5
        // with a reference price, 1 in 20 with authorized shops).
        let price = if r.next() % 5 == 0 {
            (50 + r.next() % 5000).to_string()
        } else {
            String::new()
        };
        let shops = if r.next() % 20 == 0 {
            format!("shop{i}")
        } else {
            String::new()
        };
        writeln!(
            mw,
            "{name},,Owner {i},{},{price},{shops},false,{}",
            r.pick::<&str>(CATEGORIES),
            classes.join("|")
        )?;
        if patterns.insert(name.clone()) {
            writeln!(pw, "{name}")?;
        }
        names.push(name);
    }
    mw.flush()?;
    pw.flush()?;
    let han: Vec<&String> = names
        .iter()
        .filter(|n| n.chars().all(|c| Syllable::of(c).is_some()))
        .collect();
    let sound_alike = |r: &mut Rng, name: &str| -> String {
        let chars: Vec<char> = name.chars().collect();
        let keep = (r.next() % chars.len() as u64) as usize;
        chars
            .iter()
            .enumerate()
            .map(|(i, &c)| {
                let same = Syllable::of(c).and_then(|s| by_syllable.get(&s.id()));
                match same {
                    Some(cs) if i != keep => *r.pick(cs),
                    _ => c,
                }
            })
            .collect()
    };
    let mut w = BufWriter::with_capacity(1 << 20, File::create(format!("{dir}/listings.jsonl"))?);
    for i in 0..n {
        let mut title = String::new();
        for k in 0..(3 + r.next() % 4) {
            if k > 0 && r.next() % 3 == 0 {
                title.push(' ');
            }
            title.push_str(word(&mut r));
        }
        title.push(' ');
        title.push_str(r.pick::<&str>(PRODUCTS));
        let roll = r.next() % 100;
        if roll < 12 {
            let name = &names[(r.next() % names.len() as u64) as usize];
            title.insert_str(0, &format!("{name} "));
        } else if roll < 18 && !han.is_empty() {
            let name = han[(r.next() % han.len() as u64) as usize];
            title.insert_str(0, &format!("{} ", sound_alike(&mut r, name)));
        }
        if r.next() % 100 < 3 {
            title.push(' ');
            title.push_str(r.pick::<&str>(TERMS));
        }
        let mut desc = String::new();
        for _ in 0..(4 + r.next() % 7) {
            desc.push_str(word(&mut r));
            if r.next() % 3 == 0 {
                desc.push('，');
            }
        }
        let line = serde_json::json!({
            "id": i,
            "platform": "淘宝",
            "title": title,
            "description": desc,
            "price": (r.next() % 100_000) as f64 / 100.0,
            "category": r.pick::<&str>(CATEGORIES),
            "shop": {"id": format!("s{}", r.next() % 10_000), "name": "店铺", "province": "浙江", "city": "杭州"},
            "ship_from": "浙江省杭州市",
        });
        serde_json::to_writer(&mut w, &line)?;
        w.write_all(b"\n")?;
    }
    w.flush()
}
