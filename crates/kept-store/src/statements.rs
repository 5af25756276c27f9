//! The connection the group-commit batches write through ([`Statements`]): sqlx's
//! `AnyConnection` on PostgreSQL, SQLite's own writer thread on SQLite (`sqlite_writer.rs`).
//! The batch code — which customers, conversations, promises and outbox rows to write — is
//! written once against this trait; only how a statement reaches the database differs.

use async_trait::async_trait;
use sqlx::any::AnyRow;
use sqlx::{Any, AnyConnection, Column, Row as _, Transaction, ValueRef as _};

use crate::dialect::{rows_per_statement, values_list};
use crate::{Result, StoreError};

/// One value bound to a statement.
#[derive(Debug, Clone)]
pub(crate) enum Cell<'a> {
    Text(&'a str),
    /// A value made for the statement, such as a row's search terms.
    Owned(String),
    MaybeText(Option<&'a str>),
    Int(i64),
    MaybeBytes(Option<&'a [u8]>),
}

/// One value of a row read back.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Value {
    Null,
    Int(i64),
    Real(f64),
    Text(String),
    Bytes(Vec<u8>),
}

/// A row read back: its values by position, its columns' names beside them.
#[derive(Debug, Clone, Default)]
pub(crate) struct Row {
    pub(crate) names: Vec<String>,
    pub(crate) values: Vec<Value>,
}

/// A column by its name or its position.
pub(crate) trait ColumnIndex {
    fn position(&self, row: &Row) -> Option<usize>;
}

impl ColumnIndex for &str {
    fn position(&self, row: &Row) -> Option<usize> {
        row.names.iter().position(|name| name == self)
    }
}

impl ColumnIndex for usize {
    fn position(&self, row: &Row) -> Option<usize> {
        (*self < row.values.len()).then_some(*self)
    }
}

/// What a column's value may be read as.
pub(crate) trait FromValue: Sized {
    fn from_value(value: &Value) -> Option<Self>;
}

impl FromValue for String {
    fn from_value(value: &Value) -> Option<Self> {
        match value {
            Value::Text(text) => Some(text.clone()),
            _ => None,
        }
    }
}

impl FromValue for i64 {
    fn from_value(value: &Value) -> Option<Self> {
        match value {
            Value::Int(number) => Some(*number),
            _ => None,
        }
    }
}

impl<T: FromValue> FromValue for Option<T> {
    fn from_value(value: &Value) -> Option<Self> {
        match value {
            Value::Null => Some(None),
            other => T::from_value(other).map(Some),
        }
    }
}

impl Row {
    pub(crate) fn try_get<T: FromValue>(&self, column: impl ColumnIndex + std::fmt::Debug) -> Result<T> {
        let value = column
            .position(self)
            .and_then(|at| self.values.get(at))
            .ok_or_else(|| StoreError::Corrupt(format!("no column {column:?}")))?;
        T::from_value(value).ok_or_else(|| StoreError::Corrupt(format!("column {column:?} holds {value:?}")))
    }

    fn from_any(row: &AnyRow) -> Result<Row> {
        let names = row.columns().iter().map(|c| c.name().to_string()).collect();
        let values = (0..row.len()).map(|at| any_value(row, at)).collect::<Result<_>>()?;
        Ok(Row { names, values })
    }
}

fn any_value(row: &AnyRow, at: usize) -> Result<Value> {
    use sqlx::any::AnyTypeInfoKind as Kind;
    let raw = row.try_get_raw(at)?;
    if raw.is_null() {
        return Ok(Value::Null);
    }
    Ok(match raw.type_info().kind() {
        Kind::Null => Value::Null,
        Kind::Bool => Value::Int(i64::from(row.try_get::<bool, _>(at)?)),
        Kind::SmallInt | Kind::Integer | Kind::BigInt => Value::Int(row.try_get(at)?),
        Kind::Real | Kind::Double => Value::Real(row.try_get(at)?),
        Kind::Text => Value::Text(row.try_get(at)?),
        Kind::Blob => Value::Bytes(row.try_get(at)?),
    })
}

/// A connection in an open transaction that batch writes go through.
#[async_trait]
pub(crate) trait Statements: Send {
    /// Runs one statement with `$1, $2 …` bound to `values`; how many rows it changed.
    async fn execute(&mut self, sql: &str, values: &[Cell<'_>]) -> Result<u64>;

    /// Runs one statement with `$1, $2 …` bound to `values`; the rows it gives.
    async fn fetch(&mut self, sql: &str, values: &[Cell<'_>]) -> Result<Vec<Row>>;

    /// Runs one statement whose result nobody reads and which reads nothing the batch wrote
    /// (an `UPDATE` of rows the batch does not insert). PostgreSQL may send it later, together
    /// with the batch's other such writes (`postgres_batch.rs`); by default it runs at once.
    async fn write_later(&mut self, sql: &str, values: &[Cell<'_>]) -> Result<()> {
        self.execute(sql, values).await.map(|_| ())
    }

    /// `INSERT INTO {into} VALUES (…) {then}` for every row of `columns` of `cells`; the rows a
    /// `RETURNING` in `then` gives. By default as few multi-row statements as binding stays
    /// cheap for (see [`rows_per_statement`]): one round trip each.
    async fn insert(&mut self, into: &str, then: &str, columns: usize, cells: &[Cell<'_>]) -> Result<Vec<Row>> {
        insert_in_chunks(self, into, then, columns, cells).await
    }
}

/// [`Statements::insert`] as multi-row statements of [`rows_per_statement`] rows.
pub(crate) async fn insert_in_chunks<S: Statements + ?Sized>(
    conn: &mut S,
    into: &str,
    then: &str,
    columns: usize,
    cells: &[Cell<'_>],
) -> Result<Vec<Row>> {
    let mut returned = Vec::new();
    for chunk in cells.chunks(rows_per_statement(columns) * columns.max(1)) {
        let sql = format!(
            "INSERT INTO {into} VALUES {} {then}",
            values_list(chunk.len() / columns.max(1), columns)
        );
        returned.extend(conn.fetch(&sql, chunk).await?);
    }
    Ok(returned)
}

/// `INSERT INTO {into} VALUES (…) {then}` for every one of `rows`; `cells` gives a row's values
/// in the order of the columns named in `into`. Returns the rows a `RETURNING` in `then` gives.
pub(crate) async fn insert_rows<T, const COLUMNS: usize>(
    conn: &mut dyn Statements,
    into: &str,
    then: &str,
    rows: &[T],
    cells: for<'r> fn(&'r T) -> [Cell<'r>; COLUMNS],
) -> Result<Vec<Row>> {
    if rows.is_empty() {
        return Ok(Vec::new());
    }
    let cells: Vec<Cell> = rows.iter().flat_map(cells).collect();
    conn.insert(into, then, COLUMNS, &cells).await
}

pub(crate) fn bound<'q>(
    sql: &'q str,
    values: &'q [Cell<'_>],
) -> sqlx::query::Query<'q, Any, sqlx::any::AnyArguments<'q>> {
    values.iter().fold(sqlx::query(sql), |query, cell| match cell {
        Cell::Text(text) => query.bind(*text),
        Cell::Owned(text) => query.bind(text.as_str()),
        Cell::MaybeText(text) => query.bind(*text),
        Cell::Int(number) => query.bind(*number),
        Cell::MaybeBytes(bytes) => query.bind(bytes.map(<[u8]>::to_vec)),
    })
}

#[async_trait]
impl Statements for AnyConnection {
    async fn execute(&mut self, sql: &str, values: &[Cell<'_>]) -> Result<u64> {
        Ok(bound(sql, values).execute(&mut *self).await?.rows_affected())
    }

    async fn fetch(&mut self, sql: &str, values: &[Cell<'_>]) -> Result<Vec<Row>> {
        let rows = bound(sql, values).fetch_all(&mut *self).await?;
        rows.iter().map(Row::from_any).collect()
    }
}

/// So that `&mut tx` passes as it does for functions taking an `AnyConnection`.
#[async_trait]
impl Statements for Transaction<'static, Any> {
    async fn execute(&mut self, sql: &str, values: &[Cell<'_>]) -> Result<u64> {
        (**self).execute(sql, values).await
    }

    async fn fetch(&mut self, sql: &str, values: &[Cell<'_>]) -> Result<Vec<Row>> {
        (**self).fetch(sql, values).await
    }
}

#[cfg(test)]
mod tests {
    use sqlx::{Connection, Row as _};

    use super::{Cell, insert_rows};

    #[tokio::test]
    async fn insert_rows_writes_every_row_across_statements() {
        sqlx::any::install_default_drivers();
        let mut conn = sqlx::AnyConnection::connect("sqlite::memory:")
            .await
            .expect("in-memory SQLite");
        sqlx::query("CREATE TABLE t (name TEXT NOT NULL, note TEXT, n INTEGER NOT NULL)")
            .execute(&mut conn)
            .await
            .expect("table");
        // 3 columns: 160 rows a statement, so 500 rows take four statements.
        let rows: Vec<(String, i64)> = (0..500).map(|n| (format!("row {n}"), n)).collect();
        let returned = insert_rows(&mut conn, "t (name, note, n)", "RETURNING n", &rows, |(name, n)| {
            [
                Cell::Text(name),
                Cell::MaybeText((n % 2 == 0).then_some("even")),
                Cell::Int(*n),
            ]
        })
        .await
        .expect("insert");
        // RETURNING gives rows in no promised order.
        let mut returned: Vec<i64> = returned.iter().map(|row| row.try_get::<i64>("n").expect("n")).collect();
        returned.sort_unstable();
        assert_eq!(returned, (0..500).collect::<Vec<_>>());
        let stored = sqlx::query("SELECT COUNT(*) AS rows, COUNT(note) AS notes, SUM(n) AS total FROM t")
            .fetch_one(&mut conn)
            .await
            .expect("count");
        assert_eq!(stored.get::<i64, _>("rows"), 500);
        assert_eq!(stored.get::<i64, _>("notes"), 250);
        assert_eq!(stored.get::<i64, _>("total"), (0..500).sum::<i64>());
    }
}
