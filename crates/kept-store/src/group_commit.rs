//! Group commit for SQLite: new callback requests that arrive together are written in one
//! transaction, so they share one fsync. Each request is still answered only after the
//! transaction holding it has committed.

use sqlx::AnyPool;
use tokio::sync::{mpsc, oneshot};

use crate::model::{CallbackView, NewCallback};
use crate::new_callbacks::insert_callbacks;
use crate::sql::load_candidates;
use crate::{Result, StoreError};

/// More per transaction adds latency for the first request without saving much more.
const MAX_BATCH: usize = 256;

struct Job {
    request: NewCallback,
    reply: oneshot::Sender<Result<CallbackView>>,
}

pub(crate) struct GroupCommit {
    jobs: mpsc::Sender<Job>,
}

impl GroupCommit {
    pub(crate) fn start(pool: AnyPool) -> Self {
        let (jobs, queue) = mpsc::channel(4 * MAX_BATCH);
        tokio::spawn(run(pool, queue));
        Self { jobs }
    }

    pub(crate) async fn submit(&self, request: NewCallback) -> Result<CallbackView> {
        let (reply, answer) = oneshot::channel();
        self.jobs
            .send(Job { request, reply })
            .await
            .map_err(|_| StoreError::WriterGone)?;
        answer.await.map_err(|_| StoreError::WriterGone)?
    }
}

async fn run(pool: AnyPool, mut queue: mpsc::Receiver<Job>) {
    let mut batch = Vec::with_capacity(MAX_BATCH);
    while queue.recv_many(&mut batch, MAX_BATCH).await > 0 {
        let jobs = std::mem::take(&mut batch);
        match write_batch(&pool, &jobs).await {
            Ok(views) => jobs.into_iter().zip(views).for_each(|(job, view)| {
                let _ = job.reply.send(Ok(view));
            }),
            // One bad request must not fail the others: each gets its own transaction and
            // its own answer.
            Err(_) => {
                for job in jobs {
                    let result = write_batch(&pool, std::slice::from_ref(&job)).await;
                    let _ = job.reply.send(result.map(|mut views| views.remove(0)));
                }
            }
        }
    }
}

async fn write_batch(pool: &AnyPool, jobs: &[Job]) -> Result<Vec<CallbackView>> {
    let mut tx = pool.begin_with("BEGIN IMMEDIATE").await?;
    let mut candidates = load_candidates(&mut tx).await?;
    let requests: Vec<&NewCallback> = jobs.iter().map(|job| &job.request).collect();
    let views = insert_callbacks(&mut tx, &requests, &mut candidates).await?;
    tx.commit().await?;
    Ok(views)
}
