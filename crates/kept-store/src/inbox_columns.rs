//! What a conversation's row in the inbox shows and sorts by — its subject, the latest
//! message's start and writer, when the customer last wrote, how frustrated they were — kept
//! on the conversation as messages are written, so that a page of the inbox reads fifty
//! conversations and none of their messages.

use std::collections::BTreeMap;

use kept_domain::conversation::{Direction, FRUSTRATED_FROM};

use crate::Result;
use crate::dialect::{statement_chunks, values_list};
use crate::statements::{Cell, Statements};

/// How much of the latest message a row previews.
const PREVIEW_CHARS: usize = 300;

/// A message just written, as far as its conversation's row is concerned.
#[derive(Debug, Clone)]
pub(crate) struct Written<'a> {
    pub(crate) conversation_id: &'a str,
    pub(crate) direction: Direction,
    pub(crate) subject: Option<&'a str>,
    pub(crate) body: &'a str,
    pub(crate) frustration: i64,
    pub(crate) sent_ms: i64,
    pub(crate) created_ms: i64,
}

/// One conversation's change, the batch's messages in it taken together.
#[derive(Debug, Clone)]
struct RowChange<'a> {
    /// The earliest sent message with a subject, and when it was sent.
    subject: Option<(i64, &'a str)>,
    /// The latest message: (sent, stored) to order by, its start, who wrote it.
    latest: ((i64, i64), String, Direction),
    /// When the latest customer message was stored; -1 for none.
    inbound_ms: i64,
    frustration: i64,
}

impl<'a> RowChange<'a> {
    fn new(message: &Written<'a>) -> RowChange<'a> {
        RowChange {
            subject: message.subject.map(|s| (message.sent_ms, s)),
            latest: (
                (message.sent_ms, message.created_ms),
                message.body.chars().take(PREVIEW_CHARS).collect(),
                message.direction,
            ),
            inbound_ms: match message.direction {
                Direction::Inbound => message.created_ms,
                Direction::Outbound => -1,
            },
            frustration: message.frustration,
        }
    }

    fn join(&mut self, other: RowChange<'a>) {
        if let Some(subject) = other.subject
            && self.subject.is_none_or(|mine| subject.0 < mine.0)
        {
            self.subject = Some(subject);
        }
        if other.latest.0 >= self.latest.0 {
            self.latest = other.latest;
        }
        self.inbound_ms = self.inbound_ms.max(other.inbound_ms);
        self.frustration = self.frustration.max(other.frustration);
    }
}

/// Brings the rows of the conversations these messages were written in up to date: one
/// statement per few dozen conversations. A message sent before the latest one already
/// shown (mail that arrived late) leaves the preview as it is.
pub(crate) async fn note_written(conn: &mut dyn Statements, written: &[Written<'_>]) -> Result<()> {
    let mut changes: BTreeMap<&str, RowChange> = BTreeMap::new();
    for message in written {
        let change = RowChange::new(message);
        match changes.get_mut(message.conversation_id) {
            Some(known) => known.join(change),
            None => {
                changes.insert(message.conversation_id, change);
            }
        }
    }
    let changes: Vec<(&str, RowChange)> = changes.into_iter().collect();
    for chunk in statement_chunks(&changes, COLUMNS) {
        update_rows(conn, chunk).await?;
    }
    Ok(())
}

const COLUMNS: usize = 8;

async fn update_rows(conn: &mut dyn Statements, changes: &[(&str, RowChange<'_>)]) -> Result<()> {
    // The new values as a table (`VALUES` names its columns column1 … on both databases);
    // every `SET` reads the row as it was before the statement.
    let sql = format!(
        "UPDATE conversations SET \
         subject = COALESCE(conversations.subject, v.column2), \
         preview = CASE WHEN v.column5 >= COALESCE(conversations.last_ms, -1) THEN v.column3 ELSE conversations.preview END, \
         last_direction = CASE WHEN v.column5 >= COALESCE(conversations.last_ms, -1) THEN v.column4 \
           ELSE conversations.last_direction END, \
         last_ms = CASE WHEN v.column5 >= COALESCE(conversations.last_ms, -1) THEN v.column5 ELSE conversations.last_ms END, \
         last_inbound_ms = CASE WHEN v.column6 > COALESCE(conversations.last_inbound_ms, -1) THEN v.column6 \
           ELSE conversations.last_inbound_ms END, \
         frustration = CASE WHEN v.column7 > conversations.frustration THEN v.column7 ELSE conversations.frustration END, \
         frustrated = CASE WHEN v.column8 = 1 THEN 1 ELSE conversations.frustrated END \
         FROM (VALUES {}) AS v WHERE conversations.id = v.column1",
        values_list(changes.len(), COLUMNS)
    );
    let values: Vec<Cell> = changes
        .iter()
        .flat_map(|(id, change)| {
            [
                Cell::Text(id),
                Cell::MaybeText(change.subject.map(|(_, s)| s)),
                Cell::Text(&change.latest.1),
                Cell::Text(change.latest.2.as_str()),
                Cell::Int(change.latest.0.0),
                Cell::Int(change.inbound_ms),
                Cell::Int(change.frustration),
                Cell::Int(i64::from(change.frustration >= FRUSTRATED_FROM)),
            ]
        })
        .collect();
    conn.execute(&sql, &values).await?;
    Ok(())
}
