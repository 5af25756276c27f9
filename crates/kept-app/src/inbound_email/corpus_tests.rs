//! The fixture corpus (crates/kept/tests/fixtures/mail/clients), each mail written as the
//! client that sends it writes it, read here with what a person sees in it.

use kept_domain::CalendarAnswer;
use kept_domain::quoted::split_quoted;

use super::*;

fn client(name: &str) -> ParsedEmail {
    let path = format!(
        "{}/../kept/tests/fixtures/mail/clients/{name}",
        env!("CARGO_MANIFEST_DIR")
    );
    let raw = std::fs::read(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
    parse(&raw).unwrap_or_else(|e| panic!("{name}: {e}"))
}

fn fresh(name: &str) -> String {
    let parsed = client(name);
    assert_eq!(parsed.kind, MailKind::Personal, "{name}");
    split_quoted(&parsed.text).fresh.to_string()
}

#[test]
fn replies_from_every_client_fold_their_quoted_history() {
    assert_eq!(
        fresh("gmail-reply-nl.eml"),
        "Dank u wel! Dan kom ik donderdag om 14:00 langs met de fiets.\n\nGroet,\nJan"
    );
    assert_eq!(fresh("gmail-reply-en.eml"), "Thanks, Thursday at 2pm works for me.");
    assert_eq!(
        fresh("apple-mail-reply-nl.eml"),
        "Prima, dan breng ik hem vrijdag.\n\nGroeten,\nLieke"
    );
    assert_eq!(fresh("ios-mail-reply-nl.eml"), "Top, tot donderdag! Kan ik ook pinnen?");
    assert_eq!(
        fresh("outlook-reply-nl.eml"),
        "Hallo,\n\nDat is goed, ik kom vrijdag langs om de fiets op te halen.\n\nMet vriendelijke groet,\n\nPiet Jansen\nJansen Loodgieters B.V."
    );
    assert_eq!(
        fresh("outlook-reply-en.eml"),
        "Fine by me, please go ahead with the repair.\n\nRegards,\nSarah"
    );
    // format=flowed joined again; the signature after "-- " folded with the history.
    let thunderbird = client("thunderbird-reply-nl.eml");
    let split = split_quoted(&thunderbird.text);
    assert_eq!(
        split.fresh,
        "Hallo,\n\nIk heb de offerte bekeken en ga akkoord met het vervangen van de ketting en de remblokken. \
         Wanneer kan de fiets gebracht worden?\n\nMet vriendelijke groet,\nAnouk Bakker"
    );
    assert!(
        split.quoted.starts_with("-- \nAnouk Bakker\nBakker Interieur"),
        "{}",
        split.quoted
    );
    assert!(split.quoted.contains("€ 64,50"), "{}", split.quoted);
}

#[test]
fn outlook_html_only_in_windows_1252_reads_as_its_text() {
    let mail = client("outlook-html-only-cp1252.eml");
    assert_eq!(mail.from_name.as_deref(), Some("Renée de Vries"));
    assert_eq!(mail.subject.as_deref(), Some("Onderhoud – twee fietsen"));
    assert_eq!(
        mail.text,
        "Goedemorgen,\n\nWat kost een onderhoudsbeurt voor twee fietsen? Op uw site zag ik € 79 per fiets – klopt dat?\n\n\
         • Gazelle stadsfiets (2019)\n• Batavus e-bike\n\n\
         Foto’s staan hier: mijn album <https://photos.example.nl/album/fietsen>.\n\n\
         Met vriendelijke groet,\n\nRenée de Vries"
    );
    assert_eq!(mail.kind, MailKind::Personal);
}

#[test]
fn rfc_2231_file_names_and_iso_8859_15_headers_decode() {
    let mail = client("rfc2231-attachment.eml");
    assert_eq!(mail.from_name.as_deref(), Some("José Peña"));
    assert_eq!(mail.subject.as_deref(), Some("Offerte € 120"));
    assert_eq!(mail.text, "Hierbij de offerte van € 120 voor het frét.");
    assert_eq!(mail.attachments[0].filename, "offerte frét € 120.pdf");
}

#[test]
fn bounces_of_postfix_exim_exchange_and_gmail_name_the_returned_message() {
    for (name, code) in [
        ("dsn-postfix.eml", "550 5.1.1"),
        ("dsn-exim.eml", "550 5.2.2 Mailbox full"),
        ("dsn-exchange.eml", "550 5.1.10"),
        (
            "dsn-gmail.eml",
            "550 5.1.1 The email account that you tried to reach does not exist",
        ),
    ] {
        let MailKind::Bounce(bounce) = client(name).kind else {
            panic!("{name}: not read as a bounce");
        };
        assert_eq!(bounce.returned_id.as_deref(), Some("{{REPLY_ID}}"), "{name}");
        assert_eq!(bounce.recipient.as_deref(), Some("jan@example.nl"), "{name}");
        assert!(bounce.reason.starts_with(code), "{name}: {}", bounce.reason);
        assert!(bounce.permanent, "{name}");
    }
}

#[test]
fn out_of_office_replies_are_automatic() {
    for name in ["ooo-exchange.eml", "ooo-gmail.eml"] {
        assert_eq!(client(name).kind, MailKind::Automatic, "{name}");
    }
}

#[test]
fn calendar_answers_of_google_outlook_and_apple_are_read() {
    let answers = [
        ("calendar-reply-google-accepted.eml", CalendarAnswer::Accepted, None),
        (
            "calendar-reply-outlook-declined.eml",
            CalendarAnswer::Declined,
            Some("Donderdag kan ik toch niet, kan het vrijdag?"),
        ),
        ("calendar-reply-apple-tentative.eml", CalendarAnswer::Tentative, None),
    ];
    for (name, answer, comment) in answers {
        let MailKind::CalendarReply(reply) = client(name).kind else {
            panic!("{name}: not read as a calendar answer");
        };
        assert_eq!(reply.uid, "{{UID}}", "{name}");
        assert_eq!(reply.answer, answer, "{name}");
        assert_eq!(reply.comment.as_deref(), comment, "{name}");
    }
}
