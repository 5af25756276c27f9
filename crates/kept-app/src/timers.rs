//! What the timers do each time they look: queue what fell due — promise reminders and
//! escalations, appointment reminders, the locations' day digests, surveys. Each is safe on
//! several nodes at once (the store claims every item once) and returns how many it queued;
//! the worker decides how often to look and logs what failed.

use crate::error::AppError;
use crate::{App, Change};

/// Reminds owners of promises that are nearly due and escalates those that are overdue:
/// (reminded, escalated).
pub async fn check_deadlines(app: &App) -> Result<(usize, usize), AppError> {
    let now = app.clock.now();
    let fanout = app.fanout();
    // Both run whatever the other did: a failing reminder must not hold up an escalation.
    let reminded = app.store.remind_due(now, app.settings().reminder_lead, fanout).await;
    let escalated = app.store.escalate_overdue(now, fanout).await;
    let counts = (reminded?, escalated?);
    if counts != (0, 0) {
        app.announce(Change::Promises);
    }
    Ok(counts)
}

/// Queues the customers' appointment reminders that are due (also those that fell due while
/// kept was down, as long as the appointment is still ahead).
pub async fn send_appointment_reminders(app: &App) -> Result<usize, AppError> {
    Ok(queued(
        app,
        app.store.send_due_reminders(app.clock.now(), app.fanout()).await?,
    ))
}

/// Queues each location's "expected today" e-mail to its staff once it has opened.
pub async fn send_appointment_digests(app: &App) -> Result<usize, AppError> {
    Ok(queued(
        app,
        app.store.send_due_digests(app.clock.now(), app.fanout()).await?,
    ))
}

/// Queues the surveys due to be sent, and the one reminder of those left unanswered.
pub async fn send_surveys(app: &App) -> Result<usize, AppError> {
    let remind_after = app.settings().business_settings.surveys.reminder_after();
    let count = app
        .store
        .send_due_surveys(app.clock.now(), remind_after, app.fanout())
        .await?;
    Ok(queued(app, count))
}

/// Wakes this node's outbox when something was queued; how many.
fn queued(app: &App, count: usize) -> usize {
    if count > 0 {
        app.outbox_wake.notify_one();
    }
    count
}

/// Frees claims on staff time that no appointment holds (left by a crash between two writes
/// on a database without transactions across them): how many.
pub async fn repair_claims(app: &App) -> Result<u64, AppError> {
    Ok(app.store.repair_claims().await?)
}
