//! Saved replies ("templates"); rendering them is the server's job.

use chrono::{DateTime, Utc};
use kept_domain::new_id;
use sqlx::{AnyConnection, AnyPool, Row};

use crate::model::ReplyTemplate;
use crate::time::{from_ms, to_ms};
use crate::{Result, StoreError};

pub(crate) async fn list(pool: &AnyPool) -> Result<Vec<ReplyTemplate>> {
    let rows = sqlx::query("SELECT id, name, body, updated_ms FROM reply_templates ORDER BY name")
        .fetch_all(pool)
        .await?;
    rows.iter()
        .map(|r| {
            Ok(ReplyTemplate {
                id: r.try_get("id")?,
                name: r.try_get("name")?,
                body: r.try_get("body")?,
                updated_at: from_ms(r.try_get("updated_ms")?),
            })
        })
        .collect()
}

pub(crate) async fn save(
    conn: &mut AnyConnection,
    name: &str,
    body: &str,
    now: DateTime<Utc>,
) -> Result<ReplyTemplate> {
    let row = sqlx::query(
        "INSERT INTO reply_templates (id, name, body, updated_ms) VALUES ($1, $2, $3, $4) \
         ON CONFLICT (name) DO UPDATE SET body = excluded.body, updated_ms = excluded.updated_ms RETURNING id",
    )
    .bind(new_id())
    .bind(name)
    .bind(body)
    .bind(to_ms(now))
    .fetch_one(&mut *conn)
    .await?;
    Ok(ReplyTemplate {
        id: row.try_get("id")?,
        name: name.to_string(),
        body: body.to_string(),
        updated_at: now,
    })
}

pub(crate) async fn delete(conn: &mut AnyConnection, id: &str) -> Result<()> {
    let deleted = sqlx::query("DELETE FROM reply_templates WHERE id = $1")
        .bind(id)
        .execute(&mut *conn)
        .await?
        .rows_affected();
    if deleted == 0 {
        return Err(StoreError::NotFound);
    }
    Ok(())
}
