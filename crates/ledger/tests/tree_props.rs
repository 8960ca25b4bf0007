//! Property tests of the tree math: for random sizes, proofs planned from perfect subtrees
//! equal the RFC 9162 recursive definitions, verify, and stop verifying when any single bit
//! of them is flipped.

use std::collections::HashMap;

use proptest::prelude::*;
use wangjian_ledger::tree::{self, naive};
use wangjian_ledger::{
    prove_consistency, prove_inclusion, root_at, verify_consistency, verify_inclusion, Hash,
    MemoryNodeStore,
};
use wangjian_ledger::{Frontier, NodeId};

fn tree_of(n: u64, seed: u64) -> (Vec<Hash>, MemoryNodeStore) {
    let leaves: Vec<Hash> = (0..n)
        .map(|i| tree::leaf_hash(&(seed ^ i).to_le_bytes()))
        .collect();
    let mut store = MemoryNodeStore::new();
    for h in &leaves {
        store.append(*h).unwrap();
    }
    (leaves, store)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(96))]

    #[test]
    fn planned_inclusion_equals_naive_and_verifies(
        n in 1u64..600, i_frac in 0.0f64..1.0, m_frac in 0.0f64..1.0, seed: u64, bit in 0usize..256
    ) {
        let (leaves, store) = tree_of(n, seed);
        // A proof at an older size m from the same stored nodes.
        let m = 1 + ((n - 1) as f64 * m_frac) as u64;
        let i = ((m as f64) * i_frac) as u64 % m;
        let l = &leaves[..m as usize];
        let root = root_at(&store, m).unwrap();
        prop_assert_eq!(root, naive::root(l));
        let p = prove_inclusion(&store, i, m).unwrap();
        prop_assert_eq!(&p.hashes, &naive::inclusion(i as usize, l));
        prop_assert!(p.verify(&leaves[i as usize], &root).is_ok());
        // Any single flipped bit in any proof hash, the leaf or the root is caught.
        for k in 0..p.hashes.len() {
            let mut bad = p.hashes.clone();
            bad[k][bit / 8] ^= 1 << (bit % 8);
            prop_assert!(verify_inclusion(i, m, &leaves[i as usize], &bad, &root).is_err());
        }
        let mut leaf = leaves[i as usize];
        leaf[bit / 8] ^= 1 << (bit % 8);
        prop_assert!(verify_inclusion(i, m, &leaf, &p.hashes, &root).is_err());
        let mut r = root;
        r[bit / 8] ^= 1 << (bit % 8);
        prop_assert!(verify_inclusion(i, m, &leaves[i as usize], &p.hashes, &r).is_err());
        // The wrong index or size is caught too (unless the path is the same, i.e. m == 1).
        if m > 1 {
            prop_assert!(verify_inclusion((i + 1) % m, m, &leaves[i as usize], &p.hashes, &root).is_err());
        }
    }

    #[test]
    fn planned_consistency_equals_naive_and_verifies(
        n in 1u64..600, m_frac in 0.0f64..1.0, seed: u64, bit in 0usize..256
    ) {
        let (leaves, store) = tree_of(n, seed);
        let m = 1 + ((n - 1) as f64 * m_frac) as u64;
        let (old_root, new_root) = (root_at(&store, m).unwrap(), root_at(&store, n).unwrap());
        let p = prove_consistency(&store, m, n).unwrap();
        prop_assert_eq!(&p.hashes, &naive::consistency(m as usize, &leaves));
        prop_assert!(p.verify(&old_root, &new_root).is_ok());
        for k in 0..p.hashes.len() {
            let mut bad = p.hashes.clone();
            bad[k][bit / 8] ^= 1 << (bit % 8);
            prop_assert!(verify_consistency(m, n, &bad, &old_root, &new_root).is_err());
        }
        let mut r = old_root;
        r[bit / 8] ^= 1 << (bit % 8);
        prop_assert!(verify_consistency(m, n, &p.hashes, &r, &new_root).is_err());
        let mut r = new_root;
        r[bit / 8] ^= 1 << (bit % 8);
        prop_assert!(verify_consistency(m, n, &p.hashes, &old_root, &r).is_err());
        if !p.hashes.is_empty() {
            prop_assert!(verify_consistency(m, n, &p.hashes[1..], &old_root, &new_root).is_err());
        }
    }

    /// The store's contract: append in batches, reloading the frontier from the stored
    /// nodes before each batch; every node is inserted exactly once (never updated), and
    /// roots and proofs from the stored nodes equal the naive ones.
    #[test]
    fn batched_appends_through_a_reloaded_frontier(
        batches in proptest::collection::vec(0usize..70, 1..12), seed: u64
    ) {
        let mut table: HashMap<NodeId, Hash> = HashMap::new();
        let mut leaves: Vec<Hash> = Vec::new();
        let mut size = 0u64;
        for b in batches {
            let ids = Frontier::nodes_at(size);
            let hashes: Vec<Hash> = ids.iter().map(|id| table[id]).collect();
            let mut f = Frontier::from_hashes(size, hashes).unwrap();
            let new: Vec<Hash> = (0..b as u64)
                .map(|i| tree::leaf_hash(&(seed ^ (size + i)).to_be_bytes()))
                .collect();
            leaves.extend_from_slice(&new);
            let batch = f.append(new).unwrap();
            prop_assert_eq!(batch.first_index, size);
            for (id, h) in batch.nodes {
                prop_assert!(table.insert(id, h).is_none(), "node {:?} written twice", id);
            }
            size = batch.size;
            prop_assert_eq!(batch.root, naive::root(&leaves));
            prop_assert_eq!(root_at(&table, size).unwrap(), batch.root);
        }
        // Exactly the perfect subtrees: 2n - popcount(n) of them.
        prop_assert_eq!(table.len() as u64, 2 * size - u64::from(size.count_ones()));
        if size > 0 {
            let i = seed % size;
            let p = prove_inclusion(&table, i, size).unwrap();
            prop_assert_eq!(p.hashes, naive::inclusion(i as usize, &leaves));
        }
    }

    #[test]
    fn verification_never_panics(
        index: u64, size: u64, old in 0u64..1 << 20, new in 0u64..1 << 20,
        proof in proptest::collection::vec(proptest::collection::vec(any::<u8>(), 0..40), 0..70),
        a in proptest::collection::vec(any::<u8>(), 0..40),
        b in proptest::collection::vec(any::<u8>(), 0..40),
    ) {
        let _ = verify_inclusion(index, size, &a, &proof, &b);
        let _ = verify_consistency(old, new, &proof, &a, &b);
        let _ = tree::verify_subtree_inclusion(index, old, new, &a, &proof, &b);
        let _ = tree::verify_subtree_consistency(old, new, size, &proof, &a, &b);
    }
}
