//! The operator's endpoints, the same in every service:
//!
//! - `GET /healthz` → 200 `{"status": "ok", "service": …, "version": …}` while the process
//!   serves HTTP at all (a liveness probe: restart it when this fails).
//! - `GET /readyz` → 200 `{"ready": true, "checks": {"nats": "ok", …}}` when every check passes;
//!   503 `{"error": "not_ready", "detail": "nats: disconnected", "checks": {…}}` naming the
//!   failing ones otherwise (a readiness probe: send it no traffic meanwhile).
//! - `GET /metrics` → the OpenMetrics text of the service's registry. Before encoding it runs
//!   the scrape hooks (consumer lag is read from JetStream then, not polled in the background).
//!
//! Checks are real: each asks the thing it names (the NATS connection state, JetStream for the
//! consumer, sled for the store), with a deadline so a hung dependency reads as not ready
//! instead of hanging the probe.

use crate::metrics::{ConsumerLabels, Metrics};
use async_nats::jetstream::consumer::{Consumer, pull};
use axum::Router;
use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use futures::future::BoxFuture;
use serde_json::{Map, Value, json};
use std::sync::Arc;
use std::time::Duration;

/// How long one readiness check may take before it counts as failed.
pub const CHECK_DEADLINE: Duration = Duration::from_secs(2);

/// A readiness check: `Ok` when ready, `Err(why)` otherwise.
pub type CheckFn = Arc<dyn Fn() -> BoxFuture<'static, Result<(), String>> + Send + Sync>;

/// The ops endpoints of one service.
#[derive(Clone)]
pub struct Ops {
    service: &'static str,
    metrics: Metrics,
    checks: Vec<(&'static str, CheckFn)>,
    scrape_hooks: Vec<CheckFn>,
}

impl Ops {
    /// Ops for `service` over its registry, with no checks yet.
    pub fn new(service: &'static str, metrics: Metrics) -> Self {
        Self {
            service,
            metrics,
            checks: Vec::new(),
            scrape_hooks: Vec::new(),
        }
    }

    /// The registry `/metrics` encodes.
    pub fn metrics(&self) -> &Metrics {
        &self.metrics
    }

    /// Add a readiness check called `name`.
    pub fn check<F, Fut>(mut self, name: &'static str, f: F) -> Self
    where
        F: Fn() -> Fut + Send + Sync + 'static,
        Fut: Future<Output = Result<(), String>> + Send + 'static,
    {
        self.checks.push((name, Arc::new(move || Box::pin(f()))));
        self
    }

    /// Run `f` before each `/metrics` encoding (to set gauges read from elsewhere).
    pub fn on_scrape<F, Fut>(mut self, f: F) -> Self
    where
        F: Fn() -> Fut + Send + Sync + 'static,
        Fut: Future<Output = Result<(), String>> + Send + 'static,
    {
        self.scrape_hooks.push(Arc::new(move || Box::pin(f())));
        self
    }

    /// The check `nats`: the client holds a live connection.
    pub fn nats(self, client: async_nats::Client) -> Self {
        self.check("nats", move || {
            let connected = crate::nats::is_connected(&client);
            async move {
                if connected {
                    Ok(())
                } else {
                    Err("disconnected".to_owned())
                }
            }
        })
    }

    /// The check `consumer`: JetStream answers for the durable consumer (it exists and this
    /// service can read it). Each `/metrics` scrape also reads its lag from JetStream.
    pub fn consumer(mut self, consumer: Consumer<pull::Config>) -> Self {
        let name = consumer.cached_info().name.clone();
        let metrics = self.metrics.clone();
        let read = move || {
            let (consumer, metrics, name) = (consumer.clone(), metrics.clone(), name.clone());
            Box::pin(async move {
                let info = tokio::time::timeout(CHECK_DEADLINE, consumer.get_info())
                    .await
                    .map_err(|_| "JetStream did not answer in time".to_owned())?
                    .map_err(|e| format!("not bound: {e}"))?;
                let labels = ConsumerLabels { consumer: name };
                metrics
                    .consumer_pending
                    .get_or_create(&labels)
                    .set(i64::try_from(info.num_pending).unwrap_or(i64::MAX));
                metrics
                    .consumer_ack_pending
                    .get_or_create(&labels)
                    .set(i64::try_from(info.num_ack_pending).unwrap_or(i64::MAX));
                Ok(())
            }) as BoxFuture<'static, Result<(), String>>
        };
        let read: CheckFn = Arc::new(read);
        self.scrape_hooks.push(read.clone());
        self.checks.push(("consumer", read));
        self
    }

    /// `/healthz`, `/readyz` and `/metrics`.
    pub fn router(self) -> Router {
        Router::new()
            .route("/healthz", get(healthz))
            .route("/readyz", get(readyz))
            .route("/metrics", get(metrics))
            .with_state(Arc::new(self))
    }

    /// Run every check; the answer of `/readyz`.
    pub async fn readiness(&self) -> (bool, Map<String, Value>) {
        let results = futures::future::join_all(self.checks.iter().map(|(name, check)| {
            let check = check.clone();
            async move {
                let result = tokio::time::timeout(CHECK_DEADLINE, check())
                    .await
                    .unwrap_or_else(|_| Err("no answer in time".to_owned()));
                (*name, result)
            }
        }))
        .await;
        let mut ready = true;
        let mut checks = Map::new();
        for (name, result) in results {
            let value = match result {
                Ok(()) => "ok".to_owned(),
                Err(why) => {
                    ready = false;
                    why
                }
            };
            checks.insert(name.to_owned(), Value::String(value));
        }
        (ready, checks)
    }
}

async fn healthz(State(ops): State<Arc<Ops>>) -> Response {
    axum::Json(json!({
        "status": "ok",
        "service": ops.service,
        "version": env!("CARGO_PKG_VERSION"),
    }))
    .into_response()
}

async fn readyz(State(ops): State<Arc<Ops>>) -> Response {
    let (ready, checks) = ops.readiness().await;
    if ready {
        return (
            StatusCode::OK,
            axum::Json(json!({"ready": true, "checks": checks})),
        )
            .into_response();
    }
    let failing: Vec<String> = checks
        .iter()
        .filter(|(_, v)| v.as_str() != Some("ok"))
        .map(|(k, v)| format!("{k}: {}", v.as_str().unwrap_or("")))
        .collect();
    let body = json!({
        "error": "not_ready",
        "field": null,
        "detail": failing.join("; "),
        "ready": false,
        "checks": checks,
    });
    (StatusCode::SERVICE_UNAVAILABLE, axum::Json(body)).into_response()
}

async fn metrics(State(ops): State<Arc<Ops>>) -> Response {
    for hook in &ops.scrape_hooks {
        // A failed read leaves the last value; /readyz reports the failure.
        let _ = hook().await;
    }
    (
        [(header::CONTENT_TYPE, crate::metrics::CONTENT_TYPE)],
        ops.metrics.encode(),
    )
        .into_response()
}
