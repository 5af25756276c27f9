//! Measures the commitment reader on `../shared/tone/commitments-dev.jsonl`: an example is read
//! right when every labelled commitment is found, in order, with its due time inside the
//! labelled window, and nothing else is found. Prints precision and recall over commitments
//! and the examples read wrong; the share read right must stay at or above 90 %.

use std::path::PathBuf;

use chrono::{DateTime, Utc};
use kept_domain::hours::BusinessHours;
use kept_tone::read_commitments;
use serde_json::Value;

fn examples() -> Vec<Value> {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/tone/commitments-dev.jsonl");
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
    text.lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

fn instant(value: &Value) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(value.as_str().unwrap())
        .unwrap()
        .with_timezone(&Utc)
}

#[test]
fn commitments_on_the_development_set() {
    // The set's business: Monday to Friday 09:00–17:30, Europe/Amsterdam.
    let hours = BusinessHours::default();
    let (mut right, mut found_ok, mut found_all, mut expected_all) = (0, 0, 0, 0);
    let mut wrong = Vec::new();
    let all = examples();
    for example in &all {
        let now = instant(&example["now"]);
        let text = example["text"].as_str().unwrap();
        let found = read_commitments(text, now, &hours);
        let windows: Vec<(DateTime<Utc>, DateTime<Utc>)> = example["commitments"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| (instant(&c["not_before"]), instant(&c["not_after"])))
            .collect();
        let matched = found
            .iter()
            .zip(&windows)
            .filter(|(f, (from, to))| *from <= f.due_at && f.due_at <= *to)
            .count();
        found_ok += matched;
        found_all += found.len();
        expected_all += windows.len();
        if matched == windows.len() && found.len() == windows.len() {
            right += 1;
        } else {
            let read: Vec<String> = found.iter().map(|f| format!("{} → {}", f.text, f.due_at)).collect();
            wrong.push(format!(
                "{}: {text}\n    read {read:?}\n    want {windows:?}",
                example["id"]
            ));
        }
    }
    let share = right as f64 / all.len() as f64;
    let precision = found_ok as f64 / found_all.max(1) as f64;
    let recall = found_ok as f64 / expected_all.max(1) as f64;
    println!(
        "commitments: {right} of {} examples read right ({:.1} %), precision {precision:.2}, recall {recall:.2}",
        all.len(),
        share * 100.0
    );
    for line in &wrong {
        println!("  {line}");
    }
    assert!(share >= 0.90, "{:.1} % of the examples read right", share * 100.0);
}
