//! Writes `batches` group-commit batches of `size` new callback requests — the statements of
//! kept's `new_callbacks.rs` (customers upsert, request, search entry, promise and its event,
//! outbox row, round-robin position) in one `BEGIN IMMEDIATE … COMMIT` each — into two copies
//! of a kept database: once through sqlx's `Any` driver from a tokio task, as kept does, and once
//! through rusqlite with cached statements on the calling thread, as a dedicated writer thread
//! would. Both with kept's pragmas (WAL, `synchronous=FULL`). Prints milliseconds per batch.

use std::time::Instant;

#[derive(Clone)]
enum Value {
    Text(String),
    Int(i64),
    Null,
}

struct Statement {
    sql: String,
    args: Vec<Value>,
    returns_rows: bool,
}

const PRAGMAS: &str = "PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL; PRAGMA foreign_keys = ON; \
                       PRAGMA busy_timeout = 10000; PRAGMA secure_delete = ON;";

/// A copy of kept-store's `dialect::values_list` (private to that crate), so both writers get the
/// statements kept sends.
fn values_list(rows: usize, columns: usize) -> String {
    (0..rows)
        .map(|row| {
            let cells: Vec<String> = (1..=columns).map(|col| format!("${}", row * columns + col)).collect();
            format!("({})", cells.join(", "))
        })
        .collect::<Vec<_>>()
        .join(", ")
}

fn text(s: impl Into<String>) -> Value {
    Value::Text(s.into())
}

/// The statements of one batch (the staff row is read first by both writers).
fn batch(number: usize, size: usize, staff_id: &str) -> Vec<Statement> {
    let now = 1_780_000_000_000 + number as i64 * 1_000;
    let id = |kind: &str, i: usize| format!("{now:013x}-{kind}-{i:04}");
    let mut phones: Vec<String> = (0..size)
        .map(|i| format!("+316{:08}", (number * 7919 + i * 104_729) % 100_000_000))
        .collect();
    phones.sort();
    phones.dedup();
    let n = phones.len();
    let mut statements = Vec::new();
    let mut add = |sql: String, args: Vec<Value>, returns_rows: bool| statements.push(Statement { sql, args, returns_rows });
    add(
        format!(
            "INSERT INTO customers (id, name, phone, created_ms) VALUES {} ON CONFLICT (phone) DO UPDATE SET \
             name = COALESCE(excluded.name, customers.name) RETURNING phone, id",
            values_list(n, 4)
        ),
        phones
            .iter()
            .enumerate()
            .flat_map(|(i, p)| [text(id("cu", i)), text("Jan Jansen"), text(p.clone()), Value::Int(now)])
            .collect(),
        true,
    );
    // Every number is new (the numbers differ per batch), so the new ids are the customers'.
    add(
        format!(
            "INSERT INTO callback_requests (id, customer_id, phone, name, window_code, note, lang, status, promise_id, \
             created_ms) VALUES {}",
            values_list(n, 10)
        ),
        phones
            .iter()
            .enumerate()
            .flat_map(|(i, p)| {
                [
                    text(id("cb", i)),
                    text(id("cu", i)),
                    text(p.clone()),
                    text("Jan Jansen"),
                    text("asap"),
                    text("Bel mij terug over de rekening"),
                    text("nl"),
                    text("open"),
                    text(id("pr", i)),
                    Value::Int(now),
                ]
            })
            .collect(),
        false,
    );
    add(
        format!(
            "INSERT INTO search_index (terms, kind, ref_id, customer_id, at_ms) VALUES {}",
            values_list(n, 5)
        ),
        (0..n)
            .flat_map(|i| {
                [
                    text(format!("jan jansen bel mij terug over de rekening zzcust{i} zzchanphone zzmonth202605")),
                    text("callback_request"),
                    text(id("cb", i)),
                    text(id("cu", i)),
                    Value::Int(now),
                ]
            })
            .collect(),
        false,
    );
    add(
        format!(
            "INSERT INTO promises (id, kind, subject_id, customer_id, owner_id, status, not_before_ms, due_ms, \
             created_ms, channel) VALUES {}",
            values_list(n, 10)
        ),
        (0..n)
            .flat_map(|i| {
                [
                    text(id("pr", i)),
                    text("callback"),
                    text(id("cb", i)),
                    Value::Null,
                    text(staff_id),
                    text("open"),
                    Value::Int(now),
                    Value::Int(now + 5_400_000),
                    Value::Int(now),
                    text("phone"),
                ]
            })
            .collect(),
        false,
    );
    add(
        format!("INSERT INTO promise_events (promise_id, at_ms, event) VALUES {}", values_list(n, 3)),
        (0..n).flat_map(|i| [text(id("pr", i)), Value::Int(now), text("created")]).collect(),
        false,
    );
    add(
        format!(
            "INSERT INTO outbox (channel, event, subject_id, recipient_id, next_attempt_ms, created_ms) VALUES {}",
            values_list(n, 6)
        ),
        (0..n)
            .flat_map(|i| {
                [text("email"), text("callback.created"), text(id("cb", i)), text(staff_id), Value::Int(now), Value::Int(now)]
            })
            .collect(),
        false,
    );
    add(
        "UPDATE staff SET assignment_seq = $1 WHERE id = $2".into(),
        vec![Value::Int(number as i64), text(staff_id)],
        false,
    );
    statements
}

const STAFF: &str = "SELECT id FROM staff WHERE active = 1 AND password_hash <> '' ORDER BY id LIMIT 1";

fn with_rusqlite(path: &str, batches: usize, size: usize) -> rusqlite::Result<f64> {
    let conn = rusqlite::Connection::open(path)?;
    conn.execute_batch(PRAGMAS)?;
    conn.set_prepared_statement_cache_capacity(64);
    let started = Instant::now();
    for number in 0..batches {
        conn.execute_batch("BEGIN IMMEDIATE")?;
        let staff_id: String = conn.prepare_cached(STAFF)?.query_row([], |row| row.get(0))?;
        for statement in batch(number, size, &staff_id) {
            let mut prepared = conn.prepare_cached(&statement.sql)?;
            // "$n" appear once each, in order: SQLite numbers them 1, 2, … as written.
            for (i, value) in statement.args.iter().enumerate() {
                match value {
                    Value::Text(s) => prepared.raw_bind_parameter(i + 1, s)?,
                    Value::Int(n) => prepared.raw_bind_parameter(i + 1, n)?,
                    Value::Null => prepared.raw_bind_parameter(i + 1, rusqlite::types::Null)?,
                }
            }
            if statement.returns_rows {
                let mut rows = prepared.raw_query();
                while let Some(row) = rows.next()? {
                    let _: String = row.get(1)?;
                }
            } else {
                prepared.raw_execute()?;
            }
        }
        conn.execute_batch("COMMIT")?;
    }
    Ok(started.elapsed().as_secs_f64())
}

async fn with_sqlx(path: &str, batches: usize, size: usize) -> Result<f64, sqlx::Error> {
    use sqlx::{Executor, Row};
    sqlx::any::install_default_drivers();
    let pool = sqlx::any::AnyPoolOptions::new()
        .max_connections(1)
        .after_connect(|conn, _| {
            Box::pin(async move {
                conn.execute(PRAGMAS).await?;
                Ok(())
            })
        })
        .connect(&format!("sqlite://{path}"))
        .await?;
    let started = Instant::now();
    for number in 0..batches {
        let mut tx = pool.begin_with("BEGIN IMMEDIATE").await?;
        let staff_id: String = sqlx::query(STAFF).fetch_one(&mut *tx).await?.try_get(0)?;
        for statement in batch(number, size, &staff_id) {
            let mut query = sqlx::query(&statement.sql);
            for value in statement.args {
                query = match value {
                    Value::Text(s) => query.bind(s),
                    Value::Int(n) => query.bind(n),
                    Value::Null => query.bind(None::<String>),
                };
            }
            if statement.returns_rows {
                for row in query.fetch_all(&mut *tx).await? {
                    let _: String = row.try_get(1)?;
                }
            } else {
                query.execute(&mut *tx).await?;
            }
        }
        tx.commit().await?;
    }
    Ok(started.elapsed().as_secs_f64())
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().collect();
    let source = args.get(1).ok_or("usage: writer-prototype <kept.db> [batches] [batch size]")?;
    let batches: usize = args.get(2).map_or(Ok(300), |s| s.parse())?;
    let size: usize = args.get(3).map_or(Ok(32), |s| s.parse())?;
    let report = |name: &str, seconds: f64| {
        println!(
            "{name:9} {batches} batches of {size}: {:.2} ms per batch, {:.0} requests/s",
            1000.0 * seconds / batches as f64,
            (batches * size) as f64 / seconds
        )
    };
    // Everything into the main file, so that a copy of it is the whole database.
    rusqlite::Connection::open(source)?.execute_batch("PRAGMA wal_checkpoint(TRUNCATE)")?;
    for round in 0..2 {
        let copy = |name: &str| -> std::io::Result<String> {
            let path = format!("{source}.{name}{round}");
            std::fs::copy(source, &path)?;
            Ok(path)
        };
        let sqlx_db = copy("sqlx")?;
        report("sqlx", with_sqlx(&sqlx_db, batches, size).await?);
        let rusqlite_db = copy("rusqlite")?;
        let seconds = tokio::task::spawn_blocking(move || with_rusqlite(&rusqlite_db, batches, size)).await??;
        report("rusqlite", seconds);
    }
    Ok(())
}
