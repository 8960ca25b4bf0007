//! ARCHITECTURE.md's crate diagram is generated from the Cargo manifests: this test
//! fails when a crate gains or loses a `wangjian-*` dependency and the diagram does not
//! follow. Regenerate with `WANGJIAN_BLESS=1 cargo test -p wangjian-app --test
//! architecture`.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

const BEGIN: &str = "<!-- crate-diagram: generated from the Cargo manifests by crates/app/tests/architecture.rs -->";
const END: &str = "<!-- crate-diagram: end -->";

/// crate (short name) → its `wangjian-*` dependencies (normal, not dev or build).
fn manifests(root: &Path) -> BTreeMap<String, BTreeSet<String>> {
    let mut out = BTreeMap::new();
    for entry in std::fs::read_dir(root.join("crates")).unwrap() {
        let dir = entry.unwrap().path();
        let Ok(text) = std::fs::read_to_string(dir.join("Cargo.toml")) else {
            continue;
        };
        let name = dir.file_name().unwrap().to_string_lossy().into_owned();
        let mut deps = BTreeSet::new();
        let mut section = String::new();
        for line in text.lines() {
            let line = line.trim();
            if line.starts_with('[') {
                section = line.to_string();
                continue;
            }
            if section == "[dependencies]" {
                if let Some(rest) = line.strip_prefix("wangjian-") {
                    let dep: String = rest
                        .chars()
                        .take_while(|c| c.is_ascii_alphanumeric() || *c == '-')
                        .collect();
                    deps.insert(dep);
                }
            }
        }
        out.insert(name, deps);
    }
    out
}

/// The layered diagram: each crate on the layer above its highest dependency, with its
/// dependencies named.
fn diagram(deps: &BTreeMap<String, BTreeSet<String>>) -> String {
    let mut layer: BTreeMap<&str, usize> = BTreeMap::new();
    while layer.len() < deps.len() {
        let before = layer.len();
        for (c, ds) in deps {
            if layer.contains_key(c.as_str()) {
                continue;
            }
            if ds.iter().all(|d| layer.contains_key(d.as_str())) {
                let l = ds.iter().map(|d| layer[d.as_str()] + 1).max().unwrap_or(0);
                layer.insert(c, l);
            }
        }
        assert!(layer.len() > before, "a dependency cycle among {deps:?}");
    }
    let top = layer.values().copied().max().unwrap_or(0);
    let mut s = String::from("```\n");
    for l in (0..=top).rev() {
        let here: Vec<&str> = layer
            .iter()
            .filter(|(_, v)| **v == l)
            .map(|(c, _)| *c)
            .collect();
        for c in &here {
            let ds = &deps[*c];
            if ds.is_empty() {
                s.push_str(&format!("layer {l}  {c:<9}  (no wangjian crate)\n"));
            } else {
                let list: Vec<&str> = ds.iter().map(String::as_str).collect();
                s.push_str(&format!("layer {l}  {c:<9}  ──► {}\n", list.join(", ")));
            }
        }
    }
    s.push_str("```\n");
    s
}

#[test]
fn the_crate_diagram_shows_every_dependency() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let deps = manifests(&root);
    assert!(deps.len() >= 12, "{deps:?}");
    let want = format!("{BEGIN}\n{}{END}", diagram(&deps));
    let path = root.join("ARCHITECTURE.md");
    let doc = std::fs::read_to_string(&path).unwrap();
    let (Some(b), Some(e)) = (doc.find(BEGIN), doc.find(END)) else {
        panic!("ARCHITECTURE.md lacks the generated crate diagram; add\n{want}");
    };
    let have = &doc[b..e + END.len()];
    if have != want {
        if std::env::var("WANGJIAN_BLESS").as_deref() == Ok("1") {
            let new = format!("{}{want}{}", &doc[..b], &doc[e + END.len()..]);
            std::fs::write(&path, new).unwrap();
            return;
        }
        panic!(
            "ARCHITECTURE.md's crate diagram is stale (WANGJIAN_BLESS=1 regenerates it):\n{want}"
        );
    }
}
