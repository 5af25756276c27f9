//! The customers' own pages of their requests: one link per request however often it is
//! asked for, gone when revoked, merged away or erased; a visit once per quiet spell, on the
//! customer's timeline.

use chrono::Duration;
use kept_domain::{Delivery, EntryKind, OutboxEvent, Role, StatusSubject};

use crate::{message, monday, staff, stores};

#[tokio::test]
async fn a_request_has_one_link_until_revoked_and_none_once_merged_away_or_erased() {
    for (name, store, _dir) in stores().await {
        let store = store.as_ref();
        let chat = store.record_inbound(message("s1", "@jan", monday())).await.unwrap();
        let (conversation, customer) = (chat.conversation_id.as_str(), chat.customer_id.as_str());
        let subject = StatusSubject::Conversation;
        assert_eq!(store.existing_status_link(subject, conversation).await.unwrap(), None);
        let token = store
            .status_link(subject, conversation, customer, "token-one", monday())
            .await
            .unwrap();
        assert_eq!(token, "token-one");
        let again = store
            .status_link(subject, conversation, customer, "token-two", monday())
            .await
            .unwrap();
        assert_eq!(again, "token-one", "{name}: one link per request");
        assert_eq!(
            store
                .existing_status_link(subject, conversation)
                .await
                .unwrap()
                .as_deref(),
            Some("token-one")
        );
        let link = store.status_link_by_token("token-one").await.unwrap().unwrap();
        assert_eq!((link.subject, link.subject_id.as_str()), (subject, conversation));
        assert_eq!(link.customer_id, customer);
        assert!(store.status_link_by_token("token-two").await.unwrap().is_none());

        // Visits: one per quiet spell, on the timeline.
        store
            .note_status_view(&link, monday(), Duration::minutes(30))
            .await
            .unwrap();
        store
            .note_status_view(&link, monday() + Duration::minutes(10), Duration::minutes(30))
            .await
            .unwrap();
        store
            .note_status_view(&link, monday() + Duration::hours(2), Duration::minutes(30))
            .await
            .unwrap();
        let timeline = store.customer_timeline(customer).await.unwrap();
        let viewed: Vec<_> = timeline.iter().filter(|e| e.kind == EntryKind::StatusViewed).collect();
        assert_eq!(viewed.len(), 2, "{name}");
        assert_eq!(viewed[0].about.as_deref(), Some(conversation));
        assert_eq!(viewed[0].text, "conversation");

        assert!(store.revoke_status_link(subject, conversation).await.unwrap());
        assert!(!store.revoke_status_link(subject, conversation).await.unwrap());
        assert!(
            store.status_link_by_token("token-one").await.unwrap().is_none(),
            "{name}"
        );
        let fresh = store
            .status_link(subject, conversation, customer, "token-three", monday())
            .await
            .unwrap();
        assert_eq!(fresh, "token-three", "a new link after a revoke");

        // Merged into another customer: the link does not travel with the records.
        let other = store.record_inbound(message("s2", "@piet", monday())).await.unwrap();
        store.merge_customers(&other.customer_id, customer).await.unwrap();
        assert!(
            store.status_link_by_token("token-three").await.unwrap().is_none(),
            "{name}"
        );
        let moved = store.customer_timeline(&other.customer_id).await.unwrap();
        assert_eq!(moved.iter().filter(|e| e.kind == EntryKind::StatusViewed).count(), 2);

        // Erased: gone with everything else of theirs.
        let token = store
            .status_link(
                subject,
                &other.conversation_id,
                &other.customer_id,
                "token-four",
                monday(),
            )
            .await
            .unwrap();
        let anna = staff(store, "anna@x.test", Role::Owner).await;
        let erasure = store
            .erase_customer(&other.customer_id, &anna, "asked", monday())
            .await
            .unwrap();
        assert_eq!(erasure.removed["status_views"], 2, "{name}");
        assert!(store.status_link_by_token(&token).await.unwrap().is_none(), "{name}");
    }
}

#[tokio::test]
async fn a_conversation_is_acknowledged_at_most_once_in_the_quiet_spell() {
    for (name, store, _dir) in stores().await {
        let store = store.as_ref();
        let chat = store.record_inbound(message("a1", "@jan", monday())).await.unwrap();
        let quiet = Duration::hours(4);
        let conversation = chat.conversation_id.as_str();
        assert!(
            store
                .queue_acknowledgement(conversation, monday(), quiet)
                .await
                .unwrap()
        );
        let later = monday() + Duration::hours(3);
        assert!(
            !store.queue_acknowledgement(conversation, later, quiet).await.unwrap(),
            "{name}"
        );
        let other = store.record_inbound(message("a2", "@piet", monday())).await.unwrap();
        assert!(
            store
                .queue_acknowledgement(&other.conversation_id, later, quiet)
                .await
                .unwrap()
        );
        let after = monday() + Duration::hours(5);
        assert!(
            store.queue_acknowledgement(conversation, after, quiet).await.unwrap(),
            "{name}"
        );

        let claimed = store.claim_outbox(after, Duration::minutes(1), 100).await.unwrap();
        let acknowledgements: Vec<_> = claimed
            .iter()
            .filter(|item| item.event == OutboxEvent::MessageAcknowledged)
            .collect();
        assert_eq!(acknowledgements.len(), 3, "{name}");
        assert!(
            acknowledgements
                .iter()
                .all(|item| item.delivery == Delivery::CustomerEmail)
        );
        assert_eq!(
            acknowledgements.iter().filter(|i| i.subject_id == conversation).count(),
            2
        );
    }
}
