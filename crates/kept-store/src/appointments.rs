//! Booked appointments: booking a free time (the database makes sure a staff member is never
//! booked twice at once), the day's list per location, and what staff and customers do to an
//! appointment afterwards.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use const_format::concatcp;
use kept_domain::ReminderOutcome;
use kept_domain::booking::CLAIM_MINUTES;
use kept_domain::promise::Closing;
use kept_domain::{
    AppointmentStatus, CalendarAnswer, CancelReason, Lang, OutboxEvent, PromiseKind, PromiseStatus, new_id,
};
use sqlx::any::AnyRow;
use sqlx::{AnyConnection, AnyPool, Row};

use crate::calendar_answers::CalendarAnswerView;
use crate::customers;
use crate::dialect::{Dialect, parse_enum, values_list};
use crate::model::{Fanout, Staff};
use crate::outbox::{self, Announcement, customer_email_row, hook_row};
use crate::promises::{self, Actor, NewPromise};
use crate::sql::SqlStore;
use crate::time::{from_ms, to_ms};
use crate::{Result, StoreError};

/// When and for whom a time is claimed: a booking, or a move to another time.
#[derive(Debug, Clone)]
pub struct NewTime {
    /// Who could take it, preferred first: the first whose time is still free gets it.
    pub staff_ids: Vec<String>,
    pub start: DateTime<Utc>,
    pub end: DateTime<Utc>,
    /// The time it takes from its staff member, buffers included.
    pub occupies: (DateTime<Utc>, DateTime<Utc>),
    /// When the customer is reminded.
    pub reminders: Vec<DateTime<Utc>>,
    /// A field visit: when the technician must have called ahead.
    pub call_ahead_due: Option<DateTime<Utc>>,
    pub now: DateTime<Utc>,
    pub fanout: Fanout,
}

/// What staff or the customer do to a booked appointment.
#[derive(Debug, Clone)]
pub struct AppointmentChange {
    pub status: AppointmentStatus,
    /// Staff who did it; `None`: the customer, through their link.
    pub staff_id: Option<String>,
    pub now: DateTime<Utc>,
    pub fanout: Fanout,
}

/// A field visit's call-ahead promise.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CallAheadView {
    pub promise_id: String,
    pub due_at: DateTime<Utc>,
    pub status: PromiseStatus,
}

/// Someone on the waiting list, as the e-mail offering a freed time needs them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WaitingView {
    pub id: String,
    pub customer_id: String,
    pub location_id: String,
    pub service_id: String,
    pub name: String,
    pub email: String,
    pub lang: Lang,
    pub created_at: DateTime<Utc>,
}

/// A customer asking to hear when a time frees up.
#[derive(Debug, Clone)]
pub struct NewWaiting {
    pub location_id: String,
    pub service_id: String,
    pub name: String,
    pub email: String,
    pub phone: Option<String>,
    pub lang: Lang,
    pub now: DateTime<Utc>,
}

/// How many on the waiting list hear of a freed time at once: the first to book wins it.
const OFFER_FREED_TIME_TO: i64 = 3;

/// A booking to make.
#[derive(Debug, Clone)]
pub struct NewAppointment {
    pub location_id: String,
    pub service_id: String,
    pub time: NewTime,
    pub name: String,
    /// Lower case: the customer is recognised by it.
    pub email: String,
    pub phone: Option<String>,
    pub note: Option<String>,
    pub address: Option<String>,
    pub lang: Lang,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AppointmentView {
    pub id: String,
    pub customer_id: String,
    /// The customer's name on their record (the name given when booking if it has none).
    pub customer_name: String,
    pub location_id: String,
    pub location_name: String,
    pub service_id: String,
    pub service_name_nl: String,
    pub service_name_en: String,
    pub field_visit: bool,
    pub staff_id: String,
    pub staff_name: String,
    pub start: DateTime<Utc>,
    pub end: DateTime<Utc>,
    pub status: AppointmentStatus,
    pub email: String,
    pub phone: Option<String>,
    pub note: Option<String>,
    pub address: Option<String>,
    pub lang: Lang,
    /// Bumped on every change: the calendar invitation's SEQUENCE.
    pub sequence: i64,
    pub created_at: DateTime<Utc>,
    /// The start of the customer's latest earlier visit that took place; `None`: a first visit.
    pub last_visit: Option<DateTime<Utc>>,
    /// Promises to this customer still open (its own call-ahead included).
    pub open_promises: i64,
    pub call_ahead: Option<CallAheadView>,
    /// When the technician said they were on their way, and expected to arrive.
    pub on_my_way: Option<DateTime<Utc>>,
    pub eta: Option<DateTime<Utc>>,
    /// The business's address for it: the location's, or the customer's for a field visit.
    pub location_address: String,
    pub time_zone: String,
    /// The customer's latest answer to the calendar invitation.
    pub calendar_answer: Option<CalendarAnswerView>,
}

impl AppointmentView {
    pub fn service_name(&self, lang: Lang) -> &str {
        match lang {
            Lang::Nl => &self.service_name_nl,
            Lang::En => &self.service_name_en,
        }
    }

    /// The location's time zone (checked when the location was saved).
    pub fn zone(&self) -> chrono_tz::Tz {
        self.time_zone.parse().unwrap_or(chrono_tz::Europe::Amsterdam)
    }

    /// `at` on the location's clock, "09:30".
    pub fn clock(&self, at: DateTime<Utc>) -> String {
        at.with_timezone(&self.zone()).format("%H:%M").to_string()
    }

    /// "09:30", or the window "10:00–12:00" of a field visit, on the location's clock.
    pub fn time_text(&self) -> String {
        match self.field_visit {
            true => format!("{}–{}", self.clock(self.start), self.clock(self.end)),
            false => self.clock(self.start),
        }
    }

    /// The local date of the customer's last visit; `None` for a first visit.
    pub fn last_visit_day(&self) -> Option<chrono::NaiveDate> {
        self.last_visit.map(|at| at.with_timezone(&self.zone()).date_naive())
    }
}

#[async_trait]
pub trait Appointments {
    /// Books the first of `staff_ids` whose time is still free, recognising the customer by
    /// e-mail address or phone number (or adding them); `Taken` when none is free any more.
    async fn book(&self, booking: NewAppointment) -> Result<AppointmentView>;
    async fn appointment(&self, id: &str) -> Result<Option<AppointmentView>>;
    /// Appointments starting in `[from, until)`, at one location when given, by start time.
    async fn appointments(
        &self,
        from: DateTime<Utc>,
        until: DateTime<Utc>,
        location_id: Option<&str>,
    ) -> Result<Vec<AppointmentView>>;
    /// A customer's appointments still to come (ending after `now`, not cancelled), soonest
    /// first: what their own page offers to move or cancel.
    async fn customer_appointments(&self, customer_id: &str, now: DateTime<Utc>) -> Result<Vec<AppointmentView>>;
    /// Moves an appointment to a new status (checked against what it is now). A cancelled one
    /// gives its time back and offers it to the waiting list; a done one is announced.
    async fn change_appointment(&self, id: &str, change: AppointmentChange) -> Result<AppointmentView>;
    /// Moves an appointment to another time (the first free of `time.staff_ids`); `Taken`
    /// when none is free any more.
    async fn reschedule(&self, id: &str, time: NewTime) -> Result<AppointmentView>;
    /// The technician is on the way: keeps the call-ahead promise and tells the customer.
    async fn on_my_way(
        &self,
        id: &str,
        staff_id: &str,
        eta: DateTime<Utc>,
        now: DateTime<Utc>,
        fanout: Fanout,
    ) -> Result<AppointmentView>;
    /// Queues every reminder that is due, each exactly once however many nodes look; one for
    /// an appointment that has started or is no longer on is skipped. How many were queued.
    async fn send_due_reminders(&self, now: DateTime<Utc>, fanout: Fanout) -> Result<usize>;
    /// A staff member's appointments starting in `[from, until)`.
    async fn staff_appointments(
        &self,
        staff_id: &str,
        from: DateTime<Utc>,
        until: DateTime<Utc>,
    ) -> Result<Vec<AppointmentView>>;
    /// Their calendar secret: `fresh` becomes it when they have none yet or `rotate` is set.
    async fn calendar_secret(&self, staff_id: &str, fresh: &str, rotate: bool) -> Result<String>;
    async fn staff_by_calendar_secret(&self, secret: &str) -> Result<Option<Staff>>;
    /// Puts a customer on the waiting list for a service at a location.
    async fn join_waiting_list(&self, waiting: NewWaiting) -> Result<WaitingView>;
    async fn waiting(&self, id: &str) -> Result<Option<WaitingView>>;
    /// A secret made once and shared by every node, for signing links.
    async fn signing_key(&self, name: &str, fresh: &str, now: DateTime<Utc>) -> Result<String>;
    /// Frees every claim on a staff member's time that no appointment holds now (one that is
    /// over, moved to another time or person): the free times and the bookings then agree.
    /// How many were freed. Run at start-up.
    async fn repair_claims(&self) -> Result<u64>;
}

const APPOINTMENT_SELECT: &str = concatcp!(
    "SELECT a.id, a.customer_id, COALESCE(cu.name, a.name) AS customer_name, \
     a.location_id, l.name AS location_name, l.address AS location_address, l.time_zone, a.service_id, sv.name_nl, \
     sv.name_en, sv.field_visit, a.staff_id, st.name AS staff_name, a.start_ms, a.end_ms, a.status, a.email, a.phone, \
     a.note, a.address, a.lang, a.sequence, a.created_ms, a.on_my_way_ms, a.eta_ms, \
     p.id AS call_ahead_id, p.due_ms AS call_ahead_due_ms, p.status AS call_ahead_status, \
     (SELECT MAX(e.start_ms) FROM appointments e WHERE e.customer_id = a.customer_id \
       AND e.start_ms < a.start_ms AND e.status IN (",
    AppointmentStatus::CheckedIn.sql(),
    ", ",
    AppointmentStatus::Done.sql(),
    ")) AS last_visit_ms, \
     (SELECT COUNT(*) FROM promises o WHERE o.customer_id = a.customer_id AND o.status = ",
    PromiseStatus::Open.sql(),
    ") AS open_promises, \
     (SELECT w.answer || '|' || CAST(w.at_ms AS TEXT) || '|' || COALESCE(w.comment, '') FROM appointment_answers w \
       WHERE w.appointment_id = a.id ORDER BY w.at_ms DESC, w.id DESC LIMIT 1) AS calendar_answer \
     FROM appointments a JOIN customers cu ON cu.id = a.customer_id JOIN locations l ON l.id = a.location_id \
     JOIN services sv ON sv.id = a.service_id JOIN staff st ON st.id = a.staff_id \
     LEFT JOIN promises p ON p.id = a.call_ahead_id"
);

fn from_row(row: &AnyRow) -> Result<AppointmentView> {
    let lang: String = row.try_get("lang")?;
    let call_ahead = match row.try_get::<Option<String>, _>("call_ahead_id")? {
        Some(promise_id) => Some(CallAheadView {
            promise_id,
            due_at: from_ms(row.try_get("call_ahead_due_ms")?),
            status: parse_enum(row.try_get("call_ahead_status")?, PromiseStatus::parse)?,
        }),
        None => None,
    };
    Ok(AppointmentView {
        calendar_answer: calendar_answer(row.try_get("calendar_answer")?)?,
        id: row.try_get("id")?,
        customer_id: row.try_get("customer_id")?,
        customer_name: row.try_get("customer_name")?,
        location_id: row.try_get("location_id")?,
        location_name: row.try_get("location_name")?,
        location_address: row.try_get("location_address")?,
        time_zone: row.try_get("time_zone")?,
        service_id: row.try_get("service_id")?,
        service_name_nl: row.try_get("name_nl")?,
        service_name_en: row.try_get("name_en")?,
        field_visit: row.try_get::<i64, _>("field_visit")? != 0,
        staff_id: row.try_get("staff_id")?,
        staff_name: row.try_get("staff_name")?,
        start: from_ms(row.try_get("start_ms")?),
        end: from_ms(row.try_get("end_ms")?),
        status: parse_enum(row.try_get("status")?, AppointmentStatus::parse)?,
        email: row.try_get("email")?,
        phone: row.try_get("phone")?,
        note: row.try_get("note")?,
        address: row.try_get("address")?,
        lang: Lang::parse(&lang).unwrap_or_default(),
        sequence: row.try_get("sequence")?,
        created_at: from_ms(row.try_get("created_ms")?),
        last_visit: row.try_get::<Option<i64>, _>("last_visit_ms")?.map(from_ms),
        open_promises: row.try_get("open_promises")?,
        call_ahead,
        on_my_way: row.try_get::<Option<i64>, _>("on_my_way_ms")?.map(from_ms),
        eta: row.try_get::<Option<i64>, _>("eta_ms")?.map(from_ms),
    })
}

/// The latest answer, packed as "answer|at_ms|comment" by the select (one subquery, not three).
fn calendar_answer(packed: Option<String>) -> Result<Option<CalendarAnswerView>> {
    let Some(packed) = packed else { return Ok(None) };
    let mut parts = packed.splitn(3, '|');
    let (answer, at, comment) = (parts.next(), parts.next(), parts.next());
    let corrupt = || StoreError::Corrupt(format!("calendar answer {packed:?}"));
    Ok(Some(CalendarAnswerView {
        answer: answer.and_then(CalendarAnswer::parse).ok_or_else(corrupt)?,
        at: from_ms(at.and_then(|a| a.parse().ok()).ok_or_else(corrupt)?),
        comment: comment.filter(|c| !c.is_empty()).map(str::to_string),
    }))
}

async fn appointment(pool: &AnyPool, id: &str) -> Result<Option<AppointmentView>> {
    let row = sqlx::query(&format!("{APPOINTMENT_SELECT} WHERE a.id = $1"))
        .bind(id)
        .fetch_optional(pool)
        .await?;
    row.as_ref().map(from_row).transpose()
}

/// The appointment's row, locked until the transaction ends (PostgreSQL; SQLite's write
/// transaction is exclusive already): two changes of one appointment at once take turns, so the
/// second releases the claims the first made instead of missing them and leaving them behind.
async fn locked(conn: &mut AnyConnection, dialect: Dialect, id: &str) -> Result<AnyRow> {
    let sql = format!(
        "SELECT status, customer_id FROM appointments WHERE id = $1 {}",
        dialect.lock_rows()
    );
    sqlx::query(&sql)
        .bind(id)
        .fetch_optional(&mut *conn)
        .await?
        .ok_or(StoreError::NotFound)
}

/// How often work that PostgreSQL gave up (a deadlock between two changes, each waiting for
/// the other's claims) is tried again before the caller hears of it.
const BUSY_ATTEMPTS: u32 = 5;

/// Does `attempt` again when the database gave it up as one of two that waited for each other.
async fn retrying_when_busy<T, F, Fut>(mut attempt: F) -> Result<T>
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Result<T>>,
{
    let mut tries = 0;
    loop {
        match attempt().await {
            Err(StoreError::Busy) if tries + 1 < BUSY_ATTEMPTS => {
                tries += 1;
                tokio::time::sleep(std::time::Duration::from_millis(5 * u64::from(tries))).await;
            }
            other => return other,
        }
    }
}

/// The blocks of [`CLAIM_MINUTES`] that `from..until` touches, rounded outwards.
fn blocks(from: DateTime<Utc>, until: DateTime<Utc>) -> std::ops::Range<i64> {
    let size = CLAIM_MINUTES * 60_000;
    let first = to_ms(from).div_euclid(size);
    let last = (to_ms(until) + size - 1).div_euclid(size);
    first..last
}

/// Claims the staff member's blocks for the appointment; `Duplicate` when one is taken.
async fn claim(
    conn: &mut AnyConnection,
    staff_id: &str,
    appointment_id: &str,
    (from, until): (DateTime<Utc>, DateTime<Utc>),
) -> Result<()> {
    let blocks = blocks(from, until);
    let sql = format!(
        "INSERT INTO appointment_claims (staff_id, block, appointment_id) VALUES {}",
        values_list(blocks.clone().count(), 3)
    );
    let query = blocks.fold(sqlx::query(&sql), |q, block| {
        q.bind(staff_id).bind(block).bind(appointment_id)
    });
    query.execute(conn).await?;
    Ok(())
}

async fn release(conn: &mut AnyConnection, appointment_id: &str) -> Result<()> {
    sqlx::query("DELETE FROM appointment_claims WHERE appointment_id = $1")
        .bind(appointment_id)
        .execute(conn)
        .await?;
    Ok(())
}

/// The customer's e-mail (when e-mail is set up) and the webhook (when one is) about an
/// appointment or waiting-list entry.
async fn tell_customer(
    conn: &mut AnyConnection,
    event: OutboxEvent,
    subject_id: &str,
    fanout: Fanout,
    now: DateTime<Utc>,
) -> Result<()> {
    if fanout.email {
        outbox::insert(conn, &[customer_email_row(event, subject_id, now)]).await?;
    }
    announce_to_webhook(conn, event, subject_id, fanout, now).await
}

async fn announce_to_webhook(
    conn: &mut AnyConnection,
    event: OutboxEvent,
    subject_id: &str,
    fanout: Fanout,
    now: DateTime<Utc>,
) -> Result<()> {
    let webhook_only = Fanout {
        email: false,
        webhook: fanout.webhook,
    };
    let announcement = Announcement {
        event,
        subject_id,
        recipients: &[],
        fanout: webhook_only,
        now,
    };
    outbox::announce(conn, &[announcement]).await
}

/// Writes the appointment's reminders and call-ahead promise for its (new) time.
async fn plan_notices(
    conn: &mut AnyConnection,
    id: &str,
    customer_id: &str,
    staff_id: &str,
    time: &NewTime,
) -> Result<()> {
    if !time.reminders.is_empty() {
        let sql = format!(
            "INSERT INTO appointment_reminders (appointment_id, due_ms) VALUES {}",
            values_list(time.reminders.len(), 2)
        );
        let query = time
            .reminders
            .iter()
            .fold(sqlx::query(&sql), |q, at| q.bind(id).bind(to_ms(*at)));
        query.execute(&mut *conn).await?;
    }
    let promise_id = match time.call_ahead_due {
        None => None,
        Some(due_at) => {
            let promise_id = new_id();
            let promise = NewPromise {
                id: &promise_id,
                kind: PromiseKind::CallAhead,
                subject_id: id,
                customer_id,
                owner_id: Some(staff_id),
                channel: None,
                not_before: time.now,
                due_at,
                now: time.now,
            };
            promises::insert(conn, &[promise]).await?;
            Some(promise_id)
        }
    };
    sqlx::query("UPDATE appointments SET call_ahead_id = $1 WHERE id = $2")
        .bind(promise_id)
        .bind(id)
        .execute(conn)
        .await?;
    Ok(())
}

/// Drops what was planned for the appointment's old time: pending reminders are skipped and
/// an open call-ahead promise is withdrawn. A promise to get in touch after a declined
/// invitation is settled too: kept when staff moved or cancelled it, withdrawn when the
/// customer did.
async fn unplan_notices(conn: &mut AnyConnection, id: &str, staff_id: Option<&str>, now: DateTime<Utc>) -> Result<()> {
    sqlx::query(concatcp!(
        "UPDATE appointment_reminders SET done_ms = $1, outcome = ",
        ReminderOutcome::Skipped.sql(),
        " WHERE appointment_id = $2 AND done_ms IS NULL"
    ))
    .bind(to_ms(now))
    .bind(id)
    .execute(&mut *conn)
    .await?;
    let row = sqlx::query(concatcp!(
        "SELECT p.id FROM appointments a JOIN promises p ON p.id = a.call_ahead_id WHERE a.id = $1 AND p.status = ",
        PromiseStatus::Open.sql()
    ))
    .bind(id)
    .fetch_optional(&mut *conn)
    .await?;
    if let Some(row) = row {
        let promise_id: String = row.try_get("id")?;
        let actor = Actor { staff_id, detail: None };
        promises::close(
            conn,
            &promise_id,
            Closing::Cancelled(CancelReason::Withdrawn),
            actor,
            now,
        )
        .await?;
    }
    if let Some(rebook) = crate::calendar_answers::open_rebook(conn, id).await? {
        let closing = match staff_id {
            Some(_) => Closing::Fulfilled,
            None => Closing::Cancelled(CancelReason::Withdrawn),
        };
        promises::close(conn, &rebook, closing, Actor { staff_id, detail: None }, now).await?;
    }
    Ok(())
}

/// Offers a freed time to the first few on the waiting list for that service and location.
async fn offer_to_waiting(conn: &mut AnyConnection, id: &str, fanout: Fanout, now: DateTime<Utc>) -> Result<()> {
    let rows = sqlx::query(
        "SELECT w.id FROM waiting_list w JOIN appointments a ON a.location_id = w.location_id \
         AND a.service_id = w.service_id WHERE a.id = $1 AND w.booked_ms IS NULL ORDER BY w.created_ms, w.id LIMIT $2",
    )
    .bind(id)
    .bind(OFFER_FREED_TIME_TO)
    .fetch_all(&mut *conn)
    .await?;
    for row in rows {
        let waiting_id: String = row.try_get("id")?;
        sqlx::query("UPDATE waiting_list SET offered_ms = $1 WHERE id = $2")
            .bind(to_ms(now))
            .bind(&waiting_id)
            .execute(&mut *conn)
            .await?;
        if fanout.email {
            let row = customer_email_row(OutboxEvent::AppointmentSlotFreed, &waiting_id, now);
            outbox::insert(conn, &[row]).await?;
        }
    }
    Ok(())
}

fn waiting_from_row(row: &AnyRow) -> Result<WaitingView> {
    let lang: String = row.try_get("lang")?;
    Ok(WaitingView {
        id: row.try_get("id")?,
        customer_id: row.try_get("customer_id")?,
        location_id: row.try_get("location_id")?,
        service_id: row.try_get("service_id")?,
        name: row.try_get("name")?,
        email: row.try_get("email")?,
        lang: Lang::parse(&lang).unwrap_or_default(),
        created_at: from_ms(row.try_get("created_ms")?),
    })
}

const WAITING_SELECT: &str =
    "SELECT id, customer_id, location_id, service_id, name, email, lang, created_ms FROM waiting_list";

impl SqlStore {
    /// One attempt to book `staff_id`, in its own transaction: a lost race rolls back whole.
    async fn book_with(&self, booking: &NewAppointment, staff_id: &str) -> Result<String> {
        let time = &booking.time;
        let mut tx = self.begin_write().await?;
        let phone = booking.phone.as_deref();
        let customer_id =
            customers::find_or_add(&mut tx, Some(&booking.name), Some(&booking.email), phone, time.now).await?;
        let id = new_id();
        sqlx::query(
            "INSERT INTO appointments (id, customer_id, location_id, service_id, staff_id, start_ms, end_ms, status, \
             name, email, phone, note, address, lang, sequence, created_ms, updated_ms) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, 'booked', $8, $9, $10, $11, $12, $13, 0, $14, $14)",
        )
        .bind(&id)
        .bind(&customer_id)
        .bind(&booking.location_id)
        .bind(&booking.service_id)
        .bind(staff_id)
        .bind(to_ms(time.start))
        .bind(to_ms(time.end))
        .bind(&booking.name)
        .bind(&booking.email)
        .bind(booking.phone.clone())
        .bind(booking.note.clone())
        .bind(booking.address.clone())
        .bind(booking.lang.code())
        .bind(to_ms(time.now))
        .execute(&mut *tx)
        .await?;
        claim(&mut tx, staff_id, &id, time.occupies).await?;
        plan_notices(&mut tx, &id, &customer_id, staff_id, time).await?;
        sqlx::query(
            "UPDATE waiting_list SET booked_ms = $1 WHERE customer_id = $2 AND service_id = $3 AND booked_ms IS NULL",
        )
        .bind(to_ms(time.now))
        .bind(&customer_id)
        .bind(&booking.service_id)
        .execute(&mut *tx)
        .await?;
        tell_customer(&mut tx, OutboxEvent::AppointmentBooked, &id, time.fanout, time.now).await?;
        tx.commit().await?;
        Ok(id)
    }

    /// One attempt at a status change (see [`Appointments::change_appointment`]).
    async fn change_once(&self, id: &str, change: &AppointmentChange) -> Result<()> {
        let mut tx = self.begin_write().await?;
        let row = locked(&mut tx, self.dialect, id).await?;
        let current = parse_enum(row.try_get("status")?, AppointmentStatus::parse)?;
        if !current.may_become(change.status) {
            return Err(StoreError::Conflict(format!(
                "an appointment that is {} cannot become {}",
                current.as_str(),
                change.status.as_str()
            )));
        }
        let cancelled = change.status == AppointmentStatus::Cancelled;
        sqlx::query("UPDATE appointments SET status = $1, updated_ms = $2, sequence = sequence + $3 WHERE id = $4")
            .bind(change.status.as_str())
            .bind(to_ms(change.now))
            .bind(i64::from(cancelled))
            .bind(id)
            .execute(&mut *tx)
            .await?;
        match change.status {
            AppointmentStatus::Cancelled => {
                release(&mut tx, id).await?;
                unplan_notices(&mut tx, id, change.staff_id.as_deref(), change.now).await?;
                tell_customer(
                    &mut tx,
                    OutboxEvent::AppointmentCancelled,
                    id,
                    change.fanout,
                    change.now,
                )
                .await?;
                offer_to_waiting(&mut tx, id, change.fanout, change.now).await?;
            }
            AppointmentStatus::NoShow => {
                // The time is free again, as the free times say: the claims go with it.
                release(&mut tx, id).await?;
                unplan_notices(&mut tx, id, change.staff_id.as_deref(), change.now).await?;
            }
            AppointmentStatus::Done => {
                release(&mut tx, id).await?;
                // The webhook for integrations, and kept's own hook (surveys ask how it went):
                // the hook is queued whatever is configured, in the same transaction.
                outbox::insert(&mut tx, &[hook_row(OutboxEvent::AppointmentDone, id, change.now)]).await?;
                announce_to_webhook(&mut tx, OutboxEvent::AppointmentDone, id, change.fanout, change.now).await?;
            }
            _ => {}
        }
        tx.commit().await?;
        Ok(())
    }

    /// One attempt to move the appointment to `staff_id`'s time.
    async fn move_to(&self, id: &str, time: &NewTime, staff_id: &str) -> Result<()> {
        let mut tx = self.begin_write().await?;
        let row = locked(&mut tx, self.dialect, id).await?;
        let status = parse_enum(row.try_get("status")?, AppointmentStatus::parse)?;
        if !matches!(status, AppointmentStatus::Booked | AppointmentStatus::Late) {
            return Err(StoreError::Conflict(format!(
                "an appointment that is {} cannot move",
                status.as_str()
            )));
        }
        let customer_id: String = row.try_get("customer_id")?;
        release(&mut tx, id).await?;
        claim(&mut tx, staff_id, id, time.occupies).await?;
        unplan_notices(&mut tx, id, None, time.now).await?;
        sqlx::query(concatcp!(
            "DELETE FROM appointment_reminders WHERE appointment_id = $1 AND outcome = ",
            ReminderOutcome::Skipped.sql(),
            " AND due_ms >= $2"
        ))
        .bind(id)
        .bind(to_ms(time.now))
        .execute(&mut *tx)
        .await?;
        sqlx::query(concatcp!(
            "UPDATE appointments SET staff_id = $1, start_ms = $2, end_ms = $3, status = ",
            AppointmentStatus::Booked.sql(),
            ", \
             sequence = sequence + 1, updated_ms = $4 WHERE id = $5"
        ))
        .bind(staff_id)
        .bind(to_ms(time.start))
        .bind(to_ms(time.end))
        .bind(to_ms(time.now))
        .bind(id)
        .execute(&mut *tx)
        .await?;
        plan_notices(&mut tx, id, &customer_id, staff_id, time).await?;
        tell_customer(&mut tx, OutboxEvent::AppointmentRescheduled, id, time.fanout, time.now).await?;
        tx.commit().await?;
        Ok(())
    }
}

#[async_trait]
impl Appointments for SqlStore {
    async fn book(&self, booking: NewAppointment) -> Result<AppointmentView> {
        for staff_id in &booking.time.staff_ids {
            match retrying_when_busy(|| self.book_with(&booking, staff_id)).await {
                Ok(id) => return appointment(&self.write, &id).await?.ok_or(StoreError::NotFound),
                // Someone else took this person's time a moment ago: try the next one.
                Err(StoreError::Duplicate) => continue,
                Err(other) => return Err(other),
            }
        }
        Err(StoreError::Taken)
    }

    async fn appointment(&self, id: &str) -> Result<Option<AppointmentView>> {
        appointment(&self.read, id).await
    }

    async fn appointments(
        &self,
        from: DateTime<Utc>,
        until: DateTime<Utc>,
        location_id: Option<&str>,
    ) -> Result<Vec<AppointmentView>> {
        let location = if location_id.is_some() {
            "AND a.location_id = $3"
        } else {
            ""
        };
        let sql = format!(
            "{APPOINTMENT_SELECT} WHERE a.start_ms >= $1 AND a.start_ms < $2 {location} ORDER BY a.start_ms, a.id"
        );
        let query = sqlx::query(&sql).bind(to_ms(from)).bind(to_ms(until));
        let rows = match location_id {
            Some(location) => query.bind(location).fetch_all(&self.read).await?,
            None => query.fetch_all(&self.read).await?,
        };
        rows.iter().map(from_row).collect()
    }

    async fn customer_appointments(&self, customer_id: &str, now: DateTime<Utc>) -> Result<Vec<AppointmentView>> {
        let sql = concatcp!(
            APPOINTMENT_SELECT,
            " WHERE a.customer_id = $1 AND a.end_ms > $2 AND a.status <> ",
            AppointmentStatus::Cancelled.sql(),
            " ORDER BY a.start_ms, a.id LIMIT 20"
        );
        let rows = sqlx::query(sql)
            .bind(customer_id)
            .bind(to_ms(now))
            .fetch_all(&self.read)
            .await?;
        rows.iter().map(from_row).collect()
    }

    async fn change_appointment(&self, id: &str, change: AppointmentChange) -> Result<AppointmentView> {
        retrying_when_busy(|| self.change_once(id, &change)).await?;
        appointment(&self.write, id).await?.ok_or(StoreError::NotFound)
    }

    async fn repair_claims(&self) -> Result<u64> {
        let active: Vec<&str> = [
            AppointmentStatus::Booked,
            AppointmentStatus::Late,
            AppointmentStatus::CheckedIn,
        ]
        .iter()
        .map(|s| s.as_str())
        .collect();
        let block = CLAIM_MINUTES * 60_000;
        let mut tx = self.begin_write().await?;
        let freed = sqlx::query(
            "DELETE FROM appointment_claims WHERE EXISTS (SELECT 1 FROM appointments a JOIN services s ON s.id = a.service_id \
             WHERE a.id = appointment_claims.appointment_id AND (a.status NOT IN ($1, $2, $3) \
             OR a.staff_id <> appointment_claims.staff_id \
             OR appointment_claims.block < (a.start_ms - s.buffer_before_minutes * 60000) / $4 \
             OR appointment_claims.block >= (a.end_ms + s.buffer_after_minutes * 60000 + $4 - 1) / $4))",
        )
        .bind(active[0])
        .bind(active[1])
        .bind(active[2])
        .bind(block)
        .execute(&mut *tx)
        .await?
        .rows_affected();
        tx.commit().await?;
        Ok(freed)
    }

    async fn reschedule(&self, id: &str, time: NewTime) -> Result<AppointmentView> {
        for staff_id in &time.staff_ids {
            match retrying_when_busy(|| self.move_to(id, &time, staff_id)).await {
                Ok(()) => return appointment(&self.write, id).await?.ok_or(StoreError::NotFound),
                Err(StoreError::Duplicate) => continue,
                Err(other) => return Err(other),
            }
        }
        Err(StoreError::Taken)
    }

    async fn on_my_way(
        &self,
        id: &str,
        staff_id: &str,
        eta: DateTime<Utc>,
        now: DateTime<Utc>,
        fanout: Fanout,
    ) -> Result<AppointmentView> {
        let mut tx = self.begin_write().await?;
        let row = sqlx::query("SELECT status, call_ahead_id FROM appointments WHERE id = $1")
            .bind(id)
            .fetch_optional(&mut *tx)
            .await?
            .ok_or(StoreError::NotFound)?;
        let status = parse_enum(row.try_get("status")?, AppointmentStatus::parse)?;
        if !status.is_active() {
            return Err(StoreError::Conflict(format!("the appointment is {}", status.as_str())));
        }
        sqlx::query("UPDATE appointments SET on_my_way_ms = $1, eta_ms = $2, updated_ms = $1 WHERE id = $3")
            .bind(to_ms(now))
            .bind(to_ms(eta))
            .bind(id)
            .execute(&mut *tx)
            .await?;
        if let Some(promise_id) = row.try_get::<Option<String>, _>("call_ahead_id")? {
            let still_open = sqlx::query(concatcp!(
                "SELECT id FROM promises WHERE id = $1 AND status = ",
                PromiseStatus::Open.sql()
            ))
            .bind(&promise_id)
            .fetch_optional(&mut *tx)
            .await?;
            if still_open.is_some() {
                let actor = Actor {
                    staff_id: Some(staff_id),
                    detail: None,
                };
                promises::close(&mut tx, &promise_id, Closing::Fulfilled, actor, now).await?;
            }
        }
        tell_customer(&mut tx, OutboxEvent::AppointmentOnMyWay, id, fanout, now).await?;
        tx.commit().await?;
        appointment(&self.write, id).await?.ok_or(StoreError::NotFound)
    }

    async fn send_due_reminders(&self, now: DateTime<Utc>, fanout: Fanout) -> Result<usize> {
        let mut tx = self.begin_write().await?;
        let due = sqlx::query(&format!(
            "SELECT r.appointment_id, r.due_ms, a.start_ms, a.status FROM appointment_reminders r \
             JOIN appointments a ON a.id = r.appointment_id WHERE r.done_ms IS NULL AND r.due_ms <= $1 \
             ORDER BY r.due_ms LIMIT 200 {}",
            self.dialect.skip_locked()
        ))
        .bind(to_ms(now))
        .fetch_all(&mut *tx)
        .await?;
        let mut sent = 0;
        for row in due {
            let id: String = row.try_get("appointment_id")?;
            let status = parse_enum(row.try_get("status")?, AppointmentStatus::parse)?;
            // Never after the appointment has started (kept was down past it), never for one
            // that is off.
            let send = status.is_active() && from_ms(row.try_get("start_ms")?) > now;
            let marked = sqlx::query(
                "UPDATE appointment_reminders SET done_ms = $1, outcome = $2 \
                 WHERE appointment_id = $3 AND due_ms = $4 AND done_ms IS NULL",
            )
            .bind(to_ms(now))
            .bind(
                if send {
                    ReminderOutcome::Sent
                } else {
                    ReminderOutcome::Skipped
                }
                .as_str(),
            )
            .bind(&id)
            .bind(row.try_get::<i64, _>("due_ms")?)
            .execute(&mut *tx)
            .await?;
            if send && marked.rows_affected() == 1 {
                tell_customer(&mut tx, OutboxEvent::AppointmentReminder, &id, fanout, now).await?;
                sent += 1;
            }
        }
        tx.commit().await?;
        Ok(sent)
    }

    async fn staff_appointments(
        &self,
        staff_id: &str,
        from: DateTime<Utc>,
        until: DateTime<Utc>,
    ) -> Result<Vec<AppointmentView>> {
        let rows = sqlx::query(&format!(
            "{APPOINTMENT_SELECT} WHERE a.staff_id = $1 AND a.start_ms >= $2 AND a.start_ms < $3 ORDER BY a.start_ms"
        ))
        .bind(staff_id)
        .bind(to_ms(from))
        .bind(to_ms(until))
        .fetch_all(&self.read)
        .await?;
        rows.iter().map(from_row).collect()
    }

    async fn calendar_secret(&self, staff_id: &str, fresh: &str, rotate: bool) -> Result<String> {
        let condition = if rotate { "" } else { "AND calendar_secret IS NULL" };
        sqlx::query(&format!(
            "UPDATE staff SET calendar_secret = $1 WHERE id = $2 {condition}"
        ))
        .bind(fresh)
        .bind(staff_id)
        .execute(&self.write)
        .await?;
        let row = sqlx::query("SELECT calendar_secret FROM staff WHERE id = $1")
            .bind(staff_id)
            .fetch_optional(&self.write)
            .await?
            .ok_or(StoreError::NotFound)?;
        Ok(row.try_get("calendar_secret")?)
    }

    async fn staff_by_calendar_secret(&self, secret: &str) -> Result<Option<Staff>> {
        let staff = crate::staff::staff_where(&self.read, "WHERE st.calendar_secret = $1", secret).await?;
        Ok(staff.filter(|s| s.active))
    }

    async fn join_waiting_list(&self, waiting: NewWaiting) -> Result<WaitingView> {
        let mut tx = self.begin_write().await?;
        let phone = waiting.phone.as_deref();
        let customer_id =
            customers::find_or_add(&mut tx, Some(&waiting.name), Some(&waiting.email), phone, waiting.now).await?;
        let id = new_id();
        sqlx::query(
            "INSERT INTO waiting_list (id, customer_id, location_id, service_id, name, email, lang, created_ms) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        )
        .bind(&id)
        .bind(&customer_id)
        .bind(&waiting.location_id)
        .bind(&waiting.service_id)
        .bind(&waiting.name)
        .bind(&waiting.email)
        .bind(waiting.lang.code())
        .bind(to_ms(waiting.now))
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        self.waiting(&id).await?.ok_or(StoreError::NotFound)
    }

    async fn waiting(&self, id: &str) -> Result<Option<WaitingView>> {
        let row = sqlx::query(&format!("{WAITING_SELECT} WHERE id = $1"))
            .bind(id)
            .fetch_optional(&self.write)
            .await?;
        row.as_ref().map(waiting_from_row).transpose()
    }

    async fn signing_key(&self, name: &str, fresh: &str, now: DateTime<Utc>) -> Result<String> {
        // Made once: every link signed later only reads it (a customer's page signs its
        // appointments' links at each refresh; a write each time queued on SQLite's writer).
        let made = sqlx::query("SELECT secret FROM signing_keys WHERE name = $1")
            .bind(name)
            .fetch_optional(&self.read)
            .await?;
        if let Some(row) = made {
            return Ok(row.try_get("secret")?);
        }
        sqlx::query(
            "INSERT INTO signing_keys (name, secret, created_ms) VALUES ($1, $2, $3) ON CONFLICT (name) DO NOTHING",
        )
        .bind(name)
        .bind(fresh)
        .bind(to_ms(now))
        .execute(&self.write)
        .await?;
        let row = sqlx::query("SELECT secret FROM signing_keys WHERE name = $1")
            .bind(name)
            .fetch_one(&self.write)
            .await?;
        Ok(row.try_get("secret")?)
    }
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;

    use super::*;

    #[test]
    fn blocks_cover_the_time_rounded_outwards() {
        let at = |h, m| Utc.with_ymd_and_hms(2026, 12, 2, h, m, 0).unwrap();
        assert_eq!(blocks(at(9, 0), at(10, 0)).count(), 12);
        assert_eq!(blocks(at(9, 2), at(9, 7)).count(), 2);
        // Back to back: no block shared. Overlapping by a minute: one shared.
        assert_eq!(blocks(at(9, 0), at(10, 0)).end, blocks(at(10, 0), at(11, 0)).start);
        assert!(blocks(at(9, 59), at(11, 0)).start < blocks(at(9, 0), at(10, 0)).end);
    }
}
