//! The outbox: order, retries and giving up.

use crate::support::*;

use chrono::Duration;
use kept_app::outbox::{Courier, DeliveryError, Pace, Subject};
use kept_app::records::{DeliveryFilter, OutboxItem};
use kept_domain::PromiseStatus;

/// A courier that only writes down what it was given, failing the n-th carry (1-based) the
/// way it is told to.
struct RecordingCourier {
    carried: std::sync::Mutex<Vec<String>>,
    fail: std::sync::Mutex<Vec<(usize, DeliveryError)>>,
}

#[async_trait::async_trait]
impl Courier for RecordingCourier {
    async fn carry(&self, item: &OutboxItem, subject: &Subject) -> Result<(), DeliveryError> {
        assert!(
            matches!(subject, Subject::Conversation(_)),
            "a reply is about its conversation"
        );
        let mut carried = self.carried.lock().unwrap();
        carried.push(item.subject_id.clone());
        let attempt = carried.len();
        let mut fail = self.fail.lock().unwrap();
        match fail.iter().position(|(n, _)| *n == attempt) {
            Some(at) => Err(fail.remove(at).1),
            None => Ok(()),
        }
    }
}

#[tokio::test]
async fn the_outbox_carries_replies_in_the_order_written_retries_what_failed_for_now_and_gives_up_on_the_rest() {
    let pace = Pace {
        lease: Duration::seconds(60),
        batch: 100,
        concurrency: 4,
    };
    for shop in shops().await {
        let (app, db) = (&shop.app, shop.db.name);
        let chat = chat_message("chat-7", ("@piet", "Piet"), "Kan ik morgen langskomen?");
        let asked = kept_app::accept_inbound(app, &chat).await.unwrap();
        let choices = kept_app::CommitmentChoices::default();
        let mut written = Vec::new();
        for text in ["Ja, dat kan.", "Wij zijn er vanaf 9 uur.", "Tot morgen!"] {
            let view = kept_app::reply(app, &shop.agent, &asked.conversation_id, text, &choices)
                .await
                .unwrap();
            written.push(view.messages.last().unwrap().id.clone());
        }
        // The second reply meets a busy channel once; the third a channel that refuses it.
        let courier = RecordingCourier {
            carried: Default::default(),
            fail: std::sync::Mutex::new(vec![
                (2, DeliveryError::Temporary("503 busy".into())),
                (3, DeliveryError::Permanent("410 no such chat".into())),
            ]),
        };
        assert_eq!(kept_app::outbox::deliver_due(app, &courier, pace).await, 3, "{db}");
        assert_eq!(*courier.carried.lock().unwrap(), written, "{db}: in the order written");
        let answered = kept_app::conversation(app, &asked.conversation_id)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(
            answered.promise_status,
            Some(PromiseStatus::Kept),
            "{db}: the first reply arrived"
        );

        assert_eq!(
            kept_app::outbox::deliver_due(app, &courier, pace).await,
            0,
            "{db}: not again at once"
        );
        shop.clock.set(tuesday_morning() + Duration::seconds(11));
        assert_eq!(
            kept_app::outbox::deliver_due(app, &courier, pace).await,
            1,
            "{db}: retried after 10 s"
        );
        assert_eq!(courier.carried.lock().unwrap().last(), Some(&written[1]));
        shop.clock.set(tuesday_morning() + Duration::hours(2));
        assert_eq!(
            kept_app::outbox::deliver_due(app, &courier, pace).await,
            0,
            "{db}: nothing left"
        );

        let failed = DeliveryFilter {
            status: Some(kept_domain::OutboxStatus::Failed),
            limit: 10,
            ..DeliveryFilter::default()
        };
        let given_up = kept_app::deliveries(app, &shop.owner, &failed).await.unwrap();
        assert_eq!(given_up.len(), 1, "{db}");
        assert_eq!(given_up[0].subject_id, written[2]);
        assert_eq!(given_up[0].last_error.as_deref(), Some("410 no such chat"));
    }
}
