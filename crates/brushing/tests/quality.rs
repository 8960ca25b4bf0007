//! Detection quality on generated months of orders (`synth`): the requirements of issue 18
//! as assertions. Larger sizes and more attack types: `cargo run --release -p
//! wangjian-brushing --example quality [-- large]` (tables in `bench/results-brushing.md`).

use wangjian_brushing::synth::{evaluate, generate, Attack, Camouflage, Honest, RingSignals};
use wangjian_brushing::Config;

const HONEST: Honest = Honest {
    buyers: 20_000,
    shops: 2_000,
    orders: 120_000,
    seed: 7,
};

fn block(camouflage: Camouflage) {
    let traffic = generate(
        &HONEST,
        &[Attack::Block {
            accounts: 200,
            shops: 200,
            density: 0.10,
            camouflage,
        }],
    );
    let e = evaluate(&traffic, &Config::default());
    assert!(
        e.accounts.2 >= 0.95 && e.shops.2 >= 0.95,
        "{}: accounts P/R/F {:?}, shops {:?}",
        camouflage.name(),
        e.accounts,
        e.shops
    );
}

#[test]
fn block_200x200_without_camouflage() {
    block(Camouflage::None);
}

#[test]
fn block_200x200_with_random_camouflage() {
    block(Camouflage::Random);
}

#[test]
fn block_200x200_with_biased_camouflage() {
    block(Camouflage::Biased);
}

#[test]
fn block_200x200_with_hijacked_accounts() {
    block(Camouflage::Hijacked);
}

fn ring(signals: RingSignals) -> wangjian_brushing::synth::Evaluation {
    let traffic = generate(
        &HONEST,
        &[Attack::Ring {
            accounts: 50,
            shops: 10,
            density: 0.6,
            days: 5,
            signals,
        }],
    );
    let e = evaluate(&traffic, &Config::default());
    assert!(
        e.accounts.2 >= 0.9 && e.shops.2 >= 0.9,
        "accounts P/R/F {:?}, shops {:?}",
        e.accounts,
        e.shops
    );
    e
}

#[test]
fn ring_50x10_by_structure_alone() {
    ring(RingSignals::default());
}

#[test]
fn ring_50x10_with_its_traces_is_explained() {
    let e = ring(RingSignals {
        shared_devices: true,
        template_reviews: true,
        tiny_amounts: true,
        empty_parcels: true,
    });
    let top = &e.report.groups[0];
    let codes: Vec<&str> = top.reasons.iter().map(|r| r.code).collect();
    for code in [
        "density",
        "shared_device",
        "template_review",
        "tiny_amount",
        "empty_parcel",
    ] {
        assert!(codes.contains(&code), "{code} missing from {codes:?}");
    }
    assert!(top.reasons.iter().all(|r| !r.detail.is_empty()));
    assert_eq!(top.evidence.len(), top.orders);
}

#[test]
fn honest_month_flags_under_half_a_percent_of_buyers() {
    let traffic = generate(&HONEST, &[]);
    let e = evaluate(&traffic, &Config::default());
    assert!(
        e.false_positive_rate < 0.005,
        "{} of {} honest buyers flagged",
        e.flagged_accounts.len(),
        traffic.buyers
    );
}
