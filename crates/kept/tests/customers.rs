//! One customer across channels: linking contact details, merging, notes and calls, and the
//! timeline that shows all of it.

use crate::support::*;
use serde_json::{Value, json};

async fn email_from_jan(server: &TestServer) -> Value {
    let raw = "From: Jan Jansen <jan@example.nl>\r\nSubject: Fiets\r\nMessage-ID: <jan-1@example.nl>\r\n\r\nIs mijn fiets klaar?\r\n";
    let response = server.post_email(raw).await;
    assert_eq!(response.status(), 201);
    response.json().await.unwrap()
}

#[tokio::test]
async fn a_customer_who_asked_for_a_callback_and_then_emailed_has_one_timeline_once_linked() {
    for db in databases().await {
        let server = TestServer::start(&db.url).await;
        let callback = server
            .created(json!({"phone": "06 12345678", "name": "Jan Jansen", "note": "Over mijn fiets"}))
            .await;
        server.clock.advance(chrono::Duration::minutes(5));
        let mail = email_from_jan(&server).await;
        let (by_phone, by_mail) = (
            callback["customer_id"].as_str().unwrap(),
            mail["customer_id"].as_str().unwrap(),
        );
        assert_ne!(by_phone, by_mail, "two records until someone links them");

        let taken = server
            .api_post(
                &format!("/api/v1/customers/{by_phone}/contacts"),
                json!({"email": "Jan@Example.nl"}),
            )
            .await;
        assert_eq!(
            taken.status(),
            409,
            "the address belongs to the other record: merge instead"
        );

        let merge_path = format!("/api/v1/customers/{by_phone}/merge");
        let by_agent = server.api_post(&merge_path, json!({"from": by_mail})).await;
        assert_eq!(by_agent.status(), 403, "merging is for owners");
        let from_nobody = server.owner_post(&merge_path, json!({"from": "nobody"})).await;
        assert_eq!(
            from_nobody.status(),
            409,
            "the address is right, the field names no one"
        );
        assert_eq!(from_nobody.json::<Value>().await.unwrap()["fields"][0]["field"], "from");
        let into_nobody = server
            .owner_post("/api/v1/customers/nobody/merge", json!({"from": by_mail}))
            .await;
        assert_eq!(into_nobody.status(), 404, "the customer the address names is not there");
        let merged = server.owner_post(&merge_path, json!({"from": by_mail})).await;
        assert_eq!(merged.status(), 200, "{}", db.name);
        let merged: Value = merged.json().await.unwrap();
        assert_eq!(merged["phone"], "+31612345678");
        assert_eq!(merged["handles"], json!(["email:jan@example.nl"]));
        assert_eq!(
            server.api_get(&format!("/api/v1/customers/{by_mail}")).await.status(),
            404
        );

        let timeline: Vec<Value> = server
            .api_get(&format!("/api/v1/customers/{by_phone}/timeline"))
            .await
            .json()
            .await
            .unwrap();
        let kinds: Vec<&str> = timeline.iter().map(|e| e["kind"].as_str().unwrap()).collect();
        assert_eq!(
            kinds,
            ["callback_request", "promise", "message_in", "promise"],
            "both with their promises, in time order, on {}",
            db.name
        );
        let conversation: Value = server
            .api_get(&format!(
                "/api/v1/conversations/{}",
                mail["conversation_id"].as_str().unwrap()
            ))
            .await
            .json()
            .await
            .unwrap();
        assert_eq!(conversation["customer_id"], by_phone, "the conversation moved along");

        // The next mail from the same address finds the merged customer.
        let raw = "From: jan@example.nl\r\nSubject: Nog iets\r\nMessage-ID: <jan-2@example.nl>\r\n\r\nEn de bel?\r\n";
        let next: Value = server.post_email(raw).await.json().await.unwrap();
        assert_eq!(next["customer_id"], by_phone);
        server.running.stop().await;
    }
}

#[tokio::test]
async fn a_linked_phone_number_finds_the_customer_and_notes_and_calls_join_the_timeline() {
    for db in databases().await {
        let server = TestServer::start(&db.url).await;
        let mail = email_from_jan(&server).await;
        let customer = mail["customer_id"].as_str().unwrap();
        let linked = server
            .api_post(
                &format!("/api/v1/customers/{customer}/contacts"),
                json!({"phone": "0031612345678"}),
            )
            .await;
        assert_eq!(linked.status(), 200, "{}", db.name);
        let callback = server.created(json!({"phone": "06-12345678"})).await;
        assert_eq!(
            callback["customer_id"], customer,
            "a callback request from that number is the same customer"
        );

        server.clock.advance(chrono::Duration::minutes(1));
        let note = server
            .api_post(
                &format!("/api/v1/customers/{customer}/notes"),
                json!({"text": "Klant wil liever gebeld worden", "conversation_id": mail["conversation_id"]}),
            )
            .await;
        assert_eq!(note.status(), 201);
        server.clock.advance(chrono::Duration::minutes(1));
        let call = server
            .api_post(
                &format!("/api/v1/customers/{customer}/calls"),
                json!({"direction": "outbound", "summary": "Afspraak gemaakt"}),
            )
            .await;
        assert_eq!(call.status(), 201);
        let timeline: Vec<Value> = server
            .api_get(&format!("/api/v1/customers/{customer}/timeline"))
            .await
            .json()
            .await
            .unwrap();
        let kinds: Vec<&str> = timeline.iter().map(|e| e["kind"].as_str().unwrap()).collect();
        assert_eq!(
            kinds,
            // At the same moment, what happened comes before the promises it made.
            [
                "message_in",
                "callback_request",
                "promise",
                "promise",
                "note",
                "phone_call"
            ],
            "{}",
            db.name
        );
        assert_eq!(
            timeline[4]["channel"], "email",
            "the note sits on the e-mail conversation"
        );
        assert_eq!(timeline[5]["note"], "outbound");
        assert_eq!(timeline[5]["staff_name"], "Sanne");

        for (path, body, status) in [
            ("/api/v1/customers/nobody/notes", json!({"text": "x"}), 404),
            (
                &*format!("/api/v1/customers/{customer}/calls"),
                json!({"direction": "sideways", "summary": "x"}),
                422,
            ),
            (
                &*format!("/api/v1/customers/{customer}/notes"),
                json!({"text": "  "}),
                422,
            ),
            (
                &*format!("/api/v1/customers/{customer}/contacts"),
                json!({"phone": "12"}),
                422,
            ),
            (
                &*format!("/api/v1/customers/{customer}/contacts"),
                json!({"handle": "no colon"}),
                422,
            ),
        ] {
            assert_eq!(
                server.api_post(path, body.clone()).await.status(),
                status,
                "{path} {body}"
            );
        }
        let merge_itself = server
            .owner_post(
                &format!("/api/v1/customers/{customer}/merge"),
                json!({"from": customer}),
            )
            .await;
        assert_eq!(merge_itself.status(), 409);
        server.running.stop().await;
    }
}

/// A customer of long standing: their page shows the newest fifty entries and a link to the
/// older ones, which works with and without the page's script.
#[tokio::test]
async fn a_long_timeline_shows_fifty_at_a_time_and_the_older_ones_on_request() {
    for db in databases().await {
        let server = TestServer::start(&db.url).await;
        let mail = email_from_jan(&server).await;
        let customer = mail["customer_id"].as_str().unwrap();
        for n in 0..60 {
            server.clock.advance(chrono::Duration::minutes(1));
            let note = server
                .api_post(
                    &format!("/api/v1/customers/{customer}/notes"),
                    json!({"text": format!("Notitie nummer {n}.")}),
                )
                .await;
            assert_eq!(note.status(), 201);
        }
        let (mut browser, _) = logged_in(&server, &server.agent_email).await;
        let (status, page) = browser.get(&server.url(&format!("/staff/customers/{customer}"))).await;
        assert_eq!(status, 200, "{}", db.name);
        let shown = |html: &str| {
            (0..60)
                .filter(|n| html.contains(&format!("Notitie nummer {n}.")))
                .collect::<Vec<_>>()
        };
        assert_eq!(
            shown(&page),
            (10..60).collect::<Vec<_>>(),
            "{}: the newest fifty",
            db.name
        );
        assert!(
            page.find("Notitie nummer 59.") < page.find("Notitie nummer 58."),
            "newest first"
        );
        let more = page
            .split("data-more=\"")
            .nth(1)
            .and_then(|rest| rest.split('"').next())
            .unwrap_or_else(|| panic!("{}: a link to the older entries", db.name))
            .replace("&amp;", "&");
        let (status, older) = browser.get(&server.url(&more)).await;
        assert_eq!(status, 200);
        assert!(!older.contains("<html"), "a fragment to add below the entries shown");
        assert_eq!(shown(&older), (0..10).collect::<Vec<_>>(), "{}", db.name);
        assert!(
            older.contains("Is mijn fiets klaar?"),
            "{}: down to the first mail",
            db.name
        );
        assert!(!older.contains("data-more"), "{}: nothing older", db.name);
        // Without the script: the link's own address shows the page from there.
        let plain = more.replace("/timeline?", "?");
        let (_, page) = browser.get(&server.url(&plain)).await;
        assert!(
            page.contains("<html") && shown(&page) == (0..10).collect::<Vec<_>>(),
            "{}",
            db.name
        );
        assert!(
            page.contains("naar de nieuwste"),
            "{}: and the way back to the newest",
            db.name
        );
    }
}
