//! The team at work: a stand-in holds an absent colleague's work and gives back what they did
//! not touch.

use chrono::Duration;
use kept_app::records::{ConversationChange, ConversationView, PromiseFilter};
use kept_app::{EmailAccepted, MailSource};
use kept_domain::{OutboxEvent, PromiseKind};

use crate::support::*;

async fn conversation(shop: &Shop, id: &str) -> ConversationView {
    kept_app::conversation(&shop.app, id).await.unwrap().unwrap()
}

/// Who owns the promise to answer `id` now.
async fn promise_owner(shop: &Shop, id: &str) -> Option<String> {
    let promise_id = conversation(shop, id).await.promise_id;
    let filter = PromiseFilter {
        kinds: vec![PromiseKind::Reply],
        limit: 100,
        ..PromiseFilter::default()
    };
    let promises = kept_app::promises(&shop.app, &filter).await.unwrap();
    let promise = promises.into_iter().find(|p| Some(&p.id) == promise_id.as_ref());
    promise.and_then(|p| p.owner_id)
}

/// Away with a stand-in: the absent person's conversations and promises are the stand-in's
/// (also when one is late); back again, what the stand-in still holds goes back, what they
/// passed on stays where it is.
#[tokio::test]
async fn a_stand_in_holds_the_work_and_gives_back_what_they_did_not_touch() {
    for shop in shops_with_post().await {
        let (app, db) = (&shop.app, shop.db.name);
        let post = Post::new(app);
        let (agent, owner) = (&shop.agent.id, &shop.owner.id);
        let mut ids = Vec::new();
        for n in 1..=2 {
            let raw = format!(
                "From: Klant {n} <klant{n}@example.nl>\r\nTo: winkel@fiets.test\r\nSubject: Vraag {n}\r\n\
                 Message-ID: <stand-in-{n}@example.nl>\r\n\r\nHallo.\r\n"
            );
            let Ok(EmailAccepted::Stored(stored)) = kept_app::accept_email(app, raw.as_bytes(), MailSource::Http).await
            else {
                panic!("{db}: stored");
            };
            ids.push(stored.conversation_id);
        }
        for id in &ids {
            let assignee = conversation(&shop, id).await.assignee_name;
            assert_eq!(assignee.as_deref(), Some("Sanne"), "{db}: round robin");
        }
        // Piet joins after these two came in (so round robin gave both to Sanne).
        let piet = shop.add_agent("piet@fiets.test", "Piet").await;
        kept_app::set_away(app, &shop.owner, agent, Some(owner)).await.unwrap();
        for id in &ids {
            let assignee = conversation(&shop, id).await.assignee_name;
            assert_eq!(assignee.as_deref(), Some("Olga"), "{db}: the stand-in shows as owner");
            assert_eq!(promise_owner(&shop, id).await.as_ref(), Some(owner), "{db}");
        }
        // The stand-in passes the second one on to Piet.
        let pass = ConversationChange::Assign {
            staff_id: piet.id.clone(),
        };
        kept_app::change_conversation(app, &shop.owner, &ids[1], pass)
            .await
            .unwrap();
        // The first is late while she stands in: escalated as the stand-in's.
        shop.clock.advance(Duration::hours(30));
        let (_, escalated) = kept_app::timers::check_deadlines(app).await.unwrap();
        assert_eq!(escalated, 2, "{db}");
        post.deliver().await;
        assert_eq!(
            post.emailed(OutboxEvent::PromiseEscalated),
            [owner.clone(), owner.clone()],
            "{db}"
        );
        assert_eq!(promise_owner(&shop, &ids[0]).await.as_ref(), Some(owner), "{db}");

        kept_app::set_away(app, &shop.owner, agent, None).await.unwrap();
        let first = conversation(&shop, &ids[0]).await.assignee_name;
        assert_eq!(first.as_deref(), Some("Sanne"), "{db}: back to her");
        let second = conversation(&shop, &ids[1]).await.assignee_name;
        assert_eq!(second.as_deref(), Some("Piet"), "{db}: passed on: stays");
        assert_eq!(promise_owner(&shop, &ids[0]).await.as_ref(), Some(agent), "{db}");
    }
}
