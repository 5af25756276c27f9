//! A customer's answer to a calendar invitation: an iTIP `METHOD:REPLY` (RFC 5546) that Gmail,
//! Outlook and Apple's calendars send when the customer presses Accept, Maybe or Decline —
//! as a `text/calendar` part, or an `.ics` attachment. It names the event by the UID kept gave
//! it, and says the answer in the attendee's `PARTSTAT`.

use icalendar::parser::{Component, read_calendar, unfold};
use kept_domain::CalendarAnswer;
use mail_parser::{Message, MessagePart, MimeHeaders};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CalendarReply {
    /// The event's UID, as kept wrote it in the invitation.
    pub uid: String,
    pub answer: CalendarAnswer,
    /// What the customer wrote with it (Outlook's "COMMENT").
    pub comment: Option<String>,
}

/// The calendar answer `message` carries, if it carries one.
pub fn read(message: &Message<'_>) -> Option<CalendarReply> {
    message
        .parts
        .iter()
        .filter(|part| is_calendar(part))
        .find_map(|part| from_ics(&String::from_utf8_lossy(part.contents())))
}

fn is_calendar(part: &MessagePart<'_>) -> bool {
    let by_type = part.content_type().is_some_and(|t| {
        let sub = t.subtype().unwrap_or_default().to_ascii_lowercase();
        sub == "calendar" || sub == "ics"
    });
    by_type
        || part
            .attachment_name()
            .is_some_and(|n| n.to_ascii_lowercase().ends_with(".ics"))
}

fn from_ics(text: &str) -> Option<CalendarReply> {
    let unfolded = unfold(text);
    let calendar = read_calendar(&unfolded).ok()?;
    let method = calendar.properties.iter().find(|p| p.name == "METHOD")?;
    if !method.val.as_str().trim().eq_ignore_ascii_case("REPLY") {
        return None;
    }
    let event = calendar.components.iter().find(|c| c.name == "VEVENT")?;
    Some(CalendarReply {
        uid: event.find_prop("UID")?.val.as_str().trim().to_string(),
        answer: answer(event)?,
        comment: event
            .find_prop("COMMENT")
            .map(|c| unescape(c.val.as_str()))
            .filter(|c| !c.is_empty()),
    })
}

/// The attendee's PARTSTAT (a reply carries only the one attendee who answers).
fn answer(event: &Component<'_>) -> Option<CalendarAnswer> {
    event
        .properties
        .iter()
        .filter(|p| p.name == "ATTENDEE")
        .flat_map(|p| p.params.iter())
        .filter(|param| param.key == "PARTSTAT")
        .find_map(|param| {
            param
                .val
                .as_ref()
                .and_then(|v| CalendarAnswer::from_partstat(v.as_str()))
        })
}

/// TEXT values escape `\,`, `\;`, `\\` and `\n` (RFC 5545 §3.3.11).
fn unescape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match chars.next() {
            Some('n' | 'N') => out.push('\n'),
            Some(other) => out.push(other),
            None => {}
        }
    }
    out.trim().to_string()
}
