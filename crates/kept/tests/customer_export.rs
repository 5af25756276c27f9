//! A customer's data for the customer (AVG/GDPR access): the owner downloads one ZIP with a
//! summary a person reads, everything as JSON with ISO 8601 times, and every e-mail as an
//! `.eml` — opened here by Python's own zipfile and its email package with a strict policy.
//! Erasing says what went.

use crate::support::*;
use serde_json::{Value, json};

/// The archive's files by name, read by Python's zipfile (not by the crate that wrote them).
fn unzip(bytes: &[u8]) -> serde_json::Map<String, Value> {
    let file = tempfile::NamedTempFile::new().unwrap();
    std::fs::write(file.path(), bytes).unwrap();
    let python = std::env::var("KEPT_TEST_PYTHON").unwrap_or_else(|_| "python3".into());
    let read = "import json, sys, zipfile\nz = zipfile.ZipFile(sys.argv[1])\nassert z.testzip() is None\n\
                print(json.dumps({n: z.read(n).decode('utf-8') for n in z.namelist()}))";
    let output = std::process::Command::new(python)
        .args(["-c", read])
        .arg(file.path())
        .output()
        .unwrap();
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    serde_json::from_slice::<Value>(&output.stdout)
        .unwrap()
        .as_object()
        .unwrap()
        .clone()
}

#[tokio::test]
async fn the_owner_downloads_a_readable_archive_with_the_mails_and_erasing_says_what_went() {
    let db = TestDatabase::sqlite();
    let server = TestServer::start(&db.url).await;
    let mail = "From: =?utf-8?q?Ren=C3=A9e_Bakker?= <renee@example.nl>\r\nTo: winkel@fiets.test\r\n\
                Subject: Fiets kapot\r\nMessage-ID: <export-1@example.nl>\r\nContent-Type: text/plain; charset=utf-8\r\n\
                Content-Transfer-Encoding: 8bit\r\n\r\nMijn fiets is kapot. Geïrriteerd!\r\n";
    let stored: Value = server.post_email(mail).await.json().await.unwrap();
    let (id, customer) = (
        stored["conversation_id"].as_str().unwrap().to_string(),
        stored["customer_id"].as_str().unwrap().to_string(),
    );
    let replied = server
        .api_post(
            &format!("/api/v1/conversations/{id}/replies"),
            json!({"text": "Beste Renée, we halen hem morgen op. € 0 voorrijkosten."}),
        )
        .await;
    assert_eq!(replied.status(), 201);

    let (mut owner, csrf) = logged_in(&server, &server.owner_email).await;
    let response = owner
        .http
        .get(server.url(&format!("/staff/customers/{customer}/export")))
        .header("Cookie", owner.cookies.join("; "))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    assert_eq!(response.headers()["content-type"], "application/zip");
    assert!(
        response.headers()["content-disposition"]
            .to_str()
            .unwrap()
            .contains("kept-ren-e-bakker.zip"),
        "{:?}",
        response.headers()["content-disposition"]
    );
    let files = unzip(&response.bytes().await.unwrap());
    let names: Vec<&String> = files.keys().collect();
    assert!(
        files.contains_key("samenvatting.txt") && files.contains_key("gegevens.json"),
        "{names:?}"
    );

    let summary = files["samenvatting.txt"].as_str().unwrap();
    assert!(summary.contains("Gegevens van Renée Bakker"), "{summary}");
    assert!(
        summary.contains("Opgevraagd op 2026-11-24 10:00"),
        "ISO, the business's time: {summary}"
    );
    assert!(summary.contains("E-mail: renee@example.nl"), "{summary}");
    assert!(summary.contains("2 berichten"), "what is kept, in words: {summary}");
    assert!(summary.contains("Mijn fiets is kapot."), "{summary}");
    // What was promised in words, not the promises' bookkeeping.
    assert!(
        summary.contains("Wat we u hebben toegezegd\n- Beste Renée, we halen hem morgen op — op woensdag 25 november"),
        "{summary}"
    );
    assert!(!summary.contains("· Belofte ·"), "{summary}");
    assert!(
        !summary.contains("vandaag") && !summary.contains("morgen 1"),
        "dates, not 'today': {summary}"
    );

    let data: Value = serde_json::from_str(files["gegevens.json"].as_str().unwrap()).unwrap();
    let first = &data["records"]["messages"][0];
    assert_eq!(first["sent_at"], "2026-11-24T10:00:00+01:00", "{first}");
    assert!(first.get("sent_ms").is_none(), "no milliseconds since 1970: {first}");
    assert!(
        !files["gegevens.json"].as_str().unwrap().contains("_ms\""),
        "no field in milliseconds, set or not"
    );

    // Both mails, as a strict reader opens them: ours from the business, hers from her.
    let emls: Vec<Mail> = files
        .iter()
        .filter(|(name, _)| name.starts_with("mails/") && name.ends_with(".eml"))
        .map(|(_, raw)| Mail {
            to: Vec::new(),
            subject: String::new(),
            text: String::new(),
            html: String::new(),
            raw: raw.as_str().unwrap().to_string(),
            calendar: None,
        })
        .collect();
    assert_eq!(emls.len(), 2, "{names:?}");
    let read = strictly_read(&emls);
    for seen in &read {
        assert_eq!(seen["ok"], true, "{seen}");
    }
    let hers = read
        .iter()
        .find(|m| m["headers"]["message-id"] == "<export-1@example.nl>")
        .unwrap();
    assert_eq!(hers["headers"]["subject"], "Fiets kapot");
    assert!(hers["headers"]["from"].as_str().unwrap().contains("renee@example.nl"));
    assert!(hers["parts"][0]["text"].as_str().unwrap().contains("Geïrriteerd!"));
    let ours = read.iter().find(|m| m != &hers).unwrap();
    assert!(
        ours["headers"]["to"].as_str().unwrap().contains("renee@example.nl"),
        "{ours}"
    );
    assert!(
        ours["parts"][0]["text"].as_str().unwrap().contains("€ 0 voorrijkosten"),
        "{ours}"
    );

    // Erasing: the next page says what went.
    let erased = owner
        .post(
            &server.url(&format!("/staff/customers/{customer}/erase")),
            &[("csrf", &csrf), ("reason", "gevraagd per e-mail"), ("confirm", "1")],
        )
        .await;
    assert_eq!(erased.status(), 303);
    let (_, home) = owner.get(&server.url("/staff")).await;
    let notice = home
        .split("id=\"flash\">")
        .nth(1)
        .unwrap()
        .split("</p>")
        .next()
        .unwrap();
    assert!(notice.starts_with("Gewist: "), "{notice}");
    assert!(
        notice.contains("2 berichten") && notice.contains("1 gesprek"),
        "{notice}"
    );
    server.running.stop().await;
}
