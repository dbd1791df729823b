//! `spawn_app()`: nats-server plus the three services, in-process, on free ports.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

use dongtai_testkit::{NatsServer, wait_until};
use serde_json::Value;
use std::path::PathBuf;
use std::time::Duration;
use tokio::task::JoinHandle;
use tokio_util::sync::CancellationToken;

pub struct Service {
    pub url: String,
    stop: CancellationToken,
    handle: JoinHandle<RunResult>,
}

/// How an in-process service ended: its error chain as text, so tests can print it.
type RunResult = Result<(), String>;

impl Service {
    pub async fn stop(self) {
        self.stop.cancel();
        let r = tokio::time::timeout(Duration::from_secs(20), self.handle).await;
        assert!(
            matches!(r, Ok(Ok(Ok(())))),
            "service did not stop cleanly: {r:?}"
        );
    }
}

pub struct TestApp {
    pub nats: NatsServer,
    pub ingest: Service,
    pub extract: Service,
    pub timeline_service: Option<Service>,
    pub timeline_url: String,
    pub data: tempfile::TempDir,
    pub http: reqwest::Client,
}

/// Run a built service in this process until its `Service` is stopped.
fn run<F>(addr: std::net::SocketAddr, run: impl FnOnce(CancellationToken) -> F) -> Service
where
    F: std::future::Future<Output = RunResult> + Send + 'static,
{
    let stop = CancellationToken::new();
    let handle = tokio::spawn(run(stop.clone()));
    Service {
        url: format!("http://{addr}"),
        stop,
        handle,
    }
}

fn err(e: impl std::fmt::Display) -> String {
    format!("{e:#}")
}

pub async fn spawn_ingest(nats_url: &str) -> Service {
    let config = dongtai_ingest::config::Config::for_tests(nats_url);
    let app = dongtai_ingest::Application::build(config).await.unwrap();
    run(app.local_addr(), |s| async move {
        app.run_until_stopped(s).await.map_err(err)
    })
}

pub async fn spawn_extract(nats_url: &str) -> Service {
    let config = dongtai_extract::config::Config::for_tests(nats_url);
    let app = dongtai_extract::Application::build(config).await.unwrap();
    run(app.local_addr(), |s| async move {
        app.run_until_stopped(s).await.map_err(err)
    })
}

pub async fn spawn_timeline(nats_url: &str, dir: PathBuf) -> Service {
    spawn_timeline_with(dongtai_timeline::config::Config::for_tests(nats_url, dir)).await
}

/// A timeline with settings of its own (an API token, …).
pub async fn spawn_timeline_with(config: dongtai_timeline::config::Config) -> Service {
    let app = dongtai_timeline::Application::build(config).await.unwrap();
    run(app.local_addr(), |s| async move {
        app.run_until_stopped(s).await.map_err(err)
    })
}

pub async fn spawn_app() -> TestApp {
    let nats = NatsServer::start();
    let data = tempfile::tempdir().unwrap();
    let ingest = spawn_ingest(nats.url()).await;
    let extract = spawn_extract(nats.url()).await;
    let timeline = spawn_timeline(nats.url(), data.path().join("timeline")).await;
    TestApp {
        nats,
        ingest,
        extract,
        timeline_url: timeline.url.clone(),
        timeline_service: Some(timeline),
        data,
        http: reqwest::Client::new(),
    }
}

impl TestApp {
    pub fn sled_dir(&self) -> PathBuf {
        self.data.path().join("timeline")
    }

    /// Stop the timeline service cleanly (its sled is closed when this returns).
    pub async fn stop_timeline(&mut self) {
        if let Some(t) = self.timeline_service.take() {
            t.stop().await;
        }
    }

    /// Start the timeline service again on the same sled.
    pub async fn start_timeline(&mut self) {
        assert!(self.timeline_service.is_none());
        let t = spawn_timeline(self.nats.url(), self.sled_dir()).await;
        self.timeline_url = t.url.clone();
        self.timeline_service = Some(t);
    }

    /// POST the seed page as a page; returns the response JSON.
    pub async fn ingest_seed_page(&self) -> Value {
        let (text, published) = dongtai_testkit::seed_page();
        let resp = self
            .http
            .post(format!("{}/v1/articles", self.ingest.url))
            .query(&[
                ("layout", "page"),
                ("published", published),
                ("outlet", "徐汇报"),
                ("page", "1"),
            ])
            .header("content-type", "text/plain; charset=utf-8")
            .body(text)
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status(), 202, "seed page refused");
        resp.json().await.unwrap()
    }

    pub async fn get(&self, path_and_query: &str) -> (u16, Value) {
        let resp = self
            .http
            .get(format!("{}{}", self.timeline_url, path_and_query))
            .send()
            .await
            .unwrap();
        let status = resp.status().as_u16();
        (status, resp.json().await.unwrap_or(Value::Null))
    }

    pub async fn events(&self, query: &str) -> Vec<Value> {
        let (status, body) = self.get(&format!("/v1/events?{query}")).await;
        assert_eq!(status, 200, "{body}");
        body["events"].as_array().cloned().unwrap_or_default()
    }

    pub async fn event_count(&self) -> u64 {
        self.get("/v1/stats").await.1["events"]
            .as_u64()
            .unwrap_or(0)
    }

    /// Wait until the timeline holds at least `n` events and the count has settled.
    pub async fn wait_for_events(&self, n: u64) -> u64 {
        let ok = wait_until(Duration::from_secs(30), || async {
            self.event_count().await >= n
        })
        .await;
        assert!(
            ok,
            "timeline never reached {n} events (has {})",
            self.event_count().await
        );
        self.event_count().await
    }

    /// Messages in a stream.
    pub async fn stream_messages(&self, stream: &str) -> u64 {
        let client = async_nats::connect(self.nats.url()).await.unwrap();
        let js = async_nats::jetstream::new(client);
        let mut s = js.get_stream(stream).await.unwrap();
        s.info().await.unwrap().state.messages
    }
}

// ---- Events published straight onto the EVENTS stream (no engine), for the timeline's own tests.

/// The v1 event fixture (曹立强, forest-chief inspection, 2023-11-05 morning).
pub fn fixture_event() -> dongtai_proto::ActivityEvent {
    let text =
        std::fs::read_to_string(dongtai_testkit::repo_root().join("proto/fixtures/v1/event.json"))
            .unwrap();
    serde_json::from_str(&text).unwrap()
}

/// An event of `kind` on `start..=end` led by `lead`, from its own article named `article`.
pub fn make_event(
    article: &str,
    kind: dongtai_proto::EventKind,
    lead: &str,
    start: &str,
    end: &str,
) -> dongtai_proto::ActivityEvent {
    let mut e = fixture_event();
    let article_id = dongtai_proto::ArticleId::of_text(article);
    e.kind = kind;
    e.when.start = Some(start.parse().unwrap());
    e.when.end = Some(end.parse().unwrap());
    e.actors[0].name = lead.to_owned();
    e.actors[0].pinyin = None;
    e.id = dongtai_proto::EventId::derive(&article_id, kind.as_str(), Some(start), &[lead]);
    e.source.article_id = article_id.clone();
    for ev in &mut e.evidence {
        ev.article_id = article_id.clone();
    }
    e
}

/// GET `url` and return the body as text (a `/metrics` page, say).
pub async fn get_body(http: &reqwest::Client, url: String) -> String {
    http.get(url).send().await.unwrap().text().await.unwrap()
}

/// A JetStream context on the test's nats-server.
pub async fn jetstream(app: &TestApp) -> async_nats::jetstream::Context {
    async_nats::jetstream::new(async_nats::connect(app.nats.url()).await.unwrap())
}

/// Publish `e` on its subject and wait for JetStream's ack; returns the stream sequence.
pub async fn publish_event(
    js: &async_nats::jetstream::Context,
    e: &dongtai_proto::ActivityEvent,
) -> u64 {
    let subject = dongtai_proto::subjects::event(e.kind);
    let ack = js
        .publish(subject, serde_json::to_vec(e).unwrap().into())
        .await
        .unwrap()
        .await
        .unwrap();
    ack.sequence
}

/// GET a timeline path and return the status, content type and body text.
pub async fn get_text(app: &TestApp, path_and_query: &str) -> (u16, String, String) {
    let resp = app
        .http
        .get(format!("{}{}", app.timeline_url, path_and_query))
        .send()
        .await
        .unwrap();
    let status = resp.status().as_u16();
    let ct = resp
        .headers()
        .get("content-type")
        .map(|v| v.to_str().unwrap().to_owned())
        .unwrap_or_default();
    (status, ct, resp.text().await.unwrap())
}

/// Publish a retraction of `event` on `events.v1.retracted`, as a replay by a newer engine
/// would, and wait for JetStream's ack.
pub async fn publish_retraction(
    js: &async_nats::jetstream::Context,
    event: &dongtai_proto::ActivityEvent,
) {
    let r = dongtai_proto::Retraction {
        schema: dongtai_proto::RETRACTION_SCHEMA.into(),
        event_id: event.id.clone(),
        article_id: event.source.article_id.clone(),
        extractor: "dongtai-extract 9.9.9".into(),
        at: chrono::Utc::now(),
    };
    js.publish(
        dongtai_proto::subjects::EVENTS_RETRACTED,
        serde_json::to_vec(&r).unwrap().into(),
    )
    .await
    .unwrap()
    .await
    .unwrap();
}
