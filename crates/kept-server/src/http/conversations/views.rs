//! The inbox rows' and the conversation page's view structs.

use askama::Template;
use kept_app::records::Staff;

use crate::i18n::{InboxTexts, Texts};

use crate::http::customers::views::FollowUpRow;

/// A reply kept gave up delivering.
pub struct NotSentRow {
    pub outbox_id: i64,
    pub conversation_id: String,
    pub who: String,
    pub at: String,
    pub reason: String,
}

#[derive(Template)]
#[template(path = "conversation_rows.html")]
pub struct ConversationRowsFragment {
    pub texts: &'static Texts,
    pub inbox: &'static InboxTexts,
    /// The "all open" view: an empty list there means nobody is waiting.
    pub everything_open: bool,
    pub list: InboxList,
}

/// A page of the inbox's rows: the first, a refresh of those shown, or the next ("show more").
pub struct InboxList {
    pub conversations: Vec<ConversationRow>,
    /// The list's query string (view, channel, tag), for the "show more" link.
    pub query: String,
    /// The last row's place in the list: a refresh reloads the list through it.
    pub last: Option<String>,
    /// More rows follow the last one.
    pub more: bool,
    /// Rows added below those shown: an empty page says nothing.
    pub appended: bool,
}

/// A conversation waiting for an answer, as one line.
pub struct ConversationRow {
    pub id: String,
    pub who: String,
    /// The subject (e-mail) and the start of the latest message, for the list.
    pub subject: Option<String>,
    pub preview: String,
    /// The latest message is ours: the customer has not written since.
    pub last_from_us: bool,
    pub channel: String,
    pub due_iso: Option<String>,
    pub due_local: String,
    pub overdue: bool,
    pub owner: Option<String>,
    pub frustrated: bool,
    pub tags: Vec<String>,
    /// A customer message came in since the reader last opened it.
    pub unread: bool,
}

pub struct UnreadableRow {
    pub id: String,
    pub at: String,
    pub reason: String,
    pub source: String,
}

#[derive(Template)]
#[template(path = "conversation.html")]
pub struct ConversationPage {
    pub texts: &'static Texts,
    pub inbox: &'static InboxTexts,
    pub status_page: &'static crate::i18n::StatusTexts,
    pub me: Staff,
    pub csrf: String,
    /// Who it can be assigned to: (id, name); who has it now.
    pub team: Vec<(String, String)>,
    pub assignee_id: Option<String>,
    /// E-mail is set up in kept.toml, other channels on the settings page.
    pub channel_is_email: bool,
    pub row: ConversationRow,
    pub customer_id: String,
    pub status: &'static str,
    pub resolved: bool,
    /// Why kept cannot send a reply on this conversation's channel, said before anyone types.
    pub cannot_send: Option<&'static str>,
    /// Resolving now would leave an open promise unanswered: what that means, to confirm.
    pub resolve_warning: Option<&'static str>,
    pub promise: String,
    pub messages: Vec<MessageRow>,
    pub templates: Vec<(String, String)>,
    /// The last customer message, for the tone check ("acknowledge the frustration").
    pub reply_to: String,
    pub customer_name: String,
    /// The customer's open follow-ups (what someone said they would do), with the one
    /// promised in this conversation's replies among them.
    pub follow_ups: Vec<FollowUpRow>,
    pub draft: String,
    pub error: Option<String>,
}

pub struct MessageRow {
    pub inbound: bool,
    pub who: String,
    pub at: String,
    pub subject: Option<String>,
    pub fresh: String,
    pub quoted: String,
    pub frustrated: bool,
    pub attachments: Vec<AttachmentRow>,
    pub delivery: Option<DeliveryRow>,
}

/// How a staff reply fares: sending, sent, or not sent with the reason and a way to retry.
pub struct DeliveryRow {
    pub label: &'static str,
    pub failed: bool,
    pub reason: String,
    pub retry_id: Option<i64>,
}

pub struct AttachmentRow {
    pub id: String,
    pub filename: String,
    pub size: String,
    pub kept: bool,
}
