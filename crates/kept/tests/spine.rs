//! The promise spine: a promise kind of its own (follow-ups) notified through its own subject,
//! owner-only actions, the register of customer data, and AVG/GDPR export and erase — on
//! SQLite and PostgreSQL.

use crate::support::*;
use chrono::Duration;
use kept_domain::Clock;
use serde_json::{Value, json};
use sqlx::{Connection, Row};

#[tokio::test]
async fn a_follow_up_is_reminded_and_escalated_through_its_own_subject() {
    for db in databases().await {
        let server = TestServer::start(&db.url).await;
        let created = server
            .created(json!({"phone": "0612345678", "name": "Jan Zwart"}))
            .await;
        let customer = created["customer_id"].as_str().unwrap();
        let (agent, owner) = (server.agent_email.clone(), server.owner_email.clone());
        let agent_id = server.store.staff_by_email(&agent).await.unwrap().unwrap().id;
        let due = server.clock.now() + Duration::hours(3);
        let path = format!("/api/v1/customers/{customer}/follow-ups");

        let in_the_past = server
            .owner_post(
                &path,
                json!({"text": "Offerte", "due_at": server.clock.now() - Duration::hours(1)}),
            )
            .await;
        assert_eq!(in_the_past.status(), 409, "the clock has passed it");
        let nobody = server
            .owner_post(&path, json!({"text": "Offerte", "due_at": due, "owner_id": "nobody"}))
            .await;
        assert_eq!(nobody.status(), 409, "no one on the team has this id");
        let made = server
            .owner_post(
                &path,
                json!({"text": "Offerte voor de e-bike mailen", "due_at": due, "owner_id": agent_id}),
            )
            .await;
        assert_eq!(made.status(), 201, "{}", db.name);
        let follow_up: Value = made.json().await.unwrap();
        assert_eq!(follow_up["promise_status"], "open");
        assert_eq!(follow_up["owner_name"], "Sanne");

        // The callback's own e-mail first; then the follow-up's reminder 15 minutes before.
        eventually(10, "the new-request e-mail", || async {
            server.smtp.to(&agent).len() == 1
        })
        .await;
        server.clock.advance(Duration::minutes(170));
        eventually(10, "the follow-up's reminder", || async {
            server
                .smtp
                .to(&agent)
                .iter()
                .any(|m| m.subject.contains("toezegging aan Jan Zwart"))
        })
        .await;
        let reminder = server
            .smtp
            .to(&agent)
            .into_iter()
            .find(|m| m.subject.contains("toezegging"))
            .unwrap();
        assert!(reminder.subject.starts_with("Herinnering"), "{}", reminder.subject);
        assert!(
            reminder.text.contains("Offerte voor de e-bike mailen"),
            "{}",
            reminder.text
        );
        assert!(
            reminder.text.contains(&format!("/staff/customers/{customer}")),
            "links to the customer page: {}",
            reminder.text
        );
        eventually(10, "the reminder webhook", || async {
            server
                .hooks
                .events("promise.reminder")
                .iter()
                .any(|h| h.json()["follow_up"]["id"] == follow_up["id"])
        })
        .await;

        server.clock.advance(Duration::minutes(11));
        eventually(10, "the follow-up's escalation", || async {
            server
                .smtp
                .to(&owner)
                .iter()
                .any(|m| m.subject.contains("toezegging aan Jan Zwart"))
        })
        .await;
        let done_path = format!("/api/v1/follow-ups/{}/done", follow_up["id"].as_str().unwrap());
        let done: Value = server.api_post(&done_path, Value::Null).await.json().await.unwrap();
        assert_eq!(done["promise_status"], "broken", "done after the deadline");
        assert_eq!(
            server.api_post(&done_path, Value::Null).await.status(),
            409,
            "a promise closes once"
        );
        server.running.stop().await;
    }
}

#[tokio::test]
async fn agents_are_refused_every_owner_only_action() {
    for db in databases().await {
        let server = TestServer::start(&db.url).await;
        let a = server.created(json!({"phone": "0612345678"})).await;
        let b = server.created(json!({"phone": "0687654321"})).await;
        let (a, b) = (a["customer_id"].as_str().unwrap(), b["customer_id"].as_str().unwrap());
        let owner_id = server
            .store
            .staff_by_email(&server.owner_email)
            .await
            .unwrap()
            .unwrap()
            .id;
        let agent_id = server
            .store
            .staff_by_email(&server.agent_email)
            .await
            .unwrap()
            .unwrap()
            .id;
        let template: Value = server
            .api_post("/api/v1/templates", json!({"name": "Groet", "body": "{{ greeting }}"}))
            .await
            .json()
            .await
            .unwrap();
        let template = template["id"].as_str().unwrap();
        let posts = [
            (format!("/api/v1/customers/{a}/merge"), json!({"from": b})),
            (format!("/api/v1/customers/{a}/erase"), json!({"reason": "asked"})),
            (format!("/api/v1/templates/{template}/delete"), Value::Null),
            (format!("/api/v1/staff/{owner_id}/away"), json!({"delegate": agent_id})),
        ];
        for (path, body) in &posts {
            let refused = server.api_post(path, body.clone()).await;
            assert_eq!(refused.status(), 403, "{path} on {}", db.name);
            let refused: Value = refused.json().await.unwrap();
            assert_eq!(refused["error"], "owner_only");
            assert!(refused["message"].as_str().unwrap().contains("owner"));
        }
        assert_eq!(
            server.api_get(&format!("/api/v1/customers/{a}/export")).await.status(),
            403
        );
        assert!(server.store.customer(b).await.unwrap().is_some(), "nothing was merged");

        // Marking yourself away is for everyone; owners may mark others.
        let myself = server
            .api_post(&format!("/api/v1/staff/{agent_id}/away"), json!({"delegate": owner_id}))
            .await;
        assert_eq!(myself.status(), 204);
        let back = server
            .owner_post(&format!("/api/v1/staff/{agent_id}/away"), json!({}))
            .await;
        assert_eq!(back.status(), 204);
        assert!(!server.store.staff_by_id(&agent_id).await.unwrap().unwrap().away);
        for (path, body) in &posts[..1] {
            assert_eq!(server.owner_post(path, body.clone()).await.status(), 200, "{path}");
        }
        assert_eq!(
            server
                .owner_get(&format!("/api/v1/customers/{a}/export"))
                .await
                .status(),
            200
        );
        server.running.stop().await;
    }
}

const UNIQUE_WORD: &str = "Zwartewaterklooster";

fn email_from_jan(message_id: &str, body: &str) -> String {
    format!(
        "From: Jan Zwart <jan.zwart@example.nl>\r\nTo: winkel@fiets.test\r\nSubject: Fietsbel\r\n\
         Message-ID: <{message_id}@example.nl>\r\nMIME-Version: 1.0\r\n\
         Content-Type: multipart/mixed; boundary=\"b1\"\r\n\r\n--b1\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n\
         {body}\r\n--b1\r\nContent-Type: application/pdf\r\nContent-Disposition: attachment; filename=\"bon.pdf\"\r\n\
         Content-Transfer-Encoding: base64\r\n\r\nJVBERi0xLjQKJcfs\r\n--b1--\r\n"
    )
}

#[tokio::test]
async fn a_customer_is_exported_whole_and_erased_without_a_trace() {
    for db in databases().await {
        let server = TestServer::start(&db.url).await;
        // A callback request (by phone), called back with a note.
        let callback = server
            .created(json!({"phone": "0612345678", "name": "Jan Zwart", "note": format!("Over {UNIQUE_WORD}")}))
            .await;
        let jan = callback["customer_id"].as_str().unwrap().to_string();
        let outcome = server
            .api_post(
                &format!("/api/v1/callback-requests/{}/outcome", callback["id"].as_str().unwrap()),
                json!({"outcome": "no_answer", "note": "voicemail"}),
            )
            .await;
        assert_eq!(outcome.status(), 200);
        // An e-mail with an attachment from a second record of the same person, merged in.
        let mail = server
            .post_email(&email_from_jan(
                "erase-1",
                &format!("Mijn bel in {UNIQUE_WORD} is kapot."),
            ))
            .await;
        assert_eq!(mail.status(), 201, "{}", db.name);
        let mail: Value = mail.json().await.unwrap();
        let by_mail = mail["customer_id"].as_str().unwrap();
        let merged = server
            .owner_post(&format!("/api/v1/customers/{jan}/merge"), json!({"from": by_mail}))
            .await;
        assert_eq!(merged.status(), 200);
        // A note, a logged call, a follow-up, and mail kept could not read that names him.
        let note = server
            .api_post(
                &format!("/api/v1/customers/{jan}/notes"),
                json!({"text": format!("Woont bij {UNIQUE_WORD}")}),
            )
            .await;
        assert_eq!(note.status(), 201);
        let call = server
            .api_post(
                &format!("/api/v1/customers/{jan}/calls"),
                json!({"direction": "inbound", "summary": "Vroeg naar de bel"}),
            )
            .await;
        assert_eq!(call.status(), 201);
        let follow_up = server
            .api_post(
                &format!("/api/v1/customers/{jan}/follow-ups"),
                json!({"text": "Bel bestellen", "due_at": server.clock.now() + Duration::days(1)}),
            )
            .await;
        assert_eq!(follow_up.status(), 201);
        let unreadable = server
            .post_email(&format!(
                "Subject: no sender\r\n\r\njan.zwart@example.nl schreef over {UNIQUE_WORD}"
            ))
            .await;
        assert_eq!(unreadable.status(), 202);
        let searched: Value = server
            .api_get(&format!("/api/v1/search?q={UNIQUE_WORD}"))
            .await
            .json()
            .await
            .unwrap();
        assert!(!searched.as_array().unwrap().is_empty(), "found before the erase");

        let export: Value = server
            .owner_get(&format!("/api/v1/customers/{jan}/export"))
            .await
            .json()
            .await
            .unwrap();
        let records = &export["records"];
        assert_eq!(export["customer"]["phone"], "+31612345678");
        assert_eq!(records["callback_requests"].as_array().unwrap().len(), 1);
        assert_eq!(records["calls"][0]["note"], "voicemail");
        assert_eq!(records["phone_calls"][0]["summary"], "Vroeg naar de bel");
        assert!(records["notes"][0]["body"].as_str().unwrap().contains(UNIQUE_WORD));
        assert!(records["messages"][0]["body"].as_str().unwrap().contains(UNIQUE_WORD));
        assert_eq!(records["attachments"][0]["filename"], "bon.pdf");
        assert_eq!(records["attachments"][0]["data"], "JVBERi0xLjQKJcfs");
        assert_eq!(records["follow_ups"][0]["body"], "Bel bestellen");
        assert!(
            records["customer_handles"]
                .as_array()
                .unwrap()
                .iter()
                .any(|h| h["handle"] == "email:jan.zwart@example.nl"),
            "the merged contact: {records}"
        );
        let open_promises: Vec<String> = records["promises"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|p| p["status"] == "open")
            .map(|p| p["id"].as_str().unwrap().to_string())
            .collect();
        assert_eq!(open_promises.len(), 3, "retry call, reply and follow-up: {records}");

        assert_trace_in_database(&db, UNIQUE_WORD, true).await;
        let erase_path = format!("/api/v1/customers/{jan}/erase");
        assert_eq!(
            server.owner_post(&erase_path, json!({"reason": " "})).await.status(),
            422
        );
        let erased = server
            .owner_post(&erase_path, json!({"reason": "asked for it by e-mail"}))
            .await;
        assert_eq!(erased.status(), 200, "{}", db.name);

        assert_eq!(server.api_get(&format!("/api/v1/customers/{jan}")).await.status(), 404);
        let searched: Value = server
            .api_get(&format!("/api/v1/search?q={UNIQUE_WORD}"))
            .await
            .json()
            .await
            .unwrap();
        assert_eq!(searched, json!([]), "nothing found after the erase");
        for id in &open_promises {
            let promise = server.store.promise(id).await.unwrap().unwrap();
            assert_eq!(promise.status, kept_domain::PromiseStatus::Cancelled);
            assert_eq!(promise.customer_id, None);
        }
        let unreadable: Vec<Value> = server
            .api_get("/api/v1/unreadable-mail?all=true")
            .await
            .json()
            .await
            .unwrap();
        assert!(unreadable.is_empty(), "mail naming his address went too");
        let erasures = server.store.erasures().await.unwrap();
        assert_eq!(erasures.len(), 1);
        let record = serde_json::to_string(&erasures[0]).unwrap();
        assert!(erasures[0].reason.contains("asked"));
        for personal in [UNIQUE_WORD, "612345678", "jan.zwart", "Zwart", jan.as_str()] {
            assert!(!record.contains(personal), "{personal} in the erasure record: {record}");
        }
        assert_trace_in_database(&db, UNIQUE_WORD, false).await;
        server.running.stop().await;
    }
}

/// Whether `word` is in any byte of the SQLite files (database and WAL), or in any row
/// PostgreSQL returns from any table — checked both before an erase (it is) and after (it is not).
async fn assert_trace_in_database(db: &TestDatabase, word: &str, expected: bool) {
    if db.name == "sqlite" {
        let path = db.url.trim_start_matches("sqlite://");
        let mut found_in = Vec::new();
        for file in [path.to_string(), format!("{path}-wal")] {
            let Ok(bytes) = std::fs::read(&file) else { continue };
            if bytes
                .windows(word.len())
                .any(|w| w.eq_ignore_ascii_case(word.as_bytes()))
            {
                found_in.push(file);
            }
        }
        assert_eq!(!found_in.is_empty(), expected, "{word} in {found_in:?}");
        return;
    }
    let mut conn = sqlx::PgConnection::connect(&db.url).await.unwrap();
    let tables = sqlx::query("SELECT table_name FROM information_schema.tables WHERE table_schema = 'public'")
        .fetch_all(&mut conn)
        .await
        .unwrap();
    let mut found_in = Vec::new();
    for table in tables {
        let table: String = table.get(0);
        let sql = format!("SELECT COUNT(*) FROM {table} t WHERE lower(t::text) LIKE '%' || lower($1) || '%'");
        let count: i64 = sqlx::query(&sql).bind(word).fetch_one(&mut conn).await.unwrap().get(0);
        if count > 0 {
            found_in.push(table);
        }
    }
    assert_eq!(!found_in.is_empty(), expected, "{word} in {found_in:?}");
}

/// Every table that links to a customer, or holds contact details, is in the register that
/// merge, export and erase walk — or declared as holding none.
#[tokio::test]
async fn the_register_of_customer_data_names_every_table_that_holds_it() {
    use kept_store::customer_data::{NOT_LINKED_BY_CUSTOMER_ID, REGISTER};
    for db in databases().await {
        let store = kept_store::open(&db.url).await.unwrap();
        drop(store);
        let columns: Vec<(String, String)> = if db.name == "sqlite" {
            let mut conn = sqlx::SqliteConnection::connect(&db.url).await.unwrap();
            sqlx::query(
                "SELECT m.name, p.name FROM sqlite_master m, pragma_table_info(m.name) p \
                 WHERE m.type = 'table' AND m.name NOT LIKE 'search_index_%' AND m.name NOT LIKE '\\_%' ESCAPE '\\' \
                 AND m.name NOT LIKE 'sqlite_%'",
            )
            .fetch_all(&mut conn)
            .await
            .unwrap()
            .iter()
            .map(|r| (r.get(0), r.get(1)))
            .collect()
        } else {
            let mut conn = sqlx::PgConnection::connect(&db.url).await.unwrap();
            sqlx::query(
                "SELECT table_name::text, column_name::text FROM information_schema.columns \
                 WHERE table_schema = 'public' AND table_name NOT LIKE '\\_%'",
            )
            .fetch_all(&mut conn)
            .await
            .unwrap()
            .iter()
            .map(|r| (r.get(0), r.get(1)))
            .collect()
        };
        let contact_columns = [
            "customer_id",
            "phone",
            "email",
            "handle",
            "body",
            "raw",
            "summary",
            "note",
        ];
        let mut tables: Vec<&str> = columns
            .iter()
            .filter(|(_, column)| contact_columns.contains(&column.as_str()))
            .map(|(table, _)| table.as_str())
            .collect();
        tables.dedup();
        assert!(tables.contains(&"messages"), "the schema was read: {columns:?}");
        for table in tables {
            let declared = REGISTER.iter().any(|h| h.table == table) || NOT_LINKED_BY_CUSTOMER_ID.contains(&table);
            assert!(
                declared,
                "table {table} holds customer data but is not in customer_data::REGISTER"
            );
        }
    }
}
