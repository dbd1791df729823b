//! Counters exposed on `/metrics` in the Prometheus text format.

use std::fmt::Write as _;
use std::sync::atomic::{AtomicU64, Ordering};

/// Ingest's counters.
#[derive(Debug, Default)]
pub struct Metrics {
    /// Articles JetStream stored.
    pub articles_published: AtomicU64,
    /// Articles JetStream already had (same id inside its duplicate window).
    pub articles_duplicate: AtomicU64,
    /// Requests refused with a 4xx.
    pub requests_rejected: AtomicU64,
    /// Requests answered 503 because NATS did not take the articles.
    pub publish_failures: AtomicU64,
}

impl Metrics {
    /// Add one to a counter.
    pub fn inc(counter: &AtomicU64) {
        counter.fetch_add(1, Ordering::Relaxed);
    }

    /// The Prometheus text exposition.
    pub fn render(&self) -> String {
        let mut out = String::new();
        for (name, help, v) in [
            (
                "dongtai_ingest_articles_published_total",
                "Articles stored",
                &self.articles_published,
            ),
            (
                "dongtai_ingest_articles_duplicate_total",
                "Duplicate articles",
                &self.articles_duplicate,
            ),
            (
                "dongtai_ingest_requests_rejected_total",
                "Requests refused (4xx)",
                &self.requests_rejected,
            ),
            (
                "dongtai_ingest_publish_failures_total",
                "Requests answered 503",
                &self.publish_failures,
            ),
        ] {
            let _ = writeln!(
                out,
                "# HELP {name} {help}\n# TYPE {name} counter\n{name} {}",
                v.load(Ordering::Relaxed)
            );
        }
        out
    }
}
