//! The consume loop: pulls articles, runs the handler on a bounded number at once, and turns
//! each outcome into an ack, a delayed nak, or a dead letter followed by a term.

use crate::handler::Handler;
use crate::metrics::Metrics;
use async_nats::jetstream::{self, AckKind, consumer::pull};
use dongtai_common::Outcome;
use dongtai_proto::{DEAD_ARTICLE_SCHEMA, DeadArticle, subjects};
use futures::StreamExt as _;
use std::sync::Arc;
use std::time::Duration;
use tokio_util::sync::CancellationToken;

/// Run until `shutdown`; survives NATS restarts by re-opening the message stream.
pub async fn run(
    consumer: jetstream::consumer::Consumer<pull::Config>,
    handler: Arc<Handler>,
    concurrency: usize,
    shutdown: CancellationToken,
) {
    let mut backoff = Duration::from_millis(100);
    while !shutdown.is_cancelled() {
        let messages = match consumer
            .stream()
            .max_messages_per_batch(concurrency.max(16))
            .heartbeat(Duration::from_secs(5))
            .expires(Duration::from_secs(30))
            .messages()
            .await
        {
            Ok(m) => m,
            Err(e) => {
                tracing::warn!(error = %e, "cannot pull articles; retrying");
                tokio::select! {
                    _ = shutdown.cancelled() => break,
                    _ = tokio::time::sleep(backoff) => {}
                }
                backoff = (backoff * 2).min(Duration::from_secs(5));
                continue;
            }
        };
        backoff = Duration::from_millis(100);
        messages
            .take_until(shutdown.clone().cancelled_owned())
            .take_while(|m| {
                let ok = m.is_ok();
                if let Err(e) = m {
                    tracing::warn!(error = %e, "article stream interrupted; re-opening");
                }
                std::future::ready(ok)
            })
            .filter_map(|m| std::future::ready(m.ok()))
            .for_each_concurrent(concurrency, |msg| {
                let handler = handler.clone();
                async move { process(&handler, msg).await }
            })
            .await;
    }
}

async fn process(handler: &Handler, msg: jetstream::Message) {
    let delivered = msg.info().map(|i| i.delivered).unwrap_or(1);
    let outcome = handler.handle(&msg.payload, delivered).await;
    let result = match outcome {
        Outcome::Done => {
            Metrics::add(&handler.metrics.articles_done, 1);
            msg.double_ack().await
        }
        Outcome::RetryLater(delay) => {
            Metrics::add(&handler.metrics.articles_retried, 1);
            msg.ack_with(AckKind::Nak(Some(delay))).await
        }
        Outcome::Poison(reason) => match dead_letter(handler, &msg, delivered, &reason).await {
            Ok(()) => {
                Metrics::add(&handler.metrics.articles_dead, 1);
                tracing::error!(error = %reason, delivered, "article sent to the dead letters");
                msg.ack_with(AckKind::Term).await
            }
            Err(e) => {
                tracing::warn!(error = %e, "dead letter not stored; will retry");
                msg.ack_with(AckKind::Nak(Some(Duration::from_secs(1))))
                    .await
            }
        },
    };
    if let Err(e) = result {
        // The ack is lost: JetStream redelivers after ACK_WAIT, and the events' ids make the
        // second publish a no-op.
        tracing::warn!(error = %e, "ack not confirmed; the article will be redelivered");
    }
}

async fn dead_letter(
    handler: &Handler,
    msg: &jetstream::Message,
    delivered: i64,
    reason: &str,
) -> anyhow::Result<()> {
    let article_id = serde_json::from_slice::<serde_json::Value>(&msg.payload)
        .ok()
        .and_then(|v| {
            v.get("id")
                .and_then(|id| id.as_str())
                .and_then(|s| s.parse().ok())
        });
    let dead = DeadArticle {
        schema: DEAD_ARTICLE_SCHEMA.to_owned(),
        article_id: article_id.clone(),
        error: reason.to_owned(),
        deliveries: delivered.max(0) as u64,
        original: String::from_utf8_lossy(&msg.payload).into_owned(),
        extractor: dongtai_engine::EXTRACTOR.to_owned(),
        at: chrono::Utc::now(),
    };
    let seq = msg.info().map(|i| i.stream_sequence).unwrap_or(0);
    let msg_id = format!("dead-{seq}");
    dongtai_common::nats::publish_durable(
        handler.js(),
        subjects::ARTICLES_DEAD.to_owned(),
        &msg_id,
        serde_json::to_vec(&dead)?.into(),
    )
    .await
    .map(|_| ())
}
