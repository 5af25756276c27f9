//! Callback requests: a customer asks to be called back, staff record how the call went.

use chrono::Duration;
use kept_domain::{CallOutcome, CallbackInput, Lang};
use kept_store::{CallbackView, NewCallback, NewOutcome, Staff};

use crate::error::AppError;
use crate::{App, Change};

const MAX_OUTCOME_NOTE_CHARS: usize = 2000;

pub struct Accepted {
    pub callback: CallbackView,
    /// "We bellen u vandaag vóór 11:30." in the customer's language.
    pub confirmation: String,
}

/// Validates and stores a callback request; returns once it is committed.
pub async fn accept_callback(app: &App, input: &CallbackInput, fallback_lang: Lang) -> Result<Accepted, AppError> {
    let business = &app.settings().business;
    let valid = input
        .validate(&business.windows, &business.default_region, fallback_lang)
        .map_err(AppError::Invalid)?;
    let now = app.clock.now();
    let window = valid.window.schedule(&business.hours, now);
    let callback = app
        .store
        .create_callback(NewCallback {
            phone: valid.phone,
            name: valid.name,
            window_code: valid.window.code.clone(),
            note: valid.note,
            lang: valid.lang,
            not_before: window.not_before,
            due_at: window.due_at,
            now,
            fanout: app.fanout(),
        })
        .await?;
    app.announce(Change::Callbacks);
    // Asked again while an earlier request is open: the promise made then (moved up if this
    // window is sooner) is the one to tell.
    let promised = kept_domain::window::CallWindow {
        not_before: callback.not_before,
        due_at: callback.due_at,
    };
    let confirmation = promised.promise_sentence(valid.lang, now, business.time_zone());
    Ok(Accepted { callback, confirmation })
}

/// Records what happened on a call; nobody answering schedules a retry promise.
pub async fn record_outcome(
    app: &App,
    staff: &Staff,
    callback_id: &str,
    outcome: CallOutcome,
    note: Option<String>,
) -> Result<CallbackView, AppError> {
    let note = note.map(|n| n.trim().to_string()).filter(|n| !n.is_empty());
    if note
        .as_ref()
        .is_some_and(|n| n.chars().count() > MAX_OUTCOME_NOTE_CHARS)
    {
        return Err(AppError::invalid(
            "note",
            "too_long",
            format!("The note may be at most {MAX_OUTCOME_NOTE_CHARS} characters."),
        ));
    }
    let now = app.clock.now();
    let settings = &app.settings();
    let retry_due = outcome.schedules_retry().then(|| {
        settings
            .business
            .hours
            .add_business_minutes(now, settings.retry_after_minutes)
            .unwrap_or(now + Duration::minutes(settings.retry_after_minutes))
    });
    let view = app
        .store
        .record_outcome(NewOutcome {
            callback_id: callback_id.to_string(),
            staff_id: staff.id.clone(),
            outcome,
            note,
            now,
            retry_due,
            fanout: app.fanout(),
        })
        .await?;
    app.announce(Change::Callbacks);
    Ok(view)
}

// Callback requests and promises as staff read them.

/// One callback request with its customer and promise.
pub async fn callback(app: &App, id: &str) -> Result<Option<CallbackView>, AppError> {
    Ok(app.store.callback(id).await?)
}

/// Callback requests, of one status when given, newest first.
pub async fn callbacks(
    app: &App,
    status: Option<kept_domain::CallbackStatus>,
    limit: i64,
) -> Result<Vec<CallbackView>, AppError> {
    Ok(app.store.list_callbacks(status, limit).await?)
}

/// Promises matching `filter`.
pub async fn promises(
    app: &App,
    filter: &kept_store::PromiseFilter,
) -> Result<Vec<kept_store::PromiseListed>, AppError> {
    Ok(app.store.list_promises(filter).await?)
}

/// What happened to one promise: reminders, escalations, handovers.
pub async fn promise_history(app: &App, promise_id: &str) -> Result<Vec<kept_store::PromiseHistoryEntry>, AppError> {
    Ok(app.store.promise_history(promise_id).await?)
}
