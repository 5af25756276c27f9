//! The databases kept's tests run against, set up in one place for every crate: always SQLite
//! (a file in a temp dir), and PostgreSQL when `KEPT_TEST_POSTGRES_URL` names a server — a new,
//! empty database on it per use. `scripts/test` starts a throw-away server and sets
//! `KEPT_TEST_REQUIRE_POSTGRES`, so there a missing server fails instead of quietly testing
//! one backend.

use sqlx::Connection as _;

/// One database a test runs against.
pub struct TestDatabase {
    /// What to open it with (`sqlite://…` or `postgres://…`).
    pub url: String,
    /// "sqlite" or "postgres", for assertion messages.
    pub name: &'static str,
    /// Keeps the SQLite file's directory for as long as the database is used.
    _dir: Option<tempfile::TempDir>,
}

impl TestDatabase {
    /// A new SQLite file in a temp dir of its own.
    pub fn sqlite() -> Self {
        let dir = tempfile::tempdir().expect("a temp dir");
        let url = format!("sqlite://{}/kept.db", dir.path().display());
        TestDatabase {
            url,
            name: "sqlite",
            _dir: Some(dir),
        }
    }

    /// A new, empty database on the PostgreSQL server `admin_url` names.
    pub async fn postgres(admin_url: &str) -> Self {
        TestDatabase {
            url: fresh_postgres(admin_url).await,
            name: "postgres",
            _dir: None,
        }
    }
}

/// Every database a test runs against: SQLite, and PostgreSQL when the suite names a server.
pub async fn databases() -> Vec<TestDatabase> {
    let mut databases = vec![TestDatabase::sqlite()];
    if let Some(admin_url) = postgres_url() {
        databases.push(TestDatabase::postgres(&admin_url).await);
    }
    databases
}

/// PostgreSQL alone, for what only it does (several nodes, NOTIFY); `None` without a server.
pub async fn postgres_only() -> Option<TestDatabase> {
    match postgres_url() {
        Some(admin_url) => Some(TestDatabase::postgres(&admin_url).await),
        None => None,
    }
}

/// The server the tests may use, if any (`KEPT_TEST_REQUIRE_POSTGRES` makes it a must).
pub fn postgres_url() -> Option<String> {
    let url = std::env::var("KEPT_TEST_POSTGRES_URL").ok();
    assert!(
        url.is_some() || std::env::var("KEPT_TEST_REQUIRE_POSTGRES").is_err(),
        "KEPT_TEST_REQUIRE_POSTGRES is set but KEPT_TEST_POSTGRES_URL is not"
    );
    if url.is_none() {
        eprintln!("note: KEPT_TEST_POSTGRES_URL is not set; this test checks nothing on PostgreSQL");
    }
    url
}

/// A new, empty database on the server `admin_url` names: its URL.
pub async fn fresh_postgres(admin_url: &str) -> String {
    let name = format!("kept_test_{}", uuid::Uuid::now_v7().simple());
    let mut admin = sqlx::PgConnection::connect(admin_url)
        .await
        .expect("connect to the test PostgreSQL");
    sqlx::query(&format!("CREATE DATABASE {name}"))
        .execute(&mut admin)
        .await
        .expect("a new test database");
    // postgres://user@host:port/database?options: the same server and options, another database.
    let (address, options) = admin_url
        .split_once('?')
        .map_or((admin_url, None), |(a, o)| (a, Some(o)));
    let server = address.rsplit_once('/').map_or(address, |(server, _)| server);
    match options {
        Some(options) => format!("{server}/{name}?{options}"),
        None => format!("{server}/{name}"),
    }
}
