//! What went out: the owner sees every mail and webhook kept sent or tried, filters them, and
//! sends a failed one again from the page; nobody else sees the list.

use crate::support::*;
use reqwest::StatusCode;
use serde_json::{Value, json};

#[tokio::test]
async fn a_failed_mail_is_listed_with_its_error_and_sent_again_from_the_page() {
    for db in databases().await {
        let server = TestServer::start(&db.url).await;
        // The agent's mailbox refuses mail: the notice of a new request (to her, first in the
        // round) fails for good.
        let agent = server.agent_email.clone();
        server.smtp.refuse(&agent);
        let created = server
            .request_callback(json!({"phone": "06 11223344", "name": "Piet Pietersen"}))
            .await;
        assert_eq!(created.status(), 201);
        let failed = || async {
            let listed: Value = server
                .owner_get("/api/v1/deliveries?status=failed")
                .await
                .json()
                .await
                .unwrap();
            listed.as_array().unwrap().clone()
        };
        eventually(15, "the notice given up on", || async { !failed().await.is_empty() }).await;
        let item = failed().await[0].clone();
        assert_eq!(item["kind"], "email", "{}: {item}", db.name);
        assert_eq!(item["event"], "callback.created");
        assert_eq!(item["staff_email"], agent.as_str());
        assert_eq!(item["customer_name"], "Piet Pietersen");
        assert!(item["error"].as_str().unwrap().contains("550"), "{item}");
        let id = item["id"].as_i64().unwrap();

        // An agent may not see the list.
        let refused = server.api_get("/api/v1/deliveries").await;
        assert_eq!(refused.status(), StatusCode::FORBIDDEN);
        let (mut agent_page, _) = logged_in(&server, &server.agent_email).await;
        let (status, _) = agent_page.get(&server.url("/staff/deliveries")).await;
        assert_eq!(status, StatusCode::FORBIDDEN);

        // The owner's page shows it with the server's reason and a button; it goes out again.
        let (mut owner, csrf) = logged_in(&server, &server.owner_email).await;
        let (status, page) = owner.get(&server.url("/staff/deliveries?status=failed")).await;
        assert_eq!(status, StatusCode::OK);
        let row = page
            .split(&format!("id=\"delivery-{id}\""))
            .nth(1)
            .and_then(|rest| rest.split("</tr>").next())
            .expect("the failed notice listed");
        assert!(row.contains("Nieuw terugbelverzoek"), "{row}");
        assert!(row.contains("Mislukt") && row.contains("550"), "{row}");
        assert!(row.contains("Opnieuw versturen"), "{row}");
        assert!(row.contains("/staff/callbacks/"), "a link to what it was about: {row}");
        let before = server.smtp.to(&agent).len();
        server.smtp.accept_again(&agent);
        let again = owner
            .post(
                &server.url(&format!("/staff/deliveries/{id}/retry")),
                &[("csrf", &csrf)],
            )
            .await;
        assert_eq!(again.status(), StatusCode::SEE_OTHER);
        let (_, page) = owner.get(&server.url("/staff/deliveries")).await;
        assert!(page.contains("Wordt opnieuw verstuurd."), "the notice on the next page");
        eventually(15, "the notice delivered", || async {
            server.smtp.to(&agent).len() > before
        })
        .await;
        eventually(10, "listed as sent", || async {
            let listed: Value = server
                .owner_get("/api/v1/deliveries?kind=email")
                .await
                .json()
                .await
                .unwrap();
            listed
                .as_array()
                .unwrap()
                .iter()
                .any(|d| d["id"] == id && d["status"] == "delivered")
        })
        .await;
        // Sent once more is no longer failed: a second retry finds nothing to send.
        let twice = server
            .owner_post(&format!("/api/v1/deliveries/{id}/retry"), json!({}))
            .await;
        assert_eq!(twice.status(), StatusCode::NOT_FOUND);
        server.running.stop().await;
    }
}
