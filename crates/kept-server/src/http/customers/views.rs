//! The customer and merge pages' view structs, and the write-first box.

use askama::Template;
use kept_app::records::Staff;

use crate::i18n::first_messages::FirstMessageTexts;
use crate::i18n::{InboxTexts, Texts};

#[derive(Template)]
#[template(path = "customer.html")]
pub struct CustomerPage {
    pub texts: &'static Texts,
    pub inbox: &'static InboxTexts,
    pub me: Staff,
    pub csrf: String,
    pub id: String,
    pub name: String,
    pub contacts: Vec<String>,
    pub timeline: TimelineList,
    pub follow_ups: Vec<FollowUpRow>,
    /// The business's today, for the date input's minimum.
    pub today: String,
    /// The day and time a new follow-up is due unless staff change it.
    pub due_default: (String, &'static str),
    pub may_erase: bool,
    /// The name as stored (empty when none), for the name field.
    pub stored_name: String,
    /// The channels a contact can be added for: (code, label).
    pub contact_kinds: Vec<(String, String)>,
    /// Writing to the customer first.
    pub write: WriteBox,
}

/// A page of a customer's timeline, newest first, with the link to the older entries.
pub struct TimelineList {
    pub customer_id: String,
    pub rows: Vec<TimelineRow>,
    /// Where the older entries begin, when there are any.
    pub older: Option<String>,
    /// The page was opened from an older entry (without the script): it links to the newest.
    pub from_older: bool,
}

/// The older entries of a timeline, added below those shown ("show older").
#[derive(Template)]
#[template(path = "timeline_rows.html")]
pub struct TimelineFragment {
    pub inbox: &'static InboxTexts,
    pub timeline: TimelineList,
}

/// Finding another customer to merge into this one, with what of theirs would move.
#[derive(Template)]
#[template(path = "merge.html")]
pub struct MergePage {
    pub texts: &'static Texts,
    pub inbox: &'static InboxTexts,
    pub me: Staff,
    pub csrf: String,
    pub id: String,
    pub name: String,
    pub query: String,
    pub searched: bool,
    /// Opened because a contact being added belongs to someone else.
    pub contact_taken: bool,
    pub may_merge: bool,
    pub candidates: Vec<MergeCandidate>,
}

pub struct MergeCandidate {
    pub id: String,
    pub name: String,
    pub contacts: Vec<String>,
    /// "3 berichten", "1 terugbelverzoek", …
    pub moves: Vec<String>,
}

pub struct FollowUpRow {
    pub id: String,
    pub text: String,
    pub due: String,
    pub owner: String,
    pub open: bool,
    pub overdue: bool,
    pub status: &'static str,
}

pub struct TimelineRow {
    pub at: String,
    pub kind: &'static str,
    pub channel: String,
    pub text: String,
    pub who: Option<String>,
    pub link: Option<String>,
}

/// The form on the customer page.
pub struct WriteBox {
    pub w: &'static FirstMessageTexts,
    /// The channels kept can reach this customer on: (code, label).
    pub channels: Vec<(String, String)>,
    pub draft: WriteDraft,
    /// Now in the business's time ("2026-12-07T10:15"), the earliest expected answer.
    pub earliest: String,
    pub customer_name: String,
}

impl WriteBox {
    pub fn is_chosen(&self, code: &str) -> bool {
        self.draft.channel == code
    }
}

/// What was typed in the form, kept when it is refused.
#[derive(Debug, Default)]
pub struct WriteDraft {
    pub channel: String,
    pub subject: String,
    pub text: String,
    pub expect_by: String,
    pub errors: Vec<String>,
}
