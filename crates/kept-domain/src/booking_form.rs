//! What a customer fills in to book an appointment, checked field by field: every problem is
//! named at once, in the customer's language, and nothing is stored until all is well.

use chrono::{DateTime, Utc};
use serde::Deserialize;

use crate::callback::{FieldError, Lines, optional_text};
use crate::{Lang, PhoneError, normalise_phone};

const MAX_NAME_CHARS: usize = 100;
const MAX_NOTE_CHARS: usize = 1000;
const MAX_ADDRESS_CHARS: usize = 300;
const MAX_EMAIL_CHARS: usize = 254;

/// The booking form or JSON body, as it arrived.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct BookingInput {
    pub location: Option<String>,
    pub service: Option<String>,
    /// RFC 3339.
    pub start: Option<String>,
    pub name: Option<String>,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub note: Option<String>,
    /// For a field visit: where to come.
    pub address: Option<String>,
    pub lang: Option<String>,
    /// The honeypot: hidden from people, filled in by bots.
    pub website: Option<String>,
}

/// A booking whose fields are all well-formed (whether the time is free is the store's say).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ValidBooking {
    pub location_id: String,
    pub service_id: String,
    pub start: DateTime<Utc>,
    pub name: String,
    /// Lower case: the customer is recognised by it.
    pub email: String,
    pub phone: Option<String>,
    pub note: Option<String>,
    pub address: Option<String>,
    pub lang: Lang,
}

impl BookingInput {
    pub fn lang(&self, fallback: Lang) -> Lang {
        self.lang.as_deref().and_then(Lang::parse).unwrap_or(fallback)
    }

    /// Checks every field and reports all problems at once; trims and normalises what is kept.
    pub fn validate(&self, default_region: &str, fallback_lang: Lang) -> Result<ValidBooking, Vec<FieldError>> {
        let lang = self.lang(fallback_lang);
        let mut errors = Vec::new();
        let mut refuse = |field, code| errors.push(FieldError::new(field, code, lang));
        if self.website.as_deref().is_some_and(|v| !v.trim().is_empty()) {
            refuse("website", "spam");
        }
        let id = |value: &Option<String>| {
            value
                .as_deref()
                .map(str::trim)
                .filter(|v| !v.is_empty())
                .map(String::from)
        };
        let location_id = id(&self.location);
        if location_id.is_none() {
            refuse("location", "unknown_location");
        }
        let service_id = id(&self.service);
        if service_id.is_none() {
            refuse("service", "unknown_service");
        }
        let start = chosen_start(id(&self.start)).map_err(|code| refuse("start", code)).ok();
        let email = booking_email(id(&self.email))
            .map_err(|code| refuse("email", code))
            .ok();
        let phone = match normalise_phone(self.phone.as_deref().unwrap_or(""), default_region) {
            Ok(phone) => Some(phone),
            Err(PhoneError::Missing) => None,
            Err(PhoneError::Invalid) => {
                refuse("phone", "invalid_phone");
                None
            }
        };
        let name = optional_text(&self.name, "name", MAX_NAME_CHARS, Lines::One, lang, &mut errors);
        if name.is_none() && !errors.iter().any(|e| e.field == "name") {
            errors.push(FieldError::new("name", "name_required", lang));
        }
        let note = optional_text(&self.note, "note", MAX_NOTE_CHARS, Lines::Many, lang, &mut errors);
        let address = optional_text(
            &self.address,
            "address",
            MAX_ADDRESS_CHARS,
            Lines::Many,
            lang,
            &mut errors,
        );
        match (location_id, service_id, start, name, email) {
            (Some(location_id), Some(service_id), Some(start), Some(name), Some(email)) if errors.is_empty() => {
                Ok(ValidBooking {
                    location_id,
                    service_id,
                    start,
                    name,
                    email,
                    phone,
                    note,
                    address,
                    lang,
                })
            }
            _ => Err(errors),
        }
    }
}

/// The time the customer chose (as the form offered it), or the code of why it cannot be used.
fn chosen_start(text: Option<String>) -> Result<DateTime<Utc>, &'static str> {
    let text = text.ok_or("start_required")?;
    DateTime::parse_from_rfc3339(&text)
        .map(|at| at.with_timezone(&Utc))
        .map_err(|_| "not_offered")
}

/// The customer's address, lower-cased, or the code of why it cannot be used.
fn booking_email(text: Option<String>) -> Result<String, &'static str> {
    match text {
        None => Err("email_required"),
        Some(text) if !is_email(&text) => Err("invalid_email"),
        Some(text) => Ok(text.to_lowercase()),
    }
}

/// `local@domain.tld` without spaces or control characters: enough to catch a typo; whether
/// the address exists only a delivered confirmation shows.
pub fn is_email(text: &str) -> bool {
    let Some((local, domain)) = text.rsplit_once('@') else {
        return false;
    };
    let labels: Vec<&str> = domain.split('.').collect();
    text.chars().count() <= MAX_EMAIL_CHARS
        && !local.is_empty()
        && local.len() <= 64
        && !local.contains('@')
        && !text
            .chars()
            .any(|c| c.is_whitespace() || c.is_control() || matches!(c, '<' | '>' | ',' | ';'))
        && labels.len() >= 2
        && labels
            .iter()
            .all(|l| !l.is_empty() && l.chars().all(|c| c.is_alphanumeric() || c == '-'))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn filled() -> BookingInput {
        BookingInput {
            location: Some("loc".into()),
            service: Some("svc".into()),
            start: Some("2026-12-03T09:30:00+01:00".into()),
            name: Some(" Henk Reichardt ".into()),
            email: Some("Henk@Example.NL".into()),
            phone: Some("06 12345678".into()),
            ..Default::default()
        }
    }

    #[test]
    fn a_complete_booking_is_trimmed_and_normalised() {
        let valid = filled().validate("NL", Lang::Nl).unwrap();
        assert_eq!(valid.name, "Henk Reichardt");
        assert_eq!(valid.email, "henk@example.nl");
        assert_eq!(valid.phone.as_deref(), Some("+31612345678"));
        assert_eq!(valid.start.to_rfc3339(), "2026-12-03T08:30:00+00:00");
    }

    #[test]
    fn every_missing_or_wrong_field_is_named() {
        let errors = BookingInput::default().validate("NL", Lang::En).unwrap_err();
        let fields: Vec<&str> = errors.iter().map(|e| e.field).collect();
        assert_eq!(fields, ["location", "service", "start", "email", "name"]);
        let mut wrong = filled();
        wrong.email = Some("henk at example".into());
        wrong.phone = Some("12".into());
        wrong.start = Some("tomorrow".into());
        let errors = wrong.validate("NL", Lang::Nl).unwrap_err();
        let codes: Vec<&str> = errors.iter().map(|e| e.code).collect();
        assert_eq!(codes, ["not_offered", "invalid_email", "invalid_phone"]);
        assert!(errors[1].message.contains("e-mailadres"));
    }

    #[test]
    fn the_honeypot_is_refused() {
        let mut bot = filled();
        bot.website = Some("http://spam.example".into());
        assert_eq!(bot.validate("NL", Lang::Nl).unwrap_err()[0].code, "spam");
    }

    #[test]
    fn addresses_are_checked_for_shape() {
        for good in ["a@b.nl", "jan.de.vries+kept@voorbeeld.co.uk", "élise@café.fr"] {
            assert!(is_email(good), "{good}");
        }
        for bad in ["", "a@b", "@b.nl", "a@.nl", "a b@c.nl", "a@b..nl", "a@b.nl>", "a@@b.nl"] {
            assert!(!is_email(bad), "{bad}");
        }
    }
}
