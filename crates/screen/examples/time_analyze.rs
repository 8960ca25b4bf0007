//! Times the name analysis, the index and screening over a generated list (a profiling aid
//! for bench/screen.sh's data): `time_analyze LIST.jsonl [CANDIDATES.jsonl]`. With
//! `INDEX=FILE` the index is read from FILE when it exists (and written there when not).
use std::time::Instant;

use wangjian_screen::{analyze_name, Index, Options, Record};

/// CPU seconds (user + system) this process has used, from /proc/self/stat.
fn cpu() -> f64 {
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
    let after = stat.rsplit(')').next().unwrap_or("");
    let f: Vec<&str> = after.split_whitespace().collect();
    let ticks: f64 = f.get(11).and_then(|x| x.parse().ok()).unwrap_or(0.0)
        + f.get(12).and_then(|x| x.parse().ok()).unwrap_or(0.0);
    ticks / 100.0
}

fn records(path: &str) -> Vec<Record> {
    let text = std::fs::read_to_string(path).expect("readable JSON Lines");
    text.lines()
        .filter_map(|l| serde_json::from_str(l).ok())
        .collect()
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let saved = std::env::var("INDEX").ok();
    let idx = match saved.as_deref().and_then(|p| std::fs::read(p).ok()) {
        Some(bytes) => {
            let (t, c0) = (Instant::now(), cpu());
            let idx = Index::from_bytes(&bytes).expect("index bytes");
            println!(
                "from_bytes: {:.2}s wall, {:.2} CPU s",
                t.elapsed().as_secs_f64(),
                cpu() - c0
            );
            idx
        }
        None => {
            let recs = records(&args[1]);
            let (t, c0) = (Instant::now(), cpu());
            let n: usize = recs
                .iter()
                .filter_map(|r| r.name.as_deref())
                .map(|n| analyze_name(n).core.len())
                .sum();
            println!(
                "analyze_name of {} records (1 thread): {:.2}s wall, {:.2} CPU s ({n})",
                recs.len(),
                t.elapsed().as_secs_f64(),
                cpu() - c0
            );
            let (t, c0) = (Instant::now(), cpu());
            let idx = Index::build(recs).expect("index");
            println!(
                "Index::build (all threads): {:.2}s wall, {:.2} CPU s",
                t.elapsed().as_secs_f64(),
                cpu() - c0
            );
            if let Some(p) = &saved {
                std::fs::write(p, idx.to_bytes()).expect("write index");
            }
            idx
        }
    };
    if let Some(c) = args.get(2) {
        let cands = records(c);
        let o = Options::default();
        let (t, c0) = (Instant::now(), cpu());
        let m: usize = cands.iter().map(|c| idx.screen(c, &o).matches.len()).sum();
        let (s, cs) = (t.elapsed().as_secs_f64(), cpu() - c0);
        println!("screen {} candidates (1 thread): {s:.2}s wall = {:.0}/s; {cs:.2} CPU s = {:.0} per CPU-s ({m} matches)", cands.len(), cands.len() as f64 / s, cands.len() as f64 / cs);
    }
}
