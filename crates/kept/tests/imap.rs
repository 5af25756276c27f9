//! E-mail fetched over IMAP by UID from a real Dovecot server: every message imported exactly
//! once — also when read on a phone first, moved to another folder and back, delivered twice,
//! across a restart, and after the mailbox's UIDVALIDITY changed —, a broken message never
//! blocks the next, a new mailbox starts from now, and the owners hear when fetching fails.

use chrono::Duration;
use kept_domain::Clock;
use serde_json::Value;

use crate::support::*;

async fn count_messages(server: &TestServer) -> usize {
    let list: Vec<Value> = server.api_get("/api/v1/conversations").await.json().await.unwrap();
    let mut total = 0;
    for conversation in list {
        let id = conversation["id"].as_str().unwrap();
        let full: Value = server
            .api_get(&format!("/api/v1/conversations/{id}"))
            .await
            .json()
            .await
            .unwrap();
        total += full["messages"].as_array().unwrap().len();
    }
    total
}

async fn unreadable(server: &TestServer) -> Vec<Value> {
    server.api_get("/api/v1/unreadable-mail").await.json().await.unwrap()
}

/// Waits until kept has fetched from the mailbox at least once more than `after` times.
async fn fetched(server: &TestServer, key: &str) {
    eventually(30, "a fetch from the mailbox", || async {
        server
            .store
            .mailbox(key)
            .await
            .unwrap()
            .is_some_and(|m| m.fetched_at.is_some() && m.waiting == 0 && m.error.is_none())
    })
    .await;
}

fn with_imap(url: &str, since: Option<&str>) -> impl FnOnce(&mut kept_app::config::FileConfig) {
    let (url, since) = (url.to_string(), since.map(str::to_string));
    move |config| {
        config.imap_url = Some(url);
        config.imap_poll_seconds = 1;
        config.imap_since = since;
    }
}

#[tokio::test]
async fn mail_is_imported_once_by_uid_whether_read_elsewhere_moved_or_broken() {
    let Some(imap) = ImapServer::start().await else { return };
    for db in databases().await {
        let mailbox = format!("service-{}", db.name);
        let imap_url = imap.url(&mailbox);
        let key = format!("{mailbox}@127.0.0.1:{}/INBOX", imap.port);
        // There before kept watches: a new mailbox is read from now on.
        imap.deliver(&mailbox, &mail_fixture("iso-8859-1-qp.eml")).await;
        let server = TestServer::start_with(&db.url, with_imap(&imap_url, None)).await;
        fetched(&server, &key).await;
        assert_eq!(
            count_messages(&server).await,
            0,
            "{}: what was there stays there",
            db.name
        );

        // One message arrives over HTTP first; the same one then also lands in the mailbox.
        let html = mail_fixture("html-only.eml");
        let over_http = server.post_email(&String::from_utf8(html.clone()).unwrap()).await;
        assert_eq!(over_http.status(), 201);
        imap.deliver(&mailbox, &html).await;
        // Read on a phone before kept looked.
        imap.deliver_to(&mailbox, "INBOX", &mail_fixture("attachment-base64.eml"), true)
            .await;
        imap.deliver(&mailbox, &mail_fixture("malformed.eml")).await;
        imap.deliver(&mailbox, &mail_fixture("reply-chain.eml")).await; // after the broken one
        imap.deliver(&mailbox, &mail_fixture("attachment-base64.eml")).await; // delivered twice
        eventually(30, "the new messages imported", || async {
            count_messages(&server).await == 3 && unreadable(&server).await.len() == 1
        })
        .await;
        fetched(&server, &key).await;
        // html-only (once, though it came twice), the attachment (once: read elsewhere and
        // delivered twice), the reply in its thread; the broken one flagged, not in the way.
        assert_eq!(count_messages(&server).await, 3, "{}", db.name);
        let flagged = unreadable(&server).await;
        assert_eq!(flagged[0]["source"], "imap");
        let raw = server
            .api_get(&format!(
                "/api/v1/unreadable-mail/{}/raw",
                flagged[0]["id"].as_str().unwrap()
            ))
            .await
            .bytes()
            .await
            .unwrap();
        assert_eq!(
            raw.as_ref(),
            mail_fixture("malformed.eml").as_slice(),
            "kept byte for byte"
        );
        // kept reads without marking: what was unread in the mailbox still is.
        let flags = imap.flags(&mailbox).await;
        assert_eq!(flags.iter().filter(|(_, seen)| *seen).count(), 1, "{flags:?}");

        // Filed in another folder and back: a new UID, the same message, not a new one.
        imap.create_folder(&mailbox, "Archief", false).await;
        imap.move_to(&mailbox, flags[1].0, "Archief").await;
        imap.move_back(&mailbox, "Archief").await;
        fetched(&server, &key).await;
        let before_restart = imap.flags(&mailbox).await.len();
        assert_eq!(before_restart, 6);

        // A restart reads on from where it was.
        imap.deliver(&mailbox, &mail_fixture("windows-1252.eml")).await;
        let server = server.restart_with(with_imap(&imap_url, None)).await;
        eventually(30, "the new message imported after the restart", || async {
            count_messages(&server).await == 4
        })
        .await;
        fetched(&server, &key).await;
        assert_eq!(count_messages(&server).await, 4, "{}: nothing twice", db.name);
        assert_eq!(unreadable(&server).await.len(), 1);
        server.running.stop().await;
    }
}

#[tokio::test]
async fn a_new_uidvalidity_is_read_again_without_duplicates_and_history_can_be_asked_for() {
    let Some(imap) = ImapServer::start().await else { return };
    for db in databases().await {
        let mailbox = format!("klanten-{}", db.name);
        imap.create_folder(&mailbox, "Klanten", false).await;
        let url = imap.url(&mailbox).replace("/INBOX", "/Klanten");
        let key = format!("{mailbox}@127.0.0.1:{}/Klanten", imap.port);
        // Asked for history: what is there already is imported too.
        imap.deliver_to(&mailbox, "Klanten", &mail_fixture("html-only.eml"), false)
            .await;
        let server = TestServer::start_with(&db.url, with_imap(&url, Some("2026-11-01"))).await;
        fetched(&server, &key).await;
        assert_eq!(
            count_messages(&server).await,
            1,
            "{}: history since 1 November",
            db.name
        );
        imap.deliver_to(&mailbox, "Klanten", &mail_fixture("windows-1252.eml"), false)
            .await;
        eventually(30, "the second message", || async {
            count_messages(&server).await == 2
        })
        .await;
        let validity = server.store.mailbox(&key).await.unwrap().unwrap().uid_validity;

        // The folder is made anew (a restore, a server move): other UIDs for the same mail.
        imap.create_folder(&mailbox, "Klanten", true).await;
        for fixture in ["html-only.eml", "windows-1252.eml", "iso-8859-1-qp.eml"] {
            imap.deliver_to(&mailbox, "Klanten", &mail_fixture(fixture), false)
                .await;
        }
        eventually(30, "the one new message", || async {
            count_messages(&server).await == 3
        })
        .await;
        fetched(&server, &key).await;
        let state = server.store.mailbox(&key).await.unwrap().unwrap();
        assert_ne!(state.uid_validity, validity, "{}", db.name);
        assert_eq!(count_messages(&server).await, 3, "{}: none twice", db.name);
        let conversations: Vec<Value> = server.api_get("/api/v1/conversations").await.json().await.unwrap();
        assert_eq!(conversations.len(), 3);
        server.running.stop().await;
    }
}

#[tokio::test]
async fn the_owners_hear_once_when_fetching_has_failed_for_half_an_hour() {
    let Some(imap) = ImapServer::start().await else { return };
    let db = TestDatabase::sqlite();
    let wrong = imap.url("service").replace(ImapServer::PASSWORD, "wrong");
    let server = TestServer::start_with(&db.url, with_imap(&wrong, None)).await;
    let key = format!("service@127.0.0.1:{}/INBOX", imap.port);
    eventually(30, "a failed poll recorded", || async {
        server
            .store
            .mailbox(&key)
            .await
            .unwrap()
            .is_some_and(|m| m.error.is_some())
    })
    .await;
    // The settings page says so, in the owner's language.
    let (mut owner, _) = logged_in(&server, &server.owner_email).await;
    let (_, page) = owner.get(&server.url("/staff/settings")).await;
    assert!(
        page.contains("id=\"mailbox-health\"") && page.contains("Laatste fout"),
        "{page}"
    );
    assert!(page.contains("Laatst opgehaald</dt><dd>nog niet"), "{page}");

    let alerts = || {
        server
            .smtp
            .to(&server.owner_email)
            .into_iter()
            .filter(|m| m.subject == "kept kan de mailbox niet lezen")
            .count()
    };
    // A poll at the clock's new time has been recorded and what it queued is delivered.
    let polled_now = || async {
        let now = server.clock.now();
        eventually(20, "a poll at the new time, its e-mail out", || async {
            let polled = server.store.mailbox(&key).await.unwrap().and_then(|m| m.polled_at);
            polled == Some(now) && server.store.outbox_counts().await.unwrap().pending == 0
        })
        .await;
    };
    server.clock.advance(Duration::minutes(29));
    polled_now().await;
    assert_eq!(alerts(), 0, "not before half an hour");
    server.clock.advance(Duration::minutes(2));
    polled_now().await;
    assert_eq!(alerts(), 1, "the owner e-mailed");
    server.clock.advance(Duration::minutes(60));
    polled_now().await;
    assert_eq!(alerts(), 1, "once per failure, not once per poll");
    let mail = server
        .smtp
        .to(&server.owner_email)
        .into_iter()
        .find(|m| m.subject == "kept kan de mailbox niet lezen")
        .unwrap();
    assert!(mail.text.contains(&key), "{}", mail.text);

    // Put right: the health says it works again.
    let right = imap.url("service");
    let server = server.restart_with(with_imap(&right, None)).await;
    fetched(&server, &key).await;
    server.running.stop().await;
}
