//! `dongtai-timeline rebuild`: replay the whole EVENTS stream into sled. The stream is the
//! source of truth; the sled view can always be thrown away and rebuilt from it.

use crate::config::RebuildArgs;
use crate::consumer::decode;
use crate::store::{Change, StoreError, TimelineStore};
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
/// is read and decoded while the one before is staged on a thread of its own and the one
/// before that written, see `store::BulkLoad`), then flush once
/// and clear the mark. Interrupted, the mark stays and the next start rebuilds again.
pub async fn replay_into(js: &jetstream::Context, store: &TimelineStore) -> anyhow::Result<String> {
    replay_in_chunks(js, store, BULK_CHUNK).await
}

/// [`replay_into`] with chunks of `chunk_len` changes (tests hand over many small ones).
async fn replay_in_chunks(
    js: &jetstream::Context,
    store: &TimelineStore,
    chunk_len: usize,
) -> anyhow::Result<String> {
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
        let (stager, to_stager) = start_staging(store)?;
        let read = read_chunks(&mut messages, last, chunk_len, started, &to_stager).await;
        // Whatever ended the loop, the stager is waited for: it must not write into a store
        // that a retried rebuild has started to fill.
        drop(to_stager);
        let staged = tokio::task::block_in_place(|| stager.join())
            .map_err(|_| anyhow::anyhow!("the rebuild's staging thread panicked"))?;
        messages_seen = read?;
        changed = staged?;
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

/// Read the stream up to sequence `last` into chunks of `chunk_len` decoded changes and
/// hand them to the stager (which ends early, dropping its end, only on an error: that error
/// is the stager's to tell). Returns how many messages were read.
async fn read_chunks(
    messages: &mut pull::Ordered,
    last: u64,
    chunk_len: usize,
    started: Instant,
    to_stager: &ToStager,
) -> anyhow::Result<u64> {
    let mut messages_seen = 0u64;
    let mut chunk = Vec::with_capacity(chunk_len);
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
            Ok(mut change) => {
                // Here rather than in the staging thread, which bounds the replay.
                if let Change::Upsert(e) = &mut change {
                    crate::pinyin::fill(e);
                }
                chunk.push((change, seq));
            }
            Err(e) => tracing::warn!(seq, error = %e, "undecodable event skipped"),
        }
        let done = seq >= last || pending == 0;
        if chunk.len() >= chunk_len || done {
            let changes = std::mem::take(&mut chunk);
            if tokio::task::block_in_place(|| to_stager.send(changes)).is_err() {
                break;
            }
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
    Ok(messages_seen)
}

/// The thread that stages a rebuild's chunks (and starts their writes, see `store::BulkLoad`)
/// and the sender of the chunks. Staging is one thread's work (each change reads what the
/// ones before it wrote), and perf found it the replay's bound: on its own thread it runs
/// while the replay loop receives and decodes the next chunk. A chunk is handed over only
/// when the stager takes it (no queue): three chunks at most are in memory, the one read,
/// the one staged and the one written.
fn start_staging(store: &TimelineStore) -> anyhow::Result<(Stager, ToStager)> {
    let (to_stager, chunks) = std::sync::mpsc::sync_channel(0);
    let mut load = store.bulk_load();
    let stager = std::thread::Builder::new()
        .name("timeline-stage".to_owned())
        .spawn(move || {
            let mut changed = 0u64;
            for chunk in chunks {
                changed += load.apply(chunk)? as u64;
            }
            load.finish()?;
            Ok(changed)
        })?;
    Ok((stager, to_stager))
}

/// The staging thread: how many changes did something, once every chunk is written.
type Stager = std::thread::JoinHandle<Result<u64, StoreError>>;

/// Where the replay loop hands its chunks to the stager.
type ToStager = std::sync::mpsc::SyncSender<Vec<(Change, u64)>>;

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use crate::store::StoredEvent;
    use dongtai_proto::{ActivityEvent, ArticleId, EventId, Retraction, subjects};
    use dongtai_testkit::NatsServer;

    fn report(id: &str, article: char, place: &str) -> ActivityEvent {
        let mut v: serde_json::Value =
            serde_json::from_str(include_str!("../../../proto/fixtures/v1/event.json")).unwrap();
        v["id"] = id.into();
        v["source"]["article_id"] = article.to_string().repeat(64).into();
        v["places"] = serde_json::json!([place]);
        serde_json::from_value(v).unwrap()
    }

    /// Publish `payload` on `subject`; returns its stream sequence.
    async fn publish(js: &jetstream::Context, subject: String, payload: Vec<u8>) -> u64 {
        let ack = js.publish(subject, payload.into()).await.unwrap();
        ack.await.unwrap().sequence
    }

    /// What a store answers of each of `ids`, but the time its version was stored.
    type Answer = (ActivityEvent, u64, bool, String);
    fn answers(store: &TimelineStore, ids: &[EventId]) -> Vec<Option<Answer>> {
        ids.iter()
            .map(|id| {
                store.get(id).unwrap().map(|e: StoredEvent| {
                    let activity = e.activity_id();
                    (e.event, e.stream_seq, e.retracted, activity)
                })
            })
            .collect()
    }

    #[tokio::test(flavor = "multi_thread")]
    async fn a_replay_handed_over_in_small_chunks_answers_as_the_consumer_path_does() {
        let nats = NatsServer::start();
        let client = async_nats::connect(nats.url()).await.unwrap();
        let js = jetstream::new(client);
        dongtai_common::provision_streams(&js).await.unwrap();
        // Two reports of one activity (same lead, kind and day, other articles), others, a
        // new version of one of them and a retraction, across many chunks of two.
        let mut published = Vec::new();
        for (i, article) in ['a', 'b', 'c', 'd', 'e'].into_iter().enumerate() {
            published.push(report(&format!("{i}{}", "0".repeat(31)), article, "某园区"));
        }
        published.push(report(&format!("2{}", "0".repeat(31)), 'c', "某展馆"));
        let mut changes = Vec::new();
        for e in &published {
            let seq = publish(&js, subjects::event(e.kind), serde_json::to_vec(e).unwrap()).await;
            changes.push((Change::Upsert(Box::new(e.clone())), seq));
        }
        let withdrawn = Retraction {
            schema: dongtai_proto::RETRACTION_SCHEMA.to_owned(),
            event_id: published[3].id.clone(),
            article_id: ArticleId::of_text("d"),
            extractor: "test".to_owned(),
            at: chrono::Utc::now(),
        };
        let payload = serde_json::to_vec(&withdrawn).unwrap();
        let seq = publish(&js, subjects::EVENTS_RETRACTED.to_owned(), payload).await;
        changes.push((Change::Retract(withdrawn.event_id), seq));

        let dir = tempfile::tempdir().unwrap();
        let replayed = TimelineStore::open(&dir.path().join("replayed")).unwrap();
        replay_in_chunks(&js, &replayed, 2).await.unwrap();
        let consumed = TimelineStore::open(&dir.path().join("consumed")).unwrap();
        consumed.apply_batch(changes).unwrap();

        let ids: Vec<EventId> = published.iter().map(|e| e.id.clone()).collect();
        assert!(!replayed.rebuild_pending().unwrap());
        assert_eq!(answers(&replayed, &ids), answers(&consumed, &ids));
        assert_eq!(replayed.event_count().unwrap(), 4);
        assert_eq!(
            replayed.event_count().unwrap(),
            consumed.event_count().unwrap()
        );
        assert_eq!(replayed.actors().unwrap(), consumed.actors().unwrap());
        assert_eq!(
            replayed.kind_counts().unwrap(),
            consumed.kind_counts().unwrap()
        );
        // The four live reports are one activity, found across chunks.
        let activities: std::collections::BTreeSet<String> = answers(&replayed, &ids)
            .into_iter()
            .flatten()
            .filter(|a| !a.2)
            .map(|a| a.3)
            .collect();
        assert_eq!(activities.len(), 1, "{activities:?}");
    }
}
