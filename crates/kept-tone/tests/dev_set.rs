//! Measures the checker on the labelled development set in `../shared/tone/dev.jsonl`:
//! precision, recall and F1 per rule, printed as a table, with floors that must hold.

use std::collections::BTreeMap;
use std::path::PathBuf;

use kept_domain::Lang;
use kept_tone::{CheckInput, Checker, Rule, mood};
use serde_json::Value;

fn dev_set() -> Vec<Value> {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/tone/dev.jsonl");
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
    text.lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

#[derive(Default, Clone, Copy)]
struct Counts {
    true_positive: u32,
    false_positive: u32,
    false_negative: u32,
}

impl Counts {
    fn precision(self) -> f64 {
        ratio(self.true_positive, self.true_positive + self.false_positive)
    }
    fn recall(self) -> f64 {
        ratio(self.true_positive, self.true_positive + self.false_negative)
    }
    fn f1(self) -> f64 {
        let (p, r) = (self.precision(), self.recall());
        if p + r == 0.0 { 0.0 } else { 2.0 * p * r / (p + r) }
    }
}

fn ratio(a: u32, b: u32) -> f64 {
    if b == 0 { 1.0 } else { f64::from(a) / f64::from(b) }
}

fn lang(value: &Value) -> Lang {
    Lang::parse(value["lang"].as_str().unwrap()).unwrap()
}

#[test]
fn reply_rules_meet_their_precision_and_recall_floors() {
    let checker = Checker::default();
    let mut per_rule: BTreeMap<Rule, Counts> = Rule::ALL.iter().map(|r| (*r, Counts::default())).collect();
    let (mut clean, mut clean_flagged) = (0, 0);
    let mut misses = Vec::new();
    for example in dev_set().iter().filter(|e| e["kind"] == "reply") {
        let mut expected: Vec<Rule> = example["rules"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| Rule::parse(r.as_str().unwrap()).unwrap())
            .collect();
        expected.sort();
        let report = checker.check(&CheckInput {
            text: example["text"].as_str().unwrap(),
            lang: Some(lang(example)),
            customer_name: example["customer_name"].as_str(),
            reply_to: example["reply_to"].as_str(),
        });
        let found = report.rules();
        if expected.is_empty() {
            clean += 1;
            clean_flagged += u32::from(!found.is_empty());
        }
        for rule in Rule::ALL {
            let counts = per_rule.get_mut(&rule).unwrap();
            match (expected.contains(&rule), found.contains(&rule)) {
                (true, true) => counts.true_positive += 1,
                (false, true) => counts.false_positive += 1,
                (true, false) => counts.false_negative += 1,
                (false, false) => {}
            }
        }
        if expected != found {
            misses.push(format!("{}: expected {expected:?}, found {found:?}", example["id"]));
        }
    }
    let total = per_rule.values().fold(Counts::default(), |a, c| Counts {
        true_positive: a.true_positive + c.true_positive,
        false_positive: a.false_positive + c.false_positive,
        false_negative: a.false_negative + c.false_negative,
    });
    println!("\n{:<20} {:>9} {:>7} {:>6}", "rule", "precision", "recall", "F1");
    for (rule, counts) in &per_rule {
        println!(
            "{:<20} {:>9.2} {:>7.2} {:>6.2}",
            rule.id(),
            counts.precision(),
            counts.recall(),
            counts.f1()
        );
    }
    println!(
        "{:<20} {:>9.2} {:>7.2} {:>6.2}",
        "micro",
        total.precision(),
        total.recall(),
        total.f1()
    );
    println!("clean replies flagged: {clean_flagged} of {clean}");
    for miss in &misses {
        println!("  {miss}");
    }
    assert!(total.f1() >= 0.85, "micro-F1 {:.2}", total.f1());
    assert!(
        f64::from(clean_flagged) <= 0.05 * f64::from(clean),
        "{clean_flagged} of {clean} clean replies flagged"
    );
    for (rule, counts) in per_rule {
        assert!(
            counts.precision() >= 0.75 && counts.recall() >= 0.75,
            "{}: P {:.2} R {:.2}",
            rule.id(),
            counts.precision(),
            counts.recall()
        );
    }
}

#[test]
fn frustrated_and_calm_messages_are_separated_at_one_half() {
    let incoming: Vec<Value> = dev_set().into_iter().filter(|e| e["kind"] == "incoming").collect();
    let mut correct = 0;
    for example in &incoming {
        let result = mood(example["text"].as_str().unwrap(), Some(lang(example)));
        let expected = example["frustrated"].as_bool().unwrap();
        if result.frustrated() == expected {
            correct += 1;
        } else {
            println!(
                "  {}: frustration {:.2}, expected frustrated={expected}: {:?}",
                example["id"], result.frustration, result.signals
            );
        }
    }
    let accuracy = f64::from(correct) / incoming.len() as f64;
    println!(
        "incoming messages: accuracy {accuracy:.2} ({correct} of {})",
        incoming.len()
    );
    assert!(accuracy >= 0.85, "accuracy {accuracy:.2}");
}

#[test]
fn language_is_detected_for_every_example() {
    let examples = dev_set();
    let wrong: Vec<&str> = examples
        .iter()
        .filter(|e| kept_tone::detect_language(e["text"].as_str().unwrap()) != lang(e))
        .map(|e| e["id"].as_str().unwrap())
        .collect();
    assert!(wrong.len() <= 2, "wrong language for {wrong:?}");
}
