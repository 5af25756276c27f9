//! Full-text search terms, the same for every database: words are folded (case, diacritics)
//! and stored together with their Dutch and English Snowball stems, so that "fietsen" finds
//! "fiets" and "refunded" finds "refund" without knowing the language of the message.
//! The database's own full-text index (SQLite FTS5, PostgreSQL tsvector with the `simple`
//! configuration) then only has to match whole tokens.

use std::borrow::Cow;
use std::collections::BTreeSet;

use chrono::{DateTime, Datelike, Months, NaiveDate, Utc};
use rust_stemmers::{Algorithm, Stemmer};
use unicode_normalization::UnicodeNormalization;
use unicode_normalization::char::is_combining_mark;

/// Words longer than this are not indexed (hashes, base64 left in a mail body).
const MAX_WORD_CHARS: usize = 40;
/// A query uses at most this many words.
const MAX_QUERY_WORDS: usize = 8;
/// A date range of up to this many months is looked up by its month tokens; a longer one is
/// only filtered on the exact time (it matches most of the index anyway).
const MAX_RANGE_MONTHS: u32 = 36;

fn fold(word: &str) -> String {
    // Most words are plain ASCII, for which decomposing is a slow way to do nothing.
    if word.is_ascii() {
        return word.to_ascii_lowercase();
    }
    word.nfd()
        .filter(|c| !is_combining_mark(*c))
        .flat_map(char::to_lowercase)
        .collect()
}

fn words(text: &str) -> impl Iterator<Item = String> + '_ {
    text.split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty() && w.chars().count() <= MAX_WORD_CHARS)
        .map(fold)
        // Folding can leave only ASCII letters and digits; anything else (emoji, symbols) is noise.
        .map(|w| match w.bytes().all(|b| b.is_ascii_alphanumeric()) {
            true => w,
            false => w.chars().filter(char::is_ascii_alphanumeric).collect::<String>(),
        })
        .filter(|w| !w.is_empty())
}

struct Stems {
    dutch: Stemmer,
    english: Stemmer,
}

impl Stems {
    fn new() -> Self {
        Self {
            dutch: Stemmer::create(Algorithm::Dutch),
            english: Stemmer::create(Algorithm::English),
        }
    }

    /// The word and its stems, without repeats.
    fn forms(&self, word: &str) -> BTreeSet<String> {
        let mut forms = BTreeSet::new();
        self.add_forms(word, &mut forms);
        forms
    }

    fn add_forms(&self, word: &str, to: &mut BTreeSet<String>) {
        for form in [Cow::Borrowed(word), self.dutch.stem(word), self.english.stem(word)] {
            // Looked up first: a form already there (often the word itself) costs no copy.
            if !to.contains(form.as_ref()) {
                to.insert(form.into_owned());
            }
        }
    }
}

/// The words of a text with their stems, once each: the part of its index terms that needs
/// only the text, so that it can be worked out before the record's customer is known (an
/// inbound message's, in its own request rather than on the one writer).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TextTerms(BTreeSet<String>);

/// How much of a text is indexed: its first this many characters (a long letter's worth). A
/// 25 MB e-mail is stored whole and found by what it starts with.
pub const INDEXED_CHARS: usize = 20_000;

/// The first `chars` characters of `text`.
fn prefix(text: &str, chars: usize) -> &str {
    match text.char_indices().nth(chars) {
        Some((end, _)) => &text[..end],
        None => text,
    }
}

impl TextTerms {
    pub fn of(text: &str) -> TextTerms {
        let text = prefix(text, INDEXED_CHARS);
        let stems = Stems::new();
        let mut terms = BTreeSet::new();
        for word in words(text) {
            stems.add_forms(&word, &mut terms);
        }
        TextTerms(terms)
    }

    /// What is written to the search index: these words, plus tokens for the filters (customer,
    /// channel, the month and the day it was said in) so that a filtered search is one index
    /// lookup, not a scan of every match; sorted, once each.
    pub fn with_filters(&self, customer_id: &str, channel: &str, at: DateTime<Utc>) -> String {
        let filters = [
            customer_token(customer_id),
            channel_token(channel),
            month_token(at.date_naive()),
            day_token(at.date_naive()),
        ];
        let mut terms: Vec<&str> = self.0.iter().chain(&filters).map(String::as_str).collect();
        terms.sort_unstable();
        terms.dedup();
        terms.join(" ")
    }
}

/// The filter token for a day (in UTC): a range looks up the days it covers of a month it does
/// not cover whole by these, so that the rest of that month's matches are not read at all.
pub fn day_token(day: NaiveDate) -> String {
    format!("zzday{:04}{:02}{:02}", day.year(), day.month(), day.day())
}

/// The filter token for a month (in UTC; the exact time is filtered on as well).
pub fn month_token(day: NaiveDate) -> String {
    format!("zzmonth{:04}{:02}", day.year(), day.month())
}

/// The filter token for a customer (ids are UUIDs; the hyphens would split the token).
pub fn customer_token(customer_id: &str) -> String {
    let id: String = customer_id.chars().filter(char::is_ascii_alphanumeric).collect();
    format!("zzcustomer{}", id.to_lowercase())
}

pub fn channel_token(channel: &str) -> String {
    let channel: String = words(channel).collect();
    format!("zzchannel{channel}")
}

/// The month's token when `first..=last` covers it whole, else the tokens of the days it covers.
fn tokens_of(month: NaiveDate, first: NaiveDate, last: NaiveDate) -> Vec<String> {
    let month_end = month
        .checked_add_months(Months::new(1))
        .and_then(|next| next.pred_opt())
        .unwrap_or(NaiveDate::MAX);
    let (start, end) = (month.max(first), month_end.min(last));
    if start == month && end == month_end {
        return vec![month_token(month)];
    }
    start.iter_days().take_while(|day| *day <= end).map(day_token).collect()
}

/// The words a customer is found by, folded as the search folds them: their name's, their
/// phone number's digits, and each handle's ("email:jan@example.nl" → jan, example, nl).
pub fn customer_words(name: Option<&str>, phone: Option<&str>, handles: &[&str]) -> BTreeSet<String> {
    let handle_values = handles.iter().map(|h| h.split_once(':').map_or(*h, |(_, value)| value));
    name.into_iter()
        .chain(phone)
        .chain(handle_values)
        .flat_map(words)
        .collect()
}

/// The words of a search for a customer: each must begin a word the customer is found by
/// ("jans" finds Jansen; "example.nl" finds klant0@example.nl).
pub fn customer_search_words(text: &str) -> Vec<String> {
    let mut found: Vec<String> = words(text).take(MAX_QUERY_WORDS).collect();
    found.sort();
    found.dedup();
    found
}

/// A parsed search: every group must match, any form within a group may.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SearchQuery {
    pub groups: Vec<Vec<String>>,
    /// The folded words as typed, for highlighting a snippet.
    pub words: Vec<String>,
    /// The one customer searched, if any (also a token in `groups`): a database that plans
    /// by statistics finds a customer's few entries faster by their column.
    pub customer_id: Option<String>,
}

impl SearchQuery {
    /// None when the query has no searchable word.
    pub fn parse(query: &str, customer_id: Option<&str>, channel: Option<&str>) -> Option<SearchQuery> {
        let stems = Stems::new();
        let words: Vec<String> = words(query).take(MAX_QUERY_WORDS).collect();
        if words.is_empty() {
            return None;
        }
        let mut groups: Vec<Vec<String>> = words.iter().map(|w| stems.forms(w).into_iter().collect()).collect();
        groups.extend(customer_id.map(|c| vec![customer_token(c)]));
        groups.extend(channel.map(|c| vec![channel_token(c)]));
        Some(SearchQuery {
            groups,
            words,
            customer_id: customer_id.map(str::to_string),
        })
    }

    /// Narrowed to the months of `from`..`until` (until exclusive) — and, of a month the range
    /// covers only in part, to the days it covers — when both are known and the range is not so
    /// long that it would match most of the index.
    pub fn within(mut self, from: Option<DateTime<Utc>>, until: Option<DateTime<Utc>>) -> SearchQuery {
        let (Some(from), Some(until)) = (from, until) else {
            return self;
        };
        let (first, last) = (
            from.date_naive(),
            (until - chrono::Duration::milliseconds(1)).date_naive(),
        );
        let Some(first_month) = first.with_day(1) else {
            return self;
        };
        let months: Vec<NaiveDate> = (0..=MAX_RANGE_MONTHS)
            .map_while(|n| first_month.checked_add_months(Months::new(n)))
            .take_while(|month| *month <= last)
            .collect();
        if months.len() > MAX_RANGE_MONTHS as usize {
            return self;
        }
        let tokens: Vec<String> = months
            .into_iter()
            .flat_map(|month| tokens_of(month, first, last))
            .collect();
        // An empty range has no tokens (and an empty group is no valid query); its exact times
        // already leave nothing.
        if !tokens.is_empty() {
            self.groups.push(tokens);
        }
        self
    }

    /// FTS5 syntax: `("a" OR "b") AND ("c")`; tokens are alphanumeric, so quoting is safe.
    pub fn to_fts5(&self) -> String {
        self.render(" OR ", " AND ", |t| format!("\"{t}\""))
    }

    /// PostgreSQL `to_tsquery('simple', …)` syntax: `(a | b) & (c)`.
    pub fn to_tsquery(&self) -> String {
        self.render(" | ", " & ", str::to_string)
    }

    fn render(&self, any: &str, all: &str, token: impl Fn(&str) -> String) -> String {
        self.groups
            .iter()
            .map(|forms| format!("({})", forms.iter().map(|f| token(f)).collect::<Vec<_>>().join(any)))
            .collect::<Vec<_>>()
            .join(all)
    }

    /// About `width` characters of `text` around the first word of the query it contains.
    pub fn snippet(&self, text: &str, width: usize) -> String {
        // Only the indexed start can hold the words searched for; a 25 MB e-mail is not folded whole.
        let text = prefix(text, INDEXED_CHARS);
        let folded: Vec<(usize, String)> = text.char_indices().map(|(i, c)| (i, fold(&c.to_string()))).collect();
        let haystack: String = folded.iter().map(|(_, f)| f.as_str()).collect();
        let hit = self
            .words
            .iter()
            .filter_map(|w| haystack.find(w.as_str()))
            .min()
            .unwrap_or(0);
        // Map the byte offset in the folded text back to a character position in the original.
        let mut seen = 0;
        let hit_char = folded
            .iter()
            .position(|(_, f)| {
                seen += f.len();
                seen > hit
            })
            .unwrap_or(0);
        let chars: Vec<char> = text.chars().collect();
        let start = hit_char.saturating_sub(width / 3);
        let end = (start + width).min(chars.len());
        let mut snippet: String = chars[start..end].iter().collect();
        snippet = snippet.split_whitespace().collect::<Vec<_>>().join(" ");
        if start > 0 {
            snippet.insert_str(0, "… ");
        }
        if end < chars.len() {
            snippet.push_str(" …");
        }
        snippet
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_customer_is_found_by_the_words_of_their_name_number_and_handles() {
        let found = super::customer_words(
            Some("José van den Berg"),
            Some("+31612345678"),
            &["email:j.berg@example.nl", "twitter:@jose_b"],
        );
        let expected = ["31612345678", "b", "berg", "den", "example", "j", "jose", "nl", "van"];
        assert_eq!(found.iter().map(String::as_str).collect::<Vec<_>>(), expected);
        assert_eq!(super::customer_search_words("  Berg, JOSÉ berg "), ["berg", "jose"]);
        assert!(super::customer_search_words("?!").is_empty());
    }

    use chrono::TimeZone;

    use super::*;

    #[test]
    fn stems_and_diacritics_meet_in_the_middle() {
        let at = Utc.with_ymd_and_hms(2026, 3, 31, 23, 30, 0).unwrap();
        let indexed =
            TextTerms::of("De fietsen zijn geïnspecteerd; refunded on Tuesday.").with_filters("0a-1B", "email", at);
        let query = SearchQuery::parse("fiets GEINSPECTEERD refund", None, None).unwrap();
        for group in &query.groups {
            assert!(
                group.iter().any(|form| indexed.split(' ').any(|t| t == form)),
                "{group:?} not in {indexed}"
            );
        }
        assert!(indexed.contains("zzcustomer0a1b") && indexed.contains("zzchannelemail"));
        assert!(
            indexed.contains("zzmonth202603") && indexed.contains("zzday20260331"),
            "{indexed}"
        );
        let unrelated = SearchQuery::parse("factuur", None, None).unwrap();
        assert!(!unrelated.groups[0].iter().any(|f| indexed.split(' ').any(|t| t == f)));
    }

    #[test]
    fn a_texts_prepared_terms_and_its_filters_make_one_sorted_set() {
        let at = Utc.with_ymd_and_hms(2026, 3, 31, 23, 30, 0).unwrap();
        let prepared = TextTerms::of("Zzchannelemail fietsen, FIETS");
        let terms = prepared.with_filters("c-1", "email", at);
        assert_eq!(
            terms, "fiet fiets fietsen zzchannelemail zzcustomerc1 zzday20260331 zzmonth202603",
            "sorted, and a word equal to a filter token once"
        );
    }

    #[test]
    fn queries_render_for_both_databases_and_filters_are_tokens() {
        let query = SearchQuery::parse("Fietsen!", Some("c-1"), Some("email")).unwrap();
        assert_eq!(
            query.to_fts5(),
            "(\"fiets\" OR \"fietsen\") AND (\"zzcustomerc1\") AND (\"zzchannelemail\")"
        );
        assert_eq!(
            query.to_tsquery(),
            "(fiets | fietsen) & (zzcustomerc1) & (zzchannelemail)"
        );
        assert_eq!(SearchQuery::parse(" -- \" ' ", None, None), None, "nothing searchable");
    }

    #[test]
    fn a_date_range_is_looked_up_by_its_months() {
        let at = |y, m, d| Utc.with_ymd_and_hms(y, m, d, 0, 0, 0).single();
        let query = SearchQuery::parse("factuur", None, None).unwrap();
        // Until is exclusive: a range ending at midnight on 1 February stays in January.
        let january = query.clone().within(at(2025, 12, 29), at(2026, 2, 1));
        let tokens = ["zzday20251229", "zzday20251230", "zzday20251231", "zzmonth202601"];
        assert_eq!(
            january.groups.last().unwrap(),
            &tokens,
            "whole months by month, the rest by day"
        );
        let three_days = query.clone().within(at(2026, 3, 1), at(2026, 3, 4));
        let tokens = ["zzday20260301", "zzday20260302", "zzday20260303"];
        assert_eq!(three_days.groups.last().unwrap(), &tokens);
        let inverted = query.clone().within(at(2026, 3, 10), at(2026, 3, 5));
        assert_eq!(inverted, query, "an empty range adds no empty group");
        assert_eq!(
            query.clone().within(at(2026, 1, 5), None),
            query,
            "an open range has no months"
        );
        let long = query.clone().within(at(2020, 1, 1), at(2026, 1, 1));
        assert_eq!(long, query, "six years would match most of the index");
        let three_years = query.clone().within(at(2023, 1, 1), at(2026, 1, 1));
        assert_eq!(three_years.groups.last().unwrap().len(), 36);
    }

    #[test]
    fn a_snippet_shows_the_hit_in_context() {
        let query = SearchQuery::parse("kapot", None, None).unwrap();
        let text = format!(
            "{} Mijn fiets is kapot gegaan bij de brug. {}",
            "Hallo. ".repeat(20),
            "Groet ".repeat(20)
        );
        let snippet = query.snippet(&text, 60);
        assert!(snippet.contains("kapot"), "{snippet}");
        assert!(snippet.starts_with("… ") && snippet.ends_with(" …"), "{snippet}");
    }
}
