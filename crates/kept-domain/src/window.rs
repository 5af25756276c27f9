//! Callback windows: what the customer chose ("within 90 minutes", "office hours", "after 20:00")
//! and the rule that turns that choice into a moment before which we must have called.

use chrono::{DateTime, Duration, NaiveTime, Utc};
use chrono_tz::Tz;
use serde::{Deserialize, Serialize};

use crate::hours::BusinessHours;
use crate::lang::Lang;

/// An office-hours window is only offered for today if at least this much of the day is left.
const OFFICE_MIN_LEFT: Duration = Duration::minutes(30);
/// A daily slot is only used for today if at least this much of it is left.
const SLOT_MIN_LEFT: Duration = Duration::minutes(15);

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum WindowRule {
    /// Within this many minutes of opening time.
    Within { minutes: i64 },
    /// Any time during the rest of the (next) working day. (Braces: so that `deny_unknown_fields`
    /// refuses other keys with it too, as with the other rules.)
    OfficeHours {},
    /// A fixed local time slot on a working day, e.g. 20:00–21:30.
    DailySlot { start: NaiveTime, end: NaiveTime },
}

/// Which of the rules a window follows, as the settings form and document name it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RuleKind {
    Within,
    OfficeHours,
    DailySlot,
}

crate::promise::str_enum!(RuleKind { Within => "within", OfficeHours => "office_hours", DailySlot => "daily_slot" });

impl RuleKind {
    pub const ALL: [RuleKind; 3] = [RuleKind::Within, RuleKind::OfficeHours, RuleKind::DailySlot];
}

impl WindowRule {
    pub fn kind(&self) -> RuleKind {
        match self {
            WindowRule::Within { .. } => RuleKind::Within,
            WindowRule::OfficeHours {} => RuleKind::OfficeHours,
            WindowRule::DailySlot { .. } => RuleKind::DailySlot,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CallbackWindow {
    pub code: String,
    pub label_nl: String,
    pub label_en: String,
    pub rule: WindowRule,
}

/// When a call may start and when the promise is due.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CallWindow {
    pub not_before: DateTime<Utc>,
    pub due_at: DateTime<Utc>,
}

impl CallbackWindow {
    pub fn label(&self, lang: Lang) -> &str {
        match lang {
            Lang::Nl => &self.label_nl,
            Lang::En => &self.label_en,
        }
    }

    /// The window for a request made at `now`. A business without any opening hours still
    /// gets a due time (`now` plus the rule's length) so that no request is left without one.
    pub fn schedule(&self, hours: &BusinessHours, now: DateTime<Utc>) -> CallWindow {
        self.rule.schedule(hours, now).unwrap_or(CallWindow {
            not_before: now,
            due_at: now + Duration::minutes(90),
        })
    }
}

impl WindowRule {
    fn schedule(&self, hours: &BusinessHours, now: DateTime<Utc>) -> Option<CallWindow> {
        match *self {
            WindowRule::Within { minutes } => Some(CallWindow {
                not_before: hours.next_open(now)?,
                due_at: hours.add_business_minutes(now, minutes)?,
            }),
            WindowRule::OfficeHours {} => office_hours(hours, now),
            WindowRule::DailySlot { start, end } => daily_slot(hours, now, start, end),
        }
    }
}

fn office_hours(hours: &BusinessHours, now: DateTime<Utc>) -> Option<CallWindow> {
    hours.dates_from(now).find_map(|date| {
        let intervals = hours.open_intervals(date);
        let &(_, closing) = intervals.last()?;
        let not_before = intervals
            .iter()
            .find(|&&(start, end)| end - start.max(now) >= OFFICE_MIN_LEFT)
            .map(|&(start, _)| start.max(now))?;
        Some(CallWindow {
            not_before,
            due_at: closing,
        })
    })
}

fn daily_slot(hours: &BusinessHours, now: DateTime<Utc>, start: NaiveTime, end: NaiveTime) -> Option<CallWindow> {
    hours
        .dates_from(now)
        .filter(|&date| hours.is_working_day(date))
        .map(|date| (hours.instant(date, start), hours.instant(date, end)))
        .find(|&(slot_start, slot_end)| slot_end - slot_start.max(now) >= SLOT_MIN_LEFT)
        .map(|(slot_start, slot_end)| CallWindow {
            not_before: slot_start.max(now),
            due_at: slot_end,
        })
}

/// The three windows every business starts with.
pub fn default_windows() -> Vec<CallbackWindow> {
    let time = |h, m| NaiveTime::from_hms_opt(h, m, 0).unwrap_or(NaiveTime::MIN);
    vec![
        CallbackWindow {
            code: "asap".into(),
            label_nl: "Zo snel mogelijk (binnen 90 minuten)".into(),
            label_en: "As soon as possible (within 90 minutes)".into(),
            rule: WindowRule::Within { minutes: 90 },
        },
        CallbackWindow {
            code: "office".into(),
            label_nl: "Tijdens kantooruren".into(),
            label_en: "During office hours".into(),
            rule: WindowRule::OfficeHours {},
        },
        CallbackWindow {
            code: "evening".into(),
            label_nl: "'s Avonds na 20:00".into(),
            label_en: "In the evening after 20:00".into(),
            rule: WindowRule::DailySlot {
                start: time(20, 0),
                end: time(21, 30),
            },
        },
    ]
}

impl CallWindow {
    /// "morgen vanaf 09:00": when a window that cannot start now will start, for the form's
    /// choices, so that nobody picks "as soon as possible" at 19:55 and expects a call tonight.
    /// `None` when it starts now (or within a quarter of an hour).
    pub fn start_hint(self, lang: Lang, now: DateTime<Utc>, tz: Tz) -> Option<String> {
        if self.not_before - now <= chrono::Duration::minutes(15) {
            return None;
        }
        let start = self.not_before.with_timezone(&tz);
        let day = lang.day_phrase(start, now.with_timezone(&tz));
        let from = if lang == Lang::Nl { "vanaf" } else { "from" };
        Some(format!("{day} {from} {}", start.format("%H:%M")))
    }

    /// The sentence on the confirmation page: when the customer will be called.
    pub fn promise_sentence(self, lang: Lang, now: DateTime<Utc>, tz: Tz) -> String {
        let now = now.with_timezone(&tz);
        let start = self.not_before.with_timezone(&tz);
        let due = self.due_at.with_timezone(&tz);
        let day = lang.day_phrase(due, now);
        let due_time = due.format("%H:%M");
        if start > now && start.date_naive() == due.date_naive() {
            let start_time = start.format("%H:%M");
            match lang {
                Lang::Nl => format!("We bellen u {day} tussen {start_time} en {due_time}."),
                Lang::En => format!("We will call you {day} between {start_time} and {due_time}."),
            }
        } else {
            match lang {
                Lang::Nl => format!("We bellen u {day} vóór {due_time}."),
                Lang::En => format!("We will call you {day} before {due_time}."),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use chrono::{NaiveDate, TimeZone};

    use super::*;
    use crate::hours::parse_spans;

    fn utc(y: i32, mo: u32, d: u32, h: u32, mi: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(y, mo, d, h, mi, 0).unwrap()
    }

    fn every_day_ten_to_four() -> BusinessHours {
        BusinessHours {
            weekly: std::array::from_fn(|_| parse_spans("10:00-16:00").unwrap()),
            ..Default::default()
        }
    }

    fn window(code: &str) -> CallbackWindow {
        default_windows().into_iter().find(|w| w.code == code).unwrap()
    }

    #[test]
    fn asap_during_opening_hours_is_ninety_minutes_later() {
        // Tuesday 24 November 2026 10:00 local (09:00 UTC).
        let now = utc(2026, 11, 24, 9, 0);
        let call = window("asap").schedule(&BusinessHours::default(), now);
        assert_eq!(call.not_before, now);
        assert_eq!(call.due_at, utc(2026, 11, 24, 10, 30));
    }

    #[test]
    fn asap_just_before_closing_carries_over_to_the_next_morning() {
        // Friday 27 November 2026 17:25 local: 5 minutes today, 85 on Monday from 09:00.
        let now = utc(2026, 11, 27, 16, 25);
        let call = window("asap").schedule(&BusinessHours::default(), now);
        assert_eq!(call.due_at, utc(2026, 11, 30, 9, 25), "Monday 10:25 local");
    }

    #[test]
    fn asap_on_a_closed_day_starts_counting_at_the_next_opening() {
        let mut hours = BusinessHours::default();
        let christmas = NaiveDate::from_ymd_opt(2026, 12, 25).unwrap();
        hours.closed_days.insert(christmas);
        // Friday 25 December 11:00 local; the weekend is closed as well.
        let now = utc(2026, 12, 25, 10, 0);
        let call = window("asap").schedule(&hours, now);
        assert_eq!(call.not_before, utc(2026, 12, 28, 8, 0), "Monday 09:00 local");
        assert_eq!(call.due_at, utc(2026, 12, 28, 9, 30));
    }

    #[test]
    fn asap_across_the_spring_dst_change() {
        // Open every day 10:00-16:00 so that the Sunday of the change (29 March 2026) counts.
        let hours = every_day_ten_to_four();
        // Saturday 28 March 15:45 local (UTC+1): 15 minutes left, 75 on Sunday (UTC+2).
        let call = window("asap").schedule(&hours, utc(2026, 3, 28, 14, 45));
        assert_eq!(call.due_at, utc(2026, 3, 29, 9, 15), "Sunday 11:15 CEST");
    }

    #[test]
    fn asap_across_the_autumn_dst_change() {
        let hours = every_day_ten_to_four();
        // Saturday 24 October 15:45 local (UTC+2): 15 minutes left, 75 on Sunday (UTC+1).
        let call = window("asap").schedule(&hours, utc(2026, 10, 24, 13, 45));
        assert_eq!(call.due_at, utc(2026, 10, 25, 10, 15), "Sunday 11:15 CET");
    }

    #[test]
    fn evening_slot_follows_local_time_on_both_sides_of_a_dst_change() {
        let hours = BusinessHours::default();
        // Friday 27 March 2026 (CET): slot 20:00-21:30 local = 19:00-20:30 UTC.
        let friday = window("evening").schedule(&hours, utc(2026, 3, 27, 9, 0));
        assert_eq!(friday.not_before, utc(2026, 3, 27, 19, 0));
        assert_eq!(friday.due_at, utc(2026, 3, 27, 20, 30));
        // Friday 27 March after the slot: the next working day is Monday 30 March (CEST).
        let monday = window("evening").schedule(&hours, utc(2026, 3, 27, 21, 0));
        assert_eq!(monday.not_before, utc(2026, 3, 30, 18, 0));
        assert_eq!(monday.due_at, utc(2026, 3, 30, 19, 30));
    }

    #[test]
    fn evening_slot_skips_closed_days() {
        let mut hours = BusinessHours::default();
        hours.closed_days.insert(NaiveDate::from_ymd_opt(2026, 11, 24).unwrap());
        let call = window("evening").schedule(&hours, utc(2026, 11, 24, 9, 0));
        assert_eq!(call.due_at, utc(2026, 11, 25, 20, 30), "Wednesday 21:30 local");
    }

    #[test]
    fn office_hours_today_or_the_next_working_day() {
        let hours = BusinessHours::default();
        let today = window("office").schedule(&hours, utc(2026, 11, 24, 9, 0));
        assert_eq!(today.due_at, utc(2026, 11, 24, 16, 30));
        // 17:10 local: less than 30 minutes left, so Wednesday.
        let late = window("office").schedule(&hours, utc(2026, 11, 24, 16, 10));
        assert_eq!(late.not_before, utc(2026, 11, 25, 8, 0));
        assert_eq!(late.due_at, utc(2026, 11, 25, 16, 30));
    }

    #[test]
    fn a_business_that_never_opens_still_gets_a_due_time() {
        let hours = BusinessHours {
            weekly: Default::default(),
            ..Default::default()
        };
        let now = utc(2026, 11, 24, 9, 0);
        let call = window("asap").schedule(&hours, now);
        assert!(call.due_at > now);
    }

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
            later.start_hint(Lang::Nl, now, tz).as_deref(),
            Some("morgen vanaf 09:00")
        );
        assert_eq!(
            later.start_hint(Lang::En, now, tz).as_deref(),
            Some("tomorrow from 09:00")
        );
        let soon = CallWindow {
            not_before: now + chrono::Duration::minutes(5),
            due_at: tomorrow_nine,
        };
        assert_eq!(soon.start_hint(Lang::Nl, now, tz), None);
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
            evening.promise_sentence(Lang::Nl, now, tz),
            "We bellen u vandaag tussen 19:30 en 21:00."
        );
        let asap = CallWindow {
            not_before: now,
            due_at: Utc.with_ymd_and_hms(2026, 11, 24, 10, 30, 0).unwrap(),
        };
        assert_eq!(
            asap.promise_sentence(Lang::En, now, tz),
            "We will call you today before 11:30."
        );
        let monday = CallWindow {
            not_before: now,
            due_at: Utc.with_ymd_and_hms(2026, 11, 30, 9, 25, 0).unwrap(),
        };
        assert_eq!(
            monday.promise_sentence(Lang::Nl, now, tz),
            "We bellen u op maandag 30 november vóór 10:25."
        );
    }
}
