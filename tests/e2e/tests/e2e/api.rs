//! The HTTP conventions both services share, over real sockets: `/openapi.json` (the committed
//! OpenAPI 3.1 documents, parsed back) and the opt-in CORS preflight.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use dongtai_testkit::NatsServer;

const NEWSROOM: &str = "https://newsroom.example";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn both_services_serve_their_openapi_document_and_answer_a_cors_preflight() {
    let nats = NatsServer::start();
    let data = tempfile::tempdir().unwrap();
    let origins = vec![NEWSROOM.parse().unwrap()];
    let mut ingest = dongtai_ingest::config::Config::for_tests(nats.url());
    ingest.cors.cors_origins = origins.clone();
    let mut timeline =
        dongtai_timeline::config::Config::for_tests(nats.url(), data.path().join("timeline"));
    timeline.cors.cors_origins = origins;
    timeline.token = Some("s3cret".into());
    let ingest = dongtai_ingest::Application::build(ingest).await.unwrap();
    let timeline = dongtai_timeline::Application::build(timeline)
        .await
        .unwrap();
    let urls = [
        (
            "ingest",
            format!("http://{}", ingest.local_addr()),
            "/v1/articles",
            "POST",
        ),
        (
            "timeline",
            format!("http://{}", timeline.local_addr()),
            "/v1/feed",
            "GET",
        ),
    ];
    let stop = tokio_util::sync::CancellationToken::new();
    let runs = [
        tokio::spawn(ingest.run_until_stopped(stop.clone())),
        tokio::spawn(timeline.run_until_stopped(stop.clone())),
    ];
    let http = reqwest::Client::new();
    for (name, url, path, method) in &urls {
        let resp = http
            .get(format!("{url}/openapi.json"))
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status(), 200, "{name}");
        let doc: serde_json::Value = resp.json().await.unwrap();
        dongtai_testkit::check_openapi(&doc, name);

        let resp = http
            .request(reqwest::Method::OPTIONS, format!("{url}{path}"))
            .header("origin", NEWSROOM)
            .header("access-control-request-method", *method)
            .header(
                "access-control-request-headers",
                "authorization,content-type",
            )
            .send()
            .await
            .unwrap();
        println!("OPTIONS {url}{path} Origin: {NEWSROOM} Access-Control-Request-Method: {method}");
        println!("  -> {}", resp.status());
        for (k, v) in resp.headers() {
            println!("  {k}: {}", v.to_str().unwrap());
        }
        assert!(resp.status().is_success(), "{name}: {}", resp.status());
        let h = |k: &str| {
            resp.headers()
                .get(k)
                .map(|v| v.to_str().unwrap().to_owned())
        };
        assert_eq!(h("access-control-allow-origin").as_deref(), Some(NEWSROOM));
        assert!(h("access-control-allow-methods").unwrap().contains(method));
        assert!(
            h("access-control-allow-headers")
                .unwrap()
                .contains("authorization")
        );
    }
    stop.cancel();
    for r in runs {
        r.await.unwrap().unwrap();
    }
}
