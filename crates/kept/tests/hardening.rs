//! Hardening: what an attacker or a careless integrator sends gets a clear answer and takes
//! nothing down (issue: hardening). On SQLite and PostgreSQL where the database matters.

use std::time::Duration as StdDuration;

use crate::support::*;
use serde_json::{Value, json};

#[tokio::test]
async fn a_template_that_would_run_for_ever_is_refused_and_the_server_stays_responsive() {
    let db = TestDatabase::sqlite();
    let server = TestServer::start(&db.url).await;
    let bombs = [
        "{% for a in range(100000) %}{% for b in range(100000) %}{{ a }}{% endfor %}{% endfor %}",
        "{{ 'x' * 99999999 }}",
        // Small output, 200 MB a preview: refused when saved now.
        "{% set a = \"x\" * 99999999 %}{{ a|length }}",
    ];
    let saves = bombs.map(|body| {
        let (url, token) = (server.url("/api/v1/templates"), server.token.clone());
        tokio::spawn(async move {
            reqwest::Client::new()
                .post(url)
                .bearer_auth(token)
                .json(&json!({"name": "Bom", "body": body}))
                .send()
                .await
                .unwrap()
        })
    });
    // While they are tried, kept answers others.
    let health = tokio::time::timeout(
        StdDuration::from_secs(10),
        server.http.get(server.url("/healthz")).send(),
    )
    .await
    .expect("healthz answers while templates are tried")
    .unwrap();
    assert_eq!(health.status(), 200);
    for save in saves {
        let refused = tokio::time::timeout(StdDuration::from_secs(10), save)
            .await
            .expect("a runaway template is refused, not waited for")
            .unwrap();
        assert_eq!(refused.status(), 422);
        let body: Value = refused.json().await.unwrap();
        assert_eq!(body["fields"][0]["field"], "body", "{body}");
    }
    assert!(
        server.store.reply_templates().await.unwrap().is_empty(),
        "nothing was saved"
    );
    server.running.stop().await;
}

#[tokio::test]
async fn nul_and_control_characters_are_refused_at_the_edge_naming_the_field() {
    for db in databases().await {
        let server = TestServer::start(&db.url).await;
        let message = |text: &str, name: &str| json!({"channel": "chat", "external_id": "1", "from": {"handle": "@jan", "name": name}, "text": text});
        for (body, code) in [
            (message("hallo\u{0}", "Jan"), "nul_character"),
            (message("hallo", "Jan\u{0}"), "nul_character"),
            (message("hallo", "Jan\r\nBcc: x"), "control_characters"),
        ] {
            let refused = server.api_post("/api/v1/inbound/message", body).await;
            assert_eq!(refused.status(), 422, "{}", db.name);
            let refused: Value = refused.json().await.unwrap();
            assert_eq!(refused["fields"][0]["code"], code, "{refused}");
        }
        let template = server
            .api_post("/api/v1/templates", json!({"name": "a\u{0}b", "body": "Hallo"}))
            .await;
        assert_eq!(template.status(), 422, "a template name with NUL on {}", db.name);
        let path = server.api_get("/api/v1/customers/x%00y").await;
        assert_eq!(path.status(), 404, "an id that is not an id is not found");
        let mut login = std::collections::HashMap::new();
        login.insert("email", "a\u{0}b");
        let form = server
            .http
            .post(server.url("/login"))
            .form(&login)
            .send()
            .await
            .unwrap();
        assert_eq!(form.status(), 422, "NUL in a form on {}", db.name);
        // The same over e-mail is stored, the NUL left out.
        let raw =
            "From: Jan <jan@example.org>\r\nSubject: Bel\r\nMessage-ID: <nul-1@example.org>\r\n\r\nMijn\u{0} bel\r\n";
        let mail = server.post_email(raw).await;
        assert_eq!(mail.status(), 201, "{}", db.name);
        let forged = server
            .request_callback(json!({"phone": "0612345678", "name": "Jan\r\nTelefoon: 0900-1234"}))
            .await;
        assert_eq!(forged.status(), 422);
        // A placeholder time is not believed: the message is kept, at the moment it arrived.
        let old = json!({"channel": "chat", "external_id": "2", "from": {"handle": "@jan"}, "text": "x", "sent_at": "0000-01-01T00:00:00Z"});
        let kept: Value = server
            .api_post("/api/v1/inbound/message", old)
            .await
            .json()
            .await
            .unwrap();
        let shown: Value = server
            .api_get(&format!(
                "/api/v1/conversations/{}/timeline",
                kept["conversation_id"].as_str().unwrap()
            ))
            .await
            .json()
            .await
            .unwrap();
        assert!(!shown.to_string().contains("0000-01-01"), "{shown}");
        let fine = server
            .api_post("/api/v1/inbound/message", message("hallo", "Jan"))
            .await;
        assert_eq!(fine.status(), 201, "the same message without them is stored");
        server.running.stop().await;
    }
}

#[tokio::test]
async fn a_reply_reaches_a_customer_whose_name_has_a_comma() {
    for db in databases().await {
        let server = TestServer::start(&db.url).await;
        let raw = "From: \"Jansen, Jan\" <jan@example.org>\r\nTo: winkel@fiets.test\r\nSubject: Bel\r\n\
                   Message-ID: <comma-1@example.org>\r\n\r\nMijn bel doet het niet.\r\n";
        let stored: Value = server.post_email(raw).await.json().await.unwrap();
        let conversation = stored["conversation_id"].as_str().unwrap();
        let reply = server
            .api_post(
                &format!("/api/v1/conversations/{conversation}/replies"),
                json!({"text": "We sturen een nieuwe bel."}),
            )
            .await;
        assert_eq!(reply.status(), 201, "{}", db.name);
        eventually(10, "the reply at the customer's address", || async {
            !server.smtp.to("jan@example.org").is_empty()
        })
        .await;
        let mail = &server.smtp.to("jan@example.org")[0];
        let parsed = mail_parser::MessageParser::default()
            .parse(mail.raw.as_bytes())
            .unwrap();
        let to = parsed.to().and_then(|to| to.first()).unwrap();
        assert_eq!(to.name(), Some("Jansen, Jan"), "the display name, quoted or encoded");
        assert_eq!(to.address(), Some("jan@example.org"));
        server.running.stop().await;
    }
}

#[tokio::test]
async fn a_forged_forwarded_for_entry_does_not_get_past_the_limit() {
    let db = TestDatabase::sqlite();
    let server = TestServer::start_with(&db.url, |c| {
        c.rate_limit_per_minute = 3;
        c.trust_forwarded_for = true;
    })
    .await;
    let mut statuses = Vec::new();
    for i in 0..4 {
        let response = server
            .http
            .post(server.url("/api/v1/callback-requests"))
            // The client writes the first entry; our proxy appends the real address.
            .header("X-Forwarded-For", format!("10.0.0.{i}, 203.0.113.7"))
            .json(&json!({"phone": format!("06123456{i:02}")}))
            .send()
            .await
            .unwrap();
        if response.status() == 429 {
            assert_eq!(response.headers()["retry-after"], "60");
        }
        statuses.push(response.status().as_u16());
    }
    assert_eq!(statuses, [201, 201, 201, 429]);
    // Another real client is not held back.
    let other = server
        .http
        .post(server.url("/api/v1/callback-requests"))
        .header("X-Forwarded-For", "203.0.113.8")
        .json(&json!({"phone": "0612345699"}))
        .send()
        .await
        .unwrap();
    assert_eq!(other.status(), 201);
    // Load balancers that write the port still count the client, not themselves; an entry
    // that is no address at all is refused rather than counted as the proxy's.
    for (i, (entry, expected)) in [
        ("203.0.113.9:4711", 201),
        ("[2001:db8::9]:443", 201),
        ("2001:db8::10", 201),
        ("unknown", 400),
    ]
    .into_iter()
    .enumerate()
    {
        let response = server
            .http
            .post(server.url("/api/v1/callback-requests"))
            .header("X-Forwarded-For", entry)
            .json(&json!({"phone": format!("06123458{i:02}")}))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), expected, "{entry}");
    }
    let port_written = |i: u8| {
        server
            .http
            .post(server.url("/api/v1/callback-requests"))
            .header("X-Forwarded-For", format!("198.51.100.{i}:5000"))
            .json(&json!({"phone": format!("06123457{i:02}")}))
            .send()
    };
    for i in 0..4 {
        assert_eq!(port_written(i).await.unwrap().status(), 201, "each its own bucket");
    }
    server.running.stop().await;
}

#[tokio::test]
async fn small_things_an_integrator_meets() {
    let db = TestDatabase::sqlite();
    let server = TestServer::start(&db.url).await;
    let lower = server
        .http
        .get(server.url("/api/v1/callback-requests"))
        .header("Authorization", format!("bearer {}", server.token))
        .send()
        .await
        .unwrap();
    assert_eq!(lower.status(), 200, "the scheme is case-insensitive");
    assert_eq!(lower.headers()["cache-control"], "no-store");
    let unknown = server.api_get("/api/v1/customers/nobody/timeline").await;
    assert_eq!(unknown.status(), 404);

    // Errors axum answers itself are the same JSON body as every other API error.
    let json_error = |response: reqwest::Response| async move {
        let status = response.status().as_u16();
        let body: Value = response.json().await.expect("a JSON error body");
        (status, body["error"].as_str().unwrap_or_default().to_string())
    };
    let bad_query = server.api_get("/api/v1/conversations?limit=abc").await;
    assert_eq!(json_error(bad_query).await, (400, "bad_request".to_string()));
    let wrong_method = server
        .http
        .delete(server.url("/api/v1/conversations"))
        .bearer_auth(&server.token)
        .send()
        .await
        .unwrap();
    assert_eq!(json_error(wrong_method).await, (405, "method_not_allowed".to_string()));
    let too_large = server
        .api_post(
            "/api/v1/templates",
            json!({"name": "Groot", "body": "x".repeat(70_000)}),
        )
        .await;
    assert_eq!(json_error(too_large).await, (413, "too_large".to_string()));
    let no_route = server.api_get("/api/v1/nothing-here").await;
    assert_eq!(json_error(no_route).await, (404, "not_found".to_string()));
    // A message is allowed up to 100 KB, so a 70 KB chat message is taken.
    let long =
        json!({"channel": "chat", "external_id": "long", "from": {"handle": "@jan"}, "text": "x".repeat(70_000)});
    assert_eq!(server.api_post("/api/v1/inbound/message", long).await.status(), 201);

    // Media types are case-insensitive: an old client's capitals are the same form.
    let capitals = server
        .http
        .post(server.url("/callback"))
        .header("Content-Type", "Application/X-WWW-Form-Urlencoded; Charset=UTF-8")
        .body("phone=0612345677&window=evening&lang=nl")
        .send()
        .await
        .unwrap();
    assert_eq!(capitals.status(), 201, "{}", capitals.text().await.unwrap());
    server.running.stop().await;
}

#[tokio::test]
async fn a_staff_email_carries_the_message_id_of_its_outbox_item() {
    let db = TestDatabase::sqlite();
    let server = TestServer::start(&db.url).await;
    server.created(json!({"phone": "0612345678"})).await;
    let agent = server.agent_email.clone();
    eventually(10, "the new-request e-mail", || async {
        server.smtp.to(&agent).len() == 1
    })
    .await;
    let raw = &server.smtp.to(&agent)[0].raw;
    let id = raw
        .lines()
        .find(|l| l.to_ascii_lowercase().starts_with("message-id:"))
        .unwrap();
    assert!(id.contains("<kept-outbox-") && id.contains("@fiets.test>"), "{id}");
    server.running.stop().await;
}

#[tokio::test]
async fn half_sent_headers_are_cut_off_and_one_address_cannot_hold_every_connection() {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let db = TestDatabase::sqlite();
    let server = TestServer::start_with(&db.url, |c| {
        c.header_read_timeout_seconds = 1;
        c.max_connections_per_address = 3;
    })
    .await;
    let address = server.running.addr;
    // Slowloris: half a request, then nothing.
    let mut slow = tokio::net::TcpStream::connect(address).await.unwrap();
    slow.write_all(b"GET /healthz HTTP/1.1\r\nHost: kept\r\n")
        .await
        .unwrap();
    let mut answer = Vec::new();
    let closed = tokio::time::timeout(StdDuration::from_secs(10), slow.read_to_end(&mut answer)).await;
    assert!(closed.is_ok(), "the half-sent request was cut off");
    drop(slow);

    // Three idle connections from one address fill its share; a fourth is closed at once.
    let mut idle = Vec::new();
    for _ in 0..3 {
        idle.push(tokio::net::TcpStream::connect(address).await.unwrap());
    }
    let mut fourth = tokio::net::TcpStream::connect(address).await.unwrap();
    let _ = fourth.write_all(b"GET /healthz HTTP/1.1\r\nHost: kept\r\n\r\n").await;
    let mut refused = Vec::new();
    let read = tokio::time::timeout(StdDuration::from_secs(10), fourth.read_to_end(&mut refused)).await;
    assert!(
        matches!(read, Ok(Ok(0)) | Ok(Err(_))),
        "the fourth connection gets no answer"
    );
    drop(idle);
    // Once they are gone the address is served again.
    eventually(10, "served again", || async {
        server
            .http
            .get(server.url("/healthz"))
            .send()
            .await
            .is_ok_and(|r| r.status() == 200)
    })
    .await;
    server.running.stop().await;
}

/// A client sending a body over the limit reads the JSON 413 once it has sent everything,
/// instead of a connection reset: kept reads and drops the rest before closing.
#[tokio::test]
async fn a_too_large_body_gets_its_413_while_the_client_is_still_sending() {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let db = TestDatabase::sqlite();
    let server = TestServer::start(&db.url).await;
    let size = 30 * 1024 * 1024;
    let mut stream = tokio::net::TcpStream::connect(server.running.addr).await.unwrap();
    let head = format!(
        "POST /api/v1/inbound/email HTTP/1.1\r\nHost: kept\r\nAuthorization: Bearer {}\r\n\
         Content-Type: message/rfc822\r\nContent-Length: {size}\r\n\r\n",
        server.token
    );
    stream.write_all(head.as_bytes()).await.unwrap();
    let chunk = vec![b'x'; 64 * 1024];
    for _ in 0..size / chunk.len() {
        stream
            .write_all(&chunk)
            .await
            .expect("kept reads the whole body instead of resetting the connection");
    }
    let mut answer = Vec::new();
    stream.read_to_end(&mut answer).await.expect("the answer, not a reset");
    let answer = String::from_utf8_lossy(&answer);
    assert!(answer.starts_with("HTTP/1.1 413"), "{answer}");
    assert!(answer.contains("\"too_large\""), "{answer}");
    server.running.stop().await;
}

/// Two 10 MB plain-text e-mails at once: each is stored whole, and kept answers others while
/// it reads them (reading a mood or search terms looks at the text's start, off the threads
/// that serve requests; before, one such mail took a core for minutes).
#[tokio::test]
async fn ten_megabyte_mails_are_stored_whole_while_kept_answers_others() {
    let db = TestDatabase::sqlite();
    let server = TestServer::start(&db.url).await;
    let line = "Ik ben echt boos: mijn fiets is al weken kapot en niemand belt terug!\n";
    let body = line.repeat(10 * 1024 * 1024 / line.len());
    let mails = (0..2).map(|n| {
        let raw = format!(
            "From: Groot {n} <groot{n}@example.nl>\r\nSubject: Lang verhaal\r\nMessage-ID: <groot-{n}@example.nl>\r\n\
             Content-Type: text/plain; charset=utf-8\r\n\r\nVoorwoord{n} {body}"
        );
        let (url, token) = (server.url("/api/v1/inbound/email"), server.token.clone());
        tokio::spawn(async move {
            let response = reqwest::Client::new()
                .post(url)
                .bearer_auth(token)
                .header("content-type", "message/rfc822")
                .body(raw)
                .send()
                .await
                .unwrap();
            (response.status(), tokio::time::Instant::now())
        })
    });
    let mails: Vec<_> = mails.collect();
    tokio::time::sleep(StdDuration::from_millis(50)).await;
    let health = server.http.get(server.url("/healthz")).send().await.unwrap();
    let answered = tokio::time::Instant::now();
    assert_eq!(health.status(), 200);
    for mail in mails {
        let (status, stored) = mail.await.unwrap();
        assert_eq!(status, 201);
        assert!(answered < stored, "kept answered while it was still storing the mails");
    }
    let found: Vec<Value> = server
        .api_get("/api/v1/search?q=Voorwoord1")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(found.len(), 1, "found by its start");
    let id = found[0]["conversation_id"].as_str().unwrap();
    let stored: Value = server
        .api_get(&format!("/api/v1/conversations/{id}"))
        .await
        .json()
        .await
        .unwrap();
    assert!(
        stored["messages"][0]["body"].as_str().unwrap().len() > 10_000_000,
        "stored whole"
    );
    server.running.stop().await;
}

/// "Ik bel u over 99999999 dagen terug" in a note, a logged call and a tone check: taken (it is
/// no promise kept tracks: too far ahead), never a dropped connection.
#[tokio::test]
async fn absurd_durations_in_text_are_no_promise_and_crash_nothing() {
    let db = TestDatabase::sqlite();
    let server = TestServer::start(&db.url).await;
    let customer = server.created(json!({"phone": "0612345678"})).await["customer_id"]
        .as_str()
        .unwrap()
        .to_string();
    let absurd = "Ik bel u over 99999999 dagen terug, en over 9223372036854775807 minuten nog eens.";
    let note = server
        .api_post(&format!("/api/v1/customers/{customer}/notes"), json!({"text": absurd}))
        .await;
    assert_eq!(note.status(), 201);
    let call = server
        .api_post(
            &format!("/api/v1/customers/{customer}/calls"),
            json!({"direction": "outbound", "summary": absurd}),
        )
        .await;
    assert_eq!(call.status(), 201);
    let checked = server.api_post("/api/v1/tone/check", json!({"text": absurd})).await;
    assert_eq!(checked.status(), 200);
    let report: Value = checked.json().await.unwrap();
    assert_eq!(report["commitments"], json!([]), "no promise that far ahead: {report}");
    // The public form still works.
    server.created(json!({"phone": "0687654321"})).await;
    server.running.stop().await;
}

/// Reads until the server closes the connection; what it said, or `None` when it did not close
/// within `seconds` (a connection held open).
async fn until_closed(stream: &mut tokio::net::TcpStream, seconds: u64) -> Option<String> {
    use tokio::io::AsyncReadExt;
    let mut said = Vec::new();
    let read = tokio::time::timeout(StdDuration::from_secs(seconds), stream.read_to_end(&mut said)).await;
    read.ok().map(|_| String::from_utf8_lossy(&said).into_owned())
}

/// A connection that says nothing, one that speaks HTTP/2 without TLS, and one that trickles
/// its body are closed within the configured times (they stayed open for minutes, and 4
/// addresses × 256 such connections took every file descriptor); no more connections than the
/// total are held, and new clients are served once those close.
#[tokio::test]
async fn idle_slow_and_surplus_connections_are_closed() {
    use tokio::io::AsyncWriteExt;
    let db = TestDatabase::sqlite();
    let server = TestServer::start_with(&db.url, |config| {
        config.header_read_timeout_seconds = 1;
        config.body_read_timeout_seconds = 2;
        config.max_connections = 4;
    })
    .await;
    let connect = || tokio::net::TcpStream::connect(server.running.addr);

    let mut silent = connect().await.unwrap();
    assert_eq!(
        until_closed(&mut silent, 10).await.as_deref(),
        Some(""),
        "closed without a word"
    );

    let mut h2c = connect().await.unwrap();
    h2c.write_all(b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n").await.unwrap();
    assert!(
        until_closed(&mut h2c, 10).await.is_some(),
        "no HTTP/2 without TLS unless configured"
    );

    let mut trickle = connect().await.unwrap();
    let head = format!(
        "POST /api/v1/inbound/message HTTP/1.1\r\nHost: kept\r\nAuthorization: Bearer {}\r\n\
         Content-Type: application/json\r\nContent-Length: 1000\r\n\r\n{{",
        server.token
    );
    trickle.write_all(head.as_bytes()).await.unwrap();
    let writer = tokio::spawn(async move {
        for _ in 0..40 {
            tokio::time::sleep(StdDuration::from_millis(300)).await;
            if trickle.write_all(b" ").await.is_err() {
                break;
            }
        }
        trickle
    });
    let mut trickle = writer.await.unwrap();
    let answer = until_closed(&mut trickle, 10).await.expect("closed");
    assert!(answer.starts_with("HTTP/1.1 408"), "{answer}");
    assert!(answer.contains("\"timeout\""), "{answer}");

    // Four half-sent requests hold the four places; a fifth connection is refused at once.
    let mut held = Vec::new();
    for _ in 0..4 {
        let mut half = connect().await.unwrap();
        half.write_all(b"GET /healthz HTTP/1.1\r\nHost: kept\r\n")
            .await
            .unwrap();
        held.push(half);
    }
    tokio::time::sleep(StdDuration::from_millis(200)).await;
    let mut surplus = connect().await.unwrap();
    assert_eq!(
        until_closed(&mut surplus, 1).await.as_deref(),
        Some(""),
        "refused while full"
    );
    for half in &mut held {
        assert!(until_closed(half, 10).await.is_some(), "a slow header is cut off");
    }
    let served = server.http.get(server.url("/healthz")).send().await.unwrap();
    assert_eq!(served.status(), 200, "room again");
    server.running.stop().await;
}
