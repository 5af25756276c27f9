//! Reminders before a promise is due and escalation when it is overdue, driven by the
//! injected clock; exactly once, also with two nodes on one database.

use crate::support::*;
use chrono::Duration;
use kept_server::workers::check_deadlines;
use serde_json::{Value, json};

#[tokio::test]
async fn owner_of_the_promise_is_reminded_then_the_business_owner_is_escalated_to_once() {
    for db in databases().await {
        let server = TestServer::start(&db.url).await;
        let state = &server.running.state;
        let created = server.created(json!({"phone": "0612345678", "name": "Jan"})).await;
        let (agent, owner) = (server.agent_email.clone(), server.owner_email.clone());
        eventually(10, "the new-request e-mail", || async {
            server.smtp.to(&agent).len() == 1
        })
        .await;

        // 80 of the 90 minutes pass: inside the 15-minute reminder lead.
        server.clock.advance(Duration::minutes(80));
        eventually(10, "the reminder", || async { server.smtp.to(&agent).len() == 2 }).await;
        let reminder = &server.smtp.to(&agent)[1];
        assert!(
            reminder.subject.starts_with("Herinnering"),
            "{} on {}",
            reminder.subject,
            db.name
        );
        assert!(server.smtp.to(&owner).is_empty(), "no escalation before the deadline");

        server.clock.advance(Duration::minutes(11));
        eventually(10, "the escalation", || async { server.smtp.to(&owner).len() == 1 }).await;
        assert!(server.smtp.to(&owner)[0].subject.starts_with("Te laat"));
        eventually(10, "all webhooks", || async {
            server.hooks.events("promise.reminder").len() == 1 && server.hooks.events("promise.escalated").len() == 1
        })
        .await;

        // However often the timer runs from now on, nothing more is sent.
        server.clock.advance(Duration::hours(5));
        for _ in 0..5 {
            assert_eq!(check_deadlines(state).await, (0, 0));
        }
        let open: Vec<Value> = server
            .api_get("/api/v1/callback-requests?status=open")
            .await
            .json()
            .await
            .unwrap();
        assert_eq!(open[0]["id"], created["id"]);
        assert_eq!(open[0]["overdue"], true, "overdue shows in the list");
        assert_eq!(server.smtp.to(&owner).len(), 1);
        assert_eq!(server.smtp.to(&agent).len(), 2);

        // Calling back late closes the request but the promise counts as broken.
        let closed: Value = server
            .api_post(
                &format!("/api/v1/callback-requests/{}/outcome", created["id"].as_str().unwrap()),
                json!({"outcome": "reached"}),
            )
            .await
            .json()
            .await
            .unwrap();
        assert_eq!(closed["promise_status"], "broken");
        server.running.stop().await;
    }
}

#[tokio::test]
async fn a_request_due_within_the_reminder_lead_is_not_reminded_but_escalated() {
    let db = TestDatabase::sqlite();
    let server = TestServer::start_with(&db.url, |config| config.reminder_lead_minutes = 30).await;
    // 21:10 local, evening window: due at 21:30, already inside the 30-minute reminder lead.
    server.clock.set(tuesday_morning() + Duration::minutes(11 * 60 + 10));
    let created = server
        .created(json!({"phone": "0612345678", "window": "evening"}))
        .await;
    assert_eq!(created["due_at"], "2026-11-24T20:30:00Z");
    let (agent, owner) = (server.agent_email.clone(), server.owner_email.clone());
    eventually(10, "the new-request e-mail", || async {
        server.smtp.to(&agent).len() == 1
    })
    .await;
    server.clock.advance(Duration::minutes(21));
    eventually(10, "the escalation", || async { server.smtp.to(&owner).len() == 1 }).await;
    assert_eq!(check_deadlines(&server.running.state).await, (0, 0));
    assert_eq!(server.smtp.to(&agent).len(), 1, "no reminder was sent");
    assert!(server.hooks.events("promise.reminder").is_empty());
    server.running.stop().await;
}

#[tokio::test]
async fn two_nodes_on_one_database_escalate_and_notify_exactly_once() {
    for db in databases().await {
        let first = TestServer::start(&db.url).await;
        let second = first.another_node().await;
        let mut ids = Vec::new();
        for i in 0..10 {
            let node = if i % 2 == 0 { &first } else { &second };
            ids.push(node.created(json!({"phone": format!("06123456{i:02}")})).await["id"].clone());
        }
        // Jumping the clock past a delivery's lease would let the other node take it over, so
        // the first notifications go out before time moves on.
        eventually(20, "the new-request notifications", || async {
            first.store.outbox_counts().await.unwrap().delivered == 20
        })
        .await;
        first.clock.advance(Duration::minutes(91));
        // Both nodes' timers (in the background and called here) race for the same rows.
        let (a, b) = tokio::join!(
            check_deadlines(&first.running.state),
            check_deadlines(&second.running.state)
        );
        assert!(a.1 + b.1 <= 10, "never more escalations than promises on {}", db.name);
        let owner = first.owner_email.clone();
        eventually(20, "all notifications delivered", || async {
            let counts = first.store.outbox_counts().await.unwrap();
            counts.pending == 0 && counts.delivered == 40
        })
        .await;
        let created_mails = first
            .smtp
            .mails()
            .iter()
            .filter(|m| m.subject.starts_with("Terugbelverzoek"))
            .count();
        assert_eq!(created_mails, 10, "one new-request e-mail each on {}", db.name);
        assert_eq!(first.smtp.to(&owner).len(), 10, "one escalation e-mail each");
        assert_eq!(
            first.hooks.events("promise.escalated").len(),
            10,
            "one escalation webhook each"
        );
        let mut delivered: Vec<i64> = first
            .hooks
            .hooks()
            .iter()
            .map(|h| h.json()["delivery_id"].as_i64().unwrap())
            .collect();
        delivered.sort();
        delivered.dedup();
        assert_eq!(delivered.len(), 20, "20 distinct webhook deliveries");
        assert_eq!(first.hooks.hooks().len(), 20, "and no duplicates");
        second.running.stop().await;
        first.running.stop().await;
    }
}
