//! What kept sent or tried: the owner's list, and sending a failed item again.

use kept_domain::staff::OwnerOnly;
use kept_store::{DeliveryFilter, DeliveryListed, Staff};

use crate::error::AppError;
use crate::{App, Change, authorize};

pub async fn deliveries(app: &App, staff: &Staff, filter: &DeliveryFilter) -> Result<Vec<DeliveryListed>, AppError> {
    authorize(staff, OwnerOnly::SeeDeliveries)?;
    Ok(app.store.deliveries(filter).await?)
}

/// Queues an item kept gave up on (or that bounced) for a first attempt again.
pub async fn retry_delivery(app: &App, staff: &Staff, outbox_id: i64) -> Result<(), AppError> {
    authorize(staff, OwnerOnly::SeeDeliveries)?;
    app.store.retry_delivery(outbox_id, app.clock.now()).await?;
    app.announce(Change::Conversations);
    Ok(())
}
