//! Reading a raw RFC 822 e-mail with a real MIME parser (mail-parser): sender, subject,
//! threading headers, the text (HTML-only mail as faithful text, format=flowed joined, any
//! charset), and what kind of mail it is: written by a person, automatic (an out-of-office, a
//! list), a bounce of a message kept sent, or an answer to a calendar invitation.

mod bounce;
mod calendar_reply;
#[cfg(test)]
mod corpus_tests;
mod flowed;
mod html_text;

pub use bounce::Bounce;
pub use calendar_reply::CalendarReply;
use mail_parser::{HeaderValue, Message, MessageParser, MimeHeaders, PartType};
use sha2::{Digest, Sha256};

/// What kind of mail it is, which decides what kept does with it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MailKind {
    /// Written by a person: it asks for an answer.
    Personal,
    /// An auto-reply, an out-of-office, a list mail: kept on the record, never answered.
    Automatic,
    /// A mail server returning a message.
    Bounce(Bounce),
    /// An answer to an appointment's calendar invitation.
    CalendarReply(CalendarReply),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParsedEmail {
    pub from_address: String,
    pub from_name: Option<String>,
    pub subject: Option<String>,
    /// The Message-ID without angle brackets; a hash of the raw message when it has none, so
    /// that the same message delivered twice is still recognised.
    pub message_id: String,
    /// In-Reply-To and References, most recent first.
    pub thread: Vec<String>,
    pub text: String,
    pub kind: MailKind,
    pub attachments: Vec<ParsedAttachment>,
    /// When the sender says they wrote it (`Date:`), if it says so readably.
    pub written_at: Option<chrono::DateTime<chrono::Utc>>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParsedAttachment {
    pub filename: String,
    pub content_type: String,
    pub data: Vec<u8>,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EmailError {
    #[error("this is not an e-mail message")]
    Unparsable,
    #[error("the message has no sender address")]
    NoSender,
}

fn ids(value: &HeaderValue) -> Vec<String> {
    match value {
        HeaderValue::Text(id) => vec![id.to_string()],
        HeaderValue::TextList(list) => list.iter().map(|id| id.to_string()).collect(),
        _ => Vec::new(),
    }
}

pub fn parse(raw: &[u8]) -> Result<ParsedEmail, EmailError> {
    let message = MessageParser::default().parse(raw).ok_or(EmailError::Unparsable)?;
    let sender = message
        .from()
        .and_then(|from| from.first())
        .ok_or(EmailError::NoSender)?;
    let from_address = sender
        .address()
        .filter(|a| a.contains('@'))
        .ok_or(EmailError::NoSender)?
        .to_lowercase();
    let mut thread = ids(message.in_reply_to());
    let mut references = ids(message.references());
    references.reverse();
    for id in references {
        if !thread.contains(&id) {
            thread.push(id);
        }
    }
    let text = storable(text_of(&message).trim());
    let kind = kind_of(&message, &from_address, &text);
    Ok(ParsedEmail {
        from_name: sender.name().map(|n| one_line(&storable(n))).filter(|n| !n.is_empty()),
        from_address: storable(&from_address),
        subject: message.subject().map(|s| one_line(&storable(s))),
        message_id: message.message_id().map_or_else(|| fingerprint(raw), storable),
        thread,
        text: if text.is_empty() { "(no text)".into() } else { text },
        kind,
        attachments: message.attachments().map(attachment).collect(),
        written_at: message
            .date()
            .and_then(|date| chrono::DateTime::from_timestamp(date.to_timestamp(), 0)),
    })
}

impl ParsedEmail {
    /// Whether a machine sent it: no answer is promised, and kept never answers it by itself.
    pub fn is_automatic(&self) -> bool {
        self.kind != MailKind::Personal
    }
}

/// The text a person reads, with "\n" line ends: the plain part (format=flowed lines joined),
/// or the HTML part as text when there is no plain one.
fn text_of(message: &Message<'_>) -> String {
    let text = body_of(message);
    if text.contains('\r') {
        text.replace("\r\n", "\n")
    } else {
        text
    }
}

fn body_of(message: &Message<'_>) -> String {
    let Some(part) = message.text_body.first().and_then(|&i| message.parts.get(i as usize)) else {
        return String::new();
    };
    match &part.body {
        PartType::Text(text) => match part.content_type() {
            Some(t) if t.attribute("format").is_some_and(|f| f.eq_ignore_ascii_case("flowed")) => {
                let delsp = t.attribute("delsp").is_some_and(|d| d.eq_ignore_ascii_case("yes"));
                flowed::unflow(text, delsp)
            }
            _ => text.to_string(),
        },
        PartType::Html(html) => html_text::html_to_text(html),
        _ => String::new(),
    }
}

/// Subject lines auto-responders write when they set no header saying so.
const AUTO_REPLY_SUBJECTS: [&str; 7] = [
    "automatisch antwoord:",
    "automatic reply:",
    "auto-reply:",
    "autoreply:",
    "out of office:",
    "afwezig:",
    "abwesenheitsnotiz:",
];

fn kind_of(message: &Message<'_>, from_address: &str, text: &str) -> MailKind {
    if let Some(reply) = calendar_reply::read(message) {
        return MailKind::CalendarReply(reply);
    }
    if let Some(bounce) = bounce::read(message, from_address, text) {
        return MailKind::Bounce(bounce);
    }
    let header = |name: &str| message.header_raw(name).map(|v| v.trim().to_ascii_lowercase());
    let subject = message.subject().unwrap_or_default().to_lowercase();
    let automatic = header("Auto-Submitted").is_some_and(|v| v != "no")
        || header("X-Autoreply").is_some()
        || header("X-Autorespond").is_some()
        || header("Precedence").is_some_and(|v| matches!(v.as_str(), "bulk" | "auto_reply" | "junk" | "list"))
        || header("List-Id").is_some()
        || header("Content-Type").is_some_and(|v| v.contains("multipart/report"))
        || AUTO_REPLY_SUBJECTS.iter().any(|s| subject.starts_with(s))
        || ["noreply@", "no-reply@", "donotreply@"]
            .iter()
            .any(|p| from_address.starts_with(p));
    if automatic {
        MailKind::Automatic
    } else {
        MailKind::Personal
    }
}

/// Text as a database can store it: NUL (which PostgreSQL refuses in text and no real mail
/// means) is dropped. The message is still stored; the log says what was changed.
fn storable(text: &str) -> String {
    if text.contains('\0') {
        tracing::warn!("an e-mail held NUL characters; they were left out");
        text.replace('\0', "")
    } else {
        text.to_string()
    }
}

/// A header value on one line (a name or subject with line breaks cannot forge header lines).
fn one_line(text: &str) -> String {
    text.split(|c: char| c.is_control())
        .filter(|p| !p.trim().is_empty())
        .map(str::trim)
        .collect::<Vec<_>>()
        .join(" ")
}

fn attachment(part: &mail_parser::MessagePart<'_>) -> ParsedAttachment {
    let content_type = part.content_type().map_or_else(
        || "application/octet-stream".to_string(),
        |t| match t.subtype() {
            Some(sub) => format!("{}/{}", t.ctype(), sub),
            None => t.ctype().to_string(),
        },
    );
    ParsedAttachment {
        filename: part
            .attachment_name()
            .map(|name| name.replace(['/', '\\', '\0'], "_"))
            .filter(|name| !name.trim().is_empty())
            .unwrap_or_else(|| "attachment".into()),
        content_type: content_type.to_ascii_lowercase(),
        data: part.contents().to_vec(),
    }
}

/// Identifies a raw message by its content.
pub fn fingerprint(raw: &[u8]) -> String {
    format!("sha256:{}", hex::encode(Sha256::digest(raw)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn latin1_quoted_printable_with_threading_headers() {
        let raw = b"From: =?iso-8859-1?q?Ren=E9e?= <Renee@Example.NL>\r\nTo: service@fiets.test\r\n\
Subject: Re: Fiets\r\nMessage-ID: <m2@example.nl>\r\nIn-Reply-To: <kept-1@fiets.test>\r\n\
References: <m1@example.nl> <kept-1@fiets.test>\r\nContent-Type: text/plain; charset=iso-8859-1\r\n\
Content-Transfer-Encoding: quoted-printable\r\n\r\nIk ben ge=EFrriteerd: al een week geen reactie.\r\n";
        let parsed = parse(raw).unwrap();
        assert_eq!(parsed.from_address, "renee@example.nl");
        assert_eq!(parsed.from_name.as_deref(), Some("Renée"));
        assert_eq!(parsed.message_id, "m2@example.nl");
        assert_eq!(parsed.thread, ["kept-1@fiets.test", "m1@example.nl"]);
        assert!(!parsed.is_automatic());
    }

    fn fixture(name: &str) -> Vec<u8> {
        let path = format!("{}/../kept/tests/fixtures/mail/{name}", env!("CARGO_MANIFEST_DIR"));
        std::fs::read(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
    }

    #[test]
    fn real_world_shapes_are_read() {
        let html = parse(&fixture("html-only.eml")).unwrap();
        assert!(html.text.contains("achterlicht doet het niet meer"), "{}", html.text);
        assert!(
            html.text.contains("één") && !html.text.contains("<b>") && !html.text.contains("alert"),
            "{}",
            html.text
        );

        let latin1 = parse(&fixture("iso-8859-1-qp.eml")).unwrap();
        assert_eq!(latin1.from_name.as_deref(), Some("Renée de Boer"));
        assert_eq!(latin1.subject.as_deref(), Some("Factuur én garantie"));
        assert!(
            latin1.text.contains("onduidelijk. Groetjes, Renée"),
            "soft line break joined: {}",
            latin1.text
        );

        let cp1252 = parse(&fixture("windows-1252.eml")).unwrap();
        assert!(cp1252.text.contains("€ 45 – dat is “te duur”"), "{}", cp1252.text);

        let attached = parse(&fixture("attachment-base64.eml")).unwrap();
        assert_eq!(attached.text, "Hierbij de bon. Het wiel slingert nog steeds.");
        let names: Vec<_> = attached
            .attachments
            .iter()
            .map(|a| (a.filename.as_str(), a.content_type.as_str()))
            .collect();
        assert_eq!(names, [("bon.pdf", "application/pdf"), ("groot.jpg", "image/jpeg")]);
        assert!(attached.attachments[0].data.starts_with(b"%PDF-1.4"));
        assert_eq!(attached.attachments[0].data.len(), 32 + 256 * 8);

        let chain = parse(&fixture("reply-chain.eml")).unwrap();
        assert_eq!(chain.thread, ["attach-1@example.nl"]);
        assert!(
            chain.text.starts_with("Nog een vraag") && chain.text.contains("> Hierbij de bon"),
            "plain part preferred"
        );

        assert!(parse(&fixture("bounce.eml")).unwrap().is_automatic());
        assert!(parse(&fixture("malformed.eml")).is_err(), "no headers: not an e-mail");
    }

    #[test]
    fn html_only_mail_is_read_as_text_and_auto_replies_are_recognised() {
        let raw = b"From: jan@example.nl\r\nSubject: Afwezig\r\nAuto-Submitted: auto-replied\r\n\
Content-Type: text/html; charset=utf-8\r\n\r\n<p>Ik ben <b>afwezig</b> tot maandag.</p>";
        let parsed = parse(raw).unwrap();
        assert!(parsed.is_automatic());
        assert!(parsed.text.contains("afwezig tot maandag"), "{}", parsed.text);
        assert!(parsed.message_id.starts_with("sha256:"), "no Message-ID: a stable hash");
        assert_eq!(parse(b"From: nobody\r\n\r\nhello"), Err(EmailError::NoSender));
    }

    #[test]
    fn nul_characters_are_left_out_and_the_mail_is_still_read() {
        let raw = b"From: Jan <jan@example.nl>\r\nSubject: Bel\x00 kapot\r\n\r\nMijn\x00 bel\r\n";
        let parsed = parse(raw).unwrap();
        assert_eq!(parsed.text, "Mijn bel");
        assert_eq!(parsed.subject.as_deref(), Some("Bel kapot"));
    }
}
