//! The two small structures the grouping is built on, public because the brushing
//! detector groups accounts the same way: [`Interner`] (strings to dense `u32` ids, one
//! arena, no allocation per string) and [`DisjointSets`] (union-find that also keeps each
//! set's members, so a set can be listed or taken apart in time proportional to its size).

use std::hash::BuildHasher;

use hashbrown::HashTable;

/// A table entry: a string's id and where it lies in the arena.
#[derive(Debug, Clone, Copy)]
struct Slot {
    id: u32,
    len: u32,
    start: usize,
}

impl Slot {
    fn is(&self, arena: &str, s: &str) -> bool {
        self.len as usize == s.len()
            && &arena.as_bytes()[self.start..self.start + self.len as usize] == s.as_bytes()
    }

    fn text<'a>(&self, arena: &'a str) -> &'a str {
        &arena[self.start..self.start + self.len as usize]
    }
}

/// Strings to dense ids `0, 1, 2, …` in order of first appearance.
///
/// The strings live in one arena; the table holds each string's id, length and place in
/// the arena, so that a lookup reads the arena once (no detour through the id's span). The hash seed is per process
/// (resisting crafted collisions); nothing observable depends on it.
pub struct Interner {
    table: HashTable<Slot>,
    hasher: foldhash::fast::RandomState,
    arena: String,
    /// (start, len) of each string in `arena`.
    spans: Vec<(usize, u32)>,
}

impl Default for Interner {
    fn default() -> Self {
        Self::new()
    }
}

impl std::fmt::Debug for Interner {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Interner")
            .field("len", &self.len())
            .finish()
    }
}

impl Interner {
    /// An empty interner.
    pub fn new() -> Self {
        Interner {
            table: HashTable::new(),
            hasher: foldhash::fast::RandomState::default(),
            arena: String::new(),
            spans: Vec::new(),
        }
    }

    /// An empty interner with room for `n` strings of about `bytes` bytes in all.
    pub fn with_capacity(n: usize, bytes: usize) -> Self {
        Interner {
            table: HashTable::with_capacity(n),
            hasher: foldhash::fast::RandomState::default(),
            arena: String::with_capacity(bytes),
            spans: Vec::with_capacity(n),
        }
    }

    /// An empty interner hashing with `hasher` (a clone of another interner's
    /// [`Interner::hasher`], so that one hash serves both).
    pub fn with_hasher(hasher: foldhash::fast::RandomState) -> Self {
        Interner {
            table: HashTable::new(),
            hasher,
            arena: String::new(),
            spans: Vec::new(),
        }
    }

    /// The hash this interner uses for `s` (for callers that hash on other threads and
    /// intern with [`Interner::intern_hashed`]).
    pub fn hash(&self, s: &str) -> u64 {
        self.hasher.hash_one(s)
    }

    /// A copy of the hasher, to compute [`Interner::hash`] elsewhere.
    pub fn hasher(&self) -> foldhash::fast::RandomState {
        self.hasher.clone()
    }

    /// The id of `s`, added when new; the flag is true when it was new.
    pub fn intern(&mut self, s: &str) -> (u32, bool) {
        let h = self.hash(s);
        self.intern_hashed(s, h)
    }

    /// Like [`Interner::intern`] with `hash` already computed by [`Interner::hash`] (or a
    /// clone of [`Interner::hasher`]).
    ///
    /// # Panics
    /// Past `u32::MAX - 1` strings (ids are `u32`; `u32::MAX` is left free as "none").
    pub fn intern_hashed(&mut self, s: &str, hash: u64) -> (u32, bool) {
        let Interner {
            table,
            hasher,
            arena,
            spans,
        } = self;
        if let Some(slot) = table.find(hash, |slot| slot.is(arena, s)) {
            return (slot.id, false);
        }
        let id = u32::try_from(spans.len())
            .ok()
            .filter(|&i| i < u32::MAX)
            .expect("more than 4 294 967 294 distinct strings");
        let start = arena.len();
        arena.push_str(s);
        // A string longer than u32::MAX bytes cannot come through a line reader; clamp
        // rather than wrap so that lookups of it simply fail.
        let len = u32::try_from(s.len()).unwrap_or(u32::MAX);
        spans.push((start, len));
        table.insert_unique(hash, Slot { id, len, start }, |slot| {
            hasher.hash_one(slot.text(arena))
        });
        (id, true)
    }

    /// Interns `n` strings at once (`string(i)`, hashed `hashes[i]` by
    /// [`Interner::hash`]): the same ids and flags as calling [`Interner::intern_hashed`]
    /// on each in turn. For large batches: the table is probed and filled in the order of
    /// its buckets (a counting sort of the hashes by bucket region) rather than at random,
    /// so that millions of new strings cost sequential passes, not a cache and TLB miss
    /// each; ids are then given in input order, as one at a time would.
    ///
    /// # Panics
    /// When `hashes.len() != n`, or past `u32::MAX - 1` strings.
    pub fn intern_many<'s>(
        &mut self,
        n: usize,
        string: impl Fn(usize) -> &'s str,
        hashes: &[u64],
    ) -> Vec<(u32, bool)> {
        assert_eq!(hashes.len(), n, "one hash per string");
        let old = self.spans.len();
        // Batch entries sit in the table as temporary ids counted down from the top, a
        // range disjoint from every real id of this batch.
        if n < 2048 || (old as u64) + 2 * (n as u64) + 2 >= u64::from(u32::MAX) {
            return (0..n)
                .map(|i| self.intern_hashed(string(i), hashes[i]))
                .collect();
        }
        let temp = |j: usize| u32::MAX - 1 - j as u32;
        let is_temp = |v: u32| v as usize >= old + n && v < u32::MAX;
        let Interner {
            table,
            hasher,
            arena,
            spans,
        } = self;
        table.reserve(n, |slot| hasher.hash_one(slot.text(arena)));
        // Buckets are found from the hash's low bits: order the batch by them.
        let buckets = (table.capacity() * 8 / 7).next_power_of_two().max(1) as u64;
        let bits = buckets.trailing_zeros().max(16);
        let region = |h: u64| ((h & (buckets - 1)) << 16 >> bits) as usize;
        let mut start = vec![0u32; (1 << 16) + 1];
        for &h in hashes {
            start[region(h) + 1] += 1;
        }
        for r in 0..1 << 16 {
            start[r + 1] += start[r];
        }
        // (hash, input index) in bucket order: pass 1 reads it front to back.
        let mut order = vec![(0u64, 0u32); n];
        for (i, &h) in hashes.iter().enumerate() {
            let r = region(h);
            order[start[r] as usize] = (h, i as u32);
            start[r] += 1;
        }
        drop(start);
        // Pass 1, in bucket order: known strings get their ids; the first of each new
        // string (the earliest in input order: the sort is stable) goes in as a
        // temporary id that later copies find.
        const NEW: u32 = u32::MAX;
        let mut out: Vec<(u32, bool)> = vec![(NEW, false); n];
        for &(h, i) in &order {
            let i = i as usize;
            // The string is read only when a bucket's tag matches.
            let eq = |slot: &Slot| {
                let s = string(i);
                if is_temp(slot.id) {
                    string((u32::MAX - 1 - slot.id) as usize) == s
                } else {
                    slot.is(arena, s)
                }
            };
            match table.find(h, eq) {
                Some(slot) => out[i] = (slot.id, false),
                None => {
                    let slot = Slot {
                        id: temp(i),
                        len: 0,
                        start: 0,
                    };
                    table.insert_unique(h, slot, |_| unreachable_rehash());
                    out[i] = (temp(i), true);
                }
            }
        }
        // Pass 2, in input order: the new strings get their ids as one at a time would.
        for i in 0..n {
            let (v, first) = out[i];
            if first {
                let id = spans.len() as u32;
                let s = string(i);
                let st = arena.len();
                arena.push_str(s);
                spans.push((st, u32::try_from(s.len()).unwrap_or(u32::MAX)));
                out[i] = (id, true);
            } else if is_temp(v) {
                out[i] = (out[(u32::MAX - 1 - v) as usize].0, false);
            }
        }
        // Pass 3, in bucket order again: temporary ids in the table become the real ones.
        for &(h, i) in &order {
            let i = i as usize;
            if out[i].1 {
                let t = temp(i);
                if let Some(slot) = table.find_mut(h, |slot| slot.id == t) {
                    let id = out[i].0;
                    let (start, len) = spans[id as usize];
                    *slot = Slot { id, len, start };
                }
            }
        }
        out
    }

    /// The id of `s`, when interned.
    pub fn get(&self, s: &str) -> Option<u32> {
        let h = self.hash(s);
        self.table
            .find(h, |slot| slot.is(&self.arena, s))
            .map(|slot| slot.id)
    }

    /// The string of `id`. Panics when `id` was not handed out by this interner.
    pub fn resolve(&self, id: u32) -> &str {
        let (start, len) = self.spans[id as usize];
        &self.arena[start..start + len as usize]
    }

    /// Number of distinct strings.
    pub fn len(&self) -> usize {
        self.spans.len()
    }

    /// True when nothing was interned.
    pub fn is_empty(&self) -> bool {
        self.spans.is_empty()
    }
}

/// `reserve` made room for the whole batch, so the table never grows while it holds
/// temporary ids.
fn unreachable_rehash() -> u64 {
    unreachable!("the table was reserved for the whole batch")
}

/// Union-find over `0..n` with union by size and path halving, and a circular list of
/// the members of each set (`next`), so that [`DisjointSets::members`] costs the size of
/// the set and [`DisjointSets::split`] can take one set apart.
#[derive(Debug, Clone, Default)]
pub struct DisjointSets {
    parent: Vec<u32>,
    size: Vec<u32>,
    next: Vec<u32>,
}

impl DisjointSets {
    /// `n` singletons.
    pub fn new(n: usize) -> Self {
        let mut s = DisjointSets::default();
        s.grow(n);
        s
    }

    /// Adds singletons until there are `n` elements.
    pub fn grow(&mut self, n: usize) {
        let from = self.parent.len() as u32;
        let to = n as u32;
        self.parent.extend(from..to);
        self.next.extend(from..to);
        self.size.resize(n, 1);
    }

    /// Number of elements.
    pub fn len(&self) -> usize {
        self.parent.len()
    }

    /// True when there are no elements.
    pub fn is_empty(&self) -> bool {
        self.parent.is_empty()
    }

    /// The representative of `x`'s set.
    pub fn find(&mut self, mut x: u32) -> u32 {
        while self.parent[x as usize] != x {
            let p = self.parent[x as usize];
            let gp = self.parent[p as usize];
            self.parent[x as usize] = gp;
            x = gp;
        }
        x
    }

    /// The representative of `x`'s set, without shortening paths.
    pub fn find_const(&self, mut x: u32) -> u32 {
        while self.parent[x as usize] != x {
            x = self.parent[x as usize];
        }
        x
    }

    /// Joins the sets of `a` and `b`; returns the new representative.
    pub fn union(&mut self, a: u32, b: u32) -> u32 {
        let (ra, rb) = (self.find(a), self.find(b));
        if ra == rb {
            return ra;
        }
        let (big, small) = if self.size[ra as usize] >= self.size[rb as usize] {
            (ra, rb)
        } else {
            (rb, ra)
        };
        self.parent[small as usize] = big;
        self.size[big as usize] += self.size[small as usize];
        // Splice the two circular member lists.
        self.next.swap(big as usize, small as usize);
        big
    }

    /// Size of `x`'s set.
    pub fn set_size(&mut self, x: u32) -> u32 {
        let r = self.find(x);
        self.size[r as usize]
    }

    /// The members of `x`'s set, `x` first.
    pub fn members(&self, x: u32) -> Vec<u32> {
        let mut out = vec![x];
        let mut y = self.next[x as usize];
        while y != x {
            out.push(y);
            y = self.next[y as usize];
        }
        out
    }

    /// Makes every member of `x`'s set a singleton again and returns them; the caller
    /// then unions again what should stay together.
    pub fn split(&mut self, x: u32) -> Vec<u32> {
        let members = self.members(x);
        for &m in &members {
            self.parent[m as usize] = m;
            self.size[m as usize] = 1;
            self.next[m as usize] = m;
        }
        members
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn interner_gives_dense_ids_and_finds_them_again() {
        let mut i = Interner::new();
        assert_eq!(i.intern("a"), (0, true));
        assert_eq!(i.intern("b"), (1, true));
        assert_eq!(i.intern("a"), (0, false));
        assert_eq!(i.intern(""), (2, true));
        assert_eq!(i.get("b"), Some(1));
        assert_eq!(i.get("c"), None);
        assert_eq!(i.resolve(1), "b");
        for n in 0..10_000 {
            i.intern(&n.to_string());
        }
        assert_eq!(i.get("9999"), Some(3 + 9999));
        assert_eq!(i.resolve(3 + 42), "42");
    }

    proptest::proptest! {
        /// A batch gets exactly the ids and flags of one string at a time, with strings
        /// already interned, repeated within the batch, and of every length.
        #[test]
        fn intern_many_equals_one_at_a_time(
            before in proptest::collection::vec(0u32..6000, 0..3000),
            batch in proptest::collection::vec(0u32..6000, 0..6000),
        ) {
            let mut a = Interner::new();
            let mut b = Interner::with_hasher(a.hasher());
            for v in &before {
                let s = v.to_string();
                a.intern(&s);
                b.intern(&s);
            }
            let strings: Vec<String> = batch.iter().map(|v| "x".repeat(*v as usize % 40) + &v.to_string()).collect();
            let hashes: Vec<u64> = strings.iter().map(|s| b.hash(s)).collect();
            let one: Vec<(u32, bool)> = strings.iter().map(|s| a.intern(s)).collect();
            let many = b.intern_many(strings.len(), |i| &strings[i], &hashes);
            proptest::prop_assert_eq!(one, many);
            for s in &strings {
                proptest::prop_assert_eq!(a.get(s), b.get(s));
            }
            proptest::prop_assert_eq!(a.len(), b.len());
            // Still usable one at a time.
            proptest::prop_assert_eq!(a.intern("new one"), b.intern("new one"));
        }
    }

    #[test]
    fn sets_union_list_and_split() {
        let mut s = DisjointSets::new(6);
        s.union(0, 1);
        s.union(2, 3);
        s.union(1, 3);
        let mut m = s.members(2);
        m.sort();
        assert_eq!(m, vec![0, 1, 2, 3]);
        assert_eq!(s.set_size(0), 4);
        assert_eq!(s.members(5), vec![5]);
        let mut parts = s.split(0);
        parts.sort();
        assert_eq!(parts, vec![0, 1, 2, 3]);
        assert_eq!(s.members(1), vec![1]);
        assert_eq!(s.set_size(3), 1);
        s.grow(8);
        assert_eq!(s.find(7), 7);
    }
}
