//! `wangjian brushing detect`: groups out, bad lines reported with their numbers, CSV.

mod common;

use common::{stderr, stdout, wangjian};
use wangjian_brushing::synth::{generate, Attack, Honest, RingSignals};

fn orders_with_a_ring() -> (String, Vec<String>) {
    let traffic = generate(
        &Honest {
            buyers: 6_000,
            shops: 600,
            orders: 36_000,
            seed: 3,
        },
        &[Attack::Ring {
            accounts: 30,
            shops: 6,
            density: 0.7,
            days: 4,
            signals: RingSignals {
                shared_devices: true,
                template_reviews: true,
                tiny_amounts: false,
                empty_parcels: true,
            },
        }],
    );
    let mut lines = traffic.lines.clone();
    // Two bad lines (numbers 3 and 6 once inserted) and a re-delivered order.
    lines.insert(2, "not json".to_string());
    lines.insert(5, r#"{"order_id":"x","buyer":"b","shop":"s","listing":"l","time":"2026-11-31T00:00:00+08:00","amount":1}"#.to_string());
    lines.push(traffic.lines[0].clone());
    let mut ring: Vec<String> = traffic.fraud_accounts.into_iter().collect();
    ring.sort();
    (lines.join("\n") + "\n", ring)
}

#[test]
fn finds_the_ring_reports_bad_lines_and_exits_1() {
    let (input, ring) = orders_with_a_ring();
    let o = wangjian(&["brushing", "detect"], input.as_bytes());
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    let err = stderr(&o);
    assert!(err.contains("<stdin>:3: not an order object"), "{err}");
    assert!(err.contains("<stdin>:6: field `time`"), "{err}");
    assert!(err.contains("1 re-delivered"), "{err}");
    let out = stdout(&o);
    let groups: Vec<serde_json::Value> = out
        .lines()
        .map(|l| serde_json::from_str(l).expect("json"))
        .collect();
    assert!(!groups.is_empty(), "{err}");
    let top = &groups[0];
    assert_eq!(top["decision"], "suspicious");
    let accounts: Vec<String> = top["accounts"]
        .as_array()
        .expect("accounts")
        .iter()
        .map(|a| a.as_str().expect("str").to_string())
        .collect();
    // Every account of the group is of the ring, and nearly all of the ring is there (an
    // account with one order may stay below the bar).
    assert!(accounts.iter().all(|a| ring.contains(a)), "{accounts:?}");
    assert!(accounts.len() * 10 >= ring.len() * 9, "{accounts:?}");
    assert_eq!(top["shops"].as_array().map(Vec::len), Some(6));
    assert_eq!(
        top["evidence"].as_array().map(Vec::len),
        top["orders"].as_u64().map(|n| n as usize)
    );
    let codes: Vec<&str> = top["reasons"]
        .as_array()
        .expect("reasons")
        .iter()
        .filter_map(|r| r["code"].as_str())
        .collect();
    assert!(
        codes.contains(&"shared_device") && codes.contains(&"empty_parcel"),
        "{codes:?}"
    );
    assert!(top["window"]["first"]
        .as_str()
        .expect("first")
        .ends_with("+08:00"));
}

#[test]
fn csv_output_has_one_row_per_group() {
    let (input, _) = orders_with_a_ring();
    let o = wangjian(&["brushing", "detect", "--format", "csv"], input.as_bytes());
    let out = stdout(&o);
    let mut lines = out.lines();
    assert_eq!(
        lines.next(),
        Some("group_id,score,decision,accounts,shops,listings,orders,first,last,reasons,evidence")
    );
    assert!(lines.next().is_some_and(|l| l.contains(",suspicious,")));
}

#[test]
fn empty_input_is_no_group() {
    let o = wangjian(&["brushing", "detect"], b"");
    assert_eq!(o.status.code(), Some(0));
    assert_eq!(stdout(&o), "");
}

#[test]
fn a_line_longer_than_a_window_is_one_bad_line() {
    let long = format!("{{\"order_id\":\"{}\"", "x".repeat(9 << 20));
    let input = format!(
        "{long}\n{}\n",
        r#"{"order_id":"o","buyer":"b","shop":"s","listing":"l","time":"2026-11-01T00:00:00Z","amount":1}"#
    );
    let o = wangjian(&["brushing", "detect"], input.as_bytes());
    let err = stderr(&o);
    assert_eq!(o.status.code(), Some(1), "{err}");
    assert_eq!(err.matches("<stdin>:1:").count(), 1, "{err}");
    assert!(!err.contains("<stdin>:2:"), "{err}");
    assert!(err.contains("wangjian: 1 orders"), "{err}");
}
