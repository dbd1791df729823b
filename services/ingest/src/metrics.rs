//! Ingest's own counters, in the service's registry (see `dongtai_common::metrics` for the
//! series every service shares). Names end in `_total` on `/metrics`.

use dongtai_common::Metrics;
use prometheus_client::metrics::counter::Counter;

/// Stages timed in `dongtai_stage_duration_seconds`.
pub mod stage {
    /// Publishing a request's articles until JetStream acknowledged them all.
    pub const PUBLISH: &str = "publish";
}

/// Ingest's counters.
#[derive(Clone)]
pub struct IngestMetrics {
    /// The registry they live in.
    pub registry: Metrics,
    /// Articles JetStream stored.
    pub articles_published: Counter,
    /// Articles JetStream already had (same id inside its duplicate window).
    pub articles_duplicate: Counter,
    /// Requests refused with a 4xx.
    pub requests_rejected: Counter,
    /// Requests answered 503 because NATS did not take the articles.
    pub publish_failures: Counter,
}

impl IngestMetrics {
    /// Register the counters in `registry`.
    pub fn new(registry: Metrics) -> Self {
        Self {
            articles_published: registry
                .counter("dongtai_ingest_articles_published", "Articles stored"),
            articles_duplicate: registry.counter(
                "dongtai_ingest_articles_duplicate",
                "Articles JetStream already had (same id inside its duplicate window)",
            ),
            requests_rejected: registry.counter(
                "dongtai_ingest_requests_rejected",
                "Requests to POST /v1/articles refused with a 4xx",
            ),
            publish_failures: registry.counter(
                "dongtai_ingest_publish_failures",
                "Requests answered 503 because NATS did not take the articles",
            ),
            registry,
        }
    }
}
