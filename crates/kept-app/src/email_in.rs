//! E-mail in (over HTTP or IMAP): a person's mail becomes a message on the sender's e-mail
//! conversation with a promise to answer; an auto-reply is kept without one; a bounce is
//! matched to the message it returns (which then shows as not delivered, and the customer
//! waits again); an answer to a calendar invitation is recorded on its appointment. What cannot
//! be read is stored raw and flagged for a human, never dropped.

use kept_domain::CalendarAnswer;
use kept_domain::conversation::first_response_minutes;
use kept_store::{
    BounceRecorded, InboundRecorded, NewAttachment, NewBounce, NewCalendarAnswer, NewInbound, NewUnreadableMail,
};
use serde::Serialize;

use crate::config::MAX_RAW_EMAIL_BYTES;
use crate::error::AppError;
use crate::inbound_email::{self, Bounce, CalendarReply, MailKind, ParsedEmail};
use crate::messages::{EMAIL, record_inbound};
use crate::status_page;
use crate::{App, Change};

/// Where a raw e-mail came from; unreadable mail is labelled with it for the human who looks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MailSource {
    Http,
    Imap,
}

impl MailSource {
    fn as_str(self) -> &'static str {
        match self {
            MailSource::Http => "http",
            MailSource::Imap => "imap",
        }
    }
}

/// What became of a raw e-mail.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "status", rename_all = "snake_case")]
pub enum EmailAccepted {
    /// A message on the sender's conversation.
    Stored(InboundRecorded),
    /// Kept raw for a human: kept could not read it.
    Flagged {
        id: String,
        reason: String,
        duplicate: bool,
    },
    /// An answer to an appointment's calendar invitation: recorded on the appointment, no
    /// conversation and no promise to answer (a decline: a promise to get in touch).
    CalendarAnswer {
        appointment_id: String,
        answer: CalendarAnswer,
    },
    /// A bounce of a message kept sent: recorded on that message.
    Bounced {
        /// The conversation of the reply that bounced (none for kept's own notices).
        conversation_id: Option<String>,
        /// False when the same bounce was recorded before.
        new: bool,
    },
}

/// How much of an over-large message is kept for the human who looks at it (the headers, the start).
const KEPT_OF_OVERSIZED: usize = 256 * 1024;

/// Reads a raw e-mail and does what its kind asks: see the module's documentation.
pub async fn accept_email(app: &App, raw: &[u8], source: MailSource) -> Result<EmailAccepted, AppError> {
    if raw.len() > MAX_RAW_EMAIL_BYTES {
        return flag_email(
            app,
            raw,
            &raw[..KEPT_OF_OVERSIZED],
            source,
            "the message is larger than 25 MB",
        )
        .await;
    }
    // Parsing (an HTML body through html5ever, quoted-printable and base64) is CPU work: on the
    // blocking pool.
    let owned = raw.to_vec();
    let parsed = tokio::task::spawn_blocking(move || inbound_email::parse(&owned))
        .await
        .map_err(|e| AppError::Internal(e.to_string()))?;
    let parsed = match parsed {
        Ok(parsed) => parsed,
        Err(error) => return flag_email(app, raw, raw, source, &error.to_string()).await,
    };
    if let MailKind::Bounce(bounce) = &parsed.kind
        && let Some(accepted) = bounced(app, bounce).await?
    {
        return Ok(accepted);
    }
    if let MailKind::CalendarReply(reply) = &parsed.kind
        && let Some(accepted) = calendar_answer(app, reply, &parsed.from_address).await?
    {
        return Ok(accepted);
    }
    let acknowledge = !parsed.is_automatic() && status_page::fresh_for_acknowledging(app, parsed.written_at);
    match record_inbound(app, as_message(app, parsed)).await {
        Ok(recorded) => {
            if acknowledge {
                status_page::acknowledge_mail(app, &recorded).await;
            }
            Ok(EmailAccepted::Stored(recorded))
        }
        // The database refused it: kept raw for a human rather than lost.
        Err(AppError::Internal(detail)) => {
            flag_email(
                app,
                raw,
                raw,
                source,
                &format!("the message could not be stored: {detail}"),
            )
            .await
        }
        Err(other) => Err(other),
    }
}

/// The mail as a message on the sender's e-mail conversation; only a person's mail asks for
/// an answer.
fn as_message(app: &App, parsed: ParsedEmail) -> NewInbound {
    let now = app.clock.now();
    let limit = app.settings().max_attachment_bytes;
    let needs_reply = !parsed.is_automatic();
    let attachments = parsed
        .attachments
        .into_iter()
        .map(|a| NewAttachment {
            filename: a.filename,
            content_type: a.content_type,
            size_bytes: i64::try_from(a.data.len()).unwrap_or(i64::MAX),
            data: (a.data.len() <= limit).then_some(a.data),
        })
        .collect();
    NewInbound {
        channel: EMAIL.into(),
        external_id: parsed.message_id,
        handle: format!("{EMAIL}:{}", parsed.from_address),
        name: parsed.from_name,
        text: parsed.text,
        subject: parsed.subject,
        thread: parsed.thread,
        needs_reply,
        sent_at: now,
        frustration: 0,
        reply_due: now,
        now,
        fanout: app.fanout(),
        attachments,
    }
}

/// A permanent bounce of a message kept sent, recorded on that message; `None` when it
/// returns nothing kept knows (or only says delivery is delayed): then it is kept on the record
/// like any automatic mail.
async fn bounced(app: &App, bounce: &Bounce) -> Result<Option<EmailAccepted>, AppError> {
    let Some(returned_id) = bounce.returned_id.clone().filter(|_| bounce.permanent) else {
        return Ok(None);
    };
    let now = app.clock.now();
    // The customer waits again from now, or from the next opening-hour minute.
    let reply_due = app
        .settings()
        .business
        .hours
        .add_business_minutes(now, 0)
        .unwrap_or(now);
    let recorded = app
        .store
        .record_bounce(NewBounce {
            returned_id,
            recipient: bounce.recipient.clone().map(|r| r.to_lowercase()),
            reason: bounce.reason.clone(),
            reply_due,
            now,
            fanout: app.fanout(),
        })
        .await?;
    let accepted = match recorded {
        BounceRecorded::Unknown => return Ok(None),
        BounceRecorded::AlreadyKnown => EmailAccepted::Bounced {
            conversation_id: None,
            new: false,
        },
        BounceRecorded::Notice { .. } => EmailAccepted::Bounced {
            conversation_id: None,
            new: true,
        },
        BounceRecorded::Reply { conversation_id, .. } => EmailAccepted::Bounced {
            conversation_id: Some(conversation_id),
            new: true,
        },
    };
    app.announce(Change::Conversations);
    app.announce(Change::Promises);
    app.announce(Change::Customers);
    Ok(Some(accepted))
}

/// An answer to one of kept's invitations (UID "<appointment id>@kept") from the appointment's
/// own address, recorded on it; `None` for any other calendar answer, which is then kept on
/// the record like any automatic mail.
async fn calendar_answer(app: &App, reply: &CalendarReply, from: &str) -> Result<Option<EmailAccepted>, AppError> {
    let Some(appointment_id) = reply.uid.strip_suffix("@kept") else {
        return Ok(None);
    };
    let now = app.clock.now();
    let settings = app.settings();
    let minutes = first_response_minutes(
        EMAIL,
        &settings.first_response_minutes,
        settings.default_first_response_minutes,
    );
    let rebook_due = settings
        .business
        .hours
        .add_business_minutes(now, minutes)
        .unwrap_or(now + chrono::Duration::minutes(minutes));
    let recorded = app
        .store
        .record_calendar_answer(NewCalendarAnswer {
            appointment_id: appointment_id.to_string(),
            from_address: from.to_string(),
            answer: reply.answer,
            comment: reply.comment.clone(),
            rebook_due,
            now,
            fanout: app.fanout(),
        })
        .await;
    match recorded {
        Ok(recorded) => {
            app.announce(Change::Appointments);
            app.announce(Change::Promises);
            Ok(Some(EmailAccepted::CalendarAnswer {
                appointment_id: recorded.appointment_id,
                answer: reply.answer,
            }))
        }
        Err(kept_store::StoreError::NotFound) => Ok(None),
        Err(error) => Err(error.into()),
    }
}

async fn flag_email(
    app: &App,
    raw: &[u8],
    kept: &[u8],
    source: MailSource,
    reason: &str,
) -> Result<EmailAccepted, AppError> {
    tracing::warn!(
        source = source.as_str(),
        reason,
        "an e-mail could not be read; stored raw for a human"
    );
    let (id, new) = app
        .store
        .record_unreadable_mail(NewUnreadableMail {
            fingerprint: inbound_email::fingerprint(raw),
            source: source.as_str().into(),
            reason: reason.into(),
            raw: kept.to_vec(),
            now: app.clock.now(),
        })
        .await?;
    app.announce(Change::UnreadableMail);
    Ok(EmailAccepted::Flagged {
        id,
        reason: reason.into(),
        duplicate: !new,
    })
}
