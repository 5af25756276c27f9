//! What changed, told to every node for their pages.

use async_trait::async_trait;

use crate::sql::SqlStore;

/// What changed, told to every node for their pages.
#[async_trait]
pub trait Changes: Send + Sync {
    /// Tells every node that `what` changed ("conversations", "team" …), for their pages;
    /// changes published in quick succession are announced together (see `changes.rs`).
    fn publish_change(&self, what: &str);
    /// What any node (this one included) publishes from now on.
    fn subscribe_changes(&self) -> tokio::sync::broadcast::Receiver<String>;
}

#[async_trait]
impl Changes for SqlStore {
    fn publish_change(&self, what: &str) {
        self.changes.publish(what)
    }

    fn subscribe_changes(&self) -> tokio::sync::broadcast::Receiver<String> {
        self.changes.subscribe()
    }
}
