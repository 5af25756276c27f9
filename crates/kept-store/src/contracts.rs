//! Contracts: saved and imported by the business's external id (a whole file in one
//! transaction), the outreach promise that appears weeks before the end (claimed once however
//! many nodes look), and its outcome. The only SQL on `contracts`.

use async_trait::async_trait;
use chrono::{DateTime, NaiveDate, Utc};
use kept_domain::contract::ContractInput;
use kept_domain::promise::Closing;
use kept_domain::{ContractOutcome, ContractStatus, OutboxEvent, PromiseKind, PromiseStatus, new_id};
use sqlx::any::AnyRow;
use sqlx::{AnyConnection, Row};

use crate::dialect::parse_enum;
use crate::outbox;
use crate::promises::{self, Actor, NewPromise};
use crate::sql::SqlStore;
use crate::time::{from_ms, to_ms};
use crate::{Result, StoreError, customers};

/// A contract to save, with when its outreach should appear.
#[derive(Debug, Clone)]
pub struct NewContract {
    pub input: ContractInput,
    pub outreach_at: DateTime<Utc>,
}

/// What an import did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ImportCounts {
    pub created: usize,
    pub updated: usize,
    pub unchanged: usize,
}

impl ImportCounts {
    pub fn of(actions: &[ImportAction]) -> ImportCounts {
        let count = |action| actions.iter().filter(|a| **a == action).count();
        ImportCounts {
            created: count(ImportAction::Create),
            updated: count(ImportAction::Update),
            unchanged: count(ImportAction::Unchanged),
        }
    }
}

/// What an import does with one contract of the file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ImportAction {
    Create,
    /// Its contract changed, or its customer gets contact details they lacked.
    Update,
    Unchanged,
}

#[derive(Debug, Clone)]
pub struct ContractView {
    pub id: String,
    pub external_id: String,
    pub customer_id: String,
    pub customer_name: Option<String>,
    /// When the customer first became known to kept.
    pub customer_since: DateTime<Utc>,
    pub product: String,
    pub start_date: Option<NaiveDate>,
    pub end_date: NaiveDate,
    pub value_cents: Option<i64>,
    pub status: ContractStatus,
    pub outreach_at: DateTime<Utc>,
    pub outreach_id: Option<String>,
    pub outreach_status: Option<PromiseStatus>,
    pub outreach_owner: Option<String>,
    pub outcome_note: Option<String>,
    pub outcome_at: Option<DateTime<Utc>>,
}

/// The outcome of an outreach call.
#[derive(Debug, Clone)]
pub struct ContractChange {
    pub outcome: ContractOutcome,
    pub note: Option<String>,
    pub staff_id: String,
    pub now: DateTime<Utc>,
    /// Undecided: when to ask again.
    pub again_at: Option<DateTime<Utc>>,
}

#[async_trait]
pub trait Contracts {
    /// Saves every contract of a file, or none (one transaction); matched on the external id.
    async fn import_contracts(&self, contracts: &[NewContract], now: DateTime<Utc>) -> Result<ImportCounts>;
    /// What importing `contracts` would do to each, without doing it (the same writes, rolled
    /// back).
    async fn preview_contracts(&self, contracts: &[NewContract], now: DateTime<Utc>) -> Result<Vec<ImportAction>>;
    async fn contract(&self, id: &str) -> Result<Option<ContractView>>;
    async fn contract_by_external_id(&self, external_id: &str) -> Result<Option<ContractView>>;
    /// Running contracts ending on or before `until` (all when `None`), soonest end first.
    async fn contracts(&self, until: Option<NaiveDate>, customer_id: Option<&str>) -> Result<Vec<ContractView>>;
    /// Contracts whose outreach ended (renewed or left), most recently recorded first.
    async fn finished_contracts(&self, limit: i64) -> Result<Vec<ContractView>>;
    /// Opens the outreach promise of every running contract whose moment came, once each,
    /// owned by `owner_id` and due at `due_at`. How many were opened.
    async fn open_due_outreach(
        &self,
        now: DateTime<Utc>,
        due_at: DateTime<Utc>,
        owner_id: Option<&str>,
    ) -> Result<usize>;
    /// Records how an outreach ended: its promise is fulfilled; a customer who left is asked
    /// why (kept's own hook).
    async fn record_contract_outcome(&self, id: &str, change: ContractChange) -> Result<ContractView>;
}

const CONTRACT_SELECT: &str = "SELECT k.*, c.name AS customer_name, c.created_ms AS customer_since_ms, \
     p.status AS outreach_status, p.owner_id AS outreach_owner FROM contracts k \
     JOIN customers c ON c.id = k.customer_id LEFT JOIN promises p ON p.id = k.outreach_id";

fn date(text: String) -> Result<NaiveDate> {
    text.parse().map_err(|_| StoreError::Corrupt(text))
}

fn from_row(row: &AnyRow) -> Result<ContractView> {
    let outreach_status = row
        .try_get::<Option<String>, _>("outreach_status")?
        .map(|s| parse_enum(s, PromiseStatus::parse))
        .transpose()?;
    Ok(ContractView {
        id: row.try_get("id")?,
        external_id: row.try_get("external_id")?,
        customer_id: row.try_get("customer_id")?,
        customer_name: row.try_get("customer_name")?,
        customer_since: from_ms(row.try_get("customer_since_ms")?),
        product: row.try_get("product")?,
        start_date: row.try_get::<Option<String>, _>("start_date")?.map(date).transpose()?,
        end_date: date(row.try_get("end_date")?)?,
        value_cents: row.try_get("value_cents")?,
        status: parse_enum(row.try_get("status")?, ContractStatus::parse)?,
        outreach_at: from_ms(row.try_get("outreach_ms")?),
        outreach_id: row.try_get("outreach_id")?,
        outreach_status,
        outreach_owner: row.try_get("outreach_owner")?,
        outcome_note: row.try_get("outcome_note")?,
        outcome_at: row.try_get::<Option<i64>, _>("outcome_ms")?.map(from_ms),
    })
}

async fn one(conn: &mut AnyConnection, column: &str, value: &str) -> Result<Option<ContractView>> {
    let row = sqlx::query(&format!("{CONTRACT_SELECT} WHERE k.{column} = $1"))
        .bind(value)
        .fetch_optional(conn)
        .await?;
    row.as_ref().map(from_row).transpose()
}

/// Whether a saved contract already says what `input` says.
fn same(saved: &ContractView, input: &ContractInput) -> bool {
    saved.product == input.product
        && saved.start_date == input.start_date
        && saved.end_date == input.end_date
        && saved.value_cents == input.value_cents
}

/// Saves one contract in the caller's transaction: created, updated or unchanged. A customer
/// it names who is known already gets the contact details the file has and they lack.
async fn save(conn: &mut AnyConnection, contract: &NewContract, now: DateTime<Utc>) -> Result<ImportAction> {
    let input = &contract.input;
    let existing = one(conn, "external_id", &input.external_id).await?;
    let Some(saved) = existing else {
        create(conn, contract, now).await?;
        return Ok(ImportAction::Create);
    };
    let email = input.customer_email.as_deref();
    let contacts_added =
        customers::complete_contacts(conn, &saved.customer_id, email, input.customer_phone.as_deref(), now).await?;
    if same(&saved, input) {
        return Ok(if contacts_added {
            ImportAction::Update
        } else {
            ImportAction::Unchanged
        });
    }
    // A new end date moves an outreach that has not appeared yet.
    let outreach = match saved.outreach_id {
        None if saved.status.is_running() => contract.outreach_at,
        _ => saved.outreach_at,
    };
    sqlx::query(
        "UPDATE contracts SET product = $1, start_date = $2, end_date = $3, value_cents = $4, \
         outreach_ms = $5, updated_ms = $6 WHERE id = $7",
    )
    .bind(&input.product)
    .bind(input.start_date.map(|d| d.to_string()))
    .bind(input.end_date.to_string())
    .bind(input.value_cents)
    .bind(to_ms(outreach))
    .bind(to_ms(now))
    .bind(&saved.id)
    .execute(&mut *conn)
    .await?;
    Ok(ImportAction::Update)
}

async fn create(conn: &mut AnyConnection, contract: &NewContract, now: DateTime<Utc>) -> Result<()> {
    let input = &contract.input;
    let customer = customers::find_or_add(
        conn,
        input.customer_name.as_deref(),
        input.customer_email.as_deref(),
        input.customer_phone.as_deref(),
        now,
    )
    .await?;
    sqlx::query(
        "INSERT INTO contracts (id, external_id, customer_id, product, start_date, end_date, value_cents, \
         status, outreach_ms, created_ms, updated_ms) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $10)",
    )
    .bind(new_id())
    .bind(&input.external_id)
    .bind(&customer)
    .bind(&input.product)
    .bind(input.start_date.map(|d| d.to_string()))
    .bind(input.end_date.to_string())
    .bind(input.value_cents)
    .bind(ContractStatus::Active.as_str())
    .bind(to_ms(contract.outreach_at))
    .bind(to_ms(now))
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// Saves every contract in one transaction; `commit: false` rolls it back (a preview).
async fn save_all(
    mut tx: sqlx::Transaction<'static, sqlx::Any>,
    contracts: &[NewContract],
    now: DateTime<Utc>,
    commit: bool,
) -> Result<Vec<ImportAction>> {
    let mut actions = Vec::with_capacity(contracts.len());
    for contract in contracts {
        actions.push(save(&mut tx, contract, now).await?);
    }
    if commit {
        tx.commit().await?;
    } else {
        tx.rollback().await?;
    }
    Ok(actions)
}

#[async_trait]
impl Contracts for SqlStore {
    async fn import_contracts(&self, contracts: &[NewContract], now: DateTime<Utc>) -> Result<ImportCounts> {
        let actions = save_all(self.begin_write().await?, contracts, now, true).await?;
        Ok(ImportCounts::of(&actions))
    }

    async fn preview_contracts(&self, contracts: &[NewContract], now: DateTime<Utc>) -> Result<Vec<ImportAction>> {
        save_all(self.begin_write().await?, contracts, now, false).await
    }

    async fn contract(&self, id: &str) -> Result<Option<ContractView>> {
        let mut conn = self.read.acquire().await?;
        one(&mut conn, "id", id).await
    }

    async fn contract_by_external_id(&self, external_id: &str) -> Result<Option<ContractView>> {
        let mut conn = self.read.acquire().await?;
        one(&mut conn, "external_id", external_id).await
    }

    async fn contracts(&self, until: Option<NaiveDate>, customer_id: Option<&str>) -> Result<Vec<ContractView>> {
        // Dates are written YYYY-MM-DD, so text order is date order.
        let rows = sqlx::query(&format!(
            "{CONTRACT_SELECT} WHERE ($1 = '' OR k.end_date <= $1) AND ($2 = '' OR k.customer_id = $2) \
             AND (k.status IN ({active_contract_status}, {undecided_contract_status}) OR $2 <> '') ORDER BY k.end_date, k.id LIMIT 500", active_contract_status = ContractStatus::Active.sql(), undecided_contract_status = ContractStatus::Undecided.sql()))
        .bind(until.map(|d| d.to_string()).unwrap_or_default())
        .bind(customer_id.unwrap_or_default())
        .fetch_all(&self.read)
        .await?;
        rows.iter().map(from_row).collect()
    }

    async fn finished_contracts(&self, limit: i64) -> Result<Vec<ContractView>> {
        let rows = sqlx::query(&format!(
            "{CONTRACT_SELECT} WHERE k.status IN ($1, $2) ORDER BY k.updated_ms DESC, k.id LIMIT $3"
        ))
        .bind(ContractStatus::Renewed.as_str())
        .bind(ContractStatus::Left.as_str())
        .bind(limit)
        .fetch_all(&self.read)
        .await?;
        rows.iter().map(from_row).collect()
    }

    async fn open_due_outreach(
        &self,
        now: DateTime<Utc>,
        due_at: DateTime<Utc>,
        owner_id: Option<&str>,
    ) -> Result<usize> {
        let mut tx = self.begin_write().await?;
        let due = sqlx::query(&format!(
            "SELECT id, customer_id FROM contracts WHERE outreach_id IS NULL AND outreach_ms <= $1 \
             AND status IN ({active_contract_status}, {undecided_contract_status}) ORDER BY outreach_ms LIMIT 200 {}",
            self.dialect.skip_locked(),
            active_contract_status = ContractStatus::Active.sql(),
            undecided_contract_status = ContractStatus::Undecided.sql()
        ))
        .bind(to_ms(now))
        .fetch_all(&mut *tx)
        .await?;
        let mut opened = 0;
        for row in due {
            let id: String = row.try_get("id")?;
            let customer_id: String = row.try_get("customer_id")?;
            let promise_id = new_id();
            let promise = NewPromise {
                id: &promise_id,
                kind: PromiseKind::Retention,
                subject_id: &id,
                customer_id: &customer_id,
                owner_id,
                channel: None,
                not_before: now,
                due_at,
                now,
            };
            promises::insert(&mut tx, &[promise]).await?;
            let claimed = sqlx::query("UPDATE contracts SET outreach_id = $1 WHERE id = $2 AND outreach_id IS NULL")
                .bind(&promise_id)
                .bind(&id)
                .execute(&mut *tx)
                .await?;
            if claimed.rows_affected() != 1 {
                // Another node took it between the read and now: undo this one's promise.
                return Err(StoreError::Conflict("the outreach was opened elsewhere".into()));
            }
            opened += 1;
        }
        tx.commit().await?;
        Ok(opened)
    }

    async fn record_contract_outcome(&self, id: &str, change: ContractChange) -> Result<ContractView> {
        let mut tx = self.begin_write().await?;
        let current = one(&mut tx, "id", id).await?.ok_or(StoreError::NotFound)?;
        if !current.status.is_running() {
            return Err(StoreError::Conflict(format!(
                "this contract has ended ({})",
                current.status.as_str()
            )));
        }
        if let Some(promise) = current
            .outreach_id
            .as_deref()
            .filter(|_| current.outreach_status == Some(PromiseStatus::Open))
        {
            let actor = Actor {
                staff_id: Some(&change.staff_id),
                detail: Some(change.outcome.as_str()),
            };
            promises::close(&mut tx, promise, Closing::Fulfilled, actor, change.now).await?;
        }
        // Undecided: a new outreach appears later; otherwise the contract is settled.
        let (outreach_ms, outreach_id) = match change.again_at {
            Some(again) => (to_ms(again), None),
            None => (to_ms(current.outreach_at), current.outreach_id.clone()),
        };
        sqlx::query(
            "UPDATE contracts SET status = $1, outcome_note = $2, outcome_ms = $3, outreach_ms = $4, outreach_id = $5, \
             updated_ms = $3 WHERE id = $6",
        )
        .bind(change.outcome.status().as_str())
        .bind(change.note.as_deref())
        .bind(to_ms(change.now))
        .bind(outreach_ms)
        .bind(outreach_id)
        .bind(id)
        .execute(&mut *tx)
        .await?;
        if change.outcome == ContractOutcome::Left {
            outbox::insert(&mut tx, &[outbox::hook_row(OutboxEvent::ContractLeft, id, change.now)]).await?;
        }
        let changed = one(&mut tx, "id", id).await?.ok_or(StoreError::NotFound)?;
        tx.commit().await?;
        Ok(changed)
    }
}
