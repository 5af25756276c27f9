//! SQLite's batch writer: a thread of its own with its own connection (rusqlite), which runs a
//! whole group-commit batch — `BEGIN IMMEDIATE`, every statement, `COMMIT` — without leaving
//! the thread.
//!
//! Why not sqlx, as every other write: through sqlx each statement is a round trip between the
//! batch's task and sqlx's SQLite thread, and on 2 cores that task waits behind the HTTP tasks
//! for a worker at every step. Measured under `scripts/bench-callbacks`: a batch of ~31
//! callback requests took 6.7 ms in RAM (9.7 ms on disk) while sqlx's SQLite thread was busy
//! for less than half of it. Here the batch code (written once, against [`Statements`]) runs
//! on this thread and each statement is a direct call, with its prepared statement cached.
//!
//! The thread writes only while the batch's task holds the sqlx writer connection (see
//! `group_commit.rs`): the two connections of this process never wait on each other's locks.

use std::panic::AssertUnwindSafe;
use std::path::Path;
use std::sync::mpsc;

use async_trait::async_trait;
use rusqlite::Connection;
use rusqlite::types::ValueRef;
use tokio::sync::oneshot;

use crate::dialect::values_list;
use crate::sqlite_checkpoints::{Checkpoints, open_connection};
use crate::statements::{Cell, Row, Statements, Value};
use crate::{Result, StoreError};

/// Statements kept prepared: each table's one-row INSERT and the batches' few reads and
/// updates, at the sizes batches come in.
const CACHED_STATEMENTS: usize = 256;

type Work = Box<dyn FnOnce(&mut Connection) + Send>;

pub(crate) struct SqliteWriter {
    work: mpsc::Sender<Work>,
    checkpoints: Checkpoints,
}

impl SqliteWriter {
    /// Opens the database at `path` (already created and migrated) with `pragmas`, and starts
    /// the thread that checkpoints what it commits (`sqlite_checkpoints.rs`).
    pub(crate) fn open(path: &Path, pragmas: &str) -> Result<SqliteWriter> {
        let conn = open_connection(path, pragmas)?;
        conn.set_prepared_statement_cache_capacity(CACHED_STATEMENTS);
        let checkpoints = Checkpoints::start(path, pragmas)?;
        let committed = checkpoints.clone();
        let (work, queue) = mpsc::channel::<Work>();
        std::thread::Builder::new()
            .name("sqlite-writer".into())
            .spawn(move || {
                let mut conn = conn;
                // Ends when the store is dropped: the sender goes, the queue closes.
                for job in queue {
                    // A batch that panics is answered as failed (its answer is dropped); the
                    // thread and its connection go on with the next one.
                    if std::panic::catch_unwind(AssertUnwindSafe(|| job(&mut conn))).is_err() && !conn.is_autocommit() {
                        let _ = conn.execute_batch("ROLLBACK");
                    }
                    committed.committed();
                }
            })
            .map_err(|e| StoreError::Database(sqlx::Error::Io(e)))?;
        Ok(SqliteWriter { work, checkpoints })
    }

    /// Empties the WAL into the database file (see [`Checkpoints::truncate`]).
    pub(crate) async fn truncate_wal(&self) -> Result<()> {
        self.checkpoints.truncate().await
    }

    /// Runs `work` in one transaction on the writer thread: committed when it returns `Ok`,
    /// rolled back otherwise.
    pub(crate) async fn transaction<T, F>(&self, work: F) -> Result<T>
    where
        T: Send + 'static,
        F: FnOnce(&mut WriterConnection<'_>) -> Result<T> + Send + 'static,
    {
        let (answer, answered) = oneshot::channel();
        let job: Work = Box::new(move |conn| {
            let _ = answer.send(in_transaction(conn, work));
        });
        self.work.send(job).map_err(|_| StoreError::WriterGone)?;
        answered.await.map_err(|_| StoreError::WriterGone)?
    }
}

fn in_transaction<T>(conn: &mut Connection, work: impl FnOnce(&mut WriterConnection<'_>) -> Result<T>) -> Result<T> {
    conn.execute_batch("BEGIN IMMEDIATE")?;
    let done = work(&mut WriterConnection { conn: &mut *conn });
    let result = done.and_then(|done| {
        conn.execute_batch("COMMIT")?;
        Ok(done)
    });
    if result.is_err() && !conn.is_autocommit() {
        // Nothing of the batch stays; the error says why.
        let _ = conn.execute_batch("ROLLBACK");
    }
    result
}

/// The writer's connection inside a transaction.
pub(crate) struct WriterConnection<'c> {
    conn: &'c mut Connection,
}

impl WriterConnection<'_> {
    fn rows(&mut self, sql: &str, values: &[Cell<'_>]) -> Result<Vec<Row>> {
        let mut statement = self.conn.prepare_cached(sql)?;
        bind(&mut statement, values)?;
        let names: Vec<String> = statement.column_names().into_iter().map(String::from).collect();
        let mut rows = statement.raw_query();
        let mut read = Vec::new();
        while let Some(row) = rows.next()? {
            let values = (0..names.len())
                .map(|at| value_of(row.get_ref(at)?))
                .collect::<Result<Vec<_>>>()?;
            read.push(Row {
                names: names.clone(),
                values,
            });
        }
        Ok(read)
    }
}

#[async_trait]
impl Statements for WriterConnection<'_> {
    async fn execute(&mut self, sql: &str, values: &[Cell<'_>]) -> Result<u64> {
        let mut statement = self.conn.prepare_cached(sql)?;
        bind(&mut statement, values)?;
        Ok(statement.raw_execute()? as u64)
    }

    async fn fetch(&mut self, sql: &str, values: &[Cell<'_>]) -> Result<Vec<Row>> {
        self.rows(sql, values)
    }

    /// One row at a time through one cached statement: without a round trip to save, a
    /// one-row statement prepared once beats a new multi-row text for every batch size.
    async fn insert(&mut self, into: &str, then: &str, columns: usize, cells: &[Cell<'_>]) -> Result<Vec<Row>> {
        let sql = format!("INSERT INTO {into} VALUES {} {then}", values_list(1, columns));
        let mut returned = Vec::new();
        for row in cells.chunks(columns.max(1)) {
            returned.extend(self.rows(&sql, row)?);
        }
        Ok(returned)
    }
}

/// Binds kept's `$1, $2 …` (SQLite reads `$n` as a parameter named "$n", one slot per name).
fn bind(statement: &mut rusqlite::CachedStatement<'_>, values: &[Cell<'_>]) -> Result<()> {
    for slot in 1..=statement.parameter_count() {
        let cell = statement
            .parameter_name(slot)
            .and_then(|name| name.strip_prefix('$'))
            .and_then(|number| number.parse::<usize>().ok())
            .and_then(|number| values.get(number.checked_sub(1)?))
            .ok_or_else(|| StoreError::Corrupt(format!("statement parameter {slot} has no value")))?;
        match cell {
            Cell::Text(text) => statement.raw_bind_parameter(slot, text)?,
            Cell::Owned(text) => statement.raw_bind_parameter(slot, text)?,
            Cell::MaybeText(text) => statement.raw_bind_parameter(slot, text)?,
            Cell::Int(number) => statement.raw_bind_parameter(slot, number)?,
            Cell::MaybeBytes(bytes) => statement.raw_bind_parameter(slot, bytes)?,
        }
    }
    Ok(())
}

fn value_of(value: ValueRef<'_>) -> Result<Value> {
    Ok(match value {
        ValueRef::Null => Value::Null,
        ValueRef::Integer(number) => Value::Int(number),
        ValueRef::Real(number) => Value::Real(number),
        ValueRef::Text(text) => Value::Text(
            std::str::from_utf8(text)
                .map_err(|e| StoreError::Corrupt(format!("text that is not UTF-8: {e}")))?
                .to_string(),
        ),
        ValueRef::Blob(bytes) => Value::Bytes(bytes.to_vec()),
    })
}

#[cfg(test)]
mod tests {
    use super::SqliteWriter;
    use crate::StoreError;
    use crate::sql::SQLITE_PRAGMAS;
    use crate::statements::{Cell, Statements, Value, insert_rows};

    fn writer(dir: &tempfile::TempDir) -> SqliteWriter {
        let path = dir.path().join("kept.db");
        let conn = rusqlite::Connection::open(&path).expect("create");
        conn.execute_batch("CREATE TABLE t (name TEXT PRIMARY KEY, n INTEGER NOT NULL, note TEXT)")
            .expect("table");
        SqliteWriter::open(&path, SQLITE_PRAGMAS).expect("writer")
    }

    #[tokio::test]
    async fn commits_are_durable_and_numbered_parameters_find_their_values() {
        let dir = tempfile::tempdir().expect("dir");
        let writer = writer(&dir);
        let read = writer
            .transaction(|conn| {
                futures::executor::block_on(async {
                    let rows = [("a", 1), ("b", 2), ("c", 3)];
                    let returned = insert_rows(conn, "t (name, n)", "RETURNING n", &rows, |(name, n)| {
                        [Cell::Text(name), Cell::Int(*n)]
                    })
                    .await?;
                    // Out of order and used twice, as kept's statements do.
                    let changed = conn
                        .execute(
                            "UPDATE t SET note = $2 WHERE name = $1 OR n = $3 + $3",
                            &[Cell::Text("a"), Cell::MaybeText(Some("x")), Cell::Int(1)],
                        )
                        .await?;
                    let sync = conn.fetch("PRAGMA synchronous", &[]).await?;
                    let journal = conn.fetch("PRAGMA journal_mode", &[]).await?;
                    let checkpoint = conn.fetch("PRAGMA wal_autocheckpoint", &[]).await?;
                    Ok((returned.len(), changed, sync, [journal, checkpoint]))
                })
            })
            .await
            .expect("written");
        let (returned, changed, sync, [journal, checkpoint]) = read;
        assert_eq!(returned, 3, "one row back per row written");
        assert_eq!(changed, 2, "a (by name) and b (n = 1 + 1)");
        assert_eq!(sync[0].values, vec![Value::Int(2)], "synchronous = FULL");
        // Not SQLite's defaults: the writer has kept's pragmas.
        assert_eq!(journal[0].values, vec![Value::Text("wal".into())]);
        assert_eq!(checkpoint[0].values, vec![Value::Int(10_000)]);
    }

    #[tokio::test]
    async fn what_the_writer_commits_reaches_the_database_file_without_its_own_checkpoint() {
        let dir = tempfile::tempdir().expect("dir");
        let path = dir.path().join("kept.db");
        rusqlite::Connection::open(&path)
            .and_then(|conn| conn.execute_batch("CREATE TABLE t (name TEXT PRIMARY KEY, n INTEGER NOT NULL)"))
            .expect("table");
        // The writer never checkpoints by itself here: only the checkpoint thread can.
        let pragmas = format!("{SQLITE_PRAGMAS} PRAGMA wal_autocheckpoint = 0;");
        let writer = SqliteWriter::open(&path, &pragmas).expect("writer");
        writer
            .transaction(|conn| {
                futures::executor::block_on(conn.execute(
                    "INSERT INTO t (name, n) VALUES ($1, $2)",
                    &[Cell::Text("geheimpje"), Cell::Int(1)],
                ))
            })
            .await
            .expect("written");
        let in_database = || std::fs::read(&path).expect("db").windows(9).any(|w| w == b"geheimpje");
        // The checkpoint thread waits a moment for more commits; it has long done so by then.
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
        while !in_database() && std::time::Instant::now() < deadline {
            tokio::time::sleep(std::time::Duration::from_millis(20)).await;
        }
        assert!(in_database(), "the commit was checkpointed into the database file");
    }

    #[tokio::test]
    async fn a_batch_that_fails_leaves_nothing_behind() {
        let dir = tempfile::tempdir().expect("dir");
        let writer = writer(&dir);
        let failed = writer
            .transaction(|conn| {
                futures::executor::block_on(async {
                    conn.execute(
                        "INSERT INTO t (name, n) VALUES ($1, $2)",
                        &[Cell::Text("a"), Cell::Int(1)],
                    )
                    .await?;
                    conn.execute(
                        "INSERT INTO t (name, n) VALUES ($1, $2)",
                        &[Cell::Text("a"), Cell::Int(2)],
                    )
                    .await
                })
            })
            .await;
        assert!(matches!(failed, Err(StoreError::Duplicate)), "{failed:?}");
        let count = writer
            .transaction(|conn| futures::executor::block_on(conn.fetch("SELECT COUNT(*) FROM t", &[])))
            .await
            .expect("read");
        assert_eq!(
            count[0].values,
            vec![Value::Int(0)],
            "the first row went with the second"
        );
    }
}
