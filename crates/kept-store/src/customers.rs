//! Customers: their contact details, merging two records of one person, and what staff note.

use chrono::{DateTime, Utc};
use kept_domain::new_id;
use kept_domain::search::customer_search_words;
use sqlx::{AnyConnection, AnyPool, Row};

use crate::customer_data;
use crate::customer_words;
use crate::dialect::{Dialect, placeholders};
use crate::model::{BouncingAddress, Contact, CustomerView, NewRecord};
use crate::promises::{self, Actor};
use crate::search::{IndexEntry, Indexed, Words, index};
use crate::statements::{Cell, bound};
use crate::time::{from_ms, to_ms};
use crate::{Result, StoreError};

pub(crate) async fn customer(pool: &AnyPool, id: &str) -> Result<Option<CustomerView>> {
    let Some(row) = sqlx::query("SELECT id, name, phone FROM customers WHERE id = $1")
        .bind(id)
        .fetch_optional(pool)
        .await?
    else {
        return Ok(None);
    };
    let handles = sqlx::query(
        "SELECT handle, bounce_reason, bounced_ms FROM customer_handles WHERE customer_id = $1 ORDER BY created_ms, handle",
    )
    .bind(id)
    .fetch_all(pool)
    .await?;
    let mut bouncing = Vec::new();
    for r in &handles {
        if let (Some(reason), Some(at)) = (r.try_get("bounce_reason")?, r.try_get::<Option<i64>, _>("bounced_ms")?) {
            bouncing.push(BouncingAddress {
                handle: r.try_get("handle")?,
                reason,
                at: from_ms(at),
            });
        }
    }
    Ok(Some(CustomerView {
        id: row.try_get("id")?,
        name: row.try_get("name")?,
        phone: row.try_get("phone")?,
        handles: handles.iter().map(|r| r.try_get("handle")).collect::<Result<_, _>>()?,
        bouncing,
    }))
}

/// How many customers matching a search are sorted to choose those shown.
const FIND_CANDIDATES: i64 = 200;

/// Customers with a word of their name, e-mail address or handles beginning with each word of
/// `text` (any case, accents folded), or whose phone number is `phone` (already normalised):
/// the name exactly as typed first, then by name.
pub(crate) async fn find(pool: &AnyPool, text: &str, phone: Option<&str>, limit: i64) -> Result<Vec<CustomerView>> {
    let words = customer_search_words(text);
    let lowered = text.trim().to_lowercase();
    let mut values = vec![Cell::Text(phone.unwrap_or("")), Cell::Int(limit), Cell::Text(&lowered)];
    let mut chosen = vec!["SELECT id FROM customers WHERE phone = $1".to_string()];
    if !words.is_empty() {
        let (by_words, word_values) = customer_words::customers_with(&words, 5);
        // A common surname matches thousands: a few hundred of them are plenty to show ten.
        chosen.push(format!(
            "SELECT customer_id FROM (SELECT customer_id FROM ({by_words}) found LIMIT $4) f"
        ));
        values.push(Cell::Int(FIND_CANDIDATES));
        values.extend(word_values.into_iter().map(Cell::Owned));
    }
    let sql = format!(
        "SELECT c.id, c.name, c.phone FROM customers c WHERE c.id IN ({}) \
         ORDER BY CASE WHEN LOWER(c.name) = $3 THEN 0 ELSE 1 END, c.name, c.id LIMIT $2",
        chosen.join(" UNION ")
    );
    let rows = bound(&sql, &values).fetch_all(pool).await?;
    let mut found = rows
        .iter()
        .map(|row| {
            Ok(CustomerView {
                id: row.try_get("id")?,
                name: row.try_get("name")?,
                phone: row.try_get("phone")?,
                handles: Vec::new(),
                bouncing: Vec::new(),
            })
        })
        .collect::<Result<Vec<_>>>()?;
    if found.is_empty() {
        return Ok(found);
    }
    // Everyone's handles in one query, not one per customer.
    let sql = format!(
        "SELECT customer_id, handle FROM customer_handles WHERE customer_id IN ({}) ORDER BY created_ms, handle",
        placeholders(1, found.len())
    );
    let handles = found
        .iter()
        .fold(sqlx::query(&sql), |q, c| q.bind(c.id.clone()))
        .fetch_all(pool)
        .await?;
    for row in handles {
        let (owner, handle): (String, String) = (row.try_get("customer_id")?, row.try_get("handle")?);
        if let Some(customer) = found.iter_mut().find(|c| c.id == owner) {
            customer.handles.push(handle);
        }
    }
    Ok(found)
}

/// Adds a phone number or handle. One that belongs to another customer is a conflict: those
/// two records are one person and should be merged.
pub(crate) async fn add_contact(
    conn: &mut AnyConnection,
    customer_id: &str,
    contact: &Contact,
    now: DateTime<Utc>,
) -> Result<()> {
    let exists = sqlx::query("SELECT phone FROM customers WHERE id = $1")
        .bind(customer_id)
        .fetch_optional(&mut *conn)
        .await?;
    let current_phone: Option<String> = exists.ok_or(StoreError::NotFound)?.try_get("phone")?;
    let result = match contact {
        Contact::Phone(phone) if current_phone.as_deref() == Some(phone) => return Ok(()),
        Contact::Phone(_) if current_phone.is_some() => {
            return Err(StoreError::Conflict("this customer already has a phone number".into()));
        }
        Contact::Phone(phone) => {
            sqlx::query("UPDATE customers SET phone = $1 WHERE id = $2")
                .bind(phone)
                .bind(customer_id)
                .execute(&mut *conn)
                .await
        }
        Contact::Handle(handle) => {
            sqlx::query("INSERT INTO customer_handles (handle, customer_id, created_ms) VALUES ($1, $2, $3)")
                .bind(handle)
                .bind(customer_id)
                .bind(to_ms(now))
                .execute(&mut *conn)
                .await
        }
    };
    match result.map_err(StoreError::from) {
        Err(StoreError::Duplicate) => Err(StoreError::Conflict(
            "this contact belongs to another customer; merge the two customers instead".into(),
        )),
        Err(other) => Err(other),
        Ok(_) => customer_words::renew(conn, customer_id).await,
    }
}

/// Moves everything of customer `from` to `into` and removes `from`: nothing is lost.
/// Gives a customer a name, or takes it away with `None`.
pub(crate) async fn rename(conn: &mut AnyConnection, id: &str, name: Option<&str>) -> Result<()> {
    let updated = sqlx::query("UPDATE customers SET name = $1 WHERE id = $2")
        .bind(name)
        .bind(id)
        .execute(&mut *conn)
        .await?;
    if updated.rows_affected() == 0 {
        return Err(StoreError::NotFound);
    }
    customer_words::renew(conn, id).await
}

pub(crate) async fn merge(conn: &mut AnyConnection, dialect: Dialect, into: &str, from: &str) -> Result<()> {
    if into == from {
        return Err(StoreError::Conflict("a customer cannot be merged with itself".into()));
    }
    let row = sqlx::query("SELECT name, phone FROM customers WHERE id = $1")
        .bind(from)
        .fetch_optional(&mut *conn)
        .await?;
    let row = row.ok_or(StoreError::NotFound)?;
    let (name, phone): (Option<String>, Option<String>) = (row.try_get("name")?, row.try_get("phone")?);
    let target = sqlx::query("SELECT phone FROM customers WHERE id = $1")
        .bind(into)
        .fetch_optional(&mut *conn)
        .await?;
    let target_phone: Option<String> = target.ok_or(StoreError::NotFound)?.try_get("phone")?;
    customer_data::move_all(conn, dialect, into, from).await?;
    sqlx::query("DELETE FROM customers WHERE id = $1")
        .bind(from)
        .execute(&mut *conn)
        .await?;
    // A second phone number is kept as a handle so that it still finds this customer's record.
    let (keep_phone, extra_phone) = match (target_phone, phone) {
        (None, phone) => (phone, None),
        (Some(_), phone) => (None, phone),
    };
    sqlx::query("UPDATE customers SET name = COALESCE(name, $1), phone = COALESCE(phone, $2) WHERE id = $3")
        .bind(name)
        .bind(keep_phone)
        .bind(into)
        .execute(&mut *conn)
        .await?;
    if let Some(phone) = extra_phone {
        sqlx::query("INSERT INTO customer_handles (handle, customer_id, created_ms) VALUES ($1, $2, 0) ON CONFLICT (handle) DO NOTHING")
            .bind(format!("phone:{phone}"))
            .bind(into)
            .execute(&mut *conn)
            .await?;
    }
    customer_words::renew(conn, into).await
}

pub(crate) async fn add_record(
    conn: &mut AnyConnection,
    customer_id: &str,
    staff_id: &str,
    record: &NewRecord,
    now: DateTime<Utc>,
) -> Result<String> {
    let id = new_id();
    let query = match record {
        NewRecord::Note { conversation_id, text } => {
            sqlx::query("INSERT INTO notes (id, customer_id, conversation_id, staff_id, body, at_ms) VALUES ($1, $2, $3, $4, $5, $6)")
                .bind(id.clone())
                .bind(customer_id.to_string())
                .bind(conversation_id.clone())
                .bind(staff_id.to_string())
                .bind(text.clone())
                .bind(to_ms(now))
        }
        NewRecord::Call { direction, summary } => sqlx::query(
            "INSERT INTO phone_calls (id, customer_id, staff_id, direction, summary, at_ms) VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(id.clone())
        .bind(customer_id.to_string())
        .bind(staff_id.to_string())
        .bind(direction.as_str())
        .bind(summary.clone())
        .bind(to_ms(now)),
    };
    match query.execute(&mut *conn).await.map_err(StoreError::from) {
        Ok(_) => {
            index_record(conn, customer_id, &id, record, now).await?;
            if let NewRecord::Call { .. } = record {
                let actor = Actor {
                    staff_id: Some(staff_id),
                    detail: Some("called"),
                };
                promises::customer_contacted(conn, customer_id, actor, now).await?;
            }
            Ok(id)
        }
        // A customer or conversation that does not exist fails the foreign key.
        Err(StoreError::Database(error)) if error.as_database_error().is_some_and(|e| e.is_foreign_key_violation()) => {
            Err(StoreError::NotFound)
        }
        Err(other) => Err(other),
    }
}

async fn index_record(
    conn: &mut AnyConnection,
    customer_id: &str,
    id: &str,
    record: &NewRecord,
    now: DateTime<Utc>,
) -> Result<()> {
    let (kind, channel, text) = match record {
        NewRecord::Note { conversation_id, text } => {
            let channel = match conversation_id {
                Some(conversation_id) => sqlx::query("SELECT channel FROM conversations WHERE id = $1")
                    .bind(conversation_id)
                    .fetch_one(&mut *conn)
                    .await?
                    .try_get("channel")?,
                None => "internal".to_string(),
            };
            (Indexed::Note, channel, text)
        }
        NewRecord::Call { summary, .. } => (Indexed::PhoneCall, "phone".to_string(), summary),
    };
    index(
        conn,
        IndexEntry {
            kind,
            id,
            customer_id,
            channel: &channel,
            words: Words::Text(text),
            at: now,
        },
    )
    .await
}

/// The customer with this e-mail address, else with this phone number (who gets the address
/// too), else a new one. A name fills in a customer who has none.
pub(crate) async fn find_or_add(
    conn: &mut AnyConnection,
    name: Option<&str>,
    email: Option<&str>,
    phone: Option<&str>,
    now: DateTime<Utc>,
) -> Result<String> {
    let id = find_or_add_record(conn, name, email, phone, now).await?;
    customer_words::renew(conn, &id).await?;
    Ok(id)
}

async fn find_or_add_record(
    conn: &mut AnyConnection,
    name: Option<&str>,
    email: Option<&str>,
    phone: Option<&str>,
    now: DateTime<Utc>,
) -> Result<String> {
    let handle = email.map(|email| format!("email:{email}"));
    if let Some(handle) = &handle {
        let by_email = sqlx::query("SELECT customer_id FROM customer_handles WHERE handle = $1")
            .bind(handle)
            .fetch_optional(&mut *conn)
            .await?;
        if let Some(row) = by_email {
            let id: String = row.try_get("customer_id")?;
            name_if_nameless(conn, &id, name).await?;
            complete_contacts(conn, &id, None, phone, now).await?;
            return Ok(id);
        }
    }
    let by_phone = match phone {
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
            name_if_nameless(conn, &id, name).await?;
            id
        }
        None => {
            let id = new_id();
            sqlx::query("INSERT INTO customers (id, name, phone, created_ms) VALUES ($1, $2, $3, $4)")
                .bind(&id)
                .bind(name)
                .bind(phone)
                .bind(to_ms(now))
                .execute(&mut *conn)
                .await?;
            id
        }
    };
    if let Some(handle) = &handle {
        sqlx::query("INSERT INTO customer_handles (handle, customer_id, created_ms) VALUES ($1, $2, $3)")
            .bind(handle)
            .bind(&id)
            .bind(to_ms(now))
            .execute(&mut *conn)
            .await?;
    }
    Ok(id)
}

/// Gives a known customer the contact details they lack: a phone number when they have none
/// (and nobody else has it), an e-mail address nobody has. Whether anything was added.
pub(crate) async fn complete_contacts(
    conn: &mut AnyConnection,
    customer_id: &str,
    email: Option<&str>,
    phone: Option<&str>,
    now: DateTime<Utc>,
) -> Result<bool> {
    let mut added = false;
    if let Some(phone) = phone {
        let set = sqlx::query(
            "UPDATE customers SET phone = $1 WHERE id = $2 AND phone IS NULL \
             AND NOT EXISTS (SELECT 1 FROM customers o WHERE o.phone = $1)",
        )
        .bind(phone)
        .bind(customer_id)
        .execute(&mut *conn)
        .await?;
        added |= set.rows_affected() > 0;
    }
    if let Some(email) = email {
        let handle = format!("email:{email}");
        let inserted = sqlx::query(
            "INSERT INTO customer_handles (handle, customer_id, created_ms) VALUES ($1, $2, $3) \
             ON CONFLICT (handle) DO NOTHING",
        )
        .bind(&handle)
        .bind(customer_id)
        .bind(to_ms(now))
        .execute(&mut *conn)
        .await?;
        added |= inserted.rows_affected() > 0;
    }
    if added {
        customer_words::renew(conn, customer_id).await?;
    }
    Ok(added)
}

async fn name_if_nameless(conn: &mut AnyConnection, customer_id: &str, name: Option<&str>) -> Result<()> {
    let Some(name) = name.filter(|n| !n.trim().is_empty()) else {
        return Ok(());
    };
    sqlx::query("UPDATE customers SET name = $1 WHERE id = $2 AND (name IS NULL OR name = '')")
        .bind(name)
        .bind(customer_id)
        .execute(conn)
        .await?;
    Ok(())
}
