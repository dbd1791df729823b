use clap::Parser;
use dongtai_timeline::config::{Cli, Command};

#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// Threads reading and writing sled. Queries run there (sled blocks); a bound keeps a burst
/// of requests queueing for a few threads instead of starting hundreds, each with its own
/// allocator heap (a query benchmark at 200 requests/s grew the process past 3 GB without it).
const STORE_THREADS: usize = 8;

fn main() -> anyhow::Result<()> {
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .max_blocking_threads(STORE_THREADS)
        .build()?
        .block_on(run())
}

async fn run() -> anyhow::Result<()> {
    dongtai_common::telemetry::init();
    match Cli::parse().command {
        Command::Serve(config) => {
            let shutdown = dongtai_common::shutdown::on_signal();
            let app = dongtai_timeline::Application::build(config).await?;
            app.run_until_stopped(shutdown).await
        }
        Command::Rebuild(args) => {
            let report = dongtai_timeline::rebuild::run(&args).await?;
            println!("{report}");
            Ok(())
        }
    }
}
