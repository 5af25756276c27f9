//! Contracts: a CSV import that takes all or nothing and changes nothing the second time, the
//! outreach promise on the right day in Europe/Amsterdam (also across the clock change), the
//! outcomes (renewed, undecided: again in 14 days, left: the exit survey), the pages and the
//! command line. On both databases.

use crate::support::*;
use chrono::{TimeZone, Utc};
use reqwest::StatusCode;
use serde_json::{Value, json};

const KEPT: &str = env!("CARGO_BIN_EXE_kept");

const FILE: &str = "external_id,customer_name,customer_email,customer_phone,product,start_date,end_date,value_per_year\n\
                    K-1,Jan Jansen,jan.jansen@example.nl,,Onderhoud,2023-05-10,2027-05-10,\"1.200,50\"\n\
                    K-2,Els de Boer,,06 12345678,Fietslease,,2027-05-11,480\n";

async fn import(server: &TestServer, token: &str, file: &str) -> reqwest::Response {
    server
        .http
        .post(server.url("/api/v1/contracts/import"))
        .bearer_auth(token)
        .header("content-type", "text/csv")
        .body(file.to_string())
        .send()
        .await
        .unwrap()
}

async fn contracts(server: &TestServer) -> Vec<Value> {
    server.api_get("/api/v1/contracts").await.json().await.unwrap()
}

async fn retention_promises(server: &TestServer) -> Vec<Value> {
    server
        .api_get("/api/v1/promises?kind=retention")
        .await
        .json()
        .await
        .unwrap()
}

#[tokio::test]
async fn an_import_takes_all_or_nothing_and_the_same_file_again_changes_nothing() {
    for db in databases().await {
        let server = TestServer::start(&db.url).await;
        let refused = import(&server, &server.token, FILE).await;
        assert_eq!(refused.status(), StatusCode::FORBIDDEN, "owners only");
        let first: Value = import(&server, &server.owner_token, FILE).await.json().await.unwrap();
        assert_eq!(
            first,
            json!({"created": 2, "updated": 0, "unchanged": 0}),
            "{}",
            db.name
        );
        let again: Value = import(&server, &server.owner_token, FILE).await.json().await.unwrap();
        assert_eq!(again, json!({"created": 0, "updated": 0, "unchanged": 2}));
        let saved = contracts(&server).await;
        assert_eq!(saved.len(), 2);
        assert_eq!(saved[0]["value_cents"], 120_050);
        assert_eq!(saved[0]["customer_name"], "Jan Jansen");

        // A new contract, a change and a bad row on line 5: nothing of the file is taken.
        let bad = format!(
            "{}K-3,Piet,piet@example.nl,,Onderhoud,,2027-08-01,100\nK-4,Kees,kees@example.nl,,Onderhoud,,1 augustus,100\n",
            FILE.replace("Fietslease", "E-bike lease")
        );
        let refused = import(&server, &server.owner_token, &bad).await;
        assert_eq!(refused.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let body: Value = refused.json().await.unwrap();
        assert_eq!(
            (body["error"].clone(), body["line"].clone()),
            (json!("invalid_row"), json!(5)),
            "{body}"
        );
        assert_eq!(body["column"], "end_date", "{body}");
        assert!(body["message"].as_str().unwrap().contains("end_date"), "{body}");
        let after = contracts(&server).await;
        assert_eq!(after.len(), 2, "{}: nothing half-imported", db.name);
        assert_eq!(after[1]["product"], "Fietslease");
        let wrong_type = server
            .http
            .post(server.url("/api/v1/contracts/import"))
            .bearer_auth(&server.owner_token)
            .header("content-type", "application/json")
            .body("{}")
            .send()
            .await
            .unwrap();
        assert_eq!(wrong_type.status(), StatusCode::UNSUPPORTED_MEDIA_TYPE);

        // One contract by the API, updated by its external id.
        let one = json!({"external_id": "K-5", "customer_email": "anna@example.nl", "product": "Onderhoud",
                         "end_date": "2027-09-01", "value_per_year": "75"});
        let created = server.owner_post("/api/v1/contracts", one.clone()).await;
        assert_eq!(created.status(), StatusCode::CREATED);
        let mut changed = one;
        changed["end_date"] = json!("2027-10-01");
        let updated = server.owner_post("/api/v1/contracts", changed).await;
        assert_eq!(updated.status(), StatusCode::OK);
        let saved: Value = updated.json().await.unwrap();
        assert_eq!(saved["end_date"], "2027-10-01");
        server.running.stop().await;
    }
}

#[tokio::test]
async fn the_outreach_appears_on_the_right_day_and_the_outcomes_follow() {
    for db in databases().await {
        let server = TestServer::start(&db.url).await;
        import(&server, &server.owner_token, FILE).await;
        let saved = contracts(&server).await;
        // K-1 ends Monday 10 May 2027: 45 days before is Friday 26 March, 09:00 winter time.
        assert_eq!(saved[0]["outreach_at"], "2027-03-26T08:00:00Z", "{}", db.name);
        // K-2 ends Tuesday 11 May: 45 days before is Saturday 27 March, closed; the next
        // opening is Monday 29 March 09:00, after the clocks went forward: 07:00 UTC.
        assert_eq!(saved[1]["outreach_at"], "2027-03-29T07:00:00Z", "{}", db.name);

        let open = |at| {
            server.clock.set(at);
            kept_server::workers::open_outreach(&server.running.state)
        };
        open(Utc.with_ymd_and_hms(2027, 3, 26, 7, 59, 0).unwrap()).await;
        assert!(retention_promises(&server).await.is_empty(), "{}: not yet", db.name);
        open(Utc.with_ymd_and_hms(2027, 3, 26, 8, 0, 0).unwrap()).await;
        open(Utc.with_ymd_and_hms(2027, 3, 26, 8, 1, 0).unwrap()).await;
        let promises = retention_promises(&server).await;
        assert_eq!(promises.len(), 1, "{}: once", db.name);
        let olga = staff_id(&server, &server.owner_email).await;
        assert_eq!(promises[0]["owner_id"], olga.as_str(), "an owner unless one was chosen");
        assert_eq!(promises[0]["customer_name"], "Jan Jansen");

        // Undecided: the promise is kept, a new outreach appears 14 days later.
        let k1 = saved[0]["id"].as_str().unwrap().to_string();
        let outcome = |id: &str, body: Value| {
            let path = format!("/api/v1/contracts/{id}/outcome");
            let server = &server;
            async move { server.api_post(&path, body).await }
        };
        let undecided = outcome(&k1, json!({"outcome": "undecided", "note": "Denkt erover na"})).await;
        assert_eq!(undecided.status(), StatusCode::OK);
        let kept = server
            .store
            .promise(promises[0]["id"].as_str().unwrap())
            .await
            .unwrap()
            .unwrap();
        assert_eq!(kept.status, kept_domain::PromiseStatus::Kept);
        open(Utc.with_ymd_and_hms(2027, 4, 9, 8, 1, 0).unwrap()).await;
        // The background timers (clock jumped too) may hold the outreach they are opening.
        eventually(10, "K-1 again, and K-2", || async {
            let open_now: Vec<Value> = server
                .api_get("/api/v1/promises?kind=retention&status=open")
                .await
                .json()
                .await
                .unwrap();
            open_now.len() == 2
        })
        .await;

        // Left: the customer is asked why, at once.
        let left = outcome(&k1, json!({"outcome": "left", "note": "Te duur"})).await;
        assert_eq!(left.status(), StatusCode::OK);
        outbox_drained(&server).await;
        kept_server::workers::send_surveys(&server.running.state).await;
        outbox_drained(&server).await;
        // On PostgreSQL the background timers may still hold the survey they are sending.
        let exit_mail = || {
            let mails = server.smtp.to("jan.jansen@example.nl");
            mails.into_iter().find(|m| m.subject == "Eén vraag voordat u gaat")
        };
        eventually(10, "the exit survey", || async { exit_mail().is_some() }).await;
        let exit = exit_mail().expect("the exit survey");
        assert!(exit.text.contains("Jammer dat u weggaat"), "{}", exit.text);
        // The customer answers with a reason from the owner's list: counted in Dutch, and
        // someone calls them.
        let link = exit.text.lines().find(|l| l.starts_with("Vertel het ons: ")).unwrap();
        let link = link.trim_start_matches("Vertel het ons: ").trim();
        let page = server.http.get(link).send().await.unwrap().text().await.unwrap();
        assert!(page.contains("Too expensive") || page.contains("Te duur"), "{page}");
        let path = link.trim_start_matches(&server.base).to_string();
        let answered = server
            .http
            .post(server.url(&path))
            .form(&[("reason", "Te duur"), ("comment", "Elders goedkoper")])
            .send()
            .await
            .unwrap();
        assert_eq!(answered.status(), StatusCode::OK);
        let survey: Vec<Value> = server.api_get("/api/v1/surveys?kind=exit").await.json().await.unwrap();
        assert_eq!(survey[0]["reason"], "Te duur", "{}", db.name);
        assert!(
            survey[0]["recovery_promise_id"].is_string(),
            "someone calls a customer who left"
        );
        // The figures of today count the contract lost and the reason given.
        let figures = crate::insights::figures_of_today(&server).await;
        let contracts = crate::insights::figure(&figures, "contracts");
        assert!(
            contracts.contains("<td data-label=\"Uitkomst\">Vertrokken</td><td data-label=\"Aantal\">1</td>"),
            "{}: {contracts}",
            db.name
        );
        let reasons = crate::insights::figure(&figures, "exit_reasons");
        assert!(
            reasons.contains("<td data-label=\"Reden\">Te duur</td><td data-label=\"Aantal\">1</td>"),
            "{}: {reasons}",
            db.name
        );
        let ended = outcome(&k1, json!({"outcome": "renewed"})).await;
        assert_eq!(ended.status(), StatusCode::CONFLICT, "an ended contract stays ended");
        let unknown = outcome(saved[1]["id"].as_str().unwrap(), json!({"outcome": "maybe"})).await;
        assert_eq!(unknown.status(), StatusCode::UNPROCESSABLE_ENTITY);
        server.running.stop().await;
    }
}

/// The preview's confirmation form, as the browser would send it.
fn confirm_form(preview: &str) -> reqwest::multipart::Form {
    let marker = "name=\"kept_file\" value=\"";
    let file_at = preview.find(marker).expect("the file in the preview") + marker.len();
    let file = preview[file_at..].split('"').next().unwrap().to_string();
    reqwest::multipart::Form::new()
        .text("csrf", hidden_csrf(preview))
        .text("kept_file", file)
}

fn location(response: &reqwest::Response) -> String {
    response.headers()[reqwest::header::LOCATION]
        .to_str()
        .unwrap()
        .to_string()
}

/// The owner imports a file on the contracts page; staff open a contract and record how the
/// call went; the command line imports the same way.
#[tokio::test]
async fn contracts_on_the_pages_and_from_the_command_line() {
    let db = TestDatabase::sqlite();
    let server = TestServer::start(&db.url).await;
    let (mut owner, csrf) = logged_in(&server, &server.owner_email).await;
    let (_, page) = owner.get(&server.url("/staff/contracts")).await;
    assert!(page.contains("enctype=\"multipart/form-data\""), "{page}");
    // The upload shows what it will do; nothing changes until the owner confirms.
    let form = reqwest::multipart::Form::new()
        .text("csrf", csrf.clone())
        .part("file", reqwest::multipart::Part::text(FILE).file_name("contracten.csv"));
    let previewed = owner.post_multipart(&server.url("/staff/contracts/import"), form).await;
    assert_eq!(previewed.status(), StatusCode::OK);
    let preview = previewed.text().await.unwrap();
    assert!(
        preview.contains("2 nieuw · 0 bijgewerkt · 0 ongewijzigd · 0 overgeslagen"),
        "{preview}"
    );
    assert!(contracts(&server).await.is_empty(), "a preview takes nothing");
    let confirmed = owner
        .post_multipart(&server.url("/staff/contracts/import/confirm"), confirm_form(&preview))
        .await;
    assert_eq!(
        confirmed.status(),
        StatusCode::SEE_OTHER,
        "{:?}",
        confirmed.text().await
    );
    let (_, body) = owner.get(&server.url(&location(&confirmed))).await;
    assert!(
        body.contains("Ingelezen: 2 nieuw, 0 bijgewerkt, 0 ongewijzigd, 0 overgeslagen."),
        "{body}"
    );
    assert!(body.contains("Jan Jansen") && body.contains("€ 1.200,50"), "{body}");
    // A file without the columns kept needs: refused as a whole, in the page's language.
    let bad = reqwest::multipart::Form::new().text("csrf", csrf.clone()).part(
        "file",
        reqwest::multipart::Part::text("id,product,eind\nX,Y,morgen\n").file_name("x.csv"),
    );
    let refused = owner.post_multipart(&server.url("/staff/contracts/import"), bad).await;
    assert_eq!(refused.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let said = refused.text().await.unwrap();
    assert!(
        said.contains("Regel 1, kolom external_id: de kopregel heeft geen kolom external_id"),
        "the line and column, in words: {said}"
    );

    let (mut agent, agent_csrf) = logged_in(&server, &server.agent_email).await;
    let (_, list) = agent.get(&server.url("/staff/contracts?all=1")).await;
    assert!(!list.contains("multipart/form-data"), "no import for agents");
    let k1 = contracts(&server).await[0]["id"].as_str().unwrap().to_string();
    let (status, task) = agent.get(&server.url(&format!("/staff/contracts/{k1}"))).await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        task.contains("10 mei 2023") || task.contains("woensdag 10 mei"),
        "{task}"
    );
    let recorded = agent
        .post(
            &server.url(&format!("/staff/contracts/{k1}/outcome")),
            &[
                ("csrf", agent_csrf.as_str()),
                ("outcome", "renewed"),
                ("note", "Nog 2 jaar"),
            ],
        )
        .await;
    assert_eq!(recorded.status(), StatusCode::SEE_OTHER);
    let (_, after) = agent
        .get(&server.url(&format!("/staff/contracts/{k1}?recorded=1")))
        .await;
    assert!(after.contains("Vastgelegd") && after.contains("verlengd") && after.contains("Nog 2 jaar"));
    assert!(
        after.contains("href=\"mailto:jan.jansen@example.nl\""),
        "the e-mail address to write to: {after}"
    );
    // A renewed contract leaves the running lists but stays findable.
    let (_, running) = agent.get(&server.url("/staff/contracts?all=1")).await;
    assert!(!running.contains(&format!("/staff/contracts/{k1}\"")), "{running}");
    let (_, finished) = agent.get(&server.url("/staff/contracts?done=1")).await;
    assert!(finished.contains(&format!("/staff/contracts/{k1}\"")), "{finished}");
    assert!(finished.contains("Afgehandeld") && finished.contains("Jan Jansen"));
    // The one to call has a button that calls, the number as people here write it.
    let all = contracts(&server).await;
    let k2 = all.iter().find(|c| c["external_id"] == "K-2").unwrap()["id"]
        .as_str()
        .unwrap()
        .to_string();
    let (_, els) = agent.get(&server.url(&format!("/staff/contracts/{k2}"))).await;
    assert!(
        els.contains("href=\"tel:+31612345678\"") && els.contains("Bellen 06 12345678"),
        "{els}"
    );

    // The command line, on the same database — once the server has stopped: its timers, every
    // 20 ms in tests, take the single write lock back to back, and on a loaded machine the
    // command could wait out its busy timeout.
    server.running.stop().await;
    let file = tempfile::NamedTempFile::new().unwrap();
    std::fs::write(file.path(), FILE.replace("480", "500")).unwrap();
    let output = std::process::Command::new(KEPT)
        .args(["contracts", "import"])
        .arg(file.path())
        .args(["--by", &server.owner_email])
        .env("KEPT_DATABASE_URL", &db.url)
        .output()
        .unwrap();
    let said = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "{said} {}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert_eq!(said.trim(), "created 0, updated 1, unchanged 1");
}

fn csv_fixture(name: &str) -> Vec<u8> {
    let path = format!("{}/tests/fixtures/csv/{name}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

/// Dutch Excel's own CSV (semicolons, Windows-1252, day-first dates, decimal commas, a quoted
/// field with a line break) and its "CSV UTF-8" (a byte-order mark) import through the page's
/// preview; a bad line is named by line and column and skipped; a known customer gets the
/// phone number the file has and they lack. The API takes all or nothing. On both databases.
#[tokio::test]
async fn dutch_excel_files_import_through_the_preview_and_complete_known_customers() {
    for db in databases().await {
        let server = TestServer::start(&db.url).await;
        // Renée wrote before: known by her e-mail address, no phone number yet.
        let mail = "From: Renee de Vries <renee@example.nl>\r\nSubject: Onderhoud\r\nMessage-ID: <r1@example.nl>\r\n\r\nWanneer loopt mijn contract af?\r\n";
        let known: Value = server.post_email(mail).await.json().await.unwrap();
        let renee = known["customer_id"].as_str().unwrap().to_string();

        let excel = csv_fixture("excel-nl-cp1252.csv");
        let strict = server
            .http
            .post(server.url("/api/v1/contracts/import"))
            .bearer_auth(&server.owner_token)
            .header("content-type", "text/csv")
            .body(excel.clone())
            .send()
            .await
            .unwrap();
        assert_eq!(strict.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let body: Value = strict.json().await.unwrap();
        assert_eq!(
            (&body["line"], &body["column"]),
            (&json!(6), &json!("customer_email")),
            "{body}"
        );

        let (mut owner, csrf) = logged_in(&server, &server.owner_email).await;
        let upload = |file: Vec<u8>, name: &'static str| {
            reqwest::multipart::Form::new()
                .text("csrf", csrf.clone())
                .part("file", reqwest::multipart::Part::bytes(file).file_name(name))
        };
        let previewed = owner
            .post_multipart(&server.url("/staff/contracts/import"), upload(excel, "contracten.csv"))
            .await;
        assert_eq!(previewed.status(), StatusCode::OK, "{}", db.name);
        let preview = previewed.text().await.unwrap();
        assert!(
            preview.contains("3 nieuw · 0 bijgewerkt · 0 ongewijzigd · 1 overgeslagen"),
            "{preview}"
        );
        assert!(preview.contains("customer_email is geen e-mailadres"), "{preview}");
        assert!(preview.contains("Café De Hoek"), "Windows-1252 read: {preview}");
        let confirmed = owner
            .post_multipart(&server.url("/staff/contracts/import/confirm"), confirm_form(&preview))
            .await;
        let (_, list) = owner.get(&server.url(&location(&confirmed))).await;
        assert!(
            list.contains("Ingelezen: 3 nieuw, 0 bijgewerkt, 0 ongewijzigd, 1 overgeslagen."),
            "{list}"
        );

        let saved = contracts(&server).await;
        let k101 = saved.iter().find(|c| c["external_id"] == "K-101").unwrap();
        assert_eq!(
            (&k101["start_date"], &k101["end_date"], &k101["value_cents"]),
            (&json!("2023-04-01"), &json!("2027-03-31"), &json!(120_050)),
            "{}: {k101}",
            db.name
        );
        assert_eq!(k101["customer_id"], renee.as_str(), "the known customer, not a new one");
        let k102 = saved.iter().find(|c| c["external_id"] == "K-102").unwrap();
        assert_eq!(k102["product"], "E-bike lease\r\n(2 fietsen)");
        assert_eq!(k102["value_cents"], 48_000);
        let customer: Value = server
            .api_get(&format!("/api/v1/customers/{renee}"))
            .await
            .json()
            .await
            .unwrap();
        assert_eq!(customer["phone"], "+31612345678", "{}: the phone she lacked", db.name);

        // Excel's "CSV UTF-8": the same, behind a byte-order mark.
        let bom = owner
            .post_multipart(
                &server.url("/staff/contracts/import"),
                upload(csv_fixture("excel-nl-utf8-bom.csv"), "utf8.csv"),
            )
            .await;
        let preview = bom.text().await.unwrap();
        assert!(
            preview.contains("3 nieuw · 0 bijgewerkt · 0 ongewijzigd · 1 overgeslagen"),
            "{preview}"
        );
        server.running.stop().await;
    }
}
