//! The detector: candidate groups from dense blocks (global, seeded and per time window),
//! each scored on its evidence and explained.

use std::collections::{HashMap, HashSet};
use std::hash::BuildHasher;

use rayon::prelude::*;
use serde::Serialize;
use wangjian_network::DisjointSets;

use crate::fraudar::{Block, Peeler};
use crate::graph::Graph;
use crate::order::format_cst;
use crate::orders::{Orders, NONE};
use crate::review::ReviewPrint;

/// The paper's constant in the column weight 1 / ln(d + c).
const COLUMN_C: f64 = 5.0;
/// Orders below this amount (yuan) are tiny whatever the listing costs.
const TINY_YUAN: f32 = 1.0;
/// Orders below this share of their listing's median amount are tiny.
const TINY_SHARE: f32 = 0.1;

/// Settings of the detector. The defaults are what the quality tests defend.
#[derive(Debug, Clone)]
pub struct Config {
    /// Dense blocks taken from the whole graph, one after the other.
    pub max_blocks: usize,
    /// τ of the core that global peeling starts from (weighted degree).
    pub core: f64,
    /// A group needs at least this many accounts.
    pub min_accounts: usize,
    /// Accounts known to brush (from earlier cases): searched around first.
    pub known_brushers: Vec<String>,
    /// A device shared by more accounts than this is a public or shop device: ignored.
    pub device_cap: u32,
    /// An address shared by more accounts than this is a pickup point or campus: ignored.
    pub address_cap: u32,
    /// An IP shared by more accounts than this is a carrier or office NAT: ignored.
    pub ip_cap: u32,
    /// Time windows (days) in which structure is tested again.
    pub window_days: i64,
    /// Evidence (nats) at which the score is one half.
    pub half_evidence: f64,
    /// Score from which a group is `suspicious`.
    pub threshold: f64,
    /// Seeded searches at most (bursts and shared-attribute clusters, best first).
    pub max_seeded: usize,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            max_blocks: 40,
            core: 1.0,
            min_accounts: 3,
            known_brushers: Vec::new(),
            device_cap: 30,
            address_cap: 30,
            ip_cap: 20,
            window_days: 7,
            half_evidence: 40.0,
            threshold: 0.5,
            max_seeded: 400,
        }
    }
}

/// Why a group is suspicious: a stable code and a sentence in Chinese.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Reason {
    /// `density`, `burst`, `repeated_orders`, `shared_device`, `shared_address`,
    /// `shared_ip`, `tiny_amount`, `template_review`, `empty_parcel`, `known_brusher`.
    pub code: &'static str,
    /// The evidence in words.
    pub detail: String,
}

/// `suspicious` or `clear`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Decision {
    /// Score at or above the threshold.
    Suspicious,
    /// Below it.
    Clear,
}

/// First and last order time of a group (RFC 3339, UTC+8).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Window {
    /// First order.
    pub first: String,
    /// Last order.
    pub last: String,
}

/// A group of accounts and shops, scored and explained.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Group {
    /// Stable id: a hash of its accounts and shops.
    pub group_id: String,
    /// 0–1.
    pub score: f64,
    /// The decision at the configured threshold.
    pub decision: Decision,
    /// Buyer account ids, sorted.
    pub accounts: Vec<String>,
    /// Shop ids, sorted.
    pub shops: Vec<String>,
    /// Listing ids of its orders, sorted.
    pub listings: Vec<String>,
    /// Number of its orders.
    pub orders: usize,
    /// First and last order.
    pub window: Window,
    /// The evidence in words, strongest first.
    pub reasons: Vec<Reason>,
    /// Its order ids, by time.
    pub evidence: Vec<String>,
    /// Total evidence in nats (log-likelihood units) behind the score.
    pub evidence_nats: f64,
}

/// What the detector found.
#[derive(Debug, Clone, Default)]
pub struct Report {
    /// Every candidate group scored, best first (suspicious and clear).
    pub groups: Vec<Group>,
    /// Distinct (buyer, shop) pairs.
    pub edges: usize,
    /// Candidates examined before merging overlaps.
    pub candidates: usize,
}

/// Accounts → values of one attribute (device, address, IP), and how many accounts
/// share each value.
struct Shared {
    /// (buyer, value), sorted, distinct.
    pairs: Vec<(u32, u32)>,
    /// Accounts per value.
    accounts: Vec<u32>,
}

impl Shared {
    fn build(orders: &Orders, column: &[u32], values: usize) -> Shared {
        let mut pairs: Vec<(u32, u32)> = orders
            .buyer
            .par_iter()
            .zip(column.par_iter())
            .filter(|(_, &v)| v != NONE)
            .map(|(&b, &v)| (b, v))
            .collect();
        pairs.par_sort_unstable();
        pairs.dedup();
        let mut accounts = vec![0u32; values];
        for &(_, v) in &pairs {
            accounts[v as usize] += 1;
        }
        Shared { pairs, accounts }
    }

    fn values_of(&self, b: u32) -> impl Iterator<Item = u32> + '_ {
        let start = self.pairs.partition_point(|p| p.0 < b);
        self.pairs[start..]
            .iter()
            .take_while(move |p| p.0 == b)
            .map(|p| p.1)
    }

    /// Accounts of `group` that share a value (carried by at most `cap` accounts in all)
    /// with another account of `group`.
    fn sharing(&self, group: &[u32], cap: u32) -> usize {
        let mut holders: HashMap<u32, u32> = HashMap::new();
        for &b in group {
            for v in self.values_of(b) {
                if self.accounts[v as usize] <= cap {
                    *holders.entry(v).or_default() += 1;
                }
            }
        }
        group
            .iter()
            .filter(|&&b| {
                self.values_of(b)
                    .any(|v| holders.get(&v).is_some_and(|&n| n >= 2))
            })
            .count()
    }

    /// Clusters of accounts joined by values shared by 2..=cap accounts.
    fn clusters(&self, buyers: usize, cap: u32, min: usize) -> Vec<Vec<u32>> {
        let mut by_value: Vec<(u32, u32)> = self
            .pairs
            .iter()
            .filter(|p| (2..=cap).contains(&self.accounts[p.1 as usize]))
            .map(|&(b, v)| (v, b))
            .collect();
        by_value.sort_unstable();
        let mut sets = DisjointSets::new(buyers);
        for w in by_value.windows(2) {
            if w[0].0 == w[1].0 {
                sets.union(w[0].1, w[1].1);
            }
        }
        let mut seen = HashSet::new();
        let mut out = Vec::new();
        for &(_, b) in &by_value {
            let r = sets.find(b);
            if seen.insert(r) && sets.set_size(r) as usize >= min {
                out.push(sets.members(r));
            }
        }
        out
    }
}

/// Everything computed once per run.
struct Context<'a> {
    orders: &'a Orders,
    g: &'a Graph,
    config: &'a Config,
    weight: Vec<f32>,
    /// Day index (UTC+8) of each order, from the first day.
    day: Vec<u32>,
    /// The first day (days since 1970-01-01, UTC+8).
    first_day: i64,
    /// Orders per day, all shops.
    day_orders: Vec<u64>,
    devices: Shared,
    addresses: Shared,
    ips: Shared,
    known: HashSet<u32>,
    /// Median amount of each listing's orders.
    listing_median: Vec<f32>,
    /// Reviews per exact fingerprint, all orders: common phrases are not templates.
    review_counts: HashMap<u64, u32>,
}

/// Median amount per listing (counting sort by listing, then a selection per listing).
fn listing_medians(orders: &Orders) -> Vec<f32> {
    let n = orders.listings.len();
    let mut start = vec![0usize; n + 1];
    for &l in &orders.listing {
        start[l as usize + 1] += 1;
    }
    for l in 0..n {
        start[l + 1] += start[l];
    }
    let mut fill = start.clone();
    let mut amounts = vec![0f32; orders.len()];
    for (&l, &a) in orders.listing.iter().zip(&orders.amount) {
        amounts[fill[l as usize]] = a;
        fill[l as usize] += 1;
    }
    let mut out = vec![0f32; n];
    let mut rest: &mut [f32] = &mut amounts;
    for l in 0..n {
        let (mine, tail) = rest.split_at_mut(start[l + 1] - start[l]);
        rest = tail;
        if !mine.is_empty() {
            let mid = mine.len() / 2;
            mine.select_nth_unstable_by(mid, f32::total_cmp);
            out[l] = mine[mid];
        }
    }
    out
}

/// Finds brushing groups in `orders`.
pub fn detect(orders: &Orders, config: &Config) -> Report {
    if orders.is_empty() {
        return Report::default();
    }
    let g = Graph::build(orders);
    let weight: Vec<f32> = (0..g.edges())
        .into_par_iter()
        .map(|e| {
            let d = f64::from(g.shop_degree(g.edge_shop[e]));
            let repeat = 1.0 + f64::from(g.edge_orders[e]).ln();
            (repeat / (d + COLUMN_C).ln()) as f32
        })
        .collect();
    let first_day = orders.time.iter().map(|&t| cst_day(t)).min().unwrap_or(0);
    let day: Vec<u32> = orders
        .time
        .par_iter()
        .map(|&t| (cst_day(t) - first_day) as u32)
        .collect();
    let days = day.iter().max().map_or(1, |&d| d as usize + 1);
    let mut day_orders = vec![0u64; days];
    for &d in &day {
        day_orders[d as usize] += 1;
    }
    let (devices, (addresses, ips)) = rayon::join(
        || Shared::build(orders, &orders.device, orders.devices.len()),
        || {
            rayon::join(
                || Shared::build(orders, &orders.address, orders.addresses.len()),
                || Shared::build(orders, &orders.ip, orders.ips.len()),
            )
        },
    );
    let known: HashSet<u32> = config
        .known_brushers
        .iter()
        .filter_map(|b| orders.buyers.get(b))
        .collect();
    let mut review_counts: HashMap<u64, u32> = HashMap::new();
    for r in orders.review.iter().flatten() {
        *review_counts.entry(r.exact).or_default() += 1;
    }
    let ctx = Context {
        listing_median: listing_medians(orders),
        review_counts,
        orders,
        g: &g,
        config,
        weight,
        day,
        first_day,
        day_orders,
        devices,
        addresses,
        ips,
        known,
    };
    let candidates = ctx.candidates();
    let n_candidates = candidates.len();
    let mut scored: Vec<(Group, Block)> = candidates
        .into_par_iter()
        .filter_map(|b| {
            let b = ctx.expand(ctx.trim(b));
            ctx.score(&b).map(|g| (g, b))
        })
        .collect();
    let rank = |a: &Group, b: &Group| {
        b.score
            .total_cmp(&a.score)
            .then_with(|| b.evidence_nats.total_cmp(&a.evidence_nats))
            .then_with(|| a.group_id.cmp(&b.group_id))
    };
    scored.sort_by(|a, b| rank(&a.0, &b.0));
    // Overlapping candidates: the better one keeps what they share; the other is scored
    // again without it (so a ring's evidence never lends weight to a neighbouring crowd).
    let mut kept: Vec<Group> = Vec::new();
    let mut taken_buyers: HashSet<u32> = HashSet::new();
    let mut taken_shops: HashSet<u32> = HashSet::new();
    for (grp, mut block) in scored {
        let overlaps = block.buyers.iter().any(|b| taken_buyers.contains(b))
            || block.shops.iter().any(|s| taken_shops.contains(s));
        let grp = if overlaps {
            block.buyers.retain(|b| !taken_buyers.contains(b));
            block.shops.retain(|s| !taken_shops.contains(s));
            match ctx.score(&block) {
                Some(g) => g,
                None => continue,
            }
        } else {
            grp
        };
        if grp.decision == Decision::Suspicious {
            taken_buyers.extend(block.buyers.iter().copied());
            taken_shops.extend(block.shops.iter().copied());
        }
        kept.push(grp);
    }
    kept.sort_by(rank);
    Report {
        groups: kept,
        edges: g.edges(),
        candidates: n_candidates,
    }
}

fn cst_day(t: i64) -> i64 {
    (t + 8 * 3600).div_euclid(86_400)
}

/// Poisson surprise of seeing `k` where `lambda` was expected: the Chernoff bound on
/// −ln P(X ≥ k), in nats; 0 when k ≤ λ.
fn surprise(k: f64, lambda: f64) -> f64 {
    if k <= lambda || lambda <= 0.0 {
        return if lambda <= 0.0 && k > 0.0 {
            k * 20.0
        } else {
            0.0
        };
    }
    k * (k / lambda).ln() - k + lambda
}

/// ln C(n, k).
fn ln_choose(n: usize, k: usize) -> f64 {
    let k = k.min(n - k.min(n));
    (0..k).map(|i| ((n - i) as f64 / (k - i) as f64).ln()).sum()
}

impl Context<'_> {
    fn all_nodes(&self) -> Vec<u32> {
        (0..(self.g.buyers + self.g.shops) as u32).collect()
    }

    /// Candidate blocks: global peeling (several blocks, each removed before the next),
    /// then searches seeded by known brushers, bursts and shared attributes.
    fn candidates(&self) -> Vec<Block> {
        let g = self.g;
        let nb = g.buyers as u32;
        let mut peeler = Peeler::new(g, &self.weight);
        let none = |_: u32| 0.0;
        let mut out = Vec::new();
        let mut core = peeler.prune_core(&self.all_nodes(), self.config.core, &none);
        let mut small_in_a_row = 0;
        for _ in 0..self.config.max_blocks {
            let Some(block) = peeler.peel(&core, &none) else {
                break;
            };
            if block.density < self.config.core / 2.0 {
                break;
            }
            let removed: HashSet<u32> = block
                .buyers
                .iter()
                .copied()
                .chain(block.shops.iter().map(|&s| nb + s))
                .collect();
            core.retain(|v| !removed.contains(v));
            core = peeler.prune_core(&core, self.config.core, &none);
            if block.buyers.len() >= self.config.min_accounts.max(2) {
                out.push(block);
                small_in_a_row = 0;
            } else {
                // The densest things left are single heavy buyers: no block is coming.
                small_in_a_row += 1;
                if small_in_a_row == 5 {
                    break;
                }
            }
        }
        let mut seeds: Vec<Vec<u32>> = Vec::new();
        if !self.known.is_empty() {
            let mut k: Vec<u32> = self.known.iter().copied().collect();
            k.sort_unstable();
            seeds.push(k);
        }
        let mut seeded = self.burst_seeds();
        for (shared, cap, min) in [
            (&self.devices, self.config.device_cap, 3),
            (&self.addresses, self.config.address_cap, 4),
        ] {
            for c in shared.clusters(g.buyers, cap, min) {
                seeded.push((c.len() as f64, c));
            }
        }
        seeded.sort_by(|a, b| b.0.total_cmp(&a.0).then_with(|| a.1.cmp(&b.1)));
        seeds.extend(
            seeded
                .into_iter()
                .take(self.config.max_seeded)
                .map(|(_, s)| s),
        );
        drop(peeler);
        let local: Vec<Block> = seeds
            .par_iter()
            .map_init(
                || Peeler::new(g, &self.weight),
                |p, s| self.local_block(p, s),
            )
            .flatten()
            .filter(|b| b.buyers.len() >= self.config.min_accounts)
            .collect();
        out.extend(local);
        out
    }

    /// Shops whose orders in some 3-day window far exceed their share of the platform's
    /// orders in that window: the buyers of that window, with the burst's surprise.
    fn burst_seeds(&self) -> Vec<(f64, Vec<u32>)> {
        let g = self.g;
        let days = self.day_orders.len();
        let total: u64 = self.day_orders.iter().sum();
        const SPAN: usize = 3;
        let cost = (days.max(1) as f64).ln();
        let mut out: Vec<(f64, Vec<u32>)> = (0..g.shops as u32)
            .into_par_iter()
            .filter_map(|s| {
                let edges = g.shop_edge_ids(s);
                let n: usize = edges
                    .iter()
                    .map(|&e| g.edge_orders[e as usize] as usize)
                    .sum();
                if n < 20 || days < SPAN + 1 {
                    return None;
                }
                let mut hist = vec![0u32; days];
                for &e in edges {
                    for &o in g.orders_of_edge(e as usize) {
                        hist[self.day[o as usize] as usize] += 1;
                    }
                }
                let mut best = (0.0, 0usize);
                for d in 0..=days - SPAN {
                    let k: u32 = hist[d..d + SPAN].iter().sum();
                    let share: u64 = self.day_orders[d..d + SPAN].iter().sum();
                    let lambda = n as f64 * share as f64 / total as f64;
                    let z = surprise(f64::from(k), lambda) - cost;
                    if z > best.0 {
                        best = (z, d);
                    }
                }
                if best.0 < 10.0 {
                    return None;
                }
                let (lo, hi) = (best.1 as u32, (best.1 + SPAN) as u32);
                let mut buyers: Vec<u32> = edges
                    .iter()
                    .filter(|&&e| {
                        g.orders_of_edge(e as usize)
                            .iter()
                            .any(|&o| (lo..hi).contains(&self.day[o as usize]))
                    })
                    .map(|&e| g.edge_buyer[e as usize])
                    .collect();
                buyers.sort_unstable();
                buyers.dedup();
                Some((best.0, buyers))
            })
            .collect();
        out.sort_by(|a, b| b.0.total_cmp(&a.0));
        out
    }

    /// Dense block around `seeds` (buyers): the shops at least a fifth of them (and at
    /// least two) bought from, the buyers of those shops with orders at two or more of
    /// them, peeled.
    fn local_block(&self, peeler: &mut Peeler<'_>, seeds: &[u32]) -> Option<Block> {
        let g = self.g;
        let nb = g.buyers as u32;
        // Shops bought by most of the platform's buyers say nothing about a ring.
        let popular = (g.buyers as u32 / 20).max(200);
        let mut shop_hits: HashMap<u32, u32> = HashMap::new();
        for &b in seeds {
            for e in g.buyer_edges(b) {
                let s = g.edge_shop[e];
                if g.shop_degree(s) <= popular {
                    *shop_hits.entry(s).or_default() += 1;
                }
            }
        }
        let need = if seeds.len() == 1 {
            1
        } else {
            ((seeds.len() as f64 * 0.2).ceil() as u32).max(2)
        };
        let mut shops: Vec<u32> = shop_hits
            .into_iter()
            .filter(|&(_, n)| n >= need)
            .map(|(s, _)| s)
            .collect();
        if shops.is_empty() {
            return None;
        }
        shops.sort_unstable();
        let mut buyer_hits: HashMap<u32, u32> = HashMap::new();
        for &s in &shops {
            for &e in g.shop_edge_ids(s) {
                *buyer_hits.entry(g.edge_buyer[e as usize]).or_default() += 1;
            }
        }
        let need = if shops.len() == 1 { 1 } else { 2 };
        let mut nodes: Vec<u32> = buyer_hits
            .into_iter()
            .filter(|&(_, n)| n >= need)
            .map(|(b, _)| b)
            .collect();
        if nodes.len() > 50_000 {
            return None;
        }
        nodes.sort_unstable();
        nodes.extend(shops.iter().map(|&s| nb + s));
        peeler.peel(&nodes, &|_| 0.0)
    }

    /// Drops the members a peeled block does not explain: a shop whose number of buyers
    /// in the block is no more than its popularity gives (the popular shops that biased
    /// camouflage buys from), then an account whose shops in the block are no more than
    /// its activity gives. Same test as [`Context::expand`], with the bar at the number
    /// of members examined.
    fn trim(&self, mut block: Block) -> Block {
        let g = self.g;
        let m = g.edges() as f64;
        for _ in 0..2 {
            let shops: HashSet<u32> = block.shops.iter().copied().collect();
            let accounts: HashSet<u32> = block.buyers.iter().copied().collect();
            let sum_da: f64 = block
                .buyers
                .iter()
                .map(|&b| f64::from(g.buyer_degree(b)))
                .sum();
            let bar = (block.shops.len().max(1) as f64).ln() + 2.0;
            block.shops.retain(|&s| {
                let k = g
                    .shop_edge_ids(s)
                    .iter()
                    .filter(|&&e| accounts.contains(&g.edge_buyer[e as usize]))
                    .count();
                let lambda = f64::from(g.shop_degree(s)) * sum_da / m;
                surprise(k as f64, lambda) >= bar
            });
            let kept: HashSet<u32> = block.shops.iter().copied().collect();
            let sum_ds: f64 = block
                .shops
                .iter()
                .map(|&s| f64::from(g.shop_degree(s)))
                .sum();
            let bar = (block.buyers.len().max(1) as f64).ln() + 2.0;
            block.buyers.retain(|&b| {
                let k = g
                    .buyer_edges(b)
                    .filter(|&e| kept.contains(&g.edge_shop[e]))
                    .count();
                let lambda = f64::from(g.buyer_degree(b)) * sum_ds / m;
                surprise(k as f64, lambda) >= bar
            });
            if block.shops.len() == shops.len() && block.buyers.len() == accounts.len() {
                break;
            }
        }
        block
    }

    /// Grows a peeled block by its fringe. Peeling keeps the densest core; members with
    /// fewer edges (a ring account that skipped some shops) fall off. An outside account
    /// joins when its number of shops in the block is improbable for its activity (a
    /// Poisson tail under the Chung–Lu expectation, beyond the number of accounts
    /// examined); then shops join the same way.
    fn expand(&self, mut block: Block) -> Block {
        let g = self.g;
        let m = g.edges() as f64;
        let popular = (g.buyers as u32 / 20).max(200);
        let shops: HashSet<u32> = block.shops.iter().copied().collect();
        let accounts: HashSet<u32> = block.buyers.iter().copied().collect();
        let sum_ds: f64 = block
            .shops
            .iter()
            .map(|&s| f64::from(g.shop_degree(s)))
            .sum();
        let mut hits: HashMap<u32, u32> = HashMap::new();
        for &s in &block.shops {
            for &e in g.shop_edge_ids(s) {
                let b = g.edge_buyer[e as usize];
                if !accounts.contains(&b) {
                    *hits.entry(b).or_default() += 1;
                }
            }
        }
        let bar = (hits.len().max(1) as f64).ln() + 3.0;
        let mut added: Vec<u32> = hits
            .into_iter()
            .filter(|&(b, k)| {
                let lambda = f64::from(g.buyer_degree(b)) * sum_ds / m;
                k >= 2 && surprise(f64::from(k), lambda) >= bar
            })
            .map(|(b, _)| b)
            .collect();
        block.buyers.append(&mut added);
        block.buyers.sort_unstable();
        let sum_da: f64 = block
            .buyers
            .iter()
            .map(|&b| f64::from(g.buyer_degree(b)))
            .sum();
        let mut hits: HashMap<u32, u32> = HashMap::new();
        for &b in &block.buyers {
            for e in g.buyer_edges(b) {
                let s = g.edge_shop[e];
                if !shops.contains(&s) && g.shop_degree(s) <= popular {
                    *hits.entry(s).or_default() += 1;
                }
            }
        }
        let bar = (hits.len().max(1) as f64).ln() + 3.0;
        let mut added: Vec<u32> = hits
            .into_iter()
            .filter(|&(s, k)| {
                let lambda = f64::from(g.shop_degree(s)) * sum_da / m;
                k >= 2 && surprise(f64::from(k), lambda) >= bar
            })
            .map(|(s, _)| s)
            .collect();
        block.shops.append(&mut added);
        block.shops.sort_unstable();
        block
    }

    /// The group of a block, scored; `None` when it is too small.
    fn score(&self, block: &Block) -> Option<Group> {
        let g = self.g;
        let o = self.orders;
        let cfg = self.config;
        if block.buyers.len() < cfg.min_accounts || block.shops.is_empty() {
            return None;
        }
        let in_shops: HashSet<u32> = block.shops.iter().copied().collect();
        // The block's edges and orders.
        let mut edges: Vec<usize> = Vec::new();
        for &b in &block.buyers {
            for e in g.buyer_edges(b) {
                if in_shops.contains(&g.edge_shop[e]) {
                    edges.push(e);
                }
            }
        }
        // Accounts without an edge into the shops (possible after seeded peeling) go.
        let accounts: Vec<u32> = {
            let mut a: Vec<u32> = edges.iter().map(|&e| g.edge_buyer[e]).collect();
            a.dedup();
            a
        };
        if accounts.len() < cfg.min_accounts {
            return None;
        }
        let shops_used: HashSet<u32> = edges.iter().map(|&e| g.edge_shop[e]).collect();
        let mut order_ids: Vec<u32> = edges
            .iter()
            .flat_map(|&e| g.orders_of_edge(e).iter().copied())
            .collect();
        order_ids.sort_unstable_by_key(|&i| (o.time[i as usize], i));
        let n_orders = order_ids.len();
        let (na, nsh) = (accounts.len(), shops_used.len());
        let e_count = edges.len() as f64;

        // Structure: edges among the block vs the Chung–Lu expectation, less the cost of
        // having chosen these accounts and shops among all.
        let m = g.edges() as f64;
        let sum_da: f64 = accounts.iter().map(|&b| f64::from(g.buyer_degree(b))).sum();
        let sum_ds: f64 = shops_used
            .iter()
            .map(|&s| f64::from(g.shop_degree(s)))
            .sum();
        let lambda = sum_da * sum_ds / m;
        let choose = ln_choose(g.buyers, na) + ln_choose(g.shops, nsh);
        let z_full = surprise(e_count, lambda) - choose;
        let density = e_count / (na * nsh) as f64;
        // The same test inside the busiest window of the group.
        // A community of honest regulars (a region's active buyers and its shops) is
        // structure too, but diffuse: each account on a few of the shops, and the group a
        // minority of the shops' orders. Brushing that matters is most of its shops'
        // orders (in the month or in its busiest week), or its accounts each hit a large
        // part of its shops. Structure counts in full past both bars.
        let shop_orders: usize = shops_used
            .iter()
            .flat_map(|&s| g.shop_edge_ids(s))
            .map(|&e| g.edge_orders[e as usize] as usize)
            .sum();
        let (z_window, win) = self.window_structure(&accounts, &shops_used, &order_ids, choose);
        let share = (n_orders as f64 / shop_orders.max(1) as f64).max(win.map_or(0.0, |w| w.3));
        let ramp = |x: f64, lo: f64, hi: f64| ((x - lo) / (hi - lo)).clamp(0.0, 1.0);
        let tightness =
            ramp(density, 0.0, 0.05) * ramp(share, 0.5, 0.6).max(ramp(density, 0.2, 0.3));
        let z_struct = z_full.max(z_window).max(0.0) * tightness;

        let mut reasons: Vec<(f64, Reason)> = Vec::new();
        if z_struct > 0.0 {
            reasons.push((
                z_struct,
                Reason {
                    code: "density",
                    detail: format!(
                        "{na}个账号与{nsh}家店铺之间有{}对交易关系（密度{:.0}%），按各账号与店铺的交易活跃度预期约{:.1}对；这些店铺{:.0}%的订单来自这些账号",
                        edges.len(),
                        density * 100.0,
                        lambda,
                        share * 100.0
                    ),
                },
            ));
        }
        if z_window > z_full && z_window > 0.0 {
            if let Some((lo, hi, k, _)) = win {
                reasons.push((
                    z_window - z_full.max(0.0),
                    Reason {
                        code: "burst",
                        detail: format!(
                            "{k}笔订单集中在{}至{}的{}天内",
                            self.day_label(lo),
                            self.day_label(hi - 1),
                            hi - lo
                        ),
                    },
                ));
            }
        }
        let repeat = n_orders as f64 / e_count;
        let global_repeat = o.len() as f64 / m;
        if repeat >= 2.0 && repeat >= 1.5 * global_repeat {
            reasons.push((
                0.0,
                Reason {
                    code: "repeated_orders",
                    detail: format!(
                        "平均每个账号在同一店铺下单{repeat:.1}次，全部订单平均{global_repeat:.1}次"
                    ),
                },
            ));
        }
        let mut behaviour = 0.0;
        let mut add = |count: usize, per: f64, share: f64, code: &'static str, detail: String| {
            // A signal counts when it is common in the group, not one family's (templates:
            // when most reviews are, since honest praise repeats itself too).
            let needed = if code == "template_review" { 0.5 } else { 0.2 };
            if count >= 2 && share >= needed {
                let nats = per * count as f64;
                behaviour += nats;
                reasons.push((nats, Reason { code, detail }));
            }
        };
        let k = self.devices.sharing(&accounts, cfg.device_cap);
        add(
            k,
            4.0,
            k as f64 / na as f64,
            "shared_device",
            format!("{k}个账号与组内其他账号共用设备"),
        );
        let k = self.addresses.sharing(&accounts, cfg.address_cap);
        add(
            k,
            2.0,
            k as f64 / na as f64,
            "shared_address",
            format!("{k}个账号与组内其他账号使用相同收货地址"),
        );
        let k = self.ips.sharing(&accounts, cfg.ip_cap);
        add(
            k,
            1.0,
            k as f64 / na as f64,
            "shared_ip",
            format!("{k}个账号与组内其他账号使用相同IP地址"),
        );
        let (tiny, tiny_accounts) = self.tiny_orders(&order_ids);
        add(
            tiny_accounts,
            1.0,
            tiny as f64 / n_orders as f64,
            "tiny_amount",
            format!("{tiny}笔订单金额极低（不足1元或低于该商品常见成交价的10%）"),
        );
        let (templ, templ_accounts, reviewed) = self.template_reviews(&order_ids);
        add(
            templ_accounts,
            2.0,
            templ as f64 / reviewed.max(1) as f64,
            "template_review",
            format!("{templ}条评价与组内其他账号的评价雷同（共{reviewed}条评价）"),
        );
        let empty: Vec<u32> = order_ids
            .iter()
            .copied()
            .filter(|&i| o.empty_parcel[i as usize])
            .collect();
        let empty_accounts: HashSet<u32> = empty.iter().map(|&i| o.buyer[i as usize]).collect();
        add(
            empty_accounts.len(),
            3.0,
            empty.len() as f64 / n_orders as f64,
            "empty_parcel",
            format!(
                "{}笔订单疑似空包（包裹不足50克或物流显示空包、虚拟发货）",
                empty.len()
            ),
        );
        let known = accounts.iter().filter(|b| self.known.contains(b)).count();
        if known > 0 {
            behaviour += 10.0 * known as f64;
            reasons.push((
                10.0 * known as f64,
                Reason {
                    code: "known_brusher",
                    detail: format!("包含{known}个已知刷单账号"),
                },
            ));
        }
        // Behaviour alone, without structure, is a family, an office or a common phrase,
        // not a ring: it counts only next to structural evidence, in full from 10 nats.
        let structural = (z_struct / 10.0).min(1.0);
        let nats = z_struct + behaviour * structural;
        let score = 1.0 - (-(nats / cfg.half_evidence) * std::f64::consts::LN_2).exp();
        reasons.sort_by(|a, b| b.0.total_cmp(&a.0));

        let mut account_names: Vec<String> = accounts
            .iter()
            .map(|&b| o.buyers.resolve(b).to_string())
            .collect();
        account_names.sort();
        let mut shop_names: Vec<String> = shops_used
            .iter()
            .map(|&s| o.shops.resolve(s).to_string())
            .collect();
        shop_names.sort();
        let mut listings: Vec<String> = order_ids
            .iter()
            .map(|&i| o.listings.resolve(o.listing[i as usize]).to_string())
            .collect();
        listings.sort();
        listings.dedup();
        let hasher = foldhash::fast::FixedState::with_seed(18);
        let id = hasher.hash_one((&account_names, &shop_names));
        let first = order_ids.first().map_or(0, |&i| o.time[i as usize]);
        let last = order_ids.last().map_or(0, |&i| o.time[i as usize]);
        Some(Group {
            group_id: format!("G-{id:016x}"),
            score: (score * 1e4).round() / 1e4,
            decision: if score >= cfg.threshold {
                Decision::Suspicious
            } else {
                Decision::Clear
            },
            accounts: account_names,
            shops: shop_names,
            listings,
            orders: n_orders,
            window: Window {
                first: format_cst(first),
                last: format_cst(last),
            },
            reasons: reasons.into_iter().map(|(_, r)| r).collect(),
            evidence: order_ids
                .iter()
                .map(|&i| o.order_id(i as usize).to_string())
                .collect(),
            evidence_nats: (nats * 100.0).round() / 100.0,
        })
    }

    fn day_label(&self, day: u32) -> String {
        let t = (self.first_day + i64::from(day)) * 86_400 - 8 * 3600;
        format_cst(t)[..10].to_string()
    }

    /// The structure test inside the window of `window_days` days holding most of the
    /// group's orders, less the cost of choosing the window. With (first day, end day,
    /// orders in it, their share of the shops' orders in it).
    fn window_structure(
        &self,
        accounts: &[u32],
        shops: &HashSet<u32>,
        order_ids: &[u32],
        choose: f64,
    ) -> (f64, Option<(u32, u32, usize, f64)>) {
        let g = self.g;
        let days = self.day_orders.len() as u32;
        let span = self.config.window_days.max(1) as u32;
        if days <= span {
            return (f64::NEG_INFINITY, None);
        }
        let mut hist = vec![0usize; days as usize];
        for &i in order_ids {
            hist[self.day[i as usize] as usize] += 1;
        }
        let (mut best_k, mut lo) = (0usize, 0u32);
        for d in 0..=days - span {
            let k: usize = hist[d as usize..(d + span) as usize].iter().sum();
            if k > best_k {
                (best_k, lo) = (k, d);
            }
        }
        let hi = lo + span;
        let in_win = |o: u32| (lo..hi).contains(&self.day[o as usize]);
        let edge_in_win = |e: usize| g.orders_of_edge(e).iter().any(|&o| in_win(o));
        let mut e_w = 0usize;
        let mut sum_da = 0.0;
        for &b in accounts {
            let mut d = 0;
            for e in g.buyer_edges(b) {
                if edge_in_win(e) {
                    d += 1;
                    if shops.contains(&g.edge_shop[e]) {
                        e_w += 1;
                    }
                }
            }
            sum_da += f64::from(d);
        }
        let sum_ds: f64 = shops
            .iter()
            .map(|&s| {
                g.shop_edge_ids(s)
                    .iter()
                    .filter(|&&e| edge_in_win(e as usize))
                    .count() as f64
            })
            .sum();
        let shop_orders_w: usize = shops
            .iter()
            .flat_map(|&s| g.shop_edge_ids(s))
            .map(|&e| {
                g.orders_of_edge(e as usize)
                    .iter()
                    .filter(|&&o| in_win(o))
                    .count()
            })
            .sum();
        let share_w = best_k as f64 / shop_orders_w.max(1) as f64;
        let total: u64 = self.day_orders.iter().sum();
        let share: u64 = self.day_orders[lo as usize..hi as usize].iter().sum();
        let m_w = g.edges() as f64 * share as f64 / total as f64;
        let lambda = sum_da * sum_ds / m_w.max(1.0);
        let z = surprise(e_w as f64, lambda) - choose - f64::from(days - span + 1).ln();
        (z, Some((lo, hi, best_k, share_w)))
    }

    /// Tiny orders among `order_ids` and the accounts that placed them.
    fn tiny_orders(&self, order_ids: &[u32]) -> (usize, usize) {
        let o = self.orders;
        let mut tiny = 0;
        let mut accounts = HashSet::new();
        for &i in order_ids {
            let median = self.listing_median[o.listing[i as usize] as usize];
            let a = o.amount[i as usize];
            if a < TINY_YUAN || a < TINY_SHARE * median {
                tiny += 1;
                accounts.insert(o.buyer[i as usize]);
            }
        }
        (tiny, accounts.len())
    }

    /// Orders whose review nearly duplicates a review of another account in the group,
    /// the accounts that wrote them, and the group's reviews in all.
    fn template_reviews(&self, order_ids: &[u32]) -> (usize, usize, usize) {
        let o = self.orders;
        let all: Vec<(u32, ReviewPrint)> = order_ids
            .iter()
            .filter_map(|&i| o.review[i as usize].map(|r| (o.buyer[i as usize], r)))
            .collect();
        let mut in_group: HashMap<u64, u32> = HashMap::new();
        for (_, r) in &all {
            *in_group.entry(r.exact).or_default() += 1;
        }
        // A phrase that many outside the group also write (a platform's default review,
        // a common compliment) is no template of this group.
        let reviewed: Vec<(u32, ReviewPrint)> = all
            .iter()
            .copied()
            .filter(|(_, r)| {
                let inside = in_group[&r.exact];
                let outside = self.review_counts.get(&r.exact).copied().unwrap_or(0) - inside;
                outside <= inside.max(5)
            })
            .collect();
        let total_reviews = all.len();
        if reviewed.len() > 20_000 {
            // Exact duplicates only for very large groups.
            let mut by_exact: HashMap<u64, HashSet<u32>> = HashMap::new();
            for (b, r) in &reviewed {
                by_exact.entry(r.exact).or_default().insert(*b);
            }
            let hits: Vec<&(u32, ReviewPrint)> = reviewed
                .iter()
                .filter(|(_, r)| by_exact[&r.exact].len() >= 2)
                .collect();
            let accounts: HashSet<u32> = hits.iter().map(|(b, _)| *b).collect();
            return (hits.len(), accounts.len(), total_reviews);
        }
        let mut hit = vec![false; reviewed.len()];
        for i in 0..reviewed.len() {
            for j in i + 1..reviewed.len() {
                if reviewed[i].0 != reviewed[j].0 && reviewed[i].1.near(&reviewed[j].1) {
                    hit[i] = true;
                    hit[j] = true;
                }
            }
        }
        let accounts: HashSet<u32> = reviewed
            .iter()
            .zip(&hit)
            .filter(|(_, &h)| h)
            .map(|((b, _), _)| *b)
            .collect();
        (
            hit.iter().filter(|&&h| h).count(),
            accounts.len(),
            total_reviews,
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn surprise_and_choose() {
        assert_eq!(surprise(1.0, 2.0), 0.0);
        assert!((surprise(10.0, 1.0) - (10.0 * 10f64.ln() - 9.0)).abs() < 1e-9);
        assert!((ln_choose(5, 2) - 10f64.ln()).abs() < 1e-9);
        assert_eq!(ln_choose(3, 5), 0.0);
    }
}
