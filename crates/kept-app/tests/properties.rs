//! Bounded fuzzing of what staff and mail servers send: raw e-mail and saved-reply templates.
//! Whatever arrives, the parsers answer (never panic, never run away), and what they accept
//! keeps its promises.

use kept_app::inbound_email;
use kept_app::templates::engine as templates;
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

/// A number as a person might type it, from nothing to far past what a date can hold.
fn any_count() -> impl Strategy<Value = String> {
    prop_oneof![
        (0u64..100).prop_map(|n| n.to_string()),
        any::<u64>().prop_map(|n| n.to_string()),
        any::<i64>().prop_map(|n| n.to_string()),
        Just("99999999".to_string()),
        Just("9223372036854775807".to_string()),
        Just("18446744073709551616".to_string()),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(400))]

    /// "Ik bel u over 99999999 dagen terug" in a reply, note or logged call: read or ignored,
    /// never a panic, and a promise kept is never more than a few years ahead.
    #[test]
    fn commitments_with_any_number_never_panic(
        count in any_count(),
        unit in prop::sample::select(vec!["minuten", "uur", "werkuren", "dagen", "werkdagen", "weken",
                                          "minutes", "hours", "business hours", "days", "working days"]),
        form in prop::sample::select(vec!["Ik bel u over {n} {u} terug.", "We sturen het binnen {n} {u}.",
                                          "I will call you back within {n} {u}.", "Uiterlijk over {n} {u} hoort u van ons."]),
    ) {
        let text = form.replace("{n}", &count).replace("{u}", unit);
        let now = chrono::TimeZone::with_ymd_and_hms(&chrono::Utc, 2026, 11, 24, 9, 0, 0).unwrap();
        let hours = kept_domain::BusinessHours::default();
        for found in kept_tone::read_commitments(&text, now, &hours) {
            prop_assert!(found.due_at <= now + chrono::Duration::days(4 * 366), "{text}: {}", found.due_at);
        }
    }

    /// Settings with extreme numbers are refused with the key they are about, never a panic.
    #[test]
    fn settings_with_any_number_are_refused_or_taken(minutes in any::<i64>(), lead in any::<i64>(), retry in any::<i64>()) {
        let mut config = kept_app::config::FileConfig {
            reminder_lead_minutes: lead,
            retry_after_minutes: retry,
            ..Default::default()
        };
        if let Some(window) = config.business.windows.first_mut() {
            window.rule = kept_domain::WindowRule::Within { minutes };
        }
        if let Ok(settings) = config.resolve() {
            let now = chrono::Utc::now();
            for window in &settings.business.windows {
                // A window that was taken can be used to promise a call.
                let _ = window.schedule(&settings.business.hours, now);
            }
        }
    }
}

#[test]
fn opening_hour_arithmetic_takes_any_number() {
    let hours = kept_domain::BusinessHours::default();
    let now = chrono::Utc::now();
    for minutes in [i64::MIN, -1, 0, i64::MAX / 60_000 + 1, i64::MAX] {
        let _ = hours.add_business_minutes(now, minutes);
        let _ = hours.add_business_days(now, minutes);
    }
}
