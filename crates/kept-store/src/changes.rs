//! The change feed between nodes: what changed (a page's worth: "conversations", "team" …) is
//! published by the node that changed it and reaches every node's pages and workers. SQLite has
//! one node, so a channel in memory is enough; on PostgreSQL it travels as NOTIFY on one
//! channel, which every node LISTENs to (its own notices come back the same way).

use sqlx::AnyPool;
use sqlx::postgres::PgListener;
use tokio::sync::broadcast;
use tokio::task::JoinHandle;

use crate::Result;

const CHANNEL: &str = "kept_changes";
/// Pages only need to know that something changed; a slow reader that misses some notices
/// still sees the next one.
const BACKLOG: usize = 256;

pub(crate) struct ChangeFeed {
    sender: broadcast::Sender<String>,
    /// PostgreSQL: the task that listens; stopped with the store.
    listener: Option<JoinHandle<()>>,
}

impl ChangeFeed {
    pub(crate) fn in_memory() -> ChangeFeed {
        ChangeFeed {
            sender: broadcast::channel(BACKLOG).0,
            listener: None,
        }
    }

    /// Listens on PostgreSQL before returning, so no notice published after start-up is missed.
    pub(crate) async fn postgres(url: &str) -> Result<ChangeFeed> {
        let sender = broadcast::channel(BACKLOG).0;
        let mut listener = PgListener::connect(url).await?;
        listener.listen(CHANNEL).await?;
        let forward = sender.clone();
        let task = tokio::spawn(async move {
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
        Ok(ChangeFeed {
            sender,
            listener: Some(task),
        })
    }

    pub(crate) async fn publish(&self, pool: &AnyPool, what: &str) -> Result<()> {
        if self.listener.is_some() {
            sqlx::query("SELECT pg_notify($1, $2)")
                .bind(CHANNEL)
                .bind(what)
                .execute(pool)
                .await?;
        } else {
            let _ = self.sender.send(what.to_string());
        }
        Ok(())
    }

    pub(crate) fn subscribe(&self) -> broadcast::Receiver<String> {
        self.sender.subscribe()
    }
}

impl Drop for ChangeFeed {
    fn drop(&mut self) {
        if let Some(task) = &self.listener {
            task.abort();
        }
    }
}
