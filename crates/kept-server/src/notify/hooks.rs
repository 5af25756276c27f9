//! kept's own reactions to events, delivered from the outbox like e-mail and webhooks: queued
//! in the transaction of the change, run once by whichever node claims them, retried when
//! they fail. An event without a reaction yet is delivered as done.

use kept_domain::OutboxEvent;
use kept_store::OutboxItem;

use super::{DeliveryError, Subject};
use crate::state::AppState;

pub(super) async fn run(_state: &AppState, item: &OutboxItem, subject: &Subject) -> Result<(), DeliveryError> {
    match (item.event, subject) {
        // Where the survey issue (#12) asks the customer how the appointment went; until
        // then the hook only records that the appointment took place.
        (OutboxEvent::AppointmentDone, Subject::Appointment(appointment)) => {
            tracing::debug!(appointment = %appointment.id, "appointment done");
            Ok(())
        }
        (event, _) => Err(DeliveryError::Permanent(format!(
            "kept has no reaction to {}",
            event.as_str()
        ))),
    }
}
