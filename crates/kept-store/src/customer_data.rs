//! The register of where a customer's data lives. Merging two customers, exporting one
//! (AVG/GDPR access) and erasing one (right to be forgotten) all walk this one list, and a
//! contract test fails when a table holding customer data is missing from it.

use base64::Engine;
use chrono::{DateTime, Utc};
use kept_domain::new_id;
use serde_json::{Map, Value};
use sqlx::any::AnyRow;
use sqlx::{AnyConnection, Column, Row, TypeInfo, ValueRef};

use crate::dialect::Dialect;
use crate::model::{CustomerExport, Erasure};
use crate::time::{from_ms, to_ms};
use crate::{Result, StoreError, outbox, promises, search};

/// How a table's rows belong to a customer.
#[derive(Debug, Clone, Copy)]
pub enum Link {
    /// The table's own `customer_id` column.
    CustomerId,
    /// Through a parent in the register: `column` holds the parent row's `id`.
    Parent { column: &'static str, parent: &'static str },
}

/// What erasing a customer does to a table's rows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OnErase {
    Delete,
    /// The rows stay without the link to the person, so the figures (promises kept, late)
    /// keep their counts; nothing in them identifies the customer.
    Anonymise,
}

/// One table that holds customer data.
#[derive(Debug, Clone, Copy)]
pub struct Holding {
    pub table: &'static str,
    pub link: Link,
    /// The columns an export shows (the table's own bookkeeping columns are left out).
    pub export: &'static [&'static str],
    pub on_erase: OnErase,
}

const fn own(table: &'static str, export: &'static [&'static str]) -> Holding {
    Holding {
        table,
        link: Link::CustomerId,
        export,
        on_erase: OnErase::Delete,
    }
}

/// Every table with customer data, parents before children. Erasing walks it backwards
/// (children first, for the foreign keys); merging moves the `customer_id` of each.
pub const REGISTER: &[Holding] = &[
    own(
        "customer_handles",
        &["handle", "created_ms", "bounce_reason", "bounced_ms"],
    ),
    // The words the customer is found by: made from the record above, nothing of its own.
    own("customer_words", &[]),
    own(
        "callback_requests",
        &[
            "id",
            "phone",
            "name",
            "window_code",
            "note",
            "lang",
            "status",
            "attempts",
            "created_ms",
            "closed_ms",
        ],
    ),
    own("calls", &["id", "callback_id", "staff_id", "outcome", "note", "at_ms"]),
    own(
        "conversations",
        &["id", "channel", "status", "assignee_id", "created_ms", "updated_ms"],
    ),
    Holding {
        table: "conversation_tags",
        link: Link::Parent {
            column: "conversation_id",
            parent: "conversations",
        },
        export: &["conversation_id", "tag"],
        on_erase: OnErase::Delete,
    },
    // Which staff member last opened the conversation when: nothing about the customer to
    // export, but it goes with the conversation.
    Holding {
        table: "conversation_reads",
        link: Link::Parent {
            column: "conversation_id",
            parent: "conversations",
        },
        export: &[],
        on_erase: OnErase::Delete,
    },
    own(
        "messages",
        &[
            "id",
            "conversation_id",
            "direction",
            "channel",
            "external_id",
            "staff_id",
            "subject",
            "body",
            "sent_ms",
        ],
    ),
    Holding {
        table: "attachments",
        link: Link::Parent {
            column: "message_id",
            parent: "messages",
        },
        export: &["id", "message_id", "filename", "content_type", "size_bytes", "data"],
        on_erase: OnErase::Delete,
    },
    own("notes", &["id", "conversation_id", "staff_id", "body", "at_ms"]),
    own("phone_calls", &["id", "staff_id", "direction", "summary", "at_ms"]),
    own("follow_ups", &["id", "staff_id", "body", "promise_id", "created_ms"]),
    own(
        "appointments",
        &[
            "id",
            "location_id",
            "service_id",
            "staff_id",
            "start_ms",
            "end_ms",
            "status",
            "name",
            "email",
            "phone",
            "note",
            "address",
            "lang",
            "created_ms",
        ],
    ),
    // The customer's answers to the calendar invitation (after appointments: they refer to it).
    own(
        "appointment_answers",
        &["id", "appointment_id", "answer", "comment", "at_ms"],
    ),
    // When the customer is (or was) reminded: goes with the appointment.
    Holding {
        table: "appointment_reminders",
        link: Link::Parent {
            column: "appointment_id",
            parent: "appointments",
        },
        export: &["appointment_id", "due_ms", "done_ms", "outcome"],
        on_erase: OnErase::Delete,
    },
    own(
        "waiting_list",
        &[
            "id",
            "location_id",
            "service_id",
            "name",
            "email",
            "lang",
            "created_ms",
            "offered_ms",
            "booked_ms",
        ],
    ),
    // Which blocks of a staff member's time an appointment holds: goes with the appointment.
    Holding {
        table: "appointment_claims",
        link: Link::Parent {
            column: "appointment_id",
            parent: "appointments",
        },
        export: &[],
        on_erase: OnErase::Delete,
    },
    Holding {
        table: "promises",
        link: Link::CustomerId,
        export: &["id", "kind", "status", "owner_id", "due_ms", "created_ms", "closed_ms"],
        on_erase: OnErase::Anonymise,
    },
    // What the customer was asked and answered; after promises, since a low answer's
    // recovery promise is referred to from here.
    own(
        "surveys",
        &[
            "id",
            "kind",
            "trigger_kind",
            "email",
            "name",
            "lang",
            "status",
            "sent_ms",
            "score",
            "reason",
            "comment",
            "answered_ms",
            "created_ms",
        ],
    ),
    // Contracts and subscriptions; after promises, since an outreach promise is referred to.
    own(
        "contracts",
        &[
            "id",
            "external_id",
            "product",
            "start_date",
            "end_date",
            "value_cents",
            "status",
            "outcome_note",
            "outcome_ms",
            "created_ms",
        ],
    ),
    // That someone thanked the customer for being a fan, with their note.
    own("fan_thanks", &["staff_id", "note", "thanked_ms"]),
    // The customer's own pages of their requests (the token itself is a secret, not data)
    // and when they opened them.
    own("status_links", &["subject_kind", "subject_id", "created_ms"]),
    own("status_views", &["subject_kind", "subject_id", "at_ms"]),
    // The search index repeats the words of messages, notes and calls; it is derived, so an
    // export leaves it out, but an erase must remove it.
    own("search_index", &[]),
];

/// Tables that hold no customer data although they may look like it (staff e-mail addresses,
/// an erasure's anonymous record), and the one that holds it without a link: unreadable mail
/// is matched on the customer's e-mail addresses, outbox rows on the ids of their records.
pub const NOT_LINKED_BY_CUSTOMER_ID: &[&str] = &[
    "customers",
    "staff",
    "sessions",
    "api_tokens",
    "erasures",
    "unreadable_mail",
    "outbox",
    "promise_events",
    "reply_templates",
    // A staff member's days off, with their own note.
    "staff_absences",
    // Which location's day digest was sent; the e-mail reads the appointments when it goes.
    "location_digests",
];

fn holding(table: &str) -> Option<&'static Holding> {
    REGISTER.iter().find(|h| h.table == table)
}

/// `WHERE` clause selecting a holding's rows of customer `$1`.
fn rows_of(holding: &Holding) -> String {
    match holding.link {
        Link::CustomerId => "customer_id = $1".to_string(),
        Link::Parent { column, parent } => {
            let parent_rows = holding_rows_of_parent(parent);
            format!("{column} IN (SELECT id FROM {parent} WHERE {parent_rows})")
        }
    }
}

fn holding_rows_of_parent(parent: &str) -> String {
    holding(parent).map_or_else(|| "customer_id = $1".to_string(), rows_of)
}

/// Moves every linked row of `from` to `into` (the rows linked through a parent move with it).
pub(crate) async fn move_all(conn: &mut AnyConnection, dialect: Dialect, into: &str, from: &str) -> Result<()> {
    for holding in REGISTER {
        match (holding.link, holding.table) {
            (Link::Parent { .. }, _) => {}
            // The index also names the customer inside its terms.
            (Link::CustomerId, "search_index") => search::move_customer(conn, dialect, into, from).await?,
            // Made anew for the customer kept once the merge is done (both may share words).
            (Link::CustomerId, "customer_words") => {
                sqlx::query("DELETE FROM customer_words WHERE customer_id = $1")
                    .bind(from)
                    .execute(&mut *conn)
                    .await?;
            }
            // A merged-away customer's pages stop working: their links are not the kept
            // customer's to hand on.
            (Link::CustomerId, "status_links") => {
                sqlx::query("DELETE FROM status_links WHERE customer_id = $1")
                    .bind(from)
                    .execute(&mut *conn)
                    .await?;
            }
            // One thank-you per customer: the kept customer's own stays when both have one.
            (Link::CustomerId, "fan_thanks") => {
                sqlx::query(
                    "UPDATE fan_thanks SET customer_id = $1 WHERE customer_id = $2 \
                     AND NOT EXISTS (SELECT 1 FROM fan_thanks t WHERE t.customer_id = $1)",
                )
                .bind(into)
                .bind(from)
                .execute(&mut *conn)
                .await?;
                sqlx::query("DELETE FROM fan_thanks WHERE customer_id = $1")
                    .bind(from)
                    .execute(&mut *conn)
                    .await?;
            }
            (Link::CustomerId, table) => {
                sqlx::query(&format!("UPDATE {table} SET customer_id = $1 WHERE customer_id = $2"))
                    .bind(into)
                    .bind(from)
                    .execute(&mut *conn)
                    .await?;
            }
        }
    }
    Ok(())
}

/// Indexes made from a customer's other records: a merge makes them anew, it does not move them.
pub const MADE_FROM_RECORDS: [&str; 2] = ["search_index", "customer_words"];

/// How many rows each table holds of a customer (those linked by their own `customer_id`,
/// the indexes left out): what a merge would move.
pub(crate) async fn counts(conn: &mut AnyConnection, customer_id: &str) -> Result<Vec<(&'static str, i64)>> {
    let mut counts = Vec::new();
    for holding in REGISTER {
        if matches!(holding.link, Link::Parent { .. }) || MADE_FROM_RECORDS.contains(&holding.table) {
            continue;
        }
        let count: i64 = sqlx::query(&format!(
            "SELECT COUNT(*) AS n FROM {} WHERE customer_id = $1",
            holding.table
        ))
        .bind(customer_id)
        .fetch_one(&mut *conn)
        .await?
        .try_get("n")?;
        counts.push((holding.table, count));
    }
    Ok(counts)
}

/// Everything kept holds about a customer, as JSON.
pub(crate) async fn export(conn: &mut AnyConnection, customer_id: &str, now: DateTime<Utc>) -> Result<CustomerExport> {
    let customer = sqlx::query("SELECT id, name, phone, created_ms FROM customers WHERE id = $1")
        .bind(customer_id)
        .fetch_optional(&mut *conn)
        .await?
        .ok_or(StoreError::NotFound)?;
    let mut records = Map::new();
    for holding in REGISTER.iter().filter(|h| !h.export.is_empty()) {
        let sql = format!(
            "SELECT {} FROM {} WHERE {}",
            holding.export.join(", "),
            holding.table,
            rows_of(holding)
        );
        let rows = sqlx::query(&sql).bind(customer_id).fetch_all(&mut *conn).await?;
        let rows: Vec<Value> = rows.iter().map(row_to_json).collect::<Result<_>>()?;
        records.insert(holding.table.to_string(), Value::Array(rows));
    }
    Ok(CustomerExport {
        customer: row_to_json(&customer)?,
        exported_at: now,
        records: Value::Object(records),
    })
}

/// A row as a JSON object: text and numbers as they are, bytes as base64.
fn row_to_json(row: &AnyRow) -> Result<Value> {
    let mut object = Map::new();
    for (index, column) in row.columns().iter().enumerate() {
        let raw = row.try_get_raw(index)?;
        let value = if raw.is_null() {
            Value::Null
        } else {
            match raw.type_info().name() {
                "BIGINT" | "INTEGER" | "INT" | "INT8" | "INT4" => Value::from(row.try_get::<i64, _>(index)?),
                "BLOB" | "BYTEA" => {
                    let bytes: Vec<u8> = row.try_get(index)?;
                    Value::from(base64::engine::general_purpose::STANDARD.encode(bytes))
                }
                _ => Value::from(row.try_get::<String, _>(index)?),
            }
        };
        object.insert(column.name().to_string(), value);
    }
    Ok(Value::Object(object))
}

/// Erases a customer: their records are deleted (promises kept anonymously, open ones
/// cancelled), with their search terms, the outbox rows about them and unreadable mail from
/// their addresses; what stays is an anonymous record of the erasure.
pub(crate) async fn erase(
    conn: &mut AnyConnection,
    dialect: Dialect,
    customer_id: &str,
    staff_id: &str,
    reason: &str,
    now: DateTime<Utc>,
) -> Result<Erasure> {
    let exists = sqlx::query("SELECT id FROM customers WHERE id = $1")
        .bind(customer_id)
        .fetch_optional(&mut *conn)
        .await?;
    if exists.is_none() {
        return Err(StoreError::NotFound);
    }
    promises::cancel_open_for_customer(conn, customer_id, now).await?;
    let subjects = subject_ids(conn, customer_id).await?;
    let mut removed = Map::new();
    let outbox_rows = outbox::forget_subjects(conn, &subjects).await?;
    removed.insert("outbox".into(), Value::from(outbox_rows));
    let mail = forget_unreadable_mail(conn, dialect, customer_id).await?;
    removed.insert("unreadable_mail".into(), Value::from(mail));
    for holding in REGISTER.iter().rev() {
        let affected = match holding.on_erase {
            OnErase::Delete => format!("DELETE FROM {} WHERE {}", holding.table, rows_of(holding)),
            OnErase::Anonymise => format!(
                "UPDATE {} SET customer_id = NULL WHERE {}",
                holding.table,
                rows_of(holding)
            ),
        };
        let count = sqlx::query(&affected)
            .bind(customer_id)
            .execute(&mut *conn)
            .await?
            .rows_affected();
        removed.insert(holding.table.into(), Value::from(count));
    }
    sqlx::query("DELETE FROM customers WHERE id = $1")
        .bind(customer_id)
        .execute(&mut *conn)
        .await?;
    let erasure = Erasure {
        id: new_id(),
        at: from_ms(to_ms(now)),
        staff_id: staff_id.to_string(),
        reason: reason.to_string(),
        removed: Value::Object(removed),
    };
    sqlx::query("INSERT INTO erasures (id, at_ms, staff_id, reason, removed) VALUES ($1, $2, $3, $4, $5)")
        .bind(&erasure.id)
        .bind(to_ms(now))
        .bind(staff_id)
        .bind(reason)
        .bind(erasure.removed.to_string())
        .execute(&mut *conn)
        .await?;
    Ok(erasure)
}

/// The ids outbox rows may name for this customer: their requests, conversations, messages,
/// follow-ups, promises, appointments and waiting-list entries.
async fn subject_ids(conn: &mut AnyConnection, customer_id: &str) -> Result<Vec<String>> {
    let rows = sqlx::query(
        "SELECT id FROM callback_requests WHERE customer_id = $1 \
         UNION ALL SELECT id FROM conversations WHERE customer_id = $1 \
         UNION ALL SELECT id FROM messages WHERE customer_id = $1 \
         UNION ALL SELECT id FROM follow_ups WHERE customer_id = $1 \
         UNION ALL SELECT id FROM promises WHERE customer_id = $1 \
         UNION ALL SELECT id FROM appointments WHERE customer_id = $1 \
         UNION ALL SELECT id FROM waiting_list WHERE customer_id = $1 \
         UNION ALL SELECT id FROM surveys WHERE customer_id = $1 \
         UNION ALL SELECT id FROM contracts WHERE customer_id = $1",
    )
    .bind(customer_id)
    .fetch_all(&mut *conn)
    .await?;
    rows.iter().map(|r| Ok(r.try_get::<String, _>("id")?)).collect()
}

/// Unreadable mail is not linked to a customer (kept could not read who sent it), so it is
/// matched on the raw bytes holding one of their e-mail addresses.
async fn forget_unreadable_mail(conn: &mut AnyConnection, dialect: Dialect, customer_id: &str) -> Result<u64> {
    let rows = sqlx::query("SELECT handle FROM customer_handles WHERE customer_id = $1 AND handle LIKE 'email:%'")
        .bind(customer_id)
        .fetch_all(&mut *conn)
        .await?;
    let contains = match dialect {
        Dialect::Sqlite => "instr(raw, CAST($1 AS BLOB)) > 0",
        Dialect::Postgres => "position(convert_to($1, 'UTF8') in raw) > 0",
    };
    let mut removed = 0;
    for row in rows {
        let handle: String = row.try_get("handle")?;
        let address = handle.trim_start_matches("email:");
        removed += sqlx::query(&format!("DELETE FROM unreadable_mail WHERE {contains}"))
            .bind(address)
            .execute(&mut *conn)
            .await?
            .rows_affected();
    }
    Ok(removed)
}

/// The erasures done so far, newest first: when, by whom, why, how much.
pub(crate) async fn erasures(conn: &mut AnyConnection) -> Result<Vec<Erasure>> {
    let rows = sqlx::query("SELECT id, at_ms, staff_id, reason, removed FROM erasures ORDER BY at_ms DESC")
        .fetch_all(conn)
        .await?;
    rows.iter()
        .map(|r| {
            let removed: String = r.try_get("removed")?;
            Ok(Erasure {
                id: r.try_get("id")?,
                at: from_ms(r.try_get("at_ms")?),
                staff_id: r.try_get::<Option<String>, _>("staff_id")?.unwrap_or_default(),
                reason: r.try_get("reason")?,
                removed: serde_json::from_str(&removed).map_err(|_| StoreError::Corrupt(removed))?,
            })
        })
        .collect()
}
