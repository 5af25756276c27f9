//! Asking customers how it went: planning a survey after a contact (under the owner's
//! switches and the frequency cap), the signed answer link, recording an answer, and the
//! recovery call a low answer asks for.

use kept_domain::staff::{Candidate, acting_for};
use kept_domain::survey::{LINK_DAYS, recovery_due};
use kept_domain::{Lang, Role, SurveyKind, SurveyStatus, SurveyTrigger};
use kept_store::{NewRecovery, NewSurvey, SurveyAnswer, SurveyView};

use crate::error::AppError;
use crate::{App, links};

/// Up to this many characters of comment are kept.
pub const MAX_COMMENT_CHARS: usize = 2000;

/// A contact kept may ask about.
#[derive(Debug, Clone)]
pub struct Contact {
    pub trigger: SurveyTrigger,
    pub customer_id: String,
    /// The callback request, conversation, appointment or contract.
    pub about_id: String,
    /// Who handled it.
    pub handler_id: Option<String>,
    /// Where to ask; the customer's first e-mail address on record when `None`.
    pub email: Option<String>,
    pub name: Option<String>,
    pub lang: Lang,
}

/// What a trigger asks: how it went, whether they would recommend us, or why they left.
fn kind_for(trigger: SurveyTrigger) -> SurveyKind {
    match trigger {
        SurveyTrigger::Callback | SurveyTrigger::Conversation | SurveyTrigger::Appointment => SurveyKind::Csat,
        SurveyTrigger::Schedule => SurveyKind::Nps,
        SurveyTrigger::ContractLeft => SurveyKind::Exit,
    }
}

/// Plans a survey after `contact` when the owner switched that trigger on, the customer has
/// an e-mail address and was not asked anything within the cap. The survey's id, if planned.
pub async fn after_contact(app: &App, contact: Contact) -> Result<Option<String>, AppError> {
    let settings = app.settings();
    let surveys = &settings.business_settings.surveys;
    let wanted = match contact.trigger {
        SurveyTrigger::Callback => surveys.csat_after_callback,
        SurveyTrigger::Conversation => surveys.csat_after_conversation,
        SurveyTrigger::Appointment => surveys.csat_after_appointment,
        SurveyTrigger::Schedule => surveys.nps_every_days > 0,
        SurveyTrigger::ContractLeft => true,
    };
    if !wanted {
        return Ok(None);
    }
    let email = match contact.email {
        Some(email) => Some(email),
        None => app.store.customer(&contact.customer_id).await?.and_then(|customer| {
            let address = customer.handles.iter().find_map(|h| h.strip_prefix("email:"));
            address.map(str::to_string)
        }),
    };
    let Some(email) = email else {
        return Ok(None);
    };
    let now = app.clock.now();
    let kind = kind_for(contact.trigger);
    // Someone who just left is asked at once, while it is fresh; the rest after the delay.
    let send_at = match kind {
        SurveyKind::Exit => now,
        _ => now + surveys.delay(),
    };
    // Credit follows the work: the survey names who last answered or reached the customer,
    // not whoever the contact is assigned to now.
    let worked = app.store.handled_by(contact.trigger, &contact.about_id).await?;
    let survey = NewSurvey {
        customer_id: contact.customer_id,
        kind,
        trigger: contact.trigger,
        about_id: Some(contact.about_id),
        handler_id: worked.or(contact.handler_id),
        email,
        name: contact.name,
        lang: contact.lang,
        send_at,
        cap: surveys.cap(),
        now,
    };
    Ok(app.store.plan_survey(survey).await?)
}

/// Customers asked the periodic NPS question per call at most (the rest on the next run).
const NPS_BATCH: i64 = 50;

/// Plans the periodic "would you recommend us?" for customers recently in touch who were not
/// asked within the owner's period (switched off when it is 0). How many were planned.
pub async fn ask_nps(app: &App) -> Result<usize, AppError> {
    let settings = app.settings();
    let surveys = &settings.business_settings.surveys;
    if surveys.nps_every_days <= 0 {
        return Ok(0);
    }
    let every = chrono::Duration::days(surveys.nps_every_days);
    let due = app
        .store
        .nps_due(app.clock.now(), every, surveys.cap(), NPS_BATCH)
        .await?;
    let mut planned = 0;
    for customer_id in due {
        let contact = Contact {
            trigger: SurveyTrigger::Schedule,
            about_id: customer_id.clone(),
            customer_id,
            handler_id: None,
            email: None,
            name: None,
            lang: Lang::default(),
        };
        planned += usize::from(after_contact(app, contact).await?.is_some());
    }
    Ok(planned)
}

/// The customer's link to answer; `?score=N` is added per score in the e-mail.
pub async fn answer_url(app: &App, id: &str) -> Result<String, AppError> {
    let signature = links::sign(app, links::SURVEY, id).await?;
    Ok(format!("{}/survey/{id}/{signature}", app.settings().base_url))
}

/// The survey a link is for, if the link is genuine and not expired; `Gone` after 30 days.
pub async fn answerable(app: &App, id: &str, signature: &str) -> Result<SurveyView, AppError> {
    links::verify(app, links::SURVEY, id, signature).await?;
    let survey = app.store.survey(id).await?.ok_or(AppError::NotFound)?;
    let sent_at = match (survey.status, survey.sent_at) {
        (SurveyStatus::Planned, _) | (_, None) => return Err(AppError::NotFound),
        (_, Some(sent_at)) => sent_at,
    };
    if app.clock.now() > sent_at + chrono::Duration::days(LINK_DAYS) {
        return Err(AppError::Gone("this survey link has expired".into()));
    }
    Ok(survey)
}

/// An answer as the page posts it.
#[derive(Debug, Clone, Default, serde::Deserialize)]
pub struct AnswerForm {
    pub score: Option<String>,
    pub reason: Option<String>,
    pub comment: Option<String>,
}

/// Records (or changes) an answer through a signed link. A score outside the survey's scale
/// or a reason not on the list is refused, naming the field.
pub async fn answer(app: &App, id: &str, signature: &str, form: &AnswerForm) -> Result<SurveyView, AppError> {
    let survey = answerable(app, id, signature).await?;
    let score = valid_score(survey.kind, form.score.as_deref())?;
    let reason = valid_reason(app, survey.kind, form.reason.as_deref())?;
    let comment = form
        .comment
        .as_deref()
        .map(str::trim)
        .filter(|c| !c.is_empty())
        .map(|c| c.chars().take(MAX_COMMENT_CHARS).collect::<String>());
    if score.is_none() && reason.is_none() && comment.is_none() {
        return Err(AppError::invalid("score", "required", "choose a score"));
    }
    let now = app.clock.now();
    let low = survey.kind.needs_recovery(score.or(survey.score));
    // A recovery call that is not open any more (withdrawn when the customer raised the score)
    // makes room for a new one when the score goes low again.
    let open = survey.recovery_status == Some(kept_domain::PromiseStatus::Open);
    let recovery = match low && !open {
        true => Some(NewRecovery {
            owner_id: recovery_owner(app, survey.handler_id.as_deref()).await?,
            due_at: recovery_due(&app.settings().business.hours, now),
        }),
        false => None,
    };
    let answer = SurveyAnswer {
        score,
        reason,
        comment,
        recovery,
        now,
        fanout: app.fanout(),
    };
    let answered = app.store.answer_survey(id, answer).await?;
    app.outbox_wake.notify_one();
    if (&answered.recovery_id, answered.recovery_status) != (&survey.recovery_id, survey.recovery_status) {
        app.announce(crate::Change::Promises);
    }
    Ok(answered)
}

fn valid_score(kind: SurveyKind, score: Option<&str>) -> Result<Option<i64>, AppError> {
    let Some(text) = score.map(str::trim).filter(|s| !s.is_empty()) else {
        return Ok(None);
    };
    let range = kind.scores();
    match (text.parse::<i64>(), range) {
        (Ok(score), Some(range)) if range.contains(&score) => Ok(Some(score)),
        (_, Some(range)) => Err(AppError::invalid(
            "score",
            "out_of_range",
            format!("choose a score from {} to {}", range.start(), range.end()),
        )),
        (_, None) => Err(AppError::invalid("score", "not_asked", "this survey has no score")),
    }
}

/// An exit reason is one of the owner's, in either language; it is kept as the Dutch text
/// so that counting them does not depend on the customer's language.
fn valid_reason(app: &App, kind: SurveyKind, reason: Option<&str>) -> Result<Option<String>, AppError> {
    let Some(text) = reason.map(str::trim).filter(|s| !s.is_empty()) else {
        return Ok(None);
    };
    let settings = app.settings();
    let known = settings
        .business_settings
        .surveys
        .exit_reasons
        .iter()
        .find(|r| r.nl == text || r.en == text);
    match (kind, known) {
        (SurveyKind::Exit, Some(reason)) => Ok(Some(reason.nl.clone())),
        _ => Err(AppError::invalid(
            "reason",
            "unknown_reason",
            "choose one of the reasons",
        )),
    }
}

/// Who makes a recovery call: whoever handled the contact (their stand-in while they are
/// away), else an owner.
async fn recovery_owner(app: &App, handler_id: Option<&str>) -> Result<Option<String>, AppError> {
    let staff = app.store.list_staff().await?;
    let candidates: Vec<Candidate> = staff.iter().filter(|s| s.active).map(|s| s.candidate()).collect();
    let handler = handler_id.and_then(|id| acting_for(&candidates, id));
    let owner = || candidates.iter().find(|c| c.role == Role::Owner && !c.away);
    Ok(handler.or_else(owner).map(|c| c.id.clone()))
}

/// Fans have been customers this long at least.
pub const FAN_TENURE_DAYS: i64 = 365;
const MAX_THANKS_NOTE_CHARS: usize = 500;

/// Customers whose latest answer was the top score and who have been with us a year or more.
pub async fn fans(app: &App) -> Result<Vec<kept_store::FanView>, AppError> {
    let tenure = chrono::Duration::days(FAN_TENURE_DAYS);
    Ok(app.store.fans(app.clock.now(), tenure, 200).await?)
}

/// Records that `staff` thanked a fan, with a note of how.
pub async fn thank_fan(
    app: &App,
    staff: &kept_store::Staff,
    customer_id: &str,
    note: Option<&str>,
) -> Result<(), AppError> {
    let note = note
        .map(str::trim)
        .filter(|n| !n.is_empty())
        .map(|n| n.chars().take(MAX_THANKS_NOTE_CHARS).collect::<String>());
    app.store
        .thank_fan(customer_id, &staff.id, note.as_deref(), app.clock.now())
        .await?;
    app.announce(crate::Change::Customers);
    Ok(())
}

/// The call promised after a low answer, as the customer's thank-you page tells it: the first
/// name of who will call (when someone is named) and by when. `None` when no call is open.
pub async fn promised_call(
    app: &App,
    survey: &SurveyView,
) -> Result<Option<(Option<String>, chrono::DateTime<chrono::Utc>)>, AppError> {
    let Some(id) = survey.recovery_id.as_deref() else {
        return Ok(None);
    };
    let Some(promise) = app.store.promise(id).await? else {
        return Ok(None);
    };
    if promise.status != kept_domain::PromiseStatus::Open {
        return Ok(None);
    }
    let owner = match promise.owner_id.as_deref() {
        Some(owner) => app.store.staff_by_id(owner).await?,
        None => None,
    };
    let first_name = owner.and_then(|s| s.name.split_whitespace().next().map(str::to_string));
    Ok(Some((first_name, promise.due_at)))
}

// Surveys as staff read them.

/// Surveys matching `filter`.
pub async fn surveys(app: &App, filter: &kept_store::SurveyFilter) -> Result<Vec<SurveyView>, AppError> {
    Ok(app.store.surveys(filter).await?)
}
