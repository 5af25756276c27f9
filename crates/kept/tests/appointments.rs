//! Appointments through the API against a real server: the owner sets up a location, a
//! service and who works when; customers see free times and book; the database lets exactly
//! one of many simultaneous bookings of the last free time win. On both databases.

use crate::support::*;
use reqwest::StatusCode;
use serde_json::{Value, json};

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
        // Not one of the free times: a conflict with what is booked and offered, fields named.
        let off_grid = book(&server, booking(&location, &service, "2026-11-26T09:35:00+01:00")).await;
        assert_eq!(off_grid.status(), StatusCode::CONFLICT);
        let off_grid: Value = off_grid.json().await.unwrap();
        assert_eq!(off_grid["fields"][0]["field"], "start");
        let nothing = api_json(&server, &format!("/api/v1/appointments?date={THURSDAY}")).await;
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

        let day = api_json(
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
        let timeline = api_json(&server, &format!("/api/v1/customers/{customer}/timeline")).await;
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
        let second: Value = api_json(
            &server,
            &format!("/api/v1/appointments/{}", second["id"].as_str().unwrap()),
        )
        .await;
        assert_eq!(second["customer_id"], customer, "{}", db.name);

        // Thursday's visit is not done (nor missed) on Tuesday: refused, saying why.
        let later = second["id"].as_str().unwrap();
        for action in ["done", "no-show"] {
            let early = server
                .api_post(&format!("/api/v1/appointments/{later}/{action}"), json!({}))
                .await;
            assert_eq!(early.status(), StatusCode::CONFLICT, "{action} on {}", db.name);
            let body: Value = early.json().await.unwrap();
            assert_eq!(body["fields"][0]["code"], "not_started", "{body}");
        }

        // Staff move it on; what cannot follow is refused. Checked in early, it may be done.
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
        let second: Value = api_json(
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
        let read: Value = api_json(&server, &format!("/api/v1/staff/{sanne}/schedule")).await;
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
        assert_eq!(
            unknown.status(),
            StatusCode::CONFLICT,
            "a location that does not exist: the address is right, what it names is not stored"
        );
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
        let day = api_json(&server, &format!("/api/v1/appointments?date={THURSDAY}")).await;
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

/// The pages: the owner adds a location and a service on the set-up page (an agent may not),
/// a customer books on /book without JavaScript, and staff see the booking on the board and
/// move it on with its buttons.
#[tokio::test]
async fn the_owner_sets_up_a_customer_books_and_staff_run_the_day_from_the_pages() {
    for db in databases().await {
        let server = TestServer::start(&db.url).await;
        let (mut agent, agent_csrf) = logged_in(&server, &server.agent_email).await;
        let (status, _) = agent.get(&server.url("/staff/booking")).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{}: owner only", db.name);

        let (mut owner, csrf) = logged_in(&server, &server.owner_email).await;
        let location = [
            ("csrf", csrf.as_str()),
            ("name", "Centrum"),
            ("address", "Markt 1, Utrecht"),
            ("time_zone", "Europe/Amsterdam"),
            ("thu", "09:00-12:00"),
            ("closed_days", "2026-12-25"),
            ("active", "1"),
        ];
        let saved = owner.post(&server.url("/staff/booking/locations"), &location).await;
        assert_eq!(saved.status(), StatusCode::SEE_OTHER);
        let (_, page) = owner.get(&server.url("/staff/booking")).await;
        assert!(page.contains("Opgeslagen."), "{}", db.name);
        let locations = api_json(&server, "/api/v1/locations").await;
        let location_id = locations[0]["id"].as_str().unwrap().to_string();
        assert_eq!(locations[0]["hours"]["thu"], "09:00-12:00");
        assert_eq!(locations[0]["hours"]["mon"], "closed");
        let wrong = [
            ("csrf", csrf.as_str()),
            ("name", "X"),
            ("address", "Y"),
            ("thu", "9 tot 5"),
        ];
        let (status, page) = {
            let answer = owner.post(&server.url("/staff/booking/locations"), &wrong).await;
            (answer.status(), answer.text().await.unwrap())
        };
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(
            page.contains("Schrijf tijden als 09:00-17:30"),
            "a clear error in Dutch"
        );
        let service = [
            ("csrf", csrf.as_str()),
            ("name_nl", "Oogmeting"),
            ("name_en", "Eye test"),
            ("duration_minutes", "30"),
            ("buffer_before_minutes", "0"),
            ("buffer_after_minutes", "0"),
            ("min_notice_minutes", "120"),
            ("horizon_days", "60"),
            ("visit_window_minutes", ""),
            ("call_ahead_minutes", "30"),
            ("location_ids", location_id.as_str()),
            ("active", "1"),
        ];
        let saved = owner.post(&server.url("/staff/booking/services"), &service).await;
        assert_eq!(saved.status(), StatusCode::SEE_OTHER);
        let service_id = api_json(&server, "/api/v1/services").await[0]["id"]
            .as_str()
            .unwrap()
            .to_string();

        // The customer's page, without JavaScript: choose, see the times, book.
        let mut customer = Browser::new();
        let path = format!("/book?location={location_id}&service={service_id}&date={THURSDAY}&lang=nl");
        let (status, page) = customer.get(&server.url(&path)).await;
        assert_eq!(status, StatusCode::OK);
        assert!(page.contains("09:30") && page.contains("Oogmeting"), "{}", db.name);
        let form = [
            ("lang", "nl"),
            ("location", location_id.as_str()),
            ("service", service_id.as_str()),
            ("date", THURSDAY),
            ("start", "2026-11-26T08:30:00+00:00"),
            ("name", "Henk Reichardt"),
            ("email", "henk@example.nl"),
            ("phone", ""),
            ("note", "Eerste keer"),
            ("website", ""),
        ];
        let booked = customer.post(&server.url("/book?lang=nl"), &form).await;
        assert_eq!(booked.status(), StatusCode::CREATED);
        assert!(booked.text().await.unwrap().contains("Uw afspraak staat"));
        // Two on the team: the same time can be booked once more, then it is gone.
        let second = customer.post(&server.url("/book?lang=nl"), &form).await;
        assert_eq!(second.status(), StatusCode::CREATED);
        let again = customer.post(&server.url("/book?lang=nl"), &form).await;
        assert_eq!(again.status(), StatusCode::CONFLICT);
        let again = again.text().await.unwrap();
        assert!(
            again.contains("Dat tijdstip is net geboekt") && again.contains("09:45"),
            "{}",
            db.name
        );

        // The board, by name; "Binnen" moves it on.
        let (status, board) = agent.get(&server.url(&format!("/staff/today?date={THURSDAY}"))).await;
        assert_eq!(status, StatusCode::OK);
        assert!(board.contains("09:30") && board.contains("Henk Reichardt") && board.contains("eerste bezoek"));
        let id = api_json(&server, &format!("/api/v1/appointments?date={THURSDAY}")).await[0]["id"]
            .as_str()
            .unwrap()
            .to_string();
        let pressed = agent
            .post(
                &server.url(&format!("/staff/appointments/{id}/status")),
                &[("csrf", agent_csrf.as_str()), ("action", "check-in")],
            )
            .await;
        assert_eq!(pressed.status(), StatusCode::SEE_OTHER);
        let (_, rows) = agent
            .get(&server.url(&format!("/staff/today/rows?date={THURSDAY}")))
            .await;
        assert!(rows.contains(">binnen<"), "{rows}");
        server.running.stop().await;
    }
}

/// Customers and staff move, cancel and no-show appointments at the same moment, over and over:
/// nobody gets a 500, every time the free times list can be booked, and no claim on the staff
/// member's time is left without its appointment (PostgreSQL left them behind, and answered
/// "deadlock detected", before a change locked its appointment and retried a deadlock).
#[tokio::test]
async fn parallel_moves_cancels_and_no_shows_leave_no_time_that_cannot_be_booked() {
    for db in databases().await {
        let server = TestServer::start(&db.url).await;
        let sanne = staff_id(&server, &server.agent_email).await;
        let location = created(
            server
                .owner_post(
                    "/api/v1/locations",
                    json!({"name": "Werkplaats", "address": "Dorpsstraat 2", "hours": {"thu": "09:00-12:00"}}),
                )
                .await,
        )
        .await;
        let location = location["id"].as_str().unwrap().to_string();
        let service = created(
            server
                .owner_post(
                    "/api/v1/services",
                    json!({"name_nl": "Afstellen", "name_en": "Tune-up", "duration_minutes": 15,
                           "location_ids": [location], "staff_ids": [sanne]}),
                )
                .await,
        )
        .await;
        let service = service["id"].as_str().unwrap().to_string();
        let mut statuses = Vec::new();
        for round in 0..3 {
            // Four appointments on the first free times.
            let free = slots(&server, &location, &service, THURSDAY).await;
            let mut ids = Vec::new();
            for (n, start) in free.iter().take(4).enumerate() {
                let mut body = booking(&location, &service, start);
                body["email"] = json!(format!("r{round}k{n}@example.nl"));
                body["phone"] = json!(format!("06 1234{round}{n:03}"));
                ids.push(
                    created(book(&server, body).await).await["id"]
                        .as_str()
                        .unwrap()
                        .to_string(),
                );
            }
            // Ten moves of the first to ten different free times, a move of the second, and the
            // third cancelled and the fourth a no-show while that goes on.
            let free = slots(&server, &location, &service, THURSDAY).await;
            let mut changes: Vec<(String, Value)> = free
                .iter()
                .rev()
                .take(10)
                .map(|start| {
                    (
                        format!("/api/v1/appointments/{}/reschedule", ids[0]),
                        json!({"start": start}),
                    )
                })
                .collect();
            changes.push((
                format!("/api/v1/appointments/{}/reschedule", ids[1]),
                json!({"start": free[0]}),
            ));
            changes.push((format!("/api/v1/appointments/{}/cancel", ids[2]), json!({})));
            changes.push((format!("/api/v1/appointments/{}/no-show", ids[3]), json!({})));
            let sent = changes.iter().map(|(path, body)| {
                let server = &server;
                async move { server.api_post(path, body.clone()).await.status() }
            });
            statuses.extend(futures::future::join_all(sent).await);
        }
        assert!(
            statuses.iter().all(|s| !s.is_server_error()),
            "{}: no change answered with an error of ours: {statuses:?}",
            db.name
        );
        assert!(statuses.iter().filter(|s| s.is_success()).count() >= 9, "{statuses:?}");
        assert_eq!(
            server.store.repair_claims().await.unwrap(),
            0,
            "{}: no claim left over",
            db.name
        );
        // Every time listed free can be booked.
        let free = slots(&server, &location, &service, THURSDAY).await;
        assert!(!free.is_empty());
        for (n, start) in free.iter().enumerate() {
            let mut body = booking(&location, &service, start);
            body["email"] = json!(format!("laatste{n}@example.nl"));
            body["phone"] = json!(format!("06 2234{n:04}"));
            assert_eq!(
                book(&server, body).await.status(),
                StatusCode::CREATED,
                "{}: {start}",
                db.name
            );
        }
        assert!(slots(&server, &location, &service, THURSDAY).await.is_empty());
        server.running.stop().await;
    }
}

/// A service or location form with several mistakes names them all in one answer, so the owner
/// fixes them in one go.
#[tokio::test]
async fn every_mistake_in_a_service_or_location_is_named_at_once() {
    let db = TestDatabase::sqlite();
    let server = TestServer::start(&db.url).await;
    let codes = |body: Value| -> Vec<String> {
        body["fields"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| f["field"].as_str().unwrap().to_string())
            .collect()
    };
    let refused = server
        .owner_post(
            "/api/v1/services",
            json!({"name_nl": " ", "name_en": "Eye test", "duration_minutes": 7,
                   "buffer_after_minutes": 999, "location_ids": []}),
        )
        .await;
    assert_eq!(refused.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let mut fields = codes(refused.json().await.unwrap());
    fields.sort();
    assert_eq!(
        fields,
        ["buffer_after_minutes", "duration_minutes", "location_ids", "name_nl"],
        "all four at once"
    );
    let refused = server
        .owner_post(
            "/api/v1/locations",
            json!({"name": "", "address": "", "time_zone": "Mars/Olympus"}),
        )
        .await;
    assert_eq!(refused.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let mut fields = codes(refused.json().await.unwrap());
    fields.sort();
    assert_eq!(fields, ["address", "name", "time_zone"]);
    server.running.stop().await;
}
