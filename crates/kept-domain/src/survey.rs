//! Asking customers how it went: survey kinds and their scales, what a low score asks of us,
//! and how long an answer link works.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::hours::BusinessHours;
use crate::promise::str_enum;

/// An answer link works this long after the survey was sent.
pub const LINK_DAYS: i64 = 30;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SurveyKind {
    /// "How did it go?" 1 (bad) to 5 (very good).
    Csat,
    /// "Would you recommend us?" 0 to 10.
    Nps,
    /// Why a customer left: a reason from the business's list and a comment.
    Exit,
}

str_enum!(SurveyKind { Csat => "csat", Nps => "nps", Exit => "exit" });

/// What made kept ask.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SurveyTrigger {
    /// A callback reached the customer.
    Callback,
    /// A conversation was resolved.
    Conversation,
    /// An appointment took place.
    Appointment,
    /// The periodic NPS question.
    Schedule,
    /// A contract ended with the customer leaving.
    ContractLeft,
}

str_enum!(SurveyTrigger {
    Callback => "callback", Conversation => "conversation", Appointment => "appointment",
    Schedule => "schedule", ContractLeft => "contract_left",
});

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SurveyStatus {
    /// Waiting for its moment to be sent.
    Planned,
    Sent,
    Answered,
}

str_enum!(SurveyStatus { Planned => "planned", Sent => "sent", Answered => "answered" });

impl SurveyKind {
    /// The scores a customer can give; an exit survey has none (a reason instead).
    pub fn scores(self) -> Option<std::ops::RangeInclusive<i64>> {
        match self {
            SurveyKind::Csat => Some(1..=5),
            SurveyKind::Nps => Some(0..=10),
            SurveyKind::Exit => None,
        }
    }

    /// Whether this answer asks for someone to call the customer: CSAT 1–2, NPS 0–6, and any
    /// exit survey (someone who left and still answered is worth a call).
    pub fn needs_recovery(self, score: Option<i64>) -> bool {
        match (self, score) {
            (SurveyKind::Csat, Some(score)) => score <= 2,
            (SurveyKind::Nps, Some(score)) => score <= 6,
            (SurveyKind::Exit, _) => true,
            (_, None) => false,
        }
    }

    /// A score worth being proud of: CSAT 5, NPS 9–10.
    pub fn is_top(self, score: Option<i64>) -> bool {
        matches!(
            (self, score),
            (SurveyKind::Csat, Some(5)) | (SurveyKind::Nps, Some(9..=10))
        )
    }
}

/// A recovery call is due one business day after the answer.
pub fn recovery_due(hours: &BusinessHours, answered_at: DateTime<Utc>) -> DateTime<Utc> {
    hours.add_business_days(answered_at, 1)
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;

    use super::*;

    #[test]
    fn low_scores_ask_for_a_call_and_high_ones_are_fans() {
        assert!(SurveyKind::Csat.needs_recovery(Some(2)));
        assert!(!SurveyKind::Csat.needs_recovery(Some(3)));
        assert!(SurveyKind::Nps.needs_recovery(Some(6)));
        assert!(!SurveyKind::Nps.needs_recovery(Some(7)));
        assert!(SurveyKind::Exit.needs_recovery(None));
        assert!(!SurveyKind::Csat.needs_recovery(None));
        assert!(SurveyKind::Csat.is_top(Some(5)) && !SurveyKind::Csat.is_top(Some(4)));
        assert!(SurveyKind::Nps.is_top(Some(9)) && !SurveyKind::Nps.is_top(Some(8)));
        assert_eq!(SurveyKind::Nps.scores(), Some(0..=10));
        for kind in [SurveyKind::Csat, SurveyKind::Nps, SurveyKind::Exit] {
            assert_eq!(SurveyKind::parse(kind.as_str()), Some(kind));
        }
    }

    #[test]
    fn a_recovery_call_is_due_one_business_day_later() {
        // Weekdays 09:00–17:30 in Amsterdam (UTC+1 in winter).
        let hours = BusinessHours::default();
        let utc = |d, h, m| Utc.with_ymd_and_hms(2026, 12, d, h, m, 0).unwrap();
        // Tuesday 11:00 → Wednesday 11:00.
        assert_eq!(recovery_due(&hours, utc(1, 10, 0)), utc(2, 10, 0));
        // Friday 16:00 → Monday 16:00.
        assert_eq!(recovery_due(&hours, utc(4, 15, 0)), utc(7, 15, 0));
        // Saturday evening → the end of Monday's opening hours.
        assert_eq!(recovery_due(&hours, utc(5, 20, 0)), utc(7, 16, 30));
    }
}
