//! Every case of the published RFC 6962 test vectors (transparency-dev/merkle `testdata`,
//! copied into `tests/data/rfc6962`, see its SOURCE.md): each valid proof verifies, each
//! invalid one is rejected, and the known roots match. The `subtree*` directories hold the
//! subtree proofs of draft-ietf-plants-merkle-tree-certs from the same project.

use std::path::{Path, PathBuf};

use base64::Engine as _;
use serde_json::Value;
use wangjian_ledger::tree::{
    self, verify_consistency, verify_inclusion, verify_subtree_consistency,
    verify_subtree_inclusion,
};
use wangjian_ledger::{MemoryNodeStore, Plan};

fn data(dir: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data/rfc6962")
        .join(dir)
}

fn json_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let mut entries: Vec<_> = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("reading {}: {e}", dir.display()))
        .map(|e| e.unwrap().path())
        .collect();
    entries.sort();
    for p in entries {
        if p.is_dir() {
            json_files(&p, out);
        } else if p.extension().is_some_and(|x| x == "json") {
            out.push(p);
        }
    }
}

fn b64(v: &Value) -> Vec<u8> {
    base64::engine::general_purpose::STANDARD
        .decode(v.as_str().unwrap_or(""))
        .unwrap()
}

fn proof(v: &Value) -> Vec<Vec<u8>> {
    v.as_array()
        .map(|a| a.iter().map(b64).collect())
        .unwrap_or_default()
}

fn u(v: &Value) -> u64 {
    v.as_u64().unwrap()
}

/// Runs `check` on every case under `dir`; asserts it errs exactly when `wantErr`.
fn run_all(dir: &str, check: impl Fn(&Value) -> Result<(), tree::ProofError>) -> (usize, usize) {
    let mut files = Vec::new();
    json_files(&data(dir), &mut files);
    let (mut good, mut bad) = (0, 0);
    for f in &files {
        let case: Value = serde_json::from_str(&std::fs::read_to_string(f).unwrap()).unwrap();
        let want_err = case["wantErr"].as_bool().unwrap();
        let got = check(&case);
        assert_eq!(
            got.is_err(),
            want_err,
            "{}: {} gave {got:?}",
            f.display(),
            case["desc"]
        );
        if want_err {
            bad += 1;
        } else {
            good += 1;
        }
    }
    (good, bad)
}

#[test]
fn inclusion_vectors() {
    let (good, bad) = run_all("inclusion", |c| {
        verify_inclusion(
            u(&c["leafIdx"]),
            u(&c["treeSize"]),
            &b64(&c["leafHash"]),
            &proof(&c["proof"]),
            &b64(&c["root"]),
        )
    });
    assert_eq!((good, bad), (6, 92), "every case ran");
}

#[test]
fn consistency_vectors() {
    let (good, bad) = run_all("consistency", |c| {
        verify_consistency(
            u(&c["size1"]),
            u(&c["size2"]),
            &proof(&c["proof"]),
            &b64(&c["root1"]),
            &b64(&c["root2"]),
        )
    });
    assert_eq!((good, bad), (6, 92), "every case ran");
}

#[test]
fn subtree_inclusion_vectors() {
    let (good, bad) = run_all("subtreeinclusion", |c| {
        verify_subtree_inclusion(
            u(&c["leafIdx"]),
            u(&c["start"]),
            u(&c["end"]),
            &b64(&c["leafHash"]),
            &proof(&c["proof"]),
            &b64(&c["root"]),
        )
    });
    assert_eq!((good, bad), (12, 192), "every case ran");
}

#[test]
fn subtree_consistency_vectors() {
    let (good, bad) = run_all("subtreeconsistency", |c| {
        verify_subtree_consistency(
            u(&c["start"]),
            u(&c["end"]),
            u(&c["size"]),
            &proof(&c["proof"]),
            &b64(&c["root1"]),
            &b64(&c["root2"]),
        )
    });
    assert_eq!((good, bad), (12, 106), "every case ran");
}

#[test]
fn known_roots_match() {
    let v: Value =
        serde_json::from_str(&std::fs::read_to_string(data("known_roots.json")).unwrap()).unwrap();
    let inputs: Vec<Vec<u8>> = v["leaf_inputs_hex"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| hex::decode(x.as_str().unwrap()).unwrap())
        .collect();
    let roots: Vec<String> = v["root_hashes_hex"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| x.as_str().unwrap().to_string())
        .collect();
    assert_eq!(roots.len(), inputs.len() + 1);
    let leaves: Vec<_> = inputs.iter().map(|e| tree::leaf_hash(e)).collect();
    let mut store = MemoryNodeStore::new();
    assert_eq!(hex::encode(store.root()), roots[0]);
    for (n, leaf) in leaves.iter().enumerate() {
        store.append(*leaf).unwrap();
        let want = &roots[n + 1];
        assert_eq!(&hex::encode(store.root()), want, "root of {} leaves", n + 1);
        assert_eq!(&hex::encode(tree::naive::root(&leaves[..=n])), want);
        let planned = Plan::root(n as u64 + 1)
            .assemble(|id| wangjian_ledger::NodeSource::node(&store, id))
            .unwrap();
        assert_eq!(&hex::encode(planned[0]), want);
    }
}
