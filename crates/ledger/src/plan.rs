//! Roots and proofs at any tree size from stored perfect subtrees, in two pure steps, and
//! the [`Frontier`] that says which perfect subtrees an append creates.
//!
//! A store keeps one row per perfect subtree ([`NodeId`] → [`Hash`]); a node is written
//! once, when its last leaf arrives, and never changes. Then:
//!
//! 1. [`Plan::root`], [`Plan::inclusion`] or [`Plan::consistency`] lists the O(log n)
//!    perfect nodes needed ([`Plan::nodes`]): the store reads them in **one** query;
//! 2. [`Plan::assemble`] turns those hashes into the root or the proof.
//!
//! Appends go through a [`Frontier`]: the perfect-subtree roots along the right edge of the
//! tree (one per set bit of the size). Loading it is itself a plan ([`Frontier::nodes_at`]);
//! [`Frontier::append`] returns every node a batch of leaves completes (about two per leaf),
//! for the store to insert in the same transaction as the entries.

use std::collections::HashMap;

use serde::{Deserialize, Serialize};

use crate::tree::{
    check_consistency_sizes, check_inclusion_sizes, fold_right, perfect_cover, split,
    verify_consistency, verify_inclusion, Hash, NodeId, ProofError, SizeError,
};

/// Why a plan could not be made or assembled.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TreeError {
    /// Sizes no proof can be about.
    #[error(transparent)]
    Size(#[from] SizeError),
    /// A perfect node the plan needs was not supplied (the store is missing a row, or is
    /// asked about a size it has not reached).
    #[error("the node at level {}, index {} is missing", .0.level, .0.index)]
    MissingNode(NodeId),
    /// The number of hashes supplied does not match the plan.
    #[error("the plan needs {expected} node hashes, {got} were supplied")]
    HashCount {
        /// Nodes in the plan.
        expected: usize,
        /// Hashes supplied.
        got: usize,
    },
    /// The frontier hashes do not fit the size.
    #[error("a frontier at size {size} has {expected} hashes, {got} were supplied")]
    FrontierShape {
        /// Tree size.
        size: u64,
        /// Hashes expected (set bits of the size).
        expected: usize,
        /// Hashes supplied.
        got: usize,
    },
    /// 2^64 − 1 leaves: the tree cannot grow.
    #[error("the tree is full")]
    Full,
}

/// Which perfect nodes a root or proof needs, and how to combine them. Pure: no I/O.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Plan {
    /// One cover per output hash, in output order.
    parts: Vec<Vec<NodeId>>,
    /// The union of the covers, sorted and without duplicates.
    nodes: Vec<NodeId>,
}

impl Plan {
    fn from_ranges(ranges: &[(u64, u64)]) -> Self {
        let mut parts = Vec::with_capacity(ranges.len());
        let mut nodes = Vec::new();
        for &(s, e) in ranges {
            let mut cover = Vec::new();
            perfect_cover(s, e, &mut cover);
            nodes.extend_from_slice(&cover);
            parts.push(cover);
        }
        nodes.sort_unstable();
        nodes.dedup();
        Self { parts, nodes }
    }

    /// The root of the tree of the first `size` leaves (the empty root for 0).
    pub fn root(size: u64) -> Self {
        Self::from_ranges(&[(0, size)])
    }

    /// The inclusion proof of leaf `index` in the tree of `size` leaves (RFC 9162 §2.1.3.1).
    pub fn inclusion(index: u64, size: u64) -> Result<Self, TreeError> {
        check_inclusion_sizes(index, size)?;
        let mut ranges = Vec::new();
        let (mut m, mut s, mut e) = (index, 0u64, size);
        // PATH(m, D[s:e]), unrolled; the hashes come out leaf-side first, so collect them
        // top-down and reverse.
        while e - s > 1 {
            let k = split(e - s);
            if m < k {
                ranges.push((s + k, e));
                e = s + k;
            } else {
                ranges.push((s, s + k));
                s += k;
                m -= k;
            }
        }
        ranges.reverse();
        Ok(Self::from_ranges(&ranges))
    }

    /// The consistency proof from the tree of `old` leaves to the tree of `new` leaves
    /// (RFC 9162 §2.1.4.1). Empty when `old == new`.
    pub fn consistency(old: u64, new: u64) -> Result<Self, TreeError> {
        check_consistency_sizes(old, new)?;
        let mut ranges = Vec::new();
        // SUBPROOF(m, D[s:e], whole), unrolled top-down, then reversed.
        let (mut m, mut s, mut e, mut whole) = (old, 0u64, new, true);
        loop {
            let n = e - s;
            if m == n {
                if !whole {
                    ranges.push((s, e));
                }
                break;
            }
            let k = split(n);
            if m <= k {
                ranges.push((s + k, e));
                e = s + k;
            } else {
                ranges.push((s, s + k));
                s += k;
                m -= k;
                whole = false;
            }
        }
        ranges.reverse();
        Ok(Self::from_ranges(&ranges))
    }

    /// The perfect nodes to read, sorted by (level, index), each once.
    pub fn nodes(&self) -> &[NodeId] {
        &self.nodes
    }

    /// How many hashes the result has.
    pub fn len(&self) -> usize {
        self.parts.len()
    }

    /// Whether the result is empty (a consistency proof between equal sizes).
    pub fn is_empty(&self) -> bool {
        self.parts.is_empty()
    }

    /// The root or proof, from a lookup of each node in [`Plan::nodes`] (called once per
    /// node).
    pub fn assemble(
        &self,
        mut node: impl FnMut(NodeId) -> Option<Hash>,
    ) -> Result<Vec<Hash>, TreeError> {
        let hashes = self
            .nodes
            .iter()
            .map(|&id| node(id).ok_or(TreeError::MissingNode(id)))
            .collect::<Result<Vec<_>, _>>()?;
        self.assemble_from(&hashes)
    }

    /// The root or proof, from the hashes of [`Plan::nodes`] in the same order.
    pub fn assemble_from(&self, hashes: &[Hash]) -> Result<Vec<Hash>, TreeError> {
        if hashes.len() != self.nodes.len() {
            return Err(TreeError::HashCount {
                expected: self.nodes.len(),
                got: hashes.len(),
            });
        }
        let mut buf = Vec::new();
        let mut out = Vec::with_capacity(self.parts.len());
        for cover in &self.parts {
            buf.clear();
            for id in cover {
                let i = self
                    .nodes
                    .binary_search(id)
                    .map_err(|_| TreeError::MissingNode(*id))?;
                buf.push(hashes[i]);
            }
            out.push(fold_right(&buf));
        }
        Ok(out)
    }
}

/// Where perfect node hashes can be looked up: a database table, a map, memory.
pub trait NodeSource {
    /// The hash of the perfect node `id`, if stored.
    fn node(&self, id: NodeId) -> Option<Hash>;
}

impl NodeSource for HashMap<NodeId, Hash> {
    fn node(&self, id: NodeId) -> Option<Hash> {
        self.get(&id).copied()
    }
}

/// The root of the first `size` leaves of `src`.
pub fn root_at(src: &impl NodeSource, size: u64) -> Result<Hash, TreeError> {
    let plan = Plan::root(size);
    let mut out = plan.assemble(|id| src.node(id))?;
    out.pop().ok_or(TreeError::Size(SizeError::EmptyTree))
}

/// The inclusion proof of leaf `index` in the tree of the first `size` leaves of `src`.
pub fn prove_inclusion(
    src: &impl NodeSource,
    index: u64,
    size: u64,
) -> Result<InclusionProof, TreeError> {
    let hashes = Plan::inclusion(index, size)?.assemble(|id| src.node(id))?;
    Ok(InclusionProof {
        leaf_index: index,
        tree_size: size,
        hashes,
    })
}

/// The consistency proof between the trees of the first `old` and `new` leaves of `src`.
pub fn prove_consistency(
    src: &impl NodeSource,
    old: u64,
    new: u64,
) -> Result<ConsistencyProof, TreeError> {
    let hashes = Plan::consistency(old, new)?.assemble(|id| src.node(id))?;
    Ok(ConsistencyProof {
        old_size: old,
        new_size: new,
        hashes,
    })
}

/// An inclusion proof: the leaf at `leaf_index` is in the tree of `tree_size` leaves.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InclusionProof {
    /// The leaf's index (0-based).
    pub leaf_index: u64,
    /// The tree size the proof is for.
    pub tree_size: u64,
    /// The audit path, leaf side first (lowercase hex in JSON).
    #[serde(with = "crate::hex_serde::list")]
    pub hashes: Vec<Hash>,
}

impl InclusionProof {
    /// Checks the proof for `leaf_hash` against `root`.
    pub fn verify(&self, leaf_hash: &Hash, root: &Hash) -> Result<(), ProofError> {
        verify_inclusion(
            self.leaf_index,
            self.tree_size,
            leaf_hash,
            &self.hashes,
            root,
        )
    }
}

/// A consistency proof: the tree of `old_size` leaves is a prefix of the tree of `new_size`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConsistencyProof {
    /// The older, smaller tree size.
    pub old_size: u64,
    /// The newer tree size.
    pub new_size: u64,
    /// The proof hashes (lowercase hex in JSON).
    #[serde(with = "crate::hex_serde::list")]
    pub hashes: Vec<Hash>,
}

impl ConsistencyProof {
    /// Checks the proof against the two roots.
    pub fn verify(&self, old_root: &Hash, new_root: &Hash) -> Result<(), ProofError> {
        verify_consistency(
            self.old_size,
            self.new_size,
            &self.hashes,
            old_root,
            new_root,
        )
    }
}

/// The right edge of the tree: the roots of the perfect subtrees that make up the first
/// `size` leaves, biggest first (one per set bit of `size`). The appender of the log.
#[doc(alias = "Appender")]
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Frontier {
    size: u64,
    hashes: Vec<Hash>,
}

/// What appending a batch of leaves produced.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AppendBatch {
    /// Index of the first leaf of the batch.
    pub first_index: u64,
    /// Tree size after the batch.
    pub size: u64,
    /// Root after the batch.
    pub root: Hash,
    /// Every perfect node the batch completed, leaves (level 0) included, in creation
    /// order. All are new: insert them, never update.
    pub nodes: Vec<(NodeId, Hash)>,
}

impl Frontier {
    /// The frontier of the empty tree.
    pub fn new() -> Self {
        Self::default()
    }

    /// The perfect nodes making up the frontier at `size`, biggest first: read them and
    /// pass their hashes to [`Frontier::from_hashes`].
    pub fn nodes_at(size: u64) -> Vec<NodeId> {
        let mut v = Vec::new();
        perfect_cover(0, size, &mut v);
        v
    }

    /// The frontier at `size` from the hashes of [`Frontier::nodes_at`], in that order.
    pub fn from_hashes(size: u64, hashes: Vec<Hash>) -> Result<Self, TreeError> {
        let expected = size.count_ones() as usize;
        if hashes.len() != expected {
            return Err(TreeError::FrontierShape {
                size,
                expected,
                got: hashes.len(),
            });
        }
        Ok(Self { size, hashes })
    }

    /// Number of leaves so far.
    pub fn size(&self) -> u64 {
        self.size
    }

    /// The frontier hashes, biggest subtree first.
    pub fn hashes(&self) -> &[Hash] {
        &self.hashes
    }

    /// The current root.
    pub fn root(&self) -> Hash {
        fold_right(&self.hashes)
    }

    /// Appends one leaf hash; pushes the perfect nodes it completes onto `created`
    /// (the leaf itself first). Returns the leaf's index.
    pub fn push(
        &mut self,
        leaf_hash: Hash,
        created: &mut Vec<(NodeId, Hash)>,
    ) -> Result<u64, TreeError> {
        let index = self.size;
        let new_size = index.checked_add(1).ok_or(TreeError::Full)?;
        let mut cur = leaf_hash;
        let mut id = NodeId::new(0, index);
        created.push((id, cur));
        // Each trailing one bit of the index is a left sibling on the frontier to merge with.
        while id.index & 1 == 1 {
            let Some(left) = self.hashes.pop() else {
                break;
            };
            cur = crate::tree::node_hash(&left, &cur);
            id = NodeId::new(id.level + 1, id.index >> 1);
            created.push((id, cur));
        }
        self.hashes.push(cur);
        self.size = new_size;
        Ok(index)
    }

    /// Appends a batch of leaf hashes.
    pub fn append(
        &mut self,
        leaf_hashes: impl IntoIterator<Item = Hash>,
    ) -> Result<AppendBatch, TreeError> {
        let first_index = self.size;
        let mut nodes = Vec::new();
        for h in leaf_hashes {
            self.push(h, &mut nodes)?;
        }
        Ok(AppendBatch {
            first_index,
            size: self.size,
            root: self.root(),
            nodes,
        })
    }
}

/// A tree head the log does not match: its root at `size` is not the signed one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HeadMismatch {
    /// The head's tree size.
    pub size: u64,
    /// The root the head signed.
    pub signed: Hash,
    /// The root recomputed from the log; `None` when the log has fewer entries.
    pub recomputed: Option<Hash>,
}

/// Recomputes the tree from every leaf hash of the log, in order, and checks the root at
/// each head's size (`wangjian log verify`): O(n) time, O(log n) memory. Returns every
/// head that does not match.
pub fn check_heads(
    leaf_hashes: impl IntoIterator<Item = Hash>,
    heads: &[(u64, Hash)],
) -> Vec<HeadMismatch> {
    let mut heads: Vec<(u64, Hash)> = heads.to_vec();
    heads.sort_unstable_by_key(|h| h.0);
    let mut pending = heads.into_iter().peekable();
    let mut bad = Vec::new();
    let mut f = Frontier::new();
    let mut scratch = Vec::new();
    let check = |f: &Frontier, pending: &mut std::iter::Peekable<_>, bad: &mut Vec<_>| {
        while let Some((size, signed)) = pending.next_if(|h: &(u64, Hash)| h.0 == f.size()) {
            let root = f.root();
            if root != signed {
                bad.push(HeadMismatch {
                    size,
                    signed,
                    recomputed: Some(root),
                });
            }
        }
    };
    check(&f, &mut pending, &mut bad);
    for h in leaf_hashes {
        scratch.clear();
        if f.push(h, &mut scratch).is_err() {
            break;
        }
        check(&f, &mut pending, &mut bad);
    }
    bad.extend(pending.map(|(size, signed)| HeadMismatch {
        size,
        signed,
        recomputed: None,
    }));
    bad
}

/// Perfect nodes held in memory, one vector per level: for tests, tools and benchmarks.
#[derive(Debug, Clone, Default)]
pub struct MemoryNodeStore {
    levels: Vec<Vec<Hash>>,
    frontier: Frontier,
}

impl MemoryNodeStore {
    /// An empty store.
    pub fn new() -> Self {
        Self::default()
    }

    /// Appends a leaf hash; returns its index.
    pub fn append(&mut self, leaf_hash: Hash) -> Result<u64, TreeError> {
        let mut created = Vec::new();
        let index = self.frontier.push(leaf_hash, &mut created)?;
        self.insert_all(&created);
        Ok(index)
    }

    /// Appends the leaf of an encoded entry; returns its index.
    pub fn append_entry(&mut self, entry: &[u8]) -> Result<u64, TreeError> {
        self.append(crate::tree::leaf_hash(entry))
    }

    /// Stores nodes made by a [`Frontier`] elsewhere (they arrive in creation order).
    fn insert_all(&mut self, nodes: &[(NodeId, Hash)]) {
        for &(id, h) in nodes {
            let level = usize::from(id.level);
            if self.levels.len() <= level {
                self.levels.resize_with(level + 1, Vec::new);
            }
            let row = &mut self.levels[level];
            if row.len() as u64 == id.index {
                row.push(h);
            }
        }
    }

    /// Number of leaves.
    pub fn size(&self) -> u64 {
        self.frontier.size()
    }

    /// The current root.
    pub fn root(&self) -> Hash {
        self.frontier.root()
    }

    /// The current frontier.
    pub fn frontier(&self) -> &Frontier {
        &self.frontier
    }

    /// Number of perfect nodes held (leaves included).
    pub fn node_count(&self) -> usize {
        self.levels.iter().map(Vec::len).sum()
    }
}

impl NodeSource for MemoryNodeStore {
    fn node(&self, id: NodeId) -> Option<Hash> {
        self.levels
            .get(usize::from(id.level))?
            .get(usize::try_from(id.index).ok()?)
            .copied()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tree::{leaf_hash, naive};

    fn leaves(n: u64) -> Vec<Hash> {
        (0..n).map(|i| leaf_hash(&i.to_be_bytes())).collect()
    }

    #[test]
    fn plans_match_the_naive_definitions_for_small_trees() {
        let all = leaves(40);
        let mut store = MemoryNodeStore::new();
        for (n, h) in all.iter().enumerate() {
            store.append(*h).unwrap();
            let n = n as u64 + 1;
            let l = &all[..n as usize];
            assert_eq!(root_at(&store, n).unwrap(), naive::root(l));
            assert_eq!(store.root(), naive::root(l));
            for i in 0..n {
                let p = prove_inclusion(&store, i, n).unwrap();
                assert_eq!(p.hashes, naive::inclusion(i as usize, l), "incl {i} {n}");
                for m in 1..=n {
                    let c = prove_consistency(&store, m, n).unwrap();
                    assert_eq!(c.hashes, naive::consistency(m as usize, l), "cons {m} {n}");
                }
            }
        }
        // Roots of earlier sizes still come out of the same nodes.
        for n in 0..=40u64 {
            assert_eq!(root_at(&store, n).unwrap(), naive::root(&all[..n as usize]));
        }
    }

    #[test]
    fn appends_create_about_two_nodes_per_leaf() {
        let mut f = Frontier::new();
        let batch = f.append(leaves(1024)).unwrap();
        assert_eq!(batch.nodes.len(), 2047);
        assert_eq!(batch.root, naive::root(&leaves(1024)));
        let reloaded = Frontier::from_hashes(1024, f.hashes().to_vec()).unwrap();
        assert_eq!(reloaded, f);
        assert!(Frontier::from_hashes(3, vec![[0; 32]]).is_err());
    }

    #[test]
    fn heads_are_checked_against_the_recomputed_log() {
        let l = leaves(20);
        let heads = [
            (0, naive::root(&[])),
            (7, naive::root(&l[..7])),
            (20, naive::root(&l)),
            (13, [0; 32]),
            (25, [1; 32]),
        ];
        let bad = check_heads(l.iter().copied(), &heads);
        assert_eq!(
            bad,
            [
                HeadMismatch {
                    size: 13,
                    signed: [0; 32],
                    recomputed: Some(naive::root(&l[..13]))
                },
                HeadMismatch {
                    size: 25,
                    signed: [1; 32],
                    recomputed: None
                }
            ]
        );
    }

    #[test]
    fn missing_nodes_are_named() {
        let store = MemoryNodeStore::new();
        assert_eq!(
            prove_inclusion(&store, 0, 2),
            Err(TreeError::MissingNode(NodeId::new(0, 1)))
        );
        assert_eq!(
            Plan::inclusion(2, 2),
            Err(SizeError::IndexOutOfRange { index: 2, size: 2 }.into())
        );
    }
}
