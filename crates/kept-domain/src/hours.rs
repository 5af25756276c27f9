//! Opening hours in the business's own time zone, and arithmetic on "business minutes".
//!
//! All arithmetic is done on UTC instants of interval boundaries computed per local date, so
//! a day on which the clocks change has the right length.

use std::collections::BTreeSet;

use chrono::{DateTime, Datelike, Days, Duration, LocalResult, NaiveDate, NaiveTime, TimeZone, Utc};
use chrono_tz::Tz;

/// How far ahead the calendar is searched for an opening before giving up.
const SEARCH_DAYS: u64 = 400;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct HoursError(pub String);

/// An open interval on one local date.
pub type LocalSpan = (NaiveTime, NaiveTime);

#[derive(Debug, Clone)]
pub struct BusinessHours {
    pub time_zone: Tz,
    /// Index 0 is Monday.
    pub weekly: [Vec<LocalSpan>; 7],
    pub closed_days: BTreeSet<NaiveDate>,
}

impl Default for BusinessHours {
    /// Monday to Friday 09:00–17:30, Europe/Amsterdam.
    fn default() -> Self {
        let office = vec![(hm(9, 0), hm(17, 30))];
        Self {
            time_zone: chrono_tz::Europe::Amsterdam,
            weekly: [
                office.clone(),
                office.clone(),
                office.clone(),
                office.clone(),
                office,
                Vec::new(),
                Vec::new(),
            ],
            closed_days: BTreeSet::new(),
        }
    }
}

fn hm(hour: u32, minute: u32) -> NaiveTime {
    NaiveTime::from_hms_opt(hour, minute, 0).unwrap_or(NaiveTime::MIN)
}

/// Parses "09:00-12:00, 13:00-17:30" (or "closed" / "") into spans. Written the way people
/// write hours too: "9-18", "9:00 - 18:00", "09.00–18.00", "9u-18u", "9-12 / 13-17".
pub fn parse_spans(text: &str) -> Result<Vec<LocalSpan>, HoursError> {
    let text = text.trim();
    if text.is_empty() || text.eq_ignore_ascii_case("closed") || text.eq_ignore_ascii_case("gesloten") {
        return Ok(Vec::new());
    }
    let mut spans = Vec::new();
    for part in text.split([',', ';', '/']) {
        let (from, to) = part
            .trim()
            .split_once(['-', '–', '—'])
            .ok_or_else(|| HoursError(format!("'{part}' is not a span like 09:00-17:30")))?;
        let from = parse_time(from)?;
        let to = parse_time(to)?;
        if to <= from {
            return Err(HoursError(format!("'{part}' ends before it starts")));
        }
        spans.push((from, to));
    }
    spans.sort();
    Ok(spans)
}

/// "09:00", and as people write a time: "9", "9:30", "09.30", "9u", "9 uur", "9h".
pub fn parse_time(text: &str) -> Result<NaiveTime, HoursError> {
    let refused = || HoursError(format!("'{}' is not a time like 09:00", text.trim()));
    let bare = text.trim().trim_end_matches("uur").trim_end_matches(['u', 'h']).trim();
    let (hour, minute) = match bare.split_once([':', '.']) {
        Some((hour, minute)) if minute.len() == 2 => (hour, minute),
        Some(_) => return Err(refused()),
        None => (bare, "00"),
    };
    let digits = |s: &str| (1..=2).contains(&s.len()) && s.chars().all(|c| c.is_ascii_digit());
    if !digits(hour) || !digits(minute) {
        return Err(refused());
    }
    let (hour, minute) = (
        hour.parse().map_err(|_| refused())?,
        minute.parse().map_err(|_| refused())?,
    );
    NaiveTime::from_hms_opt(hour, minute, 0).ok_or_else(refused)
}

/// Hours as kept writes them back: "09:00-12:00, 13:00-17:30", or "closed".
pub fn normalise_spans(text: &str) -> Result<String, HoursError> {
    let spans = parse_spans(text)?;
    if spans.is_empty() {
        return Ok("closed".into());
    }
    Ok(spans
        .iter()
        .map(|(from, to)| format!("{}-{}", from.format("%H:%M"), to.format("%H:%M")))
        .collect::<Vec<_>>()
        .join(", "))
}

impl BusinessHours {
    pub fn local_date(&self, at: DateTime<Utc>) -> NaiveDate {
        at.with_timezone(&self.time_zone).date_naive()
    }

    /// A working day is one with opening hours that is not a closed day.
    pub fn is_working_day(&self, date: NaiveDate) -> bool {
        !self.closed_days.contains(&date) && !self.spans_for(date).is_empty()
    }

    fn spans_for(&self, date: NaiveDate) -> &[LocalSpan] {
        &self.weekly[date.weekday().num_days_from_monday() as usize]
    }

    /// The open intervals of one local date as UTC instants.
    pub fn open_intervals(&self, date: NaiveDate) -> Vec<(DateTime<Utc>, DateTime<Utc>)> {
        if self.closed_days.contains(&date) {
            return Vec::new();
        }
        self.spans_for(date)
            .iter()
            .map(|&(from, to)| (self.instant(date, from), self.instant(date, to)))
            .collect()
    }

    /// The UTC instant of a local wall-clock time. In the autumn overlap the first occurrence
    /// is used; a time inside the spring gap is moved forward by the size of the gap.
    pub fn instant(&self, date: NaiveDate, time: NaiveTime) -> DateTime<Utc> {
        let local = date.and_time(time);
        match self.time_zone.from_local_datetime(&local) {
            LocalResult::Single(at) => at.with_timezone(&Utc),
            LocalResult::Ambiguous(first, _) => first.with_timezone(&Utc),
            LocalResult::None => {
                let later = local + Duration::hours(1);
                self.time_zone
                    .from_local_datetime(&later)
                    .earliest()
                    .map(|at| at.with_timezone(&Utc))
                    .unwrap_or_else(|| Utc.from_utc_datetime(&local))
            }
        }
    }

    /// Local dates starting at the date of `from`, for a bounded look-ahead.
    pub fn dates_from(&self, from: DateTime<Utc>) -> impl Iterator<Item = NaiveDate> + use<> {
        let first = self.local_date(from);
        (0..SEARCH_DAYS).filter_map(move |offset| first.checked_add_days(Days::new(offset)))
    }

    /// Open intervals from `from` onwards, the first one clipped to start at `from`.
    pub fn open_intervals_from(
        &self,
        from: DateTime<Utc>,
    ) -> impl Iterator<Item = (DateTime<Utc>, DateTime<Utc>)> + '_ {
        self.dates_from(from)
            .flat_map(|date| self.open_intervals(date))
            .filter(move |&(_, end)| end > from)
            .map(move |(start, end)| (start.max(from), end))
    }

    /// The first moment at or after `from` at which the business is open.
    pub fn next_open(&self, from: DateTime<Utc>) -> Option<DateTime<Utc>> {
        self.open_intervals_from(from).next().map(|(start, _)| start)
    }

    /// `from` plus `days` full days of opening: as many opening-hour minutes as the first open
    /// day has, per day (an answer on Friday at 16:00 is due on Monday at 16:00; one on
    /// Saturday evening at the end of Monday's hours).
    pub fn add_business_days(&self, from: DateTime<Utc>, days: i64) -> DateTime<Utc> {
        let open_day = self
            .dates_from(from)
            .map(|date| self.open_intervals(date))
            .find(|intervals| !intervals.is_empty())
            .map(|intervals| {
                intervals
                    .iter()
                    .map(|(start, end)| (*end - *start).num_minutes())
                    .sum::<i64>()
            })
            .unwrap_or(24 * 60);
        // Checked: a number of days from a setting or a text must never overflow a date.
        open_day
            .checked_mul(days)
            .and_then(|minutes| self.add_business_minutes(from, minutes))
            .or_else(|| Duration::try_days(days).and_then(|d| from.checked_add_signed(d)))
            .unwrap_or(from)
    }

    /// The opening-hour minutes between two moments: a request at 22:00 answered at 09:10 the
    /// next morning took 10 minutes, not 11 hours. Zero when `until` is not after `from`.
    pub fn business_minutes_between(&self, from: DateTime<Utc>, until: DateTime<Utc>) -> i64 {
        if until <= from {
            return 0;
        }
        self.open_intervals_from(from)
            .take_while(|&(start, _)| start < until)
            .map(|(start, end)| (end.min(until) - start).num_minutes())
            .sum()
    }

    /// `from` plus `minutes` of opening time; minutes that do not fit before closing carry
    /// over to the next opening. `None` when the business never opens.
    pub fn add_business_minutes(&self, from: DateTime<Utc>, minutes: i64) -> Option<DateTime<Utc>> {
        // None for more minutes than a time can hold (a nonsense setting, a nonsense text).
        let mut remaining = Duration::try_minutes(minutes.max(0))?;
        for (start, end) in self.open_intervals_from(from) {
            let available = end - start;
            if remaining <= available {
                return Some(start + remaining);
            }
            remaining -= available;
        }
        None
    }
}

/// The open intervals of a run of dates worked out once, so that the opening-hour minutes
/// between many pairs of moments are counted without converting time zones for each: the
/// figures of a quarter count them for tens of thousands of promises, each spanning days.
/// Gives exactly what [`BusinessHours::business_minutes_between`] gives.
pub struct OpeningCalendar<'a> {
    hours: &'a BusinessHours,
    first_date: NaiveDate,
    last_date: NaiveDate,
    intervals: Vec<(DateTime<Utc>, DateTime<Utc>)>,
    /// Whole minutes of the intervals before each one.
    minutes_before: Vec<i64>,
}

impl<'a> OpeningCalendar<'a> {
    /// The calendar of the local dates `first..=last`.
    pub fn new(hours: &'a BusinessHours, first: NaiveDate, last: NaiveDate) -> OpeningCalendar<'a> {
        let intervals: Vec<(DateTime<Utc>, DateTime<Utc>)> = first
            .iter_days()
            .take_while(|date| *date <= last)
            .flat_map(|date| hours.open_intervals(date))
            .collect();
        let mut minutes_before = Vec::with_capacity(intervals.len() + 1);
        let mut total = 0;
        for (start, end) in &intervals {
            minutes_before.push(total);
            total += (*end - *start).num_minutes();
        }
        minutes_before.push(total);
        OpeningCalendar {
            hours,
            first_date: first,
            last_date: last,
            intervals,
            minutes_before,
        }
    }

    /// The calendar of every date any of `moments` falls on (none: an empty calendar).
    pub fn covering(hours: &'a BusinessHours, moments: impl Iterator<Item = DateTime<Utc>>) -> OpeningCalendar<'a> {
        let (mut first, mut last): (Option<DateTime<Utc>>, Option<DateTime<Utc>>) = (None, None);
        for moment in moments {
            first = Some(first.map_or(moment, |f| f.min(moment)));
            last = Some(last.map_or(moment, |l| l.max(moment)));
        }
        let date = |at: Option<DateTime<Utc>>| at.map(|at| hours.local_date(at));
        let (first, last) = match (date(first), date(last)) {
            (Some(first), Some(last)) => (first, last),
            _ => (NaiveDate::MAX, NaiveDate::MIN),
        };
        OpeningCalendar::new(hours, first, last)
    }

    /// The opening-hour minutes between two moments, as `business_minutes_between` counts
    /// them (each interval's whole minutes); moments outside the calendar are counted the
    /// slow way.
    pub fn minutes_between(&self, from: DateTime<Utc>, until: DateTime<Utc>) -> i64 {
        if until <= from {
            return 0;
        }
        let (from_date, until_date) = (self.hours.local_date(from), self.hours.local_date(until));
        let beyond_search = from_date
            .checked_add_days(Days::new(SEARCH_DAYS))
            .is_none_or(|end| until_date >= end);
        if from_date < self.first_date || until_date > self.last_date || beyond_search {
            return self.hours.business_minutes_between(from, until);
        }
        // The first interval still open at `from`, and the first that starts at `until` or later.
        let first = self.intervals.partition_point(|&(_, end)| end <= from);
        let after = self.intervals.partition_point(|&(start, _)| start.max(from) < until);
        if first >= after {
            return 0;
        }
        let part = |i: usize| {
            let (start, end) = self.intervals[i];
            (end.min(until) - start.max(from)).num_minutes()
        };
        let last = after - 1;
        if first == last {
            return part(first);
        }
        part(first) + (self.minutes_before[last] - self.minutes_before[first + 1]) + part(last)
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn hours_are_read_as_people_write_them() {
        for typed in [
            "9-18",
            "9:00-18:00",
            "09.00 - 18.00",
            "9u-18u",
            "09:00–18:00",
            "9 uur - 18 uur",
        ] {
            assert_eq!(normalise_spans(typed).as_deref(), Ok("09:00-18:00"), "{typed}");
        }
        assert_eq!(
            normalise_spans("9-12 / 13:30-17").as_deref(),
            Ok("09:00-12:00, 13:30-17:00")
        );
        assert_eq!(normalise_spans("gesloten").as_deref(), Ok("closed"));
        for wrong in ["18-9", "9:5-10", "25-26", "morgens", "9-", "9:000-10"] {
            assert!(normalise_spans(wrong).is_err(), "{wrong}");
        }
    }

    use super::*;

    #[test]
    fn the_calendar_counts_as_the_hours_do() {
        let mut hours = BusinessHours::default();
        hours.closed_days.insert(NaiveDate::from_ymd_opt(2027, 3, 24).unwrap());
        let start = Utc.with_ymd_and_hms(2027, 3, 19, 6, 0, 0).unwrap();
        let moments: Vec<DateTime<Utc>> = (0..400).map(|i| start + Duration::minutes(i * 47 + i % 7)).collect();
        let calendar = OpeningCalendar::covering(&hours, moments.iter().copied());
        // Across a weekend, a closed day and the clock change of 28 March.
        for &from in moments.iter().step_by(3) {
            for &until in moments.iter().step_by(5) {
                assert_eq!(
                    calendar.minutes_between(from, until),
                    hours.business_minutes_between(from, until),
                    "{from} → {until}"
                );
            }
        }
        let outside = start - Duration::days(30);
        assert_eq!(
            calendar.minutes_between(outside, start),
            hours.business_minutes_between(outside, start)
        );
    }

    #[test]
    fn spans_parse_and_reject_nonsense() {
        assert_eq!(parse_spans("09:00-12:00, 13:00-17:30").map(|s| s.len()), Ok(2));
        assert_eq!(parse_spans("closed"), Ok(vec![]));
        assert!(parse_spans("17:00-09:00").is_err());
        assert!(parse_spans("9 to 5").is_err());
    }

    #[test]
    fn a_closed_day_has_no_intervals() {
        let mut hours = BusinessHours::default();
        let christmas = NaiveDate::from_ymd_opt(2026, 12, 25).unwrap();
        assert_eq!(hours.open_intervals(christmas).len(), 1);
        hours.closed_days.insert(christmas);
        assert!(hours.open_intervals(christmas).is_empty());
        assert!(!hours.is_working_day(christmas));
    }

    #[test]
    fn business_minutes_carry_over_closing_time() {
        let hours = BusinessHours::default();
        // Monday 23 November 2026, 17:20 in Amsterdam (UTC+1): 10 minutes left today.
        let from = Utc.with_ymd_and_hms(2026, 11, 23, 16, 20, 0).unwrap();
        let due = hours.add_business_minutes(from, 90).unwrap();
        // 80 minutes on Tuesday from 09:00 local = 10:20 local = 09:20 UTC.
        assert_eq!(due, Utc.with_ymd_and_hms(2026, 11, 24, 9, 20, 0).unwrap());
    }
}
