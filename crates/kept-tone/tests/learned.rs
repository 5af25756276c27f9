//! The checker with its learned half, measured the honest way: cross-validated on the
//! development examples (`../shared/tone/dev.jsonl` + `dev2.jsonl`), each example judged by a
//! model trained without it. Prints the figures; the floors are the targets.

use std::path::PathBuf;

use kept_tone::Checker;
use kept_tone::learned::Model;
use kept_tone::train::{cross_validate, evaluate, label_all, read_examples, train};

fn examples_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/tone")
}

#[test]
fn cross_validated_figures_meet_the_targets() {
    let examples = read_examples(&examples_dir()).unwrap();
    let labelled = label_all(&Checker::default(), &examples);
    println!(
        "\nphrase rules alone:\n{}",
        evaluate(&Model::default(), &labelled).table()
    );
    let evaluation = cross_validate(&labelled, 5, 1);
    println!(
        "phrase rules and model, 5-fold cross-validated:\n{}",
        evaluation.table()
    );
    for miss in &evaluation.misses {
        println!("  {miss}");
    }
    let micro = evaluation.micro();
    assert!(micro.f1() >= 0.88, "reply micro-F1 {:.3}", micro.f1());
    assert!(
        evaluation.clean_flagged_share() <= 0.05,
        "clean flagged {:.3}",
        evaluation.clean_flagged_share()
    );
    assert!(
        evaluation.incoming_accuracy() >= 0.88,
        "incoming {:.3}",
        evaluation.incoming_accuracy()
    );
}

#[test]
fn the_shipped_model_is_the_one_training_gives() {
    let examples = read_examples(&examples_dir()).unwrap();
    let trained = train(&label_all(&Checker::default(), &examples));
    let shipped = Model::parse(include_str!("../data/model.tsv")).unwrap();
    assert_eq!(shipped.targets.len(), 7, "every learned rule and frustration");
    assert_eq!(
        trained.to_tsv(),
        shipped.to_tsv(),
        "data/model.tsv is stale: run `kept tone train`"
    );
}
