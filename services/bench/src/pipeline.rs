//! `dongtai-bench pipeline`: generated articles through HTTP ingest → extract → timeline, against
//! the raw JetStream publish rate of the same run.
//!
//! Latency is measured from the moment a request is sent to ingest to the moment the timeline's
//! SSE feed (`/v1/feed`) announces an event of that article: the feed sends an event only after
//! sled flushed it and the consumer acked it, so that is when the event is queryable. Every
//! article is sampled, not a subset, and no query load is added to the system under test.

use crate::services::{Mode, Services};
use crate::stats::{Latency, round3};
use crate::{Nats, jetstream, procstat};
use anyhow::Context as _;
use bytes::Bytes;
use dongtai_proto::streams;
use std::collections::{BTreeMap, HashMap};
use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use tokio_util::sync::CancellationToken;

/// Arguments of `dongtai-bench pipeline`.
#[derive(Debug, Clone, clap::Args)]
pub struct PipelineArgs {
    /// Seconds of load.
    #[arg(long, default_value_t = 10.0)]
    pub seconds: f64,
    /// Articles per second; flat out (with --concurrency requests in flight) when absent.
    #[arg(long)]
    pub rate: Option<f64>,
    /// Use this nats-server instead of starting one.
    #[arg(long)]
    pub nats_url: Option<String>,
    /// Run the services as tasks in this process instead of child processes.
    #[arg(long)]
    pub in_process: bool,
    /// A tiny run (about 3 s, in process unless --bin-dir is given) for CI.
    #[arg(long)]
    pub smoke: bool,
    /// Folder with the release binaries of the services (default: this binary's folder).
    #[arg(long)]
    pub bin_dir: Option<PathBuf>,
    /// Requests in flight when sending flat out.
    #[arg(long, default_value_t = 64)]
    pub concurrency: usize,
    /// Seed of the generated articles.
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// Seconds spent measuring the JetStream ceiling (default: the load's, at most 10).
    #[arg(long)]
    pub ceiling_seconds: Option<f64>,
}

/// The result, printed as one JSON line.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Report {
    /// Articles processed per second of the whole run (load plus the drain until the last
    /// accepted article went through extract and timeline). When the drain timed out, only
    /// the articles extract had consumed count (see `drain_timed_out`).
    pub articles_per_s: f64,
    /// Events stored in the timeline per second of the same span.
    pub events_per_s: f64,
    /// Raw JetStream publish of the same payloads, same client settings, 256 acks in flight.
    pub ceiling_per_s: f64,
    /// `articles_per_s / ceiling_per_s`.
    pub ratio: f64,
    /// Ingest request sent → first event of the article announced by the timeline feed.
    pub p50_ms: f64,
    pub p99_ms: f64,
    pub max_ms: f64,
    /// Peak RSS (VmHWM) per process, MB.
    pub rss_mb: BTreeMap<String, f64>,
    /// CPU seconds (user + system) per process over the whole run.
    pub cpu_s: BTreeMap<String, f64>,
    /// Rate ingest answered 202 at, during the load only.
    pub ingest_per_s: f64,
    /// Articles ingest accepted.
    pub articles: u64,
    /// Articles extract consumed by the end of the drain (all of them unless it timed out).
    pub articles_processed: u64,
    pub events: u64,
    pub latency_samples: usize,
    /// Requests that did not get a 202.
    pub errors: u64,
    /// Seconds from the end of the load until extract and timeline had no backlog.
    pub drain_s: f64,
    /// True when the drain gave up with a backlog left: the rates then cover only what was
    /// processed, and the run measured a pipeline that could not keep up.
    pub drain_timed_out: bool,
    /// Articles extract, and events the timeline, had not yet consumed when the drain ended.
    pub articles_in_flight: u64,
    pub events_in_flight: u64,
    pub seconds: f64,
    pub rate: Option<f64>,
    pub mode: &'static str,
}

/// Run the benchmark.
pub async fn run(mut args: PipelineArgs) -> anyhow::Result<Report> {
    if args.smoke {
        args.seconds = args.seconds.min(2.0);
        args.rate = Some(args.rate.unwrap_or(50.0));
        args.ceiling_seconds = Some(args.ceiling_seconds.unwrap_or(0.5));
        args.in_process |= args.bin_dir.is_none();
    }
    let mode = if args.in_process {
        Mode::InProcess
    } else {
        let bin = match &args.bin_dir {
            Some(b) => b.clone(),
            None => crate::services::this_binary_folder()?,
        };
        Mode::Processes(bin)
    };
    let nats = Nats::start_or_use(args.nats_url.clone());
    let client = crate::connect(nats.url()).await?;
    let js = async_nats::jetstream::new(client.clone());

    let payloads: Vec<Bytes> = dongtai_corpus::generate(args.seed ^ 0xC0FFEE, 1_000)
        .iter()
        .map(|a| serde_json::to_vec(a).map(Bytes::from))
        .collect::<Result<_, _>>()?;
    let ceiling_seconds = args.ceiling_seconds.unwrap_or(args.seconds.min(10.0));
    eprintln!("measuring the JetStream ceiling for {ceiling_seconds} s");
    let ceiling = jetstream::ceiling(&client, &payloads, ceiling_seconds).await?;
    eprintln!("ceiling: {ceiling:.0} msg/s; starting the services ({mode:?})");

    let services = Services::start(&mode, nats.url()).await?;
    let http = reqwest::Client::builder()
        .pool_max_idle_per_host(args.concurrency.max(64))
        .build()
        .context("cannot build the HTTP client")?;
    let events_before = stored_events(&http, &services.timeline_url).await?;
    let seen = Arc::new(Mutex::new(Vec::<(String, Instant)>::new()));
    let stop_feed = CancellationToken::new();
    let feed = tokio::spawn(read_feed(
        http.clone(),
        services.timeline_url.clone(),
        seen.clone(),
        stop_feed.clone(),
    ));

    eprintln!(
        "pushing articles for {} s at {}",
        args.seconds,
        args.rate
            .map_or("full speed".to_owned(), |r| format!("{r}/s"))
    );
    let started = Instant::now();
    let load = Load::new(&args, http.clone(), services.ingest_url.clone());
    let (sent, errors) = load
        .run(started + Duration::from_secs_f64(args.seconds))
        .await;
    let load_secs = started.elapsed().as_secs_f64();
    let articles = sent.len() as u64;

    let drain_started = Instant::now();
    let drain_limit = if args.smoke { 30 } else { 120 };
    let drain = wait_drained(&js, Duration::from_secs(drain_limit)).await?;
    let total_secs = started.elapsed().as_secs_f64();
    let drain_s = drain_started.elapsed().as_secs_f64();
    let events = stored_events(&http, &services.timeline_url)
        .await?
        .saturating_sub(events_before);
    // The feed announces after the ack; give the last announcements a moment to arrive.
    tokio::time::sleep(Duration::from_millis(200)).await;
    stop_feed.cancel();
    let _ = feed.await;

    let mut rss_mb = BTreeMap::new();
    let mut cpu_s = BTreeMap::new();
    let mut pids = services.pids();
    if pids.is_empty() {
        pids.push(("in_process", std::process::id()));
    }
    if let Some(pid) = nats.pid() {
        pids.push(("nats-server", pid));
    }
    for (name, pid) in pids {
        if let Some(s) = procstat::read(pid) {
            rss_mb.insert(name.to_owned(), s.peak_rss_mb);
            cpu_s.insert(name.to_owned(), s.cpu_s);
        }
    }
    services.stop().await?;
    client.drain().await.ok();

    let latency = {
        let first_seen = first_by_article(seen.lock().map(|v| v.clone()).unwrap_or_default());
        Latency::of(
            sent.iter()
                .filter_map(|(id, at)| Some(first_seen.get(id)?.saturating_duration_since(*at)))
                .collect(),
        )
    };
    let articles_processed = drain.processed(articles);
    let articles_per_s = articles_processed as f64 / total_secs;
    Ok(Report {
        articles_per_s: round3(articles_per_s),
        events_per_s: round3(events as f64 / total_secs),
        ceiling_per_s: round3(ceiling),
        ratio: round3(articles_per_s / ceiling.max(1e-9)),
        p50_ms: latency.p50_ms,
        p99_ms: latency.p99_ms,
        max_ms: latency.max_ms,
        rss_mb,
        cpu_s,
        ingest_per_s: round3(articles as f64 / load_secs),
        articles,
        articles_processed,
        events,
        latency_samples: latency.samples,
        errors,
        drain_s: round3(drain_s),
        drain_timed_out: drain.timed_out(),
        articles_in_flight: drain.articles,
        events_in_flight: drain.events,
        seconds: args.seconds,
        rate: args.rate,
        mode: if args.in_process {
            "in_process"
        } else {
            "processes"
        },
    })
}

/// The earliest announcement of each article.
fn first_by_article(seen: Vec<(String, Instant)>) -> HashMap<String, Instant> {
    let mut first = HashMap::with_capacity(seen.len());
    for (id, at) in seen {
        first.entry(id).or_insert(at);
    }
    first
}

/// The sender: generated articles, fixed rate or flat out.
struct Load {
    http: reqwest::Client,
    url: String,
    seed: u64,
    rate: Option<f64>,
    concurrency: usize,
    next: Arc<AtomicU64>,
    sent: Arc<Mutex<Vec<(String, Instant)>>>,
    errors: Arc<AtomicU64>,
}

impl Load {
    fn new(args: &PipelineArgs, http: reqwest::Client, ingest_url: String) -> Arc<Self> {
        Arc::new(Load {
            http,
            url: format!("{ingest_url}/v1/articles"),
            seed: args.seed,
            rate: args.rate,
            concurrency: args.concurrency.max(1),
            next: Arc::new(AtomicU64::new(0)),
            sent: Arc::new(Mutex::new(Vec::new())),
            errors: Arc::new(AtomicU64::new(0)),
        })
    }

    /// Send until `end`; returns `(article id, send instant)` of every accepted article and the
    /// number of requests that failed.
    async fn run(self: Arc<Self>, end: Instant) -> (Vec<(String, Instant)>, u64) {
        let mut tasks = tokio::task::JoinSet::new();
        match self.rate {
            None => {
                for _ in 0..self.concurrency {
                    let me = self.clone();
                    tasks.spawn(async move {
                        while Instant::now() < end {
                            me.send_one().await;
                        }
                    });
                }
            }
            Some(rate) => {
                let period = Duration::from_secs_f64(1.0 / rate.max(0.001));
                let mut tick = tokio::time::interval(period);
                tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Burst);
                // Bounded: a stalled ingest must not make the sender pile up tasks forever.
                let permits = Arc::new(tokio::sync::Semaphore::new(4_096));
                while Instant::now() < end {
                    tick.tick().await;
                    let Ok(permit) = permits.clone().acquire_owned().await else {
                        break;
                    };
                    let me = self.clone();
                    tasks.spawn(async move {
                        me.send_one().await;
                        drop(permit);
                    });
                }
            }
        }
        while tasks.join_next().await.is_some() {}
        let sent = self
            .sent
            .lock()
            .map(|mut v| std::mem::take(&mut *v))
            .unwrap_or_default();
        (sent, self.errors.load(Ordering::Relaxed))
    }

    async fn send_one(&self) {
        let i = self.next.fetch_add(1, Ordering::Relaxed);
        let article = dongtai_corpus::article(self.seed, i);
        let Ok(body) = serde_json::to_vec(&article) else {
            self.errors.fetch_add(1, Ordering::Relaxed);
            return;
        };
        let at = Instant::now();
        let response = self
            .http
            .post(&self.url)
            .header("content-type", "application/json")
            .body(body)
            .send()
            .await;
        let accepted = match response {
            Ok(r) if r.status() == reqwest::StatusCode::ACCEPTED => {
                r.json::<serde_json::Value>().await.ok()
            }
            _ => None,
        };
        let ids: Vec<String> = accepted
            .as_ref()
            .and_then(|v| v["articles"].as_array())
            .map(|a| {
                a.iter()
                    .filter_map(|x| x["id"].as_str().map(str::to_owned))
                    .collect()
            })
            .unwrap_or_default();
        if ids.is_empty() {
            self.errors.fetch_add(1, Ordering::Relaxed);
            return;
        }
        if let Ok(mut sent) = self.sent.lock() {
            sent.extend(ids.into_iter().map(|id| (id, at)));
        }
    }
}

/// `events` of the timeline's `/v1/stats`.
async fn stored_events(http: &reqwest::Client, timeline: &str) -> anyhow::Result<u64> {
    let v: serde_json::Value = http
        .get(format!("{timeline}/v1/stats"))
        .send()
        .await
        .context("timeline /v1/stats failed")?
        .json()
        .await
        .context("timeline /v1/stats is not JSON")?;
    v["events"]
        .as_u64()
        .context("timeline /v1/stats has no events count")
}

/// What was still in flight when the drain ended.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
struct Drain {
    /// Articles not yet consumed and acked by extract.
    articles: u64,
    /// Events not yet consumed and acked by the timeline.
    events: u64,
}

impl Drain {
    /// A backlog was left: the drain hit its limit.
    fn timed_out(self) -> bool {
        self.articles > 0 || self.events > 0
    }

    /// Of `accepted` articles, those extract consumed (an article still in its backlog was
    /// never processed, and counting it would report a rate the pipeline did not reach).
    fn processed(self, accepted: u64) -> u64 {
        accepted.saturating_sub(self.articles)
    }
}

/// Wait until extract and the timeline have consumed and acked everything, or `limit`;
/// returns what was left.
async fn wait_drained(
    js: &async_nats::jetstream::Context,
    limit: Duration,
) -> anyhow::Result<Drain> {
    let deadline = Instant::now() + limit;
    let timeline = streams::timeline_consumer("main");
    loop {
        let drain = Drain {
            articles: jetstream::backlog(js, streams::ARTICLES, streams::EXTRACT_CONSUMER).await?,
            events: jetstream::backlog(js, streams::EVENTS, &timeline).await?,
        };
        if !drain.timed_out() {
            return Ok(drain);
        }
        if Instant::now() >= deadline {
            eprintln!(
                "DRAIN TIMED OUT after {limit:?}: {} articles and {} events still in flight; \
                 the rates count only what was processed",
                drain.articles, drain.events
            );
            return Ok(drain);
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// Read the timeline's SSE feed, noting when each article's event was first announced.
async fn read_feed(
    http: reqwest::Client,
    timeline: String,
    seen: Arc<Mutex<Vec<(String, Instant)>>>,
    stop: CancellationToken,
) -> anyhow::Result<()> {
    let mut response = http
        .get(format!("{timeline}/v1/feed"))
        .send()
        .await
        .context("cannot open the timeline feed")?
        .error_for_status()
        .context("the timeline feed refused")?;
    let mut buf: Vec<u8> = Vec::new();
    loop {
        let chunk = tokio::select! {
            _ = stop.cancelled() => return Ok(()),
            c = response.chunk() => c.context("the timeline feed broke")?,
        };
        let Some(chunk) = chunk else { return Ok(()) };
        let now = Instant::now();
        buf.extend_from_slice(&chunk);
        while let Some(end) = buf.windows(2).position(|w| w == b"\n\n") {
            let frame: Vec<u8> = buf.drain(..end + 2).collect();
            if let Some(id) = article_of_frame(&frame)
                && let Ok(mut seen) = seen.lock()
            {
                seen.push((id, now));
            }
        }
    }
}

/// `source.article_id` of the event in one SSE frame (`data:` lines joined).
fn article_of_frame(frame: &[u8]) -> Option<String> {
    let text = std::str::from_utf8(frame).ok()?;
    let data: Vec<&str> = text
        .lines()
        .filter_map(|l| l.strip_prefix("data:"))
        .map(|d| d.strip_prefix(' ').unwrap_or(d))
        .collect();
    if data.is_empty() {
        return None;
    }
    let v: serde_json::Value = serde_json::from_str(&data.join("\n")).ok()?;
    v["source"]["article_id"].as_str().map(str::to_owned)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_feed_frame_names_its_article() {
        let frame = b"id: 7\ndata: {\"source\":{\"article_id\":\"abc\"}}\n\n";
        assert_eq!(article_of_frame(frame).as_deref(), Some("abc"));
        assert_eq!(article_of_frame(b":keep-alive\n\n"), None);
    }

    #[test]
    fn a_drain_that_timed_out_counts_only_the_articles_extract_consumed() {
        let left = Drain {
            articles: 300,
            events: 40,
        };
        assert!(left.timed_out());
        assert_eq!(left.processed(1_000), 700);
        let events_only = Drain {
            articles: 0,
            events: 5,
        };
        assert!(events_only.timed_out());
        assert_eq!(events_only.processed(1_000), 1_000);
        assert!(!Drain::default().timed_out());
        assert_eq!(Drain::default().processed(1_000), 1_000);
    }

    #[test]
    fn the_first_announcement_of_an_article_counts() {
        let t0 = Instant::now();
        let t1 = t0 + Duration::from_millis(5);
        let first = first_by_article(vec![("a".into(), t0), ("a".into(), t1)]);
        assert_eq!(first["a"], t0);
    }
}
