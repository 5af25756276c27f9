//! Use cases where they live: the application on a real store — SQLite in a temp dir, and
//! PostgreSQL when the suite names a server — with an injected clock, and no HTTP in between.
//! The HTTP tests (crates/kept/tests) keep what is HTTP's: status codes, forms, cookies, CSRF,
//! pages in nl and en.

use std::sync::Arc;

use chrono::{DateTime, Duration, TimeZone, Utc};
use kept_app::auth::token_hash;
use kept_app::error::AppError;
use kept_app::mailboxes::{self, MailboxReader, PollReport};
use kept_app::operator::{self, Member};
use kept_app::outbox::{Courier, DeliveryError, Pace, Subject};
use kept_app::records::{DeliveryFilter, OutboxItem, Staff};
use kept_app::{App, config::FileConfig};
use kept_domain::{CallOutcome, CallbackInput, CallbackStatus, Lang, ManualClock, PromiseStatus, Role};
use kept_testdb::TestDatabase;
use serde_json::json;

const PASSWORD: &str = "correct horse battery staple";

/// Tuesday 24 November 2026, 10:00 in Amsterdam: the shop is open (09:00–17:30).
fn tuesday_morning() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 24, 9, 0, 0).unwrap()
}

/// A shop on one database: the application at an injected clock, its owner and an agent.
struct Shop {
    app: App,
    clock: Arc<ManualClock>,
    owner: Staff,
    agent: Staff,
    db: TestDatabase,
}

async fn shops() -> Vec<Shop> {
    let mut shops = Vec::new();
    for db in kept_testdb::databases().await {
        // Replies on the chat go to its webhook (nothing is delivered here: no workers run).
        let config = FileConfig {
            database_url: db.url.clone(),
            webhook_secret: Some("test-secret".into()),
            channel_webhooks: [("chat".to_string(), "http://127.0.0.1:9/chat".to_string())].into(),
            ..FileConfig::default()
        };
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

fn call_me_back(window: &str) -> CallbackInput {
    CallbackInput {
        phone: Some("06 12345678".into()),
        name: Some("Jan Jansen".into()),
        window: Some(window.into()),
        note: Some("Mijn fiets is nog niet klaar".into()),
        ..CallbackInput::default()
    }
}

#[tokio::test]
async fn a_callback_request_is_a_promise_kept_by_a_call_in_time_and_broken_by_a_late_one() {
    for shop in shops().await {
        let (app, db) = (&shop.app, shop.db.name);
        let early = kept_app::accept_callback(app, &call_me_back("asap"), Lang::Nl)
            .await
            .unwrap();
        assert_eq!(early.callback.status, CallbackStatus::Open, "{db}");
        assert_eq!(early.callback.promise_status, PromiseStatus::Open, "{db}");
        // "Zo snel mogelijk (binnen 90 minuten)", in opening hours.
        assert_eq!(early.callback.due_at, tuesday_morning() + Duration::minutes(90), "{db}");
        assert!(early.confirmation.contains("11:30"), "{db}: {}", early.confirmation);
        let open = kept_app::callbacks(app, Some(CallbackStatus::Open), 10).await.unwrap();
        assert_eq!(
            open.iter().map(|c| &c.id).collect::<Vec<_>>(),
            [&early.callback.id],
            "{db}"
        );

        // Called back within the hour: kept, and off the open list.
        shop.clock.set(tuesday_morning() + Duration::minutes(60));
        let called = kept_app::record_outcome(app, &shop.agent, &early.callback.id, CallOutcome::Reached, None)
            .await
            .unwrap();
        assert_eq!(called.promise_status, PromiseStatus::Kept, "{db}");
        assert_ne!(called.status, CallbackStatus::Open, "{db}");
        assert!(
            kept_app::callbacks(app, Some(CallbackStatus::Open), 10)
                .await
                .unwrap()
                .is_empty(),
            "{db}"
        );

        // Another customer asks; the call comes a minute after the promised time: broken.
        let late = kept_app::accept_callback(app, &call_me_back("asap"), Lang::Nl)
            .await
            .unwrap();
        shop.clock.set(late.callback.due_at + Duration::minutes(1));
        let called = kept_app::record_outcome(app, &shop.agent, &late.callback.id, CallOutcome::Reached, None)
            .await
            .unwrap();
        assert_eq!(called.promise_status, PromiseStatus::Broken, "{db}");
    }
}

#[tokio::test]
async fn what_only_owners_may_do_is_refused_to_an_agent_before_anything_is_written() {
    for shop in shops().await {
        let (app, db) = (&shop.app, shop.db.name);
        let rename = json!({"business": {"name": "Fietsen van Sanne"}});
        let refused = kept_app::change_settings(app, &shop.agent, &rename).await;
        assert!(matches!(refused, Err(AppError::OwnerOnly)), "{db}: {refused:?}");
        assert_ne!(app.settings().business.name, "Fietsen van Sanne", "{db}");
        let refused = kept_app::deliveries(app, &shop.agent, &DeliveryFilter::default()).await;
        assert!(matches!(refused, Err(AppError::OwnerOnly)), "{db}: {refused:?}");

        // The same for the owner: done.
        let changed = kept_app::change_settings(app, &shop.owner, &rename).await.unwrap();
        assert_eq!(changed.business.name, "Fietsen van Sanne", "{db}");
        assert_eq!(
            app.settings().business.name,
            "Fietsen van Sanne",
            "{db}: in force at once"
        );
        assert!(
            kept_app::deliveries(app, &shop.owner, &DeliveryFilter::default())
                .await
                .is_ok(),
            "{db}"
        );
    }
}

#[tokio::test]
async fn logging_in_takes_the_right_password_of_someone_still_on_the_team() {
    for shop in shops().await {
        let (app, db) = (&shop.app, shop.db.name);
        let token = kept_app::log_in(app, "olga@fiets.test", PASSWORD).await.unwrap();
        let token = token.unwrap_or_else(|| panic!("{db}: the owner logs in"));
        let session = kept_app::session(app, &token_hash(&token)).await.unwrap();
        assert_eq!(session.map(|s| s.staff.id), Some(shop.owner.id.clone()), "{db}");
        assert_eq!(
            kept_app::log_in(app, "olga@fiets.test", "wrong password")
                .await
                .unwrap(),
            None,
            "{db}"
        );
        assert_eq!(
            kept_app::log_in(app, "nobody@fiets.test", PASSWORD).await.unwrap(),
            None,
            "{db}"
        );

        // Taken off the team: the right password no longer opens kept.
        operator::take_off_team(app, "sanne@fiets.test", "olga@fiets.test")
            .await
            .unwrap();
        assert_eq!(
            kept_app::log_in(app, "sanne@fiets.test", PASSWORD).await.unwrap(),
            None,
            "{db}"
        );

        // Logged out: the session is gone; and a session ends after its length.
        kept_app::log_out(app, &token_hash(&token)).await.unwrap();
        assert!(
            kept_app::session(app, &token_hash(&token)).await.unwrap().is_none(),
            "{db}"
        );
        let token = kept_app::log_in(app, "olga@fiets.test", PASSWORD)
            .await
            .unwrap()
            .unwrap();
        shop.clock
            .set(tuesday_morning() + kept_app::SESSION_LENGTH + Duration::minutes(1));
        assert!(
            kept_app::session(app, &token_hash(&token)).await.unwrap().is_none(),
            "{db}"
        );
    }
}

#[tokio::test]
async fn a_message_is_a_promise_to_answer_kept_once_the_reply_reaches_the_customer() {
    for shop in shops().await {
        let (app, db) = (&shop.app, shop.db.name);
        let chat = kept_domain::conversation::InboundInput {
            channel: Some("chat".into()),
            external_id: Some("chat-1".into()),
            from: Some(kept_domain::conversation::FromInput {
                handle: Some("@jan".into()),
                name: Some("Jan Jansen".into()),
            }),
            text: Some("Is mijn fiets al klaar?".into()),
            sent_at: None,
        };
        let first = kept_app::accept_inbound(app, &chat).await.unwrap();
        let promise = first
            .promise_id
            .clone()
            .unwrap_or_else(|| panic!("{db}: a promise to answer"));
        // The channel sends it again (a retry): the same message, the same promise.
        let again = kept_app::accept_inbound(app, &chat).await.unwrap();
        assert!(again.duplicate, "{db}");
        assert_eq!(again.promise_id.as_ref(), Some(&promise), "{db}");

        shop.clock.set(tuesday_morning() + Duration::minutes(20));
        let choices = kept_app::CommitmentChoices::default();
        let answered = kept_app::reply(
            app,
            &shop.agent,
            &first.conversation_id,
            "Ja, hij staat klaar.",
            &choices,
        )
        .await
        .unwrap();
        assert_eq!(answered.messages.len(), 2, "{db}: the question once, the answer once");
        // Written is not yet answered: the promise is kept when the reply reaches the chat.
        assert_eq!(answered.promise_status, Some(PromiseStatus::Open), "{db}");
        let due = kept_app::outbox::claim_outbox(app, Duration::seconds(60), 100)
            .await
            .unwrap();
        let sent = due
            .iter()
            .find(|item| item.event == kept_domain::OutboxEvent::MessageReply)
            .unwrap_or_else(|| panic!("{db}: the reply waits in the outbox: {due:?}"));
        shop.clock.set(tuesday_morning() + Duration::minutes(21));
        kept_app::outbox::record_delivery(app, sent, &Ok(())).await.unwrap();
        let delivered = kept_app::conversation(app, &first.conversation_id)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(delivered.promise_id.as_ref(), Some(&promise), "{db}");
        assert_eq!(delivered.promise_status, Some(PromiseStatus::Kept), "{db}");
    }
}

#[tokio::test]
async fn a_time_booked_a_moment_ago_is_refused_with_the_next_free_times() {
    for shop in shops().await {
        let (app, db) = (&shop.app, shop.db.name);
        let counter = kept_app::LocationForm {
            name: "Winkel Centrum".into(),
            address: "Oudegracht 1, Utrecht".into(),
            ..Default::default()
        };
        let location = kept_app::save_location(app, &shop.owner, None, &counter).await.unwrap();
        let check_up = kept_app::ServiceForm {
            name_nl: "Fietscontrole".into(),
            name_en: "Bike check-up".into(),
            duration_minutes: 30,
            location_ids: vec![location.id.clone()],
            ..Default::default()
        };
        let service = kept_app::save_service(app, &shop.owner, None, &check_up).await.unwrap();
        // Only owners set the shop up.
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

#[tokio::test]
async fn a_customer_is_erased_by_an_owner_with_a_reason_and_never_by_an_agent() {
    for shop in shops().await {
        let (app, db) = (&shop.app, shop.db.name);
        let asked = kept_app::accept_callback(app, &call_me_back("asap"), Lang::Nl)
            .await
            .unwrap();
        let customer = asked.callback.customer_id.clone();

        let refused = kept_app::erase_customer(app, &shop.agent, &customer, "asked by e-mail").await;
        assert!(matches!(refused, Err(AppError::OwnerOnly)), "{db}: {refused:?}");
        let refused = kept_app::erase_customer(app, &shop.owner, &customer, "  ").await;
        assert!(
            matches!(refused, Err(AppError::Invalid(_))),
            "{db}: a reason is required: {refused:?}"
        );
        assert!(
            kept_app::customer(app, &customer).await.unwrap().is_some(),
            "{db}: nothing went yet"
        );

        let export = kept_app::export_customer(app, &shop.owner, &customer).await.unwrap();
        let exported = serde_json::to_string(&export).unwrap();
        assert!(
            exported.contains("Jan Jansen"),
            "{db}: the export holds what kept knows"
        );
        let erased = kept_app::erase_customer(app, &shop.owner, &customer, "asked by e-mail")
            .await
            .unwrap();
        assert_eq!(erased.reason, "asked by e-mail", "{db}");
        let left = kept_app::customer(app, &customer).await.unwrap();
        let left = serde_json::to_string(&format!("{left:?}")).unwrap();
        assert!(
            !left.contains("Jan Jansen") && !left.contains("612345678"),
            "{db}: {left}"
        );
        let open = kept_app::callbacks(app, Some(CallbackStatus::Open), 10).await.unwrap();
        assert!(
            open.iter().all(|c| c.customer_id != customer),
            "{db}: nothing of theirs is open"
        );
    }
}

/// A courier that only writes down what it was given, failing the n-th carry (1-based) the
/// way it is told to.
struct RecordingCourier {
    carried: std::sync::Mutex<Vec<String>>,
    fail: std::sync::Mutex<Vec<(usize, DeliveryError)>>,
}

#[async_trait::async_trait]
impl Courier for RecordingCourier {
    async fn carry(&self, item: &OutboxItem, subject: &Subject) -> Result<(), DeliveryError> {
        assert!(
            matches!(subject, Subject::Conversation(_)),
            "a reply is about its conversation"
        );
        let mut carried = self.carried.lock().unwrap();
        carried.push(item.subject_id.clone());
        let attempt = carried.len();
        let mut fail = self.fail.lock().unwrap();
        match fail.iter().position(|(n, _)| *n == attempt) {
            Some(at) => Err(fail.remove(at).1),
            None => Ok(()),
        }
    }
}

#[tokio::test]
async fn the_outbox_carries_replies_in_the_order_written_retries_what_failed_for_now_and_gives_up_on_the_rest() {
    let pace = Pace {
        lease: Duration::seconds(60),
        batch: 100,
        concurrency: 4,
    };
    for shop in shops().await {
        let (app, db) = (&shop.app, shop.db.name);
        let chat = kept_domain::conversation::InboundInput {
            channel: Some("chat".into()),
            external_id: Some("chat-7".into()),
            from: Some(kept_domain::conversation::FromInput {
                handle: Some("@piet".into()),
                name: Some("Piet".into()),
            }),
            text: Some("Kan ik morgen langskomen?".into()),
            sent_at: None,
        };
        let asked = kept_app::accept_inbound(app, &chat).await.unwrap();
        let choices = kept_app::CommitmentChoices::default();
        let mut written = Vec::new();
        for text in ["Ja, dat kan.", "Wij zijn er vanaf 9 uur.", "Tot morgen!"] {
            let view = kept_app::reply(app, &shop.agent, &asked.conversation_id, text, &choices)
                .await
                .unwrap();
            written.push(view.messages.last().unwrap().id.clone());
        }
        // The second reply meets a busy channel once; the third a channel that refuses it.
        let courier = RecordingCourier {
            carried: Default::default(),
            fail: std::sync::Mutex::new(vec![
                (2, DeliveryError::Temporary("503 busy".into())),
                (3, DeliveryError::Permanent("410 no such chat".into())),
            ]),
        };
        assert_eq!(kept_app::outbox::deliver_due(app, &courier, pace).await, 3, "{db}");
        assert_eq!(*courier.carried.lock().unwrap(), written, "{db}: in the order written");
        let answered = kept_app::conversation(app, &asked.conversation_id)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(
            answered.promise_status,
            Some(PromiseStatus::Kept),
            "{db}: the first reply arrived"
        );

        assert_eq!(
            kept_app::outbox::deliver_due(app, &courier, pace).await,
            0,
            "{db}: not again at once"
        );
        shop.clock.set(tuesday_morning() + Duration::seconds(11));
        assert_eq!(
            kept_app::outbox::deliver_due(app, &courier, pace).await,
            1,
            "{db}: retried after 10 s"
        );
        assert_eq!(courier.carried.lock().unwrap().last(), Some(&written[1]));
        shop.clock.set(tuesday_morning() + Duration::hours(2));
        assert_eq!(
            kept_app::outbox::deliver_due(app, &courier, pace).await,
            0,
            "{db}: nothing left"
        );

        let failed = DeliveryFilter {
            status: Some(kept_domain::OutboxStatus::Failed),
            limit: 10,
            ..DeliveryFilter::default()
        };
        let given_up = kept_app::deliveries(app, &shop.owner, &failed).await.unwrap();
        assert_eq!(given_up.len(), 1, "{db}");
        assert_eq!(given_up[0].subject_id, written[2]);
        assert_eq!(given_up[0].last_error.as_deref(), Some("410 no such chat"));
    }
}

/// A mailbox in memory: (UID, the day it arrived, the raw message).
struct MemoryMailbox {
    uid_validity: i64,
    messages: Vec<(u32, chrono::NaiveDate, Vec<u8>)>,
}

#[async_trait::async_trait]
impl MailboxReader for MemoryMailbox {
    fn uids(&self) -> (i64, i64) {
        let newest = self.messages.iter().map(|(uid, _, _)| *uid).max().unwrap_or(0);
        (self.uid_validity, i64::from(newest) + 1)
    }

    async fn search(&mut self, after_uid: i64, since: chrono::NaiveDate) -> Result<Vec<u32>, String> {
        let mut found: Vec<u32> = self
            .messages
            .iter()
            .filter(|(uid, day, _)| i64::from(*uid) > after_uid && *day >= since)
            .map(|(uid, _, _)| *uid)
            .collect();
        // Like IMAP, "n:*" names the newest message even when it is below n.
        if found.is_empty() {
            found.extend(self.messages.iter().map(|(uid, _, _)| *uid).max());
        }
        Ok(found)
    }

    async fn fetch(&mut self, uids: &[u32]) -> Result<Vec<(u32, Vec<u8>)>, String> {
        Ok(self
            .messages
            .iter()
            .filter(|(uid, _, _)| uids.contains(uid))
            .map(|(uid, _, raw)| (*uid, raw.clone()))
            .collect())
    }
}

fn mail(id: &str, subject: &str) -> Vec<u8> {
    format!(
        "From: Jan Jansen <jan@example.nl>\r\nTo: winkel@fiets.test\r\nSubject: {subject}\r\n\
         Message-ID: <{id}@example.nl>\r\nDate: Tue, 24 Nov 2026 09:30:00 +0100\r\n\
         Content-Type: text/plain; charset=utf-8\r\n\r\nIs mijn fiets al klaar?\r\n"
    )
    .into_bytes()
}

async fn poll(app: &App, key: &str, mailbox: &mut MemoryMailbox) -> PollReport {
    let mut report = PollReport::default();
    mailboxes::import_new(app, key, None, mailbox, &mut report)
        .await
        .unwrap();
    report
}

#[tokio::test]
async fn a_mailbox_is_read_from_when_kept_starts_watching_each_message_once_also_after_it_is_rebuilt() {
    let key = "imap://winkel@mail.test/INBOX";
    for shop in shops().await {
        let (app, db) = (&shop.app, shop.db.name);
        let today = tuesday_morning().date_naive();
        let old = |uid: u32| (uid, today - chrono::Days::new(30), mail(&format!("old-{uid}"), "Oud"));
        let mut mailbox = MemoryMailbox {
            uid_validity: 7,
            messages: vec![old(1), old(2), old(3)],
        };
        assert_eq!(
            poll(app, key, &mut mailbox).await,
            PollReport::default(),
            "{db}: what was there stays there"
        );

        mailbox.messages.push((4, today, mail("new-4", "Fiets")));
        assert_eq!(poll(app, key, &mut mailbox).await.stored, 1, "{db}");
        assert_eq!(poll(app, key, &mut mailbox).await, PollReport::default(), "{db}: once");
        assert_eq!(mailboxes::mailbox(app, key).await.unwrap().unwrap().last_uid, 4);

        // Rebuilt on the server: other UIDs for the same mail, and one new message.
        let mut rebuilt = MemoryMailbox {
            uid_validity: 8,
            messages: vec![
                (1, today, mail("new-4", "Fiets")),
                (2, today, mail("new-5", "Nog een vraag")),
            ],
        };
        let report = poll(app, key, &mut rebuilt).await;
        assert_eq!((report.duplicates, report.stored, report.waiting), (1, 1, 0), "{db}");
        let state = mailboxes::mailbox(app, key).await.unwrap().unwrap();
        assert_eq!((state.uid_validity, state.last_uid), (8, 2), "{db}");
    }
}
