//! Staff: who is on the team, their passwords, languages and absences, invitations and password
//! links, roles and leaving.

use async_trait::async_trait;
use chrono::{DateTime, Utc};

use crate::model::{NewPasswordLink, NewStaff, PasswordLinkView, Staff, StaffChange};
use crate::promises::Handover;
use crate::sql::SqlStore;
use crate::{Result, StoreError};
use crate::{conversations, outbox, password_links, promises, staff};

/// Staff: who is on the team, their passwords, languages and absences, invitations and password
/// links, roles and leaving.
#[async_trait]
pub trait Team: Send + Sync {
    async fn add_staff(&self, staff: NewStaff) -> Result<Staff>;
    async fn staff_by_id(&self, id: &str) -> Result<Option<Staff>>;
    async fn staff_by_email(&self, email: &str) -> Result<Option<Staff>>;
    async fn list_staff(&self) -> Result<Vec<Staff>>;
    async fn set_password(&self, staff_id: &str, password_hash: &str) -> Result<()>;
    async fn set_staff_lang(&self, staff_id: &str, lang: kept_domain::Lang) -> Result<()>;
    /// Marks someone away (handing their open promises to the delegate) or back.
    async fn set_away(&self, staff_id: &str, away: Option<&str>, now: DateTime<Utc>) -> Result<()>;
    /// Adds someone without a password yet and e-mails them a link to choose one.
    async fn invite_staff(&self, staff: NewStaff, link: NewPasswordLink) -> Result<Staff>;
    /// E-mails `staff_id` a new link to set their password; earlier links stop working.
    async fn send_password_link(&self, staff_id: &str, link: NewPasswordLink) -> Result<()>;
    /// Stores a password link that is handed over another way than by e-mail (printed on the
    /// server's command line); earlier links of theirs stop working.
    async fn make_password_link(&self, staff_id: &str, link: NewPasswordLink) -> Result<()>;
    async fn password_link(&self, id: &str) -> Result<Option<PasswordLinkView>>;
    /// The link with this token hash, if it still works.
    async fn usable_password_link(&self, token_hash: &str, now: DateTime<Utc>) -> Result<Option<PasswordLinkView>>;
    /// Sets the password through a link, uses the link up, logs the person out elsewhere and
    /// revokes their API tokens.
    async fn use_password_link(&self, token_hash: &str, password_hash: &str, now: DateTime<Utc>) -> Result<Staff>;
    /// Sets a new password and ends every other session of theirs (`keep_session` stays).
    async fn change_password(&self, staff_id: &str, password_hash: &str, keep_session: Option<&str>) -> Result<()>;
    /// Renames someone or changes their role; `LastOwner` if no owner would be left.
    async fn change_staff(&self, staff_id: &str, change: StaffChange) -> Result<Staff>;
    /// Takes someone off the team: their open promises and conversations go to `successor`.
    async fn deactivate_staff(&self, staff_id: &str, successor: &str, now: DateTime<Utc>) -> Result<()>;
}

#[async_trait]
impl Team for SqlStore {
    async fn add_staff(&self, new: NewStaff) -> Result<Staff> {
        let mut tx = self.begin_write().await?;
        let id = staff::add(&mut tx, &new).await?;
        tx.commit().await?;
        self.staff_by_id(&id).await?.ok_or(StoreError::NotFound)
    }

    async fn staff_by_id(&self, id: &str) -> Result<Option<Staff>> {
        staff::by_id(&self.read, id).await
    }

    async fn staff_by_email(&self, email: &str) -> Result<Option<Staff>> {
        staff::by_email(&self.read, email).await
    }

    async fn list_staff(&self) -> Result<Vec<Staff>> {
        staff::list(&self.read).await
    }

    async fn set_password(&self, staff_id: &str, password_hash: &str) -> Result<()> {
        self.change_password(staff_id, password_hash, None).await
    }

    async fn set_staff_lang(&self, staff_id: &str, lang: kept_domain::Lang) -> Result<()> {
        let set = staff::set_lang(&self.write, staff_id, lang).await;
        self.api_tokens.forget();
        set
    }

    async fn set_away(&self, staff_id: &str, delegate: Option<&str>, now: DateTime<Utc>) -> Result<()> {
        let mut tx = self.begin_write().await?;
        let previous_stand_in = staff::delegate_of(&mut tx, staff_id).await?;
        staff::set_away(&mut tx, staff_id, delegate).await?;
        match (delegate, previous_stand_in) {
            (Some(stand_in), _) => {
                promises::hand_over_open(&mut tx, staff_id, stand_in, Handover::StandIn, now).await?;
                conversations::hand_over_assigned(&mut tx, staff_id, stand_in, Handover::StandIn).await?;
            }
            (None, Some(stand_in)) => {
                promises::hand_back(&mut tx, staff_id, &stand_in, now).await?;
                conversations::hand_back_assigned(&mut tx, staff_id, &stand_in).await?;
            }
            (None, None) => {}
        }
        tx.commit().await?;
        self.api_tokens.forget();
        Ok(())
    }

    async fn invite_staff(&self, new: NewStaff, link: NewPasswordLink) -> Result<Staff> {
        let mut tx = self.begin_write().await?;
        let id = staff::add(&mut tx, &new).await?;
        let link_id = password_links::create(&mut tx, &id, &link).await?;
        outbox::insert(&mut tx, &[outbox::password_link_row(&link_id, &id, link.now)]).await?;
        tx.commit().await?;
        self.staff_by_id(&id).await?.ok_or(StoreError::NotFound)
    }

    async fn send_password_link(&self, staff_id: &str, link: NewPasswordLink) -> Result<()> {
        let mut tx = self.begin_write().await?;
        if !staff::is_active(&mut tx, staff_id).await? {
            return Err(StoreError::NotFound);
        }
        let link_id = password_links::create(&mut tx, staff_id, &link).await?;
        outbox::insert(&mut tx, &[outbox::password_link_row(&link_id, staff_id, link.now)]).await?;
        tx.commit().await?;
        Ok(())
    }

    async fn make_password_link(&self, staff_id: &str, link: NewPasswordLink) -> Result<()> {
        let mut tx = self.begin_write().await?;
        if !staff::is_active(&mut tx, staff_id).await? {
            return Err(StoreError::NotFound);
        }
        password_links::create(&mut tx, staff_id, &NewPasswordLink { token: None, ..link }).await?;
        tx.commit().await?;
        Ok(())
    }

    async fn password_link(&self, id: &str) -> Result<Option<PasswordLinkView>> {
        password_links::by_id(&self.read, id).await
    }

    async fn usable_password_link(&self, token_hash: &str, now: DateTime<Utc>) -> Result<Option<PasswordLinkView>> {
        let mut conn = self.read.acquire().await?;
        password_links::usable(&mut conn, token_hash, now).await
    }

    async fn use_password_link(&self, token_hash: &str, password_hash: &str, now: DateTime<Utc>) -> Result<Staff> {
        let mut tx = self.begin_write().await?;
        let link = password_links::usable(&mut tx, token_hash, now)
            .await?
            .ok_or(StoreError::NotFound)?;
        password_links::use_up(&mut tx, &link.id, now).await?;
        staff::set_password_in(&mut tx, &link.staff_id, password_hash).await?;
        staff::end_sessions(&mut tx, &link.staff_id, None).await?;
        // A reset is how an owner takes back an account someone else may hold: the tokens it
        // made go with its sessions (an invitation's account has none yet).
        staff::revoke_api_tokens_of(&mut tx, &link.staff_id).await?;
        tx.commit().await?;
        self.api_tokens.forget();
        self.staff_by_id(&link.staff_id).await?.ok_or(StoreError::NotFound)
    }

    async fn change_password(&self, staff_id: &str, password_hash: &str, keep_session: Option<&str>) -> Result<()> {
        let mut tx = self.begin_write().await?;
        staff::set_password_in(&mut tx, staff_id, password_hash).await?;
        staff::end_sessions(&mut tx, staff_id, keep_session).await?;
        tx.commit().await?;
        self.api_tokens.forget();
        Ok(())
    }

    async fn change_staff(&self, staff_id: &str, change: StaffChange) -> Result<Staff> {
        let mut tx = self.begin_write().await?;
        staff::change(&mut tx, staff_id, &change).await?;
        tx.commit().await?;
        self.api_tokens.forget();
        self.staff_by_id(staff_id).await?.ok_or(StoreError::NotFound)
    }

    async fn deactivate_staff(&self, staff_id: &str, successor: &str, now: DateTime<Utc>) -> Result<()> {
        let mut tx = self.begin_write().await?;
        if successor == staff_id || !staff::is_active(&mut tx, successor).await? {
            return Err(StoreError::Conflict(
                "the successor must be someone else on the team".into(),
            ));
        }
        staff::deactivate(&mut tx, staff_id, successor).await?;
        promises::hand_over_open(&mut tx, staff_id, successor, Handover::ForGood, now).await?;
        conversations::hand_over_assigned(&mut tx, staff_id, successor, Handover::ForGood).await?;
        tx.commit().await?;
        self.api_tokens.forget();
        Ok(())
    }
}
