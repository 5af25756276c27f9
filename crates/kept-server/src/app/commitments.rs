//! The dated commitments staff write — in a reply, a note, a logged call — that become their
//! follow-up promises: read by kept-tone, decided on in the composer.

use chrono::{DateTime, Utc};
use kept_store::Promised;

use super::App;

/// What the writer decided about the dated commitments the composer showed them, by where each
/// starts in the text: kept (with a due time they changed, or as read) or left out. When the
/// composer showed none (no script, or the API), every commitment is kept as read.
#[derive(Debug, Clone, Default)]
pub struct CommitmentChoices {
    pub shown: bool,
    pub kept: std::collections::HashMap<usize, Option<DateTime<Utc>>>,
    /// Vague promises ("we komen erop terug") the writer gave a moment after all: the byte
    /// range of their words in the text, and when.
    pub made_definite: Vec<(usize, usize, DateTime<Utc>)>,
}

/// When a vague promise is due unless the writer says otherwise: one business day on.
pub fn vague_promise_due(app: &App) -> DateTime<Utc> {
    app.settings().business.hours.add_business_days(app.clock.now(), 1)
}

/// The promises in a reply's words that become follow-ups: those the writer kept, due when
/// they said (and still ahead).
pub(super) fn promised_in(app: &App, text: &str, choices: &CommitmentChoices) -> Vec<Promised> {
    let now = app.clock.now();
    kept_tone::read_commitments(text, now, &app.settings().business.hours)
        .into_iter()
        .filter_map(|c| {
            let due_at = match choices.shown {
                false => c.due_at,
                true => choices.kept.get(&c.start)?.unwrap_or(c.due_at),
            };
            (due_at > now).then_some(Promised { text: c.clause, due_at })
        })
        .chain(choices.made_definite.iter().filter_map(|(start, end, due_at)| {
            let words = text.get(*start..*end)?.trim();
            (*due_at > now && !words.is_empty()).then(|| Promised {
                text: words.to_string(),
                due_at: *due_at,
            })
        }))
        .collect()
}
