//! The figures of a period: promises made, kept, broken and open, and how fast, grouped by
//! staff member, kind, channel or day — everyone their own; another's are the owner's to see.

use chrono::NaiveDate;
use kept_domain::Role;
use kept_domain::insights::{Group, GroupBy, period, summarise};
use kept_domain::staff::OwnerOnly;
use kept_store::Staff;

use super::{App, authorize};
use crate::error::AppError;

/// The longest period one request covers.
const MAX_DAYS: i64 = 400;

/// What was asked, checked.
#[derive(Debug, Clone)]
pub struct InsightsRequest {
    pub from: NaiveDate,
    pub to: NaiveDate,
    pub group_by: GroupBy,
    /// One staff member's figures; an agent's own when they ask for none.
    pub staff_id: Option<String>,
}

/// The figures of `request`, for `staff` to see: an agent only their own (asking for someone
/// else's is refused), an owner anyone's or everyone's.
pub async fn insights(app: &App, staff: &Staff, request: &InsightsRequest) -> Result<Vec<Group>, AppError> {
    if request.to < request.from {
        return Err(AppError::invalid("to", "before_from", "to must not be before from"));
    }
    if (request.to - request.from).num_days() > MAX_DAYS {
        return Err(AppError::invalid(
            "to",
            "too_long",
            format!("a period is at most {MAX_DAYS} days"),
        ));
    }
    let owner_of = match (&request.staff_id, staff.role) {
        (Some(id), _) if *id != staff.id => {
            authorize(staff, OwnerOnly::SeeOthersFigures)?;
            Some(id.clone())
        }
        (Some(id), _) => Some(id.clone()),
        (None, Role::Owner) => None,
        (None, _) => Some(staff.id.clone()),
    };
    let hours = app.settings().business.hours.clone();
    let (from, until) = period(&hours, request.from, request.to);
    let facts = app.store.promise_facts(from, until, owner_of.as_deref()).await?;
    Ok(summarise(&facts, request.group_by, &hours))
}
