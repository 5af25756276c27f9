//! Bounded fuzzing of what staff and mail servers send: raw e-mail and saved-reply templates.
//! Whatever arrives, the parsers answer (never panic, never run away), and what they accept
//! keeps its promises.

use kept_server::{inbound_email, templates};
use proptest::prelude::*;

const PLAIN: &[u8] = b"From: Jan <jan@example.nl>\r\nTo: winkel@example.nl\r\nSubject: Bel\r\n\
Message-ID: <p-1@example.nl>\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nMijn bel is kapot.\r\n";

/// Raw mail: random bytes, or a real message with some bytes changed, cut short or added.
fn raw_mail() -> impl Strategy<Value = Vec<u8>> {
    let mutated = (
        proptest::collection::vec((0..PLAIN.len(), any::<u8>()), 0..12),
        0..=PLAIN.len(),
        proptest::collection::vec(any::<u8>(), 0..40),
    )
        .prop_map(|(changes, cut, tail)| {
            let mut raw = PLAIN.to_vec();
            for (at, byte) in changes {
                raw[at] = byte;
            }
            raw.truncate(cut.max(1));
            raw.extend(tail);
            raw
        });
    prop_oneof![proptest::collection::vec(any::<u8>(), 0..300), mutated]
}

/// Template text: merge fields, tags and filters mixed with noise.
fn template_text() -> impl Strategy<Value = String> {
    let piece = prop_oneof![
        Just("{{ greeting }}".to_string()),
        Just("{{ customer.name }}".to_string()),
        Just("{% for i in range(1000) %}".to_string()),
        Just("{% endfor %}".to_string()),
        Just("{{ 'ab' * 1000 }}".to_string()),
        Just("{% if customer.name %}".to_string()),
        Just("{% endif %}".to_string()),
        Just("{{ staff.first_name | upper }}".to_string()),
        "[a-z {}%|.'()*]{0,12}",
    ];
    proptest::collection::vec(piece, 0..8).prop_map(|pieces| pieces.concat())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]

    #[test]
    fn any_raw_mail_is_read_or_refused_and_what_is_read_is_storable(raw in raw_mail()) {
        if let Ok(mail) = inbound_email::parse(&raw) {
            prop_assert!(mail.from_address.contains('@'));
            prop_assert!(!mail.text.contains('\0'));
            prop_assert!(mail.subject.iter().all(|s| !s.contains('\0') && !s.contains('\n')));
            prop_assert!(!mail.message_id.is_empty());
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn any_template_is_validated_within_its_limits(body in template_text()) {
        let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
        // Either it renders (within fuel and the output cap) or it is refused with a reason.
        if let Err(error) = runtime.block_on(templates::validate(&body)) {
            prop_assert!(!error.to_string().is_empty());
        }
    }
}
