//! The change feed between nodes: what changed (a page's worth: "conversations", "team" …) is
//! published by the node that changed it and reaches every node's pages and workers. SQLite has
//! one node, so a channel in memory is enough; on PostgreSQL it travels as NOTIFY on one
//! channel, which every node LISTENs to (its own notices come back the same way).
//!
//! Changes are announced coalesced: a page or worker only needs to know *that* something of a
//! kind changed since it last looked, not how often. Under load every accepted callback request
//! used to send its own NOTIFY (a transaction and a WAL flush on PostgreSQL) and wake every
//! node's outbox worker for one more claim; now what changes while an announcement is on its
//! way, or in the moment after it (`ANNOUNCEMENTS_GATHER`), goes out once, with the next one,
//! every kind in one statement.

use std::collections::BTreeSet;
use std::sync::{Arc, Mutex, PoisonError};

use sqlx::AnyPool;
use sqlx::postgres::PgListener;
use tokio::sync::{Notify, broadcast};
use tokio::task::JoinHandle;

use crate::Result;

const CHANNEL: &str = "kept_changes";
/// Pages only need to know that something changed; a slow reader that misses some notices
/// still sees the next one.
const BACKLOG: usize = 256;

pub(crate) struct ChangeFeed {
    sender: broadcast::Sender<String>,
    pending: Arc<Pending>,
    /// The task that announces what is pending and, on PostgreSQL, the one that listens;
    /// stopped with the store.
    tasks: Vec<JoinHandle<()>>,
}

/// The kinds of change published and not yet announced.
#[derive(Default)]
struct Pending {
    kinds: Mutex<BTreeSet<String>>,
    wake: Notify,
}

impl Pending {
    fn add(&self, what: &str) {
        let mut kinds = self.kinds.lock().unwrap_or_else(PoisonError::into_inner);
        if !kinds.contains(what) {
            kinds.insert(what.to_string());
        }
        drop(kinds);
        self.wake.notify_one();
    }

    /// Waits until something is pending and takes all of it.
    async fn take(&self) -> BTreeSet<String> {
        loop {
            self.wake.notified().await;
            let kinds = std::mem::take(&mut *self.kinds.lock().unwrap_or_else(PoisonError::into_inner));
            if !kinds.is_empty() {
                return kinds;
            }
        }
    }
}

impl ChangeFeed {
    pub(crate) fn in_memory() -> ChangeFeed {
        let sender = broadcast::channel(BACKLOG).0;
        let pending = Arc::new(Pending::default());
        let announcer = tokio::spawn(announce_in_memory(pending.clone(), sender.clone()));
        ChangeFeed {
            sender,
            pending,
            tasks: vec![announcer],
        }
    }

    /// Listens on PostgreSQL before returning, so no notice published after start-up is missed.
    pub(crate) async fn postgres(url: &str, pool: AnyPool) -> Result<ChangeFeed> {
        let sender = broadcast::channel(BACKLOG).0;
        let mut listener = PgListener::connect(url).await?;
        listener.listen(CHANNEL).await?;
        let forward = sender.clone();
        let listening = tokio::spawn(async move {
            loop {
                // PgListener reconnects (and listens again) by itself after a lost connection.
                match listener.recv().await {
                    Ok(notice) => {
                        let _ = forward.send(notice.payload().to_string());
                    }
                    Err(error) => {
                        tracing::warn!(%error, "change feed interrupted; reconnecting");
                        tokio::time::sleep(std::time::Duration::from_secs(1)).await;
                    }
                }
            }
        });
        let pending = Arc::new(Pending::default());
        let announcer = tokio::spawn(announce_on_postgres(pending.clone(), pool));
        Ok(ChangeFeed {
            sender,
            pending,
            tasks: vec![listening, announcer],
        })
    }

    /// Queues the change for announcement (after the write that made it has committed).
    pub(crate) fn publish(&self, what: &str) {
        self.pending.add(what);
    }

    pub(crate) fn subscribe(&self) -> broadcast::Receiver<String> {
        self.sender.subscribe()
    }
}

async fn announce_in_memory(pending: Arc<Pending>, sender: broadcast::Sender<String>) {
    loop {
        for what in pending.take().await {
            let _ = sender.send(what);
        }
    }
}

/// How long what changes on PostgreSQL gathers before it is announced: each announcement is a
/// transaction for PostgreSQL, and under load there were hundreds a second (448/s at 5,300
/// callback requests/s). Pages on other nodes refresh this much later at most.
const ANNOUNCEMENTS_GATHER: std::time::Duration = std::time::Duration::from_millis(20);

async fn announce_on_postgres(pending: Arc<Pending>, pool: AnyPool) {
    loop {
        let kinds: Vec<String> = pending.take().await.into_iter().collect();
        // Every kind in one statement: SELECT pg_notify($1, $2), pg_notify($1, $3) …
        let notices = (0..kinds.len())
            .map(|n| format!("pg_notify($1, ${})", n + 2))
            .collect::<Vec<_>>()
            .join(", ");
        let sql = format!("SELECT {notices}");
        let sent = kinds
            .iter()
            .fold(sqlx::query(&sql).bind(CHANNEL), |query, what| query.bind(what))
            .execute(&pool)
            .await;
        if let Err(error) = sent {
            tracing::warn!(%error, ?kinds, "cannot tell the other nodes about a change; their pages refresh on the next one");
        }
        tokio::time::sleep(ANNOUNCEMENTS_GATHER).await;
    }
}

impl Drop for ChangeFeed {
    fn drop(&mut self) {
        for task in &self.tasks {
            task.abort();
        }
    }
}
