//! RFC 6962 / RFC 9162 §2.1 Merkle tree math: hashing, proof verification, and the
//! definitions of the tree in terms of *perfect subtrees*.
//!
//! A perfect subtree is a [`NodeId`] `(level, index)` covering the leaves
//! `[index·2^level, (index+1)·2^level)`. Every hash the RFC tree ever needs — the root at
//! any size, every proof element — is the right fold (see [`fold_right`]) of a handful of
//! perfect subtrees, because each node of the RFC tree covers a range `[s, e)` whose start
//! is a multiple of the smallest power of two ≥ `e − s`. That is why a store only keeps
//! perfect subtrees (they never change once complete) and builds everything else on demand:
//! see [`crate::plan`].

use sha2::{Digest, Sha256};

/// A SHA-256 digest: a leaf hash, a node hash or a root.
pub type Hash = [u8; 32];

/// Length of a [`Hash`] in bytes.
pub const HASH_LEN: usize = 32;

/// The root of the empty tree: SHA-256 of the empty string (RFC 9162 §2.1.1).
pub fn empty_root() -> Hash {
    Sha256::digest([]).into()
}

/// The leaf hash of an entry: `SHA-256(0x00 || entry)` (RFC 9162 §2.1.1).
pub fn leaf_hash(entry: &[u8]) -> Hash {
    let mut h = Sha256::new();
    h.update([0x00]);
    h.update(entry);
    h.finalize().into()
}

/// The hash of an inner node: `SHA-256(0x01 || left || right)` (RFC 9162 §2.1.1).
pub fn node_hash(left: &Hash, right: &Hash) -> Hash {
    let mut h = Sha256::new();
    h.update([0x01]);
    h.update(left);
    h.update(right);
    h.finalize().into()
}

/// The largest power of two strictly less than `n`; `n` must be at least 2. This is the
/// split point `k` of RFC 9162 §2.1.1.
pub(crate) fn split(n: u64) -> u64 {
    debug_assert!(n >= 2);
    1u64 << (63 - (n - 1).leading_zeros())
}

/// A perfect subtree: `2^level` leaves starting at leaf `index · 2^level`. Level 0 nodes are
/// the leaf hashes themselves.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct NodeId {
    /// Height above the leaves (0 = a leaf).
    pub level: u8,
    /// Position among the nodes of that level, from the left.
    pub index: u64,
}

impl NodeId {
    /// The node at `level` and `index`.
    pub const fn new(level: u8, index: u64) -> Self {
        Self { level, index }
    }

    /// The first leaf it covers (saturating, for absurd ids).
    pub fn first_leaf(&self) -> u64 {
        self.index
            .checked_shl(u32::from(self.level))
            .unwrap_or(u64::MAX)
    }

    /// How many leaves it covers (saturating at level 64 and above).
    pub fn width(&self) -> u64 {
        1u64.checked_shl(u32::from(self.level)).unwrap_or(u64::MAX)
    }
}

/// The perfect subtrees whose right fold is the hash of the leaf range `[start, end)`, from
/// left to right: one per set bit of `end − start`, biggest first. The range must start at
/// a multiple of the smallest power of two ≥ its length (every range of the RFC tree does).
pub(crate) fn perfect_cover(start: u64, end: u64, out: &mut Vec<NodeId>) {
    let mut s = start;
    let mut rest = end - start;
    while rest > 0 {
        let level = 63 - rest.leading_zeros();
        out.push(NodeId::new(level as u8, s >> level));
        s += 1 << level;
        rest -= 1 << level;
    }
}

/// The hash of a range from its perfect cover: `node(h1, node(h2, … node(hk-1, hk)))`; the
/// empty cover is the empty root.
pub fn fold_right(hashes: &[Hash]) -> Hash {
    match hashes.split_last() {
        None => empty_root(),
        Some((last, rest)) => rest.iter().rev().fold(*last, |acc, h| node_hash(h, &acc)),
    }
}

/// Tree sizes or indexes that no proof can be about.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SizeError {
    /// Inclusion in an empty tree.
    #[error("the tree is empty; nothing can be included in it")]
    EmptyTree,
    /// The leaf index is not below the tree size.
    #[error("leaf index {index} is not in a tree of size {size}")]
    IndexOutOfRange {
        /// The leaf index.
        index: u64,
        /// The tree size.
        size: u64,
    },
    /// A consistency proof from the empty tree (it proves nothing, so it is refused).
    #[error("a consistency proof from the empty tree proves nothing")]
    FromEmptyTree,
    /// The old tree is larger than the new one.
    #[error("the old tree size {old} is larger than the new tree size {new}")]
    OldLargerThanNew {
        /// Old size.
        old: u64,
        /// New size.
        new: u64,
    },
}

/// Checks that leaf `index` can be in a tree of `size` leaves.
pub fn check_inclusion_sizes(index: u64, size: u64) -> Result<(), SizeError> {
    if size == 0 {
        Err(SizeError::EmptyTree)
    } else if index >= size {
        Err(SizeError::IndexOutOfRange { index, size })
    } else {
        Ok(())
    }
}

/// Checks that a consistency proof from `old` to `new` leaves means something.
pub fn check_consistency_sizes(old: u64, new: u64) -> Result<(), SizeError> {
    if old == 0 {
        Err(SizeError::FromEmptyTree)
    } else if old > new {
        Err(SizeError::OldLargerThanNew { old, new })
    } else {
        Ok(())
    }
}

/// Why a proof was rejected, or could not be checked.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ProofError {
    /// Sizes no proof can be about.
    #[error(transparent)]
    Size(#[from] SizeError),
    /// A hash with a length other than 32 bytes.
    #[error("{what} is {len} bytes long, a SHA-256 hash is 32")]
    BadHashLength {
        /// Which value.
        what: &'static str,
        /// Its length.
        len: usize,
    },
    /// The proof has fewer hashes than the tree sizes need.
    #[error("the proof is too short for these tree sizes")]
    TooShort,
    /// The proof has more hashes than the tree sizes need.
    #[error("the proof is too long for these tree sizes")]
    TooLong,
    /// The proof leads to a different root.
    #[error("the proof does not lead to the expected root")]
    RootMismatch,
    /// A consistency proof does not lead to the old root.
    #[error("the consistency proof does not lead to the old root")]
    OldRootMismatch,
    /// A consistency proof does not lead to the new root.
    #[error("the consistency proof does not lead to the new root")]
    NewRootMismatch,
    /// A subtree range that is not a subtree of any Merkle tree.
    #[error("[{start}, {end}) is not a valid subtree")]
    InvalidSubtree {
        /// First leaf.
        start: u64,
        /// One past the last leaf.
        end: u64,
    },
}

fn as_hash(what: &'static str, bytes: &[u8]) -> Result<Hash, ProofError> {
    bytes.try_into().map_err(|_| ProofError::BadHashLength {
        what,
        len: bytes.len(),
    })
}

/// The root an inclusion proof leads to (RFC 9162 §2.1.3.2), for the leaf at `index` in a
/// tree of `size` leaves.
pub fn root_from_inclusion_proof<P: AsRef<[u8]>>(
    index: u64,
    size: u64,
    leaf_hash: &[u8],
    proof: &[P],
) -> Result<Hash, ProofError> {
    check_inclusion_sizes(index, size)?;
    let mut r = as_hash("the leaf hash", leaf_hash)?;
    let (mut f, mut s) = (index, size - 1);
    for p in proof {
        let p = as_hash("a proof hash", p.as_ref())?;
        if s == 0 {
            return Err(ProofError::TooLong);
        }
        if f & 1 == 1 || f == s {
            r = node_hash(&p, &r);
            while f & 1 == 0 && f != 0 {
                f >>= 1;
                s >>= 1;
            }
        } else {
            r = node_hash(&r, &p);
        }
        f >>= 1;
        s >>= 1;
    }
    if s != 0 {
        return Err(ProofError::TooShort);
    }
    Ok(r)
}

/// Checks that the leaf with `leaf_hash` is at `index` of the tree of `size` leaves whose
/// root is `root` (RFC 9162 §2.1.3.2).
pub fn verify_inclusion<P: AsRef<[u8]>>(
    index: u64,
    size: u64,
    leaf_hash: &[u8],
    proof: &[P],
    root: &[u8],
) -> Result<(), ProofError> {
    let got = root_from_inclusion_proof(index, size, leaf_hash, proof)?;
    if got.as_slice() == root {
        Ok(())
    } else {
        Err(ProofError::RootMismatch)
    }
}

/// Checks that the tree of `old_size` leaves with `old_root` is a prefix of the tree of
/// `new_size` leaves with `new_root` (RFC 9162 §2.1.4.2). A proof from size 0 is refused.
pub fn verify_consistency<P: AsRef<[u8]>>(
    old_size: u64,
    new_size: u64,
    proof: &[P],
    old_root: &[u8],
    new_root: &[u8],
) -> Result<(), ProofError> {
    check_consistency_sizes(old_size, new_size)?;
    if old_size == new_size {
        if !proof.is_empty() {
            return Err(ProofError::TooLong);
        }
        return if old_root == new_root {
            Ok(())
        } else {
            Err(ProofError::RootMismatch)
        };
    }
    if proof.is_empty() {
        return Err(ProofError::TooShort);
    }
    let mut hashes: Vec<Hash> = Vec::with_capacity(proof.len() + 1);
    if old_size.is_power_of_two() {
        hashes.push(as_hash("the old root", old_root)?);
    }
    for p in proof {
        hashes.push(as_hash("a proof hash", p.as_ref())?);
    }
    let Some((first, rest)) = hashes.split_first() else {
        return Err(ProofError::TooShort);
    };
    let (mut f, mut s) = (old_size - 1, new_size - 1);
    while f & 1 == 1 {
        f >>= 1;
        s >>= 1;
    }
    let (mut fr, mut sr) = (*first, *first);
    for c in rest {
        if s == 0 {
            return Err(ProofError::TooLong);
        }
        if f & 1 == 1 || f == s {
            fr = node_hash(c, &fr);
            sr = node_hash(c, &sr);
            while f & 1 == 0 && f != 0 {
                f >>= 1;
                s >>= 1;
            }
        } else {
            sr = node_hash(&sr, c);
        }
        f >>= 1;
        s >>= 1;
    }
    if s != 0 {
        return Err(ProofError::TooShort);
    }
    if fr.as_slice() != old_root {
        return Err(ProofError::OldRootMismatch);
    }
    if sr.as_slice() != new_root {
        return Err(ProofError::NewRootMismatch);
    }
    Ok(())
}

/// Whether `[start, end)` is a subtree in the sense of draft-ietf-plants-merkle-tree-certs
/// §4.1: non-empty, and `start` a multiple of the smallest power of two ≥ `end − start`.
/// Exactly the ranges that are nodes of some RFC 9162 tree.
pub fn is_valid_subtree(start: u64, end: u64) -> bool {
    start < end
        && (end - start)
            .checked_next_power_of_two()
            .is_some_and(|p| start % p == 0)
}

/// Checks that the leaf with `leaf_hash` at `index` is in the subtree `[start, end)` whose
/// hash is `subtree_hash` (draft-ietf-plants-merkle-tree-certs §4.3). A valid subtree has the
/// shape of the tree of `end − start` leaves, so this is the RFC 9162 check re-rooted.
pub fn verify_subtree_inclusion<P: AsRef<[u8]>>(
    index: u64,
    start: u64,
    end: u64,
    leaf_hash: &[u8],
    proof: &[P],
    subtree_hash: &[u8],
) -> Result<(), ProofError> {
    if !is_valid_subtree(start, end) {
        return Err(ProofError::InvalidSubtree { start, end });
    }
    if index < start || index >= end {
        return Err(SizeError::IndexOutOfRange {
            index,
            size: end - start,
        }
        .into());
    }
    verify_inclusion(index - start, end - start, leaf_hash, proof, subtree_hash)
}

/// Checks that the subtree `[start, end)` with hash `subtree_hash` is part of the tree of
/// `size` leaves with root `root` (draft-ietf-plants-merkle-tree-certs §4.4 and appendix B).
/// The empty range with the empty hash and an empty proof is part of every tree.
pub fn verify_subtree_consistency<P: AsRef<[u8]>>(
    start: u64,
    end: u64,
    size: u64,
    proof: &[P],
    subtree_hash: &[u8],
    root: &[u8],
) -> Result<(), ProofError> {
    if end < start || end > size {
        return Err(ProofError::InvalidSubtree { start, end });
    }
    if start == end {
        if !proof.is_empty() {
            return Err(ProofError::TooLong);
        }
        return if subtree_hash == empty_root().as_slice() {
            Ok(())
        } else {
            Err(ProofError::OldRootMismatch)
        };
    }
    if !is_valid_subtree(start, end) {
        return Err(ProofError::InvalidSubtree { start, end });
    }
    // fn, sn, tn: paths to the subtree's first and last leaf and to the tree's last leaf.
    let (mut f, mut s, mut t) = (start, end - 1, size - 1);
    let shift = |f: &mut u64, s: &mut u64, t: &mut u64| {
        *f >>= 1;
        *s >>= 1;
        *t >>= 1;
    };
    if s == t {
        while f != s {
            shift(&mut f, &mut s, &mut t);
        }
    } else {
        while f != s && s & 1 == 1 {
            shift(&mut f, &mut s, &mut t);
        }
    }
    let mut rest = proof.iter();
    // Start from the highest node of the subtree's right edge that is also a node of the
    // tree: the subtree hash itself when the whole subtree is such a node.
    let (mut fr, mut sr): (Vec<u8>, Vec<u8>) = if f == s {
        (subtree_hash.to_vec(), subtree_hash.to_vec())
    } else {
        let p = rest.next().ok_or(ProofError::TooShort)?;
        let p = as_hash("a proof hash", p.as_ref())?;
        (p.to_vec(), p.to_vec())
    };
    for p in rest {
        let p = as_hash("a proof hash", p.as_ref())?;
        if t == 0 {
            return Err(ProofError::TooLong);
        }
        if s & 1 == 1 || s == t {
            if f < s {
                fr = node_hash(&p, &as_hash("the subtree hash", &fr)?).to_vec();
            }
            sr = node_hash(&p, &as_hash("the subtree hash", &sr)?).to_vec();
            while s & 1 == 0 && s != 0 {
                shift(&mut f, &mut s, &mut t);
            }
        } else {
            sr = node_hash(&as_hash("the subtree hash", &sr)?, &p).to_vec();
        }
        shift(&mut f, &mut s, &mut t);
    }
    if t != 0 {
        return Err(ProofError::TooShort);
    }
    if fr != subtree_hash {
        return Err(ProofError::OldRootMismatch);
    }
    if sr != root {
        return Err(ProofError::NewRootMismatch);
    }
    Ok(())
}

/// The RFC 9162 §2.1 definitions computed directly from all leaf hashes: O(n), recursive.
/// The reference the fast paths are tested against; fine for small trees.
pub mod naive {
    use super::{empty_root, node_hash, split, Hash};

    /// MTH(D[n]): the root of the tree of `leaves`.
    pub fn root(leaves: &[Hash]) -> Hash {
        match leaves.len() {
            0 => empty_root(),
            1 => leaves[0],
            n => {
                let k = split(n as u64) as usize;
                node_hash(&root(&leaves[..k]), &root(&leaves[k..]))
            }
        }
    }

    /// PATH(m, D[n]): the inclusion proof of leaf `m` (`m < leaves.len()`).
    pub fn inclusion(m: usize, leaves: &[Hash]) -> Vec<Hash> {
        let n = leaves.len();
        if n <= 1 {
            return Vec::new();
        }
        let k = split(n as u64) as usize;
        if m < k {
            let mut p = inclusion(m, &leaves[..k]);
            p.push(root(&leaves[k..]));
            p
        } else {
            let mut p = inclusion(m - k, &leaves[k..]);
            p.push(root(&leaves[..k]));
            p
        }
    }

    /// PROOF(m, D[n]): the consistency proof from the first `m` leaves (0 < m ≤ n).
    pub fn consistency(m: usize, leaves: &[Hash]) -> Vec<Hash> {
        subproof(m, leaves, true)
    }

    fn subproof(m: usize, leaves: &[Hash], whole: bool) -> Vec<Hash> {
        let n = leaves.len();
        if m == n {
            return if whole {
                Vec::new()
            } else {
                vec![root(leaves)]
            };
        }
        let k = split(n as u64) as usize;
        if m <= k {
            let mut p = subproof(m, &leaves[..k], whole);
            p.push(root(&leaves[k..]));
            p
        } else {
            let mut p = subproof(m - k, &leaves[k..], false);
            p.push(root(&leaves[..k]));
            p
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn split_is_the_largest_power_of_two_below() {
        let cases = [
            (2, 1),
            (3, 2),
            (4, 2),
            (5, 4),
            (8, 4),
            (9, 8),
            (1 << 40, 1 << 39),
        ];
        for (n, k) in cases {
            assert_eq!(split(n), k, "n = {n}");
        }
        assert_eq!(split(u64::MAX), 1 << 63);
    }

    #[test]
    fn perfect_cover_follows_the_bits_of_the_length() {
        let mut v = Vec::new();
        perfect_cover(0, 13, &mut v);
        assert_eq!(
            v,
            [NodeId::new(3, 0), NodeId::new(2, 2), NodeId::new(0, 12)]
        );
        v.clear();
        perfect_cover(8, 14, &mut v);
        assert_eq!(v, [NodeId::new(2, 2), NodeId::new(1, 6)]);
    }

    #[test]
    fn subtree_validity() {
        assert!(is_valid_subtree(8, 14));
        assert!(is_valid_subtree(0, 15));
        assert!(!is_valid_subtree(2, 5));
        assert!(!is_valid_subtree(1, 1));
        assert!(!is_valid_subtree(1, u64::MAX));
    }
}
