//! The service skeleton all three services share: one shape for `/healthz`, `/readyz` and
//! `/metrics`, readiness that asks the real dependencies, JSON errors from axum's own
//! rejections, a request id echoed back, and dead letters from the timeline's consume loop.

use crate::helpers::{fixture_event, get_body, jetstream, publish_event, spawn_app};
use dongtai_proto::{DeadEvent, streams, subjects};
use dongtai_testkit::wait_until;
use serde_json::Value;
use std::time::Duration;

fn urls(app: &crate::helpers::TestApp) -> [(&'static str, &str); 3] {
    [
        ("dongtai-ingest", app.ingest.url.as_str()),
        ("dongtai-extract", app.extract.url.as_str()),
        ("dongtai-timeline", app.timeline_url.as_str()),
    ]
}

async fn get_json(http: &reqwest::Client, url: String) -> (u16, Value) {
    let resp = http.get(url).send().await.unwrap();
    (
        resp.status().as_u16(),
        resp.json().await.unwrap_or(Value::Null),
    )
}

async fn wait_ready(http: &reqwest::Client, url: &str, status: u16) -> Value {
    let last = std::sync::Mutex::new(Value::Null);
    let ok = wait_until(Duration::from_secs(30), || async {
        let (s, body) = get_json(http, format!("{url}/readyz")).await;
        *last.lock().unwrap() = body;
        s == status
    })
    .await;
    let last = last.into_inner().unwrap();
    assert!(ok, "{url}/readyz never answered {status}: {last}");
    last
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_service_answers_health_readiness_and_metrics_in_one_shape() {
    let app = spawn_app().await;
    let expected_checks: [&[&str]; 3] = [
        &["nats"],
        &["nats", "consumer"],
        &["nats", "store", "consumer"],
    ];
    for ((service, url), checks) in urls(&app).into_iter().zip(expected_checks) {
        let (status, health) = get_json(&app.http, format!("{url}/healthz")).await;
        assert_eq!(status, 200, "{service}");
        assert_eq!(health["status"], "ok", "{service}: {health}");
        assert_eq!(health["service"], service);

        let ready = wait_ready(&app.http, url, 200).await;
        assert_eq!(ready["ready"], true, "{service}: {ready}");
        let names: Vec<&str> = ready["checks"]
            .as_object()
            .unwrap()
            .keys()
            .map(String::as_str)
            .collect();
        for check in checks {
            assert!(
                names.contains(check),
                "{service} lacks the {check} check: {ready}"
            );
            assert_eq!(ready["checks"][check], "ok", "{service}: {ready}");
        }

        let resp = app.http.get(format!("{url}/metrics")).send().await.unwrap();
        assert_eq!(resp.status(), 200);
        assert!(
            resp.headers()["content-type"]
                .to_str()
                .unwrap()
                .starts_with("application/openmetrics-text"),
            "{service}"
        );
        let text = resp.text().await.unwrap();
        let samples = dongtai_common::metrics::check_exposition(&text)
            .unwrap_or_else(|e| panic!("{service}: {e}\n{text}"));
        assert!(samples > 0, "{service}");
        assert!(
            text.contains(&format!(
                "dongtai_build_info{{service=\"{service}\",version="
            )),
            "{service}: {text}"
        );
        // The requests above were measured under their route templates.
        assert!(
            text.contains("dongtai_http_request_duration_seconds_count{route=\"/readyz\",method=\"GET\",status=\"200\"}"),
            "{service}: {text}"
        );
    }
    // Counters the README and the cluster test rely on keep their names; the consumers' lag
    // is read from JetStream.
    for (url, series) in [
        (&app.ingest.url, "dongtai_ingest_publish_failures_total 0"),
        (&app.extract.url, "dongtai_extract_articles_done_total 0"),
        (
            &app.extract.url,
            "dongtai_consumer_pending_messages{consumer=\"extract\"} 0",
        ),
        (&app.timeline_url, "dongtai_timeline_events 0"),
        (
            &app.timeline_url,
            "dongtai_consumer_pending_messages{consumer=\"timeline-",
        ),
    ] {
        let text = get_body(&app.http, format!("{url}/metrics")).await;
        assert!(
            text.contains(series),
            "{series} missing from {url}:\n{text}"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn readiness_is_503_naming_nats_while_nats_is_down() {
    let mut app = spawn_app().await;
    for (_, url) in urls(&app) {
        wait_ready(&app.http, url, 200).await;
    }
    app.nats.kill();
    for (service, url) in urls(&app) {
        let body = wait_ready(&app.http, url, 503).await;
        assert_eq!(body["error"], "not_ready", "{service}: {body}");
        assert_ne!(body["checks"]["nats"], "ok", "{service}: {body}");
        assert!(
            body["detail"]
                .as_str()
                .unwrap()
                .contains("nats: disconnected"),
            "{service}: {body}"
        );
        // Liveness is not readiness: the process is fine.
        let (status, _) = get_json(&app.http, format!("{url}/healthz")).await;
        assert_eq!(status, 200, "{service}");
    }
    app.nats.restart();
    for (_, url) in urls(&app) {
        wait_ready(&app.http, url, 200).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn axum_rejections_are_json_errors_on_every_service() {
    let app = spawn_app().await;
    for (service, url) in urls(&app) {
        let (status, body) = get_json(&app.http, format!("{url}/no/such/route")).await;
        assert_eq!(status, 404, "{service}");
        assert_eq!(body["error"], "not_found", "{service}: {body}");
        assert!(body["detail"].is_string(), "{service}: {body}");

        let resp = app
            .http
            .delete(format!("{url}/healthz"))
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status(), 405, "{service}");
        assert!(resp.headers().contains_key("allow"), "{service}");
        let body: Value = resp.json().await.unwrap();
        assert_eq!(body["error"], "method_not_allowed", "{service}: {body}");
    }
    // The services that take no body refuse one past the shared limit.
    for url in [&app.extract.url, &app.timeline_url] {
        let big = vec![b'x'; dongtai_common::http::DEFAULT_BODY_LIMIT + 1];
        let resp = app
            .http
            .post(format!("{url}/healthz"))
            .body(big)
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status(), 413, "{url}");
        let body: Value = resp.json().await.unwrap();
        assert_eq!(body["error"], "body_too_large", "{url}: {body}");
        assert_eq!(body["field"], "body", "{url}: {body}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_request_id_is_echoed_back_or_made() {
    let app = spawn_app().await;
    let resp = app
        .http
        .get(format!("{}/v1/events", app.timeline_url))
        .header("x-request-id", "newsroom-42")
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    assert_eq!(resp.headers()["x-request-id"], "newsroom-42");
    for (service, url) in urls(&app) {
        let resp = app.http.get(format!("{url}/healthz")).send().await.unwrap();
        let id = resp.headers().get("x-request-id").cloned();
        assert!(
            id.is_some_and(|v| !v.is_empty()),
            "{service} made no request id"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_unreadable_event_lands_in_the_timeline_dead_letters_and_the_stream_flows_on() {
    let app = spawn_app().await;
    let js = jetstream(&app).await;
    let ack = js
        .publish(
            subjects::event(dongtai_proto::EventKind::Meeting),
            "not an event".into(),
        )
        .await
        .unwrap()
        .await
        .unwrap();
    publish_event(&js, &fixture_event()).await;
    app.wait_for_events(1).await;

    let arrived = wait_until(Duration::from_secs(20), || async {
        app.stream_messages(streams::DEAD_EVENTS).await == 1
    })
    .await;
    assert!(arrived, "no dead letter in {}", streams::DEAD_EVENTS);
    let dead_stream = js.get_stream(streams::DEAD_EVENTS).await.unwrap();
    let msg = dead_stream
        .get_last_raw_message_by_subject(subjects::EVENTS_DEAD)
        .await
        .unwrap();
    let dead: DeadEvent = serde_json::from_slice(&msg.payload).unwrap();
    assert_eq!(dead.schema, dongtai_proto::DEAD_EVENT_SCHEMA);
    assert_eq!(dead.subject, "events.v1.meeting");
    assert_eq!(dead.stream_sequence, ack.sequence);
    assert_eq!(dead.original, "not an event");
    assert!(
        dead.error.contains("not an event or retraction"),
        "{}",
        dead.error
    );

    // Terminated after its dead letter: the consumer holds nothing back.
    let settled = wait_until(Duration::from_secs(10), || async {
        let text = get_body(&app.http, format!("{}/metrics", app.timeline_url)).await;
        text.contains("outcome=\"dead\"} 1") && text.contains("outcome=\"done\"} 1")
    })
    .await;
    assert!(
        settled,
        "the loop did not count one dead and one done message"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn readiness_names_the_consumer_when_jetstream_no_longer_has_it() {
    let app = spawn_app().await;
    for url in [&app.extract.url, &app.timeline_url] {
        wait_ready(&app.http, url, 200).await;
    }
    // An operator deletes the durable consumers (by mistake, say): NATS is still connected, so
    // only a check that asks JetStream can tell.
    let js = jetstream(&app).await;
    let events = js.get_stream(streams::EVENTS).await.unwrap();
    let timeline_consumer = streams::timeline_consumer("main");
    events.delete_consumer(&timeline_consumer).await.unwrap();
    let articles = js.get_stream(streams::ARTICLES).await.unwrap();
    articles
        .delete_consumer(streams::EXTRACT_CONSUMER)
        .await
        .unwrap();
    for url in [&app.extract.url, &app.timeline_url] {
        let body = wait_ready(&app.http, url, 503).await;
        assert_eq!(body["checks"]["nats"], "ok", "{body}");
        assert_ne!(body["checks"]["consumer"], "ok", "{body}");
        assert!(
            body["detail"].as_str().unwrap().starts_with("consumer: "),
            "{body}"
        );
    }
}
