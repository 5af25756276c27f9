//! The inbox: conversations a page at a time, by keyset — the sort key of the last row shown,
//! never an offset —, each page one range of an index (`conversations_queue`,
//! `conversations_assignee_queue`, `conversations_recent`); who has read what; the channels
//! and tags to filter by.

use kept_domain::conversation::ConversationStatus;
use sqlx::any::AnyRow;
use sqlx::{AnyPool, Row};

use crate::Result;
use crate::conversations::{attach_tags, conversation_from_row, conversation_select};
use crate::dialect::placeholders;
use crate::model::{AssigneeFilter, ConversationFilter, ConversationPage, InboxChoices, InboxKey, ListPage};
use crate::statements::{Cell, bound};

/// The most rows a refresh of a list that was paged down returns.
pub const THROUGH_AT_MOST: i64 = 1000;

/// The order a list is read in: the open views by [`InboxKey::Queue`], the others by
/// [`InboxKey::Recent`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Order {
    Queue,
    Recent,
}

/// Which side of a key a range lies on, in the list's order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Edge {
    /// Strictly after the key.
    After,
    /// Up to and including the key.
    Through,
}

/// One index range: the filter's rows, optionally only the frustrated or the calm ones,
/// optionally on one side of a key's place (its sort value and id).
#[derive(Debug, Clone, Default)]
struct Range {
    frustrated: Option<bool>,
    edge: Option<(Edge, i64, String)>,
}

fn range(frustrated: Option<bool>, edge: Option<(Edge, i64, String)>) -> Range {
    Range { frustrated, edge }
}

/// One page of `filter`'s conversations (`limit` rows; a refresh through a key at most
/// [`THROUGH_AT_MOST`]).
pub(crate) async fn page(
    pool: &AnyPool,
    filter: &ConversationFilter,
    wanted: &ListPage,
    limit: i64,
) -> Result<ConversationPage> {
    let order = match filter.status {
        Some(ConversationStatus::Open) => Order::Queue,
        _ => Order::Recent,
    };
    let from_the_top = ListPage::First;
    let wanted = match (order, wanted) {
        // A key of the other order (an address kept from another view) starts from the top.
        (_, ListPage::After(key) | ListPage::Through(key) | ListPage::ThroughAndAfter(key))
            if order != key_order(key) =>
        {
            &from_the_top
        }
        (_, wanted) => wanted,
    };
    let (mut rows, more) = match wanted {
        ListPage::Through(key) | ListPage::ThroughAndAfter(key) => {
            let mut rows = read_ranges(pool, filter, order, &through(key), THROUGH_AT_MOST).await?;
            // What came after the last row shown: a page of it when that row ended the list,
            // else only whether there is any (the "show more" below the rows).
            let wants = match wanted {
                ListPage::ThroughAndAfter(_) => limit,
                _ => 0,
            };
            let mut next = read_ranges(pool, filter, order, &after(order, Some(key)), wants + 1).await?;
            let more = next.len() as i64 > wants;
            next.truncate(usize::try_from(wants).unwrap_or(0));
            rows.append(&mut next);
            (rows, more)
        }
        ListPage::First | ListPage::After(_) => {
            let key = match wanted {
                ListPage::After(key) => Some(key),
                _ => None,
            };
            let mut rows = read_ranges(pool, filter, order, &after(order, key), limit + 1).await?;
            let more = rows.len() as i64 > limit;
            rows.truncate(usize::try_from(limit).unwrap_or(0));
            (rows, more)
        }
    };
    let last = rows.last().map(|(key, _)| key.clone());
    let mut views: Vec<_> = rows.drain(..).map(|(_, view)| view).collect();
    attach_tags(pool, &mut views).await?;
    Ok(ConversationPage {
        rows: views,
        last,
        more,
    })
}

fn key_order(key: &InboxKey) -> Order {
    match key {
        InboxKey::Queue { .. } => Order::Queue,
        InboxKey::Recent { .. } => Order::Recent,
    }
}

/// The ranges after `key` (from the start without one), in the list's order.
fn after(order: Order, key: Option<&InboxKey>) -> Vec<Range> {
    match (order, key) {
        (Order::Recent, None) => vec![range(None, None)],
        (Order::Queue, None) => vec![range(Some(true), None), range(Some(false), None)],
        (_, Some(InboxKey::Recent { updated_ms, id })) => {
            vec![range(None, Some((Edge::After, *updated_ms, id.clone())))]
        }
        (
            _,
            Some(InboxKey::Queue {
                frustrated,
                queue_ms,
                id,
            }),
        ) => {
            let mut ranges = vec![range(Some(*frustrated), Some((Edge::After, *queue_ms, id.clone())))];
            // The calm ones follow the frustrated.
            if *frustrated {
                ranges.push(range(Some(false), None));
            }
            ranges
        }
    }
}

/// The ranges from the start through `key`.
fn through(key: &InboxKey) -> Vec<Range> {
    match key {
        InboxKey::Recent { updated_ms, id } => vec![range(None, Some((Edge::Through, *updated_ms, id.clone())))],
        InboxKey::Queue {
            frustrated,
            queue_ms,
            id,
        } => {
            let upto = range(Some(*frustrated), Some((Edge::Through, *queue_ms, id.clone())));
            match frustrated {
                true => vec![upto],
                // Every frustrated one comes before a calm one.
                false => vec![range(Some(true), None), upto],
            }
        }
    }
}

type Listed = (InboxKey, crate::model::ConversationView);

/// Reads the ranges one after the other until `limit` rows are found. A list of every status
/// is read status by status (each one range of `conversations_recent`) and merged: no index
/// orders all conversations by when they were active.
async fn read_ranges(
    pool: &AnyPool,
    filter: &ConversationFilter,
    order: Order,
    ranges: &[Range],
    limit: i64,
) -> Result<Vec<Listed>> {
    if filter.status.is_some() {
        return read_status_ranges(pool, filter, order, ranges, limit).await;
    }
    let mut merged = Vec::new();
    for status in ConversationStatus::ALL {
        let one = ConversationFilter {
            status: Some(status),
            ..filter.clone()
        };
        merged.extend(read_status_ranges(pool, &one, order, ranges, limit).await?);
    }
    // Most recently active first, as each status's range was read.
    merged.sort_by(|(a, _), (b, _)| recency(b).cmp(&recency(a)));
    merged.truncate(usize::try_from(limit).unwrap_or(0));
    Ok(merged)
}

fn recency(key: &InboxKey) -> (i64, &str) {
    match key {
        InboxKey::Recent { updated_ms, id } => (*updated_ms, id),
        InboxKey::Queue { queue_ms, id, .. } => (*queue_ms, id),
    }
}

async fn read_status_ranges(
    pool: &AnyPool,
    filter: &ConversationFilter,
    order: Order,
    ranges: &[Range],
    limit: i64,
) -> Result<Vec<Listed>> {
    let mut found = Vec::new();
    for range in ranges {
        let left = limit - found.len() as i64;
        if left <= 0 {
            break;
        }
        let rows = read_range(pool, filter, order, range, left).await?;
        for row in &rows {
            found.push((key_of(order, row)?, conversation_from_row(row)?));
        }
    }
    Ok(found)
}

async fn read_range(
    pool: &AnyPool,
    filter: &ConversationFilter,
    order: Order,
    range: &Range,
    limit: i64,
) -> Result<Vec<AnyRow>> {
    let (mut conditions, mut values) = conditions(filter);
    if let Some(frustrated) = range.frustrated {
        values.push(Cell::Int(i64::from(frustrated)));
        conditions.push(format!("c.frustrated = ${}", values.len()));
    }
    let (sort, sort_by) = match order {
        Order::Queue => ("c.queue_ms", "c.queue_ms, c.id"),
        Order::Recent => ("c.updated_ms", "c.updated_ms DESC, c.id DESC"),
    };
    if let Some((edge, at, id)) = &range.edge {
        let operator = match (order, edge) {
            (Order::Queue, Edge::After) => ">",
            (Order::Queue, Edge::Through) => "<=",
            (Order::Recent, Edge::After) => "<",
            (Order::Recent, Edge::Through) => ">=",
        };
        values.push(Cell::Int(*at));
        values.push(Cell::Owned(id.clone()));
        let n = values.len();
        conditions.push(format!("({sort}, c.id) {operator} (${}, ${n})", n - 1));
    }
    values.push(Cell::Int(limit));
    let condition = match conditions.is_empty() {
        true => String::new(),
        false => format!("WHERE {}", conditions.join(" AND ")),
    };
    // The page is chosen from the conversations alone (one index range), then joined.
    let page = format!(
        "(SELECT * FROM conversations c {condition} ORDER BY {sort_by} LIMIT ${})",
        values.len()
    );
    let sql = format!("{} ORDER BY {sort_by}", conversation_select(&page));
    Ok(bound(&sql, &values).fetch_all(pool).await?)
}

/// The filter as `WHERE` conditions on `c`, with their values.
fn conditions(filter: &ConversationFilter) -> (Vec<String>, Vec<Cell<'static>>) {
    let mut conditions = Vec::new();
    let mut values = Vec::new();
    if let Some(status) = filter.status {
        values.push(Cell::Owned(status.as_str().to_string()));
        conditions.push(format!("c.status = ${}", values.len()));
    }
    match &filter.assignee {
        AssigneeFilter::Anyone => {}
        AssigneeFilter::Nobody => conditions.push("c.assignee_id IS NULL".to_string()),
        AssigneeFilter::Staff(id) => {
            values.push(Cell::Owned(id.clone()));
            conditions.push(format!("c.assignee_id = ${}", values.len()));
        }
    }
    if let Some(channel) = &filter.channel {
        values.push(Cell::Owned(channel.clone()));
        conditions.push(format!("c.channel = ${}", values.len()));
    }
    if let Some(tag) = &filter.tag {
        values.push(Cell::Owned(tag.clone()));
        conditions.push(format!(
            "EXISTS (SELECT 1 FROM conversation_tags ct WHERE ct.conversation_id = c.id AND ct.tag = ${})",
            values.len()
        ));
    }
    (conditions, values)
}

fn key_of(order: Order, row: &AnyRow) -> Result<InboxKey> {
    let id: String = row.try_get("id")?;
    Ok(match order {
        Order::Queue => InboxKey::Queue {
            frustrated: row.try_get::<i64, _>("frustrated")? != 0,
            queue_ms: row.try_get("queue_ms")?,
            id,
        },
        Order::Recent => InboxKey::Recent {
            updated_ms: row.try_get("updated_ms")?,
            id,
        },
    })
}

/// Those of `ids` with a customer message `staff_id` has not seen: stored after they last
/// opened the conversation, or never opened.
pub(crate) async fn unread_among(pool: &AnyPool, staff_id: &str, ids: &[&str]) -> Result<Vec<String>> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let sql = format!(
        "SELECT c.id FROM conversations c LEFT JOIN conversation_reads r \
         ON r.conversation_id = c.id AND r.staff_id = $1 \
         WHERE c.id IN ({}) AND c.last_inbound_ms > COALESCE(r.read_ms, -1)",
        placeholders(2, ids.len()),
    );
    let rows = ids
        .iter()
        .fold(sqlx::query(&sql).bind(staff_id), |q, id| q.bind(*id))
        .fetch_all(pool)
        .await?;
    rows.iter().map(|r| Ok(r.try_get("id")?)).collect()
}

/// The channels and tags the inbox can be filtered by: those in use.
pub(crate) async fn inbox_choices(pool: &AnyPool) -> Result<InboxChoices> {
    // Channel by channel through the index (each the smallest after the one before): DISTINCT
    // would read every conversation, hundreds of thousands in a busy business.
    let channels = sqlx::query(
        "WITH RECURSIVE found (value) AS (SELECT MIN(channel) FROM conversations \
         UNION ALL SELECT (SELECT MIN(channel) FROM conversations WHERE channel > found.value) FROM found \
         WHERE found.value IS NOT NULL) SELECT value FROM found WHERE value IS NOT NULL ORDER BY value",
    )
    .fetch_all(pool)
    .await?;
    let tags = sqlx::query("SELECT DISTINCT tag AS value FROM conversation_tags ORDER BY tag")
        .fetch_all(pool)
        .await?;
    let values = |rows: Vec<sqlx::any::AnyRow>| -> Result<Vec<String>> {
        rows.iter().map(|r| Ok(r.try_get("value")?)).collect()
    };
    Ok(InboxChoices {
        channels: values(channels)?,
        tags: values(tags)?,
    })
}
