//! Staff, their login sessions and API tokens, and the round-robin queue.

use chrono::{DateTime, Utc};
use const_format::concatcp;
use kept_domain::staff::{Candidate, pick_assignee};
use kept_domain::{Lang, Role, new_id};
use sqlx::any::AnyRow;
use sqlx::{AnyConnection, AnyPool, Row};

use crate::dialect::{Dialect, parse_enum};
use crate::model::{ApiTokenView, NewSession, NewStaff, Session, Staff, StaffChange};
use crate::statements::{Cell, Statements};
use crate::time::{from_ms, to_ms};
use crate::{Result, StoreError};

const STAFF_COLUMNS: &str =
    "st.id, st.email, st.name, st.role, st.lang, st.password_hash, st.away, st.delegate_id, st.active";

fn staff_from_row(row: &AnyRow) -> Result<Staff> {
    let lang: String = row.try_get("lang")?;
    Ok(Staff {
        id: row.try_get("id")?,
        email: row.try_get("email")?,
        name: row.try_get("name")?,
        role: parse_enum(row.try_get("role")?, Role::parse)?,
        lang: Lang::parse(&lang).unwrap_or_default(),
        password_hash: row.try_get("password_hash")?,
        away: row.try_get::<i64, _>("away")? != 0,
        delegate_id: row.try_get("delegate_id")?,
        active: row.try_get::<i64, _>("active")? != 0,
    })
}

pub(crate) async fn staff_where(pool: &AnyPool, condition: &str, value: &str) -> Result<Option<Staff>> {
    let row = sqlx::query(&format!("SELECT {STAFF_COLUMNS} FROM staff st {condition}"))
        .bind(value)
        .fetch_optional(pool)
        .await?;
    row.as_ref().map(staff_from_row).transpose()
}

pub(crate) async fn add(conn: &mut AnyConnection, staff: &NewStaff) -> Result<String> {
    let id = new_id();
    sqlx::query(
        "INSERT INTO staff (id, email, name, role, lang, password_hash, created_ms) VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(&id)
    .bind(staff.email.to_lowercase())
    .bind(&staff.name)
    .bind(staff.role.as_str())
    .bind(staff.lang.code())
    .bind(&staff.password_hash)
    .bind(to_ms(staff.now))
    .execute(conn)
    .await?;
    Ok(id)
}

pub(crate) async fn by_id(pool: &AnyPool, id: &str) -> Result<Option<Staff>> {
    staff_where(pool, "WHERE st.id = $1", id).await
}

pub(crate) async fn by_email(pool: &AnyPool, email: &str) -> Result<Option<Staff>> {
    staff_where(pool, "WHERE st.email = $1", &email.trim().to_lowercase()).await
}

pub(crate) async fn by_api_token(pool: &AnyPool, token_hash: &str) -> Result<Option<Staff>> {
    staff_where(
        pool,
        "JOIN api_tokens t ON t.staff_id = st.id WHERE t.token_hash = $1 AND st.active = 1",
        token_hash,
    )
    .await
}

pub(crate) async fn list(pool: &AnyPool) -> Result<Vec<Staff>> {
    let rows = sqlx::query(&format!("SELECT {STAFF_COLUMNS} FROM staff st ORDER BY st.name"))
        .fetch_all(pool)
        .await?;
    rows.iter().map(staff_from_row).collect()
}

pub(crate) async fn set_password_in(conn: &mut AnyConnection, staff_id: &str, password_hash: &str) -> Result<()> {
    update_one(
        conn,
        "UPDATE staff SET password_hash = $1 WHERE id = $2",
        password_hash,
        staff_id,
    )
    .await
}

/// Runs `sql` (`$1` the value, `$2` the staff id); `NotFound` when there is no such person.
async fn update_one<'c>(
    executor: impl sqlx::Executor<'c, Database = sqlx::Any>,
    sql: &str,
    value: &str,
    staff_id: &str,
) -> Result<()> {
    let updated = sqlx::query(sql).bind(value).bind(staff_id).execute(executor).await?;
    if updated.rows_affected() == 0 {
        return Err(StoreError::NotFound);
    }
    Ok(())
}

/// The language a staff member reads kept in (pages and e-mails).
pub(crate) async fn set_lang(pool: &AnyPool, staff_id: &str, lang: Lang) -> Result<()> {
    update_one(pool, "UPDATE staff SET lang = $1 WHERE id = $2", lang.code(), staff_id).await
}

/// Who stands in for `staff_id` now, if they are away.
pub(crate) async fn delegate_of(conn: &mut AnyConnection, staff_id: &str) -> Result<Option<String>> {
    let row = sqlx::query("SELECT delegate_id FROM staff WHERE id = $1 AND away = 1")
        .bind(staff_id)
        .fetch_optional(&mut *conn)
        .await?;
    Ok(row.map(|r| r.try_get("delegate_id")).transpose()?.flatten())
}

pub(crate) async fn set_away(conn: &mut AnyConnection, staff_id: &str, delegate: Option<&str>) -> Result<()> {
    if delegate == Some(staff_id) {
        return Err(StoreError::Conflict("nobody can be their own delegate".into()));
    }
    let updated = sqlx::query("UPDATE staff SET away = $1, delegate_id = $2 WHERE id = $3")
        .bind(i64::from(delegate.is_some()))
        .bind(delegate)
        .bind(staff_id)
        .execute(&mut *conn)
        .await?;
    if updated.rows_affected() == 0 {
        return Err(StoreError::NotFound);
    }
    Ok(())
}

pub(crate) async fn create_session(pool: &AnyPool, session: NewSession) -> Result<()> {
    sqlx::query(
        "INSERT INTO sessions (token_hash, staff_id, csrf_token, created_ms, expires_ms) VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(&session.token_hash)
    .bind(&session.staff_id)
    .bind(&session.csrf_token)
    .bind(to_ms(session.now))
    .bind(to_ms(session.expires_at))
    .execute(pool)
    .await?;
    Ok(())
}

pub(crate) async fn session(pool: &AnyPool, token_hash: &str, now: DateTime<Utc>) -> Result<Option<Session>> {
    let row = sqlx::query(&format!(
        "SELECT {STAFF_COLUMNS}, se.csrf_token FROM sessions se JOIN staff st ON st.id = se.staff_id \
         WHERE se.token_hash = $1 AND se.expires_ms > $2 AND st.active = 1"
    ))
    .bind(token_hash)
    .bind(to_ms(now))
    .fetch_optional(pool)
    .await?;
    row.map(|r| {
        Ok(Session {
            staff: staff_from_row(&r)?,
            csrf_token: r.try_get("csrf_token")?,
        })
    })
    .transpose()
}

pub(crate) async fn delete_session(pool: &AnyPool, token_hash: &str) -> Result<()> {
    sqlx::query("DELETE FROM sessions WHERE token_hash = $1")
        .bind(token_hash)
        .execute(pool)
        .await?;
    Ok(())
}

/// Stores a new API token's hash under a name; returns the id it is listed and revoked by.
pub(crate) async fn add_api_token(
    pool: &AnyPool,
    token_hash: &str,
    staff_id: &str,
    name: &str,
    now: DateTime<Utc>,
) -> Result<String> {
    let id = new_id();
    sqlx::query("INSERT INTO api_tokens (id, token_hash, staff_id, name, created_ms) VALUES ($1, $2, $3, $4, $5)")
        .bind(&id)
        .bind(token_hash)
        .bind(staff_id)
        .bind(name)
        .bind(to_ms(now))
        .execute(pool)
        .await?;
    Ok(id)
}

/// API tokens with whose they are, newest first; only `staff_id`'s when given.
pub(crate) async fn api_tokens(pool: &AnyPool, staff_id: Option<&str>) -> Result<Vec<ApiTokenView>> {
    let sql = format!(
        "SELECT t.id, t.staff_id, st.name AS staff_name, t.name, t.created_ms FROM api_tokens t \
         JOIN staff st ON st.id = t.staff_id {} ORDER BY t.created_ms DESC, t.id",
        if staff_id.is_some() {
            "WHERE t.staff_id = $1"
        } else {
            ""
        }
    );
    let mut query = sqlx::query(&sql);
    if let Some(staff_id) = staff_id {
        query = query.bind(staff_id);
    }
    let rows = query.fetch_all(pool).await?;
    rows.iter()
        .map(|r| {
            Ok(ApiTokenView {
                id: r.try_get("id")?,
                staff_id: r.try_get("staff_id")?,
                staff_name: r.try_get("staff_name")?,
                name: r.try_get("name")?,
                created_at: from_ms(r.try_get("created_ms")?),
            })
        })
        .collect()
}

/// Revokes a token (only one of `staff_id`'s when given); `NotFound` when there is no such.
pub(crate) async fn revoke_api_token(pool: &AnyPool, id: &str, staff_id: Option<&str>) -> Result<()> {
    let sql = match staff_id {
        Some(_) => "DELETE FROM api_tokens WHERE id = $1 AND staff_id = $2",
        None => "DELETE FROM api_tokens WHERE id = $1",
    };
    let mut query = sqlx::query(sql).bind(id);
    if let Some(staff_id) = staff_id {
        query = query.bind(staff_id);
    }
    let deleted = query.execute(pool).await?;
    if deleted.rows_affected() == 0 {
        return Err(StoreError::NotFound);
    }
    Ok(())
}

/// Logs a staff member out everywhere, except the session `keep` (their own, after they
/// changed their password).
pub(crate) async fn end_sessions(conn: &mut AnyConnection, staff_id: &str, keep: Option<&str>) -> Result<()> {
    // Session hashes are never empty, so "" keeps none.
    sqlx::query("DELETE FROM sessions WHERE staff_id = $1 AND token_hash <> $2")
        .bind(staff_id)
        .bind(keep.unwrap_or(""))
        .execute(conn)
        .await?;
    Ok(())
}

pub(crate) async fn revoke_api_tokens_of(conn: &mut AnyConnection, staff_id: &str) -> Result<()> {
    sqlx::query("DELETE FROM api_tokens WHERE staff_id = $1")
        .bind(staff_id)
        .execute(conn)
        .await?;
    Ok(())
}

/// Changes a staff member's name and role. Refuses to leave the team without an active owner.
pub(crate) async fn change(conn: &mut AnyConnection, staff_id: &str, change: &StaffChange) -> Result<()> {
    let updated = sqlx::query("UPDATE staff SET name = COALESCE($1, name), role = COALESCE($2, role) WHERE id = $3")
        .bind(change.name.as_deref())
        .bind(change.role.map(Role::as_str))
        .bind(staff_id)
        .execute(&mut *conn)
        .await?;
    if updated.rows_affected() == 0 {
        return Err(StoreError::NotFound);
    }
    keeps_an_owner(conn).await
}

/// The check after every change of roles or of who is active, inside its transaction.
async fn keeps_an_owner(conn: &mut AnyConnection) -> Result<()> {
    let owners: i64 = sqlx::query(concatcp!(
        "SELECT COUNT(*) AS n FROM staff WHERE role = ",
        Role::Owner.sql(),
        " AND active = 1"
    ))
    .fetch_one(conn)
    .await?
    .try_get("n")?;
    if owners == 0 {
        return Err(StoreError::LastOwner);
    }
    Ok(())
}

/// Takes someone off the team: they can no longer log in, their sessions and tokens end, and
/// whoever was away with them as stand-in gets `successor` instead. (Their open work moves in
/// the same transaction: see `SqlStore::deactivate_staff`.)
pub(crate) async fn deactivate(conn: &mut AnyConnection, staff_id: &str, successor: &str) -> Result<()> {
    let updated = sqlx::query("UPDATE staff SET active = 0, away = 0, delegate_id = NULL WHERE id = $1 AND active = 1")
        .bind(staff_id)
        .execute(&mut *conn)
        .await?;
    if updated.rows_affected() == 0 {
        return Err(StoreError::NotFound);
    }
    sqlx::query("UPDATE staff SET delegate_id = $1 WHERE delegate_id = $2")
        .bind(successor)
        .bind(staff_id)
        .execute(&mut *conn)
        .await?;
    end_sessions(conn, staff_id, None).await?;
    sqlx::query("DELETE FROM api_tokens WHERE staff_id = $1")
        .bind(staff_id)
        .execute(&mut *conn)
        .await?;
    keeps_an_owner(conn).await
}

/// Whether `staff_id` is someone on the team now.
pub(crate) async fn is_active(conn: &mut AnyConnection, staff_id: &str) -> Result<bool> {
    let row = sqlx::query("SELECT active FROM staff WHERE id = $1")
        .bind(staff_id)
        .fetch_optional(conn)
        .await?;
    Ok(row
        .map(|r| r.try_get::<i64, _>("active"))
        .transpose()?
        .is_some_and(|a| a != 0))
}

/// The business owners: they hear of every escalation.
pub(crate) async fn owner_ids(conn: &mut AnyConnection) -> Result<Vec<String>> {
    let rows = sqlx::query(concatcp!(
        "SELECT id FROM staff WHERE role = ",
        Role::Owner.sql(),
        " AND active = 1 ORDER BY id"
    ))
    .fetch_all(conn)
    .await?;
    rows.iter().map(|r| Ok(r.try_get::<String, _>("id")?)).collect()
}

/// Everyone who can be given new work (on the team and able to log in), with their place in
/// the round-robin queue. In the order of their ids: batches write the queue positions in this
/// order, so two PostgreSQL nodes lock the same staff rows in the same order and wait for each
/// other instead of deadlocking.
pub(crate) async fn load_candidates(conn: &mut dyn Statements) -> Result<Vec<Candidate>> {
    let rows = conn
        .fetch(
            "SELECT id, role, away, delegate_id, assignment_seq, name FROM staff WHERE active = 1 \
             AND password_hash <> '' ORDER BY id",
            &[],
        )
        .await?;
    rows.iter()
        .map(|r| {
            Ok(Candidate {
                id: r.try_get("id")?,
                role: parse_enum(r.try_get("role")?, Role::parse)?,
                away: r.try_get::<i64>("away")? != 0,
                delegate_id: r.try_get("delegate_id")?,
                last_assigned_ms: Some(r.try_get("assignment_seq")?),
                name: r.try_get("name")?,
            })
        })
        .collect()
}

/// Round robin: the chosen person moves to the back of the queue (in memory; see
/// `save_queue_position`).
pub(crate) fn assign(candidates: &mut [Candidate]) -> Option<(String, String)> {
    let next_position = candidates.iter().filter_map(|c| c.last_assigned_ms).max().unwrap_or(0) + 1;
    let chosen_id = pick_assignee(candidates)?.id.clone();
    let chosen = candidates.iter_mut().find(|c| c.id == chosen_id)?;
    chosen.last_assigned_ms = Some(next_position);
    Some((chosen.id.clone(), chosen.name.clone()))
}

/// Stores where `moved` now stand in the round-robin queue, in one statement. On PostgreSQL it
/// goes with the batch's gathered writes, in the statement before the commit: the staff rows it
/// locks, which every other new piece of work waits for, are held only for that statement and
/// the commit. It locks them in the order of their ids, as every batch does: updated by a plain
/// `WHERE id IN (…)`, PostgreSQL visits them in the order they lie on disk, which changes as they
/// are updated, and two nodes' batches deadlocked on them (found with `log_lock_waits` under
/// `bench-callbacks --postgres --nodes 2`: a second's wait, then a failed batch). The lock is
/// the one the update takes anyway (no key update): a reply being stored refers to its writer's
/// row (a key-share lock) and may wait for a conversation the batch holds; a full `FOR UPDATE`
/// here then waited for the reply, and the two deadlocked (found generating a shop's history
/// with replies on PostgreSQL).
pub(crate) async fn save_queue_positions(
    conn: &mut dyn Statements,
    dialect: Dialect,
    moved: &[&Candidate],
) -> Result<()> {
    if moved.is_empty() {
        return Ok(());
    }
    let positions: String = (0..moved.len())
        .map(|n| format!(" WHEN ${} THEN ${}", 2 * n + 1, 2 * n + 2))
        .collect();
    let ids = (0..moved.len())
        .map(|n| format!("${}", 2 * n + 1))
        .collect::<Vec<_>>()
        .join(", ");
    let cells: Vec<Cell> = moved
        .iter()
        .flat_map(|candidate| {
            [
                Cell::Text(&candidate.id),
                Cell::Int(candidate.last_assigned_ms.unwrap_or(0)),
            ]
        })
        .collect();
    let sql = format!(
        "UPDATE staff SET assignment_seq = CASE staff.id{positions} END \
         FROM (SELECT id FROM staff WHERE id IN ({ids}) ORDER BY id {}) AS moved WHERE staff.id = moved.id",
        dialect.lock_rows_to_update()
    );
    conn.write_later(&sql, &cells).await
}

#[cfg(test)]
mod tests {
    use sqlx::{AnyConnection, Connection as _};

    use super::*;
    use crate::test_postgres::{fresh_database, postgres_url};

    fn moved_to(id: &str, position: i64) -> Candidate {
        Candidate {
            id: id.to_string(),
            name: id.to_string(),
            role: Role::Agent,
            away: false,
            delegate_id: None,
            last_assigned_ms: Some(position),
        }
    }

    /// A fresh PostgreSQL database made by `statements`, its URL and a connection to it; `None`
    /// without a server to test on.
    async fn database_with(statements: &[&str]) -> Option<(String, AnyConnection)> {
        let url = fresh_database(&postgres_url()?).await;
        let mut setup = AnyConnection::connect(&url).await.expect("database");
        for statement in statements {
            setup.execute(statement, &[]).await.expect(statement);
        }
        Some((url, setup))
    }

    /// Two nodes' batches each lock the same agents' rows: in one order they wait for each
    /// other, in two they deadlock.
    #[tokio::test]
    async fn on_postgresql_queue_positions_lock_the_staff_rows_in_the_order_of_their_ids() {
        // "b" lies on disk before "a": a plain scan meets it first.
        let Some((url, mut setup)) = database_with(&[
            "CREATE TABLE staff (id TEXT PRIMARY KEY, assignment_seq BIGINT NOT NULL)",
            "INSERT INTO staff VALUES ('b', 0)",
            "INSERT INTO staff VALUES ('a', 0)",
        ])
        .await
        else {
            return;
        };
        let mut holder = setup.begin().await.expect("begin");
        (*holder)
            .execute("SELECT id FROM staff WHERE id = 'b' FOR UPDATE", &[])
            .await
            .expect("b held");

        let batch_url = url.clone();
        let batch = tokio::spawn(async move {
            let mut conn = AnyConnection::connect(&batch_url).await?;
            let mut tx = conn.begin().await?;
            let (a, b) = (moved_to("a", 5), moved_to("b", 6));
            save_queue_positions(&mut *tx, Dialect::Postgres, &[&b, &a]).await?;
            tx.commit().await?;
            Ok::<_, StoreError>(())
        });
        // Until the batch waits for "b" (bounded: it fails rather than hangs).
        let mut observer = AnyConnection::connect(&url).await.expect("observer");
        let waiting = "SELECT COUNT(*) AS n FROM pg_stat_activity WHERE datname = current_database() \
                       AND wait_event_type = 'Lock'";
        let mut batch_waits = false;
        for _ in 0..1000 {
            let rows = observer.fetch(waiting, &[]).await.expect("activity");
            if rows[0].try_get::<i64>("n").expect("count") > 0 {
                batch_waits = true;
                break;
            }
            tokio::time::sleep(std::time::Duration::from_millis(10)).await;
        }
        assert!(batch_waits, "the batch never waited for b");
        let take_a = observer
            .execute("SELECT id FROM staff WHERE id = 'a' FOR UPDATE NOWAIT", &[])
            .await;
        assert!(
            take_a.is_err(),
            "the batch waits for b without holding a: it did not lock in id order"
        );

        holder.rollback().await.expect("b let go");
        batch.await.expect("batch task").expect("batch committed");
        let rows = observer
            .fetch("SELECT id, assignment_seq FROM staff ORDER BY id", &[])
            .await
            .expect("positions");
        let positions: Vec<(String, i64)> = rows
            .iter()
            .map(|row| {
                (
                    row.try_get("id").expect("id"),
                    row.try_get("assignment_seq").expect("seq"),
                )
            })
            .collect();
        assert_eq!(positions, [("a".to_string(), 5), ("b".to_string(), 6)]);
    }

    /// A transaction that wrote a row referring to a staff member (a reply by them) holds a
    /// key-share lock on their row until it commits; the batch moving them on in the queue must
    /// not wait for it (the reply may be waiting for a conversation the batch holds).
    #[tokio::test]
    async fn on_postgresql_queue_positions_do_not_wait_for_rows_that_refer_to_the_staff_member() {
        let Some((url, mut setup)) = database_with(&[
            "CREATE TABLE staff (id TEXT PRIMARY KEY, assignment_seq BIGINT NOT NULL)",
            "CREATE TABLE messages (id TEXT PRIMARY KEY, staff_id TEXT REFERENCES staff(id))",
            "INSERT INTO staff VALUES ('a', 0)",
        ])
        .await
        else {
            return;
        };
        let mut reply = setup.begin().await.expect("begin");
        (*reply)
            .execute("INSERT INTO messages VALUES ('m1', 'a')", &[])
            .await
            .expect("a reply by a");

        let mut conn = AnyConnection::connect(&url).await.expect("batch");
        let mut tx = conn.begin().await.expect("begin");
        (*tx)
            .execute("SET LOCAL lock_timeout = '2s'", &[])
            .await
            .expect("timeout");
        let a = moved_to("a", 5);
        save_queue_positions(&mut *tx, Dialect::Postgres, &[&a])
            .await
            .expect("the batch does not wait for the reply");
        tx.commit().await.expect("commit");
        reply.commit().await.expect("the reply commits too");
    }
}
