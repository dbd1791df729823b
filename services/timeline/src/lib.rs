//! dongtai timeline: consumes EVENTS into a sled view and answers queries over HTTP.
//!
//! The view is rebuildable from the stream (`dongtai-timeline rebuild`); every write is flushed
//! before its message is acked.

pub mod config;
pub mod consumer;
pub mod export;
pub mod fold;
pub mod pinyin;
pub mod query;
pub mod rebuild;
pub mod routes;
pub mod store;
pub mod view;

use anyhow::Context as _;
use config::Config;
use std::net::SocketAddr;
use std::sync::Arc;
use store::{StoredEvent, TimelineStore};
use tokio::sync::broadcast;
use tokio_util::sync::CancellationToken;

/// The service's name in logs, NATS and `/metrics`.
pub const SERVICE: &str = "dongtai-timeline";

/// A built timeline: store open, consumer provisioned, port bound.
pub struct Application {
    client: async_nats::Client,
    js: async_nats::jetstream::Context,
    consumer:
        async_nats::jetstream::consumer::Consumer<async_nats::jetstream::consumer::pull::Config>,
    listener: tokio::net::TcpListener,
    state: routes::AppState,
}

/// Live events buffered for the SSE feed (two consumer batches). Each holds a whole event, so the
/// buffer is part of the service's steady memory; a client that lags past it is served from the
/// store instead, without gaps.
const FEED_BUFFER: usize = 1024;

impl Application {
    /// Open sled, connect, provision, bind.
    pub async fn build(config: Config) -> anyhow::Result<Self> {
        anyhow::ensure!(
            dongtai_proto::streams::is_valid_replica_name(&config.replica),
            "{:?} cannot name a timeline replica: use 1 to 32 letters, digits, - or _",
            config.replica
        );
        std::fs::create_dir_all(&config.data_dir)
            .with_context(|| format!("cannot create {}", config.data_dir.display()))?;
        let store = TimelineStore::open_with_cache(&config.data_dir, config.cache_mb)
            .with_context(|| {
                format!(
                    "cannot open the timeline store in {}",
                    config.data_dir.display()
                )
            })?;
        let client = dongtai_common::connect(&config.nats, SERVICE).await?;
        let js = async_nats::jetstream::new(client.clone());
        dongtai_common::provision_streams_with(&js, &config.nats.limits).await?;
        if store.rebuild_pending()? {
            // The stream is the truth: a store of another format, or a rebuild that did not
            // finish, is rebuilt from it before the consumer resumes (progress in the log).
            rebuild::replay_into(&js, &store).await?;
        }
        let consumer = consumer::timeline_consumer(&js, &config.replica).await?;
        dongtai_common::provision_newsroom_consumer(&js).await?;
        let listener = tokio::net::TcpListener::bind(config.http_addr)
            .await
            .with_context(|| format!("failed to bind {}", config.http_addr))?;
        // Events kept for SSE clients that fall behind; one further behind replays from sled.
        let (feed, _) = broadcast::channel::<Arc<StoredEvent>>(FEED_BUFFER);
        let state = routes::AppState::new(config, store, client.clone(), feed)
            .with_consumer(consumer.clone());
        Ok(Self {
            client,
            js,
            consumer,
            listener,
            state,
        })
    }

    /// The address it listens on.
    pub fn local_addr(&self) -> SocketAddr {
        self.listener
            .local_addr()
            .unwrap_or_else(|_| SocketAddr::from(([127, 0, 0, 1], 0)))
    }

    /// Consume and serve until `shutdown`; then stop taking messages, finish the batch in hand,
    /// flush sled and drain NATS.
    pub async fn run_until_stopped(mut self, shutdown: CancellationToken) -> anyhow::Result<()> {
        self.state.shutdown = shutdown.clone();
        tracing::info!(addr = %self.local_addr(), "timeline listening");
        let store = self.state.store.clone();
        let feed = self.state.feed.clone();
        let handler = consumer::EventsHandler::new(store.clone(), feed, self.state.metrics.clone());
        let consuming = tokio::spawn(dongtai_common::consume::run(
            self.consumer,
            self.js,
            Arc::new(handler),
            consumer::PULL,
            self.state.metrics.clone(),
            shutdown.clone(),
        ));
        let app = routes::router(self.state);
        let served = axum::serve(self.listener, app)
            .with_graceful_shutdown(shutdown.clone().cancelled_owned())
            .await;
        shutdown.cancel();
        let _ = consuming.await;
        store.flush().await.context("final flush failed")?;
        self.client.drain().await.ok();
        tracing::info!("timeline stopped");
        served.context("timeline HTTP server failed")
    }
}
