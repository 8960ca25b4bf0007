//! `cargo bench -p wangjian-network --bench group [-- SHOPS]`: grouping 1 000 000 shops ×
//! 5 identifiers, and adding 10 000 new shops to that, against a straightforward baseline
//! in the same run (a HashMap from value to shops, then breadth-first search over the
//! shop graph). Prints a Markdown table (`bench/network.sh` writes it to
//! `bench/results-network.md`). Also times normalization per kind.
//!
//! The data is generated (seeded): about 10% of shops in networks of 2–20 shops sharing
//! one or two values, 1% carrying a platform's default phone (over its cap), the rest unique.

use std::collections::{HashMap, VecDeque};
use std::hint::black_box;
use std::time::{Duration, Instant};

use wangjian_network::{normalize, Caps, Identifier, Kind, Networks, Options, Sighting, Space};

struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        // SplitMix64.
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

const KINDS: [Kind; 5] = [
    Kind::Phone,
    Kind::Email,
    Kind::ReturnAddress,
    Kind::Device,
    Kind::Ip,
];

fn value(kind: Kind, n: u64) -> String {
    match kind {
        Kind::Phone => format!("138{:08}", n % 100_000_000),
        Kind::Email => format!("shop{n}@qq.com"),
        Kind::ReturnAddress => format!("330106|文三路{}号{}栋{}", n % 5000, n / 5000 % 40, n % 977),
        Kind::Device => format!("{:016x}", n.wrapping_mul(0x9E37_79B9_7F4A_7C15)),
        _ => format!(
            "{}.{}.{}.{}",
            1 + n % 223,
            n / 223 % 256,
            n / 57_088 % 256,
            n % 251
        ),
    }
}

/// (shop name, identifiers) for shops `from..to`.
fn generate(rng: &mut Rng, from: u64, to: u64) -> Vec<(String, Vec<Identifier>)> {
    let mut out = Vec::with_capacity((to - from) as usize);
    let mut s = from;
    while s < to {
        let roll = rng.below(100);
        let size = if roll < 1 { 2 + rng.below(19) } else { 1 };
        let shared: Vec<usize> = (0..1 + rng.below(2))
            .map(|_| rng.below(5) as usize)
            .collect();
        let seed = rng.next();
        for _ in 0..size.min(to - s) {
            let mut ids = Vec::with_capacity(5);
            for (k, &kind) in KINDS.iter().enumerate() {
                let v = if shared.contains(&k) {
                    value(kind, seed)
                } else if kind == Kind::Phone && rng.below(100) == 0 {
                    "4000000000".to_string()
                } else {
                    value(kind, rng.next())
                };
                ids.push(Identifier { kind, value: v });
            }
            out.push((format!("p{}:{s}", s % 7), ids));
            s += 1;
        }
    }
    out
}

fn group_networks(data: &[(String, Vec<Identifier>)]) -> (Networks, usize) {
    let mut n = Networks::with_capacity(Caps::default(), data.len(), data.len() * 5);
    n.add(data.iter().flat_map(|(shop, ids)| {
        ids.iter().map(move |i| Sighting {
            shop,
            identifier: i,
            source: "bench",
            at: None,
        })
    }));
    let groups = n.membership().filter(|(s, r)| s == r).count();
    (n, groups)
}

/// The baseline: value → shops in a HashMap, an adjacency list, breadth-first search.
fn group_baseline(data: &[(String, Vec<Identifier>)]) -> usize {
    let caps = Caps::default();
    let mut index: HashMap<String, u32> = HashMap::new();
    let mut by_value: HashMap<(Space, &str), Vec<u32>> = HashMap::new();
    for (shop, ids) in data {
        let next = index.len() as u32;
        let s = *index.entry(shop.clone()).or_insert(next);
        for i in ids {
            by_value
                .entry((i.kind.space(), i.value.as_str()))
                .or_default()
                .push(s);
        }
    }
    let mut adj: Vec<Vec<u32>> = vec![Vec::new(); index.len()];
    for ((space, _), shops) in &by_value {
        if shops.len() as u32 > caps.get(*space) || shops.len() < 2 {
            continue;
        }
        for &s in &shops[1..] {
            adj[shops[0] as usize].push(s);
            adj[s as usize].push(shops[0]);
        }
    }
    let mut seen = vec![false; adj.len()];
    let mut groups = 0;
    let mut queue = VecDeque::new();
    for start in 0..adj.len() {
        if seen[start] {
            continue;
        }
        groups += 1;
        seen[start] = true;
        queue.push_back(start);
        while let Some(x) = queue.pop_front() {
            for &y in &adj[x] {
                if !seen[y as usize] {
                    seen[y as usize] = true;
                    queue.push_back(y as usize);
                }
            }
        }
    }
    groups
}

fn best_of<T>(runs: usize, mut f: impl FnMut() -> T) -> (Duration, T) {
    let mut best = Duration::MAX;
    let mut last = None;
    for _ in 0..runs {
        let t = Instant::now();
        let r = f();
        best = best.min(t.elapsed());
        last = Some(r);
    }
    (best, last.expect("at least one run"))
}

fn ms(d: Duration) -> String {
    format!("{:.1} ms", d.as_secs_f64() * 1e3)
}

fn main() {
    let shops: u64 = std::env::args()
        .skip(1)
        .find_map(|a| a.parse().ok())
        .unwrap_or(1_000_000);
    let runs = 3;
    let mut rng = Rng(2026);
    let data = generate(&mut rng, 0, shops);
    let extra = generate(&mut rng, shops, shops + 10_000);
    // Some new shops share values with old ones (a seller opening more shops).
    let mut extra = extra;
    for (k, (_, ids)) in extra.iter_mut().enumerate().step_by(10) {
        ids[0] = data[k * 37 % data.len()].1[0].clone();
    }

    let (t_group, (_, groups)) = best_of(runs, || group_networks(&data));
    let (t_base, base_groups) = best_of(runs, || group_baseline(&data));
    assert_eq!(groups, base_groups, "the two groupings disagree");

    // Incremental: a fresh grouping per run (setup not timed), then 10 000 new shops.
    let mut t_add = Duration::MAX;
    let mut changed = 0;
    for _ in 0..runs {
        let (mut n, _) = group_networks(&data);
        let t = Instant::now();
        let u = n.add(extra.iter().flat_map(|(shop, ids)| {
            ids.iter().map(move |i| Sighting {
                shop,
                identifier: i,
                source: "bench",
                at: None,
            })
        }));
        t_add = t_add.min(t.elapsed());
        changed = u.changed.len();
    }
    let all: Vec<_> = data.iter().chain(&extra).cloned().collect();
    let (t_base_all, _) = best_of(runs, || group_baseline(&all));

    println!("| case | wangjian-network | baseline (HashMap + BFS) | ratio |");
    println!("|---|---|---|---|");
    println!(
        "| group {shops} shops × 5 identifiers ({groups} networks incl. singletons) | {} | {} | {:.2}x |",
        ms(t_group),
        ms(t_base),
        t_base.as_secs_f64() / t_group.as_secs_f64()
    );
    println!(
        "| add 10 000 shops × 5 to that ({changed} networks changed) | {} | {} (regroup all) | {:.0}x |",
        ms(t_add),
        ms(t_base_all),
        t_base_all.as_secs_f64() / t_add.as_secs_f64()
    );

    // Normalization throughput per kind, as written by sellers.
    let samples: [(Kind, &str); 6] = [
        (Kind::Phone, "+86 138-0013-8000"),
        (Kind::Email, "Shop.Owner+1@GoogleMail.com"),
        (
            Kind::ReturnAddress,
            "浙江省杭州市西湖区文三路九十號3号楼2单元501室",
        ),
        (Kind::Device, "{E621E1F8-C36C-495A-93FC-0C247A3E6E5F}"),
        (Kind::Ip, "2409:8a00:1:2:abcd::1"),
        (Kind::Uscc, "91350100M000100Y43"),
    ];
    println!();
    println!("| normalize | per value |");
    println!("|---|---|");
    for (kind, v) in samples {
        let n = 20_000;
        let (t, _) = best_of(runs, || {
            for _ in 0..n {
                black_box(normalize(kind, black_box(v), Options::default()).ok());
            }
        });
        println!(
            "| {kind} `{v}` | {:.2} µs |",
            t.as_secs_f64() * 1e6 / n as f64
        );
    }
}
