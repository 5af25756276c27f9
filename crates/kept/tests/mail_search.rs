//! What comes with e-mail (attachments with a size limit, quoted history), search across
//! messages, notes and calls, and saved replies with merge fields.

use crate::support::*;
use serde_json::{Value, json};

async fn post_fixture(server: &TestServer, name: &str) -> Value {
    let response = server
        .http
        .post(server.url("/api/v1/inbound/email"))
        .bearer_auth(&server.token)
        .header("content-type", "message/rfc822")
        .body(mail_fixture(name))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 201, "{name}");
    response.json().await.unwrap()
}

async fn search(server: &TestServer, query: &str) -> Vec<Value> {
    let response = server.api_get(&format!("/api/v1/search?{query}")).await;
    assert_eq!(response.status(), 200, "{query}");
    response.json().await.unwrap()
}

#[tokio::test]
async fn attachments_are_kept_up_to_the_limit_and_quoted_history_is_kept() {
    for db in databases().await {
        let server = TestServer::start_with(&db.url, |config| config.max_attachment_bytes = 10_000).await;
        let stored = post_fixture(&server, "attachment-base64.eml").await;
        let conversation_id = stored["conversation_id"].as_str().unwrap();
        post_fixture(&server, "reply-chain.eml").await;
        let conversation: Value = server
            .api_get(&format!("/api/v1/conversations/{conversation_id}"))
            .await
            .json()
            .await
            .unwrap();
        let messages = conversation["messages"].as_array().unwrap();
        assert_eq!(messages.len(), 2, "the reply joined the thread on {}", db.name);
        let files = messages[0]["attachments"].as_array().unwrap();
        assert_eq!(files.len(), 2);
        assert_eq!(
            (files[0]["filename"].as_str(), files[0]["kept"].as_bool()),
            (Some("bon.pdf"), Some(true))
        );
        assert_eq!(
            (files[1]["filename"].as_str(), files[1]["kept"].as_bool()),
            (Some("groot.jpg"), Some(false))
        );
        assert!(files[1]["size_bytes"].as_i64().unwrap() > 10_000);

        let pdf = server
            .api_get(&format!("/api/v1/attachments/{}", files[0]["id"].as_str().unwrap()))
            .await;
        assert_eq!(pdf.status(), 200);
        assert!(
            pdf.headers()["content-disposition"]
                .to_str()
                .unwrap()
                .starts_with("attachment")
        );
        assert!(pdf.bytes().await.unwrap().starts_with(b"%PDF-1.4"));
        let too_big = server
            .api_get(&format!("/api/v1/attachments/{}", files[1]["id"].as_str().unwrap()))
            .await;
        assert_eq!(too_big.status(), 410, "over the limit: name and size only");

        // The quoted history is kept with the message, apart from what the customer wrote.
        assert!(messages[1]["quoted"].as_str().unwrap().contains("> Hierbij de bon"));
        assert!(!messages[1]["body"].as_str().unwrap().contains("> Hierbij de bon"));
        server.running.stop().await;
    }
}

#[tokio::test]
async fn search_finds_word_forms_across_messages_notes_and_calls_with_filters() {
    for db in databases().await {
        let server = TestServer::start(&db.url).await;
        let cp1252 = post_fixture(&server, "windows-1252.eml").await; // "De reparatie kostte € 45 … te duur"
        server.clock.advance(chrono::Duration::minutes(1));
        let latin1 = post_fixture(&server, "iso-8859-1-qp.eml").await; // "garantie op de versnelling"
        let renee = latin1["customer_id"].as_str().unwrap();
        let piet = cp1252["customer_id"].as_str().unwrap();
        let note = server
            .api_post(
                &format!("/api/v1/customers/{piet}/notes"),
                json!({"text": "Klant vindt reparaties te duur; korting besproken."}),
            )
            .await;
        assert_eq!(note.status(), 201);
        let call = server
            .api_post(
                &format!("/api/v1/customers/{renee}/calls"),
                json!({"direction": "outbound", "summary": "Called about the warranty claims, refunded the shifter."}),
            )
            .await;
        assert_eq!(call.status(), 201);

        // Dutch stems: "reparaties" finds the message ("reparatie") and the note ("reparaties").
        let hits = search(&server, "q=reparaties").await;
        let kinds: Vec<&str> = hits.iter().map(|h| h["kind"].as_str().unwrap()).collect();
        assert_eq!(kinds, ["note", "message_in"], "newest first on {}", db.name);
        assert!(hits[1]["snippet"].as_str().unwrap().contains("reparatie"));
        // English stems: "refund" finds "refunded".
        let hits = search(&server, "q=refund+shifter").await;
        assert_eq!(hits.len(), 1);
        assert_eq!(hits[0]["kind"], "phone_call");
        assert_eq!(hits[0]["customer_name"], "Renée de Boer");
        // Diacritics folded: "onduidelijk" typed with an accent still matches.
        assert_eq!(search(&server, "q=ónduidelijk").await.len(), 1);
        // Every word must match.
        assert!(search(&server, "q=reparatie+versnelling").await.is_empty());
        // Filters: customer, channel, dates (days in the business's time zone).
        assert_eq!(search(&server, &format!("q=duur&customer={piet}")).await.len(), 2);
        assert!(search(&server, &format!("q=duur&customer={renee}")).await.is_empty());
        assert_eq!(search(&server, "q=duur&channel=email").await.len(), 1);
        assert_eq!(search(&server, "q=duur&channel=internal").await.len(), 1);
        assert_eq!(
            search(&server, "q=duur&from=2026-11-24&until=2026-11-24").await.len(),
            2
        );
        assert!(search(&server, "q=duur&from=2026-11-25").await.is_empty());

        // Page by page: the answer names the next page's cursor until the last page.
        let first = server.api_get("/api/v1/search?q=reparaties&limit=1").await;
        let cursor = first.headers()["x-next-cursor"].to_str().unwrap().to_string();
        let first: Value = first.json().await.unwrap();
        assert_eq!(first[0]["kind"], "note", "{}", db.name);
        let second = server
            .api_get(&format!("/api/v1/search?q=reparaties&limit=1&cursor={cursor}"))
            .await;
        let last_cursor = second.headers().get("x-next-cursor").cloned();
        let second: Value = second.json().await.unwrap();
        assert_eq!(second[0]["kind"], "message_in", "{}", db.name);
        if let Some(cursor) = last_cursor {
            let third = search(
                &server,
                &format!("q=reparaties&limit=1&cursor={}", cursor.to_str().unwrap()),
            )
            .await;
            assert!(third.is_empty(), "nothing after the last page");
        }
        let bad_cursor = server.api_get("/api/v1/search?q=duur&cursor=abc").await;
        assert_eq!(bad_cursor.status(), 422);

        // Only punctuation: nothing can match. Only spaces: not a search.
        assert!(search(&server, "q=%21%21").await.is_empty());
        let bad = server.api_get("/api/v1/search?q=%20%20").await;
        assert_eq!(bad.status(), 422);
        let bad: Value = bad.json().await.unwrap();
        assert_eq!(bad["fields"][0]["code"], "no_words");
        // The two days in either order are the period between them.
        let today = chrono::Utc::now().date_naive();
        let (later, earlier) = (today + chrono::Duration::days(1), today - chrono::Duration::days(400));
        assert_eq!(
            search(&server, &format!("q=duur&from={later}&until={earlier}"))
                .await
                .len(),
            search(&server, &format!("q=duur&from={earlier}&until={later}"))
                .await
                .len(),
            "{}",
            db.name
        );
        let bad_date: Value = server
            .api_get("/api/v1/search?q=duur&from=24-11-2026")
            .await
            .json()
            .await
            .unwrap();
        assert_eq!(bad_date["fields"][0]["field"], "from");

        // After merging, the moved records are found under the customer they now belong to.
        let merged = server
            .owner_post(&format!("/api/v1/customers/{renee}/merge"), json!({"from": piet}))
            .await;
        assert_eq!(merged.status(), 200);
        assert_eq!(
            search(&server, &format!("q=duur&customer={renee}")).await.len(),
            2,
            "{}",
            db.name
        );
        assert!(search(&server, &format!("q=duur&customer={piet}")).await.is_empty());
        server.running.stop().await;
    }
}

#[tokio::test]
async fn saved_replies_fill_in_the_customer_staff_and_promise() {
    for db in databases().await {
        let server = TestServer::start(&db.url).await;
        let stored = post_fixture(&server, "iso-8859-1-qp.eml").await;
        let conversation_id = stored["conversation_id"].as_str().unwrap();

        let typo = server
            .api_post(
                "/api/v1/templates",
                json!({"name": "Garantie", "body": "{{ greeting }}\n{{ customer.nmae }}"}),
            )
            .await;
        assert_eq!(typo.status(), 422);
        let typo: Value = typo.json().await.unwrap();
        assert!(
            typo["fields"][0]["message"].as_str().unwrap().contains("line 2"),
            "{typo}"
        );

        let body = "{{ greeting }}\n\nU hoort uiterlijk {{ promise.due }} van ons over de garantie.\n\nMet vriendelijke groet,\n{{ staff.name }}, {{ business.name }}";
        let saved = server
            .api_post("/api/v1/templates", json!({"name": "Garantie", "body": body}))
            .await;
        assert_eq!(saved.status(), 201);
        let saved: Value = saved.json().await.unwrap();
        let listed: Vec<Value> = server.api_get("/api/v1/templates").await.json().await.unwrap();
        assert_eq!(listed.len(), 1);

        let draft = server
            .api_post(
                &format!("/api/v1/conversations/{conversation_id}/draft"),
                json!({"template_id": saved["id"]}),
            )
            .await;
        assert_eq!(draft.status(), 200);
        let draft: Value = draft.json().await.unwrap();
        // E-mail's first-response target is 4 business hours: 10:00 + 4h = 14:00 today.
        assert_eq!(
            draft["text"],
            "Beste Renée,\n\nU hoort uiterlijk vandaag om 14:00 van ons over de garantie.\n\nMet vriendelijke groet,\nSanne, Fietsenmaker"
        );
        let delete_path = format!("/api/v1/templates/{}/delete", saved["id"].as_str().unwrap());
        let by_agent = server.api_post(&delete_path, Value::Null).await;
        assert_eq!(by_agent.status(), 403, "deleting saved replies is for owners");
        let deleted = server.owner_post(&delete_path, Value::Null).await;
        assert_eq!(deleted.status(), 204);
        server.running.stop().await;
    }
}

/// `q` as typed in the search box.
async fn find(server: &TestServer, q: &str) -> Vec<Value> {
    let response = server
        .http
        .get(server.url("/api/v1/search"))
        .query(&[("q", q)])
        .bearer_auth(&server.token)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200, "{q}");
    response.json().await.unwrap()
}

/// Customers are found by name, by e-mail address and by phone number written any way.
#[tokio::test]
async fn search_finds_customers_by_name_address_and_phone() {
    for db in databases().await {
        let server = TestServer::start(&db.url).await;
        let called = server
            .created(json!({"phone": "06 12345678", "name": "Fatima el Amrani"}))
            .await;
        let raw = "From: Jan Jansen <jan.jansen@example.nl>\r\nTo: winkel@fiets.test\r\nSubject: Bel\r\n\
                   Message-ID: <find-1@example.nl>\r\n\r\nHallo.\r\n";
        let mailed: Value = server.post_email(raw).await.json().await.unwrap();
        for (query, customer) in [
            ("amrani", &called["customer_id"]),
            ("+31 6 1234 5678", &called["customer_id"]),
            ("0612345678", &called["customer_id"]),
            ("jan.jansen@", &mailed["customer_id"]),
            ("JANSEN", &mailed["customer_id"]),
        ] {
            let found = find(&server, query).await;
            let customers: Vec<&Value> = found.iter().filter(|r| r["kind"] == "customer").collect();
            assert_eq!(customers.len(), 1, "{}: {query}: {found:?}", db.name);
            assert_eq!(&customers[0]["customer_id"], customer, "{query}");
        }
        assert!(
            find(&server, "100%").await.iter().all(|r| r["kind"] != "customer"),
            "% is a character, not a wildcard"
        );
        server.running.stop().await;
    }
}

/// A callback request is found by its name and note, and by what was noted on its calls; the
/// hit is the request, whose page shows both. On both databases.
#[tokio::test]
async fn callback_requests_and_their_call_notes_are_found() {
    for db in databases().await {
        let server = TestServer::start(&db.url).await;
        let callback = server
            .created(json!({"phone": "0612345678", "name": "Bram Hoekstra", "note": "Vraag over de kettingkast"}))
            .await;
        let id = callback["id"].as_str().unwrap();
        let outcome = json!({"outcome": "reached", "note": "Afspraak gemaakt: donderdag tien uur werkplaats"});
        let recorded = server
            .api_post(&format!("/api/v1/callback-requests/{id}/outcome"), outcome)
            .await;
        assert_eq!(recorded.status(), 200, "{}", db.name);

        let by_note = search(&server, "q=kettingkast").await;
        assert_eq!(by_note.len(), 1, "{}: {by_note:?}", db.name);
        assert_eq!(by_note[0]["kind"], "callback_request");
        assert_eq!(by_note[0]["id"], id);
        let by_name = search(&server, "q=hoekstra").await;
        assert!(
            by_name.iter().any(|h| h["kind"] == "callback_request" && h["id"] == id),
            "{by_name:?}"
        );
        let by_call_note = search(&server, "q=werkplaats").await;
        assert_eq!(by_call_note.len(), 1, "{}: {by_call_note:?}", db.name);
        assert_eq!(by_call_note[0]["kind"], "callback_request");
        assert_eq!(by_call_note[0]["id"], id, "the call's note leads to its request");
        assert!(by_call_note[0]["snippet"].as_str().unwrap().contains("werkplaats"));

        let (mut browser, _) = logged_in(&server, &server.agent_email).await;
        let (_, page) = browser.get(&server.url("/staff/search?q=werkplaats")).await;
        assert!(
            page.contains(&format!("href=\"/staff/callbacks/{id}\"")),
            "{}: {page}",
            db.name
        );
        server.running.stop().await;
    }
}
