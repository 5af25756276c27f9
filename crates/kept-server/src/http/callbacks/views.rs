//! The callback form's, a request's and the open requests' view structs.

use askama::Template;
use kept_app::records::Staff;

use crate::i18n::Texts;

#[derive(Template)]
#[template(path = "callback_form.html")]
pub struct CallbackFormPage {
    pub texts: &'static Texts,
    pub business: String,
    pub windows: Vec<(String, String)>,
    pub phone: String,
    pub name: String,
    pub note: String,
    pub window: String,
    pub errors: Vec<(String, String)>,
    pub embed: bool,
}

impl CallbackFormPage {
    fn error_for(&self, field: &str) -> Option<&str> {
        self.errors
            .iter()
            .find(|(f, _)| f == field)
            .map(|(_, message)| message.as_str())
    }
}

#[derive(Template)]
#[template(path = "callback_done.html")]
pub struct CallbackDonePage {
    pub texts: &'static Texts,
    pub business: String,
    pub confirmation: String,
    /// The request's own page, with what it is (when the owner has it on).
    pub follow: Option<(String, &'static str)>,
}

#[derive(Template)]
#[template(path = "callback_rows.html")]
pub struct RowsFragment {
    pub texts: &'static Texts,
    pub rows: Vec<CallbackRow>,
}

#[derive(Template)]
#[template(path = "callback_detail.html")]
pub struct CallbackPage {
    pub texts: &'static Texts,
    pub status_page: &'static crate::i18n::StatusTexts,
    pub me: Staff,
    pub csrf: String,
    pub row: CallbackRow,
    pub history: Vec<HistoryRow>,
    pub promise_history: Vec<HistoryRow>,
}

/// A callback request as one line on a staff page.
pub struct CallbackRow {
    pub id: String,
    pub who: String,
    pub phone: String,
    /// The number as people here write it (`phone` is E.164, for `tel:`).
    pub phone_shown: String,
    pub note: Option<String>,
    pub window_label: String,
    pub due_iso: String,
    pub due_local: String,
    pub overdue: bool,
    pub owner: String,
    pub attempts: i64,
    pub status: &'static str,
    pub is_open: bool,
    /// "Vroeg opnieuw om 10:12 (2×)" when the customer asked again while it was open.
    pub asked_again: Option<String>,
}

pub struct HistoryRow {
    pub at: String,
    pub what: String,
    pub note: Option<String>,
}
