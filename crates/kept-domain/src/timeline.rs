//! What a line of a customer's timeline, or a search result, is.

use serde::Serialize;

use crate::promise::str_enum;

/// The kind of a timeline entry or a search result; written as its code in the API and the
/// customer's export.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum EntryKind {
    /// A message from the customer.
    MessageIn,
    /// A message from us.
    MessageOut,
    /// An internal note.
    Note,
    /// A phone call staff logged (its direction in the entry's note).
    PhoneCall,
    /// A request to be called back.
    CallbackRequest,
    /// An attempt to call on a callback request, with its outcome.
    Call,
    Appointment,
    /// The customer's answer to a calendar invitation.
    CalendarAnswer,
    Promise,
    Survey,
    Contract,
    /// A customer record (search only).
    Customer,
    /// The customer opened their own page of a request.
    StatusViewed,
}

str_enum!(EntryKind {
    MessageIn => "message_in", MessageOut => "message_out", Note => "note", PhoneCall => "phone_call",
    CallbackRequest => "callback_request", Call => "call", Appointment => "appointment",
    CalendarAnswer => "calendar_answer", Promise => "promise", Survey => "survey", Contract => "contract",
    Customer => "customer", StatusViewed => "status_viewed",
});
