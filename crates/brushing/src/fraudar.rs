//! Dense blocks by greedy peeling, after FRAUDAR (B. Hooi, H. A. Song, A. Beutel, N. Shah,
//! K. Shin, C. Faloutsos: "FRAUDAR: Bounding Graph Fraud in the Face of Camouflage",
//! KDD 2016).
//!
//! For a set S of buyers and shops, f(S) = Σ_{v∈S} a_v + Σ_{edges (b,s) ⊆ S} c_bs, and the
//! density is g(S) = f(S) / |S|. With column weights c_bs = 1 / ln(d_s + 5) (d_s the
//! shop's number of buyers; §4.3 of the paper), buying from popular shops — what fraud
//! accounts do to look honest (camouflage) — adds little, and g cannot be raised by
//! adding camouflage edges (the paper's Theorem 2 for column-weighted metrics). Here each
//! edge's weight is also raised for repeated orders (1 + ln n for n orders), so a small
//! ring ordering again and again stands out.
//!
//! **Greedy peeling** (the paper's Algorithm 1): start from the whole (sub)graph, remove
//! the node whose removal lowers f the least (the one with the smallest weighted degree
//! including its prior), update its neighbours, and keep the set with the best g seen.
//! A binary min-heap indexed by node serves as the priority structure (O(log n) per
//! update, O(|E| log |V|) in all). **Guarantee** (the paper's Theorem 1): the set found
//! has g ≥ g*/2, where g* is the best density of any subset. Proof sketch: at the moment
//! the first node u of an optimal set S* is removed, the remaining set S ⊇ S*, and every
//! node of S has weighted degree ≥ deg_S(u) ≥ deg_{S*}(u) ≥ g* (a node of S* with degree
//! below g* could be dropped to raise g(S*)), so f(S) ≥ |S| g* / 2, counting each edge
//! from both ends.
//!
//! **Core first** ([`Peeler::prune_core`]): removing, in any order, nodes whose weighted
//! degree is below τ cannot remove a node of S* when g* ≥ τ (by the argument above), so
//! greedy peeling on the τ-core keeps the guarantee for every block we would report,
//! and the core of honest traffic is a small part of it. Pruning is one pass with a queue.

use crate::graph::Graph;

const OUT: u32 = u32::MAX;

/// A dense block: buyers, shops, and its density g.
#[derive(Debug, Clone, PartialEq)]
pub struct Block {
    /// Buyer indexes, sorted.
    pub buyers: Vec<u32>,
    /// Shop indexes, sorted.
    pub shops: Vec<u32>,
    /// g = f / |S|.
    pub density: f64,
}

/// Peels subgraphs of one graph with fixed edge weights; keeps scratch space sized to the
/// graph so that each call costs the size of its subgraph.
pub struct Peeler<'g> {
    g: &'g Graph,
    weight: &'g [f32],
    deg: Vec<f64>,
    pos: Vec<u32>,
    heap: Vec<u32>,
    /// Node → epoch in which it is in the current set.
    member: Vec<u32>,
    epoch: u32,
    /// Scratch: neighbours whose degree a removal lowers (reused, not allocated per node).
    lowered: Vec<(u32, f64)>,
}

impl<'g> Peeler<'g> {
    /// A peeler over `g` with edge weights `weight` (one per edge, ≥ 0).
    pub fn new(g: &'g Graph, weight: &'g [f32]) -> Self {
        let n = g.buyers + g.shops;
        Peeler {
            g,
            weight,
            deg: vec![0.0; n],
            pos: vec![OUT; n],
            heap: Vec::new(),
            member: vec![0; n],
            epoch: 0,
            lowered: Vec::new(),
        }
    }

    fn begin(&mut self, nodes: &[u32]) {
        self.epoch = self.epoch.wrapping_add(1);
        if self.epoch == 0 {
            self.member.iter_mut().for_each(|m| *m = 0);
            self.epoch = 1;
        }
        for &v in nodes {
            self.member[v as usize] = self.epoch;
        }
    }

    fn is_member(&self, v: u32) -> bool {
        self.member[v as usize] == self.epoch
    }

    /// Calls `f(neighbour node, edge weight)` for each neighbour of `v` in the current set.
    fn for_neighbours(&self, v: u32, mut f: impl FnMut(u32, f64)) {
        let g = self.g;
        let nb = g.buyers as u32;
        if v < nb {
            for e in g.buyer_edges(v) {
                let u = nb + g.edge_shop[e];
                if self.is_member(u) {
                    f(u, f64::from(self.weight[e]));
                }
            }
        } else {
            for &e in g.shop_edge_ids(v - nb) {
                let u = g.edge_buyer[e as usize];
                if self.is_member(u) {
                    f(u, f64::from(self.weight[e as usize]));
                }
            }
        }
    }

    fn degrees(&mut self, nodes: &[u32], prior: &dyn Fn(u32) -> f64) {
        for &v in nodes {
            let mut d = prior(v);
            self.for_neighbours(v, |_, w| d += w);
            self.deg[v as usize] = d;
        }
    }

    /// The τ-core of `nodes`: repeatedly drops nodes whose weighted degree (prior
    /// included) within the set is below `tau`. Returns the nodes left, in input order.
    pub fn prune_core(&mut self, nodes: &[u32], tau: f64, prior: &dyn Fn(u32) -> f64) -> Vec<u32> {
        self.begin(nodes);
        self.degrees(nodes, prior);
        let mut queue: Vec<u32> = nodes
            .iter()
            .copied()
            .filter(|&v| self.deg[v as usize] < tau)
            .collect();
        for &v in &queue {
            self.member[v as usize] = self.epoch.wrapping_sub(1);
        }
        while let Some(v) = queue.pop() {
            // v is already out of the set; lower its neighbours still in it.
            let mut lowered = std::mem::take(&mut self.lowered);
            lowered.clear();
            self.for_neighbours(v, |u, w| lowered.push((u, w)));
            for &(u, w) in &lowered {
                self.deg[u as usize] -= w;
                if self.deg[u as usize] < tau {
                    self.member[u as usize] = self.epoch.wrapping_sub(1);
                    queue.push(u);
                }
            }
            self.lowered = lowered;
        }
        nodes
            .iter()
            .copied()
            .filter(|&v| self.is_member(v))
            .collect()
    }

    /// Greedy peeling of the subgraph induced by `nodes` (the paper's Algorithm 1): the
    /// densest set seen. `None` for an empty set.
    pub fn peel(&mut self, nodes: &[u32], prior: &dyn Fn(u32) -> f64) -> Option<Block> {
        if nodes.is_empty() {
            return None;
        }
        self.begin(nodes);
        self.degrees(nodes, prior);
        let mut f: f64 = nodes.iter().map(|&v| self.deg[v as usize]).sum::<f64>();
        // Each edge was counted from both ends; priors once.
        let priors: f64 = nodes.iter().map(|&v| prior(v)).sum();
        f = (f - priors) / 2.0 + priors;
        self.heap.clear();
        self.heap.extend_from_slice(nodes);
        for (i, &v) in self.heap.iter().enumerate() {
            self.pos[v as usize] = i as u32;
        }
        for i in (0..self.heap.len() / 2).rev() {
            self.sift_down(i);
        }
        let n0 = nodes.len();
        let mut best = f / n0 as f64;
        let mut best_removed = 0;
        let mut order: Vec<u32> = Vec::with_capacity(n0);
        while let Some(v) = self.pop() {
            f -= self.deg[v as usize];
            self.member[v as usize] = self.epoch.wrapping_sub(1);
            order.push(v);
            let mut lowered = std::mem::take(&mut self.lowered);
            lowered.clear();
            self.for_neighbours(v, |u, w| lowered.push((u, w)));
            for &(u, w) in &lowered {
                self.deg[u as usize] -= w;
                self.sift_up(self.pos[u as usize] as usize);
            }
            self.lowered = lowered;
            let left = n0 - order.len();
            if left > 0 {
                let g = f / left as f64;
                if g > best {
                    best = g;
                    best_removed = order.len();
                }
            }
        }
        let nb = self.g.buyers as u32;
        let mut buyers = Vec::new();
        let mut shops = Vec::new();
        for &v in &order[best_removed..] {
            if v < nb {
                buyers.push(v);
            } else {
                shops.push(v - nb);
            }
        }
        buyers.sort_unstable();
        shops.sort_unstable();
        Some(Block {
            buyers,
            shops,
            density: best,
        })
    }

    fn less(&self, a: u32, b: u32) -> bool {
        let (da, db) = (self.deg[a as usize], self.deg[b as usize]);
        da < db || (da == db && a < b)
    }

    fn sift_up(&mut self, mut i: usize) {
        while i > 0 {
            let p = (i - 1) / 2;
            if self.less(self.heap[i], self.heap[p]) {
                self.swap(i, p);
                i = p;
            } else {
                break;
            }
        }
    }

    fn sift_down(&mut self, mut i: usize) {
        let n = self.heap.len();
        loop {
            let (l, r) = (2 * i + 1, 2 * i + 2);
            let mut m = i;
            if l < n && self.less(self.heap[l], self.heap[m]) {
                m = l;
            }
            if r < n && self.less(self.heap[r], self.heap[m]) {
                m = r;
            }
            if m == i {
                break;
            }
            self.swap(i, m);
            i = m;
        }
    }

    fn swap(&mut self, i: usize, j: usize) {
        self.heap.swap(i, j);
        self.pos[self.heap[i] as usize] = i as u32;
        self.pos[self.heap[j] as usize] = j as u32;
    }

    fn pop(&mut self) -> Option<u32> {
        let last = self.heap.len().checked_sub(1)?;
        self.swap(0, last);
        let v = self.heap.pop()?;
        self.pos[v as usize] = OUT;
        if !self.heap.is_empty() {
            self.sift_down(0);
        }
        Some(v)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::orders::OrdersBuilder;

    fn graph(edges: &[(u32, u32)]) -> Graph {
        let mut b = OrdersBuilder::new();
        for (i, (u, s)) in edges.iter().enumerate() {
            b.push_line(&format!(
                r#"{{"order_id":"{i}","buyer":"b{u}","shop":"s{s}","listing":"l","time":"2026-11-01T00:00:00Z","amount":1}}"#
            ))
            .unwrap();
        }
        Graph::build(&b.finish().0)
    }

    /// Exhaustive best density over all subsets (tiny graphs only).
    fn optimum(g: &Graph, w: &[f32]) -> f64 {
        let n = g.buyers + g.shops;
        let mut best: f64 = 0.0;
        for mask in 1u32..(1 << n) {
            let inside = |v: usize| mask >> v & 1 == 1;
            let mut f = 0.0;
            for (e, &we) in w.iter().enumerate() {
                if inside(g.edge_buyer[e] as usize) && inside(g.buyers + g.edge_shop[e] as usize) {
                    f += f64::from(we);
                }
            }
            best = best.max(f / f64::from(mask.count_ones()));
        }
        best
    }

    #[test]
    fn finds_the_planted_block() {
        let mut edges = Vec::new();
        for b in 0..6 {
            for s in 0..4 {
                edges.push((b, s));
            }
        }
        for b in 6..30 {
            edges.push((b, 4 + b % 7));
        }
        let g = graph(&edges);
        let w = vec![1.0; g.edges()];
        let mut p = Peeler::new(&g, &w);
        let nodes: Vec<u32> = (0..(g.buyers + g.shops) as u32).collect();
        let block = p.peel(&nodes, &|_| 0.0).unwrap();
        assert_eq!(block.buyers.len(), 6);
        assert_eq!(block.shops.len(), 4);
        assert!((block.density - 24.0 / 10.0).abs() < 1e-9);
        let core = p.prune_core(&nodes, 2.0, &|_| 0.0);
        assert_eq!(core.len(), 10);
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(200))]
        /// The paper's Theorem 1 on random small graphs: g(found) ≥ g* / 2.
        #[test]
        fn half_of_the_optimum(
            edges in proptest::collection::vec((0u32..7, 0u32..7), 1..30),
            weights in proptest::collection::vec(0.05f32..3.0, 30),
        ) {
            let g = graph(&edges);
            proptest::prop_assume!(g.buyers + g.shops <= 14);
            let w: Vec<f32> = (0..g.edges()).map(|e| weights[e % weights.len()]).collect();
            let mut p = Peeler::new(&g, &w);
            let nodes: Vec<u32> = (0..(g.buyers + g.shops) as u32).collect();
            let found = p.peel(&nodes, &|_| 0.0).unwrap();
            let opt = optimum(&g, &w);
            proptest::prop_assert!(found.density >= opt / 2.0 - 1e-9, "{} < {}/2", found.density, opt);
            // Peeling the τ-core with τ ≤ g* keeps the guarantee.
            let core = p.prune_core(&nodes, opt * 0.999, &|_| 0.0);
            let again = p.peel(&core, &|_| 0.0).unwrap();
            proptest::prop_assert!(again.density >= opt / 2.0 - 1e-9);
        }
    }
}
