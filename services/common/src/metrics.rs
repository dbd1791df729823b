//! One Prometheus registry per service (prometheus-client: the Prometheus project's own crate,
//! OpenMetrics text with HELP and TYPE on every family). The series every service has are
//! registered here, under the same names in all three, so one dashboard reads them all:
//!
//! - `dongtai_build_info{service, version, git_sha}`
//! - `dongtai_http_request_duration_seconds{route, method, status}` (route is the template,
//!   `/v1/events/{id}`, never the path a client sent: bounded label values)
//! - `dongtai_stage_duration_seconds{stage}`: the time of each processing stage
//! - `dongtai_consumer_pending_messages{consumer}` and `dongtai_consumer_ack_pending_messages`:
//!   the lag of the service's durable consumer, read from JetStream at each scrape
//! - `dongtai_consumer_messages{consumer, outcome}`: what the consume loop did with messages
//!
//! A service registers its own counters with [`Metrics::register`].

use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::{Histogram, exponential_buckets};
use prometheus_client::metrics::info::Info;
use prometheus_client::registry::{Metric, Registry};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Instant;

/// The content type of [`Metrics::encode`]'s output.
pub const CONTENT_TYPE: &str = "application/openmetrics-text; version=1.0.0; charset=utf-8";

/// The git commit the binary was built from, when the build said (`DONGTAI_GIT_SHA`, set by
/// `deploy/up.sh`): running git from a build script would rebuild on every commit.
pub const GIT_SHA: &str = match option_env!("DONGTAI_GIT_SHA") {
    Some(sha) => sha,
    None => "unknown",
};

/// Labels of an HTTP request.
#[derive(Debug, Clone, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct HttpLabels {
    /// The route template that matched, or `unmatched`.
    pub route: String,
    /// The HTTP method.
    pub method: String,
    /// The status code answered.
    pub status: u16,
}

/// Labels of a processing stage.
#[derive(Debug, Clone, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct StageLabels {
    /// The stage (`extract`, `publish`, `apply`, `flush`, …).
    pub stage: &'static str,
}

/// Labels of a durable consumer.
#[derive(Debug, Clone, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct ConsumerLabels {
    /// The consumer's durable name.
    pub consumer: String,
}

/// Labels of a settled message.
#[derive(Debug, Clone, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct OutcomeLabels {
    /// The consumer's durable name.
    pub consumer: String,
    /// `done`, `retry` or `dead`.
    pub outcome: &'static str,
}

type Histograms<L> = Family<L, Histogram, fn() -> Histogram>;

fn latency() -> Histogram {
    // 0.5 ms to 16 s: a query answered from the cache to an extraction of a whole page.
    Histogram::new(exponential_buckets(0.0005, 2.0, 16))
}

/// The registry and the series every service shares. Cheap to clone.
#[derive(Clone)]
pub struct Metrics {
    registry: Arc<Mutex<Registry>>,
    /// HTTP latency by route template, method and status.
    pub http: Histograms<HttpLabels>,
    /// Latency of each processing stage.
    pub stages: Histograms<StageLabels>,
    /// Messages the durable consumer has not yet delivered.
    pub consumer_pending: Family<ConsumerLabels, Gauge>,
    /// Messages delivered and not yet acked.
    pub consumer_ack_pending: Family<ConsumerLabels, Gauge>,
    /// Messages settled by the consume loop, by outcome.
    pub consumed: Family<OutcomeLabels, Counter>,
}

impl Metrics {
    /// A registry for `service` (`dongtai-extract`) with the shared series registered.
    pub fn new(service: &str) -> Self {
        let mut registry = Registry::default();
        registry.register(
            "dongtai_build",
            "The service, its version and the git commit it was built from",
            Info::new(vec![
                ("service", service.to_owned()),
                ("version", env!("CARGO_PKG_VERSION").to_owned()),
                ("git_sha", GIT_SHA.to_owned()),
            ]),
        );
        let http: Histograms<HttpLabels> = Family::new_with_constructor(latency);
        registry.register(
            "dongtai_http_request_duration_seconds",
            "HTTP requests by route template, method and status, and how long they took",
            http.clone(),
        );
        let stages: Histograms<StageLabels> = Family::new_with_constructor(latency);
        registry.register(
            "dongtai_stage_duration_seconds",
            "How long each processing stage took",
            stages.clone(),
        );
        let consumer_pending = Family::<ConsumerLabels, Gauge>::default();
        registry.register(
            "dongtai_consumer_pending_messages",
            "Messages of the stream the durable consumer has not delivered yet (its lag), read at scrape time",
            consumer_pending.clone(),
        );
        let consumer_ack_pending = Family::<ConsumerLabels, Gauge>::default();
        registry.register(
            "dongtai_consumer_ack_pending_messages",
            "Messages delivered to the durable consumer and not acked yet, read at scrape time",
            consumer_ack_pending.clone(),
        );
        let consumed = Family::<OutcomeLabels, Counter>::default();
        registry.register(
            "dongtai_consumer_messages",
            "Messages the consume loop settled: done (acked), retry (naked) or dead (dead-lettered)",
            consumed.clone(),
        );
        Self {
            registry: Arc::new(Mutex::new(registry)),
            http,
            stages,
            consumer_pending,
            consumer_ack_pending,
            consumed,
        }
    }

    /// Register a service's own metric. A counter's name gets `_total` appended on output.
    pub fn register<M: Metric + Clone>(&self, name: &str, help: &str, metric: M) -> M {
        self.lock().register(name, help, metric.clone());
        metric
    }

    /// Register a counter (`name` without `_total`) and return it.
    pub fn counter(&self, name: &str, help: &str) -> Counter {
        self.register(name, help, Counter::default())
    }

    /// Register a gauge and return it.
    pub fn gauge(&self, name: &str, help: &str) -> Gauge {
        self.register(name, help, Gauge::default())
    }

    /// Record that `stage` took the time since `started`.
    pub fn observe_stage(&self, stage: &'static str, started: Instant) {
        self.stages
            .get_or_create(&StageLabels { stage })
            .observe(started.elapsed().as_secs_f64());
    }

    /// Run `f` and record its time as `stage`.
    pub async fn time<T>(&self, stage: &'static str, f: impl Future<Output = T>) -> T {
        let started = Instant::now();
        let out = f.await;
        self.observe_stage(stage, started);
        out
    }

    /// The OpenMetrics text of every series.
    pub fn encode(&self) -> String {
        let mut out = String::new();
        // Writing to a String cannot fail; a metric whose encoding fails is left out.
        let _ = prometheus_client::encoding::text::encode(&mut out, &self.lock());
        out
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Registry> {
        self.registry.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

/// Check an exposition the way a scraper would: every sample belongs to a family announced
/// with `# HELP` and `# TYPE` before it, and every sample value is a number. Used by tests
/// of every service; public so they can share it.
pub fn check_exposition(text: &str) -> Result<usize, String> {
    let mut help = std::collections::HashSet::new();
    let mut types = std::collections::HashMap::new();
    let mut samples = 0;
    for line in text.lines() {
        if let Some(rest) = line.strip_prefix("# HELP ") {
            help.insert(rest.split(' ').next().unwrap_or("").to_owned());
        } else if let Some(rest) = line.strip_prefix("# TYPE ") {
            let mut parts = rest.split(' ');
            let name = parts.next().unwrap_or("").to_owned();
            types.insert(name, parts.next().unwrap_or("").to_owned());
        } else if line == "# EOF" || line.is_empty() {
        } else if line.starts_with('#') {
            return Err(format!("unexpected comment line {line:?}"));
        } else {
            let name_end = line.find(['{', ' ']).unwrap_or(line.len());
            let name = &line[..name_end];
            let family = types
                .keys()
                .filter(|f| name.starts_with(f.as_str()))
                .max_by_key(|f| f.len())
                .ok_or_else(|| format!("sample {line:?} has no # TYPE before it"))?;
            let suffix = &name[family.len()..];
            if ![
                "", "_total", "_bucket", "_sum", "_count", "_info", "_created",
            ]
            .contains(&suffix)
            {
                return Err(format!(
                    "sample {line:?} does not belong to family {family}"
                ));
            }
            if !help.contains(family) {
                return Err(format!("family {family} has no # HELP"));
            }
            let value = line.rsplit(' ').next().unwrap_or("");
            value
                .parse::<f64>()
                .map_err(|_| format!("sample {line:?} has no numeric value"))?;
            samples += 1;
        }
    }
    Ok(samples)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn every_series_has_help_and_type() {
        let m = Metrics::new("dongtai-test");
        m.counter("dongtai_test_things", "Things").inc();
        m.observe_stage("extract", Instant::now());
        m.http
            .get_or_create(&HttpLabels {
                route: "/v1/events/{id}".into(),
                method: "GET".into(),
                status: 200,
            })
            .observe(0.01);
        let text = m.encode();
        check_exposition(&text).unwrap();
        assert!(text.contains("dongtai_test_things_total 1"), "{text}");
        assert!(text.contains("git_sha="), "{text}");
        assert!(
            text.contains("route=\"/v1/events/{id}\",method=\"GET\",status=\"200\""),
            "{text}"
        );
    }
}
