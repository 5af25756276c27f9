//! Working through the outbox: the items due now, in which order they may go, what each is
//! about (read at delivery time, so a retry a day later still names the right person), and
//! what a failure means. The ways out (SMTP, webhooks, channels, kept's own hooks) are a
//! [`Courier`] the web crate implements; they answer with a [`DeliveryError`].

use async_trait::async_trait;
use chrono::{DateTime, Duration, Utc};
use futures::StreamExt;
use kept_domain::Delivery;
use kept_domain::{OutboxEvent, PromiseKind};
use kept_store::{
    AppointmentView, CallbackView, ContractView, ConversationView, DigestView, FollowUpView, OutboxItem,
    PasswordLinkView, SurveyView, WaitingView,
};

use crate::App;
use crate::error::AppError;

/// After this many attempts an item is given up and marked failed.
const MAX_ATTEMPTS: i64 = 10;

#[derive(Debug, thiserror::Error)]
pub enum DeliveryError {
    /// Worth trying again later (network, a busy server).
    #[error("{0}")]
    Temporary(String),
    /// Will never work (the recipient does not exist, the address is refused).
    #[error("{0}")]
    Permanent(String),
}

impl DeliveryError {
    /// When to try again, or `None` to give up. The wait doubles from 10 seconds up to an hour.
    pub fn retry_at(&self, now: DateTime<Utc>, attempts: i64) -> Option<DateTime<Utc>> {
        match self {
            DeliveryError::Temporary(_) if attempts < MAX_ATTEMPTS => {
                let doublings = u32::try_from(attempts.clamp(1, 20) - 1).unwrap_or(0);
                let wait = Duration::seconds(10 * 2i64.pow(doublings)).min(Duration::hours(1));
                Some(now + wait)
            }
            _ => None,
        }
    }
}

/// A failure worth another try.
pub fn temporary(error: impl ToString) -> DeliveryError {
    DeliveryError::Temporary(error.to_string())
}

/// What a notification is about, read at delivery time.
pub enum Subject {
    Callback(CallbackView),
    Conversation(ConversationView),
    FollowUp(FollowUpView),
    /// A one-time link to set a password: e-mailed to the person it is for, nowhere else.
    PasswordLink(PasswordLinkView),
    Appointment(Box<AppointmentView>),
    /// Someone on the waiting list, to be offered a freed time.
    Waiting(WaitingView),
    /// A location's day: the "expected today" e-mail to its staff.
    Digest(DigestView),
    /// A survey: asking the customer, or a low answer for staff.
    Survey(SurveyView),
    /// A contract: the outreach before it ends, or a customer who left.
    Contract(ContractView),
    /// Last week's figures for the owners.
    WeeklyFigures(Box<WeeklyFigures>),
    /// A declined calendar invitation: the promise to get in touch, and its appointment.
    Rebook(Box<Rebook>),
    /// A mailbox kept cannot fetch from: for the owners.
    Mailbox(kept_store::MailboxState),
}

/// A promise to get in touch with a customer who declined their appointment's invitation.
pub struct Rebook {
    pub promise: kept_store::PromiseRecord,
    pub appointment: AppointmentView,
    pub answer: Option<kept_store::CalendarAnswerView>,
}

/// The figures of a week as the owners' Monday e-mail shows them.
pub struct WeeklyFigures {
    pub board: kept_domain::insights::Dashboard,
    /// Staff names by id, for the tables.
    pub staff_names: std::collections::HashMap<String, String>,
}

/// The kinds of record a notice can be about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum SubjectKind {
    Callback,
    Conversation,
    FollowUp,
    PasswordLink,
    Appointment,
    Waiting,
    Digest,
    Survey,
    Contract,
    WeeklyFigures,
    /// Named by the promise itself (its subject is the appointment).
    Rebook,
    Mailbox,
}

impl SubjectKind {
    /// What a promise of each kind is about. This is the register of subjects: the match is
    /// exhaustive, so a new promise kind does not compile until it names its own subject, and
    /// nothing falls through to another kind's path.
    fn of_promise(kind: PromiseKind) -> SubjectKind {
        match kind {
            PromiseKind::Callback | PromiseKind::CallbackRetry => SubjectKind::Callback,
            PromiseKind::Reply => SubjectKind::Conversation,
            PromiseKind::FollowUp => SubjectKind::FollowUp,
            PromiseKind::CallAhead => SubjectKind::Appointment,
            PromiseKind::Recovery => SubjectKind::Survey,
            PromiseKind::Retention => SubjectKind::Contract,
            PromiseKind::Rebook => SubjectKind::Rebook,
        }
    }

    async fn load(self, app: &App, id: &str) -> Result<Subject, DeliveryError> {
        let store = &app.store;
        Ok(match self {
            SubjectKind::Callback => Subject::Callback(found(store.callback(id).await, "callback request")?),
            SubjectKind::Conversation => Subject::Conversation(found(store.conversation(id).await, "conversation")?),
            SubjectKind::FollowUp => Subject::FollowUp(found(store.follow_up(id).await, "follow-up")?),
            SubjectKind::PasswordLink => Subject::PasswordLink(found(store.password_link(id).await, "password link")?),
            SubjectKind::Appointment => {
                Subject::Appointment(Box::new(found(store.appointment(id).await, "appointment")?))
            }
            SubjectKind::Waiting => Subject::Waiting(found(store.waiting(id).await, "waiting-list entry")?),
            SubjectKind::Digest => Subject::Digest(found(store.location_digest(id).await, "day digest")?),
            SubjectKind::Survey => Subject::Survey(found(store.survey(id).await, "survey")?),
            SubjectKind::Contract => Subject::Contract(found(store.contract(id).await, "contract")?),
            SubjectKind::Mailbox => Subject::Mailbox(found(store.mailbox(id).await, "mailbox")?),
            SubjectKind::Rebook => {
                let promise = found(store.promise(id).await, "promise")?;
                let appointment = found(store.appointment(&promise.subject_id).await, "appointment")?;
                let answer = store.calendar_answer(&appointment.id).await.map_err(temporary)?;
                Subject::Rebook(Box::new(Rebook {
                    promise,
                    appointment,
                    answer,
                }))
            }
            SubjectKind::WeeklyFigures => {
                let week = found(store.weekly_digest_week(id).await, "weekly figures")?;
                let retry = |e: AppError| DeliveryError::Temporary(e.to_string());
                let board = crate::weekly_dashboard(app, week).await.map_err(retry)?;
                let staff_names = crate::staff_names(app).await.map_err(retry)?;
                Subject::WeeklyFigures(Box::new(WeeklyFigures { board, staff_names }))
            }
        })
    }
}

/// A record loaded for a notice; a store failure is worth another try, a missing record is not.
fn found<T>(loaded: Result<Option<T>, kept_store::StoreError>, what: &str) -> Result<T, DeliveryError> {
    loaded.map_err(temporary)?.ok_or_else(|| gone(what))
}

/// A failure that will never go away: what the item is about was deleted.
pub fn gone(what: &str) -> DeliveryError {
    DeliveryError::Permanent(format!("the {what} no longer exists"))
}

/// Promise events name the promise (its kind says what it is about); the other events name
/// their record directly.
pub async fn subject_of(app: &App, item: &OutboxItem) -> Result<Subject, DeliveryError> {
    let store = &app.store;
    let (kind, id) = match item.event {
        OutboxEvent::PromiseReminder | OutboxEvent::PromiseEscalated => {
            let promise = found(store.promise(&item.subject_id).await, "promise")?;
            match SubjectKind::of_promise(promise.kind) {
                SubjectKind::Rebook => (SubjectKind::Rebook, promise.id),
                kind => (kind, promise.subject_id),
            }
        }
        OutboxEvent::MessageReceived | OutboxEvent::ConversationResolved | OutboxEvent::MessageAcknowledged => {
            (SubjectKind::Conversation, item.subject_id.clone())
        }
        OutboxEvent::MessageReply | OutboxEvent::MessageBounced => {
            let conversation = store
                .conversation_of_message(&item.subject_id)
                .await
                .map_err(temporary)?;
            (SubjectKind::Conversation, conversation.ok_or_else(|| gone("message"))?)
        }
        OutboxEvent::CallbackCreated | OutboxEvent::CallbackOutcome => (SubjectKind::Callback, item.subject_id.clone()),
        OutboxEvent::PasswordLink => (SubjectKind::PasswordLink, item.subject_id.clone()),
        OutboxEvent::AppointmentBooked
        | OutboxEvent::AppointmentRescheduled
        | OutboxEvent::AppointmentCancelled
        | OutboxEvent::AppointmentReminder
        | OutboxEvent::AppointmentOnMyWay
        | OutboxEvent::AppointmentDone => (SubjectKind::Appointment, item.subject_id.clone()),
        OutboxEvent::AppointmentSlotFreed => (SubjectKind::Waiting, item.subject_id.clone()),
        OutboxEvent::AppointmentDeclined => (SubjectKind::Rebook, item.subject_id.clone()),
        OutboxEvent::AppointmentDigest => (SubjectKind::Digest, item.subject_id.clone()),
        OutboxEvent::SurveyRequest | OutboxEvent::SurveyReminder | OutboxEvent::SurveyAnswered => {
            (SubjectKind::Survey, item.subject_id.clone())
        }
        OutboxEvent::ContractLeft => (SubjectKind::Contract, item.subject_id.clone()),
        OutboxEvent::InsightsDigest => (SubjectKind::WeeklyFigures, item.subject_id.clone()),
        OutboxEvent::MailboxFailing => (SubjectKind::Mailbox, item.subject_id.clone()),
    };
    kind.load(app, &id).await
}

/// The way out for outbox items — e-mail over SMTP, signed webhooks, channels, kept's own
/// hooks. The web crate's couriers implement it; a test can hand in one that only records.
#[async_trait]
pub trait Courier: Send + Sync {
    /// Carries `item`, which is about `subject`, to its recipient.
    async fn carry(&self, item: &OutboxItem, subject: &Subject) -> Result<(), DeliveryError>;
}

/// How a node works through the outbox.
#[derive(Debug, Clone, Copy)]
pub struct Pace {
    /// How long a node may hold an item before another node may try it.
    pub lease: Duration,
    /// Items claimed at one look.
    pub batch: i64,
    /// Deliveries in flight at once.
    pub concurrency: usize,
}

/// Claims what is due now, carries it through `courier` and records how each went; how many
/// items were attempted.
pub async fn deliver_due(app: &App, courier: &dyn Courier, pace: Pace) -> usize {
    let claimed = match claim_outbox(app, pace.lease, pace.batch).await {
        Ok(items) => items,
        Err(error) => {
            tracing::warn!(%error, "cannot read the outbox");
            return 0;
        }
    };
    let attempted = claimed.len();
    futures::stream::iter(lanes(claimed))
        .for_each_concurrent(pace.concurrency, |lane| async move {
            for item in lane {
                deliver_one(app, courier, &item).await;
            }
        })
        .await;
    attempted
}

/// Claimed items split into lanes that may be delivered side by side. What reaches a customer
/// (e-mail replies, channel messages, customer e-mails) keeps one lane in the order it was
/// written, so two replies never arrive the wrong way round; every other item is its own lane.
fn lanes(claimed: Vec<OutboxItem>) -> Vec<Vec<OutboxItem>> {
    let (to_customers, others): (Vec<_>, Vec<_>) = claimed.into_iter().partition(|item| {
        matches!(
            item.delivery,
            Delivery::EmailReply | Delivery::Channel | Delivery::CustomerEmail
        )
    });
    let mut lanes: Vec<Vec<OutboxItem>> = others.into_iter().map(|item| vec![item]).collect();
    if !to_customers.is_empty() {
        lanes.insert(0, to_customers);
    }
    lanes
}

/// Delivers one item and records how it went.
async fn deliver_one(app: &App, courier: &dyn Courier, item: &OutboxItem) {
    let outcome = match subject_of(app, item).await {
        Ok(subject) => courier.carry(item, &subject).await,
        Err(error) => Err(error),
    };
    if let Err(error) = record_delivery(app, item, &outcome).await {
        tracing::warn!(%error, id = item.id, "cannot record a delivery; it will be retried after its lease")
    }
}

/// The items due now (at most `limit`), each leased for `lease`: another node takes them only
/// after that, should this one stop before recording how they went.
pub async fn claim_outbox(app: &App, lease: Duration, limit: i64) -> Result<Vec<OutboxItem>, AppError> {
    Ok(app.store.claim_outbox(app.clock.now(), lease, limit).await?)
}

/// At start: what this node had claimed before it stopped is free for any node at once,
/// instead of after its lease.
pub async fn release_leases_at_start(app: &App) -> Result<(), AppError> {
    Ok(app.store.release_leases_at_start().await?)
}

/// Records how a delivery went: done, to be tried again (when the error says so, with a
/// growing wait) or given up.
pub async fn record_delivery(
    app: &App,
    item: &OutboxItem,
    outcome: &Result<(), DeliveryError>,
) -> Result<(), AppError> {
    let now = app.clock.now();
    match outcome {
        Ok(()) => app.store.outbox_delivered(item.id, now).await?,
        Err(failure) => {
            let retry_at = failure.retry_at(now, item.attempts);
            tracing::warn!(id = item.id, delivery = item.delivery.as_str(), error = %failure, retrying = retry_at.is_some(), "delivery failed");
            app.store.outbox_failed(item.id, &failure.to_string(), retry_at).await?
        }
    }
    // A reply's fate shows on its conversation, and sending it may have kept a promise.
    if item.event == OutboxEvent::MessageReply {
        app.announce(crate::Change::Conversations);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;

    use super::*;

    #[test]
    fn every_promise_kind_has_its_own_subject() {
        assert_eq!(SubjectKind::of_promise(PromiseKind::Reply), SubjectKind::Conversation);
        assert_eq!(SubjectKind::of_promise(PromiseKind::FollowUp), SubjectKind::FollowUp);
        assert_eq!(
            SubjectKind::of_promise(PromiseKind::CallAhead),
            SubjectKind::Appointment
        );
        assert_eq!(
            SubjectKind::of_promise(PromiseKind::CallbackRetry),
            SubjectKind::Callback
        );
        assert_eq!(SubjectKind::of_promise(PromiseKind::Recovery), SubjectKind::Survey);
        assert_eq!(SubjectKind::of_promise(PromiseKind::Retention), SubjectKind::Contract);
        assert_eq!(SubjectKind::of_promise(PromiseKind::Rebook), SubjectKind::Rebook);
    }

    #[test]
    fn backoff_doubles_and_gives_up() {
        let now = Utc.with_ymd_and_hms(2026, 11, 24, 9, 0, 0).unwrap();
        let error = DeliveryError::Temporary("busy".into());
        assert_eq!(error.retry_at(now, 1), Some(now + Duration::seconds(10)));
        assert_eq!(error.retry_at(now, 3), Some(now + Duration::seconds(40)));
        assert_eq!(error.retry_at(now, 9), Some(now + Duration::seconds(2560)));
        assert_eq!(error.retry_at(now, MAX_ATTEMPTS), None);
        assert_eq!(DeliveryError::Permanent("gone".into()).retry_at(now, 1), None);
    }
}
