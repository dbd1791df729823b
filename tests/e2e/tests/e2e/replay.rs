//! Corrections: `dongtai-extract replay` re-extracts stored articles, updates changed events in
//! place (same ids) and retracts the events a newer engine no longer finds.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::helpers::*;
use dongtai_proto::{ActivityEvent, EventId, subjects};
use std::time::Duration;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn replay_updates_changed_events_in_place_and_retracts_vanished_ones() {
    let app = spawn_app().await;
    let resp = app
        .http
        .post(format!("{}/v1/articles", app.ingest.url))
        .header("content-type", "application/json")
        .body(
            serde_json::json!({
                "text": "3月1日上午，县委书记王建国率队前往城关镇调研乡村振兴工作。县领导刘芳参加调研。",
                "published": "2024-03-02"
            })
            .to_string(),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 202);
    app.wait_for_events(1).await;
    let real: ActivityEvent =
        serde_json::from_value(app.events("actor=王建国").await[0].clone()).unwrap();

    // What an older engine had said about the same article: the real activity with another
    // topic, and an activity this engine does not find at all.
    let js = async_nats::jetstream::new(async_nats::connect(app.nats.url()).await.unwrap());
    let mut older = real.clone();
    older.topic = Some("旧版本的主题".into());
    older.extractor = "dongtai-extract 0.0.1".into();
    let mut phantom = real.clone();
    phantom.id = EventId::derive(
        &real.source.article_id,
        "meeting",
        Some("2024-03-01"),
        &["某某"],
    );
    phantom.kind = dongtai_proto::EventKind::Meeting;
    phantom.extractor = "dongtai-extract 0.0.1".into();
    for e in [&older, &phantom] {
        js.publish(
            subjects::event(e.kind),
            serde_json::to_vec(e).unwrap().into(),
        )
        .await
        .unwrap()
        .await
        .unwrap();
    }
    assert!(
        dongtai_testkit::wait_until(Duration::from_secs(10), || async {
            app.get(&format!("/v1/events/{}", phantom.id)).await.0 == 200
                && app.get(&format!("/v1/events/{}", real.id)).await.1["topic"] == "旧版本的主题"
        })
        .await
    );

    let report = dongtai_extract::replay::replay(&js, false).await.unwrap();
    assert_eq!(report.articles, 1);
    assert_eq!(report.retracted, 1, "{report}");
    assert_eq!(
        report.events, 1,
        "only the changed event is republished: {report}"
    );

    let restored = dongtai_testkit::wait_until(Duration::from_secs(10), || async {
        let (_, e) = app.get(&format!("/v1/events/{}", real.id)).await;
        let (_, p) = app.get(&format!("/v1/events/{}", phantom.id)).await;
        e["topic"] == serde_json::json!(real.topic) && p["retracted"] == true
    })
    .await;
    assert!(
        restored,
        "the event was corrected in place and the phantom retracted"
    );
    let history = app.get(&format!("/v1/events/{}/history", real.id)).await.1;
    let extractors: Vec<&str> = history["versions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v["extractor"].as_str().unwrap())
        .collect();
    assert_eq!(extractors.len(), 3, "{history}");
    assert_eq!(extractors[1], "dongtai-extract 0.0.1");
    assert_eq!(*extractors.last().unwrap(), dongtai_engine_version());
    // A second replay finds nothing to change.
    let again = dongtai_extract::replay::replay(&js, false).await.unwrap();
    assert_eq!((again.events, again.retracted), (0, 0), "{again}");
}

fn dongtai_engine_version() -> String {
    format!("dongtai-extract {}", env!("CARGO_PKG_VERSION"))
}
