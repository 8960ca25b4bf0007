//! The buyer × shop graph: one edge per (buyer, shop) pair that has orders, with the
//! number of orders, in compressed rows both ways.

use rayon::prelude::*;

use crate::orders::Orders;

/// Buyers are nodes `0..buyers`, shops `buyers..buyers + shops`.
#[derive(Debug)]
pub struct Graph {
    /// Number of buyers.
    pub buyers: usize,
    /// Number of shops.
    pub shops: usize,
    /// Edge `e` joins `edge_buyer[e]` and shop `edge_shop[e]` (shop index, not node).
    pub edge_buyer: Vec<u32>,
    /// Shop index of each edge.
    pub edge_shop: Vec<u32>,
    /// Orders on each edge.
    pub edge_orders: Vec<u32>,
    /// Edges of buyer `b`: `buyer_start[b]..buyer_start[b + 1]` (edges are sorted by buyer).
    pub buyer_start: Vec<u32>,
    /// Edges of shop `s`: `shop_edges[shop_start[s]..shop_start[s + 1]]`.
    pub shop_start: Vec<u32>,
    /// Edge ids grouped by shop.
    pub shop_edges: Vec<u32>,
    /// Orders of edge `e`: `edge_order_list[edge_order_start[e]..edge_order_start[e + 1]]`.
    pub edge_order_start: Vec<u32>,
    /// Order indexes grouped by edge, in input order within an edge.
    pub edge_order_list: Vec<u32>,
}

impl Graph {
    /// Builds the graph of `orders`.
    ///
    /// # Panics
    /// With 2^32 or more distinct (buyer, shop) pairs.
    pub fn build(orders: &Orders) -> Graph {
        let buyers = orders.buyer_count();
        let shops = orders.shop_count();
        let mut keys: Vec<u64> = orders
            .buyer
            .par_iter()
            .zip(orders.shop.par_iter())
            .map(|(&b, &s)| (u64::from(b) << 32) | u64::from(s))
            .collect();
        keys.par_sort_unstable();
        let mut edge_buyer = Vec::new();
        let mut edge_shop = Vec::new();
        let mut edge_orders: Vec<u32> = Vec::new();
        let mut i = 0;
        while i < keys.len() {
            let k = keys[i];
            let mut j = i + 1;
            while j < keys.len() && keys[j] == k {
                j += 1;
            }
            edge_buyer.push((k >> 32) as u32);
            edge_shop.push(k as u32);
            edge_orders.push(u32::try_from(j - i).unwrap_or(u32::MAX));
            i = j;
        }
        drop(keys);
        assert!(edge_buyer.len() < u32::MAX as usize, "too many edges");
        let mut buyer_start = vec![0u32; buyers + 1];
        for &b in &edge_buyer {
            buyer_start[b as usize + 1] += 1;
        }
        for b in 0..buyers {
            buyer_start[b + 1] += buyer_start[b];
        }
        let mut shop_start = vec![0u32; shops + 1];
        for &s in &edge_shop {
            shop_start[s as usize + 1] += 1;
        }
        for s in 0..shops {
            shop_start[s + 1] += shop_start[s];
        }
        let mut fill = shop_start.clone();
        let mut shop_edges = vec![0u32; edge_shop.len()];
        for (e, &s) in edge_shop.iter().enumerate() {
            shop_edges[fill[s as usize] as usize] = e as u32;
            fill[s as usize] += 1;
        }
        let mut g = Graph {
            buyers,
            shops,
            edge_buyer,
            edge_shop,
            edge_orders,
            buyer_start,
            shop_start,
            shop_edges,
            edge_order_start: Vec::new(),
            edge_order_list: Vec::new(),
        };
        let edge_of_order: Vec<u32> = orders
            .buyer
            .par_iter()
            .zip(orders.shop.par_iter())
            .map(|(&b, &s)| g.edge(b, s).map_or(u32::MAX, |e| e as u32))
            .collect();
        let mut start = vec![0u32; g.edges() + 1];
        for &e in &edge_of_order {
            start[e as usize + 1] += 1;
        }
        for e in 0..g.edges() {
            start[e + 1] += start[e];
        }
        let mut fill = start.clone();
        let mut list = vec![0u32; edge_of_order.len()];
        for (i, &e) in edge_of_order.iter().enumerate() {
            list[fill[e as usize] as usize] = i as u32;
            fill[e as usize] += 1;
        }
        g.edge_order_start = start;
        g.edge_order_list = list;
        g
    }

    /// Order indexes of edge `e`.
    pub fn orders_of_edge(&self, e: usize) -> &[u32] {
        &self.edge_order_list
            [self.edge_order_start[e] as usize..self.edge_order_start[e + 1] as usize]
    }

    /// Number of edges.
    pub fn edges(&self) -> usize {
        self.edge_buyer.len()
    }

    /// Distinct shops of buyer `b`.
    pub fn buyer_degree(&self, b: u32) -> u32 {
        self.buyer_start[b as usize + 1] - self.buyer_start[b as usize]
    }

    /// Distinct buyers of shop `s`.
    pub fn shop_degree(&self, s: u32) -> u32 {
        self.shop_start[s as usize + 1] - self.shop_start[s as usize]
    }

    /// Edge ids of buyer `b`.
    pub fn buyer_edges(&self, b: u32) -> std::ops::Range<usize> {
        self.buyer_start[b as usize] as usize..self.buyer_start[b as usize + 1] as usize
    }

    /// Edge ids of shop `s`.
    pub fn shop_edge_ids(&self, s: u32) -> &[u32] {
        &self.shop_edges
            [self.shop_start[s as usize] as usize..self.shop_start[s as usize + 1] as usize]
    }

    /// The edge of (`b`, `s`), if any (binary search in the buyer's sorted row).
    pub fn edge(&self, b: u32, s: u32) -> Option<usize> {
        let r = self.buyer_edges(b);
        self.edge_shop[r.clone()]
            .binary_search(&s)
            .ok()
            .map(|i| r.start + i)
    }
}
