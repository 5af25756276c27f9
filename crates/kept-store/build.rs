// `sqlx::migrate!` embeds the migration files at compile time; without this, cargo does not
// notice a new file in the folder and a build keeps the old set (sqlx's documented remedy).
fn main() {
    println!("cargo:rerun-if-changed=migrations");
    println!("cargo:rerun-if-changed=migrations-history");
}
