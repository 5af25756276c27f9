//! E-mail to staff: who to call, their number as a link, and by when.

use askama::Template;
use kept_app::records::{
    AppointmentView, CallbackView, ContractView, ConversationView, DigestView, FollowUpView, OutboxItem,
    PasswordLinkView, ReplyDelivery, Staff, SurveyView,
};
use kept_domain::staff::LinkPurpose;
use kept_domain::staff::{Candidate, acting_for};
use kept_domain::{Lang, OutboxEvent};
use lettre::message::Mailbox;

use super::Couriers;
use super::compose::{self, Author, Body, Envelope};
use super::{DeliveryError, Subject, temporary};

pub(super) async fn send(state: &Couriers, item: &OutboxItem, subject: &Subject) -> Result<(), DeliveryError> {
    // A week of zeros before kept was in use (the first Monday after installing): not sent.
    if let Subject::WeeklyFigures(figures) = subject
        && figures.board.is_empty()
    {
        tracing::info!(item = item.id, "the weekly figures are all zero; not sent");
        return Ok(());
    }
    let Some(mailer) = &state.mailer else {
        return Err(DeliveryError::Permanent("no SMTP server is configured any more".into()));
    };
    let recipient = match subject {
        // A password link goes to the person it is for, even while they are away.
        Subject::PasswordLink(link) => (link.staff_name.clone(), link.staff_email.clone(), link.staff_lang),
        _ => {
            let staff = recipient(state, item).await?;
            (staff.name, staff.email, staff.lang)
        }
    };
    let (name, address, lang) = recipient;
    let to =
        mailbox(Some(&name), &address).map_err(|e| DeliveryError::Permanent(format!("bad recipient address: {e}")))?;
    let content = match subject {
        Subject::Callback(callback) => Content::callback(state, item.event, callback, lang),
        Subject::Conversation(conversation) => Content::conversation(state, item.event, conversation, lang),
        Subject::FollowUp(follow_up) => Content::follow_up(state, item.event, follow_up, lang),
        Subject::Appointment(appointment) => Content::call_ahead(state, item.event, appointment, lang),
        Subject::Rebook(rebook) => Content::rebook(state, item.event, rebook, lang),
        Subject::Mailbox(mailbox) => Content::mailbox_failing(state, mailbox, lang),
        Subject::Digest(digest) => Content::digest(state, digest, lang),
        Subject::Survey(survey) => Content::recovery(state, item.event, survey, lang),
        Subject::Contract(contract) => Content::retention(state, item.event, contract, lang),
        Subject::WeeklyFigures(figures) => super::weekly_email::content(state, figures, lang)
            .map(|(subject, text, html)| Content { subject, text, html }),
        Subject::Waiting(_) => {
            return Err(DeliveryError::Permanent(
                "the waiting list e-mails customers only".into(),
            ));
        }
        Subject::PasswordLink(link) => Content::password_link(state, link)
            .ok_or_else(|| DeliveryError::Permanent("the link was used or replaced before it was sent".into()))?,
    }
    .map_err(|e| DeliveryError::Permanent(format!("e-mail template: {e}")))?;
    let envelope = Envelope {
        to,
        subject: content.subject,
        message_id: outbox_message_id(state, item),
        author: Author::Kept,
    };
    let body = Body::Alternative {
        text: content.text,
        html: content.html,
    };
    mailer.send(compose::message(state, envelope, body)?).await
}

/// A staff reply to a customer's e-mail, threaded under the messages before it.
pub(super) async fn send_reply(state: &Couriers, item: &OutboxItem, subject: &Subject) -> Result<(), DeliveryError> {
    let permanent = |why: &str| DeliveryError::Permanent(why.to_string());
    let Subject::Conversation(conversation) = subject else {
        return Err(permanent("an e-mail reply needs a conversation"));
    };
    let mailer = state
        .mailer
        .as_ref()
        .ok_or_else(|| permanent("no SMTP server is configured any more"))?;
    let address = conversation
        .handle
        .as_deref()
        .ok_or_else(|| permanent("the customer has no e-mail address"))?;
    let position = conversation
        .messages
        .iter()
        .position(|m| m.id == item.subject_id)
        .ok_or_else(|| permanent("the reply no longer exists"))?;
    let (earlier, reply) = (&conversation.messages[..position], &conversation.messages[position]);
    let message_id = reply
        .external_id
        .as_deref()
        .ok_or_else(|| permanent("the reply has no Message-ID"))?;
    let thread = thread_of(earlier);
    let answered = earlier
        .iter()
        .rev()
        .find(|m| m.direction == kept_domain::conversation::Direction::Inbound);
    // A conversation kept started has our own subject; an answer is "Re:" the customer's.
    let subject_line = match (answered, &reply.subject) {
        (None, Some(own)) => own.clone(),
        _ => reply_subject(&answered.and_then(|m| m.subject.clone()).unwrap_or_default()),
    };
    let to = mailbox(conversation.customer_name.as_deref(), address)
        .map_err(|e| permanent(&format!("bad customer address: {e}")))?;
    let envelope = Envelope {
        to,
        subject: subject_line,
        message_id: message_id.to_string(),
        author: Author::Person,
    };
    let threading = |builder: lettre::message::MessageBuilder| match thread.last() {
        Some(last) => builder.in_reply_to(last.clone()).references(thread.join(" ")),
        None => builder,
    };
    let message = compose::message_with(state, envelope, threading, Body::Plain(reply.body.clone()))?;
    mailer.send(message).await
}

/// The Message-IDs of `messages` as `References` lists them, oldest first. Ids kept made up
/// for mail without a Message-ID cannot be referred to.
pub(super) fn thread_of(messages: &[kept_app::records::MessageView]) -> Vec<String> {
    messages
        .iter()
        .filter_map(|m| m.external_id.as_deref())
        .filter(|id| id.contains('@'))
        .map(|id| format!("<{id}>"))
        .collect()
}

/// "Re: " their subject (once).
pub(super) fn reply_subject(topic: &str) -> String {
    if topic.to_ascii_lowercase().starts_with("re:") {
        topic.to_string()
    } else {
        format!("Re: {topic}").trim_end().to_string()
    }
}

/// One Message-ID per outbox item: delivery is at least once, and a resend after a crash
/// is then recognisably the same message (mail programs show it once).
pub(super) fn outbox_message_id(state: &Couriers, item: &OutboxItem) -> String {
    format!("kept-outbox-{}@{}", item.id, state.settings().mail_from.email.domain())
}

/// A recipient built from its parts, never by formatting text: lettre quotes or encodes any
/// display name ("Jansen, Jan", brackets, an `@`, accents), and line breaks in a name cannot
/// become header lines.
pub(super) fn mailbox(name: Option<&str>, address: &str) -> Result<Mailbox, lettre::address::AddressError> {
    let name = name
        .map(|n| n.split_whitespace().collect::<Vec<_>>().join(" "))
        .filter(|n| !n.is_empty());
    Ok(Mailbox::new(name, address.trim().parse()?))
}

/// The addressee, or their delegate while they are away.
async fn recipient(state: &Couriers, item: &OutboxItem) -> Result<Staff, DeliveryError> {
    let id = item
        .recipient_id
        .as_deref()
        .ok_or_else(|| DeliveryError::Permanent("no recipient".into()))?;
    let staff = kept_app::team(state).await.map_err(temporary)?;
    let candidates: Vec<Candidate> = staff.iter().map(|s| s.candidate()).collect();
    let acting =
        acting_for(&candidates, id).ok_or_else(|| DeliveryError::Permanent("the recipient no longer exists".into()))?;
    staff
        .into_iter()
        .find(|s| s.id == acting.id)
        .ok_or_else(|| DeliveryError::Permanent("recipient vanished".into()))
}

/// How much of a message a staff e-mail quotes: the rest is one click away.
const PREVIEW_CHARS: usize = 1_000;

fn preview(text: &str) -> String {
    match text.char_indices().nth(PREVIEW_CHARS) {
        Some((end, _)) => format!("{} …", &text[..end]),
        None => text.to_string(),
    }
}

/// "vandaag 14:30", "op donderdag 26 november 09:30": a moment in the business's zone as the
/// staff e-mails say it.
fn day_and_time(state: &Couriers, lang: Lang, moment: chrono::DateTime<chrono::Utc>) -> String {
    let tz = state.settings().business.time_zone();
    let local = moment.with_timezone(&tz);
    let now = state.clock.now().with_timezone(&tz);
    format!("{} {}", lang.day_phrase(local, now), local.format("%H:%M"))
}

struct Content {
    subject: String,
    text: String,
    html: String,
}

impl Content {
    fn callback(
        state: &Couriers,
        event: OutboxEvent,
        callback: &CallbackView,
        lang: Lang,
    ) -> Result<Content, askama::Error> {
        let settings = &state.settings();
        let tz = settings.business.time_zone();
        let due = callback.due_at.with_timezone(&tz);
        let day = lang.day_phrase(due, state.clock.now().with_timezone(&tz));
        let due_text = format!("{day} {}", due.format("%H:%M"));
        let who = callback.name.clone().unwrap_or_else(|| callback.phone.clone());
        let window = settings
            .business
            .windows
            .iter()
            .find(|w| w.code == callback.window)
            .map_or(callback.window.as_str(), |w| w.label(lang));
        let owner = callback.owner_name.as_deref().unwrap_or("-");
        let (subject, lead) = match (event, lang) {
            (OutboxEvent::PromiseReminder, Lang::Nl) => (
                format!("Herinnering: bel {who} terug, uiterlijk {due_text}"),
                "Deze belofte is bijna verlopen.".to_string(),
            ),
            (OutboxEvent::PromiseReminder, Lang::En) => (
                format!("Reminder: call {who} back by {due_text}"),
                "This promise is nearly due.".to_string(),
            ),
            (OutboxEvent::PromiseEscalated, Lang::Nl) => (
                format!("Te laat: {who} is niet teruggebeld"),
                format!("{owner} had uiterlijk {due_text} moeten bellen. Neem het over of wijs het toe."),
            ),
            (OutboxEvent::PromiseEscalated, Lang::En) => (
                format!("Overdue: {who} has not been called back"),
                format!("{owner} should have called by {due_text}. Take it over or reassign it."),
            ),
            (_, Lang::Nl) => (
                format!("Terugbelverzoek: {who}, uiterlijk {due_text}"),
                "Er is een nieuw terugbelverzoek voor u.".to_string(),
            ),
            (_, Lang::En) => (
                format!("Callback request: {who}, by {due_text}"),
                "There is a new callback request for you.".to_string(),
            ),
        };
        let labels = match lang {
            Lang::Nl => [
                "Naam",
                "Telefoon",
                "Voorkeur",
                "Uiterlijk bellen",
                "Opmerking",
                "Openen",
            ],
            Lang::En => ["Name", "Phone", "Preferred time", "Call by", "Note", "Open"],
        };
        let link = format!("{}/staff/callbacks/{}", settings.base_url, callback.id);
        let name = callback.name.as_deref().unwrap_or("-");
        let note = callback.note.as_deref().unwrap_or("-");
        let rows = [
            (labels[0], name),
            (labels[1], callback.phone.as_str()),
            (labels[2], window),
            (labels[3], due_text.as_str()),
            (labels[4], note),
        ];
        render(subject, &lead, &rows, labels[1], &link, labels[5])
    }
}

impl Content {
    fn conversation(
        state: &Couriers,
        event: OutboxEvent,
        conversation: &ConversationView,
        lang: Lang,
    ) -> Result<Content, askama::Error> {
        if event == OutboxEvent::MessageBounced {
            return Content::bounced(state, conversation, lang);
        }
        let settings = &state.settings();
        let tz = settings.business.time_zone();
        let now = state.clock.now().with_timezone(&tz);
        let due_text = conversation.due_at.map_or_else(
            || "-".to_string(),
            |due| {
                let due = due.with_timezone(&tz);
                format!("{} {}", lang.day_phrase(due, now), due.format("%H:%M"))
            },
        );
        let who = conversation
            .customer_name
            .clone()
            .or(conversation.handle.clone())
            .unwrap_or_else(|| "?".into());
        let channel = crate::i18n::channel_label(lang, &conversation.channel);
        let channel = channel.as_str();
        let last_message = conversation
            .messages
            .iter()
            .rev()
            .find(|m| m.direction == kept_domain::conversation::Direction::Inbound);
        // What the customer wrote now, without the history they quote; the start of a long one.
        let text = last_message.map_or_else(
            || "-".to_string(),
            |m| preview(kept_domain::quoted::split_quoted(&m.body).fresh),
        );
        let text = text.as_str();
        let owner = conversation.assignee_name.as_deref().unwrap_or("-");
        let (subject, lead) = match (event, lang) {
            (OutboxEvent::PromiseReminder, Lang::Nl) => (
                format!("Herinnering: antwoord {who} ({channel}) uiterlijk {due_text}"),
                "Deze belofte is bijna verlopen.".to_string(),
            ),
            (OutboxEvent::PromiseReminder, Lang::En) => (
                format!("Reminder: answer {who} ({channel}) by {due_text}"),
                "This promise is nearly due.".to_string(),
            ),
            (OutboxEvent::PromiseEscalated, Lang::Nl) => (
                format!("Te laat: {who} ({channel}) wacht op antwoord"),
                format!("{owner} had uiterlijk {due_text} moeten antwoorden. Neem het over of wijs het toe."),
            ),
            (OutboxEvent::PromiseEscalated, Lang::En) => (
                format!("Overdue: {who} ({channel}) is waiting for an answer"),
                format!("{owner} should have answered by {due_text}. Take it over or reassign it."),
            ),
            (_, Lang::Nl) => (
                format!("Nieuw bericht van {who} ({channel}), antwoord uiterlijk {due_text}"),
                "Er wacht een klant op antwoord.".to_string(),
            ),
            (_, Lang::En) => (
                format!("New message from {who} ({channel}), answer by {due_text}"),
                "A customer is waiting for an answer.".to_string(),
            ),
        };
        let labels = match lang {
            Lang::Nl => ["Klant", "Kanaal", "Bericht", "Uiterlijk antwoorden", "Openen"],
            Lang::En => ["Customer", "Channel", "Message", "Answer by", "Open"],
        };
        let rows = [
            (labels[0], who.as_str()),
            (labels[1], channel),
            (labels[2], text),
            (labels[3], due_text.as_str()),
        ];
        let link = format!("{}/staff/conversations/{}", settings.base_url, conversation.id);
        render(subject, &lead, &rows, "", &link, labels[4])
    }

    /// To the writer of a reply the customer's mail server returned.
    fn bounced(state: &Couriers, conversation: &ConversationView, lang: Lang) -> Result<Content, askama::Error> {
        let who = conversation
            .customer_name
            .clone()
            .or(conversation.handle.clone())
            .unwrap_or_else(|| "?".into());
        let returned = conversation.messages.iter().rev().find_map(|m| match &m.delivery {
            Some(ReplyDelivery::Bounced { reason, .. }) => Some((m.body.as_str(), reason.as_str())),
            _ => None,
        });
        let (reply, reason) = returned.unwrap_or(("-", "-"));
        let reply = preview(reply);
        let reply = reply.as_str();
        let address = conversation.handle.as_deref().unwrap_or("-");
        let (subject, lead, labels) = match lang {
            Lang::Nl => (
                format!("Niet afgeleverd: uw antwoord aan {who}"),
                "De mailserver van de klant stuurde uw antwoord terug. De klant wacht weer op antwoord: \
                 bel, of stuur het opnieuw naar een ander adres."
                    .to_string(),
                ["Klant", "Adres", "Reden", "Uw antwoord", "Openen"],
            ),
            Lang::En => (
                format!("Not delivered: your reply to {who}"),
                "The customer's mail server returned your reply. The customer is waiting for an answer \
                 again: call, or send it again to another address."
                    .to_string(),
                ["Customer", "Address", "Reason", "Your reply", "Open"],
            ),
        };
        let rows = [
            (labels[0], who.as_str()),
            (labels[1], address.trim_start_matches("email:")),
            (labels[2], reason),
            (labels[3], reply),
        ];
        let link = format!("{}/staff/conversations/{}", state.settings().base_url, conversation.id);
        render(subject, &lead, &rows, "", &link, labels[4])
    }
}

impl Content {
    fn follow_up(
        state: &Couriers,
        event: OutboxEvent,
        follow_up: &FollowUpView,
        lang: Lang,
    ) -> Result<Content, askama::Error> {
        let settings = &state.settings();
        let tz = settings.business.time_zone();
        let due = follow_up.due_at.with_timezone(&tz);
        let due_text = format!(
            "{} {}",
            lang.day_phrase(due, state.clock.now().with_timezone(&tz)),
            due.format("%H:%M")
        );
        let who = follow_up.customer_name.as_deref().unwrap_or("-");
        let owner = follow_up.owner_name.as_deref().unwrap_or("-");
        let (subject, lead) = match (event, lang) {
            (OutboxEvent::PromiseEscalated, Lang::Nl) => (
                format!("Te laat: toezegging aan {who} niet nagekomen"),
                format!("{owner} had dit uiterlijk {due_text} gedaan moeten hebben. Neem het over of wijs het toe."),
            ),
            (OutboxEvent::PromiseEscalated, Lang::En) => (
                format!("Overdue: a promise to {who} was not kept"),
                format!("{owner} should have done this by {due_text}. Take it over or reassign it."),
            ),
            (_, Lang::Nl) => (
                format!("Herinnering: toezegging aan {who}, uiterlijk {due_text}"),
                "Deze belofte is bijna verlopen.".to_string(),
            ),
            (_, Lang::En) => (
                format!("Reminder: your promise to {who}, by {due_text}"),
                "This promise is nearly due.".to_string(),
            ),
        };
        let labels = match lang {
            Lang::Nl => ["Klant", "Toegezegd", "Uiterlijk", "Openen"],
            Lang::En => ["Customer", "Promised", "By", "Open"],
        };
        let rows = [
            (labels[0], who),
            (labels[1], follow_up.text.as_str()),
            (labels[2], due_text.as_str()),
        ];
        let link = format!("{}/staff/customers/{}", settings.base_url, follow_up.customer_id);
        render(subject, &lead, &rows, "", &link, labels[3])
    }

    /// A technician's call-ahead promise: call the customer before the visit.
    fn call_ahead(
        state: &Couriers,
        event: OutboxEvent,
        appointment: &AppointmentView,
        lang: Lang,
    ) -> Result<Content, askama::Error> {
        let settings = &state.settings();
        let at = |moment| day_and_time(state, lang, moment);
        let due = appointment.call_ahead.as_ref().map_or(appointment.start, |c| c.due_at);
        let (due_text, start_text) = (at(due), at(appointment.start));
        let who = appointment.customer_name.as_str();
        let owner = appointment.staff_name.as_str();
        let (subject, lead) = match (event, lang) {
            (OutboxEvent::PromiseEscalated, Lang::Nl) => (
                format!("Te laat: {who} is niet vooraf gebeld"),
                format!("{owner} had {who} uiterlijk {due_text} moeten bellen voor het bezoek van {start_text}."),
            ),
            (OutboxEvent::PromiseEscalated, Lang::En) => (
                format!("Overdue: {who} was not called ahead"),
                format!("{owner} should have called {who} by {due_text} before the visit at {start_text}."),
            ),
            (_, Lang::Nl) => (
                format!("Bel {who} vóór {due_text}: u komt langs"),
                "Laat de klant weten dat u onderweg bent: druk op 'Onderweg' op de afspraak.".to_string(),
            ),
            (_, Lang::En) => (
                format!("Call {who} by {due_text}: you are visiting"),
                "Let the customer know you are on your way: press 'On my way' on the appointment.".to_string(),
            ),
        };
        let labels = match lang {
            Lang::Nl => ["Klant", "Telefoon", "Adres", "Openen"],
            Lang::En => ["Customer", "Phone", "Address", "Open"],
        };
        let phone = appointment.phone.as_deref().unwrap_or("-");
        let address = appointment.address.as_deref().unwrap_or(&appointment.location_address);
        let rows = [(labels[0], who), (labels[1], phone), (labels[2], address)];
        let link = format!("{}/staff/appointments/{}", settings.base_url, appointment.id);
        render(subject, &lead, &rows, labels[1], &link, labels[3])
    }

    /// A customer declined their appointment's calendar invitation: get in touch. Also the
    /// reminder and escalation of that promise.
    fn rebook(
        state: &Couriers,
        event: OutboxEvent,
        rebook: &super::Rebook,
        lang: Lang,
    ) -> Result<Content, askama::Error> {
        let settings = &state.settings();
        let at = |moment| day_and_time(state, lang, moment);
        let appointment = &rebook.appointment;
        let (due_text, start_text) = (at(rebook.promise.due_at), at(appointment.start));
        let who = appointment.customer_name.as_str();
        let service = appointment.service_name(lang);
        let (subject, lead) = match (event, lang) {
            (OutboxEvent::PromiseEscalated, Lang::Nl) => (
                format!("Te laat: {who} zegde de afspraak af en is niet gebeld"),
                format!("{} had {who} uiterlijk {due_text} moeten bellen.", appointment.staff_name),
            ),
            (OutboxEvent::PromiseEscalated, Lang::En) => (
                format!("Overdue: {who} declined the appointment and was not called"),
                format!("{} should have called {who} by {due_text}.", appointment.staff_name),
            ),
            (_, Lang::Nl) => (
                format!("{who} weigerde de uitnodiging voor {service} {start_text}: bel uiterlijk {due_text}"),
                "De klant weigerde de agenda-uitnodiging. Bel om de afspraak te bevestigen, te verzetten of af te zeggen."
                    .to_string(),
            ),
            (_, Lang::En) => (
                format!("{who} declined the invitation for {service} {start_text}: call by {due_text}"),
                "The customer declined the calendar invitation. Call to confirm, move or cancel the appointment."
                    .to_string(),
            ),
        };
        let labels = match lang {
            Lang::Nl => ["Klant", "Telefoon", "Afspraak", "Opmerking", "Openen"],
            Lang::En => ["Customer", "Phone", "Appointment", "Comment", "Open"],
        };
        let phone = appointment.phone.as_deref().unwrap_or("-");
        let what = format!("{service}, {start_text}");
        let comment = rebook.answer.as_ref().and_then(|a| a.comment.as_deref()).unwrap_or("-");
        let rows = [
            (labels[0], who),
            (labels[1], phone),
            (labels[2], what.as_str()),
            (labels[3], comment),
        ];
        let link = format!("{}/staff/appointments/{}", settings.base_url, appointment.id);
        render(subject, &lead, &rows, labels[1], &link, labels[4])
    }

    /// Fetching customer e-mail has failed for half an hour: the owners must look.
    fn mailbox_failing(
        state: &Couriers,
        mailbox: &kept_app::records::MailboxState,
        lang: Lang,
    ) -> Result<Content, askama::Error> {
        let since = mailbox
            .failing_since
            .map_or_else(|| "-".into(), |at| day_and_time(state, lang, at));
        let last = mailbox
            .fetched_at
            .map_or_else(|| "-".into(), |at| day_and_time(state, lang, at));
        let error = mailbox.error.as_deref().unwrap_or("-");
        let waiting = mailbox.waiting.to_string();
        let (subject, lead, labels) = match lang {
            Lang::Nl => (
                "kept kan de mailbox niet lezen".to_string(),
                "Sinds een half uur lukt het kept niet om e-mail van klanten op te halen. Nieuwe e-mails blijven \
                 in de mailbox staan en worden opgehaald zodra het weer lukt; kijk naar de fout en de instellingen."
                    .to_string(),
                [
                    "Mailbox",
                    "Fout",
                    "Mislukt sinds",
                    "Laatst gelukt",
                    "Wachtend",
                    "Instellingen",
                ],
            ),
            Lang::En => (
                "kept cannot read the mailbox".to_string(),
                "For half an hour kept has not been able to fetch customer e-mail. New mail stays in the mailbox \
                 and is fetched as soon as it works again; check the error and the settings."
                    .to_string(),
                [
                    "Mailbox",
                    "Error",
                    "Failing since",
                    "Last fetched",
                    "Waiting",
                    "Settings",
                ],
            ),
        };
        let rows = [
            (labels[0], mailbox.key.as_str()),
            (labels[1], error),
            (labels[2], since.as_str()),
            (labels[3], last.as_str()),
            (labels[4], waiting.as_str()),
        ];
        let link = format!("{}/staff/settings#mailbox", state.settings().base_url);
        render(subject, &lead, &rows, "", &link, labels[5])
    }

    /// A low score or a customer who left: call them. Also the reminder and escalation of
    /// that call.
    fn recovery(
        state: &Couriers,
        event: OutboxEvent,
        survey: &SurveyView,
        lang: Lang,
    ) -> Result<Content, askama::Error> {
        let settings = &state.settings();
        let tz = settings.business.time_zone();
        let now = state.clock.now().with_timezone(&tz);
        let who = survey.customer_name.as_deref().unwrap_or(&survey.email);
        let i = crate::i18n::inbox_texts(lang);
        let answer = i.survey_answer(survey.kind, survey.score);
        let owner = survey.handler_name.as_deref().unwrap_or("-");
        let (subject, lead) = match (event, lang) {
            (OutboxEvent::PromiseEscalated, Lang::Nl) => (
                format!("Te laat: {who} is niet teruggebeld na een lage score"),
                format!("{owner} had {who} moeten bellen. Neem het over of wijs het toe."),
            ),
            (OutboxEvent::PromiseEscalated, Lang::En) => (
                format!("Overdue: {who} was not called after a low score"),
                format!("{owner} should have called {who}. Take it over or reassign it."),
            ),
            (_, Lang::Nl) => (
                format!("Bel {who} ({answer})"),
                "Deze klant is niet tevreden. Bel binnen een werkdag en los het op; een gesprek of antwoord aan de klant houdt deze belofte.".to_string(),
            ),
            (_, Lang::En) => (
                format!("Call {who} ({answer})"),
                "This customer is not happy. Call within one business day and put it right; a call or reply to the customer keeps this promise.".to_string(),
            ),
        };
        let labels = match lang {
            Lang::Nl => [
                "Klant",
                "Antwoord",
                "Reden",
                "Opmerking",
                "Gevraagd",
                "Openen",
                "(geen)",
            ],
            Lang::En => ["Customer", "Answer", "Reason", "Comment", "Asked", "Open", "(none)"],
        };
        let asked = survey.sent_at.map_or_else(String::new, |at| {
            let at = at.with_timezone(&tz);
            format!("{} {}", lang.day_phrase(at, now), at.format("%H:%M"))
        });
        let rows = [
            (labels[0], who),
            (labels[1], answer.as_str()),
            (labels[2], survey.reason.as_deref().unwrap_or(labels[6])),
            (labels[3], survey.comment.as_deref().unwrap_or(labels[6])),
            (labels[4], asked.as_str()),
        ];
        let link = format!("{}/staff/customers/{}", settings.base_url, survey.customer_id);
        render(subject, &lead, &rows, "", &link, labels[5])
    }

    /// A contract about to end: call the customer before they decide. The reminder and the
    /// escalation of that outreach.
    fn retention(
        state: &Couriers,
        event: OutboxEvent,
        contract: &ContractView,
        lang: Lang,
    ) -> Result<Content, askama::Error> {
        let settings = &state.settings();
        let who = contract.customer_name.as_deref().unwrap_or("-");
        let end = lang.long_date(contract.end_date);
        let (subject, lead) = match (event, lang) {
            (OutboxEvent::PromiseEscalated, Lang::Nl) => (
                format!("Te laat: {who} is niet gebeld over het contract"),
                format!(
                    "Het contract ({}) loopt af op {end}. Neem het over of wijs het toe.",
                    contract.product
                ),
            ),
            (OutboxEvent::PromiseEscalated, Lang::En) => (
                format!("Overdue: {who} was not called about their contract"),
                format!(
                    "The contract ({}) ends on {end}. Take it over or reassign it.",
                    contract.product
                ),
            ),
            (_, Lang::Nl) => (
                format!("Bel {who}: contract loopt af op {end}"),
                "Praat met de klant voordat die besluit te vertrekken, en leg vast hoe het ging.".to_string(),
            ),
            (_, Lang::En) => (
                format!("Call {who}: contract ends on {end}"),
                "Talk to the customer before they decide to leave, and record how it went.".to_string(),
            ),
        };
        let labels = match lang {
            Lang::Nl => ["Klant", "Product", "Loopt af", "Openen"],
            Lang::En => ["Customer", "Product", "Ends", "Open"],
        };
        let rows = [
            (labels[0], who),
            (labels[1], contract.product.as_str()),
            (labels[2], end.as_str()),
        ];
        let link = format!("{}/staff/contracts/{}", settings.base_url, contract.id);
        render(subject, &lead, &rows, "", &link, labels[3])
    }

    /// A location's day: who is expected when, for whom, first visit or returning.
    fn digest(state: &Couriers, digest: &DigestView, lang: Lang) -> Result<Content, askama::Error> {
        let b = crate::i18n::booking_texts(lang);
        let location = digest.location.name.as_str();
        let subject = b
            .digest_subject
            .replace("{day}", &lang.long_date(digest.day))
            .replace("{location}", location);
        let lead = match digest.appointments.len() {
            1 => b.digest_one.to_string(),
            count => b.digest_many.replace("{count}", &count.to_string()),
        }
        .replace("{location}", location);
        let rows: Vec<(String, String)> = digest
            .appointments
            .iter()
            .map(|a| {
                let mut what = vec![
                    a.customer_name.clone(),
                    a.service_name(lang).to_string(),
                    b.visit(lang, a.last_visit_day()),
                    a.staff_name.clone(),
                ];
                what.extend(a.note.clone());
                (a.time_text(), what.join(" — "))
            })
            .collect();
        let rows: Vec<(&str, &str)> = rows.iter().map(|(t, w)| (t.as_str(), w.as_str())).collect();
        let link = format!(
            "{}/staff/today?date={}&location={}&lang={}",
            state.settings().base_url,
            digest.day,
            digest.location.id,
            lang.code()
        );
        render(subject, &lead, &rows, "", &link, b.today)
    }

    /// An invitation to the team or a password reset, with the one-time link; `None` when the
    /// link was used or replaced before this e-mail went out.
    fn password_link(state: &Couriers, link: &PasswordLinkView) -> Option<Result<Content, askama::Error>> {
        let token = link.token.as_deref()?;
        let settings = state.settings();
        let business = settings.business.name.as_str();
        let url = format!("{}/password/{token}", settings.base_url);
        let tz = settings.business.time_zone();
        let until = link.expires_at.with_timezone(&tz);
        let until = format!(
            "{} {}",
            link.staff_lang.day_phrase(until, state.clock.now().with_timezone(&tz)),
            until.format("%H:%M")
        );
        let inviter = link.created_by_name.as_deref().unwrap_or(business);
        // Asked for on the login page (no owner sent it): say so, and that ignoring it is safe.
        let asked_themselves = link.created_by_name.is_none() && link.purpose == LinkPurpose::Reset;
        let (subject, lead, labels) = match (link.purpose, link.staff_lang) {
            (LinkPurpose::Reset, Lang::Nl) if asked_themselves => (
                format!("Nieuw wachtwoord voor kept ({business})"),
                "Op het inlogscherm is een nieuw wachtwoord voor uw account aangevraagd. Kies het via de knop hieronder; de link werkt één keer. Heeft u dit niet zelf gedaan? Dan hoeft u niets te doen: uw wachtwoord blijft zoals het is.".to_string(),
                ["E-mailadres", "Link werkt tot", "Nieuw wachtwoord kiezen"],
            ),
            (LinkPurpose::Reset, Lang::En) if asked_themselves => (
                format!("A new password for kept ({business})"),
                "Someone asked for a new password for your account on the login page. Choose it with the button below; the link works once. Did you not ask for it? Then there is nothing to do: your password stays as it is.".to_string(),
                ["E-mail address", "Link works until", "Choose a new password"],
            ),
            (LinkPurpose::Invite, Lang::Nl) => (
                format!("Welkom bij {business} in kept"),
                format!(
                    "{inviter} heeft u toegevoegd aan het team van {business} in kept. Kies uw wachtwoord via de knop hieronder; daarna logt u in met uw e-mailadres."
                ),
                ["E-mailadres", "Link werkt tot", "Wachtwoord kiezen"],
            ),
            (LinkPurpose::Invite, Lang::En) => (
                format!("Welcome to {business} on kept"),
                format!(
                    "{inviter} added you to the {business} team on kept. Choose your password with the button below; then log in with your e-mail address."
                ),
                ["E-mail address", "Link works until", "Choose a password"],
            ),
            (LinkPurpose::Reset, Lang::Nl) => (
                format!("Nieuw wachtwoord voor kept ({business})"),
                format!(
                    "{inviter} heeft een nieuw wachtwoord voor u aangevraagd. Kies het via de knop hieronder. Tot dan werkt uw oude wachtwoord nog."
                ),
                ["E-mailadres", "Link werkt tot", "Nieuw wachtwoord kiezen"],
            ),
            (LinkPurpose::Reset, Lang::En) => (
                format!("A new password for kept ({business})"),
                format!(
                    "{inviter} asked for a new password for you. Choose it with the button below. Until then your old password still works."
                ),
                ["E-mail address", "Link works until", "Choose a new password"],
            ),
        };
        let rows = [(labels[0], link.staff_email.as_str()), (labels[1], until.as_str())];
        Some(render(subject, &lead, &rows, "", &url, labels[2]))
    }
}

/// The plain-text and HTML parts of a notice with these rows.
fn render(
    subject: String,
    lead: &str,
    rows: &[(&str, &str)],
    phone_label: &str,
    link: &str,
    open_label: &str,
) -> Result<Content, askama::Error> {
    let text = format!(
        "{lead}\n\n{}\n\n{open_label}: {link}\n",
        rows.iter()
            .map(|(label, value)| format!("{label}: {value}"))
            .collect::<Vec<_>>()
            .join("\n")
    );
    let html = EmailNotice {
        lead,
        rows,
        phone_label,
        link,
        open_label,
    }
    .render()?;
    Ok(Content { subject, text, html })
}

#[derive(Template)]
#[template(path = "email_notice.html")]
struct EmailNotice<'a> {
    lead: &'a str,
    rows: &'a [(&'a str, &'a str)],
    phone_label: &'a str,
    link: &'a str,
    open_label: &'a str,
}
