//! The consume loop: applies EVENTS to sled in batches, flushes, and only then acks.
//! A kill -9 at any point loses nothing acked: what was not flushed was not acked and comes back.
//! A batch's flush and acks run while the next batch is applied (the flush starts after its
//! batch was written, so it covers it); one batch acks at a time, in stream order.

use crate::store::{StoredEvent, TimelineStore};
use async_nats::jetstream::{self, AckKind, consumer::pull};
use dongtai_proto::{Retraction, subjects};
use futures::StreamExt as _;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::broadcast;
use tokio_util::sync::CancellationToken;

/// Messages applied per flush at most.
pub const BATCH: usize = 512;

pub use crate::store::Change;

/// Decode a message from the EVENTS stream.
pub fn decode(subject: &str, payload: &[u8]) -> Result<Change, serde_json::Error> {
    if subject == subjects::EVENTS_RETRACTED {
        serde_json::from_slice::<Retraction>(payload).map(|r| Change::Retract(r.event_id))
    } else {
        serde_json::from_slice(payload).map(|e| Change::Upsert(Box::new(e)))
    }
}

/// Apply decoded changes, each with its stream sequence, as one batch; returns the versions
/// stored (unchanged ones left out).
pub fn apply(
    store: &TimelineStore,
    changes: Vec<(Change, u64)>,
) -> anyhow::Result<Vec<StoredEvent>> {
    Ok(store
        .apply_batch(changes)?
        .into_iter()
        .filter_map(|(_, stored)| stored)
        .collect())
}

/// The durable consumer of one timeline replica (created if missing).
pub async fn timeline_consumer(
    js: &jetstream::Context,
    replica: &str,
) -> anyhow::Result<jetstream::consumer::Consumer<pull::Config>> {
    let name = dongtai_proto::streams::timeline_consumer(replica);
    let stream = js
        .get_stream(dongtai_proto::streams::EVENTS)
        .await
        .map_err(|e| anyhow::anyhow!("failed to open the events stream: {e}"))?;
    stream
        .get_or_create_consumer(
            &name,
            pull::Config {
                durable_name: Some(name.clone()),
                ack_policy: jetstream::consumer::AckPolicy::Explicit,
                ack_wait: Duration::from_secs(30),
                max_ack_pending: (BATCH * 4) as i64,
                ..Default::default()
            },
        )
        .await
        .map_err(|e| anyhow::anyhow!("failed to provision consumer {name}: {e}"))
}

/// Consume until `shutdown`, re-opening the message stream after NATS faults.
pub async fn run(
    consumer: jetstream::consumer::Consumer<pull::Config>,
    store: TimelineStore,
    feed: broadcast::Sender<Arc<StoredEvent>>,
    shutdown: CancellationToken,
) {
    // The flush and acks of the batch before, running while this one is applied.
    let mut acking: Option<tokio::task::JoinHandle<()>> = None;
    while !shutdown.is_cancelled() {
        let messages = match consumer
            .stream()
            .max_messages_per_batch(BATCH)
            .heartbeat(Duration::from_secs(5))
            .expires(Duration::from_secs(30))
            .messages()
            .await
        {
            Ok(m) => m,
            Err(e) => {
                tracing::warn!(error = %e, "cannot pull events; retrying");
                tokio::select! {
                    _ = shutdown.cancelled() => break,
                    _ = tokio::time::sleep(Duration::from_millis(500)) => {}
                }
                continue;
            }
        };
        let batches = messages
            .take_until(shutdown.clone().cancelled_owned())
            .ready_chunks(BATCH);
        let mut batches = std::pin::pin!(batches);
        while let Some(batch) = batches.next().await {
            let mut ok = Vec::with_capacity(batch.len());
            let mut broken = false;
            for m in batch {
                match m {
                    Ok(m) => ok.push(m),
                    Err(e) => {
                        tracing::warn!(error = %e, "event stream interrupted; re-opening");
                        broken = true;
                    }
                }
            }
            match store_batch(&store, ok).await {
                Ok(stored) => {
                    // One batch acking at a time keeps acks and the feed in stream order.
                    finish(acking.take()).await;
                    let (store, feed) = (store.clone(), feed.clone());
                    acking = Some(tokio::spawn(async move {
                        if let Err(e) = flush_and_ack(&store, &feed, stored).await {
                            tracing::error!(error = %e, "batch not flushed; it will be redelivered");
                        }
                    }));
                }
                Err(e) => {
                    tracing::error!(error = %e, "batch not stored; it will be redelivered");
                    tokio::time::sleep(Duration::from_millis(500)).await;
                }
            }
            if broken {
                break;
            }
        }
    }
    finish(acking.take()).await;
}

async fn finish(acking: Option<tokio::task::JoinHandle<()>>) {
    if let Some(task) = acking {
        let _ = task.await;
    }
}

/// A batch written to sled (not yet flushed): its messages, the undecodable ones among them
/// (index, reason), and the versions stored.
struct Stored {
    messages: Vec<jetstream::Message>,
    poison: Vec<(usize, String)>,
    changed: Vec<StoredEvent>,
}

/// Write a batch to sled. Its flush and acks come after, in [`flush_and_ack`], so the next
/// batch is applied while this one's flush waits on the disk.
async fn store_batch(
    store: &TimelineStore,
    messages: Vec<jetstream::Message>,
) -> anyhow::Result<Stored> {
    let store2 = store.clone();
    let mut changes = Vec::with_capacity(messages.len());
    let mut poison = Vec::new();
    for (i, m) in messages.iter().enumerate() {
        let seq = m.info().map(|i| i.stream_sequence).unwrap_or(0);
        match decode(m.subject.as_str(), &m.payload) {
            Ok(change) => changes.push((change, seq)),
            Err(e) => poison.push((i, e.to_string())),
        }
    }
    // sled calls block; keep them off the async threads.
    let changed = if changes.is_empty() {
        Vec::new()
    } else {
        tokio::task::spawn_blocking(move || apply(&store2, changes)).await??
    };
    Ok(Stored {
        messages,
        poison,
        changed,
    })
}

/// Flush (the flush starts after the batch was written, so it covers it), then ack every
/// message of the batch, then tell the feed.
async fn flush_and_ack(
    store: &TimelineStore,
    feed: &broadcast::Sender<Arc<StoredEvent>>,
    stored: Stored,
) -> anyhow::Result<()> {
    let Stored {
        messages,
        poison,
        changed,
    } = stored;
    if messages.is_empty() {
        return Ok(());
    }
    store.flush().await?;
    for (i, m) in messages.iter().enumerate() {
        let result = if let Some((_, reason)) = poison.iter().find(|(p, _)| *p == i) {
            tracing::error!(subject = %m.subject, error = %reason, "undecodable event dropped");
            m.ack_with(AckKind::Term).await
        } else {
            m.ack().await
        };
        if let Err(e) = result {
            tracing::warn!(error = %e, "ack not sent; the event will be redelivered (harmless)");
        }
    }
    for e in changed {
        let _ = feed.send(Arc::new(e));
    }
    Ok(())
}
