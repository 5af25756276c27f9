//! Delivery through a real mail server, as shops' providers require it: Debian's Postfix on
//! loopback with STARTTLS and with TLS from the first byte (a throw-away CA that kept is told to
//! trust), SASL logins checked by Dovecot; a greylisting 450 is tried again later and gets
//! through, a 550 for an unknown recipient shows on the reply as not sent, with the server's
//! reason.

use chrono::Duration;
use serde_json::{Value, json};

use crate::support::*;

async fn conversation(server: &TestServer, id: &str) -> Value {
    server
        .api_get(&format!("/api/v1/conversations/{id}"))
        .await
        .json()
        .await
        .unwrap()
}

/// A mail from `from`, answered: the conversation.
async fn answered(server: &TestServer, from: &str) -> String {
    let raw = format!(
        "From: Klant <{from}>\r\nTo: kept@fiets.test\r\nSubject: Fiets\r\nMessage-ID: <{from}.1@example.nl>\r\n\r\nMijn fiets is kapot.\r\n"
    );
    let accepted: Value = server.post_email(&raw).await.json().await.unwrap();
    let id = accepted["conversation_id"].as_str().unwrap().to_string();
    let replied = server
        .api_post(
            &format!("/api/v1/conversations/{id}/replies"),
            json!({"text": "We halen hem morgen op. Het kost € 79."}),
        )
        .await;
    assert_eq!(replied.status(), 201);
    id
}

fn delivery(shown: &Value) -> Value {
    shown["messages"].as_array().unwrap().last().unwrap()["delivery"].clone()
}

#[tokio::test]
async fn replies_go_out_through_postfix_with_tls_and_sasl_greylisting_is_waited_out_and_a_refusal_shown() {
    let Some(postfix) = Postfix::start().await else { return };
    for smtps in [false, true] {
        let db = TestDatabase::sqlite();
        let (url, ca) = (postfix.url(smtps), postfix.ca_file());
        let server = TestServer::start_with(&db.url, move |config| {
            config.smtp_url = Some(url);
            config.smtp_ca_file = Some(ca.display().to_string());
        })
        .await;
        let customer = if smtps { "jan@example.nl" } else { "els@example.nl" };
        let id = answered(&server, customer).await;
        eventually(20, "the reply through Postfix", || async {
            postfix.relay.to(customer).len() == 1
        })
        .await;
        let mail = &postfix.relay.to(customer)[0];
        assert!(
            mail.raw.contains("(Authenticated sender: kept@fiets.test)"),
            "SASL: {}",
            mail.raw
        );
        assert!(
            mail.raw.contains("using TLSv1."),
            "TLS ({}): {}",
            if smtps { "smtps" } else { "STARTTLS" },
            mail.raw
        );
        assert!(mail.text.contains("€ 79"), "{}", mail.text);
        eventually(10, "the reply recorded as sent", || async {
            delivery(&conversation(&server, &id).await)["status"] == "sent"
        })
        .await;
        server.running.stop().await;
    }
    assert!(
        postfix.log().contains("sasl_username=kept@fiets.test"),
        "{}",
        postfix.log()
    );

    // Greylisting, then a recipient the server does not know.
    postfix
        .answer(&[
            ("greylist@example.nl", "450 4.7.1 Greylisted, please try again later"),
            ("nobody@example.nl", "550 5.1.1 User unknown in virtual mailbox table"),
        ])
        .await;
    let db = TestDatabase::sqlite();
    let (url, ca) = (postfix.url(false), postfix.ca_file());
    let server = TestServer::start_with(&db.url, move |config| {
        config.smtp_url = Some(url);
        config.smtp_ca_file = Some(ca.display().to_string());
    })
    .await;
    let greylisted = answered(&server, "greylist@example.nl").await;
    let refused = answered(&server, "nobody@example.nl").await;
    eventually(20, "the 550 shown on the reply", || async {
        delivery(&conversation(&server, &refused).await)["status"] == "not_sent"
    })
    .await;
    let shown = delivery(&conversation(&server, &refused).await);
    let reason = shown["reason"].as_str().unwrap();
    assert!(reason.contains("5.1.1") && reason.contains("User unknown"), "{reason}");
    eventually(20, "the greylisting 450 met and recorded for a retry", || async {
        postfix.log().contains("450 4.7.1 <greylist@example.nl>")
            && server.store.outbox_counts().await.unwrap().retrying == 1
    })
    .await;
    assert_eq!(delivery(&conversation(&server, &greylisted).await)["status"], "sending");
    assert!(postfix.relay.to("greylist@example.nl").is_empty());
    // The greylisting period passes while kept tries again on its own schedule (a connection
    // opened before may still meet the old answer once).
    postfix.answer(&[]).await;
    eventually(20, "the greylisted reply delivered on a later try", || async {
        server.clock.advance(Duration::minutes(1));
        postfix.relay.to("greylist@example.nl").len() == 1
    })
    .await;
    eventually(10, "the reply recorded as sent", || async {
        delivery(&conversation(&server, &greylisted).await)["status"] == "sent"
    })
    .await;
    server.running.stop().await;
}
