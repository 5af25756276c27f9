//! Bounces: a mail server saying that a message kept sent did not arrive. The standard form
//! is a delivery status notification (RFC 3464: `multipart/report` with a
//! `message/delivery-status` part and the returned message or its headers), as Postfix,
//! Exchange and Gmail send it; Exim's classic bounce is plain text with the message copied
//! under a marker line. Either way, what matters is which message came back (its
//! `Message-ID`), for whom, and why.

use mail_parser::{Message, MessagePart, MimeHeaders};

/// A message that could not be delivered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Bounce {
    /// The `Message-ID` (without brackets) of the message that came back, when it says.
    pub returned_id: Option<String>,
    /// The address that refused it.
    pub recipient: Option<String>,
    /// The server's reason, as it gave it ("550 5.1.1 … User unknown").
    pub reason: String,
    /// Given up for good (a 5.x.x status, `Action: failed`); a "delayed" notice is not.
    pub permanent: bool,
}

/// The fields of a delivery status report that say what happened to one recipient.
#[derive(Default)]
struct Status {
    recipient: Option<String>,
    action: Option<String>,
    status: Option<String>,
    diagnostic: Option<String>,
    original_id: Option<String>,
}

/// Reads `message` as a bounce, or `None` when it is none.
pub fn read(message: &Message<'_>, from_address: &str, body_text: &str) -> Option<Bounce> {
    if let Some(report) = message.parts.iter().find(|p| is_type(p, "message", "delivery-status")) {
        return Some(from_report(message, report));
    }
    if looks_like_bounce(message, from_address) {
        return Some(from_text(message, body_text));
    }
    None
}

fn is_type(part: &MessagePart<'_>, kind: &str, sub: &str) -> bool {
    part.content_type().is_some_and(|t| {
        t.ctype().eq_ignore_ascii_case(kind) && t.subtype().is_some_and(|s| s.eq_ignore_ascii_case(sub))
    })
}

/// An RFC 3464 report: the per-recipient fields, and the returned message's id from the
/// returned message or headers (or the report's own references to it).
fn from_report(message: &Message<'_>, report: &MessagePart<'_>) -> Bounce {
    let status = status_fields(&String::from_utf8_lossy(report.contents()));
    let code = status.status.clone().unwrap_or_default();
    let permanent = match status.action.as_deref() {
        Some("delayed") | Some("delivered") | Some("relayed") | Some("expanded") => false,
        Some(_) => !code.starts_with('4'),
        None => code.starts_with('5'),
    };
    let reason = status
        .diagnostic
        .map(|d| clean_diagnostic(&d))
        .filter(|d| !d.is_empty())
        .unwrap_or_else(|| format!("status {code}"));
    Bounce {
        returned_id: returned_id(message)
            .or(status.original_id)
            .or_else(|| reference(message)),
        recipient: status.recipient,
        reason,
        permanent,
    }
}

/// "Name: value" lines with folded continuations, recipient fields overriding message fields.
fn status_fields(report: &str) -> Status {
    let mut status = Status::default();
    let mut fields: Vec<(String, String)> = Vec::new();
    for line in report.lines() {
        if line.starts_with([' ', '\t']) {
            if let Some((_, value)) = fields.last_mut() {
                value.push(' ');
                value.push_str(line.trim());
            }
        } else if let Some((name, value)) = line.split_once(':') {
            fields.push((name.trim().to_ascii_lowercase(), value.trim().to_string()));
        }
    }
    let after_type = |value: &str| value.split_once(';').map_or(value, |(_, v)| v).trim().to_string();
    for (name, value) in fields {
        match name.as_str() {
            "final-recipient" if status.recipient.is_none() => status.recipient = Some(after_type(&value)),
            "action" if status.action.is_none() => status.action = Some(value.to_ascii_lowercase()),
            "status" if status.status.is_none() => status.status = Some(value),
            "diagnostic-code" if status.diagnostic.is_none() => status.diagnostic = Some(after_type(&value)),
            "x-original-message-id" => status.original_id = Some(bare_id(&value)),
            _ => {}
        }
    }
    status
}

/// A server's reason on one line, its code and status said once: a multi-line answer repeats
/// them on every line ("550-5.1.1 … / 550-5.1.1 … / 550 5.1.1 …").
fn clean_diagnostic(diagnostic: &str) -> String {
    let is_code = |w: &str| w.len() == 3 && w.bytes().all(|b| b.is_ascii_digit());
    let is_status = |w: &str| {
        let parts: Vec<&str> = w.split('.').collect();
        parts.len() == 3
            && parts
                .iter()
                .all(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()))
    };
    let mut words: Vec<&str> = Vec::new();
    for word in diagnostic.split_whitespace() {
        let pieces = match word.split_once('-') {
            Some((code, status)) if is_code(code) && is_status(status) => [Some(code), Some(status)],
            _ => [Some(word), None],
        };
        for piece in pieces.into_iter().flatten() {
            let label = is_code(piece) || is_status(piece);
            if !(label && words.contains(&piece)) {
                words.push(piece);
            }
        }
    }
    words.join(" ").chars().take(300).collect()
}

/// The Message-ID of the returned message: a `message/rfc822` part, or `text/rfc822-headers`.
fn returned_id(message: &Message<'_>) -> Option<String> {
    message.parts.iter().find_map(|part| {
        if let Some(returned) = part.message() {
            return returned.message_id().map(bare_id);
        }
        if is_type(part, "text", "rfc822-headers") {
            return header_id(&String::from_utf8_lossy(part.contents()));
        }
        None
    })
}

/// What the bounce itself says it answers (Exchange and Gmail set In-Reply-To/References).
fn reference(message: &Message<'_>) -> Option<String> {
    message
        .in_reply_to()
        .as_text()
        .or_else(|| message.references().as_text())
        .map(bare_id)
}

/// The last `Message-ID:` line in a block of headers or a copied message.
fn header_id(text: &str) -> Option<String> {
    text.lines()
        .filter_map(|line| {
            let (name, value) = line.split_once(':')?;
            name.trim().eq_ignore_ascii_case("message-id").then(|| bare_id(value))
        })
        .next_back()
        .filter(|id| !id.is_empty())
}

fn bare_id(id: &str) -> String {
    id.trim()
        .trim_start_matches('<')
        .trim_end_matches('>')
        .trim()
        .to_string()
}

/// A bounce without a delivery status report: from a mailer daemon, or saying so in its
/// subject, or naming its failed recipients in a header (Exim).
fn looks_like_bounce(message: &Message<'_>, from_address: &str) -> bool {
    const SUBJECTS: [&str; 9] = [
        "mail delivery failed",
        "undelivered mail returned",
        "undeliverable",
        "onbestelbaar",
        "delivery status notification (failure)",
        "returned mail",
        "failure notice",
        "niet bezorgd",
        "delivery failure",
    ];
    let daemon = ["mailer-daemon@", "postmaster@"]
        .iter()
        .any(|p| from_address.starts_with(p));
    let subject = message.subject().unwrap_or_default().to_lowercase();
    daemon || message.header_raw("X-Failed-Recipients").is_some() || SUBJECTS.iter().any(|s| subject.contains(s))
}

/// A plain-text bounce: the failed address, the first line with an SMTP answer, and the
/// Message-ID of the message copied under it.
fn from_text(message: &Message<'_>, body_text: &str) -> Bounce {
    let recipient = message
        .header_raw("X-Failed-Recipients")
        .map(|r| r.split(',').next().unwrap_or_default().trim().to_string())
        .filter(|r| r.contains('@'));
    let reason = body_text
        .lines()
        .map(str::trim)
        .find(|line| smtp_answer(line))
        .unwrap_or("the message could not be delivered")
        .to_string();
    Bounce {
        returned_id: header_id(body_text)
            .or_else(|| returned_id(message))
            .or_else(|| reference(message)),
        recipient,
        permanent: !reason.starts_with('4'),
        reason: clean_diagnostic(&reason),
    }
}

/// A line that starts with an SMTP reply code: "550 5.2.2 Mailbox full".
fn smtp_answer(line: &str) -> bool {
    let bytes = line.as_bytes();
    bytes.len() > 4
        && matches!(bytes[0], b'4' | b'5')
        && bytes[1..3].iter().all(u8::is_ascii_digit)
        && matches!(bytes[3], b' ' | b'-')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_multi_line_answer_reads_as_one_line() {
        let gmail = "550-5.1.1 The email account that you tried to reach does not exist. Please try\n 550-5.1.1 double-checking the recipient's email address for typos or\n 550 5.1.1 unnecessary spaces.";
        assert_eq!(
            clean_diagnostic(gmail),
            "550 5.1.1 The email account that you tried to reach does not exist. Please try double-checking the recipient's email address for typos or unnecessary spaces."
        );
        assert!(smtp_answer("550 5.2.2 Mailbox full"));
        assert!(!smtp_answer("5 fietsen"));
    }
}
