//! Messages from social and chat channels: stored once, answered within the channel's target,
//! replies sent on through the channel's webhook, and one timeline per customer.

use crate::support::*;
use chrono::{DateTime, Duration, Utc};
use serde_json::{Value, json};

fn tweet(id: &str, text: &str) -> Value {
    json!({"channel": "twitter", "external_id": id, "from": {"handle": "@jan", "name": "Jan Jansen"}, "text": text})
}

async fn with_channel(db: &TestDatabase) -> TestServer {
    TestServer::start_with(&db.url, |config| {
        config
            .channel_webhooks
            .insert("twitter".into(), config.webhook_url.clone().unwrap_or_default());
    })
    .await
}

#[tokio::test]
async fn an_inbound_message_is_stored_once_with_a_reply_promise() {
    for db in databases().await {
        let server = with_channel(&db).await;
        let first = server
            .api_post("/api/v1/inbound/message", tweet("t-1", "Waar blijft mijn bestelling?"))
            .await;
        assert_eq!(first.status(), 201, "{}", db.name);
        let first: Value = first.json().await.unwrap();
        assert_eq!(first["duplicate"], false);

        let again = server
            .api_post("/api/v1/inbound/message", tweet("t-1", "Waar blijft mijn bestelling?"))
            .await;
        assert_eq!(again.status(), 200, "the same message twice is stored once");
        let again: Value = again.json().await.unwrap();
        assert_eq!(
            (again["message_id"].clone(), again["duplicate"].clone()),
            (first["message_id"].clone(), json!(true))
        );

        let follow_up: Value = server
            .api_post(
                "/api/v1/inbound/message",
                tweet("t-2", "Dit is de derde keer dat ik het vraag. Belachelijk!!"),
            )
            .await
            .json()
            .await
            .unwrap();
        assert_eq!(
            follow_up["conversation_id"], first["conversation_id"],
            "same customer, same conversation"
        );
        assert_eq!(
            follow_up["promise_id"], first["promise_id"],
            "still one promise to answer"
        );

        let id = first["conversation_id"].as_str().unwrap();
        let conversation: Value = server
            .api_get(&format!("/api/v1/conversations/{id}"))
            .await
            .json()
            .await
            .unwrap();
        assert_eq!(conversation["messages"].as_array().unwrap().len(), 2);
        assert_eq!(conversation["status"], "open");
        assert_eq!(conversation["handle"], "@jan");
        assert!(conversation["frustration"].as_i64().unwrap() >= 50, "{conversation}");
        let due: DateTime<Utc> = conversation["due_at"].as_str().unwrap().parse().unwrap();
        assert_eq!(
            due,
            tuesday_morning() + Duration::minutes(60),
            "social: one business hour"
        );

        let agent = server.agent_email.clone();
        eventually(10, "the new-message e-mail", || async {
            server.smtp.to(&agent).len() == 1
        })
        .await;
        assert!(server.smtp.to(&agent)[0].subject.contains("Jan Jansen (Twitter)"));
        eventually(10, "the webhook", || async {
            server.hooks.events("message.received").len() == 1
        })
        .await;
        assert_eq!(
            server.hooks.events("message.received")[0].json()["conversation"]["id"],
            id
        );
        server.running.stop().await;
    }
}

#[tokio::test]
async fn a_reply_goes_out_on_the_channel_and_keeps_the_promise() {
    for db in databases().await {
        let server = with_channel(&db).await;
        let inbound: Value = server
            .api_post("/api/v1/inbound/message", tweet("t-9", "Is mijn fiets klaar?"))
            .await
            .json()
            .await
            .unwrap();
        let id = inbound["conversation_id"].as_str().unwrap();
        server.clock.advance(Duration::minutes(20));
        let replied = server
            .api_post(
                &format!("/api/v1/conversations/{id}/replies"),
                json!({"text": "Hoi Jan, hij staat klaar!"}),
            )
            .await;
        assert_eq!(replied.status(), 201, "{}", db.name);
        let conversation: Value = replied.json().await.unwrap();
        assert_eq!(conversation["status"], "waiting_on_customer");
        assert_eq!(conversation["messages"][1]["direction"], "outbound");
        assert_eq!(conversation["messages"][1]["staff_name"], "Sanne");

        eventually(10, "the reply on the channel webhook", || async {
            server.hooks.events("message.reply").len() == 1
        })
        .await;
        // Kept once it has reached the customer, as of when it was written.
        eventually(10, "the promise kept", || async {
            let now: Value = server
                .api_get(&format!("/api/v1/conversations/{id}"))
                .await
                .json()
                .await
                .unwrap();
            now["promise_status"] == "kept" && now["messages"][1]["delivery"]["status"] == "sent"
        })
        .await;
        let sent = &server.hooks.events("message.reply")[0];
        assert!(signature_is_valid(sent));
        assert_eq!(sent.json()["to"], "@jan");
        assert_eq!(sent.json()["text"], "Hoi Jan, hij staat klaar!");

        // A new message reopens the conversation with a new promise.
        let next: Value = server
            .api_post("/api/v1/inbound/message", tweet("t-10", "Top, tot morgen"))
            .await
            .json()
            .await
            .unwrap();
        assert_eq!(next["conversation_id"], id);
        assert_ne!(next["promise_id"], inbound["promise_id"]);
        server.running.stop().await;
    }
}

#[tokio::test]
async fn an_unanswered_message_is_escalated_like_any_promise() {
    for db in databases().await {
        let server = with_channel(&db).await;
        server.api_post("/api/v1/inbound/message", tweet("t-5", "Hallo?")).await;
        server.clock.advance(Duration::minutes(61));
        let owner = server.owner_email.clone();
        eventually(10, "the escalation", || async { server.smtp.to(&owner).len() == 1 }).await;
        let mail = &server.smtp.to(&owner)[0];
        assert!(
            mail.subject.starts_with("Te laat: Jan Jansen (Twitter)"),
            "{} on {}",
            mail.subject,
            db.name
        );
        assert!(mail.text.contains("Hallo?"));
        server.running.stop().await;
    }
}

#[tokio::test]
async fn bad_input_is_refused_and_replies_need_a_channel_webhook() {
    for db in databases().await {
        let server = TestServer::start(&db.url).await;
        let refused = server
            .api_post("/api/v1/inbound/message", json!({"channel": "twitter", "text": "hi"}))
            .await;
        assert_eq!(refused.status(), 422);
        let error: Value = refused.json().await.unwrap();
        let fields: Vec<&str> = error["fields"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| f["field"].as_str().unwrap())
            .collect();
        assert_eq!(fields, ["external_id", "from.handle"]);
        let anonymous = server
            .http
            .post(server.url("/api/v1/inbound/message"))
            .json(&tweet("x", "hi"))
            .send()
            .await
            .unwrap();
        assert_eq!(anonymous.status(), 401);

        let inbound: Value = server
            .api_post("/api/v1/inbound/message", tweet("t-7", "Hallo"))
            .await
            .json()
            .await
            .unwrap();
        let id = inbound["conversation_id"].as_str().unwrap();
        let no_channel = server
            .api_post(&format!("/api/v1/conversations/{id}/replies"), json!({"text": "Hoi"}))
            .await;
        assert_eq!(no_channel.status(), 409);
        assert!(no_channel.text().await.unwrap().contains("channel_webhooks.twitter"));
        let conversation: Value = server
            .api_get(&format!("/api/v1/conversations/{id}"))
            .await
            .json()
            .await
            .unwrap();
        assert_eq!(
            conversation["messages"].as_array().unwrap().len(),
            1,
            "nothing stored on {}",
            db.name
        );
        assert_eq!(conversation["promise_status"], "open");
        server.running.stop().await;
    }
}

#[tokio::test]
async fn frustrated_customers_come_first_and_the_timeline_is_in_order() {
    for db in databases().await {
        let server = with_channel(&db).await;
        let calm: Value = server
            .api_post(
                "/api/v1/inbound/message",
                json!({"channel": "webchat", "external_id": "c-1", "from": {"handle": "visitor-1"}, "text": "Tot hoe laat zijn jullie open?"}),
            )
            .await
            .json()
            .await
            .unwrap();
        server.clock.advance(Duration::minutes(1));
        let upset: Value = server
            .api_post(
                "/api/v1/inbound/message",
                tweet("t-3", "IK WACHT AL DRIE WEKEN. Belachelijk!!"),
            )
            .await
            .json()
            .await
            .unwrap();
        let open: Vec<Value> = server
            .api_get("/api/v1/conversations?status=open")
            .await
            .json()
            .await
            .unwrap();
        let order: Vec<&Value> = open.iter().map(|c| &c["id"]).collect();
        assert_eq!(
            order,
            [&upset["conversation_id"], &calm["conversation_id"]],
            "frustrated first on {}",
            db.name
        );

        let id = upset["conversation_id"].as_str().unwrap();
        server.clock.advance(Duration::minutes(5));
        server
            .api_post(
                &format!("/api/v1/conversations/{id}/replies"),
                json!({"text": "Wat vervelend, Jan."}),
            )
            .await;
        let customer = upset["customer_id"].as_str().unwrap();
        let timeline = || async {
            let answer = server.api_get(&format!("/api/v1/customers/{customer}/timeline")).await;
            answer.json::<Vec<Value>>().await.unwrap()
        };
        // The reply promise is kept once the reply has gone out on the channel.
        eventually(10, "the reply promise kept", || async {
            timeline()
                .await
                .iter()
                .any(|e| e["kind"] == "promise" && e["text"] == "kept")
        })
        .await;
        let timeline = timeline().await;
        let kinds: Vec<&str> = timeline.iter().map(|e| e["kind"].as_str().unwrap()).collect();
        assert_eq!(kinds, ["message_in", "promise", "message_out"]);
        assert_eq!(timeline[2]["staff_name"], "Sanne");
        // The reply promise with its outcome and due time.
        assert_eq!(
            (timeline[1]["channel"].as_str(), timeline[1]["text"].as_str()),
            (Some("reply"), Some("kept"))
        );
        assert!(
            timeline[1]["note"]
                .as_str()
                .is_some_and(|due| due.starts_with("2026-11-24T"))
        );
        server.running.stop().await;
    }
}

fn email(message_id: &str, in_reply_to: Option<&str>, extra_headers: &str, body: &str) -> String {
    let threading = in_reply_to
        .map(|id| format!("In-Reply-To: <{id}>\r\nReferences: <{id}>\r\n"))
        .unwrap_or_default();
    format!(
        "From: =?iso-8859-1?q?Ren=E9e_Bakker?= <Renee@Example.NL>\r\nTo: service@fiets.test\r\nSubject: Fiets kapot\r\n\
         Message-ID: <{message_id}>\r\n{threading}{extra_headers}Content-Type: text/plain; charset=iso-8859-1\r\n\
         Content-Transfer-Encoding: quoted-printable\r\n\r\n{body}\r\n"
    )
}

/// A reply with what a plain-ASCII reading would garble.
const REPLY: &str = "Beste Renée, we halen hem morgen op.\nDe beurt kost € 79 — inclusief koffie in ons café.";

#[tokio::test]
async fn email_in_is_threaded_and_answered_over_smtp_with_threading_headers() {
    for db in databases().await {
        let server = TestServer::start(&db.url).await;
        let first = server
            .post_email(&email(
                "m1@example.nl",
                None,
                "",
                "Mijn fiets is na de reparatie weer kapot. Ge=EFrriteerd!",
            ))
            .await;
        assert_eq!(first.status(), 201, "{}", db.name);
        let first: Value = first.json().await.unwrap();
        let again = server
            .post_email(&email(
                "m1@example.nl",
                None,
                "",
                "Mijn fiets is na de reparatie weer kapot.",
            ))
            .await;
        assert_eq!(again.status(), 200, "the same message twice is stored once");

        let id = first["conversation_id"].as_str().unwrap();
        let conversation: Value = server
            .api_get(&format!("/api/v1/conversations/{id}"))
            .await
            .json()
            .await
            .unwrap();
        assert_eq!(conversation["channel"], "email");
        assert_eq!(conversation["handle"], "renee@example.nl");
        assert_eq!(conversation["customer_name"], "Renée Bakker");
        assert!(
            conversation["messages"][0]["body"]
                .as_str()
                .unwrap()
                .contains("Geïrriteerd"),
            "latin-1 decoded"
        );
        let due: DateTime<Utc> = conversation["due_at"].as_str().unwrap().parse().unwrap();
        assert_eq!(
            due,
            tuesday_morning() + Duration::hours(4),
            "e-mail: four business hours"
        );

        let replied = server
            .api_post(&format!("/api/v1/conversations/{id}/replies"), json!({"text": REPLY}))
            .await;
        assert_eq!(replied.status(), 201);
        let to_customer = || server.smtp.to("renee@example.nl");
        eventually(10, "the reply e-mail", || async { to_customer().len() == 1 }).await;
        // A strict reader decodes exactly what was written: euro sign, dash and accents.
        let seen = server.smtp.assert_mime_correct(db.name);
        let reply = seen
            .iter()
            .find(|m| m["to"][0].as_str().unwrap().contains("renee@example.nl"))
            .unwrap();
        assert_eq!(reply["parts"][0]["type"], "text/plain");
        assert_eq!(
            reply["parts"][0]["text"].as_str().unwrap().trim_end(),
            REPLY,
            "{}",
            db.name
        );
        assert_eq!(reply["to"][0], "Renée Bakker <renee@example.nl>");
        let raw = to_customer()[0].raw.clone();
        let sent = mail_parser::MessageParser::default().parse(raw.as_bytes()).unwrap();
        assert_eq!(sent.subject(), Some("Re: Fiets kapot"));
        assert_eq!(sent.in_reply_to().as_text(), Some("m1@example.nl"));
        assert!(to_customer()[0].text.contains("we halen hem morgen op"));
        let our_id = sent.message_id().unwrap().to_string();
        // The reply's promise is kept once kept has recorded the delivery, just after the mail
        // server took it.
        eventually(10, "the reply promise kept", || async {
            let now: Value = server
                .api_get(&format!("/api/v1/conversations/{id}"))
                .await
                .json()
                .await
                .unwrap();
            now["promise_status"] == "kept"
        })
        .await;

        // The customer answers our mail: same conversation, a new promise.
        let answer: Value = server
            .post_email(&email("m2@example.nl", Some(&our_id), "", "Prima, tot morgen."))
            .await
            .json()
            .await
            .unwrap();
        assert_eq!(answer["conversation_id"], id, "threaded by In-Reply-To on {}", db.name);
        assert_ne!(answer["promise_id"], first["promise_id"]);
        server.running.stop().await;
    }
}

#[tokio::test]
async fn auto_replies_are_kept_without_a_promise_and_unreadable_mail_is_flagged() {
    for db in databases().await {
        let server = TestServer::start(&db.url).await;
        let auto: Value = server
            .post_email(&email(
                "ooo@example.nl",
                None,
                "Auto-Submitted: auto-replied\r\n",
                "Ik ben afwezig.",
            ))
            .await
            .json()
            .await
            .unwrap();
        assert!(
            auto["promise_id"].is_null(),
            "no promise for an auto-reply on {}: {auto}",
            db.name
        );
        let open: Vec<Value> = server
            .api_get("/api/v1/conversations?status=open")
            .await
            .json()
            .await
            .unwrap();
        assert!(open.iter().all(|c| c["promise_id"].is_null()));

        let wrong_type = server
            .http
            .post(server.url("/api/v1/inbound/email"))
            .bearer_auth(&server.token)
            .header("content-type", "text/plain")
            .body("hello")
            .send()
            .await
            .unwrap();
        assert_eq!(wrong_type.status(), 415);
        // Mail kept cannot read is not refused (the sender could not fix it): it is kept raw, flagged.
        let no_sender = server.post_email("Subject: hi\r\n\r\nhello").await;
        assert_eq!(no_sender.status(), 202);
        let flagged: Value = no_sender.json().await.unwrap();
        assert_eq!(flagged["status"], "flagged");
        assert_eq!(flagged["reason"], "the message has no sender address");
        let again: Value = server
            .post_email("Subject: hi\r\n\r\nhello")
            .await
            .json()
            .await
            .unwrap();
        assert_eq!(
            (again["id"].clone(), again["duplicate"].clone()),
            (flagged["id"].clone(), Value::Bool(true))
        );
        let list: Vec<Value> = server.api_get("/api/v1/unreadable-mail").await.json().await.unwrap();
        assert_eq!(list.len(), 1, "stored once on {}", db.name);
        let id = flagged["id"].as_str().unwrap();
        let raw = server.api_get(&format!("/api/v1/unreadable-mail/{id}/raw")).await;
        assert_eq!(raw.headers()["content-type"], "message/rfc822");
        assert_eq!(raw.bytes().await.unwrap().as_ref(), b"Subject: hi\r\n\r\nhello");
        let handled = server
            .api_post(&format!("/api/v1/unreadable-mail/{id}/handled"), Value::Null)
            .await;
        assert_eq!(handled.status(), 204);
        let left: Vec<Value> = server.api_get("/api/v1/unreadable-mail").await.json().await.unwrap();
        assert!(left.is_empty(), "handled mail leaves the list");
        server.running.stop().await;
    }
}

#[tokio::test]
async fn staff_assign_tag_and_resolve_a_conversation() {
    for db in databases().await {
        let server = with_channel(&db).await;
        add_staff(
            server.store.as_ref(),
            "piet@fiets.test",
            "Piet",
            kept_domain::Role::Agent,
            tuesday_morning(),
        )
        .await;
        let inbound: Value = server
            .api_post("/api/v1/inbound/message", tweet("t-20", "Hallo?"))
            .await
            .json()
            .await
            .unwrap();
        let id = inbound["conversation_id"].as_str().unwrap();
        let path = format!("/api/v1/conversations/{id}/update");
        let update = |body: Value| server.api_post(&path, body);

        let assigned: Value = update(json!({"assign_to": "piet@fiets.test"}))
            .await
            .json()
            .await
            .unwrap();
        assert_eq!(assigned["assignee_name"], "Piet", "{}", db.name);
        let promise = inbound["promise_id"].as_str().unwrap();
        assert_eq!(
            server.store.promise(promise).await.unwrap().unwrap().owner_id,
            assigned["assignee_id"].as_str().map(String::from)
        );

        let tagged: Value = update(json!({"add_tags": ["Bezorging", "spoed"]}))
            .await
            .json()
            .await
            .unwrap();
        assert_eq!(tagged["tags"], json!(["bezorging", "spoed"]));
        let untagged: Value = update(json!({"remove_tags": ["spoed"]})).await.json().await.unwrap();
        assert_eq!(untagged["tags"], json!(["bezorging"]));

        let resolved: Value = update(json!({"status": "resolved"})).await.json().await.unwrap();
        assert_eq!(resolved["status"], "resolved");
        assert_eq!(
            resolved["promise_status"], "cancelled",
            "nobody owes an answer any more"
        );
        server.clock.advance(Duration::hours(3));
        assert_eq!(
            kept_server::workers::check_deadlines(&server.running.state).await,
            (0, 0),
            "no escalation"
        );
        // Written again, left unanswered past its due time, then resolved: broken, not cancelled.
        let again: Value = server
            .api_post("/api/v1/inbound/message", tweet("t-21", "Nog steeds niks?"))
            .await
            .json()
            .await
            .unwrap();
        let again = again["conversation_id"].as_str().unwrap();
        server.clock.advance(Duration::days(3));
        let late: Value = server
            .api_post(
                &format!("/api/v1/conversations/{again}/update"),
                json!({"status": "resolved"}),
            )
            .await
            .json()
            .await
            .unwrap();
        assert_eq!(
            late["promise_status"], "broken",
            "{}: a late non-answer stays visible",
            db.name
        );

        for (body, field, status) in [
            (json!({"status": "sleeping"}), "status", 422),
            (json!({"assign_to": "nobody@fiets.test"}), "assign_to", 409),
            (json!({"add_tags": [""]}), "add_tags", 422),
        ] {
            let refused = update(body.clone()).await;
            assert_eq!(refused.status(), status, "{body}");
            assert_eq!(refused.json::<Value>().await.unwrap()["fields"][0]["field"], field);
        }
        // Several changes at once are applied in order.
        let both = update(json!({"status": "open", "add_tags": ["terugbellen"]})).await;
        assert_eq!(both.status(), 200);
        let both: Value = both.json().await.unwrap();
        assert_eq!(both["status"], "open");
        assert!(both["tags"].to_string().contains("terugbellen"), "{both}");
        let missing = server
            .api_post("/api/v1/conversations/nope/update", json!({"status": "open"}))
            .await;
        assert_eq!(missing.status(), 404);
        server.running.stop().await;
    }
}
