//! Writing to a customer first ("Uw fiets is klaar"): by the API and from the customer page,
//! checked like a reply; the mail goes out with its own subject, the customer's answer threads
//! into it, and the follow-up that waited for that answer is withdrawn.

use crate::support::*;
use chrono::{DateTime, Duration, Utc};
use serde_json::{Value, json};

const FIRST: &str = "Beste mevrouw De Vries,\r\n\r\nUw fiets is klaar: € 79,50 voor de beurt.\r\nIk bel u morgen om 10:00 om een tijd af te spreken.";

async fn follow_ups(server: &TestServer, customer: &str) -> Vec<Value> {
    let listed: Value = server
        .api_get(&format!("/api/v1/customers/{customer}/follow-ups"))
        .await
        .json()
        .await
        .unwrap();
    listed.as_array().unwrap().clone()
}

#[tokio::test]
async fn staff_write_first_by_the_api_and_the_answer_threads_into_it() {
    for db in databases().await {
        let server = TestServer::start(&db.url).await;
        let expect_by = tuesday_morning() + Duration::days(2);
        let started = server
            .api_post(
                "/api/v1/conversations",
                json!({"email": "Sanne@Klant.NL", "name": "Sanne de Vries", "subject": "Uw fiets is klaar",
                       "text": FIRST, "expect_answer_by": expect_by}),
            )
            .await;
        assert_eq!(started.status(), 201, "{}", db.name);
        let conversation: Value = started.json().await.unwrap();
        assert_eq!(conversation["channel"], "email");
        assert_eq!(conversation["status"], "waiting_on_customer");
        assert_eq!(conversation["handle"], "sanne@klant.nl");
        let id = conversation["id"].as_str().unwrap().to_string();
        let customer = conversation["customer_id"].as_str().unwrap().to_string();

        // The mail has our own subject (no "Re:"), and a strict reader decodes the text.
        eventually(10, "the first mail", || async {
            server.smtp.to("sanne@klant.nl").len() == 1
        })
        .await;
        server.smtp.written_by_a_person("Uw fiets is klaar");
        let seen = server.smtp.assert_mime_correct(db.name);
        let mail = seen
            .iter()
            .find(|m| m["to"][0].as_str().unwrap().contains("sanne@klant.nl"))
            .unwrap();
        assert_eq!(mail["to"][0], "Sanne de Vries <sanne@klant.nl>");
        assert_eq!(mail["subject"], "Uw fiets is klaar", "{}", db.name);
        assert!(mail["parts"][0]["text"].as_str().unwrap().contains("€ 79,50"));
        let raw = server.smtp.to("sanne@klant.nl")[0].raw.clone();
        let sent = mail_parser::MessageParser::default().parse(raw.as_bytes()).unwrap();
        let our_id = sent.message_id().unwrap().to_string();

        // The commitment in the text and the wait for an answer are the writer's promises.
        let promised = follow_ups(&server, &customer).await;
        assert_eq!(promised.len(), 2, "{promised:?}");
        let waiting = promised
            .iter()
            .find(|f| f["text"] == "Nog geen antwoord op “Uw fiets is klaar”")
            .expect("the follow-up waiting for the answer");
        let due: DateTime<Utc> = waiting["due_at"].as_str().unwrap().parse().unwrap();
        assert_eq!(due, expect_by);
        let call = promised.iter().find(|f| f != &waiting).unwrap();
        let due: DateTime<Utc> = call["due_at"].as_str().unwrap().parse().unwrap();
        assert_eq!(
            due,
            tuesday_morning() + Duration::days(1),
            "tomorrow 10:00 business time"
        );

        // The customer answers: same conversation, it waits on us, nobody needs to ask any more.
        let answer = format!(
            "From: Sanne de Vries <sanne@klant.nl>\r\nTo: service@fiets.test\r\nSubject: Re: Uw fiets is klaar\r\n\
             Message-ID: <answer-1@klant.nl>\r\nIn-Reply-To: <{our_id}>\r\nReferences: <{our_id}>\r\n\r\n\
             Fijn, ik haal hem vrijdag op.\r\n"
        );
        let answered: Value = server.post_email(&answer).await.json().await.unwrap();
        assert_eq!(answered["conversation_id"], id.as_str(), "threaded on {}", db.name);
        let now: Value = server
            .api_get(&format!("/api/v1/conversations/{id}"))
            .await
            .json()
            .await
            .unwrap();
        assert_eq!(now["status"], "open");
        let after = follow_ups(&server, &customer).await;
        let waiting_now = after.iter().find(|f| f["id"] == waiting["id"]).unwrap();
        assert_eq!(waiting_now["promise_status"], "cancelled", "{}", db.name);
        let call_now = after.iter().find(|f| f["id"] == call["id"]).unwrap();
        assert_eq!(call_now["promise_status"], "open", "the call is still ours to make");
        server.running.stop().await;
    }
}

#[tokio::test]
async fn writing_first_names_every_problem_and_writes_nothing_then() {
    let db = TestDatabase::sqlite();
    let server = TestServer::start(&db.url).await;
    let refused = |body: Value| {
        let server = &server;
        async move {
            let response = server.api_post("/api/v1/conversations", body).await;
            let status = response.status().as_u16();
            let body: Value = response.json().await.unwrap();
            let codes: Vec<String> = body["fields"]
                .as_array()
                .map(|fields| fields.iter().map(|f| f["code"].as_str().unwrap().to_string()).collect())
                .unwrap_or_default();
            (status, codes)
        }
    };
    let text = "Uw fiets is klaar.";
    assert_eq!(
        refused(json!({"customer_id": "nobody", "subject": "Fiets", "text": text})).await,
        (409, vec!["unknown_id".to_string()])
    );
    assert_eq!(
        refused(json!({"phone": "06 12345678", "subject": "Fiets", "text": text})).await,
        (409, vec!["no_address".to_string()]),
        "a number nobody has cannot be mailed"
    );
    let (status, _) = refused(json!({"email": "a@b.nl", "phone": "06 12345678", "subject": "x", "text": text})).await;
    assert_eq!(status, 422, "one recipient");
    assert_eq!(
        refused(json!({"email": "a@b.nl", "channel": "whatsapp", "text": text})).await,
        (409, vec!["cannot_send".to_string()]),
        "no webhook for WhatsApp"
    );
    let past = tuesday_morning() - Duration::hours(1);
    assert_eq!(
        refused(json!({"email": "a@b.nl", "channel": "sms", "text": text, "expect_answer_by": past})).await,
        (409, vec!["cannot_send".to_string(), "in_the_past".to_string()]),
        "every problem at once"
    );
    let subject = "Bad\nsubject";
    assert_eq!(
        refused(json!({"email": "a@b.nl", "subject": subject, "text": text})).await,
        (422, vec!["unusable_subject".to_string()]),
        "one line"
    );
    let made = server.store.find_customers("a@b.nl", None, 10).await.unwrap();
    assert!(made.is_empty(), "no customer made by a refused start: {made:?}");
    server.running.stop().await;
}

#[tokio::test]
async fn an_agent_writes_first_from_the_customer_page() {
    let db = TestDatabase::sqlite();
    let server = TestServer::start(&db.url).await;
    let known = server
        .post_email(
            "From: Tom Harris <tom@example.com>\r\nSubject: Quote\r\nMessage-ID: <q-1@example.com>\r\n\r\nHello\r\n",
        )
        .await;
    let known: Value = known.json().await.unwrap();
    let customer = known["customer_id"].as_str().unwrap().to_string();
    let (mut agent, csrf) = logged_in(&server, &server.agent_email).await;
    let page_url = server.url(&format!("/staff/customers/{customer}"));
    let (_, page) = agent.get(&page_url).await;
    assert!(page.contains("Schrijf de klant"), "the form is on the page");
    assert!(page.contains("<option value=\"email\""), "e-mail offered");

    // Refused: an expected answer in the past, said in words, the text kept.
    let write = server.url(&format!("/staff/customers/{customer}/write"));
    let refused = agent
        .post(
            &write,
            &[
                ("csrf", &csrf),
                ("channel", "email"),
                ("subject", ""),
                ("text", "Uw offerte is klaar."),
                ("expect_by", "2026-11-23T09:00"),
            ],
        )
        .await;
    assert_eq!(refused.status(), 422);
    let page = refused.text().await.unwrap();
    assert!(page.contains("Kies een moment in de toekomst"), "{page}");
    assert!(page.contains("Uw offerte is klaar.</textarea>"), "the text is kept");
    let blank = agent
        .post(
            &write,
            &[("csrf", &csrf), ("channel", "email"), ("subject", "x"), ("text", "   ")],
        )
        .await;
    assert_eq!(blank.status(), 422);
    assert!(
        blank.text().await.unwrap().contains("Schrijf een bericht"),
        "said in words, in Dutch"
    );

    let sent = agent
        .post(
            &write,
            &[
                ("csrf", &csrf),
                ("channel", "email"),
                ("subject", ""),
                (
                    "text",
                    "Beste Tom,\r\n\r\nUw offerte is klaar, Tom.\r\n\r\nGroet, Sanne",
                ),
                ("expect_by", "2026-11-26T12:00"),
            ],
        )
        .await;
    assert_eq!(sent.status(), 303);
    let to = sent.headers()["location"].to_str().unwrap().to_string();
    assert!(to.starts_with("/staff/conversations/"), "{to}");
    assert_ne!(
        to,
        format!("/staff/conversations/{}", known["conversation_id"].as_str().unwrap())
    );
    let (_, conversation) = agent.get(&server.url(&to)).await;
    assert!(
        conversation.contains("Bericht verstuurd naar Tom Harris."),
        "the notice"
    );
    assert!(
        conversation.contains("Nog geen antwoord op donderdag 26 november 12:00? Dan herinnert kept u eraan."),
        "and when kept asks: {conversation}"
    );
    assert!(conversation.contains("Uw offerte is klaar, Tom."));
    eventually(10, "the mail", || async {
        server.smtp.to("tom@example.com").len() == 1
    })
    .await;
    assert_eq!(
        server.smtp.to("tom@example.com")[0].subject,
        "Uw offerte is klaar, Tom.",
        "no subject: the first line after the salutation"
    );
    server.running.stop().await;
}
