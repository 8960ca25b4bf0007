//! Generated order traffic with injected attacks, for quality tests and benchmarks.
//!
//! Deterministic: everything comes from a seeded SplitMix64, so a run is the same on
//! every machine (no clock, no entropy). It is no model of any real platform; it carries
//! the honest patterns that break naive detectors:
//!
//! - shop popularity follows a power law (rank^-1): a few shops have most buyers;
//! - buyer activity is heavy-tailed (log-normal, σ = 1.2): at a mean of 6 orders a month
//!   the median buyer places 3 and the top 1% 50 or more;
//! - buyers prefer shops of their own region (31 regions, 4× affinity) and return to
//!   shops they bought from (30% of orders are repeats);
//! - a shopping festival (day 11 of the month: 3× orders) and daily rhythm;
//! - households share an address (and some a device), campuses and pickup points share
//!   addresses among hundreds, offices and carriers share IPs among dozens;
//! - 1% of orders are tiny (coupons), reviews come from shared phrase pools and 4% are the
//!   platform's default review, so honest text repeats too.
//!
//! Attacks ([`Attack`]) add fraud accounts and shops with labels: the four camouflage
//! types of the FRAUDAR paper's experiments (§5.2: none, random, biased, hijacked
//! accounts) as pure structure spread over the month, and small rings as brushing studios
//! run them (repeat orders in a few days, optionally with shared devices, template
//! reviews, tiny amounts and empty parcels).

use std::collections::HashSet;
use std::fmt::Write;

use crate::order::format_cst;

/// SplitMix64 (Steele, Lea, Flood 2014): small, fast, and good enough for test data.
#[derive(Debug, Clone)]
pub struct Rng(u64);

impl Rng {
    /// A generator from a seed.
    pub fn new(seed: u64) -> Self {
        Rng(seed)
    }

    /// The next 64 bits.
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in `0..n` (`n` > 0).
    pub fn below(&mut self, n: u64) -> u64 {
        ((u128::from(self.next_u64()) * u128::from(n.max(1))) >> 64) as u64
    }

    /// Uniform in [0, 1).
    pub fn unit(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }

    /// True with probability `p`.
    pub fn chance(&mut self, p: f64) -> bool {
        self.unit() < p
    }
}

/// Picks indexes with given weights in O(log n) (cumulative table).
#[derive(Debug, Clone)]
struct Weighted(Vec<f64>);

impl Weighted {
    fn new(weights: impl Iterator<Item = f64>) -> Self {
        let mut acc = 0.0;
        Weighted(
            weights
                .map(|w| {
                    acc += w;
                    acc
                })
                .collect(),
        )
    }
    fn pick(&self, rng: &mut Rng) -> usize {
        let total = self.0.last().copied().unwrap_or(0.0);
        let x = rng.unit() * total;
        self.0.partition_point(|&c| c <= x).min(self.0.len() - 1)
    }
}

/// Size of the honest traffic.
#[derive(Debug, Clone, Copy)]
pub struct Honest {
    /// Buyers.
    pub buyers: usize,
    /// Shops.
    pub shops: usize,
    /// Orders in the month (about).
    pub orders: usize,
    /// Seed.
    pub seed: u64,
}

/// Camouflage of a dense block (FRAUDAR §5.2).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Camouflage {
    /// Fraud accounts buy only from the fraud shops.
    None,
    /// As many orders again at shops drawn uniformly.
    Random,
    /// As many orders again at shops drawn by popularity.
    Biased,
    /// The fraud accounts are honest accounts taken over, with their honest history.
    Hijacked,
}

impl Camouflage {
    /// All four.
    pub const ALL: [Camouflage; 4] = [
        Camouflage::None,
        Camouflage::Random,
        Camouflage::Biased,
        Camouflage::Hijacked,
    ];

    /// Name for tables.
    pub fn name(self) -> &'static str {
        match self {
            Camouflage::None => "none",
            Camouflage::Random => "random",
            Camouflage::Biased => "biased",
            Camouflage::Hijacked => "hijacked",
        }
    }
}

/// Signals a brushing ring leaves besides structure.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct RingSignals {
    /// Accounts run from a few shared phones.
    pub shared_devices: bool,
    /// Reviews from one template with small edits.
    pub template_reviews: bool,
    /// Orders at tiny amounts.
    pub tiny_amounts: bool,
    /// Empty parcels.
    pub empty_parcels: bool,
}

/// An injected attack.
#[derive(Debug, Clone, Copy)]
pub enum Attack {
    /// A dense block of new fraud shops (with a little honest traffic each) and accounts,
    /// one order per edge, spread over the month.
    Block {
        /// Fraud accounts.
        accounts: usize,
        /// Fraud shops.
        shops: usize,
        /// Share of account × shop pairs with an order.
        density: f64,
        /// Camouflage.
        camouflage: Camouflage,
    },
    /// A brushing ring: accounts ordering from shops (existing small ones) repeatedly
    /// within a few days.
    Ring {
        /// Accounts.
        accounts: usize,
        /// Shops.
        shops: usize,
        /// Share of pairs with orders.
        density: f64,
        /// Days the ring is active.
        days: u32,
        /// Other signals.
        signals: RingSignals,
    },
}

/// Generated orders and the truth.
#[derive(Debug, Clone, Default)]
pub struct Traffic {
    /// JSON lines.
    pub lines: Vec<String>,
    /// Buyer ids of fraud accounts.
    pub fraud_accounts: HashSet<String>,
    /// Shop ids of brushed shops.
    pub fraud_shops: HashSet<String>,
    /// Honest buyers (ids).
    pub buyers: usize,
}

/// 2026-11-01T00:00:00+08:00.
pub const MONTH_START: i64 = 1_793_462_400;
const DAYS: u32 = 30;

const PRAISE: [&str; 12] = [
    "质量很好",
    "物流很快",
    "包装完好",
    "性价比高",
    "和描述一致",
    "做工精细",
    "颜色正",
    "尺码标准",
    "客服态度好",
    "发货速度快",
    "面料舒服",
    "味道不错",
];
const TAIL: [&str; 8] = [
    "下次还来",
    "推荐购买",
    "满意",
    "会回购的",
    "家人很喜欢",
    "值得入手",
    "五星好评",
    "给个赞",
];
const DEFAULT_REVIEW: &str = "系统默认好评，此用户没有填写评价内容";

struct Gen {
    rng: Rng,
    lines: Vec<String>,
    next_order: u64,
}

impl Gen {
    #[allow(clippy::too_many_arguments)]
    fn order(
        &mut self,
        buyer: &str,
        shop: &str,
        listing: &str,
        time: i64,
        amount: f64,
        address: &str,
        device: &str,
        ip: &str,
        review: Option<&str>,
        weight: f64,
        logistics: &str,
    ) {
        let mut l = String::with_capacity(260);
        let _ = write!(
            l,
            r#"{{"order_id":"o{}","buyer":"{buyer}","shop":"{shop}","listing":"{listing}","time":"{}","amount":{amount:.2},"address":"{address}","device":"{device}","ip":"{ip}""#,
            self.next_order,
            format_cst(time)
        );
        if let Some(r) = review {
            let _ = write!(l, r#","review":"{r}""#);
        }
        let _ = write!(l, r#","weight":{weight:.2},"logistics":"{logistics}"}}"#);
        self.next_order += 1;
        self.lines.push(l);
    }

    fn time_on(&mut self, day: u32) -> i64 {
        // Daily rhythm: most orders 9:00–23:00.
        let hour = if self.rng.chance(0.85) {
            9 + self.rng.below(14)
        } else {
            self.rng.below(9)
        };
        MONTH_START + i64::from(day) * 86_400 + (hour * 3600 + self.rng.below(3600)) as i64
    }

    fn honest_review(&mut self) -> Option<String> {
        if !self.rng.chance(0.3) {
            return None;
        }
        if self.rng.chance(0.13) {
            return Some(DEFAULT_REVIEW.to_string());
        }
        let n = 1 + self.rng.below(3) as usize;
        let mut r = String::new();
        for i in 0..n {
            if i > 0 {
                r.push('，');
            }
            r.push_str(PRAISE[self.rng.below(PRAISE.len() as u64) as usize]);
        }
        if self.rng.chance(0.5) {
            r.push('，');
            r.push_str(TAIL[self.rng.below(TAIL.len() as u64) as usize]);
        }
        Some(r)
    }
}

struct World {
    buyer_region: Vec<usize>,
    buyer_address: Vec<String>,
    buyer_device: Vec<String>,
    buyer_ip: Vec<String>,
    shop_price: Vec<f64>,
    popularity: Weighted,
    by_region: Vec<(Vec<usize>, Weighted)>,
    uniform: Weighted,
}

fn ip_of(n: u64) -> String {
    // Public-looking IPv4 outside reserved ranges.
    format!(
        "{}.{}.{}.{}",
        36 + n % 150,
        (n >> 8) % 256,
        (n >> 16) % 256,
        1 + (n >> 24) % 250
    )
}

fn world(h: &Honest, rng: &mut Rng) -> World {
    const REGIONS: usize = 31;
    let mut buyer_address = Vec::with_capacity(h.buyers);
    let mut buyer_device = Vec::with_capacity(h.buyers);
    let mut buyer_ip = Vec::with_capacity(h.buyers);
    let mut buyer_region = Vec::with_capacity(h.buyers);
    let mut b = 0;
    while b < h.buyers {
        let region = rng.below(REGIONS as u64) as usize;
        // A household of 1–4 accounts at one address; some share a device.
        let size = match rng.below(100) {
            0..=69 => 1,
            70..=89 => 2,
            90..=96 => 3,
            _ => 4,
        };
        let campus = rng.chance(0.03);
        let address = if campus {
            format!("省{region}市大学城菜鸟驿站{}号", rng.below(20))
        } else {
            format!(
                "省{region}市幸福路{}号{}栋{}室",
                rng.below(3000),
                rng.below(30),
                rng.below(2000)
            )
        };
        let family_device = format!("{:016x}", rng.next_u64());
        for _ in 0..size.min(h.buyers - b) {
            buyer_region.push(region);
            buyer_address.push(address.clone());
            buyer_device.push(if size > 1 && rng.chance(0.3) {
                family_device.clone()
            } else {
                format!("{:016x}", rng.next_u64())
            });
            buyer_ip.push(if rng.chance(0.25) {
                // Office or carrier NAT: a few hundred addresses shared by dozens.
                ip_of(rng.below(300).wrapping_mul(0x9E37_79B9))
            } else {
                ip_of(rng.next_u64())
            });
            b += 1;
        }
    }
    let shop_region: Vec<usize> = (0..h.shops)
        .map(|_| rng.below(REGIONS as u64) as usize)
        .collect();
    let shop_price: Vec<f64> = (0..h.shops)
        .map(|_| (10.0 * (1.0 + 49.0 * rng.unit() * rng.unit())).round())
        .collect();
    let pop: Vec<f64> = (0..h.shops).map(|s| 1.0 / (s as f64 + 1.0)).collect();
    let popularity = Weighted::new(pop.iter().copied());
    let by_region = (0..REGIONS)
        .map(|r| {
            let shops: Vec<usize> = (0..h.shops).filter(|&s| shop_region[s] == r).collect();
            let w = Weighted::new(shops.iter().map(|&s| pop[s]));
            (shops, w)
        })
        .collect();
    World {
        buyer_region,
        buyer_address,
        buyer_device,
        buyer_ip,
        shop_price,
        popularity,
        by_region,
        uniform: Weighted::new((0..h.shops).map(|_| 1.0)),
    }
}

impl World {
    fn pick_shop(&self, buyer: usize, rng: &mut Rng) -> usize {
        let (shops, w) = &self.by_region[self.buyer_region[buyer]];
        // Own region with the affinity, else anywhere by popularity.
        if !shops.is_empty() && rng.chance(0.45) {
            shops[w.pick(rng)]
        } else {
            self.popularity.pick(rng)
        }
    }
}

/// A month of honest orders plus `attacks`.
pub fn generate(h: &Honest, attacks: &[Attack]) -> Traffic {
    let mut rng = Rng::new(h.seed);
    let w = world(h, &mut rng);
    let mut gen = Gen {
        rng: Rng::new(h.seed ^ 0xA5A5),
        lines: Vec::with_capacity(h.orders + h.orders / 10),
        next_order: 0,
    };
    // Orders per buyer: heavy-tailed with mean orders / buyers.
    let mean = h.orders as f64 / h.buyers as f64;
    // Log-normal activity (σ = 1.2): the median buyer orders about half the mean, the
    // top 1% eight times the mean (50 orders a month at a mean of 6).
    let activity = Weighted::new((0..h.buyers).map(|_| {
        let (u1, u2) = (rng.unit().max(1e-12), rng.unit());
        let normal = (-2.0 * u1.ln()).sqrt() * (std::f64::consts::TAU * u2).cos();
        (1.2 * normal).exp()
    }));
    let total_activity = activity.0.last().copied().unwrap_or(1.0);
    let mut history: Vec<Vec<u32>> = vec![Vec::new(); h.buyers];
    let day_weight = Weighted::new((0..DAYS).map(|d| if d == 10 { 3.0 } else { 1.0 }));
    for b in 0..h.buyers {
        let a = activity.0[b] - if b == 0 { 0.0 } else { activity.0[b - 1] };
        let expected = a / total_activity * h.buyers as f64 * mean;
        let n = expected.floor() as usize + usize::from(rng.chance(expected.fract()));
        for _ in 0..n {
            let shop = if !history[b].is_empty() && rng.chance(0.3) {
                history[b][rng.below(history[b].len() as u64) as usize] as usize
            } else {
                w.pick_shop(b, &mut rng)
            };
            history[b].push(shop as u32);
            honest_order(&mut gen, &w, b, shop, day_weight.pick(&mut rng) as u32);
        }
    }
    let mut t = Traffic {
        buyers: h.buyers,
        ..Traffic::default()
    };
    for (k, a) in attacks.iter().enumerate() {
        inject(&mut gen, &w, h, k, a, &mut t, &history);
    }
    t.lines = gen.lines;
    t
}

fn honest_order(gen: &mut Gen, w: &World, b: usize, shop: usize, day: u32) {
    let time = gen.time_on(day);
    let price = w.shop_price[shop];
    let amount = if gen.rng.chance(0.01) {
        0.01 + 0.9 * gen.rng.unit()
    } else {
        price * (0.8 + 0.4 * gen.rng.unit())
    };
    let review = gen.honest_review();
    let weight = 0.1 + 3.0 * gen.rng.unit();
    let listing = format!("l{shop}-{}", gen.rng.below(5));
    gen.order(
        &format!("b{b}"),
        &format!("s{shop}"),
        &listing,
        time,
        amount,
        &w.buyer_address[b],
        &w.buyer_device[b],
        &w.buyer_ip[b],
        review.as_deref(),
        weight,
        "已签收",
    );
}

#[allow(clippy::too_many_arguments)]
fn inject(
    gen: &mut Gen,
    w: &World,
    h: &Honest,
    k: usize,
    attack: &Attack,
    t: &mut Traffic,
    history: &[Vec<u32>],
) {
    match *attack {
        Attack::Block {
            accounts,
            shops,
            density,
            camouflage,
        } => {
            let fraud_shops: Vec<String> = (0..shops).map(|s| format!("fs{k}-{s}")).collect();
            let names: Vec<(String, usize)> = (0..accounts)
                .map(|a| {
                    if camouflage == Camouflage::Hijacked {
                        // An honest account with history, taken over.
                        let b = loop {
                            let b = gen.rng.below(h.buyers as u64) as usize;
                            if !history[b].is_empty() {
                                break b;
                            }
                        };
                        (format!("b{b}"), b)
                    } else {
                        (
                            format!("fa{k}-{a}"),
                            gen.rng.below(h.buyers as u64) as usize,
                        )
                    }
                })
                .collect();
            // The fraud shops are small real shops: a few honest buyers each.
            for s in &fraud_shops {
                for _ in 0..gen.rng.below(8) {
                    let b = gen.rng.below(h.buyers as u64) as usize;
                    let day = gen.rng.below(u64::from(DAYS)) as u32;
                    let time = gen.time_on(day);
                    gen.order(
                        &format!("b{b}"),
                        s,
                        &format!("{s}-l"),
                        time,
                        80.0,
                        &w.buyer_address[b],
                        &w.buyer_device[b],
                        &w.buyer_ip[b],
                        None,
                        0.8,
                        "已签收",
                    );
                }
            }
            for (name, look) in &names {
                let mut fraud_edges = 0;
                for s in &fraud_shops {
                    if gen.rng.chance(density) {
                        fraud_edges += 1;
                        let day = gen.rng.below(u64::from(DAYS)) as u32;
                        fraud_order(gen, w, name, *look, s, day, None);
                    }
                }
                for _ in 0..fraud_edges {
                    let shop = match camouflage {
                        Camouflage::Random => w.uniform.pick(&mut gen.rng),
                        Camouflage::Biased => w.popularity.pick(&mut gen.rng),
                        _ => continue,
                    };
                    let day = gen.rng.below(u64::from(DAYS)) as u32;
                    fraud_order(gen, w, name, *look, &format!("s{shop}"), day, None);
                }
                t.fraud_accounts.insert(name.clone());
            }
            t.fraud_shops.extend(fraud_shops);
        }
        Attack::Ring {
            accounts,
            shops,
            density,
            days,
            signals,
        } => {
            // Brushed shops: existing small shops (popularity rank past the top fifth).
            let mut ring_shops: Vec<usize> = Vec::new();
            while ring_shops.len() < shops {
                let s = h.shops / 5 + gen.rng.below((h.shops - h.shops / 5) as u64) as usize;
                if !ring_shops.contains(&s) {
                    ring_shops.push(s);
                }
            }
            let start = gen.rng.below(u64::from(DAYS - days.min(DAYS))) as u32;
            let phones: Vec<String> = (0..accounts.div_ceil(8))
                .map(|_| format!("{:016x}", gen.rng.next_u64()))
                .collect();
            for a in 0..accounts {
                let name = format!("ra{k}-{a}");
                let look = gen.rng.below(h.buyers as u64) as usize;
                let device = signals
                    .shared_devices
                    .then(|| phones[a % phones.len()].clone());
                for &s in &ring_shops {
                    if !gen.rng.chance(density) {
                        continue;
                    }
                    let repeats = 1 + gen.rng.below(3);
                    for _ in 0..repeats {
                        let day = start + gen.rng.below(u64::from(days.max(1))) as u32;
                        let time = gen.time_on(day);
                        let price = w.shop_price[s];
                        let amount = if signals.tiny_amounts {
                            0.01 + gen.rng.below(50) as f64 / 100.0
                        } else {
                            price
                        };
                        let review = signals.template_reviews.then(|| {
                            format!(
                                "宝贝收到了，{}，卖家人很好，发货超快，第{}次回购了！",
                                PRAISE[gen.rng.below(3) as usize],
                                1 + gen.rng.below(3)
                            )
                        });
                        let (weight, logistics) = if signals.empty_parcels {
                            (0.01, "空包")
                        } else {
                            (0.5, "已签收")
                        };
                        gen.order(
                            &name,
                            &format!("s{s}"),
                            &format!("l{s}-0"),
                            time,
                            amount,
                            &w.buyer_address[look],
                            device.as_deref().unwrap_or(&w.buyer_device[look]),
                            &w.buyer_ip[look],
                            review.as_deref(),
                            weight,
                            logistics,
                        );
                    }
                }
                t.fraud_accounts.insert(name);
            }
            t.fraud_shops
                .extend(ring_shops.iter().map(|s| format!("s{s}")));
        }
    }
}

/// One plain fraud order (pure structure: honest-looking amount, address, device).
fn fraud_order(
    gen: &mut Gen,
    w: &World,
    name: &str,
    look: usize,
    shop: &str,
    day: u32,
    review: Option<&str>,
) {
    let time = gen.time_on(day);
    let amount = 30.0 + 100.0 * gen.rng.unit();
    let device = format!("{:016x}", gen.rng.next_u64());
    let weight = 0.1 + 2.0 * gen.rng.unit();
    gen.order(
        name,
        shop,
        &format!("{shop}-l"),
        time,
        amount,
        &w.buyer_address[look],
        &device,
        &w.buyer_ip[look],
        review,
        weight,
        "已签收",
    );
}

/// Precision, recall and F1 of `found` against `truth`.
pub fn f_measure(found: &HashSet<String>, truth: &HashSet<String>) -> (f64, f64, f64) {
    let hit = found.intersection(truth).count() as f64;
    let p = if found.is_empty() {
        0.0
    } else {
        hit / found.len() as f64
    };
    let r = if truth.is_empty() {
        0.0
    } else {
        hit / truth.len() as f64
    };
    let f = if p + r == 0.0 {
        0.0
    } else {
        2.0 * p * r / (p + r)
    };
    (p, r, f)
}

/// How a detector run did on generated traffic.
#[derive(Debug, Clone)]
pub struct Evaluation {
    /// Accounts in `suspicious` groups.
    pub flagged_accounts: HashSet<String>,
    /// Shops in `suspicious` groups.
    pub flagged_shops: HashSet<String>,
    /// Precision, recall, F1 on accounts.
    pub accounts: (f64, f64, f64),
    /// Precision, recall, F1 on shops.
    pub shops: (f64, f64, f64),
    /// Flagged accounts that are not fraud, as a share of honest buyers.
    pub false_positive_rate: f64,
    /// The report.
    pub report: crate::Report,
}

/// Reads `traffic` through the order parser, runs the detector and scores it against the
/// truth.
pub fn evaluate(traffic: &Traffic, config: &crate::Config) -> Evaluation {
    let mut b = crate::OrdersBuilder::new();
    for l in &traffic.lines {
        // Generated lines are valid; a failure here is a generator bug worth seeing.
        if let Err(e) = b.push_line(l) {
            panic!("generated line does not parse: {e}: {l}");
        }
    }
    let (orders, _) = b.finish();
    let report = crate::detect(&orders, config);
    let mut flagged_accounts = HashSet::new();
    let mut flagged_shops = HashSet::new();
    for g in &report.groups {
        if g.decision == crate::Decision::Suspicious {
            flagged_accounts.extend(g.accounts.iter().cloned());
            flagged_shops.extend(g.shops.iter().cloned());
        }
    }
    let false_flags = flagged_accounts
        .iter()
        .filter(|a| !traffic.fraud_accounts.contains(*a))
        .count();
    Evaluation {
        accounts: f_measure(&flagged_accounts, &traffic.fraud_accounts),
        shops: f_measure(&flagged_shops, &traffic.fraud_shops),
        false_positive_rate: false_flags as f64 / traffic.buyers.max(1) as f64,
        flagged_accounts,
        flagged_shops,
        report,
    }
}
