//! E-mail fetched over IMAP from a real Dovecot server: every message imported exactly once,
//! marked seen only after it is stored, also across a restart and when the same message also
//! arrives over HTTP.

use crate::support::*;
use serde_json::Value;

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

#[tokio::test]
async fn mail_is_imported_once_and_marked_seen_only_after_it_is_stored() {
    let Some(imap) = ImapServer::start().await else { return };
    for db in databases().await {
        let mailbox = format!("service-{}", db.name);
        let imap_url = imap.url(&mailbox);
        // One message arrives over HTTP first; the same one then also lands in the mailbox.
        let server = TestServer::start(&db.url).await;
        let html = mail_fixture("html-only.eml");
        assert_eq!(
            server
                .post_email(&String::from_utf8(html.clone()).unwrap())
                .await
                .status(),
            201
        );
        for fixture in [
            "html-only.eml",
            "attachment-base64.eml",
            "reply-chain.eml",
            "bounce.eml",
            "malformed.eml",
        ] {
            imap.deliver(&mailbox, &mail_fixture(fixture)).await;
        }
        imap.deliver(&mailbox, &mail_fixture("attachment-base64.eml")).await; // delivered twice
        let server = server
            .restart_with(|config| {
                config.imap_url = Some(imap_url.clone());
                config.imap_poll_seconds = 1;
            })
            .await;
        eventually(30, "all six messages in the mailbox marked seen", || async {
            let flags = imap.flags(&mailbox).await;
            flags.len() == 6 && flags.iter().all(|(_, seen)| *seen)
        })
        .await;
        // html-only (once, though it came twice), attachment (once, though delivered twice),
        // the reply in its thread, the bounce; the malformed one is flagged instead.
        assert_eq!(count_messages(&server).await, 4, "{}", db.name);
        let flagged = unreadable(&server).await;
        assert_eq!(flagged.len(), 1, "{}", db.name);
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

        // The reply joined the attachment's conversation.
        let conversations: Vec<Value> = server.api_get("/api/v1/conversations").await.json().await.unwrap();
        assert_eq!(
            conversations.len(),
            3,
            "Sanne, Jan (two messages), the bounce: {}",
            db.name
        );

        // A crash after storing but before marking seen: the message is unseen again, a new one arrives.
        let uids = imap.flags(&mailbox).await;
        imap.mark_unseen(&mailbox, uids[1].0).await;
        imap.deliver(&mailbox, &mail_fixture("iso-8859-1-qp.eml")).await;
        let server = server
            .restart_with(|config| {
                config.imap_url = Some(imap_url.clone());
                config.imap_poll_seconds = 1;
            })
            .await;
        eventually(30, "the new message imported after the restart", || async {
            let flags = imap.flags(&mailbox).await;
            flags.len() == 7 && flags.iter().all(|(_, seen)| *seen) && count_messages(&server).await >= 5
        })
        .await;
        assert_eq!(
            count_messages(&server).await,
            5,
            "the re-fetched message is not stored twice: {}",
            db.name
        );
        assert_eq!(unreadable(&server).await.len(), 1);
        server.running.stop().await;
    }
}
