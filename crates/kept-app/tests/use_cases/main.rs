//! Use cases where they live: the application on a real store — SQLite in a temp dir, and
//! PostgreSQL when the suite names a server — with an injected clock, and no HTTP in between.
//! The HTTP tests (crates/kept/tests) keep what is HTTP's: status codes, forms, cookies, CSRF,
//! pages in nl and en.

mod support;

mod access;
mod appointment_reminders;
mod appointments;
mod callbacks;
mod conversations;
mod customers;
mod deadlines;
mod inbox;
mod mailboxes;
mod outbox;
mod surveys;
mod team;
