//! Promises in words: a dated commitment in a reply becomes the writer's follow-up promise when
//! the reply is sent — as read, at the time the writer changed it to, or not at all when they
//! unticked it — in the same transaction as the reply; a logged call's likewise; on both
//! databases.

use crate::support::*;
use chrono::{TimeZone, Utc};
use serde_json::{Value, json};

async fn follow_ups(server: &TestServer) -> Vec<Value> {
    server
        .api_get("/api/v1/promises?kind=follow_up")
        .await
        .json()
        .await
        .unwrap()
}

#[tokio::test]
async fn a_reply_that_promises_a_call_tomorrow_at_ten_makes_a_follow_up() {
    for db in databases().await {
        let server = TestServer::start(&db.url).await;
        // Tuesday 10 March 2026, 14:20 in Amsterdam.
        server.clock.set(Utc.with_ymd_and_hms(2026, 3, 10, 13, 20, 0).unwrap());
        let raw = "From: Jan Jansen <jan@example.nl>\r\nTo: service@fiets.test\r\nSubject: Uitslag\r\n\
                   Message-ID: <words-1@example.nl>\r\n\r\nWanneer hoor ik de uitslag?\r\n";
        let mail: Value = server.post_email(raw).await.json().await.unwrap();
        let conversation = mail["conversation_id"].as_str().unwrap().to_string();
        let (mut agent, csrf) = logged_in(&server, &server.agent_email).await;
        fn reply<'a>(csrf: &'a str, text: &'a str, extra: Vec<(&'a str, &'a str)>) -> Vec<(&'a str, &'a str)> {
            let mut form = vec![("csrf", csrf), ("text", text)];
            form.extend(extra);
            form
        }
        let path = server.url(&format!("/staff/conversations/{conversation}/reply"));

        // Shown in the composer and kept, with the time moved to 11:00.
        let text = "Ik bel u morgen om 10:00 terug met de uitslag.";
        let start = text.find("morgen").unwrap().to_string();
        let (keep, due) = (format!("keep_{start}"), format!("due_{start}"));
        let form = reply(
            &csrf,
            text,
            vec![
                ("commitments_shown", "1"),
                (keep.as_str(), "1"),
                (due.as_str(), "2026-03-11T11:00"),
            ],
        );
        let sent = agent.post(&path, &form).await;
        assert_eq!(sent.status(), 303, "{}", db.name);
        let promises = follow_ups(&server).await;
        assert_eq!(promises.len(), 1, "{}: {promises:?}", db.name);
        assert_eq!(promises[0]["due_at"], "2026-03-11T10:00:00Z", "11:00 in Amsterdam");
        assert_eq!(promises[0]["customer_id"], mail["customer_id"]);
        assert_eq!(promises[0]["status"], "open");
        let (_, page) = agent
            .get(&server.url(&format!("/staff/conversations/{conversation}")))
            .await;
        let shown = page.split("id=\"conversation-follow-ups\"").nth(1).unwrap_or_default();
        assert!(shown.contains("11:00"), "on the conversation, due at 11:00: {page}");

        // Shown and unticked: not a promise.
        let form = reply(&csrf, "Ik mail u vrijdag de offerte.", vec![("commitments_shown", "1")]);
        assert_eq!(agent.post(&path, &form).await.status(), 303);
        assert_eq!(follow_ups(&server).await.len(), 1, "{}", db.name);

        // A vague promise the writer gave a moment in the composer: a follow-up by then.
        let vague = "We komen er zo snel mogelijk op terug.";
        let offered: Value = server
            .api_post("/api/v1/tone/check", json!({"text": vague, "lang": "nl"}))
            .await
            .json()
            .await
            .unwrap();
        let finding = offered["findings"]
            .as_array()
            .unwrap()
            .iter()
            .find(|f| f["rule"] == "vague_promise")
            .cloned()
            .unwrap_or_else(|| panic!("no vague promise found: {offered}"));
        // One business day on: Wednesday 14:20.
        assert_eq!(finding["when_local"], "2026-03-11T14:20");
        let key = format!("vague_{}_{}", finding["start"], finding["end"]);
        let due_key = format!("due_{key}");
        let form = reply(
            &csrf,
            vague,
            vec![
                ("commitments_shown", "1"),
                (key.as_str(), "1"),
                (due_key.as_str(), "2026-03-12T09:00"),
            ],
        );
        assert_eq!(agent.post(&path, &form).await.status(), 303);
        let promises = follow_ups(&server).await;
        assert_eq!(promises.len(), 2, "{}: {promises:?}", db.name);
        assert!(
            promises.iter().any(|p| p["due_at"] == "2026-03-12T08:00:00Z"),
            "{promises:?}"
        );

        // Through the API (no composer): kept as read — Friday by closing time.
        let replied = server
            .api_post(
                &format!("/api/v1/conversations/{conversation}/replies"),
                json!({"text": "De schriftelijke uitslag ontvangt u uiterlijk vrijdag."}),
            )
            .await;
        assert_eq!(replied.status(), 201);
        let promises = follow_ups(&server).await;
        assert_eq!(promises.len(), 3, "{}", db.name);
        assert!(
            promises.iter().any(|p| p["due_at"] == "2026-03-13T16:30:00Z"),
            "{}: {promises:?}",
            db.name
        );

        // A logged call that promised a quote before Friday: a follow-up due Thursday.
        let customer = mail["customer_id"].as_str().unwrap();
        let call = server
            .api_post(
                &format!("/api/v1/customers/{customer}/calls"),
                json!({"direction": "inbound", "summary": "Klant belde. Beloofd: offerte vóór vrijdag mailen."}),
            )
            .await;
        assert_eq!(call.status(), 201, "{}", db.name);
        let promises = follow_ups(&server).await;
        assert_eq!(promises.len(), 4, "{}", db.name);
        assert!(
            promises.iter().any(|p| p["due_at"] == "2026-03-12T16:30:00Z"),
            "{}: {promises:?}",
            db.name
        );
        server.running.stop().await;
    }
}
