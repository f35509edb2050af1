//! Tidy checks (rust-analyzer's idea): the house is as docs/ARCHITECTURE.md
//! says, and the rules that keep it so are checked by a machine.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// The backticked names in `text` that look like source files or folders
/// (`dossiers.rs`, `bench_*.rs`, `calendar/`), the part after a `/` for a
/// path inside a folder (`dossier/intake.rs` names `dossier/`).
fn named_files(text: &str) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    for (i, part) in text.split('`').enumerate() {
        if i % 2 == 0 || part.contains(' ') {
            continue;
        }
        let first = part.split('/').next().unwrap_or("");
        if part.ends_with(".rs") && !part.contains('/') {
            out.insert(part.to_string());
        } else if (part.ends_with('/') || part.ends_with(".rs"))
            && !first.is_empty()
            && !first.contains('.')
        {
            out.insert(format!("{first}/"));
        }
    }
    out
}

fn matches(pattern: &str, name: &str) -> bool {
    match pattern.split_once('*') {
        Some((a, b)) => name.starts_with(a) && name.ends_with(b) && name.len() >= a.len() + b.len(),
        None => pattern == name,
    }
}

/// The names of every source file and folder under `crates/*/src`, at any depth.
fn all_sources() -> BTreeSet<String> {
    fn walk(dir: &Path, out: &mut BTreeSet<String>) {
        for e in std::fs::read_dir(dir).into_iter().flatten().flatten() {
            let name = e.file_name().to_string_lossy().into_owned();
            if e.file_type().is_ok_and(|t| t.is_dir()) {
                out.insert(format!("{name}/"));
                walk(&e.path(), out);
            } else {
                out.insert(name);
            }
        }
    }
    let mut out = BTreeSet::new();
    for c in std::fs::read_dir(root().join("crates")).unwrap().flatten() {
        walk(&c.path().join("src"), &mut out);
    }
    out
}

/// The code map's section of each crate: `crates/NAME` → its text.
fn code_map() -> BTreeMap<String, String> {
    let doc = std::fs::read_to_string(root().join("docs/ARCHITECTURE.md")).unwrap();
    let mut out = BTreeMap::new();
    let mut current: Option<String> = None;
    for line in doc.lines() {
        if let Some(h) = line.strip_prefix("### `crates/") {
            let name = h.split('`').next().unwrap().to_string();
            current = Some(name.clone());
            out.insert(name, String::new());
            continue;
        }
        if line.starts_with("## ") || line.starts_with("### ") {
            current = None;
        }
        if let Some(c) = &current {
            let t = out.get_mut(c).unwrap();
            t.push_str(line);
            t.push('\n');
        }
    }
    out
}

/// Every module of every crate is named in the code map, and every file
/// the code map names exists.
#[test]
fn the_code_map_names_every_module_and_only_real_ones() {
    let map = code_map();
    let crates: Vec<String> = std::fs::read_dir(root().join("crates"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    let mut problems = Vec::new();
    for c in &crates {
        let Some(text) = map.get(c) else {
            problems.push(format!("crates/{c} has no section in the code map"));
            continue;
        };
        let src = root().join("crates").join(c).join("src");
        let mut on_disk = BTreeSet::new();
        for e in std::fs::read_dir(&src).unwrap() {
            let e = e.unwrap();
            let name = e.file_name().to_string_lossy().into_owned();
            if e.file_type().unwrap().is_dir() {
                on_disk.insert(format!("{name}/"));
            } else if name.ends_with(".rs") && name != "lib.rs" && name != "main.rs" {
                on_disk.insert(name);
            }
        }
        let named = named_files(text);
        for f in &on_disk {
            if !named.iter().any(|n| matches(n, f)) {
                problems.push(format!("crates/{c}/src/{f} is not in the code map"));
            }
        }
        for n in &named {
            let exists = on_disk.iter().any(|f| matches(n, f))
                || src.join(n.trim_end_matches('/')).exists()
                || n == "lib.rs"
                || n == "main.rs"
                || root().join(n.trim_end_matches('/')).exists()
                || root()
                    .join("crates")
                    .join(c)
                    .join(n.trim_end_matches('/'))
                    .exists();
            // Names of files in folders (`workspace/reception.rs`) and of
            // other crates' files count when they exist somewhere in the
            // workspace's sources.
            let elsewhere = all_sources().iter().any(|f| matches(n, f));
            if !exists && !elsewhere {
                problems.push(format!(
                    "the code map of crates/{c} names `{n}`, which does not exist"
                ));
            }
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

/// The packages `name` depends on, directly or not, from Cargo.lock.
fn dependencies_of(lock: &str, name: &str) -> BTreeSet<String> {
    let mut deps: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for pkg in lock.split("[[package]]").skip(1) {
        let field = |k: &str| {
            pkg.lines()
                .find_map(|l| l.strip_prefix(&format!("{k} = \"")))
                .map(|v| v.trim_end_matches('"').to_string())
        };
        let Some(n) = field("name") else { continue };
        let mut list = Vec::new();
        if let Some(start) = pkg.find("dependencies = [") {
            let rest = &pkg[start + "dependencies = [".len()..];
            let body = &rest[..rest.find(']').unwrap_or(rest.len())];
            for d in body.split(',') {
                let d = d.trim().trim_matches('"');
                if let Some(dn) = d.split(' ').next().filter(|s| !s.is_empty()) {
                    list.push(dn.to_string());
                }
            }
        }
        deps.entry(n).or_default().extend(list);
    }
    let mut seen = BTreeSet::new();
    let mut todo = vec![name.to_string()];
    while let Some(n) = todo.pop() {
        for d in deps.get(&n).into_iter().flatten() {
            if seen.insert(d.clone()) {
                todo.push(d.clone());
            }
        }
    }
    seen
}

/// Core stays pure: no database, no HTTP, no async runtime, not even
/// through another crate.
#[test]
fn core_depends_on_no_io() {
    let lock = std::fs::read_to_string(root().join("Cargo.lock")).unwrap();
    let deps = dependencies_of(&lock, "motcua-core");
    assert!(deps.contains("serde"), "Cargo.lock read wrongly: {deps:?}");
    for io in [
        "sqlx", "axum", "tokio", "hyper", "reqwest", "lettre", "typst",
    ] {
        assert!(!deps.contains(io), "motcua-core depends on {io}");
    }
    // And the store and docs crates never on the web.
    for (c, not) in [
        ("motcua-store", "motcua-web"),
        ("motcua-docs", "motcua-web"),
        ("motcua-docs", "motcua-store"),
    ] {
        assert!(
            !dependencies_of(&lock, c).contains(not),
            "{c} depends on {not}"
        );
    }
}
