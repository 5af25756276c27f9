//! The staff home page's view structs.

use askama::Template;
use kept_app::records::Staff;

use crate::i18n::{InboxTexts, Texts};

use crate::http::callbacks::views::CallbackRow;
use crate::http::conversations::views::{InboxList, NotSentRow, UnreadableRow};

#[derive(Template)]
#[template(path = "dashboard.html")]
pub struct DashboardPage {
    pub texts: &'static Texts,
    pub inbox: &'static InboxTexts,
    pub me: Staff,
    pub csrf: String,
    /// An owner's first-day checklist, until every step is done.
    pub first_day: Option<(kept_app::FirstDay, &'static crate::i18n::first_day::FirstDayTexts)>,
    pub rows: Vec<CallbackRow>,
    /// The inbox view shown (a code) and every view: (address query, label, shown).
    pub view: &'static str,
    /// The "all open" view: an empty list there means nobody is waiting.
    pub everything_open: bool,
    pub views: Vec<(String, &'static str, bool)>,
    /// This list's query string, for its live refresh.
    pub query: String,
    /// Channel filter: (code, label, chosen); tag filter: the tags in use and the chosen one.
    pub channels: Vec<(String, String, bool)>,
    pub tags: Vec<String>,
    pub tag: String,
    /// Who conversations can be assigned to: (id, name).
    pub team: Vec<(String, String)>,
    pub list: InboxList,
    pub unreadable: Vec<UnreadableRow>,
    pub not_sent: Vec<NotSentRow>,
    pub promises: Vec<PromiseRow>,
}

/// An open promise of a kind without a list of its own (follow-ups, call-aheads, recovery
/// calls …) on the home page.
pub struct PromiseRow {
    pub kind: &'static str,
    pub customer: String,
    /// The customer's page.
    pub link: Option<String>,
    pub owner: String,
    pub due_iso: String,
    pub due_local: String,
    pub overdue: bool,
}

#[derive(Template)]
#[template(path = "promise_rows.html")]
pub struct PromiseRowsFragment {
    pub texts: &'static Texts,
    pub inbox: &'static InboxTexts,
    pub promises: Vec<PromiseRow>,
}
