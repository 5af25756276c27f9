//! The phrases of one language, read from its data file (`data/nl.toml`, `data/en.toml`) and
//! compiled into patterns once.

use std::sync::OnceLock;

use foldhash::HashSet;
use kept_domain::Lang;
use serde::Deserialize;

use crate::phrases::PhraseSet;
use crate::rule::Rule;

#[derive(Debug, Deserialize)]
struct File {
    stopwords: Vec<String>,
    numbers: Vec<String>,
    generic_greeting: GreetingFile,
    blames_customer: RuleFile,
    deflection: RuleFile,
    arguing: RuleFile,
    empty_apology: ApologyFile,
    vague_promise: VagueFile,
    no_acknowledgement: AcknowledgementFile,
    shouting: ShoutingFile,
    mood: MoodFile,
}

#[derive(Debug, Deserialize)]
struct Texts {
    message: String,
    suggestion: String,
}

#[derive(Debug, Deserialize)]
struct GreetingFile {
    openers: Vec<String>,
    needs_name: Vec<String>,
    generic: Vec<String>,
    titles: Vec<String>,
    roles: Vec<String>,
    suggestion_named: String,
    #[serde(flatten)]
    texts: Texts,
}

#[derive(Debug, Deserialize)]
struct RuleFile {
    phrases: Vec<String>,
    exceptions: Vec<String>,
    #[serde(flatten)]
    texts: Texts,
}

#[derive(Debug, Deserialize)]
struct ApologyFile {
    #[serde(flatten)]
    rule: RuleFile,
    remedies: Vec<String>,
    feelings: Vec<String>,
}

#[derive(Debug, Deserialize)]
struct VagueFile {
    #[serde(flatten)]
    rule: RuleFile,
    concrete: Vec<String>,
}

#[derive(Debug, Deserialize)]
struct AcknowledgementFile {
    acknowledgements: Vec<String>,
    #[serde(flatten)]
    texts: Texts,
}

#[derive(Debug, Deserialize)]
struct ShoutingFile {
    acronyms: Vec<String>,
    emphasis: Vec<String>,
    #[serde(flatten)]
    texts: Texts,
}

#[derive(Debug, Deserialize)]
struct MoodFile {
    signals: Vec<SignalFile>,
}

#[derive(Debug, Deserialize)]
struct SignalFile {
    kind: String,
    weight: f32,
    phrases: Vec<String>,
}

/// Why a rule fires and what to write instead, in the message's language.
#[derive(Debug, Clone)]
pub struct Explanation {
    pub message: String,
    pub suggestion: String,
}

impl From<Texts> for Explanation {
    fn from(texts: Texts) -> Self {
        Explanation {
            message: texts.message,
            suggestion: texts.suggestion,
        }
    }
}

pub struct Signal {
    pub kind: String,
    pub weight: f32,
    pub phrases: PhraseSet,
}

/// Everything the checker knows about one language.
pub struct Lexicon {
    /// Looked up for every word of every message whose language is not known.
    pub stopwords: HashSet<String>,
    pub numbers: Vec<String>,
    pub greeting_openers: PhraseSet,
    pub openers_needing_a_name: PhraseSet,
    pub generic_greetings: PhraseSet,
    pub named_greeting: String,
    /// Words that go with a name ("meneer", "Ms").
    pub titles: Vec<String>,
    /// Beginnings of words that address a role or a group ("deelnemer", "subscriber").
    pub roles: Vec<String>,
    pub blame: PhraseSet,
    pub deflection: PhraseSet,
    pub arguing: PhraseSet,
    pub apologies: PhraseSet,
    pub apology_feelings: PhraseSet,
    pub remedies: PhraseSet,
    pub vague: PhraseSet,
    pub concrete_times: PhraseSet,
    pub acknowledgements: PhraseSet,
    pub acronyms: Vec<String>,
    /// Short words that are there for emphasis when written in capitals ("NOT", "NIET").
    pub emphasis: Vec<String>,
    pub signals: Vec<Signal>,
    explanations: Vec<(Rule, Explanation)>,
}

impl Lexicon {
    /// The built-in lexicon of `lang`, compiled on first use.
    pub fn builtin(lang: Lang) -> &'static Lexicon {
        static NL: OnceLock<Lexicon> = OnceLock::new();
        static EN: OnceLock<Lexicon> = OnceLock::new();
        match lang {
            Lang::Nl => NL.get_or_init(|| Lexicon::parse(include_str!("../data/nl.toml"), Lang::Nl)),
            Lang::En => EN.get_or_init(|| Lexicon::parse(include_str!("../data/en.toml"), Lang::En)),
        }
    }

    /// Compiles a data file. The built-in files are checked by the tests, so a mistake in them
    /// cannot reach a release.
    fn parse(source: &str, lang: Lang) -> Lexicon {
        let file: File = match toml::from_str(source) {
            Ok(file) => file,
            Err(error) => unreachable!("the built-in {lang:?} phrase file is checked by tests: {error}"),
        };
        let set = |phrases: &[String], exceptions: &[String]| PhraseSet::new(phrases, exceptions, lang);
        let rule = |file: &RuleFile| set(&file.phrases, &file.exceptions);
        let apologies = rule(&file.empty_apology.rule);
        let vague = rule(&file.vague_promise.rule);
        let explanations = vec![
            (Rule::GenericGreeting, file.generic_greeting.texts.into()),
            (Rule::BlamesCustomer, file.blames_customer.texts.into()),
            (Rule::Deflection, file.deflection.texts.into()),
            (Rule::Arguing, file.arguing.texts.into()),
            (Rule::EmptyApology, file.empty_apology.rule.texts.into()),
            (Rule::VaguePromise, file.vague_promise.rule.texts.into()),
            (Rule::NoAcknowledgement, file.no_acknowledgement.texts.into()),
            (Rule::Shouting, file.shouting.texts.into()),
        ];
        Lexicon {
            stopwords: file.stopwords.into_iter().collect(),
            numbers: file.numbers,
            greeting_openers: set(&file.generic_greeting.openers, &[]),
            openers_needing_a_name: set(&file.generic_greeting.needs_name, &[]),
            generic_greetings: set(&file.generic_greeting.generic, &[]),
            named_greeting: file.generic_greeting.suggestion_named,
            titles: file.generic_greeting.titles,
            roles: file.generic_greeting.roles,
            blame: set(&file.blames_customer.phrases, &file.blames_customer.exceptions),
            deflection: set(&file.deflection.phrases, &file.deflection.exceptions),
            arguing: set(&file.arguing.phrases, &file.arguing.exceptions),
            apologies,
            apology_feelings: set(&file.empty_apology.feelings, &[]),
            remedies: set(&file.empty_apology.remedies, &[]),
            vague,
            concrete_times: set(&file.vague_promise.concrete, &[]),
            acknowledgements: set(&file.no_acknowledgement.acknowledgements, &[]),
            acronyms: file.shouting.acronyms,
            emphasis: file.shouting.emphasis,
            signals: file
                .mood
                .signals
                .into_iter()
                .map(|s| Signal {
                    kind: s.kind,
                    weight: s.weight,
                    phrases: set(&s.phrases, &[]),
                })
                .collect(),
            explanations,
        }
    }

    pub fn explain(&self, rule: Rule) -> &Explanation {
        let found = self.explanations.iter().find(|(r, _)| *r == rule).map(|(_, e)| e);
        found.unwrap_or_else(|| unreachable!("every rule has an explanation in the data file"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn both_builtin_files_compile() {
        for lang in [Lang::Nl, Lang::En] {
            let lexicon = Lexicon::builtin(lang);
            assert!(lexicon.stopwords.len() > 20);
            assert_eq!(lexicon.signals.len(), 5);
            assert!(!lexicon.explain(Rule::Shouting).message.is_empty());
        }
    }
}
