//! Dutch and English: picking the customer's language and saying times in plain words.

use chrono::{DateTime, Datelike, Utc, Weekday};
use chrono_tz::Tz;
use serde::{Deserialize, Serialize};

use crate::window::CallWindow;

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

    /// "morgen vanaf 09:00": when a window that cannot start now will start, for the form's
    /// choices, so that nobody picks "as soon as possible" at 19:55 and expects a call tonight.
    /// `None` when it starts now (or within a quarter of an hour).
    pub fn window_start_hint(self, window: CallWindow, now: DateTime<Utc>, tz: Tz) -> Option<String> {
        if window.not_before - now <= chrono::Duration::minutes(15) {
            return None;
        }
        let start = window.not_before.with_timezone(&tz);
        let day = self.day_phrase(start, now.with_timezone(&tz));
        let from = if self == Lang::Nl { "vanaf" } else { "from" };
        Some(format!("{day} {from} {}", start.format("%H:%M")))
    }

    /// The sentence on the confirmation page: when the customer will be called.
    pub fn call_promise_sentence(self, window: CallWindow, now: DateTime<Utc>, tz: Tz) -> String {
        let now = now.with_timezone(&tz);
        let start = window.not_before.with_timezone(&tz);
        let due = window.due_at.with_timezone(&tz);
        let day = self.day_phrase(due, now);
        let due_time = due.format("%H:%M");
        if start > now && start.date_naive() == due.date_naive() {
            let start_time = start.format("%H:%M");
            match self {
                Lang::Nl => format!("We bellen u {day} tussen {start_time} en {due_time}."),
                Lang::En => format!("We will call you {day} between {start_time} and {due_time}."),
            }
        } else {
            match self {
                Lang::Nl => format!("We bellen u {day} vóór {due_time}."),
                Lang::En => format!("We will call you {day} before {due_time}."),
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
mod window_hint_tests {
    use chrono::TimeZone;

    use super::*;

    #[test]
    fn a_window_that_starts_later_says_when() {
        let tz: Tz = "Europe/Amsterdam".parse().unwrap();
        // Monday 30 November 2026, 19:55 in Amsterdam.
        let now = Utc.with_ymd_and_hms(2026, 11, 30, 18, 55, 0).unwrap();
        let tomorrow_nine = Utc.with_ymd_and_hms(2026, 12, 1, 8, 0, 0).unwrap();
        let later = CallWindow {
            not_before: tomorrow_nine,
            due_at: tomorrow_nine,
        };
        assert_eq!(
            Lang::Nl.window_start_hint(later, now, tz).as_deref(),
            Some("morgen vanaf 09:00")
        );
        assert_eq!(
            Lang::En.window_start_hint(later, now, tz).as_deref(),
            Some("tomorrow from 09:00")
        );
        let soon = CallWindow {
            not_before: now + chrono::Duration::minutes(5),
            due_at: tomorrow_nine,
        };
        assert_eq!(Lang::Nl.window_start_hint(soon, now, tz), None);
    }
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;

    use super::*;

    #[test]
    fn accept_language_picks_the_preferred_supported_language() {
        assert_eq!(Lang::from_accept_language("en-GB,en;q=0.9,nl;q=0.8"), Lang::En);
        assert_eq!(Lang::from_accept_language("de-DE, nl;q=0.5, en;q=0.4"), Lang::Nl);
        assert_eq!(Lang::from_accept_language("fr"), Lang::Nl);
        assert_eq!(Lang::from_accept_language(""), Lang::Nl);
    }

    #[test]
    fn confirmation_sentence_names_the_slot_or_the_deadline() {
        let tz = chrono_tz::Europe::Amsterdam;
        let now = Utc.with_ymd_and_hms(2026, 11, 24, 9, 0, 0).unwrap();
        let evening = CallWindow {
            not_before: Utc.with_ymd_and_hms(2026, 11, 24, 18, 30, 0).unwrap(),
            due_at: Utc.with_ymd_and_hms(2026, 11, 24, 20, 0, 0).unwrap(),
        };
        assert_eq!(
            Lang::Nl.call_promise_sentence(evening, now, tz),
            "We bellen u vandaag tussen 19:30 en 21:00."
        );
        let asap = CallWindow {
            not_before: now,
            due_at: Utc.with_ymd_and_hms(2026, 11, 24, 10, 30, 0).unwrap(),
        };
        assert_eq!(
            Lang::En.call_promise_sentence(asap, now, tz),
            "We will call you today before 11:30."
        );
        let monday = CallWindow {
            not_before: now,
            due_at: Utc.with_ymd_and_hms(2026, 11, 30, 9, 25, 0).unwrap(),
        };
        assert_eq!(
            Lang::Nl.call_promise_sentence(monday, now, tz),
            "We bellen u op maandag 30 november vóór 10:25."
        );
    }
}
