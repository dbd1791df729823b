//! Handling one article: extract off the async threads, publish every event durably, and say
//! what the loop should do with the message. No acking here.

use crate::metrics::{ExtractMetrics, stage};
use async_nats::jetstream;
use dongtai_common::Outcome;
use dongtai_engine::DocMeta;
use dongtai_proto::{ActivityEvent, Article, Source, subjects};
use std::time::Duration;

/// Extracts and publishes; shared by the concurrent tasks of one worker.
pub struct Handler {
    js: jetstream::Context,
    test_panic_marker: Option<String>,
    /// The worker's counters.
    pub metrics: ExtractMetrics,
}

impl Handler {
    /// A handler publishing on `js`, counting in `metrics`.
    pub fn new(
        js: jetstream::Context,
        test_panic_marker: Option<String>,
        metrics: ExtractMetrics,
    ) -> Self {
        Self {
            js,
            test_panic_marker,
            metrics,
        }
    }

    /// The JetStream context it publishes on.
    pub fn js(&self) -> &jetstream::Context {
        &self.js
    }

    /// Handle one delivery of `payload`; `delivered` counts this delivery (1 = first).
    pub async fn handle(&self, payload: &[u8], delivered: i64) -> Outcome {
        let article: Article = match serde_json::from_slice(payload) {
            Ok(a) => a,
            Err(e) => return Outcome::Poison(format!("not a dongtai.article.v1 message: {e}")),
        };
        let marker = self.test_panic_marker.clone();
        let work = tokio::task::spawn_blocking(move || {
            if marker
                .as_deref()
                .is_some_and(|m| !m.is_empty() && article.text.contains(m))
            {
                panic!("test panic marker found in article {}", article.id);
            }
            let events = events_of(&article);
            (article, events)
        });
        let events = match self.metrics.registry.time(stage::EXTRACT, work).await {
            Ok((_, events)) => events,
            Err(join) => {
                let reason = panic_reason(join);
                if delivered >= dongtai_proto::streams::MAX_DELIVERIES {
                    return Outcome::Poison(reason);
                }
                tracing::warn!(delivered, error = %reason, "extraction failed; will retry");
                return Outcome::RetryLater(Duration::from_millis(500 * delivered as u64));
            }
        };
        let published = self
            .metrics
            .registry
            .time(stage::PUBLISH, self.publish(&events))
            .await;
        match published {
            Ok(()) => {
                self.metrics.events_published.inc_by(events.len() as u64);
                Outcome::Done
            }
            // Past the delivery bound the article goes to the dead letters rather than being
            // dropped by JetStream: nothing is lost, and an operator can replay it.
            Err(e) if delivered >= dongtai_proto::streams::MAX_DELIVERIES => Outcome::Poison(
                format!("events not stored after {delivered} deliveries: {e}"),
            ),
            Err(e) => {
                let delay = store_retry_delay(delivered);
                tracing::warn!(error = %e, delivered, delay_ms = delay.as_millis() as u64, "events not stored; will retry");
                Outcome::RetryLater(delay)
            }
        }
    }

    /// Publish all events at once and wait for every acknowledgement.
    async fn publish(&self, events: &[ActivityEvent]) -> anyhow::Result<()> {
        let publishes = events.iter().map(|event| async move {
            let payload = serde_json::to_vec(event)?;
            dongtai_common::nats::publish_durable(
                &self.js,
                subjects::event(event.kind),
                event.id.as_str(),
                payload.into(),
            )
            .await
            .map(|_| ())
        });
        let results = tokio::time::timeout(
            Duration::from_secs(20),
            futures::future::try_join_all(publishes),
        )
        .await
        .map_err(|_| anyhow::anyhow!("JetStream did not acknowledge the events in time"))?;
        results.map(|_| ())
    }
}

/// How long to wait before offering an article again whose events JetStream did not store.
/// It doubles with each delivery (1 s, 2 s, 4 s, 8 s): on a cluster, a stream without a
/// leader refuses writes until the election ends (up to about ten seconds on nats-server
/// 2.9), and a fixed short delay would spend the article's deliveries inside that window and
/// send a good article to the dead letters.
pub fn store_retry_delay(delivered: i64) -> Duration {
    let doublings = delivered.clamp(1, 8) - 1;
    Duration::from_secs(1 << doublings)
}

/// The events of one article, with evidence offsets mapped back to the document as received.
pub fn events_of(article: &Article) -> Vec<ActivityEvent> {
    let meta = DocMeta {
        article_id: Some(article.id.clone()),
        title: article.title.clone(),
        outlet: article.outlet.clone(),
        page: article.page.clone(),
        published: article.published,
        url: article.url.clone(),
    };
    let mut events = dongtai_engine::extract(&article.text, &meta);
    for event in &mut events {
        for ev in &mut event.evidence {
            ev.start = article.raw_offsets.to_raw(ev.start);
            ev.end = article.raw_offsets.to_raw(ev.end);
        }
        event.source = Source {
            article_id: article.id.clone(),
            title: article.title.clone(),
            outlet: article.outlet.clone(),
            page: article.page.clone(),
            published: article.published,
            url: article.url.clone(),
        };
    }
    events
}

fn panic_reason(join: tokio::task::JoinError) -> String {
    if join.is_panic() {
        let payload = join.into_panic();
        let text = payload
            .downcast_ref::<&str>()
            .map(|s| (*s).to_owned())
            .or_else(|| payload.downcast_ref::<String>().cloned())
            .unwrap_or_else(|| "unknown panic".to_owned());
        format!("extraction panicked: {text}")
    } else {
        "extraction was cancelled".to_owned()
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    #[test]
    fn retries_after_a_store_failure_wait_longer_each_time_so_a_leader_election_fits() {
        let delays: Vec<_> = (1..=4).map(super::store_retry_delay).collect();
        assert_eq!(
            delays,
            [1, 2, 4, 8].map(Duration::from_secs),
            "the deliveries before the dead letters span 15 s of waiting"
        );
        assert_eq!(super::store_retry_delay(0), Duration::from_secs(1));
        assert_eq!(super::store_retry_delay(100), Duration::from_secs(128));
    }
}
