//! dongtai extract: a worker that turns articles into activity events.
//!
//! Several workers share one durable pull consumer on ARTICLES. An article is acked only after
//! JetStream acknowledged every event published for it; an article that keeps failing goes to
//! `articles.v1.dead` with its error after [`dongtai_proto::streams::MAX_DELIVERIES`] deliveries.

pub mod config;
pub mod consumer;
pub mod file;
pub mod handler;
pub mod metrics;
pub mod replay;

use anyhow::Context as _;
use async_nats::jetstream::{self, consumer::AckPolicy, consumer::pull};
use config::Config;
use dongtai_common::consume::{self, Pull};
use dongtai_common::{Metrics, Ops};
use dongtai_proto::{streams, subjects};
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;
use tokio_util::sync::CancellationToken;

/// How long JetStream waits for an ack before it delivers an article again.
pub const ACK_WAIT: Duration = Duration::from_secs(30);

/// The service's name in logs, NATS and `/metrics`.
pub const SERVICE: &str = "dongtai-extract";

/// A built worker: connected, streams and consumer provisioned, ops port bound.
pub struct Application {
    client: async_nats::Client,
    js: jetstream::Context,
    consumer: jetstream::consumer::Consumer<pull::Config>,
    listener: tokio::net::TcpListener,
    handler: Arc<handler::Handler>,
    metrics: Metrics,
    concurrency: usize,
}

impl Application {
    /// Connect, provision streams and the shared durable consumer, bind the ops port.
    pub async fn build(config: Config) -> anyhow::Result<Self> {
        let client = dongtai_common::connect(&config.nats, SERVICE).await?;
        let js = jetstream::new(client.clone());
        dongtai_common::provision_streams_with(&js, &config.nats.limits).await?;
        let consumer = extract_consumer(&js).await?;
        let listener = tokio::net::TcpListener::bind(config.http_addr)
            .await
            .with_context(|| format!("failed to bind {}", config.http_addr))?;
        let cores = std::thread::available_parallelism()
            .map(|n| n.get())
            .unwrap_or(2);
        let metrics = Metrics::new(SERVICE);
        let handler = Arc::new(handler::Handler::new(
            js.clone(),
            config.test_panic_marker.clone(),
            metrics::ExtractMetrics::new(metrics.clone()),
        ));
        Ok(Self {
            client,
            js,
            consumer,
            listener,
            handler,
            metrics,
            concurrency: config.concurrency.unwrap_or(cores * 2).max(1),
        })
    }

    /// The ops endpoints' address.
    pub fn local_addr(&self) -> SocketAddr {
        self.listener
            .local_addr()
            .unwrap_or_else(|_| SocketAddr::from(([127, 0, 0, 1], 0)))
    }

    /// Consume until `shutdown` fires: stop pulling, let in-flight articles finish and ack,
    /// drain the client.
    pub async fn run_until_stopped(self, shutdown: CancellationToken) -> anyhow::Result<()> {
        tracing::info!(addr = %self.local_addr(), concurrency = self.concurrency, "extract worker started");
        let ops = Ops::new(SERVICE, self.metrics.clone())
            .nats(self.client.clone())
            .consumer(self.consumer.clone());
        let app = dongtai_common::http::app(
            axum::Router::new(),
            ops,
            dongtai_common::http::DEFAULT_BODY_LIMIT,
        );
        let http = axum::serve(self.listener, app)
            .with_graceful_shutdown(shutdown.clone().cancelled_owned());
        let http = tokio::spawn(async move { http.await });
        // Batches of one article, `concurrency` of them at once: a slow page holds one slot.
        let pull = Pull {
            batch: 1,
            in_flight: self.concurrency,
            confirm_acks: true,
        };
        consume::run(
            self.consumer,
            self.js,
            self.handler,
            pull,
            self.metrics,
            shutdown,
        )
        .await;
        let _ = http.await;
        self.client.drain().await.ok();
        tracing::info!("extract worker stopped");
        Ok(())
    }
}

/// The durable pull consumer all workers share (created if missing).
pub async fn extract_consumer(
    js: &jetstream::Context,
) -> anyhow::Result<jetstream::consumer::Consumer<pull::Config>> {
    let stream = js
        .get_stream(streams::ARTICLES)
        .await
        .map_err(|e| anyhow::anyhow!("failed to open stream {}: {e}", streams::ARTICLES))?;
    stream
        .get_or_create_consumer(
            streams::EXTRACT_CONSUMER,
            pull::Config {
                durable_name: Some(streams::EXTRACT_CONSUMER.to_owned()),
                filter_subject: subjects::ARTICLES_NEW.to_owned(),
                ack_policy: AckPolicy::Explicit,
                ack_wait: ACK_WAIT,
                // One more than we act on, so the handler always sees the last delivery and
                // dead-letters it itself instead of JetStream dropping it silently.
                max_deliver: streams::MAX_DELIVERIES + 1,
                ..Default::default()
            },
        )
        .await
        .map_err(|e| anyhow::anyhow!("failed to provision consumer: {e}"))
}
