//! Every request's body: it must arrive whole within `body_read_timeout` (a client trickling a
//! byte every ten seconds holds a connection for ever otherwise: it gets a 408), and a refused
//! request's body is read and dropped before the answer goes out, up to a bound.
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
use axum::extract::{Request, State};
use axum::http::{StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use http_body::Frame;
use http_body_util::BodyExt;

use crate::state::AppState;

/// The most a refused body is read for: the largest body kept accepts (a 25 MB e-mail)
/// with room to spare.
pub const DRAIN_BYTES: usize = 64 * 1024 * 1024;
/// The longest a refused body is read for.
pub const DRAIN_TIME: Duration = Duration::from_secs(30);

pub async fn drain_unread_body(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let deadline = tokio::time::Instant::now() + state.settings().body_read_timeout;
    let expect_continue = request.headers().contains_key(header::EXPECT);
    let (parts, body) = request.into_parts();
    let shared = SharedBody(Arc::new(Mutex::new(Reading {
        body: Some(body),
        deadline: Box::pin(tokio::time::sleep_until(deadline)),
        too_slow: false,
    })));
    let response = next.run(Request::from_parts(parts, Body::new(shared.clone()))).await;
    let (rest, too_slow) = match shared.0.lock() {
        Ok(mut reading) => (reading.body.take(), reading.too_slow),
        Err(_) => (None, false),
    };
    if too_slow {
        return body_too_slow();
    }
    // A client that asked to be told before it sends (`Expect: 100-continue`) has not sent
    // the body; reading it now would only ask for it.
    if let Some(rest) = rest.filter(|_| !expect_continue) {
        let _ = tokio::time::timeout(DRAIN_TIME, drop_up_to(rest, DRAIN_BYTES)).await;
    }
    response
}

/// 408, as JSON like every other error of the API; the connection is closed after it.
fn body_too_slow() -> Response {
    let body = serde_json::json!({
        "error": "timeout",
        "message": "the request's body did not arrive in time",
        "fields": [],
    });
    let mut response = (StatusCode::REQUEST_TIMEOUT, axum::Json(body)).into_response();
    response
        .headers_mut()
        .insert(header::CONNECTION, axum::http::HeaderValue::from_static("close"));
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
struct SharedBody(Arc<Mutex<Reading>>);

struct Reading {
    body: Option<Body>,
    deadline: Pin<Box<tokio::time::Sleep>>,
    too_slow: bool,
}

impl http_body::Body for SharedBody {
    type Data = Bytes;
    type Error = axum::Error;

    fn poll_frame(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Result<Frame<Bytes>, axum::Error>>> {
        let Ok(mut guard) = self.0.lock() else {
            return Poll::Ready(None);
        };
        let reading = &mut *guard;
        let Some(body) = reading.body.as_mut() else {
            return Poll::Ready(None);
        };
        let polled = Pin::new(&mut *body).poll_frame(cx);
        match polled {
            // Read to the end: nothing is left to drain.
            Poll::Ready(None) => reading.body = None,
            Poll::Pending if reading.deadline.as_mut().poll(cx).is_ready() => {
                reading.too_slow = true;
                reading.body = None;
                return Poll::Ready(Some(Err(axum::Error::new("the request's body did not arrive in time"))));
            }
            _ => {}
        }
        polled
    }

    fn size_hint(&self) -> http_body::SizeHint {
        match self.0.lock() {
            Ok(guard) => guard.body.as_ref().map(http_body::Body::size_hint).unwrap_or_default(),
            Err(_) => http_body::SizeHint::default(),
        }
    }
}
