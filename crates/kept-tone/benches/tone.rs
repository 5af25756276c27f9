//! Speed of the reply check and the mood reading over the development set (one core).
//! Run: cargo bench -p kept-tone

use std::hint::black_box;
use std::path::PathBuf;

use criterion::{Criterion, criterion_group, criterion_main};
use kept_tone::{CheckInput, Checker, mood};

fn examples() -> Vec<serde_json::Value> {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/tone/dev.jsonl");
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
    text.lines().map(|l| serde_json::from_str(l).unwrap()).collect()
}

fn bench(c: &mut Criterion) {
    let examples = examples();
    let checker = Checker::default();
    let replies: Vec<_> = examples.iter().filter(|e| e["kind"] == "reply").collect();
    let incoming: Vec<_> = examples.iter().filter(|e| e["kind"] == "incoming").collect();
    c.bench_function("check every dev-set reply (auto language)", |b| {
        b.iter(|| {
            for example in &replies {
                black_box(checker.check(&CheckInput {
                    text: example["text"].as_str().unwrap_or_default(),
                    lang: None,
                    customer_name: example["customer_name"].as_str(),
                    reply_to: example["reply_to"].as_str(),
                }));
            }
        })
    });
    // What the composer asks on every pause: the check and the dated commitments together.
    let hours = kept_domain::hours::BusinessHours::default();
    let now = chrono::Utc::now();
    c.bench_function("check and read commitments of every dev-set reply", |b| {
        b.iter(|| {
            for example in &replies {
                let text = example["text"].as_str().unwrap_or_default();
                black_box(checker.check(&CheckInput {
                    text,
                    lang: None,
                    customer_name: example["customer_name"].as_str(),
                    reply_to: example["reply_to"].as_str(),
                }));
                black_box(kept_tone::read_commitments(text, now, &hours));
            }
        })
    });
    c.bench_function("mood of every dev-set incoming message", |b| {
        b.iter(|| {
            for example in &incoming {
                black_box(mood(example["text"].as_str().unwrap_or_default(), None));
            }
        })
    });
}

criterion_group!(benches, bench);
criterion_main!(benches);
