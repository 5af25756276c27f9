//! The customer's own page of a request (`/p/<token>`): what they asked, who answers by when,
//! the conversation without internal notes; honest when late; a link that stops working when
//! revoked, erased or long closed; and the staff's view of it.

use crate::support::*;
use serde_json::{Value, json};

const MAIL: &str = "From: Jan Jansen <jan@example.nl>\r\nTo: winkel@fiets.test\r\nSubject: Fiets\r\n\
                    Message-ID: <status-1@example.nl>\r\n\r\nIs mijn fiets al klaar? Ik wil hem zaterdag ophalen.\r\n";

/// An e-mail from Jan; its conversation and the customer's page of it (a path on the server).
async fn mail_and_page(server: &TestServer) -> (Value, String) {
    mail_and_page_of(server, MAIL).await
}

async fn mail_and_page_of(server: &TestServer, raw: &str) -> (Value, String) {
    let mail: Value = server.post_email(raw).await.json().await.unwrap();
    let id = mail["conversation_id"].as_str().unwrap();
    let conversation: Value = server
        .api_get(&format!("/api/v1/conversations/{id}"))
        .await
        .json()
        .await
        .unwrap();
    let url = conversation["status_url"].as_str().expect("status_url").to_string();
    let path = url.split_once("/p/").map(|(_, token)| format!("/p/{token}")).unwrap();
    (mail, path)
}

/// The page as a stranger's browser gets it: no cookies, a language asked for.
async fn anonymous(server: &TestServer, path: &str, lang: &str) -> (u16, reqwest::header::HeaderMap, String) {
    let response = reqwest::Client::new()
        .get(server.url(path))
        .header("accept-language", lang)
        .send()
        .await
        .unwrap();
    let (status, headers) = (response.status().as_u16(), response.headers().clone());
    (status, headers, response.text().await.unwrap())
}

#[tokio::test]
async fn the_page_shows_the_promise_and_the_conversation_but_never_an_internal_note() {
    for db in databases().await {
        let server = TestServer::start(&db.url).await;
        let (mail, path) = mail_and_page(&server).await;
        let token = path.trim_start_matches("/p/");
        assert!(token.len() >= 22, "at least 128 bits: {token}");

        let (status, headers, page) = anonymous(&server, &path, "nl-NL,nl;q=0.9").await;
        assert_eq!(status, 200, "{}: {page}", db.name);
        assert_eq!(headers["referrer-policy"], "no-referrer");
        assert!(headers["x-robots-tag"].to_str().unwrap().contains("noindex"));
        assert_eq!(headers["cache-control"], "no-store");
        assert!(page.contains("Is mijn fiets al klaar?"), "their question: {page}");
        assert!(
            page.contains("antwoordt u uiterlijk vandaag om") || page.contains("antwoorden u uiterlijk"),
            "{}: who and by when: {page}",
            db.name
        );

        let customer = mail["customer_id"].as_str().unwrap();
        let conversation = mail["conversation_id"].as_str().unwrap();
        let note = server
            .api_post(
                &format!("/api/v1/customers/{customer}/notes"),
                json!({"text": "Geheime notitie: klant is lastig", "conversation_id": conversation}),
            )
            .await;
        assert_eq!(note.status(), 201);
        server.clock.advance(chrono::Duration::minutes(10));
        let reply = server
            .api_post(
                &format!("/api/v1/conversations/{conversation}/replies"),
                json!({"text": "Beste Jan,\n\nUw fiets staat zaterdag vanaf 10:00 klaar.\n\nGroet, Sanne"}),
            )
            .await;
        assert_eq!(reply.status(), 201, "{}", db.name);

        // The live part, as the page's script asks for it: the promise is kept once the reply
        // went out.
        let live_path = format!("{path}/live?lang=en");
        eventually(10, "the reply is sent", || async {
            anonymous(&server, &live_path, "nl")
                .await
                .2
                .contains("We have answered you")
        })
        .await;
        let (status, _, live) = anonymous(&server, &live_path, "nl").await;
        assert_eq!(status, 200);
        assert!(
            live.contains("Uw fiets staat zaterdag vanaf 10:00 klaar."),
            "our answer: {live}"
        );
        let (_, _, page) = anonymous(&server, &path, "en-GB,en;q=0.9").await;
        assert!(page.contains("The conversation so far"), "{page}");
        for secret in ["Geheime notitie", "lastig"] {
            assert!(
                !page.contains(secret) && !live.contains(secret),
                "{}: a note leaked",
                db.name
            );
        }

        // Opening it is on the customer's timeline, once however often it is reloaded.
        let timeline: Vec<Value> = server
            .api_get(&format!("/api/v1/customers/{customer}/timeline"))
            .await
            .json()
            .await
            .unwrap();
        let views = timeline.iter().filter(|e| e["kind"] == "status_viewed").count();
        assert_eq!(views, 1, "{}: {timeline:?}", db.name);
        let (mut agent, _) = logged_in(&server, &server.agent_email).await;
        let (_, customer_page) = agent.get(&server.url(&format!("/staff/customers/{customer}"))).await;
        assert!(customer_page.contains("Klant bekeek de status"), "{customer_page}");
    }
}

#[tokio::test]
async fn past_the_promised_time_the_page_apologises_instead_of_showing_a_time_gone_by() {
    for db in databases().await {
        let server = TestServer::start(&db.url).await;
        let (_, path) = mail_and_page(&server).await;
        let (_, _, before) = anonymous(&server, &path, "nl").await;
        server.clock.advance(chrono::Duration::days(3));
        let (_, _, late) = anonymous(&server, &path, "nl").await;
        assert!(
            late.contains("Dit duurt langer dan we beloofden. Excuses."),
            "{}: {late}",
            db.name
        );
        assert!(!late.contains("uiterlijk"), "no time in the past: {late}");
        assert!(before.contains("uiterlijk"), "{before}");
    }
}

#[tokio::test]
async fn a_tampered_revoked_erased_or_long_closed_link_opens_nothing() {
    for db in databases().await {
        let server = TestServer::start(&db.url).await;
        let (mail, path) = mail_and_page(&server).await;
        let conversation = mail["conversation_id"].as_str().unwrap();

        let mut tampered = path.clone();
        let last = tampered.pop().unwrap();
        tampered.push(if last == 'A' { 'B' } else { 'A' });
        let (status, headers, page) = anonymous(&server, &tampered, "nl").await;
        assert_eq!(status, 404, "{}", db.name);
        assert!(page.contains("Deze link werkt niet"), "{page}");
        assert_eq!(headers["referrer-policy"], "no-referrer");
        let (_, _, page) = anonymous(&server, "/p/nothing-here", "en").await;
        assert!(page.contains("This link does not work"), "{page}");
        assert!(page.contains("href=\"/callback?lang=en\""), "never a dead end: {page}");
        // Cut short, or with more after it: the same page, never the browser's own.
        for cut in [
            format!("{path}/"),
            "/p/".to_string(),
            "/p".to_string(),
            format!("{path}/live/more"),
        ] {
            let (status, _, page) = anonymous(&server, &cut, "nl").await;
            assert_eq!(status, 404, "{cut}");
            assert!(page.contains("Deze link werkt niet"), "{cut}: {page}");
        }
        let (status, _, _) = anonymous(&server, &format!("{path}?lang=nl&lang=en&utm_source=x"), "nl").await;
        assert_eq!(status, 200, "a pasted-together query is no error");
        assert_eq!(anonymous(&server, &format!("{tampered}/live"), "nl").await.0, 404);

        // Revoking is for owners; the old link is gone at once, the next is a new one.
        let revoke = format!("/staff/conversations/{conversation}/status-link/revoke");
        let (mut agent, agent_csrf) = logged_in(&server, &server.agent_email).await;
        let refused = agent.post(&server.url(&revoke), &[("csrf", &agent_csrf)]).await;
        assert_eq!(refused.status(), 403, "{}", db.name);
        assert_eq!(anonymous(&server, &path, "nl").await.0, 200);
        let (mut owner, owner_csrf) = logged_in(&server, &server.owner_email).await;
        let revoked = owner.post(&server.url(&revoke), &[("csrf", &owner_csrf)]).await;
        assert_eq!(revoked.status(), 303, "back to the conversation");
        let (_, shown) = owner
            .get(&server.url(&format!("/staff/conversations/{conversation}")))
            .await;
        assert!(
            shown.contains("De link werkt niet meer"),
            "a visible confirmation: {shown}"
        );
        assert_eq!(anonymous(&server, &path, "nl").await.0, 404, "{}", db.name);
        let (_, again) = mail_and_page(&server).await;
        assert_ne!(again, path, "a new link after a revoke");
        assert_eq!(anonymous(&server, &again, "nl").await.0, 200);

        // Resolved: readable for 30 days, then it says how to reach us again.
        let update = format!("/api/v1/conversations/{conversation}/update");
        let resolved = server.api_post(&update, json!({"status": "resolved"})).await;
        assert_eq!(resolved.status(), 200);
        server.clock.advance(chrono::Duration::days(29));
        assert_eq!(anonymous(&server, &again, "nl").await.0, 200);
        server.clock.advance(chrono::Duration::days(2));
        let (status, _, page) = anonymous(&server, &again, "nl").await;
        assert_eq!(status, 410, "{}", db.name);
        assert!(page.contains("Deze pagina is gesloten"), "{page}");

        // Erased: nothing of them is left to open.
        let customer = mail["customer_id"].as_str().unwrap();
        let (_, fresh) = mail_and_page_of(&server, &MAIL.replace("status-1@", "status-2@")).await;
        assert_eq!(anonymous(&server, &fresh, "nl").await.0, 200);
        let erased = server
            .owner_post(
                &format!("/api/v1/customers/{customer}/erase"),
                json!({"reason": "asked"}),
            )
            .await;
        assert_eq!(erased.status(), 200, "{}", db.name);
        assert_eq!(anonymous(&server, &fresh, "nl").await.0, 404, "{}", db.name);
    }
}

#[tokio::test]
async fn staff_see_the_page_as_the_customer_does_and_a_callback_has_one_too() {
    for db in databases().await {
        let server = TestServer::start(&db.url).await;
        let (mail, _) = mail_and_page(&server).await;
        let conversation = mail["conversation_id"].as_str().unwrap();
        let (mut agent, _) = logged_in(&server, &server.agent_email).await;
        let (_, staff_page) = agent
            .get(&server.url(&format!("/staff/conversations/{conversation}")))
            .await;
        assert!(staff_page.contains("Zoals de klant het ziet"), "{staff_page}");
        let (status, preview) = agent
            .get(&server.url(&format!("/staff/conversations/{conversation}/as-customer")))
            .await;
        assert_eq!(status, 200, "{}", db.name);
        assert!(
            preview.contains("Zo ziet de klant deze pagina.") && preview.contains("/p/"),
            "{preview}"
        );
        assert!(preview.contains("Is mijn fiets al klaar?"));
        assert!(
            preview.contains(&format!("href=\"/staff/conversations/{conversation}\"")),
            "a way back: {preview}"
        );
        assert!(!preview.contains("Link intrekken"), "only owners revoke");
        let (mut owner, _) = logged_in(&server, &server.owner_email).await;
        let (_, preview) = owner
            .get(&server.url(&format!("/staff/conversations/{conversation}/as-customer")))
            .await;
        assert!(preview.contains("Link intrekken"), "{preview}");

        let callback = server
            .created(json!({"phone": "06 12345678", "name": "Jan Jansen", "note": "Over de remmen", "lang": "en"}))
            .await;
        let id = callback["id"].as_str().unwrap();
        let json: Value = server
            .api_get(&format!("/api/v1/callback-requests/{id}"))
            .await
            .json()
            .await
            .unwrap();
        let url = json["status_url"].as_str().unwrap();
        let path = format!("/p/{}", url.split_once("/p/").unwrap().1);
        let (status, _, page) = anonymous(&server, &path, "nl").await;
        assert_eq!(status, 200, "{}", db.name);
        assert!(
            page.contains("will call you today by"),
            "in the language they asked in: {page}"
        );
        assert!(page.contains("Over de remmen"), "{page}");
        assert!(
            page.contains("Your callback request") && page.contains("We will call you on 06"),
            "what it is and the number they can check: {page}"
        );
        let (_, callback_page) = agent.get(&server.url(&format!("/staff/callbacks/{id}"))).await;
        assert!(callback_page.contains(&format!("/staff/callbacks/{id}/as-customer")));
    }
}

#[tokio::test]
async fn the_page_offers_the_customers_coming_appointment_with_its_link_to_move_or_cancel() {
    for db in databases().await {
        let server = TestServer::start(&db.url).await;
        let sanne = staff_id(&server, &server.agent_email).await;
        let (location, service) = eye_test(&server, std::slice::from_ref(&sanne)).await;
        let mut body = booking(&location, &service, "2026-11-26T09:00:00Z");
        body["email"] = json!("jan@example.nl");
        let booked = created(book(&server, body).await).await;
        let (_, path) = mail_and_page(&server).await;
        let (status, _, page) = anonymous(&server, &path, "en").await;
        assert_eq!(status, 200, "{}", db.name);
        assert!(
            page.contains("Your appointments") && page.contains("Eye test · Centrum"),
            "{page}"
        );
        let manage = format!("/appointments/{}/", booked["id"].as_str().unwrap());
        assert!(
            page.contains(&manage),
            "{}: the link to move or cancel it: {page}",
            db.name
        );
        let link = page.split(&manage).nth(1).unwrap().split('"').next().unwrap();
        let (status, _, managed) = anonymous(&server, &format!("{manage}{link}"), "en").await;
        assert_eq!(status, 200, "the link works: {managed}");
    }
}

#[tokio::test]
async fn a_mail_is_acknowledged_once_threaded_with_who_answers_by_when_and_the_link() {
    for db in databases().await {
        let server = TestServer::start_with(&db.url, |c| c.acknowledgements.email = true).await;
        assert_eq!(server.post_email(MAIL).await.status(), 201);
        eventually(10, "the acknowledgement", || async {
            server.smtp.to("jan@example.nl").len() == 1
        })
        .await;
        let read = server.smtp.assert_mime_correct("acknowledgement");
        let mails = server.smtp.mails();
        let to_jan = mails
            .iter()
            .position(|m| m.to.iter().any(|t| t.contains("jan@example.nl")));
        let seen = &read[to_jan.unwrap()];
        assert_eq!(seen["headers"]["in-reply-to"], "<status-1@example.nl>", "{}", db.name);
        assert_eq!(seen["headers"]["auto-submitted"], "auto-replied");
        assert_eq!(seen["headers"]["subject"], "Re: Fiets");
        let text = seen["parts"][0]["text"].as_str().unwrap();
        assert!(text.starts_with("Beste Jan,"), "{text}");
        assert!(text.contains("We hebben uw bericht ontvangen."), "{text}");
        assert!(text.contains("antwoordt u uiterlijk vandaag om"), "{}: {text}", db.name);
        let link = text.lines().find(|l| l.contains("/p/")).expect("the link").trim();
        let path = format!("/p/{}", link.split_once("/p/").unwrap().1);
        assert_eq!(
            anonymous(&server, &path, "nl").await.0,
            200,
            "the link opens their page"
        );

        // Their second mail within four hours, an auto-reply and a bounce: no more.
        server.clock.advance(chrono::Duration::hours(1));
        let again = "From: Jan Jansen <jan@example.nl>\r\nTo: winkel@fiets.test\r\nSubject: Re: Fiets\r\n\
                     In-Reply-To: <status-1@example.nl>\r\nMessage-ID: <status-3@example.nl>\r\n\r\nNog iets: de bel ook graag.\r\n";
        assert_eq!(server.post_email(again).await.status(), 201);
        let away = "From: Piet <piet@example.nl>\r\nTo: winkel@fiets.test\r\nSubject: Afwezig\r\n\
                    Auto-Submitted: auto-replied\r\nMessage-ID: <away-1@example.nl>\r\n\r\nIk ben tot maandag afwezig.\r\n";
        assert_eq!(server.post_email(away).await.status(), 201);
        let bounce = String::from_utf8(mail_fixture("bounce.eml")).unwrap();
        assert!(server.post_email(&bounce).await.status().is_success());
        outbox_drained(&server).await;
        assert_eq!(
            server.smtp.to("jan@example.nl").len(),
            1,
            "{}: once in four hours",
            db.name
        );
        assert!(server.smtp.to("piet@example.nl").is_empty(), "never to an auto-reply");
        let to_daemon = server
            .smtp
            .mails()
            .iter()
            .filter(|m| m.to.iter().any(|t| t.to_lowercase().contains("mailer-daemon")))
            .count();
        assert_eq!(to_daemon, 0, "{}: nothing answers the bounce", db.name);

        // Four hours on, a new question is acknowledged again; in English when written so.
        server.clock.advance(chrono::Duration::hours(4));
        let english = "From: Jan Jansen <jan@example.nl>\r\nTo: winkel@fiets.test\r\nSubject: Re: Fiets\r\n\
                       In-Reply-To: <status-3@example.nl>\r\nMessage-ID: <status-4@example.nl>\r\n\r\n\
                       Could you also check the lights? They do not work in the dark.\r\n";
        assert_eq!(server.post_email(english).await.status(), 201);
        eventually(10, "the second acknowledgement", || async {
            server.smtp.to("jan@example.nl").len() == 2
        })
        .await;
        let second = &server.smtp.to("jan@example.nl")[1];
        assert!(
            second.text.contains("We have received your message."),
            "{}",
            second.text
        );
    }
}

#[tokio::test]
async fn an_owner_switches_acknowledgements_off_and_then_none_is_sent() {
    for db in databases().await {
        let server = TestServer::start_with(&db.url, |c| c.acknowledgements.email = true).await;
        let (mut owner, csrf) = logged_in(&server, &server.owner_email).await;
        let (_, page) = owner.get(&server.url("/staff/settings")).await;
        assert!(
            page.contains("name=\"acknowledge_email\" value=\"1\" checked"),
            "on: {page}"
        );
        let settings: Value = server.owner_get("/api/v1/settings").await.json().await.unwrap();
        assert_eq!(
            settings["acknowledgements"],
            json!({"email": true, "callback_form": true})
        );
        let mut off = settings.clone();
        off["acknowledgements"]["email"] = json!(false);
        let saved = server.owner_put("/api/v1/settings", off).await;
        assert_eq!(saved.status(), 200, "{}", db.name);
        let (_, page) = owner.get(&server.url("/staff/settings")).await;
        assert!(
            page.contains("name=\"acknowledge_email\" value=\"1\">"),
            "off on the page: {page}"
        );
        let _ = csrf;
        assert_eq!(server.post_email(MAIL).await.status(), 201);
        outbox_drained(&server).await;
        assert!(server.smtp.to("jan@example.nl").is_empty(), "{}", db.name);
    }
}

#[tokio::test]
async fn the_call_me_back_forms_thank_you_page_links_to_the_requests_own_page() {
    for db in databases().await {
        let server = TestServer::start(&db.url).await;
        let thanks = server
            .http
            .post(server.url("/callback"))
            .form(&[
                ("phone", "06 12345678"),
                ("window", "asap"),
                ("lang", "nl"),
                ("name", "Jan"),
            ])
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(thanks.contains("Volg hier hoe uw verzoek ervoor staat"), "{thanks}");
        let path = thanks
            .split("id=\"follow\"")
            .next()
            .and_then(|before| before.rsplit("href=\"").next())
            .and_then(|rest| rest.split('"').next())
            .unwrap()
            .to_string();
        assert!(path.starts_with("/p/"), "{path}");
        let (status, _, page) = anonymous(&server, &path, "en").await;
        assert_eq!(status, 200, "{}", db.name);
        assert!(page.contains("belt u uiterlijk"), "in the form's language: {page}");
    }
}
