//! Connecting to NATS and provisioning the JetStream streams every service relies on.

use anyhow::Context as _;
use async_nats::jetstream::{self, stream};
use dongtai_proto::{streams, subjects};
use std::time::Duration;

/// NATS connection flags, shared by every service (each has an env twin).
#[derive(Debug, Clone, clap::Args)]
pub struct NatsArgs {
    /// NATS server URL.
    #[arg(
        long = "nats-url",
        env = "DONGTAI_NATS_URL",
        default_value = "nats://127.0.0.1:4222"
    )]
    pub url: String,
    /// NATS user (see deploy/nats/ for the per-service users).
    #[arg(long = "nats-user", env = "DONGTAI_NATS_USER")]
    pub user: Option<String>,
    /// NATS password.
    #[arg(
        long = "nats-password",
        env = "DONGTAI_NATS_PASSWORD",
        hide_env_values = true
    )]
    pub password: Option<String>,
    /// Stream limits used when this service is the one that creates the streams.
    #[command(flatten)]
    pub limits: StreamLimits,
}

/// Size limits of the streams, applied when a stream is created (an existing stream keeps the
/// limits it has; change those with the `nats` CLI). When a stream is full it refuses new
/// messages (`discard: new`): ingest then answers 503 and extract retries, so the history is
/// never silently shortened.
#[derive(Debug, Clone, Default, clap::Args)]
pub struct StreamLimits {
    /// Bytes the ARTICLES stream may hold (unset: bounded only by the server's max_file_store).
    #[arg(long, env = "DONGTAI_ARTICLES_MAX_BYTES")]
    pub articles_max_bytes: Option<i64>,
    /// Bytes the EVENTS stream may hold.
    #[arg(long, env = "DONGTAI_EVENTS_MAX_BYTES")]
    pub events_max_bytes: Option<i64>,
    /// Bytes the dead-letter stream may hold.
    #[arg(long, env = "DONGTAI_DEAD_MAX_BYTES")]
    pub dead_max_bytes: Option<i64>,
}

impl NatsArgs {
    /// Connect to `url` without credentials.
    pub fn plain(url: impl Into<String>) -> Self {
        Self {
            url: url.into(),
            user: None,
            password: None,
            limits: StreamLimits::default(),
        }
    }
}

/// Connect, retrying the first connection until the server is there and reconnecting forever
/// after: a restart of nats-server must not need a restart of the services.
pub async fn connect(args: &NatsArgs, name: &str) -> anyhow::Result<async_nats::Client> {
    let mut opts = async_nats::ConnectOptions::new()
        .name(name)
        .retry_on_initial_connect()
        .max_reconnects(None)
        .connection_timeout(Duration::from_secs(5))
        .request_timeout(Some(Duration::from_secs(10)))
        .event_callback(|event| async move {
            match event {
                async_nats::Event::Disconnected => tracing::warn!("disconnected from NATS"),
                async_nats::Event::Connected => tracing::info!("connected to NATS"),
                other => tracing::debug!(event = %other, "NATS event"),
            }
        });
    if let (Some(user), Some(password)) = (&args.user, &args.password) {
        opts = opts.user_and_password(user.clone(), password.clone());
    }
    opts.connect(&args.url)
        .await
        .with_context(|| format!("failed to connect to NATS at {}", args.url))
}

/// True while the client holds a live connection.
pub fn is_connected(client: &async_nats::Client) -> bool {
    client.connection_state() == async_nats::connection::State::Connected
}

/// Open `name` and read its state (message count, last sequence) in one step, with errors that
/// name the stream.
pub async fn open_stream(
    js: &jetstream::Context,
    name: &str,
) -> anyhow::Result<(stream::Stream, stream::State)> {
    let mut s = js
        .get_stream(name)
        .await
        .map_err(|e| anyhow::anyhow!("cannot open stream {name}: {e}"))?;
    let state = s
        .info()
        .await
        .map_err(|e| anyhow::anyhow!("cannot read the state of stream {name}: {e}"))?
        .state
        .clone();
    Ok((s, state))
}

/// Create the three streams if they are missing, with default limits.
pub async fn provision_streams(js: &jetstream::Context) -> anyhow::Result<()> {
    provision_streams_with(js, &StreamLimits::default()).await
}

/// Create the three streams if they are missing (an existing stream is left as it is, so an
/// operator's limits survive). Safe to call from every service at every start.
pub async fn provision_streams_with(
    js: &jetstream::Context,
    limits: &StreamLimits,
) -> anyhow::Result<()> {
    let window = Duration::from_secs(streams::DUPLICATE_WINDOW_SECS);
    for (name, subject, max_bytes) in [
        (
            streams::ARTICLES,
            subjects::ARTICLES_NEW,
            limits.articles_max_bytes,
        ),
        (
            streams::DEAD_ARTICLES,
            subjects::ARTICLES_DEAD,
            limits.dead_max_bytes,
        ),
        (
            streams::EVENTS,
            subjects::EVENTS_ALL,
            limits.events_max_bytes,
        ),
    ] {
        js.get_or_create_stream(stream::Config {
            name: name.to_owned(),
            subjects: vec![subject.to_owned()],
            storage: stream::StorageType::File,
            duplicate_window: window,
            max_bytes: max_bytes.unwrap_or(-1),
            discard: stream::DiscardPolicy::New,
            ..Default::default()
        })
        .await
        .map_err(|e| anyhow::anyhow!("failed to provision stream {name}: {e}"))?;
    }
    Ok(())
}

/// Publish `payload` on `subject` with `Nats-Msg-Id: msg_id`, returning once JetStream has
/// stored it. `Ok(true)` means JetStream already had it (a duplicate inside its window).
pub async fn publish_durable(
    js: &jetstream::Context,
    subject: String,
    msg_id: &str,
    payload: bytes::Bytes,
) -> anyhow::Result<bool> {
    let mut headers = async_nats::HeaderMap::new();
    headers.insert("Nats-Msg-Id", msg_id);
    let ack = js
        .publish_with_headers(subject, headers, payload)
        .await
        .map_err(|e| anyhow::anyhow!("publish failed: {e}"))?
        .await
        .map_err(|e| anyhow::anyhow!("publish not acknowledged: {e}"))?;
    Ok(ack.duplicate)
}
