//! Throughput of the match form and the pinyin projection on ~10 MB of generated listing
//! titles and descriptions (mixed Chinese and Latin, with the evasions sellers use), with
//! two baselines over the same text in the same run: `str::to_lowercase` and NFKC
//! (`unicode-normalization`). Read the figures as ratios to the baselines.

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use unicode_normalization::UnicodeNormalization;
use wangjian_text::{normalize_into, pinyin_into, MatchForm};

const PIECES: &[&str] = &[
    "耐克",
    "NIKE",
    "Nike",
    "ＮＩＫＥ",
    "N1KE",
    "阿迪达斯",
    "A.D.I.D.A.S",
    "adid@s",
    "高仿",
    "髙仿",
    "高-仿",
    "正品",
    "专柜",
    "專櫃",
    "原单",
    "1:1",
    "复刻",
    "包邮",
    "LV",
    "L V",
    "路易威登",
    "女包",
    "男鞋",
    "运动鞋",
    "Air Max 270",
    "iPhone15 Pro",
    "256G",
    "官方旗舰店",
    "限时特价",
    "￥1,999",
    "99.9%",
    "❤",
    "🔥",
    "【",
    "】",
    "，",
    "。",
    "、",
    " ",
    " ",
    " ",
    "-",
    "·",
    "\u{200B}",
    "古驰",
    "GUCCI",
    "香奈兒",
    "Chanel",
    "劳力士",
    "R0LEX",
    "迪通拿",
    "自动机械表",
    "羽绒服",
    "Moncler",
    "纯棉",
    "T恤",
    "新款",
    "2024",
    "春夏",
    "韩版",
    "宽松",
    "百搭",
    "ins风",
    "质量保证",
    "假一赔十",
    "支持验货",
    "Nіkе",
    "ⓝⓘⓚⓔ",
    "包装精美",
    "送礼",
    "顺丰",
];

fn corpus(target_bytes: usize) -> String {
    let mut state: u64 = 0x9E37_79B9_7F4A_7C15;
    let mut next = move || {
        state = state
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        (state >> 33) as usize
    };
    let mut out = String::with_capacity(target_bytes + 1024);
    while out.len() < target_bytes {
        // A title (8–20 pieces) and a description (30–90 pieces) per listing.
        for len in [8 + next() % 13, 30 + next() % 61] {
            for _ in 0..len {
                out.push_str(PIECES[next() % PIECES.len()]);
            }
            out.push('\n');
        }
    }
    out
}

fn bench(c: &mut Criterion) {
    let text = corpus(10 << 20);
    let lines: Vec<&str> = text.lines().collect();
    let mut group = c.benchmark_group("listing_text");
    group.throughput(Throughput::Bytes(text.len() as u64));
    group.sample_size(10);
    // Build the fold table outside the measurement.
    let mut form = MatchForm::new();
    normalize_into("warm up", &mut form);

    group.bench_function("baseline_to_lowercase", |b| {
        b.iter(|| lines.iter().map(|l| l.to_lowercase().len()).sum::<usize>())
    });
    group.bench_function("baseline_nfkc", |b| {
        b.iter(|| lines.iter().map(|l| l.nfkc().count()).sum::<usize>())
    });
    group.bench_function("normalize", |b| {
        b.iter(|| {
            lines
                .iter()
                .map(|l| {
                    normalize_into(l, &mut form);
                    form.len()
                })
                .sum::<usize>()
        })
    });
    group.bench_function("pinyin", |b| {
        b.iter(|| {
            lines
                .iter()
                .map(|l| {
                    pinyin_into(l, &mut form);
                    form.len()
                })
                .sum::<usize>()
        })
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
