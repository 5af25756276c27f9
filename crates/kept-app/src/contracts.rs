//! Contracts and subscriptions: importing a file (owner; every row checked first, a bad one
//! named by its line, nothing half taken), saving one, the outreach that appears weeks before
//! the end, and recording how that call went.

use chrono::Duration;
use kept_domain::contract::{ContractFields, ContractInput, RowError, UNDECIDED_AGAIN_DAYS, outreach_at, read_csv};
use kept_domain::staff::OwnerOnly;
use kept_domain::{ContractOutcome, Role};
use kept_store::{
    ContractChange, ContractView, CustomerView, ImportAction, ImportCounts, NewContract, PromiseFilter, PromiseListed,
    Staff, SurveyFilter, SurveyView,
};

use crate::error::AppError;
use crate::{App, Change, authorize};

/// Up to this many characters of an outcome's note are kept.
const MAX_NOTE_CHARS: usize = 2000;

fn with_outreach(app: &App, input: kept_domain::contract::ContractInput) -> NewContract {
    let settings = app.settings();
    let days = settings.business_settings.surveys.outreach_days_before;
    let at = outreach_at(&settings.business.hours, input.end_date, days, app.clock.now());
    NewContract { input, outreach_at: at }
}

/// Imports a CSV file of contracts (owner; the API): all of it, or nothing when a row does
/// not hold.
pub async fn import_contracts(app: &App, staff: &Staff, file: &[u8]) -> Result<ImportCounts, AppError> {
    authorize(staff, OwnerOnly::ManageContracts)?;
    let region = app.settings().business.default_region.clone();
    let rows = read_csv(file, &region).map_err(AppError::InvalidRow)?;
    let rows: Vec<ContractInput> = rows
        .into_iter()
        .map(|(_, row)| row)
        .collect::<Result<_, _>>()
        .map_err(AppError::InvalidRow)?;
    let contracts: Vec<NewContract> = rows.into_iter().map(|input| with_outreach(app, input)).collect();
    let counts = app.store.import_contracts(&contracts, app.clock.now()).await?;
    app.announce(Change::Customers);
    Ok(counts)
}

/// One row of a file as the import would take it: what it does, or why it is skipped.
#[derive(Debug, Clone)]
pub struct PlannedRow {
    pub line: u64,
    pub contract: Option<ContractInput>,
    pub outcome: Result<ImportAction, RowError>,
}

/// What importing a file would do (owner; the page shows it before anything is taken):
/// every good row with what it does, every bad row with why it is skipped.
pub async fn preview_contracts(app: &App, staff: &Staff, file: &[u8]) -> Result<Vec<PlannedRow>, AppError> {
    authorize(staff, OwnerOnly::ManageContracts)?;
    let (good, mut planned) = checked_rows(app, file)?;
    let contracts: Vec<NewContract> = good
        .iter()
        .map(|(_, input)| with_outreach(app, input.clone()))
        .collect();
    let actions = app.store.preview_contracts(&contracts, app.clock.now()).await?;
    planned.extend(good.into_iter().zip(actions).map(|((line, input), action)| PlannedRow {
        line,
        contract: Some(input),
        outcome: Ok(action),
    }));
    planned.sort_by_key(|row| row.line);
    Ok(planned)
}

/// Imports a file's good rows and skips the bad ones (owner; after the preview).
pub async fn import_good_rows(app: &App, staff: &Staff, file: &[u8]) -> Result<(ImportCounts, usize), AppError> {
    authorize(staff, OwnerOnly::ManageContracts)?;
    let (good, skipped) = checked_rows(app, file)?;
    let contracts: Vec<NewContract> = good.into_iter().map(|(_, input)| with_outreach(app, input)).collect();
    let counts = app.store.import_contracts(&contracts, app.clock.now()).await?;
    app.announce(Change::Customers);
    Ok((counts, skipped.len()))
}

/// The good rows with their lines, and the bad ones as skipped.
type CheckedRows = (Vec<(u64, ContractInput)>, Vec<PlannedRow>);

fn checked_rows(app: &App, file: &[u8]) -> Result<CheckedRows, AppError> {
    let region = app.settings().business.default_region.clone();
    let mut good = Vec::new();
    let mut skipped = Vec::new();
    for (line, row) in read_csv(file, &region).map_err(AppError::InvalidRow)? {
        match row {
            Ok(input) => good.push((line, input)),
            Err(error) => skipped.push(PlannedRow {
                line,
                contract: None,
                outcome: Err(error),
            }),
        }
    }
    Ok((good, skipped))
}

/// Creates or updates one contract by its external id (owner). Whether it was new.
pub async fn save_contract(
    app: &App,
    staff: &Staff,
    fields: &ContractFields,
) -> Result<(ContractView, bool), AppError> {
    authorize(staff, OwnerOnly::ManageContracts)?;
    let region = app.settings().business.default_region.clone();
    let input = fields.check(&region).map_err(|problem| {
        AppError::invalid(
            problem.column.unwrap_or("body"),
            "invalid_contract",
            problem.to_string(),
        )
    })?;
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

// Contracts as staff read them.

/// What the contract page shows beside the contract: the customer, their last answers to a
/// survey and their open promises, so whoever calls about the renewal knows how things stand.
pub struct ContractSurroundings {
    pub customer: Option<CustomerView>,
    pub answers: Vec<SurveyView>,
    pub open_promises: Vec<PromiseListed>,
}

/// The customer of `contract` as the call about its renewal needs them.
pub async fn contract_surroundings(app: &App, contract: &ContractView) -> Result<ContractSurroundings, AppError> {
    let customer_id = Some(contract.customer_id.clone());
    let answered = SurveyFilter {
        customer_id: customer_id.clone(),
        status: Some(kept_domain::SurveyStatus::Answered),
        limit: 5,
        ..Default::default()
    };
    let open = PromiseFilter {
        customer_id,
        status: Some(kept_domain::PromiseStatus::Open),
        limit: 20,
        ..Default::default()
    };
    Ok(ContractSurroundings {
        customer: app.store.customer(&contract.customer_id).await?,
        answers: app.store.surveys(&answered).await?,
        open_promises: app.store.list_promises(&open).await?,
    })
}

/// One contract.
pub async fn contract(app: &App, id: &str) -> Result<Option<ContractView>, AppError> {
    Ok(app.store.contract(id).await?)
}

/// Running contracts ending on or before `until` (all when `None`), of one customer when given.
pub async fn contracts(
    app: &App,
    until: Option<chrono::NaiveDate>,
    customer_id: Option<&str>,
) -> Result<Vec<ContractView>, AppError> {
    Ok(app.store.contracts(until, customer_id).await?)
}

/// Contracts whose outreach ended, most recently recorded first.
pub async fn finished_contracts(app: &App, limit: i64) -> Result<Vec<ContractView>, AppError> {
    Ok(app.store.finished_contracts(limit).await?)
}
