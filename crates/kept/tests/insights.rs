//! The figures against a fixture worked out by hand, on both databases: callbacks across a
//! night and a weekend (time counted in opening hours), one left open; agents see their own
//! figures only; the CSV has the JSON's rows.

use crate::support::*;
use chrono::{TimeZone, Utc};
use reqwest::StatusCode;
use serde_json::{Value, json};

async fn called_back(server: &TestServer, requested: chrono::DateTime<Utc>, called: Option<chrono::DateTime<Utc>>) {
    server.clock.set(requested);
    let callback = server
        .created(json!({"phone": "06 12345678", "name": "Jan", "window": "asap"}))
        .await;
    if let Some(called) = called {
        server.clock.set(called);
        let id = callback["id"].as_str().unwrap();
        let outcome = server
            .api_post(
                &format!("/api/v1/callback-requests/{id}/outcome"),
                json!({"outcome": "reached"}),
            )
            .await;
        assert_eq!(outcome.status(), StatusCode::OK);
    }
}

#[tokio::test]
async fn callback_figures_count_opening_hours_and_agents_see_their_own() {
    for db in databases().await {
        let server = TestServer::start(&db.url).await;
        // Tuesday 24 November 22:00 → Wednesday 09:10 (Amsterdam): 10 minutes of opening.
        called_back(
            &server,
            Utc.with_ymd_and_hms(2026, 11, 24, 21, 0, 0).unwrap(),
            Some(Utc.with_ymd_and_hms(2026, 11, 25, 8, 10, 0).unwrap()),
        )
        .await;
        // Friday 27 November 17:00 → Monday 30 November 09:30: 30 + 30 minutes.
        called_back(
            &server,
            Utc.with_ymd_and_hms(2026, 11, 27, 16, 0, 0).unwrap(),
            Some(Utc.with_ymd_and_hms(2026, 11, 30, 8, 30, 0).unwrap()),
        )
        .await;
        // Saturday 28 November, not called yet.
        called_back(&server, Utc.with_ymd_and_hms(2026, 11, 28, 10, 0, 0).unwrap(), None).await;

        let path = "/api/v1/insights?from=2026-11-23&to=2026-11-29&group_by=kind";
        let owner: Value = server.owner_get(path).await.json().await.unwrap();
        assert_eq!(owner["groups"].as_array().unwrap().len(), 1, "{}: {owner}", db.name);
        let callbacks = &owner["groups"][0];
        assert_eq!(callbacks["key"], "callback");
        assert_eq!(
            (
                callbacks["made"].clone(),
                callbacks["kept"].clone(),
                callbacks["broken"].clone(),
                callbacks["open"].clone()
            ),
            (json!(3), json!(2), json!(0), json!(1)),
            "{}: {callbacks}",
            db.name
        );
        assert_eq!(callbacks["kept_pct"], 100.0);
        assert_eq!(
            (callbacks["median_minutes"].clone(), callbacks["p90_minutes"].clone()),
            (json!(10), json!(60))
        );

        // The week before: nothing. A bad date: 422 naming it.
        let before: Value = server
            .owner_get("/api/v1/insights?from=2026-11-16&to=2026-11-22")
            .await
            .json()
            .await
            .unwrap();
        assert_eq!(before["groups"], json!([]));
        let bad = server.owner_get("/api/v1/insights?from=23-11-2026&to=2026-11-29").await;
        assert_eq!(bad.status(), StatusCode::UNPROCESSABLE_ENTITY);

        // An agent sees their own figures only; someone else's are the owner's to see.
        let sanne = staff_id(&server, &server.agent_email).await;
        let olga = staff_id(&server, &server.owner_email).await;
        let own: Value = server
            .api_get("/api/v1/insights?from=2026-11-23&to=2026-11-29&group_by=staff")
            .await
            .json()
            .await
            .unwrap();
        for group in own["groups"].as_array().unwrap() {
            assert_eq!(group["key"], sanne.as_str(), "{}: {own}", db.name);
        }
        let others = server
            .api_get(&format!("/api/v1/insights?from=2026-11-23&to=2026-11-29&staff={olga}"))
            .await;
        assert_eq!(others.status(), StatusCode::FORBIDDEN);

        // The CSV has the same rows.
        let csv = server
            .owner_get(&format!("{path}&format=csv"))
            .await
            .text()
            .await
            .unwrap();
        let lines: Vec<&str> = csv.lines().collect();
        assert_eq!(
            lines[0],
            "key,made,kept,broken,open,cancelled,kept_pct,median_minutes,p90_minutes"
        );
        assert_eq!(lines[1], "callback,3,2,0,1,0,100.0,10,60", "{}", db.name);
        server.running.stop().await;
    }
}
