//! Per-source health: counters for /metrics, the last success and the last error for
//! /v1/sources, so an operator sees which feed is failing and why.

use chrono::{DateTime, Utc};
use serde::Serialize;
use std::collections::BTreeMap;
use std::fmt::Write as _;
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

    /// The Prometheus text exposition, one series per source.
    pub fn render(&self) -> String {
        let snap = self.snapshot();
        let mut out = String::new();
        type Get = fn(&SourceHealth) -> u64;
        let series: [(&str, &str, &str, Get); 11] = [
            (
                "dongtai_watch_polls_total{result=\"parsed\",",
                "counter",
                "Feed polls by result",
                |h| h.polls_parsed,
            ),
            (
                "dongtai_watch_polls_total{result=\"not_modified\",",
                "",
                "",
                |h| h.polls_not_modified,
            ),
            (
                "dongtai_watch_polls_total{result=\"failed\",",
                "",
                "",
                |h| h.polls_failed,
            ),
            (
                "dongtai_watch_items_new_total{",
                "counter",
                "New items listed by the feed",
                |h| h.items_new,
            ),
            (
                "dongtai_watch_pages_total{result=\"ingested\",",
                "counter",
                "Article pages fetched, by result",
                |h| h.pages_ingested,
            ),
            (
                "dongtai_watch_pages_total{result=\"retried\",",
                "",
                "",
                |h| h.pages_retried,
            ),
            (
                "dongtai_watch_pages_total{result=\"given_up\",",
                "",
                "",
                |h| h.pages_given_up,
            ),
            (
                "dongtai_watch_articles_total{result=\"published\",",
                "counter",
                "Articles from pages, by result",
                |h| h.articles_published,
            ),
            (
                "dongtai_watch_articles_total{result=\"duplicate\",",
                "",
                "",
                |h| h.articles_duplicate,
            ),
            (
                "dongtai_watch_pending_retries{",
                "gauge",
                "Pages waiting for a retry",
                |h| h.pending_retries,
            ),
            (
                "dongtai_watch_source_up{",
                "gauge",
                "1 when the last poll of the feed succeeded",
                |h| u64::from(h.up),
            ),
        ];
        for (prefix, kind, help, get) in series {
            let name = &prefix[..prefix.find('{').unwrap_or(prefix.len())];
            if !kind.is_empty() {
                let _ = writeln!(out, "# HELP {name} {help}\n# TYPE {name} {kind}");
            }
            for (source, h) in &snap {
                let _ = writeln!(out, "{prefix}source=\"{}\"}} {}", escape(source), get(h));
            }
        }
        let name = "dongtai_watch_last_success_timestamp_seconds";
        let _ = writeln!(
            out,
            "# HELP {name} When a poll of the feed last succeeded\n# TYPE {name} gauge"
        );
        for (source, h) in &snap {
            if let Some(t) = h.last_success {
                let _ = writeln!(
                    out,
                    "{name}{{source=\"{}\"}} {}",
                    escape(source),
                    t.timestamp()
                );
            }
        }
        out
    }
}

fn escape(label: &str) -> String {
    label
        .replace('\\', "\\\\")
        .replace('"', "\\\"")
        .replace('\n', "\\n")
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
        let text = h.render();
        assert!(
            text.contains("dongtai_watch_polls_total{result=\"parsed\",source=\"qingshi\"} 2"),
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
        assert_eq!(text.matches("# TYPE dongtai_watch_polls_total").count(), 1);
    }
}
