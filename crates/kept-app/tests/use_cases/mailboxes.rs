//! Reading a mailbox: where a poll starts and each message once.

use crate::support::*;

use kept_app::App;
use kept_app::mailboxes::{self, MailboxReader, PollReport};

/// A mailbox in memory: (UID, the day it arrived, the raw message).
struct MemoryMailbox {
    uid_validity: i64,
    messages: Vec<(u32, chrono::NaiveDate, Vec<u8>)>,
}

#[async_trait::async_trait]
impl MailboxReader for MemoryMailbox {
    fn uids(&self) -> (i64, i64) {
        let newest = self.messages.iter().map(|(uid, _, _)| *uid).max().unwrap_or(0);
        (self.uid_validity, i64::from(newest) + 1)
    }

    async fn search(&mut self, after_uid: i64, since: chrono::NaiveDate) -> Result<Vec<u32>, String> {
        let mut found: Vec<u32> = self
            .messages
            .iter()
            .filter(|(uid, day, _)| i64::from(*uid) > after_uid && *day >= since)
            .map(|(uid, _, _)| *uid)
            .collect();
        // Like IMAP, "n:*" names the newest message even when it is below n.
        if found.is_empty() {
            found.extend(self.messages.iter().map(|(uid, _, _)| *uid).max());
        }
        Ok(found)
    }

    async fn fetch(&mut self, uids: &[u32]) -> Result<Vec<(u32, Vec<u8>)>, String> {
        Ok(self
            .messages
            .iter()
            .filter(|(uid, _, _)| uids.contains(uid))
            .map(|(uid, _, raw)| (*uid, raw.clone()))
            .collect())
    }
}

fn mail(id: &str, subject: &str) -> Vec<u8> {
    format!(
        "From: Jan Jansen <jan@example.nl>\r\nTo: winkel@fiets.test\r\nSubject: {subject}\r\n\
         Message-ID: <{id}@example.nl>\r\nDate: Tue, 24 Nov 2026 09:30:00 +0100\r\n\
         Content-Type: text/plain; charset=utf-8\r\n\r\nIs mijn fiets al klaar?\r\n"
    )
    .into_bytes()
}

async fn poll(app: &App, key: &str, mailbox: &mut MemoryMailbox) -> PollReport {
    let mut report = PollReport::default();
    mailboxes::import_new(app, key, None, mailbox, &mut report)
        .await
        .unwrap();
    report
}

#[tokio::test]
async fn a_mailbox_is_read_from_when_kept_starts_watching_each_message_once_also_after_it_is_rebuilt() {
    let key = "imap://winkel@mail.test/INBOX";
    for shop in shops().await {
        let (app, db) = (&shop.app, shop.db.name);
        let today = tuesday_morning().date_naive();
        let old = |uid: u32| (uid, today - chrono::Days::new(30), mail(&format!("old-{uid}"), "Oud"));
        let mut mailbox = MemoryMailbox {
            uid_validity: 7,
            messages: vec![old(1), old(2), old(3)],
        };
        assert_eq!(
            poll(app, key, &mut mailbox).await,
            PollReport::default(),
            "{db}: what was there stays there"
        );

        mailbox.messages.push((4, today, mail("new-4", "Fiets")));
        assert_eq!(poll(app, key, &mut mailbox).await.stored, 1, "{db}");
        assert_eq!(poll(app, key, &mut mailbox).await, PollReport::default(), "{db}: once");
        assert_eq!(mailboxes::mailbox(app, key).await.unwrap().unwrap().last_uid, 4);

        // Rebuilt on the server: other UIDs for the same mail, and one new message.
        let mut rebuilt = MemoryMailbox {
            uid_validity: 8,
            messages: vec![
                (1, today, mail("new-4", "Fiets")),
                (2, today, mail("new-5", "Nog een vraag")),
            ],
        };
        let report = poll(app, key, &mut rebuilt).await;
        assert_eq!((report.duplicates, report.stored, report.waiting), (1, 1, 0), "{db}");
        let state = mailboxes::mailbox(app, key).await.unwrap().unwrap();
        assert_eq!((state.uid_validity, state.last_uid), (8, 2), "{db}");
    }
}
