//! Background work: delivering the outbox and watching deadlines. Both loops are safe to run
//! on several nodes at once: the store hands each piece of work to one of them.

use chrono::Duration;
use kept_app::outbox::Pace;
use tokio::sync::broadcast::error::{RecvError, TryRecvError};
use tokio::sync::watch;

use crate::notify;
use crate::state::AppState;
use kept_app::Change;

/// How long a node may hold an outbox row before another node may try it.
const OUTBOX_LEASE: Duration = Duration::seconds(60);
const OUTBOX_BATCH: i64 = 128;
/// How long the outbox worker lets wake-ups gather before it looks. Every accepted request
/// wakes it; under load one look per wake-up was hundreds of claims a second, nearly all
/// finding nothing new (610/s at 5,300 callback requests/s on PostgreSQL), each a statement
/// for the database. A notification leaves this much later at most.
const WAKE_UPS_GATHER: std::time::Duration = std::time::Duration::from_millis(20);

pub async fn run_outbox(state: AppState, mut stop: watch::Receiver<bool>) {
    // Work queued on another node arrives through the change feed; this node's own through
    // the wake-up.
    let mut other_nodes = state.changes();
    while !*stop.borrow() {
        let delivered = deliver_due(&state).await;
        if delivered > 0 {
            continue;
        }
        let woken = tokio::select! {
            _ = state.outbox_wake.notified() => true,
            _ = other_nodes.recv() => true,
            _ = tokio::time::sleep(state.settings().worker_interval) => false,
            _ = stop.changed() => false,
        };
        if woken {
            tokio::time::sleep(WAKE_UPS_GATHER).await;
        }
        // One look at the outbox answers every change announced so far.
        while !matches!(other_nodes.try_recv(), Err(TryRecvError::Empty | TryRecvError::Closed)) {}
    }
}

/// Delivers what is due now; returns how many items were attempted.
pub async fn deliver_due(state: &AppState) -> usize {
    let pace = Pace {
        lease: OUTBOX_LEASE,
        batch: OUTBOX_BATCH,
        concurrency: notify::DELIVERY_CONCURRENCY,
    };
    kept_app::outbox::deliver_due(state, &state.couriers, pace).await
}

/// Every minute, the rate limiters forget who is no longer limited (their memory is the last
/// minute's callers).
pub async fn forget_idle_rate_keys(state: AppState, mut stop: watch::Receiver<bool>) {
    while !*stop.borrow() {
        tokio::select! {
            _ = tokio::time::sleep(std::time::Duration::from_secs(60)) => state.forget_idle_rate_keys(),
            _ = stop.changed() => {}
        }
    }
}

/// Loads the business's settings again whenever any node (this one too) saved new ones.
pub async fn follow_settings(state: AppState, mut stop: watch::Receiver<bool>) {
    let mut changes = state.changes();
    loop {
        let reload = tokio::select! {
            change = changes.recv() => match change {
                Ok(what) => what == Change::Settings.as_str(),
                // Missed some: one of them may have been a settings change.
                Err(RecvError::Lagged(_)) => true,
                Err(RecvError::Closed) => return,
            },
            _ = stop.changed() => return,
        };
        if reload && let Err(error) = kept_app::load_saved_settings(&state).await {
            tracing::warn!(%error, "cannot load the changed settings; keeping the current ones");
        }
    }
}

pub async fn run_timers(state: AppState, mut stop: watch::Receiver<bool>) {
    // The periodic NPS question looks at every recent customer: once an hour is often enough.
    let mut nps_looked: Option<std::time::Instant> = None;
    while !*stop.borrow() {
        if nps_looked.is_none_or(|at| at.elapsed() >= NPS_EVERY) {
            ask_nps(&state).await;
            nps_looked = Some(std::time::Instant::now());
        }
        check_deadlines(&state).await;
        send_appointment_reminders(&state).await;
        send_appointment_digests(&state).await;
        send_weekly_figures(&state).await;
        send_surveys(&state).await;
        open_outreach(&state).await;
        tokio::select! {
            _ = tokio::time::sleep(state.settings().worker_interval) => {}
            _ = stop.changed() => {}
        }
    }
}

/// Queues the customers' appointment reminders that are due (also those that fell due while
/// kept was down, as long as the appointment is still ahead).
pub async fn send_appointment_reminders(state: &AppState) -> usize {
    logged(
        kept_app::timers::send_appointment_reminders(state).await,
        "appointment reminders",
    )
}

/// Queues each location's "expected today" e-mail to its staff once it has opened.
pub async fn send_appointment_digests(state: &AppState) -> usize {
    logged(kept_app::timers::send_appointment_digests(state).await, "day digests")
}

/// On Monday morning, queues last week's figures to the owners (once per week).
pub async fn send_weekly_figures(state: &AppState) -> bool {
    match kept_app::send_weekly_digest(state).await {
        Ok(queued) => {
            if queued {
                state.outbox_wake.notify_one();
            }
            queued
        }
        Err(error) => {
            tracing::warn!(%error, "the weekly figures failed; will try again");
            false
        }
    }
}

/// Queues the surveys due to be sent, and the one reminder of those left unanswered.
pub async fn send_surveys(state: &AppState) -> usize {
    logged(kept_app::timers::send_surveys(state).await, "surveys")
}

/// How often the timers look for customers due the NPS question.
const NPS_EVERY: std::time::Duration = std::time::Duration::from_secs(3600);

/// Plans the periodic NPS question for customers recently in touch.
pub async fn ask_nps(state: &AppState) -> usize {
    kept_app::ask_nps(state).await.unwrap_or_else(|error| {
        tracing::warn!(%error, "the NPS question failed; will try again");
        0
    })
}

/// Opens the outreach promises of contracts that end soon.
pub async fn open_outreach(state: &AppState) -> usize {
    kept_app::open_outreach(state).await.unwrap_or_else(|error| {
        tracing::warn!(%error, "contract outreach failed; will try again");
        0
    })
}

/// How many were queued; a failure is logged: the next tick tries again.
fn logged(queued: Result<usize, kept_app::error::AppError>, what: &str) -> usize {
    queued.unwrap_or_else(|error| {
        tracing::warn!(%error, "{what} failed; will try again");
        0
    })
}

/// Reminds owners of promises that are nearly due and escalates those that are overdue.
pub async fn check_deadlines(state: &AppState) -> (usize, usize) {
    kept_app::timers::check_deadlines(state).await.unwrap_or_else(|error| {
        tracing::warn!(%error, "deadline check failed; will try again");
        (0, 0)
    })
}
