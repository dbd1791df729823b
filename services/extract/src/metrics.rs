//! The worker's own counters, in the service's registry (see `dongtai_common::metrics` for the
//! series every service shares). Names end in `_total` on `/metrics`.

use dongtai_common::Metrics;
use prometheus_client::metrics::counter::Counter;

/// Stages timed in `dongtai_stage_duration_seconds`.
pub mod stage {
    /// Running the engine over one article (off the async threads).
    pub const EXTRACT: &str = "extract";
    /// Publishing an article's events until JetStream acknowledged them all.
    pub const PUBLISH: &str = "publish";
}

/// The worker's counters.
#[derive(Clone)]
pub struct ExtractMetrics {
    /// The registry they live in.
    pub registry: Metrics,
    /// Articles extracted and acked.
    pub articles_done: Counter,
    /// Events published (JetStream acknowledged).
    pub events_published: Counter,
    /// Articles sent to the dead letters.
    pub articles_dead: Counter,
    /// Articles naked for a later retry.
    pub articles_retried: Counter,
}

impl ExtractMetrics {
    /// Register the counters in `registry`.
    pub fn new(registry: Metrics) -> Self {
        Self {
            articles_done: registry.counter(
                "dongtai_extract_articles_done",
                "Articles extracted and acked",
            ),
            events_published: registry.counter(
                "dongtai_extract_events_published",
                "Events JetStream acknowledged",
            ),
            articles_dead: registry.counter(
                "dongtai_extract_articles_dead",
                "Articles sent to the dead letters",
            ),
            articles_retried: registry.counter(
                "dongtai_extract_articles_retried",
                "Deliveries of articles naked for a later retry",
            ),
            registry,
        }
    }
}
