//! Command line and environment configuration.

use dongtai_common::NatsArgs;
use std::net::SocketAddr;
use std::path::PathBuf;

/// dongtai-timeline: stores activity events and answers queries.
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
    /// Consume EVENTS into sled and serve the HTTP API.
    Serve(Config),
    /// Rebuild the sled view by replaying the whole EVENTS stream, then exit.
    Rebuild(RebuildArgs),
}

/// Configuration of `dongtai-timeline serve`.
#[derive(Debug, Clone, clap::Args)]
pub struct Config {
    /// Address to listen on (port 0 picks a free port).
    #[arg(long, env = "DONGTAI_HTTP_ADDR", default_value = "127.0.0.1:8080")]
    pub http_addr: SocketAddr,
    /// NATS connection.
    #[command(flatten)]
    pub nats: NatsArgs,
    /// Where sled keeps the timeline.
    #[arg(long, env = "DONGTAI_DATA_DIR", default_value = "data/timeline")]
    pub data_dir: PathBuf,
    /// sled page cache, MiB: more keeps more of a large timeline in memory.
    #[arg(long, env = "DONGTAI_CACHE_MB", default_value_t = crate::store::DEFAULT_CACHE_MB)]
    pub cache_mb: u64,
    /// Name of this replica (letters, digits, - and _): each replica keeps its own durable
    /// consumer (`timeline-<name>`) and its own sled, so give every replica another name and
    /// another data dir.
    #[arg(
        long,
        alias = "replica-id",
        env = "DONGTAI_TIMELINE_REPLICA",
        default_value = "main",
        value_parser = parse_replica
    )]
    pub replica: String,
    /// Bearer token required on /v1/* (unset: no token needed).
    #[arg(long, env = "DONGTAI_API_TOKEN", hide_env_values = true)]
    pub token: Option<String>,
    /// Browser access from other origins.
    #[command(flatten)]
    pub cors: dongtai_common::auth::CorsArgs,
    /// Requests handled at once; more wait.
    #[arg(long, env = "DONGTAI_MAX_CONCURRENT_REQUESTS", default_value_t = 512)]
    pub max_concurrent_requests: usize,
    /// Seconds a request may take.
    #[arg(long, env = "DONGTAI_REQUEST_TIMEOUT_SECS", default_value_t = 10)]
    pub request_timeout_secs: u64,
}

fn parse_replica(text: &str) -> Result<String, String> {
    if dongtai_proto::streams::is_valid_replica_name(text) {
        Ok(text.to_owned())
    } else {
        Err(format!(
            "{text:?} cannot name a replica: use 1 to 32 letters, digits, - or _"
        ))
    }
}

impl Config {
    /// Defaults for a timeline on `nats_url` with its sled in `data_dir`, on a free port.
    pub fn for_tests(nats_url: &str, data_dir: PathBuf) -> Self {
        Self {
            http_addr: SocketAddr::from(([127, 0, 0, 1], 0)),
            nats: NatsArgs::plain(nats_url),
            data_dir,
            cache_mb: crate::store::DEFAULT_CACHE_MB,
            replica: "main".to_owned(),
            token: None,
            cors: Default::default(),
            max_concurrent_requests: 512,
            request_timeout_secs: 10,
        }
    }
}

/// Arguments of `dongtai-timeline rebuild`.
#[derive(Debug, Clone, clap::Args)]
pub struct RebuildArgs {
    /// NATS connection.
    #[command(flatten)]
    pub nats: NatsArgs,
    /// Where sled keeps the timeline.
    #[arg(long, env = "DONGTAI_DATA_DIR", default_value = "data/timeline")]
    pub data_dir: PathBuf,
    /// sled page cache, MiB.
    #[arg(long, env = "DONGTAI_CACHE_MB", default_value_t = crate::store::DEFAULT_CACHE_MB)]
    pub cache_mb: u64,
}
