//! Reminders before a promise is due and escalation when it is overdue, driven by the
//! injected clock; exactly once, also with two nodes on one database.

use chrono::Duration;
use kept_app::timers::check_deadlines;
use kept_domain::{CallOutcome, CallbackStatus, Clock, Delivery, Lang, OutboxEvent, PromiseStatus};

use crate::support::*;

#[tokio::test]
async fn owner_of_the_promise_is_reminded_then_the_business_owner_is_escalated_to_once() {
    for shop in shops_with_post().await {
        let (app, db) = (&shop.app, shop.db.name);
        let post = Post::new(app);
        let created = kept_app::accept_callback(app, &call_me_back("asap"), Lang::Nl)
            .await
            .unwrap()
            .callback;
        post.deliver().await;
        assert_eq!(
            post.emailed(OutboxEvent::CallbackCreated),
            [shop.agent.id.as_str()],
            "{db}"
        );

        // 80 of the 90 minutes pass: inside the 15-minute reminder lead.
        shop.clock.advance(Duration::minutes(80));
        assert_eq!(check_deadlines(app).await.unwrap(), (1, 0), "{db}");
        post.deliver().await;
        assert_eq!(
            post.emailed(OutboxEvent::PromiseReminder),
            [shop.agent.id.as_str()],
            "{db}"
        );
        assert!(
            post.emailed(OutboxEvent::PromiseEscalated).is_empty(),
            "{db}: no escalation before the deadline"
        );

        shop.clock.advance(Duration::minutes(11));
        assert_eq!(check_deadlines(app).await.unwrap(), (0, 1), "{db}");
        post.deliver().await;
        assert_eq!(
            post.emailed(OutboxEvent::PromiseEscalated),
            [shop.owner.id.as_str()],
            "{db}"
        );
        assert_eq!(
            post.of(Delivery::Webhook, OutboxEvent::PromiseReminder).len(),
            1,
            "{db}"
        );
        assert_eq!(
            post.of(Delivery::Webhook, OutboxEvent::PromiseEscalated).len(),
            1,
            "{db}"
        );

        // However often the timer runs from now on, nothing more is sent.
        shop.clock.advance(Duration::hours(5));
        for _ in 0..5 {
            assert_eq!(check_deadlines(app).await.unwrap(), (0, 0), "{db}");
        }
        assert!(post.deliver().await.is_empty(), "{db}");
        let open = kept_app::callbacks(app, Some(CallbackStatus::Open), 10).await.unwrap();
        assert_eq!(open[0].id, created.id, "{db}");
        assert!(
            open[0].escalated && open[0].due_at < shop.clock.now(),
            "{db}: overdue in the list"
        );

        // Calling back late closes the request but the promise counts as broken.
        let closed = kept_app::record_outcome(app, &shop.agent, &created.id, CallOutcome::Reached, None)
            .await
            .unwrap();
        assert_eq!(closed.promise_status, PromiseStatus::Broken, "{db}");
    }
}

#[tokio::test]
async fn a_request_due_within_the_reminder_lead_is_not_reminded_but_escalated() {
    for shop in shops_with(|config| {
        with_post(config);
        config.reminder_lead_minutes = 30;
    })
    .await
    {
        let (app, db) = (&shop.app, shop.db.name);
        let post = Post::new(app);
        // 21:10 local, evening window: due at 21:30, already inside the 30-minute reminder lead.
        shop.clock.set(tuesday_morning() + Duration::minutes(11 * 60 + 10));
        let created = kept_app::accept_callback(app, &call_me_back("evening"), Lang::Nl)
            .await
            .unwrap()
            .callback;
        assert_eq!(created.due_at.to_rfc3339(), "2026-11-24T20:30:00+00:00", "{db}");
        shop.clock.advance(Duration::minutes(21));
        assert_eq!(check_deadlines(app).await.unwrap(), (0, 1), "{db}");
        assert_eq!(check_deadlines(app).await.unwrap(), (0, 0), "{db}");
        post.deliver().await;
        assert_eq!(
            post.emailed(OutboxEvent::PromiseEscalated),
            [shop.owner.id.as_str()],
            "{db}"
        );
        assert!(
            post.emailed(OutboxEvent::PromiseReminder).is_empty(),
            "{db}: no reminder was sent"
        );
        assert!(
            post.of(Delivery::Webhook, OutboxEvent::PromiseReminder).is_empty(),
            "{db}"
        );
    }
}

#[tokio::test]
async fn two_nodes_on_one_database_escalate_and_notify_exactly_once() {
    for shop in shops_with_post().await {
        let db = shop.db.name;
        let second = shop.another_node().await;
        let nodes = [&shop.app, &second];
        for i in 0..10 {
            let mut asked = call_me_back("asap");
            asked.phone = Some(format!("06123456{i:02}"));
            kept_app::accept_callback(nodes[i % 2], &asked, Lang::Nl).await.unwrap();
        }
        let posts = [Post::new(&shop.app), Post::new(&second)];
        let (a, b) = tokio::join!(posts[0].deliver(), posts[1].deliver());
        assert_eq!(a.len() + b.len(), 20, "{db}: a new-request e-mail and webhook each");

        shop.clock.advance(Duration::minutes(91));
        // Both nodes' timers race for the same rows, then both nodes deliver.
        let (a, b) = tokio::join!(check_deadlines(&shop.app), check_deadlines(&second));
        assert_eq!(a.unwrap().1 + b.unwrap().1, 10, "{db}: each promise escalated once");
        let (a, b) = tokio::join!(posts[0].deliver(), posts[1].deliver());
        let mut escalations: Vec<_> = a.into_iter().chain(b).collect();
        assert_eq!(escalations.len(), 20, "{db}: an escalation e-mail and webhook each");
        escalations.sort_by(|x, y| (&x.subject_id, x.delivery.as_str()).cmp(&(&y.subject_id, y.delivery.as_str())));
        escalations.dedup();
        assert_eq!(escalations.len(), 20, "{db}: and no duplicates");
        assert!(
            escalations.iter().all(|c| c.event == OutboxEvent::PromiseEscalated),
            "{db}"
        );
    }
}
