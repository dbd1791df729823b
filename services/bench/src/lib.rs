//! dongtai-bench: measures the pipeline against the JetStream ceiling of the same run, query
//! latency over a large timeline, and the replay rate of a rebuild.
//!
//! Every figure is measured against something the same run also measured (the raw JetStream
//! publish rate on the same server and client settings), so numbers from a busy shared machine
//! still compare: a ratio moves much less than an absolute rate.

pub mod events;
pub mod jetstream;
pub mod pipeline;
pub mod procstat;
pub mod query;
pub mod services;
pub mod stats;

use dongtai_testkit::NatsServer;

/// The NATS server a benchmark runs against: its own (started here, removed on drop) or one
/// the operator points it at.
pub enum Nats {
    /// A nats-server child with JetStream in a temp dir.
    Own(NatsServer),
    /// An external server.
    External(String),
}

impl Nats {
    /// Start a server unless `url` is given.
    pub fn start_or_use(url: Option<String>) -> Self {
        match url {
            Some(u) => Nats::External(u),
            None => Nats::Own(NatsServer::start()),
        }
    }

    /// `nats://host:port`.
    pub fn url(&self) -> &str {
        match self {
            Nats::Own(s) => s.url(),
            Nats::External(u) => u,
        }
    }

    /// The server's pid when it is ours (read back from its ports file).
    pub fn pid(&self) -> Option<u32> {
        let Nats::Own(s) = self else { return None };
        let dir = std::fs::read_dir(s.dir().join("ports")).ok()?;
        dir.filter_map(Result::ok).find_map(|e| {
            let name = e.file_name().into_string().ok()?;
            name.strip_prefix("nats-server_")?
                .strip_suffix(".ports")?
                .parse()
                .ok()
        })
    }
}

/// Connect with the settings every service uses.
pub async fn connect(url: &str) -> anyhow::Result<async_nats::Client> {
    dongtai_common::connect(&dongtai_common::NatsArgs::plain(url), "dongtai-bench").await
}
