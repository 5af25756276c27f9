//! Every e-mail kept sends is put together here, so each one is MIME-correct the same way:
//! `MIME-Version`, a `Content-Type` with `charset=utf-8` on every text part (lettre encodes
//! non-ASCII subjects and display names as RFC 2047 words), a `Date` in the business's own
//! zone from the injected clock, and `Auto-Submitted: auto-generated` (RFC 3834) on what no
//! person wrote, so that auto-responders do not answer it.
//!
//! A body given to lettre's `MessageBuilder::body` gets a transfer encoding but no
//! `Content-Type` and no `MIME-Version`; by RFC 2045 a strict reader must then take it as
//! US-ASCII, and a euro sign or an accent is garbled. Hence one way in, with typed bodies.

use chrono::{DateTime, Utc};
use lettre::Message;
use lettre::message::header::{ContentType, HeaderName, HeaderValue};
use lettre::message::{Attachment, Mailbox, MessageBuilder, MultiPart, SinglePart};

use super::Couriers;
use super::DeliveryError;

/// Who wrote the mail: a person (a reply) or kept itself (a notice, a reminder, a survey).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Author {
    Person,
    Kept,
    /// kept answering a customer's mail by itself (the acknowledgement): `auto-replied`, so
    /// that their auto-responder does not answer it in turn (RFC 3834 §5).
    AutoReply,
}

/// What the mail carries.
pub enum Body {
    Plain(String),
    /// The same text as plain text and as HTML.
    Alternative {
        text: String,
        html: String,
    },
    /// A plain text with a calendar file (`method` is the iTIP method: REQUEST, CANCEL).
    WithCalendar {
        text: String,
        ics: String,
        method: &'static str,
        file_name: String,
    },
}

/// The headers every mail kept sends starts with.
pub struct Envelope {
    pub to: Mailbox,
    pub subject: String,
    /// Without angle brackets.
    pub message_id: String,
    pub author: Author,
}

/// A finished message: the envelope's headers, the body, and `Date` in the business's zone.
pub fn message(state: &Couriers, envelope: Envelope, body: Body) -> Result<Message, DeliveryError> {
    message_with(state, envelope, |builder| builder, body)
}

/// As `message`, with more headers (threading) added by `extra`.
pub fn message_with(
    state: &Couriers,
    envelope: Envelope,
    extra: impl FnOnce(MessageBuilder) -> MessageBuilder,
    body: Body,
) -> Result<Message, DeliveryError> {
    let settings = state.settings();
    let mut builder = Message::builder()
        .from(settings.mail_from.clone())
        .to(envelope.to)
        .subject(envelope.subject)
        .message_id(Some(format!("<{}>", envelope.message_id)));
    match envelope.author {
        Author::Kept => builder = builder.header(AutoSubmitted("auto-generated".into())),
        Author::AutoReply => builder = builder.header(AutoSubmitted("auto-replied".into())),
        Author::Person => {}
    }
    let builder = extra(builder);
    let built = match body {
        Body::Plain(text) => builder.singlepart(SinglePart::plain(text)),
        Body::Alternative { text, html } => builder.multipart(MultiPart::alternative_plain_html(text, html)),
        Body::WithCalendar {
            text,
            ics,
            method,
            file_name,
        } => {
            let kind = ContentType::parse(&format!("text/calendar; method={method}; charset=utf-8"))
                .map_err(|e| DeliveryError::Permanent(e.to_string()))?;
            builder.multipart(
                MultiPart::mixed()
                    .singlepart(SinglePart::plain(text))
                    .singlepart(Attachment::new(file_name).body(ics, kind)),
            )
        }
    };
    let mut message = built.map_err(|e| DeliveryError::Permanent(e.to_string()))?;
    let date = local_date(state.clock.now(), settings.business.time_zone());
    message
        .headers_mut()
        .insert_raw(HeaderValue::new(HeaderName::new_from_ascii_str("Date"), date));
    Ok(message)
}

/// An RFC 5322 date in `zone`: "Tue, 24 Nov 2026 10:00:00 +0100". lettre's own `Date` header
/// is always in UTC.
fn local_date(at: DateTime<Utc>, zone: chrono_tz::Tz) -> String {
    at.with_timezone(&zone).to_rfc2822()
}

/// `Auto-Submitted: auto-generated` or `auto-replied` (RFC 3834 §5).
#[derive(Clone)]
struct AutoSubmitted(String);

impl lettre::message::header::Header for AutoSubmitted {
    fn name() -> HeaderName {
        HeaderName::new_from_ascii_str("Auto-Submitted")
    }

    fn parse(value: &str) -> Result<Self, Box<dyn std::error::Error + Send + Sync>> {
        Ok(AutoSubmitted(value.to_string()))
    }

    fn display(&self) -> HeaderValue {
        HeaderValue::new(Self::name(), self.0.clone())
    }
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;

    use super::*;

    #[test]
    fn dates_are_written_in_the_business_zone() {
        let at = Utc.with_ymd_and_hms(2026, 11, 24, 9, 0, 0).unwrap();
        assert_eq!(
            local_date(at, chrono_tz::Europe::Amsterdam),
            "Tue, 24 Nov 2026 10:00:00 +0100"
        );
        let summer = Utc.with_ymd_and_hms(2026, 7, 1, 9, 0, 0).unwrap();
        assert_eq!(
            local_date(summer, chrono_tz::Europe::Amsterdam),
            "Wed, 1 Jul 2026 11:00:00 +0200"
        );
    }
}
