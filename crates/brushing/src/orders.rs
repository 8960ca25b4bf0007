//! Orders in columns: every id interned to a dense `u32`, one vector per field.
//!
//! Reading goes in two steps so that the expensive part can run on many threads:
//! [`Preparer::prepare`] (pure, `Sync`) checks a line, hashes its ids and fingerprints
//! its review; [`OrdersBuilder::push`] (one thread, in input order) interns and appends.

use std::hash::BuildHasher;

use wangjian_network::{Interner, Kind, Options};

use crate::order::{parse_order_line, LineError, OrderLine};
use crate::review::ReviewPrint;

/// "No value" in the optional id columns.
pub const NONE: u32 = u32::MAX;

/// Parcels lighter than this (kg) are empty-parcel candidates: a carrier's minimum
/// billing weight is usually 0.1–1 kg, and an envelope with a card weighs less than 50 g.
pub const EMPTY_PARCEL_KG: f64 = 0.05;

/// Words in a carrier's status or remark that say nothing was shipped (matched on the
/// match form, so 空 包 and 空包 agree).
pub const EMPTY_PARCEL_WORDS: [&str; 9] = [
    "空包",
    "虚拟发货",
    "无需物流",
    "无物流",
    "未揽收",
    "无揽收",
    "empty",
    "no tracking",
    "not collected",
];

/// An order line checked and hashed, ready for [`OrdersBuilder::push`].
#[derive(Debug, Clone)]
pub struct Prepared<'a> {
    /// The fields.
    pub line: OrderLine<'a>,
    /// Hashes of buyer, shop, listing, order id, folded address, device, IP.
    hashes: [u64; 7],
    /// The delivery address folded ([`fold_light`]), when there is one.
    address: Option<String>,
    review: Option<ReviewPrint>,
    empty_parcel: bool,
}

/// Checks and hashes lines; cheap to clone, usable from any thread.
#[derive(Debug, Clone)]
pub struct Preparer {
    ids: foldhash::fast::RandomState,
    order_ids: foldhash::fast::FixedState,
}

impl Preparer {
    /// Parses `line` and computes what [`OrdersBuilder::push`] needs.
    pub fn prepare<'a>(&self, line: &'a str) -> Result<Prepared<'a>, LineError> {
        let line = parse_order_line(line)?;
        let address = line.address.as_deref().map(|a| {
            let mut folded = String::with_capacity(a.len());
            fold_light(a, &mut folded);
            folded
        });
        let opt = |v: Option<&str>| v.map_or(0, |v| self.ids.hash_one(v));
        let hashes = [
            self.ids.hash_one(&*line.buyer),
            self.ids.hash_one(&*line.shop),
            self.ids.hash_one(&*line.listing),
            self.order_ids.hash_one(&*line.order_id),
            opt(address.as_deref()),
            opt(line.device.as_deref()),
            opt(line.ip.as_deref()),
        ];
        let review = line.review.as_deref().and_then(ReviewPrint::of);
        let empty_parcel = line.weight.is_some_and(|w| w < EMPTY_PARCEL_KG)
            || line.logistics.as_deref().is_some_and(says_empty);
        Ok(Prepared {
            line,
            hashes,
            address,
            review,
            empty_parcel,
        })
    }
}

fn says_empty(status: &str) -> bool {
    let form = wangjian_text::normalize(status);
    let s = form.as_str();
    EMPTY_PARCEL_WORDS.iter().any(|w| s.contains(w))
}

/// The orders, one column per field.
#[derive(Debug)]
pub struct Orders {
    pub(crate) buyers: Interner,
    pub(crate) shops: Interner,
    pub(crate) listings: Interner,
    pub(crate) buyer: Vec<u32>,
    pub(crate) shop: Vec<u32>,
    pub(crate) listing: Vec<u32>,
    pub(crate) time: Vec<i64>,
    pub(crate) amount: Vec<f32>,
    /// Normalized address / device / IP ids (into the attribute interners), or NONE.
    pub(crate) address: Vec<u32>,
    pub(crate) device: Vec<u32>,
    pub(crate) ip: Vec<u32>,
    pub(crate) review: Vec<Option<ReviewPrint>>,
    pub(crate) empty_parcel: Vec<bool>,
    order_id_text: String,
    order_id_end: Vec<u64>,
    pub(crate) addresses: Interner,
    pub(crate) devices: Interner,
    pub(crate) ips: Interner,
}

impl Orders {
    /// Number of orders.
    pub fn len(&self) -> usize {
        self.buyer.len()
    }

    /// True when there are none.
    pub fn is_empty(&self) -> bool {
        self.buyer.is_empty()
    }

    /// Number of distinct buyers.
    pub fn buyer_count(&self) -> usize {
        self.buyers.len()
    }

    /// Number of distinct shops.
    pub fn shop_count(&self) -> usize {
        self.shops.len()
    }

    /// The order id of order `i`.
    pub fn order_id(&self, i: usize) -> &str {
        let start = if i == 0 {
            0
        } else {
            self.order_id_end[i - 1] as usize
        };
        &self.order_id_text[start..self.order_id_end[i] as usize]
    }

    /// The buyer id of order `i`.
    pub fn buyer_of(&self, i: usize) -> &str {
        self.buyers.resolve(self.buyer[i])
    }
}

/// Builds [`Orders`] from prepared lines in input order.
#[derive(Debug)]
pub struct OrdersBuilder {
    orders: Orders,
    preparer: Preparer,
    order_hash: Vec<u64>,
    /// Raw device / IP text → normalized id (or NONE when it identifies nobody).
    raw_devices: Interner,
    raw_device_map: Vec<u32>,
    raw_ips: Interner,
    raw_ip_map: Vec<u32>,
}

impl Default for OrdersBuilder {
    fn default() -> Self {
        Self::new()
    }
}

impl OrdersBuilder {
    /// An empty builder.
    pub fn new() -> Self {
        let orders = Orders {
            buyers: Interner::new(),
            shops: Interner::new(),
            listings: Interner::new(),
            buyer: Vec::new(),
            shop: Vec::new(),
            listing: Vec::new(),
            time: Vec::new(),
            amount: Vec::new(),
            address: Vec::new(),
            device: Vec::new(),
            ip: Vec::new(),
            review: Vec::new(),
            empty_parcel: Vec::new(),
            order_id_text: String::new(),
            order_id_end: Vec::new(),
            addresses: Interner::new(),
            devices: Interner::new(),
            ips: Interner::new(),
        };
        // Every interner hashes with one hasher, so one hash per field (computed by the
        // preparer, on any thread) serves.
        let ids = orders.buyers.hasher();
        let mut b = OrdersBuilder {
            preparer: Preparer {
                ids: ids.clone(),
                order_ids: foldhash::fast::FixedState::with_seed(0x5eed),
            },
            orders,
            order_hash: Vec::new(),
            raw_devices: Interner::with_hasher(ids.clone()),
            raw_device_map: Vec::new(),
            raw_ips: Interner::with_hasher(ids.clone()),
            raw_ip_map: Vec::new(),
        };
        b.orders.shops = Interner::with_hasher(ids.clone());
        b.orders.listings = Interner::with_hasher(ids.clone());
        b.orders.addresses = Interner::with_hasher(ids);
        b
    }

    /// The preparer whose hashes this builder accepts.
    pub fn preparer(&self) -> Preparer {
        self.preparer.clone()
    }

    /// Parses and appends one line (single-threaded convenience).
    pub fn push_line(&mut self, line: &str) -> Result<(), LineError> {
        let p = self.preparer.prepare(line)?;
        self.push(&p);
        Ok(())
    }

    /// Appends one prepared order (prepared by this builder's [`OrdersBuilder::preparer`]).
    pub fn push(&mut self, p: &Prepared<'_>) {
        let o = &mut self.orders;
        let l = &p.line;
        o.buyer
            .push(o.buyers.intern_hashed(&l.buyer, p.hashes[0]).0);
        o.shop.push(o.shops.intern_hashed(&l.shop, p.hashes[1]).0);
        o.listing
            .push(o.listings.intern_hashed(&l.listing, p.hashes[2]).0);
        self.order_hash.push(p.hashes[3]);
        o.time.push(l.time);
        o.amount.push(l.amount as f32);
        o.order_id_text.push_str(&l.order_id);
        o.order_id_end.push(o.order_id_text.len() as u64);
        o.review.push(p.review);
        o.empty_parcel.push(p.empty_parcel);
        let address = match p.address.as_deref() {
            Some(a) if !a.is_empty() => o.addresses.intern_hashed(a, p.hashes[4]).0,
            _ => NONE,
        };
        o.address.push(address);
        let device = l.device.as_deref().map_or(NONE, |d| {
            normalized_id(
                Kind::Device,
                (d, p.hashes[5]),
                &mut self.raw_devices,
                &mut self.raw_device_map,
                &mut o.devices,
            )
        });
        o.device.push(device);
        let ip = l.ip.as_deref().map_or(NONE, |d| {
            normalized_id(
                Kind::Ip,
                (d, p.hashes[6]),
                &mut self.raw_ips,
                &mut self.raw_ip_map,
                &mut o.ips,
            )
        });
        o.ip.push(ip);
    }

    /// The orders, with re-delivered orders (an order id seen before) dropped; returns
    /// how many were dropped.
    pub fn finish(self) -> (Orders, usize) {
        let mut o = self.orders;
        let n = o.buyer.len();
        let mut by_hash: Vec<(u64, u32)> = self
            .order_hash
            .iter()
            .enumerate()
            .map(|(i, &h)| (h, i as u32))
            .collect();
        by_hash.sort_unstable();
        let mut drop = vec![false; n];
        let mut dropped = 0;
        let mut i = 0;
        while i < by_hash.len() {
            let mut j = i + 1;
            while j < by_hash.len() && by_hash[j].0 == by_hash[i].0 {
                j += 1;
            }
            // Equal hashes: compare the ids; the first of each equal id stays.
            for a in i..j {
                let ia = by_hash[a].1 as usize;
                if drop[ia] {
                    continue;
                }
                for &(_, ib) in &by_hash[a + 1..j] {
                    let ib = ib as usize;
                    if !drop[ib] && o.order_id(ia) == o.order_id(ib) {
                        drop[ib] = true;
                        dropped += 1;
                    }
                }
            }
            i = j;
        }
        if dropped > 0 {
            compact(&mut o, &drop);
        }
        (o, dropped)
    }
}

fn compact(o: &mut Orders, drop: &[bool]) {
    fn keep<T: Copy>(v: &mut Vec<T>, drop: &[bool]) {
        let mut k = 0;
        for i in 0..v.len() {
            if !drop[i] {
                v[k] = v[i];
                k += 1;
            }
        }
        v.truncate(k);
    }
    let mut text = String::with_capacity(o.order_id_text.len());
    let mut ends = Vec::with_capacity(o.order_id_end.len());
    for (i, _) in drop.iter().enumerate().filter(|(_, &d)| !d) {
        text.push_str(o.order_id(i));
        ends.push(text.len() as u64);
    }
    o.order_id_text = text;
    o.order_id_end = ends;
    keep(&mut o.buyer, drop);
    keep(&mut o.shop, drop);
    keep(&mut o.listing, drop);
    keep(&mut o.time, drop);
    keep(&mut o.amount, drop);
    keep(&mut o.address, drop);
    keep(&mut o.device, drop);
    keep(&mut o.ip, drop);
    keep(&mut o.review, drop);
    keep(&mut o.empty_parcel, drop);
}

/// The id of `raw`'s normalized form, normalizing each distinct raw text once.
fn normalized_id(
    kind: Kind,
    (raw, hash): (&str, u64),
    raw_ids: &mut Interner,
    map: &mut Vec<u32>,
    normalized: &mut Interner,
) -> u32 {
    let (r, new) = raw_ids.intern_hashed(raw, hash);
    if new {
        let id = match wangjian_network::normalize(kind, raw, Options::default()) {
            Ok(i) => normalized.intern(&i.value).0,
            Err(_) => NONE,
        };
        map.push(id);
    }
    map[r as usize]
}

/// A delivery address folded lightly (full-width ASCII, case, whitespace and
/// punctuation dropped): copies of one address agree, at a few nanoseconds a byte.
fn fold_light(s: &str, out: &mut String) {
    out.clear();
    for c in s.chars() {
        let c = match c {
            '\u{FF01}'..='\u{FF5E}' => char::from_u32(c as u32 - 0xFEE0).unwrap_or(c),
            _ => c,
        };
        if c.is_whitespace()
            || c.is_ascii_punctuation()
            || matches!(c, '，' | '。' | '、' | '：' | '；')
        {
            continue;
        }
        out.push(c.to_ascii_lowercase());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn line(id: &str, buyer: &str, extra: &str) -> String {
        format!(
            r#"{{"order_id":"{id}","buyer":"{buyer}","shop":"s1","listing":"l1","time":"2026-11-11T00:00:05+08:00","amount":9.9{extra}}}"#
        )
    }

    #[test]
    fn builds_columns_and_drops_redelivered_orders() {
        let mut b = OrdersBuilder::new();
        b.push_line(&line(
            "o1",
            "b1",
            r#","device":"AA:BB:CC:00:11:22","ip":"192.168.1.1""#,
        ))
        .unwrap();
        b.push_line(&line(
            "o2",
            "b2",
            r#","device":"aabbcc001122","address":"杭州 文三路９０号""#,
        ))
        .unwrap();
        b.push_line(&line("o1", "b1", "")).unwrap();
        b.push_line(&line(
            "o3",
            "b1",
            r#","address":"杭州文三路90号","weight":0.01"#,
        ))
        .unwrap();
        let (o, dropped) = b.finish();
        assert_eq!(dropped, 1);
        assert_eq!(o.len(), 3);
        assert_eq!(o.order_id(2), "o3");
        assert_eq!(o.buyer_count(), 2);
        assert_eq!(o.device[0], o.device[1]);
        assert_ne!(o.device[0], NONE);
        // A private IP links nobody.
        assert_eq!(o.ip[0], NONE);
        assert_eq!(o.address[1], o.address[2]);
        assert!(o.empty_parcel[2] && !o.empty_parcel[0]);
    }

    #[test]
    fn logistics_words_flag_empty_parcels() {
        assert!(says_empty("快递状态：空 包"));
        assert!(says_empty("No tracking info"));
        assert!(!says_empty("已签收"));
    }
}
