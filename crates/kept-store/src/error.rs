use thiserror::Error;

/// Storage errors, with the database's own errors mapped once, here.
#[derive(Debug, Error)]
pub enum StoreError {
    #[error("not found")]
    NotFound,
    #[error("{0}")]
    Conflict(String),
    #[error("already exists")]
    Duplicate,
    /// The time asked for was booked by someone else a moment ago.
    #[error("that time was just booked")]
    Taken,
    /// A change would leave the team without an active owner.
    #[error("the team needs at least one owner")]
    LastOwner,
    #[error("unsupported database URL '{0}': use sqlite://PATH or postgres://…")]
    UnsupportedUrl(String),
    #[error("stored value not understood: {0}")]
    Corrupt(String),
    #[error("database error: {0}")]
    Database(#[source] sqlx::Error),
    /// From SQLite's writer thread (`sqlite_writer.rs`).
    #[error("database error: {0}")]
    Sqlite(#[source] rusqlite::Error),
    #[error("database migration failed: {0}")]
    Migration(#[from] sqlx::migrate::MigrateError),
    #[error("the storage writer has stopped")]
    WriterGone,
    /// PostgreSQL gave up one of two transactions that waited for each other (deadlock) or
    /// could not serialise them: the same work is worth doing again.
    #[error("the database was busy with the same rows; try again")]
    Busy,
}

impl From<sqlx::Error> for StoreError {
    fn from(error: sqlx::Error) -> Self {
        match &error {
            sqlx::Error::RowNotFound => StoreError::NotFound,
            sqlx::Error::Database(db) if db.is_unique_violation() => StoreError::Duplicate,
            // deadlock_detected, serialization_failure
            sqlx::Error::Database(db) if matches!(db.code().as_deref(), Some("40P01" | "40001")) => StoreError::Busy,
            _ => StoreError::Database(error),
        }
    }
}

impl From<rusqlite::Error> for StoreError {
    fn from(error: rusqlite::Error) -> Self {
        use rusqlite::ffi;
        match &error {
            rusqlite::Error::QueryReturnedNoRows => StoreError::NotFound,
            rusqlite::Error::SqliteFailure(failure, _)
                if matches!(
                    failure.extended_code,
                    ffi::SQLITE_CONSTRAINT_UNIQUE | ffi::SQLITE_CONSTRAINT_PRIMARYKEY
                ) =>
            {
                StoreError::Duplicate
            }
            _ => StoreError::Sqlite(error),
        }
    }
}
