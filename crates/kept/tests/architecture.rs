//! The house rules of DEVELOPERS.md, checked on the sources so that they stay kept: only
//! kept-app (and the tests) may depend on the store; no import cycles between the modules of
//! a crate; no production file over 1,000 lines and no production function over 80; no status,
//! kind, direction, outcome or role written as a quoted literal in the store's SQL (the enums'
//! `sql()` codes are used, so a typo cannot compile).
//!
//! The reading of the sources is deliberately simple (paths written `crate::…` and
//! `super::…`, functions that open on one line and close at their own indentation): rustfmt
//! writes them that way, and the tests at the end show that each check catches what it is for.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

const MAX_FILE_LINES: usize = 1_000;
const MAX_FUNCTION_LINES: usize = 80;

fn crates_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// Every `.rs` file under `dir`, with its module path (`http::customers::pages`; "" is the root).
fn modules(dir: &Path) -> BTreeMap<String, String> {
    let mut found = BTreeMap::new();
    let mut pending = vec![dir.to_path_buf()];
    while let Some(next) = pending.pop() {
        for entry in std::fs::read_dir(&next).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                pending.push(path);
            } else if path.extension().is_some_and(|e| e == "rs") {
                let relative = path.strip_prefix(dir).unwrap().with_extension("");
                let parts: Vec<String> = relative.iter().map(|p| p.to_string_lossy().into_owned()).collect();
                let mut module = parts.join("::");
                if let Some(parent) = module.strip_suffix("::mod") {
                    module = parent.to_string();
                }
                if module == "lib" || module == "main" {
                    module = String::new();
                }
                found.insert(module, std::fs::read_to_string(&path).unwrap());
            }
        }
    }
    found
}

/// The production part of a file: everything before its `#[cfg(test)]` module.
fn production(source: &str) -> &str {
    source.find("#[cfg(test)]").map_or(source, |at| &source[..at])
}

/// The modules `module` uses, among `known`: `crate::a::b` and `super::c`, braces included.
fn uses(module: &str, source: &str, known: &BTreeSet<String>) -> BTreeSet<String> {
    let parent = module.rsplit_once("::").map_or("", |(p, _)| p);
    let text = production(source);
    let mut found = BTreeSet::new();
    for (prefix, base) in [("crate::", ""), ("super::", parent)] {
        for (at, _) in text.match_indices(prefix) {
            let before = text[..at].chars().last();
            if before.is_some_and(|c| c.is_alphanumeric() || c == '_') {
                continue;
            }
            for path in paths_after(&text[at + prefix.len()..]) {
                let full = if base.is_empty() {
                    path
                } else {
                    format!("{base}::{path}")
                };
                if let Some(target) = longest_module(&full, known)
                    && !target.is_empty()
                    && target != module
                    && !module.starts_with(&format!("{target}::"))
                {
                    found.insert(target);
                }
            }
        }
    }
    found
}

/// `a::b::{c, d::e}` → ["a::b::c", "a::b::d::e", "a::b"]; `a::b` → ["a::b"].
fn paths_after(rest: &str) -> Vec<String> {
    let end = rest
        .find(|c: char| !(c.is_alphanumeric() || c == '_' || c == ':' || c == '{'))
        .unwrap_or(rest.len());
    let head = &rest[..end];
    match head.split_once('{') {
        Some((base, _)) => {
            let base = base.trim_end_matches("::");
            let inner = &rest[base.len() + 3..];
            let inner = &inner[..inner.find('}').unwrap_or(inner.len())];
            let mut all: Vec<String> = inner
                .split(',')
                .map(|item| item.trim().split([' ', '{']).next().unwrap_or("").to_string())
                .filter(|item| !item.is_empty())
                .map(|item| format!("{base}::{item}"))
                .collect();
            all.push(base.to_string());
            all
        }
        None => vec![head.trim_end_matches("::").to_string()],
    }
}

fn longest_module(path: &str, known: &BTreeSet<String>) -> Option<String> {
    let parts: Vec<&str> = path.split("::").collect();
    (1..=parts.len())
        .rev()
        .map(|n| parts[..n].join("::"))
        .find(|candidate| known.contains(candidate))
}

/// The groups of modules that import each other round (strongly connected, two or more).
fn cycles(graph: &BTreeMap<String, BTreeSet<String>>) -> Vec<Vec<String>> {
    // Reachability is enough at this size (a few hundred modules): a and b are in one cycle
    // when each reaches the other.
    let reach = |from: &String| {
        let mut seen = BTreeSet::new();
        let mut pending = vec![from.clone()];
        while let Some(next) = pending.pop() {
            for target in graph.get(&next).into_iter().flatten() {
                if seen.insert(target.clone()) {
                    pending.push(target.clone());
                }
            }
        }
        seen
    };
    let reached: BTreeMap<&String, BTreeSet<String>> = graph.keys().map(|m| (m, reach(m))).collect();
    let mut groups: Vec<Vec<String>> = Vec::new();
    for (module, from_here) in &reached {
        let group: Vec<String> = from_here
            .iter()
            .filter(|other| reached.get(other).is_some_and(|back| back.contains(*module)))
            .cloned()
            .collect();
        if group.len() > 1 && !groups.contains(&group) {
            groups.push(group);
        }
    }
    groups
}

fn import_graph(sources: &BTreeMap<String, String>) -> BTreeMap<String, BTreeSet<String>> {
    let known: BTreeSet<String> = sources.keys().cloned().collect();
    sources
        .iter()
        .map(|(module, source)| (module.clone(), uses(module, source, &known)))
        .collect()
}

/// Functions longer than the limit: (name, lines).
fn long_functions(source: &str) -> Vec<(String, usize)> {
    let lines: Vec<&str> = production(source).lines().collect();
    let mut long = Vec::new();
    let mut at = 0;
    while at < lines.len() {
        let line = lines[at];
        let indent = line.len() - line.trim_start().len();
        let head = line.trim_start();
        let is_fn = [
            "fn ",
            "pub fn ",
            "async fn ",
            "pub async fn ",
            "pub(crate) fn ",
            "pub(crate) async fn ",
        ]
        .iter()
        .chain(["pub(super) fn ", "pub(super) async fn ", "const fn ", "pub const fn "].iter())
        .any(|start| head.starts_with(start));
        if !is_fn {
            at += 1;
            continue;
        }
        let name = head
            .split("fn ")
            .nth(1)
            .unwrap_or("")
            .split(['(', '<'])
            .next()
            .unwrap_or("")
            .to_string();
        // The signature ends at `{` (a body follows), `;` (a declaration) or `}` (a body on
        // the same line).
        let ends = |k: usize| lines[k].trim_end().ends_with(['{', ';', '}']);
        let open = (at..lines.len()).find(|&k| ends(k)).unwrap_or(lines.len());
        if open >= lines.len() || !lines[open].trim_end().ends_with('{') {
            at = open + 1;
            continue;
        }
        let close = format!("{}}}", " ".repeat(indent));
        let end = (open + 1..lines.len())
            .find(|&k| lines[k] == close)
            .unwrap_or(lines.len() - 1);
        if end - at + 1 > MAX_FUNCTION_LINES {
            long.push((name, end - at + 1));
        }
        at = end + 1;
    }
    long
}

fn all_crates() -> Vec<PathBuf> {
    let mut crates: Vec<PathBuf> = std::fs::read_dir(crates_dir())
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.join("Cargo.toml").exists())
        .collect();
    crates.sort();
    crates
}

#[test]
fn only_kept_app_depends_on_the_store() {
    for krate in all_crates() {
        let manifest = std::fs::read_to_string(krate.join("Cargo.toml")).unwrap();
        let name = krate.file_name().unwrap().to_string_lossy().into_owned();
        let dependencies = manifest
            .split("\n[")
            .find(|section| section.starts_with("dependencies]"))
            .unwrap_or("");
        let on_store = dependencies.lines().any(|l| l.starts_with("kept-store"));
        let allowed = name == "kept-app";
        assert!(
            !on_store || allowed,
            "{name} depends on kept-store; only kept-app may (tests aside)"
        );
    }
}

#[test]
fn no_import_cycles_between_modules() {
    for krate in all_crates() {
        let groups = cycles(&import_graph(&modules(&krate.join("src"))));
        assert!(
            groups.is_empty(),
            "{}: modules that import each other: {groups:?}",
            krate.display()
        );
    }
}

#[test]
fn no_production_file_or_function_is_too_long() {
    let mut too_long = Vec::new();
    for krate in all_crates() {
        for (module, source) in modules(&krate.join("src")) {
            let name = format!("{}::{module}", krate.file_name().unwrap().to_string_lossy());
            // A test file is not production code (tests/… outside src, *_tests.rs inside).
            if module.ends_with("tests") {
                continue;
            }
            let lines = production(&source).lines().count();
            if lines > MAX_FILE_LINES {
                too_long.push(format!("{name}: {lines} lines"));
            }
            for (function, lines) in long_functions(&source) {
                too_long.push(format!("{name}::{function}: {lines} lines"));
            }
        }
    }
    assert!(too_long.is_empty(), "over the limits: {too_long:#?}");
}

// The checks themselves, on made-up sources: each finds what it is for.

/// Quoted codes compared with or set on a typed column in SQL text: `p.status = 'open'`,
/// `kind IN ('csat', 'nps')`, `status <> 'resolved'`.
fn literal_codes(source: &str) -> Vec<String> {
    let pattern = regex::Regex::new(r"\b(status|kind|direction|outcome|role)\s*(=|<>|!=|IN)\s*\(?'[a-z_]+'").unwrap();
    pattern
        .find_iter(production(source))
        .map(|m| m.as_str().to_string())
        .collect()
}

#[test]
fn the_store_writes_statuses_and_kinds_through_their_enums() {
    let store = modules(&crates_dir().join("kept-store/src"));
    let found: Vec<(String, Vec<String>)> = store
        .iter()
        .map(|(module, source)| (module.clone(), literal_codes(source)))
        .filter(|(_, codes)| !codes.is_empty())
        .collect();
    assert!(found.is_empty(), "use the enum's sql() code instead: {found:?}");
    // The check sees what it is for, and not a bound parameter.
    let sample = "\"SELECT 1 FROM promises p WHERE p.status = 'open' AND kind IN ('csat', 'nps') AND role = $1\"";
    assert_eq!(literal_codes(sample), ["status = 'open'", "kind IN ('csat'"]);
}

#[test]
fn templates_decide_on_flags_and_enums_never_on_string_literals() {
    let dir = crates_dir().join("kept-server/templates");
    let comparison = regex::Regex::new(r#"(==|!=)\s*""#).unwrap();
    let mut found = Vec::new();
    for entry in std::fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        let text = std::fs::read_to_string(&path).unwrap();
        for line in text.lines().filter(|line| comparison.is_match(line)) {
            found.push(format!("{}: {}", path.display(), line.trim()));
        }
    }
    assert!(found.is_empty(), "give the page a flag or a list instead: {found:#?}");
    assert!(
        comparison.is_match(r#"{% if w.kind == "within" %}"#),
        "the check sees one"
    );
}

#[test]
fn a_cycle_through_super_and_braces_is_found() {
    let sources = BTreeMap::from([
        ("http::a".to_string(), "use super::b::{self, Thing};".to_string()),
        ("http::b".to_string(), "use crate::http::{c::x, d};".to_string()),
        ("http::c".to_string(), "fn f() { crate::http::a::g(); }".to_string()),
        ("http::d".to_string(), "// uses nothing".to_string()),
        ("http".to_string(), "mod a; mod b; mod c; mod d;".to_string()),
    ]);
    let groups = cycles(&import_graph(&sources));
    assert_eq!(
        groups,
        vec![vec!["http::a".to_string(), "http::b".into(), "http::c".into()]]
    );
}

#[test]
fn a_long_function_is_found_and_a_test_module_is_not_counted() {
    let body = "    let x = 1;\n".repeat(MAX_FUNCTION_LINES);
    let source = format!(
        "fn short() {{}}\npub async fn long(\n    a: u8,\n) -> u8 {{\n{body}    a\n}}\n\n#[cfg(test)]\nmod tests {{\n    fn also_long() {{\n{body}    }}\n}}\n"
    );
    assert_eq!(
        long_functions(&source),
        vec![("long".to_string(), MAX_FUNCTION_LINES + 5)]
    );
}
