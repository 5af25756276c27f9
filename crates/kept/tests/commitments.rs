//! Promises in words: a dated commitment in a reply becomes the writer's follow-up promise when
//! the reply is sent — as read, at the time the writer changed it to, or not at all when they
//! unticked it — in the same transaction as the reply; a logged call's likewise; on both
//! databases.

use crate::support::*;
use chrono::{TimeZone, Utc};
use serde_json::{Value, json};

/// The keys the composer gets for a draft's commitments, as its script asks for them.
async fn commitment_keys(server: &TestServer, text: &str) -> Vec<String> {
    let report: Value = server
        .api_post("/api/v1/tone/check", json!({"text": text, "lang": "nl"}))
        .await
        .json()
        .await
        .unwrap();
    report["commitments"]
        .as_array()
        .unwrap_or_else(|| panic!("no commitments: {report}"))
        .iter()
        .map(|c| c["key"].as_str().unwrap().to_string())
        .collect()
}

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
        let key = commitment_keys(&server, text).await.remove(0);
        assert_eq!(key, "morgen om 10:00#0");
        let (listed, keep, due) = (format!("listed_{key}"), format!("keep_{key}"), format!("due_{key}"));
        let form = reply(
            &csrf,
            text,
            vec![
                ("commitments_shown", "1"),
                (listed.as_str(), "1"),
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
        let text = "Ik mail u vrijdag de offerte.";
        let listed = format!("listed_{}", commitment_keys(&server, text).await.remove(0));
        let form = reply(&csrf, text, vec![("commitments_shown", "1"), (listed.as_str(), "1")]);
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
        let excerpt = finding["excerpt"].as_str().unwrap();
        let form = reply(
            &csrf,
            vague,
            vec![
                ("commitments_shown", "1"),
                ("vague_0", excerpt),
                ("due_vague_0", "2026-03-12T09:00"),
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

/// A browser sends a textarea's line breaks as CR LF while the composer's script saw LF, and
/// counts characters where the server counts bytes: the commitments it listed must still be
/// the ones saved. A ticked one the text no longer holds refuses the send, text kept.
#[tokio::test]
async fn a_multi_line_reply_keeps_its_ticked_promises() {
    for db in databases().await {
        let server = TestServer::start(&db.url).await;
        // Tuesday 10 March 2026, 14:20 in Amsterdam.
        server.clock.set(Utc.with_ymd_and_hms(2026, 3, 10, 13, 20, 0).unwrap());
        let raw = "From: Els Mulder <els@example.nl>\r\nTo: service@fiets.test\r\nSubject: Reparatie\r\n\
                   Message-ID: <lines-1@example.nl>\r\n\r\nWat kost de reparatie?\r\n";
        let mail: Value = server.post_email(raw).await.json().await.unwrap();
        let conversation = mail["conversation_id"].as_str().unwrap().to_string();
        let (mut agent, csrf) = logged_in(&server, &server.agent_email).await;
        let path = server.url(&format!("/staff/conversations/{conversation}/reply"));

        // What the script checked (LF), and what the browser sends (CR LF).
        let checked = "Beste mevrouw Mulder,\n\nDe reparatie kost € 79 — inclusief café-onderdelen.\n\
                       Ik bel u morgen om 10:00 terug.\nDe offerte mail ik u vrijdag.\n\nMet vriendelijke groet,\nAnna";
        let sent_text = checked.replace('\n', "\r\n");
        let keys = commitment_keys(&server, checked).await;
        assert_eq!(keys.len(), 2, "{}: {keys:?}", db.name);
        // The call kept at 11:00, the quote unticked.
        let fields: Vec<(String, String)> = vec![
            ("csrf".into(), csrf.clone()),
            ("text".into(), sent_text.clone()),
            ("commitments_shown".into(), "1".into()),
            (format!("listed_{}", keys[0]), "1".into()),
            (format!("listed_{}", keys[1]), "1".into()),
            (format!("keep_{}", keys[0]), "1".into()),
            (format!("due_{}", keys[0]), "2026-03-11T11:00".into()),
            (format!("due_{}", keys[1]), "2026-03-13T16:30".into()),
        ];
        assert_eq!(agent.post(&path, &refs(&fields)).await.status(), 303, "{}", db.name);
        let promises = follow_ups(&server).await;
        assert_eq!(promises.len(), 1, "{}: {promises:?}", db.name);
        assert_eq!(promises[0]["due_at"], "2026-03-11T10:00:00Z", "11:00 in Amsterdam");

        // Ticked, but the writer changed the words before sending: refused, text kept.
        let changed = sent_text.replace("morgen om 10:00", "overmorgen om 9:00");
        let fields: Vec<(String, String)> = vec![
            ("csrf".into(), csrf.clone()),
            ("text".into(), changed),
            ("commitments_shown".into(), "1".into()),
            (format!("listed_{}", keys[0]), "1".into()),
            (format!("keep_{}", keys[0]), "1".into()),
        ];
        let refused = agent.post(&path, &refs(&fields)).await;
        let status = refused.status();
        let page = refused.text().await.unwrap();
        assert_eq!(status, 200, "{}: the page comes back", db.name);
        assert!(
            page.contains("aangevinkte toezegging staat niet meer"),
            "{}: {page}",
            db.name
        );
        assert!(page.contains("overmorgen om 9:00"), "{}: the text is kept", db.name);
        assert_eq!(follow_ups(&server).await.len(), 1, "{}: nothing sent", db.name);

        // A commitment typed after the composer's last check (not listed): tracked as read.
        let later = format!("{sent_text}\r\nPS: ik mail u donderdag de foto's.");
        let fields: Vec<(String, String)> = vec![
            ("csrf".into(), csrf.clone()),
            ("text".into(), later),
            ("commitments_shown".into(), "1".into()),
            (format!("listed_{}", keys[0]), "1".into()),
            (format!("listed_{}", keys[1]), "1".into()),
        ];
        assert_eq!(agent.post(&path, &refs(&fields)).await.status(), 303, "{}", db.name);
        let promises = follow_ups(&server).await;
        assert_eq!(promises.len(), 2, "{}: {promises:?}", db.name);
        assert!(
            promises.iter().any(|p| p["due_at"] == "2026-03-12T16:30:00Z"),
            "{promises:?}"
        );
        server.running.stop().await;
    }
}

fn refs(fields: &[(String, String)]) -> Vec<(&str, &str)> {
    fields.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect()
}
