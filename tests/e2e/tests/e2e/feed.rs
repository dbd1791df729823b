//! `GET /v1/feed`: server-sent events that a client can resume with `Last-Event-ID` without
//! missing or repeating a change. Events are published straight onto the EVENTS stream.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::helpers::*;
use dongtai_proto::EventKind;
use std::time::Duration;

/// One parsed server-sent event.
#[derive(Debug, Clone)]
struct Msg {
    id: u64,
    kind: String,
    data: serde_json::Value,
}

/// A feed connection read chunk by chunk.
struct Feed {
    resp: reqwest::Response,
    buf: String,
    comments: usize,
}

impl Feed {
    async fn open(app: &TestApp, query: &str, last_event_id: Option<u64>) -> Feed {
        let mut req = app
            .http
            .get(format!("{}/v1/feed?{query}", app.timeline_url));
        if let Some(id) = last_event_id {
            req = req.header("Last-Event-ID", id.to_string());
        }
        let resp = req.send().await.unwrap();
        assert_eq!(resp.status(), 200);
        assert!(
            resp.headers()["content-type"]
                .to_str()
                .unwrap()
                .starts_with("text/event-stream")
        );
        Feed {
            resp,
            buf: String::new(),
            comments: 0,
        }
    }

    /// The next event, or `None` when none comes within `wait`.
    async fn next(&mut self, wait: Duration) -> Option<Msg> {
        let deadline = tokio::time::Instant::now() + wait;
        loop {
            if let Some(end) = self.buf.find("\n\n") {
                let block: String = self.buf.drain(..end + 2).collect();
                let (mut id, mut kind, mut data) = (None, "message".to_owned(), String::new());
                for line in block.lines() {
                    if line.starts_with(':') {
                        self.comments += 1;
                    } else if let Some(v) = line.strip_prefix("id:") {
                        id = Some(v.trim().parse().unwrap());
                    } else if let Some(v) = line.strip_prefix("event:") {
                        kind = v.trim().to_owned();
                    } else if let Some(v) = line.strip_prefix("data:") {
                        data.push_str(v.strip_prefix(' ').unwrap_or(v));
                    }
                }
                if let Some(id) = id {
                    return Some(Msg {
                        id,
                        kind,
                        data: serde_json::from_str(&data).unwrap(),
                    });
                }
                continue;
            }
            let chunk = tokio::time::timeout_at(deadline, self.resp.chunk())
                .await
                .ok()?;
            let chunk = chunk.unwrap()?;
            self.buf.push_str(std::str::from_utf8(&chunk).unwrap());
        }
    }

    /// Exactly `n` events (panics if fewer come within 20 s).
    async fn take(&mut self, n: usize) -> Vec<Msg> {
        let mut out = Vec::new();
        while out.len() < n {
            let m = self.next(Duration::from_secs(20)).await;
            out.push(
                m.unwrap_or_else(|| panic!("only {} of {n} feed events came: {out:?}", out.len())),
            );
        }
        out
    }
}

fn event_n(i: u32) -> dongtai_proto::ActivityEvent {
    let lead = if i.is_multiple_of(2) {
        "甲某"
    } else {
        "乙某"
    };
    let day = format!("2023-11-{:02}", 1 + i % 28);
    make_event(
        &format!("feed article {i}"),
        EventKind::SiteInspection,
        lead,
        &day,
        &day,
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_client_resuming_with_last_event_id_gets_every_change_once_in_stream_order() {
    let app = spawn_app().await;
    let js = jetstream(&app).await;
    for i in 0..6 {
        publish_event(&js, &event_n(i)).await;
    }
    app.wait_for_events(6).await;

    // From the beginning: the three stored events of 甲某, replayed from the store.
    let mut feed = Feed::open(&app, "actor=甲某", Some(0)).await;
    let mut seen = feed.take(3).await;
    // Live: published while connected.
    for i in 6..10 {
        publish_event(&js, &event_n(i)).await;
    }
    seen.extend(feed.take(2).await);
    drop(feed);

    // Disconnected: these must come on reconnect, from the store.
    for i in 10..14 {
        publish_event(&js, &event_n(i)).await;
    }
    app.wait_for_events(14).await;
    let last = seen.last().unwrap().id;
    let mut feed = Feed::open(&app, "actor=甲某", Some(last)).await;
    seen.extend(feed.take(2).await);
    publish_event(&js, &event_n(14)).await;
    seen.extend(feed.take(1).await);
    assert!(
        feed.next(Duration::from_millis(700)).await.is_none(),
        "nothing more, no repeats"
    );

    let ids: Vec<u64> = seen.iter().map(|m| m.id).collect();
    assert!(
        ids.windows(2).all(|w| w[0] < w[1]),
        "ids only grow: {ids:?}"
    );
    let names: Vec<String> = seen
        .iter()
        .map(|m| m.data["id"].as_str().unwrap().to_owned())
        .collect();
    let expected: Vec<String> = (0..15)
        .step_by(2)
        .map(|i| event_n(i).id.to_string())
        .collect();
    assert_eq!(names, expected, "every event of 甲某, once, in order");
    assert!(
        seen.iter()
            .all(|m| m.data["actors"][0]["name"] == "甲某" && m.kind == "message")
    );
    assert_eq!(seen[0].data["kind_label"]["zh"], "调研视察");

    // Resuming from the middle of a replay gives exactly the rest.
    let mut feed = Feed::open(&app, "actor=甲某", Some(seen[2].id)).await;
    let rest = feed.take(seen.len() - 3).await;
    assert_eq!(
        rest.iter().map(|m| m.id).collect::<Vec<_>>(),
        ids[3..].to_vec()
    );
    assert!(feed.next(Duration::from_millis(500)).await.is_none());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_live_client_sees_new_events_of_its_kind_and_retractions_of_them() {
    let app = spawn_app().await;
    let js = jetstream(&app).await;
    publish_event(&js, &event_n(0)).await;
    app.wait_for_events(1).await;
    // No Last-Event-ID: only what happens from now on.
    let mut feed = Feed::open(&app, "kind=expo_visit", None).await;
    let mut expo = make_event(
        "expo article",
        EventKind::ExpoVisit,
        "曹立强",
        "2023-11-07",
        "2023-11-08",
    );
    expo.targets = vec!["乐高".into()];
    publish_event(&js, &event_n(1)).await; // another kind: filtered out
    publish_event(&js, &expo).await;
    let got = feed.take(1).await;
    assert_eq!(got[0].data["id"], expo.id.to_string());
    assert_eq!(
        got[0].data["actors"][0]["pinyin"], "Cao Liqiang",
        "{}",
        got[0].data
    );

    publish_retraction(&js, &expo).await;
    let got = feed.take(1).await;
    assert_eq!(got[0].kind, "retracted");
    assert_eq!(got[0].data["id"], expo.id.to_string());

    let (status, body) = app.get("/v1/feed?limit=3").await;
    assert_eq!(status, 400, "{body}");
    assert_eq!(body["field"], "limit");
}
