//! Screening quality on labelled pairs of real enterprise names (`tests/data/name_pairs.tsv`):
//! one index holds every listed name (with its former names), each candidate is screened
//! against all of them, and the answer for its listed subject is judged.
//!
//! - `same` pairs must come back as `match` with relation `same` (recall), and nothing
//!   else may (precision: a `different` or `related` pair answered `match` is a false
//!   positive);
//! - `related` pairs must come back with relation `related`;
//! - at the `possible` level every `same` pair should at least be reported.
//!
//! `cargo test -p wangjian-screen --test quality -- --nocapture` prints the table
//! (bench/screen.sh copies it into bench/results-screen.md).

use std::collections::HashMap;

use wangjian_screen::{Decision, Index, Options, Record, Relation};

const PAIRS: &str = include_str!("data/name_pairs.tsv");
const HOLDOUT: &str = include_str!("data/name_pairs_holdout.tsv");

struct Pair {
    listed: &'static str,
    candidate: &'static str,
    label: &'static str,
    note: &'static str,
}

fn pairs(text: &'static str) -> (Vec<Pair>, Index, HashMap<&'static str, String>) {
    let mut pairs = Vec::new();
    let mut listed: HashMap<&'static str, (String, Vec<String>)> = HashMap::new();
    for (n, line) in text.lines().enumerate() {
        if line.starts_with('#') || line.starts_with("listed\t") || line.trim().is_empty() {
            continue;
        }
        let f: Vec<&'static str> = line.split('\t').collect();
        assert_eq!(f.len(), 5, "line {}: {line}", n + 1);
        assert!(
            ["same", "different", "related"].contains(&f[2]),
            "line {}: label {}",
            n + 1,
            f[2]
        );
        let next = listed.len();
        let e = listed
            .entry(f[0])
            .or_insert_with(|| (format!("L{next}"), Vec::new()));
        for former in f[3].split('|').filter(|s| !s.is_empty()) {
            if !e.1.iter().any(|x| x == former) {
                e.1.push(former.to_string());
            }
        }
        pairs.push(Pair {
            listed: f[0],
            candidate: f[1],
            label: f[2],
            note: f[4],
        });
    }
    let index = Index::build(listed.iter().map(|(name, (id, former))| Record {
        id: Some(id.clone()),
        name: Some(name.to_string()),
        former_names: former.clone(),
        ..Record::default()
    }))
    .expect("every listed name is a valid entry");
    let ids = listed.into_iter().map(|(n, (id, _))| (n, id)).collect();
    (pairs, index, ids)
}

/// (precision, recall, same pairs reported, related pairs answered related), after printing
/// the table and every miss.
fn evaluate(text: &'static str) -> (f64, f64, f64, f64) {
    let (pairs, index, ids) = pairs(text);
    let options = Options::default();
    let (mut tp, mut fn_, mut fp, mut tn) = (0, 0, 0, 0);
    let (mut same_reported, mut same_total) = (0, 0);
    let (mut related_ok, mut related_total) = (0, 0);
    let mut different_total = 0;
    let mut misses = Vec::new();
    for p in &pairs {
        let got = index.screen(
            &Record {
                id: Some("c".into()),
                name: Some(p.candidate.into()),
                ..Record::default()
            },
            &options,
        );
        let id = &ids[p.listed];
        let m = got.matches.iter().find(|m| &m.id == id);
        let is_match = m.is_some_and(|m| m.decision == Decision::Match);
        let shown = m.map_or("not reported".to_string(), |m| {
            format!(
                "{:?} {:?} {:?} {:.3}",
                m.decision, m.relation, m.related_as, m.score
            )
        });
        match p.label {
            "same" => {
                same_total += 1;
                same_reported += usize::from(m.is_some());
                if is_match && m.is_some_and(|m| m.relation == Relation::Same) {
                    tp += 1;
                } else {
                    fn_ += 1;
                    misses.push(format!(
                        "missed same: {} / {} ({}): {shown}",
                        p.listed, p.candidate, p.note
                    ));
                }
            }
            "different" => {
                different_total += 1;
                if is_match {
                    fp += 1;
                    misses.push(format!(
                        "false match: {} / {} ({}): {shown}",
                        p.listed, p.candidate, p.note
                    ));
                } else {
                    tn += 1;
                }
            }
            _ => {
                related_total += 1;
                if is_match {
                    fp += 1;
                }
                if m.is_some_and(|m| m.relation == Relation::Related) && !is_match {
                    related_ok += 1;
                } else {
                    misses.push(format!(
                        "related: {} / {} ({}): {shown}",
                        p.listed, p.candidate, p.note
                    ));
                }
            }
        }
    }
    let precision = tp as f64 / (tp + fp).max(1) as f64;
    let recall = tp as f64 / (tp + fn_).max(1) as f64;
    let possible_recall = same_reported as f64 / same_total.max(1) as f64;
    let related = related_ok as f64 / related_total.max(1) as f64;
    println!("| pairs | same | different | related |");
    println!("|---|---|---|---|");
    println!(
        "| {} | {} | {} | {} |",
        pairs.len(),
        same_total,
        different_total,
        related_total
    );
    println!();
    println!("| measure | value |");
    println!("|---|---|");
    println!("| precision of `match` (same pairs among all pairs answered `match`) | {precision:.3} ({tp}/{}) |", tp + fp);
    println!("| recall of `match` (same pairs answered `match`, relation `same`) | {recall:.3} ({tp}/{same_total}) |");
    println!("| same pairs reported at all (`match` or `possible`) | {possible_recall:.3} ({same_reported}/{same_total}) |");
    println!("| related pairs answered `related`, not `match` | {related:.3} ({related_ok}/{related_total}) |");
    println!("| different pairs not answered `match` | {tn} of {different_total} |");
    println!();
    for m in &misses {
        println!("- {m}");
    }
    (precision, recall, possible_recall, related)
}

#[test]
fn precision_and_recall_on_labelled_pairs() {
    println!("### Development set (tests/data/name_pairs.tsv)\n");
    let (precision, recall, reported, related) = evaluate(PAIRS);
    assert!(precision >= 0.97, "precision {precision:.3}");
    assert!(recall >= 0.9, "recall {recall:.3}");
    assert!(reported >= 0.97, "reported {reported:.3}");
    assert!(related >= 0.9, "related {related:.3}");
}

#[test]
fn precision_and_recall_on_held_out_pairs() {
    println!("### Held-out set (tests/data/name_pairs_holdout.tsv)\n");
    let (precision, recall, reported, related) = evaluate(HOLDOUT);
    assert!(precision >= 0.9, "precision {precision:.3}");
    assert!(recall >= 0.85, "recall {recall:.3}");
    assert!(reported >= 0.9, "reported {reported:.3}");
    assert!(related >= 0.8, "related {related:.3}");
}
