//! Applying EVENTS to sled in batches through the shared consume loop: a batch is written, then
//! flushed, and only then acked. A kill -9 at any point loses nothing acked: what was not
//! flushed was not acked and comes back. A batch's flush and acks run while the next batch is
//! applied; one batch acks at a time, in stream order.

use crate::store::{StoredEvent, TimelineStore};
use async_nats::jetstream::{self, consumer::pull};
use dongtai_common::consume::{self, DeadLetter, Pull};
use dongtai_common::{Metrics, Outcome};
use dongtai_proto::{DEAD_EVENT_SCHEMA, DeadEvent, Retraction, subjects};
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::sync::broadcast;

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

/// Stages timed in `dongtai_stage_duration_seconds`.
pub mod stage {
    /// Decoding a batch and writing it to sled (not yet flushed).
    pub const APPLY: &str = "apply";
    /// Flushing sled: after it the batch survives a kill -9 and may be acked.
    pub const FLUSH: &str = "flush";
}

/// How the timeline pulls: batches of up to [`BATCH`], one finishing (flushing and acking)
/// while the next is applied, so acks and the feed stay in stream order.
pub const PULL: Pull = Pull {
    batch: BATCH,
    in_flight: 1,
    confirm_acks: false,
};

/// The timeline's side of the shared consume loop (`dongtai_common::consume`): a batch is
/// written to sled when staged, flushed when finished, and only then acked by the loop. A
/// message it cannot decode is poison: it goes to [`subjects::EVENTS_DEAD`] with the error.
pub struct EventsHandler {
    store: TimelineStore,
    feed: broadcast::Sender<Arc<StoredEvent>>,
    metrics: Metrics,
}

impl EventsHandler {
    /// A handler writing to `store`, telling `feed` what it stored.
    pub fn new(
        store: TimelineStore,
        feed: broadcast::Sender<Arc<StoredEvent>>,
        metrics: Metrics,
    ) -> Self {
        Self {
            store,
            feed,
            metrics,
        }
    }
}

/// A batch written to sled (not yet flushed): per message, `None` when it was applied or the
/// reason it cannot be; and the versions stored. `Err` when the write failed: why, and how many
/// messages the batch had.
pub type Staged = Result<(Vec<Option<String>>, Vec<StoredEvent>), (String, usize)>;

impl consume::Handler for EventsHandler {
    type Staged = Staged;

    async fn stage(&self, batch: &[jetstream::Message]) -> Staged {
        let started = Instant::now();
        let mut changes = Vec::with_capacity(batch.len());
        let mut poison = Vec::with_capacity(batch.len());
        for m in batch {
            let seq = m.info().map(|i| i.stream_sequence).unwrap_or(0);
            match decode(m.subject.as_str(), &m.payload) {
                Ok(change) => {
                    changes.push((change, seq));
                    poison.push(None);
                }
                Err(e) => poison.push(Some(format!("not an event or retraction: {e}"))),
            }
        }
        let changed = if changes.is_empty() {
            Vec::new()
        } else {
            // sled calls block; keep them off the async threads.
            let store = self.store.clone();
            tokio::task::spawn_blocking(move || apply(&store, changes))
                .await
                .map_err(|e| (format!("the write task failed: {e}"), batch.len()))?
                .map_err(|e| (format!("{e:#}"), batch.len()))?
        };
        self.metrics.observe_stage(stage::APPLY, started);
        Ok((poison, changed))
    }

    async fn finish(&self, staged: Staged) -> Vec<Outcome> {
        let (poison, changed) = match staged {
            Ok(s) => s,
            Err((e, n)) => {
                tracing::error!(error = %e, "batch not stored; it will be redelivered");
                return vec![Outcome::RetryLater(Duration::from_millis(500)); n];
            }
        };
        // The flush starts after the batch was written, so it covers it.
        if let Err(e) = self.metrics.time(stage::FLUSH, self.store.flush()).await {
            tracing::error!(error = %e, "batch not flushed; it will be redelivered");
            return vec![Outcome::RetryLater(Duration::from_secs(1)); poison.len()];
        }
        for e in changed {
            let _ = self.feed.send(Arc::new(e));
        }
        poison
            .into_iter()
            .map(|p| p.map_or(Outcome::Done, Outcome::Poison))
            .collect()
    }

    fn dead_letter(
        &self,
        msg: &jetstream::Message,
        deliveries: u64,
        reason: &str,
    ) -> anyhow::Result<DeadLetter> {
        let dead = DeadEvent {
            schema: DEAD_EVENT_SCHEMA.to_owned(),
            subject: msg.subject.to_string(),
            stream_sequence: msg.info().map(|i| i.stream_sequence).unwrap_or(0),
            error: reason.to_owned(),
            deliveries,
            original: String::from_utf8_lossy(&msg.payload).into_owned(),
            by: format!("dongtai-timeline {}", env!("CARGO_PKG_VERSION")),
            at: chrono::Utc::now(),
        };
        Ok(DeadLetter {
            subject: subjects::EVENTS_DEAD.to_owned(),
            payload: serde_json::to_vec(&dead)?.into(),
        })
    }
}
