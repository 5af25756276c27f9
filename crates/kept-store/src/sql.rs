//! The SQL backend. One set of statements serves SQLite and PostgreSQL (both accept `$n`
//! parameters, `ON CONFLICT` and `RETURNING`); where they differ the [`Dialect`] says how.

use std::path::Path;
use std::str::FromStr;

use async_trait::async_trait;
use chrono::{DateTime, Duration, Utc};
use kept_domain::conversation::ConversationStatus;
use kept_domain::promise::PromiseEvent;
use kept_domain::staff::Candidate;
use kept_domain::{CallbackStatus, Lang, PromiseKind, PromiseStatus, Role, new_id};
use sqlx::any::{AnyConnectOptions, AnyPoolOptions, AnyRow};
use sqlx::{AnyConnection, AnyPool, Executor, Row};

use crate::conversations;
use crate::customers;
use crate::group_commit::{GroupCommit, InboundMessages, NewCallbacks};
use crate::model::*;
use crate::new_callbacks::insert_callbacks;
use crate::time::{from_ms, to_ms};
use crate::{Result, Store, StoreError};
use crate::{mail, search, templates};

static SQLITE_MIGRATIONS: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/sqlite");
static POSTGRES_MIGRATIONS: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/postgres");

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Dialect {
    Sqlite,
    Postgres,
}

impl Dialect {
    pub fn from_url(url: &str) -> Result<Dialect> {
        if url.starts_with("sqlite:") {
            Ok(Dialect::Sqlite)
        } else if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            Ok(Dialect::Postgres)
        } else {
            Err(StoreError::UnsupportedUrl(url.to_string()))
        }
    }

    /// PostgreSQL lets several nodes claim outbox rows side by side; SQLite has one writer
    /// at a time, so the plain statement is already exclusive there.
    fn skip_locked(self) -> &'static str {
        match self {
            Dialect::Sqlite => "",
            Dialect::Postgres => "FOR UPDATE SKIP LOCKED",
        }
    }
}

pub struct SqlStore {
    dialect: Dialect,
    read: AnyPool,
    write: AnyPool,
    /// SQLite only: concurrent new requests share one transaction and one fsync.
    /// SQLite only: one writer, so concurrent writes are batched (see group_commit).
    callback_commit: Option<GroupCommit<NewCallbacks>>,
    inbound_commit: Option<GroupCommit<InboundMessages>>,
}

const STAFF_COLUMNS: &str = "st.id, st.email, st.name, st.role, st.lang, st.password_hash, st.away, st.delegate_id";

const CALLBACK_SELECT: &str = "SELECT c.id, c.customer_id, c.phone, c.name, c.window_code, c.note, c.lang, \
     c.status, c.attempts, c.created_ms, c.closed_ms, p.id, p.status, p.not_before_ms, p.due_ms, \
     p.escalated_ms, p.owner_id, s.name \
     FROM callback_requests c JOIN promises p ON p.id = c.promise_id LEFT JOIN staff s ON s.id = p.owner_id";

impl SqlStore {
    pub async fn open(url: &str) -> Result<SqlStore> {
        sqlx::any::install_default_drivers();
        let dialect = Dialect::from_url(url)?;
        let store = match dialect {
            Dialect::Sqlite => {
                let url = prepare_sqlite_url(url)?;
                let options = AnyConnectOptions::from_str(&url)?;
                // One writing connection: SQLite serialises writers anyway, and a single
                // connection never meets a busy lock from its own process.
                let write = sqlite_pool(1).connect_with(options.clone()).await?;
                SQLITE_MIGRATIONS.run(&write).await?;
                // A SQLite file has one kept node, so a lease found at start-up belongs to a
                // run that died mid-delivery: retry its items now instead of after the lease.
                sqlx::query("UPDATE outbox SET locked_until_ms = 0 WHERE status = 'pending'")
                    .execute(&write)
                    .await?;
                let read = sqlite_pool(4).connect_with(options).await?;
                SqlStore {
                    dialect,
                    read,
                    callback_commit: Some(GroupCommit::start(write.clone())),
                    inbound_commit: Some(GroupCommit::start(write.clone())),
                    write,
                }
            }
            Dialect::Postgres => {
                let pool = AnyPoolOptions::new().max_connections(16).connect(url).await?;
                POSTGRES_MIGRATIONS.run(&pool).await?;
                SqlStore {
                    dialect,
                    read: pool.clone(),
                    write: pool,
                    callback_commit: None,
                    inbound_commit: None,
                }
            }
        };
        Ok(store)
    }

    async fn record_inbound_alone(&self, message: &NewInbound) -> Result<InboundRecorded> {
        let mut tx = self.begin_write().await?;
        let recorded = conversations::record_inbound(&mut tx, message).await?;
        tx.commit().await?;
        Ok(recorded)
    }

    /// SQLite must take the write lock when the transaction starts: a transaction that reads
    /// first and writes later fails at once if another writer committed in between.
    async fn begin_write(&self) -> Result<sqlx::Transaction<'static, sqlx::Any>> {
        Ok(match self.dialect {
            Dialect::Sqlite => self.write.begin_with("BEGIN IMMEDIATE").await?,
            Dialect::Postgres => self.write.begin().await?,
        })
    }

    async fn fetch_callback(&self, id: &str) -> Result<Option<CallbackView>> {
        let row = sqlx::query(&format!("{CALLBACK_SELECT} WHERE c.id = $1"))
            .bind(id)
            .fetch_optional(&self.read)
            .await?;
        row.as_ref().map(callback_from_row).transpose()
    }

    async fn staff_where(&self, condition: &str, value: &str) -> Result<Option<Staff>> {
        let row = sqlx::query(&format!("SELECT {STAFF_COLUMNS} FROM staff st {condition}"))
            .bind(value)
            .fetch_optional(&self.read)
            .await?;
        row.as_ref().map(|r| staff_from_row(r, 0)).transpose()
    }

    /// Records `mark` on each of the `candidates` promises exactly once: the conditional
    /// update of its column lets only one node (or tick) win.
    async fn mark_once(
        &self,
        candidates: Vec<String>,
        mark: &Mark,
        now: DateTime<Utc>,
        fanout: Fanout,
    ) -> Result<usize> {
        let column = mark.column;
        let mut marked = 0;
        for promise_id in candidates {
            let mut tx = self.begin_write().await?;
            let updated = sqlx::query(&format!(
                "UPDATE promises SET {column} = $1 WHERE id = $2 AND {column} IS NULL AND status = 'open' \
                 RETURNING owner_id"
            ))
            .bind(to_ms(now))
            .bind(&promise_id)
            .fetch_optional(&mut *tx)
            .await?;
            let Some(row) = updated else { continue };
            let owner: Option<String> = row.try_get(0)?;
            insert_promise_event(&mut tx, &promise_id, now, mark.event, None, None).await?;
            let to = match mark.recipients {
                Recipients::PromiseOwner => owner.into_iter().collect(),
                Recipients::Owners => owner_ids(&mut tx).await?,
            };
            enqueue(&mut tx, mark.outbox_event, &promise_id, &to, fanout, now).await?;
            tx.commit().await?;
            marked += 1;
        }
        Ok(marked)
    }

    async fn promise_ids(&self, sql: &str, binds: &[i64]) -> Result<Vec<String>> {
        let query = binds.iter().fold(sqlx::query(sql), |query, value| query.bind(*value));
        let rows = query.fetch_all(&self.read).await?;
        rows.iter().map(|r| Ok(r.try_get::<String, _>(0)?)).collect()
    }
}

#[derive(Clone, Copy)]
enum Recipients {
    PromiseOwner,
    Owners,
}

/// Something that happens to a promise once: the column that records it, its history event,
/// the outbox event that announces it and who is told.
struct Mark {
    column: &'static str,
    event: PromiseEvent,
    outbox_event: &'static str,
    recipients: Recipients,
}

const REMINDER: Mark = Mark {
    column: "reminded_ms",
    event: PromiseEvent::Reminded,
    outbox_event: "promise.reminder",
    recipients: Recipients::PromiseOwner,
};

const ESCALATION: Mark = Mark {
    column: "escalated_ms",
    event: PromiseEvent::Escalated,
    outbox_event: "promise.escalated",
    recipients: Recipients::Owners,
};

fn sqlite_pool(size: u32) -> AnyPoolOptions {
    AnyPoolOptions::new().max_connections(size).after_connect(|conn, _| {
        Box::pin(async move {
            // WAL lets readers run beside the writer; synchronous=FULL makes every commit
            // durable before we answer, which group commit keeps affordable.
            conn.execute(
                "PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL; PRAGMA foreign_keys = ON; \
                 PRAGMA busy_timeout = 10000;",
            )
            .await?;
            Ok(())
        })
    })
}

/// Makes sure the file's folder exists and that SQLite may create the file.
fn prepare_sqlite_url(url: &str) -> Result<String> {
    let rest = url.trim_start_matches("sqlite://").trim_start_matches("sqlite:");
    let path = rest.split('?').next().unwrap_or_default();
    if path.is_empty() || path == ":memory:" {
        return Err(StoreError::UnsupportedUrl(url.to_string()));
    }
    if let Some(parent) = Path::new(path).parent().filter(|p| !p.as_os_str().is_empty()) {
        std::fs::create_dir_all(parent).map_err(|e| StoreError::Database(sqlx::Error::Io(e)))?;
    }
    Ok(if rest.contains("mode=") {
        format!("sqlite://{rest}")
    } else if rest.contains('?') {
        format!("sqlite://{rest}&mode=rwc")
    } else {
        format!("sqlite://{rest}?mode=rwc")
    })
}

pub(crate) fn parse_enum<T>(text: String, parse: fn(&str) -> Option<T>) -> Result<T> {
    parse(&text).ok_or(StoreError::Corrupt(text))
}

fn staff_from_row(row: &AnyRow, first: usize) -> Result<Staff> {
    let lang: String = row.try_get(first + 4)?;
    Ok(Staff {
        id: row.try_get(first)?,
        email: row.try_get(first + 1)?,
        name: row.try_get(first + 2)?,
        role: parse_enum(row.try_get(first + 3)?, Role::parse)?,
        lang: Lang::parse(&lang).unwrap_or_default(),
        password_hash: row.try_get(first + 5)?,
        away: row.try_get::<i64, _>(first + 6)? != 0,
        delegate_id: row.try_get(first + 7)?,
    })
}

fn callback_from_row(row: &AnyRow) -> Result<CallbackView> {
    let lang: String = row.try_get(6)?;
    Ok(CallbackView {
        id: row.try_get(0)?,
        customer_id: row.try_get(1)?,
        phone: row.try_get(2)?,
        name: row.try_get(3)?,
        window: row.try_get(4)?,
        note: row.try_get(5)?,
        lang: Lang::parse(&lang).unwrap_or_default(),
        status: parse_enum(row.try_get(7)?, CallbackStatus::parse)?,
        attempts: row.try_get(8)?,
        created_at: from_ms(row.try_get(9)?),
        closed_at: row.try_get::<Option<i64>, _>(10)?.map(from_ms),
        promise_id: row.try_get(11)?,
        promise_status: parse_enum(row.try_get(12)?, PromiseStatus::parse)?,
        not_before: from_ms(row.try_get(13)?),
        due_at: from_ms(row.try_get(14)?),
        escalated: row.try_get::<Option<i64>, _>(15)?.is_some(),
        owner_id: row.try_get(16)?,
        owner_name: row.try_get(17)?,
    })
}

pub(crate) async fn insert_promise_event(
    conn: &mut AnyConnection,
    promise_id: &str,
    at: DateTime<Utc>,
    event: PromiseEvent,
    actor_id: Option<&str>,
    detail: Option<&str>,
) -> Result<()> {
    sqlx::query("INSERT INTO promise_events (promise_id, at_ms, event, actor_id, detail) VALUES ($1, $2, $3, $4, $5)")
        .bind(promise_id)
        .bind(to_ms(at))
        .bind(event.as_str())
        .bind(actor_id)
        .bind(detail)
        .execute(conn)
        .await?;
    Ok(())
}

pub(crate) struct NewPromise<'a> {
    pub id: &'a str,
    pub kind: PromiseKind,
    pub subject_id: &'a str,
    pub customer_id: &'a str,
    pub owner_id: Option<&'a str>,
    pub not_before: DateTime<Utc>,
    pub due_at: DateTime<Utc>,
    pub now: DateTime<Utc>,
}

pub(crate) async fn insert_promise(conn: &mut AnyConnection, promise: NewPromise<'_>) -> Result<()> {
    sqlx::query(
        "INSERT INTO promises (id, kind, subject_id, customer_id, owner_id, status, not_before_ms, due_ms, created_ms) \
         VALUES ($1, $2, $3, $4, $5, 'open', $6, $7, $8)",
    )
    .bind(promise.id)
    .bind(promise.kind.as_str())
    .bind(promise.subject_id)
    .bind(promise.customer_id)
    .bind(promise.owner_id)
    .bind(to_ms(promise.not_before))
    .bind(to_ms(promise.due_at))
    .bind(to_ms(promise.now))
    .execute(&mut *conn)
    .await?;
    insert_promise_event(conn, promise.id, promise.now, PromiseEvent::Created, None, None).await
}

/// Writes the outbox rows that announce `event`: an e-mail per recipient, one webhook call.
pub(crate) async fn enqueue(
    conn: &mut AnyConnection,
    event: &str,
    subject_id: &str,
    recipients: &[String],
    fanout: Fanout,
    now: DateTime<Utc>,
) -> Result<()> {
    let emails = recipients.iter().map(Some).filter(|_| fanout.email);
    let webhook = fanout.webhook.then_some(None);
    for (channel, recipient) in emails.map(|r| ("email", r)).chain(webhook.map(|r| ("webhook", r))) {
        sqlx::query(
            "INSERT INTO outbox (channel, event, subject_id, recipient_id, next_attempt_ms, created_ms) \
             VALUES ($1, $2, $3, $4, $5, $5)",
        )
        .bind(channel)
        .bind(event)
        .bind(subject_id)
        .bind(recipient.map(String::as_str))
        .bind(to_ms(now))
        .execute(&mut *conn)
        .await?;
    }
    Ok(())
}

async fn owner_ids(conn: &mut AnyConnection) -> Result<Vec<String>> {
    let rows = sqlx::query("SELECT id FROM staff WHERE role = 'owner' ORDER BY id")
        .fetch_all(conn)
        .await?;
    rows.iter().map(|r| Ok(r.try_get::<String, _>(0)?)).collect()
}

pub(crate) async fn load_candidates(conn: &mut AnyConnection) -> Result<Vec<Candidate>> {
    let rows = sqlx::query("SELECT id, role, away, delegate_id, assignment_seq, name FROM staff")
        .fetch_all(conn)
        .await?;
    rows.iter()
        .map(|r| {
            Ok(Candidate {
                id: r.try_get(0)?,
                role: parse_enum(r.try_get(1)?, Role::parse)?,
                away: r.try_get::<i64, _>(2)? != 0,
                delegate_id: r.try_get(3)?,
                last_assigned_ms: Some(r.try_get(4)?),
                name: r.try_get(5)?,
            })
        })
        .collect()
}

#[async_trait]
impl Store for SqlStore {
    fn dialect(&self) -> Dialect {
        self.dialect
    }

    async fn add_staff(&self, staff: NewStaff) -> Result<Staff> {
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
        .execute(&self.write)
        .await?;
        self.staff_by_id(&id).await?.ok_or(StoreError::NotFound)
    }

    async fn staff_by_id(&self, id: &str) -> Result<Option<Staff>> {
        self.staff_where("WHERE st.id = $1", id).await
    }

    async fn staff_by_email(&self, email: &str) -> Result<Option<Staff>> {
        self.staff_where("WHERE st.email = $1", &email.trim().to_lowercase())
            .await
    }

    async fn list_staff(&self) -> Result<Vec<Staff>> {
        let rows = sqlx::query(&format!("SELECT {STAFF_COLUMNS} FROM staff st ORDER BY st.name"))
            .fetch_all(&self.read)
            .await?;
        rows.iter().map(|r| staff_from_row(r, 0)).collect()
    }

    async fn set_password(&self, staff_id: &str, password_hash: &str) -> Result<()> {
        let updated = sqlx::query("UPDATE staff SET password_hash = $1 WHERE id = $2")
            .bind(password_hash)
            .bind(staff_id)
            .execute(&self.write)
            .await?;
        if updated.rows_affected() == 0 {
            return Err(StoreError::NotFound);
        }
        Ok(())
    }

    async fn set_away(&self, staff_id: &str, delegate: Option<&str>, now: DateTime<Utc>) -> Result<()> {
        if delegate == Some(staff_id) {
            return Err(StoreError::Conflict("nobody can be their own delegate".into()));
        }
        let mut tx = self.begin_write().await?;
        let updated = sqlx::query("UPDATE staff SET away = $1, delegate_id = $2 WHERE id = $3")
            .bind(i64::from(delegate.is_some()))
            .bind(delegate)
            .bind(staff_id)
            .execute(&mut *tx)
            .await?;
        if updated.rows_affected() == 0 {
            return Err(StoreError::NotFound);
        }
        if let Some(delegate) = delegate {
            let moved =
                sqlx::query("UPDATE promises SET owner_id = $1 WHERE owner_id = $2 AND status = 'open' RETURNING id")
                    .bind(delegate)
                    .bind(staff_id)
                    .fetch_all(&mut *tx)
                    .await?;
            for row in moved {
                let promise_id: String = row.try_get(0)?;
                insert_promise_event(
                    &mut tx,
                    &promise_id,
                    now,
                    PromiseEvent::Reassigned,
                    Some(staff_id),
                    Some(delegate),
                )
                .await?;
            }
        }
        tx.commit().await?;
        Ok(())
    }

    async fn create_session(&self, session: NewSession) -> Result<()> {
        sqlx::query(
            "INSERT INTO sessions (token_hash, staff_id, csrf_token, created_ms, expires_ms) VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(&session.token_hash)
        .bind(&session.staff_id)
        .bind(&session.csrf_token)
        .bind(to_ms(session.now))
        .bind(to_ms(session.expires_at))
        .execute(&self.write)
        .await?;
        Ok(())
    }

    async fn session(&self, token_hash: &str, now: DateTime<Utc>) -> Result<Option<Session>> {
        let row = sqlx::query(&format!(
            "SELECT {STAFF_COLUMNS}, se.csrf_token FROM sessions se JOIN staff st ON st.id = se.staff_id \
             WHERE se.token_hash = $1 AND se.expires_ms > $2"
        ))
        .bind(token_hash)
        .bind(to_ms(now))
        .fetch_optional(&self.read)
        .await?;
        row.map(|r| {
            Ok(Session {
                staff: staff_from_row(&r, 0)?,
                csrf_token: r.try_get(8)?,
            })
        })
        .transpose()
    }

    async fn delete_session(&self, token_hash: &str) -> Result<()> {
        sqlx::query("DELETE FROM sessions WHERE token_hash = $1")
            .bind(token_hash)
            .execute(&self.write)
            .await?;
        Ok(())
    }

    async fn add_api_token(&self, token_hash: &str, staff_id: &str, now: DateTime<Utc>) -> Result<()> {
        sqlx::query("INSERT INTO api_tokens (token_hash, staff_id, created_ms) VALUES ($1, $2, $3)")
            .bind(token_hash)
            .bind(staff_id)
            .bind(to_ms(now))
            .execute(&self.write)
            .await?;
        Ok(())
    }

    async fn staff_by_api_token(&self, token_hash: &str) -> Result<Option<Staff>> {
        self.staff_where(
            "JOIN api_tokens t ON t.staff_id = st.id WHERE t.token_hash = $1",
            token_hash,
        )
        .await
    }

    async fn create_callback(&self, request: NewCallback) -> Result<CallbackView> {
        if let Some(group_commit) = &self.callback_commit {
            return group_commit.submit(request).await;
        }
        let mut tx = self.begin_write().await?;
        let mut candidates = load_candidates(&mut tx).await?;
        let mut views = insert_callbacks(&mut tx, &[&request], &mut candidates).await?;
        tx.commit().await?;
        views.pop().ok_or(StoreError::NotFound)
    }

    async fn callback(&self, id: &str) -> Result<Option<CallbackView>> {
        self.fetch_callback(id).await
    }

    async fn list_callbacks(&self, status: Option<CallbackStatus>, limit: i64) -> Result<Vec<CallbackView>> {
        let rows = match status {
            Some(status) => {
                sqlx::query(&format!(
                    "{CALLBACK_SELECT} WHERE c.status = $1 ORDER BY p.due_ms, c.id LIMIT $2"
                ))
                .bind(status.as_str())
                .bind(limit)
                .fetch_all(&self.read)
                .await?
            }
            None => {
                sqlx::query(&format!("{CALLBACK_SELECT} ORDER BY c.created_ms DESC, c.id LIMIT $1"))
                    .bind(limit)
                    .fetch_all(&self.read)
                    .await?
            }
        };
        rows.iter().map(callback_from_row).collect()
    }

    async fn record_outcome(&self, outcome: NewOutcome) -> Result<CallbackView> {
        let mut tx = self.begin_write().await?;
        let row = sqlx::query(
            "SELECT c.status, c.customer_id, p.id, p.due_ms, p.owner_id FROM callback_requests c \
             JOIN promises p ON p.id = c.promise_id WHERE c.id = $1",
        )
        .bind(&outcome.callback_id)
        .fetch_optional(&mut *tx)
        .await?
        .ok_or(StoreError::NotFound)?;
        let status: String = row.try_get(0)?;
        if status != CallbackStatus::Open.as_str() {
            return Err(StoreError::Conflict(format!(
                "this callback request is already closed ({status})"
            )));
        }
        let customer_id: String = row.try_get(1)?;
        let promise_id: String = row.try_get(2)?;
        let due_at = from_ms(row.try_get(3)?);
        let promise_status = PromiseStatus::on_fulfilment(due_at, outcome.now);
        let now = to_ms(outcome.now);
        let closed = sqlx::query("UPDATE promises SET status = $1, closed_ms = $2 WHERE id = $3 AND status = 'open'")
            .bind(promise_status.as_str())
            .bind(now)
            .bind(&promise_id)
            .execute(&mut *tx)
            .await?;
        if closed.rows_affected() == 0 {
            return Err(StoreError::Conflict("this promise was closed by someone else".into()));
        }
        let outcome_text = outcome.outcome.as_str();
        insert_promise_event(
            &mut tx,
            &promise_id,
            outcome.now,
            promise_status.event(),
            Some(&outcome.staff_id),
            Some(outcome_text),
        )
        .await?;
        sqlx::query(
            "INSERT INTO calls (id, callback_id, customer_id, staff_id, outcome, note, at_ms) VALUES ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(new_id())
        .bind(&outcome.callback_id)
        .bind(&customer_id)
        .bind(&outcome.staff_id)
        .bind(outcome_text)
        .bind(outcome.note.as_deref())
        .bind(now)
        .execute(&mut *tx)
        .await?;

        match outcome.retry_due.filter(|_| outcome.outcome.schedules_retry()) {
            Some(retry_due) => {
                let retry_id = new_id();
                insert_promise(
                    &mut tx,
                    NewPromise {
                        id: &retry_id,
                        kind: PromiseKind::CallbackRetry,
                        subject_id: &outcome.callback_id,
                        customer_id: &customer_id,
                        owner_id: Some(&outcome.staff_id),
                        not_before: outcome.now,
                        due_at: retry_due,
                        now: outcome.now,
                    },
                )
                .await?;
                sqlx::query("UPDATE callback_requests SET attempts = attempts + 1, promise_id = $1 WHERE id = $2")
                    .bind(&retry_id)
                    .bind(&outcome.callback_id)
                    .execute(&mut *tx)
                    .await?;
            }
            None => {
                sqlx::query(
                    "UPDATE callback_requests SET attempts = attempts + 1, status = $1, closed_ms = $2 WHERE id = $3",
                )
                .bind(outcome.outcome.callback_status().as_str())
                .bind(now)
                .bind(&outcome.callback_id)
                .execute(&mut *tx)
                .await?;
            }
        }
        enqueue(
            &mut tx,
            "callback.outcome",
            &outcome.callback_id,
            &[],
            outcome.fanout,
            outcome.now,
        )
        .await?;
        tx.commit().await?;
        self.fetch_callback(&outcome.callback_id)
            .await?
            .ok_or(StoreError::NotFound)
    }

    async fn customer_history(&self, customer_id: &str) -> Result<Vec<HistoryEntry>> {
        let rows = sqlx::query(
            "SELECT 'request' AS kind, created_ms AS at_ms, window_code AS detail, note, CAST(NULL AS TEXT) AS staff_name \
             FROM callback_requests WHERE customer_id = $1 \
             UNION ALL \
             SELECT 'call', k.at_ms, k.outcome, k.note, s.name FROM calls k LEFT JOIN staff s ON s.id = k.staff_id \
             WHERE k.customer_id = $1 \
             ORDER BY at_ms DESC",
        )
        .bind(customer_id)
        .fetch_all(&self.read)
        .await?;
        rows.iter()
            .map(|r| {
                Ok(HistoryEntry {
                    kind: r.try_get(0)?,
                    at: from_ms(r.try_get(1)?),
                    detail: r.try_get(2)?,
                    note: r.try_get(3)?,
                    staff_name: r.try_get(4)?,
                })
            })
            .collect()
    }

    async fn promise_history(&self, promise_id: &str) -> Result<Vec<PromiseHistoryEntry>> {
        let rows =
            sqlx::query("SELECT at_ms, event, actor_id, detail FROM promise_events WHERE promise_id = $1 ORDER BY id")
                .bind(promise_id)
                .fetch_all(&self.read)
                .await?;
        rows.iter()
            .map(|r| {
                Ok(PromiseHistoryEntry {
                    at: from_ms(r.try_get(0)?),
                    event: r.try_get(1)?,
                    actor_id: r.try_get(2)?,
                    detail: r.try_get(3)?,
                })
            })
            .collect()
    }

    async fn promise(&self, id: &str) -> Result<Option<PromiseRecord>> {
        let row = sqlx::query("SELECT id, kind, subject_id, owner_id, status, due_ms FROM promises WHERE id = $1")
            .bind(id)
            .fetch_optional(&self.read)
            .await?;
        row.map(|r| {
            Ok(PromiseRecord {
                id: r.try_get(0)?,
                kind: parse_enum(r.try_get(1)?, PromiseKind::parse)?,
                subject_id: r.try_get(2)?,
                owner_id: r.try_get(3)?,
                status: parse_enum(r.try_get(4)?, PromiseStatus::parse)?,
                due_at: from_ms(r.try_get(5)?),
            })
        })
        .transpose()
    }

    async fn remind_due(&self, now: DateTime<Utc>, lead: Duration, fanout: Fanout) -> Result<usize> {
        // Promises made less than `lead` before their deadline were just announced; no reminder.
        let due = self
            .promise_ids(
                "SELECT id FROM promises WHERE status = 'open' AND reminded_ms IS NULL \
                 AND due_ms - $2 <= $1 AND due_ms > $1 AND created_ms < due_ms - $2 ORDER BY due_ms LIMIT 200",
                &[to_ms(now), lead.num_milliseconds()],
            )
            .await?;
        self.mark_once(due, &REMINDER, now, fanout).await
    }

    async fn escalate_overdue(&self, now: DateTime<Utc>, fanout: Fanout) -> Result<usize> {
        let overdue = self
            .promise_ids(
                "SELECT id FROM promises WHERE status = 'open' AND escalated_ms IS NULL AND due_ms < $1 \
                 ORDER BY due_ms LIMIT 200",
                &[to_ms(now)],
            )
            .await?;
        self.mark_once(overdue, &ESCALATION, now, fanout).await
    }

    async fn claim_outbox(&self, now: DateTime<Utc>, lease: Duration, limit: i64) -> Result<Vec<OutboxItem>> {
        let sql = format!(
            "UPDATE outbox SET locked_until_ms = $1, attempts = attempts + 1 WHERE id IN \
             (SELECT id FROM outbox WHERE status = 'pending' AND next_attempt_ms <= $2 AND locked_until_ms <= $2 \
              ORDER BY id LIMIT $3 {}) \
             RETURNING id, channel, event, subject_id, recipient_id, attempts",
            self.dialect.skip_locked()
        );
        let rows = sqlx::query(&sql)
            .bind(to_ms(now + lease))
            .bind(to_ms(now))
            .bind(limit)
            .fetch_all(&self.write)
            .await?;
        let mut items = rows
            .iter()
            .map(|r| {
                Ok(OutboxItem {
                    id: r.try_get(0)?,
                    channel: r.try_get(1)?,
                    event: r.try_get(2)?,
                    subject_id: r.try_get(3)?,
                    recipient_id: r.try_get(4)?,
                    attempts: r.try_get(5)?,
                })
            })
            .collect::<Result<Vec<_>>>()?;
        items.sort_by_key(|item| item.id);
        Ok(items)
    }

    async fn outbox_delivered(&self, id: i64, now: DateTime<Utc>) -> Result<()> {
        sqlx::query("UPDATE outbox SET status = 'delivered', delivered_ms = $1, locked_until_ms = 0 WHERE id = $2")
            .bind(to_ms(now))
            .bind(id)
            .execute(&self.write)
            .await?;
        Ok(())
    }

    async fn outbox_failed(&self, id: i64, error: &str, retry_at: Option<DateTime<Utc>>) -> Result<()> {
        let (status, next) = match retry_at {
            Some(at) => ("pending", to_ms(at)),
            None => ("failed", 0),
        };
        sqlx::query(
            "UPDATE outbox SET status = $1, last_error = $2, next_attempt_ms = $3, locked_until_ms = 0 WHERE id = $4",
        )
        .bind(status)
        .bind(error)
        .bind(next)
        .bind(id)
        .execute(&self.write)
        .await?;
        Ok(())
    }

    async fn outbox_counts(&self) -> Result<OutboxCounts> {
        let rows = sqlx::query(
            "SELECT status, COUNT(*), SUM(CASE WHEN last_error IS NULL THEN 0 ELSE 1 END) FROM outbox GROUP BY status",
        )
        .fetch_all(&self.read)
        .await?;
        let mut counts = OutboxCounts::default();
        for row in rows {
            let status: String = row.try_get(0)?;
            let count: i64 = row.try_get(1)?;
            match status.as_str() {
                "pending" => {
                    counts.pending = count;
                    counts.retrying = row.try_get(2)?;
                }
                "delivered" => counts.delivered = count,
                _ => counts.failed += count,
            }
        }
        Ok(counts)
    }

    async fn record_inbound(&self, message: NewInbound) -> Result<InboundRecorded> {
        let (channel, external_id) = (message.channel.clone(), message.external_id.clone());
        let recorded = match &self.inbound_commit {
            Some(group_commit) => group_commit.submit(message).await,
            None => self.record_inbound_alone(&message).await,
        };
        match recorded {
            // Another node stored the same message a moment ago: answer with that copy.
            Err(StoreError::Duplicate) => {
                let mut conn = self.read.acquire().await?;
                let stored = conversations::already_stored(&mut conn, &channel, &external_id).await?;
                stored.ok_or(StoreError::Duplicate)
            }
            other => other,
        }
    }

    async fn record_reply(&self, reply: NewReply) -> Result<String> {
        let mut tx = self.begin_write().await?;
        let message_id = conversations::record_reply(&mut tx, &reply).await?;
        tx.commit().await?;
        Ok(message_id)
    }

    async fn conversation(&self, id: &str) -> Result<Option<ConversationView>> {
        conversations::conversation(&self.read, id).await
    }

    async fn list_conversations(
        &self,
        status: Option<ConversationStatus>,
        limit: i64,
    ) -> Result<Vec<ConversationView>> {
        conversations::list_conversations(&self.read, status, limit).await
    }

    async fn conversation_of_message(&self, message_id: &str) -> Result<Option<String>> {
        conversations::conversation_of_message(&self.read, message_id).await
    }

    async fn change_conversation(
        &self,
        id: &str,
        change: ConversationChange,
        actor_id: &str,
        now: DateTime<Utc>,
    ) -> Result<ConversationView> {
        let mut tx = self.begin_write().await?;
        conversations::change(&mut tx, id, &change, actor_id, now).await?;
        tx.commit().await?;
        conversations::conversation(&self.read, id)
            .await?
            .ok_or(StoreError::NotFound)
    }

    async fn customer_timeline(&self, customer_id: &str) -> Result<Vec<TimelineEntry>> {
        conversations::timeline(&self.read, customer_id).await
    }

    async fn customer(&self, id: &str) -> Result<Option<CustomerView>> {
        customers::customer(&self.read, id).await
    }

    async fn add_contact(&self, customer_id: &str, contact: Contact, now: DateTime<Utc>) -> Result<CustomerView> {
        let mut tx = self.begin_write().await?;
        customers::add_contact(&mut tx, customer_id, &contact, now).await?;
        tx.commit().await?;
        customers::customer(&self.read, customer_id)
            .await?
            .ok_or(StoreError::NotFound)
    }

    async fn attachment(&self, id: &str) -> Result<Option<(AttachmentInfo, Option<Vec<u8>>)>> {
        mail::attachment(&self.read, id).await
    }

    async fn record_unreadable_mail(&self, unreadable: NewUnreadableMail) -> Result<(String, bool)> {
        let mut tx = self.begin_write().await?;
        let recorded = mail::record_unreadable(&mut tx, &unreadable).await?;
        tx.commit().await?;
        Ok(recorded)
    }

    async fn unreadable_mail(&self, include_handled: bool) -> Result<Vec<UnreadableMail>> {
        mail::list_unreadable(&self.read, include_handled).await
    }

    async fn unreadable_raw(&self, id: &str) -> Result<Option<Vec<u8>>> {
        mail::unreadable_raw(&self.read, id).await
    }

    async fn mark_unreadable_handled(&self, id: &str, staff_id: &str, now: DateTime<Utc>) -> Result<()> {
        let mut tx = self.begin_write().await?;
        mail::mark_unreadable_handled(&mut tx, id, staff_id, now).await?;
        tx.commit().await?;
        Ok(())
    }

    async fn search(&self, filter: &SearchFilter) -> Result<Vec<SearchHit>> {
        search::search(&self.read, self.dialect, filter).await
    }

    async fn reply_templates(&self) -> Result<Vec<ReplyTemplate>> {
        templates::list(&self.read).await
    }

    async fn save_reply_template(&self, name: &str, body: &str, now: DateTime<Utc>) -> Result<ReplyTemplate> {
        let mut tx = self.begin_write().await?;
        let saved = templates::save(&mut tx, name, body, now).await?;
        tx.commit().await?;
        Ok(saved)
    }

    async fn delete_reply_template(&self, id: &str) -> Result<()> {
        let mut tx = self.begin_write().await?;
        templates::delete(&mut tx, id).await?;
        tx.commit().await?;
        Ok(())
    }

    async fn merge_customers(&self, into: &str, from: &str) -> Result<CustomerView> {
        let mut tx = self.begin_write().await?;
        customers::merge(&mut tx, self.dialect, into, from).await?;
        tx.commit().await?;
        customers::customer(&self.read, into).await?.ok_or(StoreError::NotFound)
    }

    async fn add_record(
        &self,
        customer_id: &str,
        staff_id: &str,
        record: NewRecord,
        now: DateTime<Utc>,
    ) -> Result<String> {
        let mut tx = self.begin_write().await?;
        let id = customers::add_record(&mut tx, customer_id, staff_id, &record, now).await?;
        tx.commit().await?;
        Ok(id)
    }

    async fn change_marker(&self) -> Result<i64> {
        let row = sqlx::query("SELECT COALESCE(MAX(id), 0) FROM promise_events")
            .fetch_one(&self.read)
            .await?;
        Ok(row.try_get(0)?)
    }
}

impl SqlStore {
    /// Closes both pools, waiting for connections to be returned.
    pub async fn close(&self) {
        self.read.close().await;
        self.write.close().await;
    }
}
