//! Figures the owner can act on, computed from the promises kept already holds — never from
//! counters kept on the side that could drift: how many were made, kept, broken and still open,
//! and how fast they were fulfilled in opening-hour minutes, per staff member, kind, channel or
//! day.

use std::collections::BTreeMap;

use chrono::{DateTime, NaiveDate, Utc};

use crate::hours::{BusinessHours, OpeningCalendar};
use crate::promise::{PromiseKind, PromiseStatus};

mod dashboard;
mod period;

pub use dashboard::{
    AppointmentFact, ContractFact, Dashboard, Facts, Filter, ReasonCount, Repeated, Retention, SPEED_LIMITS, ScoreStep,
    Signals, Speed, SpeedBucket, SurveyFact, VisitCount,
};
pub use period::{Period, PeriodChoice, Step};

/// One promise as the figures need it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PromiseFact {
    pub kind: PromiseKind,
    pub status: PromiseStatus,
    pub owner_id: Option<String>,
    /// The conversation's channel for a reply; "phone" for calls; "other" for follow-ups.
    pub channel: String,
    pub created_at: DateTime<Utc>,
    pub closed_at: Option<DateTime<Utc>>,
    pub due_at: DateTime<Utc>,
    /// Not to be done before: the start of the window a customer chose for a callback.
    pub not_before: DateTime<Utc>,
    /// Whose promise it was — read for broken promises only: only their lists name customers.
    pub customer_id: Option<String>,
    /// Filled in for the rows a list shows.
    pub customer_name: Option<String>,
    /// The location of the appointment a call-ahead is about.
    pub location_id: Option<String>,
    /// A callback's first call attempt, reached or not.
    pub first_attempt_at: Option<DateTime<Utc>>,
    /// A reply owed to a customer who wrote in frustration.
    pub frustrated: bool,
    /// Opening-hour minutes from made to fulfilled, once worked out ([`time_all`]): every
    /// grouping of the figures reads it instead of working it out again.
    pub minutes: Option<i64>,
}

/// How long each kept or broken promise took in opening-hour minutes, worked out once.
pub fn time_all(facts: &mut [PromiseFact], hours: &BusinessHours) {
    let moments = facts.iter().flat_map(|f| [Some(f.created_at), f.closed_at]).flatten();
    let calendar = OpeningCalendar::covering(hours, moments);
    for fact in facts.iter_mut() {
        fact.minutes = ended_minutes(fact, &calendar);
    }
}

fn ended_minutes(fact: &PromiseFact, calendar: &OpeningCalendar) -> Option<i64> {
    if !matches!(fact.status, PromiseStatus::Kept | PromiseStatus::Broken) {
        return None;
    }
    fact.closed_at
        .map(|closed| calendar.minutes_between(fact.created_at, closed))
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GroupBy {
    Staff,
    Kind,
    Channel,
    Day,
}

impl GroupBy {
    pub const CODES: &'static [&'static str] = &["staff", "kind", "channel", "day"];

    pub fn parse(text: &str) -> Option<GroupBy> {
        Some(match text {
            "staff" => GroupBy::Staff,
            "kind" => GroupBy::Kind,
            "channel" => GroupBy::Channel,
            "day" => GroupBy::Day,
            _ => return None,
        })
    }
}

/// The figures of one group.
#[derive(Debug, Clone, PartialEq)]
pub struct Group {
    pub key: String,
    pub made: usize,
    pub kept: usize,
    pub broken: usize,
    pub open: usize,
    pub cancelled: usize,
    /// Kept of those kept or broken, in percent with one decimal; `None` before any ended.
    pub kept_pct: Option<f64>,
    /// Opening-hour minutes from promise to fulfilment (kept, or broken by being late).
    pub median_minutes: Option<i64>,
    pub p90_minutes: Option<i64>,
}

/// The value at `fraction` of sorted `values` by the nearest-rank method: the smallest value
/// with at least that share of values at or below it (the median of 10 and 60 is 10).
pub fn nearest_rank(sorted: &[i64], fraction: f64) -> Option<i64> {
    if sorted.is_empty() {
        return None;
    }
    let rank = (fraction * sorted.len() as f64).ceil().max(1.0) as usize;
    sorted.get(rank.min(sorted.len()) - 1).copied()
}

fn key(fact: &PromiseFact, by: GroupBy, hours: &BusinessHours) -> String {
    match by {
        GroupBy::Staff => fact.owner_id.clone().unwrap_or_default(),
        GroupBy::Kind => fact.kind.as_str().to_string(),
        GroupBy::Channel => fact.channel.clone(),
        GroupBy::Day => hours.local_date(fact.created_at).to_string(),
    }
}

/// The figures per group, groups in key order, of facts whose minutes [`time_all`] worked out.
pub fn summarise<'a>(
    facts: impl IntoIterator<Item = &'a PromiseFact>,
    by: GroupBy,
    hours: &BusinessHours,
) -> Vec<Group> {
    let mut groups: BTreeMap<String, Vec<&PromiseFact>> = BTreeMap::new();
    for fact in facts {
        groups.entry(key(fact, by, hours)).or_default().push(fact);
    }
    groups.into_iter().map(|(key, facts)| figures(key, &facts)).collect()
}

/// The figures of a group of facts whose minutes [`time_all`] worked out.
pub(crate) fn figures(key: String, facts: &[&PromiseFact]) -> Group {
    let count = |status| facts.iter().filter(|f| f.status == status).count();
    let (kept, broken) = (count(PromiseStatus::Kept), count(PromiseStatus::Broken));
    let mut minutes: Vec<i64> = facts.iter().filter_map(|f| f.minutes).collect();
    minutes.sort_unstable();
    let ended = kept + broken;
    Group {
        key,
        made: facts.len(),
        kept,
        broken,
        open: count(PromiseStatus::Open),
        cancelled: count(PromiseStatus::Cancelled),
        kept_pct: (ended > 0).then(|| (kept as f64 * 1000.0 / ended as f64).round() / 10.0),
        median_minutes: nearest_rank(&minutes, 0.5),
        p90_minutes: nearest_rank(&minutes, 0.9),
    }
}

/// The instants a period of local dates (both included) begins and ends.
pub fn period(hours: &BusinessHours, from: NaiveDate, to: NaiveDate) -> (DateTime<Utc>, DateTime<Utc>) {
    let after = to.succ_opt().unwrap_or(to);
    (
        hours.instant(from, chrono::NaiveTime::MIN),
        hours.instant(after, chrono::NaiveTime::MIN),
    )
}

#[cfg(test)]
pub(crate) mod tests {
    use chrono::TimeZone;

    use super::*;

    pub(crate) fn utc(m: u32, d: u32, h: u32, mi: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2027, m, d, h, mi, 0).unwrap()
    }

    pub(crate) fn fact(
        kind: PromiseKind,
        status: PromiseStatus,
        created: DateTime<Utc>,
        closed: Option<DateTime<Utc>>,
    ) -> PromiseFact {
        PromiseFact {
            kind,
            status,
            owner_id: Some("sanne".into()),
            channel: "phone".into(),
            created_at: created,
            closed_at: closed,
            due_at: created,
            not_before: created,
            customer_id: None,
            customer_name: None,
            location_id: None,
            first_attempt_at: None,
            frustrated: false,
            minutes: None,
        }
    }

    #[test]
    fn time_counts_in_opening_hours_across_a_night_a_weekend_and_a_clock_change() {
        // Weekdays 09:00–17:30, Europe/Amsterdam.
        let hours = BusinessHours::default();
        // Tuesday 2 March 22:00 → Wednesday 09:10 (winter time, UTC+1): 10 minutes.
        assert_eq!(hours.business_minutes_between(utc(3, 2, 21, 0), utc(3, 3, 8, 10)), 10);
        // Friday 5 March 17:00 → Monday 09:30: 30 + 30 minutes.
        assert_eq!(hours.business_minutes_between(utc(3, 5, 16, 0), utc(3, 8, 8, 30)), 60);
        // Friday 26 March 17:00 (UTC+1) → Monday 29 March 09:30 (UTC+2, after the clocks went
        // forward on Sunday): still 60 opening-hour minutes, though 63.5 hours passed.
        assert_eq!(hours.business_minutes_between(utc(3, 26, 16, 0), utc(3, 29, 7, 30)), 60);
        assert_eq!(hours.business_minutes_between(utc(3, 3, 9, 0), utc(3, 3, 8, 0)), 0);
    }

    #[test]
    fn figures_per_kind_with_percentages_and_percentiles_worked_out_by_hand() {
        let hours = BusinessHours::default();
        let facts = [
            fact(
                PromiseKind::Callback,
                PromiseStatus::Kept,
                utc(3, 2, 21, 0),
                Some(utc(3, 3, 8, 10)),
            ),
            fact(
                PromiseKind::Callback,
                PromiseStatus::Kept,
                utc(3, 5, 16, 0),
                Some(utc(3, 8, 8, 30)),
            ),
            // Broken, then done late: counted as broken, and its 240 minutes count for speed.
            fact(
                PromiseKind::Callback,
                PromiseStatus::Broken,
                utc(3, 3, 9, 0),
                Some(utc(3, 3, 13, 0)),
            ),
            fact(PromiseKind::Callback, PromiseStatus::Open, utc(3, 4, 9, 0), None),
            fact(
                PromiseKind::Reply,
                PromiseStatus::Cancelled,
                utc(3, 4, 9, 0),
                Some(utc(3, 4, 9, 5)),
            ),
        ];
        let mut facts = facts;
        time_all(&mut facts, &hours);
        let groups = summarise(&facts, GroupBy::Kind, &hours);
        assert_eq!(groups.len(), 2);
        let callbacks = &groups[0];
        assert_eq!(callbacks.key, "callback");
        assert_eq!(
            (callbacks.made, callbacks.kept, callbacks.broken, callbacks.open),
            (4, 2, 1, 1)
        );
        // 2 of 3 that ended: 66.7 %. Minutes 10, 60, 240: median 60, p90 240.
        assert_eq!(callbacks.kept_pct, Some(66.7));
        assert_eq!((callbacks.median_minutes, callbacks.p90_minutes), (Some(60), Some(240)));
        let replies = &groups[1];
        assert_eq!((replies.made, replies.cancelled, replies.kept_pct), (1, 1, None));
        assert_eq!(replies.median_minutes, None, "a cancelled promise has no speed");
        let by_day = summarise(&facts, GroupBy::Day, &hours);
        assert_eq!(by_day[0].key, "2027-03-02");
        assert_eq!(nearest_rank(&[10, 60], 0.5), Some(10));
        assert_eq!(nearest_rank(&[], 0.5), None);
    }
}
