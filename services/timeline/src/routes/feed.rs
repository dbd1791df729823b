//! `GET /v1/feed`: server-sent events with the filters of `/v1/events`.
//!
//! Each SSE `id:` is the EVENTS stream sequence of the change, so it only grows. A client that
//! reconnects with `Last-Event-ID: N` first gets every stored change after N (from the store's
//! `seq` tree), then live ones from the broadcast channel; the live ones the replay already
//! covered are dropped by sequence, so nothing is missed and nothing repeats. A client too slow
//! for the broadcast channel (it lagged) goes back to replaying from the store.

use super::AppState;
use super::error::ApiError;
use super::events::{check_query, take_param, unknown_param};
use crate::query::EventQuery;
use crate::store::StoredEvent;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use axum::http::HeaderMap;
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use std::convert::Infallible;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::{broadcast, mpsc};

/// Stored changes read per replay step.
const REPLAY_CHUNK: usize = 256;
/// How often an idle feed sends a comment so proxies keep the connection open.
pub const KEEP_ALIVE: Duration = Duration::from_secs(15);

/// `GET /v1/feed?actor=&target=&place=&kind=&q=` with an optional `Last-Event-ID` header (or
/// `last_event_id` parameter, for clients that cannot set headers).
pub async fn feed(
    State(state): State<AppState>,
    headers: HeaderMap,
    params: Result<Query<Vec<(String, String)>>, QueryRejection>,
) -> Result<Response, ApiError> {
    let Query(pairs) = params.map_err(|e| ApiError::bad("query", e.body_text()))?;
    let mut last = headers
        .get("last-event-id")
        .map(|v| {
            v.to_str()
                .ok()
                .and_then(|s| s.trim().parse::<u64>().ok())
                .ok_or_else(|| {
                    ApiError::bad("Last-Event-ID", "Last-Event-ID is not an id this feed sent")
                })
        })
        .transpose()?;
    let mut query = EventQuery::default();
    let mut seen: Vec<&str> = Vec::new();
    for (k, v) in &pairs {
        if k == "last_event_id" {
            let n = v.trim().parse::<u64>().map_err(|_| {
                ApiError::bad("last_event_id", "last_event_id is not an id this feed sent")
            })?;
            last = Some(last.map_or(n, |h| h.max(n)));
            continue;
        }
        // An access token was checked by the authentication before the handler.
        if k == super::tokens::PARAM || take_param(&mut seen, &mut query, k, v)? {
            continue;
        }
        return Err(match k.as_str() {
            "limit" | "cursor" | "format" | "sort" => {
                ApiError::bad(k, format!("{k} does not apply to the feed"))
            }
            other => unknown_param(other, &["last_event_id", super::tokens::PARAM]),
        });
    }
    check_query(&query)?;
    // Subscribe before the replay reads the store: whatever is stored after the replay's read
    // is then already queued here.
    let live = state.feed.subscribe();
    let (tx, rx) = mpsc::channel::<Event>(64);
    let shutdown = state.shutdown.clone();
    tokio::spawn(async move {
        tokio::select! {
            _ = shutdown.cancelled() => {}
            () = pump(state, query, last, tx, live) => {}
        }
    });
    let stream = futures::stream::unfold(rx, |mut rx| async move {
        rx.recv().await.map(|e| (Ok::<_, Infallible>(e), rx))
    });
    let keep_alive = KeepAlive::new().interval(KEEP_ALIVE).text("keep-alive");
    Ok(Sse::new(stream).keep_alive(keep_alive).into_response())
}

/// Without `Last-Event-ID` a client starts at "now": only live changes.
async fn pump(
    state: AppState,
    query: EventQuery,
    last: Option<u64>,
    tx: mpsc::Sender<Event>,
    mut live: broadcast::Receiver<Arc<StoredEvent>>,
) {
    let mut last = match last {
        Some(n) => n,
        None => match state.store.last_seq() {
            Ok(n) => n,
            Err(e) => {
                tracing::error!(error = %e, "feed cannot read the store");
                return;
            }
        },
    };
    loop {
        // Replay what is stored after `last`.
        loop {
            let store = state.store.clone();
            let after = last;
            let chunk =
                tokio::task::spawn_blocking(move || store.changed_since(after, REPLAY_CHUNK)).await;
            let chunk = match chunk {
                Ok(Ok(c)) => c,
                Ok(Err(e)) => {
                    tracing::error!(error = %e, "feed replay failed; closing the stream");
                    return;
                }
                Err(_) => return,
            };
            let done = chunk.len() < REPLAY_CHUNK;
            for e in chunk {
                last = e.stream_seq;
                if !send_if_matching(&tx, &query, &e).await {
                    return;
                }
            }
            if done {
                break;
            }
        }
        // Then live, skipping what the replay already sent.
        loop {
            let next = tokio::select! {
                () = tx.closed() => return,
                r = live.recv() => r,
            };
            match next {
                Ok(e) if e.stream_seq <= last => {}
                Ok(e) => {
                    last = e.stream_seq;
                    if !send_if_matching(&tx, &query, &e).await {
                        return;
                    }
                }
                Err(broadcast::error::RecvError::Lagged(n)) => {
                    tracing::warn!(missed = n, "feed client lagged; replaying from the store");
                    break;
                }
                Err(broadcast::error::RecvError::Closed) => return,
            }
        }
    }
}

/// True while the client is still there.
async fn send_if_matching(tx: &mpsc::Sender<Event>, query: &EventQuery, e: &StoredEvent) -> bool {
    let Some(event) = sse_event(query, e) else {
        return true;
    };
    tx.send(event).await.is_ok()
}

/// The SSE event for a change, when it passes the filters. A retraction is reported (as
/// `event: retracted`) to clients whose filters the withdrawn event matched.
pub fn sse_event(query: &EventQuery, e: &StoredEvent) -> Option<Event> {
    let as_live = StoredEvent {
        retracted: false,
        ..e.clone()
    };
    if !query.matches(&as_live) {
        return None;
    }
    let data = serde_json::to_string(&crate::view::event_json(e)).ok()?;
    let event = Event::default().id(e.stream_seq.to_string()).data(data);
    Some(if e.retracted {
        event.event("retracted")
    } else {
        event
    })
}
