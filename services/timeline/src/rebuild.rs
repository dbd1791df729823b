//! `dongtai-timeline rebuild`: replay the whole EVENTS stream into sled. The stream is the
//! source of truth; the sled view can always be thrown away and rebuilt from it.

use crate::config::RebuildArgs;
use crate::consumer::decode;
use crate::store::TimelineStore;
use async_nats::jetstream::{self, consumer::pull};
use futures::StreamExt as _;
use std::time::{Duration, Instant};

/// Replay every message up to the stream's last sequence at start; flush; report.
pub async fn run(args: &RebuildArgs) -> anyhow::Result<String> {
    let store = TimelineStore::open_with_cache(&args.data_dir, args.cache_mb)?;
    let client = dongtai_common::connect(&args.nats, "dongtai-timeline-rebuild").await?;
    let js = jetstream::new(client.clone());
    dongtai_common::provision_streams_with(&js, &args.nats.limits).await?;
    let report = replay_into(&js, &store).await?;
    client.drain().await.ok();
    Ok(report)
}

/// Changes staged per bulk write: large, so each tree gets long sorted runs of inserts.
pub const BULK_CHUNK: usize = 32_768;
/// Messages between two progress lines in the log.
const PROGRESS_EVERY: u64 = 50_000;

/// Rebuild `store` from the whole EVENTS stream: mark it and empty it, replay every message up
/// to the stream's last sequence at start in bulk (sorted writes, no flush per chunk; a chunk
/// is read and staged while the one before is written, see `store::BulkLoad`), then flush once
/// and clear the mark. Interrupted, the mark stays and the next start rebuilds again.
pub async fn replay_into(js: &jetstream::Context, store: &TimelineStore) -> anyhow::Result<String> {
    let started = Instant::now();
    store.begin_rebuild()?;
    let (stream, state) =
        dongtai_common::nats::open_stream(js, dongtai_proto::streams::EVENTS).await?;
    let last = state.last_sequence;
    tracing::info!(
        messages = state.messages,
        last_seq = last,
        "rebuilding the timeline from EVENTS"
    );
    let (mut messages_seen, mut changed) = (0u64, 0u64);
    if last > 0 {
        let consumer = stream
            .create_consumer(pull::OrderedConfig {
                deliver_policy: jetstream::consumer::DeliverPolicy::All,
                ..Default::default()
            })
            .await
            .map_err(|e| anyhow::anyhow!("cannot replay the events stream: {e}"))?;
        let mut messages = consumer
            .messages()
            .await
            .map_err(|e| anyhow::anyhow!("replay: {e}"))?;
        let mut chunk = Vec::with_capacity(BULK_CHUNK);
        let mut load = store.bulk_load();
        while let Some(m) = tokio::time::timeout(Duration::from_secs(30), messages.next())
            .await
            .map_err(|_| anyhow::anyhow!("replay stalled"))?
        {
            let m = m.map_err(|e| anyhow::anyhow!("replay: {e}"))?;
            let (seq, pending) = m
                .info()
                .map(|i| (i.stream_sequence, i.pending))
                .unwrap_or((0, 0));
            messages_seen += 1;
            match decode(m.subject.as_str(), &m.payload) {
                Ok(change) => chunk.push((change, seq)),
                Err(e) => tracing::warn!(seq, error = %e, "undecodable event skipped"),
            }
            let done = seq >= last || pending == 0;
            if chunk.len() == BULK_CHUNK || done {
                let changes = std::mem::take(&mut chunk);
                changed += tokio::task::block_in_place(|| load.apply(changes))? as u64;
            }
            if messages_seen.is_multiple_of(PROGRESS_EVERY) {
                let secs = started.elapsed().as_secs_f64().max(1e-9);
                tracing::info!(
                    messages = messages_seen,
                    of = last,
                    per_s = (messages_seen as f64 / secs).round(),
                    "rebuilding the timeline"
                );
            }
            if done {
                break;
            }
        }
        tokio::task::block_in_place(|| load.finish())?;
    }
    store.finish_rebuild().await?;
    let secs = started.elapsed().as_secs_f64();
    let report = format!(
        "rebuilt the timeline from {messages_seen} messages ({changed} changes applied, {} live events) in {secs:.2} s ({:.0} messages/s)",
        store.event_count()?,
        messages_seen as f64 / secs.max(1e-9)
    );
    tracing::info!("{report}");
    Ok(report)
}
