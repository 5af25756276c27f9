//! The settings page's view structs.

use askama::Template;
use kept_app::records::Staff;

use crate::i18n::{SettingsTexts, Texts};

#[derive(Template)]
#[template(path = "settings.html")]
pub struct SettingsPage {
    pub texts: &'static Texts,
    pub settings: &'static SettingsTexts,
    pub me: Staff,
    pub csrf: String,
    pub form: SettingsFormValues,
    /// Who may make outreach calls: (staff id, name), active team members.
    pub team: Vec<(String, String)>,
    pub history: Vec<SettingChangeRow>,
    /// Tone findings marked "not a problem here".
    pub tone_marked: Vec<ToneMarkRow>,
    /// How fetching customer e-mail goes; `None` when no mailbox is set up.
    pub mailbox: Option<MailboxHealth>,
    pub saved: bool,
    pub error: Option<String>,
}

/// A mailbox's health as the settings page shows it.
pub struct MailboxHealth {
    /// "service@fiets.nl@mail.fiets.nl:993/INBOX".
    pub name: String,
    pub last_fetch: String,
    pub error: Option<String>,
    pub failing_since: Option<String>,
    pub waiting: i64,
}

/// A tone finding marked "not a problem here", as the settings page lists it.
pub struct ToneMarkRow {
    pub id: String,
    pub rule: &'static str,
    pub excerpt: String,
    pub who: String,
    pub at: String,
}

/// What the settings form shows: the saved values, or what the owner typed when refused.
pub struct SettingsFormValues {
    pub name: String,
    pub time_zone: String,
    /// (field name, weekday in words, value)
    pub hours: Vec<(&'static str, &'static str, String)>,
    pub closed_days: String,
    pub windows: Vec<WindowFormRow>,
    pub first_response: String,
    pub default_first_response: String,
    pub reminder_lead: String,
    pub retry_after: String,
    pub appointment_reminders: String,
    pub channel_webhooks: String,
    /// Whether the owners get last week's figures on Monday morning.
    pub weekly_figures_email: bool,
    /// Whether customers are told at once that their mail, their callback request arrived.
    pub acknowledge_email: bool,
    pub acknowledge_callback_form: bool,
    /// Which contacts are followed by a question: (field, label, ticked).
    pub survey_triggers: Vec<(&'static str, &'static str, bool)>,
    /// The survey numbers: (field, label, value).
    pub survey_numbers: Vec<(&'static str, &'static str, String)>,
    pub exit_reasons: String,
    pub survey_intro_nl: String,
    pub survey_intro_en: String,
    /// The staff member's id who makes outreach calls; empty: an owner.
    pub outreach_owner: String,
}

pub struct WindowFormRow {
    pub code: String,
    pub label_nl: String,
    pub label_en: String,
    /// The rules to choose from, the window's own (or the one posted back) selected.
    pub kinds: Vec<RuleChoice>,
    pub minutes: String,
    pub start: String,
    pub end: String,
}

pub struct RuleChoice {
    pub code: &'static str,
    pub label: &'static str,
    pub selected: bool,
}

pub struct SettingChangeRow {
    pub at: String,
    pub who: String,
    pub setting: String,
    pub old: String,
    pub new: String,
}
