//! The team, run by the owner: invitations with a one-time link, password resets, roles, taking
//! someone off the team with a hand-over, one's own password and API tokens. On both databases.

use crate::support::*;
use reqwest::StatusCode;
use reqwest::header::LOCATION;
use serde_json::{Value, json};

/// Where a form's redirect leads, as the browser would show it next.
async fn after(browser: &mut Browser, server: &TestServer, response: reqwest::Response) -> String {
    assert_eq!(
        response.status(),
        StatusCode::SEE_OTHER,
        "a form answers with a redirect"
    );
    let to = response.headers()[LOCATION].to_str().unwrap().to_string();
    browser.get(&server.url(&to)).await.1
}

/// A link kept made, on this test server (the configured base URL names port 0).
pub(crate) fn local(server: &TestServer, link: &str) -> String {
    server.url(&link[link.find("/password/").expect("a password link")..])
}

/// The one-time link in the last e-mail to `address`.
pub(crate) fn link_in_mail(server: &TestServer, address: &str) -> String {
    let mail = server.smtp.to(address).pop().expect("an e-mail");
    let start = mail.text.find("/password/").expect("a password link");
    let token: String = mail.text[start + 10..]
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '_')
        .collect();
    server.url(&format!("/password/{token}"))
}

pub(crate) async fn login_status(server: &TestServer, email: &str, password: &str) -> StatusCode {
    let mut browser = Browser::new();
    let (_, login) = browser.get(&server.url("/login")).await;
    browser
        .post(
            &server.url("/login"),
            &[("email", email), ("password", password), ("csrf", &hidden_csrf(&login))],
        )
        .await
        .status()
}

fn id_of(staff: &[kept_store::Staff], email: &str) -> String {
    staff.iter().find(|s| s.email == email).unwrap().id.clone()
}

#[tokio::test]
async fn an_invited_agent_sets_a_password_through_the_emailed_link_and_logs_in() {
    for db in databases().await {
        let server = TestServer::start(&db.url).await;
        let refused = server
            .api_post(
                "/api/v1/staff",
                json!({"email": "piet@fiets.test", "name": "Piet", "role": "agent"}),
            )
            .await;
        assert_eq!(refused.status(), 403, "{}: agents do not invite", db.name);
        let bad = server
            .owner_post(
                "/api/v1/staff",
                json!({"email": "piet", "name": "Piet", "role": "agent"}),
            )
            .await;
        assert_eq!(bad.status(), 422);
        let body: Value = bad.json().await.unwrap();
        assert_eq!(body["fields"][0]["field"], "email", "{body}");
        // A blank name and a bad address: both named in one answer.
        let both = server
            .owner_post("/api/v1/staff", json!({"email": "piet", "name": " ", "role": "agent"}))
            .await;
        assert_eq!(both.status(), 422);
        let body: Value = both.json().await.unwrap();
        let fields: Vec<&str> = body["fields"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| f["field"].as_str().unwrap())
            .collect();
        assert_eq!(fields, ["name", "email"], "{body}");
        let taken = server
            .owner_post(
                "/api/v1/staff",
                json!({"email": "Sanne@fiets.test", "name": "Sanne 2", "role": "agent"}),
            )
            .await;
        assert_eq!(taken.status(), 409, "{}: an address already on the team", db.name);

        let invited = server
            .owner_post(
                "/api/v1/staff",
                json!({"email": "piet@fiets.test", "name": "Piet", "role": "agent", "lang": "en"}),
            )
            .await;
        assert_eq!(invited.status(), 201, "{}", db.name);
        let invited: Value = invited.json().await.unwrap();
        assert_eq!(invited["staff"]["invited"], true);
        eventually(10, "the invitation e-mail", || async {
            !server.smtp.to("piet@fiets.test").is_empty()
        })
        .await;
        let mail = server.smtp.to("piet@fiets.test").pop().unwrap();
        assert!(mail.subject.contains("Welcome to Fietsenmaker"), "{}", mail.subject);
        assert!(mail.text.contains("Olga added you"), "{}", mail.text);
        let link = link_in_mail(&server, "piet@fiets.test");
        assert_eq!(
            local(&server, invited["password_link"].as_str().unwrap()),
            link,
            "the API hands out the same link"
        );
        // Once the mail is out the database keeps only the link's hash: a copy of the
        // database holds no working link, and the link itself still works.
        let hash = kept_app::auth::token_hash(link.rsplit('/').next().unwrap());
        eventually(10, "the token forgotten after delivery", || async {
            let now = kept_domain::Clock::now(&server.clock);
            let view = server.store.usable_password_link(&hash, now).await.unwrap();
            view.is_some_and(|view| view.token.is_none())
        })
        .await;
        assert_eq!(
            login_status(&server, "piet@fiets.test", "").await,
            StatusCode::UNAUTHORIZED,
            "{}: no password yet, no login",
            db.name
        );

        let mut browser = Browser::new();
        let (status, page) = browser.get(&link).await;
        assert_eq!(status, StatusCode::OK);
        assert!(
            page.contains("Welcome, Piet") && page.contains("piet@fiets.test"),
            "{page}"
        );
        let short = browser.post(&link, &[("password", "kort"), ("repeat", "kort")]).await;
        assert_eq!(short.status(), StatusCode::UNPROCESSABLE_ENTITY);
        assert!(short.text().await.unwrap().contains("at least 10 characters"));
        let differ = browser
            .post(
                &link,
                &[("password", "fietsen in de regen"), ("repeat", "fietsen in de zon")],
            )
            .await;
        assert!(differ.text().await.unwrap().contains("not the same"));
        let set = browser
            .post(
                &link,
                &[("password", "fietsen in de regen"), ("repeat", "fietsen in de regen")],
            )
            .await;
        assert_eq!(set.status(), StatusCode::SEE_OTHER, "{}", db.name);
        assert_eq!(set.headers()[LOCATION], "/staff");
        let (status, home) = browser.get(&server.url("/staff")).await;
        assert_eq!(status, StatusCode::OK, "{}: logged in straight away", db.name);
        assert!(home.contains("Piet"));

        let (status, used) = browser.get(&link).await;
        assert_eq!(status, StatusCode::GONE, "{}: the link works once", db.name);
        assert!(used.contains("no longer works") || used.contains("werkt niet meer"));
        assert_eq!(
            login_status(&server, "piet@fiets.test", "fietsen in de regen").await,
            StatusCode::SEE_OTHER
        );
        server.smtp.assert_mime_correct(db.name);
    }
}

#[tokio::test]
async fn a_reset_link_replaces_the_password_and_ends_the_old_sessions() {
    for db in databases().await {
        let server = TestServer::start(&db.url).await;
        let agent = id_of(&server.store.list_staff().await.unwrap(), &server.agent_email);
        let (mut old_session, _) = logged_in(&server, &server.agent_email).await;
        assert_eq!(server.api_get("/api/v1/promises").await.status(), StatusCode::OK);
        let first = server
            .owner_post(&format!("/api/v1/staff/{agent}/reset-password"), json!({}))
            .await;
        assert_eq!(first.status(), 202);
        let first: Value = first.json().await.unwrap();
        let second: Value = server
            .owner_post(&format!("/api/v1/staff/{agent}/reset-password"), json!({}))
            .await
            .json()
            .await
            .unwrap();
        let (first, second) = (
            local(&server, first["password_link"].as_str().unwrap()),
            local(&server, second["password_link"].as_str().unwrap()),
        );
        let (first, second) = (first.as_str(), second.as_str());
        assert_ne!(first, second);
        // The mail goes out before the link in it is used: once used, the link is no longer
        // kept to be mailed (the outbox would wait on it in vain).
        eventually(10, "the reset e-mail", || async {
            server
                .smtp
                .to(&server.agent_email)
                .iter()
                .any(|m| m.subject.contains("Nieuw wachtwoord"))
        })
        .await;
        assert_eq!(
            login_status(&server, &server.agent_email, PASSWORD).await,
            StatusCode::SEE_OTHER,
            "{}: the old password works until the link is used",
            db.name
        );
        let mut browser = Browser::new();
        assert_eq!(
            browser.get(first).await.0,
            StatusCode::GONE,
            "{}: a newer link replaces it",
            db.name
        );
        let (_, page) = browser.get(second).await;
        assert!(page.contains("nieuw wachtwoord"), "Sanne reads Dutch: {page}");
        let set = browser
            .post(
                second,
                &[("password", "een nieuw wachtwoord"), ("repeat", "een nieuw wachtwoord")],
            )
            .await;
        assert_eq!(set.status(), StatusCode::SEE_OTHER);
        assert_eq!(
            login_status(&server, &server.agent_email, PASSWORD).await,
            StatusCode::UNAUTHORIZED
        );
        assert_eq!(
            old_session.get(&server.url("/staff")).await.0,
            StatusCode::SEE_OTHER,
            "{}: logged out",
            db.name
        );
        assert_eq!(
            server.api_get("/api/v1/promises").await.status(),
            StatusCode::UNAUTHORIZED,
            "{}: the API tokens of the old password go with its sessions",
            db.name
        );
    }
}

#[tokio::test]
async fn taking_someone_off_the_team_hands_over_their_work_and_locks_them_out() {
    for db in databases().await {
        let server = TestServer::start(&db.url).await;
        let staff = server.store.list_staff().await.unwrap();
        let (agent, owner) = (id_of(&staff, &server.agent_email), id_of(&staff, &server.owner_email));
        let callback = server.created(json!({"phone": "0612345678", "name": "Jan"})).await;
        assert_eq!(callback["owner"], "Sanne");
        let stored: Value = server
            .post_email(
                "From: Klant <klant@example.nl>\r\nTo: winkel@fiets.test\r\nSubject: Band\r\n\
                 Message-ID: <team-1@example.nl>\r\n\r\nHallo.\r\n",
            )
            .await
            .json()
            .await
            .unwrap();
        let conversation_id = stored["conversation_id"].as_str().unwrap().to_string();
        let (mut agent_browser, _) = logged_in(&server, &server.agent_email).await;

        let by_agent = server
            .api_post(
                &format!("/api/v1/staff/{owner}/deactivate"),
                json!({"hand_over_to": agent}),
            )
            .await;
        assert_eq!(by_agent.status(), 403, "{}", db.name);
        let own = server
            .owner_post(
                &format!("/api/v1/staff/{owner}/deactivate"),
                json!({"hand_over_to": agent}),
            )
            .await;
        assert_eq!(own.status(), 409, "{}: not yourself", db.name);
        let to_self = server
            .owner_post(
                &format!("/api/v1/staff/{agent}/deactivate"),
                json!({"hand_over_to": agent}),
            )
            .await;
        assert_eq!(to_self.status(), 422, "{}: the work goes to someone else", db.name);

        let done = server
            .owner_post(
                &format!("/api/v1/staff/{agent}/deactivate"),
                json!({"hand_over_to": owner}),
            )
            .await;
        assert_eq!(done.status(), 204, "{}", db.name);
        let callback_now: Value = server
            .owner_get(&format!(
                "/api/v1/callback-requests/{}",
                callback["id"].as_str().unwrap()
            ))
            .await
            .json()
            .await
            .unwrap();
        assert_eq!(callback_now["owner"], "Olga", "{}: the promise moved", db.name);
        let conversation: Value = server
            .owner_get(&format!("/api/v1/conversations/{conversation_id}"))
            .await
            .json()
            .await
            .unwrap();
        assert_eq!(
            conversation["assignee_name"], "Olga",
            "{}: the conversation moved",
            db.name
        );

        assert_eq!(
            server.api_get("/api/v1/conversations").await.status(),
            401,
            "{}: token stopped",
            db.name
        );
        assert_eq!(agent_browser.get(&server.url("/staff")).await.0, StatusCode::SEE_OTHER);
        assert_eq!(
            login_status(&server, &server.agent_email, PASSWORD).await,
            StatusCode::UNAUTHORIZED,
            "{}: cannot log in",
            db.name
        );
        let list: Vec<Value> = server.owner_get("/api/v1/staff").await.json().await.unwrap();
        let sanne = list.iter().find(|s| s["email"] == "sanne@fiets.test").unwrap();
        assert_eq!(sanne["active"], false);
        let next = server.created(json!({"phone": "0687654321"})).await;
        assert_eq!(next["owner"], "Olga", "{}: no new work for someone who left", db.name);
    }
}

#[tokio::test]
async fn roles_change_but_the_team_always_keeps_an_owner() {
    for db in databases().await {
        let server = TestServer::start(&db.url).await;
        let staff = server.store.list_staff().await.unwrap();
        let (agent, owner) = (id_of(&staff, &server.agent_email), id_of(&staff, &server.owner_email));
        let put = |token: String, id: String, body: Value| {
            let request = server
                .http
                .put(server.url(&format!("/api/v1/staff/{id}")))
                .bearer_auth(token)
                .json(&body);
            async move { request.send().await.unwrap() }
        };
        let last = put(server.owner_token.clone(), owner.clone(), json!({"role": "agent"})).await;
        assert_eq!(last.status(), 409, "{}", db.name);
        let body: Value = last.json().await.unwrap();
        assert_eq!(body["fields"][0]["code"], "last_owner", "{body}");
        let by_agent = put(server.token.clone(), agent.clone(), json!({"role": "owner"})).await;
        assert_eq!(by_agent.status(), 403);
        let promoted = put(
            server.owner_token.clone(),
            agent.clone(),
            json!({"role": "owner", "name": "Sanne de Vries"}),
        )
        .await;
        assert_eq!(promoted.status(), 200);
        let promoted: Value = promoted.json().await.unwrap();
        assert_eq!(
            (promoted["role"].as_str(), promoted["name"].as_str()),
            (Some("owner"), Some("Sanne de Vries"))
        );
        let stepped_down = put(server.owner_token.clone(), owner.clone(), json!({"role": "agent"})).await;
        assert_eq!(stepped_down.status(), 200, "{}: now there is another owner", db.name);
        let blank = put(server.token.clone(), owner, json!({"name": "  "})).await;
        assert_eq!(blank.status(), 422);
    }
}

#[tokio::test]
async fn staff_change_their_own_password_and_manage_their_tokens_on_the_account_page() {
    let db = TestDatabase::sqlite();
    let server = TestServer::start(&db.url).await;
    let (mut elsewhere, _) = logged_in(&server, &server.agent_email).await;
    let (mut browser, _) = logged_in(&server, &server.agent_email).await;
    let (status, page) = browser.get(&server.url("/staff/account")).await;
    assert_eq!(status, StatusCode::OK);
    let csrf = hidden_csrf(&page);
    let wrong = browser
        .post(
            &server.url("/staff/account/password"),
            &[
                ("csrf", &csrf),
                ("current_password", "niet het wachtwoord"),
                ("password", "een heel nieuw wachtwoord"),
                ("repeat", "een heel nieuw wachtwoord"),
            ],
        )
        .await;
    assert_eq!(wrong.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(wrong.text().await.unwrap().contains("huidige wachtwoord klopt niet"));
    let changed = browser
        .post(
            &server.url("/staff/account/password"),
            &[
                ("csrf", &csrf),
                ("current_password", PASSWORD),
                ("password", "een heel nieuw wachtwoord"),
                ("repeat", "een heel nieuw wachtwoord"),
            ],
        )
        .await;
    assert!(after(&mut browser, &server, changed).await.contains("is gewijzigd"));
    assert_eq!(
        browser.get(&server.url("/staff")).await.0,
        StatusCode::OK,
        "this session stays"
    );
    assert_eq!(
        elsewhere.get(&server.url("/staff")).await.0,
        StatusCode::SEE_OTHER,
        "others end"
    );

    let created = browser
        .post(
            &server.url("/staff/account/tokens"),
            &[("csrf", &csrf), ("name", "website")],
        )
        .await;
    let page = after(&mut browser, &server, created).await;
    let (_, reloaded) = browser.get(&server.url("/staff/account")).await;
    assert!(!reloaded.contains("new-token"), "a token is shown once");
    let start = page.find("id=\"new-token\" readonly value=\"").unwrap() + 31;
    let token = page[start..].split('"').next().unwrap().to_string();
    let listed: Vec<Value> = server
        .http
        .get(server.url("/api/v1/tokens"))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let website = listed
        .iter()
        .find(|t| t["name"] == "website")
        .expect("the new token, by name");
    assert!(
        listed.iter().all(|t| t["staff_name"] == "Sanne"),
        "an agent sees their own tokens only"
    );
    let id = website["id"].as_str().unwrap();

    let owner_tokens: Vec<Value> = server.owner_get("/api/v1/tokens").await.json().await.unwrap();
    let owners = owner_tokens.iter().find(|t| t["staff_name"] == "Olga").unwrap()["id"]
        .as_str()
        .unwrap()
        .to_string();
    let not_hers = server
        .post_as(&token, &format!("/api/v1/tokens/{owners}/revoke"), json!({}))
        .await;
    assert_eq!(not_hers.status(), 404, "an agent cannot revoke someone else's token");

    let revoked = browser
        .post(
            &server.url(&format!("/staff/account/tokens/{id}/revoke")),
            &[("csrf", &csrf)],
        )
        .await;
    assert_eq!(revoked.status(), StatusCode::SEE_OTHER);
    let after = server
        .http
        .get(server.url("/api/v1/tokens"))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(after.status(), 401, "a revoked token stops working");
}

/// The owner invites on the team page and manages someone from there; an agent sees no such forms.
#[tokio::test]
async fn the_owner_runs_the_team_from_the_team_page() {
    let db = TestDatabase::sqlite();
    let server = TestServer::start(&db.url).await;
    let (mut agent, _) = logged_in(&server, &server.agent_email).await;
    let (_, agent_page) = agent.get(&server.url("/staff/team")).await;
    assert!(
        !agent_page.contains("/staff/team/invite"),
        "agents get no team management"
    );

    let (mut owner, csrf) = logged_in(&server, &server.owner_email).await;
    let invited = owner
        .post(
            &server.url("/staff/team/invite"),
            &[
                ("csrf", &csrf),
                ("name", "Piet"),
                ("email", "piet@fiets.test"),
                ("role", "agent"),
                ("lang", "nl"),
            ],
        )
        .await;
    let page = after(&mut owner, &server, invited).await;
    assert!(page.contains("Uitnodiging verstuurd naar Piet"), "{page}");
    assert!(page.contains("/password/"), "the link to pass on by hand");
    assert!(page.contains("Uitgenodigd, nog geen wachtwoord"));
    let (_, again) = owner.get(&server.url("/staff/team")).await;
    assert!(!again.contains("/password/"), "the link is shown once");
    let stand_ins = again
        .split("<select id=\"delegate\"")
        .nth(1)
        .unwrap()
        .split("</select>")
        .next()
        .unwrap();
    assert!(
        stand_ins.contains("Sanne") && !stand_ins.contains("Piet"),
        "someone still invited stands in for nobody: {stand_ins}"
    );
    let staff = server.store.list_staff().await.unwrap();
    let piet = id_of(&staff, "piet@fiets.test");
    let renamed = owner
        .post(
            &server.url(&format!("/staff/team/{piet}")),
            &[("csrf", &csrf), ("name", "Piet Bakker"), ("role", "owner")],
        )
        .await;
    assert!(after(&mut owner, &server, renamed).await.contains("Opgeslagen"));
    let now = server.store.staff_by_id(&piet).await.unwrap().unwrap();
    assert_eq!((now.name.as_str(), now.role), ("Piet Bakker", kept_domain::Role::Owner));
    let olga = id_of(&staff, &server.owner_email);
    let off = owner
        .post(
            &server.url(&format!("/staff/team/{piet}/deactivate")),
            &[("csrf", &csrf), ("hand_over_to", &olga)],
        )
        .await;
    let page = after(&mut owner, &server, off).await;
    assert!(page.contains("overgedragen aan Olga"), "{page}");
    assert!(page.contains("Vroegere teamleden"));
    let refused = agent
        .post(
            &server.url("/staff/team/invite"),
            &[
                ("csrf", &hidden_csrf(&agent_page)),
                ("name", "X"),
                ("email", "x@fiets.test"),
                ("role", "agent"),
                ("lang", "nl"),
            ],
        )
        .await;
    assert_eq!(refused.status(), StatusCode::FORBIDDEN);
}

/// Alone on the team: the page says why there is no stand-in instead of an empty list.
#[tokio::test]
async fn a_one_person_team_is_told_why_there_is_no_stand_in() {
    let db = TestDatabase::sqlite();
    let server = TestServer::start(&db.url).await;
    let (mut owner, _) = logged_in(&server, &server.owner_email).await;
    let (_, page) = owner.get(&server.url("/staff/team?lang=nl")).await;
    assert!(
        !page.contains("id=\"no-stand-in\""),
        "two on the team: a stand-in to choose"
    );
    let staff = server.store.list_staff().await.unwrap();
    let (agent, me) = (id_of(&staff, &server.agent_email), id_of(&staff, &server.owner_email));
    let off = server
        .owner_post(
            &format!("/api/v1/staff/{agent}/deactivate"),
            json!({"hand_over_to": me}),
        )
        .await;
    assert_eq!(off.status(), StatusCode::NO_CONTENT);
    let (_, page) = owner.get(&server.url("/staff/team?lang=nl")).await;
    assert!(
        page.contains("id=\"no-stand-in\"") && page.contains("U bent de enige"),
        "{page}"
    );
    server.running.stop().await;
}
