//! The incremental grouping of shops into networks.

use std::collections::HashMap;

use serde::Serialize;

use crate::identifier::{display_value, Identifier, Kind, Space};
use crate::sets::{DisjointSets, Interner};

const NONE: u32 = u32::MAX;

/// How many shops may share one value, per [`Space`], before it stops linking.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Caps([u32; Space::ALL.len()]);

impl Default for Caps {
    fn default() -> Self {
        Caps(Space::ALL.map(Space::default_cap))
    }
}

impl Caps {
    /// The cap of `space`.
    pub fn get(&self, space: Space) -> u32 {
        self.0[space as usize]
    }

    /// Sets the cap of `space` (at least 2: a value of one shop links nothing anyway).
    pub fn set(&mut self, space: Space, cap: u32) {
        self.0[space as usize] = cap.max(2);
    }
}

/// One report that a shop carries an identifier: the unit of input.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sighting<'a> {
    /// The shop, unique across platforms (e.g. `platform:shop id`).
    pub shop: &'a str,
    /// The normalized identifier.
    pub identifier: &'a Identifier,
    /// Where the report came from (a platform push, an import file, an officer).
    pub source: &'a str,
    /// When it was true, as Unix seconds, when known.
    pub at: Option<i64>,
}

/// One shop's carrying of one value, with its first and last report.
#[derive(Debug, Clone, Copy)]
struct Assoc {
    shop: u32,
    key: u32,
    kind: Kind,
    source: u32,
    first_at: Option<i64>,
    last_at: Option<i64>,
    next_of_key: u32,
    next_of_shop: u32,
}

/// What one call of [`Networks::add`] changed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Update {
    /// Shops seen for the first time.
    pub new_shops: usize,
    /// (shop, value) pairs seen for the first time.
    pub new_sightings: usize,
    /// Values that crossed their cap in this call: they no longer link, and the networks
    /// they had joined were rebuilt without them.
    pub newly_capped: Vec<ValueRef>,
    /// One shop of every network whose members changed (joined, grew or split), sorted
    /// by shop name; every network not named here is exactly as before.
    pub changed: Vec<String>,
}

/// A value by its space and normalized text.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub struct ValueRef {
    /// Its space.
    pub space: Space,
    /// The normalized value (not masked: this is for the caller, not for display).
    pub value: String,
}

/// A seller network: shops linked through shared values, with the evidence.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Network {
    /// `N:` and the smallest shop name: stable while that shop stays in the network.
    pub network_id: String,
    /// The shops, sorted.
    pub shops: Vec<String>,
    /// The values shared by two or more shops of the network, most shops first.
    pub links: Vec<Link>,
    /// Values of members that are over their cap: reported, not linking.
    pub capped: Vec<Capped>,
}

/// One shared value and who carries it: the provenance of the links it makes.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Link {
    /// The space of the value.
    pub space: Space,
    /// The value, masked when personal unless asked otherwise.
    pub value: String,
    /// The shops carrying it, with which kind of identifier, from which source, when.
    pub carriers: Vec<Carrier>,
}

/// One shop's report of a value.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Carrier {
    /// The shop.
    pub shop: String,
    /// As which kind of identifier (return vs ship-from address).
    pub kind: Kind,
    /// Who reported it first.
    pub source: String,
    /// First report, Unix seconds.
    pub first_seen: Option<i64>,
    /// Last report, Unix seconds.
    pub last_seen: Option<i64>,
}

/// An over-shared value.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Capped {
    /// The space of the value.
    pub space: Space,
    /// The value, masked when personal unless asked otherwise.
    pub value: String,
    /// How many shops carry it.
    pub shops: u32,
    /// The cap it is over.
    pub cap: u32,
}

/// Shops, the values they carry, and the networks those values make.
///
/// Semantics, whatever the order in which sightings arrive: **a network is a connected
/// component of the graph whose vertices are shops and whose edges join two shops
/// carrying the same value, leaving out every value carried by more shops than its
/// space's cap.** Adding sightings only ever joins networks, except when a value crosses
/// its cap: its links are then withdrawn, and the one network it had joined is taken apart
/// and rebuilt from its members' remaining values (time proportional to that network's
/// size and its members' values). Rebuilds are done once per call, after all of its
/// sightings, so a batch that pushes many values over their caps rebuilds each affected
/// network once. Changing the caps rebuilds everything. Sightings are never removed: a
/// shop that once shared a phone with another stays linked to it (that is evidence, with
/// its dates), which keeps the result a pure function of the set of sightings.
#[derive(Debug)]
pub struct Networks {
    caps: Caps,
    shops: Interner,
    /// Space byte + value.
    keys: Interner,
    sources: Interner,
    sets: DisjointSets,
    assocs: Vec<Assoc>,
    shop_head: Vec<u32>,
    key_head: Vec<u32>,
    /// Distinct shops carrying each key.
    key_shops: Vec<u32>,
    /// Distinct keys carried by each shop.
    shop_values: Vec<u32>,
}

impl Default for Networks {
    fn default() -> Self {
        Self::new(Caps::default())
    }
}

impl Networks {
    /// An empty grouping with these caps.
    pub fn new(caps: Caps) -> Self {
        Networks {
            caps,
            shops: Interner::new(),
            keys: Interner::new(),
            sources: Interner::new(),
            sets: DisjointSets::default(),
            assocs: Vec::new(),
            shop_head: Vec::new(),
            key_head: Vec::new(),
            key_shops: Vec::new(),
            shop_values: Vec::new(),
        }
    }

    /// An empty grouping with room for about `shops` shops carrying `sightings` values.
    pub fn with_capacity(caps: Caps, shops: usize, sightings: usize) -> Self {
        let mut n = Self::new(caps);
        n.shops = Interner::with_capacity(shops, shops * 12);
        n.keys = Interner::with_capacity(sightings, sightings * 20);
        n.assocs.reserve(sightings);
        n.shop_head.reserve(shops);
        n.shop_values.reserve(shops);
        n.key_head.reserve(sightings);
        n.key_shops.reserve(sightings);
        n
    }

    /// The caps in force.
    pub fn caps(&self) -> &Caps {
        &self.caps
    }

    /// Number of shops.
    pub fn shop_count(&self) -> usize {
        self.shops.len()
    }

    /// Number of distinct values.
    pub fn value_count(&self) -> usize {
        self.keys.len()
    }

    /// Adds sightings and keeps the networks up to date (see the type's documentation).
    pub fn add<'a>(&mut self, sightings: impl IntoIterator<Item = Sighting<'a>>) -> Update {
        let mut update = Update::default();
        let mut crossed: Vec<u32> = Vec::new();
        // Shops whose network changed, by a member (resolved to names at the end).
        let mut touched: Vec<u32> = Vec::new();
        // All the batch's shops and values are interned first, in bulk (the same ids as
        // one at a time; see `Interner::intern_many`). Sightings come grouped by shop:
        // a shop is looked up once per run.
        let sightings: Vec<Sighting<'a>> = sightings.into_iter().collect();
        let mut runs: Vec<usize> = Vec::new();
        for (i, s) in sightings.iter().enumerate() {
            if i == 0 || sightings[i - 1].shop != s.shop {
                runs.push(i);
            }
        }
        let shop_hashes: Vec<u64> = runs
            .iter()
            .map(|&i| self.shops.hash(sightings[i].shop))
            .collect();
        let shop_ids =
            self.shops
                .intern_many(runs.len(), |r| sightings[runs[r]].shop, &shop_hashes);
        drop(shop_hashes);
        let mut key_text = String::new();
        let mut key_end: Vec<usize> = Vec::with_capacity(sightings.len());
        for s in &sightings {
            key_text.push(char::from(b'a' + s.identifier.kind.space() as u8));
            key_text.push_str(&s.identifier.value);
            key_end.push(key_text.len());
        }
        let key_str = |i: usize| &key_text[if i == 0 { 0 } else { key_end[i - 1] }..key_end[i]];
        let key_hashes: Vec<u64> = (0..sightings.len())
            .map(|i| self.keys.hash(key_str(i)))
            .collect();
        let key_ids = self.keys.intern_many(sightings.len(), key_str, &key_hashes);
        drop(key_hashes);
        let mut last_source: Option<(&str, u32)> = None;
        let mut run = 0;
        for (i, s) in sightings.iter().enumerate() {
            if run + 1 < runs.len() && runs[run + 1] == i {
                run += 1;
            }
            let (shop, new_shop) = if runs[run] == i {
                shop_ids[run]
            } else {
                (shop_ids[run].0, false)
            };
            if new_shop {
                update.new_shops += 1;
                self.shop_head.push(NONE);
                self.shop_values.push(0);
                self.sets.grow(shop as usize + 1);
                touched.push(shop);
            }
            let space = s.identifier.kind.space();
            let (key, new_key) = key_ids[i];
            if new_key {
                self.key_head.push(NONE);
                self.key_shops.push(0);
            }
            if let Some(a) = self.find_assoc(shop, key) {
                let a = &mut self.assocs[a as usize];
                a.first_at = min_opt(a.first_at, s.at);
                a.last_at = max_opt(a.last_at, s.at);
                continue;
            }
            update.new_sightings += 1;
            let source = match last_source {
                Some((name, id)) if name == s.source => id,
                _ => self.sources.intern(s.source).0,
            };
            last_source = Some((s.source, source));
            let idx = self.assocs.len() as u32;
            // The shop that anchors the key's links: its first carrier.
            let anchor = self.key_head[key as usize];
            let anchor = (anchor != NONE).then(|| self.first_carrier(key));
            self.assocs.push(Assoc {
                shop,
                key,
                kind: s.identifier.kind,
                source,
                first_at: s.at,
                last_at: s.at,
                next_of_key: NONE,
                next_of_shop: self.shop_head[shop as usize],
            });
            self.shop_head[shop as usize] = idx;
            self.append_to_key(key, idx);
            self.key_shops[key as usize] += 1;
            self.shop_values[shop as usize] += 1;
            let count = self.key_shops[key as usize];
            let cap = self.caps.get(space);
            if count <= cap {
                if let Some(anchor) = anchor {
                    if self.sets.find(anchor) != self.sets.find(shop) {
                        touched.push(self.sets.union(anchor, shop));
                    }
                }
            } else if count == cap + 1 {
                crossed.push(key);
            }
        }
        // Withdraw the links of values that crossed their cap: rebuild each network
        // holding their carriers, once.
        let carriers: Vec<u32> = crossed.iter().map(|&k| self.first_carrier(k)).collect();
        let mut roots: Vec<u32> = carriers.into_iter().map(|s| self.sets.find(s)).collect();
        roots.sort_unstable();
        roots.dedup();
        for root in roots {
            touched.extend(self.rebuild(root));
        }
        update.newly_capped = crossed.iter().map(|&k| self.value_ref(k)).collect();
        update.newly_capped.sort();
        let mut reps: Vec<u32> = touched.into_iter().map(|s| self.sets.find(s)).collect();
        reps.sort_unstable();
        reps.dedup();
        update.changed = reps
            .into_iter()
            .map(|r| self.shops.resolve(r).to_string())
            .collect();
        update.changed.sort();
        update
    }

    /// Sets new caps and regroups everything under them.
    pub fn set_caps(&mut self, caps: Caps) {
        self.caps = caps;
        self.sets = DisjointSets::new(self.shops.len());
        for key in 0..self.keys.len() as u32 {
            self.link_key(key);
        }
    }

    /// The network of `shop`, with its evidence; `None` for an unknown shop.
    /// Personal values are masked unless `show_personal`.
    pub fn network_of(&self, shop: &str, show_personal: bool) -> Option<Network> {
        let id = self.shops.get(shop)?;
        Some(self.describe(self.sets.members(id), show_personal))
    }

    /// The networks of `min_shops` shops or more, largest first (then by id).
    pub fn networks(&self, min_shops: usize, show_personal: bool) -> Vec<Network> {
        let mut by_root: HashMap<u32, Vec<u32>> = HashMap::new();
        for s in 0..self.shops.len() as u32 {
            by_root.entry(self.sets.find_const(s)).or_default().push(s);
        }
        let mut out: Vec<Network> = by_root
            .into_values()
            .filter(|m| m.len() >= min_shops.max(1))
            .map(|m| self.describe(m, show_personal))
            .collect();
        out.sort_by(|a, b| {
            b.shops
                .len()
                .cmp(&a.shops.len())
                .then_with(|| a.network_id.cmp(&b.network_id))
        });
        out
    }

    /// Every over-shared value, most shops first.
    pub fn capped(&self, show_personal: bool) -> Vec<Capped> {
        let mut out: Vec<Capped> = (0..self.keys.len() as u32)
            .filter(|&k| self.is_capped(k))
            .map(|k| self.capped_entry(k, show_personal))
            .collect();
        out.sort_by(|a, b| b.shops.cmp(&a.shops).then_with(|| a.value.cmp(&b.value)));
        out
    }

    /// A representative of each network, as `(shop, representative shop)` for every shop:
    /// two shops are in one network exactly when their representatives are equal. For a
    /// store that keeps a `network` column next to each shop.
    pub fn membership(&self) -> impl Iterator<Item = (&str, &str)> + '_ {
        (0..self.shops.len() as u32).map(|s| {
            (
                self.shops.resolve(s),
                self.shops.resolve(self.sets.find_const(s)),
            )
        })
    }

    fn describe(&self, mut members: Vec<u32>, show_personal: bool) -> Network {
        members.sort_unstable_by(|&a, &b| self.shops.resolve(a).cmp(self.shops.resolve(b)));
        let mut keys: Vec<u32> = members
            .iter()
            .flat_map(|&s| self.assocs_of_shop(s))
            .map(|a| self.assocs[a as usize].key)
            .collect();
        keys.sort_unstable();
        keys.dedup();
        let mut links = Vec::new();
        let mut capped = Vec::new();
        for k in keys {
            if self.is_capped(k) {
                capped.push(self.capped_entry(k, show_personal));
            } else if self.key_shops[k as usize] >= 2 {
                let (space, value) = self.key_parts(k);
                let mut carriers: Vec<Carrier> = self
                    .assocs_of_key(k)
                    .map(|a| {
                        let a = &self.assocs[a as usize];
                        Carrier {
                            shop: self.shops.resolve(a.shop).to_string(),
                            kind: a.kind,
                            source: self.sources.resolve(a.source).to_string(),
                            first_seen: a.first_at,
                            last_seen: a.last_at,
                        }
                    })
                    .collect();
                carriers.sort_by(|a, b| a.shop.cmp(&b.shop));
                links.push(Link {
                    space,
                    value: display_value(space, value, show_personal),
                    carriers,
                });
            }
        }
        links.sort_by(|a, b| {
            b.carriers
                .len()
                .cmp(&a.carriers.len())
                .then_with(|| a.space.cmp(&b.space))
                .then_with(|| a.value.cmp(&b.value))
        });
        capped.sort_by(|a, b| b.shops.cmp(&a.shops).then_with(|| a.value.cmp(&b.value)));
        let shops: Vec<String> = members
            .iter()
            .map(|&s| self.shops.resolve(s).to_string())
            .collect();
        Network {
            network_id: format!("N:{}", shops.first().map_or("", String::as_str)),
            shops,
            links,
            capped,
        }
    }

    fn capped_entry(&self, k: u32, show_personal: bool) -> Capped {
        let (space, value) = self.key_parts(k);
        Capped {
            space,
            value: display_value(space, value, show_personal),
            shops: self.key_shops[k as usize],
            cap: self.caps.get(space),
        }
    }

    fn key_parts(&self, k: u32) -> (Space, &str) {
        let s = self.keys.resolve(k);
        let space = Space::ALL[usize::from(s.as_bytes()[0] - b'a')];
        (space, &s[1..])
    }

    fn value_ref(&self, k: u32) -> ValueRef {
        let (space, value) = self.key_parts(k);
        ValueRef {
            space,
            value: value.to_string(),
        }
    }

    fn is_capped(&self, k: u32) -> bool {
        self.key_shops[k as usize] > self.caps.get(self.key_parts(k).0)
    }

    /// Takes the network of `root` apart and joins its members again through their
    /// values that are not capped. Returns one member of each resulting network.
    fn rebuild(&mut self, root: u32) -> Vec<u32> {
        let members = self.sets.split(root);
        for &m in &members {
            let mut a = self.shop_head[m as usize];
            while a != NONE {
                let key = self.assocs[a as usize].key;
                if !self.is_capped(key) {
                    let anchor = self.first_carrier(key);
                    self.sets.union(anchor, m);
                }
                a = self.assocs[a as usize].next_of_shop;
            }
        }
        let mut reps: Vec<u32> = members.iter().map(|&m| self.sets.find(m)).collect();
        reps.sort_unstable();
        reps.dedup();
        reps
    }

    /// Unions every carrier of `key` with its first, unless capped.
    fn link_key(&mut self, key: u32) {
        if self.is_capped(key) || self.key_head[key as usize] == NONE {
            return;
        }
        let anchor = self.first_carrier(key);
        let mut a = self.key_head[key as usize];
        while a != NONE {
            let s = self.assocs[a as usize].shop;
            self.sets.union(anchor, s);
            a = self.assocs[a as usize].next_of_key;
        }
    }

    fn first_carrier(&self, key: u32) -> u32 {
        self.assocs[self.key_head[key as usize] as usize].shop
    }

    /// Adds a carrier to the key's list. The head stays the first carrier, the anchor
    /// every later carrier is joined to; later ones go right after it (their order does
    /// not matter).
    fn append_to_key(&mut self, key: u32, idx: u32) {
        let head = self.key_head[key as usize];
        if head == NONE {
            self.key_head[key as usize] = idx;
        } else {
            self.assocs[idx as usize].next_of_key = self.assocs[head as usize].next_of_key;
            self.assocs[head as usize].next_of_key = idx;
        }
    }

    /// The sighting of `key` by `shop`, walking the shorter of the two lists.
    fn find_assoc(&self, shop: u32, key: u32) -> Option<u32> {
        if self.shop_values[shop as usize] <= self.key_shops[key as usize] {
            self.assocs_of_shop(shop)
                .find(|&a| self.assocs[a as usize].key == key)
        } else {
            self.assocs_of_key(key)
                .find(|&a| self.assocs[a as usize].shop == shop)
        }
    }

    fn assocs_of_shop(&self, shop: u32) -> impl Iterator<Item = u32> + '_ {
        let mut a = self.shop_head[shop as usize];
        std::iter::from_fn(move || {
            (a != NONE).then(|| {
                let cur = a;
                a = self.assocs[a as usize].next_of_shop;
                cur
            })
        })
    }

    fn assocs_of_key(&self, key: u32) -> impl Iterator<Item = u32> + '_ {
        let mut a = self.key_head[key as usize];
        std::iter::from_fn(move || {
            (a != NONE).then(|| {
                let cur = a;
                a = self.assocs[a as usize].next_of_key;
                cur
            })
        })
    }
}

fn min_opt(a: Option<i64>, b: Option<i64>) -> Option<i64> {
    match (a, b) {
        (Some(x), Some(y)) => Some(x.min(y)),
        (x, y) => x.or(y),
    }
}

fn max_opt(a: Option<i64>, b: Option<i64>) -> Option<i64> {
    match (a, b) {
        (Some(x), Some(y)) => Some(x.max(y)),
        (x, y) => x.or(y),
    }
}
