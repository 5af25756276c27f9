//! Dated commitments in what staff write: "Ik bel u morgen om 10:00 terug", "we'll send the
//! quote within 3 working days". Each is read to a due time from the moment of writing and the
//! business's opening hours, so kept can hold the business to it.
//!
//! The reading follows `../shared/tone/README.md` (section Commitments): a clock time is that
//! minute; a day is by the end of that (business) day; a part of a day by its end; a duration
//! counts from the moment of writing (working days and business hours skip closed times);
//! "vóór vrijdag" is by the end of the day before. Not commitments: moments in the past, the
//! customer's own actions, opening hours, contract dates, a third party's estimates and
//! conditional offers.
//!
//! Rules over a clause at a time, not a learned model: every reading can be explained by the
//! words that made it, and the labelled examples are few.

use chrono::{DateTime, Datelike, Duration, NaiveDate, NaiveTime, Utc, Weekday};
use kept_domain::hours::BusinessHours;
use regex::Regex;
use serde::Serialize;
use std::sync::LazyLock;

/// What the commitment is to do, when the words say so.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Action {
    Call,
    Email,
    Visit,
    Send,
    Other,
}

impl Action {
    pub fn as_str(self) -> &'static str {
        match self {
            Action::Call => "call",
            Action::Email => "email",
            Action::Visit => "visit",
            Action::Send => "send",
            Action::Other => "other",
        }
    }
}

/// A dated commitment: where it stands in the text (byte offsets), its words, when it is due
/// and what it is to do.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Commitment {
    pub start: usize,
    pub end: usize,
    pub text: String,
    pub due_at: DateTime<Utc>,
    pub action: Action,
    /// The words around it that say what is promised ("Ik bel u morgen om 10:00 terug").
    pub clause: String,
}

/// Every dated commitment in `text`, written at `now`, in order.
pub fn read_commitments(text: &str, now: DateTime<Utc>, hours: &BusinessHours) -> Vec<Commitment> {
    clauses(crate::bounded(text))
        .into_iter()
        .filter_map(|(start, clause)| commitment_in(clause, start, now, hours))
        .collect()
}

fn regex(pattern: &str) -> Regex {
    // The patterns are constants of this file, checked by its tests.
    Regex::new(pattern).unwrap_or_else(|e| panic!("bad pattern {pattern}: {e}"))
}

/// Where one clause ends and the next begins: sentence ends, semicolons, a colon before words,
/// and a comma before a joining word ("…, en morgen bel ik u").
static CLAUSE_END: LazyLock<Regex> = LazyLock::new(|| {
    regex(r"(?i)[.!?;]\s+|:\s+|,\s+(?:en|and|dan|then|zodat|so that|maar|but|in elk geval|in any case)\b")
});

/// The clauses of a text with their byte offsets.
fn clauses(text: &str) -> Vec<(usize, &str)> {
    let mut parts = Vec::new();
    let mut start = 0;
    for found in CLAUSE_END.find_iter(text) {
        parts.push((start, &text[start..found.start()]));
        // A joining word stays with the clause it starts.
        let joined = found.as_str().trim_start_matches(|c: char| ",.;:!? ".contains(c));
        start = found.end() - joined.len();
    }
    parts.push((start, &text[start..]));
    parts.into_iter().filter(|(_, c)| !c.trim().is_empty()).collect()
}

/// Words that make a clause no commitment of ours: offers on a condition, estimates of others,
/// opening hours, contract dates and deadlines for the customer, the past, routines and what
/// the customer is asked to do.
static NOT_A_COMMITMENT: LazyLock<Regex> = LazyLock::new(|| {
    regex(concat!(
        r"(?i)\b(?:",
        // Conditional offers.
        r"als u|als je|als het|als we|if you|if it|if the|if we|mocht|should the|unless|tenzij|",
        r"kan ik|could|can i|would you like|wilt u|",
        // A third party's estimate.
        r"postnl|dpd|dhl|royal mail|ups|gls|according to|volgens|naar verwachting|verwacht|expected|usually|meestal|",
        r"said|says|zei|zegt|should|zou moeten|",
        r"gewoonlijk|normaal gesproken|",
        // Opening hours.
        r"geopend|open|bereikbaar|gesloten|closed|on the phones|openingstijden|",
        // Contracts and deadlines for the customer.
        r"verloopt|loopt af|expires|ends on|renews|opgezegd per|tot die datum|until|tot en met|de tijd|",
        // The past.
        r"gisteren|yesterday|geweest|was|were|last|vorige|afgelopen|earlier|eerder|duurde|lasted|attended|spoke|",
        r"left a|submitted|ingesproken|",
        // Routines.
        r"every|elke|iedere|mondays|tuesdays|wednesdays|thursdays|fridays|saturdays|sundays|op werkdagen|",
        // What the customer is asked to do or may do.
        r"u kunt|kunt u|you can|please|zet|put them|give us|laat het ons|let us know|bel ons|call us",
        r")\b"
    ))
});

const MONTHS: [(&str, u32); 24] = [
    ("januari", 1),
    ("februari", 2),
    ("maart", 3),
    ("april", 4),
    ("mei", 5),
    ("juni", 6),
    ("juli", 7),
    ("augustus", 8),
    ("september", 9),
    ("oktober", 10),
    ("november", 11),
    ("december", 12),
    ("january", 1),
    ("february", 2),
    ("march", 3),
    ("april", 4),
    ("may", 5),
    ("june", 6),
    ("july", 7),
    ("august", 8),
    ("september", 9),
    ("october", 10),
    ("november", 11),
    ("december", 12),
];

const WEEKDAYS: [(&str, Weekday); 14] = [
    ("maandag", Weekday::Mon),
    ("dinsdag", Weekday::Tue),
    ("woensdag", Weekday::Wed),
    ("donderdag", Weekday::Thu),
    ("vrijdag", Weekday::Fri),
    ("zaterdag", Weekday::Sat),
    ("zondag", Weekday::Sun),
    ("monday", Weekday::Mon),
    ("tuesday", Weekday::Tue),
    ("wednesday", Weekday::Wed),
    ("thursday", Weekday::Thu),
    ("friday", Weekday::Fri),
    ("saturday", Weekday::Sat),
    ("sunday", Weekday::Sun),
];

/// Dutch abbreviations of weekdays, only taken before a part of the day ("do ochtend").
const SHORT_WEEKDAYS: [(&str, Weekday); 5] = [
    ("ma", Weekday::Mon),
    ("di", Weekday::Tue),
    ("wo", Weekday::Wed),
    ("do", Weekday::Thu),
    ("vr", Weekday::Fri),
];

const NUMBER_WORDS: [(&str, i64); 24] = [
    ("een", 1),
    ("één", 1),
    ("one", 1),
    ("a", 1),
    ("an", 1),
    ("twee", 2),
    ("two", 2),
    ("drie", 3),
    ("three", 3),
    ("vier", 4),
    ("four", 4),
    ("vijf", 5),
    ("five", 5),
    ("zes", 6),
    ("six", 6),
    ("zeven", 7),
    ("seven", 7),
    ("acht", 8),
    ("eight", 8),
    ("negen", 9),
    ("nine", 9),
    ("tien", 10),
    ("ten", 10),
    ("elf", 11),
];

fn number(word: &str) -> Option<i64> {
    word.parse()
        .ok()
        .or_else(|| NUMBER_WORDS.iter().find(|(w, _)| *w == word).map(|(_, n)| *n))
}

/// A part of a day: from when to when.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Part {
    Morning,
    Afternoon,
    Evening,
}

impl Part {
    fn parse(word: &str) -> Option<Part> {
        Some(match word {
            "ochtend" | "morgen" | "morning" => Part::Morning,
            "middag" | "afternoon" => Part::Afternoon,
            "avond" | "evening" | "night" => Part::Evening,
            _ => return None,
        })
    }

    /// When the part ends: what it is due by.
    fn end(self) -> NaiveTime {
        let time = |h, m, s| NaiveTime::from_hms_opt(h, m, s).unwrap_or(NaiveTime::MIN);
        match self {
            Part::Morning => time(12, 0, 0),
            Part::Afternoon => time(18, 0, 0),
            Part::Evening => time(23, 59, 0),
        }
    }
}

/// What a clause says about when, found piece by piece.
#[derive(Debug, Default)]
struct When {
    day: Option<NaiveDate>,
    part: Option<Part>,
    time: Option<NaiveTime>,
    /// A bare hour ("at 9"), taken only with a day.
    hour: Option<NaiveTime>,
    /// By the end of the day before the day named.
    before: bool,
    /// From now: the moment the duration ends.
    after_duration: Option<DateTime<Utc>>,
    /// Byte ranges (in the clause) of the words that said it.
    spans: Vec<(usize, usize)>,
    /// More than one weekday named in one clause ("op dinsdag en vrijdag"): a routine.
    routine: bool,
}

static CLOCK: LazyLock<Regex> =
    LazyLock::new(|| regex(r"(?i)\b(\d{1,2}):(\d{2})\b|\b(\d{1,2})\s*(am|pm)\b|\b(\d{1,2})\s*uur\b"));
static HALF: LazyLock<Regex> =
    LazyLock::new(|| regex(r"(?i)\bhalf\s+(een|één|twee|drie|vier|vijf|zes|zeven|acht|negen|tien|elf|twaalf)\b"));
static NOON: LazyLock<Regex> = LazyLock::new(|| regex(r"(?i)\bnoon\b|\b12 uur 's middags\b"));
static BARE_HOUR: LazyLock<Regex> = LazyLock::new(|| regex(r"(?i)\b(?:at|by|om|tegen)\s+(\d{1,2})\b(?:[^:\d]|$)"));
static RANGE: LazyLock<Regex> = LazyLock::new(|| {
    regex(r"(?i)\b(?:tussen|between)\s+(\d{1,2})(?::(\d{2}))?\s+(?:en|and)\s+(\d{1,2})(?::(\d{2}))?\b")
});
static DURATION: LazyLock<Regex> = LazyLock::new(|| {
    regex(concat!(
        r"(?i)\b(?:in|within|binnen|over)\s+(\d+|een|één|one|a|an|twee|two|drie|three|vier|four|vijf|five|zes|six|",
        r"zeven|seven|acht|eight|negen|nine|tien|ten)\s+",
        r"(minutes?|minuten|min|hours?|uur|uren|working days?|werkdagen|werkdag|business days?|business hours?|",
        r"werkuren|werkuur|days?|dagen|dag)\b"
    ))
});
static HOUR_WORDS: LazyLock<Regex> = LazyLock::new(|| {
    regex(concat!(
        r"(?i)\b(?:within|binnen|in|over)\s+(?:the|het|een|één|an|a)\s+(half uur|hour|uur|kwartier)\b|",
        r"\b(?:within|in)\s+(half an hour|a quarter of an hour)\b"
    ))
});
static DATE: LazyLock<Regex> = LazyLock::new(|| {
    regex(concat!(
        r"(?i)\b(\d{1,2})\s+(januari|februari|maart|april|mei|juni|juli|augustus|september|oktober|november|",
        r"december|january|february|march|may|june|july|august|october)(?:\s+(\d{4}))?\b"
    ))
});
static DAY_WORD: LazyLock<Regex> = LazyLock::new(|| {
    regex(concat!(
        r"(?i)\b(vandaag|today|tonight|overmorgen|morgen|tomorrow|vanochtend|vanmorgen|vanmiddag|vanavond|",
        r"this (?:morning|afternoon|evening)|(?:in|op) the morning|in the morning|na het weekend|after the weekend|",
        r"(?:maandag|dinsdag|woensdag|donderdag|vrijdag|zaterdag|zondag|monday|tuesday|wednesday|thursday|friday|",
        r"saturday|sunday|morgen)(?:ochtend|middag|avond)?|(?:ma|di|wo|do|vr)\s+(?:ochtend|middag|avond))",
        r"(?:\s+(morning|afternoon|evening))?\b"
    ))
});
static FIRST_THING: LazyLock<Regex> = LazyLock::new(|| regex(r"(?i)\bfirst thing\b|\bals eerste\b"));
static BEFORE: LazyLock<Regex> = LazyLock::new(|| regex(r"(?i)\b(?:vóór|voor|before)\s*$"));
static ACTIONS: LazyLock<[(Regex, Action); 4]> = LazyLock::new(|| {
    [
        (
            regex(
                r"(?i)\b(?:bel|belt|bellen|terugbellen|gebeld|call|calls|ring|phone|contact|get in touch|check in|update you)\b",
            ),
            Action::Call,
        ),
        (regex(r"(?i)\b(?:mail|mailen|e-mail|email|emailen)\b"), Action::Email),
        (
            regex(r"(?i)\b(?:langs|ter plaatse|visit|attending|with you|pick you up|komt|come|vervangen)\b"),
            Action::Visit,
        ),
        (
            regex(r"(?i)\b(?:stuur|stuurt|sturen|versturen|send|posted|deliver|bezorgd|ontvangt|receive)\b"),
            Action::Send,
        ),
    ]
});

fn time(h: u32, m: u32) -> Option<NaiveTime> {
    NaiveTime::from_hms_opt(h, m, 0)
}

/// The next date on `weekday` after `today` (a week on when it is today).
fn next_weekday(today: NaiveDate, weekday: Weekday) -> NaiveDate {
    let ahead = (weekday.num_days_from_monday() as i64 - today.weekday().num_days_from_monday() as i64 + 7) % 7;
    today + Duration::days(if ahead == 0 { 7 } else { ahead })
}

/// The `n`th working day after `today`.
fn working_days_after(today: NaiveDate, n: i64, hours: &BusinessHours) -> NaiveDate {
    let mut day = today;
    let mut counted = 0;
    // A year of closed days beyond the days asked for is more than any business has; the
    // bound keeps the loop finite (`n` is at most a few years: see MAX_AHEAD_DAYS).
    for _ in 0..n.clamp(0, MAX_AHEAD_DAYS) * 7 / 5 + 366 {
        day += Duration::days(1);
        if hours.is_working_day(day) {
            counted += 1;
            if counted >= n {
                break;
            }
        }
    }
    day
}

fn read_day(
    word: &str,
    extra_part: Option<&str>,
    today: NaiveDate,
    now_hour: u32,
) -> (Option<NaiveDate>, Option<Part>) {
    let lower = word.to_lowercase();
    let part_of = |suffix: &str| Part::parse(suffix);
    let extra = extra_part.and_then(|p| Part::parse(&p.to_lowercase()));
    let tomorrow = today + Duration::days(1);
    let (day, part) = match lower.as_str() {
        "vandaag" | "today" => (Some(today), None),
        "tonight" | "vanavond" | "this evening" => (Some(today), Some(Part::Evening)),
        "vanochtend" | "vanmorgen" | "this morning" => (Some(today), Some(Part::Morning)),
        "vanmiddag" | "this afternoon" => (Some(today), Some(Part::Afternoon)),
        "morgen" | "tomorrow" => (Some(tomorrow), None),
        "overmorgen" => (Some(today + Duration::days(2)), None),
        "in the morning" | "op the morning" | "in the morning " => {
            let day = if now_hour >= 12 { tomorrow } else { today };
            (Some(day), Some(Part::Morning))
        }
        "na het weekend" | "after the weekend" => (Some(next_weekday(today, Weekday::Mon)), None),
        other => {
            let named = WEEKDAYS
                .iter()
                .chain(SHORT_WEEKDAYS.iter())
                .filter(|(name, _)| other.starts_with(name))
                .max_by_key(|(name, _)| name.len());
            match (named, other.strip_prefix("morgen")) {
                (_, Some(rest)) if !rest.is_empty() => (Some(tomorrow), part_of(rest.trim())),
                (Some((name, weekday)), _) => {
                    let rest = other[name.len()..].trim();
                    (Some(next_weekday(today, *weekday)), part_of(rest))
                }
                _ => (None, None),
            }
        }
    };
    (day, part.or(extra))
}

/// Reads the pieces of a clause that say when.
fn when_in(clause: &str, now: DateTime<Utc>, hours: &BusinessHours) -> When {
    let mut when = When::default();
    let today = hours.local_date(now);
    let local_now = now.with_timezone(&hours.time_zone);
    let mut weekdays_named = 0;
    for found in DAY_WORD.captures_iter(clause) {
        let Some(whole) = found.get(0) else { continue };
        let word = found.get(1).map_or("", |m| m.as_str());
        let (day, part) = read_day(word, found.get(2).map(|m| m.as_str()), today, local_now.hour_of_day());
        if WEEKDAYS.iter().any(|(name, _)| word.to_lowercase().starts_with(name)) {
            weekdays_named += 1;
        }
        if day.is_some() && when.day.is_none() {
            when.before = BEFORE.is_match(&clause[..whole.start()]);
            when.day = day;
            when.part = part;
            when.spans.push((whole.start(), whole.end()));
        }
    }
    // "First thing" on a day is its morning.
    if when.part.is_none() && FIRST_THING.is_match(clause) {
        when.part = Some(Part::Morning);
    }
    // "op dinsdag en vrijdag": two days named together are a routine, not a moment.
    when.routine = weekdays_named > 1;
    if let Some(found) = DATE.captures(clause) {
        let day = found.get(1).and_then(|m| m.as_str().parse::<u32>().ok());
        let month = found
            .get(2)
            .and_then(|m| MONTHS.iter().find(|(name, _)| m.as_str().eq_ignore_ascii_case(name)))
            .map(|(_, n)| *n);
        let year = found
            .get(3)
            .and_then(|m| m.as_str().parse::<i32>().ok())
            .unwrap_or(today.year());
        if let (Some(day), Some(month), Some(whole)) = (day, month, found.get(0)) {
            let mut date = NaiveDate::from_ymd_opt(year, month, day);
            // "vóór 15 januari" written in December is next year's; a date of the last months
            // is one that has been (and is left out as past).
            if found.get(3).is_none() && date.is_some_and(|d| (today - d).num_days() > 180) {
                date = NaiveDate::from_ymd_opt(year + 1, month, day);
            }
            if date.is_some() {
                when.before = BEFORE.is_match(&clause[..whole.start()]);
                when.day = date;
                when.spans.push((whole.start(), whole.end()));
            }
        }
    }
    if let Some(found) = RANGE.captures(clause) {
        let hour = found.get(3).and_then(|m| m.as_str().parse().ok());
        let minute = found.get(4).and_then(|m| m.as_str().parse().ok()).unwrap_or(0);
        if let (Some(end), Some(whole)) = (hour.and_then(|h| time(h, minute)), found.get(0)) {
            when.time = Some(end);
            when.spans.push((whole.start(), whole.end()));
        }
    }
    if when.time.is_none() {
        read_clock(clause, &mut when);
    }
    read_duration(clause, now, hours, &mut when);
    when
}

trait HourOfDay {
    fn hour_of_day(&self) -> u32;
}

impl<Tz: chrono::TimeZone> HourOfDay for DateTime<Tz> {
    fn hour_of_day(&self) -> u32 {
        chrono::Timelike::hour(&self.naive_local())
    }
}

fn read_clock(clause: &str, when: &mut When) {
    if let Some(found) = CLOCK.captures(clause) {
        let at = match (found.get(1), found.get(3), found.get(5)) {
            (Some(h), _, _) => {
                let minute = found.get(2).and_then(|m| m.as_str().parse().ok()).unwrap_or(0);
                h.as_str().parse().ok().and_then(|h| time(h, minute))
            }
            (_, Some(h), _) => {
                let pm = found.get(4).is_some_and(|m| m.as_str().eq_ignore_ascii_case("pm"));
                h.as_str()
                    .parse::<u32>()
                    .ok()
                    .and_then(|h| time(if pm && h < 12 { h + 12 } else { h }, 0))
            }
            (_, _, Some(h)) => h.as_str().parse().ok().and_then(|h| time(h, 0)),
            _ => None,
        };
        if let (Some(at), Some(whole)) = (at, found.get(0)) {
            when.time = Some(at);
            when.spans.push((whole.start(), whole.end()));
            return;
        }
    }
    if let Some(found) = HALF.captures(clause) {
        let hour = found
            .get(1)
            .and_then(|m| number(&m.as_str().to_lowercase()))
            .unwrap_or(12);
        let hour = if found.get(1).is_some_and(|m| m.as_str().eq_ignore_ascii_case("twaalf")) {
            12
        } else {
            hour
        };
        // "half drie" is 2:30; in the afternoon (or any hour a business is not open) 14:30.
        let afternoon = when.part == Some(Part::Afternoon) || hour <= 7;
        let h = (hour - 1 + if afternoon { 12 } else { 0 }) as u32;
        if let (Some(at), Some(whole)) = (time(h, 30), found.get(0)) {
            when.time = Some(at);
            when.spans.push((whole.start(), whole.end()));
        }
        return;
    }
    if let Some(whole) = NOON.find(clause) {
        when.time = time(12, 0);
        when.spans.push((whole.start(), whole.end()));
        return;
    }
    if let Some(found) = BARE_HOUR.captures(clause) {
        let hour = found.get(1).and_then(|m| m.as_str().parse::<u32>().ok());
        if let (Some(at), Some(h)) = (hour.and_then(|h| time(h, 0)), found.get(1)) {
            when.hour = Some(at);
            when.spans.push((h.start(), h.end()));
        }
    }
}

/// A promise further ahead than this is not a promise ("over 99999999 dagen"), and no date
/// arithmetic may be asked to go there.
const MAX_AHEAD_DAYS: i64 = 3 * 366;

fn read_duration(clause: &str, now: DateTime<Utc>, hours: &BusinessHours, when: &mut When) {
    if let Some(found) = DURATION.captures(clause) {
        let count = found.get(1).and_then(|m| number(&m.as_str().to_lowercase()));
        let unit = found.get(2).map(|m| m.as_str().to_lowercase()).unwrap_or_default();
        let Some(count) = count.filter(|c| (0..=MAX_AHEAD_DAYS * 24 * 60).contains(c)) else {
            return;
        };
        let in_minutes = if unit.starts_with("min") {
            count
        } else if unit.contains("uur") || unit.contains("uren") || unit.contains("hour") {
            count * 60
        } else {
            count * 24 * 60
        };
        if in_minutes > MAX_AHEAD_DAYS * 24 * 60 {
            return;
        }
        let today = hours.local_date(now);
        let due = if unit.starts_with("min") {
            Some(now + Duration::minutes(count))
        } else if unit.starts_with("werkuur") || unit.starts_with("werkuren") || unit.starts_with("business hour") {
            hours.add_business_minutes(now, count * 60)
        } else if unit.starts_with("hour") || unit.starts_with("uur") || unit.starts_with("uren") {
            Some(now + Duration::hours(count))
        } else if unit.starts_with("werkdag") || unit.starts_with("working day") || unit.starts_with("business day") {
            Some(end_of_day(working_days_after(today, count, hours), hours))
        } else {
            Some(end_of_day(today + Duration::days(count), hours))
        };
        if let (Some(due), Some(whole)) = (due, found.get(0)) {
            when.after_duration = Some(due);
            when.spans.push((whole.start(), whole.end()));
        }
        return;
    }
    if let Some(found) = HOUR_WORDS.captures(clause) {
        let words = found.get(0).map(|m| m.as_str().to_lowercase()).unwrap_or_default();
        let minutes = if words.contains("kwartier") || words.contains("quarter") {
            15
        } else if words.contains("half") {
            30
        } else {
            60
        };
        if let Some(whole) = found.get(0) {
            when.after_duration = Some(now + Duration::minutes(minutes));
            when.spans.push((whole.start(), whole.end()));
        }
    }
}

/// By the end of a day: its closing time when the business is open then, else 23:59.
fn end_of_day(day: NaiveDate, hours: &BusinessHours) -> DateTime<Utc> {
    hours
        .open_intervals(day)
        .last()
        .map(|(_, close)| *close)
        .unwrap_or_else(|| hours.instant(day, time(23, 59).unwrap_or(NaiveTime::MIN)))
}

impl When {
    /// The due time these pieces make, if they make one.
    fn due(&self, now: DateTime<Utc>, hours: &BusinessHours) -> Option<DateTime<Utc>> {
        if let Some(due) = self.after_duration {
            return Some(due);
        }
        let today = hours.local_date(now);
        let at_time = self.time.or(self.day.and(self.hour));
        match (self.day, at_time, self.part) {
            (Some(day), Some(at), _) => Some(hours.instant(day, at)),
            (Some(day), None, Some(part)) => Some(hours.instant(day, part.end())),
            (Some(day), None, None) => {
                let day = if self.before { day - Duration::days(1) } else { day };
                Some(end_of_day(day, hours))
            }
            (None, Some(at), _) => Some(hours.instant(today, at)),
            (None, None, _) => None,
        }
    }
}

fn action_of(clause: &str) -> Action {
    ACTIONS
        .iter()
        .find(|(pattern, _)| pattern.is_match(clause))
        .map_or(Action::Other, |(_, action)| *action)
}

fn commitment_in(clause: &str, offset: usize, now: DateTime<Utc>, hours: &BusinessHours) -> Option<Commitment> {
    if NOT_A_COMMITMENT.is_match(clause) {
        return None;
    }
    let when = when_in(clause, now, hours);
    if when.routine {
        return None;
    }
    let due = when.due(now, hours)?;
    // A moment already past is something that happened, not something promised.
    if due < now {
        return None;
    }
    let start = when.spans.iter().map(|s| s.0).min()?;
    let end = when.spans.iter().map(|s| s.1).max()?;
    Some(Commitment {
        start: offset + start,
        end: offset + end,
        text: clause[start..end].to_string(),
        due_at: due,
        action: action_of(clause),
        clause: clause
            .trim()
            .trim_end_matches(|c: char| ",.;:!?".contains(c))
            .to_string(),
    })
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;

    use super::*;

    fn amsterdam(y: i32, m: u32, d: u32, h: u32, mi: u32) -> DateTime<Utc> {
        chrono_tz::Europe::Amsterdam
            .with_ymd_and_hms(y, m, d, h, mi, 0)
            .unwrap()
            .with_timezone(&Utc)
    }

    #[test]
    fn a_call_tomorrow_at_ten_and_a_letter_by_friday() {
        let hours = BusinessHours::default();
        // Tuesday 10 March 2026, 14:20.
        let now = amsterdam(2026, 3, 10, 14, 20);
        let text =
            "Ik bel u morgen om 10:00 terug met de uitslag; de schriftelijke uitslag ontvangt u uiterlijk vrijdag.";
        let found = read_commitments(text, now, &hours);
        assert_eq!(found.len(), 2, "{found:?}");
        assert_eq!(found[0].due_at, amsterdam(2026, 3, 11, 10, 0));
        assert_eq!(found[0].action, Action::Call);
        assert_eq!(&text[found[0].start..found[0].end], found[0].text);
        assert_eq!(found[1].due_at, amsterdam(2026, 3, 13, 17, 30));
    }

    #[test]
    fn durations_in_working_days_and_business_hours_skip_the_weekend() {
        let hours = BusinessHours::default();
        // Friday 23 October 2026, 16:45: 45 minutes today, the rest on Monday.
        let now = amsterdam(2026, 10, 23, 16, 45);
        let found = read_commitments("Binnen 4 werkuren neemt een technicus contact met u op.", now, &hours);
        assert_eq!(found[0].due_at, amsterdam(2026, 10, 26, 12, 15));
        let found = read_commitments("We sturen u binnen 3 werkdagen een nieuwe offerte.", now, &hours);
        assert_eq!(
            hours.local_date(found[0].due_at),
            NaiveDate::from_ymd_opt(2026, 10, 28).unwrap()
        );
    }

    #[test]
    fn offers_estimates_opening_hours_and_the_past_are_not_commitments() {
        let hours = BusinessHours::default();
        let now = amsterdam(2026, 4, 17, 13, 20);
        for text in [
            "Als u wilt, kan ik u maandag om 10:00 terugbellen.",
            "PostNL bezorgt meestal binnen 1 à 2 werkdagen.",
            "Onze winkel is maandag tot en met vrijdag geopend van 9:00 tot 17:30.",
            "Ik heb gisteren om 11:00 een bericht ingesproken.",
            "U heeft de meterstanden op 3 februari doorgegeven.",
        ] {
            assert_eq!(read_commitments(text, now, &hours), Vec::new(), "{text}");
        }
    }
}
