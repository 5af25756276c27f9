//! A refused request's body is read and dropped before the answer goes out, up to a bound.
//!
//! When a handler answers without reading the whole body (a 413 for a body over the limit, a
//! 401 before an upload), hyper sends the answer and closes the connection with the body's
//! rest still unread; the kernel then answers the client's next bytes with a reset, and a
//! client still sending never sees the answer (a JSON 413, here) but "connection reset".
//! Reading what is left, up to [`DRAIN_BYTES`] and for at most [`DRAIN_TIME`], lets the
//! client finish sending and read the answer. Beyond the bound the connection is closed.

use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};
use std::time::Duration;

use axum::body::{Body, Bytes};
use axum::extract::Request;
use axum::http::header;
use axum::middleware::Next;
use axum::response::Response;
use http_body::Frame;
use http_body_util::BodyExt;

/// The most a refused body is read for: the largest body kept accepts (a 25 MB e-mail)
/// with room to spare.
pub const DRAIN_BYTES: usize = 64 * 1024 * 1024;
/// The longest a refused body is read for.
pub const DRAIN_TIME: Duration = Duration::from_secs(30);

pub async fn drain_unread_body(request: Request, next: Next) -> Response {
    // A client that asked to be told before it sends (`Expect: 100-continue`) has not sent
    // the body; reading it now would only ask for it.
    if request.headers().contains_key(header::EXPECT) {
        return next.run(request).await;
    }
    let (parts, body) = request.into_parts();
    let shared = SharedBody(Arc::new(Mutex::new(Some(body))));
    let response = next.run(Request::from_parts(parts, Body::new(shared.clone()))).await;
    let rest = shared.0.lock().map(|mut body| body.take()).unwrap_or_default();
    if let Some(rest) = rest {
        let _ = tokio::time::timeout(DRAIN_TIME, drop_up_to(rest, DRAIN_BYTES)).await;
    }
    response
}

/// Reads and drops frames until the body ends or `limit` bytes have been read.
async fn drop_up_to(mut body: Body, limit: usize) {
    let mut read = 0usize;
    while read <= limit {
        match body.frame().await {
            Some(Ok(frame)) => read += frame.data_ref().map_or(0, Bytes::len),
            _ => return,
        }
    }
}

/// The request's body, handed to the handler while the middleware keeps a hold on it: what
/// the handler did not read stays for the middleware to drain.
#[derive(Clone)]
struct SharedBody(Arc<Mutex<Option<Body>>>);

impl http_body::Body for SharedBody {
    type Data = Bytes;
    type Error = axum::Error;

    fn poll_frame(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Result<Frame<Bytes>, axum::Error>>> {
        let Ok(mut guard) = self.0.lock() else {
            return Poll::Ready(None);
        };
        let Some(body) = guard.as_mut() else {
            return Poll::Ready(None);
        };
        let polled = Pin::new(&mut *body).poll_frame(cx);
        if let Poll::Ready(None) = polled {
            // Read to the end: nothing is left to drain.
            *guard = None;
        }
        polled
    }

    fn size_hint(&self) -> http_body::SizeHint {
        match self.0.lock() {
            Ok(guard) => guard.as_ref().map(http_body::Body::size_hint).unwrap_or_default(),
            Err(_) => http_body::SizeHint::default(),
        }
    }
}
