//! Contracts and subscriptions: importing a file (owner; every row checked first, a bad one
//! named by its line, nothing half taken), saving one, the outreach that appears weeks before
//! the end, and recording how that call went.

use chrono::Duration;
use kept_domain::contract::{ContractFields, UNDECIDED_AGAIN_DAYS, outreach_at, read_csv};
use kept_domain::staff::OwnerOnly;
use kept_domain::{ContractOutcome, Role};
use kept_store::{ContractChange, ContractView, ImportCounts, NewContract, Staff};

use super::{App, Change, authorize};
use crate::error::AppError;

/// Up to this many characters of an outcome's note are kept.
const MAX_NOTE_CHARS: usize = 2000;

fn with_outreach(app: &App, input: kept_domain::contract::ContractInput) -> NewContract {
    let settings = app.settings();
    let days = settings.business_settings.surveys.outreach_days_before;
    let at = outreach_at(&settings.business.hours, input.end_date, days, app.clock.now());
    NewContract { input, outreach_at: at }
}

/// Imports a CSV file of contracts (owner): all of it, or nothing when a row does not hold.
pub async fn import_contracts(app: &App, staff: &Staff, file: &[u8]) -> Result<ImportCounts, AppError> {
    authorize(staff, OwnerOnly::ManageContracts)?;
    let text = std::str::from_utf8(file).map_err(|_| AppError::InvalidRow {
        line: 1,
        message: "the file is not UTF-8 text (save it as CSV UTF-8)".into(),
    })?;
    let region = app.settings().business.default_region.clone();
    let rows = read_csv(text, &region).map_err(|e| AppError::InvalidRow {
        line: e.line,
        message: e.message,
    })?;
    let contracts: Vec<NewContract> = rows.into_iter().map(|input| with_outreach(app, input)).collect();
    let counts = app.store.import_contracts(&contracts, app.clock.now()).await?;
    app.announce(Change::Customers);
    Ok(counts)
}

/// Creates or updates one contract by its external id (owner). Whether it was new.
pub async fn save_contract(
    app: &App,
    staff: &Staff,
    fields: &ContractFields,
) -> Result<(ContractView, bool), AppError> {
    authorize(staff, OwnerOnly::ManageContracts)?;
    let region = app.settings().business.default_region.clone();
    let input = fields
        .check(&region)
        .map_err(|message| AppError::invalid("body", "invalid_contract", message))?;
    let external_id = input.external_id.clone();
    let counts = app
        .store
        .import_contracts(&[with_outreach(app, input)], app.clock.now())
        .await?;
    let saved = app
        .store
        .contract_by_external_id(&external_id)
        .await?
        .ok_or(AppError::NotFound)?;
    Ok((saved, counts.created == 1))
}

/// Opens the outreach promises that are due (the timers call this): owned by the staff
/// member the owner chose, else an owner; due five business days later.
pub async fn open_outreach(app: &App) -> Result<usize, AppError> {
    let now = app.clock.now();
    let settings = app.settings();
    let chosen = settings.business_settings.surveys.outreach_owner.as_str();
    let staff = app.store.list_staff().await?;
    let active = || staff.iter().filter(|s| s.active && !s.invited());
    let owner = active()
        .find(|s| s.id == chosen)
        .or_else(|| active().find(|s| s.role == Role::Owner))
        .map(|s| s.id.clone());
    let due = settings.business.hours.add_business_days(now, 5);
    let opened = app.store.open_due_outreach(now, due, owner.as_deref()).await?;
    if opened > 0 {
        app.announce(Change::Promises);
    }
    Ok(opened)
}

/// Records how an outreach call went: renewed, left (the customer is asked why) or
/// undecided (a new outreach in 14 days).
pub async fn record_contract_outcome(
    app: &App,
    staff: &Staff,
    id: &str,
    outcome: &str,
    note: Option<&str>,
) -> Result<ContractView, AppError> {
    let outcome = ContractOutcome::parse(outcome).ok_or_else(|| {
        AppError::invalid(
            "outcome",
            "unknown_outcome",
            "outcome must be renewed, left or undecided",
        )
    })?;
    let now = app.clock.now();
    let change = ContractChange {
        outcome,
        note: note
            .map(str::trim)
            .filter(|n| !n.is_empty())
            .map(|n| n.chars().take(MAX_NOTE_CHARS).collect()),
        staff_id: staff.id.clone(),
        now,
        again_at: (outcome == ContractOutcome::Undecided).then(|| now + Duration::days(UNDECIDED_AGAIN_DAYS)),
    };
    let changed = app.store.record_contract_outcome(id, change).await?;
    app.announce(Change::Promises);
    Ok(changed)
}
