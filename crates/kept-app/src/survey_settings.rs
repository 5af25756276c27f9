//! The owner's survey settings: which contacts are followed by "how did it go?", how long to
//! wait, when to remind, how often a customer may be asked, the periodic NPS question and the
//! reasons an exit survey offers. Part of the business's settings document.

use chrono::Duration;
use kept_domain::Lang;
use serde::{Deserialize, Serialize};

use crate::config_error::{ConfigError, invalid};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields, default)]
pub struct SurveySettings {
    /// Ask after a callback reached the customer.
    pub csat_after_callback: bool,
    /// Ask after a conversation was resolved.
    pub csat_after_conversation: bool,
    /// Ask after an appointment took place.
    pub csat_after_appointment: bool,
    /// Wait this long after the contact before asking.
    pub delay_minutes: i64,
    /// Remind once after this many days without an answer.
    pub reminder_after_days: i64,
    /// Never ask a customer more than once in this many days, whatever the reason.
    pub cap_days: i64,
    /// Ask "would you recommend us?" of recent customers at most once in this many days;
    /// 0: never.
    pub nps_every_days: i64,
    /// The reasons an exit survey offers (Dutch and English).
    pub exit_reasons: Vec<ExitReason>,
    /// A sentence of the business's own under the question, per language (may be empty).
    pub intro_nl: String,
    pub intro_en: String,
    /// Contracts: the outreach call appears this many days before the end date.
    pub outreach_days_before: i64,
    /// Who makes outreach calls (a staff member's id); empty: an owner.
    pub outreach_owner: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ExitReason {
    pub nl: String,
    pub en: String,
}

/// A reason is one line of 1 to 100 characters.
fn bad_reason(text: &str) -> bool {
    text.trim().is_empty() || text.chars().count() > 100 || text.chars().any(char::is_control)
}

impl ExitReason {
    pub fn label(&self, lang: Lang) -> &str {
        match lang {
            Lang::Nl => &self.nl,
            Lang::En => &self.en,
        }
    }
}

impl Default for SurveySettings {
    fn default() -> Self {
        let reason = |nl: &str, en: &str| ExitReason {
            nl: nl.into(),
            en: en.into(),
        };
        Self {
            csat_after_callback: true,
            csat_after_conversation: true,
            csat_after_appointment: true,
            delay_minutes: 60,
            reminder_after_days: 3,
            cap_days: 14,
            nps_every_days: 0,
            exit_reasons: vec![
                reason("Te duur", "Too expensive"),
                reason("Niet tevreden over de service", "Not happy with the service"),
                reason("Iets beters gevonden", "Found something better"),
                reason("Heb het niet meer nodig", "No longer need it"),
                reason("Verhuisd", "Moved away"),
            ],
            intro_nl: String::new(),
            intro_en: String::new(),
            outreach_days_before: kept_domain::contract::DEFAULT_OUTREACH_DAYS,
            outreach_owner: String::new(),
        }
    }
}

impl SurveySettings {
    /// Checks every value; an error names the key.
    pub fn check(&self) -> Result<(), ConfigError> {
        let within = |key: &str, value: i64, range: std::ops::RangeInclusive<i64>| {
            if range.contains(&value) {
                Ok(())
            } else {
                Err(invalid(
                    &format!("surveys.{key}"),
                    format!("must be between {} and {}", range.start(), range.end()),
                ))
            }
        };
        within("delay_minutes", self.delay_minutes, 0..=7 * 24 * 60)?;
        within("reminder_after_days", self.reminder_after_days, 1..=30)?;
        within("cap_days", self.cap_days, 0..=365)?;
        within("nps_every_days", self.nps_every_days, 0..=730)?;
        within("outreach_days_before", self.outreach_days_before, 1..=365)?;
        if self.exit_reasons.len() > 20 || self.exit_reasons.iter().any(|r| bad_reason(&r.nl) || bad_reason(&r.en)) {
            return Err(invalid(
                "surveys.exit_reasons",
                "up to 20 reasons, each with a Dutch and an English text of up to 100 characters",
            ));
        }
        if self.intro_nl.chars().count() > 500 || self.intro_en.chars().count() > 500 {
            return Err(invalid("surveys.intro_nl", "up to 500 characters"));
        }
        Ok(())
    }

    pub fn delay(&self) -> Duration {
        Duration::minutes(self.delay_minutes)
    }

    pub fn reminder_after(&self) -> Duration {
        Duration::days(self.reminder_after_days)
    }

    pub fn cap(&self) -> Duration {
        Duration::days(self.cap_days)
    }

    pub fn intro(&self, lang: Lang) -> &str {
        match lang {
            Lang::Nl => &self.intro_nl,
            Lang::En => &self.intro_en,
        }
    }
}
