//! A customer's record: notes, logged calls, follow-ups, merging two records of one person,
//! and their AVG/GDPR export and erase.

use chrono::{DateTime, Utc};
use kept_domain::Closing;
use kept_domain::conversation::Direction;
use kept_domain::staff::OwnerOnly;
use kept_store::{Contact, CustomerExport, CustomerView, Erasure, FollowUpView, NewFollowUp, NewRecord, Staff};

use crate::error::AppError;
use crate::{App, Change, authorize};

const MAX_RECORD_CHARS: usize = 10_000;

fn record_text(text: &str, field: &'static str) -> Result<String, AppError> {
    let text = text.trim();
    if text.is_empty() || text.chars().count() > MAX_RECORD_CHARS {
        return Err(AppError::invalid(
            field,
            "unusable_text",
            "must be between 1 and 10,000 characters",
        ));
    }
    Ok(text.to_string())
}

/// An internal note on a customer (and optionally one of their conversations).
pub async fn add_note(
    app: &App,
    staff: &Staff,
    customer_id: &str,
    conversation_id: Option<String>,
    text: &str,
) -> Result<String, AppError> {
    let record = NewRecord::Note {
        conversation_id,
        text: record_text(text, "text")?,
    };
    add_record(app, staff, customer_id, record).await
}

/// A phone call staff had with the customer.
pub async fn log_call(
    app: &App,
    staff: &Staff,
    customer_id: &str,
    direction: Direction,
    summary: &str,
) -> Result<String, AppError> {
    let record = NewRecord::Call {
        direction,
        summary: record_text(summary, "summary")?,
    };
    add_record(app, staff, customer_id, record).await
}

/// Stores a note or a logged call; a dated commitment in it ("beloofd: offerte vóór vrijdag
/// mailen") becomes the writer's follow-up promise, in the same transaction.
async fn add_record(app: &App, staff: &Staff, customer_id: &str, record: NewRecord) -> Result<String, AppError> {
    let text = match &record {
        NewRecord::Note { text, .. } => text,
        NewRecord::Call { summary, .. } => summary,
    };
    let promised = crate::commitments::promised_in(app, text, &crate::CommitmentChoices::default())?;
    let id = app
        .store
        .add_record(customer_id, &staff.id, record, &promised, app.clock.now())
        .await?;
    if !promised.is_empty() {
        app.announce(Change::Promises);
    }
    app.announce(Change::Customers);
    Ok(id)
}

/// Gives a customer a name as staff know them (blank takes it away).
pub async fn rename_customer(app: &App, staff: &Staff, id: &str, name: &str) -> Result<(), AppError> {
    let name = name.trim();
    if name.chars().count() > 200 || name.chars().any(char::is_control) {
        return Err(AppError::invalid(
            "name",
            "name_required",
            "a name is at most 200 characters, on one line",
        ));
    }
    let name = Some(name).filter(|n| !n.is_empty());
    app.store.rename_customer(id, name).await?;
    tracing::debug!(customer = id, by = %staff.id, "renamed");
    app.announce(Change::Customers);
    Ok(())
}

/// Moves everything of customer `from` to `into` (owner only).
pub async fn merge_customers(app: &App, staff: &Staff, into: &str, from: &str) -> Result<CustomerView, AppError> {
    authorize(staff, OwnerOnly::MergeCustomers)?;
    // A `from` nobody has is a field naming what is not stored (409), not "the customer at
    // this address is gone" (404).
    if into != from && app.store.customer(from).await?.is_none() {
        return Err(AppError::invalid("from", "unknown_id", "no customer has this id"));
    }
    let merged = app.store.merge_customers(into, from).await?;
    app.announce(Change::Customers);
    Ok(merged)
}

/// Everything kept holds about a customer, for their access request (owner only).
pub async fn export_customer(app: &App, staff: &Staff, id: &str) -> Result<CustomerExport, AppError> {
    authorize(staff, OwnerOnly::ExportCustomer)?;
    tracing::info!(customer = id, by = %staff.id, "customer data exported");
    Ok(app.store.export_customer(id, app.clock.now()).await?)
}

const MAX_REASON_CHARS: usize = 500;

/// Erases a customer at their request (owner only): everything about them goes, an anonymous
/// record of the erasure stays.
pub async fn erase_customer(app: &App, staff: &Staff, id: &str, reason: &str) -> Result<Erasure, AppError> {
    authorize(staff, OwnerOnly::EraseCustomer)?;
    let reason = reason.trim();
    if reason.is_empty() || reason.chars().count() > MAX_REASON_CHARS {
        return Err(AppError::invalid(
            "reason",
            "reason_required",
            "say why the data is erased (for example: the customer asked for it), in at most 500 characters",
        ));
    }
    let erasure = app.store.erase_customer(id, &staff.id, reason, app.clock.now()).await?;
    tracing::info!(erasure = %erasure.id, by = %staff.id, "customer data erased");
    app.announce(Change::Customers);
    Ok(erasure)
}

const MAX_FOLLOW_UP_CHARS: usize = 1000;

/// Records a promise a staff member made to a customer in their own words; it is tracked
/// like every promise (reminder before it is due, escalation when it slips).
pub async fn add_follow_up(
    app: &App,
    staff: &Staff,
    customer_id: &str,
    text: &str,
    due_at: DateTime<Utc>,
    owner_id: Option<&str>,
) -> Result<FollowUpView, AppError> {
    let text = text.trim();
    let now = app.clock.now();
    let mut problems = crate::problems::Problems::default();
    if text.is_empty() || text.chars().count() > MAX_FOLLOW_UP_CHARS {
        problems.refuse(
            "text",
            "unusable_text",
            "say what was promised, in at most 1,000 characters",
        );
    }
    if due_at <= now {
        problems.refuse("due_at", "in_the_past", "the promise must be due in the future");
    }
    problems.or_refused(Some(()))?;
    let owner = match owner_id.filter(|o| !o.is_empty()) {
        Some(owner) => {
            app.store
                .staff_by_id(owner)
                .await?
                .ok_or_else(|| AppError::invalid("owner_id", "unknown_staff", "choose someone from the team"))?
                .id
        }
        None => staff.id.clone(),
    };
    let follow_up = app
        .store
        .create_follow_up(NewFollowUp {
            customer_id: customer_id.to_string(),
            staff_id: staff.id.clone(),
            owner_id: owner,
            text: text.to_string(),
            due_at,
            now,
        })
        .await?;
    app.announce(Change::Customers);
    Ok(follow_up)
}

/// Done (kept, or broken when late) or withdrawn.
pub async fn close_follow_up(app: &App, staff: &Staff, id: &str, closing: Closing) -> Result<FollowUpView, AppError> {
    let closed = app
        .store
        .close_follow_up(id, closing, &staff.id, app.clock.now())
        .await?;
    app.announce(Change::Customers);
    Ok(closed)
}

/// Adds a phone number, e-mail address or channel handle to a customer; a conflict when it
/// belongs to someone else (merge the two instead).
pub async fn add_contact(
    app: &App,
    staff: &Staff,
    customer_id: &str,
    contact: Contact,
) -> Result<CustomerView, AppError> {
    let customer = app.store.add_contact(customer_id, contact, app.clock.now()).await?;
    tracing::debug!(customer = customer_id, by = %staff.id, "contact added");
    app.announce(Change::Customers);
    Ok(customer)
}

// A customer as staff read them.

/// One customer.
pub async fn customer(app: &App, id: &str) -> Result<Option<CustomerView>, AppError> {
    Ok(app.store.customer(id).await?)
}

/// How many entries of a timeline a customer page shows at a time.
pub const TIMELINE_PAGE: i64 = 50;

/// What the customer page shows: the customer, a page of what happened with them (newest
/// first) and their follow-ups.
pub struct CustomerRecord {
    pub customer: CustomerView,
    pub timeline: kept_store::TimelinePage,
    /// The timeline starts at an older entry, not at the newest.
    pub from_older: bool,
    pub follow_ups: Vec<FollowUpView>,
}

/// A customer with the page of their timeline before `before` (the newest without it) and
/// their follow-ups, for their page; `NotFound` when there is no such customer.
pub async fn customer_record(
    app: &App,
    id: &str,
    before: Option<&kept_store::TimelineKey>,
) -> Result<CustomerRecord, AppError> {
    let customer = app.store.customer(id).await?.ok_or(AppError::NotFound)?;
    Ok(CustomerRecord {
        timeline: customer_timeline_page(app, id, before).await?,
        from_older: before.is_some(),
        follow_ups: app.store.customer_follow_ups(id).await?,
        customer,
    })
}

/// A page of what happened with a customer, newest first: the entries before `before`.
pub async fn customer_timeline_page(
    app: &App,
    customer_id: &str,
    before: Option<&kept_store::TimelineKey>,
) -> Result<kept_store::TimelinePage, AppError> {
    Ok(app
        .store
        .customer_timeline_page(customer_id, before, TIMELINE_PAGE)
        .await?)
}

/// Everything that happened with a customer, oldest first.
pub async fn customer_timeline(app: &App, customer_id: &str) -> Result<Vec<kept_store::TimelineEntry>, AppError> {
    Ok(app.store.customer_timeline(customer_id).await?)
}

/// A customer's follow-ups, open and done.
pub async fn customer_follow_ups(app: &App, customer_id: &str) -> Result<Vec<FollowUpView>, AppError> {
    Ok(app.store.customer_follow_ups(customer_id).await?)
}

/// A customer's earlier callback requests and calls.
pub async fn customer_history(app: &App, customer_id: &str) -> Result<Vec<kept_store::HistoryEntry>, AppError> {
    Ok(app.store.customer_history(customer_id).await?)
}

/// Customers by part of their name, e-mail address or handle, or by their phone number.
pub async fn find_customers(
    app: &App,
    text: &str,
    phone: Option<&str>,
    limit: i64,
) -> Result<Vec<CustomerView>, AppError> {
    Ok(app.store.find_customers(text, phone, limit).await?)
}

/// Per kind of record, how many are the customer's: what merging them moves.
pub async fn customer_record_counts(app: &App, id: &str) -> Result<Vec<(&'static str, i64)>, AppError> {
    Ok(app.store.customer_record_counts(id).await?)
}
