//! Benchmarks of the pure ledger core (the SQLite append figure comes with the store):
//!
//! - `append`: leaf + node hashing of batches of encoded entries through the [`Frontier`],
//!   against a baseline of hashing the same bytes once with SHA-256;
//! - `proof_10m`: inclusion and consistency proofs planned and assembled from the perfect
//!   nodes of a 10 000 000-leaf tree held in memory (prints how many nodes each reads);
//! - `verify_package`: the offline check of a 1 000-entry evidence package.

use std::hint::black_box;
use std::time::Duration;

use criterion::{criterion_group, criterion_main, BatchSize, Criterion, Throughput};
use wangjian_ledger::blob::sha256;
use wangjian_ledger::{
    leaf_hash, sample, verify_package, Frontier, MemoryNodeStore, NodeSource, Plan,
};

fn entries(n: u64) -> Vec<Vec<u8>> {
    (0..n)
        .map(|i| sample::entry(i, uuid::Uuid::from_u128(7), 5).encode())
        .collect()
}

fn append(c: &mut Criterion) {
    let mut g = c.benchmark_group("append");
    let batch = entries(1000);
    let avg = batch.iter().map(Vec::len).sum::<usize>() / batch.len();
    eprintln!("append: batches of 1000 entries, {avg} bytes each on average");
    g.throughput(Throughput::Elements(batch.len() as u64));
    g.bench_function("baseline_sha256_only", |b| {
        b.iter(|| {
            for e in &batch {
                black_box(sha256(e));
            }
        })
    });
    // Appending to a tree that already has a million leaves: the frontier is what a store
    // loads before a batch.
    let mut start = Frontier::new();
    start
        .append((0..1_000_000u64).map(|i| leaf_hash(&i.to_be_bytes())))
        .expect("a million leaves fit");
    g.bench_function("leaf_and_node_hashes_batch_1000", |b| {
        b.iter_batched(
            || start.clone(),
            |mut f| {
                let batch_out = f.append(batch.iter().map(|e| leaf_hash(e))).expect("fits");
                black_box(batch_out.nodes.len())
            },
            BatchSize::SmallInput,
        )
    });
    g.finish();
}

fn proof_10m(c: &mut Criterion) {
    const N: u64 = 10_000_000;
    let t = std::time::Instant::now();
    let mut store = MemoryNodeStore::new();
    for i in 0..N {
        store.append(leaf_hash(&i.to_be_bytes())).expect("fits");
    }
    eprintln!(
        "proof_10m: built {} perfect nodes for {N} leaves in {:.1?}",
        store.node_count(),
        t.elapsed()
    );
    let mut worst = (0, 0);
    for i in [0, 1, N / 3, N / 2, N - 2, N - 1, 8_388_607, 8_388_608] {
        let p = Plan::inclusion(i, N).expect("in range");
        worst = worst.max((p.nodes().len(), p.len()));
        eprintln!(
            "proof_10m: inclusion of leaf {i}: {} hashes from {} stored nodes",
            p.len(),
            p.nodes().len()
        );
    }
    let p = Plan::consistency(N / 3, N).expect("sizes");
    eprintln!(
        "proof_10m: consistency {} -> {N}: {} hashes from {} stored nodes",
        N / 3,
        p.len(),
        p.nodes().len()
    );
    let mut g = c.benchmark_group("proof_10m");
    let mut i = 0u64;
    g.bench_function("inclusion_plan_assemble", |b| {
        b.iter(|| {
            i = (i + 7_919_993) % N;
            let plan = Plan::inclusion(i, N).expect("in range");
            black_box(plan.assemble(|id| store.node(id)).expect("stored"))
        })
    });
    g.bench_function("inclusion_plan_only", |b| {
        b.iter(|| {
            i = (i + 7_919_993) % N;
            black_box(Plan::inclusion(i, N).expect("in range").nodes().len())
        })
    });
    let mut m = 1u64;
    g.bench_function("consistency_plan_assemble", |b| {
        b.iter(|| {
            m = (m + 7_919_993) % (N - 1) + 1;
            let plan = Plan::consistency(m, N).expect("sizes");
            black_box(plan.assemble(|id| store.node(id)).expect("stored"))
        })
    });
    g.bench_function("root_at_any_size", |b| {
        b.iter(|| {
            m = (m + 7_919_993) % N;
            black_box(wangjian_ledger::root_at(&store, m).expect("stored"))
        })
    });
    g.finish();
}

fn verify(c: &mut Criterion) {
    let package = sample::package(1000, 400);
    let bytes = package.build().expect("builds");
    eprintln!(
        "verify_package: {} entries, {} blobs, tree size {}, {} KiB",
        package.entries.len(),
        package.blobs.len(),
        package.checkpoint.checkpoint.size,
        bytes.len() / 1024
    );
    let mut g = c.benchmark_group("verify_package");
    g.throughput(Throughput::Elements(package.entries.len() as u64));
    g.bench_function("1000_entries", |b| {
        b.iter(|| {
            let r = verify_package(black_box(&bytes), None);
            assert!(r.is_valid());
        })
    });
    g.finish();
}

criterion_group! {
    name = benches;
    config = Criterion::default()
        .sample_size(20)
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(3));
    targets = append, proof_10m, verify
}
criterion_main!(benches);
