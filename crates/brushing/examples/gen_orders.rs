//! `cargo run --release -p wangjian-brushing --example gen_orders -- N [--minimal] > orders.jsonl`:
//! writes about N generated orders (a month of honest traffic at 6 orders per buyer and 60
//! per shop, plus a 200×200 block and a 50×10 ring) for benchmarks. `--minimal` keeps only
//! the required fields (order_id, buyer, shop, listing, time, amount).

use std::io::{self, BufWriter, Write};

use wangjian_brushing::synth::{generate, Attack, Camouflage, Honest, RingSignals};

fn main() -> io::Result<()> {
    let n: usize = std::env::args()
        .skip(1)
        .find_map(|a| a.parse().ok())
        .unwrap_or(1_000_000);
    let minimal = std::env::args().any(|a| a == "--minimal");
    let honest = Honest {
        buyers: (n / 6).max(100),
        shops: (n / 60).max(20),
        orders: n,
        seed: 18,
    };
    let traffic = generate(
        &honest,
        &[
            Attack::Block {
                accounts: 200,
                shops: 200,
                density: 0.1,
                camouflage: Camouflage::Random,
            },
            Attack::Ring {
                accounts: 50,
                shops: 10,
                density: 0.6,
                days: 5,
                signals: RingSignals {
                    shared_devices: true,
                    template_reviews: true,
                    tiny_amounts: false,
                    empty_parcels: false,
                },
            },
        ],
    );
    let mut out = BufWriter::with_capacity(1 << 20, io::stdout().lock());
    for l in &traffic.lines {
        match (minimal, l.find(r#","address""#)) {
            (true, Some(cut)) => {
                out.write_all(&l.as_bytes()[..cut])?;
                out.write_all(b"}\n")?;
            }
            _ => {
                out.write_all(l.as_bytes())?;
                out.write_all(b"\n")?;
            }
        }
    }
    out.flush()
}
