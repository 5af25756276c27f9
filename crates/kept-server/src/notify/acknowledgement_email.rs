//! The acknowledgement of a customer's mail: "we received your message; Sanne answers you by
//! 16:30 today", with the link to their own page of it — threaded as a reply to their mail,
//! `Auto-Submitted: auto-replied`, in the language they wrote in. Written at delivery time: a
//! question answered before it goes out gets none (there is nothing true left to say); one we
//! are late with says so.

use kept_app::records::{ConversationView, OutboxItem};
use kept_domain::conversation::Direction;
use kept_domain::{CustomerSees, Lang, Standing, StatusSubject};

use super::compose::{self, Author, Body, Envelope};
use super::email::{mailbox, outbox_message_id, reply_subject, thread_of};
use super::{Couriers, DeliveryError, temporary};
use crate::dto::first_name;

pub(super) async fn send(
    state: &Couriers,
    item: &OutboxItem,
    conversation: &ConversationView,
) -> Result<(), DeliveryError> {
    let permanent = |why: &str| DeliveryError::Permanent(why.to_string());
    let mailer = state
        .mailer
        .as_ref()
        .ok_or_else(|| permanent("no SMTP server is configured any more"))?;
    let now = state.clock.now();
    let sees = CustomerSees::of(
        Standing::Conversation(conversation.status),
        conversation.promise_status.zip(conversation.due_at),
        conversation.assignee_name.as_deref(),
        now,
    );
    // Late already (they wrote again while we are): said so, honestly, with who has it.
    if !matches!(sees, CustomerSees::Promised { .. } | CustomerSees::Late { .. }) {
        return Ok(());
    }
    let address = conversation
        .handle
        .as_deref()
        .ok_or_else(|| permanent("the customer has no e-mail address"))?;
    let theirs: Vec<_> = conversation
        .messages
        .iter()
        .filter(|m| m.direction == Direction::Inbound)
        .collect();
    let last = theirs
        .last()
        .ok_or_else(|| permanent("the conversation has no message of theirs"))?;
    let lang = kept_tone::detect_language(&last.body);
    let settings = state.settings();
    let tz = settings.business.time_zone();
    let link = kept_app::status_url(state, StatusSubject::Conversation, &conversation.id)
        .await
        .map_err(temporary)?;
    let name = conversation.customer_name.as_deref().map(first_name);
    let text = mail_text(
        lang,
        name.as_deref(),
        &sees.sentence(StatusSubject::Conversation, lang, now, tz),
        &link,
        &settings.business.name,
    );
    let topic = theirs.iter().rev().find_map(|m| m.subject.clone()).unwrap_or_default();
    let envelope = Envelope {
        to: mailbox(conversation.customer_name.as_deref(), address)
            .map_err(|e| permanent(&format!("bad customer address: {e}")))?,
        subject: reply_subject(&topic),
        message_id: outbox_message_id(state, item),
        author: Author::AutoReply,
    };
    let thread = thread_of(&conversation.messages);
    let threading = |builder: lettre::message::MessageBuilder| match thread.last() {
        Some(last) => builder.in_reply_to(last.clone()).references(thread.join(" ")),
        None => builder,
    };
    let message = compose::message_with(state, envelope, threading, Body::Plain(text))?;
    mailer.send(message).await
}

/// "Beste Jan, We hebben uw bericht ontvangen. Sanne antwoordt u uiterlijk … Hier ziet u …".
fn mail_text(lang: Lang, name: Option<&str>, promise: &str, link: &str, business: &str) -> String {
    match lang {
        Lang::Nl => format!(
            "{},\n\nWe hebben uw bericht ontvangen. {promise}\n\nHoe het ervoor staat, ziet u hier \
             (ook als er iets verandert):\n{link}\n\nMet vriendelijke groet,\n{business}\n",
            name.map_or("Beste klant".to_string(), |n| format!("Beste {n}"))
        ),
        Lang::En => format!(
            "{},\n\nWe have received your message. {promise}\n\nYou can see how it stands here \
             (also when anything changes):\n{link}\n\nKind regards,\n{business}\n",
            name.map_or("Dear customer".to_string(), |n| format!("Dear {n}"))
        ),
    }
}
