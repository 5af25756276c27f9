//! Writing new callback requests, one or many at a time. A batch costs one statement per
//! table instead of one per row: that is what lets SQLite's group commit take thousands of
//! requests a second on one writer.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use chrono::{DateTime, Utc};

use kept_domain::staff::Candidate;
use kept_domain::{CallbackStatus, OutboxEvent, PromiseKind, PromiseStatus, new_id};

use crate::customer_words::{self, Findable};
use crate::dialect::Dialect;
use crate::model::{CallbackView, NewCallback};
use crate::outbox::{self, Announcement};
use crate::promises::{self, NewPromise};
use crate::staff::{assign, save_queue_positions};
use crate::statements::{Cell, Statements, insert_rows};
use crate::time::{from_ms, to_ms};
use crate::{Result, search};

/// Inserts the requests with their customers, promises, history and outbox rows, assigning
/// each to the next staff member in `candidates` (whose queue positions are updated). A
/// customer who asks again while their request is open (stored, or made earlier in this
/// batch) joins it instead: see [`ask_again`]. The answers are in the order of `requests`; a
/// joined one names the open request with `asks` above 1, for the caller to read it whole.
pub(crate) async fn insert_callbacks(
    conn: &mut dyn Statements,
    dialect: Dialect,
    requests: &[&NewCallback],
    candidates: &mut [Candidate],
) -> Result<Vec<CallbackView>> {
    if requests.is_empty() {
        return Ok(Vec::new());
    }
    let customers = upsert_customers(conn, requests).await?;
    let mut open = open_requests(conn, customers.values().map(|(id, _)| id)).await?;
    let mut answers = Vec::with_capacity(requests.len());
    let (mut fresh, mut views, mut joins) = (Vec::new(), Vec::new(), Vec::new());
    for request in requests {
        let (customer_id, known_as) = customers.get(&request.phone).cloned().unwrap_or_default();
        let mut view = view_of(request, customer_id.clone(), None);
        view.name = view.name.or(known_as);
        if let Some((id, promise_id)) = open.get(&customer_id) {
            (view.id, view.promise_id, view.asks) = (id.clone(), promise_id.clone(), 2);
            joins.push((*request, view.clone()));
        } else {
            (view.owner_id, view.owner_name) = assign(candidates).unzip();
            open.insert(customer_id, (view.id.clone(), view.promise_id.clone()));
            fresh.push(*request);
            views.push(view.clone());
        }
        answers.push(view);
    }
    insert_requests(conn, &fresh, &views).await?;
    index_requests(conn, &fresh, &views).await?;
    insert_promises(conn, &views).await?;
    announce(conn, &fresh, &views).await?;
    save_assignments(conn, dialect, candidates, &views).await?;
    for (request, joined) in joins {
        ask_again(conn, request, &joined).await?;
    }
    Ok(answers)
}

/// The open requests of these customers: customer → (request, its promise).
async fn open_requests<'a>(
    conn: &mut dyn Statements,
    customers: impl Iterator<Item = &'a String>,
) -> Result<HashMap<String, (String, String)>> {
    let customers: Vec<&String> = customers.collect();
    let places: Vec<String> = (0..customers.len()).map(|i| format!("${}", i + 2)).collect();
    let sql = format!(
        "SELECT customer_id, id, promise_id FROM callback_requests WHERE status = $1 AND customer_id IN ({})",
        places.join(", ")
    );
    let mut values = vec![Cell::Text(CallbackStatus::Open.as_str())];
    values.extend(customers.iter().map(|c| Cell::Text(c)));
    let mut open = HashMap::new();
    for row in conn.fetch(&sql, &values).await? {
        open.insert(
            row.try_get("customer_id")?,
            (row.try_get("id")?, row.try_get("promise_id")?),
        );
    }
    Ok(open)
}

/// The customer asked again: counted on the open request, and its promise moves up when the
/// new request's window is sooner (never later: what was promised stays promised).
async fn ask_again(conn: &mut dyn Statements, request: &NewCallback, joined: &CallbackView) -> Result<()> {
    conn.execute(
        "UPDATE callback_requests SET asks = asks + 1, asked_again_ms = $1 WHERE id = $2",
        &[Cell::Int(to_ms(request.now)), Cell::Text(&joined.id)],
    )
    .await?;
    conn.execute(
        "UPDATE promises SET not_before_ms = CASE WHEN not_before_ms > $1 THEN $1 ELSE not_before_ms END, \
         due_ms = CASE WHEN due_ms > $2 THEN $2 ELSE due_ms END WHERE id = $3 AND status = $4",
        &[
            Cell::Int(to_ms(request.not_before)),
            Cell::Int(to_ms(request.due_at)),
            Cell::Text(&joined.promise_id),
            Cell::Text(PromiseStatus::Open.as_str()),
        ],
    )
    .await?;
    Ok(())
}

fn view_of(request: &NewCallback, customer_id: String, owner: Option<(String, String)>) -> CallbackView {
    let (owner_id, owner_name) = owner.unzip();
    CallbackView {
        id: new_id(),
        customer_id,
        phone: request.phone.clone(),
        name: request.name.clone(),
        window: request.window_code.clone(),
        note: request.note.clone(),
        lang: request.lang,
        status: CallbackStatus::Open,
        attempts: 0,
        created_at: from_ms(to_ms(request.now)),
        closed_at: None,
        promise_id: new_id(),
        promise_status: PromiseStatus::Open,
        not_before: request.not_before,
        due_at: request.due_at,
        escalated: false,
        owner_id,
        owner_name,
        asks: 1,
        asked_again_at: None,
    }
}

/// Customers are recognised by phone number; a name given now replaces an older one. Per
/// number: the customer's id and the name they are known by.
async fn upsert_customers(
    conn: &mut dyn Statements,
    requests: &[&NewCallback],
) -> Result<HashMap<String, (String, Option<String>)>> {
    // One row per number (PostgreSQL refuses to change a row twice in one statement), the last
    // name given winning, in the order of the numbers so that two nodes' batches lock the same
    // customers in the same order and cannot deadlock.
    // The id is made here: a customer returned with it is new.
    let mut customers: BTreeMap<&str, (Option<&str>, DateTime<Utc>, String)> = BTreeMap::new();
    for request in requests {
        let entry = customers.entry(&request.phone).or_insert((None, request.now, new_id()));
        entry.0 = request.name.as_deref().or(entry.0);
    }
    let customers: Vec<_> = customers.into_iter().collect();
    let then =
        "ON CONFLICT (phone) DO UPDATE SET name = COALESCE(excluded.name, customers.name) RETURNING phone, id, name";
    let rows = insert_rows(
        conn,
        "customers (id, name, phone, created_ms)",
        then,
        &customers,
        |(phone, (name, now, id))| {
            [
                Cell::Text(id),
                Cell::MaybeText(*name),
                Cell::Text(phone),
                Cell::Int(to_ms(*now)),
            ]
        },
    )
    .await?;
    let mut known: HashMap<String, (String, Option<String>)> = HashMap::with_capacity(customers.len());
    for row in rows {
        known.insert(row.try_get("phone")?, (row.try_get("id")?, row.try_get("name")?));
    }
    // The words a customer is found by change only for a new customer or a name given now:
    // a known caller without a name adds no work to the batch.
    let named_or_new: BTreeSet<&str> = customers
        .iter()
        .filter(|(phone, (name, _, id))| name.is_some() || known.get(*phone).is_some_and(|(kept, _)| kept == id))
        .map(|(phone, _)| *phone)
        .collect();
    let words: Vec<_> = known
        .iter()
        .filter(|(phone, _)| named_or_new.contains(phone.as_str()))
        .map(|(phone, (id, name))| Findable {
            id,
            name: name.as_deref(),
            phone: Some(phone),
            handles: Vec::new(),
        })
        .collect();
    customer_words::add(conn, &words).await?;
    Ok(known)
}

async fn insert_requests(conn: &mut dyn Statements, requests: &[&NewCallback], views: &[CallbackView]) -> Result<()> {
    let rows: Vec<_> = requests.iter().zip(views).collect();
    let into =
        "callback_requests (id, customer_id, phone, name, window_code, note, lang, status, promise_id, created_ms)";
    insert_rows(conn, into, "", &rows, |(request, view)| {
        [
            Cell::Text(&view.id),
            Cell::Text(&view.customer_id),
            Cell::Text(&view.phone),
            Cell::MaybeText(view.name.as_deref()),
            Cell::Text(&view.window),
            Cell::MaybeText(view.note.as_deref()),
            Cell::Text(view.lang.code()),
            Cell::Text(CallbackStatus::Open.as_str()),
            Cell::Text(&view.promise_id),
            Cell::Int(to_ms(request.now)),
        ]
    })
    .await?;
    Ok(())
}

/// Makes each request's name and note findable (one statement for the batch).
async fn index_requests(conn: &mut dyn Statements, requests: &[&NewCallback], views: &[CallbackView]) -> Result<()> {
    let texts: Vec<String> = views
        .iter()
        .map(|view| {
            [view.name.as_deref(), view.note.as_deref()]
                .into_iter()
                .flatten()
                .collect::<Vec<_>>()
                .join(" ")
        })
        .collect();
    let entries: Vec<search::IndexEntry> = requests
        .iter()
        .zip(views)
        .zip(&texts)
        .filter(|(_, text)| !text.trim().is_empty())
        .map(|((request, view), text)| search::IndexEntry {
            kind: search::Indexed::CallbackRequest,
            id: &view.id,
            customer_id: &view.customer_id,
            channel: "phone",
            words: search::Words::Text(text),
            at: request.now,
        })
        .collect();
    search::index_all(conn, &entries).await
}

async fn insert_promises(conn: &mut dyn Statements, views: &[CallbackView]) -> Result<()> {
    let promises: Vec<NewPromise> = views
        .iter()
        .map(|view| NewPromise {
            id: &view.promise_id,
            kind: PromiseKind::Callback,
            subject_id: &view.id,
            customer_id: &view.customer_id,
            owner_id: view.owner_id.as_deref(),
            channel: None,
            not_before: view.not_before,
            due_at: view.due_at,
            now: view.created_at,
        })
        .collect();
    promises::insert(conn, &promises).await
}

/// "callback.created": an e-mail to the assignee and one webhook call, as configured.
async fn announce(conn: &mut dyn Statements, requests: &[&NewCallback], views: &[CallbackView]) -> Result<()> {
    let owners: Vec<Vec<String>> = views
        .iter()
        .map(|view| view.owner_id.iter().cloned().collect())
        .collect();
    let announcements: Vec<Announcement> = requests
        .iter()
        .zip(views)
        .zip(&owners)
        .map(|((request, view), recipients)| Announcement {
            event: OutboxEvent::CallbackCreated,
            subject_id: &view.id,
            recipients,
            fanout: request.fanout,
            now: request.now,
        })
        .collect();
    outbox::announce(conn, &announcements).await
}

/// The assignees' new places in the round robin.
async fn save_assignments(
    conn: &mut dyn Statements,
    dialect: Dialect,
    candidates: &[Candidate],
    views: &[CallbackView],
) -> Result<()> {
    let moved: Vec<&Candidate> = candidates
        .iter()
        .filter(|c| views.iter().any(|v| v.owner_id.as_ref() == Some(&c.id)))
        .collect();
    save_queue_positions(conn, dialect, &moved).await
}
