//! Asking customers how it went: a survey after a resolved conversation, a reached callback or
//! an appointment done; the e-mail with one link per score (opening a link records nothing,
//! the page's POST does); answering twice changes the answer; a low score becomes a recovery
//! call for whoever handled the contact, kept when someone calls; one reminder; the frequency
//! cap across triggers; tampered and expired links. On both databases.

use crate::support::*;
use chrono::Duration;
use kept_domain::Clock;
use reqwest::StatusCode;
use serde_json::{Value, json};

const JAN: &str = "jan.jansen@example.nl";

async fn drained(server: &TestServer) {
    eventually(10, "the outbox delivered", || async {
        let waiting = server.store.outbox_waiting(server.clock.now()).await.unwrap();
        server.store.outbox_counts().await.unwrap().pending == waiting
    })
    .await;
}

/// Jan writes in; the conversation is resolved. Its id and Jan's customer id.
async fn resolved_conversation(server: &TestServer, message_id: &str) -> (String, String) {
    let raw = format!(
        "From: Jan Jansen <{JAN}>\r\nTo: winkel@fiets.test\r\nSubject: Band lek\r\n\
         Message-ID: <{message_id}@example.nl>\r\n\r\nMijn band is alweer lek.\r\n"
    );
    let mail: Value = server.post_email(&raw).await.json().await.unwrap();
    let conversation = mail["conversation_id"].as_str().unwrap().to_string();
    let resolved = server
        .api_post(
            &format!("/api/v1/conversations/{conversation}/update"),
            json!({"status": "resolved"}),
        )
        .await;
    assert_eq!(resolved.status(), StatusCode::OK);
    drained(server).await;
    (conversation, mail["customer_id"].as_str().unwrap().to_string())
}

async fn surveys_of(server: &TestServer, customer: &str) -> Vec<Value> {
    server
        .api_get(&format!("/api/v1/surveys?customer={customer}"))
        .await
        .json()
        .await
        .unwrap()
}

/// Moves the clock and lets the timers send what is due.
async fn later(server: &TestServer, by: Duration) {
    server.clock.advance(by);
    kept_server::workers::send_surveys(&server.running.state).await;
    drained(server).await;
}

/// Waits for `count` survey e-mails to Jan. On PostgreSQL the background timers may hold a due
/// survey (skipped, locked) while the test's own call finds nothing: the outbox is empty for a
/// moment before their transaction commits, so the mail is waited for, not assumed.
async fn wait_for_survey_mails(server: &TestServer, count: usize) -> Vec<Mail> {
    eventually(10, &format!("{count} survey e-mails"), || async {
        survey_mails(server).len() >= count
    })
    .await;
    drained(server).await;
    survey_mails(server)
}

fn survey_mails(server: &TestServer) -> Vec<Mail> {
    server
        .smtp
        .to(JAN)
        .into_iter()
        .filter(|m| m.subject.contains("Hoe ging het?"))
        .collect()
}

/// The link of one score in the e-mail's text ("1: https://…?score=1").
fn score_link(mail: &Mail, score: i64) -> String {
    let line = mail
        .text
        .lines()
        .find(|l| l.starts_with(&format!("{score}: ")))
        .unwrap_or_else(|| panic!("no link for {score} in {}", mail.text));
    line[format!("{score}: ").len()..].trim().to_string()
}

/// The path of a link to kept ("/survey/ID/SIG?score=1" → "/survey/ID/SIG").
fn path_of(server: &TestServer, link: &str) -> String {
    let path = link.trim_start_matches(&server.base);
    path.split('?').next().unwrap().to_string()
}

async fn post_answer(server: &TestServer, path: &str, form: &[(&str, &str)]) -> reqwest::Response {
    server.http.post(server.url(path)).form(form).send().await.unwrap()
}

#[tokio::test]
async fn a_low_score_from_a_link_becomes_a_recovery_call_kept_by_calling() {
    for db in databases().await {
        let server = TestServer::start(&db.url).await;
        let (conversation, customer) = resolved_conversation(&server, "band-1").await;
        let planned = surveys_of(&server, &customer).await;
        assert_eq!(planned.len(), 1, "{}", db.name);
        assert_eq!(planned[0]["status"], "planned");
        assert!(survey_mails(&server).is_empty(), "not before the hour's delay");

        later(&server, Duration::minutes(61)).await;

        wait_for_survey_mails(&server, 1).await;
        let mails = survey_mails(&server);
        assert_eq!(mails.len(), 1, "{}", db.name);
        let handler: Value = server
            .api_get(&format!("/api/v1/conversations/{conversation}"))
            .await
            .json()
            .await
            .unwrap();
        let first_name = handler["assignee_name"].as_str().unwrap();
        assert!(
            mails[0]
                .text
                .contains(&format!("Hoe ging uw gesprek met {first_name} op 24 november?")),
            "{}",
            mails[0].text
        );
        assert!(mails[0].text.starts_with("Beste Jan Jansen,"), "{}", mails[0].text);
        assert!(
            mails[0].html.contains("?score=5"),
            "one click per score in the HTML part too"
        );

        // Opening the link (as a mail scanner does) records nothing; the page's POST does.
        let link = score_link(&mails[0], 1);
        let opened = server.http.get(&link).send().await.unwrap();
        assert_eq!(opened.status(), StatusCode::OK);
        let page = opened.text().await.unwrap();
        assert!(page.contains("data-send-now"), "the page sends the score itself");
        assert_eq!(surveys_of(&server, &customer).await[0]["status"], "sent", "{}", db.name);
        let path = path_of(&server, &link);
        let answered = post_answer(&server, &path, &[("score", "1")]).await;
        assert_eq!(answered.status(), StatusCode::OK);
        // The customer is told that someone will call, who, and by when (one business day).
        let thanks = answered.text().await.unwrap();
        let first_name = first_name.split_whitespace().next().unwrap();
        assert!(
            thanks.contains(&format!("{first_name} belt u uiterlijk morgen om")),
            "{}: {thanks}",
            db.name
        );
        drained(&server).await;
        let survey = surveys_of(&server, &customer).await.remove(0);
        assert_eq!(survey["score"], 1);
        let promise_id = survey["recovery_promise_id"]
            .as_str()
            .expect("a recovery call")
            .to_string();
        let recovery: Vec<Value> = server
            .api_get(&format!("/api/v1/promises?kind=recovery&customer={customer}"))
            .await
            .json()
            .await
            .unwrap();
        assert_eq!(recovery.len(), 1, "{}", db.name);
        assert_eq!(recovery[0]["id"], promise_id.as_str());
        assert_eq!(recovery[0]["owner_id"], handler["assignee_id"], "whoever resolved it");
        let due = chrono::DateTime::parse_from_rfc3339(recovery[0]["due_at"].as_str().unwrap()).unwrap();
        assert_eq!(due, server.clock.now() + Duration::days(1), "one business day later");
        // The handler hears of it once the customer has had their say (a comment, or ten
        // minutes): not on the click alone.
        assert!(
            !server
                .smtp
                .mails()
                .iter()
                .any(|m| m.subject.starts_with("Bel Jan Jansen")),
            "{}: not before the comment",
            db.name
        );

        // The figures of today: the answer counts, and the low score waits for its call.
        let figures = crate::insights::figures_of_today(&server).await;
        let unrecovered = crate::insights::figure(&figures, "unrecovered");
        assert!(unrecovered.contains("Jan Jansen"), "{}: {unrecovered}", db.name);
        assert!(
            crate::insights::figure(&figures, "satisfaction").contains("<td data-label=\"CSAT gemiddeld\">1,0</td>"),
            "{}",
            db.name
        );

        // Answering again changes the answer; there is still one answer and one recovery call,
        // and with the comment the handler hears of it at once, score and comment together.
        let comment = "De monteur was onvriendelijk";
        let again = post_answer(&server, &path, &[("score", "2"), ("comment", comment)]).await;
        assert_eq!(again.status(), StatusCode::OK);
        drained(&server).await;
        let surveys = surveys_of(&server, &customer).await;
        assert_eq!(surveys.len(), 1);
        assert_eq!(
            (surveys[0]["score"].clone(), surveys[0]["comment"].clone()),
            (json!(2), json!(comment))
        );
        assert_eq!(surveys[0]["recovery_promise_id"], promise_id.as_str());
        let owner_mail = server
            .smtp
            .mails()
            .into_iter()
            .find(|m| m.subject.starts_with("Bel Jan Jansen"))
            .expect("the handler hears of it with the comment");
        assert!(
            owner_mail.subject.contains("Tevredenheid: 2 van 5"),
            "{}",
            owner_mail.subject
        );
        assert!(
            owner_mail.text.contains("Tevredenheid: 2 van 5"),
            "in words: {}",
            owner_mail.text
        );
        assert!(owner_mail.text.contains(comment), "{}", owner_mail.text);
        let hooks = server.hooks.events("survey.answered");
        assert_eq!(hooks.len(), 1, "{}: one notice for the settled answer", db.name);
        assert_eq!(hooks[0].json()["survey"]["score"], 2, "as it is when it goes");

        // No reminder once answered.
        later(&server, Duration::days(4)).await;
        assert_eq!(survey_mails(&server).len(), 1);

        // Nobody called: overdue, the owners hear of it like any broken promise.
        // (The background timers may have escalated it already and still be sending.)
        kept_server::workers::check_deadlines(&server.running.state).await;
        drained(&server).await;
        eventually(10, "the escalation e-mail", || async {
            server
                .smtp
                .mails()
                .iter()
                .any(|m| m.subject == "Te laat: Jan Jansen is niet teruggebeld na een lage score")
        })
        .await;

        // Calling the customer keeps the recovery call... late: it was due three days ago.
        let call = server
            .api_post(
                &format!("/api/v1/customers/{customer}/calls"),
                json!({"direction": "outbound", "summary": "Excuses aangeboden"}),
            )
            .await;
        assert_eq!(call.status(), StatusCode::CREATED);
        let closed = server.store.promise(&promise_id).await.unwrap().unwrap();
        assert_eq!(closed.status, kept_domain::PromiseStatus::Broken, "{}", db.name);
        server.smtp.assert_mime_correct(db.name);
        server.running.stop().await;
    }
}

#[tokio::test]
async fn tampered_expired_and_wrong_answers_are_refused_with_a_page() {
    let db = TestDatabase::sqlite();
    let server = TestServer::start(&db.url).await;
    let (_, customer) = resolved_conversation(&server, "link-1").await;
    later(&server, Duration::minutes(61)).await;
    wait_for_survey_mails(&server, 1).await;
    let link = score_link(&survey_mails(&server)[0], 2);
    let path = path_of(&server, &link);
    // The signature's last digit changed (to another one, whatever it was).
    let last = if path.ends_with('0') { '1' } else { '0' };
    let tampered = format!("{}{last}", &path[..path.len() - 1]);
    let refused = server.http.get(server.url(&tampered)).send().await.unwrap();
    assert_eq!(refused.status(), StatusCode::NOT_FOUND);
    assert!(refused.text().await.unwrap().contains("Deze link klopt niet"));
    let posted = post_answer(&server, &tampered, &[("score", "2")]).await;
    assert_eq!(posted.status(), StatusCode::NOT_FOUND);
    let out_of_scale = post_answer(&server, &path, &[("score", "9")]).await;
    assert_eq!(out_of_scale.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(out_of_scale.text().await.unwrap().contains("Kies een cijfer"));
    assert_eq!(
        surveys_of(&server, &customer).await[0]["status"],
        "sent",
        "nothing stored"
    );
    server.clock.advance(Duration::days(31));
    let expired = server.http.get(&link).send().await.unwrap();
    assert_eq!(expired.status(), StatusCode::GONE);
    assert!(expired.text().await.unwrap().contains("Deze link werkt niet meer"));
    server.running.stop().await;
}

/// The owner's switches decide which contacts are followed by a question; an appointment that
/// took place is one of them.
#[tokio::test]
async fn the_owner_chooses_which_contacts_are_followed_by_a_question() {
    let db = TestDatabase::sqlite();
    let server = TestServer::start(&db.url).await;
    let off = server
        .http
        .put(server.url("/api/v1/settings"))
        .bearer_auth(&server.owner_token)
        .json(&json!({"surveys": {"csat_after_conversation": false}}))
        .send()
        .await
        .unwrap();
    assert_eq!(off.status(), StatusCode::OK);
    let (_, customer) = resolved_conversation(&server, "off-1").await;
    assert!(surveys_of(&server, &customer).await.is_empty(), "switched off");
    let refused = server
        .http
        .put(server.url("/api/v1/settings"))
        .bearer_auth(&server.owner_token)
        .json(&json!({"surveys": {"cap_days": 9999}}))
        .send()
        .await
        .unwrap();
    assert_eq!(refused.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let body: Value = refused.json().await.unwrap();
    assert_eq!(body["fields"][0]["field"], "surveys.cap_days", "{body}");

    let sanne = staff_id(&server, &server.agent_email).await;
    let (location, service) = eye_test(&server, std::slice::from_ref(&sanne)).await;
    let booked = created(book(&server, booking(&location, &service, "2026-11-26T09:30:00+01:00")).await).await;
    // Checked in (early: the clock is before the visit), then done.
    let visit = format!("/api/v1/appointments/{}", booked["id"].as_str().unwrap());
    let checked_in = server.api_post(&format!("{visit}/check-in"), json!({})).await;
    assert_eq!(checked_in.status(), StatusCode::OK);
    assert_eq!(
        server.api_post(&format!("{visit}/done"), json!({})).await.status(),
        StatusCode::OK
    );
    drained(&server).await;
    let asked: Vec<Value> = server.api_get("/api/v1/surveys?kind=csat").await.json().await.unwrap();
    assert_eq!(asked.len(), 1);
    assert_eq!(asked[0]["trigger"], "appointment");
    assert_eq!(asked[0]["handler_id"], sanne.as_str());
    let wrong = server.api_get("/api/v1/surveys?kind=happy").await;
    assert_eq!(wrong.status(), StatusCode::UNPROCESSABLE_ENTITY);
    server.running.stop().await;
}

/// Staff see the answers (all, or only the low ones), the recovery call on the home page, the
/// survey on the customer's timeline, and the owner changes the survey settings on the page.
#[tokio::test]
async fn staff_see_answers_and_recovery_calls_and_the_owner_sets_surveys_up() {
    let db = TestDatabase::sqlite();
    let server = TestServer::start(&db.url).await;
    let (_, customer) = resolved_conversation(&server, "page-1").await;
    later(&server, Duration::minutes(61)).await;
    wait_for_survey_mails(&server, 1).await;
    let path = path_of(&server, &score_link(&survey_mails(&server)[0], 2));
    let comment = "Te lang gewacht";
    assert_eq!(
        post_answer(&server, &path, &[("score", "2"), ("comment", comment)])
            .await
            .status(),
        StatusCode::OK
    );
    drained(&server).await;

    let (mut agent, _) = logged_in(&server, &server.agent_email).await;
    let (status, answers) = agent.get(&server.url("/staff/surveys")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        answers.contains(comment) && answers.contains("tevredenheid"),
        "{answers}"
    );
    let (_, low) = agent.get(&server.url("/staff/surveys?low=1")).await;
    assert!(low.contains("Jan Jansen"), "{low}");
    let (_, home) = agent.get(&server.url("/staff")).await;
    let promises = &home[home.find("id=\"other-promises\"").expect("the promises list")..];
    assert!(
        promises.contains("terugbellen na lage score") && promises.contains("Jan Jansen"),
        "{promises}"
    );
    let (_, card) = agent.get(&server.url(&format!("/staff/customers/{customer}"))).await;
    assert!(card.contains("tevredenheid: beantwoord · 2"), "{card}");

    let (mut owner, csrf) = logged_in(&server, &server.owner_email).await;
    let (_, settings) = owner.get(&server.url("/staff/settings")).await;
    assert!(settings.contains("id=\"surveys\"") && settings.contains("Te duur | Too expensive"));
    let (_, page) = owner.get(&server.url("/staff/settings")).await;
    let mut form = settings_form(&page);
    form.retain(|(name, _)| name != "csat_after_conversation");
    form.retain(|(name, _)| name != "cap_days");
    form.push(("cap_days".into(), "30".into()));
    let sanne = staff_id(&server, &server.agent_email).await;
    form.retain(|(name, _)| name != "outreach_owner");
    form.push(("outreach_owner".into(), sanne.clone()));
    form.push(("csrf".into(), csrf.clone()));
    let fields: Vec<(&str, &str)> = form.iter().map(|(n, v)| (n.as_str(), v.as_str())).collect();
    let saved = owner.post(&server.url("/staff/settings"), &fields).await;
    assert_eq!(saved.status(), StatusCode::SEE_OTHER, "{}", saved.text().await.unwrap());
    let document: Value = server.owner_get("/api/v1/settings").await.json().await.unwrap();
    assert_eq!(document["surveys"]["csat_after_conversation"], false);
    assert_eq!(document["surveys"]["csat_after_callback"], true);
    assert_eq!(document["surveys"]["cap_days"], 30);
    assert_eq!(
        document["surveys"]["outreach_owner"],
        sanne.as_str(),
        "Sanne makes the outreach calls"
    );
    let (_, again) = owner.get(&server.url("/staff/settings")).await;
    assert!(
        again.contains(&format!("<option value=\"{sanne}\" selected>")),
        "the page shows the choice"
    );
    server.running.stop().await;
}

/// Every field of the settings page's form as the page fills it in (inputs, ticked boxes,
/// text areas); enough of HTML for kept's own pages.
fn settings_form(page: &str) -> Vec<(String, String)> {
    let attribute = |tag: &str, name: &str| {
        let start = tag.find(&format!("{name}=\""))? + name.len() + 2;
        let end = tag[start..].find('"')? + start;
        Some(
            tag[start..end]
                .replace("&amp;", "&")
                .replace("&#x27;", "'")
                .replace("&quot;", "\""),
        )
    };
    let mut fields = Vec::new();
    for piece in page.split('<').skip(1) {
        let tag = piece.split('>').next().unwrap_or_default();
        let Some(name) = attribute(tag, "name") else { continue };
        if tag.starts_with("input") {
            let checkbox = tag.contains("type=\"checkbox\"") || tag.contains("type=\"radio\"");
            if checkbox && !tag.contains(" checked") {
                continue;
            }
            fields.push((name, attribute(tag, "value").unwrap_or_default()));
        } else if tag.starts_with("textarea") {
            let text = piece.split_once('>').map(|(_, t)| t).unwrap_or_default();
            fields.push((name, text.replace("&amp;", "&").replace("&#x27;", "'")));
        } else if tag.starts_with("select") {
            let from = &page[page.find(tag).unwrap_or(0)..];
            let options = &from[..from.find("</select>").unwrap_or(from.len())];
            let chosen = options.split("<option").skip(1);
            let value = chosen
                .clone()
                .find(|o| o.contains(" selected"))
                .or_else(|| chosen.clone().next())
                .and_then(|o| attribute(o, "value"));
            fields.push((name, value.unwrap_or_default()));
        }
    }
    fields.retain(|(name, _)| name != "csrf" && name != "lang");
    fields
}

/// A customer of long standing whose latest answer is a 5 is a fan, until a lower answer;
/// staff thank them on the fans page.
#[tokio::test]
async fn long_standing_customers_with_top_scores_are_fans_and_are_thanked() {
    for db in databases().await {
        let server = TestServer::start(&db.url).await;
        let file = format!(
            "external_id,customer_name,customer_email,product,start_date,end_date\nK-1,Jan Jansen,{JAN},Onderhoud,2023-05-10,2027-05-10\n"
        );
        let imported = server
            .http
            .post(server.url("/api/v1/contracts/import"))
            .bearer_auth(&server.owner_token)
            .header("content-type", "text/csv")
            .body(file)
            .send()
            .await
            .unwrap();
        assert_eq!(imported.status(), StatusCode::OK);
        let (_, customer) = resolved_conversation(&server, "fan-1").await;
        later(&server, Duration::minutes(61)).await;
        wait_for_survey_mails(&server, 1).await;
        let path = path_of(&server, &score_link(&survey_mails(&server)[0], 5));
        post_answer(&server, &path, &[("score", "5"), ("comment", "Altijd goed geholpen")]).await;
        let fans: Vec<Value> = server.api_get("/api/v1/fans").await.json().await.unwrap();
        assert_eq!(fans.len(), 1, "{}", db.name);
        assert_eq!(
            fans[0]["customer_id"],
            customer.as_str(),
            "the contract's customer, since 2023"
        );
        assert_eq!(fans[0]["comment"], "Altijd goed geholpen");

        let (mut agent, csrf) = logged_in(&server, &server.agent_email).await;
        let (_, page) = agent.get(&server.url("/staff/fans")).await;
        assert!(page.contains("Jan Jansen") && page.contains("10 mei 2023"), "{page}");
        let thanked = agent
            .post(
                &server.url(&format!("/staff/fans/{customer}/thanked")),
                &[("csrf", csrf.as_str()), ("note", "Kaartje gestuurd")],
            )
            .await;
        assert_eq!(thanked.status(), StatusCode::SEE_OTHER);
        let fans: Vec<Value> = server.api_get("/api/v1/fans").await.json().await.unwrap();
        assert_eq!(fans[0]["thanked_note"], "Kaartje gestuurd", "{}", db.name);

        // A lower answer later: no longer a fan.
        post_answer(&server, &path, &[("score", "3")]).await;
        let fans: Vec<Value> = server.api_get("/api/v1/fans").await.json().await.unwrap();
        assert!(fans.is_empty(), "{}", db.name);
        let unknown = server
            .api_post("/api/v1/fans/nobody/thanked", json!({"note": "?"}))
            .await;
        assert_eq!(unknown.status(), StatusCode::NOT_FOUND);
        server.running.stop().await;
    }
}

/// A customer clicks 1, 5, 1, 5 … ten times: integrations and the handler hear of the answer
/// once it settles, not ten times, and a final 5 leaves no recovery call open.
#[tokio::test]
async fn changing_an_answer_back_and_forth_settles_on_the_last_one() {
    for db in databases().await {
        let server = TestServer::start(&db.url).await;
        let (_, customer) = resolved_conversation(&server, "band-9").await;
        later(&server, Duration::minutes(61)).await;
        let mails = wait_for_survey_mails(&server, 1).await;
        let path = path_of(&server, &score_link(&mails[0], 1));
        for round in 0..10 {
            let score = if round % 2 == 0 { "1" } else { "5" };
            assert_eq!(
                post_answer(&server, &path, &[("score", score)]).await.status(),
                StatusCode::OK
            );
        }
        let survey = surveys_of(&server, &customer).await.remove(0);
        assert_eq!(survey["score"], 5);
        let recovery: Vec<Value> = server
            .api_get(&format!("/api/v1/promises?kind=recovery&customer={customer}"))
            .await
            .json()
            .await
            .unwrap();
        assert!(
            recovery.iter().all(|p| p["status"] != "open"),
            "{}: a final 5 needs no call: {recovery:?}",
            db.name
        );
        // Nothing yet: the answer may still change. Ten minutes later, one notice.
        drained(&server).await;
        assert!(server.hooks.events("survey.answered").is_empty(), "{}", db.name);
        later(&server, Duration::minutes(11)).await;
        drained(&server).await;
        let hooks = server.hooks.events("survey.answered");
        assert_eq!(hooks.len(), 1, "{}: {} notices", db.name, hooks.len());
        assert_eq!(hooks[0].json()["survey"]["score"], 5);
        server.running.stop().await;
    }
}

/// Anna — here the agent — answers a conversation assigned to the owner: the survey names the
/// agent, the staff's survey page says she helped, and the figures credit her with the kept
/// reply promise; the owner stays the one it is assigned to.
#[tokio::test]
async fn credit_follows_the_work_not_the_assignment() {
    for db in databases().await {
        let server = TestServer::start(&db.url).await;
        let raw = format!(
            "From: Jan Jansen <{JAN}>\r\nTo: winkel@fiets.test\r\nSubject: Band lek\r\n\
             Message-ID: <credit-1@example.nl>\r\n\r\nMijn band is alweer lek.\r\n"
        );
        let mail: Value = server.post_email(&raw).await.json().await.unwrap();
        let conversation = mail["conversation_id"].as_str().unwrap().to_string();
        let update = format!("/api/v1/conversations/{conversation}/update");
        let assigned = server
            .owner_post(&update, json!({"assign_to": server.owner_email}))
            .await;
        assert_eq!(assigned.status(), StatusCode::OK, "{}", db.name);
        // The agent answers (the API's own token is the agent's), the owner resolves.
        let replies = format!("/api/v1/conversations/{conversation}/replies");
        let replied = server
            .api_post(&replies, json!({"text": "Beste Jan, we plakken hem vandaag nog."}))
            .await;
        assert_eq!(replied.status(), StatusCode::CREATED, "{}", db.name);
        drained(&server).await;
        let resolved = server.owner_post(&update, json!({"status": "resolved"})).await;
        assert_eq!(resolved.status(), StatusCode::OK);
        drained(&server).await;
        later(&server, Duration::minutes(61)).await;
        let mails = wait_for_survey_mails(&server, 1).await;

        let team: Vec<Value> = server.owner_get("/api/v1/staff").await.json().await.unwrap();
        let named = |email: &str| {
            let member = team.iter().find(|m| m["email"] == email).unwrap();
            (
                member["id"].as_str().unwrap().to_string(),
                member["name"].as_str().unwrap().to_string(),
            )
        };
        let (agent, agent_name) = named(&server.agent_email);
        let (owner, owner_name) = named(&server.owner_email);
        let first = |name: &str| name.split_whitespace().next().unwrap().to_string();
        assert!(
            mails[0].text.contains(&format!("gesprek met {}", first(&agent_name))),
            "{}",
            mails[0].text
        );
        assert!(!mails[0].text.contains(&first(&owner_name)), "{}", mails[0].text);
        let survey = surveys_of(&server, mail["customer_id"].as_str().unwrap()).await;
        assert_eq!(survey[0]["handler_id"], agent.as_str(), "{}", db.name);
        let still: Value = server
            .api_get(&format!("/api/v1/conversations/{conversation}"))
            .await
            .json()
            .await
            .unwrap();
        assert_eq!(
            still["assignee_id"],
            owner.as_str(),
            "the assignee stays who is responsible"
        );

        // The staff's survey page says who helped.
        let path = path_of(&server, &score_link(&mails[0], 5));
        assert_eq!(
            post_answer(&server, &path, &[("score", "5")]).await.status(),
            StatusCode::OK
        );
        drained(&server).await;
        let (mut browser, _) = logged_in(&server, &server.owner_email).await;
        let (_, page) = browser.get(&server.url("/staff/surveys?lang=nl")).await;
        assert!(page.contains(&format!("\">{agent_name}</td>")), "{page}");

        // The figures credit the agent with the kept reply promise, the owner with none.
        let today = server.clock.now().date_naive();
        let figures: Value = server
            .owner_get(&format!("/api/v1/insights?from={today}&to={today}&group_by=staff"))
            .await
            .json()
            .await
            .unwrap();
        let kept_by = |id: &str| {
            figures["groups"]
                .as_array()
                .unwrap()
                .iter()
                .find(|g| g["key"] == id)
                .map_or(0, |g| g["kept"].as_u64().unwrap())
        };
        assert_eq!(kept_by(&agent), 1, "{}: {figures}", db.name);
        assert_eq!(kept_by(&owner), 0, "{}: {figures}", db.name);
        server.running.stop().await;
    }
}
