//! Booking appointments.

use crate::support::*;

use kept_app::error::AppError;
use kept_domain::Lang;

#[tokio::test]
async fn a_time_booked_a_moment_ago_is_refused_with_the_next_free_times() {
    for shop in shops().await {
        let (app, db) = (&shop.app, shop.db.name);
        let (location, service) = shop.counter_and_check_up().await;
        // Only owners set the shop up.
        let counter = kept_app::LocationForm {
            name: "Winkel Noord".into(),
            address: "Amsterdamsestraatweg 1, Utrecht".into(),
            ..Default::default()
        };
        let refused = kept_app::save_location(app, &shop.agent, None, &counter).await;
        assert!(matches!(refused, Err(AppError::OwnerOnly)), "{db}: {refused:?}");

        let wednesday = tuesday_morning().date_naive().succ_opt().unwrap();
        let free = kept_app::free_slots(app, &location.id, &service.id, wednesday)
            .await
            .unwrap();
        let first = free.first().unwrap_or_else(|| panic!("{db}: free times on Wednesday"));
        let booking = |name: &str, email: &str| kept_domain::BookingInput {
            location: Some(location.id.clone()),
            service: Some(service.id.clone()),
            start: Some(first.start.to_rfc3339()),
            name: Some(name.into()),
            email: Some(email.into()),
            ..Default::default()
        };
        let booked = kept_app::book(app, &booking("Henk", "henk@example.nl"), Lang::Nl)
            .await
            .unwrap();
        assert_eq!(booked.appointment.start, first.start, "{db}");
        // A time can be booked as often as there are people free at it (two on this team);
        // then it is refused as taken, with the next free times.
        let mut more = 0;
        let refused = loop {
            let email = format!("klant{more}@example.nl");
            match kept_app::book(app, &booking("Klant", &email), Lang::Nl).await {
                Ok(_) if more < 5 => more += 1,
                Ok(_) => panic!("{db}: one time booked over and over"),
                Err(error) => break error,
            }
        };
        match refused {
            AppError::SlotTaken(next) => {
                assert!(!next.is_empty(), "{db}: the next free times come with the refusal");
                assert!(next.iter().all(|(start, _)| *start != first.start), "{db}: {next:?}");
            }
            other => panic!("{db}: the full time is refused as taken, not {other:?}"),
        }
        assert!(more < 2, "{db}: {} bookings at one time for two people", more + 1);
        let day = kept_app::day(app, wednesday, Some(location.id.as_str())).await.unwrap();
        assert_eq!(
            day.len(),
            1 + more,
            "{db}: what was booked is on the day, the refused one not"
        );
        assert!(day.iter().all(|a| a.start == first.start), "{db}");
    }
}
