//! The whole pipeline on a real nats-server and a real sled: ingest → extract → timeline.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::helpers::*;
use dongtai_proto::streams;
use serde_json::Value;
use std::time::Duration;

fn names(event: &Value, role: &str) -> Vec<String> {
    let mut v: Vec<String> = event["actors"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|a| a["role"] == role && a["kind"] == "person")
        .map(|a| a["name"].as_str().unwrap().to_owned())
        .collect();
    v.sort();
    v
}

fn titles(event: &Value, name: &str) -> Vec<String> {
    event["actors"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["name"] == name)
        .map(|a| {
            a["titles"]
                .as_array()
                .unwrap()
                .iter()
                .map(|t| t.as_str().unwrap().to_owned())
                .collect()
        })
        .unwrap_or_default()
}

async fn assert_seed_answers(app: &TestApp) {
    let lego = app.events("target=乐高").await;
    assert_eq!(lego.len(), 1, "one activity at 乐高: {lego:#?}");
    let expo = &lego[0];
    assert_eq!(expo["kind"], "expo_visit");
    assert_eq!(expo["when"]["start"], "2023-11-07");
    assert_eq!(expo["when"]["end"], "2023-11-08");
    assert_eq!(names(expo, "lead"), vec!["曹立强", "钟晓咏"]);
    assert_eq!(titles(expo, "曹立强"), vec!["区委书记"]);
    assert_eq!(titles(expo, "钟晓咏"), vec!["区委副书记", "区长"]);
    let evidence = expo["evidence"].as_array().unwrap();
    assert!(
        evidence
            .iter()
            .any(|e| e["text"].as_str().unwrap().contains("乐高")),
        "{evidence:#?}"
    );
    assert!(expo["source"]["article_id"].is_string());

    let cao = app.events("actor=曹立强&sort=asc").await;
    let kinds: Vec<&str> = cao.iter().map(|e| e["kind"].as_str().unwrap()).collect();
    assert_eq!(
        kinds,
        vec!["forest_chief_inspection", "expo_visit"],
        "in date order"
    );
    let forest = &cao[0];
    assert_eq!(forest["when"]["start"], "2023-11-05");
    assert_eq!(forest["when"]["part_of_day"], "morning");
    assert!(
        forest["places"]
            .as_array()
            .unwrap()
            .iter()
            .any(|p| p == "环城生态公园东片区"),
        "{forest:#}"
    );
    assert_eq!(names(forest, "participant"), vec!["高世昀"]);
    assert!(!forest["evidence"].as_array().unwrap().is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_seed_page_answers_who_visited_what_and_when() {
    let app = spawn_app().await;
    let accepted = app.ingest_seed_page().await;
    let articles = accepted["articles"].as_array().unwrap();
    assert_eq!(
        articles.len(),
        3,
        "the page holds three articles: {accepted:#}"
    );
    assert!(articles.iter().all(|a| a["duplicate"] == false));
    let ok = dongtai_testkit::wait_until(Duration::from_secs(30), || async {
        app.events("actor=曹立强").await.len() >= 2
    })
    .await;
    assert!(ok, "the timeline never showed 曹立强's two activities");
    assert_seed_answers(&app).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ingesting_the_same_page_twice_changes_nothing() {
    let app = spawn_app().await;
    app.ingest_seed_page().await;
    let first = app.wait_for_events(1).await;
    // Let the first page settle fully before counting.
    let settled = dongtai_testkit::wait_until(Duration::from_secs(10), || async {
        app.stream_messages(streams::EVENTS).await == app.event_count().await
    })
    .await;
    assert!(settled);
    let first = first.max(app.event_count().await);
    let again = app.ingest_seed_page().await;
    assert!(
        again["articles"]
            .as_array()
            .unwrap()
            .iter()
            .all(|a| a["duplicate"] == true),
        "{again:#}"
    );
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(app.event_count().await, first);
    assert_eq!(
        app.stream_messages(streams::ARTICLES).await,
        3,
        "JetStream kept one copy of each article"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_timeline_keeps_its_data_across_restarts_and_rebuilds_from_the_stream() {
    let mut app = spawn_app().await;
    app.ingest_seed_page().await;
    assert!(
        dongtai_testkit::wait_until(Duration::from_secs(30), || async {
            app.events("actor=曹立强").await.len() >= 2
        })
        .await
    );
    let before_count = app.event_count().await;
    let before = app.events("limit=500").await;

    // Restart: same sled, same answers.
    app.stop_timeline().await;
    app.start_timeline().await;
    assert_eq!(app.event_count().await, before_count);
    assert_eq!(app.events("limit=500").await, before);
    assert_seed_answers(&app).await;

    // Delete sled, rebuild from EVENTS, serve again: same answers.
    app.stop_timeline().await;
    std::fs::remove_dir_all(app.sled_dir()).unwrap();
    let report = dongtai_timeline::rebuild::run(&dongtai_timeline::config::RebuildArgs {
        nats: dongtai_common::NatsArgs::plain(app.nats.url()),
        data_dir: app.sled_dir(),
        cache_mb: dongtai_timeline::store::DEFAULT_CACHE_MB,
    })
    .await
    .unwrap();
    assert!(
        report.contains(&format!("{before_count} live events")),
        "{report}"
    );
    app.start_timeline().await;
    assert_eq!(app.event_count().await, before_count);
    assert_eq!(app.events("limit=500").await, before);
    assert_seed_answers(&app).await;
}
