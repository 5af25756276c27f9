//! Customers' appointment reminders: when the owner chose, each once (also with two nodes
//! looking at the same moment), and one that fell due while kept was stopped goes out when it
//! runs again — unless the appointment has started.

use chrono::{TimeZone, Utc};
use kept_app::timers::send_appointment_reminders;
use kept_domain::{Delivery, Lang, OutboxEvent};

use crate::support::*;

/// Books `start` (local time) for `email` at the shop's counter.
async fn booked(shop: &Shop, start: &str, email: &str) -> String {
    let (location, service) = match kept_app::locations(&shop.app).await.unwrap().first() {
        Some(location) => {
            let services = kept_app::services(&shop.app).await.unwrap();
            (location.clone(), services[0].clone())
        }
        None => shop.counter_and_check_up().await,
    };
    let visit = kept_domain::BookingInput {
        location: Some(location.id),
        service: Some(service.id),
        start: Some(start.into()),
        name: Some("Henk Reichardt".into()),
        email: Some(email.into()),
        phone: Some("06 12345678".into()),
        ..Default::default()
    };
    let booked = kept_app::book(&shop.app, &visit, Lang::Nl).await;
    booked
        .unwrap_or_else(|error| panic!("{}: {start}: {error:?}", shop.db.name))
        .appointment
        .id
}

/// The reminders carried so far (each by e-mail and by webhook, for an SMS gateway): the
/// appointments they were about, sorted.
fn reminded(post: &Post) -> Vec<String> {
    let about = |delivery| {
        let mut ids: Vec<String> = post
            .of(delivery, OutboxEvent::AppointmentReminder)
            .into_iter()
            .map(|c| c.subject_id)
            .collect();
        ids.sort();
        ids
    };
    let by_mail = about(Delivery::CustomerEmail);
    assert_eq!(by_mail, about(Delivery::Webhook), "each reminder by e-mail and webhook");
    by_mail
}

/// The owner chooses when customers are reminded: here only half an hour before.
#[tokio::test]
async fn reminders_follow_the_owners_choice() {
    for shop in shops_with(|config| {
        with_post(config);
        config.appointment_reminders = vec!["30".into()];
    })
    .await
    {
        let (app, db) = (&shop.app, shop.db.name);
        let post = Post::new(app);
        let visit = booked(&shop, "2026-11-26T09:30:00+01:00", "henk@example.nl").await;
        shop.clock.set(Utc.with_ymd_and_hms(2026, 11, 25, 17, 30, 0).unwrap());
        assert_eq!(
            send_appointment_reminders(app).await.unwrap(),
            0,
            "{db}: no evening reminder"
        );
        shop.clock.set(Utc.with_ymd_and_hms(2026, 11, 26, 8, 0, 0).unwrap());
        assert_eq!(
            send_appointment_reminders(app).await.unwrap(),
            1,
            "{db}: the half-hour one"
        );
        post.deliver().await;
        assert_eq!(reminded(&post), [visit], "{db}");
    }
}

/// Two nodes look for due reminders at the same moment: each is sent once. A reminder that
/// fell due while kept was stopped goes out when it starts again; one whose appointment
/// started meanwhile does not.
#[tokio::test]
async fn two_nodes_send_each_reminder_once_and_a_restart_catches_up() {
    for shop in shops_with_post().await {
        let (app, db) = (&shop.app, shop.db.name);
        let starts = [
            "2026-11-26T09:30:00+01:00",
            "2026-11-26T11:00:00+01:00",
            "2026-11-27T09:00:00+01:00",
        ];
        let mut visits = Vec::new();
        for (n, start) in starts.iter().enumerate() {
            visits.push(booked(&shop, start, &format!("klant{n}@example.nl")).await);
        }
        let other = shop.another_node().await;
        let post = Post::new(app);
        post.deliver().await;

        // Thursday 08:45 local: the evening reminders of the first two and the 2-hours one of
        // the first are due (Friday's evening reminder is not).
        shop.clock.set(Utc.with_ymd_and_hms(2026, 11, 26, 7, 45, 0).unwrap());
        let (a, b) = tokio::join!(send_appointment_reminders(app), send_appointment_reminders(&other));
        assert_eq!(a.unwrap() + b.unwrap(), 3, "{db}: each due reminder once");
        post.deliver().await;
        let mut expected = vec![visits[0].clone(), visits[0].clone(), visits[1].clone()];
        expected.sort();
        assert_eq!(reminded(&post), expected, "{db}");

        // Stopped over Thursday; started again at 18:30 local (a new application on the same
        // database): Friday's reminder goes out, the 11:00 one's 2-hours reminder (its
        // appointment has started) does not.
        drop(other);
        shop.clock.set(Utc.with_ymd_and_hms(2026, 11, 26, 17, 30, 0).unwrap());
        let restarted = shop.another_node().await;
        assert_eq!(send_appointment_reminders(&restarted).await.unwrap(), 1, "{db}");
        assert_eq!(send_appointment_reminders(&restarted).await.unwrap(), 0, "{db}");
        post.deliver().await;
        expected.push(visits[2].clone());
        expected.sort();
        assert_eq!(reminded(&post), expected, "{db}: Friday's, once");
    }
}
