//! Times the name analysis and the index over a list: `time_analyze LIST.jsonl [CANDIDATES.jsonl]`.
use std::time::Instant;

/// CPU seconds (user + system) this process has used, from /proc/self/stat.
fn cpu() -> f64 {
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
    let after = stat.rsplit(')').next().unwrap_or("");
    let f: Vec<&str> = after.split_whitespace().collect();
    let ticks: f64 = f.get(11).and_then(|x| x.parse().ok()).unwrap_or(0.0)
        + f.get(12).and_then(|x| x.parse().ok()).unwrap_or(0.0);
    ticks / 100.0
}
fn main() {
    let args: Vec<String> = std::env::args().collect();
    let text = std::fs::read_to_string(&args[1]).expect("list");
    let t = Instant::now();
    let recs: Vec<wangjian_screen::Record> = text
        .lines()
        .filter_map(|l| serde_json::from_str(l).ok())
        .collect();
    println!(
        "parse {} records: {:.2}s",
        recs.len(),
        t.elapsed().as_secs_f64()
    );
    let t = Instant::now();
    let c0 = cpu();
    let mut n = 0usize;
    for r in &recs {
        if let Some(name) = &r.name {
            n += wangjian_screen::analyze_name(name).core.len();
        }
    }
    println!(
        "analyze_name (1 thread): {:.2}s wall, {:.2} CPU s ({n})",
        t.elapsed().as_secs_f64(),
        cpu() - c0
    );
    let t = Instant::now();
    let mut k = 0usize;
    for r in &recs {
        k += r.idents().len();
    }
    println!("idents (1 thread): {:.2}s ({k})", t.elapsed().as_secs_f64());
    let t = Instant::now();
    let c0 = cpu();
    let idx = wangjian_screen::Index::build(recs).expect("index");
    println!(
        "Index::build (all threads): {:.2}s wall, {:.2} CPU s",
        t.elapsed().as_secs_f64(),
        cpu() - c0
    );
    if let Some(c) = args.get(2) {
        let text = std::fs::read_to_string(c).expect("candidates");
        let cands: Vec<wangjian_screen::Record> = text
            .lines()
            .filter_map(|l| serde_json::from_str(l).ok())
            .collect();
        let o = wangjian_screen::Options::default();
        let t = Instant::now();
        let c0 = cpu();
        let mut m = 0usize;
        for c in &cands {
            m += idx.screen(c, &o).matches.len();
        }
        let s = t.elapsed().as_secs_f64();
        let cs = cpu() - c0;
        println!("screen {} candidates (1 thread): {s:.2}s wall = {:.0}/s; {cs:.2} CPU s = {:.0} per CPU-s ({m} matches)", cands.len(), cands.len() as f64 / s, cands.len() as f64 / cs);
    }
}
