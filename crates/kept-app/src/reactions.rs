//! kept's own reactions to events, delivered from the outbox like e-mail and webhooks: queued
//! in the transaction of the change, run once by whichever node claims them, retried when
//! they fail. Today: asking the customer how it went after a callback reached them, a
//! resolved conversation or an appointment that took place, and why they left when their
//! contract ended that way.

use kept_domain::{CallbackStatus, OutboxEvent, SurveyTrigger};
use kept_store::{ConversationView, OutboxItem};

use crate::App;
use crate::outbox::{DeliveryError, Subject, temporary};
use crate::surveys::{Contact, after_contact};

/// Runs the reaction an outbox item of [`kept_domain::Delivery::Hook`] stands for.
pub async fn run(app: &App, item: &OutboxItem, subject: &Subject) -> Result<(), DeliveryError> {
    let contact = match (item.event, subject) {
        (OutboxEvent::CallbackOutcome, Subject::Callback(callback)) => (callback.status == CallbackStatus::Reached)
            .then(|| Contact {
                trigger: SurveyTrigger::Callback,
                customer_id: callback.customer_id.clone(),
                about_id: callback.id.clone(),
                handler_id: callback.owner_id.clone(),
                email: None,
                name: callback.name.clone(),
                lang: callback.lang,
            }),
        (OutboxEvent::ConversationResolved, Subject::Conversation(conversation)) => Some(Contact {
            trigger: SurveyTrigger::Conversation,
            customer_id: conversation.customer_id.clone(),
            about_id: conversation.id.clone(),
            handler_id: conversation.assignee_id.clone(),
            // On e-mail the handle is the address; elsewhere the customer's address on record.
            email: conversation
                .handle
                .clone()
                .filter(|_| conversation.channel == crate::EMAIL),
            name: conversation.customer_name.clone(),
            lang: conversation_lang(conversation),
        }),
        (OutboxEvent::AppointmentDone, Subject::Appointment(appointment)) => Some(Contact {
            trigger: SurveyTrigger::Appointment,
            customer_id: appointment.customer_id.clone(),
            about_id: appointment.id.clone(),
            handler_id: Some(appointment.staff_id.clone()),
            email: Some(appointment.email.clone()),
            name: Some(appointment.customer_name.clone()),
            lang: appointment.lang,
        }),
        (OutboxEvent::ContractLeft, Subject::Contract(contract)) => Some(Contact {
            trigger: SurveyTrigger::ContractLeft,
            customer_id: contract.customer_id.clone(),
            about_id: contract.id.clone(),
            handler_id: contract.outreach_owner.clone(),
            email: None,
            name: contract.customer_name.clone(),
            lang: kept_domain::Lang::default(),
        }),
        (event, _) => {
            return Err(DeliveryError::Permanent(format!(
                "kept has no reaction to {}",
                event.as_str()
            )));
        }
    };
    if let Some(contact) = contact {
        after_contact(app, contact).await.map_err(temporary)?;
    }
    Ok(())
}

/// The language the customer wrote in, as far as their last message tells.
fn conversation_lang(conversation: &ConversationView) -> kept_domain::Lang {
    let last = conversation
        .messages
        .iter()
        .rev()
        .find(|m| m.direction == kept_domain::conversation::Direction::Inbound);
    last.map_or_else(Default::default, |m| kept_tone::detect_language(&m.body))
}
