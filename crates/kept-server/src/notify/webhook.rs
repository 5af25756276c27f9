//! Webhook calls: a JSON body signed with HMAC-SHA256 of the shared secret.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use hmac::{Hmac, Mac};
use kept_app::records::OutboxItem;
use sha2::Sha256;
use tokio::sync::{OwnedSemaphorePermit, Semaphore};

use super::Couriers;
use super::{DeliveryError, Subject, temporary};
use crate::dto::{CallbackJson, ConversationJson, WebhookEvent};

pub const SIGNATURE_HEADER: &str = "X-Kept-Signature";

/// Calls in flight at once to one receiver (scheme, host and port), however many items are
/// due: a burst must not knock over the business's own endpoint. Calls may therefore arrive
/// out of order; `X-Kept-Delivery` grows with the order of the events.
const CALLS_PER_DESTINATION: usize = 4;

/// The call slots of each receiver kept calls.
#[derive(Default)]
pub struct Destinations {
    slots: Mutex<HashMap<String, Arc<Semaphore>>>,
}

impl Destinations {
    /// Waits for a free slot at the receiver of `url`.
    async fn slot(&self, url: &str) -> Option<OwnedSemaphorePermit> {
        let origin = reqwest::Url::parse(url).map_or_else(|_| url.to_string(), |u| u.origin().ascii_serialization());
        let semaphore = {
            // A panic elsewhere while holding the map leaves it usable: it only holds semaphores.
            let mut slots = self.slots.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
            Arc::clone(
                slots
                    .entry(origin)
                    .or_insert_with(|| Arc::new(Semaphore::new(CALLS_PER_DESTINATION))),
            )
        };
        semaphore.acquire_owned().await.ok()
    }
}

/// `sha256=` followed by the hex HMAC-SHA256 of `body` under `secret`.
pub fn signature(secret: &str, body: &[u8]) -> String {
    let mut mac =
        Hmac::<Sha256>::new_from_slice(secret.as_bytes()).unwrap_or_else(|_| unreachable!("HMAC takes any key length"));
    mac.update(body);
    format!("sha256={}", hex::encode(mac.finalize().into_bytes()))
}

pub(super) async fn send(state: &Couriers, item: &OutboxItem, subject: &Subject) -> Result<(), DeliveryError> {
    let settings = &state.settings();
    let Some(url) = &settings.webhook_url else {
        return Err(DeliveryError::Permanent("no webhook is configured any more".into()));
    };
    let mut event = WebhookEvent {
        event: item.event.as_str().to_string(),
        delivery_id: item.id,
        business: settings.business.name.clone(),
        callback: None,
        conversation: None,
        follow_up: None,
        appointment: None,
        survey: None,
        contract: None,
    };
    match subject {
        Subject::Callback(view) => {
            event.callback = Some(CallbackJson::new(view, &settings.business, state.clock.now()));
        }
        Subject::Conversation(view) => event.conversation = Some(ConversationJson::for_webhook(view)),
        Subject::FollowUp(view) => event.follow_up = Some(view.into()),
        Subject::Appointment(view) => event.appointment = Some(view.as_ref().into()),
        Subject::Rebook(rebook) => event.appointment = Some((&rebook.appointment).into()),
        Subject::Survey(view) => event.survey = Some(view.into()),
        Subject::Contract(view) => event.contract = Some(view.into()),
        Subject::Waiting(_) => {
            return Err(DeliveryError::Permanent(
                "the waiting list is never sent to a webhook".into(),
            ));
        }
        Subject::PasswordLink(_) => {
            return Err(DeliveryError::Permanent(
                "a password link is never sent to a webhook".into(),
            ));
        }
        Subject::Digest(_) | Subject::WeeklyFigures(_) | Subject::Mailbox(_) => {
            return Err(DeliveryError::Permanent("digests are e-mailed to staff only".into()));
        }
    }
    post_signed(state, url, item, &event).await
}

/// POSTs `body` as JSON with the `X-Kept-*` headers; a 2xx answer is success.
pub(super) async fn post_signed(
    state: &Couriers,
    url: &str,
    item: &OutboxItem,
    body: &impl serde::Serialize,
) -> Result<(), DeliveryError> {
    let Some(secret) = &state.settings().webhook_secret else {
        return Err(DeliveryError::Permanent(
            "no webhook secret is configured any more".into(),
        ));
    };
    let body = serde_json::to_vec(body).map_err(|e| DeliveryError::Permanent(e.to_string()))?;
    let _slot = state.destinations.slot(url).await;
    let response = state
        .http
        .post(url)
        .header("Content-Type", "application/json")
        .header(SIGNATURE_HEADER, signature(secret, &body))
        .header("X-Kept-Event", item.event.as_str())
        .header("X-Kept-Delivery", item.id.to_string())
        .body(body)
        .send()
        .await
        .map_err(temporary)?;
    match response.status() {
        status if status.is_success() => Ok(()),
        status if status == reqwest::StatusCode::GONE => {
            Err(DeliveryError::Permanent(format!("webhook answered {status}")))
        }
        status => Err(temporary(format!("webhook answered {status}"))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signature_matches_a_known_hmac() {
        // HMAC-SHA256("key", "The quick brown fox jumps over the lazy dog"), RFC 4231 style check value.
        assert_eq!(
            signature("key", b"The quick brown fox jumps over the lazy dog"),
            "sha256=f7bc83f430538424b13298e6aa6fb143ef4d59a14946175997479dbc2d1a3cd8"
        );
    }
}
