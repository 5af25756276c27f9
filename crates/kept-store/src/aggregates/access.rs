//! Log-in sessions and API tokens: who is behind a cookie or a token.

use async_trait::async_trait;
use chrono::{DateTime, Utc};

use crate::Result;
use crate::model::{ApiTokenView, NewSession, Session, Staff};
use crate::sql::SqlStore;
use crate::staff;

/// Log-in sessions and API tokens: who is behind a cookie or a token.
#[async_trait]
pub trait Access: Send + Sync {
    async fn create_session(&self, session: NewSession) -> Result<()>;
    async fn session(&self, token_hash: &str, now: DateTime<Utc>) -> Result<Option<Session>>;
    async fn delete_session(&self, token_hash: &str) -> Result<()>;
    /// Stores a named API token's hash; returns the id it is listed and revoked by.
    async fn add_api_token(&self, token_hash: &str, staff_id: &str, name: &str, now: DateTime<Utc>) -> Result<String>;
    /// The active staff member behind a token. Remembered for a few seconds per node: a change
    /// to staff or tokens made on this node counts at once, one made on another node within
    /// [`API_TOKEN_FRESH_FOR`].
    async fn staff_by_api_token(&self, token_hash: &str, now: DateTime<Utc>) -> Result<Option<Staff>>;
    /// API tokens, newest first: only `staff_id`'s when given.
    async fn api_tokens(&self, staff_id: Option<&str>) -> Result<Vec<ApiTokenView>>;
    /// Revokes a token (only if it is `staff_id`'s, when given).
    async fn revoke_api_token(&self, id: &str, staff_id: Option<&str>) -> Result<()>;
}

#[async_trait]
impl Access for SqlStore {
    async fn create_session(&self, session: NewSession) -> Result<()> {
        staff::create_session(&self.write, session).await
    }

    async fn session(&self, token_hash: &str, now: DateTime<Utc>) -> Result<Option<Session>> {
        staff::session(&self.read, token_hash, now).await
    }

    async fn delete_session(&self, token_hash: &str) -> Result<()> {
        staff::delete_session(&self.write, token_hash).await
    }

    async fn add_api_token(&self, token_hash: &str, staff_id: &str, name: &str, now: DateTime<Utc>) -> Result<String> {
        staff::add_api_token(&self.write, token_hash, staff_id, name, now).await
    }

    async fn staff_by_api_token(&self, token_hash: &str, now: DateTime<Utc>) -> Result<Option<Staff>> {
        let lookup = match self.api_tokens.get(token_hash, now) {
            Ok(staff) => return Ok(Some(staff)),
            Err(lookup) => lookup,
        };
        let staff = staff::by_api_token(&self.read, token_hash).await?;
        if let Some(staff) = &staff {
            self.api_tokens.put(lookup, token_hash, staff, now);
        }
        Ok(staff)
    }

    async fn api_tokens(&self, staff_id: Option<&str>) -> Result<Vec<ApiTokenView>> {
        staff::api_tokens(&self.read, staff_id).await
    }

    async fn revoke_api_token(&self, id: &str, staff_id: Option<&str>) -> Result<()> {
        let revoked = staff::revoke_api_token(&self.write, id, staff_id).await;
        self.api_tokens.forget();
        revoked
    }
}
