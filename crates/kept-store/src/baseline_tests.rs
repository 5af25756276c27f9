//! The migrations were squashed into one baseline per database (`migrations/*/0001_baseline.sql`)
//! so that both have one sequence with the same numbers. The old sequences stay in
//! `migrations-history/` for this test only: applying either must give the same schema.

use sqlx::migrate::Migrator;
use sqlx::{AnyConnection, Connection as _, Row as _};

use crate::test_postgres::{fresh_database, postgres_url};

static SQLITE_HISTORY: Migrator = sqlx::migrate!("./migrations-history/sqlite");
use crate::migrations::{POSTGRES as POSTGRES_BASELINE, SQLITE as SQLITE_BASELINE};
static POSTGRES_HISTORY: Migrator = sqlx::migrate!("./migrations-history/postgres");

/// Every table, index and trigger as SQLite stores its definition.
const SQLITE_SCHEMA: &str = "SELECT type || ' ' || name || ' ON ' || tbl_name || ': ' || COALESCE(sql, '') \
     FROM sqlite_master WHERE name NOT LIKE '\\_sqlx%' ESCAPE '\\' AND name NOT LIKE 'sqlite_%' ORDER BY type, name";

/// Every column (with its type, nullability, default and place), index and constraint.
const POSTGRES_SCHEMA: &str = "SELECT 'column ' || table_name::text || '.' || column_name::text || ' #' || ordinal_position::text \
     || ' ' || data_type::text || ' ' || is_nullable::text || ' ' || COALESCE(column_default::text, '') \
     FROM information_schema.columns WHERE table_schema = current_schema() AND table_name::text <> '_sqlx_migrations' \
     UNION ALL SELECT 'index ' || indexname::text || ': ' || indexdef FROM pg_indexes \
     WHERE schemaname = current_schema() AND tablename <> '_sqlx_migrations' \
     UNION ALL SELECT 'constraint ' || conrelid::regclass::text || ' ' || conname::text || ': ' || pg_get_constraintdef(oid) \
     FROM pg_constraint WHERE connamespace = current_schema()::regnamespace \
     AND conrelid::regclass::text <> '_sqlx_migrations' ORDER BY 1";

async fn schema(url: &str, migrator: &Migrator, query: &str) -> Vec<String> {
    let mut conn = AnyConnection::connect(url).await.expect("a database");
    migrator.run(&mut conn).await.expect("the migrations run");
    schema_of(&mut conn, query).await
}

/// The schema the baseline alone makes (the migrations after it change what it made).
async fn baseline_schema(url: &str, migrator: &Migrator, query: &str) -> Vec<String> {
    let mut conn = AnyConnection::connect(url).await.expect("a database");
    let baseline = migrator.iter().next().expect("a baseline");
    sqlx::raw_sql(&baseline.sql)
        .execute(&mut conn)
        .await
        .expect("the baseline runs");
    schema_of(&mut conn, query).await
}

async fn schema_of(conn: &mut AnyConnection, query: &str) -> Vec<String> {
    let rows = sqlx::query(query).fetch_all(conn).await.expect("the schema");
    rows.iter().map(|r| r.try_get::<String, _>(0).expect("text")).collect()
}

#[tokio::test]
async fn the_sqlite_baseline_gives_the_schema_of_the_history() {
    sqlx::any::install_default_drivers();
    let history = schema("sqlite::memory:", &SQLITE_HISTORY, SQLITE_SCHEMA).await;
    let baseline = baseline_schema("sqlite::memory:", &SQLITE_BASELINE, SQLITE_SCHEMA).await;
    assert!(history.len() > 50, "the history built the schema: {history:?}");
    assert_eq!(baseline, history);
}

#[tokio::test]
async fn the_postgres_baseline_gives_the_schema_of_the_history() {
    let Some(admin) = postgres_url() else { return };
    let history = schema(&fresh_database(&admin).await, &POSTGRES_HISTORY, POSTGRES_SCHEMA).await;
    let baseline = baseline_schema(&fresh_database(&admin).await, &POSTGRES_BASELINE, POSTGRES_SCHEMA).await;
    assert!(history.len() > 100, "the history built the schema: {history:?}");
    assert_eq!(baseline, history);
}

#[test]
fn both_databases_have_the_same_migration_numbers_and_names() {
    let names = |migrator: &Migrator| -> Vec<(i64, String)> {
        migrator
            .iter()
            .map(|m| (m.version, m.description.to_string()))
            .collect()
    };
    assert_eq!(names(&SQLITE_BASELINE), names(&POSTGRES_BASELINE));
}

/// A database made before the squash starts: its record becomes the baseline's, its schema and
/// data stay, and later migrations apply to it.
#[tokio::test]
async fn a_database_made_before_the_squash_is_adopted() {
    sqlx::any::install_default_drivers();
    let dir = tempfile::tempdir().expect("a temp dir");
    let url = format!("sqlite://{}/old.db?mode=rwc", dir.path().display());
    let pool = sqlx::any::AnyPoolOptions::new()
        .max_connections(1)
        .connect(&url)
        .await
        .expect("SQLite");
    SQLITE_HISTORY.run(&pool).await.expect("the old sequence");
    sqlx::query("INSERT INTO customers (id, name, created_ms) VALUES ('c1', 'Jan', 0)")
        .execute(&pool)
        .await
        .expect("a customer");
    crate::migrations::run(&pool, crate::Dialect::Sqlite)
        .await
        .expect("adopted and up to date");
    let versions: Vec<(i64,)> = sqlx::query_as("SELECT version FROM _sqlx_migrations ORDER BY version")
        .fetch_all(&pool)
        .await
        .expect("the record");
    assert_eq!(versions.first(), Some(&(1,)), "{versions:?}");
    assert_eq!(versions.len(), SQLITE_BASELINE.iter().count(), "{versions:?}");
    let (name,): (String,) = sqlx::query_as("SELECT name FROM customers WHERE id = 'c1'")
        .fetch_one(&pool)
        .await
        .expect("the data stays");
    assert_eq!(name, "Jan");
    // The customers kept had are found by their words, made when the index came.
    let (word,): (String,) = sqlx::query_as("SELECT word FROM customer_words WHERE customer_id = 'c1'")
        .fetch_one(&pool)
        .await
        .expect("the customer's words");
    assert_eq!(word, "jan");
    // A second start changes nothing.
    crate::migrations::run(&pool, crate::Dialect::Sqlite)
        .await
        .expect("again");
}
