//! Counters exposed on `/metrics` in the Prometheus text format.

use std::fmt::Write as _;
use std::sync::atomic::{AtomicU64, Ordering};

/// The worker's counters.
#[derive(Debug, Default)]
pub struct Metrics {
    /// Articles extracted and acked.
    pub articles_done: AtomicU64,
    /// Events published (JetStream acknowledged).
    pub events_published: AtomicU64,
    /// Articles sent to the dead letters.
    pub articles_dead: AtomicU64,
    /// Articles naked for a later retry.
    pub articles_retried: AtomicU64,
}

impl Metrics {
    /// Add `n` to a counter.
    pub fn add(counter: &AtomicU64, n: u64) {
        counter.fetch_add(n, Ordering::Relaxed);
    }

    /// The Prometheus text exposition.
    pub fn render(&self) -> String {
        let mut out = String::new();
        for (name, v) in [
            ("dongtai_extract_articles_done_total", &self.articles_done),
            (
                "dongtai_extract_events_published_total",
                &self.events_published,
            ),
            ("dongtai_extract_articles_dead_total", &self.articles_dead),
            (
                "dongtai_extract_articles_retried_total",
                &self.articles_retried,
            ),
        ] {
            let _ = writeln!(
                out,
                "# TYPE {name} counter\n{name} {}",
                v.load(Ordering::Relaxed)
            );
        }
        out
    }
}
