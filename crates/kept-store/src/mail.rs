//! What comes with e-mail besides its text: attachments, and mail kept could not read (kept
//! raw, flagged for a human, never dropped).

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use kept_domain::new_id;
use sqlx::{AnyConnection, AnyPool, Row};

use crate::model::*;
use crate::statements::{Cell, Statements, insert_rows};
use crate::time::{from_ms, to_ms};
use crate::{Result, StoreError};

pub(crate) async fn insert_attachments(
    conn: &mut dyn Statements,
    message_id: &str,
    attachments: &[NewAttachment],
    now: DateTime<Utc>,
) -> Result<()> {
    let rows: Vec<(String, &str, &NewAttachment, DateTime<Utc>)> = attachments
        .iter()
        .map(|attachment| (new_id(), message_id, attachment, now))
        .collect();
    let into = "attachments (id, message_id, filename, content_type, size_bytes, data, created_ms)";
    insert_rows(conn, into, "", &rows, |(id, message_id, attachment, now)| {
        [
            Cell::Text(id),
            Cell::Text(message_id),
            Cell::Text(&attachment.filename),
            Cell::Text(&attachment.content_type),
            Cell::Int(attachment.size_bytes),
            Cell::MaybeBytes(attachment.data.as_deref()),
            Cell::Int(to_ms(*now)),
        ]
    })
    .await?;
    Ok(())
}

const ATTACHMENT_INFO: &str = "SELECT a.id, a.filename, a.content_type, a.size_bytes, CAST(CASE WHEN a.data IS NULL THEN 0 ELSE 1 END AS BIGINT) AS kept, a.message_id FROM attachments a";

fn info_from_row(row: &sqlx::any::AnyRow) -> Result<AttachmentInfo> {
    Ok(AttachmentInfo {
        id: row.try_get("id")?,
        filename: row.try_get("filename")?,
        content_type: row.try_get("content_type")?,
        size_bytes: row.try_get("size_bytes")?,
        kept: row.try_get::<i64, _>("kept")? == 1,
    })
}

/// The attachments of a conversation's messages, by message id.
pub(crate) async fn attachments_of_conversation(
    pool: &AnyPool,
    conversation_id: &str,
) -> Result<HashMap<String, Vec<AttachmentInfo>>> {
    let rows = sqlx::query(&format!(
        "{ATTACHMENT_INFO} JOIN messages m ON m.id = a.message_id WHERE m.conversation_id = $1 ORDER BY a.created_ms, a.id"
    ))
    .bind(conversation_id)
    .fetch_all(pool)
    .await?;
    let mut by_message: HashMap<String, Vec<AttachmentInfo>> = HashMap::new();
    for row in &rows {
        by_message
            .entry(row.try_get("message_id")?)
            .or_default()
            .push(info_from_row(row)?);
    }
    Ok(by_message)
}

pub(crate) async fn attachment(pool: &AnyPool, id: &str) -> Result<Option<(AttachmentInfo, Option<Vec<u8>>)>> {
    let row = sqlx::query(&format!("{ATTACHMENT_INFO} WHERE a.id = $1"))
        .bind(id)
        .fetch_optional(pool)
        .await?;
    let Some(row) = row else { return Ok(None) };
    let data = sqlx::query("SELECT data FROM attachments WHERE id = $1")
        .bind(id)
        .fetch_one(pool)
        .await?
        .try_get("data")?;
    Ok(Some((info_from_row(&row)?, data)))
}

/// Stores unreadable mail once per fingerprint; returns its id and whether it was new.
pub(crate) async fn record_unreadable(conn: &mut AnyConnection, mail: &NewUnreadableMail) -> Result<(String, bool)> {
    let id = new_id();
    let inserted = sqlx::query(
        "INSERT INTO unreadable_mail (id, fingerprint, source, reason, raw, received_ms) VALUES ($1, $2, $3, $4, $5, $6) \
         ON CONFLICT (fingerprint) DO NOTHING",
    )
    .bind(&id)
    .bind(&mail.fingerprint)
    .bind(&mail.source)
    .bind(&mail.reason)
    .bind(mail.raw.clone())
    .bind(to_ms(mail.now))
    .execute(&mut *conn)
    .await?
    .rows_affected();
    if inserted == 1 {
        return Ok((id, true));
    }
    let existing = sqlx::query("SELECT id FROM unreadable_mail WHERE fingerprint = $1")
        .bind(&mail.fingerprint)
        .fetch_one(&mut *conn)
        .await?;
    Ok((existing.try_get("id")?, false))
}

/// Unreadable mail, the unhandled first, newest first.
pub(crate) async fn list_unreadable(pool: &AnyPool, include_handled: bool) -> Result<Vec<UnreadableMail>> {
    let filter = if include_handled {
        ""
    } else {
        "WHERE handled_ms IS NULL"
    };
    let rows = sqlx::query(&format!(
        "SELECT id, source, reason, CAST(LENGTH(raw) AS BIGINT) AS size_bytes, received_ms, handled_ms FROM unreadable_mail {filter} \
         ORDER BY CASE WHEN handled_ms IS NULL THEN 0 ELSE 1 END, received_ms DESC LIMIT 200"
    ))
    .fetch_all(pool)
    .await?;
    rows.iter()
        .map(|r| {
            Ok(UnreadableMail {
                id: r.try_get("id")?,
                source: r.try_get("source")?,
                reason: r.try_get("reason")?,
                size_bytes: r.try_get::<i64, _>("size_bytes")?,
                received_at: from_ms(r.try_get("received_ms")?),
                handled_at: r.try_get::<Option<i64>, _>(5)?.map(from_ms),
            })
        })
        .collect()
}

pub(crate) async fn unreadable_raw(pool: &AnyPool, id: &str) -> Result<Option<Vec<u8>>> {
    let row = sqlx::query("SELECT raw FROM unreadable_mail WHERE id = $1")
        .bind(id)
        .fetch_optional(pool)
        .await?;
    row.map(|r| r.try_get("raw").map_err(StoreError::from)).transpose()
}

pub(crate) async fn mark_unreadable_handled(
    conn: &mut AnyConnection,
    id: &str,
    staff_id: &str,
    now: DateTime<Utc>,
) -> Result<()> {
    let changed =
        sqlx::query("UPDATE unreadable_mail SET handled_ms = $1, handled_by = $2 WHERE id = $3 AND handled_ms IS NULL")
            .bind(to_ms(now))
            .bind(staff_id)
            .bind(id)
            .execute(&mut *conn)
            .await?
            .rows_affected();
    if changed == 0 {
        return Err(StoreError::NotFound);
    }
    Ok(())
}
