//! SQLite's checkpoints — copying committed pages from the WAL into the database file — on a
//! thread and connection of their own.
//!
//! Why not SQLite's automatic checkpoint alone: it runs inside the commit that crosses the WAL's
//! size limit, on the writer thread, and every batch queued behind that commit waits while tens
//! of megabytes are copied and synced. Callback intake measured p99 22 ms with it and 15–19 ms
//! with no checkpoint at all (which is no answer: the WAL then grows without end and every read
//! and write slows). A passive checkpoint on another connection runs beside the writer and
//! blocks neither it nor the readers. The writer's automatic checkpoint stays as a backstop
//! (`SQLITE_PRAGMAS`): it only fires if this thread falls far behind.

use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, mpsc};
use std::time::Duration;

use rusqlite::{Connection, OpenFlags};
use tokio::sync::oneshot;

use crate::{Result, StoreError};

/// How long commits gather before they are copied over together. Shorter is smoother: each
/// checkpoint copies less while the writer appends beside it. Callback intake, p99 in two turns
/// each: 1 s 27.5/23.7 ms, 250 ms 21.8/23.8, 60 ms 19.8/19.0, 15 ms 16.6/14.9 (18.7/19.5 in a
/// slower hour), none at all 16.5/10.9 (19.8/18.9); import at 1M messages the same within the
/// noise for all of them. A moment's gathering keeps an idle server from checkpointing after
/// every single commit.
const GATHER: Duration = Duration::from_millis(15);

/// A truncating checkpoint gives up when another connection's checkpoint (the backstop) keeps
/// the checkpoint lock for this many tries, `RETRY_AFTER` apart.
const TRUNCATE_TRIES: usize = 50;
const RETRY_AFTER: Duration = Duration::from_millis(20);

enum Request {
    /// Something was committed: copy it over after `GATHER`.
    Committed,
    /// Copy everything over and empty the WAL file.
    Truncate(oneshot::Sender<Result<()>>),
}

/// The checkpoint thread's handle. Cheap to clone; the thread ends with the last handle.
#[derive(Clone)]
pub(crate) struct Checkpoints {
    requests: mpsc::Sender<Request>,
    /// Whether a `Committed` is already on its way: a burst of commits sends one.
    waking: Arc<AtomicBool>,
}

impl Checkpoints {
    /// Starts the thread with a connection of its own to the database at `path`.
    pub(crate) fn start(path: &Path, pragmas: &str) -> Result<Checkpoints> {
        let conn = open_connection(path, pragmas)?;
        let (requests, queue) = mpsc::channel();
        let waking = Arc::new(AtomicBool::new(false));
        let woken = waking.clone();
        std::thread::Builder::new()
            .name("sqlite-checkpoints".into())
            .spawn(move || run(&conn, queue, &woken))
            .map_err(|e| StoreError::Database(sqlx::Error::Io(e)))?;
        Ok(Checkpoints { requests, waking })
    }

    /// Says that the writer committed; never waits.
    pub(crate) fn committed(&self) {
        if !self.waking.swap(true, Ordering::AcqRel) {
            let _ = self.requests.send(Request::Committed);
        }
    }

    /// Copies every committed page into the database file and empties the WAL, which still
    /// holds the old versions of pages (after an erasure: the erased data).
    pub(crate) async fn truncate(&self) -> Result<()> {
        let (answer, answered) = oneshot::channel();
        self.requests
            .send(Request::Truncate(answer))
            .map_err(|_| StoreError::WriterGone)?;
        answered.await.map_err(|_| StoreError::WriterGone)?
    }
}

fn run(conn: &Connection, queue: mpsc::Receiver<Request>, waking: &AtomicBool) {
    for request in queue {
        match request {
            Request::Committed => {
                std::thread::sleep(GATHER);
                // Commits from here on ask for the next checkpoint.
                waking.store(false, Ordering::Release);
                if let Err(error) = checkpoint(conn, "PASSIVE") {
                    tracing::warn!(%error, "checkpoint failed; the writer's automatic checkpoint remains");
                }
            }
            Request::Truncate(answer) => {
                let _ = answer.send(truncate(conn));
            }
        }
    }
}

/// Whether the checkpoint ran to the end (false: another connection was checkpointing).
fn checkpoint(conn: &Connection, mode: &str) -> Result<bool> {
    let busy: i64 = conn.query_row(&format!("PRAGMA wal_checkpoint({mode})"), [], |row| row.get(0))?;
    Ok(busy == 0)
}

fn truncate(conn: &Connection) -> Result<()> {
    for _ in 0..TRUNCATE_TRIES {
        if checkpoint(conn, "TRUNCATE")? {
            return Ok(());
        }
        std::thread::sleep(RETRY_AFTER);
    }
    Err(StoreError::Conflict(
        "the WAL could not be emptied: another checkpoint kept running".into(),
    ))
}

/// A connection of this process's own threads (the writer, the checkpoints) to the database at
/// `path`, which must exist already.
pub(crate) fn open_connection(path: &Path, pragmas: &str) -> Result<Connection> {
    let conn = Connection::open_with_flags(
        path,
        OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )?;
    conn.execute_batch(pragmas)?;
    Ok(conn)
}

#[cfg(test)]
mod tests {
    use super::Checkpoints;
    use crate::sql::SQLITE_PRAGMAS;

    fn wal_len(path: &std::path::Path) -> u64 {
        std::fs::metadata(path.with_extension("db-wal")).map_or(0, |m| m.len())
    }

    #[tokio::test]
    async fn truncate_copies_the_wal_into_the_database_and_empties_it() {
        let dir = tempfile::tempdir().expect("dir");
        let path = dir.path().join("kept.db");
        let conn = rusqlite::Connection::open(&path).expect("create");
        conn.execute_batch(SQLITE_PRAGMAS).expect("pragmas");
        // No automatic checkpoint here: only the thread's may copy the pages over.
        conn.execute_batch("PRAGMA wal_autocheckpoint = 0; CREATE TABLE t (word TEXT)")
            .expect("table");
        let checkpoints = Checkpoints::start(&path, SQLITE_PRAGMAS).expect("thread");
        conn.execute("INSERT INTO t VALUES ('geheimpje')", []).expect("insert");
        assert!(wal_len(&path) > 0, "the commit is in the WAL");
        let in_database = || std::fs::read(&path).expect("db").windows(9).any(|w| w == b"geheimpje");
        assert!(!in_database(), "not yet in the database file");

        checkpoints.truncate().await.expect("truncated");
        assert_eq!(wal_len(&path), 0);
        assert!(in_database(), "copied into the database file");
    }
}
