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

/// The modules of a crate's `src/` (paths without `.rs`, `mod.rs` as its directory), with
/// the modules each refers to by `crate::…` or `super::…` (tests excluded).
fn module_graph(src: &Path) -> BTreeMap<String, BTreeSet<String>> {
    fn walk(dir: &Path, base: &Path, out: &mut Vec<(String, String)>) {
        for e in std::fs::read_dir(dir).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                walk(&p, base, out);
            } else if p.extension().is_some_and(|x| x == "rs") {
                let rel = p.strip_prefix(base).unwrap().with_extension("");
                let mut name = rel.to_string_lossy().replace('\\', "/");
                if let Some(parent) = name.strip_suffix("/mod") {
                    name = parent.to_string();
                }
                if name == "lib" || name == "main" || name.split('/').any(|s| s == "tests") {
                    continue;
                }
                out.push((name, std::fs::read_to_string(&p).unwrap()));
            }
        }
    }
    let mut files = Vec::new();
    walk(src, src, &mut files);
    let names: BTreeSet<String> = files.iter().map(|(n, _)| n.clone()).collect();
    // The longest module path `segments` names.
    let resolve = |segments: &[&str]| -> Option<String> {
        (1..=segments.len())
            .rev()
            .map(|k| segments[..k].join("/"))
            .find(|m| names.contains(m))
    };
    let mut graph = BTreeMap::new();
    for (name, text) in &files {
        let mut refs = BTreeSet::new();
        // Code only: up to the first `#[cfg(test)]` module.
        let code = text.split("#[cfg(test)]").next().unwrap_or_default();
        for (i, _) in code.match_indices("crate::") {
            let rest = &code[i + 7..];
            let path: Vec<&str> = rest
                .split(|c: char| !(c.is_ascii_alphanumeric() || c == '_' || c == ':'))
                .next()
                .unwrap_or_default()
                .split("::")
                .filter(|s| !s.is_empty())
                .collect();
            if let Some(m) = resolve(&path) {
                refs.insert(m);
            }
        }
        for (i, _) in code.match_indices("super::") {
            let parent: Vec<&str> = name.split('/').collect();
            // `super` of `a/b` (a file) is `a`; of `a` (a top module) the crate root.
            let base = &parent[..parent.len().saturating_sub(1)];
            let rest = &code[i + 7..];
            let tail: Vec<&str> = rest
                .split(|c: char| !(c.is_ascii_alphanumeric() || c == '_' || c == ':'))
                .next()
                .unwrap_or_default()
                .split("::")
                .filter(|s| !s.is_empty())
                .collect();
            let full: Vec<&str> = base.iter().copied().chain(tail).collect();
            if let Some(m) = resolve(&full) {
                refs.insert(m);
            }
        }
        refs.remove(name);
        graph.insert(name.clone(), refs);
    }
    graph
}

/// Is one module inside the other (`console` and `console/case`)?
fn nested(a: &str, b: &str) -> bool {
    a.starts_with(&format!("{b}/")) || b.starts_with(&format!("{a}/"))
}

/// The cycles of modules that are not nested in one another, each as a path.
fn sibling_cycles(graph: &BTreeMap<String, BTreeSet<String>>) -> Vec<Vec<String>> {
    let mut cycles = Vec::new();
    for start in graph.keys() {
        // Depth-first from `start`, looking for a way back to it.
        let mut stack = vec![(start.clone(), vec![start.clone()])];
        let mut seen = BTreeSet::new();
        while let Some((at, path)) = stack.pop() {
            for next in graph.get(&at).into_iter().flatten() {
                if nested(&at, next) {
                    continue;
                }
                if next == start {
                    let mut c = path.clone();
                    c.push(start.clone());
                    cycles.push(c);
                } else if seen.insert(next.clone()) {
                    let mut p = path.clone();
                    p.push(next.clone());
                    stack.push((next.clone(), p));
                }
            }
        }
    }
    cycles
}

#[test]
fn no_module_depends_on_a_module_that_depends_back() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    // The layers issue 15 untangled; `detect` still has circles (detector ↔ pack, listing ↔
    // fastjson) to untangle before it joins this list.
    for krate in ["store", "server", "app", "cli", "domain"] {
        let graph = module_graph(&root.join("crates").join(krate).join("src"));
        assert!(!graph.is_empty(), "{krate}");
        let cycles = sibling_cycles(&graph);
        assert!(
            cycles.is_empty(),
            "crates/{krate} has module circles (move the shared part below both):\n{}",
            cycles
                .iter()
                .map(|c| c.join(" → "))
                .collect::<Vec<_>>()
                .join("\n")
        );
    }
}

#[test]
fn the_circle_finder_finds_circles() {
    let g: BTreeMap<String, BTreeSet<String>> = [
        ("a", vec!["b"]),
        ("b", vec!["a"]),
        ("c", vec!["c/d"]),
        ("c/d", vec!["c"]),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_string(), v.into_iter().map(String::from).collect()))
    .collect();
    let c = sibling_cycles(&g);
    assert!(c.iter().any(|p| p == &["a", "b", "a"]), "{c:?}");
    assert!(c.iter().all(|p| !p.contains(&"c".to_string())), "{c:?}");
}
