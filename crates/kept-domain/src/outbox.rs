//! What kept announces, and how: the typed names of outbox events and delivery routes.
//!
//! The store writes them, the workers read them back; a string that is not one of these in the
//! outbox table is a corrupt row, never a silently ignored one.

use serde::{Deserialize, Serialize};

use crate::promise::str_enum;

/// Something that happened and is announced to staff, a webhook or the customer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum OutboxEvent {
    /// A customer asked to be called back (about a callback request).
    CallbackCreated,
    /// A call was made on a callback request (about the request).
    CallbackOutcome,
    /// A promise is nearly due (about the promise; its kind says what it concerns).
    PromiseReminder,
    /// A promise is overdue and goes to the owners (about the promise).
    PromiseEscalated,
    /// A customer's message waits for an answer (about the conversation).
    MessageReceived,
    /// A staff reply goes out to the customer (about the reply message).
    MessageReply,
    /// The customer is told their message arrived, who answers and by when, with the link to
    /// their own page of it (about the conversation).
    MessageAcknowledged,
    /// A staff reply came back from the customer's mail server (about the reply message): the
    /// person who wrote it is told.
    MessageBounced,
    /// A one-time link to set a password: an invitation or a reset (about the link; e-mailed
    /// to the staff member it is for, never to a webhook).
    PasswordLink,
    /// An appointment was booked (about the appointment): the customer's confirmation.
    AppointmentBooked,
    /// An appointment moved to another time (about the appointment).
    AppointmentRescheduled,
    /// An appointment was cancelled (about the appointment).
    AppointmentCancelled,
    /// An appointment is coming up (about the appointment): the customer's reminder.
    AppointmentReminder,
    /// The technician is on the way to a field visit (about the appointment).
    AppointmentOnMyWay,
    /// An appointment took place (about the appointment).
    AppointmentDone,
    /// The customer declined the appointment's calendar invitation (about the promise to get in
    /// touch with them): its owner is told at once.
    AppointmentDeclined,
    /// A time freed up that someone on the waiting list wanted (about their waiting-list entry).
    AppointmentSlotFreed,
    /// The day's expected appointments, e-mailed to a location's staff at opening time (about
    /// the location's digest of that day).
    AppointmentDigest,
    /// A conversation was resolved (about the conversation): kept's own hook only.
    ConversationResolved,
    /// A customer is asked how it went (about the survey).
    SurveyRequest,
    /// The one reminder of an unanswered survey (about the survey).
    SurveyReminder,
    /// A customer answered a survey (about the survey).
    SurveyAnswered,
    /// A customer's contract ended with them leaving (about the contract): kept's own hook.
    ContractLeft,
    /// Last week's figures, e-mailed to the owners on Monday morning (about the week's digest).
    InsightsDigest,
    /// Fetching customer e-mail has failed for half an hour (about the mailbox): the owners are
    /// e-mailed, never a webhook.
    MailboxFailing,
}

str_enum!(OutboxEvent {
    CallbackCreated => "callback.created", CallbackOutcome => "callback.outcome",
    PromiseReminder => "promise.reminder", PromiseEscalated => "promise.escalated",
    MessageReceived => "message.received", MessageReply => "message.reply",
    MessageBounced => "message.bounced", MessageAcknowledged => "message.acknowledged",
    PasswordLink => "staff.password_link",
    AppointmentBooked => "appointment.booked", AppointmentRescheduled => "appointment.rescheduled",
    AppointmentCancelled => "appointment.cancelled", AppointmentReminder => "appointment.reminder",
    AppointmentOnMyWay => "appointment.on_my_way", AppointmentDone => "appointment.done",
    AppointmentDeclined => "appointment.declined",
    AppointmentSlotFreed => "appointment.slot_freed", AppointmentDigest => "appointment.digest",
    ConversationResolved => "conversation.resolved", SurveyRequest => "survey.request",
    SurveyReminder => "survey.reminder", SurveyAnswered => "survey.answered", ContractLeft => "contract.left",
    InsightsDigest => "insights.digest", MailboxFailing => "mailbox.failing",
});

/// How an outbox item travels.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Delivery {
    /// A notice e-mailed to a staff member.
    Email,
    /// A staff reply e-mailed to the customer, threaded.
    EmailReply,
    /// The business's signed webhook.
    Webhook,
    /// A reply POSTed to the webhook of the conversation's channel.
    Channel,
    /// An e-mail to the customer about their appointment or waiting-list entry, or that their
    /// message arrived.
    CustomerEmail,
    /// kept's own reaction to an event, run by the delivering node (the surveys' "how did it
    /// go?" after an appointment is done): queued with the change, so it survives a crash.
    Hook,
}

str_enum!(Delivery {
    Email => "email", EmailReply => "email_reply", Webhook => "webhook", Channel => "channel",
    CustomerEmail => "customer_email", Hook => "hook",
});

/// Where an outbox item is on its way.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum OutboxStatus {
    /// Waiting for its (next) attempt.
    Pending,
    Delivered,
    /// Given up on after its attempts, or refused for good.
    Failed,
    /// Taken by the mail server, then returned by the recipient's (a DSN).
    Bounced,
}

str_enum!(OutboxStatus { Pending => "pending", Delivered => "delivered", Failed => "failed", Bounced => "bounced" });

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip() {
        for event in [
            OutboxEvent::CallbackCreated,
            OutboxEvent::CallbackOutcome,
            OutboxEvent::PromiseReminder,
            OutboxEvent::PromiseEscalated,
            OutboxEvent::MessageReceived,
            OutboxEvent::MessageReply,
            OutboxEvent::MessageAcknowledged,
            OutboxEvent::PasswordLink,
            OutboxEvent::AppointmentBooked,
            OutboxEvent::AppointmentSlotFreed,
            OutboxEvent::AppointmentDigest,
            OutboxEvent::InsightsDigest,
        ] {
            assert_eq!(OutboxEvent::parse(event.as_str()), Some(event));
        }
        assert_eq!(Delivery::parse("email_reply"), Some(Delivery::EmailReply));
        assert_eq!(Delivery::parse("hook"), Some(Delivery::Hook));
        assert_eq!(Delivery::parse("sms"), None);
    }
}
