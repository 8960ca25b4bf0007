//! Golden file: `tests/golden/normalize.txt` holds real-looking listing lines as
//! `INPUT<TAB>MATCH FORM<TAB>PINYIN`; `\u{XXXX}` in INPUT stands for that code point.
//! Run with `WANGJIAN_BLESS=1` to rewrite the expected columns after a deliberate change
//! (then review the diff).

use std::fmt::Write as _;

use wangjian_text::{normalize, pinyin};

const PATH: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/golden/normalize.txt");

fn unescape(s: &str) -> String {
    let mut out = String::new();
    let mut rest = s;
    while let Some(i) = rest.find("\\u{") {
        out.push_str(&rest[..i]);
        let after = &rest[i + 3..];
        let Some(close) = after.find('}') else {
            out.push_str(&rest[i..]);
            return out;
        };
        match u32::from_str_radix(&after[..close], 16)
            .ok()
            .and_then(char::from_u32)
        {
            Some(c) => out.push(c),
            None => panic!("bad escape in golden input: {s}"),
        }
        rest = &after[close + 1..];
    }
    out.push_str(rest);
    out
}

#[test]
fn golden_normalize_and_pinyin() {
    let text = std::fs::read_to_string(PATH).expect("reading golden file");
    let bless = std::env::var_os("WANGJIAN_BLESS").is_some();
    let mut rewritten = String::new();
    let mut failures = Vec::new();
    let mut cases = 0;
    for (n, line) in text.lines().enumerate() {
        if line.starts_with('#') || line.trim().is_empty() {
            rewritten.push_str(line);
            rewritten.push('\n');
            continue;
        }
        let mut cols = line.split('\t');
        let input = cols.next().unwrap_or_default();
        let want_form = cols.next().unwrap_or_default();
        let want_pinyin = cols.next().unwrap_or_default();
        let raw = unescape(input);
        let form = normalize(&raw);
        let py = pinyin(&raw);
        cases += 1;
        if form.as_str() != want_form || py.as_str() != want_pinyin {
            failures.push(format!(
                "line {}: {input}\n  want {want_form} | {want_pinyin}\n  got  {} | {}",
                n + 1,
                form.as_str(),
                py.as_str()
            ));
        }
        let _ = writeln!(rewritten, "{input}\t{}\t{}", form.as_str(), py.as_str());
    }
    if bless {
        std::fs::write(PATH, rewritten).expect("writing golden file");
        return;
    }
    assert!(cases >= 20, "golden file has only {cases} cases");
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
