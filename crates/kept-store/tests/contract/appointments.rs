//! Locations, services and staff hours; booking, moving, calling ahead, answering the invitation
//! and cancelling an appointment; reminders, the day's digest, the waiting list and the secrets
//! behind calendar feeds and signed links: every method of their traits, on both databases.

use std::collections::BTreeSet;

use chrono::{DateTime, Duration, NaiveDate, TimeZone, Utc};
use kept_domain::booking::parse_week;
use kept_domain::{AppointmentStatus, CalendarAnswer, Lang, OutboxEvent, PromiseStatus, Role};
use kept_store::{
    Absence, AppointmentChange, LocationInput, NewAppointment, NewCalendarAnswer, NewTime, NewWaiting, ServiceInput,
    StaffSchedule, Store, StoreError,
};

use crate::{ALL, monday, staff, stores};

/// Tuesday 24 November 2026 at `hour`:00 in Amsterdam (UTC+1).
fn tuesday(hour: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 24, hour - 1, 0, 0).unwrap()
}

fn location(name: &str) -> LocationInput {
    let days = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"].map(|day| (day, "08:00-18:00"));
    LocationInput {
        name: name.into(),
        address: "Stationsplein 1, Utrecht".into(),
        time_zone: chrono_tz::Europe::Amsterdam,
        week: parse_week(days).unwrap(),
        closed_days: BTreeSet::new(),
        active: true,
    }
}

fn service(name: &str, location_id: &str, staff_id: &str) -> ServiceInput {
    ServiceInput {
        name_nl: name.into(),
        name_en: format!("{name} (en)"),
        duration_minutes: 60,
        buffer_before_minutes: 0,
        buffer_after_minutes: 0,
        min_notice_minutes: 60,
        horizon_days: 30,
        field_visit: true,
        visit_window_minutes: None,
        call_ahead_minutes: 30,
        location_ids: vec![location_id.into()],
        staff_ids: vec![staff_id.into()],
        active: true,
    }
}

fn time(staff_id: &str, start: DateTime<Utc>) -> NewTime {
    NewTime {
        staff_ids: vec![staff_id.into()],
        start,
        end: start + Duration::hours(1),
        occupies: (start, start + Duration::hours(1)),
        reminders: vec![start - Duration::days(1)],
        call_ahead_due: Some(start - Duration::minutes(30)),
        now: monday(),
        fanout: ALL,
    }
}

fn booking(location_id: &str, service_id: &str, time: NewTime) -> NewAppointment {
    NewAppointment {
        location_id: location_id.into(),
        service_id: service_id.into(),
        time,
        name: "Jan Jansen".into(),
        email: "jan@example.nl".into(),
        phone: Some("+31612345678".into()),
        note: None,
        address: Some("Dorpsstraat 1".into()),
        lang: Lang::Nl,
    }
}

/// A location with one service that Anna does; their ids and Anna's.
async fn shop(store: &dyn Store) -> (String, String, String) {
    let anna = staff(store, "anna@x.test", Role::Agent).await;
    let location = store.add_location(location("Utrecht"), monday()).await.unwrap();
    let service = store
        .add_service(service("Reparatie", &location.id, &anna), monday())
        .await
        .unwrap();
    (location.id, service.id, anna)
}

#[tokio::test]
async fn locations_services_and_hours_are_kept_and_say_what_a_booking_depends_on() {
    for (name, store, _db) in stores().await {
        let store = store.as_ref();
        let (location_id, service_id, anna) = shop(store).await;
        let renamed = store
            .change_location(&location_id, location("Utrecht Centrum"))
            .await
            .unwrap();
        assert_eq!(renamed.name, "Utrecht Centrum");
        assert_eq!(
            store.location(&location_id).await.unwrap().unwrap().name,
            "Utrecht Centrum",
            "{name}"
        );
        assert_eq!(store.locations().await.unwrap().len(), 1);
        assert!(store.location("nowhere").await.unwrap().is_none());

        let mut longer = service("Grote beurt", &location_id, &anna);
        longer.duration_minutes = 90;
        store.change_service(&service_id, longer.clone()).await.unwrap();
        assert_eq!(
            store.service(&service_id).await.unwrap().unwrap().input,
            longer,
            "{name}"
        );
        assert_eq!(store.services().await.unwrap().len(), 1);
        let mut elsewhere = service("X", "nowhere", &anna);
        elsewhere.location_ids = vec!["nowhere".into()];
        assert!(
            matches!(store.add_service(elsewhere, monday()).await, Err(StoreError::NotFound)),
            "{name}"
        );

        let hours = parse_week([("tue", "09:00-12:00")]).unwrap();
        let day = NaiveDate::from_ymd_opt(2026, 12, 1).unwrap();
        let schedule = StaffSchedule {
            hours: vec![(location_id.clone(), hours)],
            absences: vec![Absence {
                first_day: day,
                last_day: day,
                note: Some("tandarts".into()),
            }],
        };
        store.set_staff_schedule(&anna, &schedule).await.unwrap();
        assert_eq!(store.staff_schedule(&anna).await.unwrap(), schedule, "{name}");

        let facts = store
            .booking_facts(&location_id, &service_id, tuesday(8), tuesday(18))
            .await
            .unwrap()
            .unwrap();
        assert_eq!(facts.staff.len(), 1);
        assert_eq!(facts.staff[0].staff_id, anna);
        assert_eq!(facts.staff[0].absences, vec![(day, day)], "{name}");
        assert!(facts.busy.is_empty());
        assert!(
            store
                .booking_facts(&location_id, "nothing", tuesday(8), tuesday(18))
                .await
                .unwrap()
                .is_none()
        );
    }
}

#[tokio::test]
async fn an_appointment_is_booked_once_moved_called_ahead_answered_and_cancelled() {
    for (name, store, _db) in stores().await {
        let store = store.as_ref();
        let (location_id, service_id, anna) = shop(store).await;
        let booked = store
            .book(booking(&location_id, &service_id, time(&anna, tuesday(10))))
            .await
            .unwrap();
        assert_eq!(
            (booked.status, booked.staff_id.as_str()),
            (AppointmentStatus::Booked, anna.as_str())
        );
        assert_eq!(
            booked.call_ahead.as_ref().map(|c| c.status),
            Some(PromiseStatus::Open),
            "{name}"
        );
        let twice = store
            .book(booking(&location_id, &service_id, time(&anna, tuesday(10))))
            .await;
        assert!(
            matches!(twice, Err(StoreError::Taken)),
            "never booked twice at once on {name}"
        );
        assert_eq!(store.repair_claims().await.unwrap(), 0, "every claim is held on {name}");
        let facts = store
            .booking_facts(&location_id, &service_id, tuesday(8), tuesday(18))
            .await
            .unwrap()
            .unwrap();
        assert_eq!(facts.busy.len(), 1);

        // Tuesday in Amsterdam, midnight to midnight.
        let (from, until) = (tuesday(1) - Duration::hours(1), tuesday(1) + Duration::hours(23));
        assert_eq!(
            store.appointments(from, until, Some(&location_id)).await.unwrap().len(),
            1
        );
        assert!(
            store
                .appointments(from, until, Some("elsewhere"))
                .await
                .unwrap()
                .is_empty()
        );
        assert_eq!(
            store.staff_appointments(&anna, from, until).await.unwrap()[0].id,
            booked.id
        );

        assert_eq!(
            store
                .send_due_reminders(monday() - Duration::minutes(30), ALL)
                .await
                .unwrap(),
            0,
            "not due a day ahead minus half an hour on {name}"
        );
        let due = tuesday(10) - Duration::days(1);
        assert_eq!(store.send_due_reminders(due, ALL).await.unwrap(), 1, "{name}");
        assert_eq!(store.send_due_reminders(due, ALL).await.unwrap(), 0, "once on {name}");

        let answer = |from: &str, answer| NewCalendarAnswer {
            appointment_id: booked.id.clone(),
            from_address: from.into(),
            answer,
            comment: None,
            rebook_due: monday() + Duration::hours(4),
            now: monday(),
            fanout: ALL,
        };
        let stranger = store
            .record_calendar_answer(answer("eve@example.nl", CalendarAnswer::Declined))
            .await;
        assert!(
            matches!(stranger, Err(StoreError::NotFound)),
            "only the customer answers on {name}"
        );
        let accepted = store
            .record_calendar_answer(answer("JAN@example.nl", CalendarAnswer::Accepted))
            .await
            .unwrap();
        assert_eq!(accepted.rebook_promise, None);
        let declined = store
            .record_calendar_answer(answer("jan@example.nl", CalendarAnswer::Declined))
            .await
            .unwrap();
        let rebook = declined.rebook_promise.expect("a decline asks someone to get in touch");
        assert_eq!(
            store.promise(&rebook).await.unwrap().unwrap().status,
            PromiseStatus::Open,
            "{name}"
        );
        assert_eq!(
            store.calendar_answer(&booked.id).await.unwrap().unwrap().answer,
            CalendarAnswer::Declined
        );

        let moved = store.reschedule(&booked.id, time(&anna, tuesday(14))).await.unwrap();
        assert_eq!(
            (moved.start, moved.sequence),
            (tuesday(14), booked.sequence + 1),
            "{name}"
        );
        let into_the_old_time = store
            .book(booking(&location_id, &service_id, time(&anna, tuesday(10))))
            .await;
        assert!(into_the_old_time.is_ok(), "the old time is free again on {name}");

        let eta = tuesday(14) - Duration::minutes(10);
        let on_the_way = store.on_my_way(&booked.id, &anna, eta, tuesday(13), ALL).await.unwrap();
        assert_eq!(on_the_way.eta, Some(eta));
        assert_eq!(
            on_the_way.call_ahead.map(|c| c.status),
            Some(PromiseStatus::Kept),
            "{name}"
        );

        let cancel = AppointmentChange {
            status: AppointmentStatus::Cancelled,
            staff_id: Some(anna.clone()),
            now: tuesday(13),
            fanout: ALL,
        };
        // Still to come for the customer: the moved one (the one at 10:00 is over by 13:00).
        let coming = store
            .customer_appointments(&booked.customer_id, tuesday(13))
            .await
            .unwrap();
        assert_eq!(
            coming.iter().map(|a| a.id.as_str()).collect::<Vec<_>>(),
            [booked.id.as_str()],
            "{name}"
        );
        let earlier = store
            .customer_appointments(&booked.customer_id, tuesday(8))
            .await
            .unwrap();
        assert_eq!(earlier.len(), 2, "both, soonest first on {name}");
        assert!(earlier[0].start < earlier[1].start);
        let cancelled = store.change_appointment(&booked.id, cancel.clone()).await.unwrap();
        assert_eq!(cancelled.status, AppointmentStatus::Cancelled);
        assert!(
            store
                .customer_appointments(&booked.customer_id, tuesday(13))
                .await
                .unwrap()
                .is_empty(),
            "a cancelled one is not to come on {name}"
        );
        assert_eq!(
            store.appointment(&booked.id).await.unwrap().unwrap().status,
            AppointmentStatus::Cancelled
        );
        assert!(
            store
                .change_appointment(
                    &booked.id,
                    AppointmentChange {
                        status: AppointmentStatus::Done,
                        ..cancel
                    }
                )
                .await
                .is_err(),
            "a cancelled visit is not done on {name}"
        );
        let again = store
            .book(booking(&location_id, &service_id, time(&anna, tuesday(14))))
            .await;
        assert!(again.is_ok(), "a cancelled appointment gives its time back on {name}");
    }
}

#[tokio::test]
async fn the_days_digest_goes_out_once_with_the_appointments_still_on() {
    for (name, store, _db) in stores().await {
        let store = store.as_ref();
        let (location_id, service_id, anna) = shop(store).await;
        let booked = store
            .book(booking(&location_id, &service_id, time(&anna, tuesday(15))))
            .await
            .unwrap();
        let before_opening = tuesday(7) + Duration::minutes(30);
        assert_eq!(store.send_due_digests(before_opening, ALL).await.unwrap(), 0, "{name}");
        assert_eq!(store.send_due_digests(tuesday(8), ALL).await.unwrap(), 1, "{name}");
        assert_eq!(
            store.send_due_digests(tuesday(9), ALL).await.unwrap(),
            0,
            "once a day on {name}"
        );
        let claimed = store.claim_outbox(tuesday(9), Duration::minutes(5), 100).await.unwrap();
        let digest = claimed
            .iter()
            .find(|i| i.event == OutboxEvent::AppointmentDigest)
            .expect("queued");
        assert_eq!(digest.recipient_id.as_deref(), Some(anna.as_str()));
        let view = store.location_digest(&digest.subject_id).await.unwrap().unwrap();
        assert_eq!(view.day, NaiveDate::from_ymd_opt(2026, 11, 24).unwrap());
        assert_eq!(
            view.appointments.iter().map(|a| a.id.as_str()).collect::<Vec<_>>(),
            [booked.id.as_str()]
        );
        assert!(store.location_digest("nothing").await.unwrap().is_none());
    }
}

#[tokio::test]
async fn the_waiting_list_and_the_secrets_behind_feeds_and_links() {
    for (name, store, _db) in stores().await {
        let store = store.as_ref();
        let (location_id, service_id, anna) = shop(store).await;
        let waiting = store
            .join_waiting_list(NewWaiting {
                location_id: location_id.clone(),
                service_id: service_id.clone(),
                name: "Piet".into(),
                email: "piet@example.nl".into(),
                phone: None,
                lang: Lang::En,
                now: monday(),
            })
            .await
            .unwrap();
        let found = store.waiting(&waiting.id).await.unwrap().unwrap();
        assert_eq!(
            (found.email.as_str(), found.lang, found.created_at),
            ("piet@example.nl", Lang::En, monday())
        );
        assert!(store.waiting("nobody").await.unwrap().is_none(), "{name}");

        assert_eq!(store.calendar_secret(&anna, "first", false).await.unwrap(), "first");
        assert_eq!(
            store.calendar_secret(&anna, "second", false).await.unwrap(),
            "first",
            "kept on {name}"
        );
        assert_eq!(
            store.calendar_secret(&anna, "third", true).await.unwrap(),
            "third",
            "rotated on {name}"
        );
        assert_eq!(store.staff_by_calendar_secret("third").await.unwrap().unwrap().id, anna);
        assert!(
            store.staff_by_calendar_secret("first").await.unwrap().is_none(),
            "the old feed stops on {name}"
        );

        assert_eq!(store.signing_key("links", "key-1", monday()).await.unwrap(), "key-1");
        assert_eq!(
            store.signing_key("links", "key-2", monday()).await.unwrap(),
            "key-1",
            "made once on {name}"
        );
        assert_eq!(store.signing_key("other", "key-3", monday()).await.unwrap(), "key-3");
    }
}
