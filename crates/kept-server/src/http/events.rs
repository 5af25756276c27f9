//! Server-sent events that tell an open page what changed, on this node or any other (the
//! store's change feed: PostgreSQL NOTIFY between nodes).

use std::convert::Infallible;

use axum::extract::State;
use axum::response::sse::{Event, KeepAlive, Sse};
use futures::Stream;
use tokio::sync::broadcast::error::RecvError;

use super::extract::StaffSession;
use crate::state::AppState;

pub async fn changes(
    State(state): State<AppState>,
    _session: StaffSession,
) -> Sse<impl Stream<Item = Result<Event, Infallible>>> {
    let feed = state.changes();
    let stream = futures::stream::unfold(feed, |mut feed| async move {
        let what = match feed.recv().await {
            Ok(what) => what,
            // Missed a few while busy: the page refreshes all the same.
            Err(RecvError::Lagged(_)) => "many".to_string(),
            Err(RecvError::Closed) => return None,
        };
        Some((Ok(Event::default().event("changed").data(what)), feed))
    });
    Sse::new(stream).keep_alive(KeepAlive::default())
}
