//! Appointments through the API: a location with a service, free times and booking, as the
//! appointment tests share them.

use reqwest::StatusCode;
use serde_json::{Value, json};

use super::TestServer;

/// Thursday 26 November 2026, the day the tests book (the clock says Tuesday 24th, 10:00).
pub const THURSDAY: &str = "2026-11-26";

pub async fn staff_id(server: &TestServer, email: &str) -> String {
    let staff: Vec<Value> = server.owner_get("/api/v1/staff").await.json().await.unwrap();
    staff.iter().find(|s| s["email"] == email).unwrap()["id"]
        .as_str()
        .unwrap()
        .to_string()
}

/// The agent's GET, as JSON.
pub async fn api_json(server: &TestServer, path: &str) -> Value {
    server.api_get(path).await.json().await.unwrap()
}

pub async fn put_schedule(server: &TestServer, token: &str, staff: &str, schedule: &Value) -> StatusCode {
    let path = format!("/api/v1/staff/{staff}/schedule");
    let answer = server
        .http
        .put(server.url(&path))
        .bearer_auth(token)
        .json(schedule)
        .send()
        .await
        .unwrap();
    answer.status()
}

pub async fn created(response: reqwest::Response) -> Value {
    let status = response.status();
    let body: Value = response.json().await.unwrap();
    assert_eq!(status, StatusCode::CREATED, "{body}");
    body
}

/// A location open 09:00–17:00 on weekdays and a 30-minute eye test there, done by `staff`.
pub async fn eye_test(server: &TestServer, staff: &[String]) -> (String, String) {
    let location = created(
        server
            .owner_post(
                "/api/v1/locations",
                json!({"name": "Centrum", "address": "Markt 1, Utrecht",
                       "hours": {"mon": "09:00-17:00", "tue": "09:00-17:00", "wed": "09:00-17:00",
                                 "thu": "09:00-17:00", "fri": "09:00-17:00"},
                       "closed_days": ["2026-12-25"]}),
            )
            .await,
    )
    .await;
    let service = created(
        server
            .owner_post(
                "/api/v1/services",
                json!({"name_nl": "Oogmeting", "name_en": "Eye test", "duration_minutes": 30,
                       "buffer_after_minutes": 15, "location_ids": [location["id"]], "staff_ids": staff}),
            )
            .await,
    )
    .await;
    (
        location["id"].as_str().unwrap().to_string(),
        service["id"].as_str().unwrap().to_string(),
    )
}

pub async fn slots(server: &TestServer, location: &str, service: &str, date: &str) -> Vec<String> {
    let path = format!("/api/v1/availability?location={location}&service={service}&date={date}");
    let answer = server.http.get(server.url(&path)).send().await.unwrap();
    assert_eq!(answer.status(), StatusCode::OK);
    let body: Value = answer.json().await.unwrap();
    body["slots"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["start"].as_str().unwrap().to_string())
        .collect()
}

pub async fn book(server: &TestServer, body: Value) -> reqwest::Response {
    server
        .http
        .post(server.url("/api/v1/appointments"))
        .json(&body)
        .send()
        .await
        .unwrap()
}

pub fn booking(location: &str, service: &str, start: &str) -> Value {
    json!({"location": location, "service": service, "start": start, "name": "Henk Reichardt",
           "email": "Henk@Example.nl", "phone": "06 12345678", "note": "Eerste keer", "lang": "nl"})
}
