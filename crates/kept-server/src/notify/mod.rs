//! Delivering outbox items: e-mail over SMTP, signed webhooks, channels and kept's own hooks.
//! What each item is about is read at delivery time (`kept_app::outbox`), so a retry a day
//! later still names the right person.

mod channel;
mod compose;
mod customer_email;
mod email;
mod hooks;
mod mailer;
mod survey_email;
pub mod webhook;
mod weekly_email;

pub use mailer::Mailer;

use kept_app::records::OutboxItem;
use kept_domain::Delivery;

pub use kept_app::calendar::{feed, invitation};
pub use kept_app::outbox::{DeliveryError, Rebook, Subject, WeeklyFigures, gone, temporary};

use crate::state::AppState;

pub async fn deliver(state: &AppState, item: &OutboxItem) -> Result<(), DeliveryError> {
    let subject = kept_app::outbox::subject_of(state, item).await?;
    match item.delivery {
        Delivery::Email => email::send(state, item, &subject).await,
        Delivery::EmailReply => email::send_reply(state, item, &subject).await,
        Delivery::Webhook => webhook::send(state, item, &subject).await,
        Delivery::Channel => channel::send(state, item, &subject).await,
        Delivery::CustomerEmail => customer_email::send(state, item, &subject).await,
        Delivery::Hook => hooks::run(state, item, &subject).await,
    }
}
