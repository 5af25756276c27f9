//! A "call me back" request: validating what the customer typed, and what each call outcome means.

use serde::{Deserialize, Serialize};

use crate::lang::Lang;
use crate::phone::{PhoneError, normalise_phone};
use crate::promise::str_enum;
use crate::window::CallbackWindow;

pub const MAX_NAME_CHARS: usize = 100;
pub const MAX_NOTE_CHARS: usize = 1000;

/// What arrives from the public form or the JSON API, untrusted.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct CallbackInput {
    pub phone: Option<String>,
    pub name: Option<String>,
    pub window: Option<String>,
    pub note: Option<String>,
    pub lang: Option<String>,
    /// The honeypot: hidden from people, filled in by bots.
    pub website: Option<String>,
}

/// A request that passed validation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ValidCallback {
    pub phone: String,
    pub name: Option<String>,
    pub window: CallbackWindow,
    pub note: Option<String>,
    pub lang: Lang,
}

/// Why one field was refused; shown to the customer and returned by the API.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FieldError {
    pub field: &'static str,
    pub code: &'static str,
    pub message: String,
}

impl FieldError {
    pub fn new(field: &'static str, code: &'static str, lang: Lang) -> Self {
        let message = match (code, lang) {
            ("required", Lang::Nl) => "Vul uw telefoonnummer in.",
            ("required", Lang::En) => "Please enter your phone number.",
            ("invalid_phone", Lang::Nl) => "Dit is geen geldig telefoonnummer. Voorbeeld: 06 12345678.",
            ("invalid_phone", Lang::En) => "This is not a valid phone number. Example: +31 6 12345678.",
            ("too_long", Lang::Nl) => "Deze tekst is te lang.",
            ("too_long", Lang::En) => "This text is too long.",
            ("unknown_window", Lang::Nl) => "Kies een van de aangeboden tijden.",
            ("unknown_window", Lang::En) => "Please choose one of the offered times.",
            ("control_characters", Lang::Nl) => "Deze tekst bevat ongeldige tekens.",
            ("control_characters", Lang::En) => "This text contains invalid characters.",
            ("name_required", Lang::Nl) => "Vul uw naam in.",
            ("name_required", Lang::En) => "Please enter your name.",
            ("email_required", Lang::Nl) => "Vul uw e-mailadres in; daar sturen we de bevestiging heen.",
            ("email_required", Lang::En) => "Please enter your e-mail address; the confirmation goes there.",
            ("invalid_email", Lang::Nl) => "Dit is geen geldig e-mailadres. Voorbeeld: naam@voorbeeld.nl.",
            ("invalid_email", Lang::En) => "This is not a valid e-mail address. Example: name@example.com.",
            ("address_required", Lang::Nl) => "Vul het adres in waar we langskomen.",
            ("address_required", Lang::En) => "Please enter the address we should visit.",
            ("unknown_location", Lang::Nl) => "Kies een van onze vestigingen.",
            ("unknown_location", Lang::En) => "Please choose one of our locations.",
            ("unknown_service", Lang::Nl) => "Kies een van de aangeboden afspraken.",
            ("unknown_service", Lang::En) => "Please choose one of the services offered.",
            ("start_required", Lang::Nl) => "Kies een tijd.",
            ("start_required", Lang::En) => "Please choose a time.",
            ("not_offered", Lang::Nl) => "Dit tijdstip kunt u niet boeken. Kies een van de vrije tijden.",
            ("not_offered", Lang::En) => "This time cannot be booked. Please choose one of the free times.",
            (_, Lang::Nl) => "Dit verzoek is geweigerd.",
            (_, Lang::En) => "This request was refused.",
        };
        Self {
            field,
            code,
            message: message.into(),
        }
    }
}

impl CallbackInput {
    /// Checks every field and reports all problems at once; trims and normalises what is kept.
    pub fn validate(
        &self,
        windows: &[CallbackWindow],
        default_region: &str,
        fallback_lang: Lang,
    ) -> Result<ValidCallback, Vec<FieldError>> {
        let lang = self.lang.as_deref().and_then(Lang::parse).unwrap_or(fallback_lang);
        let mut errors = Vec::new();
        if self.website.as_deref().is_some_and(|v| !v.trim().is_empty()) {
            errors.push(FieldError::new("website", "spam", lang));
        }
        let phone = match normalise_phone(self.phone.as_deref().unwrap_or(""), default_region) {
            Ok(phone) => Some(phone),
            Err(PhoneError::Missing) => {
                errors.push(FieldError::new("phone", "required", lang));
                None
            }
            Err(PhoneError::Invalid) => {
                errors.push(FieldError::new("phone", "invalid_phone", lang));
                None
            }
        };
        let name = optional_text(&self.name, "name", MAX_NAME_CHARS, Lines::One, lang, &mut errors);
        let note = optional_text(&self.note, "note", MAX_NOTE_CHARS, Lines::Many, lang, &mut errors);
        let code = self.window.as_deref().map(str::trim).filter(|c| !c.is_empty());
        let window = match code {
            None => windows.first(),
            Some(code) => windows.iter().find(|w| w.code == code),
        };
        if window.is_none() {
            errors.push(FieldError::new("window", "unknown_window", lang));
        }
        match (phone, window) {
            (Some(phone), Some(window)) if errors.is_empty() => Ok(ValidCallback {
                phone,
                name,
                window: window.clone(),
                note,
                lang,
            }),
            _ => Err(errors),
        }
    }
}

/// Whether a text may span lines. A name may not: it ends up in e-mail headers and in the
/// lines of staff e-mails, where a line break could forge a line ("Telefoon: …").
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum Lines {
    One,
    Many,
}

pub(crate) fn optional_text(
    value: &Option<String>,
    field: &'static str,
    max_chars: usize,
    lines: Lines,
    lang: Lang,
    errors: &mut Vec<FieldError>,
) -> Option<String> {
    let text = value.as_deref().map(str::trim).filter(|t| !t.is_empty())?;
    if text.chars().count() > max_chars {
        errors.push(FieldError::new(field, "too_long", lang));
        return None;
    }
    let line_break = |c: char| lines == Lines::Many && matches!(c, '\n' | '\r' | '\t');
    if text.chars().any(|c| c.is_control() && !line_break(c)) {
        errors.push(FieldError::new(field, "control_characters", lang));
        return None;
    }
    Some(text.to_string())
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CallbackStatus {
    /// Still to be called (also after a call nobody answered).
    Open,
    Reached,
    WrongNumber,
    Cancelled,
}

str_enum!(CallbackStatus { Open => "open", Reached => "reached", WrongNumber => "wrong_number", Cancelled => "cancelled" });

/// What happened when staff called.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CallOutcome {
    Reached,
    NoAnswer,
    WrongNumber,
}

str_enum!(CallOutcome { Reached => "reached", NoAnswer => "no_answer", WrongNumber => "wrong_number" });

impl CallOutcome {
    /// The request's status after this outcome: nobody answering leaves it open for a retry.
    pub fn callback_status(self) -> CallbackStatus {
        match self {
            CallOutcome::Reached => CallbackStatus::Reached,
            CallOutcome::NoAnswer => CallbackStatus::Open,
            CallOutcome::WrongNumber => CallbackStatus::WrongNumber,
        }
    }

    pub fn schedules_retry(self) -> bool {
        self == CallOutcome::NoAnswer
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::window::default_windows;

    fn input(phone: &str) -> CallbackInput {
        CallbackInput {
            phone: Some(phone.into()),
            ..Default::default()
        }
    }

    #[test]
    fn only_the_phone_is_required_and_the_first_window_is_the_default() {
        let valid = input(" 06 12345678 ")
            .validate(&default_windows(), "NL", Lang::Nl)
            .unwrap();
        assert_eq!(valid.phone, "+31612345678");
        assert_eq!(valid.window.code, "asap");
        assert_eq!(valid.name, None);
    }

    #[test]
    fn every_bad_field_is_reported() {
        let bad = CallbackInput {
            phone: Some("12".into()),
            window: Some("midnight".into()),
            name: Some("x".repeat(101)),
            lang: Some("en".into()),
            ..Default::default()
        };
        let errors = bad.validate(&default_windows(), "NL", Lang::Nl).unwrap_err();
        let fields: Vec<_> = errors.iter().map(|e| (e.field, e.code)).collect();
        assert_eq!(
            fields,
            [
                ("phone", "invalid_phone"),
                ("name", "too_long"),
                ("window", "unknown_window")
            ]
        );
        assert!(errors[0].message.starts_with("This is not a valid phone number"));
    }

    #[test]
    fn a_name_is_one_line_a_note_may_have_several() {
        let mut forged = input("0612345678");
        forged.name = Some("Jan\r\nTelefoon: 0900-1234".into());
        forged.note = Some("Eerste regel\nTweede regel".into());
        let errors = forged.validate(&default_windows(), "NL", Lang::Nl).unwrap_err();
        let fields: Vec<_> = errors.iter().map(|e| (e.field, e.code)).collect();
        assert_eq!(fields, [("name", "control_characters")]);
    }

    #[test]
    fn a_filled_honeypot_is_refused() {
        let mut bot = input("0612345678");
        bot.website = Some("http://spam.example".into());
        let errors = bot.validate(&default_windows(), "NL", Lang::Nl).unwrap_err();
        assert_eq!(errors[0].code, "spam");
    }

    #[test]
    fn no_answer_keeps_the_request_open_for_a_retry() {
        assert_eq!(CallOutcome::NoAnswer.callback_status(), CallbackStatus::Open);
        assert!(CallOutcome::NoAnswer.schedules_retry());
        assert!(!CallOutcome::Reached.schedules_retry());
    }
}
