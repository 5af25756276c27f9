//! A new install's home page: the owner sees what is left to set up, each step ticked off from
//! what kept stores and is configured with, and the list goes once everything is done.

use crate::support::*;
use serde_json::json;

#[tokio::test]
async fn a_first_day_owner_sees_the_checklist_until_everything_is_done() {
    let db = TestDatabase::sqlite();
    let server = TestServer::start(&db.url).await;
    let (mut owner, _) = logged_in(&server, &server.owner_email).await;
    let checklist = |page: &str| {
        page.split("id=\"first-day\"")
            .nth(1)
            .map(|rest| rest.split("</section>").next().unwrap_or_default().to_string())
    };
    let (_, home) = owner.get(&server.url("/staff")).await;
    let list = checklist(&home).expect("the checklist on a new install");
    assert!(list.contains("Uw eerste dag met kept"), "{list}");
    // kept.toml has an SMTP server and the team has an agent: those two are done already.
    let done = list.matches("✓ Klaar").count();
    assert_eq!(done, 2, "{list}");
    assert!(list.contains("href=\"/staff/settings\"") && list.contains("href=\"/callback?lang=nl\""));
    // Not for an agent: they do not set kept up.
    let (mut agent, _) = logged_in(&server, &server.agent_email).await;
    let (_, theirs) = agent.get(&server.url("/staff")).await;
    assert!(checklist(&theirs).is_none());

    // The owner saves the business's settings, a test request comes in, a customer mails.
    let saved = server
        .http
        .put(server.url("/api/v1/settings"))
        .bearer_auth(&server.owner_token)
        .json(&json!({"business": {"name": "Fietsenmaker Jansen"}}))
        .send()
        .await
        .unwrap();
    assert_eq!(saved.status(), 200);
    let (_, home) = owner.get(&server.url("/staff")).await;
    assert_eq!(checklist(&home).unwrap().matches("✓ Klaar").count(), 3);
    let asked = server
        .request_callback(json!({"phone": "06 12345678", "name": "Test"}))
        .await;
    assert_eq!(asked.status(), 201);
    let (_, home) = owner.get(&server.url("/staff")).await;
    assert_eq!(checklist(&home).unwrap().matches("✓ Klaar").count(), 4);
    let mail = "From: Els <els@example.nl>\r\nSubject: Vraag\r\nMessage-ID: <first-day@example.nl>\r\n\r\nHallo\r\n";
    assert_eq!(server.post_email(mail).await.status(), 201);
    let (_, home) = owner.get(&server.url("/staff")).await;
    assert!(checklist(&home).is_none(), "gone once everything is done");
    server.running.stop().await;
}
