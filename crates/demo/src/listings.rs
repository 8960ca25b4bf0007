//! Deterministic listings for the demo: what a week of patrolling a platform looks like —
//! mostly honest offers, counterfeits in every disguise the rules know, accessories that
//! only name the product they fit, and the traps (fresh apples, millet, a vintage enamel
//! mug) that must not become leads.

use wangjian_detect::{Listing, Mark, Shop};

/// A small, fixed pseudo-random sequence (xorshift64*): the same demo every time.
pub(crate) struct Rng(u64);

impl Rng {
    pub(crate) fn new(seed: u64) -> Self {
        Rng(seed.max(1))
    }

    pub(crate) fn next(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        self.0 = x;
        x.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    pub(crate) fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }

    pub(crate) fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }
}

/// Where a generated shop is: its province and city as the platform shows them, and the
/// ship-from address.
const PLACES: [(&str, &str, &str); 8] = [
    ("浙江", "杭州", "浙江省杭州市西湖区文三路"),
    ("浙江", "杭州", "浙江省杭州市余杭区仓前街道"),
    ("浙江", "宁波", "浙江省宁波市海曙区中山西路"),
    ("浙江", "宁波", "浙江省宁波市鄞州区"),
    ("浙江", "金华", "浙江省金华市义乌市福田街道"),
    ("广东", "广州", "广东省广州市白云区"),
    ("福建", "莆田", "福建省莆田市荔城区"),
    ("上海", "上海", "上海市浦东新区"),
];

const SLANG: [&str; 12] = [
    "高仿",
    "A货",
    "超A",
    "复刻",
    "原单",
    "1:1",
    "莆田纯原",
    "公司级",
    "髙仿",
    "原厂尾单",
    "高-仿",
    "精仿",
];
const DISGUISE: [fn(&str) -> String; 4] = [
    |m| m.to_string(),
    |m| m.chars().map(|c| format!("{c} ")).collect::<String>(),
    |m| m.to_uppercase(),
    |m| {
        m.chars()
            .map(|c| match c {
                'o' | 'O' => '0',
                'i' | 'I' => '1',
                c => c,
            })
            .collect()
    },
];
const HONEST: [(&str, &str, f64); 10] = [
    ("纯棉短袖T恤 男士夏季宽松", "服装", 59.0),
    ("不锈钢保温杯 大容量 500ml", "杯具", 39.0),
    ("有机五常稻花香大米 5kg", "粮油", 89.0),
    ("新鲜红富士苹果 脆甜 10斤装", "水果", 49.9),
    ("东北小米 黄小米 2.5kg 新米", "粮油", 29.9),
    ("长城一日游 八达岭 含门票", "旅游", 199.0),
    ("复刻经典 搪瓷杯 怀旧老式茶缸", "杯具", 25.0),
    ("儿童绘本 3-6岁 精装 10册", "图书", 68.0),
    ("家用收纳箱 塑料 加厚 三件套", "家居", 45.0),
    ("手工皂 植物精油 天然", "日化", 19.9),
];

/// One generated listing, with the day (counted back from the demo's today) it was
/// captured.
pub(crate) struct Generated {
    pub listing: Listing,
    pub days_ago: u32,
}

/// Generates `n` listings on `platform` against `marks`, spread over the last `span_days`.
pub(crate) fn generate(n: usize, marks: &[Mark], platform: &str, span_days: u32) -> Vec<Generated> {
    let mut rng = Rng::new(0x5eed_2026);
    let mut out = Vec::with_capacity(n);
    for i in 0..n {
        let (province, city, ship_from) = *rng.pick(&PLACES);
        let shop_no = rng.below(400);
        let mut listing = Listing {
            id: format!("DEMO-{i:06}"),
            platform: Some(platform.to_string()),
            shop: Shop {
                id: Some(format!("shop-{shop_no:03}")),
                name: Some(format!("{city}{}号好物店", shop_no % 97 + 1)),
                province: Some(province.to_string()),
                city: Some(city.to_string()),
                ..Shop::default()
            },
            ship_from: Some(ship_from.to_string()),
            url: Some(format!("https://shop.example.cn/item/{i}")),
            ..Listing::default()
        };
        let mark = (!marks.is_empty()).then(|| rng.pick(marks));
        let kind = rng.below(100);
        match (kind, mark) {
            // Counterfeits: a mark, disguised or not, with slang and a low price.
            (0..=17, Some(m)) => {
                let name = rng.pick(&m.aliases).clone();
                let shown = rng.pick(&DISGUISE)(&name);
                let product = rng.pick(&m.categories).clone();
                listing.title = format!("{}{shown} {product} 支持验货", rng.pick(&SLANG));
                listing.category = Some(product);
                listing.price = m.reference_price_cny.map(|p| (p * 0.15).round());
            }
            // A mark at a suspicious price, no slang.
            (18..=24, Some(m)) => {
                let product = rng.pick(&m.categories).clone();
                listing.title = format!("{} {product} 清仓特价", m.mark);
                listing.category = Some(product);
                listing.price = m.reference_price_cny.map(|p| (p * 0.2).round());
            }
            // Accessories that name the product they fit.
            (25..=31, Some(m)) => {
                let product = rng.pick(&m.categories).clone();
                listing.title = format!("适用于{}{product}的保护套 通用配件", m.mark);
                listing.category = Some("配件".into());
                listing.price = Some(19.9);
            }
            // Genuine offers of authorized shops.
            (32..=37, Some(m)) if !m.authorized_shops.is_empty() => {
                let shop = rng.pick(&m.authorized_shops).clone();
                let product = rng.pick(&m.categories).clone();
                listing.title = format!("{} {product} 官方正品", m.mark);
                listing.category = Some(product);
                listing.price = m.reference_price_cny;
                listing.shop.id = Some(shop.clone());
                listing.shop.name = Some(shop);
            }
            // Advertising-law and health claims.
            (38..=41, _) => {
                listing.title = "国家级 最佳 祛斑霜 根治色斑 无副作用".into();
                listing.category = Some("化妆品".into());
                listing.price = Some(128.0);
            }
            // Goods that may not be sold online.
            (42..=43, _) => {
                listing.title = "香烟 正品 整条批发 私聊".into();
                listing.category = Some("百货".into());
                listing.price = Some(200.0);
            }
            // A geographical indication shipped from far away.
            (44..=47, _) => {
                listing.title = "正宗中宁枸杞 特级 500g".into();
                listing.category = Some("滋补".into());
                listing.price = Some(58.0);
            }
            // Food without a licence.
            (48..=50, _) => {
                listing.title = "自制牛肉干 手工 散装".into();
                listing.category = Some("食品".into());
                listing.price = Some(35.0);
            }
            _ => {
                let (title, category, price) = *rng.pick(&HONEST);
                listing.title = title.into();
                listing.category = Some(category.into());
                listing.price = Some(price);
            }
        }
        out.push(Generated {
            listing,
            days_ago: (i as u32 * 7 + rng.below(5) as u32) % span_days.max(1),
        });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_same_listings_every_time() {
        let marks =
            wangjian_detect::parse_marks("marks.csv", include_str!("../../../examples/marks.csv"))
                .unwrap();
        let a = generate(200, &marks, "云集", 60);
        let b = generate(200, &marks, "云集", 60);
        assert_eq!(a.len(), 200);
        assert!(a
            .iter()
            .zip(&b)
            .all(|(x, y)| x.listing == y.listing && x.days_ago == y.days_ago));
        assert!(a
            .iter()
            .all(|g| g.days_ago < 60 && !g.listing.title.is_empty()));
    }
}
