//! The one consume loop every service that reads a stream runs: pull from a durable consumer,
//! re-open the pull after NATS faults, hand batches to a [`Handler`], and turn each
//! [`Outcome`] into what JetStream hears — `Done` → ack, `RetryLater(d)` → nak with the delay,
//! `Poison(reason)` → publish the handler's dead letter, and only once JetStream stored it,
//! term. Only this loop acks; a handler never touches an ack.
//!
//! A handler works in two steps so a service can overlap its I/O: [`Handler::stage`] runs in
//! stream order, one batch at a time (the timeline writes the batch to sled here), and
//! [`Handler::finish`] makes the staged batch durable and says the outcomes (the timeline
//! flushes here) while the next batch is staged. At most [`Pull::in_flight`] batches finish at
//! once: the timeline keeps one (its acks and feed stay in stream order), extract one per
//! worker slot (batches of one article, extracted side by side).
//!
//! On shutdown the loop stops pulling, lets every batch in flight finish and settle, and
//! returns; a message it never finished is not acked and comes back to another worker.

use crate::Outcome;
use crate::metrics::{Metrics, OutcomeLabels};
use async_nats::jetstream::{self, AckKind, consumer::pull};
use futures::StreamExt as _;
use std::sync::Arc;
use std::time::Duration;
use tokio_util::sync::CancellationToken;

/// How a consumer pulls.
#[derive(Debug, Clone, Copy)]
pub struct Pull {
    /// Messages handed to the handler at once, at most (a batch takes what has arrived).
    pub batch: usize,
    /// Batches finishing at once, at most.
    pub in_flight: usize,
    /// Wait for JetStream to confirm each ack (`double_ack`): costs a round trip per message,
    /// saves a redelivery when an ack is lost. Worth it where a message costs much work.
    pub confirm_acks: bool,
}

/// A dead letter: where it goes and what it says.
#[derive(Debug, Clone)]
pub struct DeadLetter {
    /// Its subject (from `proto::subjects`).
    pub subject: String,
    /// Its payload (a `proto` dead-letter message).
    pub payload: bytes::Bytes,
}

/// What a consumer does with its messages.
pub trait Handler: Send + Sync + 'static {
    /// A batch between its two steps.
    type Staged: Send + 'static;

    /// Start on a batch; called in stream order, one batch at a time.
    fn stage(&self, batch: &[jetstream::Message]) -> impl Future<Output = Self::Staged> + Send;

    /// Finish a staged batch: one outcome per message of the batch, in its order. A missing
    /// outcome counts as `RetryLater` (the message comes back).
    fn finish(&self, staged: Self::Staged) -> impl Future<Output = Vec<Outcome>> + Send;

    /// The dead letter for `msg`, delivered `deliveries` times, given up for `reason`.
    fn dead_letter(
        &self,
        msg: &jetstream::Message,
        deliveries: u64,
        reason: &str,
    ) -> anyhow::Result<DeadLetter>;
}

/// Consume until `shutdown`, surviving NATS restarts by re-opening the pull.
pub async fn run<H: Handler>(
    consumer: jetstream::consumer::Consumer<pull::Config>,
    js: jetstream::Context,
    handler: Arc<H>,
    pull: Pull,
    metrics: Metrics,
    shutdown: CancellationToken,
) {
    let settler = Arc::new(Settler {
        js,
        metrics,
        consumer: consumer.cached_info().name.clone(),
        confirm_acks: pull.confirm_acks,
    });
    let batch = pull.batch.max(1);
    let in_flight = pull.in_flight.max(1);
    let mut finishing = tokio::task::JoinSet::new();
    let mut backoff = Duration::from_millis(100);
    while !shutdown.is_cancelled() {
        let messages = match consumer
            .stream()
            .max_messages_per_batch(batch.max(in_flight).max(16))
            .heartbeat(Duration::from_secs(5))
            .expires(Duration::from_secs(30))
            .messages()
            .await
        {
            Ok(m) => m,
            Err(e) => {
                tracing::warn!(consumer = %settler.consumer, error = %e, "cannot pull; retrying");
                tokio::select! {
                    _ = shutdown.cancelled() => break,
                    _ = tokio::time::sleep(backoff) => {}
                }
                backoff = (backoff * 2).min(Duration::from_secs(5));
                continue;
            }
        };
        backoff = Duration::from_millis(100);
        let batches = messages
            .take_until(shutdown.clone().cancelled_owned())
            .ready_chunks(batch);
        let mut batches = std::pin::pin!(batches);
        while let Some(chunk) = batches.next().await {
            let mut msgs = Vec::with_capacity(chunk.len());
            let mut broken = false;
            for m in chunk {
                match m {
                    Ok(m) => msgs.push(m),
                    Err(e) => {
                        tracing::warn!(consumer = %settler.consumer, error = %e, "pull interrupted; re-opening");
                        broken = true;
                    }
                }
            }
            if !msgs.is_empty() {
                let staged = handler.stage(&msgs).await;
                while finishing.len() >= in_flight {
                    finishing.join_next().await;
                }
                let (handler, settler) = (handler.clone(), settler.clone());
                finishing.spawn(async move {
                    let outcomes = handler.finish(staged).await;
                    settler.settle_all(&*handler, msgs, outcomes).await;
                });
            }
            if broken {
                break;
            }
        }
    }
    while finishing.join_next().await.is_some() {}
}

struct Settler {
    js: jetstream::Context,
    metrics: Metrics,
    consumer: String,
    confirm_acks: bool,
}

impl Settler {
    async fn settle_all<H: Handler>(
        &self,
        handler: &H,
        msgs: Vec<jetstream::Message>,
        outcomes: Vec<Outcome>,
    ) {
        let mut outcomes = outcomes.into_iter();
        for msg in msgs {
            let outcome = outcomes
                .next()
                .unwrap_or(Outcome::RetryLater(Duration::from_secs(1)));
            self.settle(handler, &msg, outcome).await;
        }
    }

    async fn settle<H: Handler>(&self, handler: &H, msg: &jetstream::Message, outcome: Outcome) {
        let deliveries = msg
            .info()
            .map(|i| u64::try_from(i.delivered).unwrap_or(1))
            .unwrap_or(1);
        let (label, result) = match outcome {
            Outcome::Done if self.confirm_acks => ("done", msg.double_ack().await),
            Outcome::Done => ("done", msg.ack().await),
            Outcome::RetryLater(delay) => ("retry", msg.ack_with(AckKind::Nak(Some(delay))).await),
            Outcome::Poison(reason) => {
                match self.dead_letter(handler, msg, deliveries, &reason).await {
                    Ok(()) => {
                        tracing::error!(
                            consumer = %self.consumer,
                            subject = %msg.subject,
                            error = %reason,
                            deliveries,
                            "message sent to the dead letters"
                        );
                        ("dead", msg.ack_with(AckKind::Term).await)
                    }
                    Err(e) => {
                        // Never term what the dead letters do not hold: it comes back instead.
                        tracing::warn!(consumer = %self.consumer, error = %format!("{e:#}"), "dead letter not stored; will retry");
                        (
                            "retry",
                            msg.ack_with(AckKind::Nak(Some(Duration::from_secs(1))))
                                .await,
                        )
                    }
                }
            }
        };
        self.metrics
            .consumed
            .get_or_create(&OutcomeLabels {
                consumer: self.consumer.clone(),
                outcome: label,
            })
            .inc();
        if let Err(e) = result {
            // JetStream redelivers after the ack wait; every output is idempotent by id.
            tracing::warn!(consumer = %self.consumer, error = %e, "ack not confirmed; the message will be redelivered");
        }
    }

    async fn dead_letter<H: Handler>(
        &self,
        handler: &H,
        msg: &jetstream::Message,
        deliveries: u64,
        reason: &str,
    ) -> anyhow::Result<()> {
        let letter = handler.dead_letter(msg, deliveries, reason)?;
        // One dead letter per stream message, however often it is given up on.
        let seq = msg.info().map(|i| i.stream_sequence).unwrap_or(0);
        crate::nats::publish_durable(
            &self.js,
            letter.subject,
            &format!("dead-{seq}"),
            letter.payload,
        )
        .await
        .map(|_| ())
    }
}
