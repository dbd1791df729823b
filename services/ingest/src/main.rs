use clap::Parser;
use dongtai_ingest::config::{Cli, Command};

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    dongtai_common::telemetry::init();
    match Cli::parse().command {
        Command::Serve(config) => {
            let shutdown = dongtai_common::shutdown::on_signal();
            let app = dongtai_ingest::Application::build(config).await?;
            app.run_until_stopped(shutdown).await
        }
        Command::Push(args) => dongtai_ingest::push::run(args).await,
        Command::Watch(config) => {
            let shutdown = dongtai_common::shutdown::on_signal();
            let watcher = dongtai_ingest::watch::Watcher::build(config).await?;
            watcher.run_until_stopped(shutdown).await
        }
    }
}
