//! The tone engine through the CLI (exit codes, JSON) and the API (token, validation).

use std::io::Write;
use std::process::{Command, Stdio};

use crate::support::*;
use reqwest::StatusCode;
use serde_json::{Value, json};

const KEPT: &str = env!("CARGO_BIN_EXE_kept");

fn kept_tone(args: &[&str], stdin: &[u8]) -> (i32, String, String) {
    let dir = tempfile::tempdir().unwrap();
    let mut child = Command::new(KEPT)
        .current_dir(dir.path())
        .arg("tone")
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(stdin).unwrap();
    let output = child.wait_with_output().unwrap();
    (
        output.status.code().unwrap(),
        String::from_utf8_lossy(&output.stdout).into(),
        String::from_utf8_lossy(&output.stderr).into(),
    )
}

#[test]
fn cli_check_prints_json_findings_and_exits_zero() {
    let dir = tempfile::tempdir().unwrap();
    let customer = dir.path().join("customer.txt");
    std::fs::write(&customer, "Dit is de derde keer dat ik bel. Belachelijk!").unwrap();
    let draft = "Beste relatie, uw dossier staat in ons systeem.";
    let (status, stdout, stderr) = kept_tone(
        &[
            "check",
            "--json",
            "--customer-name",
            "meneer Jansen",
            "--reply-to",
            customer.to_str().unwrap(),
            "-",
        ],
        draft.as_bytes(),
    );
    assert_eq!(status, 0, "{stderr}");
    let report: Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(report["language"], "nl");
    let rules: Vec<&str> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["rule"].as_str().unwrap())
        .collect();
    assert_eq!(rules, ["generic_greeting", "no_acknowledgement"]);
    assert_eq!(report["findings"][0]["excerpt"], "Beste relatie,");
    assert_eq!(report["findings"][0]["suggestion"], "Beste meneer Jansen,");
    assert_eq!(report["commitments"], json!([]), "nothing dated in this draft");
    assert!(report["score"].as_u64().unwrap() < 100);

    let (status, stdout, _) = kept_tone(&["check"], b"Hi Tom, your order ships tomorrow at 10:00.");
    assert_eq!(status, 0);
    assert!(stdout.contains("score: 100/100"), "{stdout}");
}

#[test]
fn cli_refuses_unusable_input_with_status_two() {
    for (input, reason) in [
        (&b"   \n"[..], "empty"),
        (&[0xc3, 0x28][..], "UTF-8"),
        (&vec![b'a'; 100 * 1024 + 1][..], "100 KB"),
    ] {
        let (status, _, stderr) = kept_tone(&["check"], input);
        assert_eq!(status, 2, "{reason}");
        assert!(stderr.contains(reason), "{stderr}");
    }
    let (status, _, stderr) = kept_tone(&["mood", "/no/such/file"], b"");
    assert_eq!(status, 1, "a missing file is an error, not unusable text: {stderr}");
}

#[test]
fn cli_mood_scores_an_upset_message_high() {
    let (status, stdout, _) = kept_tone(
        &["mood", "--json"],
        "IK WACHT NU AL DRIE WEKEN OP MIJN GELD!!".as_bytes(),
    );
    assert_eq!(status, 0);
    let mood: Value = serde_json::from_str(&stdout).unwrap();
    assert!(mood["frustration"].as_f64().unwrap() >= 0.5, "{mood}");
    let kinds: Vec<&str> = mood["signals"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["kind"].as_str().unwrap())
        .collect();
    assert!(
        kinds.contains(&"capitals") && kinds.contains(&"exclamation") && kinds.contains(&"waiting"),
        "{kinds:?}"
    );
}

#[tokio::test]
async fn api_checks_tone_for_staff_only() {
    let db = TestDatabase::sqlite();
    let server = TestServer::start_with(&db.url, |config| {
        config
            .tone
            .entry(kept_domain::Lang::En)
            .or_default()
            .insert("deflection".into(), vec!["not our call".into()]);
    })
    .await;
    let checked = server
        .api_post(
            "/api/v1/tone/check",
            json!({"text": "Dear customer, that is not our call.", "lang": "en"}),
        )
        .await;
    assert_eq!(checked.status(), 200);
    let report: Value = checked.json().await.unwrap();
    let rules: Vec<&str> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["rule"].as_str().unwrap())
        .collect();
    assert_eq!(
        rules,
        ["generic_greeting", "deflection"],
        "the business's own phrase counts"
    );

    // A dated commitment in the draft, read from the moment given.
    let promised: Value = server
        .api_post(
            "/api/v1/tone/check",
            json!({"text": "Ik bel u morgen om 10:00 terug.", "now": "2026-03-10T14:20:00+01:00"}),
        )
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(promised["commitments"][0]["due_at"], "2026-03-11T09:00:00Z");
    assert_eq!(promised["commitments"][0]["action"], "call");
    assert_eq!(promised["commitments"][0]["text"], "morgen om 10:00");
    let bad_moment = server
        .api_post(
            "/api/v1/tone/check",
            json!({"text": "Ik bel u morgen.", "now": "morgen"}),
        )
        .await;
    assert_eq!(bad_moment.status(), 422);

    let mood: Value = server
        .api_post("/api/v1/tone/mood", json!({"text": "Third time I call. Ridiculous!!"}))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(mood["language"], "en");
    assert!(mood["frustration"].as_f64().unwrap() >= 0.5);

    let anonymous = server
        .http
        .post(server.url("/api/v1/tone/check"))
        .json(&json!({"text": "Hallo"}))
        .send()
        .await
        .unwrap();
    assert_eq!(anonymous.status(), 401);
    for (body, field) in [
        (json!({"text": ""}), "text"),
        (json!({"text": "Hi", "lang": "de"}), "lang"),
        (json!({"txt": "Hi"}), "body"),
    ] {
        let refused = server.api_post("/api/v1/tone/check", body).await;
        assert_eq!(refused.status(), 422);
        let error: Value = refused.json().await.unwrap();
        assert_eq!(error["fields"][0]["field"], field);
    }
    server.running.stop().await;
}

#[test]
fn cli_check_reads_dated_commitments_from_the_moment_given() {
    let draft = "We sturen u binnen 3 werkdagen een nieuwe offerte.";
    let (status, stdout, stderr) = kept_tone(
        &["check", "--json", "--now", "2026-10-23T16:45:00+02:00", "-"],
        draft.as_bytes(),
    );
    assert_eq!(status, 0, "{stderr}");
    let report: Value = serde_json::from_str(&stdout).unwrap();
    // Friday → Monday, Tuesday, Wednesday 28 October: by its closing time, 17:30 (UTC+1).
    assert_eq!(report["commitments"][0]["due_at"], "2026-10-28T16:30:00Z");
    assert_eq!(report["commitments"][0]["action"], "send");
    let (status, _, stderr) = kept_tone(&["check", "--now", "tomorrow", "-"], draft.as_bytes());
    assert_eq!(status, 2, "a moment that is not one is refused: {stderr}");
}

/// "Not a problem here": a finding an agent marks is not flagged again for anyone in this
/// business — the same words, however spaced — while other findings still are; the owner sees
/// it on the settings page (in words, not codes) and takes it back; agents cannot.
#[tokio::test]
async fn a_finding_marked_not_a_problem_is_left_out_until_the_owner_takes_it_back() {
    for db in databases().await {
        let server = TestServer::start(&db.url).await;
        let draft = json!({"text": "Beste lezer, daar gaan wij niet over.", "lang": "nl"});
        let rules_of = |report: &Value| -> Vec<String> {
            report["findings"]
                .as_array()
                .unwrap()
                .iter()
                .map(|f| f["rule"].as_str().unwrap().to_string())
                .collect()
        };
        let before: Value = server
            .api_post("/api/v1/tone/check", draft.clone())
            .await
            .json()
            .await
            .unwrap();
        assert_eq!(rules_of(&before), ["generic_greeting", "deflection"], "{}", db.url);
        let before_score = before["score"].as_i64().unwrap();

        // A newsletter-style greeting is how this business writes to its readers.
        let marked = server
            .api_post(
                "/api/v1/tone/dismissals",
                json!({"rule": "generic_greeting", "excerpt": "Beste  lezer,"}),
            )
            .await;
        assert_eq!(marked.status(), 201);
        let again = server
            .api_post(
                "/api/v1/tone/dismissals",
                json!({"rule": "generic_greeting", "excerpt": "beste lezer"}),
            )
            .await;
        assert_eq!(again.status(), 201, "marking twice changes nothing");
        for (body, field) in [
            (json!({"rule": "no_such_rule", "excerpt": "x"}), "rule"),
            (json!({"rule": "arguing", "excerpt": "  "}), "excerpt"),
            (json!({"rule": "arguing", "excerpt": "x".repeat(301)}), "excerpt"),
        ] {
            let refused = server.api_post("/api/v1/tone/dismissals", body).await;
            assert_eq!(refused.status(), 422);
            let error: Value = refused.json().await.unwrap();
            assert_eq!(error["fields"][0]["field"], field);
        }

        let after: Value = server
            .api_post("/api/v1/tone/check", draft.clone())
            .await
            .json()
            .await
            .unwrap();
        assert_eq!(rules_of(&after), ["deflection"], "the other finding stays");
        assert!(after["score"].as_i64().unwrap() > before_score, "scored without it");
        let elsewhere: Value = server
            .api_post(
                "/api/v1/tone/check",
                json!({"text": "Beste relatie, dank u.", "lang": "nl"}),
            )
            .await
            .json()
            .await
            .unwrap();
        assert_eq!(rules_of(&elsewhere), ["generic_greeting"], "only those words");

        // Agents mark; the owner sees and takes back.
        assert_eq!(server.api_get("/api/v1/tone/dismissals").await.status(), 403);
        let listed: Value = server.owner_get("/api/v1/tone/dismissals").await.json().await.unwrap();
        assert_eq!(listed.as_array().unwrap().len(), 1);
        assert_eq!(listed[0]["excerpt"], "beste lezer");
        let id = listed[0]["id"].as_str().unwrap().to_string();
        let (mut owner, csrf) = logged_in(&server, &server.owner_email).await;
        let (_, page) = owner.get(&server.url("/staff/settings")).await;
        assert!(
            page.contains("Toon: geen probleem hier")
                && page.contains("beste lezer")
                && page.contains("Aanhef zonder naam"),
            "{page}"
        );
        assert!(!page.contains(">generic_greeting<"), "the rule in words, not its code");
        let (mut agent, agent_csrf) = logged_in(&server, &server.agent_email).await;
        let undo = format!("/staff/settings/tone/{id}/undo");
        let refused = agent.post(&server.url(&undo), &[("csrf", agent_csrf.as_str())]).await;
        assert_eq!(refused.status(), StatusCode::FORBIDDEN);
        let undone = owner.post(&server.url(&undo), &[("csrf", csrf.as_str())]).await;
        assert_eq!(undone.status(), StatusCode::SEE_OTHER);
        let back: Value = server.api_post("/api/v1/tone/check", draft).await.json().await.unwrap();
        assert_eq!(rules_of(&back), ["generic_greeting", "deflection"]);
        let gone = server
            .http
            .delete(server.url(&format!("/api/v1/tone/dismissals/{id}")))
            .bearer_auth(&server.owner_token)
            .send()
            .await
            .unwrap();
        assert_eq!(gone.status(), StatusCode::NOT_FOUND, "taken back already");
        server.running.stop().await;
    }
}
