//! Per-source health: counters for /metrics, the last success and the last error for
//! /v1/sources, so an operator sees which feed is failing and why.

use chrono::{DateTime, Utc};
use dongtai_common::Metrics;
use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use serde::Serialize;
use std::collections::BTreeMap;
use std::sync::Mutex;

/// One source's health.
#[derive(Debug, Clone, Default, Serialize, PartialEq)]
pub struct SourceHealth {
    /// The feed's URL.
    pub feed: String,
    /// Polls answered with a feed that was parsed.
    pub polls_parsed: u64,
    /// Polls answered 304 Not Modified (nothing parsed).
    pub polls_not_modified: u64,
    /// Polls that failed (no answer, an error status, not a feed).
    pub polls_failed: u64,
    /// Items the feed listed that were new.
    pub items_new: u64,
    /// Page fetches that gave articles.
    pub pages_ingested: u64,
    /// Page fetches that failed for a passing reason (retried later).
    pub pages_retried: u64,
    /// Pages given up.
    pub pages_given_up: u64,
    /// Articles JetStream stored.
    pub articles_published: u64,
    /// Articles it already had.
    pub articles_duplicate: u64,
    /// Pages waiting for a retry now.
    pub pending_retries: u64,
    /// Whether the last poll succeeded (parsed or not modified).
    pub up: bool,
    /// When a poll last succeeded.
    pub last_success: Option<DateTime<Utc>>,
    /// The last error, feed or page.
    pub last_error: Option<String>,
}

/// Every source's health.
#[derive(Debug, Default)]
pub struct Health {
    sources: Mutex<BTreeMap<String, SourceHealth>>,
}

impl Health {
    /// Change one source's health.
    pub fn update(&self, source: &str, f: impl FnOnce(&mut SourceHealth)) {
        let mut map = self
            .sources
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        f(map.entry(source.to_owned()).or_default());
    }

    /// A copy of every source's health.
    pub fn snapshot(&self) -> BTreeMap<String, SourceHealth> {
        self.sources
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .clone()
    }
}

/// Labels of a per-source series split by result.
#[derive(Debug, Clone, Hash, PartialEq, Eq, EncodeLabelSet)]
struct ByResult {
    result: &'static str,
    source: String,
}

/// Labels of a per-source series.
#[derive(Debug, Clone, Hash, PartialEq, Eq, EncodeLabelSet)]
struct BySource {
    source: String,
}

/// A counter family, a result, and where [`SourceHealth`] keeps its count.
type ByResultCounter<'a> = (
    &'a Family<ByResult, Counter>,
    &'static str,
    fn(&SourceHealth) -> u64,
);

/// The watch's series on `/metrics`, one per source, set from [`Health`] at each scrape.
#[derive(Clone)]
pub struct Series {
    polls: Family<ByResult, Counter>,
    items_new: Family<BySource, Counter>,
    pages: Family<ByResult, Counter>,
    articles: Family<ByResult, Counter>,
    pending_retries: Family<BySource, Gauge>,
    up: Family<BySource, Gauge>,
    last_success: Family<BySource, Gauge>,
}

impl Series {
    /// Register the series in `metrics`.
    pub fn register(metrics: &Metrics) -> Self {
        Self {
            polls: metrics.register(
                "dongtai_watch_polls",
                "Feed polls by result",
                Family::default(),
            ),
            items_new: metrics.register(
                "dongtai_watch_items_new",
                "New items listed by the feed",
                Family::default(),
            ),
            pages: metrics.register(
                "dongtai_watch_pages",
                "Article pages fetched, by result",
                Family::default(),
            ),
            articles: metrics.register(
                "dongtai_watch_articles",
                "Articles from pages, by result",
                Family::default(),
            ),
            pending_retries: metrics.register(
                "dongtai_watch_pending_retries",
                "Pages waiting for a retry",
                Family::default(),
            ),
            up: metrics.register(
                "dongtai_watch_source_up",
                "1 when the last poll of the feed succeeded",
                Family::default(),
            ),
            last_success: metrics.register(
                "dongtai_watch_last_success_timestamp_seconds",
                "When a poll of the feed last succeeded",
                Family::default(),
            ),
        }
    }

    /// Set every series from `health` (the counters live in [`SourceHealth`], which
    /// `/v1/sources` shows too; these are their copies for Prometheus).
    pub fn refresh(&self, health: &Health) {
        let counters: [ByResultCounter<'_>; 8] = [
            (&self.polls, "parsed", |h| h.polls_parsed),
            (&self.polls, "not_modified", |h| h.polls_not_modified),
            (&self.polls, "failed", |h| h.polls_failed),
            (&self.pages, "ingested", |h| h.pages_ingested),
            (&self.pages, "retried", |h| h.pages_retried),
            (&self.pages, "given_up", |h| h.pages_given_up),
            (&self.articles, "published", |h| h.articles_published),
            (&self.articles, "duplicate", |h| h.articles_duplicate),
        ];
        for (source, h) in health.snapshot() {
            for (family, result, get) in &counters {
                let labels = ByResult {
                    result,
                    source: source.clone(),
                };
                set_counter(&family.get_or_create(&labels), get(&h));
            }
            let labels = BySource { source };
            set_counter(&self.items_new.get_or_create(&labels), h.items_new);
            self.pending_retries
                .get_or_create(&labels)
                .set(i64::try_from(h.pending_retries).unwrap_or(i64::MAX));
            self.up.get_or_create(&labels).set(i64::from(h.up));
            if let Some(t) = h.last_success {
                self.last_success.get_or_create(&labels).set(t.timestamp());
            }
        }
    }
}

/// Bring a counter up to `value` (the counts only grow; a counter never goes down).
fn set_counter(counter: &Counter, value: u64) {
    counter.inc_by(value.saturating_sub(counter.get()));
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn every_source_has_its_own_series() {
        let h = Health::default();
        h.update("qingshi", |s| {
            s.polls_parsed = 2;
            s.up = true;
        });
        h.update("beipu", |s| s.polls_failed = 1);
        let metrics = Metrics::new("dongtai-test");
        let series = Series::register(&metrics);
        series.refresh(&h);
        h.update("qingshi", |s| s.polls_parsed = 3);
        series.refresh(&h);
        let text = metrics.encode();
        assert!(
            text.contains("dongtai_watch_polls_total{result=\"parsed\",source=\"qingshi\"} 3"),
            "{text}"
        );
        assert!(
            text.contains("dongtai_watch_polls_total{result=\"failed\",source=\"beipu\"} 1"),
            "{text}"
        );
        assert!(
            text.contains("dongtai_watch_source_up{source=\"beipu\"} 0"),
            "{text}"
        );
        assert_eq!(text.matches("# TYPE dongtai_watch_polls ").count(), 1);
        dongtai_common::metrics::check_exposition(&text).unwrap();
    }
}
