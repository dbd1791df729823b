//! Test harness with no dependency on the services: a real nats-server per test (JetStream in
//! a temp dir, random port, killed on drop), `wait_until`, and the seed page.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// A nats-server child process with JetStream, on a free loopback port.
pub struct NatsServer {
    child: Option<Child>,
    dir: tempfile::TempDir,
    url: String,
    port: u16,
    config: Option<PathBuf>,
    env: Vec<(String, String)>,
}

impl NatsServer {
    /// Start a server with JetStream in a fresh temp dir.
    pub fn start() -> Self {
        Self::start_with(None)
    }

    /// Start a server with an extra config file (e.g. deploy/nats/auth.conf).
    pub fn start_with(config: Option<PathBuf>) -> Self {
        Self::start_with_env(config, Vec::new())
    }

    /// Start a server with a config file and environment variables (the config's `$VARS`).
    pub fn start_with_env(config: Option<PathBuf>, env: Vec<(String, String)>) -> Self {
        let dir = tempfile::tempdir().expect("temp dir");
        let mut server = Self {
            child: None,
            dir,
            url: String::new(),
            port: 0,
            config,
            env,
        };
        server.spawn(None);
        server
    }

    fn spawn(&mut self, port: Option<u16>) {
        let dir = self.dir.path();
        let store = dir.join("store");
        let ports_dir = dir.join("ports");
        let _ = std::fs::remove_dir_all(&ports_dir);
        std::fs::create_dir_all(&ports_dir).unwrap();
        let port_arg = port.map(|p| p.to_string()).unwrap_or_else(|| "-1".into());
        let mut cmd = Command::new("nats-server");
        if let Some(c) = &self.config {
            cmd.arg("-c").arg(c);
        }
        cmd.envs(self.env.iter().map(|(k, v)| (k.as_str(), v.as_str())));
        cmd.args(["-a", "127.0.0.1", "-p", &port_arg, "-js", "-sd"])
            .arg(&store)
            .arg("--ports_file_dir")
            .arg(&ports_dir)
            .arg("-l")
            .arg(dir.join("nats.log"))
            .stdout(Stdio::null())
            .stderr(Stdio::null());
        let child = cmd.spawn().unwrap_or_else(|e| {
            panic!(
                "cannot start nats-server ({e}). Install it: `apt-get install -y nats-server` \
                 (deploy/test.sh does this for you)"
            )
        });
        let pid = child.id();
        self.child = Some(child);
        let ports_file = ports_dir.join(format!("nats-server_{pid}.ports"));
        let deadline = Instant::now() + Duration::from_secs(15);
        let url = loop {
            if let Some(url) = std::fs::read_to_string(&ports_file)
                .ok()
                .and_then(|t| parse_client_url(&t))
            {
                break url;
            }
            assert!(
                Instant::now() < deadline,
                "nats-server did not report its port; see {}",
                dir.join("nats.log").display()
            );
            std::thread::sleep(Duration::from_millis(20));
        };
        self.port = url.rsplit(':').next().and_then(|p| p.parse().ok()).unwrap();
        self.url = url;
    }

    /// `nats://127.0.0.1:PORT`.
    pub fn url(&self) -> &str {
        &self.url
    }

    /// The folder holding the JetStream store and the log.
    pub fn dir(&self) -> &Path {
        self.dir.path()
    }

    /// Kill the server (SIGKILL), as a crash would.
    pub fn kill(&mut self) {
        if let Some(mut c) = self.child.take() {
            let _ = c.kill();
            let _ = c.wait();
        }
    }

    /// Start it again on the same port with the same store.
    pub fn restart(&mut self) {
        self.kill();
        let port = self.port;
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            self.spawn(Some(port));
            if self.child.as_mut().unwrap().try_wait().unwrap().is_none() {
                return;
            }
            assert!(
                Instant::now() < deadline,
                "nats-server did not restart on port {port}"
            );
            std::thread::sleep(Duration::from_millis(100));
        }
    }
}

impl Drop for NatsServer {
    fn drop(&mut self) {
        self.kill();
    }
}

fn parse_client_url(ports_json: &str) -> Option<String> {
    // {"nats":["nats://127.0.0.1:4222"], ...}: take the first nats:// URL.
    let start = ports_json.find("nats://")?;
    let rest = &ports_json[start..];
    let end = rest.find('"')?;
    Some(rest[..end].to_owned())
}

/// Poll `condition` until it is true or `timeout` passes; returns whether it became true.
pub async fn wait_until<F, Fut>(timeout: Duration, mut condition: F) -> bool
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = bool>,
{
    let deadline = Instant::now() + timeout;
    loop {
        if condition().await {
            return true;
        }
        if Instant::now() >= deadline {
            return false;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// The repository's root folder.
pub fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .canonicalize()
        .unwrap()
}

/// The customer's sample page and its publication date.
pub fn seed_page() -> (String, &'static str) {
    let text = std::fs::read_to_string(repo_root().join("seeds/xuhui-2023-11-10-p1.txt")).unwrap();
    (text, "2023-11-10")
}

/// A service binary built next to the running test (`target/<profile>/NAME`), brought up to
/// date first (once per test process): a test that runs a stale binary against an engine
/// compiled into the test itself would report events "lost" that were only extracted
/// differently. NAME is also the package's name.
pub fn service_binary(name: &str) -> PathBuf {
    static BUILT: std::sync::Mutex<Vec<String>> = std::sync::Mutex::new(Vec::new());
    let exe = std::env::current_exe().unwrap();
    // target/<profile>/deps/<test> → target/<profile>/<name>
    let profile_dir = exe.parent().and_then(Path::parent).unwrap();
    let path = profile_dir.join(name);
    let mut built = BUILT
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    if !built.iter().any(|b| b == name) {
        let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
        let mut cmd = std::process::Command::new(cargo);
        cmd.args(["build", "-q", "-p", name, "--bin", name])
            .current_dir(repo_root());
        if profile_dir.file_name().is_some_and(|p| p == "release") {
            cmd.arg("--release");
        }
        let status = cmd.status().expect("cargo runs");
        assert!(status.success(), "building {name} failed");
        built.push(name.to_owned());
    }
    assert!(
        path.exists(),
        "{} is missing after building it",
        path.display()
    );
    path
}

/// A JetStream cluster of nats-server child processes on this machine: every node on its own
/// loopback ports, its own store, killed on drop. A node can be killed (SIGKILL) and started
/// again with the same ports and store, as a crashed machine that comes back.
pub struct NatsCluster {
    dir: tempfile::TempDir,
    nodes: Vec<ClusterNode>,
    env: Vec<(String, String)>,
}

struct ClusterNode {
    name: String,
    port: u16,
    config: PathBuf,
    log: PathBuf,
    child: Option<Child>,
}

/// A loopback port nobody listens on right now.
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

impl NatsCluster {
    /// Start `size` nodes with JetStream, routed to each other, no authentication.
    pub fn start(size: usize) -> Self {
        Self::start_with(size, None, Vec::new())
    }

    /// Start `size` nodes that each include `accounts` (e.g. deploy/nats/accounts.conf) with
    /// `env` set (the config's `$VARS`).
    pub fn start_with(size: usize, accounts: Option<&Path>, env: Vec<(String, String)>) -> Self {
        let dir = tempfile::tempdir().expect("temp dir");
        let client_ports: Vec<u16> = (0..size).map(|_| free_port()).collect();
        let route_ports: Vec<u16> = (0..size).map(|_| free_port()).collect();
        let routes = route_ports
            .iter()
            .map(|p| format!("\"nats-route://127.0.0.1:{p}\""))
            .collect::<Vec<_>>()
            .join(", ");
        let include = accounts.map(|a| {
            std::fs::copy(a, dir.path().join("accounts.conf")).unwrap();
            "include \"accounts.conf\"\n".to_owned()
        });
        let mut nodes = Vec::with_capacity(size);
        for i in 0..size {
            let name = format!("n{}", i + 1);
            let store = dir.path().join(&name);
            let config = dir.path().join(format!("{name}.conf"));
            std::fs::write(
                &config,
                format!(
                    "server_name: \"{name}\"\nlisten: \"127.0.0.1:{}\"\nmax_payload: 4MB\n\
                     jetstream {{ store_dir: \"{}\" }}\n\
                     cluster {{ name: \"dongtai_test\", listen: \"127.0.0.1:{}\", routes: [{routes}] }}\n{}",
                    client_ports[i],
                    store.display(),
                    route_ports[i],
                    include.clone().unwrap_or_default()
                ),
            )
            .unwrap();
            nodes.push(ClusterNode {
                log: dir.path().join(format!("{name}.log")),
                name,
                port: client_ports[i],
                config,
                child: None,
            });
        }
        let mut cluster = Self { dir, nodes, env };
        for i in 0..size {
            cluster.spawn(i);
        }
        for i in 0..size {
            cluster.wait_listening(i);
        }
        cluster
    }

    fn spawn(&mut self, i: usize) {
        let node = &mut self.nodes[i];
        assert!(node.child.is_none(), "node {} is running", node.name);
        let child = Command::new("nats-server")
            .arg("-c")
            .arg(&node.config)
            .arg("-l")
            .arg(&node.log)
            .envs(self.env.iter().map(|(k, v)| (k.as_str(), v.as_str())))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap_or_else(|e| {
                panic!(
                    "cannot start nats-server ({e}). Install it: `apt-get install -y nats-server` \
                     (deploy/test.sh does this for you)"
                )
            });
        node.child = Some(child);
    }

    fn wait_listening(&mut self, i: usize) {
        let deadline = Instant::now() + Duration::from_secs(15);
        let addr = std::net::SocketAddr::from(([127, 0, 0, 1], self.nodes[i].port));
        loop {
            if std::net::TcpStream::connect_timeout(&addr, Duration::from_millis(200)).is_ok() {
                return;
            }
            let node = &mut self.nodes[i];
            let exited = node
                .child
                .as_mut()
                .is_some_and(|c| c.try_wait().unwrap().is_some());
            assert!(
                !exited && Instant::now() < deadline,
                "nats-server {} did not listen on {addr}; see {}",
                node.name,
                node.log.display()
            );
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// Every node's client URL, comma-separated (what `DONGTAI_NATS_URL` takes).
    pub fn urls(&self) -> String {
        (0..self.nodes.len())
            .map(|i| self.url(i))
            .collect::<Vec<_>>()
            .join(",")
    }

    /// Node `i`'s client URL.
    pub fn url(&self, i: usize) -> String {
        format!("nats://127.0.0.1:{}", self.nodes[i].port)
    }

    /// How many nodes the cluster has.
    pub fn size(&self) -> usize {
        self.nodes.len()
    }

    /// Node `i`'s server name (what stream info reports as leader and replicas).
    pub fn name(&self, i: usize) -> &str {
        &self.nodes[i].name
    }

    /// The node called `name`.
    pub fn index_of(&self, name: &str) -> Option<usize> {
        self.nodes.iter().position(|n| n.name == name)
    }

    /// The folder holding the stores, configs and logs.
    pub fn dir(&self) -> &Path {
        self.dir.path()
    }

    /// Kill node `i` with SIGKILL, as a crash would.
    pub fn kill(&mut self, i: usize) {
        if let Some(mut c) = self.nodes[i].child.take() {
            let _ = c.kill();
            let _ = c.wait();
        }
    }

    /// Start node `i` again (same ports, same store) and wait until it listens.
    pub fn restart(&mut self, i: usize) {
        self.kill(i);
        self.spawn(i);
        self.wait_listening(i);
    }
}

impl Drop for NatsCluster {
    fn drop(&mut self) {
        for i in 0..self.nodes.len() {
            self.kill(i);
        }
    }
}

/// Check an HTTP service's OpenAPI document: the same as the copy committed at
/// `proto/openapi/{name}.json` (`DONGTAI_WRITE_OPENAPI=1 cargo test` rewrites it), parsed back by
/// an OpenAPI 3.1 parser (`oas3`), and every `$ref` in it pointing at something in it. Returns
/// the parsed specification.
pub fn check_openapi(doc: &serde_json::Value, name: &str) -> oas3::Spec {
    let path = repo_root()
        .join("proto/openapi")
        .join(format!("{name}.json"));
    let want = serde_json::to_string_pretty(doc).unwrap() + "\n";
    if std::env::var_os("DONGTAI_WRITE_OPENAPI").is_some() {
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, &want).unwrap();
    }
    let have = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        have == want,
        "{} is stale: run `DONGTAI_WRITE_OPENAPI=1 cargo test openapi`",
        path.display()
    );
    let spec = oas3::from_json(&have).unwrap_or_else(|e| panic!("{name}: not OpenAPI 3.1: {e}"));
    assert!(spec.openapi.starts_with("3.1"), "{}", spec.openapi);
    let mut refs = Vec::new();
    collect_refs(doc, &mut refs);
    for r in &refs {
        let pointer = r
            .strip_prefix('#')
            .unwrap_or_else(|| panic!("external $ref {r}"));
        assert!(
            doc.pointer(pointer).is_some(),
            "{name}: $ref {r} points nowhere"
        );
    }
    let operations = spec.operations().count();
    println!(
        "{name}: OpenAPI {} \"{}\" {}: {} paths, {operations} operations, {} schemas, {} $refs \
         resolved",
        spec.openapi,
        spec.info.title,
        spec.info.version,
        spec.paths.as_ref().map_or(0, |p| p.len()),
        spec.components.as_ref().map_or(0, |c| c.schemas.len()),
        refs.len()
    );
    spec
}

/// The names of the parameters `spec` documents for `method` (upper case) `path`.
pub fn openapi_parameters(spec: &oas3::Spec, method: &str, path: &str) -> Vec<String> {
    let (_, _, op) = spec
        .operations()
        .find(|(p, m, _)| p == path && m.as_str() == method)
        .unwrap_or_else(|| panic!("{method} {path} is not documented"));
    op.parameters(spec)
        .unwrap()
        .into_iter()
        .map(|p| p.name)
        .collect()
}

fn collect_refs(v: &serde_json::Value, out: &mut Vec<String>) {
    match v {
        serde_json::Value::Object(m) => {
            for (k, x) in m {
                match (k.as_str(), x) {
                    ("$ref", serde_json::Value::String(r)) => out.push(r.clone()),
                    _ => collect_refs(x, out),
                }
            }
        }
        serde_json::Value::Array(xs) => xs.iter().for_each(|x| collect_refs(x, out)),
        _ => {}
    }
}
