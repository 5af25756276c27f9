//! Conversations we start, what was read, attachments, bounces and deliveries; customers found,
//! renamed and their records, calls with promises in them, the timeline and history: the rest of
//! the store's methods, on both databases.

use chrono::Duration;
use kept_domain::conversation::Direction;
use kept_domain::{Delivery, OutboxStatus, PromiseKind, PromiseStatus, Role};
use kept_store::{
    BounceRecorded, ConversationChange, DeliveryFilter, Dialect, NewAttachment, NewBounce, NewOutbound, NewRecord,
    PromiseFilter, Promised, Recipient, Started,
};

use crate::{ALL, callback, message, monday, reached, staff, stores};

fn outbound(to: Recipient, staff_id: &str, external_id: &str) -> NewOutbound {
    NewOutbound {
        to,
        channel: "email".into(),
        staff_id: staff_id.into(),
        subject: Some("Uw fiets".into()),
        text: "Uw fiets is klaar.".into(),
        now: monday(),
        external_id: Some(external_id.into()),
        deliver_via: Delivery::EmailReply,
        promised: Vec::new(),
        awaiting: None,
    }
}

#[tokio::test]
async fn a_conversation_we_start_can_bounce_once_and_be_sent_again() {
    for (name, store, _db) in stores().await {
        let store = store.as_ref();
        assert_eq!(store.dialect() == Dialect::Sqlite, name == "sqlite", "{name}");
        let anna = staff(store, "anna@x.test", Role::Agent).await;
        let to = Recipient::Email {
            address: "jan@example.nl".into(),
            name: Some("Jan".into()),
        };
        let Started::Conversation {
            conversation_id,
            message_id,
        } = store
            .start_conversation(outbound(to, &anna, "out-1@kept.test"))
            .await
            .unwrap()
        else {
            panic!("an address to write to on {name}");
        };
        let by_phone = Recipient::Phone {
            number: "+31699999999".into(),
            name: None,
        };
        assert_eq!(
            store
                .start_conversation(outbound(by_phone, &anna, "out-2@kept.test"))
                .await
                .unwrap(),
            Started::NoAddress
        );
        assert_eq!(
            store.conversation_of_message(&message_id).await.unwrap(),
            Some(conversation_id.clone())
        );
        assert_eq!(store.conversation_of_message("nothing").await.unwrap(), None);

        let bounce = |id: &str| NewBounce {
            returned_id: id.into(),
            recipient: Some("jan@example.nl".into()),
            reason: "550 mailbox unknown".into(),
            reply_due: monday() + Duration::hours(1),
            now: monday() + Duration::minutes(5),
            fanout: ALL,
        };
        let recorded = store.record_bounce(bounce("out-1@kept.test")).await.unwrap();
        let BounceRecorded::Reply {
            conversation_id: bounced,
            promise_id,
            ..
        } = recorded
        else {
            panic!("the reply bounced on {name}: {recorded:?}");
        };
        assert_eq!(bounced, conversation_id);
        assert!(promise_id.is_some(), "the customer waits for an answer again on {name}");
        assert_eq!(
            store.record_bounce(bounce("out-1@kept.test")).await.unwrap(),
            BounceRecorded::AlreadyKnown
        );
        assert_eq!(
            store.record_bounce(bounce("someone-else@x")).await.unwrap(),
            BounceRecorded::Unknown
        );

        let bounced = DeliveryFilter {
            status: Some(OutboxStatus::Bounced),
            delivery: Some(Delivery::EmailReply),
            before: None,
            limit: 10,
        };
        let listed = store.deliveries(&bounced).await.unwrap();
        assert_eq!(listed.len(), 1, "{name}");
        assert_eq!(listed[0].conversation_id.as_deref(), Some(conversation_id.as_str()));
        store
            .retry_delivery(listed[0].id, monday() + Duration::minutes(10))
            .await
            .unwrap();
        assert!(
            store.deliveries(&bounced).await.unwrap().is_empty(),
            "queued again on {name}"
        );
        let pending = DeliveryFilter {
            status: Some(OutboxStatus::Pending),
            ..bounced
        };
        assert_eq!(store.deliveries(&pending).await.unwrap().len(), 1);
        let retry_again = store.retry_delivery(listed[0].id, monday()).await;
        assert!(
            matches!(retry_again, Err(kept_store::StoreError::NotFound)),
            "not given up on any more"
        );
    }
}

#[tokio::test]
async fn what_a_customer_sent_is_unread_until_opened_and_keeps_its_attachments() {
    for (name, store, _db) in stores().await {
        let store = store.as_ref();
        let anna = staff(store, "anna@x.test", Role::Agent).await;
        let mut first = message("m-1", "jan", monday());
        first.attachments = vec![NewAttachment {
            filename: "foto.jpg".into(),
            content_type: "image/jpeg".into(),
            size_bytes: 3,
            data: Some(vec![1, 2, 3]),
        }];
        let recorded = store.record_inbound(first).await.unwrap();
        let conversation = recorded.conversation_id.clone();
        assert!(
            store.outbox_waiting(monday() - Duration::minutes(1)).await.unwrap() > 0,
            "{name}"
        );
        assert_eq!(
            store.outbox_waiting(monday()).await.unwrap(),
            0,
            "due now is not waiting on {name}"
        );

        assert_eq!(
            store.unread_among(&anna, &[conversation.as_str()]).await.unwrap(),
            std::slice::from_ref(&conversation)
        );
        store
            .mark_read(&conversation, &anna, monday() + Duration::minutes(1))
            .await
            .unwrap();
        assert!(
            store
                .unread_among(&anna, &[conversation.as_str()])
                .await
                .unwrap()
                .is_empty(),
            "{name}"
        );
        store
            .record_inbound(message("m-2", "jan", monday() + Duration::minutes(2)))
            .await
            .unwrap();
        assert_eq!(
            store.unread_among(&anna, &[conversation.as_str()]).await.unwrap().len(),
            1,
            "new again on {name}"
        );

        let tags = ConversationChange::Tags {
            add: vec!["spoed".into()],
            remove: Vec::new(),
        };
        store
            .change_conversation(&conversation, tags, &anna, monday())
            .await
            .unwrap();
        let choices = store.inbox_choices().await.unwrap();
        assert_eq!(
            (choices.channels, choices.tags),
            (vec!["chat".to_string()], vec!["spoed".to_string()])
        );

        let view = store.conversation(&conversation).await.unwrap().unwrap();
        let info = view.messages[0].attachments[0].clone();
        assert_eq!(
            (info.filename.as_str(), info.size_bytes, info.kept),
            ("foto.jpg", 3, true)
        );
        let (found, data) = store.attachment(&info.id).await.unwrap().unwrap();
        assert_eq!((found, data), (info, Some(vec![1, 2, 3])), "{name}");
        assert!(store.attachment("nothing").await.unwrap().is_none());
    }
}

#[tokio::test]
async fn a_customer_is_found_renamed_called_with_a_promise_and_their_history_told() {
    for (name, store, _db) in stores().await {
        let store = store.as_ref();
        let anna = staff(store, "anna@x.test", Role::Agent).await;
        let request = store.create_callback(callback("+31612345678", monday())).await.unwrap();
        let customer = request.customer_id.clone();
        let reached = reached(
            &request.id,
            &anna,
            Some("offerte gevraagd"),
            monday() + Duration::minutes(10),
        );
        store.record_outcome(reached).await.unwrap();
        let history = store.customer_history(&customer).await.unwrap();
        assert!(history.len() >= 2, "the request and the call on {name}: {history:?}");
        assert!(history.iter().any(|h| h.note.as_deref() == Some("offerte gevraagd")));

        assert_eq!(
            store.find_customers("Jan", None, 10).await.unwrap()[0].id,
            customer,
            "{name}"
        );
        assert_eq!(
            store.find_customers("", Some("+31612345678"), 10).await.unwrap()[0].id,
            customer
        );
        assert!(store.find_customers("Marieke", None, 10).await.unwrap().is_empty());
        store.rename_customer(&customer, Some("Jan Jansen")).await.unwrap();
        assert_eq!(
            store.customer(&customer).await.unwrap().unwrap().name.as_deref(),
            Some("Jan Jansen")
        );

        let due = monday() + Duration::days(2);
        let call = NewRecord::Call {
            direction: Direction::Outbound,
            summary: "Offerte besproken".into(),
        };
        let promised = [Promised {
            text: "Offerte mailen".into(),
            due_at: due,
        }];
        let record = store
            .add_record(&customer, &anna, call, &promised, monday() + Duration::hours(1))
            .await
            .unwrap();
        let timeline = store.customer_timeline(&customer).await.unwrap();
        assert!(
            timeline.iter().any(|t| t.id == record && t.text == "Offerte besproken"),
            "{name}: {timeline:?}"
        );

        let follow_ups = store.customer_follow_ups(&customer).await.unwrap();
        assert_eq!(follow_ups.len(), 1, "the promise in the call on {name}");
        let follow_up = store.follow_up(&follow_ups[0].id).await.unwrap().unwrap();
        assert_eq!((follow_up.text.as_str(), follow_up.due_at), ("Offerte mailen", due));
        assert!(store.follow_up("nothing").await.unwrap().is_none());
        let open_follow_ups = PromiseFilter {
            kinds: vec![PromiseKind::FollowUp],
            status: Some(PromiseStatus::Open),
            customer_id: Some(customer.clone()),
            owner_id: Some(anna.clone()),
            limit: 10,
        };
        let listed = store.list_promises(&open_follow_ups).await.unwrap();
        assert_eq!(listed.len(), 1, "{name}");
        assert_eq!(listed[0].id, follow_up.promise_id);

        let counts = store.customer_record_counts(&customer).await.unwrap();
        let count = |table: &str| counts.iter().find(|(t, _)| *t == table).map(|(_, n)| *n);
        assert_eq!(count("callback_requests"), Some(1), "{name}: {counts:?}");
        assert!(count("promises").is_some_and(|n| n >= 2), "{counts:?}");
    }
}

/// Customers are found by the beginnings of the words of their name, phone number and handles,
/// through every change of those: a rename, a new contact, a merge, an erasure.
#[tokio::test]
async fn customers_are_found_by_the_beginnings_of_their_words_through_every_change() {
    for (name, store, _db) in stores().await {
        let store = store.as_ref();
        let owner = staff(store, "owner@x.test", Role::Owner).await;
        let found = |text: &'static str| async move {
            let customers = store.find_customers(text, None, 10).await.unwrap();
            customers.into_iter().map(|c| c.id).collect::<Vec<_>>()
        };
        let jan = store
            .create_callback(callback("+31612345678", monday()))
            .await
            .unwrap()
            .customer_id;
        let mut mail = message("m-1", "marieke", monday());
        mail.channel = "email".into();
        mail.handle = "email:marieke.de.vries@example.nl".into();
        mail.name = Some("Marieke de Vriës".into());
        let marieke = store.record_inbound(mail).await.unwrap().customer_id;

        assert_eq!(found("jan").await, [jan.as_str()], "{name}");
        assert_eq!(found("3161234").await, [jan.as_str()], "{name}: the number's beginning");
        assert_eq!(found("VRIES").await, [marieke.as_str()], "{name}: folded, any case");
        assert_eq!(found("Mar de").await, [marieke.as_str()], "{name}: every word");
        assert_eq!(found("example.nl").await, [marieke.as_str()], "{name}: the address");
        assert!(found("arieke").await.is_empty(), "{name}: beginnings of words only");
        assert!(found("marieke jan").await.is_empty(), "{name}");

        store.rename_customer(&jan, Some("Piet Bakker")).await.unwrap();
        assert!(found("jan").await.is_empty(), "{name}: the old name no more");
        assert_eq!(found("bakk").await, [jan.as_str()], "{name}");
        let contact = kept_store::Contact::Handle("email:piet@fietsenmaker.nl".into());
        store.add_contact(&jan, contact, monday()).await.unwrap();
        assert_eq!(found("fietsenm").await, [jan.as_str()], "{name}");

        store.merge_customers(&jan, &marieke).await.unwrap();
        assert_eq!(found("marieke").await, [jan.as_str()], "{name}: found as the one kept");
        assert_eq!(found("piet").await, [jan.as_str()], "{name}: once");

        store.erase_customer(&jan, &owner, "verzoek", monday()).await.unwrap();
        assert!(found("piet").await.is_empty(), "{name}: erased");
        assert!(found("3161234").await.is_empty(), "{name}");

        // The name exactly as typed comes first, before names that sort earlier.
        let mut ids = Vec::new();
        for (n, who) in ["Anna Jansen", "Jansen"].into_iter().enumerate() {
            let mut mail = message(&format!("j-{n}"), &format!("jansen{n}"), monday());
            mail.name = Some(who.into());
            ids.push(store.record_inbound(mail).await.unwrap().customer_id);
        }
        assert_eq!(found("jansen").await, [ids[1].as_str(), ids[0].as_str()], "{name}");
    }
}

/// A customer's timeline a page at a time, newest first: walking it to the end gives the whole
/// timeline once, in its order, however the entries fall at the same moment.
#[tokio::test]
async fn a_long_timeline_is_read_a_page_at_a_time_newest_first() {
    for (name, store, _db) in stores().await {
        let store = store.as_ref();
        let mut customer = None;
        for n in 0..7 {
            // Two messages at each moment: the page boundary falls between equal times too.
            let at = monday() + Duration::minutes(n / 2);
            let recorded = store
                .record_inbound(message(&format!("t-{n}"), "@lang", at))
                .await
                .unwrap();
            customer = Some(recorded.customer_id);
        }
        let customer = customer.unwrap();
        let mut whole = store.customer_timeline(&customer).await.unwrap();
        whole.reverse();
        assert_eq!(whole.len(), 8, "{name}: seven messages and the promise to answer them");
        let mut walked = Vec::new();
        let mut before = None;
        loop {
            let page = store
                .customer_timeline_page(&customer, before.as_ref(), 3)
                .await
                .unwrap();
            assert!(page.entries.len() <= 3, "{name}");
            walked.extend(page.entries);
            match page.older {
                Some(older) => before = Some(older),
                None => break,
            }
        }
        assert_eq!(walked, whole, "{name}");
    }
}
