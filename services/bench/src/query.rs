//! `dongtai-bench query`: a large timeline loaded straight into sled, queried over HTTP at a
//! fixed rate by actor and date range and by target; then the replay rate of a rebuild.
//!
//! Loading goes through `TimelineStore::apply_batch` (the same batches the consumer writes),
//! with one flush per load batch. With `--data-dir` the loaded store is kept, so a later run
//! continues where the last stopped (loading a million events takes longer than one run should).

use crate::events::{DAYS, Population};
use crate::services::{self, wait_ready};
use crate::stats::{Latency, round3};
use crate::{Nats, jetstream, procstat};
use anyhow::Context as _;
use bytes::Bytes;
use chrono::Days;
use dongtai_corpus::SplitMix64;
use dongtai_timeline::store::{Change, TimelineStore};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use tokio_util::sync::CancellationToken;

/// Arguments of `dongtai-bench query`.
#[derive(Debug, Clone, clap::Args)]
pub struct QueryArgs {
    /// Events in the timeline.
    #[arg(long, default_value_t = 1_000_000)]
    pub events: u64,
    /// Stop loading after this many seconds (the queries then run on what was loaded).
    #[arg(long, default_value_t = 50.0)]
    pub max_load_seconds: f64,
    /// Queries per second (open loop: sent on schedule whatever the answers take).
    #[arg(long, default_value_t = 200.0)]
    pub rps: f64,
    /// Seconds of query load.
    #[arg(long, default_value_t = 10.0)]
    pub seconds: f64,
    /// Keep the timeline here (and reuse what an earlier run loaded).
    #[arg(long)]
    pub data_dir: Option<PathBuf>,
    /// Events published to EVENTS and replayed into a fresh store (0: skip).
    #[arg(long, default_value_t = 100_000)]
    pub replay_events: u64,
    /// Distinct actors.
    #[arg(long, default_value_t = 2_000)]
    pub actors: usize,
    /// Use this nats-server instead of starting one.
    #[arg(long)]
    pub nats_url: Option<String>,
    /// Serve from this process instead of a `dongtai-timeline serve` child (whose RSS is then
    /// reported on its own).
    #[arg(long)]
    pub in_process: bool,
    /// Folder with the release binaries (default: this binary's folder).
    #[arg(long)]
    pub bin_dir: Option<PathBuf>,
    /// Seed of the generated events.
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
}

/// The result, printed as one JSON line.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Report {
    /// Live events in the timeline the queries ran on.
    pub events: u64,
    /// Upserts per second while loading (this run's part of the load).
    pub load_per_s: f64,
    /// Bytes of the timeline's folder on disk after loading, and per live event.
    pub disk_bytes: u64,
    pub disk_bytes_per_event: f64,
    pub actor_p50_ms: f64,
    pub actor_p99_ms: f64,
    pub actor_max_ms: f64,
    pub target_p50_ms: f64,
    pub target_p99_ms: f64,
    pub target_max_ms: f64,
    pub requests: usize,
    /// Answers other than 200, and failed requests.
    pub errors: u64,
    pub rps: f64,
    /// Events replayed by `rebuild::replay_into` and its rate.
    pub replay_events: u64,
    pub replay_per_s: f64,
    /// Bytes per event of the store the replay built (a rebuild writes in bulk, sorted).
    pub replay_disk_bytes_per_event: f64,
    /// Raw JetStream publish rate of the events before the replay (256 acks in flight).
    pub publish_per_s: f64,
    /// Peak RSS (VmHWM), MB: the timeline child, or this process when in process.
    pub rss_mb: BTreeMap<String, f64>,
    pub mode: &'static str,
}

/// Run the benchmark.
pub async fn run(args: QueryArgs) -> anyhow::Result<Report> {
    let nats = Nats::start_or_use(args.nats_url.clone());
    let client = crate::connect(nats.url()).await?;
    let js = async_nats::jetstream::new(client.clone());
    dongtai_common::provision_streams(&js).await?;
    let temp = tempfile::tempdir().context("cannot create a temp dir")?;
    let data = args
        .data_dir
        .clone()
        .unwrap_or_else(|| temp.path().join("timeline"));
    std::fs::create_dir_all(&data).with_context(|| format!("cannot create {}", data.display()))?;
    let population = Arc::new(Population::new(args.seed, args.actors));

    // Loading is set-up, not a measured figure: a large page cache keeps a million random-id
    // upserts from going to disk. The timeline that answers the queries runs with its default.
    let store = TimelineStore::open_with_cache(&data, LOAD_CACHE_MB)
        .with_context(|| format!("cannot open the timeline in {}", data.display()))?;
    let load_per_s = load(&store, &population, &args).await?;
    let events = store.event_count()?;
    let disk_bytes = dir_bytes(&data);

    let stop = CancellationToken::new();
    let mut rss_mb = BTreeMap::new();
    let (url, child) = if args.in_process {
        (
            serve_in_process(store.clone(), nats.url(), &data, stop.clone()).await?,
            None,
        )
    } else {
        // sled locks its folder: the child opens it only after this process let go.
        drop(store);
        let bin = match &args.bin_dir {
            Some(b) => b.clone(),
            None => services::this_binary_folder()?,
        };
        let (url, child) =
            services::spawn_service(&bin, "timeline", nats.url(), temp.path(), &data)?;
        (url, Some(child))
    };
    wait_ready(&url).await?;
    eprintln!(
        "querying {events} events at {} requests/s for {} s",
        args.rps, args.seconds
    );
    let (actor, target, errors) = query_load(&url, &population, &args).await;
    match child {
        Some(child) => {
            if let Some(s) = child.id().and_then(procstat::read) {
                rss_mb.insert("timeline".to_owned(), s.peak_rss_mb);
            }
            services::terminate("timeline", child).await;
        }
        None => {
            stop.cancel();
            if let Some(s) = procstat::read(std::process::id()) {
                rss_mb.insert("in_process".to_owned(), s.peak_rss_mb);
            }
        }
    }

    let (publish_per_s, replay_per_s, replay_disk) = if args.replay_events > 0 {
        replay(&js, &population, &args).await?
    } else {
        (0.0, 0.0, 0.0)
    };
    client.drain().await.ok();
    Ok(Report {
        events,
        load_per_s: round3(load_per_s),
        disk_bytes,
        disk_bytes_per_event: round3(disk_bytes as f64 / events.max(1) as f64),
        actor_p50_ms: actor.p50_ms,
        actor_p99_ms: actor.p99_ms,
        actor_max_ms: actor.max_ms,
        target_p50_ms: target.p50_ms,
        target_p99_ms: target.p99_ms,
        target_max_ms: target.max_ms,
        requests: actor.samples + target.samples,
        errors,
        rps: args.rps,
        replay_events: args.replay_events,
        replay_per_s: round3(replay_per_s),
        replay_disk_bytes_per_event: round3(replay_disk),
        publish_per_s: round3(publish_per_s),
        rss_mb,
        mode: if args.in_process {
            "in_process"
        } else {
            "processes"
        },
    })
}

/// Events upserted per flush while loading.
const LOAD_BATCH: u64 = 10_000;
/// sled page cache while loading, MiB.
const LOAD_CACHE_MB: u64 = 2048;

/// Upsert events `count..args.events` (what an earlier run did not load), batch by batch, until
/// done or `max_load_seconds`. Returns upserts per second (0 when there was nothing to do).
async fn load(
    store: &TimelineStore,
    population: &Arc<Population>,
    args: &QueryArgs,
) -> anyhow::Result<f64> {
    let have = store.event_count()?;
    if have >= args.events {
        return Ok(0.0);
    }
    eprintln!("loading events {have}..{} into the timeline", args.events);
    let started = Instant::now();
    let deadline = started + Duration::from_secs_f64(args.max_load_seconds);
    let mut next = have;
    while next < args.events && Instant::now() < deadline {
        let end = (next + LOAD_BATCH).min(args.events);
        let (s, p, seed) = (store.clone(), population.clone(), args.seed);
        tokio::task::spawn_blocking(move || -> anyhow::Result<()> {
            let batch = dongtai_timeline::consumer::BATCH as u64;
            for first in (next..end).step_by(batch as usize) {
                let changes = (first..(first + batch).min(end))
                    .map(|i| (Change::Upsert(Box::new(p.event(seed, i))), i + 1))
                    .collect();
                s.apply_batch(changes)?;
            }
            Ok(())
        })
        .await??;
        store.flush().await?;
        next = end;
        if next % 100_000 == 0 {
            eprintln!(
                "  {next} events, {:.0}/s",
                (next - have) as f64 / started.elapsed().as_secs_f64()
            );
        }
    }
    Ok((next - have) as f64 / started.elapsed().as_secs_f64())
}

/// The timeline router over `store`, served from this process.
async fn serve_in_process(
    store: TimelineStore,
    nats_url: &str,
    data: &Path,
    stop: CancellationToken,
) -> anyhow::Result<String> {
    let config = dongtai_timeline::config::Config::for_tests(nats_url, data.to_path_buf());
    let client = crate::connect(nats_url).await?;
    let (feed, _) = tokio::sync::broadcast::channel(16);
    let state = dongtai_timeline::routes::AppState::new(config, store, client, feed);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .context("cannot bind")?;
    let url = format!(
        "http://{}",
        listener.local_addr().context("no local address")?
    );
    let app = dongtai_timeline::routes::router(state);
    tokio::spawn(async move {
        axum::serve(listener, app)
            .with_graceful_shutdown(stop.cancelled_owned())
            .await
    });
    Ok(url)
}

/// Latencies of actor queries, of target queries, and the failures.
type Samples = (Vec<Duration>, Vec<Duration>, u64);

/// Open-loop load at `args.rps`, alternating actor+date-range and target queries.
async fn query_load(
    url: &str,
    population: &Arc<Population>,
    args: &QueryArgs,
) -> (Latency, Latency, u64) {
    let http = reqwest::Client::new();
    let samples: Arc<Mutex<Samples>> = Arc::default();
    let mut rng = SplitMix64::new(args.seed ^ 0x5EED);
    let mut tick = tokio::time::interval(Duration::from_secs_f64(1.0 / args.rps.max(0.001)));
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Burst);
    let end = Instant::now() + Duration::from_secs_f64(args.seconds);
    let mut tasks = tokio::task::JoinSet::new();
    let mut n = 0u64;
    while Instant::now() < end {
        tick.tick().await;
        let by_actor = n.is_multiple_of(2);
        n += 1;
        let path = if by_actor {
            let actor = &population.actors[rng.below(population.actors.len())];
            let from = population.first_day + Days::new(rng.below((DAYS - 365) as usize) as u64);
            let to = from + Days::new(365);
            format!(
                "/v1/events?actor={}&from={from}&to={to}&limit=50",
                encode(actor)
            )
        } else {
            let target = &population.targets[rng.below(population.targets.len())];
            format!("/v1/events?target={}&limit=50", encode(target))
        };
        let (http, samples, full) = (http.clone(), samples.clone(), format!("{url}{path}"));
        tasks.spawn(async move {
            let at = Instant::now();
            let ok = match http.get(&full).send().await {
                Ok(r) if r.status().is_success() => r.bytes().await.is_ok(),
                _ => false,
            };
            let took = at.elapsed();
            if let Ok(mut s) = samples.lock() {
                match (ok, by_actor) {
                    (false, _) => s.2 += 1,
                    (true, true) => s.0.push(took),
                    (true, false) => s.1.push(took),
                }
            }
        });
    }
    while tasks.join_next().await.is_some() {}
    let (actor, target, errors) = samples
        .lock()
        .map(|mut s| std::mem::take(&mut *s))
        .unwrap_or_default();
    (Latency::of(actor), Latency::of(target), errors)
}

/// Bytes of every file under `dir`.
fn dir_bytes(dir: &Path) -> u64 {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return 0;
    };
    entries
        .filter_map(Result::ok)
        .map(|e| match e.metadata() {
            Ok(m) if m.is_dir() => dir_bytes(&e.path()),
            Ok(m) => m.len(),
            Err(_) => 0,
        })
        .sum()
}

/// Percent-encode a query parameter value (everything but unreserved ASCII).
fn encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len() * 3);
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || b"-_.~".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// Publish `replay_events` events onto EVENTS, then time `rebuild::replay_into` of the whole
/// stream into a fresh store. Returns (publish/s, replayed messages/s, bytes per event of the
/// store it built).
async fn replay(
    js: &async_nats::jetstream::Context,
    population: &Arc<Population>,
    args: &QueryArgs,
) -> anyhow::Result<(f64, f64, f64)> {
    eprintln!("publishing {} events onto EVENTS", args.replay_events);
    let started = Instant::now();
    let seed = args.seed ^ 0xE7E7;
    let published = jetstream::publish_windowed(js, args.replay_events, None, 256, |i| {
        let e = population.event(seed, i);
        let payload = serde_json::to_vec(&e).map(Bytes::from).unwrap_or_default();
        (
            dongtai_proto::subjects::event(e.kind),
            e.id.as_str().to_owned(),
            payload,
        )
    })
    .await?;
    let publish_per_s = published as f64 / started.elapsed().as_secs_f64();
    let messages = dongtai_common::nats::open_stream(js, dongtai_proto::streams::EVENTS)
        .await?
        .1
        .messages;
    let fresh = tempfile::tempdir().context("cannot create a temp dir")?;
    let store = TimelineStore::open(fresh.path())?;
    eprintln!("replaying {messages} messages into a fresh timeline");
    let started = Instant::now();
    let report = dongtai_timeline::rebuild::replay_into(js, &store).await?;
    let secs = started.elapsed().as_secs_f64();
    eprintln!("{report}");
    let disk = dir_bytes(fresh.path()) as f64 / store.event_count()?.max(1) as f64;
    Ok((publish_per_s, messages as f64 / secs, disk))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn query_values_are_percent_encoded() {
        assert_eq!(encode("曹a 1"), "%E6%9B%B9a%201");
    }
}
