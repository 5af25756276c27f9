//! Bounded fuzzing of the parsers that take outside input: whatever a client sends, they answer
//! (never panic), and what they accept keeps its promises.

use chrono::{TimeZone, Utc};
use kept_domain::conversation::{FromInput, InboundInput};
use kept_domain::search::SearchQuery;
use kept_domain::window::default_windows;
use kept_domain::{CallbackInput, Lang, normalise_phone};
use proptest::prelude::*;

/// Text as clients send it: mostly plausible characters, sometimes anything at all.
fn client_text() -> impl Strategy<Value = String> {
    prop_oneof!["[0-9 +()./-]{0,24}", "[a-zA-Zéë0-9 ,.:'\"*|#-]{0,40}", any::<String>(),]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(400))]

    #[test]
    fn phone_numbers_are_e164_and_stable_once_accepted(input in client_text()) {
        if let Ok(phone) = normalise_phone(&input, "NL") {
            prop_assert!(phone.starts_with('+'), "{phone}");
            prop_assert!(phone[1..].chars().all(|c| c.is_ascii_digit()), "{phone}");
            prop_assert!(phone.len() <= 16, "{phone}");
            prop_assert_eq!(normalise_phone(&phone, "NL"), Ok(phone.clone()));
        }
    }

    #[test]
    fn search_queries_become_well_formed_database_queries(input in client_text(), channel in proptest::option::of("[a-z]{1,8}")) {
        if let Some(query) = SearchQuery::parse(&input, None, channel.as_deref()) {
            let fts5 = query.to_fts5();
            prop_assert_eq!(fts5.matches('"').count() % 2, 0, "unbalanced quotes in {}", fts5);
            prop_assert!(!query.to_tsquery().trim().is_empty());
        }
    }

    #[test]
    fn callback_requests_are_accepted_only_with_a_usable_phone_and_name(
        phone in proptest::option::of(client_text()),
        name in proptest::option::of(client_text()),
        window in proptest::option::of(client_text()),
        note in proptest::option::of(client_text()),
    ) {
        let input = CallbackInput { phone, name, window, note, ..Default::default() };
        if let Ok(valid) = input.validate(&default_windows(), "NL", Lang::Nl) {
            prop_assert!(valid.phone.starts_with('+'));
            prop_assert!(valid.name.iter().all(|n| !n.chars().any(char::is_control)));
            prop_assert!(valid.note.iter().all(|n| !n.contains('\0')));
        }
    }

    #[test]
    fn inbound_messages_are_stored_only_without_nul_or_forged_lines(
        external_id in client_text(),
        handle in client_text(),
        name in proptest::option::of(client_text()),
        text in client_text(),
        sent_at in proptest::option::of("[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z"),
    ) {
        let input = InboundInput {
            channel: Some("chat".into()),
            external_id: Some(external_id),
            from: Some(FromInput { handle: Some(handle), name }),
            text: Some(text),
            sent_at,
        };
        let now = Utc.with_ymd_and_hms(2026, 11, 24, 9, 0, 0).unwrap();
        if let Ok(valid) = input.validate(now) {
            prop_assert!(!valid.text.contains('\0'));
            prop_assert!(valid.name.iter().all(|n| !n.chars().any(char::is_control)));
            prop_assert!(!valid.external_id.chars().any(char::is_control));
        }
    }
}
