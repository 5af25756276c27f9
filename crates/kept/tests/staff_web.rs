//! The staff pages: login with CSRF protection, the dashboard, and recording an outcome.

use crate::support::*;
use reqwest::StatusCode;
use reqwest::header::{COOKIE, LOCATION, SET_COOKIE};
use serde_json::{Value, json};

#[tokio::test]
async fn staff_pages_need_a_login_and_the_session_cookie_is_locked_down() {
    let db = TestDatabase::sqlite();
    let server = TestServer::start(&db.url).await;
    let mut browser = Browser::new();
    let (status, _) = browser.get(&server.url("/staff")).await;
    assert_eq!(status, StatusCode::SEE_OTHER);

    let (_, login) = browser.get(&server.url("/login")).await;
    let csrf = hidden_csrf(&login);
    let wrong = browser
        .post(
            &server.url("/login"),
            &[
                ("email", "sanne@fiets.test"),
                ("password", "not the password"),
                ("csrf", &csrf),
            ],
        )
        .await;
    assert_eq!(wrong.status(), StatusCode::UNAUTHORIZED);
    let failed = wrong.text().await.unwrap();
    assert!(
        failed.contains("E-mailadres of wachtwoord klopt niet") && failed.contains("value=\"sanne@fiets.test\""),
        "the login form again, saying why, with the address kept: {failed}"
    );

    let forged = Browser::new()
        .post(
            &server.url("/login"),
            &[
                ("email", "sanne@fiets.test"),
                ("password", PASSWORD),
                ("csrf", "forged"),
            ],
        )
        .await;
    assert_eq!(
        forged.status(),
        StatusCode::FORBIDDEN,
        "a login without the form's token is refused"
    );

    let ok = browser
        .post(
            &server.url("/login"),
            &[("email", "Sanne@Fiets.test"), ("password", PASSWORD), ("csrf", &csrf)],
        )
        .await;
    assert_eq!(ok.status(), StatusCode::SEE_OTHER);
    assert_eq!(ok.headers()[LOCATION], "/staff");
    let cookie = ok
        .headers()
        .get_all(SET_COOKIE)
        .iter()
        .map(|v| v.to_str().unwrap().to_string())
        .find(|c| c.starts_with("kept_session="))
        .unwrap();
    for attribute in ["HttpOnly", "Secure", "SameSite=Lax", "Path=/"] {
        assert!(cookie.contains(attribute), "{attribute} missing from {cookie}");
    }
    let (status, page) = browser.get(&server.url("/staff")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("Terugbelverzoeken"));
    server.running.stop().await;
}

#[tokio::test]
async fn an_agent_sees_the_request_and_records_the_outcome_with_a_form() {
    for db in databases().await {
        let server = TestServer::start(&db.url).await;
        let created = server
            .created(json!({"phone": "06 12345678", "name": "Jan <b>Jansen</b>", "note": "Band lek"}))
            .await;
        let id = created["id"].as_str().unwrap();
        let (mut browser, csrf) = logged_in(&server, &server.agent_email).await;

        let (_, rows) = browser.get(&server.url("/staff/callbacks/rows")).await;
        assert!(rows.contains("href=\"tel:+31612345678\""), "{rows}");
        assert!(
            rows.contains("Jan &#60;b&#62;Jansen&#60;/b&#62;") || rows.contains("Jan &lt;b&gt;Jansen&lt;/b&gt;"),
            "names are escaped: {rows}"
        );
        assert!(rows.contains("data-due=\"2026-11-24T10:30:00+00:00\""), "{rows}");

        let (_, detail) = browser.get(&server.url(&format!("/staff/callbacks/{id}"))).await;
        assert!(detail.contains("Band lek"));

        let forged = browser
            .post(
                &server.url(&format!("/staff/callbacks/{id}/outcome")),
                &[("csrf", "forged"), ("outcome", "reached")],
            )
            .await;
        assert_eq!(forged.status(), StatusCode::FORBIDDEN);
        assert_eq!(
            server.open_ids().await.len(),
            1,
            "the forged form changed nothing on {}",
            db.name
        );

        let done = browser
            .post(
                &server.url(&format!("/staff/callbacks/{id}/outcome")),
                &[("csrf", &csrf), ("outcome", "reached"), ("note", "Afspraak gemaakt")],
            )
            .await;
        assert_eq!(done.status(), StatusCode::SEE_OTHER);
        assert!(server.open_ids().await.is_empty());

        let (_, detail) = browser
            .get(&server.url(&format!("/staff/callbacks/{id}?lang=en")))
            .await;
        assert!(
            detail.contains("Afspraak gemaakt"),
            "the note is in the customer's history"
        );
        assert!(detail.contains("Reached"));

        let logout = browser.post(&server.url("/logout"), &[("csrf", &csrf)]).await;
        assert_eq!(logout.status(), StatusCode::SEE_OTHER);
        let (status, _) = browser.get(&server.url("/staff")).await;
        assert_eq!(status, StatusCode::SEE_OTHER, "logged out");
        server.running.stop().await;
    }
}

#[tokio::test]
async fn the_public_form_speaks_the_customers_language_and_explains_mistakes() {
    let db = TestDatabase::sqlite();
    let server = TestServer::start(&db.url).await;
    let english = server
        .http
        .get(server.url("/callback"))
        .header("accept-language", "en-GB,en;q=0.9")
        .send()
        .await
        .unwrap();
    assert!(english.text().await.unwrap().contains("Call me back"));
    let dutch = server
        .http
        .get(server.url("/callback?lang=nl"))
        .header("accept-language", "en")
        .send()
        .await
        .unwrap();
    assert!(dutch.text().await.unwrap().contains("Bel mij terug"));

    let refused = server
        .http
        .post(server.url("/callback?lang=en"))
        .form(&[("phone", "12"), ("name", "Jan"), ("lang", "en")])
        .send()
        .await
        .unwrap();
    assert_eq!(refused.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let page = refused.text().await.unwrap();
    assert!(page.contains("This is not a valid phone number"), "{page}");
    assert!(page.contains("value=\"Jan\""), "what the customer typed is kept");

    let accepted = server
        .http
        .post(server.url("/callback"))
        .form(&[("phone", "06 12345678"), ("window", "evening"), ("lang", "nl")])
        .send()
        .await
        .unwrap();
    assert_eq!(accepted.status(), StatusCode::CREATED);
    assert!(
        accepted
            .text()
            .await
            .unwrap()
            .contains("We bellen u vandaag tussen 20:00 en 21:30.")
    );
    server.running.stop().await;
}

#[tokio::test]
async fn owner_only_actions_on_pages_show_an_error_page_in_the_readers_language() {
    let db = TestDatabase::sqlite();
    let server = TestServer::start(&db.url).await;
    let callback = server.created(json!({"phone": "0612345678", "name": "Jan"})).await;
    let customer = callback["customer_id"].as_str().unwrap().to_string();

    let (mut agent, agent_csrf) = logged_in(&server, &server.agent_email).await;
    let (status, page) = agent
        .get(&server.url(&format!("/staff/customers/{customer}/export")))
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert!(page.contains("<html"), "a page, not JSON: {page}");
    assert!(page.contains("Alleen voor de eigenaar"), "{page}");
    let (_, card) = agent.get(&server.url(&format!("/staff/customers/{customer}"))).await;
    assert!(card.contains("Alleen de eigenaar kan gegevens downloaden of wissen."));
    assert!(!card.contains("/erase"), "agents get no erase form");
    let erase = agent
        .post(
            &server.url(&format!("/staff/customers/{customer}/erase")),
            &[("csrf", &agent_csrf), ("reason", "asked"), ("confirm", "1")],
        )
        .await;
    assert_eq!(erase.status(), StatusCode::FORBIDDEN);
    let (status, missing) = agent.get(&server.url("/staff/customers/nobody?lang=en")).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert!(missing.contains("Not found"), "{missing}");

    // The same refusal through the API is JSON.
    let api = server.api_get(&format!("/api/v1/customers/{customer}/export")).await;
    assert_eq!(api.status(), 403);
    let body: serde_json::Value = api.json().await.unwrap();
    assert_eq!(body["error"], "owner_only");

    let (mut owner, owner_csrf) = logged_in(&server, &server.owner_email).await;
    let (status, export) = owner
        .get(&server.url(&format!("/staff/customers/{customer}/export")))
        .await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        export.starts_with("PK"),
        "a ZIP archive (tests/customer_export.rs reads it)"
    );
    let unconfirmed = owner
        .post(
            &server.url(&format!("/staff/customers/{customer}/erase")),
            &[("csrf", &owner_csrf), ("reason", "asked by phone")],
        )
        .await;
    assert_eq!(unconfirmed.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let erased = owner
        .post(
            &server.url(&format!("/staff/customers/{customer}/erase")),
            &[("csrf", &owner_csrf), ("reason", "asked by phone"), ("confirm", "1")],
        )
        .await;
    assert_eq!(erased.status(), StatusCode::SEE_OTHER);
    let (status, _) = owner.get(&server.url(&format!("/staff/customers/{customer}"))).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    server.running.stop().await;
}

#[tokio::test]
async fn a_follow_up_is_written_down_on_the_customer_page_and_marked_done() {
    let db = TestDatabase::sqlite();
    let server = TestServer::start(&db.url).await;
    let callback = server.created(json!({"phone": "0612345678", "name": "Jan"})).await;
    let customer = callback["customer_id"].as_str().unwrap().to_string();
    let (mut agent, csrf) = logged_in(&server, &server.agent_email).await;
    let page = format!("/staff/customers/{customer}");
    let past = agent
        .post(
            &server.url(&format!("{page}/follow-up")),
            &[
                ("csrf", &csrf),
                ("text", "Offerte sturen"),
                ("date", "2026-11-23"),
                ("time", "10:00"),
            ],
        )
        .await;
    assert_eq!(past.status(), StatusCode::CONFLICT, "due in the past");
    let said = past.text().await.unwrap();
    assert!(
        said.contains("Dat tijdstip is al voorbij"),
        "the page says what is wrong: {said}"
    );
    let added = agent
        .post(
            &server.url(&format!("{page}/follow-up")),
            &[
                ("csrf", &csrf),
                ("text", "Offerte sturen voor de e-bike"),
                ("date", "2026-11-26"),
                ("time", "10:00"),
            ],
        )
        .await;
    assert_eq!(added.status(), StatusCode::SEE_OTHER);
    let (_, card) = agent.get(&server.url(&page)).await;
    assert!(card.contains("Offerte sturen voor de e-bike"), "{card}");
    assert!(card.contains("Uiterlijk op donderdag 26 november 10:00"), "{card}");
    assert!(
        card.contains("toezegging") && !card.contains("follow_up"),
        "no codes on the page"
    );
    assert!(card.contains("Gedaan"));
    let follow_ups: Vec<serde_json::Value> = server
        .api_get(&format!("/api/v1/customers/{customer}/follow-ups"))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(follow_ups.len(), 1);
    assert_eq!(follow_ups[0]["due_at"], "2026-11-26T09:00:00Z", "10:00 in Amsterdam");
    let id = follow_ups[0]["id"].as_str().unwrap();
    let done = agent
        .post(
            &server.url(&format!("/staff/follow-ups/{id}")),
            &[("csrf", &csrf), ("action", "done")],
        )
        .await;
    assert_eq!(done.status(), StatusCode::SEE_OTHER);
    let (_, card) = agent.get(&server.url(&page)).await;
    assert!(card.contains("nagekomen"), "kept on time: {card}");
    assert!(!card.contains(">Gedaan<"), "no button on a closed promise");
    server.running.stop().await;
}

#[tokio::test]
async fn log_in_is_limited_per_account_and_per_address_apart_from_the_public_form() {
    let db = TestDatabase::sqlite();
    let server = TestServer::start_with(&db.url, |c| {
        c.rate_limit_per_minute = 3;
        c.trust_forwarded_for = true;
    })
    .await;
    // An office's address used up the public form's limit: its staff can still log in.
    for i in 0..3 {
        let response = server
            .http
            .post(server.url("/api/v1/callback-requests"))
            .header("x-forwarded-for", "203.0.113.1")
            .json(&json!({"phone": format!("06123456{i:02}")}))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 201);
    }
    let mut office = Browser::new();
    office.forwarded_for = Some("203.0.113.1".into());
    let (_, login) = office.get(&server.url("/login")).await;
    let csrf = hidden_csrf(&login);
    let ok = office
        .post(
            &server.url("/login"),
            &[("email", &server.agent_email), ("password", PASSWORD), ("csrf", &csrf)],
        )
        .await;
    assert_eq!(
        ok.status(),
        StatusCode::SEE_OTHER,
        "the form's limit is not the login's"
    );

    // Guessing one account's password from ever new addresses is stopped all the same.
    let mut statuses = Vec::new();
    let mut last_page = String::new();
    for i in 0..4 {
        let mut guesser = Browser::new();
        guesser.forwarded_for = Some(format!("198.51.100.{i}"));
        let (_, login) = guesser.get(&server.url("/login")).await;
        let csrf = hidden_csrf(&login);
        let attempt = guesser
            .post(
                &server.url("/login"),
                &[
                    ("email", "Olga@fiets.test"),
                    ("password", "wrong password"),
                    ("csrf", &csrf),
                ],
            )
            .await;
        statuses.push(attempt.status().as_u16());
        if attempt.status() == StatusCode::TOO_MANY_REQUESTS {
            assert_eq!(attempt.headers()["retry-after"], "60");
            last_page = attempt.text().await.unwrap();
        }
    }
    assert_eq!(statuses, [401, 401, 401, 429]);
    assert!(
        last_page.contains("<html") && last_page.contains("Even geduld"),
        "{last_page}"
    );
    server.running.stop().await;
}

#[tokio::test]
async fn an_owner_marks_someone_else_away_and_back_on_the_team_page_an_agent_cannot() {
    let db = TestDatabase::sqlite();
    let server = TestServer::start(&db.url).await;
    let owner = server.store.staff_by_email(&server.owner_email).await.unwrap().unwrap();
    let agent = server.store.staff_by_email(&server.agent_email).await.unwrap().unwrap();

    let (mut sanne, agent_csrf) = logged_in(&server, &server.agent_email).await;
    let (_, page) = sanne.get(&server.url("/staff/team")).await;
    assert!(
        !page.contains("Iemand anders afwezig melden"),
        "agents get no such form"
    );
    assert!(
        page.contains("(eigenaar)") && !page.contains("(owner)"),
        "roles in words"
    );
    let refused = sanne
        .post(
            &server.url("/staff/away"),
            &[
                ("csrf", &agent_csrf),
                ("away", "1"),
                ("delegate", &agent.id),
                ("staff_id", &owner.id),
            ],
        )
        .await;
    assert_eq!(refused.status(), StatusCode::FORBIDDEN);

    let (mut olga, csrf) = logged_in(&server, &server.owner_email).await;
    let (_, page) = olga.get(&server.url("/staff/team")).await;
    assert!(page.contains("Iemand anders afwezig melden"), "{page}");
    let away = olga
        .post(
            &server.url("/staff/away"),
            &[
                ("csrf", &csrf),
                ("away", "1"),
                ("delegate", &owner.id),
                ("staff_id", &agent.id),
            ],
        )
        .await;
    assert_eq!(away.status(), StatusCode::SEE_OTHER);
    assert!(server.store.staff_by_id(&agent.id).await.unwrap().unwrap().away);
    let (_, page) = olga.get(&server.url("/staff/team")).await;
    assert!(page.contains("Terug melden: Sanne"), "{page}");
    let back = olga
        .post(
            &server.url("/staff/away"),
            &[("csrf", &csrf), ("away", "0"), ("staff_id", &agent.id)],
        )
        .await;
    assert_eq!(back.status(), StatusCode::SEE_OTHER);
    assert!(!server.store.staff_by_id(&agent.id).await.unwrap().unwrap().away);
    server.running.stop().await;
}

/// A reply the customer's mail server refuses is not a kept promise: the conversation says
/// "niet verzonden" with the server's reason, the staff home lists it with a button to send
/// it again, and once it arrives the promise is kept as of when it was written.
#[tokio::test]
async fn a_reply_that_cannot_be_delivered_is_not_kept_and_can_be_sent_again() {
    for db in databases().await {
        let server = TestServer::start(&db.url).await;
        server.smtp.refuse("gone@example.org");
        let raw = "From: Piet <gone@example.org>\r\nTo: winkel@fiets.test\r\nSubject: Band\r\n\
                   Message-ID: <gone-1@example.org>\r\n\r\nMijn band is lek.\r\n";
        let stored: Value = server.post_email(raw).await.json().await.unwrap();
        let id = stored["conversation_id"].as_str().unwrap().to_string();
        let replied = server
            .api_post(
                &format!("/api/v1/conversations/{id}/replies"),
                json!({"text": "We plakken hem vandaag."}),
            )
            .await;
        assert_eq!(replied.status(), 201, "{}", db.name);
        let conversation = || async {
            let answer = server.api_get(&format!("/api/v1/conversations/{id}")).await;
            answer.json::<Value>().await.unwrap()
        };
        eventually(10, "the reply given up on", || async {
            conversation().await["messages"][1]["delivery"]["status"] == "not_sent"
        })
        .await;
        let given_up = conversation().await;
        assert_eq!(given_up["promise_status"], "open", "{}: not kept", db.name);
        let reason = given_up["messages"][1]["delivery"]["reason"].as_str().unwrap();
        assert!(reason.contains("550"), "the server's reason: {reason}");

        let (mut agent, csrf) = logged_in(&server, &server.agent_email).await;
        let (_, page) = agent.get(&server.url(&format!("/staff/conversations/{id}"))).await;
        assert!(
            page.contains("niet verzonden") && page.contains("Opnieuw versturen"),
            "{page}"
        );
        let (_, home) = agent.get(&server.url("/staff")).await;
        assert!(
            home.contains("Antwoorden die niet zijn aangekomen") && home.contains("Piet"),
            "{home}"
        );
        let retry = home
            .split("action=\"/staff/replies/")
            .nth(1)
            .and_then(|rest| rest.split('/').next())
            .expect("a send-again button")
            .to_string();

        server.smtp.accept_again("gone@example.org");
        server.clock.advance(chrono::Duration::hours(3));
        let again = agent
            .post(
                &server.url(&format!("/staff/replies/{retry}/retry")),
                &[("csrf", csrf.as_str()), ("conversation", id.as_str())],
            )
            .await;
        assert_eq!(again.status(), StatusCode::SEE_OTHER);
        assert_eq!(again.headers()["location"], format!("/staff/conversations/{id}"));
        eventually(10, "the reply at the customer", || async {
            !server.smtp.to("gone@example.org").is_empty()
        })
        .await;
        eventually(10, "the promise kept", || async {
            conversation().await["promise_status"] == "kept"
        })
        .await;
        assert_eq!(conversation().await["messages"][1]["delivery"]["status"], "sent");
        let (_, home) = agent.get(&server.url("/staff")).await;
        assert!(
            !home.contains("Antwoorden die niet zijn aangekomen"),
            "nothing left to resend"
        );
        // Sending again what was sent is refused: there is nothing to retry.
        let twice = agent
            .post(
                &server.url(&format!("/staff/replies/{retry}/retry")),
                &[("csrf", csrf.as_str()), ("conversation", id.as_str())],
            )
            .await;
        assert_eq!(twice.status(), StatusCode::NOT_FOUND);
        server.running.stop().await;
    }
}

/// Resolving a conversation whose customer still waits asks for a tick first; after the due
/// time it counts as a broken promise, not as one nobody owed.
#[tokio::test]
async fn resolving_an_unanswered_conversation_asks_first_and_a_late_one_is_broken() {
    let db = TestDatabase::sqlite();
    let server = TestServer::start(&db.url).await;
    let raw = "From: Jan <jan@example.org>\r\nTo: winkel@fiets.test\r\nSubject: Slot\r\n\
               Message-ID: <slot-1@example.org>\r\n\r\nMijn slot klemt.\r\n";
    let stored: Value = server.post_email(raw).await.json().await.unwrap();
    let id = stored["conversation_id"].as_str().unwrap().to_string();
    let (mut agent, csrf) = logged_in(&server, &server.agent_email).await;
    let page = server.url(&format!("/staff/conversations/{id}"));
    let (_, shown) = agent.get(&page).await;
    assert!(shown.contains("Afhandelen zonder te antwoorden"), "{shown}");
    let status = server.url(&format!("/staff/conversations/{id}/status"));
    let unticked = agent
        .post(&status, &[("csrf", csrf.as_str()), ("status", "resolved")])
        .await;
    assert_eq!(unticked.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        unticked
            .text()
            .await
            .unwrap()
            .contains("vink aan dat u zonder antwoord wilt afhandelen")
    );
    let promise_status = || async {
        let answer = server.api_get(&format!("/api/v1/conversations/{id}")).await;
        answer.json::<Value>().await.unwrap()["promise_status"].clone()
    };
    assert_eq!(promise_status().await, "open", "nothing changed");

    server.clock.advance(chrono::Duration::days(2));
    // (A new day, a new log-in.)
    let (mut agent, csrf) = logged_in(&server, &server.agent_email).await;
    let (_, shown) = agent.get(&page).await;
    assert!(shown.contains("het antwoord is al te laat"), "{shown}");
    let ticked = agent
        .post(
            &status,
            &[("csrf", csrf.as_str()), ("status", "resolved"), ("confirm", "1")],
        )
        .await;
    assert_eq!(ticked.status(), StatusCode::SEE_OTHER);
    assert_eq!(promise_status().await, "broken");
    let (_, shown) = agent.get(&page).await;
    assert!(shown.contains("gebroken: niet op tijd"), "{shown}");
    server.running.stop().await;
}

/// On a channel kept cannot send on, the page says so before anyone types, in the page's
/// language; a reply sent anyway comes back with that reason and the draft kept.
#[tokio::test]
async fn a_channel_kept_cannot_answer_on_is_named_before_typing() {
    let db = TestDatabase::sqlite();
    let server = TestServer::start(&db.url).await;
    let inbound: Value = server
        .api_post(
            "/api/v1/inbound/message",
            json!({"channel": "chat", "external_id": "c-1", "from": {"handle": "bezoeker-7"}, "text": "Zijn jullie open?"}),
        )
        .await
        .json()
        .await
        .unwrap();
    let id = inbound["conversation_id"].as_str().unwrap();
    let (mut agent, csrf) = logged_in(&server, &server.agent_email).await;
    let (_, page) = agent.get(&server.url(&format!("/staff/conversations/{id}"))).await;
    assert!(page.contains("kept kan op dit kanaal niet antwoorden"), "{page}");
    assert!(
        page.contains("<button type=\"submit\" disabled>"),
        "no send button that cannot work"
    );
    let sent = agent
        .post(
            &server.url(&format!("/staff/conversations/{id}/reply")),
            &[("csrf", csrf.as_str()), ("text", "Ja, tot 18:00.")],
        )
        .await;
    let body = sent.text().await.unwrap();
    assert!(
        body.contains("kept kan op dit kanaal niet antwoorden") && !body.contains("channel_webhooks.chat in kept.toml")
    );
    assert!(body.contains("Ja, tot 18:00."), "the draft is kept");
    server.running.stop().await;
}

/// The owner edits the business's settings on a page; a refused value comes back in words
/// with what was typed; agents are refused.
#[tokio::test]
async fn the_owner_edits_the_settings_on_a_page_and_agents_cannot() {
    let db = TestDatabase::sqlite();
    let server = TestServer::start(&db.url).await;
    let (mut agent, _) = logged_in(&server, &server.agent_email).await;
    let (status, page) = agent.get(&server.url("/staff/settings")).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert!(page.contains("Alleen voor de eigenaar"), "{page}");
    let (_, home) = agent.get(&server.url("/staff")).await;
    assert!(
        !home.contains("href=\"/staff/settings\""),
        "no link an agent cannot use"
    );

    let (mut owner, csrf) = logged_in(&server, &server.owner_email).await;
    let (status, page) = owner.get(&server.url("/staff/settings")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        page.contains("value=\"Fietsenmaker\"") && page.contains("dinsdag"),
        "{page}"
    );
    // The form as the page sends it (the demo's windows), with Tuesday's hours typed wrong.
    let mut form: Vec<(String, String)> = [
        ("csrf", csrf.as_str()),
        ("name", "Fietsenmaker"),
        ("time_zone", "Europe/Amsterdam"),
        ("mon", "09:00-17:30"),
        ("tue", "9 tot 5"),
        ("wed", "09:00-17:30"),
        ("thu", "09:00-17:30"),
        ("fri", "09:00-17:30"),
        ("sat", "closed"),
        ("sun", "closed"),
        ("closed_days", "2026-12-25\n2026-12-26"),
        ("window_0_label_nl", "Zo snel mogelijk"),
        ("window_0_label_en", "As soon as possible"),
        ("window_0_kind", "within"),
        ("window_0_minutes", "60"),
        ("window_1_label_nl", "Tijdens kantooruren"),
        ("window_1_label_en", "During office hours"),
        ("window_1_kind", "office_hours"),
        ("window_2_label_nl", "'s Avonds"),
        ("window_2_label_en", "In the evening"),
        ("window_2_kind", "daily_slot"),
        ("window_2_start", "19:00"),
        ("window_2_end", "21:00"),
        ("first_response", "email = 240\nchat = 15"),
        ("default_first_response", "60"),
        ("reminder_lead", "15"),
        ("retry_after", "60"),
        ("channel_webhooks", ""),
    ]
    .into_iter()
    .map(|(n, v)| (n.to_string(), v.to_string()))
    .collect();
    let set = |form: &mut Vec<(String, String)>, name: &str, value: &str| {
        form.retain(|(n, _)| n != name);
        form.push((name.to_string(), value.to_string()));
    };
    // Three mistakes at once (hours, time zone, a number): all three are named in one go.
    set(&mut form, "time_zone", "Mars/Olympus");
    set(&mut form, "retry_after", "een uur");
    let fields: Vec<(&str, &str)> = form.iter().map(|(n, v)| (n.as_str(), v.as_str())).collect();
    let refused = owner.post(&server.url("/staff/settings"), &fields).await;
    assert_eq!(refused.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let said = refused.text().await.unwrap();
    assert!(said.contains("Schrijf openingstijden als 09:00-17:30"), "{said}");
    assert!(said.contains("value=\"9 tot 5\""), "what was typed stays: {said}");
    let named = ["Openingstijden dinsdag", "Tijdzone", "opnieuw bellen binnen"];
    assert!(named.iter().all(|n| said.contains(n)), "every mistake named: {said}");
    set(&mut form, "time_zone", "Europe/Amsterdam");
    set(&mut form, "retry_after", "60");

    // Hours as people write them are read, and saved the one way.
    set(&mut form, "mon", "9-18");
    set(&mut form, "tue", "gesloten");
    set(&mut form, "name", "Fietsenmaker Jansen");
    let fields: Vec<(&str, &str)> = form.iter().map(|(n, v)| (n.as_str(), v.as_str())).collect();
    let saved = owner.post(&server.url("/staff/settings"), &fields).await;
    assert_eq!(saved.status(), StatusCode::SEE_OTHER);
    assert_eq!(saved.headers()[LOCATION], "/staff/settings?saved=1");
    let (_, page) = owner.get(&server.url("/staff/settings?saved=1")).await;
    assert!(
        page.contains("Opgeslagen") && page.contains("value=\"Fietsenmaker Jansen\""),
        "{page}"
    );
    assert!(
        page.contains("Openingstijden dinsdag: 09:00-17:30 → gesloten") && page.contains("Olga"),
        "the change is listed: {page}"
    );
    let settings = server.running.state.settings();
    assert_eq!(
        settings.business_settings.business.hours.tue, "closed",
        "one word for closed"
    );
    assert_eq!(
        settings.business_settings.business.hours.wed, "09:00-17:30",
        "the rest stays"
    );
    assert_eq!(
        settings.business_settings.business.hours.mon, "09:00-18:00",
        "9-18 as kept writes it"
    );
    assert_eq!(settings.business_settings.first_response_minutes["chat"], 15);
    assert_eq!(settings.business_settings.business.closed_days.len(), 2);
    assert_eq!(settings.business.windows[2].label_nl, "'s Avonds");

    // A new choice in the blank row, and the evening one no longer offered.
    set(&mut form, "window_2_remove", "1");
    set(&mut form, "window_3_label_nl", "Na 20:00");
    set(&mut form, "window_3_label_en", "After 8 pm");
    set(&mut form, "window_3_kind", "daily_slot");
    set(&mut form, "window_3_start", "20:00");
    set(&mut form, "window_3_end", "21:30");
    let fields: Vec<(&str, &str)> = form.iter().map(|(n, v)| (n.as_str(), v.as_str())).collect();
    let saved = owner.post(&server.url("/staff/settings"), &fields).await;
    assert_eq!(saved.status(), StatusCode::SEE_OTHER);
    let windows = server.running.state.settings().business.windows.clone();
    let codes: Vec<&str> = windows.iter().map(|w| w.code.as_str()).collect();
    assert_eq!(codes, ["asap", "office", "after_8_pm"], "{windows:?}");
    let (_, form_page) = server
        .http
        .get(server.url("/callback"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .map(|t| ((), t))
        .unwrap();
    assert!(
        form_page.contains("Na 20:00") && !form_page.contains("'s Avonds"),
        "{form_page}"
    );
    server.running.stop().await;
}

/// What a person reads on any staff page, in either language, holds no codes or ids: no
/// "reached", "follow_up", "email:jan@…", no "01a2…-…" ids.
#[tokio::test]
async fn no_staff_page_shows_a_code_or_an_id() {
    let db = TestDatabase::sqlite();
    let server = TestServer::start_with(&db.url, |config| {
        config
            .channel_webhooks
            .insert("chat".into(), config.webhook_url.clone().unwrap_or_default());
    })
    .await;
    // A callback with an outcome and a retry, a hand-over, an e-mail and a chat conversation
    // with a reply, a note and a follow-up: every kind of line the pages show.
    let callback = server
        .created(json!({"phone": "0612345678", "name": "Jan", "note": "Fietsbel"}))
        .await;
    let callback_id = callback["id"].as_str().unwrap().to_string();
    let customer = callback["customer_id"].as_str().unwrap().to_string();
    let outcome = json!({"outcome": "no_answer", "note": "voicemail"});
    server
        .api_post(&format!("/api/v1/callback-requests/{callback_id}/outcome"), outcome)
        .await;
    let staff: Vec<kept_store::Staff> = server.store.list_staff().await.unwrap();
    let agent = staff.iter().find(|s| s.email == server.agent_email).unwrap();
    let owner = staff.iter().find(|s| s.email == server.owner_email).unwrap();
    let away = json!({"delegate": owner.id});
    server
        .owner_post(&format!("/api/v1/staff/{}/away", agent.id), away)
        .await;
    let raw = "From: Jan <jan@example.nl>\r\nTo: winkel@fiets.test\r\nSubject: Bel\r\n\
               Message-ID: <codes-1@example.nl>\r\n\r\nMijn fietsbel doet het niet.\r\n";
    let mail: Value = server.post_email(raw).await.json().await.unwrap();
    let chat: Value = server
        .api_post(
            "/api/v1/inbound/message",
            json!({"channel": "chat", "external_id": "c-9", "from": {"handle": "bezoeker-9", "name": "Piet"}, "text": "Open?"}),
        )
        .await
        .json()
        .await
        .unwrap();
    let chat_id = chat["conversation_id"].as_str().unwrap().to_string();
    let reply = json!({"text": "Ja, tot 18:00."});
    server
        .api_post(&format!("/api/v1/conversations/{chat_id}/replies"), reply)
        .await;
    let note = json!({"text": "Belt morgen terug"});
    server
        .api_post(&format!("/api/v1/customers/{customer}/notes"), note)
        .await;
    let follow_up = json!({"text": "Offerte sturen", "due_at": "2026-11-26T09:00:00Z"});
    server
        .api_post(&format!("/api/v1/customers/{customer}/follow-ups"), follow_up)
        .await;
    // An appointment at the shop and a field visit with its call-ahead, for the same customer.
    let (location, service) = eye_test(&server, &[]).await;
    let visit = json!({"name_nl": "Reparatie", "name_en": "Repair", "duration_minutes": 60, "field_visit": true,
                       "location_ids": [location]});
    let repair = created(server.owner_post("/api/v1/services", visit).await).await;
    let shop = created(book(&server, booking(&location, &service, "2026-11-26T09:30:00+01:00")).await).await;
    let mut at_home = booking(&location, repair["id"].as_str().unwrap(), "2026-11-26T13:00:00+01:00");
    at_home["address"] = json!("Kerkstraat 5, Utrecht");
    let home = created(book(&server, at_home).await).await;
    let shop_id = shop["id"].as_str().unwrap();
    server
        .api_post(&format!("/api/v1/appointments/{shop_id}/check-in"), json!({}))
        .await;
    let manage = shop["manage_url"].as_str().unwrap();
    let manage = manage[manage.find("/appointments/").unwrap()..].to_string();

    let id_like = regex::Regex::new(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}").unwrap();
    let code_like = regex::Regex::new(
        r"\b(reached|no_answer|wrong_number|callback_retry|follow_up|waiting_on_customer|replied|message_in|message_out|phone_call|callback_request|checked_in|no_show|call_ahead|field_visit|csat|nps|recovery|retention|renewed|undecided)\b|\b(email|twitter|chat):[^ ]",
    )
    .unwrap();
    let tags = regex::Regex::new(r"(?s)<script.*?</script>|<style.*?</style>|<[^>]*>").unwrap();
    let (mut browser, _) = logged_in(&server, &server.owner_email).await;
    let mail_id = mail["conversation_id"].as_str().unwrap();
    let pages = [
        "/staff".to_string(),
        format!("/staff/callbacks/{callback_id}"),
        format!("/staff/conversations/{mail_id}"),
        format!("/staff/conversations/{chat_id}"),
        format!("/staff/customers/{customer}"),
        "/staff/team".to_string(),
        "/staff/search?q=fietsbel".to_string(),
        "/staff/settings".to_string(),
        "/staff/account".to_string(),
        format!("/staff/customers/{customer}/merge?q=jan"),
        "/staff/today?date=2026-11-26".to_string(),
        format!("/staff/appointments/{shop_id}"),
        format!("/staff/appointments/{}", home["id"].as_str().unwrap()),
        "/staff/booking".to_string(),
        "/staff/surveys".to_string(),
        "/staff/contracts?all=1".to_string(),
        "/staff/fans".to_string(),
        format!("/book?location={location}&service={service}&date=2026-11-26"),
        manage,
    ];
    for lang in ["nl", "en"] {
        for page in &pages {
            let join = if page.contains('?') { '&' } else { '?' };
            let (status, html) = browser.get(&server.url(&format!("{page}{join}lang={lang}"))).await;
            assert_eq!(status, StatusCode::OK, "{page}");
            let text = tags.replace_all(&html, " ");
            let text = text.replace("&#x2F;", "/").replace("&#x3D;", "=");
            assert!(
                !id_like.is_match(&text),
                "{page} ({lang}) shows an id: {:?}",
                id_like.find(&text)
            );
            let code = code_like.find(&text).map(|m| m.as_str());
            assert!(code.is_none(), "{page} ({lang}) shows the code {code:?}");
        }
    }
    server.running.stop().await;
}

/// "English" in the header switches every page from then on (and back), not just the one.
#[tokio::test]
async fn a_staff_member_switches_language_for_good() {
    let db = TestDatabase::sqlite();
    let server = TestServer::start(&db.url).await;
    let (mut agent, csrf) = logged_in(&server, &server.agent_email).await;
    let (_, home) = agent.get(&server.url("/staff")).await;
    assert!(
        home.contains("<html lang=\"nl\">") && home.contains(">English</button>"),
        "{home}"
    );
    let switched = agent
        .http
        .post(server.url("/staff/language"))
        .header(COOKIE, agent.cookies.join("; "))
        .header("referer", server.url("/staff/team?lang=nl"))
        .form(&[("csrf", csrf.as_str()), ("lang", "en")])
        .send()
        .await
        .unwrap();
    assert_eq!(switched.status(), StatusCode::SEE_OTHER);
    assert_eq!(switched.headers()[LOCATION], "/staff/team", "back where it was chosen");
    let (_, team) = agent.get(&server.url("/staff/team")).await;
    assert!(
        team.contains("<html lang=\"en\">") && team.contains(">Nederlands</button>"),
        "{team}"
    );
    let (_, home) = agent.get(&server.url("/staff")).await;
    assert!(home.contains("<html lang=\"en\">"), "every page from now on");
    server.running.stop().await;
}

/// The inbox sorts the day: mine, nobody's yet, waiting on the customer, resolved; each row
/// with the subject and the start of the latest message.
#[tokio::test]
async fn the_inbox_shows_views_with_subject_and_preview() {
    let db = TestDatabase::sqlite();
    let server = TestServer::start(&db.url).await;
    let raw = "From: Jan <jan@example.nl>\r\nTo: winkel@fiets.test\r\nSubject: Fietsbel kapot\r\n\
               Message-ID: <views-1@example.nl>\r\n\r\nMijn fietsbel doet het niet meer sinds gisteren.\r\n";
    let mail: Value = server.post_email(raw).await.json().await.unwrap();
    let id = mail["conversation_id"].as_str().unwrap().to_string();
    let (mut agent, _) = logged_in(&server, &server.agent_email).await;
    let (_, home) = agent.get(&server.url("/staff")).await;
    assert!(
        home.contains("Fietsbel kapot") && home.contains("Mijn fietsbel doet het niet meer"),
        "{home}"
    );
    assert!(
        home.contains("data-src=\"/staff/inbox/rows?view=open\""),
        "live refresh keeps the view"
    );
    let (_, mine) = agent.get(&server.url("/staff/inbox/rows?view=mine")).await;
    assert!(mine.contains("Fietsbel kapot"), "given to the agent: {mine}");
    let (_, nobody) = agent.get(&server.url("/staff/inbox/rows?view=unassigned")).await;
    assert!(nobody.contains("Hier staat niets."), "{nobody}");

    let mine_api: Vec<Value> = server
        .api_get("/api/v1/conversations?assigned_to=me")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(mine_api.len(), 1);
    assert_eq!(mine_api[0]["subject"], "Fietsbel kapot");
    assert_eq!(mine_api[0]["last_from"], "customer");
    let nobody_api: Vec<Value> = server
        .api_get("/api/v1/conversations?assigned_to=nobody")
        .await
        .json()
        .await
        .unwrap();
    assert!(nobody_api.is_empty());
    assert_eq!(
        server.api_get("/api/v1/conversations?assigned_to=piet").await.status(),
        422
    );

    let reply = json!({"text": "We hebben een nieuwe bel voor u."});
    server
        .api_post(&format!("/api/v1/conversations/{id}/replies"), reply)
        .await;
    let (_, waiting) = agent
        .get(&server.url("/staff/inbox/rows?view=waiting_on_customer"))
        .await;
    assert!(
        waiting.contains("Wij: We hebben een nieuwe bel"),
        "our reply is the latest: {waiting}"
    );
    let (_, open) = agent.get(&server.url("/staff/inbox/rows?view=open")).await;
    assert!(
        !open.contains("Fietsbel kapot"),
        "answered: not waiting for us any more"
    );
    server.running.stop().await;
}

/// At 19:55 with the shop closed, "as soon as possible" says when that is; a customer held
/// back by the rate limit reads why in their own language.
#[tokio::test]
async fn the_public_form_says_when_a_window_starts_and_refuses_in_dutch() {
    let db = TestDatabase::sqlite();
    let server = TestServer::start_with(&db.url, |c| c.rate_limit_per_minute = 1).await;
    let form = |server: &TestServer| {
        let request = server
            .http
            .get(server.url("/callback"))
            .header("accept-language", "nl-NL");
        async move { request.send().await.unwrap().text().await.unwrap() }
    };
    assert!(
        !form(&server).await.contains("morgen vanaf"),
        "open now: nothing to add"
    );
    // Tuesday 19:55 in Amsterdam: closed until Wednesday 09:00.
    server.clock.advance(chrono::Duration::minutes(9 * 60 + 55));
    let page = form(&server).await;
    assert!(
        page.contains("Zo snel mogelijk (binnen 90 minuten) — morgen vanaf 09:00"),
        "{page}"
    );
    let post = || {
        server
            .http
            .post(server.url("/callback"))
            .header("accept-language", "nl-NL")
            .form(&[("phone", "0612345678"), ("window", "asap")])
            .send()
    };
    assert_eq!(post().await.unwrap().status(), StatusCode::CREATED);
    let limited = post().await.unwrap();
    assert_eq!(limited.status(), StatusCode::TOO_MANY_REQUESTS);
    let said = limited.text().await.unwrap();
    assert!(said.contains("Te veel verzoeken achter elkaar"), "{said}");
    server.running.stop().await;
}

/// Unread per staff member, filters by channel and tag, assigning and tagging on the
/// conversation page, and the list's bulk actions (a resolve that would leave a waiting
/// customer unanswered changes nothing until confirmed). On both databases.
#[tokio::test]
async fn the_inbox_sorts_the_day_with_unread_filters_and_bulk_actions() {
    for db in databases().await {
        let server = TestServer::start(&db.url).await;
        let mail = |n: u32| {
            format!(
                "From: Klant {n} <klant{n}@example.nl>\r\nTo: winkel@fiets.test\r\nSubject: Vraag {n}\r\n\
                 Message-ID: <bulk-{n}@example.nl>\r\n\r\nHallo, vraag {n}.\r\n"
            )
        };
        let mut ids = Vec::new();
        for n in 1..=2 {
            let stored: Value = server.post_email(&mail(n)).await.json().await.unwrap();
            ids.push(stored["conversation_id"].as_str().unwrap().to_string());
        }
        let chat: Value = server
            .api_post(
                "/api/v1/inbound/message",
                json!({"channel": "chat", "external_id": "bulk-chat", "from": {"handle": "bezoeker", "name": "Chatter"}, "text": "Hoi"}),
            )
            .await
            .json()
            .await
            .unwrap();
        let chat_id = chat["conversation_id"].as_str().unwrap().to_string();

        // Unread until the agent opens it; the owner still has it unread.
        let (mut agent, csrf) = logged_in(&server, &server.agent_email).await;
        let (_, rows) = agent.get(&server.url("/staff/inbox/rows?view=open")).await;
        assert_eq!(rows.matches("badge new").count(), 3, "{}: all new", db.name);
        agent
            .get(&server.url(&format!("/staff/conversations/{}", ids[0])))
            .await;
        let (_, rows) = agent.get(&server.url("/staff/inbox/rows?view=open")).await;
        assert_eq!(rows.matches("badge new").count(), 2, "{}: opened one", db.name);
        let listed: Vec<Value> = server.api_get("/api/v1/conversations").await.json().await.unwrap();
        let unread_of = |list: &[Value], id: &str| list.iter().find(|c| c["id"] == id).unwrap()["unread"].clone();
        assert_eq!(unread_of(&listed, &ids[0]), false);
        assert_eq!(unread_of(&listed, &ids[1]), true);
        let owners: Vec<Value> = server.owner_get("/api/v1/conversations").await.json().await.unwrap();
        assert_eq!(
            unread_of(&owners, &ids[0]),
            true,
            "{}: unread per staff member",
            db.name
        );
        // A new message from the customer makes it unread again.
        server.clock.advance(chrono::Duration::minutes(1));
        let again = "From: Klant 1 <klant1@example.nl>\r\nTo: winkel@fiets.test\r\nSubject: Re: Vraag 1\r\n\
                     In-Reply-To: <bulk-1@example.nl>\r\nMessage-ID: <bulk-1b@example.nl>\r\n\r\nNog iets.\r\n";
        server.post_email(again).await;
        let listed: Vec<Value> = server.api_get("/api/v1/conversations").await.json().await.unwrap();
        assert_eq!(unread_of(&listed, &ids[0]), true, "{}: new since opened", db.name);
        // Opened again (and again: a read with nothing new writes nothing), it is read again.
        for _ in 0..2 {
            agent
                .get(&server.url(&format!("/staff/conversations/{}", ids[0])))
                .await;
            let listed: Vec<Value> = server.api_get("/api/v1/conversations").await.json().await.unwrap();
            assert_eq!(unread_of(&listed, &ids[0]), false, "{}: read again", db.name);
        }

        // Filter by channel.
        let (_, chats) = agent.get(&server.url("/staff/inbox/rows?view=open&channel=chat")).await;
        assert!(chats.contains("Chatter") && !chats.contains("Klant 1"), "{chats}");
        let api_chats: Vec<Value> = server
            .api_get("/api/v1/conversations?channel=chat")
            .await
            .json()
            .await
            .unwrap();
        assert_eq!(api_chats.len(), 1);

        // Tag on the conversation page, then filter by it.
        let tagged = agent
            .post(
                &server.url(&format!("/staff/conversations/{}/tags", ids[1])),
                &[("csrf", &csrf), ("add", "Garantie")],
            )
            .await;
        assert_eq!(tagged.status(), StatusCode::SEE_OTHER);
        let (_, page) = agent
            .get(&server.url(&format!("/staff/conversations/{}", ids[1])))
            .await;
        assert!(page.contains("<span class=\"badge\">garantie</span>"), "{page}");
        let (_, warranty) = agent.get(&server.url("/staff/inbox/rows?view=open&tag=garantie")).await;
        assert!(
            warranty.contains("Klant 2") && !warranty.contains("Klant 1"),
            "{warranty}"
        );
        let (_, home) = agent.get(&server.url("/staff?view=open&tag=garantie")).await;
        let live = home.split("data-src=\"").nth(1).unwrap_or_default();
        assert!(live.starts_with("/staff/inbox/rows?view=open"), "{live}");
        assert!(live.contains("tag=garantie"), "the live list keeps the filter: {live}");

        // Assign on the conversation page.
        let staff = server.store.list_staff().await.unwrap();
        let owner = staff.iter().find(|s| s.email == server.owner_email).unwrap().id.clone();
        agent
            .post(
                &server.url(&format!("/staff/conversations/{chat_id}/assign")),
                &[("csrf", &csrf), ("staff_id", &owner)],
            )
            .await;
        let chat_now: Value = server
            .api_get(&format!("/api/v1/conversations/{chat_id}"))
            .await
            .json()
            .await
            .unwrap();
        assert_eq!(chat_now["assignee_name"], "Olga", "{}", db.name);

        // Bulk: tag both e-mails, then resolve them; unconfirmed, nothing changes.
        let bulk = |action: &'static str, extra: Vec<(&'static str, String)>| {
            let mut form: Vec<(&str, String)> = vec![
                ("csrf", csrf.clone()),
                ("action", action.into()),
                ("back", "view=open".into()),
            ];
            form.extend(ids.iter().map(|id| ("ids", id.clone())));
            form.extend(extra);
            form
        };
        let form = bulk("tag", vec![("tag", "fiets".into())]);
        let pairs: Vec<(&str, &str)> = form.iter().map(|(k, v)| (*k, v.as_str())).collect();
        let done = agent.post(&server.url("/staff/inbox/bulk"), &pairs).await;
        assert_eq!(done.status(), StatusCode::SEE_OTHER, "{}", db.name);
        assert_eq!(done.headers()[reqwest::header::LOCATION], "/staff?view=open");
        let (_, fiets) = agent.get(&server.url("/staff/inbox/rows?view=open&tag=fiets")).await;
        assert!(fiets.contains("Klant 1") && fiets.contains("Klant 2"), "{fiets}");

        let form = bulk("resolve", vec![]);
        let pairs: Vec<(&str, &str)> = form.iter().map(|(k, v)| (*k, v.as_str())).collect();
        let refused = agent.post(&server.url("/staff/inbox/bulk"), &pairs).await;
        assert_eq!(refused.status(), StatusCode::UNPROCESSABLE_ENTITY, "{}", db.name);
        let (_, open) = agent.get(&server.url("/staff/inbox/rows?view=open")).await;
        assert!(open.contains("Klant 1") && open.contains("Klant 2"), "nothing resolved");
        let form = bulk("resolve", vec![("confirm", "1".into())]);
        let pairs: Vec<(&str, &str)> = form.iter().map(|(k, v)| (*k, v.as_str())).collect();
        agent.post(&server.url("/staff/inbox/bulk"), &pairs).await;
        let (_, resolved) = agent.get(&server.url("/staff/inbox/rows?view=resolved")).await;
        assert!(
            resolved.contains("Klant 1") && resolved.contains("Klant 2"),
            "{}: {resolved}",
            db.name
        );

        let none = agent
            .post(
                &server.url("/staff/inbox/bulk"),
                &[("csrf", &csrf), ("action", "assign_me")],
            )
            .await;
        assert_eq!(none.status(), StatusCode::UNPROCESSABLE_ENTITY, "nothing ticked");
        assert!(none.text().await.unwrap().contains("Vink eerst"));
        server.running.stop().await;
    }
}

/// The customer page: rename, link a contact, and when the contact is someone else's, merge
/// them after a preview of what moves (owners only); every timeline line opens its page.
#[tokio::test]
async fn a_customer_is_renamed_linked_and_merged_from_their_page() {
    for db in databases().await {
        let server = TestServer::start(&db.url).await;
        let callback = server
            .created(json!({"phone": "0612345678", "name": "J. de Vries"}))
            .await;
        let phone_customer = callback["customer_id"].as_str().unwrap().to_string();
        let raw = "From: Jan de Vries <jan@example.nl>\r\nTo: winkel@fiets.test\r\nSubject: Mijn fiets\r\n\
                   Message-ID: <merge-page-1@example.nl>\r\n\r\nIs hij klaar?\r\n";
        let mail: Value = server.post_email(raw).await.json().await.unwrap();
        let conversation = mail["conversation_id"].as_str().unwrap().to_string();
        let email_customer = server
            .api_get(&format!("/api/v1/conversations/{conversation}"))
            .await
            .json::<Value>()
            .await
            .unwrap()["customer_id"]
            .as_str()
            .unwrap()
            .to_string();
        let (mut owner, csrf) = logged_in(&server, &server.owner_email).await;
        let page_of = |id: &str| server.url(&format!("/staff/customers/{id}"));

        let renamed = owner
            .post(
                &format!("{}/name", page_of(&phone_customer)),
                &[("csrf", &csrf), ("name", "Jan de Vries")],
            )
            .await;
        assert_eq!(renamed.status(), StatusCode::SEE_OTHER);
        let (_, page) = owner.get(&page_of(&phone_customer)).await;
        assert!(page.contains("<h1>Jan de Vries</h1>"), "{}", db.name);
        assert!(
            page.contains(&format!(
                "href=\"/staff/callbacks/{}\"",
                callback["id"].as_str().unwrap()
            )),
            "{}: the request on the timeline opens its page",
            db.name
        );
        let (_, mail_page) = owner.get(&page_of(&email_customer)).await;
        assert!(
            mail_page.contains(&format!("href=\"/staff/conversations/{conversation}\"")),
            "{}: the message opens its conversation",
            db.name
        );

        // The e-mail address is the other customer's: the merge page opens with them found.
        let taken = owner
            .post(
                &format!("{}/contacts", page_of(&phone_customer)),
                &[("csrf", &csrf), ("kind", "email"), ("value", "Jan@Example.nl")],
            )
            .await;
        assert_eq!(taken.status(), StatusCode::CONFLICT, "{}", db.name);
        let preview = taken.text().await.unwrap();
        assert!(preview.contains("hoort al bij een andere klant"), "{preview}");
        assert!(preview.contains("E-mail: jan@example.nl"), "{preview}");
        assert!(
            preview.contains("1 bericht") && preview.contains("1 gesprek"),
            "what moves: {preview}"
        );

        let (mut agent, agent_csrf) = logged_in(&server, &server.agent_email).await;
        let (_, agent_view) = agent
            .get(&format!("{}/merge?q=jan%40example.nl", page_of(&phone_customer)))
            .await;
        assert!(
            !agent_view.contains("name=\"from\""),
            "agents see the preview but no merge button"
        );
        let refused = agent
            .post(
                &format!("{}/merge", page_of(&phone_customer)),
                &[("csrf", &agent_csrf), ("from", &email_customer), ("confirm", "1")],
            )
            .await;
        assert_eq!(refused.status(), StatusCode::FORBIDDEN);
        let unconfirmed = owner
            .post(
                &format!("{}/merge", page_of(&phone_customer)),
                &[("csrf", &csrf), ("from", &email_customer)],
            )
            .await;
        assert_eq!(unconfirmed.status(), StatusCode::UNPROCESSABLE_ENTITY);

        let merged = owner
            .post(
                &format!("{}/merge", page_of(&phone_customer)),
                &[("csrf", &csrf), ("from", &email_customer), ("confirm", "1")],
            )
            .await;
        assert_eq!(merged.status(), StatusCode::SEE_OTHER, "{}", db.name);
        let (_, page) = owner.get(&page_of(&phone_customer)).await;
        assert!(
            page.contains("E-mail: jan@example.nl") && page.contains("Is hij klaar?"),
            "{}: {page}",
            db.name
        );
        assert_eq!(owner.get(&page_of(&email_customer)).await.0, StatusCode::NOT_FOUND);

        let added = owner
            .post(
                &format!("{}/contacts", page_of(&phone_customer)),
                &[("csrf", &csrf), ("kind", "whatsapp"), ("value", "+31 6 12345678")],
            )
            .await;
        assert_eq!(added.status(), StatusCode::SEE_OTHER);
        let (_, page) = owner.get(&page_of(&phone_customer)).await;
        assert!(page.contains("WhatsApp: +31 6 12345678"), "{page}");
        server.running.stop().await;
    }
}

/// Every e-mail to staff links to the staff page of what it is about, and the link opens it.
#[tokio::test]
async fn the_links_in_staff_emails_open_staff_pages() {
    let db = TestDatabase::sqlite();
    let server = TestServer::start(&db.url).await;
    let callback = server
        .created(json!({"phone": "0612345678", "name": "Link Test"}))
        .await;
    let raw = "From: Mila <mila@example.nl>\r\nTo: winkel@fiets.test\r\nSubject: Remmen\r\n\
               Message-ID: <links-1@example.nl>\r\n\r\nMijn remmen piepen.\r\n";
    let mail: Value = server.post_email(raw).await.json().await.unwrap();
    let conversation = mail["conversation_id"].as_str().unwrap().to_string();
    eventually(10, "both notices", || async {
        server.smtp.to(&server.agent_email).len() >= 2
    })
    .await;
    let links: Vec<String> = server
        .smtp
        .to(&server.agent_email)
        .iter()
        .flat_map(|m| {
            m.text
                .split_whitespace()
                .filter(|w| w.starts_with("http"))
                .map(str::to_string)
                .collect::<Vec<_>>()
        })
        .collect();
    let expected = [
        server.url(&format!("/staff/callbacks/{}", callback["id"].as_str().unwrap())),
        server.url(&format!("/staff/conversations/{conversation}")),
    ];
    for link in &expected {
        assert!(links.contains(link), "{link} in {links:?}");
    }
    assert!(links.iter().all(|l| !l.contains("/api/")), "never the API: {links:?}");
    let (mut agent, _) = logged_in(&server, &server.agent_email).await;
    for link in &expected {
        let (status, page) = agent.get(link).await;
        assert_eq!(status, StatusCode::OK, "{link}");
        assert!(
            page.contains("Link Test") || page.contains("Mila"),
            "{link} shows its subject"
        );
    }
    server.running.stop().await;
}

/// After every action the next page says what was done and what happens next, once: a call
/// nobody answered (with the next attempt's deadline), a resolved conversation, an assignment,
/// a bulk change, a note, someone away — in the page's language.
#[tokio::test]
async fn every_action_says_what_was_done_on_the_next_page() {
    let db = TestDatabase::sqlite();
    let server = TestServer::start(&db.url).await;
    let (mut agent, csrf) = logged_in(&server, &server.agent_email).await;
    let after = async |response: reqwest::Response, agent: &mut Browser| {
        assert_eq!(response.status(), 303);
        let to = response.headers()["location"].to_str().unwrap().to_string();
        let (_, page) = agent.get(&server.url(&to)).await;
        let flash = page
            .split("id=\"flash\">")
            .nth(1)
            .map(|rest| rest.split("</p>").next().unwrap().to_string());
        (flash, to)
    };

    let callback = server
        .created(json!({"phone": "06 11223344", "name": "Piet Pietersen"}))
        .await;
    let id = callback["id"].as_str().unwrap();
    let form = [("csrf", csrf.as_str()), ("outcome", "no_answer"), ("note", "")];
    let sent = agent
        .post(&server.url(&format!("/staff/callbacks/{id}/outcome")), &form)
        .await;
    let (flash, to) = after(sent, &mut agent).await;
    let flash = flash.expect("a notice on the home page");
    assert!(
        flash.starts_with("Geen gehoor vastgelegd bij Piet Pietersen. Nieuwe poging uiterlijk"),
        "{flash}"
    );
    let (_, again) = agent.get(&server.url(&to)).await;
    assert!(!again.contains("id=\"flash\""), "said once");

    let raw = "From: Els <els@example.nl>\r\nSubject: Vraag\r\nMessage-ID: <flash-1@example.nl>\r\n\r\nHallo\r\n";
    let mail: Value = server.post_email(raw).await.json().await.unwrap();
    let conversation = mail["conversation_id"].as_str().unwrap();
    let path = |what: &str| server.url(&format!("/staff/conversations/{conversation}/{what}"));
    let resolved = agent
        .post(
            &path("status"),
            &[("csrf", &csrf), ("status", "resolved"), ("confirm", "1")],
        )
        .await;
    assert!(after(resolved, &mut agent).await.0.unwrap().starts_with("Afgehandeld."));
    let customer = mail["customer_id"].as_str().unwrap();
    let note = agent
        .post(
            &server.url(&format!("/staff/customers/{customer}/note")),
            &[("csrf", &csrf), ("text", "Belt terug")],
        )
        .await;
    assert_eq!(after(note, &mut agent).await.0.as_deref(), Some("Notitie opgeslagen."));
    server.running.stop().await;
}
