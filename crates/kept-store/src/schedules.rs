//! What can be booked when: locations with their opening hours, services, and the hours and
//! absences of the staff who do them — read together by [`Schedules::booking_facts`], which
//! is everything the availability of one service at one location depends on.

use const_format::concatcp;
use kept_domain::AppointmentStatus;
use std::collections::{BTreeSet, HashMap};

use async_trait::async_trait;
use chrono::{DateTime, Duration, NaiveDate, Utc};
use chrono_tz::Tz;
use kept_domain::booking::{Busy, DAY_KEYS, ServiceRules, StaffAtLocation, Week, format_spans, parse_week};
use kept_domain::{BusinessHours, Lang, new_id};
use serde_json::{Map, Value};
use sqlx::any::AnyRow;
use sqlx::{AnyConnection, AnyPool, Row};

use crate::dialect::placeholders;
use crate::sql::SqlStore;
use crate::time::{from_ms, to_ms};
use crate::{Result, StoreError};

/// A location as the owner describes it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LocationInput {
    pub name: String,
    pub address: String,
    pub time_zone: Tz,
    pub week: Week,
    pub closed_days: BTreeSet<NaiveDate>,
    pub active: bool,
}

#[derive(Debug, Clone)]
pub struct Location {
    pub id: String,
    pub name: String,
    pub address: String,
    pub hours: BusinessHours,
    pub active: bool,
}

/// A service as the owner describes it. Durations are whole minutes (multiples of 5).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServiceInput {
    pub name_nl: String,
    pub name_en: String,
    pub duration_minutes: i64,
    pub buffer_before_minutes: i64,
    pub buffer_after_minutes: i64,
    pub min_notice_minutes: i64,
    pub horizon_days: i64,
    /// At the customer's address, in a window of `visit_window_minutes`.
    pub field_visit: bool,
    pub visit_window_minutes: Option<i64>,
    pub call_ahead_minutes: i64,
    pub location_ids: Vec<String>,
    /// Empty: anyone on the team.
    pub staff_ids: Vec<String>,
    pub active: bool,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Service {
    pub id: String,
    pub input: ServiceInput,
}

impl Service {
    pub fn name(&self, lang: Lang) -> &str {
        match lang {
            Lang::Nl => &self.input.name_nl,
            Lang::En => &self.input.name_en,
        }
    }

    /// How long a booking takes: the visit window for a field visit, else the duration.
    pub fn length_minutes(&self) -> i64 {
        match (self.input.field_visit, self.input.visit_window_minutes) {
            (true, Some(window)) => window,
            _ => self.input.duration_minutes,
        }
    }

    pub fn rules(&self) -> ServiceRules {
        ServiceRules {
            length: Duration::minutes(self.length_minutes()),
            buffer_before: Duration::minutes(self.input.buffer_before_minutes),
            buffer_after: Duration::minutes(self.input.buffer_after_minutes),
            min_notice: Duration::minutes(self.input.min_notice_minutes),
            horizon_days: self.input.horizon_days,
        }
    }
}

/// Days off, first and last included.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Absence {
    pub first_day: NaiveDate,
    pub last_day: NaiveDate,
    pub note: Option<String>,
}

/// A staff member's own hours per location, and their absences.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct StaffSchedule {
    pub hours: Vec<(String, Week)>,
    pub absences: Vec<Absence>,
}

/// Everything the free times of one service at one location depend on.
#[derive(Debug, Clone)]
pub struct BookingFacts {
    pub location: Location,
    pub service: Service,
    pub staff: Vec<StaffAtLocation>,
    pub busy: Vec<Busy>,
}

#[async_trait]
pub trait Schedules {
    async fn add_location(&self, location: LocationInput, now: DateTime<Utc>) -> Result<Location>;
    async fn change_location(&self, id: &str, location: LocationInput) -> Result<Location>;
    async fn locations(&self) -> Result<Vec<Location>>;
    async fn location(&self, id: &str) -> Result<Option<Location>>;
    /// `NotFound` when a location or staff member it names does not exist.
    async fn add_service(&self, service: ServiceInput, now: DateTime<Utc>) -> Result<Service>;
    async fn change_service(&self, id: &str, service: ServiceInput) -> Result<Service>;
    async fn services(&self) -> Result<Vec<Service>>;
    async fn service(&self, id: &str) -> Result<Option<Service>>;
    /// Replaces someone's hours and absences.
    async fn set_staff_schedule(&self, staff_id: &str, schedule: &StaffSchedule) -> Result<()>;
    async fn staff_schedule(&self, staff_id: &str) -> Result<StaffSchedule>;
    /// What the free times of `service_id` at `location_id` between `from` and `until` depend
    /// on; `None` when either is unknown or inactive, or the service is not offered there.
    async fn booking_facts(
        &self,
        location_id: &str,
        service_id: &str,
        from: DateTime<Utc>,
        until: DateTime<Utc>,
    ) -> Result<Option<BookingFacts>>;
}

fn week_json(week: &Week) -> String {
    let map: Map<String, Value> = DAY_KEYS
        .iter()
        .zip(week)
        .map(|(key, spans)| (key.to_string(), Value::String(format_spans(spans))))
        .collect();
    Value::Object(map).to_string()
}

fn week_from_json(text: &str) -> Result<Week> {
    let corrupt = || StoreError::Corrupt(text.to_string());
    let map: HashMap<String, String> = serde_json::from_str(text).map_err(|_| corrupt())?;
    parse_week(map.iter().map(|(k, v)| (k.as_str(), v.as_str()))).map_err(|_| corrupt())
}

fn location_from_row(row: &AnyRow) -> Result<Location> {
    let zone: String = row.try_get("time_zone")?;
    let closed: String = row.try_get("closed_days")?;
    let closed_days: BTreeSet<NaiveDate> =
        serde_json::from_str(&closed).map_err(|_| StoreError::Corrupt(closed.clone()))?;
    Ok(Location {
        id: row.try_get("id")?,
        name: row.try_get("name")?,
        address: row.try_get("address")?,
        hours: BusinessHours {
            time_zone: zone.parse().map_err(|_| StoreError::Corrupt(zone.clone()))?,
            weekly: week_from_json(&row.try_get::<String, _>("hours")?)?,
            closed_days,
        },
        active: row.try_get::<i64, _>("active")? != 0,
    })
}

const LOCATION_SELECT: &str = "SELECT id, name, address, time_zone, hours, closed_days, active FROM locations";
const SERVICE_SELECT: &str = "SELECT id, name_nl, name_en, duration_minutes, buffer_before_minutes, \
     buffer_after_minutes, min_notice_minutes, horizon_days, field_visit, visit_window_minutes, call_ahead_minutes, \
     active FROM services";

fn closed_json(days: &BTreeSet<NaiveDate>) -> String {
    serde_json::to_string(days).unwrap_or_else(|_| "[]".into())
}

async fn write_location(conn: &mut AnyConnection, id: &str, input: &LocationInput, now: DateTime<Utc>) -> Result<()> {
    sqlx::query(
        "INSERT INTO locations (id, name, address, time_zone, hours, closed_days, active, created_ms) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT (id) DO UPDATE SET name = excluded.name, \
         address = excluded.address, time_zone = excluded.time_zone, hours = excluded.hours, \
         closed_days = excluded.closed_days, active = excluded.active",
    )
    .bind(id)
    .bind(&input.name)
    .bind(&input.address)
    .bind(input.time_zone.name())
    .bind(week_json(&input.week))
    .bind(closed_json(&input.closed_days))
    .bind(i64::from(input.active))
    .bind(to_ms(now))
    .execute(conn)
    .await?;
    Ok(())
}

async fn location(pool: &AnyPool, id: &str) -> Result<Option<Location>> {
    let row = sqlx::query(&format!("{LOCATION_SELECT} WHERE id = $1"))
        .bind(id)
        .fetch_optional(pool)
        .await?;
    row.as_ref().map(location_from_row).transpose()
}

/// Every id in `ids` must name a row of `table`.
async fn all_exist(conn: &mut AnyConnection, table: &str, ids: &[String]) -> Result<()> {
    let unique: BTreeSet<&String> = ids.iter().collect();
    if unique.is_empty() {
        return Ok(());
    }
    let sql = format!(
        "SELECT COUNT(*) AS n FROM {table} WHERE id IN ({})",
        placeholders(1, unique.len())
    );
    let query = unique.iter().fold(sqlx::query(&sql), |q, id| q.bind(id.as_str()));
    let found: i64 = query.fetch_one(conn).await?.try_get("n")?;
    if found as usize == unique.len() {
        Ok(())
    } else {
        Err(StoreError::NotFound)
    }
}

async fn write_service(conn: &mut AnyConnection, id: &str, input: &ServiceInput, now: DateTime<Utc>) -> Result<()> {
    all_exist(conn, "locations", &input.location_ids).await?;
    all_exist(conn, "staff", &input.staff_ids).await?;
    sqlx::query(
        "INSERT INTO services (id, name_nl, name_en, duration_minutes, buffer_before_minutes, buffer_after_minutes, \
         min_notice_minutes, horizon_days, field_visit, visit_window_minutes, call_ahead_minutes, active, created_ms) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13) ON CONFLICT (id) DO UPDATE SET \
         name_nl = excluded.name_nl, name_en = excluded.name_en, duration_minutes = excluded.duration_minutes, \
         buffer_before_minutes = excluded.buffer_before_minutes, buffer_after_minutes = excluded.buffer_after_minutes, \
         min_notice_minutes = excluded.min_notice_minutes, horizon_days = excluded.horizon_days, \
         field_visit = excluded.field_visit, visit_window_minutes = excluded.visit_window_minutes, \
         call_ahead_minutes = excluded.call_ahead_minutes, active = excluded.active",
    )
    .bind(id)
    .bind(&input.name_nl)
    .bind(&input.name_en)
    .bind(input.duration_minutes)
    .bind(input.buffer_before_minutes)
    .bind(input.buffer_after_minutes)
    .bind(input.min_notice_minutes)
    .bind(input.horizon_days)
    .bind(i64::from(input.field_visit))
    .bind(input.visit_window_minutes)
    .bind(input.call_ahead_minutes)
    .bind(i64::from(input.active))
    .bind(to_ms(now))
    .execute(&mut *conn)
    .await?;
    replace_links(conn, "service_locations", "location_id", id, &input.location_ids).await?;
    replace_links(conn, "service_staff", "staff_id", id, &input.staff_ids).await
}

async fn replace_links(
    conn: &mut AnyConnection,
    table: &str,
    column: &str,
    service_id: &str,
    ids: &[String],
) -> Result<()> {
    sqlx::query(&format!("DELETE FROM {table} WHERE service_id = $1"))
        .bind(service_id)
        .execute(&mut *conn)
        .await?;
    let unique: BTreeSet<&String> = ids.iter().collect();
    for linked in unique {
        sqlx::query(&format!("INSERT INTO {table} (service_id, {column}) VALUES ($1, $2)"))
            .bind(service_id)
            .bind(linked)
            .execute(&mut *conn)
            .await?;
    }
    Ok(())
}

async fn linked_ids(pool: &AnyPool, table: &str, column: &str) -> Result<HashMap<String, Vec<String>>> {
    let rows = sqlx::query(&format!(
        "SELECT service_id, {column} AS linked FROM {table} ORDER BY 1, 2"
    ))
    .fetch_all(pool)
    .await?;
    let mut links: HashMap<String, Vec<String>> = HashMap::new();
    for row in rows {
        links
            .entry(row.try_get("service_id")?)
            .or_default()
            .push(row.try_get("linked")?);
    }
    Ok(links)
}

async fn services_where(pool: &AnyPool, condition: &str, id: Option<&str>) -> Result<Vec<Service>> {
    let sql = format!("{SERVICE_SELECT} {condition} ORDER BY name_nl, id");
    let rows = match id {
        Some(id) => sqlx::query(&sql).bind(id).fetch_all(pool).await?,
        None => sqlx::query(&sql).fetch_all(pool).await?,
    };
    let mut locations = linked_ids(pool, "service_locations", "location_id").await?;
    let mut staff = linked_ids(pool, "service_staff", "staff_id").await?;
    rows.iter()
        .map(|row| {
            let id: String = row.try_get("id")?;
            let input = ServiceInput {
                name_nl: row.try_get("name_nl")?,
                name_en: row.try_get("name_en")?,
                duration_minutes: row.try_get("duration_minutes")?,
                buffer_before_minutes: row.try_get("buffer_before_minutes")?,
                buffer_after_minutes: row.try_get("buffer_after_minutes")?,
                min_notice_minutes: row.try_get("min_notice_minutes")?,
                horizon_days: row.try_get("horizon_days")?,
                field_visit: row.try_get::<i64, _>("field_visit")? != 0,
                visit_window_minutes: row.try_get("visit_window_minutes")?,
                call_ahead_minutes: row.try_get("call_ahead_minutes")?,
                location_ids: locations.remove(&id).unwrap_or_default(),
                staff_ids: staff.remove(&id).unwrap_or_default(),
                active: row.try_get::<i64, _>("active")? != 0,
            };
            Ok(Service { id, input })
        })
        .collect()
}

/// The staff who may do the service at the location, with their own hours there.
async fn staff_for(pool: &AnyPool, service: &Service, location_id: &str) -> Result<Vec<StaffAtLocation>> {
    let allowed = &service.input.staff_ids;
    let mut team = team_at(pool, location_id).await?;
    team.retain(|person| allowed.is_empty() || allowed.contains(&person.staff_id));
    Ok(team)
}

/// Everyone on the team who may work at a location (their own hours there, or no own hours
/// anywhere), with their absences.
pub(crate) async fn team_at(pool: &AnyPool, location_id: &str) -> Result<Vec<StaffAtLocation>> {
    let rows = sqlx::query(
        "SELECT st.id, h.hours AS here, (SELECT COUNT(*) FROM staff_hours o WHERE o.staff_id = st.id) AS scheduled \
         FROM staff st LEFT JOIN staff_hours h ON h.staff_id = st.id AND h.location_id = $1 \
         WHERE st.active = 1 AND st.password_hash <> '' ORDER BY st.id",
    )
    .bind(location_id)
    .fetch_all(pool)
    .await?;
    let mut staff = Vec::new();
    for row in rows {
        let id: String = row.try_get("id")?;
        let here: Option<String> = row.try_get("here")?;
        let scheduled: i64 = row.try_get("scheduled")?;
        let week = match (here, scheduled) {
            (Some(hours), _) => Some(week_from_json(&hours)?),
            // Scheduled only elsewhere: not at this location.
            (None, n) if n > 0 => continue,
            (None, _) => None,
        };
        staff.push(StaffAtLocation {
            staff_id: id,
            week,
            absences: Vec::new(),
        });
    }
    for person in &mut staff {
        person.absences = absences(pool, &person.staff_id)
            .await?
            .into_iter()
            .map(|a| (a.first_day, a.last_day))
            .collect();
    }
    Ok(staff)
}

async fn absences(pool: &AnyPool, staff_id: &str) -> Result<Vec<Absence>> {
    let rows =
        sqlx::query("SELECT first_day, last_day, note FROM staff_absences WHERE staff_id = $1 ORDER BY first_day")
            .bind(staff_id)
            .fetch_all(pool)
            .await?;
    let day = |text: String| text.parse::<NaiveDate>().map_err(|_| StoreError::Corrupt(text));
    rows.iter()
        .map(|r| {
            Ok(Absence {
                first_day: day(r.try_get("first_day")?)?,
                last_day: day(r.try_get("last_day")?)?,
                note: r.try_get("note")?,
            })
        })
        .collect()
}

/// The time the staff are taken between `from` and `until`, anywhere, buffers included.
async fn busy(pool: &AnyPool, from: DateTime<Utc>, until: DateTime<Utc>) -> Result<Vec<Busy>> {
    let rows = sqlx::query(concatcp!(
        "SELECT a.id, a.staff_id, a.start_ms - s.buffer_before_minutes * 60000 AS from_ms, \
         a.end_ms + s.buffer_after_minutes * 60000 AS until_ms FROM appointments a \
         JOIN services s ON s.id = a.service_id \
         WHERE a.start_ms < $2 AND a.end_ms > $1 AND a.status IN (",
        AppointmentStatus::Booked.sql(),
        ", ",
        AppointmentStatus::Late.sql(),
        ", ",
        AppointmentStatus::CheckedIn.sql(),
        ")"
    ))
    .bind(to_ms(from - Duration::days(1)))
    .bind(to_ms(until + Duration::days(1)))
    .fetch_all(pool)
    .await?;
    rows.iter()
        .map(|r| {
            Ok(Busy {
                appointment_id: r.try_get("id")?,
                staff_id: r.try_get("staff_id")?,
                from: from_ms(r.try_get("from_ms")?),
                until: from_ms(r.try_get("until_ms")?),
            })
        })
        .collect()
}

#[async_trait]
impl Schedules for SqlStore {
    async fn add_location(&self, location: LocationInput, now: DateTime<Utc>) -> Result<Location> {
        let id = new_id();
        let mut tx = self.begin_write().await?;
        write_location(&mut tx, &id, &location, now).await?;
        tx.commit().await?;
        self::location(&self.write, &id).await?.ok_or(StoreError::NotFound)
    }

    async fn change_location(&self, id: &str, location: LocationInput) -> Result<Location> {
        if self::location(&self.write, id).await?.is_none() {
            return Err(StoreError::NotFound);
        }
        let mut tx = self.begin_write().await?;
        // The row exists, so the creation time given here is not used.
        write_location(&mut tx, id, &location, DateTime::UNIX_EPOCH).await?;
        tx.commit().await?;
        self::location(&self.write, id).await?.ok_or(StoreError::NotFound)
    }

    async fn locations(&self) -> Result<Vec<Location>> {
        let rows = sqlx::query(&format!("{LOCATION_SELECT} ORDER BY active DESC, name, id"))
            .fetch_all(&self.read)
            .await?;
        rows.iter().map(location_from_row).collect()
    }

    async fn location(&self, id: &str) -> Result<Option<Location>> {
        self::location(&self.read, id).await
    }

    async fn add_service(&self, service: ServiceInput, now: DateTime<Utc>) -> Result<Service> {
        let id = new_id();
        let mut tx = self.begin_write().await?;
        write_service(&mut tx, &id, &service, now).await?;
        tx.commit().await?;
        Ok(Service { id, input: service })
    }

    async fn change_service(&self, id: &str, service: ServiceInput) -> Result<Service> {
        let mut tx = self.begin_write().await?;
        let exists = sqlx::query("SELECT id FROM services WHERE id = $1")
            .bind(id)
            .fetch_optional(&mut *tx)
            .await?;
        if exists.is_none() {
            return Err(StoreError::NotFound);
        }
        // The row exists, so the creation time given here is not used.
        write_service(&mut tx, id, &service, DateTime::UNIX_EPOCH).await?;
        tx.commit().await?;
        Ok(Service {
            id: id.to_string(),
            input: service,
        })
    }

    async fn services(&self) -> Result<Vec<Service>> {
        services_where(&self.read, "", None).await
    }

    async fn service(&self, id: &str) -> Result<Option<Service>> {
        Ok(services_where(&self.read, "WHERE id = $1", Some(id)).await?.pop())
    }

    async fn set_staff_schedule(&self, staff_id: &str, schedule: &StaffSchedule) -> Result<()> {
        let mut tx = self.begin_write().await?;
        all_exist(&mut tx, "staff", &[staff_id.to_string()]).await?;
        let locations: Vec<String> = schedule.hours.iter().map(|(id, _)| id.clone()).collect();
        all_exist(&mut tx, "locations", &locations).await?;
        for table in ["staff_hours", "staff_absences"] {
            sqlx::query(&format!("DELETE FROM {table} WHERE staff_id = $1"))
                .bind(staff_id)
                .execute(&mut *tx)
                .await?;
        }
        for (location_id, week) in &schedule.hours {
            sqlx::query("INSERT INTO staff_hours (staff_id, location_id, hours) VALUES ($1, $2, $3)")
                .bind(staff_id)
                .bind(location_id)
                .bind(week_json(week))
                .execute(&mut *tx)
                .await?;
        }
        for absence in &schedule.absences {
            sqlx::query(
                "INSERT INTO staff_absences (id, staff_id, first_day, last_day, note) VALUES ($1, $2, $3, $4, $5)",
            )
            .bind(new_id())
            .bind(staff_id)
            .bind(absence.first_day.to_string())
            .bind(absence.last_day.to_string())
            .bind(absence.note.clone())
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await?;
        Ok(())
    }

    async fn staff_schedule(&self, staff_id: &str) -> Result<StaffSchedule> {
        let rows = sqlx::query("SELECT location_id, hours FROM staff_hours WHERE staff_id = $1 ORDER BY location_id")
            .bind(staff_id)
            .fetch_all(&self.read)
            .await?;
        let hours = rows
            .iter()
            .map(|r| {
                Ok((
                    r.try_get("location_id")?,
                    week_from_json(&r.try_get::<String, _>("hours")?)?,
                ))
            })
            .collect::<Result<Vec<_>>>()?;
        Ok(StaffSchedule {
            hours,
            absences: absences(&self.read, staff_id).await?,
        })
    }

    async fn booking_facts(
        &self,
        location_id: &str,
        service_id: &str,
        from: DateTime<Utc>,
        until: DateTime<Utc>,
    ) -> Result<Option<BookingFacts>> {
        let (Some(location), Some(service)) = (
            self::location(&self.read, location_id).await?,
            self.service(service_id).await?,
        ) else {
            return Ok(None);
        };
        let offered_here = service.input.location_ids.iter().any(|id| id == location_id);
        if !location.active || !service.input.active || !offered_here {
            return Ok(None);
        }
        let staff = staff_for(&self.read, &service, location_id).await?;
        let busy = busy(&self.read, from, until).await?;
        Ok(Some(BookingFacts {
            location,
            service,
            staff,
            busy,
        }))
    }
}
