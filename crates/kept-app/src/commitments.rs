//! The dated commitments staff write — in a reply, a note, a logged call — that become their
//! follow-up promises: read by kept-tone, decided on in the composer.
//!
//! The composer and the server name each commitment by its own words and how often those words
//! came before it ([`commitment_keys`]), on the text with its line breaks as `\n`: a browser
//! sends a textarea's line breaks as CR LF while its script saw LF, and the writer may type on
//! after the last check, so positions in the text would shift under the choices.

use std::collections::{HashMap, HashSet};

use chrono::{DateTime, Utc};
use kept_store::Promised;
use kept_tone::Commitment;

use crate::App;
use crate::error::AppError;

/// What the writer decided about the dated commitments the composer showed them, by their
/// keys: kept (with a due time they changed, or as read) or left out. When the composer showed
/// none (no script, or the API), every commitment is kept as read.
#[derive(Debug, Clone, Default)]
pub struct CommitmentChoices {
    pub shown: bool,
    /// The keys of the commitments the composer listed, ticked or not.
    pub listed: HashSet<String>,
    /// The ticked ones, with the due time the writer left (`None`: as read).
    pub kept: HashMap<String, Option<DateTime<Utc>>>,
    /// Vague promises ("we komen erop terug") the writer gave a moment after all: their words
    /// in the text, and when.
    pub made_definite: Vec<(String, DateTime<Utc>)>,
}

/// The text as the composer's script saw it: line breaks as `\n`.
pub fn normalise_line_breaks(text: &str) -> String {
    text.replace("\r\n", "\n").replace('\r', "\n")
}

/// Each commitment's name between the composer and the server: its words, and how many
/// commitments with the same words came before it ("morgen om 10:00#0").
pub fn commitment_keys(commitments: &[Commitment]) -> Vec<String> {
    let mut seen: HashMap<&str, usize> = HashMap::new();
    commitments
        .iter()
        .map(|c| {
            let count = seen.entry(c.text.as_str()).or_default();
            let key = format!("{}#{count}", c.text);
            *count += 1;
            key
        })
        .collect()
}

/// When a vague promise is due unless the writer says otherwise: one business day on.
pub fn vague_promise_due(app: &App) -> DateTime<Utc> {
    app.settings().business.hours.add_business_days(app.clock.now(), 1)
}

/// The promises in a reply's words that become follow-ups: those the writer kept, due when
/// they said (and still ahead), and those the composer never listed (read after its last
/// check), as read. A ticked commitment the text no longer holds refuses the whole send: a
/// promise the writer saw ticked is never dropped without a word.
pub(super) fn promised_in(app: &App, text: &str, choices: &CommitmentChoices) -> Result<Vec<Promised>, AppError> {
    let now = app.clock.now();
    let text = normalise_line_breaks(text);
    let read = kept_tone::read_commitments(&text, now, &app.settings().business.hours);
    let keys = commitment_keys(&read);
    if let Some(lost) = choices.kept.keys().find(|key| !keys.contains(key)) {
        return Err(commitments_changed(lost));
    }
    if let Some((words, _)) = choices
        .made_definite
        .iter()
        .find(|(words, _)| !text.contains(words.as_str()))
    {
        return Err(commitments_changed(words));
    }
    let dated = read.into_iter().zip(keys).filter_map(|(c, key)| {
        let due_at = match (choices.shown && choices.listed.contains(&key), choices.kept.get(&key)) {
            (false, _) => c.due_at,
            (true, Some(changed)) => changed.unwrap_or(c.due_at),
            (true, None) => return None,
        };
        (due_at > now).then_some(Promised { text: c.clause, due_at })
    });
    let vague = choices.made_definite.iter().filter_map(|(words, due_at)| {
        let words = words.trim();
        (*due_at > now && !words.is_empty()).then(|| Promised {
            text: words.to_string(),
            due_at: *due_at,
        })
    });
    Ok(dated.chain(vague).collect())
}

fn commitments_changed(what: &str) -> AppError {
    AppError::invalid(
        "commitments",
        "commitments_changed",
        format!("the reply no longer says '{what}': look at its promises again and send once more"),
    )
}
