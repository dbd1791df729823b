//! Command line and environment configuration.

use dongtai_common::NatsArgs;
use std::net::SocketAddr;
use std::path::PathBuf;

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
    /// Files (.txt) or folders to send. A file `X.txt` may have a sidecar `X.json` with
    /// `outlet`, `page`, `published`, `title`, `url` and `layout` ("page" or "article").
    #[arg(required = true)]
    pub paths: Vec<PathBuf>,
}
