//! Messages from customers: the promise to answer and the reply that keeps it.

use crate::support::*;

use chrono::Duration;
use kept_domain::PromiseStatus;

#[tokio::test]
async fn a_message_is_a_promise_to_answer_kept_once_the_reply_reaches_the_customer() {
    for shop in shops().await {
        let (app, db) = (&shop.app, shop.db.name);
        let chat = chat_message("chat-1", ("@jan", "Jan Jansen"), "Is mijn fiets al klaar?");
        let first = kept_app::accept_inbound(app, &chat).await.unwrap();
        let promise = first
            .promise_id
            .clone()
            .unwrap_or_else(|| panic!("{db}: a promise to answer"));
        // The channel sends it again (a retry): the same message, the same promise.
        let again = kept_app::accept_inbound(app, &chat).await.unwrap();
        assert!(again.duplicate, "{db}");
        assert_eq!(again.promise_id.as_ref(), Some(&promise), "{db}");

        shop.clock.set(tuesday_morning() + Duration::minutes(20));
        let choices = kept_app::CommitmentChoices::default();
        let answered = kept_app::reply(
            app,
            &shop.agent,
            &first.conversation_id,
            "Ja, hij staat klaar.",
            &choices,
        )
        .await
        .unwrap();
        assert_eq!(answered.messages.len(), 2, "{db}: the question once, the answer once");
        // Written is not yet answered: the promise is kept when the reply reaches the chat.
        assert_eq!(answered.promise_status, Some(PromiseStatus::Open), "{db}");
        let due = kept_app::outbox::claim_outbox(app, Duration::seconds(60), 100)
            .await
            .unwrap();
        let sent = due
            .iter()
            .find(|item| item.event == kept_domain::OutboxEvent::MessageReply)
            .unwrap_or_else(|| panic!("{db}: the reply waits in the outbox: {due:?}"));
        shop.clock.set(tuesday_morning() + Duration::minutes(21));
        kept_app::outbox::record_delivery(app, sent, &Ok(())).await.unwrap();
        let delivered = kept_app::conversation(app, &first.conversation_id)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(delivered.promise_id.as_ref(), Some(&promise), "{db}");
        assert_eq!(delivered.promise_status, Some(PromiseStatus::Kept), "{db}");
    }
}
