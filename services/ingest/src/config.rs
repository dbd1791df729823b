//! Command line and environment configuration.

use dongtai_common::NatsArgs;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

/// dongtai-ingest: takes articles in and publishes them to JetStream.
#[derive(Debug, clap::Parser)]
#[command(version, about)]
pub struct Cli {
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// Subcommands.
#[derive(Debug, clap::Subcommand)]
pub enum Command {
    /// Serve the HTTP API (POST /v1/articles).
    Serve(Config),
    /// Send files and folders to a running ingest server.
    Push(PushArgs),
    /// Poll news feeds and ingest the article page of every new item.
    Watch(WatchConfig),
}

/// Configuration of `dongtai-ingest serve`.
#[derive(Debug, Clone, clap::Args)]
pub struct Config {
    /// Address to listen on (port 0 picks a free port).
    #[arg(long, env = "DONGTAI_HTTP_ADDR", default_value = "127.0.0.1:8081")]
    pub http_addr: SocketAddr,
    /// NATS connection.
    #[command(flatten)]
    pub nats: NatsArgs,
    /// Largest request body accepted, in bytes.
    #[arg(long, env = "DONGTAI_MAX_BODY_BYTES", default_value_t = 512 * 1024)]
    pub max_body_bytes: usize,
    /// Bearer token required on POST /v1/articles (unset: no token needed).
    #[arg(long, env = "DONGTAI_INGEST_TOKEN", hide_env_values = true)]
    pub token: Option<String>,
    /// Browser access from other origins.
    #[command(flatten)]
    pub cors: dongtai_common::auth::CorsArgs,
    /// Requests handled at once; more wait.
    #[arg(long, env = "DONGTAI_MAX_CONCURRENT_REQUESTS", default_value_t = 256)]
    pub max_concurrent_requests: usize,
    /// Seconds a request may take before it is answered 503.
    #[arg(long, env = "DONGTAI_REQUEST_TIMEOUT_SECS", default_value_t = 15)]
    pub request_timeout_secs: u64,
}

impl Config {
    /// Defaults for a server on `nats_url`, listening on a free port (what tests use).
    pub fn for_tests(nats_url: &str) -> Self {
        Self {
            http_addr: SocketAddr::from(([127, 0, 0, 1], 0)),
            nats: NatsArgs::plain(nats_url),
            max_body_bytes: 512 * 1024,
            token: None,
            cors: Default::default(),
            max_concurrent_requests: 256,
            request_timeout_secs: 15,
        }
    }
}

/// Arguments of `dongtai-ingest push`.
#[derive(Debug, Clone, clap::Args)]
pub struct PushArgs {
    /// The ingest server.
    #[arg(
        long,
        env = "DONGTAI_INGEST_URL",
        default_value = "http://127.0.0.1:8081"
    )]
    pub server: String,
    /// Bearer token for the ingest server.
    #[arg(long, env = "DONGTAI_INGEST_TOKEN", hide_env_values = true)]
    pub token: Option<String>,
    /// Treat every file as a scanned page (split into articles), unless its sidecar says otherwise.
    #[arg(long)]
    pub page: bool,
    /// Requests in flight at once.
    #[arg(long, default_value_t = 8)]
    pub concurrency: usize,
    /// Times a file is sent again after a 503 (the server's Retry-After is honoured).
    #[arg(long, env = "DONGTAI_PUSH_RETRIES", default_value_t = 5)]
    pub retries: u32,
    /// Files (.txt in UTF-8, GB18030/GBK or Big5; .html/.htm pages) or folders to send. A file
    /// `X.txt` may have a sidecar `X.json` with `outlet`, `page`, `published`, `title`, `url`
    /// and `layout` ("page" or "article"); a page's sidecar gives `outlet` and `url` (its title
    /// and date are read from the page unless the sidecar gives them).
    #[arg(required = true)]
    pub paths: Vec<PathBuf>,
}

/// Configuration of `dongtai-ingest watch`.
#[derive(Debug, Clone, clap::Args)]
pub struct WatchConfig {
    /// The sources file (TOML, one `[[source]]` table per feed; see the README).
    #[arg(long, env = "DONGTAI_WATCH_SOURCES")]
    pub sources: PathBuf,
    /// Address of /healthz, /metrics and /v1/sources (port 0 picks a free port).
    #[arg(
        long,
        env = "DONGTAI_WATCH_HTTP_ADDR",
        default_value = "127.0.0.1:8083"
    )]
    pub http_addr: SocketAddr,
    /// NATS connection.
    #[command(flatten)]
    pub nats: NatsArgs,
    /// Seconds between two polls of a feed, unless its source says otherwise.
    #[arg(long = "interval-secs", env = "DONGTAI_WATCH_INTERVAL_SECS", default_value = "300", value_parser = parse_secs)]
    pub interval: Duration,
    /// Seconds between two requests to the same host (a politeness limit shared by all its
    /// feeds and pages).
    #[arg(long = "host-gap-secs", env = "DONGTAI_WATCH_HOST_GAP_SECS", default_value = "1", value_parser = parse_secs)]
    pub host_gap: Duration,
    /// Seconds a feed or page request may take, connecting included.
    #[arg(long = "fetch-timeout-secs", env = "DONGTAI_WATCH_FETCH_TIMEOUT_SECS", default_value = "20", value_parser = parse_secs)]
    pub fetch_timeout: Duration,
    /// Largest feed or page read, in bytes; a larger one is refused.
    #[arg(long, env = "DONGTAI_WATCH_MAX_BYTES", default_value_t = 8 * 1024 * 1024)]
    pub max_bytes: usize,
    /// Seconds before the first retry of a page that failed for a passing reason (a 5xx, a
    /// timeout, NATS away); each further retry waits twice as long.
    #[arg(long = "retry-secs", env = "DONGTAI_WATCH_RETRY_SECS", default_value = "60", value_parser = parse_secs)]
    pub retry_base: Duration,
    /// The longest wait between two retries, in seconds.
    #[arg(long = "retry-max-secs", env = "DONGTAI_WATCH_RETRY_MAX_SECS", default_value = "3600", value_parser = parse_secs)]
    pub retry_max: Duration,
    /// Attempts at a page before it is given up (and logged as an error).
    #[arg(long, env = "DONGTAI_WATCH_MAX_ATTEMPTS", default_value_t = 10)]
    pub max_attempts: u32,
    /// The User-Agent sent to the sites.
    #[arg(long, env = "DONGTAI_WATCH_USER_AGENT", default_value = concat!("dongtai-ingest/", env!("CARGO_PKG_VERSION"), " (news feed reader)"))]
    pub user_agent: String,
}

impl WatchConfig {
    /// Defaults for a watcher of `sources` on `nats_url`: quick polls and retries, no host gap
    /// (what tests use).
    pub fn for_tests(nats_url: &str, sources: PathBuf) -> Self {
        Self {
            sources,
            http_addr: SocketAddr::from(([127, 0, 0, 1], 0)),
            nats: NatsArgs::plain(nats_url),
            interval: Duration::from_millis(200),
            host_gap: Duration::ZERO,
            fetch_timeout: Duration::from_secs(5),
            max_bytes: 8 * 1024 * 1024,
            retry_base: Duration::from_millis(200),
            retry_max: Duration::from_secs(2),
            max_attempts: 10,
            user_agent: "dongtai-ingest-test".to_owned(),
        }
    }
}

/// Seconds, fractions allowed (`0.5`), as a duration.
fn parse_secs(s: &str) -> Result<Duration, String> {
    let secs: f64 = s
        .trim()
        .parse()
        .map_err(|e| format!("{s:?} is not a number of seconds: {e}"))?;
    Duration::try_from_secs_f64(secs).map_err(|e| format!("{s:?} is not a duration: {e}"))
}
