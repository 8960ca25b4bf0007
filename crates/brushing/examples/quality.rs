//! `cargo run --release -p wangjian-brushing --example quality [-- small|large]`: the
//! detector on generated months of orders with injected attacks; prints Markdown tables
//! (F-measure per attack type and size, false positives on honest traffic).

use std::time::Instant;

use wangjian_brushing::synth::{evaluate, generate, Attack, Camouflage, Honest, RingSignals};
use wangjian_brushing::Config;

fn main() {
    let large = std::env::args().any(|a| a == "large");
    let honest = if large {
        Honest {
            buyers: 200_000,
            shops: 20_000,
            orders: 1_500_000,
            seed: 7,
        }
    } else {
        Honest {
            buyers: 20_000,
            shops: 2_000,
            orders: 120_000,
            seed: 7,
        }
    };
    let config = Config::default();
    println!(
        "Honest traffic: {} buyers, {} shops, about {} orders in a month.\n",
        honest.buyers, honest.shops, honest.orders
    );
    println!("| scenario | accounts P / R / F | shops P / R / F | honest accounts flagged | groups (suspicious) | time |");
    println!("|---|---|---|---|---|---|");
    let run = |name: String, attacks: &[Attack]| {
        let t = Instant::now();
        let traffic = generate(&honest, attacks);
        let e = evaluate(&traffic, &config);
        let susp = e
            .report
            .groups
            .iter()
            .filter(|g| g.score >= config.threshold)
            .count();
        let (a, s) = (e.accounts, e.shops);
        println!(
            "| {name} | {:.3} / {:.3} / **{:.3}** | {:.3} / {:.3} / {:.3} | {:.3}% | {} ({susp}) | {:.1} s |",
            a.0, a.1, a.2, s.0, s.1, s.2,
            e.false_positive_rate * 100.0,
            e.report.groups.len(),
            t.elapsed().as_secs_f64()
        );
        if std::env::var("SHOW").is_ok_and(|v| name.contains(&v)) {
            for g in e.report.groups.iter().take(4) {
                println!(
                    "    {} score {} acc {} shops {} orders {} nats {} {:?}",
                    g.group_id,
                    g.score,
                    g.accounts.len(),
                    g.shops.len(),
                    g.orders,
                    g.evidence_nats,
                    g.reasons.iter().map(|r| &r.detail).collect::<Vec<_>>()
                );
                if std::env::var_os("SHOWALL").is_some() {
                    println!("      {:?}\n      {:?}", g.accounts, g.shops);
                }
            }
        }
    };
    run("honest only".into(), &[]);
    for density in [0.05, 0.10, 0.20] {
        for c in Camouflage::ALL {
            run(
                format!(
                    "block 200×200, density {density:.2}, camouflage {}",
                    c.name()
                ),
                &[Attack::Block {
                    accounts: 200,
                    shops: 200,
                    density,
                    camouflage: c,
                }],
            );
        }
    }
    for (accounts, shops) in [(100, 100), (50, 50)] {
        for c in Camouflage::ALL {
            run(
                format!(
                    "block {accounts}×{shops}, density 0.10, camouflage {}",
                    c.name()
                ),
                &[Attack::Block {
                    accounts,
                    shops,
                    density: 0.10,
                    camouflage: c,
                }],
            );
        }
    }
    let all = RingSignals {
        shared_devices: true,
        template_reviews: true,
        tiny_amounts: true,
        empty_parcels: true,
    };
    for (accounts, shops, density) in [(50, 10, 0.6), (50, 10, 0.3), (20, 5, 0.6)] {
        for (label, signals) in [
            ("structure only", RingSignals::default()),
            ("all signals", all),
        ] {
            run(
                format!("ring {accounts}×{shops}, density {density:.1}, 5 days, {label}"),
                &[Attack::Ring {
                    accounts,
                    shops,
                    density,
                    days: 5,
                    signals,
                }],
            );
        }
    }
}
