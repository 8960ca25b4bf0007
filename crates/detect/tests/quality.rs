//! Precision and recall per reason code on the labelled set (`tests/data/labelled.jsonl`,
//! written by `make_labelled.py` from the cases before the detector was tuned,
//! with its own marks file `tests/data/marks.csv`).

use std::collections::BTreeSet;

use wangjian_detect::{parse_marks, Code, Detector, Level, Listing, RulePack};

#[test]
fn precision_and_recall_per_reason() {
    let pack = RulePack::embedded().expect("embedded pack");
    let marks = parse_marks("marks.csv", include_str!("data/marks.csv")).expect("marks");
    let d = Detector::build(pack, marks).expect("build");
    let data = include_str!("data/labelled.jsonl");
    let mut tp = [0u32; 9];
    let mut fp = [0u32; 9];
    let mut fn_ = [0u32; 9];
    let mut misses = Vec::new();
    let mut traps_high = Vec::new();
    let mut n = 0;
    for line in data.lines() {
        let v: serde_json::Value = serde_json::from_str(line).expect("json");
        let listing = Listing::from_json(line).expect("listing");
        let expect: BTreeSet<Code> = v["expect"]
            .as_array()
            .expect("expect")
            .iter()
            .map(|c| Code::parse(c.as_str().unwrap_or("")).expect("known code"))
            .collect();
        let verdict = d.scan(&listing);
        let got: BTreeSet<Code> = verdict.reasons.iter().map(|r| r.code).collect();
        n += 1;
        for (i, c) in Code::ALL.iter().enumerate() {
            match (expect.contains(c), got.contains(c)) {
                (true, true) => tp[i] += 1,
                (false, true) => fp[i] += 1,
                (true, false) => fn_[i] += 1,
                _ => {}
            }
        }
        if expect != got {
            misses.push(format!(
                "{} {} expect {:?} got {:?}",
                listing.id, listing.title, expect, got
            ));
        }
        let note = v["note"].as_str().unwrap_or("");
        // Traps are never counterfeit leads: no full-weight mark, never high, and at most
        // low unless a licence or other non-counterfeit duty is expected.
        let trap = matches!(
            note,
            "trap" | "genuine authorized" | "descriptive use" | "prohibited trap"
        );
        let full_mark = verdict
            .reasons
            .iter()
            .any(|r| r.code == Code::Mark && r.weight >= d.policy().mark_weight);
        let only_counterfeit_codes = !expect.contains(&Code::RegulatedNoLicense);
        if trap
            && ((note != "genuine authorized" && full_mark)
                || verdict.level == Level::High
                || (only_counterfeit_codes && verdict.level > Level::Low))
        {
            traps_high.push(format!(
                "{} {} {:?}",
                listing.id, listing.title, verdict.level
            ));
        }
    }
    println!("{n} labelled listings");
    println!("| code | tp | fp | fn | precision | recall |");
    println!("|---|---|---|---|---|---|");
    let mut failures = Vec::new();
    for (i, c) in Code::ALL.iter().enumerate() {
        let p = tp[i] as f64 / (tp[i] + fp[i]).max(1) as f64;
        let r = tp[i] as f64 / (tp[i] + fn_[i]).max(1) as f64;
        println!(
            "| {} | {} | {} | {} | {:.3} | {:.3} |",
            c.as_str(),
            tp[i],
            fp[i],
            fn_[i],
            p,
            r
        );
        if tp[i] + fn_[i] == 0 {
            failures.push(format!("{} has no labelled example", c.as_str()));
        }
        if p < 0.9 || r < 0.9 {
            failures.push(format!("{}: precision {p:.3} recall {r:.3}", c.as_str()));
        }
    }
    for m in &misses {
        println!("miss: {m}");
    }
    assert!(n >= 300, "labelled set too small: {n}");
    assert!(traps_high.is_empty(), "traps above low: {traps_high:#?}");
    assert!(failures.is_empty(), "{failures:#?}");
}
