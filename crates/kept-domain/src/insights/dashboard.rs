//! Everything the insights page (and the owner's weekly e-mail) shows for one period, worked
//! out from facts the store reads from the records themselves: promises over time, per kind,
//! person and channel; how fast callbacks were first tried; satisfaction; contracts kept and
//! lost with the reasons; and the signals nobody picked up.
//!
//! New promise kinds, channels and survey kinds appear here without code of their own: every
//! table is grouped by the values found.

use std::collections::BTreeMap;

use chrono::{DateTime, NaiveDate, Utc};

use super::period::Period;
use super::{GroupBy, PromiseFact, figures, nearest_rank, summarise};
use crate::booking::AppointmentStatus;
use crate::contract::ContractStatus;
use crate::hours::{BusinessHours, OpeningCalendar};
use crate::promise::{PromiseKind, PromiseStatus};
use crate::survey::SurveyKind;

/// An answered survey.
#[derive(Debug, Clone, PartialEq)]
pub struct SurveyFact {
    pub id: String,
    pub kind: SurveyKind,
    pub score: Option<i64>,
    pub reason: Option<String>,
    pub answered_at: DateTime<Utc>,
    pub customer_id: String,
    pub customer_name: Option<String>,
    pub handler_id: Option<String>,
    pub recovery_id: Option<String>,
    pub recovery_status: Option<PromiseStatus>,
}

/// A contract whose outcome was recorded.
#[derive(Debug, Clone, PartialEq)]
pub struct ContractFact {
    pub status: ContractStatus,
    pub outcome_at: DateTime<Utc>,
    /// Who owned the outreach call.
    pub owner_id: Option<String>,
}

/// An appointment by its start.
#[derive(Debug, Clone, PartialEq)]
pub struct AppointmentFact {
    pub location_id: String,
    pub staff_id: String,
    pub status: AppointmentStatus,
    pub start: DateTime<Utc>,
}

/// What the store read for a period (and the one before it, for the comparison).
#[derive(Debug, Clone, Default)]
pub struct Facts {
    pub promises: Vec<PromiseFact>,
    pub surveys: Vec<SurveyFact>,
    pub contracts: Vec<ContractFact>,
    pub appointments: Vec<AppointmentFact>,
}

/// What to look at. Channel and kind narrow the promises; the staff member narrows everything
/// that has a person; the location narrows the promises about its appointments and its
/// appointments.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Filter {
    pub staff_id: Option<String>,
    pub channel: Option<String>,
    pub kind: Option<PromiseKind>,
    pub location_id: Option<String>,
}

fn matches(wanted: &Option<String>, value: Option<&str>) -> bool {
    wanted.as_deref().is_none_or(|w| value == Some(w))
}

impl Filter {
    fn keeps_promise(&self, fact: &PromiseFact) -> bool {
        matches(&self.staff_id, fact.owner_id.as_deref())
            && matches(&self.channel, Some(&fact.channel))
            && self.kind.is_none_or(|k| k == fact.kind)
            && matches(&self.location_id, fact.location_id.as_deref())
    }

    /// Surveys and contracts have no channel, kind or location of their own.
    fn keeps_person(&self, person: Option<&str>) -> bool {
        matches(&self.staff_id, person) && self.channel.is_none() && self.kind.is_none() && self.location_id.is_none()
    }

    fn keeps_appointment(&self, fact: &AppointmentFact) -> bool {
        matches(&self.staff_id, Some(&fact.staff_id))
            && matches(&self.location_id, Some(&fact.location_id))
            && self.channel.is_none()
            && self.kind.is_none()
    }

    /// The facts this filter lets through.
    pub fn apply(&self, facts: Facts) -> Facts {
        Facts {
            promises: facts.promises.into_iter().filter(|f| self.keeps_promise(f)).collect(),
            surveys: facts
                .surveys
                .into_iter()
                .filter(|s| self.keeps_person(s.handler_id.as_deref()))
                .collect(),
            contracts: facts
                .contracts
                .into_iter()
                .filter(|c| self.keeps_person(c.owner_id.as_deref()))
                .collect(),
            appointments: facts
                .appointments
                .into_iter()
                .filter(|a| self.keeps_appointment(a))
                .collect(),
        }
    }
}

/// Callbacks first tried within `up_to` opening-hour minutes (the last bucket: longer).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SpeedBucket {
    pub up_to: Option<i64>,
    pub count: usize,
}

/// How fast callbacks were first tried, in opening-hour minutes from the request (or the start
/// of the window the customer chose).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Speed {
    pub buckets: Vec<SpeedBucket>,
    pub tried: usize,
    /// Requested in the period and not tried yet.
    pub untried: usize,
    pub median_minutes: Option<i64>,
    pub p90_minutes: Option<i64>,
}

/// The bucket limits of the callback speed chart, in opening-hour minutes.
pub const SPEED_LIMITS: [i64; 5] = [15, 30, 60, 120, 240];

/// Satisfaction answers of one step of the period (or all of it).
#[derive(Debug, Clone, PartialEq)]
pub struct ScoreStep {
    pub key: String,
    pub csat_answers: usize,
    /// The average CSAT score, one decimal.
    pub csat_average: Option<f64>,
    pub nps_answers: usize,
    /// Promoters (9–10) minus detractors (0–6), in whole percent.
    pub nps: Option<i64>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReasonCount {
    pub reason: String,
    pub count: usize,
}

/// Contracts renewed and lost, and why customers said they left.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Retention {
    pub renewed: usize,
    pub left: usize,
    pub undecided: usize,
    /// The exit survey's reasons, most given first.
    pub reasons: Vec<ReasonCount>,
}

/// Appointments of one status.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct VisitCount {
    pub status: AppointmentStatus,
    pub count: usize,
}

/// A customer to whom more than one promise was broken.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Repeated {
    pub customer_id: String,
    pub customer_name: Option<String>,
    pub broken: usize,
}

/// What someone should have picked up.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Signals {
    /// Frustrated customers whose message was answered late (or not at all).
    pub frustrated_answered_late: Vec<PromiseFact>,
    /// Customers with two or more broken promises in the period.
    pub broken_twice: Vec<Repeated>,
    /// Low scores (and exits) whose recovery call was not kept.
    pub unrecovered: Vec<SurveyFact>,
}

impl Signals {
    pub fn is_empty(&self) -> bool {
        self.frustrated_answered_late.is_empty() && self.broken_twice.is_empty() && self.unrecovered.is_empty()
    }
}

/// Everything shown for one period.
#[derive(Debug, Clone, PartialEq)]
pub struct Dashboard {
    pub period: Period,
    pub previous_period: Period,
    /// All promises of the period, and of the one before.
    pub totals: super::Group,
    pub previous_totals: super::Group,
    /// Per day (or week, for long periods), every step shown.
    pub over_time: Vec<super::Group>,
    pub by_kind: Vec<super::Group>,
    pub by_staff: Vec<super::Group>,
    /// Reply promises per channel: how fast customers got a first answer.
    pub first_response: Vec<super::Group>,
    pub callback_speed: Speed,
    pub satisfaction: Vec<ScoreStep>,
    pub satisfaction_totals: ScoreStep,
    pub previous_satisfaction: ScoreStep,
    pub retention: Retention,
    pub appointments: Vec<VisitCount>,
    /// Broken promises, oldest first.
    pub broken: Vec<PromiseFact>,
    pub signals: Signals,
}

impl Dashboard {
    /// Nothing happened in the period nor in the one before: no promise made, no answer from a
    /// customer (a first week, before kept was in use). The owners' e-mail then says nothing.
    pub fn is_empty(&self) -> bool {
        let quiet = |s: &ScoreStep| s.csat_answers == 0 && s.nps_answers == 0;
        self.totals.made == 0
            && self.previous_totals.made == 0
            && quiet(&self.satisfaction_totals)
            && quiet(&self.previous_satisfaction)
    }

    /// The dashboard of `period` from the facts of the period and the one before it (each
    /// read from its own period), narrowed by `filter`. Takes the facts to keep them without
    /// copies: a quarter of a busy business is tens of thousands of promises.
    pub fn compute(
        period: Period,
        current: Facts,
        previous: Facts,
        filter: &Filter,
        hours: &BusinessHours,
    ) -> Dashboard {
        let mut current = filter.apply(current);
        let mut previous = filter.apply(previous);
        super::time_all(&mut current.promises, hours);
        super::time_all(&mut previous.promises, hours);
        let facts = &current.promises;
        let replies = facts.iter().filter(|f| f.kind == PromiseKind::Reply);
        let mut board = Dashboard {
            period,
            previous_period: period.previous(),
            totals: total(facts),
            previous_totals: total(&previous.promises),
            over_time: over_time(facts, &period, hours),
            by_kind: summarise(facts, GroupBy::Kind, hours),
            by_staff: summarise(facts, GroupBy::Staff, hours),
            first_response: summarise(replies, GroupBy::Channel, hours),
            callback_speed: callback_speed(facts, hours),
            satisfaction: satisfaction_over_time(&current.surveys, &period, hours),
            satisfaction_totals: scores(String::new(), current.surveys.iter()),
            previous_satisfaction: scores(String::new(), previous.surveys.iter()),
            retention: retention(&current.contracts, &current.surveys),
            appointments: visits(&current.appointments),
            signals: signals(facts, &current.surveys),
            broken: Vec::new(),
        };
        board.broken = current
            .promises
            .into_iter()
            .filter(|f| f.status == PromiseStatus::Broken)
            .collect();
        board
            .broken
            .sort_by(|a, b| (a.created_at, &a.customer_id, a.due_at).cmp(&(b.created_at, &b.customer_id, b.due_at)));
        board
    }
}

fn total(facts: &[PromiseFact]) -> super::Group {
    let all: Vec<&PromiseFact> = facts.iter().collect();
    figures(String::new(), &all)
}

/// The figures of each step of the period, keyed by the step's first day.
fn over_time(facts: &[PromiseFact], period: &Period, hours: &BusinessHours) -> Vec<super::Group> {
    let mut steps: BTreeMap<NaiveDate, Vec<&PromiseFact>> =
        period.steps().into_iter().map(|s| (s, Vec::new())).collect();
    for fact in facts {
        let step = period.step_start(hours.local_date(fact.created_at));
        if let Some(list) = steps.get_mut(&step) {
            list.push(fact);
        }
    }
    steps
        .into_iter()
        .map(|(step, list)| figures(step.to_string(), &list))
        .collect()
}

fn callback_speed(facts: &[PromiseFact], hours: &BusinessHours) -> Speed {
    let callbacks: Vec<&PromiseFact> = facts.iter().filter(|f| f.kind == PromiseKind::Callback).collect();
    let moments = callbacks
        .iter()
        .flat_map(|f| [Some(f.created_at.max(f.not_before)), f.first_attempt_at]);
    let calendar = OpeningCalendar::covering(hours, moments.flatten());
    let mut minutes: Vec<i64> = Vec::new();
    let mut untried = 0;
    for callback in callbacks {
        match callback.first_attempt_at {
            Some(tried) => {
                let asked = callback.created_at.max(callback.not_before);
                minutes.push(calendar.minutes_between(asked, tried));
            }
            None if callback.status == PromiseStatus::Cancelled => {}
            None => untried += 1,
        }
    }
    minutes.sort_unstable();
    let mut buckets: Vec<SpeedBucket> = SPEED_LIMITS
        .iter()
        .map(|limit| SpeedBucket {
            up_to: Some(*limit),
            count: 0,
        })
        .collect();
    buckets.push(SpeedBucket { up_to: None, count: 0 });
    for m in &minutes {
        let index = SPEED_LIMITS
            .iter()
            .position(|limit| m <= limit)
            .unwrap_or(SPEED_LIMITS.len());
        if let Some(bucket) = buckets.get_mut(index) {
            bucket.count += 1;
        }
    }
    Speed {
        buckets,
        tried: minutes.len(),
        untried,
        median_minutes: nearest_rank(&minutes, 0.5),
        p90_minutes: nearest_rank(&minutes, 0.9),
    }
}

fn scores<'a>(key: String, surveys: impl Iterator<Item = &'a SurveyFact>) -> ScoreStep {
    let (mut csat, mut nps) = (Vec::new(), Vec::new());
    for survey in surveys {
        match (survey.kind, survey.score) {
            (SurveyKind::Csat, Some(score)) => csat.push(score),
            (SurveyKind::Nps, Some(score)) => nps.push(score),
            _ => {}
        }
    }
    let average =
        (!csat.is_empty()).then(|| (csat.iter().sum::<i64>() as f64 * 10.0 / csat.len() as f64).round() / 10.0);
    let promoters = nps.iter().filter(|s| **s >= 9).count() as f64;
    let detractors = nps.iter().filter(|s| **s <= 6).count() as f64;
    ScoreStep {
        key,
        csat_answers: csat.len(),
        csat_average: average,
        nps_answers: nps.len(),
        nps: (!nps.is_empty()).then(|| ((promoters - detractors) * 100.0 / nps.len() as f64).round() as i64),
    }
}

fn satisfaction_over_time(surveys: &[SurveyFact], period: &Period, hours: &BusinessHours) -> Vec<ScoreStep> {
    let mut steps: BTreeMap<NaiveDate, Vec<&SurveyFact>> =
        period.steps().into_iter().map(|s| (s, Vec::new())).collect();
    for survey in surveys {
        let step = period.step_start(hours.local_date(survey.answered_at));
        if let Some(list) = steps.get_mut(&step) {
            list.push(survey);
        }
    }
    steps
        .into_iter()
        .map(|(step, list)| scores(step.to_string(), list.into_iter()))
        .collect()
}

fn retention(contracts: &[ContractFact], surveys: &[SurveyFact]) -> Retention {
    let count = |status| contracts.iter().filter(|c| c.status == status).count();
    let mut reasons: BTreeMap<&str, usize> = BTreeMap::new();
    for reason in surveys
        .iter()
        .filter(|s| s.kind == SurveyKind::Exit)
        .filter_map(|s| s.reason.as_deref())
    {
        *reasons.entry(reason).or_default() += 1;
    }
    let mut reasons: Vec<ReasonCount> = reasons
        .into_iter()
        .map(|(reason, count)| ReasonCount {
            reason: reason.to_string(),
            count,
        })
        .collect();
    reasons.sort_by(|a, b| b.count.cmp(&a.count).then_with(|| a.reason.cmp(&b.reason)));
    Retention {
        renewed: count(ContractStatus::Renewed),
        left: count(ContractStatus::Left),
        undecided: count(ContractStatus::Undecided),
        reasons,
    }
}

fn visits(appointments: &[AppointmentFact]) -> Vec<VisitCount> {
    let mut counts: Vec<VisitCount> = Vec::new();
    for appointment in appointments {
        match counts.iter_mut().find(|c| c.status == appointment.status) {
            Some(count) => count.count += 1,
            None => counts.push(VisitCount {
                status: appointment.status,
                count: 1,
            }),
        }
    }
    counts.sort_by_key(|c| c.status.as_str());
    counts
}

fn signals(facts: &[PromiseFact], surveys: &[SurveyFact]) -> Signals {
    let frustrated_answered_late = facts
        .iter()
        .filter(|f| f.kind == PromiseKind::Reply && f.status == PromiseStatus::Broken && f.frustrated)
        .cloned()
        .collect();
    let mut per_customer: BTreeMap<&str, (Option<&str>, usize)> = BTreeMap::new();
    for fact in facts.iter().filter(|f| f.status == PromiseStatus::Broken) {
        if let Some(customer) = fact.customer_id.as_deref() {
            let entry = per_customer
                .entry(customer)
                .or_insert((fact.customer_name.as_deref(), 0));
            entry.1 += 1;
        }
    }
    let mut broken_twice: Vec<Repeated> = per_customer
        .into_iter()
        .filter(|(_, (_, broken))| *broken >= 2)
        .map(|(id, (name, broken))| Repeated {
            customer_id: id.to_string(),
            customer_name: name.map(str::to_string),
            broken,
        })
        .collect();
    broken_twice.sort_by(|a, b| b.broken.cmp(&a.broken).then_with(|| a.customer_id.cmp(&b.customer_id)));
    let unrecovered = surveys
        .iter()
        .filter(|s| s.kind.needs_recovery(s.score) && s.recovery_status != Some(PromiseStatus::Kept))
        .cloned()
        .collect();
    Signals {
        frustrated_answered_late,
        broken_twice,
        unrecovered,
    }
}

#[cfg(test)]
mod tests {
    use super::super::tests::{fact, utc};
    use super::*;

    fn survey(kind: SurveyKind, score: Option<i64>, day: u32, recovery: Option<PromiseStatus>) -> SurveyFact {
        SurveyFact {
            id: format!("s{day}{score:?}"),
            kind,
            score,
            reason: (kind == SurveyKind::Exit).then(|| "Te duur".to_string()),
            answered_at: utc(3, day, 10, 0),
            customer_id: "klant".into(),
            customer_name: Some("Jan".into()),
            handler_id: Some("sanne".into()),
            recovery_id: recovery.map(|_| "herstel".into()),
            recovery_status: recovery,
        }
    }

    #[test]
    fn a_week_worked_out_by_hand() {
        let hours = BusinessHours::default();
        // The week of Monday 1 March 2027.
        let period = Period {
            from: NaiveDate::from_ymd_opt(2027, 3, 1).unwrap(),
            to: NaiveDate::from_ymd_opt(2027, 3, 7).unwrap(),
        };
        let mut night = fact(
            PromiseKind::Callback,
            PromiseStatus::Kept,
            utc(3, 2, 21, 0),
            Some(utc(3, 3, 8, 10)),
        );
        night.first_attempt_at = Some(utc(3, 3, 8, 10));
        // Asked on Wednesday 10:00 for "after 14:00": tried at 14:20, 20 minutes into its window.
        let mut window = fact(
            PromiseKind::Callback,
            PromiseStatus::Kept,
            utc(3, 3, 9, 0),
            Some(utc(3, 3, 13, 20)),
        );
        window.not_before = utc(3, 3, 13, 0);
        window.first_attempt_at = Some(utc(3, 3, 13, 20));
        // Tried after 3 hours without reaching anyone, then broken.
        let mut late = fact(
            PromiseKind::Callback,
            PromiseStatus::Broken,
            utc(3, 4, 8, 0),
            Some(utc(3, 4, 15, 0)),
        );
        late.first_attempt_at = Some(utc(3, 4, 11, 0));
        late.customer_id = Some("klant".into());
        let untried = fact(PromiseKind::Callback, PromiseStatus::Open, utc(3, 5, 9, 0), None);
        let mut reply = fact(
            PromiseKind::Reply,
            PromiseStatus::Broken,
            utc(3, 4, 9, 0),
            Some(utc(3, 5, 9, 0)),
        );
        reply.frustrated = true;
        reply.channel = "email".into();
        reply.customer_id = Some("klant".into());
        let facts = Facts {
            promises: vec![night, window, late, untried, reply],
            surveys: vec![
                survey(SurveyKind::Csat, Some(5), 2, None),
                survey(SurveyKind::Csat, Some(2), 3, Some(PromiseStatus::Open)),
                survey(SurveyKind::Nps, Some(10), 3, None),
                survey(SurveyKind::Nps, Some(9), 4, None),
                survey(SurveyKind::Nps, Some(3), 4, Some(PromiseStatus::Kept)),
                survey(SurveyKind::Exit, None, 5, Some(PromiseStatus::Kept)),
            ],
            contracts: vec![
                ContractFact {
                    status: ContractStatus::Renewed,
                    outcome_at: utc(3, 2, 10, 0),
                    owner_id: Some("sanne".into()),
                },
                ContractFact {
                    status: ContractStatus::Left,
                    outcome_at: utc(3, 5, 10, 0),
                    owner_id: Some("sanne".into()),
                },
            ],
            appointments: Vec::new(),
        };
        let board = Dashboard::compute(period, facts.clone(), Facts::default(), &Filter::default(), &hours);
        // 5 made, 2 kept, 2 broken, 1 open: 50 % kept.
        assert_eq!(
            (
                board.totals.made,
                board.totals.kept,
                board.totals.broken,
                board.totals.open
            ),
            (5, 2, 2, 1)
        );
        assert_eq!(board.totals.kept_pct, Some(50.0));
        assert_eq!(board.previous_totals.made, 0);
        assert_eq!(board.over_time.len(), 7, "every day of the week, also the empty ones");
        assert_eq!(board.over_time[0].made, 0);
        assert_eq!(
            (board.over_time[3].key.as_str(), board.over_time[3].made),
            ("2027-03-04", 2)
        );
        // First tries after 10, 20 and 180 opening-hour minutes; one not tried yet.
        let speed = &board.callback_speed;
        assert_eq!((speed.tried, speed.untried), (3, 1));
        assert_eq!((speed.median_minutes, speed.p90_minutes), (Some(20), Some(180)));
        let counts: Vec<usize> = speed.buckets.iter().map(|b| b.count).collect();
        assert_eq!(counts, [1, 1, 0, 0, 1, 0]);
        // Replies by e-mail: one, broken after a whole opening day (8.5 hours = 510 minutes).
        assert_eq!(board.first_response.len(), 1);
        assert_eq!(board.first_response[0].key, "email");
        assert_eq!(board.first_response[0].median_minutes, Some(510));
        // CSAT (5 + 2) / 2 = 3.5; NPS: 2 promoters, 1 detractor of 3 = 33.
        assert_eq!(board.satisfaction_totals.csat_average, Some(3.5));
        assert_eq!(board.satisfaction_totals.nps, Some(33));
        assert_eq!(board.satisfaction[2].csat_answers, 1);
        assert_eq!((board.retention.renewed, board.retention.left), (1, 1));
        assert_eq!(
            board.retention.reasons,
            vec![ReasonCount {
                reason: "Te duur".into(),
                count: 1
            }]
        );
        // Signals: the frustrated customer answered late; the same customer broken twice; the
        // CSAT 2 whose recovery call is still open (the NPS 3 and the exit were recovered).
        assert_eq!(board.signals.frustrated_answered_late.len(), 1);
        assert_eq!(board.signals.broken_twice.len(), 1);
        assert_eq!(board.signals.broken_twice[0].broken, 2);
        assert_eq!(board.signals.unrecovered.len(), 1);
        assert_eq!(board.signals.unrecovered[0].score, Some(2));
        assert_eq!(board.broken.len(), 2);

        let only_email = Filter {
            channel: Some("email".into()),
            ..Filter::default()
        };
        let narrowed = Dashboard::compute(period, facts.clone(), Facts::default(), &only_email, &hours);
        assert_eq!(narrowed.totals.made, 1);
        assert_eq!(narrowed.satisfaction_totals.csat_answers, 0, "surveys have no channel");
    }
}
