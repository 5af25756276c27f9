//! The e-mail that asks a customer how it went (and its one reminder): what it is about —
//! "uw gesprek met Sanne op 12 maart" — and one link per score, so answering is one click.
//! The link opens a page that records the score; fetching it alone (a mail scanner) does not.

use super::Couriers;
use super::compose::{self, Author, Body, Envelope};
use super::email::{mailbox, outbox_message_id};
use super::{DeliveryError, temporary};
use askama::Template;
use kept_app::records::{OutboxItem, SurveyView};
use kept_domain::{Lang, OutboxEvent, SurveyKind, SurveyStatus};

#[derive(Template)]
#[template(path = "email_survey.txt")]
struct SurveyText<'a> {
    greeting: &'a str,
    lines: &'a [String],
    choices: &'a [(String, String)],
    closing: &'a str,
    business: &'a str,
}

/// The same e-mail as HTML, its score links as buttons.
#[derive(Template)]
#[template(path = "email_survey.html")]
struct SurveyHtml<'a> {
    mail: &'a SurveyText<'a>,
}

pub(super) async fn send(state: &Couriers, item: &OutboxItem, survey: &SurveyView) -> Result<(), DeliveryError> {
    let permanent = |why: &str| DeliveryError::Permanent(why.to_string());
    // Answered in the meantime: a reminder has nothing to ask any more.
    if item.event == OutboxEvent::SurveyReminder && survey.status == SurveyStatus::Answered {
        return Ok(());
    }
    let mailer = state
        .mailer
        .as_ref()
        .ok_or_else(|| permanent("no SMTP server is configured any more"))?;
    let settings = state.settings();
    let business = settings.business.name.as_str();
    let lang = survey.lang;
    let url = kept_app::answer_url(state, &survey.id).await.map_err(temporary)?;
    let choices: Vec<(String, String)> = match survey.kind.scores() {
        Some(scores) => scores.map(|n| (n.to_string(), format!("{url}?score={n}"))).collect(),
        None => vec![(answer_label(lang).to_string(), url)],
    };
    let tz = settings.business.time_zone();
    let mut lines = crate::i18n::survey_question(survey, tz, business);
    let intro = settings.business_settings.surveys.intro(lang).trim();
    if !intro.is_empty() {
        lines.push(intro.to_string());
    }
    let name = survey.customer_name.as_deref().or(survey.name.as_deref());
    let greeting = match (lang, name) {
        (Lang::Nl, Some(name)) => format!("Beste {name},"),
        (Lang::En, Some(name)) => format!("Dear {name},"),
        (Lang::Nl, None) => "Beste klant,".to_string(),
        (Lang::En, None) => "Dear customer,".to_string(),
    };
    let closing = match lang {
        Lang::Nl => "Hartelijk dank,",
        Lang::En => "Thank you,",
    };
    let mail = SurveyText {
        greeting: &greeting,
        lines: &lines,
        choices: &choices,
        closing,
        business,
    };
    let rendered = mail
        .render()
        .and_then(|text| Ok((text, SurveyHtml { mail: &mail }.render()?)));
    let (text, html) = rendered.map_err(|e| permanent(&format!("e-mail template: {e}")))?;
    let to = mailbox(name, &survey.email).map_err(|e| permanent(&format!("bad customer address: {e}")))?;
    let envelope = Envelope {
        to,
        subject: subject(item.event, survey.kind, lang, business),
        message_id: outbox_message_id(state, item),
        author: Author::Kept,
    };
    let message = compose::message(state, envelope, Body::Alternative { text, html })?;
    mailer.send(message).await
}

fn answer_label(lang: Lang) -> &'static str {
    match lang {
        Lang::Nl => "Vertel het ons",
        Lang::En => "Tell us",
    }
}

fn subject(event: OutboxEvent, kind: SurveyKind, lang: Lang, business: &str) -> String {
    let question = match (kind, lang) {
        (SurveyKind::Csat, Lang::Nl) => "Hoe ging het?".to_string(),
        (SurveyKind::Csat, Lang::En) => "How did it go?".to_string(),
        (SurveyKind::Nps, Lang::Nl) => format!("Zou u {business} aanraden?"),
        (SurveyKind::Nps, Lang::En) => format!("Would you recommend {business}?"),
        (SurveyKind::Exit, Lang::Nl) => "Eén vraag voordat u gaat".to_string(),
        (SurveyKind::Exit, Lang::En) => "One question before you go".to_string(),
    };
    match (event, lang) {
        (OutboxEvent::SurveyReminder, Lang::Nl) => format!("Herinnering: {question}"),
        (OutboxEvent::SurveyReminder, Lang::En) => format!("Reminder: {question}"),
        _ => question,
    }
}
