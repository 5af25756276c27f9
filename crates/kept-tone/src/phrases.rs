//! Phrase patterns, written in the language's data file as plain text:
//! `u had * moeten` (`*`: up to six words in between), `heer|heren` (either word),
//! `within # working days` (`#`: a number, in digits or words). Words are matched on their
//! stems, so "apologises" matches "apologise".

use foldhash::HashMap;
use kept_domain::Lang;

use crate::text::{Text, Token};

/// How many words a `*` may stand for.
const GAP: usize = 6;

#[derive(Debug, Clone)]
enum Step {
    Word(Vec<String>),
    Number,
    Gap,
}

#[derive(Debug, Clone)]
pub struct Pattern {
    steps: Vec<Step>,
}

/// A match: the first and last token index.
pub type Span = (usize, usize);

impl Pattern {
    pub fn parse(source: &str, lang: Lang) -> Pattern {
        let mut steps = Vec::new();
        for part in source.split_whitespace() {
            match part {
                "*" => steps.push(Step::Gap),
                "#" => steps.push(Step::Number),
                _ if part.contains('|') => {
                    let stems = part
                        .split('|')
                        .filter_map(|alt| Text::new(alt, lang).tokens.into_iter().next())
                        .map(|t| t.stem)
                        .collect();
                    steps.push(Step::Word(stems));
                }
                _ => steps.extend(
                    Text::new(part, lang)
                        .tokens
                        .into_iter()
                        .map(|t| Step::Word(vec![t.stem])),
                ),
            }
        }
        while matches!(steps.last(), Some(Step::Gap)) {
            steps.pop();
        }
        while matches!(steps.first(), Some(Step::Gap)) {
            steps.remove(0);
        }
        Pattern { steps }
    }

    /// Where the match starting at `pos` ends (exclusive), trying shorter gaps first. A match
    /// stays within one sentence.
    fn match_at(
        &self,
        tokens: &[Token],
        numbers: &[String],
        sentence: usize,
        step: usize,
        pos: usize,
    ) -> Option<usize> {
        let Some(current) = self.steps.get(step) else {
            return Some(pos);
        };
        if let Step::Gap = current {
            return (0..=GAP).find_map(|skip| self.match_at(tokens, numbers, sentence, step + 1, pos + skip));
        }
        let token = tokens.get(pos).filter(|t| t.sentence == sentence)?;
        let fits = match current {
            Step::Word(stems) => stems.contains(&token.stem),
            Step::Number => is_number(token, numbers),
            Step::Gap => false,
        };
        fits.then(|| self.match_at(tokens, numbers, sentence, step + 1, pos + 1))
            .flatten()
    }
}

pub fn is_number(token: &Token, number_words: &[String]) -> bool {
    token.word.chars().all(|c| c.is_ascii_digit()) || number_words.contains(&token.word)
}

/// Patterns indexed by the stem their first word must have: each token is tried against the
/// few patterns that can start there, not every pattern against every token (that was a
/// quarter of reading an incoming message's mood).
#[derive(Debug, Clone, Default)]
struct Patterns {
    patterns: Vec<Pattern>,
    by_first_stem: HashMap<String, Vec<usize>>,
    /// Those starting with a number: tried at every token.
    anywhere: Vec<usize>,
}

impl Patterns {
    fn new(sources: &[String], lang: Lang) -> Patterns {
        let mut indexed = Patterns::default();
        for pattern in sources.iter().map(|p| Pattern::parse(p, lang)) {
            let index = indexed.patterns.len();
            match pattern.steps.first() {
                Some(Step::Word(stems)) => {
                    for stem in stems {
                        indexed.by_first_stem.entry(stem.clone()).or_default().push(index);
                    }
                }
                Some(_) => indexed.anywhere.push(index),
                // Nothing to match: never matches.
                None => continue,
            }
            indexed.patterns.push(pattern);
        }
        indexed
    }

    /// Every match of every pattern, each start once per pattern, in no particular order.
    fn spans(&self, tokens: &[Token], numbers: &[String]) -> Vec<Span> {
        let mut spans = Vec::new();
        for (start, token) in tokens.iter().enumerate() {
            let starting_here = self.by_first_stem.get(&token.stem).into_iter().flatten();
            for &index in starting_here.chain(&self.anywhere) {
                if let Some(end) = self.patterns[index].match_at(tokens, numbers, token.sentence, 0, start) {
                    spans.push((start, end - 1));
                }
            }
        }
        spans
    }
}

/// A set of patterns, and exceptions that cancel a match they overlap ("not your fault").
#[derive(Debug, Clone, Default)]
pub struct PhraseSet {
    patterns: Patterns,
    exceptions: Patterns,
}

impl PhraseSet {
    pub fn new(phrases: &[String], exceptions: &[String], lang: Lang) -> PhraseSet {
        PhraseSet {
            patterns: Patterns::new(phrases, lang),
            exceptions: Patterns::new(exceptions, lang),
        }
    }

    /// Every match not cancelled by an exception, in text order, overlapping ones merged.
    pub fn matches(&self, tokens: &[Token], numbers: &[String]) -> Vec<Span> {
        let excepted = self.exceptions.spans(tokens, numbers);
        let overlaps = |a: Span, b: Span| a.0 <= b.1 && b.0 <= a.1;
        let mut spans: Vec<Span> = self
            .patterns
            .spans(tokens, numbers)
            .into_iter()
            .filter(|span| !excepted.iter().any(|e| overlaps(*span, *e)))
            .collect();
        spans.sort();
        let mut merged: Vec<Span> = Vec::new();
        for span in spans {
            match merged.last_mut() {
                Some(last) if overlaps(*last, span) => last.1 = last.1.max(span.1),
                _ => merged.push(span),
            }
        }
        merged
    }

    pub fn first(&self, tokens: &[Token], numbers: &[String]) -> Option<Span> {
        self.matches(tokens, numbers).into_iter().next()
    }

    pub fn any(&self, tokens: &[Token], numbers: &[String]) -> bool {
        !self.matches(tokens, numbers).is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spans(pattern: &str, text: &str, lang: Lang) -> Vec<Span> {
        let text = Text::new(text, lang);
        let mut spans = Patterns::new(&[pattern.to_string()], lang).spans(&text.tokens, &["drie".to_string()]);
        spans.sort_unstable();
        spans
    }

    #[test]
    fn gaps_alternatives_numbers_and_stems() {
        assert_eq!(
            spans(
                "u had * moeten",
                "U had de schade binnen 14 dagen moeten melden",
                Lang::Nl
            ),
            [(0, 7)]
        );
        assert_eq!(spans("geachte heer|heren", "Geachte heren,", Lang::Nl), [(0, 1)]);
        assert_eq!(
            spans(
                "binnen # werkdagen",
                "binnen drie werkdagen of binnen 5 werkdag",
                Lang::Nl
            ),
            [(0, 2), (4, 6)]
        );
        assert_eq!(spans("we apologise", "We apologised twice", Lang::En), [(0, 1)]);
        assert!(
            spans(
                "u had * moeten",
                "U had gelijk. Wij hadden het moeten zien, en nu",
                Lang::Nl
            )
            .is_empty()
        );
    }

    #[test]
    fn exceptions_cancel_overlapping_matches() {
        let set = PhraseSet::new(&["your fault".into()], &["not your fault".into()], Lang::En);
        let blame = Text::new("That is your fault.", Lang::En);
        let denial = Text::new("It is not your fault at all.", Lang::En);
        assert_eq!(set.matches(&blame.tokens, &[]).len(), 1);
        assert!(set.matches(&denial.tokens, &[]).is_empty());
    }
}
