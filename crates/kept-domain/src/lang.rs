//! Dutch and English: picking the customer's language and saying times in plain words.

use chrono::{DateTime, Datelike, Weekday};
use chrono_tz::Tz;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Lang {
    #[default]
    Nl,
    En,
}

impl Lang {
    pub fn code(self) -> &'static str {
        match self {
            Lang::Nl => "nl",
            Lang::En => "en",
        }
    }

    /// Exactly "nl" or "en", as an API takes it (no regions, no other case).
    pub fn from_code(code: &str) -> Option<Lang> {
        [Lang::Nl, Lang::En].into_iter().find(|lang| lang.code() == code)
    }

    pub fn parse(code: &str) -> Option<Lang> {
        let primary = code.trim().split(['-', '_']).next()?.to_ascii_lowercase();
        match primary.as_str() {
            "nl" => Some(Lang::Nl),
            "en" => Some(Lang::En),
            _ => None,
        }
    }

    /// The best of nl/en for an `Accept-Language` header, honouring q-values; Dutch if neither.
    pub fn from_accept_language(header: &str) -> Lang {
        let mut best: Option<(f32, Lang)> = None;
        for entry in header.split(',') {
            let mut parts = entry.split(';');
            let Some(lang) = parts.next().and_then(Lang::parse) else {
                continue;
            };
            let quality = parts
                .find_map(|p| p.trim().strip_prefix("q="))
                .and_then(|q| q.parse::<f32>().ok())
                .unwrap_or(1.0);
            if best.is_none_or(|(q, _)| quality > q) {
                best = Some((quality, lang));
            }
        }
        best.map(|(_, lang)| lang).unwrap_or_default()
    }

    /// "donderdag 26 november", "Thursday 26 November": a date that stands on its own (in an
    /// e-mail read days later).
    pub fn long_date(self, date: chrono::NaiveDate) -> String {
        format!(
            "{} {} {}",
            weekday_name(self, date.weekday()),
            date.day(),
            month_name(self, date.month())
        )
    }

    /// "vandaag", "morgen", "maandag 30 november" — the day of `at` seen from `now`.
    pub fn day_phrase(self, at: DateTime<Tz>, now: DateTime<Tz>) -> String {
        let days_ahead = (at.date_naive() - now.date_naive()).num_days();
        match (self, days_ahead) {
            (Lang::Nl, 0) => "vandaag".into(),
            (Lang::En, 0) => "today".into(),
            (Lang::Nl, 1) => "morgen".into(),
            (Lang::En, 1) => "tomorrow".into(),
            (_, _) => {
                let on = if self == Lang::Nl { "op" } else { "on" };
                format!(
                    "{on} {} {} {}",
                    weekday_name(self, at.weekday()),
                    at.day(),
                    month_name(self, at.month())
                )
            }
        }
    }
}

// chrono's localised formatting sits behind its "unstable-locales" feature; two short tables
// of names are smaller than that dependency and cannot change under us.
pub fn weekday_name(lang: Lang, day: Weekday) -> &'static str {
    const NL: [&str; 7] = [
        "maandag",
        "dinsdag",
        "woensdag",
        "donderdag",
        "vrijdag",
        "zaterdag",
        "zondag",
    ];
    const EN: [&str; 7] = [
        "Monday",
        "Tuesday",
        "Wednesday",
        "Thursday",
        "Friday",
        "Saturday",
        "Sunday",
    ];
    let index = day.num_days_from_monday() as usize;
    match lang {
        Lang::Nl => NL[index],
        Lang::En => EN[index],
    }
}

/// "12 maart", "12 March".
pub fn day_and_month(lang: Lang, date: chrono::NaiveDate) -> String {
    format!("{} {}", date.day(), month_name(lang, date.month()))
}

/// "10 mei 2023", "10 May 2023": a date that may lie years back.
pub fn date_with_year(lang: Lang, date: chrono::NaiveDate) -> String {
    format!("{} {}", day_and_month(lang, date), date.year())
}

fn month_name(lang: Lang, month: u32) -> &'static str {
    const NL: [&str; 12] = [
        "januari",
        "februari",
        "maart",
        "april",
        "mei",
        "juni",
        "juli",
        "augustus",
        "september",
        "oktober",
        "november",
        "december",
    ];
    const EN: [&str; 12] = [
        "January",
        "February",
        "March",
        "April",
        "May",
        "June",
        "July",
        "August",
        "September",
        "October",
        "November",
        "December",
    ];
    let index = (month.clamp(1, 12) - 1) as usize;
    match lang {
        Lang::Nl => NL[index],
        Lang::En => EN[index],
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accept_language_picks_the_preferred_supported_language() {
        assert_eq!(Lang::from_accept_language("en-GB,en;q=0.9,nl;q=0.8"), Lang::En);
        assert_eq!(Lang::from_accept_language("de-DE, nl;q=0.5, en;q=0.4"), Lang::Nl);
        assert_eq!(Lang::from_accept_language("fr"), Lang::Nl);
        assert_eq!(Lang::from_accept_language(""), Lang::Nl);
    }
}
