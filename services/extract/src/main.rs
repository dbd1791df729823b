use clap::Parser;
use dongtai_extract::config::{Cli, Command};
use std::process::ExitCode;

#[tokio::main]
async fn main() -> ExitCode {
    let cli = Cli::parse();
    if !matches!(cli.command, Command::File(_)) {
        dongtai_common::telemetry::init();
    }
    let result = match cli.command {
        Command::File(args) => dongtai_extract::file::run(&args),
        Command::Replay(args) => dongtai_extract::replay::run(&args).await.map(|report| {
            println!("{report}");
        }),
        Command::Serve(config) => {
            let shutdown = dongtai_common::shutdown::on_signal();
            match dongtai_extract::Application::build(config).await {
                Ok(app) => app.run_until_stopped(shutdown).await,
                Err(e) => Err(e),
            }
        }
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("dongtai-extract: {e:#}");
            ExitCode::from(2)
        }
    }
}
