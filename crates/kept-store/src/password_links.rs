//! One-time links to set a password: the invitation a new staff member gets, and the reset an
//! owner sends. A link works once, until it expires, and only the newest one of a person works.

use chrono::{DateTime, Utc};
use kept_domain::staff::LinkPurpose;
use kept_domain::{Lang, new_id};
use sqlx::any::AnyRow;
use sqlx::{AnyConnection, AnyPool, Row};

use crate::dialect::parse_enum;
use crate::model::{NewPasswordLink, PasswordLinkView};
use crate::time::{from_ms, to_ms};
use crate::{Result, StoreError};

const LINK_COLUMNS: &str = "l.id, l.staff_id, l.purpose, l.token, l.expires_ms, l.used_ms, \
     st.name AS staff_name, st.email AS staff_email, st.lang AS staff_lang, st.active AS staff_active, \
     inviter.name AS created_by_name";

const LINK_JOINS: &str =
    "FROM password_links l JOIN staff st ON st.id = l.staff_id LEFT JOIN staff inviter ON inviter.id = l.created_by";

fn link_from_row(row: &AnyRow) -> Result<PasswordLinkView> {
    let lang: String = row.try_get("staff_lang")?;
    Ok(PasswordLinkView {
        id: row.try_get("id")?,
        staff_id: row.try_get("staff_id")?,
        staff_name: row.try_get("staff_name")?,
        staff_email: row.try_get("staff_email")?,
        staff_lang: Lang::parse(&lang).unwrap_or_default(),
        purpose: parse_enum(row.try_get("purpose")?, LinkPurpose::parse)?,
        token: row.try_get("token")?,
        created_by_name: row.try_get("created_by_name")?,
        expires_at: from_ms(row.try_get("expires_ms")?),
        used: row.try_get::<Option<i64>, _>("used_ms")?.is_some(),
    })
}

/// Stores a new link for `staff_id`; any earlier link of theirs stops working.
pub(crate) async fn create(conn: &mut AnyConnection, staff_id: &str, link: &NewPasswordLink) -> Result<String> {
    sqlx::query("DELETE FROM password_links WHERE staff_id = $1 AND used_ms IS NULL")
        .bind(staff_id)
        .execute(&mut *conn)
        .await?;
    let id = new_id();
    sqlx::query(
        "INSERT INTO password_links (id, staff_id, purpose, token_hash, token, created_by, created_ms, expires_ms) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
    )
    .bind(&id)
    .bind(staff_id)
    .bind(link.purpose.as_str())
    .bind(&link.token_hash)
    .bind(link.token.as_deref())
    .bind(link.created_by.as_deref())
    .bind(to_ms(link.now))
    .bind(to_ms(link.expires_at))
    .execute(&mut *conn)
    .await?;
    Ok(id)
}

/// A link by its id, used or not (the e-mail carrying it is written from this).
pub(crate) async fn by_id(pool: &AnyPool, id: &str) -> Result<Option<PasswordLinkView>> {
    let row = sqlx::query(&format!("SELECT {LINK_COLUMNS} {LINK_JOINS} WHERE l.id = $1"))
        .bind(id)
        .fetch_optional(pool)
        .await?;
    row.as_ref().map(link_from_row).transpose()
}

/// The link with this token hash if it still works: unused, not expired, for someone on the team.
pub(crate) async fn usable(
    conn: &mut AnyConnection,
    token_hash: &str,
    now: DateTime<Utc>,
) -> Result<Option<PasswordLinkView>> {
    let row = sqlx::query(&format!(
        "SELECT {LINK_COLUMNS} {LINK_JOINS} WHERE l.token_hash = $1 AND l.used_ms IS NULL AND l.expires_ms > $2 \
         AND st.active = 1"
    ))
    .bind(token_hash)
    .bind(to_ms(now))
    .fetch_optional(conn)
    .await?;
    row.as_ref().map(link_from_row).transpose()
}

/// Uses the link up: it never works again and its token is forgotten.
pub(crate) async fn use_up(conn: &mut AnyConnection, id: &str, now: DateTime<Utc>) -> Result<()> {
    let updated = sqlx::query("UPDATE password_links SET used_ms = $1, token = NULL WHERE id = $2 AND used_ms IS NULL")
        .bind(to_ms(now))
        .bind(id)
        .execute(conn)
        .await?;
    if updated.rows_affected() == 0 {
        return Err(StoreError::NotFound);
    }
    Ok(())
}

/// Drops the link's token once its e-mail is out; its hash still checks it.
pub(crate) async fn forget_token(conn: &mut AnyConnection, link_id: &str) -> Result<()> {
    sqlx::query("UPDATE password_links SET token = NULL WHERE id = $1")
        .bind(link_id)
        .execute(conn)
        .await?;
    Ok(())
}
