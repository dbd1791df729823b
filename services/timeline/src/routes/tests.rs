//! The router as a browser or a client sees it, through `oneshot`: a real sled store and a real
//! nats-server (the state holds a connected client), no listener.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use super::{AppState, router};
use crate::config::Config;
use crate::store::TimelineStore;
use axum::Router;
use axum::body::Body;
use axum::http::{Request, Response, header};
use dongtai_testkit::NatsServer;
use tower::ServiceExt as _;

/// A router over an empty store, `configure`d, with what must outlive it.
pub(crate) struct TestRouter {
    pub router: Router,
    _nats: NatsServer,
    _dir: tempfile::TempDir,
}

pub(crate) async fn test_router(configure: impl FnOnce(&mut Config)) -> TestRouter {
    let nats = NatsServer::start();
    let dir = tempfile::tempdir().unwrap();
    let mut config = Config::for_tests(nats.url(), dir.path().join("sled"));
    configure(&mut config);
    let store = TimelineStore::open(&config.data_dir).unwrap();
    let client = async_nats::connect(nats.url()).await.unwrap();
    let (feed, _) = tokio::sync::broadcast::channel(16);
    TestRouter {
        router: router(AppState::new(config, store, client, feed)),
        _nats: nats,
        _dir: dir,
    }
}

pub(crate) async fn send(router: &Router, req: Request<Body>) -> Response<Body> {
    router.clone().oneshot(req).await.unwrap()
}

/// The origin of a newsroom's own page.
const NEWSROOM: &str = "https://newsroom.example";

fn header_of<'a>(resp: &'a Response<Body>, name: &str) -> Option<&'a str> {
    resp.headers().get(name).map(|v| v.to_str().unwrap())
}

fn get_from(path: &str, origin: &str) -> Request<Body> {
    Request::get(path)
        .header(header::ORIGIN, origin)
        .body(Body::empty())
        .unwrap()
}

fn preflight(path: &str, origin: &str) -> Request<Body> {
    Request::options(path)
        .header(header::ORIGIN, origin)
        .header(header::ACCESS_CONTROL_REQUEST_METHOD, "GET")
        .header(header::ACCESS_CONTROL_REQUEST_HEADERS, "authorization")
        .body(Body::empty())
        .unwrap()
}

#[tokio::test]
async fn a_preflight_from_a_configured_origin_is_allowed_and_others_get_no_cors_headers() {
    let app = test_router(|c| {
        c.cors.cors_origins = vec![NEWSROOM.parse().unwrap()];
        c.token = Some("s3cret".into());
    })
    .await;
    let resp = send(&app.router, preflight("/v1/events?kind=meeting", NEWSROOM)).await;
    println!(
        "preflight from https://newsroom.example -> {}",
        resp.status()
    );
    for (k, v) in resp.headers() {
        println!("  {k}: {}", v.to_str().unwrap());
    }
    assert!(resp.status().is_success(), "{}", resp.status());
    assert_eq!(
        header_of(&resp, "access-control-allow-origin"),
        Some(NEWSROOM)
    );
    let allowed = header_of(&resp, "access-control-allow-headers").unwrap();
    assert!(allowed.contains("authorization"), "{allowed}");
    assert!(
        header_of(&resp, "access-control-allow-methods")
            .unwrap()
            .contains("GET")
    );

    // The request that follows still needs the token, and carries the CORS headers.
    let resp = send(&app.router, get_from("/v1/events", NEWSROOM)).await;
    assert_eq!(resp.status(), 401);
    assert_eq!(
        header_of(&resp, "access-control-allow-origin"),
        Some(NEWSROOM)
    );
    let exposed = header_of(&resp, "access-control-expose-headers").unwrap();
    assert!(exposed.contains("link"), "{exposed}");

    let elsewhere = send(&app.router, preflight("/v1/events", "https://evil.example")).await;
    assert_eq!(header_of(&elsewhere, "access-control-allow-origin"), None);
}

#[tokio::test]
async fn without_configured_origins_no_cors_header_is_sent() {
    let app = test_router(|_| {}).await;
    let resp = send(&app.router, preflight("/v1/events", NEWSROOM)).await;
    assert_eq!(header_of(&resp, "access-control-allow-origin"), None);
    let resp = send(&app.router, get_from("/v1/events", NEWSROOM)).await;
    assert_eq!(resp.status(), 200);
    assert!(
        resp.headers()
            .keys()
            .all(|k| !k.as_str().starts_with("access-control-"))
    );
}
