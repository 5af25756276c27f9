//! Server-sent events that tell an open dashboard to refresh. A change on this node arrives
//! at once; a change made by another node is seen by polling the store's change marker.

use std::convert::Infallible;
use std::time::Duration;

use axum::extract::State;
use axum::response::sse::{Event, KeepAlive, Sse};
use futures::Stream;
use tokio::sync::broadcast::error::RecvError;

use super::extract::StaffSession;
use crate::state::AppState;

const POLL_OTHER_NODES: Duration = Duration::from_secs(2);

pub async fn changes(
    State(state): State<AppState>,
    _session: StaffSession,
) -> Sse<impl Stream<Item = Result<Event, Infallible>>> {
    let marker = state.store.change_marker().await.unwrap_or(0);
    let local = state.changes.subscribe();
    let stream = futures::stream::unfold((state, local, marker), |(state, mut local, seen)| async move {
        loop {
            tokio::select! {
                received = local.recv() => {
                    if matches!(received, Err(RecvError::Closed)) {
                        tokio::time::sleep(POLL_OTHER_NODES).await;
                    }
                }
                _ = tokio::time::sleep(POLL_OTHER_NODES) => {}
            }
            let marker = state.store.change_marker().await.unwrap_or(seen);
            if marker != seen {
                let event = Event::default().event("changed").data(marker.to_string());
                return Some((Ok(event), (state, local, marker)));
            }
        }
    });
    Sse::new(stream).keep_alive(KeepAlive::default())
}
