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

async fn body_json(resp: Response<Body>) -> serde_json::Value {
    let bytes = axum::body::to_bytes(resp.into_body(), 1 << 20)
        .await
        .unwrap();
    serde_json::from_slice(&bytes).unwrap()
}

fn get(path: &str) -> Request<Body> {
    Request::get(path).body(Body::empty()).unwrap()
}

#[tokio::test]
async fn a_short_lived_token_opens_the_feed_and_the_api_to_a_browser_until_it_expires() {
    let app = test_router(|c| c.token = Some("s3cret".into())).await;
    let issue = |auth: &str| {
        Request::post("/v1/tokens?minutes=5")
            .header(header::AUTHORIZATION, auth)
            .body(Body::empty())
            .unwrap()
    };
    let resp = send(&app.router, issue("Bearer s3cret")).await;
    assert_eq!(resp.status(), 201);
    let body = body_json(resp).await;
    assert_eq!(body["expires_in"], 300);
    let token = body["access_token"].as_str().unwrap().to_owned();

    // Valid: the feed (an EventSource cannot set a header) and the page's API calls.
    let feed = send(
        &app.router,
        get(&format!("/v1/feed?kind=meeting&access_token={token}")),
    )
    .await;
    assert_eq!(feed.status(), 200);
    assert_eq!(header_of(&feed, "content-type"), Some("text/event-stream"));
    let events = send(
        &app.router,
        get(&format!("/v1/events?access_token={token}")),
    )
    .await;
    assert_eq!(events.status(), 200);
    assert!(send(&app.router, get("/v1/feed")).await.status() == 401);

    // Expired, signed with another secret, tampered with: refused.
    let expired = dongtai_common::auth::issue_access_token("s3cret", 1).unwrap();
    let other = dongtai_common::auth::issue_access_token("other", u64::MAX).unwrap();
    let (expiry, tag) = token.split_once('.').unwrap();
    let tampered = format!("{}.{tag}", expiry.parse::<u64>().unwrap() + 3600);
    for bad in [expired, other, tampered, "s3cret".to_owned()] {
        let resp = send(&app.router, get(&format!("/v1/feed?access_token={bad}"))).await;
        assert_eq!(resp.status(), 401, "{bad}");
        assert_eq!(body_json(resp).await["error"], "unauthorized");
    }

    // A token cannot mint another, nor a wrong bearer.
    let again = Request::post(format!("/v1/tokens?access_token={token}"))
        .body(Body::empty())
        .unwrap();
    assert_eq!(send(&app.router, again).await.status(), 401);
    assert_eq!(send(&app.router, issue("Bearer nope")).await.status(), 401);
    let too_long = Request::post("/v1/tokens?minutes=100000")
        .header(header::AUTHORIZATION, "Bearer s3cret")
        .body(Body::empty())
        .unwrap();
    assert_eq!(send(&app.router, too_long).await.status(), 400);
}

#[tokio::test]
async fn without_an_api_token_there_is_no_access_token_to_issue() {
    let app = test_router(|_| {}).await;
    let resp = send(
        &app.router,
        Request::post("/v1/tokens").body(Body::empty()).unwrap(),
    )
    .await;
    assert_eq!(resp.status(), 404);
}

#[tokio::test]
async fn openapi_json_is_the_committed_document_and_parses_as_openapi_3_1() {
    let app = test_router(|c| c.token = Some("s3cret".into())).await;
    let resp = send(&app.router, get("/openapi.json")).await;
    assert_eq!(resp.status(), 200, "served without a token");
    let doc = body_json(resp).await;
    assert_eq!(doc, super::openapi::document());
    let spec = dongtai_testkit::check_openapi(&doc, "timeline");
    let documented = dongtai_testkit::openapi_parameters(&spec, "GET", "/v1/events");
    for name in crate::query::Filter::NAMES.iter().chain(&[
        "limit",
        "cursor",
        "sort",
        "format",
        "access_token",
    ]) {
        assert!(documented.iter().any(|d| d == name), "{name} undocumented");
    }
}

#[test]
fn the_documented_activity_has_every_field_a_page_carries() {
    let doc = super::openapi::document();
    let props = &doc["components"]["schemas"]["Activity"]["properties"];
    let activity = crate::view::Activity::single(crate::view::tests::stored()).to_json();
    for key in activity.as_object().unwrap().keys() {
        assert!(
            props.get(key).is_some(),
            "{key} is not in the Activity schema"
        );
    }
}
