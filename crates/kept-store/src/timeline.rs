//! A customer's timeline: every message, callback request, call, note, appointment, promise,
//! survey and contract, across channels — whole (oldest first, for the API) or a page at a
//! time, newest first, by keyset (for their page: a customer of ten years has thousands).

use const_format::concatcp;
use kept_domain::conversation::Direction;
use kept_domain::{EntryKind, SurveyStatus};
use sqlx::any::AnyRow;
use sqlx::{AnyPool, Row};
use std::sync::LazyLock;

use crate::Result;
use crate::dialect::parse_enum;
use crate::model::{TimelineEntry, TimelineKey, TimelinePage};
use crate::time::from_ms;

/// The entry kind of message `m`: in or out.
pub(crate) const MESSAGE_KIND: &str = concatcp!(
    "CASE WHEN m.direction = ",
    Direction::Inbound.sql(),
    " THEN ",
    EntryKind::MessageIn.sql(),
    " ELSE ",
    EntryKind::MessageOut.sql(),
    " END"
);

/// Where each kind of entry comes from: a SELECT of customer `$1`'s entries as columns kind,
/// at_ms, channel, text, note, staff_name, id, later (a promise comes after what made it),
/// about — ending in its WHERE, so a page can add its keyset —, and the expressions of its
/// time and id, to order and cut each source before they are merged.
struct Source {
    select: &'static str,
    at: &'static str,
    later: u8,
    id: &'static str,
}

const SOURCES: [Source; 11] = [
    Source {
        select: concatcp!(
            "SELECT ",
            MESSAGE_KIND,
            " AS kind, m.sent_ms AS at_ms, m.channel, m.body AS text, \
             CAST(NULL AS TEXT) AS note, s.name AS staff_name, m.id, 0 AS later, \
             m.conversation_id AS about \
             FROM messages m LEFT JOIN staff s ON s.id = m.staff_id WHERE m.customer_id = $1"
        ),
        at: "m.sent_ms",
        later: 0,
        id: "m.id",
    },
    Source {
        select: concatcp!(
            "SELECT ",
            EntryKind::CallbackRequest.sql(),
            ", created_ms, 'phone', window_code, note, CAST(NULL AS TEXT), id, 0, id \
             FROM callback_requests WHERE customer_id = $1"
        ),
        at: "created_ms",
        later: 0,
        id: "id",
    },
    Source {
        select: concatcp!(
            "SELECT ",
            EntryKind::Call.sql(),
            ", k.at_ms, 'phone', k.outcome, k.note, s.name, k.id, 0, k.callback_id FROM calls k \
             LEFT JOIN staff s ON s.id = k.staff_id WHERE k.customer_id = $1"
        ),
        at: "k.at_ms",
        later: 0,
        id: "k.id",
    },
    Source {
        select: concatcp!(
            "SELECT ",
            EntryKind::Note.sql(),
            ", n.at_ms, COALESCE(c.channel, 'internal'), n.body, CAST(NULL AS TEXT), s.name, n.id, 0, \
             n.conversation_id FROM notes n LEFT JOIN staff s ON s.id = n.staff_id \
             LEFT JOIN conversations c ON c.id = n.conversation_id WHERE n.customer_id = $1"
        ),
        at: "n.at_ms",
        later: 0,
        id: "n.id",
    },
    Source {
        select: concatcp!(
            "SELECT ",
            EntryKind::PhoneCall.sql(),
            ", p.at_ms, 'phone', p.summary, p.direction, s.name, p.id, 0, CAST(NULL AS TEXT) \
             FROM phone_calls p LEFT JOIN staff s ON s.id = p.staff_id WHERE p.customer_id = $1"
        ),
        at: "p.at_ms",
        later: 0,
        id: "p.id",
    },
    Source {
        select: concatcp!(
            "SELECT ",
            EntryKind::Appointment.sql(),
            ", a.created_ms, 'appointment', a.status, CAST(a.start_ms AS TEXT), s.name, a.id, 0, a.id \
             FROM appointments a LEFT JOIN staff s ON s.id = a.staff_id WHERE a.customer_id = $1"
        ),
        at: "a.created_ms",
        later: 0,
        id: "a.id",
    },
    Source {
        select: concatcp!(
            "SELECT ",
            EntryKind::CalendarAnswer.sql(),
            ", w.at_ms, 'appointment', w.answer, w.comment, CAST(NULL AS TEXT), w.id, 0, \
             w.appointment_id FROM appointment_answers w WHERE w.customer_id = $1"
        ),
        at: "w.at_ms",
        later: 0,
        id: "w.id",
    },
    Source {
        select: concatcp!(
            "SELECT ",
            EntryKind::Promise.sql(),
            ", r.created_ms, r.kind, r.status, CAST(r.due_ms AS TEXT), s.name, r.id, 1, r.subject_id \
             FROM promises r LEFT JOIN staff s ON s.id = r.owner_id WHERE r.customer_id = $1"
        ),
        at: "r.created_ms",
        later: 1,
        id: "r.id",
    },
    Source {
        select: concatcp!(
            "SELECT ",
            EntryKind::Survey.sql(),
            ", COALESCE(v.answered_ms, v.sent_ms), v.kind, v.status, CAST(v.score AS TEXT), s.name, \
             v.id, 0, v.id FROM surveys v LEFT JOIN staff s ON s.id = v.handler_id \
             WHERE v.customer_id = $1 AND v.status <> ",
            SurveyStatus::Planned.sql()
        ),
        at: "COALESCE(v.answered_ms, v.sent_ms)",
        later: 0,
        id: "v.id",
    },
    Source {
        select: concatcp!(
            "SELECT ",
            EntryKind::Contract.sql(),
            ", COALESCE(k.outcome_ms, k.created_ms), k.status, k.product, k.end_date, \
             CAST(NULL AS TEXT), k.id, 0, k.id FROM contracts k WHERE k.customer_id = $1"
        ),
        at: "COALESCE(k.outcome_ms, k.created_ms)",
        later: 0,
        id: "k.id",
    },
    Source {
        select: concatcp!(
            "SELECT ",
            EntryKind::StatusViewed.sql(),
            ", v.at_ms, 'web', v.subject_kind, CAST(NULL AS TEXT), CAST(NULL AS TEXT), v.id, 0, \
             v.subject_id FROM status_views v WHERE v.customer_id = $1"
        ),
        at: "v.at_ms",
        later: 0,
        id: "v.id",
    },
];

/// The order of a page, newest first; entries at the same moment by (later, id).
const NEWEST_FIRST: &str = " ORDER BY t.at_ms DESC, t.later DESC, t.id DESC LIMIT $2";

/// Every entry, oldest first (the API's whole timeline).
static WHOLE: LazyLock<String> = LazyLock::new(|| {
    let sources: Vec<&str> = SOURCES.iter().map(|s| s.select).collect();
    format!("{} ORDER BY 2, 8, 7", sources.join(" UNION ALL "))
});

/// The newest `$2` entries (the first page): each source gives at most `$2` of its own, newest
/// first by its index on (customer, time), so a customer of ten years costs a page, not their
/// history.
static NEWEST: LazyLock<String> = LazyLock::new(|| merged_page(""));

/// The `$2` entries before the key (`$3`, `$4`, `$5`) = (time, later, id).
static BEFORE: LazyLock<String> =
    LazyLock::new(|| merged_page(" AND {at} <= $3 AND ({at}, {later}, {id}) < ($3, $4, $5)"));

fn merged_page(keyset: &str) -> String {
    let sources: Vec<String> = SOURCES
        .iter()
        .enumerate()
        .map(|(i, s)| {
            let keyset = keyset
                .replace("{at}", s.at)
                .replace("{later}", &s.later.to_string())
                .replace("{id}", s.id);
            format!(
                "SELECT * FROM ({}{keyset} ORDER BY {} DESC, {} DESC LIMIT $2) s{i}",
                s.select, s.at, s.id
            )
        })
        .collect();
    format!("SELECT * FROM ({}) t{NEWEST_FIRST}", sources.join(" UNION ALL "))
}

/// Every entry of a customer, oldest first.
pub(crate) async fn timeline(pool: &AnyPool, customer_id: &str) -> Result<Vec<TimelineEntry>> {
    let rows = sqlx::query(WHOLE.as_str()).bind(customer_id).fetch_all(pool).await?;
    rows.iter().map(entry_from_row).collect()
}

/// A page of a customer's entries, newest first: `limit` of those before `before` (from the
/// newest without it), and the place of the last one when older ones follow.
pub(crate) async fn page(
    pool: &AnyPool,
    customer_id: &str,
    before: Option<&TimelineKey>,
    limit: i64,
) -> Result<TimelinePage> {
    let sql = match before {
        None => NEWEST.as_str(),
        Some(_) => BEFORE.as_str(),
    };
    let mut query = sqlx::query(sql).bind(customer_id).bind(limit + 1);
    if let Some(key) = before {
        query = query.bind(key.at_ms).bind(key.later).bind(key.id.clone());
    }
    let rows = query.fetch_all(pool).await?;
    let more = rows.len() as i64 > limit;
    let shown = &rows[..rows.len().min(usize::try_from(limit).unwrap_or(0))];
    let older = match (more, shown.last()) {
        (true, Some(last)) => Some(TimelineKey {
            at_ms: last.try_get("at_ms")?,
            later: last.try_get("later")?,
            id: last.try_get("id")?,
        }),
        _ => None,
    };
    Ok(TimelinePage {
        entries: shown.iter().map(entry_from_row).collect::<Result<_>>()?,
        older,
    })
}

fn entry_from_row(r: &AnyRow) -> Result<TimelineEntry> {
    let kind = parse_enum(r.try_get("kind")?, EntryKind::parse)?;
    let note: Option<String> = r.try_get("note")?;
    // A promise's note is its due time, an appointment's its start (milliseconds in
    // SQL), given as RFC 3339.
    let note = match kind {
        EntryKind::Promise | EntryKind::Appointment => note
            .and_then(|ms| ms.parse::<i64>().ok())
            .map(|ms| from_ms(ms).to_rfc3339()),
        _ => note,
    };
    Ok(TimelineEntry {
        kind,
        at: from_ms(r.try_get("at_ms")?),
        channel: r.try_get("channel")?,
        text: r.try_get("text")?,
        note,
        staff_name: r.try_get("staff_name")?,
        id: r.try_get("id")?,
        about: r.try_get("about")?,
    })
}
