//! The timeline on its own: events published straight onto the EVENTS stream (no engine), so
//! these tests pin the store, the query planner and the idempotence guarantees.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::helpers::*;
use dongtai_proto::{ActivityEvent, ArticleId, EventId, subjects};
use std::time::Duration;

fn fixture() -> ActivityEvent {
    let text =
        std::fs::read_to_string(dongtai_testkit::repo_root().join("proto/fixtures/v1/event.json"))
            .unwrap();
    serde_json::from_str(&text).unwrap()
}

/// Event `i`: a different day and id each, two actors alternating.
fn event(i: u32) -> ActivityEvent {
    let mut e = fixture();
    let article = ArticleId::of_text(&format!("article {i}"));
    let day = chrono::NaiveDate::from_ymd_opt(2023, 1, 1).unwrap()
        + chrono::Days::new(u64::from(i * 3 % 300));
    e.id = EventId::derive(&article, e.kind.as_str(), Some(&day.to_string()), &[]);
    e.when.start = Some(day);
    e.when.end = Some(day);
    e.actors[0].name = if i.is_multiple_of(2) {
        "甲某".into()
    } else {
        "乙某".into()
    };
    e.source.article_id = article;
    e
}

async fn publish(js: &async_nats::jetstream::Context, e: &ActivityEvent, msg_id: Option<String>) {
    let mut headers = async_nats::HeaderMap::new();
    if let Some(id) = msg_id {
        headers.insert("Nats-Msg-Id", id.as_str());
    }
    js.publish_with_headers(
        subjects::event(e.kind),
        headers,
        serde_json::to_vec(e).unwrap().into(),
    )
    .await
    .unwrap()
    .await
    .unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn queries_come_newest_first_and_pages_followed_by_link_neither_skip_nor_repeat() {
    let app = spawn_app().await;
    let js = async_nats::jetstream::new(async_nats::connect(app.nats.url()).await.unwrap());
    // Published out of date order on purpose.
    for i in (0..60).rev() {
        publish(&js, &event(i), Some(event(i).id.to_string())).await;
    }
    app.wait_for_events(60).await;

    let (_, whole) = app.get("/v1/events?limit=500").await;
    assert_eq!(
        (&whole["total"], &whole["total_is_lower_bound"]),
        (&serde_json::json!(60), &serde_json::json!(false)),
        "a first page that holds everything counts itself"
    );
    let all = whole["events"].as_array().unwrap().clone();
    assert_eq!(all.len(), 60);
    let dates = |events: &[serde_json::Value]| -> Vec<String> {
        events
            .iter()
            .map(|e| e["when"]["start"].as_str().unwrap().to_owned())
            .collect()
    };
    let mut newest_first = dates(&all);
    newest_first.sort_by(|a, b| b.cmp(a));
    assert_eq!(dates(&all), newest_first, "newest first by default");
    let mut oldest_first = newest_first.clone();
    oldest_first.reverse();
    assert_eq!(dates(&app.events("limit=500&sort=asc").await), oldest_first);

    // Paged by 7, following the `Link: rel="next"` header as a generic client does.
    let mut paged = Vec::new();
    let mut next = Some("/v1/events?actor=甲某&limit=7".to_owned());
    while let Some(path) = next.take() {
        let resp = app
            .http
            .get(format!("{}{path}", app.timeline_url))
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status(), 200);
        next = resp
            .headers()
            .get("link")
            .map(|l| l.to_str().unwrap().to_owned())
            .map(|l| {
                assert!(l.ends_with(">; rel=\"next\""), "{l}");
                l[1..l.find('>').unwrap()].to_owned()
            });
        let body: serde_json::Value = resp.json().await.unwrap();
        assert_eq!(body["total"], 30, "every page counts all of 甲某's 30");
        assert_eq!(body["total_is_lower_bound"], false);
        assert_eq!(
            next.is_some(),
            body["next_cursor"].is_string(),
            "the link goes with the cursor"
        );
        paged.extend(
            body["events"]
                .as_array()
                .unwrap()
                .iter()
                .map(|e| e["id"].clone()),
        );
    }
    let expected: Vec<_> = all
        .iter()
        .filter(|e| e["actors"][0]["name"] == "甲某")
        .map(|e| e["id"].clone())
        .collect();
    assert_eq!(
        paged, expected,
        "paging by 7 gives the same events in the same order"
    );

    let window = app.events("from=2023-02-01&to=2023-02-28").await;
    assert!(!window.is_empty());
    assert!(
        window
            .iter()
            .all(|e| e["when"]["start"].as_str().unwrap().starts_with("2023-02"))
    );
    let stats = app.get("/v1/stats").await.1;
    assert_eq!(stats["events"], 60);
    let actors = app.get("/v1/actors").await.1;
    let names: Vec<&str> = actors["actors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["name"].as_str().unwrap())
        .collect();
    assert!(
        names.contains(&"甲某") && names.contains(&"乙某"),
        "{actors}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_same_events_published_three_times_beyond_the_dedup_window_change_nothing() {
    let app = spawn_app().await;
    let js = async_nats::jetstream::new(async_nats::connect(app.nats.url()).await.unwrap());
    // No Nats-Msg-Id: JetStream stores every copy, as it would after its window has passed.
    for _round in 0..3 {
        for i in 0..20 {
            publish(&js, &event(i), None).await;
        }
    }
    let stream_has = dongtai_testkit::wait_until(Duration::from_secs(10), || async {
        app.stream_messages(dongtai_proto::streams::EVENTS).await == 60
    })
    .await;
    assert!(stream_has, "the stream holds all 60 copies");
    // Wait until the timeline consumed all 60 messages, then count.
    let consumed = dongtai_testkit::wait_until(Duration::from_secs(20), || async {
        let client = async_nats::connect(app.nats.url()).await.unwrap();
        let js = async_nats::jetstream::new(client);
        let mut c = js
            .get_consumer_from_stream::<async_nats::jetstream::consumer::pull::Config, _, _>(
                dongtai_proto::streams::timeline_consumer("main"),
                dongtai_proto::streams::EVENTS,
            )
            .await
            .unwrap();
        let info = c.info().await.unwrap();
        info.num_pending == 0 && info.num_ack_pending == 0
    })
    .await;
    assert!(consumed);
    assert_eq!(app.event_count().await, 20);
    assert_eq!(app.events("limit=500").await.len(), 20);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_retracted_event_leaves_the_answers_but_keeps_its_history() {
    let app = spawn_app().await;
    let js = async_nats::jetstream::new(async_nats::connect(app.nats.url()).await.unwrap());
    let e = event(1);
    publish(&js, &e, None).await;
    app.wait_for_events(1).await;
    publish_retraction(&js, &e).await;
    assert!(
        dongtai_testkit::wait_until(Duration::from_secs(10), || async {
            app.event_count().await == 0
        })
        .await
    );
    assert!(app.events("actor=乙某").await.is_empty());
    let (status, one) = app.get(&format!("/v1/events/{}", e.id)).await;
    assert_eq!(status, 200);
    assert_eq!(one["retracted"], true);
    let history = app.get(&format!("/v1/events/{}/history", e.id)).await.1;
    assert_eq!(
        history["versions"].as_array().unwrap().len(),
        2,
        "{history}"
    );
}
