//! The first day: what a new install still needs before kept can keep its promises, read from
//! what is stored and configured (nothing to tick by hand, so it cannot say "done" wrongly).

use std::sync::atomic::Ordering;

use kept_domain::conversation::ConversationStatus;
use kept_store::{AssigneeFilter, ConversationFilter, ListPage, Staff};

use crate::App;
use crate::error::AppError;

/// Each step of the first day, done or not.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FirstDay {
    /// The business's name, hours and callback times saved on the settings page.
    pub business_saved: bool,
    /// kept can send e-mail (an SMTP server in kept.toml).
    pub mail_out: bool,
    /// kept receives customer e-mail (a mailbox in kept.toml, or mail has come in).
    pub mail_in: bool,
    /// Someone besides the owner is on the team.
    pub team: bool,
    /// A callback request has come in (the form on the website, tried once).
    pub first_request: bool,
}

impl FirstDay {
    pub fn done(&self) -> bool {
        self.business_saved && self.mail_out && self.mail_in && self.team && self.first_request
    }
}

/// The first day's steps still to show; `None` for someone who does not set kept up (not an
/// owner) and once all were done (they stay done: the home page then asks nothing). `team` is
/// the team as the page has it already.
pub async fn first_day(app: &App, staff: &Staff, team: &[Staff]) -> Result<Option<FirstDay>, AppError> {
    if staff.role != kept_domain::Role::Owner || app.first_day_done.load(Ordering::Relaxed) {
        return Ok(None);
    }
    let settings = app.settings();
    let email = ConversationFilter {
        status: None::<ConversationStatus>,
        assignee: AssigneeFilter::Anyone,
        channel: Some(crate::EMAIL.to_string()),
        tag: None,
    };
    let mail_in = settings.imap.is_some()
        || !app
            .store
            .list_conversations(&email, &ListPage::First, 1)
            .await?
            .rows
            .is_empty();
    let steps = FirstDay {
        business_saved: app.store.settings_document().await?.is_some(),
        mail_out: settings.smtp_url.is_some(),
        mail_in,
        team: team.iter().filter(|s| s.active).count() > 1,
        first_request: !app.store.list_callbacks(None, 1).await?.is_empty(),
    };
    if steps.done() {
        app.first_day_done.store(true, Ordering::Relaxed);
        return Ok(None);
    }
    Ok(Some(steps))
}
