//! The schema's migrations: one sequence with the same numbers on both databases, starting
//! from a baseline that squashed the older, diverging sequences (kept in `migrations-history/`
//! for the test that the two give the same schema). A database made before the squash is
//! adopted: its record of applied migrations becomes the baseline's.

use sqlx::AnyPool;
use sqlx::migrate::Migrator;

use crate::Result;
use crate::dialect::Dialect;

pub(crate) static SQLITE: Migrator = sqlx::migrate!("./migrations/sqlite");
pub(crate) static POSTGRES: Migrator = sqlx::migrate!("./migrations/postgres");

/// The last migration before the squash, per database (version, sqlx's description of it).
const SQLITE_LAST: (i64, &str) = (32, "write first deliveries");
const POSTGRES_LAST: (i64, &str) = (33, "write first deliveries");

/// Brings the schema up to date.
pub(crate) async fn run(pool: &AnyPool, dialect: Dialect) -> Result<()> {
    let (migrator, last) = match dialect {
        Dialect::Sqlite => (&SQLITE, SQLITE_LAST),
        Dialect::Postgres => (&POSTGRES, POSTGRES_LAST),
    };
    adopt_history(pool, dialect, migrator, last).await?;
    migrator.run(pool).await?;
    // Made in Rust (folded as the search folds words): filled once, after migration 0004.
    crate::customer_words::fill_if_empty(pool).await
}

/// A database that applied the whole old sequence has the baseline's schema: it is recorded
/// as having applied the baseline instead (else sqlx refuses to start: the old versions are
/// missing from the sequence).
async fn adopt_history(pool: &AnyPool, dialect: Dialect, migrator: &Migrator, last: (i64, &str)) -> Result<()> {
    let exists = match dialect {
        Dialect::Sqlite => "SELECT COUNT(*) FROM sqlite_master WHERE name = '_sqlx_migrations'",
        Dialect::Postgres => "SELECT COUNT(*) FROM pg_tables WHERE tablename = '_sqlx_migrations'",
    };
    let (tables,): (i64,) = sqlx::query_as(exists).fetch_one(pool).await?;
    if tables == 0 {
        return Ok(());
    }
    let (applied, at_last): (i64, i64) = sqlx::query_as(
        "SELECT COUNT(*), COUNT(CASE WHEN version = $1 AND description = $2 THEN 1 END) \
         FROM _sqlx_migrations WHERE success",
    )
    .bind(last.0)
    .bind(last.1)
    .fetch_one(pool)
    .await?;
    let Some(baseline) = migrator.iter().next() else {
        return Ok(());
    };
    if applied != last.0 || at_last != 1 {
        return Ok(());
    }
    let mut tx = pool.begin().await?;
    sqlx::query("DELETE FROM _sqlx_migrations").execute(&mut *tx).await?;
    sqlx::query(
        "INSERT INTO _sqlx_migrations (version, description, success, checksum, execution_time) \
         VALUES ($1, $2, TRUE, $3, 0)",
    )
    .bind(baseline.version)
    .bind(baseline.description.to_string())
    .bind(baseline.checksum.to_vec())
    .execute(&mut *tx)
    .await?;
    tx.commit().await?;
    tracing::info!("this database was made before the migrations were squashed; it now records the baseline");
    Ok(())
}
