//! Generates a screening benchmark, deterministically: a list of N entries with realistic
//! Chinese enterprise names (division + trade name + industry + organization form; branches,
//! bracketed divisions, individual businesses with owners' names) and identifiers (valid
//! USCCs, mobile numbers, shop ids, domains), and M candidates: variants of listed
//! subjects as sellers and registries write them, identifier-only candidates, and
//! subjects not on the list.
//!
//! `cargo run --release -p wangjian-screen --example gen_screen -- N M DIR` writes
//! `DIR/entries.jsonl` and `DIR/candidates.jsonl`. A candidate made from a listed subject
//! carries that subject's id in `expect` (a field the screening ignores), so that a
//! benchmark can count how many it found.

use std::fs::File;
use std::io::{BufWriter, Write};

use wangjian_region::Level;

/// splitmix64: a fixed sequence, the same on every machine.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
    fn chance(&mut self, percent: u64) -> bool {
        self.next() % 100 < percent
    }
    fn pick<'a, T>(&mut self, v: &'a [T]) -> &'a T {
        &v[self.below(v.len())]
    }
}

/// Characters common in trade names (字号).
const TRADE: &str = "华鑫盛泰达宏源隆恒通发金德信利祥瑞丰凯鸿昌兴佳美新永安康宁和嘉诚博创远航宇天地中海东方南北西明光辉星月阳春秋云龙凤虎鹏飞腾跃优品尚雅致精锐智慧合众联合富贵吉庆福禄寿喜乐百千万亿豪杰英豪俊逸雄伟振华兴邦汇聚川流山水林森峰岭江河湖泊晨曦朝晖鼎立铭扬赛迪威力克斯派奇洋浩淼清源正道为本立信守诚至臻卓越时代未来云端数智启航蓝海红日绿洲白云紫金银河银泰恒大万科碧桂世纪";
const INDUSTRY: &[&str] = &[
    "科技",
    "网络科技",
    "信息技术",
    "电子商务",
    "贸易",
    "商贸",
    "国际贸易",
    "服饰",
    "服装",
    "鞋业",
    "食品",
    "餐饮管理",
    "文化传媒",
    "广告",
    "物流",
    "供应链管理",
    "电子",
    "数码科技",
    "化妆品",
    "日用品",
    "家居",
    "建材",
    "五金",
    "机械设备",
    "医药",
    "生物科技",
    "农业开发",
    "茶业",
    "酒业",
    "珠宝",
    "眼镜",
    "箱包",
    "母婴用品",
    "体育用品",
    "汽车服务",
    "企业管理咨询",
    "实业",
    "投资",
    "环保科技",
    "新能源科技",
];
const FORMS: &[&str] = &[
    "有限公司",
    "有限公司",
    "有限公司",
    "有限公司",
    "有限责任公司",
    "股份有限公司",
    "集团有限公司",
];
const SHOP_FORMS: &[&str] = &["店", "商行", "经营部", "工作室", "服务部"];
const SURNAMES: &str = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何林罗高郑梁谢宋唐许韩冯邓曹彭曾肖田董潘袁蔡蒋余于杜叶程魏苏吕丁任沈姚卢";
const GIVEN: &str = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华建国文辉力鹏飞玲红梅兰";

/// (province full name, its short name, prefecture full name, its short name).
type Place = (&'static str, &'static str, &'static str, &'static str);

struct Names {
    trade: Vec<char>,
    surnames: Vec<char>,
    given: Vec<char>,
    places: Vec<Place>,
    region_codes: Vec<u32>,
}

fn places() -> (Vec<Place>, Vec<u32>) {
    let mut out = Vec::new();
    let mut codes = Vec::new();
    for r in wangjian_region::all().iter().filter(|r| !r.retired) {
        if r.level == Level::Prefecture && r.name.ends_with('市') {
            if let Some(p) = wangjian_region::parent(r) {
                out.push((
                    p.name,
                    p.short_name.unwrap_or(p.name),
                    r.name,
                    r.short_name.unwrap_or(r.name),
                ));
            }
        }
        if r.level == Level::County {
            codes.push(r.code);
        }
    }
    (out, codes)
}

impl Names {
    fn new() -> Names {
        let (places, region_codes) = places();
        Names {
            trade: TRADE.chars().collect(),
            surnames: SURNAMES.chars().collect(),
            given: GIVEN.chars().collect(),
            places,
            region_codes,
        }
    }

    fn trade_name(&self, rng: &mut Rng) -> String {
        let n = if rng.chance(70) { 2 } else { 3 };
        (0..n).map(|_| *rng.pick(&self.trade)).collect()
    }

    fn person(&self, rng: &mut Rng) -> String {
        let mut s = String::new();
        s.push(*rng.pick(&self.surnames));
        for _ in 0..1 + rng.below(2) {
            s.push(*rng.pick(&self.given));
        }
        s
    }

    /// A division prefix as registries write it.
    fn division(&self, rng: &mut Rng) -> String {
        let (p, ps, c, cs) = *rng.pick(&self.places);
        match rng.below(5) {
            0 => format!("{p}{c}"),
            1 => c.to_string(),
            2 => cs.to_string(),
            3 => format!("{ps}{cs}"),
            _ => p.to_string(),
        }
    }
}

/// One listed subject: its fields, and the pieces its variants are made from.
struct Subject {
    division: String,
    trade: String,
    industry: String,
    form: String,
    individual: bool,
    branch: Option<String>,
    uscc: Option<String>,
    phone: Option<String>,
}

fn uscc(rng: &mut Rng, names: &Names) -> Option<String> {
    const CHARSET: &[u8] = b"0123456789ABCDEFGHJKLMNPQRTUWXY";
    let region = *rng.pick(&names.region_codes);
    let org: String = (0..8).map(|_| CHARSET[rng.below(10)] as char).collect();
    let org_check = wangjian_ids::organization_code_check_char(&org)?;
    let body = format!("91{region:06}{org}{org_check}");
    let check = wangjian_ids::uscc_check_char(&body)?;
    Some(format!("{body}{check}"))
}

fn phone(rng: &mut Rng) -> String {
    let seg = *rng.pick(&["138", "139", "150", "186", "177", "199", "135", "158"]);
    format!("{seg}{:08}", rng.below(100_000_000))
}

fn subject(rng: &mut Rng, names: &Names) -> Subject {
    let individual = rng.chance(20);
    let division = if individual || rng.chance(85) {
        names.division(rng)
    } else {
        String::new()
    };
    let (trade, form) = if individual {
        let owner = if rng.chance(50) {
            names.person(rng)
        } else {
            names.trade_name(rng)
        };
        (owner, rng.pick(SHOP_FORMS).to_string())
    } else {
        (names.trade_name(rng), rng.pick(FORMS).to_string())
    };
    let branch = (!individual && rng.chance(5)).then(|| {
        let (_, _, c, cs) = *rng.pick(&names.places);
        let city = if rng.chance(50) { c } else { cs };
        format!("{city}{}", rng.pick(&["分公司", "分店", "营业部"]))
    });
    Subject {
        division,
        trade,
        industry: rng.pick(INDUSTRY).to_string(),
        form,
        individual,
        branch,
        uscc: if rng.chance(70) {
            uscc(rng, names)
        } else {
            None
        },
        phone: rng.chance(30).then(|| phone(rng)),
    }
}

fn name_of(s: &Subject, rng: &mut Rng, variant: bool) -> String {
    let mut name = String::new();
    let bracketed = !s.individual && variant && !s.division.is_empty() && rng.chance(30);
    if !(bracketed || variant && rng.chance(30)) {
        name.push_str(&s.division);
    }
    name.push_str(&s.trade);
    if bracketed {
        let (open, close) = *rng.pick(&[("（", "）"), ("(", ")"), ("【", "】")]);
        let d = s.division.trim_end_matches(['省', '市']);
        name.push_str(&format!("{open}{d}{close}"));
    }
    name.push_str(&s.industry);
    let form = if variant && s.form == "有限责任公司" && rng.chance(50) {
        "有限公司"
    } else {
        &s.form
    };
    name.push_str(form);
    if let Some(b) = &s.branch {
        name.push_str(b);
    }
    if s.individual && (!variant || rng.chance(50)) {
        name.push_str("（个体工商户）");
    }
    if variant && rng.chance(20) {
        // Full-width brackets and spaces as typed on a phone.
        name = name.replace('（', " (").replace('）', ") ");
    }
    name
}

fn full_width(s: &str) -> String {
    s.chars()
        .map(|c| match c {
            '!'..='~' => char::from_u32(c as u32 + 0xFEE0).unwrap_or(c),
            _ => c,
        })
        .collect()
}

fn main() -> std::io::Result<()> {
    let args: Vec<String> = std::env::args().collect();
    let n: usize = args
        .get(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(1_000_000);
    let m: usize = args.get(2).and_then(|s| s.parse().ok()).unwrap_or(100_000);
    let dir = std::path::PathBuf::from(args.get(3).map_or("/tmp/wangjian-screen", String::as_str));
    std::fs::create_dir_all(&dir)?;
    let names = Names::new();
    let mut rng = Rng(0x5EED_2026);
    let mut subjects = Vec::with_capacity(n);
    let mut out = BufWriter::new(File::create(dir.join("entries.jsonl"))?);
    for i in 0..n {
        let s = subject(&mut rng, &names);
        let mut obj =
            serde_json::json!({"id": format!("E{i}"), "name": name_of(&s, &mut rng, false)});
        if let Some(u) = &s.uscc {
            obj["uscc"] = u.clone().into();
        }
        if let Some(p) = &s.phone {
            obj["phone"] = p.clone().into();
        }
        if rng.chance(10) {
            obj["shop_id"] = format!("{}", 10_000_000 + i).into();
        }
        if rng.chance(5) {
            obj["domain"] = format!("shop{i}.example.cn").into();
        }
        writeln!(out, "{obj}")?;
        subjects.push(s);
    }
    out.flush()?;
    let mut out = BufWriter::new(File::create(dir.join("candidates.jsonl"))?);
    for j in 0..m {
        let id = format!("C{j}");
        let obj = match rng.below(10) {
            // A listed subject, written differently.
            0..=3 => {
                let k = rng.below(subjects.len());
                let s = &subjects[k];
                serde_json::json!({"id": id, "name": name_of(s, &mut rng, true), "expect": format!("E{k}")})
            }
            // A listed subject by an identifier, written as typed.
            4 => {
                let k = rng.below(subjects.len());
                let s = &subjects[k];
                let expect = format!("E{k}");
                match (&s.uscc, &s.phone) {
                    (Some(u), _) => {
                        serde_json::json!({"id": id, "uscc": full_width(u), "expect": expect})
                    }
                    (None, Some(p)) => {
                        serde_json::json!({"id": id, "phone": format!("+86 {p}"), "expect": expect})
                    }
                    _ => {
                        serde_json::json!({"id": id, "name": name_of(s, &mut rng, true), "expect": expect})
                    }
                }
            }
            // A subject not on the list (near namesakes occur, as in real registries).
            _ => {
                let s = subject(&mut rng, &names);
                let mut obj = serde_json::json!({"id": id, "name": name_of(&s, &mut rng, false)});
                if let Some(u) = &s.uscc {
                    obj["uscc"] = u.clone().into();
                }
                obj
            }
        };
        writeln!(out, "{obj}")?;
    }
    out.flush()
}
