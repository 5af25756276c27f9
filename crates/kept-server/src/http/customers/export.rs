//! A customer's data as they may ask for it (AVG/GDPR access), for a person: one ZIP with a
//! readable summary in the page's language, everything as JSON with ISO 8601 times, and every
//! e-mail as an `.eml` file any mail program opens. (The API's export stays the raw JSON.)

use std::io::Write;

use axum::http::header;
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use kept_app::records::{CustomerExport, CustomerView, TimelineEntry};
use lettre::message::header::ContentType;
use lettre::message::{Mailbox, Message};
use serde_json::{Map, Value};
use zip::write::SimpleFileOptions;

use crate::http::customers::customer_view::display_name;
use crate::http::customers::customer_view::timeline_row;
use crate::http::errors::HttpError;
use crate::http::pages::LocalTime;
use crate::i18n::customer_export::{ExportTexts, export_texts};
use crate::i18n::{contact_label, inbox_texts, record_count};
use kept_app::error::AppError;

/// What goes into the archive besides the register's rows.
pub struct ExportParts<'a> {
    pub export: &'a CustomerExport,
    pub customer: &'a CustomerView,
    pub timeline: &'a [TimelineEntry],
    pub clock: &'a LocalTime,
    pub business: Mailbox,
}

/// The archive as a download named after the customer.
pub fn download(parts: &ExportParts<'_>) -> Result<Response, HttpError> {
    let bytes = archive(parts).map_err(|e| AppError::Internal(format!("building the export: {e}")))?;
    let name: String = display_name(parts.customer)
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_lowercase()
            } else {
                '-'
            }
        })
        .collect();
    let disposition = format!("attachment; filename=\"kept-{}.zip\"", name.trim_matches('-'));
    Ok((
        [
            (header::CONTENT_TYPE, "application/zip".to_string()),
            (header::CONTENT_DISPOSITION, disposition),
        ],
        bytes,
    )
        .into_response())
}

fn archive(parts: &ExportParts<'_>) -> Result<Vec<u8>, Box<dyn std::error::Error>> {
    let x = export_texts(parts.clock.lang);
    let zone = parts.clock.settings.business.time_zone();
    let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let options = SimpleFileOptions::default().compression_method(zip::CompressionMethod::Deflated);
    zip.start_file(x.summary_file, options)?;
    zip.write_all(summary(parts, x).as_bytes())?;
    zip.start_file(x.data_file, options)?;
    let data = serde_json::json!({
        "customer": iso_times(&parts.export.customer, zone),
        "exported_at": parts.export.exported_at.with_timezone(&zone).to_rfc3339(),
        "records": iso_times(&parts.export.records, zone),
    });
    zip.write_all(serde_json::to_string_pretty(&data)?.as_bytes())?;
    for (n, (name, mail)) in mails(parts).into_iter().enumerate() {
        zip.start_file(format!("{}/{:03}-{name}.eml", x.mails_folder, n + 1), options)?;
        zip.write_all(&mail)?;
    }
    Ok(zip.finish()?.into_inner())
}

/// The summary a person reads first.
fn summary(parts: &ExportParts<'_>, x: &ExportTexts) -> String {
    let (clock, lang) = (parts.clock, parts.clock.lang);
    let region = &clock.settings.business.default_region;
    let mut out = format!(
        "{} {}\n{} {}\n{} {}\n\n{}\n\n{}\n",
        x.title,
        display_name(parts.customer),
        x.exported_at,
        iso_local(parts.export.exported_at, clock),
        x.business,
        clock.settings.business.name,
        x.files,
        x.contacts,
    );
    let contacts = parts.customer.phone.iter().chain(parts.customer.handles.iter());
    for contact in contacts {
        out.push_str(&format!("- {}\n", contact_label(lang, region, contact)));
    }
    out.push_str(&format!("\n{}\n", x.held));
    let held: Vec<String> = parts
        .export
        .records
        .as_object()
        .into_iter()
        .flatten()
        .filter_map(|(table, rows)| record_count(lang, table, rows.as_array().map_or(0, |r| r.len() as i64)))
        .collect();
    match held.is_empty() {
        true => out.push_str(&format!("- {}\n", x.nothing)),
        false => held.iter().for_each(|h| out.push_str(&format!("- {h}\n"))),
    }
    out.push_str(&format!("\n{}\n", x.timeline));
    let i = inbox_texts(lang);
    // An archive is read later: days by their date, never "vandaag" or "morgen".
    let later = LocalTime {
        settings: clock.settings.clone(),
        lang,
        now: DateTime::UNIX_EPOCH,
    };
    // The promises' own bookkeeping (reply due, kept) is ours; what we promised in words is
    // listed below.
    for entry in parts
        .timeline
        .iter()
        .filter(|e| e.kind != kept_domain::EntryKind::Promise)
    {
        let row = timeline_row(&later, i, entry);
        let who = row.who.map(|w| format!(" · {w}")).unwrap_or_default();
        let text = row.text.replace('\n', "\n    ");
        out.push_str(&format!(
            "\n{} · {} · {}{who}\n    {text}\n",
            iso_local(entry.at, clock),
            row.kind,
            row.channel
        ));
    }
    let promised = promised(parts, &later);
    if !promised.is_empty() {
        out.push_str(&format!("\n{}\n", x.promised));
        promised.iter().for_each(|p| out.push_str(&format!("- {p}\n")));
    }
    out
}

/// What we promised the customer in words, with by when and how it stands.
fn promised(parts: &ExportParts<'_>, clock: &LocalTime) -> Vec<String> {
    let records = &parts.export.records;
    let rows = |table: &str| {
        records
            .get(table)
            .and_then(Value::as_array)
            .cloned()
            .unwrap_or_default()
    };
    let promises = rows("promises");
    let i = inbox_texts(clock.lang);
    rows("follow_ups")
        .iter()
        .filter_map(|f| {
            let body = f.get("body")?.as_str()?;
            let promise = promises.iter().find(|p| p.get("id") == f.get("promise_id"))?;
            let due = DateTime::from_timestamp_millis(promise.get("due_ms")?.as_i64()?)?;
            let status = promise
                .get("status")
                .and_then(Value::as_str)
                .and_then(kept_domain::PromiseStatus::parse);
            Some(format!("{body} — {} ({})", clock.moment(due), i.promise_status(status)))
        })
        .collect()
}

/// "2026-11-24 10:00" in the business's time zone.
fn iso_local(at: DateTime<Utc>, clock: &LocalTime) -> String {
    at.with_timezone(&clock.settings.business.time_zone())
        .format("%Y-%m-%d %H:%M")
        .to_string()
}

/// The rows with every `…_ms` number (milliseconds since 1970, how kept stores a moment) as an
/// ISO 8601 time named `…_at`.
fn iso_times(value: &Value, zone: Tz) -> Value {
    match value {
        Value::Object(fields) => {
            let mut out = Map::new();
            for (key, field) in fields {
                match key.strip_suffix("_ms") {
                    Some(stem) if field.is_i64() || field.is_null() => {
                        let at = field
                            .as_i64()
                            .and_then(DateTime::from_timestamp_millis)
                            .map(|t| t.with_timezone(&zone).to_rfc3339());
                        out.insert(format!("{stem}_at"), at.map_or(Value::Null, Value::from));
                    }
                    _ => {
                        out.insert(key.clone(), iso_times(field, zone));
                    }
                }
            }
            Value::Object(out)
        }
        Value::Array(items) => Value::Array(items.iter().map(|v| iso_times(v, zone)).collect()),
        other => other.clone(),
    }
}

/// Every e-mail with the customer, as the message it was: (a name for the file, its bytes).
fn mails(parts: &ExportParts<'_>) -> Vec<(String, Vec<u8>)> {
    let Some(address) = parts
        .customer
        .handles
        .iter()
        .find_map(|h| h.strip_prefix("email:"))
        .and_then(|a| a.parse().ok())
    else {
        return Vec::new();
    };
    let customer = Mailbox::new(parts.customer.name.clone(), address);
    let messages = parts.export.records.get("messages").and_then(Value::as_array);
    messages
        .into_iter()
        .flatten()
        .filter(|m| m.get("channel").and_then(Value::as_str) == Some("email"))
        .filter_map(|m| eml(m, &customer, &parts.business))
        .collect()
}

fn eml(message: &Value, customer: &Mailbox, business: &Mailbox) -> Option<(String, Vec<u8>)> {
    let text = |key: &str| message.get(key).and_then(Value::as_str);
    let inbound = text("direction") == Some("inbound");
    let (from, to) = if inbound {
        (customer, business)
    } else {
        (business, customer)
    };
    let sent = DateTime::from_timestamp_millis(message.get("sent_ms")?.as_i64()?)?;
    let mut builder = Message::builder()
        .from(from.clone())
        .to(to.clone())
        .subject(text("subject").unwrap_or_default())
        .date(sent.into());
    if let Some(id) = text("external_id").filter(|id| id.contains('@')) {
        builder = builder.message_id(Some(format!("<{id}>")));
    }
    let mail = builder
        .header(ContentType::TEXT_PLAIN)
        .body(text("body").unwrap_or_default().to_string())
        .ok()?;
    let name = format!("{}-{}", sent.format("%Y-%m-%d"), if inbound { "in" } else { "out" });
    Some((name, mail.formatted()))
}
