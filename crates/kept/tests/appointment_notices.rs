//! What customers and staff hear about appointments: the confirmation with its calendar
//! invitation (read by an independent parser), updates and cancellation with the same UID,
//! reminders sent exactly once (two nodes, downtime), manage links, the technician's
//! call-ahead promise, the staff calendar feed and the waiting list. On both databases.

use crate::support::*;
use chrono::{TimeZone, Utc};
use kept_domain::Clock;
use reqwest::StatusCode;
use serde_json::{Value, json};

/// The mails to `address` about appointments, in the order they arrived.
fn mails_to(server: &TestServer, address: &str) -> Vec<Mail> {
    server.smtp.to(address)
}

/// The reminders the webhook received once everything queued was delivered.
async fn reminders_sent(server: &TestServer) -> usize {
    outbox_drained(server).await;
    server.hooks.events("appointment.reminder").len()
}

async fn wait_for_mails(server: &TestServer, address: &str, count: usize) -> Vec<Mail> {
    eventually(10, &format!("{count} e-mails to {address}"), || async {
        mails_to(server, address).len() >= count
    })
    .await;
    mails_to(server, address)
}

#[tokio::test]
async fn the_invitation_follows_the_appointment_across_a_clock_change_with_one_uid() {
    for db in databases().await {
        let server = TestServer::start(&db.url).await;
        // Saturday 20 March 2027, winter time; the appointment is after the clocks go forward.
        server.clock.set(Utc.with_ymd_and_hms(2027, 3, 20, 10, 0, 0).unwrap());
        let sanne = staff_id(&server, &server.agent_email).await;
        let (location, service) = eye_test(&server, std::slice::from_ref(&sanne)).await;
        let booked = created(book(&server, booking(&location, &service, "2027-03-29T09:30:00+02:00")).await).await;
        let id = booked["id"].as_str().unwrap().to_string();

        let confirmation = wait_for_mails(&server, "henk@example.nl", 1).await.remove(0);
        assert!(
            confirmation.subject.starts_with("Bevestiging: Oogmeting"),
            "{}",
            confirmation.subject
        );
        assert!(
            confirmation.text.contains("Beste Henk Reichardt"),
            "{}",
            confirmation.text
        );
        assert!(
            confirmation.text.contains("maandag 29 maart om 09:30"),
            "{}",
            confirmation.text
        );
        let manage = booked["manage_url"].as_str().unwrap();
        assert!(confirmation.text.contains(manage), "the manage link is in the mail");
        let first = confirmation.calendar.expect("a calendar invitation");
        let moved_to = "2027-03-26T10:00:00+01:00";
        let rescheduled = server
            .api_post(
                &format!("/api/v1/appointments/{id}/reschedule"),
                json!({"start": moved_to}),
            )
            .await;
        assert_eq!(rescheduled.status(), StatusCode::OK, "{}", db.name);
        let update = wait_for_mails(&server, "henk@example.nl", 2).await.remove(1);
        assert!(update.subject.starts_with("Gewijzigd"), "{}", update.subject);
        let second = update.calendar.expect("an updated invitation");
        let cancelled = server
            .api_post(&format!("/api/v1/appointments/{id}/cancel"), json!({}))
            .await;
        assert_eq!(cancelled.status(), StatusCode::OK);
        let cancellation = wait_for_mails(&server, "henk@example.nl", 3).await.remove(2);
        let third = cancellation.calendar.expect("a cancelling invitation");

        if let (Some(first), Some(second), Some(third)) =
            (parse_calendar(&first), parse_calendar(&second), parse_calendar(&third))
        {
            assert_eq!(first["method"], "REQUEST");
            assert_eq!(first["events"][0]["start"], "2027-03-29T09:30:00+02:00", "{}", db.name);
            assert_eq!(second["method"], "REQUEST");
            assert_eq!(second["events"][0]["start"], "2027-03-26T10:00:00+01:00");
            assert_eq!(third["method"], "CANCEL");
            let uid = &first["events"][0]["uid"];
            assert_eq!(&second["events"][0]["uid"], uid);
            assert_eq!(&third["events"][0]["uid"], uid);
            let sequence = |c: &Value| c["events"][0]["sequence"].as_i64().unwrap();
            assert!(sequence(&second) > sequence(&first) && sequence(&third) > sequence(&second));
        }
        server.smtp.assert_mime_correct(db.name);
        server.running.stop().await;
    }
}

#[tokio::test]
async fn reminders_go_once_each_and_never_after_the_start() {
    for db in databases().await {
        let server = TestServer::start(&db.url).await;
        let sanne = staff_id(&server, &server.agent_email).await;
        let (location, service) = eye_test(&server, std::slice::from_ref(&sanne)).await;
        // Thursday 26 November 09:30: reminded Wednesday 18:00 and Thursday 07:30.
        created(book(&server, booking(&location, &service, "2026-11-26T09:30:00+01:00")).await).await;
        assert_eq!(reminders_sent(&server).await, 0, "none due yet");
        server.clock.set(Utc.with_ymd_and_hms(2026, 11, 25, 17, 0, 0).unwrap());
        eventually(10, "the evening reminder", || async {
            server.hooks.events("appointment.reminder").len() == 1
        })
        .await;
        // The timers run in the background as well; asking again sends nothing more.
        assert_eq!(
            kept_server::workers::send_appointment_reminders(&server.running.state).await,
            0
        );
        assert_eq!(reminders_sent(&server).await, 1, "{}: only once", db.name);
        let reminder = wait_for_mails(&server, "henk@example.nl", 2).await.remove(1);
        assert!(reminder.subject.starts_with("Herinnering"), "{}", reminder.subject);
        assert!(
            reminder.text.contains("donderdag 26 november om 09:30"),
            "{}",
            reminder.text
        );
        let hooks = server.hooks.events("appointment.reminder");
        assert_eq!(
            hooks[0].json()["appointment"]["phone"],
            "+31612345678",
            "for an SMS gateway"
        );
        // Past the start: the 07:30 reminder was never sent in time and is not sent now.
        server.clock.set(Utc.with_ymd_and_hms(2026, 11, 26, 8, 45, 0).unwrap());
        assert_eq!(
            kept_server::workers::send_appointment_reminders(&server.running.state).await,
            0
        );
        assert_eq!(reminders_sent(&server).await, 1, "{}", db.name);
        server.running.stop().await;
    }
}

#[tokio::test]
async fn a_manage_link_survives_a_reschedule_and_a_tampered_one_is_refused() {
    for db in databases().await {
        let server = TestServer::start(&db.url).await;
        let sanne = staff_id(&server, &server.agent_email).await;
        let (location, service) = eye_test(&server, std::slice::from_ref(&sanne)).await;
        let booked = created(book(&server, booking(&location, &service, "2026-11-26T09:30:00+01:00")).await).await;
        let link = booked["manage_url"].as_str().unwrap();
        let path = &link[link.find("/appointments/").unwrap()..];
        let page = server.http.get(server.url(path)).send().await.unwrap();
        assert_eq!(page.status(), StatusCode::OK, "{}", db.name);
        assert!(page.text().await.unwrap().contains("09:30"));

        let id = booked["id"].as_str().unwrap();
        let moved = server
            .api_post(
                &format!("/api/v1/appointments/{id}/reschedule"),
                json!({"start": "2026-11-26T14:00:00+01:00"}),
            )
            .await;
        assert_eq!(moved.status(), StatusCode::OK);
        let page = server.http.get(server.url(path)).send().await.unwrap();
        assert_eq!(
            page.status(),
            StatusCode::OK,
            "the old link manages the moved appointment"
        );
        assert!(page.text().await.unwrap().contains("14:00"));

        let mut tampered = path.to_string();
        let last = tampered.pop().unwrap();
        tampered.push(if last == '0' { '1' } else { '0' });
        let refused = server.http.get(server.url(&tampered)).send().await.unwrap();
        assert_eq!(refused.status(), StatusCode::NOT_FOUND);
        assert!(refused.text().await.unwrap().contains("<html"), "a page, not a 500");

        // The customer cancels through the link; afterwards the time is free again.
        let cancel = server
            .http
            .post(server.url(&format!("{path}/cancel")))
            .form(&[("confirm", "1")])
            .send()
            .await
            .unwrap();
        assert!(
            cancel.status().is_success() || cancel.status().is_redirection(),
            "{}",
            cancel.status()
        );
        let appointment = api_json(&server, &format!("/api/v1/appointments/{id}")).await;
        assert_eq!(appointment["status"], "cancelled");

        // Once the appointment's time has passed the link stops working.
        let second = created(book(&server, booking(&location, &service, "2026-11-26T10:00:00+01:00")).await).await;
        let link = second["manage_url"].as_str().unwrap();
        server.clock.set(Utc.with_ymd_and_hms(2026, 11, 27, 9, 0, 0).unwrap());
        let gone = server
            .http
            .get(server.url(&link[link.find("/appointments/").unwrap()..]))
            .send()
            .await
            .unwrap();
        assert_eq!(gone.status(), StatusCode::GONE);
        server.running.stop().await;
    }
}

/// A repair at home: booking makes the technician's call-ahead promise; "on my way" keeps it
/// and tells the customer; a missed one is broken and escalated like any promise.
#[tokio::test]
async fn a_field_visit_carries_a_call_ahead_promise() {
    for db in databases().await {
        let server = TestServer::start(&db.url).await;
        let sanne = staff_id(&server, &server.agent_email).await;
        let (location, _) = eye_test(&server, std::slice::from_ref(&sanne)).await;
        let repair = created(
            server
                .owner_post(
                    "/api/v1/services",
                    json!({"name_nl": "Reparatie aan huis", "name_en": "Repair at home", "duration_minutes": 60,
                           "field_visit": true, "visit_window_minutes": 120, "location_ids": [location],
                           "staff_ids": [sanne]}),
                )
                .await,
        )
        .await;
        let repair = repair["id"].as_str().unwrap();
        let mut body = booking(&location, repair, "2026-11-26T10:00:00+01:00");
        let refused = book(&server, body.clone()).await;
        assert_eq!(
            refused.status(),
            StatusCode::CONFLICT,
            "a field visit needs an address (the service, stored, says it is one)"
        );
        body["address"] = json!("Kerkstraat 5, Utrecht");
        let booked = created(book(&server, body).await).await;
        assert_eq!(booked["end"], "2026-11-26T11:00:00Z", "a two-hour window");
        let id = booked["id"].as_str().unwrap();
        let visit = api_json(&server, &format!("/api/v1/appointments/{id}")).await;
        assert_eq!(
            visit["call_ahead"]["due_at"], "2026-11-26T08:30:00Z",
            "{}: 30 minutes before",
            db.name
        );
        assert_eq!(visit["call_ahead"]["status"], "open");

        let on_way = server
            .api_post(
                &format!("/api/v1/appointments/{id}/on-my-way"),
                json!({"eta_minutes": 25}),
            )
            .await;
        assert_eq!(on_way.status(), StatusCode::OK);
        let visit: Value = on_way.json().await.unwrap();
        assert_eq!(visit["call_ahead"]["status"], "kept");
        let mails = wait_for_mails(&server, "henk@example.nl", 2).await;
        let told = mails
            .iter()
            .find(|m| m.subject.contains("onderweg"))
            .expect("the on-my-way mail");
        // Now is Tuesday 10:00 local; 25 minutes on.
        assert!(
            told.text
                .contains("Uw monteur Sanne is onderweg en is rond 10:25 bij u"),
            "{}",
            told.text
        );
        outbox_drained(&server).await;
        assert_eq!(server.hooks.events("appointment.on_my_way").len(), 1);

        // Another visit whose technician never calls: the promise breaks and is escalated.
        let mut body = booking(&location, repair, "2026-11-27T13:00:00+01:00");
        body["address"] = json!("Kerkstraat 5, Utrecht");
        let second = created(book(&server, body).await).await;
        server.clock.set(Utc.with_ymd_and_hms(2026, 11, 27, 11, 31, 0).unwrap());
        kept_server::workers::check_deadlines(&server.running.state).await;
        outbox_drained(&server).await;
        let escalated = server.hooks.events("promise.escalated");
        assert_eq!(escalated.len(), 1, "{}", db.name);
        assert_eq!(escalated[0].json()["appointment"]["id"], second["id"]);
        let late = server.smtp.to(&server.owner_email);
        assert!(
            late.iter()
                .any(|m| m.subject == "Te laat: Henk Reichardt is niet vooraf gebeld"),
            "{}: {:?}",
            db.name,
            late.iter().map(|m| &m.subject).collect::<Vec<_>>()
        );
        server.running.stop().await;
    }
}

#[tokio::test]
async fn staff_see_their_appointments_in_their_own_calendar() {
    for db in databases().await {
        let server = TestServer::start(&db.url).await;
        let sanne = staff_id(&server, &server.agent_email).await;
        let (location, service) = eye_test(&server, std::slice::from_ref(&sanne)).await;
        created(book(&server, booking(&location, &service, "2026-11-26T09:30:00+01:00")).await).await;
        let url = api_json(&server, "/api/v1/calendar").await["url"]
            .as_str()
            .unwrap()
            .to_string();
        let path = &url[url.find("/calendar/").unwrap()..];
        let feed = server.http.get(server.url(path)).send().await.unwrap();
        assert_eq!(feed.status(), StatusCode::OK);
        assert!(
            feed.headers()["content-type"]
                .to_str()
                .unwrap()
                .starts_with("text/calendar")
        );
        let feed = feed.text().await.unwrap();
        assert!(feed.contains("Henk Reichardt"), "{feed}");
        if let Some(parsed) = parse_calendar(&feed) {
            assert_eq!(parsed["events"][0]["start"], "2026-11-26T09:30:00+01:00", "{}", db.name);
        }
        let rotated: Value = server
            .api_post("/api/v1/calendar/rotate", json!({}))
            .await
            .json()
            .await
            .unwrap();
        assert_ne!(rotated["url"], url.as_str());
        let old = server.http.get(server.url(path)).send().await.unwrap();
        assert_eq!(old.status(), StatusCode::NOT_FOUND, "the old address stops working");
        server.running.stop().await;
    }
}

#[tokio::test]
async fn a_cancellation_tells_the_waiting_list_and_the_first_to_book_wins() {
    for db in databases().await {
        let server = TestServer::start(&db.url).await;
        let sanne = staff_id(&server, &server.agent_email).await;
        let (location, service) = eye_test(&server, std::slice::from_ref(&sanne)).await;
        let booked = created(book(&server, booking(&location, &service, "2026-11-26T09:30:00+01:00")).await).await;
        let waiting = server
            .http
            .post(server.url("/api/v1/waiting-list"))
            .json(&json!({"location": location, "service": service, "name": "Els Wachter",
                          "email": "els@example.nl", "lang": "en"}))
            .send()
            .await
            .unwrap();
        assert_eq!(waiting.status(), StatusCode::CREATED, "{}", db.name);
        let id = booked["id"].as_str().unwrap();
        server
            .api_post(&format!("/api/v1/appointments/{id}/cancel"), json!({}))
            .await;
        let offer = wait_for_mails(&server, "els@example.nl", 1).await.remove(0);
        assert!(
            offer.subject.contains("A time has freed up for Eye test"),
            "{}",
            offer.subject
        );
        assert!(offer.text.contains("/book?location="), "{}", offer.text);
        server.smtp.assert_mime_correct(db.name);
        server.running.stop().await;
    }
}

/// At opening time the staff working at a location get the day's list by name, once however
/// often (and on however many nodes) the timers look; someone away that day does not, and a
/// day with nothing booked sends nothing. Marking an appointment done runs kept's own hook.
#[tokio::test]
async fn the_staff_get_the_days_list_at_opening_time_once() {
    for db in databases().await {
        let server = TestServer::start(&db.url).await;
        let sanne = staff_id(&server, &server.agent_email).await;
        let olga = staff_id(&server, &server.owner_email).await;
        add_staff(
            server.store.as_ref(),
            "piet@fiets.test",
            "Piet",
            kept_domain::Role::Agent,
            server.clock.now(),
        )
        .await;
        let piet = staff_id(&server, "piet@fiets.test").await;
        server.store.set_staff_lang(&piet, kept_domain::Lang::En).await.unwrap();
        let (location, service) = eye_test(&server, std::slice::from_ref(&sanne)).await;
        let olga_away = json!({"absences": [{"first_day": THURSDAY, "last_day": THURSDAY}]});
        assert_eq!(
            put_schedule(&server, &server.owner_token, &olga, &olga_away).await,
            StatusCode::OK
        );
        let henk = created(book(&server, booking(&location, &service, "2026-11-26T09:30:00+01:00")).await).await;
        let mut anna = booking(&location, &service, "2026-11-26T11:00:00+01:00");
        anna["name"] = json!("Anna de Vries");
        anna["email"] = json!("anna@example.nl");
        anna["note"] = json!("Nieuwe bril ophalen");
        anna["phone"] = json!("06 87654321");
        created(book(&server, anna).await).await;
        let mut kees = booking(&location, &service, "2026-11-26T14:00:00+01:00");
        kees["email"] = json!("kees@example.nl");
        kees["name"] = json!("Kees");
        kees["phone"] = json!(null);
        let kees = created(book(&server, kees).await).await;
        let cancel = format!("/api/v1/appointments/{}/cancel", kees["id"].as_str().unwrap());
        assert_eq!(server.api_post(&cancel, json!({})).await.status(), StatusCode::OK);
        outbox_drained(&server).await;
        let digests = |to: &str| {
            mails_to(&server, to)
                .into_iter()
                .filter(|m| m.subject.starts_with("Verwacht") || m.subject.starts_with("Expected"))
                .collect::<Vec<_>>()
        };

        // Thursday 08:59 in Utrecht: not open yet.
        server.clock.set(Utc.with_ymd_and_hms(2026, 11, 26, 7, 59, 0).unwrap());
        assert_eq!(
            kept_server::workers::send_appointment_digests(&server.running.state).await,
            0
        );
        outbox_drained(&server).await;
        assert!(digests(&server.agent_email).is_empty(), "{}", db.name);
        // 09:05: open. The background timers race this call; either way it goes out once.
        server.clock.set(Utc.with_ymd_and_hms(2026, 11, 26, 8, 5, 0).unwrap());
        kept_server::workers::send_appointment_digests(&server.running.state).await;
        kept_server::workers::send_appointment_digests(&server.running.state).await;
        outbox_drained(&server).await;
        let to_sanne = digests(&server.agent_email);
        assert_eq!(to_sanne.len(), 1, "{}: once", db.name);
        assert_eq!(to_sanne[0].subject, "Verwacht op donderdag 26 november in Centrum");
        let text = &to_sanne[0].text;
        assert!(text.contains("Vandaag staan er 2 afspraken in Centrum"), "{text}");
        assert!(
            text.contains("09:30: Henk Reichardt — Oogmeting — eerste bezoek — Sanne — Eerste keer"),
            "{text}"
        );
        assert!(text.contains("11:00: Anna de Vries — Oogmeting"), "{text}");
        assert!(
            text.find("09:30").unwrap() < text.find("11:00").unwrap(),
            "in order of time"
        );
        assert!(!text.contains("Kees"), "the cancelled one is left out: {text}");
        assert!(text.contains("/staff/today?date=2026-11-26&location="), "{text}");
        let to_piet = digests("piet@fiets.test");
        assert_eq!(to_piet.len(), 1, "{}: working there, nothing booked himself", db.name);
        assert_eq!(to_piet[0].subject, "Expected on Thursday 26 November at Centrum");
        assert!(to_piet[0].text.contains("first visit"), "{}", to_piet[0].text);
        assert!(digests(&server.owner_email).is_empty(), "{}: away that day", db.name);

        // Friday: open, nothing booked, no e-mail.
        server.clock.set(Utc.with_ymd_and_hms(2026, 11, 27, 8, 30, 0).unwrap());
        assert_eq!(
            kept_server::workers::send_appointment_digests(&server.running.state).await,
            0
        );
        outbox_drained(&server).await;
        assert_eq!(digests(&server.agent_email).len(), 1);

        // Done: the webhook and kept's own hook, each delivered once.
        let before = server.store.outbox_counts().await.unwrap();
        let done = format!("/api/v1/appointments/{}/done", henk["id"].as_str().unwrap());
        assert_eq!(server.api_post(&done, json!({})).await.status(), StatusCode::OK);
        outbox_drained(&server).await;
        let after = server.store.outbox_counts().await.unwrap();
        assert_eq!(after.delivered - before.delivered, 2, "{}: webhook and hook", db.name);
        assert_eq!(after.failed, before.failed);
        assert_eq!(server.hooks.events("appointment.done").len(), 1);
        server.running.stop().await;
    }
}
