//! The team, account and password pages' view structs.

use askama::Template;
use kept_app::records::Staff;

use crate::i18n::{TeamTexts, Texts};

#[derive(Template)]
#[template(path = "team.html")]
pub struct TeamPage {
    pub texts: &'static Texts,
    pub team: &'static TeamTexts,
    pub me: Staff,
    pub me_away: bool,
    /// Someone else on the team who could stand in (else the page says why there is no one).
    pub can_stand_in: bool,
    /// Owners manage the team (the use cases check it again).
    pub manages_team: bool,
    pub csrf: String,
    pub staff: Vec<TeamRow>,
    /// Names of those who left the team.
    pub former: Vec<String>,
    /// What the last action did, in words, with a link to pass on when it made one.
    pub notice: Option<String>,
    pub pass_on: Option<String>,
}

pub struct TeamRow {
    pub id: String,
    pub name: String,
    pub email: String,
    pub is_owner: bool,
    /// "eigenaar" / "owner": the role in words.
    pub role: &'static str,
    pub away: bool,
    pub delegate: Option<String>,
    /// Invited but no password chosen yet.
    pub invited: bool,
}

#[derive(Template)]
#[template(path = "account.html")]
pub struct AccountPage {
    pub texts: &'static Texts,
    pub team: &'static TeamTexts,
    pub me: Staff,
    pub csrf: String,
    pub sees_all_tokens: bool,
    pub tokens: Vec<TokenRow>,
    pub notice: Option<String>,
    /// A token just made, shown this once.
    pub new_token: Option<String>,
    pub booking: &'static crate::i18n::BookingTexts,
    /// Their own calendar feed's address.
    pub calendar_url: String,
}

pub struct TokenRow {
    pub id: String,
    pub name: String,
    pub whose: String,
    pub created: String,
}

/// The page a password link opens: choose a password (or: the link no longer works).
#[derive(Template)]
#[template(path = "password.html")]
pub struct PasswordPage {
    pub texts: &'static Texts,
    pub team: &'static TeamTexts,
    pub token: String,
    /// `None` when the link no longer works.
    pub name: Option<String>,
    pub email: String,
    pub reset: bool,
    pub problem: Option<&'static str>,
}
