//! `dongtai-extract replay`: re-extract every stored article with this engine. Events whose
//! activity is unchanged keep their ids (and the timeline updates them in place); events a
//! previous extractor found but this one no longer does are withdrawn on `events.v1.retracted`.

use crate::handler::events_of;
use anyhow::Context as _;
use async_nats::jetstream::{self, consumer::DeliverPolicy, consumer::pull};
use dongtai_common::NatsArgs;
use dongtai_proto::{
    ActivityEvent, Article, ArticleId, EventId, RETRACTION_SCHEMA, Retraction, streams, subjects,
};
use futures::StreamExt as _;
use std::collections::{BTreeSet, HashMap};
use std::time::{Duration, Instant};

/// Arguments of `dongtai-extract replay`.
#[derive(Debug, Clone, clap::Args)]
pub struct ReplayArgs {
    /// NATS connection.
    #[command(flatten)]
    pub nats: NatsArgs,
    /// Only report what would change; publish nothing.
    #[arg(long)]
    pub dry_run: bool,
}

/// What a replay did.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct ReplayReport {
    /// Articles re-extracted.
    pub articles: u64,
    /// Events published (new or changed).
    pub events: u64,
    /// Events withdrawn.
    pub retracted: u64,
}

impl std::fmt::Display for ReplayReport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "replayed {} articles with {}: {} events published, {} retracted",
            self.articles,
            dongtai_engine::EXTRACTOR,
            self.events,
            self.retracted
        )
    }
}

/// Replay the whole ARTICLES stream.
pub async fn run(args: &ReplayArgs) -> anyhow::Result<ReplayReport> {
    let client = dongtai_common::connect(&args.nats, "dongtai-extract-replay").await?;
    let js = jetstream::new(client.clone());
    dongtai_common::provision_streams_with(&js, &args.nats.limits).await?;
    let report = replay(&js, args.dry_run).await?;
    client.drain().await.ok();
    Ok(report)
}

/// Read every message of `stream` up to its last sequence at the start, in order.
async fn read_all(
    js: &jetstream::Context,
    stream: &str,
    mut each: impl FnMut(&str, &[u8]),
) -> anyhow::Result<u64> {
    let (s, state) = dongtai_common::nats::open_stream(js, stream).await?;
    let last = state.last_sequence;
    if last == 0 {
        return Ok(0);
    }
    let consumer = s
        .create_consumer(pull::OrderedConfig {
            deliver_policy: DeliverPolicy::All,
            ..Default::default()
        })
        .await
        .map_err(|e| anyhow::anyhow!("read {stream}: {e}"))?;
    let mut messages = consumer
        .messages()
        .await
        .map_err(|e| anyhow::anyhow!("read {stream}: {e}"))?;
    let mut n = 0;
    while let Some(m) = tokio::time::timeout(Duration::from_secs(30), messages.next())
        .await
        .map_err(|_| anyhow::anyhow!("reading {stream} stalled"))?
    {
        let m = m.map_err(|e| anyhow::anyhow!("read {stream}: {e}"))?;
        n += 1;
        each(m.subject.as_str(), &m.payload);
        let (seq, pending) = m
            .info()
            .map(|i| (i.stream_sequence, i.pending))
            .unwrap_or((0, 0));
        if seq >= last || pending == 0 {
            break;
        }
    }
    Ok(n)
}

/// Replay over an open context.
pub async fn replay(js: &jetstream::Context, dry_run: bool) -> anyhow::Result<ReplayReport> {
    let started = Instant::now();
    // What the timeline currently believes, per article: live event ids and their content.
    let mut live: HashMap<ArticleId, BTreeSet<EventId>> = HashMap::new();
    let mut content: HashMap<EventId, ActivityEvent> = HashMap::new();
    read_all(js, streams::EVENTS, |subject, payload| {
        if subject == subjects::EVENTS_RETRACTED {
            if let Ok(r) = serde_json::from_slice::<Retraction>(payload) {
                if let Some(set) = live.get_mut(&r.article_id) {
                    set.remove(&r.event_id);
                }
                content.remove(&r.event_id);
            }
        } else if let Ok(e) = serde_json::from_slice::<ActivityEvent>(payload) {
            live.entry(e.source.article_id.clone())
                .or_default()
                .insert(e.id.clone());
            content.insert(e.id.clone(), e);
        }
    })
    .await?;
    let mut articles = Vec::new();
    let total = read_all(js, streams::ARTICLES, |_, payload| {
        if let Ok(a) = serde_json::from_slice::<Article>(payload) {
            articles.push(a);
        }
    })
    .await?;
    tracing::info!(articles = total, "re-extracting");
    let mut report = ReplayReport::default();
    let mut seen_articles = BTreeSet::new();
    for (i, article) in articles.into_iter().enumerate() {
        if !seen_articles.insert(article.id.clone()) {
            continue;
        }
        report.articles += 1;
        let a = article.clone();
        let events = tokio::task::spawn_blocking(move || events_of(&a))
            .await
            .context("extraction panicked")?;
        let now: BTreeSet<EventId> = events.iter().map(|e| e.id.clone()).collect();
        for e in &events {
            let unchanged = content.get(&e.id).is_some_and(|old| same_finding(old, e));
            if unchanged {
                continue;
            }
            report.events += 1;
            if !dry_run {
                // The id plus a tag of the content: a changed event is a new message even inside
                // the duplicate window; the identical one is still dropped.
                let msg_id = format!("{}-{}", e.id, content_tag(&serde_json::to_vec(e)?));
                dongtai_common::nats::publish_durable(
                    js,
                    subjects::event(e.kind),
                    &msg_id,
                    serde_json::to_vec(e)?.into(),
                )
                .await?;
            }
        }
        for gone in live
            .get(&article.id)
            .into_iter()
            .flatten()
            .filter(|id| !now.contains(*id))
        {
            report.retracted += 1;
            if !dry_run {
                let r = Retraction {
                    schema: RETRACTION_SCHEMA.to_owned(),
                    event_id: gone.clone(),
                    article_id: article.id.clone(),
                    extractor: dongtai_engine::EXTRACTOR.to_owned(),
                    at: chrono::Utc::now(),
                };
                let msg_id = format!("retract-{gone}-{}", dongtai_engine::EXTRACTOR);
                dongtai_common::nats::publish_durable(
                    js,
                    subjects::EVENTS_RETRACTED.to_owned(),
                    &msg_id,
                    serde_json::to_vec(&r)?.into(),
                )
                .await?;
            }
        }
        if (i + 1) % 1000 == 0 {
            tracing::info!(done = i + 1, of = total, "re-extracting");
        }
    }
    tracing::info!(seconds = started.elapsed().as_secs_f64(), %report, "replay finished");
    Ok(report)
}

/// Two versions say the same thing (the extractor name aside).
fn same_finding(old: &ActivityEvent, new: &ActivityEvent) -> bool {
    let mut old = old.clone();
    old.extractor.clone_from(&new.extractor);
    &old == new
}

/// A short tag of `bytes` (FNV-1a, 64 bit): enough to tell two versions of one event apart.
fn content_tag(bytes: &[u8]) -> String {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in bytes {
        h ^= u64::from(*b);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    format!("{h:016x}")
}
