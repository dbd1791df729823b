//! The three services under test: child processes from the release build (what production runs,
//! so RSS and CPU are per service), or tasks in this process (what the smoke test runs, so it needs
//! no release build).

use anyhow::Context as _;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::{Duration, Instant};
use tokio::task::JoinHandle;
use tokio_util::sync::CancellationToken;

/// How the services run.
#[derive(Debug, Clone)]
pub enum Mode {
    /// `dongtai-{ingest,extract,timeline} serve` from this folder.
    Processes(PathBuf),
    /// `Application::build` + `run_until_stopped` in tokio tasks.
    InProcess,
}

/// The running services.
pub struct Services {
    /// `http://127.0.0.1:PORT` of ingest.
    pub ingest_url: String,
    /// `http://127.0.0.1:PORT` of the timeline.
    pub timeline_url: String,
    running: Running,
    /// Holds the timeline's sled (and the logs of child processes) until dropped.
    pub dir: tempfile::TempDir,
}

enum Running {
    Processes(Vec<(&'static str, tokio::process::Child)>),
    InProcess(
        CancellationToken,
        Vec<(&'static str, JoinHandle<anyhow::Result<()>>)>,
    ),
}

/// The names services are reported under.
pub const NAMES: [&str; 3] = ["ingest", "extract", "timeline"];

impl Services {
    /// Start the three services against `nats_url` and wait until each is ready.
    pub async fn start(mode: &Mode, nats_url: &str) -> anyhow::Result<Self> {
        let dir = tempfile::tempdir().context("cannot create a temp dir")?;
        let data = dir.path().join("timeline");
        let (ingest_url, timeline_url, running) = match mode {
            Mode::Processes(bin) => start_processes(bin, nats_url, dir.path(), &data).await?,
            Mode::InProcess => start_in_process(nats_url, data).await?,
        };
        let services = Services {
            ingest_url,
            timeline_url,
            running,
            dir,
        };
        Ok(services)
    }

    /// `(name, pid)` of each child process (empty in process).
    pub fn pids(&self) -> Vec<(&'static str, u32)> {
        match &self.running {
            Running::Processes(children) => children
                .iter()
                .filter_map(|(n, c)| Some((*n, c.id()?)))
                .collect(),
            Running::InProcess(..) => Vec::new(),
        }
    }

    /// Stop gracefully (SIGTERM, then SIGKILL after 15 s).
    pub async fn stop(self) -> anyhow::Result<()> {
        match self.running {
            Running::Processes(children) => {
                for (name, child) in children {
                    terminate(name, child).await;
                }
            }
            Running::InProcess(stop, tasks) => {
                stop.cancel();
                for (name, task) in tasks {
                    match tokio::time::timeout(Duration::from_secs(15), task).await {
                        Ok(Ok(Ok(()))) => {}
                        other => tracing::warn!(service = name, result = ?other, "unclean stop"),
                    }
                }
            }
        }
        Ok(())
    }
}

/// A free loopback port (bound, read, released: a tiny race, acceptable for a benchmark).
fn free_addr() -> anyhow::Result<SocketAddr> {
    let l = std::net::TcpListener::bind("127.0.0.1:0").context("cannot bind a free port")?;
    l.local_addr().context("no local address")
}

async fn start_processes(
    bin: &Path,
    nats_url: &str,
    dir: &Path,
    data: &Path,
) -> anyhow::Result<(String, String, Running)> {
    let mut children = Vec::new();
    let mut urls = Vec::new();
    for name in NAMES {
        let (url, child) = spawn_service(bin, name, nats_url, dir, data)?;
        children.push((name, child));
        urls.push(url);
    }
    for url in &urls {
        wait_ready(url).await?;
    }
    Ok((
        urls[0].clone(),
        urls[2].clone(),
        Running::Processes(children),
    ))
}

/// Start `dongtai-NAME serve` from `bin` on a free port, logging to `log_dir/NAME.log`; returns
/// its base URL (not yet ready: see [`wait_ready`]) and the child (killed on drop).
pub fn spawn_service(
    bin: &Path,
    name: &str,
    nats_url: &str,
    log_dir: &Path,
    data: &Path,
) -> anyhow::Result<(String, tokio::process::Child)> {
    let exe = bin.join(format!("dongtai-{name}"));
    anyhow::ensure!(
        exe.exists(),
        "{} is missing: run `cargo build --release -p dongtai-ingest -p dongtai-extract \
         -p dongtai-timeline -p dongtai-bench` (or use --in-process)",
        exe.display()
    );
    let addr = free_addr()?;
    let log = std::fs::File::create(log_dir.join(format!("{name}.log")))
        .with_context(|| format!("cannot create the log of {name}"))?;
    let child = tokio::process::Command::new(&exe)
        .arg("serve")
        .env("DONGTAI_NATS_URL", nats_url)
        .env("DONGTAI_HTTP_ADDR", addr.to_string())
        .env("DONGTAI_DATA_DIR", data)
        .env(
            "RUST_LOG",
            std::env::var("RUST_LOG").unwrap_or_else(|_| "warn".to_owned()),
        )
        .stdin(Stdio::null())
        .stdout(log.try_clone().context("cannot share the log file")?)
        .stderr(log)
        .kill_on_drop(true)
        .spawn()
        .with_context(|| format!("cannot start {}", exe.display()))?;
    Ok((format!("http://{addr}"), child))
}

/// Ask a child to stop (SIGTERM) and wait for it; SIGKILL after 15 s.
pub async fn terminate(name: &str, mut child: tokio::process::Child) {
    if let Some(pid) = child.id() {
        let _ = tokio::process::Command::new("kill")
            .args(["-TERM", &pid.to_string()])
            .status()
            .await;
    }
    if tokio::time::timeout(Duration::from_secs(15), child.wait())
        .await
        .is_err()
    {
        tracing::warn!(service = name, "did not stop in 15 s; killing it");
        let _ = child.kill().await;
    }
}

/// The folder of this binary: where `cargo build --release` put the services too.
pub fn this_binary_folder() -> anyhow::Result<PathBuf> {
    std::env::current_exe()
        .context("cannot find this binary")?
        .parent()
        .map(PathBuf::from)
        .context("this binary has no folder")
}

async fn start_in_process(
    nats_url: &str,
    data: PathBuf,
) -> anyhow::Result<(String, String, Running)> {
    let stop = CancellationToken::new();
    let ingest =
        dongtai_ingest::Application::build(dongtai_ingest::config::Config::for_tests(nats_url))
            .await?;
    let extract =
        dongtai_extract::Application::build(dongtai_extract::config::Config::for_tests(nats_url))
            .await?;
    let timeline = dongtai_timeline::Application::build(
        dongtai_timeline::config::Config::for_tests(nats_url, data),
    )
    .await?;
    let urls = [
        ingest.local_addr(),
        extract.local_addr(),
        timeline.local_addr(),
    ]
    .map(|a| format!("http://{a}"));
    let tasks = vec![
        (
            "ingest",
            tokio::spawn(ingest.run_until_stopped(stop.clone())),
        ),
        (
            "extract",
            tokio::spawn(extract.run_until_stopped(stop.clone())),
        ),
        (
            "timeline",
            tokio::spawn(timeline.run_until_stopped(stop.clone())),
        ),
    ];
    for url in &urls {
        wait_ready(url).await?;
    }
    let [ingest_url, _, timeline_url] = urls;
    Ok((ingest_url, timeline_url, Running::InProcess(stop, tasks)))
}

/// Poll `/readyz` until it answers 200 (30 s at most).
pub async fn wait_ready(base: &str) -> anyhow::Result<()> {
    let http = reqwest::Client::new();
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let ok = http
            .get(format!("{base}/readyz"))
            .timeout(Duration::from_secs(2))
            .send()
            .await
            .is_ok_and(|r| r.status().is_success());
        if ok {
            return Ok(());
        }
        anyhow::ensure!(
            Instant::now() < deadline,
            "{base} was not ready within 30 s"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}
