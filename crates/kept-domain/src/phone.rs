//! Phone numbers are stored in E.164 so that one customer is recognised however the number was typed.

use phonenumber::country::Id as Country;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PhoneError {
    #[error("phone number is required")]
    Missing,
    #[error("this is not a valid phone number")]
    Invalid,
}

/// Whether `code` is an ISO 3166 region phone numbers can be parsed for.
pub fn is_region(code: &str) -> bool {
    code.parse::<Country>().is_ok()
}

/// Parses what a person typed (`06 12345678`, `+31 6 1234 5678`, `0031612345678`) into E.164.
/// `default_region` is an ISO 3166 code such as "NL", used for numbers without a country code.
pub fn normalise_phone(input: &str, default_region: &str) -> Result<String, PhoneError> {
    let trimmed = input.trim();
    if trimmed.is_empty() {
        return Err(PhoneError::Missing);
    }
    if trimmed.len() > 40 {
        return Err(PhoneError::Invalid);
    }
    let region: Option<Country> = default_region.parse().ok();
    let number = phonenumber::parse(region, trimmed).map_err(|_| PhoneError::Invalid)?;
    if !phonenumber::is_valid(&number) {
        return Err(PhoneError::Invalid);
    }
    Ok(number.format().mode(phonenumber::Mode::E164).to_string())
}

/// A stored number (E.164) as people at the business write it: in the national format when it
/// is of the business's own country ("06 12345678"), else internationally ("+44 20 7946 0958");
/// as stored when it cannot be read.
pub fn display_phone(e164: &str, home_region: &str) -> String {
    let Ok(number) = phonenumber::parse(None, e164) else {
        return e164.to_string();
    };
    let home: Option<Country> = home_region.parse().ok();
    let mode = if home.is_some() && number.country().id() == home {
        phonenumber::Mode::National
    } else {
        phonenumber::Mode::International
    };
    number.format().mode(mode).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dutch_mobile_number_in_every_common_spelling_becomes_the_same_e164() {
        for typed in ["06 12345678", "+31 6 1234 5678", "0031612345678", "06-123 456 78"] {
            assert_eq!(normalise_phone(typed, "NL").as_deref(), Ok("+31612345678"), "{typed}");
        }
    }

    #[test]
    fn landline_and_foreign_numbers_are_accepted() {
        assert_eq!(normalise_phone("020 123 4567", "NL").as_deref(), Ok("+31201234567"));
        assert_eq!(
            normalise_phone("+44 20 7946 0958", "NL").as_deref(),
            Ok("+442079460958")
        );
    }

    #[test]
    fn numbers_are_shown_as_people_here_write_them() {
        assert_eq!(display_phone("+31612345678", "NL"), "06 12345678");
        assert_eq!(display_phone("+31201234567", "NL"), "020 123 4567");
        assert_eq!(display_phone("+442079460958", "NL"), "+44 20 7946 0958");
        assert_eq!(display_phone("+31612345678", "BE"), "+31 6 12345678");
        assert_eq!(display_phone("not a number", "NL"), "not a number");
    }

    #[test]
    fn nonsense_is_rejected_with_a_reason() {
        assert_eq!(normalise_phone("12", "NL"), Err(PhoneError::Invalid));
        assert_eq!(normalise_phone("call me", "NL"), Err(PhoneError::Invalid));
        assert_eq!(normalise_phone("   ", "NL"), Err(PhoneError::Missing));
    }
}
