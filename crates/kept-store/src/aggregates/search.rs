//! Search over messages, customers and notes.

use async_trait::async_trait;

use crate::Result;
use crate::model::{SearchFilter, SearchPage};
use crate::search;
use crate::sql::SqlStore;

/// Search over messages, customers and notes.
#[async_trait]
pub trait Search: Send + Sync {
    async fn search(&self, filter: &SearchFilter) -> Result<SearchPage>;
}

#[async_trait]
impl Search for SqlStore {
    async fn search(&self, filter: &SearchFilter) -> Result<SearchPage> {
        search::search(&self.read, self.dialect, filter).await
    }
}
