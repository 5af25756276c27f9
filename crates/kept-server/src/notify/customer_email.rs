//! E-mail to customers about their appointment — confirmation, change, cancellation,
//! reminder, "on my way" — and to someone on the waiting list when a time frees up (surveys
//! have their own, in survey_email.rs). Written
//! at delivery time from the appointment as it is then, in the customer's language.

use super::Couriers;
use super::compose::{self, Author, Body, Envelope};
use super::email::{mailbox, outbox_message_id};
use super::{DeliveryError, Subject, temporary};
use crate::dto::first_name;
use askama::Template;
use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use kept_app::records::{AppointmentView, OutboxItem, WaitingView};
use kept_domain::{AppointmentStatus, Lang, OutboxEvent};

#[derive(Template)]
#[template(path = "email_appointment.txt")]
struct MailText<'a> {
    greeting: String,
    lines: Vec<String>,
    link_label: &'a str,
    link: Option<String>,
    closing: &'a str,
    business: &'a str,
}

/// What one e-mail says, and whether it carries the calendar invitation.
struct Mail {
    subject: String,
    lines: Vec<String>,
    link: Option<String>,
    invitation: bool,
}

pub(super) async fn send(state: &Couriers, item: &OutboxItem, subject: &Subject) -> Result<(), DeliveryError> {
    let permanent = |why: &str| DeliveryError::Permanent(why.to_string());
    let mailer = state
        .mailer
        .as_ref()
        .ok_or_else(|| permanent("no SMTP server is configured any more"))?;
    let (name, address, lang, mail) = match subject {
        Subject::Appointment(appointment) => {
            let Some(mail) = appointment_mail(state, item.event, appointment).await? else {
                // Cancelled before its confirmation or reminder went out: nothing to say.
                return Ok(());
            };
            (&appointment.customer_name, &appointment.email, appointment.lang, mail)
        }
        Subject::Waiting(waiting) => (
            &waiting.name,
            &waiting.email,
            waiting.lang,
            waiting_mail(state, waiting).await?,
        ),
        Subject::Survey(survey) => return super::survey_email::send(state, item, survey).await,
        Subject::Conversation(conversation) if item.event == OutboxEvent::MessageAcknowledged => {
            return super::acknowledgement_email::send(state, item, conversation).await;
        }
        _ => {
            return Err(permanent(
                "a customer e-mail is about an appointment or the waiting list",
            ));
        }
    };
    let settings = state.settings();
    let business = settings.business.name.as_str();
    let waiting = matches!(subject, Subject::Waiting(_));
    let text = mail_text(business, name, lang, waiting, mail.lines, mail.link)?;
    let to = mailbox(Some(name), address).map_err(|e| permanent(&format!("bad customer address: {e}")))?;
    let envelope = Envelope {
        to,
        subject: mail.subject,
        message_id: outbox_message_id(state, item),
        author: Author::Kept,
    };
    let body = match (subject, mail.invitation) {
        (Subject::Appointment(appointment), true) => with_invitation(state, appointment, text),
        _ => Body::Plain(text),
    };
    let message = compose::message(state, envelope, body)?;
    mailer.send(message).await
}

/// The e-mail's text: the customer greeted by name, what happened, the link with what it is
/// for (booking a freed time, or seeing, moving and cancelling the appointment), the closing.
fn mail_text(
    business: &str,
    name: &str,
    lang: Lang,
    waiting: bool,
    lines: Vec<String>,
    link: Option<String>,
) -> Result<String, DeliveryError> {
    let (greeting, closing) = match lang {
        Lang::Nl => (format!("Beste {name},"), "Met vriendelijke groet,"),
        Lang::En => (format!("Dear {name},"), "Kind regards,"),
    };
    let link_label = match (waiting, lang) {
        (true, Lang::Nl) => "Boek het hier (wie het eerst boekt, heeft het):",
        (true, Lang::En) => "Book it here (first come, first served):",
        (false, Lang::Nl) => "Afspraak bekijken, verzetten of afzeggen:",
        (false, Lang::En) => "See, move or cancel your appointment:",
    };
    MailText {
        greeting,
        lines: lines.into_iter().filter(|line| !line.is_empty()).collect(),
        link_label,
        link,
        closing,
        business,
    }
    .render()
    .map_err(|e| DeliveryError::Permanent(format!("e-mail template: {e}")))
}

/// The text with the appointment as a calendar invitation (a cancellation cancels it).
fn with_invitation(state: &Couriers, appointment: &AppointmentView, text: String) -> Body {
    let settings = state.settings();
    Body::WithCalendar {
        text,
        ics: kept_app::calendar::invitation(
            appointment,
            &settings.business.name,
            settings.mail_from.email.as_ref(),
            state.clock.now(),
        ),
        method: if appointment.status == AppointmentStatus::Cancelled {
            "CANCEL"
        } else {
            "REQUEST"
        },
        file_name: "afspraak.ics".into(),
    }
}

fn local(at: DateTime<Utc>, zone: &str) -> DateTime<Tz> {
    at.with_timezone(&zone.parse::<Tz>().unwrap_or(chrono_tz::Europe::Amsterdam))
}

/// The e-mail for `event`, or `None` when there is nothing to say any more.
async fn appointment_mail(
    state: &Couriers,
    event: OutboxEvent,
    a: &AppointmentView,
) -> Result<Option<Mail>, DeliveryError> {
    let still_on = a.status != AppointmentStatus::Cancelled;
    match event {
        OutboxEvent::AppointmentBooked | OutboxEvent::AppointmentRescheduled if !still_on => return Ok(None),
        OutboxEvent::AppointmentReminder if !still_on || a.start <= state.clock.now() => return Ok(None),
        OutboxEvent::AppointmentOnMyWay => return Ok(Some(on_my_way_mail(a))),
        _ => {}
    }
    let Some((mut mail, with_link)) = appointment_notice(event, a) else {
        return Err(DeliveryError::Permanent(format!(
            "{} is not e-mailed to customers",
            event.as_str()
        )));
    };
    if with_link {
        mail.link = Some(kept_app::manage_url(state, &a.id).await.map_err(temporary)?);
    }
    Ok(Some(mail))
}

/// What the appointment's e-mail says for `event` in the customer's language, and whether it
/// carries the link to move or cancel it; `None` for events customers are not e-mailed about.
fn appointment_notice(event: OutboxEvent, a: &AppointmentView) -> Option<(Mail, bool)> {
    let lang = a.lang;
    let (service, when, place) = (a.service_name(lang), appointment_when(a), appointment_place(a));
    let (subject, first, invitation, with_link) = match (event, lang) {
        (OutboxEvent::AppointmentBooked, Lang::Nl) => (
            format!("Bevestiging: {service} {when}"),
            format!("Uw afspraak staat: {service} {when}, {place}."),
            true,
            true,
        ),
        (OutboxEvent::AppointmentBooked, Lang::En) => (
            format!("Confirmed: {service} {when}"),
            format!("Your appointment is booked: {service} {when}, {place}."),
            true,
            true,
        ),
        (OutboxEvent::AppointmentRescheduled, Lang::Nl) => (
            format!("Gewijzigd: {service} {when}"),
            format!("Uw afspraak is verzet naar {when}, {place}."),
            true,
            true,
        ),
        (OutboxEvent::AppointmentRescheduled, Lang::En) => (
            format!("Moved: {service} {when}"),
            format!("Your appointment has moved to {when}, {place}."),
            true,
            true,
        ),
        (OutboxEvent::AppointmentCancelled, Lang::Nl) => (
            format!("Geannuleerd: {service} {when}"),
            format!("Uw afspraak voor {service} {when} is geannuleerd."),
            true,
            false,
        ),
        (OutboxEvent::AppointmentCancelled, Lang::En) => (
            format!("Cancelled: {service} {when}"),
            format!("Your appointment for {service} {when} has been cancelled."),
            true,
            false,
        ),
        (OutboxEvent::AppointmentReminder, Lang::Nl) => (
            format!("Herinnering: {service} {when}"),
            format!("We zien u graag: {service} {when}, {place}."),
            false,
            true,
        ),
        (OutboxEvent::AppointmentReminder, Lang::En) => (
            format!("Reminder: {service} {when}"),
            format!("We look forward to seeing you: {service} {when}, {place}."),
            false,
            true,
        ),
        _ => return None,
    };
    let mut lines = vec![first];
    // A confirmation or a move says again whether the technician calls before coming.
    if matches!(
        event,
        OutboxEvent::AppointmentBooked | OutboxEvent::AppointmentRescheduled
    ) {
        lines.push(call_ahead_line(a, lang));
    }
    let mail = Mail {
        subject,
        lines,
        link: None,
        invitation,
    };
    Some((mail, with_link))
}

/// "dinsdag 9 december om 10:00", or for a visit at home the window it falls in.
fn appointment_when(a: &AppointmentView) -> String {
    let (start, end) = (local(a.start, &a.time_zone), local(a.end, &a.time_zone));
    let date = a.lang.long_date(start.date_naive());
    let (from, until) = (start.format("%H:%M").to_string(), end.format("%H:%M").to_string());
    match (a.field_visit, a.lang) {
        (false, Lang::Nl) => format!("{date} om {from}"),
        (false, Lang::En) => format!("{date} at {from}"),
        (true, Lang::Nl) => format!("{date} tussen {from} en {until}"),
        (true, Lang::En) => format!("{date} between {from} and {until}"),
    }
}

/// Where: the customer's address for a visit at home, else the location.
fn appointment_place(a: &AppointmentView) -> String {
    match (&a.address, a.lang) {
        (Some(address), Lang::Nl) => format!("bij u thuis: {address}"),
        (Some(address), Lang::En) => format!("at your address: {address}"),
        (None, Lang::Nl) => format!("bij {} ({})", a.location_name, a.location_address),
        (None, Lang::En) => format!("at {} ({})", a.location_name, a.location_address),
    }
}

/// "Uw monteur Sanne is onderweg en is rond 10:20 bij u."
fn on_my_way_mail(a: &AppointmentView) -> Mail {
    let eta = a
        .eta
        .map(|eta| local(eta, &a.time_zone).format("%H:%M").to_string())
        .unwrap_or_default();
    let who = first_name(&a.staff_name);
    let line = match a.lang {
        Lang::Nl => format!("Uw monteur {who} is onderweg en is rond {eta} bij u."),
        Lang::En => format!("Your technician {who} is on the way and will be with you around {eta}."),
    };
    Mail {
        subject: line.clone(),
        lines: vec![line],
        link: None,
        invitation: false,
    }
}

/// For a field visit: that the technician calls before coming.
fn call_ahead_line(a: &AppointmentView, lang: Lang) -> String {
    match (a.field_visit, lang) {
        (false, _) => String::new(),
        (true, Lang::Nl) => "De monteur belt u voordat hij komt.".into(),
        (true, Lang::En) => "The technician will call you before coming.".into(),
    }
}

async fn waiting_mail(state: &Couriers, waiting: &WaitingView) -> Result<Mail, DeliveryError> {
    let service = kept_app::service(state, &waiting.service_id)
        .await
        .map_err(temporary)?
        .ok_or_else(|| DeliveryError::Permanent("the service no longer exists".into()))?;
    let name = service.name(waiting.lang).to_string();
    let link = format!(
        "{}/book?location={}&service={}&lang={}",
        state.settings().base_url,
        waiting.location_id,
        waiting.service_id,
        waiting.lang.code()
    );
    Ok(match waiting.lang {
        Lang::Nl => Mail {
            subject: format!("Er is een tijd vrijgekomen voor {name}"),
            lines: vec![format!(
                "U vroeg ons te laten weten wanneer er een tijd vrijkomt voor {name}. Dat is nu zo."
            )],
            link: Some(link),
            invitation: false,
        },
        Lang::En => Mail {
            subject: format!("A time has freed up for {name}"),
            lines: vec![format!(
                "You asked us to tell you when a time frees up for {name}. One just did."
            )],
            link: Some(link),
            invitation: false,
        },
    })
}
