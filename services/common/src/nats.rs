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

/// Size limits and replicas of the streams. Limits apply when a stream is created (an existing
/// stream keeps the limits it has; change those with the `nats` CLI). When a stream is full it
/// refuses new messages (`discard: new`): ingest then answers 503 and extract retries, so the
/// history is never silently shortened.
#[derive(Debug, Clone, Default, clap::Args)]
pub struct StreamLimits {
    /// Replicas of every stream on a JetStream cluster (at most the number of nodes, at most
    /// 5). Streams are created with it, and an existing stream with another count is changed
    /// to it. Unset: new streams get 1 and existing streams keep theirs, so a worker started
    /// without the flag never shrinks a replicated stream.
    #[arg(
        long = "stream-replicas",
        env = "DONGTAI_STREAM_REPLICAS",
        value_parser = parse_replicas
    )]
    pub replicas: Option<usize>,
    /// Bytes the ARTICLES stream may hold (unset: bounded only by the server's max_file_store).
    #[arg(long, env = "DONGTAI_ARTICLES_MAX_BYTES")]
    pub articles_max_bytes: Option<i64>,
    /// Bytes the EVENTS stream may hold.
    #[arg(long, env = "DONGTAI_EVENTS_MAX_BYTES")]
    pub events_max_bytes: Option<i64>,
    /// Bytes each dead-letter stream (articles, events) may hold.
    #[arg(long, env = "DONGTAI_DEAD_MAX_BYTES")]
    pub dead_max_bytes: Option<i64>,
}

fn parse_replicas(text: &str) -> Result<usize, String> {
    let n: usize = text
        .trim()
        .parse()
        .map_err(|_| format!("{text:?} is not a number of replicas"))?;
    if (1..=streams::MAX_REPLICAS).contains(&n) {
        Ok(n)
    } else {
        Err(format!(
            "replicas must be between 1 and {}, not {n}",
            streams::MAX_REPLICAS
        ))
    }
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
    opts.connect(server_list(&args.url).as_slice())
        .await
        .with_context(|| format!("failed to connect to NATS at {}", args.url))
}

/// The servers of a URL list (`nats://a:4222,nats://b:4222`, what `deploy/cluster.sh` prints):
/// the client tries each, and moves to another when the one it is on goes away.
pub fn server_list(urls: &str) -> Vec<&str> {
    urls.split(',')
        .map(str::trim)
        .filter(|u| !u.is_empty())
        .collect()
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

/// Create the streams if they are missing, with default limits.
pub async fn provision_streams(js: &jetstream::Context) -> anyhow::Result<()> {
    provision_streams_with(js, &StreamLimits::default()).await
}

/// How long a starting service keeps trying to provision the streams. A JetStream cluster
/// that has just started answers stream requests only some seconds after it elected its meta
/// leader (about ten on nats-server 2.9); a service started with it waits instead of exiting.
pub const PROVISION_PATIENCE: Duration = Duration::from_secs(60);

/// Create the streams (articles, events and their dead letters) if they are missing, and give them the replicas asked for (an
/// existing stream otherwise stays as it is, so an operator's limits survive). Safe to call
/// from every service at every start, from several at once. Retries for
/// [`PROVISION_PATIENCE`], then fails with the last error.
pub async fn provision_streams_with(
    js: &jetstream::Context,
    limits: &StreamLimits,
) -> anyhow::Result<()> {
    let deadline = tokio::time::Instant::now() + PROVISION_PATIENCE;
    let mut attempt = 1u32;
    loop {
        match provision_once(js, limits).await {
            Ok(()) => return Ok(()),
            Err(e) if tokio::time::Instant::now() < deadline => {
                tracing::warn!(error = %format!("{e:#}"), attempt, "streams not provisioned yet; retrying");
                tokio::time::sleep(Duration::from_secs(1)).await;
                attempt += 1;
            }
            Err(e) => return Err(e),
        }
    }
}

async fn provision_once(js: &jetstream::Context, limits: &StreamLimits) -> anyhow::Result<()> {
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
        (
            streams::DEAD_EVENTS,
            subjects::EVENTS_DEAD,
            limits.dead_max_bytes,
        ),
    ] {
        let stream = js
            .get_or_create_stream(stream::Config {
                name: name.to_owned(),
                subjects: vec![subject.to_owned()],
                storage: stream::StorageType::File,
                duplicate_window: window,
                max_bytes: max_bytes.unwrap_or(-1),
                discard: stream::DiscardPolicy::New,
                num_replicas: limits.replicas.unwrap_or(streams::DEFAULT_REPLICAS),
                ..Default::default()
            })
            .await
            .map_err(|e| anyhow::anyhow!("failed to provision stream {name}: {e}"))?;
        if let Some(replicas) = limits.replicas {
            ensure_replicas(js, stream, replicas).await?;
        }
    }
    Ok(())
}

/// Give `stream` `replicas` replicas if it has another count; `Ok(true)` when it changed.
/// Everything else in its configuration is sent back as the server has it, so only the count
/// changes. JetStream moves the stream's consumers with it (those that inherit the count).
pub async fn ensure_replicas(
    js: &jetstream::Context,
    mut stream: stream::Stream,
    replicas: usize,
) -> anyhow::Result<bool> {
    let mut config = stream.cached_info().config.clone();
    let name = config.name.clone();
    let mut have = config.num_replicas.max(1);
    if have == replicas {
        return Ok(false);
    }
    // Another service starting at the same time may have changed it a moment ago: look again
    // before changing it, so the update (and its log line) happens once.
    if let Ok(info) = stream.info().await {
        config = info.config.clone();
        have = config.num_replicas.max(1);
        if have == replicas {
            return Ok(false);
        }
    }
    config.num_replicas = replicas;
    js.update_stream(config).await.map_err(|e| {
        anyhow::anyhow!(
            "cannot change stream {name} from {have} to {replicas} replicas (a cluster needs \
             at least as many nodes): {e}"
        )
    })?;
    tracing::info!(stream = %name, from = have, to = replicas, "stream replicas changed");
    Ok(true)
}

/// How long the newsroom may hold an event before acking it, after which JetStream offers it
/// again: long enough for a script that writes each event somewhere before acking.
pub const NEWSROOM_ACK_WAIT: Duration = Duration::from_secs(30);
/// Events delivered to the newsroom and not yet acked, at most: a newsroom client that stops
/// acking stops receiving, instead of being flooded with redeliveries.
pub const NEWSROOM_MAX_ACK_PENDING: i64 = 1000;

/// Create the newsroom's durable pull consumer on EVENTS if it is missing (see
/// [`streams::NEWSROOM_CONSUMER`]). It starts at the first event the stream holds, so a
/// newsroom connecting late still gets everything, once; an existing consumer keeps its
/// position. It inherits the stream's replicas.
pub async fn provision_newsroom_consumer(js: &jetstream::Context) -> anyhow::Result<()> {
    let name = streams::NEWSROOM_CONSUMER;
    let events = js
        .get_stream(streams::EVENTS)
        .await
        .map_err(|e| anyhow::anyhow!("cannot open stream {}: {e}", streams::EVENTS))?;
    events
        .get_or_create_consumer::<jetstream::consumer::pull::Config>(
            name,
            jetstream::consumer::pull::Config {
                durable_name: Some(name.to_owned()),
                description: Some("the newsroom's events, at least once".to_owned()),
                deliver_policy: jetstream::consumer::DeliverPolicy::All,
                ack_policy: jetstream::consumer::AckPolicy::Explicit,
                ack_wait: NEWSROOM_ACK_WAIT,
                max_ack_pending: NEWSROOM_MAX_ACK_PENDING,
                ..Default::default()
            },
        )
        .await
        .map_err(|e| anyhow::anyhow!("cannot provision consumer {name}: {e}"))?;
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

#[cfg(test)]
mod tests {
    #[test]
    fn a_url_list_gives_every_server_and_ignores_blanks() {
        assert_eq!(
            super::server_list("nats://a:4222, nats://b:4222,,nats://c:4222 "),
            ["nats://a:4222", "nats://b:4222", "nats://c:4222"]
        );
        assert_eq!(
            super::server_list("nats://127.0.0.1:4222"),
            ["nats://127.0.0.1:4222"]
        );
    }

    #[test]
    fn replicas_are_one_to_five() {
        assert_eq!(super::parse_replicas("3"), Ok(3));
        for bad in ["0", "6", "three", ""] {
            assert!(super::parse_replicas(bad).is_err(), "{bad}");
        }
    }
}
