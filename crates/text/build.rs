//! Turns the committed data files into sorted static tables, and refuses to build when a
//! data file is malformed: the library itself never parses data at run time.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::{env, fs, path::Path};

fn single_char(s: &str) -> Option<char> {
    let mut it = s.chars();
    let c = it.next()?;
    it.next().is_none().then_some(c)
}

fn main() {
    println!("cargo:rerun-if-changed=data/TSCharacters.txt");
    println!("cargo:rerun-if-changed=data/variants.tsv");
    let ts_text =
        fs::read_to_string("data/TSCharacters.txt").expect("reading data/TSCharacters.txt");
    let mut ts = BTreeMap::new();
    for (n, line) in ts_text.lines().enumerate() {
        if line.is_empty() {
            continue;
        }
        let (from, to) = line
            .split_once('\t')
            .unwrap_or_else(|| panic!("TSCharacters.txt line {}: no tab", n + 1));
        let first = to.split(' ').next().unwrap_or("");
        let (Some(f), Some(t)) = (single_char(from), single_char(first)) else {
            panic!(
                "TSCharacters.txt line {}: not one character each side",
                n + 1
            );
        };
        assert!(
            ts.insert(f, t).is_none(),
            "TSCharacters.txt line {}: duplicate {f}",
            n + 1
        );
    }

    let var_text = fs::read_to_string("data/variants.tsv").expect("reading data/variants.tsv");
    let mut variants = BTreeMap::new();
    for (n, line) in var_text.lines().enumerate() {
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let mut cols = line.split('\t');
        let (Some(from), Some(to), Some(note)) = (cols.next(), cols.next(), cols.next()) else {
            panic!("variants.tsv line {}: want FROM<TAB>TO<TAB>note", n + 1);
        };
        assert!(
            !note.trim().is_empty(),
            "variants.tsv line {}: empty note",
            n + 1
        );
        let (Some(f), Some(t)) = (single_char(from), single_char(to)) else {
            panic!("variants.tsv line {}: not one character each side", n + 1);
        };
        assert!(
            !ts.contains_key(&t),
            "variants.tsv line {}: target {t} is traditional",
            n + 1
        );
        assert!(
            variants.insert(f, t).is_none(),
            "variants.tsv line {}: duplicate {f}",
            n + 1
        );
    }
    for t in variants.values() {
        assert!(
            !variants.contains_key(t),
            "variants.tsv: target {t} is itself a variant"
        );
    }

    let mut out = String::new();
    for (name, map) in [("TS_CHARACTERS", &ts), ("VARIANTS", &variants)] {
        writeln!(out, "pub(crate) static {name}: &[(char, char)] = &[").ok();
        for (f, t) in map {
            writeln!(out, "    ({f:?}, {t:?}),").ok();
        }
        writeln!(out, "];").ok();
    }
    let dest = Path::new(&env::var("OUT_DIR").expect("OUT_DIR")).join("tables.rs");
    fs::write(dest, out).expect("writing tables.rs");
}
