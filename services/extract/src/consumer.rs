//! The worker's side of the shared consume loop (`dongtai_common::consume`): batches of one
//! article, extracted side by side, and the dead letter of an article given up on.

use crate::handler::Handler;
use async_nats::jetstream;
use dongtai_common::Outcome;
use dongtai_common::consume::{self, DeadLetter};
use dongtai_proto::{DEAD_ARTICLE_SCHEMA, DeadArticle, subjects};

impl consume::Handler for Handler {
    /// Each article's payload and how often it was delivered.
    type Staged = Vec<(bytes::Bytes, i64)>;

    async fn stage(&self, batch: &[jetstream::Message]) -> Self::Staged {
        batch
            .iter()
            .map(|m| {
                (
                    m.payload.clone(),
                    m.info().map(|i| i.delivered).unwrap_or(1),
                )
            })
            .collect()
    }

    async fn finish(&self, staged: Self::Staged) -> Vec<Outcome> {
        let outcomes = futures::future::join_all(
            staged
                .iter()
                .map(|(payload, delivered)| self.handle(payload, *delivered)),
        )
        .await;
        for outcome in &outcomes {
            match outcome {
                Outcome::Done => self.metrics.articles_done.inc(),
                Outcome::RetryLater(_) => self.metrics.articles_retried.inc(),
                Outcome::Poison(_) => self.metrics.articles_dead.inc(),
            };
        }
        outcomes
    }

    fn dead_letter(
        &self,
        msg: &jetstream::Message,
        deliveries: u64,
        reason: &str,
    ) -> anyhow::Result<DeadLetter> {
        Ok(DeadLetter {
            subject: subjects::ARTICLES_DEAD.to_owned(),
            payload: serde_json::to_vec(&dead_article(&msg.payload, deliveries, reason))?.into(),
        })
    }
}

/// The dead letter of an article: its id when the payload can be read that far, the error,
/// and the payload as it arrived.
pub fn dead_article(payload: &[u8], deliveries: u64, reason: &str) -> DeadArticle {
    let article_id = serde_json::from_slice::<serde_json::Value>(payload)
        .ok()
        .and_then(|v| {
            v.get("id")
                .and_then(|id| id.as_str())
                .and_then(|s| s.parse().ok())
        });
    DeadArticle {
        schema: DEAD_ARTICLE_SCHEMA.to_owned(),
        article_id,
        error: reason.to_owned(),
        deliveries,
        original: String::from_utf8_lossy(payload).into_owned(),
        extractor: dongtai_engine::EXTRACTOR.to_owned(),
        at: chrono::Utc::now(),
    }
}
