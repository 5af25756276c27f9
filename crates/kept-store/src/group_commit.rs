//! Group commit: writes that arrive together on a node (new callback requests, inbound
//! messages) go into one transaction, so they share one commit and its fsync, and one turn of
//! the round-robin staff row instead of one each (on PostgreSQL every new conversation would
//! otherwise wait for that row's lock). Each caller is still answered only after the
//! transaction holding its write has committed.
//!
//! Why sqlx and not a writer thread of our own with rusqlite: `bench/writer-prototype` writes the
//! same batches of 32 callback requests both ways. rusqlite was 17–24 % faster per batch (3.8 vs
//! 4.6–4.9 ms in RAM; 7.8–8.5 vs 9.4–9.5 ms on disk), but either way the database work alone caps
//! one writer below 10,000 requests a second on this schema, and the rewrite would put every
//! SQLite write behind a second SQL layer. The gain that mattered was fewer statements per batch.

use async_trait::async_trait;
use sqlx::{AnyConnection, AnyPool};
use tokio::sync::{mpsc, oneshot};

use crate::dialect::Dialect;
use crate::model::{CallbackView, InboundRecorded, NewCallback, NewInbound};
use crate::new_callbacks::insert_callbacks;
use crate::new_messages::insert_messages;
use crate::staff::load_candidates;
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
        conn: &mut AnyConnection,
        dialect: Dialect,
        requests: &[&Self::Request],
    ) -> Result<Vec<Self::Response>>;
}

pub(crate) struct NewCallbacks;

#[async_trait]
impl BatchWrite for NewCallbacks {
    type Request = NewCallback;
    type Response = CallbackView;

    async fn write(conn: &mut AnyConnection, _: Dialect, requests: &[&NewCallback]) -> Result<Vec<CallbackView>> {
        let mut candidates = load_candidates(conn).await?;
        insert_callbacks(conn, requests, &mut candidates).await
    }
}

pub(crate) struct InboundMessages;

#[async_trait]
impl BatchWrite for InboundMessages {
    type Request = NewInbound;
    type Response = InboundRecorded;

    async fn write(
        conn: &mut AnyConnection,
        dialect: Dialect,
        requests: &[&NewInbound],
    ) -> Result<Vec<InboundRecorded>> {
        insert_messages(conn, dialect, requests).await
    }
}

struct Job<W: BatchWrite> {
    request: W::Request,
    reply: oneshot::Sender<Result<W::Response>>,
}

pub(crate) struct GroupCommit<W: BatchWrite> {
    jobs: mpsc::Sender<Job<W>>,
}

impl<W: BatchWrite> GroupCommit<W> {
    pub(crate) fn start(pool: AnyPool, dialect: Dialect) -> Self {
        let (jobs, queue) = mpsc::channel(4 * MAX_BATCH);
        tokio::spawn(run::<W>(pool, dialect, queue));
        Self { jobs }
    }

    pub(crate) async fn submit(&self, request: W::Request) -> Result<W::Response> {
        let (reply, answer) = oneshot::channel();
        self.jobs
            .send(Job { request, reply })
            .await
            .map_err(|_| StoreError::WriterGone)?;
        answer.await.map_err(|_| StoreError::WriterGone)?
    }
}

async fn run<W: BatchWrite>(pool: AnyPool, dialect: Dialect, mut queue: mpsc::Receiver<Job<W>>) {
    let mut batch = Vec::with_capacity(MAX_BATCH);
    while queue.recv_many(&mut batch, MAX_BATCH).await > 0 {
        let jobs = std::mem::take(&mut batch);
        let requests: Vec<&W::Request> = jobs.iter().map(|job| &job.request).collect();
        match write_batch::<W>(&pool, dialect, &requests).await {
            Ok(responses) => jobs.into_iter().zip(responses).for_each(|(job, response)| {
                let _ = job.reply.send(Ok(response));
            }),
            // One bad request must not fail the others: each gets its own transaction and
            // its own answer.
            Err(_) => {
                for job in jobs {
                    let result = write_batch::<W>(&pool, dialect, &[&job.request]).await;
                    let _ = job
                        .reply
                        .send(result.and_then(|mut r| r.pop().ok_or(StoreError::NotFound)));
                }
            }
        }
    }
}

async fn write_batch<W: BatchWrite>(
    pool: &AnyPool,
    dialect: Dialect,
    requests: &[&W::Request],
) -> Result<Vec<W::Response>> {
    // SQLite takes the write lock at once (see SqlStore::begin_write).
    let mut tx = match dialect {
        Dialect::Sqlite => pool.begin_with("BEGIN IMMEDIATE").await?,
        Dialect::Postgres => pool.begin().await?,
    };
    let responses = W::write(&mut tx, dialect, requests).await?;
    tx.commit().await?;
    Ok(responses)
}
