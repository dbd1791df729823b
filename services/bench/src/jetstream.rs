//! Raw JetStream: the ceiling the pipeline is compared with, windowed publishing, and how much a
//! consumer still has to do.

use anyhow::Context as _;
use async_nats::jetstream::{self, stream};
use bytes::Bytes;
use futures::StreamExt as _;
use futures::stream::FuturesUnordered;
use std::time::{Duration, Instant};

/// Acks in flight while publishing flat out (the ceiling's setting).
pub const IN_FLIGHT: usize = 256;

/// The stream the ceiling is measured on: configured like the service streams (file storage,
/// same duplicate window, `Nats-Msg-Id` on every message), but nobody consumes it.
const CEILING_STREAM: &str = "DONGTAI_BENCH_CEILING";
const CEILING_SUBJECT: &str = "bench.v1.ceiling";

/// Publish `payload(i)` with `Nats-Msg-Id: id(i)` on `subject(i)` for `i` in `0..n` (or until
/// `deadline`), keeping up to `in_flight` acks outstanding. Returns how many were acked.
pub async fn publish_windowed(
    js: &jetstream::Context,
    n: u64,
    deadline: Option<Instant>,
    in_flight: usize,
    mut message: impl FnMut(u64) -> (String, String, Bytes),
) -> anyhow::Result<u64> {
    let mut pending = FuturesUnordered::new();
    let mut acked = 0u64;
    for i in 0..n {
        if deadline.is_some_and(|d| Instant::now() >= d) {
            break;
        }
        let (subject, id, payload) = message(i);
        let mut headers = async_nats::HeaderMap::new();
        headers.insert("Nats-Msg-Id", id.as_str());
        let ack = js
            .publish_with_headers(subject, headers, payload)
            .await
            .map_err(|e| anyhow::anyhow!("publish failed: {e}"))?;
        pending.push(ack.into_future());
        if pending.len() >= in_flight
            && let Some(r) = pending.next().await
        {
            r.map_err(|e| anyhow::anyhow!("publish not acknowledged: {e}"))?;
            acked += 1;
        }
    }
    while let Some(r) = pending.next().await {
        r.map_err(|e| anyhow::anyhow!("publish not acknowledged: {e}"))?;
        acked += 1;
    }
    Ok(acked)
}

/// Messages per second JetStream stores for `payloads` (cycled, each with a fresh message id)
/// over `seconds`, with [`IN_FLIGHT`] acks outstanding. The stream is deleted afterwards.
pub async fn ceiling(
    client: &async_nats::Client,
    payloads: &[Bytes],
    seconds: f64,
) -> anyhow::Result<f64> {
    anyhow::ensure!(
        !payloads.is_empty(),
        "no payloads to measure the ceiling with"
    );
    let js = jetstream::new(client.clone());
    let _ = js.delete_stream(CEILING_STREAM).await;
    js.create_stream(stream::Config {
        name: CEILING_STREAM.to_owned(),
        subjects: vec![CEILING_SUBJECT.to_owned()],
        storage: stream::StorageType::File,
        duplicate_window: Duration::from_secs(dongtai_proto::streams::DUPLICATE_WINDOW_SECS),
        ..Default::default()
    })
    .await
    .map_err(|e| anyhow::anyhow!("cannot create {CEILING_STREAM}: {e}"))?;
    let started = Instant::now();
    let deadline = started + Duration::from_secs_f64(seconds);
    let run = std::process::id();
    let acked = publish_windowed(&js, u64::MAX, Some(deadline), IN_FLIGHT, |i| {
        let payload = payloads[(i % payloads.len() as u64) as usize].clone();
        (
            CEILING_SUBJECT.to_owned(),
            format!("ceiling-{run}-{i}"),
            payload,
        )
    })
    .await?;
    let rate = acked as f64 / started.elapsed().as_secs_f64();
    js.delete_stream(CEILING_STREAM)
        .await
        .map_err(|e| anyhow::anyhow!("cannot delete {CEILING_STREAM}: {e}"))?;
    Ok(rate)
}

/// Messages a durable consumer has not yet had acked (not delivered + delivered, unacked).
pub async fn backlog(js: &jetstream::Context, stream: &str, consumer: &str) -> anyhow::Result<u64> {
    let s = js
        .get_stream(stream)
        .await
        .map_err(|e| anyhow::anyhow!("cannot open stream {stream}: {e}"))?;
    let info = s
        .consumer_info(consumer)
        .await
        .map_err(|e| anyhow::anyhow!("cannot read consumer {consumer}: {e}"))
        .context("is the service running?")?;
    Ok(info.num_pending + info.num_ack_pending as u64)
}
