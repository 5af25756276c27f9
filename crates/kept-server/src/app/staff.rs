//! The team: who is away and who stands in.

use kept_domain::staff::OwnerOnly;
use kept_store::Staff;

use super::{App, Change, authorize};
use crate::error::AppError;

/// Marks `staff_id` away with `delegate` standing in (their open promises move along), or
/// back with `None`. Anyone may mark themselves; marking someone else is for owners.
pub async fn set_away(app: &App, actor: &Staff, staff_id: &str, delegate: Option<&str>) -> Result<(), AppError> {
    if staff_id != actor.id {
        authorize(actor, OwnerOnly::MarkOthersAway)?;
    }
    if let Some(delegate) = delegate {
        if delegate == staff_id {
            return Err(AppError::invalid(
                "delegate",
                "own_delegate",
                "nobody can stand in for themselves",
            ));
        }
        if app.store.staff_by_id(delegate).await?.is_none() {
            return Err(AppError::invalid(
                "delegate",
                "unknown_staff",
                "choose a stand-in from the team",
            ));
        }
    }
    app.store.set_away(staff_id, delegate, app.clock.now()).await?;
    app.announce(Change::Team).await;
    Ok(())
}

/// The language a staff member reads kept in, from now on (pages and e-mails).
pub async fn set_own_language(app: &App, staff: &Staff, lang: kept_domain::Lang) -> Result<(), AppError> {
    app.store.set_staff_lang(&staff.id, lang).await?;
    app.announce(Change::Team).await;
    Ok(())
}
