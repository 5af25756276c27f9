//! What the public booking page offers for the choices made so far: the locations with
//! something bookable, the services at the chosen one (the first when none or an unknown one
//! was chosen), the dates that may be booked and, once a date is chosen, its free times.

use chrono::{Duration, NaiveDate};
use kept_domain::booking::Slot;
use kept_store::{Location, Service};

use crate::App;
use crate::error::AppError;

/// What the customer chose so far (ids and a local date, as the form sent them).
#[derive(Debug, Default, Clone, Copy)]
pub struct BookingChoice<'a> {
    pub location: Option<&'a str>,
    pub service: Option<&'a str>,
    pub date: Option<NaiveDate>,
}

/// The booking page's offer.
#[derive(Debug, Clone)]
pub struct BookingOffer {
    /// Active locations where at least one active service is offered.
    pub locations: Vec<Location>,
    /// The active services at `location`.
    pub services: Vec<Service>,
    pub location: Option<Location>,
    pub service: Option<Service>,
    /// Today at the location, the first date that may be booked.
    pub today: NaiveDate,
    /// The last date the service may be booked (its horizon).
    pub last_date: NaiveDate,
    /// The free times on the chosen date; `None` until a date (and a service) is chosen.
    pub free: Option<Vec<Slot>>,
}

/// The offer for `choice`. Free times that cannot be read (a service just switched off) show
/// as none rather than an error page: the customer chooses again.
pub async fn booking_offer(app: &App, choice: BookingChoice<'_>) -> Result<BookingOffer, AppError> {
    let services: Vec<Service> = app
        .store
        .services()
        .await?
        .into_iter()
        .filter(|s| s.input.active)
        .collect();
    let locations: Vec<Location> = app
        .store
        .locations()
        .await?
        .into_iter()
        .filter(|l| l.active && services.iter().any(|s| s.input.location_ids.contains(&l.id)))
        .collect();
    let location = chosen(&locations, choice.location, |l| &l.id);
    let here: Vec<Service> = location.as_ref().map_or_else(Vec::new, |l| {
        services
            .into_iter()
            .filter(|s| s.input.location_ids.contains(&l.id))
            .collect()
    });
    let service = chosen(&here, choice.service, |s| &s.id);
    let now = app.clock.now();
    let today = location
        .as_ref()
        .map_or_else(|| now.date_naive(), |l| l.hours.local_date(now));
    let last_date = service
        .as_ref()
        .map_or(today, |s| today + Duration::days(s.input.horizon_days));
    let free = match (&location, &service, choice.date) {
        (Some(l), Some(s), Some(date)) => Some(crate::free_slots(app, &l.id, &s.id, date).await.unwrap_or_default()),
        _ => None,
    };
    Ok(BookingOffer {
        locations,
        services: here,
        location,
        service,
        today,
        last_date,
        free,
    })
}

/// The one chosen by id, else the first.
fn chosen<T: Clone>(among: &[T], id: Option<&str>, id_of: impl Fn(&T) -> &String) -> Option<T> {
    among
        .iter()
        .find(|item| Some(id_of(item).as_str()) == id)
        .or(among.first())
        .cloned()
}
