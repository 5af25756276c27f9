//! The customer's answers to an appointment's calendar invitation (accepted, tentative,
//! declined), each kept in order, the latest shown on the appointment and every one on the
//! customer's timeline. A decline of an appointment still to come is a promise for its staff
//! member to get in touch (kind `rebook`, announced at once); a later accept withdraws it. The
//! only SQL on `appointment_answers`.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use kept_domain::promise::Closing;
use kept_domain::{AppointmentStatus, CalendarAnswer, CancelReason, OutboxEvent, PromiseKind, PromiseStatus, new_id};
use sqlx::{AnyConnection, Row};

use crate::dialect::parse_enum;
use crate::model::Fanout;
use crate::outbox::{self, Announcement};
use crate::promises::{self, Actor, NewPromise};
use crate::sql::SqlStore;
use crate::time::{from_ms, to_ms};
use crate::{Result, StoreError};

/// An answer read from a calendar reply.
#[derive(Debug, Clone)]
pub struct NewCalendarAnswer {
    pub appointment_id: String,
    /// Who answered: must be the appointment's own address, or the answer is not theirs.
    pub from_address: String,
    pub answer: CalendarAnswer,
    pub comment: Option<String>,
    /// When the staff member must have been in touch after a decline.
    pub rebook_due: DateTime<Utc>,
    pub now: DateTime<Utc>,
    pub fanout: Fanout,
}

/// The latest answer, as the appointment shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CalendarAnswerView {
    pub answer: CalendarAnswer,
    pub comment: Option<String>,
    pub at: DateTime<Utc>,
}

/// What recording an answer did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AnswerRecorded {
    pub appointment_id: String,
    pub customer_id: String,
    /// The promise to get in touch a decline made.
    pub rebook_promise: Option<String>,
}

#[async_trait]
pub trait CalendarAnswers {
    /// Records an answer; `NotFound` when the appointment is unknown or not the sender's.
    async fn record_calendar_answer(&self, answer: NewCalendarAnswer) -> Result<AnswerRecorded>;
    /// The latest answer to an appointment's invitation.
    async fn calendar_answer(&self, appointment_id: &str) -> Result<Option<CalendarAnswerView>>;
}

#[async_trait]
impl CalendarAnswers for SqlStore {
    async fn record_calendar_answer(&self, new: NewCalendarAnswer) -> Result<AnswerRecorded> {
        let mut tx = self.begin_write().await?;
        let row = sqlx::query("SELECT customer_id, staff_id, email, status FROM appointments WHERE id = $1")
            .bind(&new.appointment_id)
            .fetch_optional(&mut *tx)
            .await?
            .ok_or(StoreError::NotFound)?;
        let email: String = row.try_get("email")?;
        if !email.eq_ignore_ascii_case(new.from_address.trim()) {
            return Err(StoreError::NotFound);
        }
        let customer_id: String = row.try_get("customer_id")?;
        let staff_id: String = row.try_get("staff_id")?;
        let status = parse_enum(row.try_get("status")?, AppointmentStatus::parse)?;
        sqlx::query(
            "INSERT INTO appointment_answers (id, appointment_id, customer_id, answer, comment, at_ms) \
             VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(new_id())
        .bind(&new.appointment_id)
        .bind(&customer_id)
        .bind(new.answer.as_str())
        .bind(new.comment.as_deref())
        .bind(to_ms(new.now))
        .execute(&mut *tx)
        .await?;
        let open = open_rebook(&mut tx, &new.appointment_id).await?;
        let rebook_promise = match (new.answer, open) {
            (CalendarAnswer::Declined, Some(open)) => Some(open),
            (CalendarAnswer::Declined, None) if status.is_active() => {
                Some(rebook(&mut tx, &new, &customer_id, &staff_id).await?)
            }
            (CalendarAnswer::Declined, None) => None,
            // Coming after all: nobody needs to call about it any more.
            (_, Some(open)) => {
                let closing = Closing::Cancelled(CancelReason::Withdrawn);
                promises::close(&mut tx, &open, closing, Actor::default(), new.now).await?;
                None
            }
            (_, None) => None,
        };
        tx.commit().await?;
        Ok(AnswerRecorded {
            appointment_id: new.appointment_id,
            customer_id,
            rebook_promise,
        })
    }

    async fn calendar_answer(&self, appointment_id: &str) -> Result<Option<CalendarAnswerView>> {
        let row = sqlx::query(
            "SELECT answer, comment, at_ms FROM appointment_answers WHERE appointment_id = $1 \
             ORDER BY at_ms DESC, id DESC LIMIT 1",
        )
        .bind(appointment_id)
        .fetch_optional(&self.read)
        .await?;
        row.map(|r| {
            Ok(CalendarAnswerView {
                answer: parse_enum(r.try_get("answer")?, CalendarAnswer::parse)?,
                comment: r.try_get("comment")?,
                at: from_ms(r.try_get("at_ms")?),
            })
        })
        .transpose()
    }
}

/// The open promise to get in touch about this appointment, if there is one.
pub(crate) async fn open_rebook(conn: &mut AnyConnection, appointment_id: &str) -> Result<Option<String>> {
    let row = sqlx::query("SELECT id FROM promises WHERE subject_id = $1 AND kind = $2 AND status = $3")
        .bind(appointment_id)
        .bind(PromiseKind::Rebook.as_str())
        .bind(PromiseStatus::Open.as_str())
        .fetch_optional(&mut *conn)
        .await?;
    row.map(|r| Ok(r.try_get("id")?)).transpose()
}

/// A promise for the appointment's staff member to get in touch, announced at once.
async fn rebook(
    conn: &mut AnyConnection,
    new: &NewCalendarAnswer,
    customer_id: &str,
    staff_id: &str,
) -> Result<String> {
    let promise_id = new_id();
    let promise = NewPromise {
        id: &promise_id,
        kind: PromiseKind::Rebook,
        subject_id: &new.appointment_id,
        customer_id,
        owner_id: Some(staff_id),
        channel: None,
        not_before: new.now,
        due_at: new.rebook_due,
        now: new.now,
    };
    promises::insert(&mut *conn, &[promise]).await?;
    let recipients = [staff_id.to_string()];
    let announcement = Announcement {
        event: OutboxEvent::AppointmentDeclined,
        subject_id: &promise_id,
        recipients: &recipients,
        fanout: new.fanout,
        now: new.now,
    };
    outbox::announce(&mut *conn, &[announcement]).await?;
    Ok(promise_id)
}
