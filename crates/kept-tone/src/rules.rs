//! The reply rules. Each finds spans in the draft and is explained by the language's data file.

use kept_domain::Lang;

use crate::lexicon::Lexicon;
use crate::phrases::{PhraseSet, Span};
use crate::rule::Rule;
use crate::text::{Text, Token};

/// A rule's raw hit: which tokens, or a byte range for things between tokens ("!!").
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Hit {
    Tokens(Span),
    Bytes(usize, usize),
}

/// A business's own phrases, added to the built-in ones of a rule.
pub struct Extra<'a> {
    pub rule: Rule,
    pub phrases: &'a PhraseSet,
}

pub struct Draft<'a> {
    pub text: &'a Text<'a>,
    pub lexicon: &'a Lexicon,
    pub extra: &'a [Extra<'a>],
    /// How the customer is addressed ("meneer Jansen"), when known.
    pub customer_name: Option<&'a str>,
}

impl Draft<'_> {
    fn tokens(&self) -> &[Token] {
        &self.text.tokens
    }

    fn numbers(&self) -> &[String] {
        &self.lexicon.numbers
    }

    /// Matches of the built-in phrases of a rule plus the business's own.
    fn matches(&self, rule: Rule, builtin: &PhraseSet) -> Vec<Span> {
        let mut spans = builtin.matches(self.tokens(), self.numbers());
        for extra in self.extra.iter().filter(|e| e.rule == rule) {
            spans.extend(extra.phrases.matches(self.tokens(), self.numbers()));
        }
        spans.sort();
        spans
    }

    /// The salutation ("Beste relatie," / "Hi Tom,"): the opener and everything up to the
    /// first comma or line break, if the message starts with one.
    pub fn greeting(&self) -> Option<Span> {
        let (_, opener_end) = self
            .lexicon
            .greeting_openers
            .first(self.tokens(), self.numbers())
            .filter(|s| s.0 == 0)?;
        let original = self.text.original;
        let after_opener = self.tokens()[opener_end].end;
        let stop = original[after_opener..]
            .find([',', '\n', '!', '.'])
            .map_or(original.len(), |i| after_opener + i);
        let last = self.tokens().iter().rposition(|t| t.end <= stop)?;
        (last <= opener_end + 5).then_some((0, last))
    }

    pub fn generic_greeting(&self) -> Option<Hit> {
        // A generic salutation is the whole greeting: "Geachte heren," but not "Geachte heer Bos,".
        let greeting = self.greeting();
        let whole_greeting = |span: &Span| greeting.map_or(span.0 == 0, |(_, last)| span.0 == 0 && span.1 == last);
        let generic = self
            .matches(Rule::GenericGreeting, &self.lexicon.generic_greetings)
            .into_iter()
            .find(whole_greeting);
        if let Some(span) = generic {
            return Some(Hit::Tokens(span));
        }
        // A salutation that needs a name, with nothing after it: "Beste," or "Dear,".
        let (first, last) = greeting?;
        let needs_a_name = self
            .lexicon
            .openers_needing_a_name
            .first(self.tokens(), self.numbers())
            .is_some_and(|(start, opener_end)| start == 0 && last == opener_end);
        (needs_a_name || self.addresses_nobody(last)).then_some(Hit::Tokens((first, last)))
    }

    /// Whether the words after the greeting's opener (up to token `last`) name nobody: not the
    /// customer's name when it is known ("Dear Policyholder," to Mrs Ellis); otherwise only
    /// roles, titles without a name, and words without a capital ("Beste sporter,").
    fn addresses_nobody(&self, last: usize) -> bool {
        let Some((_, opener_end)) = self.lexicon.greeting_openers.first(self.tokens(), self.numbers()) else {
            return false;
        };
        let words = self.tokens().get(opener_end + 1..=last).unwrap_or_default();
        if words.is_empty() {
            return false;
        }
        let starts = |word: &str, list: &[String]| {
            list.iter()
                .any(|w| word == w || (w.len() >= 4 && word.starts_with(w.as_str())))
        };
        let is_title = |word: &str| self.lexicon.titles.iter().any(|t| t == word);
        let name_words: Vec<String> = self
            .customer_name
            .map(|name| Text::new(name, Lang::En).tokens)
            .unwrap_or_default()
            .into_iter()
            .map(|t| t.word)
            .filter(|w| !is_title(w))
            .collect();
        if !name_words.is_empty() {
            return !words.iter().any(|t| name_words.contains(&t.word));
        }
        let capitalised = |t: &Token| {
            self.text.original[t.start..]
                .chars()
                .next()
                .is_some_and(char::is_uppercase)
        };
        let titled_name = words
            .windows(2)
            .any(|pair| is_title(&pair[0].word) && !starts(&pair[1].word, &self.lexicon.roles));
        !titled_name
            && words
                .iter()
                .all(|t| starts(&t.word, &self.lexicon.roles) || is_title(&t.word) || !capitalised(t))
    }

    /// The sentence after the greeting, which should acknowledge an upset customer.
    pub fn opening_sentence(&self) -> Option<usize> {
        let start = self.greeting().map_or(0, |(_, last)| last + 1);
        self.tokens().get(start).map(|t| t.sentence)
    }

    /// The first and last token of a sentence.
    pub fn sentence_span(&self, sentence: usize) -> Option<Span> {
        let first = self.tokens().iter().position(|t| t.sentence == sentence)?;
        let last = self.tokens().iter().rposition(|t| t.sentence == sentence)?;
        Some((first, last))
    }

    pub fn phrase_rule(&self, rule: Rule, set: &PhraseSet) -> Vec<Hit> {
        self.matches(rule, set).into_iter().map(Hit::Tokens).collect()
    }

    fn has_concrete_time(&self) -> bool {
        self.lexicon.concrete_times.any(self.tokens(), self.numbers()) || has_clock_time(self.text)
    }

    pub fn vague_promise(&self) -> Option<Hit> {
        let first = self
            .matches(Rule::VaguePromise, &self.lexicon.vague)
            .into_iter()
            .next()?;
        (!self.has_concrete_time()).then_some(Hit::Tokens(first))
    }

    /// An apology with nothing offered: no remedy, no concrete time and no promise at all
    /// (an apology followed by a vague promise is a vague promise, not an empty apology).
    pub fn empty_apology(&self) -> Option<Hit> {
        let mut apologies = self.matches(Rule::EmptyApology, &self.lexicon.apologies);
        apologies.extend(self.lexicon.apology_feelings.matches(self.tokens(), self.numbers()));
        let first = apologies.into_iter().min()?;
        let offers_something = self.lexicon.remedies.any(self.tokens(), self.numbers())
            || self.has_concrete_time()
            || self.vague_promise().is_some();
        (!offers_something).then_some(Hit::Tokens(first))
    }

    /// What the draft offers and how it opens, for the learned model: an apology, a remedy, a
    /// concrete moment, a vague promise, an acknowledging opening.
    pub fn cues(&self) -> Vec<&'static str> {
        let mut apologies = self.lexicon.apologies.any(self.tokens(), self.numbers());
        apologies |= self.lexicon.apology_feelings.any(self.tokens(), self.numbers());
        [
            ("apology", apologies),
            ("remedy", self.lexicon.remedies.any(self.tokens(), self.numbers())),
            ("concrete_time", self.has_concrete_time()),
            ("vague", self.vague_promise().is_some()),
            ("unacknowledged", self.no_acknowledgement().is_some()),
            ("writer_promises", self.writer_promises()),
        ]
        .into_iter()
        .filter_map(|(cue, present)| present.then_some(cue))
        .collect()
    }

    /// The writer says what they will do: "we'll", "I will", "wij zullen", "ik laat": a subject
    /// of the first person with a word of the future right after it (or one word on).
    fn writer_promises(&self) -> bool {
        const WRITER: [&str; 4] = ["we", "i", "wij", "ik"];
        let tokens = self.tokens();
        tokens.iter().enumerate().any(|(i, token)| {
            WRITER.contains(&token.word.as_str())
                && tokens[i + 1..]
                    .iter()
                    .take(2)
                    .take_while(|t| t.sentence == token.sentence)
                    .any(|t| crate::learned::belongs(&t.word, "future"))
        })
    }

    /// With a frustrated customer, the first sentence after the greeting must acknowledge it.
    pub fn no_acknowledgement(&self) -> Option<Hit> {
        let start = self.greeting().map_or(0, |(_, last)| last + 1);
        let sentence = self.tokens().get(start)?.sentence;
        let end = self.tokens().iter().rposition(|t| t.sentence == sentence)?;
        let opening = &self.tokens()[start..=end];
        // A word of feeling or understanding in the opening ("exhausting", "voorstellen")
        // acknowledges it too, however it is phrased.
        let acknowledged = self.lexicon.acknowledgements.any(opening, self.numbers())
            || opening.iter().any(|t| crate::learned::belongs(&t.word, "empathy"))
            || self.lexicon.apologies.any(opening, self.numbers());
        (!acknowledged).then_some(Hit::Tokens((start, end)))
    }

    pub fn shouting(&self) -> Vec<Hit> {
        let mut hits: Vec<Hit> = shouted_words(self.tokens(), self.lexicon)
            .into_iter()
            .map(|i| Hit::Tokens((i, i)))
            .collect();
        hits.extend(
            exclamation_runs(self.text.original)
                .into_iter()
                .map(|(s, e)| Hit::Bytes(s, e)),
        );
        hits
    }
}

/// "10:00", "8.30", "16:00 uur": a clock time in the text.
fn has_clock_time(text: &Text) -> bool {
    text.tokens.windows(2).any(|pair| {
        // Tokens of one expanded contraction share a span, so there may be nothing between.
        let between = text.original.get(pair[0].end..pair[1].start).unwrap_or_default();
        let hour = pair[0].word.parse::<u32>().is_ok_and(|h| h <= 24) && pair[0].word.len() <= 2;
        let minutes = pair[1].word.len() == 2 && pair[1].word.parse::<u32>().is_ok_and(|m| m < 60);
        hour && minutes && (between == ":" || between == ".")
    })
}

fn is_acronym(token: &Token, acronyms: &[String]) -> bool {
    let has_vowel = token.word.chars().any(|c| "aeiouy".contains(c));
    acronyms.contains(&token.word) || !has_vowel || token.word.chars().any(|c| c.is_ascii_digit())
}

/// Indexes of words in capitals for emphasis: words of five letters or more, short words that
/// carry emphasis ("NOT", "NIET"), and any next to another such word ("WHY IS"); not
/// abbreviations, which short words in capitals mostly are ("EHBO", "SAML").
pub fn shouted_words(tokens: &[Token], lexicon: &Lexicon) -> Vec<usize> {
    let shouted = |i: usize| {
        tokens
            .get(i)
            .is_some_and(|t| t.capitals && !is_acronym(t, &lexicon.acronyms))
    };
    let mut words: Vec<usize> = (0..tokens.len())
        .filter(|&i| shouted(i))
        .filter(|&i| {
            let word = &tokens[i].word;
            word.chars().count() >= 5 || lexicon.emphasis.contains(word) || shouted(i + 1) || (i > 0 && shouted(i - 1))
        })
        .collect();
    // An expanded contraction ("DON'T" → do, not) is one word in the original.
    words.dedup_by_key(|i| tokens[*i].start);
    words
}

/// Byte ranges of "!!", "!!!", "?!" and the like.
pub fn exclamation_runs(text: &str) -> Vec<(usize, usize)> {
    let mut runs = Vec::new();
    let mut start = None;
    for (i, c) in text.char_indices().chain(std::iter::once((text.len(), ' '))) {
        match (c == '!' || c == '?', start) {
            (true, None) => start = Some(i),
            (false, Some(s)) => {
                let run = &text[s..i];
                if run.len() >= 2 && run.contains('!') {
                    runs.push((s, i));
                }
                start = None;
            }
            _ => {}
        }
    }
    runs
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn capitals_for_emphasis_but_not_acronyms() {
        let text = Text::new(
            "Bel KPN of ING, maar deel uw pincode NOOIT. DO NOT wait, U MOET nu. Uw EHBO-doos, WHY IS",
            Lang::Nl,
        );
        let shouted: Vec<&str> = shouted_words(&text.tokens, Lexicon::builtin(Lang::Nl))
            .into_iter()
            .map(|i| text.tokens[i].word.as_str())
            .collect();
        assert_eq!(shouted, ["nooit", "do", "not", "moet", "why", "is"]);
    }

    #[test]
    fn exclamation_runs_need_two_marks() {
        assert_eq!(exclamation_runs("Thanks! Really?! Now!!!"), [(14, 16), (20, 23)]);
        assert!(exclamation_runs("Tot dan!").is_empty());
    }

    #[test]
    fn clock_times_are_recognised() {
        assert!(has_clock_time(&Text::new("morgen om 10:00", Lang::Nl)));
        assert!(has_clock_time(&Text::new("tussen 8.30 en 12", Lang::Nl)));
        assert!(!has_clock_time(&Text::new("€ 87,50 teruggestort", Lang::Nl)));
    }
}
