//! Asking customers how it went: one question and one reminder, the frequency cap across
//! triggers, the NPS question once per period.

use chrono::Duration;
use kept_app::records::{ConversationChange, SurveyFilter};
use kept_app::{EmailAccepted, MailSource};
use kept_domain::conversation::ConversationStatus;
use kept_domain::{AppointmentStatus, Delivery, Lang, OutboxEvent, SurveyKind};
use serde_json::json;

use crate::support::*;

const JAN: &str = "jan.jansen@example.nl";

/// Jan writes in; an agent resolves the conversation and what it queued is delivered. Jan's
/// customer id.
async fn resolved_conversation(shop: &Shop, post: &Post, message_id: &str) -> String {
    let raw = format!(
        "From: Jan Jansen <{JAN}>\r\nTo: winkel@fiets.test\r\nSubject: Band lek\r\n\
         Message-ID: <{message_id}@example.nl>\r\n\r\nMijn band is alweer lek.\r\n"
    );
    let accepted = kept_app::accept_email(&shop.app, raw.as_bytes(), MailSource::Http).await;
    let Ok(EmailAccepted::Stored(mail)) = accepted else {
        panic!("{}: stored, not {accepted:?}", shop.db.name);
    };
    let resolve = ConversationChange::Status(ConversationStatus::Resolved);
    kept_app::change_conversation(&shop.app, &shop.agent, &mail.conversation_id, resolve)
        .await
        .unwrap();
    post.deliver().await;
    mail.customer_id
}

/// Moves the clock, lets the timer queue the surveys due and delivers them.
async fn later(shop: &Shop, post: &Post, by: Duration) {
    shop.clock.advance(by);
    kept_app::timers::send_surveys(&shop.app).await.unwrap();
    post.deliver().await;
}

async fn surveys_of(shop: &Shop, customer: &str, kind: Option<SurveyKind>) -> usize {
    let filter = SurveyFilter {
        customer_id: Some(customer.into()),
        kind,
        limit: 100,
        ..SurveyFilter::default()
    };
    kept_app::surveys(&shop.app, &filter).await.unwrap().len()
}

#[tokio::test]
async fn one_reminder_and_one_survey_per_customer_within_the_cap() {
    for shop in shops_with_post().await {
        let (app, db) = (&shop.app, shop.db.name);
        let post = Post::new(app);
        let customer = resolved_conversation(&shop, &post, "cap-1").await;
        later(&shop, &post, Duration::minutes(61)).await;
        assert_eq!(
            post.of(Delivery::CustomerEmail, OutboxEvent::SurveyRequest).len(),
            1,
            "{db}"
        );
        later(&shop, &post, Duration::days(3)).await;
        assert_eq!(
            post.of(Delivery::CustomerEmail, OutboxEvent::SurveyReminder).len(),
            1,
            "{db}: one reminder"
        );
        later(&shop, &post, Duration::days(2)).await;
        let asked = post.of(Delivery::CustomerEmail, OutboxEvent::SurveyRequest).len()
            + post.of(Delivery::CustomerEmail, OutboxEvent::SurveyReminder).len();
        assert_eq!(asked, 2, "{db}: only one");

        // Within 14 days of the last question: another resolved conversation asks nothing, nor
        // does an appointment of theirs that took place.
        resolved_conversation(&shop, &post, "cap-2").await;
        let (location, service) = shop.counter_and_check_up().await;
        let visit = kept_domain::BookingInput {
            location: Some(location.id.clone()),
            service: Some(service.id.clone()),
            start: Some("2026-12-01T09:30:00+01:00".into()),
            name: Some("Jan Jansen".into()),
            email: Some(JAN.into()),
            ..Default::default()
        };
        let booked = kept_app::book(app, &visit, Lang::Nl).await.unwrap().appointment;
        // Checked in (early: the clock is before the visit), then done.
        for status in [AppointmentStatus::CheckedIn, AppointmentStatus::Done] {
            kept_app::change_status(app, Some(&shop.agent), &booked.id, status)
                .await
                .unwrap();
        }
        post.deliver().await;
        assert_eq!(
            surveys_of(&shop, &customer, None).await,
            1,
            "{db}: capped across triggers"
        );
        // After them it asks again.
        shop.clock.advance(Duration::days(10));
        resolved_conversation(&shop, &post, "cap-3").await;
        assert_eq!(surveys_of(&shop, &customer, None).await, 2, "{db}");
    }
}

#[tokio::test]
async fn the_nps_question_goes_once_per_period_to_recent_customers() {
    for shop in shops_with_post().await {
        let (app, db) = (&shop.app, shop.db.name);
        let post = Post::new(app);
        let every_90_days = json!({"surveys": {"nps_every_days": 90}});
        kept_app::change_settings(app, &shop.owner, &every_90_days)
            .await
            .unwrap();
        let customer = resolved_conversation(&shop, &post, "nps-1").await;
        assert_eq!(kept_app::ask_nps(app).await.unwrap(), 0, "{db}: capped");
        shop.clock.advance(Duration::days(15));
        assert_eq!(kept_app::ask_nps(app).await.unwrap(), 1, "{db}");
        shop.clock.advance(Duration::days(15));
        assert_eq!(kept_app::ask_nps(app).await.unwrap(), 0, "{db}: once per 90 days");
        assert_eq!(surveys_of(&shop, &customer, Some(SurveyKind::Nps)).await, 1, "{db}");
        later(&shop, &post, Duration::minutes(1)).await;
        let asked = post.of(Delivery::CustomerEmail, OutboxEvent::SurveyRequest);
        assert_eq!(asked.len(), 2, "{db}: how it went, then the NPS question");
    }
}
