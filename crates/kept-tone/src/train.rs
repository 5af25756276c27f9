//! Training the learned half of the checker (`kept tone train`) and measuring it honestly:
//! figures come from cross-validation — each example judged by a model that never saw it,
//! thresholds chosen inside each training part — never from the examples a model was fitted to.
//!
//! The logistic regression is written out here (some forty lines) rather than taken from a
//! crate: the problem is a few hundred sparse examples over named features, and linfa-logistic
//! wants dense ndarray matrices over numbered columns, which would mean a vocabulary mapping and
//! matrices of mostly zeros for the same result.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use crate::learned::{Example, FRUSTRATED_TARGET, Features, LinearModel, Model};
use crate::{Checker, FRUSTRATED, Rule};

/// The reply rules the model learns; shouting and a greeting to nobody are found exactly by
/// the rules (capitals, the customer's name), so a model would only add noise.
pub const LEARNED_RULES: [Rule; 6] = [
    Rule::BlamesCustomer,
    Rule::Deflection,
    Rule::Arguing,
    Rule::EmptyApology,
    Rule::VaguePromise,
    Rule::NoAcknowledgement,
];

/// How strongly weights are pulled to zero (L2), per example; chosen by cross-validation.
const L2: f32 = 0.004;
const EPOCHS: usize = 300;
const LEARNING_RATE: f32 = 0.5;
/// Thresholds tried, from which each target takes the one with the best F1 on predictions for
/// examples its model did not see.
const THRESHOLDS: [f32; 9] = [0.3, 0.35, 0.4, 0.45, 0.5, 0.55, 0.6, 0.7, 0.8];
const INNER_FOLDS: usize = 4;
/// The beta of the F-score thresholds are chosen by: below 1 favours precision.
const PRECISION_WEIGHT: f64 = 0.5;

/// An example as the model sees it: its features, what the phrase rules found, and the truth.
#[derive(Debug, Clone)]
pub struct Labelled {
    pub id: String,
    pub incoming: bool,
    pub features: Features,
    /// Rule ids the phrase rules found (a reply), or "frustrated" when the phrases say so.
    pub phrase: BTreeSet<String>,
    /// Whether the customer's message this reply answers reads as frustrated.
    pub upset: bool,
    /// The labelled rule ids (a reply), or "frustrated" (an incoming message).
    pub truth: BTreeSet<String>,
}

/// Turns a training example into what the model sees, using the phrase rules of `checker`
/// (and `model` to read whether the message a reply answers is frustrated).
pub fn label(checker: &Checker, model: &Model, example: &Example) -> Labelled {
    let lang = kept_domain::Lang::parse(&example.lang);
    if example.kind == "incoming" {
        let (features, phrase_mood) = crate::incoming_features(&example.text, lang);
        let phrase = if phrase_mood.frustration >= FRUSTRATED {
            BTreeSet::from([FRUSTRATED_TARGET.to_string()])
        } else {
            BTreeSet::new()
        };
        let truth = if example.frustrated == Some(true) {
            BTreeSet::from([FRUSTRATED_TARGET.to_string()])
        } else {
            BTreeSet::new()
        };
        return Labelled {
            id: example.id.clone(),
            incoming: true,
            features,
            phrase,
            upset: false,
            truth,
        };
    }
    let input = crate::CheckInput {
        text: &example.text,
        lang,
        customer_name: example.customer_name.as_deref(),
        reply_to: example.reply_to.as_deref(),
    };
    let phrase_view = checker.phrase_view(&input, model);
    Labelled {
        id: example.id.clone(),
        incoming: false,
        phrase: phrase_view.rules.iter().map(|r| r.id().to_string()).collect(),
        upset: phrase_view.upset,
        features: phrase_view.features,
        truth: example.rules.iter().cloned().collect(),
    }
}

#[derive(Debug, thiserror::Error)]
pub enum ReadError {
    #[error("reading {path}: {source}")]
    Io { path: String, source: std::io::Error },
    #[error("{path} line {line}: {source}")]
    Json {
        path: String,
        line: usize,
        source: serde_json::Error,
    },
}

/// The labelled examples of the JSON Lines files `dev.jsonl` and `dev2.jsonl` in `dir`.
pub fn read_examples(dir: &std::path::Path) -> Result<Vec<Example>, ReadError> {
    let mut examples = Vec::new();
    for name in ["dev.jsonl", "dev2.jsonl"] {
        let path = dir.join(name);
        let shown = path.display().to_string();
        let text = std::fs::read_to_string(&path).map_err(|source| ReadError::Io {
            path: shown.clone(),
            source,
        })?;
        for (number, line) in text.lines().enumerate().filter(|(_, l)| !l.trim().is_empty()) {
            examples.push(serde_json::from_str(line).map_err(|source| ReadError::Json {
                path: shown.clone(),
                line: number + 1,
                source,
            })?);
        }
    }
    Ok(examples)
}

fn targets() -> Vec<&'static str> {
    let mut targets: Vec<&str> = LEARNED_RULES.iter().map(|r| r.id()).collect();
    targets.push(FRUSTRATED_TARGET);
    targets
}

/// The examples a target is learned from: incoming messages for frustration, replies for the
/// rules — and for "no acknowledgement" only replies to a frustrated message, the only ones
/// the rule applies to.
fn applies(target: &str, example: &Labelled) -> bool {
    if target == FRUSTRATED_TARGET {
        return example.incoming;
    }
    !example.incoming && (target != Rule::NoAcknowledgement.id() || example.upset)
}

/// Fits a logistic regression by full-batch gradient descent with per-weight step sizes
/// (AdaGrad); deterministic, so a retrained model is the same model. Features are numbered
/// first so the loop works on vectors, not on names.
pub fn fit(examples: &[(&Features, bool)]) -> LinearModel {
    let mut numbers: HashMap<&str, usize> = HashMap::new();
    let rows: Vec<(Vec<(usize, f32)>, f32)> = examples
        .iter()
        .map(|(features, truth)| {
            let row = features
                .iter()
                .map(|f| {
                    let next = numbers.len();
                    (*numbers.entry(f.name.as_str()).or_insert(next), f.value)
                })
                .collect();
            (row, if *truth { 1.0 } else { 0.0 })
        })
        .collect();
    let mut weights = vec![0.0f32; numbers.len()];
    let mut squares = vec![0.0f32; numbers.len()];
    let mut gradient = vec![0.0f32; numbers.len()];
    let (mut bias, mut bias_square) = (0.0f32, 0.0f32);
    let n = rows.len().max(1) as f32;
    for _ in 0..EPOCHS {
        gradient.iter_mut().for_each(|g| *g = 0.0);
        let mut bias_gradient = 0.0;
        for (row, truth) in &rows {
            let sum: f32 = row.iter().map(|(i, v)| weights[*i] * v).sum();
            let error = crate::learned::sigmoid(bias + sum) - truth;
            bias_gradient += error / n;
            for (i, v) in row {
                gradient[*i] += error * v / n;
            }
        }
        for ((weight, square), g) in weights.iter_mut().zip(squares.iter_mut()).zip(&gradient) {
            let g = g + L2 * *weight;
            *square += g * g;
            *weight -= LEARNING_RATE * g / (square.sqrt() + 1e-6);
        }
        bias_square += bias_gradient * bias_gradient;
        bias -= LEARNING_RATE * bias_gradient / (bias_square.sqrt() + 1e-6);
    }
    let weights = numbers
        .into_iter()
        .map(|(name, i)| (name.to_string(), weights[i]))
        .filter(|(_, w)| w.abs() >= 1e-3)
        .collect();
    LinearModel {
        bias,
        threshold: 0.5,
        weights,
    }
}

/// Counts of one rule (or all of them).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Counts {
    pub true_positive: usize,
    pub false_positive: usize,
    pub false_negative: usize,
}

impl Counts {
    fn record(&mut self, expected: bool, found: bool) {
        match (expected, found) {
            (true, true) => self.true_positive += 1,
            (false, true) => self.false_positive += 1,
            (true, false) => self.false_negative += 1,
            (false, false) => {}
        }
    }

    pub fn precision(self) -> f64 {
        ratio(self.true_positive, self.true_positive + self.false_positive)
    }

    pub fn recall(self) -> f64 {
        ratio(self.true_positive, self.true_positive + self.false_negative)
    }

    pub fn f1(self) -> f64 {
        self.f_beta(1.0)
    }

    /// F-beta: below 1 weighs precision more than recall.
    pub fn f_beta(self, beta: f64) -> f64 {
        let (p, r) = (self.precision(), self.recall());
        let b2 = beta * beta;
        if p + r == 0.0 {
            0.0
        } else {
            (1.0 + b2) * p * r / (b2 * p + r)
        }
    }

    fn add(self, other: Counts) -> Counts {
        Counts {
            true_positive: self.true_positive + other.true_positive,
            false_positive: self.false_positive + other.false_positive,
            false_negative: self.false_negative + other.false_negative,
        }
    }
}

fn ratio(a: usize, b: usize) -> f64 {
    if b == 0 { 1.0 } else { a as f64 / b as f64 }
}

/// What the checker decides for an example: the phrase rules' findings plus the model's.
pub fn predict(model: &Model, example: &Labelled) -> BTreeSet<String> {
    let mut found = example.phrase.clone();
    for target in targets() {
        if !applies(target, example) {
            continue;
        }
        let allowed = Rule::parse(target).is_none_or(|rule| crate::learned::may_add(rule, &example.features));
        if let Some(linear) = model.target(target)
            && allowed
            && linear.probability(&example.features) >= linear.threshold
        {
            found.insert(target.to_string());
        }
    }
    // An apology followed by a vague promise is a vague promise only.
    if found.contains(Rule::VaguePromise.id()) && !example.phrase.contains(Rule::EmptyApology.id()) {
        found.remove(Rule::EmptyApology.id());
    }
    found
}

/// The figures of a set of judged examples.
#[derive(Debug, Clone, Default)]
pub struct Evaluation {
    pub per_rule: BTreeMap<String, Counts>,
    pub clean_replies: usize,
    pub clean_flagged: usize,
    pub incoming: usize,
    pub incoming_right: usize,
    /// Examples judged wrongly, with what was expected and found.
    pub misses: Vec<String>,
}

impl Evaluation {
    pub fn micro(&self) -> Counts {
        self.per_rule.values().fold(Counts::default(), |a, c| a.add(*c))
    }

    pub fn incoming_accuracy(&self) -> f64 {
        ratio(self.incoming_right, self.incoming)
    }

    pub fn clean_flagged_share(&self) -> f64 {
        ratio(self.clean_flagged, self.clean_replies)
    }

    fn judge(&mut self, example: &Labelled, found: &BTreeSet<String>) {
        if example.incoming {
            self.incoming += 1;
            self.incoming_right +=
                usize::from(found.contains(FRUSTRATED_TARGET) == example.truth.contains(FRUSTRATED_TARGET));
        } else {
            if example.truth.is_empty() {
                self.clean_replies += 1;
                self.clean_flagged += usize::from(!found.is_empty());
            }
            for rule in Rule::ALL {
                self.per_rule
                    .entry(rule.id().to_string())
                    .or_default()
                    .record(example.truth.contains(rule.id()), found.contains(rule.id()));
            }
        }
        if found != &example.truth {
            self.misses.push(format!(
                "{}: expected {:?}, found {:?}",
                example.id, example.truth, found
            ));
        }
    }

    /// A table of the figures, as `kept tone train` and the test print them.
    pub fn table(&self) -> String {
        let mut out = format!("{:<20} {:>9} {:>7} {:>6}\n", "rule", "precision", "recall", "F1");
        for (rule, counts) in &self.per_rule {
            out.push_str(&format!(
                "{rule:<20} {:>9.2} {:>7.2} {:>6.2}\n",
                counts.precision(),
                counts.recall(),
                counts.f1()
            ));
        }
        let micro = self.micro();
        out.push_str(&format!(
            "{:<20} {:>9.2} {:>7.2} {:>6.2}\nclean replies flagged: {} of {} ({:.1} %)\nincoming frustration right: {} of {} ({:.1} %)\n",
            "micro",
            micro.precision(),
            micro.recall(),
            micro.f1(),
            self.clean_flagged,
            self.clean_replies,
            100.0 * self.clean_flagged_share(),
            self.incoming_right,
            self.incoming,
            100.0 * self.incoming_accuracy()
        ));
        out
    }
}

/// Which of `folds` parts an example falls in: by a hash of its id, so the split is the same
/// on every run and does not depend on the order of the files.
fn fold_of(id: &str, folds: usize, seed: u64) -> usize {
    // FNV-1a.
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325 ^ seed;
    for byte in id.bytes() {
        hash ^= u64::from(byte);
        hash = hash.wrapping_mul(0x0000_0100_0000_01b3);
    }
    (hash % folds as u64) as usize
}

/// Labels every example: the incoming messages first, then the frustration model trained on
/// them reads the messages the replies answer (so "no acknowledgement" knows an upset
/// customer the phrases missed).
pub fn label_all(checker: &Checker, examples: &[Example]) -> Vec<Labelled> {
    let empty = Model::default();
    let incoming: Vec<Labelled> = examples
        .iter()
        .filter(|e| e.kind == "incoming")
        .map(|e| label(checker, &empty, e))
        .collect();
    let moods = train(&incoming);
    let mut labelled = incoming;
    labelled.extend(
        examples
            .iter()
            .filter(|e| e.kind != "incoming")
            .map(|e| label(checker, &moods, e)),
    );
    labelled
}

/// Trains a model on `examples`: each target fitted on the examples it applies to, its
/// threshold the one that did best on predictions for examples its model had not seen.
pub fn train(examples: &[Labelled]) -> Model {
    let mut model = Model::default();
    for target in targets() {
        let relevant: Vec<&Labelled> = examples.iter().filter(|e| applies(target, e)).collect();
        if relevant.is_empty() {
            continue;
        }
        let data: Vec<(&Features, bool)> = relevant
            .iter()
            .map(|e| (&e.features, e.truth.contains(target)))
            .collect();
        let mut linear = fit(&data);
        linear.threshold = best_threshold(target, &relevant);
        model.targets.insert(target.to_string(), linear);
    }
    model
}

/// The threshold whose F-score (phrase rules and model together; for the reply rules precision
/// weighing double, as a finding that is not there costs an agent's trust more than one the
/// checker missed) is best over inner folds; the higher one on a tie.
fn best_threshold(target: &str, examples: &[&Labelled]) -> f32 {
    let mut predictions: Vec<(f32, bool, bool)> = Vec::new();
    for fold in 0..INNER_FOLDS {
        let (test, train): (Vec<&&Labelled>, Vec<&&Labelled>) =
            examples.iter().partition(|e| fold_of(&e.id, INNER_FOLDS, 7) == fold);
        let data: Vec<(&Features, bool)> = train.iter().map(|e| (&e.features, e.truth.contains(target))).collect();
        let linear = fit(&data);
        let allowed = |e: &Labelled| Rule::parse(target).is_none_or(|rule| crate::learned::may_add(rule, &e.features));
        for example in test {
            let probability = if allowed(example) {
                linear.probability(&example.features)
            } else {
                0.0
            };
            predictions.push((
                probability,
                example.phrase.contains(target),
                example.truth.contains(target),
            ));
        }
    }
    let mut best = (f64::MIN, 0.5);
    for threshold in THRESHOLDS {
        let mut counts = Counts::default();
        for (probability, phrase, truth) in &predictions {
            counts.record(*truth, *phrase || *probability >= threshold);
        }
        // Frustration is judged by accuracy, both ways of being wrong alike.
        let beta = if target == FRUSTRATED_TARGET {
            1.0
        } else {
            PRECISION_WEIGHT
        };
        let score = counts.f_beta(beta);
        if score >= best.0 {
            best = (score, threshold);
        }
    }
    best.1
}

/// Cross-validated figures: the examples split into `folds` parts; each part judged by a
/// model trained on the others.
pub fn cross_validate(examples: &[Labelled], folds: usize, seed: u64) -> Evaluation {
    let mut evaluation = Evaluation::default();
    for fold in 0..folds {
        let (test, train_part): (Vec<Labelled>, Vec<Labelled>) = examples
            .iter()
            .cloned()
            .partition(|e| fold_of(&e.id, folds, seed) == fold);
        let model = train(&train_part);
        for example in &test {
            evaluation.judge(example, &predict(&model, example));
        }
    }
    evaluation
}

/// The figures of `model` on `examples` as they are (for the phrase rules alone, pass an
/// empty model).
pub fn evaluate(model: &Model, examples: &[Labelled]) -> Evaluation {
    let mut evaluation = Evaluation::default();
    for example in examples {
        evaluation.judge(example, &predict(model, example));
    }
    evaluation
}
