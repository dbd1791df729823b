//! Corroboration: two articles reporting the same activity (same kind, overlapping days, a
//! shared lead) are answered as ONE activity with both sources, its evidence, a source count
//! and where the sources disagree. Events are published straight onto the EVENTS stream.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::helpers::*;
use dongtai_proto::EventKind;
use std::time::Duration;

/// 徐汇报 says 11 月 7 日; 新民晚报 says 7 日、8 日; an inspection the same day stays apart.
fn reports() -> Vec<dongtai_proto::ActivityEvent> {
    let mut a = make_event(
        "徐汇报 expo",
        EventKind::ExpoVisit,
        "曹立强",
        "2023-11-07",
        "2023-11-07",
    );
    a.when.phrase = Some("11 月 7 日".into());
    a.evidence[0].text = "11 月 7 日，区委书记曹立强带队巡馆。".into();
    let mut b = make_event(
        "新民晚报 expo",
        EventKind::ExpoVisit,
        "曹立强",
        "2023-11-07",
        "2023-11-08",
    );
    b.when.phrase = Some("7 日、8 日".into());
    b.source.outlet = Some("新民晚报".into());
    b.evidence[0].text = "7 日、8 日，曹立强一行走访乐高、迅销等展台。".into();
    b.targets = vec!["乐高".into(), "迅销".into()];
    let c = make_event(
        "徐汇报 inspection",
        EventKind::SiteInspection,
        "曹立强",
        "2023-11-07",
        "2023-11-07",
    );
    // Same lead and kind, a month later: another activity.
    let d = make_event(
        "later expo",
        EventKind::ExpoVisit,
        "曹立强",
        "2023-12-07",
        "2023-12-07",
    );
    vec![a, b, c, d]
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_articles_on_one_activity_are_answered_once_with_both_sources_and_their_disagreement() {
    let app = spawn_app().await;
    let js = jetstream(&app).await;
    let r = reports();
    for e in &r {
        publish_event(&js, e).await;
    }
    app.wait_for_events(4).await;

    let events = app.events("actor=曹立强").await;
    assert_eq!(
        events.len(),
        3,
        "the two expo reports are one activity: {events:#?}"
    );
    // Newest first: the December visit comes before; this is November's.
    let expo = events
        .iter()
        .find(|e| e["kind"] == "expo_visit" && e["when"]["start"] == "2023-11-07")
        .unwrap();
    // Represented by its first report in date order (then id); grouped under the first stored.
    let ids = [r[0].id.to_string(), r[1].id.to_string()];
    assert_eq!(expo["id"].as_str().unwrap(), ids.iter().min().unwrap());
    assert_eq!(expo["source_count"], 2);
    assert_eq!(expo["group"], r[0].id.to_string());
    let sources: Vec<&str> = expo["sources"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["source"]["outlet"].as_str().unwrap())
        .collect();
    let mut sources = sources;
    sources.sort();
    assert_eq!(sources, ["徐汇报", "新民晚报"]);
    assert_eq!(
        expo["evidence"].as_array().unwrap().len(),
        2,
        "evidence of both"
    );
    let when = expo["disagreements"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["field"] == "when")
        .unwrap();
    let values: Vec<&str> = when["values"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v["value"].as_str().unwrap())
        .collect();
    assert_eq!(values, ["2023-11-07", "2023-11-07..2023-11-08"], "{when}");
    let singles = events.iter().filter(|e| e["source_count"] == 1).count();
    assert_eq!(
        singles, 2,
        "the inspection and the December visit are other activities"
    );

    // Both reports are reachable by id and name their group; a target only one report names
    // still finds the activity.
    let (_, b) = app.get(&format!("/v1/events/{}", r[1].id)).await;
    assert_eq!(b["group"], r[0].id.to_string());
    assert_eq!(b["source_count"], 2);
    let lego = app.events("target=乐高").await;
    assert_eq!(
        (lego.len(), &lego[0]["source_count"]),
        (1, &serde_json::json!(2))
    );

    // Paging one by one neither repeats the activity nor skips one.
    let mut ids = Vec::new();
    let mut cursor = String::new();
    loop {
        let (_, page) = app
            .get(&format!("/v1/events?actor=曹立强&limit=1{cursor}"))
            .await;
        ids.extend(
            page["events"]
                .as_array()
                .unwrap()
                .iter()
                .map(|e| e["id"].as_str().unwrap().to_owned()),
        );
        match page["next_cursor"].as_str() {
            Some(c) => cursor = format!("&cursor={c}"),
            None => break,
        }
    }
    let all: Vec<String> = events
        .iter()
        .map(|e| e["id"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(ids, all);

    // Exports: one VEVENT for the activity, one CSV row per report.
    let (_, _, ics) = get_text(&app, "/v1/events?actor=曹立强&format=ics").await;
    assert_eq!(ics.matches("BEGIN:VEVENT").count(), 3);
    let (_, _, csv) = get_text(&app, "/v1/events?actor=曹立强&format=csv").await;
    assert_eq!(
        csv.split("\r\n").filter(|l| !l.is_empty()).count(),
        5,
        "header and four reports"
    );

    // Withdrawn, the second report leaves the activity with one source.
    publish_retraction(&js, &r[1]).await;
    let single = dongtai_testkit::wait_until(Duration::from_secs(10), || async {
        app.events("actor=曹立强&kind=expo_visit")
            .await
            .iter()
            .all(|e| e["source_count"] == 1)
    })
    .await;
    assert!(single, "a retracted report no longer corroborates");
}
