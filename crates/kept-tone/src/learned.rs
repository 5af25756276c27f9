//! The learned half of the checker: for each reply rule, and for frustration, a logistic
//! regression over what a message says — word classes and pairs of them in one sentence
//! ("you" with "responsibility", "call" with a third party), word stems, and what the phrase
//! rules found — trained offline on the labelled examples (`kept tone train`) and shipped as
//! data (`data/model.tsv`). The phrase rules stay the explainable first line; the model finds
//! what they miss when it is said in other words, and points at the sentence that weighed most.

use std::collections::BTreeMap;
use std::sync::OnceLock;

use foldhash::{HashMap, HashMapExt, HashSet};
use serde::Deserialize;

use crate::text::Text;

/// The model's targets: the reply rules by id, and incoming frustration.
pub const FRUSTRATED_TARGET: &str = "frustrated";

/// One feature of a message: its name, its value, and the sentence it comes from (none for
/// what belongs to the whole message).
#[derive(Debug, Clone, PartialEq)]
pub struct Feature {
    pub name: String,
    pub value: f32,
    pub sentence: Option<usize>,
}

/// The features of a message, each name once, in the order found (so sums over them, and a
/// model trained on them, come out the same on every run).
#[derive(Debug, Clone, Default)]
pub struct Features {
    list: Vec<Feature>,
    seen: HashSet<String>,
}

impl Features {
    pub fn add(&mut self, name: String, value: f32, sentence: Option<usize>) {
        if self.seen.insert(name.clone()) {
            self.list.push(Feature { name, value, sentence });
        }
    }

    pub fn iter(&self) -> impl Iterator<Item = &Feature> {
        self.list.iter()
    }

    pub fn has(&self, name: &str) -> bool {
        self.seen.contains(name)
    }
}

/// Word classes (`data/classes.toml`): a word belongs to a class when it is one of its words
/// or starts with one of four letters or more. Looked up by the word and its beginnings, not by
/// trying every entry: the check runs on every keystroke pause.
struct Classes {
    /// Each entry (a whole word, or a beginning of four letters or more) and its classes.
    entries: HashMap<String, Vec<String>>,
}

impl Classes {
    fn builtin() -> &'static Classes {
        static CLASSES: OnceLock<Classes> = OnceLock::new();
        CLASSES.get_or_init(|| {
            let parsed: BTreeMap<String, Vec<String>> =
                toml::from_str(include_str!("../data/classes.toml")).unwrap_or_default();
            let mut entries: HashMap<String, Vec<String>> = HashMap::new();
            for (class, words) in parsed {
                for word in words {
                    let classes = entries.entry(word).or_default();
                    if !classes.contains(&class) {
                        classes.push(class.clone());
                    }
                }
            }
            Classes { entries }
        })
    }

    /// The classes of `word`, each once.
    fn of(&self, word: &str) -> Vec<&str> {
        // The word itself, then its beginnings of four characters or more ("responsib" matches
        // responsible).
        let beginnings = word.char_indices().skip(4).map(|(end, _)| &word[..end]);
        let mut found: Vec<&str> = Vec::new();
        for entry in std::iter::once(word).chain(beginnings) {
            for class in self.entries.get(entry).into_iter().flatten() {
                if !found.contains(&class.as_str()) {
                    found.push(class);
                }
            }
        }
        found
    }
}

/// Whether `word` (lower case, without diacritics) belongs to word class `class`.
pub(crate) fn belongs(word: &str, class: &str) -> bool {
    Classes::builtin().of(word).contains(&class)
}

/// What every message is described by: per sentence its word classes, each pair of classes
/// in it, the classes of the opening (the first two sentences), and its stems.
pub fn text_features(text: &Text) -> Features {
    let classes = Classes::builtin();
    let mut features = Features::default();
    let sentences = text.tokens.last().map_or(0, |t| t.sentence + 1);
    for sentence in 0..sentences {
        let tokens = text.tokens.iter().filter(|t| t.sentence == sentence);
        let mut found: Vec<&str> = Vec::new();
        for token in tokens {
            features.add(format!("u:{}", token.stem), 1.0, Some(sentence));
            found.extend(classes.of(&token.word));
        }
        found.sort_unstable();
        found.dedup();
        for (i, class) in found.iter().enumerate() {
            features.add(format!("c:{class}"), 1.0, Some(sentence));
            if sentence <= 1 {
                features.add(format!("first:{class}"), 1.0, Some(sentence));
            }
            for other in &found[i + 1..] {
                features.add(format!("cc:{class}+{other}"), 1.0, Some(sentence));
            }
        }
    }
    features
}

/// Whether the model may add `rule` to a draft with these features: never against what the
/// rules know for certain — a promise is made by the writer ("we", "I" with a future in one
/// sentence) and one with a moment in it ("at 15:00", "vóór vrijdag") is not vague; an apology
/// with a remedy, a moment or a promise is not empty.
pub fn may_add(rule: crate::Rule, features: &Features) -> bool {
    let has = |cue: &str| features.has(cue);
    match rule {
        crate::Rule::VaguePromise => has("cue:writer_promises") && !has("cue:concrete_time"),
        crate::Rule::EmptyApology => !(has("cue:remedy") || has("cue:concrete_time") || has("cue:vague")),
        _ => true,
    }
}

/// A logistic regression: a bias, weights by feature name, and the probability from which
/// it counts as a yes.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct LinearModel {
    pub bias: f32,
    pub threshold: f32,
    pub weights: HashMap<String, f32>,
}

impl LinearModel {
    pub fn probability(&self, features: &Features) -> f32 {
        let sum: f32 = features
            .iter()
            .map(|f| self.weights.get(&f.name).copied().unwrap_or_default() * f.value)
            .sum();
        sigmoid(self.bias + sum)
    }

    /// The sentence whose features weigh most towards a yes.
    pub fn strongest_sentence(&self, features: &Features) -> Option<usize> {
        let mut per_sentence: BTreeMap<usize, f32> = BTreeMap::new();
        for feature in features.iter() {
            if let Some(sentence) = feature.sentence {
                *per_sentence.entry(sentence).or_default() +=
                    self.weights.get(&feature.name).copied().unwrap_or_default() * feature.value;
            }
        }
        per_sentence
            .into_iter()
            .max_by(|a, b| a.1.total_cmp(&b.1))
            .map(|(sentence, _)| sentence)
    }
}

pub fn sigmoid(x: f32) -> f32 {
    1.0 / (1.0 + (-x).exp())
}

/// A model per target.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Model {
    pub targets: BTreeMap<String, LinearModel>,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("model line {line}: {reason}")]
pub struct ModelError {
    pub line: usize,
    pub reason: &'static str,
}

impl Model {
    /// The model shipped with kept (`data/model.tsv`); empty if it cannot be read, so the
    /// phrase rules still work (a test makes sure it can).
    pub fn builtin() -> &'static Model {
        static MODEL: OnceLock<Model> = OnceLock::new();
        MODEL.get_or_init(|| Model::parse(include_str!("../data/model.tsv")).unwrap_or_default())
    }

    pub fn target(&self, id: &str) -> Option<&LinearModel> {
        self.targets.get(id)
    }

    /// Reads `target<TAB>feature<TAB>weight` lines; the features `=bias` and `=threshold`
    /// carry the bias and the threshold; `#` starts a comment.
    pub fn parse(text: &str) -> Result<Model, ModelError> {
        let mut model = Model::default();
        for (number, line) in text.lines().enumerate() {
            if line.trim().is_empty() || line.starts_with('#') {
                continue;
            }
            let error = |reason| ModelError {
                line: number + 1,
                reason,
            };
            let mut fields = line.split('\t');
            let (Some(target), Some(feature), Some(weight), None) =
                (fields.next(), fields.next(), fields.next(), fields.next())
            else {
                return Err(error("expected three fields separated by tabs"));
            };
            let weight: f32 = weight.parse().map_err(|_| error("the weight is not a number"))?;
            let entry = model.targets.entry(target.to_string()).or_default();
            match feature {
                "=bias" => entry.bias = weight,
                "=threshold" => entry.threshold = weight,
                _ => {
                    entry.weights.insert(feature.to_string(), weight);
                }
            }
        }
        Ok(model)
    }

    /// The model as `parse` reads it, features in order so a retrained model diffs well.
    pub fn to_tsv(&self) -> String {
        let mut out = String::from(
            "# kept's learned tone model: written by `kept tone train`, read by src/learned.rs.\n\
             # target<TAB>feature<TAB>weight; =bias and =threshold per target.\n",
        );
        for (target, model) in &self.targets {
            out.push_str(&format!("{target}\t=bias\t{}\n", model.bias));
            out.push_str(&format!("{target}\t=threshold\t{}\n", model.threshold));
            let mut weights: Vec<(&String, &f32)> = model.weights.iter().collect();
            weights.sort_by(|a, b| a.0.cmp(b.0));
            for (feature, weight) in weights {
                out.push_str(&format!("{target}\t{feature}\t{weight}\n"));
            }
        }
        out
    }
}

/// One labelled example as the training files have it (`../shared/tone/*.jsonl`).
#[derive(Debug, Clone, Deserialize)]
pub struct Example {
    pub id: String,
    pub lang: String,
    pub kind: String,
    pub text: String,
    #[serde(default)]
    pub reply_to: Option<String>,
    #[serde(default)]
    pub customer_name: Option<String>,
    #[serde(default)]
    pub rules: Vec<String>,
    #[serde(default)]
    pub frustrated: Option<bool>,
}
