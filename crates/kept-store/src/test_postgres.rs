//! For unit tests that need PostgreSQL: the server named by `KEPT_TEST_POSTGRES_URL`, as every
//! crate's tests find it (kept-testdb).

/// The server the tests may use, if any (`KEPT_TEST_REQUIRE_POSTGRES` makes it a must).
pub(crate) fn postgres_url() -> Option<String> {
    sqlx::any::install_default_drivers();
    kept_testdb::postgres_url()
}

/// A new, empty database on that server, for tests whose several sessions share tables; its URL.
pub(crate) async fn fresh_database(admin_url: &str) -> String {
    kept_testdb::fresh_postgres(admin_url).await
}
