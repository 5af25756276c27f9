//! Appointments: when a service can be booked at a location, given the opening hours, who
//! works when, absences, buffers, notice and what is booked already; and what may happen to
//! an appointment once it is booked.
//!
//! Pure: the store supplies the facts, the server asks for one local day's free times. Every
//! instant is computed per local date through [`BusinessHours::instant`], so the days on which
//! the clocks change have the right length.

use std::collections::BTreeMap;

use chrono::{DateTime, Datelike, Days, Duration, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

use crate::hours::{BusinessHours, HoursError, LocalSpan, parse_spans};
use crate::promise::str_enum;

/// Free times start on this grid (09:00, 09:15 …). Every time zone in use today is a whole
/// number of quarter hours from UTC, so the grid is the same on the local clock and in UTC.
pub const SLOT_STEP_MINUTES: i64 = 15;
/// Durations and buffers are whole multiples of this: the store claims a staff member's time
/// in blocks of this size, so two bookings that overlap by a minute always share a block.
pub const CLAIM_MINUTES: i64 = 5;
/// How far ahead customers may book unless a service says otherwise.
pub const DEFAULT_HORIZON_DAYS: i64 = 60;
/// "Not within 2 hours" unless a service says otherwise.
pub const DEFAULT_MIN_NOTICE_MINUTES: i64 = 120;
/// A technician calls this long before a field visit's window starts, unless configured.
pub const DEFAULT_CALL_AHEAD_MINUTES: i64 = 30;

/// Opening or working hours per weekday, Monday first.
pub type Week = [Vec<LocalSpan>; 7];

/// The keys a week is written with in the API and the database, Monday first.
pub const DAY_KEYS: [&str; 7] = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"];

/// "09:00-12:00, 13:00-17:30", or "closed" for a day without hours: the form
/// [`parse_spans`] reads back.
pub fn format_spans(spans: &[LocalSpan]) -> String {
    if spans.is_empty() {
        return "closed".into();
    }
    spans
        .iter()
        .map(|(from, to)| format!("{}-{}", from.format("%H:%M"), to.format("%H:%M")))
        .collect::<Vec<_>>()
        .join(", ")
}

/// Reads a week given per day key ("mon" → "09:00-17:30"); a missing day is closed. The error
/// names the day.
pub fn parse_week<'a>(days: impl IntoIterator<Item = (&'a str, &'a str)>) -> Result<Week, (String, HoursError)> {
    let mut week: Week = Default::default();
    for (key, text) in days {
        let index = DAY_KEYS
            .iter()
            .position(|k| *k == key)
            .ok_or_else(|| (key.to_string(), HoursError(format!("'{key}' is not a day like mon"))))?;
        week[index] = parse_spans(text).map_err(|e| (key.to_string(), e))?;
    }
    Ok(week)
}

/// The rules of one service that decide when it fits.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServiceRules {
    /// How long the customer is expected; for a field visit, the window the visit falls in.
    pub length: Duration,
    pub buffer_before: Duration,
    pub buffer_after: Duration,
    /// No booking starts sooner than this after now.
    pub min_notice: Duration,
    /// Bookings reach this many days ahead (the local date of now counts as day 0).
    pub horizon_days: i64,
}

impl ServiceRules {
    /// The time a booking starting at `start` takes from its staff member, buffers included.
    pub fn occupies(&self, start: DateTime<Utc>) -> (DateTime<Utc>, DateTime<Utc>) {
        (start - self.buffer_before, start + self.length + self.buffer_after)
    }
}

/// A staff member who can do the service at the location.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StaffAtLocation {
    pub staff_id: String,
    /// Their own hours at this location; `None`: they work the location's opening hours.
    pub week: Option<Week>,
    /// Days off, first and last day included.
    pub absences: Vec<(NaiveDate, NaiveDate)>,
}

impl StaffAtLocation {
    fn absent_on(&self, date: NaiveDate) -> bool {
        self.absences.iter().any(|&(first, last)| first <= date && date <= last)
    }

    /// Whether they work at `location` on `date`: it is not closed, they are not away, and
    /// their own hours (or the location's, when they have none) cover part of that weekday.
    pub fn works_on(&self, location: &BusinessHours, date: NaiveDate) -> bool {
        let weekday = date.weekday().num_days_from_monday() as usize;
        let week = self.week.as_ref().unwrap_or(&location.weekly);
        !location.closed_days.contains(&date) && !self.absent_on(date) && !week[weekday].is_empty()
    }
}

/// Time a staff member is taken already: a booking, its buffers included.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Busy {
    /// The booking that takes the time.
    pub appointment_id: String,
    pub staff_id: String,
    pub from: DateTime<Utc>,
    pub until: DateTime<Utc>,
}

/// A free time, and who could take it (the least booked that day first).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Slot {
    pub start: DateTime<Utc>,
    pub end: DateTime<Utc>,
    pub staff_ids: Vec<String>,
}

/// Everything that decides one location's free times for one service.
#[derive(Debug, Clone, Copy)]
pub struct Availability<'a> {
    pub location: &'a BusinessHours,
    pub service: &'a ServiceRules,
    pub staff: &'a [StaffAtLocation],
    pub busy: &'a [Busy],
    pub now: DateTime<Utc>,
}

impl Availability<'_> {
    /// The free times on the local `date`, earliest first.
    pub fn free_slots(&self, date: NaiveDate) -> Vec<Slot> {
        self.slots(date, true)
    }

    /// Whether `start` is a time this service is offered at on its day, booked or not: a
    /// start that is not is a wrong request, one that is but has no free slot was taken.
    pub fn offers(&self, start: DateTime<Utc>) -> bool {
        let date = self.location.local_date(start);
        self.slots(date, false).iter().any(|slot| slot.start == start)
    }

    /// Free times from `from` on, at most `limit`, searching the booking horizon.
    pub fn next_free(&self, from: DateTime<Utc>, limit: usize) -> Vec<Slot> {
        let first = self.location.local_date(from);
        (0..=self.service.horizon_days.max(0) as u64)
            .filter_map(|offset| first.checked_add_days(Days::new(offset)))
            .flat_map(|date| self.free_slots(date))
            .filter(|slot| slot.start >= from)
            .take(limit)
            .collect()
    }

    /// The first and last local dates that can be booked now.
    pub fn bookable_dates(&self) -> (NaiveDate, NaiveDate) {
        let today = self.location.local_date(self.now);
        let last = today
            .checked_add_days(Days::new(self.service.horizon_days.max(0) as u64))
            .unwrap_or(today);
        (today, last)
    }

    fn slots(&self, date: NaiveDate, skip_busy: bool) -> Vec<Slot> {
        let (today, last) = self.bookable_dates();
        if date < today || date > last || self.location.closed_days.contains(&date) {
            return Vec::new();
        }
        let earliest = self.now + self.service.min_notice;
        let mut by_start: BTreeMap<DateTime<Utc>, Vec<(Duration, &str)>> = BTreeMap::new();
        for person in self.staff.iter().filter(|p| !p.absent_on(date)) {
            let booked = self.booked_on(person, date);
            for (open, close) in self.working_intervals(person, date) {
                let starts = grid_from(open).take_while(|start| *start + self.service.length <= close);
                for start in starts.filter(|start| *start >= earliest) {
                    if !skip_busy || self.is_free(person, start) {
                        by_start.entry(start).or_default().push((booked, &person.staff_id));
                    }
                }
            }
        }
        by_start
            .into_iter()
            .map(|(start, mut staff)| {
                staff.sort();
                Slot {
                    start,
                    end: start + self.service.length,
                    staff_ids: staff.into_iter().map(|(_, id)| id.to_string()).collect(),
                }
            })
            .collect()
    }

    /// The person's working intervals on `date` as UTC instants: their own hours at the
    /// location, or the location's opening hours.
    fn working_intervals(&self, person: &StaffAtLocation, date: NaiveDate) -> Vec<(DateTime<Utc>, DateTime<Utc>)> {
        let weekday = date.weekday().num_days_from_monday() as usize;
        let spans = match &person.week {
            Some(week) => &week[weekday],
            None => &self.location.weekly[weekday],
        };
        spans
            .iter()
            .map(|&(from, to)| (self.location.instant(date, from), self.location.instant(date, to)))
            .collect()
    }

    fn is_free(&self, person: &StaffAtLocation, start: DateTime<Utc>) -> bool {
        let (from, until) = self.service.occupies(start);
        !self
            .busy
            .iter()
            .any(|b| b.staff_id == person.staff_id && b.from < until && from < b.until)
    }

    /// How much of `date` the person is booked already: the least booked is offered first,
    /// so the work spreads over the team.
    fn booked_on(&self, person: &StaffAtLocation, date: NaiveDate) -> Duration {
        self.busy
            .iter()
            .filter(|b| b.staff_id == person.staff_id && self.location.local_date(b.from) == date)
            .map(|b| b.until - b.from)
            .sum()
    }
}

/// Instants on the slot grid from `open` (rounded up) onwards.
fn grid_from(open: DateTime<Utc>) -> impl Iterator<Item = DateTime<Utc>> {
    let step = SLOT_STEP_MINUTES * 60;
    let seconds = open.timestamp();
    let first = seconds + (step - seconds.rem_euclid(step)) % step;
    (0..)
        .map(move |n| DateTime::<Utc>::from_timestamp(first + n * step, 0))
        .map_while(|at| at)
}

/// When a customer is reminded of their appointment.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReminderRule {
    /// The day before, at this local time.
    DayBeforeAt(chrono::NaiveTime),
    /// This long before the start.
    Before(Duration),
}

/// The moments an appointment starting at `start` is reminded of, in order: those still ahead
/// of `now` and before the start (a booking made an hour ahead gets none), each once.
pub fn reminder_times(
    start: DateTime<Utc>,
    location: &BusinessHours,
    rules: &[ReminderRule],
    now: DateTime<Utc>,
) -> Vec<DateTime<Utc>> {
    let mut times: Vec<DateTime<Utc>> = rules
        .iter()
        .filter_map(|rule| match *rule {
            ReminderRule::DayBeforeAt(time) => {
                let day_before = location.local_date(start).pred_opt()?;
                Some(location.instant(day_before, time))
            }
            ReminderRule::Before(lead) => Some(start - lead),
        })
        .filter(|at| *at > now && *at < start)
        .collect();
    times.sort();
    times.dedup();
    times
}

/// The local date whose "expected today" digest is due at `now`: the location is open today
/// and its first opening has come, and it has not closed for the day yet. A node that starts
/// late in the morning still sends the day's digest; one that starts after closing does not.
pub fn digest_day(location: &BusinessHours, now: DateTime<Utc>) -> Option<NaiveDate> {
    let today = location.local_date(now);
    let open = location.open_intervals(today);
    let (first, last) = (open.first()?, open.last()?);
    (first.0 <= now && now < last.1).then_some(today)
}

/// Where an appointment stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AppointmentStatus {
    Booked,
    /// The customer let us know, or staff saw, they will be late.
    Late,
    CheckedIn,
    Done,
    NoShow,
    Cancelled,
}

str_enum!(AppointmentStatus {
    Booked => "booked", Late => "late", CheckedIn => "checked_in", Done => "done", NoShow => "no_show",
    Cancelled => "cancelled",
});

/// What became of a planned appointment reminder: sent, or skipped (the appointment moved or
/// was cancelled first, or the customer cannot be reached).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReminderOutcome {
    Sent,
    Skipped,
}

str_enum!(ReminderOutcome { Sent => "sent", Skipped => "skipped" });

/// The customer's answer to the calendar invitation (iTIP `PARTSTAT` in a `METHOD:REPLY`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CalendarAnswer {
    Accepted,
    Tentative,
    Declined,
}

str_enum!(CalendarAnswer {
    Accepted => "accepted", Tentative => "tentative", Declined => "declined",
});

impl CalendarAnswer {
    /// From an iTIP `PARTSTAT` value; `NEEDS-ACTION` and the like are no answer.
    pub fn from_partstat(value: &str) -> Option<CalendarAnswer> {
        match value.trim().to_ascii_uppercase().as_str() {
            "ACCEPTED" => Some(CalendarAnswer::Accepted),
            "TENTATIVE" => Some(CalendarAnswer::Tentative),
            "DECLINED" => Some(CalendarAnswer::Declined),
            _ => None,
        }
    }
}

impl AppointmentStatus {
    /// Still to happen or happening: it holds its staff member's time and can be managed.
    pub fn is_active(self) -> bool {
        matches!(
            self,
            AppointmentStatus::Booked | AppointmentStatus::Late | AppointmentStatus::CheckedIn
        )
    }

    /// Whether an appointment in this status may move to `next` (staff buttons and the API).
    pub fn may_become(self, next: AppointmentStatus) -> bool {
        use AppointmentStatus::*;
        matches!(
            (self, next),
            (Booked, Late | CheckedIn | NoShow | Cancelled | Done)
                | (Late, CheckedIn | NoShow | Cancelled | Done)
                | (CheckedIn, Done)
        )
    }

    /// [`Self::may_become`], and what only makes sense once the appointment has started: done
    /// (unless the customer is already in) and not come.
    pub fn may_become_when(self, next: AppointmentStatus, started: bool) -> bool {
        use AppointmentStatus::*;
        self.may_become(next)
            && match next {
                Done => started || self == CheckedIn,
                NoShow => started,
                _ => true,
            }
    }

    pub const ALL: [AppointmentStatus; 6] = [
        AppointmentStatus::Booked,
        AppointmentStatus::Late,
        AppointmentStatus::CheckedIn,
        AppointmentStatus::Done,
        AppointmentStatus::NoShow,
        AppointmentStatus::Cancelled,
    ];
}

#[cfg(test)]
mod tests {
    use chrono::{NaiveTime, TimeZone};

    use super::*;

    fn time(h: u32, m: u32) -> NaiveTime {
        NaiveTime::from_hms_opt(h, m, 0).unwrap()
    }

    /// Open every day with the given hours, Europe/Amsterdam.
    fn every_day(from: NaiveTime, to: NaiveTime) -> BusinessHours {
        let day = vec![(from, to)];
        BusinessHours {
            weekly: std::array::from_fn(|_| day.clone()),
            ..BusinessHours::default()
        }
    }

    fn hour_long() -> ServiceRules {
        ServiceRules {
            length: Duration::minutes(60),
            buffer_before: Duration::zero(),
            buffer_after: Duration::zero(),
            min_notice: Duration::zero(),
            horizon_days: 400,
        }
    }

    fn staff(id: &str) -> StaffAtLocation {
        StaffAtLocation {
            staff_id: id.into(),
            week: None,
            absences: Vec::new(),
        }
    }

    fn date(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    fn utc(y: i32, mo: u32, d: u32, h: u32, mi: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(y, mo, d, h, mi, 0).unwrap()
    }

    const NOW: (i32, u32, u32) = (2026, 11, 30);

    fn now() -> DateTime<Utc> {
        utc(NOW.0, NOW.1, NOW.2, 6, 0)
    }

    fn starts(slots: &[Slot]) -> Vec<DateTime<Utc>> {
        slots.iter().map(|s| s.start).collect()
    }

    #[test]
    fn the_local_opening_time_moves_in_utc_when_the_clocks_change() {
        let hours = every_day(time(9, 0), time(17, 0));
        let service = hour_long();
        let team = [staff("a")];
        let free = |d| {
            Availability {
                location: &hours,
                service: &service,
                staff: &team,
                busy: &[],
                now: now(),
            }
            .free_slots(d)
        };
        // Spring 2027: Saturday 09:00 is 08:00 UTC, Sunday (summer time) 07:00 UTC.
        assert_eq!(free(date(2027, 3, 27))[0].start, utc(2027, 3, 27, 8, 0));
        assert_eq!(free(date(2027, 3, 28))[0].start, utc(2027, 3, 28, 7, 0));
        // Autumn 2027: Saturday 07:00 UTC, Sunday (winter time) 08:00 UTC; last start 16:00.
        let autumn = free(date(2027, 10, 31));
        assert_eq!(autumn[0].start, utc(2027, 10, 31, 8, 0));
        assert_eq!(autumn.last().map(|s| s.start), Some(utc(2027, 10, 31, 15, 0)));
        assert_eq!(free(date(2027, 10, 30))[0].start, utc(2027, 10, 30, 7, 0));
        assert_eq!(autumn.len(), 29, "09:00 to 16:00 every quarter hour");
    }

    #[test]
    fn the_nights_the_clocks_change_are_an_hour_shorter_and_longer() {
        let hours = every_day(time(0, 0), time(6, 0));
        let service = hour_long();
        let team = [staff("a")];
        let count = |d| {
            Availability {
                location: &hours,
                service: &service,
                staff: &team,
                busy: &[],
                now: now(),
            }
            .free_slots(d)
            .len()
        };
        // Six hours of wall clock: five real hours in spring, seven in autumn.
        assert_eq!(count(date(2027, 3, 27)), 21);
        assert_eq!(count(date(2027, 3, 28)), 17);
        assert_eq!(count(date(2027, 10, 31)), 25);
    }

    #[test]
    fn a_closed_day_and_a_day_without_hours_have_no_times() {
        let mut hours = every_day(time(9, 0), time(17, 0));
        hours.weekly[6] = Vec::new();
        let christmas = date(2026, 12, 25);
        hours.closed_days.insert(christmas);
        let service = hour_long();
        let team = [staff("a")];
        let at = Availability {
            location: &hours,
            service: &service,
            staff: &team,
            busy: &[],
            now: now(),
        };
        assert!(at.free_slots(christmas).is_empty());
        assert!(at.free_slots(date(2026, 12, 27)).is_empty(), "a Sunday without hours");
        assert!(!at.free_slots(date(2026, 12, 24)).is_empty());
    }

    #[test]
    fn buffers_keep_the_time_around_a_booking_free() {
        let hours = every_day(time(9, 0), time(17, 0));
        let service = ServiceRules {
            buffer_before: Duration::minutes(15),
            buffer_after: Duration::minutes(15),
            ..hour_long()
        };
        let team = [staff("a")];
        // Booked 11:00–12:00 local (10:00 UTC), with its buffers 10:45–12:15.
        let (from, until) = service.occupies(utc(2026, 12, 2, 10, 0));
        let busy = [Busy {
            appointment_id: "x".into(),
            staff_id: "a".into(),
            from,
            until,
        }];
        let at = Availability {
            location: &hours,
            service: &service,
            staff: &team,
            busy: &busy,
            now: now(),
        };
        let free = starts(&at.free_slots(date(2026, 12, 2)));
        // 09:30 (ends 10:30, buffer to 10:45) still fits; 09:45 does not; after: 12:30.
        assert!(free.contains(&utc(2026, 12, 2, 8, 30)));
        assert!(!free.contains(&utc(2026, 12, 2, 8, 45)));
        assert!(!free.contains(&utc(2026, 12, 2, 11, 15)));
        assert!(free.contains(&utc(2026, 12, 2, 11, 30)));
        assert!(at.offers(utc(2026, 12, 2, 10, 0)), "taken, but on offer");
        assert!(!at.offers(utc(2026, 12, 2, 10, 5)), "off the grid");
    }

    #[test]
    fn nothing_is_offered_within_the_minimum_notice_or_beyond_the_horizon() {
        let hours = every_day(time(9, 0), time(17, 0));
        let service = ServiceRules {
            min_notice: Duration::minutes(120),
            horizon_days: 60,
            ..hour_long()
        };
        let team = [staff("a")];
        // Now: 09:10 local on 30 November.
        let now = utc(2026, 11, 30, 8, 10);
        let at = Availability {
            location: &hours,
            service: &service,
            staff: &team,
            busy: &[],
            now,
        };
        assert_eq!(at.free_slots(date(2026, 11, 30))[0].start, utc(2026, 11, 30, 10, 15));
        assert!(at.free_slots(date(2026, 11, 29)).is_empty(), "yesterday");
        assert!(!at.free_slots(date(2027, 1, 29)).is_empty(), "day 60");
        assert!(at.free_slots(date(2027, 1, 30)).is_empty(), "day 61");
    }

    #[test]
    fn an_absent_staff_member_takes_no_bookings() {
        let hours = every_day(time(9, 0), time(17, 0));
        let service = hour_long();
        let mut away = staff("b");
        away.absences.push((date(2026, 12, 1), date(2026, 12, 3)));
        let team = [staff("a"), away];
        let at = Availability {
            location: &hours,
            service: &service,
            staff: &team,
            busy: &[],
            now: now(),
        };
        assert_eq!(at.free_slots(date(2026, 12, 2))[0].staff_ids, ["a"]);
        assert_eq!(at.free_slots(date(2026, 12, 4))[0].staff_ids, ["a", "b"]);
        let alone = [team[1].clone()];
        let at = Availability { staff: &alone, ..at };
        assert!(at.free_slots(date(2026, 12, 3)).is_empty());
    }

    #[test]
    fn an_existing_booking_takes_its_time_and_the_least_booked_comes_first() {
        let hours = every_day(time(9, 0), time(17, 0));
        let service = hour_long();
        let team = [staff("a"), staff("b")];
        // "a" is booked 10:00–11:00 local.
        let busy = [Busy {
            appointment_id: "x".into(),
            staff_id: "a".into(),
            from: utc(2026, 12, 2, 9, 0),
            until: utc(2026, 12, 2, 10, 0),
        }];
        let at = Availability {
            location: &hours,
            service: &service,
            staff: &team,
            busy: &busy,
            now: now(),
        };
        let slots = at.free_slots(date(2026, 12, 2));
        let at_ten = slots.iter().find(|s| s.start == utc(2026, 12, 2, 9, 0)).unwrap();
        assert_eq!(at_ten.staff_ids, ["b"]);
        let at_nine = slots.iter().find(|s| s.start == utc(2026, 12, 2, 8, 0)).unwrap();
        assert_eq!(at_nine.staff_ids, ["b", "a"], "b has nothing booked that day");
        let only_a = [staff("a")];
        let at = Availability { staff: &only_a, ..at };
        let free = starts(&at.free_slots(date(2026, 12, 2)));
        assert!(!free.contains(&utc(2026, 12, 2, 8, 15)), "09:15 would run into 10:00");
        assert!(free.contains(&utc(2026, 12, 2, 8, 0)));
        assert!(free.contains(&utc(2026, 12, 2, 10, 0)));
    }

    #[test]
    fn own_hours_replace_the_location_hours() {
        let hours = every_day(time(9, 0), time(17, 0));
        let service = hour_long();
        let mut mornings = staff("a");
        let week = parse_week([("wed", "08:00-12:00")]).unwrap();
        mornings.week = Some(week);
        let team = [mornings];
        let at = Availability {
            location: &hours,
            service: &service,
            staff: &team,
            busy: &[],
            now: now(),
        };
        let wednesday = at.free_slots(date(2026, 12, 2));
        assert_eq!(wednesday.first().map(|s| s.start), Some(utc(2026, 12, 2, 7, 0)));
        assert_eq!(wednesday.last().map(|s| s.start), Some(utc(2026, 12, 2, 10, 0)));
        assert!(at.free_slots(date(2026, 12, 3)).is_empty(), "no hours on Thursday");
    }

    #[test]
    fn the_next_free_times_skip_to_the_next_open_day() {
        let mut hours = every_day(time(9, 0), time(10, 0));
        hours.closed_days.insert(date(2026, 12, 1));
        let service = hour_long();
        let team = [staff("a")];
        let at = Availability {
            location: &hours,
            service: &service,
            staff: &team,
            busy: &[],
            now: now(),
        };
        let next = at.next_free(utc(2026, 11, 30, 9, 0), 2);
        assert_eq!(starts(&next), [utc(2026, 12, 2, 8, 0), utc(2026, 12, 3, 8, 0)]);
    }

    #[test]
    fn weeks_read_and_write_the_same_text() {
        let week = parse_week([("mon", "09:00-12:00, 13:00-17:30"), ("sun", "closed")]).unwrap();
        assert_eq!(format_spans(&week[0]), "09:00-12:00, 13:00-17:30");
        assert_eq!(format_spans(&week[6]), "closed");
        assert_eq!(parse_week([("xyz", "09:00-10:00")]).unwrap_err().0, "xyz");
        assert_eq!(parse_week([("tue", "9-5")]).unwrap_err().0, "tue");
    }

    #[test]
    fn reminders_fall_the_evening_before_and_two_hours_ahead_unless_already_past() {
        let hours = BusinessHours::default();
        let start = utc(2027, 3, 29, 8, 0); // Monday 10:00 summer time
        let rules = [
            ReminderRule::DayBeforeAt(time(18, 0)),
            ReminderRule::Before(Duration::hours(2)),
        ];
        // Sunday 28 March is the day the clocks go forward: 18:00 local is 16:00 UTC.
        assert_eq!(
            reminder_times(start, &hours, &rules, now()),
            [utc(2027, 3, 28, 16, 0), utc(2027, 3, 29, 6, 0)]
        );
        let booked_late = utc(2027, 3, 28, 20, 0);
        assert_eq!(
            reminder_times(start, &hours, &rules, booked_late),
            [utc(2027, 3, 29, 6, 0)]
        );
        assert!(reminder_times(start, &hours, &rules, utc(2027, 3, 29, 7, 0)).is_empty());
    }

    #[test]
    fn appointments_move_forward_only() {
        use AppointmentStatus::*;
        assert!(Booked.may_become(CheckedIn));
        assert!(CheckedIn.may_become(Done));
        assert!(!Done.may_become(Booked));
        assert!(!Cancelled.may_become(CheckedIn));
        assert!(!NoShow.may_become(Done));
        // Before its start: not done (unless the customer is in already), not a no-show.
        assert!(!Booked.may_become_when(Done, false));
        assert!(CheckedIn.may_become_when(Done, false));
        assert!(!Booked.may_become_when(NoShow, false));
        assert!(Booked.may_become_when(Done, true));
        assert!(Booked.may_become_when(CheckedIn, false));
        for status in AppointmentStatus::ALL {
            assert_eq!(AppointmentStatus::parse(status.as_str()), Some(status));
        }
    }

    #[test]
    fn the_digest_is_due_from_opening_until_closing_on_open_days() {
        // Weekdays 09:00–17:30 in Amsterdam (UTC+1 in winter); 8 December is a closed day.
        let mut hours = BusinessHours::default();
        hours.closed_days.insert(date(2026, 12, 8));
        let tuesday = date(2026, 12, 1);
        assert_eq!(digest_day(&hours, utc(2026, 12, 1, 7, 59)), None, "before opening");
        assert_eq!(digest_day(&hours, utc(2026, 12, 1, 8, 0)), Some(tuesday), "at opening");
        assert_eq!(
            digest_day(&hours, utc(2026, 12, 1, 16, 29)),
            Some(tuesday),
            "late start"
        );
        assert_eq!(digest_day(&hours, utc(2026, 12, 1, 16, 30)), None, "closed for the day");
        assert_eq!(digest_day(&hours, utc(2026, 12, 5, 9, 0)), None, "a Saturday");
        assert_eq!(digest_day(&hours, utc(2026, 12, 8, 9, 0)), None, "a closed day");
        // Summer time: 09:00 local is 07:00 UTC.
        let mut own = staff("piet");
        own.week = Some(std::array::from_fn(|d| {
            if d == 5 {
                vec![(time(10, 0), time(14, 0))]
            } else {
                Vec::new()
            }
        }));
        let mut away = staff("anna");
        away.absences.push((date(2026, 12, 1), date(2026, 12, 2)));
        assert!(staff("sanne").works_on(&hours, tuesday));
        assert!(!own.works_on(&hours, tuesday), "own hours on Saturdays only");
        assert!(own.works_on(&hours, date(2026, 12, 5)));
        assert!(!away.works_on(&hours, tuesday));
        assert!(
            !staff("sanne").works_on(&hours, date(2026, 12, 8)),
            "the location is closed"
        );
        assert_eq!(digest_day(&hours, utc(2027, 6, 1, 7, 0)), Some(date(2027, 6, 1)));
    }
}
