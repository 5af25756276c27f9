//! The words customers are found by (`customer_words`): their name's, their phone number's and
//! their handles' ([`kept_domain::search::customer_words`]), so that "Jans" finds Jansen by one
//! range of an index instead of reading every customer and every handle.

use std::collections::BTreeSet;

use kept_domain::search::customer_words;
use sqlx::{AnyConnection, AnyPool, Row};

use crate::Result;
use crate::dialect::{placeholders, statement_chunks};
use crate::statements::{Cell, Statements, insert_rows};

/// Customers whose words are written at once when the index is first filled.
const FILL_BATCH: i64 = 2_000;

/// What a customer is found by.
#[derive(Debug, Clone)]
pub(crate) struct Findable<'a> {
    pub(crate) id: &'a str,
    pub(crate) name: Option<&'a str>,
    pub(crate) phone: Option<&'a str>,
    pub(crate) handles: Vec<&'a str>,
}

/// Adds the words of these customers; words they had stay.
pub(crate) async fn add(conn: &mut dyn Statements, customers: &[Findable<'_>]) -> Result<()> {
    let rows: Vec<(String, &str)> = customers
        .iter()
        .flat_map(|c| {
            customer_words(c.name, c.phone, &c.handles)
                .into_iter()
                .map(move |word| (word, c.id))
        })
        .collect();
    let unique: BTreeSet<&(String, &str)> = rows.iter().collect();
    let rows: Vec<&(String, &str)> = unique.into_iter().collect();
    insert_rows(
        conn,
        "customer_words (word, customer_id)",
        "ON CONFLICT DO NOTHING",
        &rows,
        |(word, id)| [Cell::Text(word), Cell::Text(id)],
    )
    .await?;
    Ok(())
}

/// Writes a customer's words anew from their record, after a change of name, number or handles.
pub(crate) async fn renew(conn: &mut AnyConnection, customer_id: &str) -> Result<()> {
    sqlx::query("DELETE FROM customer_words WHERE customer_id = $1")
        .bind(customer_id)
        .execute(&mut *conn)
        .await?;
    let record = sqlx::query("SELECT name, phone FROM customers WHERE id = $1")
        .bind(customer_id)
        .fetch_optional(&mut *conn)
        .await?;
    let Some(record) = record else {
        return Ok(());
    };
    let handles = sqlx::query("SELECT handle FROM customer_handles WHERE customer_id = $1")
        .bind(customer_id)
        .fetch_all(&mut *conn)
        .await?;
    let handles: Vec<String> = handles
        .iter()
        .map(|r| r.try_get("handle"))
        .collect::<std::result::Result<_, _>>()?;
    let name: Option<String> = record.try_get("name")?;
    let phone: Option<String> = record.try_get("phone")?;
    let handles: Vec<&str> = handles.iter().map(String::as_str).collect();
    let findable = Findable {
        id: customer_id,
        name: name.as_deref(),
        phone: phone.as_deref(),
        handles,
    };
    add(&mut *conn, &[findable]).await
}

/// A statement choosing the customers with a word beginning with each of `words` (at least
/// one), its placeholders numbered from `first`; and the values to bind, in order.
pub(crate) fn customers_with(words: &[String], first: usize) -> (String, Vec<String>) {
    // A word's range: from the word itself to just before the first text that does not begin
    // with it (the word with its last character's successor: "jans" up to "jant").
    let ranges: Vec<String> = (0..words.len())
        .map(|n| {
            format!(
                "SELECT customer_id FROM customer_words WHERE word >= ${} AND word < ${}",
                first + 2 * n,
                first + 2 * n + 1
            )
        })
        .collect();
    let values = words
        .iter()
        .flat_map(|word| [word.clone(), after_all_beginning_with(word)])
        .collect();
    (ranges.join(" INTERSECT "), values)
}

/// The first text after every text that begins with `word`: its last character's successor.
fn after_all_beginning_with(word: &str) -> String {
    let mut chars: Vec<char> = word.chars().collect();
    while let Some(last) = chars.pop() {
        if let Some(next) = char::from_u32(u32::from(last) + 1) {
            chars.push(next);
            return chars.into_iter().collect();
        }
    }
    // Only the last possible character: nothing comes after it.
    char::MAX.to_string()
}

/// Fills the index for the customers kept had before it existed (once: it is empty then).
pub(crate) async fn fill_if_empty(pool: &AnyPool) -> Result<()> {
    let any = |sql: &'static str| async move {
        Ok::<_, crate::StoreError>(sqlx::query(sql).fetch_optional(pool).await?.is_some())
    };
    if !any("SELECT id FROM customers LIMIT 1").await? || any("SELECT word FROM customer_words LIMIT 1").await? {
        return Ok(());
    }
    let mut after = String::new();
    loop {
        let batch = sqlx::query("SELECT id, name, phone FROM customers WHERE id > $1 ORDER BY id LIMIT $2")
            .bind(&after)
            .bind(FILL_BATCH)
            .fetch_all(pool)
            .await?;
        let Some(last) = batch.last() else {
            return Ok(());
        };
        after = last.try_get("id")?;
        fill_batch(pool, &batch).await?;
    }
}

async fn fill_batch(pool: &AnyPool, batch: &[sqlx::any::AnyRow]) -> Result<()> {
    let ids: Vec<String> = batch
        .iter()
        .map(|r| r.try_get("id"))
        .collect::<std::result::Result<_, _>>()?;
    let mut handles: std::collections::HashMap<String, Vec<String>> = std::collections::HashMap::new();
    for chunk in statement_chunks(&ids, 1) {
        let sql = format!(
            "SELECT customer_id, handle FROM customer_handles WHERE customer_id IN ({})",
            placeholders(1, chunk.len())
        );
        let rows = chunk.iter().fold(sqlx::query(&sql), |q, id| q.bind(id.as_str()));
        for row in rows.fetch_all(pool).await? {
            handles
                .entry(row.try_get("customer_id")?)
                .or_default()
                .push(row.try_get("handle")?);
        }
    }
    let records: Vec<(String, Option<String>, Option<String>)> = batch
        .iter()
        .map(|r| Ok((r.try_get("id")?, r.try_get("name")?, r.try_get("phone")?)))
        .collect::<Result<_>>()?;
    let customers: Vec<Findable> = records
        .iter()
        .map(|(id, name, phone)| Findable {
            id,
            name: name.as_deref(),
            phone: phone.as_deref(),
            handles: handles
                .get(id)
                .map(|h| h.iter().map(String::as_str).collect())
                .unwrap_or_default(),
        })
        .collect();
    let mut tx = pool.begin().await?;
    add(&mut *tx, &customers).await?;
    tx.commit().await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_words_range_ends_before_the_first_text_that_does_not_begin_with_it() {
        assert_eq!(super::after_all_beginning_with("jans"), "jant");
        assert_eq!(super::after_all_beginning_with("a9"), "a:");
        assert!("jansen" < super::after_all_beginning_with("jans").as_str());
        assert!("jant" >= super::after_all_beginning_with("jans").as_str());
    }
}
