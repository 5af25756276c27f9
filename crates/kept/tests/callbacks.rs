//! The call-me-back loop through the API, on every database.

use crate::support::*;
use chrono::{DateTime, Utc};
use serde_json::{Value, json};

#[tokio::test]
async fn create_then_listed_then_outcome_closes_it() {
    for db in databases().await {
        let server = TestServer::start(&db.url).await;
        let created = server
            .created(json!({"phone": "06 12345678", "name": "Jan Jansen", "window": "asap"}))
            .await;
        assert_eq!(created["phone"], "+31612345678", "{}", db.name);
        assert_eq!(created["window"], "asap");
        assert_eq!(created["status"], "open");
        assert_eq!(created["owner"], "Sanne", "the agent gets new work, not the owner");
        let due: DateTime<Utc> = created["due_at"].as_str().unwrap().parse().expect("RFC 3339 due_at");
        assert_eq!(due, tuesday_morning() + chrono::Duration::minutes(90));
        assert_eq!(created["confirmation"], "We bellen u vandaag vóór 11:30.");
        let id = created["id"].as_str().unwrap().to_string();

        assert_eq!(server.open_ids().await, vec![id.clone()], "{}", db.name);

        let closed = server
            .api_post(
                &format!("/api/v1/callback-requests/{id}/outcome"),
                json!({"outcome": "reached", "note": "Fiets is vrijdag klaar"}),
            )
            .await;
        assert_eq!(closed.status(), 200);
        let closed: Value = closed.json().await.unwrap();
        assert_eq!(closed["status"], "reached");
        assert_eq!(closed["promise_status"], "kept");
        assert!(server.open_ids().await.is_empty(), "{}", db.name);

        let again = server
            .api_post(
                &format!("/api/v1/callback-requests/{id}/outcome"),
                json!({"outcome": "reached"}),
            )
            .await;
        assert_eq!(again.status(), 409, "a closed request cannot be closed twice");
        server.running.stop().await;
    }
}

#[tokio::test]
async fn invalid_input_is_refused_with_the_field_and_nothing_is_stored() {
    for db in databases().await {
        let server = TestServer::start(&db.url).await;
        let cases = [
            (json!({"phone": "12"}), "phone", "invalid_phone"),
            (json!({"name": "Jan"}), "phone", "required"),
            (
                json!({"phone": "0612345678", "window": "midnight"}),
                "window",
                "unknown_window",
            ),
            (
                json!({"phone": "0612345678", "website": "http://spam.test"}),
                "website",
                "spam",
            ),
            (json!({"phone": 612345678}), "body", "invalid_json"),
        ];
        for (body, field, code) in cases {
            let response = server.request_callback(body.clone()).await;
            // A window the business does not have conflicts with what is stored: 409.
            let expected = if code == "unknown_window" { 409 } else { 422 };
            assert_eq!(response.status(), expected, "{body} on {}", db.name);
            let error: Value = response.json().await.unwrap();
            assert_eq!(error["fields"][0]["field"], field, "{body}");
            assert_eq!(error["fields"][0]["code"], code, "{body}");
            assert!(!error["fields"][0]["message"].as_str().unwrap().is_empty());
        }
        let garbage = server
            .http
            .post(server.url("/api/v1/callback-requests"))
            .header("content-type", "application/json")
            .body("{not json")
            .send()
            .await
            .unwrap();
        assert_eq!(garbage.status(), 422);
        let all: Vec<Value> = server.api_get("/api/v1/callback-requests").await.json().await.unwrap();
        assert!(all.is_empty(), "nothing may be stored on {}: {all:?}", db.name);
        assert_eq!(
            server.store.outbox_counts().await.unwrap(),
            kept_store::OutboxCounts::default()
        );
        server.running.stop().await;
    }
}

#[tokio::test]
async fn the_api_needs_a_valid_token() {
    for db in databases().await {
        let server = TestServer::start(&db.url).await;
        let created = server.created(json!({"phone": "0612345678"})).await;
        let id = created["id"].as_str().unwrap();
        let anonymous = server
            .http
            .get(server.url("/api/v1/callback-requests?status=open"))
            .send()
            .await
            .unwrap();
        assert_eq!(anonymous.status(), 401);
        let body: Value = anonymous.json().await.unwrap();
        assert_eq!(body["error"], "unauthorized");
        let wrong = server
            .http
            .get(server.url("/api/v1/callback-requests"))
            .bearer_auth("not-a-token")
            .send()
            .await
            .unwrap();
        assert_eq!(wrong.status(), 401);
        let outcome = server
            .http
            .post(server.url(&format!("/api/v1/callback-requests/{id}/outcome")))
            .json(&json!({"outcome": "reached"}))
            .send()
            .await
            .unwrap();
        assert_eq!(outcome.status(), 401);
        assert_eq!(
            server.open_ids().await,
            vec![id.to_string()],
            "the unauthorised call changed nothing"
        );
        let bad_status = server.api_get("/api/v1/callback-requests?status=bogus").await;
        assert_eq!(bad_status.status(), 422);
        server.running.stop().await;
    }
}

#[tokio::test]
async fn staff_get_an_email_over_smtp_with_a_clickable_number() {
    for db in databases().await {
        let server = TestServer::start(&db.url).await;
        server
            .created(json!({"phone": "06 12345678", "name": "Jan Jansen", "window": "evening", "note": "Band lek"}))
            .await;
        let agent = server.agent_email.clone();
        eventually(10, "the agent's e-mail", || async {
            !server.smtp.to(&agent).is_empty()
        })
        .await;
        let mails = server.smtp.to(&agent);
        assert_eq!(mails.len(), 1, "{}", db.name);
        let mail = &mails[0];
        assert!(mail.subject.contains("Jan Jansen"), "{}", mail.subject);
        assert!(mail.html.contains("href=\"tel:+31612345678\""), "{}", mail.html);
        assert!(mail.text.contains("'s Avonds na 20:00"), "{}", mail.text);
        assert!(mail.text.contains("21:30"), "due time in local time: {}", mail.text);
        assert!(mail.text.contains("Band lek"));
        assert!(
            mail.raw.contains("From: Fietsenmaker <kept@fiets.test>"),
            "{}",
            mail.raw
        );
        server.running.stop().await;
    }
}

#[tokio::test]
async fn webhook_is_signed_and_retried_until_it_is_accepted() {
    for db in databases().await {
        let server = TestServer::start(&db.url).await;
        server.hooks.fail_next(1);
        let created = server.created(json!({"phone": "0612345678", "name": "Jan"})).await;
        // The first call fails; the retry waits 10 seconds of kept's clock.
        eventually(10, "the failed first attempt", || async {
            server.store.outbox_counts().await.unwrap().retrying == 1 && server.hooks.hooks().is_empty()
        })
        .await;
        server.clock.advance(chrono::Duration::seconds(11));
        eventually(10, "the retried webhook", || async { !server.hooks.hooks().is_empty() }).await;
        let hooks = server.hooks.hooks();
        assert_eq!(hooks.len(), 1, "{}", db.name);
        let hook = &hooks[0];
        assert!(signature_is_valid(hook), "signature must verify: {:?}", hook.headers);
        let body = hook.json();
        assert_eq!(body["event"], "callback.created");
        assert_eq!(body["callback"]["id"], created["id"]);
        assert_eq!(body["callback"]["phone"], "+31612345678");
        let mut tampered = hook.clone();
        tampered.body.push(b' ');
        assert!(!signature_is_valid(&tampered), "a changed body must not verify");
        server.running.stop().await;
    }
}

#[tokio::test]
async fn the_public_form_is_rate_limited_per_address() {
    let db = TestDatabase::sqlite();
    let server = TestServer::start_with(&db.url, |config| config.rate_limit_per_minute = 3).await;
    for i in 0..3 {
        server.created(json!({"phone": format!("061234567{i}")})).await;
    }
    let limited = server.request_callback(json!({"phone": "0612345679"})).await;
    assert_eq!(limited.status(), 429);
    let all: Vec<Value> = server.api_get("/api/v1/callback-requests").await.json().await.unwrap();
    assert_eq!(all.len(), 3);
    server.running.stop().await;
}

#[tokio::test]
async fn health_and_openapi_are_public() {
    let db = TestDatabase::sqlite();
    let server = TestServer::start(&db.url).await;
    let health = server.http.get(server.url("/healthz")).send().await.unwrap();
    assert_eq!(health.status(), 200);
    let doc = server.openapi_document().await;
    assert!(doc["paths"]["/api/v1/callback-requests"]["post"].is_object());
    assert!(doc["paths"]["/api/v1/callback-requests/{id}/outcome"]["post"].is_object());
    assert!(doc["components"]["securitySchemes"]["bearer"].is_object());
    server.running.stop().await;
}

/// Tom asks to be called in the evening, then — impatient — asks again for as soon as possible
/// from the same number written another way: one request, asked twice, moved up to the sooner
/// time, and he is told that time. A later request from a number whose customer is known
/// shows their name even when the form left it out.
#[tokio::test]
async fn asking_again_joins_the_open_request_and_a_known_customer_is_named() {
    for db in databases().await {
        let server = TestServer::start(&db.url).await;
        let first = server
            .created(json!({"phone": "06 12345678", "name": "Tom Harris", "window": "evening"}))
            .await;
        let evening: DateTime<Utc> = first["due_at"].as_str().unwrap().parse().unwrap();
        server.clock.advance(chrono::Duration::minutes(12));
        let again = server
            .request_callback(json!({"phone": "+31 6 1234 5678", "window": "asap"}))
            .await;
        assert_eq!(again.status(), 201, "{}", db.name);
        let again: Value = again.json().await.unwrap();
        assert_eq!(again["id"], first["id"], "{}: the same request", db.name);
        assert_eq!(again["asks"], 2);
        assert!(again["asked_again_at"].is_string(), "{again}");
        let sooner: DateTime<Utc> = again["due_at"].as_str().unwrap().parse().unwrap();
        assert!(sooner < evening, "{}: moved up from {evening} to {sooner}", db.name);
        assert_eq!(
            again["confirmation"], "We bellen u vandaag vóór 11:42.",
            "the time it now has"
        );
        assert_eq!(server.open_ids().await.len(), 1, "{}: one request, not two", db.name);

        // A third time, for the evening again: counted, but the promise stays the sooner one.
        let third: Value = server
            .request_callback(json!({"phone": "0612345678", "window": "evening"}))
            .await
            .json()
            .await
            .unwrap();
        assert_eq!(
            (third["asks"].as_i64(), third["due_at"].as_str()),
            (Some(3), again["due_at"].as_str())
        );
        let (mut browser, _) = logged_in(&server, &server.agent_email).await;
        let (_, home) = browser.get(&server.url("/staff?lang=nl")).await;
        assert!(home.contains("Vroeg opnieuw:") && home.contains("(3×)"), "{home}");
        // Asked once more on the English form: the whole thank-you page is in English.
        let page = server
            .http
            .post(server.url("/callback"))
            .form(&[("phone", "06 12345678"), ("window", "asap"), ("lang", "en")])
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(page.contains("Thank you") && !page.contains("Dank u wel"), "{page}");
        assert!(page.contains("We will call you today before"), "{page}");

        // Once he was reached, a new request without a name is still his.
        let id = first["id"].as_str().unwrap();
        let reached = server
            .api_post(
                &format!("/api/v1/callback-requests/{id}/outcome"),
                json!({"outcome": "reached"}),
            )
            .await;
        assert_eq!(reached.status(), 200);
        let later = server.created(json!({"phone": "06 12345678", "window": "asap"})).await;
        assert_ne!(
            later["id"], first["id"],
            "{}: a new request once the old one is closed",
            db.name
        );
        assert_eq!(later["name"], "Tom Harris", "{}: shown by name, not by number", db.name);
        server.running.stop().await;
    }
}
