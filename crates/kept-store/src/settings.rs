//! The business's own settings, as one JSON document (the server knows its shape), and the
//! record of every change to it.

use chrono::{DateTime, Utc};
use kept_domain::new_id;
use sqlx::{AnyConnection, AnyPool, Row};

use crate::Result;
use crate::model::{SettingChange, SettingChangeView};
use crate::time::{from_ms, to_ms};

pub(crate) async fn document(pool: &AnyPool) -> Result<Option<String>> {
    let row = sqlx::query("SELECT document FROM business_settings WHERE id = 1")
        .fetch_optional(pool)
        .await?;
    Ok(row.map(|r| r.try_get("document")).transpose()?)
}

/// Stores the new document and records what changed, in one transaction (the caller's).
pub(crate) async fn save(
    conn: &mut AnyConnection,
    document: &str,
    changes: &[SettingChange],
    staff_id: &str,
    now: DateTime<Utc>,
) -> Result<()> {
    sqlx::query(
        "INSERT INTO business_settings (id, document, updated_ms, updated_by) VALUES (1, $1, $2, $3) \
         ON CONFLICT (id) DO UPDATE SET document = excluded.document, updated_ms = excluded.updated_ms, \
         updated_by = excluded.updated_by",
    )
    .bind(document)
    .bind(to_ms(now))
    .bind(staff_id)
    .execute(&mut *conn)
    .await?;
    for change in changes {
        sqlx::query(
            "INSERT INTO settings_changes (id, at_ms, staff_id, setting, old_value, new_value) \
             VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(new_id())
        .bind(to_ms(now))
        .bind(staff_id)
        .bind(&change.setting)
        .bind(change.old_value.clone())
        .bind(change.new_value.clone())
        .execute(&mut *conn)
        .await?;
    }
    Ok(())
}

/// The latest changes, newest first, with who made them.
pub(crate) async fn changes(pool: &AnyPool, limit: i64) -> Result<Vec<SettingChangeView>> {
    let rows = sqlx::query(
        "SELECT c.at_ms, s.name AS staff_name, c.setting, c.old_value, c.new_value FROM settings_changes c \
         LEFT JOIN staff s ON s.id = c.staff_id ORDER BY c.at_ms DESC, c.id DESC LIMIT $1",
    )
    .bind(limit)
    .fetch_all(pool)
    .await?;
    rows.iter()
        .map(|r| {
            Ok(SettingChangeView {
                at: from_ms(r.try_get("at_ms")?),
                staff_name: r.try_get("staff_name")?,
                change: SettingChange {
                    setting: r.try_get("setting")?,
                    old_value: r.try_get("old_value")?,
                    new_value: r.try_get("new_value")?,
                },
            })
        })
        .collect()
}
