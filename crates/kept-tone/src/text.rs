//! Turning a message into tokens that phrases can be matched against: lower case, without
//! diacritics (geïrriteerd = geirriteerd), English contractions spelled out, and stemmed
//! (Snowball) so that inflections match. Every token remembers its byte span in the original.

use rust_stemmers::{Algorithm, Stemmer};
use unicode_normalization::UnicodeNormalization;
use unicode_normalization::char::is_combining_mark;

use kept_domain::Lang;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Token {
    pub start: usize,
    pub end: usize,
    /// Lower case, no diacritics.
    pub word: String,
    /// The Snowball stem of `word`.
    pub stem: String,
    /// Written in capitals in the original (two letters or more).
    pub capitals: bool,
    /// Which sentence the token is in, counting from 0.
    pub sentence: usize,
}

/// A message split into tokens, and where its sentences end.
pub struct Text<'a> {
    pub original: &'a str,
    pub tokens: Vec<Token>,
}

pub fn stemmer(lang: Lang) -> Stemmer {
    Stemmer::create(match lang {
        Lang::Nl => Algorithm::Dutch,
        Lang::En => Algorithm::English,
    })
}

/// Lower case without diacritics: "Geïrriteerd" → "geirriteerd".
pub fn fold(word: &str) -> String {
    // Most words are plain ASCII, for which decomposing is a slow way to do nothing.
    if word.is_ascii() {
        return word.to_ascii_lowercase();
    }
    word.nfd()
        .filter(|c| !is_combining_mark(*c))
        .flat_map(char::to_lowercase)
        .collect()
}

fn is_apostrophe(c: char) -> bool {
    c == '\'' || c == '’'
}

/// English contractions spelled out, so that "haven't" matches "have not".
fn expand(word: String, lang: Lang) -> Vec<String> {
    let Some((base, suffix)) = word.split_once(is_apostrophe) else {
        return vec![word];
    };
    if lang == Lang::Nl {
        return vec![format!("{base}{suffix}")];
    }
    let base = base.to_string();
    match suffix {
        "t" if base == "won" => vec!["will".into(), "not".into()],
        "t" if base == "can" => vec!["can".into(), "not".into()],
        "t" if base.ends_with('n') => vec![base[..base.len() - 1].to_string(), "not".into()],
        "m" => vec![base, "am".into()],
        "re" => vec![base, "are".into()],
        "ll" => vec![base, "will".into()],
        "ve" => vec![base, "have".into()],
        "d" => vec![base, "would".into()],
        "s" if matches!(
            base.as_str(),
            "it" | "that" | "there" | "what" | "he" | "she" | "who" | "here"
        ) =>
        {
            vec![base, "is".into()]
        }
        _ => vec![base],
    }
}

impl<'a> Text<'a> {
    pub fn new(original: &'a str, lang: Lang) -> Text<'a> {
        Text::tokenise(original, lang, Some(&stemmer(lang)))
    }

    /// The tokens without their stems (each `stem` is empty): enough to count common words,
    /// at a third of the cost — stemming is most of the work.
    pub fn unstemmed(original: &'a str, lang: Lang) -> Text<'a> {
        Text::tokenise(original, lang, None)
    }

    fn tokenise(original: &'a str, lang: Lang, stemmer: Option<&Stemmer>) -> Text<'a> {
        let mut tokens: Vec<Token> = Vec::new();
        let mut sentence = 0;
        let mut chars = original.char_indices().peekable();
        while let Some((start, c)) = chars.next() {
            if !c.is_alphanumeric() {
                continue;
            }
            let mut end = start + c.len_utf8();
            while let Some(&(i, next)) = chars.peek() {
                let inner_apostrophe = is_apostrophe(next)
                    && original[i + next.len_utf8()..]
                        .chars()
                        .next()
                        .is_some_and(char::is_alphanumeric);
                if next.is_alphanumeric() || inner_apostrophe {
                    end = i + next.len_utf8();
                    chars.next();
                } else {
                    break;
                }
            }
            let previous_end = tokens.last().map_or(0, |t| t.end);
            if original[previous_end..start].contains(['.', '!', '?', '\n', ':', ';']) && !tokens.is_empty() {
                sentence += 1;
            }
            let raw = &original[start..end];
            let (letters, all_upper) = raw
                .chars()
                .filter(|c| c.is_alphabetic())
                .fold((0, true), |(n, upper), c| (n + 1, upper && c.is_uppercase()));
            let capitals = letters >= 2 && all_upper;
            for word in expand(fold(raw), lang) {
                let stem = stemmer.map(|s| s.stem(&word).into_owned()).unwrap_or_default();
                tokens.push(Token {
                    start,
                    end,
                    word,
                    stem,
                    capitals,
                    sentence,
                });
            }
        }
        Text { original, tokens }
    }

    /// The original text between two tokens (inclusive).
    pub fn excerpt(&self, first: usize, last: usize) -> (usize, usize, &'a str) {
        let start = self.tokens[first].start;
        let end = self.tokens[last].end;
        (start, end, &self.original[start..end])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_fold_case_and_diacritics_and_keep_their_spans() {
        let text = Text::new("Ik ben écht GEÏRRITEERD!", Lang::Nl);
        let words: Vec<&str> = text.tokens.iter().map(|t| t.word.as_str()).collect();
        assert_eq!(words, ["ik", "ben", "echt", "geirriteerd"]);
        let last = text.tokens.last().unwrap();
        assert!(last.capitals);
        assert_eq!(&text.original[last.start..last.end], "GEÏRRITEERD");
    }

    #[test]
    fn contractions_are_spelled_out() {
        let text = Text::new("You haven't tried, it's fine, we'll see, don’t worry", Lang::En);
        let words: Vec<&str> = text.tokens.iter().map(|t| t.word.as_str()).collect();
        assert_eq!(
            words,
            [
                "you", "have", "not", "tried", "it", "is", "fine", "we", "will", "see", "do", "not", "worry"
            ]
        );
    }

    #[test]
    fn unstemmed_tokens_are_the_same_words() {
        let message = "We haven't héard from you; she apologises";
        let stemmed = Text::new(message, Lang::En);
        let unstemmed = Text::unstemmed(message, Lang::En);
        let words = |t: &Text| {
            t.tokens
                .iter()
                .map(|t| (t.word.clone(), t.start, t.sentence))
                .collect::<Vec<_>>()
        };
        assert_eq!(words(&stemmed), words(&unstemmed));
        assert!(unstemmed.tokens.iter().all(|t| t.stem.is_empty()));
        assert!(
            stemmed.tokens.iter().any(|t| t.stem != t.word),
            "some word has a stem of its own"
        );
    }

    #[test]
    fn inflections_share_a_stem() {
        let en = Text::new("apologise apologises", Lang::En);
        assert_eq!(en.tokens[0].stem, en.tokens[1].stem);
        let nl = Text::new("verantwoordelijkheid verantwoordelijkheden", Lang::Nl);
        assert_eq!(nl.tokens[0].stem, nl.tokens[1].stem);
    }
}
