//! The periods the figures are shown for — this week, last week, this month, this quarter or
//! days of one's own choosing — and the period each is compared with: the one just before it.

use chrono::{Datelike, Duration, NaiveDate};

/// How a period was chosen.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PeriodChoice {
    ThisWeek,
    LastWeek,
    Month,
    Quarter,
    Custom,
}

crate::promise::str_enum!(PeriodChoice {
    ThisWeek => "this_week",
    LastWeek => "last_week",
    Month => "month",
    Quarter => "quarter",
    Custom => "custom",
});

impl PeriodChoice {
    pub const ALL: [PeriodChoice; 5] = [
        PeriodChoice::ThisWeek,
        PeriodChoice::LastWeek,
        PeriodChoice::Month,
        PeriodChoice::Quarter,
        PeriodChoice::Custom,
    ];
}

/// Local dates, both included.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Period {
    pub from: NaiveDate,
    pub to: NaiveDate,
}

/// How the days of a period are put together on a chart over time.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Step {
    Day,
    /// Weeks from Monday, for periods longer than a month.
    Week,
}

fn monday_of(date: NaiveDate) -> NaiveDate {
    date - Duration::days(date.weekday().num_days_from_monday() as i64)
}

fn first_of_month(year: i32, month: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(year, month, 1).unwrap_or(NaiveDate::MIN)
}

/// The last day of the month `months` after the one `first` begins.
fn month_end(first: NaiveDate, months: u32) -> NaiveDate {
    let later = first
        .checked_add_months(chrono::Months::new(months))
        .unwrap_or(NaiveDate::MAX);
    later.pred_opt().unwrap_or(later)
}

impl Period {
    /// The period `choice` means on local date `today`; `custom` is used for `Custom` only.
    pub fn chosen(choice: PeriodChoice, today: NaiveDate, custom: Option<Period>) -> Period {
        let monday = monday_of(today);
        match choice {
            PeriodChoice::ThisWeek => Period {
                from: monday,
                to: monday + Duration::days(6),
            },
            PeriodChoice::LastWeek => Period {
                from: monday - Duration::days(7),
                to: monday - Duration::days(1),
            },
            PeriodChoice::Month => {
                let first = first_of_month(today.year(), today.month());
                Period {
                    from: first,
                    to: month_end(first, 1),
                }
            }
            PeriodChoice::Quarter => {
                let first = first_of_month(today.year(), (today.month0() / 3) * 3 + 1);
                Period {
                    from: first,
                    to: month_end(first, 3),
                }
            }
            PeriodChoice::Custom => custom.unwrap_or(Period { from: today, to: today }),
        }
    }

    pub fn days(&self) -> i64 {
        (self.to - self.from).num_days() + 1
    }

    /// The period it is compared with: the calendar month or quarter before a whole month or
    /// quarter, otherwise as many days just before it.
    pub fn previous(&self) -> Period {
        let whole_months = self.from.day() == 1 && self.to.succ_opt().is_some_and(|next| next.day() == 1);
        let months = (self.to.year() - self.from.year()) * 12 + self.to.month() as i32 - self.from.month() as i32 + 1;
        if whole_months && (months == 1 || months == 3) {
            let from = self
                .from
                .checked_sub_months(chrono::Months::new(months as u32))
                .unwrap_or(NaiveDate::MIN);
            return Period {
                from,
                to: self.from.pred_opt().unwrap_or(self.from),
            };
        }
        Period {
            from: self.from - Duration::days(self.days()),
            to: self.from - Duration::days(1),
        }
    }

    pub fn step(&self) -> Step {
        if self.days() > 31 { Step::Week } else { Step::Day }
    }

    /// The first day of the step `date` falls in, never before the period's start.
    pub fn step_start(&self, date: NaiveDate) -> NaiveDate {
        match self.step() {
            Step::Day => date,
            Step::Week => monday_of(date).max(self.from),
        }
    }

    /// Every step of the period in order, by its first day: a chart over time shows the empty
    /// ones too.
    pub fn steps(&self) -> Vec<NaiveDate> {
        let mut steps = Vec::new();
        let mut day = self.from;
        while day <= self.to {
            let start = self.step_start(day);
            if steps.last() != Some(&start) {
                steps.push(start);
            }
            day = match day.succ_opt() {
                Some(next) => next,
                None => break,
            };
        }
        steps
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn date(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    #[test]
    fn choices_on_a_wednesday_and_what_they_are_compared_with() {
        let today = date(2026, 12, 2);
        let this_week = Period::chosen(PeriodChoice::ThisWeek, today, None);
        assert_eq!((this_week.from, this_week.to), (date(2026, 11, 30), date(2026, 12, 6)));
        let last_week = Period::chosen(PeriodChoice::LastWeek, today, None);
        assert_eq!((last_week.from, last_week.to), (date(2026, 11, 23), date(2026, 11, 29)));
        assert_eq!(this_week.previous(), last_week);
        let month = Period::chosen(PeriodChoice::Month, today, None);
        assert_eq!((month.from, month.to), (date(2026, 12, 1), date(2026, 12, 31)));
        // The month before December is November, 30 days, not the 31 days before.
        assert_eq!(
            month.previous(),
            Period {
                from: date(2026, 11, 1),
                to: date(2026, 11, 30)
            }
        );
        let quarter = Period::chosen(PeriodChoice::Quarter, today, None);
        assert_eq!((quarter.from, quarter.to), (date(2026, 10, 1), date(2026, 12, 31)));
        assert_eq!(
            quarter.previous(),
            Period {
                from: date(2026, 7, 1),
                to: date(2026, 9, 30)
            }
        );
        let custom = Period {
            from: date(2026, 11, 10),
            to: date(2026, 11, 12),
        };
        assert_eq!(Period::chosen(PeriodChoice::Custom, today, Some(custom)), custom);
        assert_eq!(
            custom.previous(),
            Period {
                from: date(2026, 11, 7),
                to: date(2026, 11, 9)
            }
        );
    }

    #[test]
    fn a_quarter_is_shown_by_week_a_week_by_day() {
        let quarter = Period::chosen(PeriodChoice::Quarter, date(2026, 12, 2), None);
        assert_eq!(quarter.step(), Step::Week);
        let steps = quarter.steps();
        // 1 October 2026 is a Thursday: the first step starts there, the next on Monday the 5th.
        assert_eq!(steps[0], date(2026, 10, 1));
        assert_eq!(steps[1], date(2026, 10, 5));
        assert_eq!(steps.len(), 14);
        let week = Period::chosen(PeriodChoice::LastWeek, date(2026, 12, 2), None);
        assert_eq!(week.steps().len(), 7);
    }
}
