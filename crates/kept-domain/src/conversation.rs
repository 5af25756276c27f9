//! Conversations: every message a customer sends on any channel, and the promise to answer it.

use chrono::{DateTime, Datelike, Utc};
use serde::{Deserialize, Serialize};

use crate::callback::FieldError;
use crate::promise::str_enum;

pub const MAX_MESSAGE_BYTES: usize = 100 * 1024;
const MAX_ID_CHARS: usize = 200;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ConversationStatus {
    /// The customer waits for us.
    Open,
    /// We answered; the customer may write again.
    WaitingOnCustomer,
    Resolved,
}

str_enum!(ConversationStatus { Open => "open", WaitingOnCustomer => "waiting_on_customer", Resolved => "resolved" });

impl ConversationStatus {
    pub const ALL: [ConversationStatus; 3] = [
        ConversationStatus::Open,
        ConversationStatus::WaitingOnCustomer,
        ConversationStatus::Resolved,
    ];
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Direction {
    Inbound,
    Outbound,
}

str_enum!(Direction { Inbound => "inbound", Outbound => "outbound" });

/// A message from a social or chat channel, as a business's automation posts it (untrusted).
#[derive(Debug, Clone, Default, Deserialize)]
pub struct InboundInput {
    pub channel: Option<String>,
    pub external_id: Option<String>,
    pub from: Option<FromInput>,
    pub text: Option<String>,
    /// RFC 3339; when absent, the moment it arrived.
    pub sent_at: Option<String>,
}

#[derive(Debug, Clone, Default, Deserialize)]
pub struct FromInput {
    pub handle: Option<String>,
    pub name: Option<String>,
}

/// An inbound message that passed validation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ValidInbound {
    /// Lower case: "twitter", "whatsapp", "webchat".
    pub channel: String,
    pub external_id: String,
    /// "channel:handle", the key a customer is recognised by on that channel.
    pub handle: String,
    pub name: Option<String>,
    pub text: String,
    pub sent_at: DateTime<Utc>,
}

fn field(field: &'static str, code: &'static str, message: &str) -> FieldError {
    FieldError {
        field,
        code,
        message: message.to_string(),
    }
}

fn required<'a>(value: &'a Option<String>, name: &'static str, errors: &mut Vec<FieldError>) -> Option<&'a str> {
    let text = value.as_deref().map(str::trim).filter(|v| !v.is_empty());
    match text {
        None => errors.push(field(name, "required", &format!("{name} is required"))),
        Some(v) if v.chars().count() > MAX_ID_CHARS => {
            errors.push(field(name, "too_long", &format!("{name} is too long")))
        }
        Some(_) => {}
    }
    text.filter(|v| v.chars().count() <= MAX_ID_CHARS)
}

/// Channels that reach a customer at their phone number: a conversation kept starts there
/// may address a customer by the number alone.
pub const PHONE_CHANNELS: &[&str] = &["whatsapp", "sms"];

/// A channel code: lower-case letters, digits, `-` and `_`, at most 32.
pub fn valid_channel(code: &str) -> bool {
    !code.is_empty()
        && code.len() <= 32
        && code
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || c == '_')
}

impl InboundInput {
    pub fn validate(&self, now: DateTime<Utc>) -> Result<ValidInbound, Vec<FieldError>> {
        let mut errors = Vec::new();
        let channel = required(&self.channel, "channel", &mut errors).map(str::to_ascii_lowercase);
        if channel.as_deref().is_some_and(|c| !valid_channel(c)) {
            errors.push(field(
                "channel",
                "invalid_channel",
                "channel may hold only a-z, 0-9, - and _ (at most 32)",
            ));
        }
        let external_id = required(&self.external_id, "external_id", &mut errors);
        let from = self.from.clone().unwrap_or_default();
        let handle = required(&from.handle, "from.handle", &mut errors);
        let text = self.text.as_deref().filter(|t| !t.trim().is_empty());
        match text {
            None => errors.push(field("text", "required", "text is required")),
            Some(t) if t.len() > MAX_MESSAGE_BYTES => {
                errors.push(field("text", "too_long", "text is larger than 100 KB"))
            }
            // NUL cannot be stored as text by PostgreSQL, and is in no real message.
            Some(t) if t.contains('\0') => errors.push(field("text", "nul_character", "text contains a NUL character")),
            Some(_) => {}
        }
        for (name, value) in [
            ("external_id", &self.external_id),
            ("from.handle", &from.handle),
            ("from.name", &from.name),
        ] {
            if value.as_deref().is_some_and(|v| v.chars().any(char::is_control)) {
                errors.push(field(
                    name,
                    "control_characters",
                    &format!("{name} must be one line without control characters"),
                ));
            }
        }
        // Absent or empty: the moment it arrived. A moment before 2000 or after 2100 is a
        // channel's placeholder or a broken clock, not when the customer wrote: the moment it
        // arrived too (the message is kept; only its time is not believed).
        let sent_at = match self.sent_at.as_deref().map(str::trim).filter(|v| !v.is_empty()) {
            None => Some(now),
            Some(value) => match DateTime::parse_from_rfc3339(value) {
                Ok(at) if !(MESSAGES_FROM_YEAR..=MESSAGES_UNTIL_YEAR).contains(&at.year()) => Some(now),
                Ok(at) => Some(at.with_timezone(&Utc)),
                Err(_) => {
                    errors.push(field(
                        "sent_at",
                        "invalid_date",
                        "sent_at must be an RFC 3339 time, e.g. 2026-11-24T09:00:00Z",
                    ));
                    None
                }
            },
        };
        let name = from
            .name
            .map(|n| n.trim().chars().take(100).collect::<String>())
            .filter(|n| !n.is_empty());
        match (channel, external_id, handle, text, sent_at) {
            (Some(channel), Some(external_id), Some(handle), Some(text), Some(sent_at)) if errors.is_empty() => {
                Ok(ValidInbound {
                    handle: format!("{channel}:{handle}"),
                    channel,
                    external_id: external_id.to_string(),
                    name,
                    text: text.to_string(),
                    sent_at,
                })
            }
            _ => Err(errors),
        }
    }
}

/// Messages claiming to be sent outside these years are refused: a clock that far off is a
/// mistake, and such dates would sort the timeline wrongly.
const MESSAGES_FROM_YEAR: i32 = 2000;
const MESSAGES_UNTIL_YEAR: i32 = 2100;

/// Per channel: how many opening-hour minutes we allow ourselves for a first answer.
pub fn first_response_minutes(channel: &str, targets: &[(String, i64)], default: i64) -> i64 {
    targets
        .iter()
        .find(|(c, _)| c == channel)
        .map_or(default, |(_, minutes)| *minutes)
}

/// From this frustration score (0–100, from the tone engine) a customer counts as frustrated:
/// their conversation goes to the top of the list and is marked on the staff pages.
pub const FRUSTRATED_FROM: i64 = 50;

#[cfg(test)]
mod tests {
    use chrono::TimeZone;

    use super::*;

    fn now() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 11, 24, 9, 0, 0).unwrap()
    }

    #[test]
    fn a_valid_message_gets_a_channel_handle() {
        let input = InboundInput {
            channel: Some("Twitter".into()),
            external_id: Some("1861".into()),
            from: Some(FromInput {
                handle: Some("@jan".into()),
                name: Some("Jan".into()),
            }),
            text: Some("Waar blijft mijn pakket?".into()),
            sent_at: Some("2026-11-24T08:55:00+01:00".into()),
        };
        let valid = input.validate(now()).unwrap();
        assert_eq!(valid.handle, "twitter:@jan");
        assert_eq!(valid.sent_at, Utc.with_ymd_and_hms(2026, 11, 24, 7, 55, 0).unwrap());
    }

    #[test]
    fn every_missing_or_bad_field_is_named() {
        let input = InboundInput {
            channel: Some("Twit ter".into()),
            sent_at: Some("yesterday".into()),
            ..Default::default()
        };
        let fields: Vec<&str> = input.validate(now()).unwrap_err().iter().map(|e| e.field).collect();
        assert_eq!(fields, ["channel", "external_id", "from.handle", "text", "sent_at"]);
    }

    #[test]
    fn nul_and_control_characters_are_refused_and_implausible_dates_not_believed() {
        let input = InboundInput {
            channel: Some("chat".into()),
            external_id: Some("1\n2".into()),
            from: Some(FromInput {
                handle: Some("@jan".into()),
                name: Some("Jan\u{0}".into()),
            }),
            text: Some("hallo\u{0}".into()),
            sent_at: Some("9999-01-01T00:00:00Z".into()),
        };
        let errors = input.validate(now()).unwrap_err();
        let fields: Vec<(&str, &str)> = errors.iter().map(|e| (e.field, e.code)).collect();
        assert_eq!(
            fields,
            [
                ("text", "nul_character"),
                ("external_id", "control_characters"),
                ("from.name", "control_characters"),
            ]
        );
        let placeholder = InboundInput {
            channel: Some("chat".into()),
            external_id: Some("1".into()),
            from: Some(FromInput {
                handle: Some("@jan".into()),
                name: None,
            }),
            text: Some("hallo".into()),
            sent_at: Some("9999-01-01T00:00:00Z".into()),
        };
        assert_eq!(
            placeholder.validate(now()).unwrap().sent_at,
            now(),
            "the moment it arrived"
        );
        let empty = InboundInput {
            sent_at: Some(String::new()),
            ..placeholder
        };
        assert_eq!(empty.validate(now()).unwrap().sent_at, now());
    }

    #[test]
    fn first_response_target_per_channel() {
        let targets = vec![("email".to_string(), 240)];
        assert_eq!(first_response_minutes("email", &targets, 60), 240);
        assert_eq!(first_response_minutes("twitter", &targets, 60), 60);
    }
}
