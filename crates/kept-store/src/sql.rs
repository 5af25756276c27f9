//! The SQL backend. One set of statements serves SQLite and PostgreSQL (both accept `$n`
//! parameters, `ON CONFLICT` and `RETURNING`); where they differ the [`Dialect`] says how.

use std::path::Path;
use std::str::FromStr;
use std::sync::Arc;

use chrono::{DateTime, Duration, Utc};
use sqlx::any::{AnyConnectOptions, AnyPoolOptions};
use sqlx::{AnyPool, Executor};

use crate::api_token_cache::ApiTokenCache;
use crate::changes::ChangeFeed;
use crate::dialect::Dialect;
use crate::group_commit::{GroupCommit, InboundMessages, NewCallbacks, Writer};
use crate::model::*;
use crate::promises;
use crate::promises::Milestone;
use crate::sqlite_writer::SqliteWriter;
use crate::{Result, Store, StoreError};

pub struct SqlStore {
    pub(crate) dialect: Dialect,
    pub(crate) read: AnyPool,
    pub(crate) write: AnyPool,
    /// Concurrent writes batched into one transaction and one commit (see group_commit).
    pub(crate) callback_commit: GroupCommit<NewCallbacks>,
    pub(crate) inbound_commit: GroupCommit<InboundMessages>,
    pub(crate) changes: ChangeFeed,
    /// SQLite's writer thread, which also keeps the WAL checkpointed; none on PostgreSQL.
    pub(crate) sqlite_writer: Option<Arc<SqliteWriter>>,
    /// Who is behind an API token, for a few seconds (see api_token_cache).
    pub(crate) api_tokens: ApiTokenCache,
}

impl SqlStore {
    pub async fn open(url: &str, pool_size: u32) -> Result<SqlStore> {
        sqlx::any::install_default_drivers();
        let dialect = Dialect::from_url(url)?;
        let store = match dialect {
            Dialect::Sqlite => {
                let (url, path) = prepare_sqlite_url(url)?;
                let options = AnyConnectOptions::from_str(&url)?;
                // One writing connection: SQLite serialises writers anyway, and a single
                // connection never meets a busy lock from its own process.
                let write = sqlite_pool(1).connect_with(options.clone()).await?;
                crate::migrations::run(&write, dialect).await?;
                let read = sqlite_pool(4).connect_with(options).await?;
                let sqlite_writer = Arc::new(SqliteWriter::open(&path, SQLITE_PRAGMAS)?);
                let writer = Writer::Sqlite {
                    thread: sqlite_writer.clone(),
                    turn: write.clone(),
                };
                SqlStore {
                    dialect,
                    read,
                    callback_commit: GroupCommit::start(writer.clone()),
                    inbound_commit: GroupCommit::start(writer),
                    write,
                    changes: ChangeFeed::in_memory(),
                    sqlite_writer: Some(sqlite_writer),
                    api_tokens: ApiTokenCache::default(),
                }
            }
            Dialect::Postgres => {
                let pool = AnyPoolOptions::new().max_connections(pool_size).connect(url).await?;
                crate::migrations::run(&pool, dialect).await?;
                SqlStore {
                    dialect,
                    read: pool.clone(),
                    write: pool.clone(),
                    // Each node batches its own writes: one commit and one turn of the
                    // round-robin staff row per batch instead of one each.
                    callback_commit: GroupCommit::start(Writer::Postgres(pool.clone())),
                    inbound_commit: GroupCommit::start(Writer::Postgres(pool.clone())),
                    changes: ChangeFeed::postgres(url, pool).await?,
                    sqlite_writer: None,
                    api_tokens: ApiTokenCache::default(),
                }
            }
        };
        Ok(store)
    }

    /// SQLite must take the write lock when the transaction starts: a transaction that reads
    /// first and writes later fails at once if another writer committed in between.
    pub(crate) async fn begin_write(&self) -> Result<sqlx::Transaction<'static, sqlx::Any>> {
        Ok(match self.dialect {
            Dialect::Sqlite => self.write.begin_with("BEGIN IMMEDIATE").await?,
            Dialect::Postgres => self.write.begin().await?,
        })
    }

    /// Reaches `milestone` on every promise due for it, in one transaction.
    pub(crate) async fn reach_due(
        &self,
        milestone: &Milestone,
        now: DateTime<Utc>,
        lead: Duration,
        fanout: Fanout,
    ) -> Result<usize> {
        let mut tx = self.begin_write().await?;
        let reached = promises::reach_due(&mut tx, self.dialect, milestone, now, lead, fanout).await?;
        tx.commit().await?;
        Ok(reached)
    }
}

/// WAL lets readers run beside the writer; synchronous=FULL makes every commit durable before
/// we answer, which group commit keeps affordable. temp_store: a batch's multi-row INSERT inside
/// a transaction needs a statement journal, which SQLite otherwise creates, writes and deletes as
/// a file in /tmp for every batch (importing at 1M messages: 2,220-2,270/s with it in memory,
/// 2,120-2,170/s without). wal_autocheckpoint: the index pages every batch touches are copied
/// into the database file once per checkpoint, so checkpointing every ~40 MB of WAL instead of
/// SQLite's default ~4 MB copies each such page a tenth as often (generating 100k messages
/// +3-13 %, callback intake on disk +5-16 % in four turns; generating 1M in RAM the same, 304 vs
/// 300 s); the WAL file stays that size. For every connection, sqlx's and the writer thread's;
/// since the checkpoint thread (`sqlite_checkpoints.rs`) copies commits over within moments, it
/// is the backstop for when that thread falls behind.
/// busy_timeout comes first: the other settings may wait for a lock another process holds (a
/// `kept user …` beside a running kept failed with "database is locked" when it came later).
pub(crate) const SQLITE_PRAGMAS: &str = "PRAGMA busy_timeout = 10000; PRAGMA journal_mode = WAL; \
     PRAGMA synchronous = FULL; PRAGMA foreign_keys = ON; PRAGMA secure_delete = ON; PRAGMA temp_store = MEMORY; \
     PRAGMA wal_autocheckpoint = 10000;";

fn sqlite_pool(size: u32) -> AnyPoolOptions {
    AnyPoolOptions::new()
        .max_connections(size)
        .test_before_acquire(false)
        .after_connect(|conn, _| {
            Box::pin(async move {
                conn.execute(SQLITE_PRAGMAS).await?;
                Ok(())
            })
        })
}

/// Makes sure the file's folder exists and that SQLite may create the file; the URL for sqlx
/// and the file's path.
fn prepare_sqlite_url(url: &str) -> Result<(String, std::path::PathBuf)> {
    let rest = url.trim_start_matches("sqlite://").trim_start_matches("sqlite:");
    let path = rest.split('?').next().unwrap_or_default();
    if path.is_empty() || path == ":memory:" {
        return Err(StoreError::UnsupportedUrl(url.to_string()));
    }
    if let Some(parent) = Path::new(path).parent().filter(|p| !p.as_os_str().is_empty()) {
        std::fs::create_dir_all(parent).map_err(|e| StoreError::Database(sqlx::Error::Io(e)))?;
    }
    let url = if rest.contains("mode=") {
        format!("sqlite://{rest}")
    } else if rest.contains('?') {
        format!("sqlite://{rest}&mode=rwc")
    } else {
        format!("sqlite://{rest}?mode=rwc")
    };
    Ok((url, Path::new(path).to_path_buf()))
}

impl Store for SqlStore {
    fn dialect(&self) -> Dialect {
        self.dialect
    }
}

impl SqlStore {
    /// Closes both pools, waiting for connections to be returned (SQLite's writer thread closes
    /// its own connection when the store is dropped).
    pub async fn close(&self) {
        self.read.close().await;
        self.write.close().await;
    }
}
