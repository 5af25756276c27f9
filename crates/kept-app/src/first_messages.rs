//! Writing to a customer first ("Uw fiets is klaar"): a new conversation on e-mail or on a
//! channel with a webhook, checked like any reply (its dated commitments become the writer's
//! promises), optionally waiting for the customer's answer by a moment.

use chrono::{DateTime, Utc};
use kept_domain::Delivery;
use kept_domain::conversation::{MAX_MESSAGE_BYTES, valid_channel};
use kept_store::{ConversationView, NewOutbound, Promised, Recipient, Staff, Started};

use crate::error::AppError;
use crate::messages::{EMAIL, can_send};
use crate::problems::Problems;
use crate::{App, Change, CommitmentChoices};

/// The longest subject line kept sends (mail programs cut far earlier).
pub const MAX_SUBJECT_CHARS: usize = 200;

/// What staff write to start a conversation.
#[derive(Debug, Clone)]
pub struct FirstMessage {
    pub to: Recipient,
    pub channel: String,
    pub subject: String,
    pub text: String,
    /// When the customer is expected to have answered: then someone follows up.
    pub expect_answer_by: Option<DateTime<Utc>>,
    /// The words of that follow-up, in the writer's language ("Nog geen antwoord op …").
    pub follow_up_text: String,
}

/// Starts the conversation and queues the message; every wrong field is named at once.
pub async fn start_conversation(
    app: &App,
    staff: &Staff,
    first: FirstMessage,
    choices: &CommitmentChoices,
) -> Result<ConversationView, AppError> {
    let now = app.clock.now();
    problems(app, &first, now).or_refused(Some(()))?;
    let (deliver_via, external_id) = if first.channel == EMAIL {
        let domain = app.settings().mail_from.email.domain().to_string();
        (
            Delivery::EmailReply,
            Some(format!("{}@{domain}", kept_domain::new_id())),
        )
    } else {
        (Delivery::Channel, None)
    };
    let promised = crate::commitments::promised_in(app, &first.text, choices)?;
    let subject = subject_line(&first.subject, &first.text);
    let field = recipient_field(&first.to);
    let outbound = NewOutbound {
        to: first.to,
        channel: first.channel,
        staff_id: staff.id.clone(),
        subject: (!subject.is_empty()).then(|| subject.to_string()),
        text: crate::commitments::normalise_line_breaks(&first.text),
        now,
        external_id,
        deliver_via,
        promised,
        awaiting: first.expect_answer_by.map(|due_at| Promised {
            text: first.follow_up_text,
            due_at,
        }),
    };
    let conversation_id = match app.store.start_conversation(outbound).await {
        Ok(Started::Conversation { conversation_id, .. }) => conversation_id,
        Ok(Started::NoAddress) => {
            return Err(AppError::invalid(
                field,
                "no_address",
                "kept has no address for this customer on that channel; add one on their page",
            ));
        }
        Err(kept_store::StoreError::NotFound) => {
            return Err(AppError::invalid(
                field,
                "unknown_id",
                "there is no customer with this id",
            ));
        }
        Err(other) => return Err(other.into()),
    };
    app.announce(Change::Conversations);
    app.announce(Change::Promises);
    app.store
        .conversation(&conversation_id)
        .await?
        .ok_or(AppError::NotFound)
}

/// The subject as written, or else the text's first line (shortened): an e-mail without a
/// subject looks like spam and is hard to find back.
fn subject_line(subject: &str, text: &str) -> String {
    match subject.trim() {
        "" => {
            // The first line that says something: not the salutation ("Beste Anna,").
            let lines = || text.lines().map(str::trim).filter(|l| !l.is_empty());
            let first = lines()
                .find(|l| !l.ends_with(','))
                .or_else(|| lines().next())
                .unwrap_or_default();
            let mut short: String = first.chars().take(SUBJECT_FROM_TEXT_CHARS).collect();
            if short.len() < first.len() {
                short.push('…');
            }
            short
        }
        written => written.to_string(),
    }
}

/// How much of the text's first line becomes a missing subject.
const SUBJECT_FROM_TEXT_CHARS: usize = 78;

/// Which request field named the customer.
fn recipient_field(to: &Recipient) -> &'static str {
    match to {
        Recipient::Customer(_) => "customer_id",
        Recipient::Email { .. } => "email",
        Recipient::Phone { .. } => "phone",
    }
}

fn problems(app: &App, first: &FirstMessage, now: DateTime<Utc>) -> Problems {
    let mut problems = Problems::default();
    if first.text.trim().is_empty() || first.text.len() > MAX_MESSAGE_BYTES {
        problems.refuse("text", "unusable_text", "text must be between 1 byte and 100 KB");
    }
    if !valid_channel(&first.channel) {
        problems.refuse(
            "channel",
            "unknown_channel",
            "channel is email or a channel code such as whatsapp",
        );
    } else if !can_send(&app.settings(), &first.channel) {
        problems.refuse(
            "channel",
            "cannot_send",
            "kept cannot send on this channel: e-mail needs smtp_url, another channel its webhook",
        );
    }
    let subject = first.subject.trim();
    if subject.chars().count() > MAX_SUBJECT_CHARS || subject.chars().any(char::is_control) {
        problems.refuse(
            "subject",
            "unusable_subject",
            "a subject is one line of at most 200 characters",
        );
    }
    if first.expect_answer_by.is_some_and(|by| by <= now) {
        problems.refuse(
            "expect_answer_by",
            "in_the_past",
            "expect_answer_by must be in the future",
        );
    }
    problems
}
