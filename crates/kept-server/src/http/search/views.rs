//! The search page's view structs.

use askama::Template;
use kept_app::records::Staff;

use crate::i18n::{InboxTexts, Texts};

#[derive(Template)]
#[template(path = "search.html")]
pub struct SearchPage {
    pub texts: &'static Texts,
    pub inbox: &'static InboxTexts,
    pub me: Staff,
    pub csrf: String,
    pub q: String,
    pub channel: String,
    pub from: String,
    pub until: String,
    pub customer: String,
    /// (code, in words)
    pub channels: Vec<(String, String)>,
    pub searched: bool,
    pub error: Option<String>,
    pub results: Vec<SearchRow>,
    /// The next page of results, when there is one.
    pub more_link: Option<String>,
}

pub struct SearchRow {
    pub kind: &'static str,
    pub at: String,
    pub who: String,
    pub channel: String,
    pub snippet: String,
    pub link: String,
}
