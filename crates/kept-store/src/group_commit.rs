//! Group commit: writes that arrive together on a node (new callback requests, inbound
//! messages) go into one transaction, so they share one commit and its fsync, and one turn of
//! the round-robin staff row instead of one each (on PostgreSQL every new conversation would
//! otherwise wait for that row's lock). Each caller is still answered only after the
//! transaction holding its write has committed.
//!
//! On SQLite the batch runs on SQLite's writer thread (`sqlite_writer.rs`), on PostgreSQL in a
//! transaction on a connection the loop holds, its plain writes gathered into one statement
//! (`postgres_batch.rs`); the batch code is the same (see `statements.rs`).

use std::sync::Arc;
use std::time::{Duration, Instant};

use async_trait::async_trait;
use sqlx::pool::PoolConnection;
use sqlx::{Any, AnyPool, Connection as _};
use tokio::sync::{mpsc, oneshot};
use tokio::time::timeout;

use crate::dialect::Dialect;
use crate::model::{CallbackView, InboundRecorded, NewCallback};
use crate::new_callbacks::insert_callbacks;
use crate::new_messages::{PreparedInbound, insert_messages};
use crate::postgres_batch::PostgresBatch;
use crate::sqlite_writer::SqliteWriter;
use crate::staff::load_candidates;
use crate::statements::Statements;
use crate::{Result, StoreError};

/// More per transaction adds latency for the first request without saving much more.
const MAX_BATCH: usize = 256;

/// One kind of write that can share a transaction with others of its kind.
#[async_trait]
pub(crate) trait BatchWrite: Send + Sync + 'static {
    type Request: Send + Sync + 'static;
    type Response: Send + 'static;
    /// Writes all requests in the open transaction, answering in the same order.
    async fn write(
        conn: &mut dyn Statements,
        dialect: Dialect,
        requests: &[&Self::Request],
    ) -> Result<Vec<Self::Response>>;
}

pub(crate) struct NewCallbacks;

#[async_trait]
impl BatchWrite for NewCallbacks {
    type Request = NewCallback;
    type Response = CallbackView;

    async fn write(
        conn: &mut dyn Statements,
        dialect: Dialect,
        requests: &[&NewCallback],
    ) -> Result<Vec<CallbackView>> {
        let mut candidates = load_candidates(conn).await?;
        insert_callbacks(conn, dialect, requests, &mut candidates).await
    }
}

pub(crate) struct InboundMessages;

#[async_trait]
impl BatchWrite for InboundMessages {
    type Request = PreparedInbound;
    type Response = InboundRecorded;

    async fn write(
        conn: &mut dyn Statements,
        dialect: Dialect,
        requests: &[&PreparedInbound],
    ) -> Result<Vec<InboundRecorded>> {
        insert_messages(conn, dialect, requests).await
    }
}

/// Where batches are written.
#[derive(Clone)]
pub(crate) enum Writer {
    /// SQLite's writer thread; it writes only while holding `turn`, the sqlx writer pool's one
    /// connection, so that it and the other writes of this process take turns instead of
    /// meeting each other's locks.
    Sqlite { thread: Arc<SqliteWriter>, turn: AnyPool },
    /// A transaction of the pool per batch.
    Postgres(AnyPool),
}

struct Job<W: BatchWrite> {
    request: Arc<W::Request>,
    reply: oneshot::Sender<Result<W::Response>>,
}

pub(crate) struct GroupCommit<W: BatchWrite> {
    jobs: mpsc::Sender<Job<W>>,
}

impl<W: BatchWrite> GroupCommit<W> {
    pub(crate) fn start(writer: Writer) -> Self {
        let (jobs, queue) = mpsc::channel(4 * MAX_BATCH);
        tokio::spawn(run::<W>(writer, queue));
        Self { jobs }
    }

    pub(crate) async fn submit(&self, request: W::Request) -> Result<W::Response> {
        let (reply, answer) = oneshot::channel();
        let request = Arc::new(request);
        self.jobs
            .send(Job { request, reply })
            .await
            .map_err(|_| StoreError::WriterGone)?;
        answer.await.map_err(|_| StoreError::WriterGone)?
    }
}

async fn run<W: BatchWrite>(writer: Writer, mut queue: mpsc::Receiver<Job<W>>) {
    let mut turn = Turn::default();
    let mut batch = Vec::with_capacity(MAX_BATCH);
    loop {
        // Busy: the next batch is usually queued already. Idle for a moment: the other writes
        // of this process get their turn while this loop waits.
        let received = match timeout(IDLE, queue.recv_many(&mut batch, MAX_BATCH)).await {
            Ok(received) => received,
            Err(_) => {
                turn.give_back();
                queue.recv_many(&mut batch, MAX_BATCH).await
            }
        };
        if received == 0 {
            return;
        }
        let jobs = std::mem::take(&mut batch);
        let requests: Vec<Arc<W::Request>> = jobs.iter().map(|job| job.request.clone()).collect();
        match write_batch::<W>(&writer, &mut turn, requests).await {
            Ok(responses) => jobs.into_iter().zip(responses).for_each(|(job, response)| {
                let _ = job.reply.send(Ok(response));
            }),
            // One bad request must not fail the others: each gets its own transaction and
            // its own answer.
            Err(_) => {
                for job in jobs {
                    let result = write_batch::<W>(&writer, &mut turn, vec![job.request.clone()]).await;
                    let _ = job
                        .reply
                        .send(result.and_then(|mut r| r.pop().ok_or(StoreError::NotFound)));
                }
            }
        }
    }
}

/// How long the batch loop waits for more work before giving back its turn to write.
const IDLE: Duration = Duration::from_millis(5);
/// How long a busy batch loop keeps its turn before letting the other writes have one.
const LONGEST_TURN: Duration = Duration::from_millis(100);

/// The connection a batch loop holds between batches. Not taken per batch: sqlx checks a
/// connection with a round trip each time it is taken from the pool. On SQLite it is sqlx's one
/// writer connection, held while the batches go through the writer thread (that round trip to
/// sqlx's SQLite thread under load kept each batch waiting 1.2-1.3 ms); on PostgreSQL the
/// connection the batches are written on (the check was one of a batch's ~12 round trips).
#[derive(Default)]
struct Turn {
    held: Option<(PoolConnection<Any>, Instant)>,
}

impl Turn {
    async fn take(&mut self, pool: &AnyPool) -> Result<()> {
        if self
            .held
            .as_ref()
            .is_some_and(|(_, since)| since.elapsed() > LONGEST_TURN)
        {
            self.give_back();
        }
        if self.held.is_none() {
            self.held = Some((pool.acquire().await?, Instant::now()));
        }
        Ok(())
    }

    fn give_back(&mut self) {
        self.held = None;
    }

    fn connection(&mut self) -> Result<&mut PoolConnection<Any>> {
        self.held.as_mut().map(|(conn, _)| conn).ok_or(StoreError::WriterGone)
    }
}

async fn write_batch<W: BatchWrite>(
    writer: &Writer,
    turn: &mut Turn,
    requests: Vec<Arc<W::Request>>,
) -> Result<Vec<W::Response>> {
    match writer {
        Writer::Sqlite { thread, turn: pool } => {
            turn.take(pool).await?;
            thread
                .transaction(move |conn| {
                    let requests: Vec<&W::Request> = requests.iter().map(Arc::as_ref).collect();
                    // Every statement is a plain call on this thread: the future is ready at
                    // once, nothing to wait for.
                    futures::executor::block_on(W::write(conn, Dialect::Sqlite, &requests))
                })
                .await
        }
        Writer::Postgres(pool) => {
            turn.take(pool).await?;
            let conn = turn.connection()?;
            let written = async {
                let mut tx = conn.begin().await?;
                let requests: Vec<&W::Request> = requests.iter().map(Arc::as_ref).collect();
                let mut batch = PostgresBatch::new(&mut tx);
                let responses = W::write(&mut batch, Dialect::Postgres, &requests).await?;
                batch.send_gathered().await?;
                tx.commit().await?;
                Ok(responses)
            }
            .await;
            if written.is_err() {
                // The connection may be what failed: the next batch takes one the pool has
                // checked.
                turn.give_back();
            }
            written
        }
    }
}
