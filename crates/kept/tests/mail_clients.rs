//! Mail as the real clients send it (fixtures/mail/clients): replies from Gmail, Apple Mail,
//! iOS Mail, Thunderbird and Outlook with their quoted history; Outlook's HTML-only mail in
//! Windows-1252; bounces from Postfix, Exim, Exchange and Gmail; out-of-office replies; and
//! answers to calendar invitations from Google, Outlook and Apple. Each with what it must
//! become, on SQLite and PostgreSQL.

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::support::*;

fn client_mail(name: &str) -> String {
    String::from_utf8(mail_fixture(&format!("clients/{name}"))).unwrap()
}

async fn post(server: &TestServer, raw: &str) -> (StatusCode, Value) {
    let response = server.post_email(raw).await;
    let status = response.status();
    (status, response.json().await.unwrap())
}

async fn conversation(server: &TestServer, id: &str) -> Value {
    server
        .api_get(&format!("/api/v1/conversations/{id}"))
        .await
        .json()
        .await
        .unwrap()
}

async fn hits(server: &TestServer, q: &str) -> usize {
    let found: Vec<Value> = server
        .api_get(&format!("/api/v1/search?q={q}"))
        .await
        .json()
        .await
        .unwrap();
    found.len()
}

#[tokio::test]
async fn replies_show_and_index_what_the_customer_wrote_and_keep_the_history_folded() {
    let expected = [
        ("gmail-reply-nl.eml", "Groet,\nJan", "Op ma 7 dec 2026 om 10:00 schreef"),
        ("gmail-reply-en.eml", "works for me.", "On Mon, Dec 7, 2026 at 10:00 AM"),
        ("apple-mail-reply-nl.eml", "Lieke", "> Op 7 dec. 2026, om 10:00 heeft"),
        (
            "ios-mail-reply-nl.eml",
            "Kan ik ook pinnen?",
            "Verstuurd vanaf mijn iPhone",
        ),
        ("thunderbird-reply-nl.eml", "Anouk Bakker", "-- \nAnouk Bakker"),
        ("outlook-reply-nl.eml", "Jansen Loodgieters B.V.", "Van: Fietsenmaker"),
        ("outlook-reply-en.eml", "Regards,\nSarah", "-----Original Message-----"),
    ];
    for db in databases().await {
        let server = TestServer::start(&db.url).await;
        for (name, fresh_ends, quoted_starts) in expected {
            let (status, accepted) = post(&server, &client_mail(name)).await;
            assert_eq!(status, StatusCode::CREATED, "{}: {name} {accepted}", db.name);
            assert!(
                accepted["promise_id"].is_string(),
                "{name}: a person's mail is answered"
            );
            let id = accepted["conversation_id"].as_str().unwrap();
            let message = &conversation(&server, id).await["messages"][0];
            let body = message["body"].as_str().unwrap();
            assert!(body.ends_with(fresh_ends), "{}: {name}: {body:?}", db.name);
            let quoted = message["quoted"].as_str().unwrap_or_default();
            assert!(quoted.starts_with(quoted_starts), "{name}: {quoted:?}");
        }
        // What the customers wrote is found; what they quoted (our own words) is not.
        assert_eq!(hits(&server, "pinnen").await, 1, "{}", db.name);
        assert_eq!(hits(&server, "onderdelen").await, 0, "{}: quoted, not indexed", db.name);
        assert_eq!(hits(&server, "remblokken").await, 1, "{}: written, and quoted", db.name);
        server.running.stop().await;
    }
}

#[tokio::test]
async fn outlook_html_only_mail_in_windows_1252_reads_as_its_text() {
    for db in databases().await {
        let server = TestServer::start(&db.url).await;
        let (status, accepted) = post(&server, &client_mail("outlook-html-only-cp1252.eml")).await;
        assert_eq!(status, StatusCode::CREATED, "{}", db.name);
        let shown = conversation(&server, accepted["conversation_id"].as_str().unwrap()).await;
        assert_eq!(shown["customer_name"], "Renée de Vries");
        let body = shown["messages"][0]["body"].as_str().unwrap();
        assert!(body.contains("€ 79 per fiets – klopt dat?"), "{body}");
        assert!(body.contains("• Gazelle stadsfiets (2019)\n• Batavus e-bike"), "{body}");
        assert!(
            body.contains("mijn album <https://photos.example.nl/album/fietsen>"),
            "{body}"
        );
        assert!(!body.contains("MsoNormal") && !body.contains("font-family"), "{body}");
        assert_eq!(shown["messages"][0]["subject"], "Onderhoud – twee fietsen");
        server.running.stop().await;
    }
}

/// A conversation with Jan and a reply to it that went out: the conversation, the reply's
/// Message-ID and its place among the conversation's messages.
async fn answered(server: &TestServer, subject: &str) -> (String, String, usize) {
    let raw = format!(
        "From: Jan Smit <jan@example.nl>\r\nTo: kept@fiets.test\r\nSubject: {subject}\r\n\
         Message-ID: <{subject}@example.nl>\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nMijn fiets is kapot.\r\n"
    );
    let (_, accepted) = post(server, &raw).await;
    let id = accepted["conversation_id"].as_str().unwrap().to_string();
    let replied = server
        .api_post(
            &format!("/api/v1/conversations/{id}/replies"),
            json!({"text": "Beste Jan, we halen hem morgen op."}),
        )
        .await;
    assert_eq!(replied.status(), StatusCode::CREATED);
    let last = || async {
        let shown = conversation(server, &id).await;
        let messages = shown["messages"].as_array().unwrap().clone();
        (messages.len() - 1, messages.last().unwrap().clone())
    };
    eventually(10, "the reply delivered", || async {
        last().await.1["delivery"]["status"] == "sent"
    })
    .await;
    let (at, reply) = last().await;
    (id, reply["external_id"].as_str().unwrap().to_string(), at)
}

#[tokio::test]
async fn a_bounce_marks_the_reply_not_delivered_and_the_customer_waits_again() {
    for db in databases().await {
        let server = TestServer::start(&db.url).await;
        for (n, dsn) in ["dsn-postfix.eml", "dsn-exim.eml", "dsn-exchange.eml", "dsn-gmail.eml"]
            .into_iter()
            .enumerate()
        {
            let (id, reply_id, at) = answered(&server, &format!("fiets-{n}")).await;
            assert_eq!(
                conversation(&server, &id).await["promise_status"],
                "kept",
                "answered: nothing waits"
            );
            let raw = client_mail(dsn).replace("{{REPLY_ID}}", &reply_id);
            let (status, accepted) = post(&server, &raw).await;
            assert_eq!(status, StatusCode::CREATED, "{}: {dsn}: {accepted}", db.name);
            assert_eq!(accepted["status"], "bounced");
            assert_eq!(accepted["conversation_id"], id.as_str());
            let shown = conversation(&server, &id).await;
            let delivery = &shown["messages"][at]["delivery"];
            assert_eq!(delivery["status"], "bounced", "{dsn}");
            assert!(delivery["reason"].as_str().unwrap().starts_with("550 5."), "{delivery}");
            // The customer waits again, from now, for the one who wrote the reply.
            assert_eq!(
                (&shown["status"], &shown["promise_status"]),
                (&json!("open"), &json!("open"))
            );
            assert_eq!(shown["due_at"].as_str().unwrap(), "2026-11-24T09:00:00Z", "{dsn}");
            // The same report again changes nothing.
            let (again, repeated) = post(&server, &raw).await;
            assert_eq!(
                (again, repeated["new"].clone()),
                (StatusCode::OK, json!(false)),
                "{dsn}"
            );
            assert_eq!(
                conversation(&server, &id).await["messages"].as_array().unwrap().len(),
                at + 1
            );
        }
        // Sanne wrote the replies and hears of each, in words.
        eventually(10, "four bounce notices", || async {
            server
                .smtp
                .to(&server.agent_email)
                .iter()
                .filter(|m| m.subject.starts_with("Niet afgeleverd: uw antwoord aan Jan Smit"))
                .count()
                == 4
        })
        .await;
        // The address is marked on the customer.
        let shown = conversation(&server, &answered(&server, "later").await.0).await;
        let customer: Value = server
            .api_get(&format!("/api/v1/customers/{}", shown["customer_id"].as_str().unwrap()))
            .await
            .json()
            .await
            .unwrap();
        assert_eq!(customer["bouncing"][0]["handle"], "email:jan@example.nl", "{customer}");
        assert!(customer["bouncing"][0]["reason"].as_str().unwrap().contains("5.1.1"));
        server.running.stop().await;
    }
}

#[tokio::test]
async fn out_of_office_replies_stay_on_the_record_without_a_promise() {
    for db in databases().await {
        let server = TestServer::start(&db.url).await;
        let (id, reply_id, at) = answered(&server, "vakantie").await;
        for ooo in ["ooo-exchange.eml", "ooo-gmail.eml"] {
            let raw = client_mail(ooo)
                .replace("{{REPLY_ID}}", &reply_id)
                .replace("tom.harris@gmail.com", "jan@example.nl");
            let (status, accepted) = post(&server, &raw).await;
            assert_eq!(status, StatusCode::CREATED, "{}: {ooo}", db.name);
            assert!(accepted["promise_id"].is_null(), "{ooo}: no answer promised");
            assert_eq!(accepted["conversation_id"], id.as_str(), "{ooo}: threaded");
        }
        let shown = conversation(&server, &id).await;
        assert_eq!(shown["messages"].as_array().unwrap().len(), at + 3);
        assert_eq!(shown["promise_status"], "kept", "{}: nobody waits for us", db.name);
        server.running.stop().await;
    }
}

#[tokio::test]
async fn calendar_answers_are_recorded_on_the_appointment_and_a_decline_is_a_call_to_make() {
    for db in databases().await {
        let server = TestServer::start(&db.url).await;
        let sanne = staff_id(&server, &server.agent_email).await;
        let (location, service) = eye_test(&server, std::slice::from_ref(&sanne)).await;
        let start = format!("{THURSDAY}T09:30:00+01:00");
        let booked = created(book(&server, booking(&location, &service, &start)).await).await;
        let id = booked["id"].as_str().unwrap().to_string();
        let uid = format!("{id}@kept");
        let answer = |name: &str| client_mail(name).replace("{{UID}}", &uid);

        let (status, accepted) = post(&server, &answer("calendar-reply-google-accepted.eml")).await;
        assert_eq!(status, StatusCode::CREATED, "{}: {accepted}", db.name);
        assert_eq!(
            accepted,
            json!({"status": "calendar_answer", "appointment_id": id, "answer": "accepted"})
        );
        let rebooks = || async {
            let list: Vec<Value> = server
                .api_get("/api/v1/promises?kind=rebook")
                .await
                .json()
                .await
                .unwrap();
            list
        };
        assert!(rebooks().await.is_empty());

        let (_, declined) = post(&server, &answer("calendar-reply-outlook-declined.eml")).await;
        assert_eq!(declined["answer"], "declined");
        let open = rebooks().await;
        assert_eq!(open.len(), 1, "{}: a decline is a call to make", db.name);
        assert_eq!(open[0]["status"], "open");
        assert_eq!(open[0]["owner_id"], sanne.as_str(), "the appointment's staff member");
        eventually(10, "Sanne hears of the decline", || async {
            server.smtp.to(&server.agent_email).iter().any(|m| {
                m.subject
                    .starts_with("Henk Reichardt weigerde de uitnodiging voor Oogmeting op donderdag")
            })
        })
        .await;
        let notice = server
            .smtp
            .to(&server.agent_email)
            .into_iter()
            .find(|m| m.subject.contains("weigerde"))
            .unwrap();
        assert!(
            notice.text.contains("Donderdag kan ik toch niet, kan het vrijdag?"),
            "{}",
            notice.text
        );

        // Maybe after all: nobody needs to call any more.
        let (_, tentative) = post(&server, &answer("calendar-reply-apple-tentative.eml")).await;
        assert_eq!(tentative["answer"], "tentative");
        assert_eq!(rebooks().await[0]["status"], "cancelled", "{}", db.name);

        // No conversation and no answer promise for any of them; all three on the timeline.
        let conversations: Vec<Value> = server.api_get("/api/v1/conversations").await.json().await.unwrap();
        assert!(conversations.is_empty(), "{}: {conversations:?}", db.name);
        let appointment: Value = server
            .api_get(&format!("/api/v1/appointments/{id}"))
            .await
            .json()
            .await
            .unwrap();
        assert_eq!(appointment["calendar_answer"]["answer"], "tentative", "{appointment}");
        let customer = appointment["customer_id"].as_str().unwrap();
        let timeline: Vec<Value> = server
            .api_get(&format!("/api/v1/customers/{customer}/timeline"))
            .await
            .json()
            .await
            .unwrap();
        let answers: Vec<&str> = timeline
            .iter()
            .filter(|e| e["kind"] == "calendar_answer")
            .map(|e| e["text"].as_str().unwrap())
            .collect();
        assert_eq!(answers, ["accepted", "declined", "tentative"]);

        // Someone else's answer to it is not the customer's: kept as any automatic mail.
        let stranger = answer("calendar-reply-outlook-declined.eml").replace("henk@example.nl", "iemand@example.nl");
        let (status, kept) = post(&server, &stranger).await;
        assert_eq!((status, kept["status"].as_str()), (StatusCode::CREATED, Some("stored")));
        assert!(kept["promise_id"].is_null());
        server.running.stop().await;
    }
}
