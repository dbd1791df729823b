//! tracing setup: human-readable by default, JSON lines in production (`DONGTAI_LOG_FORMAT=json`).

use tracing_subscriber::EnvFilter;

/// Install the global subscriber. The filter comes from `RUST_LOG` (default `info`). Safe to
/// call twice (tests start several services in one process): the second call does nothing.
pub fn init() {
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info"));
    let json = std::env::var("DONGTAI_LOG_FORMAT").is_ok_and(|v| v == "json");
    // Colours only on a terminal: log files and journald get plain text.
    let ansi = std::io::IsTerminal::is_terminal(&std::io::stderr());
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(ansi);
    let _ = if json {
        builder.json().try_init()
    } else {
        builder.try_init()
    };
}
