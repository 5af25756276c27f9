//! Telling a customer at once that their mail arrived, who answers it and by when, with the
//! link to their own page of it — the e-mail itself is written at delivery time
//! (`kept-server`'s customer e-mail), from the conversation as it is then.

use chrono::{DateTime, Duration, Utc};
use kept_store::model::InboundRecorded;

use crate::App;

/// At most one acknowledgement per conversation in this long: a customer who writes three
/// times in an hour hears it once.
pub const ACKNOWLEDGE_ONCE_IN: Duration = Duration::hours(4);
/// Mail written longer ago than this (imported late from a mailbox read elsewhere) gets no
/// acknowledgement: "we received your message" days later says nothing true.
const WRITTEN_WITHIN: Duration = Duration::hours(24);

/// Whether mail written at `written_at` (its `Date:`, if readable) is recent enough to answer.
pub fn fresh_for_acknowledging(app: &App, written_at: Option<DateTime<Utc>>) -> bool {
    written_at.is_none_or(|at| app.clock.now() - at < WRITTEN_WITHIN)
}

/// Queues the acknowledgement of a person's mail that made (or joined) a promise to answer,
/// when the owner has them switched on. The mail itself is stored whatever happens here: a
/// failure is logged, not answered (the sender would send it again).
pub async fn acknowledge_mail(app: &App, recorded: &InboundRecorded) {
    if !app.settings().business_settings.acknowledgements.email || recorded.promise_id.is_none() || recorded.duplicate {
        return;
    }
    let queued = app
        .store
        .queue_acknowledgement(&recorded.conversation_id, app.clock.now(), ACKNOWLEDGE_ONCE_IN)
        .await;
    match queued {
        Ok(true) => app.outbox_wake.notify_one(),
        Ok(false) => {}
        Err(error) => tracing::warn!(%error, "the acknowledgement of a mail could not be queued"),
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn acknowledgements_are_on_unless_the_owner_switches_them_off() {
        let defaults = crate::config::Acknowledgements::default();
        assert!(defaults.email && defaults.callback_form);
        let document: crate::config::Acknowledgements = serde_json::from_str(r#"{"email": false}"#).unwrap();
        assert!(
            !document.email && document.callback_form,
            "a key left out keeps its default"
        );
    }
}
