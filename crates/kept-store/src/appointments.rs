//! Booked appointments: booking a free time (the database makes sure a staff member is never
//! booked twice at once), the day's list per location, and what staff and customers do to an
//! appointment afterwards.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use kept_domain::booking::CLAIM_MINUTES;
use kept_domain::{AppointmentStatus, Lang, new_id};
use sqlx::any::AnyRow;
use sqlx::{AnyConnection, AnyPool, Row};

use crate::dialect::{parse_enum, values_list};
use crate::sql::SqlStore;
use crate::time::{from_ms, to_ms};
use crate::{Result, StoreError};

/// A booking to make.
#[derive(Debug, Clone)]
pub struct NewAppointment {
    pub location_id: String,
    pub service_id: String,
    /// Who could take it, preferred first: the first whose time is still free gets it.
    pub staff_ids: Vec<String>,
    pub start: DateTime<Utc>,
    pub end: DateTime<Utc>,
    /// The time it takes from its staff member, buffers included.
    pub occupies: (DateTime<Utc>, DateTime<Utc>),
    pub name: String,
    /// Lower case: the customer is recognised by it.
    pub email: String,
    pub phone: Option<String>,
    pub note: Option<String>,
    pub address: Option<String>,
    pub lang: Lang,
    pub now: DateTime<Utc>,
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
}

impl AppointmentView {
    pub fn service_name(&self, lang: Lang) -> &str {
        match lang {
            Lang::Nl => &self.service_name_nl,
            Lang::En => &self.service_name_en,
        }
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
    /// Moves an appointment to `status` (checked against what it is now); a cancelled one
    /// gives its time back.
    async fn set_appointment_status(
        &self,
        id: &str,
        status: AppointmentStatus,
        now: DateTime<Utc>,
    ) -> Result<AppointmentView>;
    /// A secret made once and shared by every node, for signing links.
    async fn signing_key(&self, name: &str, fresh: &str, now: DateTime<Utc>) -> Result<String>;
}

const APPOINTMENT_SELECT: &str = "SELECT a.id, a.customer_id, COALESCE(cu.name, a.name) AS customer_name, \
     a.location_id, l.name AS location_name, a.service_id, sv.name_nl, sv.name_en, sv.field_visit, a.staff_id, \
     st.name AS staff_name, a.start_ms, a.end_ms, a.status, a.email, a.phone, a.note, a.address, a.lang, a.sequence, \
     a.created_ms, (SELECT MAX(e.start_ms) FROM appointments e WHERE e.customer_id = a.customer_id \
       AND e.start_ms < a.start_ms AND e.status IN ('checked_in', 'done')) AS last_visit_ms \
     FROM appointments a JOIN customers cu ON cu.id = a.customer_id JOIN locations l ON l.id = a.location_id \
     JOIN services sv ON sv.id = a.service_id JOIN staff st ON st.id = a.staff_id";

fn from_row(row: &AnyRow) -> Result<AppointmentView> {
    let lang: String = row.try_get("lang")?;
    Ok(AppointmentView {
        id: row.try_get("id")?,
        customer_id: row.try_get("customer_id")?,
        customer_name: row.try_get("customer_name")?,
        location_id: row.try_get("location_id")?,
        location_name: row.try_get("location_name")?,
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
    })
}

async fn appointment(pool: &AnyPool, id: &str) -> Result<Option<AppointmentView>> {
    let row = sqlx::query(&format!("{APPOINTMENT_SELECT} WHERE a.id = $1"))
        .bind(id)
        .fetch_optional(pool)
        .await?;
    row.as_ref().map(from_row).transpose()
}

/// The customer with this e-mail address, else with this phone number (who gets the address
/// too), else a new one.
async fn customer_for_booking(conn: &mut AnyConnection, booking: &NewAppointment) -> Result<String> {
    let handle = format!("email:{}", booking.email);
    let by_email = sqlx::query("SELECT customer_id FROM customer_handles WHERE handle = $1")
        .bind(&handle)
        .fetch_optional(&mut *conn)
        .await?;
    if let Some(row) = by_email {
        let id: String = row.try_get("customer_id")?;
        name_if_nameless(conn, &id, &booking.name).await?;
        return Ok(id);
    }
    let by_phone = match &booking.phone {
        Some(phone) => sqlx::query("SELECT id FROM customers WHERE phone = $1")
            .bind(phone)
            .fetch_optional(&mut *conn)
            .await?
            .map(|row| row.try_get::<String, _>("id"))
            .transpose()?,
        None => None,
    };
    let id = match by_phone {
        Some(id) => {
            name_if_nameless(conn, &id, &booking.name).await?;
            id
        }
        None => {
            let id = new_id();
            sqlx::query("INSERT INTO customers (id, name, phone, created_ms) VALUES ($1, $2, $3, $4)")
                .bind(&id)
                .bind(&booking.name)
                .bind(booking.phone.clone())
                .bind(to_ms(booking.now))
                .execute(&mut *conn)
                .await?;
            id
        }
    };
    sqlx::query("INSERT INTO customer_handles (handle, customer_id, created_ms) VALUES ($1, $2, $3)")
        .bind(&handle)
        .bind(&id)
        .bind(to_ms(booking.now))
        .execute(&mut *conn)
        .await?;
    Ok(id)
}

async fn name_if_nameless(conn: &mut AnyConnection, customer_id: &str, name: &str) -> Result<()> {
    sqlx::query("UPDATE customers SET name = $1 WHERE id = $2 AND (name IS NULL OR name = '')")
        .bind(name)
        .bind(customer_id)
        .execute(conn)
        .await?;
    Ok(())
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

impl SqlStore {
    /// One attempt to book `staff_id`, in its own transaction: a lost race rolls back whole.
    async fn book_with(&self, booking: &NewAppointment, staff_id: &str) -> Result<String> {
        let mut tx = self.begin_write().await?;
        let customer_id = customer_for_booking(&mut tx, booking).await?;
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
        .bind(to_ms(booking.start))
        .bind(to_ms(booking.end))
        .bind(&booking.name)
        .bind(&booking.email)
        .bind(booking.phone.clone())
        .bind(booking.note.clone())
        .bind(booking.address.clone())
        .bind(booking.lang.code())
        .bind(to_ms(booking.now))
        .execute(&mut *tx)
        .await?;
        claim(&mut tx, staff_id, &id, booking.occupies).await?;
        tx.commit().await?;
        Ok(id)
    }
}

#[async_trait]
impl Appointments for SqlStore {
    async fn book(&self, booking: NewAppointment) -> Result<AppointmentView> {
        for staff_id in &booking.staff_ids {
            match self.book_with(&booking, staff_id).await {
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

    async fn set_appointment_status(
        &self,
        id: &str,
        status: AppointmentStatus,
        now: DateTime<Utc>,
    ) -> Result<AppointmentView> {
        let mut tx = self.begin_write().await?;
        let row = sqlx::query("SELECT status FROM appointments WHERE id = $1")
            .bind(id)
            .fetch_optional(&mut *tx)
            .await?
            .ok_or(StoreError::NotFound)?;
        let current = parse_enum(row.try_get("status")?, AppointmentStatus::parse)?;
        if !current.may_become(status) {
            return Err(StoreError::Conflict(format!(
                "an appointment that is {} cannot become {}",
                current.as_str(),
                status.as_str()
            )));
        }
        sqlx::query("UPDATE appointments SET status = $1, updated_ms = $2, sequence = sequence + $3 WHERE id = $4")
            .bind(status.as_str())
            .bind(to_ms(now))
            .bind(i64::from(status == AppointmentStatus::Cancelled))
            .bind(id)
            .execute(&mut *tx)
            .await?;
        if status == AppointmentStatus::Cancelled {
            release(&mut tx, id).await?;
        }
        tx.commit().await?;
        appointment(&self.write, id).await?.ok_or(StoreError::NotFound)
    }

    async fn signing_key(&self, name: &str, fresh: &str, now: DateTime<Utc>) -> Result<String> {
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
