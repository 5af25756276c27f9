//! kept's integration tests, one binary: every test file links all of kept, and linking it
//! once instead of once per file saves minutes and gigabytes on a two-core CI machine.

mod support;

mod api_document;
mod appointment_notices;
mod appointments;
mod architecture;
mod callbacks;
mod commitments;
mod contracts;
mod conversations;
mod customer_export;
mod customers;
mod deliveries;
mod first_day;
mod hardening;
mod imap;
mod insights;
mod mail_clients;
mod mail_search;
mod mta;
mod processes;
mod settings;
mod spine;
mod staff_web;
mod status_page;
mod surveys;
mod team;
mod tone;
mod way_back_in;
mod write_first;
