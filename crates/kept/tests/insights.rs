//! The figures against a fixture worked out by hand, on both databases: callbacks across a
//! night and a weekend (time counted in opening hours), one left open; agents see their own
//! figures only; the CSV has the JSON's rows.

use crate::support::*;
use chrono::{TimeZone, Utc};
use reqwest::StatusCode;
use serde_json::{Value, json};

async fn called_back(server: &TestServer, requested: chrono::DateTime<Utc>, called: Option<chrono::DateTime<Utc>>) {
    server.clock.set(requested);
    let callback = server
        .created(json!({"phone": "06 12345678", "name": "Jan", "window": "asap"}))
        .await;
    if let Some(called) = called {
        server.clock.set(called);
        let id = callback["id"].as_str().unwrap();
        let outcome = server
            .api_post(
                &format!("/api/v1/callback-requests/{id}/outcome"),
                json!({"outcome": "reached"}),
            )
            .await;
        assert_eq!(outcome.status(), StatusCode::OK);
    }
}

#[tokio::test]
async fn callback_figures_count_opening_hours_and_agents_see_their_own() {
    for db in databases().await {
        let server = TestServer::start(&db.url).await;
        // Tuesday 24 November 22:00 → Wednesday 09:10 (Amsterdam): 10 minutes of opening.
        called_back(
            &server,
            Utc.with_ymd_and_hms(2026, 11, 24, 21, 0, 0).unwrap(),
            Some(Utc.with_ymd_and_hms(2026, 11, 25, 8, 10, 0).unwrap()),
        )
        .await;
        // Friday 27 November 17:00 → Monday 30 November 09:30: 30 + 30 minutes.
        called_back(
            &server,
            Utc.with_ymd_and_hms(2026, 11, 27, 16, 0, 0).unwrap(),
            Some(Utc.with_ymd_and_hms(2026, 11, 30, 8, 30, 0).unwrap()),
        )
        .await;
        // Saturday 28 November, not called yet.
        called_back(&server, Utc.with_ymd_and_hms(2026, 11, 28, 10, 0, 0).unwrap(), None).await;

        let path = "/api/v1/insights?from=2026-11-23&to=2026-11-29&group_by=kind";
        let owner: Value = server.owner_get(path).await.json().await.unwrap();
        assert_eq!(owner["groups"].as_array().unwrap().len(), 1, "{}: {owner}", db.name);
        let callbacks = &owner["groups"][0];
        assert_eq!(callbacks["key"], "callback");
        assert_eq!(
            (
                callbacks["made"].clone(),
                callbacks["kept"].clone(),
                callbacks["broken"].clone(),
                callbacks["open"].clone()
            ),
            (json!(3), json!(2), json!(0), json!(1)),
            "{}: {callbacks}",
            db.name
        );
        assert_eq!(callbacks["kept_pct"], 100.0);
        assert_eq!(
            (callbacks["median_minutes"].clone(), callbacks["p90_minutes"].clone()),
            (json!(10), json!(60))
        );

        // The week before: nothing. A bad date: 422 naming it.
        let before: Value = server
            .owner_get("/api/v1/insights?from=2026-11-16&to=2026-11-22")
            .await
            .json()
            .await
            .unwrap();
        assert_eq!(before["groups"], json!([]));
        let bad = server.owner_get("/api/v1/insights?from=23-11-2026&to=2026-11-29").await;
        assert_eq!(bad.status(), StatusCode::UNPROCESSABLE_ENTITY);

        // An agent sees their own figures only; someone else's are the owner's to see.
        let sanne = staff_id(&server, &server.agent_email).await;
        let olga = staff_id(&server, &server.owner_email).await;
        let own: Value = server
            .api_get("/api/v1/insights?from=2026-11-23&to=2026-11-29&group_by=staff")
            .await
            .json()
            .await
            .unwrap();
        for group in own["groups"].as_array().unwrap() {
            assert_eq!(group["key"], sanne.as_str(), "{}: {own}", db.name);
        }
        let others = server
            .api_get(&format!("/api/v1/insights?from=2026-11-23&to=2026-11-29&staff={olga}"))
            .await;
        assert_eq!(others.status(), StatusCode::FORBIDDEN);

        // The CSV has the same rows.
        let csv = server
            .owner_get(&format!("{path}&format=csv"))
            .await
            .text()
            .await
            .unwrap();
        let lines: Vec<&str> = csv.lines().collect();
        assert_eq!(
            lines[0],
            "key,made,kept,broken,open,cancelled,kept_pct,median_minutes,p90_minutes"
        );
        assert_eq!(lines[1], "callback,3,2,0,1,0,100.0,10,60", "{}", db.name);
        server.running.stop().await;
    }
}

/// The callbacks of the week of 22 March 2027, when the clocks go forward on Sunday: one
/// across the night, one done late, one across the weekend and the clock change.
async fn week_with_a_clock_change(server: &TestServer) {
    let at = |d, h, m| Utc.with_ymd_and_hms(2027, 3, d, h, m, 0).unwrap();
    // Tuesday 10:00 → 14:00: 240 minutes, 90 were promised: kept late, so broken.
    called_back(server, at(23, 9, 0), Some(at(23, 13, 0))).await;
    // Wednesday 22:00 → Thursday 09:10: 10 minutes.
    called_back(server, at(24, 21, 0), Some(at(25, 8, 10))).await;
    // Friday 17:00 (UTC+1) → Monday 09:30 (UTC+2): 30 + 30 = 60 minutes, not 63.5 hours.
    called_back(server, at(26, 16, 0), Some(at(29, 7, 30))).await;
}

/// The owner's figures page for today (Amsterdam), as the other features' tests read it.
pub(crate) async fn figures_of_today(server: &TestServer) -> String {
    let today = kept_domain::Clock::now(&server.clock)
        .with_timezone(&chrono_tz::Europe::Amsterdam)
        .date_naive();
    let (mut owner, _) = logged_in(server, &server.owner_email).await;
    let (_, figures) = owner
        .get(&server.url(&format!("/staff/insights?period=custom&from={today}&to={today}")))
        .await;
    figures
}

/// The part of a page from a figure's section to its end.
pub(crate) fn figure<'a>(page: &'a str, id: &str) -> &'a str {
    let start = page
        .find(&format!("id=\"figure-{id}\""))
        .unwrap_or_else(|| panic!("no figure {id}"));
    let rest = &page[start..];
    &rest[..rest.find("</section>").unwrap_or(rest.len())]
}

#[tokio::test]
async fn a_week_with_a_clock_change_on_the_page_in_both_languages_and_as_csv() {
    for db in databases().await {
        let server = TestServer::start(&db.url).await;
        week_with_a_clock_change(&server).await;
        let path = "/api/v1/insights?from=2027-03-22&to=2027-03-28&group_by=kind";
        let api: Value = server.owner_get(path).await.json().await.unwrap();
        let callbacks = &api["groups"][0];
        assert_eq!(
            (
                callbacks["made"].clone(),
                callbacks["kept"].clone(),
                callbacks["broken"].clone()
            ),
            (json!(3), json!(2), json!(1)),
            "{}: {api}",
            db.name
        );
        // 2 of 3 kept: 66.7 %. Minutes 10, 60, 240: median 60, p90 240 (nearest rank).
        assert_eq!(callbacks["kept_pct"], 66.7);
        assert_eq!(
            (callbacks["median_minutes"].clone(), callbacks["p90_minutes"].clone()),
            (json!(60), json!(240))
        );

        let (mut owner, _) = logged_in(&server, &server.owner_email).await;
        let query = "period=custom&from=2027-03-22&to=2027-03-28";
        let (status, page) = owner.get(&server.url(&format!("/staff/insights?{query}"))).await;
        assert_eq!(status, StatusCode::OK);
        assert!(page.contains("<h1>Cijfers</h1>"), "{}", db.name);
        // Kept % per day: a point for each day on which a promise was made (Tuesday 0 %,
        // Wednesday and Friday 100 %), seven days on the axis.
        let over_time = figure(&page, "over_time");
        assert_eq!(over_time.matches("class=\"point\"").count(), 3, "{}", db.name);
        assert!(over_time.contains("<title>23 maart: 0,0 %</title>"), "{over_time}");
        // Broken by kind: one bar (callbacks); the callback speed in six buckets: 10 minutes,
        // 60 minutes and 240 minutes.
        let kinds = figure(&page, "kinds");
        assert_eq!(kinds.matches("class=\"bar\"").count(), 1);
        assert!(kinds.contains("<title>Terugbellen: 1</title>"), "{kinds}");
        let speed = figure(&page, "callback_speed");
        assert_eq!(speed.matches("class=\"bar\"").count(), 6);
        for bucket in ["tot 15 min: 1", "tot 60 min: 1", "tot 240 min: 1", "tot 30 min: 0"] {
            assert!(speed.contains(&format!("<title>{bucket}</title>")), "{bucket}: {speed}");
        }
        // The week before, for comparison: nothing.
        assert!(page.contains("15 maart 2027 – 21 maart 2027"), "{}", db.name);

        // Every table downloads as CSV with the rows the page shows.
        let csv = owner
            .get(&server.url(&format!("/staff/insights/csv/kinds?{query}")))
            .await
            .1;
        let lines: Vec<&str> = csv.lines().collect();
        assert_eq!(
            lines[0],
            "Soort belofte;Gemaakt;Nagekomen;Gebroken;Open;Nagekomen %;Mediaan (min);P90 (min)"
        );
        assert_eq!(lines[1], "Terugbellen;3;2;1;0;66,7;60;240", "{}", db.name);
        let unknown = owner
            .get(&server.url(&format!("/staff/insights/csv/nothing?{query}")))
            .await;
        assert_eq!(unknown.0, StatusCode::NOT_FOUND);

        // In English.
        let (_, english) = owner
            .get(&server.url(&format!("/staff/insights?{query}&lang=en")))
            .await;
        assert!(english.contains("<h1>Figures</h1>"));
        assert!(
            figure(&english, "kinds").contains("<title>Call back: 1</title>"),
            "{}",
            db.name
        );

        // Dates that make no period: said so, and last week shown instead.
        let (status, bad) = owner
            .get(&server.url("/staff/insights?period=custom&from=2027-03-28&to=2027-03-22"))
            .await;
        assert_eq!(status, StatusCode::OK);
        assert!(bad.contains("id=\"period-error\""));

        // An agent sees their own figures; the owner's are not theirs to see.
        let (mut agent, _) = logged_in(&server, &server.agent_email).await;
        let (status, own) = agent.get(&server.url(&format!("/staff/insights?{query}"))).await;
        assert_eq!(status, StatusCode::OK);
        assert!(own.contains("Uw eigen cijfers"));
        let olga = staff_id(&server, &server.owner_email).await;
        let (status, _) = agent
            .get(&server.url(&format!("/staff/insights?{query}&staff={olga}")))
            .await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{}", db.name);
        server.running.stop().await;
    }
}

#[tokio::test]
async fn the_owners_get_last_weeks_figures_on_monday_at_eight_once() {
    for db in databases().await {
        let server = TestServer::start_with(&db.url, |c| c.weekly_figures_email = true).await;
        // The week's callbacks as far as Monday morning knows them: Tuesday's made late,
        // Wednesday's on time, Friday's not yet (the clock only moves forward).
        let at = |d, h, m| Utc.with_ymd_and_hms(2027, 3, d, h, m, 0).unwrap();
        called_back(&server, at(23, 9, 0), Some(at(23, 13, 0))).await;
        called_back(&server, at(24, 21, 0), Some(at(25, 8, 10))).await;
        called_back(&server, at(26, 16, 0), None).await;
        let state = &server.running.state;
        // Monday 29 March 07:59 in Amsterdam (UTC+2 since Sunday): not yet.
        server.clock.set(Utc.with_ymd_and_hms(2027, 3, 29, 5, 59, 0).unwrap());
        assert!(!kept_server::workers::send_weekly_figures(state).await);
        server.clock.set(Utc.with_ymd_and_hms(2027, 3, 29, 6, 0, 0).unwrap());
        eventually(10, "the weekly figures", || async {
            !server
                .smtp
                .to(&server.owner_email)
                .iter()
                .all(|m| !m.subject.contains("cijfers"))
        })
        .await;
        // Claimed once, whoever looks again.
        assert!(!kept_server::workers::send_weekly_figures(state).await);
        let mails: Vec<_> = server
            .smtp
            .to(&server.owner_email)
            .into_iter()
            .filter(|m| m.subject.contains("cijfers"))
            .collect();
        assert_eq!(mails.len(), 1, "{}", db.name);
        let mail = &mails[0];
        assert_eq!(mail.subject, "Uw week in cijfers: 22 maart – 28 maart");
        assert!(
            mail.text
                .contains("3 beloftes gemaakt, 1 nagekomen, 1 gebroken, 1 nog open"),
            "{}",
            mail.text
        );
        assert!(mail.html.contains("<svg"), "the charts are in the e-mail");
        assert!(
            mail.html
                .contains("/staff/insights?period=custom&#38;from=2027-03-22&#38;to=2027-03-28"),
            "{}",
            mail.html
        );
        assert!(
            server
                .smtp
                .to(&server.agent_email)
                .iter()
                .all(|m| !m.subject.contains("cijfers")),
            "agents do not get the business's figures"
        );

        // Switched off by the owner: the next Monday passes without one.
        let off = server
            .http
            .put(server.url("/api/v1/settings"))
            .bearer_auth(&server.owner_token)
            .json(&json!({"weekly_figures_email": false}))
            .send()
            .await
            .unwrap();
        assert_eq!(off.status(), StatusCode::OK);
        server.clock.set(Utc.with_ymd_and_hms(2027, 4, 5, 6, 30, 0).unwrap());
        assert!(!kept_server::workers::send_weekly_figures(state).await);
        server.smtp.assert_mime_correct(db.name);
        server.running.stop().await;
    }
}

/// The first Monday after installing: nothing happened in the week it would report, so the
/// owners get no e-mail full of zeros (the item is handled, nothing is sent).
#[tokio::test]
async fn a_week_before_kept_was_in_use_sends_no_figures() {
    let db = TestDatabase::sqlite();
    let server = TestServer::start_with(&db.url, |c| c.weekly_figures_email = true).await;
    server.clock.set(Utc.with_ymd_and_hms(2027, 3, 29, 6, 0, 0).unwrap());
    assert!(
        kept_server::workers::send_weekly_figures(&server.running.state).await,
        "claimed"
    );
    eventually(10, "the week's item handled", || async {
        let listed: Value = server.owner_get("/api/v1/deliveries").await.json().await.unwrap();
        listed
            .as_array()
            .unwrap()
            .iter()
            .any(|d| d["event"] == "insights.digest" && d["status"] == "delivered")
    })
    .await;
    assert!(
        server.smtp.mails().iter().all(|m| !m.subject.contains("cijfers")),
        "no e-mail of zeros"
    );
    server.running.stop().await;
}

#[tokio::test]
async fn missed_signals_a_frustrated_customer_answered_late_and_broken_twice() {
    for db in databases().await {
        let server = TestServer::start(&db.url).await;
        let at = |d, h, m| Utc.with_ymd_and_hms(2027, 3, d, h, m, 0).unwrap();
        // Tuesday 10:00: an angry e-mail. An e-mail is due within 240 opening minutes; the
        // answer comes at 16:00, 360 minutes later.
        server.clock.set(at(23, 9, 0));
        let raw = "From: Jan de Boer <jan.boer@example.nl>\r\nTo: service@fiets.test\r\nSubject: Fiets\r\n\
                   Message-ID: <angry-1@example.nl>\r\n\r\nIK WACHT AL DRIE WEKEN. Belachelijk!! Niemand belt terug.\r\n";
        let mail: Value = server.post_email(raw).await.json().await.unwrap();
        let conversation = mail["conversation_id"].as_str().unwrap().to_string();
        let customer = mail["customer_id"].as_str().unwrap().to_string();
        server.clock.set(at(23, 15, 0));
        let replied = server
            .api_post(
                &format!("/api/v1/conversations/{conversation}/replies"),
                json!({"text": "Wat vervelend, Jan. Ik bel u morgen om 09:00."}),
            )
            .await;
        assert_eq!(replied.status(), StatusCode::CREATED);
        // The reply keeps (here: breaks) its promise once it has gone out.
        let broken_replies = |count: i64| {
            let server = &server;
            async move {
                let figures: Value = server
                    .owner_get("/api/v1/insights?from=2027-03-22&to=2027-03-28&group_by=kind")
                    .await
                    .json()
                    .await
                    .unwrap();
                figures["groups"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .any(|g| g["key"] == "reply" && g["broken"] == count)
            }
        };
        eventually(10, "the late reply delivered", || broken_replies(1)).await;
        // Wednesday: Jan writes again, and is answered late again.
        server.clock.set(at(24, 9, 0));
        let again = "From: Jan de Boer <jan.boer@example.nl>\r\nTo: service@fiets.test\r\nSubject: Nog steeds niets\r\n\
                     Message-ID: <angry-2@example.nl>\r\n\r\nU zou mij om 09:00 bellen.\r\n";
        server.post_email(again).await;
        server.clock.set(at(24, 15, 0));
        server
            .api_post(
                &format!("/api/v1/conversations/{conversation}/replies"),
                json!({"text": "Excuses, Jan. Ik bel u nu."}),
            )
            .await;
        eventually(10, "the second late reply delivered", || broken_replies(2)).await;

        let (mut owner, _) = logged_in(&server, &server.owner_email).await;
        let (_, page) = owner
            .get(&server.url("/staff/insights?period=custom&from=2027-03-22&to=2027-03-28"))
            .await;
        let late = figure(&page, "frustrated_late");
        assert!(
            late.contains(&format!("/staff/customers/{customer}")),
            "{}: {late}",
            db.name
        );
        assert!(late.contains("Jan de Boer"));
        // Two broken promises to one customer.
        let twice = figure(&page, "broken_twice");
        assert!(
            twice.contains(&format!("/staff/customers/{customer}")),
            "{}: {twice}",
            db.name
        );
        assert!(twice.contains("<td data-label=\"Gebroken\">2</td>"), "{twice}");
        let broken = figure(&page, "broken");
        assert_eq!(
            broken.matches("<tr>").count(),
            1 + 2,
            "head and two broken promises: {broken}"
        );

        // A customer whose name is a spreadsheet formula: every CSV shows it as text.
        let formula = "=HYPERLINK(\"http://evil.example/\",\"klik\")";
        let csrf = hidden_csrf(&owner.get(&server.url(&format!("/staff/customers/{customer}"))).await.1);
        let renamed = owner
            .post(
                &server.url(&format!("/staff/customers/{customer}/name")),
                &[("csrf", csrf.as_str()), ("name", formula)],
            )
            .await;
        assert!(renamed.status().is_redirection(), "{}", renamed.status());
        let query = "period=custom&from=2027-03-22&to=2027-03-28";
        let mut seen = 0;
        for table in ["frustrated_late", "broken_twice", "broken"] {
            let (_, csv) = owner
                .get(&server.url(&format!("/staff/insights/csv/{table}?{query}")))
                .await;
            for cell in csv.lines().flat_map(|line| line.split(';')) {
                let cell = cell.trim_matches('"').replace("\"\"", "\"");
                assert!(!cell.starts_with('='), "{}: {table}: a live formula in {csv}", db.name);
                seen += usize::from(cell.starts_with("'=HYPERLINK"));
            }
        }
        assert!(seen >= 3, "{}: the name in each table, as text", db.name);
        server.running.stop().await;
    }
}
