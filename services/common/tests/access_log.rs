//! Access logs: one line per request at DEBUG with its request id, nothing at INFO. A test
//! binary of its own: tracing caches per call site whether anyone listens, so a test that
//! swaps subscribers must not share its process with other threads logging.
#![allow(clippy::unwrap_used)]

use axum::Router;
use axum::body::Body;
use axum::routing::get;
use dongtai_common::{Metrics, Ops};
use std::sync::{Arc, Mutex};
use tower::ServiceExt as _;
use tracing::Level;

/// A log sink for one request.
#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl std::io::Write for Captured {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

async fn log_of_one_request(level: Level) -> String {
    let captured = Captured::default();
    let sink = captured.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_max_level(level)
        .with_ansi(false)
        .with_writer(move || sink.clone())
        .finish();
    let _guard = tracing::subscriber::set_default(subscriber);
    let metrics = Metrics::new("dongtai-test");
    let routes = Router::new().route("/v1/things/{id}", get(|| async { "thing" }));
    let app = dongtai_common::http::app(routes, Ops::new("dongtai-test", metrics), 1024);
    let req = axum::http::Request::get("/v1/things/7")
        .header(dongtai_common::http::REQUEST_ID, "req-7")
        .body(Body::empty())
        .unwrap();
    let resp = app.oneshot(req).await.unwrap();
    assert_eq!(resp.status(), 200);
    let bytes = captured.0.lock().unwrap().clone();
    String::from_utf8(bytes).unwrap()
}

#[tokio::test]
async fn access_logs_carry_the_request_id_at_debug_and_are_silent_at_info() {
    let debug = log_of_one_request(Level::DEBUG).await;
    assert!(debug.contains("finished processing request"), "{debug}");
    assert!(debug.contains("request_id=req-7"), "{debug}");
    assert!(debug.contains("path=/v1/things/7"), "{debug}");
    let info = log_of_one_request(Level::INFO).await;
    assert!(info.is_empty(), "{info}");
}
