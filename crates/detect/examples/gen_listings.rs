//! Deterministic synthetic data for `bench/scan.sh`:
//! `gen_listings LISTINGS MARKS DIR` writes DIR/listings.jsonl, DIR/marks.csv and
//! DIR/patterns.txt (every mark and alias, one literal per line, for rg/grep baselines).

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
