//! Delivering outbox items: e-mail over SMTP, signed webhooks, channels and kept's own hooks.
//! What each item is about is read at delivery time (`kept_app::outbox`), so a retry a day
//! later still names the right person.

mod acknowledgement_email;
mod channel;
mod compose;
mod customer_email;
mod email;

mod mailer;
mod survey_email;
pub mod webhook;
mod weekly_email;

use std::ops::Deref;
use std::sync::Arc;

use kept_app::App;
pub use mailer::Mailer;

use kept_app::records::OutboxItem;
use kept_domain::Delivery;

pub use kept_app::calendar::{feed, invitation};
pub use kept_app::outbox::{Courier, DeliveryError, Rebook, Subject, WeeklyFigures, gone, temporary};

/// Deliveries in flight at once on a node (also the SMTP pool's size): a burst of 2,000
/// staff e-mails then takes seconds, not minutes, without swamping the mail server.
pub const DELIVERY_CONCURRENCY: usize = 16;

/// What delivering needs: the application (settings, clock, the use cases that say what an
/// item is about) and the ways out — the SMTP pool, the HTTP client, the webhook receivers'
/// call slots. One per node, built from the settings at start.
#[derive(Clone)]
pub struct Couriers {
    pub app: App,
    pub mailer: Option<Mailer>,
    pub http: reqwest::Client,
    /// How many webhook calls are in flight to each receiver.
    pub destinations: Arc<webhook::Destinations>,
}

impl Couriers {
    pub fn new(app: App) -> Result<Self, String> {
        let settings = app.settings();
        let mailer = settings
            .smtp_url
            .as_deref()
            .map(|url| Mailer::from_url(url, settings.smtp_ca_file.as_deref()))
            .transpose()?;
        let http = reqwest::Client::builder()
            .timeout(std::time::Duration::from_secs(10))
            .user_agent(concat!("kept/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|e| format!("HTTP client: {e}"))?;
        Ok(Couriers {
            app,
            mailer,
            http,
            destinations: Arc::default(),
        })
    }
}

/// Deliveries read the settings, the clock and the use cases through the application.
impl Deref for Couriers {
    type Target = App;

    fn deref(&self) -> &App {
        &self.app
    }
}

/// Each way of delivery has its adapter; kept-app decides what is due and what a failure means.
#[async_trait::async_trait]
impl Courier for Couriers {
    async fn carry(&self, item: &OutboxItem, subject: &Subject) -> Result<(), DeliveryError> {
        match item.delivery {
            Delivery::Email => email::send(self, item, subject).await,
            Delivery::EmailReply => email::send_reply(self, item, subject).await,
            Delivery::Webhook => webhook::send(self, item, subject).await,
            Delivery::Channel => channel::send(self, item, subject).await,
            Delivery::CustomerEmail => customer_email::send(self, item, subject).await,
            Delivery::Hook => kept_app::reactions::run(self, item, subject).await,
        }
    }
}
