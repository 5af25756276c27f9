//! Call-me-back requests: the promise they make and what keeps or breaks it.

use crate::support::*;

use chrono::Duration;
use kept_domain::{CallOutcome, CallbackStatus, Lang, PromiseStatus};

#[tokio::test]
async fn a_callback_request_is_a_promise_kept_by_a_call_in_time_and_broken_by_a_late_one() {
    for shop in shops().await {
        let (app, db) = (&shop.app, shop.db.name);
        let early = kept_app::accept_callback(app, &call_me_back("asap"), Lang::Nl)
            .await
            .unwrap();
        assert_eq!(early.callback.status, CallbackStatus::Open, "{db}");
        assert_eq!(early.callback.promise_status, PromiseStatus::Open, "{db}");
        // "Zo snel mogelijk (binnen 90 minuten)", in opening hours.
        assert_eq!(early.callback.due_at, tuesday_morning() + Duration::minutes(90), "{db}");
        assert!(early.confirmation.contains("11:30"), "{db}: {}", early.confirmation);
        let open = kept_app::callbacks(app, Some(CallbackStatus::Open), 10).await.unwrap();
        assert_eq!(
            open.iter().map(|c| &c.id).collect::<Vec<_>>(),
            [&early.callback.id],
            "{db}"
        );

        // Called back within the hour: kept, and off the open list.
        shop.clock.set(tuesday_morning() + Duration::minutes(60));
        let called = kept_app::record_outcome(app, &shop.agent, &early.callback.id, CallOutcome::Reached, None)
            .await
            .unwrap();
        assert_eq!(called.promise_status, PromiseStatus::Kept, "{db}");
        assert_ne!(called.status, CallbackStatus::Open, "{db}");
        assert!(
            kept_app::callbacks(app, Some(CallbackStatus::Open), 10)
                .await
                .unwrap()
                .is_empty(),
            "{db}"
        );

        // Another customer asks; the call comes a minute after the promised time: broken.
        let late = kept_app::accept_callback(app, &call_me_back("asap"), Lang::Nl)
            .await
            .unwrap();
        shop.clock.set(late.callback.due_at + Duration::minutes(1));
        let called = kept_app::record_outcome(app, &shop.agent, &late.callback.id, CallOutcome::Reached, None)
            .await
            .unwrap();
        assert_eq!(called.promise_status, PromiseStatus::Broken, "{db}");
    }
}

#[tokio::test]
async fn no_answer_keeps_the_request_open_with_a_retry_promise() {
    for shop in shops().await {
        let (app, db) = (&shop.app, shop.db.name);
        let created = kept_app::accept_callback(app, &call_me_back("asap"), Lang::Nl)
            .await
            .unwrap()
            .callback;
        shop.clock.advance(Duration::minutes(10));
        let retry = kept_app::record_outcome(app, &shop.agent, &created.id, CallOutcome::NoAnswer, None)
            .await
            .unwrap();
        assert_eq!(retry.status, CallbackStatus::Open, "{db}");
        assert_eq!(retry.attempts, 1, "{db}");
        assert_eq!(
            retry.due_at,
            tuesday_morning() + Duration::minutes(70),
            "{db}: 60 business minutes later"
        );
        assert_ne!(retry.due_at, created.due_at, "{db}");
        let open = kept_app::callbacks(app, Some(CallbackStatus::Open), 10).await.unwrap();
        assert_eq!(open.len(), 1, "{db}");
    }
}

#[tokio::test]
async fn new_work_is_shared_round_robin_and_moves_to_the_stand_in() {
    for shop in shops().await {
        let (app, db) = (&shop.app, shop.db.name);
        let piet = shop.add_agent("piet@fiets.test", "Piet").await;
        let ask = |i: usize| {
            let mut asked = call_me_back("asap");
            asked.phone = Some(format!("061234567{i}"));
            asked
        };
        let mut owners = Vec::new();
        for i in 0..4 {
            let accepted = kept_app::accept_callback(app, &ask(i), Lang::Nl).await.unwrap();
            owners.push(accepted.callback.owner_name.unwrap());
        }
        owners.sort();
        assert_eq!(
            owners,
            ["Piet", "Piet", "Sanne", "Sanne"],
            "{db}: the owner gets no new work"
        );

        kept_app::set_away(app, &shop.owner, &shop.agent.id, Some(&piet.id))
            .await
            .unwrap();
        let open = kept_app::callbacks(app, Some(CallbackStatus::Open), 10).await.unwrap();
        assert!(
            open.iter().all(|c| c.owner_name.as_deref() == Some("Piet")),
            "{db}: Sanne's work moved to Piet: {open:?}"
        );
        for i in 5..7 {
            let accepted = kept_app::accept_callback(app, &ask(i), Lang::Nl).await.unwrap();
            assert_eq!(accepted.callback.owner_name.as_deref(), Some("Piet"), "{db}");
        }
    }
}

#[tokio::test]
async fn concurrent_requests_from_one_number_join_into_one_request() {
    for shop in shops().await {
        let (app, db) = (&shop.app, shop.db.name);
        let requests = (0..60).map(|i| async move {
            let mut asked = call_me_back("asap");
            asked.phone = Some(format!("06 1234 00{:02}", i % 20));
            asked.name = Some(format!("Klant {i}"));
            kept_app::accept_callback(app, &asked, Lang::Nl).await.unwrap().callback
        });
        let created = futures::future::join_all(requests).await;
        let mut customers: Vec<_> = created.iter().map(|c| (&c.phone, &c.customer_id)).collect();
        customers.sort();
        customers.dedup();
        assert_eq!(customers.len(), 20, "{db}: 20 numbers, 20 customers");
        // Three requests per number, at once: each number's later ones join its first.
        let listed = kept_app::callbacks(app, None, 100).await.unwrap();
        assert_eq!(listed.len(), 20, "{db}");
        assert!(listed.iter().all(|c| c.status == CallbackStatus::Open), "{db}");
        assert_eq!(
            listed.iter().map(|c| c.asks).sum::<i64>(),
            60,
            "{db}: every request counted"
        );
        assert!(
            created.iter().all(|c| c.owner_name.as_deref() == Some("Sanne")),
            "{db}: the only agent gets them all"
        );
    }
}
