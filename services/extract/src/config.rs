//! Command line and environment configuration.

use chrono::NaiveDate;
use dongtai_common::NatsArgs;
use std::net::SocketAddr;
use std::path::PathBuf;

/// dongtai-extract: turns articles into activity events.
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
    /// Consume ARTICLES, publish events to EVENTS (a worker; run several to scale).
    Serve(Config),
    /// Print the events of one text file as a JSON array (no NATS needed).
    File(FileArgs),
    /// Re-extract every stored article with this engine: publish changed events, retract
    /// events no longer found.
    Replay(crate::replay::ReplayArgs),
}

/// Configuration of `dongtai-extract serve`.
#[derive(Debug, Clone, clap::Args)]
pub struct Config {
    /// Address of the health and metrics endpoints (port 0 picks a free port).
    #[arg(long, env = "DONGTAI_HTTP_ADDR", default_value = "127.0.0.1:8082")]
    pub http_addr: SocketAddr,
    /// NATS connection.
    #[command(flatten)]
    pub nats: NatsArgs,
    /// Articles extracted at once (default: twice the cores).
    #[arg(long, env = "DONGTAI_EXTRACT_CONCURRENCY")]
    pub concurrency: Option<usize>,
    /// Test-only: an article whose text contains this marker makes the engine panic, to prove
    /// that a poison article ends in the dead letters without stopping the stream.
    #[arg(long, env = "DONGTAI_TEST_PANIC_MARKER", hide = true)]
    pub test_panic_marker: Option<String>,
}

impl Config {
    /// Defaults for a worker on `nats_url` (what tests use).
    pub fn for_tests(nats_url: &str) -> Self {
        Self {
            http_addr: SocketAddr::from(([127, 0, 0, 1], 0)),
            nats: NatsArgs::plain(nats_url),
            concurrency: None,
            test_panic_marker: None,
        }
    }
}

/// Arguments of `dongtai-extract file`.
#[derive(Debug, Clone, clap::Args)]
pub struct FileArgs {
    /// Publication date (YYYY-MM-DD): anchors years and relative days. Without it, dates whose
    /// year cannot be known are reported as approximate.
    #[arg(long)]
    pub published: Option<NaiveDate>,
    /// The text file.
    pub path: PathBuf,
}
