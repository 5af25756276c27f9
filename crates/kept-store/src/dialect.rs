//! The few places SQLite and PostgreSQL differ, and the helpers every store module shares to
//! build statements and read rows. A leaf module: it imports no other store module.

use crate::{Result, StoreError};

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

    /// All rows of a statement as one JSON text: an array with an array of `columns` per row.
    /// For statements of tens of thousands of rows: sqlx hands SQLite rows over one by one
    /// from its worker thread (a channel hop and an AnyRow each, about 6 µs a row measured),
    /// while the database packs them in a fraction of that and serde_json unpacks them fast.
    pub(crate) fn json_rows(self, columns: &str) -> String {
        match self {
            Dialect::Sqlite => format!("json_group_array(json_array({columns}))"),
            Dialect::Postgres => format!("CAST(COALESCE(json_agg(json_build_array({columns})), '[]') AS TEXT)"),
        }
    }

    /// Locks the rows a `SELECT` gives, in its order, until the commit (PostgreSQL); SQLite's
    /// one writer at a time needs no row locks.
    pub(crate) fn lock_rows(self) -> &'static str {
        match self {
            Dialect::Sqlite => "",
            Dialect::Postgres => "FOR UPDATE",
        }
    }

    /// Locks the rows a `SELECT` gives for an update of their other columns than the key, until
    /// the commit (PostgreSQL): it waits for other updates of them, not for transactions that
    /// only refer to them (inserting a row whose foreign key names one takes a key-share lock,
    /// which `FOR UPDATE` would wait for).
    pub(crate) fn lock_rows_to_update(self) -> &'static str {
        match self {
            Dialect::Sqlite => "",
            Dialect::Postgres => "FOR NO KEY UPDATE",
        }
    }

    /// PostgreSQL lets several nodes claim outbox rows side by side; SQLite has one writer
    /// at a time, so the plain statement is already exclusive there.
    pub(crate) fn skip_locked(self) -> &'static str {
        match self {
            Dialect::Sqlite => "",
            Dialect::Postgres => "FOR UPDATE SKIP LOCKED",
        }
    }
}

pub(crate) fn parse_enum<T>(text: String, parse: fn(&str) -> Option<T>) -> Result<T> {
    parse(&text).ok_or(StoreError::Corrupt(text))
}

/// Placeholders one multi-row statement may carry. sqlx binds SQLite's numbered parameters
/// by asking SQLite each one's name, which SQLite finds by walking the statement's list of
/// names: binding costs the square of the count. 3,000 in one statement took milliseconds
/// (a sixth of a message import's time); chunks of this size keep that negligible.
const PARAMETERS_PER_STATEMENT: usize = 480;

/// How many rows of `columns` values one multi-row statement takes.
pub(crate) fn rows_per_statement(columns: usize) -> usize {
    (PARAMETERS_PER_STATEMENT / columns.max(1)).max(1)
}

/// The rows packed by [`Dialect::json_rows`], each as a tuple of its columns.
pub(crate) fn unpack<'a, T: serde::Deserialize<'a>>(packed: &'a str) -> Result<Vec<T>> {
    serde_json::from_str(packed).map_err(|e| StoreError::Corrupt(format!("packed rows: {e}")))
}

/// `rows` in chunks small enough for one statement of `columns` values per row.
pub(crate) fn statement_chunks<T>(rows: &[T], columns: usize) -> std::slice::Chunks<'_, T> {
    rows.chunks(rows_per_statement(columns))
}

/// `$1, $2 …` placeholders for `rows` rows of `columns` values: "($1, $2), ($3, $4)".
pub(crate) fn values_list(rows: usize, columns: usize) -> String {
    (0..rows)
        .map(|row| {
            let cells: Vec<String> = (1..=columns).map(|col| format!("${}", row * columns + col)).collect();
            format!("({})", cells.join(", "))
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// `count` placeholders numbered from `first`, for `IN (…)`: "$2, $3, $4".
pub(crate) fn placeholders(first: usize, count: usize) -> String {
    (first..first + count)
        .map(|n| format!("${n}"))
        .collect::<Vec<_>>()
        .join(", ")
}

#[cfg(test)]
mod tests {
    use super::{placeholders, values_list};

    #[test]
    fn in_lists_number_on_from_the_first() {
        assert_eq!(placeholders(2, 3), "$2, $3, $4");
    }

    #[test]
    fn placeholders_number_on_across_rows() {
        assert_eq!(values_list(2, 3), "($1, $2, $3), ($4, $5, $6)");
    }
}
