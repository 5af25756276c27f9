//! A shop on each test database: the application at an injected clock, its owner and an agent.
#![allow(dead_code)]

use std::sync::{Arc, Mutex};

use chrono::{DateTime, Duration, TimeZone, Utc};
use kept_app::operator::{self, Member};
use kept_app::outbox::{Courier, DeliveryError, Pace, Subject};
use kept_app::records::{Location, OutboxItem, Service, Staff};
use kept_app::{App, config::FileConfig};
use kept_domain::conversation::{FromInput, InboundInput};
use kept_domain::{CallbackInput, Delivery, Lang, ManualClock, OutboxEvent, Role};
use kept_testdb::TestDatabase;

pub const PASSWORD: &str = "correct horse battery staple";

/// Tuesday 24 November 2026, 10:00 in Amsterdam: the shop is open (09:00–17:30).
pub fn tuesday_morning() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 24, 9, 0, 0).unwrap()
}

/// A shop on one database: the application at an injected clock, its owner and an agent.
pub struct Shop {
    pub app: App,
    pub clock: Arc<ManualClock>,
    pub owner: Staff,
    pub agent: Staff,
    pub db: TestDatabase,
}

/// A shop on each database, with neither mail nor a webhook set up: only replies on the chat
/// are queued (to its webhook).
pub async fn shops() -> Vec<Shop> {
    shops_with(|_| ()).await
}

/// A shop on each database that also e-mails its staff and calls the business's webhook, as
/// the server's tests set it up; nothing leaves the process (see [`Post`]).
pub async fn shops_with_post() -> Vec<Shop> {
    shops_with(with_post).await
}

/// Mail and the business's webhook switched on in `config`.
pub fn with_post(config: &mut FileConfig) {
    config.smtp_url = Some("smtp://127.0.0.1:9".into());
    config.mail_from = "Fietsenmaker <kept@fiets.test>".into();
    config.webhook_url = Some("http://127.0.0.1:9/hooks".into());
    config.business.name = "Fietsenmaker".into();
    config.weekly_figures_email = false;
}

/// What every shop starts from on `db`: replies on the chat go to its webhook.
pub fn config_for(db: &TestDatabase) -> FileConfig {
    FileConfig {
        database_url: db.url.clone(),
        webhook_secret: Some("test-secret".into()),
        channel_webhooks: [("chat".to_string(), "http://127.0.0.1:9/chat".to_string())].into(),
        ..FileConfig::default()
    }
}

pub async fn shops_with(adjust: impl Fn(&mut FileConfig)) -> Vec<Shop> {
    let mut shops = Vec::new();
    for db in kept_testdb::databases().await {
        let mut config = config_for(&db);
        adjust(&mut config);
        let clock = Arc::new(ManualClock::new(tuesday_morning()));
        let app = App::open(config.resolve().unwrap(), clock.clone()).await.unwrap();
        let member = |email: &'static str, name: &'static str, role| Member {
            email,
            name,
            role,
            lang: Lang::Nl,
            password: PASSWORD,
        };
        let owner = operator::add_member(&app, member("olga@fiets.test", "Olga", Role::Owner))
            .await
            .unwrap();
        let agent = operator::add_member(&app, member("sanne@fiets.test", "Sanne", Role::Agent))
            .await
            .unwrap();
        shops.push(Shop {
            app,
            clock,
            owner,
            agent,
            db,
        });
    }
    shops
}

impl Shop {
    /// Another node on this shop's database and clock (with mail and the webhook), as a second
    /// process or a restarted one would be: its own application, pool and settings.
    pub async fn another_node(&self) -> App {
        let mut config = config_for(&self.db);
        with_post(&mut config);
        App::open(config.resolve().unwrap(), self.clock.clone()).await.unwrap()
    }

    /// The shop's counter in Utrecht and its 30-minute bike check-up there, set up by the owner.
    pub async fn counter_and_check_up(&self) -> (Location, Service) {
        let counter = kept_app::LocationForm {
            name: "Winkel Centrum".into(),
            address: "Oudegracht 1, Utrecht".into(),
            ..Default::default()
        };
        let location = kept_app::save_location(&self.app, &self.owner, None, &counter)
            .await
            .unwrap();
        let check_up = kept_app::ServiceForm {
            name_nl: "Fietscontrole".into(),
            name_en: "Bike check-up".into(),
            duration_minutes: 30,
            location_ids: vec![location.id.clone()],
            ..Default::default()
        };
        let service = kept_app::save_service(&self.app, &self.owner, None, &check_up)
            .await
            .unwrap();
        (location, service)
    }

    /// Another agent on the team (speaking Dutch).
    pub async fn add_agent(&self, email: &str, name: &str) -> Staff {
        let member = Member {
            email,
            name,
            role: Role::Agent,
            lang: Lang::Nl,
            password: PASSWORD,
        };
        operator::add_member(&self.app, member).await.unwrap()
    }
}

/// A message on the chat channel: its id there, who wrote it (handle, name) and what.
pub fn chat_message(external_id: &str, (handle, name): (&str, &str), text: &str) -> InboundInput {
    InboundInput {
        channel: Some("chat".into()),
        external_id: Some(external_id.into()),
        from: Some(FromInput {
            handle: Some(handle.into()),
            name: Some(name.into()),
        }),
        text: Some(text.into()),
        sent_at: None,
    }
}

/// A call-me-back request from Jan Jansen (06 12345678) for `window`.
pub fn call_me_back(window: &str) -> CallbackInput {
    CallbackInput {
        phone: Some("06 12345678".into()),
        name: Some("Jan Jansen".into()),
        window: Some(window.into()),
        note: Some("Mijn fiets is nog niet klaar".into()),
        ..CallbackInput::default()
    }
}

/// One item the outbox handed to the courier.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Carried {
    pub delivery: Delivery,
    pub event: OutboxEvent,
    pub subject_id: String,
    pub recipient_id: Option<String>,
}

/// A courier that carries everything at once and writes down what; kept's own reactions (the
/// survey after a contact) run as they do in the server.
pub struct Post {
    app: App,
    carried: Mutex<Vec<Carried>>,
}

#[async_trait::async_trait]
impl Courier for Post {
    async fn carry(&self, item: &OutboxItem, subject: &Subject) -> Result<(), DeliveryError> {
        if item.delivery == Delivery::Hook {
            kept_app::reactions::run(&self.app, item, subject).await?;
        }
        self.carried.lock().unwrap().push(Carried {
            delivery: item.delivery,
            event: item.event,
            subject_id: item.subject_id.clone(),
            recipient_id: item.recipient_id.clone(),
        });
        Ok(())
    }
}

impl Post {
    pub fn new(app: &App) -> Post {
        Post {
            app: app.clone(),
            carried: Mutex::default(),
        }
    }

    /// Delivers everything due now (and what that queues in turn); what went, in order.
    pub async fn deliver(&self) -> Vec<Carried> {
        let before = self.carried.lock().unwrap().len();
        let pace = Pace {
            lease: Duration::seconds(60),
            batch: 100,
            concurrency: 1,
        };
        while kept_app::outbox::deliver_due(&self.app, self, pace).await > 0 {}
        self.carried.lock().unwrap()[before..].to_vec()
    }

    /// Everything carried so far of `event` by `delivery`.
    pub fn of(&self, delivery: Delivery, event: OutboxEvent) -> Vec<Carried> {
        let carried = self.carried.lock().unwrap();
        carried
            .iter()
            .filter(|c| c.delivery == delivery && c.event == event)
            .cloned()
            .collect()
    }

    /// The staff e-mails of `event` carried so far, to whom (their staff ids).
    pub fn emailed(&self, event: OutboxEvent) -> Vec<String> {
        self.of(Delivery::Email, event)
            .into_iter()
            .filter_map(|c| c.recipient_id)
            .collect()
    }
}
