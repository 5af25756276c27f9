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
        _ => {
            return Err(permanent(
                "a customer e-mail is about an appointment or the waiting list",
            ));
        }
    };
    let settings = state.settings();
    let business = settings.business.name.as_str();
    let (greeting, closing, link_label) = match lang {
        Lang::Nl => (
            format!("Beste {name},"),
            "Met vriendelijke groet,",
            "Afspraak bekijken, verzetten of afzeggen:",
        ),
        Lang::En => (
            format!("Dear {name},"),
            "Kind regards,",
            "See, move or cancel your appointment:",
        ),
    };
    let link_label = match subject {
        Subject::Waiting(_) => match lang {
            Lang::Nl => "Boek het hier (wie het eerst boekt, heeft het):",
            Lang::En => "Book it here (first come, first served):",
        },
        _ => link_label,
    };
    let text = MailText {
        greeting,
        lines: mail.lines.into_iter().filter(|line| !line.is_empty()).collect(),
        link_label,
        link: mail.link,
        closing,
        business,
    }
    .render()
    .map_err(|e| permanent(&format!("e-mail template: {e}")))?;
    let to = mailbox(Some(name), address).map_err(|e| permanent(&format!("bad customer address: {e}")))?;
    let envelope = Envelope {
        to,
        subject: mail.subject,
        message_id: outbox_message_id(state, item),
        author: Author::Kept,
    };
    let body = match (subject, mail.invitation) {
        (Subject::Appointment(appointment), true) => Body::WithCalendar {
            text,
            ics: kept_app::calendar::invitation(
                appointment,
                business,
                settings.mail_from.email.as_ref(),
                state.clock.now(),
            ),
            method: if appointment.status == AppointmentStatus::Cancelled {
                "CANCEL"
            } else {
                "REQUEST"
            },
            file_name: "afspraak.ics".into(),
        },
        _ => Body::Plain(text),
    };
    let message = compose::message(state, envelope, body)?;
    mailer.send(message).await
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
    let lang = a.lang;
    let start = local(a.start, &a.time_zone);
    let end = local(a.end, &a.time_zone);
    let date = lang.long_date(start.date_naive());
    let (from, until) = (start.format("%H:%M").to_string(), end.format("%H:%M").to_string());
    let service = a.service_name(lang);
    let when = match (a.field_visit, lang) {
        (false, Lang::Nl) => format!("{date} om {from}"),
        (false, Lang::En) => format!("{date} at {from}"),
        (true, Lang::Nl) => format!("{date} tussen {from} en {until}"),
        (true, Lang::En) => format!("{date} between {from} and {until}"),
    };
    let place = match (&a.address, lang) {
        (Some(address), Lang::Nl) => format!("bij u thuis: {address}"),
        (Some(address), Lang::En) => format!("at your address: {address}"),
        (None, Lang::Nl) => format!("bij {} ({})", a.location_name, a.location_address),
        (None, Lang::En) => format!("at {} ({})", a.location_name, a.location_address),
    };
    let still_on = a.status != AppointmentStatus::Cancelled;
    let manage = || async { kept_app::manage_url(state, &a.id).await.map_err(temporary) };
    let mail = match (event, lang) {
        (OutboxEvent::AppointmentBooked | OutboxEvent::AppointmentRescheduled, _) if !still_on => return Ok(None),
        (OutboxEvent::AppointmentReminder, _) if !still_on || a.start <= state.clock.now() => return Ok(None),
        (OutboxEvent::AppointmentBooked, Lang::Nl) => Mail {
            subject: format!("Bevestiging: {service} {when}"),
            lines: vec![
                format!("Uw afspraak staat: {service} {when}, {place}."),
                call_ahead_line(a, lang),
            ],
            link: Some(manage().await?),
            invitation: true,
        },
        (OutboxEvent::AppointmentBooked, Lang::En) => Mail {
            subject: format!("Confirmed: {service} {when}"),
            lines: vec![
                format!("Your appointment is booked: {service} {when}, {place}."),
                call_ahead_line(a, lang),
            ],
            link: Some(manage().await?),
            invitation: true,
        },
        (OutboxEvent::AppointmentRescheduled, Lang::Nl) => Mail {
            subject: format!("Gewijzigd: {service} {when}"),
            lines: vec![
                format!("Uw afspraak is verzet naar {when}, {place}."),
                call_ahead_line(a, lang),
            ],
            link: Some(manage().await?),
            invitation: true,
        },
        (OutboxEvent::AppointmentRescheduled, Lang::En) => Mail {
            subject: format!("Moved: {service} {when}"),
            lines: vec![
                format!("Your appointment has moved to {when}, {place}."),
                call_ahead_line(a, lang),
            ],
            link: Some(manage().await?),
            invitation: true,
        },
        (OutboxEvent::AppointmentCancelled, Lang::Nl) => Mail {
            subject: format!("Geannuleerd: {service} {when}"),
            lines: vec![format!("Uw afspraak voor {service} {when} is geannuleerd.")],
            link: None,
            invitation: true,
        },
        (OutboxEvent::AppointmentCancelled, Lang::En) => Mail {
            subject: format!("Cancelled: {service} {when}"),
            lines: vec![format!("Your appointment for {service} {when} has been cancelled.")],
            link: None,
            invitation: true,
        },
        (OutboxEvent::AppointmentReminder, Lang::Nl) => Mail {
            subject: format!("Herinnering: {service} {when}"),
            lines: vec![format!("We zien u graag: {service} {when}, {place}.")],
            link: Some(manage().await?),
            invitation: false,
        },
        (OutboxEvent::AppointmentReminder, Lang::En) => Mail {
            subject: format!("Reminder: {service} {when}"),
            lines: vec![format!("We look forward to seeing you: {service} {when}, {place}.")],
            link: Some(manage().await?),
            invitation: false,
        },
        (OutboxEvent::AppointmentOnMyWay, _) => {
            let eta = a
                .eta
                .map(|eta| local(eta, &a.time_zone).format("%H:%M").to_string())
                .unwrap_or_default();
            let who = first_name(&a.staff_name);
            let line = match lang {
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
        _ => {
            return Err(DeliveryError::Permanent(format!(
                "{} is not e-mailed to customers",
                event.as_str()
            )));
        }
    };
    Ok(Some(mail))
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
