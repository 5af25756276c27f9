//! For unit tests that need PostgreSQL: the server named by `KEPT_TEST_POSTGRES_URL`.

use sqlx::{AnyConnection, Connection as _};

use crate::statements::Statements as _;

/// The server the tests may use, if any (`KEPT_TEST_REQUIRE_POSTGRES` makes it a must).
pub(crate) fn postgres_url() -> Option<String> {
    let url = std::env::var("KEPT_TEST_POSTGRES_URL").ok();
    assert!(
        url.is_some() || std::env::var("KEPT_TEST_REQUIRE_POSTGRES").is_err(),
        "KEPT_TEST_REQUIRE_POSTGRES is set but KEPT_TEST_POSTGRES_URL is not"
    );
    if url.is_none() {
        eprintln!("note: KEPT_TEST_POSTGRES_URL is not set; this test checks nothing on PostgreSQL");
    }
    sqlx::any::install_default_drivers();
    url
}

/// A new, empty database on that server, for tests whose several sessions share tables; its URL.
pub(crate) async fn fresh_database(admin_url: &str) -> String {
    let name = format!("kept_unit_{}", kept_domain::new_id().replace('-', ""));
    let mut admin = AnyConnection::connect(admin_url).await.expect("PostgreSQL");
    admin
        .execute(&format!("CREATE DATABASE {name}"), &[])
        .await
        .expect("a new database");
    let server = admin_url.rsplit_once('/').map_or(admin_url, |(server, _)| server);
    format!("{server}/{name}")
}
