//! Guarantees of DESIGN.md §5 that can be broken in-process: poison articles and access control.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::helpers::*;
use dongtai_proto::{DeadArticle, streams, subjects};
use dongtai_testkit::{NatsServer, repo_root, wait_until};
use futures::StreamExt as _;
use std::time::Duration;

const MARKER: &str = "【测试毒丸】";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_poison_article_lands_in_the_dead_letters_and_the_articles_behind_it_flow() {
    let nats = NatsServer::start();
    let data = tempfile::tempdir().unwrap();
    let ingest = spawn_ingest(nats.url()).await;
    let mut config = dongtai_extract::config::Config::for_tests(nats.url());
    config.test_panic_marker = Some(MARKER.to_owned());
    let app = dongtai_extract::Application::build(config).await.unwrap();
    let stop = tokio_util::sync::CancellationToken::new();
    let extract = tokio::spawn(app.run_until_stopped(stop.clone()));
    let timeline = spawn_timeline(nats.url(), data.path().join("t")).await;
    let http = reqwest::Client::new();

    let post = |text: String| {
        let http = http.clone();
        let url = format!("{}/v1/articles", ingest.url);
        async move {
            let r = http
                .post(url)
                .header("content-type", "application/json")
                .body(serde_json::json!({"text": text, "published": "2024-03-02"}).to_string())
                .send()
                .await
                .unwrap();
            assert_eq!(r.status(), 202);
        }
    };
    post(format!(
        "3月1日上午，县委书记王建国前往城关镇调研。{MARKER}"
    ))
    .await;
    for i in 0..5 {
        post(format!(
            "3月1日下午，县长李{}明带队深入第{i}工业园区调研企业生产经营情况。",
            ["一", "二", "三", "四", "五"][i]
        ))
        .await;
    }

    let client = async_nats::connect(nats.url()).await.unwrap();
    let js = async_nats::jetstream::new(client);
    let dead_arrived = wait_until(Duration::from_secs(60), || async {
        let mut s = js.get_stream(streams::DEAD_ARTICLES).await.unwrap();
        s.info().await.unwrap().state.messages == 1
    })
    .await;
    assert!(
        dead_arrived,
        "the poison article never reached {}",
        subjects::ARTICLES_DEAD
    );
    let stream = js.get_stream(streams::DEAD_ARTICLES).await.unwrap();
    let msg = stream.get_raw_message(1).await.unwrap();
    let dead: DeadArticle = serde_json::from_slice(&msg.payload).unwrap();
    assert!(dead.error.contains("panicked"), "{}", dead.error);
    assert_eq!(
        dead.deliveries as i64,
        streams::MAX_DELIVERIES,
        "bounded number of deliveries"
    );
    assert!(dead.original.contains(MARKER));

    // The five articles behind it were extracted and reached the timeline.
    let events_stream_has_five = wait_until(Duration::from_secs(30), || async {
        let mut s = js.get_stream(streams::EVENTS).await.unwrap();
        s.info().await.unwrap().state.messages >= 5
    })
    .await;
    assert!(
        events_stream_has_five,
        "articles behind the poison one did not flow"
    );
    // And the poison one is not redelivered any more: the consumer has nothing pending.
    let settled = wait_until(Duration::from_secs(10), || async {
        let mut c = js
            .get_consumer_from_stream::<async_nats::jetstream::consumer::pull::Config, _, _>(
                streams::EXTRACT_CONSUMER,
                streams::ARTICLES,
            )
            .await
            .unwrap();
        let info = c.info().await.unwrap();
        info.num_pending == 0 && info.num_ack_pending == 0
    })
    .await;
    assert!(settled);
    stop.cancel();
    extract.await.unwrap().unwrap();
    timeline.stop().await;
    ingest.stop().await;
}

fn auth_env() -> Vec<(String, String)> {
    ["INGEST", "EXTRACT", "TIMELINE", "NEWSROOM"]
        .iter()
        .map(|u| {
            (
                format!("DONGTAI_{u}_NATS_PASSWORD"),
                format!("pw-{}", u.to_lowercase()),
            )
        })
        .collect()
}

async fn connect_as(url: &str, user: &str) -> async_nats::Client {
    async_nats::ConnectOptions::new()
        .user_and_password(user.into(), format!("pw-{user}"))
        .connect(url)
        .await
        .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn each_nats_user_may_only_use_its_own_subjects() {
    let nats = NatsServer::start_with_env(
        Some(repo_root().join("deploy/nats/accounts.conf")),
        auth_env(),
    );
    // The services provision the streams with their own users.
    let ingest_client = connect_as(nats.url(), "ingest").await;
    let ingest_js = async_nats::jetstream::new(ingest_client.clone());
    dongtai_common::provision_streams(&ingest_js).await.unwrap();

    // A watcher that may see everything on events.v1.> (the newsroom user).
    let newsroom = connect_as(nats.url(), "newsroom").await;
    let mut watch = newsroom.subscribe("events.v1.>").await.unwrap();

    // The newsroom user may not publish.
    newsroom
        .publish("events.v1.meeting", "forged".into())
        .await
        .unwrap();
    newsroom.flush().await.unwrap();
    // Ingest may not publish events either, not even through JetStream.
    let forged = tokio::time::timeout(
        Duration::from_secs(3),
        ingest_js.publish("events.v1.meeting", "forged by ingest".into()),
    )
    .await;
    if let Ok(Ok(ack)) = forged {
        assert!(
            tokio::time::timeout(Duration::from_secs(3), ack)
                .await
                .map_or(true, |r| r.is_err()),
            "ingest got an ack for an event"
        );
    }
    // Ingest may publish articles.
    ingest_js
        .publish(subjects::ARTICLES_NEW, "{}".into())
        .await
        .unwrap()
        .await
        .unwrap();

    // The extract user may publish events; the newsroom sees them.
    let extract_js = async_nats::jetstream::new(connect_as(nats.url(), "extract").await);
    extract_js
        .publish("events.v1.meeting", "real".into())
        .await
        .unwrap()
        .await
        .unwrap();
    let first = tokio::time::timeout(Duration::from_secs(5), watch.next())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        &first.payload[..],
        b"real",
        "the forged publishes never reached subscribers"
    );
    let more = tokio::time::timeout(Duration::from_millis(500), watch.next()).await;
    assert!(more.is_err(), "nothing else arrived");

    // The stream holds exactly the one real event (checked as the timeline user).
    let timeline_js = async_nats::jetstream::new(connect_as(nats.url(), "timeline").await);
    let mut events = timeline_js.get_stream(streams::EVENTS).await.unwrap();
    assert_eq!(events.info().await.unwrap().state.messages, 1);

    // Wrong password: refused.
    let wrong = async_nats::ConnectOptions::new()
        .user_and_password("newsroom".into(), "guess".into())
        .connect(nats.url())
        .await;
    assert!(wrong.is_err());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_services_run_end_to_end_with_their_own_nats_users() {
    let nats = NatsServer::start_with_env(
        Some(repo_root().join("deploy/nats/accounts.conf")),
        auth_env(),
    );
    let creds = |user: &str| dongtai_common::NatsArgs {
        url: nats.url().to_owned(),
        user: Some(user.to_owned()),
        password: Some(format!("pw-{user}")),
        limits: Default::default(),
    };
    let data = tempfile::tempdir().unwrap();
    let mut ic = dongtai_ingest::config::Config::for_tests(nats.url());
    ic.nats = creds("ingest");
    ic.token = Some("ingest-secret".into());
    let mut ec = dongtai_extract::config::Config::for_tests(nats.url());
    ec.nats = creds("extract");
    let mut tc = dongtai_timeline::config::Config::for_tests(nats.url(), data.path().join("t"));
    tc.nats = creds("timeline");
    tc.token = Some("query-secret".into());
    let stop = tokio_util::sync::CancellationToken::new();
    let ingest = dongtai_ingest::Application::build(ic).await.unwrap();
    let ingest_url = format!("http://{}", ingest.local_addr());
    let extract = dongtai_extract::Application::build(ec).await.unwrap();
    let timeline = dongtai_timeline::Application::build(tc).await.unwrap();
    let timeline_url = format!("http://{}", timeline.local_addr());
    tokio::spawn(ingest.run_until_stopped(stop.clone()));
    tokio::spawn(extract.run_until_stopped(stop.clone()));
    tokio::spawn(timeline.run_until_stopped(stop.clone()));
    let http = reqwest::Client::new();
    let body = serde_json::json!({"text": "3月1日上午，县委书记王建国前往城关镇调研。", "published": "2024-03-02"}).to_string();

    let no_token = http
        .post(format!("{ingest_url}/v1/articles"))
        .header("content-type", "application/json")
        .body(body.clone())
        .send()
        .await
        .unwrap();
    assert_eq!(no_token.status(), 401);
    let wrong = http
        .post(format!("{ingest_url}/v1/articles"))
        .bearer_auth("nope")
        .header("content-type", "application/json")
        .body(body.clone())
        .send()
        .await
        .unwrap();
    assert_eq!(wrong.status(), 401);
    let ok = http
        .post(format!("{ingest_url}/v1/articles"))
        .bearer_auth("ingest-secret")
        .header("content-type", "application/json")
        .body(body)
        .send()
        .await
        .unwrap();
    assert_eq!(ok.status(), 202);

    assert_eq!(
        http.get(format!("{timeline_url}/v1/stats"))
            .send()
            .await
            .unwrap()
            .status(),
        401
    );
    let stored = wait_until(Duration::from_secs(30), || async {
        let r = http
            .get(format!("{timeline_url}/v1/stats"))
            .bearer_auth("query-secret")
            .send()
            .await
            .unwrap();
        let v: serde_json::Value = r.json().await.unwrap();
        v["events"].as_u64().unwrap_or(0) >= 1
    })
    .await;
    assert!(
        stored,
        "the event went through ingest → extract → timeline under per-service users"
    );
    // Health endpoints stay open for operators.
    assert_eq!(
        http.get(format!("{timeline_url}/healthz"))
            .send()
            .await
            .unwrap()
            .status(),
        200
    );
    stop.cancel();
}
