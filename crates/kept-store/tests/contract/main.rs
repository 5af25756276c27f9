//! The store contract: the same writes and guards, checked against the store itself on SQLite
//! and (when `KEPT_TEST_POSTGRES_URL` names a server) PostgreSQL, so the backends cannot drift.

mod appointments;
mod coverage;
mod messages;
mod status_pages;
mod surveys;
mod team;

use std::sync::Arc;

use chrono::{DateTime, Duration, TimeZone, Utc};
use kept_domain::conversation::ConversationStatus;
use kept_domain::{CallOutcome, CancelReason, Closing, Delivery, Lang, OutboxEvent, PromiseStatus, Role};
use kept_store::{
    Contact, ConversationChange, Fanout, ListPage, NewCallback, NewFollowUp, NewInbound, NewOutcome, NewReply,
    NewStaff, Store, StoreError,
};

const ALL: Fanout = Fanout {
    email: true,
    webhook: true,
};

fn monday() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 23, 9, 0, 0).unwrap()
}

/// A fresh store per backend, with its name; the temp dir keeps the SQLite file alive.
async fn stores() -> Vec<(&'static str, Arc<dyn Store>, kept_testdb::TestDatabase)> {
    let mut stores = Vec::new();
    for database in kept_testdb::databases().await {
        stores.push((database.name, kept_store::open(&database.url).await.unwrap(), database));
    }
    stores
}

async fn staff(store: &dyn Store, email: &str, role: Role) -> String {
    store
        .add_staff(NewStaff {
            email: email.into(),
            name: email.split('@').next().unwrap().into(),
            role,
            lang: Lang::Nl,
            password_hash: "x".into(),
            now: monday(),
        })
        .await
        .unwrap()
        .id
}

fn callback(phone: &str, now: DateTime<Utc>) -> NewCallback {
    NewCallback {
        phone: phone.into(),
        name: Some("Jan".into()),
        window_code: "asap".into(),
        note: None,
        lang: Lang::Nl,
        not_before: now,
        due_at: now + Duration::minutes(90),
        now,
        fanout: ALL,
    }
}

/// `staff_id` reached the customer of `callback_id` at `now`.
fn reached(callback_id: &str, staff_id: &str, note: Option<&str>, now: DateTime<Utc>) -> NewOutcome {
    NewOutcome {
        callback_id: callback_id.into(),
        staff_id: staff_id.into(),
        outcome: CallOutcome::Reached,
        note: note.map(str::to_string),
        now,
        retry_due: None,
        fanout: ALL,
    }
}

fn message(external_id: &str, handle: &str, now: DateTime<Utc>) -> NewInbound {
    NewInbound {
        channel: "chat".into(),
        external_id: external_id.into(),
        handle: format!("chat:{handle}"),
        name: Some("Jan".into()),
        text: "Waar blijft mijn fiets?".into(),
        subject: None,
        thread: Vec::new(),
        needs_reply: true,
        sent_at: now,
        frustration: 10,
        reply_due: now + Duration::hours(1),
        now,
        fanout: ALL,
        attachments: Vec::new(),
    }
}

#[tokio::test]
async fn callbacks_go_round_robin_and_an_outcome_closes_the_promise_once() {
    for (name, store, _dir) in stores().await {
        let store = store.as_ref();
        let anna = staff(store, "anna@x.test", Role::Agent).await;
        let bram = staff(store, "bram@x.test", Role::Agent).await;
        staff(store, "olga@x.test", Role::Owner).await;
        let first = store.create_callback(callback("+31612345678", monday())).await.unwrap();
        let second = store.create_callback(callback("+31612345679", monday())).await.unwrap();
        let owners = [first.owner_id.clone().unwrap(), second.owner_id.clone().unwrap()];
        assert!(
            owners.contains(&anna) && owners.contains(&bram),
            "round robin on {name}"
        );
        assert_eq!(first.promise_status, PromiseStatus::Open);

        let outcome = |kind, at| NewOutcome {
            callback_id: first.id.clone(),
            staff_id: anna.clone(),
            outcome: kind,
            note: None,
            now: at,
            retry_due: Some(at + Duration::hours(1)),
            fanout: ALL,
        };
        let retried = store
            .record_outcome(outcome(CallOutcome::NoAnswer, monday()))
            .await
            .unwrap();
        assert_eq!(retried.attempts, 1);
        assert_ne!(retried.promise_id, first.promise_id, "a retry promise on {name}");
        let kept = store.promise(&first.promise_id).await.unwrap().unwrap();
        assert_eq!(kept.status, PromiseStatus::Kept);
        let late = monday() + Duration::hours(2);
        let closed = store.record_outcome(outcome(CallOutcome::Reached, late)).await.unwrap();
        assert_eq!(
            closed.promise_status,
            PromiseStatus::Broken,
            "the retry was called late"
        );
        let again = store.record_outcome(outcome(CallOutcome::Reached, late)).await;
        assert!(matches!(again, Err(StoreError::Conflict(_))), "{again:?} on {name}");
        let history = store.promise_history(&first.promise_id).await.unwrap();
        let events: Vec<&str> = history.iter().map(|h| h.event.as_str()).collect();
        assert_eq!(events, ["created", "kept"]);
    }
}

#[tokio::test]
async fn reminders_and_escalations_happen_once_and_are_announced_in_the_outbox() {
    for (name, store, _dir) in stores().await {
        let store = store.as_ref();
        staff(store, "anna@x.test", Role::Agent).await;
        staff(store, "olga@x.test", Role::Owner).await;
        staff(store, "otto@x.test", Role::Owner).await;
        store.create_callback(callback("+31612345678", monday())).await.unwrap();
        let lead = Duration::minutes(15);
        let before = monday() + Duration::minutes(80);
        assert_eq!(store.remind_due(monday(), lead, ALL).await.unwrap(), 0, "not yet");
        assert_eq!(store.remind_due(before, lead, ALL).await.unwrap(), 1, "{name}");
        assert_eq!(store.remind_due(before, lead, ALL).await.unwrap(), 0, "once");
        let after = monday() + Duration::minutes(91);
        assert_eq!(store.escalate_overdue(after, ALL).await.unwrap(), 1);
        assert_eq!(store.escalate_overdue(after, ALL).await.unwrap(), 0, "once");

        let items = store.claim_outbox(after, Duration::seconds(60), 100).await.unwrap();
        let count = |event, delivery| {
            items
                .iter()
                .filter(|i| i.event == event && i.delivery == delivery)
                .count()
        };
        assert_eq!(count(OutboxEvent::CallbackCreated, Delivery::Email), 1);
        assert_eq!(
            count(OutboxEvent::PromiseReminder, Delivery::Email),
            1,
            "to the owner of the promise"
        );
        assert_eq!(
            count(OutboxEvent::PromiseEscalated, Delivery::Email),
            2,
            "to both owners"
        );
        assert_eq!(count(OutboxEvent::PromiseEscalated, Delivery::Webhook), 1);
        assert!(
            store
                .claim_outbox(after, Duration::seconds(60), 100)
                .await
                .unwrap()
                .is_empty(),
            "leased items are not claimed twice"
        );
        let (done, failed) = (items[0].id, items[1].id);
        store.outbox_delivered(done, after).await.unwrap();
        store
            .outbox_failed(failed, "busy", Some(after + Duration::seconds(10)))
            .await
            .unwrap();
        let retried = store
            .claim_outbox(after + Duration::seconds(10), Duration::seconds(60), 100)
            .await
            .unwrap();
        assert_eq!(retried.iter().map(|i| i.id).collect::<Vec<_>>(), [failed], "{name}");
        assert_eq!(retried[0].attempts, 2);
        let counts = store.outbox_counts().await.unwrap();
        assert_eq!((counts.delivered, counts.retrying), (1, 1));
    }
}

/// A command run beside a server (adding staff, an import) opens the same SQLite file: it must
/// leave the server's leases alone, or the server's delivery could be taken over and sent twice.
/// Only `kept serve` starting releases them.
#[tokio::test]
async fn opening_the_store_again_leaves_leases_alone_until_a_server_starts() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}/kept.db", dir.path().display());
    let serving = kept_store::open(&url).await.unwrap();
    staff(serving.as_ref(), "anna@x.test", Role::Agent).await;
    serving
        .create_callback(callback("+31612345678", monday()))
        .await
        .unwrap();
    let claimed = serving.claim_outbox(monday(), Duration::seconds(60), 10).await.unwrap();
    assert!(
        !claimed.is_empty(),
        "the new request's notices, leased by the running server"
    );

    let command = kept_store::open(&url).await.unwrap();
    assert!(
        command
            .claim_outbox(monday(), Duration::seconds(60), 10)
            .await
            .unwrap()
            .is_empty(),
        "still leased after another process opened the file"
    );
    command.release_leases_at_start().await.unwrap();
    let again = command.claim_outbox(monday(), Duration::seconds(60), 10).await.unwrap();
    let ids = |items: &[kept_store::OutboxItem]| items.iter().map(|i| i.id).collect::<Vec<_>>();
    assert_eq!(ids(&again), ids(&claimed), "released by a restart");
}

#[tokio::test]
async fn a_message_is_stored_once_and_its_reply_promise_follows_the_conversation() {
    for (name, store, _dir) in stores().await {
        let store = store.as_ref();
        let anna = staff(store, "anna@x.test", Role::Agent).await;
        let bram = staff(store, "bram@x.test", Role::Agent).await;
        let first = store.record_inbound(message("m1", "@jan", monday())).await.unwrap();
        let again = store.record_inbound(message("m1", "@jan", monday())).await.unwrap();
        assert!(again.duplicate && again.message_id == first.message_id, "{name}");
        let promise = first.promise_id.clone().unwrap();
        let second = store.record_inbound(message("m2", "@jan", monday())).await.unwrap();
        assert_eq!(
            second.promise_id.as_deref(),
            Some(promise.as_str()),
            "one open promise per conversation"
        );

        let assign = ConversationChange::Assign { staff_id: bram.clone() };
        store
            .change_conversation(&first.conversation_id, assign, &anna, monday())
            .await
            .unwrap();
        assert_eq!(
            store.promise(&promise).await.unwrap().unwrap().owner_id.as_deref(),
            Some(bram.as_str())
        );
        store
            .record_reply(NewReply {
                conversation_id: first.conversation_id.clone(),
                staff_id: bram.clone(),
                text: "Hij is klaar!".into(),
                now: monday() + Duration::minutes(5),
                external_id: None,
                deliver_via: Delivery::Channel,
                promised: Vec::new(),
                subject: None,
            })
            .await
            .unwrap();
        let status = || async { store.promise(&promise).await.unwrap().unwrap().status };
        assert_eq!(
            status().await,
            PromiseStatus::Open,
            "not kept before it reaches the customer"
        );
        // The first try fails for good: still open, listed, and it can be tried again.
        let lease = Duration::minutes(1);
        let claimed = store
            .claim_outbox(monday() + Duration::minutes(6), lease, 10)
            .await
            .unwrap();
        let reply = claimed.iter().find(|i| i.event == OutboxEvent::MessageReply).unwrap();
        store
            .outbox_failed(reply.id, "550 Mailbox unavailable", None)
            .await
            .unwrap();
        assert_eq!(status().await, PromiseStatus::Open);
        let failed = store.failed_replies(10).await.unwrap();
        assert_eq!(failed.len(), 1, "{name}");
        assert_eq!(
            (failed[0].outbox_id, failed[0].reason.as_str()),
            (reply.id, "550 Mailbox unavailable")
        );
        let later = monday() + Duration::days(1);
        store.retry_reply(reply.id, later).await.unwrap();
        assert!(matches!(
            store.retry_reply(reply.id, later).await,
            Err(StoreError::NotFound)
        ));
        // Delivered a day later, but written in time: kept.
        let claimed = store.claim_outbox(later, lease, 10).await.unwrap();
        assert!(claimed.iter().any(|i| i.id == reply.id), "queued again");
        store.outbox_delivered(reply.id, later).await.unwrap();
        assert_eq!(status().await, PromiseStatus::Kept, "{name}");
        assert!(store.failed_replies(10).await.unwrap().is_empty());
        // A new question opens a new promise; resolving cancels it.
        let third = store.record_inbound(message("m3", "@jan", monday())).await.unwrap();
        let reopened = third.promise_id.unwrap();
        assert_ne!(reopened, promise);
        let resolve = ConversationChange::Status(ConversationStatus::Resolved);
        store
            .change_conversation(&first.conversation_id, resolve, &anna, monday())
            .await
            .unwrap();
        assert_eq!(
            store.promise(&reopened).await.unwrap().unwrap().status,
            PromiseStatus::Cancelled
        );
    }
}

#[tokio::test]
async fn follow_ups_close_once_and_only_in_the_ways_their_kind_allows() {
    for (name, store, _dir) in stores().await {
        let store = store.as_ref();
        let anna = staff(store, "anna@x.test", Role::Agent).await;
        let customer = store
            .create_callback(callback("+31612345678", monday()))
            .await
            .unwrap()
            .customer_id;
        let new = |text: &str| NewFollowUp {
            customer_id: customer.clone(),
            staff_id: anna.clone(),
            owner_id: anna.clone(),
            text: text.into(),
            due_at: monday() + Duration::days(1),
            now: monday(),
        };
        let quote = store.create_follow_up(new("Offerte sturen")).await.unwrap();
        let done = store
            .close_follow_up(&quote.id, Closing::Fulfilled, &anna, monday())
            .await
            .unwrap();
        assert_eq!(done.promise_status, PromiseStatus::Kept, "{name}");
        let twice = store
            .close_follow_up(&quote.id, Closing::Fulfilled, &anna, monday())
            .await;
        assert!(matches!(twice, Err(StoreError::Conflict(_))), "{twice:?}");
        let call = store.create_follow_up(new("Terugbellen")).await.unwrap();
        let resolved = Closing::Cancelled(CancelReason::Resolved);
        let refused = store.close_follow_up(&call.id, resolved, &anna, monday()).await;
        assert!(
            matches!(refused, Err(StoreError::Conflict(_))),
            "only replies are resolved"
        );
        let withdrawn = Closing::Cancelled(CancelReason::Withdrawn);
        let call = store
            .close_follow_up(&call.id, withdrawn, &anna, monday())
            .await
            .unwrap();
        assert_eq!(call.promise_status, PromiseStatus::Cancelled);
        let unknown = NewFollowUp {
            customer_id: "nobody".into(),
            ..new("x")
        };
        assert!(matches!(
            store.create_follow_up(unknown).await,
            Err(StoreError::NotFound)
        ));
    }
}

#[tokio::test]
async fn away_hands_open_promises_to_the_stand_in_and_merge_moves_everything() {
    for (name, store, _dir) in stores().await {
        let store = store.as_ref();
        let anna = staff(store, "anna@x.test", Role::Agent).await;
        let olga = staff(store, "olga@x.test", Role::Owner).await;
        let request = store.create_callback(callback("+31612345678", monday())).await.unwrap();
        assert_eq!(request.owner_id.as_deref(), Some(anna.as_str()));
        assert!(matches!(
            store.set_away(&anna, Some(&anna), monday()).await,
            Err(StoreError::Conflict(_))
        ));
        assert!(matches!(
            store.set_away("nobody", Some(&olga), monday()).await,
            Err(StoreError::NotFound)
        ));
        store.set_away(&anna, Some(&olga), monday()).await.unwrap();
        let moved = store.promise(&request.promise_id).await.unwrap().unwrap();
        assert_eq!(moved.owner_id.as_deref(), Some(olga.as_str()), "{name}");

        let chat = store.record_inbound(message("m1", "@jan", monday())).await.unwrap();
        let taken = store
            .add_contact(&chat.customer_id, Contact::Phone("+31612345678".into()), monday())
            .await;
        assert!(
            matches!(taken, Err(StoreError::Conflict(_))),
            "the number belongs to the other record"
        );
        let merged = store
            .merge_customers(&request.customer_id, &chat.customer_id)
            .await
            .unwrap();
        assert_eq!(merged.handles, ["chat:@jan"]);
        assert!(store.customer(&chat.customer_id).await.unwrap().is_none());
        let conversation = store.conversation(&chat.conversation_id).await.unwrap().unwrap();
        assert_eq!(conversation.customer_id, request.customer_id);
        let promise = store
            .promise(chat.promise_id.as_deref().unwrap())
            .await
            .unwrap()
            .unwrap();
        assert_eq!(promise.customer_id.as_deref(), Some(request.customer_id.as_str()));
        let itself = store.merge_customers(&request.customer_id, &request.customer_id).await;
        assert!(matches!(itself, Err(StoreError::Conflict(_))));
    }
}

#[tokio::test]
async fn an_erased_customer_leaves_an_anonymous_record_and_cancelled_promises() {
    for (name, store, _dir) in stores().await {
        let store = store.as_ref();
        let anna = staff(store, "anna@x.test", Role::Agent).await;
        let request = store.create_callback(callback("+31612345678", monday())).await.unwrap();
        let export = store.export_customer(&request.customer_id, monday()).await.unwrap();
        assert_eq!(export.records["callback_requests"][0]["phone"], "+31612345678");
        let erasure = store
            .erase_customer(&request.customer_id, &anna, "asked", monday())
            .await
            .unwrap();
        assert_eq!(erasure.removed["callback_requests"], 1, "{name}");
        assert_eq!(erasure.removed["promises"], 1, "anonymised, not deleted");
        assert!(store.customer(&request.customer_id).await.unwrap().is_none());
        assert!(store.callback(&request.id).await.unwrap().is_none());
        let promise = store.promise(&request.promise_id).await.unwrap().unwrap();
        assert_eq!((promise.status, promise.customer_id), (PromiseStatus::Cancelled, None));
        assert_eq!(store.erasures().await.unwrap(), [erasure]);
        let again = store
            .erase_customer(&request.customer_id, &anna, "asked", monday())
            .await;
        assert!(matches!(again, Err(StoreError::NotFound)));
        assert!(matches!(
            store.export_customer("nobody", monday()).await,
            Err(StoreError::NotFound)
        ));
    }
}

#[tokio::test]
async fn saved_replies_unreadable_mail_and_the_search_index_keep_their_promises() {
    use kept_domain::search::SearchQuery;
    use kept_store::{NewUnreadableMail, SearchFilter};
    for (name, store, _dir) in stores().await {
        let store = store.as_ref();
        // Saved replies: one per name; saving the same name again replaces it.
        let first = store.save_reply_template("Groet", "Hallo", monday()).await.unwrap();
        let again = store.save_reply_template("Groet", "Beste", monday()).await.unwrap();
        assert_eq!(first.id, again.id, "{name}");
        assert_eq!(store.reply_templates().await.unwrap()[0].body, "Beste");
        store.delete_reply_template(&first.id).await.unwrap();
        assert!(matches!(
            store.delete_reply_template(&first.id).await,
            Err(StoreError::NotFound)
        ));

        // Unreadable mail: stored once per fingerprint, byte for byte, until someone looks.
        let raw = b"no headers at all \x00\xff".to_vec();
        let mail = |fingerprint: &str| NewUnreadableMail {
            fingerprint: fingerprint.into(),
            source: "http".into(),
            reason: "no sender".into(),
            raw: raw.clone(),
            now: monday(),
        };
        let (id, new) = store.record_unreadable_mail(mail("f1")).await.unwrap();
        let (same, new_again) = store.record_unreadable_mail(mail("f1")).await.unwrap();
        assert!(new && !new_again && id == same, "{name}");
        assert_eq!(store.unreadable_raw(&id).await.unwrap(), Some(raw.clone()));
        let anna = staff(store, "anna@x.test", Role::Agent).await;
        store.mark_unreadable_handled(&id, &anna, monday()).await.unwrap();
        assert!(store.unreadable_mail(false).await.unwrap().is_empty());
        assert_eq!(store.unreadable_mail(true).await.unwrap().len(), 1);

        // The search index follows the message in the same transaction, and word forms match.
        let mut kapot = message("m1", "@jan", monday());
        kapot.text = "Mijn fietsbellen zijn kapot".into();
        let stored = store.record_inbound(kapot).await.unwrap();
        let find = |words: &str| SearchFilter {
            query: SearchQuery::parse(words, None, None).unwrap(),
            from: None,
            until: None,
            limit: 25,
            before: None,
        };
        let ids = |page: &kept_store::SearchPage| page.hits.iter().map(|h| h.id.clone()).collect::<Vec<_>>();
        let page = store.search(&find("kapot")).await.unwrap();
        assert_eq!(ids(&page), vec![stored.message_id.clone()]);
        assert_eq!(page.next, None, "{name}: one page only");
        assert!(
            store.search(&find("kapot lek")).await.unwrap().hits.is_empty(),
            "every word must match"
        );

        // The most recently recorded first, page by page; a date range is exact at its edges.
        let mut older = Vec::new();
        for (n, days_before) in [(2, 40), (3, 35), (4, 1)] {
            let mut message = message(
                &format!("m{n}"),
                &format!("@kapot{n}"),
                monday() - Duration::days(days_before),
            );
            message.text = "De ketting is weer kapot".into();
            older.push(store.record_inbound(message).await.unwrap().message_id);
        }
        let mut two = find("kapot");
        two.limit = 2;
        let first = store.search(&two).await.unwrap();
        assert_eq!(ids(&first), [older[2].clone(), older[1].clone()], "{name}");
        two.before = first.next;
        let second = store.search(&two).await.unwrap();
        assert_eq!(ids(&second), [older[0].clone(), stored.message_id.clone()], "{name}");
        two.before = second.next;
        assert!(
            store.search(&two).await.unwrap().hits.is_empty(),
            "{name}: nothing after the last page"
        );
        let mut range = find("kapot");
        range.from = Some(monday() - Duration::days(35));
        range.until = Some(monday() - Duration::days(1));
        assert_eq!(
            ids(&store.search(&range).await.unwrap()),
            [older[1].clone()],
            "{name}: from is inclusive, until exclusive"
        );

        store
            .erase_customer(&stored.customer_id, &anna, "asked", monday())
            .await
            .unwrap();
        assert!(
            !ids(&store.search(&find("kapot")).await.unwrap()).contains(&stored.message_id),
            "{name}: erased from the index"
        );
    }
}

#[tokio::test]
async fn messages_arriving_together_end_as_if_stored_one_after_another() {
    for (name, store, _dir) in stores().await {
        let store = store.as_ref();
        let anna = staff(store, "anna@x.test", Role::Agent).await;
        let bram = staff(store, "bram@x.test", Role::Agent).await;
        let auto_reply = NewInbound {
            needs_reply: false,
            ..message("a1", "@piet", monday())
        };
        let answer_to_m1 = NewInbound {
            thread: vec!["m1".into()],
            ..message("t1", "@klaas", monday())
        };
        let frustrated = NewInbound {
            frustration: 90,
            ..message("f1", "@piet", monday())
        };
        // Sent before the writer runs (one task, a current-thread runtime): one group commit.
        let together = [
            message("m1", "@jan", monday()),
            message("m2", "@jan", monday()),
            message("m1", "@jan", monday()),
            auto_reply,
            answer_to_m1,
            frustrated,
        ];
        let r: Vec<_> = futures::future::join_all(together.into_iter().map(|m| store.record_inbound(m)))
            .await
            .into_iter()
            .collect::<Result<_, _>>()
            .unwrap();
        let jan = &r[0];
        assert!(!jan.duplicate && !r[1].duplicate, "{name}");
        assert_eq!(
            (&r[1].customer_id, &r[1].conversation_id, &r[1].promise_id),
            (&jan.customer_id, &jan.conversation_id, &jan.promise_id),
            "{name}: one customer per handle, one conversation and one open promise"
        );
        assert!(
            r[2].duplicate && r[2].message_id == jan.message_id,
            "{name}: stored once"
        );
        assert_ne!(r[3].conversation_id, jan.conversation_id);
        assert_eq!(r[3].promise_id, None, "{name}: nobody owes an answer to an auto-reply");
        assert_eq!(
            (&r[4].conversation_id, &r[4].promise_id),
            (&jan.conversation_id, &jan.promise_id),
            "{name}: an answer to m1 joins its conversation"
        );
        assert_ne!(r[4].customer_id, jan.customer_id);
        assert_eq!(r[5].conversation_id, r[3].conversation_id, "{name}");
        let piet_promise = r[5].promise_id.clone().expect("a question opens a promise");
        assert_ne!(Some(&piet_promise), jan.promise_id.as_ref());
        let owner = |id: String| async move { store.promise(&id).await.unwrap().unwrap().owner_id.unwrap() };
        let owners = [
            owner(jan.promise_id.clone().unwrap()).await,
            owner(piet_promise.clone()).await,
        ];
        assert!(
            owners.contains(&anna) && owners.contains(&bram),
            "{name}: round robin over the batch"
        );
        // What the batch wrote is what the next message finds.
        let later = monday() + Duration::minutes(1);
        let next = store.record_inbound(message("m3", "@jan", later)).await.unwrap();
        assert_eq!(
            (&next.conversation_id, &next.promise_id),
            (&jan.conversation_id, &jan.promise_id),
            "{name}"
        );
        let next = store.record_inbound(message("f2", "@piet", later)).await.unwrap();
        assert_eq!(next.promise_id, Some(piet_promise), "{name}");
        let claimed = store.claim_outbox(later, Duration::minutes(1), 100).await.unwrap();
        let mut announced: Vec<&str> = claimed
            .iter()
            .filter(|i| i.event == OutboxEvent::MessageReceived)
            .map(|i| i.subject_id.as_str())
            .collect();
        announced.sort_unstable();
        announced.dedup();
        assert_eq!(announced.len(), 2, "{name}: each new promise announced");
    }
}

/// The batched writes (on SQLite through its writer thread) and the store's other writes take
/// turns: a burst of both lands whole, on several worker threads, and nothing is refused as busy.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn batched_writes_and_other_writes_at_the_same_time_all_land() {
    for (name, store, _dir) in stores().await {
        let anna = staff(store.as_ref(), "anna@x.test", Role::Agent).await;
        let mut callbacks = Vec::new();
        let mut messages = Vec::new();
        let mut sessions = Vec::new();
        for n in 0..150 {
            let s = store.clone();
            callbacks.push(tokio::spawn(async move {
                s.create_callback(callback(&format!("+3161{n:07}"), monday())).await
            }));
            let s = store.clone();
            messages.push(tokio::spawn(async move {
                s.record_inbound(message(&format!("m{n}"), &format!("@c{}", n % 50), monday()))
                    .await
            }));
            let (s, anna) = (store.clone(), anna.clone());
            sessions.push(tokio::spawn(async move {
                s.create_session(kept_store::NewSession {
                    token_hash: format!("hash {n}"),
                    staff_id: anna,
                    csrf_token: format!("csrf {n}"),
                    now: monday(),
                    expires_at: monday() + Duration::days(1),
                })
                .await
            }));
        }
        for task in callbacks {
            task.await.unwrap().unwrap_or_else(|e| panic!("{name}: callback: {e}"));
        }
        for task in messages {
            task.await.unwrap().unwrap_or_else(|e| panic!("{name}: message: {e}"));
        }
        for task in sessions {
            task.await.unwrap().unwrap_or_else(|e| panic!("{name}: session: {e}"));
        }
        let stored = store.list_callbacks(None, 1000).await.unwrap();
        assert_eq!(stored.len(), 150, "{name}");
        assert!(
            stored.iter().all(|c| c.owner_id.as_deref() == Some(anna.as_str())),
            "{name}"
        );
        let filter = kept_store::ConversationFilter {
            status: None,
            assignee: kept_store::AssigneeFilter::Anyone,
            channel: None,
            tag: None,
        };
        let conversations = store
            .list_conversations(&filter, &ListPage::First, 1000)
            .await
            .unwrap()
            .rows;
        assert_eq!(conversations.len(), 50, "{name}: one per handle");
        for n in [0, 149] {
            let session = store.session(&format!("hash {n}"), monday()).await.unwrap();
            assert!(session.is_some(), "{name}: session {n}");
        }
    }
}

/// A burst of changes of one kind is announced once: every accepted request used to send its
/// own notice (on PostgreSQL a NOTIFY each), waking every page and outbox worker as often.
#[tokio::test]
async fn changes_published_in_a_burst_are_announced_once_per_kind() {
    for (name, store, _dir) in stores().await {
        let mut heard = store.subscribe_changes();
        // No await in between: the announcer runs only after the whole burst was published.
        for _ in 0..100 {
            store.publish_change("callbacks");
        }
        store.publish_change("team");
        let mut kinds = Vec::new();
        while kinds.last().map(String::as_str) != Some("team") {
            let next = tokio::time::timeout(std::time::Duration::from_secs(10), heard.recv()).await;
            kinds.push(next.expect("announced within 10 s").unwrap());
        }
        assert_eq!(kinds, ["callbacks", "team"], "on {name}");
    }
}

#[tokio::test]
async fn a_date_range_finds_its_newest_rows_first_however_late_they_were_recorded() {
    use kept_domain::search::SearchQuery;
    use kept_store::SearchFilter;
    let start = monday() - Duration::days(30);
    let end = monday() - Duration::days(1);
    for (name, store, _dir) in stores().await {
        let store = store.as_ref();
        let record = async |id: &str, handle: &str, text: &str, sent_at| {
            let mut message = message(id, handle, sent_at);
            message.text = text.into();
            store.record_inbound(message).await.unwrap().message_id
        };
        let first = record("e1", "@a", "Mijn bel is stuk", start + Duration::hours(1)).await;
        let second = record("e2", "@b", "De bel doet het niet", start + Duration::hours(2)).await;
        // More rows than PostgreSQL walks for a page of two, none of them a match.
        for n in 0..200 {
            let sent_at = start + Duration::hours(3) + Duration::minutes(n);
            record(&format!("f{n}"), "@c", "Waar blijft mijn fiets?", sent_at).await;
        }
        // Fetched late: recorded after all the others, said early in the range.
        let late = record("l1", "@d", "Nog een bel kapot", start + Duration::minutes(30)).await;
        let after = record("o1", "@e", "Een bel, na het einde", end + Duration::hours(1)).await;

        let mut range = SearchFilter {
            query: SearchQuery::parse("bel", None, None).unwrap(),
            from: Some(start),
            until: Some(end),
            limit: 2,
            before: None,
        };
        let ids = |page: &kept_store::SearchPage| page.hits.iter().map(|h| h.id.clone()).collect::<Vec<_>>();
        let page = store.search(&range).await.unwrap();
        assert_eq!(ids(&page), [late.clone(), second], "{name}: newest recorded first");
        range.before = page.next;
        let page = store.search(&range).await.unwrap();
        assert_eq!(ids(&page), vec![first.clone()], "{name}: the rest of the range");
        assert_eq!(page.next, None, "{name}");
        // A word too rare for walking: found below the walk all the same.
        let mut rare = range.clone();
        rare.query = SearchQuery::parse("stuk", None, None).unwrap();
        rare.before = None;
        assert_eq!(ids(&store.search(&rare).await.unwrap()), vec![first], "{name}");
        range.from = None;
        range.until = None;
        range.before = None;
        assert_eq!(ids(&store.search(&range).await.unwrap()), [after, late], "{name}");
    }
}

/// Two nodes on one database: who is behind an API token is remembered for a few seconds per
/// node. A new role, a revoke or a departure counts at once on the node that made it, and on the
/// other node once what it remembers is older than `API_TOKEN_FRESH_FOR`.
#[tokio::test]
async fn a_tokens_changes_count_at_once_here_and_within_seconds_on_another_node() {
    for database in kept_testdb::databases().await {
        let (name, url) = (database.name, &database.url);
        let here = kept_store::open(url).await.unwrap();
        let there = kept_store::open(url).await.unwrap();
        let anna = staff(here.as_ref(), "anna@x.test", Role::Owner).await;
        let bert = staff(here.as_ref(), "bert@x.test", Role::Agent).await;
        let annas = here
            .add_api_token("hash-anna", &anna, "import", monday())
            .await
            .unwrap();
        here.add_api_token("hash-bert", &bert, "import", monday())
            .await
            .unwrap();
        let behind = |node: &Arc<dyn Store>, hash: &'static str, at: DateTime<Utc>| {
            let node = node.clone();
            async move { node.staff_by_api_token(hash, at).await.unwrap().map(|s| s.id) }
        };
        for node in [&here, &there] {
            assert_eq!(behind(node, "hash-anna", monday()).await, Some(anna.clone()), "{name}");
            assert_eq!(behind(node, "hash-bert", monday()).await, Some(bert.clone()), "{name}");
        }

        // A promotion counts at once on the node that made it: roles decide what a token may do.
        let promoted = kept_store::StaffChange {
            name: None,
            role: Some(Role::Owner),
        };
        here.change_staff(&bert, promoted).await.unwrap();
        let role = here
            .staff_by_api_token("hash-bert", monday())
            .await
            .unwrap()
            .map(|s| s.role);
        assert_eq!(role, Some(Role::Owner), "{name}: the new role, at once here");

        here.revoke_api_token(&annas, None).await.unwrap();
        here.deactivate_staff(&bert, &anna, monday()).await.unwrap();
        assert_eq!(
            behind(&here, "hash-anna", monday()).await,
            None,
            "{name}: revoked, at once here"
        );
        assert_eq!(
            behind(&here, "hash-bert", monday()).await,
            None,
            "{name}: gone, at once here"
        );

        let almost = monday() + kept_store::API_TOKEN_FRESH_FOR - Duration::milliseconds(1);
        assert_eq!(
            behind(&there, "hash-anna", almost).await,
            Some(anna.clone()),
            "{name}: still remembered on the other node"
        );
        let fresh_for = monday() + kept_store::API_TOKEN_FRESH_FOR;
        assert_eq!(
            behind(&there, "hash-anna", fresh_for).await,
            None,
            "{name}: revoked there too"
        );
        assert_eq!(
            behind(&there, "hash-bert", fresh_for).await,
            None,
            "{name}: gone there too"
        );
    }
}
