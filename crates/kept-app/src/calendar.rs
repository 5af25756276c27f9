//! Calendar data (iCalendar, RFC 5545) built with the `icalendar` crate: the invitation a
//! customer's e-mails carry, and each staff member's feed of their appointments.

use chrono::{DateTime, Utc};
use icalendar::{Calendar, Component, Event, EventLike, EventStatus};
use kept_domain::{AppointmentStatus, Lang};
use kept_store::AppointmentView;

/// One appointment as a calendar event: the same UID for its whole life, its SEQUENCE bumped
/// on every change, times in UTC (every calendar program shows them in its own zone).
fn event(appointment: &AppointmentView, business: &str, lang: Lang, now: DateTime<Utc>) -> Event {
    let place = appointment.address.as_deref().unwrap_or(&appointment.location_address);
    let mut event = Event::new();
    event
        .uid(&format!("{}@kept", appointment.id))
        .sequence(u32::try_from(appointment.sequence).unwrap_or(0))
        .timestamp(now)
        .starts(appointment.start)
        .ends(appointment.end)
        .summary(&format!("{} · {business}", appointment.service_name(lang)))
        .location(place);
    if appointment.status == AppointmentStatus::Cancelled {
        event.status(EventStatus::Cancelled);
    } else {
        event.status(EventStatus::Confirmed);
    }
    event.done()
}

/// The invitation for the customer's calendar: `METHOD:REQUEST` (an update when its
/// SEQUENCE is higher), or `METHOD:CANCEL` once the appointment is cancelled.
pub fn invitation(appointment: &AppointmentView, business: &str, organizer: &str, now: DateTime<Utc>) -> String {
    let method = match appointment.status {
        AppointmentStatus::Cancelled => "CANCEL",
        _ => "REQUEST",
    };
    let mut event = event(appointment, business, appointment.lang, now);
    event.add_property("ORGANIZER", format!("mailto:{organizer}"));
    event.add_property("ATTENDEE", format!("mailto:{}", appointment.email));
    let mut calendar = Calendar::new();
    calendar.append_property(("METHOD", method));
    calendar.push(event);
    calendar.done().to_string()
}

/// A staff member's appointments for their own calendar program (`METHOD:PUBLISH`).
pub fn feed(appointments: &[AppointmentView], business: &str, lang: Lang, now: DateTime<Utc>) -> String {
    let mut calendar = Calendar::new();
    calendar.name(business).append_property(("METHOD", "PUBLISH"));
    for appointment in appointments {
        let mut event = event(appointment, business, lang, now);
        event.summary(&format!(
            "{} · {}",
            appointment.customer_name,
            appointment.service_name(lang)
        ));
        calendar.push(event);
    }
    calendar.done().to_string()
}
