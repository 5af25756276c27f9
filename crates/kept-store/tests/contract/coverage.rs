//! Every method of every store trait is called by this contract suite, so each one is checked on
//! both databases: a new method without a contract test fails here.

use std::collections::BTreeSet;
use std::path::Path;

/// `(trait, method)` for every method declared in a `pub trait` of these sources.
fn trait_methods(sources: &[String]) -> BTreeSet<(String, String)> {
    let declaration = regex::Regex::new(r"(?s)pub trait (\w+)[^{]*\{(.*?)\n\}").unwrap();
    let method = regex::Regex::new(r"\n    (?:async )?fn (\w+)").unwrap();
    let mut found = BTreeSet::new();
    for source in sources {
        for block in declaration.captures_iter(source) {
            for name in method.captures_iter(&block[2]) {
                found.insert((block[1].to_string(), name[1].to_string()));
            }
        }
    }
    found
}

fn rust_files(dir: &Path) -> Vec<String> {
    let mut texts = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            texts.extend(rust_files(&path));
        } else if path.extension().is_some_and(|e| e == "rs") {
            texts.push(std::fs::read_to_string(&path).unwrap());
        }
    }
    texts
}

#[test]
fn every_store_method_has_a_contract_test() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let methods = trait_methods(&rust_files(&root.join("src")));
    assert!(methods.len() > 140, "the traits were read: {}", methods.len());
    let tests = rust_files(&root.join("tests/contract")).join("\n");
    let untested: Vec<String> = methods
        .iter()
        .filter(|(_, name)| !tests.contains(&format!(".{name}(")))
        .map(|(on, name)| format!("{on}::{name}"))
        .collect();
    assert!(
        untested.is_empty(),
        "store methods no contract test calls: {untested:?}"
    );
}

#[test]
fn a_method_nobody_calls_is_found() {
    let source = "pub trait Things: Send {\n    async fn thing(&self) -> u8;\n    fn other(&self);\n}\n".to_string();
    let methods = trait_methods(&[source]);
    assert_eq!(
        methods.into_iter().map(|(_, m)| m).collect::<Vec<_>>(),
        ["other", "thing"]
    );
}
