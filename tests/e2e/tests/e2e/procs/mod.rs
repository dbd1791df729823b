//! Service binaries as child processes (killable with SIGKILL, restartable with the same
//! settings), a pusher that retries as a real client does, and what an undisturbed run finds.
//! Shared by the fault tests and the cluster tests.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

use dongtai_proto::{ArticleSubmission, EventId};
use dongtai_testkit::{free_port, service_binary, wait_until};
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

/// A service child process that can be killed and started again with the same settings.
pub struct Service {
    bin: PathBuf,
    args: Vec<String>,
    env: Vec<(String, String)>,
    log: PathBuf,
    child: Option<Child>,
    port: u16,
}

impl Service {
    pub fn new(
        name: &str,
        sub: &str,
        nats: &str,
        dir: &Path,
        extra_env: &[(&str, String)],
    ) -> Self {
        Self::labelled(name, name, sub, nats, dir, extra_env)
    }

    /// Like `new`, logging to `DIR/<label>.log` (several processes of one binary).
    pub fn labelled(
        label: &str,
        name: &str,
        sub: &str,
        nats: &str,
        dir: &Path,
        extra_env: &[(&str, String)],
    ) -> Self {
        let port = free_port();
        let mut env = vec![
            ("DONGTAI_NATS_URL".to_owned(), nats.to_owned()),
            ("DONGTAI_HTTP_ADDR".to_owned(), format!("127.0.0.1:{port}")),
            ("RUST_LOG".to_owned(), "warn".to_owned()),
        ];
        env.extend(extra_env.iter().map(|(k, v)| ((*k).to_owned(), v.clone())));
        let mut s = Self {
            bin: service_binary(name),
            args: vec![sub.to_owned()],
            env,
            log: dir.join(format!("{label}.log")),
            child: None,
            port,
        };
        s.start();
        s
    }

    pub fn start(&mut self) {
        assert!(self.child.is_none());
        let log = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(&self.log)
            .unwrap();
        let child = Command::new(&self.bin)
            .args(&self.args)
            .envs(self.env.iter().map(|(k, v)| (k.as_str(), v.as_str())))
            .stdout(Stdio::null())
            .stderr(log)
            .spawn()
            .unwrap();
        self.child = Some(child);
    }

    pub fn kill9(&mut self) {
        if let Some(mut c) = self.child.take() {
            c.kill().unwrap(); // SIGKILL
            c.wait().unwrap();
        }
    }

    pub fn stop(&mut self) {
        if let Some(mut c) = self.child.take() {
            let _ = Command::new("kill")
                .arg("-TERM")
                .arg(c.id().to_string())
                .status();
            let deadline = std::time::Instant::now() + Duration::from_secs(15);
            while c.try_wait().unwrap().is_none() && std::time::Instant::now() < deadline {
                std::thread::sleep(Duration::from_millis(20));
            }
            let _ = c.kill();
            let _ = c.wait();
        }
    }

    pub fn url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }
}

impl Drop for Service {
    fn drop(&mut self) {
        self.kill9();
    }
}

/// The event ids an undisturbed run finds: the same code path (ingest's normalisation, the
/// worker's extraction) with nothing in between.
pub fn expected_ids(articles: &[dongtai_corpus::GeneratedArticle]) -> BTreeSet<EventId> {
    let mut ids = BTreeSet::new();
    for a in articles {
        let sub = ArticleSubmission {
            text: a.text.clone(),
            title: Some(a.title.clone()),
            published: Some(a.published),
            ..Default::default()
        };
        for art in
            dongtai_ingest::publish::articles_of(sub, dongtai_ingest::publish::Layout::Article)
                .unwrap()
        {
            for e in dongtai_extract::handler::events_of(&art) {
                ids.insert(e.id);
            }
        }
    }
    ids
}

/// Every live event id in a (closed) timeline store, and how many entries the date index has.
pub fn stored_ids(dir: &Path) -> (BTreeSet<EventId>, usize) {
    let store = dongtai_timeline::store::TimelineStore::open(dir).unwrap();
    let mut ids = BTreeSet::new();
    let mut entries = 0;
    for hit in store.scan(dongtai_timeline::store::Index::Date, "", None, None) {
        let (pos, _) = hit.unwrap();
        entries += 1;
        let e = store
            .at_position(&pos)
            .unwrap()
            .expect("an index entry without its event");
        assert!(!e.retracted);
        ids.insert(e.event.id);
    }
    (ids, entries)
}

/// Post every article, retrying on 503 or a refused connection as a real client would.
/// Returns how many 503s it saw.
pub async fn push_all(
    ingest: String,
    articles: Arc<Vec<dongtai_corpus::GeneratedArticle>>,
    sent: Arc<AtomicUsize>,
) -> usize {
    let (_open, gate) = tokio::sync::watch::channel(usize::MAX);
    push_gated(ingest, articles, sent, gate).await
}

/// Like `push_all`, sending article `i` only once `gate` lets more than `i` through: the test
/// decides how many articles flow in each phase (while a node is down, say) instead of racing
/// a pusher that may be done before the fault.
pub async fn push_gated(
    ingest: String,
    articles: Arc<Vec<dongtai_corpus::GeneratedArticle>>,
    sent: Arc<AtomicUsize>,
    gate: tokio::sync::watch::Receiver<usize>,
) -> usize {
    use futures::StreamExt as _;
    let http = reqwest::Client::builder()
        .timeout(Duration::from_secs(20))
        .build()
        .unwrap();
    let unavailable = Arc::new(AtomicUsize::new(0));
    futures::stream::iter(0..articles.len())
        .for_each_concurrent(8, |i| {
            let (http, ingest, articles, sent, unavailable, mut gate) = (
                http.clone(),
                ingest.clone(),
                articles.clone(),
                sent.clone(),
                unavailable.clone(),
                gate.clone(),
            );
            async move {
                gate.wait_for(|&open| open > i)
                    .await
                    .expect("the gate is kept");
                let a = &articles[i];
                let body =
                    serde_json::json!({"text": a.text, "title": a.title, "published": a.published});
                loop {
                    match http
                        .post(format!("{ingest}/v1/articles"))
                        .header("content-type", "application/json")
                        .body(body.to_string())
                        .send()
                        .await
                    {
                        Ok(r) if r.status() == 202 => break,
                        Ok(r) if r.status() == 503 => {
                            unavailable.fetch_add(1, Ordering::Relaxed);
                        }
                        Ok(r) => panic!(
                            "article {i} refused: {} {}",
                            r.status(),
                            r.text().await.unwrap_or_default()
                        ),
                        Err(_) => {}
                    }
                    tokio::time::sleep(Duration::from_millis(100)).await;
                }
                sent.fetch_add(1, Ordering::Relaxed);
            }
        })
        .await;
    unavailable.load(Ordering::Relaxed)
}

/// Wait until every URL's `/readyz` answers `status`.
pub async fn wait_readyz(http: &reqwest::Client, urls: &[String], status: u16, secs: u64) {
    for url in urls {
        let ok = wait_until(Duration::from_secs(secs), || async {
            http.get(format!("{url}/readyz"))
                .send()
                .await
                .is_ok_and(|r| r.status() == status)
        })
        .await;
        assert!(ok, "{url}/readyz never answered {status}");
    }
}

pub async fn timeline_count(http: &reqwest::Client, url: &str) -> Option<u64> {
    let r = http.get(format!("{url}/v1/stats")).send().await.ok()?;
    r.json::<serde_json::Value>().await.ok()?["events"].as_u64()
}

pub async fn wait_for_count(http: &reqwest::Client, url: &str, want: usize, secs: u64) -> bool {
    wait_until(Duration::from_secs(secs), || async {
        timeline_count(http, url).await == Some(want as u64)
    })
    .await
}
