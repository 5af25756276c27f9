//! Accepting connections with limits that `axum::serve` has no setting for: the first byte
//! and then a request's headers must arrive within `header_read_timeout` (a client that
//! connects and says nothing, or sends half a header and waits — slowloris — is cut off), a
//! request's body within `body_read_timeout` (see `http::drain`), one address holds at most
//! `max_connections_per_address` connections at once and all together at most
//! `max_connections` (below the process's file limit: the database and files keep room).
//! HTTP/1.1 only unless `http2` is set: hyper's protocol detection reads without a time limit,
//! and an h2c connection has no header timeout. The rest is hyper's own connection handling,
//! the same that `axum::serve` uses.

use std::collections::HashMap;
use std::future::Future;
use std::net::IpAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::Router;
use axum::extract::ConnectInfo;
use hyper::body::Incoming;
use hyper_util::rt::{TokioExecutor, TokioIo, TokioTimer};
use hyper_util::server::conn::auto::Builder;
use hyper_util::server::graceful::GracefulShutdown;
use tokio::net::TcpListener;
use tower::ServiceExt;

/// How long open connections (a live page's event stream, say) may take to finish at shutdown.
const SHUTDOWN_GRACE: Duration = Duration::from_secs(5);

#[derive(Debug, Clone, Copy)]
pub struct Limits {
    pub header_read_timeout: Duration,
    /// `None` behind a proxy: every connection comes from the proxy's address.
    pub max_connections_per_address: Option<usize>,
    pub max_connections: usize,
    pub http2: bool,
}

/// Serves `app` on `listener` until `shutdown` completes.
pub async fn serve(listener: TcpListener, app: Router, limits: Limits, shutdown: impl Future<Output = ()>) {
    let graceful = GracefulShutdown::new();
    let open = OpenConnections::default();
    let mut shutdown = std::pin::pin!(shutdown);
    loop {
        let (stream, peer) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(accepted) => accepted,
                Err(error) => {
                    // Out of file descriptors and the like: wait a moment rather than spin.
                    tracing::warn!(%error, "cannot accept a connection");
                    tokio::time::sleep(Duration::from_millis(100)).await;
                    continue;
                }
            },
            () = &mut shutdown => break,
        };
        let Some(slot) = open.admit(peer.ip(), limits.max_connections_per_address, limits.max_connections) else {
            tracing::warn!(address = %peer.ip(), "too many connections (from one address, or in all); refused");
            drop(stream);
            continue;
        };
        let router = app.clone();
        let service = hyper::service::service_fn(move |mut request: hyper::Request<Incoming>| {
            request.extensions_mut().insert(ConnectInfo(peer));
            let router = router.clone();
            async move { router.oneshot(request.map(axum::body::Body::new)).await }
        });
        let watcher = graceful.watcher();
        tokio::spawn(async move {
            // Nothing at all within the header time: closed before hyper reads a byte.
            let mut first = [0u8; 1];
            if !matches!(
                tokio::time::timeout(limits.header_read_timeout, stream.peek(&mut first)).await,
                Ok(Ok(1..))
            ) {
                drop(slot);
                return;
            }
            let io = TokioIo::new(stream);
            let ended = if limits.http2 {
                let mut builder = Builder::new(TokioExecutor::new());
                builder
                    .http1()
                    .timer(TokioTimer::new())
                    .header_read_timeout(limits.header_read_timeout);
                let connection = builder.serve_connection_with_upgrades(io, service).into_owned();
                watcher.watch(connection).await.map_err(|e| e.to_string())
            } else {
                // hyper's own HTTP/1 connection: the auto builder detects the protocol even when
                // told HTTP/1 only, and so answers an HTTP/2 preface.
                let connection = hyper::server::conn::http1::Builder::new()
                    .timer(TokioTimer::new())
                    .header_read_timeout(limits.header_read_timeout)
                    .serve_connection(io, service);
                watcher.watch(connection).await.map_err(|e| e.to_string())
            };
            if let Err(error) = ended {
                tracing::debug!(%error, "connection ended");
            }
            drop(slot);
        });
    }
    drop(listener);
    if tokio::time::timeout(SHUTDOWN_GRACE, graceful.shutdown()).await.is_err() {
        tracing::info!("closed connections that were still open at shutdown");
    }
}

/// Open connections per address and in all.
#[derive(Clone, Default)]
struct OpenConnections(Arc<Mutex<Counts>>);

#[derive(Default)]
struct Counts {
    per_address: HashMap<IpAddr, usize>,
    total: usize,
}

/// One admitted connection; its address's count goes down when it is dropped.
struct Slot {
    open: OpenConnections,
    address: IpAddr,
}

impl OpenConnections {
    fn admit(&self, address: IpAddr, limit: Option<usize>, total_limit: usize) -> Option<Slot> {
        let mut counts = self.0.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        if counts.total >= total_limit {
            return None;
        }
        let count = counts.per_address.entry(address).or_insert(0);
        if limit.is_some_and(|limit| *count >= limit) {
            return None;
        }
        *count += 1;
        counts.total += 1;
        Some(Slot {
            open: self.clone(),
            address,
        })
    }
}

impl Drop for Slot {
    fn drop(&mut self) {
        let mut counts = self.open.0.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        counts.total = counts.total.saturating_sub(1);
        if let Some(count) = counts.per_address.get_mut(&self.address) {
            *count = count.saturating_sub(1);
            if *count == 0 {
                counts.per_address.remove(&self.address);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_address_gets_its_limit_and_a_closed_connection_frees_a_place() {
        let open = OpenConnections::default();
        let address: IpAddr = "203.0.113.7".parse().unwrap();
        let first = open.admit(address, Some(2), 100);
        let second = open.admit(address, Some(2), 100);
        assert!(first.is_some() && second.is_some());
        assert!(open.admit(address, Some(2), 100).is_none());
        let other = open.admit("203.0.113.8".parse().unwrap(), Some(2), 100);
        assert!(other.is_some(), "others are not held back");
        drop(first);
        assert!(open.admit(address, Some(2), 100).is_some());
        assert!(open.admit(address, None, 100).is_some(), "no limit behind a proxy");
        let (a, b) = (open.admit(address, None, 4), open.admit(address, None, 4));
        assert!(a.is_some() && b.is_some(), "second, other and these two: four open");
        let refused = open.admit("203.0.113.9".parse().unwrap(), None, 4);
        assert!(refused.is_none(), "the total holds for all");
        drop((a, b));
        assert!(
            open.admit("203.0.113.9".parse().unwrap(), None, 4).is_some(),
            "and frees"
        );
    }
}
