//! dongtai ingest: takes articles in (HTTP, files, scanned pages, news feeds and their pages in
//! the encodings Chinese sites use) and publishes each, normalised
//! and content-addressed, to the ARTICLES stream. Nothing is accepted that was not stored:
//! a 202 is sent only after JetStream acknowledged every article of the request.

pub mod config;
pub mod decode;
pub mod error;
pub mod html;
pub mod metrics;
pub mod openapi;
pub mod publish;
pub mod push;
pub mod routes;
pub mod watch;

use anyhow::Context as _;
use config::Config;
use std::net::SocketAddr;
use tokio_util::sync::CancellationToken;

/// The service's name in logs, NATS and `/metrics`.
pub const SERVICE: &str = "dongtai-ingest";

/// A built ingest server: bound, connected, streams provisioned.
pub struct Application {
    listener: tokio::net::TcpListener,
    state: routes::AppState,
}

impl Application {
    /// Bind the HTTP port, connect to NATS and provision the streams.
    pub async fn build(config: Config) -> anyhow::Result<Self> {
        let client = dongtai_common::connect(&config.nats, SERVICE).await?;
        let js = async_nats::jetstream::new(client.clone());
        dongtai_common::provision_streams_with(&js, &config.nats.limits).await?;
        let listener = tokio::net::TcpListener::bind(config.http_addr)
            .await
            .with_context(|| format!("failed to bind {}", config.http_addr))?;
        let state = routes::AppState::new(config, client, js);
        Ok(Self { listener, state })
    }

    /// The address it listens on (useful with port 0).
    pub fn local_addr(&self) -> SocketAddr {
        self.listener
            .local_addr()
            .unwrap_or_else(|_| SocketAddr::from(([127, 0, 0, 1], 0)))
    }

    /// Serve until `shutdown` fires, then finish in-flight requests and drain the NATS client.
    pub async fn run_until_stopped(self, shutdown: CancellationToken) -> anyhow::Result<()> {
        tracing::info!(addr = %self.local_addr(), "ingest listening");
        let client = self.state.client.clone();
        let app = routes::router(self.state);
        axum::serve(self.listener, app)
            .with_graceful_shutdown(shutdown.cancelled_owned())
            .await
            .context("ingest HTTP server failed")?;
        client.drain().await.ok();
        tracing::info!("ingest stopped");
        Ok(())
    }
}
