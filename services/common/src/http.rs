//! What every HTTP service wraps its routes in, once: the ops endpoints, a request id, access
//! logs, latency metrics, a body limit, and the project's JSON error body on every 4xx/5xx,
//! axum's own 404/405/413 included.
//!
//! Layers, outermost first: set `x-request-id` (the client's, or a new one) → echo it on the
//! response → access log (DEBUG: off at the default INFO, since a busy service answers
//! thousands of requests a second) → latency histogram → JSON errors → body limit.

use crate::metrics::{HttpLabels, Metrics};
use crate::ops::Ops;
use axum::Router;
use axum::body::Body;
use axum::extract::{MatchedPath, Request, State};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use serde_json::json;
use std::hash::{BuildHasher as _, Hasher as _};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Instant;
use tower_http::request_id::{
    MakeRequestId, PropagateRequestIdLayer, RequestId, SetRequestIdLayer,
};
use tower_http::trace::{DefaultOnFailure, DefaultOnRequest, DefaultOnResponse, TraceLayer};
use tracing::Level;

/// The header carrying the request id.
pub const REQUEST_ID: &str = "x-request-id";

/// Bodies larger than this are refused with 413 by services that take none (ops endpoints, the
/// timeline's GETs).
pub const DEFAULT_BODY_LIMIT: usize = 64 * 1024;

/// A client's error body longer than this is replaced by the status's reason.
const MAX_DETAIL: usize = 1024;

/// Wrap a service's `routes` with the ops endpoints, a JSON 404 fallback and the shared layers.
/// `body_limit` is the largest request body the service takes.
pub fn app(routes: Router, ops: Ops, body_limit: usize) -> Router {
    let metrics = ops.metrics().clone();
    routes
        .merge(ops.router())
        .fallback(not_found)
        .layer(tower_http::limit::RequestBodyLimitLayer::new(body_limit))
        .layer(middleware::from_fn_with_state(body_limit, refuse_oversized))
        .layer(middleware::from_fn_with_state(
            Arc::new(body_limit),
            json_errors,
        ))
        .layer(middleware::from_fn_with_state(metrics, record_latency))
        .layer(
            TraceLayer::new_for_http()
                .make_span_with(|req: &Request<Body>| {
                    let id = req
                        .headers()
                        .get(REQUEST_ID)
                        .and_then(|v| v.to_str().ok())
                        .unwrap_or("");
                    tracing::debug_span!(
                        "http",
                        method = %req.method(),
                        path = %req.uri().path(),
                        request_id = %id,
                    )
                })
                .on_request(DefaultOnRequest::new().level(Level::DEBUG))
                .on_response(DefaultOnResponse::new().level(Level::DEBUG))
                .on_failure(DefaultOnFailure::new().level(Level::DEBUG)),
        )
        .layer(PropagateRequestIdLayer::x_request_id())
        .layer(SetRequestIdLayer::x_request_id(NewRequestId::default()))
}

/// Request ids for requests that came without one: a random 64-bit prefix per process and a
/// counter, so ids are unique across replicas and cheap (no UUID crate, no syscall).
#[derive(Clone)]
pub struct NewRequestId {
    prefix: u64,
    next: Arc<AtomicU64>,
}

impl Default for NewRequestId {
    fn default() -> Self {
        // std's hasher keys are random per process: enough entropy for an id prefix.
        let mut h = std::collections::hash_map::RandomState::new().build_hasher();
        h.write_u64(std::process::id().into());
        Self {
            prefix: h.finish(),
            next: Arc::new(AtomicU64::new(1)),
        }
    }
}

impl MakeRequestId for NewRequestId {
    fn make_request_id<B>(&mut self, _: &axum::http::Request<B>) -> Option<RequestId> {
        let n = self.next.fetch_add(1, Ordering::Relaxed);
        HeaderValue::from_str(&format!("{:016x}-{n:x}", self.prefix))
            .ok()
            .map(RequestId::new)
    }
}

async fn not_found(method: Method, uri: axum::http::Uri) -> Response {
    error_response(
        StatusCode::NOT_FOUND,
        None,
        format!("no route for {method} {}", uri.path()),
    )
}

/// The project's error body: `{"error": code, "field": field, "detail": detail}`.
pub fn error_response(status: StatusCode, field: Option<&str>, detail: String) -> Response {
    let body = json!({"error": error_code(status), "field": field, "detail": detail});
    (status, axum::Json(body)).into_response()
}

/// The `error` code of a status, the same words the services' own errors use.
pub fn error_code(status: StatusCode) -> String {
    match status {
        StatusCode::BAD_REQUEST => "bad_request".into(),
        StatusCode::UNAUTHORIZED => "unauthorized".into(),
        StatusCode::NOT_FOUND => "not_found".into(),
        StatusCode::METHOD_NOT_ALLOWED => "method_not_allowed".into(),
        StatusCode::REQUEST_TIMEOUT => "timeout".into(),
        StatusCode::PAYLOAD_TOO_LARGE => "body_too_large".into(),
        StatusCode::UNSUPPORTED_MEDIA_TYPE => "unsupported_media_type".into(),
        StatusCode::UNPROCESSABLE_ENTITY => "unprocessable".into(),
        StatusCode::INTERNAL_SERVER_ERROR => "internal".into(),
        StatusCode::SERVICE_UNAVAILABLE => "unavailable".into(),
        other => other
            .canonical_reason()
            .unwrap_or("error")
            .to_ascii_lowercase()
            .replace([' ', '-'], "_"),
    }
}

fn is_json(headers: &HeaderMap) -> bool {
    headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/json"))
}

/// Give every 4xx/5xx that is not JSON yet (axum's 405, a 413 from the body limit, an
/// extractor's rejection text) the JSON error body, keeping its status and headers (`Allow`,
/// `Retry-After`). A 4xx keeps its text as the detail (it is meant for the client); a 5xx says
/// only its reason, so internals never leak.
async fn json_errors(State(limit): State<Arc<usize>>, req: Request, next: Next) -> Response {
    let method = req.method().clone();
    let resp = next.run(req).await;
    let status = resp.status();
    if !(status.is_client_error() || status.is_server_error()) || is_json(resp.headers()) {
        return resp;
    }
    let (mut parts, body) = resp.into_parts();
    let text = axum::body::to_bytes(body, MAX_DETAIL)
        .await
        .ok()
        .and_then(|b| String::from_utf8(b.to_vec()).ok())
        .map(|t| t.trim().to_owned())
        .unwrap_or_default();
    let reason = status.canonical_reason().unwrap_or("error").to_owned();
    let (field, detail) = match status {
        StatusCode::PAYLOAD_TOO_LARGE => (
            Some("body"),
            format!("the body is larger than {limit} bytes"),
        ),
        StatusCode::METHOD_NOT_ALLOWED => {
            let allowed = parts
                .headers
                .get(header::ALLOW)
                .and_then(|v| v.to_str().ok())
                .unwrap_or("")
                .to_owned();
            (
                None,
                format!("{method} is not allowed here; allowed: {allowed}"),
            )
        }
        s if s.is_client_error() && !text.is_empty() => (None, text),
        _ => (None, reason),
    };
    let fresh = error_response(status, field, detail);
    parts.headers.remove(header::CONTENT_LENGTH);
    parts.headers.remove(header::TRANSFER_ENCODING);
    let (fresh_parts, fresh_body) = fresh.into_parts();
    for (name, value) in &fresh_parts.headers {
        parts.headers.insert(name, value.clone());
    }
    Response::from_parts(parts, fresh_body)
}

/// How much of a body declared too large is still read (and dropped) before the 413 goes out.
const LINGER_BYTES: usize = 4 * 1024 * 1024;

/// How long a body declared too large may take to arrive before the 413 goes out anyway.
const LINGER_TIME: std::time::Duration = std::time::Duration::from_secs(2);

/// Refuse a body whose declared length is over `limit` with 413, after reading and dropping
/// what the client sends of it (up to [`LINGER_BYTES`], for at most [`LINGER_TIME`]). Answered
/// at once, the connection closes while the client is still writing, and the client sees a
/// broken pipe or an incomplete message instead of the 413 that says what was wrong.
async fn refuse_oversized(State(limit): State<usize>, req: Request, next: Next) -> Response {
    let declared = req
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<usize>().ok());
    let Some(n) = declared.filter(|&n| n > limit) else {
        return next.run(req).await;
    };
    if n <= LINGER_BYTES {
        let mut body = req.into_body().into_data_stream();
        let drain = async { while let Some(Ok(_)) = futures::StreamExt::next(&mut body).await {} };
        let _ = tokio::time::timeout(LINGER_TIME, drain).await;
    }
    StatusCode::PAYLOAD_TOO_LARGE.into_response()
}

/// Observe the latency of every request under its route template (bounded labels: a client
/// cannot make new series by inventing paths).
async fn record_latency(State(metrics): State<Metrics>, req: Request, next: Next) -> Response {
    let started = Instant::now();
    let route = req
        .extensions()
        .get::<MatchedPath>()
        .map(|m| m.as_str())
        .filter(|r| !r.contains("__private__"))
        .unwrap_or("unmatched")
        .to_owned();
    let method = req.method().as_str().to_owned();
    let resp = next.run(req).await;
    metrics
        .http
        .get_or_create(&HttpLabels {
            route,
            method,
            status: resp.status().as_u16(),
        })
        .observe(started.elapsed().as_secs_f64());
    resp
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use axum::routing::{get, post};
    use tower::ServiceExt as _;

    fn test_app() -> (Router, Metrics) {
        let metrics = Metrics::new("dongtai-test");
        let routes = Router::new()
            .route("/v1/things/{id}", get(|| async { "thing" }))
            .route(
                "/v1/upload",
                post(|body: axum::body::Bytes| async move { body.len().to_string() }),
            )
            .route(
                "/v1/broken",
                get(|| async { (StatusCode::INTERNAL_SERVER_ERROR, "secret stack trace") }),
            )
            .route(
                "/v1/teapot",
                get(|| async { (StatusCode::BAD_REQUEST, "the id is not hex") }),
            );
        let ops = Ops::new("dongtai-test", metrics.clone()).check("always", || async { Ok(()) });
        (app(routes, ops, 1024), metrics)
    }

    async fn send(
        app: &Router,
        req: axum::http::Request<Body>,
    ) -> (StatusCode, HeaderMap, serde_json::Value) {
        let resp = app.clone().oneshot(req).await.unwrap();
        let (parts, body) = resp.into_parts();
        let bytes = axum::body::to_bytes(body, 1 << 20).await.unwrap();
        let value = serde_json::from_slice(&bytes).unwrap_or(serde_json::Value::String(
            String::from_utf8_lossy(&bytes).into_owned(),
        ));
        (parts.status, parts.headers, value)
    }

    fn get_req(path: &str) -> axum::http::Request<Body> {
        axum::http::Request::get(path).body(Body::empty()).unwrap()
    }

    /// A client that writes a body far over the limit, larger than the socket buffers, gets the
    /// 413 after writing it all, not a connection closed under it: a real TCP connection.
    #[tokio::test]
    async fn a_client_writing_a_body_far_too_large_still_reads_the_413() {
        use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
        let (app, _) = test_app();
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        tokio::spawn(async move { axum::serve(listener, app).await });
        let body = vec![b'x'; 2 * 1024 * 1024];
        let mut stream = tokio::net::TcpStream::connect(addr).await.unwrap();
        let head = format!(
            "POST /v1/upload HTTP/1.1\r\nhost: {addr}\r\nconnection: close\r\ncontent-type: application/octet-stream\r\ncontent-length: {}\r\n\r\n",
            body.len()
        );
        stream.write_all(head.as_bytes()).await.unwrap();
        // Written the way a slow link delivers it: the server has long decided by the end.
        for chunk in body.chunks(64 * 1024) {
            let written = stream.write_all(chunk).await;
            assert!(written.is_ok(), "the body is taken in: {written:?}");
            tokio::time::sleep(std::time::Duration::from_millis(3)).await;
        }
        let mut answer = Vec::new();
        let _ = stream.read_to_end(&mut answer).await;
        let answer = String::from_utf8_lossy(&answer);
        assert!(answer.starts_with("HTTP/1.1 413"), "{answer}");
        assert!(answer.contains("\"field\":\"body\""), "{answer}");
    }

    #[tokio::test]
    async fn an_unknown_route_is_a_json_404() {
        let (app, _) = test_app();
        let (status, _, body) = send(&app, get_req("/nope")).await;
        assert_eq!(status, 404);
        assert_eq!(body["error"], "not_found");
        assert_eq!(body["detail"], "no route for GET /nope");
    }

    #[tokio::test]
    async fn a_wrong_method_is_a_json_405_that_keeps_the_allow_header() {
        let (app, _) = test_app();
        let req = axum::http::Request::delete("/v1/things/1")
            .body(Body::empty())
            .unwrap();
        let (status, headers, body) = send(&app, req).await;
        assert_eq!(status, 405);
        assert_eq!(body["error"], "method_not_allowed");
        assert!(headers.get(header::ALLOW).is_some(), "{headers:?}");
        assert!(
            body["detail"].as_str().unwrap().contains("DELETE"),
            "{body}"
        );
        assert_eq!(headers[header::CONTENT_TYPE], "application/json");
    }

    #[tokio::test]
    async fn a_body_over_the_limit_is_a_json_413() {
        let (app, _) = test_app();
        let req = axum::http::Request::post("/v1/upload")
            .header(header::CONTENT_LENGTH, "5000")
            .body(Body::from(vec![b'x'; 5000]))
            .unwrap();
        let (status, _, body) = send(&app, req).await;
        assert_eq!(status, 413);
        assert_eq!(body["error"], "body_too_large");
        assert_eq!(body["field"], "body");
        assert_eq!(body["detail"], "the body is larger than 1024 bytes");
    }

    #[tokio::test]
    async fn a_client_error_keeps_its_text_and_a_server_error_hides_it() {
        let (app, _) = test_app();
        let (status, _, body) = send(&app, get_req("/v1/teapot")).await;
        assert_eq!(status, 400);
        assert_eq!(body["detail"], "the id is not hex");
        let (status, _, body) = send(&app, get_req("/v1/broken")).await;
        assert_eq!(status, 500);
        assert_eq!(body["error"], "internal");
        assert!(!body.to_string().contains("secret"), "{body}");
    }

    #[tokio::test]
    async fn the_request_id_is_echoed_or_made() {
        let (app, _) = test_app();
        let req = axum::http::Request::get("/healthz")
            .header(REQUEST_ID, "abc-123")
            .body(Body::empty())
            .unwrap();
        let (_, headers, _) = send(&app, req).await;
        assert_eq!(headers[REQUEST_ID], "abc-123");
        let (_, first, _) = send(&app, get_req("/nope")).await;
        let (_, second, _) = send(&app, get_req("/nope")).await;
        let (a, b) = (&first[REQUEST_ID], &second[REQUEST_ID]);
        assert!(!a.is_empty() && a != b, "{a:?} {b:?}");
    }

    #[tokio::test]
    async fn latency_is_recorded_per_route_template() {
        let (app, metrics) = test_app();
        send(&app, get_req("/v1/things/42")).await;
        send(&app, get_req("/v1/things/43")).await;
        send(&app, get_req("/no/such/path")).await;
        let text = metrics.encode();
        assert!(
            text.contains(
                "dongtai_http_request_duration_seconds_count{route=\"/v1/things/{id}\",method=\"GET\",status=\"200\"} 2"
            ),
            "{text}"
        );
        assert!(text.contains("route=\"unmatched\""), "{text}");
        assert!(!text.contains("/no/such/path"), "{text}");
    }

    #[tokio::test]
    async fn health_readiness_and_metrics_have_one_shape() {
        let metrics = Metrics::new("dongtai-test");
        let ops = Ops::new("dongtai-test", metrics)
            .check("store", || async { Ok(()) })
            .check("nats", || async { Err("disconnected".to_owned()) });
        let app = app(Router::new(), ops, 1024);
        let (status, _, body) = send(&app, get_req("/healthz")).await;
        assert_eq!(
            (status.as_u16(), body["status"].as_str()),
            (200, Some("ok"))
        );
        let (status, _, body) = send(&app, get_req("/readyz")).await;
        assert_eq!(status, 503);
        assert_eq!(body["error"], "not_ready");
        assert_eq!(body["detail"], "nats: disconnected");
        assert_eq!(body["checks"]["store"], "ok");
        let resp = app.clone().oneshot(get_req("/metrics")).await.unwrap();
        assert_eq!(resp.status(), 200);
        let text = String::from_utf8(
            axum::body::to_bytes(resp.into_body(), 1 << 20)
                .await
                .unwrap()
                .to_vec(),
        )
        .unwrap();
        let samples = crate::metrics::check_exposition(&text).unwrap();
        assert!(samples > 0, "{text}");
        assert!(
            text.contains("dongtai_build_info{service=\"dongtai-test\""),
            "{text}"
        );
    }
}
