//! PostgreSQL's side of a group-commit batch: the transaction the batch code writes through,
//! with the batch's plain writes gathered and sent as one statement.
//!
//! Why: on PostgreSQL every statement is a round trip, and a node's batches are written one
//! after another, so callback intake waits on them (measured under `scripts/bench-callbacks`:
//! ~40 % of the two cores idle, a batch of ~34 requests taking ~8.8 ms of which PostgreSQL
//! worked ~4). A callback batch wrote its requests, search entries, promises, their history and
//! three staff rows in seven statements; gathered, they are one. Writes that nothing in the
//! batch reads before the commit may go together: PostgreSQL runs them as the parts of one
//! `WITH` statement, and checks their foreign keys when all of them are done.
//!
//! Nothing changes for the batch code: what it reads back is read after everything it wrote
//! before (any other statement sends what was gathered first), and what fails still fails the
//! batch, only at the next statement or at the commit instead of at once.

use async_trait::async_trait;
use sqlx::AnyConnection;

use crate::Result;
use crate::dialect::values_list;
use crate::statements::{Cell, Row, Statements, insert_in_chunks};

/// PostgreSQL takes at most 65,535 parameters in one statement; half keeps a margin.
const PARAMETERS_PER_GATHERING: usize = 32_767;

/// A value of a gathered statement, kept until it is sent.
#[derive(Debug, Clone, PartialEq)]
enum Kept {
    Text(Option<String>),
    Int(i64),
    Bytes(Option<Vec<u8>>),
}

impl Kept {
    fn of(cell: &Cell<'_>) -> Kept {
        match cell {
            Cell::Text(text) => Kept::Text(Some(text.to_string())),
            Cell::Owned(text) => Kept::Text(Some(text.clone())),
            Cell::MaybeText(text) => Kept::Text(text.map(str::to_string)),
            Cell::Int(number) => Kept::Int(*number),
            Cell::MaybeBytes(bytes) => Kept::Bytes(bytes.map(<[u8]>::to_vec)),
        }
    }

    fn cell(&self) -> Cell<'_> {
        match self {
            Kept::Text(text) => Cell::MaybeText(text.as_deref()),
            Kept::Int(number) => Cell::Int(*number),
            Kept::Bytes(bytes) => Cell::MaybeBytes(bytes.as_deref()),
        }
    }
}

/// One gathered write: its text with `$1, $2 …` of its own, and its values.
struct Gathered {
    sql: String,
    values: Vec<Kept>,
}

/// The batch's transaction, gathering its plain writes.
pub(crate) struct PostgresBatch<'t> {
    tx: &'t mut AnyConnection,
    gathered: Vec<Gathered>,
    parameters: usize,
}

impl<'t> PostgresBatch<'t> {
    pub(crate) fn new(tx: &'t mut AnyConnection) -> Self {
        Self {
            tx,
            gathered: Vec::new(),
            parameters: 0,
        }
    }

    /// Sends what was gathered; call before the commit.
    pub(crate) async fn send_gathered(&mut self) -> Result<()> {
        let gathered = std::mem::take(&mut self.gathered);
        self.parameters = 0;
        let Some((sql, values)) = as_one_statement(gathered) else {
            return Ok(());
        };
        let cells: Vec<Cell<'_>> = values.iter().map(Kept::cell).collect();
        self.tx.execute(&sql, &cells).await?;
        Ok(())
    }

    async fn gather(&mut self, sql: String, values: &[Cell<'_>]) -> Result<()> {
        if self.parameters + values.len() > PARAMETERS_PER_GATHERING {
            self.send_gathered().await?;
        }
        self.parameters += values.len();
        self.gathered.push(Gathered {
            sql,
            values: values.iter().map(Kept::of).collect(),
        });
        Ok(())
    }
}

#[async_trait]
impl Statements for PostgresBatch<'_> {
    async fn execute(&mut self, sql: &str, values: &[Cell<'_>]) -> Result<u64> {
        self.send_gathered().await?;
        self.tx.execute(sql, values).await
    }

    async fn fetch(&mut self, sql: &str, values: &[Cell<'_>]) -> Result<Vec<Row>> {
        self.send_gathered().await?;
        self.tx.fetch(sql, values).await
    }

    async fn write_later(&mut self, sql: &str, values: &[Cell<'_>]) -> Result<()> {
        self.gather(sql.to_string(), values).await
    }

    /// Without a `RETURNING` or `ON CONFLICT`, an `INSERT … VALUES` reads nothing: gathered,
    /// all its rows in one part (PostgreSQL's binding does not grow with the square of the
    /// parameters, as SQLite's does through sqlx).
    async fn insert(&mut self, into: &str, then: &str, columns: usize, cells: &[Cell<'_>]) -> Result<Vec<Row>> {
        if !then.trim().is_empty() {
            self.send_gathered().await?;
            return insert_in_chunks(self, into, then, columns, cells).await;
        }
        let columns = columns.max(1);
        let rows_per_part = (PARAMETERS_PER_GATHERING / columns).max(1);
        for part in cells.chunks(rows_per_part * columns) {
            let sql = format!(
                "INSERT INTO {into} VALUES {}",
                values_list(part.len() / columns, columns)
            );
            self.gather(sql, part).await?;
        }
        Ok(Vec::new())
    }
}

/// The gathered writes as one statement: `WITH w1 AS (…), w2 AS (…) <last>`, each part's
/// placeholders moved past those of the parts before it. `None` when nothing was gathered.
fn as_one_statement(gathered: Vec<Gathered>) -> Option<(String, Vec<Kept>)> {
    let mut parts = Vec::with_capacity(gathered.len());
    let mut values = Vec::new();
    for write in gathered {
        parts.push(shift_placeholders(&write.sql, values.len()));
        values.extend(write.values);
    }
    let last = parts.pop()?;
    if parts.is_empty() {
        return Some((last, values));
    }
    let with: Vec<String> = parts
        .iter()
        .enumerate()
        .map(|(n, part)| format!("w{} AS ({part})", n + 1))
        .collect();
    Some((format!("WITH {} {last}", with.join(", ")), values))
}

/// `sql` with every placeholder `$n` made `$(n + by)`; text in single quotes is left alone.
fn shift_placeholders(sql: &str, by: usize) -> String {
    if by == 0 {
        return sql.to_string();
    }
    let mut shifted = String::with_capacity(sql.len() + sql.len() / 4);
    let mut chars = sql.chars().peekable();
    let mut quoted = false;
    while let Some(c) = chars.next() {
        shifted.push(c);
        if c == '\'' {
            quoted = !quoted;
        }
        if c != '$' || quoted {
            continue;
        }
        let mut digits = String::new();
        while let Some(digit) = chars.next_if(char::is_ascii_digit) {
            digits.push(digit);
        }
        match digits.parse::<usize>() {
            Ok(n) => shifted.push_str(&(n + by).to_string()),
            Err(_) => shifted.push_str(&digits),
        }
    }
    shifted
}

#[cfg(test)]
mod tests {
    use super::*;

    fn gathered(sql: &str, values: &[i64]) -> Gathered {
        Gathered {
            sql: sql.to_string(),
            values: values.iter().map(|n| Kept::Int(*n)).collect(),
        }
    }

    #[test]
    fn placeholders_move_past_the_earlier_parts_and_quoted_text_stays() {
        assert_eq!(
            shift_placeholders("UPDATE t SET a = $1, b = '$2' WHERE id IN ($2, $10)", 5),
            "UPDATE t SET a = $6, b = '$2' WHERE id IN ($7, $15)"
        );
        assert_eq!(shift_placeholders("SELECT $1", 0), "SELECT $1");
    }

    #[test]
    fn several_writes_become_one_statement_with_their_values_in_order() {
        let (sql, values) = as_one_statement(vec![
            gathered("INSERT INTO a VALUES ($1, $2)", &[1, 2]),
            gathered("INSERT INTO b VALUES ($1)", &[3]),
            gathered("UPDATE c SET n = $2 WHERE id = $1", &[4, 5]),
        ])
        .expect("one statement");
        assert_eq!(
            sql,
            "WITH w1 AS (INSERT INTO a VALUES ($1, $2)), w2 AS (INSERT INTO b VALUES ($3)) \
             UPDATE c SET n = $5 WHERE id = $4"
        );
        assert_eq!(values, [1, 2, 3, 4, 5].map(Kept::Int));
        assert!(as_one_statement(Vec::new()).is_none());
        let (single, _) = as_one_statement(vec![gathered("INSERT INTO a VALUES ($1)", &[1])]).expect("one");
        assert_eq!(single, "INSERT INTO a VALUES ($1)");
    }

    #[tokio::test]
    async fn on_postgresql_gathered_writes_go_as_one_and_are_read_back_before_anything_else() {
        use sqlx::Connection as _;
        let Some(url) = crate::test_postgres::postgres_url() else {
            return;
        };
        let mut conn = AnyConnection::connect(&url).await.expect("PostgreSQL");
        for table in [
            "CREATE TEMP TABLE parent (id TEXT PRIMARY KEY, n BIGINT NOT NULL)",
            "CREATE TEMP TABLE child (parent_id TEXT NOT NULL REFERENCES parent (id), note TEXT, data BYTEA)",
            "CREATE TEMP TABLE counter (id TEXT PRIMARY KEY, seq BIGINT NOT NULL)",
            "INSERT INTO counter VALUES ('a', 0)",
        ] {
            conn.execute(table, &[]).await.expect(table);
        }
        let mut tx = conn.begin().await.expect("begin");
        let mut batch = PostgresBatch::new(&mut tx);
        let parents = [Cell::Text("p1"), Cell::Int(1), Cell::Text("p2"), Cell::Int(2)];
        assert!(
            batch
                .insert("parent (id, n)", "", 2, &parents)
                .await
                .expect("parents")
                .is_empty()
        );
        // Children before their parents are sent: the foreign key is checked when all are in.
        let children = [
            Cell::Text("p2"),
            Cell::MaybeText(None),
            Cell::MaybeBytes(None),
            Cell::Text("p1"),
            Cell::Owned("a $1 in the text".to_string()),
            Cell::MaybeBytes(Some(&[0, 1])),
        ];
        batch
            .insert("child (parent_id, note, data)", "", 3, &children)
            .await
            .expect("children");
        let position = [Cell::Text("a"), Cell::Int(7)];
        batch
            .write_later("UPDATE counter SET seq = $2 WHERE id = $1", &position)
            .await
            .expect("update");
        assert_eq!(batch.gathered.len(), 3, "nothing sent yet");

        let read = batch
            .fetch(
                "SELECT (SELECT COUNT(*) FROM parent) AS parents, (SELECT seq FROM counter) AS seq, \
                 (SELECT string_agg(parent_id || ':' || COALESCE(note, '-') || ':' || \
                 COALESCE(encode(data, 'hex'), '-'), ',' ORDER BY parent_id) FROM child) AS children",
                &[],
            )
            .await
            .expect("read back");
        assert!(batch.gathered.is_empty(), "sent before the read");
        assert_eq!(read[0].try_get::<i64>("parents").expect("parents"), 2);
        assert_eq!(read[0].try_get::<i64>("seq").expect("seq"), 7);
        assert_eq!(
            read[0].try_get::<String>("children").expect("children"),
            "p1:a $1 in the text:0001,p2:-:-"
        );

        // What fails, fails the batch when it is sent.
        let orphan = [Cell::Text("nobody"), Cell::MaybeText(None), Cell::MaybeBytes(None)];
        batch
            .insert("child (parent_id, note, data)", "", 3, &orphan)
            .await
            .expect("gathered");
        assert!(batch.send_gathered().await.is_err());
    }
}
