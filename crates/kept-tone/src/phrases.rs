//! Phrase patterns, written in the language's data file as plain text:
//! `u had * moeten` (`*`: up to six words in between), `heer|heren` (either word),
//! `within # working days` (`#`: a number, in digits or words). Words are matched on their
//! stems, so "apologises" matches "apologise".

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

    /// The first match starting at or after token `from`.
    pub fn find(&self, tokens: &[Token], numbers: &[String], from: usize) -> Option<Span> {
        if self.steps.is_empty() {
            return None;
        }
        (from..tokens.len()).find_map(|start| {
            let sentence = tokens[start].sentence;
            self.match_at(tokens, numbers, sentence, 0, start)
                .map(|end| (start, end - 1))
        })
    }

    pub fn find_all(&self, tokens: &[Token], numbers: &[String]) -> Vec<Span> {
        let mut spans = Vec::new();
        let mut from = 0;
        while let Some(span) = self.find(tokens, numbers, from) {
            spans.push(span);
            from = span.0 + 1;
        }
        spans
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

/// A set of patterns, and exceptions that cancel a match they overlap ("not your fault").
#[derive(Debug, Clone, Default)]
pub struct PhraseSet {
    patterns: Vec<Pattern>,
    exceptions: Vec<Pattern>,
}

impl PhraseSet {
    pub fn new(phrases: &[String], exceptions: &[String], lang: Lang) -> PhraseSet {
        PhraseSet {
            patterns: phrases.iter().map(|p| Pattern::parse(p, lang)).collect(),
            exceptions: exceptions.iter().map(|p| Pattern::parse(p, lang)).collect(),
        }
    }

    /// Every match not cancelled by an exception, in text order, overlapping ones merged.
    pub fn matches(&self, tokens: &[Token], numbers: &[String]) -> Vec<Span> {
        let excepted: Vec<Span> = self
            .exceptions
            .iter()
            .flat_map(|p| p.find_all(tokens, numbers))
            .collect();
        let overlaps = |a: Span, b: Span| a.0 <= b.1 && b.0 <= a.1;
        let mut spans: Vec<Span> = self
            .patterns
            .iter()
            .flat_map(|p| p.find_all(tokens, numbers))
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
        Pattern::parse(pattern, lang).find_all(&text.tokens, &["drie".to_string()])
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
