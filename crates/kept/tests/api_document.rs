//! What the OpenAPI document says, the server does: a whole number written 30.0 is 30, two
//! days in either order are the period between them, a contract's two dates the wrong way
//! round are swapped, and a refusal because of what is stored is a 409 with the field
//! named. On both databases.

use crate::support::*;
use reqwest::StatusCode;
use serde_json::{Value, json};

#[tokio::test]
async fn requests_a_generated_client_sends_are_taken_as_the_document_says() {
    for db in databases().await {
        // No webhook secret in kept.toml (nor the webhook that would need it).
        let server = TestServer::start_with(&db.url, |c| {
            c.webhook_secret = None;
            c.webhook_url = None;
        })
        .await;
        // 30.0 is the integer 30 to JSON Schema.
        let location: Value = server
            .owner_post(
                "/api/v1/locations",
                json!({"name": "Winkel", "address": "Markt 1, Utrecht"}),
            )
            .await
            .json()
            .await
            .unwrap();
        let service = server
            .owner_post(
                "/api/v1/services",
                json!({"name_nl": "Controle", "name_en": "Check-up", "duration_minutes": 30.0,
                       "location_ids": [location["id"]]}),
            )
            .await;
        assert_eq!(service.status(), StatusCode::CREATED, "{}", db.name);
        assert_eq!(service.json::<Value>().await.unwrap()["duration_minutes"], 30);
        let settings = server
            .owner_put("/api/v1/settings", json!({"reminder_lead_minutes": 45.0}))
            .await;
        assert_eq!(settings.status(), StatusCode::OK, "{}", db.name);
        assert_eq!(settings.json::<Value>().await.unwrap()["reminder_lead_minutes"], 45);

        // What is stored decides: an unknown location and a webhook kept.toml cannot sign are
        // each a 409, each with the field named; two windows with one code a 422.
        let unknown = server
            .owner_post(
                "/api/v1/services",
                json!({"name_nl": "X", "name_en": "X", "duration_minutes": 30, "location_ids": ["nergens"]}),
            )
            .await;
        assert_eq!(unknown.status(), StatusCode::CONFLICT, "{}", db.name);
        assert_eq!(
            unknown.json::<Value>().await.unwrap()["fields"][0]["field"],
            "location_ids"
        );
        let unsigned = server
            .owner_put(
                "/api/v1/settings",
                json!({"channel_webhooks": {"chat": "https://hooks.example.org/x"}}),
            )
            .await;
        assert_eq!(unsigned.status(), StatusCode::CONFLICT, "{}", db.name);
        assert_eq!(
            unsigned.json::<Value>().await.unwrap()["fields"][0]["code"],
            "needs_webhook_secret"
        );
        let window = json!({"code": "asap", "label_nl": "Snel", "label_en": "Soon", "rule": {"kind": "office_hours"}});
        let twice = server
            .owner_put("/api/v1/settings", json!({"business": {"windows": [window, window]}}))
            .await;
        assert_eq!(twice.status(), StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(
            twice.json::<Value>().await.unwrap()["fields"][0]["field"],
            "business.windows"
        );

        // Two days in either order.
        let forward: Value = server
            .owner_get("/api/v1/insights?from=2026-11-01&to=2026-11-30")
            .await
            .json()
            .await
            .unwrap();
        let backward = server.owner_get("/api/v1/insights?from=2026-11-30&to=2026-11-01").await;
        assert_eq!(backward.status(), StatusCode::OK, "{}", db.name);
        assert_eq!(backward.json::<Value>().await.unwrap()["groups"], forward["groups"]);

        // A contract's dates the wrong way round: two columns swapped, not a refusal.
        let contract = server
            .owner_post(
                "/api/v1/contracts",
                json!({"external_id": "K-1", "customer_email": "jan@example.nl", "product": "Onderhoud",
                       "start_date": "2027-12-31", "end_date": "2027-01-01"}),
            )
            .await;
        assert_eq!(contract.status(), StatusCode::CREATED, "{}", db.name);
        let contract: Value = contract.json().await.unwrap();
        assert_eq!(
            (contract["start_date"].as_str(), contract["end_date"].as_str()),
            (Some("2027-01-01"), Some("2027-12-31"))
        );

        // The document says so: 409 documented, and no 404 where the address names nothing
        // (a client reads a 404 as "what this address names is gone"); the settings change
        // written out.
        let document = server.openapi_document().await;
        let responses = &document["paths"]["/api/v1/services"]["post"]["responses"];
        assert!(
            responses.get("409").is_some() && responses.get("404").is_none(),
            "{responses}"
        );
        let patch = &document["components"]["schemas"]["SettingsPatch"];
        assert_eq!(patch["additionalProperties"], false, "{patch}");
        server.running.stop().await;
    }
}
