//! Appointments through the API against a real server: the owner sets up a location, a
//! service and who works when; customers see free times and book; the database lets exactly
//! one of many simultaneous bookings of the last free time win. On both databases.

mod support;

use reqwest::StatusCode;
use serde_json::{Value, json};
use support::*;

/// Thursday 26 November 2026, the day the tests book (the clock says Tuesday 24th, 10:00).
const THURSDAY: &str = "2026-11-26";

async fn staff_id(server: &TestServer, email: &str) -> String {
    let staff: Vec<Value> = server.owner_get("/api/v1/staff").await.json().await.unwrap();
    staff.iter().find(|s| s["email"] == email).unwrap()["id"]
        .as_str()
        .unwrap()
        .to_string()
}

/// The agent's GET, as JSON.
async fn get(server: &TestServer, path: &str) -> Value {
    server.api_get(path).await.json().await.unwrap()
}

async fn put_schedule(server: &TestServer, token: &str, staff: &str, schedule: &Value) -> StatusCode {
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

async fn created(response: reqwest::Response) -> Value {
    let status = response.status();
    let body: Value = response.json().await.unwrap();
    assert_eq!(status, StatusCode::CREATED, "{body}");
    body
}

/// A location open 09:00–17:00 on weekdays and a 30-minute eye test there, done by `staff`.
async fn eye_test(server: &TestServer, staff: &[String]) -> (String, String) {
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

async fn slots(server: &TestServer, location: &str, service: &str, date: &str) -> Vec<String> {
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

async fn book(server: &TestServer, body: Value) -> reqwest::Response {
    server
        .http
        .post(server.url("/api/v1/appointments"))
        .json(&body)
        .send()
        .await
        .unwrap()
}

fn booking(location: &str, service: &str, start: &str) -> Value {
    json!({"location": location, "service": service, "start": start, "name": "Henk Reichardt",
           "email": "Henk@Example.nl", "phone": "06 12345678", "note": "Eerste keer", "lang": "nl"})
}

#[tokio::test]
async fn a_customer_books_a_free_time_and_staff_see_it_on_the_day() {
    for db in databases().await {
        let server = TestServer::start(&db.url).await;
        let sanne = staff_id(&server, &server.agent_email).await;
        let refused = server
            .api_post("/api/v1/locations", json!({"name": "X", "address": "Y"}))
            .await;
        assert_eq!(refused.status(), StatusCode::FORBIDDEN, "{}: owner only", db.name);
        let (location, service) = eye_test(&server, std::slice::from_ref(&sanne)).await;

        // 09:00–17:00 local, 30 minutes: the last start is 16:30; Thursday is UTC+1.
        let free = slots(&server, &location, &service, THURSDAY).await;
        assert_eq!(free.first().map(String::as_str), Some("2026-11-26T08:00:00Z"));
        assert_eq!(free.last().map(String::as_str), Some("2026-11-26T15:30:00Z"));
        assert!(
            slots(&server, &location, &service, "2026-12-25").await.is_empty(),
            "closed day"
        );
        assert!(
            slots(&server, &location, &service, "2026-11-28").await.is_empty(),
            "Saturday"
        );

        let wrong = book(
            &server,
            json!({"location": location, "service": service, "start": "2026-11-26T09:31:00+01:00",
                                          "name": "", "email": "henk"}),
        )
        .await;
        assert_eq!(wrong.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let body: Value = wrong.json().await.unwrap();
        let fields: Vec<&str> = body["fields"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| f["field"].as_str().unwrap())
            .collect();
        assert_eq!(fields, ["email", "name"], "{}", db.name);
        let off_grid = book(&server, booking(&location, &service, "2026-11-26T09:35:00+01:00")).await;
        assert_eq!(off_grid.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let off_grid: Value = off_grid.json().await.unwrap();
        assert_eq!(off_grid["fields"][0]["field"], "start");
        let nothing = get(&server, &format!("/api/v1/appointments?date={THURSDAY}")).await;
        let nothing = nothing.as_array().unwrap();
        assert!(nothing.is_empty(), "{}: a refused booking stores nothing", db.name);

        let booked = created(book(&server, booking(&location, &service, "2026-11-26T09:30:00+01:00")).await).await;
        assert_eq!(booked["start"], "2026-11-26T08:30:00Z");
        assert_eq!(booked["end"], "2026-11-26T09:00:00Z");
        assert_eq!(booked["status"], "booked");
        assert_eq!(booked["staff"], "Sanne");
        let manage = booked["manage_url"].as_str().unwrap();
        assert!(manage.contains(booked["id"].as_str().unwrap()), "{manage}");

        // 09:30 is gone, and so is 10:00 (the 15 minutes after it); 10:15 is free.
        let free = slots(&server, &location, &service, THURSDAY).await;
        assert!(!free.contains(&"2026-11-26T08:30:00Z".to_string()));
        assert!(!free.contains(&"2026-11-26T09:00:00Z".to_string()));
        assert!(free.contains(&"2026-11-26T09:15:00Z".to_string()));

        let again = book(&server, booking(&location, &service, "2026-11-26T09:30:00+01:00")).await;
        assert_eq!(again.status(), StatusCode::CONFLICT);
        let again: Value = again.json().await.unwrap();
        assert_eq!(again["error"], "slot_taken");
        assert_eq!(again["next_slots"][0]["start"], "2026-11-26T09:15:00Z", "{again}");

        let day = get(
            &server,
            &format!("/api/v1/appointments?date={THURSDAY}&location={location}"),
        )
        .await;
        let day = day.as_array().unwrap();
        assert_eq!(day.len(), 1, "{}", db.name);
        assert_eq!(day[0]["customer_name"], "Henk Reichardt");
        assert_eq!(day[0]["service"], "Oogmeting");
        assert_eq!(day[0]["first_visit"], true);
        assert_eq!(day[0]["email"], "henk@example.nl");
        let customer = day[0]["customer_id"].as_str().unwrap();
        let timeline = get(&server, &format!("/api/v1/customers/{customer}/timeline")).await;
        let timeline = timeline.as_array().unwrap();
        assert!(
            timeline.iter().any(|e| e["kind"] == "appointment"),
            "{}: {timeline:?}",
            db.name
        );

        // The customer is recognised: a second booking by phone lands on the same record.
        let mut by_phone = booking(&location, &service, "2026-11-26T14:00:00+01:00");
        by_phone["email"] = json!("henk.r@werk.example");
        let second = created(book(&server, by_phone).await).await;
        let second: Value = get(
            &server,
            &format!("/api/v1/appointments/{}", second["id"].as_str().unwrap()),
        )
        .await;
        assert_eq!(second["customer_id"], customer, "{}", db.name);

        // Staff move it on; what cannot follow is refused.
        let id = booked["id"].as_str().unwrap();
        let checked_in = server
            .api_post(&format!("/api/v1/appointments/{id}/check-in"), json!({}))
            .await;
        assert_eq!(checked_in.status(), StatusCode::OK);
        let no_show = server
            .api_post(&format!("/api/v1/appointments/{id}/no-show"), json!({}))
            .await;
        assert_eq!(no_show.status(), StatusCode::CONFLICT);
        let done: Value = server
            .api_post(&format!("/api/v1/appointments/{id}/done"), json!({}))
            .await
            .json()
            .await
            .unwrap();
        assert_eq!(done["status"], "done");
        // The afternoon visit now follows a visit that took place.
        let second: Value = get(
            &server,
            &format!("/api/v1/appointments/{}", second["id"].as_str().unwrap()),
        )
        .await;
        assert_eq!(second["first_visit"], false, "{}", db.name);
        assert_eq!(second["last_visit"], "2026-11-26T08:30:00Z");
        server.running.stop().await;
    }
}

#[tokio::test]
async fn schedules_and_absences_decide_who_can_be_booked() {
    for db in databases().await {
        let server = TestServer::start(&db.url).await;
        let sanne = staff_id(&server, &server.agent_email).await;
        let (location, service) = eye_test(&server, std::slice::from_ref(&sanne)).await;
        let schedule = json!({"hours": {location.clone(): {"thu": "13:00-15:00"}},
                              "absences": [{"first_day": "2026-11-30", "last_day": "2026-12-01", "note": "cursus"}]});
        assert_eq!(
            put_schedule(&server, &server.token, &sanne, &schedule).await,
            StatusCode::FORBIDDEN
        );
        assert_eq!(
            put_schedule(&server, &server.owner_token, &sanne, &schedule).await,
            StatusCode::OK
        );
        let free = slots(&server, &location, &service, THURSDAY).await;
        assert_eq!(
            free.first().map(String::as_str),
            Some("2026-11-26T12:00:00Z"),
            "{}",
            db.name
        );
        assert_eq!(free.last().map(String::as_str), Some("2026-11-26T13:30:00Z"));
        assert!(
            slots(&server, &location, &service, "2026-11-27").await.is_empty(),
            "no hours on Friday"
        );
        let read: Value = get(&server, &format!("/api/v1/staff/{sanne}/schedule")).await;
        assert_eq!(read["hours"][&location]["thu"], "13:00-15:00");
        assert_eq!(read["absences"][0]["note"], "cursus");

        // Without own hours she works the location's, except on her days off.
        let cleared = json!({"absences": [{"first_day": "2026-11-30", "last_day": "2026-12-01"}]});
        assert_eq!(
            put_schedule(&server, &server.owner_token, &sanne, &cleared).await,
            StatusCode::OK
        );
        assert_eq!(slots(&server, &location, &service, "2026-11-27").await.len(), 31);
        assert!(
            slots(&server, &location, &service, "2026-11-30").await.is_empty(),
            "absent"
        );
        assert!(!slots(&server, &location, &service, "2026-12-02").await.is_empty());

        let unknown = server
            .http
            .get(server.url(&format!(
                "/api/v1/availability?location=nope&service={service}&date={THURSDAY}"
            )))
            .send()
            .await
            .unwrap();
        assert_eq!(unknown.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let bad_service = server
            .owner_post(
                "/api/v1/services",
                json!({"name_nl": "X", "name_en": "X", "duration_minutes": 7, "location_ids": [location]}),
            )
            .await;
        assert_eq!(bad_service.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let body: Value = bad_service.json().await.unwrap();
        assert_eq!(body["fields"][0]["field"], "duration_minutes");
        server.running.stop().await;
    }
}

/// Twenty customers press "book" on the last free time at once: the database lets exactly one
/// win; the others hear it was just taken, and one appointment is stored.
#[tokio::test]
async fn of_twenty_simultaneous_bookings_of_the_last_time_exactly_one_wins() {
    for db in databases().await {
        let server = TestServer::start(&db.url).await;
        let sanne = staff_id(&server, &server.agent_email).await;
        let location = created(
            server
                .owner_post(
                    "/api/v1/locations",
                    json!({"name": "Klein", "address": "Dorpsstraat 2", "hours": {"thu": "09:00-09:30"}}),
                )
                .await,
        )
        .await;
        let location = location["id"].as_str().unwrap();
        let service = created(
            server
                .owner_post(
                    "/api/v1/services",
                    json!({"name_nl": "Passen", "name_en": "Fitting", "duration_minutes": 30,
                           "location_ids": [location], "staff_ids": [sanne]}),
                )
                .await,
        )
        .await;
        let service = service["id"].as_str().unwrap();
        assert_eq!(
            slots(&server, location, service, THURSDAY).await,
            ["2026-11-26T08:00:00Z"]
        );
        let attempts = (0..20).map(|n| {
            let mut body = booking(location, service, "2026-11-26T08:00:00Z");
            body["email"] = json!(format!("klant{n}@example.nl"));
            body["phone"] = json!(format!("06 123456{n:02}"));
            let server = &server;
            async move { book(server, body).await.status() }
        });
        let statuses = futures::future::join_all(attempts).await;
        let won = statuses.iter().filter(|s| **s == StatusCode::CREATED).count();
        let lost = statuses.iter().filter(|s| **s == StatusCode::CONFLICT).count();
        assert_eq!((won, lost), (1, 19), "{}: {statuses:?}", db.name);
        let day = get(&server, &format!("/api/v1/appointments?date={THURSDAY}")).await;
        let day = day.as_array().unwrap();
        assert_eq!(day.len(), 1, "{}: one appointment stored", db.name);
        assert!(slots(&server, location, service, THURSDAY).await.is_empty());

        // Cancelling gives the time back.
        let id = day[0]["id"].as_str().unwrap();
        let cancelled = server
            .api_post(&format!("/api/v1/appointments/{id}/cancel"), json!({}))
            .await;
        assert_eq!(cancelled.status(), StatusCode::OK);
        assert_eq!(slots(&server, location, service, THURSDAY).await.len(), 1);
        server.running.stop().await;
    }
}
