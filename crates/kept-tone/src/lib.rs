//! kept's tone of voice: checks a draft reply (Dutch or English) for what makes customers
//! leave — a greeting to nobody, blame, deflection, arguing, empty apologies, vague promises,
//! no acknowledgement of an upset customer, shouting — explains each finding and suggests
//! better; and reads incoming messages for frustration so the upset customer is answered first.
//!
//! The phrases live in `data/nl.toml` and `data/en.toml`; a business adds its own per rule.

mod commitments;
pub mod learned;
mod lexicon;
mod phrases;
mod rule;
mod rules;
mod text;
pub mod train;

use std::collections::BTreeMap;

use kept_domain::Lang;
use serde::{Deserialize, Serialize};

pub use commitments::{Action, Commitment, read_commitments};
use learned::{Features, Model, text_features};
use lexicon::Lexicon;
use phrases::PhraseSet;
pub use rule::Rule;
use rules::{Draft, Extra, Hit, exclamation_runs, shouted_words};
use text::Text;

/// Larger inputs are refused: a reply is not a book, and the check runs on every keystroke pause.
pub const MAX_INPUT_BYTES: usize = 100 * 1024;

/// A frustration score at or above this counts as a frustrated customer.
pub const FRUSTRATED: f32 = 0.5;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum InputError {
    #[error("the text is empty")]
    Empty,
    #[error("the text is larger than {} KB", MAX_INPUT_BYTES / 1024)]
    TooLarge,
    #[error("the text is not UTF-8")]
    NotUtf8,
}

/// Checks raw input: UTF-8, not empty, not over [`MAX_INPUT_BYTES`].
pub fn usable_text(bytes: &[u8]) -> Result<&str, InputError> {
    if bytes.len() > MAX_INPUT_BYTES {
        return Err(InputError::TooLarge);
    }
    let text = std::str::from_utf8(bytes).map_err(|_| InputError::NotUtf8)?;
    if text.trim().is_empty() {
        return Err(InputError::Empty);
    }
    Ok(text)
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Finding {
    pub rule: Rule,
    /// Byte offsets into the checked text.
    pub start: usize,
    pub end: usize,
    pub excerpt: String,
    pub message: String,
    pub suggestion: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Report {
    pub language: Lang,
    /// 100 means nothing to improve.
    pub score: u32,
    pub findings: Vec<Finding>,
}

impl Report {
    /// Keeps the findings `keep` says yes to, and scores what is left.
    pub fn retain(&mut self, keep: impl Fn(&Finding) -> bool) {
        self.findings.retain(|f| keep(f));
        self.score = score(&self.findings);
    }

    pub fn rules(&self) -> Vec<Rule> {
        let mut rules: Vec<Rule> = self.findings.iter().map(|f| f.rule).collect();
        rules.sort();
        rules.dedup();
        rules
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Signal {
    /// irritation, waiting, repeated_contact, threat_to_leave, sarcasm, capitals or exclamation;
    /// tone when the learned model read frustration the phrases missed (the sentence that weighed most).
    pub kind: String,
    pub excerpt: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Mood {
    pub language: Lang,
    /// 0.0 calm … 1.0 furious.
    pub frustration: f32,
    pub signals: Vec<Signal>,
}

impl Mood {
    pub fn frustrated(&self) -> bool {
        self.frustration >= FRUSTRATED
    }
}

/// What to check: the draft, and optionally its language, the customer's name and the message
/// it answers.
#[derive(Debug, Clone, Copy, Default)]
pub struct CheckInput<'a> {
    pub text: &'a str,
    pub lang: Option<Lang>,
    pub customer_name: Option<&'a str>,
    pub reply_to: Option<&'a str>,
}

/// A business's own phrases per language and rule id, as in kept.toml:
/// `[tone.nl] blames_customer = ["dat staat in de kleine lettertjes"]`.
pub type CustomPhrases = BTreeMap<Lang, BTreeMap<String, Vec<String>>>;

/// The checker, with the business's own phrases compiled in.
#[derive(Default)]
pub struct Checker {
    extra: Vec<(Lang, Rule, PhraseSet)>,
}

/// Rules a business may add phrases to.
const EXTENDABLE: [Rule; 6] = [
    Rule::GenericGreeting,
    Rule::BlamesCustomer,
    Rule::Deflection,
    Rule::Arguing,
    Rule::EmptyApology,
    Rule::VaguePromise,
];

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("tone.{lang}.{rule}: {reason}")]
pub struct CustomPhraseError {
    pub lang: &'static str,
    pub rule: String,
    pub reason: &'static str,
}

impl Checker {
    pub fn new(custom: &CustomPhrases) -> Result<Checker, CustomPhraseError> {
        let mut extra = Vec::new();
        for (&lang, rules) in custom {
            for (id, phrases) in rules {
                let error = |reason| CustomPhraseError {
                    lang: lang.code(),
                    rule: id.clone(),
                    reason,
                };
                let rule = Rule::parse(id).ok_or_else(|| error("unknown rule"))?;
                if !EXTENDABLE.contains(&rule) {
                    return Err(error("this rule takes no phrases"));
                }
                extra.push((lang, rule, PhraseSet::new(phrases, &[], lang)));
            }
        }
        Ok(Checker { extra })
    }

    pub fn check(&self, input: &CheckInput) -> Report {
        self.check_with(input, Model::builtin())
    }

    /// The check with a given learned model (an empty one: the phrase rules alone).
    pub fn check_with(&self, input: &CheckInput, model: &Model) -> Report {
        let input = &CheckInput {
            text: bounded(input.text),
            reply_to: input.reply_to.map(bounded),
            ..*input
        };
        let lang = input.lang.unwrap_or_else(|| detect_language(input.text));
        let lexicon = Lexicon::builtin(lang);
        let text = Text::new(input.text, lang);
        let extra = self.extra_for(lang);
        let draft = Draft {
            text: &text,
            lexicon,
            extra: &extra,
            customer_name: input.customer_name,
        };
        let upset = answers_upset(input, lang, model);
        let mut hits = phrase_hits(&draft, upset);
        let found = rules_of(&hits);
        let features = reply_features(&draft, &found, upset);
        hits.extend(learned_hits(model, &draft, &found, upset, &features));

        let mut findings: Vec<Finding> = hits
            .into_iter()
            .map(|(rule, hit)| finding(&text, lexicon, rule, hit, &draft, input.customer_name))
            .collect();
        findings.sort_by_key(|f| (f.start, f.rule));
        Report {
            language: lang,
            score: score(&findings),
            findings,
        }
    }

    /// What the phrase rules alone find in a draft, and the features the learned model reads
    /// from it: what training needs of an example (`model` reads the message it answers).
    pub fn phrase_view(&self, input: &CheckInput, model: &Model) -> PhraseView {
        let lang = input.lang.unwrap_or_else(|| detect_language(input.text));
        let text = Text::new(input.text, lang);
        let extra = self.extra_for(lang);
        let draft = Draft {
            text: &text,
            lexicon: Lexicon::builtin(lang),
            extra: &extra,
            customer_name: input.customer_name,
        };
        let upset = answers_upset(input, lang, model);
        let rules = rules_of(&phrase_hits(&draft, upset));
        PhraseView {
            features: reply_features(&draft, &rules, upset),
            rules,
            upset,
        }
    }

    fn extra_for(&self, lang: Lang) -> Vec<Extra<'_>> {
        self.extra
            .iter()
            .filter(|(l, _, _)| *l == lang)
            .map(|(_, rule, phrases)| Extra { rule: *rule, phrases })
            .collect()
    }
}

/// What the phrase rules found in a draft, and what the learned model reads from it.
#[derive(Debug, Clone)]
pub struct PhraseView {
    pub rules: Vec<Rule>,
    /// The message it answers reads as frustrated.
    pub upset: bool,
    pub features: Features,
}

/// Whether the message a draft answers reads as frustrated.
fn answers_upset(input: &CheckInput, lang: Lang, model: &Model) -> bool {
    input
        .reply_to
        .is_some_and(|message| mood_with(message, Some(lang), model).frustrated())
}

/// The phrase rules' hits; "no acknowledgement" only when the draft answers an upset customer.
fn phrase_hits(draft: &Draft, upset: bool) -> Vec<(Rule, Hit)> {
    let lexicon = draft.lexicon;
    let mut hits: Vec<(Rule, Hit)> = Vec::new();
    hits.extend(draft.generic_greeting().map(|h| (Rule::GenericGreeting, h)));
    for (rule, set) in [
        (Rule::BlamesCustomer, &lexicon.blame),
        (Rule::Deflection, &lexicon.deflection),
        (Rule::Arguing, &lexicon.arguing),
    ] {
        hits.extend(draft.phrase_rule(rule, set).into_iter().map(|h| (rule, h)));
    }
    hits.extend(draft.empty_apology().map(|h| (Rule::EmptyApology, h)));
    hits.extend(draft.vague_promise().map(|h| (Rule::VaguePromise, h)));
    if upset {
        hits.extend(draft.no_acknowledgement().map(|h| (Rule::NoAcknowledgement, h)));
    }
    hits.extend(draft.shouting().into_iter().map(|h| (Rule::Shouting, h)));
    hits
}

fn rules_of(hits: &[(Rule, Hit)]) -> Vec<Rule> {
    let mut rules: Vec<Rule> = hits.iter().map(|(rule, _)| *rule).collect();
    rules.sort();
    rules.dedup();
    rules
}

/// What the learned model reads from a draft: its words and classes, what it offers, what the
/// phrase rules found, and whether it answers an upset customer.
fn reply_features(draft: &Draft, found: &[Rule], upset: bool) -> Features {
    let mut features = text_features(draft.text);
    for cue in draft.cues() {
        features.add(format!("cue:{cue}"), 1.0, None);
    }
    for rule in found {
        features.add(format!("rule:{}", rule.id()), 1.0, None);
    }
    if upset {
        features.add("upset".into(), 1.0, None);
    }
    features
}

/// The rules the phrases missed but the learned model finds, each pointing at the sentence
/// that weighed most (for "no acknowledgement": the opening it is about).
fn learned_hits(model: &Model, draft: &Draft, found: &[Rule], upset: bool, features: &Features) -> Vec<(Rule, Hit)> {
    let mut hits = Vec::new();
    for rule in train::LEARNED_RULES {
        if found.contains(&rule) || (rule == Rule::NoAcknowledgement && !upset) || !learned::may_add(rule, features) {
            continue;
        }
        let Some(linear) = model.target(rule.id()) else {
            continue;
        };
        if linear.probability(features) < linear.threshold {
            continue;
        }
        let sentence = if rule == Rule::NoAcknowledgement {
            draft.opening_sentence()
        } else {
            linear.strongest_sentence(features)
        };
        if let Some(span) = sentence.and_then(|s| draft.sentence_span(s)) {
            hits.push((rule, Hit::Tokens(span)));
        }
    }
    // An apology followed by a vague promise is a vague promise only.
    let vague = found.contains(&Rule::VaguePromise) || hits.iter().any(|(r, _)| *r == Rule::VaguePromise);
    if vague && !found.contains(&Rule::EmptyApology) {
        hits.retain(|(rule, _)| *rule != Rule::EmptyApology);
    }
    hits
}

fn finding(text: &Text, lexicon: &Lexicon, rule: Rule, hit: Hit, draft: &Draft, name: Option<&str>) -> Finding {
    let (start, mut end) = match hit {
        Hit::Tokens((first, last)) => {
            let (start, end, _) = text.excerpt(first, last);
            (start, end)
        }
        Hit::Bytes(start, end) => (start, end),
    };
    let explanation = lexicon.explain(rule);
    let mut suggestion = explanation.suggestion.clone();
    if rule == Rule::GenericGreeting {
        // The excerpt includes the greeting's comma: "Beste relatie,".
        if text.original[end..].starts_with(',') {
            end += 1;
        }
        if let Some(name) = name.map(str::trim).filter(|n| !n.is_empty()) {
            suggestion = lexicon.named_greeting.replace("{name}", name);
        } else if draft.greeting().is_none() {
            suggestion = explanation.suggestion.clone();
        }
    }
    Finding {
        rule,
        start,
        end,
        excerpt: text.original[start..end].to_string(),
        message: explanation.message.clone(),
        suggestion,
    }
}

/// 100 minus the weight of each rule found, and a little for each further finding.
fn score(findings: &[Finding]) -> u32 {
    let mut rules: Vec<Rule> = findings.iter().map(|f| f.rule).collect();
    rules.sort();
    rules.dedup();
    let penalty: u32 = rules.iter().map(|r| r.weight()).sum::<u32>() + 3 * (findings.len() - rules.len()) as u32;
    100u32.saturating_sub(penalty)
}

/// Dutch or English, by counting common words of each; Dutch when in doubt.
/// How much of a text the checker reads: the first this many characters. A letter is read
/// whole; a 25 MB e-mail is not read to its end (reading costs more than linearly in the
/// length, and a mood or a tone needs no more than a long letter's worth).
pub const MAX_TEXT_CHARS: usize = 20_000;

/// The first [`MAX_TEXT_CHARS`] characters of `text`.
pub fn bounded(text: &str) -> &str {
    match text.char_indices().nth(MAX_TEXT_CHARS) {
        Some((end, _)) => &text[..end],
        None => text,
    }
}

pub fn detect_language(text: &str) -> Lang {
    let tokens = Text::unstemmed(bounded(text), Lang::En).tokens;
    let hits = |lang: Lang| {
        let stopwords = &Lexicon::builtin(lang).stopwords;
        tokens.iter().filter(|t| stopwords.contains(&t.word)).count()
    };
    if hits(Lang::En) > hits(Lang::Nl) {
        Lang::En
    } else {
        Lang::Nl
    }
}

/// How frustrated the writer of an incoming message is, and why: the phrases' signs, and the
/// learned model's reading when it finds frustration the phrases missed (sarcasm, a polite
/// threat, a complaint about being sent from pillar to post).
pub fn mood(message: &str, lang: Option<Lang>) -> Mood {
    mood_with(message, lang, Model::builtin())
}

/// The mood with a given learned model (an empty one: the phrases alone).
pub fn mood_with(message: &str, lang: Option<Lang>, model: &Model) -> Mood {
    let message = bounded(message);
    let (features, mut mood) = incoming_features(message, lang);
    let Some(linear) = model.target(learned::FRUSTRATED_TARGET) else {
        return mood;
    };
    let probability = linear.probability(&features);
    if mood.frustrated() || probability < linear.threshold {
        return mood;
    }
    mood.frustration = FRUSTRATED.max((probability * 100.0).round() / 100.0);
    let text = Text::new(message, mood.language);
    let strongest = linear.strongest_sentence(&features);
    let sentence: Vec<&text::Token> = text.tokens.iter().filter(|t| Some(t.sentence) == strongest).collect();
    if let (Some(first), Some(last)) = (sentence.first(), sentence.last()) {
        mood.signals.push(Signal {
            kind: "tone".into(),
            excerpt: message[first.start..last.end].to_string(),
        });
    }
    mood
}

/// What the learned model reads from an incoming message, and what the phrases make of it.
pub fn incoming_features(message: &str, lang: Option<Lang>) -> (Features, Mood) {
    let lang = lang.unwrap_or_else(|| detect_language(message));
    // Read once for the phrases and the features alike (a third of the mood's time on import).
    let text = Text::new(message, lang);
    let mood = phrase_mood(&text, message, lang);
    let mut features = text_features(&text);
    features.add("mood".into(), mood.frustration, None);
    for signal in &mood.signals {
        features.add(format!("sig:{}", signal.kind), 1.0, None);
    }
    if praise_then_complaint(&text) {
        features.add("cue:praise_then_complaint".into(), 1.0, Some(0));
    }
    (features, mood)
}

/// Praise in the first sentence and a complaint after it ("Great job, guys. Internet's been
/// down since Friday"): the shape of sarcasm, whatever the words.
fn praise_then_complaint(text: &Text) -> bool {
    let in_class = |t: &text::Token, classes: &[&str]| classes.iter().any(|c| learned::belongs(&t.word, c));
    let praise = text.tokens.iter().any(|t| t.sentence == 0 && in_class(t, &["sarcasm"]));
    let complaint = text
        .tokens
        .iter()
        .any(|t| t.sentence > 0 && in_class(t, &["neg", "anger", "wait", "repeat"]));
    praise && complaint
}

/// How frustrated the writer of an incoming message is by the phrases and signs alone.
fn phrase_mood(text: &Text, message: &str, lang: Lang) -> Mood {
    let lexicon = Lexicon::builtin(lang);
    let mut signals = Vec::new();
    let mut weights = Vec::new();
    for signal in &lexicon.signals {
        let spans = signal.phrases.matches(&text.tokens, &lexicon.numbers);
        // A second sign of the same kind adds half as much again; more add nothing.
        for (i, &(first, last)) in spans.iter().take(2).enumerate() {
            weights.push(if i == 0 { signal.weight } else { signal.weight / 2.0 });
            signals.push(Signal {
                kind: signal.kind.clone(),
                excerpt: text.excerpt(first, last).2.to_string(),
            });
        }
    }
    if let Some(&i) = shouted_words(&text.tokens, lexicon).first() {
        weights.push(0.45);
        signals.push(Signal {
            kind: "capitals".into(),
            excerpt: text.excerpt(i, i).2.to_string(),
        });
    }
    if let Some(&(start, end)) = exclamation_runs(message).first() {
        weights.push(0.4);
        signals.push(Signal {
            kind: "exclamation".into(),
            excerpt: message[start..end].to_string(),
        });
    }
    // Independent signs combine like probabilities: each closes part of the remaining gap to 1.
    let calm: f32 = weights.iter().map(|w| 1.0 - w.clamp(0.0, 1.0)).product();
    Mood {
        language: lang,
        frustration: ((1.0 - calm) * 100.0).round() / 100.0,
        signals,
    }
}
