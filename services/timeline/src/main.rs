use clap::Parser;
use dongtai_timeline::config::{Cli, Command};

#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[tokio::main]
async fn main() -> anyhow::Result<()> {
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
