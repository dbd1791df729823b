use clap::Parser;

/// The allocator the timeline runs with, so in-process figures match the service's.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// dongtai-bench: how fast the pipeline, the queries and a rebuild are, measured on this machine
/// against the JetStream ceiling of the same run. Prints one JSON line on stdout.
#[derive(Debug, Parser)]
#[command(version, about)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, clap::Subcommand)]
enum Command {
    /// Articles through ingest → extract → timeline: throughput, ceiling ratio, latency, RSS.
    Pipeline(dongtai_bench::pipeline::PipelineArgs),
    /// Query latency over a large timeline, and the replay rate of a rebuild.
    Query(dongtai_bench::query::QueryArgs),
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    dongtai_common::telemetry::init();
    let line = match Cli::parse().command {
        Command::Pipeline(args) => {
            serde_json::to_string(&dongtai_bench::pipeline::run(args).await?)?
        }
        Command::Query(args) => serde_json::to_string(&dongtai_bench::query::run(args).await?)?,
    };
    println!("{line}");
    Ok(())
}
