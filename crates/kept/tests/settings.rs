//! The business's settings: the owner changes them through the API (the settings page uses
//! the same use case); they are checked per key, recorded, kept over a restart, and in force
//! at once on every node.

use crate::support::*;
use serde_json::{Value, json};

async fn put_settings(server: &TestServer, token: &str, patch: Value) -> reqwest::Response {
    server
        .http
        .put(server.url("/api/v1/settings"))
        .bearer_auth(token)
        .json(&patch)
        .send()
        .await
        .unwrap()
}

/// When a callback asked for now ("asap": within 90 minutes of opening) is due.
async fn asap_due(server: &TestServer, phone: &str) -> String {
    let created = server.created(json!({"phone": phone, "window": "asap"})).await;
    created["due_at"].as_str().unwrap().to_string()
}

#[tokio::test]
async fn the_owner_changes_opening_hours_and_the_next_promise_follows_at_once() {
    for db in databases().await {
        let server = TestServer::start(&db.url).await;
        let settings: Value = server.owner_get("/api/v1/settings").await.json().await.unwrap();
        assert_eq!(settings["business"]["name"], "Fietsenmaker", "{}", db.name);
        assert_eq!(settings["business"]["hours"]["tue"], "09:00-17:30");
        let agent = server
            .http
            .get(server.url("/api/v1/settings"))
            .bearer_auth(&server.token);
        assert_eq!(agent.send().await.unwrap().status(), 403, "settings are the owner's");
        assert_eq!(
            put_settings(&server, &server.token, json!({"business": {"name": "X"}}))
                .await
                .status(),
            403
        );

        // Tuesday 10:00, open: due within 90 minutes.
        assert_eq!(asap_due(&server, "0612345601").await, "2026-11-24T10:30:00Z");
        let changed = put_settings(
            &server,
            &server.owner_token,
            json!({"business": {"name": "Fietsenmaker Jansen", "hours": {"tue": "closed"}}}),
        )
        .await;
        assert_eq!(changed.status(), 200);
        let changed: Value = changed.json().await.unwrap();
        assert_eq!(changed["business"]["hours"]["tue"], "closed");
        assert_eq!(
            changed["business"]["hours"]["wed"], "09:00-17:30",
            "what was left out stays"
        );
        // Closed on Tuesday now: Wednesday 09:00 opening + 90 minutes, without a restart.
        assert_eq!(asap_due(&server, "0612345602").await, "2026-11-25T09:30:00Z");

        let changes = server.store.settings_changes(10).await.unwrap();
        let keys: Vec<&str> = changes.iter().map(|c| c.change.setting.as_str()).collect();
        assert!(
            keys.contains(&"business.hours.tue") && keys.contains(&"business.name"),
            "{keys:?}"
        );
        let tuesday = changes
            .iter()
            .find(|c| c.change.setting == "business.hours.tue")
            .unwrap();
        assert_eq!(tuesday.change.old_value.as_deref(), Some("\"09:00-17:30\""));
        assert_eq!(tuesday.change.new_value.as_deref(), Some("\"closed\""));
        assert_eq!(tuesday.staff_name.as_deref(), Some("Olga"));

        // Kept over a restart, over what kept.toml says.
        let server = server.restart_with(|_| {}).await;
        let settings: Value = server.owner_get("/api/v1/settings").await.json().await.unwrap();
        assert_eq!(settings["business"]["name"], "Fietsenmaker Jansen", "{}", db.name);
        server.running.stop().await;
    }
}

#[tokio::test]
async fn every_refused_value_names_its_key_and_changes_nothing() {
    let db = TestDatabase::sqlite();
    let server = TestServer::start(&db.url).await;
    for (patch, field) in [
        (json!({"business": {"hours": {"mon": "9 tot 5"}}}), "business.hours.mon"),
        (
            json!({"business": {"time_zone": "Europe/Fietsland"}}),
            "business.time_zone",
        ),
        (
            json!({"business": {"closed_days": ["25-12-2026"]}}),
            "business.closed_days",
        ),
        (json!({"business": {"windows": []}}), "business.windows"),
        // A line break in the name would start a header of its own in every mail and a
        // property of its own in every `.ics`.
        (
            json!({"business": {"name": "Fiets\r\nBcc: iedereen@example.com"}}),
            "business.name",
        ),
        // A window of 2^62 minutes took the call-me-back form down: refused at the edge now.
        (
            json!({"business": {"windows": [{"code": "asap", "label_nl": "Snel", "label_en": "Soon",
                                             "rule": {"kind": "within", "minutes": 4_611_686_018_427_387_904_i64}}]}}),
            "business.windows",
        ),
        (json!({"reminder_lead_minutes": 0}), "reminder_lead_minutes"),
        (
            json!({"first_response_minutes": {"chat": -5}}),
            "first_response_minutes",
        ),
        (
            json!({"channel_webhooks": {"chat": "ftp://example.org"}}),
            "channel_webhooks",
        ),
        (json!({"opening": "09:00"}), "settings"),
    ] {
        let refused = put_settings(&server, &server.owner_token, patch.clone()).await;
        assert_eq!(refused.status(), 422, "{patch}");
        let error: Value = refused.json().await.unwrap();
        assert_eq!(error["fields"][0]["field"], field, "{patch}: {error}");
    }
    assert!(
        server.store.settings_changes(10).await.unwrap().is_empty(),
        "nothing recorded"
    );
    let settings: Value = server.owner_get("/api/v1/settings").await.json().await.unwrap();
    assert_eq!(settings["business"]["hours"]["mon"], "09:00-17:30");
    server.running.stop().await;
}

#[tokio::test]
async fn a_change_on_one_node_is_used_by_the_other_at_once() {
    let Some(db) = postgres_only().await else {
        return;
    };
    let a = TestServer::start(&db.url).await;
    let b = a.another_node().await;
    let changed = put_settings(&a, &a.owner_token, json!({"business": {"hours": {"tue": "closed"}}})).await;
    assert_eq!(changed.status(), 200);
    eventually(10, "node B closed on Tuesday", || async {
        b.running.state.settings().business_settings.business.hours.tue == "closed"
    })
    .await;
    assert_eq!(asap_due(&b, "0612345603").await, "2026-11-25T09:30:00Z");
    b.running.stop().await;
    a.running.stop().await;
}
